//! Documentation that must stay true to the code.

use std::path::Path;

/// `docs/diagnostics.md` is written by hand down to
/// `vetted::diag::GENERATED_MARKER`; the rest is generated from the list of
/// diagnostic codes (`src/diag/code.rs`), so a code cannot be added, renamed
/// or removed without the page following. `UPDATE_DOCS=1` rewrites the
/// generated part instead of failing.
#[test]
fn diagnostics_reference_is_generated_from_the_codes() {
    let path = Path::new("docs/diagnostics.md");
    let text = std::fs::read_to_string(path).unwrap();
    let marker = vetted::diag::GENERATED_MARKER;
    // Without the marker the whole file counts as the hand-written head, so
    // the comparison below fails and UPDATE_DOCS appends the reference.
    let head = text.find(marker).map_or(text.as_str(), |i| &text[..i]);
    let expected = format!("{head}{}", vetted::diag::diagnostics_markdown());
    if std::env::var_os("UPDATE_DOCS").is_some() {
        if text != expected {
            std::fs::write(path, &expected).unwrap();
        }
        return;
    }
    if text != expected {
        let line = text
            .lines()
            .zip(expected.lines())
            .position(|(a, b)| a != b)
            .unwrap_or_else(|| text.lines().count().min(expected.lines().count()));
        panic!(
            "docs/diagnostics.md is not what src/diag/code.rs generates (first difference at line {}: {:?} instead of {:?}); \
             edit the texts in src/diag/code.rs and run `UPDATE_DOCS=1 cargo test --test docs`",
            line + 1,
            text.lines().nth(line).unwrap_or("<end of file>"),
            expected.lines().nth(line).unwrap_or("<end of file>"),
        );
    }
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
