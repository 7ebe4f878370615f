//! Reports: one serialisable [`Report`] per assessment, rendered to Markdown
//! through minijinja templates or emitted as JSON.
//!
//! Templates are embedded; a `--templates DIR` holding a file of the same
//! name replaces the embedded one. Every string a template prints is escaped
//! for Markdown unless the template marks it safe, so a template author
//! cannot forget to escape a vendor's name.

pub mod chart;
pub mod escape;
pub mod html;

use std::collections::BTreeMap;
use std::path::PathBuf;

use minijinja::value::Value;
use minijinja::{AutoEscape, Environment, Error as TemplateError, ErrorKind, UndefinedBehavior};
use serde::Serialize;

use crate::checklist::Catalog;
use crate::date::Date;
use crate::evaluate::{
    AreaResult, Assessment, EvidenceState, Finding, Gate, KeyPolicy, QuestionResult, Status,
    WaiverStatus,
};
use crate::level::Level;
use crate::manifest::{Manifest, Provenance};
use crate::rules::{Permission, Policy, Verdict};

/// The embedded templates, by name.
pub const TEMPLATES: [(&str, &str); 6] = [
    ("report.md.j2", include_str!("../../templates/report.md.j2")),
    (
        "compliance.md.j2",
        include_str!("../../templates/compliance.md.j2"),
    ),
    (
        "checklist.md.j2",
        include_str!("../../templates/checklist.md.j2"),
    ),
    (
        "compare.md.j2",
        include_str!("../../templates/compare.md.j2"),
    ),
    (
        "portfolio.md.j2",
        include_str!("../../templates/portfolio.md.j2"),
    ),
    ("diff.md.j2", include_str!("../../templates/diff.md.j2")),
];

/// Fuel for one render: ample for any report, a stop for a template that
/// loops without end.
const FUEL: u64 = 5_000_000;

/// The auto-escape mode of Markdown templates.
const MARKDOWN: &str = "markdown";

/// Everything a report shows, as plain data. Its JSON form is `--format json`.
#[derive(Clone, Debug, Serialize)]
pub struct Report {
    /// Producer.
    pub tool: Tool,
    /// The vendor as the manifest describes it.
    pub vendor: crate::manifest::Vendor,
    /// The integration.
    pub integration: IntegrationSummary,
    /// Who assessed and when.
    pub assessment: crate::manifest::AssessmentInfo,
    /// The policy used.
    pub policy: Named,
    /// The headline.
    pub summary: Summary,
    /// Terms of approval.
    pub conditions: Vec<String>,
    /// Key terms.
    pub key_policy: KeyPolicy,
    /// Per area.
    pub areas: Vec<AreaResult>,
    /// Findings, worst first.
    pub findings: Vec<Finding>,
    /// Every question that cost points, costliest first.
    pub trace: Vec<QuestionResult>,
    /// All questions in scope.
    pub questions: Vec<QuestionResult>,
    /// Rules whose condition held.
    pub gates: Vec<Gate>,
    /// The vendor's incidents.
    pub incidents: Vec<IncidentRow>,
    /// Every piece of evidence.
    pub evidence: Vec<EvidenceRow>,
    /// Questions without a usable answer.
    pub unanswered: Vec<QuestionResult>,
    /// Waivers.
    pub waivers: Vec<WaiverStatus>,
    /// Questions grouped by the framework controls they reference.
    pub frameworks: Vec<FrameworkSection>,
    /// What `vetted collect` observed, if it ran.
    pub collected: Option<crate::manifest::Collected>,
}

/// The questions that reference one framework.
#[derive(Clone, Debug, Serialize)]
pub struct FrameworkSection {
    /// Key used in checklists (`soc2`).
    pub id: String,
    /// Full name.
    pub title: &'static str,
    /// One row per question, by reference.
    pub rows: Vec<FrameworkRow>,
}

/// One question under a framework control.
#[derive(Clone, Debug, Serialize)]
pub struct FrameworkRow {
    /// The control, as the checklist cites it (`CC6.1`).
    pub reference: String,
    /// Question id.
    pub question: String,
    /// Question text.
    pub text: String,
    /// How it counted.
    pub status: Status,
    /// The answer.
    pub answer: Option<String>,
    /// Where it came from.
    pub source: Option<Provenance>,
    /// Evidence state.
    pub evidence: EvidenceState,
    /// Evidence locations with the date each was observed.
    pub observed: Vec<String>,
}

/// Frameworks in the order a compliance document lists them, with titles.
pub const FRAMEWORK_TITLES: [(&str, &str); 8] = [
    ("soc2", "SOC 2 trust services criteria"),
    ("iso27001", "ISO/IEC 27001:2022 Annex A"),
    ("ccss", "CryptoCurrency Security Standard (CCSS)"),
    ("mvsp", "Minimum Viable Secure Product (MVSP)"),
    ("gdpr", "GDPR"),
    ("rfc9116", "RFC 9116 (security.txt)"),
    ("caiq", "CSA CAIQ"),
    ("scorecard", "OpenSSF Scorecard"),
];

fn frameworks(manifest: &Manifest, catalog: &Catalog, a: &Assessment) -> Vec<FrameworkSection> {
    let mut out = Vec::new();
    for (id, title) in FRAMEWORK_TITLES {
        let mut rows: Vec<FrameworkRow> = a
            .questions
            .iter()
            .filter_map(|r| {
                let (_, _, q) = catalog.question(&r.id)?;
                let reference = q.references.get(id)?;
                Some(FrameworkRow {
                    reference: reference.clone(),
                    question: r.id.clone(),
                    text: r.text.clone(),
                    status: r.status,
                    answer: r.answer.clone(),
                    source: r.source,
                    evidence: r.evidence,
                    observed: manifest
                        .answers
                        .get(&r.id)
                        .map(|ans| {
                            ans.evidence
                                .iter()
                                .map(|e| format!("{} ({})", e.url, e.observed))
                                .collect()
                        })
                        .unwrap_or_default(),
                })
            })
            .collect();
        if rows.is_empty() {
            continue;
        }
        rows.sort_by(|x, y| {
            x.reference
                .cmp(&y.reference)
                .then_with(|| x.question.cmp(&y.question))
        });
        out.push(FrameworkSection {
            id: id.to_string(),
            title,
            rows,
        });
    }
    out
}

/// Producer name and version.
#[derive(Clone, Debug, Serialize)]
pub struct Tool {
    /// `vetted`.
    pub name: &'static str,
    /// Crate version.
    pub version: &'static str,
}

/// An id with a version and title.
#[derive(Clone, Debug, Serialize)]
pub struct Named {
    /// Id.
    pub id: String,
    /// Version.
    pub version: String,
    /// Title.
    pub title: String,
}

/// The integration, as reported.
#[derive(Clone, Debug, Serialize)]
pub struct IntegrationSummary {
    /// Purpose.
    pub purpose: String,
    /// Permissions requested.
    pub permissions: Vec<Permission>,
    /// Funds at risk, formatted.
    pub funds_at_risk: Option<String>,
    /// Data classes.
    pub data_classes: Vec<String>,
    /// Checklists with versions.
    pub checklists: Vec<Named>,
    /// Whether exchange keys are shared.
    pub exchange_keys: bool,
}

/// The headline numbers.
#[derive(Clone, Debug, Serialize)]
pub struct Summary {
    /// Verdict.
    pub verdict: Verdict,
    /// Verdict as words.
    pub verdict_label: &'static str,
    /// Why.
    pub verdict_reason: String,
    /// Residual tier.
    pub tier: Level,
    /// Tier from score alone.
    pub score_tier: Level,
    /// Score 0 to 100, one decimal.
    pub score: f64,
    /// Confidence 0 to 100, one decimal.
    pub confidence: f64,
    /// Inherent risk.
    pub inherent_risk: Level,
    /// What set it.
    pub inherent_reasons: Vec<String>,
    /// As-of date.
    pub as_of: Date,
    /// Next review.
    pub next_review: Date,
    /// Points lost to answers.
    pub points_lost_answers: f64,
    /// Points lost to weak evidence.
    pub points_lost_evidence: f64,
}

/// An incident, with derived facts.
#[derive(Clone, Debug, Serialize)]
pub struct IncidentRow {
    /// Date.
    pub date: Date,
    /// Kind.
    pub kind: String,
    /// Severity.
    pub severity: Level,
    /// Summary.
    pub summary: Option<String>,
    /// Days before the vendor acknowledged it.
    pub acknowledged_after_days: Option<i64>,
    /// Denied before confirmed.
    pub denied_first: bool,
    /// Post-mortem link (shown as text).
    pub postmortem: Option<String>,
    /// Age on the as-of date.
    pub age_days: i64,
}

/// One piece of evidence with its freshness.
#[derive(Clone, Debug, Serialize)]
pub struct EvidenceRow {
    /// Question.
    pub question: String,
    /// Where.
    pub url: String,
    /// Seen on.
    pub observed: Date,
    /// Expires.
    pub expires: Option<Date>,
    /// Age on the as-of date.
    pub age_days: i64,
    /// current, stale or expired.
    pub freshness: &'static str,
    /// Provenance of the answer.
    pub source: Provenance,
}

/// `x` rounded to `digits` decimals, without a negative zero: reports show
/// numbers at a fixed precision so that output is stable.
pub fn round(x: f64, digits: i32) -> f64 {
    let f = 10f64.powi(digits);
    let r = (x * f).round() / f;
    if r == 0.0 { 0.0 } else { r }
}

fn round_question(mut q: QuestionResult) -> QuestionResult {
    q.points_lost_answer = round(q.points_lost_answer, 2);
    q.points_lost_evidence = round(q.points_lost_evidence, 2);
    q
}

impl Report {
    /// Assembles the report of an assessment.
    pub fn build(
        manifest: &Manifest,
        catalog: &Catalog,
        policy: &Policy,
        assessment: &Assessment,
    ) -> Report {
        let a = assessment;
        let checklists = manifest
            .integration
            .checklists
            .iter()
            .filter_map(|id| catalog.get(id))
            .map(|l| Named {
                id: l.checklist.id.clone(),
                version: l.checklist.version.clone(),
                title: l.checklist.title.clone(),
            })
            .collect();
        let mut trace: Vec<QuestionResult> = a
            .questions
            .iter()
            .filter(|q| q.points_lost_answer + q.points_lost_evidence > 0.005)
            .cloned()
            .map(round_question)
            .collect();
        trace.sort_by(|x, y| {
            (y.points_lost_answer + y.points_lost_evidence)
                .total_cmp(&(x.points_lost_answer + x.points_lost_evidence))
                .then_with(|| x.id.cmp(&y.id))
        });
        let mut evidence = Vec::new();
        for (id, answer) in &manifest.answers {
            for e in &answer.evidence {
                let age = e.observed.days_until(a.as_of);
                let freshness = if e.expires.is_some_and(|x| x < a.as_of) {
                    "expired"
                } else if age > policy.evidence.max_age_days {
                    "stale"
                } else {
                    "current"
                };
                evidence.push(EvidenceRow {
                    question: id.clone(),
                    url: e.url.clone(),
                    observed: e.observed,
                    expires: e.expires,
                    age_days: age,
                    freshness,
                    source: answer.source,
                });
            }
        }
        Report {
            tool: Tool {
                name: "vetted",
                version: env!("CARGO_PKG_VERSION"),
            },
            vendor: manifest.vendor.clone(),
            integration: IntegrationSummary {
                purpose: manifest.integration.purpose.clone(),
                permissions: manifest.integration.permissions.clone(),
                funds_at_risk: manifest
                    .integration
                    .funds_at_risk
                    .as_ref()
                    .map(|f| format!("{} {}", f.amount, f.currency)),
                data_classes: manifest.integration.data_classes.clone(),
                checklists,
                exchange_keys: a.key_policy.applies,
            },
            assessment: manifest.assessment.clone(),
            policy: Named {
                id: policy.id.clone(),
                version: policy.version.clone(),
                title: String::new(),
            },
            summary: Summary {
                verdict: a.verdict,
                verdict_label: a.verdict.label(),
                verdict_reason: a.verdict_reason.clone(),
                tier: a.tier,
                score_tier: a.score_tier,
                score: round(a.score, 1),
                confidence: round(a.confidence, 1),
                inherent_risk: a.inherent_risk,
                inherent_reasons: a.inherent_reasons.clone(),
                as_of: a.as_of,
                next_review: a.next_review,
                points_lost_answers: round(
                    a.questions.iter().map(|q| q.points_lost_answer).sum(),
                    1,
                ),
                points_lost_evidence: round(
                    a.questions.iter().map(|q| q.points_lost_evidence).sum(),
                    1,
                ),
            },
            conditions: a.conditions.clone(),
            key_policy: a.key_policy.clone(),
            areas: a
                .areas
                .iter()
                .cloned()
                .map(|mut x| {
                    x.score = x.score.map(|s| round(s, 1));
                    x.confidence = x.confidence.map(|s| round(s, 1));
                    x.points_lost = round(x.points_lost, 2);
                    x
                })
                .collect(),
            findings: a
                .findings
                .iter()
                .cloned()
                .map(|mut f| {
                    f.points_lost = round(f.points_lost, 2);
                    f
                })
                .collect(),
            trace,
            questions: a.questions.iter().cloned().map(round_question).collect(),
            gates: a.gates.clone(),
            incidents: manifest
                .incidents
                .iter()
                .map(|i| IncidentRow {
                    date: i.date,
                    kind: i.kind.clone(),
                    severity: i.severity,
                    summary: i.summary.clone(),
                    acknowledged_after_days: i.acknowledged_after_days,
                    denied_first: i.denied_first,
                    postmortem: i.postmortem.clone(),
                    age_days: i.date.days_until(a.as_of),
                })
                .collect(),
            evidence,
            unanswered: a
                .questions
                .iter()
                .filter(|q| matches!(q.status, Status::Unanswered | Status::Unknown))
                .cloned()
                .map(round_question)
                .collect(),
            waivers: a.waivers.clone(),
            frameworks: frameworks(manifest, catalog, a),
            collected: manifest.collected.clone(),
        }
    }

    /// The report as pretty-printed JSON, with a trailing newline.
    pub fn to_json(&self) -> String {
        let mut s = serde_json::to_string_pretty(self).expect("a report always serialises");
        s.push('\n');
        s
    }
}

/// Why a template could not be rendered.
#[derive(Debug, thiserror::Error)]
#[error("template {name}: {message}")]
pub struct RenderError {
    /// Template name.
    pub name: String,
    /// What went wrong, with the template line where minijinja knows it.
    pub message: String,
}

/// Renders templates, embedded or overridden from a directory.
pub struct Renderer {
    env: Environment<'static>,
}

impl Renderer {
    /// A renderer over the embedded templates, with `overrides` (a directory
    /// read by the caller: name to text) taking precedence.
    pub fn new(overrides: BTreeMap<String, String>) -> Renderer {
        let mut env = Environment::new();
        env.set_undefined_behavior(UndefinedBehavior::Strict);
        env.set_fuel(Some(FUEL));
        // A text file ends with a newline; minijinja drops the template's by default.
        env.set_syntax(
            minijinja::syntax::SyntaxConfig::builder()
                .keep_trailing_newline(true)
                .build()
                .expect("default delimiters are valid"),
        );
        env.set_auto_escape_callback(|name| {
            if name.ends_with(".md.j2") || name.ends_with(".md") {
                AutoEscape::Custom(MARKDOWN.into())
            } else {
                AutoEscape::None
            }
        });
        env.set_formatter(|out, state, value| {
            let markdown =
                matches!(state.auto_escape(), AutoEscape::Custom(name) if name == MARKDOWN);
            if !markdown {
                return minijinja::escape_formatter(out, state, value);
            }
            let text = match value.as_str() {
                Some(s) if !value.is_safe() => escape::escape(s),
                _ => value.to_string(),
            };
            out.write_str(&text)
                .map_err(|_| TemplateError::new(ErrorKind::WriteFailure, "cannot write output"))
        });
        env.add_filter("fixed", |v: f64, digits: Option<usize>| -> Value {
            Value::from_safe_string(format!("{:.*}", digits.unwrap_or(1), v))
        });
        env.add_filter("md", |s: String| -> Value {
            Value::from_safe_string(escape::escape(&s))
        });
        let mut templates: BTreeMap<String, String> = TEMPLATES
            .iter()
            .map(|(n, t)| (n.to_string(), t.to_string()))
            .collect();
        templates.extend(overrides);
        env.set_loader(move |name| Ok(templates.get(name).cloned()));
        Renderer { env }
    }

    /// Renders `name` with `ctx`.
    pub fn render<S: Serialize>(&self, name: &str, ctx: &S) -> Result<String, RenderError> {
        let err = |e: TemplateError| {
            let mut message = e.to_string();
            let mut source = std::error::Error::source(&e);
            while let Some(s) = source {
                message.push_str(&format!(": {s}"));
                source = s.source();
            }
            RenderError {
                name: name.to_string(),
                message,
            }
        };
        let template = self.env.get_template(name).map_err(err)?;
        template.render(minijinja::value::Serde(ctx)).map_err(err)
    }

    /// The Markdown report.
    pub fn markdown(&self, report: &Report) -> Result<String, RenderError> {
        self.render("report.md.j2", report)
    }
}

/// Template names a `--templates DIR` may override.
pub fn template_names() -> impl Iterator<Item = &'static str> {
    TEMPLATES.iter().map(|(n, _)| *n)
}

/// Files in a templates directory that would override embedded ones.
pub fn override_paths(dir: &std::path::Path) -> Vec<(String, PathBuf)> {
    template_names()
        .map(|n| (n.to_string(), dir.join(n)))
        .filter(|(_, p)| p.is_file())
        .collect()
}
