//! `vetted compare`: candidates side by side.

use std::path::{Path, PathBuf};

use super::{Common, OK};

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
    let setup = args.common.setup(checklists)?;
    let as_of = args.common.as_of();
    let loaded = setup.evaluate_all(&args.files, as_of)?;
    let candidates: Vec<vetted::compare::Candidate<'_>> = loaded.iter().map(Into::into).collect();
    let comparison = vetted::compare::compare(&candidates, &setup.policy);
    args.common.emit(&setup, "compare", &comparison)?;
    Ok(OK)
}
