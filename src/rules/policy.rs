//! The policy: every weight, threshold, credit and interval the evaluation
//! uses. Defaults are embedded (`policy/default.yaml`); `--policy FILE`
//! replaces them.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::diag::{Code, Diagnostic};
use crate::document::Document;
use crate::level::Level;
use crate::schema::Format;
use crate::yaml::Limits;

/// The embedded default policy text.
pub const DEFAULT_POLICY: &str = include_str!("../../policy/default.yaml");

/// What an integration may be granted.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Permission {
    /// See balances, orders and history.
    Read,
    /// Change data in the vendor-facing system (non-exchange integrations).
    Write,
    /// Place and cancel orders.
    Trade,
    /// Move funds between accounts or sub-accounts.
    Transfer,
    /// Withdraw funds off the exchange.
    Withdraw,
    /// Manage the account, users or keys.
    Admin,
    /// Trade on margin (borrowed funds).
    Margin,
    /// Trade futures or perpetual contracts (leverage).
    Futures,
    /// Trade options.
    Options,
}

impl Permission {
    /// The name used in files.
    pub fn as_str(self) -> &'static str {
        match self {
            Permission::Read => "read",
            Permission::Write => "write",
            Permission::Trade => "trade",
            Permission::Transfer => "transfer",
            Permission::Withdraw => "withdraw",
            Permission::Admin => "admin",
            Permission::Margin => "margin",
            Permission::Futures => "futures",
            Permission::Options => "options",
        }
    }

    /// Whether a key with this permission can move or lose funds (a
    /// read-only key exposes privacy, not balances).
    pub fn moves_funds(self) -> bool {
        !matches!(self, Permission::Read | Permission::Write)
    }

    /// Whether it trades with leverage.
    pub fn leveraged(self) -> bool {
        matches!(
            self,
            Permission::Margin | Permission::Futures | Permission::Options
        )
    }
}

/// The outcome for one integration, best first: the order is how far each
/// is from "go ahead".
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Verdict {
    /// Go ahead.
    Approve,
    /// Go ahead only on the stated conditions.
    Conditions,
    /// Too little is known for the risk: nothing is granted until the
    /// questions that matter are answered.
    MoreInformation,
    /// Do not share access.
    Reject,
}

impl Verdict {
    /// All verdicts, best first.
    pub const ALL: [Verdict; 4] = [
        Verdict::Approve,
        Verdict::Conditions,
        Verdict::MoreInformation,
        Verdict::Reject,
    ];

    /// How the verdict reads in a report.
    pub fn label(self) -> &'static str {
        match self {
            Verdict::Approve => "approve",
            Verdict::Conditions => "approve with conditions",
            Verdict::MoreInformation => "more information needed",
            Verdict::Reject => "reject",
        }
    }

    /// The name used in files and on the command line.
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Approve => "approve",
            Verdict::Conditions => "conditions",
            Verdict::MoreInformation => "more-information",
            Verdict::Reject => "reject",
        }
    }

    /// Whether access may be granted.
    pub fn grants(self) -> bool {
        matches!(self, Verdict::Approve | Verdict::Conditions)
    }
}

/// One value for each level: a policy table that cannot miss a level.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct PerLevel<T> {
    /// For low.
    pub low: T,
    /// For medium.
    pub medium: T,
    /// For high.
    pub high: T,
    /// For critical.
    pub critical: T,
}

impl<T: Copy> PerLevel<T> {
    /// The value for `level`.
    pub fn get(&self, level: Level) -> T {
        match level {
            Level::Low => self.low,
            Level::Medium => self.medium,
            Level::High => self.high,
            Level::Critical => self.critical,
        }
    }
}

/// Evidence credits.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub struct Credit {
    /// Kept when required evidence is missing.
    pub unverified_required: f64,
    /// Kept when recommended evidence is missing.
    pub unverified_recommended: f64,
    /// Kept when all evidence is stale or expired.
    pub stale: f64,
}

/// Evidence rules.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub struct EvidencePolicy {
    /// Evidence older than this many days is stale.
    pub max_age_days: i64,
    /// Credits for weak evidence.
    pub credit: Credit,
}

/// Minimum score of each tier.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Tiers {
    /// Score at or above which the tier is low.
    pub low: f64,
    /// Score at or above which the tier is medium.
    pub medium: f64,
    /// Score at or above which the tier is high.
    pub high: f64,
}

/// One funds-at-risk threshold.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub struct FundsBand {
    /// Funds at or above this amount...
    pub at_least: f64,
    /// ...carry at least this inherent risk.
    pub level: Level,
}

/// How inherent risk is derived.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub struct InherentRisk {
    /// By permission granted.
    pub permissions: BTreeMap<Permission, Level>,
    /// By funds at risk, highest threshold first.
    pub funds_at_risk: Vec<FundsBand>,
    /// The currency of the funds thresholds.
    #[serde(default = "default_currency")]
    pub funds_currency: String,
    /// What one unit of another currency is worth in `funds_currency`, so
    /// that amounts stated in it can be judged (`EUR: 1.08`, `BTC: 90000`).
    #[serde(default)]
    pub exchange_rates: BTreeMap<String, f64>,
    /// By data class shared.
    pub data_classes: BTreeMap<String, Level>,
    /// By how the vendor reaches the exchange (only those that raise it).
    #[serde(default)]
    pub connections: BTreeMap<crate::manifest::Connection, Level>,
    /// With a withdrawal-address allow-list on the account, withdrawal
    /// permission and session access weigh at most this: a leaked key or
    /// session can only send funds to your own addresses.
    #[serde(default = "default_allowlisted")]
    pub withdrawal_allowlist: Level,
}

fn default_allowlisted() -> Level {
    Level::High
}

fn default_currency() -> String {
    "USD".to_string()
}

impl InherentRisk {
    /// `amount` of `currency` in the thresholds' currency; none when the
    /// policy has no rate for it.
    pub fn funds_value(&self, amount: f64, currency: &str) -> Option<f64> {
        if currency == self.funds_currency {
            return Some(amount);
        }
        self.exchange_rates.get(currency).map(|rate| amount * rate)
    }
}

/// Terms for exchange keys.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub struct KeyPolicy {
    /// Never granted to a vendor.
    pub never_grant: Vec<Permission>,
    /// Rotation interval by tier.
    pub rotation_days: PerLevel<i64>,
    /// Ask the exchange what each live key can do (`vetted key verify`)
    /// at least this often.
    #[serde(default = "default_verify_days")]
    pub verify_days: i64,
}

fn default_verify_days() -> i64 {
    90
}

/// How incidents age.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub struct IncidentPolicy {
    /// An incident younger than this without verified remediation is open:
    /// the incident rules gate the verdict.
    pub gate_days: i64,
    /// An incident younger than this still sets conditions once it is no
    /// longer open; older ones are history.
    pub memory_days: i64,
    /// Remediation counts once it was verified at least this long ago.
    pub settle_days: i64,
}

impl Default for IncidentPolicy {
    fn default() -> IncidentPolicy {
        IncidentPolicy {
            gate_days: 1095,
            memory_days: 1825,
            settle_days: 180,
        }
    }
}

fn default_min_confidence() -> PerLevel<f64> {
    PerLevel {
        low: 25.0,
        medium: 40.0,
        high: 50.0,
        critical: 60.0,
    }
}

/// The whole policy.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub struct Policy {
    /// Name shown in reports.
    pub id: String,
    /// Version shown in reports.
    pub version: String,
    /// Question weight by severity.
    pub severity_weights: PerLevel<f64>,
    /// Evidence ages and credits.
    pub evidence: EvidencePolicy,
    /// Tier thresholds.
    pub tiers: Tiers,
    /// An answer scoring below this share of its question is a finding.
    pub finding_below: f64,
    /// Inherent risk derivation.
    pub inherent_risk: InherentRisk,
    /// Verdict by inherent risk, then residual tier.
    pub verdicts: PerLevel<PerLevel<Verdict>>,
    /// Below this confidence (0 to 100), by inherent risk, too little is
    /// known to decide: the verdict is more information needed.
    #[serde(default = "default_min_confidence")]
    pub min_confidence: PerLevel<f64>,
    /// How incidents age.
    #[serde(default)]
    pub incidents: IncidentPolicy,
    /// Key terms.
    pub key_policy: KeyPolicy,
    /// Review interval by tier.
    pub review_days: PerLevel<i64>,
    /// The file it was read from and its digest (not part of the policy's
    /// values).
    #[serde(skip)]
    pub source: crate::report::integrity::Input,
}

impl Policy {
    /// Loads a policy file.
    pub fn load(file: &str, bytes: Vec<u8>) -> Result<Policy, Vec<Diagnostic>> {
        let sha256 = crate::report::integrity::sha256(&bytes);
        let doc = Document::load(Format::Policy, file, bytes, &Limits::default())?;
        let mut policy: Policy = doc.typed().map_err(|d| vec![d])?;
        policy.source = crate::report::integrity::Input {
            id: policy.id.clone(),
            file: file.to_string(),
            sha256,
        };
        // Policies written before margin, futures and options existed
        // leave them out; they take the bundled levels, as documented.
        for (p, level) in [
            (Permission::Margin, Level::Critical),
            (Permission::Futures, Level::Critical),
            (Permission::Options, Level::High),
        ] {
            policy.inherent_risk.permissions.entry(p).or_insert(level);
        }
        let t = &policy.tiers;
        if !(t.low >= t.medium && t.medium >= t.high) {
            return Err(vec![doc.error(
                Code::PolicyTiersOrder,
                "/tiers",
                "tier minimums must not increase from low to high (low >= medium >= high)",
            )]);
        }
        Ok(policy)
    }

    /// The embedded default policy.
    pub fn default_policy() -> Policy {
        Policy::load(
            "<bundled>/policy/default.yaml",
            DEFAULT_POLICY.as_bytes().to_vec(),
        )
        .expect("the embedded default policy is valid")
    }

    /// Weight of a question of this severity.
    pub fn weight(&self, severity: Level) -> f64 {
        self.severity_weights.get(severity)
    }

    /// Residual tier for an overall score.
    pub fn tier_for(&self, score: f64) -> Level {
        if score >= self.tiers.low {
            Level::Low
        } else if score >= self.tiers.medium {
            Level::Medium
        } else if score >= self.tiers.high {
            Level::High
        } else {
            Level::Critical
        }
    }

    /// Verdict from the table.
    pub fn verdict(&self, inherent: Level, tier: Level) -> Verdict {
        self.verdicts.get(inherent).get(tier)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_policy_loads_with_scorecard_weights() {
        let p = Policy::default_policy();
        assert_eq!(p.weight(Level::Critical), 10.0);
        assert_eq!(p.weight(Level::High), 7.5);
        assert_eq!(p.weight(Level::Medium), 5.0);
        assert_eq!(p.weight(Level::Low), 2.5);
    }

    #[test]
    fn tier_edges() {
        let p = Policy::default_policy();
        assert_eq!(p.tier_for(80.0), Level::Low);
        assert_eq!(p.tier_for(79.99), Level::Medium);
        assert_eq!(p.tier_for(65.0), Level::Medium);
        assert_eq!(p.tier_for(64.99), Level::High);
        assert_eq!(p.tier_for(45.0), Level::High);
        assert_eq!(p.tier_for(44.99), Level::Critical);
    }

    #[test]
    fn verdict_table() {
        let p = Policy::default_policy();
        assert_eq!(p.verdict(Level::Low, Level::Low), Verdict::Approve);
        assert_eq!(p.verdict(Level::High, Level::Low), Verdict::Conditions);
        assert_eq!(p.verdict(Level::High, Level::High), Verdict::Reject);
        assert_eq!(p.verdict(Level::Critical, Level::Medium), Verdict::Reject);
    }

    #[test]
    fn bad_policy_is_reported_with_position() {
        let text = DEFAULT_POLICY.replace(
            "tiers: {low: 80, medium: 65, high: 45}",
            "tiers: {low: 50, medium: 65, high: 45}",
        );
        let diags = Policy::load("p.yaml", text.into_bytes()).unwrap_err();
        assert_eq!(diags[0].code, Code::PolicyTiersOrder);
        assert!(diags[0].line > 1);
    }
}
