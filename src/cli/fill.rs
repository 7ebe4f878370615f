//! `vetted fill`: the terminal prompter (inquire) and the command.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};

use inquire::error::InquireError;
use inquire::{MultiSelect, Select, Text};
use vetted::date::Date;
use vetted::diag::Code;
use vetted::fill::{self, FillError, Interrupted, Prompter, Scripted};

use super::{BAD_INPUT, IO_ERROR, OK, print_diagnostics, terminal_safe};

/// Arguments of `vetted fill`.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// The manifest to create, or to resume at its first unanswered question.
    file: PathBuf,
    /// Checklists for a new manifest (repeat the flag for several).
    #[arg(long = "checklist", value_name = "ID")]
    checklist: Vec<String>,
    /// Walk every applicable question again, current answers as defaults.
    #[arg(long)]
    revisit: bool,
    /// Answer from a YAML or JSON file of prompt keys to answers instead of a
    /// terminal (keys: vendor.name, integration.permissions,
    /// answer:<question>, evidence:<question>, observed:<question>,
    /// note:<question>, ...).
    #[arg(long, value_name = "FILE")]
    answers: Option<PathBuf>,
    /// The assessment date and the default observation date (default today).
    #[arg(long, value_name = "YYYY-MM-DD", value_parser = super::parse_date)]
    as_of: Option<Date>,
    /// A policy file replacing the bundled default (for the running score).
    #[arg(long, value_name = "FILE")]
    policy: Option<PathBuf>,
}

/// Prompts on the terminal. Esc skips a question, Ctrl-C stops (every
/// confirmed answer is already saved).
struct Terminal;

fn stop(e: InquireError) -> Interrupted {
    // Any failure of the terminal (closed, interrupted) ends the session the
    // same way: what was confirmed is on disk.
    let _ = e;
    Interrupted
}

impl Prompter for Terminal {
    fn say(&mut self, text: &str) {
        eprintln!("{}", terminal_safe(text));
    }

    fn text(
        &mut self,
        _key: &str,
        label: &str,
        help: Option<&str>,
        default: Option<&str>,
    ) -> Result<Option<String>, Interrupted> {
        let label = terminal_safe(label);
        let help = help.map(terminal_safe);
        let mut prompt = Text::new(&label);
        if let Some(h) = help.as_deref() {
            prompt = prompt.with_help_message(h);
        }
        // inquire prints the default as it is; one with hidden characters
        // is shown escaped and given back whole when the answer is empty.
        let shown = default.map(terminal_safe);
        match (default, shown.as_deref()) {
            (Some(d), Some(s)) if d == s => prompt = prompt.with_default(d),
            (Some(_), Some(s)) => prompt = prompt.with_placeholder(s),
            _ => {}
        }
        let answer = prompt.prompt_skippable().map_err(stop)?;
        Ok(match (answer, default) {
            (Some(a), Some(d)) if a.is_empty() && shown.as_deref() != Some(d) => {
                Some(d.to_string())
            }
            (a, _) => a,
        })
    }

    fn select(
        &mut self,
        _key: &str,
        label: &str,
        help: Option<&str>,
        options: &[(String, String)],
        default: Option<usize>,
    ) -> Result<Option<usize>, Interrupted> {
        let label = terminal_safe(label);
        let help = format!(
            "{} (Esc skips, Ctrl-C stops; answers are saved as you go)",
            help.map(terminal_safe).unwrap_or_default()
        );
        let labels: Vec<String> = options.iter().map(|(_, l)| terminal_safe(l)).collect();
        let mut prompt = Select::new(&label, labels).with_help_message(help.trim());
        if let Some(d) = default {
            prompt = prompt.with_starting_cursor(d);
        }
        prompt
            .raw_prompt_skippable()
            .map(|o| o.map(|o| o.index))
            .map_err(stop)
    }

    fn multi_select(
        &mut self,
        _key: &str,
        label: &str,
        help: Option<&str>,
        options: &[(String, String)],
        defaults: &[usize],
    ) -> Result<Option<Vec<usize>>, Interrupted> {
        let label = terminal_safe(label);
        let help = format!(
            "{} (space toggles, Enter confirms, Esc skips)",
            help.map(terminal_safe).unwrap_or_default()
        );
        let labels: Vec<String> = options.iter().map(|(_, l)| terminal_safe(l)).collect();
        MultiSelect::new(&label, labels)
            .with_help_message(help.trim())
            .with_default(defaults)
            .raw_prompt_skippable()
            .map(|o| o.map(|v| v.into_iter().map(|o| o.index).collect()))
            .map_err(stop)
    }
}

pub fn run(args: Args, checklists: Option<&Path>) -> u8 {
    let catalog = match vetted::load_catalog(checklists) {
        Ok(c) => c,
        Err(e) => return super::report_error(e),
    };
    // Checked before any question: a manifest naming an unknown checklist
    // would be refused at every save.
    if let Some(unknown) = args.checklist.iter().find(|id| catalog.get(id).is_none()) {
        return super::checklist::unknown_checklist(&catalog, unknown);
    }
    let policy = match vetted::load_policy(args.policy.as_deref()) {
        Ok(p) => p,
        Err(e) => return super::report_error(e),
    };
    let opts = fill::Options {
        path: &args.file,
        checklists: args.checklist.clone(),
        revisit: args.revisit,
        as_of: args.as_of.unwrap_or_else(Date::today_utc),
    };
    let mut scripted = match &args.answers {
        None => None,
        Some(path) => {
            let file = path.display().to_string();
            let parsed = vetted::read(path).and_then(|bytes| {
                let limits = Default::default();
                vetted::yaml::decode(&file, bytes, &limits)
                    .and_then(|t| vetted::yaml::parse(&file, &t, &limits))
                    .map_err(|d| vetted::Error::Invalid(vec![d]))
            });
            match parsed {
                Ok(node) => Some(Scripted::new(node.to_json())),
                Err(e) => return super::report_error(e),
            }
        }
    };
    let mut terminal = Terminal;
    let prompter: &mut dyn Prompter = match scripted.as_mut() {
        Some(s) => s,
        None if std::io::stdin().is_terminal() && std::io::stderr().is_terminal() => &mut terminal,
        None => {
            eprintln!(
                "error[{}]: vetted fill asks questions and needs a terminal",
                Code::NoTerminal
            );
            eprintln!("  help: run it in a terminal, or pass --answers FILE with scripted answers");
            return BAD_INPUT;
        }
    };
    let result = fill::run(prompter, &catalog, &policy, &opts);
    if let Some(s) = &scripted {
        for line in &s.transcript {
            eprintln!("{}", terminal_safe(line));
        }
    }
    match result {
        Ok(summary) => {
            let a = &summary.assessment;
            eprintln!();
            eprintln!(
                "Saved {} ({} answer(s) this session).",
                terminal_safe(&args.file.display().to_string()),
                summary.answered
            );
            eprintln!(
                "Verdict: {} · tier {} · score {:.1} · confidence {:.0}%",
                a.verdict.label(),
                a.tier,
                a.score,
                a.confidence
            );
            // A verdict that grants nothing says why (a rule, or too little
            // known).
            if !a.verdict.grants() {
                eprintln!("{}", terminal_safe(&a.verdict_reason));
            }
            for f in a.findings.iter().take(5) {
                eprintln!("  - [{}] {}: {}", f.severity, f.id, terminal_safe(&f.title));
            }
            eprintln!(
                "Full report: vetted assess {} -o report.md",
                terminal_safe(&args.file.display().to_string())
            );
            OK
        }
        Err(FillError::Interrupted) => {
            eprintln!(
                "Stopped. Every confirmed answer is saved in {}; run the same command to resume.",
                terminal_safe(&args.file.display().to_string())
            );
            OK
        }
        Err(FillError::Invalid(diags)) => {
            print_diagnostics(&diags);
            eprintln!("Fix the manifest above, then run vetted fill again.");
            BAD_INPUT
        }
        Err(FillError::Incomplete(why)) => {
            eprintln!("error[{}]: {}", Code::FillIncomplete, terminal_safe(&why));
            BAD_INPUT
        }
        Err(FillError::Io { path, source }) => {
            eprintln!(
                "error[{}]: {}: {source}",
                Code::Io,
                terminal_safe(&path.display().to_string())
            );
            IO_ERROR
        }
    }
}
