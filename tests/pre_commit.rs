//! The pre-commit hooks of `.pre-commit-hooks.yaml`, run by the real
//! `pre-commit` tool (`.ci/run` installs it) against a throwaway repository:
//! a good manifest passes, a bad one fails with its diagnostics.
//!
//! `vetted-validate-system` is the hook exercised: it runs the binary under
//! test. `vetted-validate` (language: rust) differs only in how pre-commit
//! installs vetted (cargo install), which would compile the tool again.

use std::path::Path;
use std::process::Command;

fn pre_commit_available() -> bool {
    Command::new("pre-commit")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success())
}

fn git(dir: &Path, args: &[&str]) {
    let out = Command::new("git")
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn the_validate_hook_passes_a_good_manifest_and_fails_a_bad_one() {
    if !pre_commit_available() {
        assert!(
            std::env::var_os("CI").is_none(),
            "pre-commit is not installed; .ci/run installs it"
        );
        eprintln!("SKIPPED: pre-commit is not installed (pip install pre-commit)");
        return;
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let work = tempfile::tempdir().unwrap();
    // The hooks as committed and as changed in the working tree: a copy of
    // the hook file in a repository of its own, so the test never depends
    // on the state of this repository's index.
    let hooks = work.path().join("hooks");
    std::fs::create_dir(&hooks).unwrap();
    std::fs::copy(
        root.join(".pre-commit-hooks.yaml"),
        hooks.join(".pre-commit-hooks.yaml"),
    )
    .unwrap();
    git(&hooks, &["init", "-q"]);
    git(&hooks, &["add", "."]);
    git(
        &hooks,
        &[
            "-c",
            "user.name=t",
            "-c",
            "user.email=t@t",
            "commit",
            "-qm",
            "hooks",
        ],
    );

    let repo = work.path().join("repo");
    std::fs::create_dir(&repo).unwrap();
    std::fs::copy(
        root.join("examples/well-run-saas-bot.yaml"),
        repo.join("good.yaml"),
    )
    .unwrap();
    std::fs::write(
        repo.join("bad.yaml"),
        "vendor: {name: V}\nintegration: {purpose: p, checklists: [baseline], permissions: [read]}\nassessment: {assessor: a, date: 2026-11-20}\nanswers:\n  keys.withdrawl: {value: no}\n",
    )
    .unwrap();
    git(&repo, &["init", "-q"]);
    git(&repo, &["add", "."]);

    let bin = Path::new(env!("CARGO_BIN_EXE_vetted")).parent().unwrap();
    let path = format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let run = |file: &str| {
        Command::new("pre-commit")
            .args(["try-repo"])
            .arg(&hooks)
            .args(["vetted-validate-system", "--files", file])
            .current_dir(&repo)
            .env("PATH", &path)
            .env("PRE_COMMIT_HOME", work.path().join("cache"))
            .output()
            .unwrap()
    };
    let good = run("good.yaml");
    let text = String::from_utf8_lossy(&good.stdout);
    assert!(
        good.status.success(),
        "{text}{}",
        String::from_utf8_lossy(&good.stderr)
    );
    assert!(text.contains("Passed"), "{text}");
    let bad = run("bad.yaml");
    let text = String::from_utf8_lossy(&bad.stdout);
    assert!(!bad.status.success(), "{text}");
    assert!(text.contains("error[unknown-question]"), "{text}");
    assert!(text.contains("bad.yaml:5:3"), "{text}");
}
