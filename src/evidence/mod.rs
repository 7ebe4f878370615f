//! Public evidence about a vendor: the parsers of what vendors publish about
//! their own security ([`security_txt`], [`security_insights`]), the HTTP
//! layer ([`fetch`]), the collectors ([`collect`]), and how collected facts
//! meet a manifest's answers ([`apply`], [`contradictions`]).
//!
//! Which fact answers which question is declared in the checklists
//! (`collect:` on a question), never here.

pub mod breaches;
pub mod collect;
pub mod dns;
pub mod domain;
pub mod fetch;
pub mod osv;
pub mod rdap;
pub mod security_insights;
pub mod security_txt;
pub mod tls;

use serde::Serialize;
use serde_json::Value as Json;

use crate::checklist::{Catalog, Question};
use crate::manifest::{Answer, AnswerValue, Collected, Evidence, Fact, Manifest, Provenance};

/// Everything there is to collect about `vendor`: plans the fetches, runs
/// them at most `concurrency` at once, and turns the answers into facts.
/// `as_of` judges expiry dates; `observed` (RFC 3339) stamps each fact.
/// Failures are recorded, never fatal.
pub async fn gather<F: fetch::Fetcher>(
    vendor: &crate::manifest::Vendor,
    fetcher: &F,
    sources: &collect::Sources,
    concurrency: usize,
    as_of: crate::date::Date,
    observed: &str,
    progress: &mut dyn collect::Progress,
) -> Collected {
    let (jobs, planned) = collect::plan(vendor, sources, observed);
    let results = collect::fetch_all(fetcher, jobs, concurrency, progress).await;
    let mut collected = collect::interpret(&results, as_of, observed);
    let fetched = std::mem::replace(&mut collected.failures, planned);
    collected.failures.extend(fetched);
    collect::add_transport(&mut collected);
    tls::add(
        &mut collected,
        &results,
        fetcher.handshakes(),
        as_of,
        observed,
    );
    outside_in(vendor, fetcher, sources, as_of, observed, &mut collected).await;
    if let (Some(resolver), Some(website)) = (&sources.dns, &vendor.website) {
        let found = dns::collect(resolver, website, observed).await;
        collected.facts.extend(found.facts);
        collected.failures.extend(found.failures);
    }
    withhold_secrets(&mut collected);
    collected
}

/// The registry (RDAP), then the breach list for the domain it settled on,
/// and OSV alongside them; their facts and failures join `into`.
async fn outside_in<F: fetch::Fetcher>(
    vendor: &crate::manifest::Vendor,
    fetcher: &F,
    sources: &collect::Sources,
    as_of: crate::date::Date,
    observed: &str,
    into: &mut Collected,
) {
    let registry = async {
        let (Some(website), Some(bootstrap)) = (&vendor.website, &sources.rdap_bootstrap) else {
            return Vec::new();
        };
        let allow = fetcher.allows_private_network();
        let cache = &sources.rdap_cache;
        let found = rdap::collect(fetcher, website, bootstrap, cache, allow, as_of, observed).await;
        let mut all = vec![found.collected];
        if let Some(api) = &sources.breaches_api {
            all.push(breaches::collect(fetcher, api, found.domain.as_deref(), observed).await);
        }
        all
    };
    let packages = async {
        match &sources.osv_api {
            Some(api) => osv::collect(fetcher, api, &vendor.packages, observed).await,
            None => Collected::default(),
        }
    };
    let (registry, packages) = tokio::join!(registry, packages);
    for c in registry.into_iter().chain([packages]) {
        into.facts.extend(c.facts);
        into.failures.extend(c.failures);
    }
}

/// Keeps anything shaped like a credential out of what is written into a
/// manifest. A vendor's page can hold a key (a token in a repository
/// description, a redirect to a URL with an API key); storing it would leak
/// it, and the write would rightly be refused by the credential guard. Such
/// a fact is dropped and recorded as a failure, and a failure's URL or
/// reason is withheld the same way, so one bad fact never costs the others.
pub fn withhold_secrets(collected: &mut Collected) {
    use crate::manifest::guard::looks_like_secret;
    const WITHHELD: &str = "(withheld: it looks like it carries a credential)";
    fn holds_secret(value: &Json) -> bool {
        match value {
            Json::String(s) => looks_like_secret(s).is_some(),
            Json::Array(items) => items.iter().any(holds_secret),
            Json::Object(map) => map
                .iter()
                .any(|(k, v)| looks_like_secret(k).is_some() || holds_secret(v)),
            _ => false,
        }
    }
    let secret = |s: &str| looks_like_secret(s).is_some();
    let names: Vec<String> = collected
        .facts
        .iter()
        .filter(|(_, f)| {
            holds_secret(&f.value) || secret(&f.url) || f.detail.as_deref().is_some_and(secret)
        })
        .map(|(name, _)| name.clone())
        .collect();
    for name in names {
        let Some(fact) = collected.facts.remove(&name) else {
            continue;
        };
        collected.failures.push(crate::manifest::Failure {
            collector: name.split('.').next().unwrap_or(&name).to_string(),
            url: fact.url,
            reason: format!(
                "the fact `{name}` looks like it holds a credential, so it was not stored"
            ),
            observed: fact.observed,
        });
    }
    for failure in &mut collected.failures {
        if secret(&failure.url) {
            failure.url = WITHHELD.to_string();
        }
        if secret(&failure.reason) {
            failure.reason = WITHHELD.to_string();
        }
    }
}

/// An answer `collect` wrote or would write.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Change {
    /// The question.
    pub question: String,
    /// The collected answer it had before, if any.
    pub before: Option<AnswerValue>,
    /// The answer now.
    pub after: AnswerValue,
    /// The fact behind it.
    pub fact: String,
}

/// A person's answer that a collected fact disagrees with.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Contradiction {
    /// The question.
    pub question: String,
    /// What the person answered.
    pub answer: AnswerValue,
    /// Where their answer came from.
    pub source: &'static str,
    /// The answer the fact gives.
    pub collected: AnswerValue,
    /// The fact's name.
    pub fact: String,
    /// The fact itself.
    pub evidence: Fact,
}

impl Contradiction {
    /// One line for a report or a terminal.
    pub fn describe(&self) -> String {
        let mut s = format!(
            "answered {} ({}), but collected {} = {} (observed {} at {}) means {}",
            show(&self.answer.to_json()),
            self.source,
            self.fact,
            show(&self.evidence.value),
            self.evidence.observed,
            self.evidence.url,
            show(&self.collected.to_json()),
        );
        if let Some(d) = &self.evidence.detail {
            s.push_str(&format!(": {d}"));
        }
        s
    }
}

fn show(v: &Json) -> String {
    match v {
        Json::String(s) => format!("`{}`", crate::diag::quote(s)),
        other => format!("`{}`", crate::diag::quote(&other.to_string())),
    }
}

/// What [`apply`] did.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Applied {
    /// Answers written from facts (new or changed).
    pub filled: Vec<Change>,
    /// Answers left alone because a person gave them, and a fact disagrees.
    pub contradictions: Vec<Contradiction>,
    /// The assessment's date, before and after, if observing moved it.
    pub redated: Option<(crate::date::Date, crate::date::Date)>,
}

/// The questions of the manifest's checklists that some fact can answer.
fn collectable<'a>(manifest: &Manifest, catalog: &'a Catalog) -> Vec<&'a Question> {
    manifest
        .integration
        .checklists
        .iter()
        .filter_map(|id| catalog.get(id))
        .flat_map(|l| l.checklist.areas.iter().flat_map(|a| a.questions.iter()))
        .filter(|q| !q.collect.is_empty())
        .collect()
}

/// Records `collected` in the manifest and fills the questions its facts
/// answer. A person's answer (any source but `collected`) is never
/// changed; where a fact disagrees with it, the disagreement is returned.
pub fn apply(manifest: &mut Manifest, catalog: &Catalog, collected: Collected) -> Applied {
    let mut out = Applied::default();
    let mut written = false;
    for q in collectable(manifest, catalog) {
        let Some(derived) = q.derive(&collected.facts) else {
            continue;
        };
        let fact = &collected.facts[derived.fact];
        let existing = manifest.answers.get(&q.id);
        if let Some(a) = existing
            && a.source != Provenance::Collected
        {
            if let Some(c) = contradiction(q, a, &collected) {
                out.contradictions.push(c);
            }
            continue;
        }
        let before = existing.map(|a| a.value.clone());
        if before.as_ref().is_none_or(|b| !b.same(&derived.answer)) {
            out.filled.push(Change {
                question: q.id.clone(),
                before,
                after: derived.answer.clone(),
                fact: derived.fact.to_string(),
            });
        }
        let note = format!("collected: {} = {}", derived.fact, fact.value);
        let evidence = Evidence {
            url: fact.url.clone(),
            observed: fact.observed_date().unwrap_or(manifest.assessment.date),
            expires: None,
            note: Some(note),
        };
        written = true;
        manifest.answers.insert(
            q.id.clone(),
            Answer {
                value: derived.answer,
                source: Provenance::Collected,
                evidence: vec![evidence],
                note: None,
                questionnaire: None,
                claim: None,
            },
        );
    }
    // Evidence cannot postdate the assessment it supports: collecting is
    // part of the assessment, so it is now dated the day of observation
    // (as `fill` dates a resumed assessment today).
    let latest = collected
        .facts
        .values()
        .filter_map(Fact::observed_date)
        .max();
    // Only a run that wrote an answer (with new evidence) re-dates it: a run
    // that found nothing to fill, or only contradictions, leaves the date,
    // and so the next review, alone.
    if let Some(day) = latest
        && written
        && day > manifest.assessment.date
    {
        out.redated = Some((manifest.assessment.date, day));
        manifest.assessment.date = day;
    }
    manifest.collected = Some(collected);
    out
}

fn contradiction(q: &Question, a: &Answer, collected: &Collected) -> Option<Contradiction> {
    if a.source == Provenance::Collected || a.is_unknown() {
        return None;
    }
    let derived = q.derive(&collected.facts)?;
    if a.value.same(&derived.answer) {
        return None;
    }
    Some(Contradiction {
        question: q.id.clone(),
        answer: a.value.clone(),
        source: a.source.as_str(),
        collected: derived.answer,
        fact: derived.fact.to_string(),
        evidence: collected.facts[derived.fact].clone(),
    })
}

/// Every person's answer in the manifest that its collected facts
/// disagree with, in question order.
pub fn contradictions(manifest: &Manifest, catalog: &Catalog) -> Vec<Contradiction> {
    let Some(collected) = &manifest.collected else {
        return Vec::new();
    };
    collectable(manifest, catalog)
        .into_iter()
        .filter_map(|q| contradiction(q, manifest.answers.get(&q.id)?, collected))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::manifest::{Collected, Fact};
    use serde_json::json;

    fn fact(value: Json) -> Fact {
        Fact {
            value,
            url: "https://vendor.example/.well-known/security.txt".into(),
            observed: "2026-11-25T08:00:00Z".into(),
            detail: None,
        }
    }

    #[test]
    fn facts_and_failures_that_look_like_credentials_are_withheld() {
        // A fake key shaped like a Binance one, built at run time.
        let key: String = "vmPUZE6mv9SD5VNHk4HlWFsOr6aKE2zvsw0MuIgwCIPy6utIco14y7Ju91duEh8A"
            .chars()
            .rev()
            .collect();
        let mut c = collected(&[
            ("repository.description", json!(format!("bot {key}"))),
            ("security-txt.status", json!("valid")),
        ]);
        c.facts.get_mut("security-txt.status").unwrap().detail = None;
        c.failures.push(crate::manifest::Failure {
            collector: "scorecard".into(),
            url: format!("https://api.example/x?token={key}"),
            reason: format!("bad redirect `https://x.example/?api_key={key}`"),
            observed: "2026-11-25T08:00:00Z".into(),
        });
        withhold_secrets(&mut c);
        assert!(!c.facts.contains_key("repository.description"));
        assert!(
            c.facts.contains_key("security-txt.status"),
            "the others stay"
        );
        let written = serde_json::to_string(&c).unwrap();
        assert!(!written.contains(&key), "{written}");
        assert_eq!(c.failures.len(), 2);
        assert!(c.failures[1].reason.contains("repository.description"));
        assert_eq!(c.failures[1].collector, "repository");
    }

    fn choice(v: &str) -> AnswerValue {
        AnswerValue::Choice(v.to_string())
    }

    fn setup() -> (Catalog, Manifest) {
        let catalog = crate::load_catalog(None).unwrap();
        let bytes = std::fs::read("examples/well-run-saas-bot.yaml").unwrap();
        let m = crate::manifest::load("m.yaml", bytes, &catalog)
            .unwrap()
            .manifest;
        (catalog, m)
    }

    fn collected(facts: &[(&str, Json)]) -> Collected {
        Collected {
            facts: facts
                .iter()
                .map(|(n, v)| (n.to_string(), fact(v.clone())))
                .collect(),
            failures: Vec::new(),
        }
    }

    #[test]
    fn people_s_answers_are_kept_and_contradictions_found() {
        let (catalog, mut m) = setup();
        let answer = m.answers.get_mut("documentation.security_txt").unwrap();
        answer.source = Provenance::Document;
        answer.value = choice("valid");
        let applied = apply(
            &mut m,
            &catalog,
            collected(&[("security-txt.status", json!("incomplete"))]),
        );
        assert_eq!(
            m.answers["documentation.security_txt"].value,
            choice("valid")
        );
        assert_eq!(applied.contradictions.len(), 1);
        let c = &applied.contradictions[0];
        assert_eq!(
            (c.answer.clone(), c.collected.clone()),
            (choice("valid"), choice("expired"))
        );
        assert_eq!(contradictions(&m, &catalog), applied.contradictions);
    }

    #[test]
    fn a_run_with_only_contradictions_keeps_the_assessment_date() {
        let (catalog, mut m) = setup();
        let answer = m.answers.get_mut("documentation.security_txt").unwrap();
        answer.source = Provenance::Document;
        let before = m.assessment.date;
        let applied = apply(
            &mut m,
            &catalog,
            collected(&[("security-txt.status", json!("expired"))]),
        );
        assert_eq!(applied.contradictions.len(), 1);
        assert_eq!((m.assessment.date, applied.redated), (before, None));
    }

    #[test]
    fn the_same_answer_in_another_form_is_no_contradiction() {
        let (catalog, _) = setup();
        let (_, _, q) = catalog.question("reputation.years_operating").unwrap();
        let seven = |raw: Json| q.collected_answer(&raw).unwrap();
        assert!(seven(json!(7)).same(&seven(json!(7.0))));
        let (_, _, multi) = catalog
            .checklists()
            .flat_map(|l| l.checklist.areas.iter().flat_map(|a| a.questions.iter()))
            .find(|q| q.kind == crate::checklist::QuestionType::Multi)
            .map(|q| catalog.question(&q.id).unwrap())
            .unwrap();
        let (a, b) = (&multi.options[0].value, &multi.options[1].value);
        let list = |raw: Json| multi.collected_answer(&raw).unwrap();
        assert!(list(json!([a, b])).same(&list(json!([b, a]))));
        assert!(!list(json!([a])).same(&list(json!([b]))));
    }

    #[test]
    fn unknown_is_neither_overwritten_nor_contradicted() {
        let (catalog, mut m) = setup();
        let answer = m.answers.get_mut("documentation.security_txt").unwrap();
        answer.source = Provenance::VendorClaim;
        answer.value = AnswerValue::Unknown;
        let applied = apply(
            &mut m,
            &catalog,
            collected(&[("security-txt.status", json!("valid"))]),
        );
        assert_eq!(
            m.answers["documentation.security_txt"].value,
            AnswerValue::Unknown
        );
        assert!(applied.contradictions.is_empty());
        assert!(applied.filled.is_empty());
    }

    #[test]
    fn collected_answers_are_refreshed_and_gaps_filled() {
        let (catalog, mut m) = setup();
        // operations.tls is `collected` in the example: the machine's to
        // update. documentation.security_txt, removed, is a gap to fill.
        m.answers.remove("documentation.security_txt");
        let applied = apply(
            &mut m,
            &catalog,
            collected(&[
                ("transport.overall", json!("https-only")),
                ("security-txt.status", json!("invalid")),
                // A value no mapping knows gives no answer at all.
                ("scorecard.check.code-review", json!(-3)),
            ]),
        );
        let filled: Vec<&str> = applied.filled.iter().map(|c| c.question.as_str()).collect();
        assert_eq!(filled, ["documentation.security_txt", "operations.tls"]);
        let tls = &m.answers["operations.tls"];
        assert_eq!(
            (tls.value.clone(), tls.source),
            (choice("https-only"), Provenance::Collected)
        );
        assert_eq!(tls.evidence[0].observed.to_string(), "2026-11-25");
        assert_eq!(
            m.answers["documentation.security_txt"].value,
            choice("missing")
        );
        // The example was assessed on 2026-11-20; evidence seen on the 25th
        // moves the assessment date.
        assert_eq!(m.assessment.date.to_string(), "2026-11-25");
        assert!(m.collected.is_some());
    }
}
