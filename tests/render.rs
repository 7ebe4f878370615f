//! One rendering path: whatever a command writes, in every format, is what
//! `vetted::report::render` makes of the document the library builds, and
//! the formats agree with each other (HTML is the Markdown as a page titled
//! by the document, JSON is the document's data).

mod support;

use assert_cmd::Command;
use vetted::report::{Compliance, Format, Render, Renderer, render};
use vetted::rules::Policy;

const AS_OF: &str = "2026-11-27";
const OLD: &str = "examples/new-vendor-little-evidence.yaml";
const NEW: &str = "examples/well-run-saas-bot.yaml";
const FORMATS: [(Format, &str); 3] = [
    (Format::Markdown, "md"),
    (Format::Html, "html"),
    (Format::Json, "json"),
];

fn cli(args: &[&str]) -> String {
    // `portfolio` keeps a cache under the user's cache directory.
    let cache = tempfile::tempdir().unwrap();
    let out = Command::cargo_bin("vetted")
        .unwrap()
        .args(args)
        .args(["--as-of", AS_OF])
        .env("XDG_CACHE_HOME", cache.path())
        .output()
        .unwrap();
    assert!(out.status.success(), "{args:?}: {out:?}");
    String::from_utf8(out.stdout).unwrap()
}

/// (file, manifest, assessment), as the CLI evaluates a manifest.
fn evaluated(
    path: &str,
) -> (
    String,
    vetted::manifest::Manifest,
    vetted::evaluate::Assessment,
) {
    let (m, a) = vetted::evaluate_file(
        path,
        std::fs::read(path).unwrap(),
        &vetted::load_catalog(None).unwrap(),
        &Policy::default_policy(),
        AS_OF.parse().unwrap(),
    )
    .unwrap();
    (path.to_string(), m, a)
}

/// `doc` in every format is what the command `args` writes, and the formats
/// agree with each other.
fn renders_as_the_command<D: Render>(doc: &D, args: &[&str]) {
    let templates = Renderer::new(Default::default());
    let policy = Policy::default_policy();
    for (format, flag) in FORMATS {
        let mut with_format = args.to_vec();
        with_format.extend(["--format", flag]);
        let ours = render(doc, format, &templates, &policy).unwrap();
        assert_eq!(cli(&with_format), ours, "{with_format:?}");
    }
    let markdown = render(doc, Format::Markdown, &templates, &policy).unwrap();
    assert_eq!(markdown, templates.render(D::TEMPLATE, doc).unwrap());
    let html = render(doc, Format::Html, &templates, &policy).unwrap();
    let charts = doc.charts(&policy);
    assert_eq!(
        html,
        vetted::report::html::page(&doc.title(), &markdown, &charts)
    );
    assert!(html.contains(&format!(
        "<title>{}</title>",
        vetted::report::chart::xml(&doc.title())
    )));
    let json = render(doc, Format::Json, &templates, &policy).unwrap();
    let value: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(value, serde_json::to_value(doc).unwrap());
}

#[test]
fn assess_writes_the_report_and_the_compliance_document_through_render() {
    let (report, _) = vetted::assess(
        NEW,
        std::fs::read(NEW).unwrap(),
        &vetted::load_catalog(None).unwrap(),
        &Policy::default_policy(),
        AS_OF.parse().unwrap(),
    )
    .unwrap();
    assert!(report.title().contains(&report.vendor.name));
    renders_as_the_command(&report, &["assess", NEW]);
    let compliance = Compliance(&report);
    renders_as_the_command(&compliance, &["assess", NEW, "--template", "compliance"]);
    // The same data: only the template differs.
    assert_eq!(report.to_json(), vetted::report::render::json(&compliance));
    assert_ne!(compliance.title(), report.title());
}

#[test]
fn compare_portfolio_and_diff_write_through_render() {
    let files = [NEW, OLD, "examples/denied-leak-bot.yaml"];
    let loaded: Vec<_> = files.iter().map(|f| evaluated(f)).collect();
    let candidates: Vec<vetted::compare::Candidate<'_>> = loaded.iter().map(Into::into).collect();
    let comparison = vetted::compare::compare(&candidates, &Policy::default_policy());
    let mut args = vec!["compare"];
    args.extend(files);
    renders_as_the_command(&comparison, &args);

    let portfolio = vetted::load_portfolio(
        std::path::Path::new("examples"),
        &vetted::load_catalog(None).unwrap(),
        &Policy::default_policy(),
        AS_OF.parse().unwrap(),
    )
    .unwrap();
    renders_as_the_command(&portfolio, &["portfolio", "examples"]);

    let (old, new) = (evaluated(OLD), evaluated(NEW));
    let d = vetted::diff::diff((&old.1, &old.2), (&new.1, &new.2));
    assert!(d.title().contains(&d.vendor));
    renders_as_the_command(&d, &["diff", OLD, NEW]);
}

/// Every bundled manifest (examples and calibration cases: every verdict,
/// basis and hosting the set holds) renders as the report and the
/// compliance document in every format: a template that reads a field
/// only some verdicts have fails here, not in a user's hands.
#[test]
fn every_bundled_manifest_renders_in_every_format() {
    let catalog = vetted::load_catalog(None).unwrap();
    let policy = Policy::default_policy();
    let templates = Renderer::new(Default::default());
    let paths = support::bundled_manifests();
    assert!(paths.len() >= 30, "{} manifests", paths.len());
    let mut failures = Vec::new();
    for path in paths {
        let file = path.display().to_string();
        let (report, _) = vetted::assess(
            &file,
            std::fs::read(&path).unwrap(),
            &catalog,
            &policy,
            AS_OF.parse().unwrap(),
        )
        .unwrap();
        for (format, flag) in FORMATS {
            if let Err(e) = render(&report, format, &templates, &policy) {
                failures.push(format!("{file} ({flag}): {e}"));
            }
            if let Err(e) = render(&Compliance(&report), format, &templates, &policy) {
                failures.push(format!("{file} (compliance {flag}): {e}"));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
