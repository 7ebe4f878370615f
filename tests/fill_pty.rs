//! `vetted fill` in a real pseudo-terminal: answer a few questions, kill the
//! process with SIGKILL, check that every confirmed answer is on disk and
//! valid, resume, finish, and check the final verdict.

use std::time::Duration;

use rexpect::session::{PtySession, spawn_command};

const TIMEOUT_MS: u64 = 20_000;

fn spawn(args: &str) -> (PtySession, String) {
    let bin = assert_cmd::cargo::cargo_bin("vetted");
    // Through a shell that prints its pid and then becomes vetted, so the
    // test can SIGKILL the very process.
    let mut cmd = std::process::Command::new("sh");
    cmd.arg("-c")
        .arg(format!("echo PID=$$; exec {} {args}", bin.display()));
    cmd.env("TERM", "xterm-256color");
    let mut p = spawn_command(cmd, Some(TIMEOUT_MS)).expect("spawns");
    p.exp_string("PID=").unwrap();
    let pid = p.read_line().unwrap().trim().to_string();
    (p, pid)
}

/// Waits for a prompt, then types `keys` and presses Enter.
fn answer(p: &mut PtySession, prompt: &str, keys: &str) {
    p.exp_string(prompt)
        .unwrap_or_else(|e| panic!("waiting for {prompt:?}: {e}"));
    // Give the prompt a moment to finish drawing before typing.
    std::thread::sleep(Duration::from_millis(60));
    p.send(keys).unwrap();
    p.send("\r").unwrap();
    p.flush().unwrap();
}

#[test]
fn fill_survives_sigkill_and_resumes() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("pty.yaml");
    let base = format!(
        "--checklists tests/fixtures fill {} --as-of 2026-11-27",
        path.display()
    );

    let (mut p, pid) = spawn(&format!("{base} --checklist arith"));
    answer(&mut p, "Vendor name", "Pty Vendor");
    answer(&mut p, "Vendor website", "https://pty.example");
    answer(&mut p, "Security or API documentation", "");
    answer(&mut p, "Source repository", "");
    answer(&mut p, "Published egress IPs", "");
    answer(
        &mut p,
        "What will the integration do",
        "Pseudo-terminal test",
    );
    answer(&mut p, "Permissions the vendor asks for", ""); // read, the default
    answer(&mut p, "Funds at risk", "");
    answer(&mut p, "Data the vendor receives", "");
    answer(&mut p, "Your name (assessor)", "Tester");
    answer(&mut p, "Critical choice", "Good");
    answer(&mut p, "Evidence URL", "https://pty.example/security");
    answer(&mut p, "Date you observed it", "");
    answer(&mut p, "Note (optional)", "");
    answer(&mut p, "Medium bool", "Yes");
    answer(&mut p, "Evidence URL", "");
    answer(&mut p, "Note (optional)", "");
    // alpha.low appears because alpha.crit is good; kill while it is asked.
    p.exp_string("Low follow-up").unwrap();
    let status = std::process::Command::new("kill")
        .args(["-9", &pid])
        .status()
        .unwrap();
    assert!(status.success());
    let _ = p.exp_eof();

    let text = std::fs::read_to_string(&path).expect("the manifest was saved");
    let catalog = vetted::load_catalog(Some(std::path::Path::new("tests/fixtures"))).unwrap();
    let m = vetted::manifest::load("pty.yaml", text.into_bytes(), &catalog)
        .unwrap_or_else(|d| panic!("{d:#?}"))
        .manifest;
    assert_eq!(m.vendor.name, "Pty Vendor");
    assert_eq!(
        m.answers["alpha.crit"].value.to_json(),
        serde_json::json!("good")
    );
    assert_eq!(
        m.answers["alpha.crit"].evidence[0].url,
        "https://pty.example/security"
    );
    assert_eq!(
        m.answers["alpha.med"].value.to_json(),
        serde_json::json!(true)
    );
    assert!(!m.answers.contains_key("alpha.low"));

    // Resume at the first unanswered question and finish.
    let (mut p, _) = spawn(&base);
    p.exp_string("Resuming").unwrap();
    answer(&mut p, "Low follow-up", "Good");
    answer(&mut p, "Evidence URL", "");
    answer(&mut p, "Note (optional)", "");
    answer(&mut p, "High choice", "Good");
    answer(&mut p, "Evidence URL", "");
    answer(&mut p, "Note (optional)", "");
    answer(&mut p, "Last test", "2026-06-01");
    answer(&mut p, "Evidence URL", "");
    answer(&mut p, "Note (optional)", "");
    answer(&mut p, "Follow-up of a follow-up", "No");
    answer(&mut p, "Evidence URL", "");
    answer(&mut p, "Note (optional)", "");
    p.exp_string("Verdict:").unwrap();
    p.exp_eof().unwrap();

    // alpha: (10 + 5 x 0.8 + 2.5 x 0.8) / 17.5 = 91.4; beta: (7.5 x 0.5 +
    // 2.5 + 0) / 12.5 = 50; overall (91.4 + 3 x 50) / 4 = 60.4: tier high,
    // read-only inherent risk low: approve with conditions.
    let out = std::process::Command::new(assert_cmd::cargo::cargo_bin("vetted"))
        .args([
            "--checklists",
            "tests/fixtures",
            "assess",
            "--as-of",
            "2026-11-27",
            "--format",
            "json",
        ])
        .arg(&path)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["summary"]["verdict"], "conditions");
    assert_eq!(report["summary"]["tier"], "high");
    assert_eq!(report["summary"]["score"], 60.4);
}
