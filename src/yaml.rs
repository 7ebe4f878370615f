//! The only place that parses YAML.
//!
//! Everything `vetted` reads in YAML (checklists, manifests, the policy, and
//! later Security Insights files fetched from vendors) goes through [`parse`],
//! which returns a [`Node`] tree where every value and every key knows its
//! line and column. Typed loading happens afterwards, from that tree, so that
//! a semantic check far from the parser can still say `file:line:col`.
//!
//! The parser is `serde-saphyr` with settings chosen for hostile input:
//! duplicate keys are an error (never last-wins), budgets bound nodes, depth,
//! aliases and scalar bytes (alias bombs, deep nesting), only YAML 1.2 core
//! booleans are booleans (`yes`/`no`/`on`/`off` stay strings), and a file over
//! [`Limits::max_bytes`] is refused before the parser sees a byte.

use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_saphyr::{Budget, DuplicateKeyPolicy, Options, Spanned};

use crate::diag::{Diagnostic, Pos};

/// Resource limits for one YAML document.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    /// Files larger than this are refused before parsing.
    pub max_bytes: usize,
    /// Deepest nesting of mappings and sequences.
    pub max_depth: usize,
    /// Most nodes (scalars, sequences, mappings) in one document.
    pub max_nodes: usize,
    /// Most alias uses in one document.
    pub max_aliases: usize,
    /// Most parser events replayed through aliases in one document. Honest
    /// manifests use none; the limit stops an alias bomb early and cheaply.
    pub max_alias_replay: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_bytes: 5 * 1024 * 1024,
            // Manifests nest about 6 deep; 48 leaves room for any honest file
            // and stops a 10,000-deep one long before it costs anything.
            max_depth: 48,
            max_nodes: 200_000,
            max_aliases: 1_000,
            max_alias_replay: 20_000,
        }
    }
}

/// A YAML value with the position where it starts.
#[derive(Clone, Debug, PartialEq)]
pub struct Node {
    /// Where the value starts (for an alias: where the alias is used).
    pub pos: Pos,
    /// The value itself.
    pub value: Value,
}

/// A mapping key with its position.
#[derive(Clone, Debug, PartialEq)]
pub struct Key {
    /// The key as text (non-string scalar keys are written as YAML would).
    pub name: String,
    /// Where the key starts.
    pub pos: Pos,
}

/// The shape of a YAML value.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    /// `null`, `~` or nothing.
    Null,
    /// `true` or `false` (YAML 1.2 core spellings only).
    Bool(bool),
    /// An integer.
    Int(i64),
    /// A floating-point number.
    Float(f64),
    /// A string.
    Str(String),
    /// A sequence.
    Seq(Vec<Node>),
    /// A mapping, in file order.
    Map(Vec<(Key, Node)>),
}

impl Node {
    /// The value under `key` if this is a mapping that has it.
    pub fn get(&self, key: &str) -> Option<&Node> {
        match &self.value {
            Value::Map(entries) => entries.iter().find(|(k, _)| k.name == key).map(|(_, v)| v),
            _ => None,
        }
    }

    /// The key `key` of this mapping, with its position.
    pub fn key(&self, key: &str) -> Option<&Key> {
        match &self.value {
            Value::Map(entries) => entries.iter().find(|(k, _)| k.name == key).map(|(k, _)| k),
            _ => None,
        }
    }

    /// This value as a string, if it is one.
    pub fn as_str(&self) -> Option<&str> {
        match &self.value {
            Value::Str(s) => Some(s),
            _ => None,
        }
    }

    /// The position of the value at a JSON pointer (`/answers/keys.withdrawal/value`),
    /// or of the deepest ancestor that exists.
    pub fn locate(&self, pointer: &str) -> Pos {
        let mut node = self;
        for raw in pointer.split('/').skip(1) {
            let segment = raw.replace("~1", "/").replace("~0", "~");
            let next = match &node.value {
                Value::Map(entries) => entries
                    .iter()
                    .find(|(k, _)| k.name == segment)
                    .map(|(_, v)| v),
                Value::Seq(items) => segment.parse::<usize>().ok().and_then(|i| items.get(i)),
                _ => None,
            };
            match next {
                Some(n) => node = n,
                None => break,
            }
        }
        node.pos
    }

    /// The position of the key `name` in the mapping at `pointer`, falling
    /// back to the mapping itself.
    pub fn locate_key(&self, pointer: &str, name: &str) -> Pos {
        let mut node = self;
        for raw in pointer.split('/').skip(1) {
            let segment = raw.replace("~1", "/").replace("~0", "~");
            match &node.value {
                Value::Map(_) => match node.get(&segment) {
                    Some(n) => node = n,
                    None => return node.pos,
                },
                Value::Seq(items) => match segment.parse::<usize>().ok().and_then(|i| items.get(i))
                {
                    Some(n) => node = n,
                    None => return node.pos,
                },
                _ => return node.pos,
            }
        }
        node.key(name).map_or(node.pos, |k| k.pos)
    }

    /// The same data as JSON, for schema validation and typed loading.
    pub fn to_json(&self) -> serde_json::Value {
        use serde_json::Value as J;
        match &self.value {
            Value::Null => J::Null,
            Value::Bool(b) => J::Bool(*b),
            Value::Int(i) => J::from(*i),
            Value::Float(f) => serde_json::Number::from_f64(*f).map_or(J::Null, J::Number),
            Value::Str(s) => J::String(s.clone()),
            Value::Seq(items) => J::Array(items.iter().map(Node::to_json).collect()),
            Value::Map(entries) => J::Object(
                entries
                    .iter()
                    .map(|(k, v)| (k.name.clone(), v.to_json()))
                    .collect(),
            ),
        }
    }
}

/// Parses one YAML document from `text`. `file` names it in diagnostics.
///
/// An empty document (nothing but comments) is an error: every format
/// `vetted` reads is a mapping.
pub fn parse(file: &str, text: &str, limits: &Limits) -> Result<Node, Diagnostic> {
    if text.len() > limits.max_bytes {
        return Err(too_large(file, text.len(), limits));
    }
    let mut budget = Budget::default();
    budget.max_depth = limits.max_depth;
    budget.max_nodes = limits.max_nodes;
    budget.max_aliases = limits.max_aliases;
    budget.max_anchors = limits.max_aliases;
    budget.max_documents = 1;
    budget.max_total_scalar_bytes = limits.max_bytes;
    budget.max_reader_input_bytes = Some(limits.max_bytes);
    let mut options = Options::default();
    options.budget = Some(budget);
    options.duplicate_keys = DuplicateKeyPolicy::Error;
    options.strict_booleans = true;
    options.with_snippet = false;
    options.alias_limits.max_total_replayed_events = limits.max_alias_replay;
    options.alias_limits.max_replay_stack_depth = limits.max_depth;

    let parsed: Result<Option<Node>, _> = serde_saphyr::from_str_with_options(text, options);
    match parsed {
        Ok(Some(node)) if node.value != Value::Null => Ok(node),
        Ok(_) => Err(Diagnostic::error(
            "empty-document",
            file,
            Pos::START,
            "the file holds no YAML document (it is empty or only comments)",
        )
        .with_help("start from one of the files in `examples/`, or run `vetted schema manifest` to see the format")),
        Err(err) => Err(syntax_error(file, &err)),
    }
}

/// Reads `bytes` as UTF-8 text, naming the first invalid byte's position.
pub fn decode(file: &str, bytes: Vec<u8>, limits: &Limits) -> Result<String, Diagnostic> {
    if bytes.len() > limits.max_bytes {
        return Err(too_large(file, bytes.len(), limits));
    }
    match String::from_utf8(bytes) {
        Ok(text) => Ok(text
            .strip_prefix('\u{feff}')
            .map(str::to_string)
            .unwrap_or(text)),
        Err(err) => {
            let valid = &err.as_bytes()[..err.utf8_error().valid_up_to()];
            let line = valid.iter().filter(|&&b| b == b'\n').count() + 1;
            let line_start = valid.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
            let col = String::from_utf8_lossy(&valid[line_start..])
                .chars()
                .count()
                + 1;
            Err(Diagnostic::error(
                "invalid-utf8",
                file,
                Pos {
                    line: line as u32,
                    col: col as u32,
                },
                "the file is not valid UTF-8 text",
            )
            .with_help("save the file as UTF-8; it may be a binary file or use a legacy encoding"))
        }
    }
}

fn too_large(file: &str, len: usize, limits: &Limits) -> Diagnostic {
    Diagnostic::error(
        "input-too-large",
        file,
        Pos::START,
        format!(
            "the file is {len} bytes, over the limit of {} bytes, and was not parsed",
            limits.max_bytes
        ),
    )
    .with_help("a manifest or checklist is a few kilobytes; check that this is the file you meant")
}

fn syntax_error(file: &str, err: &serde_saphyr::Error) -> Diagnostic {
    let pos = err
        .location()
        .map(|l| Pos {
            line: l.line() as u32,
            col: l.column() as u32,
        })
        .filter(|p| p.line > 0)
        .unwrap_or(Pos::START);
    let text = err.to_string();
    // serde-saphyr appends its own " at line X column Y"; our prefix already says where.
    let message = text
        .split(" at line ")
        .next()
        .unwrap_or(&text)
        .trim()
        .to_string();
    // serde-saphyr's advice on its own options means nothing to a user.
    let message = match message.split_once("duplicate mapping key: ") {
        Some((_, rest)) => {
            let key = rest
                .split(", set DuplicateKeyPolicy")
                .next()
                .unwrap_or(rest);
            format!("the key `{key}` appears twice in the same mapping")
        }
        None => message,
    };
    let lower = text.to_lowercase();
    let (code, help) = if lower.contains("documents") {
        (
            "multiple-documents",
            "a file holds one YAML document; remove the `---` line and what follows, or split the file",
        )
    } else if lower.contains("duplicate") {
        (
            "duplicate-key",
            "each key may appear once per mapping; merge the two entries or delete one",
        )
    } else if lower.contains("budget")
        || lower.contains("alias")
        || lower.contains("depth")
        || lower.contains("limit")
    {
        (
            "yaml-budget-exceeded",
            "the document nests too deeply or expands too many aliases to be an honest manifest; flatten it",
        )
    } else if lower.contains("tab") {
        ("yaml-syntax", "YAML indentation must use spaces, not tabs")
    } else {
        (
            "yaml-syntax",
            "fix the YAML syntax at this position (quotes, indentation, colons)",
        )
    };
    Diagnostic::error(code, file, pos, format!("cannot parse YAML: {message}")).with_help(help)
}

fn pos_of(loc: serde_saphyr::Location) -> Pos {
    Pos {
        line: loc.line() as u32,
        col: loc.column() as u32,
    }
}

impl<'de> Deserialize<'de> for Node {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let spanned = Spanned::<Value>::deserialize(deserializer)?;
        Ok(Node {
            pos: pos_of(spanned.referenced),
            value: spanned.value,
        })
    }
}

impl<'de> Deserialize<'de> for Value {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(ValueVisitor)
    }
}

struct ValueVisitor;

impl<'de> Visitor<'de> for ValueVisitor {
    type Value = Value;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("any YAML value")
    }
    fn visit_unit<E: de::Error>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_none<E: de::Error>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        Value::deserialize(d)
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Value, E> {
        Ok(Value::Int(v))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Value, E> {
        Ok(i64::try_from(v).map_or(Value::Float(v as f64), Value::Int))
    }
    fn visit_i128<E: de::Error>(self, v: i128) -> Result<Value, E> {
        Ok(i64::try_from(v).map_or(Value::Float(v as f64), Value::Int))
    }
    fn visit_u128<E: de::Error>(self, v: u128) -> Result<Value, E> {
        Ok(i64::try_from(v).map_or(Value::Float(v as f64), Value::Int))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Value, E> {
        Ok(Value::Float(v))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Value, E> {
        Ok(Value::Str(v.to_string()))
    }
    fn visit_string<E: de::Error>(self, v: String) -> Result<Value, E> {
        Ok(Value::Str(v))
    }
    fn visit_bytes<E: de::Error>(self, v: &[u8]) -> Result<Value, E> {
        Ok(Value::Str(String::from_utf8_lossy(v).into_owned()))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element::<Node>()? {
            items.push(item);
        }
        Ok(Value::Seq(items))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut entries: Vec<(Key, Node)> = Vec::new();
        while let Some(key) = map.next_key::<Node>()? {
            let name = match key.value {
                Value::Str(s) => s,
                Value::Int(i) => i.to_string(),
                Value::Float(f) => f.to_string(),
                Value::Bool(b) => b.to_string(),
                Value::Null => "null".to_string(),
                Value::Seq(_) | Value::Map(_) => {
                    return Err(de::Error::custom("mapping keys must be plain scalars"));
                }
            };
            let value = map.next_value::<Node>()?;
            if entries.iter().any(|(k, _)| k.name == name) {
                // Keys that differ in YAML but collide as text (`1` and `"1"`).
                return Err(de::Error::custom(format!("duplicate mapping key `{name}`")));
            }
            entries.push((Key { name, pos: key.pos }, value));
        }
        Ok(Value::Map(entries))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_ok(text: &str) -> Node {
        parse("t.yaml", text, &Limits::default()).expect("parses")
    }

    fn parse_err(text: &str) -> Diagnostic {
        parse("t.yaml", text, &Limits::default()).expect_err("fails")
    }

    #[test]
    fn values_and_keys_carry_positions() {
        let node = parse_ok("a: 1\nb:\n  - x\n  - {c: true}\n");
        assert_eq!(node.key("b").unwrap().pos, Pos { line: 2, col: 1 });
        assert_eq!(node.locate("/b/1/c"), Pos { line: 4, col: 9 });
        assert_eq!(node.locate("/b/0"), Pos { line: 3, col: 5 });
        assert_eq!(node.locate_key("/b/1", "c"), Pos { line: 4, col: 6 });
    }

    #[test]
    fn yes_and_no_stay_strings() {
        let node = parse_ok("a: yes\nb: no\nc: on\nd: true\n");
        assert_eq!(node.get("a").unwrap().value, Value::Str("yes".into()));
        assert_eq!(node.get("b").unwrap().value, Value::Str("no".into()));
        assert_eq!(node.get("c").unwrap().value, Value::Str("on".into()));
        assert_eq!(node.get("d").unwrap().value, Value::Bool(true));
    }

    #[test]
    fn dates_stay_strings() {
        let node = parse_ok("d: 2026-11-20\n");
        assert_eq!(node.get("d").unwrap().as_str(), Some("2026-11-20"));
    }

    #[test]
    fn duplicate_keys_are_an_error_with_position() {
        let d = parse_err("a: 1\nb: 2\na: 3\n");
        assert_eq!(d.code, "duplicate-key", "{d}");
        assert_eq!(d.line, 3, "{d}");
    }

    #[test]
    fn nested_duplicate_keys_are_an_error() {
        let d = parse_err("a:\n  x: 1\n  x: 2\n");
        assert_eq!(d.code, "duplicate-key", "{d}");
    }

    #[test]
    fn alias_bomb_is_refused() {
        let mut text = String::from(
            "a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n",
        );
        let names = ["b", "c", "d", "e", "f", "g", "h", "i"];
        let mut prev = "a";
        for n in names {
            text.push_str(&format!("{n}: &{n} [*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev}]\n"));
            prev = n;
        }
        let d = parse_err(&text);
        assert_eq!(d.code, "yaml-budget-exceeded", "{d}");
    }

    #[test]
    fn deep_nesting_is_refused_without_overflow() {
        let text = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
        let d = parse_err(&text);
        assert_eq!(d.code, "yaml-budget-exceeded", "{d}");
        let block: String = (0..1_000)
            .map(|i| format!("{}k:\n", " ".repeat(i)))
            .collect();
        let d = parse_err(&block);
        assert!(
            d.code == "yaml-budget-exceeded" || d.code == "yaml-syntax",
            "{d}"
        );
    }

    #[test]
    fn a_second_document_has_its_own_diagnostic() {
        let d = parse_err("a: 1\n---\nb: 2\n");
        assert_eq!(d.code, "multiple-documents", "{d}");
    }

    #[test]
    fn empty_and_comment_only_files_are_errors() {
        assert_eq!(parse_err("").code, "empty-document");
        assert_eq!(parse_err("# nothing\n").code, "empty-document");
    }

    #[test]
    fn oversized_input_is_refused_before_parsing() {
        let limits = Limits {
            max_bytes: 10,
            ..Limits::default()
        };
        let d = parse("t.yaml", "a: 0123456789\n", &limits).unwrap_err();
        assert_eq!(d.code, "input-too-large");
    }

    #[test]
    fn invalid_utf8_names_the_position() {
        let d = decode("t.yaml", b"a: 1\nb: \xff\n".to_vec(), &Limits::default()).unwrap_err();
        assert_eq!(d.code, "invalid-utf8");
        assert_eq!((d.line, d.col), (2, 4));
    }

    #[test]
    fn syntax_errors_have_positions() {
        let d = parse_err("a: \"unterminated\nb: 2\n");
        assert_eq!(d.code, "yaml-syntax", "{d}");
        assert!(d.line >= 1, "{d}");
        let d = parse_err("a:\n\tb: 1\n");
        assert_eq!(d.code, "yaml-syntax", "{d}");
        assert_eq!(d.line, 2, "{d}");
    }

    #[test]
    fn converts_to_json() {
        let node = parse_ok("a: [1, 2.5, x, null]\n");
        assert_eq!(
            node.to_json(),
            serde_json::json!({"a": [1, 2.5, "x", null]})
        );
    }
}
