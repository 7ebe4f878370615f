//! The real binary, for what a case file under `tests/cmd/` cannot say.
//! Everything that is "these arguments give this exit code and this output"
//! is a case there (`tests/cmd.rs`); each test here says why it is not.

use assert_cmd::Command;

fn vetted() -> Command {
    Command::cargo_bin("vetted").unwrap()
}

fn stdout(args: &[&str]) -> String {
    let out = vetted().args(args).output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

const GOOD: &str = "examples/well-run-saas-bot.yaml";

/// A case pins one run; this compares runs with each other: two runs on the
/// same date agree byte for byte, and another date changes the report (so
/// the cases' `--as-of` is what makes them deterministic).
#[test]
fn same_inputs_and_date_give_the_same_bytes() {
    let a = stdout(&["assess", GOOD, "--as-of", "2026-11-27"]);
    let b = stdout(&["assess", GOOD, "--as-of", "2026-11-27"]);
    assert_eq!(a, b);
    let c = stdout(&["assess", GOOD, "--as-of", "2027-06-01"]);
    assert_ne!(a, c, "the as-of date must matter");
}

/// A case cannot compare a file written with `-o` to another run's stdout:
/// the report written to a file (from stdin) is the one printed.
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
        .stdout("")
        .stderr("");
    let text = std::fs::read_to_string(&out).unwrap();
    // The same report but for the manifest's name in the integrity block.
    let named = stdout(&["assess", GOOD, "--as-of", "2026-11-27"]);
    assert_eq!(
        text,
        named.replace(
            "| manifest | examples/well-run-saas-bot.yaml |",
            "| manifest | \\<stdin\\> |"
        )
    );
    assert_ne!(text, named);
}

/// The case `fill-no-terminal` pins the message and exit code; a case can
/// only check files that exist, not that fill created none.
#[test]
fn fill_without_a_terminal_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("f.yaml");
    let out = vetted()
        .arg("fill")
        .arg(&path)
        .args(["--checklist", "baseline", "--as-of", "2026-11-27"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(!path.exists());
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
}

/// A case pins the schema's text; this checks it against a report the
/// binary writes: the same format version, and the report validates.
#[test]
fn schema_report_is_of_the_format_version_assess_writes() {
    let schema: serde_json::Value = serde_json::from_str(&stdout(&["schema", "report"])).unwrap();
    let version = &schema["properties"]["format_version"]["const"];
    assert_eq!(*version, serde_json::json!(vetted::report::FORMAT_VERSION));
    let report = stdout(&["assess", GOOD, "--as-of", "2026-11-27", "--format", "json"]);
    let report: serde_json::Value = serde_json::from_str(&report).unwrap();
    assert_eq!(report["format_version"], *version);
    let validator = jsonschema::draft202012::new(&schema).unwrap();
    let errors: Vec<String> = validator
        .iter_errors(&report)
        .map(|e| format!("{}: {e}", e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{errors:?}");
}

/// A case could pin the scripts' text, but not that they work: bash loads
/// the script and completes a command name and an option with it.
#[test]
fn bash_completes_commands_and_options() {
    let script = stdout(&["completions", "bash"]);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("vetted.bash");
    std::fs::write(&path, script).unwrap();
    let complete = |words: &str| {
        let line = format!(
            "source {}; COMP_WORDS=({words}); COMP_CWORD=$((${{#COMP_WORDS[@]}} - 1)); _vetted vetted \"${{COMP_WORDS[-1]}}\" \"${{COMP_WORDS[-2]}}\"; printf '%s\\n' \"${{COMPREPLY[@]}}\"",
            path.display()
        );
        let out = std::process::Command::new("bash")
            .args(["-c", &line])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    };
    assert_eq!(complete("vetted port").trim(), "portfolio");
    assert!(complete("vetted assess --fail").contains("--fail-on"));
}

/// Every shell's script names every command; each is generated from the
/// parser, so this fails only if generation breaks.
#[test]
fn completions_for_every_shell_name_every_command() {
    let commands = [
        "assess",
        "fill",
        "collect",
        "compare",
        "portfolio",
        "diff",
        "validate",
        "checklist",
        "schema",
        "completions",
        "man",
    ];
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let script = stdout(&["completions", shell]);
        for c in commands {
            assert!(script.contains(c), "{shell}: {c}");
        }
    }
}

/// The main man page refers to `vetted-COMMAND(1)` pages; each exists and
/// documents that command's options.
#[test]
fn the_man_page_and_every_page_it_refers_to_exist() {
    let main = stdout(&["man"]);
    assert!(
        main.starts_with(".ie") || main.contains(".TH vetted 1"),
        "{main}"
    );
    assert!(
        main.contains("Exit codes: 0 done"),
        "the examples and exit codes are in the page"
    );
    let referred: Vec<String> = main
        .lines()
        .filter_map(|l| {
            // roff writes every `-` of a name as `\-` (`verify\-report`).
            l.strip_prefix("vetted\\-")?
                .strip_suffix("(1)")
                .map(|n| n.replace("\\-", "-"))
        })
        .collect();
    assert!(referred.len() >= 10, "{referred:?}");
    for name in referred {
        let page = stdout(&["man", &name]);
        let roff = name.replace('-', "\\-");
        assert!(
            page.contains(&format!(".TH vetted\\-{roff} 1"))
                || page.contains(&format!(".TH vetted-{name} 1")),
            "{name}: {page}"
        );
    }
    assert!(stdout(&["man", "assess"]).contains("fail\\-on"));
}
