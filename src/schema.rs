//! The JSON Schemas (draft 2020-12) of the file formats, embedded in the
//! binary, and validation of a parsed document against them.
//!
//! Validation runs on the [`Node`] tree so that every schema error can point
//! at `file:line:col`; unknown keys get a "did you mean" from the schema's own
//! list of properties.

use std::sync::OnceLock;

use jsonschema::error::{TypeKind, ValidationErrorKind};
use serde_json::Value as Json;

use crate::diag::{self, Code, Diagnostic};
use crate::yaml::Node;

/// A format with a schema: the files `vetted` reads, and the JSON it writes
/// (a contract for whoever reads `--format json`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// `checklists/*.yaml`.
    Checklist,
    /// An assessment of one vendor.
    Manifest,
    /// Weights, thresholds, credits and intervals.
    Policy,
    /// The JSON report of `vetted assess`.
    Report,
    /// The JSON of `vetted compare`.
    Compare,
    /// The JSON of `vetted portfolio`.
    Portfolio,
    /// The JSON of `vetted diff`.
    Diff,
}

impl Format {
    /// Every format, in the order `vetted schema` lists them.
    pub const ALL: [Format; 7] = [
        Format::Checklist,
        Format::Manifest,
        Format::Policy,
        Format::Report,
        Format::Compare,
        Format::Portfolio,
        Format::Diff,
    ];

    /// The schema text, as shipped.
    pub fn schema_text(self) -> &'static str {
        match self {
            Format::Checklist => include_str!("../schemas/checklist.schema.json"),
            Format::Manifest => include_str!("../schemas/manifest.schema.json"),
            Format::Policy => include_str!("../schemas/policy.schema.json"),
            Format::Report => include_str!("../schemas/report.schema.json"),
            Format::Compare => include_str!("../schemas/compare.schema.json"),
            Format::Portfolio => include_str!("../schemas/portfolio.schema.json"),
            Format::Diff => include_str!("../schemas/diff.schema.json"),
        }
    }

    fn compiled(self) -> &'static (Json, jsonschema::Validator) {
        static CELLS: [OnceLock<(Json, jsonschema::Validator)>; Format::ALL.len()] =
            [const { OnceLock::new() }; Format::ALL.len()];
        let cell = &CELLS[self as usize];
        cell.get_or_init(|| {
            // The schemas are part of the binary and covered by tests, so a
            // failure here is a build defect, not bad user input.
            let schema: Json =
                serde_json::from_str(self.schema_text()).expect("embedded schema is valid JSON");
            let validator =
                jsonschema::draft202012::new(&schema).expect("embedded schema compiles");
            (schema, validator)
        })
    }
}

/// Checks `root` against the schema of `format`; one diagnostic per problem.
pub fn validate(format: Format, file: &str, root: &Node) -> Vec<Diagnostic> {
    validate_json(format, file, root, &root.to_json())
}

/// [`validate`], for a caller that already holds `root` as JSON.
pub fn validate_json(
    format: Format,
    file: &str,
    root: &Node,
    instance: &serde_json::Value,
) -> Vec<Diagnostic> {
    let (schema, validator) = format.compiled();
    // The yes/no check is much cheaper than collecting errors, and nearly
    // every file passes.
    if validator.is_valid(instance) {
        return Vec::new();
    }
    let mut out = Vec::new();
    for error in validator.iter_errors(instance) {
        let pointer = error.instance_path().as_str().to_string();
        let schema_path = error.schema_path().as_str().to_string();
        let at = human_path(&pointer);
        match error.kind() {
            ValidationErrorKind::AdditionalProperties { unexpected } => {
                let allowed = allowed_properties(schema, &schema_path);
                for name in unexpected {
                    let pos = root.locate_key(&pointer, name);
                    let mut d = Diagnostic::error(
                        Code::UnknownField,
                        file,
                        pos,
                        format!("unknown field `{}` in {at}", diag::quote(name)),
                    );
                    d = match diag::suggest(name, allowed.iter().map(String::as_str)) {
                        Some(s) => d.with_help(format!("did you mean `{s}`?")),
                        None if !allowed.is_empty() => {
                            d.with_help(format!("expected one of: {}", allowed.join(", ")))
                        }
                        None => d,
                    };
                    out.push(d);
                }
            }
            ValidationErrorKind::Required { property } => {
                let name = property.as_str().unwrap_or_default();
                // A field required only for some values of another (a
                // `then`) says why in its description.
                let why = then_description(schema, &schema_path);
                out.push(
                    Diagnostic::error(
                        Code::MissingField,
                        file,
                        root.locate(&pointer),
                        format!("{at} is missing the required field `{name}`"),
                    )
                    .with_help(match why {
                        Some(why) => format!("add `{name}:`: {why}"),
                        None => format!(
                            "add `{name}:`; `vetted schema {}` shows the format",
                            format.name()
                        ),
                    }),
                );
            }
            // A field that a `then` rules out for some values of another.
            ValidationErrorKind::FalseSchema if schema_path.contains("/then/") => {
                let (parent, name) = pointer.rsplit_once('/').unwrap_or(("", &pointer));
                let why = then_description(schema, &schema_path);
                let mut d = Diagnostic::error(
                    Code::UnknownField,
                    file,
                    root.locate_key(parent, name),
                    format!(
                        "`{}` does not belong in {}",
                        diag::quote(name),
                        human_path(parent)
                    ),
                );
                if let Some(why) = why {
                    d = d.with_help(why);
                }
                out.push(d);
            }
            ValidationErrorKind::Enum { options } => {
                let choices: Vec<String> = options
                    .as_array()
                    .map(|a| a.iter().map(display_json).collect())
                    .unwrap_or_default();
                let found = display_json(error.instance());
                let mut d = Diagnostic::error(
                    Code::InvalidValue,
                    file,
                    root.locate(&pointer),
                    format!(
                        "{at} is `{}`, which is not one of: {}",
                        diag::quote(&found),
                        choices.join(", ")
                    ),
                );
                if let Some(s) = diag::suggest(&found, choices.iter().map(String::as_str)) {
                    d = d.with_help(format!("did you mean `{s}`?"));
                }
                out.push(d);
            }
            ValidationErrorKind::Type { kind } => {
                let expected = match kind {
                    TypeKind::Single(t) => t.to_string(),
                    TypeKind::Multiple(set) => set
                        .iter()
                        .map(|t| t.to_string())
                        .collect::<Vec<_>>()
                        .join(" or "),
                };
                out.push(
                    Diagnostic::error(
                        Code::WrongType,
                        file,
                        root.locate(&pointer),
                        format!(
                            "{at} should be {} but is {}",
                            article(&expected),
                            describe(error.instance())
                        ),
                    )
                    .with_help("quote a value to make it a string; use `[a, b]` for a list"),
                );
            }
            ValidationErrorKind::Pattern { .. } => {
                let description = schema_description(schema, &schema_path);
                let found = display_json(error.instance());
                let mut d = Diagnostic::error(
                    Code::InvalidValue,
                    file,
                    root.locate(&pointer),
                    format!(
                        "{at} is `{}`, which is not in the expected form",
                        diag::quote(&found)
                    ),
                );
                if let Some(desc) = description {
                    d = d.with_help(desc);
                }
                out.push(d);
            }
            _ => out.push(Diagnostic::error(
                Code::SchemaViolation,
                file,
                root.locate(&pointer),
                format!("{at}: {}", error.masked()),
            )),
        }
    }
    out
}

impl Format {
    /// The name `vetted schema NAME` takes.
    pub fn name(self) -> &'static str {
        match self {
            Format::Checklist => "checklist",
            Format::Manifest => "manifest",
            Format::Policy => "policy",
            Format::Report => "report",
            Format::Compare => "compare",
            Format::Portfolio => "portfolio",
            Format::Diff => "diff",
        }
    }
}

/// `/answers/keys.withdrawal/value` as `answers.keys.withdrawal.value`.
pub fn human_path(pointer: &str) -> String {
    if pointer.is_empty() {
        return "the document".to_string();
    }
    let mut path = String::new();
    for segment in pointer.split('/').skip(1) {
        let segment = segment.replace("~1", "/").replace("~0", "~");
        if segment.bytes().all(|b| b.is_ascii_digit()) {
            path.push_str(&format!("[{segment}]"));
        } else {
            if !path.is_empty() {
                path.push('.');
            }
            path.push_str(&diag::quote(&segment));
        }
    }
    format!("`{path}`")
}

fn article(t: &str) -> String {
    match t.chars().next() {
        Some('a' | 'e' | 'i' | 'o' | 'u') => format!("an {t}"),
        _ => format!("a {t}"),
    }
}

fn describe(v: &Json) -> String {
    match v {
        Json::Null => "empty".to_string(),
        Json::Bool(b) => format!("the boolean `{b}`"),
        Json::Number(n) => format!("the number `{n}`"),
        Json::String(_) => "a string".to_string(),
        Json::Array(_) => "a list".to_string(),
        Json::Object(_) => "a mapping".to_string(),
    }
}

fn display_json(v: &Json) -> String {
    match v {
        Json::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// The property names a schema object allows, found from the keyword
/// location of its `additionalProperties`.
fn allowed_properties(schema: &Json, schema_path: &str) -> Vec<String> {
    let parent = schema_path.rsplit_once('/').map_or("", |(p, _)| p);
    schema
        .pointer(parent)
        .and_then(|s| s.get("properties"))
        .and_then(Json::as_object)
        .map(|props| props.keys().cloned().collect())
        .unwrap_or_default()
}

/// The description of the `then` an error comes from: why a field is
/// required, or ruled out, for some values of another.
fn then_description(schema: &Json, schema_path: &str) -> Option<String> {
    let at = schema_path.rfind("/then/")?;
    let node = schema.pointer(&schema_path[..at + "/then".len()])?;
    node.get("description")
        .and_then(Json::as_str)
        .map(str::to_string)
}

fn schema_description(schema: &Json, schema_path: &str) -> Option<String> {
    let parent = schema_path.rsplit_once('/').map_or("", |(p, _)| p);
    let node = schema.pointer(parent)?;
    if let Some(d) = node.get("description").and_then(Json::as_str) {
        return Some(d.to_string());
    }
    node.get("pattern")
        .and_then(Json::as_str)
        .map(|p| format!("it must match the pattern `{p}`"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::yaml::{self, Limits};

    #[test]
    fn embedded_schemas_compile() {
        for f in Format::ALL {
            let _ = f.compiled();
        }
    }

    #[test]
    fn all_lists_each_format_at_its_own_index() {
        // `compiled` keeps one cache cell per format, indexed by discriminant.
        for (i, f) in Format::ALL.into_iter().enumerate() {
            assert_eq!(f as usize, i, "{f:?}");
        }
    }

    #[test]
    fn unknown_field_points_at_the_key_with_a_suggestion() {
        let text = "vendor:\n  name: X\n  webiste: https://x.example\nintegration: {purpose: p, checklists: [baseline], permissions: [read]}\nassessment: {assessor: A, date: 2026-01-01}\n";
        let root = yaml::parse("m.yaml", text, &Limits::default()).unwrap();
        let diags = validate(Format::Manifest, "m.yaml", &root);
        assert_eq!(diags.len(), 1, "{diags:?}");
        assert_eq!(diags[0].code, Code::UnknownField);
        assert_eq!((diags[0].line, diags[0].col), (3, 3));
        assert_eq!(diags[0].help.as_deref(), Some("did you mean `website`?"));
    }

    #[test]
    fn reports_every_problem_at_once() {
        let text = "vendor: {}\nintegration: {purpose: p, checklists: [baseline], permissions: [withdrawl]}\nassessment: {assessor: 3, date: 2026-01-01}\n";
        let root = yaml::parse("m.yaml", text, &Limits::default()).unwrap();
        let diags = validate(Format::Manifest, "m.yaml", &root);
        let codes: Vec<_> = diags.iter().map(|d| d.code).collect();
        assert!(codes.contains(&Code::MissingField), "{diags:?}");
        assert!(codes.contains(&Code::InvalidValue), "{diags:?}");
        assert!(codes.contains(&Code::WrongType), "{diags:?}");
        let enum_diag = diags.iter().find(|d| d.code == Code::InvalidValue).unwrap();
        assert_eq!(enum_diag.help.as_deref(), Some("did you mean `withdraw`?"));
        assert_eq!(enum_diag.line, 2);
    }
}
