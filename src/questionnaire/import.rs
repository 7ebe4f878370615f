//! `vetted questionnaire import`: a returned workbook read back into its
//! manifest.
//!
//! Rows are matched to questions by the hidden id column only. Every value
//! is narrowed as the loader narrows a manifest's (`narrow_answer`), every
//! evidence address must be https (`fill`'s check), and every cell of every
//! sheet, hidden ones included, passes the credential guard: a cell holding
//! a credential is named, never shown, and nothing is imported. All
//! problems are reported at once, each at its cell.
//!
//! Answers are written as `vendor-claim` with the workbook's name, the day
//! of import and the cell as their `questionnaire`. An answer a person gave
//! (any answer not imported) is never replaced: a vendor answer that
//! differs is kept beside it as its `claim`, which evaluation reports as a
//! contradiction.

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::Value as Json;

use super::sheet::{self, Book, Cell, Sheet};
use super::{col, shown};
use crate::checklist::{Catalog, Question, QuestionType};
use crate::date::Date;
use crate::diag::{Code, Diagnostic, Pos};
use crate::manifest::{Answer, Claim, Evidence, Manifest, Provenance, Returned};

/// How the import went for one question.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Outcome {
    /// No answer before: the vendor's is written.
    New,
    /// An earlier import's answer, replaced.
    Updated,
    /// A person's answer differs: kept, with the vendor's as its claim (a
    /// contradiction in the report).
    Contradiction,
    /// A person's answer the vendor now agrees with: its earlier claim is
    /// dropped.
    Agrees,
}

/// One question the import changes.
#[derive(Clone, Debug, Serialize)]
pub struct Change {
    /// The question.
    pub question: String,
    /// The cell of the vendor's answer, or the standard questionnaire's
    /// question ids.
    pub item: String,
    /// What happens.
    pub outcome: Outcome,
    /// The answer before, as shown in the workbook.
    pub before: Option<String>,
    /// The vendor's answer, as shown in the workbook.
    pub vendor: String,
}

/// What an import did (or, dry, would do).
#[derive(Clone, Debug, Default, Serialize)]
pub struct Imported {
    /// The questions it changes, in question order.
    pub changes: Vec<Change>,
    /// Rows read with an answer.
    pub answered: usize,
    /// Warnings (a newer checklist, say); errors stop the import.
    pub warnings: Vec<Diagnostic>,
    /// The assessment's date, before and after, if the import moved it.
    pub redated: Option<(Date, Date)>,
}

/// A vendor's answer, checked, ready to merge.
#[derive(Clone, Debug)]
pub struct Claimed {
    /// The question.
    pub question: String,
    /// The answer as it would be written.
    pub answer: Answer,
}

/// Reads `bytes` (the workbook `file`, named in the manifest by `name`) and
/// merges its answers into `m`, received on `received`. Every problem of
/// the workbook comes back at once, and then `m` is untouched.
pub fn import(
    m: &mut Manifest,
    catalog: &Catalog,
    file: &str,
    name: &str,
    bytes: Vec<u8>,
    received: Date,
) -> Result<Imported, Vec<Diagnostic>> {
    let book = sheet::read(file, bytes).map_err(|d| vec![d])?;
    let (claims, warnings) = read(m, catalog, file, name, &book, received)?;
    let mut out = merge(m, catalog, claims, received);
    out.warnings = warnings;
    Ok(out)
}

/// Checks a workbook against `m` and reads its answers.
fn read(
    m: &Manifest,
    catalog: &Catalog,
    file: &str,
    name: &str,
    book: &Book,
    received: Date,
) -> Result<(Vec<Claimed>, Vec<Diagnostic>), Vec<Diagnostic>> {
    let (mut diags, secret) = secrets(file, book);
    identify(m, catalog, file, book, &mut diags);
    if diags.iter().any(Diagnostic::is_error)
        && !diags.iter().all(|d| d.code == Code::SecretInWorkbook)
    {
        return Err(diags);
    }
    let same_versions = !diags
        .iter()
        .any(|d| d.code == Code::QuestionnaireChecklistVersion);
    let in_scope = |id: &str| {
        catalog
            .question(id)
            .filter(|(l, _, _)| m.integration.checklists.contains(&l.id))
            .map(|(_, _, q)| q)
    };
    let assessed = m.assessment.date.max(received);
    let mut seen: BTreeMap<String, Cell> = BTreeMap::new();
    let mut claims = Vec::new();
    for s in book.sheets.iter().filter(|s| {
        s.visible && s.name != super::INSTRUCTIONS_SHEET && s.name != super::LISTS_SHEET
    }) {
        for r in s.rows().filter(|&r| r > 0) {
            let id_cell = s.cell(r, u32::from(col::ID));
            if secret.contains(&id_cell) {
                continue;
            }
            let id = s.text(r, u32::from(col::ID));
            let filled = [
                col::ANSWER,
                col::EVIDENCE_URL,
                col::EVIDENCE_DATE,
                col::COMMENT,
            ]
            .iter()
            .any(|&c| !s.text(r, u32::from(c)).is_empty());
            if id.is_empty() {
                if filled {
                    diags.push(id_cell.error(Code::QuestionnaireUnknownId, file, "this row has answers but no question id")
                        .with_help("rows added by hand cannot be matched to a question; answer in the rows the questionnaire came with"));
                }
                continue;
            }
            let Some(q) = in_scope(&id) else {
                diags.push(
                    id_cell
                        .error(
                            Code::QuestionnaireUnknownId,
                            file,
                            format!(
                                "`{}` is not a question of this manifest's checklists: the hidden question id was edited",
                                crate::diag::quote(&id)
                            ),
                        )
                        .with_help("export a fresh questionnaire and copy the answers into it; ids are never to be edited"),
                );
                continue;
            };
            if let Some(first) = seen.get(&id) {
                diags.push(
                    id_cell
                        .error(
                            Code::QuestionnaireDuplicateId,
                            file,
                            format!("question `{id}` is in the workbook twice (first at {first})"),
                        )
                        .with_help("an id was copied or edited; keep one row per question"),
                );
                continue;
            }
            seen.insert(id.clone(), id_cell.clone());
            let question_text = s.text(r, u32::from(col::QUESTION));
            if same_versions && !question_text.starts_with(q.text.trim()) {
                diags.push(
                    s.cell(r, u32::from(col::QUESTION))
                        .error(
                            Code::QuestionnaireEditedRow,
                            file,
                            format!("this row's hidden id says `{id}`, but its question is not that question's text: the id or the row was edited"),
                        )
                        .with_help("export a fresh questionnaire and copy the answers into it"),
                );
                continue;
            }
            if !filled || s.text(r, u32::from(col::ANSWER)).is_empty() {
                continue;
            }
            let cells = [
                col::ANSWER,
                col::EVIDENCE_URL,
                col::EVIDENCE_DATE,
                col::COMMENT,
            ]
            .map(|c| s.cell(r, u32::from(c)));
            if cells.iter().any(|c| secret.contains(c)) {
                continue;
            }
            let item = cells[0].to_string();
            let returned = Returned {
                file: name.to_string(),
                received,
                item,
            };
            if let Some(answer) = row(
                s, r, q, &cells, file, assessed, received, returned, &mut diags,
            ) {
                claims.push(Claimed {
                    question: q.id.clone(),
                    answer,
                });
            }
        }
    }
    if diags.iter().any(Diagnostic::is_error) {
        return Err(diags);
    }
    Ok((claims, diags))
}

/// Every cell of every sheet, hidden ones included, that holds what the
/// credential guard refuses: one error each, naming the cell and the kind
/// of credential, never the text; and the cells, so that no other check
/// quotes them.
pub fn secrets(file: &str, book: &Book) -> (Vec<Diagnostic>, Vec<Cell>) {
    let mut diags = Vec::new();
    let mut cells = Vec::new();
    for s in &book.sheets {
        for r in s.rows() {
            for c in s.cols() {
                if let calamine::Data::String(text) = s.get(r, c)
                    && let Some(kind) = crate::manifest::guard::looks_like_secret(text)
                {
                    let cell = s.cell(r, c);
                    diags.push(
                        cell.error(
                            Code::SecretInWorkbook,
                            file,
                            format!("this cell holds what looks like a credential ({kind}); it is not shown"),
                        )
                        .with_help("delete it from the workbook and ask the vendor to rotate it: it has been exposed to everyone who handled the file"),
                    );
                    cells.push(cell);
                }
            }
        }
    }
    (diags, cells)
}

/// Recognises the workbook: made by `vetted`, in this layout, for this
/// manifest, with these checklist versions.
fn identify(m: &Manifest, catalog: &Catalog, file: &str, book: &Book, diags: &mut Vec<Diagnostic>) {
    let at = |code, message: String, help: &str| {
        Diagnostic::error(code, file, Pos::default(), message).with_help(help.to_string())
    };
    let Some(id) = book.sheets.iter().find(|s| s.name == super::IDENTITY_SHEET) else {
        diags.push(at(
            Code::NotAQuestionnaire,
            "the workbook was not made by `vetted questionnaire export` (it has no identity sheet)".into(),
            "import the workbook exported for this manifest; a vendor's CSA CAIQ is read with --format caiq",
        ));
        return;
    };
    let entries: Vec<(String, String)> =
        id.rows().map(|r| (id.text(r, 0), id.text(r, 1))).collect();
    let get = |key: &str| {
        entries
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    };
    if get("format") != Some(super::FORMAT) {
        diags.push(at(
            Code::NotAQuestionnaire,
            format!(
                "the workbook's layout is `{}`, which this version of vetted does not read (it reads {})",
                crate::diag::quote(get("format").unwrap_or("none")),
                super::FORMAT
            ),
            "export the questionnaire again with this version of vetted",
        ));
        return;
    }
    let ours = super::fingerprint(m);
    if get("manifest") != Some(ours.as_str()) {
        diags.push(at(
            Code::QuestionnaireOtherManifest,
            format!(
                "the workbook was made for `{}` (reference {}), not for this manifest (vendor `{}`, reference {ours})",
                crate::diag::quote(get("vendor").unwrap_or("?")),
                crate::diag::quote(get("manifest").unwrap_or("none")),
                crate::diag::quote(&m.vendor.name),
            ),
            "import it into the manifest it was exported from; a changed vendor name, purpose or checklist list makes a new questionnaire necessary",
        ));
        return;
    }
    let now = super::checklist_versions(m, catalog);
    for (_, then) in entries.iter().filter(|(k, _)| k == "checklist") {
        if !now.contains(then) {
            let current = then
                .split('@')
                .next()
                .and_then(|c| now.iter().find(|n| n.split('@').next() == Some(c)))
                .map_or("none", String::as_str);
            diags.push(
                Diagnostic::warning(
                    Code::QuestionnaireChecklistVersion,
                    file,
                    Pos::default(),
                    format!(
                        "the workbook was made with checklist {}, and the manifest now uses {current}; answers are matched by question id",
                        crate::diag::quote(then)
                    ),
                )
                .with_help("questions that no longer exist are reported at their row; export a new questionnaire for the questions added since"),
            );
        }
    }
}

/// Reads and checks one answered row.
#[allow(clippy::too_many_arguments)]
fn row(
    s: &Sheet,
    r: u32,
    q: &Question,
    cells: &[Cell; 4],
    file: &str,
    assessed: Date,
    received: Date,
    returned: Returned,
    diags: &mut Vec<Diagnostic>,
) -> Option<Answer> {
    let before = diags.len();
    let note = Some(s.text(r, u32::from(col::COMMENT))).filter(|n| !n.is_empty());
    let raw = raw_value(q, s.get(r, u32::from(col::ANSWER)));
    let (value, problems) = crate::manifest::narrow_answer(q, &raw, note.as_deref(), assessed);
    for (code, problem) in problems {
        let help = match code {
            Code::NotApplicableWithoutReason => {
                "say in the Comment column (F) why the question does not apply".to_string()
            }
            _ => problem.help.unwrap_or_else(|| super::export::hint(q)),
        };
        diags.push(cells[0].error(code, file, problem.message).with_help(help));
    }
    let url = s.text(r, u32::from(col::EVIDENCE_URL));
    let date_cell = s.get(r, u32::from(col::EVIDENCE_DATE));
    let mut evidence = Vec::new();
    if !url.is_empty() {
        if let Err(why) = crate::fill::check_https(&url) {
            diags.push(cells[1].error(Code::InvalidUrl, file, why).with_help(
                "give the evidence as an https address, e.g. https://vendor.example/security",
            ));
        }
        let observed = match date_cell {
            calamine::Data::Empty => Some(received),
            calamine::Data::DateTime(dt) => sheet::date_of(dt),
            other => sheet::text(other).parse::<Date>().ok(),
        };
        match observed {
            None => diags.push(
                cells[2]
                    .error(
                        Code::InvalidDate,
                        file,
                        format!(
                            "`{}` is not a date",
                            crate::diag::quote(&sheet::text(date_cell))
                        ),
                    )
                    .with_help("write dates as YYYY-MM-DD, e.g. 2026-11-20"),
            ),
            Some(d) if d > received => diags.push(
                cells[2]
                    .error(
                        Code::EvidenceAfterAssessment,
                        file,
                        format!("the evidence is dated {d}, after the workbook was received ({received})"),
                    )
                    .with_help("evidence cannot be dated in the future; check the year"),
            ),
            Some(d) => evidence.push(Evidence {
                url,
                observed: d,
                expires: None,
                note: None,
            }),
        }
    }
    if diags.len() > before {
        return None;
    }
    let mut answer = Answer::new(value?, Provenance::VendorClaim);
    answer.evidence = evidence;
    answer.note = note;
    answer.questionnaire = Some(returned);
    Some(answer)
}

/// A cell's value as the YAML of a manifest would hold it: an option's
/// value for its label, `true` for yes, a number for a number, a list for
/// a multi question's `;`-separated options. Anything else stays text, so
/// that narrowing says what is wrong with it.
fn raw_value(q: &Question, d: &calamine::Data) -> Json {
    let text = sheet::text(d);
    let word = text.to_lowercase();
    if let Some(reserved) = match word.as_str() {
        "unknown" => Some("unknown"),
        "declined" => Some("declined"),
        "not applicable" | "not-applicable" | "n/a" => Some("not-applicable"),
        _ => None,
    } {
        return Json::from(reserved);
    }
    let choices = super::choices(q);
    let pick = |t: &str| -> Json {
        let t = t.trim();
        choices
            .iter()
            .find(|(w, v)| w.eq_ignore_ascii_case(t) || v.as_str() == Some(t))
            .map_or_else(|| Json::from(t), |(_, v)| v.clone())
    };
    match (q.kind, d) {
        (QuestionType::Bool, calamine::Data::Bool(b)) => Json::from(*b),
        (QuestionType::Bool, _) if word == "true" || word == "false" => Json::from(word == "true"),
        (QuestionType::Choice | QuestionType::Bool, _) => pick(&text),
        (QuestionType::Multi, _) => Json::Array(
            text.split([';', '\n'])
                .filter(|p| !p.trim().is_empty())
                .map(pick)
                .collect(),
        ),
        (QuestionType::Number, calamine::Data::Float(f)) => Json::from(*f),
        (QuestionType::Number, calamine::Data::Int(i)) => Json::from(*i),
        (QuestionType::Number, _) => text
            .parse::<f64>()
            .ok()
            .and_then(serde_json::Number::from_f64)
            .map_or_else(|| Json::from(text.clone()), Json::Number),
        _ => Json::from(text),
    }
}

/// Merges checked vendor answers into `m`: a gap or an earlier import is
/// filled, a person's answer is kept and a differing vendor answer becomes
/// its claim. Shared by the workbook and the CAIQ import.
pub fn merge(
    m: &mut Manifest,
    catalog: &Catalog,
    claims: Vec<Claimed>,
    received: Date,
) -> Imported {
    let mut out = Imported {
        answered: claims.len(),
        ..Imported::default()
    };
    for Claimed { question, answer } in claims {
        let Some((_, _, q)) = catalog.question(&question) else {
            continue;
        };
        let item = answer
            .questionnaire
            .as_ref()
            .map(|r| r.item.clone())
            .unwrap_or_default();
        let vendor = shown(q, &answer.value);
        let change = |outcome, before: Option<&Answer>| Change {
            question: question.clone(),
            item: item.clone(),
            outcome,
            before: before.map(|a| shown(q, &a.value)),
            vendor: vendor.clone(),
        };
        match m.answers.get_mut(&question) {
            None => {
                out.changes.push(change(Outcome::New, None));
                m.answers.insert(question.clone(), answer);
            }
            Some(existing)
                if !existing.is_persons() && existing.source != Provenance::Collected =>
            {
                let same = existing.value.same(&answer.value)
                    && existing.note == answer.note
                    && existing
                        .evidence
                        .iter()
                        .map(|e| &e.url)
                        .eq(answer.evidence.iter().map(|e| &e.url));
                if !same {
                    out.changes.push(change(Outcome::Updated, Some(existing)));
                    *existing = answer;
                }
            }
            Some(existing) if existing.value.same(&answer.value) => {
                if existing.claim.take().is_some() {
                    out.changes.push(change(Outcome::Agrees, Some(existing)));
                }
            }
            Some(existing) => {
                let claim = Claim {
                    value: answer.value,
                    questionnaire: answer.questionnaire.unwrap_or(Returned {
                        file: String::new(),
                        received,
                        item: String::new(),
                    }),
                    note: answer.note,
                };
                let again = existing
                    .claim
                    .as_ref()
                    .is_some_and(|c| c.value.same(&claim.value) && c.note == claim.note);
                if !again {
                    out.changes
                        .push(change(Outcome::Contradiction, Some(existing)));
                }
                existing.claim = Some(claim);
            }
        }
    }
    // What was said on the day of receipt cannot postdate the assessment
    // that holds it, as `fill` and `collect` date theirs.
    if !out.changes.is_empty() && received > m.assessment.date {
        out.redated = Some((m.assessment.date, received));
        m.assessment.date = received;
    }
    out.changes.sort_by(|a, b| a.question.cmp(&b.question));
    out
}
