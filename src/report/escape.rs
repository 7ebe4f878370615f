//! Escaping untrusted text for Markdown.
//!
//! Anything a manifest or checklist author wrote is untrusted: a vendor named
//! ``Evil | *Corp* <script>`` must come out as exactly that visible text, in a
//! paragraph or a table cell, with no HTML, emphasis, link or broken table.
//! Characters that act on a terminal or hide text (controls, bidirectional
//! and zero-width characters: [`crate::visible`]) come out as `<U+XXXX>`.

/// Characters that can start or end inline markup anywhere in a line
/// (CommonMark plus the GFM extensions: tables, strikethrough, footnotes,
/// and `$` for GitHub's math).
const ALWAYS: &[char] = &[
    '\\', '`', '*', '_', '[', ']', '<', '>', '|', '~', '&', '!', '$', '#', '^',
];

/// Escapes `text` so that it renders as itself, inline, in Markdown, with
/// hidden characters shown as `<U+XXXX>` ([`crate::visible::text`]).
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 4);
    let chars: Vec<char> = text.chars().collect();
    // Characters that only mean something at the start of a line (list
    // markers, setext underlines, ordered lists) are escaped there: the
    // template may put this text at the start of a line.
    let first = chars.iter().position(|c| *c != ' ');
    // Found once: asking at every space whether only spaces follow made a
    // long run of spaces quadratic (issue 16: 200,000 took three minutes).
    let last = chars.iter().rposition(|c| *c != ' ');
    let mut leading_digits = true;
    for (i, &c) in chars.iter().enumerate() {
        let at_start = Some(i) == first;
        let is_edge_space = c == ' ' && (first.is_none_or(|f| i < f) || last.is_none_or(|l| i > l));
        match c {
            // Paragraphs strip leading and trailing spaces; keep them.
            ' ' if is_edge_space => out.push_str("&#32;"),
            '\n' => out.push_str("&#10;"),
            '\t' => out.push_str("&#9;"),
            // Other control characters, bidirectional controls and
            // invisible characters are shown, never written: a character
            // reference would keep them out of the raw Markdown, but every
            // renderer (and our HTML step) turns it back into the character
            // itself, which then acts on the terminal or the reader.
            c if crate::visible::is_hidden(c) => {
                out.push_str(&format!("\\<U+{:04X}\\>", c as u32));
            }
            // An underscore between two letters or digits can neither open
            // nor close emphasis (CommonMark's flanking rules), so ids like
            // `keys.ip_binding` stay readable in the raw Markdown.
            '_' if i > 0
                && chars[i - 1].is_alphanumeric()
                && chars.get(i + 1).is_some_and(|n| n.is_alphanumeric()) =>
            {
                out.push('_')
            }
            c if ALWAYS.contains(&c) => {
                out.push('\\');
                out.push(c);
            }
            '-' | '+' | '=' if at_start => {
                out.push('\\');
                out.push(c);
            }
            '.' | ')'
                if leading_digits
                    && first.is_some_and(|f| f < i)
                    && matches!(chars.get(i + 1), None | Some(' ' | '\t')) =>
            {
                out.push('\\');
                out.push(c);
            }
            // GitHub turns bare `scheme://` into links.
            ':' if chars.get(i + 1) == Some(&'/') && chars.get(i + 2) == Some(&'/') => {
                out.push_str("\\:")
            }
            c => out.push(c),
        }
        if c != ' ' && !c.is_ascii_digit() {
            leading_digits = false;
        }
    }
    out
}

/// The address a piece of evidence links to, when `text` is one a reader
/// may safely be offered to click: an `https` URL with a host and no user
/// name or password, free of control, hidden and whitespace characters,
/// no longer than [`super::MAX_SHOWN_CHARS`]. It is the URL as the `url`
/// crate writes it (so the link shows exactly where it goes: a host in
/// punycode, `"` or a space percent-encoded), and only if that is made of
/// characters that cannot end or reshape a Markdown autolink or a table
/// cell (no `<`, `>`, `|`, backslash, backtick, brackets or braces); otherwise
/// none, and the text is printed escaped like any other.
pub fn link_target(text: &str) -> Option<String> {
    const SAFE: &[u8] = b"-._~:/?#@!$&'()*+,;=%";
    if text.chars().nth(super::MAX_SHOWN_CHARS).is_some()
        || text.chars().any(|c| {
            c.is_control() || c.is_whitespace() || c == '\\' || crate::visible::is_hidden(c)
        })
    {
        return None;
    }
    let url = url::Url::parse(text).ok()?;
    let plain = url.scheme() == "https"
        && url.host_str().is_some_and(|h| !h.is_empty())
        && url.username().is_empty()
        && url.password().is_none();
    let s = url.as_str();
    (plain
        && s.len() <= super::MAX_SHOWN_CHARS
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || SAFE.contains(&b)))
    .then(|| s.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd};

    pub(crate) const INJECTION: &str =
        "Evil | *Corp* <script>alert(1)</script> [x](javascript:alert(1))";

    fn options() -> Options {
        Options::ENABLE_TABLES
            | Options::ENABLE_STRIKETHROUGH
            | Options::ENABLE_FOOTNOTES
            | Options::ENABLE_MATH
    }

    /// The text of a rendered document, failing on any markup event.
    fn plain_text(markdown: &str) -> String {
        let mut text = String::new();
        for event in Parser::new_ext(markdown, options()) {
            match event {
                Event::Text(t) => text.push_str(&t),
                Event::Start(
                    Tag::Paragraph
                    | Tag::Table(_)
                    | Tag::TableHead
                    | Tag::TableRow
                    | Tag::TableCell,
                )
                | Event::End(
                    TagEnd::Paragraph
                    | TagEnd::Table
                    | TagEnd::TableHead
                    | TagEnd::TableRow
                    | TagEnd::TableCell,
                ) => {}
                other => panic!("markup from escaped text: {other:?} in {markdown:?}"),
            }
        }
        text
    }

    #[test]
    fn injection_renders_as_literal_text_in_a_paragraph() {
        assert_eq!(plain_text(&escape(INJECTION)), INJECTION);
    }

    #[test]
    fn injection_stays_in_its_table_cell() {
        let table = format!("| a | b |\n|---|---|\n| {} | x |\n", escape(INJECTION));
        let mut cells = Vec::new();
        let mut cell = String::new();
        for event in Parser::new_ext(&table, options()) {
            match event {
                Event::Text(t) => cell.push_str(&t),
                Event::End(TagEnd::TableCell) => cells.push(std::mem::take(&mut cell)),
                Event::Html(_)
                | Event::InlineHtml(_)
                | Event::Start(Tag::Link { .. } | Tag::Emphasis | Tag::Strong) => {
                    panic!("markup in table: {event:?}")
                }
                _ => {}
            }
        }
        assert_eq!(cells, ["a", "b", INJECTION, "x"]);
    }

    #[test]
    fn line_start_markers_and_whitespace_survive() {
        for s in [
            "- not a list",
            "1. not a list",
            "2026) not a list",
            "# not a heading",
            "=== not setext",
            "  padded  ",
            "two\nlines",
            "https://evil.example/x",
            "a\\*b",
            "`code`",
            "~~gone~~",
            "$x$ math",
            "[^1] footnote",
            "&amp; entity",
            "snake_case_id and _emphasis_ and __strong__",
            "a_*b*_c",
        ] {
            assert_eq!(plain_text(&escape(s)), s, "{s:?} -> {:?}", escape(s));
        }
    }

    #[test]
    fn long_runs_of_spaces_take_linear_time() {
        // 200,000 inner spaces took minutes when every space looked ahead
        // to the end of the run (issue 16); linear, it is milliseconds.
        let text = format!(" a{}b ", " ".repeat(200_000));
        let start = std::time::Instant::now();
        let escaped = escape(&text);
        let elapsed = start.elapsed();
        assert!(elapsed < std::time::Duration::from_secs(2), "{elapsed:?}");
        assert!(escaped.starts_with("&#32;a ") && escaped.ends_with(" b&#32;"));
        assert_eq!(plain_text(&escaped), text);
    }

    #[test]
    fn controls_and_invisible_characters_are_shown() {
        for (s, shown) in [
            (
                "bell\u{7} escape\u{1b}c reset\u{202E}reversed",
                "bell<U+0007> escape<U+001B>c reset<U+202E>reversed",
            ),
            ("nul\0 cr\r c1\u{9b}", "nul<U+0000> cr<U+000D> c1<U+009B>"),
            ("zero\u{200B}width\u{FEFF}", "zero<U+200B>width<U+FEFF>"),
            ("<U+0041>", "<U+0041>"),
        ] {
            assert_eq!(plain_text(&escape(s)), shown, "{s:?} -> {:?}", escape(s));
            assert!(!escape(s).chars().any(crate::visible::is_hidden));
        }
    }

    #[test]
    fn only_plain_https_addresses_become_links() {
        for (text, target) in [
            (
                "https://trust.vendor.example/soc2-type2-2026",
                Some("https://trust.vendor.example/soc2-type2-2026"),
            ),
            // Written as the url crate writes it: what the link opens.
            ("https://Vendor.Example", Some("https://vendor.example/")),
            (
                "https://a.example/x\"><script>",
                Some("https://a.example/x%22%3E%3Cscript%3E"),
            ),
            (
                "https://a.example/(x)*_y_*",
                Some("https://a.example/(x)*_y_*"),
            ),
            (
                "https://bücher.example/",
                Some("https://xn--bcher-kva.example/"),
            ),
            ("http://a.example/", None),
            ("javascript:alert(1)", None),
            ("data:text/html,x", None),
            ("mailto:a@b.example", None),
            ("https://user:pass@a.example/", None),
            ("https://user@a.example/", None),
            ("https://a.example/back\\slash", None),
            ("https://a.example/a b", None),
            (" https://a.example/", None),
            ("https://a.example/\u{202E}x", None),
            ("https://a.example/\u{7}", None),
            ("https://a.example/x|y", None),
            ("https://a.example/[x]", None),
            ("https://a.example/`x`", Some("https://a.example/%60x%60")),
            ("<https://a.example/>", None),
            ("[x](https://a.example/)", None),
        ] {
            assert_eq!(link_target(text).as_deref(), target, "{text:?}");
        }
        let long = format!(
            "https://a.example/{}",
            "x".repeat(super::super::MAX_SHOWN_CHARS)
        );
        assert_eq!(link_target(&long), None);
    }

    #[test]
    fn a_link_target_is_one_autolink_that_shows_itself() {
        for text in [
            "https://a.example/x\")><y",
            "https://a.example/_*x*_~$&amp;!",
            "https://a.example/q?a=(b)&c='d'#e",
        ] {
            let url = link_target(text).unwrap();
            // In a table cell, as the templates write it.
            let md = format!("| a |\n|---|\n| <{url}> |\n");
            let mut links = Vec::new();
            let mut shown = String::new();
            for event in Parser::new_ext(&md, options()) {
                match event {
                    Event::Start(Tag::Link {
                        link_type,
                        dest_url,
                        ..
                    }) => links.push((link_type, dest_url.to_string())),
                    Event::Text(t) if !links.is_empty() => shown.push_str(&t),
                    _ => {}
                }
            }
            assert_eq!(
                links,
                [(pulldown_cmark::LinkType::Autolink, url.clone())],
                "{md}"
            );
            assert_eq!(shown, url);
        }
    }

    #[test]
    fn ordinary_text_is_left_readable() {
        assert_eq!(
            escape("Northwind Signals, 2026-11-20"),
            "Northwind Signals, 2026-11-20"
        );
        assert_eq!(escape("82.5"), "82.5");
        assert!(!escape("a\u{1b}[31mb\u{7}").contains(['\u{1b}', '\u{7}']));
    }
}
