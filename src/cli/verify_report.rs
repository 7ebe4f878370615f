//! `vetted verify-report`: whether a filed JSON report is exactly what its
//! inputs make today, and which input changed if not.

use std::path::{Path, PathBuf};

use vetted::diag::Code;

use super::{FAILED_GATE, OK, print_diagnostics, read_input, terminal_safe};

/// Arguments of `vetted verify-report`.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// The JSON report (`vetted assess --format json`, either template).
    report: PathBuf,
    /// The manifest it was made from (default: the file the report names,
    /// relative to the current directory).
    manifest: Option<PathBuf>,
    /// The policy file the report was made with (default: the bundled one).
    #[arg(long, value_name = "FILE")]
    policy: Option<PathBuf>,
    /// The templates directory the report was made with, if any.
    #[arg(long, value_name = "DIR")]
    templates: Option<PathBuf>,
}

pub fn run(args: Args, checklists: Option<&Path>) -> u8 {
    super::finish(execute(&args, checklists))
}

fn execute(args: &Args, checklists: Option<&Path>) -> Result<u8, vetted::Error> {
    let (file, report) = read_input(&args.report)?;
    let recorded = vetted::report::integrity::recorded(&file, &report)
        .map_err(|d| vetted::Error::Invalid(vec![d]))?;
    let manifest = match &args.manifest {
        Some(path) => path.clone(),
        None if recorded.manifest.file == "<stdin>" => {
            return Err(vetted::Error::Usage {
                code: Code::ReportUnverifiable,
                message: format!("{file}: the report was made from stdin"),
                help: "name the manifest: vetted verify-report REPORT.json MANIFEST".into(),
            });
        }
        None => PathBuf::from(&recorded.manifest.file),
    };
    let (_, bytes) = read_input(&manifest)?;
    let catalog = vetted::load_catalog(checklists)?;
    let policy = vetted::load_policy(args.policy.as_deref())?;
    let renderer = vetted::load_templates(args.templates.as_deref())?;
    let v = vetted::report::integrity::verify(
        &file,
        &report,
        bytes,
        &catalog,
        &policy,
        renderer.overridden(),
    )
    .map_err(|d| vetted::Error::Invalid(vec![d]))?;
    print_diagnostics(&v.problems);
    let name = terminal_safe(&file);
    let mut out = String::new();
    if v.matches {
        out.push_str(&format!(
            "{name}: matches: its inputs make this report byte for byte today (as of {}, vetted {})\n",
            v.recorded.as_of, v.recorded.tool_version
        ));
    } else {
        out.push_str(&format!("{name}: does not match its inputs\n"));
        let changes = v.changes();
        for change in &changes {
            out.push_str(&format!("  - {}\n", terminal_safe(change)));
        }
        if !v.problems.is_empty() {
            out.push_str("  - the manifest no longer loads (above)\n");
        } else if changes.is_empty() && v.recorded.tool_version == env!("CARGO_PKG_VERSION") {
            out.push_str("  - no input changed: the report was edited after it was written\n");
        } else if changes.is_empty() {
            out.push_str(&format!(
                "  - no input changed: the report was edited, or written by vetted {} (this is {})\n",
                terminal_safe(&v.recorded.tool_version),
                env!("CARGO_PKG_VERSION")
            ));
        }
    }
    super::write_output(None, &out)?;
    Ok(if v.matches { OK } else { FAILED_GATE })
}
