//! Checklists: loading, validation and the catalog a manifest is checked
//! against.
//!
//! The bundled checklists are embedded in the binary; a `--checklists DIR`
//! adds files, and a file whose `id` matches a bundled one replaces it.

pub mod lint;
mod model;

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Arc;

pub use model::*;

use crate::diag::{self, Code, Diagnostic};
use crate::document::Document;
use crate::rules::answers::Shape;
use crate::rules::expr::{self, Expr};
use crate::schema::Format;
use crate::yaml::Limits;

/// The checklists shipped in the binary, as (file name, text).
pub const BUNDLED: [(&str, &str); 2] = [
    (
        "baseline.yaml",
        include_str!("../../checklists/baseline.yaml"),
    ),
    (
        "exchange-keys.yaml",
        include_str!("../../checklists/exchange-keys.yaml"),
    ),
];

/// Where a checklist came from.
#[derive(Clone, Debug)]
pub struct Loaded {
    /// The checklist.
    pub checklist: Checklist,
    /// Its source, for positions.
    pub doc: Document,
    /// Whether it is one of the bundled ones.
    pub bundled: bool,
    /// Its file and digest, for a report's integrity block.
    pub source: crate::report::integrity::Input,
}

/// A question of one catalog, by its position among the catalog's question
/// ids (sorted). Only the catalog makes one, for a question it holds, so
/// looking a question up by it ([`Catalog::at`]) cannot miss; results carry
/// it so that later stages never look a question up by its text id again.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct QuestionId(usize);

impl QuestionId {
    /// Its position among the catalog's question ids: where its answer sits
    /// in an expression context.
    pub fn index(self) -> usize {
        self.0
    }
}

/// A question's place in the catalog.
#[derive(Clone, Debug)]
struct QuestionRef {
    checklist: String,
    area: usize,
    question: usize,
    /// Position among all question ids, sorted: the index of its answer in
    /// an expression context.
    index: usize,
}

/// A compiled `when` condition. Conditions with the same text share a
/// slot, so that an evaluation pass can compute each text once.
#[derive(Clone, Copy, Debug)]
pub struct Condition<'c> {
    /// Index among the catalog's distinct condition texts.
    pub slot: usize,
    /// The compiled expression.
    pub expr: &'c Expr,
}

/// A question of a checklist as an evaluation asks it: everything scope
/// would otherwise look up by text id for every question of every
/// evaluation, worked out once per catalog.
#[derive(Clone, Copy, Debug)]
pub struct Asked {
    /// Index of its area in the checklist.
    pub area: usize,
    /// Index of the question in its area.
    pub question: usize,
    /// Its id in the catalog.
    pub id: QuestionId,
    /// The slot of its applicability condition, if it has one.
    pub condition: Option<usize>,
}

/// A rule of a checklist with its compiled condition, worked out once per
/// catalog.
#[derive(Clone, Copy, Debug)]
pub struct RulePlan {
    /// The slot of its condition.
    pub slot: usize,
    /// Whether the condition reads the incidents (so the gate eases as they
    /// age).
    pub reads_incidents: bool,
}

/// What an evaluation needs of one checklist, in checklist order.
#[derive(Clone, Debug, Default)]
struct Plan {
    asked: Vec<Asked>,
    /// By rule, in checklist order; none for a rule whose condition did not
    /// compile (a catalog with such a rule is refused anyway).
    rules: Vec<Option<RulePlan>>,
}

/// The answers a condition reads, by question index.
#[derive(Clone, Debug)]
pub enum AnswersRead {
    /// These, sorted (empty when it reads no answer).
    Some(Vec<usize>),
    /// `answers` as a whole (`answers | length`): any of them.
    All,
}

/// Every checklist available to a run, with compiled conditions.
#[derive(Debug)]
pub struct Catalog {
    checklists: BTreeMap<String, Loaded>,
    questions: BTreeMap<String, QuestionRef>,
    /// The same places, by [`QuestionId`].
    places: Vec<QuestionRef>,
    /// Compiled `when` expressions, one per distinct text.
    expressions: Vec<Expr>,
    /// Question id to its condition's index in `expressions`.
    conditions: HashMap<String, usize>,
    /// Rule id to its condition's index in `expressions`.
    rules: HashMap<String, usize>,
    /// The `answers` namespace of expression contexts.
    shape: Arc<Shape>,
    /// By question index: whether some applicability condition reads it.
    read_by_conditions: Vec<bool>,
    /// By question index: whether some rule reads it.
    read_by_rules: Vec<bool>,
    /// By checklist id: its questions and rules as evaluation reads them.
    plans: BTreeMap<String, Plan>,
    /// By condition slot: the answers it reads.
    answers_read: Vec<AnswersRead>,
    /// By condition slot: for a condition that reads the incidents and
    /// nothing else, its result when there are none.
    without_incidents: Vec<Option<bool>>,
    /// SHA-256 of every source file (name and bytes) the catalog was
    /// loaded from, for cache keys.
    fingerprint: [u8; 32],
}

/// A file to load into a catalog.
#[derive(Clone, Debug)]
pub struct Source {
    /// Name for diagnostics.
    pub file: String,
    /// The bytes.
    pub bytes: Vec<u8>,
}

impl Catalog {
    /// The bundled checklists only.
    pub fn bundled() -> Result<Catalog, Vec<Diagnostic>> {
        Catalog::with_extra(Vec::new())
    }

    /// The bundled checklists plus `extra` files, which override bundled
    /// checklists of the same id.
    pub fn with_extra(extra: Vec<Source>) -> Result<Catalog, Vec<Diagnostic>> {
        let mut diags = Vec::new();
        let mut checklists: BTreeMap<String, Loaded> = BTreeMap::new();
        let bundled = BUNDLED.iter().map(|(name, text)| {
            (
                Source {
                    file: format!("<bundled>/checklists/{name}"),
                    bytes: text.as_bytes().to_vec(),
                },
                true,
            )
        });
        let mut fingerprint = Vec::new();
        for (source, is_bundled) in bundled.chain(extra.into_iter().map(|s| (s, false))) {
            fingerprint.push(crate::cache::digest(&[
                source.file.as_bytes(),
                &source.bytes,
            ]));
            let sha256 = crate::report::integrity::sha256(&source.bytes);
            let doc = match Document::load(
                Format::Checklist,
                &source.file,
                source.bytes,
                &Limits::default(),
            ) {
                Ok(doc) => doc,
                Err(mut d) => {
                    diags.append(&mut d);
                    continue;
                }
            };
            let checklist: Checklist = match doc.typed() {
                Ok(c) => c,
                Err(d) => {
                    diags.push(d);
                    continue;
                }
            };
            if let Some(previous) = checklists.get(&checklist.id)
                && !previous.bundled
            {
                diags.push(
                    doc.error(
                        Code::DuplicateChecklist,
                        "/id",
                        format!(
                            "checklist `{}` is also defined in {}",
                            checklist.id, previous.doc.file
                        ),
                    )
                    .with_help("give one of them another id"),
                );
                continue;
            }
            checklists.insert(
                checklist.id.clone(),
                Loaded {
                    source: crate::report::integrity::Input {
                        id: checklist.id.clone(),
                        file: doc.file.clone(),
                        sha256,
                    },
                    checklist,
                    doc,
                    bundled: is_bundled,
                },
            );
        }
        let mut catalog = Catalog::index(checklists, &mut diags);
        catalog.fingerprint = crate::cache::digest(&[fingerprint.as_flattened()]);
        diag::sort(&mut diags);
        if diags.iter().any(Diagnostic::is_error) {
            Err(diags)
        } else {
            Ok(catalog)
        }
    }

    /// Indexes questions, checks cross-checklist consistency and compiles
    /// every condition.
    fn index(checklists: BTreeMap<String, Loaded>, diags: &mut Vec<Diagnostic>) -> Catalog {
        let mut questions: BTreeMap<String, QuestionRef> = BTreeMap::new();
        let mut areas: BTreeMap<String, String> = BTreeMap::new();
        let mut rule_ids: BTreeMap<String, String> = BTreeMap::new();
        for (id, loaded) in &checklists {
            let doc = &loaded.doc;
            for (a, area) in loaded.checklist.areas.iter().enumerate() {
                if let Some(other) = areas.insert(area.id.clone(), id.clone()) {
                    diags.push(
                        doc.error(
                            Code::DuplicateArea,
                            &format!("/areas/{a}/id"),
                            format!("area `{}` is also defined in checklist `{other}`", area.id),
                        )
                        .with_help("area ids must be unique across all loaded checklists"),
                    );
                }
                for (q, question) in area.questions.iter().enumerate() {
                    let at = format!("/areas/{a}/questions/{q}");
                    if let Some(other) = questions.get(&question.id) {
                        diags.push(
                            doc.error(
                                Code::DuplicateQuestion,
                                &format!("{at}/id"),
                                format!(
                                    "question `{}` is also defined in checklist `{}`",
                                    question.id, other.checklist
                                ),
                            )
                            .with_help("question ids must be unique across all loaded checklists"),
                        );
                        continue;
                    }
                    check_question(doc, &at, question, diags);
                    questions.insert(
                        question.id.clone(),
                        QuestionRef {
                            checklist: id.clone(),
                            area: a,
                            question: q,
                            index: 0,
                        },
                    );
                }
            }
            for (r, rule) in loaded.checklist.rules.iter().enumerate() {
                if let Some(other) = rule_ids.insert(rule.id.clone(), id.clone()) {
                    diags.push(doc.error(
                        Code::DuplicateRule,
                        &format!("/rules/{r}/id"),
                        format!("rule `{}` is also defined in checklist `{other}`", rule.id),
                    ));
                }
            }
        }
        // A question id that is a prefix of another would make
        // `answers.a.b` both a value and a mapping in expressions.
        let ids: BTreeSet<String> = questions.keys().cloned().collect();
        for id in &ids {
            let prefix = format!("{id}.");
            if let Some(longer) = ids
                .range(prefix.clone()..)
                .next()
                .filter(|l| l.starts_with(&prefix))
            {
                let r = &questions[longer];
                let doc = &checklists[&r.checklist].doc;
                diags.push(
                    doc.error(
                        Code::QuestionIdPrefix,
                        &format!("/areas/{}/questions/{}/id", r.area, r.question),
                        format!("question id `{longer}` extends the id of question `{id}`"),
                    )
                    .with_help("rename one of them: expressions read answers as `answers.<id>`"),
                );
            }
        }

        let mut conditions = HashMap::new();
        let mut rules = HashMap::new();
        // Many questions share a condition text (every follow-up of one
        // answer); each text is compiled once and evaluated once per pass.
        let mut expressions: Vec<Expr> = Vec::new();
        let mut slots: HashMap<String, usize> = HashMap::new();
        let mut slot_of = |e: Expr| {
            *slots.entry(e.source().to_string()).or_insert_with(|| {
                expressions.push(e);
                expressions.len() - 1
            })
        };
        for loaded in checklists.values() {
            let doc = &loaded.doc;
            for (a, area) in loaded.checklist.areas.iter().enumerate() {
                for (q, question) in area.questions.iter().enumerate() {
                    if let Some(when) = &question.when {
                        let at = format!("/areas/{a}/questions/{q}/when");
                        if let Some(e) = compile_checked(doc, &at, when, &ids, diags) {
                            conditions.insert(question.id.clone(), slot_of(e));
                        }
                    }
                }
            }
            for (r, rule) in loaded.checklist.rules.iter().enumerate() {
                let at = format!("/rules/{r}/when");
                if let Some(e) = compile_checked(doc, &at, &rule.when, &ids, diags) {
                    rules.insert(rule.id.clone(), slot_of(e));
                }
            }
        }
        // An expression that reads `answers` whole (`answers | length`) may
        // depend on any answer.
        for (index, r) in questions.values_mut().enumerate() {
            r.index = index;
        }
        let read_by = |slots: &HashMap<String, usize>| -> Vec<bool> {
            let exprs = || slots.values().map(|&s| &expressions[s]);
            let whole = exprs().any(|e| e.names().contains("answers"));
            let read: BTreeSet<String> = exprs().flat_map(|e| e.questions(&ids)).collect();
            ids.iter().map(|id| whole || read.contains(id)).collect()
        };
        let read_by_conditions = read_by(&conditions);
        let read_by_rules = read_by(&rules);
        let answers_read = expressions
            .iter()
            .map(|e| {
                if e.names().contains("answers") {
                    AnswersRead::All
                } else {
                    // `questions` is a sorted set, and so are the indices.
                    AnswersRead::Some(
                        e.questions(&ids)
                            .iter()
                            .filter_map(|id| questions.get(id).map(|r| r.index))
                            .collect(),
                    )
                }
            })
            .collect();
        // Most vendors have no incident, and a condition that reads only
        // the incidents then has one result for all of them (the incident
        // rules filter the list several times over, the costliest
        // conditions there are). An error is left to each evaluation to
        // report.
        let without_incidents = expressions
            .iter()
            .map(|e| {
                let names = e.names();
                let only_incidents = !names.is_empty()
                    && names
                        .iter()
                        .all(|n| n.split('.').next() == Some("incidents"));
                if !only_incidents {
                    return None;
                }
                let none: Vec<minijinja::Value> = Vec::new();
                let ctx = minijinja::Value::from(std::collections::BTreeMap::from([(
                    "incidents",
                    minijinja::Value::from(none),
                )]));
                e.is_true(&ctx).ok()
            })
            .collect();
        // The same lookups as `question_id`, `condition` and
        // `rule_condition`, done here once rather than per question per
        // evaluation.
        let plans = checklists
            .iter()
            .map(|(id, loaded)| {
                let c = &loaded.checklist;
                let asked = c
                    .areas
                    .iter()
                    .enumerate()
                    .flat_map(|(a, area)| {
                        area.questions
                            .iter()
                            .enumerate()
                            .map(move |(q, question)| (a, q, question))
                    })
                    .filter_map(|(area, question, q)| {
                        Some(Asked {
                            area,
                            question,
                            id: QuestionId(questions.get(&q.id)?.index),
                            condition: conditions.get(&q.id).copied(),
                        })
                    })
                    .collect();
                let rule_plans = c
                    .rules
                    .iter()
                    .map(|r| {
                        let slot = *rules.get(&r.id)?;
                        Some(RulePlan {
                            slot,
                            reads_incidents: expressions[slot]
                                .names()
                                .iter()
                                .any(|n| n.split('.').next() == Some("incidents")),
                        })
                    })
                    .collect();
                (
                    id.clone(),
                    Plan {
                        asked,
                        rules: rule_plans,
                    },
                )
            })
            .collect();
        Catalog {
            shape: Arc::new(Shape::new(questions.keys().map(String::as_str))),
            places: questions.values().cloned().collect(),
            checklists,
            questions,
            expressions,
            conditions,
            rules,
            read_by_conditions,
            read_by_rules,
            plans,
            answers_read,
            without_incidents,
            fingerprint: [0; 32],
        }
    }

    /// SHA-256 of the files (names and bytes) the catalog was loaded from:
    /// two catalogs with the same fingerprint score alike (in one build).
    pub fn fingerprint(&self) -> [u8; 32] {
        self.fingerprint
    }

    /// The questions of a checklist as an evaluation asks them, in
    /// checklist order.
    pub fn asked(&self, checklist: &str) -> &[Asked] {
        self.plans.get(checklist).map_or(&[], |p| &p.asked)
    }

    /// The rules of a checklist with their conditions, in checklist order
    /// (as `checklist.rules`).
    pub fn rule_plans(&self, checklist: &str) -> &[Option<RulePlan>] {
        self.plans.get(checklist).map_or(&[], |p| &p.rules)
    }

    /// The condition in a slot (of an [`Asked`] or a [`RulePlan`]).
    pub fn condition_at(&self, slot: usize) -> Condition<'_> {
        Condition {
            slot,
            expr: &self.expressions[slot],
        }
    }

    /// The result of the condition in a slot for a manifest without
    /// incidents, when it reads nothing but the incidents.
    pub fn without_incidents(&self, slot: usize) -> Option<bool> {
        self.without_incidents[slot]
    }

    /// The answers the condition in a slot reads.
    pub fn answers_read(&self, slot: usize) -> &AnswersRead {
        &self.answers_read[slot]
    }

    /// A checklist by id.
    pub fn get(&self, id: &str) -> Option<&Loaded> {
        self.checklists.get(id)
    }

    /// All checklists, by id.
    pub fn checklists(&self) -> impl Iterator<Item = &Loaded> {
        self.checklists.values()
    }

    /// All checklist ids.
    pub fn ids(&self) -> impl Iterator<Item = &str> {
        self.checklists.keys().map(String::as_str)
    }

    /// A question with its checklist and area.
    pub fn question(&self, id: &str) -> Option<(&Checklist, &Area, &Question)> {
        let r = self.questions.get(id)?;
        let checklist = &self.checklists.get(&r.checklist)?.checklist;
        let area = checklist.areas.get(r.area)?;
        Some((checklist, area, area.questions.get(r.question)?))
    }

    /// The id of a question the catalog holds.
    pub fn question_id(&self, id: &str) -> Option<QuestionId> {
        self.questions.get(id).map(|r| QuestionId(r.index))
    }

    /// The id of each of `ids`, as [`Catalog::question_id`] gives it. The
    /// ids of a map's keys come sorted, as the catalog's do, so one walk over
    /// both finds them without a lookup each; an id that comes out of order
    /// is looked up.
    pub fn question_ids_of<'i>(
        &self,
        ids: impl IntoIterator<Item = &'i str>,
    ) -> impl Iterator<Item = Option<QuestionId>> {
        let mut known = self.questions.keys().enumerate().peekable();
        let mut last: Option<&str> = None;
        ids.into_iter().map(move |id| {
            if last.is_some_and(|l| id < l) {
                return self.question_id(id);
            }
            last = Some(id);
            while known.next_if(|(_, q)| q.as_str() < id).is_some() {}
            match known.peek() {
                Some(&(i, q)) if q == id => Some(QuestionId(i)),
                _ => None,
            }
        })
    }

    /// The question an id stands for, with its checklist and area.
    pub fn at(&self, id: QuestionId) -> (&Checklist, &Area, &Question) {
        // Places are built with their checklists and never change, so the
        // indexing below holds for every id this catalog made.
        let r = &self.places[id.0];
        let checklist = &self.checklists[&r.checklist].checklist;
        let area = &checklist.areas[r.area];
        (checklist, area, &area.questions[r.question])
    }

    /// Every question id in the catalog.
    pub fn question_ids(&self) -> impl Iterator<Item = &str> {
        self.questions.keys().map(String::as_str)
    }

    /// A rule by id, with its checklist.
    pub fn rule(&self, id: &str) -> Option<(&Checklist, &Rule)> {
        self.checklists.values().find_map(|l| {
            l.checklist
                .rules
                .iter()
                .find(|r| r.id == id)
                .map(|r| (&l.checklist, r))
        })
    }

    /// The compiled applicability condition of a question, if it has one.
    pub fn condition(&self, question: &str) -> Option<Condition<'_>> {
        let slot = *self.conditions.get(question)?;
        Some(Condition {
            slot,
            expr: &self.expressions[slot],
        })
    }

    /// How many distinct condition texts the catalog holds: the bound of
    /// [`Condition::slot`].
    pub fn condition_slots(&self) -> usize {
        self.expressions.len()
    }

    /// By question index ([`QuestionId::index`]): whether some
    /// applicability condition reads the answer. Masking an answer no
    /// condition reads cannot change which questions apply.
    pub fn read_by_conditions(&self) -> &[bool] {
        &self.read_by_conditions
    }

    /// By question index: whether some rule reads the answer.
    pub fn read_by_rules(&self) -> &[bool] {
        &self.read_by_rules
    }

    /// How many questions the catalog holds.
    pub fn question_count(&self) -> usize {
        self.questions.len()
    }

    /// The shape of the `answers` namespace of expression contexts.
    pub fn answers_shape(&self) -> &Arc<Shape> {
        &self.shape
    }

    /// The compiled condition of a rule.
    pub fn rule_condition(&self, rule: &str) -> Option<Condition<'_>> {
        let slot = *self.rules.get(rule)?;
        Some(Condition {
            slot,
            expr: &self.expressions[slot],
        })
    }
}

fn compile_checked(
    doc: &Document,
    at: &str,
    source: &str,
    ids: &BTreeSet<String>,
    diags: &mut Vec<Diagnostic>,
) -> Option<Expr> {
    match Expr::compile(source) {
        Ok(e) => {
            for unknown in expr::unknown_names(&e, ids) {
                let mut d = doc.error(
                    Code::UnknownName,
                    at,
                    format!(
                        "the expression uses `{}`, which does not exist",
                        unknown.name
                    ),
                );
                d = match unknown.suggestion {
                    Some(s) => d.with_help(format!("did you mean `{s}`?")),
                    None => d.with_help("expressions read `answers.<question id>`, `integration.*`, `vendor.*` and `incidents`"),
                };
                diags.push(d);
            }
            Some(e)
        }
        Err(message) => {
            diags.push(
                doc.error(Code::InvalidExpression, at, format!("the expression does not parse: {message}"))
                    .with_help("conditions are minijinja expressions, e.g. `answers.keys.withdrawal == 'never'`"),
            );
            None
        }
    }
}

fn check_question(doc: &Document, at: &str, question: &Question, diags: &mut Vec<Diagnostic>) {
    let mut seen = BTreeSet::new();
    for (i, option) in question.options.iter().enumerate() {
        if !seen.insert(option.value.as_str()) {
            diags.push(doc.error(
                Code::DuplicateOption,
                &format!("{at}/options/{i}/value"),
                format!(
                    "option `{}` appears twice in question `{}`",
                    option.value, question.id
                ),
            ));
        }
        if crate::manifest::RESERVED_VALUES.contains(&option.value.as_str()) {
            diags.push(
                doc.error(
                    Code::ReservedOption,
                    &format!("{at}/options/{i}/value"),
                    format!(
                        "`{}` is reserved: every question accepts unknown, declined and not-applicable",
                        option.value
                    ),
                )
                .with_help("remove this option"),
            );
        }
    }
    if !question.bands.is_empty()
        && !matches!(question.kind, QuestionType::Number | QuestionType::Date)
    {
        diags.push(doc.error(
            Code::InvalidBands,
            &format!("{at}/bands"),
            "only number and date questions are scored by bands",
        ));
    }
    let mut last = f64::NEG_INFINITY;
    for (i, band) in question.bands.iter().enumerate() {
        let is_last = i + 1 == question.bands.len();
        match band.up_to {
            Some(up_to) if up_to > last => last = up_to,
            Some(_) => diags.push(doc.error(
                Code::InvalidBands,
                &format!("{at}/bands/{i}/up-to"),
                "band bounds must increase from one band to the next",
            )),
            None if is_last => {}
            None => diags.push(doc.error(
                Code::InvalidBands,
                &format!("{at}/bands/{i}"),
                "only the last band may leave out `up-to`",
            )),
        }
    }
    if question.favourable.is_some() && question.kind != QuestionType::Bool {
        diags.push(doc.error(
            Code::InvalidFavourable,
            &format!("{at}/favourable"),
            "`favourable` applies to bool questions only",
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn source(text: &str) -> Source {
        Source {
            file: "custom.yaml".into(),
            bytes: text.as_bytes().to_vec(),
        }
    }

    #[test]
    fn bundled_catalog_loads() {
        let catalog = Catalog::bundled().unwrap_or_else(|d| panic!("{d:#?}"));
        assert!(catalog.get("baseline").is_some());
        assert!(catalog.get("exchange-keys").is_some());
        assert!(catalog.question("keys.withdrawal").is_some());
    }

    #[test]
    fn semantic_errors_are_all_reported() {
        let text = "id: custom\nversion: 1.0.0\ntitle: T\nareas:\n  - id: keys\n    title: Clash\n    questions:\n      - id: keys.withdrawal\n        text: again\n        severity: low\n        type: bool\n      - id: custom.q\n        text: q\n        severity: low\n        type: choice\n        when: \"answers.keys.withdrawl == 'x'\"\n        options:\n          - {value: a, label: A, score: 1}\n          - {value: a, label: B, score: 0}\nrules:\n  - id: r\n    when: \"answers.custom.q ==\"\n    effect: finding\n    message: m\n";
        let diags = Catalog::with_extra(vec![source(text)]).unwrap_err();
        let codes: Vec<_> = diags.iter().map(|d| d.code).collect();
        for code in [
            Code::DuplicateArea,
            Code::DuplicateQuestion,
            Code::UnknownName,
            Code::DuplicateOption,
            Code::InvalidExpression,
        ] {
            assert!(codes.contains(&code), "{code} missing from {diags:#?}");
        }
        let unknown = diags.iter().find(|d| d.code == Code::UnknownName).unwrap();
        assert_eq!(unknown.line, 16);
        assert_eq!(
            unknown.help.as_deref(),
            Some("did you mean `answers.keys.withdrawal`?")
        );
    }

    #[test]
    fn question_ids_of_sorted_or_unsorted_ids_are_those_of_each_id() {
        let catalog = Catalog::bundled().unwrap();
        let mut ids: Vec<&str> = catalog.question_ids().step_by(3).collect();
        ids.insert(2, "nope");
        ids.push("zzz.after.all");
        ids.insert(0, "");
        let each: Vec<_> = ids.iter().map(|id| catalog.question_id(id)).collect();
        let walked: Vec<_> = catalog.question_ids_of(ids.iter().copied()).collect();
        assert_eq!(walked, each);
        assert!(walked.iter().filter(|q| q.is_some()).count() > 10);
        ids.reverse();
        let each: Vec<_> = ids.iter().map(|id| catalog.question_id(id)).collect();
        let walked: Vec<_> = catalog.question_ids_of(ids.iter().copied()).collect();
        assert_eq!(walked, each);
    }

    #[test]
    fn a_custom_checklist_replaces_a_bundled_one_of_the_same_id() {
        let text = "id: baseline\nversion: 9.0.0\ntitle: Ours\nareas:\n  - id: ours\n    title: Ours\n    questions:\n      - id: ours.one\n        text: One?\n        severity: low\n        type: bool\n";
        let catalog = Catalog::with_extra(vec![source(text)]).unwrap_or_else(|d| panic!("{d:#?}"));
        assert_eq!(catalog.get("baseline").unwrap().checklist.version, "9.0.0");
        assert!(catalog.question("ours.one").is_some());
    }
}
