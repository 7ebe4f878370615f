//! Hypotheses: the same manifest with some answers replaced by the best or
//! worst a question allows, for the stages that re-evaluate (bounds under
//! uncertainty, open questions, what would have to change).

use crate::checklist::{Question, QuestionType};
use crate::date::Date;
use crate::manifest::{Answer, AnswerValue, Evidence, Manifest, Provenance};

/// Which end of a question's range.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum End {
    /// The answer that scores highest.
    Best,
    /// The answer that scores lowest.
    Worst,
}

/// The value at one end of a question's range; none for text questions.
pub fn extreme(q: &Question, end: End, as_of: Date) -> Option<AnswerValue> {
    let pick = |scores: &mut dyn Iterator<Item = (usize, f64)>| -> Option<usize> {
        let mut best: Option<(usize, f64)> = None;
        for (i, s) in scores {
            let better = match (best, end) {
                (None, _) => true,
                (Some((_, b)), End::Best) => s > b,
                (Some((_, b)), End::Worst) => s < b,
            };
            if better {
                best = Some((i, s));
            }
        }
        best.map(|(i, _)| i)
    };
    match q.kind {
        QuestionType::Choice => {
            let i = pick(&mut q.options.iter().map(|o| o.score).enumerate())?;
            Some(AnswerValue::Choice(q.options[i].value.clone()))
        }
        QuestionType::Multi => match end {
            End::Best => Some(AnswerValue::Multi(
                q.options
                    .iter()
                    .filter(|o| o.score > 0.0)
                    .map(|o| o.value.clone())
                    .collect(),
            )),
            End::Worst => {
                let i = pick(&mut q.options.iter().map(|o| o.score).enumerate())?;
                Some(AnswerValue::Multi(vec![q.options[i].value.clone()]))
            }
        },
        QuestionType::Bool => {
            let favourable = q.favourable.unwrap_or(true);
            Some(AnswerValue::Bool(if end == End::Best {
                favourable
            } else {
                !favourable
            }))
        }
        QuestionType::Number | QuestionType::Date => {
            let i = pick(&mut q.bands.iter().map(|b| b.score).enumerate())?;
            Some(in_band(q, i, as_of))
        }
        QuestionType::Text => None,
    }
}

/// A value inside band `i` of a number or date question: the band's
/// bound, or just past the previous one (a date that many days before
/// `as_of`).
pub fn in_band(q: &Question, i: usize, as_of: Date) -> AnswerValue {
    let x = q.bands[i].up_to.unwrap_or_else(|| {
        i.checked_sub(1)
            .and_then(|p| q.bands[p].up_to)
            .map_or(0.0, |u| u + 1.0)
    });
    if q.kind == QuestionType::Number {
        AnswerValue::Number(x)
    } else {
        AnswerValue::Date(as_of.plus_days(-(x as i64)))
    }
}

/// An answer with `value`, backed by current evidence (what a reviewer
/// would hold if the vendor answered and proved it).
pub fn proven(value: AnswerValue, observed: Date) -> Answer {
    Answer {
        value,
        source: Provenance::Document,
        evidence: vec![Evidence {
            url: "https://hypothesis.invalid/".to_string(),
            observed,
            expires: None,
            note: None,
        }],
        note: None,
        questionnaire: None,
        claim: None,
    }
}

/// `m` with the given questions answered at `end`, proven.
pub fn answered<'q>(
    m: &Manifest,
    questions: impl IntoIterator<Item = &'q Question>,
    end: End,
    as_of: Date,
) -> Manifest {
    // Only its verdict is read: leave out the text no evaluation reads.
    let mut m = super::lean(m);
    let observed = m.assessment.date.min(as_of);
    for q in questions {
        if let Some(v) = extreme(q, end, as_of) {
            m.answers.insert(q.id.clone(), proven(v, observed));
        }
    }
    m
}
