//! Evaluation: checklists x manifest x policy -> [`Assessment`].
//!
//! Pure arithmetic on loaded data: no I/O, no clock (the caller passes the
//! `as_of` date). Every point the overall score loses is attributed to one
//! question, split into what the answer cost and what weak evidence cost, so
//! that the points lost add up to exactly `100 - score`.

use std::collections::BTreeSet;
use std::sync::Arc;

use serde::Serialize;
use serde_json::{Map, Value as Json};

use crate::checklist::{
    Catalog, Condition, Effect, EvidenceNeed, Question, QuestionType, SimpleEffect,
};
use crate::date::Date;
use crate::diag::Diagnostic;
use crate::level::Level;
use crate::manifest::{Answer, Manifest, Provenance};
use crate::rules::{Permission, Policy, Verdict};

/// Everything the evaluation concluded.
#[derive(Clone, Debug, Serialize)]
pub struct Assessment {
    /// The date the evaluation treats as today.
    pub as_of: Date,
    /// Overall score, 0 to 100.
    pub score: f64,
    /// Share of the applicable weight backed by current evidence, 0 to 100.
    pub confidence: f64,
    /// Tier from the score alone.
    pub score_tier: Level,
    /// The highest `min-tier` of the gates that applied, if any.
    pub gate_tier: Option<Level>,
    /// Whether a `reject` gate applied.
    pub rejected_by_rule: bool,
    /// Residual risk tier after `min-tier` gates.
    pub tier: Level,
    /// Inherent risk of what the integration is granted.
    pub inherent_risk: Level,
    /// What set the inherent risk.
    pub inherent_reasons: Vec<String>,
    /// Approve, approve with conditions, or reject.
    pub verdict: Verdict,
    /// Why, in one sentence.
    pub verdict_reason: String,
    /// Per area.
    pub areas: Vec<AreaResult>,
    /// Per question in scope, in checklist order.
    pub questions: Vec<QuestionResult>,
    /// Rules whose condition held.
    pub gates: Vec<Gate>,
    /// What needs attention, worst first.
    pub findings: Vec<Finding>,
    /// Terms of an approval.
    pub conditions: Vec<String>,
    /// What keys may be granted, and how they are kept.
    pub key_policy: KeyPolicy,
    /// When the vendor must be reassessed.
    pub next_review: Date,
    /// Waivers and whether they are in force.
    pub waivers: Vec<WaiverStatus>,
}

/// How a question counted.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    /// Answered and scored.
    Answered,
    /// Answered `unknown`: scores 0.
    Unknown,
    /// Not answered: scores 0.
    Unanswered,
    /// Its `when` condition is false: left out.
    NotApplicable,
    /// Neutralised by a waiver in force: left out.
    Waived,
    /// Answered, but the question is informational.
    Unscored,
}

/// The state of an answer's evidence.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum EvidenceState {
    /// At least one piece is current.
    Current,
    /// There is evidence, but all of it is stale or expired.
    Stale,
    /// The question wants evidence and there is none.
    Missing,
    /// The question needs none.
    NotNeeded,
}

/// One question's result.
#[derive(Clone, Debug, Serialize)]
pub struct QuestionResult {
    /// Question id.
    pub id: String,
    /// Checklist id.
    pub checklist: String,
    /// Area id.
    pub area: String,
    /// The question text.
    pub text: String,
    /// Severity.
    pub severity: Level,
    /// Weight from severity.
    pub weight: f64,
    /// How it counted.
    pub status: Status,
    /// The answer as shown to a person (option label, list, value).
    pub answer: Option<String>,
    /// Where the answer came from.
    pub source: Option<Provenance>,
    /// Evidence state.
    pub evidence: EvidenceState,
    /// Score of the answer alone.
    pub answer_score: Option<f64>,
    /// Share of the credit kept after evidence (1 when nothing is missing).
    pub credit: f64,
    /// Effective score used in the arithmetic.
    pub score: Option<f64>,
    /// Overall points the answer itself cost.
    pub points_lost_answer: f64,
    /// Overall points weak evidence cost.
    pub points_lost_evidence: f64,
    /// Whether it counts towards confidence.
    pub backed: bool,
}

/// One area's result.
#[derive(Clone, Debug, Serialize)]
pub struct AreaResult {
    /// Checklist id.
    pub checklist: String,
    /// Area id.
    pub id: String,
    /// Title.
    pub title: String,
    /// Area weight.
    pub weight: f64,
    /// Score 0 to 100, none when nothing applies.
    pub score: Option<f64>,
    /// Confidence 0 to 100, none when nothing applies.
    pub confidence: Option<f64>,
    /// Questions that count.
    pub applicable: usize,
    /// Of those, answered with something other than unknown.
    pub answered: usize,
    /// Overall points lost in this area.
    pub points_lost: f64,
}

/// A rule whose condition held.
#[derive(Clone, Debug, Serialize)]
pub struct Gate {
    /// Rule id.
    pub rule: String,
    /// Checklist id.
    pub checklist: String,
    /// `reject`, `finding` or `min-tier: X`.
    pub effect: String,
    /// The rule's message.
    pub message: String,
    /// Whether a waiver in force neutralised it.
    pub waived: bool,
}

/// Something that needs attention.
#[derive(Clone, Debug, Serialize)]
pub struct Finding {
    /// Question or rule id.
    pub id: String,
    /// `question` or `rule`.
    pub kind: &'static str,
    /// How much it matters.
    pub severity: Level,
    /// One line.
    pub title: String,
    /// The answer, or what the rule found.
    pub detail: String,
    /// What to do.
    pub remediation: Option<String>,
    /// Overall points it cost (0 for rules: they act on tier and verdict).
    pub points_lost: f64,
}

/// One exchange key's status.
#[derive(Clone, Debug, Serialize)]
pub struct KeyStatus {
    /// Exchange.
    pub exchange: String,
    /// Label.
    pub label: String,
    /// Created.
    pub created: Date,
    /// Rotate by this date.
    pub rotate_by: Date,
    /// Whether that date has passed.
    pub rotation_overdue: bool,
    /// Permissions the key has beyond what may be granted.
    pub excess: Vec<Permission>,
    /// Whether it is bound to IPs.
    pub ip_restricted: bool,
}

/// Key terms.
#[derive(Clone, Debug, Serialize)]
pub struct KeyPolicy {
    /// Whether the integration receives exchange keys.
    pub applies: bool,
    /// Permissions to grant.
    pub grant: Vec<Permission>,
    /// Permissions never to grant.
    pub refuse: Vec<Permission>,
    /// Requested permissions that are refused.
    pub refused_requests: Vec<Permission>,
    /// The IP allow-list.
    pub ip_allowlist: Vec<String>,
    /// Rotation interval.
    pub rotation_days: i64,
    /// Per key.
    pub keys: Vec<KeyStatus>,
}

/// A waiver and whether it is in force.
#[derive(Clone, Debug, Serialize)]
pub struct WaiverStatus {
    /// Question or rule id.
    pub target: String,
    /// Reason.
    pub reason: String,
    /// Approver.
    pub approved_by: String,
    /// Expiry.
    pub expires: Option<Date>,
    /// Whether it applies on the as-of date.
    pub active: bool,
}

/// Evaluates a loaded manifest. `file` names the manifest in diagnostics for
/// conditions that fail at run time (a type error in an expression).
pub fn evaluate(
    manifest: &Manifest,
    catalog: &Catalog,
    policy: &Policy,
    as_of: Date,
) -> Result<Assessment, Vec<Diagnostic>> {
    let mut diags = Vec::new();
    // Each question in scope with its index among the catalog's question
    // ids, which is where its answer sits in an expression context.
    let scope: Vec<InScope> = manifest
        .integration
        .checklists
        .iter()
        .filter_map(|id| catalog.get(id))
        .flat_map(|l| {
            l.checklist.areas.iter().flat_map(move |a| {
                a.questions.iter().map(move |q| InScope {
                    checklist: &l.checklist,
                    area: a,
                    question: q,
                    // Every question of a catalog has an index; one past the
                    // end would only read as applicable.
                    index: catalog.question_index(&q.id).unwrap_or(usize::MAX),
                    condition: catalog.condition(&q.id),
                })
            })
        })
        .collect();

    // Applicability: a question whose condition is false is left out, and
    // so is its answer when later conditions are evaluated, so a follow-up
    // of a question that no longer applies vanishes too. Iterate to a fixed
    // point (conditions only read other questions' answers). Masks are by
    // question index.
    let count = catalog.question_count();
    let mut not_applicable: Arc<[bool]> = vec![false; count].into();
    let mut converged = false;
    // The last pass's context and the answers it masked: the rules reuse it
    // unless they read an answer masked differently.
    let mut last: Option<(minijinja::Value, Arc<[bool]>)> = None;
    let contexts = Contexts::new(manifest, catalog, as_of);
    let read = catalog.read_by_conditions();
    for _ in 0..=scope.len() {
        let ctx = contexts.build(&not_applicable);
        let mut next = vec![false; count];
        let mut memo = Memo::new(catalog);
        // Only the last pass's errors matter: each pass sees the same ones.
        diags.clear();
        for s in &scope {
            let Some(condition) = s.condition else {
                continue;
            };
            match memo.is_true(condition, &ctx) {
                Ok(true) => {}
                Ok(false) => mask(&mut next, s.index),
                Err(e) => {
                    diags.push(runtime_error(
                        catalog,
                        &s.checklist.id,
                        &s.question.id,
                        condition.expr.source(),
                        &e,
                    ));
                    mask(&mut next, s.index);
                }
            }
        }
        let next: Arc<[bool]> = next.into();
        if next == not_applicable {
            converged = true;
            last = Some((ctx, next));
            break;
        }
        // Another pass would only mask answers no condition reads, so it
        // would find the same set: stop here (most manifests stop after
        // one pass).
        if differ_where(&next, &not_applicable, read).is_none() {
            converged = true;
            last = Some((ctx, std::mem::replace(&mut not_applicable, next)));
            break;
        }
        not_applicable = next;
    }
    if !converged && diags.is_empty() {
        // Conditions that switch each other on and off (A asked when B is
        // not, and B when A is not) have no stable answer.
        let file = scope
            .first()
            .and_then(|s| catalog.get(&s.checklist.id))
            .map_or_else(String::new, |l| l.doc.file.clone());
        diags.push(
            Diagnostic::error(
                "conditions-unstable",
                &file,
                crate::diag::Pos::START,
                "the `when` conditions of these checklists switch each other on and off, so which questions apply has no stable answer",
            )
            .with_help("make follow-up conditions depend only on questions asked before them"),
        );
    }
    if !diags.is_empty() {
        return Err(diags);
    }
    let applies = |id: &str| {
        catalog
            .question_index(id)
            .is_none_or(|i| !not_applicable[i])
    };

    let waivers: Vec<WaiverStatus> = manifest
        .waivers
        .iter()
        .map(|w| WaiverStatus {
            target: w
                .question
                .clone()
                .or_else(|| w.rule.clone())
                .unwrap_or_default(),
            reason: w.reason.clone().unwrap_or_default(),
            approved_by: w.approved_by.clone().unwrap_or_default(),
            expires: w.expires,
            active: w.expires.is_some_and(|e| e >= as_of),
        })
        .collect();
    let waived_questions: BTreeSet<&str> = manifest
        .waivers
        .iter()
        .zip(&waivers)
        .filter(|(w, s)| s.active && w.question.is_some())
        .map(|(_, s)| s.target.as_str())
        .collect();
    let waived_rules: BTreeSet<&str> = manifest
        .waivers
        .iter()
        .zip(&waivers)
        .filter(|(w, s)| s.active && w.rule.is_some())
        .map(|(_, s)| s.target.as_str())
        .collect();

    // Score each question.
    let mut questions: Vec<QuestionResult> = scope
        .iter()
        .map(|s| {
            let (checklist, area, q) = (s.checklist, s.area, s.question);
            let answer = manifest.answers.get(&q.id);
            let status = if not_applicable.get(s.index) == Some(&true) {
                Status::NotApplicable
            } else if waived_questions.contains(q.id.as_str()) {
                Status::Waived
            } else {
                match answer {
                    None => Status::Unanswered,
                    Some(a) if a.is_unknown() => Status::Unknown,
                    Some(_) if !q.is_scored() => Status::Unscored,
                    Some(_) => Status::Answered,
                }
            };
            score_question(
                checklist.id.as_str(),
                area.id.as_str(),
                q,
                answer,
                status,
                policy,
                as_of,
            )
        })
        .collect();

    // Areas and overall, with exact attribution of lost points. Areas come
    // in scope order (area ids are unique across a catalog); `members[a]`
    // lists the questions of area `a` that count.
    let mut areas: Vec<AreaResult> = Vec::new();
    let mut members: Vec<Vec<usize>> = Vec::new();
    for (i, s) in scope.iter().enumerate() {
        let a = match areas.iter().position(|a| a.id == s.area.id) {
            Some(a) => a,
            None => {
                areas.push(AreaResult {
                    checklist: s.checklist.id.clone(),
                    id: s.area.id.clone(),
                    title: s.area.title.clone(),
                    weight: s.area.weight,
                    score: None,
                    confidence: None,
                    applicable: 0,
                    answered: 0,
                    points_lost: 0.0,
                });
                members.push(Vec::new());
                areas.len() - 1
            }
        };
        if counts(questions[i].status) {
            members[a].push(i);
        }
    }
    for (area, members) in areas.iter_mut().zip(&members) {
        let counted: Vec<&QuestionResult> = members.iter().map(|&i| &questions[i]).collect();
        let total: f64 = counted.iter().map(|r| r.weight).sum();
        if total > 0.0 {
            let s = counted
                .iter()
                .map(|r| r.weight * r.score.unwrap_or(0.0))
                .sum::<f64>()
                / total;
            area.score = Some(100.0 * s);
            area.confidence = confidence_of(&counted);
        }
        area.applicable = counted.len();
        area.answered = counted
            .iter()
            .filter(|r| r.status == Status::Answered)
            .count();
    }
    let area_total: f64 = areas
        .iter()
        .filter(|a| a.score.is_some())
        .map(|a| a.weight)
        .sum();
    let mut score = 0.0;
    if area_total > 0.0 {
        for (area, members) in areas.iter_mut().zip(&members) {
            let Some(s) = area.score else { continue };
            let share = area.weight / area_total;
            score += share * s;
            let weight_total: f64 = members.iter().map(|&i| questions[i].weight).sum();
            for &i in members {
                let r = &mut questions[i];
                let unit = 100.0 * share * r.weight / weight_total;
                let raw = r.answer_score.unwrap_or(0.0);
                r.points_lost_answer = unit * (1.0 - raw);
                r.points_lost_evidence = unit * (raw - r.score.unwrap_or(0.0));
                area.points_lost += r.points_lost_answer + r.points_lost_evidence;
            }
        }
    }
    // Confidence weighs areas the same way, over the areas that have
    // anything to be confident about (an area of waived questions has not).
    let confident_total: f64 = areas
        .iter()
        .filter(|a| a.confidence.is_some())
        .map(|a| a.weight)
        .sum();
    let confidence = if confident_total > 0.0 {
        areas
            .iter()
            .filter_map(|a| a.confidence.map(|c| a.weight / confident_total * c))
            .sum()
    } else {
        0.0
    };
    let score_tier = policy.tier_for(score);

    // Gates.
    let ctx = match last {
        Some((ctx, masked))
            if differ_where(&masked, &not_applicable, catalog.read_by_rules()).is_none() =>
        {
            ctx
        }
        _ => contexts.build(&not_applicable),
    };
    let mut gates = Vec::new();
    let mut gate_tier: Option<Level> = None;
    let mut rejected_by: Vec<String> = Vec::new();
    let mut findings: Vec<Finding> = Vec::new();
    let mut memo = Memo::new(catalog);
    for id in &manifest.integration.checklists {
        let Some(loaded) = catalog.get(id) else {
            continue;
        };
        for rule in &loaded.checklist.rules {
            let Some(condition) = catalog.rule_condition(&rule.id) else {
                continue;
            };
            match memo.is_true(condition, &ctx) {
                Ok(false) => continue,
                Ok(true) => {}
                Err(e) => {
                    let source = condition.expr.source();
                    diags.push(runtime_error(catalog, id, &rule.id, source, &e));
                    continue;
                }
            }
            // A reject cannot be waived: the loader refuses such a waiver,
            // and this check keeps a hand-built manifest from slipping past.
            let waived = !rule.rejects() && waived_rules.contains(rule.id.as_str());
            let effect = match rule.effect {
                Effect::Simple(SimpleEffect::Reject) => "reject".to_string(),
                Effect::Simple(SimpleEffect::Finding) => "finding".to_string(),
                Effect::MinTier { min_tier } => format!("min-tier {min_tier}"),
            };
            gates.push(Gate {
                rule: rule.id.clone(),
                checklist: id.clone(),
                effect,
                message: rule.message.clone(),
                waived,
            });
            if waived {
                continue;
            }
            match rule.effect {
                Effect::Simple(SimpleEffect::Reject) => rejected_by.push(rule.id.clone()),
                Effect::MinTier { min_tier } => gate_tier = gate_tier.max(Some(min_tier)),
                Effect::Simple(SimpleEffect::Finding) => {}
            }
            findings.push(Finding {
                id: rule.id.clone(),
                kind: "rule",
                severity: rule.finding_severity(),
                title: rule.message.clone(),
                detail: match rule.effect {
                    Effect::Simple(SimpleEffect::Reject) => "rejects the integration".to_string(),
                    Effect::MinTier { min_tier } => {
                        format!("raises the tier to at least {min_tier}")
                    }
                    Effect::Simple(SimpleEffect::Finding) => "finding".to_string(),
                },
                remediation: rule.remediation.clone(),
                points_lost: 0.0,
            });
        }
    }
    if !diags.is_empty() {
        return Err(diags);
    }

    // The policy's never-grant list is a gate of its own, whatever the
    // checklists say: a manifest that leaves out the exchange-keys checklist
    // must not get a withdrawal key approved.
    let never = &policy.key_policy.never_grant;
    let forbidden: BTreeSet<Permission> = manifest
        .integration
        .permissions
        .iter()
        .chain(
            manifest
                .integration
                .keys
                .iter()
                .flat_map(|k| k.permissions.iter()),
        )
        .copied()
        .filter(|p| never.contains(p))
        .collect();
    if !forbidden.is_empty() {
        let names: Vec<&str> = forbidden.iter().map(|p| p.as_str()).collect();
        let message = format!(
            "The integration asks for or holds {}, which the policy never grants to a vendor",
            names.join(", ")
        );
        rejected_by.push("never-grant (policy)".to_string());
        gates.push(Gate {
            rule: "never-grant".to_string(),
            checklist: "policy".to_string(),
            effect: "reject".to_string(),
            message: message.clone(),
            waived: false,
        });
        findings.push(Finding {
            id: "never-grant".to_string(),
            kind: "rule",
            severity: Level::Critical,
            title: message,
            detail: "rejects the integration".to_string(),
            remediation: Some(format!(
                "Issue a key without {}; no trading, tracking or tax feature needs it.",
                names.join(", ")
            )),
            points_lost: 0.0,
        });
    }

    // Answers below the policy's threshold are findings; better answers
    // that still lose a little show only in the trace.
    for r in questions.iter().filter(|r| {
        r.status == Status::Answered && r.answer_score.is_some_and(|s| s < policy.finding_below)
    }) {
        let (_, _, q) = catalog.question(&r.id).expect("question in scope");
        findings.push(Finding {
            id: r.id.clone(),
            kind: "question",
            severity: r.severity,
            title: q.text.clone(),
            detail: format!("answered: {}", r.answer.clone().unwrap_or_default()),
            remediation: q.remediation.clone(),
            points_lost: r.points_lost_answer + r.points_lost_evidence,
        });
    }
    // A person's answer that collected evidence disagrees with is flagged,
    // never silently replaced: the reviewer decides which is right. A claim
    // better than the evidence matters as much as the question; a claim
    // worse than the evidence is only out of date.
    for c in crate::evidence::contradictions(manifest, catalog)
        .into_iter()
        .filter(|c| applies(&c.question))
    {
        let (_, _, q) = catalog.question(&c.question).expect("question in scope");
        let claimed = answer_score(q, &c.answer, as_of);
        let observed = answer_score(q, &c.collected, as_of);
        let severity = if claimed <= observed {
            Level::Low
        } else {
            q.severity
        };
        findings.push(Finding {
            id: c.question.clone(),
            kind: "contradiction",
            severity,
            title: format!("Collected evidence contradicts the answer to: {}", q.text),
            detail: c.describe(),
            remediation: Some(
                "Check which is right; correct the answer, or record why the evidence is wrong in its note."
                    .into(),
            ),
            points_lost: 0.0,
        });
    }
    findings.sort_by(|a, b| {
        b.severity
            .cmp(&a.severity)
            .then_with(|| (a.kind != "rule").cmp(&(b.kind != "rule")))
            .then_with(|| b.points_lost.total_cmp(&a.points_lost))
            .then_with(|| a.id.cmp(&b.id))
    });

    let (inherent_risk, inherent_reasons) = inherent_risk(manifest, policy);
    let tier = score_tier.max(gate_tier.unwrap_or(Level::Low));
    let (verdict, verdict_reason) = if !rejected_by.is_empty() {
        (
            Verdict::Reject,
            format!("rejected by rule {}", rejected_by.join(", ")),
        )
    } else {
        let v = policy.verdict(inherent_risk, tier);
        (
            v,
            format!(
                "policy table: inherent risk {inherent_risk} with residual tier {tier} gives {}",
                v.label()
            ),
        )
    };

    let key_policy = key_policy(manifest, policy, tier, as_of);
    let next_review = manifest
        .assessment
        .date
        .plus_days(Policy::days(&policy.review_days, tier));
    let conditions = conditions(&key_policy, &findings, verdict, tier, next_review);

    Ok(Assessment {
        as_of,
        score,
        confidence,
        score_tier,
        gate_tier,
        rejected_by_rule: !rejected_by.is_empty(),
        tier,
        inherent_risk,
        inherent_reasons,
        verdict,
        verdict_reason,
        areas,
        questions,
        gates,
        findings,
        conditions,
        key_policy,
        next_review,
        waivers,
    })
}

/// Whether a question takes part in the score. A waived question counts as
/// satisfied (score 1), as an exemption does in CLOMonitor, so that adding a
/// waiver can never lower a score; it takes no part in confidence.
fn counts(status: Status) -> bool {
    matches!(
        status,
        Status::Answered | Status::Unknown | Status::Unanswered | Status::Waived
    )
}

/// Share (0 to 100) of the non-waived weight of `results` backed by current
/// evidence; none when every question is waived.
pub fn confidence_of(results: &[&QuestionResult]) -> Option<f64> {
    let total: f64 = results
        .iter()
        .filter(|r| r.status != Status::Waived)
        .map(|r| r.weight)
        .sum();
    (total > 0.0).then(|| {
        100.0
            * results
                .iter()
                .filter(|r| r.backed)
                .map(|r| r.weight)
                .sum::<f64>()
            / total
    })
}

fn runtime_error(
    catalog: &Catalog,
    checklist: &str,
    id: &str,
    source: &str,
    err: &str,
) -> Diagnostic {
    let file = catalog
        .get(checklist)
        .map_or(checklist.to_string(), |l| l.doc.file.clone());
    let mut d = Diagnostic::error(
        "expression-failed",
        &file,
        crate::diag::Pos::START,
        format!("the condition of `{id}` (`{source}`) failed: {err}"),
    )
    .with_help("compare values of the same type; use `is none` to test for a missing answer");
    if let Some(l) = catalog.get(checklist) {
        let pos = find_when(&l.doc.root, id);
        d.line = pos.line;
        d.col = pos.col;
    }
    d
}

/// Position of the `when` of the question or rule with this id.
fn find_when(root: &crate::yaml::Node, id: &str) -> crate::diag::Pos {
    use crate::yaml::Value;
    fn walk(node: &crate::yaml::Node, id: &str) -> Option<crate::diag::Pos> {
        match &node.value {
            Value::Map(_) if node.get("id").and_then(|n| n.as_str()) == Some(id) => {
                node.get("when").map(|w| w.pos)
            }
            Value::Map(entries) => entries.iter().find_map(|(_, v)| walk(v, id)),
            Value::Seq(items) => items.iter().find_map(|v| walk(v, id)),
            _ => None,
        }
    }
    walk(root, id).unwrap_or(crate::diag::Pos::START)
}

fn score_question(
    checklist: &str,
    area: &str,
    q: &Question,
    answer: Option<&Answer>,
    status: Status,
    policy: &Policy,
    as_of: Date,
) -> QuestionResult {
    let answer_score = match status {
        Status::Answered => answer.map(|a| answer_score(q, &a.value, as_of)),
        Status::Unknown | Status::Unanswered => Some(0.0),
        Status::Waived => Some(1.0),
        Status::NotApplicable | Status::Unscored => None,
    };
    let evidence = match answer {
        _ if q.evidence == EvidenceNeed::None => EvidenceState::NotNeeded,
        Some(a) if a.evidence.is_empty() => EvidenceState::Missing,
        Some(a) => {
            let current = a.evidence.iter().any(|e| {
                e.observed.days_until(as_of) <= policy.evidence.max_age_days
                    && e.expires.is_none_or(|x| x >= as_of)
            });
            if current {
                EvidenceState::Current
            } else {
                EvidenceState::Stale
            }
        }
        None => EvidenceState::Missing,
    };
    let credit = match (status, evidence) {
        (Status::Answered, EvidenceState::Missing) => match q.evidence {
            EvidenceNeed::Required => policy.evidence.credit.unverified_required,
            _ => policy.evidence.credit.unverified_recommended,
        },
        (Status::Answered, EvidenceState::Stale) => policy.evidence.credit.stale,
        _ => 1.0,
    };
    let backed = status == Status::Answered
        && matches!(evidence, EvidenceState::Current | EvidenceState::NotNeeded);
    QuestionResult {
        id: q.id.clone(),
        checklist: checklist.to_string(),
        area: area.to_string(),
        text: q.text.clone(),
        severity: q.severity,
        weight: policy.weight(q.severity),
        status,
        answer: answer.map(|a| display_answer(q, &a.value)),
        source: answer.map(|a| a.source),
        evidence,
        answer_score,
        credit,
        score: answer_score.map(|s| s * credit),
        points_lost_answer: 0.0,
        points_lost_evidence: 0.0,
        backed,
    }
}

/// Score of a (valid) answer value.
fn answer_score(q: &Question, value: &Json, as_of: Date) -> f64 {
    match q.kind {
        QuestionType::Choice => value
            .as_str()
            .and_then(|v| q.option(v))
            .map_or(0.0, |o| o.score),
        QuestionType::Multi => value
            .as_array()
            .map(|items| {
                items
                    .iter()
                    .filter_map(|v| v.as_str().and_then(|v| q.option(v)))
                    .map(|o| o.score)
                    .sum::<f64>()
            })
            .unwrap_or(0.0)
            .clamp(0.0, 1.0),
        QuestionType::Bool => {
            if value.as_bool() == Some(q.favourable.unwrap_or(true)) {
                1.0
            } else {
                0.0
            }
        }
        QuestionType::Number => value.as_f64().map_or(0.0, |n| band_score(q, n)),
        QuestionType::Date => value
            .as_str()
            .and_then(|s| s.parse::<Date>().ok())
            .map_or(0.0, |d| band_score(q, d.days_until(as_of) as f64)),
        QuestionType::Text => 0.0,
    }
}

fn band_score(q: &Question, x: f64) -> f64 {
    q.bands
        .iter()
        .find(|b| b.up_to.is_none_or(|u| x <= u))
        .map_or(0.0, |b| b.score)
}

fn display_answer(q: &Question, value: &Json) -> String {
    match value {
        Json::String(s) if s == "unknown" => "unknown".to_string(),
        Json::String(s) => q.option(s).map_or_else(|| s.clone(), |o| o.label.clone()),
        Json::Array(items) => items
            .iter()
            .map(|v| {
                let s = v.as_str().unwrap_or_default();
                q.option(s)
                    .map_or_else(|| s.to_string(), |o| o.label.clone())
            })
            .collect::<Vec<_>>()
            .join(", "),
        Json::Bool(true) => "yes".to_string(),
        Json::Bool(false) => "no".to_string(),
        other => other.to_string(),
    }
}

/// Whether the integration receives exchange keys.
pub fn receives_exchange_keys(m: &Manifest) -> bool {
    !m.integration.keys.is_empty()
        || m.integration
            .checklists
            .iter()
            .any(|c| c == "exchange-keys")
        || m.integration.permissions.iter().any(|p| {
            matches!(
                p,
                Permission::Trade | Permission::Transfer | Permission::Withdraw
            )
        })
}

/// A question in the scope of one evaluation.
struct InScope<'c> {
    checklist: &'c crate::checklist::Checklist,
    area: &'c crate::checklist::Area,
    question: &'c Question,
    /// Its index among the catalog's question ids.
    index: usize,
    /// Its applicability condition.
    condition: Option<Condition<'c>>,
}

/// Results of condition texts in one context: a text that several
/// questions share is evaluated once.
struct Memo(Vec<Option<Result<bool, String>>>);

impl Memo {
    fn new(catalog: &Catalog) -> Memo {
        Memo(vec![None; catalog.condition_slots()])
    }

    fn is_true(&mut self, c: Condition<'_>, ctx: &minijinja::Value) -> Result<bool, String> {
        self.0[c.slot]
            .get_or_insert_with(|| c.expr.is_true(ctx))
            .clone()
    }
}

/// Marks question `index` as not applicable.
fn mask(masked: &mut [bool], index: usize) {
    if let Some(m) = masked.get_mut(index) {
        *m = true;
    }
}

/// The first index where `a` and `b` differ among those `relevant` marks.
fn differ_where(a: &[bool], b: &[bool], relevant: &[bool]) -> Option<usize> {
    (0..relevant.len()).find(|&i| relevant[i] && a.get(i) != b.get(i))
}

/// Builds the expression contexts of one evaluation. What does not change
/// between passes (integration, vendor, incidents, each answer's value) is
/// converted to minijinja values once; a pass only points a lazy `answers`
/// view at its mask.
struct Contexts {
    base: Vec<(&'static str, minijinja::Value)>,
    shape: Arc<crate::rules::answers::Shape>,
    /// By question index: the answer's value, none when unanswered.
    answers: Arc<[minijinja::Value]>,
}

impl Contexts {
    fn new(m: &Manifest, catalog: &Catalog, as_of: Date) -> Contexts {
        let mut json = context_json(m, Json::Null, as_of);
        let base = ["integration", "vendor", "incidents"]
            .into_iter()
            .map(|k| {
                (
                    k,
                    minijinja::Value::from(minijinja::value::Serde(json[k].take())),
                )
            })
            .collect();
        let mut answers = vec![minijinja::Value::from(()); catalog.question_count()];
        for (id, a) in &m.answers {
            if let Some(i) = catalog.question_index(id) {
                answers[i] = minijinja::Value::from(minijinja::value::Serde(&a.value));
            }
        }
        Contexts {
            base,
            shape: catalog.answers_shape().clone(),
            answers: answers.into(),
        }
    }

    /// The context with the answers `masked` marks left out (as none).
    fn build(&self, masked: &Arc<[bool]>) -> minijinja::Value {
        let mut map: std::collections::BTreeMap<&str, minijinja::Value> =
            self.base.iter().cloned().collect();
        map.insert(
            "answers",
            crate::rules::answers::View::root(
                self.shape.clone(),
                self.answers.clone(),
                masked.clone(),
            ),
        );
        minijinja::Value::from(map)
    }
}

/// The `answers` object of the context: every question id as an attribute
/// path (`answers.keys.withdrawal`), valued by `value`.
pub fn answers_json<'a>(ids: impl Iterator<Item = &'a str>, value: impl Fn(&str) -> Json) -> Json {
    let mut answers = Map::new();
    for id in ids {
        insert_path(&mut answers, id, value(id));
    }
    Json::Object(answers)
}

/// The whole expression context as JSON, with `answers` as given.
pub fn context_json(m: &Manifest, answers: Json, as_of: Date) -> Json {
    let keys: Vec<Json> = m
        .integration
        .keys
        .iter()
        .map(|k| {
            serde_json::json!({
                "exchange": k.exchange, "label": k.label, "permissions": k.permissions,
                "ip_restricted": k.ip_restricted, "age_days": k.created.days_until(as_of),
            })
        })
        .collect();
    let incidents: Vec<Json> = m
        .incidents
        .iter()
        .map(|i| {
            serde_json::json!({
                "kind": i.kind, "severity": i.severity, "date": i.date.to_string(),
                "age_days": i.date.days_until(as_of), "acknowledged_after_days": i.acknowledged_after_days,
                "denied_first": i.denied_first, "postmortem": i.postmortem.is_some(),
            })
        })
        .collect();
    serde_json::json!({
        "answers": answers,
        "integration": {
            "purpose": m.integration.purpose,
            "permissions": m.integration.permissions,
            "exchange_keys": receives_exchange_keys(m),
            "funds_at_risk": m.integration.funds_at_risk.as_ref().map_or(0.0, |f| f.amount),
            "data_classes": m.integration.data_classes,
            "keys": keys,
            // Every permission any issued key holds, so a rule can ask
            // `'withdraw' in integration.key_permissions`.
            "key_permissions": m.integration.keys.iter().flat_map(|k| k.permissions.iter().copied()).collect::<BTreeSet<_>>(),
        },
        "vendor": {
            "name": m.vendor.name, "website": m.vendor.website, "docs": m.vendor.docs,
            "repository": m.vendor.repository, "egress_ips": m.vendor.egress_ips,
        },
        "incidents": incidents,
    })
}

fn insert_path(map: &mut Map<String, Json>, path: &str, value: Json) {
    match path.split_once('.') {
        None => {
            map.insert(path.to_string(), value);
        }
        Some((head, rest)) => {
            let child = map
                .entry(head.to_string())
                .or_insert_with(|| Json::Object(Map::new()));
            if let Json::Object(child) = child {
                insert_path(child, rest, value);
            }
        }
    }
}

fn inherent_risk(m: &Manifest, policy: &Policy) -> (Level, Vec<String>) {
    let mut level = Level::Low;
    let mut reasons = Vec::new();
    for p in &m.integration.permissions {
        if let Some(&l) = policy.inherent_risk.permissions.get(p) {
            level = level.max(l);
            reasons.push(format!("{} permission: {l}", p.as_str()));
        }
    }
    // Funds are at risk only through permissions that can move them; a
    // read-only key exposes privacy, not balances.
    let moves_funds = m.integration.permissions.iter().any(|p| {
        matches!(
            p,
            Permission::Trade | Permission::Transfer | Permission::Withdraw | Permission::Admin
        )
    });
    let risk = &policy.inherent_risk;
    if let Some(funds) = m.integration.funds_at_risk.as_ref().filter(|_| moves_funds) {
        // `check_currency` refuses a manifest whose currency has no rate
        // before evaluation; a library caller that skipped it gets the
        // worst band, never a guess that the unit is the policy's.
        let value = risk.funds_value(funds.amount, &funds.currency);
        let band = risk
            .funds_at_risk
            .iter()
            .filter(|b| value.is_none_or(|v| v >= b.at_least))
            .max_by_key(|b| b.level);
        if let Some(band) = band {
            level = level.max(band.level);
            let converted = match value {
                Some(v) if funds.currency != risk.funds_currency => {
                    format!(" (about {v:.0} {})", risk.funds_currency)
                }
                Some(_) => String::new(),
                None => " (no exchange rate in the policy)".to_string(),
            };
            reasons.push(format!(
                "funds at risk {} {}{converted}: {}",
                funds.amount, funds.currency, band.level
            ));
        }
    }
    for class in &m.integration.data_classes {
        if let Some(&l) = policy.inherent_risk.data_classes.get(class) {
            level = level.max(l);
            reasons.push(format!("{class} data: {l}"));
        }
    }
    (level, reasons)
}

fn key_policy(m: &Manifest, policy: &Policy, tier: Level, as_of: Date) -> KeyPolicy {
    let never = &policy.key_policy.never_grant;
    let requested: BTreeSet<Permission> = m.integration.permissions.iter().copied().collect();
    let grant: Vec<Permission> = requested
        .iter()
        .copied()
        .filter(|p| !never.contains(p))
        .collect();
    let refused_requests: Vec<Permission> = requested
        .iter()
        .copied()
        .filter(|p| never.contains(p))
        .collect();
    let rotation_days = Policy::days(&policy.key_policy.rotation_days, tier);
    let keys = m
        .integration
        .keys
        .iter()
        .map(|k| {
            let rotate_by = k.created.plus_days(rotation_days);
            let rotate_by = k.expires.map_or(rotate_by, |e| e.min(rotate_by));
            KeyStatus {
                exchange: k.exchange.clone(),
                label: k.label.clone(),
                created: k.created,
                rotate_by,
                rotation_overdue: rotate_by < as_of,
                excess: k
                    .permissions
                    .iter()
                    .copied()
                    .filter(|p| !grant.contains(p))
                    .collect::<BTreeSet<_>>()
                    .into_iter()
                    .collect(),
                ip_restricted: k.ip_restricted,
            }
        })
        .collect();
    let mut refuse: Vec<Permission> = never.clone();
    refuse.sort();
    refuse.dedup();
    KeyPolicy {
        applies: receives_exchange_keys(m),
        grant,
        refuse,
        refused_requests,
        ip_allowlist: m.vendor.egress_ips.clone(),
        rotation_days,
        keys,
    }
}

fn names(perms: &[Permission]) -> String {
    perms
        .iter()
        .map(|p| p.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

fn conditions(
    kp: &KeyPolicy,
    findings: &[Finding],
    verdict: Verdict,
    tier: Level,
    next_review: Date,
) -> Vec<String> {
    let mut out = Vec::new();
    if verdict == Verdict::Reject {
        return out;
    }
    if kp.applies {
        out.push(format!(
            "Grant only: {}. Never grant: {}.",
            names(&kp.grant),
            names(&kp.refuse)
        ));
        if kp.ip_allowlist.is_empty() {
            out.push("The vendor publishes no static egress IPs, so keys cannot be bound to it: prefer the exchange's broker or OAuth connection, and keep funds at risk small.".to_string());
        } else {
            out.push(format!(
                "Bind every key to the vendor's egress IPs only: {}.",
                kp.ip_allowlist.join(", ")
            ));
        }
        out.push(format!("Issue one key for this vendor alone and rotate it at least every {} days (tier {tier}).", kp.rotation_days));
        for k in &kp.keys {
            if !k.excess.is_empty() {
                out.push(format!("Key {} on {} has {} beyond what may be granted: revoke it and issue a narrower key.", k.label, k.exchange, names(&k.excess)));
            }
            if !k.ip_restricted && !kp.ip_allowlist.is_empty() {
                out.push(format!(
                    "Key {} on {} is not IP-restricted: bind it to the allow-list.",
                    k.label, k.exchange
                ));
            }
            if k.rotation_overdue {
                out.push(format!(
                    "Key {} on {} was due for rotation on {}: rotate it now.",
                    k.label, k.exchange, k.rotate_by
                ));
            }
        }
    }
    for f in findings.iter().filter(|f| f.severity >= Level::High) {
        if let Some(r) = &f.remediation {
            out.push(format!("{} ({}): {}", f.id, f.severity, r));
        }
    }
    out.push(format!("Reassess by {next_review}."));
    out
}
