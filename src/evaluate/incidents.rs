//! Incident history: how much each past incident weighs today.

use serde::Serialize;

use crate::date::Date;
use crate::level::Level;
use crate::manifest::{Incident, IncidentKind};
use crate::rules::policy::IncidentPolicy;

/// Where an incident stands on the as-of date.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Standing {
    /// Recent, and no remediation verified long enough ago: the incident
    /// rules gate the verdict.
    Open,
    /// Remediated and settled, or past the gate window: it sets conditions.
    Easing,
    /// Past the memory window: listed, not weighed.
    History,
}

/// One incident's weight today, and the dates that move it.
#[derive(Clone, Debug, Serialize)]
pub struct IncidentStanding {
    /// When it happened.
    pub date: Date,
    /// What happened.
    pub kind: IncidentKind,
    /// How bad it was.
    pub severity: Level,
    /// Where it stands.
    pub standing: Standing,
    /// Age on the as-of date.
    pub age_days: i64,
    /// When an independent party verified the remediation.
    pub verified: Option<Date>,
    /// When a verified remediation starts to count (verified + settle).
    pub settles: Option<Date>,
    /// When it stops gating even without remediation.
    pub gate_ends: Date,
    /// When it becomes history.
    pub history_from: Date,
}

/// Standing of each incident, in manifest order.
pub fn standings(
    incidents: &[Incident],
    policy: &IncidentPolicy,
    as_of: Date,
) -> Vec<IncidentStanding> {
    incidents
        .iter()
        .map(|i| {
            let age_days = i.date.days_until(as_of);
            let verified = i.remediation.as_ref().and_then(|r| r.verified_on());
            let settles = verified.map(|v| v.plus_days(policy.settle_days));
            let settled = settles.is_some_and(|s| s <= as_of);
            let standing = if age_days > policy.memory_days {
                Standing::History
            } else if age_days <= policy.gate_days && !settled {
                Standing::Open
            } else {
                Standing::Easing
            };
            IncidentStanding {
                date: i.date,
                kind: i.kind,
                severity: i.severity,
                standing,
                age_days,
                verified,
                settles,
                gate_ends: i.date.plus_days(policy.gate_days),
                history_from: i.date.plus_days(policy.memory_days),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn incident(date: &str, verified: Option<&str>) -> Incident {
        serde_json::from_value(serde_json::json!({
            "date": date, "kind": "key-leak", "severity": "critical",
            "remediation": verified.map(|v| serde_json::json!({"verified-by": "Tester", "verified": v})),
        }))
        .unwrap()
    }

    fn standing(date: &str, verified: Option<&str>) -> Standing {
        let as_of: Date = "2026-11-25".parse().unwrap();
        standings(
            &[incident(date, verified)],
            &IncidentPolicy::default(),
            as_of,
        )[0]
        .standing
    }

    #[test]
    fn incidents_age_and_can_be_remediated() {
        // Recent and unremediated: open.
        assert_eq!(standing("2026-06-01", None), Standing::Open);
        // Remediation verified, but too recently to have proved itself.
        assert_eq!(standing("2025-06-01", Some("2026-10-01")), Standing::Open);
        // Verified over 180 days ago: easing.
        assert_eq!(standing("2025-06-01", Some("2026-03-01")), Standing::Easing);
        // Past the gate window without remediation: easing, not history.
        assert_eq!(standing("2022-12-28", None), Standing::Easing);
        // Past the memory window: history.
        assert_eq!(standing("2020-01-01", None), Standing::History);
    }

    #[test]
    fn a_remediation_without_a_verifier_does_not_count() {
        let mut i = incident("2025-06-01", Some("2026-01-01"));
        i.remediation.as_mut().unwrap().verified_by = None;
        let as_of: Date = "2026-11-25".parse().unwrap();
        let s = standings(&[i], &IncidentPolicy::default(), as_of);
        assert_eq!(s[0].standing, Standing::Open);
        assert_eq!(s[0].verified, None);
    }
}
