//! The portfolio across vendors (issue 20 items 4 and 5): documents
//! expired or ending soon, providers several approved vendors rest on, and
//! a provider's reject or overdue review carried to the vendors that
//! depend on it.

use std::path::Path;

use serde_json::Value as Json;

fn example(name: &str) -> String {
    std::fs::read_to_string(Path::new("examples").join(name)).unwrap()
}

/// The example with its vendor renamed and, after `  egress-ips:` or the
/// name, the providers given (YAML list items indented by four spaces).
fn vendor(name: &str, new_name: &str, providers: &str) -> String {
    let text = example(name);
    let old = text
        .lines()
        .find_map(|l| l.strip_prefix("  name: "))
        .unwrap()
        .to_string();
    let mut text = text.replacen(
        &format!("  name: {old}\n"),
        &format!("  name: {new_name}\n"),
        1,
    );
    if !providers.is_empty() {
        let block = format!("  providers:\n{providers}");
        text = if text.contains("  providers:\n") {
            text.replacen("  providers:\n", &block, 1)
        } else {
            text.replacen("\nintegration:", &format!("{block}\nintegration:"), 1)
        };
    }
    text
}

/// Runs `vetted portfolio` with these arguments in a fresh folder holding
/// these files under `vendors/`.
fn run(files: &[(&str, String)], args: &[&str]) -> std::process::Output {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("vendors")).unwrap();
    for (name, text) in files {
        std::fs::write(dir.path().join("vendors").join(name), text).unwrap();
    }
    assert_cmd::Command::cargo_bin("vetted")
        .unwrap()
        .current_dir(dir.path())
        .arg("portfolio")
        .args(args)
        .arg("--no-cache")
        .output()
        .unwrap()
}

fn portfolio(files: &[(&str, String)], as_of: &str, extra: &[&str]) -> (Option<i32>, Json) {
    let mut args = vec!["vendors", "--as-of", as_of, "--format", "json"];
    args.extend(extra);
    let out = run(files, &args);
    let json: Json = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)));
    let schema: Json =
        serde_json::from_str(&std::fs::read_to_string("schemas/portfolio.schema.json").unwrap())
            .unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    let errors: Vec<String> = validator
        .iter_errors(&json)
        .map(|e| e.to_string())
        .collect();
    assert!(errors.is_empty(), "{errors:?}");
    (out.status.code(), json)
}

fn row<'a>(json: &'a Json, provider: &str) -> &'a Json {
    json["providers"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["provider"] == provider)
        .unwrap_or_else(|| panic!("no row for {provider}: {:#}", json["providers"]))
}

#[test]
fn a_rejected_provider_is_carried_to_every_vendor_resting_on_it() {
    let files = [
        // The provider: the withdrawal bot's assessment rejects it.
        (
            "granite.yaml",
            vendor("withdrawal-bot.yaml", "Granite Custody", ""),
        ),
        // Named by its manifest (relative to this file)...
        (
            "tidewater.yaml",
            vendor(
                "well-run-saas-bot.yaml",
                "Tidewater Quant",
                "    - {name: Granite MPC, role: custody, manifest: ./granite.yaml}\n",
            ),
        ),
        // ...and by its name, in other letter case and spacing.
        (
            "ledgerlight.yaml",
            vendor(
                "read-only-tracker.yaml",
                "Ledgerlight",
                "    - {name: granite  custody, role: key-management}\n",
            ),
        ),
        // A rejected vendor on the shared cloud counts as a dependent, not
        // as an approved one.
        (
            "harborline.yaml",
            vendor(
                "denied-leak-bot.yaml",
                "Harborline Bots",
                "    - {name: Amazon Web Services, role: cloud}\n",
            ),
        ),
    ];
    let (code, json) = portfolio(&files, "2026-11-28", &[]);
    assert_eq!(code, Some(0));

    // One row for the provider however it was named, with its own verdict.
    let granite = row(&json, "Granite Custody");
    assert_eq!(granite["dependents"], 2);
    assert_eq!(granite["approved_dependents"], 2);
    assert_eq!(
        granite["roles"],
        serde_json::json!(["custody", "key-management"])
    );
    assert_eq!(granite["assessed"]["verdict"], "reject");
    assert_eq!(granite["assessed"]["file"], "vendors/granite.yaml");
    let aws = row(&json, "Amazon Web Services");
    assert_eq!(
        (
            aws["dependents"].as_u64(),
            aws["approved_dependents"].as_u64()
        ),
        (Some(3), Some(2))
    );
    assert!(aws["assessed"].is_null());
    // Concentration first: the provider most approved vendors rest on.
    assert_eq!(json["providers"][0]["provider"], "Amazon Web Services");

    let carried = json["carried"].as_array().unwrap();
    let to: Vec<&str> = carried
        .iter()
        .map(|c| c["file"].as_str().unwrap())
        .collect();
    assert_eq!(to, ["vendors/ledgerlight.yaml", "vendors/tidewater.yaml"]);
    assert!(
        carried
            .iter()
            .all(|c| c["provider_file"] == "vendors/granite.yaml"
                && c["problem"].as_str().unwrap().contains("rejects"))
    );
    let actions: Vec<&Json> = json["actions"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["kind"] == "provider-risk")
        .collect();
    assert_eq!(actions.len(), 2, "{actions:#?}");
    assert!(
        actions
            .iter()
            .all(|a| a["due"] == "2026-11-28" && a["overdue"] == false)
    );

    // The folder given as `./vendors`: the register shows `./vendors/...`,
    // and the manifest link still finds the provider.
    let md = run(&files, &["./vendors", "--as-of", "2026-11-28"]);
    let md = String::from_utf8(md.stdout).unwrap();
    assert!(md.contains("## Fourth parties"), "{md}");
    assert!(
        md.contains("- **Tidewater Quant** (./vendors/tidewater.yaml) relies on Granite MPC for custody: the provider's own assessment (./vendors/granite.yaml) rejects it: rejected by rule withdrawal-permission, key-scope-withdraw, never-grant."),
        "{md}"
    );
    assert!(
        md.contains("| Amazon Web Services | cloud | 2 | 3 | not assessed |"),
        "{md}"
    );
    let html = run(
        &files,
        &["vendors", "--as-of", "2026-11-28", "--format", "html"],
    );
    let html = String::from_utf8(html.stdout).unwrap();
    assert!(
        html.contains("<h2>Fourth parties</h2>") && html.contains("Granite MPC"),
        "{html}"
    );
}

#[test]
fn a_name_two_register_entries_share_is_not_carried() {
    let files = [
        (
            "granite-a.yaml",
            vendor("withdrawal-bot.yaml", "Granite Custody", ""),
        ),
        (
            "granite-b.yaml",
            vendor("read-only-tracker.yaml", "Granite Custody", ""),
        ),
        (
            "ledgerlight.yaml",
            vendor(
                "read-only-tracker.yaml",
                "Ledgerlight",
                "    - {name: Granite Custody, role: custody}\n    - {name: Granite Custody, role: key-management}\n",
            ),
        ),
    ];
    let (_, json) = portfolio(&files, "2026-11-28", &[]);
    // Which Granite Custody the vendor means is not known: shown at its
    // worst, counted once for the vendor however often it is named, and
    // not carried.
    let granite = row(&json, "Granite Custody");
    assert_eq!(granite["dependents"], 1);
    assert_eq!(
        granite["roles"],
        serde_json::json!(["custody", "key-management"])
    );
    assert_eq!(granite["assessed"]["verdict"], "reject");
    assert_eq!(json["carried"], serde_json::json!([]));
}

#[test]
fn a_provider_overdue_for_review_is_carried_and_fails_the_overdue_gate() {
    let files = [
        (
            "northwind.yaml",
            vendor("crm-webhook.yaml", "Northwind KYC", ""),
        ),
        (
            "ledgerlight.yaml",
            vendor(
                "read-only-tracker.yaml",
                "Ledgerlight",
                "    - {name: Northwind KYC, role: kyc}\n",
            ),
        ),
    ];
    // Before the provider's review is due nothing is carried.
    let (_, json) = portfolio(&files, "2026-11-28", &[]);
    assert_eq!(json["carried"], serde_json::json!([]));
    let due = row(&json, "Northwind KYC")["assessed"]["review_due"]
        .as_str()
        .unwrap()
        .to_string();
    // After it, the dependent vendor carries it, overdue since that date.
    let later: vetted::date::Date = due.parse().unwrap();
    let (code, json) = portfolio(
        &files,
        &later.plus_days(10).to_string(),
        &["--fail-on", "overdue"],
    );
    assert_eq!(code, Some(1));
    // The review date as of then (a later as-of date can bring it forward,
    // as evidence ages and the tier rises).
    let due = row(&json, "Northwind KYC")["assessed"]["review_due"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(due.parse::<vetted::date::Date>().unwrap() < later.plus_days(10));
    let carried = json["carried"].as_array().unwrap();
    assert_eq!(carried.len(), 1, "{carried:#?}");
    assert_eq!(carried[0]["vendor"], "Ledgerlight");
    assert!(
        carried[0]["problem"].as_str().unwrap().contains(&due),
        "{carried:#?}"
    );
    assert!(
        json["actions"]
            .as_array()
            .unwrap()
            .iter()
            .any(|a| a["kind"] == "provider-risk"
                && a["due"] == due.as_str()
                && a["overdue"] == true)
    );
}

#[test]
fn documents_ending_soon_or_expired_are_listed_and_due() {
    let files = [("tidewater.yaml", example("well-run-saas-bot.yaml"))];
    // The example's insurance certificate counts until 2027-01-14.
    let (_, json) = portfolio(&files, "2026-11-28", &[]);
    let docs = json["documents"].as_array().unwrap();
    assert_eq!(docs.len(), 1, "{docs:#?}");
    assert_eq!(docs[0]["kind"], "insurance");
    assert_eq!(docs[0]["days_left"], 47);
    assert_eq!(docs[0]["expired"], false);
    // Earlier, nothing ends within 60 days.
    let (_, json) = portfolio(&files, "2026-11-14", &[]);
    assert_eq!(json["documents"], serde_json::json!([]));
    // Later it has run out: listed as expired, and the action is overdue.
    let (code, json) = portfolio(&files, "2027-02-01", &["--fail-on", "overdue"]);
    assert_eq!(code, Some(1));
    let docs = json["documents"].as_array().unwrap();
    assert_eq!(
        (docs[0]["expired"].as_bool(), docs[0]["days_left"].as_i64()),
        (Some(true), Some(-18))
    );
    assert!(
        json["actions"]
            .as_array()
            .unwrap()
            .iter()
            .any(|a| a["kind"] == "renew-document"
                && a["due"] == "2027-01-14"
                && a["overdue"] == true)
    );
}
