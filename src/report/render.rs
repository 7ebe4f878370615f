//! One way to write any document `vetted` produces (a report, a
//! comparison, a portfolio, a diff, a checklist) as Markdown, HTML or JSON.
//!
//! A document says only what differs between documents: its template, its
//! page title and its charts. How each format is made is decided here once,
//! so a command cannot wire a format differently from the others.

use std::io::{self, Write};

use serde::Serialize;

use super::{RenderError, Renderer, html};
use crate::rules::Policy;

/// The output formats.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// The document's template, with every string escaped for Markdown.
    Markdown,
    /// That Markdown as one sanitised, self-contained page, with SVG charts.
    Html,
    /// The document's data, pretty-printed (its serde form is the contract).
    Json,
}

/// A document that renders in every [`Format`].
pub trait Render: Serialize {
    /// The template (by name; `--templates DIR` may override it) that
    /// writes the document as Markdown.
    const TEMPLATE: &'static str;

    /// The title of its HTML page.
    fn title(&self) -> String;

    /// Its charts as SVG documents, one for each chart marker of the
    /// template, in order. Only HTML shows them, so only HTML draws them.
    fn charts(&self, _policy: &Policy) -> Vec<String> {
        Vec::new()
    }

    /// How many rows (table rows, list items) the document lists beyond
    /// those of any single assessment: its template gets that much more
    /// fuel. Only a document that grows with its input (the portfolio)
    /// says more than none.
    fn rows(&self) -> usize {
        0
    }
}

/// `doc` in `format`, with the templates of `templates`; `policy` gives the
/// tier thresholds the charts are drawn against.
pub fn render<D: Render>(
    doc: &D,
    format: Format,
    templates: &Renderer,
    policy: &Policy,
) -> Result<String, RenderError> {
    let mut out = Vec::new();
    match render_to(doc, format, templates, policy, &mut out) {
        Ok(()) => Ok(String::from_utf8(out).expect("documents are text")),
        Err(WriteError::Render(e)) => Err(e),
        // Only a portfolio's temporary files can fail to be read back.
        Err(WriteError::Io(e)) => panic!("a document in memory could not be written: {e}"),
    }
}

/// Why a document could not be written.
#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    /// Its template failed.
    #[error(transparent)]
    Render(#[from] RenderError),
    /// Writing failed (or reading a portfolio's temporary files did).
    #[error(transparent)]
    Io(#[from] io::Error),
}

/// [`render()`], written to `out` as it is made: a portfolio's lists are
/// read from its temporary files as the template or the JSON writer walks
/// them, and HTML is converted from the template's Markdown in pieces
/// ([`html::Page`]), so the document is never whole in memory.
pub fn render_to<D: Render>(
    doc: &D,
    format: Format,
    templates: &Renderer,
    policy: &Policy,
    out: &mut dyn Write,
) -> Result<(), WriteError> {
    match format {
        Format::Markdown => templates.render_to(D::TEMPLATE, doc, doc.rows(), out),
        Format::Html => {
            let charts = doc.charts(policy);
            let mut page = html::Page::new(out, &doc.title(), &charts, html::PIECE)?;
            // Printed strings go to the page marked, to be converted on
            // their own ([`super::ForHtml`]).
            let for_html = super::ForHtml::start();
            templates.render_to(D::TEMPLATE, doc, doc.rows(), &mut page)?;
            drop(for_html);
            Ok(page.finish()?)
        }
        Format::Json => {
            // Hidden characters are written as `\u` escapes: the same data,
            // but bytes that cannot act on the terminal the JSON is printed
            // to.
            let formatter = crate::visible::JsonFormatter(serde_json::ser::PrettyFormatter::new());
            let mut ser = serde_json::Serializer::with_formatter(&mut *out, formatter);
            doc.serialize(&mut ser)
                .map_err(|e| match e.io_error_kind() {
                    Some(_) => io::Error::from(e),
                    // A list that could not be read back: an I/O error too.
                    None => io::Error::other(e),
                })?;
            Ok(out.write_all(b"\n")?)
        }
    }
}

/// A writer that keeps the first I/O error, which minijinja replaces by
/// its own.
pub(crate) struct Tracked<'a> {
    out: &'a mut dyn Write,
    error: Option<io::Error>,
}

impl<'a> Tracked<'a> {
    pub(crate) fn new(out: &'a mut dyn Write) -> Tracked<'a> {
        Tracked { out, error: None }
    }

    /// The render's result, with a write failure reported as one.
    pub(crate) fn finish(self, result: Result<(), RenderError>) -> Result<(), WriteError> {
        match (self.error, result) {
            (Some(e), Err(_)) => Err(WriteError::Io(e)),
            (_, r) => Ok(r?),
        }
    }
}

impl Write for Tracked<'_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match self.out.write(buf) {
            Ok(n) => Ok(n),
            Err(e) => {
                let copy = io::Error::new(e.kind(), e.to_string());
                self.error.get_or_insert(e);
                Err(copy)
            }
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        self.out.flush()
    }
}

/// `value` as pretty-printed JSON with a trailing newline.
pub fn json<T: Serialize + ?Sized>(value: &T) -> String {
    // Documents are plain data (no maps with non-string keys, no failing
    // serialisers), so this cannot fail.
    // Hidden characters are written as `\u` escapes: the same data, but
    // bytes that cannot act on the terminal the JSON is printed to.
    let mut s = crate::visible::json_pretty(value).expect("a document always serialises");
    s.push('\n');
    s
}
