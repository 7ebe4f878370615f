//! The portfolio's cache: a warm run writes what a cold one does, anything
//! a result depends on invalidates it, damaged entries are rebuilt, secrets
//! never reach it, and concurrent runs share it safely.

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use vetted::cache::{Cache, Stats};
use vetted::checklist::Catalog;
use vetted::date::Date;
use vetted::report::{Format, Renderer, render};
use vetted::rules::Policy;

const AS_OF: &str = "2026-11-27";

fn date(s: &str) -> Date {
    s.parse().unwrap()
}

/// A portfolio directory: every example, twice (in two folders), and two
/// manifests that fail to load after the guard passed them.
fn portfolio_dir() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for sub in ["a", "b"] {
        std::fs::create_dir(dir.path().join(sub)).unwrap();
        for e in std::fs::read_dir("examples").unwrap() {
            let p = e.unwrap().path();
            std::fs::copy(&p, dir.path().join(sub).join(p.file_name().unwrap())).unwrap();
        }
    }
    for bad in ["misspelled-question.yaml", "value-not-in-options.yaml"] {
        std::fs::copy(Path::new("tests/bad-input").join(bad), dir.path().join(bad)).unwrap();
    }
    dir
}

fn count_manifests(dir: &Path) -> usize {
    vetted::portfolio::manifest_files(dir).unwrap().len()
}

/// The cache's entry files.
fn entries(cache: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![cache.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

struct Run {
    catalog: Catalog,
    policy: Policy,
    as_of: Date,
}

impl Run {
    fn new() -> Run {
        Run {
            catalog: vetted::load_catalog(None).unwrap(),
            policy: Policy::default_policy(),
            as_of: date(AS_OF),
        }
    }

    /// The portfolio as JSON, with what the cache did.
    fn json(&self, dir: &Path, cache: Option<&Cache>) -> (String, Stats) {
        let (p, stats) =
            vetted::load_portfolio_cached(dir, &self.catalog, &self.policy, self.as_of, cache)
                .unwrap();
        let json = render(
            &p,
            Format::Json,
            &Renderer::new(Default::default()),
            &self.policy,
        )
        .unwrap();
        (json, stats)
    }
}

fn open(dir: &Path, build: &str) -> Cache {
    Cache::open(dir, build.as_bytes().to_vec()).unwrap()
}

#[test]
fn a_warm_run_writes_what_a_cold_run_does() {
    let dir = portfolio_dir();
    let n = count_manifests(dir.path());
    let cache_dir = tempfile::tempdir().unwrap();
    let cache = open(cache_dir.path(), "build 1");
    let run = Run::new();
    let (uncached, _) = run.json(dir.path(), None);
    let (cold, stats) = run.json(dir.path(), Some(&cache));
    assert_eq!(stats.misses, n);
    assert_eq!(stats.hits, 0);
    // Valid and invalid outcomes are both kept.
    assert_eq!(entries(cache_dir.path()).len(), n);
    let (warm, stats) = run.json(dir.path(), Some(&cache));
    assert_eq!((stats.hits, stats.misses, stats.refused), (n, 0, 0));
    assert!(cold == uncached, "a cold run with a cache differs");
    assert!(warm == uncached, "a warm run differs");
    assert!(
        warm.contains("unknown-question"),
        "invalid manifests listed"
    );
}

#[test]
fn what_a_result_depends_on_invalidates_it() {
    let dir = portfolio_dir();
    let n = count_manifests(dir.path());
    let cache_dir = tempfile::tempdir().unwrap();
    let cache = open(cache_dir.path(), "build 1");
    let mut run = Run::new();
    run.json(dir.path(), Some(&cache));
    let (_, stats) = run.json(dir.path(), Some(&cache));
    assert_eq!(stats.hits, n);

    // Each change in turn: nothing cached applies, and the result is what
    // an uncached run computes.
    let check = |run: &Run, cache: &Cache, what: &str| {
        let (fresh, _) = run.json(dir.path(), None);
        let (got, stats) = run.json(dir.path(), Some(cache));
        assert_eq!((stats.hits, stats.misses), (0, n), "{what}");
        assert!(got == fresh, "{what}: differs from an uncached run");
    };

    // Another as-of date.
    run.as_of = date("2027-06-01");
    check(&run, &cache, "as-of date");
    run.as_of = date(AS_OF);

    // Another policy: one value changed in code, no file involved.
    run.policy.review_days.low += 1;
    check(&run, &cache, "policy");
    run.policy = Policy::default_policy();

    // Another catalog: a checklist added, then one byte of it changed.
    let checklists = tempfile::tempdir().unwrap();
    let extra = std::fs::read_to_string("tests/fixtures/arith.yaml").unwrap();
    std::fs::write(checklists.path().join("arith.yaml"), &extra).unwrap();
    run.catalog = vetted::load_catalog(Some(checklists.path())).unwrap();
    check(&run, &cache, "checklist added");
    std::fs::write(checklists.path().join("arith.yaml"), format!("{extra}\n")).unwrap();
    run.catalog = vetted::load_catalog(Some(checklists.path())).unwrap();
    check(&run, &cache, "checklist changed");
    run.catalog = vetted::load_catalog(None).unwrap();

    // Another build of vetted (a new version, or the same version rebuilt).
    check(&run, &open(cache_dir.path(), "build 2"), "build");

    // Back to the first build and inputs: everything is still there.
    let (_, stats) = run.json(dir.path(), Some(&cache));
    assert_eq!(stats.hits, n);

    // One manifest changed: only it is assessed again.
    let one = dir.path().join("a/read-only-tracker.yaml");
    let text = std::fs::read_to_string(&one).unwrap();
    std::fs::write(&one, format!("{text}# reviewed again\n")).unwrap();
    let (fresh, _) = run.json(dir.path(), None);
    let (got, stats) = run.json(dir.path(), Some(&cache));
    assert_eq!((stats.hits, stats.misses), (n - 1, 1));
    assert!(got == fresh);
}

#[test]
fn damaged_and_foreign_entries_are_ignored_and_rebuilt() {
    let dir = portfolio_dir();
    let n = count_manifests(dir.path());
    let cache_dir = tempfile::tempdir().unwrap();
    let cache = open(cache_dir.path(), "build 1");
    let run = Run::new();
    let (expected, _) = run.json(dir.path(), Some(&cache));
    let files = entries(cache_dir.path());
    assert_eq!(files.len(), n);
    let first = std::fs::read(&files[0]).unwrap();
    for (i, f) in files.iter().enumerate() {
        let bytes = std::fs::read(f).unwrap();
        match i % 5 {
            // Truncated (a crash mid-write, a full disk).
            0 => std::fs::write(f, &bytes[..bytes.len() / 2]).unwrap(),
            1 => std::fs::write(f, b"").unwrap(),
            // One bit flipped in the value.
            2 => {
                let mut b = bytes.clone();
                b[60] ^= 0x10;
                std::fs::write(f, b).unwrap();
            }
            // Another key's entry, whole and valid, copied over this one.
            3 => std::fs::write(f, &first).unwrap(),
            // Not an entry at all.
            _ => std::fs::write(f, "vendor: {name: x}\n").unwrap(),
        }
    }
    let (got, stats) = run.json(dir.path(), Some(&cache));
    assert!(got == expected, "a damaged cache changed the output");
    assert_eq!(stats.hits, 0);
    assert_eq!(stats.misses, n);
    assert_eq!(stats.refused, n);
    // Rebuilt: the next run takes everything from the cache.
    let (got, stats) = run.json(dir.path(), Some(&cache));
    assert_eq!(stats.hits, n);
    assert!(got == expected);
}

#[test]
fn a_manifest_refused_by_the_guard_leaves_nothing_in_the_cache() {
    let dir = tempfile::tempdir().unwrap();
    let good = std::fs::read_to_string("examples/well-run-saas-bot.yaml").unwrap();
    std::fs::write(dir.path().join("good.yaml"), &good).unwrap();
    // A secret in a manifest that is otherwise valid, and one in a manifest
    // with a schema error as well.
    let secret = "hunter2-correct-horse-battery";
    std::fs::write(
        dir.path().join("secret.yaml"),
        good.replace(
            "  name: Tidewater Quant\n",
            &format!("  name: Tidewater Quant\n  password: {secret}\n"),
        ),
    )
    .unwrap();
    std::fs::write(
        dir.path().join("secret-and-more.yaml"),
        good.replace(
            "  name: Tidewater Quant\n",
            &format!("  name: Tidewater Quant\n  api_key: {secret}\n  colour: blue\n"),
        ),
    )
    .unwrap();
    // A secret only in a comment of a manifest that fails to load: the
    // guard reads comments too (built at run time, so that the repository
    // holds no string a scanner would flag).
    let key: String = "vmPUZE6mv9SD5VNHk4HlWFsOr6aKE2zvsw0MuIgwCIPy6utIco14y7Ju91duEh8A"
        .chars()
        .rev()
        .collect();
    std::fs::write(
        dir.path().join("secret-in-comment.yaml"),
        format!(
            "{}# our key is {key}\n",
            good.replace(
                "  name: Tidewater Quant\n",
                "  name: Tidewater Quant\n  colour: blue\n"
            )
        ),
    )
    .unwrap();
    // A file the guard never read (it is not YAML): its diagnostics may
    // quote it.
    std::fs::write(
        dir.path().join("broken.yaml"),
        format!("vendor: \"{secret}\n"),
    )
    .unwrap();
    let cache_dir = tempfile::tempdir().unwrap();
    let cache = open(cache_dir.path(), "build 1");
    let run = Run::new();
    let (json, stats) = run.json(dir.path(), Some(&cache));
    assert!(json.contains("secret-in-manifest"), "{json}");
    assert!(json.contains("a comment holds"), "{json}");
    assert_eq!(stats.misses, 5);
    assert_eq!(stats.not_written, 4);
    let files = entries(cache_dir.path());
    assert_eq!(files.len(), 1, "only the good manifest is kept: {files:?}");
    for f in &files {
        let bytes = std::fs::read(f).unwrap();
        for secret in [secret, key.as_str()] {
            assert!(
                !bytes.windows(secret.len()).any(|w| w == secret.as_bytes()),
                "{} holds a secret",
                f.display()
            );
        }
    }
    // And they are assessed (and refused) again on every run.
    let (_, stats) = run.json(dir.path(), Some(&cache));
    assert_eq!((stats.hits, stats.misses), (1, 4));
}

fn cli(dir: &Path, cache: &Path, format: &str) -> std::process::Command {
    let mut cmd = std::process::Command::new(assert_cmd::cargo::cargo_bin("vetted"));
    cmd.arg("portfolio")
        .arg(dir)
        .args(["--as-of", AS_OF, "--format", format, "--cache"])
        .arg(cache);
    cmd
}

/// `vetted portfolio DIR --no-cache` in `format`.
fn uncached(dir: &Path, format: &str) -> std::process::Output {
    Command::cargo_bin("vetted")
        .unwrap()
        .arg("portfolio")
        .arg(dir)
        .args(["--as-of", AS_OF, "--format", format, "--no-cache"])
        .output()
        .unwrap()
}

#[test]
fn concurrent_runs_on_one_cache_both_write_the_right_output() {
    let dir = portfolio_dir();
    // More manifests, so that the two runs overlap.
    for i in 0..40 {
        let sub = dir.path().join(format!("c{i:02}"));
        std::fs::create_dir(&sub).unwrap();
        for name in ["well-run-saas-bot.yaml", "withdrawal-bot.yaml"] {
            std::fs::copy(Path::new("examples").join(name), sub.join(name)).unwrap();
        }
    }
    let cache = tempfile::tempdir().unwrap();
    let expected = uncached(dir.path(), "json");
    assert_eq!(expected.status.code(), Some(0));
    for round in ["cold", "warm"] {
        let children: Vec<_> = (0..2)
            .map(|_| {
                cli(dir.path(), cache.path(), "json")
                    .stdout(std::process::Stdio::piped())
                    .stderr(std::process::Stdio::piped())
                    .spawn()
                    .unwrap()
            })
            .collect();
        for c in children {
            let out = c.wait_with_output().unwrap();
            assert_eq!(out.status.code(), Some(0), "{round}");
            assert!(out.stdout == expected.stdout, "{round}: output differs");
            assert_eq!(out.stderr, expected.stderr, "{round}");
        }
        // No temporary file is left behind.
        assert!(
            entries(cache.path()).iter().all(|p| !p
                .file_name()
                .unwrap()
                .to_string_lossy()
                .starts_with('.')),
            "{round}"
        );
    }
    assert_eq!(entries(cache.path()).len(), count_manifests(dir.path()));
}

#[test]
fn the_cli_reads_the_cache_in_every_format() {
    let dir = portfolio_dir();
    let cache = tempfile::tempdir().unwrap();
    for format in ["md", "json", "html"] {
        let cold = cli(dir.path(), cache.path(), format).output().unwrap();
        let warm = cli(dir.path(), cache.path(), format).output().unwrap();
        let none = uncached(dir.path(), format);
        assert_eq!(cold.status.code(), Some(0));
        assert!(cold.stdout == none.stdout, "{format}: cold");
        assert!(warm.stdout == none.stdout, "{format}: warm");
        assert_eq!(warm.stderr, none.stderr, "{format}");
    }
}

#[test]
fn the_default_cache_is_under_the_users_cache_directory_and_off_in_ci() {
    let dir = portfolio_dir();
    let home = tempfile::tempdir().unwrap();
    let run = |ci: Option<&str>| {
        let mut cmd = Command::cargo_bin("vetted").unwrap();
        cmd.arg("portfolio")
            .arg(dir.path())
            .args(["--as-of", AS_OF])
            .env("XDG_CACHE_HOME", home.path())
            .env_remove("CI");
        if let Some(ci) = ci {
            cmd.env("CI", ci);
        }
        assert_eq!(cmd.output().unwrap().status.code(), Some(0));
    };
    run(Some("true"));
    assert!(!home.path().join("vetted").exists(), "used in CI");
    run(None);
    assert_eq!(
        entries(&home.path().join("vetted")).len(),
        count_manifests(dir.path())
    );
}

/// `vetted assess` in `dir` with `args` (and a fixed date): exit code,
/// stdout and stderr.
fn assess(dir: &Path, args: &[&str]) -> (Option<i32>, Vec<u8>, Vec<u8>) {
    let out = Command::cargo_bin("vetted")
        .unwrap()
        .current_dir(dir)
        .arg("assess")
        .args(args)
        .args(["--as-of", AS_OF])
        // The default cache directory, were one used: assess must not.
        .env("XDG_CACHE_HOME", dir.join("xdg"))
        .output()
        .unwrap();
    (out.status.code(), out.stdout, out.stderr)
}

#[test]
fn assess_reuses_its_document_when_asked_and_nothing_changed() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    // A manifest with a warning (the legacy way of saying self-hosted).
    let text = std::fs::read_to_string("examples/self-hosted-oss-bot.yaml").unwrap();
    std::fs::write(
        d.join("m.yaml"),
        text.replace("  hosting: self-hosted\n", ""),
    )
    .unwrap();
    // With the number of entries after each: --fail-on reads the cached
    // verdict and tier of the first document.
    for (args, kept) in [
        (vec!["m.yaml"], 1),
        (vec!["m.yaml", "--format", "json"], 2),
        (
            vec!["m.yaml", "--format", "html", "--template", "compliance"],
            3,
        ),
        (vec!["m.yaml", "--fail-on", "low"], 3),
        // SARIF: another format, so another entry, never the JSON one.
        (vec!["m.yaml", "--format", "sarif"], 4),
        (vec!["m.yaml", "--format", "sarif", "--fail-on", "low"], 4),
    ] {
        let plain = assess(d, &args);
        assert!(
            String::from_utf8_lossy(&plain.2).contains("hosting-inferred"),
            "{args:?}: the warning is printed"
        );
        let mut cached = args.clone();
        cached.extend(["--cache", "cache"]);
        let cold = assess(d, &cached);
        let warm = assess(d, &cached);
        assert_eq!(entries(&d.join("cache")).len(), kept, "{args:?}");
        assert!(cold == plain, "{args:?}: cold");
        assert!(warm == plain, "{args:?}: warm");
    }
    assert!(!d.join("xdg").exists(), "assess used the default cache");

    // Other templates: another document, not the cached one.
    std::fs::create_dir(d.join("templates")).unwrap();
    std::fs::write(
        d.join("templates/report.md.j2"),
        "Verdict: {{ summary.verdict }}\n",
    )
    .unwrap();
    let args = ["m.yaml", "--templates", "templates", "--cache", "cache"];
    let (code, out, _) = assess(d, &args);
    assert_eq!(code, Some(0));
    assert_eq!(String::from_utf8(out).unwrap(), "Verdict: conditions\n");
    std::fs::write(
        d.join("templates/report.md.j2"),
        "Tier: {{ summary.tier }}\n",
    )
    .unwrap();
    let (_, out, _) = assess(d, &args);
    assert_eq!(String::from_utf8(out).unwrap(), "Tier: low\n");

    // A refused manifest leaves nothing.
    let before = entries(&d.join("cache")).len();
    std::fs::write(
        d.join("secret.yaml"),
        text.replace("  name: ", "  password: hunter2-xyz-secret\n  name: "),
    )
    .unwrap();
    let (code, _, _) = assess(d, &["secret.yaml", "--cache", "cache"]);
    assert_eq!(code, Some(2));
    assert_eq!(entries(&d.join("cache")).len(), before);
}

#[test]
fn a_cache_that_cannot_be_opened_is_a_warning_not_a_failure() {
    let dir = portfolio_dir();
    // A directory inside a regular file cannot be made.
    let file = tempfile::NamedTempFile::new().unwrap();
    let cache = file.path().join("cache");
    let with = cli(dir.path(), &cache, "json").output().unwrap();
    let without = uncached(dir.path(), "json");
    assert_eq!(with.status.code(), Some(0));
    assert!(with.stdout == without.stdout);
    let stderr = String::from_utf8(with.stderr).unwrap();
    assert!(
        stderr.starts_with(&format!("warning[io]: {}: ", cache.display()))
            && stderr.contains("; the cache is not used\n"),
        "{stderr}"
    );
}
