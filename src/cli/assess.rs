//! `vetted assess`: score a manifest and render its report.

use std::path::{Path, PathBuf};

use vetted::level::Level;
use vetted::rules::Verdict;

use super::{Common, FAILED_GATE, OK, print_diagnostics, read_input};

/// Arguments of `vetted assess`.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// The manifest (`-` reads stdin).
    file: PathBuf,
    #[command(flatten)]
    common: Common,
    /// Which document: the full report, or the compliance review document
    /// a reviewer files (scope, method, decision, controls by framework,
    /// waivers, open findings, sign-off, evidence appendix).
    #[arg(long, value_enum, default_value = "report")]
    template: Template,
    /// Exit 1 when the verdict is at least this bad (reject, conditions) or
    /// the residual tier at least this high (low, medium, high, critical).
    #[arg(long, value_name = "LEVEL", value_parser = parse_fail_on)]
    fail_on: Option<FailOn>,
}

/// Documents `vetted assess` can render.
#[derive(Clone, Copy, Debug, clap::ValueEnum)]
pub enum Template {
    /// The assessment report.
    Report,
    /// The compliance review document.
    Compliance,
}

/// A `--fail-on` threshold.
#[derive(Clone, Copy, Debug)]
pub enum FailOn {
    /// Fail when the verdict is at least this bad.
    Verdict(Verdict),
    /// Fail when the tier is at least this high.
    Tier(Level),
}

fn parse_fail_on(s: &str) -> Result<FailOn, String> {
    match s {
        "reject" => Ok(FailOn::Verdict(Verdict::Reject)),
        "conditions" => Ok(FailOn::Verdict(Verdict::Conditions)),
        "more-information" => Ok(FailOn::Verdict(Verdict::MoreInformation)),
        other => Level::parse(other).map(FailOn::Tier).ok_or_else(|| {
            format!(
                "`{other}` is not one of: reject, more-information, conditions, low, medium, high, critical"
            )
        }),
    }
}

/// Whether a result fails the threshold.
pub fn fails(fail_on: FailOn, verdict: Verdict, tier: Level) -> bool {
    match fail_on {
        FailOn::Verdict(v) => verdict >= v,
        FailOn::Tier(t) => tier >= t,
    }
}

pub fn run(args: Args, checklists: Option<&Path>) -> u8 {
    super::finish(execute(&args, checklists))
}

fn execute(args: &Args, checklists: Option<&Path>) -> Result<u8, vetted::Error> {
    let setup = args.common.setup(checklists)?;
    let (file, bytes) = read_input(&args.file)?;
    if args.common.format.document().is_none() {
        return sarif(args, &setup, &file, bytes);
    }
    let (report, warnings) = vetted::assess(
        &file,
        bytes,
        &setup.catalog,
        &setup.policy,
        args.common.as_of(),
    )?;
    print_diagnostics(&warnings);
    match args.template {
        Template::Report => args.common.emit(&setup, "assess", &report)?,
        Template::Compliance => {
            args.common
                .emit(&setup, "assess", &vetted::report::Compliance(&report))?
        }
    }
    Ok(gate(args, report.summary.verdict, report.summary.tier))
}

/// The findings as SARIF, located in the manifest.
fn sarif(
    args: &Args,
    setup: &super::Setup,
    file: &str,
    bytes: Vec<u8>,
) -> Result<u8, vetted::Error> {
    let (loaded, a) = vetted::evaluate_loaded(
        file,
        bytes,
        &setup.catalog,
        &setup.policy,
        args.common.as_of(),
    )?;
    print_diagnostics(&loaded.warnings);
    let log = vetted::report::sarif::log(&loaded.doc, &setup.catalog, &a);
    super::write_output(
        args.common.output.as_deref(),
        &vetted::report::render::json(&log),
    )?;
    Ok(gate(args, a.verdict, a.tier))
}

/// The exit code `--fail-on` gives this verdict and tier.
fn gate(args: &Args, verdict: Verdict, tier: Level) -> u8 {
    match args.fail_on {
        Some(f) if fails(f, verdict, tier) => {
            eprintln!(
                "vetted: verdict {} at tier {tier} fails --fail-on",
                verdict.label()
            );
            FAILED_GATE
        }
        _ => OK,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fail_on_is_at_or_worse() {
        let reject = parse_fail_on("reject").unwrap();
        assert!(fails(reject, Verdict::Reject, Level::Low));
        assert!(!fails(reject, Verdict::Conditions, Level::Critical));
        let conditions = parse_fail_on("conditions").unwrap();
        assert!(fails(conditions, Verdict::Conditions, Level::Low));
        let more = parse_fail_on("more-information").unwrap();
        assert!(fails(more, Verdict::MoreInformation, Level::Low));
        assert!(fails(more, Verdict::Reject, Level::Low));
        assert!(!fails(more, Verdict::Conditions, Level::Critical));
        assert!(!fails(conditions, Verdict::Approve, Level::Low));
        let high = parse_fail_on("high").unwrap();
        assert!(fails(high, Verdict::Approve, Level::Critical));
        assert!(!fails(high, Verdict::Reject, Level::Medium));
        assert!(parse_fail_on("severe").is_err());
    }
}
