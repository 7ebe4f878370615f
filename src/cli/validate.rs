//! `vetted validate`: check manifests (and checklists) without scoring.

use std::path::{Path, PathBuf};

use vetted::diag::Diagnostic;
use vetted::yaml::{self, Limits};

use super::{BAD_INPUT, IO_ERROR, OK, print_diagnostics, read_input, report_error};

/// Arguments of `vetted validate`.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// Manifests or checklists to check (a file with top-level `areas` is a checklist).
    #[arg(required = true)]
    files: Vec<PathBuf>,
}

pub fn run(args: Args, checklists: Option<&Path>) -> u8 {
    let catalog = match vetted::load_catalog(checklists) {
        Ok(c) => c,
        Err(e) => return report_error(e),
    };
    let mut worst = OK;
    let mut all: Vec<Diagnostic> = Vec::new();
    for path in &args.files {
        let (file, bytes) = match read_input(path) {
            Ok(x) => x,
            // Too large: a problem of this file, listed with the others.
            Err(vetted::Error::Invalid(diags)) => {
                all.extend(diags);
                worst = worst.max(BAD_INPUT);
                continue;
            }
            Err(e) => {
                worst = worst.max(report_error(e));
                continue;
            }
        };
        let result = if is_checklist(&file, &bytes) {
            let source = vetted::checklist::Source {
                file: file.clone(),
                bytes,
            };
            vetted::checklist::Catalog::with_extra(vec![source]).map(|_| Vec::new())
        } else {
            vetted::manifest::load(&file, bytes, &catalog).map(|l| l.warnings)
        };
        match result {
            Ok(warnings) => {
                all.extend(warnings);
                eprintln!("{}: ok", super::terminal_safe(&file));
            }
            Err(diags) => {
                all.extend(diags);
                worst = worst.max(BAD_INPUT);
            }
        }
    }
    print_diagnostics(&all);
    let errors = all.iter().filter(|d| d.is_error()).count();
    if errors > 0 {
        eprintln!("{errors} error(s) found.");
    }
    if worst == IO_ERROR { IO_ERROR } else { worst }
}

/// A checklist is recognised by its top-level `areas` (and no `vendor`).
fn is_checklist(file: &str, bytes: &[u8]) -> bool {
    let Ok(text) = std::str::from_utf8(bytes) else {
        return false;
    };
    yaml::parse(file, text, &Limits::default())
        .is_ok_and(|root| root.get("areas").is_some() && root.get("vendor").is_none())
}
