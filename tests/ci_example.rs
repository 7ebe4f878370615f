//! The CI example in `docs/` stays true: the workflow `docs/ci.md` shows
//! is `docs/ci-workflow.yml`, and every `vetted` command in it names a
//! command and options that exist.

use std::path::Path;

#[test]
fn every_vetted_command_of_the_ci_example_exists() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let workflow = std::fs::read_to_string(root.join("docs/ci-workflow.yml")).unwrap();
    let page = std::fs::read_to_string(root.join("docs/ci.md")).unwrap();
    assert!(
        page.contains(&workflow),
        "docs/ci.md does not show docs/ci-workflow.yml as it is"
    );
    let parsed: serde_json::Value = serde_saphyr::from_str(&workflow).unwrap();
    let steps = parsed["jobs"]["review"]["steps"].as_array().unwrap();
    let mut checked = 0;
    for step in steps {
        let Some(run) = step["run"].as_str() else {
            continue;
        };
        for line in run.lines() {
            let Some(rest) = line.trim().split_once("vetted ").map(|(_, r)| r) else {
                continue;
            };
            let words: Vec<&str> = rest.split_whitespace().collect();
            let command = words[0];
            let help = assert_cmd::Command::cargo_bin("vetted")
                .unwrap()
                .args([command, "--help"])
                .output()
                .unwrap();
            assert!(help.status.success(), "`vetted {command}` does not exist");
            let help = String::from_utf8_lossy(&help.stdout);
            for option in words.iter().filter(|w| w.starts_with("--")) {
                assert!(help.contains(option), "`vetted {command}` has no {option}");
            }
            // Values of closed sets the example relies on.
            for (option, value) in words.iter().zip(words.iter().skip(1)) {
                if matches!(*option, "--format" | "--fail-on") {
                    assert!(help.contains(value), "`vetted {command} {option} {value}`");
                }
            }
            checked += 1;
        }
    }
    assert!(checked >= 3, "{checked} commands checked");
}
