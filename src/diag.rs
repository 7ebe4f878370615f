//! Diagnostics: every problem `vetted` finds in a user's input.
//!
//! A diagnostic names a stable [`Code`] (the list in `code.rs`, from which
//! `docs/diagnostics.md` is generated), the file, line and column, what is
//! wrong and how to fix it. Loaders collect every problem of a file before they give up, so a
//! user fixes a file in one pass rather than one error per run.

use std::fmt;

use serde::Serialize;

mod code;

pub use code::{Code, GENERATED_MARKER, Stage, UnknownCode, diagnostics_markdown};

/// How bad a diagnostic is. Errors stop the pipeline; warnings do not.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// The input cannot be used as it is.
    Error,
    /// The input is usable but probably not what the author meant.
    Warning,
}

/// One problem at one place in one file.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
    /// What kind of problem it is; serialized as its kebab-case name, e.g.
    /// `unknown-question`.
    pub code: Code,
    /// Error or warning.
    pub severity: Severity,
    /// The file as the user named it (or `<stdin>`, or `<bundled>/x.yaml`).
    pub file: String,
    /// 1-based line; 0 when the problem concerns the whole file, or a
    /// place that has no lines (a workbook's cell, named in `file`).
    pub line: u32,
    /// 1-based column; 0 as for `line`.
    pub col: u32,
    /// What is wrong, in one sentence.
    pub message: String,
    /// How to fix it, when there is something useful to say.
    pub help: Option<String>,
}

impl Diagnostic {
    /// An error at a position.
    pub fn error(code: Code, file: &str, pos: Pos, message: impl Into<String>) -> Self {
        Diagnostic {
            code,
            severity: Severity::Error,
            file: file.to_string(),
            line: pos.line,
            col: pos.col,
            message: message.into(),
            help: None,
        }
    }

    /// A warning at a position.
    pub fn warning(code: Code, file: &str, pos: Pos, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Warning,
            ..Diagnostic::error(code, file, pos, message)
        }
    }

    /// Adds a hint on how to fix the problem.
    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// Whether this diagnostic stops the pipeline.
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kind = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        // A place with no line (a workbook's cell, named in `file` as
        // `book.xlsx:Keys!C14`) is shown as the name alone.
        if (self.line, self.col) == (0, 0) {
            write!(f, "{}: {kind}[{}]: {}", self.file, self.code, self.message)?;
        } else {
            write!(
                f,
                "{}:{}:{}: {kind}[{}]: {}",
                self.file, self.line, self.col, self.code, self.message
            )?;
        }
        if let Some(help) = &self.help {
            write!(f, "\n  help: {help}")?;
        }
        Ok(())
    }
}

/// A 1-based line and column in a source file.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Pos {
    /// 1-based line (0: unknown).
    pub line: u32,
    /// 1-based column (0: unknown).
    pub col: u32,
}

impl Pos {
    /// The start of a file.
    pub const START: Pos = Pos { line: 1, col: 1 };
}

/// Sorts diagnostics by file and position so that output is stable and reads
/// top to bottom, whichever check found each problem. Ties go by the code's
/// name, not the variant's place in the enum, so that reordering the list of
/// codes never reorders output.
pub fn sort(diags: &mut [Diagnostic]) {
    diags.sort_by(|a, b| {
        (a.file.as_str(), a.line, a.col, a.code.as_str()).cmp(&(
            b.file.as_str(),
            b.line,
            b.col,
            b.code.as_str(),
        ))
    });
}

/// The longest value a diagnostic quotes whole.
const QUOTE_MAX: usize = 40;
/// How much of a longer value it quotes.
const EXCERPT: usize = 24;

/// A value from the input as a diagnostic may quote it. Messages go to
/// terminals and CI logs, so a value the credential guard would refuse, or
/// one that merely could be a credential (a long run of letters and
/// digits), is never shown, only its length; another long value is cut to
/// a short excerpt. Every diagnostic that quotes input quotes it through
/// here.
pub fn quote(value: &str) -> String {
    let n = value.chars().count();
    if near_secret(value) || crate::manifest::guard::looks_like_secret(value).is_some() {
        return format!("[{n} characters, not shown]");
    }
    if n <= QUOTE_MAX {
        return value.to_string();
    }
    let head: String = value.chars().take(EXCERPT).collect();
    format!("{head}… ({n} characters)")
}

/// A run of letters and digits long enough to be a key even where the
/// guard cannot tell: 20 characters, or 12 that mix letters and digits.
fn near_secret(value: &str) -> bool {
    value
        .split(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '+' | '/' | '=')))
        .any(|run| {
            run.len() >= 20
                || run.len() >= 12
                    && run.bytes().any(|b| b.is_ascii_digit())
                    && run.bytes().any(|b| b.is_ascii_alphabetic())
        })
}

/// The closest candidate to `wanted` among `candidates`, if any is close
/// enough to be a plausible typo. Used for "did you mean" hints.
pub fn suggest<'a>(wanted: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    candidates
        .into_iter()
        .map(|c| (strsim::jaro_winkler(wanted, c), c))
        .filter(|(score, _)| *score >= 0.85)
        .max_by(|a, b| a.0.total_cmp(&b.0).then_with(|| b.1.cmp(a.1)))
        .map(|(_, c)| c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_close_names_only() {
        let ids = ["keys.withdrawal", "keys.ip_binding", "docs.security_txt"];
        assert_eq!(suggest("keys.withdrawl", ids), Some("keys.withdrawal"));
        assert_eq!(suggest("completely.else", ids), None);
    }

    #[test]
    fn sort_breaks_ties_by_code_name_not_enum_order() {
        // `unknown-field` comes before `invalid-value` in the enum, after it
        // in the alphabet: output order must not depend on the enum.
        let at = |code| Diagnostic::error(code, "m.yaml", Pos::START, "x");
        let mut diags = [at(Code::UnknownField), at(Code::InvalidValue)];
        sort(&mut diags);
        assert_eq!(
            diags.map(|d| d.code),
            [Code::InvalidValue, Code::UnknownField]
        );
    }

    #[test]
    fn display_names_file_line_col_code_and_help() {
        let d = Diagnostic::error(
            Code::UnknownQuestion,
            "m.yaml",
            Pos { line: 3, col: 5 },
            "no such question",
        )
        .with_help("did you mean `keys.withdrawal`?");
        assert_eq!(
            d.to_string(),
            "m.yaml:3:5: error[unknown-question]: no such question\n  help: did you mean `keys.withdrawal`?"
        );
    }
}
