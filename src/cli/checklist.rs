//! `vetted checklist list|show`.

use std::path::{Path, PathBuf};

use serde::Serialize;
use vetted::diag::Code;
use vetted::level::Level;

use super::{BAD_INPUT, OK, report_error, write_output};

/// Checklist subcommands.
#[derive(clap::Subcommand, Debug)]
pub enum Command {
    /// List the available checklists.
    List,
    /// Check checklists for problems the loader accepts (unreachable
    /// conditions, options that cannot change the score, missing help or
    /// remediation, unknown frameworks, areas that cannot fail). Exit 1 when
    /// any is found.
    Lint {
        /// Checklist ids (default: all).
        ids: Vec<String>,
        /// A policy file (weights and thresholds) instead of the bundled one.
        #[arg(long, value_name = "FILE")]
        policy: Option<PathBuf>,
    },
    /// Render a checklist as readable Markdown.
    Show {
        /// Checklist id (see `vetted checklist list`).
        id: String,
        /// Write here instead of stdout.
        #[arg(short, long, value_name = "OUT")]
        output: Option<PathBuf>,
        /// A directory of templates overriding the bundled ones.
        #[arg(long, value_name = "DIR")]
        templates: Option<PathBuf>,
    },
}

/// Says that no checklist is called `id`, with the nearest id or the list
/// of them, and returns the exit code for bad usage.
pub fn unknown_checklist(catalog: &vetted::checklist::Catalog, id: &str) -> u8 {
    let known: Vec<&str> = catalog.ids().collect();
    let hint = vetted::diag::suggest(id, known.iter().copied()).map_or_else(
        || format!("available: {}", known.join(", ")),
        |s| format!("did you mean `{s}`?"),
    );
    eprintln!(
        "error[{}]: there is no checklist `{}`\n  help: {hint}",
        Code::UnknownChecklist,
        super::terminal_safe(id)
    );
    BAD_INPUT
}

#[derive(Serialize)]
struct Severity {
    level: Level,
    weight: f64,
}

#[derive(Serialize)]
struct ShowContext<'a> {
    checklist: &'a vetted::checklist::Checklist,
    severities: Vec<Severity>,
}

impl vetted::report::Render for ShowContext<'_> {
    const TEMPLATE: &'static str = "checklist.md.j2";

    fn title(&self) -> String {
        self.checklist.title.clone()
    }
}

pub fn run(cmd: Command, checklists: Option<&Path>) -> u8 {
    match execute(cmd, checklists) {
        Ok(code) => code,
        Err(e) => report_error(e),
    }
}

fn execute(cmd: Command, checklists: Option<&Path>) -> Result<u8, vetted::Error> {
    let catalog = vetted::load_catalog(checklists)?;
    match cmd {
        Command::List => {
            let mut text = String::new();
            for l in catalog.checklists() {
                let c = &l.checklist;
                let questions: usize = c.areas.iter().map(|a| a.questions.len()).sum();
                let origin = if l.bundled {
                    "bundled".to_string()
                } else {
                    l.doc.file.clone()
                };
                text.push_str(&format!(
                    "{:<16} {:<8} {:>3} questions  {}  ({})\n",
                    c.id, c.version, questions, c.title, origin
                ));
            }
            write_output(None, &super::terminal_safe(&text))?;
            Ok(OK)
        }
        Command::Lint { ids, policy } => {
            let policy = vetted::load_policy(policy.as_deref())?;
            if let Some(unknown) = ids.iter().find(|id| catalog.get(id).is_none()) {
                return Ok(unknown_checklist(&catalog, unknown));
            }
            let diags = vetted::checklist::lint::lint(
                &catalog,
                &policy,
                &ids,
                vetted::date::Date::today_utc(),
            );
            super::print_diagnostics(&diags);
            if diags.is_empty() {
                eprintln!("no problems found");
                Ok(OK)
            } else {
                eprintln!("{} problem(s) found", diags.len());
                Ok(super::FAILED_GATE)
            }
        }
        Command::Show {
            id,
            output,
            templates,
        } => {
            let Some(loaded) = catalog.get(&id) else {
                return Ok(unknown_checklist(&catalog, &id));
            };
            let policy = vetted::rules::Policy::default_policy();
            let ctx = ShowContext {
                checklist: &loaded.checklist,
                severities: Level::ALL
                    .iter()
                    .rev()
                    .map(|&level| Severity {
                        level,
                        weight: policy.weight(level),
                    })
                    .collect(),
            };
            let renderer = vetted::load_templates(templates.as_deref())?;
            let text =
                vetted::report::render(&ctx, vetted::report::Format::Markdown, &renderer, &policy)?;
            write_output(output.as_deref(), &text)?;
            Ok(OK)
        }
    }
}
