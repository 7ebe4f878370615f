//! `vetted portfolio`: every vendor and key under review, and what needs
//! action now.

use serde::Serialize;

use crate::date::Date;
use crate::diag::Diagnostic;
use crate::evaluate::Assessment;
use crate::level::Level;
use crate::manifest::Manifest;
use crate::rules::{Permission, Policy, Verdict};

/// How far ahead "due soon" looks.
pub const DUE_SOON_DAYS: i64 = 30;

/// One vendor in the register.
#[derive(Clone, Debug, Serialize)]
pub struct Entry {
    /// Manifest file.
    pub file: String,
    /// Vendor.
    pub vendor: String,
    /// Integration purpose.
    pub integration: String,
    /// Verdict.
    pub verdict: Verdict,
    /// Verdict as words.
    pub verdict_label: &'static str,
    /// Tier.
    pub tier: Level,
    /// Score.
    pub score: f64,
    /// Confidence.
    pub confidence: f64,
    /// Assessed on.
    pub assessed: Date,
    /// Next review due.
    pub review_due: Date,
}

/// What kind of thing there is to do. Declared in the order of their
/// names, which is the order actions of the same due date are listed in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ActionKind {
    /// A key holds permissions beyond what may be granted.
    ExcessPermissions,
    /// The reassessment is due.
    Review,
    /// A live key of a vendor that is not approved.
    RevokeKey,
    /// A key is due for rotation.
    RotateKey,
    /// All evidence for an answer is stale or expired.
    StaleEvidence,
    /// A waiver expires.
    Waiver,
    /// A live key was never verified with the exchange, or too long ago.
    VerifyKey,
    /// A key changed on the exchange between two verifications.
    KeyDrift,
}

/// Something to do.
#[derive(Clone, Debug, Serialize)]
pub struct Action {
    /// What kind of thing.
    pub kind: ActionKind,
    /// Vendor.
    pub vendor: String,
    /// Manifest file.
    pub file: String,
    /// What, in one line.
    pub detail: String,
    /// When it is or was due.
    pub due: Option<Date>,
    /// Whether it is already late.
    pub overdue: bool,
}

/// A manifest that could not be read.
#[derive(Clone, Debug, Serialize)]
pub struct Invalid {
    /// File.
    pub file: String,
    /// Why.
    pub diagnostics: Vec<Diagnostic>,
}

/// The portfolio report.
#[derive(Clone, Debug, Serialize)]
pub struct Portfolio {
    /// As-of date.
    pub as_of: Date,
    /// Vendors, by file name.
    pub entries: Vec<Entry>,
    /// Counts by tier (low, medium, high, critical).
    pub by_tier: Vec<(Level, usize)>,
    /// Counts by verdict.
    pub by_verdict: Vec<(Verdict, usize)>,
    /// What needs action, overdue first, then by due date.
    pub actions: Vec<Action>,
    /// Manifests that could not be assessed.
    pub invalid: Vec<Invalid>,
}

impl crate::report::Render for Portfolio {
    const TEMPLATE: &'static str = "portfolio.md.j2";

    fn title(&self) -> String {
        "Vendor portfolio".to_string()
    }

    fn charts(&self, _policy: &Policy) -> Vec<String> {
        vec![crate::report::chart::portfolio(self)]
    }
}

impl Portfolio {
    /// Whether any action is overdue.
    pub fn has_overdue(&self) -> bool {
        self.actions.iter().any(|a| a.overdue)
    }
}

/// What the portfolio keeps of one assessed manifest: its register entry
/// and its actions. Everything else is dropped as soon as it is computed, so
/// memory stays flat however many manifests there are.
#[derive(Clone, Debug)]
pub struct Item {
    /// The register entry.
    pub entry: Entry,
    /// What needs doing.
    pub actions: Vec<Action>,
}

/// Summarises one assessed manifest.
pub fn summarise(file: &str, m: &Manifest, a: &Assessment, policy: &Policy, as_of: Date) -> Item {
    let soon = as_of.plus_days(DUE_SOON_DAYS);
    let vendor = m.vendor.name.clone();
    let mut actions = Vec::new();
    let mut act = |kind, detail: String, due: Option<Date>| {
        actions.push(Action {
            kind,
            vendor: vendor.clone(),
            file: file.to_string(),
            detail,
            due,
            overdue: due.is_some_and(|d| d < as_of),
        });
    };
    if a.next_review <= soon {
        act(
            ActionKind::Review,
            format!("reassessment due (tier {})", a.tier),
            Some(a.next_review),
        );
    }
    for k in &a.key_policy.keys {
        if k.action == crate::evaluate::KeyAction::RevokeNow {
            act(
                ActionKind::RevokeKey,
                format!(
                    "revoke key {} on {}: the vendor is not approved ({})",
                    k.label,
                    k.exchange,
                    a.verdict.label()
                ),
                Some(as_of),
            );
        }
        if let Some(due) = k.rotate_by.filter(|d| *d <= soon) {
            act(
                ActionKind::RotateKey,
                format!("rotate key {} on {}", k.label, k.exchange),
                Some(due),
            );
        }
        if let Some(key) = m
            .integration
            .keys
            .iter()
            .find(|x| x.label == k.label && x.status == crate::manifest::KeyState::Live)
            .filter(|x| crate::key::Exchange::from_name(&x.exchange).is_some())
        {
            let last = key.observed.as_ref().and_then(|o| o.observed_date());
            let due = last.map_or(as_of, |d| d.plus_days(policy.key_policy.verify_days));
            if due <= soon {
                act(
                    ActionKind::VerifyKey,
                    match last {
                        Some(d) => format!(
                            "verify key {} on {} with the exchange (vetted key verify; last on {d})",
                            k.label, k.exchange
                        ),
                        None => format!(
                            "verify key {} on {} with the exchange (vetted key verify; never verified)",
                            k.label, k.exchange
                        ),
                    },
                    Some(due),
                );
            }
            if let Some(d) = crate::key::record::drift(key) {
                act(
                    ActionKind::KeyDrift,
                    format!(
                        "key {} on {} changed: {}",
                        k.label,
                        k.exchange,
                        d.describe()
                    ),
                    None,
                );
            }
        }
        if !k.excess.is_empty() {
            let names: Vec<&str> = k.excess.iter().map(|p: &Permission| p.as_str()).collect();
            act(
                ActionKind::ExcessPermissions,
                format!(
                    "key {} on {} holds {} beyond what the integration may be granted",
                    k.label,
                    k.exchange,
                    names.join(", ")
                ),
                None,
            );
        }
    }
    for (id, answer) in &m.answers {
        let stale = !answer.evidence.is_empty()
            && answer.evidence.iter().all(|e| {
                crate::evaluate::freshness(e, policy, as_of) != crate::evaluate::Freshness::Current
            });
        if stale {
            act(
                ActionKind::StaleEvidence,
                format!("evidence for {id} is stale or expired"),
                None,
            );
        }
    }
    for w in &a.waivers {
        if let Some(e) = w.expires.filter(|e| *e <= soon) {
            act(
                ActionKind::Waiver,
                format!("waiver on {} expires", w.target),
                Some(e),
            );
        }
    }
    let entry = Entry {
        file: file.to_string(),
        vendor: m.vendor.name.clone(),
        integration: m.integration.purpose.clone(),
        verdict: a.verdict,
        verdict_label: a.verdict.label(),
        tier: a.tier,
        score: crate::report::round(a.score, 1),
        confidence: crate::report::round(a.confidence, 1),
        assessed: m.assessment.date,
        review_due: a.next_review,
    };
    Item { entry, actions }
}

/// Builds the portfolio from summarised manifests and the ones that failed.
pub fn build(items: Vec<Item>, mut invalid: Vec<Invalid>, as_of: Date) -> Portfolio {
    let mut entries = Vec::with_capacity(items.len());
    let mut actions = Vec::new();
    for item in items {
        entries.push(item.entry);
        actions.extend(item.actions);
    }
    entries.sort_by(|a, b| a.file.cmp(&b.file));
    invalid.sort_by(|a, b| a.file.cmp(&b.file));
    actions.sort_by(|a, b| {
        b.overdue
            .cmp(&a.overdue)
            .then_with(|| a.due.cmp(&b.due))
            .then_with(|| a.file.cmp(&b.file))
            .then_with(|| a.kind.cmp(&b.kind))
            .then_with(|| a.detail.cmp(&b.detail))
    });
    let by_tier = Level::ALL
        .iter()
        .map(|&l| (l, entries.iter().filter(|e| e.tier == l).count()))
        .collect();
    let by_verdict = Verdict::ALL
        .iter()
        .map(|&v| (v, entries.iter().filter(|e| e.verdict == v).count()))
        .collect();
    Portfolio {
        as_of,
        entries,
        by_tier,
        by_verdict,
        actions,
        invalid,
    }
}

/// Every `*.yaml`/`*.yml` file under `dir`, recursively, sorted. Hidden
/// directories (`.git`) and symlinked directories are skipped; symlinked
/// files are read.
pub fn manifest_files(dir: &std::path::Path) -> std::io::Result<Vec<std::path::PathBuf>> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d)? {
            let entry = entry?;
            let path = entry.path();
            let hidden = path
                .file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with('.'));
            if hidden {
                continue;
            }
            // Symlinked directories are not followed: a link back to a
            // parent would list every vendor again (or forever).
            if entry.file_type()?.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|x| x == "yaml" || x == "yml") {
                out.push(path);
            }
        }
    }
    out.sort();
    Ok(out)
}
