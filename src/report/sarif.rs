//! SARIF 2.1.0: the findings of an assessment as static-analysis results,
//! so that code scanning shows them on the pull request that changes the
//! manifest. These structs are the format (the subset `vetted` writes);
//! `tests/sarif.rs` validates what they produce against the OASIS schema.
//!
//! Each finding is one result, located at the answer it is about (or, for a
//! rule, at the first part of the manifest its condition reads); each rule
//! or question behind a finding is one reporting descriptor, with its help,
//! remediation, framework references and a `security-severity` that code
//! scanning maps to its own severities.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use crate::checklist::Catalog;
use crate::diag::Pos;
use crate::document::Document;
use crate::evaluate::{Assessment, Finding, FindingKind};
use crate::level::Level;

/// The schema a SARIF 2.1.0 log names.
pub const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";

/// A SARIF log: one run of `vetted`.
#[derive(Clone, Debug, Serialize)]
pub struct Log {
    /// The schema it follows.
    #[serde(rename = "$schema")]
    pub schema: &'static str,
    /// Always `2.1.0`.
    pub version: &'static str,
    /// The runs (one).
    pub runs: Vec<Run>,
}

/// One run: the tool and what it found.
#[derive(Clone, Debug, Serialize)]
pub struct Run {
    /// The tool.
    pub tool: Tool,
    /// One result per finding.
    pub results: Vec<SarifResult>,
}

/// The tool of a run.
#[derive(Clone, Debug, Serialize)]
pub struct Tool {
    /// Its driver.
    pub driver: Driver,
}

/// `vetted`, with the rules its results refer to.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Driver {
    /// `vetted`.
    pub name: &'static str,
    /// The tool's version.
    pub version: &'static str,
    /// The rules and questions behind the results.
    pub rules: Vec<Descriptor>,
}

/// A rule or question, as a SARIF reporting descriptor.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Descriptor {
    /// The id results refer to.
    pub id: String,
    /// The question or the rule's message.
    pub short_description: Text,
    /// Why it matters.
    pub full_description: Text,
    /// What to do.
    pub help: Text,
    /// The level of a result without one of its own.
    pub default_configuration: Configuration,
    /// Tags and the severity code scanning reads.
    pub properties: Properties,
}

/// Plain text.
#[derive(Clone, Debug, Serialize)]
pub struct Text {
    /// The text.
    pub text: String,
}

/// A descriptor's default configuration.
#[derive(Clone, Debug, Serialize)]
pub struct Configuration {
    /// `error`, `warning` or `note`.
    pub level: &'static str,
}

/// A descriptor's properties.
#[derive(Clone, Debug, Serialize)]
pub struct Properties {
    /// `security`, the checklist, and framework references.
    pub tags: Vec<String>,
    /// A number from 0.1 to 10 as text: code scanning shows 9 and above as
    /// critical, 7 as high, 4 as medium, below as low.
    #[serde(rename = "security-severity")]
    pub security_severity: String,
}

/// One finding.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SarifResult {
    /// The descriptor's id.
    pub rule_id: String,
    /// Its position in the driver's rules.
    pub rule_index: usize,
    /// `error`, `warning` or `note`.
    pub level: &'static str,
    /// What was found.
    pub message: Text,
    /// Where, in the manifest.
    pub locations: Vec<Location>,
}

/// A place in the manifest.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Location {
    /// The file and region.
    pub physical_location: PhysicalLocation,
}

/// A file and, when known, a line and column in it.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PhysicalLocation {
    /// The file.
    pub artifact_location: ArtifactLocation,
    /// The line and column.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub region: Option<Region>,
}

/// A file, as a relative URI reference.
#[derive(Clone, Debug, Serialize)]
pub struct ArtifactLocation {
    /// The path as given, percent-encoded where a URI needs it.
    pub uri: String,
}

/// A line and column, 1-based.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Region {
    /// Line.
    pub start_line: u32,
    /// Column.
    pub start_column: u32,
}

/// The SARIF log of one assessment of the manifest `doc`.
pub fn log(doc: &Document, catalog: &Catalog, a: &Assessment) -> Log {
    let mut b = LogBuilder::default();
    b.add(doc, catalog, a);
    b.finish()
}

/// A SARIF log of several manifests (a portfolio): each manifest's
/// findings located in its own file, and each manifest that could not be
/// assessed as one result per diagnostic, so that code scanning shows a
/// broken manifest on its pull request as well.
#[derive(Default)]
pub struct LogBuilder {
    rules: Vec<Descriptor>,
    index: BTreeMap<String, usize>,
    results: Vec<SarifResult>,
}

impl LogBuilder {
    /// The descriptor's index, made with `make` the first time `id` is seen.
    fn rule(&mut self, id: &str, make: impl FnOnce() -> Descriptor) -> usize {
        if let Some(i) = self.index.get(id) {
            return *i;
        }
        self.rules.push(make());
        self.index.insert(id.to_string(), self.rules.len() - 1);
        self.rules.len() - 1
    }

    /// Adds the findings of one assessed manifest.
    pub fn add(&mut self, doc: &Document, catalog: &Catalog, a: &Assessment) {
        for f in &a.findings {
            let id = rule_id(f);
            let rule_index = self.rule(&id, || descriptor(&id, f, catalog));
            self.results.push(SarifResult {
                rule_id: id,
                rule_index,
                level: level(f.severity),
                message: Text {
                    text: format!("{}: {}", f.title, f.detail),
                },
                locations: vec![located(&doc.file, region(f, catalog, doc))],
            });
        }
    }

    /// Adds the diagnostics of a manifest that could not be assessed: each
    /// code is a rule (`manifest/CODE`), described by its reference text.
    pub fn add_invalid(&mut self, diagnostics: &[crate::diag::Diagnostic]) {
        for d in diagnostics {
            let id = format!("manifest/{}", d.code.as_str());
            let code = d.code;
            let rule_index = self.rule(&id, || Descriptor {
                id: id.clone(),
                short_description: Text {
                    text: format!("The manifest cannot be assessed: {}", code.as_str()),
                },
                full_description: Text {
                    text: code.description().to_string(),
                },
                help: Text {
                    text: code.help().to_string(),
                },
                default_configuration: Configuration { level: "error" },
                properties: Properties {
                    tags: vec!["security".to_string(), "manifest".to_string()],
                    security_severity: security_severity(Level::High).to_string(),
                },
            });
            let region = (d.line > 0 && d.col > 0).then_some(Region {
                start_line: d.line,
                start_column: d.col,
            });
            self.results.push(SarifResult {
                rule_id: id,
                rule_index,
                level: if d.is_error() { "error" } else { "warning" },
                message: Text {
                    text: match &d.help {
                        Some(h) => format!("{} (help: {h})", d.message),
                        None => d.message.clone(),
                    },
                },
                locations: vec![located(&d.file, region)],
            });
        }
    }

    /// The log.
    pub fn finish(self) -> Log {
        Log {
            schema: SCHEMA,
            version: "2.1.0",
            runs: vec![Run {
                tool: Tool {
                    driver: Driver {
                        name: "vetted",
                        version: env!("CARGO_PKG_VERSION"),
                        rules: self.rules,
                    },
                },
                results: self.results,
            }],
        }
    }
}

fn located(file: &str, region: Option<Region>) -> Location {
    Location {
        physical_location: PhysicalLocation {
            artifact_location: ArtifactLocation { uri: uri(file) },
            region,
        },
    }
}

/// A finding's descriptor id: the question or rule id; a contradiction
/// between an answer and collected evidence or recorded documents is a
/// rule of its own per question, since a question may also have a finding
/// of its answer.
fn rule_id(f: &Finding) -> String {
    match f.kind {
        FindingKind::Contradiction => format!("contradiction/{}", f.id),
        FindingKind::Document => format!("document/{}", f.id),
        FindingKind::Question | FindingKind::Rule => f.id.clone(),
    }
}

fn descriptor(id: &str, f: &Finding, catalog: &Catalog) -> Descriptor {
    let known = match f.kind {
        FindingKind::Question | FindingKind::Contradiction | FindingKind::Document => {
            catalog.question(&f.id).map(|(checklist, _, q)| {
                (
                    q.text.clone(),
                    q.help.clone().unwrap_or_else(|| q.text.clone()),
                    q.remediation.clone(),
                    q.severity,
                    reference_tags(&checklist.id, &q.references),
                )
            })
        }
        FindingKind::Rule => catalog.rule(&f.id).map(|(checklist, r)| {
            (
                r.message.clone(),
                r.message.clone(),
                r.remediation.clone(),
                r.finding_severity(),
                vec![format!("checklist:{}", checklist.id)],
            )
        }),
    };
    // What no checklist defines (the policy's never-grant gate) is
    // described by the finding itself.
    let (short, full, help, severity, mut tags) = known.unwrap_or_else(|| {
        (
            f.title.clone(),
            f.title.clone(),
            None,
            f.severity,
            Vec::new(),
        )
    });
    tags.insert(0, "security".to_string());
    Descriptor {
        id: id.to_string(),
        short_description: Text { text: short },
        full_description: Text { text: full },
        help: Text {
            text: help
                .or_else(|| f.remediation.clone())
                .unwrap_or_else(|| "See the assessment report.".to_string()),
        },
        default_configuration: Configuration {
            level: level(severity),
        },
        properties: Properties {
            tags,
            security_severity: security_severity(severity).to_string(),
        },
    }
}

fn reference_tags(checklist: &str, references: &BTreeMap<String, String>) -> Vec<String> {
    std::iter::once(format!("checklist:{checklist}"))
        .chain(references.iter().map(|(k, v)| format!("{k}:{v}")))
        .collect()
}

/// SARIF's levels: what must be fixed before access is granted is an
/// error, what should be is a warning, the rest a note.
fn level(severity: Level) -> &'static str {
    match severity {
        Level::Critical | Level::High => "error",
        Level::Medium => "warning",
        Level::Low => "note",
    }
}

/// Inside each of code scanning's bands (critical from 9, high from 7,
/// medium from 4, low below).
fn security_severity(severity: Level) -> &'static str {
    match severity {
        Level::Critical => "9.5",
        Level::High => "8.0",
        Level::Medium => "5.5",
        Level::Low => "3.0",
    }
}

/// Where in the manifest a finding is about: the answer's value, or the
/// first answer the rule reads, or what else it reads (incidents, the
/// integration); an unanswered question points at the answers.
fn region(f: &Finding, catalog: &Catalog, doc: &Document) -> Option<Region> {
    let root = &doc.root;
    let answer = |id: &str| Some(root.get("answers")?.get(id)?.get("value")?.pos);
    let pos = match f.kind {
        FindingKind::Question | FindingKind::Contradiction | FindingKind::Document => answer(&f.id)
            .or_else(|| root.get("answers").map(|n| n.pos))
            .unwrap_or(Pos::START),
        FindingKind::Rule => {
            let read = catalog.rule_condition(&f.id).map(|c| {
                let ids: BTreeSet<String> = catalog.question_ids().map(str::to_string).collect();
                let first = c.expr.questions(&ids).into_iter().find_map(|q| answer(&q));
                let incidents = c
                    .expr
                    .names()
                    .iter()
                    .any(|n| n.split('.').next() == Some("incidents"));
                (first, incidents)
            });
            let part = |name: &str| root.get(name).map(|n| n.pos);
            match read {
                Some((Some(pos), _)) => pos,
                Some((None, true)) => part("incidents").unwrap_or(Pos::START),
                _ => part("integration").unwrap_or(Pos::START),
            }
        }
    };
    (pos.line > 0 && pos.col > 0).then_some(Region {
        start_line: pos.line,
        start_column: pos.col,
    })
}

/// A path as a URI reference: unreserved characters and `/` as they are,
/// everything else percent-encoded (a space, `#`, `?`, `%`).
fn uri(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for b in path.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~/".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_become_uri_references() {
        assert_eq!(uri("vendors/acme bot.yaml"), "vendors/acme%20bot.yaml");
        assert_eq!(uri("a#b?c%"), "a%23b%3Fc%25");
    }

    #[test]
    fn severities_fall_in_code_scanning_bands() {
        for (l, band) in [
            (Level::Critical, 9.0..=10.0),
            (Level::High, 7.0..=8.9),
            (Level::Medium, 4.0..=6.9),
            (Level::Low, 0.1..=3.9),
        ] {
            let s: f64 = security_severity(l).parse().unwrap();
            assert!(band.contains(&s), "{l}: {s}");
        }
    }
}
