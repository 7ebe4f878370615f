//! Questionnaires end to end: export a manifest's workbook, fill it as a
//! vendor would (right and wrong), import it, and check every outcome; a
//! vendor's CAIQ read as proposals; `fill` and an import agreeing.

#[path = "support/workbook.rs"]
mod workbook;

use vetted::checklist::Catalog;
use vetted::date::Date;
use vetted::diag::{Code, Diagnostic};
use vetted::evaluate::FindingKind;
use vetted::manifest::{Answer, AnswerValue, Manifest, Provenance};
use vetted::questionnaire::{caiq, export, import};
use workbook::{Put, text};

const RECEIVED: &str = "2026-11-30";

fn day(s: &str) -> Date {
    s.parse().unwrap()
}

fn setup() -> (Catalog, vetted::rules::Policy) {
    (
        vetted::load_catalog(None).unwrap(),
        vetted::load_policy(None).unwrap(),
    )
}

/// The example of a new vendor, with these answers removed (gaps for the
/// vendor) and a reviewer's own observation on anomaly detection.
fn manifest(catalog: &Catalog, gaps: &[&str]) -> Manifest {
    let bytes = std::fs::read("examples/new-vendor-little-evidence.yaml").unwrap();
    let mut m = vetted::manifest::load("m.yaml", bytes, catalog)
        .unwrap()
        .manifest;
    for g in gaps {
        assert!(
            m.answers.remove(*g).is_some(),
            "{g} is answered in the example"
        );
    }
    m.answers.insert(
        "key_monitoring.anomaly_detection".into(),
        Answer::new(
            AnswerValue::Choice("auto-pause".into()),
            Provenance::Observed,
        ),
    );
    m
}

const GAPS: [&str; 7] = [
    "key_storage.encryption_at_rest",
    "operations.staff_mfa",
    "operations.rbac",
    "response.incident_plan",
    "operations.vault_usage",
    "key_monitoring.user_alerts",
    "operations.last_pentest",
];

fn exported(m: &Manifest, catalog: &Catalog, policy: &vetted::rules::Policy) -> Vec<u8> {
    let opts = export::Options {
        as_of: Some(day("2026-11-21")),
        deadline: Some(day("2026-12-15")),
    };
    export::write(m, catalog, policy, &opts).unwrap()
}

/// An edit of the answer row of `id`: column, value.
fn at(book: &[u8], id: &str, col: u16, put: Put) -> (String, u32, u16, Put) {
    let (sheet, row) = workbook::find(book, id);
    (sheet, row, col, put)
}

fn apply(book: &[u8], edits: &[(String, u32, u16, Put)]) -> Vec<u8> {
    let edits: Vec<(&str, u32, u16, Put)> = edits
        .iter()
        .map(|(s, r, c, p)| (s.as_str(), *r, *c, p.clone()))
        .collect();
    workbook::rewrite(book, &edits)
}

fn import_into(
    m: &mut Manifest,
    catalog: &Catalog,
    bytes: Vec<u8>,
) -> Result<import::Imported, Vec<Diagnostic>> {
    import::import(m, catalog, "back.xlsx", "back.xlsx", bytes, day(RECEIVED))
}

/// A fake GitHub token, built at run time so that no credential sits in
/// the source.
fn token() -> String {
    format!(
        "ghp_{}",
        "r8Q7p6O5n4M3l2K1j0I9h8G7f6E5d4C3b2A1"
            .chars()
            .rev()
            .collect::<String>()
    )
}

fn good_edits(book: &[u8]) -> Vec<(String, u32, u16, Put)> {
    use vetted::questionnaire::col;
    vec![
        // A gap answered by its label from the drop-down.
        at(
            book,
            "key_storage.encryption_at_rest",
            col::ANSWER,
            text("Per-secret encryption, master key in a KMS or HSM"),
        ),
        at(
            book,
            "key_storage.encryption_at_rest",
            col::EVIDENCE_URL,
            text("https://brightfin.example/security/keys"),
        ),
        at(
            book,
            "key_storage.encryption_at_rest",
            col::EVIDENCE_DATE,
            Put::Date(2026, 11, 1),
        ),
        at(
            book,
            "key_storage.encryption_at_rest",
            col::COMMENT,
            text("=AWS KMS, one data key per customer"),
        ),
        // A list of options, by label.
        at(
            book,
            "key_monitoring.user_alerts",
            col::ANSWER,
            text("Failed logins; Keys added, changed or removed"),
        ),
        // A date typed as a date.
        at(
            book,
            "operations.last_pentest",
            col::ANSWER,
            Put::Date(2026, 6, 1),
        ),
        // A person's observation the vendor disagrees with.
        at(
            book,
            "key_monitoring.anomaly_detection",
            col::ANSWER,
            text("Detects and alerts"),
        ),
        at(
            book,
            "response.incident_plan",
            col::ANSWER,
            text("Documented, not tested"),
        ),
        at(
            book,
            "operations.rbac",
            col::ANSWER,
            text("Roles exist, no regular review"),
        ),
        at(
            book,
            "operations.vault_usage",
            col::ANSWER,
            text("not applicable"),
        ),
        at(
            book,
            "operations.vault_usage",
            col::COMMENT,
            text("no secrets outside the key store"),
        ),
    ]
}

#[test]
fn a_returned_workbook_is_imported_and_every_bad_cell_named() {
    use vetted::questionnaire::col;
    let (catalog, policy) = setup();
    let m = manifest(&catalog, &GAPS);
    let book = exported(&m, &catalog, &policy);
    let secret = token();

    // The vendor's first attempt: good answers and five mistakes.
    let mut edits = good_edits(&book);
    edits.extend([
        at(&book, "operations.staff_mfa", col::ANSWER, text("maybe")),
        at(
            &book,
            "operations.rbac",
            col::COMMENT,
            text(&format!("admin token {secret}")),
        ),
        at(
            &book,
            "response.incident_plan",
            col::EVIDENCE_URL,
            text("http://brightfin.example/ir"),
        ),
        at(
            &book,
            "operations.patching",
            col::ID,
            text("operations.pathcing"),
        ),
        at(&book, "operations.vault_usage", col::COMMENT, Put::Blank),
    ]);
    let bad = apply(&book, &edits);
    let mut target = m.clone();
    let diags = import_into(&mut target, &catalog, bad).unwrap_err();
    let place = |id: &str, c: u16| {
        let (sheet, row) = workbook::find(&book, id);
        let cell = vetted::questionnaire::Cell {
            sheet,
            row,
            col: u32::from(c),
        };
        format!("back.xlsx:{cell}")
    };
    let found: Vec<(Code, String)> = diags.iter().map(|d| (d.code, d.file.clone())).collect();
    for expected in [
        (
            Code::InvalidAnswer,
            place("operations.staff_mfa", col::ANSWER),
        ),
        (
            Code::SecretInWorkbook,
            place("operations.rbac", col::COMMENT),
        ),
        (
            Code::InvalidUrl,
            place("response.incident_plan", col::EVIDENCE_URL),
        ),
        (
            Code::QuestionnaireUnknownId,
            place("operations.patching", col::ID),
        ),
        (
            Code::NotApplicableWithoutReason,
            place("operations.vault_usage", col::ANSWER),
        ),
    ] {
        assert!(found.contains(&expected), "{expected:?} not in {found:#?}");
    }
    assert_eq!(diags.len(), 5, "{diags:#?}");
    let printed: String = diags.iter().map(|d| d.to_string()).collect();
    assert!(
        !printed.contains(&secret),
        "the secret is never echoed: {printed}"
    );
    assert!(printed.contains("back.xlsx:Operations!F"), "{printed}");
    // Nothing was imported.
    assert_eq!(target.answers.len(), m.answers.len());

    // Fixed: only the good answers.
    let good = apply(&book, &good_edits(&book));
    let mut target = m.clone();
    let imported = import_into(&mut target, &catalog, good).unwrap();
    let outcome = |id: &str| {
        imported
            .changes
            .iter()
            .find(|c| c.question == id)
            .map(|c| c.outcome)
    };
    assert_eq!(
        outcome("key_storage.encryption_at_rest"),
        Some(import::Outcome::New)
    );
    assert_eq!(
        outcome("key_monitoring.anomaly_detection"),
        Some(import::Outcome::Contradiction)
    );
    assert_eq!(
        outcome("operations.vault_usage"),
        Some(import::Outcome::New)
    );
    // Pre-filled answers the vendor left alone change nothing.
    assert_eq!(imported.changes.len(), 7, "{:#?}", imported.changes);

    let enc = &target.answers["key_storage.encryption_at_rest"];
    assert_eq!(enc.value, AnswerValue::Choice("kms-hsm".into()));
    assert_eq!(enc.source, Provenance::VendorClaim);
    let q = enc.questionnaire.as_ref().unwrap();
    assert_eq!((q.file.as_str(), q.received), ("back.xlsx", day(RECEIVED)));
    assert_eq!(
        q.item,
        place("key_storage.encryption_at_rest", col::ANSWER).trim_start_matches("back.xlsx:")
    );
    assert_eq!(enc.evidence[0].observed, day("2026-11-01"));
    assert_eq!(
        enc.note.as_deref(),
        Some("=AWS KMS, one data key per customer")
    );
    assert_eq!(
        target.answers["key_monitoring.user_alerts"].value,
        AnswerValue::Multi(vec!["failed-logins".into(), "key-changes".into()])
    );
    assert_eq!(
        target.answers["operations.last_pentest"].value,
        AnswerValue::Date(day("2026-06-01"))
    );
    // The person's answer is kept; the vendor's is its claim.
    let kept = &target.answers["key_monitoring.anomaly_detection"];
    assert_eq!(kept.value, AnswerValue::Choice("auto-pause".into()));
    assert_eq!(kept.source, Provenance::Observed);
    assert_eq!(
        kept.claim.as_ref().unwrap().value,
        AnswerValue::Choice("alert-only".into())
    );
    assert_eq!(target.assessment.date, day(RECEIVED));

    // What is written loads again, and the report shows the contradiction.
    let written = vetted::manifest::write::render(&target).unwrap();
    let again = vetted::manifest::load("m.yaml", written.into_bytes(), &catalog)
        .unwrap_or_else(|d| panic!("{d:#?}"))
        .manifest;
    let a = vetted::evaluate::evaluate(&again, &catalog, &policy, day(RECEIVED)).unwrap();
    let contradiction = a
        .findings
        .iter()
        .find(|f| {
            f.kind == FindingKind::Contradiction && f.id == "key_monitoring.anomaly_detection"
        })
        .expect("a contradiction finding");
    assert!(
        contradiction.title.contains("questionnaire"),
        "{}",
        contradiction.title
    );
    assert!(
        contradiction.detail.contains("back.xlsx"),
        "{}",
        contradiction.detail
    );

    // Imported again, nothing changes; an answer now agreeing drops the claim.
    let mut twice = again.clone();
    let good = apply(&book, &good_edits(&book));
    assert!(
        import_into(&mut twice, &catalog, good)
            .unwrap()
            .changes
            .is_empty()
    );
    let mut agree = good_edits(&book);
    agree.push(at(
        &book,
        "key_monitoring.anomaly_detection",
        col::ANSWER,
        text("Detects and pauses automatically"),
    ));
    let imported = import_into(&mut twice, &catalog, apply(&book, &agree)).unwrap();
    assert_eq!(imported.changes.len(), 1);
    assert_eq!(imported.changes[0].outcome, import::Outcome::Agrees);
    assert!(
        twice.answers["key_monitoring.anomaly_detection"]
            .claim
            .is_none()
    );
}

#[test]
fn a_workbook_of_another_manifest_or_none_is_refused_and_an_older_checklist_warned() {
    let (catalog, policy) = setup();
    let m = manifest(&catalog, &GAPS);
    let book = exported(&m, &catalog, &policy);
    let mut other = m.clone();
    other.vendor.name = "Another Vendor".into();
    let diags = import_into(&mut other, &catalog, book.clone()).unwrap_err();
    assert_eq!(
        diags.iter().map(|d| d.code).collect::<Vec<_>>(),
        [Code::QuestionnaireOtherManifest]
    );
    assert!(
        diags[0].message.contains("Brightfin Labs"),
        "{}",
        diags[0].message
    );

    let caiq = workbook::caiq(&["Question ID", "Question", "CSP CAIQ Answer"], false, &[]);
    let diags = import_into(&mut m.clone(), &catalog, caiq).unwrap_err();
    assert_eq!(diags[0].code, Code::NotAQuestionnaire);
    assert!(diags[0].help.as_deref().unwrap().contains("--format caiq"));

    // The identity sheet says an older baseline: matched by id, warned.
    let (sheet, row) = (
        "vetted".to_string(),
        (0..20u32)
            .find(|&r| {
                workbook::cell(&book, "vetted", r, 1)
                    == calamine::Data::String("baseline@1.0.0".into())
            })
            .unwrap(),
    );
    let older = apply(&book, &[(sheet, row, 1, text("baseline@0.9.0"))]);
    let mut target = m.clone();
    let imported = import_into(&mut target, &catalog, older).unwrap();
    assert_eq!(imported.warnings.len(), 1);
    assert_eq!(
        imported.warnings[0].code,
        Code::QuestionnaireChecklistVersion
    );

    // A file that is not a workbook at all.
    let diags = import_into(&mut m.clone(), &catalog, b"not a zip".to_vec()).unwrap_err();
    assert_eq!(diags[0].code, Code::WorkbookUnreadable);
}

#[test]
fn the_workbook_holds_what_the_vendor_needs_and_is_the_same_every_time() {
    use vetted::questionnaire::col;
    let (catalog, policy) = setup();
    let mut m = manifest(&catalog, &GAPS);
    // A note of the vendor's that a spreadsheet would run as a formula.
    let formula = "=HYPERLINK(\"https://evil.example\",\"click\")";
    let vendor_said = m
        .answers
        .get_mut("key_monitoring.anomaly_detection")
        .unwrap();
    vendor_said.note = Some(formula.into());
    vendor_said.source = Provenance::VendorClaim;
    // The reviewer's own note on an answer they observed stays with them,
    // and an answer left unknown is asked again, not shown as known.
    let internal = "vendor evasive on the phone; chase by Friday";
    let observed = m
        .answers
        .iter_mut()
        .find(|(_, a)| a.source == Provenance::Observed && a.note.is_none())
        .map(|(id, a)| {
            a.note = Some(internal.into());
            id.clone()
        })
        .expect("an observed answer without a note");
    let unknown = "operations.rbac";
    m.answers.insert(
        unknown.into(),
        Answer::new(AnswerValue::Unknown, Provenance::VendorClaim),
    );
    let book = exported(&m, &catalog, &policy);
    assert_eq!(
        book,
        exported(&m, &catalog, &policy),
        "same inputs, same bytes"
    );

    let sheets = workbook::sheets(&book);
    let names: Vec<&str> = sheets.iter().map(|(n, _, _)| n.as_str()).collect();
    assert_eq!(names[0], "Instructions");
    assert!(
        names.contains(&"Keys") && names.contains(&"Key storage"),
        "{names:?}"
    );
    let visibility = |n: &str| sheets.iter().find(|(s, _, _)| s == n).unwrap().1;
    assert_eq!(visibility("vetted"), calamine::SheetVisible::VeryHidden);
    assert_eq!(visibility("lists"), calamine::SheetVisible::Hidden);
    let instructions: String = sheets[0]
        .2
        .rows()
        .flatten()
        .map(|d| format!("{d} "))
        .collect();
    for needle in [
        "J. Doe",
        "2026-12-15",
        "Never enter secrets",
        "OKX sub-account",
    ] {
        assert!(instructions.contains(needle), "{needle}: {instructions}");
    }
    let (sheet, row) = workbook::find(&book, &observed);
    assert_eq!(
        workbook::cell(&book, &sheet, row, u32::from(col::COMMENT)),
        calamine::Data::Empty,
        "{observed}: the reviewer's note reached the vendor"
    );
    let (sheet, row) = workbook::find(&book, unknown);
    for c in [col::ANSWER, col::KNOWN] {
        assert_eq!(
            workbook::cell(&book, &sheet, row, u32::from(c)),
            calamine::Data::Empty,
            "{unknown}: column {c}"
        );
    }
    // The formula-shaped note is a string cell, and no cell of the workbook
    // holds a formula.
    let (sheet, row) = workbook::find(&book, "key_monitoring.anomaly_detection");
    assert_eq!(
        workbook::cell(&book, &sheet, row, u32::from(col::COMMENT)),
        calamine::Data::String(formula.into())
    );
    let mut xlsx: calamine::Xlsx<_> =
        calamine::open_workbook_from_rs(std::io::Cursor::new(book.clone())).unwrap();
    use calamine::Reader;
    for name in names {
        let formulas = xlsx.worksheet_formula(name).unwrap();
        assert!(
            formulas.used_cells().all(|(_, _, f)| f.is_empty()),
            "a formula on {name}"
        );
    }
    // A follow-up that depends on an answer is there, with its condition.
    let (sheet, row) = workbook::find(&book, "open_source.release_signing");
    let question = workbook::cell(&book, &sheet, row, u32::from(col::QUESTION)).to_string();
    assert!(
        question.contains("Answer only if the answer to"),
        "{question}"
    );
    // Gaps are open, known answers marked.
    let (sheet, row) = workbook::find(&book, "operations.rbac");
    assert_eq!(
        workbook::cell(&book, &sheet, row, u32::from(col::KNOWN)),
        calamine::Data::Empty
    );
    let (sheet, row) = workbook::find(&book, "key_monitoring.anomaly_detection");
    assert!(
        workbook::cell(&book, &sheet, row, u32::from(col::KNOWN))
            .to_string()
            .starts_with("yes")
    );
    assert_eq!(
        workbook::cell(&book, &sheet, row, u32::from(col::ANSWER)).to_string(),
        "Detects and pauses automatically"
    );
}

#[test]
fn fill_and_an_import_of_the_same_answers_give_the_same_assessment() {
    use vetted::questionnaire::col;
    let (catalog, policy) = setup();
    let gaps = [
        "key_storage.encryption_at_rest",
        "operations.rbac",
        "key_monitoring.user_alerts",
        "operations.last_pentest",
        "response.incident_plan",
    ];
    let m = manifest(&catalog, &gaps);
    let as_of = day(RECEIVED);

    let book = exported(&m, &catalog, &policy);
    let edits = vec![
        at(
            &book,
            gaps[0],
            col::ANSWER,
            text("Per-secret encryption, master key in a KMS or HSM"),
        ),
        at(
            &book,
            gaps[1],
            col::ANSWER,
            text("Roles exist, no regular review"),
        ),
        at(
            &book,
            gaps[2],
            col::ANSWER,
            text("Failed logins; Keys added, changed or removed"),
        ),
        at(&book, gaps[3], col::ANSWER, text("2026-06-01")),
        at(&book, gaps[4], col::ANSWER, text("Documented, not tested")),
    ];
    let mut imported = m.clone();
    import_into(&mut imported, &catalog, apply(&book, &edits)).unwrap();

    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("m.yaml");
    std::fs::write(&path, vetted::manifest::write::render(&m).unwrap()).unwrap();
    let mut prompter = vetted::fill::Scripted::new(serde_json::json!({
        "answer:key_storage.encryption_at_rest": "kms-hsm",
        "answer:operations.rbac": "basic",
        "answer:key_monitoring.user_alerts": ["failed-logins", "key-changes"],
        "answer:operations.last_pentest": "2026-06-01",
        "answer:response.incident_plan": "documented",
    }));
    let opts = vetted::fill::Options {
        path: &path,
        checklists: vec![],
        revisit: false,
        as_of,
    };
    vetted::fill::run(&mut prompter, &catalog, &policy, &opts).unwrap();
    let filled = vetted::manifest::load("m.yaml", std::fs::read(&path).unwrap(), &catalog)
        .unwrap()
        .manifest;
    for id in gaps {
        assert!(
            filled.answers[id].value.same(&imported.answers[id].value),
            "{id}"
        );
    }
    let a = vetted::evaluate::evaluate(&filled, &catalog, &policy, as_of).unwrap();
    let b = vetted::evaluate::evaluate(&imported, &catalog, &policy, as_of).unwrap();
    assert_eq!(
        (a.score, a.confidence, a.tier, a.verdict),
        (b.score, b.confidence, b.tier, b.verdict)
    );
    let results = |x: &vetted::evaluate::Assessment| {
        x.questions
            .iter()
            .map(|r| (r.id.clone(), r.status, r.answer_score, r.credit))
            .collect::<Vec<_>>()
    };
    assert_eq!(results(&a), results(&b));
    let keys = |x: &vetted::evaluate::Assessment| {
        x.findings
            .iter()
            .map(|f| (f.kind, f.id.clone()))
            .collect::<Vec<_>>()
    };
    assert_eq!(keys(&a), keys(&b));
    // And it is not the same as before either answer.
    let before = vetted::evaluate::evaluate(&m, &catalog, &policy, as_of).unwrap();
    assert_ne!(results(&before), results(&a));
}

#[test]
fn a_caiq_proposes_answers_through_the_checklists_ccm_references() {
    let (catalog, _) = setup();
    let mut m = manifest(&catalog, &GAPS);
    // A person's answer the CAIQ will disagree with.
    m.answers.insert(
        "response.breach_notification".into(),
        Answer::new(
            AnswerValue::Choice("contractual-72h".into()),
            Provenance::Document,
        ),
    );
    let v402 = [
        "Question ID",
        "Question",
        "CSP CAIQ Answer",
        "SSRM Control Ownership",
        "CSP Implementation Description (Optional/Recommended)",
        "CSC Responsibilities  (Optional/Recommended)",
    ];
    let rows = [
        ("CEK-03.1", "Yes", "AES-256 at rest through the cloud KMS"),
        ("LOG-05.1", "Yes", ""),
        ("LOG-05.2", "No", "Reviewed weekly by hand"),
        ("SEF-03.1", "NA", "no customer data"),
        ("SEF-07.1", "No", ""),
        ("TVM-06.1", "Yes", "yearly"),
        ("IAM-14.1", "", ""),
    ];
    for (headers, title) in [
        (&v402[..], true),
        (
            &[
                "Question ID",
                "Question",
                "CSP CAIQ Answer",
                "SSRM Control Ownership",
                "CSP Implementation Description",
            ][..],
            false,
        ),
    ] {
        let bytes = workbook::caiq(headers, title, &rows);
        let read =
            caiq::read(&m, &catalog, "caiq.xlsx", "caiq.xlsx", bytes, day(RECEIVED)).unwrap();
        assert_eq!(read.rows, rows.len());
        let proposed = |id: &str| {
            read.proposals
                .iter()
                .find(|p| p.question == id)
                .unwrap_or_else(|| panic!("{id}: {:#?}", read.proposals))
        };
        // Yes to CEK-03 claims encryption, not how: the least it says.
        assert_eq!(
            proposed("key_storage.encryption_at_rest").answer.as_deref(),
            Some("Disk or database-level encryption only")
        );
        // One No among a control's questions makes it No.
        assert_eq!(
            proposed("key_monitoring.anomaly_detection")
                .answer
                .as_deref(),
            Some("No detection")
        );
        assert_eq!(
            proposed("response.incident_plan").answer.as_deref(),
            Some("not applicable")
        );
        // A cited control without a map proposes nothing, and says why.
        let pentest = proposed("operations.last_pentest");
        assert!(
            pentest.answer.is_none() && pentest.reason.as_deref().unwrap().contains("does not say")
        );
        assert!(
            proposed("operations.staff_mfa")
                .reason
                .as_deref()
                .unwrap()
                .contains("blank")
        );
        let enc = read
            .claims
            .iter()
            .find(|c| c.question == "key_storage.encryption_at_rest")
            .unwrap();
        assert_eq!(enc.answer.source, Provenance::VendorClaim);
        assert_eq!(
            enc.answer.questionnaire.as_ref().unwrap().item,
            "CAIQ CEK-03.1"
        );
        assert!(
            enc.answer
                .note
                .as_deref()
                .unwrap()
                .contains("AES-256 at rest")
        );
    }
    let bytes = workbook::caiq(&v402, true, &rows);
    let read = caiq::read(&m, &catalog, "caiq.xlsx", "caiq.xlsx", bytes, day(RECEIVED)).unwrap();
    let mut target = m.clone();
    let merged = import::merge(&mut target, &catalog, read.claims, day(RECEIVED));
    // Never over a person's answer: the observation and the document stay.
    assert_eq!(
        target.answers["key_monitoring.anomaly_detection"].value,
        AnswerValue::Choice("auto-pause".into())
    );
    assert_eq!(
        target.answers["response.breach_notification"].value,
        AnswerValue::Choice("contractual-72h".into())
    );
    assert_eq!(
        target.answers["response.breach_notification"]
            .claim
            .as_ref()
            .unwrap()
            .value,
        AnswerValue::Choice("none".into())
    );
    assert!(merged.changes.iter().any(
        |c| c.question == "key_storage.encryption_at_rest" && c.outcome == import::Outcome::New
    ));
    let text = vetted::manifest::write::render(&target).unwrap();
    vetted::manifest::load("m.yaml", text.into_bytes(), &catalog)
        .unwrap_or_else(|d| panic!("{d:#?}"));

    // A workbook without the header, or with a key in it.
    let none = workbook::caiq(&["ID", "Q", "Answer"], true, &[]);
    let diags = caiq::read(&m, &catalog, "x.xlsx", "x.xlsx", none, day(RECEIVED)).unwrap_err();
    assert_eq!(diags[0].code, Code::CaiqNoHeader);
    let leaked = workbook::caiq(
        &v402,
        true,
        &[("CEK-03.1", "Yes", &format!("we use {}", token()))],
    );
    let diags = caiq::read(&m, &catalog, "x.xlsx", "x.xlsx", leaked, day(RECEIVED)).unwrap_err();
    assert_eq!(diags[0].code, Code::SecretInWorkbook);
    assert!(diags[0].file.ends_with("!E3"), "{}", diags[0].file);
}

/// The ids `plan` would ask about.
fn planned(m: &Manifest, catalog: &Catalog, policy: &vetted::rules::Policy) -> Vec<String> {
    export::plan(m, catalog, policy, day("2026-11-30"))
        .unwrap()
        .iter()
        .flat_map(|p| &p.rows)
        .map(|r| r.question.id.clone())
        .collect()
}

#[test]
fn a_follow_up_the_integration_rules_out_is_not_asked_in_advance() {
    let (catalog, policy) = setup();
    let load = |path: &str| {
        let mut m = vetted::manifest::load("m.yaml", std::fs::read(path).unwrap(), &catalog)
            .unwrap()
            .manifest;
        // Open, so that whether its follow-up is asked rests on the rest
        // of the condition.
        m.answers.remove("keys.ip_binding");
        m.answers.remove("keys.egress_ips_published");
        m
    };
    let follow_up = "keys.egress_ips_published".to_string();
    // The vendor holds the keys: once it says it binds them to its egress
    // addresses, whether it publishes them counts.
    let hosted = planned(
        &load("examples/new-vendor-little-evidence.yaml"),
        &catalog,
        &policy,
    );
    assert!(
        hosted.contains(&"keys.ip_binding".to_string()),
        "{hosted:?}"
    );
    assert!(hosted.contains(&follow_up), "{hosted:?}");
    // Self-hosted: the key is bound to the customer's own server, and the
    // vendor's addresses never count, whatever it answers.
    let mut own = load("examples/self-hosted-oss-bot.yaml");
    // Follow-ups of an answer alone are still asked in advance.
    own.answers.remove("open_source.source_available");
    own.answers.remove("open_source.release_signing");
    let own = planned(&own, &catalog, &policy);
    assert!(own.contains(&"keys.ip_binding".to_string()), "{own:?}");
    assert!(!own.contains(&follow_up), "{own:?}");
    assert!(
        own.contains(&"open_source.release_signing".to_string()),
        "{own:?}"
    );
}
