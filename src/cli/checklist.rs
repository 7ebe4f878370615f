//! `vetted checklist list|show`.

use std::path::{Path, PathBuf};

use serde::Serialize;
use vetted::level::Level;

use super::{BAD_INPUT, OK, report_error, write_output};

/// Checklist subcommands.
#[derive(clap::Subcommand, Debug)]
pub enum Command {
    /// List the available checklists.
    List,
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
        Command::Show {
            id,
            output,
            templates,
        } => {
            let Some(loaded) = catalog.get(&id) else {
                let known: Vec<&str> = catalog.ids().collect();
                let hint = vetted::diag::suggest(&id, known.iter().copied()).map_or_else(
                    || format!("available: {}", known.join(", ")),
                    |s| format!("did you mean `{s}`?"),
                );
                eprintln!(
                    "error[unknown-checklist]: there is no checklist `{}`\n  help: {hint}",
                    super::terminal_safe(&id)
                );
                return Ok(BAD_INPUT);
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
            let text = renderer.render("checklist.md.j2", &ctx)?;
            write_output(output.as_deref(), &text)?;
            Ok(OK)
        }
    }
}
