//! `vetted portfolio`: every vendor and key under review, and what needs
//! action now.

mod parallel;
mod providers;
mod records;

pub use crate::codec::{Corrupt, Record, from_bytes, to_bytes};
pub use parallel::in_order;
pub use records::{Iter, RecordWriter, Records, Sorter};

/// How many actions are sorted in memory before they are spilled (for
/// tests that mean to go past it).
pub fn records_run_len() -> usize {
    records::RUN_RECORDS
}

use std::sync::atomic::AtomicUsize;
use std::sync::atomic::Ordering::Relaxed;

use serde::Serialize;

use crate::date::Date;
use crate::diag::Diagnostic;
use crate::evaluate::Assessment;
use crate::evaluate::documents::DocumentState;
use crate::level::Level;
use crate::manifest::{DocumentKind, Manifest, ProviderRole};
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
    /// Why, in one sentence.
    pub verdict_reason: String,
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
    /// A key changed on the exchange between two verifications.
    KeyDrift,
    /// A provider the vendor depends on is rejected or overdue for review.
    ProviderRisk,
    /// A report, certificate or agreement has run out or soon will.
    RenewDocument,
    /// The reassessment is due.
    Review,
    /// A live key of a vendor that is not approved.
    RevokeKey,
    /// A key is due for rotation.
    RotateKey,
    /// All evidence for an answer is stale or expired.
    StaleEvidence,
    /// A live key was never verified with the exchange, or too long ago.
    VerifyKey,
    /// A waiver expires.
    Waiver,
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

/// A vendor's document that has run out, or will within
/// [`EXPIRING_WITHIN_DAYS`](crate::evaluate::documents::EXPIRING_WITHIN_DAYS)
/// days.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct DueDocument {
    /// Vendor.
    pub vendor: String,
    /// Manifest file.
    pub file: String,
    /// What it is.
    pub kind: DocumentKind,
    /// What a reader calls it.
    pub label: &'static str,
    /// Its title, if given.
    pub title: Option<String>,
    /// Where it is.
    pub url: String,
    /// The last day it counts.
    pub valid_until: Date,
    /// Days from the as-of date to that day (negative once expired).
    pub days_left: i64,
    /// Whether it has run out.
    pub expired: bool,
}

/// A provider one vendor names as critical.
#[derive(Clone, Debug, PartialEq)]
pub struct Dependency {
    /// The vendor that depends on it.
    pub vendor: String,
    /// That vendor's manifest.
    pub file: String,
    /// That vendor's verdict.
    pub verdict: Verdict,
    /// The provider's name as the vendor gives it.
    pub provider: String,
    /// What the vendor relies on it for.
    pub role: ProviderRole,
    /// The provider's own manifest, as the register names files, when the
    /// vendor's manifest points at it.
    pub manifest: Option<String>,
}

impl Dependency {
    /// How the provider is looked up in the register: by its manifest when
    /// named, otherwise by its name, compared without case.
    pub(crate) fn key(&self) -> String {
        match &self.manifest {
            Some(m) => format!("file:{m}"),
            None => format!("name:{}", name_key(&self.provider)),
        }
    }
}

fn name_key(name: &str) -> String {
    name.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

/// A provider assessed in this portfolio, as its own register entry says.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ProviderStatus {
    /// Its manifest.
    pub file: String,
    /// Its name there.
    pub vendor: String,
    /// Its verdict (the worst, if several of its manifests match).
    pub verdict: Verdict,
    /// The verdict as words.
    pub verdict_label: &'static str,
    /// Why, in one sentence.
    pub verdict_reason: String,
    /// Its next review.
    pub review_due: Date,
    /// Whether that review is past.
    pub overdue: bool,
}

/// One provider and the vendors that depend on it: concentration.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ProviderRow {
    /// Its name (from its own manifest when assessed here).
    pub provider: String,
    /// What vendors rely on it for.
    pub roles: Vec<ProviderRole>,
    /// Vendors that name it.
    pub dependents: usize,
    /// Of those, vendors approved (with or without conditions): how much
    /// of what you allowed rests on it.
    pub approved_dependents: usize,
    /// Its own assessment in this portfolio, if any.
    pub assessed: Option<ProviderStatus>,
}

/// A provider's reject or overdue review, carried to a vendor that
/// depends on it.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Carried {
    /// The vendor that depends on the provider.
    pub vendor: String,
    /// Its manifest.
    pub file: String,
    /// The provider.
    pub provider: String,
    /// What the vendor relies on it for.
    pub role: ProviderRole,
    /// The provider's manifest.
    pub provider_file: String,
    /// What is wrong with the provider, in one line.
    pub problem: String,
}

/// The portfolio report. Its lists are [`Records`]: written as the
/// manifests are assessed, kept in memory while short and in temporary
/// files beyond that, and read back as the report is written, so memory
/// does not grow with the number of manifests.
#[derive(Clone, Debug, Serialize)]
pub struct Portfolio {
    /// As-of date.
    pub as_of: Date,
    /// Vendors, by file name.
    pub entries: Records<Entry>,
    /// Counts by tier (low, medium, high, critical).
    pub by_tier: Vec<(Level, usize)>,
    /// Counts by verdict.
    pub by_verdict: Vec<(Verdict, usize)>,
    /// What needs action, overdue first, then by due date.
    pub actions: Records<Action>,
    /// Documents expired or ending within 60 days, soonest first.
    pub documents: Records<DueDocument>,
    /// The vendors' critical providers, those most approved vendors rest on
    /// first.
    pub providers: Vec<ProviderRow>,
    /// Providers' rejects and overdue reviews, carried to the vendors that
    /// depend on them, by vendor manifest.
    pub carried: Records<Carried>,
    /// Manifests that could not be assessed.
    pub invalid: Records<Invalid>,
    /// Actions already late.
    #[serde(skip)]
    overdue: usize,
    /// Diagnostics of the invalid manifests, all told.
    #[serde(skip)]
    diagnostics: usize,
}

impl crate::report::Render for Portfolio {
    const TEMPLATE: &'static str = "portfolio.md.j2";

    fn title(&self) -> String {
        "Vendor portfolio".to_string()
    }

    fn charts(&self, _policy: &Policy) -> Vec<String> {
        vec![crate::report::chart::portfolio(self)]
    }

    fn rows(&self) -> usize {
        self.entries.len()
            + self.actions.len()
            + self.documents.len()
            + self.providers.len()
            + self.carried.len()
            + self.invalid.len()
            + self.diagnostics
    }
}

impl Portfolio {
    /// Whether any action is overdue.
    pub fn has_overdue(&self) -> bool {
        self.overdue > 0
    }

    /// How many actions are overdue.
    pub fn overdue(&self) -> usize {
        self.overdue
    }
}

/// How actions are listed: overdue first, then by due date (actions
/// without one before those with one), file, kind and detail.
fn action_order(a: &Action, b: &Action) -> std::cmp::Ordering {
    b.overdue
        .cmp(&a.overdue)
        .then_with(|| a.due.cmp(&b.due))
        .then_with(|| a.file.cmp(&b.file))
        .then_with(|| a.kind.cmp(&b.kind))
        .then_with(|| a.detail.cmp(&b.detail))
}

/// How due documents are listed: soonest to end first, then by manifest.
fn document_order(a: &DueDocument, b: &DueDocument) -> std::cmp::Ordering {
    a.valid_until
        .cmp(&b.valid_until)
        .then_with(|| a.file.cmp(&b.file))
        .then_with(|| a.kind.cmp(&b.kind))
        .then_with(|| a.url.cmp(&b.url))
        .then_with(|| a.title.cmp(&b.title))
        .then_with(|| a.vendor.cmp(&b.vendor))
}

/// What became of one manifest: its summary, or why it has none.
pub type Outcome = Result<Item, Invalid>;

/// Builds a [`Portfolio`] one manifest at a time, keeping in memory only
/// counts and bounded buffers.
pub struct Builder {
    as_of: Date,
    entries: RecordWriter<Entry>,
    actions: Sorter<Action>,
    documents: Sorter<DueDocument>,
    dependencies: RecordWriter<Dependency>,
    providers: providers::Providers,
    invalid: RecordWriter<Invalid>,
    by_tier: [usize; 4],
    by_verdict: [usize; 4],
    overdue: usize,
    diagnostics: usize,
}

impl Builder {
    /// An empty portfolio as of `as_of`.
    pub fn new(as_of: Date) -> Builder {
        Builder {
            as_of,
            entries: RecordWriter::new(),
            actions: Sorter::new(action_order),
            documents: Sorter::new(document_order),
            dependencies: RecordWriter::new(),
            providers: providers::Providers::default(),
            invalid: RecordWriter::new(),
            by_tier: [0; 4],
            by_verdict: [0; 4],
            overdue: 0,
            diagnostics: 0,
        }
    }

    /// Adds one manifest's outcome. Outcomes must come in the order of
    /// their file names, which is the order the register lists them in.
    pub fn push(&mut self, outcome: Outcome) -> std::io::Result<()> {
        match outcome {
            Ok(item) => {
                let e = &item.entry;
                self.by_tier[Level::ALL.iter().position(|l| *l == e.tier).unwrap_or(0)] += 1;
                self.by_verdict[Verdict::ALL
                    .iter()
                    .position(|v| *v == e.verdict)
                    .unwrap_or(0)] += 1;
                self.entries.push(e)?;
                for a in item.actions {
                    self.overdue += usize::from(a.overdue);
                    self.actions.push(a)?;
                }
                for d in item.documents {
                    self.documents.push(d)?;
                }
                for d in &item.providers {
                    self.providers.add(d);
                    self.dependencies.push(d)?;
                }
            }
            Err(invalid) => {
                self.diagnostics += invalid.diagnostics.len();
                self.invalid.push(&invalid)?;
            }
        }
        Ok(())
    }

    /// The portfolio. Providers are matched to their own register entries
    /// once every entry is written, since a provider's manifest may sort
    /// after the vendors that depend on it; what that finds is carried to
    /// each dependent vendor in a second read of the dependencies.
    pub fn finish(mut self) -> std::io::Result<Portfolio> {
        let entries = self.entries.finish()?;
        for e in entries.iter() {
            self.providers.match_entry(&e?, self.as_of);
        }
        let mut carried = RecordWriter::new();
        // A vendor naming one provider twice (custody and key management
        // from one MPC service) carries its risk once: its dependencies
        // come one after another.
        let mut last: Option<(String, String)> = None;
        for d in self.dependencies.finish()?.iter() {
            let d = d?;
            let this = Some((d.file.clone(), d.key()));
            if this == last {
                continue;
            }
            last = this;
            if let Some((c, due)) = self.providers.carried(&d, self.as_of) {
                let overdue = due < self.as_of;
                self.overdue += usize::from(overdue);
                self.actions.push(Action {
                    kind: ActionKind::ProviderRisk,
                    vendor: c.vendor.clone(),
                    file: c.file.clone(),
                    detail: format!("{} ({}): {}", c.provider, c.role.as_str(), c.problem),
                    due: Some(due),
                    overdue,
                })?;
                carried.push(&c)?;
            }
        }
        Ok(Portfolio {
            as_of: self.as_of,
            entries,
            by_tier: Level::ALL.into_iter().zip(self.by_tier).collect(),
            by_verdict: Verdict::ALL.into_iter().zip(self.by_verdict).collect(),
            actions: self.actions.finish()?,
            documents: self.documents.finish()?,
            providers: self.providers.rows(),
            carried: carried.finish()?,
            invalid: self.invalid.finish()?,
            overdue: self.overdue,
            diagnostics: self.diagnostics,
        })
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
    /// Documents expired or ending soon.
    pub documents: Vec<DueDocument>,
    /// The providers it names.
    pub providers: Vec<Dependency>,
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
            // An approved vendor's key is revoked for what the key holds,
            // not for the vendor.
            let why = if a.verdict.grants() {
                format!(
                    "it holds {}, which the policy never grants",
                    k.excess
                        .iter()
                        .filter(|p| policy.key_policy.never_grant.contains(p))
                        .map(|p| p.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            } else {
                format!(
                    "the vendor is not approved ({}: {})",
                    a.verdict.label(),
                    a.verdict_reason
                )
            };
            act(
                ActionKind::RevokeKey,
                format!("revoke key {} on {}: {why}", k.label, k.exchange),
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
    let documents = due_documents(file, m, as_of);
    for d in &documents {
        let title = d
            .title
            .as_deref()
            .map(|t| format!(" ({t})"))
            .unwrap_or_default();
        act(
            ActionKind::RenewDocument,
            format!(
                "ask for the current {}{title}: it counts until {}",
                d.label, d.valid_until
            ),
            Some(d.valid_until),
        );
    }
    let providers = m
        .vendor
        .providers
        .iter()
        .map(|p| Dependency {
            vendor: vendor.clone(),
            file: file.to_string(),
            verdict: a.verdict,
            provider: p.name.clone(),
            role: p.role,
            manifest: p.manifest.as_deref().map(|path| beside(file, path)),
        })
        .collect();
    let entry = Entry {
        file: file.to_string(),
        vendor: m.vendor.name.clone(),
        integration: m.integration.purpose.clone(),
        verdict: a.verdict,
        verdict_label: a.verdict.label(),
        verdict_reason: a.verdict_reason.clone(),
        tier: a.tier,
        score: crate::report::round(a.score, 1),
        confidence: crate::report::round(a.confidence, 1),
        assessed: m.assessment.date,
        review_due: a.next_review,
    };
    Item {
        entry,
        actions,
        documents,
        providers,
    }
}

/// The documents of a manifest that have run out or end within 60 days.
fn due_documents(file: &str, m: &Manifest, as_of: Date) -> Vec<DueDocument> {
    crate::evaluate::documents::statuses(m, as_of)
        .into_iter()
        .filter(|d| matches!(d.state, DocumentState::Expired | DocumentState::Expiring))
        .filter_map(|d| {
            Some(DueDocument {
                vendor: m.vendor.name.clone(),
                file: file.to_string(),
                kind: d.kind,
                label: d.label,
                title: d.title,
                url: d.url,
                valid_until: d.valid_until?,
                days_left: d.days_left?,
                expired: d.state == DocumentState::Expired,
            })
        })
        .collect()
}

/// A path written in the manifest `file`, relative to it, as the register
/// names files once [`tidy`]: joined to the manifest's folder.
fn beside(file: &str, path: &str) -> String {
    let folder = std::path::Path::new(file)
        .parent()
        .unwrap_or(std::path::Path::new(""));
    tidy(&folder.join(path))
}

/// A path with `.` and `..` worked out on the names alone (the file need
/// not exist), so that `./vendors/a.yaml` and `vendors/x/../a.yaml` name
/// the same manifest.
pub(crate) fn tidy(path: &std::path::Path) -> String {
    use std::path::{Component, PathBuf};
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir
                if matches!(out.components().next_back(), Some(Component::Normal(_))) =>
            {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out.display().to_string()
}

/// Builds the portfolio from summarised manifests and the ones that failed,
/// in any order.
pub fn build(items: Vec<Item>, invalid: Vec<Invalid>, as_of: Date) -> std::io::Result<Portfolio> {
    let mut all: Vec<Outcome> = items
        .into_iter()
        .map(Ok)
        .chain(invalid.into_iter().map(Err))
        .collect();
    // Stable: manifests of the same name keep their order.
    all.sort_by(|a, b| outcome_file(a).cmp(outcome_file(b)));
    let mut b = Builder::new(as_of);
    for outcome in all {
        b.push(outcome)?;
    }
    b.finish()
}

/// The file an outcome is about.
pub fn outcome_file(o: &Outcome) -> &str {
    match o {
        Ok(item) => &item.entry.file,
        Err(invalid) => &invalid.file,
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

/// Sorts paths by their names as shown (which is how the register lists
/// them), then by path where two names show alike.
pub fn sort_by_name(paths: &mut [std::path::PathBuf]) {
    paths.sort_by(|a, b| {
        // No allocation for the usual UTF-8 names.
        let names = match (a.to_str(), b.to_str()) {
            (Some(x), Some(y)) => x.cmp(y),
            _ => a.display().to_string().cmp(&b.display().to_string()),
        };
        names.then_with(|| a.cmp(b))
    });
}

/// The version of what the cache holds for a portfolio manifest (the
/// encoding in `codec.rs`, and what `summarise` puts in it): raised when
/// either changes. (A rebuilt binary never reads an older one's entries
/// anyway; this keeps library users with a fixed build id safe too.)
const CACHED_OUTCOME: &str = "portfolio outcome 4";

/// What a cached portfolio outcome depends on besides the manifest: the
/// checklists (their names and bytes), the policy (as loaded), the as-of
/// date, and the build of `vetted` the cache was opened for.
pub fn cache_scope(
    cache: &crate::cache::Cache,
    catalog: &crate::checklist::Catalog,
    policy: &Policy,
    as_of: Date,
) -> crate::cache::Scope {
    cache.scope(&[
        CACHED_OUTCOME.as_bytes(),
        &catalog.fingerprint(),
        &crate::cache::policy_fingerprint(policy),
        as_of.to_string().as_bytes(),
    ])
}

/// Counts of what the cache did, shared by the assessing threads.
#[derive(Debug, Default)]
pub struct CacheCounts {
    hits: AtomicUsize,
    misses: AtomicUsize,
    refused: AtomicUsize,
    not_written: AtomicUsize,
}

impl CacheCounts {
    /// The counts so far.
    pub fn get(&self) -> crate::cache::Stats {
        let get = |c: &AtomicUsize| c.load(Relaxed);
        crate::cache::Stats {
            hits: get(&self.hits),
            misses: get(&self.misses),
            refused: get(&self.refused),
            not_written: get(&self.not_written),
        }
    }
}

/// The outcome of the manifest `bytes` named `file`: from the cache if it
/// holds a valid entry for it, else from `evaluate`, then stored, unless
/// the manifest holds (or may hold) a secret.
pub fn cached(
    cache: &crate::cache::Cache,
    scope: &crate::cache::Scope,
    file: &str,
    bytes: Vec<u8>,
    counts: &CacheCounts,
    evaluate: impl FnOnce(Vec<u8>) -> Outcome,
) -> Outcome {
    let key = scope.key(file, &bytes);
    match cache
        .get(&key)
        .map(|v| v.map(|v| from_bytes::<Outcome>(&v)))
    {
        Ok(Some(Ok(outcome))) => {
            counts.hits.fetch_add(1, Relaxed);
            return outcome;
        }
        // An entry whose checksum holds but whose value does not decode
        // is as foreign as one whose checksum fails.
        Ok(Some(Err(_))) | Err(_) => {
            counts.refused.fetch_add(1, Relaxed);
        }
        Ok(None) => {}
    }
    counts.misses.fetch_add(1, Relaxed);
    // A manifest that fails to load is kept only if the credential guard
    // read it and found nothing: its diagnostics may quote it.
    let copy = bytes.clone();
    let outcome = evaluate(bytes);
    let keep = outcome.is_ok() || guard_passes(file, copy);
    if !keep || cache.put(&key, &to_bytes(&outcome)).is_err() {
        counts.not_written.fetch_add(1, Relaxed);
    }
    outcome
}

/// Whether `bytes` parse as YAML and the credential guard finds nothing in
/// them. A manifest that loads has passed the guard (its refusals are
/// errors); one that does not may have failed before the guard ran.
pub fn guard_passes(file: &str, bytes: Vec<u8>) -> bool {
    let limits = crate::yaml::Limits::default();
    // The guard reads the comments too: it needs the text with the tree.
    crate::yaml::decode(file, bytes, &limits)
        .and_then(|text| crate::yaml::parse(file, &text, &limits).map(|root| (text, root)))
        .is_ok_and(|(text, root)| crate::manifest::guard::check(file, &text, &root).is_empty())
}

#[cfg(test)]
mod tests {
    use super::beside;

    #[test]
    fn a_provider_s_manifest_is_named_as_the_register_names_files() {
        assert_eq!(beside("vendors/a.yaml", "b.yaml"), "vendors/b.yaml");
        assert_eq!(beside("vendors/a.yaml", "./b.yaml"), "vendors/b.yaml");
        assert_eq!(
            beside("vendors/saas/a.yaml", "../providers/granite.yaml"),
            "vendors/providers/granite.yaml"
        );
        assert_eq!(beside("a.yaml", "b.yaml"), "b.yaml");
        // Above the folder the names cannot say where it is: kept as is.
        assert_eq!(beside("a.yaml", "../b.yaml"), "../b.yaml");
        assert_eq!(beside("/srv/v/a.yaml", "/srv/p/b.yaml"), "/srv/p/b.yaml");
    }
}
