//! Evaluation: checklists x manifest x policy -> [`Assessment`], in named
//! stages, each a function from typed input to typed output:
//!
//! 1. [`scope`]: the questions of the manifest's checklists, and what the
//!    vendor holds ([`Holding`]);
//! 2. [`incidents`]: where each past incident stands today;
//! 3. [`applicability`]: which questions apply, to a fixed point;
//! 4. [`waivers`]: which exceptions are in force;
//! 5. [`scoring`]: each question's score, then the one tally of areas,
//!    score and confidence;
//! 6. [`gates`]: rules whose condition holds, and the never-grant list;
//! 7. [`findings`]: what needs attention;
//! 8. [`decision`]: inherent risk, tier and verdict, with its basis;
//! 9. [`conditions`]: the key policy and the terms of an approval.
//!
//! [`advice`] runs after, for a single report: the open questions that
//! matter and what would have to change.
//!
//! Pure arithmetic on loaded data: no I/O, no clock (the caller passes the
//! `as_of` date).

pub mod advice;
mod applicability;
pub mod conditions;
mod context;
pub mod decision;
pub mod documents;
pub mod findings;
pub mod gates;
pub mod hypothesis;
pub mod incidents;
pub mod reach;
pub mod scope;
pub mod scoring;
pub mod waivers;

use std::sync::Arc;

use serde::Serialize;

use crate::checklist::Catalog;
use crate::date::Date;
use crate::diag::Diagnostic;
use crate::level::Level;
use crate::manifest::{Answer, Manifest};
use crate::rules::{Policy, Verdict};

pub use advice::{Advice, advise};

/// A copy of `m` without the text no evaluation reads: incident summaries,
/// post-mortem and reference links, remediation texts and links, and the
/// notes and locations of evidence; notes on answers and post-mortems are
/// kept only as present or absent. Advice evaluates dozens of changed
/// copies of one manifest, and hypotheses two more per evaluation: copying
/// megabytes of notes into each made the work a hundred times the input
/// (issue 16). Only the verdicts and scores of such copies are used; the
/// report is built from the manifest itself.
pub(crate) fn lean(m: &Manifest) -> Manifest {
    let mut m = m.clone();
    let mark = |text: &mut Option<String>| {
        if let Some(t) = text {
            t.clear();
            t.shrink_to_fit();
        }
    };
    for i in &mut m.incidents {
        mark(&mut i.summary);
        mark(&mut i.postmortem);
        i.references = Vec::new();
        if let Some(r) = &mut i.remediation {
            mark(&mut r.summary);
            r.evidence = Vec::new();
        }
    }
    for a in m.answers.values_mut() {
        mark(&mut a.note);
        for e in &mut a.evidence {
            e.url = String::new();
            mark(&mut e.note);
        }
    }
    m
}
pub use conditions::{Condition, KeyAction, KeyPolicy, KeyStatus};
pub use context::answers_json;
pub use decision::Basis;
pub use findings::{Finding, FindingKind};
pub use gates::{Gate, GateEffect};
pub use incidents::{IncidentStanding, Standing};
pub use scope::Holding;
pub use scoring::{EvidenceState, Freshness, QuestionResult, Status, freshness, tally};
pub use waivers::{WaiverStatus, WaiverTarget};

/// Everything the evaluation concluded.
#[derive(Clone, Debug, Serialize)]
pub struct Assessment {
    /// The date the evaluation treats as today.
    pub as_of: Date,
    /// Overall score of what is known, 0 to 100.
    pub score: f64,
    /// Share of what counts that is known from current evidence, 0 to 100.
    pub confidence: f64,
    /// The policy's minimum confidence for this inherent risk.
    pub min_confidence: f64,
    /// Tier from the score alone.
    pub score_tier: Level,
    /// The highest `min-tier` of the gates that applied, if any.
    pub gate_tier: Option<Level>,
    /// Whether a `reject` gate applied.
    pub rejected_by_rule: bool,
    /// Residual risk tier: critical when a rule rejects, else the score's
    /// tier raised by `min-tier` gates.
    pub tier: Level,
    /// Inherent risk of what the integration is granted.
    pub inherent_risk: Level,
    /// What set the inherent risk.
    pub inherent_reasons: Vec<String>,
    /// Approve, approve with conditions, more information needed, reject.
    pub verdict: Verdict,
    /// What decided it.
    pub basis: Basis,
    /// Why, in one sentence.
    pub verdict_reason: String,
    /// Whether you host the software, so the vendor holds no key.
    pub self_hosted: bool,
    /// Per area.
    pub areas: Vec<AreaResult>,
    /// Per question in scope, in checklist order.
    pub questions: Vec<QuestionResult>,
    /// Rules whose condition held.
    pub gates: Vec<Gate>,
    /// What needs attention, worst first.
    pub findings: Vec<Finding>,
    /// Terms of an approval.
    pub conditions: Vec<Condition>,
    /// What keys may be granted, and what to do with each.
    pub key_policy: KeyPolicy,
    /// When the vendor must be reassessed.
    pub next_review: Date,
    /// Waivers and whether they are in force.
    pub waivers: Vec<WaiverStatus>,
    /// Each incident's weight today, in manifest order.
    pub incidents: Vec<IncidentStanding>,
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
    /// Score 0 to 100, none when nothing in it is scored.
    pub score: Option<f64>,
    /// Confidence 0 to 100, none when nothing applies.
    pub confidence: Option<f64>,
    /// Questions that count (scored or open).
    pub applicable: usize,
    /// Of those, answered with something other than unknown.
    pub answered: usize,
    /// Overall points lost in this area.
    pub points_lost: f64,
}

/// Evaluates a loaded manifest. Diagnostics report conditions that fail at
/// run time (a type error in an expression), at their place in the
/// checklist.
pub fn evaluate(
    manifest: &Manifest,
    catalog: &Catalog,
    policy: &Policy,
    as_of: Date,
) -> Result<Assessment, Vec<Diagnostic>> {
    run(manifest, catalog, policy, as_of, true)
}

/// What the stages read that does not depend on the answers: worked out
/// once per evaluation, and shared by the hypotheses of [`bounds`], which
/// change answers only.
struct Fixed<'m, 'c> {
    as_of: Date,
    holding: Holding,
    incidents: Vec<IncidentStanding>,
    scope: Vec<scope::InScope<'c>>,
    waivers: Vec<WaiverStatus>,
    inherent_risk: Level,
    inherent_reasons: Vec<String>,
    /// By question index: the manifest's answer.
    answers: Vec<Option<&'m Answer>>,
    contexts: context::Contexts,
    /// Condition results known before evaluating.
    preset: context::Memo,
    /// Questions whose answers credit a document that has run out.
    lapsed: Vec<&'static str>,
}

impl<'m, 'c> Fixed<'m, 'c> {
    fn new(m: &'m Manifest, catalog: &'c Catalog, policy: &Policy, as_of: Date) -> Self {
        let holding = Holding::of(m, catalog);
        let incidents = incidents::standings(&m.incidents, &policy.incidents, as_of);
        let scope = scope::scope(m, catalog);
        let answers = answers_by_index(m, catalog);
        let contexts = context::Contexts::new(m, catalog, &holding, &incidents, &answers, as_of);
        let waivers = waivers::statuses(&m.waivers, as_of);
        let (inherent_risk, inherent_reasons) = decision::inherent_risk(m, &holding, policy);
        let preset = context::Memo::preset(catalog, m);
        let lapsed = documents::lapsed_questions(m, as_of);
        Fixed {
            as_of,
            holding,
            incidents,
            scope,
            waivers,
            inherent_risk,
            inherent_reasons,
            answers,
            contexts,
            preset,
            lapsed,
        }
    }

    /// Whether the verdict must be checked against the answers the open
    /// questions could get: confidence is below the policy's minimum and no
    /// rule rejects anyway.
    fn needs_bounds(&self, j: &Judged, policy: &Policy) -> bool {
        let rejects = j
            .gates
            .iter()
            .any(|g| g.acts() && g.effect == GateEffect::Reject);
        !rejects && j.tally.confidence < policy.min_confidence.get(self.inherent_risk)
    }

    fn decide(
        &self,
        j: &Judged,
        policy: &Policy,
        bounds: Option<decision::Bounds>,
    ) -> decision::Decision {
        decision::decide(
            policy,
            &j.gates,
            policy.tier_for(j.tally.score),
            self.inherent_risk,
            j.tally.confidence,
            bounds,
        )
    }
}

/// The manifest's answers by question index ([`crate::checklist::QuestionId::index`]),
/// so that no stage looks an answer up by its text id.
fn answers_by_index<'m>(m: &'m Manifest, catalog: &Catalog) -> Vec<Option<&'m Answer>> {
    let mut out = vec![None; catalog.question_count()];
    let ids = catalog.question_ids_of(m.answers.keys().map(String::as_str));
    for (a, id) in m.answers.values().zip(ids) {
        if let Some(id) = id {
            out[id.index()] = Some(a);
        }
    }
    out
}

/// What the stages from applicability to the gates concluded from one set
/// of answers: with [`Fixed`], everything the decision reads.
struct Judged {
    questions: Vec<QuestionResult>,
    tally: scoring::Tally,
    gates: Vec<Gate>,
    /// The condition results of the first applicability pass (which masks
    /// nothing), for the hypotheses to reuse.
    first: context::Memo,
    /// The answers the rules' context left out, and each rule condition's
    /// result in it, for the hypotheses to reuse.
    rules: (Arc<[bool]>, context::Memo),
}

/// The composition of the stages. With `bounded`, a verdict taken under low
/// confidence is checked against the best and worst answers the open
/// questions could get (more evaluations, each without that check).
fn run(
    m: &Manifest,
    catalog: &Catalog,
    policy: &Policy,
    as_of: Date,
    bounded: bool,
) -> Result<Assessment, Vec<Diagnostic>> {
    let f = Fixed::new(m, catalog, policy, as_of);
    let j = judge(m, catalog, policy, &f, &f.answers, &f.contexts, None)?;
    let bounds = if bounded && f.needs_bounds(&j, policy) {
        Some(bounds(m, catalog, policy, &f, &j)?)
    } else {
        None
    };
    let d = f.decide(&j, policy, bounds);
    Ok(conclude(m, catalog, policy, as_of, f, j, d))
}

/// Applicability, scoring and gates, on `answers` (by question index) and
/// the expression contexts built from them. `reuse` is the judgement of
/// the same manifest with other answers (`changed` marks which): its
/// condition results serve the conditions that read none of those.
fn judge(
    m: &Manifest,
    catalog: &Catalog,
    policy: &Policy,
    f: &Fixed<'_, '_>,
    answers: &[Option<&Answer>],
    contexts: &context::Contexts,
    reuse: Option<(&Judged, &[bool])>,
) -> Result<Judged, Vec<Diagnostic>> {
    let seed = match reuse {
        Some((base, changed)) => (&base.first, Some(changed)),
        None => (&f.preset, None),
    };
    let applicable = applicability::resolve(&f.scope, catalog, contexts, seed)?;
    let (questions, tally) = score(answers, f, &applicable, policy);
    let (ctx, masked) = rule_context(catalog, contexts, &applicable);
    // Rules whose condition text a question shares were evaluated in the
    // last applicability pass, which differs from the rules' context in
    // what it masks at most.
    let (first, last) = applicable.memos;
    let last_masked = applicable.last.map_or_else(|| masked.clone(), |(_, m)| m);
    let mut memo = last.carried(catalog, &last_masked, &masked, None);
    if let Some((base, changed)) = reuse {
        let (base_masked, base_memo) = &base.rules;
        memo.fill_from(base_memo.carried(catalog, base_masked, &masked, Some(changed)));
    }
    let mut gates = gates::run(m, catalog, policy, &ctx, &f.waivers, &mut memo)?;
    gates.extend(gates::critical_declined(&questions));
    Ok(Judged {
        questions,
        tally,
        gates,
        first,
        rules: (masked, memo),
    })
}

/// Each question's status and score, then the tally, with the points each
/// question lost by its answer and by its evidence.
fn score(
    answers: &[Option<&Answer>],
    f: &Fixed<'_, '_>,
    applicable: &applicability::Applicability,
    policy: &Policy,
) -> (Vec<QuestionResult>, scoring::Tally) {
    let (scope, waivers) = (&f.scope, &f.waivers);
    let mut questions: Vec<QuestionResult> = scope
        .iter()
        .map(|s| {
            let q = s.question;
            let answer = answers[s.id.index()];
            let status = if applicable.not_applicable[s.id.index()] {
                Status::NotApplicable
            } else if waivers::exempts(waivers, waivers::WaiverKind::Question, &q.id) {
                Status::Waived
            } else {
                scoring::status_of(q, answer)
            };
            let lapsed = f.lapsed.contains(&q.id.as_str());
            scoring::score_question(s, answer, status, lapsed, policy, f.as_of)
        })
        .collect();
    let t = tally(&questions.iter().collect::<Vec<_>>(), &|id| {
        area_weight(scope, id)
    });
    for (r, unit) in questions.iter_mut().zip(&t.units) {
        let raw = r.answer_score.unwrap_or(0.0);
        r.points_lost_answer = unit * (1.0 - raw);
        r.points_lost_evidence = unit * (raw - r.score.unwrap_or(0.0));
    }
    (questions, t)
}

fn area_weight(scope: &[scope::InScope<'_>], id: &str) -> f64 {
    scope
        .iter()
        .find(|s| s.area.id == id)
        .map_or(1.0, |s| s.area.weight)
}

/// The context the rules see, with the answers it leaves out: the last
/// applicability pass's, unless a rule reads an answer that pass masked
/// differently.
fn rule_context(
    catalog: &Catalog,
    contexts: &context::Contexts,
    applicable: &applicability::Applicability,
) -> (minijinja::Value, Arc<[bool]>) {
    match &applicable.last {
        Some((ctx, masked))
            if applicability::differ_where(
                masked,
                &applicable.not_applicable,
                catalog.read_by_rules(),
            )
            .is_none() =>
        {
            (ctx.clone(), masked.clone())
        }
        _ => (
            contexts.build(&applicable.not_applicable),
            applicable.not_applicable.clone(),
        ),
    }
}

/// Findings, areas, the key policy and the terms, around the decision.
fn conclude(
    m: &Manifest,
    catalog: &Catalog,
    policy: &Policy,
    as_of: Date,
    f: Fixed<'_, '_>,
    j: Judged,
    d: decision::Decision,
) -> Assessment {
    let findings = findings::collect(&j.gates, &j.questions, m, catalog, policy, as_of);
    let areas = areas(&f.scope, &j.tally);
    let key_policy = conditions::key_policy(m, &f.holding, policy, d.verdict, d.tier, as_of);
    let next_review = conditions::next_review(m, policy, &j.gates, d.tier, &f.waivers);
    let conditions = conditions::conditions(
        m,
        &f.holding,
        policy,
        &key_policy,
        (&j.gates, &findings),
        &conditions::Settled {
            verdict: d.verdict,
            tier: d.tier,
            next_review,
            funds_limit: decision::funds_limit(
                m,
                &f.holding,
                policy,
                &j.gates,
                (
                    policy.tier_for(j.tally.score),
                    f.inherent_risk,
                    j.tally.confidence,
                ),
                d.verdict,
            ),
        },
    );
    Assessment {
        as_of,
        score: j.tally.score,
        confidence: j.tally.confidence,
        min_confidence: policy.min_confidence.get(f.inherent_risk),
        score_tier: policy.tier_for(j.tally.score),
        gate_tier: d.gate_tier,
        rejected_by_rule: matches!(d.basis, Basis::Reject { .. }),
        tier: d.tier,
        inherent_risk: f.inherent_risk,
        inherent_reasons: f.inherent_reasons,
        verdict: d.verdict,
        verdict_reason: reason(&d.basis, d.verdict),
        basis: d.basis,
        self_hosted: f.holding.self_hosted,
        areas,
        questions: j.questions,
        gates: j.gates,
        findings,
        conditions,
        key_policy,
        next_review,
        waivers: f.waivers,
        incidents: f.incidents,
    }
}

/// Each area's result, from the tally.
fn areas(scope: &[scope::InScope<'_>], t: &scoring::Tally) -> Vec<AreaResult> {
    t.areas
        .iter()
        .map(|a| {
            let s = scope.iter().find(|s| s.area.id == a.id);
            AreaResult {
                checklist: s.map(|s| s.checklist.id.clone()).unwrap_or_default(),
                id: a.id.clone(),
                title: s.map(|s| s.area.title.clone()).unwrap_or_default(),
                weight: area_weight(scope, &a.id),
                score: a.score,
                confidence: a.confidence,
                applicable: a.applicable,
                answered: a.answered,
                points_lost: a.points_lost,
            }
        })
        .collect()
}

/// The verdicts the open questions could lead to, every one answered at
/// its worst and, only when that would not grant, at its best (a better
/// answer never worsens the verdict, so when the worst grants, so does the
/// best). Each hypothesis runs the stages up to the decision only, and
/// only those that read answers: it is the manifest with the open
/// questions answered as [`hypothesis::answered`] would answer them, and
/// what does not depend on answers ([`Fixed`]) is the manifest's own.
fn bounds(
    m: &Manifest,
    catalog: &Catalog,
    policy: &Policy,
    f: &Fixed<'_, '_>,
    j: &Judged,
) -> Result<decision::Bounds, Vec<Diagnostic>> {
    let open = open_questions(j);
    let verdict = |end| {
        let h = hypothesis(m, catalog, policy, f, j, &open, end)?;
        Ok::<_, Vec<Diagnostic>>(f.decide(&h, policy, None).verdict)
    };
    let worst = verdict(hypothesis::End::Worst)?;
    let best = if worst.grants() {
        None
    } else {
        Some(verdict(hypothesis::End::Best)?)
    };
    Ok(decision::Bounds { best, worst })
}

/// The questions bounds answer hypothetically: open, and not already
/// scored as their worst by silence.
fn open_questions(j: &Judged) -> Vec<crate::checklist::QuestionId> {
    j.questions
        .iter()
        .filter(|r| r.status.is_open() && !r.silence_adverse)
        .map(|r| r.question)
        .collect()
}

/// The stages up to the decision on the manifest with the `open`
/// questions answered at `end`, proven, as [`hypothesis::answered`] answers
/// them; `j` is the manifest's own judgement, whose rule results are
/// reused where the changed answers cannot reach them.
fn hypothesis(
    m: &Manifest,
    catalog: &Catalog,
    policy: &Policy,
    f: &Fixed<'_, '_>,
    j: &Judged,
    open: &[crate::checklist::QuestionId],
    end: hypothesis::End,
) -> Result<Judged, Vec<Diagnostic>> {
    let observed = m.assessment.date.min(f.as_of);
    let changed: Vec<(usize, Answer)> = open
        .iter()
        .filter_map(|&id| {
            let v = hypothesis::extreme(catalog.at(id).2, end, f.as_of)?;
            Some((id.index(), hypothesis::proven(v, observed)))
        })
        .collect();
    let mut answers = f.answers.clone();
    let mut marked = vec![false; answers.len()];
    for (i, a) in &changed {
        answers[*i] = Some(a);
        marked[*i] = true;
    }
    let contexts = f.contexts.with_answers(&changed);
    judge(
        m,
        catalog,
        policy,
        f,
        &answers,
        &contexts,
        Some((j, &marked)),
    )
}

/// The whole expression context of `m` as JSON, with `answers` as given
/// and incidents aged by the default windows (for `checklist lint`, which
/// tries conditions without a policy).
pub fn context_json(
    m: &Manifest,
    catalog: &Catalog,
    answers: serde_json::Value,
    as_of: Date,
) -> serde_json::Value {
    let standings = incidents::standings(
        &m.incidents,
        &crate::rules::policy::IncidentPolicy::default(),
        as_of,
    );
    context::context_json(m, &Holding::of(m, catalog), &standings, answers, as_of)
}

/// The verdict's reason in one sentence.
fn reason(basis: &Basis, verdict: Verdict) -> String {
    match basis {
        Basis::Reject { rules } => format!("rejected by rule {}", rules.join(", ")),
        Basis::Confidence {
            confidence,
            minimum,
        } => {
            // One decimal where whole numbers would print "40% is below
            // the 40%".
            // One decimal, rounded down, where whole numbers would print
            // "40% is below the 40%".
            let shown = if format!("{confidence:.0}") == format!("{minimum:.0}") {
                format!("{:.1}", (confidence * 10.0).floor() / 10.0)
            } else {
                format!("{confidence:.0}")
            };
            format!(
                "confidence {shown}% is below the {minimum:.0}% the policy requires for this inherent risk, and the open questions could still change the verdict"
            )
        }
        Basis::Table {
            inherent,
            tier,
            settled_despite_unknowns,
            ..
        } => {
            let mut s = format!(
                "policy table: inherent risk {inherent} with residual tier {tier} gives {}",
                verdict.label()
            );
            if *settled_despite_unknowns {
                s.push_str(", whatever the open questions' answers");
            }
            s
        }
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    #[test]
    fn a_confidence_just_under_the_minimum_is_not_printed_as_the_minimum() {
        let said = |confidence| {
            reason(
                &Basis::Confidence {
                    confidence,
                    minimum: 40.0,
                },
                Verdict::MoreInformation,
            )
        };
        assert!(
            said(39.78).starts_with("confidence 39.7% is below the 40%"),
            "{}",
            said(39.78)
        );
        assert!(
            said(39.96).starts_with("confidence 39.9% is below"),
            "{}",
            said(39.96)
        );
        assert!(
            said(31.2).starts_with("confidence 31% is below"),
            "{}",
            said(31.2)
        );
    }

    /// Every manifest of the examples and the calibration set.
    pub(crate) fn corpus(catalog: &Catalog) -> Vec<Manifest> {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut out = Vec::new();
        for dir in ["examples", "tests/calibration"] {
            let mut paths: Vec<_> = std::fs::read_dir(root.join(dir))
                .unwrap()
                .map(|e| e.unwrap().path())
                .filter(|p| {
                    p.extension().is_some_and(|x| x == "yaml")
                        && !p.to_string_lossy().ends_with(".expect.yaml")
                })
                .collect();
            paths.sort();
            for p in paths {
                let bytes = std::fs::read(&p).unwrap();
                let loaded = crate::manifest::load(&p.display().to_string(), bytes, catalog)
                    .unwrap_or_else(|d| panic!("{}: {d:?}", p.display()));
                out.push(loaded.manifest);
            }
        }
        assert!(out.len() > 20, "{}", out.len());
        out
    }

    /// What a judgement concluded, in comparable form.
    fn summary(j: &Judged) -> String {
        let questions: Vec<String> = j
            .questions
            .iter()
            .map(|r| {
                format!(
                    "{} {:?} {:?} {} {}",
                    r.id,
                    r.status,
                    r.score,
                    r.backed,
                    r.answer.as_deref().unwrap_or("-")
                )
            })
            .collect();
        let gates: Vec<String> = j
            .gates
            .iter()
            .map(|g| format!("{} {} {}", g.rule, g.effect, g.waived))
            .collect();
        format!(
            "{} {} {questions:#?} {gates:?}",
            j.tally.score, j.tally.confidence
        )
    }

    #[test]
    fn a_hypothesis_on_shared_parts_judges_as_the_changed_manifest_would() {
        let catalog = Catalog::bundled().unwrap();
        let policy = Policy::default_policy();
        let mut changed_some = 0;
        for m in corpus(&catalog) {
            for as_of in ["2026-11-28", "2028-03-01"] {
                let as_of: Date = as_of.parse().unwrap();
                let f = Fixed::new(&m, &catalog, &policy, as_of);
                let j = judge(&m, &catalog, &policy, &f, &f.answers, &f.contexts, None).unwrap();
                let open = open_questions(&j);
                changed_some += usize::from(!open.is_empty());
                for end in [hypothesis::End::Worst, hypothesis::End::Best] {
                    let h = hypothesis(&m, &catalog, &policy, &f, &j, &open, end).unwrap();
                    // The old way: the whole manifest changed and judged
                    // from scratch.
                    let questions = open.iter().map(|&id| catalog.at(id).2);
                    let changed = hypothesis::answered(&m, questions, end, as_of);
                    let cf = Fixed::new(&changed, &catalog, &policy, as_of);
                    let whole = judge(
                        &changed,
                        &catalog,
                        &policy,
                        &cf,
                        &cf.answers,
                        &cf.contexts,
                        None,
                    )
                    .unwrap();
                    assert_eq!(summary(&h), summary(&whole), "{} {end:?}", m.vendor.name);
                    assert_eq!(
                        f.decide(&h, &policy, None).verdict,
                        cf.decide(&whole, &policy, None).verdict
                    );
                }
            }
        }
        assert!(changed_some > 10, "{changed_some}");
    }
}
