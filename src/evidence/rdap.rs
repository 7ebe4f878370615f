//! Domain age from RDAP: which registry answers for the website's domain
//! (the IANA bootstrap file, RFC 9224, cached), then that registry's answer
//! for the domain (RFC 9083), whose `registration` event dates it.
//!
//! Everything the bootstrap file names is untrusted: a base URL is used
//! only if it is `https` and passes the same SSRF check as any URL
//! (`fetch::check_url`), and the fetch itself goes through the guarded
//! fetcher (resolver, redirects, caps, time-outs).
//!
//! The domain asked about is the vendor's registrable domain
//! ([`super::domain::registrable`]), once; a website on a shared platform
//! asks nothing. A 404 from the registry means the name is not registered
//! as such: a failure too, never an age.

use serde_json::{Value as Json, json};
use url::Url;

use super::fetch::{self, Fetcher};
use crate::date::Date;
use crate::manifest::{Collected, Fact, Failure};

/// How long a cached bootstrap file is used, in days. IANA changes the
/// file when a top-level domain gets or moves its RDAP service, a few
/// times a year for any one TLD; a stale entry at worst sends a query to a
/// server that no longer answers (a recorded failure, never a wrong fact),
/// and a TLD missing from a cached file fetches a fresh one at once. A week
/// keeps a reviewer who collects many vendors a day from asking IANA each
/// time (RFC 9224 expects clients to keep the file rather than fetch it per
/// query).
pub const BOOTSTRAP_TTL_DAYS: i64 = 7;

/// The collector's name, the prefix of its facts.
pub const COLLECTOR: &str = "rdap";

/// The bootstrap file: for each service, the domain labels (TLDs) it
/// serves and its base URLs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Bootstrap {
    services: Vec<(Vec<String>, Vec<String>)>,
}

/// Reads an IANA RDAP bootstrap file (RFC 9224 section 3: `services` is a
/// list of `[[labels...], [urls...]]`).
pub fn parse_bootstrap(body: &[u8]) -> Result<Bootstrap, String> {
    let v: Json = serde_json::from_slice(body)
        .map_err(|e| format!("the RDAP bootstrap file is not JSON: {e}"))?;
    let services = v["services"]
        .as_array()
        .ok_or("the RDAP bootstrap file has no `services` list")?;
    let strings = |v: &Json| -> Option<Vec<String>> {
        v.as_array()?
            .iter()
            .map(|s| {
                s.as_str()
                    .map(|s| s.trim_end_matches('.').to_ascii_lowercase())
            })
            .collect()
    };
    let mut out = Vec::new();
    for s in services {
        let (Some(labels), Some(urls)) = (strings(&s[0]), s[1].as_array()) else {
            return Err("an entry of the RDAP bootstrap file is not [[labels], [URLs]]".into());
        };
        let urls = urls
            .iter()
            .filter_map(|u| u.as_str().map(str::to_string))
            .collect();
        out.push((labels, urls));
    }
    Ok(Bootstrap { services: out })
}

impl Bootstrap {
    /// The base URL of the registry for `domain`: the service whose labels
    /// are the longest suffix of it, and among its URLs the first that is
    /// https and passes the SSRF check. `Err` says why there is none.
    pub fn base_for(&self, domain: &str, allow_private: bool) -> Result<Url, String> {
        let best = self
            .services
            .iter()
            .flat_map(|(labels, urls)| labels.iter().map(move |l| (l, urls)))
            .filter(|(label, _)| domain == label.as_str() || domain.ends_with(&format!(".{label}")))
            .max_by_key(|(label, _)| label.len());
        let Some((label, urls)) = best else {
            return Err(format!(
                "the RDAP bootstrap file names no registry for `{}`",
                crate::diag::quote(domain)
            ));
        };
        let mut refused = Vec::new();
        for raw in urls {
            let checked = Url::parse(raw)
                .map_err(|e| format!("`{}` is not a URL: {e}", crate::diag::quote(raw)))
                .and_then(|url| {
                    fetch::check_url(&url, allow_private)
                        .map(|()| url)
                        .map_err(|e| e.to_string())
                });
            match checked {
                Ok(mut url) => {
                    // RFC 9224: base URLs end in `/`; one that does not
                    // would lose its last segment when joined.
                    if !url.path().ends_with('/') {
                        let path = format!("{}/", url.path());
                        url.set_path(&path);
                    }
                    return Ok(url);
                }
                Err(e) => refused.push(e),
            }
        }
        Err(format!(
            "the RDAP bootstrap file names no usable registry for `.{label}`: {}",
            if refused.is_empty() {
                "it lists no URL".to_string()
            } else {
                refused.join("; ")
            }
        ))
    }

    fn serves(&self, domain: &str) -> bool {
        self.services.iter().any(|(labels, _)| {
            labels
                .iter()
                .any(|l| domain == l.as_str() || domain.ends_with(&format!(".{l}")))
        })
    }
}

/// What the registry's answer says of `domain`: its registration date, or
/// why the answer is not usable. The answer must be a domain object named
/// `domain` (RFC 9083 section 5.3).
pub fn registration(body: &[u8], domain: &str) -> Result<Date, String> {
    let v: Json =
        serde_json::from_slice(body).map_err(|e| format!("the RDAP answer is not JSON: {e}"))?;
    if v["objectClassName"].as_str() != Some("domain") {
        return Err("the RDAP answer is not a domain object".into());
    }
    let named = v["ldhName"].as_str().map(|n| n.trim_end_matches('.'));
    if !named.is_some_and(|n| n.eq_ignore_ascii_case(domain)) {
        return Err(format!(
            "the RDAP answer is about `{}`, not `{domain}`; nothing from it was recorded",
            crate::diag::quote(named.unwrap_or("(no ldhName)"))
        ));
    }
    let dates: Vec<Result<Date, String>> = v["events"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|e| e["eventAction"].as_str() == Some("registration"))
        .map(|e| {
            let raw = e["eventDate"].as_str().unwrap_or_default();
            raw.get(..10).and_then(|d| d.parse().ok()).ok_or_else(|| {
                format!(
                    "the registration event's date `{}` is not RFC 3339",
                    crate::diag::quote(raw)
                )
            })
        })
        .collect();
    // Two registration events would be a registry's error; the earliest
    // is the one the domain's age counts from.
    match dates.iter().filter_map(|d| d.as_ref().ok()).min() {
        Some(d) => Ok(*d),
        None => Err(dates.into_iter().find_map(Result::err).unwrap_or_else(|| {
            "the RDAP answer has no `registration` event, so the domain's age is unknown".into()
        })),
    }
}

/// Where the bootstrap file is cached between runs: `None` fetches it on
/// every run.
pub type BootstrapCache = Option<crate::cache::Cache>;

/// The cached bootstrap, if there is one fetched from `url` at most
/// [`BOOTSTRAP_TTL_DAYS`] before `today`.
fn cached(cache: &BootstrapCache, url: &Url, today: Date) -> Option<Vec<u8>> {
    let entry = cache.as_ref()?.get(&cache_key(url)).ok()??;
    let (day, body) = entry.split_at_checked(10)?;
    let day: Date = std::str::from_utf8(day).ok()?.parse().ok()?;
    let age = day.days_until(today);
    ((0..=BOOTSTRAP_TTL_DAYS).contains(&age)).then(|| body.to_vec())
}

fn cache_key(url: &Url) -> crate::cache::Key {
    crate::cache::Key(crate::cache::digest(&[
        b"rdap bootstrap v1",
        url.as_str().as_bytes(),
    ]))
}

fn store(cache: &BootstrapCache, url: &Url, today: Date, body: &[u8]) {
    if let Some(cache) = cache {
        let mut entry = today.to_string().into_bytes();
        entry.extend_from_slice(body);
        // A cache that cannot be written only costs a fetch next time.
        let _ = cache.put(&cache_key(url), &entry);
    }
}

/// What the RDAP collector found.
#[derive(Debug, Default)]
pub struct Found {
    /// Its facts and failures.
    pub collected: Collected,
    /// The registrable domain the registry answered for, if one did.
    pub domain: Option<String>,
}

/// Looks up the registration date of `website`'s domain. `bootstrap` is
/// the IANA file's URL; `as_of` is the date the age is counted to;
/// `observed` (RFC 3339) stamps facts and dates the cache.
#[allow(clippy::too_many_arguments)]
pub async fn collect<F: Fetcher>(
    fetcher: &F,
    website: &str,
    bootstrap: &Url,
    cache: &BootstrapCache,
    allow_private: bool,
    as_of: Date,
    observed: &str,
) -> Found {
    let mut found = Found::default();
    let fail = |found: &mut Found, url: &str, reason: String| {
        found.collected.failures.push(Failure {
            collector: COLLECTOR.into(),
            url: url.into(),
            reason,
            observed: observed.into(),
        })
    };
    let name = match Url::parse(website) {
        Ok(url) => match url.host() {
            Some(host) => super::domain::registrable(&host),
            None => Err("the website's address has no host".into()),
        },
        Err(e) => Err(format!("the website's address is not a URL: {e}")),
    };
    let name = match name {
        Ok(name) => name,
        Err(reason) => {
            fail(&mut found, website, reason);
            return found;
        }
    };
    let today = observed
        .get(..10)
        .and_then(|d| d.parse::<Date>().ok())
        .unwrap_or(as_of);
    let file = match load_bootstrap(fetcher, bootstrap, cache, today, &name).await {
        Ok(file) => file,
        Err(reason) => {
            fail(&mut found, bootstrap.as_str(), reason);
            return found;
        }
    };
    let name = &name;
    {
        let base = match file.base_for(name, allow_private) {
            Ok(base) => base,
            Err(reason) => {
                fail(&mut found, bootstrap.as_str(), reason);
                return found;
            }
        };
        let Ok(url) = base.join(&format!("domain/{name}")) else {
            fail(
                &mut found,
                base.as_str(),
                "cannot form the domain query URL".into(),
            );
            return found;
        };
        let response = match fetcher.fetch(url.clone(), true).await {
            Ok(r) => r,
            Err(e) => {
                fail(&mut found, url.as_str(), e.to_string());
                return found;
            }
        };
        if response.status == 404 {
            fail(
                &mut found,
                url.as_str(),
                format!("the registry does not know `{name}` (HTTP 404)"),
            );
            return found;
        }
        if response.status != 200 {
            fail(
                &mut found,
                url.as_str(),
                format!("HTTP {}", response.status),
            );
            return found;
        }
        match registration(&response.body, name) {
            Ok(registered) => {
                let fact = |value: Json, detail: Option<String>| Fact {
                    value,
                    url: url.to_string(),
                    observed: observed.into(),
                    detail,
                };
                let facts = &mut found.collected.facts;
                facts.insert("rdap.domain".into(), fact(json!(name), None));
                let age = registered.days_until(as_of);
                let detail = (age < 0).then(|| {
                    format!("registered after the assessment date {as_of}, so no age as of then")
                });
                facts.insert(
                    "rdap.registered".into(),
                    fact(json!(registered.to_string()), detail),
                );
                if age >= 0 {
                    facts.insert(
                        "rdap.age-days".into(),
                        fact(json!(age), Some(format!("as of {as_of}"))),
                    );
                }
                found.domain = Some(name.clone());
            }
            Err(reason) => fail(&mut found, url.as_str(), reason),
        }
    }
    found
}

/// The bootstrap file, from the cache if fresh and it serves `domain`,
/// else fetched (and cached).
async fn load_bootstrap<F: Fetcher>(
    fetcher: &F,
    url: &Url,
    cache: &BootstrapCache,
    today: Date,
    domain: &str,
) -> Result<Bootstrap, String> {
    if let Some(body) = cached(cache, url, today)
        && let Ok(file) = parse_bootstrap(&body)
        && file.serves(domain)
    {
        return Ok(file);
    }
    let response = fetcher
        .fetch(url.clone(), true)
        .await
        .map_err(|e| e.to_string())?;
    if response.status != 200 {
        return Err(format!("HTTP {}", response.status));
    }
    let file = parse_bootstrap(&response.body)?;
    store(cache, url, today, &response.body);
    Ok(file)
}

#[cfg(test)]
mod tests {
    use super::*;

    const FILE: &str = r#"{"version":"1.0","publication":"2026-11-01T00:00:00Z","services":[
        [["com","net"],["https://rdap.verisign.com/com/v1/"]],
        [["uk"],["http://rdap.nominet.uk/uk","https://rdap.nominet.uk/uk"]],
        [["co.uk"],["https://rdap.example/co-uk/"]],
        [["bad"],["http://rdap.bad/"]],
        [["internal"],["https://10.0.0.1/"]]]}"#;

    #[test]
    fn picks_the_longest_matching_label_and_only_safe_https_urls() {
        let file = parse_bootstrap(FILE.as_bytes()).unwrap();
        assert_eq!(
            file.base_for("vendor.com", false).unwrap().as_str(),
            "https://rdap.verisign.com/com/v1/"
        );
        assert_eq!(
            file.base_for("vendor.co.uk", false).unwrap().as_str(),
            "https://rdap.example/co-uk/"
        );
        // The http URL is skipped, the https one gets its trailing slash.
        assert_eq!(
            file.base_for("vendor.uk", false).unwrap().as_str(),
            "https://rdap.nominet.uk/uk/"
        );
        let e = file.base_for("vendor.bad", false).unwrap_err();
        assert!(e.contains("only https"), "{e}");
        let e = file.base_for("vendor.internal", false).unwrap_err();
        assert!(e.contains("private"), "{e}");
        assert!(file.base_for("vendor.internal", true).is_ok());
        assert!(
            file.base_for("vendor.org", false)
                .unwrap_err()
                .contains("no registry")
        );
        assert!(!file.serves("vendor.org"));
        assert!(parse_bootstrap(b"{\"services\": [[\"com\"]]}").is_err());
        assert!(parse_bootstrap(b"<html>").is_err());
    }

    #[test]
    fn reads_the_registration_event_of_the_domain_asked_about() {
        let answer = |name: &str, events: Json| {
            serde_json::to_vec(&json!({
                "objectClassName": "domain", "ldhName": name, "events": events
            }))
            .unwrap()
        };
        let events = json!([
            {"eventAction": "expiration", "eventDate": "2027-01-01T00:00:00Z"},
            {"eventAction": "registration", "eventDate": "2019-03-04T12:00:00Z"}
        ]);
        assert_eq!(
            registration(&answer("VENDOR.COM", events.clone()), "vendor.com"),
            Ok("2019-03-04".parse().unwrap())
        );
        assert!(registration(&answer("other.com", events), "vendor.com").is_err());
        let none = registration(&answer("vendor.com", json!([])), "vendor.com").unwrap_err();
        assert!(none.contains("no `registration` event"), "{none}");
        let bad = json!([{"eventAction": "registration", "eventDate": "yesterday"}]);
        assert!(
            registration(&answer("vendor.com", bad), "vendor.com")
                .unwrap_err()
                .contains("not RFC 3339")
        );
        assert!(registration(b"{\"objectClassName\":\"entity\"}", "vendor.com").is_err());
    }

    #[test]
    fn a_cached_bootstrap_is_used_for_a_week() {
        let dir = tempfile::tempdir().unwrap();
        let cache = Some(crate::cache::Cache::open(dir.path(), b"test".to_vec()).unwrap());
        let url = Url::parse("https://data.iana.org/rdap/dns.json").unwrap();
        let day: Date = "2026-11-01".parse().unwrap();
        store(&cache, &url, day, FILE.as_bytes());
        assert_eq!(cached(&cache, &url, day).unwrap(), FILE.as_bytes());
        assert!(cached(&cache, &url, day.plus_days(BOOTSTRAP_TTL_DAYS)).is_some());
        assert!(cached(&cache, &url, day.plus_days(BOOTSTRAP_TTL_DAYS + 1)).is_none());
        // Dated in the future (a clock set back): not trusted.
        assert!(cached(&cache, &url, day.plus_days(-1)).is_none());
        let other = Url::parse("https://rdap.example/dns.json").unwrap();
        assert!(cached(&cache, &other, day).is_none());
        assert!(cached(&None, &url, day).is_none());
    }
}
