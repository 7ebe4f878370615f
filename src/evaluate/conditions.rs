//! Conditions and key policy: the terms of an approval, and what to do with
//! each key whatever the verdict. Conditions are data; the templates write
//! them as sentences.

use std::collections::BTreeSet;

use serde::Serialize;

use crate::date::Date;
use crate::level::Level;
use crate::manifest::{Connection, KeyState, Manifest};
use crate::rules::{Permission, Policy, Verdict};

use super::findings::{Finding, FindingKind};
use super::gates::{Gate, GateEffect};
use super::scope::Holding;

/// What to do with one key.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum KeyAction {
    /// Approved: keep it on the stated terms.
    Keep,
    /// Approved, but it must change first (narrow, bind or rotate it).
    Fix,
    /// Approved and not yet created: create it on the stated terms.
    Create,
    /// Not approved and not yet created: do not create it.
    DoNotCreate,
    /// Live and not approved, or holding a permission the policy never
    /// grants: revoke it on the exchange now.
    RevokeNow,
    /// Already revoked: nothing to do.
    None,
}

/// One exchange key's status.
#[derive(Clone, Debug, Serialize)]
pub struct KeyStatus {
    /// Exchange.
    pub exchange: String,
    /// Label.
    pub label: String,
    /// Proposed, live or revoked.
    pub status: KeyState,
    /// What to do with it.
    pub action: KeyAction,
    /// Created.
    pub created: Date,
    /// Rotate by this date (none when the key is not to be kept).
    pub rotate_by: Option<Date>,
    /// Whether that date has passed.
    pub rotation_overdue: bool,
    /// Permissions the key has beyond what may be granted.
    pub excess: Vec<Permission>,
    /// Whether it is bound to IPs.
    pub ip_restricted: bool,
}

/// Key terms.
#[derive(Clone, Debug, Serialize)]
pub struct KeyPolicy {
    /// Whether the integration receives exchange keys.
    pub applies: bool,
    /// Permissions to grant: none unless the verdict grants access.
    pub grant: Vec<Permission>,
    /// Permissions never to grant.
    pub refuse: Vec<Permission>,
    /// Requested permissions that are refused.
    pub refused_requests: Vec<Permission>,
    /// The IP allow-list.
    pub ip_allowlist: Vec<String>,
    /// Rotation interval (none unless the verdict grants access).
    pub rotation_days: Option<i64>,
    /// Per key.
    pub keys: Vec<KeyStatus>,
}

/// One term of an approval.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Condition {
    /// Grant only these permissions, never those.
    GrantOnly {
        /// To grant.
        grant: Vec<Permission>,
        /// Never to grant.
        never: Vec<Permission>,
    },
    /// Bind every key to these addresses (the vendor's, or your own
    /// server's when you host the software).
    BindToIps {
        /// The addresses.
        ips: Vec<String>,
        /// Whether they are your own server's.
        own: bool,
    },
    /// The connection is scoped and revocable at the exchange.
    ExchangeScoped {
        /// OAuth or broker.
        connection: Connection,
    },
    /// No static addresses to bind keys to.
    NoStaticIps {
        /// Whether you host the software (then bind to your own server).
        own: bool,
        /// Whether the grant can move funds (if not, a leaked key exposes
        /// balances and history, and binding matters less).
        moves_funds: bool,
    },
    /// One key for this integration alone, rotated on schedule.
    DedicatedKey {
        /// Rotation interval.
        rotation_days: i64,
        /// The tier that sets it.
        tier: Level,
    },
    /// A key holds more than may be granted.
    NarrowKey {
        /// Exchange.
        exchange: String,
        /// Label.
        label: String,
        /// The excess permissions.
        excess: Vec<Permission>,
    },
    /// A key is not bound to IPs.
    BindKey {
        /// Exchange.
        exchange: String,
        /// Label.
        label: String,
    },
    /// A key is past its rotation date.
    RotateKey {
        /// Exchange.
        exchange: String,
        /// Label.
        label: String,
        /// When it was due.
        due: Date,
    },
    /// Turn on the account's withdrawal-address allow-list.
    WithdrawalAllowlist,
    /// A conditions rule's terms (a past incident, for example).
    RuleTerms {
        /// Rule id.
        rule: String,
        /// Its message.
        message: String,
        /// The most funds to keep at risk, in the policy's currency.
        funds_cap: Option<f64>,
        /// The currency.
        currency: String,
        /// Reassess within this many days.
        review_days: Option<i64>,
        /// What the rule asks to be done (its finding is not listed again).
        remediation: Option<String>,
    },
    /// Keep funds at risk below the amount from which the verdict would
    /// be worse: the approval rests on it.
    FundsBelow(super::decision::FundsLimit),
    /// Fix what a serious finding asks.
    Remediate {
        /// Finding id.
        id: String,
        /// Its severity.
        severity: Level,
        /// What to do.
        remediation: String,
    },
    /// Reassess by this date.
    Review {
        /// The date.
        by: Date,
    },
}

/// The key terms for this verdict.
pub(super) fn key_policy(
    m: &Manifest,
    holding: &Holding,
    policy: &Policy,
    verdict: Verdict,
    tier: Level,
    as_of: Date,
) -> KeyPolicy {
    let never = &policy.key_policy.never_grant;
    let requested: BTreeSet<Permission> = m.integration.permissions.iter().copied().collect();
    let allowed: Vec<Permission> = requested
        .iter()
        .copied()
        .filter(|p| !never.contains(p))
        .collect();
    let refused_requests: Vec<Permission> = requested
        .iter()
        .copied()
        .filter(|p| never.contains(p))
        .collect();
    let grants = verdict.grants();
    let exchange_scoped = matches!(
        holding.connection,
        Connection::Oauth | Connection::Broker | Connection::Native
    );
    let rotation_days = policy.key_policy.rotation_days.get(tier);
    let keys = m
        .integration
        .keys
        .iter()
        .map(|k| {
            let excess: Vec<Permission> = k
                .granted()
                .iter()
                .copied()
                .filter(|p| !allowed.contains(p))
                .collect::<BTreeSet<_>>()
                .into_iter()
                .collect();
            // A key not yet created starts its rotation when it is.
            let rotate_by = (grants && k.status == KeyState::Live).then(|| {
                let by = k.created.plus_days(rotation_days);
                k.expiry().map_or(by, |e| e.min(by))
            });
            let overdue = k.status == KeyState::Live && rotate_by.is_some_and(|r| r < as_of);
            // A key that holds what the policy never grants goes now if
            // live, and is not created if planned, whatever the verdict:
            // approval holds only once it is gone.
            let forbidden = excess.iter().any(|p| never.contains(p));
            let action = match (grants, k.status) {
                (_, KeyState::Revoked) => KeyAction::None,
                (false, KeyState::Proposed) => KeyAction::DoNotCreate,
                (false, KeyState::Live) => KeyAction::RevokeNow,
                (true, KeyState::Live) if forbidden => KeyAction::RevokeNow,
                (true, KeyState::Proposed) if forbidden => KeyAction::DoNotCreate,
                (true, KeyState::Proposed) => KeyAction::Create,
                (true, KeyState::Live) if !excess.is_empty() || overdue => KeyAction::Fix,
                // An unbound key is fixed when there are addresses to bind
                // it to, and always when it can move funds: a copy of it
                // trades from anywhere. A token the exchange scopes (OAuth,
                // broker) has no allow-list to fill.
                (true, KeyState::Live)
                    if !k.bound()
                        && !exchange_scoped
                        && (!m.vendor.egress_ips.is_empty()
                            || k.granted().iter().any(|p| p.moves_funds())) =>
                {
                    KeyAction::Fix
                }
                (true, KeyState::Live) => KeyAction::Keep,
            };
            KeyStatus {
                exchange: k.exchange.clone(),
                label: k.label.clone(),
                status: k.status,
                action,
                created: k.created,
                rotate_by,
                rotation_overdue: overdue,
                excess,
                ip_restricted: k.bound(),
            }
        })
        .collect();
    let mut refuse: Vec<Permission> = never.clone();
    refuse.sort();
    refuse.dedup();
    KeyPolicy {
        applies: holding.exchange_keys,
        grant: if grants { allowed } else { Vec::new() },
        refuse,
        refused_requests,
        ip_allowlist: m.vendor.egress_ips.clone(),
        rotation_days: grants.then_some(rotation_days),
        keys,
    }
}

/// What the decision stage settled, as the conditions stage reads it.
pub(super) struct Settled {
    pub verdict: Verdict,
    pub tier: Level,
    pub next_review: Date,
    pub funds_limit: Option<super::decision::FundsLimit>,
}

/// The terms of an approval; none unless the verdict grants access.
pub(super) fn conditions(
    m: &Manifest,
    holding: &Holding,
    policy: &Policy,
    kp: &KeyPolicy,
    (gates, findings): (&[Gate], &[Finding]),
    settled: &Settled,
) -> Vec<Condition> {
    let Settled {
        verdict,
        tier,
        next_review,
        ref funds_limit,
    } = *settled;
    let mut out = Vec::new();
    if !verdict.grants() {
        return out;
    }
    let moves_funds = kp.grant.iter().any(|p| p.moves_funds());
    if kp.applies {
        out.push(Condition::GrantOnly {
            grant: kp.grant.clone(),
            never: kp.refuse.clone(),
        });
        let own = holding.self_hosted;
        // The exchange's own bot has no key to bind, scope or rotate.
        let native = holding.connection == Connection::Native;
        match holding.connection {
            Connection::Native => {}
            Connection::Oauth | Connection::Broker if !own => out.push(Condition::ExchangeScoped {
                connection: holding.connection,
            }),
            _ if kp.ip_allowlist.is_empty() => {
                out.push(Condition::NoStaticIps { own, moves_funds })
            }
            _ => out.push(Condition::BindToIps {
                ips: kp.ip_allowlist.clone(),
                own,
            }),
        }
        if let Some(days) = kp.rotation_days.filter(|_| !native) {
            out.push(Condition::DedicatedKey {
                rotation_days: days,
                tier,
            });
        }
        for k in kp.keys.iter().filter(|k| k.status == KeyState::Live) {
            if !k.excess.is_empty() {
                out.push(Condition::NarrowKey {
                    exchange: k.exchange.clone(),
                    label: k.label.clone(),
                    excess: k.excess.clone(),
                });
            }
            if !k.ip_restricted && !kp.ip_allowlist.is_empty() {
                out.push(Condition::BindKey {
                    exchange: k.exchange.clone(),
                    label: k.label.clone(),
                });
            }
            if let (true, Some(due)) = (k.rotation_overdue, k.rotate_by) {
                out.push(Condition::RotateKey {
                    exchange: k.exchange.clone(),
                    label: k.label.clone(),
                    due,
                });
            }
        }
        if moves_funds && !m.integration.withdrawal_allowlist {
            out.push(Condition::WithdrawalAllowlist);
        }
    }
    if let Some(limit) = funds_limit {
        out.push(Condition::FundsBelow(limit.clone()));
    }
    // A cap on funds at risk means nothing to a key that cannot move any.
    let mut terms_of = Vec::new();
    for g in gates
        .iter()
        .filter(|g| g.acts() && g.effect == GateEffect::Conditions)
    {
        terms_of.push(g.rule.as_str());
        out.push(Condition::RuleTerms {
            rule: g.rule.clone(),
            message: g.message.clone(),
            funds_cap: g.funds_cap.filter(|_| moves_funds),
            currency: policy.inherent_risk.funds_currency.clone(),
            review_days: g.review_days,
            remediation: g.remediation.clone(),
        });
    }
    // A rule whose terms are listed above says its remediation there.
    let listed = |f: &Finding| f.kind == FindingKind::Rule && terms_of.contains(&f.id.as_str());
    for f in findings
        .iter()
        .filter(|f| f.severity >= Level::High && !listed(f))
    {
        if let Some(r) = &f.remediation {
            out.push(Condition::Remediate {
                id: f.id.clone(),
                severity: f.severity,
                remediation: r.clone(),
            });
        }
    }
    out.push(Condition::Review { by: next_review });
    out
}

/// The next review: the tier's interval, shortened by any conditions rule,
/// and no later than the day the first waiver in force runs out (the
/// assessment rests on it until then).
pub(super) fn next_review(
    m: &Manifest,
    policy: &Policy,
    gates: &[Gate],
    tier: Level,
    waivers: &[super::WaiverStatus],
) -> Date {
    let days = gates
        .iter()
        .filter(|g| g.acts())
        .filter_map(|g| g.review_days)
        .fold(policy.review_days.get(tier), i64::min);
    waivers
        .iter()
        .filter(|w| w.active)
        .filter_map(|w| w.expires)
        .fold(m.assessment.date.plus_days(days), Date::min)
}
