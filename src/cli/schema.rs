//! `vetted schema`: print the JSON Schema of an input format or of an output.

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
    /// The JSON of `vetted compare --format json`.
    Compare,
    /// The JSON of `vetted portfolio --format json`.
    Portfolio,
    /// The JSON of `vetted diff --format json`.
    Diff,
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
        Which::Compare => Format::Compare,
        Which::Portfolio => Format::Portfolio,
        Which::Diff => Format::Diff,
    };
    match write_output(None, format.schema_text()) {
        Ok(()) => OK,
        Err(e) => report_error(e),
    }
}
