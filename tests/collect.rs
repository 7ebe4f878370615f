//! `vetted collect` against real servers on loopback: a TLS front (test CA)
//! before wiremock or a deliberately misbehaving server. The guard, the caps
//! and the time-outs are tested through the real HTTP stack.

mod support;

use std::path::Path;
use std::sync::atomic::Ordering;
use std::time::Duration;

use serde_json::json;
use support::{TlsFront, VENDOR, files, raw_server, shared, tls_front, value};
use url::Url;
use vetted::date::Date;
use vetted::evidence::collect::{Quiet, Sources};
use vetted::evidence::fetch::{FetchError, Fetcher, HttpFetcher, Options, TimeLimit, USER_AGENT};
use vetted::manifest::{Collected, Vendor};
use wiremock::matchers::{header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

fn as_of() -> Date {
    "2026-11-27".parse().unwrap()
}

const OBSERVED: &str = "2026-11-27T10:00:00Z";

async fn setup() -> (MockServer, TlsFront) {
    let server = MockServer::start().await;
    let front = tls_front(*server.address()).await;
    (server, front)
}

fn fetcher(options: Options) -> HttpFetcher {
    HttpFetcher::new(options).unwrap()
}

async fn get(f: &HttpFetcher, url: &str) -> Result<vetted::evidence::fetch::Response, FetchError> {
    f.fetch(Url::parse(url).unwrap(), true).await
}

fn redirect(to: String) -> ResponseTemplate {
    ResponseTemplate::new(302).insert_header("location", to.as_str())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fetches_over_tls_as_vetted_without_compression() {
    let (server, front) = setup().await;
    Mock::given(method("GET"))
        .and(path("/hello"))
        .and(header("user-agent", USER_AGENT))
        .and(header("accept-encoding", "identity"))
        .respond_with(
            ResponseTemplate::new(200)
                .insert_header("strict-transport-security", "max-age=63072000")
                .set_body_string("hi"),
        )
        .mount(&server)
        .await;
    let r = get(&fetcher(front.options()), &front.url("/hello"))
        .await
        .unwrap();
    assert_eq!(r.status, 200, "the user agent and accept-encoding matched");
    assert_eq!(r.body, b"hi");
    assert_eq!(r.hsts.as_deref(), Some("max-age=63072000"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn plain_http_is_refused_at_the_start_and_after_a_redirect() {
    let (server, front) = setup().await;
    let f = fetcher(front.options());
    assert!(matches!(
        get(&f, &format!("http://{VENDOR}:{}/", server.address().port())).await,
        Err(FetchError::NotHttps(_))
    ));
    Mock::given(path("/to-http"))
        .respond_with(redirect(format!(
            "http://{VENDOR}:{}/plain",
            server.address().port()
        )))
        .mount(&server)
        .await;
    let e = get(&f, &front.url("/to-http")).await.unwrap_err();
    assert!(matches!(e, FetchError::NotHttps(_)), "{e:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_guard_refuses_internal_addresses() {
    let (server, front) = setup().await;
    let port = front.addr.port();
    Mock::given(path("/to-loopback"))
        .respond_with(redirect(format!("https://127.0.0.1:{port}/secret")))
        .mount(&server)
        .await;
    Mock::given(path("/to-localhost"))
        .respond_with(redirect(format!("https://localhost:{port}/secret")))
        .mount(&server)
        .await;
    Mock::given(path("/secret"))
        .respond_with(ResponseTemplate::new(200).set_body_string("internal"))
        .mount(&server)
        .await;
    let f = fetcher(front.options());

    // A public name (pinned, as if DNS said so) redirecting to a loopback
    // literal: refused at the redirect.
    let e = get(&f, &front.url("/to-loopback")).await.unwrap_err();
    assert!(
        matches!(
            e,
            FetchError::Private {
                kind: "loopback",
                ..
            }
        ),
        "{e:?}"
    );
    // A redirect to a name that resolves to loopback: refused after DNS.
    let e = get(&f, &front.url("/to-localhost")).await.unwrap_err();
    assert!(
        matches!(e, FetchError::Private { kind: "loopback", ref host, .. } if host == "localhost"),
        "{e:?}"
    );
    // IP literals and names straight away.
    for url in [
        format!("https://127.0.0.1:{port}/secret"),
        format!("https://localhost:{port}/secret"),
        format!("https://[::ffff:127.0.0.1]:{port}/secret"),
        // IPv4-translated (::ffff:0:0:0/96) was taken for public.
        format!("https://[::ffff:0:7f00:1]:{port}/secret"),
        format!("https://[64:ff9b:1::7f00:1]:{port}/secret"),
        format!("https://192.88.99.1:{port}/secret"),
    ] {
        let e = get(&f, &url).await.unwrap_err();
        assert!(matches!(e, FetchError::Private { .. }), "{url}: {e:?}");
    }
    // --allow-private-network lifts it.
    let open = fetcher(Options {
        allow_private_network: true,
        ..front.options()
    });
    let r = get(&open, &front.url("/to-localhost")).await.unwrap();
    assert_eq!(r.body, b"internal");
    assert!(
        r.final_url.starts_with("https://localhost:"),
        "{}",
        r.final_url
    );
    server.verify().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn redirects_are_bounded() {
    let (server, front) = setup().await;
    for i in 0..7 {
        Mock::given(path(format!("/r{i}")))
            .respond_with(redirect(front.url(&format!("/r{}", i + 1))))
            .mount(&server)
            .await;
    }
    Mock::given(path("/r7"))
        .respond_with(ResponseTemplate::new(200))
        .mount(&server)
        .await;
    let f = fetcher(front.options());
    // r2 -> r7 is five redirects: followed.
    assert_eq!(get(&f, &front.url("/r2")).await.unwrap().status, 200);
    // r1 -> r7 is six: refused.
    let e = get(&f, &front.url("/r1")).await.unwrap_err();
    assert_eq!(e, FetchError::TooManyRedirects(5));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_trickling_server_hits_the_time_out() {
    // One byte every 100 ms never trips the 1-second read time-out, so only
    // the total time-out can stop it.
    let (upstream, sent) = raw_server(
        "HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n",
        1,
        Duration::from_millis(100),
        100_000,
    )
    .await;
    let front = tls_front(upstream).await;
    let f = fetcher(Options {
        read_timeout: Duration::from_secs(1),
        total_timeout: Duration::from_secs(2),
        ..front.options()
    });
    let e = get(&f, &front.url("/slow")).await.unwrap_err();
    assert_eq!(e, FetchError::Timeout(TimeLimit::Total, 2));
    assert!(sent.load(Ordering::SeqCst) < 100, "it stopped reading");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stalled_server_hits_the_read_time_out_and_says_so() {
    // One byte, then silence for 5 s: the 1-second read time-out stops it
    // long before the 10-second total, and the reason names the right one.
    let (upstream, _) = raw_server(
        "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n",
        1,
        Duration::from_secs(5),
        2,
    )
    .await;
    let front = tls_front(upstream).await;
    let f = fetcher(Options {
        read_timeout: Duration::from_secs(1),
        total_timeout: Duration::from_secs(10),
        ..front.options()
    });
    let started = std::time::Instant::now();
    let e = get(&f, &front.url("/stall")).await.unwrap_err();
    assert_eq!(e, FetchError::Timeout(TimeLimit::Read, 1));
    assert_eq!(e.to_string(), "timed out: no data for 1 s");
    assert!(started.elapsed() < Duration::from_secs(5));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_50_mb_body_stops_at_the_cap() {
    // Announced: refused from its Content-Length.
    let (server, front) = setup().await;
    Mock::given(path("/big"))
        .respond_with(ResponseTemplate::new(200).set_body_bytes(vec![b'x'; 50 << 20]))
        .mount(&server)
        .await;
    let f = fetcher(front.options());
    assert_eq!(
        get(&f, &front.url("/big")).await.unwrap_err(),
        FetchError::TooLarge(1 << 20)
    );

    // Unannounced (read until close): stopped while streaming, long before
    // the server could send it all.
    let (upstream, sent) = raw_server(
        "HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n",
        64 << 10,
        Duration::ZERO,
        50 << 20,
    )
    .await;
    let front = tls_front(upstream).await;
    let f = fetcher(front.options());
    assert_eq!(
        get(&f, &front.url("/stream")).await.unwrap_err(),
        FetchError::TooLarge(1 << 20)
    );
    tokio::time::sleep(Duration::from_millis(300)).await;
    let total = sent.load(Ordering::SeqCst);
    assert!(total < 16 << 20, "the server sent {total} bytes");
}

fn vendor(front: &TlsFront, repository: bool) -> Vendor {
    Vendor {
        name: "Test".into(),
        website: Some(front.url("/")),
        docs: Some(front.url("/docs/")),
        repository: repository.then(|| "https://github.com/acme/bot".to_string()),
        egress_ips: vec![],
        providers: vec![],
        packages: vec![],
    }
}

fn sources(front: &TlsFront) -> Sources {
    Sources {
        github_api: Url::parse(&front.url("/api/")).unwrap(),
        raw_content: Url::parse(&front.url("/raw/")).unwrap(),
        scorecard_api: Url::parse(&front.url("/scorecard/")).unwrap(),
        // Asked for only by the tests of those collectors (tests/outside_in.rs).
        rdap_bootstrap: None,
        rdap_cache: None,
        breaches_api: None,
        osv_api: None,
        dns: None,
    }
}

async fn gather(front: &TlsFront, vendor: &Vendor) -> Collected {
    vetted::evidence::gather(
        vendor,
        &fetcher(front.options()),
        &sources(front),
        8,
        as_of(),
        OBSERVED,
        &mut Quiet,
    )
    .await
}

async fn serve(server: &MockServer, at: &str, status: u16, body: Vec<u8>, content_type: &str) {
    Mock::given(path(at))
        .respond_with(ResponseTemplate::new(status).set_body_raw(body, content_type))
        .mount(server)
        .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_404_is_a_fact_and_failures_are_recorded() {
    let (server, front) = setup().await;
    // Nothing mounted but the website: every other URL is a 404.
    Mock::given(path("/"))
        .respond_with(ResponseTemplate::new(200))
        .mount(&server)
        .await;
    let c = gather(&front, &vendor(&front, true)).await;
    assert_eq!(value(&c, "security-txt.status"), json!("missing"));
    assert_eq!(
        c.facts["security-txt.status"].detail.as_deref(),
        Some("HTTP 404")
    );
    assert_eq!(value(&c, "security-insights.present"), json!(false));
    assert_eq!(value(&c, "website.transport"), json!("https-only"));
    assert_eq!(value(&c, "transport.overall"), json!("https-only"));
    let failed: Vec<(&str, &str)> = c
        .failures
        .iter()
        .map(|f| (f.collector.as_str(), f.reason.as_str()))
        .collect();
    assert!(failed.contains(&("repository", "HTTP 404")), "{failed:?}");
    assert!(failed.contains(&("scorecard", "HTTP 404")), "{failed:?}");
    assert!(c.facts.values().all(|f| f.observed == OBSERVED));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_security_txt_is_a_failure_not_missing() {
    let (server, front) = setup().await;
    serve(
        &server,
        "/.well-known/security.txt",
        403,
        b"denied".to_vec(),
        "text/plain",
    )
    .await;
    let c = gather(&front, &vendor(&front, false)).await;
    assert!(!c.facts.contains_key("security-txt.status"), "{c:#?}");
    assert!(
        c.failures
            .iter()
            .any(|f| f.collector == "security-txt" && f.reason == "HTTP 403"),
        "{c:#?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_html_security_txt_is_invalid_and_hsts_is_read() {
    let (server, front) = setup().await;
    let html = std::fs::read("tests/fixtures/security-txt/html-page.txt").unwrap();
    serve(&server, "/.well-known/security.txt", 200, html, "text/html").await;
    Mock::given(path("/"))
        .respond_with(
            ResponseTemplate::new(200)
                .insert_header("strict-transport-security", "max-age=31536000"),
        )
        .mount(&server)
        .await;
    Mock::given(path("/docs/"))
        .respond_with(
            ResponseTemplate::new(200).insert_header("strict-transport-security", "max-age=0"),
        )
        .mount(&server)
        .await;
    let c = gather(&front, &vendor(&front, false)).await;
    assert_eq!(value(&c, "security-txt.status"), json!("invalid"));
    let detail = c.facts["security-txt.status"].detail.clone().unwrap();
    assert!(detail.contains("HTML"), "{detail}");
    assert!(detail.contains("text/plain"), "{detail}");
    assert_eq!(value(&c, "website.transport"), json!("hsts"));
    assert_eq!(value(&c, "website.hsts-max-age"), json!(31536000));
    // max-age=0 switches HSTS off: the weaker site sets the overall level.
    assert_eq!(value(&c, "docs.transport"), json!("https-only"));
    assert_eq!(value(&c, "transport.overall"), json!("https-only"));
    assert!(c.failures.is_empty(), "{:?}", c.failures);
}

/// Serves each file in turn where `at` says and collects; returns the
/// results by file name.
async fn collect_each(dir: &Path, at: &str, repository: bool) -> Vec<(String, Collected)> {
    let mut out = Vec::new();
    for file in files(dir) {
        let (server, front) = setup().await;
        serve(
            &server,
            at,
            200,
            std::fs::read(&file).unwrap(),
            "text/plain",
        )
        .await;
        let c = gather(&front, &vendor(&front, repository)).await;
        out.push((file.file_name().unwrap().to_string_lossy().into_owned(), c));
    }
    out
}

fn find<'a>(all: &'a [(String, Collected)], prefix: &str) -> &'a Collected {
    &all.iter()
        .find(|(n, _)| n.starts_with(prefix))
        .unwrap_or_else(|| panic!("no fixture {prefix}"))
        .1
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_security_txt_fixture_is_collected() {
    let own = collect_each(
        Path::new("tests/fixtures/security-txt"),
        "/.well-known/security.txt",
        false,
    )
    .await;
    assert_eq!(
        value(find(&own, "valid-crlf"), "security-txt.status"),
        json!("valid")
    );
    assert_eq!(
        value(find(&own, "no-expires"), "security-txt.status"),
        json!("incomplete")
    );
    let Some(dir) = shared("security-txt") else {
        return;
    };
    let all = collect_each(&dir, "/.well-known/security.txt", false).await;
    assert!(all.len() >= 30);
    for (name, c) in &all {
        assert!(
            c.facts.contains_key("security-txt.status"),
            "{name}: {c:#?}"
        );
    }
    let g = find(&all, "001-");
    assert_eq!(value(g, "security-txt.status"), json!("valid"));
    assert_eq!(value(g, "security-txt.expires"), json!("2027-04-30"));
    assert_eq!(value(g, "security-txt.signed"), json!(true));
    // Canonical names grapheneos.org, not where the test served it.
    let detail = g.facts["security-txt.status"]
        .detail
        .clone()
        .unwrap_or_default();
    assert!(detail.contains("Canonical"), "{detail}");
    assert_eq!(
        value(find(&all, "002-"), "security-txt.status"),
        json!("incomplete")
    );
    assert_eq!(
        value(find(&all, "007-"), "security-txt.status"),
        json!("expired")
    );
    assert_eq!(
        value(find(&all, "010-"), "security-txt.expires"),
        json!("2025-06-30")
    );
    let o = find(&all, "026-");
    assert_eq!(value(o, "security-txt.status"), json!("expired"));
    assert_eq!(
        value(o, "security-txt.contact").as_array().unwrap().len(),
        3
    );
}

/// Serves `body` as the security.txt and collects.
async fn collect_security_txt(body: Vec<u8>) -> Collected {
    let (server, front) = setup().await;
    serve(
        &server,
        "/.well-known/security.txt",
        200,
        body,
        "text/plain; charset=utf-8",
    )
    .await;
    gather(&front, &vendor(&front, false)).await
}

fn detail(c: &Collected, fact: &str) -> String {
    c.facts
        .get(fact)
        .unwrap_or_else(|| panic!("no fact {fact}: {c:#?}"))
        .detail
        .clone()
        .unwrap_or_default()
}

/// Real files, and variants of them made here, read as RFC 9116 says:
/// byte-order marks and UTF-16 change nothing but a note, empty values
/// count for nothing, bad values are named, and a signature counts only
/// whole and is said to be unverified.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn security_txt_is_read_as_the_rfc_says() {
    let Some(dir) = shared("security-txt") else {
        return;
    };
    let real = |prefix: &str| {
        let path = files(&dir)
            .into_iter()
            .find(|p| p.file_name().unwrap().to_string_lossy().starts_with(prefix))
            .unwrap();
        std::fs::read(path).unwrap()
    };
    let facts = |c: &Collected| {
        ["status", "signed", "expires", "contact", "has-policy"].map(|f| {
            c.facts
                .get(&format!("security-txt.{f}"))
                .map(|f| f.value.clone())
        })
    };
    // Signed and expired; Contact first and expired; Contact first, valid.
    for prefix in ["007-", "053-", "008-", "001-"] {
        let plain = real(prefix);
        let text = String::from_utf8(plain.clone()).unwrap();
        let expected = facts(&collect_security_txt(plain.clone()).await);
        let mut bom = b"\xEF\xBB\xBF".to_vec();
        bom.extend(&plain);
        let mut le = vec![0xFF, 0xFE];
        le.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
        let mut be = vec![0xFE, 0xFF];
        be.extend(text.encode_utf16().flat_map(u16::to_be_bytes));
        for (variant, body, note) in [
            ("UTF-8 BOM", bom, "byte-order mark"),
            ("UTF-16LE", le, "UTF-16"),
            ("UTF-16BE", be, "UTF-16"),
        ] {
            let c = collect_security_txt(body).await;
            assert_eq!(facts(&c), expected, "{prefix} with {variant}");
            assert!(
                detail(&c, "security-txt.status").contains(note),
                "{prefix} {variant}: {}",
                detail(&c, "security-txt.status")
            );
        }
    }

    // An empty Policy is no policy.
    let text = String::from_utf8(real("002-")).unwrap().replace(
        "Policy: https://www.gov.uk/help/report-vulnerability",
        "Policy: ",
    );
    let c = collect_security_txt(text.into_bytes()).await;
    assert_eq!(value(&c, "security-txt.has-policy"), json!(false));
    assert!(
        detail(&c, "security-txt.has-policy").contains("empty Policy ignored"),
        "{c:#?}"
    );

    // A Contact that is a bare address: named on the contact and the status.
    let c = collect_security_txt(real("004-")).await;
    for fact in ["security-txt.contact", "security-txt.status"] {
        assert!(
            detail(&c, fact).contains("`security@almalinux.org` is not a URI"),
            "{fact}: {c:#?}"
        );
    }

    // Signed: said to be unverified. Cut off: not signed, and why.
    let signed = real("007-");
    let c = collect_security_txt(signed.clone()).await;
    assert_eq!(value(&c, "security-txt.signed"), json!(true));
    assert!(detail(&c, "security-txt.signed").contains("not verified"));
    let text = String::from_utf8(signed).unwrap();
    let cut = &text[..text.find("-----END PGP SIGNATURE-----").unwrap()];
    let c = collect_security_txt(cut.as_bytes().to_vec()).await;
    assert_eq!(value(&c, "security-txt.signed"), json!(false));
    assert!(
        detail(&c, "security-txt.signed").contains("END PGP SIGNATURE"),
        "{c:#?}"
    );
    assert_eq!(value(&c, "security-txt.status"), json!("expired"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_security_insights_fixture_is_collected() {
    let at = "/raw/acme/bot/HEAD/security-insights.yml";
    let own = collect_each(Path::new("tests/fixtures/collect/insights"), at, true).await;
    let v2 = find(&own, "v2-");
    assert_eq!(value(v2, "security-insights.version"), json!("2.0.0"));
    assert_eq!(value(v2, "security-insights.bug-bounty"), json!(true));
    let Some(dir) = shared("security-insights") else {
        return;
    };
    let all = collect_each(&dir, at, true).await;
    assert!(all.len() >= 20);
    for (name, c) in &all {
        assert_eq!(value(c, "security-insights.present"), json!(true), "{name}");
    }
    let scorecard = find(&all, "022-");
    assert_eq!(
        value(scorecard, "security-insights.version"),
        json!("2.0.0")
    );
    // Last updated 2025-11-25: a year and two days before the as-of date.
    assert_eq!(value(scorecard, "security-insights.current"), json!(false));
    let argo = find(&all, "001-");
    assert!(argo.facts.contains_key("security-insights.version"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn repository_and_scorecard_fixtures_are_collected() {
    let own = collect_each(
        Path::new("tests/fixtures/collect/repo"),
        "/api/repos/acme/bot",
        true,
    )
    .await;
    let r = find(&own, "archived");
    assert_eq!(value(r, "repository.archived"), json!(true));
    assert_eq!(value(r, "repository.license"), json!("MIT"));
    assert_eq!(value(r, "repository.pushed"), json!("2024-02-03"));
    let own = collect_each(
        Path::new("tests/fixtures/collect/scorecard"),
        "/scorecard/projects/github.com/acme/bot",
        true,
    )
    .await;
    let s = find(&own, "scorecard");
    assert_eq!(value(s, "scorecard.score"), json!(6.5));
    assert_eq!(value(s, "scorecard.check.code-review"), json!(9));
    assert!(
        !s.facts.contains_key("scorecard.check.signed-releases"),
        "-1 is no result"
    );

    if let Some(dir) = shared("github-repo") {
        let mut all = Vec::new();
        for file in files(&dir) {
            let body = std::fs::read(&file).unwrap();
            let name: serde_json::Value = serde_json::from_slice(&body).unwrap();
            let repo = name["full_name"].as_str().unwrap().to_string();
            let c = collect_repository(&repo, &format!("/api/repos/{repo}"), body).await;
            all.push((file.file_name().unwrap().to_string_lossy().into_owned(), c));
        }
        for (name, c) in &all {
            assert!(c.facts.contains_key("repository.license"), "{name}: {c:#?}");
        }
        assert_eq!(
            value(find(&all, "001-"), "repository.license"),
            json!("Apache-2.0")
        );
        assert_eq!(
            value(find(&all, "003-"), "repository.license"),
            json!("MIT")
        );
        // `"license": null`: the API says there is none.
        assert_eq!(
            value(find(&all, "007-"), "repository.license"),
            json!("none")
        );
        assert_eq!(
            value(find(&all, "001-"), "repository.archived"),
            json!(false)
        );
    }
    if let Some(dir) = shared("scorecard") {
        let mut all = Vec::new();
        for file in files(&dir) {
            let body = std::fs::read(&file).unwrap();
            let card: serde_json::Value = serde_json::from_slice(&body).unwrap();
            let named = card["repo"]["name"].as_str().unwrap();
            let repo = named
                .strip_prefix("github.com/")
                .unwrap_or(named)
                .to_string();
            let c = collect_repository(
                &repo,
                &format!("/scorecard/projects/github.com/{repo}"),
                body,
            )
            .await;
            all.push((file.file_name().unwrap().to_string_lossy().into_owned(), c));
        }
        for (name, c) in &all {
            if name.starts_with("009-") {
                continue;
            }
            assert!(c.facts.contains_key("scorecard.score"), "{name}: {c:#?}");
        }
        let s = find(&all, "001-");
        assert_eq!(value(s, "scorecard.score"), json!(9.7));
        assert_eq!(value(s, "scorecard.date"), json!("2025-11-15"));
        assert_eq!(value(s, "scorecard.check.code-review"), json!(10));
        assert!(!s.facts.contains_key("scorecard.check.branch-protection"));
        // A format test whose repository is the placeholder `org/name`, on
        // no host: it cannot be about the GitHub repository asked for.
        let placeholder = find(&all, "009-");
        assert!(!placeholder.facts.contains_key("scorecard.score"));
        assert!(
            placeholder
                .failures
                .iter()
                .any(|f| f.collector == "scorecard" && f.reason.contains("org/name")),
            "{placeholder:#?}"
        );
    }
}

/// Collects for the GitHub repository `repo` (OWNER/NAME) with `body`
/// served at `at` (and every other path a 404).
async fn collect_repository(repo: &str, at: &str, body: Vec<u8>) -> Collected {
    let (server, front) = setup().await;
    serve(&server, at, 200, body, "application/json").await;
    let vendor = Vendor {
        repository: Some(format!("https://github.com/{repo}")),
        ..vendor(&front, false)
    };
    gather(&front, &vendor).await
}

fn failed<'a>(c: &'a Collected, collector: &str) -> Vec<&'a str> {
    c.failures
        .iter()
        .filter(|f| f.collector == collector)
        .map(|f| f.reason.as_str())
        .collect()
}

/// A repository or Scorecard answer about another repository, or a
/// Scorecard score with no check behind it, used to be taken as fact. Now
/// it is a recorded failure; names compare without regard to case, and a
/// redirect by the API (a renamed repository) is followed and said.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn answers_must_be_about_the_repository_asked_for() {
    let (Some(repos), Some(cards)) = (shared("github-repo"), shared("scorecard")) else {
        return;
    };
    let real = |dir: &Path, prefix: &str| {
        let path = files(dir)
            .into_iter()
            .find(|p| p.file_name().unwrap().to_string_lossy().starts_with(prefix))
            .unwrap();
        std::fs::read(path).unwrap()
    };
    let repo_json = real(&repos, "001-"); // ossf/scorecard
    let card_json = real(&cards, "001-"); // github.com/ossf/scorecard

    // Served for acme/bot: about another repository.
    let c = collect_repository("acme/bot", "/api/repos/acme/bot", repo_json.clone()).await;
    assert!(
        !c.facts.keys().any(|k| k.starts_with("repository.")),
        "{c:#?}"
    );
    let why = failed(&c, "repository");
    assert!(
        why.iter()
            .any(|r| r.contains("ossf/scorecard") && r.contains("acme/bot")),
        "{why:?}"
    );
    let c = collect_repository(
        "acme/bot",
        "/scorecard/projects/github.com/acme/bot",
        card_json.clone(),
    )
    .await;
    assert!(
        !c.facts.keys().any(|k| k.starts_with("scorecard.")),
        "{c:#?}"
    );
    assert!(
        failed(&c, "scorecard")
            .iter()
            .any(|r| r.contains("github.com/ossf/scorecard")),
        "{c:#?}"
    );

    // The same names in other cases: GitHub names are case-insensitive.
    let c = collect_repository(
        "OSSF/Scorecard",
        "/api/repos/OSSF/Scorecard",
        repo_json.clone(),
    )
    .await;
    assert_eq!(value(&c, "repository.license"), json!("Apache-2.0"));
    let c = collect_repository(
        "OSSF/Scorecard",
        "/scorecard/projects/github.com/OSSF/Scorecard",
        card_json.clone(),
    )
    .await;
    assert_eq!(value(&c, "scorecard.score"), json!(9.7));

    // A renamed repository: the API redirects to the repository by id.
    let (server, front) = setup().await;
    Mock::given(path("/api/repos/ossf/old-name"))
        .respond_with(
            ResponseTemplate::new(301).insert_header("location", front.url("/api/repositories/42")),
        )
        .mount(&server)
        .await;
    serve(
        &server,
        "/api/repositories/42",
        200,
        repo_json.clone(),
        "application/json",
    )
    .await;
    let vendor = Vendor {
        repository: Some("https://github.com/ossf/old-name".into()),
        ..vendor(&front, false)
    };
    let c = gather(&front, &vendor).await;
    assert_eq!(value(&c, "repository.license"), json!("Apache-2.0"));
    let note = c.facts["repository.license"]
        .detail
        .clone()
        .unwrap_or_default();
    assert!(
        note.contains("ossf/old-name") && note.contains("ossf/scorecard"),
        "{note}"
    );

    // A score with no check behind it: no checks at all, or none that ran.
    let mut card: serde_json::Value = serde_json::from_slice(&card_json).unwrap();
    card.as_object_mut().unwrap().remove("checks");
    let bare = serde_json::to_vec(&card).unwrap();
    let mut card: serde_json::Value = serde_json::from_slice(&card_json).unwrap();
    for check in card["checks"].as_array_mut().unwrap() {
        check["score"] = json!(-1);
    }
    let none_ran = serde_json::to_vec(&card).unwrap();
    for body in [bare, none_ran] {
        let c = collect_repository(
            "ossf/scorecard",
            "/scorecard/projects/github.com/ossf/scorecard",
            body,
        )
        .await;
        assert!(!c.facts.contains_key("scorecard.score"), "{c:#?}");
        assert!(
            failed(&c, "scorecard").iter().any(|r| r.contains("check")),
            "{c:#?}"
        );
    }
}

/// A repository answer without a `license` key says nothing about the
/// licence: unknown, not "none" (which `"license": null` means).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_missing_licence_field_is_unknown_not_none() {
    let Some(dir) = shared("github-repo") else {
        return;
    };
    let path = files(&dir)
        .into_iter()
        .find(|p| p.file_name().unwrap().to_string_lossy().starts_with("001-"))
        .unwrap();
    let mut repo: serde_json::Value =
        serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap();
    repo.as_object_mut().unwrap().remove("license");
    let c = collect_repository(
        "ossf/scorecard",
        "/api/repos/ossf/scorecard",
        serde_json::to_vec(&repo).unwrap(),
    )
    .await;
    assert!(!c.facts.contains_key("repository.license"), "{c:#?}");
    assert_eq!(value(&c, "repository.archived"), json!(false));
}

/// `vetted collect` as a user runs it: the real binary, flags for the test
/// CA, the pinned name and the API bases; guard on.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_command_fills_answers_keeps_people_s_and_reports_contradictions() {
    let (server, front) = setup().await;
    let expired = std::fs::read("tests/fixtures/security-txt/signed-expired.txt").unwrap();
    serve(
        &server,
        "/.well-known/security.txt",
        200,
        expired,
        "text/plain",
    )
    .await;
    for p in ["/", "/docs/"] {
        Mock::given(path(p))
            .respond_with(ResponseTemplate::new(200))
            .mount(&server)
            .await;
    }
    let repo = std::fs::read("tests/fixtures/collect/repo/archived.json").unwrap();
    serve(
        &server,
        "/api/repos/acme/bot",
        200,
        repo,
        "application/json",
    )
    .await;
    let card = std::fs::read("tests/fixtures/collect/scorecard/scorecard.json").unwrap();
    serve(
        &server,
        "/scorecard/projects/github.com/acme/bot",
        200,
        card,
        "application/json",
    )
    .await;

    let dir = tempfile::tempdir().unwrap();
    let manifest = dir.path().join("vendor.yaml");
    let original = support::well_run_example_at(&front.url("/"), &front.url("/docs/"))
        .replace(
            "https://code.tidewater.example/tidewater/exchange-connectors\n",
            "https://github.com/acme/bot\n",
        )
        .replacen(
            "    value: valid\n    source: collected\n",
            "    value: valid\n    source: vendor-claim\n",
            1,
        );
    assert!(original.contains(&front.url("/docs/")));
    std::fs::write(&manifest, &original).unwrap();
    let ca = dir.path().join("ca.pem");
    std::fs::write(&ca, &front.ca_pem).unwrap();

    let mut args: Vec<String> = vec![
        "collect".into(),
        manifest.display().to_string(),
        "--as-of".into(),
        "2026-11-27".into(),
        "--ca-cert".into(),
        ca.display().to_string(),
        "--resolve".into(),
        format!("{VENDOR}:{}:127.0.0.1", front.addr.port()),
        "--github-api".into(),
        front.url("/api/"),
        "--raw-content".into(),
        front.url("/raw/"),
        "--scorecard-api".into(),
        front.url("/scorecard/"),
        "--no-dns".into(),
    ];
    args.extend(support::NO_THIRD_PARTIES.map(String::from));
    let run = |extra: &'static [&'static str]| {
        let mut args = args.clone();
        args.extend(extra.iter().map(|s| s.to_string()));
        tokio::task::spawn_blocking(move || {
            let out = assert_cmd::Command::cargo_bin("vetted")
                .unwrap()
                .args(&args)
                // Proxy variables are ignored: with them obeyed, every
                // fetch would go to a port where nothing listens and fail.
                .env("HTTPS_PROXY", "http://127.0.0.1:9")
                .env("https_proxy", "http://127.0.0.1:9")
                .env("ALL_PROXY", "http://127.0.0.1:9")
                .output()
                .unwrap();
            (
                out.status.code(),
                String::from_utf8(out.stdout).unwrap(),
                String::from_utf8(out.stderr).unwrap(),
            )
        })
    };

    // Dry run: says what would change, changes nothing.
    let (code, stdout, stderr) = run(&["--dry-run"]).await.unwrap();
    assert_eq!(code, Some(0), "{stdout}\n{stderr}");
    assert!(stdout.contains("Would fill"), "{stdout}");
    assert!(
        stdout.contains("operations.tls: \"hsts\" -> \"https-only\" (from transport.overall)"),
        "{stdout}"
    );
    assert!(
        stdout.contains("open_source.last_push: \"2026-11-12\" -> \"2024-02-03\""),
        "{stdout}"
    );
    assert!(stdout.contains("Contradictions"), "{stdout}");
    assert!(stdout.contains("documentation.security_txt: answered `valid` (vendor-claim), but collected security-txt.status = `expired`"), "{stdout}");
    assert!(
        stderr.contains("HTTP 200"),
        "plain progress lines off a terminal: {stderr}"
    );
    assert_eq!(std::fs::read_to_string(&manifest).unwrap(), original);
    assert!(!dir.path().join("vendor.yaml.bak").exists());

    // For real: backed up, rewritten, people's answers kept.
    let (code, stdout, stderr) = run(&[]).await.unwrap();
    assert_eq!(code, Some(0), "{stdout}\n{stderr}");
    assert_eq!(
        std::fs::read_to_string(dir.path().join("vendor.yaml.bak")).unwrap(),
        original
    );
    let catalog = vetted::load_catalog(None).unwrap();
    let loaded =
        vetted::manifest::load("vendor.yaml", std::fs::read(&manifest).unwrap(), &catalog).unwrap();
    let m = &loaded.manifest;
    // Collecting today re-dates the assessment to the day of observation.
    assert_eq!(m.assessment.date, Date::today_utc());
    let tls = &m.answers["operations.tls"];
    assert_eq!(tls.value.to_json(), json!("https-only"));
    assert_eq!(tls.source, vetted::manifest::Provenance::Collected);
    assert_eq!(tls.evidence[0].url, front.url("/"));
    let txt = &m.answers["documentation.security_txt"];
    assert_eq!(
        (txt.value.to_json(), txt.source),
        (json!("valid"), vetted::manifest::Provenance::VendorClaim)
    );
    let facts = &m.collected.as_ref().unwrap().facts;
    assert_eq!(facts["security-txt.status"].value, json!("expired"));
    assert_eq!(facts["repository.archived"].value, json!(true));

    // The assessment shows the contradiction as a finding.
    let out = assert_cmd::Command::cargo_bin("vetted")
        .unwrap()
        .args([
            "assess",
            &manifest.display().to_string(),
            "--format",
            "json",
        ])
        .output()
        .unwrap();
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let findings = report["findings"].as_array().unwrap();
    let c = findings
        .iter()
        .find(|f| f["kind"] == "contradiction")
        .unwrap_or_else(|| panic!("{findings:#?}"));
    assert_eq!(c["id"], "documentation.security_txt");
    assert_eq!(c["severity"], "medium", "a claim better than the evidence");
    assert!(
        c["detail"]
            .as_str()
            .unwrap()
            .contains("expired on 2024-01-01"),
        "{c}"
    );

    // A second run rewrites a file vetted wrote: no second backup.
    let (code, _, _) = run(&[]).await.unwrap();
    assert_eq!(code, Some(0));
    assert!(!dir.path().join("vendor.yaml.bak.1").exists());
}

/// A SOCKS5 proxy on loopback (no authentication) that tunnels every
/// request to `to`, whatever it is asked for, and records what it was asked
/// to connect to: `address IP:PORT` or `name HOST:PORT`.
async fn socks5_proxy(
    to: std::net::SocketAddr,
) -> (
    std::net::SocketAddr,
    std::sync::Arc<std::sync::Mutex<Vec<String>>>,
) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let seen = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let log = seen.clone();
    tokio::spawn(async move {
        while let Ok((mut client, _)) = listener.accept().await {
            let log = log.clone();
            tokio::spawn(async move {
                // Greeting: version 5, the methods offered; choose none.
                let mut head = [0u8; 2];
                if client.read_exact(&mut head).await.is_err() {
                    return;
                }
                let mut methods = vec![0u8; head[1] as usize];
                if client.read_exact(&mut methods).await.is_err()
                    || client.write_all(&[5, 0]).await.is_err()
                {
                    return;
                }
                // Request: 5, CONNECT, 0, address type, address, port.
                let mut req = [0u8; 4];
                if client.read_exact(&mut req).await.is_err() {
                    return;
                }
                let target = match req[3] {
                    1 => {
                        let mut a = [0u8; 4];
                        client.read_exact(&mut a).await.unwrap();
                        format!("address {}", std::net::Ipv4Addr::from(a))
                    }
                    4 => {
                        let mut a = [0u8; 16];
                        client.read_exact(&mut a).await.unwrap();
                        format!("address [{}]", std::net::Ipv6Addr::from(a))
                    }
                    _ => {
                        let mut n = [0u8; 1];
                        client.read_exact(&mut n).await.unwrap();
                        let mut name = vec![0u8; n[0] as usize];
                        client.read_exact(&mut name).await.unwrap();
                        format!("name {}", String::from_utf8_lossy(&name))
                    }
                };
                let mut port = [0u8; 2];
                client.read_exact(&mut port).await.unwrap();
                log.lock()
                    .unwrap()
                    .push(format!("{target}:{}", u16::from_be_bytes(port)));
                let Ok(mut upstream) = tokio::net::TcpStream::connect(to).await else {
                    return;
                };
                if client
                    .write_all(&[5, 0, 0, 1, 0, 0, 0, 0, 0, 0])
                    .await
                    .is_ok()
                {
                    let _ = tokio::io::copy_bidirectional(&mut client, &mut upstream).await;
                }
            });
        }
    });
    (addr, seen)
}

/// An HTTP proxy resolves the names it is asked to connect to itself,
/// after vetted checked them: a name whose DNS answer changes in between
/// (rebinding) would reach an internal address. reqwest can only ask an
/// HTTP proxy for the name (and checks the certificate against what it
/// asked for), so with the guard on such a proxy is refused.
#[test]
fn a_proxy_that_resolves_names_is_refused_while_the_guard_is_on() {
    for proxy in [
        "http://127.0.0.1:3128",
        "https://proxy.example:3129",
        "socks5h://127.0.0.1:1080",
    ] {
        let options = |allow| Options {
            proxy: Some(Url::parse(proxy).unwrap()),
            allow_private_network: allow,
            ..Options::default()
        };
        let e = HttpFetcher::new(options(false))
            .err()
            .unwrap_or_else(|| panic!("{proxy} accepted"));
        assert!(
            matches!(
                e,
                vetted::evidence::fetch::SetupError::ProxyResolvesNames(_)
            ),
            "{proxy}: {e}"
        );
        assert!(e.to_string().contains("rebinding"), "{e}");
        // With the guard off there is nothing to get round.
        assert!(HttpFetcher::new(options(true)).is_ok(), "{proxy}");
    }
    // Credentials in the proxy URL are not repeated in the message.
    let e = HttpFetcher::new(Options {
        proxy: Some(Url::parse("http://user:hunter2@127.0.0.1:3128").unwrap()),
        ..Options::default()
    })
    .err()
    .unwrap();
    assert!(!e.to_string().contains("hunter2"), "{e}");
}

/// Through a SOCKS5 proxy, vetted resolves every name itself, with the
/// guard, and asks the proxy for the address it checked; TLS still names
/// and verifies the host of the URL.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn through_a_socks5_proxy_only_checked_addresses_are_asked_for() {
    let (server, front) = setup().await;
    let port = front.addr.port();
    Mock::given(path("/hello"))
        .respond_with(ResponseTemplate::new(200).set_body_string("via proxy"))
        .mount(&server)
        .await;
    Mock::given(path("/to-localhost"))
        .respond_with(redirect(format!("https://localhost:{port}/secret")))
        .mount(&server)
        .await;
    let (proxy, seen) = socks5_proxy(front.addr).await;
    let f = fetcher(Options {
        proxy: Some(Url::parse(&format!("socks5://{proxy}")).unwrap()),
        ..front.options()
    });
    // A public (here: pinned) name: the proxy is asked for its address,
    // and the TLS handshake names the host.
    let r = get(&f, &front.url("/hello")).await.unwrap();
    assert_eq!(r.body, b"via proxy");
    assert_eq!(
        seen.lock().unwrap().clone(),
        vec![format!("address 127.0.0.1:{port}")]
    );
    assert_eq!(front.sni.lock().unwrap().clone(), vec![VENDOR.to_string()]);
    // A redirect to a name that resolves to an internal address is
    // refused by vetted's own resolver: the proxy is never asked.
    let e = get(&f, &front.url("/to-localhost")).await.unwrap_err();
    assert!(
        matches!(e, FetchError::Private { kind: "loopback", ref host, .. } if host == "localhost"),
        "{e:?}"
    );
    let e = get(&f, &format!("https://localhost:{port}/hello"))
        .await
        .unwrap_err();
    assert!(matches!(e, FetchError::Private { .. }), "{e:?}");
    let asked = seen.lock().unwrap().clone();
    assert!(
        asked
            .iter()
            .all(|l| l.starts_with("address ") && !l.contains("localhost")),
        "{asked:?}"
    );
}

/// On a terminal, progress is a bar that counts the fetches and names the
/// last one, and the report follows it once the bar is cleared.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn on_a_terminal_progress_is_a_bar() {
    let (server, front) = setup().await;
    // A slow home page keeps the bar on screen long enough to be drawn
    // (it redraws at most 20 times a second); every other path is a 404.
    Mock::given(path("/"))
        .respond_with(ResponseTemplate::new(200).set_delay(Duration::from_millis(400)))
        .mount(&server)
        .await;
    let dir = tempfile::tempdir().unwrap();
    let manifest = dir.path().join("vendor.yaml");
    let text = std::fs::read_to_string("examples/read-only-tracker.yaml").unwrap();
    let website = text
        .lines()
        .find_map(|l| l.trim().strip_prefix("website: "))
        .expect("the example names a website")
        .to_string();
    let text = text.replace(
        &format!("website: {website}"),
        &format!("website: {}", front.url("/")),
    );
    std::fs::write(&manifest, &text).unwrap();
    let ca = dir.path().join("ca.pem");
    std::fs::write(&ca, &front.ca_pem).unwrap();

    let mut cmd = std::process::Command::new(assert_cmd::cargo::cargo_bin("vetted"));
    cmd.args(["collect", &manifest.display().to_string(), "--dry-run"])
        .args(["--ca-cert", &ca.display().to_string()])
        .args([
            "--resolve",
            &format!("{VENDOR}:{}:127.0.0.1", front.addr.port()),
        ])
        .args(["--github-api", &front.url("/api/")])
        .args(["--raw-content", &front.url("/raw/")])
        .args(["--scorecard-api", &front.url("/scorecard/")])
        .args(support::NO_THIRD_PARTIES)
        .arg("--no-dns")
        .env("TERM", "xterm-256color");
    let seen = tokio::task::spawn_blocking(move || {
        let mut p = rexpect::session::spawn_command(cmd, Some(20_000)).expect("spawns");
        // The bar: `done/total`, then the last fetch.
        let (_, bar) = p.exp_regex(r"\d+/\d+ HTTP \d+ https://[^\s]+").unwrap();
        let before = p.exp_string("Would fill").unwrap();
        p.exp_eof().unwrap();
        (bar, before)
    })
    .await
    .unwrap();
    let (bar, before) = seen;
    assert!(bar.contains(VENDOR), "{bar}");
    // Cleared before the report: the last thing before the report is the
    // erase-line sequence, not a bar or a line per fetch.
    assert!(!before.contains("\nHTTP "), "{before:?}");
    assert!(before.contains("\u{1b}["), "{before:?}");
}
