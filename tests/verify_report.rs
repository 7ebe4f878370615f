//! `vetted verify-report`: a filed JSON report matches the inputs that made
//! it, byte for byte; a change of one byte in any input (the manifest, a
//! checklist given with `--checklists`, the policy) or in the report itself
//! makes it fail, naming the input that changed.

use std::path::Path;

use assert_cmd::Command;

const AS_OF: &str = "2026-11-27";
const MANIFEST: &str = "examples/well-run-saas-bot.yaml";

/// Runs `vetted` in `dir`: exit code and stdout (stderr on failure to run).
fn vetted(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let out = Command::cargo_bin("vetted")
        .unwrap()
        .current_dir(dir)
        .args(args)
        .output()
        .unwrap();
    let text = |b: Vec<u8>| String::from_utf8(b).unwrap();
    (
        out.status.code().unwrap(),
        text(out.stdout),
        text(out.stderr),
    )
}

/// A directory holding the manifest, a copy of a bundled checklist in
/// `lists/`, of the policy as `policy.yaml` and a template in `t/`, and
/// the JSON report made from them with `extra` arguments.
fn filed(extra: &[&str]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::copy(MANIFEST, d.join("m.yaml")).unwrap();
    std::fs::create_dir(d.join("lists")).unwrap();
    std::fs::copy("checklists/baseline.yaml", d.join("lists/baseline.yaml")).unwrap();
    std::fs::copy("policy/default.yaml", d.join("policy.yaml")).unwrap();
    std::fs::create_dir(d.join("t")).unwrap();
    std::fs::write(d.join("t/report.md.j2"), "{{ vendor.name }}\n").unwrap();
    let mut args = vec![
        "assess", "m.yaml", "--as-of", AS_OF, "--format", "json", "-o", "r.json",
    ];
    args.extend(extra);
    let (code, _, err) = vetted(d, &args);
    assert_eq!(code, 0, "{err}");
    dir
}

/// Changes one byte of `file` in `dir`: the first `from` becomes `to`.
fn edit(dir: &Path, file: &str, from: &str, to: &str) {
    assert_eq!(from.len(), 1);
    let path = dir.join(file);
    let text = std::fs::read_to_string(&path).unwrap();
    let at = text
        .find(from)
        .unwrap_or_else(|| panic!("{from:?} in {file}"));
    std::fs::write(&path, format!("{}{to}{}", &text[..at], &text[at + 1..])).unwrap();
}

fn matches(out: &(i32, String, String)) {
    assert_eq!(out.0, 0, "{out:?}");
    assert!(out.1.starts_with("r.json: matches: "), "{out:?}");
}

/// Fails naming exactly `changed`.
fn fails_naming(out: &(i32, String, String), changed: &[&str]) {
    assert_eq!(out.0, 1, "{out:?}");
    let lines: Vec<&str> = out.1.lines().collect();
    assert_eq!(lines[0], "r.json: does not match its inputs", "{out:?}");
    let named: Vec<&str> = lines[1..]
        .iter()
        .map(|l| l.trim_start_matches("  - "))
        .collect();
    assert_eq!(named, changed, "{out:?}");
}

#[test]
fn a_report_verifies_and_an_edited_manifest_is_named() {
    let dir = filed(&[]);
    let d = dir.path();
    let report = std::fs::read_to_string(d.join("r.json")).unwrap();
    let json: serde_json::Value = serde_json::from_str(&report).unwrap();
    let sha = |b: &[u8]| vetted::report::integrity::sha256(b);
    assert_eq!(
        json["integrity"]["manifest"]["sha256"],
        sha(&std::fs::read(MANIFEST).unwrap()).as_str()
    );
    assert_eq!(json["integrity"]["as_of"], AS_OF);
    matches(&vetted(d, &["verify-report", "r.json"]));
    // The manifest named explicitly, from elsewhere.
    std::fs::create_dir(d.join("filed")).unwrap();
    std::fs::rename(d.join("m.yaml"), d.join("filed/vendor.yaml")).unwrap();
    matches(&vetted(
        d,
        &["verify-report", "r.json", "filed/vendor.yaml"],
    ));
    // Not found where the report says: an I/O error naming it.
    let (code, _, err) = vetted(d, &["verify-report", "r.json"]);
    assert_eq!(code, 3);
    assert!(err.contains("m.yaml"), "{err}");
    std::fs::rename(d.join("filed/vendor.yaml"), d.join("m.yaml")).unwrap();
    edit(d, "m.yaml", "T", "X");
    fails_naming(
        &vetted(d, &["verify-report", "r.json"]),
        &["manifest m.yaml changed"],
    );
}

#[test]
fn an_edited_checklist_is_named() {
    let dir = filed(&["--checklists", "lists"]);
    let d = dir.path();
    let json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(d.join("r.json")).unwrap()).unwrap();
    assert_eq!(
        json["integrity"]["checklists"][0]["file"],
        "lists/baseline.yaml"
    );
    matches(&vetted(
        d,
        &["verify-report", "r.json", "--checklists", "lists"],
    ));
    // A question's text, one byte: same id, same version, same scores.
    edit(d, "lists/baseline.yaml", "?", ".");
    fails_naming(
        &vetted(d, &["verify-report", "r.json", "--checklists", "lists"]),
        &["checklist baseline (lists/baseline.yaml) changed"],
    );
}

#[test]
fn an_edited_policy_is_named() {
    let dir = filed(&["--policy", "policy.yaml"]);
    let d = dir.path();
    matches(&vetted(
        d,
        &["verify-report", "r.json", "--policy", "policy.yaml"],
    ));
    // Without it, the bundled policy is checked: the same bytes.
    matches(&vetted(d, &["verify-report", "r.json"]));
    // In a comment: the same values, other bytes.
    edit(d, "policy.yaml", "y", "Y");
    fails_naming(
        &vetted(d, &["verify-report", "r.json", "--policy", "policy.yaml"]),
        &["policy default (policy.yaml) changed"],
    );
}

#[test]
fn overridden_templates_are_recorded_and_checked() {
    let dir = filed(&["--templates", "t"]);
    let d = dir.path();
    matches(&vetted(d, &["verify-report", "r.json", "--templates", "t"]));
    fails_naming(
        &vetted(d, &["verify-report", "r.json"]),
        &["template report.md.j2 (report.md.j2) is not available now"],
    );
    edit(d, "t/report.md.j2", "n", "N");
    fails_naming(
        &vetted(d, &["verify-report", "r.json", "--templates", "t"]),
        &["template report.md.j2 (report.md.j2) changed"],
    );
}

#[test]
fn a_tampered_report_fails() {
    let dir = filed(&[]);
    let d = dir.path();
    let report = std::fs::read_to_string(d.join("r.json")).unwrap();
    let verdict = "\"verdict\": \"approve\"";
    assert!(report.contains(verdict));
    std::fs::write(
        d.join("r.json"),
        report.replacen(verdict, "\"verdict\": \"reject\"", 1),
    )
    .unwrap();
    fails_naming(
        &vetted(d, &["verify-report", "r.json"]),
        &["no input changed: the report was edited after it was written"],
    );
}

#[test]
fn what_is_not_a_verifiable_report_is_refused() {
    let dir = filed(&[]);
    let d = dir.path();
    let (code, _, err) = vetted(d, &["assess", "m.yaml", "--as-of", AS_OF, "-o", "r.md"]);
    assert_eq!(code, 0, "{err}");
    for (file, text, code_name) in [
        ("r.md", None, "report-not-json"),
        ("other.json", Some("{\"a\": 1}"), "report-not-json"),
        (
            "old.json",
            Some("{\"tool\": {\"name\": \"vetted\"}, \"format_version\": 3}"),
            "report-unverifiable",
        ),
    ] {
        if let Some(text) = text {
            std::fs::write(d.join(file), text).unwrap();
        }
        let (code, out, err) = vetted(d, &["verify-report", file]);
        assert_eq!(code, 2, "{file}: {out}{err}");
        assert!(
            err.contains(&format!("error[{code_name}]")),
            "{file}: {err}"
        );
    }
    // A report without its integrity block.
    let report = std::fs::read_to_string(d.join("r.json")).unwrap();
    let mut json: serde_json::Value = serde_json::from_str(&report).unwrap();
    json.as_object_mut().unwrap().remove("integrity");
    std::fs::write(d.join("bare.json"), json.to_string()).unwrap();
    let (code, _, err) = vetted(d, &["verify-report", "bare.json"]);
    assert_eq!(code, 2);
    assert!(err.contains("error[report-unverifiable]"), "{err}");
}
