//! `vetted questionnaire export`: the workbook a vendor fills in any
//! spreadsheet program.
//!
//! An instructions sheet; one sheet per checklist area with one row per
//! question that applies to this integration (follow-ups included, with
//! their condition in words); an answer column with a drop-down of the
//! question's options plus `unknown` and `not applicable`; evidence URL,
//! evidence date and comment columns; answers already known pre-filled and
//! marked. Only the answer, evidence and comment cells are unlocked. The
//! question ids sit in a hidden column, and a very hidden sheet records the
//! manifest's fingerprint and the checklist versions, so that a workbook
//! returned for another manifest or an older checklist is recognised.

use rust_xlsxwriter::{
    Color, DataValidation, DataValidationErrorStyle, DocProperties, ExcelDateTime, Format,
    FormatAlign, Formula, Workbook, Worksheet, XlsxError,
};

use super::{col, sheet::Cell};
use crate::checklist::{Area, Catalog, Question, QuestionType};
use crate::date::Date;
use crate::evaluate::{self, Status};
use crate::manifest::{Answer, AnswerValue, Manifest, Provenance};
use crate::rules::Policy;

/// What the instructions sheet says besides the manifest's own details.
#[derive(Clone, Debug, Default)]
pub struct Options {
    /// The date the workbook is made (the evaluation's today).
    pub as_of: Option<Date>,
    /// When the vendor should return it.
    pub deadline: Option<Date>,
}

/// One question in the workbook.
#[derive(Clone, Debug)]
pub struct Row<'a> {
    /// The question.
    pub question: &'a Question,
    /// When it applies only after some answer, that condition in words.
    pub condition: Option<String>,
    /// The answer the manifest already holds.
    pub known: Option<&'a Answer>,
}

/// One area's sheet.
#[derive(Clone, Debug)]
pub struct Page<'a> {
    /// The area.
    pub area: &'a Area,
    /// Its sheet's name.
    pub sheet: String,
    /// Its questions, in checklist order.
    pub rows: Vec<Row<'a>>,
}

/// The questions to ask, by area: those that apply to this integration now
/// (evaluated on `as_of`), and the follow-ups whose condition depends on
/// answers and that some answers would make apply ([`evaluate::reach`]):
/// not one that also needs something the integration rules out.
pub fn plan<'a>(
    m: &'a Manifest,
    catalog: &'a Catalog,
    policy: &Policy,
    as_of: Date,
) -> Result<Vec<Page<'a>>, crate::Error> {
    let assessment = evaluate::evaluate(m, catalog, policy, as_of)?;
    let reachable = evaluate::reach::reachable(m, catalog, policy, as_of)?;
    let mut pages: Vec<Page<'a>> = Vec::new();
    for r in &assessment.questions {
        let (_, area, q) = catalog.at(r.question);
        let follow_up = q.when.as_deref().filter(|w| w.contains("answers."));
        let may_apply = follow_up.is_some() && reachable[r.question.index()];
        if r.status == Status::NotApplicable && !may_apply {
            continue;
        }
        let row = Row {
            question: q,
            condition: follow_up.map(|w| condition_words(w, catalog)),
            // "Unknown" and "declined" are what the vendor is asked again,
            // not an answer to show as known.
            known: m
                .answers
                .get(&q.id)
                .filter(|a| !matches!(a.value, AnswerValue::Unknown | AnswerValue::Declined)),
        };
        match pages.iter_mut().find(|p| p.area.id == area.id) {
            Some(page) => page.rows.push(row),
            None => pages.push(Page {
                area,
                sheet: super::sheet_name(&area.id),
                rows: vec![row],
            }),
        }
    }
    Ok(pages)
}

/// A condition as a sentence: `answers.x in ['a', 'b']` becomes
/// `the answer to "X?" is "A" or "B"`, `'a' in (answers.x or [])` becomes
/// `... includes "A"`, joined by "or" and "and". A part it cannot read is
/// quoted as written.
pub fn condition_words(when: &str, catalog: &Catalog) -> String {
    let mut out = String::from("Answer only if ");
    for (i, (joint, part)) in split_top(when).into_iter().enumerate() {
        if i > 0 {
            out.push_str(joint);
        }
        out.push_str(&atom_words(part.trim(), catalog));
    }
    out
}

/// Splits at ` or ` and ` and ` outside brackets and quotes; each part
/// comes with the word before it.
fn split_top(s: &str) -> Vec<(&'static str, &str)> {
    let mut parts = Vec::new();
    let (mut depth, mut quote, mut start, mut joint) = (0i32, None, 0, "");
    let bytes = s.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let c = bytes[i];
        match quote {
            Some(q) if c == q => quote = None,
            Some(_) => {}
            None => match c {
                b'\'' | b'"' => quote = Some(c),
                b'(' | b'[' => depth += 1,
                b')' | b']' => depth -= 1,
                _ if depth == 0 => {
                    for (word, said) in [(" or ", " or "), (" and ", " and ")] {
                        if s[i..].starts_with(word) {
                            parts.push((joint, &s[start..i]));
                            joint = said;
                            start = i + word.len();
                            i = start - 1;
                            break;
                        }
                    }
                }
                _ => {}
            },
        }
        i += 1;
    }
    parts.push((joint, &s[start..]));
    parts
}

fn atom_words(atom: &str, catalog: &Catalog) -> String {
    let unquote = |s: &str| s.trim().trim_matches(['\'', '"']).to_string();
    let question = |path: &str| {
        path.trim()
            .strip_prefix("answers.")
            .and_then(|id| catalog.question(id))
            .map(|(_, _, q)| q)
    };
    let label = |q: &Question, v: &str| {
        q.option(v)
            .map_or_else(|| v.to_string(), |o| o.label.clone())
    };
    let list = |q: &Question, items: &str| {
        items
            .trim()
            .trim_start_matches('[')
            .trim_end_matches(']')
            .split(',')
            .map(|v| format!("\"{}\"", label(q, &unquote(v))))
            .collect::<Vec<_>>()
            .join(" or ")
    };
    if let Some((left, right)) = atom.split_once(" == ")
        && let Some(q) = question(left)
    {
        return format!(
            "the answer to \"{}\" is \"{}\"",
            q.text,
            label(q, &unquote(right))
        );
    }
    if let Some((left, right)) = atom.split_once(" in ") {
        if let Some(q) = question(left)
            && right.trim().starts_with('[')
        {
            return format!("the answer to \"{}\" is {}", q.text, list(q, right));
        }
        let inner = right.trim().trim_start_matches('(').trim_end_matches(')');
        let path = inner.split(" or ").next().unwrap_or(inner);
        if let Some(q) = question(path) {
            return format!(
                "the answer to \"{}\" includes \"{}\"",
                q.text,
                label(q, &unquote(left))
            );
        }
    }
    match atom {
        "integration.vendor_holds_keys" => "the vendor holds the exchange keys".into(),
        "integration.vendor_holds" => "the vendor holds keys or data".into(),
        "integration.self_hosted" => "the software runs on the customer's systems".into(),
        other => format!("`{other}` holds"),
    }
}

/// The workbook's bytes: the same manifest, checklists and options give
/// the same bytes.
pub fn write(
    m: &Manifest,
    catalog: &Catalog,
    policy: &Policy,
    opts: &Options,
) -> Result<Vec<u8>, crate::Error> {
    let as_of = opts.as_of.unwrap_or(m.assessment.date);
    let pages = plan(m, catalog, policy, as_of)?;
    build(m, catalog, &pages, as_of, opts).map_err(|e| crate::Error::Io {
        path: "<workbook>".into(),
        source: std::io::Error::other(e),
    })
}

/// Cell text as a spreadsheet holds it: at most 32,767 characters, text
/// that would start a formula marked as text.
fn put(
    ws: &mut Worksheet,
    row: u32,
    column: u16,
    text: &str,
    format: &Format,
) -> Result<(), XlsxError> {
    const MAX: usize = 32_767;
    let text: String = if text.chars().count() > MAX {
        let mut t: String = text.chars().take(MAX - 40).collect();
        t.push_str(" … (cut: the manifest has the rest)");
        t
    } else {
        text.to_string()
    };
    if super::needs_quote_prefix(&text) {
        ws.write_string_with_format(row, column, text, &format.clone().set_quote_prefix())?;
    } else {
        ws.write_string_with_format(row, column, text, format)?;
    }
    Ok(())
}

/// At most `max` characters (Excel's limits on validation messages).
fn fit(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    let mut t: String = text.chars().take(max - 1).collect();
    t.push('…');
    t
}

fn build(
    m: &Manifest,
    catalog: &Catalog,
    pages: &[Page<'_>],
    as_of: Date,
    opts: &Options,
) -> Result<Vec<u8>, XlsxError> {
    let mut book = Workbook::new();
    // A fixed creation time: the same inputs give the same bytes.
    let created = ExcelDateTime::parse_from_str(&as_of.to_string())?;
    book.set_properties(
        &DocProperties::new()
            .set_title(fit(
                &format!("Security questionnaire: {}", m.vendor.name),
                200,
            ))
            .set_author(fit(&m.assessment.assessor, 200))
            .set_creation_datetime(&created),
    );
    let plain = Format::new().set_text_wrap().set_align(FormatAlign::Top);
    let bold = plain.clone().set_bold();
    let title = bold.clone().set_font_size(14);
    let warn = bold.clone().set_font_color(Color::RGB(0x9C0006));
    let open = plain.clone().set_unlocked();
    let known = open.clone().set_background_color(Color::RGB(0xE2EFDA));
    let open_date = open.clone().set_num_format("yyyy-mm-dd");
    let known_date = known.clone().set_num_format("yyyy-mm-dd");

    instructions(
        book.add_worksheet(),
        m,
        pages,
        as_of,
        opts,
        &plain,
        &bold,
        &title,
        &warn,
    )?;

    let mut list_columns: Vec<(String, Vec<String>)> = Vec::new();
    for page in pages {
        let ws = book.add_worksheet();
        ws.set_name(&page.sheet)?;
        let headers = [
            "Question id",
            "Question",
            "Answer",
            "Evidence URL (https)",
            "Evidence date (YYYY-MM-DD)",
            "Comment",
            "Guidance",
            "Already known",
        ];
        for (c, h) in headers.iter().enumerate() {
            put(ws, 0, c as u16, h, &bold)?;
        }
        for (c, width) in [
            (1, 60.0),
            (2, 28.0),
            (3, 34.0),
            (4, 16.0),
            (5, 40.0),
            (6, 60.0),
            (7, 24.0),
        ] {
            ws.set_column_width(c, width)?;
        }
        ws.set_column_hidden(col::ID)?;
        ws.set_freeze_panes(1, 2)?;
        for (i, row) in page.rows.iter().enumerate() {
            let r = i as u32 + 1;
            let q = row.question;
            put(ws, r, col::ID, &q.id, &plain)?;
            let mut text = q.text.clone();
            if let Some(c) = &row.condition {
                text.push_str(&format!("\n({c}.)"));
            }
            put(ws, r, col::QUESTION, &text, &plain)?;
            put(ws, r, col::GUIDANCE, &guidance(q), &plain)?;
            let (fmt, date_fmt) = match row.known {
                Some(_) => (&known, &known_date),
                None => (&open, &open_date),
            };
            let answer = row.known.map(|a| super::shown(q, &a.value));
            let evidence = row.known.and_then(|a| a.evidence.first());
            put(ws, r, col::ANSWER, answer.as_deref().unwrap_or(""), fmt)?;
            put(
                ws,
                r,
                col::EVIDENCE_URL,
                evidence.map_or("", |e| e.url.as_str()),
                fmt,
            )?;
            match evidence {
                Some(e) => put(ws, r, col::EVIDENCE_DATE, &e.observed.to_string(), date_fmt)?,
                None => {
                    ws.write_blank(r, col::EVIDENCE_DATE, date_fmt)?;
                }
            }
            // A note is shown only where the vendor wrote it: the
            // reviewer's own notes stay with the reviewer.
            let from_vendor =
                |a: &&Answer| a.questionnaire.is_some() || a.source == Provenance::VendorClaim;
            put(
                ws,
                r,
                col::COMMENT,
                row.known
                    .filter(from_vendor)
                    .and_then(|a| a.note.as_deref())
                    .unwrap_or(""),
                fmt,
            )?;
            let marker = match row.known {
                Some(a) if a.questionnaire.is_some() => "yes: your earlier answer".to_string(),
                Some(a) => format!(
                    "yes: on record ({}); change it if it is wrong",
                    a.source.as_str()
                ),
                None => String::new(),
            };
            put(ws, r, col::KNOWN, &marker, &plain)?;
            let choices = super::choices(q);
            let validation = if choices.is_empty() || q.kind == QuestionType::Multi {
                DataValidation::new()
                    .allow_any_value()
                    .set_input_title(fit("Answer", 32))?
                    .set_input_message(fit(&hint(q), 255))?
            } else {
                let column = Cell::letters(list_columns.len() as u32);
                let formula = format!(
                    "={}!${column}$1:${column}${}",
                    super::LISTS_SHEET,
                    choices.len()
                );
                list_columns.push((q.id.clone(), choices.into_iter().map(|(w, _)| w).collect()));
                DataValidation::new()
                    .allow_list_formula(Formula::new(formula))
                    .set_input_title(fit("Answer", 32))?
                    .set_input_message(fit("Pick an answer from the list.", 255))?
                    .set_error_title(fit("Not one of the answers", 32))?
                    .set_error_message(fit(
                        "Pick one of the listed answers; explain in the Comment column.",
                        255,
                    ))?
                    .set_error_style(DataValidationErrorStyle::Stop)
            };
            ws.add_data_validation(r, col::ANSWER, r, col::ANSWER, &validation)?;
        }
        ws.protect();
    }

    let lists = book.add_worksheet();
    lists.set_name(super::LISTS_SHEET)?;
    for (c, (_, words)) in list_columns.iter().enumerate() {
        for (r, w) in words.iter().enumerate() {
            put(lists, r as u32, c as u16, w, &plain)?;
        }
    }
    lists.set_hidden(true);
    lists.protect();

    let id = book.add_worksheet();
    id.set_name(super::IDENTITY_SHEET)?;
    let mut entries: Vec<(String, String)> = vec![
        ("format".into(), super::FORMAT.into()),
        ("manifest".into(), super::fingerprint(m)),
        ("vendor".into(), m.vendor.name.clone()),
        ("exported".into(), as_of.to_string()),
    ];
    for v in super::checklist_versions(m, catalog) {
        entries.push(("checklist".into(), v));
    }
    for (r, (k, v)) in entries.iter().enumerate() {
        put(id, r as u32, 0, k, &plain)?;
        put(id, r as u32, 1, v, &plain)?;
    }
    id.set_very_hidden(true);
    id.protect();
    book.save_to_buffer()
}

/// What the guidance column says: the help, then the options.
fn guidance(q: &Question) -> String {
    let mut out = q.help.clone().unwrap_or_default();
    let words: Vec<String> = super::choices(q).into_iter().map(|(w, _)| w).collect();
    if !words.is_empty() || !out.is_empty() {
        out.push_str("\n\n");
    }
    out.push_str(&hint(q));
    if q.kind == QuestionType::Multi && !words.is_empty() {
        out.push_str(&format!(" Options: {}.", words.join("; ")));
    }
    out.trim().to_string()
}

/// How to write an answer to `q`.
pub fn hint(q: &Question) -> String {
    match q.kind {
        QuestionType::Choice | QuestionType::Bool => {
            "Pick an answer from the drop-down; `unknown` if you cannot tell, `not applicable` with the reason in Comment.".into()
        }
        QuestionType::Multi => "Write every option that applies, separated by `;` (see Guidance); `unknown`, or `not applicable` with the reason in Comment.".into(),
        QuestionType::Number => "A number; `unknown`, or `not applicable` with the reason in Comment.".into(),
        QuestionType::Date => "A date, YYYY-MM-DD; `unknown`, or `not applicable` with the reason in Comment.".into(),
        QuestionType::Text => "Free text. Never a password, key or token.".into(),
    }
}

#[allow(clippy::too_many_arguments)]
fn instructions(
    ws: &mut Worksheet,
    m: &Manifest,
    pages: &[Page<'_>],
    as_of: Date,
    opts: &Options,
    plain: &Format,
    bold: &Format,
    title: &Format,
    warn: &Format,
) -> Result<(), XlsxError> {
    ws.set_name(super::INSTRUCTIONS_SHEET)?;
    ws.set_column_width(0, 28.0)?;
    ws.set_column_width(1, 90.0)?;
    let asker = match &m.assessment.approver {
        Some(a) => format!("{} (approved by {a})", m.assessment.assessor),
        None => m.assessment.assessor.clone(),
    };
    let permissions: Vec<&str> = m
        .integration
        .permissions
        .iter()
        .map(|p| p.as_str())
        .collect();
    let deadline = opts.deadline.map_or_else(
        || "as agreed with the person above".to_string(),
        |d| d.to_string(),
    );
    let questions: usize = pages.iter().map(|p| p.rows.len()).sum();
    let sheets: Vec<String> = pages
        .iter()
        .map(|p| format!("{} ({})", p.sheet, p.rows.len()))
        .collect();
    put(
        ws,
        0,
        0,
        &format!("Security questionnaire for {}", m.vendor.name),
        title,
    )?;
    let lines: Vec<(&str, String, &Format)> = vec![
        ("Asked by", asker, plain),
        ("Why", format!(
            "Before granting access for: {}. Permissions requested: {}.",
            m.integration.purpose,
            if permissions.is_empty() { "none".into() } else { permissions.join(", ") }
        ), plain),
        ("Please return by", deadline, bold),
        ("Sent on", as_of.to_string(), plain),
        ("Questions", format!("{questions}, on the sheets {}", sheets.join(", ")), plain),
        ("How to answer", "On each sheet, fill the Answer column (C): pick from the drop-down where there is one. Add an https link to evidence (a policy, a report, a documentation page) and its date where you have one, and use Comment for anything the answer leaves out. A question marked \"Answer only if ...\" needs an answer only when its condition holds. Answers shaded green are what we already have on record: correct them if they are wrong. Leave the other columns, the hidden ones and the sheet names as they are: the answers are matched to the questions by them.".into(), plain),
        ("How answers are used", "Your answers are imported into our vendor assessment as your claims, with this file's name and the date we received it. Evidence you link raises the weight of an answer. Where an answer differs from what we observed or were told, we will ask you about it. The assessment decides whether, and on what conditions, the integration may be granted access.".into(), plain),
        ("Never enter secrets", "Never enter a password, API key or secret, private key, token, recovery phrase or any other credential anywhere in this workbook, not even as an example. A workbook holding one is refused on import, and the credential must then be considered exposed and rotated.".into(), warn),
        ("Workbook", format!("Made by vetted for {}; reference {}.", m.vendor.name, super::fingerprint(m)), plain),
    ];
    for (i, (k, v, f)) in lines.iter().enumerate() {
        let r = i as u32 + 2;
        put(ws, r, 0, k, bold)?;
        put(ws, r, 1, v, f)?;
    }
    ws.set_active(true);
    ws.protect();
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn catalog() -> Catalog {
        crate::load_catalog(None).unwrap()
    }

    #[test]
    fn conditions_read_as_sentences() {
        let c = catalog();
        let said = condition_words(
            "answers.open_source.source_available in ['full', 'partial']",
            &c,
        );
        assert!(
            said.starts_with("Answer only if the answer to \""),
            "{said}"
        );
        assert!(said.contains("\" or \""), "{said}");
        assert!(!said.contains("answers."), "{said}");
        let said = condition_words(
            "'soc2-type-2' in (answers.compliance.attestation or []) or 'soc2-type-1' in (answers.compliance.attestation or [])",
            &c,
        );
        assert_eq!(said.matches(" includes ").count(), 2, "{said}");
        assert_eq!(said.matches(" or ").count(), 1, "{said}");
        let said = condition_words(
            "answers.keys.ip_binding == 'static-egress-ips' and integration.vendor_holds_keys",
            &c,
        );
        assert!(
            said.ends_with(" and the vendor holds the exchange keys"),
            "{said}"
        );
        let said = condition_words("incidents | length > 0", &c);
        assert_eq!(said, "Answer only if `incidents | length > 0` holds");
    }
}
