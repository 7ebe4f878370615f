//! Properties that must hold for any input (proptest).

use proptest::prelude::*;
use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd};
use vetted::checklist::Catalog;
use vetted::level::Level;
use vetted::report::escape::escape;
use vetted::rules::{Policy, Verdict};

fn options() -> Options {
    Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH | Options::ENABLE_FOOTNOTES
}

/// Text of a rendered document; any markup event fails.
fn rendered_text(md: &str) -> Result<String, String> {
    let mut text = String::new();
    for e in Parser::new_ext(md, options()) {
        match e {
            Event::Text(t) => text.push_str(&t),
            Event::Start(
                Tag::Paragraph | Tag::Table(_) | Tag::TableHead | Tag::TableRow | Tag::TableCell,
            )
            | Event::End(
                TagEnd::Paragraph | TagEnd::Table | TagEnd::TableHead | TagEnd::TableRow,
            ) => {}
            Event::End(TagEnd::TableCell) => text.push('|'),
            other => return Err(format!("{other:?}")),
        }
    }
    Ok(text)
}

/// Any text, with Markdown's special characters, controls, and
/// bidirectional and invisible characters well represented.
fn text_strategy() -> impl Strategy<Value = String> {
    prop_oneof![
        "\\PC{0,40}",
        "[ \\t\\n\\r*_`~<>|\\[\\]()!#&;:/\\\\.=+\\-0-9a-zA-Z]{0,40}",
        "[\\x00-\\x1f\\x7f-\\u{9f}\\u{61c}\\u{200b}-\\u{200f}\\u{202a}-\\u{202e}\\u{2060}\\u{2066}-\\u{2069}\\u{feff}<>U+a-z ]{0,40}",
    ]
}

/// What a reader sees of `s`: the text, with controls, bidirectional and
/// invisible characters shown as `<U+XXXX>` (line feeds and tabs kept).
fn shown(s: &str) -> String {
    vetted::visible::text(s).into_owned()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn escaped_text_renders_as_itself_in_a_paragraph(s in text_strategy()) {
        let md = format!("{}\n", escape(&s));
        prop_assert_eq!(rendered_text(&md).map_err(TestCaseError::fail)?, shown(&s));
    }

    #[test]
    fn escaped_text_renders_as_itself_in_a_table_cell(s in text_strategy()) {
        let md = format!("| a | b |\n|---|---|\n| {} | x |\n", escape(&s));
        let text = rendered_text(&md).map_err(TestCaseError::fail)?;
        prop_assert_eq!(text, format!("a|b|{}|x|", shown(&s)));
    }
}

/// The text between two sentinels in an HTML page, tags removed and
/// character references decoded, as a browser would show it.
fn html_text_between(html: &str, start: &str, end: &str) -> Result<String, String> {
    let from = html.find(start).ok_or("start sentinel lost")? + start.len();
    let to = from + html[from..].find(end).ok_or("end sentinel lost")?;
    let raw = &html[from..to];
    if raw.contains('<') {
        return Err(format!("markup in the text: {raw}"));
    }
    let mut out = String::new();
    let mut rest = raw;
    while let Some(i) = rest.find('&') {
        out.push_str(&rest[..i]);
        let semi = rest[i..].find(';').ok_or("unterminated reference")?;
        let name = &rest[i + 1..i + semi];
        let c = match name {
            "amp" => '&',
            "lt" => '<',
            "gt" => '>',
            "quot" => '"',
            "nbsp" => '\u{a0}',
            n if n.starts_with("#x") || n.starts_with("#X") => {
                char::from_u32(u32::from_str_radix(&n[2..], 16).map_err(|e| e.to_string())?)
                    .ok_or("bad reference")?
            }
            n if n.starts_with('#') => char::from_u32(
                n[1..]
                    .parse()
                    .map_err(|e: std::num::ParseIntError| e.to_string())?,
            )
            .ok_or("bad reference")?,
            other => return Err(format!("unknown reference &{other};")),
        };
        out.push(c);
        rest = &rest[i + semi + 1..];
    }
    out.push_str(rest);
    Ok(out)
}

/// What HTML does to text on the way in (the input stream is normalised:
/// CR and CR LF become LF) and what a browser shows for whitespace runs
/// does not matter here: compare with line breaks normalised.
fn html_normalised(s: &str) -> String {
    s.replace("\r\n", "\n").replace('\r', "\n")
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// The HTML path: escaped Markdown, rendered by pulldown-cmark,
    /// sanitised by ammonia, in the page `--format html` writes.
    #[test]
    fn escaped_text_shows_as_itself_in_the_html_page(s in text_strategy()) {
        let md = format!(
            "SENTINELA {} SENTINELB\n\n| a | b |\n|---|---|\n| SENTINELC {} SENTINELD | x |\n",
            escape(&s),
            escape(&s)
        );
        let page = vetted::report::html::page("t", &md, &[]);
        let para = html_text_between(&page, "SENTINELA ", " SENTINELB").map_err(TestCaseError::fail)?;
        prop_assert_eq!(html_normalised(&para), html_normalised(&shown(&s)));
        let cell = html_text_between(&page, "SENTINELC ", " SENTINELD").map_err(TestCaseError::fail)?;
        prop_assert_eq!(html_normalised(&cell), html_normalised(&shown(&s)));
    }
}

/// Evidence addresses, most of them https with hostile characters after
/// the host, and any text.
fn address_strategy() -> impl Strategy<Value = String> {
    prop_oneof![
        2 => text_strategy().prop_map(|s| format!("https://a.example/{s}")),
        1 => text_strategy().prop_map(|s| format!("https://{s}")),
        1 => text_strategy(),
        1 => prop::sample::select(vec![
            "javascript:alert(1)".to_string(),
            "http://a.example/".into(),
            "https://u:p@a.example/".into(),
            "[x](https://a.example/)".into(),
            "<https://a.example/>".into(),
        ]),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// The `link` filter in a table cell of a template: one autolink
    /// showing its own checked address, or no link and the text as
    /// itself; in HTML, one `<a>` to that address with `rel` set, or none.
    #[test]
    fn only_a_checked_address_becomes_a_link(s in address_strategy()) {
        let template = "| a | b |\n|---|---|\n| SENTINELC {{ s | link }} SENTINELD | x |\n";
        let renderer = vetted::report::Renderer::new([("report.md.j2".to_string(), template.to_string())].into());
        let md = renderer.render("report.md.j2", &serde_json::json!({ "s": s })).unwrap();
        let target = vetted::report::escape::link_target(&s);
        let mut links = Vec::new();
        let mut cell = String::new();
        for e in Parser::new_ext(&md, options()) {
            match e {
                Event::Start(Tag::Link { dest_url, .. }) => links.push(dest_url.to_string()),
                Event::Text(t) => cell.push_str(&t),
                _ => {}
            }
        }
        match &target {
            Some(url) => {
                prop_assert_eq!(&links, std::slice::from_ref(url));
                prop_assert_eq!(cell, format!("abSENTINELC {url} SENTINELDx"));
            }
            None => {
                prop_assert!(links.is_empty(), "{:?} from {:?}", links, s);
                prop_assert_eq!(cell, format!("abSENTINELC {} SENTINELDx", shown(&s)));
            }
        }
        let page = vetted::report::html::page("t", &md, &[]);
        let anchors: Vec<&str> = page.split("<a ").skip(1).collect();
        match &target {
            Some(url) => {
                prop_assert_eq!(anchors.len(), 1);
                let html_url = url.replace('&', "&amp;");
                prop_assert!(
                    anchors[0].starts_with(&format!("href=\"{html_url}\" rel=\"noopener noreferrer\">{html_url}</a>")),
                    "{}", anchors[0]
                );
            }
            None => prop_assert!(anchors.is_empty() && !page.contains(" href="), "{}", page),
        }
    }
}

/// The arithmetic fixture (`tests/fixtures/arith.yaml`) beside the bundled
/// checklists, loaded the way `--checklists tests/fixtures` loads it.
fn catalog() -> Catalog {
    vetted::load_catalog(Some(std::path::Path::new("tests/fixtures")))
        .unwrap_or_else(|e| panic!("{e:?}"))
}

#[derive(Clone, Debug)]
struct Answers {
    crit: &'static str,
    med: Option<bool>,
    low: &'static str,
    high: &'static str,
    date_days: u32,
    chain: Option<bool>,
    evidence: [bool; 6],
}

fn answers() -> impl Strategy<Value = Answers> {
    (
        prop::sample::select(vec!["good", "half", "bad", "unknown", "-"]),
        prop::option::of(any::<bool>()),
        prop::sample::select(vec!["good", "bad", "unknown", "-"]),
        prop::sample::select(vec!["good", "bad", "unknown", "-"]),
        0u32..1200,
        prop::option::of(any::<bool>()),
        prop::array::uniform6(any::<bool>()),
    )
        .prop_map(
            |(crit, med, low, high, date_days, chain, evidence)| Answers {
                crit,
                med,
                low,
                high,
                date_days,
                chain,
                evidence,
            },
        )
}

fn manifest(a: &Answers, waivers: &str) -> String {
    let ev = |i: usize| {
        if a.evidence[i] {
            "    evidence: [{url: https://v.example/e, observed: 2026-11-01}]\n"
        } else {
            ""
        }
    };
    let mut s = String::from(
        "vendor: {name: P}\nintegration: {purpose: p, checklists: [arith], permissions: [read]}\nassessment: {assessor: A, date: 2026-11-27}\nanswers:\n",
    );
    let mut add = |id: &str, value: Option<String>, i: usize| {
        if let Some(v) = value {
            s.push_str(&format!("  {id}:\n    value: {v}\n{}", ev(i)));
        }
    };
    let choice = |v: &str| (v != "-").then(|| v.to_string());
    add("alpha.crit", choice(a.crit), 0);
    add("alpha.med", a.med.map(|b| b.to_string()), 1);
    add("alpha.low", choice(a.low), 2);
    add("beta.high", choice(a.high), 3);
    let date: vetted::date::Date = "2026-11-27".parse().unwrap();
    add(
        "beta.date",
        Some(date.plus_days(-(a.date_days as i64)).to_string()),
        4,
    );
    add("beta.chain", a.chain.map(|b| b.to_string()), 5);
    s.push_str(waivers);
    s
}

fn run(text: &str) -> vetted::evaluate::Assessment {
    let catalog = catalog();
    let (_, a) = vetted::evaluate_file(
        "p.yaml",
        text.as_bytes().to_vec(),
        &catalog,
        &Policy::default_policy(),
        "2026-11-27".parse().unwrap(),
    )
    .unwrap_or_else(|d| panic!("{d:#?}\n{text}"));
    a
}

fn better(v: &'static str) -> &'static str {
    match v {
        "bad" | "unknown" | "-" => "good",
        other => other,
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn score_is_within_bounds_and_evaluation_is_deterministic(a in answers()) {
        let text = manifest(&a, "");
        let x = run(&text);
        prop_assert!((0.0..=100.0).contains(&x.score), "{}", x.score);
        prop_assert!((0.0..=100.0).contains(&x.confidence));
        let catalog = catalog();
        let policy = Policy::default_policy();
        let json = |t: &str| vetted::assess("p.yaml", t.as_bytes().to_vec(), &catalog, &policy, "2026-11-27".parse().unwrap()).unwrap().0.to_json();
        prop_assert_eq!(json(&text), json(&text));
    }

    /// Improving a given answer that no condition depends on never lowers
    /// the score or worsens the tier or verdict. (Answering an open
    /// question is not an improvement: unknowns are left out of the score,
    /// so a middling answer can lower it, while confidence rises.)
    #[test]
    fn improving_an_answer_never_hurts(a in answers(), which in 0usize..3) {
        let before = run(&manifest(&a, ""));
        let mut b = a.clone();
        match which {
            0 => { prop_assume!(a.med == Some(false)); b.med = Some(true) }
            1 => { prop_assume!(a.high == "bad"); b.high = better(b.high) }
            _ => { prop_assume!(a.chain == Some(false)); b.chain = Some(true) }
        }
        let after = run(&manifest(&b, ""));
        prop_assert!(after.score >= before.score - 1e-9, "{} -> {}", before.score, after.score);
        prop_assert!(after.tier <= before.tier);
        prop_assert!(after.verdict <= before.verdict);
    }

    #[test]
    fn a_waiver_never_worsens_the_verdict(a in answers(), target in prop::sample::select(vec!["alpha.med", "alpha.low", "beta.date", "beta.chain"])) {
        let before = run(&manifest(&a, ""));
        let waiver = format!("waivers:\n  - {{question: {target}, reason: r, approved-by: CISO, expires: 2027-06-01}}\n");
        let after = run(&manifest(&a, &waiver));
        // A waiver records a known, accepted risk, so it can lift
        // confidence over the policy's minimum: "more information needed"
        // then resolves into the decision what is known supports, which
        // may be a reject. Any decided verdict never gets worse.
        prop_assert!(
            after.verdict <= before.verdict || before.verdict == Verdict::MoreInformation,
            "{:?} -> {:?}", before.verdict, after.verdict
        );
        prop_assert!(after.confidence + 1e-9 >= before.confidence);
    }

    #[test]
    fn a_reject_rule_always_rejects(mut a in answers()) {
        a.high = "bad";
        let x = run(&manifest(&a, ""));
        prop_assert_eq!(x.verdict, Verdict::Reject);
        prop_assert!(x.tier >= Level::Low);
    }
}
