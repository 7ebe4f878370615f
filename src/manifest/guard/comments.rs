//! The comments of a YAML file, read from its text.
//!
//! Neither YAML reader keeps comments (the general parser can only with a
//! feature that changes its events, the fast path never), yet a key pasted
//! into a comment is as leaked as one in a value. This is a small scanner of
//! its own: a `#` at the start of a line or after a blank starts a comment,
//! except inside a quoted scalar (which may run over lines) or a block
//! scalar (`|`, `>`), whose lines are text. Where it is unsure it errs
//! towards reading a comment: text read twice costs nothing, since values
//! go through the same checks.

use crate::diag::Pos;

/// Each run of comments on consecutive lines, joined by line breaks (a key
/// or phrase may run over several), with the position of its first `#`.
pub fn comments(text: &str) -> Vec<(Pos, String)> {
    // Most manifests hold few comments; most strings have no `#` at all.
    if !text.contains('#') {
        return Vec::new();
    }
    let mut out: Vec<(Pos, String)> = Vec::new();
    let mut last_line = 0usize;
    let mut quote: Option<u8> = None;
    let mut block: Option<usize> = None;
    for (i, line) in text.lines().enumerate() {
        let indent = line.len() - line.trim_start_matches(' ').len();
        if let Some(parent) = block {
            if line.trim().is_empty() || indent > parent {
                continue;
            }
            block = None;
        }
        // A line with no `#` and no quote can neither hold a comment nor
        // open or close a quoted scalar; only a block header matters.
        if !line.bytes().any(|b| matches!(b, b'#' | b'"' | b'\'')) {
            if quote.is_none() && opens_block(line) {
                block = Some(indent);
            }
            continue;
        }
        let mut comment: Option<usize> = None;
        let mut prev: Option<u8> = None;
        // The last byte that was not a blank, outside quotes. Every byte the
        // scanner looks at is ASCII, so bytes serve (a multi-byte character
        // never holds an ASCII byte).
        let mut sig: Option<u8> = None;
        let mut skip = false;
        let bytes = line.as_bytes();
        for (at, &c) in bytes.iter().enumerate() {
            match quote {
                Some(b'"') => {
                    if c == b'"' && prev != Some(b'\\') {
                        quote = None;
                        sig = Some(b'"');
                    }
                    // `\\` escapes itself: forget it so `\\"` ends the string.
                    prev = if c == b'\\' && prev == Some(b'\\') {
                        None
                    } else {
                        Some(c)
                    };
                    continue;
                }
                Some(_) => {
                    if skip {
                        skip = false;
                    } else if c == b'\'' && bytes.get(at + 1) == Some(&b'\'') {
                        // `''` inside single quotes is a quote.
                        skip = true;
                    } else if c == b'\'' {
                        quote = None;
                        sig = Some(b'\'');
                    }
                    prev = Some(c);
                    continue;
                }
                None => {}
            }
            if c == b'#' && prev.is_none_or(|p| p == b' ' || p == b'\t') {
                comment = Some(at);
                break;
            }
            if (c == b'"' || c == b'\'')
                && sig.is_none_or(|s| matches!(s, b':' | b'-' | b'?' | b'[' | b'{' | b','))
            {
                quote = Some(c);
            }
            if c != b' ' && c != b'\t' {
                sig = Some(c);
            }
            prev = Some(c);
        }
        let content = comment.map_or(line, |at| &line[..at]);
        if quote.is_none() && opens_block(content) {
            block = Some(indent);
        }
        if let Some(at) = comment {
            let col = line[..at].chars().count();
            let body = line[at + 1..].trim();
            match out.last_mut() {
                Some((_, joined)) if last_line + 1 == i => {
                    joined.push('\n');
                    joined.push_str(body);
                }
                _ => out.push((
                    Pos {
                        line: u32::try_from(i + 1).unwrap_or(u32::MAX),
                        col: u32::try_from(col + 1).unwrap_or(u32::MAX),
                    },
                    body.to_string(),
                )),
            }
            last_line = i;
        }
    }
    out
}

/// Whether a line (without its comment) ends with a block scalar header:
/// `|` or `>`, with optional chomping and indentation indicators.
fn opens_block(content: &str) -> bool {
    let t = content.trim_end_matches([' ', '\t', '\r']);
    // Nearly every line ends in a letter, a digit or a quote: no header.
    if !t.ends_with(['|', '>', '+', '-']) && !t.ends_with(|c: char| c.is_ascii_digit()) {
        return false;
    }
    let head = t.trim_end_matches(['+', '-', '1', '2', '3', '4', '5', '6', '7', '8', '9']);
    let Some(before) = head.strip_suffix(['|', '>']) else {
        return false;
    };
    before.is_empty() || before.ends_with([' ', '\t'])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(yaml: &str) -> Vec<String> {
        comments(yaml).into_iter().map(|(_, t)| t).collect()
    }

    #[test]
    fn finds_comments_and_joins_runs() {
        let yaml = "# one\n# two\na: 1 # three\n\nb: 'x # not' # four\nc: \"y # not\"\n";
        assert_eq!(texts(yaml), ["one\ntwo\nthree", "four"]);
        assert_eq!(comments(yaml)[1].0, Pos { line: 5, col: 14 });
    }

    #[test]
    fn block_and_multi_line_scalars_are_text() {
        let yaml = "a: |\n  # text\n  more\nb: \"multi\n  # text\n  end\" # yes\nc: 'it''s # text'\nd: it's # also\ne: >-\n   # text\n# comment\n";
        assert_eq!(texts(yaml), ["yes", "also", "comment"]);
    }

    #[test]
    fn url_fragments_are_not_comments() {
        assert!(texts("u: https://tronscan.org/#/address/x\n").is_empty());
    }
}
