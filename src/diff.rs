//! `vetted diff`: what changed between two assessments of one vendor.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use crate::evaluate::{Assessment, Finding};
use crate::level::Level;
use crate::manifest::{Incident, Manifest};
use crate::report::round;
use crate::rules::Verdict;

/// Before and after of one number or label.
#[derive(Clone, Debug, Serialize)]
pub struct Change<T> {
    /// Before.
    pub before: T,
    /// After.
    pub after: T,
}

/// One changed answer.
#[derive(Clone, Debug, Serialize)]
pub struct AnswerChange {
    /// Question id.
    pub question: String,
    /// Old answer (none: unanswered or not in scope).
    pub before: Option<String>,
    /// New answer.
    pub after: Option<String>,
    /// Effect on the overall score, in points (positive is better).
    pub points: f64,
}

/// The diff.
#[derive(Clone, Debug, Serialize)]
pub struct Diff {
    /// Vendor (from the new manifest).
    pub vendor: String,
    /// Verdict.
    pub verdict: Change<Verdict>,
    /// Tier.
    pub tier: Change<Level>,
    /// Score.
    pub score: Change<f64>,
    /// Confidence.
    pub confidence: Change<f64>,
    /// Whether the verdict or tier got worse.
    pub worse: bool,
    /// Changed answers, largest effect first.
    pub answers: Vec<AnswerChange>,
    /// Findings now present that were not, most severe first.
    pub findings_added: Vec<Finding>,
    /// Findings no longer present (as they were), most severe first.
    pub findings_resolved: Vec<Finding>,
    /// Incidents in the new manifest only.
    pub incidents_added: Vec<Incident>,
}

impl crate::report::Render for Diff {
    const TEMPLATE: &'static str = "diff.md.j2";

    fn title(&self) -> String {
        format!("Reassessment: {}", self.vendor)
    }
}

/// Compares two assessments of the same vendor.
pub fn diff(old: (&Manifest, &Assessment), new: (&Manifest, &Assessment)) -> Diff {
    let (om, oa) = old;
    let (nm, na) = new;
    let lost = |a: &Assessment| -> BTreeMap<String, (f64, Option<String>)> {
        a.questions
            .iter()
            .map(|r| {
                (
                    r.id.clone(),
                    (
                        r.points_lost_answer + r.points_lost_evidence,
                        r.answer.clone(),
                    ),
                )
            })
            .collect()
    };
    let (ol, nl) = (lost(oa), lost(na));
    let ids: BTreeSet<&String> = om.answers.keys().chain(nm.answers.keys()).collect();
    let mut answers: Vec<AnswerChange> = ids
        .into_iter()
        .filter(|id| {
            let (a, b) = (om.answers.get(*id), nm.answers.get(*id));
            // Any change counts: value, provenance, evidence (new, removed,
            // or re-observed) or note.
            a.map(serde_json::to_value).transpose().ok()
                != b.map(serde_json::to_value).transpose().ok()
        })
        .map(|id| {
            let before = ol.get(id).map_or(0.0, |x| x.0);
            let after = nl.get(id).map_or(0.0, |x| x.0);
            AnswerChange {
                question: id.clone(),
                before: ol.get(id).and_then(|x| x.1.clone()),
                after: nl.get(id).and_then(|x| x.1.clone()),
                // Points the question lost before minus after: a gain is positive.
                points: round(before - after, 2),
            }
        })
        .collect();
    answers.sort_by(|a, b| {
        b.points
            .abs()
            .total_cmp(&a.points.abs())
            .then_with(|| a.question.cmp(&b.question))
    });

    // Findings of `a` whose id `b` has not, most severe first.
    let only = |a: &Assessment, b: &Assessment| -> Vec<Finding> {
        // A finding is what it is about and where it comes from: a new
        // contradiction on a question that already had a finding is new.
        let ids: BTreeSet<_> = b.findings.iter().map(Finding::key).collect();
        let mut out: Vec<Finding> = a
            .findings
            .iter()
            .filter(|f| !ids.contains(&f.key()))
            .cloned()
            .collect();
        out.sort_by(|x, y| y.severity.cmp(&x.severity).then_with(|| x.id.cmp(&y.id)));
        out
    };
    let key = |i: &Incident| (i.date, i.kind);
    let old_incidents: BTreeSet<_> = om.incidents.iter().map(key).collect();
    Diff {
        vendor: nm.vendor.name.clone(),
        verdict: Change {
            before: oa.verdict,
            after: na.verdict,
        },
        tier: Change {
            before: oa.tier,
            after: na.tier,
        },
        score: Change {
            before: round(oa.score, 1),
            after: round(na.score, 1),
        },
        confidence: Change {
            before: round(oa.confidence, 1),
            after: round(na.confidence, 1),
        },
        worse: na.verdict > oa.verdict || na.tier > oa.tier,
        answers,
        findings_added: only(na, oa),
        findings_resolved: only(oa, na),
        incidents_added: nm
            .incidents
            .iter()
            .filter(|i| !old_incidents.contains(&key(i)))
            .cloned()
            .collect(),
    }
}
