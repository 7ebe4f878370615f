//! Answer values, typed by their question.
//!
//! A manifest is read in two steps: serde reads each answer's value as the
//! YAML gave it (a string, number, flag or list), and loading narrows it,
//! against the question it answers, into an [`AnswerValue`]. Narrowing is
//! the one place that looks at a raw value together with a question type;
//! scoring, display, hypotheses and contexts read the typed value.

use std::collections::BTreeSet;

use serde::{Serialize, Serializer};
use serde_json::Value as Json;

use crate::checklist::{Question, QuestionType};
use crate::date::Date;

/// The reserved answer values every question accepts, besides its own.
pub const RESERVED_VALUES: [&str; 3] = ["unknown", "declined", "not-applicable"];

/// One answer's value, of the kind its question asks for.
#[derive(Clone, Debug, PartialEq)]
pub enum AnswerValue {
    /// One option of a choice question.
    Choice(String),
    /// Options of a multi question (`none` never beside others).
    Multi(Vec<String>),
    /// A yes or no.
    Bool(bool),
    /// A number.
    Number(f64),
    /// A date that already happened.
    Date(Date),
    /// Free text.
    Text(String),
    /// Could not be found out.
    Unknown,
    /// The vendor refused to answer.
    Declined,
    /// Does not apply (the reason is the answer's note).
    NotApplicable,
}

/// Why a raw value does not answer a question, and how to fix it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    /// What is wrong.
    pub message: String,
    /// How to fix it.
    pub help: Option<String>,
}

impl AnswerValue {
    /// Narrows a raw value into an answer to `q`: one of the reserved
    /// values, or a value of the question's kind. Every answer that enters a
    /// manifest (written by a person, derived from collected evidence or
    /// typed into `fill`) passes here.
    pub fn narrow(q: &Question, raw: &Json) -> Result<AnswerValue, Problem> {
        if let Some(reserved) = raw.as_str().and_then(Self::reserved) {
            return Ok(reserved);
        }
        let problem = |message: String, help: Option<String>| Problem { message, help };
        match q.kind {
            QuestionType::Choice => match raw.as_str() {
                Some(v) if q.option(v).is_some() => Ok(AnswerValue::Choice(v.to_string())),
                Some(v) => Err(problem(
                    format!(
                        "`{}` is not an option of question `{}`",
                        crate::diag::quote(v),
                        q.id
                    ),
                    Some(option_help(q, v)),
                )),
                None => Err(problem(
                    format!("question `{}` takes one option, as text", q.id),
                    Some(option_help(q, "")),
                )),
            },
            QuestionType::Multi => {
                let Some(items) = raw.as_array() else {
                    return Err(problem(
                        format!("question `{}` takes a list of options, e.g. [a, b]", q.id),
                        Some(option_help(q, "")),
                    ));
                };
                let mut values = Vec::with_capacity(items.len());
                for item in items {
                    match item.as_str() {
                        Some(v) if q.option(v).is_some() => values.push(v.to_string()),
                        Some(v) => {
                            return Err(problem(
                                format!(
                                    "`{}` is not an option of question `{}`",
                                    crate::diag::quote(v),
                                    q.id
                                ),
                                Some(option_help(q, v)),
                            ));
                        }
                        None => {
                            return Err(problem(
                                format!("question `{}` takes a list of options", q.id),
                                Some(option_help(q, "")),
                            ));
                        }
                    }
                }
                if values.len() > 1 && values.iter().any(|v| v == "none") {
                    return Err(problem(
                        format!("question `{}` has `none` together with other options", q.id),
                        Some(
                            "`none` means nothing else applies: keep either `none` or the others"
                                .into(),
                        ),
                    ));
                }
                Ok(AnswerValue::Multi(values))
            }
            QuestionType::Bool => raw.as_bool().map(AnswerValue::Bool).ok_or_else(|| {
                problem(
                    format!("question `{}` takes true or false", q.id),
                    Some("write true, false or unknown (yes/no are text)".into()),
                )
            }),
            QuestionType::Number => raw
                .as_f64()
                .map(AnswerValue::Number)
                .ok_or_else(|| problem(format!("question `{}` takes a number", q.id), None)),
            QuestionType::Date => raw
                .as_str()
                .and_then(|s| s.parse::<Date>().ok())
                .map(AnswerValue::Date)
                .ok_or_else(|| {
                    problem(
                        format!("question `{}` takes a date", q.id),
                        Some("write dates as YYYY-MM-DD".into()),
                    )
                }),
            QuestionType::Text => raw
                .as_str()
                .map(|s| AnswerValue::Text(s.to_string()))
                .ok_or_else(|| problem(format!("question `{}` takes text", q.id), None)),
        }
    }

    /// The reserved value a word names, if it names one.
    pub fn reserved(word: &str) -> Option<AnswerValue> {
        match word {
            "unknown" => Some(AnswerValue::Unknown),
            "declined" => Some(AnswerValue::Declined),
            "not-applicable" => Some(AnswerValue::NotApplicable),
            _ => None,
        }
    }

    /// Whether this is one of the reserved values.
    pub fn is_reserved(&self) -> bool {
        matches!(
            self,
            AnswerValue::Unknown | AnswerValue::Declined | AnswerValue::NotApplicable
        )
    }

    /// The option a choice answer picked.
    pub fn as_choice(&self) -> Option<&str> {
        match self {
            AnswerValue::Choice(v) => Some(v),
            _ => None,
        }
    }

    /// The value as the YAML and JSON a manifest holds.
    pub fn to_json(&self) -> Json {
        serde_json::to_value(self).unwrap_or(Json::Null)
    }

    /// The value as a person reads it: options by their label, flags as
    /// yes or no, reserved values as their word.
    pub fn display(&self, q: &Question) -> String {
        let label = |v: &str| {
            q.option(v)
                .map_or_else(|| v.to_string(), |o| o.label.clone())
        };
        match self {
            AnswerValue::Choice(v) => label(v),
            AnswerValue::Multi(vs) => vs.iter().map(|v| label(v)).collect::<Vec<_>>().join(", "),
            AnswerValue::Bool(true) => "yes".to_string(),
            AnswerValue::Bool(false) => "no".to_string(),
            AnswerValue::Number(_) => self.to_json().to_string(),
            AnswerValue::Date(d) => d.to_string(),
            AnswerValue::Text(s) => s.clone(),
            AnswerValue::Unknown | AnswerValue::Declined | AnswerValue::NotApplicable => {
                self.word().to_string()
            }
        }
    }

    /// Whether two answers say the same: lists of options as sets.
    pub fn same(&self, other: &AnswerValue) -> bool {
        match (self, other) {
            (AnswerValue::Multi(a), AnswerValue::Multi(b)) => {
                a.iter().collect::<BTreeSet<_>>() == b.iter().collect::<BTreeSet<_>>()
            }
            _ => self == other,
        }
    }

    /// A number that is whole, as the integer it is written as (`7`, not
    /// `7.0`, as the person who typed it wrote it).
    pub fn whole(&self) -> Option<i64> {
        match self {
            AnswerValue::Number(n) if n.fract() == 0.0 && n.abs() < 9.0e15 => Some(*n as i64),
            _ => None,
        }
    }

    /// The word of a reserved value; empty for any other.
    pub fn word(&self) -> &'static str {
        match self {
            AnswerValue::Unknown => "unknown",
            AnswerValue::Declined => "declined",
            AnswerValue::NotApplicable => "not-applicable",
            _ => "",
        }
    }
}

impl Serialize for AnswerValue {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            AnswerValue::Choice(v) | AnswerValue::Text(v) => s.serialize_str(v),
            AnswerValue::Multi(vs) => vs.serialize(s),
            AnswerValue::Bool(b) => s.serialize_bool(*b),
            AnswerValue::Number(n) => match self.whole() {
                Some(i) => s.serialize_i64(i),
                None => s.serialize_f64(*n),
            },
            AnswerValue::Date(d) => d.serialize(s),
            reserved => s.serialize_str(reserved.word()),
        }
    }
}

/// Help for an option that is not one: the nearest option, or the list.
fn option_help(q: &Question, wanted: &str) -> String {
    let values: Vec<&str> = q.options.iter().map(|o| o.value.as_str()).collect();
    match crate::diag::suggest(wanted, values.iter().copied()) {
        Some(s) if !wanted.is_empty() => format!("did you mean `{s}`?"),
        _ => format!(
            "one of: {}; or unknown, declined or not-applicable",
            values.join(", ")
        ),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn question(kind: &str, options: &[&str]) -> Question {
        let options: Vec<Json> = options
            .iter()
            .map(|v| json!({"value": v, "label": v.to_uppercase(), "score": 1.0}))
            .collect();
        serde_json::from_value(json!({
            "id": "q.x", "text": "?", "severity": "high", "type": kind, "options": options,
        }))
        .unwrap()
    }

    #[test]
    fn narrows_each_kind_and_the_reserved_words() {
        let choice = question("choice", &["a", "b"]);
        assert_eq!(
            AnswerValue::narrow(&choice, &json!("a")),
            Ok(AnswerValue::Choice("a".into()))
        );
        assert_eq!(
            AnswerValue::narrow(&choice, &json!("declined")),
            Ok(AnswerValue::Declined)
        );
        let err = AnswerValue::narrow(&choice, &json!("c")).unwrap_err();
        assert!(err.message.contains("`c` is not an option"), "{err:?}");
        let multi = question("multi", &["a", "none"]);
        assert_eq!(
            AnswerValue::narrow(&multi, &json!(["a"])),
            Ok(AnswerValue::Multi(vec!["a".into()]))
        );
        assert!(AnswerValue::narrow(&multi, &json!(["a", "none"])).is_err());
        assert!(AnswerValue::narrow(&multi, &json!("a")).is_err());
        let date = question("date", &[]);
        assert_eq!(
            AnswerValue::narrow(&date, &json!("2026-01-02")),
            Ok(AnswerValue::Date("2026-01-02".parse().unwrap()))
        );
        assert!(AnswerValue::narrow(&date, &json!("2026-02-30")).is_err());
        assert!(AnswerValue::narrow(&question("bool", &[]), &json!("yes")).is_err());
        assert_eq!(
            AnswerValue::narrow(&question("number", &[]), &json!(7)),
            Ok(AnswerValue::Number(7.0))
        );
        assert!(AnswerValue::narrow(&question("text", &[]), &json!(7)).is_err());
    }

    #[test]
    fn writes_back_what_was_read() {
        for (kind, raw) in [
            ("number", json!(7)),
            ("number", json!(2.5)),
            ("date", json!("2026-01-02")),
            ("choice", json!("a")),
            ("multi", json!(["a", "b"])),
            ("bool", json!(false)),
            ("text", json!("free")),
            ("choice", json!("not-applicable")),
        ] {
            let q = question(kind, &["a", "b"]);
            assert_eq!(AnswerValue::narrow(&q, &raw).unwrap().to_json(), raw);
        }
    }

    #[test]
    fn shows_labels_and_compares_lists_as_sets() {
        let q = question("multi", &["a", "b"]);
        let ab = AnswerValue::Multi(vec!["a".into(), "b".into()]);
        assert_eq!(ab.display(&q), "A, B");
        assert!(ab.same(&AnswerValue::Multi(vec!["b".into(), "a".into()])));
        assert_eq!(AnswerValue::Unknown.display(&q), "unknown");
    }
}
