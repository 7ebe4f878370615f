//! `vetted compare`: several candidates for the same job, side by side.
//!
//! Candidates may use different checklists; only the questions every
//! candidate was assessed on are compared, so that one vendor does not look
//! better for having been asked less. Ranking is by verdict, then tier, then
//! score, each recomputed on the shared questions; confidence stands beside
//! the score so that a vendor that looks good only because nothing was
//! verified is visible.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use crate::date::Date;
use crate::evaluate::{Assessment, EvidenceState, QuestionResult};
use crate::level::Level;
use crate::manifest::Manifest;
use crate::report::round;
use crate::rules::{Policy, Verdict};

/// One candidate: a loaded manifest and its assessment.
pub struct Candidate<'a> {
    /// The manifest's file name.
    pub file: String,
    /// The manifest.
    pub manifest: &'a Manifest,
    /// Its assessment.
    pub assessment: &'a Assessment,
}

/// A candidate from a manifest evaluated as the CLI evaluates it: (file
/// name, manifest, assessment).
impl<'a> From<&'a (String, Manifest, Assessment)> for Candidate<'a> {
    fn from((file, manifest, assessment): &'a (String, Manifest, Assessment)) -> Self {
        Candidate {
            file: file.clone(),
            manifest,
            assessment,
        }
    }
}

/// A candidate's column in the comparison.
#[derive(Clone, Debug, Serialize)]
pub struct Column {
    /// Vendor name.
    pub vendor: String,
    /// Manifest file.
    pub file: String,
    /// Rank, 1 is best.
    pub rank: usize,
    /// Verdict on the shared questions.
    pub verdict: Verdict,
    /// Verdict as words.
    pub verdict_label: &'static str,
    /// Tier on the shared questions.
    pub tier: Level,
    /// Score on the shared questions.
    pub score: f64,
    /// Confidence on the shared questions.
    pub confidence: f64,
    /// The candidate's own assessment, on all its questions.
    pub own_verdict: Verdict,
    /// Own tier.
    pub own_tier: Level,
    /// Own score.
    pub own_score: f64,
}

/// One area across candidates.
#[derive(Clone, Debug, Serialize)]
pub struct AreaRow {
    /// Area id.
    pub id: String,
    /// Title.
    pub title: String,
    /// Weight.
    pub weight: f64,
    /// Score per candidate (column order), none when nothing applies.
    pub scores: Vec<Option<f64>>,
    /// Columns holding the best score.
    pub best: Vec<usize>,
}

/// One candidate at least as good as another in every area.
#[derive(Clone, Debug, Serialize)]
pub struct Dominance {
    /// The better candidate.
    pub better: String,
    /// The other.
    pub worse: String,
    /// Better in at least one area, not merely equal everywhere.
    pub strict: bool,
    /// The better candidate ranks below the other all the same: the ranking
    /// puts verdict and residual tier first, and those also carry gates and
    /// the inherent risk of what each integration is granted.
    pub ranked_below: bool,
}

/// A ranking under an alternative weighting.
#[derive(Clone, Debug, Serialize)]
pub struct Weighting {
    /// What was changed.
    pub name: String,
    /// Vendors best first.
    pub ranking: Vec<String>,
    /// Whether the leader differs from the base ranking's leader.
    pub leader_changes: bool,
}

/// One candidate's answer to a decisive question.
#[derive(Clone, Debug, Serialize)]
pub struct CandidateAnswer {
    /// Vendor.
    pub vendor: String,
    /// The answer as shown.
    pub answer: String,
    /// Where it came from.
    pub source: String,
    /// Evidence state.
    pub evidence: EvidenceState,
    /// Evidence locations.
    pub urls: Vec<String>,
    /// Points it earns in the comparison.
    pub points: f64,
}

/// A question that separates the top two.
#[derive(Clone, Debug, Serialize)]
pub struct Decisive {
    /// Question id.
    pub question: String,
    /// Question text.
    pub text: String,
    /// Points between the top two.
    pub gap: f64,
    /// Each candidate's answer.
    pub answers: Vec<CandidateAnswer>,
}

/// A question left out of the comparison.
#[derive(Clone, Debug, Serialize)]
pub struct LeftOut {
    /// Question id.
    pub question: String,
    /// Candidates that were not assessed on it.
    pub missing_for: Vec<String>,
}

/// The whole comparison.
#[derive(Clone, Debug, Serialize)]
pub struct Comparison {
    /// As-of date.
    pub as_of: Date,
    /// Candidates in rank order.
    pub columns: Vec<Column>,
    /// Number of questions compared.
    pub shared_questions: usize,
    /// Questions not every candidate was assessed on.
    pub left_out: Vec<LeftOut>,
    /// Area matrix (columns in rank order).
    pub areas: Vec<AreaRow>,
    /// Dominance pairs.
    pub dominance: Vec<Dominance>,
    /// Re-rankings.
    pub sensitivity: Vec<Weighting>,
    /// Whether the leader is the leader under every weighting.
    pub leader_stable: bool,
    /// What separates the top two.
    pub decisive: Vec<Decisive>,
    /// A Mermaid chart of area scores.
    pub chart: String,
}

impl crate::report::Render for Comparison {
    const TEMPLATE: &'static str = "compare.md.j2";

    fn title(&self) -> String {
        "Vendor comparison".to_string()
    }

    fn charts(&self, _policy: &Policy) -> Vec<String> {
        vec![crate::report::chart::comparison(self)]
    }
}

/// Score and confidence of one candidate over `shared` questions, with
/// area weights from `weight`.
struct Scored {
    score: f64,
    confidence: f64,
    areas: BTreeMap<String, f64>,
    /// Points each shared question earns.
    points: BTreeMap<String, f64>,
    /// Points each shared question could earn (its weight in the score).
    units: BTreeMap<String, f64>,
    /// Effective score of each shared question.
    scores: BTreeMap<String, f64>,
}

/// Scores a candidate on the shared questions through the one tally every
/// score uses, with the area weights given.
fn score(a: &Assessment, shared: &BTreeSet<&str>, weight: &dyn Fn(&str) -> f64) -> Scored {
    let rs: Vec<&QuestionResult> = a
        .questions
        .iter()
        .filter(|r| shared.contains(r.id.as_str()))
        .collect();
    let t = crate::evaluate::tally(&rs, weight);
    let mut out = Scored {
        score: t.score,
        confidence: t.confidence,
        areas: BTreeMap::new(),
        points: BTreeMap::new(),
        units: BTreeMap::new(),
        scores: BTreeMap::new(),
    };
    for area in &t.areas {
        if let Some(s) = area.score {
            out.areas.insert(area.id.clone(), s);
        }
    }
    for (r, unit) in rs.iter().zip(&t.units).filter(|(r, _)| r.in_score()) {
        out.points
            .insert(r.id.clone(), unit * r.score.unwrap_or(0.0));
        out.units.insert(r.id.clone(), *unit);
        out.scores.insert(r.id.clone(), r.score.unwrap_or(0.0));
    }
    out
}

/// Verdict and tier from a recomputed score, keeping the candidate's gates.
fn judge(a: &Assessment, policy: &Policy, score: f64) -> (Verdict, Level) {
    let tier = policy
        .tier_for(score)
        .max(a.gate_tier.unwrap_or(Level::Low));
    // A candidate rejected by a rule, or one too little is known about,
    // keeps that verdict whatever the recomputed score.
    let verdict = if a.rejected_by_rule {
        Verdict::Reject
    } else if a.verdict == Verdict::MoreInformation {
        Verdict::MoreInformation
    } else {
        policy.verdict(a.inherent_risk, tier)
    };
    // Nor does a rule that limits approval to conditions (an open
    // incident, a key to revoke) lapse on a better shared score.
    let limited = a
        .gates
        .iter()
        .any(|g| g.acts() && g.effect == crate::evaluate::GateEffect::Conditions);
    let verdict = if limited && verdict == Verdict::Approve {
        Verdict::Conditions
    } else {
        verdict
    };
    (verdict, tier)
}

/// Ranks candidates by verdict, tier, then score (descending), then name.
fn rank(entries: &[(String, Verdict, Level, f64)]) -> Vec<usize> {
    let mut order: Vec<usize> = (0..entries.len()).collect();
    order.sort_by(|&i, &j| {
        let (a, b) = (&entries[i], &entries[j]);
        a.1.cmp(&b.1)
            .then(a.2.cmp(&b.2))
            .then(b.3.total_cmp(&a.3))
            .then(a.0.cmp(&b.0))
    });
    order
}

/// Compares candidates (at least two).
pub fn compare(candidates: &[Candidate<'_>], policy: &Policy) -> Comparison {
    // Questions each candidate was assessed on (in scope, whatever status).
    let scopes: Vec<BTreeSet<&str>> = candidates
        .iter()
        .map(|c| {
            c.assessment
                .questions
                .iter()
                .map(|r| r.id.as_str())
                .collect()
        })
        .collect();
    let all: BTreeSet<&str> = scopes.iter().flatten().copied().collect();
    let shared: BTreeSet<&str> = all
        .iter()
        .copied()
        .filter(|q| scopes.iter().all(|s| s.contains(q)))
        .collect();
    let left_out = all
        .iter()
        .filter(|q| !shared.contains(*q))
        .map(|q| LeftOut {
            question: q.to_string(),
            missing_for: candidates
                .iter()
                .zip(&scopes)
                .filter(|(_, s)| !s.contains(q))
                .map(|(c, _)| c.manifest.vendor.name.clone())
                .collect(),
        })
        .collect();

    // Area weights and titles (from the first candidate that has the area).
    let mut area_info: BTreeMap<String, (String, f64, usize)> = BTreeMap::new();
    for c in candidates {
        for a in &c.assessment.areas {
            let position = area_info.len();
            area_info
                .entry(a.id.clone())
                .or_insert((a.title.clone(), a.weight, position));
        }
    }
    let base_weight = |id: &str| area_info.get(id).map_or(0.0, |x| x.1);
    let scored: Vec<Scored> = candidates
        .iter()
        .map(|c| score(c.assessment, &shared, &base_weight))
        .collect();
    let judged: Vec<(String, Verdict, Level, f64)> = candidates
        .iter()
        .zip(&scored)
        .map(|(c, s)| {
            let (v, t) = judge(c.assessment, policy, s.score);
            (c.manifest.vendor.name.clone(), v, t, s.score)
        })
        .collect();
    let order = rank(&judged);
    let leader = order.first().copied();

    let columns: Vec<Column> = order
        .iter()
        .enumerate()
        .map(|(rank, &i)| {
            let c = &candidates[i];
            Column {
                vendor: c.manifest.vendor.name.clone(),
                file: c.file.clone(),
                rank: rank + 1,
                verdict: judged[i].1,
                verdict_label: judged[i].1.label(),
                tier: judged[i].2,
                score: round(scored[i].score, 1),
                confidence: round(scored[i].confidence, 1),
                own_verdict: c.assessment.verdict,
                own_tier: c.assessment.tier,
                own_score: round(c.assessment.score, 1),
            }
        })
        .collect();

    // Area matrix in rank order; areas in checklist order.
    let mut area_ids: Vec<(&String, &(String, f64, usize))> = area_info.iter().collect();
    area_ids.sort_by_key(|(_, info)| info.2);
    let areas: Vec<AreaRow> = area_ids
        .iter()
        .filter(|(id, _)| scored.iter().any(|s| s.areas.contains_key(*id)))
        .map(|(id, (title, weight, _))| {
            let scores: Vec<Option<f64>> = order
                .iter()
                .map(|&i| scored[i].areas.get(*id).copied().map(|s| round(s, 1)))
                .collect();
            let top = scores
                .iter()
                .flatten()
                .copied()
                .fold(f64::NEG_INFINITY, f64::max);
            let best = scores
                .iter()
                .enumerate()
                .filter(|(_, s)| **s == Some(top))
                .map(|(k, _)| k)
                .collect();
            AreaRow {
                id: id.to_string(),
                title: title.clone(),
                weight: *weight,
                scores,
                best,
            }
        })
        .collect();

    let dominance = dominance(
        &order
            .iter()
            .map(|&i| (judged[i].0.clone(), &scored[i].areas))
            .collect::<Vec<_>>(),
    );

    // Sensitivity: equal weights, then each area doubled.
    let mut weightings: Vec<(String, BTreeMap<String, f64>)> = vec![(
        "equal area weights".to_string(),
        area_info.keys().map(|k| (k.clone(), 1.0)).collect(),
    )];
    for (id, _) in &area_ids {
        let mut w: BTreeMap<String, f64> =
            area_info.iter().map(|(k, v)| (k.clone(), v.1)).collect();
        *w.get_mut(*id).expect("area present") *= 2.0;
        weightings.push((format!("{} weighted double", area_info[*id].0), w));
    }
    let sensitivity: Vec<Weighting> = weightings
        .into_iter()
        .map(|(name, weights)| {
            let weight = |id: &str| weights.get(id).copied().unwrap_or(0.0);
            let entries: Vec<(String, Verdict, Level, f64)> = candidates
                .iter()
                .map(|c| {
                    let s = score(c.assessment, &shared, &weight).score;
                    let (v, t) = judge(c.assessment, policy, s);
                    (c.manifest.vendor.name.clone(), v, t, s)
                })
                .collect();
            let alt = rank(&entries);
            Weighting {
                name,
                leader_changes: alt.first().copied() != leader,
                ranking: alt.iter().map(|&i| entries[i].0.clone()).collect(),
            }
        })
        .collect();
    let leader_stable = sensitivity.iter().all(|w| !w.leader_changes);

    let decisive = if order.len() >= 2 {
        decisive(candidates, &scored, order[0], order[1], &shared)
    } else {
        Vec::new()
    };
    let chart = chart(&areas, &columns);

    Comparison {
        as_of: candidates
            .first()
            .map_or(Date::from_ymd(1970, 1, 1).expect("valid"), |c| {
                c.assessment.as_of
            }),
        columns,
        shared_questions: shared.len(),
        left_out,
        areas,
        dominance,
        sensitivity,
        leader_stable,
        decisive,
        chart,
    }
}

/// Pairs where one candidate is at least as good in every area both have;
/// `entries` in rank order.
fn dominance(entries: &[(String, &BTreeMap<String, f64>)]) -> Vec<Dominance> {
    let mut out = Vec::new();
    for (i, (a, sa)) in entries.iter().enumerate() {
        for (j, (b, sb)) in entries.iter().enumerate() {
            if i == j {
                continue;
            }
            let common: Vec<&String> = sa.keys().filter(|k| sb.contains_key(*k)).collect();
            if common.is_empty() {
                continue;
            }
            let geq = common.iter().all(|k| sa[*k] >= sb[*k] - 1e-9);
            let strict = common.iter().any(|k| sa[*k] > sb[*k] + 1e-9);
            // Equal everywhere is reported once, not both ways.
            if geq && (strict || i < j) {
                out.push(Dominance {
                    better: a.clone(),
                    worse: b.clone(),
                    strict,
                    ranked_below: strict && i > j,
                });
            }
        }
    }
    out
}

fn decisive(
    candidates: &[Candidate<'_>],
    scored: &[Scored],
    first: usize,
    second: usize,
    shared: &BTreeSet<&str>,
) -> Vec<Decisive> {
    // The gap is the difference in effective scores (after evidence
    // credit), weighted by what the question is worth on average to the
    // two: the same answer with the same evidence is never a difference,
    // even when the question weighs differently in each score.
    let mut gaps: Vec<(f64, &str)> = shared
        .iter()
        // A question that applies to only one of the two is not a difference
        // in answers.
        .filter(|q| scored[first].units.contains_key(**q) && scored[second].units.contains_key(**q))
        .map(|q| {
            let unit = |i: usize| scored[i].units.get(*q).copied().unwrap_or(0.0);
            let s = |i: usize| scored[i].scores.get(*q).copied().unwrap_or(0.0);
            (
                (s(first) - s(second)).abs() * (unit(first) + unit(second)) / 2.0,
                *q,
            )
        })
        .filter(|(gap, _)| *gap > 0.005)
        .collect();
    gaps.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(b.1)));
    gaps.into_iter()
        .take(5)
        .map(|(gap, q)| {
            let text = candidates[first]
                .assessment
                .questions
                .iter()
                .find(|r| r.id == q)
                .map_or_else(String::new, |r| r.text.clone());
            Decisive {
                question: q.to_string(),
                text,
                gap: round(gap, 2),
                answers: [first, second]
                    .iter()
                    .map(|&i| {
                        let c = &candidates[i];
                        let r = c.assessment.questions.iter().find(|r| r.id == q);
                        let answer = c.manifest.answers.get(q);
                        CandidateAnswer {
                            vendor: c.manifest.vendor.name.clone(),
                            answer: r
                                .and_then(|r| r.answer.clone())
                                .unwrap_or_else(|| "unanswered".to_string()),
                            source: answer.map_or("none", |a| a.source.as_str()).to_string(),
                            evidence: r.map_or(EvidenceState::Missing, |r| r.evidence),
                            urls: answer
                                .map(|a| a.evidence.iter().map(|e| e.url.clone()).collect())
                                .unwrap_or_default(),
                            points: round(scored[i].points.get(q).copied().unwrap_or(0.0), 2),
                        }
                    })
                    .collect(),
            }
        })
        .collect()
}

/// A Mermaid `xychart-beta` block of area scores, one bar series per
/// candidate in rank order ([`crate::report::chart::mermaid_bars`]).
fn chart(areas: &[AreaRow], columns: &[Column]) -> String {
    let titles: Vec<String> = areas.iter().map(|a| a.title.clone()).collect();
    let bars: Vec<Vec<f64>> = (0..columns.len())
        .map(|k| areas.iter().map(|a| a.scores[k].unwrap_or(0.0)).collect())
        .collect();
    // Vertical, as the comparison's chart has been from the start.
    crate::report::chart::mermaid_bars(
        "Area scores (series in rank order)",
        crate::report::chart::Bars::Vertical,
        &titles,
        &bars,
        &[],
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn areas(pairs: &[(&str, f64)]) -> BTreeMap<String, f64> {
        pairs.iter().map(|(k, v)| (k.to_string(), *v)).collect()
    }

    #[test]
    fn dominance_strict_and_ties() {
        let a = areas(&[("x", 80.0), ("y", 70.0)]);
        let b = areas(&[("x", 60.0), ("y", 70.0)]);
        let c = areas(&[("x", 90.0), ("y", 10.0)]);
        let d = dominance(&[("A".into(), &a), ("B".into(), &b), ("C".into(), &c)]);
        assert_eq!(d.len(), 1, "{d:?}");
        assert_eq!(
            (d[0].better.as_str(), d[0].worse.as_str(), d[0].strict),
            ("A", "B", true)
        );
        assert!(!d[0].ranked_below);
        // Ranked the other way round (on verdict or tier): said so.
        let d = dominance(&[("B".into(), &b), ("A".into(), &a)]);
        assert_eq!((d[0].better.as_str(), d[0].ranked_below), ("A", true));
        // Equal everywhere: reported once, not strict.
        let e = dominance(&[("A".into(), &a), ("A2".into(), &a)]);
        assert_eq!(e.len(), 1);
        assert!(!e[0].strict);
    }

    #[test]
    fn ranking_is_verdict_then_tier_then_score_then_name() {
        let entries = vec![
            ("B".to_string(), Verdict::Conditions, Level::Low, 90.0),
            ("A".to_string(), Verdict::Approve, Level::Medium, 70.0),
            ("C".to_string(), Verdict::Conditions, Level::Low, 95.0),
            ("D".to_string(), Verdict::Conditions, Level::Low, 95.0),
        ];
        assert_eq!(rank(&entries), [1, 2, 3, 0]);
    }
}
