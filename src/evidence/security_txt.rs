//! RFC 9116 `security.txt`: parsing and the facts an assessment needs.
//!
//! Parsing never fails: whatever is served (a PGP-signed file, CRLF line
//! endings, a byte-order mark, comments, unknown fields, an HTML error page)
//! becomes a [`SecurityTxt`] with the fields found and a list of problems,
//! each with its line: every field value is checked against the RFC, and an
//! empty value is ignored. [`SecurityTxt::status`] then judges it on a given
//! date.
//!
//! A signature is recognised by its form (a complete OpenPGP cleartext
//! signature block) and never verified: see docs/design.md.

mod values;

use serde::Serialize;

use crate::date::Date;

/// A problem found in the file.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Problem {
    /// 1-based line (0: the whole file).
    pub line: usize,
    /// What is wrong.
    pub message: String,
    /// The field it is about, lower case (`contact`, `policy`), or
    /// `signature` for the signature block; none for the file as a whole.
    pub field: Option<&'static str>,
}

impl Problem {
    fn new(line: usize, message: impl Into<String>) -> Problem {
        Problem {
            line,
            message: message.into(),
            field: None,
        }
    }
}

/// The parsed file.
#[derive(Clone, Debug, Default, Serialize)]
pub struct SecurityTxt {
    /// `Contact` values, in order (required, one or more).
    pub contacts: Vec<String>,
    /// The raw `Expires` value.
    pub expires_raw: Option<String>,
    /// Its date, when it is a valid RFC 3339 timestamp.
    pub expires: Option<Date>,
    /// `Encryption` values.
    pub encryption: Vec<String>,
    /// `Acknowledgments` values.
    pub acknowledgments: Vec<String>,
    /// `Canonical` values.
    pub canonical: Vec<String>,
    /// `Policy` values.
    pub policy: Vec<String>,
    /// `Preferred-Languages`.
    pub preferred_languages: Option<String>,
    /// `Hiring` values.
    pub hiring: Vec<String>,
    /// Fields not defined by RFC 9116, as written.
    pub other: Vec<(String, String)>,
    /// Whether the file is one complete OpenPGP cleartext signed message
    /// (RFC 4880 section 7: the BEGIN line, a `Hash` header, the text, and
    /// a signature block with data and its END line), with no field
    /// outside it. The signature is not verified.
    pub signed: bool,
    /// Whether the body looks like an HTML page rather than text.
    pub html: bool,
    /// Everything wrong, with lines.
    pub problems: Vec<Problem>,
}

/// What a signed file's `security-txt.signed` fact says of its signature.
/// `vetted` checks the form of the signature block only: verifying it would
/// need the signer's key from somewhere other than the site that served the
/// file, which only the reviewer can vouch for (docs/design.md).
pub const NOT_VERIFIED: &str = "a complete OpenPGP cleartext signature block; the signature itself is not verified (vetted checks its form only)";

/// The verdict on a security.txt on a given date.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    /// Present, with Contact and a future Expires at most a year ahead.
    Valid,
    /// Present but past its Expires date.
    Expired,
    /// Served as text, but without a Contact or a valid Expires.
    Incomplete,
    /// Not a security.txt at all: an HTML page served in its place.
    Invalid,
    /// Not served (404 and the like); set by the collector, never by
    /// [`SecurityTxt::status`], which only sees files that were served.
    Missing,
}

impl Status {
    /// The value of the `security-txt.status` fact; the checklist maps it
    /// to an answer.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Valid => "valid",
            Status::Expired => "expired",
            Status::Incomplete => "incomplete",
            Status::Invalid => "invalid",
            Status::Missing => "missing",
        }
    }
}

/// An RFC 3339 date-time (`2027-04-30T00:00:00.000Z`; `T` and `Z` may be
/// lower case, as RFC 3339 allows), within its ranges (hours to 23, minutes
/// to 59, seconds to 60 for a leap second, offsets to 23:59); returns its
/// date.
pub fn parse_timestamp(s: &str) -> Option<Date> {
    let b = s.as_bytes();
    if b.len() < 20 || !matches!(b[10], b'T' | b't') {
        return None;
    }
    let date: Date = s.get(..10)?.parse().ok()?;
    let number = |r: std::ops::Range<usize>, max: u32| {
        s.get(r)
            .filter(|p| p.bytes().all(|c| c.is_ascii_digit()))
            .and_then(|p| p.parse::<u32>().ok())
            .is_some_and(|n| n <= max)
    };
    let time_ok = number(11..13, 23)
        && b[13] == b':'
        && number(14..16, 59)
        && b[16] == b':'
        && number(17..19, 60);
    if !time_ok {
        return None;
    }
    let mut rest = &s[19..];
    if let Some(frac) = rest.strip_prefix('.') {
        let n = frac.bytes().take_while(u8::is_ascii_digit).count();
        if n == 0 {
            return None;
        }
        rest = &frac[n..];
    }
    let offset = |r: std::ops::Range<usize>, max: u32| {
        rest.get(r)
            .filter(|p| p.bytes().all(|c| c.is_ascii_digit()))
            .and_then(|p| p.parse::<u32>().ok())
            .is_some_and(|n| n <= max)
    };
    let zone_ok = matches!(rest, "Z" | "z")
        || (rest.len() == 6
            && matches!(rest.as_bytes()[0], b'+' | b'-')
            && rest.as_bytes()[3] == b':'
            && offset(1..3, 23)
            && offset(4..6, 59));
    zone_ok.then_some(date)
}

/// Reads the bytes a server sent as text. RFC 9116 requires UTF-8; a file
/// in UTF-16 (with its byte-order mark) is read all the same, and bytes
/// that are not UTF-8 are replaced, each with a problem saying so. A UTF-8
/// byte-order mark is left to [`parse`].
pub fn parse_bytes(bytes: &[u8]) -> SecurityTxt {
    let utf16 = |units: Vec<u16>, order: &str| {
        let mut parsed = parse(&String::from_utf16_lossy(&units));
        parsed.problems.insert(
            0,
            Problem::new(
                1,
                format!("the file is UTF-16 ({order}), not the UTF-8 RFC 9116 requires"),
            ),
        );
        parsed
    };
    let pairs = |rest: &[u8], le: bool| -> Vec<u16> {
        rest.chunks(2)
            .map(|p| {
                let pair = [p[0], *p.get(1).unwrap_or(&0)];
                if le {
                    u16::from_le_bytes(pair)
                } else {
                    u16::from_be_bytes(pair)
                }
            })
            .collect()
    };
    match bytes {
        [0xFF, 0xFE, rest @ ..] => utf16(pairs(rest, true), "little-endian"),
        [0xFE, 0xFF, rest @ ..] => utf16(pairs(rest, false), "big-endian"),
        _ => match std::str::from_utf8(bytes) {
            Ok(text) => parse(text),
            Err(e) => {
                let mut parsed = parse(&String::from_utf8_lossy(bytes));
                parsed.problems.insert(
                    0,
                    Problem::new(
                        0,
                        format!(
                            "the file is not valid UTF-8 (from byte {}); RFC 9116 requires UTF-8, and the bytes that are not were replaced",
                            e.valid_up_to()
                        ),
                    ),
                );
                parsed
            }
        },
    }
}

/// Where a line falls in an OpenPGP cleartext signed message (RFC 4880
/// section 7).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Part {
    /// Before `-----BEGIN PGP SIGNED MESSAGE-----` (or no such line).
    Before,
    /// Its armor headers (`Hash: SHA256`), up to the first empty line.
    Headers,
    /// The signed text (dash-escaped).
    Text,
    /// From `-----BEGIN PGP SIGNATURE-----`: armor headers, an empty line,
    /// then the radix-64 signature and its checksum.
    Signature,
    /// After `-----END PGP SIGNATURE-----`.
    After,
}

/// The form of the signature, as far as it went.
#[derive(Default)]
struct Signature {
    begin: bool,
    hash: bool,
    signature: bool,
    data_lines: usize,
    end: bool,
    /// Lines holding fields outside the signed text.
    fields_outside: Vec<usize>,
}

impl Signature {
    /// Whether the file is one complete signed message, else what is wrong.
    fn judge(&self) -> Result<bool, String> {
        if !self.begin {
            if self.signature {
                return Err("a PGP signature block without the -----BEGIN PGP SIGNED MESSAGE----- line it belongs to; not signed".into());
            }
            return Ok(false);
        }
        let missing: Vec<&str> = [
            (!self.hash, "a Hash armor header"),
            (!self.signature, "the -----BEGIN PGP SIGNATURE----- line"),
            (self.signature && self.data_lines == 0, "the signature data"),
            (!self.end, "the -----END PGP SIGNATURE----- line"),
        ]
        .into_iter()
        .filter_map(|(gone, what)| gone.then_some(what))
        .collect();
        if !missing.is_empty() {
            return Err(format!(
                "the OpenPGP signature is incomplete (no {}); not signed",
                missing.join(", no ")
            ));
        }
        if let Some(line) = self.fields_outside.first() {
            return Err(format!(
                "line {line}: fields outside the signed message are not covered by its signature; not signed"
            ));
        }
        Ok(true)
    }
}

/// Parses a security.txt file.
pub fn parse(text: &str) -> SecurityTxt {
    let mut out = SecurityTxt::default();
    // A byte-order mark would glue itself to the first line: the BEGIN line
    // of a signed file would not match, and a first field would be filed as
    // an unknown `\u{feff}Contact`.
    let text = match text.strip_prefix('\u{feff}') {
        Some(rest) => {
            out.problems.push(Problem::new(
                1,
                "the file starts with a UTF-8 byte-order mark (U+FEFF), which RFC 9116's UTF-8 in Net-Unicode form has no place for; it was skipped",
            ));
            rest
        }
        None => text,
    };
    let head = text
        .trim_start()
        .get(..200)
        .unwrap_or(text.trim_start())
        .to_ascii_lowercase();
    if head.starts_with("<!doctype")
        || head.starts_with("<html")
        || head.contains("<head")
        || head.contains("<body")
    {
        out.html = true;
        out.problems.push(Problem::new(
            1,
            "an HTML page was served instead of a plain-text security.txt",
        ));
        return out;
    }
    let mut part = Part::Before;
    let mut sig = Signature::default();
    let mut expires_seen = 0;
    for (i, raw) in text.split('\n').enumerate() {
        let n = i + 1;
        let line = raw.strip_suffix('\r').unwrap_or(raw);
        match (part, line) {
            (Part::Before, "-----BEGIN PGP SIGNED MESSAGE-----") => {
                sig.begin = true;
                part = Part::Headers;
                continue;
            }
            (Part::Headers, _) => {
                // Armor headers (`Hash: SHA256`) run until the first empty line.
                if line.trim().is_empty() {
                    part = Part::Text;
                } else if let Some((name, value)) = line.split_once(':')
                    && name.trim().eq_ignore_ascii_case("hash")
                    && !value.trim().is_empty()
                {
                    sig.hash = true;
                }
                continue;
            }
            (Part::Before | Part::Text, "-----BEGIN PGP SIGNATURE-----") => {
                sig.signature = true;
                part = Part::Signature;
                continue;
            }
            (Part::Signature, "-----END PGP SIGNATURE-----") => {
                sig.end = true;
                part = Part::After;
                continue;
            }
            (Part::Signature, _) => {
                // Radix-64 data and the `=XXXX` checksum; armor headers
                // (`Version: ...`) hold a colon and are not data.
                let data = line.trim();
                if !data.is_empty()
                    && !data.contains(':')
                    && data
                        .bytes()
                        .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'+' | b'/' | b'='))
                {
                    sig.data_lines += 1;
                }
                continue;
            }
            _ => {}
        }
        // Inside a signed message, lines starting with a dash are escaped.
        let line = if part == Part::Text {
            line.strip_prefix("- ").unwrap_or(line)
        } else {
            line
        };
        let trimmed = line.trim();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        if sig.begin && part != Part::Text || part == Part::After {
            sig.fields_outside.push(n);
        }
        let not_a_field = || Problem::new(n, "not a field, a comment or an empty line");
        let Some((name, value)) = line.split_once(':') else {
            out.problems.push(not_a_field());
            continue;
        };
        let name = name.trim();
        let value = value.trim().to_string();
        if name.is_empty() || name.contains(char::is_whitespace) {
            out.problems.push(not_a_field());
            continue;
        }
        let key = name.to_ascii_lowercase();
        let field = FIELDS.iter().find(|f| **f == key).copied();
        let problem = |message: String| Problem {
            line: n,
            message,
            field,
        };
        // RFC 9116 section 2.5: a field always has a value. An empty one
        // says nothing; counting it would make `Policy:` a policy.
        if value.is_empty() {
            out.problems.push(problem(format!(
                "empty {name} ignored (a field needs a value)"
            )));
            continue;
        }
        let checked = match key.as_str() {
            "preferred-languages" => values::languages(&value),
            "expires" => None,
            _ if field.is_some() => values::uri(name, &value),
            _ => None,
        };
        if let Some(why) = checked {
            out.problems.push(problem(why));
        }
        match key.as_str() {
            "contact" => out.contacts.push(value),
            "expires" => {
                expires_seen += 1;
                if expires_seen > 1 {
                    out.problems
                        .push(problem("Expires appears more than once".into()));
                    continue;
                }
                out.expires = parse_timestamp(&value);
                if out.expires.is_none() {
                    out.problems.push(problem(format!(
                        "Expires `{}` is not an RFC 3339 date-time (such as 2027-04-30T00:00:00Z)",
                        crate::diag::quote(&value)
                    )));
                }
                out.expires_raw = Some(value);
            }
            "encryption" => out.encryption.push(value),
            "acknowledgments" => out.acknowledgments.push(value),
            "canonical" => out.canonical.push(value),
            "policy" => out.policy.push(value),
            "hiring" => out.hiring.push(value),
            "preferred-languages" => {
                if out.preferred_languages.is_some() {
                    out.problems
                        .push(problem("Preferred-Languages appears more than once".into()));
                } else {
                    out.preferred_languages = Some(value);
                }
            }
            _ => out.other.push((name.to_string(), value)),
        }
    }
    match sig.judge() {
        Ok(signed) => out.signed = signed,
        Err(why) => out.problems.push(Problem {
            line: 0,
            message: why,
            field: Some("signature"),
        }),
    }
    if out.contacts.is_empty() {
        out.problems.push(Problem {
            line: 0,
            message: "no Contact field (RFC 9116 requires one)".into(),
            field: Some("contact"),
        });
    }
    if expires_seen == 0 {
        out.problems.push(Problem {
            line: 0,
            message: "no Expires field (RFC 9116 requires one)".into(),
            field: Some("expires"),
        });
    }
    out
}

/// The fields RFC 9116 defines, lower case.
const FIELDS: [&str; 8] = [
    "acknowledgments",
    "canonical",
    "contact",
    "encryption",
    "expires",
    "hiring",
    "policy",
    "preferred-languages",
];

impl SecurityTxt {
    /// The status on `as_of`, with the reasons behind it. `fetched_from` is
    /// the URL the file was read from, checked against `Canonical`.
    pub fn status(&self, as_of: Date, fetched_from: Option<&str>) -> (Status, Vec<String>) {
        let mut reasons: Vec<String> = self.problems.iter().map(|p| p.message.clone()).collect();
        if let Some(url) = fetched_from
            && !self.canonical.is_empty()
            && !self.canonical.iter().any(|c| c == url)
        {
            reasons.push(format!(
                "fetched from {url}, which none of its Canonical fields names"
            ));
        }
        if self.html {
            reasons.push("an HTML page was served instead of a text file".into());
            return (Status::Invalid, reasons);
        }
        if self.contacts.is_empty() || self.expires_raw.is_none() {
            return (Status::Incomplete, reasons);
        }
        match self.expires {
            None => (Status::Incomplete, reasons),
            Some(e) if e < as_of => {
                reasons.push(format!("expired on {e}"));
                (Status::Expired, reasons)
            }
            Some(e) => {
                if as_of.days_until(e) > 366 {
                    reasons.push(format!(
                        "Expires {e} is more than a year ahead (RFC 9116 advises less)"
                    ));
                }
                (Status::Valid, reasons)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps() {
        assert_eq!(
            parse_timestamp("2027-04-30T00:00:00.000Z")
                .map(|d| d.to_string())
                .as_deref(),
            Some("2027-04-30")
        );
        assert!(parse_timestamp("2025-06-30t23:59:59z").is_some());
        assert!(parse_timestamp("2026-01-01T00:00:00+01:00").is_some());
        assert!(
            parse_timestamp("2016-12-31T23:59:60Z").is_some(),
            "a leap second"
        );
        assert!(parse_timestamp("2026-01-01T00:00:00-23:59").is_some());
        for bad in [
            "DATE_EXP",
            "2023-06-07 13:08:19+00:00",
            "2026-01-01",
            "2026-13-01T00:00:00Z",
            "2026-01-01T00:00Z",
            "2026-01-01T24:00:00Z",
            "2026-01-01T23:60:00Z",
            "2026-01-01T23:59:61Z",
            "2026-01-01T00:00:00+24:00",
            "2026-01-01T00:00:00+01:60",
            "2026-01-01T00:00:00.Z",
            "2026-01-01T00:00:00",
        ] {
            assert!(parse_timestamp(bad).is_none(), "{bad}");
        }
    }
}
