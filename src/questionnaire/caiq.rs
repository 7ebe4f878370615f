//! A vendor's completed CSA CAIQ v4 (Consensus Assessments Initiative
//! Questionnaire), read as proposed answers.
//!
//! The CAIQ's text is not bundled (its licence does not allow it); the
//! vendor's own file is read. Its header row is found by its column names
//! (`Question ID`, `CSP CAIQ Answer`, `CSP Implementation Description`,
//! with or without `(Optional/Recommended)`), wherever it is, so that the
//! v4.0.x sheets (a title row above the header) and v4.1 both read. Each
//! CAIQ question id (`CEK-03.1`) belongs to the CCM control before its dot
//! (`CEK-03`); a checklist question that cites that control in
//! `references.caiq` and says in `caiq-answers` what a `Yes` and a `No`
//! stand for gets a proposed answer: `No` to any of the control's
//! questions gives the `no` answer, `Yes` to all the `yes` answer, `NA` to
//! all `not-applicable`. The proposal carries the CAIQ question ids and the
//! vendor's implementation descriptions as its note.

use std::collections::BTreeMap;

use serde::Serialize;

use super::import::Claimed;
use super::sheet::{self, Book};
use crate::checklist::{Catalog, Question};
use crate::date::Date;
use crate::diag::{Code, Diagnostic, Pos};
use crate::manifest::{Answer, Manifest, Provenance, Returned};

/// One CAIQ row: a question id and the vendor's answer.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Row {
    /// `CEK-03.1`.
    pub id: String,
    /// `Yes`, `No`, `NA` or empty, as written.
    pub answer: String,
    /// The vendor's implementation description.
    pub description: String,
}

/// A proposed answer, or why there is none.
#[derive(Clone, Debug, Serialize)]
pub struct Proposal {
    /// The checklist question.
    pub question: String,
    /// The CCM control it cites.
    pub control: String,
    /// The CAIQ question ids read, with their answers (`CEK-03.1 Yes`).
    pub read: Vec<String>,
    /// The answer proposed, as a workbook shows it; none when the
    /// checklist says nothing about this CAIQ answer.
    pub answer: Option<String>,
    /// Why there is no answer, when there is none.
    pub reason: Option<String>,
}

/// What reading a CAIQ gave.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Read {
    /// Rows with a question id.
    pub rows: usize,
    /// One per checklist question whose control the CAIQ answers.
    pub proposals: Vec<Proposal>,
    /// The answers to merge (those with an answer).
    #[serde(skip)]
    pub claims: Vec<Claimed>,
}

/// Normalises a header: lower case, single spaces, without a trailing
/// `(...)`.
fn header(s: &str) -> String {
    let s = s.split('(').next().unwrap_or(s);
    s.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

/// The CAIQ rows of a workbook: the first sheet with a header row naming
/// `Question ID` and `CSP CAIQ Answer`.
pub fn rows(file: &str, book: &Book) -> Result<Vec<Row>, Diagnostic> {
    for s in &book.sheets {
        for r in s.rows().take(20) {
            let find = |want: &[&str]| {
                s.cols().find(|&c| {
                    let h = header(&s.text(r, c));
                    want.iter().any(|w| h == *w)
                })
            };
            let (Some(id), Some(answer)) = (
                find(&["question id"]),
                find(&["csp caiq answer", "caiq answer"]),
            ) else {
                continue;
            };
            let description = find(&[
                "csp implementation description",
                "implementation description",
            ]);
            return Ok(s
                .rows()
                .filter(|&row| row > r)
                .map(|row| Row {
                    id: s.text(row, id),
                    answer: s.text(row, answer),
                    description: description.map(|c| s.text(row, c)).unwrap_or_default(),
                })
                .filter(|row| !row.id.is_empty())
                .collect());
        }
    }
    Err(Diagnostic::error(
        Code::CaiqNoHeader,
        file,
        Pos::default(),
        "no sheet of the workbook has a CAIQ header row (`Question ID` and `CSP CAIQ Answer` in the first 20 rows)",
    )
    .with_help("import the vendor's completed CAIQ v4 workbook as the CSA publishes it; a questionnaire made by `vetted questionnaire export` is imported without --format caiq"))
}

/// Reads the CAIQ workbook `file` (named `name` in the manifest): the
/// credential guard on every cell first (a CAIQ is free text from the
/// vendor), then the rows, then the proposals.
pub fn read(
    m: &Manifest,
    catalog: &Catalog,
    file: &str,
    name: &str,
    bytes: Vec<u8>,
    received: Date,
) -> Result<Read, Vec<Diagnostic>> {
    let book = sheet::read(file, bytes).map_err(|d| vec![d])?;
    let (secrets, _) = super::import::secrets(file, &book);
    if !secrets.is_empty() {
        return Err(secrets);
    }
    let rows = rows(file, &book).map_err(|d| vec![d])?;
    Ok(propose(m, catalog, name, &rows, received))
}

/// Proposes answers from a CAIQ for the questions of `m`'s checklists that
/// cite a CCM control it answers. Secrets in the vendor's text are refused
/// by the caller's guard before this runs.
pub fn propose(m: &Manifest, catalog: &Catalog, name: &str, rows: &[Row], received: Date) -> Read {
    let mut by_control: BTreeMap<String, Vec<&Row>> = BTreeMap::new();
    for row in rows {
        let control = row
            .id
            .split('.')
            .next()
            .unwrap_or(&row.id)
            .trim()
            .to_uppercase();
        by_control.entry(control).or_default().push(row);
    }
    let mut out = Read {
        rows: rows.len(),
        ..Read::default()
    };
    let questions = m
        .integration
        .checklists
        .iter()
        .filter_map(|id| catalog.get(id))
        .flat_map(|l| l.checklist.areas.iter().flat_map(|a| a.questions.iter()));
    for q in questions {
        let Some(control) = q.references.get("caiq").map(|c| c.trim().to_uppercase()) else {
            continue;
        };
        let Some(answered) = by_control.get(&control) else {
            continue;
        };
        let read: Vec<String> = answered
            .iter()
            .map(|r| {
                format!(
                    "{} {}",
                    r.id,
                    if r.answer.is_empty() {
                        "(blank)"
                    } else {
                        &r.answer
                    }
                )
            })
            .collect();
        let (value, reason) = match verdict(answered) {
            None => (
                None,
                Some("the CAIQ leaves these questions blank".to_string()),
            ),
            Some(v) => match answer_for(q, v) {
                Ok(value) => (Some(value), None),
                Err(why) => (None, Some(why)),
            },
        };
        if let Some(value) = &value {
            let descriptions: Vec<String> = answered
                .iter()
                .filter(|r| !r.description.is_empty())
                .map(|r| format!("{}: {}", r.id, r.description))
                .collect();
            let ids: Vec<&str> = answered.iter().map(|r| r.id.as_str()).collect();
            let mut note = format!("CAIQ {}", read.join(", "));
            if !descriptions.is_empty() {
                note.push_str(&format!(". {}", descriptions.join(" ")));
            }
            let mut answer = Answer::new(value.clone(), Provenance::VendorClaim);
            answer.note = Some(note);
            answer.questionnaire = Some(Returned {
                file: name.to_string(),
                received,
                item: format!("CAIQ {}", ids.join(", ")),
            });
            out.claims.push(Claimed {
                question: q.id.clone(),
                answer,
            });
        }
        out.proposals.push(Proposal {
            question: q.id.clone(),
            control,
            read,
            answer: value.map(|v| super::shown(q, &v)),
            reason,
        });
    }
    out
}

/// What the vendor said for a control: `No` to any question, else `Yes`
/// to any, else `NA` to all; none when all are blank.
fn verdict(rows: &[&Row]) -> Option<&'static str> {
    let said: Vec<String> = rows
        .iter()
        .map(|r| r.answer.trim().to_lowercase().replace(['/', ' '], ""))
        .filter(|a| !a.is_empty())
        .collect();
    if said.iter().any(|a| a == "no") {
        Some("no")
    } else if said.iter().any(|a| a == "yes") {
        Some("yes")
    } else if !said.is_empty() && said.iter().all(|a| a == "na") {
        Some("na")
    } else {
        None
    }
}

/// The answer a CAIQ verdict stands for, narrowed as the loader would.
fn answer_for(q: &Question, verdict: &str) -> Result<crate::manifest::AnswerValue, String> {
    if verdict == "na" {
        return Ok(crate::manifest::AnswerValue::NotApplicable);
    }
    let map = q.caiq_answers.as_ref();
    let raw = match verdict {
        "yes" => map.and_then(|m| m.yes.as_ref()),
        _ => map.and_then(|m| m.no.as_ref()),
    };
    let Some(raw) = raw else {
        return Err(format!(
            "the checklist does not say what a CAIQ `{verdict}` means for this question; answer it yourself"
        ));
    };
    crate::manifest::AnswerValue::narrow(q, raw).map_err(|p| p.message)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(id: &str, answer: &str) -> Row {
        Row {
            id: id.into(),
            answer: answer.into(),
            description: String::new(),
        }
    }

    #[test]
    fn a_control_is_no_if_any_question_is_no() {
        let (a, b, c) = (
            row("X-01.1", "Yes"),
            row("X-01.2", "No"),
            row("X-01.3", "NA"),
        );
        assert_eq!(verdict(&[&a, &b]), Some("no"));
        assert_eq!(verdict(&[&a, &c]), Some("yes"));
        assert_eq!(verdict(&[&c]), Some("na"));
        assert_eq!(verdict(&[&row("X-01.1", "")]), None);
        assert_eq!(verdict(&[&row("X-01.1", "N/A")]), Some("na"));
    }

    #[test]
    fn headers_are_read_without_their_notes() {
        assert_eq!(
            header("CSP Implementation Description (Optional/Recommended)"),
            "csp implementation description"
        );
        assert_eq!(header("  Question  ID "), "question id");
    }
}

#[cfg(test)]
mod checklist_maps {
    /// Every `caiq-answers` in the bundled checklists answers its question
    /// (as the loader would narrow it) and sits on a question that cites a
    /// CCM control, or the CAIQ import could never use it.
    #[test]
    fn bundled_caiq_answers_are_valid_answers_to_their_questions() {
        let catalog = crate::load_catalog(None).unwrap();
        let mut seen = 0;
        for l in catalog.checklists() {
            for q in l.checklist.areas.iter().flat_map(|a| &a.questions) {
                let Some(map) = &q.caiq_answers else { continue };
                assert!(q.references.contains_key("caiq"), "{}", q.id);
                for raw in [&map.yes, &map.no].into_iter().flatten() {
                    let v = crate::manifest::AnswerValue::narrow(q, raw)
                        .unwrap_or_else(|p| panic!("{}: {}", q.id, p.message));
                    assert!(!v.is_reserved(), "{}", q.id);
                    seen += 1;
                }
            }
        }
        assert!(seen >= 20, "{seen}");
    }
}
