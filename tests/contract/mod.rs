//! Helpers for the tests of the JSON contracts (`schemas/report.schema.json`
//! and the schemas of compare, portfolio and diff): the schemas compiled,
//! the manifests to produce output from, and the check that a schema is
//! strict wherever an output has an object.
#![allow(dead_code)]

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use serde_json::{Value as Json, json};
use url::Url;
use vetted::date::Date;
use vetted::evidence::collect::{Collector, Job, interpret};
use vetted::evidence::fetch::{FetchError, Response};
use vetted::manifest::Collected;
use vetted::schema::Format;

use crate::support;

/// The examples' assessment week, a date when much evidence is stale and
/// keys are due, and one when the incidents have become history.
pub const AS_OF: [&str; 3] = ["2026-11-27", "2028-03-01", "2032-01-15"];

/// The embedded schema of `format`, parsed.
pub fn schema(format: Format) -> &'static Json {
    static SCHEMAS: [OnceLock<Json>; Format::ALL.len()] =
        [const { OnceLock::new() }; Format::ALL.len()];
    SCHEMAS[format as usize].get_or_init(|| serde_json::from_str(format.schema_text()).unwrap())
}

fn validator(format: Format) -> &'static jsonschema::Validator {
    static VALIDATORS: [OnceLock<jsonschema::Validator>; Format::ALL.len()] =
        [const { OnceLock::new() }; Format::ALL.len()];
    VALIDATORS[format as usize].get_or_init(|| {
        // Formats (dates) are checked too: a reader may turn them on.
        jsonschema::draft202012::options()
            .should_validate_formats(true)
            .build(schema(format))
            .unwrap()
    })
}

/// The schema's problems with `instance`, one line each.
pub fn violations(format: Format, instance: &Json) -> Vec<String> {
    validator(format)
        .iter_errors(instance)
        .map(|e| format!("{}: {e}", e.instance_path()))
        .collect()
}

/// Each named document's problems, one entry per document that has any.
pub fn check_all(format: Format, docs: impl IntoIterator<Item = (String, Json)>) -> Vec<String> {
    let mut failures = Vec::new();
    for (name, doc) in docs {
        let problems = violations(format, &doc);
        if !problems.is_empty() {
            failures.push(format!("{name}:\n  {}", problems.join("\n  ")));
        }
    }
    failures
}

/// What a command writes with `--format json`, read back.
pub fn written<D: vetted::report::Render>(doc: &D) -> Json {
    serde_json::from_str(&vetted::report::render::json(doc)).unwrap()
}

/// YAML, but not a calibration case's expectations.
pub fn is_yaml(path: &Path) -> bool {
    let name = path.to_string_lossy();
    (name.ends_with(".yaml") || name.ends_with(".yml")) && !name.ends_with(".expect.yaml")
}

pub fn yaml_files(dir: &Path) -> Vec<PathBuf> {
    support::files(dir)
        .into_iter()
        .filter(|p| is_yaml(p))
        .collect()
}

/// Manifests under `../shared/fixtures`: YAML files with the two sections
/// every manifest has. The rest there is evidence (see [`with_evidence`]).
pub fn shared_manifests() -> Vec<PathBuf> {
    let Some(root) = support::shared("") else {
        return Vec::new();
    };
    let mut found = Vec::new();
    let mut dirs = vec![root];
    while let Some(dir) = dirs.pop() {
        for path in support::files(&dir) {
            if path.is_dir() {
                dirs.push(path);
                continue;
            }
            if !is_yaml(&path) {
                continue;
            }
            let text = std::fs::read_to_string(&path).unwrap_or_default();
            let top = |key: &str| text.lines().any(|l| l.starts_with(key));
            if top("vendor:") && top("integration:") {
                found.push(path);
            }
        }
    }
    eprintln!(
        "{} manifest(s) among ../shared/fixtures: {found:?}",
        found.len()
    );
    found
}

/// The examples, the calibration cases and the shared manifests.
pub fn manifests() -> Vec<PathBuf> {
    let mut all = support::bundled_manifests();
    assert!(all.len() >= 25, "{all:?}");
    all.extend(shared_manifests());
    all
}

/// One collector's fixtures: the project's own, then the shared ones.
fn evidence_files(own: &str, shared: &str) -> Vec<PathBuf> {
    let mut out = support::files(Path::new(own));
    if let Some(dir) = support::shared(shared) {
        out.extend(support::files(&dir));
    }
    out
}

fn response(body: Vec<u8>, content_type: &str) -> Result<Response, FetchError> {
    Ok(Response {
        final_url: "https://vendor.example/".into(),
        status: 200,
        content_type: Some(content_type.into()),
        hsts: Some("max-age=63072000".into()),
        security: Default::default(),
        body,
    })
}

/// The repository a repository or Scorecard fixture is about, asked for
/// as `vetted collect` would ask for it, so that its facts are recorded.
fn about(collector: Collector, body: &[u8]) -> Option<String> {
    let v: Json = serde_json::from_slice(body).ok()?;
    match collector {
        Collector::Repository => v["full_name"].as_str().map(str::to_string),
        Collector::Scorecard => v["repo"]["name"]
            .as_str()
            .map(|n| n.strip_prefix("github.com/").unwrap_or(n).to_string()),
        _ => None,
    }
}

/// What `vetted collect` would record from the `i`-th fixture of each
/// collector (cycling through the shorter lists), with one failed fetch.
fn collected(i: usize, fixtures: &[(Collector, &str, Vec<PathBuf>)], as_of: Date) -> Collected {
    let observed = format!("{as_of}T00:00:00Z");
    let url = |path: &str| Url::parse(&format!("https://vendor.example/{path}")).unwrap();
    let mut results = vec![
        (
            Job {
                collector: Collector::Website,
                url: url(""),
                body: false,
                repository: None,
            },
            response(Vec::new(), "text/html"),
        ),
        (
            Job {
                collector: Collector::Docs,
                url: url("docs"),
                body: false,
                repository: None,
            },
            Err(FetchError::Failed("connection reset".into())),
        ),
    ];
    for (collector, content_type, files) in fixtures {
        let file = &files[i % files.len()];
        let body = std::fs::read(file).unwrap();
        results.push((
            Job {
                collector: *collector,
                url: url(&file.file_name().unwrap().to_string_lossy()),
                body: true,
                repository: about(*collector, &body),
            },
            response(body, content_type),
        ));
    }
    let mut c = interpret(&results, as_of, &observed);
    vetted::evidence::collect::add_transport(&mut c);
    vetted::evidence::withhold_secrets(&mut c);
    c
}

/// An example with public evidence recorded in it.
pub struct WithEvidence {
    /// The example it started from.
    pub original: PathBuf,
    /// Which round of fixtures.
    pub name: String,
    /// The manifest with `collected` and the answers the facts filled.
    pub text: String,
    /// How many answers the facts filled.
    pub filled: usize,
    /// How many answers the facts contradicted.
    pub contradictions: usize,
}

/// The examples, each round the next one, with the evidence of the next
/// fixture of every collector (the project's own, then `../shared`'s)
/// recorded as `vetted collect` records it, computed once.
pub fn with_evidence() -> &'static [WithEvidence] {
    static CASES: OnceLock<Vec<WithEvidence>> = OnceLock::new();
    CASES.get_or_init(|| {
        let catalog = vetted::load_catalog(None).unwrap();
        let fixtures = [
            (
                Collector::SecurityTxt,
                "text/plain",
                evidence_files("tests/fixtures/security-txt", "security-txt"),
            ),
            (
                Collector::SecurityInsights,
                "text/plain",
                evidence_files("tests/fixtures/collect/insights", "security-insights"),
            ),
            (
                Collector::Repository,
                "application/json",
                evidence_files("tests/fixtures/collect/repo", "github-repo"),
            ),
            (
                Collector::Scorecard,
                "application/json",
                evidence_files("tests/fixtures/collect/scorecard", "scorecard"),
            ),
        ];
        let rounds = fixtures.iter().map(|f| f.2.len()).max().unwrap();
        let examples = yaml_files(Path::new("examples"));
        (0..rounds)
            .map(|i| {
                let path = &examples[i % examples.len()];
                let text = std::fs::read(path).unwrap();
                let name = path.display().to_string();
                let mut manifest = vetted::manifest::load(&name, text, &catalog)
                    .unwrap()
                    .manifest;
                // Observed on the assessment date: evidence may not postdate it.
                let c = collected(i, &fixtures, manifest.assessment.date);
                assert!(!c.facts.is_empty() && !c.failures.is_empty(), "{c:#?}");
                let applied = vetted::evidence::apply(&mut manifest, &catalog, c);
                WithEvidence {
                    original: path.clone(),
                    name: format!("{name} with evidence round {i}"),
                    text: vetted::manifest::write::render(&manifest).unwrap(),
                    filled: applied.filled.len(),
                    contradictions: applied.contradictions.len(),
                }
            })
            .collect()
    })
}

/// One document holding every section: the first of `docs`, each top-level
/// field it leaves empty (null or `[]`) taken from the first that fills it.
/// Fails if none fills one, as that part of the schema would go unchecked.
pub fn merged<'a>(docs: impl IntoIterator<Item = &'a Json>) -> Json {
    let mut docs = docs.into_iter();
    let mut doc = docs.next().unwrap().clone();
    let empty = |v: &Json| v.is_null() || v.as_array().is_some_and(Vec::is_empty);
    for other in docs {
        for (k, v) in other.as_object().unwrap() {
            if empty(&doc[k]) && !empty(v) {
                doc[k] = v.clone();
            }
        }
    }
    let unfilled: Vec<&String> = doc
        .as_object()
        .unwrap()
        .iter()
        .filter(|(_, v)| empty(v))
        .map(|(k, _)| k)
        .collect();
    assert!(unfilled.is_empty(), "nothing fills {unfilled:?}");
    doc
}

/// Every object in `v` with its JSON pointer, the first object of each
/// shape only: the pointer with array indices as `*`, and the `kind` of a
/// tagged object (a condition, a basis), whose fields depend on it.
fn objects(
    v: &Json,
    pointer: String,
    shape: String,
    seen: &mut BTreeSet<String>,
    out: &mut Vec<String>,
) {
    match v {
        Json::Object(map) => {
            let kind = map.get("kind").and_then(Json::as_str).unwrap_or_default();
            if seen.insert(format!("{shape}:{kind}")) {
                out.push(pointer.clone());
            }
            for (k, x) in map {
                let k = k.replace('~', "~0").replace('/', "~1");
                // Fact names are data, not fields.
                let key_shape = if shape.ends_with("/collected/facts") {
                    "*"
                } else {
                    &k
                };
                objects(
                    x,
                    format!("{pointer}/{k}"),
                    format!("{shape}/{key_shape}"),
                    seen,
                    out,
                );
            }
        }
        Json::Array(items) => {
            for (i, x) in items.iter().enumerate() {
                objects(x, format!("{pointer}/{i}"), format!("{shape}/*"), seen, out);
            }
        }
        _ => {}
    }
}

/// The objects under `under` in a valid `doc` that would still validate
/// with a field added, or with one of theirs dropped (other than the
/// `optional` field names): each is a place where the output could change
/// shape unnoticed.
pub fn lenient_places(format: Format, doc: &Json, under: &str, optional: &[&str]) -> Vec<String> {
    let problems = violations(format, doc);
    assert!(problems.is_empty(), "{problems:?}");
    let mut pointers = Vec::new();
    objects(
        doc.pointer(under).unwrap(),
        under.to_string(),
        String::new(),
        &mut BTreeSet::new(),
        &mut pointers,
    );
    let mut lenient = Vec::new();
    for pointer in &pointers {
        let object = |doc: &mut Json| -> serde_json::Map<String, Json> {
            std::mem::take(doc.pointer_mut(pointer).unwrap().as_object_mut().unwrap())
        };
        let fields = object(&mut doc.clone());
        let mut added = doc.clone();
        let mut with_more = object(&mut added);
        with_more.insert("added_field".into(), json!(1));
        *added.pointer_mut(pointer).unwrap() = Json::Object(with_more);
        if violations(format, &added).is_empty() {
            lenient.push(format!("{pointer}: accepts an added field"));
        }
        // The facts map holds any fact name; its entries are not fields.
        if pointer.ends_with("/collected/facts") {
            continue;
        }
        for field in fields.keys().filter(|f| !optional.contains(&f.as_str())) {
            let mut dropped = doc.clone();
            let mut fewer = fields.clone();
            fewer.shift_remove(field);
            *dropped.pointer_mut(pointer).unwrap() = Json::Object(fewer);
            if violations(format, &dropped).is_empty() {
                lenient.push(format!("{pointer}: accepts it without `{field}`"));
            }
        }
    }
    eprintln!(
        "{}: {} places under `{under}` checked",
        format.name(),
        pointers.len()
    );
    lenient
}

/// Every variant of a fieldless enum, as an array. The `match` inside has
/// no wildcard, so it stops compiling when the enum gains a variant and
/// the list cannot fall behind.
macro_rules! every {
    ($ty:ident :: { $($v:ident),* $(,)? }) => {{
        let all = [$($ty::$v),*];
        for x in &all {
            match x {
                $($ty::$v)|* => {}
            }
        }
        all
    }};
}

/// The serialised names of fieldless enum values.
pub fn names<T: serde::Serialize>(values: &[T]) -> BTreeSet<String> {
    values
        .iter()
        .map(|v| {
            serde_json::to_value(v)
                .unwrap()
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect()
}
