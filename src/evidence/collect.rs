//! The collectors of `vetted collect`: which URLs to fetch for a vendor,
//! fetching them with bounded concurrency, and turning each answer (or
//! failure) into facts.
//!
//! Facts are named `collector.fact` (`security-txt.status`,
//! `repository.archived`); [`FACTS`] lists them all, and checklists say
//! which fact answers which question.

use std::sync::Arc;

use serde_json::{Value as Json, json};
use url::Url;

use super::fetch::{FetchError, Fetcher, Response};
use super::{security_insights, security_txt};
use crate::date::Date;
use crate::manifest::{Collected, Fact, Failure, Vendor};

/// Every fact a collector can produce, with what it means. Scorecard checks
/// add `scorecard.check.<check-name>` (lower case), scored 0 to 10.
pub const FACTS: &[(&str, &str)] = &[
    (
        "security-txt.status",
        "valid, expired, incomplete (no Contact or Expires), invalid (an HTML page) or missing (not served)",
    ),
    ("security-txt.expires", "the Expires date"),
    ("security-txt.contact", "the Contact values"),
    (
        "security-txt.has-policy",
        "whether a Policy is named (an empty one is not)",
    ),
    (
        "security-txt.signed",
        "whether the file is one complete OpenPGP cleartext signed message; the signature is not verified",
    ),
    (
        "website.transport",
        "hsts or https-only, for the vendor's website",
    ),
    ("website.hsts-max-age", "the HSTS max-age in seconds"),
    (
        "docs.transport",
        "hsts or https-only, for the documentation",
    ),
    ("docs.hsts-max-age", "the HSTS max-age in seconds"),
    (
        "transport.overall",
        "the weaker of website.transport and docs.transport",
    ),
    (
        "security-insights.present",
        "whether the repository publishes a Security Insights file",
    ),
    ("security-insights.version", "its schema version"),
    (
        "security-insights.current",
        "not expired (v1) or updated within a year (v2)",
    ),
    (
        "security-insights.accepts-reports",
        "whether vulnerability reports are accepted",
    ),
    (
        "security-insights.bug-bounty",
        "whether a bug bounty is offered",
    ),
    (
        "security-insights.status",
        "the project or repository status",
    ),
    (
        "repository.license",
        "the SPDX licence id, or none when the API says there is none (no fact when it does not say)",
    ),
    ("repository.archived", "whether the repository is archived"),
    ("repository.pushed", "the date of the last push"),
    ("repository.stars", "the number of stars"),
    ("scorecard.score", "the OpenSSF Scorecard score, 0 to 10"),
    ("scorecard.date", "the date of the Scorecard run"),
    (
        "rdap.domain",
        "the registrable domain of the website, as the registry that answered names it",
    ),
    (
        "rdap.registered",
        "the domain's registration date (its RDAP registration event)",
    ),
    (
        "rdap.age-days",
        "days from the domain's registration to the assessment date",
    ),
    (
        "breaches.count",
        "breaches Have I Been Pwned lists for the domain: candidates for a person to confirm, not incidents",
    ),
    (
        "breaches.candidates",
        "each listed breach (name, title, dates, data classes, HIBP page), to confirm before adding to incidents",
    ),
    (
        "osv.vulnerabilities",
        "known vulnerabilities (OSV) affecting the declared versions of vendor.packages",
    ),
    (
        "osv.past-vulnerabilities",
        "vulnerabilities OSV has ever recorded for packages declared without a version: history, not proof the version in use is affected",
    ),
    (
        "osv.packages",
        "each declared package's OSV ids, and whether they are for its version or any version",
    ),
    (
        "tls.not-after",
        "the date (UTC) the website's certificate expires",
    ),
    (
        "tls.days-left",
        "days from the assessment date (--as-of) to tls.not-after; negative once expired",
    ),
    (
        "tls.lifetime-left",
        "the share of the certificate's lifetime (notBefore to notAfter) left on the assessment date, in percent",
    ),
    (
        "tls.issuer",
        "the certificate's issuer (RFC 4514), at most 200 characters",
    ),
    (
        "tls.version",
        "the protocol version the website negotiated: TLS 1.3 or TLS 1.2",
    ),
    (
        "headers.csp",
        "whether the website sends an enforced Content-Security-Policy that limits scripts (default-src or script-src)",
    ),
    (
        "headers.frame-protection",
        "frame-ancestors (CSP), x-frame-options (DENY or SAMEORIGIN) or none",
    ),
    (
        "headers.nosniff",
        "whether the website sends X-Content-Type-Options: nosniff",
    ),
    (
        "headers.referrer-policy",
        "the Referrer-Policy a browser applies, not-sent, or unrecognised",
    ),
    (
        "headers.count",
        "how many of four are in place: an enforced CSP, frame protection, nosniff, a Referrer-Policy that sends other sites no full URL",
    ),
    (
        "dns.spf",
        "the SPF record's all term (-all, ~all, ?all, +all), no-all, missing or invalid (with the reason)",
    ),
    (
        "dns.spf-lookups",
        "the DNS lookups an SPF check costs, through every include (over 10 is a permanent error)",
    ),
    (
        "dns.dmarc",
        "the DMARC policy (none, quarantine, reject), missing or invalid (with the reason)",
    ),
    (
        "dns.dmarc-pct",
        "the share of failing mail the DMARC policy applies to, 0 to 100",
    ),
    (
        "dns.dmarc-enforced",
        "the policy all failing mail gets once pct is counted: below 100, one step more lenient (reject to quarantine, quarantine to none)",
    ),
    (
        "dns.mx",
        "present, null (a null MX: no mail accepted) or missing",
    ),
    (
        "dns.caa",
        "whether a CAA record restricts which certificate authorities may issue",
    ),
    (
        "dns.caa-issuers",
        "the issuer domains the CAA record allows",
    ),
    (
        "dns.dnssec",
        "validated when the resolver set the AD bit on every answer, else not-validated",
    ),
];

/// Whether `name` is a fact some collector produces.
pub fn is_known_fact(name: &str) -> bool {
    FACTS.iter().any(|(n, _)| *n == name)
        || name
            .strip_prefix("scorecard.check.")
            .is_some_and(|c| !c.is_empty() && !c.contains('.'))
}

/// Where the APIs are; tests point them at a local server.
#[derive(Clone, Debug)]
pub struct Sources {
    /// GitHub REST API (`/repos/OWNER/REPO`).
    pub github_api: Url,
    /// Raw file host (`/OWNER/REPO/HEAD/PATH`).
    pub raw_content: Url,
    /// OpenSSF Scorecard API (`/projects/github.com/OWNER/REPO`).
    pub scorecard_api: Url,
    /// The IANA RDAP bootstrap file for domains (RFC 9224); `None` asks no
    /// registry (and so no breach list, which needs RDAP's domain).
    pub rdap_bootstrap: Option<Url>,
    /// Where the bootstrap file is kept between runs (`rdap::BOOTSTRAP_TTL_DAYS`).
    pub rdap_cache: super::rdap::BootstrapCache,
    /// Have I Been Pwned's API (`/api/v3/breaches?domain=D`); `None` skips it.
    pub breaches_api: Option<Url>,
    /// OSV's API (`/v1/querybatch`); `None` skips it.
    pub osv_api: Option<Url>,
    /// The resolver the DNS collector asks (`--dns`); `None` skips it.
    pub dns: Option<super::dns::Resolver>,
}

impl Default for Sources {
    fn default() -> Self {
        let url = |s: &str| Url::parse(s).expect("a valid built-in URL");
        Sources {
            github_api: url("https://api.github.com/"),
            raw_content: url("https://raw.githubusercontent.com/"),
            scorecard_api: url("https://api.securityscorecards.dev/"),
            rdap_bootstrap: Some(url("https://data.iana.org/rdap/dns.json")),
            rdap_cache: None,
            breaches_api: Some(url("https://haveibeenpwned.com/")),
            osv_api: Some(url("https://api.osv.dev/")),
            dns: None,
        }
    }
}

/// Which collector a fetch belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Collector {
    /// `/.well-known/security.txt` on the website.
    SecurityTxt,
    /// HTTPS and HSTS of the website.
    Website,
    /// HTTPS and HSTS of the documentation.
    Docs,
    /// The Security Insights file in the repository.
    SecurityInsights,
    /// Repository metadata from the hosting API.
    Repository,
    /// The Scorecard result.
    Scorecard,
    /// The website's certificate and protocol version, from its fetch
    /// (never planned as a job of its own; see `tls`).
    Tls,
    /// The website's security headers, from its fetch (never planned).
    Headers,
    /// DNS records of the website's domain (no HTTP fetch).
    Dns,
}

impl Collector {
    /// Name, as the prefix of its facts.
    pub fn as_str(self) -> &'static str {
        match self {
            Collector::SecurityTxt => "security-txt",
            Collector::Website => "website",
            Collector::Docs => "docs",
            Collector::SecurityInsights => "security-insights",
            Collector::Repository => "repository",
            Collector::Scorecard => "scorecard",
            Collector::Tls => "tls",
            Collector::Headers => "headers",
            Collector::Dns => super::dns::COLLECTOR,
        }
    }
}

/// One URL to fetch.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Job {
    /// For which collector.
    pub collector: Collector,
    /// What.
    pub url: Url,
    /// Whether the body is needed (not for transport checks).
    pub body: bool,
    /// The GitHub repository (`OWNER/REPO`) the answer must be about, for
    /// the repository and Scorecard collectors.
    pub repository: Option<String>,
}

/// Security Insights file names, in the order they are tried: v2 at the
/// root, v2 under `.github/`, then v1.
const INSIGHTS_FILES: [&str; 3] = [
    "security-insights.yml",
    ".github/security-insights.yml",
    "SECURITY-INSIGHTS.yml",
];

/// The fetches for a vendor, plus failures for what cannot be fetched at
/// all (an `http://` website, a repository host without a supported API).
pub fn plan(vendor: &Vendor, sources: &Sources, observed: &str) -> (Vec<Job>, Vec<Failure>) {
    let mut jobs = Vec::new();
    let mut failures = Vec::new();
    let mut fail = |collector: Collector, url: &str, reason: String| {
        failures.push(Failure {
            collector: collector.as_str().into(),
            url: url.into(),
            reason,
            observed: observed.into(),
        })
    };
    let mut site = |collector: Collector, raw: &Option<String>, jobs: &mut Vec<Job>| {
        let Some(raw) = raw else { return None };
        match Url::parse(raw) {
            Ok(url) if url.scheme() == "https" => {
                jobs.push(Job {
                    collector,
                    url: url.clone(),
                    body: false,
                    repository: None,
                });
                Some(url)
            }
            Ok(_) => {
                fail(
                    collector,
                    raw,
                    "not an https URL; only https is fetched".into(),
                );
                None
            }
            Err(e) => {
                fail(collector, raw, format!("not a URL: {e}"));
                None
            }
        }
    };
    if let Some(website) = site(Collector::Website, &vendor.website, &mut jobs) {
        let mut url = website;
        url.set_path("/.well-known/security.txt");
        url.set_query(None);
        url.set_fragment(None);
        jobs.push(Job {
            collector: Collector::SecurityTxt,
            url,
            body: true,
            repository: None,
        });
    }
    site(Collector::Docs, &vendor.docs, &mut jobs);
    if let Some(raw) = &vendor.repository {
        match github_repo(raw) {
            Some((owner, repo)) => {
                let join = |base: &Url, path: &str| base.join(path).ok();
                let about = format!("{owner}/{repo}");
                let mut push = |collector, url: Option<Url>| {
                    if let Some(url) = url {
                        jobs.push(Job {
                            collector,
                            url,
                            body: true,
                            repository: Some(about.clone()),
                        })
                    }
                };
                for file in INSIGHTS_FILES {
                    push(
                        Collector::SecurityInsights,
                        join(&sources.raw_content, &format!("{owner}/{repo}/HEAD/{file}")),
                    );
                }
                push(
                    Collector::Repository,
                    join(&sources.github_api, &format!("repos/{owner}/{repo}")),
                );
                push(
                    Collector::Scorecard,
                    join(
                        &sources.scorecard_api,
                        &format!("projects/github.com/{owner}/{repo}"),
                    ),
                );
            }
            None => fail(
                Collector::Repository,
                raw,
                "only GitHub repositories (https://github.com/OWNER/REPO) can be read".into(),
            ),
        }
    }
    (jobs, failures)
}

/// `(owner, repo)` of a `https://github.com/OWNER/REPO` URL.
fn github_repo(raw: &str) -> Option<(String, String)> {
    let url = Url::parse(raw).ok()?;
    if url.scheme() != "https" || url.host_str()? != "github.com" {
        return None;
    }
    let mut parts = url.path_segments()?.filter(|s| !s.is_empty());
    let owner = parts.next()?;
    let repo = parts.next()?.trim_end_matches(".git");
    let ok = |s: &str| {
        !s.is_empty()
            && s.chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
            && s != "."
            && s != ".."
    };
    (ok(owner) && ok(repo)).then(|| (owner.to_string(), repo.to_string()))
}

/// Told of progress, for a progress bar or log lines.
pub trait Progress {
    /// Before the first fetch.
    fn begin(&mut self, total: usize);
    /// After each fetch, in the order they finish.
    fn finished(&mut self, job: &Job, outcome: &Result<Response, FetchError>);
}

/// A [`Progress`] that ignores everything.
pub struct Quiet;

impl Progress for Quiet {
    fn begin(&mut self, _: usize) {}
    fn finished(&mut self, _: &Job, _: &Result<Response, FetchError>) {}
}

/// Fetches every job, at most `concurrency` at once. Results come back in
/// the order of `jobs`, whatever order they finished in.
pub async fn fetch_all<F: Fetcher>(
    fetcher: &F,
    jobs: Vec<Job>,
    concurrency: usize,
    progress: &mut dyn Progress,
) -> Vec<(Job, Result<Response, FetchError>)> {
    progress.begin(jobs.len());
    let permits = Arc::new(tokio::sync::Semaphore::new(concurrency.max(1)));
    let mut set = tokio::task::JoinSet::new();
    for (i, job) in jobs.iter().enumerate() {
        let (fetcher, permits, url, body) =
            (fetcher.clone(), permits.clone(), job.url.clone(), job.body);
        set.spawn(async move {
            let _permit = permits.acquire_owned().await;
            (i, fetcher.fetch(url, body).await)
        });
    }
    let mut results: Vec<Option<Result<Response, FetchError>>> = vec![None; jobs.len()];
    while let Some(done) = set.join_next().await {
        let (i, outcome) = done.unwrap_or_else(|e| {
            // A task only fails by panicking inside the HTTP stack; keep
            // the other results. Its slot stays empty and is recorded
            // below as a failed fetch.
            (
                usize::MAX,
                Err(FetchError::Failed(format!("fetch task failed: {e}"))),
            )
        });
        if let Some(slot) = results.get_mut(i) {
            progress.finished(&jobs[i], &outcome);
            *slot = Some(outcome);
        }
    }
    jobs.into_iter()
        .zip(results)
        .map(|(job, r)| {
            let r = r.unwrap_or_else(|| Err(FetchError::Failed("fetch task failed".into())));
            (job, r)
        })
        .collect()
}

/// Turns fetch results into facts and failures. `as_of` judges dates;
/// `observed` (RFC 3339) stamps every fact.
pub fn interpret(
    results: &[(Job, Result<Response, FetchError>)],
    as_of: Date,
    observed: &str,
) -> Collected {
    let mut out = Collected::default();
    let mut insights_done = false;
    let mut insights_missing = Vec::new();
    for (job, result) in results {
        let url = job.url.as_str();
        let mut fact = |name: &str, value: Json, detail: Option<String>| {
            out.facts.insert(
                name.to_string(),
                Fact {
                    value,
                    url: url.to_string(),
                    observed: observed.to_string(),
                    detail,
                },
            );
        };
        let response = match result {
            Ok(r) => r,
            Err(e) => {
                out.failures.push(Failure {
                    collector: job.collector.as_str().into(),
                    url: url.into(),
                    reason: e.to_string(),
                    observed: observed.into(),
                });
                continue;
            }
        };
        let status = response.status;
        let failed = |reason: String| Failure {
            collector: job.collector.as_str().into(),
            url: url.into(),
            reason,
            observed: observed.into(),
        };
        match job.collector {
            Collector::SecurityTxt => {
                // Only "not there" means missing; a 403 challenge, a 429 or a
                // 5xx says nothing about the file, so it is a failure.
                if matches!(status, 404 | 410) {
                    let s = security_txt::Status::Missing.as_str();
                    fact(
                        "security-txt.status",
                        json!(s),
                        Some(format!("HTTP {status}")),
                    );
                    continue;
                }
                if status != 200 {
                    out.failures.push(failed(format!("HTTP {status}")));
                    continue;
                }
                let file = security_txt::parse_bytes(&response.body);
                let (s, mut reasons) = file.status(as_of, Some(&response.final_url));
                if let Some(ct) = &response.content_type
                    && !ct.to_ascii_lowercase().starts_with("text/plain")
                {
                    reasons.push(format!("served as {ct}; RFC 9116 asks for text/plain"));
                }
                let detail = (!reasons.is_empty()).then(|| reasons.join("; "));
                fact("security-txt.status", json!(s.as_str()), detail);
                if !file.html {
                    // Each fact carries what was wrong with its own field
                    // (an empty Policy ignored, a Contact that is no URI).
                    let about = |field: &str| {
                        let notes: Vec<&str> = file
                            .problems
                            .iter()
                            .filter(|p| p.field == Some(field))
                            .map(|p| p.message.as_str())
                            .collect();
                        (!notes.is_empty()).then(|| notes.join("; "))
                    };
                    if let Some(e) = file.expires {
                        fact("security-txt.expires", json!(e.to_string()), None);
                    }
                    if !file.contacts.is_empty() {
                        fact(
                            "security-txt.contact",
                            json!(file.contacts),
                            about("contact"),
                        );
                    }
                    fact(
                        "security-txt.has-policy",
                        json!(!file.policy.is_empty()),
                        about("policy"),
                    );
                    let signature = if file.signed {
                        Some(security_txt::NOT_VERIFIED.to_string())
                    } else {
                        about("signature")
                    };
                    fact("security-txt.signed", json!(file.signed), signature);
                }
            }
            Collector::Website | Collector::Docs => {
                let prefix = job.collector.as_str();
                let max_age = response.hsts.as_deref().and_then(hsts_max_age);
                let transport = if max_age.is_some_and(|a| a > 0) {
                    "hsts"
                } else {
                    "https-only"
                };
                let detail = match &response.hsts {
                    Some(h) => format!("HTTP {status}; Strict-Transport-Security: {h}"),
                    None => format!("HTTP {status}; no Strict-Transport-Security header"),
                };
                fact(
                    &format!("{prefix}.transport"),
                    json!(transport),
                    Some(detail),
                );
                if let Some(age) = max_age {
                    fact(&format!("{prefix}.hsts-max-age"), json!(age), None);
                }
            }
            Collector::SecurityInsights => {
                if insights_done {
                    continue;
                }
                if status == 404 {
                    insights_missing.push(url.to_string());
                    continue;
                }
                if status != 200 {
                    out.failures.push(failed(format!("HTTP {status}")));
                    continue;
                }
                insights_done = true;
                let text = String::from_utf8_lossy(&response.body);
                let si = security_insights::parse(url, &text);
                let detail = (!si.problems.is_empty()).then(|| si.problems.join("; "));
                fact("security-insights.present", json!(true), detail);
                if let Some(v) = &si.schema_version {
                    fact("security-insights.version", json!(v), None);
                }
                fact(
                    "security-insights.current",
                    json!(si.is_current(as_of)),
                    None,
                );
                if let Some(b) = si.accepts_reports {
                    fact("security-insights.accepts-reports", json!(b), None);
                }
                if let Some(b) = si.bug_bounty {
                    fact("security-insights.bug-bounty", json!(b), None);
                }
                if let Some(s) = &si.status {
                    fact("security-insights.status", json!(s), None);
                }
            }
            Collector::Repository | Collector::Scorecard => {
                if status != 200 {
                    out.failures.push(failed(format!("HTTP {status}")));
                    continue;
                }
                let Some(asked) = job.repository.as_deref() else {
                    out.failures.push(failed(
                        "no repository was named to check the answer against".into(),
                    ));
                    continue;
                };
                // The API sent us elsewhere on its own host: GitHub answers
                // for a renamed or transferred repository that way.
                let moved = Url::parse(&response.final_url)
                    .is_ok_and(|to| to != job.url && to.origin() == job.url.origin());
                let parsed = if job.collector == Collector::Repository {
                    repository_facts(&response.body, asked, moved)
                } else {
                    scorecard_facts(&response.body, asked, moved)
                };
                match parsed {
                    Ok(Answer { facts, note }) => facts
                        .into_iter()
                        .for_each(|(n, v)| fact(&n, v, note.clone())),
                    Err(reason) => out.failures.push(failed(reason)),
                }
            }
            // Read from the website's fetch by `tls::add`, never planned.
            Collector::Tls | Collector::Headers => {}
            // Asked by `dns::collect`, never planned as a fetch.
            Collector::Dns => {}
        }
    }
    if !insights_done && insights_missing.len() == INSIGHTS_FILES.len() {
        out.facts.insert(
            "security-insights.present".into(),
            Fact {
                value: json!(false),
                url: insights_missing[0].clone(),
                observed: observed.into(),
                detail: Some(format!("HTTP 404 for {}", INSIGHTS_FILES.join(", "))),
            },
        );
    }
    out
}

/// `transport.overall`: the weaker of the website's and the documentation's,
/// once every site that was to be checked has been. If one could not be
/// (a failed fetch, an `http://` address), the other alone would overstate
/// the vendor's transport, so there is no overall fact.
pub fn add_transport(out: &mut Collected) {
    let site = |c: &str| c == Collector::Website.as_str() || c == Collector::Docs.as_str();
    if out.failures.iter().any(|f| site(&f.collector)) {
        return;
    }
    let seen: Vec<&Fact> = ["website.transport", "docs.transport"]
        .iter()
        .filter_map(|n| out.facts.get(*n))
        .collect();
    let Some(first) = seen.first() else { return };
    let weakest = seen
        .iter()
        .find(|f| f.value == json!("https-only"))
        .unwrap_or(first);
    let detail = seen
        .iter()
        .map(|f| format!("{}: {}", f.url, f.value.as_str().unwrap_or("?")))
        .collect::<Vec<_>>()
        .join("; ");
    let fact = Fact {
        detail: Some(detail),
        ..(*weakest).clone()
    };
    out.facts.insert("transport.overall".into(), fact);
}

/// The `max-age` of a Strict-Transport-Security header.
fn hsts_max_age(header: &str) -> Option<u64> {
    header.split(';').find_map(|d| {
        let (k, v) = d.split_once('=')?;
        k.trim()
            .eq_ignore_ascii_case("max-age")
            .then(|| v.trim().trim_matches('"').parse().ok())
            .flatten()
    })
}

/// A date at the start of an RFC 3339 timestamp or plain date.
fn date_of(v: &Json) -> Option<String> {
    let s = v.as_str()?;
    let d: Date = s.get(..10)?.parse().ok()?;
    Some(d.to_string())
}

/// What a repository or Scorecard answer gave: its facts, and a note for
/// each of them (the repository was renamed, say).
#[derive(Debug, PartialEq)]
pub struct Answer {
    /// The facts, by name.
    pub facts: Vec<(String, Json)>,
    /// The detail every fact of the answer carries.
    pub note: Option<String>,
}

/// Whether an answer naming `named` is about the repository `asked`
/// (`OWNER/REPO`, or `github.com/OWNER/REPO` for Scorecard): GitHub names
/// are case-insensitive, and an API that redirected within its own host
/// (`moved`) answers for a renamed or transferred repository under its new
/// name. Otherwise the answer is about another repository and none of it
/// is a fact about this one.
fn about(
    api: &str,
    asked: &str,
    named: Option<&str>,
    moved: bool,
) -> Result<Option<String>, String> {
    let Some(named) = named else {
        return Err(format!(
            "the {api} answer names no repository, so it cannot be told to be about {asked}; nothing from it was recorded"
        ));
    };
    if named.eq_ignore_ascii_case(asked) {
        Ok(None)
    } else if moved {
        Ok(Some(format!(
            "the {api} redirected: {asked} is now {named} (renamed or transferred); the manifest's vendor.repository may need updating"
        )))
    } else {
        Err(format!(
            "the {api} answered about {named}, not {asked}; nothing from it was recorded"
        ))
    }
}

/// Facts from a GitHub `GET /repos/OWNER/REPO` response, which must be
/// about `asked` (`OWNER/REPO`; see [`about`]).
pub fn repository_facts(body: &[u8], asked: &str, moved: bool) -> Result<Answer, String> {
    let v: Json = serde_json::from_slice(body)
        .map_err(|e| format!("the repository API answered with something other than JSON: {e}"))?;
    if !v.is_object() {
        return Err("the repository API answered with JSON that is not an object".into());
    }
    let note = about("repository API", asked, v["full_name"].as_str(), moved)?;
    let mut facts = Vec::new();
    // `"license": null` is GitHub saying there is none; no `license` key at
    // all says nothing, and an unknown is not a "none".
    let licence = match v.get("license") {
        None => None,
        Some(Json::Null) => Some("none"),
        Some(l) => l["spdx_id"].as_str().filter(|s| !s.is_empty()),
    };
    if let Some(licence) = licence {
        facts.push(("repository.license".into(), json!(licence)));
    }
    if let Some(b) = v["archived"].as_bool() {
        facts.push(("repository.archived".into(), json!(b)));
    }
    if let Some(d) = date_of(&v["pushed_at"]) {
        facts.push(("repository.pushed".into(), json!(d)));
    }
    if let Some(n) = v["stargazers_count"].as_u64() {
        facts.push(("repository.stars".into(), json!(n)));
    }
    Ok(Answer { facts, note })
}

/// Facts from an OpenSSF Scorecard result (API or action output), which
/// must be about `github.com/` + `asked` and have at least one check that
/// ran behind its score.
pub fn scorecard_facts(body: &[u8], asked: &str, moved: bool) -> Result<Answer, String> {
    let v: Json = serde_json::from_slice(body)
        .map_err(|e| format!("the Scorecard API answered with something other than JSON: {e}"))?;
    let note = about(
        "Scorecard API",
        &format!("github.com/{asked}"),
        v["repo"]["name"].as_str(),
        moved,
    )?;
    let Some(score) = v["score"].as_f64() else {
        return Err("the Scorecard result has no numeric `score`".into());
    };
    if !(0.0..=10.0).contains(&score) {
        return Err(format!(
            "the Scorecard score {score} is not between 0 and 10"
        ));
    }
    let mut facts = vec![("scorecard.score".to_string(), json!(score))];
    if let Some(d) = date_of(&v["date"]) {
        facts.push(("scorecard.date".into(), json!(d)));
    }
    let mut ran = 0;
    for check in v["checks"].as_array().into_iter().flatten() {
        let (Some(name), Some(score)) = (check["name"].as_str(), check["score"].as_i64()) else {
            continue;
        };
        // -1 means the check could not be run: no fact rather than a zero.
        if !(0..=10).contains(&score) {
            continue;
        }
        ran += 1;
        let name = name.to_ascii_lowercase();
        if !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
            facts.push((format!("scorecard.check.{name}"), json!(score)));
        }
    }
    // The score is an average of the checks' scores; with no check that
    // ran there is nothing it could be an average of.
    if ran == 0 {
        return Err(format!(
            "the Scorecard result gives a score of {score} with no check that ran behind it; nothing from it was recorded"
        ));
    }
    Ok(Answer { facts, note })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_github_repository_urls() {
        assert_eq!(
            github_repo("https://github.com/ossf/scorecard.git"),
            Some(("ossf".into(), "scorecard".into()))
        );
        assert_eq!(github_repo("https://github.com/ossf"), None);
        assert_eq!(github_repo("https://gitlab.com/a/b"), None);
        assert_eq!(github_repo("http://github.com/a/b"), None);
        assert_eq!(github_repo("https://github.com/a/%2e%2e"), None);
    }

    #[test]
    fn reads_hsts_max_age() {
        assert_eq!(
            hsts_max_age("max-age=31536000; includeSubDomains"),
            Some(31536000)
        );
        assert_eq!(
            hsts_max_age("includeSubDomains; MAX-AGE=\"600\""),
            Some(600)
        );
        assert_eq!(hsts_max_age("max-age=abc"), None);
    }

    #[test]
    fn no_overall_transport_when_a_site_was_not_checked() {
        let fact = |v: &str| Fact {
            value: json!(v),
            url: "https://docs.example/".into(),
            observed: "2026-11-27T00:00:00Z".into(),
            detail: None,
        };
        let mut c = Collected::default();
        c.facts.insert("docs.transport".into(), fact("hsts"));
        c.failures.push(Failure {
            collector: "website".into(),
            url: "https://www.example/".into(),
            reason: "timed out: not done within 15 s".into(),
            observed: "2026-11-27T00:00:00Z".into(),
        });
        add_transport(&mut c);
        assert!(!c.facts.contains_key("transport.overall"));
        c.failures.clear();
        add_transport(&mut c);
        assert_eq!(c.facts["transport.overall"].value, json!("hsts"));
    }

    #[test]
    fn knows_fact_names() {
        assert!(is_known_fact("security-txt.status"));
        assert!(is_known_fact("scorecard.check.code-review"));
        assert!(!is_known_fact("scorecard.check."));
        assert!(!is_known_fact("security-txt.statuses"));
    }
}
