//! `vetted compare`: candidates side by side.

use std::path::{Path, PathBuf};

use super::{Common, OK, read_input};

/// Arguments of `vetted compare`.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// Two or more manifests.
    #[arg(required = true, num_args = 2..)]
    files: Vec<PathBuf>,
    #[command(flatten)]
    common: Common,
}

pub fn run(args: Args, checklists: Option<&Path>) -> u8 {
    super::finish(execute(&args, checklists))
}

fn execute(args: &Args, checklists: Option<&Path>) -> Result<u8, vetted::Error> {
    let super::Setup {
        catalog,
        policy,
        renderer,
    } = args.common.setup(checklists)?;
    let as_of = args.common.as_of();
    let mut loaded = Vec::new();
    let mut problems = Vec::new();
    for path in &args.files {
        let (file, bytes) = read_input(path)?;
        match vetted::evaluate_file(&file, bytes, &catalog, &policy, as_of) {
            Ok((m, a)) => loaded.push((file, m, a)),
            Err(mut d) => problems.append(&mut d),
        }
    }
    if !problems.is_empty() {
        return Err(vetted::Error::Invalid(problems));
    }
    let candidates: Vec<vetted::compare::Candidate<'_>> = loaded
        .iter()
        .map(|(file, manifest, assessment)| vetted::compare::Candidate {
            file: file.clone(),
            manifest,
            assessment,
        })
        .collect();
    let comparison = vetted::compare::compare(&candidates, &policy);
    args.common.emit(
        &renderer,
        "compare.md.j2",
        &comparison,
        "Vendor comparison",
        || vec![vetted::report::chart::comparison(&comparison)],
    )?;
    Ok(OK)
}
