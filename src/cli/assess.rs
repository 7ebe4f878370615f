//! `vetted assess`: score a manifest and render its report.

use std::path::{Path, PathBuf};

use clap::ValueEnum;
use vetted::date::Date;
use vetted::level::Level;
use vetted::rules::Verdict;

use super::{FAILED_GATE, OK, print_diagnostics, read_input, report_error, write_output};

/// Report formats.
#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum Format {
    /// Markdown, from the templates.
    Md,
    /// The report structure as JSON.
    Json,
}

/// Arguments of `vetted assess`.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// The manifest (`-` reads stdin).
    file: PathBuf,
    /// Write the report here (`-` or nothing: stdout). Written atomically.
    #[arg(short, long, value_name = "OUT")]
    output: Option<PathBuf>,
    /// Report format.
    #[arg(long, value_enum, default_value = "md")]
    format: Format,
    /// The date to evaluate as today (evidence age, key rotation, waivers).
    /// Defaults to today; pass it for reproducible reports.
    #[arg(long, value_name = "YYYY-MM-DD", value_parser = parse_date)]
    as_of: Option<Date>,
    /// A policy file replacing the bundled default.
    #[arg(long, value_name = "FILE")]
    policy: Option<PathBuf>,
    /// A directory of templates overriding the bundled ones.
    #[arg(long, value_name = "DIR")]
    templates: Option<PathBuf>,
    /// Exit 1 when the verdict is at least this bad (reject, conditions) or
    /// the residual tier at least this high (low, medium, high, critical).
    #[arg(long, value_name = "LEVEL", value_parser = parse_fail_on)]
    fail_on: Option<FailOn>,
}

/// A `--fail-on` threshold.
#[derive(Clone, Copy, Debug)]
pub enum FailOn {
    /// Fail when the verdict is at least this bad.
    Verdict(Verdict),
    /// Fail when the tier is at least this high.
    Tier(Level),
}

fn parse_date(s: &str) -> Result<Date, String> {
    s.parse()
        .map_err(|e: vetted::date::DateError| e.to_string())
}

fn parse_fail_on(s: &str) -> Result<FailOn, String> {
    match s {
        "reject" => Ok(FailOn::Verdict(Verdict::Reject)),
        "conditions" => Ok(FailOn::Verdict(Verdict::Conditions)),
        other => Level::parse(other).map(FailOn::Tier).ok_or_else(|| {
            format!("`{other}` is not one of: reject, conditions, low, medium, high, critical")
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
    match execute(&args, checklists) {
        Ok(code) => code,
        Err(e) => report_error(e),
    }
}

fn execute(args: &Args, checklists: Option<&Path>) -> Result<u8, vetted::Error> {
    let catalog = vetted::load_catalog(checklists)?;
    let policy = vetted::load_policy(args.policy.as_deref())?;
    let renderer = vetted::load_templates(args.templates.as_deref())?;
    let (file, bytes) = read_input(&args.file)?;
    let as_of = args.as_of.unwrap_or_else(Date::today_utc);
    let (report, warnings) = vetted::assess(&file, bytes, &catalog, &policy, as_of)?;
    print_diagnostics(&warnings);
    let text = match args.format {
        Format::Md => renderer.markdown(&report)?,
        Format::Json => report.to_json(),
    };
    write_output(args.output.as_deref(), &text)?;
    Ok(match args.fail_on {
        Some(f) if fails(f, report.summary.verdict, report.summary.tier) => {
            eprintln!(
                "vetted: verdict {} at tier {} fails --fail-on",
                report.summary.verdict_label, report.summary.tier
            );
            FAILED_GATE
        }
        _ => OK,
    })
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
        assert!(!fails(conditions, Verdict::Approve, Level::Low));
        let high = parse_fail_on("high").unwrap();
        assert!(fails(high, Verdict::Approve, Level::Critical));
        assert!(!fails(high, Verdict::Reject, Level::Medium));
        assert!(parse_fail_on("severe").is_err());
    }
}
