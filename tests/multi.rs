//! compare, portfolio and diff: hand-made cases and snapshots over the
//! bundled examples.

use assert_cmd::Command;
use vetted::checklist::Catalog;
use vetted::compare::{Candidate, compare};
use vetted::rules::{Policy, Verdict};

const AS_OF: &str = "2026-11-27";

/// The arithmetic fixture (`tests/fixtures/arith.yaml`) beside the bundled
/// checklists, loaded the way `--checklists tests/fixtures` loads it.
fn arith() -> Catalog {
    vetted::load_catalog(Some(std::path::Path::new("tests/fixtures")))
        .unwrap_or_else(|e| panic!("{e:?}"))
}

fn manifest(name: &str, answers: &str) -> String {
    format!(
        "vendor: {{name: {name}}}\nintegration: {{purpose: p, checklists: [arith], permissions: [read]}}\n\
         assessment: {{assessor: A, date: 2026-11-20}}\nanswers:\n{answers}"
    )
}

const EV: &str = "    evidence: [{url: https://v.example/doc, observed: 2026-11-01}]\n";

fn evaluated(
    catalog: &Catalog,
    name: &str,
    answers: &str,
) -> (vetted::manifest::Manifest, vetted::evaluate::Assessment) {
    vetted::evaluate_file(
        name,
        manifest(name, answers).into_bytes(),
        catalog,
        &Policy::default_policy(),
        AS_OF.parse().unwrap(),
    )
    .unwrap_or_else(|d| panic!("{d:#?}"))
}

/// A: alpha 100, beta 60 -> (100 + 3 x 60) / 4 = 70.
/// B: alpha 0, beta 87.5 -> (0 + 3 x 87.5) / 4 = 65.6.
/// C: like A but worse in both areas.
fn candidates(
    catalog: &Catalog,
) -> Vec<(
    String,
    vetted::manifest::Manifest,
    vetted::evaluate::Assessment,
)> {
    let a = format!(
        "  alpha.crit:\n    value: good\n{EV}  alpha.med:\n    value: true\n{EV}  alpha.low:\n    value: good\n{EV}\
         \x20 beta.high:\n    value: good\n{EV}  beta.date:\n    value: 2020-01-01\n  beta.chain:\n    value: false\n{EV}"
    );
    let b = format!(
        "  alpha.crit:\n    value: bad\n{EV}  alpha.med:\n    value: false\n{EV}\
         \x20 beta.high:\n    value: good\n{EV}  beta.date:\n    value: 2025-07-15\n"
    );
    let c = format!(
        "  alpha.crit:\n    value: good\n{EV}  alpha.med:\n    value: false\n{EV}  alpha.low:\n    value: good\n{EV}\
         \x20 beta.high:\n    value: bad\n{EV}  beta.date:\n    value: 2020-01-01\n  beta.chain:\n    value: false\n{EV}"
    );
    [("A", a), ("B", b), ("C", c)]
        .into_iter()
        .map(|(n, ans)| {
            let (m, x) = evaluated(catalog, n, &ans);
            (n.to_string(), m, x)
        })
        .collect()
}

#[test]
fn hand_made_comparison_dominance_and_sensitivity() {
    let catalog = arith();
    let all = candidates(&catalog);
    let pick = |names: &[&str]| -> Vec<Candidate<'_>> {
        all.iter()
            .filter(|(n, _, _)| names.contains(&n.as_str()))
            .map(|(n, m, a)| Candidate {
                file: n.clone(),
                manifest: m,
                assessment: a,
            })
            .collect()
    };
    let cmp = compare(&pick(&["A", "B"]), &Policy::default_policy());
    assert_eq!(cmp.columns[0].vendor, "A");
    assert_eq!(cmp.columns[0].score, 70.0);
    assert_eq!(cmp.columns[1].score, 65.6);
    // A is better in alpha, B in beta: neither dominates.
    assert!(cmp.dominance.is_empty(), "{:?}", cmp.dominance);
    // Doubling beta: A (100 + 6 x 60) / 7 = 65.7, B (6 x 87.5) / 7 = 75:
    // the leader changes; equal weights or alpha doubled keep A ahead.
    let beta = cmp
        .sensitivity
        .iter()
        .find(|w| w.name == "Beta weighted double")
        .unwrap();
    assert!(beta.leader_changes);
    assert_eq!(beta.ranking, ["B", "A"]);
    assert!(
        !cmp.sensitivity
            .iter()
            .find(|w| w.name == "equal area weights")
            .unwrap()
            .leader_changes
    );
    assert!(
        !cmp.sensitivity
            .iter()
            .find(|w| w.name == "Alpha weighted double")
            .unwrap()
            .leader_changes
    );
    assert!(!cmp.leader_stable);
    // The most decisive question: alpha.crit (good vs bad).
    assert_eq!(cmp.decisive[0].question, "alpha.crit");

    let cmp = compare(&pick(&["A", "C"]), &Policy::default_policy());
    assert_eq!(cmp.dominance.len(), 1);
    assert_eq!(
        (
            cmp.dominance[0].better.as_str(),
            cmp.dominance[0].worse.as_str()
        ),
        ("A", "C")
    );
    assert!(cmp.dominance[0].strict);
    assert!(cmp.leader_stable);
}

#[test]
fn identical_candidates_tie_and_rank_by_name() {
    let catalog = arith();
    let answers = format!("  alpha.crit:\n    value: good\n{EV}");
    let (m1, a1) = evaluated(&catalog, "Zed", &answers);
    let (m2, a2) = evaluated(&catalog, "Abe", &answers);
    let c = [
        Candidate {
            file: "z".into(),
            manifest: &m1,
            assessment: &a1,
        },
        Candidate {
            file: "a".into(),
            manifest: &m2,
            assessment: &a2,
        },
    ];
    let cmp = compare(&c, &Policy::default_policy());
    assert_eq!(cmp.columns[0].vendor, "Abe");
    assert_eq!(cmp.dominance.len(), 1);
    assert!(!cmp.dominance[0].strict);
    assert!(cmp.decisive.is_empty());
    assert!(cmp.areas.iter().all(|a| a.best == [0, 1]));
}

#[test]
fn different_checklists_compare_only_shared_questions() {
    let catalog = vetted::load_catalog(None).unwrap();
    let policy = Policy::default_policy();
    let load = |f: &str| {
        let path = format!("examples/{f}");
        vetted::evaluate_file(
            &path,
            std::fs::read(&path).unwrap(),
            &catalog,
            &policy,
            AS_OF.parse().unwrap(),
        )
        .unwrap()
    };
    let (m1, a1) = load("crm-webhook.yaml");
    let (m2, a2) = load("well-run-saas-bot.yaml");
    let c = [
        Candidate {
            file: "crm".into(),
            manifest: &m1,
            assessment: &a1,
        },
        Candidate {
            file: "bot".into(),
            manifest: &m2,
            assessment: &a2,
        },
    ];
    let cmp = compare(&c, &policy);
    let baseline = catalog
        .get("baseline")
        .unwrap()
        .checklist
        .areas
        .iter()
        .map(|a| a.questions.len())
        .sum::<usize>();
    assert_eq!(cmp.shared_questions, baseline);
    assert!(
        cmp.left_out
            .iter()
            .any(|l| l.question == "keys.withdrawal" && l.missing_for == ["Pinecrest CRM"])
    );
}

fn run(args: &[&str]) -> (Option<i32>, String) {
    // `portfolio` keeps a cache under the user's cache directory.
    let cache = tempfile::tempdir().unwrap();
    let out = Command::cargo_bin("vetted")
        .unwrap()
        .args(args)
        .env("XDG_CACHE_HOME", cache.path())
        .output()
        .unwrap();
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

#[test]
fn compare_portfolio_and_diff_reports_match_snapshots() {
    let (code, md) = run(&[
        "compare",
        "examples/well-run-saas-bot.yaml",
        "examples/self-hosted-oss-bot.yaml",
        "examples/denied-leak-bot.yaml",
        "--as-of",
        AS_OF,
    ]);
    assert_eq!(code, Some(0));
    assert!(md.contains("```mermaid\nxychart-beta"), "{md}");
    insta::assert_snapshot!("compare.md", md);
    let (code, md) = run(&["portfolio", "examples", "--as-of", AS_OF]);
    assert_eq!(code, Some(0));
    insta::assert_snapshot!("portfolio.md", md);
    let (code, json) = run(&[
        "portfolio",
        "examples",
        "--as-of",
        AS_OF,
        "--format",
        "json",
    ]);
    assert_eq!(code, Some(0));
    insta::assert_snapshot!("portfolio.json", json);
    let (code, md) = run(&[
        "diff",
        "examples/new-vendor-little-evidence.yaml",
        "examples/well-run-saas-bot.yaml",
        "--as-of",
        AS_OF,
    ]);
    assert_eq!(code, Some(0));
    insta::assert_snapshot!("diff.md", md);
}

#[test]
fn portfolio_lists_invalid_manifests_and_fails_on_overdue() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("nested")).unwrap();
    std::fs::copy(
        "examples/well-run-saas-bot.yaml",
        dir.path().join("nested/bot.yaml"),
    )
    .unwrap();
    std::fs::copy(
        "tests/bad-input/misspelled-question.yaml",
        dir.path().join("broken.yaml"),
    )
    .unwrap();
    let d = dir.path().to_str().unwrap();
    let (code, json) = run(&[
        "portfolio",
        d,
        "--as-of",
        AS_OF,
        "--format",
        "json",
        "--fail-on",
        "overdue",
    ]);
    assert_eq!(code, Some(0));
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(v["entries"].as_array().unwrap().len(), 1);
    assert_eq!(
        v["invalid"][0]["diagnostics"][0]["code"],
        "unknown-question"
    );
    // Two years later the review and the key rotations are overdue.
    let (code, json) = run(&[
        "portfolio",
        d,
        "--as-of",
        "2028-11-27",
        "--format",
        "json",
        "--fail-on",
        "overdue",
    ]);
    assert_eq!(code, Some(1));
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    let kinds: Vec<&str> = v["actions"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["overdue"] == true)
        .map(|a| a["kind"].as_str().unwrap())
        .collect();
    assert!(
        kinds.contains(&"review") && kinds.contains(&"rotate-key"),
        "{kinds:?}"
    );
    assert!(
        v["actions"]
            .as_array()
            .unwrap()
            .iter()
            .any(|a| a["kind"] == "stale-evidence")
    );
}

#[test]
fn diff_fails_on_worse_only_when_worse() {
    let better = [
        "diff",
        "examples/new-vendor-little-evidence.yaml",
        "examples/well-run-saas-bot.yaml",
        "--as-of",
        AS_OF,
        "--fail-on",
        "worse",
    ];
    assert_eq!(run(&better).0, Some(0));
    let worse = [
        "diff",
        "examples/well-run-saas-bot.yaml",
        "examples/new-vendor-little-evidence.yaml",
        "--as-of",
        AS_OF,
        "--fail-on",
        "worse",
        "--format",
        "json",
    ];
    let (code, json) = run(&worse);
    assert_eq!(code, Some(1));
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(v["worse"], true);
    assert!(
        v["answers"]
            .as_array()
            .unwrap()
            .iter()
            .any(|a| a["points"].as_f64().unwrap() < 0.0)
    );
}

/// A candidate better in every area can still rank second (on verdict or
/// tier, which carry gates and inherent risk); the report says so rather
/// than leave the ranking and the dominance looking contradictory.
#[test]
fn a_dominating_candidate_ranked_lower_is_explained() {
    let (code, md) = run(&[
        "compare",
        "examples/well-run-saas-bot.yaml",
        "examples/read-only-tracker.yaml",
        "--as-of",
        AS_OF,
    ]);
    assert_eq!(code, Some(0));
    let ranking = md.find("| 1 | Ledgerlight |").expect("Ledgerlight leads");
    assert!(md[ranking..].contains("| 2 | Tidewater Quant |"), "{md}");
    assert!(
        md.contains(
            "- Tidewater Quant is at least as good as Ledgerlight in every area, and better in at least one, yet ranks below it: the ranking puts verdict and residual tier first"
        ),
        "{md}"
    );
}

/// Findings added and resolved come with their severity, title and
/// remediation, most severe first.
#[test]
fn diff_lists_findings_most_severe_first() {
    let catalog = arith();
    let all = candidates(&catalog);
    let (a, c) = (&all[0], &all[2]);
    let worse = vetted::diff::diff((&a.1, &a.2), (&c.1, &c.2));
    let added: Vec<(&str, String)> = worse
        .findings_added
        .iter()
        .map(|f| (f.id.as_str(), f.severity.to_string()))
        .collect();
    // The fixture's rules fire too (`beta-bad`, `med-false`).
    assert_eq!(
        added,
        [
            ("beta-bad", "critical".to_string()),
            ("beta.high", "high".to_string()),
            ("alpha.med", "medium".to_string()),
            ("med-false", "medium".to_string())
        ]
    );
    assert!(worse.findings_resolved.is_empty());
    assert!(worse.findings_added[1].title.contains("High choice"));
    let better = vetted::diff::diff((&c.1, &c.2), (&a.1, &a.2));
    assert_eq!(
        better
            .findings_resolved
            .iter()
            .map(|f| f.id.as_str())
            .collect::<Vec<_>>(),
        ["beta-bad", "beta.high", "alpha.med", "med-false"]
    );
    assert!(better.findings_added.is_empty());
}

/// A new contradiction on a question that already had a finding is a new
/// finding: findings are keyed by kind and id, not by id alone.
#[test]
fn diff_reports_a_new_contradiction_on_a_question_with_a_finding() {
    let catalog = arith();
    let all = candidates(&catalog);
    let c = &all[2];
    let existing =
        c.2.findings
            .iter()
            .find(|f| f.kind == vetted::evaluate::FindingKind::Question)
            .expect("the fixture has a question finding")
            .clone();
    let mut newer = c.2.clone();
    newer.findings.push(vetted::evaluate::Finding {
        kind: vetted::evaluate::FindingKind::Contradiction,
        title: format!(
            "Collected evidence contradicts the answer to {}",
            existing.id
        ),
        ..existing.clone()
    });
    let d = vetted::diff::diff((&c.1, &c.2), (&c.1, &newer));
    assert_eq!(d.findings_added.len(), 1, "{:?}", d.findings_added);
    assert_eq!(d.findings_added[0].id, existing.id);
    assert_eq!(
        d.findings_added[0].kind,
        vetted::evaluate::FindingKind::Contradiction
    );
}

/// A candidate whose rules limit approval to conditions (an open incident,
/// a key to revoke) keeps that limit in a comparison, whatever its score
/// on the shared questions: the ranking never shows it as approved.
#[test]
fn a_comparison_keeps_each_candidates_conditions() {
    let catalog = vetted::load_catalog(None).unwrap();
    let policy = Policy::default_policy();
    let load = |path: &str| {
        vetted::evaluate_file(
            path,
            std::fs::read(path).unwrap(),
            &catalog,
            &policy,
            AS_OF.parse().unwrap(),
        )
        .unwrap()
    };
    let limited = [
        "tests/calibration/tracker-recent-leak-handled-well.yaml",
        "tests/calibration/tax-tool-own-key-ticked-withdraw.yaml",
    ];
    let other = load("tests/calibration/tax-tool-incident-now-history.yaml");
    for path in limited {
        let (m, a) = load(path);
        assert!(
            a.gates
                .iter()
                .any(|g| g.acts() && g.effect == vetted::evaluate::GateEffect::Conditions),
            "{path} has no conditions gate"
        );
        let c = [
            Candidate {
                file: path.into(),
                manifest: &m,
                assessment: &a,
            },
            Candidate {
                file: "other".into(),
                manifest: &other.0,
                assessment: &other.1,
            },
        ];
        let cmp = compare(&c, &policy);
        let column = cmp.columns.iter().find(|c| c.file == path).unwrap();
        assert_ne!(column.verdict, Verdict::Approve, "{path}");
    }
}

/// The portfolio says why an approved vendor's key is revoked: what the
/// key holds, not that the vendor is not approved.
#[test]
fn a_key_revoked_under_an_approval_says_what_it_holds() {
    let catalog = vetted::load_catalog(None).unwrap();
    let policy = Policy::default_policy();
    let path = "tests/calibration/tax-tool-own-key-ticked-withdraw.yaml";
    let as_of = AS_OF.parse().unwrap();
    let (m, a) =
        vetted::evaluate_file(path, std::fs::read(path).unwrap(), &catalog, &policy, as_of)
            .unwrap();
    assert!(a.verdict.grants(), "{:?}", a.verdict);
    let item = vetted::portfolio::summarise(path, &m, &a, &policy, as_of);
    let revoke: Vec<&str> = item
        .actions
        .iter()
        .filter(|x| x.kind == vetted::portfolio::ActionKind::RevokeKey)
        .map(|x| x.detail.as_str())
        .collect();
    assert_eq!(revoke.len(), 1, "{revoke:?}");
    assert!(
        revoke[0].ends_with("it holds withdraw, which the policy never grants"),
        "{}",
        revoke[0]
    );
}
