//! OpenSSF Security Insights (v1 `SECURITY-INSIGHTS.yml`, v2
//! `security-insights.yml`): the facts a vendor review needs, read through
//! the same YAML module and budgets as manifests.
//!
//! Files in the wild mix layouts, misspell fields and leave placeholders;
//! reading never fails on them. Each fact is read where the file's layout
//! keeps it, and what cannot be read is listed as a problem.

use serde::Serialize;

use super::security_txt::parse_timestamp;
use crate::date::Date;
use crate::yaml::{self, Limits, Node, Value};

/// Which layout the file uses.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Layout {
    /// v1.0.0: header with an expiration date, project-lifecycle, ...
    V1,
    /// v2.x: header, project, repository.
    V2,
    /// Neither.
    Unknown,
}

/// What a Security Insights file says.
#[derive(Clone, Debug, Serialize)]
pub struct SecurityInsights {
    /// `header.schema-version`, when it is text.
    pub schema_version: Option<String>,
    /// The layout.
    pub layout: Layout,
    /// v1 `header.expiration-date`.
    pub expires: Option<Date>,
    /// `header.last-updated`.
    pub last_updated: Option<Date>,
    /// Lifecycle or repository status (`active`, `inactive`, ...).
    pub status: Option<String>,
    /// Whether vulnerability reports are accepted.
    pub accepts_reports: Option<bool>,
    /// Whether a bug bounty is offered.
    pub bug_bounty: Option<bool>,
    /// The security policy URL.
    pub security_policy: Option<String>,
    /// Names of recorded security assessments (v2) or whether security
    /// testing is listed (v1).
    pub assessments: Vec<String>,
    /// What could not be read.
    pub problems: Vec<String>,
}

fn path<'a>(root: &'a Node, keys: &[&str]) -> Option<&'a Node> {
    keys.iter().try_fold(root, |n, k| n.get(k))
}

fn text(root: &Node, keys: &[&str]) -> Option<String> {
    path(root, keys).and_then(|n| match &n.value {
        Value::Str(s) => Some(s.clone()),
        Value::Int(i) => Some(i.to_string()),
        Value::Float(f) => Some(f.to_string()),
        _ => None,
    })
}

fn flag(root: &Node, keys: &[&str]) -> Option<bool> {
    path(root, keys).and_then(|n| match n.value {
        Value::Bool(b) => Some(b),
        _ => None,
    })
}

fn date(root: &Node, keys: &[&str], problems: &mut Vec<String>) -> Option<Date> {
    let raw = text(root, keys)?;
    let parsed = raw.parse::<Date>().ok().or_else(|| parse_timestamp(&raw));
    if parsed.is_none() {
        problems.push(format!(
            "{} is `{}`, not a date",
            keys.join("."),
            crate::diag::quote(&raw)
        ));
    }
    parsed
}

/// Parses a Security Insights file. A file that is not YAML at all, or
/// breaks the parser's budgets, yields no facts and one problem.
pub fn parse(file: &str, text_in: &str) -> SecurityInsights {
    let mut out = SecurityInsights {
        schema_version: None,
        layout: Layout::Unknown,
        expires: None,
        last_updated: None,
        status: None,
        accepts_reports: None,
        bug_bounty: None,
        security_policy: None,
        assessments: Vec::new(),
        problems: Vec::new(),
    };
    let root = match yaml::parse(file, text_in, &Limits::default()) {
        Ok(root) => root,
        Err(d) => {
            out.problems.push(d.message);
            return out;
        }
    };
    out.schema_version = text(&root, &["header", "schema-version"]);
    if out.schema_version.is_none() {
        out.problems
            .push("header.schema-version is missing or not a version string".into());
    }
    let v2 = root.get("project").is_some() || root.get("repository").is_some();
    let v1 = root.get("project-lifecycle").is_some()
        || path(&root, &["header", "expiration-date"]).is_some();
    out.layout = if v2 {
        Layout::V2
    } else if v1 {
        Layout::V1
    } else {
        Layout::Unknown
    };
    let problems = &mut out.problems;
    out.last_updated = date(&root, &["header", "last-updated"], problems);
    match out.layout {
        Layout::V1 => {
            out.expires = date(&root, &["header", "expiration-date"], problems);
            out.status = text(&root, &["project-lifecycle", "status"]);
            out.accepts_reports = flag(
                &root,
                &["vulnerability-reporting", "accepts-vulnerability-reports"],
            );
            out.bug_bounty = flag(&root, &["vulnerability-reporting", "bug-bounty-available"]);
            out.security_policy = text(&root, &["vulnerability-reporting", "security-policy"]);
            if root.get("security-testing").is_some() {
                out.assessments.push("security-testing".into());
            }
        }
        Layout::V2 => {
            out.status = text(&root, &["repository", "status"]);
            out.accepts_reports = flag(
                &root,
                &["project", "vulnerability-reporting", "reports-accepted"],
            );
            out.bug_bounty = flag(
                &root,
                &["project", "vulnerability-reporting", "bug-bounty-available"],
            );
            out.security_policy = text(&root, &["repository", "documentation", "security-policy"])
                .or_else(|| {
                    text(
                        &root,
                        &["project", "vulnerability-reporting", "security-policy"],
                    )
                });
            if let Some(Node {
                value: Value::Map(entries),
                ..
            }) = path(&root, &["repository", "security", "assessments"])
            {
                out.assessments = entries.iter().map(|(k, _)| k.name.clone()).collect();
            }
        }
        Layout::Unknown => out.problems.push("neither the v1 nor the v2 layout".into()),
    }
    out
}

impl SecurityInsights {
    /// Whether the file is current on `as_of`: not past its v1 expiration
    /// date, and (v2, which has none) updated within the last year.
    pub fn is_current(&self, as_of: Date) -> bool {
        match (self.layout, self.expires, self.last_updated) {
            (Layout::V1, Some(e), _) => e >= as_of,
            (Layout::V2, _, Some(u)) => u.days_until(as_of) <= 365,
            _ => false,
        }
    }
}
