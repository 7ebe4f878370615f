//! Scoring: each question's score, and the one tally of areas, overall
//! score and confidence that every caller (evaluate, compare) uses.
//!
//! What is known and what is not are kept apart. The score reflects the
//! answers given; an unanswered or `unknown` question is left out of it and
//! lowers confidence instead, unless its checklist declares that silence is
//! itself adverse. A `declined` answer is known and adverse: it scores as
//! the worst answer.

use serde::Serialize;

use crate::checklist::{EvidenceNeed, Question, QuestionId, Silence};
use crate::date::Date;
use crate::level::Level;
use crate::manifest::{Answer, AnswerValue, Evidence, Provenance};
use crate::rules::Policy;

/// How a question counted.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    /// Answered and scored.
    Answered,
    /// Answered `unknown`: left out of the score (unless silence is adverse),
    /// lowers confidence.
    Unknown,
    /// Not answered: as unknown.
    Unanswered,
    /// The vendor declined to answer: scores as the worst answer.
    Declined,
    /// Its `when` condition is false: left out.
    NotApplicable,
    /// Answered `not-applicable`, with a reason: left out.
    DeclaredNotApplicable,
    /// Neutralised by a waiver in force: counts as satisfied.
    Waived,
    /// Answered, but the question is informational.
    Unscored,
}

impl Status {
    /// Whether the question has no usable answer.
    pub fn is_open(self) -> bool {
        matches!(self, Status::Unknown | Status::Unanswered)
    }
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

/// How fresh one piece of evidence is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Freshness {
    /// Observed within the policy's maximum age and not past its expiry.
    Current,
    /// Observed too long ago.
    Stale,
    /// Past its own expiry date.
    Expired,
}

/// The one freshness rule: expiry first, then age.
pub fn freshness(e: &Evidence, policy: &Policy, as_of: Date) -> Freshness {
    if e.expires.is_some_and(|x| x < as_of) {
        Freshness::Expired
    } else if e.observed.days_until(as_of) > policy.evidence.max_age_days {
        Freshness::Stale
    } else {
        Freshness::Current
    }
}

/// One question's result.
#[derive(Clone, Debug, Serialize)]
pub struct QuestionResult {
    /// Question id.
    pub id: String,
    /// The same question, for looking it up in the catalog.
    #[serde(skip)]
    pub question: QuestionId,
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
    /// Why it does not apply, for a `not-applicable` answer.
    pub reason: Option<String>,
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
    /// Whether it is known: answered with current evidence (or needing
    /// none), declined, or waived.
    pub backed: bool,
    /// Whether silence on it is adverse.
    pub silence_adverse: bool,
}

impl QuestionResult {
    /// Whether it takes part in the score.
    pub fn in_score(&self) -> bool {
        match self.status {
            Status::Answered | Status::Declined | Status::Waived => true,
            Status::Unknown | Status::Unanswered => self.silence_adverse,
            _ => false,
        }
    }

    /// Whether it takes part in confidence: every scored question that
    /// applies.
    pub fn in_confidence(&self) -> bool {
        matches!(
            self.status,
            Status::Answered
                | Status::Declined
                | Status::Unknown
                | Status::Unanswered
                | Status::Waived
        )
    }
}

/// The status of a question that applies and is not waived.
pub(super) fn status_of(q: &Question, answer: Option<&Answer>) -> Status {
    match answer {
        None => Status::Unanswered,
        Some(a) if a.is_unknown() => Status::Unknown,
        Some(a) if a.is_declined() => Status::Declined,
        Some(a) if a.is_not_applicable() => Status::DeclaredNotApplicable,
        Some(_) if !q.is_scored() => Status::Unscored,
        Some(_) => Status::Answered,
    }
}

/// Scores one question. `lapsed`: the answer credits a recorded document
/// that has run out, so its evidence is stale however recently it was seen.
pub(super) fn score_question(
    s: &super::scope::InScope<'_>,
    answer: Option<&Answer>,
    status: Status,
    lapsed: bool,
    policy: &Policy,
    as_of: Date,
) -> QuestionResult {
    let q = s.question;
    let adverse = q.silence == Silence::Adverse && q.is_scored();
    let answer_score = match status {
        Status::Answered => answer.map(|a| answer_score(q, &a.value, as_of)),
        Status::Declined => Some(0.0),
        Status::Unknown | Status::Unanswered if adverse => Some(0.0),
        Status::Waived => Some(1.0),
        _ => None,
    };
    let evidence = match answer {
        _ if q.evidence == EvidenceNeed::None => EvidenceState::NotNeeded,
        Some(a) if a.evidence.is_empty() => EvidenceState::Missing,
        Some(a) => {
            if !lapsed
                && a.evidence
                    .iter()
                    .any(|e| freshness(e, policy, as_of) == Freshness::Current)
            {
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
    // A waiver is an accepted, known risk, and a refusal is a known answer:
    // both count as known, so adding a waiver never lowers confidence.
    let backed = matches!(status, Status::Declined | Status::Waived)
        || (status == Status::Answered
            && matches!(evidence, EvidenceState::Current | EvidenceState::NotNeeded));
    QuestionResult {
        id: q.id.clone(),
        question: s.id,
        checklist: s.checklist.id.clone(),
        area: s.area.id.clone(),
        text: q.text.clone(),
        severity: q.severity,
        weight: policy.weight(q.severity),
        status,
        answer: answer.map(|a| a.value.display(q)),
        reason: answer
            .filter(|a| a.is_not_applicable())
            .and_then(|a| a.note.clone()),
        source: answer.map(|a| a.source),
        evidence,
        answer_score,
        credit,
        score: answer_score.map(|s| s * credit),
        points_lost_answer: 0.0,
        points_lost_evidence: 0.0,
        backed,
        silence_adverse: adverse,
    }
}

/// Score of an answer value, 0 to 1; reserved values score nothing here
/// (their status decides how they count).
pub fn answer_score(q: &Question, value: &AnswerValue, as_of: Date) -> f64 {
    let option = |v: &str| q.option(v).map_or(0.0, |o| o.score);
    match value {
        AnswerValue::Choice(v) => option(v),
        AnswerValue::Multi(vs) => vs.iter().map(|v| option(v)).sum::<f64>().clamp(0.0, 1.0),
        AnswerValue::Bool(b) => {
            if *b == q.favourable.unwrap_or(true) {
                1.0
            } else {
                0.0
            }
        }
        AnswerValue::Number(n) => band_score(q, *n),
        AnswerValue::Date(d) => band_score(q, d.days_until(as_of) as f64),
        AnswerValue::Text(_)
        | AnswerValue::Unknown
        | AnswerValue::Declined
        | AnswerValue::NotApplicable => 0.0,
    }
}

fn band_score(q: &Question, x: f64) -> f64 {
    q.bands
        .iter()
        .find(|b| b.up_to.is_none_or(|u| x <= u))
        .map_or(0.0, |b| b.score)
}

/// The severity of what an answer lost: the question's weight times the
/// share it lost, read back as the level whose weight is nearest (ties go
/// to the higher level). A near-best answer on a critical question is a low
/// finding; a worst answer keeps the question's severity.
pub fn loss_severity(policy: &Policy, severity: Level, loss: f64) -> Level {
    let points = policy.weight(severity) * loss.clamp(0.0, 1.0);
    Level::ALL
        .into_iter()
        .rev()
        .min_by(|a, b| {
            (policy.weight(*a) - points)
                .abs()
                .total_cmp(&(policy.weight(*b) - points).abs())
        })
        .unwrap_or(severity)
        .min(severity)
}

/// Totals of one area.
#[derive(Clone, Debug, Default)]
pub struct AreaTally {
    /// Area id.
    pub id: String,
    /// Score 0 to 100, none when nothing in it is scored.
    pub score: Option<f64>,
    /// Confidence 0 to 100, none when nothing in it counts.
    pub confidence: Option<f64>,
    /// Questions that count (scored or open).
    pub applicable: usize,
    /// Of those, answered with something other than unknown.
    pub answered: usize,
    /// Overall points lost in this area.
    pub points_lost: f64,
}

/// Score and confidence of a set of question results.
#[derive(Clone, Debug, Default)]
pub struct Tally {
    /// Overall score, 0 to 100.
    pub score: f64,
    /// Overall confidence, 0 to 100.
    pub confidence: f64,
    /// Per area, in the order areas first appear.
    pub areas: Vec<AreaTally>,
    /// Per result (same order): overall points it can earn (0 when it is
    /// not in the score).
    pub units: Vec<f64>,
}

/// The one place that turns question results into area scores, an overall
/// score and confidence. Area score = 100 x sum(w x s) / sum(w) over the
/// questions in the score; overall = mean of area scores weighted by
/// `area_weight`, over areas with a score; confidence weighs the backed
/// share of each area the same way, over areas with anything to be
/// confident about.
pub fn tally(results: &[&QuestionResult], area_weight: &dyn Fn(&str) -> f64) -> Tally {
    let mut t = Tally {
        units: vec![0.0; results.len()],
        ..Tally::default()
    };
    // Each result's area, areas in the order they first appear; the results
    // of one area usually come together, so the last area is tried first.
    let mut area_of = Vec::with_capacity(results.len());
    for r in results {
        let a = match t.areas.last() {
            Some(last) if last.id == r.area => t.areas.len() - 1,
            _ => match t.areas.iter().position(|a| a.id == r.area) {
                Some(a) => a,
                None => {
                    t.areas.push(AreaTally {
                        id: r.area.clone(),
                        ..AreaTally::default()
                    });
                    t.areas.len() - 1
                }
            },
        };
        area_of.push(a);
    }
    // The results of each area, in their order: `order[start[a]..start[a +
    // 1]]`, without a list per area. Every sum below adds the same terms in
    // the same order as summing each area's results one by one.
    let mut start = vec![0; t.areas.len() + 1];
    for &a in &area_of {
        start[a + 1] += 1;
    }
    for a in 0..t.areas.len() {
        start[a + 1] += start[a];
    }
    let mut order = vec![0; results.len()];
    let mut next = start.clone();
    for (i, &a) in area_of.iter().enumerate() {
        order[next[a]] = i;
        next[a] += 1;
    }
    let members = |a: usize| {
        order[start[a]..start[a + 1]]
            .iter()
            .map(|&i| (i, results[i]))
    };
    let weights: Vec<f64> = t.areas.iter().map(|a| area_weight(&a.id)).collect();
    let mut scored_weight = vec![0.0; t.areas.len()];
    for (a, area) in t.areas.iter_mut().enumerate() {
        let scored = || members(a).map(|(_, r)| r).filter(|r| r.in_score());
        let total: f64 = scored().map(|r| r.weight).sum();
        scored_weight[a] = total;
        if total > 0.0 {
            area.score = Some(
                100.0
                    * scored()
                        .map(|r| r.weight * r.score.unwrap_or(0.0))
                        .sum::<f64>()
                    / total,
            );
        }
        let known = || members(a).map(|(_, r)| r).filter(|r| r.in_confidence());
        let total: f64 = known().map(|r| r.weight).sum();
        if total > 0.0 {
            // Folded from +0.0: `Sum` of no terms is -0.0, which reports
            // and JSON would show as "-0%" and -0.0 when nothing is backed.
            let backed = known()
                .filter(|r| r.backed)
                .fold(0.0, |sum, r| sum + r.weight);
            area.confidence = Some(100.0 * backed / total);
        }
        area.applicable = known().count();
        area.answered = members(a)
            .filter(|(_, r)| r.status == Status::Answered)
            .count();
    }
    let scored_total: f64 = t
        .areas
        .iter()
        .zip(&weights)
        .filter(|(a, _)| a.score.is_some())
        .map(|(_, w)| w)
        .sum();
    if scored_total > 0.0 {
        for (a, area) in t.areas.iter_mut().enumerate() {
            let Some(s) = area.score else { continue };
            let share = weights[a] / scored_total;
            t.score += share * s;
            let weight_total = scored_weight[a];
            for (i, r) in members(a).filter(|(_, r)| r.in_score()) {
                t.units[i] = 100.0 * share * r.weight / weight_total;
                area.points_lost += t.units[i] * (1.0 - r.score.unwrap_or(0.0));
            }
        }
    }
    let confident_total: f64 = t
        .areas
        .iter()
        .zip(&weights)
        .filter(|(a, _)| a.confidence.is_some())
        .map(|(_, w)| w)
        .sum();
    if confident_total > 0.0 {
        t.confidence = t
            .areas
            .iter()
            .zip(&weights)
            .filter_map(|(a, w)| a.confidence.map(|c| w / confident_total * c))
            .sum();
    }
    t
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loss_severity_follows_what_was_lost() {
        let p = Policy::default_policy();
        assert_eq!(loss_severity(&p, Level::Critical, 1.0), Level::Critical);
        // 10 x 0.7 = 7 points: nearest weight is high (7.5).
        assert_eq!(loss_severity(&p, Level::Critical, 0.7), Level::High);
        // 10 x 0.3 = 3 points: low (2.5).
        assert_eq!(loss_severity(&p, Level::Critical, 0.3), Level::Low);
        // Never above the question's own severity.
        assert_eq!(loss_severity(&p, Level::Medium, 1.0), Level::Medium);
        // 7.5 x 0.5 = 3.75, halfway between low and medium: the higher.
        assert_eq!(loss_severity(&p, Level::High, 0.5), Level::Medium);
        assert_eq!(loss_severity(&p, Level::High, 0.4), Level::Low);
    }
}
