//! `vetted schema`: print the JSON Schema of a format, input or report.

use clap::ValueEnum;
use vetted::schema::Format;

use super::{OK, report_error, write_output};

/// Formats with a schema.
#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum Which {
    /// Checklists.
    Checklist,
    /// Manifests.
    Manifest,
    /// Policies.
    Policy,
    /// The JSON report of `vetted assess --format json`.
    Report,
}

/// Arguments of `vetted schema`.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// Which format.
    which: Which,
}

pub fn run(args: Args) -> u8 {
    let format = match args.which {
        Which::Checklist => Format::Checklist,
        Which::Manifest => Format::Manifest,
        Which::Policy => Format::Policy,
        Which::Report => Format::Report,
    };
    match write_output(None, format.schema_text()) {
        Ok(()) => OK,
        Err(e) => report_error(e),
    }
}
