//! Scope: which questions an evaluation asks, and what the vendor holds.

use crate::checklist::{Area, Catalog, Checklist, Condition, Covers, Question, QuestionId};
use crate::manifest::{Connection, Hosting, Manifest};
use crate::rules::Permission;

/// A question in the scope of one evaluation.
pub(super) struct InScope<'c> {
    pub checklist: &'c Checklist,
    pub area: &'c Area,
    pub question: &'c Question,
    /// Its id in the catalog; its index is where its answer sits in an
    /// expression context.
    pub id: QuestionId,
    /// Its applicability condition.
    pub condition: Option<Condition<'c>>,
}

/// Every question of the manifest's checklists, in checklist order. The
/// catalog has already looked up each question's id and condition.
pub(super) fn scope<'c>(manifest: &Manifest, catalog: &'c Catalog) -> Vec<InScope<'c>> {
    manifest
        .integration
        .checklists
        .iter()
        .filter_map(|id| Some((catalog.get(id)?, catalog.asked(id))))
        .flat_map(|(l, asked)| {
            asked.iter().map(move |a| {
                let area = &l.checklist.areas[a.area];
                InScope {
                    checklist: &l.checklist,
                    area,
                    question: &area.questions[a.question],
                    id: a.id,
                    condition: a.condition.map(|slot| catalog.condition_at(slot)),
                }
            })
        })
        .collect()
}

/// What the vendor holds: the facts that decide whether vendor-side
/// questions and rules apply at all.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Holding {
    /// Exchange keys are part of the integration.
    pub exchange_keys: bool,
    /// You run the software; the vendor receives no key.
    pub self_hosted: bool,
    /// The vendor holds exchange keys or tokens.
    pub vendor_holds_keys: bool,
    /// The vendor holds keys, data or control of anything of yours.
    pub vendor_holds: bool,
    /// How the vendor reaches the exchange.
    pub connection: Connection,
}

impl Holding {
    /// Reads the integration, and what its checklists say it covers.
    pub fn of(m: &Manifest, catalog: &Catalog) -> Holding {
        let i = &m.integration;
        let exchange_keys = !i.keys.is_empty()
            || i.connection.is_some()
            || i.checklists
                .iter()
                .filter_map(|c| catalog.get(c))
                .any(|l| l.checklist.covers.contains(&Covers::ExchangeKeys))
            || i.permissions
                .iter()
                .any(|p| p.moves_funds() && *p != Permission::Admin);
        // Loading has already read the custody answer of older manifests
        // into `hosting`.
        let self_hosted = i.hosting == Some(Hosting::SelfHosted);
        Holding {
            exchange_keys,
            self_hosted,
            // The exchange's own bot: no key leaves the exchange.
            vendor_holds_keys: exchange_keys
                && !self_hosted
                && i.connection != Some(Connection::Native),
            vendor_holds: !self_hosted || !i.data_classes.is_empty(),
            connection: i.connection.unwrap_or(Connection::ApiKey),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn manifest(checklists: &str) -> Manifest {
        let text = format!(
            "vendor: {{name: V}}\nintegration:\n  purpose: p\n  checklists: [{checklists}]\n  permissions: [read]\nassessment: {{assessor: a, date: 2026-11-01}}\n"
        );
        let catalog = Catalog::bundled().unwrap();
        crate::manifest::load("m.yaml", text.into_bytes(), &catalog)
            .unwrap()
            .manifest
    }

    #[test]
    fn a_checklist_that_covers_exchange_keys_says_the_vendor_holds_them() {
        // Read-only, no key described yet: only the checklist's `covers`
        // says that exchange keys are part of the integration.
        let catalog = Catalog::bundled().unwrap();
        let with = Holding::of(&manifest("baseline, exchange-keys"), &catalog);
        assert!(with.exchange_keys && with.vendor_holds_keys, "{with:?}");
        let without = Holding::of(&manifest("baseline"), &catalog);
        assert!(
            !without.exchange_keys && !without.vendor_holds_keys,
            "{without:?}"
        );
    }
}
