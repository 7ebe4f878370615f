//! `vetted portfolio`: every manifest under a directory.

use std::path::{Path, PathBuf};

use clap::ValueEnum;

use super::{Common, FAILED_GATE, OK};

/// What makes `vetted portfolio` exit 1.
#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum FailOn {
    /// A review, key rotation or waiver is past due.
    Overdue,
}

/// Arguments of `vetted portfolio`.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// Directory of manifests (searched recursively).
    dir: PathBuf,
    #[command(flatten)]
    common: Common,
    /// Exit 1 when anything is overdue.
    #[arg(long, value_enum)]
    fail_on: Option<FailOn>,
    #[command(flatten)]
    cache: super::CacheArgs,
}

pub fn run(args: Args, checklists: Option<&Path>) -> u8 {
    super::finish(execute(&args, checklists))
}

fn execute(args: &Args, checklists: Option<&Path>) -> Result<u8, vetted::Error> {
    // Opening the cache hashes the executable: do it while the
    // checklists load.
    let (setup, cache) = std::thread::scope(|s| {
        let cache = s.spawn(|| args.cache.open(|k| std::env::var_os(k)));
        let setup = args.common.setup(checklists);
        (
            setup,
            cache.join().expect("opening the cache does not panic"),
        )
    });
    let setup = setup?;
    if args.common.format.document().is_none() {
        return sarif(args, &setup);
    }
    let (portfolio, _) = vetted::load_portfolio_cached(
        &args.dir,
        &setup.catalog,
        &setup.policy,
        args.common.as_of(),
        cache.as_ref(),
    )?;
    for invalid in portfolio.invalid.iter() {
        let invalid = invalid.map_err(|source| vetted::Error::Io {
            path: std::env::temp_dir(),
            source,
        })?;
        super::print_diagnostics(&invalid.diagnostics);
    }
    if !portfolio.invalid.is_empty() {
        eprintln!(
            "{} manifest(s) could not be assessed; they are listed in the report.",
            portfolio.invalid.len()
        );
    }
    args.common.emit(&setup, "portfolio", &portfolio)?;
    Ok(match args.fail_on {
        Some(FailOn::Overdue) if portfolio.has_overdue() => {
            eprintln!("vetted: {} overdue action(s)", portfolio.overdue());
            FAILED_GATE
        }
        _ => OK,
    })
}

/// Every manifest's findings as one SARIF log; `--fail-on overdue` needs
/// the register, so it is refused with SARIF rather than ignored.
fn sarif(args: &Args, setup: &super::Setup) -> Result<u8, vetted::Error> {
    if args.fail_on.is_some() {
        return Err(vetted::Error::Usage {
            code: vetted::diag::Code::FormatNotWritten,
            message:
                "`--fail-on overdue` reads the register, which `--format sarif` does not write"
                    .into(),
            help: "run `vetted portfolio DIR --fail-on overdue` as a separate step".into(),
        });
    }
    let log = vetted::portfolio_sarif(
        &args.dir,
        &setup.catalog,
        &setup.policy,
        args.common.as_of(),
    )?;
    super::write_output(
        args.common.output.as_deref(),
        &vetted::report::render::json(&log),
    )?;
    Ok(OK)
}
