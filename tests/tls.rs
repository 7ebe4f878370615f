//! TLS evidence and the website's security headers (`tls.*`, `headers.*`),
//! read from the connection `vetted collect` makes to the website: real
//! TLS fronts on loopback (rcgen certificates that are current, expire
//! soon, have expired or come from an untrusted CA; TLS 1.2-only and
//! 1.3-only servers) before wiremock, serving pages with and without each
//! header. The SSRF guard stays on: the test name is pinned.

mod support;

use std::time::{SystemTime, UNIX_EPOCH};

use serde_json::json;
use support::{Front, TlsFront, VENDOR, tls_front_with, value};
use vetted::date::Date;
use vetted::evidence::collect::{Quiet, Sources};
use vetted::evidence::fetch::{HttpFetcher, Options};
use vetted::manifest::{Collected, Vendor};
use wiremock::matchers::path;
use wiremock::{Mock, MockServer, ResponseTemplate};

const OBSERVED: &str = "2026-11-27T10:00:00Z";
const DAY: i64 = 86_400;

fn now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

/// A front whose certificate is valid from `from` to `to` days from now.
fn valid(from: i64, to: i64) -> Front {
    let now = now();
    Front {
        validity: Some((now + from * DAY, now + to * DAY)),
        ..Front::default()
    }
}

/// A website at `/` answering with `headers`, behind a front as `front`
/// says.
async fn site(front: Front, status: u16, headers: &[(&str, &str)]) -> (MockServer, TlsFront) {
    let server = MockServer::start().await;
    let mut answer = ResponseTemplate::new(status);
    for (k, v) in headers {
        answer = answer.append_header(*k, *v);
    }
    Mock::given(path("/"))
        .respond_with(answer)
        .mount(&server)
        .await;
    let front = tls_front_with(*server.address(), front).await;
    (server, front)
}

fn website(front: &TlsFront) -> Vendor {
    support::vendor_at(front.url("/"))
}

/// The default sources without the registry, breach list and OSV, which
/// these tests do not serve: nothing is asked of the internet.
fn sources() -> Sources {
    Sources {
        rdap_bootstrap: None,
        breaches_api: None,
        osv_api: None,
        ..Sources::default()
    }
}

async fn gather_with(front: &TlsFront, options: Options, as_of: Date) -> Collected {
    vetted::evidence::gather(
        &website(front),
        &HttpFetcher::new(options).unwrap(),
        &sources(),
        4,
        as_of,
        OBSERVED,
        &mut Quiet,
    )
    .await
}

async fn gather(front: &TlsFront) -> Collected {
    gather_with(front, front.options(), Date::today_utc()).await
}

fn reasons(c: &Collected, collector: &str) -> Vec<String> {
    c.failures
        .iter()
        .filter(|f| f.collector == collector)
        .map(|f| f.reason.clone())
        .collect()
}

fn names(c: &Collected, prefix: &str) -> Vec<String> {
    c.facts
        .keys()
        .filter(|n| n.starts_with(prefix))
        .cloned()
        .collect()
}

/// The answer the bundled checklist's question gets from `c`.
fn answer(c: &Collected, question: &str) -> Option<serde_json::Value> {
    let catalog = vetted::load_catalog(None).unwrap();
    let (_, _, q) = catalog.question(question).unwrap();
    q.derive(&c.facts).map(|d| d.answer.to_json())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_current_certificate_gives_its_expiry_issuer_and_version() {
    let front = Front {
        ca_name: Some("Tidewater Issuing CA R7".into()),
        ..valid(-10, 45)
    };
    let (_server, front) = site(front, 200, &[]).await;
    let today = Date::today_utc();
    let c = gather(&front).await;
    assert_eq!(
        value(&c, "tls.not-after"),
        json!(today.plus_days(45).to_string())
    );
    assert_eq!(value(&c, "tls.days-left"), json!(45));
    assert_eq!(value(&c, "tls.issuer"), json!("CN=Tidewater Issuing CA R7"));
    // Both versions offered on both sides: 1.3 wins.
    assert_eq!(value(&c, "tls.version"), json!("TLS 1.3"));
    assert!(reasons(&c, "tls").is_empty(), "{c:#?}");
    assert_eq!(value(&c, "website.transport"), json!("https-only"));
    assert_eq!(answer(&c, "web.certificate"), Some(json!("current")));
    assert_eq!(answer(&c, "web.tls_version"), Some(json!("tls13")));
    // Days left are counted from the assessment date, not the clock.
    let earlier = gather_with(&front, front.options(), today.plus_days(-20)).await;
    assert_eq!(value(&earlier, "tls.days-left"), json!(65));
    assert_eq!(value(&earlier, "tls.not-after"), value(&c, "tls.not-after"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_certificate_that_expires_soon_has_few_days_left() {
    let (_server, front) = site(valid(-80, 3), 200, &[]).await;
    let c = gather(&front).await;
    assert_eq!(value(&c, "tls.days-left"), json!(3));
    assert!(
        value(&c, "tls.lifetime-left").as_u64().unwrap() < 10,
        "{c:#?}"
    );
    assert_eq!(answer(&c, "web.certificate"), Some(json!("expiring")));
    assert!(reasons(&c, "tls").is_empty(), "{c:#?}");
}

/// A short-lived certificate (six days, renewed with two left) is renewed
/// on time: judged by its own lifetime, not by a count of days.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_short_lived_certificate_is_current_with_few_days_left() {
    let (_server, front) = site(valid(-4, 2), 200, &[]).await;
    let c = gather(&front).await;
    assert_eq!(value(&c, "tls.days-left"), json!(2));
    assert!(
        value(&c, "tls.lifetime-left").as_u64().unwrap() >= 33,
        "{c:#?}"
    );
    assert_eq!(answer(&c, "web.certificate"), Some(json!("current")));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_negotiated_version_is_recorded() {
    for (version, expect, answered) in [
        (&rustls::version::TLS12, "TLS 1.2", "tls12"),
        (&rustls::version::TLS13, "TLS 1.3", "tls13"),
    ] {
        let front = Front {
            only: Some(version),
            ..Front::default()
        };
        let (_server, front) = site(front, 200, &[]).await;
        let c = gather(&front).await;
        assert_eq!(value(&c, "tls.version"), json!(expect));
        assert_eq!(answer(&c, "web.tls_version"), Some(json!(answered)));
        assert_eq!(value(&c, "tls.issuer"), json!("CN=vetted test CA"));
    }
}

/// An expired certificate fails verification: the website's fetch fails,
/// a `tls` failure says the certificate expired, and the certificate's
/// dates are still facts because it verifies as of its last valid second.
/// Nothing is read from a page that was never fetched.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_expired_certificate_is_a_failure_never_a_fact() {
    let (_server, front) = site(
        valid(-90, -2),
        200,
        &[("x-content-type-options", "nosniff")],
    )
    .await;
    let today = Date::today_utc();
    let c = gather(&front).await;
    let website = reasons(&c, "website");
    assert!(
        website.len() == 1 && website[0].contains("expired"),
        "{website:?}"
    );
    let tls = reasons(&c, "tls");
    assert!(
        tls.len() == 1
            && tls[0].contains(&format!("expired at {}T", today.plus_days(-2)))
            && tls[0].contains("fails verification")
            && tls[0].contains("nothing proved the server holds its key"),
        "{tls:?}"
    );
    // An expired certificate is refused before the server signs anything
    // with its key: anyone on the path could have presented a copy of the
    // vendor's old one, so it is no fact and answers nothing.
    assert!(names(&c, "tls.").is_empty(), "{c:#?}");
    assert_eq!(answer(&c, "web.certificate"), None);
    assert!(names(&c, "headers.").is_empty(), "{c:#?}");
    assert!(names(&c, "website.").is_empty(), "{c:#?}");
}

/// A certificate from a CA nobody trusts says nothing about the vendor:
/// whether current or expired, it is a failure and never a fact (a machine
/// in the middle could present any certificate it likes).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_untrusted_certificate_gives_no_fact() {
    for front in [valid(-10, 45), valid(-90, -2)] {
        let (_server, front) = site(front, 200, &[("x-content-type-options", "nosniff")]).await;
        let untrusting = Options {
            extra_roots_pem: vec![],
            ..front.options()
        };
        let c = gather_with(&front, untrusting, Date::today_utc()).await;
        assert!(c.facts.is_empty(), "{c:#?}");
        assert_eq!(reasons(&c, "website").len(), 1, "{c:#?}");
        let tls = reasons(&c, "tls");
        assert!(
            tls.len() == 1
                && tls[0].starts_with("no verified certificate was read from vendor.test"),
            "{tls:?}"
        );
    }
}

/// An unreachable website yields failures only.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unreachable_website_gives_no_fact() {
    let (server, front) = site(Front::default(), 200, &[]).await;
    drop(server);
    // A port where nothing listens, pinned for the vendor's name.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = closed.local_addr().unwrap();
    drop(closed);
    let options = Options {
        pinned: vec![(VENDOR.to_string(), addr)],
        ..front.options()
    };
    let vendor = Vendor {
        website: Some(format!("https://{VENDOR}:{}/", addr.port())),
        ..website(&front)
    };
    let c = vetted::evidence::gather(
        &vendor,
        &HttpFetcher::new(options).unwrap(),
        &sources(),
        4,
        Date::today_utc(),
        OBSERVED,
        &mut Quiet,
    )
    .await;
    assert!(c.facts.is_empty(), "{c:#?}");
    assert_eq!(reasons(&c, "tls").len(), 1, "{c:#?}");
    assert!(
        reasons(&c, "headers").is_empty(),
        "no page, nothing to say of headers"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_security_header_is_read() {
    let all = [
        (
            "content-security-policy",
            "default-src 'self'; frame-ancestors 'none'",
        ),
        ("x-frame-options", "DENY"),
        ("x-content-type-options", "nosniff"),
        (
            "referrer-policy",
            "no-referrer, strict-origin-when-cross-origin",
        ),
    ];
    let (_server, front) = site(Front::default(), 200, &all).await;
    let c = gather(&front).await;
    assert_eq!(value(&c, "headers.csp"), json!(true));
    assert_eq!(
        value(&c, "headers.frame-protection"),
        json!("frame-ancestors")
    );
    assert_eq!(value(&c, "headers.nosniff"), json!(true));
    assert_eq!(
        value(&c, "headers.referrer-policy"),
        json!("strict-origin-when-cross-origin")
    );
    assert_eq!(value(&c, "headers.count"), json!(4));
    assert_eq!(answer(&c, "web.security_headers"), Some(json!("all")));
    let detail = c.facts["headers.csp"].detail.clone().unwrap();
    assert!(detail.contains("frame-ancestors 'none'"), "{detail}");

    // Each header taken away in turn costs exactly its own fact.
    for (i, (name, _)) in all.iter().enumerate() {
        let rest: Vec<(&str, &str)> = all
            .iter()
            .enumerate()
            .filter(|(j, _)| *j != i)
            .map(|(_, h)| *h)
            .collect();
        let (_server, front) = site(Front::default(), 200, &rest).await;
        let c = gather(&front).await;
        let (csp, frame, nosniff, referrer, count) = match *name {
            // X-Frame-Options still protects against framing.
            "content-security-policy" => (
                false,
                "x-frame-options",
                true,
                "strict-origin-when-cross-origin",
                3,
            ),
            // frame-ancestors does the job on its own.
            "x-frame-options" => (
                true,
                "frame-ancestors",
                true,
                "strict-origin-when-cross-origin",
                4,
            ),
            "x-content-type-options" => (
                true,
                "frame-ancestors",
                false,
                "strict-origin-when-cross-origin",
                3,
            ),
            _ => (true, "frame-ancestors", true, "not-sent", 3),
        };
        assert_eq!(value(&c, "headers.csp"), json!(csp), "without {name}");
        assert_eq!(
            value(&c, "headers.frame-protection"),
            json!(frame),
            "without {name}"
        );
        assert_eq!(
            value(&c, "headers.nosniff"),
            json!(nosniff),
            "without {name}"
        );
        assert_eq!(
            value(&c, "headers.referrer-policy"),
            json!(referrer),
            "without {name}"
        );
        assert_eq!(value(&c, "headers.count"), json!(count), "without {name}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_page_without_headers_scores_none_and_a_leaky_referrer_policy_counts_for_nothing() {
    let (_server, front) = site(Front::default(), 200, &[]).await;
    let c = gather(&front).await;
    assert_eq!(value(&c, "headers.csp"), json!(false));
    assert_eq!(value(&c, "headers.frame-protection"), json!("none"));
    assert_eq!(value(&c, "headers.nosniff"), json!(false));
    assert_eq!(value(&c, "headers.referrer-policy"), json!("not-sent"));
    assert_eq!(value(&c, "headers.count"), json!(0));
    assert_eq!(answer(&c, "web.security_headers"), Some(json!("few")));
    assert_eq!(
        c.facts["headers.csp"].detail.as_deref(),
        Some("no Content-Security-Policy header")
    );

    let leaky = [
        ("referrer-policy", "unsafe-url"),
        ("x-frame-options", "SAMEORIGIN"),
        ("x-content-type-options", "nosniff"),
    ];
    let (_server, front) = site(Front::default(), 200, &leaky).await;
    let c = gather(&front).await;
    assert_eq!(value(&c, "headers.referrer-policy"), json!("unsafe-url"));
    assert_eq!(value(&c, "headers.count"), json!(2));
    assert_eq!(answer(&c, "web.security_headers"), Some(json!("some")));
}

/// An error page's headers are not the site's: a failure, not facts. The
/// certificate is still the site's.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_error_page_gives_no_header_fact() {
    let (_server, front) = site(
        Front::default(),
        503,
        &[("x-content-type-options", "nosniff")],
    )
    .await;
    let c = gather(&front).await;
    assert!(names(&c, "headers.").is_empty(), "{c:#?}");
    let headers = reasons(&c, "headers");
    assert!(
        headers.len() == 1 && headers[0].starts_with("HTTP 503"),
        "{headers:?}"
    );
    assert_eq!(value(&c, "tls.version"), json!("TLS 1.3"));
}

/// Header text and the issuer's name come from the server: each is cut to
/// a bounded length (printing them escaped is
/// `the_command_fills_the_web_questions_and_escapes_the_issuer`).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hostile_issuer_and_header_text_is_bounded() {
    let name = format!("Evil\u{202e}CA\u{7}{}", "x".repeat(600));
    let csp = format!("default-src 'self' {}", "https://a.example ".repeat(900));
    let front = Front {
        ca_name: Some(name.clone()),
        ..Front::default()
    };
    let (_server, front) = site(front, 200, &[("content-security-policy", csp.as_str())]).await;
    let c = gather(&front).await;
    let issuer = value(&c, "tls.issuer");
    let issuer = issuer.as_str().unwrap();
    assert!(issuer.starts_with("CN=Evil"), "{issuer}");
    assert!(issuer.chars().count() < 240, "{issuer}");
    assert!(issuer.ends_with(" characters)"), "{issuer}");
    let detail = c.facts["headers.csp"].detail.clone().unwrap();
    assert!(detail.chars().count() < 300, "{detail}");
}

/// `vetted collect` as a user runs it fills the three `web.*` questions
/// from one loopback website, and prints the server's text escaped.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_command_fills_the_web_questions_and_escapes_the_issuer() {
    let front = Front {
        ca_name: Some("Evil\u{202e}CA\u{7}".into()),
        ..valid(-10, 90)
    };
    let headers = [
        ("content-security-policy", "frame-ancestors 'self'"),
        ("x-content-type-options", "nosniff"),
    ];
    let (_server, front) = site(front, 200, &headers).await;
    let dir = tempfile::tempdir().unwrap();
    let manifest = dir.path().join("vendor.yaml");
    let text = support::without_answers(
        &support::well_run_example_at(&front.url("/"), &front.url("/")),
        &["web.certificate", "web.tls_version", "web.security_headers"],
    );
    assert!(!text.contains("tidewater.example\n"), "no name to look up");
    assert!(!text.contains("web.certificate"), "{text}");
    std::fs::write(&manifest, &text).unwrap();
    let ca = dir.path().join("ca.pem");
    std::fs::write(&ca, &front.ca_pem).unwrap();
    let mut args = vec![
        "collect".to_string(),
        manifest.display().to_string(),
        "--dry-run".into(),
        "--as-of".into(),
        Date::today_utc().to_string(),
        "--ca-cert".into(),
        ca.display().to_string(),
        "--resolve".into(),
        format!("{VENDOR}:{}:127.0.0.1", front.addr.port()),
        // No resolver asked: DNS has its own tests (tests/dns.rs).
        "--no-dns".into(),
    ];
    args.extend(support::NO_THIRD_PARTIES.map(String::from));
    let (code, stdout, stderr) = support::run_vetted(args).await;
    assert_eq!(code, Some(0), "{stdout}{stderr}");
    for line in [
        "web.certificate: unanswered -> \"current\" (from tls.lifetime-left)",
        "web.tls_version: unanswered -> \"tls13\" (from tls.version)",
        "web.security_headers: unanswered -> \"some\" (from headers.count)",
        "tls.days-left = 90",
        "headers.frame-protection = \"frame-ancestors\"",
    ] {
        assert!(stdout.contains(line), "{line}\n{stdout}");
    }
    assert!(
        // RFC 4514 writes the bell as `\07`; the terminal is shown U+202E.
        stdout.contains(r#"tls.issuer = "CN=Evil<U+202E>CA\\07""#),
        "{stdout}"
    );
    assert!(
        !stdout.contains('\u{202e}') && !stdout.contains('\u{7}'),
        "{stdout}"
    );
}

/// The web questions weigh little: with all three at their worst, no
/// bundled manifest's verdict turns to reject, an approval stays an
/// approval or becomes one with conditions, and the score drops by at most
/// the 4 points the area's weight allows (checklists/baseline.yaml).
#[test]
fn the_web_questions_at_their_worst_cannot_reject_a_vendor() {
    use vetted::manifest::{Answer, AnswerValue, Evidence, Provenance};
    use vetted::rules::{Policy, Verdict};
    let catalog = vetted::load_catalog(None).unwrap();
    let policy = Policy::default_policy();
    let as_of: Date = "2026-11-25".parse().unwrap();
    let worst = [
        ("web.certificate", "expired"),
        ("web.tls_version", "older"),
        ("web.security_headers", "few"),
    ];
    let mut approved = 0;
    let mut checked = 0;
    for path in support::bundled_manifests() {
        let name = path.display().to_string();
        let bytes = std::fs::read(&path).unwrap();
        let Ok((mut m, before)) = vetted::evaluate_file(&name, bytes, &catalog, &policy, as_of)
        else {
            continue;
        };
        if !m.integration.checklists.iter().any(|c| c == "baseline") {
            continue;
        }
        for (id, value) in worst {
            m.answers.insert(
                id.to_string(),
                Answer {
                    value: AnswerValue::Choice(value.into()),
                    source: Provenance::Collected,
                    evidence: vec![Evidence {
                        url: "https://vendor.example/".into(),
                        observed: as_of,
                        expires: None,
                        note: None,
                    }],
                    note: None,
                    questionnaire: None,
                    claim: None,
                },
            );
        }
        let after = vetted::evaluate::evaluate(&m, &catalog, &policy, as_of).unwrap();
        checked += 1;
        if before.verdict != Verdict::Reject {
            assert_ne!(after.verdict, Verdict::Reject, "{name}");
        }
        if before.verdict == Verdict::Approve {
            approved += 1;
            assert!(
                matches!(after.verdict, Verdict::Approve | Verdict::Conditions),
                "{name}: {:?}",
                after.verdict
            );
        }
        assert!(
            before.score - after.score <= 4.0 + 1e-9,
            "{name}: {} -> {}",
            before.score,
            after.score
        );
        assert!(after.score < before.score, "{name}: the answers count");
    }
    assert!(
        checked >= 10 && approved >= 1,
        "{checked} checked, {approved} approved"
    );
}

/// After a redirect, the TLS facts are those of the host that served the
/// page whose headers were read, not of the first host.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn after_a_redirect_the_facts_are_the_final_host_s() {
    let (_final_server, last) = site(
        Front {
            ca_name: Some("Final CA".into()),
            ..valid(-1, 10)
        },
        200,
        &[("x-content-type-options", "nosniff")],
    )
    .await;
    let first_server = MockServer::start().await;
    let to = format!("https://localhost:{}/", last.addr.port());
    Mock::given(path("/"))
        .respond_with(ResponseTemplate::new(302).insert_header("location", to.as_str()))
        .mount(&first_server)
        .await;
    let first = tls_front_with(
        *first_server.address(),
        Front {
            ca_name: Some("First CA".into()),
            ..valid(-1, 200)
        },
    )
    .await;
    let mut options = first.options();
    options
        .extra_roots_pem
        .push(("final CA".into(), last.ca_pem.clone().into_bytes()));
    options.pinned.push(("localhost".into(), last.addr));
    let c = gather_with(&first, options, Date::today_utc()).await;
    assert_eq!(value(&c, "tls.issuer"), json!("CN=Final CA"));
    assert_eq!(value(&c, "tls.days-left"), json!(10));
    assert_eq!(value(&c, "headers.nosniff"), json!(true));
    assert_eq!(c.facts["tls.issuer"].url, to);
}
