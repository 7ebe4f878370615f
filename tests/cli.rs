//! The real binary: every subcommand and every exit code.

use assert_cmd::Command;

fn vetted() -> Command {
    Command::cargo_bin("vetted").unwrap()
}

fn stdout(args: &[&str]) -> (Option<i32>, String, String) {
    let out = vetted().args(args).output().unwrap();
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

const GOOD: &str = "examples/well-run-saas-bot.yaml";
const REJECTED: &str = "examples/withdrawal-bot.yaml";

#[test]
fn assess_prints_markdown_and_exits_0() {
    let (code, out, err) = stdout(&["assess", GOOD, "--as-of", "2026-11-27"]);
    assert_eq!(code, Some(0), "{err}");
    assert!(out.starts_with("# Vendor assessment: "), "{out}");
    assert!(out.contains("**Verdict: APPROVE WITH CONDITIONS**"));
}

#[test]
fn assess_json_is_the_report_structure() {
    let (code, out, _) = stdout(&["assess", GOOD, "--as-of", "2026-11-27", "--format", "json"]);
    assert_eq!(code, Some(0));
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["summary"]["verdict"], "conditions");
    assert_eq!(v["summary"]["as_of"], "2026-11-27");
}

#[test]
fn same_inputs_and_date_give_the_same_bytes() {
    let a = stdout(&["assess", GOOD, "--as-of", "2026-11-27"]).1;
    let b = stdout(&["assess", GOOD, "--as-of", "2026-11-27"]).1;
    assert_eq!(a, b);
    let c = stdout(&["assess", GOOD, "--as-of", "2027-06-01"]).1;
    assert_ne!(a, c, "the as-of date must matter");
}

#[test]
fn output_file_is_written_and_stdin_is_read() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("report.md");
    let manifest = std::fs::read(GOOD).unwrap();
    vetted()
        .args(["assess", "-", "--as-of", "2026-11-27", "-o"])
        .arg(&out)
        .write_stdin(manifest)
        .assert()
        .code(0)
        .stdout("");
    let text = std::fs::read_to_string(&out).unwrap();
    assert_eq!(text, stdout(&["assess", GOOD, "--as-of", "2026-11-27"]).1);
}

#[test]
fn fail_on_exits_1_only_when_the_result_is_that_bad() {
    assert_eq!(
        stdout(&[
            "assess",
            REJECTED,
            "--as-of",
            "2026-11-27",
            "--fail-on",
            "reject"
        ])
        .0,
        Some(1)
    );
    assert_eq!(
        stdout(&[
            "assess",
            GOOD,
            "--as-of",
            "2026-11-27",
            "--fail-on",
            "reject"
        ])
        .0,
        Some(0)
    );
    assert_eq!(
        stdout(&[
            "assess",
            GOOD,
            "--as-of",
            "2026-11-27",
            "--fail-on",
            "conditions"
        ])
        .0,
        Some(1)
    );
    assert_eq!(
        stdout(&[
            "assess",
            GOOD,
            "--as-of",
            "2026-11-27",
            "--fail-on",
            "medium"
        ])
        .0,
        Some(0)
    );
    assert_eq!(
        stdout(&[
            "assess",
            REJECTED,
            "--as-of",
            "2026-11-27",
            "--fail-on",
            "high"
        ])
        .0,
        Some(1)
    );
}

#[test]
fn bad_usage_exits_2() {
    assert_eq!(stdout(&["assess"]).0, Some(2));
    assert_eq!(stdout(&["assess", GOOD, "--fail-on", "severe"]).0, Some(2));
    assert_eq!(
        stdout(&["assess", GOOD, "--as-of", "2026-02-30"]).0,
        Some(2)
    );
    assert_eq!(stdout(&["frobnicate"]).0, Some(2));
    assert_eq!(stdout(&["schema", "nothing"]).0, Some(2));
}

#[test]
fn missing_files_exit_3() {
    let (code, _, err) = stdout(&["assess", "no/such/file.yaml"]);
    assert_eq!(code, Some(3));
    assert!(err.contains("error[io]: no/such/file.yaml"), "{err}");
    let (code, _, _) = stdout(&["assess", GOOD, "--policy", "no/such/policy.yaml"]);
    assert_eq!(code, Some(3));
    let (code, _, _) = stdout(&[
        "assess",
        GOOD,
        "-o",
        "/nonexistent-dir/x/report.md",
        "--as-of",
        "2026-11-27",
    ]);
    assert_eq!(code, Some(3));
}

#[test]
fn help_shows_examples_and_exit_codes() {
    let (code, out, _) = stdout(&["--help"]);
    assert_eq!(code, Some(0));
    assert!(
        out.contains("Examples:") && out.contains("Exit codes:"),
        "{out}"
    );
    assert_eq!(stdout(&["--version"]).0, Some(0));
}

#[test]
fn validate_accepts_good_files_and_reports_every_bad_one() {
    let (code, _, err) = stdout(&["validate", GOOD, REJECTED, "checklists/baseline.yaml"]);
    assert_eq!(code, Some(0), "{err}");
    assert_eq!(err.matches(": ok").count(), 3, "{err}");
    let (code, _, err) = stdout(&[
        "validate",
        GOOD,
        "tests/bad-input/misspelled-question.yaml",
        "tests/bad-input/bad-date.yaml",
    ]);
    assert_eq!(code, Some(2));
    assert!(
        err.contains("misspelled-question.yaml:5:3: error[unknown-question]"),
        "{err}"
    );
    assert!(
        err.contains("bad-date.yaml:3:36: error[invalid-date]"),
        "{err}"
    );
    assert_eq!(stdout(&["validate", "no/such.yaml"]).0, Some(3));
}

#[test]
fn checklist_list_and_show() {
    let (code, out, _) = stdout(&["checklist", "list"]);
    assert_eq!(code, Some(0));
    assert!(
        out.contains("baseline") && out.contains("exchange-keys"),
        "{out}"
    );
    let (code, out, _) = stdout(&["checklist", "show", "exchange-keys"]);
    assert_eq!(code, Some(0));
    assert!(out.contains("### keys.withdrawal"), "{out}");
    assert!(out.contains("| never |"), "{out}");
    let (code, _, err) = stdout(&["checklist", "show", "exchange-key"]);
    assert_eq!(code, Some(2));
    assert!(err.contains("did you mean `exchange-keys`?"), "{err}");
}

#[test]
fn custom_checklists_directory_is_loaded_and_checked() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy("tests/fixtures/arith.yaml", dir.path().join("arith.yaml")).unwrap();
    let (code, out, err) = stdout(&[
        "--checklists",
        dir.path().to_str().unwrap(),
        "checklist",
        "list",
    ]);
    assert_eq!(code, Some(0), "{err}");
    assert!(out.contains("arith"), "{out}");
    std::fs::write(dir.path().join("broken.yaml"), "id: broken\nversion: 1\n").unwrap();
    let (code, _, err) = stdout(&[
        "--checklists",
        dir.path().to_str().unwrap(),
        "checklist",
        "list",
    ]);
    assert_eq!(code, Some(2));
    assert!(
        err.contains("broken.yaml:1:1: error[missing-field]"),
        "{err}"
    );
}

#[test]
fn schema_prints_each_format() {
    for format in vetted::schema::Format::ALL {
        let (code, out, err) = stdout(&["schema", format.name()]);
        assert_eq!(code, Some(0), "{}: {err}", format.name());
        assert_eq!(out, format.schema_text(), "{}", format.name());
        let v: serde_json::Value = serde_json::from_str(&out).unwrap();
        assert_eq!(v["$schema"], "https://json-schema.org/draft/2020-12/schema");
    }
}

#[test]
fn schema_report_is_of_the_format_version_assess_writes() {
    let (code, out, _) = stdout(&["schema", "report"]);
    assert_eq!(code, Some(0));
    let schema: serde_json::Value = serde_json::from_str(&out).unwrap();
    let version = &schema["properties"]["format_version"]["const"];
    assert_eq!(*version, serde_json::json!(vetted::report::FORMAT_VERSION));
    let (_, report, _) = stdout(&["assess", GOOD, "--as-of", "2026-11-27", "--format", "json"]);
    let report: serde_json::Value = serde_json::from_str(&report).unwrap();
    assert_eq!(report["format_version"], *version);
    let validator = jsonschema::draft202012::new(&schema).unwrap();
    let errors: Vec<String> = validator
        .iter_errors(&report)
        .map(|e| format!("{}: {e}", e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{errors:?}");
}

#[test]
fn templates_can_be_overridden_and_must_be_strict() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("report.md.j2"),
        "{{ vendor.name }}: {{ summary.verdict_label }}\n",
    )
    .unwrap();
    let (code, out, err) = stdout(&[
        "assess",
        GOOD,
        "--as-of",
        "2026-11-27",
        "--templates",
        dir.path().to_str().unwrap(),
    ]);
    assert_eq!(code, Some(0), "{err}");
    assert_eq!(out, "Tidewater Quant: approve with conditions\n");
    std::fs::write(dir.path().join("report.md.j2"), "{{ vendor.nmae }}\n").unwrap();
    let (code, _, err) = stdout(&[
        "assess",
        GOOD,
        "--as-of",
        "2026-11-27",
        "--templates",
        dir.path().to_str().unwrap(),
    ]);
    assert_eq!(code, Some(2));
    assert!(err.contains("error[template]"), "{err}");
}

#[test]
fn a_custom_policy_changes_the_outcome() {
    let dir = tempfile::tempdir().unwrap();
    let policy = std::fs::read_to_string("policy/default.yaml")
        .unwrap()
        .replace(
            "tiers: {low: 80, medium: 65, high: 45}",
            "tiers: {low: 99, medium: 98, high: 97}",
        );
    let path = dir.path().join("strict.yaml");
    std::fs::write(&path, policy).unwrap();
    let (code, out, err) = stdout(&[
        "assess",
        GOOD,
        "--as-of",
        "2026-11-27",
        "--format",
        "json",
        "--policy",
        path.to_str().unwrap(),
    ]);
    assert_eq!(code, Some(0), "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["summary"]["tier"], "high");
    let bad = dir.path().join("bad.yaml");
    std::fs::write(&bad, "id: x\n").unwrap();
    assert_eq!(
        stdout(&["assess", GOOD, "--policy", bad.to_str().unwrap()]).0,
        Some(2)
    );
}

#[test]
fn checklist_lint_is_clean_for_bundled_and_fails_on_problems() {
    let (code, _, err) = stdout(&["checklist", "lint"]);
    assert_eq!(code, Some(0), "{err}");
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("thin.yaml"),
        "id: thin\nversion: 1.0.0\ntitle: Thin\nareas:\n  - id: thin\n    title: Thin\n    questions:\n      - id: thin.q\n        text: Q?\n        severity: low\n        type: bool\n",
    )
    .unwrap();
    let (code, _, err) = stdout(&[
        "--checklists",
        dir.path().to_str().unwrap(),
        "checklist",
        "lint",
        "thin",
    ]);
    assert_eq!(code, Some(1), "{err}");
    assert!(
        err.contains("thin.yaml:8:9: warning[missing-help]"),
        "{err}"
    );
    assert_eq!(stdout(&["checklist", "lint", "nope"]).0, Some(2));
}

#[test]
fn fill_without_a_terminal_stops_with_exit_2_and_answers_from_a_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("f.yaml");
    let out = vetted()
        .args(["--checklists", "tests/fixtures", "fill"])
        .arg(&path)
        .args(["--checklist", "arith"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("needs a terminal"));
    assert!(!path.exists());
    let answers = dir.path().join("answers.yaml");
    std::fs::write(&answers, "vendor.name: Scripted\nintegration.purpose: p\nassessment.assessor: A\n\"answer:alpha.crit\": good\n").unwrap();
    let out = vetted()
        .args(["--checklists", "tests/fixtures", "fill"])
        .arg(&path)
        .args(["--checklist", "arith", "--as-of", "2026-11-27", "--answers"])
        .arg(&answers)
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("Verdict:") && err.contains("vetted assess"),
        "{err}"
    );
    let (code, _, _) = stdout(&[
        "--checklists",
        "tests/fixtures",
        "validate",
        path.to_str().unwrap(),
    ]);
    assert_eq!(code, Some(0));
}

#[test]
fn a_template_that_loops_without_end_runs_out_of_fuel() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("report.md.j2"),
        "{% for a in range(10000) %}{% for b in range(10000) %}{{ b }}{% endfor %}{% endfor %}\n",
    )
    .unwrap();
    let start = std::time::Instant::now();
    let (code, out, err) = stdout(&[
        "assess",
        GOOD,
        "--as-of",
        "2026-11-27",
        "--templates",
        dir.path().to_str().unwrap(),
    ]);
    assert_eq!(code, Some(2), "{err}");
    assert!(
        err.contains("error[template]") && err.contains("fuel"),
        "{err}"
    );
    assert!(out.is_empty());
    assert!(start.elapsed() < std::time::Duration::from_secs(20));
}
