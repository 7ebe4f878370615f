//! Characters that must never reach output raw, and how they are shown.
//!
//! Text from manifests, file names and fetched files may hold characters
//! that act on a terminal rather than print: C0 and C1 controls (ESC and
//! U+009B start control sequences that recolour, move the cursor, retitle
//! the window or write to the clipboard; CR returns to the start of the line
//! so that what follows overwrites it; BEL rings). Others change what a
//! reader sees without being seen: the bidirectional controls reorder text
//! (the "Trojan Source" attacks, CVE-2021-42574), zero-width characters
//! split or join words invisibly, and tag characters carry text no one
//! sees. `assess --format html` prints to a terminal by default, and any
//! report may be read with `cat` or `less -r`.
//!
//! Wherever such text is printed it is shown as `<U+XXXX>`: in Markdown (as
//! escaped text, so it renders visibly), in HTML (as text), in SVG, and in
//! terminal messages. JSON keeps the data exact and writes these
//! characters as `\u` escapes ([`JsonFormatter`]). Line feed and tab are
//! the only controls any output carries raw, and only where they are
//! structural (line ends, indentation); inside escaped text they are
//! written as character references or escapes too.

use std::borrow::Cow;
use std::io;

/// Whether `c` is never written raw: a control character (C0, DEL, C1),
/// a bidirectional control, or an invisible formatting character.
pub fn is_hidden(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            // Bidirectional controls: Arabic letter mark, left-to-right and
            // right-to-left marks, embeddings and overrides, isolates.
            '\u{061C}'
                | '\u{200E}'
                | '\u{200F}'
                | '\u{202A}'..='\u{202E}'
                | '\u{2066}'..='\u{2069}'
                // Zero-width space, non-joiner and joiner, word joiner, and
                // the zero-width no-break space (also the byte-order mark).
                // Non-joiner and joiner are needed in some scripts and emoji:
                // showing them costs legibility there, hiding them costs
                // the reader the truth about what the text is.
                | '\u{200B}'..='\u{200D}'
                | '\u{2060}'
                | '\u{FEFF}'
                // Line and paragraph separators break lines where a reader
                // (or a JavaScript string) does not expect it.
                | '\u{2028}'
                | '\u{2029}'
                // Invisible operators and the deprecated format characters
                // (they once switched shaping and digit forms).
                | '\u{2061}'..='\u{2064}'
                | '\u{206A}'..='\u{206F}'
                // Tags: invisible copies of ASCII, used to smuggle text.
                | '\u{E0000}'..='\u{E007F}'
        )
}

/// How a hidden character is shown: `<U+202E>`.
pub fn name(c: char) -> String {
    format!("<U+{:04X}>", c as u32)
}

/// `text` with every hidden character shown as `<U+XXXX>`, except those
/// `keep` lets through.
fn show(text: &str, keep: impl Fn(char) -> bool) -> Cow<'_, str> {
    if !text.chars().any(|c| is_hidden(c) && !keep(c)) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        if is_hidden(c) && !keep(c) {
            out.push_str(&name(c));
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// `text` as a reader should see it: every hidden character shown, line
/// feeds and tabs kept. The rendered form of escaped Markdown and HTML text.
pub fn text(text: &str) -> Cow<'_, str> {
    show(text, |c| c == '\n' || c == '\t')
}

/// `text` for a terminal message: every hidden character shown, line feeds
/// kept (messages are lines).
pub fn terminal(text: &str) -> Cow<'_, str> {
    show(text, |c| c == '\n')
}

/// A last pass over a whole document: any hidden character still in it
/// (from a template that printed text marked safe, say) is shown with
/// `escape`, except line feeds, tabs and the CR of a CR LF line end, which
/// are layout. The renderers escape untrusted text before this, so on the
/// bundled templates it changes nothing.
pub fn sweep(document: String, escape: impl Fn(char) -> String) -> String {
    match swept(&document, None, escape) {
        Cow::Borrowed(_) => document,
        Cow::Owned(out) => out,
    }
}

/// [`sweep`] of `text`, which `next` follows (`None`: the end).
fn swept(text: &str, next: Option<char>, escape: impl Fn(char) -> String) -> Cow<'_, str> {
    let Some(first) = next_hidden(text, 0, next) else {
        return Cow::Borrowed(text);
    };
    let mut out = String::with_capacity(text.len() + 64);
    let mut from = 0;
    let mut at = Some(first);
    while let Some(i) = at {
        let c = text[i..].chars().next().expect("a character starts here");
        out.push_str(&text[from..i]);
        out.push_str(&escape(c));
        from = i + c.len_utf8();
        at = next_hidden(text, from, next);
    }
    out.push_str(&text[from..]);
    Cow::Owned(out)
}

/// Where the first character [`sweep`] shows starts in `text[from..]`,
/// which `next` follows. Documents are mostly ASCII: bytes are looked at
/// one by one, and only a character outside ASCII is decoded.
fn next_hidden(text: &str, from: usize, next: Option<char>) -> Option<usize> {
    let bytes = text.as_bytes();
    let mut i = from;
    while i < bytes.len() {
        let b = bytes[i];
        if b.is_ascii() {
            let shown = match b {
                b'\n' | b'\t' => false,
                // The CR of a CR LF line end is layout.
                b'\r' => bytes.get(i + 1).map_or(next != Some('\n'), |&n| n != b'\n'),
                b => b < 0x20 || b == 0x7f,
            };
            if shown {
                return Some(i);
            }
            i += 1;
        } else {
            let c = text[i..].chars().next().expect("a character starts here");
            if is_hidden(c) {
                return Some(i);
            }
            i += c.len_utf8();
        }
    }
    None
}

/// The whole characters `bytes` start with: all of them but a character
/// cut short at the end (its other bytes are still to come). Bytes that
/// can never be UTF-8 are an error.
pub(crate) fn whole_chars(bytes: &[u8]) -> io::Result<&str> {
    let valid = match std::str::from_utf8(bytes) {
        Ok(s) => return Ok(s),
        Err(e) if e.error_len().is_some() => {
            return Err(io::Error::new(io::ErrorKind::InvalidData, e));
        }
        Err(e) => e.valid_up_to(),
    };
    Ok(std::str::from_utf8(&bytes[..valid]).expect("checked above"))
}

/// A writer that [`sweep`]s what goes through it, as it goes: the same
/// bytes as sweeping the whole document. A character split between two
/// writes, and a CR that may start a CR LF, wait for the next; call
/// [`Sweeping::finish`] at the end.
pub struct Sweeping<'a> {
    out: &'a mut dyn io::Write,
    escape: fn(char) -> String,
    /// Bytes written and not yet swept.
    held: Vec<u8>,
}

impl<'a> Sweeping<'a> {
    /// Sweeps into `out`, showing a hidden character with `escape`.
    pub fn new(out: &'a mut dyn io::Write, escape: fn(char) -> String) -> Sweeping<'a> {
        Sweeping {
            out,
            escape,
            held: Vec::new(),
        }
    }

    /// Writes what is held: the end of the document.
    pub fn finish(mut self) -> io::Result<()> {
        let held = std::mem::take(&mut self.held);
        let text = std::str::from_utf8(&held)
            .map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e))?;
        self.out
            .write_all(swept(text, None, self.escape).as_bytes())?;
        self.out.flush()
    }
}

/// The most a [`Sweeping`] takes in one write.
const SWEPT_AT_ONCE: usize = 64 * 1024;

impl io::Write for Sweeping<'_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        // At most this much at a time (`write_all` comes back for the
        // rest): what is held and its swept copy stay small however much
        // is written at once.
        let buf = &buf[..buf.len().min(SWEPT_AT_ONCE)];
        self.held.extend_from_slice(buf);
        let text = whole_chars(&self.held)?;
        let valid = text.len();
        // A CR at the end waits: whether it is shown depends on what
        // follows.
        let ready = text.strip_suffix('\r').unwrap_or(text);
        if !ready.is_empty() {
            let next = (ready.len() < valid).then_some('\r');
            let n = ready.len();
            self.out
                .write_all(swept(ready, next, self.escape).as_bytes())?;
            self.held.drain(..n);
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.out.flush()
    }
}

/// A `serde_json` formatter that writes hidden characters as `\u` escapes
/// (serde_json escapes C0 controls itself, but writes DEL, C1 controls and
/// the bidirectional and zero-width characters raw). The JSON means exactly
/// the same; only its bytes are safe to print.
pub struct JsonFormatter<F>(pub F);

impl<F: serde_json::ser::Formatter> serde_json::ser::Formatter for JsonFormatter<F> {
    fn write_string_fragment<W: ?Sized + io::Write>(
        &mut self,
        writer: &mut W,
        fragment: &str,
    ) -> io::Result<()> {
        let mut start = 0;
        for (i, c) in fragment.char_indices() {
            if is_hidden(c) {
                self.0.write_string_fragment(writer, &fragment[start..i])?;
                let mut units = [0u16; 2];
                for unit in c.encode_utf16(&mut units) {
                    write!(writer, "\\u{unit:04x}")?;
                }
                start = i + c.len_utf8();
            }
        }
        self.0.write_string_fragment(writer, &fragment[start..])
    }

    // Everything else is the wrapped formatter's: these are the methods
    // `PrettyFormatter` overrides to indent.
    fn begin_array<W: ?Sized + io::Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.begin_array(w)
    }
    fn end_array<W: ?Sized + io::Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.end_array(w)
    }
    fn begin_array_value<W: ?Sized + io::Write>(
        &mut self,
        w: &mut W,
        first: bool,
    ) -> io::Result<()> {
        self.0.begin_array_value(w, first)
    }
    fn end_array_value<W: ?Sized + io::Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.end_array_value(w)
    }
    fn begin_object<W: ?Sized + io::Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.begin_object(w)
    }
    fn end_object<W: ?Sized + io::Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.end_object(w)
    }
    fn begin_object_key<W: ?Sized + io::Write>(
        &mut self,
        w: &mut W,
        first: bool,
    ) -> io::Result<()> {
        self.0.begin_object_key(w, first)
    }
    fn begin_object_value<W: ?Sized + io::Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.begin_object_value(w)
    }
    fn end_object_value<W: ?Sized + io::Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.end_object_value(w)
    }
}

/// `value` as pretty-printed JSON whose bytes hold no hidden character.
pub fn json_pretty<T: serde::Serialize + ?Sized>(value: &T) -> serde_json::Result<String> {
    let mut out = Vec::new();
    let formatter = JsonFormatter(serde_json::ser::PrettyFormatter::new());
    let mut ser = serde_json::Serializer::with_formatter(&mut out, formatter);
    value.serialize(&mut ser)?;
    // serde_json writes only UTF-8 (strings are &str, escapes are ASCII).
    Ok(String::from_utf8(out).expect("serde_json writes UTF-8"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shows_controls_bidi_and_invisible_characters() {
        assert_eq!(
            text("a\u{1b}[31mb\u{202e}c\u{200b}d\u{9b}e\u{feff}\u{E0041}\n\tf\r"),
            "a<U+001B>[31mb<U+202E>c<U+200B>d<U+009B>e<U+FEFF><U+E0041>\n\tf<U+000D>"
        );
        assert_eq!(terminal("a\tb\nc"), "a<U+0009>b\nc");
        assert!(matches!(text("plain, ünïcödé ✓"), Cow::Borrowed(_)));
        for c in [
            '\u{061C}', '\u{200E}', '\u{200F}', '\u{2066}', '\u{2069}', '\u{2060}', '\u{200D}',
        ] {
            assert!(is_hidden(c), "{c:?}");
        }
        for c in ['a', 'é', '✓', '\u{00A0}', '中'] {
            assert!(!is_hidden(c), "{c:?}");
        }
    }

    #[test]
    fn the_sweep_keeps_layout() {
        assert_eq!(
            sweep("a\r\nb\n\tc\rd\u{202e}".into(), name),
            "a\r\nb\n\tc<U+000D>d<U+202E>"
        );
        assert_eq!(sweep("plain\n".into(), name), "plain\n");
    }

    #[test]
    fn sweeping_as_it_goes_is_sweeping_the_whole() {
        let text = "a\r\nb\r\rc\u{202e}d\u{1b}\n\té\u{9b}\r";
        let whole = sweep(text.into(), name);
        for bite in 1..=4 {
            let mut out = Vec::new();
            let mut w = Sweeping::new(&mut out, name);
            for chunk in text.as_bytes().chunks(bite) {
                io::Write::write_all(&mut w, chunk).unwrap();
            }
            w.finish().unwrap();
            assert_eq!(String::from_utf8(out).unwrap(), whole, "bites of {bite}");
        }
        let mut out = Vec::new();
        let mut w = Sweeping::new(&mut out, name);
        assert!(io::Write::write_all(&mut w, b"a\xff").is_err());
    }

    /// A large write is taken a bounded piece at a time (what is held and
    /// its swept copy stay small: a table's HTML can be tens of
    /// megabytes), and the pieces' edges, even inside a character or after
    /// a CR, change nothing.
    #[test]
    fn a_large_write_is_swept_in_bounded_pieces() {
        let unit = "ab\u{202e}é\r\n\r中";
        let text = unit.repeat(3 * SWEPT_AT_ONCE / unit.len());
        let mut out = Vec::new();
        let mut w = Sweeping::new(&mut out, name);
        let taken = io::Write::write(&mut w, text.as_bytes()).unwrap();
        assert!(taken <= SWEPT_AT_ONCE, "{taken}");
        io::Write::write_all(&mut w, &text.as_bytes()[taken..]).unwrap();
        w.finish().unwrap();
        assert_eq!(String::from_utf8(out).unwrap(), sweep(text, name));
    }

    #[test]
    fn json_means_the_same_and_prints_safely() {
        let value = serde_json::json!({"k\u{202e}": ["a\u{9b}b\u{1b}", "\u{E0041}", "é"]});
        let s = json_pretty(&value).unwrap();
        assert!(!s.chars().any(is_hidden_but_layout), "{s:?}");
        assert!(s.contains("\\u202e") && s.contains("\\udb40\\udc41"), "{s}");
        let back: serde_json::Value = serde_json::from_str(&s).unwrap();
        assert_eq!(back, value);
        assert_eq!(
            json_pretty(&serde_json::json!({"a": [1]})).unwrap(),
            serde_json::to_string_pretty(&serde_json::json!({"a": [1]})).unwrap()
        );
    }

    fn is_hidden_but_layout(c: char) -> bool {
        is_hidden(c) && c != '\n'
    }
}
