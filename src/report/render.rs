//! One way to write any document `vetted` produces (a report, a
//! comparison, a portfolio, a diff, a checklist) as Markdown, HTML or JSON.
//!
//! A document says only what differs between documents: its template, its
//! page title and its charts. How each format is made is decided here once,
//! so a command cannot wire a format differently from the others.

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
}

/// `doc` in `format`, with the templates of `templates`; `policy` gives the
/// tier thresholds the charts are drawn against.
pub fn render<D: Render>(
    doc: &D,
    format: Format,
    templates: &Renderer,
    policy: &Policy,
) -> Result<String, RenderError> {
    Ok(match format {
        Format::Markdown => templates.render(D::TEMPLATE, doc)?,
        Format::Html => {
            let (markdown, texts) = templates.render_for_html(D::TEMPLATE, doc)?;
            html::page_with_texts(&doc.title(), &markdown, &doc.charts(policy), &texts)
        }
        Format::Json => json(doc),
    })
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
