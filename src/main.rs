//! The `vetted` binary: parse arguments, call the library, print, exit.
#![forbid(unsafe_code)]

mod cli;

/// mimalloc: about 15% less CPU than the system allocator over a large
/// portfolio (many small strings per manifest); see docs/performance.md.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    cli::main()
}
