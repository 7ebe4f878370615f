//! Applicability: which questions in scope apply, to a fixed point.

use std::sync::Arc;

use crate::checklist::Catalog;
use crate::diag::{Code, Diagnostic};

use super::context::{Contexts, Memo, runtime_error};
use super::scope::InScope;

/// Which questions apply, and the last context built, for the gates to
/// reuse.
pub(super) struct Applicability {
    /// By question index: the question's condition is false.
    pub not_applicable: Arc<[bool]>,
    /// The last pass's context and the answers it masked.
    pub last: Option<(minijinja::Value, Arc<[bool]>)>,
    /// The condition results of the first pass (which masks nothing), for
    /// hypotheses, and of the last pass, for the rules.
    pub memos: (Memo, Memo),
}

/// A question whose condition is false is left out, and so is its answer
/// when later conditions are evaluated, so a follow-up of a question that
/// no longer applies vanishes too. Iterates to a fixed point (conditions
/// only read other questions' answers).
///
/// A pass takes over the results of the previous pass for the conditions
/// that read none of the answers that differ; the first pass those of
/// `seed`: what is known before evaluating ([`Memo::preset`]) or, for a
/// hypothesis, the manifest's own first pass with the answers the
/// hypothesis changed.
pub(super) fn resolve(
    scope: &[InScope<'_>],
    catalog: &Catalog,
    contexts: &Contexts,
    seed: (&Memo, Option<&[bool]>),
) -> Result<Applicability, Vec<Diagnostic>> {
    let count = catalog.question_count();
    let mut not_applicable: Arc<[bool]> = vec![false; count].into();
    let read = catalog.read_by_conditions();
    let mut diags = Vec::new();
    let mut first: Option<Memo> = None;
    let mut previous: Option<(Arc<[bool]>, Memo)> = None;
    for _ in 0..=scope.len() {
        let ctx = contexts.build(&not_applicable);
        let mut next = vec![false; count];
        let mut memo = match &previous {
            Some((masked, memo)) => memo.carried(catalog, masked, &not_applicable, None),
            None => seed
                .0
                .carried(catalog, &not_applicable, &not_applicable, seed.1),
        };
        // Only the last pass's errors matter: each pass sees the same ones.
        diags.clear();
        for s in scope {
            let Some(condition) = s.condition else {
                continue;
            };
            match memo.is_true(condition, &ctx) {
                Ok(true) => {}
                Ok(false) => next[s.id.index()] = true,
                Err(e) => {
                    diags.push(runtime_error(
                        catalog,
                        &s.checklist.id,
                        &s.question.id,
                        condition.expr.source(),
                        &e,
                    ));
                    next[s.id.index()] = true;
                }
            }
        }
        if !diags.is_empty() {
            return Err(diags);
        }
        let next: Arc<[bool]> = next.into();
        if next == not_applicable {
            return Ok(Applicability {
                last: Some((ctx, next.clone())),
                not_applicable: next,
                memos: (first.unwrap_or_else(|| memo.clone()), memo),
            });
        }
        // Another pass would only mask answers no condition reads, so it
        // would find the same set: stop here (most manifests stop after
        // one pass).
        if differ_where(&next, &not_applicable, read).is_none() {
            let masked = std::mem::replace(&mut not_applicable, next);
            return Ok(Applicability {
                not_applicable,
                last: Some((ctx, masked)),
                memos: (first.unwrap_or_else(|| memo.clone()), memo),
            });
        }
        if first.is_none() {
            first = Some(memo.clone());
        }
        previous = Some((std::mem::replace(&mut not_applicable, next), memo));
    }
    // Conditions that switch each other on and off (A asked when B is not,
    // and B when A is not) have no stable answer.
    let file = scope
        .first()
        .and_then(|s| catalog.get(&s.checklist.id))
        .map_or_else(String::new, |l| l.doc.file.clone());
    Err(vec![
        Diagnostic::error(
            Code::ConditionsUnstable,
            &file,
            crate::diag::Pos::START,
            "the `when` conditions of these checklists switch each other on and off, so which questions apply has no stable answer",
        )
        .with_help("make follow-up conditions depend only on questions asked before them"),
    ])
}

/// The first index where `a` and `b` differ among those `relevant` marks.
pub(super) fn differ_where(a: &[bool], b: &[bool], relevant: &[bool]) -> Option<usize> {
    (0..relevant.len()).find(|&i| relevant[i] && a.get(i) != b.get(i))
}
