//! The checklist data model, as written in `checklists/*.yaml`.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::level::Level;

/// A questionnaire: areas of weighted questions, plus gate rules.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub struct Checklist {
    /// Stable id that manifests name.
    pub id: String,
    /// Semantic version, shown in reports.
    pub version: String,
    /// Human title.
    pub title: String,
    /// What the checklist is for.
    #[serde(default)]
    pub description: Option<String>,
    /// When the facts behind it were last checked.
    #[serde(default)]
    pub as_of: Option<String>,
    /// What choosing this checklist says about an integration.
    #[serde(default)]
    pub covers: Vec<Covers>,
    /// The areas, in order.
    pub areas: Vec<Area>,
    /// Gates run after scoring.
    #[serde(default)]
    pub rules: Vec<Rule>,
}

/// What a checklist's use says about an integration, beyond its answers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Covers {
    /// The integration uses exchange API keys.
    ExchangeKeys,
}

/// A group of questions with a weight in the overall score.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub struct Area {
    /// Unique area id.
    pub id: String,
    /// Human title.
    pub title: String,
    /// Weight of the area in the overall score.
    #[serde(default = "one")]
    pub weight: f64,
    /// The questions, in order.
    pub questions: Vec<Question>,
}

fn one() -> f64 {
    1.0
}

/// How much proof a question wants.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "kebab-case")]
pub enum EvidenceNeed {
    /// An answer without evidence is unverified and earns reduced credit.
    Required,
    /// Evidence is expected; without it the answer earns slightly less.
    #[default]
    Recommended,
    /// The answer is a fact of the integration itself.
    None,
}

/// How silence (no answer, or `unknown`) counts on a question.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "kebab-case")]
pub enum Silence {
    /// Not knowing is not knowing something bad: left out of the score,
    /// counted against confidence.
    #[default]
    Unknown,
    /// The vendor must be able to answer: silence scores as the worst answer.
    Adverse,
}

/// The kind of answer a question takes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum QuestionType {
    /// One option.
    Choice,
    /// Several options; the score is their clamped sum.
    Multi,
    /// Yes or no.
    Bool,
    /// A number, scored by bands.
    Number,
    /// A date, scored by age in days through bands.
    Date,
    /// Free text, not scored.
    Text,
}

/// One answer option.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Choice {
    /// What a manifest writes.
    pub value: String,
    /// What a person reads.
    pub label: String,
    /// Score in [0, 1].
    pub score: f64,
}

/// A scoring band for numbers and dates.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub struct Band {
    /// Inclusive upper bound; none for the last band.
    #[serde(default)]
    pub up_to: Option<f64>,
    /// Score in [0, 1].
    pub score: f64,
}

/// One question.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub struct Question {
    /// Unique dotted id, e.g. `keys.withdrawal`.
    pub id: String,
    /// The question.
    pub text: String,
    /// Why it matters and how to verify it.
    #[serde(default)]
    pub help: Option<String>,
    /// How much a bad answer matters; sets the weight.
    pub severity: Level,
    /// How much proof is wanted.
    #[serde(default)]
    pub evidence: EvidenceNeed,
    /// Applicability condition.
    #[serde(default)]
    pub when: Option<String>,
    /// The condition in plain words, for a reader of a report that says
    /// why the question was not asked.
    #[serde(default)]
    pub when_text: Option<String>,
    /// How an unanswered or unknown answer counts.
    #[serde(default)]
    pub silence: Silence,
    /// Answer kind.
    #[serde(rename = "type")]
    pub kind: QuestionType,
    /// Options of choice and multi questions.
    #[serde(default)]
    pub options: Vec<Choice>,
    /// For bool questions: the answer that scores 1.
    #[serde(default)]
    pub favourable: Option<bool>,
    /// For number and date questions.
    #[serde(default)]
    pub bands: Vec<Band>,
    /// What to ask of the vendor, or how to limit exposure.
    #[serde(default)]
    pub remediation: Option<String>,
    /// Framework references (soc2, iso27001, ccss, ...).
    #[serde(default)]
    pub references: BTreeMap<String, String>,
    /// Collected facts that answer the question, tried in order.
    #[serde(default)]
    pub collect: Vec<Collect>,
    /// What a vendor's CSA CAIQ answers to the control in
    /// `references.caiq` say about this question.
    #[serde(default, rename = "caiq-answers")]
    pub caiq_answers: Option<CaiqAnswers>,
}

/// The answers a CAIQ `Yes` and `No` stand for (raw, narrowed when used).
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct CaiqAnswers {
    /// For `Yes` to every question of the control.
    #[serde(default)]
    pub yes: Option<serde_json::Value>,
    /// For `No` to any of them.
    #[serde(default)]
    pub no: Option<serde_json::Value>,
}

/// A collected fact that answers a question.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Collect {
    /// The fact's name (`security-txt.status`).
    pub fact: String,
    /// How its value becomes an answer, first match wins; with no entries
    /// the value is the answer as it is.
    #[serde(default)]
    pub map: Vec<Mapping>,
}

/// One step of a [`Collect`] map.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub struct Mapping {
    /// Matches a fact equal to this.
    #[serde(default)]
    pub equals: Option<serde_json::Value>,
    /// Matches a numeric fact at least this.
    #[serde(default)]
    pub at_least: Option<f64>,
    /// The answer it gives.
    pub answer: serde_json::Value,
}

impl Mapping {
    /// Whether a fact's value matches (an entry with no test matches any).
    pub fn matches(&self, value: &serde_json::Value) -> bool {
        let equal = self.equals.as_ref().is_none_or(|e| match (e, value) {
            (serde_json::Value::Number(a), serde_json::Value::Number(b)) => {
                a.as_f64() == b.as_f64()
            }
            _ => e == value,
        });
        let enough = self
            .at_least
            .is_none_or(|n| value.as_f64().is_some_and(|v| v >= n));
        equal && enough
    }
}

/// The answer a question gets from collected facts, and the fact behind it.
#[derive(Clone, Debug, PartialEq)]
pub struct Derived<'a> {
    /// The answer value.
    pub answer: crate::manifest::AnswerValue,
    /// The fact's name.
    pub fact: &'a str,
}

impl Question {
    /// Whether the answer changes the score at all.
    pub fn is_scored(&self) -> bool {
        match self.kind {
            QuestionType::Choice | QuestionType::Multi | QuestionType::Bool => true,
            QuestionType::Number | QuestionType::Date => !self.bands.is_empty(),
            QuestionType::Text => false,
        }
    }

    /// The answer the first usable collected fact gives, if any.
    pub fn derive<'a>(
        &'a self,
        facts: &BTreeMap<String, crate::manifest::Fact>,
    ) -> Option<Derived<'a>> {
        self.collect.iter().find_map(|c| {
            let value = &facts.get(&c.fact)?.value;
            let raw = if c.map.is_empty() {
                value
            } else {
                &c.map.iter().find(|m| m.matches(value))?.answer
            };
            let answer = self.collected_answer(raw)?;
            Some(Derived {
                answer,
                fact: &c.fact,
            })
        })
    }

    /// The answer a collected value gives: a value of this question's
    /// kind. Evidence observes facts, so it never answers with one of the
    /// reserved words (unknown, declined, not-applicable).
    pub fn collected_answer(
        &self,
        raw: &serde_json::Value,
    ) -> Option<crate::manifest::AnswerValue> {
        crate::manifest::AnswerValue::narrow(self, raw)
            .ok()
            .filter(|v| !v.is_reserved())
    }

    /// The option with this value.
    pub fn option(&self, value: &str) -> Option<&Choice> {
        self.options.iter().find(|o| o.value == value)
    }
}

/// What a rule does when its condition holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Effect {
    /// `reject` or `finding`.
    Simple(SimpleEffect),
    /// `{min-tier: high}`.
    MinTier {
        /// The tier is at least this.
        #[serde(rename = "min-tier")]
        min_tier: Level,
    },
}

/// The effects without parameters.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum SimpleEffect {
    /// The verdict is reject, whatever the score. Waivers cannot lift it.
    Reject,
    /// The verdict is at best approve with conditions (the rule's
    /// `review-days` and `funds-cap` among them).
    Conditions,
    /// An extra finding in the report.
    Finding,
}

/// A gate.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub struct Rule {
    /// Unique rule id.
    pub id: String,
    /// Condition.
    pub when: String,
    /// Effect.
    pub effect: Effect,
    /// Severity of the finding the rule adds.
    #[serde(default)]
    pub severity: Option<Level>,
    /// Why.
    pub message: String,
    /// What to do.
    #[serde(default)]
    pub remediation: Option<String>,
    /// For `conditions`: reassess within this many days at most.
    #[serde(default)]
    pub review_days: Option<i64>,
    /// For `conditions`: the most funds to keep at risk, in the policy's
    /// funds currency.
    #[serde(default)]
    pub funds_cap: Option<f64>,
}

impl Rule {
    /// Whether the rule rejects.
    pub fn rejects(&self) -> bool {
        self.effect == Effect::Simple(SimpleEffect::Reject)
    }

    /// Severity of the rule's finding: critical for reject, the min-tier for
    /// min-tier, else as written (default high).
    pub fn finding_severity(&self) -> Level {
        match self.effect {
            Effect::Simple(SimpleEffect::Reject) => Level::Critical,
            Effect::MinTier { min_tier } => self.severity.unwrap_or(min_tier),
            Effect::Simple(SimpleEffect::Conditions) => self.severity.unwrap_or(Level::Medium),
            Effect::Simple(SimpleEffect::Finding) => self.severity.unwrap_or(Level::High),
        }
    }
}
