//! Waivers: accepted exceptions, and whether each is in force.

use serde::Serialize;

use crate::date::Date;
use crate::manifest::Waiver;
pub use crate::manifest::WaiverTarget;

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

/// The manifest's waivers on the as-of date.
pub(super) fn statuses(waivers: &[Waiver], as_of: Date) -> Vec<WaiverStatus> {
    waivers
        .iter()
        .map(|w| WaiverStatus {
            target: w.target.id().to_string(),
            exempts: w.target.clone(),
            reason: w.reason.clone(),
            approved_by: w.approved_by.clone(),
            expires: Some(w.expires),
            active: w.expires >= as_of,
        })
        .collect()
}

/// Whether a waiver in force exempts this target.
pub(super) fn exempts(waivers: &[WaiverStatus], target: &WaiverTarget) -> bool {
    waivers.iter().any(|w| w.active && &w.exempts == target)
}
