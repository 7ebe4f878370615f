//! Known vulnerabilities of the vendor's declared open-source packages
//! (`vendor.packages`), from OSV's batch query
//! (`POST /v1/querybatch`, <https://google.github.io/osv.dev/post-v1-querybatch/>).
//!
//! A package declared with a version asks "which known vulnerabilities
//! affect this version"; one without asks "which has the package ever had",
//! which is history, not a statement that what runs is vulnerable. The two
//! are separate facts (`osv.vulnerabilities`, `osv.past-vulnerabilities`)
//! and `osv.packages` says which each package's ids are.

use std::collections::BTreeSet;

use serde_json::{Value as Json, json};
use url::Url;

use super::fetch::Fetcher;
use crate::manifest::{Collected, Fact, Failure, Package};

/// The collector's name, the prefix of its facts.
pub const COLLECTOR: &str = "osv";

/// Rounds of `next_page_token` followed before giving up: OSV pages a
/// query's results when there are very many (over a thousand).
pub const MAX_PAGES: usize = 5;

/// A vulnerability id as OSV writes them (`GHSA-xxxx-xxxx-xxxx`,
/// `PYSEC-2024-1`, `CVE-2024-1234`, `RUSTSEC-2024-0001`).
fn is_id(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 100
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | ':'))
}

/// The batch request for `packages`, with each one's page token if it is
/// being paged.
fn request(packages: &[(&Package, Option<String>)]) -> Vec<u8> {
    let queries: Vec<Json> = packages
        .iter()
        .map(|(p, token)| {
            let mut q = json!({"package": {"name": p.name, "ecosystem": p.ecosystem.as_str()}});
            if let Some(v) = &p.version {
                q["version"] = json!(v);
            }
            if let Some(t) = token {
                q["page_token"] = json!(t);
            }
            q
        })
        .collect();
    serde_json::to_vec(&json!({ "queries": queries })).expect("JSON values serialise")
}

/// One result: the ids it lists and its page token, if more follow.
type Page = (Vec<String>, Option<String>);

/// Reads a batch answer for `asked` queries: one result per query, in the
/// order asked, each `{}` or `{"vulns": [{"id", "modified"}...]}`.
pub fn parse(body: &[u8], asked: usize) -> Result<Vec<Page>, String> {
    let v: Json = serde_json::from_slice(body)
        .map_err(|e| format!("OSV answered with something other than JSON: {e}"))?;
    let results = v["results"]
        .as_array()
        .ok_or("the OSV answer has no `results` list")?;
    if results.len() != asked {
        return Err(format!(
            "OSV answered {} results for {asked} queries, so no result can be matched to its package",
            results.len()
        ));
    }
    results
        .iter()
        .map(|r| {
            let mut ids = Vec::new();
            for vuln in r["vulns"].as_array().into_iter().flatten() {
                match vuln["id"].as_str() {
                    Some(id) if is_id(id) => ids.push(id.to_string()),
                    _ => {
                        return Err("an OSV result lists a vulnerability without a valid id".into());
                    }
                }
            }
            let token = r["next_page_token"]
                .as_str()
                .filter(|t| !t.is_empty())
                .map(str::to_string);
            Ok((ids, token))
        })
        .collect()
}

/// Looks `packages` up in OSV at `api` (`https://api.osv.dev/`).
pub async fn collect<F: Fetcher>(
    fetcher: &F,
    api: &Url,
    packages: &[Package],
    observed: &str,
) -> Collected {
    let mut out = Collected::default();
    if packages.is_empty() {
        return out;
    }
    let Ok(url) = api.join("v1/querybatch") else {
        out.failures.push(failure(
            api.as_str(),
            "cannot form the OSV URL".into(),
            observed,
        ));
        return out;
    };
    match query(fetcher, &url, packages).await {
        Ok(ids) => record(&mut out, &url, packages, ids, observed),
        Err(reason) => out.failures.push(failure(url.as_str(), reason, observed)),
    }
    out
}

fn failure(url: &str, reason: String, observed: &str) -> Failure {
    Failure {
        collector: COLLECTOR.into(),
        url: url.into(),
        reason,
        observed: observed.into(),
    }
}

/// Every package's ids, following page tokens; an error if any package's
/// list could not be had whole.
async fn query<F: Fetcher>(
    fetcher: &F,
    url: &Url,
    packages: &[Package],
) -> Result<Vec<BTreeSet<String>>, String> {
    let mut ids = vec![BTreeSet::new(); packages.len()];
    let mut asking: Vec<(usize, Option<String>)> = (0..packages.len()).map(|i| (i, None)).collect();
    for _ in 0..MAX_PAGES {
        let batch: Vec<(&Package, Option<String>)> = asking
            .iter()
            .map(|(i, t)| (&packages[*i], t.clone()))
            .collect();
        let response = fetcher
            .post_json(url.clone(), request(&batch))
            .await
            .map_err(|e| e.to_string())?;
        if response.status != 200 {
            return Err(format!("HTTP {}", response.status));
        }
        let pages = parse(&response.body, batch.len())?;
        let mut next = Vec::new();
        for ((i, _), (found, token)) in asking.iter().zip(pages) {
            ids[*i].extend(found);
            if let Some(t) = token {
                next.push((*i, Some(t)));
            }
        }
        if next.is_empty() {
            return Ok(ids);
        }
        asking = next;
    }
    Err(format!(
        "OSV still had more results after {MAX_PAGES} pages; a partial list would undercount"
    ))
}

/// The most ids kept per package, and over all packages, in the facts.
const MAX_IDS_PER_PACKAGE: usize = 20;
const MAX_IDS_KEPT: usize = 500;

fn record(
    out: &mut Collected,
    url: &Url,
    packages: &[Package],
    ids: Vec<BTreeSet<String>>,
    observed: &str,
) {
    let mut current = BTreeSet::new();
    let mut past = BTreeSet::new();
    let (mut versioned, mut unversioned) = (Vec::new(), Vec::new());
    let mut listed = Vec::new();
    // Ids kept in the manifest, over all packages: what is found may be
    // tens of thousands, and the manifest must stay loadable (5 MB, its
    // node budget); the counts stay exact and osv.dev has the rest.
    let mut room = MAX_IDS_KEPT;
    for (p, ids) in packages.iter().zip(&ids) {
        let label = match &p.version {
            Some(v) => format!("{} {} {v}", p.ecosystem.as_str(), p.name),
            None => format!("{} {} (any version)", p.ecosystem.as_str(), p.name),
        };
        let keep = ids.len().min(MAX_IDS_PER_PACKAGE).min(room);
        room -= keep;
        let kept: Vec<&String> = ids.iter().take(keep).collect();
        let more = match ids.len() - keep {
            0 => String::new(),
            n => format!(" and {n} more (osv.dev lists them)"),
        };
        let line = if ids.is_empty() {
            format!("{label}: none")
        } else if kept.is_empty() {
            format!("{label}: {} (osv.dev lists them)", ids.len())
        } else {
            let shown: Vec<&str> = kept.iter().map(|s| s.as_str()).collect();
            format!("{label}: {}{more}", shown.join(", "))
        };
        if p.version.is_some() {
            current.extend(ids.iter().cloned());
            versioned.push(line);
        } else {
            past.extend(ids.iter().cloned());
            unversioned.push(line);
        }
        listed.push(json!({
            "ecosystem": p.ecosystem.as_str(),
            "name": p.name,
            "version": p.version,
            "scope": if p.version.is_some() { "this-version" } else { "any-version" },
            "count": ids.len(),
            "ids": kept,
        }));
    }
    let mut fact = |name: &str, value: Json, detail: String| {
        out.facts.insert(
            name.into(),
            Fact {
                value,
                url: url.to_string(),
                observed: observed.into(),
                detail: Some(detail),
            },
        );
    };
    // "None known" needs every package checked at its version: a package
    // declared without one was not, so only a known vulnerability is then
    // a fact (and an empty answer can also mean OSV does not know the
    // package or the version, which the question's help says).
    if !versioned.is_empty() && (unversioned.is_empty() || !current.is_empty()) {
        let unchecked = if unversioned.is_empty() {
            String::new()
        } else {
            format!(
                "; {} package(s) without a version not checked against a version",
                unversioned.len()
            )
        };
        fact(
            "osv.vulnerabilities",
            json!(current.len()),
            format!(
                "known vulnerabilities affecting the declared versions: {}{unchecked}",
                versioned.join("; ")
            ),
        );
    }
    if !unversioned.is_empty() {
        fact(
            "osv.past-vulnerabilities",
            json!(past.len()),
            format!(
                "vulnerabilities ever recorded against packages declared without a version (history, not proof that the version in use is affected): {}",
                unversioned.join("; ")
            ),
        );
    }
    fact(
        "osv.packages",
        Json::Array(listed),
        "each package's OSV ids; scope this-version: affecting the declared version, any-version: ever recorded".into(),
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::manifest::Ecosystem;

    #[test]
    fn asks_for_versions_only_where_declared() {
        let p = [
            Package {
                ecosystem: Ecosystem::PyPI,
                name: "freqtrade".into(),
                version: Some("2024.1".into()),
            },
            Package {
                ecosystem: Ecosystem::CratesIo,
                name: "ccxt".into(),
                version: None,
            },
        ];
        let body: Json =
            serde_json::from_slice(&request(&[(&p[0], None), (&p[1], Some("t".into()))])).unwrap();
        assert_eq!(
            body,
            json!({"queries": [
                {"package": {"name": "freqtrade", "ecosystem": "PyPI"}, "version": "2024.1"},
                {"package": {"name": "ccxt", "ecosystem": "crates.io"}, "page_token": "t"}
            ]})
        );
    }

    fn package(name: &str, version: Option<&str>) -> Package {
        Package {
            ecosystem: Ecosystem::PyPI,
            name: name.into(),
            version: version.map(Into::into),
        }
    }

    fn recorded(packages: &[Package], ids: Vec<BTreeSet<String>>) -> Collected {
        let mut out = Collected::default();
        let url = Url::parse("https://api.osv.dev/v1/querybatch").unwrap();
        record(&mut out, &url, packages, ids, "2026-11-30T00:00:00Z");
        out
    }

    /// Tens of thousands of ids keep the manifest loadable: a bounded
    /// sample is kept, the counts stay exact.
    #[test]
    fn a_huge_answer_keeps_exact_counts_and_a_bounded_sample() {
        let many = |p: &str| (0..40_000).map(|i| format!("{p}-{i:05}")).collect();
        let packages: Vec<Package> = (0..30)
            .map(|i| package(&format!("p{i}"), Some("1.0")))
            .collect();
        let ids = (0..30).map(|i| many(&format!("OSV-{i}"))).collect();
        let out = recorded(&packages, ids);
        assert_eq!(out.facts["osv.vulnerabilities"].value, json!(1_200_000));
        let listed = out.facts["osv.packages"].value.as_array().unwrap();
        let kept: usize = listed
            .iter()
            .map(|p| p["ids"].as_array().unwrap().len())
            .sum();
        assert_eq!(kept, MAX_IDS_KEPT);
        assert!(listed.iter().all(|p| p["count"] == json!(40_000)));
        assert!(listed[0]["ids"].as_array().unwrap().len() <= MAX_IDS_PER_PACKAGE);
        let detail = out.facts["osv.vulnerabilities"].detail.as_deref().unwrap();
        assert!(detail.len() < 100_000, "{}", detail.len());
        assert!(detail.contains("and 39980 more"), "{}", &detail[..300]);
    }

    /// "None known" only when every package was checked at its version.
    #[test]
    fn none_known_needs_every_package_checked_at_its_version() {
        let some = || BTreeSet::from(["PYSEC-1".to_string()]);
        let mixed = [package("a", Some("1.0")), package("b", None)];
        let out = recorded(&mixed, vec![BTreeSet::new(), some()]);
        assert!(!out.facts.contains_key("osv.vulnerabilities"), "{out:#?}");
        assert_eq!(out.facts["osv.past-vulnerabilities"].value, json!(1));
        let out = recorded(&mixed, vec![some(), BTreeSet::new()]);
        assert_eq!(out.facts["osv.vulnerabilities"].value, json!(1));
        let all = [package("a", Some("1.0")), package("c", Some("2.0"))];
        let out = recorded(&all, vec![BTreeSet::new(), BTreeSet::new()]);
        assert_eq!(out.facts["osv.vulnerabilities"].value, json!(0));
    }

    #[test]
    fn reads_the_documented_answer_in_order() {
        let body = br#"{"results": [
            {"vulns": [{"id": "GHSA-vqj2-4v8m-8vrq", "modified": "2023-03-14T05:47:39.989396Z"},
                       {"id": "PYSEC-2022-28", "modified": "2022-03-02T06:39:30.836439Z"}]},
            {},
            {"vulns": [{"id": "OSV-2020-484"}], "next_page_token": "abc"}
        ]}"#;
        let pages = parse(body, 3).unwrap();
        assert_eq!(pages[0].0, ["GHSA-vqj2-4v8m-8vrq", "PYSEC-2022-28"]);
        assert_eq!(pages[1], (vec![], None));
        assert_eq!(pages[2].1.as_deref(), Some("abc"));
        assert!(parse(body, 2).unwrap_err().contains("3 results for 2"));
        assert!(parse(br#"{"results": [{"vulns": [{"id": "<b>"}]}]}"#, 1).is_err());
        assert!(parse(b"{}", 1).is_err());
        assert!(parse(b"not json", 1).is_err());
    }
}
