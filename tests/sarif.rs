//! `vetted assess --format sarif`: every log validates against the OASIS
//! SARIF 2.1.0 schema, has one result per finding, and each result points
//! at the line and column of the answer it is about.

mod support;

use std::path::Path;

use serde_json::Value as Json;
use vetted::evaluate::FindingKind;
use vetted::rules::Policy;

const AS_OF: &str = "2026-11-25";

fn schema() -> jsonschema::Validator {
    let text = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/sarif/sarif-schema-2.1.0.json"),
    )
    .unwrap();
    // The published schema's pattern for `language` has a stray `]` that
    // strict regex engines refuse (a known erratum); vetted writes no
    // `language`, so the corrected pattern changes nothing it is held to.
    let erratum = r#""^[a-zA-Z]{2}|^[a-zA-Z]{2}-[a-zA-Z]{2}]?$""#;
    assert!(text.contains(erratum));
    let text = text.replace(erratum, r#""^[a-zA-Z]{2}(-[a-zA-Z]{2})?$""#);
    let schema: Json = serde_json::from_str(&text).unwrap();
    jsonschema::draft7::new(&schema).unwrap()
}

#[test]
fn every_log_validates_and_points_at_the_answer_each_finding_is_about() {
    let catalog = vetted::load_catalog(None).unwrap();
    let policy = Policy::default_policy();
    let validator = schema();
    let mut located = 0;
    for path in support::bundled_manifests() {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let text = std::fs::read_to_string(&path).unwrap();
        let file = format!("vendors/{name}");
        let (loaded, a) = vetted::evaluate_loaded(
            &file,
            text.clone().into_bytes(),
            &catalog,
            &policy,
            AS_OF.parse().unwrap(),
        )
        .unwrap();
        let log = vetted::report::sarif::log(&loaded.doc, &catalog, &a);
        let json = serde_json::to_value(&log).unwrap();
        let errors: Vec<String> = validator
            .iter_errors(&json)
            .map(|e| format!("{}: {e}", e.instance_path()))
            .collect();
        assert!(errors.is_empty(), "{name}: {errors:?}");
        let run = &log.runs[0];
        assert_eq!(run.results.len(), a.findings.len(), "{name}");
        let lines: Vec<&str> = text.lines().collect();
        for (f, r) in a.findings.iter().zip(&run.results) {
            let uri = &r.locations[0].physical_location.artifact_location.uri;
            assert_eq!(uri, &file);
            let rule = &run.tool.driver.rules[r.rule_index];
            assert_eq!(rule.id, r.rule_id, "{name}");
            let Some(region) = &r.locations[0].physical_location.region else {
                panic!("{name}: {} has no region", f.id);
            };
            // A finding on an answer points at the answer's value: the
            // text there is what the manifest says.
            if f.kind == FindingKind::Question
                && let Some(answer) = loaded.manifest.answers.get(&f.id)
                && let Json::String(value) = answer.value.to_json()
            {
                let line = lines[region.start_line as usize - 1];
                let at = &line[region.start_column as usize - 1..];
                assert!(
                    at.starts_with(&value) || at.starts_with(&format!("\"{value}")),
                    "{name}: {} at {}:{} reads `{at}`, not `{value}`",
                    f.id,
                    region.start_line,
                    region.start_column
                );
                located += 1;
            }
        }
    }
    assert!(located >= 50, "only {located} answers located");
}

#[test]
fn the_command_line_writes_sarif_for_assess_only() {
    let out = assert_cmd::Command::cargo_bin("vetted")
        .unwrap()
        .args([
            "assess",
            "examples/withdrawal-bot.yaml",
            "--as-of",
            AS_OF,
            "--format",
            "sarif",
            "--fail-on",
            "reject",
        ])
        .output()
        .unwrap();
    // The verdict still decides the exit code.
    assert_eq!(out.status.code(), Some(1));
    let log: Json = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(log["version"], "2.1.0");
    let results = log["runs"][0]["results"].as_array().unwrap();
    assert!(
        results
            .iter()
            .any(|r| r["ruleId"] == "withdrawal-permission" && r["level"] == "error"),
        "{results:#?}"
    );
    // The rule's descriptor carries a severity code scanning reads.
    let rules = log["runs"][0]["tool"]["driver"]["rules"]
        .as_array()
        .unwrap();
    let rule = rules
        .iter()
        .find(|r| r["id"] == "withdrawal-permission")
        .unwrap();
    assert_eq!(rule["properties"]["security-severity"], "9.5");
}
