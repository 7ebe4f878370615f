//! `vetted assess`: score a manifest and render its report.

use std::path::{Path, PathBuf};

use vetted::cache::Assessed;
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
    /// Keep the document in DIR, and reuse it while the manifest,
    /// checklists, policy, templates, date, format and build of vetted are
    /// the same (not used unless given).
    #[arg(long, value_name = "DIR")]
    cache: Option<PathBuf>,
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
    let (setup, cache) = std::thread::scope(|s| {
        // Opening a cache hashes the executable: do it while the
        // checklists load.
        let cache = s.spawn(|| {
            let dir = args.cache.as_deref()?;
            super::open_cache(dir, true)
        });
        let setup = args.common.setup(checklists);
        (
            setup,
            cache.join().expect("opening the cache does not panic"),
        )
    });
    let setup = setup?;
    let (file, bytes) = read_input(&args.file)?;
    let as_of = args.common.as_of();
    let key = cache.as_ref().map(|c| {
        let document = format!("{:?}", args.template);
        let format = format!("{:?}", args.common.format);
        c.assess_scope(
            &setup.catalog,
            &setup.policy,
            &setup.renderer,
            as_of,
            &document,
            &format,
        )
        .key(&file, &bytes)
    });
    let Some((cache, key)) = cache.as_ref().zip(key) else {
        // No cache: the document goes to its destination as it is made,
        // never whole in memory (the HTML of the worst manifest is 40 MB;
        // held, then copied as it grew, it cost more than everything
        // else, issue 16).
        let prepared = prepare(args, &setup, &file, bytes, as_of)?;
        print_diagnostics(&prepared.warnings);
        super::write_output_with(args.common.output.as_deref(), |out| {
            write_document(args, &setup, &prepared.subject, out)
        })?;
        return Ok(gate(args, prepared.verdict, prepared.tier));
    };
    let hit = cache
        .get(&key)
        .ok()
        .flatten()
        .and_then(|v| vetted::codec::from_bytes::<Assessed>(&v).ok())
        .filter(|a| std::str::from_utf8(&a.document).is_ok());
    let assessed = match hit {
        Some(a) => a,
        None => {
            let prepared = prepare(args, &setup, &file, bytes, as_of)?;
            let mut document = Vec::new();
            write_document(args, &setup, &prepared.subject, &mut document).map_err(
                |e| match e {
                    vetted::report::WriteError::Render(e) => vetted::Error::Render(e),
                    // Only a portfolio's temporary files can fail to be read back.
                    vetted::report::WriteError::Io(e) => {
                        unreachable!("a document in memory could not be written: {e}")
                    }
                },
            )?;
            let a = Assessed {
                document,
                warnings: prepared.warnings,
                verdict: prepared.verdict,
                tier: prepared.tier,
            };
            // Only a manifest that loaded gets here, so the credential
            // guard has passed it. A failed write only costs the next run
            // the work again.
            let _ = cache.put(&key, &vetted::codec::to_bytes(&a));
            a
        }
    };
    print_diagnostics(&assessed.warnings);
    let text = std::str::from_utf8(&assessed.document).expect("checked above, or rendered text");
    super::write_output(args.common.output.as_deref(), text)?;
    Ok(gate(args, assessed.verdict, assessed.tier))
}

/// What a document is made from: the report, or the SARIF log of the
/// findings located in the manifest.
enum Subject {
    Report(Box<vetted::report::Report>),
    Sarif(Box<vetted::report::sarif::Log>),
}

/// An assessment made, its document not yet written: the loader's warnings
/// and the verdict and tier `--fail-on` reads.
struct Prepared {
    subject: Subject,
    warnings: Vec<vetted::diag::Diagnostic>,
    verdict: Verdict,
    tier: Level,
}

/// Loads, evaluates and reports the manifest, for the chosen format.
fn prepare(
    args: &Args,
    setup: &super::Setup,
    file: &str,
    bytes: Vec<u8>,
    as_of: vetted::date::Date,
) -> Result<Prepared, vetted::Error> {
    if args.common.format.document().is_none() {
        let (loaded, a) =
            vetted::evaluate_loaded(file, bytes, &setup.catalog, &setup.policy, as_of)?;
        let log = vetted::report::sarif::log(&loaded.doc, &setup.catalog, &a);
        return Ok(Prepared {
            subject: Subject::Sarif(Box::new(log)),
            warnings: loaded.warnings,
            verdict: a.verdict,
            tier: a.tier,
        });
    }
    let (mut report, warnings) = vetted::assess(file, bytes, &setup.catalog, &setup.policy, as_of)?;
    report.integrity.templates = setup.renderer.overridden().to_vec();
    Ok(Prepared {
        verdict: report.summary.verdict,
        tier: report.summary.tier,
        subject: Subject::Report(Box::new(report)),
        warnings,
    })
}

/// Writes the document in the chosen format (the report, the compliance
/// document, or the SARIF log) to `out`.
fn write_document(
    args: &Args,
    setup: &super::Setup,
    subject: &Subject,
    out: &mut dyn std::io::Write,
) -> Result<(), vetted::report::WriteError> {
    use vetted::report::render::render_to;
    let report = match subject {
        Subject::Sarif(log) => {
            return Ok(out.write_all(vetted::report::render::json(log).as_bytes())?);
        }
        Subject::Report(report) => report.as_ref(),
    };
    let format = args
        .common
        .format
        .document()
        .expect("a report is prepared for a document format");
    match args.template {
        Template::Report => render_to(report, format, &setup.renderer, &setup.policy, out),
        Template::Compliance => render_to(
            &vetted::report::Compliance(report),
            format,
            &setup.renderer,
            &setup.policy,
            out,
        ),
    }
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
