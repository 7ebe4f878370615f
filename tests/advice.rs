//! The advice of a report checked against re-evaluation: every open
//! question's claimed best and worst verdicts, every remedy's claimed
//! verdict, and the rules said to hold whatever changes, over the
//! calibration set and the bundled examples. The advice is computed by
//! re-evaluating; these tests re-evaluate independently, so an advice that
//! claims an effect it does not have fails here.

mod support;

use vetted::checklist::Catalog;
use vetted::date::Date;
use vetted::evaluate::advice::{Advice, Change, ChangeKind};
use vetted::evaluate::hypothesis::{End, extreme, proven};
use vetted::evaluate::{Assessment, Basis, advise, evaluate};
use vetted::manifest::Manifest;
use vetted::rules::{Policy, Verdict};

const AS_OF: &str = "2026-11-25";

struct World {
    catalog: Catalog,
    policy: Policy,
    as_of: Date,
}

fn each(mut check: impl FnMut(&World, &str, &Manifest, &Assessment, &Advice)) {
    let w = World {
        catalog: vetted::load_catalog(None).unwrap(),
        policy: Policy::default_policy(),
        as_of: AS_OF.parse().unwrap(),
    };
    let paths = support::bundled_manifests();
    assert!(paths.len() >= 25, "{} manifests", paths.len());
    for path in paths {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let bytes = std::fs::read(&path).unwrap();
        let m = vetted::manifest::load(&name, bytes, &w.catalog)
            .unwrap_or_else(|d| panic!("{name}: {d:?}"))
            .manifest;
        let a = evaluate(&m, &w.catalog, &w.policy, w.as_of).unwrap();
        let advice = advise(&m, &w.catalog, &w.policy, w.as_of, &a);
        check(&w, &name, &m, &a, &advice);
    }
}

fn verdict(w: &World, m: &Manifest) -> Verdict {
    evaluate(m, &w.catalog, &w.policy, w.as_of).unwrap().verdict
}

/// `m` with question `id` answered at `end`, with current evidence.
fn answered(w: &World, m: &Manifest, id: &str, end: End) -> Manifest {
    let (_, _, q) = w.catalog.question(id).unwrap();
    let value = extreme(q, end, w.as_of).unwrap();
    let mut m = m.clone();
    let observed = m.assessment.date.min(w.as_of);
    m.answers.insert(id.to_string(), proven(value, observed));
    m
}

/// `m` after one change of a remedy, made as the change says.
fn changed(w: &World, m: &Manifest, c: &Change) -> Manifest {
    match c.kind {
        ChangeKind::Answer => answered(w, m, &c.target, End::Best),
        ChangeKind::Permission => {
            let mut m = m.clone();
            m.integration.permissions.retain(|p| p.as_str() != c.target);
            for k in &mut m.integration.keys {
                k.permissions.retain(|p| p.as_str() != c.target);
            }
            m
        }
        ChangeKind::Funds => {
            let mut m = m.clone();
            let amount: f64 = c.to.split_whitespace().next().unwrap().parse().unwrap();
            m.integration.funds_at_risk.as_mut().unwrap().amount = amount;
            m
        }
    }
}

fn rank(v: Verdict) -> usize {
    Verdict::ALL.iter().position(|x| *x == v).unwrap()
}

#[test]
fn each_open_question_moves_the_verdict_as_claimed_and_the_most_decisive_come_first() {
    let mut listed = 0;
    let mut decisive = 0;
    each(|w, name, m, a, advice| {
        let spreads: Vec<usize> = advice
            .open_questions
            .iter()
            .map(|q| rank(q.if_worst) - rank(q.if_best))
            .collect();
        assert!(
            spreads.windows(2).all(|p| p[0] >= p[1]),
            "{name}: open questions not ranked by how far they move the verdict: {spreads:?}"
        );
        for q in &advice.open_questions {
            let open = a.questions.iter().find(|r| r.id == q.id).unwrap();
            assert!(open.status.is_open(), "{name}: {} is not open", q.id);
            assert_eq!(
                verdict(w, &answered(w, m, &q.id, End::Best)),
                q.if_best,
                "{name}: {} at its best",
                q.id
            );
            assert_eq!(
                verdict(w, &answered(w, m, &q.id, End::Worst)),
                q.if_worst,
                "{name}: {} at its worst",
                q.id
            );
            listed += 1;
            decisive += usize::from(q.if_best != q.if_worst);
        }
    });
    // The set exercises the check: questions are listed, and some decide.
    assert!(
        listed >= 20 && decisive >= 1,
        "{listed} listed, {decisive} decisive"
    );
}

#[test]
fn each_remedy_gives_the_verdict_it_claims_and_a_better_one() {
    let mut remedies = 0;
    each(|w, name, m, a, advice| {
        if a.verdict == Verdict::Approve {
            assert!(advice.remedies.is_empty(), "{name}: approved, yet remedies");
        }
        for r in &advice.remedies {
            let after = r.changes.iter().fold(m.clone(), |m, c| changed(w, &m, c));
            let got = evaluate(&after, &w.catalog, &w.policy, w.as_of).unwrap();
            assert_eq!(
                (got.verdict, got.tier),
                (r.verdict, r.tier),
                "{name}: {:?}",
                r.changes
            );
            assert!(
                r.verdict < a.verdict,
                "{name}: {:?} is no better",
                r.changes
            );
            remedies += 1;
        }
    });
    assert!(remedies >= 10, "{remedies} remedies");
}

#[test]
fn the_rules_no_change_lifts_are_named_with_when_they_ease() {
    let (mut fixed, mut beside_remedies) = (0, 0);
    each(|w, name, m, a, advice| {
        if advice.fixed.is_empty() {
            return;
        }
        // Listed beside the remedies too: each still acts after every
        // remedy's changes.
        for r in &advice.remedies {
            let after = r.changes.iter().fold(m.clone(), |m, c| changed(w, &m, c));
            let got = evaluate(&after, &w.catalog, &w.policy, w.as_of).unwrap();
            for f in &advice.fixed {
                assert!(
                    got.gates.iter().any(|g| g.acts() && g.rule == f.rule),
                    "{name}: {} is lifted by {:?}",
                    f.rule,
                    r.changes
                );
            }
            beside_remedies += 1;
        }
        let holding: Vec<&str> = match &a.basis {
            Basis::Reject { rules } => rules.iter().map(String::as_str).collect(),
            Basis::Table { raised_by, .. } => raised_by.iter().map(String::as_str).collect(),
            Basis::Confidence { .. } => Vec::new(),
        };
        for f in &advice.fixed {
            assert!(holding.contains(&f.rule.as_str()), "{name}: {}", f.rule);
            // An incident rule eases on a date after today.
            if let Some(day) = f.eases_on {
                assert!(day > a.as_of, "{name}: {} eases on {day}", f.rule);
            }
            fixed += 1;
        }
    });
    assert!(fixed >= 1, "no case has a rule nothing lifts");
    assert!(beside_remedies >= 1, "no case has both");
}
