//! The only place that parses YAML.
//!
//! Everything `vetted` reads in YAML (checklists, manifests, the policy, and
//! later Security Insights files fetched from vendors) goes through [`parse`],
//! which returns a [`Node`] tree where every value and every key knows its
//! line and column. Typed loading happens afterwards, from that tree, so that
//! a semantic check far from the parser can still say `file:line:col`.
//!
//! The tree is built straight from the events of `granit-parser` (the YAML
//! parser under `serde-saphyr`, which re-exports it): going through serde
//! with a span wrapper on every value cost three times as long. The rules are
//! chosen for hostile input: duplicate keys are an error (never last-wins),
//! budgets bound nodes, depth, aliases and the events aliases replay (alias
//! bombs, deep nesting), plain scalars resolve by the YAML 1.2 core schema
//! (`yes`/`no`/`on`/`off` and dates stay strings), and a file over
//! [`Limits::max_bytes`] is refused before the parser sees a byte.

use std::borrow::Cow;

use serde_saphyr::granit_parser::{ErrorKind, Event, Parser, ScalarStyle, ScanError, Span, Tag};

use crate::diag::{Code, Diagnostic, Pos};

pub mod fast;

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

impl Limits {
    /// The default [`Limits::max_bytes`]: 5 MB.
    pub const DEFAULT_MAX_BYTES: usize = 5 * 1024 * 1024;
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_bytes: Limits::DEFAULT_MAX_BYTES,
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
    match fast::parse(text, limits) {
        Some(node) => Ok(node),
        None => parse_events(file, text, limits),
    }
}

/// Parses like [`parse`], always with the general parser (every file the
/// fast path gives up on comes here). Public so that tests can hold the
/// fast path to the same result.
pub fn parse_events(file: &str, text: &str, limits: &Limits) -> Result<Node, Diagnostic> {
    if text.len() > limits.max_bytes {
        return Err(too_large(file, Some(text.len() as u64), limits));
    }
    let mut builder = Builder {
        parser: Parser::new_from_str(text),
        limits,
        file,
        nodes: 0,
        aliases: 0,
        copied: Cost::default(),
        anchors: Vec::new(),
    };
    builder.document().map_err(|d| *d)
}

/// A builder's error, boxed: results move through every level of the
/// recursion, and a bare diagnostic would make each of them three times as
/// large.
type Failure = Box<Diagnostic>;

/// Builds a [`Node`] tree from parser events, enforcing the budgets.
struct Builder<'t, 'l> {
    parser: Parser<'t, serde_saphyr::granit_parser::StrInput<'t>>,
    limits: &'l Limits,
    file: &'l str,
    nodes: usize,
    aliases: usize,
    /// Nodes and scalar bytes copied for anchors and aliases.
    copied: Cost,
    /// Anchored nodes by anchor id (ids count up from 1 in a document),
    /// with their size.
    anchors: Vec<Option<(Node, Cost)>>,
}

/// The size of a subtree: what copying it for an alias costs, and how deep
/// it reaches.
#[derive(Clone, Copy, Debug, Default)]
struct Cost {
    nodes: usize,
    bytes: usize,
    depth: usize,
}

fn measure(node: &Node) -> Cost {
    let mut cost = Cost {
        nodes: 1,
        bytes: 0,
        depth: 0,
    };
    let mut add = |c: Cost, key_bytes: usize| {
        cost.nodes += c.nodes;
        cost.bytes += c.bytes + key_bytes;
        cost.depth = cost.depth.max(c.depth + 1);
    };
    match &node.value {
        Value::Str(s) => cost.bytes = s.len(),
        Value::Seq(items) => items.iter().for_each(|n| add(measure(n), 0)),
        Value::Map(entries) => entries
            .iter()
            .for_each(|(k, v)| add(measure(v), k.name.len())),
        _ => {}
    }
    cost
}

fn pos_at(span: &Span) -> Pos {
    Pos {
        line: span.start.line() as u32,
        col: span.start.col() as u32 + 1,
    }
}

impl<'t> Builder<'t, '_> {
    fn next(&mut self) -> Result<(Event<'t>, Pos), Failure> {
        match self.parser.next_event() {
            // Only the start of a span is used: converting it here keeps
            // the parser's large span out of every move below.
            Some(Ok((event, span))) => Ok((event, pos_at(&span))),
            Some(Err(e)) => Err(Box::new(scan_error(self.file, &e))),
            None => Err(self.syntax(Pos::START, "the document ends unexpectedly".into())),
        }
    }

    fn syntax(&self, pos: Pos, message: String) -> Failure {
        Box::new(
            Diagnostic::error(
                Code::YamlSyntax,
                self.file,
                pos,
                format!("cannot parse YAML: {message}"),
            )
            .with_help(SYNTAX_HELP),
        )
    }

    fn duplicate(&self, pos: Pos, name: &str) -> Failure {
        Box::new(
            Diagnostic::error(
                Code::DuplicateKey,
                self.file,
                pos,
                format!(
                    "cannot parse YAML: the key `{}` appears twice in the same mapping",
                    crate::diag::quote(name)
                ),
            )
            .with_help("each key may appear once per mapping; merge the two entries or delete one"),
        )
    }

    fn budget(&self, pos: Pos, message: String) -> Failure {
        Box::new(
            Diagnostic::error(
                Code::YamlBudgetExceeded,
                self.file,
                pos,
                format!("cannot parse YAML: {message}"),
            )
            .with_help(BUDGET_HELP),
        )
    }

    fn document(&mut self) -> Result<Node, Failure> {
        let mut root = None;
        loop {
            let (event, pos) = self.next()?;
            match event {
                Event::StreamStart | Event::DocumentEnd => {}
                Event::StreamEnd => break,
                Event::DocumentStart(..) if root.is_some() => {
                    return Err(Diagnostic::error(
                        Code::MultipleDocuments,
                        self.file,
                        pos,
                        "cannot parse YAML: the file holds more than one document",
                    )
                    .with_help(
                        "a file holds one YAML document; remove the `---` line and what follows, or split the file",
                    )
                    .into());
                }
                Event::DocumentStart(..) => {
                    let (event, pos) = self.next()?;
                    root = Some(self.node(event, pos, 0)?);
                }
                _ => {}
            }
        }
        match root {
            Some(node) if node.value != Value::Null => Ok(node),
            _ => Err(Diagnostic::error(
                Code::EmptyDocument,
                self.file,
                Pos::START,
                "the file holds no YAML document (it is empty or only comments)",
            )
            .with_help("start from one of the files in `examples/`, or run `vetted schema manifest` to see the format")
            .into()),
        }
    }

    fn count(&mut self, pos: Pos) -> Result<(), Failure> {
        self.nodes += 1;
        if self.nodes > self.limits.max_nodes {
            return Err(self.budget(
                pos,
                format!("more than {} nodes in one document", self.limits.max_nodes),
            ));
        }
        Ok(())
    }

    /// Charges a copy made for an anchor or an alias: anchors and aliases
    /// together may copy at most `max_alias_replay` nodes and `max_bytes`
    /// bytes, so neither an alias bomb nor nested anchors around a large
    /// value can blow up memory.
    fn charge(&mut self, pos: Pos, cost: Cost) -> Result<(), Failure> {
        self.copied.nodes += cost.nodes;
        self.copied.bytes += cost.bytes;
        if self.copied.nodes > self.limits.max_alias_replay
            || self.copied.bytes > self.limits.max_bytes
        {
            return Err(self.budget(
                pos,
                format!(
                    "anchors and aliases copy more than {} nodes or {} bytes (an alias bomb?)",
                    self.limits.max_alias_replay, self.limits.max_bytes
                ),
            ));
        }
        Ok(())
    }

    fn remember(&mut self, anchor: usize, node: &Node) -> Result<(), Failure> {
        if anchor == 0 {
            return Ok(());
        }
        if anchor > self.limits.max_aliases {
            return Err(self.budget(
                node.pos,
                format!("more than {} anchors", self.limits.max_aliases),
            ));
        }
        let cost = measure(node);
        self.charge(node.pos, cost)?;
        if self.anchors.len() <= anchor {
            self.anchors.resize(anchor + 1, None);
        }
        self.anchors[anchor] = Some((node.clone(), cost));
        Ok(())
    }

    /// One node, starting with `event`. Recursion is bounded by the depth
    /// budget, checked before descending.
    fn node(&mut self, event: Event<'t>, pos: Pos, depth: usize) -> Result<Node, Failure> {
        self.count(pos)?;
        match event {
            Event::Scalar(text, style, anchor, tag) => {
                let node = Node {
                    pos,
                    value: resolve(text, style, tag.as_deref()),
                };
                self.remember(anchor, &node)?;
                Ok(node)
            }
            Event::Alias(id) => {
                self.aliases += 1;
                if self.aliases > self.limits.max_aliases {
                    return Err(self.budget(
                        pos,
                        format!("more than {} aliases", self.limits.max_aliases),
                    ));
                }
                let Some(Some((target, cost))) = self.anchors.get(id) else {
                    return Err(self.syntax(pos, "an alias refers to an unknown anchor".into()));
                };
                let (target, cost) = (target.clone(), *cost);
                if depth + cost.depth > self.limits.max_depth {
                    return Err(self.budget(
                        pos,
                        format!("nesting deeper than {} levels", self.limits.max_depth),
                    ));
                }
                self.charge(pos, cost)?;
                let mut node = target;
                node.pos = pos;
                Ok(node)
            }
            Event::SequenceStart(_, anchor, _) | Event::MappingStart(_, anchor, _) => {
                if depth >= self.limits.max_depth {
                    return Err(self.budget(
                        pos,
                        format!("nesting deeper than {} levels", self.limits.max_depth),
                    ));
                }
                let is_map = matches!(event, Event::MappingStart(..));
                let node = if is_map {
                    self.mapping(pos, depth)?
                } else {
                    self.sequence(pos, depth)?
                };
                self.remember(anchor, &node)?;
                Ok(node)
            }
            _ => Err(self.syntax(pos, "unexpected YAML structure".into())),
        }
    }

    fn sequence(&mut self, pos: Pos, depth: usize) -> Result<Node, Failure> {
        let mut items = Vec::new();
        loop {
            let (event, pos) = self.next()?;
            if matches!(event, Event::SequenceEnd) {
                break;
            }
            items.push(self.node(event, pos, depth + 1)?);
        }
        Ok(Node {
            pos,
            value: Value::Seq(items),
        })
    }

    fn mapping(&mut self, pos: Pos, depth: usize) -> Result<Node, Failure> {
        let mut entries: Vec<(Key, Node)> = Vec::new();
        // Entries from `<<` merge keys: used only where the mapping has no
        // key of that name itself.
        let mut merged: Vec<(Key, Node)> = Vec::new();
        let mut merge_seen = false;
        // Hashes of the names already in the mapping; a linear scan is
        // cheaper for the small mappings manifests are made of, a set keeps
        // a hostile file with 100,000 keys from taking quadratic time. A
        // hash seen before is confirmed by comparing names, so a collision
        // is never reported as a duplicate.
        let mut names: std::collections::HashSet<u64> = std::collections::HashSet::new();
        let hasher = std::hash::RandomState::new();
        let hash = |name: &str| std::hash::BuildHasher::hash_one(&hasher, name);
        loop {
            let (event, pos) = self.next()?;
            if matches!(event, Event::MappingEnd) {
                break;
            }
            let plain_merge = matches!(
                &event,
                Event::Scalar(t, ScalarStyle::Plain, _, None) if t == "<<"
            );
            let key = self.node(event, pos, depth + 1)?;
            let (event, pos) = self.next()?;
            let value = self.node(event, pos, depth + 1)?;
            if plain_merge {
                if merge_seen {
                    return Err(self.duplicate(key.pos, "<<"));
                }
                merge_seen = true;
                let sources = match value.value {
                    Value::Map(m) => vec![m],
                    Value::Seq(items) => items
                        .into_iter()
                        .map(|n| match n.value {
                            Value::Map(m) => Ok(m),
                            _ => Err(self.syntax(n.pos, "`<<` merges mappings only".into())),
                        })
                        .collect::<Result<_, _>>()?,
                    _ => return Err(self.syntax(value.pos, "`<<` merges mappings only".into())),
                };
                let mut taken: std::collections::HashSet<String> =
                    merged.iter().map(|(k, _)| k.name.clone()).collect();
                for (k, v) in sources.into_iter().flatten() {
                    if taken.insert(k.name.clone()) {
                        merged.push((k, v));
                    }
                }
                continue;
            }
            let name = match key.value {
                Value::Str(s) => s,
                Value::Int(i) => i.to_string(),
                Value::Float(f) => f.to_string(),
                Value::Bool(b) => b.to_string(),
                Value::Null => "null".to_string(),
                Value::Seq(_) | Value::Map(_) => {
                    return Err(self.syntax(key.pos, "mapping keys must be plain scalars".into()));
                }
            };
            let seen = if entries.len() < 16 {
                entries.iter().any(|(k, _)| k.name == name)
            } else {
                if names.is_empty() {
                    names.extend(entries.iter().map(|(k, _)| hash(&k.name)));
                }
                !names.insert(hash(&name)) && entries.iter().any(|(k, _)| k.name == name)
            };
            if seen {
                // Also keys that differ in YAML but collide as text (`1`, "1").
                return Err(self.duplicate(key.pos, &name));
            }
            entries.push((Key { name, pos: key.pos }, value));
        }
        if !merged.is_empty() {
            let own: std::collections::HashSet<String> =
                entries.iter().map(|(k, _)| k.name.clone()).collect();
            entries.extend(merged.into_iter().filter(|(k, _)| !own.contains(&k.name)));
        }
        Ok(Node {
            pos,
            value: Value::Map(entries),
        })
    }
}

/// A scalar's value under the YAML 1.2 core schema: only plain scalars are
/// resolved (null, booleans, integers, floats); quoted and block scalars,
/// and `!!str`, are text. Other tags are ignored.
fn resolve(text: Cow<'_, str>, style: ScalarStyle, tag: Option<&Tag>) -> Value {
    let core = tag.filter(|t| t.is_yaml_core_schema()).map(Tag::suffix);
    if core == Some("str") || (style != ScalarStyle::Plain && core.is_none()) {
        return Value::Str(text.into_owned());
    }
    let t = text.as_ref();
    match t {
        "" | "~" | "null" | "Null" | "NULL" => return Value::Null,
        "true" | "True" | "TRUE" => return Value::Bool(true),
        "false" | "False" | "FALSE" => return Value::Bool(false),
        ".inf" | ".Inf" | ".INF" | "+.inf" | "+.Inf" | "+.INF" => {
            return Value::Float(f64::INFINITY);
        }
        "-.inf" | "-.Inf" | "-.INF" => return Value::Float(f64::NEG_INFINITY),
        ".nan" | ".NaN" | ".NAN" => return Value::Float(f64::NAN),
        _ => {}
    }
    let bytes = t.as_bytes();
    let first = bytes.first().copied().unwrap_or(b' ');
    // Only text that starts like a number can be one; the rest (most of a
    // manifest) skips the numeric parsers.
    if first.is_ascii_digit() || matches!(first, b'-' | b'+' | b'.') {
        let digits_of = |n: &str, radix: u32| !n.is_empty() && n.chars().all(|c| c.is_digit(radix));
        if let Some(n) = t.strip_prefix("0x") {
            // from_str_radix would also take a sign (`0x-1`), which the
            // core schema does not.
            if digits_of(n, 16)
                && let Ok(i) = i64::from_str_radix(n, 16)
            {
                return Value::Int(i);
            }
        } else if let Some(n) = t.strip_prefix("0o") {
            if digits_of(n, 8)
                && let Ok(i) = i64::from_str_radix(n, 8)
            {
                return Value::Int(i);
            }
        } else if is_decimal_int(t) {
            return match t.parse::<i64>() {
                Ok(i) => Value::Int(i),
                Err(_) => Value::Float(t.parse().unwrap_or(f64::NAN)),
            };
        } else if is_float(t)
            && let Ok(f) = t.parse::<f64>()
        {
            return Value::Float(f);
        }
    }
    Value::Str(text.into_owned())
}

/// `[-+]?[0-9]+`
fn is_decimal_int(t: &str) -> bool {
    let digits = t.strip_prefix(['-', '+']).unwrap_or(t);
    !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit())
}

/// `[-+]? ( \. [0-9]+ | [0-9]+ ( \. [0-9]* )? ) ( [eE] [-+]? [0-9]+ )?`
fn is_float(t: &str) -> bool {
    let t = t.strip_prefix(['-', '+']).unwrap_or(t);
    let (mantissa, exponent) = match t.find(['e', 'E']) {
        Some(i) => (&t[..i], Some(&t[i + 1..])),
        None => (t, None),
    };
    let (int, frac) = match mantissa.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (mantissa, None),
    };
    let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    let mantissa_ok = match frac {
        Some(f) => digits(int) && digits(f) && !(int.is_empty() && f.is_empty()),
        None => !int.is_empty() && digits(int),
    };
    let exponent_ok = exponent.is_none_or(|e| {
        let e = e.strip_prefix(['-', '+']).unwrap_or(e);
        !e.is_empty() && digits(e)
    });
    mantissa_ok && exponent_ok
}

/// Reads `bytes` as UTF-8 text, naming the first invalid byte's position.
pub fn decode(file: &str, bytes: Vec<u8>, limits: &Limits) -> Result<String, Diagnostic> {
    if bytes.len() > limits.max_bytes {
        return Err(too_large(file, Some(bytes.len() as u64), limits));
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
                Code::InvalidUtf8,
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

/// The diagnostic for input over [`Limits::max_bytes`]: `size` is the
/// whole size when known (a regular file), `None` when reading stopped one
/// byte past the limit (a stream or a device).
pub fn too_large(file: &str, size: Option<u64>, limits: &Limits) -> Diagnostic {
    let message = match size {
        Some(len) => format!(
            "the file is {len} bytes, over the limit of {} bytes, and was not parsed",
            limits.max_bytes
        ),
        None => format!(
            "the input is over the limit of {} bytes; reading stopped there and nothing was parsed",
            limits.max_bytes
        ),
    };
    Diagnostic::error(Code::InputTooLarge, file, Pos::START, message).with_help(
        "a manifest or checklist is a few kilobytes; check that this is the file you meant",
    )
}

/// Help for a syntax error found anywhere in the document.
const SYNTAX_HELP: &str = "fix the YAML syntax at this position (quotes, indentation, colons)";

/// Help for any budget, ours or the parser's.
const BUDGET_HELP: &str = "the document nests too deeply or expands too many aliases to be an honest manifest; flatten it";

/// A parser error as a diagnostic: the parser's own message, at its
/// position, with the code and help that [`classify`] gives its kind.
fn scan_error(file: &str, err: &ScanError) -> Diagnostic {
    let m = err.marker();
    let pos = Pos {
        line: m.line().max(1) as u32,
        col: m.col() as u32 + 1,
    };
    let (code, help) = classify(err.kind());
    Diagnostic::error(
        code,
        file,
        pos,
        format!("cannot parse YAML: {}", err.info()),
    )
    .with_help(help)
}

/// The code and help for a kind of parser error. The parser types its
/// errors (`ScanError::kind`), so this matches the kind; the message is
/// only shown, never read. `ErrorKind` is non-exhaustive: a kind that a
/// later parser version adds is a plain syntax error until listed here.
fn classify(kind: &ErrorKind) -> (Code, &'static str) {
    match kind {
        // The parser's own limits are budgets too: nesting beyond 255
        // levels, a directive over 1 KB or with over 16 parameters. Honest
        // files never reach them. (Byte limits apply to streamed input
        // only, and the anchor count would have to overflow a usize; they
        // are listed so that every limit means the same thing.)
        ErrorKind::RecursionLimitExceeded
        | ErrorKind::DirectiveByteLimitExceeded { .. }
        | ErrorKind::TooManyReservedDirectiveParams { .. }
        | ErrorKind::InputByteLimitExceeded { .. }
        | ErrorKind::AnchorCountOverflow => (Code::YamlBudgetExceeded, BUDGET_HELP),
        // Tabs are the commonest mistake made by hand, and the parser's
        // message does not say what to write instead. (`TabInIndentation`
        // comes only from the parser's strict mode, which is off.)
        ErrorKind::TabNotAllowed
        | ErrorKind::TabInBlockIndentation
        | ErrorKind::TabInIndentation
        | ErrorKind::TabAtBlockScalarStart
        | ErrorKind::TabInPlainScalar => (
            Code::YamlSyntax,
            "YAML indentation must use spaces, not tabs",
        ),
        _ => (Code::YamlSyntax, SYNTAX_HELP),
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
        assert_eq!(d.code, Code::DuplicateKey, "{d}");
        assert_eq!(d.line, 3, "{d}");
    }

    #[test]
    fn nested_duplicate_keys_are_an_error() {
        let d = parse_err("a:\n  x: 1\n  x: 2\n");
        assert_eq!(d.code, Code::DuplicateKey, "{d}");
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
        assert_eq!(d.code, Code::YamlBudgetExceeded, "{d}");
    }

    #[test]
    fn aliased_long_strings_are_within_the_byte_budget() {
        let long = "x".repeat(100_000);
        let text = format!("a: [&a \"{long}\", {}]\n", vec!["*a"; 60].join(", "));
        let d = parse_err(&text);
        assert_eq!(d.code, Code::YamlBudgetExceeded, "{d}");
    }

    #[test]
    fn nested_anchors_around_a_large_value_are_refused() {
        let items = vec!["x"; 30_000].join(", ");
        let mut text = format!("[{items}]");
        for i in 0..10 {
            text = format!("[&a{i} {text}]");
        }
        let d = parse_err(&format!("a: {text}\n"));
        assert_eq!(d.code, Code::YamlBudgetExceeded, "{d}");
    }

    #[test]
    fn aliases_cannot_get_round_the_depth_limit() {
        let mut text = String::from("a0: &a0 [[[[[[[[[[x]]]]]]]]]]\n");
        for i in 1..8 {
            text.push_str(&format!("a{i}: &a{i} [[[[[[[[[*a{}]]]]]]]]]\n", i - 1));
        }
        let d = parse_err(&text);
        assert_eq!(d.code, Code::YamlBudgetExceeded, "{d}");
    }

    #[test]
    fn many_keys_and_merges() {
        // 50,000 keys: checked with a set, not pairwise.
        let text: String = (0..50_000).map(|i| format!("k{i}: {i}\n")).collect();
        assert!(matches!(parse_ok(&text).value, Value::Map(ref m) if m.len() == 50_000));
        let d = parse_err(&format!("{text}k49999: again\n"));
        assert_eq!((d.code, d.line), (Code::DuplicateKey, 50_001), "{d}");
        let node = parse_ok("base: &b {x: 1, y: 2}\nuse: {<<: *b, y: 3}\n");
        let used = node.get("use").unwrap();
        assert_eq!(used.get("x").unwrap().value, Value::Int(1));
        assert_eq!(used.get("y").unwrap().value, Value::Int(3));
        let d = parse_err("b: &b {x: 1}\nc: &c {y: 1}\nuse: {<<: *b, <<: *c}\n");
        assert_eq!(d.code, Code::DuplicateKey, "{d}");
    }

    #[test]
    fn core_schema_numbers() {
        let node = parse_ok("a: 0x1F\nb: 0o17\nc: 0x-1\nd: 0o+7\ne: 1.5e3\nf: -7\ng: 1_000\n");
        let v = |k: &str| node.get(k).unwrap().value.clone();
        assert_eq!(v("a"), Value::Int(31));
        assert_eq!(v("b"), Value::Int(15));
        assert_eq!(v("c"), Value::Str("0x-1".into()));
        assert_eq!(v("d"), Value::Str("0o+7".into()));
        assert_eq!(v("e"), Value::Float(1500.0));
        assert_eq!(v("f"), Value::Int(-7));
        assert_eq!(v("g"), Value::Str("1_000".into()));
    }

    #[test]
    fn deep_nesting_is_refused_without_overflow() {
        let text = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
        let d = parse_err(&text);
        assert_eq!(d.code, Code::YamlBudgetExceeded, "{d}");
        let block: String = (0..1_000)
            .map(|i| format!("{}k:\n", " ".repeat(i)))
            .collect();
        let d = parse_err(&block);
        assert!(
            d.code == Code::YamlBudgetExceeded || d.code == Code::YamlSyntax,
            "{d}"
        );
    }

    #[test]
    fn a_second_document_has_its_own_diagnostic() {
        let d = parse_err("a: 1\n---\nb: 2\n");
        assert_eq!(d.code, Code::MultipleDocuments, "{d}");
    }

    #[test]
    fn empty_and_comment_only_files_are_errors() {
        assert_eq!(parse_err("").code, Code::EmptyDocument);
        assert_eq!(parse_err("# nothing\n").code, Code::EmptyDocument);
    }

    #[test]
    fn oversized_input_is_refused_before_parsing() {
        let limits = Limits {
            max_bytes: 10,
            ..Limits::default()
        };
        let d = parse("t.yaml", "a: 0123456789\n", &limits).unwrap_err();
        assert_eq!(d.code, Code::InputTooLarge);
    }

    #[test]
    fn invalid_utf8_names_the_position() {
        let d = decode("t.yaml", b"a: 1\nb: \xff\n".to_vec(), &Limits::default()).unwrap_err();
        assert_eq!(d.code, Code::InvalidUtf8);
        assert_eq!((d.line, d.col), (2, 4));
    }

    #[test]
    fn syntax_errors_have_positions() {
        let d = parse_err("a: \"unterminated\nb: 2\n");
        assert_eq!(d.code, Code::YamlSyntax, "{d}");
        assert!(d.line >= 1, "{d}");
        let d = parse_err("a:\n\tb: 1\n");
        assert_eq!(d.code, Code::YamlSyntax, "{d}");
        assert_eq!(d.line, 2, "{d}");
    }

    /// The parser's first error on `text`.
    fn scan_failure(text: &str) -> ScanError {
        let mut parser = Parser::new_from_str(text);
        loop {
            match parser.next_event() {
                Some(Ok(_)) => {}
                Some(Err(e)) => return e,
                None => panic!("{text:?} parses"),
            }
        }
    }

    /// One input per kind of parser error that `classify` singles out, and
    /// one it does not: the input must still raise that kind (so the case
    /// tests what it says), and the diagnostic must carry the kind's code
    /// and help.
    #[test]
    fn parser_errors_are_classified_by_kind() {
        let tabs = "YAML indentation must use spaces, not tabs";
        let nested = format!("a: {}{}\n", "[".repeat(300), "]".repeat(300));
        let long_directive = format!("%FOO {}\n---\na: 1\n", "x".repeat(2_000));
        let many_parameters = format!("%FOO {}\n---\na: 1\n", ["p"; 20].join(" "));
        let cases = [
            (
                nested.as_str(),
                ErrorKind::RecursionLimitExceeded,
                Code::YamlBudgetExceeded,
                BUDGET_HELP,
            ),
            (
                long_directive.as_str(),
                ErrorKind::DirectiveByteLimitExceeded { limit: 1024 },
                Code::YamlBudgetExceeded,
                BUDGET_HELP,
            ),
            (
                many_parameters.as_str(),
                ErrorKind::TooManyReservedDirectiveParams { limit: 16 },
                Code::YamlBudgetExceeded,
                BUDGET_HELP,
            ),
            (
                "a:\n\tb: 1\n",
                ErrorKind::TabInBlockIndentation,
                Code::YamlSyntax,
                tabs,
            ),
            (
                "a: b\n\tc\n",
                ErrorKind::TabInPlainScalar,
                Code::YamlSyntax,
                tabs,
            ),
            (
                "a: |\n\tx\n",
                ErrorKind::TabAtBlockScalarStart,
                Code::YamlSyntax,
                tabs,
            ),
            (
                "?\n\tfoo\n",
                ErrorKind::TabNotAllowed,
                Code::YamlSyntax,
                tabs,
            ),
            (
                "a: \"unterminated\nb: 2\n",
                ErrorKind::UnclosedQuotedScalar,
                Code::YamlSyntax,
                SYNTAX_HELP,
            ),
        ];
        for (text, kind, code, help) in cases {
            assert_eq!(scan_failure(text).kind(), &kind, "{text:?}");
            let d = parse_err(text);
            assert_eq!(
                (d.code, d.help.as_deref()),
                (code, Some(help)),
                "{text:?}: {d}"
            );
        }
        // Kinds no input reaches with the parser's default options (byte
        // limits apply to streamed input, tabs in indentation to strict
        // mode, and the anchor count would overflow a usize first).
        for kind in [
            ErrorKind::InputByteLimitExceeded { limit: 1 },
            ErrorKind::AnchorCountOverflow,
        ] {
            assert_eq!(classify(&kind), (Code::YamlBudgetExceeded, BUDGET_HELP));
        }
        assert_eq!(
            classify(&ErrorKind::TabInIndentation),
            (Code::YamlSyntax, tabs)
        );
        // A message is never read: a custom error that mentions a limit
        // and a tab is still a plain syntax error.
        assert_eq!(
            classify(&ErrorKind::Custom("tab limit".into())),
            (Code::YamlSyntax, SYNTAX_HELP)
        );
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
