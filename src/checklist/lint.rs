//! `vetted checklist lint`: problems a checklist author should fix that the
//! loader accepts.
//!
//! - `unreachable-condition`: a `when` that no combination of answers and
//!   integration facts makes true (found by evaluating it over every option
//!   of the questions it reads, in a set of contrasting integrations);
//! - `options-same-score`: a question whose options all score the same, so
//!   the answer cannot change the score;
//! - `missing-help` / `missing-remediation`: a question a reviewer cannot
//!   act on;
//! - `unknown-framework`: a reference to a framework the reports do not know;
//! - `missing-references`: a question that cites no control of a known
//!   framework, so the compliance document, which groups by reference,
//!   never lists it;
//! - `area-cannot-fail`: an area whose worst possible answers still score
//!   above the policy's threshold for tier high, so it can never flag a
//!   vendor.

use serde_json::{Value as Json, json};

use super::{Catalog, Loaded, Question, QuestionType};
use crate::date::Date;
use crate::diag::{Code, Diagnostic};
use crate::evaluate::{answers_json, context_json};
use crate::manifest::Manifest;
use crate::rules::{Expr, Policy};

/// Frameworks a question may reference.
pub const FRAMEWORKS: [&str; 15] = [
    "soc2",
    "iso27001",
    "ccss",
    "mvsp",
    "rfc9116",
    "gdpr",
    "caiq",
    "scorecard",
    "owasp",
    "rfc8446",
    "mozilla",
    "rfc7208",
    "rfc7489",
    "rfc8659",
    "rfc4033",
];

/// Most evaluations spent on one condition before giving up on it.
const MAX_EVALUATIONS: usize = 50_000;

/// Lints the given checklists (all when `ids` is empty).
pub fn lint(catalog: &Catalog, policy: &Policy, ids: &[String], as_of: Date) -> Vec<Diagnostic> {
    let scenarios = scenarios(as_of);
    let mut out = Vec::new();
    for loaded in catalog
        .checklists()
        .filter(|l| ids.is_empty() || ids.contains(&l.checklist.id))
    {
        lint_one(catalog, policy, loaded, &scenarios, as_of, &mut out);
    }
    crate::diag::sort(&mut out);
    out
}

fn lint_one(
    catalog: &Catalog,
    policy: &Policy,
    loaded: &Loaded,
    scenarios: &[Manifest],
    as_of: Date,
    out: &mut Vec<Diagnostic>,
) {
    let doc = &loaded.doc;
    let warn = |code, pointer: &str, message: String| {
        Diagnostic::warning(code, &doc.file, doc.at(pointer), message)
    };
    for (a, area) in loaded.checklist.areas.iter().enumerate() {
        let mut total = 0.0;
        let mut worst = 0.0;
        for (q, question) in area.questions.iter().enumerate() {
            let at = format!("/areas/{a}/questions/{q}");
            if question.help.as_deref().is_none_or(|h| h.trim().is_empty()) {
                out.push(warn(
                    Code::MissingHelp,
                    &at,
                    format!(
                        "question `{}` has no `help`: say why it matters and how to check it",
                        question.id
                    ),
                ));
            }
            if question
                .remediation
                .as_deref()
                .is_none_or(|h| h.trim().is_empty())
            {
                out.push(warn(
                    Code::MissingRemediation,
                    &at,
                    format!(
                        "question `{}` has no `remediation`: say what to ask of the vendor",
                        question.id
                    ),
                ));
            }
            for framework in question.references.keys() {
                if !FRAMEWORKS.contains(&framework.as_str()) {
                    let mut d = warn(
                        Code::UnknownFramework,
                        &format!("{at}/references/{framework}"),
                        format!(
                            "`{}` is not a framework the reports know",
                            crate::diag::quote(framework)
                        ),
                    );
                    d = d.with_help(match crate::diag::suggest(framework, FRAMEWORKS) {
                        Some(s) => format!("did you mean `{s}`?"),
                        None => format!("known: {}", FRAMEWORKS.join(", ")),
                    });
                    out.push(d);
                }
            }
            if !question
                .references
                .keys()
                .any(|f| FRAMEWORKS.contains(&f.as_str()))
            {
                out.push(
                    warn(
                        Code::MissingReferences,
                        &at,
                        format!(
                            "question `{}` cites no framework control, so the compliance document does not list it",
                            question.id
                        ),
                    )
                    .with_help(format!(
                        "add `references:` with the controls it serves, e.g. `{{iso27001: A.5.19, soc2: CC9.2}}`; known frameworks: {}",
                        FRAMEWORKS.join(", ")
                    )),
                );
            }
            if matches!(question.kind, QuestionType::Choice | QuestionType::Multi) {
                let first = question.options.first().map(|o| o.score);
                if question.options.iter().all(|o| Some(o.score) == first) {
                    out.push(warn(Code::OptionsSameScore, &format!("{at}/options"), format!("every option of `{}` scores the same, so the answer cannot change the score", question.id)));
                }
            }
            for (c, collect) in question.collect.iter().enumerate() {
                let at = format!("{at}/collect/{c}");
                if !crate::evidence::collect::is_known_fact(&collect.fact) {
                    let names: Vec<&str> = crate::evidence::collect::FACTS
                        .iter()
                        .map(|(n, _)| *n)
                        .collect();
                    out.push(
                        warn(
                            Code::UnknownFact,
                            &format!("{at}/fact"),
                            format!(
                                "no collector produces the fact `{}`",
                                crate::diag::quote(&collect.fact)
                            ),
                        )
                        .with_help(
                            match crate::diag::suggest(&collect.fact, names.iter().copied()) {
                                Some(s) => format!("did you mean `{s}`?"),
                                None => "see `vetted collect --help` for the facts".to_string(),
                            },
                        ),
                    );
                }
                for (m, mapping) in collect.map.iter().enumerate() {
                    if question.collected_answer(&mapping.answer).is_none() {
                        out.push(warn(
                            Code::CollectAnswerInvalid,
                            &format!("{at}/map/{m}/answer"),
                            format!(
                                "`{}` is not an answer `{}` accepts, so this mapping is never used",
                                mapping.answer, question.id
                            ),
                        ));
                    }
                }
            }
            if question.is_scored() {
                let w = policy.weight(question.severity);
                total += w;
                worst += w * worst_score(question);
            }
            if let Some(c) = catalog.condition(&question.id)
                && unreachable(catalog, c.expr, scenarios, as_of)
            {
                out.push(
                    warn(
                        Code::UnreachableCondition,
                        &format!("{at}/when"),
                        format!(
                            "no answers make the condition of `{}` true, so it is never asked",
                            question.id
                        ),
                    )
                    .with_help("compare against values the questions actually offer"),
                );
            }
        }
        if total > 0.0 && 100.0 * worst / total >= policy.tiers.high {
            out.push(warn(Code::AreaCannotFail, &format!("/areas/{a}"), format!(
                "area `{}` scores at least {:.0} with the worst answer to every question, above the tier-high threshold {}",
                area.id, 100.0 * worst / total, policy.tiers.high
            )).with_help("give the worst options a score near 0"));
        }
    }
    for (r, rule) in loaded.checklist.rules.iter().enumerate() {
        if let Some(c) = catalog.rule_condition(&rule.id)
            && unreachable(catalog, c.expr, scenarios, as_of)
        {
            out.push(warn(
                Code::UnreachableCondition,
                &format!("/rules/{r}/when"),
                format!(
                    "no answers make the condition of rule `{}` true, so it never fires",
                    rule.id
                ),
            ));
        }
    }
}

fn worst_score(q: &Question) -> f64 {
    match q.kind {
        QuestionType::Choice => q
            .options
            .iter()
            .map(|o| o.score)
            .fold(f64::INFINITY, f64::min),
        QuestionType::Number | QuestionType::Date => q
            .bands
            .iter()
            .map(|b| b.score)
            .fold(f64::INFINITY, f64::min),
        _ => 0.0,
    }
}

/// The values worth trying for a question.
fn domain(q: &Question, as_of: Date) -> Vec<Json> {
    let mut values = vec![Json::Null, json!("unknown")];
    match q.kind {
        QuestionType::Choice => values.extend(q.options.iter().map(|o| json!(o.value))),
        QuestionType::Multi => {
            values.push(json!([]));
            values.extend(q.options.iter().map(|o| json!([o.value])));
            values.push(Json::Array(
                q.options.iter().map(|o| json!(o.value)).collect(),
            ));
        }
        QuestionType::Bool => values.extend([json!(true), json!(false)]),
        QuestionType::Number => {
            values.extend([json!(0), json!(1), json!(1_000_000_000)]);
            values.extend(
                q.bands
                    .iter()
                    .filter_map(|b| b.up_to)
                    .flat_map(|u| [json!(u), json!(u + 1.0)]),
            );
        }
        QuestionType::Date => {
            for days in [0, 30, 200, 400, 800, 2000] {
                values.push(json!(as_of.plus_days(-days).to_string()));
            }
        }
        QuestionType::Text => values.push(json!("text")),
    }
    values
}

fn unreachable(catalog: &Catalog, expr: &Expr, scenarios: &[Manifest], as_of: Date) -> bool {
    let ids: std::collections::BTreeSet<String> =
        catalog.question_ids().map(str::to_string).collect();
    let read: Vec<(&str, Vec<Json>)> = expr
        .questions(&ids)
        .into_iter()
        .filter_map(|id| {
            catalog
                .question(&id)
                .map(|(_, _, q)| (q.id.as_str(), domain(q, as_of)))
        })
        .collect();
    let combinations: usize =
        read.iter().map(|(_, d)| d.len()).product::<usize>() * scenarios.len();
    if combinations > MAX_EVALUATIONS {
        return false;
    }
    let mut index = vec![0usize; read.len()];
    loop {
        let chosen: std::collections::BTreeMap<&str, &Json> = read
            .iter()
            .zip(&index)
            .map(|((id, d), &i)| (*id, &d[i]))
            .collect();
        let answers = answers_json(catalog.question_ids(), |id| {
            chosen.get(id).map_or(Json::Null, |v| (*v).clone())
        });
        for m in scenarios {
            let ctx = minijinja::Value::from(minijinja::value::Serde(context_json(
                m,
                catalog,
                answers.clone(),
                as_of,
            )));
            if expr.is_true(&ctx).unwrap_or(false) {
                return false;
            }
        }
        // Next combination, odometer style.
        let mut k = 0;
        loop {
            if k == index.len() {
                return true;
            }
            index[k] += 1;
            if index[k] < read[k].1.len() {
                break;
            }
            index[k] = 0;
            k += 1;
        }
    }
}

/// Contrasting integrations to evaluate conditions in: read-only with no
/// history; a trading bot with an unbound key and a denied, slow key leak;
/// everything granted with a well-handled breach; self-hosted inside the
/// exchange session with a recent drain and an old, remediated leak.
fn scenarios(as_of: Date) -> Vec<Manifest> {
    let day = |d: i64| as_of.plus_days(-d).to_string();
    let all = crate::manifest::DATA_CLASSES;
    let raw = [
        json!({
            "vendor": {"name": "A"},
            "integration": {"purpose": "p", "checklists": ["baseline"], "permissions": ["read"]},
            "assessment": {"assessor": "a", "date": day(0)},
        }),
        json!({
            "vendor": {"name": "B", "website": "https://b.example", "docs": "https://b.example/docs",
                       "repository": "https://b.example/repo", "egress-ips": ["203.0.113.10"],
                       "packages": [{"ecosystem": "PyPI", "name": "b", "version": "1.0"}]},
            "integration": {"purpose": "p", "checklists": ["baseline", "exchange-keys"], "permissions": ["read", "trade"],
                            "funds-at-risk": {"amount": 50000, "currency": "USD"}, "data-classes": all,
                            "keys": [{"exchange": "x", "label": "k", "created": day(400), "permissions": ["read", "trade"], "ip-restricted": false}]},
            "assessment": {"assessor": "a", "date": day(0)},
            "incidents": [{"date": day(700), "kind": "key-leak", "severity": "critical", "acknowledged-after-days": 60, "denied-first": true}],
        }),
        json!({
            "vendor": {"name": "C"},
            "integration": {"purpose": "p", "checklists": ["baseline", "exchange-keys"],
                            "permissions": ["read", "write", "trade", "transfer", "withdraw", "admin"],
                            "funds-at-risk": {"amount": 500, "currency": "USD"},
                            "keys": [{"exchange": "x", "label": "k", "created": day(10), "permissions": ["read", "trade", "withdraw"], "ip-restricted": true}]},
            "assessment": {"assessor": "a", "date": day(0)},
            "incidents": [
                {"date": day(20), "kind": "breach", "severity": "low", "acknowledged-after-days": 1, "postmortem": "https://c.example/pm"},
                {"date": day(3000), "kind": "key-leak", "severity": "high", "acknowledged-after-days": 2, "postmortem": "https://c.example/pm2"},
                {"date": day(100), "kind": "phishing", "severity": "medium", "acknowledged-after-days": 45, "denied-first": true},
            ],
        }),
        // Self-hosted, inside the exchange session, with a recent drain and
        // an old, remediated leak.
        json!({
            "vendor": {"name": "D"},
            "integration": {"purpose": "p", "checklists": ["baseline", "exchange-keys"], "permissions": ["read", "trade", "futures"],
                            "hosting": "self-hosted", "connection": "browser-session", "withdrawal-allowlist": true,
                            "keys": [{"exchange": "x", "label": "k", "created": day(10), "permissions": ["read", "trade"], "status": "proposed"}]},
            "assessment": {"assessor": "a", "date": day(0)},
            "incidents": [
                {"date": day(40), "kind": "funds-drained", "severity": "critical"},
                {"date": day(1500), "kind": "key-leak", "severity": "high",
                 "remediation": {"verified-by": "auditor", "verified": day(1200)}},
            ],
        }),
    ];
    raw.into_iter()
        // The scenarios hold no answers, so there is nothing to narrow.
        .map(|v| {
            serde_json::from_value::<crate::manifest::RawManifest>(v)
                .expect("lint scenarios are valid manifests")
                .into_checked(Default::default())
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checklist::Source;

    fn lint_text(text: &str) -> Vec<Diagnostic> {
        let catalog = Catalog::with_extra(vec![Source {
            file: "c.yaml".into(),
            bytes: text.as_bytes().to_vec(),
        }])
        .unwrap_or_else(|d| panic!("{d:#?}"));
        lint(
            &catalog,
            &Policy::default_policy(),
            &["lintme".to_string()],
            "2026-11-27".parse().unwrap(),
        )
    }

    const CHECKLIST: &str = "id: lintme\nversion: 1.0.0\ntitle: T\nareas:\n  - id: lint\n    title: L\n    questions:\n\
      \x20     - id: lint.a\n        text: A?\n        help: h\n        remediation: r\n        severity: high\n        type: choice\n\
      \x20       options:\n          - {value: yes-really, label: Y, score: 1}\n          - {value: no-never, label: N, score: 0}\n\
      \x20     - id: lint.b\n        text: B?\n        severity: low\n        type: bool\n        when: \"answers.lint.a == 'yes'\"\n\
      \x20       references: {soc3: CC1}\n\
      \x20     - id: lint.c\n        text: C?\n        help: h\n        remediation: r\n        severity: low\n        type: choice\n\
      \x20       when: \"answers.lint.a == 'no-never' and incidents | length > 0\"\n\
      \x20       options:\n          - {value: x, label: X, score: 0.5}\n          - {value: y, label: Y, score: 0.5}\n";

    #[test]
    fn finds_each_kind_of_problem() {
        let diags = lint_text(CHECKLIST);
        let found: Vec<(Code, u32)> = diags.iter().map(|d| (d.code, d.line)).collect();
        assert!(
            found.contains(&(Code::UnreachableCondition, 21)),
            "{diags:#?}"
        );
        assert!(found.contains(&(Code::MissingHelp, 17)), "{diags:#?}");
        assert!(
            found.contains(&(Code::MissingRemediation, 17)),
            "{diags:#?}"
        );
        assert!(found.contains(&(Code::UnknownFramework, 22)), "{diags:#?}");
        assert!(found.contains(&(Code::OptionsSameScore, 31)), "{diags:#?}");
        // None of the three cites a known framework (lint.b only `soc3`).
        assert!(found.contains(&(Code::MissingReferences, 8)), "{diags:#?}");
        assert_eq!(
            diags
                .iter()
                .filter(|d| d.code == Code::MissingReferences)
                .count(),
            3,
            "{diags:#?}"
        );
        // lint.c is reachable: only with an incident, which a scenario has.
        assert_eq!(
            diags
                .iter()
                .filter(|d| d.code == Code::UnreachableCondition)
                .count(),
            1,
            "{diags:#?}"
        );
    }

    #[test]
    fn checks_collect_declarations() {
        let text = CHECKLIST.replace(
            "          - {value: no-never, label: N, score: 0}\n",
            "          - {value: no-never, label: N, score: 0}\n        collect:\n          - fact: security-txt.stauts\n          - fact: repository.archived\n            map: [{equals: true, answer: maybe}]\n",
        );
        let diags = lint_text(&text);
        let found: Vec<(Code, u32)> = diags.iter().map(|d| (d.code, d.line)).collect();
        assert!(found.contains(&(Code::UnknownFact, 18)), "{diags:#?}");
        assert!(
            found.contains(&(Code::CollectAnswerInvalid, 20)),
            "{diags:#?}"
        );
        let unknown = diags.iter().find(|d| d.code == Code::UnknownFact).unwrap();
        assert!(
            format!("{unknown:?}").contains("security-txt.status"),
            "{unknown:?}"
        );
    }

    #[test]
    fn an_area_of_generous_options_cannot_fail() {
        let text = "id: lintme\nversion: 1.0.0\ntitle: T\nareas:\n  - id: lint\n    title: L\n    questions:\n\
          \x20     - id: lint.a\n        text: A?\n        help: h\n        remediation: r\n        severity: high\n        type: choice\n\
          \x20       options:\n          - {value: good, label: G, score: 1}\n          - {value: meh, label: M, score: 0.6}\n\
          \x20       references: {soc2: CC9.2}\n";
        let diags = lint_text(text);
        assert_eq!(
            diags.iter().map(|d| d.code).collect::<Vec<_>>(),
            [Code::AreaCannotFail]
        );
    }

    #[test]
    fn names_each_question_that_cites_no_framework() {
        let text = "id: lintme\nversion: 1.0.0\ntitle: T\nareas:\n  - id: lint\n    title: L\n    questions:\n\
          \x20     - id: lint.cited\n        text: A?\n        help: h\n        remediation: r\n        severity: high\n        type: choice\n\
          \x20       options:\n          - {value: good, label: G, score: 1}\n          - {value: bad, label: B, score: 0}\n\
          \x20       references: {iso27001: A.5.19}\n\
          \x20     - id: lint.uncited\n        text: B?\n        help: h\n        remediation: r\n        severity: high\n        type: choice\n\
          \x20       options:\n          - {value: good, label: G, score: 1}\n          - {value: bad, label: B, score: 0}\n";
        let diags = lint_text(text);
        assert_eq!(
            diags
                .iter()
                .map(|d| (d.code, d.line, d.col))
                .collect::<Vec<_>>(),
            [(Code::MissingReferences, 18, 9)],
            "{diags:#?}"
        );
        assert!(diags[0].message.contains("`lint.uncited`"), "{diags:#?}");
        assert!(diags[0].help.as_deref().unwrap().contains("iso27001"));

        // A reference only to an unknown framework does not count either.
        let diags = lint_text(&text.replace("{iso27001: A.5.19}", "{iso27k: A.5.19}"));
        let codes: Vec<Code> = diags.iter().map(|d| d.code).collect();
        assert_eq!(
            codes
                .iter()
                .filter(|c| **c == Code::MissingReferences)
                .count(),
            2,
            "{diags:#?}"
        );
        assert!(codes.contains(&Code::UnknownFramework), "{diags:#?}");
    }

    #[test]
    fn bundled_checklists_lint_clean() {
        let catalog = Catalog::bundled().unwrap();
        let diags = lint(
            &catalog,
            &Policy::default_policy(),
            &[],
            "2026-11-27".parse().unwrap(),
        );
        assert!(
            diags.is_empty(),
            "{}",
            diags
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join("\n")
        );
    }
}
