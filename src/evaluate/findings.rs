//! Findings: what needs attention, worst first.

use serde::Serialize;

use crate::checklist::Catalog;
use crate::date::Date;
use crate::level::Level;
use crate::manifest::Manifest;
use crate::rules::Policy;

use super::gates::{Gate, GateEffect};
use super::scoring::{QuestionResult, Status, answer_score, loss_severity};

/// Where a finding comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum FindingKind {
    /// A rule whose condition held.
    Rule,
    /// An answer that lost much of its question's weight.
    Question,
    /// Collected evidence that disagrees with a person's answer.
    Contradiction,
    /// A recorded document that disagrees with an answer, or has run out
    /// while an answer still credits it.
    Document,
}

/// Something that needs attention.
#[derive(Clone, Debug, Serialize)]
pub struct Finding {
    /// Question or rule id.
    pub id: String,
    /// Where it comes from; with `id`, what identifies it.
    pub kind: FindingKind,
    /// How much it matters.
    pub severity: Level,
    /// One line.
    pub title: String,
    /// The answer, or what the rule found.
    pub detail: String,
    /// What to do.
    pub remediation: Option<String>,
    /// Overall points it cost (0 for rules: they act on tier and verdict).
    pub points_lost: f64,
    /// For a rule: what it does to the verdict.
    pub effect: Option<GateEffect>,
}

impl Finding {
    /// What identifies a finding across two assessments.
    pub fn key(&self) -> (FindingKind, &str) {
        (self.kind, self.id.as_str())
    }
}

/// Findings of gates, answers and contradictions, worst first.
pub(super) fn collect(
    gates: &[Gate],
    questions: &[QuestionResult],
    manifest: &Manifest,
    catalog: &Catalog,
    policy: &Policy,
    as_of: Date,
) -> Vec<Finding> {
    let mut findings: Vec<Finding> = gates
        .iter()
        .filter(|g| g.acts())
        .map(|g| Finding {
            id: g.rule.clone(),
            kind: FindingKind::Rule,
            severity: g.severity,
            title: g.message.clone(),
            detail: match g.effect {
                GateEffect::Reject => "rejects the integration".to_string(),
                GateEffect::Conditions => "approval only with conditions".to_string(),
                GateEffect::MinTier(l) => format!("raises the tier to at least {l}"),
                GateEffect::Finding => "finding".to_string(),
            },
            remediation: g.remediation.clone(),
            points_lost: 0.0,
            effect: Some(g.effect),
        })
        .collect();
    findings.extend(
        questions
            .iter()
            .filter_map(|r| question_finding(r, catalog, policy)),
    );
    findings.extend(contradictions(questions, manifest, catalog, as_of));
    findings.extend(super::documents::findings(
        questions, manifest, catalog, as_of,
    ));
    findings.extend(key_contradictions(manifest));
    findings.sort_by(|a, b| {
        b.severity
            .cmp(&a.severity)
            .then_with(|| a.kind.cmp(&b.kind))
            .then_with(|| b.points_lost.total_cmp(&a.points_lost))
            .then_with(|| a.id.cmp(&b.id))
    });
    findings
}

/// A finding for an answer that lost more than the policy tolerates, at the
/// severity of what it lost: a best answer is never a finding.
fn question_finding(r: &QuestionResult, catalog: &Catalog, policy: &Policy) -> Option<Finding> {
    let adverse_silence = r.status.is_open() && r.silence_adverse;
    if !(r.status == Status::Answered || r.status == Status::Declined || adverse_silence) {
        return None;
    }
    let raw = r.answer_score?;
    if raw >= policy.finding_below {
        return None;
    }
    let (_, _, q) = catalog.at(r.question);
    let detail = match r.status {
        Status::Declined => "the vendor declined to answer".to_string(),
        _ if adverse_silence => {
            "not answered, and silence on this question counts as the worst answer".to_string()
        }
        _ => format!("answered: {}", r.answer.clone().unwrap_or_default()),
    };
    Some(Finding {
        id: r.id.clone(),
        kind: FindingKind::Question,
        severity: loss_severity(policy, r.severity, 1.0 - raw),
        title: q.text.clone(),
        detail,
        remediation: q.remediation.clone(),
        points_lost: r.points_lost_answer + r.points_lost_evidence,
        effect: None,
    })
}

/// What an exchange said about a key (`vetted key verify`) where it
/// differs from what the manifest typed, or from the key's previous
/// verification. The evaluation already uses the observed facts; these
/// findings say that the typed ones are wrong, or that the key changed.
fn key_contradictions(manifest: &Manifest) -> Vec<Finding> {
    use crate::rules::Permission;
    let weight = |extra: &[Permission]| {
        if extra.iter().any(|p| {
            matches!(
                p,
                Permission::Withdraw | Permission::Transfer | Permission::Admin
            )
        }) {
            Level::Critical
        } else if extra.iter().any(|p| p.moves_funds()) {
            Level::High
        } else {
            Level::Low
        }
    };
    let names = |ps: &[Permission]| {
        let v: Vec<&str> = ps.iter().map(|p| p.as_str()).collect();
        format!("[{}]", v.join(", "))
    };
    let mut out = Vec::new();
    for k in &manifest.integration.keys {
        let Some(o) = &k.observed else { continue };
        let date = o.observed.get(..10).unwrap_or(&o.observed);
        let finding = |id: &str, severity, title: String, detail: String, fix: &str| Finding {
            id: format!("key.{}.{id}", k.label),
            kind: FindingKind::Contradiction,
            severity,
            title,
            detail,
            remediation: Some(fix.to_string()),
            points_lost: 0.0,
            effect: None,
        };
        if let Some(v) = k.verified() {
            let extra: Vec<Permission> = v
                .permissions
                .iter()
                .filter(|p| !k.permissions.contains(p))
                .copied()
                .collect();
            let missing: Vec<Permission> = k
                .permissions
                .iter()
                .filter(|p| !v.permissions.contains(p))
                .copied()
                .collect();
            if !extra.is_empty() || !missing.is_empty() {
                out.push(finding(
                    "permissions",
                    weight(&extra),
                    format!("The exchange contradicts the manifest on key {}'s permissions", k.label),
                    format!(
                        "typed {}; {} said {} on {date}",
                        names(&k.permissions),
                        k.exchange,
                        names(&v.permissions)
                    ),
                    "Change the key on the exchange to what the policy grants (vetted key verify says what to turn off), then verify it again; correct the typed permissions.",
                ));
            }
            if k.typed_bound() && v.ip_restricted == Some(false) {
                out.push(finding(
                    "ip-restricted",
                    Level::High,
                    format!("Key {} is not bound to IP addresses, though the manifest says so", k.label),
                    format!("{} said on {date} that the key has no IP restriction", k.exchange),
                    "Restrict the key to the vendor's egress addresses on the exchange's key page, then verify it again.",
                ));
            }
            if let Some(d) = crate::key::record::drift(k) {
                let unbound = if d.unbound { Level::High } else { Level::Low };
                out.push(finding(
                    "drift",
                    weight(&d.added).max(unbound).max(Level::Medium),
                    format!(
                        "Key {} changed on the exchange between two verifications",
                        k.label
                    ),
                    d.describe(),
                    "Find out who changed the key and why; if nobody you know did, revoke it now.",
                ));
            }
        }
    }
    out
}

/// A person's answer that collected evidence disagrees with is flagged,
/// never silently replaced: the reviewer decides which is right. A claim
/// better than the evidence matters as much as the question; a claim worse
/// than the evidence is only out of date.
fn contradictions(
    questions: &[QuestionResult],
    manifest: &Manifest,
    catalog: &Catalog,
    as_of: Date,
) -> Vec<Finding> {
    let applies = |id: &str| {
        questions
            .iter()
            .any(|r| r.id == id && r.status != Status::NotApplicable)
    };
    crate::evidence::contradictions(manifest, catalog)
        .into_iter()
        .filter(|c| applies(&c.question))
        .filter_map(|c| {
            let (_, _, q) = catalog.question(&c.question)?;
            let claimed = answer_score(q, &c.answer, as_of);
            let observed = answer_score(q, &c.collected, as_of);
            Some(Finding {
                id: c.question.clone(),
                kind: FindingKind::Contradiction,
                severity: if claimed <= observed {
                    Level::Low
                } else {
                    q.severity
                },
                title: format!("Collected evidence contradicts the answer to: {}", q.text),
                detail: c.describe(),
                remediation: Some(
                    "Check which is right; correct the answer, or record why the evidence is wrong in its note."
                        .into(),
                ),
                points_lost: 0.0,
                effect: None,
            })
        })
        .collect()
}
