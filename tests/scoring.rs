//! Scoring arithmetic against hand-computed cases, on the fixture checklist
//! `tests/fixtures/arith.yaml` (weights: critical 10, high 7.5, medium 5,
//! low 2.5; area alpha weight 1, beta weight 3).

use vetted::checklist::Catalog;
use vetted::date::Date;
use vetted::diag::Code;
use vetted::evaluate::{Assessment, Status, evaluate};
use vetted::level::Level;
use vetted::rules::{Policy, Verdict};

const AS_OF: &str = "2026-11-27";

/// The arithmetic fixture (`tests/fixtures/arith.yaml`) beside the bundled
/// checklists, loaded the way `--checklists tests/fixtures` loads it.
fn catalog() -> Catalog {
    vetted::load_catalog(Some(std::path::Path::new("tests/fixtures")))
        .unwrap_or_else(|e| panic!("{e:?}"))
}

fn manifest(answers: &str, extra: &str) -> String {
    format!(
        "vendor: {{name: V}}\nintegration: {{purpose: p, checklists: [arith], permissions: [read]}}\n\
         assessment: {{assessor: A, date: 2026-11-20}}\nanswers:\n{answers}{extra}"
    )
}

fn run(text: &str) -> Assessment {
    let catalog = catalog();
    let loaded = vetted::manifest::load("m.yaml", text.as_bytes().to_vec(), &catalog)
        .unwrap_or_else(|d| panic!("{d:#?}"));
    evaluate(
        &loaded.manifest,
        &catalog,
        &Policy::default_policy(),
        AS_OF.parse::<Date>().unwrap(),
    )
    .unwrap()
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 1e-9
}

fn q<'a>(a: &'a Assessment, id: &str) -> &'a vetted::evaluate::QuestionResult {
    a.questions.iter().find(|r| r.id == id).unwrap()
}

const EV_CURRENT: &str = "    evidence: [{url: https://v.example/doc, observed: 2026-11-01}]\n";
const EV_STALE: &str = "    evidence: [{url: https://v.example/old, observed: 2025-10-01}]\n";

#[test]
fn weights_credits_and_trace() {
    // alpha: crit good+current (10 x 1.0), med true without evidence
    // (recommended: 5 x 0.8), low bad (2.5 x 0) -> 14 / 17.5 = 80.
    // beta: high good but stale (7.5 x 0.75), date 100 days old (2.5 x 1)
    // -> 8.125 / 10 = 81.25. Overall (1 x 80 + 3 x 81.25) / 4 = 80.9375.
    let a = run(&manifest(
        &format!(
            "  alpha.crit:\n    value: good\n{EV_CURRENT}  alpha.med:\n    value: true\n  alpha.low:\n    value: bad\n\
             \x20 beta.high:\n    value: good\n{EV_STALE}  beta.date:\n    value: 2026-08-19\n"
        ),
        "",
    ));
    assert!(close(a.areas[0].score.unwrap(), 80.0), "{:?}", a.areas[0]);
    assert!(close(a.areas[1].score.unwrap(), 81.25), "{:?}", a.areas[1]);
    assert!(close(a.score, 80.9375), "{}", a.score);
    assert_eq!(a.tier, Level::Low);
    // Confidence: alpha 10 of 17.5 backed; beta 2.5 of 10 (stale is not
    // current; the date needs no evidence) -> (57.142857 + 3 x 25) / 4.
    assert!(
        close(a.confidence, (100.0 * 10.0 / 17.5 + 75.0) / 4.0),
        "{}",
        a.confidence
    );
    // Points lost, exactly 100 - score in total.
    assert!(close(
        q(&a, "alpha.low").points_lost_answer,
        25.0 * 2.5 / 17.5
    ));
    assert!(close(
        q(&a, "alpha.med").points_lost_evidence,
        25.0 * 5.0 / 17.5 * 0.2
    ));
    assert!(close(
        q(&a, "beta.high").points_lost_evidence,
        75.0 * 0.75 * 0.25
    ));
    let lost: f64 = a
        .questions
        .iter()
        .map(|r| r.points_lost_answer + r.points_lost_evidence)
        .sum();
    assert!(close(lost, 100.0 - a.score));
    // Inherent risk low (read only) and tier low: approve.
    assert_eq!(a.inherent_risk, Level::Low);
    assert_eq!(a.verdict, Verdict::Approve);
}

#[test]
fn not_applicable_unknown_unanswered_and_min_tier() {
    // alpha.crit half (current) makes alpha.low not applicable, though
    // answered; alpha.med unknown is left out of the score (not knowing is
    // not knowing something bad) and lowers confidence: alpha = 5 / 10.
    // beta all good -> 100. Overall (50 + 300) / 4 = 87.5: tier low by
    // score, raised to high by the crit-half rule.
    let a = run(&manifest(
        &format!(
            "  alpha.crit:\n    value: half\n{EV_CURRENT}  alpha.med:\n    value: unknown\n  alpha.low:\n    value: good\n\
             \x20 beta.high:\n    value: good\n{EV_CURRENT}  beta.date:\n    value: 2026-08-19\n"
        ),
        "",
    ));
    assert_eq!(q(&a, "alpha.low").status, Status::NotApplicable);
    // beta.chain reads alpha.low, which is answered `good` but no longer
    // applies: the chain vanishes too.
    assert_eq!(q(&a, "beta.chain").status, Status::NotApplicable);
    assert_eq!(q(&a, "alpha.med").status, Status::Unknown);
    assert!(close(a.score, (50.0 + 300.0) / 4.0), "{}", a.score);
    // Confidence: alpha knows 10 of 15, beta all: (66.67 + 300) / 4.
    assert!(
        close(a.confidence, (200.0 / 3.0 + 300.0) / 4.0),
        "{}",
        a.confidence
    );
    assert_eq!(a.score_tier, Level::Low);
    assert_eq!(a.tier, Level::High);
    // Read-only inherent risk low with tier high: conditions.
    assert_eq!(a.verdict, Verdict::Conditions);
    // Unanswered counts the same as unknown.
    let b = run(&manifest(
        &format!(
            "  alpha.crit:\n    value: half\n{EV_CURRENT}  beta.high:\n    value: good\n{EV_CURRENT}  beta.date:\n    value: 2026-08-19\n"
        ),
        "",
    ));
    assert_eq!(q(&b, "alpha.med").status, Status::Unanswered);
    assert!(close(a.score, b.score));
}

#[test]
fn follow_ups_appear_and_vanish_with_earlier_answers() {
    let a = run(&manifest(
        "  alpha.crit:\n    value: bad\n  alpha.low:\n    value: good\n",
        "",
    ));
    assert_eq!(q(&a, "alpha.low").status, Status::NotApplicable);
    assert_eq!(q(&a, "beta.chain").status, Status::NotApplicable);
    assert!(close(q(&a, "alpha.low").points_lost_answer, 0.0));
    let b = run(&manifest(
        "  alpha.crit:\n    value: good\n  alpha.low:\n    value: good\n",
        "",
    ));
    assert_eq!(q(&b, "alpha.low").status, Status::Answered);
    assert_eq!(q(&b, "beta.chain").status, Status::Unanswered);
}

#[test]
fn waivers_neutralise_until_they_expire() {
    let answers = format!(
        "  alpha.crit:\n    value: good\n{EV_CURRENT}  alpha.med:\n    value: false\n  alpha.low:\n    value: good\n{EV_CURRENT}\
         \x20 beta.high:\n    value: good\n{EV_CURRENT}  beta.date:\n    value: 2026-08-19\n"
    );
    let without = run(&manifest(&answers, ""));
    // alpha = (10 + 0 + 2.5) / 17.5
    assert!(close(without.areas[0].score.unwrap(), 100.0 * 12.5 / 17.5));
    assert!(without.findings.iter().any(|f| f.id == "med-false"));

    let active = "waivers:\n  - {question: alpha.med, reason: r, approved-by: CISO, expires: 2027-01-01}\n  \
                  - {rule: med-false, reason: r, approved-by: CISO, expires: 2027-01-01}\n";
    let waived = run(&manifest(&answers, active));
    assert_eq!(q(&waived, "alpha.med").status, Status::Waived);
    assert!(close(waived.areas[0].score.unwrap(), 100.0));
    let gate = waived.gates.iter().find(|g| g.rule == "med-false").unwrap();
    assert!(gate.waived);
    assert!(!waived.findings.iter().any(|f| f.id == "med-false"));

    let expired = active.replace("2027-01-01", "2026-11-01");
    let lapsed = run(&manifest(&answers, &expired));
    assert_eq!(q(&lapsed, "alpha.med").status, Status::Answered);
    assert!(close(lapsed.score, without.score));
    assert!(lapsed.waivers.iter().all(|w| !w.active));
}

#[test]
fn a_reject_rule_rejects_whatever_the_score_and_cannot_be_waived() {
    let answers = format!(
        "  alpha.crit:\n    value: good\n{EV_CURRENT}  alpha.med:\n    value: true\n{EV_CURRENT}  alpha.low:\n    value: good\n{EV_CURRENT}\
         \x20 beta.high:\n    value: bad\n{EV_CURRENT}  beta.date:\n    value: 2026-08-19\n"
    );
    let a = run(&manifest(&answers, ""));
    assert_eq!(a.verdict, Verdict::Reject);
    assert!(a.verdict_reason.contains("beta-bad"));
    assert!(a.conditions.is_empty());

    let waiver =
        "waivers:\n  - {rule: beta-bad, reason: r, approved-by: CISO, expires: 2027-01-01}\n";
    let diags = vetted::manifest::load(
        "m.yaml",
        manifest(&answers, waiver).into_bytes(),
        &catalog(),
    )
    .unwrap_err();
    assert_eq!(diags[0].code, Code::WaiverOnReject);
    assert_eq!(diags[0].line, 20);
}

#[test]
fn date_bands_score_by_age() {
    let age = |date: &str| {
        let a = run(&manifest(&format!("  beta.date:\n    value: {date}\n"), ""));
        q(&a, "beta.date").answer_score.unwrap()
    };
    assert_eq!(age("2025-11-27"), 1.0); // 365 days: inclusive
    assert_eq!(age("2025-11-26"), 0.5); // 366 days
    assert_eq!(age("2024-11-27"), 0.5); // 730 days
    assert_eq!(age("2024-11-26"), 0.0);
}

#[test]
fn evaluation_is_deterministic() {
    let text = manifest(&format!("  alpha.crit:\n    value: half\n{EV_CURRENT}"), "");
    let catalog = catalog();
    let policy = Policy::default_policy();
    let render = || {
        let (report, _) = vetted::assess(
            "m.yaml",
            text.clone().into_bytes(),
            &catalog,
            &policy,
            AS_OF.parse().unwrap(),
        )
        .unwrap();
        report.to_json()
    };
    assert_eq!(render(), render());
}

#[test]
fn a_waived_question_counts_as_satisfied_and_leaves_confidence() {
    // alpha.med false (bad) with current evidence; everything else good.
    let answers = format!(
        "  alpha.crit:\n    value: good\n{EV_CURRENT}  alpha.med:\n    value: false\n{EV_CURRENT}  alpha.low:\n    value: good\n{EV_CURRENT}\
         \x20 beta.high:\n    value: good\n{EV_CURRENT}  beta.date:\n    value: 2026-08-19\n  beta.chain:\n    value: true\n{EV_CURRENT}"
    );
    let plain = run(&manifest(&answers, ""));
    assert!(close(plain.areas[0].score.unwrap(), 100.0 * 12.5 / 17.5));
    let waiver =
        "waivers:\n  - {question: alpha.med, reason: r, approved-by: CISO, expires: 2027-01-01}\n";
    let waived = run(&manifest(&answers, waiver));
    // Satisfied: alpha is (10 + 5 + 2.5) / 17.5 = 100; the waived weight
    // leaves the confidence denominator, so confidence stays 100.
    assert!(close(waived.areas[0].score.unwrap(), 100.0));
    assert!(close(waived.areas[0].confidence.unwrap(), 100.0));
    assert!(close(q(&waived, "alpha.med").points_lost_answer, 0.0));
    assert!(waived.score > plain.score);
}

/// A well-formed manifest that moves funds, stated in `currency`.
fn funds_manifest(amount: u32, currency: &str) -> String {
    format!(
        "vendor: {{name: V}}\nintegration:\n  purpose: p\n  checklists: [arith]\n  permissions: [read, trade]\n  funds-at-risk: {{amount: {amount}, currency: {currency}}}\n\
         assessment: {{assessor: A, date: 2026-11-20}}\nanswers: {{}}\n"
    )
}

#[test]
fn funds_in_another_currency_are_converted_by_the_policy_rate() {
    let catalog = catalog();
    let as_of = AS_OF.parse::<Date>().unwrap();
    let policy = Policy::default_policy();
    // 9,000 EUR is over 10,000 USD at the default policy's 1.15: high, as
    // 9,000 USD would not be.
    let (_, eur) = vetted::evaluate_file(
        "m.yaml",
        funds_manifest(9000, "EUR").into_bytes(),
        &catalog,
        &policy,
        as_of,
    )
    .unwrap_or_else(|d| panic!("{d:#?}"));
    let (_, usd) = vetted::evaluate_file(
        "m.yaml",
        funds_manifest(9000, "USD").into_bytes(),
        &catalog,
        &policy,
        as_of,
    )
    .unwrap_or_else(|d| panic!("{d:#?}"));
    assert_eq!(eur.inherent_risk, Level::High);
    assert!(
        eur.inherent_reasons
            .iter()
            .any(|r| r == "funds at risk 9000 EUR (about 10350 USD): high"),
        "{:?}",
        eur.inherent_reasons
    );
    assert!(
        usd.inherent_reasons
            .iter()
            .any(|r| r == "funds at risk 9000 USD: medium")
    );
}

#[test]
fn funds_in_a_currency_the_policy_cannot_convert_are_refused_with_a_position() {
    let catalog = catalog();
    let as_of = AS_OF.parse::<Date>().unwrap();
    let d = vetted::evaluate_file(
        "m.yaml",
        funds_manifest(5, "BTC").into_bytes(),
        &catalog,
        &Policy::default_policy(),
        as_of,
    )
    .unwrap_err();
    assert_eq!(d.len(), 1);
    assert_eq!(d[0].code, Code::UnknownCurrency);
    assert_eq!((d[0].line, d[0].col), (6, 40));
    assert!(d[0].message.contains("`BTC`"), "{}", d[0].message);
    // Without the positioned check, evaluation assumes the worst band
    // rather than a unit it does not know.
    let loaded =
        vetted::manifest::load("m.yaml", funds_manifest(5, "BTC").into_bytes(), &catalog).unwrap();
    let a = evaluate(&loaded.manifest, &catalog, &Policy::default_policy(), as_of).unwrap();
    assert_eq!(a.inherent_risk, Level::Critical);
}
