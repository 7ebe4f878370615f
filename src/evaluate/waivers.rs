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

/// What a waiver targets, without its id.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum WaiverKind {
    Question,
    Rule,
}

/// Whether a waiver in force exempts the question or rule `id`: the same
/// as comparing with a `WaiverTarget`, without building one (and copying
/// the id) for every question of every evaluation.
pub(super) fn exempts(waivers: &[WaiverStatus], kind: WaiverKind, id: &str) -> bool {
    waivers.iter().any(|w| {
        w.active
            && match (&w.exempts, kind) {
                (WaiverTarget::Question(q), WaiverKind::Question) => q == id,
                (WaiverTarget::Rule(r), WaiverKind::Rule) => r == id,
                _ => false,
            }
    })
}
