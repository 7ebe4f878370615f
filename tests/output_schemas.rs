//! The JSON of `vetted compare`, `portfolio` and `diff` against their
//! contracts (`schemas/compare.schema.json`, `portfolio.schema.json`,
//! `diff.schema.json`): every output the project's inputs give validates,
//! on several as-of dates; each schema is strict wherever its output has an
//! object; and a definition that shares a name with one of the report
//! schema's means the same thing.

#[macro_use]
mod contract;
mod support;

use std::path::Path;
use std::sync::OnceLock;

use contract::{AS_OF, check_all, lenient_places, merged, names, schema, written};
use serde_json::Value as Json;
use vetted::evaluate::Assessment;
use vetted::manifest::Manifest;
use vetted::rules::Policy;
use vetted::schema::Format;

/// A manifest, loaded and evaluated.
type Evaluated = (String, Manifest, Assessment);

fn evaluate(name: &str, text: Vec<u8>, as_of: &str) -> Evaluated {
    let (m, a) = vetted::evaluate_file(
        name,
        text,
        &vetted::load_catalog(None).unwrap(),
        &Policy::default_policy(),
        as_of.parse().unwrap(),
    )
    .unwrap_or_else(|d| panic!("{name}: {d:?}"));
    (name.to_string(), m, a)
}

/// Every manifest of `paths` evaluated on `as_of`.
fn corpus(paths: &[std::path::PathBuf], as_of: &str) -> Vec<Evaluated> {
    paths
        .iter()
        .map(|p| evaluate(&p.display().to_string(), std::fs::read(p).unwrap(), as_of))
        .collect()
}

/// Named outputs of each command, as written, computed once.
struct Outputs {
    compare: Vec<(String, Json)>,
    portfolio: Vec<(String, Json)>,
    diff: Vec<(String, Json)>,
}

fn outputs() -> &'static Outputs {
    static OUTPUTS: OnceLock<Outputs> = OnceLock::new();
    OUTPUTS.get_or_init(|| {
        let policy = Policy::default_policy();
        let catalog = vetted::load_catalog(None).unwrap();
        let mut out = Outputs {
            compare: Vec::new(),
            portfolio: Vec::new(),
            diff: Vec::new(),
        };
        let examples = contract::yaml_files(Path::new("examples")).len();
        // The examples first, then the calibration cases and the shared
        // manifests.
        let manifests = contract::manifests();
        for as_of in AS_OF {
            let all = corpus(&manifests, as_of);
            // All examples together, all calibration cases together, and
            // each manifest against the next.
            let mut groups: Vec<Vec<&Evaluated>> = vec![
                all[..examples].iter().collect(),
                all[examples..].iter().collect(),
            ];
            for (i, a) in all.iter().enumerate() {
                groups.push(vec![a, &all[(i + 1) % all.len()]]);
            }
            for group in groups {
                let candidates: Vec<vetted::compare::Candidate<'_>> =
                    group.iter().map(|e| (*e).into()).collect();
                let names: Vec<&str> = group.iter().map(|e| e.0.as_str()).collect();
                let c = vetted::compare::compare(&candidates, &policy);
                out.compare
                    .push((format!("{names:?} on {as_of}"), written(&c)));
            }
            // The calibration directory holds expectations beside the
            // manifests, and the bad-input corpus nothing valid: both list
            // invalid files.
            for dir in ["examples", "tests/calibration", "tests/bad-input"] {
                let p = vetted::load_portfolio(
                    Path::new(dir),
                    &catalog,
                    &policy,
                    as_of.parse().unwrap(),
                )
                .unwrap();
                out.portfolio
                    .push((format!("{dir} on {as_of}"), written(&p)));
            }
            for (i, old) in all.iter().enumerate() {
                let new = &all[(i + 1) % all.len()];
                let d = vetted::diff::diff((&old.1, &old.2), (&new.1, &new.2));
                out.diff
                    .push((format!("{} -> {} on {as_of}", old.0, new.0), written(&d)));
            }
            // An example before and after `vetted collect`: answers filled,
            // contradictions added.
            for case in contract::with_evidence() {
                let name = case.original.display().to_string();
                let old = evaluate(&name, std::fs::read(&case.original).unwrap(), as_of);
                let new = evaluate(&case.name, case.text.clone().into_bytes(), as_of);
                let d = vetted::diff::diff((&old.1, &old.2), (&new.1, &new.2));
                out.diff
                    .push((format!("{} on {as_of}", case.name), written(&d)));
            }
        }
        out
    })
}

#[test]
fn every_comparison_portfolio_and_diff_validates() {
    let o = outputs();
    for (format, docs) in [
        (Format::Compare, &o.compare),
        (Format::Portfolio, &o.portfolio),
        (Format::Diff, &o.diff),
    ] {
        let failures = check_all(format, docs.iter().cloned());
        assert!(failures.is_empty(), "{}", failures.join("\n"));
        eprintln!("{} {} outputs validate", docs.len(), format.name());
    }
}

/// The outputs of one command merged into one that fills every field,
/// `first` (the output with the rarest part) leading.
fn sample(docs: &[(String, Json)], first: impl Fn(&Json) -> bool) -> Json {
    let lead = docs
        .iter()
        .map(|d| &d.1)
        .find(|d| first(d))
        .expect("an output with the rare part");
    merged(std::iter::once(lead).chain(docs.iter().map(|d| &d.1)))
}

#[test]
fn a_field_added_or_dropped_anywhere_fails_validation() {
    let o = outputs();
    let compare = sample(&o.compare, |d| {
        d["left_out"].as_array().is_some_and(|l| !l.is_empty())
    });
    let portfolio = sample(&o.portfolio, |d| {
        d["invalid"].as_array().is_some_and(|l| !l.is_empty())
    });
    // An added incident with its remediation, the one field that is left
    // out when there is nothing to say.
    let diff = sample(&o.diff, |d| {
        d["incidents_added"]
            .as_array()
            .is_some_and(|l| l.iter().any(|i| i.get("remediation").is_some()))
    });
    let mut lenient = lenient_places(Format::Compare, &compare, "", &[]);
    lenient.extend(lenient_places(Format::Portfolio, &portfolio, "", &[]));
    lenient.extend(lenient_places(Format::Diff, &diff, "", &["remediation"]));
    assert!(lenient.is_empty(), "{}", lenient.join("\n"));
}

/// The schemas are written to be read alone (no references between files),
/// so definitions are repeated; a repeated one must not drift.
#[test]
fn definitions_shared_with_the_report_schema_are_the_same() {
    let report = &schema(Format::Report)["$defs"];
    for format in [Format::Compare, Format::Portfolio, Format::Diff] {
        let s = schema(format);
        jsonschema::draft202012::meta::validate(s).unwrap();
        for (name, def) in s["$defs"].as_object().unwrap() {
            if let Some(same) = report.get(name) {
                assert_eq!(def, same, "{}: $defs/{name}", format.name());
            }
        }
    }
}

#[test]
fn the_schema_enums_are_the_rust_enums() {
    use vetted::diag::Severity;
    use vetted::manifest::Provenance;
    use vetted::portfolio::ActionKind;

    let severities = &schema(Format::Portfolio)["properties"]["invalid"]["items"]["properties"]["diagnostics"]
        ["items"]["properties"]["severity"]["enum"];
    assert_eq!(
        names(&severities.as_array().unwrap()[..]),
        names(&every!(Severity::{Error, Warning}))
    );
    let kinds =
        &schema(Format::Portfolio)["properties"]["actions"]["items"]["properties"]["kind"]["enum"];
    assert_eq!(
        names(&kinds.as_array().unwrap()[..]),
        names(&every!(ActionKind::{
            ExcessPermissions, Review, RevokeKey, RotateKey, StaleEvidence, Waiver, VerifyKey,
            KeyDrift,
        }))
    );
    // A candidate's answer names its provenance, or `none` without one.
    let sources = &schema(Format::Compare)["properties"]["decisive"]["items"]["properties"]["answers"]
        ["items"]["properties"]["source"]["enum"];
    let mut expected = names(&every!(Provenance::{VendorClaim, Document, Observed, Collected}));
    expected.insert("none".into());
    assert_eq!(names(&sources.as_array().unwrap()[..]), expected);
}
