//! Breach history from Have I Been Pwned: `GET /api/v3/breaches?domain=D`
//! (no key needed) lists the breaches HIBP attributes to a domain.
//!
//! Each one is a CANDIDATE incident: a public list's attribution, which a
//! person must check (was it this vendor's service? what leaked?) before
//! recording it in the manifest's `incidents:`. Nothing here ever writes an
//! incident; the facts only list the candidates and count them.
//!
//! The domain asked about is the one the RDAP collector settled on (the
//! registrable domain the registry answered for). Without one there is no
//! query: a website's host such as `app.vendor.example` has no breaches
//! listed under it even when `vendor.example` has, and "none" would be a
//! wrong fact.

use serde_json::{Value as Json, json};
use url::Url;

use super::fetch::Fetcher;
use crate::date::Date;
use crate::manifest::{Collected, Fact, Failure};

/// The collector's name, the prefix of its facts.
pub const COLLECTOR: &str = "breaches";

/// At most this many candidates are kept (HIBP lists a handful per domain
/// at most; more is not an answer about one vendor).
pub const MAX_CANDIDATES: usize = 50;

/// A breach as a candidate incident.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Candidate {
    /// HIBP's stable name (letters and digits).
    pub name: String,
    /// Its title.
    pub title: String,
    /// When the breach happened, as far as HIBP knows.
    pub breach_date: Option<Date>,
    /// When HIBP added it.
    pub added_date: Option<Date>,
    /// What was exposed ("Email addresses", "Passwords"...).
    pub data_classes: Vec<String>,
    /// HIBP's verified flag.
    pub verified: bool,
    /// HIBP's flags that make it weaker evidence: fabricated, spam list,
    /// malware log, retired.
    pub flags: Vec<&'static str>,
}

impl Candidate {
    /// The breach's page on HIBP, for the person who checks it.
    pub fn page(&self) -> String {
        format!("https://haveibeenpwned.com/Breach/{}", self.name)
    }

    /// As a fact's value.
    pub fn to_json(&self) -> Json {
        json!({
            "name": self.name,
            "title": self.title,
            "breach-date": self.breach_date.map(|d| d.to_string()),
            "added-date": self.added_date.map(|d| d.to_string()),
            "data-classes": self.data_classes,
            "verified": self.verified,
            "flags": self.flags,
            "page": self.page(),
        })
    }
}

/// Text from the list, bounded: a title or a data class is short.
fn bounded(s: &str, max: usize) -> String {
    s.chars().take(max).collect()
}

/// The candidates in HIBP's answer for `domain`. Breaches HIBP lists under
/// another domain (it filters by domain, so only a misbehaving server
/// sends them) are not about this vendor and are left out; so is an entry
/// without a usable name.
pub fn parse(body: &[u8], domain: &str) -> Result<Vec<Candidate>, String> {
    let v: Json = serde_json::from_slice(body)
        .map_err(|e| format!("the breach list answered with something other than JSON: {e}"))?;
    let list = v
        .as_array()
        .ok_or("the breach list answered with JSON that is not a list")?;
    let date = |v: &Json| v.as_str()?.get(..10)?.parse::<Date>().ok();
    let mut out = Vec::new();
    for b in list {
        let Some(name) = b["Name"].as_str().filter(|n| {
            !n.is_empty() && n.len() <= 100 && n.chars().all(|c| c.is_ascii_alphanumeric())
        }) else {
            continue;
        };
        if !b["Domain"]
            .as_str()
            .is_some_and(|d| d.eq_ignore_ascii_case(domain))
        {
            continue;
        }
        let flag = |key: &str| b[key].as_bool() == Some(true);
        let flags = [
            ("IsFabricated", "fabricated"),
            ("IsSpamList", "spam-list"),
            ("IsMalware", "malware"),
            ("IsRetired", "retired"),
        ]
        .into_iter()
        .filter(|(k, _)| flag(k))
        .map(|(_, f)| f)
        .collect();
        out.push(Candidate {
            name: name.to_string(),
            title: bounded(b["Title"].as_str().unwrap_or(name), 200),
            breach_date: date(&b["BreachDate"]),
            added_date: date(&b["AddedDate"]),
            data_classes: b["DataClasses"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|c| c.as_str())
                .take(50)
                .map(|c| bounded(c, 100))
                .collect(),
            verified: flag("IsVerified"),
            flags,
        });
        if out.len() > MAX_CANDIDATES {
            return Err(format!(
                "the breach list names more than {MAX_CANDIDATES} breaches for {domain}; that is not a list about one vendor"
            ));
        }
    }
    out.sort_by(|a, b| (a.breach_date, &a.name).cmp(&(b.breach_date, &b.name)));
    Ok(out)
}

/// How a person turns a candidate into a recorded incident: shown by
/// `vetted collect` and carried by the `breaches.candidates` fact.
pub const HOW_TO_CONFIRM: &str = "candidates only: check each on its page; if it was this vendor's service, add it to `incidents:` (date: the breach date, kind: breach, severity, summary, references: [the page])";

/// Asks the breach list about `domain` (none: RDAP settled on no domain,
/// so no query). `api` is the API's base (`https://haveibeenpwned.com/`).
pub async fn collect<F: Fetcher>(
    fetcher: &F,
    api: &Url,
    domain: Option<&str>,
    observed: &str,
) -> Collected {
    let mut out = Collected::default();
    let mut fail = |url: &str, reason: String| {
        out.failures.push(Failure {
            collector: COLLECTOR.into(),
            url: url.into(),
            reason,
            observed: observed.into(),
        })
    };
    let Some(domain) = domain else {
        fail(
            api.as_str(),
            "no registrable domain to ask about: the RDAP collector settled on none (see its failure)".into(),
        );
        return out;
    };
    let Ok(mut url) = api.join("api/v3/breaches") else {
        fail(api.as_str(), "cannot form the breaches URL".into());
        return out;
    };
    url.query_pairs_mut().append_pair("domain", domain);
    let response = match fetcher.fetch(url.clone(), true).await {
        Ok(r) => r,
        Err(e) => {
            fail(url.as_str(), e.to_string());
            return out;
        }
    };
    if response.status != 200 {
        fail(url.as_str(), format!("HTTP {}", response.status));
        return out;
    }
    let candidates = match parse(&response.body, domain) {
        Ok(c) => c,
        Err(reason) => {
            fail(url.as_str(), reason);
            return out;
        }
    };
    let fact = |value: Json, detail: Option<String>| Fact {
        value,
        url: url.to_string(),
        observed: observed.into(),
        detail,
    };
    out.facts.insert(
        "breaches.count".into(),
        fact(
            json!(candidates.len()),
            Some(format!(
                "breaches Have I Been Pwned lists for {domain}: candidates, not confirmed incidents"
            )),
        ),
    );
    if !candidates.is_empty() {
        out.facts.insert(
            "breaches.candidates".into(),
            fact(
                Json::Array(candidates.iter().map(Candidate::to_json).collect()),
                Some(HOW_TO_CONFIRM.into()),
            ),
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_documented_shape_and_keeps_only_the_domain_asked_about() {
        let body = json!([
            {"Name": "Adobe", "Title": "Adobe", "Domain": "adobe.com",
             "BreachDate": "2013-10-04", "AddedDate": "2013-12-04T00:00:00Z",
             "ModifiedDate": "2022-05-15T23:52:49Z", "PwnCount": 152445165,
             "Description": "<a href=\"x\">In October 2013</a>",
             "DataClasses": ["Email addresses", "Password hints", "Passwords", "Usernames"],
             "IsVerified": true, "IsFabricated": false, "IsSensitive": false,
             "IsRetired": false, "IsSpamList": false, "IsMalware": false},
            {"Name": "Other", "Domain": "other.com", "BreachDate": "2020-01-01"},
            {"Name": "../x", "Domain": "adobe.com"},
            {"Name": "AdobeSpam", "Domain": "ADOBE.com", "IsSpamList": true}
        ]);
        let c = parse(&serde_json::to_vec(&body).unwrap(), "adobe.com").unwrap();
        assert_eq!(
            c.iter().map(|c| c.name.as_str()).collect::<Vec<_>>(),
            ["AdobeSpam", "Adobe"]
        );
        let adobe = &c[1];
        assert_eq!(adobe.breach_date, Some("2013-10-04".parse().unwrap()));
        assert_eq!(adobe.added_date, Some("2013-12-04".parse().unwrap()));
        assert_eq!(adobe.data_classes.len(), 4);
        assert!(adobe.verified && adobe.flags.is_empty());
        assert_eq!(c[0].flags, ["spam-list"]);
        assert_eq!(adobe.page(), "https://haveibeenpwned.com/Breach/Adobe");
        assert!(parse(b"[]", "x.com").unwrap().is_empty());
        assert!(parse(b"{}", "x.com").is_err());
        assert!(parse(b"[{", "x.com").is_err());
    }
}
