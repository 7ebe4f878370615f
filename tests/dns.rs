//! The DNS collector against DNS servers on loopback: a zone server
//! (answers built with hickory-proto, over UDP and TCP, truncating UDP
//! answers past the client's payload size as a real server does), and
//! servers that misbehave on purpose (garbage, silence, truncation without
//! TCP, SERVFAIL). Nothing here reaches the internet.

use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::Duration;

use serde_json::json;
use vetted::evidence::dns::{self, Resolver};

mod support;
use support::dns::{Mode, Server, Zone, caa, mx, start};
use vetted::manifest::Collected;

const WEBSITE: &str = "https://www.vendor.example/";
const OBSERVED: &str = "2026-11-30T06:00:00Z";

fn resolver(servers: &[&Server]) -> Resolver {
    Resolver::new(servers.iter().map(|s| s.addr).collect())
        .with_timeout(Duration::from_millis(300), 2)
}

async fn collect_with(servers: &[&Server], website: &str) -> Collected {
    dns::collect(&resolver(servers), website, OBSERVED).await
}

async fn collect(zone: Zone) -> Collected {
    let server = start(Mode::Zone(Arc::new(zone))).await;
    collect_with(&[&server], WEBSITE).await
}

fn value(c: &Collected, fact: &str) -> serde_json::Value {
    c.facts
        .get(fact)
        .unwrap_or_else(|| panic!("no {fact} in {:?} / {:?}", c.facts.keys(), c.failures))
        .value
        .clone()
}

fn detail(c: &Collected, fact: &str) -> String {
    c.facts[fact].detail.clone().unwrap_or_default()
}

/// A vendor with every record in order.
fn good() -> Zone {
    Zone::default()
        .txt("vendor.example", "google-site-verification=abc123")
        .txt(
            "vendor.example",
            "v=spf1 ip4:192.0.2.0/24 include:_spf.mail.example -all",
        )
        .txt("_spf.mail.example", "v=spf1 a mx:mail.example ~all")
        .txt(
            "_dmarc.vendor.example",
            "v=DMARC1; p=reject; pct=50; rua=mailto:dmarc@vendor.example",
        )
        .add("vendor.example", mx(10, "mx1.vendor.example."))
        .add("vendor.example", mx(20, "mx2.vendor.example."))
        .add("vendor.example", caa("issue", "letsencrypt.org"))
        .add(
            "vendor.example",
            caa("issue", "pki.goog; cansignhttpexchanges=yes"),
        )
        .add("vendor.example", caa("issuewild", ";"))
        .exists("www.vendor.example")
        .validated()
}

#[tokio::test]
async fn a_well_kept_domain_gives_every_fact() {
    let c = collect(good()).await;
    assert!(c.failures.is_empty(), "{:?}", c.failures);
    assert_eq!(value(&c, "dns.spf"), json!("-all"));
    assert!(detail(&c, "dns.spf").contains("include:_spf.mail.example"));
    // include (1) in the record, a and mx (2) in the included one
    assert_eq!(value(&c, "dns.spf-lookups"), json!(3));
    assert_eq!(value(&c, "dns.dmarc"), json!("reject"));
    assert_eq!(value(&c, "dns.dmarc-pct"), json!(50));
    assert_eq!(value(&c, "dns.mx"), json!("present"));
    assert!(detail(&c, "dns.mx").contains("10 mx1.vendor.example."));
    assert_eq!(value(&c, "dns.caa"), json!(true));
    // found at the parent of the website's host
    assert!(detail(&c, "dns.caa").starts_with("CAA vendor.example via"));
    assert_eq!(
        value(&c, "dns.caa-issuers"),
        json!(["letsencrypt.org", "pki.goog"])
    );
    assert_eq!(value(&c, "dns.dnssec"), json!("validated"));
    for fact in c.facts.keys() {
        assert!(
            vetted::evidence::collect::is_known_fact(fact),
            "{fact} is not in FACTS"
        );
    }
}

#[tokio::test]
async fn each_spf_qualifier_is_read() {
    for (record, expected) in [
        ("v=spf1 mx ~all", "~all"),
        ("v=spf1 mx ?all", "?all"),
        ("v=spf1 +all", "+all"),
        ("v=spf1 ip4:192.0.2.1", "no-all"),
        ("v=spf1 redirect=_spf.vendor.example", "-all"),
    ] {
        let zone = Zone::default()
            .txt("vendor.example", record)
            .txt("_spf.vendor.example", "v=spf1 ip4:192.0.2.1 -all");
        let c = collect(zone).await;
        assert_eq!(value(&c, "dns.spf"), json!(expected), "{record}");
    }
}

#[tokio::test]
async fn more_than_ten_lookups_is_reported() {
    let mut zone = Zone::default().txt(
        "vendor.example",
        "v=spf1 include:a.mail.example include:b.mail.example include:c.mail.example include:d.mail.example -all",
    );
    for sub in ["a", "b", "c", "d"] {
        zone = zone.txt(
            &format!("{sub}.mail.example"),
            "v=spf1 a mx exists:x.mail.example ~all",
        );
    }
    let c = collect(zone).await;
    let lookups = value(&c, "dns.spf-lookups").as_u64().unwrap();
    assert!(lookups > 10, "{lookups}");
    assert!(detail(&c, "dns.spf-lookups").contains("more than 10"));
    // the record itself is still read
    assert_eq!(value(&c, "dns.spf"), json!("-all"));
}

#[tokio::test]
async fn malformed_and_duplicate_spf_are_invalid_with_a_reason() {
    let c = collect(Zone::default().txt("vendor.example", "v=spf1 ip4:999.1.1.1 -all")).await;
    assert_eq!(value(&c, "dns.spf"), json!("invalid"));
    assert!(detail(&c, "dns.spf").contains("not an IPv4 address"));
    assert!(!c.facts.contains_key("dns.spf-lookups"));
    let c = collect(
        Zone::default()
            .txt("vendor.example", "v=spf1 -all")
            .txt("vendor.example", "v=spf1 ~all"),
    )
    .await;
    assert_eq!(value(&c, "dns.spf"), json!("invalid"));
    assert!(detail(&c, "dns.spf").contains("2 SPF records"));
}

#[tokio::test]
async fn dmarc_policies_and_pct() {
    // The policy as written, its pct, and what all failing mail gets.
    for (record, policy, pct, enforced) in [
        ("v=DMARC1; p=none", "none", 100, "none"),
        ("v=DMARC1; p=quarantine; pct=20", "quarantine", 20, "none"),
        ("v=DMARC1;p=reject", "reject", 100, "reject"),
        ("v=DMARC1; p=reject; pct=10", "reject", 10, "quarantine"),
    ] {
        let c = collect(Zone::default().txt("_dmarc.vendor.example", record)).await;
        assert_eq!(value(&c, "dns.dmarc"), json!(policy), "{record}");
        assert_eq!(value(&c, "dns.dmarc-pct"), json!(pct), "{record}");
        assert_eq!(value(&c, "dns.dmarc-enforced"), json!(enforced), "{record}");
    }
    // A question answered from it: p=reject on a tenth of the mail is not
    // reject.
    let catalog = vetted::load_catalog(None).unwrap();
    let q = catalog
        .checklists()
        .flat_map(|l| l.checklist.areas.iter())
        .flat_map(|a| a.questions.iter())
        .find(|q| q.id == "domain.dmarc")
        .unwrap();
    let c =
        collect(Zone::default().txt("_dmarc.vendor.example", "v=DMARC1; p=reject; pct=10")).await;
    let derived = q.derive(&c.facts).expect("answered from the facts");
    assert_eq!(derived.answer.to_json(), json!("quarantine"));
    let c = collect(Zone::default()).await;
    let derived = q.derive(&c.facts).expect("answered from the facts");
    assert_eq!(derived.answer.to_json(), json!("none"));
    let c = collect(Zone::default().txt("_dmarc.vendor.example", "v=DMARC1; p=block")).await;
    assert_eq!(value(&c, "dns.dmarc"), json!("invalid"));
    assert!(detail(&c, "dns.dmarc").contains("p=block"));
    assert!(!c.facts.contains_key("dns.dmarc-pct"));
}

#[tokio::test]
async fn missing_records_are_missing_for_nxdomain_and_nodata() {
    // NXDOMAIN: the zone knows no name at all.
    let c = collect(Zone::default()).await;
    assert!(c.failures.is_empty(), "{:?}", c.failures);
    assert_eq!(value(&c, "dns.spf"), json!("missing"));
    assert!(detail(&c, "dns.spf").contains("NXDOMAIN"));
    assert_eq!(value(&c, "dns.dmarc"), json!("missing"));
    assert_eq!(value(&c, "dns.mx"), json!("missing"));
    assert_eq!(value(&c, "dns.caa"), json!(false));
    assert!(!c.facts.contains_key("dns.caa-issuers"));
    assert_eq!(value(&c, "dns.dnssec"), json!("not-validated"));
    // NODATA: the names exist, with other records only.
    let zone = Zone::default()
        .txt("vendor.example", "some other text")
        .exists("_dmarc.vendor.example");
    let c = collect(zone).await;
    assert_eq!(value(&c, "dns.spf"), json!("missing"));
    assert!(detail(&c, "dns.spf").contains("no TXT record starts with v=spf1"));
    assert!(detail(&c, "dns.dmarc").contains("NODATA"));
    assert!(detail(&c, "dns.mx").contains("NODATA"));
}

#[tokio::test]
async fn a_null_mx_is_not_a_mail_server() {
    let c = collect(Zone::default().add("vendor.example", mx(0, "."))).await;
    assert_eq!(value(&c, "dns.mx"), json!("null"));
    assert!(detail(&c, "dns.mx").contains("RFC 7505"));
}

#[tokio::test]
async fn caa_without_issue_does_not_restrict() {
    let zone = Zone::default().add("vendor.example", caa("iodef", "mailto:sec@vendor.example"));
    let c = collect(zone).await;
    assert_eq!(value(&c, "dns.caa"), json!(false));
    assert!(detail(&c, "dns.caa").contains("any certificate authority may issue"));
}

#[tokio::test]
async fn a_truncated_answer_is_asked_again_over_tcp() {
    // Twelve 200-byte TXT records do not fit the 1232 bytes the client
    // offers over UDP; the server truncates, the client asks over TCP.
    let mut zone = Zone::default().txt("vendor.example", "v=spf1 ip4:192.0.2.1 -all");
    for i in 0..12 {
        zone = zone.txt("vendor.example", &format!("filler-{i}-{}", "x".repeat(200)));
    }
    let c = collect(zone).await;
    assert!(c.failures.is_empty(), "{:?}", c.failures);
    assert_eq!(value(&c, "dns.spf"), json!("-all"));
}

/// Every query failed, so there is no fact at all, and every failure says
/// why: an unreachable or broken resolver never reads as "no SPF".
fn only_failures(c: &Collected, says: &str) {
    assert!(
        c.facts.is_empty(),
        "facts from a failed resolver: {:?}",
        c.facts
    );
    let queries: BTreeSet<&str> = c
        .failures
        .iter()
        .map(|f| f.reason.split(':').next().unwrap())
        .collect();
    assert_eq!(
        queries,
        BTreeSet::from([
            "TXT vendor.example",
            "TXT _dmarc.vendor.example",
            "MX vendor.example",
            "CAA www.vendor.example"
        ]),
        "{:?}",
        c.failures
    );
    for f in &c.failures {
        assert_eq!(f.collector, "dns");
        assert_eq!(f.url, WEBSITE);
        assert!(f.reason.contains(says), "{}", f.reason);
    }
}

#[tokio::test]
async fn truncation_without_tcp_is_a_failure() {
    let server = start(Mode::TruncatedNoTcp).await;
    only_failures(&collect_with(&[&server], WEBSITE).await, "truncated");
}

#[tokio::test]
async fn a_garbage_answer_is_a_failure() {
    let server = start(Mode::Garbage).await;
    only_failures(
        &collect_with(&[&server], WEBSITE).await,
        "could not be read",
    );
}

#[tokio::test]
async fn a_silent_server_times_out() {
    let server = start(Mode::Silent).await;
    let started = std::time::Instant::now();
    only_failures(
        &collect_with(&[&server], WEBSITE).await,
        "no answer within 300 ms (2 tries)",
    );
    // the four queries run at once: two tries of 300 ms, not eight
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn an_answer_to_another_question_is_a_failure() {
    let server = start(Mode::OtherQuestion).await;
    only_failures(
        &collect_with(&[&server], WEBSITE).await,
        "the answer is about another question",
    );
}

#[tokio::test]
async fn servfail_is_a_failure() {
    let server = start(Mode::ServFail).await;
    only_failures(&collect_with(&[&server], WEBSITE).await, "SERVFAIL");
}

#[tokio::test]
async fn an_unreachable_resolver_is_a_failure() {
    // A port nobody listens on (bound, then closed).
    let addr = {
        let s = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
        s.local_addr().unwrap()
    };
    let r = Resolver::new(vec![addr]).with_timeout(Duration::from_millis(300), 1);
    let c = dns::collect(&r, WEBSITE, OBSERVED).await;
    assert!(c.facts.is_empty(), "{:?}", c.facts);
    assert_eq!(c.failures.len(), 4, "{:?}", c.failures);
    let r = Resolver::new(vec![]);
    let c = dns::collect(&r, WEBSITE, OBSERVED).await;
    assert!(c.facts.is_empty());
    assert!(
        c.failures
            .iter()
            .all(|f| f.reason.contains("no DNS server"))
    );
}

#[tokio::test]
async fn the_next_server_answers_when_the_first_fails() {
    let silent = start(Mode::Silent).await;
    let good = start(Mode::Zone(Arc::new(good()))).await;
    let c = collect_with(&[&silent, &good], WEBSITE).await;
    assert!(c.failures.is_empty(), "{:?}", c.failures);
    assert_eq!(value(&c, "dns.spf"), json!("-all"));
    assert!(detail(&c, "dns.spf").contains(&good.addr.to_string()));
}

#[tokio::test]
async fn a_failed_include_leaves_the_count_unknown() {
    let mut zone = good();
    zone.silent.insert("_spf.mail.example".into());
    let c = collect(zone).await;
    assert_eq!(value(&c, "dns.spf"), json!("-all"));
    assert!(!c.facts.contains_key("dns.spf-lookups"));
    assert!(
        c.failures
            .iter()
            .any(|f| f.reason.starts_with("SPF lookups: TXT _spf.mail.example")),
        "{:?}",
        c.failures
    );
}

#[tokio::test]
async fn dnssec_needs_the_ad_bit_on_every_answer() {
    let mut zone = good();
    zone.ad = false;
    let c = collect(zone).await;
    assert_eq!(value(&c, "dns.dnssec"), json!("not-validated"));
    assert!(detail(&c, "dns.dnssec").contains("does not validate"));
}

#[tokio::test]
async fn a_website_without_a_domain_is_a_failure() {
    let good = start(Mode::Zone(Arc::new(good()))).await;
    let c = collect_with(&[&good], "https://192.0.2.10/").await;
    assert!(c.facts.is_empty());
    assert!(c.failures[0].reason.contains("IP address"));
}

/// `vetted collect --dns` reads the loopback server, records the facts and
/// fills the questions they answer.
#[tokio::test(flavor = "multi_thread")]
async fn the_command_asks_the_given_resolver_and_fills_questions() {
    let server = start(Mode::Zone(Arc::new(good()))).await;
    let dir = tempfile::tempdir().unwrap();
    let manifest = dir.path().join("vendor.yaml");
    let text = std::fs::read_to_string("examples/crm-webhook.yaml").unwrap();
    let website = text
        .lines()
        .find_map(|l| l.trim().strip_prefix("website: "))
        .unwrap()
        .to_string();
    let text = text
        .replace(
            &format!("website: {website}"),
            &format!("website: {WEBSITE}"),
        )
        .lines()
        .filter(|l| {
            !l.trim_start().starts_with("docs: ") && !l.trim_start().starts_with("repository: ")
        })
        .collect::<Vec<_>>()
        .join("\n");
    std::fs::write(&manifest, text).unwrap();
    let mut args = vec![
        "collect".to_string(),
        manifest.display().to_string(),
        "--dry-run".into(),
        "--as-of".into(),
        "2026-11-30".into(),
        "--dns".into(),
        server.addr.to_string(),
        // The website's fetch goes to a closed port on loopback, pinned,
        // so nothing is looked up anywhere else.
        "--resolve".into(),
        "www.vendor.example:443:127.0.0.1".into(),
        "--connect-timeout".into(),
        "1".into(),
    ];
    args.extend(support::NO_THIRD_PARTIES.map(String::from));
    let (code, stdout, stderr) = support::run_vetted(args).await;
    assert_eq!(code, Some(0), "{stdout}\n{stderr}");
    for line in [
        "dns.spf = \"-all\"",
        "dns.spf-lookups = 3",
        "dns.dmarc = \"reject\"",
        "dns.dmarc-pct = 50",
        "dns.mx = \"present\"",
        "dns.caa = true",
        "dns.caa-issuers = [\"letsencrypt.org\",\"pki.goog\"]",
        "dns.dnssec = \"validated\"",
        "domain.spf: unanswered -> \"hard-fail\" (from dns.spf)",
        "domain.dmarc: unanswered -> \"quarantine\" (from dns.dmarc-enforced)",
        "domain.caa: unanswered -> \"restricted\" (from dns.caa)",
        "domain.dnssec: unanswered -> \"signed\" (from dns.dnssec)",
    ] {
        assert!(stdout.contains(line), "no `{line}` in\n{stdout}");
    }
}

/// The DNS questions weigh little: at their worst they change no bundled
/// example's or calibration case's verdict or tier, and the score moves by
/// at most about 2 points. (Any scored question can still tip a score
/// lying that close to a tier boundary.)
#[test]
fn the_worst_dns_answers_do_not_change_a_verdict() {
    use vetted::rules::{Policy, Verdict};
    let catalog = vetted::load_catalog(None).unwrap();
    let policy = Policy::default_policy();
    let as_of = "2026-11-27".parse().unwrap();
    let worst = "answers:\n\
        \x20 domain.spf: {value: none, source: vendor-claim}\n\
        \x20 domain.dmarc: {value: none, source: vendor-claim}\n\
        \x20 domain.caa: {value: unrestricted, source: vendor-claim}\n\
        \x20 domain.dnssec: {value: unsigned, source: vendor-claim}\n";
    let mut files: Vec<std::path::PathBuf> = ["examples", "tests/calibration"]
        .iter()
        .flat_map(|d| std::fs::read_dir(d).unwrap())
        .map(|e| e.unwrap().path())
        .filter(|p| {
            let name = p.file_name().unwrap().to_string_lossy();
            name.ends_with(".yaml") && !name.ends_with(".expect.yaml")
        })
        .collect();
    files.sort();
    let (mut checked, mut approved, mut largest) = (0, 0, 0.0f64);
    for path in &files {
        let file = path.display().to_string();
        let text = std::fs::read_to_string(path).unwrap();
        if !text.contains("baseline") || text.contains("domain.spf") {
            continue;
        }
        assert_eq!(text.matches("\nanswers:\n").count(), 1, "{file}");
        let eval = |text: &str| {
            let loaded = vetted::manifest::load(&file, text.as_bytes().to_vec(), &catalog)
                .unwrap_or_else(|d| panic!("{file}: {d:#?}"));
            vetted::evaluate::evaluate(&loaded.manifest, &catalog, &policy, as_of).unwrap()
        };
        let before = eval(&text);
        let after = eval(&text.replace("\nanswers:\n", &format!("\n{worst}")));
        checked += 1;
        largest = largest.max(before.score - after.score);
        assert!(after.score <= before.score, "{file}");
        if before.verdict != Verdict::Reject {
            assert_ne!(after.verdict, Verdict::Reject, "{file}");
        }
        if before.verdict == Verdict::Approve {
            approved += 1;
            assert!(
                matches!(after.verdict, Verdict::Approve | Verdict::Conditions),
                "{file}: {:?}",
                after.verdict
            );
        }
        assert_eq!(after.tier, before.tier, "{file}");
    }
    assert!(checked >= 15, "only {checked} manifests");
    assert!(approved >= 3, "only {approved} approved vendors");
    // The `domain` area weighs 0.25 against 12 for the rest of the
    // baseline: 0.25 / 12.25 of the score, about 2 points.
    assert!(
        largest > 1.0 && largest <= 2.1,
        "the score moved by {largest}"
    );
}
