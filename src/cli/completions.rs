//! `vetted completions SHELL` and `vetted man`: both generated from the
//! parser's own definition, written to stdout.

use std::io::Write;

use clap_complete::Shell;
use vetted::diag::Code;

use super::{IO_ERROR, OK};

/// Arguments of `vetted completions`.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// The shell to complete for.
    #[arg(value_enum)]
    shell: Shell,
}

/// Prints the completion script for a shell.
pub fn completions(args: Args, mut cmd: clap::Command) -> u8 {
    let mut out = Vec::new();
    clap_complete::generate(args.shell, &mut cmd, "vetted", &mut out);
    print(&out)
}

/// Arguments of `vetted man`.
#[derive(clap::Args, Debug)]
pub struct ManArgs {
    /// A command whose page to print (`vetted-COMMAND(1)`, which the main
    /// page refers to); none: the main page.
    command: Option<String>,
}

/// Prints the main man page, or a command's.
pub fn man(args: ManArgs, mut cmd: clap::Command) -> u8 {
    // Building adds the generated `help` command, which the main page lists.
    cmd.build();
    let page = match &args.command {
        None => cmd,
        Some(name) => match cmd.find_subcommand(name) {
            // The main page names command pages `vetted-COMMAND(1)`.
            Some(sub) => sub
                .clone()
                .name(format!("vetted-{name}"))
                .version(env!("CARGO_PKG_VERSION")),
            None => {
                let names: Vec<&str> = cmd.get_subcommands().map(|c| c.get_name()).collect();
                eprintln!(
                    "error: there is no command `{}`; one of: {}",
                    super::terminal_safe(name),
                    names.join(", ")
                );
                return super::BAD_INPUT;
            }
        },
    };
    let mut out = Vec::new();
    match clap_mangen::Man::new(page).render(&mut out) {
        Ok(()) => print(&out),
        Err(e) => {
            eprintln!("error[{}]: cannot render the man page: {e}", Code::Io);
            IO_ERROR
        }
    }
}

fn print(bytes: &[u8]) -> u8 {
    let mut stdout = std::io::stdout().lock();
    match stdout.write_all(bytes).and_then(|()| stdout.flush()) {
        Ok(()) => OK,
        // A closed pipe (`vetted man | head`) is not the user's problem.
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => OK,
        Err(e) => {
            eprintln!("error[{}]: cannot write to stdout: {e}", Code::Io);
            IO_ERROR
        }
    }
}
