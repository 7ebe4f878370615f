//! Advice: the open questions whose answers would move the verdict most,
//! and the smallest changes that would move it up. Both are found by
//! re-evaluating the manifest with changed answers, permissions or funds,
//! never guessed; they cost a few dozen evaluations, so only a single
//! assessment's report computes them (not a portfolio).

use serde::Serialize;

use crate::checklist::Catalog;
use crate::date::Date;
use crate::level::Level;
use crate::manifest::Manifest;
use crate::rules::{Permission, Policy, Verdict};

use super::hypothesis::{End, answered, extreme, proven};
use super::incidents::Standing;
use super::{Assessment, Basis, GateEffect, Status, run};

/// How many open questions and changes a report lists.
const LIMIT: usize = 10;
/// How many answer changes the greedy search combines at most.
const GREEDY_STEPS: usize = 25;

/// An open question and how far its answer could move the outcome.
#[derive(Clone, Debug, Serialize)]
pub struct OpenQuestion {
    /// Question id.
    pub id: String,
    /// Its text.
    pub text: String,
    /// Severity.
    pub severity: Level,
    /// The verdict if it were answered at its best, with evidence.
    pub if_best: Verdict,
    /// The verdict if it were answered at its worst.
    pub if_worst: Verdict,
    /// The score the best and worst answers give.
    pub score_range: (f64, f64),
}

/// What a change is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ChangeKind {
    /// An answer (with evidence).
    Answer,
    /// Drop a requested permission.
    Permission,
    /// Lower the funds at risk.
    Funds,
}

/// One change and its effect.
#[derive(Clone, Debug, Serialize)]
pub struct Change {
    /// What changes.
    pub kind: ChangeKind,
    /// The question, permission or `funds-at-risk`.
    pub target: String,
    /// The new value, as a person reads it.
    pub to: String,
}

/// A set of changes that together move the verdict up.
#[derive(Clone, Debug, Serialize)]
pub struct Remedy {
    /// The changes, all needed.
    pub changes: Vec<Change>,
    /// The verdict after them.
    pub verdict: Verdict,
    /// The residual tier after them.
    pub tier: Level,
}

/// A rule no change of answers, permissions or funds lifts.
#[derive(Clone, Debug, Serialize)]
pub struct Fixed {
    /// Rule id.
    pub rule: String,
    /// Its message.
    pub message: String,
    /// When it eases by itself, if it rests on an open incident.
    pub eases_on: Option<Date>,
    /// Whether the incident's remediation is still unverified.
    pub needs_verified_remediation: bool,
}

/// Everything the advice stage found.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Advice {
    /// Open questions, the most decisive first.
    pub open_questions: Vec<OpenQuestion>,
    /// Changes that move the verdict up, each alone (smallest first), or
    /// one combined set when no single change does.
    pub remedies: Vec<Remedy>,
    /// Rules that stay whatever changes (besides any remedies).
    pub fixed: Vec<Fixed>,
}

/// The advice for an assessment.
pub fn advise(
    m: &Manifest,
    catalog: &Catalog,
    policy: &Policy,
    as_of: Date,
    a: &Assessment,
) -> Advice {
    // Every change below is evaluated on a copy: copy only what
    // evaluation reads.
    let m = &super::lean(m);
    let mut advice = Advice {
        open_questions: open_questions(m, catalog, policy, as_of, a),
        ..Advice::default()
    };
    if a.verdict == Verdict::Approve {
        return advice;
    }
    // Each remedy with the rules still acting after it.
    let mut singles: Vec<(Remedy, f64, Vec<String>)> = Vec::new();
    // Each changed copy is evaluated as it is made and dropped: all of
    // them at once held a hundred copies of the manifest (issue 16).
    candidates(m, catalog, policy, as_of, a, |change, changed, size| {
        if let Ok(b) = run(&changed, catalog, policy, as_of, true)
            && b.verdict < a.verdict
        {
            singles.push((
                Remedy {
                    changes: vec![change],
                    verdict: b.verdict,
                    tier: b.tier,
                },
                size,
                acting(&b),
            ));
        }
    });
    singles.sort_by(|(x, sx, _), (y, sy, _)| {
        x.verdict
            .cmp(&y.verdict)
            .then(sx.total_cmp(sy))
            .then(x.changes[0].target.cmp(&y.changes[0].target))
    });
    let mut still: Vec<Vec<String>> = Vec::new();
    for (r, _, rules) in singles.into_iter().take(LIMIT) {
        advice.remedies.push(r);
        still.push(rules);
    }
    if advice.remedies.is_empty()
        && let Some((r, rules)) = greedy(m, catalog, policy, as_of, a)
    {
        advice.remedies.push(r);
        still.push(rules);
    }
    // A rule that no change lifts is worth saying even when another change
    // moves the verdict (it says when the incident behind it eases); one
    // that some remedy lifts is not fixed.
    advice.fixed = fixed(a);
    advice
        .fixed
        .retain(|f| still.iter().all(|rules| rules.contains(&f.rule)));
    advice
}

/// Open questions ranked by how far their answer could move the verdict,
/// then the score.
fn open_questions(
    m: &Manifest,
    catalog: &Catalog,
    policy: &Policy,
    as_of: Date,
    a: &Assessment,
) -> Vec<OpenQuestion> {
    let mut out: Vec<(OpenQuestion, usize, f64)> = Vec::new();
    for r in a.questions.iter().filter(|r| r.status.is_open()) {
        let (_, _, q) = catalog.at(r.question);
        let eval = |end| run(&answered(m, [q], end, as_of), catalog, policy, as_of, true).ok();
        let (Some(best), Some(worst)) = (eval(End::Best), eval(End::Worst)) else {
            continue;
        };
        let spread = rank(worst.verdict).abs_diff(rank(best.verdict));
        let swing = best.score - worst.score;
        out.push((
            OpenQuestion {
                id: r.id.clone(),
                text: r.text.clone(),
                severity: r.severity,
                if_best: best.verdict,
                if_worst: worst.verdict,
                score_range: (
                    crate::report::round(worst.score, 1),
                    crate::report::round(best.score, 1),
                ),
            },
            spread,
            swing,
        ));
    }
    // How far the answer alone moves the verdict first (that is what the
    // reviewer must ask before deciding), then how far it swings the score.
    out.sort_by(|(x, sx, wx), (y, sy, wy)| {
        sy.cmp(sx)
            .then(wy.total_cmp(wx))
            .then(y.severity.cmp(&x.severity))
            .then(x.id.cmp(&y.id))
    });
    out.into_iter().take(LIMIT).map(|(q, _, _)| q).collect()
}

fn rank(v: Verdict) -> usize {
    Verdict::ALL.iter().position(|x| *x == v).unwrap_or(0)
}

/// Single changes worth trying, each given to `out` with the changed
/// manifest and a size (how much it asks: the question's weight, or a
/// permission's level).
fn candidates(
    m: &Manifest,
    catalog: &Catalog,
    policy: &Policy,
    as_of: Date,
    a: &Assessment,
    mut out: impl FnMut(Change, Manifest, f64),
) {
    let observed = m.assessment.date.min(as_of);
    for r in &a.questions {
        let improvable = match r.status {
            Status::Answered => r.score.is_some_and(|s| s < 1.0),
            Status::Declined | Status::Unknown | Status::Unanswered => true,
            _ => false,
        };
        if !improvable {
            continue;
        }
        let (_, _, q) = catalog.at(r.question);
        let Some(best) = extreme(q, End::Best, as_of) else {
            continue;
        };
        let mut changed = m.clone();
        changed
            .answers
            .insert(q.id.clone(), proven(best.clone(), observed));
        let to = best.display(q);
        out(
            Change {
                kind: ChangeKind::Answer,
                target: q.id.clone(),
                to: format!("{to} (with evidence)"),
            },
            changed,
            r.weight,
        );
    }
    let mut perms: Vec<Permission> = m.integration.permissions.clone();
    perms.sort();
    perms.dedup();
    for p in perms.into_iter().filter(|p| *p != Permission::Read) {
        let mut changed = m.clone();
        changed.integration.permissions.retain(|x| *x != p);
        for k in &mut changed.integration.keys {
            k.permissions.retain(|x| *x != p);
            if let Some(o) = &mut k.observed {
                o.permissions.retain(|x| *x != p);
            }
        }
        let level = policy
            .inherent_risk
            .permissions
            .get(&p)
            .copied()
            .unwrap_or(Level::Low);
        out(
            Change {
                kind: ChangeKind::Permission,
                target: p.as_str().to_string(),
                to: "not granted".to_string(),
            },
            changed,
            // Dropping what the integration is for asks more than an answer.
            10.0 + Level::ALL.iter().position(|l| *l == level).unwrap_or(0) as f64,
        );
    }
    if let Some(funds) = &m.integration.funds_at_risk {
        let risk = &policy.inherent_risk;
        let value = risk.funds_value(funds.amount, &funds.currency);
        let rate = value.map(|v| v / funds.amount.max(f64::MIN_POSITIVE));
        // Just under each threshold the amount reaches, largest first.
        let mut thresholds: Vec<f64> = risk
            .funds_at_risk
            .iter()
            .map(|b| b.at_least)
            .filter(|t| value.is_some_and(|v| v >= *t))
            .collect();
        thresholds.sort_by(|a, b| b.total_cmp(a));
        for t in thresholds {
            let Some(rate) = rate.filter(|r| *r > 0.0) else {
                break;
            };
            let amount = ((t / rate) - 1.0).floor().max(0.0);
            let mut changed = m.clone();
            if let Some(f) = changed.integration.funds_at_risk.as_mut() {
                f.amount = amount;
            }
            out(
                Change {
                    kind: ChangeKind::Funds,
                    target: "funds-at-risk".to_string(),
                    to: format!("{amount} {}", funds.currency),
                },
                changed,
                9.0,
            );
        }
    }
}

/// Answer changes combined, the largest score gain first, until the
/// verdict moves.
fn greedy(
    m: &Manifest,
    catalog: &Catalog,
    policy: &Policy,
    as_of: Date,
    a: &Assessment,
) -> Option<(Remedy, Vec<String>)> {
    let mut order: Vec<&super::QuestionResult> = a
        .questions
        .iter()
        .filter(|r| {
            matches!(
                r.status,
                Status::Answered | Status::Declined | Status::Unknown | Status::Unanswered
            ) && r.score.is_none_or(|s| s < 1.0)
        })
        .collect();
    order.sort_by(|x, y| {
        let gain = |r: &super::QuestionResult| r.weight * (1.0 - r.score.unwrap_or(0.0));
        gain(y).total_cmp(&gain(x)).then(x.id.cmp(&y.id))
    });
    let mut changed = m.clone();
    let mut changes = Vec::new();
    let observed = m.assessment.date.min(as_of);
    for r in order.into_iter().take(GREEDY_STEPS) {
        let (_, _, q) = catalog.at(r.question);
        let Some(best) = extreme(q, End::Best, as_of) else {
            continue;
        };
        let to = best.display(q);
        changed.answers.insert(q.id.clone(), proven(best, observed));
        changes.push(Change {
            kind: ChangeKind::Answer,
            target: q.id.clone(),
            to: format!("{to} (with evidence)"),
        });
        let b = run(&changed, catalog, policy, as_of, true).ok()?;
        if b.verdict < a.verdict {
            return Some((
                Remedy {
                    changes,
                    verdict: b.verdict,
                    tier: b.tier,
                },
                acting(&b),
            ));
        }
    }
    None
}

/// The rules acting in an assessment.
fn acting(a: &Assessment) -> Vec<String> {
    a.gates
        .iter()
        .filter(|g| g.acts())
        .map(|g| g.rule.clone())
        .collect()
}

/// The rules that hold the verdict down, with when each eases if it rests
/// on an open incident.
fn fixed(a: &Assessment) -> Vec<Fixed> {
    let open: Vec<&super::IncidentStanding> = a
        .incidents
        .iter()
        .filter(|i| i.standing == Standing::Open)
        .collect();
    let eases = open
        .iter()
        .map(|i| i.settles.unwrap_or(i.gate_ends).min(i.gate_ends))
        .min();
    let needs = open.iter().any(|i| i.verified.is_none());
    let holding: Vec<&str> = match &a.basis {
        Basis::Reject { rules } => rules.iter().map(String::as_str).collect(),
        Basis::Table { raised_by, .. } => raised_by.iter().map(String::as_str).collect(),
        Basis::Confidence { .. } => Vec::new(),
    };
    a.gates
        .iter()
        .filter(|g| g.acts() && holding.contains(&g.rule.as_str()))
        .filter(|g| matches!(g.effect, GateEffect::Reject | GateEffect::MinTier(_)))
        .map(|g| {
            let on_incidents = g.reads_incidents;
            Fixed {
                rule: g.rule.clone(),
                message: g.message.clone(),
                eases_on: eases.filter(|_| on_incidents),
                needs_verified_remediation: on_incidents && needs,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checklist::Source;

    /// A checklist where a minor question decides (a rule rejects on its
    /// bad answer) and a critical one only weighs: its worst answer still
    /// scores well, yet it swings the score more than the minor one.
    const CHECKLIST: &str = "id: rank\nversion: 1.0.0\ntitle: R\nareas:\n  - id: rank\n    title: R\n    weight: 1\n    questions:\n\
      \x20     - {id: rank.minor, text: Minor?, severity: low, evidence: none, type: bool}\n\
      \x20     - {id: rank.base, text: Base?, severity: critical, evidence: none, type: bool}\n\
      \x20     - {id: rank.major, text: Major?, severity: critical, evidence: none, type: choice, options: [{value: a, label: A, score: 1}, {value: b, label: B, score: 0.5}]}\n\
      rules:\n  - {id: minor-rejects, when: \"answers.rank.minor == false\", effect: reject, message: m}\n";

    #[test]
    fn the_question_that_moves_the_verdict_comes_before_the_one_that_weighs_more() {
        let catalog = Catalog::with_extra(vec![Source {
            file: "rank.yaml".into(),
            bytes: CHECKLIST.as_bytes().to_vec(),
        }])
        .unwrap();
        let policy = Policy::default_policy();
        let as_of: Date = "2026-11-25".parse().unwrap();
        let text = "vendor: {name: V}\nintegration: {purpose: p, checklists: [rank], permissions: [read]}\nassessment: {assessor: a, date: 2026-11-20}\nanswers:\n  rank.base: {value: true}\n  rank.major: {value: unknown}\n  rank.minor: {value: unknown}\n";
        let m = crate::manifest::load("m.yaml", text.as_bytes().to_vec(), &catalog)
            .unwrap()
            .manifest;
        let a = super::super::evaluate(&m, &catalog, &policy, as_of).unwrap();
        let open = open_questions(&m, &catalog, &policy, as_of, &a);
        let ids: Vec<(&str, Verdict, Verdict)> = open
            .iter()
            .map(|q| (q.id.as_str(), q.if_best, q.if_worst))
            .collect();
        // The minor question decides between approval and a reject ...
        assert_eq!(
            ids[0],
            ("rank.minor", Verdict::Approve, Verdict::Reject),
            "{ids:?}"
        );
        // ... although the other swings the score more.
        let swing = |q: &OpenQuestion| q.score_range.1 - q.score_range.0;
        assert!(swing(&open[0]) < swing(&open[1]), "{ids:?}");
    }
}
