//! The four-step scale used for severities, risk tiers and inherent risk.

use std::fmt;

use serde::{Deserialize, Serialize};

/// Low < medium < high < critical. Used for question severity, the residual
/// risk tier, inherent risk and incident severity, so that "at least high"
/// means the same thing everywhere.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    /// Little at stake or little wrong.
    Low,
    /// Worth attention.
    Medium,
    /// Serious.
    High,
    /// As bad as it gets.
    Critical,
}

impl Level {
    /// All levels, best first.
    pub const ALL: [Level; 4] = [Level::Low, Level::Medium, Level::High, Level::Critical];

    /// The lowercase name used in files and reports.
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Low => "low",
            Level::Medium => "medium",
            Level::High => "high",
            Level::Critical => "critical",
        }
    }

    /// Parses a lowercase name.
    pub fn parse(s: &str) -> Option<Level> {
        Level::ALL.into_iter().find(|l| l.as_str() == s)
    }
}

impl fmt::Display for Level {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
