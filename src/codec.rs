//! A compact binary form of what is kept of a manifest's assessment: the
//! portfolio's register entries, actions and diagnostics (for the files the
//! portfolio spills to, and the cache), and `assess`'s document (the cache).
//!
//! Hand-written rather than serde's JSON: numbers keep their exact bits
//! (a score read back must print as it would have), enums are checked on
//! the way in, and decoding a record is a few copies. Every read is
//! bounds-checked and every value validated, so damaged bytes give
//! [`Corrupt`], never a panic or a wrong value of the right shape.

use crate::date::Date;
use crate::diag::{Diagnostic, Severity};
use crate::level::Level;
use crate::rules::Verdict;

use crate::manifest::{DocumentKind, ProviderRole};
use crate::portfolio::{
    Action, ActionKind, Carried, Dependency, DueDocument, Entry, Invalid, Item, Outcome,
};

/// Bytes that do not decode as the record they should hold.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("damaged record: {0}")]
pub struct Corrupt(pub &'static str);

/// Something the portfolio writes out and reads back.
pub trait Record: Sized {
    /// Appends the record to `out`.
    fn encode(&self, out: &mut Vec<u8>);
    /// Reads one record from the front of `input`.
    fn decode(input: &mut Decoder<'_>) -> Result<Self, Corrupt>;
}

/// Reads values from the front of a byte slice.
pub struct Decoder<'a> {
    rest: &'a [u8],
}

impl<'a> Decoder<'a> {
    /// Reads from `bytes`.
    pub fn new(bytes: &'a [u8]) -> Decoder<'a> {
        Decoder { rest: bytes }
    }

    /// Whether everything has been read.
    pub fn is_empty(&self) -> bool {
        self.rest.is_empty()
    }

    fn take(&mut self, n: usize) -> Result<&'a [u8], Corrupt> {
        if self.rest.len() < n {
            return Err(Corrupt("truncated"));
        }
        let (head, tail) = self.rest.split_at(n);
        self.rest = tail;
        Ok(head)
    }

    fn u8(&mut self) -> Result<u8, Corrupt> {
        Ok(self.take(1)?[0])
    }

    fn u32(&mut self) -> Result<u32, Corrupt> {
        let b = self.take(4)?;
        Ok(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    }

    fn u64(&mut self) -> Result<u64, Corrupt> {
        let b = self.take(8)?;
        let mut a = [0; 8];
        a.copy_from_slice(b);
        Ok(u64::from_le_bytes(a))
    }

    fn bool(&mut self) -> Result<bool, Corrupt> {
        match self.u8()? {
            0 => Ok(false),
            1 => Ok(true),
            _ => Err(Corrupt("not a boolean")),
        }
    }

    fn string(&mut self) -> Result<String, Corrupt> {
        let n = self.u32()? as usize;
        let b = self.take(n)?;
        String::from_utf8(b.to_vec()).map_err(|_| Corrupt("not UTF-8"))
    }

    fn date(&mut self) -> Result<Date, Corrupt> {
        let b = self.take(10)?;
        std::str::from_utf8(b)
            .ok()
            .and_then(|s| s.parse().ok())
            .ok_or(Corrupt("not a date"))
    }

    fn f64(&mut self) -> Result<f64, Corrupt> {
        Ok(f64::from_bits(self.u64()?))
    }

    fn pick<T: Copy>(&mut self, all: &[T]) -> Result<T, Corrupt> {
        all.get(self.u8()? as usize)
            .copied()
            .ok_or(Corrupt("unknown variant"))
    }
}

fn put_u32(out: &mut Vec<u8>, n: u32) {
    out.extend_from_slice(&n.to_le_bytes());
}

fn put_len(out: &mut Vec<u8>, n: usize) {
    // Strings and lists of one manifest are far below 4 GiB (manifests are
    // refused above 5 MB).
    put_u32(out, u32::try_from(n).expect("a length under 4 GiB"));
}

fn put_str(out: &mut Vec<u8>, s: &str) {
    put_len(out, s.len());
    out.extend_from_slice(s.as_bytes());
}

fn put_date(out: &mut Vec<u8>, d: Date) {
    // Always ten bytes: years are four digits.
    let s = d.to_string();
    debug_assert_eq!(s.len(), 10);
    out.extend_from_slice(s.as_bytes());
}

fn index_of<T: PartialEq>(all: &[T], x: &T) -> u8 {
    all.iter().position(|a| a == x).expect("a listed variant") as u8
}

// Matches without a wildcard: a variant added to either enum does not
// compile until it has a number here.
fn kind_code(k: ActionKind) -> u8 {
    match k {
        ActionKind::ExcessPermissions => 0,
        ActionKind::Review => 1,
        ActionKind::RevokeKey => 2,
        ActionKind::RotateKey => 3,
        ActionKind::StaleEvidence => 4,
        ActionKind::Waiver => 5,
        ActionKind::ProviderRisk => 6,
        ActionKind::RenewDocument => 7,
        ActionKind::VerifyKey => 8,
        ActionKind::KeyDrift => 9,
    }
}

const KINDS: [ActionKind; 10] = [
    ActionKind::ExcessPermissions,
    ActionKind::Review,
    ActionKind::RevokeKey,
    ActionKind::RotateKey,
    ActionKind::StaleEvidence,
    ActionKind::Waiver,
    ActionKind::ProviderRisk,
    ActionKind::RenewDocument,
    ActionKind::VerifyKey,
    ActionKind::KeyDrift,
];

fn document_code(k: DocumentKind) -> u8 {
    match k {
        DocumentKind::Soc2Type1 => 0,
        DocumentKind::Soc2Type2 => 1,
        DocumentKind::BridgeLetter => 2,
        DocumentKind::Iso27001 => 3,
        DocumentKind::Dpa => 4,
        DocumentKind::PentestLetter => 5,
        DocumentKind::Insurance => 6,
    }
}

fn role_code(r: ProviderRole) -> u8 {
    match r {
        ProviderRole::Custody => 0,
        ProviderRole::Cloud => 1,
        ProviderRole::KeyManagement => 2,
        ProviderRole::Kyc => 3,
        ProviderRole::Other => 4,
    }
}

const DOCUMENT_KINDS: [DocumentKind; 7] = [
    DocumentKind::Soc2Type1,
    DocumentKind::Soc2Type2,
    DocumentKind::BridgeLetter,
    DocumentKind::Iso27001,
    DocumentKind::Dpa,
    DocumentKind::PentestLetter,
    DocumentKind::Insurance,
];

const ROLES: [ProviderRole; 5] = [
    ProviderRole::Custody,
    ProviderRole::Cloud,
    ProviderRole::KeyManagement,
    ProviderRole::Kyc,
    ProviderRole::Other,
];

fn put_opt_str(out: &mut Vec<u8>, s: Option<&str>) {
    match s {
        None => out.push(0),
        Some(s) => {
            out.push(1);
            put_str(out, s);
        }
    }
}

fn severity_code(s: Severity) -> u8 {
    match s {
        Severity::Error => 0,
        Severity::Warning => 1,
    }
}

const SEVERITIES: [Severity; 2] = [Severity::Error, Severity::Warning];

impl Record for Entry {
    fn encode(&self, out: &mut Vec<u8>) {
        put_str(out, &self.file);
        put_str(out, &self.vendor);
        put_str(out, &self.integration);
        out.push(index_of(&Verdict::ALL, &self.verdict));
        put_str(out, &self.verdict_reason);
        out.push(index_of(&Level::ALL, &self.tier));
        out.extend_from_slice(&self.score.to_bits().to_le_bytes());
        out.extend_from_slice(&self.confidence.to_bits().to_le_bytes());
        put_date(out, self.assessed);
        put_date(out, self.review_due);
    }

    fn decode(d: &mut Decoder<'_>) -> Result<Self, Corrupt> {
        let file = d.string()?;
        let vendor = d.string()?;
        let integration = d.string()?;
        let verdict = d.pick(&Verdict::ALL)?;
        Ok(Entry {
            file,
            vendor,
            integration,
            verdict,
            verdict_label: verdict.label(),
            verdict_reason: d.string()?,
            tier: d.pick(&Level::ALL)?,
            score: d.f64()?,
            confidence: d.f64()?,
            assessed: d.date()?,
            review_due: d.date()?,
        })
    }
}

impl Record for Action {
    fn encode(&self, out: &mut Vec<u8>) {
        out.push(kind_code(self.kind));
        put_str(out, &self.vendor);
        put_str(out, &self.file);
        put_str(out, &self.detail);
        match self.due {
            None => out.push(0),
            Some(due) => {
                out.push(1);
                put_date(out, due);
            }
        }
        out.push(u8::from(self.overdue));
    }

    fn decode(d: &mut Decoder<'_>) -> Result<Self, Corrupt> {
        Ok(Action {
            kind: d.pick(&KINDS)?,
            vendor: d.string()?,
            file: d.string()?,
            detail: d.string()?,
            due: if d.bool()? { Some(d.date()?) } else { None },
            overdue: d.bool()?,
        })
    }
}

impl Record for Diagnostic {
    fn encode(&self, out: &mut Vec<u8>) {
        put_str(out, self.code.as_str());
        out.push(severity_code(self.severity));
        put_str(out, &self.file);
        put_u32(out, self.line);
        put_u32(out, self.col);
        put_str(out, &self.message);
        match &self.help {
            None => out.push(0),
            Some(h) => {
                out.push(1);
                put_str(out, h);
            }
        }
    }

    fn decode(d: &mut Decoder<'_>) -> Result<Self, Corrupt> {
        Ok(Diagnostic {
            code: d.string()?.parse().map_err(|_| Corrupt("unknown code"))?,
            severity: d.pick(&SEVERITIES)?,
            file: d.string()?,
            line: d.u32()?,
            col: d.u32()?,
            message: d.string()?,
            help: if d.bool()? { Some(d.string()?) } else { None },
        })
    }
}

fn put_list<T: Record>(out: &mut Vec<u8>, list: &[T]) {
    put_len(out, list.len());
    for x in list {
        x.encode(out);
    }
}

fn list<T: Record>(d: &mut Decoder<'_>) -> Result<Vec<T>, Corrupt> {
    let n = d.u32()? as usize;
    // Every record takes at least one byte: a damaged count cannot make
    // this allocate more than the input could hold.
    let mut out = Vec::with_capacity(n.min(d.rest.len()));
    for _ in 0..n {
        out.push(T::decode(d)?);
    }
    Ok(out)
}

impl Record for DueDocument {
    fn encode(&self, out: &mut Vec<u8>) {
        put_str(out, &self.vendor);
        put_str(out, &self.file);
        out.push(document_code(self.kind));
        put_opt_str(out, self.title.as_deref());
        put_str(out, &self.url);
        put_date(out, self.valid_until);
        out.extend_from_slice(&self.days_left.to_le_bytes());
        out.push(u8::from(self.expired));
    }

    fn decode(d: &mut Decoder<'_>) -> Result<Self, Corrupt> {
        let vendor = d.string()?;
        let file = d.string()?;
        let kind = d.pick(&DOCUMENT_KINDS)?;
        Ok(DueDocument {
            vendor,
            file,
            kind,
            label: kind.label(),
            title: if d.bool()? { Some(d.string()?) } else { None },
            url: d.string()?,
            valid_until: d.date()?,
            days_left: d.u64()? as i64,
            expired: d.bool()?,
        })
    }
}

impl Record for Dependency {
    fn encode(&self, out: &mut Vec<u8>) {
        put_str(out, &self.vendor);
        put_str(out, &self.file);
        out.push(index_of(&Verdict::ALL, &self.verdict));
        put_str(out, &self.provider);
        out.push(role_code(self.role));
        put_opt_str(out, self.manifest.as_deref());
    }

    fn decode(d: &mut Decoder<'_>) -> Result<Self, Corrupt> {
        Ok(Dependency {
            vendor: d.string()?,
            file: d.string()?,
            verdict: d.pick(&Verdict::ALL)?,
            provider: d.string()?,
            role: d.pick(&ROLES)?,
            manifest: if d.bool()? { Some(d.string()?) } else { None },
        })
    }
}

impl Record for Carried {
    fn encode(&self, out: &mut Vec<u8>) {
        put_str(out, &self.vendor);
        put_str(out, &self.file);
        put_str(out, &self.provider);
        out.push(role_code(self.role));
        put_str(out, &self.provider_file);
        put_str(out, &self.problem);
    }

    fn decode(d: &mut Decoder<'_>) -> Result<Self, Corrupt> {
        Ok(Carried {
            vendor: d.string()?,
            file: d.string()?,
            provider: d.string()?,
            role: d.pick(&ROLES)?,
            provider_file: d.string()?,
            problem: d.string()?,
        })
    }
}

impl Record for Invalid {
    fn encode(&self, out: &mut Vec<u8>) {
        put_str(out, &self.file);
        put_list(out, &self.diagnostics);
    }

    fn decode(d: &mut Decoder<'_>) -> Result<Self, Corrupt> {
        Ok(Invalid {
            file: d.string()?,
            diagnostics: list(d)?,
        })
    }
}

impl Record for Item {
    fn encode(&self, out: &mut Vec<u8>) {
        self.entry.encode(out);
        put_list(out, &self.actions);
        put_list(out, &self.documents);
        put_list(out, &self.providers);
    }

    fn decode(d: &mut Decoder<'_>) -> Result<Self, Corrupt> {
        Ok(Item {
            entry: Entry::decode(d)?,
            actions: list(d)?,
            documents: list(d)?,
            providers: list(d)?,
        })
    }
}

impl Record for Outcome {
    fn encode(&self, out: &mut Vec<u8>) {
        match self {
            Ok(item) => {
                out.push(0);
                item.encode(out);
            }
            Err(invalid) => {
                out.push(1);
                invalid.encode(out);
            }
        }
    }

    fn decode(d: &mut Decoder<'_>) -> Result<Self, Corrupt> {
        match d.u8()? {
            0 => Ok(Ok(Item::decode(d)?)),
            1 => Ok(Err(Invalid::decode(d)?)),
            _ => Err(Corrupt("unknown outcome")),
        }
    }
}

impl Record for crate::cache::Assessed {
    fn encode(&self, out: &mut Vec<u8>) {
        out.push(index_of(&Verdict::ALL, &self.verdict));
        out.push(index_of(&Level::ALL, &self.tier));
        put_list(out, &self.warnings);
        put_len(out, self.document.len());
        out.extend_from_slice(&self.document);
    }

    fn decode(d: &mut Decoder<'_>) -> Result<Self, Corrupt> {
        let verdict = d.pick(&Verdict::ALL)?;
        let tier = d.pick(&Level::ALL)?;
        let warnings = list(d)?;
        let n = d.u32()? as usize;
        Ok(crate::cache::Assessed {
            document: d.take(n)?.to_vec(),
            warnings,
            verdict,
            tier,
        })
    }
}

/// `record` alone as bytes.
pub fn to_bytes<T: Record>(record: &T) -> Vec<u8> {
    let mut out = Vec::new();
    record.encode(&mut out);
    out
}

/// The one record `bytes` hold, with nothing after it.
pub fn from_bytes<T: Record>(bytes: &[u8]) -> Result<T, Corrupt> {
    let mut d = Decoder::new(bytes);
    let record = T::decode(&mut d)?;
    if d.is_empty() {
        Ok(record)
    } else {
        Err(Corrupt("bytes after the record"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diag::{Code, Pos};

    fn date(s: &str) -> Date {
        s.parse().unwrap()
    }

    fn item() -> Item {
        Item {
            entry: Entry {
                file: "vendors/a.yaml".into(),
                vendor: "Acme | *bot*".into(),
                integration: "trading".into(),
                verdict: Verdict::MoreInformation,
                verdict_label: Verdict::MoreInformation.label(),
                verdict_reason: "confidence 40% is below the 60% the policy asks".into(),
                tier: Level::High,
                // Not exactly representable: the bits must survive.
                score: 0.1 + 0.2,
                confidence: 66.7,
                assessed: date("2026-11-20"),
                review_due: date("2027-02-18"),
            },
            actions: vec![
                Action {
                    kind: ActionKind::Waiver,
                    vendor: "Acme | *bot*".into(),
                    file: "vendors/a.yaml".into(),
                    detail: "waiver on x expires".into(),
                    due: Some(date("2026-12-01")),
                    overdue: false,
                },
                Action {
                    kind: ActionKind::StaleEvidence,
                    vendor: "Acme".into(),
                    file: "vendors/a.yaml".into(),
                    detail: "évidence".into(),
                    due: None,
                    overdue: true,
                },
            ],
            documents: vec![DueDocument {
                vendor: "Acme".into(),
                file: "vendors/a.yaml".into(),
                kind: DocumentKind::Insurance,
                label: DocumentKind::Insurance.label(),
                title: Some("Crime policy".into()),
                url: "https://acme.example/insurance".into(),
                valid_until: date("2026-11-01"),
                days_left: -19,
                expired: true,
            }],
            providers: vec![
                Dependency {
                    vendor: "Acme".into(),
                    file: "vendors/a.yaml".into(),
                    verdict: Verdict::Conditions,
                    provider: "Granite Custody".into(),
                    role: ProviderRole::KeyManagement,
                    manifest: Some("vendors/granite.yaml".into()),
                },
                Dependency {
                    vendor: "Acme".into(),
                    file: "vendors/a.yaml".into(),
                    verdict: Verdict::Conditions,
                    provider: "Cloud Co".into(),
                    role: ProviderRole::Cloud,
                    manifest: None,
                },
            ],
        }
    }

    #[test]
    fn records_read_back_as_written() {
        let it = item();
        let back: Item = from_bytes(&to_bytes(&it)).unwrap();
        assert_eq!(
            serde_json::to_string(&back.entry).unwrap(),
            serde_json::to_string(&it.entry).unwrap()
        );
        assert_eq!(back.entry.score.to_bits(), it.entry.score.to_bits());
        assert_eq!(
            serde_json::to_string(&back.actions).unwrap(),
            serde_json::to_string(&it.actions).unwrap()
        );
        assert_eq!(back.documents, it.documents);
        assert_eq!(back.providers, it.providers);
        let carried = Carried {
            vendor: "Acme".into(),
            file: "vendors/a.yaml".into(),
            provider: "Granite Custody".into(),
            role: ProviderRole::Custody,
            provider_file: "vendors/granite.yaml".into(),
            problem: "rejected".into(),
        };
        assert_eq!(from_bytes::<Carried>(&to_bytes(&carried)).unwrap(), carried);
        let invalid = Invalid {
            file: "b.yaml".into(),
            diagnostics: vec![
                Diagnostic::error(
                    Code::UnknownQuestion,
                    "b.yaml",
                    Pos { line: 3, col: 4 },
                    "x",
                )
                .with_help("y"),
                Diagnostic::warning(Code::HostingInferred, "b.yaml", Pos::START, "z"),
            ],
        };
        let outcome: Outcome = Err(invalid.clone());
        match from_bytes::<Outcome>(&to_bytes(&outcome)).unwrap() {
            Err(back) => assert_eq!(back.diagnostics, invalid.diagnostics),
            Ok(_) => panic!("an invalid outcome read back as an item"),
        }
    }

    #[test]
    fn kinds_and_severities_decode_to_what_they_encode() {
        for (i, k) in KINDS.into_iter().enumerate() {
            assert_eq!(kind_code(k) as usize, i);
        }
        for (i, k) in DOCUMENT_KINDS.into_iter().enumerate() {
            assert_eq!(document_code(k) as usize, i);
        }
        for (i, r) in ROLES.into_iter().enumerate() {
            assert_eq!(role_code(r) as usize, i);
        }
        for (i, s) in SEVERITIES.into_iter().enumerate() {
            assert_eq!(severity_code(s) as usize, i);
        }
        // Every variant is listed: each code is below the list's length, so
        // a variant given a code but left out of its list cannot decode.
        for k in KINDS {
            assert!((kind_code(k) as usize) < KINDS.len());
        }
        assert_eq!(
            DOCUMENT_KINDS.len(),
            crate::manifest::DocumentKind::Insurance as usize + 1
        );
        assert_eq!(ROLES.len(), ProviderRole::Other as usize + 1);
    }

    #[test]
    fn damaged_bytes_are_refused_not_misread() {
        let bytes = to_bytes::<Outcome>(&Ok(item()));
        // Every truncation fails; so does anything appended.
        for n in 0..bytes.len() {
            assert!(from_bytes::<Outcome>(&bytes[..n]).is_err(), "prefix of {n}");
        }
        let mut longer = bytes.clone();
        longer.push(0);
        assert!(from_bytes::<Outcome>(&longer).is_err());
        // A verdict out of range.
        let mut bad = bytes.clone();
        let at = 1 + 3 * 4 + "vendors/a.yaml".len() + "Acme | *bot*".len() + "trading".len();
        bad[at] = 9;
        assert_eq!(
            from_bytes::<Outcome>(&bad).err(),
            Some(Corrupt("unknown variant"))
        );
    }
}
