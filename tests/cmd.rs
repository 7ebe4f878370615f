//! The CLI contract as data: every `tests/cmd/*.toml` runs the real binary
//! with its `args` (and `*.stdin`), and must exit with its `status.code` and
//! print exactly its `*.stdout` and `*.stderr`. How to add or regenerate a
//! case: `tests/cmd/README.md`.

use std::path::Path;

/// Subcommands whose output depends on the date: their cases must pass
/// `--as-of`, or they would pass today and fail on some later day.
const DATED: &[&str] = &["assess", "compare", "portfolio", "diff", "fill", "collect"];
/// The commands that do not depend on the date.
const COMMANDS: &[&str] = &[
    "validate",
    "checklist",
    "schema",
    "completions",
    "man",
    "help",
];

#[test]
fn cases() {
    // `portfolio` keeps a cache under the user's cache directory: one for
    // this run, shared by its cases (which run in parallel).
    let cache = tempfile::tempdir().unwrap();
    trycmd::TestCases::new()
        .register_bin("vetted", trycmd::cargo::cargo_bin!("vetted"))
        .default_bin_name("vetted")
        // clap colours help and errors when CLICOLOR_FORCE is set in the
        // developer's shell; NO_COLOR overrides it, and the pinned text has
        // no escape codes.
        .env("NO_COLOR", "1")
        .env("XDG_CACHE_HOME", cache.path().display().to_string())
        .case("tests/cmd/*.toml");
}

/// trycmd skips the comparison of a stream whose expected file is missing,
/// so a case without one would pass whatever the binary prints. Every case
/// pins both streams (an empty file pins "prints nothing") and its date.
#[test]
fn every_case_pins_both_streams_and_its_date() {
    let mut cases = 0;
    for entry in std::fs::read_dir("tests/cmd").unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "toml") {
            continue;
        }
        cases += 1;
        for stream in ["stdout", "stderr"] {
            assert!(
                path.with_extension(stream).exists(),
                "{} has no .{stream} file",
                path.display()
            );
        }
        check_as_of(&path);
    }
    assert!(cases > 0, "no case found under tests/cmd");
}

fn check_as_of(path: &Path) {
    let text = std::fs::read_to_string(path).unwrap();
    let args = text
        .lines()
        .find(|l| l.starts_with("args = "))
        .unwrap_or_else(|| panic!("{}: no one-line `args = [...]`", path.display()));
    // The command is the first argument that names one (`--checklists DIR`
    // may come before it; `schema diff` prints a schema and is not dated).
    let command = args
        .split('"')
        .skip(1)
        .step_by(2)
        .find(|a| COMMANDS.contains(a) || DATED.contains(a));
    let dated = command.is_some_and(|c| DATED.contains(&c));
    let informational = ["\"--help\"", "\"--list-facts\""]
        .iter()
        .any(|flag| args.contains(flag));
    assert!(
        !dated || informational || args.contains("\"--as-of\""),
        "{}: a dated command without --as-of",
        path.display()
    );
}
