//! Scope: which questions an evaluation asks, and what the vendor holds.

use crate::checklist::{Area, Catalog, Checklist, Condition, Question};
use crate::manifest::{Connection, Hosting, Manifest};
use crate::rules::Permission;

/// A question in the scope of one evaluation.
pub(super) struct InScope<'c> {
    pub checklist: &'c Checklist,
    pub area: &'c Area,
    pub question: &'c Question,
    /// Its index among the catalog's question ids, which is where its
    /// answer sits in an expression context.
    pub index: usize,
    /// Its applicability condition.
    pub condition: Option<Condition<'c>>,
}

/// Every question of the manifest's checklists, in checklist order.
pub(super) fn scope<'c>(manifest: &Manifest, catalog: &'c Catalog) -> Vec<InScope<'c>> {
    manifest
        .integration
        .checklists
        .iter()
        .filter_map(|id| catalog.get(id))
        .flat_map(|l| {
            l.checklist.areas.iter().flat_map(move |a| {
                a.questions.iter().filter_map(move |q| {
                    Some(InScope {
                        checklist: &l.checklist,
                        area: a,
                        question: q,
                        // Every question of a catalog has an index.
                        index: catalog.question_index(&q.id)?,
                        condition: catalog.condition(&q.id),
                    })
                })
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
    /// Reads the integration.
    pub fn of(m: &Manifest) -> Holding {
        let i = &m.integration;
        let exchange_keys = !i.keys.is_empty()
            || i.connection.is_some()
            || i.checklists.iter().any(|c| c == "exchange-keys")
            || i.permissions
                .iter()
                .any(|p| p.moves_funds() && *p != Permission::Admin);
        // Manifests written before `hosting` existed said so through the
        // custody answer; an explicit `hosting` wins.
        let self_hosted = match i.hosting {
            Some(h) => h == Hosting::SelfHosted,
            None => m
                .answers
                .get("key_storage.custody")
                .is_some_and(|a| a.value.as_choice() == Some("user-hosted")),
        };
        Holding {
            exchange_keys,
            self_hosted,
            vendor_holds_keys: exchange_keys && !self_hosted,
            vendor_holds: !self_hosted || !i.data_classes.is_empty(),
            connection: i.connection.unwrap_or(Connection::ApiKey),
        }
    }
}
