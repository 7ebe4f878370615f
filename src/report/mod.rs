//! Reports: one serialisable [`Report`] per assessment, rendered to Markdown
//! through minijinja templates, to HTML, or emitted as JSON, through the one
//! [`Render`] trait every document implements ([`render()`]).
//!
//! Templates are embedded; a `--templates DIR` holding a file of the same
//! name replaces the embedded one. Every string a template prints is escaped
//! for Markdown unless the template marks it safe, so a template author
//! cannot forget to escape a vendor's name.

pub mod chart;
pub mod escape;
pub mod html;
pub mod integrity;
pub mod order;
pub mod render;
pub mod sarif;

pub use render::{Format, Render, WriteError, render, render_to};

use std::collections::BTreeMap;
use std::path::PathBuf;

use minijinja::value::Value;
use minijinja::{AutoEscape, Environment, Error as TemplateError, ErrorKind, UndefinedBehavior};
use serde::Serialize;

use crate::checklist::Catalog;
use crate::date::Date;
use crate::evaluate::{
    Advice, AreaResult, Assessment, Basis, Condition, EvidenceState, Finding, Freshness, Gate,
    KeyPolicy, QuestionResult, Standing, Status, WaiverStatus, freshness,
};
use crate::level::Level;
use crate::manifest::{Manifest, Provenance};
use crate::rules::{Permission, Policy, Verdict};

/// The embedded templates, by name.
pub const TEMPLATES: [(&str, &str); 7] = [
    ("terms.md.j2", include_str!("../../templates/terms.md.j2")),
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

/// Further fuel for each row a document lists ([`Render::rows`]): a
/// register of 100,000 vendors is a long document, not a runaway template.
/// About twenty times what a row of the bundled portfolio template costs.
pub const FUEL_PER_ROW: u64 = 1_000;

/// The auto-escape mode of Markdown templates.
const MARKDOWN: &str = "markdown";

/// The most characters of any one string a Markdown or HTML document
/// shows; the rest is replaced by a note saying how much was left out.
/// No honest name, note or summary comes near it, but a vendor name of
/// megabytes was printed whole wherever the templates name the vendor
/// (a comparison does a dozen times per candidate), and HTML costs tens of
/// bytes of parser state for every escaped character (issue 16). The JSON
/// output keeps every string whole.
pub const MAX_SHOWN_CHARS: usize = 2_000;

thread_local! {
    /// Whether this thread is rendering Markdown for an HTML page
    /// ([`ForHtml`]): printed strings are then marked as tokens.
    static FOR_HTML: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// While it lives, the templates rendered on this thread write Markdown
/// for an HTML page: each printed string marked ([`html::token`]), so
/// that the page converts it on its own. The page is made from the
/// Markdown's structure alone and each string converted by itself, so
/// that converting a string costs no more than its own length: through
/// the whole page, every escaped character of manifest text cost tens of
/// bytes of parser state (issue 16). Ends however the render ends (a
/// panic included), so that no later Markdown on this thread has tokens.
pub(crate) struct ForHtml(());

impl ForHtml {
    pub(crate) fn start() -> ForHtml {
        FOR_HTML.set(true);
        ForHtml(())
    }
}

impl Drop for ForHtml {
    fn drop(&mut self) {
        FOR_HTML.set(false);
    }
}

/// What the template writes for a string: its escaped Markdown, marked as
/// a token while rendering for HTML.
fn printed(text: &str) -> String {
    let markdown = shown(text);
    // Nothing to stand for: a token would be text where there was none
    // (`****` is not emphasis, `**TOKEN**` is).
    if FOR_HTML.get() && !markdown.is_empty() {
        html::token(&markdown)
    } else {
        markdown
    }
}

/// `text` escaped for Markdown, cut at [`MAX_SHOWN_CHARS`] characters.
pub fn shown(text: &str) -> String {
    match text.char_indices().nth(MAX_SHOWN_CHARS) {
        None => escape::escape(text),
        Some((cut, _)) => {
            let more = text[cut..].chars().count();
            format!(
                "{} … ({more} more characters not shown; the JSON output has the whole text)",
                escape::escape(&text[..cut])
            )
        }
    }
}

/// The version of the report's JSON form: raised on any change a reader
/// of the JSON would notice.
pub const FORMAT_VERSION: u32 = 7;

/// Everything a report shows, as plain data. Its JSON form is `--format json`.
#[derive(Clone, Debug, Serialize)]
pub struct Report {
    /// The version of this format.
    pub format_version: u32,
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
    pub conditions: Vec<Condition>,
    /// Open questions that matter and what would have to change (a single
    /// assessment's report only).
    pub advice: Option<Advice>,
    /// Key terms.
    pub key_policy: KeyPolicy,
    /// Per area.
    pub areas: Vec<AreaResult>,
    /// A Mermaid chart of the area scores against the tier thresholds, as
    /// the Markdown shows it ([`chart::assessment_mermaid`]); empty when
    /// no area has a score.
    pub chart: String,
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
    /// Reports, certificates and agreements, soonest to end first.
    pub documents: Vec<crate::evaluate::documents::DocumentStatus>,
    /// Every piece of evidence.
    pub evidence: Vec<EvidenceRow>,
    /// Questions without a usable answer.
    pub unanswered: Vec<QuestionResult>,
    /// Questions the vendor declined to answer.
    pub declined: Vec<QuestionResult>,
    /// Questions that do not apply, with the reason: answered
    /// `not-applicable` (the answer's reason), or left out by their
    /// checklist's condition (the condition).
    pub not_applicable: Vec<QuestionResult>,
    /// Waivers.
    pub waivers: Vec<WaiverStatus>,
    /// Questions grouped by the framework controls they reference.
    pub frameworks: Vec<FrameworkSection>,
    /// What `vetted collect` observed, if it ran.
    pub collected: Option<crate::manifest::Collected>,
    /// The digests of the inputs, the build and the date: what `vetted
    /// verify-report` checks.
    pub integrity: integrity::Integrity,
}

/// The questions that reference one framework.
#[derive(Clone, Debug, Serialize)]
pub struct FrameworkSection {
    /// Key used in checklists (`soc2`).
    pub id: String,
    /// Full name.
    pub title: &'static str,
    /// One row per question that applies, by control in natural order
    /// (`A.8.2` before `A.8.10`).
    pub rows: Vec<FrameworkRow>,
    /// The questions that do not apply, each with the reason, in the same
    /// order: listed apart, since they have no answer or evidence to show.
    pub not_applicable: Vec<FrameworkRow>,
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
    /// Why it does not apply ([`not_applicable_reason`]); none for a
    /// question that applies.
    pub reason: Option<String>,
    /// Where it came from.
    pub source: Option<Provenance>,
    /// Evidence state.
    pub evidence: EvidenceState,
    /// Evidence locations with the date each was observed.
    pub observed: Vec<Located>,
}

/// Where a piece of evidence is, and when it was seen there.
#[derive(Clone, Debug, Serialize)]
pub struct Located {
    /// Its address.
    pub url: String,
    /// When it was observed.
    pub observed: Date,
}

/// Frameworks in the order a compliance document lists them, with titles.
pub const FRAMEWORK_TITLES: [(&str, &str); 15] = [
    ("soc2", "SOC 2 trust services criteria"),
    ("iso27001", "ISO/IEC 27001:2022 Annex A"),
    ("ccss", "CryptoCurrency Security Standard (CCSS)"),
    ("mvsp", "Minimum Viable Secure Product (MVSP)"),
    ("gdpr", "GDPR"),
    ("rfc9116", "RFC 9116 (security.txt)"),
    ("caiq", "CSA CAIQ"),
    ("scorecard", "OpenSSF Scorecard"),
    (
        "owasp",
        "OWASP (Secure Headers Project, ASVS, Cheat Sheets)",
    ),
    ("rfc8446", "RFC 8446 (TLS 1.3)"),
    (
        "mozilla",
        "Mozilla Server Side TLS and Web Security Guidelines",
    ),
    ("rfc7208", "RFC 7208 (SPF)"),
    ("rfc7489", "RFC 7489 (DMARC)"),
    ("rfc8659", "RFC 8659 (CAA)"),
    ("rfc4033", "RFC 4033 (DNSSEC)"),
];

/// Why a question does not apply, for a reader: the reason its
/// `not-applicable` answer gives, or the checklist's condition for asking
/// it, which does not hold. None for a question that applies.
pub fn not_applicable_reason(catalog: &Catalog, r: &QuestionResult) -> Option<String> {
    match r.status {
        Status::DeclaredNotApplicable => r.reason.clone(),
        Status::NotApplicable => {
            let (_, _, q) = catalog.at(r.question);
            Some(match (&q.when_text, &q.when) {
                (Some(text), _) => format!("asked only when {text}; not so here"),
                (None, Some(when)) => {
                    format!(
                        "asked only when the checklist's condition ({when}) holds; it does not here"
                    )
                }
                // Every question the evaluation leaves out has a condition;
                // said plainly should a later stage ever differ.
                (None, None) => "left out by the checklist's conditions".to_string(),
            })
        }
        _ => None,
    }
}

/// Whether a question with this status does not apply, by its condition
/// or by its answer.
fn is_not_applicable(status: Status) -> bool {
    matches!(
        status,
        Status::NotApplicable | Status::DeclaredNotApplicable
    )
}

/// A question as a report shows it: rounded, and with the reason it does
/// not apply where it does not.
fn shown_question(catalog: &Catalog, q: &QuestionResult) -> QuestionResult {
    let mut q = round_question(q.clone());
    if q.status == Status::NotApplicable {
        q.reason = not_applicable_reason(catalog, &q);
    }
    q
}

fn frameworks(manifest: &Manifest, catalog: &Catalog, a: &Assessment) -> Vec<FrameworkSection> {
    let mut out = Vec::new();
    for (id, title) in FRAMEWORK_TITLES {
        let mut rows: Vec<FrameworkRow> = a
            .questions
            .iter()
            .filter_map(|r| {
                let (_, _, q) = catalog.at(r.question);
                let reference = q.references.get(id)?;
                Some(FrameworkRow {
                    reference: reference.clone(),
                    question: r.id.clone(),
                    text: r.text.clone(),
                    status: r.status,
                    answer: r.answer.clone(),
                    reason: not_applicable_reason(catalog, r),
                    source: r.source,
                    evidence: r.evidence,
                    observed: manifest
                        .answers
                        .get(&r.id)
                        .map(|ans| {
                            ans.evidence
                                .iter()
                                .map(|e| Located {
                                    url: e.url.clone(),
                                    observed: e.observed,
                                })
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
            order::natural(&x.reference, &y.reference).then_with(|| x.question.cmp(&y.question))
        });
        let (not_applicable, rows) = rows.into_iter().partition(|r| is_not_applicable(r.status));
        out.push(FrameworkSection {
            id: id.to_string(),
            title,
            rows,
            not_applicable,
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
    /// Whether you host the software (the vendor holds no key).
    pub self_hosted: bool,
    /// How the vendor reaches the exchange.
    pub connection: Option<crate::manifest::Connection>,
    /// Whether the account's withdrawal-address allow-list is on.
    pub withdrawal_allowlist: bool,
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
    /// What decided it.
    pub basis: Basis,
    /// Residual tier.
    pub tier: Level,
    /// Tier from score alone.
    pub score_tier: Level,
    /// Score 0 to 100, one decimal.
    pub score: f64,
    /// Confidence 0 to 100, one decimal.
    pub confidence: f64,
    /// The policy's minimum confidence for this inherent risk.
    pub min_confidence: f64,
    /// What keeps confidence from 100: shares (0 to 100) of the weight in
    /// question, by cause.
    pub confidence_gaps: ConfidenceGaps,
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

/// What keeps confidence from 100, as shares of the weight that counts.
#[derive(Clone, Copy, Debug, Default, Serialize)]
pub struct ConfidenceGaps {
    /// Unanswered or unknown.
    pub open: f64,
    /// Answered without evidence.
    pub unverified: f64,
    /// Answered with stale or expired evidence only.
    pub stale: f64,
    /// The largest of the three: `open`, `unverified`, `stale`, or none.
    pub main: Option<&'static str>,
}

fn confidence_gaps(a: &Assessment) -> ConfidenceGaps {
    let counted: Vec<&QuestionResult> = a.questions.iter().filter(|q| q.in_confidence()).collect();
    let total: f64 = counted.iter().map(|q| q.weight).sum();
    if total <= 0.0 {
        return ConfidenceGaps::default();
    }
    let share = |f: &dyn Fn(&QuestionResult) -> bool| {
        round(
            100.0
                * counted
                    .iter()
                    .filter(|q| f(q))
                    .map(|q| q.weight)
                    .sum::<f64>()
                / total,
            1,
        )
    };
    let open = share(&|q| q.status.is_open());
    let unverified =
        share(&|q| q.status == Status::Answered && q.evidence == EvidenceState::Missing);
    let stale = share(&|q| q.status == Status::Answered && q.evidence == EvidenceState::Stale);
    let main = [("open", open), ("unverified", unverified), ("stale", stale)]
        .into_iter()
        .filter(|(_, v)| *v > 0.0)
        .max_by(|x, y| x.1.total_cmp(&y.1))
        .map(|(k, _)| k);
    ConfidenceGaps {
        open,
        unverified,
        stale,
        main,
    }
}

/// An incident, with derived facts.
#[derive(Clone, Debug, Serialize)]
pub struct IncidentRow {
    /// Date.
    pub date: Date,
    /// Kind.
    pub kind: crate::manifest::IncidentKind,
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
    /// Where it stands today.
    pub standing: Standing,
    /// What the vendor changed.
    pub remediation: Option<String>,
    /// Who verified the remediation.
    pub verified_by: Option<String>,
    /// When.
    pub verified: Option<Date>,
    /// When a verified remediation counts.
    pub settles: Option<Date>,
    /// When it stops gating without remediation.
    pub gate_ends: Date,
    /// When it becomes history.
    pub history_from: Date,
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
    pub freshness: Freshness,
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
    /// Assembles the report of an assessment of `manifest`, read from the
    /// file and bytes `source` names.
    pub fn build(
        manifest: &Manifest,
        source: integrity::Input,
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
        let areas: Vec<AreaResult> = a
            .areas
            .iter()
            .cloned()
            .map(|mut x| {
                x.score = x.score.map(|s| round(s, 1));
                x.confidence = x.confidence.map(|s| round(s, 1));
                x.points_lost = round(x.points_lost, 2);
                x
            })
            .collect();
        let mut evidence = Vec::new();
        for (id, answer) in &manifest.answers {
            for e in &answer.evidence {
                evidence.push(EvidenceRow {
                    question: id.clone(),
                    url: e.url.clone(),
                    observed: e.observed,
                    expires: e.expires,
                    age_days: e.observed.days_until(a.as_of),
                    freshness: freshness(e, policy, a.as_of),
                    source: answer.source,
                });
            }
        }
        Report {
            format_version: FORMAT_VERSION,
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
                self_hosted: a.self_hosted,
                connection: manifest.integration.connection,
                withdrawal_allowlist: manifest.integration.withdrawal_allowlist,
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
                basis: a.basis.clone(),
                tier: a.tier,
                score_tier: a.score_tier,
                score: round(a.score, 1),
                confidence: round(a.confidence, 1),
                min_confidence: a.min_confidence,
                confidence_gaps: confidence_gaps(a),
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
            advice: None,
            key_policy: a.key_policy.clone(),
            chart: chart::assessment_mermaid(&manifest.vendor.name, &areas, policy),
            areas,
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
            questions: a
                .questions
                .iter()
                .map(|q| shown_question(catalog, q))
                .collect(),
            gates: a.gates.clone(),
            incidents: manifest
                .incidents
                .iter()
                .zip(&a.incidents)
                .map(|(i, s)| IncidentRow {
                    date: i.date,
                    kind: i.kind,
                    severity: i.severity,
                    summary: i.summary.clone(),
                    acknowledged_after_days: i.acknowledged_after_days,
                    denied_first: i.denied_first,
                    postmortem: i.postmortem.clone(),
                    age_days: s.age_days,
                    standing: s.standing,
                    remediation: i.remediation.as_ref().and_then(|r| r.summary.clone()),
                    verified_by: i.remediation.as_ref().and_then(|r| r.verified_by.clone()),
                    verified: s.verified,
                    settles: s.settles,
                    gate_ends: s.gate_ends,
                    history_from: s.history_from,
                })
                .collect(),
            documents: crate::evaluate::documents::statuses(manifest, a.as_of),
            evidence,
            unanswered: a
                .questions
                .iter()
                .filter(|q| q.status.is_open())
                .cloned()
                .map(round_question)
                .collect(),
            declined: a
                .questions
                .iter()
                .filter(|q| q.status == Status::Declined)
                .cloned()
                .map(round_question)
                .collect(),
            not_applicable: a
                .questions
                .iter()
                .filter(|q| is_not_applicable(q.status))
                .map(|q| shown_question(catalog, q))
                .collect(),
            waivers: a.waivers.clone(),
            frameworks: frameworks(manifest, catalog, a),
            collected: manifest.collected.clone(),
            integrity: integrity::Integrity::new(
                source,
                &manifest.integration.checklists,
                catalog,
                policy,
                a.as_of,
            ),
        }
    }

    /// The report as pretty-printed JSON, with a trailing newline: what
    /// `--format json` writes.
    pub fn to_json(&self) -> String {
        render::json(self)
    }
}

impl Render for Report {
    const TEMPLATE: &'static str = "report.md.j2";

    fn title(&self) -> String {
        format!("Vendor assessment: {}", self.vendor.name)
    }

    fn charts(&self, policy: &Policy) -> Vec<String> {
        vec![chart::assessment(self, policy)]
    }
}

/// The compliance review document a reviewer files: the same report (and
/// the same JSON) through `compliance.md.j2`.
#[derive(Clone, Copy, Debug, Serialize)]
#[serde(transparent)]
pub struct Compliance<'a>(pub &'a Report);

impl Render for Compliance<'_> {
    const TEMPLATE: &'static str = "compliance.md.j2";

    fn title(&self) -> String {
        format!("Third-party security review: {}", self.0.vendor.name)
    }

    fn charts(&self, policy: &Policy) -> Vec<String> {
        self.0.charts(policy)
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
    /// The templates that replace bundled ones, with their digests.
    overridden: Vec<integrity::Input>,
    /// SHA-256 of every template's name and text, embedded or overridden.
    fingerprint: [u8; 32],
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
            if is_markdown(name) {
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
                Some(s) if !value.is_safe() => printed(s),
                _ => value.to_string(),
            };
            out.write_str(&text)
                .map_err(|_| TemplateError::new(ErrorKind::WriteFailure, "cannot write output"))
        });
        env.add_filter("fixed", |v: f64, digits: Option<usize>| -> Value {
            Value::from_safe_string(format!("{:.*}", digits.unwrap_or(1), v))
        });
        env.add_filter("md", |s: String| -> Value {
            Value::from_safe_string(printed(&s))
        });
        // Evidence addresses only: a Markdown autolink when the address
        // passes [`escape::link_target`], the escaped text otherwise. It
        // holds no character that could end the autolink early. For HTML
        // the page puts the link itself in after sanitising
        // ([`html::link_token`]).
        env.add_filter("link", |s: String| -> Value {
            Value::from_safe_string(match escape::link_target(&s) {
                Some(url) if FOR_HTML.get() => html::link_token(&url),
                Some(url) => format!("<{url}>"),
                None => printed(&s),
            })
        });
        // A Mermaid chart (a report's or comparison's `chart`) as a fenced
        // block. Not in HTML, which draws the SVG at the chart marker: the
        // chart's `[`s are the only ones outside escaped text, and the page
        // converts everything after such a `[` in one piece (`html::Page`,
        // for link definitions), which for a large report cost 200 MB.
        env.add_filter("mermaid", |chart: String| -> Value {
            Value::from_safe_string(if chart.is_empty() || FOR_HTML.get() {
                String::new()
            } else {
                format!("```mermaid\n{chart}```")
            })
        });
        let overridden = overrides
            .iter()
            .map(|(n, t)| integrity::Input::new(n, n, t.as_bytes()))
            .collect();
        let mut templates: BTreeMap<String, String> = TEMPLATES
            .iter()
            .map(|(n, t)| (n.to_string(), t.to_string()))
            .collect();
        templates.extend(overrides);
        let parts: Vec<&[u8]> = templates
            .iter()
            .flat_map(|(n, t)| [n.as_bytes(), t.as_bytes()])
            .collect();
        let fingerprint = crate::cache::digest(&parts);
        env.set_loader(move |name| Ok(templates.get(name).cloned()));
        Renderer {
            env,
            overridden,
            fingerprint,
        }
    }

    /// The templates that replace bundled ones, by name, with digests.
    pub fn overridden(&self) -> &[integrity::Input] {
        &self.overridden
    }

    /// SHA-256 of the templates (names and texts) this renderer uses: two
    /// renderers with the same fingerprint write the same documents.
    pub fn fingerprint(&self) -> [u8; 32] {
        self.fingerprint
    }

    /// Renders `name` with `ctx`.
    pub fn render<S: Serialize>(&self, name: &str, ctx: &S) -> Result<String, RenderError> {
        self.render_rows(name, ctx, 0)
    }

    /// Renders `name` with `ctx`, a document listing `rows` rows: the fuel
    /// of the render grows with them ([`FUEL_PER_ROW`]).
    pub fn render_rows<S: Serialize>(
        &self,
        name: &str,
        ctx: &S,
        rows: usize,
    ) -> Result<String, RenderError> {
        let mut out = Vec::new();
        match self.render_to(name, ctx, rows, &mut out) {
            Ok(()) => Ok(String::from_utf8(out).expect("templates write text")),
            Err(render::WriteError::Render(e)) => Err(e),
            Err(render::WriteError::Io(e)) => unreachable!("writing to memory failed: {e}"),
        }
    }

    /// Renders `name` with `ctx` (listing `rows` rows) into `out` as it goes.
    pub fn render_to<S: Serialize>(
        &self,
        name: &str,
        ctx: &S,
        rows: usize,
        out: &mut dyn std::io::Write,
    ) -> Result<(), render::WriteError> {
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
        let sized;
        let env = if rows == 0 {
            &self.env
        } else {
            // Fuel belongs to the environment; a copy of it (templates and
            // all, cheap) carries the larger budget.
            sized = {
                let mut env = self.env.clone();
                env.set_fuel(Some(
                    FUEL.saturating_add(FUEL_PER_ROW.saturating_mul(rows as u64)),
                ));
                env
            };
            &sized
        };
        let template = env.get_template(name).map_err(err)?;
        // minijinja reports a failed write as a template error; keep the
        // I/O error itself to tell the two apart.
        let write = |out: &mut dyn std::io::Write| {
            let mut tracked = render::Tracked::new(out);
            let result = template.render_captured_to(minijinja::value::Serde(ctx), &mut tracked);
            tracked.finish(result.map(drop).map_err(err))
        };
        if !is_markdown(name) {
            return write(out);
        }
        // The formatter already escaped every string; sweeping catches
        // what a (custom) template printed as safe.
        let mut swept = crate::visible::Sweeping::new(out, |c| format!("\\<U+{:04X}\\>", c as u32));
        write(&mut swept)?;
        Ok(swept.finish()?)
    }

    /// The Markdown report.
    pub fn markdown(&self, report: &Report) -> Result<String, RenderError> {
        self.render(Report::TEMPLATE, report)
    }
}

/// Whether the template `name` writes Markdown (and escapes for it).
fn is_markdown(name: &str) -> bool {
    name.ends_with(".md.j2") || name.ends_with(".md")
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_mermaid_chart_is_in_markdown_only() {
        let renderer = Renderer::new(BTreeMap::new());
        let chart = "xychart-beta\n    bar [1.0]\n";
        let doc = minijinja::context! { chart => chart };
        let md = renderer
            .env
            .render_str("<!-- chart -->\n\n{{ chart | mermaid }}\n", &doc)
            .unwrap();
        assert_eq!(md, format!("<!-- chart -->\n\n```mermaid\n{chart}```\n"));
        let for_html = ForHtml::start();
        let html = renderer
            .env
            .render_str("<!-- chart -->\n\n{{ chart | mermaid }}\n", &doc)
            .unwrap();
        drop(for_html);
        assert_eq!(html, "<!-- chart -->\n\n\n");
        let none = minijinja::context! { chart => "" };
        let md = renderer
            .env
            .render_str("{{ chart | mermaid }}", &none)
            .unwrap();
        assert_eq!(md, "");
    }
}
