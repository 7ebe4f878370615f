//! Documentation that must stay true to the code.

use std::collections::BTreeSet;
use std::path::Path;

fn rust_files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|x| x == "rs") {
            out.push(path);
        }
    }
}

/// Kebab-case string literals that open a diagnostic: the first argument of
/// `error(`, `warning(` or `warn(`, or the first element of a `("code", "help")`
/// pair.
fn codes_in(text: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for opener in ["error(", "warning(", "warn(", "(\""] {
        let mut rest = text;
        while let Some(i) = rest.find(opener) {
            rest = &rest[i + opener.len()..];
            let after = if opener == "(\"" {
                rest
            } else {
                rest.trim_start().strip_prefix('"').unwrap_or("")
            };
            let Some(end) = after.find('"') else { continue };
            let literal = &after[..end];
            let is_code = !literal.is_empty()
                && literal
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
                && literal.as_bytes()[0].is_ascii_lowercase();
            let closes_first_argument = after[end + 1..].trim_start().starts_with(',');
            if is_code && closes_first_argument && (opener != "(\"" || literal.contains('-')) {
                out.insert(literal.to_string());
            }
        }
    }
    out
}

#[test]
fn every_diagnostic_code_is_documented() {
    let mut files = Vec::new();
    rust_files(Path::new("src"), &mut files);
    let mut codes = BTreeSet::new();
    for f in &files {
        let text = std::fs::read_to_string(f).unwrap();
        // Unit tests name codes in assertions, not diagnostics.
        let text = text.split("#[cfg(test)]").next().unwrap();
        codes.extend(codes_in(text));
    }
    // Field names and portfolio action kinds that the scan picks up but are
    // not diagnostic codes.
    for not_a_code in [
        "approved-by",
        "rotate-key",
        "stale-evidence",
        "excess-permissions",
    ] {
        codes.remove(not_a_code);
    }
    // Codes the CLI prints directly (`error[code]: ...`).
    let cli = std::fs::read_to_string("src/cli/fill.rs").unwrap()
        + &std::fs::read_to_string("src/cli/mod.rs").unwrap();
    for part in cli.split("error[").skip(1) {
        if let Some(code) = part
            .split(']')
            .next()
            .filter(|c| c.bytes().all(|b| b.is_ascii_lowercase() || b == b'-'))
        {
            codes.insert(code.to_string());
        }
    }
    assert!(codes.len() >= 40, "the scan found only {codes:?}");
    let doc = std::fs::read_to_string("docs/diagnostics.md").unwrap();
    let missing: Vec<&String> = codes
        .iter()
        .filter(|c| !doc.contains(&format!("### `{c}`")))
        .collect();
    assert!(
        missing.is_empty(),
        "codes without a `### \\`code\\`` section in docs/diagnostics.md: {missing:?}"
    );
}

#[test]
fn readme_starts_with_the_two_commands() {
    let readme = std::fs::read_to_string("README.md").unwrap();
    let block = readme
        .split("```sh\n")
        .nth(1)
        .unwrap()
        .split("```")
        .next()
        .unwrap();
    let lines: Vec<&str> = block.lines().collect();
    assert!(
        lines[0].starts_with("cargo run --release -- assess examples/"),
        "{lines:?}"
    );
    assert_eq!(lines[1], "cargo test");
    let example = lines[0].rsplit(' ').next().unwrap();
    assert!(Path::new(example).is_file(), "{example} does not exist");
}
