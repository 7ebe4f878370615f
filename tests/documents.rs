//! Documents that expire (issue 20): recorded reports, letters,
//! certificates and agreements are read against the answers that credit
//! them. Each case starts from the bundled SOC 2 example, whose answers
//! agree with its documents, and changes one thing.

use vetted::evaluate::documents::DocumentState;
use vetted::evaluate::findings::{Finding, FindingKind};
use vetted::level::Level;
use vetted::rules::Policy;

const EXAMPLE_FILE: &str = include_str!("../examples/well-run-saas-bot.yaml");

/// The example without its own documents, which each case writes.
fn example() -> &'static str {
    let at = EXAMPLE_FILE
        .find("\ndocuments:\n")
        .expect("the example records documents");
    &EXAMPLE_FILE[..at]
}

/// Documents that agree with the example's answers as of its assessment.
const AGREEING: &str = "documents:
  - {kind: soc2-type-2, url: https://trust.tidewater.example/soc2, period-start: 2025-10-01, period-end: 2026-09-30}
  - {kind: iso27001, url: https://trust.tidewater.example/iso, issued: 2025-03-31, expires: 2028-03-31}
  - {kind: dpa, url: https://tidewater.example/legal/dpa, issued: 2026-01-10}
";

fn document_findings(text: &str, as_of: &str) -> Vec<Finding> {
    let catalog = vetted::load_catalog(None).unwrap();
    let policy = Policy::default_policy();
    let (_, assessment) = vetted::evaluate_file(
        "m.yaml",
        text.as_bytes().to_vec(),
        &catalog,
        &policy,
        as_of.parse().unwrap(),
    )
    .unwrap_or_else(|d| panic!("{d:?}"));
    assessment
        .findings
        .into_iter()
        .filter(|f| f.kind == FindingKind::Document)
        .collect()
}

fn with(documents: &str) -> String {
    format!("{}\n{documents}", example())
}

/// The example with one answer's value replaced.
fn answering(text: &str, question: &str, from: &str, to: &str) -> String {
    let at = text.find(&format!("  {question}:\n")).expect(question);
    let value = at + text[at..].find(&format!("value: {from}")).expect(from);
    format!(
        "{}value: {to}{}",
        &text[..value],
        &text[value + 7 + from.len()..]
    )
}

#[test]
fn documents_that_agree_with_the_answers_raise_nothing() {
    let found = document_findings(&with(AGREEING), "2026-11-28");
    assert!(found.is_empty(), "{found:#?}");
}

#[test]
fn the_example_s_own_documents_agree_with_its_answers() {
    let found = document_findings(EXAMPLE_FILE, "2026-11-28");
    assert!(found.is_empty(), "{found:#?}");
}

#[test]
fn a_bridge_letter_called_unnecessary_for_a_period_over_a_year_old_is_flagged() {
    // Thirteen months after the period: the example still says not-needed.
    let found = document_findings(&with(AGREEING), "2027-11-01");
    let bridge: Vec<_> = found
        .iter()
        .filter(|f| f.id == "compliance.bridge_letter")
        .collect();
    assert_eq!(bridge.len(), 1, "{found:#?}");
    assert!(
        bridge[0].detail.contains("2026-09-30"),
        "{}",
        bridge[0].detail
    );
    assert_eq!(bridge[0].severity, Level::Medium);
    // And the attestation credits a report that no longer counts, with no
    // bridge letter to carry it.
    assert!(
        found
            .iter()
            .any(|f| f.id == "compliance.attestation" && f.detail.contains("SOC 2 Type II")),
        "{found:#?}"
    );
    // A current bridge letter carries the report, but the answer still
    // says none was needed.
    // (Reassessed in October 2027, when the letter was written.)
    let bridged = with(&format!(
        "{AGREEING}  - {{kind: bridge-letter, url: https://trust.tidewater.example/bridge, issued: 2027-10-15, expires: 2027-12-31}}\n"
    ))
    .replace("  date: 2026-11-20\n", "  date: 2027-10-20\n");
    let found = document_findings(&bridged, "2027-11-01");
    assert!(
        !found.iter().any(|f| f.id == "compliance.attestation"),
        "{found:#?}"
    );
    assert!(found.iter().any(|f| f.id == "compliance.bridge_letter"));
}

#[test]
fn a_bridge_letter_answered_provided_that_has_run_out_is_flagged() {
    let text = answering(
        &with(&format!(
            "{AGREEING}  - {{kind: bridge-letter, url: https://trust.tidewater.example/bridge, issued: 2026-10-15, expires: 2026-11-15}}\n"
        )),
        "compliance.bridge_letter",
        "not-needed",
        "provided",
    );
    let found = document_findings(&text, "2026-11-28");
    assert_eq!(found.len(), 1, "{found:#?}");
    assert_eq!(found[0].id, "compliance.bridge_letter");
    assert!(found[0].detail.contains("2026-11-15"));
}

#[test]
fn an_answer_newer_than_the_recorded_report_matters_an_older_one_is_out_of_date() {
    let older_report = AGREEING.replace(
        "period-start: 2025-10-01, period-end: 2026-09-30",
        "period-start: 2024-10-01, period-end: 2025-09-30",
    );
    let found = document_findings(&with(&older_report), "2026-11-28");
    let period: Vec<_> = found
        .iter()
        .filter(|f| f.id == "compliance.soc2_period_end")
        .collect();
    assert_eq!(period.len(), 1, "{found:#?}");
    assert_eq!(
        period[0].severity,
        Level::High,
        "the claim is better than the report"
    );
    // The other way round the answer is merely behind the documents.
    let behind = answering(
        &with(AGREEING),
        "compliance.soc2_period_end",
        "2026-09-30",
        "2025-09-30",
    );
    let found = document_findings(&behind, "2026-11-28");
    let period: Vec<_> = found
        .iter()
        .filter(|f| f.id == "compliance.soc2_period_end")
        .collect();
    assert_eq!(period.len(), 1, "{found:#?}");
    assert_eq!(period[0].severity, Level::Low);
}

#[test]
fn an_expired_certificate_or_agreement_still_credited_is_flagged() {
    let lapsed = AGREEING
        .replace(
            "issued: 2025-03-31, expires: 2028-03-31",
            "issued: 2023-03-31, expires: 2026-03-31",
        )
        .replace(
            "issued: 2026-01-10}",
            "issued: 2025-01-10, expires: 2026-01-10}",
        );
    let found = document_findings(&with(&lapsed), "2026-11-28");
    let ids: Vec<&str> = found.iter().map(|f| f.id.as_str()).collect();
    assert_eq!(
        ids,
        ["compliance.attestation", "compliance.dpa"],
        "{found:#?}"
    );
    assert!(found[0].detail.contains("ISO/IEC 27001"));
    assert!(found[0].detail.contains("2026-03-31"));
    assert!(found[1].detail.contains("2026-01-10"));
}

#[test]
fn type_i_reports_do_not_back_a_type_ii_claim() {
    let type1 = AGREEING.replace(
        "{kind: soc2-type-2, url: https://trust.tidewater.example/soc2, period-start: 2025-10-01, period-end: 2026-09-30}",
        "{kind: soc2-type-1, url: https://trust.tidewater.example/soc2, period-end: 2026-09-30}",
    );
    let found = document_findings(&with(&type1), "2026-11-28");
    assert_eq!(found.len(), 1, "{found:#?}");
    assert!(found[0].detail.contains("Type I only"));
    assert_eq!(found[0].severity, Level::High);
}

#[test]
fn a_penetration_test_claimed_after_the_latest_letter_is_flagged() {
    let text = example();
    let at = text.find("  operations.last_pentest:\n").unwrap();
    let line = &text[at..][..text[at..].find("    source").unwrap()];
    let claimed = line.trim().rsplit(' ').next().unwrap().to_string();
    let claimed: vetted::date::Date = claimed.parse().unwrap();
    // A letter dated weeks after the test agrees; one dated before the
    // claimed test does not back it.
    let agreeing = format!(
        "documents:\n  - {{kind: pentest-letter, url: https://trust.tidewater.example/pentest, issued: {}}}\n",
        claimed.plus_days(20)
    );
    let found = document_findings(&with(&agreeing), "2026-11-28");
    assert!(found.is_empty(), "{found:#?}");
    let older = format!(
        "documents:\n  - {{kind: pentest-letter, url: https://trust.tidewater.example/pentest, issued: {}}}\n",
        claimed.plus_days(-200)
    );
    let found = document_findings(&with(&older), "2026-11-28");
    assert_eq!(found.len(), 1, "{found:#?}");
    assert_eq!(found[0].id, "operations.last_pentest");
    assert_eq!(found[0].severity, Level::High);
}

#[test]
fn documents_are_written_back_as_they_were_read() {
    let catalog = vetted::load_catalog(None).unwrap();
    let text = with(&format!(
        "{AGREEING}  - {{kind: soc2-type-1, url: https://v.example/t1, issued: 2026-10-20, period-end: 2026-09-30, expires: 2027-06-30, title: Type I, note: scoped}}\n  - {{kind: pentest-letter, url: https://v.example/pt, issued: 2026-05-01}}\n"
    ));
    let loaded = vetted::manifest::load("m.yaml", text.into_bytes(), &catalog).unwrap();
    let written = serde_json::to_value(&loaded.manifest.documents).unwrap();
    let expected = serde_json::json!([
        {"kind": "soc2-type-2", "url": "https://trust.tidewater.example/soc2", "period-start": "2025-10-01", "period-end": "2026-09-30"},
        {"kind": "iso27001", "url": "https://trust.tidewater.example/iso", "issued": "2025-03-31", "expires": "2028-03-31"},
        {"kind": "dpa", "url": "https://tidewater.example/legal/dpa", "issued": "2026-01-10"},
        {"kind": "soc2-type-1", "url": "https://v.example/t1", "title": "Type I", "issued": "2026-10-20", "period-end": "2026-09-30", "expires": "2027-06-30", "note": "scoped"},
        {"kind": "pentest-letter", "url": "https://v.example/pt", "issued": "2026-05-01"},
    ]);
    assert_eq!(written, expected);
    // The type I report's stated expiry replaces the twelve-month default.
    assert_eq!(
        loaded.manifest.documents[3].valid_until(),
        Some("2027-06-30".parse().unwrap())
    );
}

#[test]
fn a_document_missing_the_date_its_kind_needs_says_why() {
    let catalog = vetted::load_catalog(None).unwrap();
    let text = with(
        "documents:\n  - {kind: soc2-type-2, url: https://v.example/soc2}\n  - {kind: insurance, url: https://v.example/ins, period-end: 2026-01-01}\n",
    );
    let errors = match vetted::manifest::load("m.yaml", text.into_bytes(), &catalog) {
        Err(d) => d,
        Ok(_) => panic!("loaded"),
    };
    let shown: Vec<String> = errors
        .iter()
        .map(|d| format!("{} {}", d.message, d.help.clone().unwrap_or_default()))
        .collect();
    assert_eq!(shown.len(), 3, "{shown:#?}");
    assert!(shown[0].contains("`period-end`") && shown[0].contains("auditor tested"));
    assert!(
        shown
            .iter()
            .any(|s| s.contains("missing the required field `expires`"))
    );
    assert!(
        shown.iter().any(
            |s| s.contains("`period-end` does not belong") && s.contains("only a SOC 2 report")
        ),
        "{shown:#?}"
    );
}

#[test]
fn a_bridge_letter_does_not_carry_a_report_years_old() {
    // A report whose period ended in 2022 and a fresh letter: the letter
    // bridges a gap of a quarter, not of years.
    let old = AGREEING.replace(
        "period-start: 2025-10-01, period-end: 2026-09-30",
        "period-start: 2021-10-01, period-end: 2022-09-30",
    );
    let text = answering(
        &with(&format!(
            "{old}  - {{kind: bridge-letter, url: https://trust.tidewater.example/bridge, issued: 2026-11-01, expires: 2027-01-31}}\n"
        )),
        "compliance.soc2_period_end",
        "2026-09-30",
        "2022-09-30",
    );
    let found = document_findings(&text, "2026-11-28");
    assert!(
        found
            .iter()
            .any(|f| f.id == "compliance.attestation" && f.detail.contains("SOC 2 Type II")),
        "{found:#?}"
    );
}

#[test]
fn dates_a_report_or_letter_cannot_have_are_refused() {
    let catalog = vetted::load_catalog(None).unwrap();
    for (document, field) in [
        // Relied on for longer than twelve months after its period.
        (
            "{kind: soc2-type-2, url: https://v.example/s, period-end: 2025-09-30, expires: 2027-01-31}",
            "expires",
        ),
        // Issued before the period it reports on was over.
        (
            "{kind: soc2-type-2, url: https://v.example/s, period-end: 2026-09-30, issued: 2026-08-01}",
            "issued",
        ),
        // A bridge letter speaking for half a year ahead.
        (
            "{kind: bridge-letter, url: https://v.example/b, issued: 2026-11-01, expires: 2027-05-01}",
            "expires",
        ),
    ] {
        let text = with(&format!("documents:\n  - {document}\n"));
        let errors = match vetted::manifest::load("m.yaml", text.into_bytes(), &catalog) {
            Err(d) => d,
            Ok(_) => panic!("loaded {document}"),
        };
        assert_eq!(errors.len(), 1, "{errors:#?}");
        assert_eq!(errors[0].code, vetted::diag::Code::DocumentDates);
        let line = format!("  - {document}");
        let col = line.find(&format!("{field}:")).unwrap() + 1 + field.len() + 2;
        assert_eq!(errors[0].col as usize, col, "{document}: {:?}", errors[0]);
    }
}

#[test]
fn last_year_s_report_beside_this_year_s_is_history() {
    let catalog = vetted::load_catalog(None).unwrap();
    let text = with(&format!(
        "{AGREEING}  - {{kind: soc2-type-2, url: https://trust.tidewater.example/soc2-2025, period-start: 2024-10-01, period-end: 2025-09-30}}\n"
    ));
    let loaded = vetted::manifest::load("m.yaml", text.into_bytes(), &catalog).unwrap();
    let states: Vec<(String, DocumentState)> =
        vetted::evaluate::documents::statuses(&loaded.manifest, "2026-11-28".parse().unwrap())
            .into_iter()
            .map(|d| (d.url, d.state))
            .collect();
    assert!(states.contains(&(
        "https://trust.tidewater.example/soc2-2025".into(),
        DocumentState::Superseded
    )));
    assert!(states.contains(&(
        "https://trust.tidewater.example/soc2".into(),
        DocumentState::Current
    )));
}

#[test]
fn an_answer_resting_on_a_lapsed_document_has_stale_evidence() {
    use vetted::evaluate::EvidenceState;
    let assess = |text: &str| {
        vetted::evaluate_file(
            "m.yaml",
            text.as_bytes().to_vec(),
            &vetted::load_catalog(None).unwrap(),
            &Policy::default_policy(),
            "2026-11-28".parse().unwrap(),
        )
        .unwrap()
        .1
    };
    let evidence = |a: &vetted::evaluate::Assessment, id: &str| {
        a.questions.iter().find(|q| q.id == id).unwrap().evidence
    };
    let current = assess(&with(AGREEING));
    let lapsed = assess(&with(&AGREEING.replace(
        "issued: 2025-03-31, expires: 2028-03-31",
        "issued: 2023-03-31, expires: 2026-03-31",
    )));
    // The evidence was looked at a fortnight ago, but what it shows (a
    // certificate in force) no longer holds.
    assert_eq!(
        evidence(&current, "compliance.attestation"),
        EvidenceState::Current
    );
    assert_eq!(
        evidence(&lapsed, "compliance.attestation"),
        EvidenceState::Stale
    );
    assert!(lapsed.confidence < current.confidence);
    assert!(lapsed.score < current.score);
    // Nothing else moved.
    for (a, b) in current.questions.iter().zip(&lapsed.questions) {
        if a.id != "compliance.attestation" {
            assert_eq!(a.evidence, b.evidence, "{}", a.id);
        }
    }
}
