//! A key whose permissions changed on the exchange between two
//! verifications (issue 17, item 6): a finding in the assessment and an
//! action in the portfolio; another key under the same label is a
//! rotation, not drift.

use vetted::rules::Policy;

const AS_OF: &str = "2026-11-28";

/// The SaaS example with its Binance key verified twice: read and trade
/// on 1 October, read only on 19 November, `fingerprint` the second time.
fn verified_twice(fingerprint: &str) -> String {
    let text = std::fs::read_to_string("examples/well-run-saas-bot.yaml").unwrap();
    let key = "      label: tidewater-spot-grid\n      created: 2026-11-18\n      permissions: [read, trade]\n      ip-restricted: true\n";
    assert!(text.contains(key), "the example's Binance key");
    text.replacen(
        key,
        &format!(
            "{key}      observed:
        observed: 2026-11-19T10:00:00Z
        source: observed
        outcome: verified
        fingerprint: {fingerprint}
        url: https://api.binance.com/sapi/v1/account/apiRestrictions
        permissions: [read]
        ip-restricted: true
        previous:
          observed: 2026-10-01T10:00:00Z
          fingerprint: sha256:0123456789abcdef
          permissions: [read, trade]
          ip-restricted: true
"
        ),
        1,
    )
}

fn evaluate(text: &str) -> vetted::evaluate::Assessment {
    let (_, a) = vetted::evaluate_file(
        "m.yaml",
        text.as_bytes().to_vec(),
        &vetted::load_catalog(None).unwrap(),
        &Policy::default_policy(),
        AS_OF.parse().unwrap(),
    )
    .unwrap_or_else(|d| panic!("{d:#?}"));
    a
}

fn finding_ids(text: &str) -> Vec<String> {
    evaluate(text).findings.into_iter().map(|f| f.id).collect()
}

#[test]
fn permissions_that_changed_between_two_checks_are_drift() {
    let drifted = verified_twice("sha256:0123456789abcdef");
    let ids = finding_ids(&drifted);
    assert!(
        ids.iter().any(|i| i == "key.tidewater-spot-grid.drift"),
        "{ids:?}"
    );
    // The same change under a new key id is a rotation.
    let rotated = verified_twice("sha256:fedcba9876543210");
    let ids = finding_ids(&rotated);
    assert!(
        !ids.iter().any(|i| i == "key.tidewater-spot-grid.drift"),
        "{ids:?}"
    );

    // The portfolio lists it as an action.
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("tidewater.yaml"), &drifted).unwrap();
    let out = assert_cmd::Command::cargo_bin("vetted")
        .unwrap()
        .args([
            "portfolio",
            "--as-of",
            AS_OF,
            "--format",
            "json",
            "--no-cache",
        ])
        .arg(dir.path())
        .output()
        .unwrap();
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let drift: Vec<&serde_json::Value> = json["actions"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["kind"] == "key-drift")
        .collect();
    assert_eq!(drift.len(), 1, "{:#}", json["actions"]);
    assert!(
        drift[0]["detail"]
            .as_str()
            .unwrap()
            .contains("tidewater-spot-grid"),
        "{:#}",
        drift[0]
    );
}

/// A key the exchange reports as holding more than the integration
/// declares is the customer's to fix, now: the vendor's inherent risk stays
/// that of what it is granted, approval holds only on the key being
/// revoked (a never-grant permission) or narrowed (anything else), and the
/// key policy says so for that key.
#[test]
fn a_key_the_exchange_says_holds_more_is_revoked_or_narrowed_now() {
    use vetted::evaluate::{GateEffect, KeyAction};
    let text = std::fs::read_to_string("examples/read-only-tracker.yaml").unwrap();
    let key = "      label: ledgerlight-readonly\n      created: 2026-11-19\n      permissions: [read]\n      ip-restricted: true\n";
    assert!(text.contains(key), "the example's Binance key");
    let declared = evaluate(&text);
    let reported = |permissions: &str| {
        evaluate(&text.replacen(
            key,
            &format!(
                "{key}      observed:
        observed: 2026-11-20T10:00:00Z
        source: observed
        outcome: verified
        fingerprint: sha256:0123456789abcdef
        url: https://api.binance.com/sapi/v1/account/apiRestrictions
        permissions: {permissions}
        ip-restricted: true
"
            ),
            1,
        ))
    };
    for (permissions, gate, action) in [
        ("[read, withdraw]", "never-grant", KeyAction::RevokeNow),
        ("[read, trade, futures]", "key-excess", KeyAction::Fix),
    ] {
        let a = reported(permissions);
        assert_eq!(
            (a.inherent_risk, &a.inherent_reasons),
            (declared.inherent_risk, &declared.inherent_reasons),
            "{permissions}"
        );
        let g = a.gates.iter().find(|g| g.rule == gate).unwrap();
        assert_eq!(g.effect, GateEffect::Conditions, "{permissions}");
        assert!(
            g.message.contains("ledgerlight-readonly on binance"),
            "{}",
            g.message
        );
        assert_eq!(
            a.verdict,
            vetted::rules::Verdict::Conditions,
            "{permissions}"
        );
        let k = a
            .key_policy
            .keys
            .iter()
            .find(|k| k.label == "ledgerlight-readonly")
            .unwrap();
        assert_eq!(k.action, action, "{permissions}");
    }
    assert!(
        declared
            .gates
            .iter()
            .all(|g| g.rule != "key-excess" && g.rule != "never-grant")
    );
}
