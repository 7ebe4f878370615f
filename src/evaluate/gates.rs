//! Gates: the checklists' rules whose condition holds, and the policy's
//! never-grant list.

use std::collections::BTreeSet;
use std::fmt;

use serde::{Serialize, Serializer};

use crate::checklist::{Catalog, Effect, Rule, SimpleEffect};
use crate::diag::Diagnostic;
use crate::level::Level;
use crate::manifest::Manifest;
use crate::rules::{Permission, Policy};

use super::context::{Memo, runtime_error};
use super::waivers::{WaiverKind, WaiverStatus, exempts};

/// The id of the policy's own gate.
pub const NEVER_GRANT: &str = "never-grant";
/// The policy's gate on keys that hold more than the integration declares.
pub const KEY_EXCESS: &str = "key-excess";
/// The policy's gate on critical questions the vendor declined.
pub const CRITICAL_DECLINED: &str = "critical-declined";

/// What a gate does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GateEffect {
    /// Rejects, whatever the score.
    Reject,
    /// Approval at best with conditions.
    Conditions,
    /// The residual tier is at least this.
    MinTier(Level),
    /// A finding only.
    Finding,
}

impl From<Effect> for GateEffect {
    fn from(e: Effect) -> GateEffect {
        match e {
            Effect::Simple(SimpleEffect::Reject) => GateEffect::Reject,
            Effect::Simple(SimpleEffect::Conditions) => GateEffect::Conditions,
            Effect::Simple(SimpleEffect::Finding) => GateEffect::Finding,
            Effect::MinTier { min_tier } => GateEffect::MinTier(min_tier),
        }
    }
}

impl fmt::Display for GateEffect {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            GateEffect::Reject => f.write_str("reject"),
            GateEffect::Conditions => f.write_str("conditions"),
            GateEffect::Finding => f.write_str("finding"),
            GateEffect::MinTier(l) => write!(f, "min-tier {l}"),
        }
    }
}

// Written as its display form (`min-tier high`), the same in JSON as in a
// report table.
impl Serialize for GateEffect {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

/// A rule whose condition held.
#[derive(Clone, Debug, Serialize)]
pub struct Gate {
    /// Rule id.
    pub rule: String,
    /// Checklist id (`policy` for the never-grant gate).
    pub checklist: String,
    /// What it does.
    pub effect: GateEffect,
    /// The rule's message.
    pub message: String,
    /// Severity of its finding.
    pub severity: Level,
    /// What to do.
    pub remediation: Option<String>,
    /// Whether a waiver in force neutralised it.
    pub waived: bool,
    /// For a conditions gate: reassess within this many days.
    pub review_days: Option<i64>,
    /// For a conditions gate: the most funds to keep at risk.
    pub funds_cap: Option<f64>,
    /// Whether its condition reads the incidents (so it eases as they age).
    #[serde(skip)]
    pub reads_incidents: bool,
}

impl Gate {
    /// Whether it acts (held and not waived).
    pub fn acts(&self) -> bool {
        !self.waived
    }
}

/// Every rule of the manifest's checklists whose condition holds, in
/// checklist order, then the never-grant gate. Conditions are evaluated in
/// `ctx` unless `memo` already has their result in it.
pub(super) fn run(
    manifest: &Manifest,
    catalog: &Catalog,
    policy: &Policy,
    ctx: &minijinja::Value,
    waivers: &[WaiverStatus],
    memo: &mut Memo,
) -> Result<Vec<Gate>, Vec<Diagnostic>> {
    let mut gates = Vec::new();
    let mut diags = Vec::new();
    for id in &manifest.integration.checklists {
        let Some(loaded) = catalog.get(id) else {
            continue;
        };
        for (rule, plan) in loaded.checklist.rules.iter().zip(catalog.rule_plans(id)) {
            let Some(plan) = plan else {
                continue;
            };
            let condition = catalog.condition_at(plan.slot);
            match memo.is_true(condition, ctx) {
                Ok(false) => {}
                Ok(true) => gates.push(gate(id, rule, plan.reads_incidents, waivers)),
                Err(e) => diags.push(runtime_error(
                    catalog,
                    id,
                    &rule.id,
                    condition.expr.source(),
                    &e,
                )),
            }
        }
    }
    if !diags.is_empty() {
        return Err(diags);
    }
    gates.extend(never_grant(manifest, policy));
    gates.extend(key_excess(manifest, policy));
    Ok(gates)
}

fn gate(checklist: &str, rule: &Rule, reads_incidents: bool, waivers: &[WaiverStatus]) -> Gate {
    // A reject cannot be waived: the loader refuses such a waiver, and this
    // check keeps a hand-built manifest from slipping past.
    let waived = !rule.rejects() && exempts(waivers, WaiverKind::Rule, &rule.id);
    Gate {
        rule: rule.id.clone(),
        checklist: checklist.to_string(),
        effect: rule.effect.into(),
        message: rule.message.clone(),
        severity: rule.finding_severity(),
        remediation: rule.remediation.clone(),
        waived,
        review_days: rule.review_days,
        funds_cap: rule.funds_cap,
        reads_incidents,
    }
}

/// A gate of the policy's own, not of a checklist: it reads no incident,
/// sets no review interval or funds cap, and is never waived.
fn policy_gate(
    rule: &str,
    effect: GateEffect,
    severity: Level,
    message: String,
    remediation: &str,
) -> Gate {
    Gate {
        rule: rule.to_string(),
        checklist: "policy".to_string(),
        effect,
        message,
        severity,
        remediation: Some(remediation.to_string()),
        waived: false,
        review_days: None,
        funds_cap: None,
        reads_incidents: false,
    }
}

/// A vendor that declines a critical question (how it stores keys, whether
/// it needs withdrawal) is not approved outright, however well the rest
/// scores: the refusal already scores as the worst answer, and approval
/// holds only once the answer is in. No rule reads a refusal as its worst
/// option, so a decline alone never rejects; it never reads better than
/// "unknown" either, which leaves the verdict to confidence.
pub(super) fn critical_declined(questions: &[super::QuestionResult]) -> Option<Gate> {
    let declined: Vec<&str> = questions
        .iter()
        .filter(|r| r.severity == Level::Critical && r.status == super::Status::Declined)
        .map(|r| r.id.as_str())
        .collect();
    if declined.is_empty() {
        return None;
    }
    Some(policy_gate(
        CRITICAL_DECLINED,
        GateEffect::Conditions,
        Level::Critical,
        format!(
            "The vendor declined to answer a critical question: {}.",
            declined.join(", ")
        ),
        "Get the answer, with evidence, before the vendor holds a key; approval holds only once it is in and acceptable.",
    ))
}

/// The keys not revoked that hold a permission `over` picks, each with
/// those permissions, in the order of the manifest.
fn keys_holding(
    manifest: &Manifest,
    over: impl Fn(&Permission) -> bool,
) -> Vec<(&crate::manifest::ExchangeKey, Vec<&'static str>)> {
    manifest
        .integration
        .keys
        .iter()
        .filter(|k| k.status != crate::manifest::KeyState::Revoked)
        .filter_map(|k| {
            let held: BTreeSet<&'static str> = k
                .granted()
                .iter()
                .filter(|p| over(p))
                .map(|p| p.as_str())
                .collect();
            (!held.is_empty()).then(|| (k, held.into_iter().collect()))
        })
        .collect()
}

/// `label on exchange (permissions)` for each key, joined by `; `.
fn named(keys: &[(&crate::manifest::ExchangeKey, Vec<&str>)]) -> String {
    keys.iter()
        .map(|(k, over)| format!("{} on {} ({})", k.label, k.exchange, over.join(", ")))
        .collect::<Vec<_>>()
        .join("; ")
}

/// A key that holds more than the integration declares (futures ticked on
/// a spot bot's key, trade on a tracker's), short of what the policy never
/// grants (`never_grant` has those): the key is narrowed now, and approval
/// holds only on that condition. The vendor's risk is judged on what it is
/// granted; the key is the customer's to fix.
fn key_excess(manifest: &Manifest, policy: &Policy) -> Option<Gate> {
    let never = &policy.key_policy.never_grant;
    let declared = &manifest.integration.permissions;
    // Read is what every integration reads with.
    let keys = keys_holding(manifest, |p| {
        *p != Permission::Read && !declared.contains(p) && !never.contains(p)
    });
    if keys.is_empty() {
        return None;
    }
    Some(policy_gate(
        KEY_EXCESS,
        GateEffect::Conditions,
        Level::High,
        format!(
            "A key holds more than the integration is granted: {}.",
            named(&keys)
        ),
        "Take the extra permissions off that key on the exchange, or revoke it and issue one with only the permissions granted, before the vendor uses it again.",
    ))
}

/// The policy's never-grant list is a gate of its own, whatever the
/// checklists say: a manifest that leaves out the exchange-keys checklist
/// must not get a withdrawal key approved. An integration that asks for
/// such a permission is rejected. A key that holds one the integration does
/// not ask for (a box ticked by mistake) is the customer's to revoke: the
/// key goes now ([`super::conditions`] orders it revoked), and approval
/// holds only on that condition. Whether the vendor works without the
/// permission is the checklists' question (`key-scope-withdraw` rejects
/// unless it does).
fn never_grant(manifest: &Manifest, policy: &Policy) -> Option<Gate> {
    let never = &policy.key_policy.never_grant;
    let asked: BTreeSet<Permission> = manifest
        .integration
        .permissions
        .iter()
        .copied()
        .filter(|p| never.contains(p))
        .collect();
    let held = keys_holding(manifest, |p| never.contains(p) && !asked.contains(p));
    let gate = |effect, message, remediation: &str| {
        policy_gate(NEVER_GRANT, effect, Level::Critical, message, remediation)
    };
    if !asked.is_empty() {
        let mut names: BTreeSet<&str> = asked.iter().map(|p| p.as_str()).collect();
        names.extend(held.iter().flat_map(|(_, over)| over.iter().copied()));
        let names: Vec<&str> = names.into_iter().collect();
        let how = if held.is_empty() {
            "asks for"
        } else {
            "asks for or holds"
        };
        return Some(gate(
            GateEffect::Reject,
            format!(
                "The integration {how} {}, which the policy never grants to a vendor.",
                names.join(", ")
            ),
            &format!(
                "Issue a key without {}; no trading, tracking or tax feature needs it.",
                names.join(", ")
            ),
        ));
    }
    if held.is_empty() {
        return None;
    }
    Some(gate(
        GateEffect::Conditions,
        format!(
            "A key holds what the integration does not ask for and the policy never grants to a vendor: {}.",
            named(&held)
        ),
        "Revoke such a key now, or do not create it as planned; issue one with only the permissions granted. Approval holds only once it is gone.",
    ))
}
