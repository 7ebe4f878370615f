//! Command-line interface: argument parsing, output and exit codes.
//!
//! Exit codes: 0 done; 1 the result fails `--fail-on`; 2 bad usage or bad
//! input (diagnostics on stderr); 3 a file could not be read or written.

mod assess;
mod checklist;
mod collect;
mod compare;
mod completions;
mod diff;
mod fill;
mod key;
mod portfolio;
mod questionnaire;
mod schema;
mod validate;
mod verify_report;

use std::io::{Seek, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{CommandFactory, Parser, Subcommand, ValueEnum};
use vetted::date::Date;
use vetted::diag::{Code, Diagnostic};

/// Exit code: done.
pub const OK: u8 = 0;
/// Exit code: the verdict or tier fails `--fail-on`.
pub const FAILED_GATE: u8 = 1;
/// Exit code: bad usage or bad input.
pub const BAD_INPUT: u8 = 2;
/// Exit code: a file could not be read or written.
pub const IO_ERROR: u8 = 3;
/// Exit code: `vetted key verify` could not verify a key (network, a
/// refused signature, clock skew, a rate limit, maintenance).
pub const KEY_UNVERIFIED: u8 = 4;

const AFTER_HELP: &str = "\
Examples:
  vetted assess examples/well-run-saas-bot.yaml
  vetted assess vendor.yaml --format json -o report.json --as-of 2026-11-27
  vetted assess vendor.yaml --fail-on conditions      # exit 1 unless approved outright
  vetted assess vendor.yaml --format html --template compliance -o review.html
  vetted fill new-vendor.yaml --checklist baseline --checklist exchange-keys
  vetted collect new-vendor.yaml --dry-run              # public evidence, over HTTPS
  vetted key verify vendor.yaml --key bot-trading       # what the exchange says the key can do
  vetted questionnaire export vendor.yaml -o vendor.xlsx  # the vendor fills it
  vetted questionnaire import vendor.xlsx --into vendor.yaml
  vetted compare candidate-a.yaml candidate-b.yaml --format html -o compare.html
  vetted portfolio vendors/ --fail-on overdue
  vetted diff vendor-2025.yaml vendor-2026.yaml --fail-on worse
  vetted validate vendors/*.yaml
  vetted verify-report report.json                      # still what its inputs make?
  vetted checklist show exchange-keys
  vetted schema manifest > manifest.schema.json
  vetted completions bash > /etc/bash_completion.d/vetted
  vetted man > vetted.1

Exit codes: 0 done, 1 fails --fail-on (verify-report: does not match),
2 bad usage or input, 3 I/O error, 4 a key could not be verified (key verify).";

/// Vet a third party before it gets access: above all, whether a trading bot,
/// portfolio tracker or tax tool may hold your exchange API keys.
#[derive(Parser, Debug)]
#[command(name = "vetted", version, about, after_help = AFTER_HELP)]
struct Cli {
    /// Extra checklists (*.yaml); one with a bundled id replaces the bundled one.
    #[arg(long, global = true, value_name = "DIR")]
    checklists: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Score a manifest and render its report.
    Assess(assess::Args),
    /// Answer checklists interactively into a manifest, saving after every answer.
    Fill(fill::Args),
    /// Gather public evidence (security.txt, HTTPS/HSTS, Security Insights,
    /// repository, Scorecard) into a manifest.
    Collect(Box<collect::Args>),
    /// Ask exchanges what each key can really do (read-only), against the key policy.
    #[command(subcommand)]
    Key(key::Command),
    /// Compare candidate vendors side by side.
    Compare(compare::Args),
    /// Review every manifest under a directory: register and due actions.
    Portfolio(portfolio::Args),
    /// What changed between two assessments of one vendor.
    Diff(diff::Args),
    /// Check manifests or checklists and report every problem.
    Validate(validate::Args),
    /// Whether a filed JSON report is exactly what its inputs make today
    /// (exit 1 naming each changed input if not).
    VerifyReport(verify_report::Args),
    /// Send a vendor a questionnaire workbook and import it back (or their CSA CAIQ).
    #[command(subcommand)]
    Questionnaire(questionnaire::Command),
    /// List, show or lint checklists.
    #[command(subcommand)]
    Checklist(checklist::Command),
    /// Print the JSON Schema of a file format or of a command's JSON output.
    Schema(schema::Args),
    /// Print a shell completion script (bash, zsh, fish, powershell, elvish).
    Completions(completions::Args),
    /// Print the man page (roff) of vetted, or of one command.
    ///
    /// `vetted man > vetted.1`; `vetted man assess > vetted-assess.1`.
    Man(completions::ManArgs),
}

/// Runs the CLI.
pub fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() { BAD_INPUT } else { OK });
        }
    };
    let code = match cli.command {
        Command::Assess(args) => assess::run(args, cli.checklists.as_deref()),
        Command::Fill(args) => fill::run(args, cli.checklists.as_deref()),
        Command::Collect(args) => collect::run(*args, cli.checklists.as_deref()),
        Command::Key(cmd) => key::run(cmd, cli.checklists.as_deref()),
        Command::Compare(args) => compare::run(args, cli.checklists.as_deref()),
        Command::Portfolio(args) => portfolio::run(args, cli.checklists.as_deref()),
        Command::Diff(args) => diff::run(args, cli.checklists.as_deref()),
        Command::Validate(args) => validate::run(args, cli.checklists.as_deref()),
        Command::VerifyReport(args) => verify_report::run(args, cli.checklists.as_deref()),
        Command::Questionnaire(cmd) => questionnaire::run(cmd, cli.checklists.as_deref()),
        Command::Checklist(cmd) => checklist::run(cmd, cli.checklists.as_deref()),
        Command::Schema(args) => schema::run(args),
        Command::Completions(args) => completions::completions(args, Cli::command()),
        Command::Man(args) => completions::man(args, Cli::command()),
    };
    ExitCode::from(code)
}

/// Report formats.
#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum Format {
    /// Markdown, from the templates.
    Md,
    /// The report structure as JSON.
    Json,
    /// A self-contained HTML page (the Markdown, sanitised, with SVG charts).
    Html,
    /// SARIF 2.1.0, for code scanning (`assess` only): one result per
    /// finding, at the manifest line it is about.
    Sarif,
}

impl Format {
    /// The document format, or none for SARIF, which only `assess` writes
    /// (it needs the manifest's positions, not a rendered document).
    fn document(self) -> Option<vetted::report::Format> {
        match self {
            Format::Md => Some(vetted::report::Format::Markdown),
            Format::Json => Some(vetted::report::Format::Json),
            Format::Html => Some(vetted::report::Format::Html),
            Format::Sarif => None,
        }
    }
}

/// Options shared by every command that renders a report.
#[derive(clap::Args, Debug)]
pub struct Common {
    /// Write the report here (`-` or nothing: stdout). A file is replaced
    /// atomically; a device or FIFO (`/dev/null`) is written to directly.
    #[arg(short, long, value_name = "OUT")]
    output: Option<PathBuf>,
    /// Report format.
    #[arg(long, value_enum, default_value = "md")]
    format: Format,
    /// The date to evaluate as today (evidence age, key rotation, waivers,
    /// reviews). Defaults to today; pass it for reproducible reports.
    #[arg(long, value_name = "YYYY-MM-DD", value_parser = parse_date)]
    as_of: Option<Date>,
    /// A policy file replacing the bundled default.
    #[arg(long, value_name = "FILE")]
    policy: Option<PathBuf>,
    /// A directory of templates overriding the bundled ones.
    #[arg(long, value_name = "DIR")]
    templates: Option<PathBuf>,
}

/// Where results computed from manifests are kept for the next run.
#[derive(clap::Args, Debug)]
pub struct CacheArgs {
    /// Keep and reuse each manifest's result in DIR (by default
    /// $XDG_CACHE_HOME/vetted or ~/.cache/vetted; not used when the CI
    /// environment variable is set, unless this is given).
    #[arg(long, value_name = "DIR", conflicts_with = "no_cache")]
    cache: Option<PathBuf>,
    /// Neither read nor write the cache.
    #[arg(long)]
    no_cache: bool,
}

impl CacheArgs {
    /// The cache to use, if any. A cache that cannot be opened (a
    /// read-only home, an unreadable executable) is not used: it can only
    /// make a run faster, never make it fail. Only a directory asked for
    /// with `--cache` is worth a warning.
    fn open(
        &self,
        var: impl Fn(&str) -> Option<std::ffi::OsString>,
    ) -> Option<vetted::cache::Cache> {
        let dir = cache_dir(self.cache.as_deref(), self.no_cache, var)?;
        open_cache(&dir, self.cache.is_some())
    }
}

/// The cache directory to use: `named` (`--cache`), none with
/// `--no-cache`, else the default one except under CI.
fn cache_dir(
    named: Option<&Path>,
    no_cache: bool,
    var: impl Fn(&str) -> Option<std::ffi::OsString>,
) -> Option<PathBuf> {
    match (named, no_cache) {
        (_, true) => None,
        (Some(dir), false) => Some(dir.to_path_buf()),
        (None, false) if var("CI").is_some_and(|v| !v.is_empty()) => None,
        (None, false) => vetted::cache::default_dir(var),
    }
}

/// The cache in `dir` for this build, if it can be opened; why not is
/// worth a warning only if the user named the directory.
fn open_cache(dir: &Path, named: bool) -> Option<vetted::cache::Cache> {
    let opened =
        vetted::cache::this_build().and_then(|build| vetted::cache::Cache::open(dir, build));
    match opened {
        Ok(cache) => Some(cache),
        Err(e) => {
            if named {
                eprintln!(
                    "warning[{}]: {}: {e}; the cache is not used",
                    Code::Io,
                    terminal_safe(&dir.display().to_string())
                );
            }
            None
        }
    }
}

/// What every reporting command loads before its own work.
struct Setup {
    catalog: vetted::checklist::Catalog,
    policy: vetted::rules::Policy,
    renderer: vetted::report::Renderer,
}

/// The exit code of a command's result, printing the error if there is one.
fn finish(result: Result<u8, vetted::Error>) -> u8 {
    result.unwrap_or_else(report_error)
}

impl Setup {
    /// Loads and evaluates every manifest in `paths` on `as_of`, as
    /// (file name, manifest, assessment); the problems of all of them are
    /// reported together.
    fn evaluate_all<'p>(
        &self,
        paths: impl IntoIterator<Item = &'p PathBuf>,
        as_of: Date,
    ) -> Result<
        Vec<(
            String,
            vetted::manifest::Manifest,
            vetted::evaluate::Assessment,
        )>,
        vetted::Error,
    > {
        let mut loaded = Vec::new();
        let mut problems = Vec::new();
        for path in paths {
            let (file, bytes) = read_input(path)?;
            match vetted::evaluate_file(&file, bytes, &self.catalog, &self.policy, as_of) {
                Ok((m, a)) => loaded.push((file, m, a)),
                Err(mut d) => problems.append(&mut d),
            }
        }
        if problems.is_empty() {
            Ok(loaded)
        } else {
            Err(vetted::Error::Invalid(problems))
        }
    }
}

impl Common {
    /// Loads the checklists, the policy and the templates.
    fn setup(&self, checklists: Option<&Path>) -> Result<Setup, vetted::Error> {
        Ok(Setup {
            catalog: vetted::load_catalog(checklists)?,
            policy: vetted::load_policy(self.policy.as_deref())?,
            renderer: vetted::load_templates(self.templates.as_deref())?,
        })
    }

    /// The as-of date, today by default.
    fn as_of(&self) -> Date {
        self.as_of.unwrap_or_else(Date::today_utc)
    }

    /// Renders `doc` in the chosen format and writes it, as it is made;
    /// `command` names
    /// the command in the error for a format it does not write.
    fn emit<D: vetted::report::Render>(
        &self,
        setup: &Setup,
        command: &str,
        doc: &D,
    ) -> Result<(), vetted::Error> {
        let Some(format) = self.format.document() else {
            return Err(vetted::Error::Usage {
                code: Code::FormatNotWritten,
                message: format!("`vetted {command}` does not write sarif"),
                help: "use --format md, html or json; `vetted assess FILE --format sarif` writes each manifest's findings".into(),
            });
        };
        write_output_with(self.output.as_deref(), |w| {
            vetted::report::render_to(doc, format, &setup.renderer, &setup.policy, w)
        })
    }
}

fn parse_date(s: &str) -> Result<Date, String> {
    s.parse()
        .map_err(|e: vetted::date::DateError| e.to_string())
}

/// Prints a library error and returns its exit code.
fn report_error(err: vetted::Error) -> u8 {
    match err {
        vetted::Error::Invalid(diags) => {
            print_diagnostics(&diags);
            let errors = diags.iter().filter(|d| d.is_error()).count();
            if errors > 0 {
                eprintln!("{errors} error(s) found; nothing was written.");
                BAD_INPUT
            } else {
                OK
            }
        }
        vetted::Error::Io { path, source } => {
            eprintln!(
                "error[{}]: {}: {source}",
                Code::Io,
                terminal_safe(&path.display().to_string())
            );
            IO_ERROR
        }
        vetted::Error::Render(e) => {
            eprintln!(
                "error[{}]: {}",
                Code::Template,
                terminal_safe(&e.to_string())
            );
            eprintln!(
                "  help: fix the template named above, or drop --templates to use the bundled one"
            );
            BAD_INPUT
        }
        vetted::Error::Usage {
            code,
            message,
            help,
        } => {
            eprintln!("error[{code}]: {}\n  help: {help}", terminal_safe(&message));
            BAD_INPUT
        }
    }
}

/// Writes a manifest back (`manifest::write::save`: checked by the
/// loader, backed up if hand-edited, replaced atomically) and says so in
/// `out`.
fn save_manifest(
    path: &Path,
    on_disk: &[u8],
    before: &vetted::manifest::Manifest,
    after: &vetted::manifest::Manifest,
    catalog: &vetted::checklist::Catalog,
    out: &mut String,
) -> Result<(), vetted::Error> {
    if let Some(b) = vetted::manifest::write::save(path, on_disk, before, after, catalog)? {
        out.push_str(&format!(
            "Backed up the hand-edited manifest to {} before rewriting it.\n",
            b.display()
        ));
    }
    out.push_str(&format!("Wrote {}.\n", path.display()));
    Ok(())
}

/// Prints diagnostics to stderr, with a count of errors.
fn print_diagnostics(diags: &[Diagnostic]) {
    let mut err = std::io::stderr().lock();
    for d in diags {
        let _ = writeln!(err, "{}", terminal_safe(&d.to_string()));
    }
}

/// Text from files may hold terminal control sequences, and bidirectional
/// or invisible characters that make it read differently from what it is;
/// show them as `<U+XXXX>` instead of letting them act on the terminal.
fn terminal_safe(s: &str) -> String {
    vetted::visible::terminal(s).into_owned()
}

/// Reads a file, or stdin for `-`. Returns the name to use in diagnostics.
fn read_input(path: &Path) -> Result<(String, Vec<u8>), vetted::Error> {
    if path == Path::new("-") {
        let name = "<stdin>";
        let bytes = vetted::read_stream(name, path, std::io::stdin().lock())?;
        Ok((name.to_string(), bytes))
    } else {
        Ok((path.display().to_string(), vetted::read(path)?))
    }
}

/// Writes output to a file (`fsutil::write`: atomically for a file, directly
/// for a device or FIFO), or to stdout for `-` or none.
fn write_output(out: Option<&Path>, text: &str) -> Result<(), vetted::Error> {
    match out {
        None => print_stdout(text),
        Some(p) if p == Path::new("-") => print_stdout(text),
        Some(p) => vetted::fsutil::write(p, text.as_bytes()).map_err(|source| vetted::Error::Io {
            path: p.to_path_buf(),
            source,
        }),
    }
}

/// Writes what `write` writes to `out` (`-` or none: stdout) without
/// holding it in memory: to a file atomically, to a device or FIFO directly
/// (`fsutil::write_with`), to stdout through a buffer that moves to a
/// temporary file past a few megabytes. A file or stdout gets nothing if
/// `write` fails; a device or FIFO, only what was written before.
fn write_output_with(
    out: Option<&Path>,
    write: impl FnOnce(&mut dyn Write) -> Result<(), vetted::report::WriteError>,
) -> Result<(), vetted::Error> {
    use vetted::report::WriteError;
    let io_error = |path: &Path| {
        let path = path.to_path_buf();
        move |e: WriteError| match e {
            WriteError::Render(e) => vetted::Error::Render(e),
            WriteError::Io(source) => vetted::Error::Io { path, source },
        }
    };
    match out {
        Some(p) if p != Path::new("-") => vetted::fsutil::write_with(p, write).map_err(io_error(p)),
        _ => {
            let stdout = Path::new("<stdout>");
            let mut spool = tempfile::SpooledTempFile::new(8 << 20);
            write(&mut spool).map_err(io_error(stdout))?;
            let copied = spool.seek(std::io::SeekFrom::Start(0)).and_then(|_| {
                let mut out = std::io::stdout().lock();
                std::io::copy(&mut spool, &mut out).and_then(|_| out.flush())
            });
            match copied {
                Ok(()) => Ok(()),
                // A closed pipe (`vetted ... | head`) is not a failure of ours.
                Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
                Err(source) => Err(vetted::Error::Io {
                    path: stdout.to_path_buf(),
                    source,
                }),
            }
        }
    }
}

fn print_stdout(text: &str) -> Result<(), vetted::Error> {
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|_| out.flush()) {
        Ok(()) => Ok(()),
        // A closed pipe (`vetted ... | head`) is not a failure of ours.
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        Err(source) => Err(vetted::Error::Io {
            path: PathBuf::from("<stdout>"),
            source,
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_are_shown_not_obeyed() {
        assert_eq!(terminal_safe("a\u{1b}[31mb\nc"), "a<U+001B>[31mb\nc");
        assert_eq!(
            terminal_safe("x\u{202e}y\u{200b}\r"),
            "x<U+202E>y<U+200B><U+000D>"
        );
    }

    #[test]
    fn clap_definition_is_consistent() {
        use clap::CommandFactory;
        Cli::command().debug_assert();
    }
}
