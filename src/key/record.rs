//! What the manifest keeps of a verification: the observation (with the
//! one before it, to see drift), its date, the exchange's words and a
//! fingerprint of the key id. Never a secret.

use super::{Observation, Observed};
use crate::manifest::{
    ExchangeKey, KeyObservation, KeyOutcome, Manifest, PreviousObservation, Provenance,
};

/// The observation as the manifest keeps it. Words that look like a
/// credential to the manifest's own guard are left out, so that an
/// exchange echoing one can never make it reach the file.
pub fn observation(
    seen: &Observation,
    fingerprint: &str,
    url: &str,
    observed: &str,
) -> KeyObservation {
    let keep = |w: &String| crate::manifest::guard::looks_like_secret(w).is_none();
    let (outcome, o) = match seen {
        Observation::Verified(o) => (KeyOutcome::Verified, o.clone()),
        Observation::IpRefused { words } => (
            KeyOutcome::IpRefused,
            Observed {
                permissions: Default::default(),
                ip_restricted: Some(true),
                ip_allowlist: Vec::new(),
                expires: None,
                words: vec![words.clone()],
            },
        ),
    };
    KeyObservation {
        observed: observed.to_string(),
        source: Provenance::Observed,
        outcome,
        fingerprint: fingerprint.to_string(),
        url: url.to_string(),
        permissions: o.permissions.into_iter().collect(),
        ip_restricted: o.ip_restricted,
        ip_allowlist: o.ip_allowlist,
        expires: o.expires,
        exchange_says: o.words.into_iter().filter(keep).collect(),
        previous: None,
    }
}

/// Records `new` on the key labelled `label`; the key's last verified
/// observation becomes `previous`. Returns false when no key has that
/// label.
pub fn record(m: &mut Manifest, label: &str, mut new: KeyObservation) -> bool {
    let Some(key) = m.integration.keys.iter_mut().find(|k| k.label == label) else {
        return false;
    };
    new.previous = last_verified(key);
    key.observed = Some(new);
    true
}

/// The key's last verified observation, as the one before the next.
fn last_verified(key: &ExchangeKey) -> Option<PreviousObservation> {
    let o = key.observed.as_ref()?;
    if o.outcome == KeyOutcome::Verified {
        return Some(PreviousObservation {
            observed: o.observed.clone(),
            fingerprint: o.fingerprint.clone(),
            permissions: o.permissions.clone(),
            ip_restricted: o.ip_restricted,
            ip_allowlist: o.ip_allowlist.clone(),
        });
    }
    // A refusal says nothing about permissions: the verified one before
    // it stays the reference.
    o.previous.clone()
}

/// How a key's permissions or binding changed between its last two
/// verifications of the same key id: (permissions added, removed, whether
/// the binding changed). None when there is nothing to compare.
pub fn drift(key: &ExchangeKey) -> Option<Drift> {
    let now = key.verified()?;
    let before = now.previous.as_ref()?;
    if before.fingerprint != now.fingerprint {
        // Another key under the same label: a rotation, not a drift.
        return None;
    }
    let added: Vec<_> = now
        .permissions
        .iter()
        .filter(|p| !before.permissions.contains(p))
        .copied()
        .collect();
    let removed: Vec<_> = before
        .permissions
        .iter()
        .filter(|p| !now.permissions.contains(p))
        .copied()
        .collect();
    let unbound = before.ip_restricted == Some(true) && now.ip_restricted == Some(false);
    let rebound = before.ip_allowlist != now.ip_allowlist && !now.ip_allowlist.is_empty();
    (!added.is_empty() || !removed.is_empty() || unbound || rebound).then(|| Drift {
        since: before.observed.clone(),
        added,
        removed,
        unbound,
        rebound,
    })
}

/// A change between two verifications of one key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Drift {
    /// When the earlier verification was.
    pub since: String,
    /// Permissions gained.
    pub added: Vec<crate::rules::Permission>,
    /// Permissions lost.
    pub removed: Vec<crate::rules::Permission>,
    /// The IP binding was removed.
    pub unbound: bool,
    /// The allow-list changed.
    pub rebound: bool,
}

impl Drift {
    /// One sentence.
    pub fn describe(&self) -> String {
        let names = |ps: &[crate::rules::Permission]| {
            ps.iter().map(|p| p.as_str()).collect::<Vec<_>>().join(", ")
        };
        let mut parts = Vec::new();
        if !self.added.is_empty() {
            parts.push(format!("gained {}", names(&self.added)));
        }
        if !self.removed.is_empty() {
            parts.push(format!("lost {}", names(&self.removed)));
        }
        if self.unbound {
            parts.push("lost its IP binding".to_string());
        } else if self.rebound {
            parts.push("its IP allow-list changed".to_string());
        }
        format!(
            "since the verification of {}: {}",
            self.since,
            parts.join("; ")
        )
    }
}
