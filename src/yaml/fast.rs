//! A fast path for the plain YAML that manifests are made of.
//!
//! The general parser ([`super::parse_events`]) handles all of YAML; its
//! event stream alone runs at about 50 MB/s, which made parsing half of the
//! time of a portfolio run. Most files `vetted` reads use a small,
//! line-oriented part of YAML: block mappings with simple keys, block
//! sequences (indented or not), one-line flow collections, plain scalars
//! (continued over lines or not), quoted scalars with the common escapes,
//! literal and folded block scalars, comments, a leading `---`. [`parse`]
//! reads exactly that part and gives up (returns `None`) on anything else,
//! so that the general parser reads the file instead: anchors, aliases,
//! tags, kept (`|+`) or explicitly indented block scalars, multi-line
//! quoted scalars or flows, rare escapes, empty values, unusual keys, tabs,
//! control characters, several documents, duplicate keys, a budget
//! exceeded, or anything it does not recognise. It never reports an error
//! itself: errors, with their positions, always come from the general
//! parser.
//!
//! When it returns a tree, the tree is the one the general parser would
//! build, positions included. Differential tests (`tests/yaml_fast.rs`, a
//! property test and the `yaml_fast_path` fuzz target) hold it to that.

use std::borrow::Cow;

use serde_saphyr::granit_parser::ScalarStyle;

use super::{Key, Limits, Node, Value, resolve};
use crate::diag::Pos;

/// Most keys in one mapping the fast path reads (duplicates are found by a
/// quadratic scan).
const MAX_KEYS: usize = 256;

/// The tree of `text`, or `None` when the text is outside the fast path's
/// part of YAML (or breaks a budget) and the general parser must read it.
pub fn parse(text: &str, limits: &Limits) -> Option<Node> {
    if text.len() > limits.max_bytes || !printable(text) {
        return None;
    }
    let mut lines = Vec::new();
    let mut start = 0;
    let mut started = false;
    for (i, raw) in text.split('\n').enumerate() {
        let next = start + raw.len() + 1;
        let indent = raw.len() - raw.trim_start_matches(' ').len();
        let content = &raw[indent..];
        start = next;
        if content.is_empty() || content.starts_with('#') {
            continue;
        }
        // One document start marker alone on the first line is common (and
        // means nothing); any other marker or directive is for the general
        // parser.
        if indent == 0 && content == "---" && lines.is_empty() && !started {
            started = true;
            continue;
        }
        if indent == 0
            && (content.starts_with("---")
                || content.starts_with("...")
                || content.starts_with('%'))
        {
            return None;
        }
        lines.push(Line {
            number: u32::try_from(i + 1).ok()?,
            indent,
            content,
            next,
        });
    }
    let mut reader = Reader {
        text,
        lines,
        at: 0,
        nodes: 0,
        limits,
    };
    let first = reader.lines.first()?;
    if first.indent != 0 {
        return None;
    }
    let root = reader.block(0, 0)?;
    // Everything must have been read, and the root must be a mapping or a
    // sequence.
    if reader.at != reader.lines.len() || !matches!(root.value, Value::Map(_) | Value::Seq(_)) {
        return None;
    }
    Some(root)
}

/// Only printable characters, no tabs, no carriage returns, no byte order
/// mark or line separators inside: the general parser treats those
/// specially or refuses them.
fn printable(text: &str) -> bool {
    let ascii_ok = |b: u8| b == b'\n' || (0x20..0x7f).contains(&b);
    if text.is_ascii() {
        return text.bytes().all(ascii_ok);
    }
    text.chars().all(|c| {
        if c.is_ascii() {
            ascii_ok(c as u8)
        } else {
            c >= '\u{a0}'
                && !matches!(
                    c,
                    '\u{2028}' | '\u{2029}' | '\u{feff}' | '\u{fffe}' | '\u{ffff}'
                )
        }
    })
}

/// A line with content (blank and comment-only lines are dropped).
#[derive(Clone, Copy, Debug)]
struct Line<'t> {
    /// 1-based line number.
    number: u32,
    /// Spaces before the content (for the rest of a `- key: value` line,
    /// the column of the key).
    indent: usize,
    /// The line after its indentation.
    content: &'t str,
    /// Where the next line starts in the text (past its end when this is
    /// the last line).
    next: usize,
}

impl Line<'_> {
    /// The position `offset` bytes into the content; columns count
    /// characters, as the general parser's do.
    fn pos(&self, offset: usize) -> Pos {
        let before = &self.content[..offset];
        let chars = if before.is_ascii() {
            offset
        } else {
            before.chars().count()
        };
        Pos {
            line: self.number,
            col: (self.indent + chars + 1) as u32,
        }
    }
}

struct Reader<'t, 'l> {
    text: &'t str,
    /// The lines with content; block scalars and continued plain scalars
    /// read the raw lines of `text` instead.
    lines: Vec<Line<'t>>,
    /// The next line to read.
    at: usize,
    /// Nodes made so far, keys included, as the general parser counts them.
    nodes: usize,
    limits: &'l Limits,
}

impl<'t> Reader<'t, '_> {
    fn count(&mut self) -> Option<()> {
        self.nodes += 1;
        (self.nodes <= self.limits.max_nodes).then_some(())
    }

    fn collection(&mut self, depth: usize) -> Option<()> {
        (depth < self.limits.max_depth).then_some(())?;
        self.count()
    }

    /// The block node starting at the current line, which must be indented
    /// by exactly `indent`.
    fn block(&mut self, indent: usize, depth: usize) -> Option<Node> {
        let line = *self.lines.get(self.at)?;
        if line.indent != indent {
            return None;
        }
        if is_item(line.content) {
            self.sequence(indent, depth, false)
        } else {
            self.mapping(indent, depth)
        }
    }

    /// A block sequence whose dashes sit at column `indent`; an indentless
    /// one (the value of a mapping entry at the same column) ends at the
    /// next key.
    fn sequence(&mut self, indent: usize, depth: usize, indentless: bool) -> Option<Node> {
        self.collection(depth)?;
        let first = self.lines[self.at];
        // The general parser places an indentless sequence at its first
        // item, past the dash.
        let pos = if indentless {
            let item = first.content[1..].trim_start_matches(' ');
            first.pos(first.content.len() - item.len())
        } else {
            first.pos(0)
        };
        let mut items = Vec::new();
        while let Some(&line) = self.lines.get(self.at) {
            if line.indent < indent || (indentless && !is_item(line.content)) {
                break;
            }
            if line.indent > indent || !line.content.starts_with("- ") {
                return None;
            }
            let rest = line.content[2..].trim_start_matches(' ');
            let offset = line.content.len() - rest.len();
            if rest.is_empty() || rest.starts_with('#') || rest.starts_with('-') {
                // An empty item, or a nested sequence on the same line.
                return None;
            }
            if key_length(rest).is_some() {
                // `- key: value`: a mapping whose keys line up with this one.
                let column = indent + offset;
                self.lines[self.at] = Line {
                    indent: column,
                    content: rest,
                    ..line
                };
                items.push(self.mapping(column, depth + 1)?);
            } else {
                let item = Line {
                    indent: indent + offset,
                    content: rest,
                    ..line
                };
                items.push(self.value(item, indent, depth + 1)?);
            }
        }
        Some(Node {
            pos,
            value: Value::Seq(items),
        })
    }

    fn mapping(&mut self, indent: usize, depth: usize) -> Option<Node> {
        self.collection(depth)?;
        let pos = self.lines[self.at].pos(0);
        let mut entries: Vec<(Key, Node)> = Vec::new();
        while let Some(&line) = self.lines.get(self.at) {
            if line.indent < indent {
                break;
            }
            if line.indent > indent {
                return None;
            }
            let length = key_length(line.content)?;
            let name = &line.content[..length];
            // A duplicate is reported by the general parser, with its
            // position. The scan is quadratic, so long mappings (a hostile
            // file with thousands of keys) go to the general parser too.
            if entries.len() >= MAX_KEYS || entries.iter().any(|(k, _)| k.name == name) {
                return None;
            }
            self.count()?;
            let key = Key {
                name: name.to_string(),
                pos: line.pos(0),
            };
            let rest = line.content[length + 1..].trim_start_matches(' ');
            let value = if rest.is_empty() || rest.starts_with('#') {
                // The value is the block below, indented further.
                self.at += 1;
                let next = *self.lines.get(self.at)?;
                if next.indent > indent {
                    self.block(next.indent, depth + 1)?
                } else if next.indent == indent && is_item(next.content) {
                    self.sequence(indent, depth + 1, true)?
                } else {
                    // An empty value (null).
                    return None;
                }
            } else {
                let offset = line.content.len() - rest.len();
                let item = Line {
                    indent: line.indent + offset,
                    content: rest,
                    ..line
                };
                self.value(item, indent, depth + 1)?
            };
            entries.push((key, value));
        }
        Some(Node {
            pos,
            value: Value::Map(entries),
        })
    }

    /// The value of a mapping entry or sequence item whose structure sits
    /// at column `parent`, starting on `line`; leaves the reader at the
    /// first line after it.
    fn value(&mut self, line: Line<'t>, parent: usize, depth: usize) -> Option<Node> {
        let (node, last) = match line.content.as_bytes()[0] {
            b'|' | b'>' => {
                self.count()?;
                self.block_scalar(line, parent)?
            }
            b'[' | b'{' | b'"' | b'\'' => (self.inline(line, depth)?, line.number),
            _ => {
                self.count()?;
                self.plain(line, parent)?
            }
        };
        while self.lines.get(self.at).is_some_and(|l| l.number <= last) {
            self.at += 1;
        }
        // A line indented further than the structure after a value would
        // be an error: not for the fast path.
        match self.lines.get(self.at) {
            Some(next) if next.indent > parent => None,
            _ => Some(node),
        }
    }

    /// The raw lines after `line`, each with its number, indentation and
    /// content after the indentation.
    fn lines_after(&self, line: Line<'t>) -> impl Iterator<Item = (u32, usize, &'t str)> + use<'t> {
        let rest = self.text.get(line.next..).unwrap_or("");
        (line.number + 1..)
            .zip(rest.split('\n'))
            .map(|(number, raw)| {
                let content = raw.trim_start_matches(' ');
                (number, raw.len() - content.len(), content)
            })
    }

    /// A plain scalar, perhaps continued on lines indented further than
    /// `parent`; returns it and the number of its last line.
    fn plain(&self, line: Line<'t>, parent: usize) -> Option<(Node, u32)> {
        let text = line.content;
        let comment = text.find(" #");
        let first = text[..comment.unwrap_or(text.len())].trim_end_matches(' ');
        if !plain_line(first) || !plain_start(first) {
            return None;
        }
        let mut value = Cow::Borrowed(first);
        let mut last = line.number;
        if comment.is_none() {
            // Continuation lines fold into the scalar: one line break
            // becomes a space, each empty line a line break. A comment ends
            // it; anything that could be read otherwise is left to the
            // general parser.
            let mut empty = 0;
            for (number, indent, content) in self.lines_after(line) {
                if content.is_empty() {
                    empty += 1;
                    continue;
                }
                if indent <= parent || content.starts_with('#') {
                    break;
                }
                let content = content.trim_end_matches(' ');
                if !plain_line(content)
                    || !plain_start(content)
                    || content.starts_with('-')
                    || content.contains(" #")
                {
                    return None;
                }
                let folded = value.to_mut();
                if empty == 0 {
                    folded.push(' ');
                } else {
                    folded.extend(std::iter::repeat_n('\n', empty));
                }
                folded.push_str(content);
                empty = 0;
                last = number;
            }
        }
        let node = Node {
            pos: line.pos(0),
            value: resolve(value, ScalarStyle::Plain, None),
        };
        Some((node, last))
    }

    /// A literal (`|`) or folded (`>`) block scalar, clipped or stripped,
    /// whose lines are indented further than `parent`; returns it and the
    /// number of its last line. Keeping (`+`), indentation indicators,
    /// lines of spaces longer than the indentation and more-indented lines
    /// in a folded scalar are left to the general parser.
    fn block_scalar(&self, line: Line<'t>, parent: usize) -> Option<(Node, u32)> {
        let header = line.content;
        let literal = header.starts_with('|');
        let strip = header[1..].starts_with('-');
        let rest = &header[1 + usize::from(strip)..];
        let spaced = rest.trim_start_matches(' ');
        if !(rest.is_empty() || (spaced.starts_with('#') && spaced.len() < rest.len())) {
            return None;
        }
        let mut value = String::new();
        let mut indent = None;
        let mut empty = 0;
        let mut longest_empty = 0;
        let mut last = None;
        // The general parser places a block scalar at its first line of
        // content.
        let mut pos = None;
        let mut lines = self.lines_after(line).peekable();
        while let Some((number, spaces, content)) = lines.next() {
            if content.is_empty() {
                // A line of spaces longer than the indentation holds
                // content in a literal scalar, and before the first line
                // it is an error.
                if indent.is_some_and(|i| spaces > i) {
                    return None;
                }
                longest_empty = longest_empty.max(spaces);
                empty += 1;
                continue;
            }
            let at = *indent.get_or_insert(spaces);
            if spaces < at {
                break;
            }
            if at <= parent || longest_empty > at || (!literal && spaces > at) {
                return None;
            }
            // Line breaks before this line: empty lines before the first
            // line of content are kept in both styles; between lines, a
            // literal scalar keeps every break, a folded one turns a single
            // break into a space.
            let breaks = match (last, literal) {
                (None, _) => empty,
                (Some(_), true) => empty + 1,
                (Some(_), false) if empty > 0 => empty,
                (Some(_), false) => {
                    value.push(' ');
                    0
                }
            };
            value.extend(std::iter::repeat_n('\n', breaks));
            pos.get_or_insert(Pos {
                line: number,
                col: u32::try_from(at + 1).ok()?,
            });
            // A literal scalar keeps the spaces beyond its indentation.
            value.extend(std::iter::repeat_n(' ', spaces - at));
            value.push_str(content);
            empty = 0;
            // The scalar's last line must end with a line break.
            lines.peek()?;
            last = Some(number);
        }
        let last = last?;
        if !strip {
            value.push('\n');
        }
        let node = Node {
            pos: pos?,
            value: Value::Str(value),
        };
        Some((node, last))
    }

    /// A flow collection or a quoted scalar on one line, then at most a
    /// comment.
    fn inline(&mut self, line: Line<'t>, depth: usize) -> Option<Node> {
        let text = line.content;
        let (node, used) = match text.as_bytes()[0] {
            b'[' | b'{' => {
                let mut flow = Flow {
                    line,
                    at: 0,
                    reader: self,
                };
                let node = flow.node(depth)?;
                (node, flow.at)
            }
            _ => {
                self.count()?;
                quoted(line, 0)?
            }
        };
        let rest = text[used..].trim_start_matches(' ');
        let spaced = rest.len() < text.len() - used;
        if rest.is_empty() || (rest.starts_with('#') && spaced) {
            Some(node)
        } else {
            None
        }
    }
}

/// The length of a simple key at the start of `text` when a `:` and a space
/// (or the end of the line) follow it: a letter, then letters, digits, `_`,
/// `-` or `.`, and not a word YAML reads as null or a boolean.
fn key_length(text: &str) -> Option<usize> {
    let bytes = text.as_bytes();
    if !bytes.first()?.is_ascii_alphabetic() {
        return None;
    }
    let length = bytes
        .iter()
        .position(|&b| !(b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.')))
        .unwrap_or(bytes.len());
    // YAML bounds a simple key at 1,024 characters; a long one is for the
    // general parser to refuse.
    if length > 1000 {
        return None;
    }
    let after = bytes.get(length + 1);
    if bytes.get(length) != Some(&b':') || !matches!(after, None | Some(b' ')) {
        return None;
    }
    let reserved = matches!(
        &text[..length],
        "null" | "Null" | "NULL" | "true" | "True" | "TRUE" | "false" | "False" | "FALSE"
    );
    (!reserved).then_some(length)
}

/// Whether a line is a block sequence item.
fn is_item(content: &str) -> bool {
    content == "-" || content.starts_with("- ")
}

/// Whether a line of a plain scalar in block context holds nothing the
/// general parser would read as a key (flow indicators are plain text
/// there, after the first character).
fn plain_line(text: &str) -> bool {
    !(text.contains(": ") || text.ends_with(':'))
}

/// Whether a plain scalar may start like this: not empty, not with an
/// indicator (a dash only before a digit).
fn plain_start(text: &str) -> bool {
    let bytes = text.as_bytes();
    match bytes.first() {
        None => false,
        Some(b'-') => bytes.get(1).is_some_and(u8::is_ascii_digit),
        Some(b) => !matches!(
            b,
            b'?' | b':'
                | b','
                | b'['
                | b']'
                | b'{'
                | b'}'
                | b'#'
                | b'&'
                | b'*'
                | b'!'
                | b'|'
                | b'>'
                | b'\''
                | b'"'
                | b'%'
                | b'@'
                | b'`'
                | b' '
        ),
    }
}

/// A quoted scalar at `offset` of the line, closed on the same line, with
/// at most the common escapes (`\\`, `\"`, `\/`, `\n`, `\t` in double
/// quotes, `''` in single quotes); returns it and the offset after the
/// closing quote.
fn quoted(line: Line<'_>, offset: usize) -> Option<(Node, usize)> {
    let text = &line.content[offset..];
    let bytes = text.as_bytes();
    let quote = bytes[0];
    let mut value = String::new();
    // The start of the text not yet copied into `value`.
    let mut copied = 1;
    let mut i = 1;
    loop {
        match *bytes.get(i)? {
            b'\'' if quote == b'\'' && bytes.get(i + 1) == Some(&b'\'') => {
                value.push_str(&text[copied..=i]);
                i += 2;
                copied = i;
            }
            b if b == quote => break,
            b'\\' if quote == b'"' => {
                value.push_str(&text[copied..i]);
                value.push(match *bytes.get(i + 1)? {
                    b'\\' => '\\',
                    b'"' => '"',
                    b'/' => '/',
                    b'n' => '\n',
                    b't' => '\t',
                    _ => return None,
                });
                i += 2;
                copied = i;
            }
            _ => i += 1,
        }
    }
    value.push_str(&text[copied..i]);
    let node = Node {
        pos: line.pos(offset),
        value: Value::Str(value),
    };
    Some((node, offset + i + 1))
}

/// A flow collection on one line.
struct Flow<'r, 't, 'l> {
    line: Line<'t>,
    /// Offset in the line's content.
    at: usize,
    reader: &'r mut Reader<'t, 'l>,
}

impl Flow<'_, '_, '_> {
    fn peek(&self) -> Option<u8> {
        self.line.content.as_bytes().get(self.at).copied()
    }

    fn spaces(&mut self) {
        while self.peek() == Some(b' ') {
            self.at += 1;
        }
    }

    fn node(&mut self, depth: usize) -> Option<Node> {
        match self.peek()? {
            b'[' => self.sequence(depth),
            b'{' => self.mapping(depth),
            b'"' | b'\'' => {
                self.reader.count()?;
                let (node, end) = quoted(self.line, self.at)?;
                self.at = end;
                Some(node)
            }
            _ => {
                self.reader.count()?;
                self.plain()
            }
        }
    }

    /// A plain scalar inside a flow collection: up to a flow indicator, or
    /// a `:` that ends a key.
    fn plain(&mut self) -> Option<Node> {
        let text = &self.line.content[self.at..];
        let bytes = text.as_bytes();
        let mut end = 0;
        while end < bytes.len() {
            match bytes[end] {
                b',' | b'[' | b']' | b'{' | b'}' => break,
                b':' if matches!(
                    bytes.get(end + 1),
                    None | Some(b' ' | b',' | b'[' | b']' | b'{' | b'}')
                ) =>
                {
                    break;
                }
                // `#` after a character is part of the scalar (a URL's
                // fragment); after a space it starts a comment, which inside
                // a flow is for the general parser, as are quotes.
                b'#' if end > 0 && bytes[end - 1] != b' ' => end += 1,
                b'#' | b'"' | b'\'' => return None,
                _ => end += 1,
            }
        }
        let plain = text[..end].trim_end_matches(' ');
        if !plain_start(plain) {
            return None;
        }
        let node = Node {
            pos: self.line.pos(self.at),
            value: resolve(Cow::Borrowed(plain), ScalarStyle::Plain, None),
        };
        self.at += end;
        Some(node)
    }

    /// Opens a flow collection at `[` or `{`; true if it closes at once.
    fn open(&mut self, depth: usize, close: u8) -> Option<(Pos, bool)> {
        self.reader.collection(depth)?;
        let pos = self.line.pos(self.at);
        self.at += 1;
        self.spaces();
        let empty = self.peek()? == close;
        if empty {
            self.at += 1;
        }
        Some((pos, empty))
    }

    /// After an entry: a comma and another entry (false), or the closing
    /// bracket (true). A trailing comma, an empty entry, `[a: b]` (a
    /// one-pair mapping) or anything else is for the general parser.
    fn closed(&mut self, close: u8) -> Option<bool> {
        self.spaces();
        match self.peek()? {
            b',' => {
                self.at += 1;
                self.spaces();
                if self.peek()? == b',' || self.peek()? == close {
                    return None;
                }
                Some(false)
            }
            b if b == close => {
                self.at += 1;
                Some(true)
            }
            _ => None,
        }
    }

    fn sequence(&mut self, depth: usize) -> Option<Node> {
        let (pos, mut closed) = self.open(depth, b']')?;
        let mut items = Vec::new();
        while !closed {
            items.push(self.node(depth + 1)?);
            closed = self.closed(b']')?;
        }
        Some(Node {
            pos,
            value: Value::Seq(items),
        })
    }

    fn mapping(&mut self, depth: usize) -> Option<Node> {
        let (pos, mut closed) = self.open(depth, b'}')?;
        let mut entries: Vec<(Key, Node)> = Vec::new();
        while !closed {
            let text = &self.line.content[self.at..];
            let length = key_length(text)?;
            let name = &text[..length];
            // A value must follow the `: ` on this line.
            if text.len() <= length + 1
                || entries.len() >= MAX_KEYS
                || entries.iter().any(|(k, _)| k.name == name)
            {
                return None;
            }
            self.reader.count()?;
            let key = Key {
                name: name.to_string(),
                pos: self.line.pos(self.at),
            };
            self.at += length + 1;
            self.spaces();
            if matches!(self.peek()?, b',' | b'}') {
                // An empty value (null).
                return None;
            }
            entries.push((key, self.node(depth + 1)?));
            closed = self.closed(b'}')?;
        }
        Some(Node {
            pos,
            value: Value::Map(entries),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Asserts that the fast path reads `text`, to the general parser's
    /// tree (compared by debug form, so that `.nan` equals itself).
    fn reads_alike(text: &str) {
        let limits = Limits::default();
        let fast = parse(text, &limits).unwrap_or_else(|| panic!("fast path gave up on {text:?}"));
        let full = super::super::parse_events("t.yaml", text, &limits).unwrap();
        assert_eq!(format!("{fast:#?}"), format!("{full:#?}"), "{text:?}");
    }

    #[test]
    fn reads_manifest_shaped_yaml_as_the_general_parser_does() {
        let text = "# c\nvendor: {name: Vendor 1, website: https://v1.example, egress-ips: [203.0.113.1]}\nintegration:\n  purpose: \"Quoted x\"   # comment\n  checklists: [baseline, exchange-keys]\n  keys:\n    - {exchange: binance, label: v1-main}\n    - exchange: kraken\n      label: 'single'\n      n: -5\nanswers:\n  q.one:\n    value: 5\n    evidence: [{url: https://v1.example/security, observed: 2026-10-05}]\n    f: [1.5, .nan, 0x1F, true, null, ~, 'it is', \"x y\"]\n";
        reads_alike(text);
    }

    #[test]
    fn reads_block_scalars_continued_lines_and_escapes_as_the_general_parser_does() {
        let text = "---\ns:\n- x\n-   y: [a, b]\n    z: 1\n- k:\n  - nested\nt: has {braces} and [brackets], commas\na: |\n  line one\n    indented\n\n  # not a comment\nb: >-   # folded\n  one\n  two\n\n  three\nc:\n  - |-\n    item\n  - plain\n    continued\n\n    after a blank\n  # a comment ends it\nd: \"say \\\"hi\\\"\\n\\\\ \\/ \\t\"\ne: 'it''s'\nf: 1\n  2\ng: value\n   # a comment under it\nh: 1\n";
        reads_alike(text);
    }

    /// Inputs on which the `yaml_fast_path` fuzz target found the two
    /// readers disagreeing, each read the same now.
    #[test]
    fn fuzz_findings_read_as_the_general_parser_does() {
        const FOUND: &[&str] = &[
            // Empty lines before a block scalar's first line are kept.
            "---\na: |\n\n  # text\nba: |\n  line\n    more\n\n  # \n  two\n",
        ];
        for text in FOUND {
            reads_alike(text);
        }
    }

    #[test]
    fn gives_up_on_what_it_does_not_read() {
        for text in [
            "a: &x 1\nb: *x\n",
            "a: !!str 1\n",
            "a:\nb: 1\n",
            "a: [1,\n  2]\n",
            "a: 1\na: 2\n",
            "a:\tb\n",
            "---\n---\na: 1\n",
            "--- a: 1\n",
            "a: 1\n---\n",
            "? a\n: b\n",
            "a: b: c\n",
            "a: [1, 2,]\n",
            "a: {b: }\n",
            "a: {b}\n",
            "1: a\n",
            "true: a\n",
            "a b: c\n",
            "a: b # c\n  d: e\n",
            "a:#x\n",
            "  a: 1\n",
            "just a scalar\n",
            "",
            "a: 1\r\nb: 2\r\n",
            "a: |+\n  kept\n\n",
            "a: |2\n   indicated\n",
            "a: |\n  no final line break",
            "a: |\nb: 1\n",
            "a: >\n  folded\n    more indented\n",
            "a: |\n     \n  longer blank first\n",
            "a: \"esc\\x41\"\n",
            "a: \"two\n  lines\"\n",
            "a: b\n  c: d\n",
            "a: b\n  - c\n",
            "a: b\n  # c\n  d\n",
            &format!("{}: 1\n", "k".repeat(1100)),
        ] {
            assert!(parse(text, &Limits::default()).is_none(), "{text:?}");
        }
    }

    #[test]
    fn gives_up_when_a_budget_would_be_broken() {
        let deep = (0..60).fold(String::from("x"), |inner, _| format!("[{inner}]"));
        assert!(parse(&format!("a: {deep}\n"), &Limits::default()).is_none());
        let limits = Limits {
            max_nodes: 3,
            ..Limits::default()
        };
        assert!(parse("a: 1\nb: 2\n", &limits).is_none());
        assert!(parse("a: 1\n", &limits).is_some());
    }
}
