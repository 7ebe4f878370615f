//! The bundled examples: each one's verdict and tier are asserted with the
//! reason an experienced reviewer would give, and the Markdown and JSON
//! reports are snapshot-tested.

use vetted::level::Level;
use vetted::rules::{Policy, Verdict};

const AS_OF: &str = "2026-11-27";

struct Expected {
    file: &'static str,
    verdict: Verdict,
    tier: Level,
    /// Why this is the right outcome.
    reason: &'static str,
}

const EXAMPLES: &[Expected] = &[
    Expected {
        file: "well-run-saas-bot.yaml",
        verdict: Verdict::Conditions,
        tier: Level::Low,
        reason: "SOC 2 Type II and static egress IPs earn tier low, but a trade key always comes with terms",
    },
    Expected {
        file: "self-hosted-oss-bot.yaml",
        verdict: Verdict::Conditions,
        tier: Level::Low,
        reason: "keys never leave the user; trading still needs key terms",
    },
    Expected {
        file: "read-only-tracker.yaml",
        verdict: Verdict::Approve,
        tier: Level::Low,
        reason: "a read-only key moves no funds and the vendor is well run",
    },
    Expected {
        file: "withdrawal-bot.yaml",
        verdict: Verdict::Reject,
        tier: Level::Critical,
        reason: "no trading feature needs withdrawal permission",
    },
    Expected {
        file: "denied-leak-bot.yaml",
        verdict: Verdict::Reject,
        tier: Level::High,
        reason: "a key leak denied for two months raises the tier to high, and high inherent risk at tier high is reject",
    },
    Expected {
        file: "new-vendor-little-evidence.yaml",
        verdict: Verdict::Reject,
        tier: Level::Critical,
        reason: "claims without evidence and many unknowns cannot justify trading keys",
    },
    Expected {
        file: "crm-webhook.yaml",
        verdict: Verdict::Approve,
        tier: Level::Low,
        reason: "the baseline stands alone for a non-crypto SaaS integration",
    },
];

fn assess(file: &str) -> vetted::report::Report {
    let catalog = vetted::load_catalog(None).unwrap();
    let policy = Policy::default_policy();
    let path = format!("examples/{file}");
    let bytes = std::fs::read(&path).unwrap();
    let (report, warnings) =
        vetted::assess(&path, bytes, &catalog, &policy, AS_OF.parse().unwrap())
            .unwrap_or_else(|e| panic!("{file}: {e:?}"));
    assert!(warnings.is_empty(), "{file}: {warnings:#?}");
    report
}

#[test]
fn every_example_reaches_its_expected_verdict_and_tier() {
    for e in EXAMPLES {
        let r = assess(e.file);
        assert_eq!(
            (r.summary.verdict, r.summary.tier),
            (e.verdict, e.tier),
            "{}: expected because {}",
            e.file,
            e.reason
        );
    }
}

#[test]
fn the_new_vendor_shows_low_confidence() {
    let r = assess("new-vendor-little-evidence.yaml");
    assert!(r.summary.confidence < 30.0, "{}", r.summary.confidence);
    let md = vetted::report::Renderer::new(Default::default())
        .markdown(&r)
        .unwrap();
    assert!(md.contains("**Low confidence"), "{md}");
}

#[test]
fn every_example_is_listed() {
    let mut files: Vec<String> = std::fs::read_dir("examples")
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    files.sort();
    let mut listed: Vec<&str> = EXAMPLES.iter().map(|e| e.file).collect();
    listed.sort();
    assert_eq!(files, listed);
}

#[test]
fn reports_of_every_example_match_their_snapshots() {
    let renderer = vetted::report::Renderer::new(Default::default());
    for e in EXAMPLES {
        let r = assess(e.file);
        insta::assert_snapshot!(format!("{}.md", e.file), renderer.markdown(&r).unwrap());
        insta::assert_snapshot!(format!("{}.json", e.file), r.to_json());
    }
}

#[test]
fn compliance_document_and_html_page_match_snapshots() {
    let r = assess("well-run-saas-bot.yaml");
    let renderer = vetted::report::Renderer::new(Default::default());
    let md = renderer.render("compliance.md.j2", &r).unwrap();
    for section in [
        "## 1. Scope and purpose",
        "## 2. Method",
        "## 4. Controls by framework",
        "### SOC 2 trust services criteria",
        "### ISO/IEC 27001:2022 Annex A",
        "## 7. Sign-off",
        "## Appendix A: evidence",
    ] {
        assert!(md.contains(section), "missing {section}");
    }
    insta::assert_snapshot!("well-run-saas-bot.yaml.compliance.md", md);
    let policy = Policy::default_policy();
    let html = vetted::report::html::page(
        "t",
        &renderer.markdown(&r).unwrap(),
        &[vetted::report::chart::assessment(&r, &policy)],
    );
    insta::assert_snapshot!("well-run-saas-bot.yaml.html", html);
}
