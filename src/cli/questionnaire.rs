//! `vetted questionnaire`: send a vendor a workbook, read it back, or read
//! the CSA CAIQ they already have.

use std::path::{Path, PathBuf};

use vetted::date::Date;
use vetted::questionnaire::{caiq, export, import};

use super::{OK, finish, terminal_safe};

const AFTER_HELP: &str = "\
The reviewer's round trip:
  vetted questionnaire export acme.yaml -o acme-questionnaire.xlsx --deadline 2026-12-15
  (send the workbook; the vendor fills column C, evidence and comments)
  vetted questionnaire import acme-questionnaire.xlsx --into acme.yaml --dry-run
  vetted questionnaire import acme-questionnaire.xlsx --into acme.yaml
  vetted assess acme.yaml --template compliance -o review.md

A vendor's completed CSA CAIQ v4 proposes answers where a checklist cites
the CCM control:
  vetted questionnaire import acme-caiq.xlsx --format caiq --into acme.yaml
  vetted questionnaire import acme-caiq.xlsx --format caiq --into acme.yaml --write

Imported answers are `vendor-claim`, with the workbook's name, the day and
the cell. An answer a person gave is never replaced: a vendor answer that
differs is kept beside it and reported by `vetted assess` as a
contradiction.";

/// `vetted questionnaire` subcommands.
#[derive(clap::Subcommand, Debug)]
#[command(after_help = AFTER_HELP)]
pub enum Command {
    /// Write the workbook a vendor fills: instructions, one sheet per area,
    /// drop-downs, known answers pre-filled.
    Export(ExportArgs),
    /// Read a returned workbook (or a CSA CAIQ with --format caiq) into its
    /// manifest.
    Import(ImportArgs),
}

/// Arguments of `vetted questionnaire export`.
#[derive(clap::Args, Debug)]
pub struct ExportArgs {
    /// The manifest to ask about.
    manifest: PathBuf,
    /// The workbook to write (.xlsx); replaced atomically.
    #[arg(short, long, value_name = "FILE.xlsx")]
    output: PathBuf,
    /// The date by which the vendor should return it.
    #[arg(long, value_name = "YYYY-MM-DD", value_parser = super::parse_date)]
    deadline: Option<Date>,
    /// The date the questionnaire is sent, which decides what applies
    /// (default today).
    #[arg(long, value_name = "YYYY-MM-DD", value_parser = super::parse_date)]
    as_of: Option<Date>,
    /// A policy file replacing the bundled default.
    #[arg(long, value_name = "FILE")]
    policy: Option<PathBuf>,
}

/// Which kind of workbook to read.
#[derive(Clone, Copy, Debug, clap::ValueEnum)]
pub enum Kind {
    /// A workbook made by `vetted questionnaire export`.
    Vetted,
    /// A CSA CAIQ v4 (v4.0.x or v4.1): answers are proposed, written only
    /// with --write.
    Caiq,
}

/// Arguments of `vetted questionnaire import`.
#[derive(clap::Args, Debug)]
pub struct ImportArgs {
    /// The workbook the vendor returned (.xlsx).
    workbook: PathBuf,
    /// The manifest to import into; rewritten in place (backed up first if
    /// hand-edited).
    #[arg(long, value_name = "MANIFEST")]
    into: PathBuf,
    /// What kind of workbook it is.
    #[arg(long, value_enum, default_value = "vetted")]
    format: Kind,
    /// Show what would change; write nothing.
    #[arg(long, conflicts_with = "write")]
    dry_run: bool,
    /// With --format caiq: write the proposed answers (otherwise only
    /// printed).
    #[arg(long)]
    write: bool,
    /// The day the workbook was received (default today).
    #[arg(long, value_name = "YYYY-MM-DD", value_parser = super::parse_date)]
    as_of: Option<Date>,
}

/// Runs a subcommand.
pub fn run(cmd: Command, checklists: Option<&Path>) -> u8 {
    finish(match cmd {
        Command::Export(args) => run_export(&args, checklists),
        Command::Import(args) => run_import(&args, checklists),
    })
}

fn run_export(args: &ExportArgs, checklists: Option<&Path>) -> Result<u8, vetted::Error> {
    let catalog = vetted::load_catalog(checklists)?;
    let policy = vetted::load_policy(args.policy.as_deref())?;
    let file = args.manifest.display().to_string();
    let loaded = vetted::manifest::load(&file, vetted::read(&args.manifest)?, &catalog)?;
    let as_of = args.as_of.unwrap_or_else(Date::today_utc);
    let opts = export::Options {
        as_of: Some(as_of),
        deadline: args.deadline,
    };
    let bytes = export::write(&loaded.manifest, &catalog, &policy, &opts)?;
    let pages = export::plan(&loaded.manifest, &catalog, &policy, as_of)?;
    vetted::fsutil::write(&args.output, &bytes).map_err(|source| vetted::Error::Io {
        path: args.output.clone(),
        source,
    })?;
    let questions: usize = pages.iter().map(|p| p.rows.len()).sum();
    let known: usize = pages
        .iter()
        .flat_map(|p| &p.rows)
        .filter(|r| r.known.is_some())
        .count();
    print!(
        "{}",
        terminal_safe(&format!(
            "Wrote {}: {questions} question(s) on {} sheet(s), {known} pre-filled from the manifest.\n",
            args.output.display(),
            pages.len()
        ))
    );
    Ok(OK)
}

fn run_import(args: &ImportArgs, checklists: Option<&Path>) -> Result<u8, vetted::Error> {
    let catalog = vetted::load_catalog(checklists)?;
    let path = &args.into;
    let file = path.display().to_string();
    let bytes = vetted::read(path)?;
    let loaded = vetted::manifest::load(&file, bytes.clone(), &catalog)?;
    let book_file = args.workbook.display().to_string();
    let book = vetted::read(&args.workbook)?;
    // The manifest records the file's name, not where it was on this
    // machine.
    let name = args
        .workbook
        .file_name()
        .map_or_else(|| book_file.clone(), |n| n.to_string_lossy().into_owned());
    let received = args.as_of.unwrap_or_else(Date::today_utc);
    let mut updated = loaded.manifest.clone();
    let mut out = String::new();
    let write = match args.format {
        Kind::Vetted => {
            let imported =
                import::import(&mut updated, &catalog, &book_file, &name, book, received)?;
            for w in &imported.warnings {
                eprintln!("{}", terminal_safe(&w.to_string()));
            }
            describe(&mut out, &imported, args.dry_run);
            !args.dry_run
        }
        Kind::Caiq => {
            let read = caiq::read(
                &loaded.manifest,
                &catalog,
                &book_file,
                &name,
                book,
                received,
            )?;
            out.push_str(&format!(
                "CAIQ: {} question(s) read; {} checklist question(s) cite a control it answers.\n",
                read.rows,
                read.proposals.len()
            ));
            for p in &read.proposals {
                let said = match (&p.answer, &p.reason) {
                    (Some(a), _) => format!("propose `{a}`"),
                    (None, Some(r)) => format!("no answer: {r}"),
                    (None, None) => "no answer".to_string(),
                };
                out.push_str(&format!(
                    "  {:<40} {:<8} {:<28} {said}\n",
                    p.question,
                    p.control,
                    p.read.join(", ")
                ));
            }
            let imported = import::merge(&mut updated, &catalog, read.claims, received);
            describe(&mut out, &imported, !args.write);
            if !args.write {
                out.push_str("Proposals only: add --write to record them.\n");
            }
            args.write
        }
    };
    if write {
        super::save_manifest(path, &bytes, &loaded.manifest, &updated, &catalog, &mut out)?;
    } else {
        out.push_str(&format!("{file} was not changed.\n"));
    }
    print!("{}", terminal_safe(&out));
    Ok(OK)
}

/// The changes, one line each, as a table.
fn describe(out: &mut String, imported: &import::Imported, dry: bool) {
    let (new, changed) = if dry {
        ("would add", "would change")
    } else {
        ("added", "changed")
    };
    out.push_str(&format!(
        "{} answer(s) read; {} change(s):\n",
        imported.answered,
        imported.changes.len()
    ));
    for c in &imported.changes {
        let before = c.before.as_deref().unwrap_or("unanswered");
        let what = match c.outcome {
            import::Outcome::New => format!("{new}: `{}`", c.vendor),
            import::Outcome::Updated => format!("{changed}: `{before}` -> `{}`", c.vendor),
            import::Outcome::Contradiction => format!(
                "kept your `{before}`; the vendor says `{}` (a contradiction for you to settle)",
                c.vendor
            ),
            import::Outcome::Agrees => {
                format!("the vendor now agrees with your `{before}`; the earlier claim is dropped")
            }
        };
        out.push_str(&format!("  {:<40} {:<22} {what}\n", c.question, c.item));
    }
    if let Some((was, now)) = imported.redated {
        out.push_str(&format!(
            "The assessment is dated {now} (was {was}), the day the answers were received.\n"
        ));
    }
}
