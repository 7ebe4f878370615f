//! Expression contexts: what `when` conditions of questions and rules see.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use minijinja::Value;

use serde_json::{Map, Value as Json};

use crate::checklist::{AnswersRead, Catalog, Condition};
use crate::date::Date;
use crate::diag::{Code, Diagnostic};
use crate::manifest::{Answer, AnswerValue, Manifest};

use super::incidents::IncidentStanding;
use super::scope::Holding;

/// Results of condition texts in one context: a text that several
/// questions share is evaluated once.
#[derive(Clone)]
pub(super) struct Memo(Vec<Option<Result<bool, String>>>);

impl Memo {
    pub(super) fn new(catalog: &Catalog) -> Memo {
        Memo(vec![None; catalog.condition_slots()])
    }

    /// What is known before anything is evaluated: for a manifest without
    /// incidents, the results of the conditions that read nothing else.
    pub(super) fn preset(catalog: &Catalog, m: &Manifest) -> Memo {
        let mut memo = Memo::new(catalog);
        if m.incidents.is_empty() {
            for (slot, r) in memo.0.iter_mut().enumerate() {
                *r = catalog.without_incidents(slot).map(Ok);
            }
        }
        memo
    }

    pub(super) fn is_true(
        &mut self,
        c: Condition<'_>,
        ctx: &minijinja::Value,
    ) -> Result<bool, String> {
        self.0[c.slot]
            .get_or_insert_with(|| c.expr.is_true(ctx))
            .clone()
    }

    /// The results of `self`, computed in a context that left out the
    /// answers `before` marks, that hold in a context of the same manifest
    /// that leaves out those `now` marks and whose answer values differ
    /// only where `changed` marks (a hypothesis). The integration, vendor
    /// and incidents are the same in both, so a condition that reads none of
    /// the answers that differ sees the same values and has the same
    /// result; the others are evaluated again when asked.
    pub(super) fn carried(
        &self,
        catalog: &Catalog,
        before: &[bool],
        now: &[bool],
        changed: Option<&[bool]>,
    ) -> Memo {
        let same = |i: usize| before[i] == now[i] && (now[i] || changed.is_none_or(|c| !c[i]));
        Memo(
            self.0
                .iter()
                .enumerate()
                .map(|(slot, r)| {
                    r.as_ref()
                        .filter(|_| match catalog.answers_read(slot) {
                            AnswersRead::Some(read) => read.iter().all(|&i| same(i)),
                            AnswersRead::All => false,
                        })
                        .cloned()
                })
                .collect(),
        )
    }

    /// Takes the results `other` has of conditions `self` has not
    /// evaluated.
    pub(super) fn fill_from(&mut self, other: Memo) {
        for (mine, theirs) in self.0.iter_mut().zip(other.0) {
            if mine.is_none() {
                *mine = theirs;
            }
        }
    }
}

/// Builds the expression contexts of one evaluation. What does not change
/// between passes (integration, vendor, incidents, each answer's value) is
/// converted to minijinja values once; a pass only points a lazy `answers`
/// view at its mask.
pub(super) struct Contexts {
    base: Vec<(&'static str, minijinja::Value)>,
    shape: Arc<crate::rules::answers::Shape>,
    /// By question index: the answer's value, none when unanswered.
    answers: Arc<[minijinja::Value]>,
}

impl Contexts {
    pub(super) fn new(
        m: &Manifest,
        catalog: &Catalog,
        holding: &Holding,
        incidents: &[IncidentStanding],
        answers: &[Option<&Answer>],
        as_of: Date,
    ) -> Contexts {
        let base = base_values(m, holding, incidents, as_of).to_vec();
        let answers = answers.iter().map(|a| value_of(*a)).collect();
        Contexts {
            base,
            shape: catalog.answers_shape().clone(),
            answers,
        }
    }

    /// The same contexts with the answers at some question indices
    /// replaced (a hypothesis); everything else is shared.
    pub(super) fn with_answers(&self, changed: &[(usize, Answer)]) -> Contexts {
        let mut answers = self.answers.to_vec();
        for (i, a) in changed {
            answers[*i] = value_of(Some(a));
        }
        Contexts {
            base: self.base.clone(),
            shape: self.shape.clone(),
            answers: answers.into(),
        }
    }

    /// The context with the answers `masked` marks left out (as none).
    pub(super) fn build(&self, masked: &Arc<[bool]>) -> minijinja::Value {
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

/// An answer as conditions read it. "Does not apply" reads as no answer,
/// as a question whose condition is false does.
fn value_of(a: Option<&Answer>) -> Value {
    match a {
        Some(a) if !a.is_not_applicable() => answer_value(&a.value),
        _ => Value::from(()),
    }
}

/// The value serialising `v` into minijinja gives (`AnswerValue`'s
/// `Serialize`: options and text as strings, a whole number as a signed
/// integer, a date as its text, a reserved value as its word), built
/// without serde; a test holds the two to the same values.
fn answer_value(v: &AnswerValue) -> Value {
    match v {
        AnswerValue::Choice(s) | AnswerValue::Text(s) => Value::from(s.as_str()),
        AnswerValue::Multi(vs) => Value::from(
            vs.iter()
                .map(|s| Value::from(s.as_str()))
                .collect::<Vec<Value>>(),
        ),
        AnswerValue::Bool(b) => Value::from(*b),
        AnswerValue::Number(n) => match v.whole() {
            Some(i) => Value::from(i),
            None => Value::from(*n),
        },
        AnswerValue::Date(d) => Value::from(d.to_string()),
        AnswerValue::Unknown | AnswerValue::Declined | AnswerValue::NotApplicable => {
            Value::from(v.word())
        }
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
pub(super) fn context_json(
    m: &Manifest,
    holding: &Holding,
    standings: &[IncidentStanding],
    answers: Json,
    as_of: Date,
) -> Json {
    let keys: Vec<Json> = m
        .integration
        .keys
        .iter()
        .map(|k| {
            serde_json::json!({
                "exchange": k.exchange, "label": k.label, "permissions": k.granted(),
                "ip_restricted": k.bound(), "age_days": k.created.days_until(as_of),
                "status": k.status,
            })
        })
        .collect();
    let incidents: Vec<Json> = m
        .incidents
        .iter()
        .zip(standings)
        .map(|(i, s)| {
            serde_json::json!({
                "kind": i.kind, "severity": i.severity, "date": i.date.to_string(),
                "age_days": i.date.days_until(as_of), "acknowledged_after_days": i.acknowledged_after_days,
                "denied_first": i.denied_first, "postmortem": i.postmortem.is_some(),
                "standing": s.standing, "remediated": s.verified.is_some(),
            })
        })
        .collect();
    serde_json::json!({
        "answers": answers,
        "integration": {
            "purpose": m.integration.purpose,
            "permissions": m.integration.permissions,
            "exchange_keys": holding.exchange_keys,
            "hosting": if holding.self_hosted { "self-hosted" } else { "vendor" },
            "hosting_declared": m.integration.hosting.map_or("vendor", |h| h.as_str()),
            "self_hosted": holding.self_hosted,
            "vendor_holds_keys": holding.vendor_holds_keys,
            "vendor_holds": holding.vendor_holds,
            "connection": holding.connection.as_str(),
            "withdrawal_allowlist": m.integration.withdrawal_allowlist,
            "funds_at_risk": m.integration.funds_at_risk.as_ref().map_or(0.0, |f| f.amount),
            "data_classes": m.integration.data_classes,
            "keys": keys,
            // Every permission any issued key holds, so a rule can ask
            // `'withdraw' in integration.key_permissions`.
            "key_permissions": m.integration.keys.iter().flat_map(|k| k.granted().iter().copied()).collect::<BTreeSet<_>>(),
        },
        "vendor": {
            "name": m.vendor.name, "website": m.vendor.website, "docs": m.vendor.docs,
            "repository": m.vendor.repository, "egress_ips": m.vendor.egress_ips,
            "packages": m.vendor.packages,
        },
        "incidents": incidents,
    })
}

/// `integration`, `vendor` and `incidents` of [`context_json`], built as
/// the minijinja values that converting that JSON would give, without the
/// JSON: the same maps (keys sorted, as minijinja keeps them), lists,
/// strings and numbers (a whole number not below zero is unsigned, as JSON
/// stores it; a number that is not finite is none, as JSON has no such
/// number). Building and converting the JSON was most of the cost of an
/// evaluation's contexts; a test holds the two to the same values.
fn base_values(
    m: &Manifest,
    holding: &Holding,
    standings: &[IncidentStanding],
    as_of: Date,
) -> [(&'static str, Value); 3] {
    fn map<const N: usize>(entries: [(&'static str, Value); N]) -> Value {
        Value::from_object(
            entries
                .into_iter()
                .map(|(k, v)| (Value::from(k), v))
                .collect::<BTreeMap<Value, Value>>(),
        )
    }
    // Strings, flags, names of enums and lists of them convert the same
    // whether serialised into JSON first or not.
    fn plain<T: serde::Serialize>(v: &T) -> Value {
        Value::from(minijinja::value::Serde(v))
    }
    fn whole(n: i64) -> Value {
        match u64::try_from(n) {
            Ok(u) => Value::from(u),
            Err(_) => Value::from(n),
        }
    }
    let i = &m.integration;
    let keys: Vec<Value> = i
        .keys
        .iter()
        .map(|k| {
            map([
                ("exchange", plain(&k.exchange)),
                ("label", plain(&k.label)),
                ("permissions", plain(&k.granted())),
                ("ip_restricted", Value::from(k.bound())),
                ("age_days", whole(k.created.days_until(as_of))),
                ("status", plain(&k.status)),
            ])
        })
        .collect();
    let incidents: Vec<Value> = m
        .incidents
        .iter()
        .zip(standings)
        .map(|(i, s)| {
            map([
                ("kind", plain(&i.kind)),
                ("severity", plain(&i.severity)),
                ("date", Value::from(i.date.to_string())),
                ("age_days", whole(i.date.days_until(as_of))),
                (
                    "acknowledged_after_days",
                    i.acknowledged_after_days.map_or(Value::from(()), whole),
                ),
                ("denied_first", Value::from(i.denied_first)),
                ("postmortem", Value::from(i.postmortem.is_some())),
                ("standing", plain(&s.standing)),
                ("remediated", Value::from(s.verified.is_some())),
            ])
        })
        .collect();
    let funds = i.funds_at_risk.as_ref().map_or(0.0, |f| f.amount);
    let integration = map([
        ("purpose", plain(&i.purpose)),
        ("permissions", plain(&i.permissions)),
        ("exchange_keys", Value::from(holding.exchange_keys)),
        (
            "hosting",
            Value::from(if holding.self_hosted {
                "self-hosted"
            } else {
                "vendor"
            }),
        ),
        (
            "hosting_declared",
            Value::from(i.hosting.map_or("vendor", |h| h.as_str())),
        ),
        ("self_hosted", Value::from(holding.self_hosted)),
        ("vendor_holds_keys", Value::from(holding.vendor_holds_keys)),
        ("vendor_holds", Value::from(holding.vendor_holds)),
        ("connection", Value::from(holding.connection.as_str())),
        ("withdrawal_allowlist", Value::from(i.withdrawal_allowlist)),
        (
            "funds_at_risk",
            if funds.is_finite() {
                Value::from(funds)
            } else {
                Value::from(())
            },
        ),
        ("data_classes", plain(&i.data_classes)),
        ("keys", Value::from(keys)),
        (
            "key_permissions",
            plain(
                &i.keys
                    .iter()
                    .flat_map(|k| k.granted().iter().copied())
                    .collect::<BTreeSet<_>>(),
            ),
        ),
    ]);
    let v = &m.vendor;
    let vendor = map([
        ("name", plain(&v.name)),
        ("website", plain(&v.website)),
        ("docs", plain(&v.docs)),
        ("repository", plain(&v.repository)),
        ("egress_ips", plain(&v.egress_ips)),
        ("packages", plain(&v.packages)),
    ]);
    [
        ("integration", integration),
        ("vendor", vendor),
        ("incidents", Value::from(incidents)),
    ]
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

/// A condition that failed at run time (a type error in an expression),
/// placed at its `when` in the checklist.
pub(super) fn runtime_error(
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
        Code::ExpressionFailed,
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::evaluate::incidents::standings;
    use crate::evaluate::tests::corpus;
    use crate::rules::policy::IncidentPolicy;

    #[test]
    fn results_are_carried_only_where_what_they_read_is_the_same() {
        let catalog = Catalog::bundled().unwrap();
        let slots = catalog.condition_slots();
        let count = catalog.question_count();
        let full = Memo(vec![Some(Ok(true)); slots]);
        let none = vec![false; count];
        let kept = |m: &Memo| m.0.iter().filter(|r| r.is_some()).count();
        // Nothing differs: everything but what reads `answers` whole.
        let whole = (0..slots)
            .filter(|&s| matches!(catalog.answers_read(s), AnswersRead::All))
            .count();
        assert_eq!(
            kept(&full.carried(&catalog, &none, &none, None)),
            slots - whole
        );
        let (slot, read) = (0..slots)
            .find_map(|s| match catalog.answers_read(s) {
                AnswersRead::Some(r) if !r.is_empty() => Some((s, r.clone())),
                _ => None,
            })
            .unwrap();
        let i = read[0];
        let mut marked = none.clone();
        marked[i] = true;
        // An answer it reads is masked in one context only, or changed.
        for carried in [
            full.carried(&catalog, &none, &marked, None),
            full.carried(&catalog, &marked, &none, None),
            full.carried(&catalog, &none, &none, Some(&marked)),
        ] {
            assert!(carried.0[slot].is_none());
        }
        // Masked in both: it reads none either way, changed or not.
        let both = full.carried(&catalog, &marked, &marked, Some(&marked));
        assert!(both.0[slot].is_some());
        // An answer no condition in a slot reads changes nothing there.
        let unread = (0..slots)
            .filter(|&s| match catalog.answers_read(s) {
                AnswersRead::Some(r) => !r.contains(&i),
                AnswersRead::All => false,
            })
            .count();
        assert_eq!(
            kept(&full.carried(&catalog, &none, &none, Some(&marked))),
            unread
        );
    }

    #[test]
    fn conditions_on_the_incidents_alone_are_known_without_incidents() {
        let catalog = Catalog::bundled().unwrap();
        let slots: Vec<usize> = (0..catalog.condition_slots())
            .filter(|&s| catalog.without_incidents(s).is_some())
            .collect();
        // The incident rules, and the questions asked only after one.
        assert!(slots.len() >= 6, "{slots:?}");
        let mut checked = 0;
        for m in corpus(&catalog).iter().filter(|m| m.incidents.is_empty()) {
            let holding = Holding::of(m, &catalog);
            let as_of: Date = "2026-11-28".parse().unwrap();
            let answers = crate::evaluate::answers_by_index(m, &catalog);
            let contexts = Contexts::new(m, &catalog, &holding, &[], &answers, as_of);
            let ctx = contexts.build(&vec![false; catalog.question_count()].into());
            let preset = Memo::preset(&catalog, m);
            for &slot in &slots {
                let evaluated = catalog.condition_at(slot).expr.is_true(&ctx);
                assert_eq!(Some(evaluated), preset.0[slot].clone(), "{slot}");
                checked += 1;
            }
        }
        assert!(checked > 50, "{checked}");
        // With incidents, nothing is known in advance.
        let with = corpus(&catalog)
            .into_iter()
            .find(|m| !m.incidents.is_empty())
            .unwrap();
        assert!(Memo::preset(&catalog, &with).0.iter().all(Option::is_none));
    }

    #[test]
    fn answer_values_are_those_serde_gives() {
        let values = [
            AnswerValue::Choice("a-b".into()),
            AnswerValue::Choice("a choice longer than a small string holds".into()),
            AnswerValue::Multi(vec!["a".into(), "b".into()]),
            AnswerValue::Multi(vec![]),
            AnswerValue::Bool(true),
            AnswerValue::Bool(false),
            AnswerValue::Number(7.0),
            AnswerValue::Number(-3.0),
            AnswerValue::Number(2.5),
            AnswerValue::Number(1e16),
            AnswerValue::Number(f64::NAN),
            AnswerValue::Date("2026-01-02".parse().unwrap()),
            AnswerValue::Text("free text".into()),
            AnswerValue::Unknown,
            AnswerValue::Declined,
            AnswerValue::NotApplicable,
        ];
        for v in values {
            let expected = Value::from(minijinja::value::Serde(&v));
            let built = answer_value(&v);
            assert_eq!(format!("{built:?}"), format!("{expected:?}"), "{v:?}");
            assert_eq!(built.kind(), expected.kind(), "{v:?}");
            assert_eq!(built.is_integer(), expected.is_integer(), "{v:?}");
        }
    }

    #[test]
    fn base_values_are_the_values_of_the_context_json() {
        let catalog = Catalog::bundled().unwrap();
        for m in corpus(&catalog) {
            let holding = Holding::of(&m, &catalog);
            // Before some keys were created (negative ages) and after.
            for as_of in ["2020-01-01", "2026-11-28", "2031-06-30"] {
                let as_of: Date = as_of.parse().unwrap();
                let s = standings(&m.incidents, &IncidentPolicy::default(), as_of);
                let json = context_json(&m, &holding, &s, Json::Null, as_of);
                for (k, v) in base_values(&m, &holding, &s, as_of) {
                    let expected = Value::from(minijinja::value::Serde(&json[k]));
                    assert_eq!(
                        format!("{v:?}"),
                        format!("{expected:?}"),
                        "{k} of {}",
                        m.vendor.name
                    );
                    assert_eq!(v, expected);
                }
            }
        }
    }
}
