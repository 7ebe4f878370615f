//! A YAML file that passed its schema: the parsed tree for positions, plus
//! typed access. Checklists, manifests and policies all load through here, so
//! they share the same limits, the same diagnostics and the same order of
//! checks (text, YAML, schema, then each format's own semantic checks).

use serde::de::DeserializeOwned;

use crate::diag::{Code, Diagnostic, Pos};
use crate::schema::{self, Format};
use crate::yaml::{self, Limits, Node};

/// A parsed, schema-valid document.
#[derive(Clone, Debug)]
pub struct Document {
    /// The file name as the user gave it.
    pub file: String,
    /// The parsed tree, kept for positions in later diagnostics.
    pub root: Node,
}

impl Document {
    /// Decodes, parses and schema-checks `bytes`. All schema problems are
    /// returned together.
    pub fn load(
        format: Format,
        file: &str,
        bytes: Vec<u8>,
        limits: &Limits,
    ) -> Result<Document, Vec<Diagnostic>> {
        let text = yaml::decode(file, bytes, limits).map_err(|d| vec![d])?;
        Document::parse(format, file, &text, limits)
    }

    /// Parses and schema-checks `text`.
    pub fn parse(
        format: Format,
        file: &str,
        text: &str,
        limits: &Limits,
    ) -> Result<Document, Vec<Diagnostic>> {
        let root = yaml::parse(file, text, limits).map_err(|d| vec![d])?;
        let diags = schema::validate(format, file, &root);
        if diags.is_empty() {
            Ok(Document {
                file: file.to_string(),
                root,
            })
        } else {
            Err(diags)
        }
    }

    /// The position of the value at a JSON pointer.
    pub fn at(&self, pointer: &str) -> Pos {
        self.root.locate(pointer)
    }

    /// An error diagnostic at a JSON pointer in this document.
    pub fn error(&self, code: Code, pointer: &str, message: impl Into<String>) -> Diagnostic {
        Diagnostic::error(code, &self.file, self.at(pointer), message)
    }

    /// A warning diagnostic at a JSON pointer in this document.
    pub fn warning(&self, code: Code, pointer: &str, message: impl Into<String>) -> Diagnostic {
        Diagnostic::warning(code, &self.file, self.at(pointer), message)
    }

    /// The document as a typed value. The schema has been checked, so a
    /// failure here means the schema and the type disagree; it is still
    /// reported as a diagnostic rather than a panic.
    pub fn typed<T: DeserializeOwned>(&self) -> Result<T, Diagnostic> {
        self.typed_from(self.root.to_json())
    }

    /// [`Document::typed`], from the tree already converted to JSON.
    pub fn typed_from<T: DeserializeOwned>(
        &self,
        json: serde_json::Value,
    ) -> Result<T, Diagnostic> {
        serde_json::from_value(json).map_err(|e| {
            Diagnostic::error(
                Code::SchemaViolation,
                &self.file,
                Pos::START,
                format!("the document does not fit the format: {e}"),
            )
        })
    }
}
