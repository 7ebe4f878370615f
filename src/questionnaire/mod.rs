//! Questionnaires the vendor fills: a workbook exported from a manifest
//! ([`export`]), read back into it ([`import`]), and the CSA CAIQ v4 that
//! vendors already hand over ([`caiq`]).
//!
//! A workbook is matched to its manifest and its rows to questions by what
//! `vetted` wrote into it and hid (a fingerprint of the manifest, the
//! checklist versions, one question id per row), never by row position or
//! question text. Every value read back goes through the manifest
//! loader's own narrowing ([`crate::manifest::narrow_answer`]), every
//! evidence address through `fill`'s https check, and every cell through
//! the credential guard.

pub mod caiq;
pub mod export;
pub mod import;
mod sheet;

use crate::checklist::{Catalog, Question, QuestionType};
use crate::manifest::{Answer, AnswerValue, Claim, Manifest};

pub use sheet::Cell;

/// The name of the hidden sheet that identifies a workbook.
pub const IDENTITY_SHEET: &str = "vetted";
/// The name of the hidden sheet holding the drop-down lists.
pub const LISTS_SHEET: &str = "lists";
/// The name of the instructions sheet.
pub const INSTRUCTIONS_SHEET: &str = "Instructions";
/// The layout of the workbook; raised when rows or columns change meaning.
pub const FORMAT: &str = "1";
/// The largest workbook read, as for any input.
pub const MAX_WORKBOOK_BYTES: usize = crate::MAX_INPUT_BYTES;
/// The most a workbook may hold once unpacked: far above any
/// questionnaire (a CAIQ v4 unpacks to a few MB), far below what would
/// fill memory.
pub const MAX_UNPACKED_BYTES: u64 = 64 * 1024 * 1024;

/// The columns of an area sheet, by their 0-based index.
pub mod col {
    /// The question id (hidden).
    pub const ID: u16 = 0;
    /// The question, with the condition under which it applies.
    pub const QUESTION: u16 = 1;
    /// The answer: the only column the vendor must fill.
    pub const ANSWER: u16 = 2;
    /// An https address of the evidence.
    pub const EVIDENCE_URL: u16 = 3;
    /// The date of the evidence.
    pub const EVIDENCE_DATE: u16 = 4;
    /// The vendor's comment.
    pub const COMMENT: u16 = 5;
    /// Guidance: help and the options.
    pub const GUIDANCE: u16 = 6;
    /// Whether the answer was known when the workbook was sent.
    pub const KNOWN: u16 = 7;
}

/// What identifies the manifest a workbook was made from: its vendor, its
/// purpose and its checklists, hashed. Answers are left out, since they are
/// what the workbook changes.
pub fn fingerprint(m: &Manifest) -> String {
    use bitcoin_hashes::{Hash, sha256};
    let text = format!(
        "{}\0{}\0{}",
        m.vendor.name,
        m.integration.purpose,
        m.integration.checklists.join(",")
    );
    sha256::Hash::hash(text.as_bytes()).to_byte_array()[..8]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The checklists of a manifest as `id@version`, as a workbook records
/// them.
pub fn checklist_versions(m: &Manifest, catalog: &Catalog) -> Vec<String> {
    m.integration
        .checklists
        .iter()
        .filter_map(|id| catalog.get(id))
        .map(|l| format!("{}@{}", l.checklist.id, l.checklist.version))
        .collect()
}

/// A sheet's name for an area: its id in words (`key_storage`: "Key
/// storage"), short enough for a spreadsheet (31 characters).
pub fn sheet_name(area_id: &str) -> String {
    let words = area_id.replace(['_', '.', '-'], " ");
    let mut name: String = words
        .chars()
        .filter(|c| !matches!(c, '[' | ']' | ':' | '*' | '?' | '/' | '\\' | '\''))
        .take(31)
        .collect();
    if let Some(first) = name.get(..1) {
        name = first.to_uppercase() + &name[1..];
    }
    name
}

/// The words a vendor types or picks for an option value: its label.
/// Reserved values have words of their own.
pub const NOT_APPLICABLE: &str = "not applicable";

/// The choices offered for a question, as shown in the drop-down (labels,
/// `yes`/`no`, then `unknown` and `not applicable`), with the value each
/// stands for. Empty for number, date and text questions.
pub fn choices(q: &Question) -> Vec<(String, serde_json::Value)> {
    let mut out: Vec<(String, serde_json::Value)> = match q.kind {
        QuestionType::Choice | QuestionType::Multi => q
            .options
            .iter()
            .map(|o| (o.label.clone(), o.value.clone().into()))
            .collect(),
        QuestionType::Bool => vec![("yes".into(), true.into()), ("no".into(), false.into())],
        _ => Vec::new(),
    };
    if q.kind != QuestionType::Multi && !out.is_empty() {
        out.push(("unknown".into(), "unknown".into()));
        out.push((NOT_APPLICABLE.into(), "not-applicable".into()));
    }
    out
}

/// An answer as a workbook shows it: the drop-down's words for options and
/// flags, `; ` between the options of a list, dates as YYYY-MM-DD.
pub fn shown(q: &Question, v: &AnswerValue) -> String {
    match v {
        AnswerValue::Multi(vs) => vs
            .iter()
            .map(|o| q.option(o).map_or(o.as_str(), |c| c.label.as_str()))
            .collect::<Vec<_>>()
            .join("; "),
        AnswerValue::NotApplicable => NOT_APPLICABLE.into(),
        other => other.display(q),
    }
}

/// A vendor's claim that differs from the answer kept, in one line of a
/// report: what was kept, what the vendor said and where.
pub fn describe_claim(q: &Question, kept: &Answer, claim: &Claim) -> String {
    format!(
        "answered `{}` ({}), but the vendor's questionnaire {} ({}, received {}) says `{}`{}",
        crate::diag::quote(&kept.value.display(q)),
        kept.source.as_str(),
        crate::diag::quote(&claim.questionnaire.file),
        crate::diag::quote(&claim.questionnaire.item),
        claim.questionnaire.received,
        crate::diag::quote(&claim.value.display(q)),
        claim
            .note
            .as_deref()
            .map(|n| format!(": {}", crate::diag::quote(n)))
            .unwrap_or_default(),
    )
}

/// Text written into a cell as text, never as a formula. A spreadsheet
/// program reads `=`, `+`, `-` and `@` at the start of what a person types
/// as a formula, and so do some programs that open a workbook saved as
/// CSV (CSV or formula injection): such text gets Excel's quote prefix,
/// which shows it as typed and keeps it text when the cell is edited.
pub fn needs_quote_prefix(text: &str) -> bool {
    text.starts_with(['=', '+', '-', '@', '\t', '\r'])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sheet_names_are_words_and_fit() {
        assert_eq!(sheet_name("keys"), "Keys");
        assert_eq!(sheet_name("key_storage"), "Key storage");
        assert_eq!(sheet_name(&"a".repeat(40)).chars().count(), 31);
        assert_eq!(sheet_name("x[y]:z"), "Xyz");
    }

    #[test]
    fn formula_starts_are_recognised() {
        for t in ["=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx"] {
            assert!(needs_quote_prefix(t), "{t:?}");
        }
        assert!(!needs_quote_prefix("plain = text"));
    }
}
