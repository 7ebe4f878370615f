//! The bad-input corpus: every file in `tests/bad-input/` (plus generated
//! ones too big or too sensitive to commit) goes through the real binary.
//! Each must end with exit 2, a diagnostic naming `file:line:col` and a stable
//! code, in under a second, without a panic. The injection case is valid
//! input and must render safely instead.

use std::path::Path;
use std::time::{Duration, Instant};

use assert_cmd::Command;

struct Case {
    file: &'static str,
    codes: &'static [&'static str],
}

const CASES: &[Case] = &[
    Case {
        file: "incident-and-reason-problems.yaml",
        codes: &[
            "not-applicable-without-reason",
            "remediation-unverified",
            "remediation-date",
        ],
    },
    Case {
        file: "misspelled-question.yaml",
        codes: &["unknown-question"],
    },
    Case {
        file: "value-not-in-options.yaml",
        codes: &["invalid-answer"],
    },
    Case {
        file: "duplicate-key.yaml",
        codes: &["duplicate-key"],
    },
    Case {
        file: "tab-indentation.yaml",
        codes: &["yaml-syntax"],
    },
    Case {
        file: "unterminated-quote.yaml",
        codes: &["yaml-syntax"],
    },
    Case {
        file: "non-utf8.yaml",
        codes: &["invalid-utf8"],
    },
    Case {
        file: "empty.yaml",
        codes: &["empty-document"],
    },
    Case {
        file: "alias-bomb.yaml",
        codes: &["yaml-budget-exceeded"],
    },
    Case {
        file: "deep-nesting.yaml",
        codes: &["yaml-budget-exceeded"],
    },
    Case {
        file: "bad-date.yaml",
        codes: &["invalid-date"],
    },
    Case {
        file: "unknown-field.yaml",
        codes: &["unknown-field", "invalid-value"],
    },
    Case {
        file: "many-problems.yaml",
        codes: &[
            "invalid-url",
            "invalid-ip",
            "unknown-checklist",
            "evidence-after-assessment",
            "invalid-answer",
            "waiver-incomplete",
            "waiver-incomplete",
            "waiver-incomplete",
        ],
    },
];

struct Outcome {
    code: Option<i32>,
    stderr: String,
    elapsed: Duration,
}

fn assess(path: &Path) -> Outcome {
    let start = Instant::now();
    let out = Command::cargo_bin("vetted")
        .unwrap()
        .args(["assess", "--as-of", "2026-11-27"])
        .arg(path)
        .timeout(Duration::from_secs(20))
        .output()
        .unwrap();
    Outcome {
        code: out.status.code(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        elapsed: start.elapsed(),
    }
}

/// Checks the common contract and returns the codes found, in order.
fn check_refused(name: &str, path: &Path, outcome: &Outcome) -> Vec<String> {
    assert_eq!(
        outcome.code,
        Some(2),
        "{name}: exit code\n{}",
        outcome.stderr
    );
    assert!(
        !outcome.stderr.contains("panicked"),
        "{name} panicked:\n{}",
        outcome.stderr
    );
    assert!(
        outcome.elapsed < Duration::from_secs(1),
        "{name} took {:?}",
        outcome.elapsed
    );
    let prefix = format!("{}:", path.display());
    let mut codes = Vec::new();
    for line in outcome.stderr.lines().filter(|l| l.contains(": error[")) {
        let rest = line
            .strip_prefix(&prefix)
            .unwrap_or_else(|| panic!("{name}: no file name in {line:?}"));
        let mut parts = rest.splitn(3, ':');
        let line_no: u32 = parts
            .next()
            .unwrap()
            .parse()
            .unwrap_or_else(|_| panic!("{name}: no line in {line:?}"));
        let col: u32 = parts
            .next()
            .unwrap()
            .parse()
            .unwrap_or_else(|_| panic!("{name}: no column in {line:?}"));
        assert!(line_no >= 1 && col >= 1, "{name}: position {line_no}:{col}");
        let code = line
            .split("error[")
            .nth(1)
            .and_then(|s| s.split(']').next())
            .unwrap();
        codes.push(code.to_string());
    }
    codes
}

#[test]
fn every_corpus_file_is_refused_with_positioned_diagnostics() {
    let dir = Path::new("tests/bad-input");
    for case in CASES {
        let path = dir.join(case.file);
        let outcome = assess(&path);
        let codes = check_refused(case.file, &path, &outcome);
        let expected: Vec<String> = case.codes.iter().map(|c| c.to_string()).collect();
        assert_eq!(codes, expected, "{}:\n{}", case.file, outcome.stderr);
        insta::assert_snapshot!(format!("bad-input-{}", case.file), outcome.stderr);
    }
}

#[test]
fn every_corpus_file_is_listed() {
    let mut listed: Vec<&str> = CASES.iter().map(|c| c.file).collect();
    listed.push("injection.yaml");
    listed.sort();
    let mut found: Vec<String> = std::fs::read_dir("tests/bad-input")
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    found.sort();
    assert_eq!(
        found, listed,
        "a corpus file without a case, or a case without a file"
    );
}

#[test]
fn a_50_mb_file_is_refused_before_parsing() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("huge.yaml");
    let mut text = String::from("vendor:\n  name: x\nnotes: |\n");
    let line = format!("  {}\n", "a".repeat(98));
    while text.len() < 50 * 1024 * 1024 {
        text.push_str(&line);
    }
    std::fs::write(&path, text).unwrap();
    let outcome = assess(&path);
    let codes = check_refused("huge.yaml", &path, &outcome);
    assert_eq!(codes, ["input-too-large"]);
}

#[test]
fn a_manifest_holding_an_exchange_secret_is_refused_without_echoing_it() {
    // Built at run time so that the repository never holds a string that
    // looks like a live key.
    let secret: String = "q8ZtR3vLw1Nc6YhJ0pKe4XbUa7GsMd2FoTi9VnCr5Hl"
        .chars()
        .rev()
        .collect();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("secret.yaml");
    std::fs::write(
        &path,
        format!(
            "vendor: {{name: Leaky}}\nintegration:\n  purpose: p\n  checklists: [baseline]\n  permissions: [read]\n  \
             keys:\n    - {{exchange: binance, label: main, created: 2026-01-01, permissions: [read]}}\n\
             assessment: {{assessor: A, date: 2026-11-20}}\nanswers:\n  documentation.security_page:\n    value: detailed\n    \
             note: \"key {secret}\"\n"
        ),
    )
    .unwrap();
    let outcome = assess(&path);
    let codes = check_refused("secret.yaml", &path, &outcome);
    assert_eq!(codes, ["secret-in-manifest"]);
    assert!(outcome.stderr.contains(":12:11:"), "{}", outcome.stderr);
    assert!(
        !outcome.stderr.contains(&secret[..10]),
        "the secret was echoed:\n{}",
        outcome.stderr
    );
}

#[test]
fn the_injection_case_renders_without_markup_from_the_manifest() {
    use pulldown_cmark::{Event, Options, Parser, Tag};

    let out = Command::cargo_bin("vetted")
        .unwrap()
        .args([
            "assess",
            "--as-of",
            "2026-11-27",
            "tests/bad-input/injection.yaml",
        ])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let md = String::from_utf8(out.stdout).unwrap();
    let name = "Evil | *Corp* <script>alert(1)</script> [x](javascript:alert(1))";
    let options =
        Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH | Options::ENABLE_FOOTNOTES;
    let mut texts = String::new();
    // The only links: the evidence addresses that pass the check (https, a
    // host), as the url crate writes them, each shown as itself; never the
    // `http` one, the one with a backslash, or any name or note.
    let evidence = [
        "https://evil.example/a_(b)_*c*",
        "https://evil.example/q?x=%22%3E%3Cb%3Ey%3C/b%3E)",
    ];
    let mut links = Vec::new();
    let mut link: Option<(String, String)> = None;
    for event in Parser::new_ext(&md, options) {
        if let (Event::Text(t), Some((_, text))) = (&event, &mut link) {
            text.push_str(t);
        }
        match event {
            // The template's own markers are the only HTML allowed.
            Event::Html(h) if vetted::report::html::MARKERS.contains(&h.trim()) => {}
            Event::Html(h) | Event::InlineHtml(h) => panic!("HTML in the report: {h}"),
            Event::Start(Tag::Link { dest_url, .. }) => {
                assert!(
                    evidence.contains(&&*dest_url),
                    "link in the report: {dest_url}"
                );
                link = Some((dest_url.to_string(), String::new()));
            }
            Event::End(pulldown_cmark::TagEnd::Link) => links.extend(link.take()),
            Event::Start(Tag::Image { .. }) => panic!("image in the report"),
            // The template's own emphasis is bold (`**`); the manifest's
            // `*Corp*` would come out as emphasis.
            Event::Start(Tag::Emphasis) => panic!("emphasis from manifest text"),
            Event::Text(t) => texts.push_str(&t),
            Event::End(_) => texts.push('\n'),
            _ => {}
        }
    }
    // Each checked address is a link (in the evidence table), whose text
    // is its address; the others are literal text.
    for url in evidence {
        assert!(
            links.contains(&(url.to_string(), url.to_string())),
            "{links:?}"
        );
    }
    for text in [
        "https://evil.example/back\\slash)",
        "http://plain.example/x",
        "<https://evil.example/auto> [y](https://evil.example/y)",
    ] {
        assert!(texts.contains(text), "{text} not literal in {texts}");
    }
    // The heading holds the name, as literal text, whole.
    assert!(
        texts.contains(&format!("Vendor assessment: {name}")),
        "{texts}"
    );
    assert!(
        texts.contains("# Heading\n- list | pipe\n<iframe src=javascript:alert(1)>"),
        "{texts}"
    );
    // Every table row kept its column count: nothing broke out of a cell.
    for line in md.lines().filter(|l| l.starts_with("| ")) {
        let cells = line.replace("\\|", "").matches('|').count();
        assert!(cells >= 3, "{line}");
    }
}
