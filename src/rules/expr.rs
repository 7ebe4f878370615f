//! `when` expressions: minijinja expressions (`compile_expression`) over the
//! answers, the integration, the vendor and its incidents.
//!
//! Answers are exposed as attribute paths (`answers.keys.withdrawal`), not as
//! subscripts, because minijinja reports attribute chains among an
//! expression's undeclared variables: that is what lets [`unknown_names`]
//! check every name an expression uses without a parser of our own.

use std::collections::BTreeSet;
use std::sync::OnceLock;

use minijinja::{Environment, Expression, UndefinedBehavior};

use crate::diag;

/// The names an expression may start from.
pub const ROOTS: [&str; 4] = ["answers", "integration", "vendor", "incidents"];
/// Fields of `integration`.
pub const INTEGRATION_FIELDS: [&str; 14] = [
    "purpose",
    "permissions",
    "exchange_keys",
    "funds_at_risk",
    "data_classes",
    "keys",
    "key_permissions",
    "hosting",
    "hosting_declared",
    "self_hosted",
    "vendor_holds_keys",
    "vendor_holds",
    "connection",
    "withdrawal_allowlist",
];
/// Fields of `vendor`.
pub const VENDOR_FIELDS: [&str; 6] = [
    "name",
    "website",
    "docs",
    "repository",
    "egress_ips",
    "packages",
];

/// Fuel for one evaluation: far more than any honest condition needs, and a
/// hard stop for one that loops over something huge.
const FUEL: u64 = 50_000;

fn env() -> &'static Environment<'static> {
    static ENV: OnceLock<Environment<'static>> = OnceLock::new();
    ENV.get_or_init(|| {
        let mut env = Environment::new();
        // A misspelt name must fail loudly, never read as false.
        env.set_undefined_behavior(UndefinedBehavior::Strict);
        env.set_fuel(Some(FUEL));
        env
    })
}

/// A compiled expression with its source.
pub struct Expr {
    source: String,
    compiled: Expression<'static, 'static>,
}

impl std::fmt::Debug for Expr {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Expr({:?})", self.source)
    }
}

impl Expr {
    /// Compiles `source`; the error says what minijinja could not parse.
    pub fn compile(source: &str) -> Result<Expr, String> {
        let compiled = env()
            .compile_expression_owned(source.to_string())
            .map_err(|e| e.to_string())?;
        Ok(Expr {
            source: source.to_string(),
            compiled,
        })
    }

    /// The expression text.
    pub fn source(&self) -> &str {
        &self.source
    }

    /// Evaluates to a truth value.
    pub fn is_true(&self, ctx: &minijinja::Value) -> Result<bool, String> {
        self.compiled
            .eval(ctx.clone())
            .map(|v| v.is_true())
            .map_err(|e| e.to_string())
    }

    /// Names the expression reads (`answers.keys.withdrawal`, `incidents`).
    pub fn names(&self) -> BTreeSet<String> {
        self.compiled
            .undeclared_variables(true)
            .into_iter()
            .collect()
    }

    /// The question ids this expression reads.
    pub fn questions(&self, question_ids: &BTreeSet<String>) -> BTreeSet<String> {
        self.names()
            .iter()
            .filter_map(|n| n.strip_prefix("answers."))
            .filter_map(|path| question_prefix(path, question_ids))
            .collect()
    }
}

/// The question id `path` starts with (a method or attribute may follow it).
fn question_prefix(path: &str, question_ids: &BTreeSet<String>) -> Option<String> {
    let mut end = path.len();
    loop {
        let candidate = &path[..end];
        if question_ids.contains(candidate) {
            return Some(candidate.to_string());
        }
        end = candidate.rfind('.')?;
    }
}

/// A name an expression uses that does not exist, with a suggestion.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnknownName {
    /// The name as written.
    pub name: String,
    /// What it probably should be.
    pub suggestion: Option<String>,
}

/// Every name in `expr` that is not a root, a known field or a question id.
pub fn unknown_names(expr: &Expr, question_ids: &BTreeSet<String>) -> Vec<UnknownName> {
    let mut out = Vec::new();
    for name in expr.names() {
        let (root, rest) = match name.split_once('.') {
            Some((r, rest)) => (r, Some(rest)),
            None => (name.as_str(), None),
        };
        let unknown = |suggestion: Option<&str>| UnknownName {
            name: name.clone(),
            suggestion: suggestion.map(str::to_string),
        };
        match (root, rest) {
            ("answers", Some(path)) => {
                if question_prefix(path, question_ids).is_none() {
                    let s = diag::suggest(path, question_ids.iter().map(String::as_str))
                        .map(|q| format!("answers.{q}"));
                    out.push(UnknownName {
                        name: name.clone(),
                        suggestion: s,
                    });
                }
            }
            ("integration", Some(path)) | ("vendor", Some(path)) => {
                let fields: &[&str] = if root == "integration" {
                    &INTEGRATION_FIELDS
                } else {
                    &VENDOR_FIELDS
                };
                let field = path.split('.').next().unwrap_or(path);
                if !fields.contains(&field) {
                    let s =
                        diag::suggest(field, fields.iter().copied()).map(|f| format!("{root}.{f}"));
                    out.push(UnknownName {
                        name: name.clone(),
                        suggestion: s,
                    });
                }
            }
            (r, _) if ROOTS.contains(&r) => {}
            (r, _) => out.push(unknown(diag::suggest(r, ROOTS))),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids() -> BTreeSet<String> {
        ["keys.withdrawal", "keys.ip_binding"]
            .iter()
            .map(|s| s.to_string())
            .collect()
    }

    #[test]
    fn finds_misspelt_questions_and_fields() {
        let e =
            Expr::compile("answers.keys.withdrawl == 'never' and integration.permision").unwrap();
        let unknown = unknown_names(&e, &ids());
        assert_eq!(unknown.len(), 2, "{unknown:?}");
        assert_eq!(
            unknown[0].suggestion.as_deref(),
            Some("answers.keys.withdrawal")
        );
        assert_eq!(
            unknown[1].suggestion.as_deref(),
            Some("integration.permissions")
        );
    }

    #[test]
    fn accepts_known_names_and_filters() {
        let e = Expr::compile(
            "'trade' in integration.permissions and answers.keys.ip_binding in ['none', none] \
             and incidents | selectattr('kind', 'eq', 'key-leak') | list | length > 0",
        )
        .unwrap();
        assert!(unknown_names(&e, &ids()).is_empty());
        assert_eq!(e.questions(&ids()), ["keys.ip_binding".to_string()].into());
    }

    #[test]
    fn unknown_root_is_reported() {
        let e = Expr::compile("answer.keys.withdrawal").unwrap();
        let unknown = unknown_names(&e, &ids());
        assert_eq!(unknown[0].suggestion.as_deref(), Some("answers"));
    }

    #[test]
    fn syntax_errors_are_reported() {
        assert!(Expr::compile("answers.keys.withdrawal ==").is_err());
    }

    #[test]
    fn strict_undefined_fails_instead_of_false() {
        let e = Expr::compile("answers.nothing == 'x'").unwrap();
        let ctx =
            minijinja::Value::from(minijinja::value::Serde(serde_json::json!({"answers": {}})));
        assert!(e.is_true(&ctx).is_err());
    }

    #[test]
    fn runaway_loops_run_out_of_fuel() {
        let e = Expr::compile("range(100000) | map('string') | join | length > 0").unwrap();
        let ctx = minijinja::Value::from(minijinja::value::Serde(serde_json::json!({})));
        assert!(e.is_true(&ctx).is_err());
    }
}
