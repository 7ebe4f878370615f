//! Files and streams that are not what they seem (issue 16): endless
//! inputs, folder entries that are devices, FIFOs or sockets. Everything is
//! read with a bound, and a portfolio reads only regular files.

use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const AS_OF: &str = "2026-11-27";

/// A manifest that loads and assesses without a problem.
const VALID: &str = "vendor: {name: V}\n\
    integration: {purpose: P, checklists: [baseline], permissions: [read]}\n\
    assessment: {assessor: A, date: 2026-11-20}\n";

/// Runs `vetted` and returns (exit code, stderr, how long it took); a run
/// that is still going after `limit` is killed and fails the test.
fn run(args: &[&str], limit: Duration) -> (Option<i32>, String, Duration) {
    let start = Instant::now();
    let out = assert_cmd::Command::cargo_bin("vetted")
        .unwrap()
        .args(args)
        .timeout(limit)
        .output()
        .unwrap();
    let elapsed = start.elapsed();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(
        elapsed < limit,
        "vetted {args:?} was still running after {limit:?}\n{stderr}"
    );
    (out.status.code(), stderr, elapsed)
}

/// An endless device is refused once the size limit is reached, not read
/// until memory runs out.
#[test]
fn an_endless_device_is_refused_at_the_size_limit() {
    let (code, stderr, elapsed) = run(&["validate", "/dev/zero"], Duration::from_secs(20));
    assert_eq!(code, Some(2), "{stderr}");
    assert!(
        stderr.contains("/dev/zero:1:1: error[input-too-large]"),
        "{stderr}"
    );
    assert!(elapsed < Duration::from_secs(5), "took {elapsed:?}");
}

/// `yes | vetted assess -`: an endless stdin stops at the size limit too.
#[test]
fn an_endless_stdin_is_refused_at_the_size_limit() {
    let start = Instant::now();
    let mut child = Command::new(env!("CARGO_BIN_EXE_vetted"))
        .args(["assess", "--as-of", AS_OF, "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    // Writes until vetted closes the pipe, or the time is up.
    let writer = std::thread::spawn(move || {
        let line = "y\n".repeat(4096);
        let start = Instant::now();
        while start.elapsed() < Duration::from_secs(20) {
            if stdin.write_all(line.as_bytes()).is_err() {
                return true;
            }
        }
        false
    });
    let closed = writer.join().unwrap();
    if !closed {
        let _ = child.kill();
    }
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(closed, "vetted read stdin for 20 s without stopping");
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("<stdin>:1:1: error[input-too-large]"),
        "{stderr}"
    );
    assert!(start.elapsed() < Duration::from_secs(5));
}

/// A regular file over the limit is refused from its size, with the size.
#[test]
fn a_large_regular_file_is_refused_with_its_size() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("big.yaml");
    let file = std::fs::File::create(&path).unwrap();
    // Sparse: no disk used, and the size is known without reading.
    file.set_len(1 << 30).unwrap();
    let (code, stderr, _) = run(
        &["validate", path.to_str().unwrap()],
        Duration::from_secs(20),
    );
    assert_eq!(code, Some(2), "{stderr}");
    assert!(
        stderr.contains("error[input-too-large]: the file is 1073741824 bytes"),
        "{stderr}"
    );
}

fn mkfifo(path: &Path) {
    let status = Command::new("mkfifo").arg(path).status().unwrap();
    assert!(status.success(), "mkfifo {}", path.display());
}

/// A portfolio folder whose `*.yaml` entries include a link to an endless
/// device, a FIFO nobody writes to and a socket: each is listed as invalid,
/// named, without being opened; a link to a regular file is still read.
#[test]
fn a_portfolio_refuses_entries_that_are_not_regular_files() {
    let outside = tempfile::tempdir().unwrap();
    let real = outside.path().join("real.yaml");
    std::fs::write(&real, VALID.replace("name: V", "name: Linked")).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join("plain.yaml"), VALID).unwrap();
    std::os::unix::fs::symlink(&real, d.join("linked.yaml")).unwrap();
    std::os::unix::fs::symlink("/dev/zero", d.join("zero.yaml")).unwrap();
    mkfifo(&d.join("fifo.yaml"));
    let _socket = std::os::unix::net::UnixListener::bind(d.join("socket.yaml")).unwrap();

    let start = Instant::now();
    let out = assert_cmd::Command::cargo_bin("vetted")
        .unwrap()
        .args(["portfolio", "--as-of", AS_OF, "--format", "json"])
        .arg(d)
        .timeout(Duration::from_secs(20))
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        start.elapsed() < Duration::from_secs(10),
        "portfolio hung: {stderr}"
    );
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let vendors: Vec<&str> = json["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["vendor"].as_str().unwrap())
        .collect();
    assert_eq!(vendors, ["Linked", "V"], "{json:#}");
    let mut refused = Vec::new();
    for invalid in json["invalid"].as_array().unwrap() {
        let file = invalid["file"].as_str().unwrap();
        let name = Path::new(file).file_name().unwrap().to_str().unwrap();
        let d = &invalid["diagnostics"][0];
        assert_eq!(d["code"], "not-a-regular-file", "{invalid:#}");
        assert_eq!(d["file"], file, "{invalid:#}");
        refused.push((name.to_string(), d["message"].as_str().unwrap().to_string()));
    }
    refused.sort();
    let names: Vec<&str> = refused.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names, ["fifo.yaml", "socket.yaml", "zero.yaml"], "{json:#}");
    // The message says what the entry is.
    assert!(refused[0].1.contains("FIFO"), "{refused:?}");
    assert!(refused[1].1.contains("socket"), "{refused:?}");
    assert!(refused[2].1.contains("character device"), "{refused:?}");
}
