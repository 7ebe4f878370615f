//! Decision: inherent risk, residual tier and the verdict, with what
//! decided it.

use serde::Serialize;

use crate::level::Level;
use crate::manifest::Manifest;
use crate::rules::{Policy, Verdict};

use super::gates::{Gate, GateEffect, NEVER_GRANT};
use super::scope::Holding;

/// What decided the verdict.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Basis {
    /// Reject gates (checklist rules, or the policy's never-grant list).
    Reject {
        /// The rejecting rules, `never-grant` for the policy's list.
        rules: Vec<String>,
    },
    /// Too little is known, and what is unknown could change the verdict.
    Confidence {
        /// Confidence reached.
        confidence: f64,
        /// The policy's minimum for this inherent risk.
        minimum: f64,
    },
    /// The policy table.
    Table {
        /// Row.
        inherent: Level,
        /// Column.
        tier: Level,
        /// Rules that raised the tier.
        raised_by: Vec<String>,
        /// Rules that limited approval to conditions.
        limited_by: Vec<String>,
        /// Whether confidence was below the minimum, but no answer to the
        /// open questions could have changed the verdict.
        settled_despite_unknowns: bool,
    },
}

impl Basis {
    /// The basis as a short name: `reject-rule`, `never-grant`,
    /// `confidence` or `table`.
    pub fn name(&self) -> &'static str {
        match self {
            Basis::Reject { rules } if rules.iter().any(|r| r == NEVER_GRANT) => "never-grant",
            Basis::Reject { .. } => "reject-rule",
            Basis::Confidence { .. } => "confidence",
            Basis::Table { .. } => "table",
        }
    }
}

/// The verdict and what decided it.
#[derive(Clone, Debug)]
pub(super) struct Decision {
    pub tier: Level,
    pub gate_tier: Option<Level>,
    pub verdict: Verdict,
    pub basis: Basis,
}

/// How far the open questions could move the verdict: the verdicts with
/// every open question answered at its best and at its worst.
#[derive(Clone, Copy, Debug)]
pub(super) struct Bounds {
    /// The verdict with every open question answered at its best; only
    /// worked out when the worst does not grant.
    pub best: Option<Verdict>,
    /// The verdict with every open question answered at its worst.
    pub worst: Verdict,
}

/// Decides. `bounds` is given only when confidence is below the minimum.
pub(super) fn decide(
    policy: &Policy,
    gates: &[Gate],
    score_tier: Level,
    inherent: Level,
    confidence: f64,
    bounds: Option<Bounds>,
) -> Decision {
    let acting = || gates.iter().filter(|g| g.acts());
    let rejecting: Vec<String> = acting()
        .filter(|g| g.effect == GateEffect::Reject)
        .map(|g| g.rule.clone())
        .collect();
    let gate_tier = acting()
        .filter_map(|g| match g.effect {
            GateEffect::MinTier(l) => Some(l),
            _ => None,
        })
        .max();
    if !rejecting.is_empty() {
        // A rejected vendor's residual risk is as high as it gets: that is
        // what sets its review interval, never a score the rule overrode.
        return Decision {
            tier: Level::Critical,
            gate_tier,
            verdict: Verdict::Reject,
            basis: Basis::Reject { rules: rejecting },
        };
    }
    let tier = score_tier.max(gate_tier.unwrap_or(Level::Low));
    let raised_by: Vec<String> = acting()
        .filter(|g| matches!(g.effect, GateEffect::MinTier(l) if l > score_tier))
        .map(|g| g.rule.clone())
        .collect();
    let limited_by: Vec<String> = acting()
        .filter(|g| g.effect == GateEffect::Conditions)
        .map(|g| g.rule.clone())
        .collect();
    let table = cap(policy.verdict(inherent, tier), &limited_by);
    let minimum = policy.min_confidence.get(inherent);
    let (verdict, settled) = match bounds {
        Some(b) if confidence < minimum => {
            if b.best == Some(Verdict::Reject) {
                // Even the best answers to the open questions would not
                // lift it: asking them would not change the outcome.
                (Verdict::Reject, true)
            } else if b.worst.grants() {
                (table.max(b.worst), true)
            } else {
                return Decision {
                    tier,
                    gate_tier,
                    verdict: Verdict::MoreInformation,
                    basis: Basis::Confidence {
                        confidence,
                        minimum,
                    },
                };
            }
        }
        _ => (table, false),
    };
    Decision {
        tier,
        gate_tier,
        verdict,
        basis: Basis::Table {
            inherent,
            tier,
            raised_by,
            limited_by,
            settled_despite_unknowns: settled,
        },
    }
}

/// A conditions gate limits approval to approval with conditions.
fn cap(v: Verdict, limited_by: &[String]) -> Verdict {
    if v == Verdict::Approve && !limited_by.is_empty() {
        Verdict::Conditions
    } else {
        v
    }
}

/// The funds at risk an approval rests on: the next band up that would
/// raise the inherent risk and, by the policy table, worsen the verdict.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct FundsLimit {
    /// Stay below this amount, in `currency`.
    pub limit: f64,
    /// The manifest's funds currency.
    pub currency: String,
    /// The same amount in the policy's currency, when that differs.
    pub in_policy_currency: Option<f64>,
    /// The inherent risk from there.
    pub inherent: Level,
    /// The verdict the policy table gives from there.
    pub verdict: Verdict,
}

/// Where more funds would change a granting verdict: bands above the
/// declared amount are tried from the lowest, each with the inherent risk
/// it would set, through the same table and gates. None when no funds are
/// declared, the access cannot move them, or no band changes the verdict.
pub(super) fn funds_limit(
    m: &Manifest,
    holding: &Holding,
    policy: &Policy,
    gates: &[Gate],
    (score_tier, inherent, confidence): (Level, Level, f64),
    verdict: Verdict,
) -> Option<FundsLimit> {
    let risk = &policy.inherent_risk;
    let funds = m.integration.funds_at_risk.as_ref()?;
    let moves_funds = m.integration.permissions.iter().any(|p| p.moves_funds())
        || holding.connection == crate::manifest::Connection::BrowserSession;
    if !verdict.grants() || !moves_funds {
        return None;
    }
    let value = risk.funds_value(funds.amount, &funds.currency)?;
    let rate = risk.funds_value(1.0, &funds.currency)?;
    let mut bands: Vec<_> = risk
        .funds_at_risk
        .iter()
        .filter(|b| b.at_least > value && b.level > inherent)
        .collect();
    bands.sort_by(|a, b| a.at_least.total_cmp(&b.at_least));
    bands.into_iter().find_map(|b| {
        let above = decide(policy, gates, score_tier, b.level, confidence, None).verdict;
        (above > verdict).then(|| FundsLimit {
            limit: (b.at_least / rate).floor(),
            currency: funds.currency.clone(),
            in_policy_currency: (funds.currency != risk.funds_currency).then_some(b.at_least),
            inherent: b.level,
            verdict: above,
        })
    })
}

/// Inherent risk of what the integration is granted, with the reasons.
pub fn inherent_risk(m: &Manifest, holding: &Holding, policy: &Policy) -> (Level, Vec<String>) {
    let risk = &policy.inherent_risk;
    // A withdrawal-address allow-list means a leaked withdrawal key or a
    // misused session can only send funds to your own addresses.
    let allowlisted = |l: Level, applies: bool| {
        if applies && m.integration.withdrawal_allowlist {
            l.min(risk.withdrawal_allowlist)
        } else {
            l
        }
    };
    let mut level = Level::Low;
    let mut reasons = Vec::new();
    // What the integration declares, not what a key happens to hold: a key
    // that holds more is narrowed, or revoked, as a condition of approval
    // (the policy gates `key-excess` and `never-grant`), so its excess is
    // the customer's to remove now, not the vendor's risk profile.
    let granted = &m.integration.permissions;
    for p in granted {
        if let Some(&l) = risk.permissions.get(p) {
            let l = allowlisted(l, *p == crate::rules::Permission::Withdraw);
            level = level.max(l);
            reasons.push(format!("{} permission: {l}", p.as_str()));
        }
    }
    if let Some(&l) = risk.connections.get(&holding.connection) {
        let l = allowlisted(
            l,
            holding.connection == crate::manifest::Connection::BrowserSession,
        );
        level = level.max(l);
        reasons.push(format!("{} connection: {l}", holding.connection.as_str()));
    }
    // Funds are at risk only through access that can move them; a
    // read-only key exposes privacy, not balances.
    let moves_funds = granted.iter().any(|p| p.moves_funds())
        || holding.connection == crate::manifest::Connection::BrowserSession;
    if let Some(funds) = m.integration.funds_at_risk.as_ref().filter(|_| moves_funds) {
        // `check_currency` refuses a manifest whose currency has no rate
        // before evaluation; a library caller that skipped it gets the
        // worst band, never a guess that the unit is the policy's.
        let value = risk.funds_value(funds.amount, &funds.currency);
        let band = risk
            .funds_at_risk
            .iter()
            .filter(|b| value.is_none_or(|v| v >= b.at_least))
            .max_by_key(|b| b.level);
        if let Some(band) = band {
            level = level.max(band.level);
            let converted = match value {
                Some(v) if funds.currency != risk.funds_currency => {
                    format!(" (about {v:.0} {})", risk.funds_currency)
                }
                Some(_) => String::new(),
                None => " (no exchange rate in the policy)".to_string(),
            };
            reasons.push(format!(
                "funds at risk {} {}{converted}: {}",
                funds.amount, funds.currency, band.level
            ));
        }
    }
    for class in &m.integration.data_classes {
        if let Some(&l) = risk.data_classes.get(class) {
            level = level.max(l);
            reasons.push(format!("{class} data: {l}"));
        }
    }
    (level, reasons)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn gate(rule: &str, effect: GateEffect) -> Gate {
        Gate {
            rule: rule.into(),
            checklist: "c".into(),
            effect,
            message: String::new(),
            severity: Level::High,
            remediation: None,
            waived: false,
            review_days: None,
            funds_cap: None,
            reads_incidents: false,
        }
    }

    #[test]
    fn a_reject_sets_the_tier_to_critical() {
        let p = Policy::default_policy();
        let d = decide(
            &p,
            &[gate("r", GateEffect::Reject)],
            Level::Low,
            Level::Low,
            100.0,
            None,
        );
        assert_eq!(d.verdict, Verdict::Reject);
        assert_eq!(d.tier, Level::Critical);
        assert_eq!(d.basis.name(), "reject-rule");
    }

    #[test]
    fn low_confidence_asks_for_more_only_when_answers_could_change_the_verdict() {
        let p = Policy::default_policy();
        let open = Bounds {
            best: Some(Verdict::Approve),
            worst: Verdict::Reject,
        };
        let d = decide(&p, &[], Level::Low, Level::Low, 5.0, Some(open));
        assert_eq!(d.verdict, Verdict::MoreInformation);
        assert_eq!(d.basis.name(), "confidence");
        // Hopeless whatever the answers: reject.
        let hopeless = Bounds {
            best: Some(Verdict::Reject),
            worst: Verdict::Reject,
        };
        let d = decide(&p, &[], Level::Low, Level::Low, 5.0, Some(hopeless));
        assert_eq!(d.verdict, Verdict::Reject);
        // Fine whatever the answers: the worst case decides.
        let safe = Bounds {
            best: None,
            worst: Verdict::Conditions,
        };
        let d = decide(&p, &[], Level::Low, Level::Low, 5.0, Some(safe));
        assert_eq!(d.verdict, Verdict::Conditions);
    }

    #[test]
    fn a_conditions_gate_caps_approval() {
        let p = Policy::default_policy();
        let d = decide(
            &p,
            &[gate("easing", GateEffect::Conditions)],
            Level::Low,
            Level::Low,
            100.0,
            None,
        );
        assert_eq!(d.verdict, Verdict::Conditions);
    }
}
