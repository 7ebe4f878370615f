//! Reach: which questions could apply once the vendor answers. A
//! questionnaire asks follow-ups in advance, since the vendor answers the
//! question they follow in the same sitting; but a follow-up whose
//! condition also reads the integration (`... and
//! integration.vendor_holds_keys`) can be false whatever the vendor says,
//! and asking it of self-hosted software is asking a question that can
//! never count.

use std::sync::Arc;

use crate::checklist::{AnswersRead, Catalog, Question, QuestionType};
use crate::date::Date;
use crate::diag::Diagnostic;
use crate::manifest::{AnswerValue, Manifest};
use crate::rules::Policy;

use super::Fixed;
use super::applicability;
use super::hypothesis;

/// Most answer combinations tried for one condition. Past it the question
/// counts as reachable: asking one question too many costs the vendor a
/// minute, leaving out one that could count loses an answer.
const MOST_TRIED: usize = 4096;

/// By question index: the question is in the manifest's checklists and
/// applies now, or some answers to the questions its condition reads
/// (each value they allow, `unknown`, or none) make its condition true.
/// A question read before it is visited (a condition on a later question)
/// counts as answerable; one that cannot apply can only stay unanswered.
pub fn reachable(
    m: &Manifest,
    catalog: &Catalog,
    policy: &Policy,
    as_of: Date,
) -> Result<Vec<bool>, Vec<Diagnostic>> {
    let f = Fixed::new(m, catalog, policy, as_of);
    let now = applicability::resolve(&f.scope, catalog, &f.contexts, (&f.preset, None))?;
    let count = catalog.question_count();
    let mut asked: Vec<Option<&Question>> = vec![None; count];
    for s in &f.scope {
        asked[s.id.index()] = Some(s.question);
    }
    let mut visited = vec![false; count];
    let mut reachable = vec![false; count];
    for s in &f.scope {
        let i = s.id.index();
        visited[i] = true;
        reachable[i] = match s.condition {
            _ if !now.not_applicable[i] => true,
            None => false,
            Some(c) => match catalog.answers_read(c.slot) {
                AnswersRead::All => true,
                AnswersRead::Some(read) if read.is_empty() => false,
                AnswersRead::Some(read) => {
                    let choices: Vec<Vec<Option<AnswerValue>>> = read
                        .iter()
                        .map(|&j| match asked[j] {
                            Some(q) if reachable[j] || !visited[j] => candidates(q, as_of),
                            _ => vec![None],
                        })
                        .collect();
                    let tried: usize = choices.iter().map(Vec::len).fold(1, usize::saturating_mul);
                    tried > MOST_TRIED
                        || combinations(&choices).any(|combo| {
                            let mut masked = vec![false; count];
                            let mut changed = Vec::new();
                            for (&j, value) in read.iter().zip(combo) {
                                match value {
                                    Some(v) => {
                                        changed.push((j, hypothesis::proven(v.clone(), as_of)))
                                    }
                                    None => masked[j] = true,
                                }
                            }
                            let masked: Arc<[bool]> = masked.into();
                            let ctx = f.contexts.with_answers(&changed).build(&masked);
                            // A condition that fails on a value it was
                            // not written for is asked rather than dropped.
                            c.expr.is_true(&ctx).unwrap_or(true)
                        })
                }
            },
        };
    }
    Ok(reachable)
}

/// The answers a vendor could give `q`, and none: every option (alone, all
/// together and none chosen, for a multiple choice), both truth values, a
/// value inside every band, and `unknown`. A text answer is tried only as
/// none and unknown: conditions compare options, not prose.
fn candidates(q: &Question, as_of: Date) -> Vec<Option<AnswerValue>> {
    let mut out: Vec<Option<AnswerValue>> = vec![None, Some(AnswerValue::Unknown)];
    let options = q.options.iter().map(|o| o.value.clone());
    match q.kind {
        QuestionType::Choice => out.extend(options.map(|v| Some(AnswerValue::Choice(v)))),
        QuestionType::Multi => {
            out.push(Some(AnswerValue::Multi(Vec::new())));
            out.push(Some(AnswerValue::Multi(options.clone().collect())));
            out.extend(options.map(|v| Some(AnswerValue::Multi(vec![v]))));
        }
        QuestionType::Bool => {
            out.extend([true, false].map(|b| Some(AnswerValue::Bool(b))));
        }
        QuestionType::Number | QuestionType::Date => {
            out.extend((0..q.bands.len()).map(|i| Some(hypothesis::in_band(q, i, as_of))));
        }
        QuestionType::Text => {}
    }
    out
}

/// Every way of taking one item from each list, first list slowest.
fn combinations<T>(lists: &[Vec<T>]) -> impl Iterator<Item = Vec<&T>> {
    let total: usize = lists.iter().map(Vec::len).product();
    (0..total).map(move |mut n| {
        let mut picked = vec![None; lists.len()];
        for (slot, list) in picked.iter_mut().zip(lists).rev() {
            *slot = Some(&list[n % list.len()]);
            n /= list.len();
        }
        picked.into_iter().flatten().collect()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn manifest(hosting: &str) -> Manifest {
        let text = format!(
            "vendor:\n  name: Bot\nintegration:\n  purpose: trading-bot\n  hosting: {hosting}\n  permissions: [read, trade]\n  checklists: [baseline, exchange-keys]\nassessment:\n  assessor: R\n  date: 2026-11-01\nanswers: {{}}\n"
        );
        crate::manifest::load(
            "m.yaml",
            text.into_bytes(),
            &crate::load_catalog(None).unwrap(),
        )
        .unwrap()
        .manifest
    }

    fn reach(m: &Manifest, catalog: &Catalog, id: &str) -> bool {
        let at = Date::from_ymd(2026, 11, 30).unwrap();
        let r = reachable(m, catalog, &Policy::default_policy(), at).unwrap();
        r[catalog.question_id(id).unwrap().index()]
    }

    #[test]
    fn a_follow_up_that_also_needs_the_vendor_to_hold_keys_is_out_of_reach_when_self_hosted() {
        let catalog = crate::load_catalog(None).unwrap();
        let id = "keys.egress_ips_published";
        assert!(reach(&manifest("vendor"), &catalog, id));
        assert!(!reach(&manifest("self-hosted"), &catalog, id));
    }

    #[test]
    fn a_follow_up_on_an_answer_alone_is_within_reach_whatever_the_hosting() {
        let catalog = crate::load_catalog(None).unwrap();
        for hosting in ["vendor", "self-hosted"] {
            assert!(reach(
                &manifest(hosting),
                &catalog,
                "open_source.release_signing"
            ));
        }
    }

    #[test]
    fn combinations_take_one_of_each() {
        let lists = vec![vec![1, 2], vec![3], vec![4, 5]];
        let all: Vec<Vec<i32>> = combinations(&lists)
            .map(|c| c.into_iter().copied().collect())
            .collect();
        assert_eq!(
            all,
            [[1, 3, 4], [1, 3, 5], [2, 3, 4], [2, 3, 5]].map(Vec::from)
        );
    }
}
