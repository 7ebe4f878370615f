//! `vetted fill` through a scripted prompter, on the arithmetic fixture.

use serde_json::json;
use vetted::checklist::Catalog;
use vetted::fill::{self, FillError, Options, Scripted};
use vetted::rules::Policy;

/// The arithmetic fixture (`tests/fixtures/arith.yaml`) beside the bundled
/// checklists, loaded the way `--checklists tests/fixtures` loads it.
fn catalog() -> Catalog {
    vetted::load_catalog(Some(std::path::Path::new("tests/fixtures")))
        .unwrap_or_else(|e| panic!("{e:?}"))
}

fn header() -> serde_json::Value {
    json!({
        "vendor.name": "Scripted Vendor",
        "vendor.website": "https://scripted.example",
        "integration.purpose": "Testing fill",
        "integration.permissions": ["read"],
        "assessment.assessor": "Tester",
    })
}

fn with(mut base: serde_json::Value, extra: serde_json::Value) -> serde_json::Value {
    for (k, v) in extra.as_object().unwrap() {
        base[k] = v.clone();
    }
    base
}

fn session(
    path: &std::path::Path,
    script: serde_json::Value,
    revisit: bool,
) -> (Result<fill::Summary, FillError>, Scripted) {
    let mut p = Scripted::new(script);
    let opts = Options {
        path,
        checklists: vec!["arith".into()],
        revisit,
        as_of: "2026-11-27".parse().unwrap(),
    };
    let r = fill::run(&mut p, &catalog(), &Policy::default_policy(), &opts);
    (r, p)
}

fn load(path: &std::path::Path) -> vetted::manifest::Manifest {
    vetted::manifest::load("m.yaml", std::fs::read(path).unwrap(), &catalog())
        .unwrap_or_else(|d| panic!("{d:#?}"))
        .manifest
}

#[test]
fn a_new_manifest_is_written_and_assesses() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("new.yaml");
    let script = with(
        header(),
        json!({
            "answer:alpha.crit": "good",
            "evidence:alpha.crit": "https://scripted.example/security",
            "answer:alpha.med": "true",
            "answer:alpha.low": "good",
            "answer:beta.high": "unknown",
            "answer:beta.chain": "false",
            "note:beta.chain": "checked the settings page",
        }),
    );
    let (r, p) = session(&path, script, false);
    let summary = r.unwrap();
    assert_eq!(summary.answered, 5, "{:?}", p.transcript);
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.starts_with(fill::HEADER));
    let m = load(&path);
    assert_eq!(m.vendor.name, "Scripted Vendor");
    assert_eq!(
        m.answers["alpha.crit"].evidence[0].url,
        "https://scripted.example/security"
    );
    assert_eq!(
        m.answers["alpha.crit"].evidence[0].observed.to_string(),
        "2026-11-27"
    );
    assert_eq!(m.answers["beta.high"].value.to_json(), json!("unknown"));
    assert_eq!(m.answers["alpha.med"].value.to_json(), json!(true));
    assert_eq!(
        m.answers["beta.chain"].note.as_deref(),
        Some("checked the settings page")
    );
    // beta.date was skipped: not in the file, still unanswered.
    assert!(!m.answers.contains_key("beta.date"));
    // A running score and the remaining count were shown.
    assert!(
        p.transcript.iter().any(|t| t.contains("question(s) to go")),
        "{:?}",
        p.transcript
    );
}

#[test]
fn follow_ups_appear_and_vanish_with_earlier_answers() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("cond.yaml");
    let (r, p) = session(
        &path,
        with(header(), json!({"answer:alpha.crit": "bad"})),
        false,
    );
    r.unwrap();
    assert!(
        !p.asked.iter().any(|k| k == "answer:alpha.low"),
        "{:?}",
        p.asked
    );
    assert!(
        !p.asked.iter().any(|k| k == "answer:beta.chain"),
        "{:?}",
        p.asked
    );

    let path = dir.path().join("cond2.yaml");
    let (r, p) = session(
        &path,
        with(
            header(),
            json!({"answer:alpha.crit": "good", "answer:alpha.low": "good"}),
        ),
        false,
    );
    r.unwrap();
    let low = p
        .asked
        .iter()
        .position(|k| k == "answer:alpha.low")
        .expect("alpha.low asked");
    let chain = p
        .asked
        .iter()
        .position(|k| k == "answer:beta.chain")
        .expect("beta.chain asked");
    assert!(low < chain);
}

#[test]
fn evidence_must_be_https_and_well_formed() {
    let dir = tempfile::tempdir().unwrap();
    for bad in [
        "http://scripted.example/security",
        "not a url",
        "ftp://x.example/f",
    ] {
        let path = dir.path().join("ev.yaml");
        let _ = std::fs::remove_file(&path);
        let (r, p) = session(
            &path,
            with(
                header(),
                json!({"answer:alpha.crit": "good", "evidence:alpha.crit": bad}),
            ),
            false,
        );
        r.unwrap();
        assert!(
            load(&path).answers["alpha.crit"].evidence.is_empty(),
            "{bad} was accepted"
        );
        assert!(
            p.transcript
                .iter()
                .any(|t| t.contains("skipped after three invalid answers")),
            "{bad}: {:?}",
            p.transcript
        );
    }
    assert!(
        fill::check_https("http://x.example")
            .unwrap_err()
            .contains("https")
    );
    assert!(fill::check_https("https://x.example/a").is_ok());
}

#[test]
fn an_interrupted_session_keeps_every_confirmed_answer_and_resumes_there() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("resume.yaml");
    let script = with(
        header(),
        json!({"answer:alpha.crit": "good", "answer:alpha.med": "false", "interrupt-at": "answer:alpha.low"}),
    );
    let (r, _) = session(&path, script, false);
    assert!(matches!(r, Err(FillError::Interrupted)));
    let m = load(&path);
    assert_eq!(m.answers.len(), 2);
    // Resume: the first question asked is the first unanswered one.
    let (r, p) = session(&path, json!({"answer:alpha.low": "good"}), false);
    r.unwrap();
    let first = p.asked.iter().find(|k| k.starts_with("answer:")).unwrap();
    assert_eq!(first, "answer:alpha.low");
    assert!(!p.asked.iter().any(|k| k == "answer:alpha.crit"));
    assert_eq!(load(&path).answers.len(), 3);
    // --revisit walks answered questions too, current answers as defaults.
    let (r, p) = session(&path, json!({}), true);
    r.unwrap();
    assert!(p.asked.iter().any(|k| k == "answer:alpha.crit"));
    assert_eq!(
        load(&path).answers["alpha.crit"].value.to_json(),
        json!("good")
    );
}

#[test]
fn a_hand_written_manifest_is_backed_up_once() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("hand.yaml");
    let original = "# my notes\nvendor: {name: Hand}\nintegration: {purpose: p, checklists: [arith], permissions: [read]}\nassessment: {assessor: A, date: 2026-11-20}\n";
    std::fs::write(&path, original).unwrap();
    let (r, p) = session(&path, json!({"answer:alpha.crit": "bad"}), false);
    let summary = r.unwrap();
    let backup = summary.backup.expect("backup made");
    assert_eq!(std::fs::read_to_string(&backup).unwrap(), original);
    assert!(
        p.transcript.iter().any(|t| t.contains("Backed up")),
        "{:?}",
        p.transcript
    );
    // The rewritten file is ours now: no second backup.
    let (r, _) = session(&path, json!({"answer:alpha.med": "true"}), false);
    assert!(r.unwrap().backup.is_none());
    assert_eq!(std::fs::read_to_string(&backup).unwrap(), original);
    // A comment added by hand afterwards is backed up too, beside the first
    // backup, never over it.
    let edited = format!(
        "{}# reviewed with legal\n",
        std::fs::read_to_string(&path).unwrap()
    );
    std::fs::write(&path, &edited).unwrap();
    let (r, _) = session(&path, json!({"answer:beta.high": "good"}), false);
    let second = r.unwrap().backup.expect("hand edit backed up");
    assert!(
        second.to_string_lossy().ends_with(".bak.1"),
        "{}",
        second.display()
    );
    assert_eq!(std::fs::read_to_string(&second).unwrap(), edited);
    assert_eq!(std::fs::read_to_string(&backup).unwrap(), original);
}

#[test]
fn resuming_an_older_assessment_keeps_evidence_observed_today() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("old.yaml");
    std::fs::write(&path, "vendor: {name: Old}\nintegration: {purpose: p, checklists: [arith], permissions: [read]}\nassessment: {assessor: A, date: 2026-11-01}\n").unwrap();
    let (r, p) = session(
        &path,
        json!({"answer:alpha.crit": "good", "evidence:alpha.crit": "https://old.example/doc"}),
        false,
    );
    assert_eq!(r.unwrap().answered, 1, "{:?}", p.transcript);
    let m = load(&path);
    assert_eq!(m.assessment.date.to_string(), "2026-11-27");
    assert_eq!(
        m.answers["alpha.crit"].evidence[0].observed.to_string(),
        "2026-11-27"
    );
}

/// A session whose note for alpha.crit holds an exchange-key-shaped
/// secret (built reversed so the source holds no key); returns the
/// prompter, the manifest's path and the secret.
fn session_with_secret_note(dir: &tempfile::TempDir) -> (Scripted, std::path::PathBuf, String) {
    let path = dir.path().join("secret.yaml");
    let secret: String = "q8ZtR3vLw1Nc6YhJ0pKe4XbUa7GsMd2FoTi9VnCr5Hl"
        .chars()
        .rev()
        .collect();
    let (r, p) = session(
        &path,
        with(
            header(),
            json!({"answer:alpha.crit": "good", "note:alpha.crit": format!("key {secret}")}),
        ),
        false,
    );
    r.unwrap();
    (p, path, secret)
}

#[test]
fn a_refused_answer_is_asked_again_once() {
    let dir = tempfile::tempdir().unwrap();
    let (p, _, _) = session_with_secret_note(&dir);
    assert_eq!(
        p.asked.iter().filter(|k| *k == "answer:alpha.crit").count(),
        2,
        "{:?}",
        p.asked
    );
}

#[test]
fn a_secret_typed_into_a_note_is_not_saved() {
    let dir = tempfile::tempdir().unwrap();
    let (p, path, secret) = session_with_secret_note(&dir);
    assert!(
        p.transcript.iter().any(|t| t.starts_with("Not saved")),
        "{:?}",
        p.transcript
    );
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(!text.contains(&secret[..10]));
    assert!(!load(&path).answers.contains_key("alpha.crit"));
}

#[test]
fn no_permissions_is_still_a_valid_manifest() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("none.yaml");
    let (r, _) = session(
        &path,
        with(
            header(),
            json!({"integration.permissions": [], "answer:alpha.crit": "bad"}),
        ),
        false,
    );
    r.unwrap();
    let m = load(&path);
    assert!(m.integration.permissions.is_empty());
    assert_eq!(m.answers.len(), 1);
}

#[test]
fn a_new_manifest_needs_checklists_and_required_fields() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("x.yaml");
    let mut p = Scripted::new(header());
    let opts = Options {
        path: &path,
        checklists: vec![],
        revisit: false,
        as_of: "2026-11-27".parse().unwrap(),
    };
    assert!(matches!(
        fill::run(&mut p, &catalog(), &Policy::default_policy(), &opts),
        Err(FillError::Incomplete(_))
    ));
    let (r, _) = session(&path, json!({}), false);
    assert!(matches!(r, Err(FillError::Incomplete(m)) if m.contains("Vendor name")));
    assert!(
        !path.exists(),
        "nothing written without the required fields"
    );
}

#[test]
fn funds_in_a_currency_the_policy_cannot_judge_are_asked_again() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("btc.yaml");
    let (r, p) = session(
        &path,
        with(header(), json!({"integration.funds-at-risk": "5 BTC"})),
        false,
    );
    r.unwrap();
    assert!(
        p.transcript
            .iter()
            .any(|t| t.contains("the policy has no exchange rate for BTC; give the amount in USD")),
        "{:?}",
        p.transcript
    );
    assert!(load(&path).integration.funds_at_risk.is_none());
    let path = dir.path().join("eur.yaml");
    let (r, _) = session(
        &path,
        with(header(), json!({"integration.funds-at-risk": "9000 eur"})),
        false,
    );
    r.unwrap();
    let funds = load(&path).integration.funds_at_risk.unwrap();
    assert_eq!((funds.amount, funds.currency.as_str()), (9000.0, "EUR"));
}

/// Credentials built at run time (the repository holds none): a Coinbase
/// CDP JWT, a GitHub token, an exchange key, a passphrase in context.
fn typed_secrets() -> Vec<(&'static str, String)> {
    let b64 = |s: &str| -> String {
        const T: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        let bytes = s.as_bytes();
        let mut out = String::new();
        for chunk in bytes.chunks(3) {
            let b = [
                chunk[0],
                *chunk.get(1).unwrap_or(&0),
                *chunk.get(2).unwrap_or(&0),
            ];
            let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
            for i in 0..=chunk.len() {
                out.push(T[(n >> (18 - 6 * i) & 63) as usize] as char);
            }
        }
        out
    };
    let key: String = "vmPUZE6mv9SD5VNHk4HlWFsOr6aKE2zvsw0MuIgwCIPy6utIco14y7Ju91duEh8A"
        .chars()
        .rev()
        .collect();
    let jwt = format!(
        "{}.{}.{}",
        b64(r#"{"alg":"ES256","kid":"organizations/o/apiKeys/k","typ":"JWT"}"#),
        b64(r#"{"sub":"organizations/o/apiKeys/k","iss":"cdp","nbf":1790000000,"exp":1790000120}"#),
        &key[..43]
    );
    let github = format!("ghp_{}", &key[..36]);
    vec![
        ("a JWT", jwt),
        ("a GitHub token", github),
        ("an exchange key", key.clone()),
        ("a passphrase", format!("passphrase: {}!9", &key[3..12])),
    ]
}

/// Wherever a secret is typed (a note, an answer, a vendor field, an
/// evidence link), `fill` refuses to save it and never says it back.
#[test]
fn a_secret_typed_into_any_answer_note_or_field_is_not_saved() {
    for (what, secret) in typed_secrets() {
        let needle = secret.rsplit(' ').next().unwrap().to_string();
        for (key, value) in [
            ("note:alpha.crit", json!(format!("ticket note: {secret}"))),
            ("answer:beta.date", json!(secret.clone())),
            ("vendor.name", json!(secret.clone())),
            ("integration.purpose", json!(format!("bot with {secret}"))),
            ("vendor.egress-ips", json!(secret.clone())),
            (
                "evidence:alpha.crit",
                json!(format!("https://vendor.example/docs?access_token={needle}")),
            ),
        ] {
            let dir = tempfile::tempdir().unwrap();
            let path = dir.path().join("m.yaml");
            let script = with(
                header(),
                json!({"answer:alpha.crit": "good", "answer:beta.date": "2026-01-02", key: value}),
            );
            let (_, p) = session(&path, script, false);
            let saved = std::fs::read_to_string(&path).unwrap_or_default();
            assert!(
                !saved.contains(&needle),
                "{what} typed at {key} was saved:\n{saved}"
            );
            let said = p.transcript.join("\n");
            assert!(
                !said.contains(&needle),
                "{what} typed at {key} was said back:\n{said}"
            );
        }
    }
}
