//! `vetted diff`: two assessments of one vendor.

use std::path::{Path, PathBuf};

use clap::ValueEnum;

use super::{Common, FAILED_GATE, OK};

/// What makes `vetted diff` exit 1.
#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum FailOn {
    /// The verdict or tier got worse.
    Worse,
}

/// Arguments of `vetted diff`.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// The earlier manifest.
    old: PathBuf,
    /// The later manifest.
    new: PathBuf,
    #[command(flatten)]
    common: Common,
    /// Exit 1 when the verdict or tier got worse (a CI gate on manifest changes).
    #[arg(long, value_enum)]
    fail_on: Option<FailOn>,
}

pub fn run(args: Args, checklists: Option<&Path>) -> u8 {
    super::finish(execute(&args, checklists))
}

fn execute(args: &Args, checklists: Option<&Path>) -> Result<u8, vetted::Error> {
    let setup = args.common.setup(checklists)?;
    let as_of = args.common.as_of();
    let sides = setup.evaluate_all([&args.old, &args.new], as_of)?;
    let d = vetted::diff::diff((&sides[0].1, &sides[0].2), (&sides[1].1, &sides[1].2));
    args.common.emit(&setup, "diff", &d)?;
    Ok(match args.fail_on {
        Some(FailOn::Worse) if d.worse => {
            eprintln!("vetted: the verdict or tier got worse");
            FAILED_GATE
        }
        _ => OK,
    })
}
