//! The JSON report against its contract, `schemas/report.schema.json`.
//!
//! Every report the project's inputs can produce must validate: the bundled
//! examples, the calibration cases, any manifest among `../shared/fixtures`,
//! and the examples again with public evidence from every collector fixture
//! recorded in them (so `collected` and contradiction findings are reached),
//! on several as-of dates, with advice and without. The schema is strict
//! (`additionalProperties: false`, every field required), so a field added
//! to or dropped from the report fails here until the schema says so; the
//! last tests prove that strictness on a real report, position by position,
//! and hold the schema's enums to the Rust enums.

#[macro_use]
mod contract;
mod support;

use std::collections::BTreeSet;
use std::sync::OnceLock;

use contract::{AS_OF, check_all, lenient_places, merged, names, schema, written};
use serde_json::{Value as Json, json};
use vetted::checklist::Catalog;
use vetted::date::Date;
use vetted::report::{FORMAT_VERSION, Report};
use vetted::rules::Policy;
use vetted::schema::Format;

const REPORT: Format = Format::Report;

/// Each report a manifest gives: through `vetted::assess` (with advice) and
/// built from the bare assessment (without), on every as-of date.
fn reports(
    name: &str,
    text: &[u8],
    dates: &[&str],
    catalog: &Catalog,
    policy: &Policy,
) -> Vec<(String, Report)> {
    let mut out = Vec::new();
    for as_of in dates {
        let as_of: Date = as_of.parse().unwrap();
        let (report, _) = vetted::assess(name, text.to_vec(), catalog, policy, as_of)
            .unwrap_or_else(|e| panic!("{name} on {as_of}: {e:?}"));
        assert!(report.advice.is_some());
        out.push((format!("{name} on {as_of}"), report));
        let (m, a) = vetted::evaluate_file(name, text.to_vec(), catalog, policy, as_of).unwrap();
        let source = vetted::report::integrity::Input::new("manifest", name, text);
        let bare = Report::build(&m, source, catalog, policy, &a);
        assert!(bare.advice.is_none());
        out.push((format!("{name} on {as_of}, no advice"), bare));
    }
    out
}

/// Each named report as written.
fn docs(reports: &[(String, Report)]) -> impl Iterator<Item = (String, Json)> + '_ {
    reports.iter().map(|(n, r)| (n.clone(), written(r)))
}

/// The reports of the examples, the calibration cases and the shared
/// manifests, computed once for the tests that read them.
fn corpus() -> &'static [(String, Report)] {
    static CORPUS: OnceLock<Vec<(String, Report)>> = OnceLock::new();
    CORPUS.get_or_init(|| {
        let catalog = vetted::load_catalog(None).unwrap();
        let policy = Policy::default_policy();
        let manifests = contract::manifests();
        let mut all = Vec::new();
        for path in &manifests {
            let text = std::fs::read(path).unwrap();
            all.extend(reports(
                &path.display().to_string(),
                &text,
                &AS_OF,
                &catalog,
                &policy,
            ));
        }
        all
    })
}

#[test]
fn every_report_of_the_examples_calibration_and_shared_manifests_validates() {
    let failures = check_all(REPORT, docs(corpus()));
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    eprintln!("{} reports validate", corpus().len());
}

/// Reports of the examples with public evidence recorded, computed once.
fn evidence_reports() -> &'static [(String, Report)] {
    static REPORTS: OnceLock<Vec<(String, Report)>> = OnceLock::new();
    REPORTS.get_or_init(|| {
        let catalog = vetted::load_catalog(None).unwrap();
        let policy = Policy::default_policy();
        let mut all = Vec::new();
        for case in contract::with_evidence() {
            // Two dates: evidence reports are many, and advice is the slow part.
            let text = case.text.as_bytes();
            for (n, r) in reports(&case.name, text, &AS_OF[..2], &catalog, &policy) {
                assert!(r.collected.is_some(), "{n}");
                all.push((n, r));
            }
        }
        all
    })
}

#[test]
fn every_report_with_collected_evidence_validates() {
    let all = evidence_reports();
    let cases = contract::with_evidence();
    let filled: usize = cases.iter().map(|c| c.filled).sum();
    let contradictions: usize = cases.iter().map(|c| c.contradictions).sum();
    // Otherwise the collected section and contradiction findings would be
    // left unchecked.
    assert!(
        contradictions > 0 && filled > 0,
        "{contradictions} {filled}"
    );
    assert!(
        all.iter().any(|(_, r)| r
            .findings
            .iter()
            .any(|f| f.kind == vetted::evaluate::FindingKind::Contradiction)),
        "no contradiction finding reached a report"
    );
    let failures = check_all(REPORT, docs(all));
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    eprintln!("{} reports with collected evidence validate", all.len());
}

#[test]
fn the_schema_is_a_2020_12_schema_of_the_current_format_version() {
    jsonschema::draft202012::meta::validate(schema(REPORT)).unwrap();
    assert_eq!(
        schema(REPORT)["$schema"],
        "https://json-schema.org/draft/2020-12/schema"
    );
    assert_eq!(
        schema(REPORT)["properties"]["format_version"]["const"],
        json!(FORMAT_VERSION)
    );
}

/// One report holding every section: the first report with evidence
/// recorded, each section it leaves empty taken from the first report that
/// fills it.
fn sample() -> Json {
    let all: Vec<Json> = evidence_reports()
        .iter()
        .chain(corpus())
        .map(|(_, r)| written(r))
        .collect();
    merged(&all)
}

#[test]
fn a_field_added_or_dropped_anywhere_in_a_report_fails_validation() {
    let lenient = lenient_places(REPORT, &sample(), "", &[]);
    assert!(lenient.is_empty(), "{}", lenient.join("\n"));
}

fn schema_enum(def: &str) -> BTreeSet<String> {
    schema(REPORT)["$defs"][def]["enum"]
        .as_array()
        .unwrap_or_else(|| panic!("no enum {def}"))
        .iter()
        .map(|v| v.as_str().unwrap().to_string())
        .collect()
}

/// Every variant of a Rust enum the report writes, against the schema's
/// list: a variant added on one side only fails.
#[test]
fn the_schema_enums_are_the_rust_enums() {
    use vetted::evaluate::advice::ChangeKind;
    use vetted::evaluate::documents::DocumentState;
    use vetted::evaluate::{
        EvidenceState, FindingKind, Freshness, GateEffect, KeyAction, Standing, Status,
    };
    use vetted::level::Level;
    use vetted::manifest::{Connection, IncidentKind, KeyState, Provenance};
    use vetted::manifest::{DocumentKind, ProviderRole};
    use vetted::rules::{Permission, Verdict};

    let cases = [
        (
            "status",
            names(&every!(Status::{
                Answered, Unknown, Unanswered, Declined, NotApplicable,
                DeclaredNotApplicable, Waived, Unscored,
            })),
        ),
        (
            "evidence-state",
            names(&every!(EvidenceState::{Current, Stale, Missing, NotNeeded})),
        ),
        (
            "freshness",
            names(&every!(Freshness::{Current, Stale, Expired})),
        ),
        (
            "finding-kind",
            names(&every!(FindingKind::{Rule, Question, Contradiction, Document})),
        ),
        (
            "standing",
            names(&every!(Standing::{Open, Easing, History})),
        ),
        (
            "key-action",
            names(&every!(KeyAction::{Keep, Fix, Create, DoNotCreate, RevokeNow, None})),
        ),
        (
            "key-state",
            names(&every!(KeyState::{Proposed, Live, Revoked})),
        ),
        (
            "incident-kind",
            names(&every!(IncidentKind::{
                KeyLeak, Breach, FundsDrained, Phishing, MaliciousRelease, Outage, Other,
            })),
        ),
        (
            "document-kind",
            names(&every!(DocumentKind::{
                Soc2Type1, Soc2Type2, BridgeLetter, Iso27001, Dpa, PentestLetter, Insurance,
            })),
        ),
        (
            "document-state",
            names(&every!(DocumentState::{Superseded, Expired, Expiring, Current, Open})),
        ),
        (
            "provider-role",
            names(&every!(ProviderRole::{Custody, Cloud, KeyManagement, Kyc, Other})),
        ),
        (
            "connection",
            names(&every!(Connection::{ApiKey, Oauth, Broker, BrowserSession, Native})),
        ),
        (
            "provenance",
            names(&every!(Provenance::{VendorClaim, Document, Observed, Collected})),
        ),
        (
            "permission",
            names(&every!(Permission::{
                Read, Write, Trade, Transfer, Withdraw, Admin, Margin, Futures, Options,
            })),
        ),
        (
            "change-kind",
            names(&every!(ChangeKind::{Answer, Permission, Funds})),
        ),
        ("level", names(&Level::ALL)),
        ("verdict", names(&Verdict::ALL)),
        (
            "verdict-label",
            Verdict::ALL.iter().map(|v| v.label().to_string()).collect(),
        ),
    ];
    for (def, rust) in cases {
        assert_eq!(schema_enum(def), rust, "{def}");
    }

    let mut effects = vec![
        GateEffect::Reject,
        GateEffect::Conditions,
        GateEffect::Finding,
    ];
    effects.extend(Level::ALL.map(GateEffect::MinTier));
    for e in &effects {
        match e {
            GateEffect::Reject
            | GateEffect::Conditions
            | GateEffect::Finding
            | GateEffect::MinTier(_) => {}
        }
    }
    assert_eq!(schema_enum("gate-effect"), names(&effects));
}

/// The kinds of a tagged union in the schema (`condition`, `basis`).
fn tagged_kinds(def: &str) -> BTreeSet<String> {
    schema(REPORT)["$defs"][def]["oneOf"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| {
            b["properties"]["kind"]["const"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect()
}

/// Each condition and basis, one of every kind, validates against its
/// branch of the schema, and the schema has no kind the code lacks. Most
/// condition kinds appear in the corpus; this reaches the rest.
#[test]
fn every_condition_and_basis_kind_matches_the_schema() {
    use vetted::evaluate::{Basis, Condition};
    use vetted::level::Level;
    use vetted::manifest::Connection;
    use vetted::rules::Permission;

    let date: Date = "2027-01-01".parse().unwrap();
    let conditions = vec![
        Condition::GrantOnly {
            grant: vec![Permission::Read],
            never: vec![Permission::Withdraw],
        },
        Condition::BindToIps {
            ips: vec!["203.0.113.10".into()],
            own: false,
        },
        Condition::ExchangeScoped {
            connection: Connection::Oauth,
        },
        Condition::NoStaticIps {
            own: true,
            moves_funds: true,
        },
        Condition::DedicatedKey {
            rotation_days: 90,
            tier: Level::Medium,
        },
        Condition::NarrowKey {
            exchange: "Kraken".into(),
            label: "bot".into(),
            excess: vec![Permission::Transfer],
        },
        Condition::BindKey {
            exchange: "Kraken".into(),
            label: "bot".into(),
        },
        Condition::RotateKey {
            exchange: "Kraken".into(),
            label: "bot".into(),
            due: date,
        },
        Condition::WithdrawalAllowlist,
        Condition::FundsBelow(vetted::evaluate::decision::FundsLimit {
            limit: 86956.0,
            currency: "EUR".into(),
            in_policy_currency: Some(100000.0),
            inherent: Level::Critical,
            verdict: vetted::rules::Verdict::Reject,
        }),
        Condition::RuleTerms {
            rule: "incident-easing".into(),
            message: "m".into(),
            funds_cap: Some(10000.0),
            currency: "USD".into(),
            review_days: None,
            remediation: Some("r".into()),
        },
        Condition::Remediate {
            id: "keys.storage".into(),
            severity: Level::High,
            remediation: "r".into(),
        },
        Condition::Review { by: date },
    ];
    for c in &conditions {
        match c {
            Condition::GrantOnly { .. }
            | Condition::BindToIps { .. }
            | Condition::ExchangeScoped { .. }
            | Condition::NoStaticIps { .. }
            | Condition::DedicatedKey { .. }
            | Condition::NarrowKey { .. }
            | Condition::BindKey { .. }
            | Condition::RotateKey { .. }
            | Condition::WithdrawalAllowlist
            | Condition::FundsBelow(_)
            | Condition::RuleTerms { .. }
            | Condition::Remediate { .. }
            | Condition::Review { .. } => {}
        }
    }
    let bases = vec![
        Basis::Reject {
            rules: vec!["never-grant".into()],
        },
        Basis::Confidence {
            confidence: 20.0,
            minimum: 50.0,
        },
        Basis::Table {
            inherent: Level::High,
            tier: Level::Low,
            raised_by: Vec::new(),
            limited_by: Vec::new(),
            settled_despite_unknowns: false,
        },
    ];
    for b in &bases {
        match b {
            Basis::Reject { .. } | Basis::Confidence { .. } | Basis::Table { .. } => {}
        }
    }
    // Put them in a real report, where the schema reads them: each must
    // validate, and lose or gain no field unnoticed.
    let mut doc = sample();
    doc["conditions"] = serde_json::to_value(&conditions).unwrap();
    let mut lenient = lenient_places(REPORT, &doc, "/conditions", &[]);
    for b in &bases {
        doc["summary"]["basis"] = serde_json::to_value(b).unwrap();
        lenient.extend(lenient_places(REPORT, &doc, "/summary/basis", &[]));
    }
    assert!(lenient.is_empty(), "{}", lenient.join("\n"));
    let kinds = |values: Json| -> BTreeSet<String> {
        values
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v["kind"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(
        tagged_kinds("condition"),
        kinds(serde_json::to_value(&conditions).unwrap())
    );
    assert_eq!(
        tagged_kinds("basis"),
        kinds(serde_json::to_value(&bases).unwrap())
    );
}
