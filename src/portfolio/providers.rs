//! Fourth parties across a portfolio: which providers the vendors name,
//! how many approved vendors rest on each, and which providers are
//! themselves rejected or overdue for review here.
//!
//! What is kept in memory is one record per distinct provider, not per
//! vendor: the dependencies themselves are written to disk with the other
//! lists and read back once, after every register entry is known.

use std::collections::{BTreeMap, BTreeSet};

use crate::date::Date;
use crate::manifest::ProviderRole;
use crate::rules::Verdict;

use super::{Carried, Dependency, Entry, ProviderRow, ProviderStatus, name_key};

/// One provider as the dependencies name it (by one lookup key).
#[derive(Debug)]
struct Named {
    /// The name the first dependency gave.
    name: String,
    roles: BTreeSet<ProviderRole>,
    /// The manifest of the last vendor counted: a vendor naming the
    /// provider twice (for two roles) counts once.
    last_file: String,
    dependents: usize,
    approved: usize,
    assessed: Option<ProviderStatus>,
    /// Register entries that matched (by name, several can).
    matches: usize,
}

/// The providers named so far, by lookup key (`file:PATH` or `name:NAME`).
#[derive(Debug, Default)]
pub struct Providers {
    by_key: BTreeMap<String, Named>,
}

impl Providers {
    /// Counts one vendor's dependency.
    pub fn add(&mut self, d: &Dependency) {
        let p = self.by_key.entry(d.key()).or_insert_with(|| Named {
            name: d.provider.clone(),
            roles: BTreeSet::new(),
            last_file: String::new(),
            dependents: 0,
            approved: 0,
            assessed: None,
            matches: 0,
        });
        p.roles.insert(d.role);
        if p.last_file != d.file {
            p.last_file.clone_from(&d.file);
            p.dependents += 1;
            p.approved += usize::from(matches!(d.verdict, Verdict::Approve | Verdict::Conditions));
        }
    }

    /// Reads one register entry: if a dependency names it (by its manifest
    /// or by its vendor's name), that provider is assessed here. Of several
    /// matching entries the worst verdict counts, and the earliest review.
    pub fn match_entry(&mut self, e: &Entry, as_of: Date) {
        if self.by_key.is_empty() {
            return;
        }
        let file = super::tidy(std::path::Path::new(&e.file));
        for key in [
            format!("file:{file}"),
            format!("name:{}", name_key(&e.vendor)),
        ] {
            let Some(p) = self.by_key.get_mut(&key) else {
                continue;
            };
            p.matches += 1;
            let worse = p.assessed.as_ref().is_none_or(|s| {
                (e.verdict, std::cmp::Reverse(e.review_due))
                    > (s.verdict, std::cmp::Reverse(s.review_due))
            });
            if worse {
                p.assessed = Some(ProviderStatus {
                    file: e.file.clone(),
                    vendor: e.vendor.clone(),
                    verdict: e.verdict,
                    verdict_label: e.verdict.label(),
                    verdict_reason: e.verdict_reason.clone(),
                    review_due: e.review_due,
                    overdue: e.review_due < as_of,
                });
            }
        }
    }

    /// What a dependency inherits from its provider's own assessment: a
    /// reject (due on the as-of date, as revoking a rejected vendor's key
    /// is) or an overdue review (due when the review was), with the date
    /// it is due.
    /// A provider named without its manifest is carried only when one
    /// register entry has that name: two vendors of one name are not
    /// known to be the same company.
    pub fn carried(&self, d: &Dependency, as_of: Date) -> Option<(Carried, Date)> {
        let p = self.by_key.get(&d.key())?;
        if d.manifest.is_none() && p.matches > 1 {
            return None;
        }
        let s = p.assessed.as_ref()?;
        let (problem, due) = if s.verdict == Verdict::Reject {
            (
                format!(
                    "the provider's own assessment ({}) rejects it: {}",
                    s.file, s.verdict_reason
                ),
                as_of,
            )
        } else if s.overdue {
            (
                format!(
                    "the provider's own review ({}) was due on {}",
                    s.file, s.review_due
                ),
                s.review_due,
            )
        } else {
            return None;
        };
        Some((
            Carried {
                vendor: d.vendor.clone(),
                file: d.file.clone(),
                provider: d.provider.clone(),
                role: d.role,
                provider_file: s.file.clone(),
                problem,
            },
            due,
        ))
    }

    /// One row per provider, those most approved vendors rest on first. A
    /// provider named by its manifest by some vendors and by its name by
    /// others is one row once both lead to the same register entry.
    pub fn rows(self) -> Vec<ProviderRow> {
        let mut merged: BTreeMap<String, ProviderRow> = BTreeMap::new();
        for (key, p) in self.by_key {
            let identity = p
                .assessed
                .as_ref()
                .map_or(key, |s| format!("file:{}", s.file));
            let row = merged.entry(identity).or_insert_with(|| ProviderRow {
                provider: p
                    .assessed
                    .as_ref()
                    .map_or(p.name.clone(), |s| s.vendor.clone()),
                roles: Vec::new(),
                dependents: 0,
                approved_dependents: 0,
                assessed: p.assessed.clone(),
            });
            row.roles.extend(p.roles);
            row.roles.sort();
            row.roles.dedup();
            row.dependents += p.dependents;
            row.approved_dependents += p.approved;
        }
        let mut rows: Vec<ProviderRow> = merged.into_values().collect();
        rows.sort_by(|a, b| {
            b.approved_dependents
                .cmp(&a.approved_dependents)
                .then_with(|| b.dependents.cmp(&a.dependents))
                .then_with(|| a.provider.cmp(&b.provider))
        });
        rows
    }
}
