//! RDAP, the breach list and OSV against wiremock behind the loopback TLS
//! front, with answers shaped as their documentation shows, and every way
//! they can fail: an error status, malformed JSON, an oversized answer, a
//! time-out, a bootstrap file naming an http:// or internal server. A
//! source that fails is a recorded failure, never a fact.

mod support;

use std::time::Duration;

use serde_json::{Value as Json, json};
use support::{TlsFront, VENDOR, tls_front};
use url::Url;
use vetted::date::Date;
use vetted::evidence::collect::{Quiet, Sources};
use vetted::evidence::fetch::{HttpFetcher, Options};
use vetted::manifest::{Collected, Ecosystem, Package, Vendor};
use wiremock::matchers::{body_json, method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

const OBSERVED: &str = "2026-11-27T10:00:00Z";

fn as_of() -> Date {
    "2026-11-27".parse().unwrap()
}

async fn setup() -> (MockServer, TlsFront) {
    let server = MockServer::start().await;
    let front = tls_front(*server.address()).await;
    (server, front)
}

fn sources(front: &TlsFront) -> Sources {
    let url = |p: &str| Url::parse(&front.url(p)).unwrap();
    Sources {
        github_api: url("/api/"),
        raw_content: url("/raw/"),
        scorecard_api: url("/scorecard/"),
        rdap_bootstrap: Some(url("/iana/dns.json")),
        rdap_cache: None,
        breaches_api: Some(url("/hibp/")),
        osv_api: Some(url("/osv/")),
        dns: None,
    }
}

fn vendor(front: &TlsFront, packages: Vec<Package>) -> Vendor {
    Vendor {
        packages,
        ..support::vendor_at(front.url("/"))
    }
}

async fn gather_with(vendor: &Vendor, sources: &Sources, o: Options) -> Collected {
    vetted::evidence::gather(
        vendor,
        &HttpFetcher::new(o).unwrap(),
        sources,
        8,
        as_of(),
        OBSERVED,
        &mut Quiet,
    )
    .await
}

async fn gather(front: &TlsFront, vendor: &Vendor) -> Collected {
    gather_with(vendor, &sources(front), front.options()).await
}

async fn serve(server: &MockServer, at: &str, status: u16, body: Json) {
    Mock::given(path(at))
        .respond_with(ResponseTemplate::new(status).set_body_json(body))
        .mount(server)
        .await;
}

/// The IANA file (RFC 9224 section 3's shape) naming `base` for `.test`.
fn bootstrap(base: &str) -> Json {
    json!({
        "description": "RDAP bootstrap file for Domain Name System registrations",
        "publication": "2026-11-01T00:00:00Z",
        "version": "1.0",
        "services": [
            [["com", "net"], ["https://rdap.verisign.com/com/v1/"]],
            [["test"], [base]]
        ]
    })
}

/// A registry's domain answer (RFC 9083 section 5.3), trimmed.
fn domain_answer(name: &str, registered: &str) -> Json {
    json!({
        "objectClassName": "domain",
        "rdapConformance": ["rdap_level_0"],
        "handle": "D1-TEST",
        "ldhName": name,
        "status": ["active"],
        "events": [
            {"eventAction": "registration", "eventDate": registered},
            {"eventAction": "expiration", "eventDate": "2030-01-01T00:00:00Z"},
            {"eventAction": "last update of RDAP database", "eventDate": "2026-11-26T00:00:00Z"}
        ]
    })
}

/// A breach as `GET /api/v3/breaches` lists it.
fn breach(name: &str, domain: &str) -> Json {
    json!({
        "Name": name, "Title": format!("{name} forum"), "Domain": domain,
        "BreachDate": "2021-06-01", "AddedDate": "2021-09-10T12:00:00Z",
        "ModifiedDate": "2021-09-10T12:00:00Z", "PwnCount": 12345,
        "Description": "In June 2021, <a href=\"https://x.example\">a forum</a> leaked.",
        "LogoPath": "https://haveibeenpwned.com/Content/Images/PwnedLogos/List.png",
        "DataClasses": ["Email addresses", "Passwords"],
        "IsVerified": true, "IsFabricated": false, "IsSensitive": false,
        "IsRetired": false, "IsSpamList": false, "IsMalware": false,
        "IsSubscriptionFree": false, "IsStealerLog": false
    })
}

/// The bootstrap at /iana/dns.json and a registry at /rdap/ that dates
/// vendor.test (named `name` in its answer) 2019-03-04.
async fn registry(server: &MockServer, front: &TlsFront, name: &str) {
    serve(
        server,
        "/iana/dns.json",
        200,
        bootstrap(&front.url("/rdap/")),
    )
    .await;
    serve(
        server,
        "/rdap/domain/vendor.test",
        200,
        domain_answer(name, "2019-03-04T12:00:00Z"),
    )
    .await;
}

/// Collects for a vendor with [`freqtrade`]'s packages from OSV alone (no
/// registry, so no breach list either).
async fn osv_only(front: &TlsFront) -> Collected {
    let s = Sources {
        rdap_bootstrap: None,
        ..sources(front)
    };
    gather_with(&vendor(front, freqtrade()), &s, front.options()).await
}

fn value(c: &Collected, fact: &str) -> Json {
    c.facts
        .get(fact)
        .unwrap_or_else(|| panic!("no fact {fact}: {c:#?}"))
        .value
        .clone()
}

fn failures(c: &Collected, collector: &str) -> Vec<String> {
    c.failures
        .iter()
        .filter(|f| f.collector == collector)
        .map(|f| f.reason.clone())
        .collect()
}

fn no_facts(c: &Collected, prefix: &str) {
    let found: Vec<&String> = c.facts.keys().filter(|k| k.starts_with(prefix)).collect();
    assert!(
        found.is_empty(),
        "no {prefix} fact from a failed source: {found:?}"
    );
}

fn freqtrade() -> Vec<Package> {
    vec![
        Package {
            ecosystem: Ecosystem::PyPI,
            name: "freqtrade".into(),
            version: Some("2024.1".into()),
        },
        Package {
            ecosystem: Ecosystem::Npm,
            name: "freqtrade-ui".into(),
            version: None,
        },
    ]
}

/// The registry (answering for `VENDOR.TEST`), a breach list with one
/// breach of the vendor's and one of another domain, and OSV answering for
/// [`freqtrade`]'s packages.
async fn mount_apis(server: &MockServer, front: &TlsFront) {
    registry(server, front, "VENDOR.TEST").await;
    Mock::given(method("GET"))
        .and(path("/hibp/api/v3/breaches"))
        .and(query_param("domain", "vendor.test"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!([
            breach("VendorForum", VENDOR),
            breach("Unrelated", "other.example")
        ])))
        .mount(server)
        .await;
    Mock::given(method("POST"))
        .and(path("/osv/v1/querybatch"))
        .and(body_json(json!({"queries": [
            {"package": {"name": "freqtrade", "ecosystem": "PyPI"}, "version": "2024.1"},
            {"package": {"name": "freqtrade-ui", "ecosystem": "npm"}}
        ]})))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"results": [
            {"vulns": [
                {"id": "GHSA-aaaa-bbbb-cccc", "modified": "2024-03-14T05:47:39.989396Z"},
                {"id": "PYSEC-2024-1", "modified": "2024-03-02T06:39:30Z"}
            ]},
            {"vulns": [{"id": "GHSA-dddd-eeee-ffff", "modified": "2023-01-01T00:00:00Z"}]}
        ]})))
        .mount(server)
        .await;
}

/// Issue 19's whole outside view at once: a loopback world of a DNS
/// server, the website behind TLS with its headers, the registry, the
/// breach list and OSV. Every fact the new collectors define is filled,
/// with no failure; a collector that broke would leave its facts out.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_loopback_world_fills_every_outside_in_fact() {
    use support::dns::{Mode, Zone, caa, mx, start};
    let (server, front) = setup().await;
    mount_apis(&server, &front).await;
    Mock::given(method("GET"))
        .and(path("/"))
        .respond_with(
            ResponseTemplate::new(200)
                .insert_header(
                    "content-security-policy",
                    "default-src 'self'; frame-ancestors 'none'",
                )
                .insert_header("x-content-type-options", "nosniff")
                .insert_header("referrer-policy", "strict-origin-when-cross-origin")
                .insert_header("strict-transport-security", "max-age=31536000"),
        )
        .mount(&server)
        .await;
    let zone = Zone::default()
        .txt(VENDOR, "v=spf1 ip4:192.0.2.0/24 -all")
        .txt(&format!("_dmarc.{VENDOR}"), "v=DMARC1; p=reject; pct=100")
        .add(VENDOR, mx(10, "mx1.vendor.test."))
        .add(VENDOR, caa("issue", "letsencrypt.org"))
        .validated();
    let dns = start(Mode::Zone(std::sync::Arc::new(zone))).await;
    let sources = Sources {
        dns: Some(
            vetted::evidence::dns::Resolver::new(vec![dns.addr])
                .with_timeout(Duration::from_millis(500), 2),
        ),
        ..sources(&front)
    };
    let c = gather_with(&vendor(&front, freqtrade()), &sources, front.options()).await;
    let new = ["dns.", "tls.", "headers.", "rdap.", "breaches.", "osv."];
    let missing: Vec<&str> = vetted::evidence::collect::FACTS
        .iter()
        .map(|(name, _)| *name)
        .filter(|name| new.iter().any(|p| name.starts_with(p)))
        .filter(|name| !c.facts.contains_key(*name))
        .collect();
    assert!(missing.is_empty(), "missing {missing:?}: {c:#?}");
    assert!(
        c.failures
            .iter()
            .all(|f| !new.iter().any(|p| p.trim_end_matches('.') == f.collector)),
        "{:#?}",
        c.failures
    );
    assert_eq!(value(&c, "dns.spf"), json!("-all"));
    assert_eq!(value(&c, "dns.dnssec"), json!("validated"));
    assert_eq!(value(&c, "headers.count"), json!(4));
    assert_eq!(value(&c, "tls.version"), json!("TLS 1.3"));
    assert_eq!(value(&c, "rdap.domain"), json!("vendor.test"));
    assert_eq!(value(&c, "osv.vulnerabilities"), json!(2));
}

/// The documented answers fill every new fact.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_world_of_rdap_breach_and_osv_servers_fills_every_fact() {
    let (server, front) = setup().await;
    mount_apis(&server, &front).await;
    let c = gather(&front, &vendor(&front, freqtrade())).await;
    assert!(
        failures(&c, "rdap").is_empty() && failures(&c, "breaches").is_empty(),
        "{c:#?}"
    );
    assert_eq!(value(&c, "rdap.domain"), json!("vendor.test"));
    assert_eq!(value(&c, "rdap.registered"), json!("2019-03-04"));
    let days = Date::from_ymd(2019, 3, 4).unwrap().days_until(as_of());
    assert_eq!(value(&c, "rdap.age-days"), json!(days));
    assert_eq!(
        value(&c, "breaches.count"),
        json!(1),
        "other.example is not this vendor"
    );
    let candidates = value(&c, "breaches.candidates");
    assert_eq!(candidates[0]["name"], "VendorForum");
    assert_eq!(candidates[0]["breach-date"], "2021-06-01");
    assert_eq!(candidates[0]["added-date"], "2021-09-10");
    assert_eq!(
        candidates[0]["data-classes"],
        json!(["Email addresses", "Passwords"])
    );
    assert_eq!(
        candidates[0]["page"],
        "https://haveibeenpwned.com/Breach/VendorForum"
    );
    assert!(
        c.facts["breaches.candidates"]
            .detail
            .as_deref()
            .unwrap()
            .contains("incidents:")
    );
    // The versioned package's ids are "affects this version"; the
    // unversioned one's are history, in a fact of their own.
    assert_eq!(value(&c, "osv.vulnerabilities"), json!(2));
    assert_eq!(value(&c, "osv.past-vulnerabilities"), json!(1));
    let packages = value(&c, "osv.packages");
    assert_eq!(packages[0]["scope"], "this-version");
    assert_eq!(
        packages[0]["ids"],
        json!(["GHSA-aaaa-bbbb-cccc", "PYSEC-2024-1"])
    );
    assert_eq!(packages[1]["scope"], "any-version");
    assert!(
        c.facts["osv.past-vulnerabilities"]
            .detail
            .as_deref()
            .unwrap()
            .contains("not proof"),
    );
}

/// `www.vendor.test` is not registered: the registry's 404 sends the
/// search to `vendor.test`, whose answer the breach list is asked about.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_registrable_domain_of_a_subdomain_is_asked() {
    let (server, front) = setup().await;
    serve(
        &server,
        "/iana/dns.json",
        200,
        bootstrap(&front.url("/rdap")),
    )
    .await;
    serve(
        &server,
        "/rdap/domain/www.vendor.test",
        404,
        json!({"errorCode": 404}),
    )
    .await;
    serve(
        &server,
        "/rdap/domain/vendor.test",
        200,
        domain_answer("vendor.test", "2025-11-27T00:00:00Z"),
    )
    .await;
    Mock::given(path("/hibp/api/v3/breaches"))
        .and(query_param("domain", "vendor.test"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!([])))
        .mount(&server)
        .await;
    let mut v = vendor(&front, vec![]);
    v.website = Some(format!("https://www.{VENDOR}:{}/", front.addr.port()));
    let mut options = front.options();
    options.pinned.push((format!("www.{VENDOR}"), front.addr));
    let c = gather_with(&v, &sources(&front), options).await;
    assert_eq!(value(&c, "rdap.domain"), json!("vendor.test"), "{c:#?}");
    assert_eq!(value(&c, "rdap.age-days"), json!(365));
    assert_eq!(value(&c, "breaches.count"), json!(0));
    assert!(!c.facts.contains_key("breaches.candidates"));
    assert!(
        !c.facts.contains_key("osv.packages"),
        "no packages, no query"
    );
}

/// Each way a source can fail is a recorded failure and yields no fact.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_failing_source_is_a_failure_never_a_fact() {
    let (server, front) = setup().await;
    let big = "x".repeat(64 * 1024);
    let cases: Vec<(&str, ResponseTemplate, &str)> = vec![
        (
            "status",
            ResponseTemplate::new(503).set_body_string("down"),
            "HTTP 503",
        ),
        (
            "rate",
            ResponseTemplate::new(429).insert_header("retry-after", "2"),
            "HTTP 429",
        ),
        (
            "malformed",
            ResponseTemplate::new(200).set_body_raw("{\"results\": [", "application/json"),
            "not JSON",
        ),
        (
            "oversized",
            ResponseTemplate::new(200).set_body_raw(big.clone(), "application/json"),
            "cap",
        ),
        (
            "slow",
            ResponseTemplate::new(200)
                .set_body_json(json!([]))
                .set_delay(Duration::from_secs(5)),
            "timed out",
        ),
    ];
    for (name, answer, says) in cases {
        for at in [
            format!("/{name}/iana/dns.json"),
            format!("/{name}/osv/v1/querybatch"),
        ] {
            Mock::given(path(at.as_str()))
                .respond_with(answer.clone())
                .mount(&server)
                .await;
        }
        // The bootstrap fails, so RDAP has no domain and the breach list
        // is not asked (its own failures are tested below).
        let url = |p: &str| Some(Url::parse(&front.url(&format!("/{name}{p}"))).unwrap());
        let s = Sources {
            rdap_bootstrap: url("/iana/dns.json"),
            osv_api: url("/osv/"),
            ..sources(&front)
        };
        let o = Options {
            max_body: 16 * 1024,
            total_timeout: Duration::from_secs(2),
            read_timeout: Duration::from_secs(2),
            ..front.options()
        };
        let c = gather_with(&vendor(&front, freqtrade()), &s, o).await;
        for collector in ["rdap", "osv"] {
            let f = failures(&c, collector);
            let said = if says == "not JSON" && collector == "osv" {
                "other than JSON"
            } else {
                says
            };
            assert!(
                f.len() == 1 && f[0].contains(said),
                "{name}: {collector} fails saying {said}: {f:?}"
            );
            no_facts(&c, &format!("{collector}."));
        }
        assert_eq!(failures(&c, "breaches").len(), 1, "{name}");
        no_facts(&c, "breaches.");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failing_breach_list_or_registry_answer_is_a_failure() {
    let (server, front) = setup().await;
    registry(&server, &front, "vendor.test").await;
    for (at, answer) in [
        ("/e500/api/v3/breaches", ResponseTemplate::new(500)),
        (
            "/html/api/v3/breaches",
            ResponseTemplate::new(200).set_body_raw("<html>", "text/html"),
        ),
        (
            "/object/api/v3/breaches",
            ResponseTemplate::new(200).set_body_json(json!({"Name": "x"})),
        ),
    ] {
        Mock::given(path(at))
            .respond_with(answer)
            .mount(&server)
            .await;
        let prefix = at.split('/').nth(1).unwrap();
        let s = Sources {
            breaches_api: Some(Url::parse(&front.url(&format!("/{prefix}/"))).unwrap()),
            ..sources(&front)
        };
        let c = gather_with(&vendor(&front, vec![]), &s, front.options()).await;
        assert_eq!(failures(&c, "breaches").len(), 1, "{at}: {c:#?}");
        no_facts(&c, "breaches.");
        assert_eq!(value(&c, "rdap.registered"), json!("2019-03-04"));
    }

    // A registry answer about another domain, or without a registration
    // event, gives no date.
    for (i, answer) in [
        domain_answer("other.test", "2019-03-04T12:00:00Z"),
        json!({"objectClassName": "domain", "ldhName": "vendor.test", "events": []}),
    ]
    .into_iter()
    .enumerate()
    {
        let base = format!("/r{i}/");
        serve(
            &server,
            &format!("/b{i}.json"),
            200,
            bootstrap(&front.url(&base)),
        )
        .await;
        serve(&server, &format!("{base}domain/vendor.test"), 200, answer).await;
        let s = Sources {
            rdap_bootstrap: Some(Url::parse(&front.url(&format!("/b{i}.json"))).unwrap()),
            ..sources(&front)
        };
        let c = gather_with(&vendor(&front, vec![]), &s, front.options()).await;
        assert_eq!(failures(&c, "rdap").len(), 1, "{c:#?}");
        no_facts(&c, "rdap.");
    }
}

/// The bootstrap file is untrusted: a registry it names over http://, at an
/// internal address or at a name that resolves to one is refused.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bootstrap_naming_an_http_or_internal_server_is_refused() {
    let (server, front) = setup().await;
    let port = front.addr.port();
    Mock::given(path("/rdap/domain/vendor.test"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(domain_answer("vendor.test", "2019-03-04T12:00:00Z")),
        )
        .expect(0)
        .mount(&server)
        .await;
    for (i, base, says) in [
        (0, format!("http://{VENDOR}:{port}/rdap/"), "only https"),
        (1, format!("https://127.0.0.1:{port}/rdap/"), "loopback"),
        (
            2,
            format!("https://[::ffff:10.0.0.1]:{port}/rdap/"),
            "IPv4-mapped",
        ),
        (3, format!("https://localhost:{port}/rdap/"), "loopback"),
    ] {
        serve(&server, &format!("/b{i}.json"), 200, bootstrap(&base)).await;
        let s = Sources {
            rdap_bootstrap: Some(Url::parse(&front.url(&format!("/b{i}.json"))).unwrap()),
            ..sources(&front)
        };
        let c = gather_with(&vendor(&front, vec![]), &s, front.options()).await;
        let f = failures(&c, "rdap");
        assert!(f.len() == 1 && f[0].contains(says), "{base}: {f:?}");
        // Literals and http:// are refused when the file is read, before
        // any fetch; a name, by the resolver when it is fetched.
        assert_eq!(
            f[0].contains("names no usable registry"),
            i < 3,
            "{base}: {f:?}"
        );
        no_facts(&c, "rdap.");
    }
    // A bootstrap served over http:// is refused before anything is asked.
    let s = Sources {
        rdap_bootstrap: Some(Url::parse(&format!("http://{VENDOR}:{port}/b0.json")).unwrap()),
        ..sources(&front)
    };
    let c = gather_with(&vendor(&front, vec![]), &s, front.options()).await;
    assert!(failures(&c, "rdap")[0].contains("only https"));
}

/// The bootstrap file is fetched once and then read from the cache.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_bootstrap_file_is_cached() {
    let (server, front) = setup().await;
    Mock::given(path("/iana/dns.json"))
        .respond_with(ResponseTemplate::new(200).set_body_json(bootstrap(&front.url("/rdap/"))))
        .expect(1)
        .mount(&server)
        .await;
    serve(
        &server,
        "/rdap/domain/vendor.test",
        200,
        domain_answer("vendor.test", "2019-03-04T12:00:00Z"),
    )
    .await;
    let dir = tempfile::tempdir().unwrap();
    let s = Sources {
        rdap_cache: Some(vetted::cache::Cache::open(dir.path(), b"t".to_vec()).unwrap()),
        ..sources(&front)
    };
    for _ in 0..2 {
        let c = gather_with(&vendor(&front, vec![]), &s, front.options()).await;
        assert_eq!(value(&c, "rdap.registered"), json!("2019-03-04"));
    }
    server.verify().await;
}

/// OSV pages a long list: the pages are followed; a result list that does
/// not match the queries is a failure.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn osv_pages_are_followed_and_mismatched_answers_refused() {
    let (server, front) = setup().await;
    Mock::given(method("POST"))
        .and(path("/osv/v1/querybatch"))
        .and(body_json(json!({"queries": [
            {"package": {"name": "freqtrade", "ecosystem": "PyPI"}, "version": "2024.1", "page_token": "p2"}
        ]})))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"results": [
            {"vulns": [{"id": "GHSA-2222-2222-2222", "modified": "2024-01-01T00:00:00Z"}]}
        ]})))
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/osv/v1/querybatch"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"results": [
            {"vulns": [{"id": "GHSA-1111-1111-1111", "modified": "2024-01-01T00:00:00Z"}],
             "next_page_token": "p2"},
            {}
        ]})))
        .mount(&server)
        .await;
    let c = osv_only(&front).await;
    assert_eq!(value(&c, "osv.vulnerabilities"), json!(2), "{c:#?}");
    assert_eq!(value(&c, "osv.past-vulnerabilities"), json!(0));
    assert_eq!(
        value(&c, "osv.packages")[0]["ids"],
        json!(["GHSA-1111-1111-1111", "GHSA-2222-2222-2222"])
    );

    // One result for two queries.
    let (server, front) = setup().await;
    serve(
        &server,
        "/osv/v1/querybatch",
        200,
        json!({"results": [{"vulns": [{"id": "GHSA-1111-1111-1111"}]}]}),
    )
    .await;
    let c = osv_only(&front).await;
    assert!(failures(&c, "osv")[0].contains("1 results for 2 queries"));
    no_facts(&c, "osv.");

    // A redirect is not followed: the query would go on to wherever it
    // points.
    let (server, front) = setup().await;
    Mock::given(path("/osv/v1/querybatch"))
        .respond_with(
            ResponseTemplate::new(307).insert_header("location", front.url("/elsewhere").as_str()),
        )
        .mount(&server)
        .await;
    Mock::given(path("/elsewhere"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"results": [{}, {}]})))
        .expect(0)
        .mount(&server)
        .await;
    let c = osv_only(&front).await;
    assert_eq!(failures(&c, "osv"), ["HTTP 307"]);
    no_facts(&c, "osv.");
    server.verify().await;
}

/// The three signals at their worst (a domain registered yesterday, listed
/// breaches nobody checked, known vulnerabilities in the declared version)
/// cannot turn any bundled example's verdict: they feed low-severity
/// questions only, and no rule reads them.
#[test]
fn the_signals_at_their_worst_do_not_decide_a_verdict() {
    use vetted::manifest::{Answer, Evidence, Provenance};
    let catalog = vetted::load_catalog(None).unwrap();
    let policy = vetted::rules::Policy::default_policy();
    let mut seen = 0;
    for entry in std::fs::read_dir("examples").unwrap() {
        let file = entry.unwrap().path();
        if file.extension().and_then(|e| e.to_str()) != Some("yaml") {
            continue;
        }
        let bytes = std::fs::read(&file).unwrap();
        let Ok(loaded) = vetted::manifest::load("m.yaml", bytes, &catalog) else {
            continue;
        };
        let before = vetted::evaluate::evaluate(&loaded.manifest, &catalog, &policy, as_of())
            .unwrap()
            .verdict;
        let mut m = loaded.manifest.clone();
        m.vendor
            .website
            .get_or_insert_with(|| "https://v.example".into());
        m.vendor.packages = freqtrade();
        for (id, raw) in [
            // Registered the day before the assessment.
            (
                "reputation.domain_age",
                json!(m.assessment.date.plus_days(-1).to_string()),
            ),
            ("incidents.breach_list", json!("unchecked")),
            ("open_source.package_vulnerabilities", json!("known")),
        ] {
            let (_, _, q) = catalog.question(id).unwrap();
            let value = q.collected_answer(&raw).unwrap();
            m.answers.insert(
                id.into(),
                Answer {
                    value,
                    source: Provenance::Collected,
                    evidence: vec![Evidence {
                        url: "https://v.example/".into(),
                        observed: m.assessment.date,
                        expires: None,
                        note: None,
                    }],
                    note: None,
                    questionnaire: None,
                    claim: None,
                },
            );
        }
        let after = vetted::evaluate::evaluate(&m, &catalog, &policy, as_of())
            .unwrap()
            .verdict;
        assert_eq!(before, after, "{}", file.display());
        seen += 1;
    }
    assert!(seen >= 5, "the examples were read");
}

/// `vetted collect` on the loopback world: the facts, the breach list's
/// candidates with how to confirm one, the questions they fill; and no
/// incident is ever written.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_command_shows_candidates_and_fills_the_low_questions_only() {
    let (server, front) = setup().await;
    registry(&server, &front, "vendor.test").await;
    Mock::given(path("/hibp/api/v3/breaches"))
        .and(query_param("domain", "vendor.test"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!([breach("VendorForum", VENDOR)])),
        )
        .mount(&server)
        .await;
    serve(
        &server,
        "/osv/v1/querybatch",
        200,
        json!({"results": [{"vulns": [{"id": "GHSA-aaaa-bbbb-cccc", "modified": "2024-03-14T05:47:39Z"}]}]}),
    )
    .await;
    let dir = tempfile::tempdir().unwrap();
    let manifest = dir.path().join("vendor.yaml");
    let original = std::fs::read_to_string("examples/self-hosted-oss-bot.yaml")
        .unwrap()
        .replace(
            "https://gullwing.example\n",
            &format!("{}\n", front.url("/")),
        );
    assert!(original.contains("packages:"));
    std::fs::write(&manifest, &original).unwrap();
    let ca = dir.path().join("ca.pem");
    std::fs::write(&ca, &front.ca_pem).unwrap();
    let args: Vec<String> = [
        "collect",
        manifest.to_str().unwrap(),
        "--as-of",
        "2026-11-27",
        "--ca-cert",
        ca.to_str().unwrap(),
        "--resolve",
        &format!("{VENDOR}:{}:127.0.0.1", front.addr.port()),
        "--rdap-bootstrap",
        &front.url("/iana/dns.json"),
        "--breaches-api",
        &front.url("/hibp/"),
        "--osv-api",
        &front.url("/osv/"),
        "--no-cache",
        // No resolver asked: DNS has its own tests (tests/dns.rs).
        "--no-dns",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    let (code, stdout, stderr) = support::run_vetted(args.clone()).await;
    assert_eq!(code, Some(0), "{stdout}\n{stderr}");
    assert!(
        stdout.contains("rdap.registered = \"2019-03-04\""),
        "{stdout}"
    );
    assert!(stdout.contains("osv.vulnerabilities = 1"), "{stdout}");
    assert!(
        stdout.contains("Candidate incidents (1), from Have I Been Pwned; not confirmed"),
        "{stdout}"
    );
    assert!(
        stdout.contains("VendorForum (VendorForum forum): breached 2021-06-01, listed 2021-09-10; exposed Email addresses, Passwords; https://haveibeenpwned.com/Breach/VendorForum"),
        "{stdout}"
    );
    assert!(
        stdout.contains("- {date: 2021-06-01, kind: breach, severity: medium"),
        "{stdout}"
    );
    assert!(
        stdout.contains("reputation.domain_age: unanswered ->"),
        "{stdout}"
    );
    assert!(
        stdout.contains("open_source.package_vulnerabilities: unanswered -> \"known\""),
        "{stdout}"
    );
    assert!(
        !stdout.contains("incidents.breach_list:"),
        "a listed breach answers nothing: {stdout}"
    );

    let catalog = vetted::load_catalog(None).unwrap();
    let before = vetted::manifest::load("m.yaml", original.into_bytes(), &catalog).unwrap();
    let after =
        vetted::manifest::load("m.yaml", std::fs::read(&manifest).unwrap(), &catalog).unwrap();
    assert_eq!(
        after.manifest.incidents.len(),
        before.manifest.incidents.len(),
        "no incident is written"
    );
    let age = &after.manifest.answers["reputation.domain_age"];
    assert_eq!(age.value.to_json(), json!("2019-03-04"));
    assert!(!after.manifest.answers.contains_key("incidents.breach_list"));

    // A review that must not tell third parties which vendor it looks at:
    // none of the three is asked anything.
    let asked_before = server.received_requests().await.unwrap().len();
    // Without the three services' addresses: with them, the flags that
    // skip them are refused as contradictory.
    let mut quiet: Vec<String> = Vec::new();
    let mut rest = args.into_iter();
    while let Some(a) = rest.next() {
        if ["--rdap-bootstrap", "--breaches-api", "--osv-api"].contains(&a.as_str()) {
            rest.next();
        } else {
            quiet.push(a);
        }
    }
    quiet.extend(["--dry-run", "--no-rdap", "--no-breaches", "--no-osv"].map(String::from));
    let (code, stdout, stderr) = support::run_vetted(quiet).await;
    assert_eq!(code, Some(0), "{stdout}\n{stderr}");
    let asked: Vec<String> = server.received_requests().await.unwrap()[asked_before..]
        .iter()
        .map(|r| r.url.path().to_string())
        .collect();
    assert!(
        asked.iter().all(|p| !p.starts_with("/iana")
            && !p.starts_with("/rdap")
            && !p.starts_with("/hibp")
            && !p.starts_with("/osv")),
        "{asked:?}"
    );
    assert!(
        !stdout.contains("rdap.") && !stdout.contains("osv."),
        "{stdout}"
    );
    // Nor asked anywhere else (their default addresses): no failure names
    // them.
    assert!(
        !stdout.lines().any(|l| ["  rdap ", "  breaches ", "  osv "]
            .iter()
            .any(|p| l.starts_with(p))),
        "{stdout}"
    );
}
