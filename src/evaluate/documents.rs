//! Recorded documents read against the answers that rely on them: an
//! answer that credits a document which has run out, a date the documents
//! do not support, a bridge letter called unnecessary for a report that is
//! over a year old. Each is a finding for the reviewer to settle; nothing
//! here changes a score, since the answer is what the reviewer vouched for.

use serde::Serialize;

use crate::checklist::Catalog;
use crate::date::Date;
use crate::level::Level;
use crate::manifest::{
    AnswerValue, BRIDGE_DAYS, DocumentKind, Manifest, RELIED_ON_YEARS, Validity, VendorDocument,
};

use super::findings::{Finding, FindingKind};
use super::scoring::{QuestionResult, Status};

const ATTESTATION: &str = "compliance.attestation";
const SOC2_PERIOD_END: &str = "compliance.soc2_period_end";
const BRIDGE_LETTER: &str = "compliance.bridge_letter";
const DPA: &str = "compliance.dpa";
const LAST_PENTEST: &str = "operations.last_pentest";

/// Days between a penetration test and its letter that still read as the
/// same test: letters follow the test by weeks, not months.
const LETTER_LAG_DAYS: i64 = 90;

/// Days before its end from which a document is listed as expiring: time
/// to ask for the next report or certificate before the old one lapses.
pub const EXPIRING_WITHIN_DAYS: i64 = 60;

/// Where a document stands on a date.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum DocumentState {
    /// A newer document of its family counts longer (last year's report
    /// beside this year's): history, nothing to renew.
    Superseded,
    /// Past the last day it counts.
    Expired,
    /// Counts for at most [`EXPIRING_WITHIN_DAYS`] more days.
    Expiring,
    /// Counts for longer.
    Current,
    /// Has no end (an agreement without a term).
    Open,
}

/// A recorded document as of a date: its JSON form is the report's and
/// the portfolio's.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct DocumentStatus {
    /// What it is.
    pub kind: DocumentKind,
    /// What a reader calls it.
    pub label: &'static str,
    /// Its title, if given.
    pub title: Option<String>,
    /// Where it is.
    pub url: String,
    /// The date it speaks for (a SOC 2 period's end, otherwise its issue).
    pub dated: Option<Date>,
    /// The last day it counts.
    pub valid_until: Option<Date>,
    /// Days from the as-of date to that day (negative once expired).
    pub days_left: Option<i64>,
    /// Where it stands.
    pub state: DocumentState,
}

/// Every recorded document as of a date, soonest to end first.
pub fn statuses(manifest: &Manifest, as_of: Date) -> Vec<DocumentStatus> {
    let mut out: Vec<DocumentStatus> = manifest
        .documents
        .iter()
        .map(|d| {
            let valid_until = d.valid_until();
            let days_left = valid_until.map(|u| as_of.days_until(u));
            // A bridge letter carries a report to the next one; it
            // replaces only an older bridge letter, never the report.
            let superseded = manifest.documents.iter().any(|other| {
                other.kind.family() == d.kind.family()
                    && (other.kind != DocumentKind::BridgeLetter
                        || d.kind == DocumentKind::BridgeLetter)
                    && valid_until.is_some()
                    && other.valid_until().is_none_or(|u| Some(u) > valid_until)
            });
            let state = match days_left {
                _ if superseded => DocumentState::Superseded,
                None => DocumentState::Open,
                Some(n) if n < 0 => DocumentState::Expired,
                Some(n) if n <= EXPIRING_WITHIN_DAYS => DocumentState::Expiring,
                Some(_) => DocumentState::Current,
            };
            DocumentStatus {
                kind: d.kind,
                label: d.kind.label(),
                title: d.title.clone(),
                url: d.url.clone(),
                dated: d.dated(),
                valid_until,
                days_left,
                state,
            }
        })
        .collect();
    // Stable: documents ending on the same day keep the manifest's order.
    out.sort_by_key(|d| (d.valid_until.is_none(), d.valid_until));
    out
}

/// The documents of a manifest as of a date.
struct Documents<'a> {
    all: &'a [VendorDocument],
    as_of: Date,
}

impl Documents<'_> {
    fn of(&self, kind: DocumentKind) -> impl Iterator<Item = &VendorDocument> {
        self.all.iter().filter(move |d| d.kind == kind)
    }

    /// Whether any document of a kind still counts.
    fn current(&self, kind: DocumentKind) -> bool {
        self.of(kind)
            .any(|d| d.valid_until().is_none_or(|u| u >= self.as_of))
    }

    /// The last day any document of a kind counted, when all have run out.
    fn lapsed(&self, kind: DocumentKind) -> Option<Date> {
        if self.current(kind) {
            return None;
        }
        self.of(kind).filter_map(VendorDocument::valid_until).max()
    }

    /// The latest date documents of a kind speak for.
    fn latest(&self, kind: DocumentKind) -> Option<Date> {
        self.of(kind).filter_map(VendorDocument::dated).max()
    }

    /// Whether a current bridge letter carries the latest SOC 2 report: one
    /// written after that report's period, and only up to a quarter past
    /// the report's twelve months (a letter cannot stand in for a report
    /// years old).
    fn bridged(&self) -> bool {
        let Some(end) = self.latest_soc2_end() else {
            return false;
        };
        let limit = end.plus_years(RELIED_ON_YEARS).plus_days(BRIDGE_DAYS);
        self.as_of <= limit
            && self.of(DocumentKind::BridgeLetter).any(|d| {
                let after_period = d.issued().is_none_or(|i| i >= end);
                let covers =
                    matches!(d.validity, Validity::Until { expires, .. } if expires >= self.as_of);
                after_period && covers
            })
    }

    /// The end of the latest SOC 2 period, of either type.
    fn latest_soc2_end(&self) -> Option<Date> {
        [DocumentKind::Soc2Type1, DocumentKind::Soc2Type2]
            .into_iter()
            .filter_map(|k| self.latest(k))
            .max()
    }
}

/// An answer that credits a document which has run out.
struct Lapse {
    question: &'static str,
    detail: String,
    remediation: &'static str,
}

/// The answers that credit a document the records say has run out: an
/// attestation whose report or certificate lapsed (a SOC 2 report carried
/// by a current bridge letter has not), a bridge letter past its end, a
/// DPA that ended.
fn lapses<'a>(
    docs: &Documents<'_>,
    answered: &dyn Fn(&str) -> Option<&'a AnswerValue>,
) -> Vec<Lapse> {
    let mut out = Vec::new();
    if let Some(AnswerValue::Multi(credited)) = answered(ATTESTATION) {
        for (option, kind) in [
            ("soc2-type-2", DocumentKind::Soc2Type2),
            ("soc2-type-1", DocumentKind::Soc2Type1),
            ("iso27001", DocumentKind::Iso27001),
        ] {
            if !credited.iter().any(|c| c == option) {
                continue;
            }
            let bridged = kind.is_soc2() && docs.bridged();
            if let Some(until) = docs.lapsed(kind).filter(|_| !bridged) {
                out.push(Lapse {
                    question: ATTESTATION,
                    detail: format!(
                        "the answer credits the {}, but the one recorded counted only until {until}{}",
                        kind.label(),
                        if kind.is_soc2() { " and no current bridge letter is recorded" } else { "" },
                    ),
                    remediation: "Ask for the current report or certificate (or a bridge letter); until it arrives, answer without it.",
                });
            }
        }
    }
    if let Some(AnswerValue::Choice(c)) = answered(BRIDGE_LETTER)
        && c == "provided"
        && let Some(until) = docs.lapsed(DocumentKind::BridgeLetter)
    {
        out.push(Lapse {
            question: BRIDGE_LETTER,
            detail: format!(
                "answered: provided; but the bridge letter recorded covers only until {until}"
            ),
            remediation: "Ask for a new bridge letter up to today, or the next report.",
        });
    }
    if let Some(AnswerValue::Choice(c)) = answered(DPA)
        && (c == "signed" || c == "standard-terms")
        && let Some(until) = docs.lapsed(DocumentKind::Dpa)
    {
        out.push(Lapse {
            question: DPA,
            detail: format!(
                "answered: {c}; but the data processing agreement recorded ended on {until}"
            ),
            remediation: "Ask for the agreement now in force before sending personal data.",
        });
    }
    out
}

/// The questions whose answers credit a document that has run out: their
/// evidence counts as stale, however recently it was looked at, since what
/// it shows no longer holds (an approval must not rest on a lapsed report).
pub(super) fn lapsed_questions(m: &Manifest, as_of: Date) -> Vec<&'static str> {
    if m.documents.is_empty() {
        return Vec::new();
    }
    let docs = Documents {
        all: &m.documents,
        as_of,
    };
    let answered = |id: &str| m.answers.get(id).map(|a| &a.value);
    let mut out: Vec<&'static str> = lapses(&docs, &answered)
        .into_iter()
        .map(|l| l.question)
        .collect();
    out.dedup();
    out
}

/// Findings where the recorded documents disagree with the answers, for
/// the questions that apply.
pub(super) fn findings(
    questions: &[QuestionResult],
    manifest: &Manifest,
    catalog: &Catalog,
    as_of: Date,
) -> Vec<Finding> {
    if manifest.documents.is_empty() {
        return Vec::new();
    }
    let docs = Documents {
        all: &manifest.documents,
        as_of,
    };
    let answered = |id: &str| -> Option<&AnswerValue> {
        questions
            .iter()
            .find(|r| r.id == id && r.status == Status::Answered)?;
        manifest.answers.get(id).map(|a| &a.value)
    };
    let finding = |id: &str, claim_better: bool, detail: String, remediation: &str| {
        let (_, _, q) = catalog.question(id)?;
        Some(Finding {
            id: id.to_string(),
            kind: FindingKind::Document,
            // As with collected evidence: a claim the documents do not
            // support matters as much as the question; a claim older than
            // the documents is only out of date.
            severity: if claim_better { q.severity } else { Level::Low },
            title: format!("Recorded documents contradict the answer to: {}", q.text),
            detail,
            remediation: Some(remediation.to_string()),
            points_lost: 0.0,
            effect: None,
        })
    };
    let mut out = Vec::new();

    for l in lapses(&docs, &answered) {
        out.extend(finding(l.question, true, l.detail, l.remediation));
    }
    if let Some(AnswerValue::Multi(credited)) = answered(ATTESTATION) {
        let type1_only = docs.of(DocumentKind::Soc2Type1).next().is_some()
            && docs.of(DocumentKind::Soc2Type2).next().is_none();
        if type1_only && credited.iter().any(|c| c == "soc2-type-2") {
            out.extend(finding(
                ATTESTATION,
                true,
                "the answer credits a SOC 2 Type II report, but the SOC 2 reports recorded are Type I only (controls designed, not tested over a period)".into(),
                "Ask for the Type II report, or answer `soc2-type-1`.",
            ));
        }
    }

    let period_end = match answered(SOC2_PERIOD_END) {
        Some(AnswerValue::Date(claimed)) => {
            if let Some(recorded) = docs.latest_soc2_end().filter(|r| r != claimed) {
                out.extend(finding(
                    SOC2_PERIOD_END,
                    *claimed > recorded,
                    format!("answered: {claimed}; the latest SOC 2 report recorded covers a period ending {recorded}"),
                    "Correct the answer from the report's opinion letter, or record the newer report.",
                ));
            }
            Some(*claimed)
        }
        _ => docs.latest_soc2_end(),
    };

    match answered(BRIDGE_LETTER) {
        Some(AnswerValue::Choice(c)) if c == "not-needed" => {
            if let Some(end) = period_end.filter(|e| e.plus_years(RELIED_ON_YEARS) < as_of) {
                out.extend(finding(
                    BRIDGE_LETTER,
                    true,
                    format!(
                        "answered: not-needed; but the SOC 2 period ended on {end}, {} days before {as_of}, so a bridge letter is needed",
                        end.days_until(as_of)
                    ),
                    "Ask for a bridge letter covering the time since the period ended, or the newer report.",
                ));
            }
        }
        _ => {}
    }

    if let Some(AnswerValue::Date(claimed)) = answered(LAST_PENTEST)
        && let Some(letter) = docs.latest(DocumentKind::PentestLetter)
    {
        let newer_claim = *claimed > letter;
        if newer_claim || claimed.days_until(letter) > LETTER_LAG_DAYS {
            out.extend(finding(
                LAST_PENTEST,
                newer_claim,
                format!("answered: {claimed}; the latest penetration-test letter recorded is dated {letter}"),
                "Correct the answer from the tester's letter, or record the letter for the newer test.",
            ));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::manifest::Validity;

    fn doc(kind: DocumentKind, validity: Validity) -> VendorDocument {
        VendorDocument {
            kind,
            url: "https://v.example/d".into(),
            title: None,
            note: None,
            validity,
        }
    }

    fn date(s: &str) -> Date {
        s.parse().unwrap()
    }

    #[test]
    fn a_report_counts_for_a_year_after_its_period_and_a_bridge_letter_to_its_end() {
        let report = doc(
            DocumentKind::Soc2Type2,
            Validity::Period {
                issued: None,
                start: None,
                end: date("2025-06-30"),
                expires: None,
            },
        );
        assert_eq!(report.valid_until(), Some(date("2026-06-30")));
        let letter = doc(
            DocumentKind::BridgeLetter,
            Validity::Until {
                issued: None,
                expires: date("2026-12-31"),
            },
        );
        let all = [report, letter];
        let docs = Documents {
            all: &all,
            as_of: date("2026-11-30"),
        };
        assert_eq!(
            docs.lapsed(DocumentKind::Soc2Type2),
            Some(date("2026-06-30"))
        );
        assert!(docs.current(DocumentKind::BridgeLetter));
        assert_eq!(docs.latest_soc2_end(), Some(date("2025-06-30")));
        // The letter carries the report; it does not replace it.
        let base = crate::manifest::load(
            "m.yaml",
            b"vendor: {name: V}\nintegration: {purpose: p, checklists: [baseline], permissions: [read]}\nassessment: {assessor: a, date: 2026-11-01}\n".to_vec(),
            &crate::load_catalog(None).unwrap(),
        )
        .unwrap()
        .manifest;
        let m = |documents: Vec<VendorDocument>| Manifest {
            documents,
            ..base.clone()
        };
        let states = |m: &Manifest| {
            statuses(m, date("2026-11-30"))
                .into_iter()
                .map(|s| (s.kind, s.state))
                .collect::<Vec<_>>()
        };
        let with_letter = m(all.to_vec());
        assert_eq!(
            states(&with_letter),
            [
                (DocumentKind::Soc2Type2, DocumentState::Expired),
                (DocumentKind::BridgeLetter, DocumentState::Expiring),
            ]
        );
        // A newer report replaces both.
        let newer = doc(
            DocumentKind::Soc2Type2,
            Validity::Period {
                issued: None,
                start: None,
                end: date("2026-06-30"),
                expires: None,
            },
        );
        let mut three = all.to_vec();
        three.push(newer);
        assert_eq!(
            states(&m(three)),
            [
                (DocumentKind::Soc2Type2, DocumentState::Superseded),
                (DocumentKind::BridgeLetter, DocumentState::Superseded),
                (DocumentKind::Soc2Type2, DocumentState::Current),
            ]
        );
        // An agreement without a term never lapses.
        let open = [doc(DocumentKind::Dpa, Validity::Open { issued: None })];
        let docs = Documents {
            all: &open,
            as_of: date("2030-01-01"),
        };
        assert_eq!(docs.lapsed(DocumentKind::Dpa), None);
    }
}
