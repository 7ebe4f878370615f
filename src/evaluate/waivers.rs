//! Waivers: accepted exceptions, and whether each is in force.

use serde::Serialize;

use crate::date::Date;
use crate::manifest::Waiver;

/// What a waiver exempts.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", content = "id", rename_all = "kebab-case")]
pub enum WaiverTarget {
    /// A question: it counts as satisfied.
    Question(String),
    /// A non-reject rule: it is recorded as waived.
    Rule(String),
}

/// A waiver and whether it is in force.
#[derive(Clone, Debug, Serialize)]
pub struct WaiverStatus {
    /// Question or rule id.
    pub target: String,
    /// What it exempts.
    pub exempts: WaiverTarget,
    /// Reason.
    pub reason: String,
    /// Approver.
    pub approved_by: String,
    /// Expiry.
    pub expires: Option<Date>,
    /// Whether it applies on the as-of date.
    pub active: bool,
}

/// The manifest's waivers on the as-of date. The loader refuses a waiver
/// that names no target or both; such a hand-built one exempts nothing.
pub(super) fn statuses(waivers: &[Waiver], as_of: Date) -> Vec<WaiverStatus> {
    waivers
        .iter()
        .filter_map(|w| {
            let exempts = match (&w.question, &w.rule) {
                (Some(q), None) => WaiverTarget::Question(q.clone()),
                (None, Some(r)) => WaiverTarget::Rule(r.clone()),
                _ => return None,
            };
            Some(WaiverStatus {
                target: match &exempts {
                    WaiverTarget::Question(id) | WaiverTarget::Rule(id) => id.clone(),
                },
                exempts,
                reason: w.reason.clone().unwrap_or_default(),
                approved_by: w.approved_by.clone().unwrap_or_default(),
                expires: w.expires,
                active: w.expires.is_some_and(|e| e >= as_of),
            })
        })
        .collect()
}

/// Whether a waiver in force exempts this target.
pub(super) fn exempts(waivers: &[WaiverStatus], target: &WaiverTarget) -> bool {
    waivers.iter().any(|w| w.active && &w.exempts == target)
}
