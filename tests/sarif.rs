//! `vetted assess --format sarif` and `vetted portfolio --format sarif`:
//! every log validates against the OASIS SARIF 2.1.0 schema, has one result
//! per finding, and each result points at the line and column of the
//! answer it is about, in its own manifest.

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

/// A portfolio's log holds every manifest's findings, each in its own
/// file, and a manifest that cannot be assessed as results at its
/// diagnostics' positions.
#[test]
fn a_portfolio_writes_every_manifest_s_findings_and_its_broken_manifests() {
    let dir = tempfile::tempdir().unwrap();
    let vendors = dir.path().join("vendors");
    std::fs::create_dir(&vendors).unwrap();
    for name in ["withdrawal-bot.yaml", "read-only-tracker.yaml"] {
        std::fs::copy(Path::new("examples").join(name), vendors.join(name)).unwrap();
    }
    std::fs::write(
        vendors.join("broken.yaml"),
        "vendor: {name: V}\nintegration: {purpose: P, checklists: [baseline], permissions: [read]}\nassessment: {assessor: A, date: 2026-11-20}\nanswers:\n  documentation.security_pag: {value: detailed}\n",
    )
    .unwrap();
    let run = |extra: &[&str]| {
        assert_cmd::Command::cargo_bin("vetted")
            .unwrap()
            .current_dir(dir.path())
            .args([
                "portfolio",
                "vendors",
                "--as-of",
                AS_OF,
                "--format",
                "sarif",
            ])
            .args(extra)
            .output()
            .unwrap()
    };
    let out = run(&[]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let log: Json = serde_json::from_slice(&out.stdout).unwrap();
    let errors: Vec<String> = schema()
        .iter_errors(&log)
        .map(|e| format!("{}: {e}", e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{errors:?}");

    // Each manifest's results are exactly its own assessment's findings.
    let catalog = vetted::load_catalog(None).unwrap();
    let policy = Policy::default_policy();
    let results = log["runs"][0]["results"].as_array().unwrap();
    let in_file = |file: &str| -> Vec<&Json> {
        results
            .iter()
            .filter(|r| r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == file)
            .collect()
    };
    for name in ["withdrawal-bot.yaml", "read-only-tracker.yaml"] {
        let (_, a) = vetted::evaluate_file(
            name,
            std::fs::read(Path::new("examples").join(name)).unwrap(),
            &catalog,
            &policy,
            AS_OF.parse().unwrap(),
        )
        .unwrap();
        let file = format!("vendors/{name}");
        let own = in_file(&file);
        assert_eq!(own.len(), a.findings.len(), "{file}");
        assert!(own.iter().all(|r| {
            r["locations"][0]["physicalLocation"]["region"]["startLine"]
                .as_u64()
                .unwrap()
                > 0
        }));
    }
    assert!(
        in_file("vendors/withdrawal-bot.yaml")
            .iter()
            .any(|r| r["ruleId"] == "withdrawal-permission" && r["level"] == "error")
    );
    // The broken manifest: its misspelt question, at line 5, column 3.
    let broken = in_file("vendors/broken.yaml");
    assert_eq!(broken.len(), 1, "{broken:#?}");
    assert_eq!(broken[0]["ruleId"], "manifest/unknown-question");
    assert_eq!(broken[0]["level"], "error");
    let region = &broken[0]["locations"][0]["physicalLocation"]["region"];
    assert_eq!(
        (region["startLine"].as_u64(), region["startColumn"].as_u64()),
        (Some(5), Some(3))
    );
    // Every result's rule is the descriptor at its index, listed once.
    let rules = log["runs"][0]["tool"]["driver"]["rules"]
        .as_array()
        .unwrap();
    let ids: std::collections::BTreeSet<&str> =
        rules.iter().map(|r| r["id"].as_str().unwrap()).collect();
    assert_eq!(ids.len(), rules.len());
    for r in results {
        assert_eq!(
            rules[r["ruleIndex"].as_u64().unwrap() as usize]["id"],
            r["ruleId"]
        );
    }

    // The overdue gate reads the register, which SARIF does not hold.
    let refused = run(&["--fail-on", "overdue"]);
    assert_eq!(refused.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&refused.stderr).contains("format-not-written"));
    assert!(refused.stdout.is_empty());
}
