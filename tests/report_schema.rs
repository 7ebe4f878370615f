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

mod support;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use serde_json::{Value as Json, json};
use url::Url;
use vetted::checklist::Catalog;
use vetted::date::Date;
use vetted::evidence::collect::{Collector, Job, interpret};
use vetted::evidence::fetch::{FetchError, Response};
use vetted::manifest::Collected;
use vetted::report::{FORMAT_VERSION, Report};
use vetted::rules::Policy;
use vetted::schema::Format;

/// The examples' assessment week, a date when much evidence is stale and
/// keys are due, and one when the incidents have become history.
const AS_OF: [&str; 3] = ["2026-11-27", "2028-03-01", "2032-01-15"];

fn schema() -> &'static Json {
    static SCHEMA: OnceLock<Json> = OnceLock::new();
    SCHEMA.get_or_init(|| serde_json::from_str(Format::Report.schema_text()).unwrap())
}

fn validator() -> &'static jsonschema::Validator {
    static VALIDATOR: OnceLock<jsonschema::Validator> = OnceLock::new();
    VALIDATOR.get_or_init(|| {
        // Formats (dates) are checked too: a reader may turn them on.
        jsonschema::draft202012::options()
            .should_validate_formats(true)
            .build(schema())
            .unwrap()
    })
}

/// The schema's problems with `instance`, one line each.
fn violations(instance: &Json) -> Vec<String> {
    validator()
        .iter_errors(instance)
        .map(|e| format!("{}: {e}", e.instance_path()))
        .collect()
}

/// The report as `--format json` writes it, read back.
fn written(report: &Report) -> Json {
    serde_json::from_str(&report.to_json()).unwrap()
}

/// YAML, but not a calibration case's expectations.
fn is_yaml(path: &Path) -> bool {
    let name = path.to_string_lossy();
    (name.ends_with(".yaml") || name.ends_with(".yml")) && !name.ends_with(".expect.yaml")
}

fn yaml_files(dir: &Path) -> Vec<PathBuf> {
    support::files(dir)
        .into_iter()
        .filter(|p| is_yaml(p))
        .collect()
}

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
        let bare = Report::build(&m, catalog, policy, &a);
        assert!(bare.advice.is_none());
        out.push((format!("{name} on {as_of}, no advice"), bare));
    }
    out
}

/// Manifests under `../shared/fixtures`: YAML files with the two sections
/// every manifest has. The rest there is evidence, used below.
fn shared_manifests() -> Vec<PathBuf> {
    let Some(root) = support::shared("") else {
        return Vec::new();
    };
    let mut found = Vec::new();
    let mut dirs = vec![root];
    while let Some(dir) = dirs.pop() {
        for path in support::files(&dir) {
            if path.is_dir() {
                dirs.push(path);
                continue;
            }
            if !is_yaml(&path) {
                continue;
            }
            let text = std::fs::read_to_string(&path).unwrap_or_default();
            let top = |key: &str| text.lines().any(|l| l.starts_with(key));
            if top("vendor:") && top("integration:") {
                found.push(path);
            }
        }
    }
    eprintln!(
        "{} manifest(s) among ../shared/fixtures: {found:?}",
        found.len()
    );
    found
}

fn check_all(reports: &[(String, Report)]) -> Vec<String> {
    let mut failures = Vec::new();
    for (name, report) in reports {
        let problems = violations(&written(report));
        if !problems.is_empty() {
            failures.push(format!("{name}:\n  {}", problems.join("\n  ")));
        }
    }
    failures
}

/// The reports of the examples, the calibration cases and the shared
/// manifests, computed once for the tests that read them.
fn corpus() -> &'static [(String, Report)] {
    static CORPUS: OnceLock<Vec<(String, Report)>> = OnceLock::new();
    CORPUS.get_or_init(|| {
        let catalog = vetted::load_catalog(None).unwrap();
        let policy = Policy::default_policy();
        let mut manifests = yaml_files(Path::new("examples"));
        let examples = manifests.len();
        manifests.extend(yaml_files(Path::new("tests/calibration")));
        assert!(
            examples >= 5 && manifests.len() >= examples + 20,
            "{manifests:?}"
        );
        manifests.extend(shared_manifests());
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
    let failures = check_all(corpus());
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    eprintln!("{} reports validate", corpus().len());
}

/// One collector's fixtures: the project's own, then the shared ones.
fn evidence_files(own: &str, shared: &str) -> Vec<PathBuf> {
    let mut out = support::files(Path::new(own));
    if let Some(dir) = support::shared(shared) {
        out.extend(support::files(&dir));
    }
    out
}

fn response(body: Vec<u8>, content_type: &str) -> Result<Response, FetchError> {
    Ok(Response {
        final_url: "https://vendor.example/".into(),
        status: 200,
        content_type: Some(content_type.into()),
        hsts: Some("max-age=63072000".into()),
        body,
    })
}

/// What `vetted collect` would record from the `i`-th fixture of each
/// collector (cycling through the shorter lists), with one failed fetch.
fn collected(i: usize, fixtures: &[(Collector, &str, Vec<PathBuf>)], as_of: Date) -> Collected {
    let observed = format!("{as_of}T00:00:00Z");
    let url = |path: &str| Url::parse(&format!("https://vendor.example/{path}")).unwrap();
    let mut results = vec![
        (
            Job {
                collector: Collector::Website,
                url: url(""),
                body: false,
            },
            response(Vec::new(), "text/html"),
        ),
        (
            Job {
                collector: Collector::Docs,
                url: url("docs"),
                body: false,
            },
            Err(FetchError::Failed("connection reset".into())),
        ),
    ];
    for (collector, content_type, files) in fixtures {
        let file = &files[i % files.len()];
        results.push((
            Job {
                collector: *collector,
                url: url(&file.file_name().unwrap().to_string_lossy()),
                body: true,
            },
            response(std::fs::read(file).unwrap(), content_type),
        ));
    }
    let mut c = interpret(&results, as_of, &observed);
    vetted::evidence::collect::add_transport(&mut c);
    vetted::evidence::withhold_secrets(&mut c);
    c
}

/// Named reports, with how many answers the evidence filled and how many it
/// contradicted.
type WithEvidence = (Vec<(String, Report)>, usize, usize);

/// Reports of the examples with the evidence of every collector fixture
/// recorded in them, computed once.
fn evidence_reports() -> &'static WithEvidence {
    static REPORTS: OnceLock<WithEvidence> = OnceLock::new();
    REPORTS.get_or_init(|| {
        let catalog = &vetted::load_catalog(None).unwrap();
        let policy = &Policy::default_policy();
        let fixtures = [
            (
                Collector::SecurityTxt,
                "text/plain",
                evidence_files("tests/fixtures/security-txt", "security-txt"),
            ),
            (
                Collector::SecurityInsights,
                "text/plain",
                evidence_files("tests/fixtures/collect/insights", "security-insights"),
            ),
            (
                Collector::Repository,
                "application/json",
                evidence_files("tests/fixtures/collect/repo", "github-repo"),
            ),
            (
                Collector::Scorecard,
                "application/json",
                evidence_files("tests/fixtures/collect/scorecard", "scorecard"),
            ),
        ];
        let rounds = fixtures.iter().map(|f| f.2.len()).max().unwrap();
        let examples = yaml_files(Path::new("examples"));
        let mut all = Vec::new();
        let (mut filled, mut contradictions) = (0, 0);
        for i in 0..rounds {
            // Each round on the next example, so every example meets evidence.
            let path = &examples[i % examples.len()];
            let text = std::fs::read(path).unwrap();
            let loaded =
                vetted::manifest::load(&path.display().to_string(), text, catalog).unwrap();
            let mut manifest = loaded.manifest;
            // Observed on the assessment date: evidence may not postdate it.
            let c = collected(i, &fixtures, manifest.assessment.date);
            assert!(!c.facts.is_empty() && !c.failures.is_empty(), "{c:#?}");
            let applied = vetted::evidence::apply(&mut manifest, catalog, c);
            filled += applied.filled.len();
            contradictions += applied.contradictions.len();
            let text = vetted::manifest::write::render(&manifest).unwrap();
            let name = format!("{} with evidence round {i}", path.display());
            // Two dates: evidence reports are many, and advice is the slow part.
            for (n, r) in reports(&name, text.as_bytes(), &AS_OF[..2], catalog, policy) {
                assert!(r.collected.is_some(), "{n}");
                all.push((n, r));
            }
        }
        (all, filled, contradictions)
    })
}

#[test]
fn every_report_with_collected_evidence_validates() {
    let (all, filled, contradictions) = evidence_reports();
    let (filled, contradictions) = (*filled, *contradictions);
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
    let failures = check_all(all);
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    eprintln!("{} reports with collected evidence validate", all.len());
}

#[test]
fn the_schema_is_a_2020_12_schema_of_the_current_format_version() {
    jsonschema::draft202012::meta::validate(schema()).unwrap();
    assert_eq!(
        schema()["$schema"],
        "https://json-schema.org/draft/2020-12/schema"
    );
    assert_eq!(
        schema()["properties"]["format_version"]["const"],
        json!(FORMAT_VERSION)
    );
}

/// One report holding every section: the first report with evidence
/// recorded, each section it leaves empty taken from the first report that
/// fills it.
fn sample() -> Json {
    let reports: Vec<&Report> = evidence_reports()
        .0
        .iter()
        .chain(corpus())
        .map(|(_, r)| r)
        .collect();
    let mut doc = written(reports[0]);
    for r in &reports[1..] {
        for (k, v) in written(r).as_object().unwrap() {
            let empty = doc[k].is_null() || doc[k].as_array().is_some_and(Vec::is_empty);
            if empty {
                doc[k] = v.clone();
            }
        }
    }
    assert!(violations(&doc).is_empty(), "{:?}", violations(&doc));
    let unfilled: Vec<&String> = doc
        .as_object()
        .unwrap()
        .iter()
        .filter(|(_, v)| v.is_null() || v.as_array().is_some_and(Vec::is_empty))
        .map(|(k, _)| k)
        .collect();
    assert!(unfilled.is_empty(), "no example fills {unfilled:?}");
    doc
}

/// Every object in `v` with its JSON pointer, the first object of each
/// shape only: the pointer with array indices as `*`, and the `kind` of a
/// tagged object (a condition, a basis), whose fields depend on it.
fn objects(
    v: &Json,
    pointer: String,
    shape: String,
    seen: &mut BTreeSet<String>,
    out: &mut Vec<String>,
) {
    match v {
        Json::Object(map) => {
            let kind = map.get("kind").and_then(Json::as_str).unwrap_or_default();
            if seen.insert(format!("{shape}:{kind}")) {
                out.push(pointer.clone());
            }
            for (k, x) in map {
                let k = k.replace('~', "~0").replace('/', "~1");
                // Fact names are data, not fields.
                let key_shape = if shape.ends_with("/collected/facts") {
                    "*"
                } else {
                    &k
                };
                objects(
                    x,
                    format!("{pointer}/{k}"),
                    format!("{shape}/{key_shape}"),
                    seen,
                    out,
                );
            }
        }
        Json::Array(items) => {
            for (i, x) in items.iter().enumerate() {
                objects(x, format!("{pointer}/{i}"), format!("{shape}/*"), seen, out);
            }
        }
        _ => {}
    }
}

/// The objects under `under` in a valid report that would still validate
/// with a field added, or with one of theirs dropped: each is a place where
/// the report could change shape unnoticed.
fn lenient_places(doc: &Json, under: &str) -> Vec<String> {
    assert!(violations(doc).is_empty(), "{:?}", violations(doc));
    let mut pointers = Vec::new();
    objects(
        doc.pointer(under).unwrap(),
        under.to_string(),
        String::new(),
        &mut BTreeSet::new(),
        &mut pointers,
    );
    let mut lenient = Vec::new();
    for pointer in &pointers {
        let fields: Vec<String> = doc
            .pointer(pointer)
            .unwrap()
            .as_object()
            .unwrap()
            .keys()
            .cloned()
            .collect();
        let mut added = doc.clone();
        let target = added.pointer_mut(pointer).unwrap().as_object_mut().unwrap();
        target.insert("added_field".into(), json!(1));
        if violations(&added).is_empty() {
            lenient.push(format!("{pointer}: accepts an added field"));
        }
        // The facts map holds any fact name; its entries are not fields.
        if pointer.ends_with("/collected/facts") {
            continue;
        }
        for field in fields {
            let mut dropped = doc.clone();
            let target = dropped
                .pointer_mut(pointer)
                .unwrap()
                .as_object_mut()
                .unwrap();
            target.shift_remove(&field);
            if violations(&dropped).is_empty() {
                lenient.push(format!("{pointer}: accepts a report without `{field}`"));
            }
        }
    }
    eprintln!("{} places under `{under}` checked", pointers.len());
    lenient
}

#[test]
fn a_field_added_or_dropped_anywhere_in_a_report_fails_validation() {
    let lenient = lenient_places(&sample(), "");
    assert!(lenient.is_empty(), "{}", lenient.join("\n"));
}

fn schema_enum(def: &str) -> BTreeSet<String> {
    schema()["$defs"][def]["enum"]
        .as_array()
        .unwrap_or_else(|| panic!("no enum {def}"))
        .iter()
        .map(|v| v.as_str().unwrap().to_string())
        .collect()
}

fn names<T: serde::Serialize>(values: &[T]) -> BTreeSet<String> {
    values
        .iter()
        .map(|v| {
            serde_json::to_value(v)
                .unwrap()
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect()
}

/// Every variant of a fieldless enum, as an array. The `match` inside has
/// no wildcard, so it stops compiling when the enum gains a variant and
/// the list cannot fall behind.
macro_rules! every {
    ($ty:ident :: { $($v:ident),* $(,)? }) => {{
        let all = [$($ty::$v),*];
        for x in &all {
            match x {
                $($ty::$v)|* => {}
            }
        }
        all
    }};
}

/// Every variant of a Rust enum the report writes, against the schema's
/// list: a variant added on one side only fails.
#[test]
fn the_schema_enums_are_the_rust_enums() {
    use vetted::evaluate::advice::ChangeKind;
    use vetted::evaluate::{
        EvidenceState, FindingKind, Freshness, GateEffect, KeyAction, Standing, Status,
    };
    use vetted::level::Level;
    use vetted::manifest::{Connection, IncidentKind, KeyState, Provenance};
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
            names(&every!(FindingKind::{Rule, Question, Contradiction})),
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
            "connection",
            names(&every!(Connection::{ApiKey, Oauth, Broker, BrowserSession})),
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
    schema()["$defs"][def]["oneOf"]
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
        Condition::NoStaticIps { own: true },
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
        Condition::RuleTerms {
            rule: "incident-easing".into(),
            message: "m".into(),
            funds_cap: Some(10000.0),
            currency: "USD".into(),
            review_days: None,
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
    let mut lenient = lenient_places(&doc, "/conditions");
    for b in &bases {
        doc["summary"]["basis"] = serde_json::to_value(b).unwrap();
        lenient.extend(lenient_places(&doc, "/summary/basis"));
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
