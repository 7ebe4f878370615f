//! The calibration set: archetype manifests under `tests/calibration/`,
//! each with the verdict, tiers and deciding basis a reviewer wrote down
//! before the tool was run (`NAME.expect.yaml`, reasoning and sources in
//! it; the table is in `docs/calibration.md`). Every case must pass for the
//! stated reason: the test checks the basis and the rules that fired, not
//! only the verdict word.

use std::path::{Path, PathBuf};

use serde::Deserialize;
use vetted::evaluate::{Condition, KeyAction};
use vetted::level::Level;
use vetted::manifest::KeyState;
use vetted::rules::{Policy, Verdict};

const AS_OF: &str = "2026-11-25";

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct Expect {
    verdict: Verdict,
    tiers: Vec<Level>,
    basis: String,
    #[serde(default)]
    rules: Vec<String>,
    #[serde(default)]
    not_rules: Vec<String>,
    reasoning: String,
    #[serde(default)]
    sources: Vec<String>,
}

fn cases() -> Vec<(String, PathBuf, Expect)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/calibration");
    let mut out = Vec::new();
    for entry in std::fs::read_dir(&dir).expect("tests/calibration exists") {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let Some(case) = name.strip_suffix(".expect.yaml") else {
            continue;
        };
        let text = std::fs::read_to_string(&path).unwrap();
        let expect: Expect =
            serde_saphyr::from_str(&text).unwrap_or_else(|e| panic!("{name} does not parse: {e}"));
        out.push((case.to_string(), dir.join(format!("{case}.yaml")), expect));
    }
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out
}

#[test]
fn every_calibration_case_gets_the_reviewers_verdict_for_the_stated_reason() {
    let catalog = vetted::load_catalog(None).unwrap();
    let policy = Policy::default_policy();
    let as_of = AS_OF.parse().unwrap();
    let cases = cases();
    assert!(cases.len() >= 20, "the set has {} cases", cases.len());
    let mut failures = Vec::new();
    for (name, path, expect) in &cases {
        assert!(
            !expect.reasoning.trim().is_empty() && !expect.sources.is_empty(),
            "{name}: a case needs its reasoning and sources"
        );
        let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{name}: {e}"));
        let (_, a) =
            vetted::evaluate_file(&path.display().to_string(), bytes, &catalog, &policy, as_of)
                .unwrap_or_else(|d| panic!("{name} does not load: {d:#?}"));
        let fired: Vec<&str> = a
            .gates
            .iter()
            .filter(|g| g.acts())
            .map(|g| g.rule.as_str())
            .collect();
        let mut problems = Vec::new();
        if a.verdict != expect.verdict {
            problems.push(format!(
                "verdict {:?}, expected {:?}",
                a.verdict, expect.verdict
            ));
        }
        // A rule that rejects sets the residual tier to critical by
        // definition; the tiers a reviewer expects are then those of the
        // answers alone.
        let tier = if a.rejected_by_rule {
            if a.tier != Level::Critical {
                problems.push(format!("rejected by a rule at tier {}", a.tier));
            }
            a.score_tier.max(a.gate_tier.unwrap_or(Level::Low))
        } else {
            a.tier
        };
        if !expect.tiers.contains(&tier) {
            problems.push(format!("tier {tier}, expected one of {:?}", expect.tiers));
        }
        if a.basis.name() != expect.basis {
            problems.push(format!(
                "basis {}, expected {}",
                a.basis.name(),
                expect.basis
            ));
        }
        for r in &expect.rules {
            if !fired.contains(&r.as_str()) {
                problems.push(format!("rule {r} did not fire (fired: {fired:?})"));
            }
        }
        for r in &expect.not_rules {
            if fired.contains(&r.as_str()) {
                problems.push(format!("rule {r} fired and must not"));
            }
        }
        // Whatever the case, a verdict that does not grant grants nothing
        // and every live key must be revoked.
        if !a.verdict.grants() {
            if !a.key_policy.grant.is_empty() {
                problems.push("a verdict that grants nothing lists permissions to grant".into());
            }
            for k in &a.key_policy.keys {
                let expected = match k.status {
                    KeyState::Live => KeyAction::RevokeNow,
                    KeyState::Proposed => KeyAction::DoNotCreate,
                    KeyState::Revoked => KeyAction::None,
                };
                if k.action != expected {
                    problems.push(format!("key {} gets {:?}", k.label, k.action));
                }
            }
        }
        // A rule whose terms are listed is not listed again as a finding
        // to remediate: one line per thing to do.
        let terms: Vec<&str> = a
            .conditions
            .iter()
            .filter_map(|c| match c {
                Condition::RuleTerms { rule, .. } => Some(rule.as_str()),
                _ => None,
            })
            .collect();
        for c in &a.conditions {
            if let Condition::Remediate { id, .. } = c
                && terms.contains(&id.as_str())
            {
                problems.push(format!("{id} is listed twice among the conditions"));
            }
        }
        // Whatever the verdict, a live key holding what the policy never
        // grants goes now.
        for k in &a.key_policy.keys {
            let forbidden = k
                .excess
                .iter()
                .any(|p| policy.key_policy.never_grant.contains(p));
            let expected = match k.status {
                KeyState::Live => KeyAction::RevokeNow,
                _ => KeyAction::DoNotCreate,
            };
            if k.status != KeyState::Revoked && forbidden && k.action != expected {
                problems.push(format!(
                    "key {} holds {:?} and gets {:?}",
                    k.label, k.excess, k.action
                ));
            }
            // A key not yet created starts its rotation when it is.
            if k.status != KeyState::Live && k.rotate_by.is_some() {
                problems.push(format!(
                    "key {} is not live yet has a rotation date",
                    k.label
                ));
            }
        }
        if !problems.is_empty() {
            failures.push(format!("{name}:\n  {}", problems.join("\n  ")));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn docs_list_every_calibration_case() {
    let doc =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/calibration.md"))
            .unwrap();
    for (name, _, _) in cases() {
        assert!(
            doc.contains(&format!("`{name}`")),
            "docs/calibration.md lacks `{name}`"
        );
    }
}

mod properties {
    //! Properties of the verdict model over the calibration manifests: a
    //! more favourable answer never worsens the verdict, an adverse fact
    //! never improves it, and answering an open question never lowers
    //! confidence.

    use proptest::prelude::*;
    use vetted::checklist::Catalog;
    use vetted::evaluate::{Assessment, Status, evaluate};
    use vetted::manifest::{Answer, AnswerValue, Manifest, Provenance};
    use vetted::rules::Policy;

    use super::{AS_OF, cases};

    struct World {
        catalog: Catalog,
        policy: Policy,
        manifests: Vec<Manifest>,
    }

    fn world() -> &'static World {
        static WORLD: std::sync::OnceLock<World> = std::sync::OnceLock::new();
        WORLD.get_or_init(|| {
            let catalog = vetted::load_catalog(None).unwrap();
            let manifests = cases()
                .into_iter()
                .map(|(_, path, _)| {
                    let bytes = std::fs::read(&path).unwrap();
                    vetted::manifest::load(&path.display().to_string(), bytes, &catalog)
                        .unwrap()
                        .manifest
                })
                .collect();
            World {
                catalog,
                policy: Policy::default_policy(),
                manifests,
            }
        })
    }

    fn assess(m: &Manifest) -> Assessment {
        let w = world();
        evaluate(m, &w.catalog, &w.policy, AS_OF.parse().unwrap()).unwrap()
    }

    /// Does changing this question's answer change which questions apply?
    fn same_scope(a: &Assessment, b: &Assessment) -> bool {
        a.questions.iter().zip(&b.questions).all(|(x, y)| {
            (x.status == Status::NotApplicable) == (y.status == Status::NotApplicable)
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(96))]

        #[test]
        fn a_more_favourable_answer_never_worsens_the_verdict(case in 0usize..21, pick in 0usize..1000) {
            let w = world();
            let m = &w.manifests[case % w.manifests.len()];
            let before = assess(m);
            // Answered choice questions with a better option.
            let choices: Vec<(String, String)> = before
                .questions
                .iter()
                .filter(|r| r.status == Status::Answered)
                .filter_map(|r| {
                    let (_, _, q) = w.catalog.question(&r.id)?;
                    let current = m.answers.get(&r.id)?.value.as_choice()?.to_string();
                    let score = q.option(&current)?.score;
                    let better = q.options.iter().find(|o| o.score > score)?;
                    Some((r.id.clone(), better.value.clone()))
                })
                .collect();
            prop_assume!(!choices.is_empty());
            let (id, better) = &choices[pick % choices.len()];
            let mut changed = m.clone();
            changed.answers.get_mut(id).unwrap().value = AnswerValue::Choice(better.clone());
            let after = assess(&changed);
            // A better answer that opens follow-up questions adds unknowns;
            // the property is about the same questions.
            prop_assume!(same_scope(&before, &after));
            prop_assert!(after.verdict <= before.verdict, "{id} -> {better}: {:?} became {:?}", before.verdict, after.verdict);
        }

        #[test]
        fn an_adverse_fact_never_improves_the_verdict(case in 0usize..21, fact in 0usize..3) {
            let w = world();
            let m = &w.manifests[case % w.manifests.len()];
            let before = assess(m);
            let mut changed = m.clone();
            match fact {
                // A key leak last month, denied at first.
                0 => changed.incidents.push(serde_json::from_value(serde_json::json!({
                    "date": changed.assessment.date.plus_days(-30).to_string(),
                    "kind": "key-leak", "severity": "critical",
                    "denied-first": true, "acknowledged-after-days": 45,
                })).unwrap()),
                // Withdrawal asked for.
                1 => changed.integration.permissions.push(vetted::rules::Permission::Withdraw),
                // Ten times the funds.
                _ => {
                    if let Some(f) = changed.integration.funds_at_risk.as_mut() {
                        f.amount *= 10.0;
                    }
                }
            }
            let after = assess(&changed);
            prop_assert!(after.verdict >= before.verdict, "fact {fact}: {:?} became {:?}", before.verdict, after.verdict);
        }

        #[test]
        fn answering_an_open_question_never_lowers_confidence(case in 0usize..21, pick in 0usize..1000, best in any::<bool>()) {
            let w = world();
            let m = &w.manifests[case % w.manifests.len()];
            let before = assess(m);
            let open: Vec<&str> = before
                .questions
                .iter()
                .filter(|r| r.status.is_open())
                .map(|r| r.id.as_str())
                .collect();
            prop_assume!(!open.is_empty());
            let id = open[pick % open.len()];
            let (_, _, q) = w.catalog.question(id).unwrap();
            let end = if best { vetted::evaluate::hypothesis::End::Best } else { vetted::evaluate::hypothesis::End::Worst };
            let Some(value) = vetted::evaluate::hypothesis::extreme(q, end, AS_OF.parse().unwrap()) else {
                return Ok(());
            };
            let mut changed = m.clone();
            changed.answers.insert(id.to_string(), Answer {
                value,
                source: Provenance::Observed,
                evidence: vec![vetted::manifest::Evidence {
                    url: "https://evidence.example/".into(),
                    observed: m.assessment.date,
                    expires: None,
                    note: None,
                }],
                note: None,
                questionnaire: None,
                claim: None,
            });
            let after = assess(&changed);
            prop_assume!(same_scope(&before, &after));
            prop_assert!(after.confidence + 1e-9 >= before.confidence, "{id}: {} became {}", before.confidence, after.confidence);
        }
    }
}

/// An incident past the policy's memory is history: the questions about
/// how the vendor handled its incidents no longer apply (nor cost points),
/// while the same incident within memory makes them apply.
#[test]
fn an_incident_past_the_policys_memory_makes_no_response_question_apply() {
    let catalog = vetted::load_catalog(None).unwrap();
    let policy = Policy::default_policy();
    let as_of = AS_OF.parse().unwrap();
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/calibration/tax-tool-incident-now-history.yaml");
    let text = std::fs::read_to_string(&path).unwrap();
    let applies = |text: &str| {
        let (_, a) =
            vetted::evaluate_file("m.yaml", text.as_bytes().to_vec(), &catalog, &policy, as_of)
                .unwrap();
        let r = a
            .questions
            .iter()
            .find(|r| r.id == "response.acknowledgement")
            .unwrap();
        r.status != vetted::evaluate::Status::NotApplicable
    };
    assert!(
        text.contains("- date: 2020-"),
        "the case's incident is from 2020"
    );
    assert!(!applies(&text));
    // The same incident three years later: its dates moved, all of them.
    let (before, incidents) = text.split_at(text.find("\nincidents:").unwrap());
    let moved = incidents
        .replace("2020-", "2023-")
        .replace("2021-", "2024-");
    assert!(applies(&format!("{before}{moved}")));
}
