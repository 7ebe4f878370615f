//! Text from manifests, file names and collected files never reaches any
//! output raw when it holds characters that act on a terminal (C0 and C1
//! controls: ESC starts a control sequence, CR overwrites the line, BEL
//! rings) or that hide what text says (bidirectional controls, zero-width
//! characters). Every format of every command, and the diagnostics on
//! stderr, show them as visible escapes instead; JSON keeps the data exact
//! but writes such characters as `\u` escapes.
//!
//! The characters are listed here, apart from the library's own list, so
//! the test does not trust the code it tests.

use std::path::Path;

use proptest::prelude::*;
use vetted::report::{Compliance, Format, Render, Renderer, render};
use vetted::rules::Policy;

const AS_OF: &str = "2026-11-27";
const BASE: &str = "examples/denied-leak-bot.yaml";
const OTHER: &str = "examples/read-only-tracker.yaml";

/// Whether `c` may not appear raw in any output: C0 controls but line feed
/// and tab (which outputs use structurally), DEL and C1 controls, and the
/// bidirectional and zero-width characters.
fn forbidden(c: char) -> bool {
    let n = c as u32;
    (n < 0x20 && c != '\n' && c != '\t')
        || (0x7f..=0x9f).contains(&n)
        || matches!(
            c,
            '\u{061C}'
                | '\u{200B}'..='\u{200F}'
                | '\u{202A}'..='\u{202E}'
                | '\u{2060}'
                | '\u{2066}'..='\u{2069}'
                | '\u{FEFF}'
        )
}

/// Fails on the first forbidden character of `out`, showing where.
fn clean(what: &str, out: &str) -> Result<(), TestCaseError> {
    let Some((i, c)) = out.char_indices().find(|(_, c)| forbidden(*c)) else {
        return Ok(());
    };
    let start = out[..i].char_indices().rev().nth(60).map_or(0, |(j, _)| j);
    let context: String = out[start..].chars().take(120).collect();
    Err(TestCaseError::fail(format!(
        "{what}: raw U+{:04X} at byte {i}: {context:?}",
        c as u32
    )))
}

/// Characters that act on a terminal or hide text, and some that mean
/// something in Markdown or HTML, mixed with plain letters.
fn hostile() -> impl Strategy<Value = String> {
    let hidden: Vec<char> = "\u{0}\u{7}\u{8}\u{1b}\r\u{7f}\u{85}\u{9b}\u{9d}\u{061C}\u{200B}\u{200C}\u{200D}\u{200E}\u{200F}\u{202A}\u{202B}\u{202C}\u{202D}\u{202E}\u{2060}\u{2066}\u{2067}\u{2068}\u{2069}\u{FEFF}\u{2028}\u{E0041}"
        .chars()
        .collect();
    // `%`, backticks and braces too: what could end a Mermaid label or
    // fence, or a CSS string.
    let plain: Vec<char> = "abcXYZ 0129*_|<>&#:;-.[](){}%`\\\"'\n\t".chars().collect();
    prop::collection::vec(
        prop_oneof![
            4 => prop::sample::select(hidden),
            1 => (1u32..0x20).prop_map(|n| char::from_u32(n).unwrap()),
            1 => (0x7fu32..0xa0).prop_map(|n| char::from_u32(n).unwrap()),
            4 => prop::sample::select(plain),
        ],
        1..16,
    )
    .prop_map(|v| format!("V{}", v.into_iter().collect::<String>()))
    .prop_flat_map(|s| {
        // Text dressed as a link: it must stay text.
        prop::sample::select(vec![
            "",
            "[x](https://evil.example/)",
            "<https://evil.example/>",
            "javascript:alert(1)",
            " https://evil.example/bare",
        ])
        .prop_map(move |lure| format!("{s}{lure}"))
    })
}

/// The end of an evidence address made to break out of its link: the
/// characters that end an autolink, an inline link, an attribute or a
/// table cell, and escapes.
fn address_tail() -> impl Strategy<Value = String> {
    r#"[a-z0-9)(<>"'\\|\[\]*_`{}&;#?=%/.]{0,16}"#
}

/// `s` as a YAML double-quoted scalar: everything but printable ASCII
/// escaped, so the file itself stays plain.
fn yaml(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            ' '..='~' => out.push(c),
            c => out.push_str(&format!("\\U{:08X}", c as u32)),
        }
    }
    out.push('"');
    out
}

fn replace_once(text: &str, from: &str, to: &str) -> String {
    assert!(text.contains(from), "the example has {from:?}");
    text.replacen(from, to, 1)
}

/// The base example with hostile text as the vendor's name, an answer's
/// note, an evidence note, an incident summary, and a collected fact's
/// detail and a failure's reason (text that came from a vendor's server).
fn hostile_manifest(t: &Texts) -> String {
    let text = std::fs::read_to_string(BASE).unwrap();
    let text = replace_once(
        &text,
        "  name: Harborline Bots\n",
        &format!("  name: {}\n", yaml(&t.name)),
    );
    let text = replace_once(
        &text,
        "    note: Exchanges were asked to revoke all linked keys; no compensation offered.\n",
        &format!("    note: {}\n", yaml(&t.note)),
    );
    let text = replace_once(
        &text,
        "note: Early statement blaming phishing}",
        &format!("note: {}}}", yaml(&t.evidence_note)),
    );
    let text = replace_once(
        &text,
        "url: https://archive.example/harborline.example/blog/2025-03-phishing-warning,",
        &format!("url: {},", yaml(&t.address)),
    );
    let start = text.find("    summary: >-\n").expect("an incident summary");
    let end = start + text[start..].find("    acknowledged-after-days").unwrap();
    let text = format!(
        "{}    summary: {}\n{}",
        &text[..start],
        yaml(&t.note),
        &text[end..]
    );
    format!(
        "{text}\ncollected:\n  facts:\n    security-txt.status:\n      value: expired\n      url: https://harborline.example/.well-known/security.txt\n      observed: 2026-11-20T10:00:00Z\n      detail: {}\n  failures:\n    - collector: scorecard\n      url: https://api.securityscorecards.dev/projects/github.com/a/b\n      reason: {}\n      observed: 2026-11-20T10:00:00Z\n",
        yaml(&t.fetched),
        yaml(&t.fetched)
    )
}

/// A manifest that fails to load, its diagnostics quoting hostile text: an
/// answer outside the options and an unknown field.
fn invalid_manifest(t: &Texts) -> String {
    let text = std::fs::read_to_string(BASE).unwrap();
    let text = replace_once(
        &text,
        "  keys.withdrawal:\n    value: never\n",
        &format!("  keys.withdrawal:\n    value: {}\n", yaml(&t.note)),
    );
    replace_once(
        &text,
        "vendor:\n",
        &format!("vendor:\n  {}: 1\n", yaml(&t.name)),
    )
}

#[derive(Clone, Debug)]
struct Texts {
    name: String,
    note: String,
    evidence_note: String,
    /// An evidence address.
    address: String,
    fetched: String,
    file: String,
}

fn texts() -> impl Strategy<Value = Texts> {
    (
        hostile(),
        hostile(),
        hostile(),
        hostile(),
        hostile(),
        address_tail(),
    )
        .prop_map(|(name, note, evidence_note, fetched, file, tail)| Texts {
            name,
            note,
            evidence_note,
            address: format!("https://breakout.example/{tail}"),
            fetched,
            // A file name holds neither `/` nor NUL.
            file: file.replace(['/', '\0'], "_"),
        })
}

fn formats<D: Render>(what: &str, doc: &D) -> Result<(), TestCaseError> {
    let templates = Renderer::new(Default::default());
    let policy = Policy::default_policy();
    for format in [Format::Markdown, Format::Html, Format::Json] {
        let out = render(doc, format, &templates, &policy).unwrap();
        clean(&format!("{what} as {format:?}"), &out)?;
        let links = match format {
            Format::Markdown => {
                mermaid_holds(what, &out)?;
                markdown_links(&out)
            }
            Format::Html => html_links(&out)?,
            Format::Json => continue,
        };
        for (href, text) in links {
            // A link is an evidence address, checked, and shows where it
            // goes; never one made of a name or a note.
            let checked = vetted::report::escape::link_target(&href);
            prop_assert_eq!(
                checked.as_deref(),
                Some(href.as_str()),
                "{} as {:?}: a link to an unchecked address",
                what,
                format
            );
            prop_assert_eq!(&text, &href, "{} as {:?}", what, format);
            prop_assert!(
                EVIDENCE.with(|e| e.borrow().contains(&href)),
                "{what} as {format:?}: {href} is no evidence address"
            );
        }
    }
    Ok(())
}

thread_local! {
    /// The checked evidence addresses of the manifests of the case.
    static EVIDENCE: std::cell::RefCell<Vec<String>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// Every address a manifest gives for evidence or a document, as a link
/// would carry it.
fn evidence_links(m: &vetted::manifest::Manifest) -> Vec<String> {
    let answers = m
        .answers
        .values()
        .flat_map(|a| a.evidence.iter().map(|e| &e.url));
    let documents = m.documents.iter().map(|d| &d.url);
    let facts = m
        .collected
        .iter()
        .flat_map(|c| c.facts.values().map(|f| &f.url));
    answers
        .chain(documents)
        .chain(facts)
        .filter_map(|u| vetted::report::escape::link_target(u))
        .collect()
}

/// Whether a Mermaid label holds only what the chart reads literally: no
/// quote to end its string, no `%` (a `%%{...}%%` directive acts anywhere
/// in a chart), no `#` (entities), `;` (a statement's end), backtick
/// (the fence), brackets, braces or angle brackets.
fn plain_label(label: &str) -> bool {
    !label.is_empty()
        && !label
            .chars()
            .any(|c| forbidden(c) || c == '\n' || c == '\t' || "\"%#;`[]{}<>&*_|\\".contains(c))
}

/// Fails unless every Mermaid chart of a Markdown document is the chart
/// the document writes: in one fenced block, each line a statement of the
/// expected form whose labels are plain ([`plain_label`]). Manifest text
/// reaches the charts (the vendor's name titles a report's chart); it must
/// not end a label, a line or the block.
fn mermaid_holds(what: &str, md: &str) -> Result<(), TestCaseError> {
    use pulldown_cmark::{CodeBlockKind, Event, Options, Parser, Tag, TagEnd};
    let mut charts = Vec::new();
    let mut open: Option<String> = None;
    for e in Parser::new_ext(md, Options::ENABLE_TABLES | Options::ENABLE_FOOTNOTES) {
        match e {
            Event::Start(Tag::CodeBlock(CodeBlockKind::Fenced(lang))) if &*lang == "mermaid" => {
                open = Some(String::new())
            }
            Event::Text(t) => {
                if let Some(chart) = &mut open {
                    chart.push_str(&t)
                }
            }
            Event::End(TagEnd::CodeBlock) => charts.extend(open.take()),
            _ => {}
        }
    }
    let expected = match what {
        "assess" | "compliance" | "compare" => 1,
        _ => 0,
    };
    prop_assert_eq!(charts.len(), expected, "{}: Mermaid charts", what);
    let quoted =
        |s: &str| -> Option<String> { s.strip_prefix('"')?.strip_suffix('"').map(str::to_string) };
    let numbers = |s: &str| {
        s.strip_prefix('[')
            .and_then(|s| s.strip_suffix(']'))
            .is_some_and(|s| s.split(", ").all(|n| n.parse::<f64>().is_ok()))
    };
    for chart in charts {
        let mut lines = chart.lines();
        let head = lines.next();
        prop_assert!(
            matches!(head, Some("xychart-beta" | "xychart-beta horizontal")),
            "{}: {}",
            what,
            chart
        );
        for line in lines {
            let ok = if let Some(title) = line.strip_prefix("    title ") {
                let title = quoted(title);
                // The vendor's name reaches a report's chart: its first
                // letter at least survives (names start with `V`).
                title.as_deref().is_some_and(plain_label)
                    && (what == "compare" || title.as_deref().is_some_and(|t| t.starts_with('V')))
            } else if let Some(axis) = line.strip_prefix("    x-axis [") {
                // `"label", "label"`: quotes at the odd splits, labels
                // between them, `, ` between labels.
                axis.strip_suffix(']').is_some_and(|labels| {
                    let parts: Vec<&str> = labels.split('"').collect();
                    parts.len() % 2 == 1
                        && parts.len() >= 3
                        && parts.iter().enumerate().all(|(i, p)| match i {
                            0 => p.is_empty(),
                            i if i == parts.len() - 1 => p.is_empty(),
                            i if i % 2 == 1 => plain_label(p),
                            _ => *p == ", ",
                        })
                })
            } else if let Some(values) = line
                .strip_prefix("    bar ")
                .or_else(|| line.strip_prefix("    line "))
            {
                numbers(values)
            } else {
                line == "    y-axis \"Score\" 0 --> 100"
            };
            prop_assert!(
                ok,
                "{}: a chart line out of form: {:?}\n{}",
                what,
                line,
                chart
            );
        }
    }
    Ok(())
}

/// The links of a Markdown document: address and text.
fn markdown_links(md: &str) -> Vec<(String, String)> {
    use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd};
    let mut links = Vec::new();
    let mut open: Option<(String, String)> = None;
    for e in Parser::new_ext(
        md,
        Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH | Options::ENABLE_FOOTNOTES,
    ) {
        match e {
            Event::Start(Tag::Link { dest_url, .. }) => {
                open = Some((dest_url.to_string(), String::new()))
            }
            Event::Text(t) | Event::Code(t) => {
                if let Some((_, text)) = &mut open {
                    text.push_str(&t)
                }
            }
            Event::End(TagEnd::Link) => links.extend(open.take()),
            Event::Start(Tag::Image { dest_url, .. }) => {
                links.push((dest_url.to_string(), "an image".into()))
            }
            _ => {}
        }
    }
    links
}

/// The links of an HTML page: address and text; fails on a link without
/// `rel="noopener noreferrer"` or any other element with an address.
fn html_links(html: &str) -> Result<Vec<(String, String)>, TestCaseError> {
    let unescape = |s: &str| {
        s.replace("&quot;", "\"")
            .replace("&lt;", "<")
            .replace("&gt;", ">")
            .replace("&amp;", "&")
    };
    let mut links = Vec::new();
    for attr in [" src=", " action=", " formaction=", " xlink:href="] {
        prop_assert!(!html.contains(attr), "{attr} in the page");
    }
    let mut rest = html;
    while let Some(i) = rest.find("<a ") {
        rest = &rest[i..];
        let end = rest.find('>').unwrap();
        let tag = &rest[..end];
        prop_assert!(tag.contains(" rel=\"noopener noreferrer\""), "{tag}");
        let href = tag
            .split(" href=\"")
            .nth(1)
            .and_then(|h| h.split('"').next());
        let href =
            href.ok_or_else(|| TestCaseError::fail(format!("a link without an address: {tag}")))?;
        let close = rest.find("</a>").unwrap();
        // Long texts are cut with `<wbr>`, which shows nothing.
        let text = rest[end + 1..close].replace("<wbr>", "");
        links.push((unescape(href), unescape(&text)));
        rest = &rest[close..];
    }
    // Every `href` is a link's.
    prop_assert_eq!(html.matches(" href=").count(), links.len());
    Ok(links)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    /// Every document the library writes, in every format.
    #[test]
    fn no_document_carries_a_raw_control(t in texts()) {
        let catalog = vetted::load_catalog(None).unwrap();
        let policy = Policy::default_policy();
        let as_of = AS_OF.parse().unwrap();
        let hostile = hostile_manifest(&t);
        let file = format!("{}.yaml", t.file);
        let ours = vetted::evaluate_file(&file, hostile.clone().into_bytes(), &catalog, &policy, as_of).unwrap();
        let other = vetted::evaluate_file(OTHER, std::fs::read(OTHER).unwrap(), &catalog, &policy, as_of).unwrap();
        let base = vetted::evaluate_file(BASE, std::fs::read(BASE).unwrap(), &catalog, &policy, as_of).unwrap();
        EVIDENCE.with(|e| *e.borrow_mut() = [&ours.0, &other.0, &base.0].into_iter().flat_map(evidence_links).collect());
        match vetted::assess(&file, hostile.clone().into_bytes(), &catalog, &policy, as_of) {
            Ok((report, warnings)) => {
                formats("assess", &report)?;
                // The address made to break out is a link exactly when it
                // passes the check (and then its link holds it whole:
                // `formats`).
                let md = render(&report, Format::Markdown, &Renderer::new(Default::default()), &policy).unwrap();
                let linked = markdown_links(&md).iter().any(|(h, _)| h.starts_with("https://breakout.example/"));
                prop_assert_eq!(linked, vetted::report::escape::link_target(&t.address).is_some(), "{}", t.address);
                formats("compliance", &Compliance(&report))?;
                for w in warnings {
                    clean("a warning's JSON", &vetted::report::render::json(&w))?;
                }
            }
            Err(e) => return Err(TestCaseError::fail(format!("the hostile manifest loads: {e:?}"))),
        }
        let candidates = [(&file, &ours), (&OTHER.to_string(), &other)]
            .into_iter()
            .map(|(f, (m, a))| (f.clone(), m.clone(), a.clone()))
            .collect::<Vec<_>>();
        let candidates: Vec<vetted::compare::Candidate<'_>> = candidates.iter().map(Into::into).collect();
        formats("compare", &vetted::compare::compare(&candidates, &policy))?;
        formats("diff", &vetted::diff::diff((&base.0, &base.1), (&ours.0, &ours.1)))?;
        formats("diff back", &vetted::diff::diff((&ours.0, &ours.1), (&base.0, &base.1)))?;

        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join(&file), hostile_manifest(&t)).unwrap();
        std::fs::write(dir.path().join(format!("{}-invalid.yaml", t.file)), invalid_manifest(&t)).unwrap();
        let portfolio = vetted::load_portfolio(dir.path(), &catalog, &policy, as_of).unwrap();
        prop_assert_eq!(portfolio.invalid.len(), 1);
        formats("portfolio", &portfolio)?;
    }
}

/// Runs the binary in `dir` and returns (stdout, stderr).
fn vetted(dir: &Path, args: &[&str]) -> (String, String) {
    let out = assert_cmd::Command::cargo_bin("vetted")
        .unwrap()
        .current_dir(dir)
        .args(args)
        .output()
        .unwrap();
    let text = |b: Vec<u8>| String::from_utf8(b).expect("output is UTF-8");
    (text(out.stdout), text(out.stderr))
}

proptest! {
    // Each case runs the binary a dozen times.
    #![proptest_config(ProptestConfig::with_cases(12))]

    /// What the commands print, stdout and stderr, file names included.
    #[test]
    fn no_command_prints_a_raw_control(t in texts()) {
        let dir = tempfile::tempdir().unwrap();
        let good = format!("{}.yaml", t.file);
        let bad = format!("{}-invalid.yaml", t.file);
        std::fs::write(dir.path().join(&good), hostile_manifest(&t)).unwrap();
        std::fs::write(dir.path().join(&bad), invalid_manifest(&t)).unwrap();
        let base = std::fs::canonicalize(BASE).unwrap();
        let base = base.to_str().unwrap();
        let mut runs: Vec<Vec<&str>> = Vec::new();
        for format in ["md", "html", "json"] {
            runs.push(vec!["assess", &good, "--format", format]);
            runs.push(vec!["portfolio", ".", "--format", format]);
        }
        runs.push(vec!["assess", &good, "--template", "compliance", "--format", "html"]);
        runs.push(vec!["compare", &good, base, "--format", "html"]);
        runs.push(vec!["diff", base, &good, "--format", "md"]);
        runs.push(vec!["diff", &good, base, "--format", "json"]);
        runs.push(vec!["assess", &bad]);
        runs.push(vec!["assess", "missing\u{1b}]0;title\u{7}\u{202e}.yaml"]);
        for args in &mut runs {
            args.extend(["--as-of", AS_OF]);
        }
        runs.push(vec!["validate", &good, &bad]);
        for args in runs {
            let (stdout, stderr) = vetted(dir.path(), &args);
            clean(&format!("stdout of {args:?}"), &stdout)?;
            clean(&format!("stderr of {args:?}"), &stderr)?;
        }
    }
}
