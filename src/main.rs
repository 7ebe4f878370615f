//! The `vetted` binary: parse arguments, call the library, print, exit.
#![forbid(unsafe_code)]

mod cli;

fn main() -> std::process::ExitCode {
    cli::main()
}
