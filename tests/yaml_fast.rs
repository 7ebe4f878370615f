//! The YAML fast path against the general parser: whenever the fast path
//! reads a file, it must build exactly the tree the general parser builds,
//! positions included. Checked on every YAML file in the repository and in
//! `../shared/fixtures`, on generated manifests, and on generated and
//! mutated documents full of YAML's corner cases.

mod support;

use std::path::{Path, PathBuf};

use proptest::prelude::*;
use proptest::strategy::ValueTree;
use vetted::yaml::{self, Limits};

/// Whether the fast path reads `text`; panics if it reads it differently
/// from the general parser. Trees are compared by their debug form, so
/// that `.nan` equals itself.
fn check(name: &str, text: &str) -> bool {
    let limits = Limits::default();
    let Some(fast) = yaml::fast::parse(text, &limits) else {
        return false;
    };
    match yaml::parse_events(name, text, &limits) {
        Ok(full) => assert_eq!(
            format!("{fast:#?}"),
            format!("{full:#?}"),
            "{name}: the fast path read {text:?} differently"
        ),
        Err(e) => {
            panic!("{name}: the fast path read {text:?}, the general parser refused it: {e:?}")
        }
    }
    true
}

fn yaml_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            yaml_files(&path, out);
        } else if path.extension().is_some_and(|x| x == "yaml" || x == "yml") {
            out.push(path);
        }
    }
}

#[test]
fn every_yaml_file_reads_the_same_on_both_paths() {
    let mut files = Vec::new();
    // Tracked files only: a local fuzz corpus is the fuzz target's to check.
    for dir in ["examples", "checklists", "policy", "tests"] {
        yaml_files(Path::new(dir), &mut files);
    }
    if let Some(dir) = support::shared("security-insights") {
        yaml_files(&dir, &mut files);
    }
    files.sort();
    let mut read = Vec::new();
    for path in &files {
        let Ok(text) = std::fs::read_to_string(path) else {
            continue;
        };
        if check(&path.display().to_string(), &text) {
            read.push(path.clone());
        }
    }
    // The fast path must keep reading the files it exists for (every
    // bundled example, checklist and policy): a change that made it give up
    // on them would only show as lost speed.
    for path in &files {
        if ["examples", "checklists", "policy"]
            .iter()
            .any(|dir| path.starts_with(dir))
        {
            assert!(
                read.contains(path),
                "the fast path no longer reads {}",
                path.display()
            );
        }
    }
    eprintln!("the fast path read {} of {} files", read.len(), files.len());
}

#[test]
fn generated_manifests_take_the_fast_path() {
    let mut text = String::from(
        "vendor: {name: Vendor 7, website: https://v7.example, egress-ips: [203.0.113.7]}\n\
         integration:\n  purpose: Synthetic integration 7\n  checklists: [baseline, exchange-keys]\n  permissions: [read, trade]\n\
         \x20 funds-at-risk: {amount: 5000, currency: USD}\n  keys:\n    - {exchange: binance, label: v7-main, created: 2026-04-15, permissions: [read, trade], ip-restricted: true}\n\
         assessment: {assessor: Bench, date: 2026-11-20}\nanswers:\n",
    );
    for i in 0..50 {
        text.push_str(&format!(
            "  area.q{i}:\n    value: {}\n    source: document\n    evidence: [{{url: https://v7.example/security, observed: 2026-10-0{}}}]\n",
            ["yes", "true", "12", "2026-03-01", "[partial]"][i % 5],
            1 + i % 9
        ));
    }
    assert!(check("generated.yaml", &text));
}

/// Values: half of them from pieces the fast path reads (so that many
/// documents are read whole), half from pieces on the edge of what it
/// reads.
fn scalar() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::sample::select(vec![
            "x",
            "two words",
            "'q'",
            "\"d\"",
            "[1, 2]",
            "1.5",
            "true",
            "{url: https://a.example/x?y=1, observed: 2026-01-01}",
            "has {braces}, [brackets]",
            "|\nline one\n  indented\n\nline three",
            ">-\none\ntwo\n\nthree",
            "plain\ncontinued",
            "'a''b'''",
            "\"esc \\\" \\\\ \\/ \\n \\t\"",
        ])
        .prop_map(str::to_string),
        edge(),
    ]
}

/// Pieces of YAML that sit on the edge of what the fast path reads.
fn edge() -> impl Strategy<Value = String> {
    prop::sample::select(vec![
        "x",
        "two words",
        "-5",
        "- x",
        "-x",
        "a: b",
        "a:b",
        "a :b",
        "b:",
        "#",
        "x #c",
        "x#c",
        "'q'",
        "'it''s'",
        "\"d\"",
        "\"e\\n\"",
        "\"é ü\"",
        "'a' b",
        "\"a\"#c",
        "[1, 2]",
        "[1, [2, [3]]]",
        "[]",
        "{}",
        "{a: b}",
        "{a: }",
        "{a}",
        "[a,]",
        "[a, , b]",
        "[a: b]",
        "{a: b, a: c}",
        "{url: https://a.example/x?y=1, observed: 2026-01-01}",
        "&x y",
        "*x",
        "!t x",
        "!!str 1",
        "|",
        ">-",
        "~",
        "null",
        "Null",
        "true",
        "FALSE",
        "0x1F",
        "0o17",
        "0x-1",
        ".nan",
        ".inf",
        "-.inf",
        "1e3",
        "1.5",
        "+1",
        "007",
        "ü",
        "é: x",
        "",
        "  ",
        "https://a.b/c?d=e#f",
        "a, b",
        "a ,b",
        "[a ,b ]",
        "{ a: 1 , b: [x] }",
        "'",
        "\"",
        "[\"q\", 'r']",
        "x\ty",
        "%x",
        "@x",
        "`x",
        "? x",
        ": x",
        ", x",
        "x ]",
        "x }",
        "2026-02-30",
        // Lines after the first: `\n` starts a line at the scalar's
        // indentation, `\x01` a line at column 1.
        "|\nline one\nline two",
        "|-\nx\n\n  y",
        "|-\n  x\ny",
        "| # c\n#x\n  y",
        "|\n",
        "| x",
        "|+\nkeep\n",
        "|2\n  x",
        "|\n\x01\x01x\n\x01",
        "|\n\nx\n\ny",
        ">\n\n\nx\ny",
        "|-\n\x01\nx",
        ">\none\ntwo\n\nthree",
        ">-\n  more\nless",
        ">\nx\x01y",
        ">\nx\n  y",
        "plain\ncontinued",
        "plain\n\ncontinued",
        "plain\n  more",
        "plain\n- not an item",
        "plain\n#c",
        "plain\n  #c\nx",
        "plain\nx: y",
        "plain #c\nx",
        "1\n2",
        "plain\n[x]",
        "\"esc \\\" \\\\ \\/ \\n \\t\"",
        "\"bad \\q\"",
        "\"a\\\"",
        "'a''b'''",
        "''''",
        "\"\"",
        "'two\nlines'",
    ])
    .prop_map(str::to_string)
}

fn key() -> impl Strategy<Value = String> {
    prop::sample::select(vec![
        "a", "b", "b-c", "d.e", "f_g", "key", "true", "null", "1", "x y", "<<", "\"q\"", "é", "a1",
    ])
    .prop_map(str::to_string)
}

#[derive(Clone, Debug)]
enum Doc {
    Scalar(String),
    Map(Vec<(String, Doc)>),
    Seq(Vec<Doc>),
}

fn doc() -> impl Strategy<Value = Doc> {
    let leaf = scalar().prop_map(Doc::Scalar);
    leaf.prop_recursive(4, 24, 4, |inner| {
        prop_oneof![
            prop::collection::vec((key(), inner.clone()), 0..4).prop_map(Doc::Map),
            prop::collection::vec(inner, 0..4).prop_map(Doc::Seq),
        ]
    })
}

/// Writes `doc` in block style at `indent`, with an occasional comment,
/// blank line or odd indentation.
fn write(doc: &Doc, indent: usize, step: usize, out: &mut String) {
    let pad = " ".repeat(indent);
    match doc {
        Doc::Scalar(s) => {
            out.push_str(&s.replace('\n', &format!("\n{pad}")).replace('\x01', "\n"));
            out.push('\n');
        }
        Doc::Map(entries) if entries.is_empty() => out.push_str("{}\n"),
        Doc::Seq(items) if items.is_empty() => out.push_str("[]\n"),
        Doc::Map(entries) => {
            for (i, (k, v)) in entries.iter().enumerate() {
                if i > 0 || !out.ends_with("- ") {
                    out.push_str(&pad);
                }
                out.push_str(k);
                out.push(':');
                match v {
                    Doc::Scalar(_) => {
                        out.push(' ');
                        write(v, indent + step, step, out);
                    }
                    // Every third sequence without indentation, as many
                    // hand-written files have them.
                    Doc::Seq(items) if i % 3 == 2 && !items.is_empty() => {
                        out.push('\n');
                        write(v, indent, step, out);
                    }
                    _ => {
                        out.push_str(if i % 2 == 0 { "\n" } else { "  # note\n" });
                        write(v, indent + step, step, out);
                    }
                }
            }
        }
        Doc::Seq(items) => {
            for item in items {
                out.push_str(&pad);
                out.push_str("- ");
                match item {
                    Doc::Map(_) => write(item, indent + 2, step, out),
                    Doc::Seq(_) => {
                        out.push('\n');
                        write(item, indent + step, step, out);
                    }
                    Doc::Scalar(_) => write(item, indent + step, step, out),
                }
            }
        }
    }
}

fn document_text(d: Doc, step: usize, blank: bool) -> String {
    let mut text = String::new();
    write(&Doc::Map(vec![("root".into(), d)]), 0, step, &mut text);
    if blank {
        text = text.replace('\n', "\n\n   \n# c\n");
    }
    text
}

/// The generated documents must often be ones the fast path reads, or the
/// property below would compare nothing.
#[test]
fn generated_documents_often_take_the_fast_path() {
    let mut runner = proptest::test_runner::TestRunner::deterministic();
    let strategy = (doc(), 1usize..5, any::<bool>());
    let mut read = 0;
    for _ in 0..1000 {
        let (d, step, blank) = strategy.new_tree(&mut runner).unwrap().current();
        if check("generated.yaml", &document_text(d, step, blank)) {
            read += 1;
        }
    }
    eprintln!("{read} of 1000 generated documents took the fast path");
    assert!(
        read >= 100,
        "only {read} of 1000 generated documents took the fast path"
    );
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    /// Generated documents: whatever the fast path reads, it reads as the
    /// general parser does.
    #[test]
    fn generated_documents_read_the_same(d in doc(), step in 1usize..5, blank in any::<bool>()) {
        check("generated.yaml", &document_text(d, step, blank));
    }

    /// An example manifest (plain, with block scalars, with escapes) with
    /// one character inserted, replaced or deleted somewhere.
    #[test]
    fn mutated_examples_read_the_same(
        file in prop::sample::select(vec!["withdrawal-bot", "denied-leak-bot", "new-vendor-little-evidence"]),
        at in any::<prop::sample::Index>(),
        what in prop::sample::select(vec![' ', '-', ':', '#', '\'', '"', '[', ']', '{', '}', ',', '\n', '&', '*', '!', '|', '>', '\\', 'x', '\t', '?', '.', '0', 'é']),
        mode in 0u8..3,
    ) {
        let text = std::fs::read_to_string(format!("examples/{file}.yaml")).unwrap();
        let mut chars: Vec<char> = text.chars().collect();
        let i = at.index(chars.len());
        match mode {
            0 => chars.insert(i, what),
            1 => chars[i] = what,
            _ => { chars.remove(i); }
        }
        let mutated: String = chars.into_iter().collect();
        check("mutated.yaml", &mutated);
    }
}
