//! An observation against the assessment's key policy: what the key may
//! hold (the integration's permissions, less the policy's never-grant
//! list), where it may be used from (the vendor's egress addresses) and
//! until when; each difference with the change to make on the key page.

use std::collections::BTreeSet;
use std::net::IpAddr;

use serde::Serialize;

use super::{Exchange, Observation};
use crate::date::Date;
use crate::manifest::Manifest;
use crate::rules::{Permission, Policy};

/// What the policy expects of every key of one manifest.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Expectation {
    /// What the integration needs and may be granted.
    pub allowed: BTreeSet<Permission>,
    /// What no key may ever hold.
    pub never: BTreeSet<Permission>,
    /// The vendor's egress addresses (addresses or CIDR ranges).
    pub egress_ips: Vec<String>,
}

impl Expectation {
    /// The expectation of `m` under `policy`.
    pub fn of(m: &Manifest, policy: &Policy) -> Expectation {
        let never: BTreeSet<Permission> = policy.key_policy.never_grant.iter().copied().collect();
        Expectation {
            allowed: m
                .integration
                .permissions
                .iter()
                .copied()
                .filter(|p| !never.contains(p))
                .collect(),
            never,
            egress_ips: m.vendor.egress_ips.clone(),
        }
    }
}

/// Whether a key matches the policy.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Standing {
    /// It holds what it should and is bound as it should be.
    Matches,
    /// At least one difference (see the problems).
    DoesNotMatch,
    /// The exchange refused this machine, so nothing could be compared.
    NotVerifiable,
}

/// One difference between the key and the policy.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Problem {
    /// What is wrong.
    pub text: String,
    /// What to change on the exchange's key page.
    pub change: String,
}

/// The verdict on one key.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Verdict {
    /// Matches, does not, or could not be verified.
    pub standing: Standing,
    /// The differences, worst first.
    pub problems: Vec<Problem>,
    /// What is worth knowing but is no difference.
    pub notes: Vec<String>,
}

/// Judges `observation` of a key on `exchange` against `expected` on `as_of`.
pub fn judge(
    exchange: Exchange,
    observation: &Observation,
    expected: &Expectation,
    as_of: Date,
) -> Verdict {
    let page = exchange.key_page();
    let o = match observation {
        Observation::Verified(o) => o,
        Observation::IpRefused { words } => {
            return Verdict {
                standing: Standing::NotVerifiable,
                problems: Vec::new(),
                notes: vec![
                    format!(
                        "{} refused this machine's address ({words}): the key is bound to an IP allow-list that does not include it, which is evidence that an allow-list exists",
                        exchange.name()
                    ),
                    "to see its permissions, verify a key before binding it to the vendor's addresses, or run `vetted key verify` from an address on its allow-list".to_string(),
                ],
            };
        }
    };
    let mut problems = Vec::new();
    for p in &o.permissions {
        if expected.never.contains(p) {
            problems.push(Problem {
                text: format!("the key can {} (the policy never grants it)", verb(*p)),
                change: format!("on {page}, turn off \"{}\"", exchange.setting(*p)),
            });
        }
    }
    for p in &o.permissions {
        if !expected.never.contains(p) && !expected.allowed.contains(p) && *p != Permission::Read {
            problems.push(Problem {
                text: format!(
                    "the key can {}, which the integration was not granted",
                    verb(*p)
                ),
                change: format!("on {page}, turn off \"{}\"", exchange.setting(*p)),
            });
        }
    }
    for p in &expected.allowed {
        let implied = *p == Permission::Read && !o.permissions.is_empty();
        if !o.permissions.contains(p) && !implied && *p != Permission::Write {
            problems.push(Problem {
                text: format!("the key cannot {}, which the integration needs", verb(*p)),
                change: format!("on {page}, turn on \"{}\"", exchange.setting(*p)),
            });
        }
    }
    let vendor_ips = expected.egress_ips.join(", ");
    let mut notes = Vec::new();
    match (o.ip_restricted, o.ip_allowlist.is_empty()) {
        (Some(false), _) => problems.push(Problem {
            text: "the key is not bound to any IP address: anyone holding it can use it from anywhere".into(),
            change: if expected.egress_ips.is_empty() {
                format!(
                    "ask the vendor for its static egress addresses, add them to the manifest (vendor.egress-ips), and on {page} restrict the key to them"
                )
            } else {
                format!("on {page}, restrict access to the vendor's addresses: {vendor_ips}")
            },
        }),
        (Some(true), false) => {
            let outside: Vec<&String> = o
                .ip_allowlist
                .iter()
                .filter(|a| !expected.egress_ips.iter().any(|e| covers(e, a)))
                .collect();
            if !expected.egress_ips.is_empty() && !outside.is_empty() {
                let list: Vec<&str> = outside.iter().map(|s| s.as_str()).collect();
                problems.push(Problem {
                    text: format!(
                        "the key's allow-list holds addresses that are not the vendor's: {}",
                        list.join(", ")
                    ),
                    change: format!(
                        "on {page}, remove them, keeping only the vendor's addresses ({vendor_ips})"
                    ),
                });
            }
            let unlisted: Vec<&str> = expected
                .egress_ips
                .iter()
                .filter(|e| !o.ip_allowlist.iter().any(|a| covers(e, a) || a == *e))
                .map(String::as_str)
                .collect();
            if !unlisted.is_empty() {
                notes.push(format!(
                    "the vendor's addresses not on the key's allow-list (the vendor cannot use the key from them): {}",
                    unlisted.join(", ")
                ));
            }
        }
        (Some(true), true) => notes.push(format!(
            "{} says the key is IP-restricted but not to which addresses; check on {page} that they are the vendor's{}",
            exchange.name(),
            if vendor_ips.is_empty() { String::new() } else { format!(" ({vendor_ips})") }
        )),
        (None, _) => notes.push(format!(
            "{} does not say through this endpoint whether the key is bound to IP addresses; check on {page}",
            exchange.name()
        )),
    }
    if let Some(expires) = o.expires {
        if expires < as_of {
            problems.push(Problem {
                text: format!("the key expired on {expires}"),
                change: format!("on {page}, delete it and create a new key under the same policy"),
            });
        } else if as_of.days_until(expires) <= 30 {
            notes.push(format!("the key expires on {expires}"));
        }
    }
    Verdict {
        standing: if problems.is_empty() {
            Standing::Matches
        } else {
            Standing::DoesNotMatch
        },
        problems,
        notes,
    }
}

/// What a permission lets a key do, as a verb phrase.
fn verb(p: Permission) -> &'static str {
    match p {
        Permission::Read => "read balances and history",
        Permission::Write => "change data",
        Permission::Trade => "trade",
        Permission::Transfer => "transfer funds between accounts",
        Permission::Withdraw => "withdraw funds",
        Permission::Admin => "manage the account",
        Permission::Margin => "trade on margin",
        Permission::Futures => "trade futures",
        Permission::Options => "trade options",
    }
}

/// Whether the egress entry `range` (an address or CIDR range) covers
/// `addr` (an address, or a range compared as text).
fn covers(range: &str, addr: &str) -> bool {
    if range == addr {
        return true;
    }
    let Ok(ip) = addr.parse::<IpAddr>() else {
        return false;
    };
    let (net, len) = match range.split_once('/') {
        Some((n, l)) => (n, l.parse::<u32>().ok()),
        None => (range, None),
    };
    let Ok(net) = net.parse::<IpAddr>() else {
        return false;
    };
    match (net, ip) {
        (IpAddr::V4(n), IpAddr::V4(a)) => {
            let len = len.unwrap_or(32).min(32);
            let mask = if len == 0 { 0 } else { u32::MAX << (32 - len) };
            u32::from(n) & mask == u32::from(a) & mask
        }
        (IpAddr::V6(n), IpAddr::V6(a)) => {
            let len = len.unwrap_or(128).min(128);
            let mask = if len == 0 {
                0
            } else {
                u128::MAX << (128 - len)
            };
            u128::from(n) & mask == u128::from(a) & mask
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::key::Observed;

    fn expected() -> Expectation {
        Expectation {
            allowed: [Permission::Read, Permission::Trade].into(),
            never: [
                Permission::Withdraw,
                Permission::Transfer,
                Permission::Admin,
            ]
            .into(),
            egress_ips: vec!["203.0.113.0/28".into()],
        }
    }

    fn seen(perms: &[Permission], restricted: Option<bool>, ips: &[&str]) -> Observation {
        Observation::Verified(Observed {
            permissions: perms.iter().copied().collect(),
            ip_restricted: restricted,
            ip_allowlist: ips.iter().map(|s| s.to_string()).collect(),
            expires: None,
            words: Vec::new(),
        })
    }

    fn today() -> Date {
        "2026-11-30".parse().unwrap()
    }

    #[test]
    fn a_key_as_the_policy_wants_matches() {
        let v = judge(
            Exchange::Okx,
            &seen(
                &[Permission::Read, Permission::Trade],
                Some(true),
                &["203.0.113.5"],
            ),
            &expected(),
            today(),
        );
        assert_eq!(v.standing, Standing::Matches, "{v:?}");
    }

    #[test]
    fn withdrawal_margin_and_no_binding_are_each_named_with_the_change() {
        let v = judge(
            Exchange::Binance,
            &seen(
                &[
                    Permission::Read,
                    Permission::Trade,
                    Permission::Withdraw,
                    Permission::Margin,
                ],
                Some(false),
                &[],
            ),
            &expected(),
            today(),
        );
        assert_eq!(v.standing, Standing::DoesNotMatch);
        let all: Vec<String> = v
            .problems
            .iter()
            .map(|p| format!("{} => {}", p.text, p.change))
            .collect();
        assert_eq!(all.len(), 3, "{all:#?}");
        assert!(
            all[0].contains("withdraw") && all[0].contains("Enable Withdrawals"),
            "{all:#?}"
        );
        assert!(all[1].contains("margin"), "{all:#?}");
        assert!(all[2].contains("203.0.113.0/28"), "{all:#?}");
    }

    #[test]
    fn missing_permissions_foreign_addresses_and_expiry() {
        let mut o = seen(&[Permission::Read], Some(true), &["198.51.100.7"]);
        if let Observation::Verified(x) = &mut o {
            x.expires = Some("2026-11-01".parse().unwrap());
        }
        let v = judge(Exchange::Kraken, &o, &expected(), today());
        let texts: Vec<&str> = v.problems.iter().map(|p| p.text.as_str()).collect();
        assert!(
            texts.iter().any(|t| t.contains("cannot trade")),
            "{texts:?}"
        );
        assert!(
            texts.iter().any(|t| t.contains("198.51.100.7")),
            "{texts:?}"
        );
        assert!(
            texts.iter().any(|t| t.contains("expired on 2026-11-01")),
            "{texts:?}"
        );
    }

    #[test]
    fn an_ip_refusal_cannot_be_compared_but_is_evidence() {
        let v = judge(
            Exchange::Bybit,
            &Observation::IpRefused {
                words: "10010: Unmatched IP".into(),
            },
            &expected(),
            today(),
        );
        assert_eq!(v.standing, Standing::NotVerifiable);
        assert!(v.notes[0].contains("allow-list exists"), "{v:?}");
    }

    #[test]
    fn ranges_cover_addresses() {
        assert!(covers("203.0.113.0/28", "203.0.113.15"));
        assert!(!covers("203.0.113.0/28", "203.0.113.16"));
        assert!(covers("2001:db8::/32", "2001:db8::1"));
        assert!(covers("1.2.3.4", "1.2.3.4"));
        assert!(!covers("1.2.3.4", "::1"));
    }
}
