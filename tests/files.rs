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

const GOOD: &str = "examples/well-run-saas-bot.yaml";

/// `vetted assess GOOD -o OUT`: (exit code, stderr).
fn assess_to(out: &Path) -> (Option<i32>, String) {
    let out = assert_cmd::Command::cargo_bin("vetted")
        .unwrap()
        .args(["assess", GOOD, "--as-of", AS_OF, "-o"])
        .arg(out)
        .timeout(Duration::from_secs(30))
        .output()
        .unwrap();
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// The report `assess_to` writes, as stdout shows it.
fn report() -> Vec<u8> {
    assert_cmd::Command::cargo_bin("vetted")
        .unwrap()
        .args(["assess", GOOD, "--as-of", AS_OF])
        .output()
        .unwrap()
        .stdout
}

fn is_char_device(path: &Path) -> bool {
    use std::os::unix::fs::FileTypeExt;
    std::fs::symlink_metadata(path)
        .unwrap()
        .file_type()
        .is_char_device()
}

/// Makes a copy of the `/dev/null` device node in `dir` (root only), has
/// `write` (a vetted that must succeed) write into it, and checks that it
/// is still a device; false if the node could not be made.
fn into_null_device(dir: &Path, write: impl FnOnce(&Path) -> (Option<i32>, String)) -> bool {
    let node = dir.join("null");
    let made = Command::new("mknod")
        .arg(&node)
        .args(["c", "1", "3"])
        .status()
        .is_ok_and(|s| s.success());
    if made {
        let (code, stderr) = write(&node);
        assert_eq!(code, Some(0), "{stderr}");
        assert!(
            is_char_device(&node),
            "the device node was replaced by a file"
        );
    }
    made
}

/// `-o /dev/null` writes into the device, never renames a file over it
/// (issue 21: run as root, the old atomic write replaced `/dev/null` with
/// a regular file). A private copy of the device node is tried first, so
/// that a regression breaks that copy, not the machine's `/dev/null`.
#[test]
fn a_device_is_written_to_not_replaced() {
    let dir = tempfile::tempdir().unwrap();
    if !into_null_device(dir.path(), assess_to) {
        eprintln!("mknod needs root; trying /dev/null alone");
    }
    // Another process running an older vetted (or anything else) may have
    // replaced it already on a shared machine; that is not this run's doing.
    if !is_char_device(Path::new("/dev/null")) {
        eprintln!("skipped: /dev/null was not a character device before this test ran");
        return;
    }
    let (code, stderr) = assess_to(Path::new("/dev/null"));
    assert_eq!(code, Some(0), "{stderr}");
    assert!(
        is_char_device(Path::new("/dev/null")),
        "vetted replaced /dev/null with a file; restore it with `rm /dev/null && mknod -m 666 /dev/null c 1 3`"
    );
}

/// What `write` (a vetted writing into `fifo`, which must succeed) wrote
/// into the FIFO `fifo`, which must still be one after.
fn through_fifo(fifo: &Path, write: impl FnOnce(&Path) -> (Option<i32>, String)) -> Vec<u8> {
    use std::os::unix::fs::FileTypeExt;
    let (tx, rx) = std::sync::mpsc::channel();
    let reading = fifo.to_path_buf();
    // Blocks until vetted opens the FIFO for writing; a vetted that renames
    // a file over it never does, and the channel times out instead.
    std::thread::spawn(move || {
        let _ = tx.send(std::fs::read(&reading).unwrap());
    });
    let (code, stderr) = write(fifo);
    assert_eq!(code, Some(0), "{stderr}");
    let got = rx
        .recv_timeout(Duration::from_secs(10))
        .expect("nothing was written into the FIFO");
    assert!(
        std::fs::symlink_metadata(fifo)
            .unwrap()
            .file_type()
            .is_fifo()
    );
    got
}

/// A FIFO is written to (a reader gets the report) and stays a FIFO.
#[test]
fn a_fifo_is_written_to_not_replaced() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("out.md");
    mkfifo(&fifo);
    let got = through_fifo(&fifo, assess_to);
    assert_eq!(got, report());
}

/// `vetted portfolio examples --format html -o OUT`, the document written
/// as it is made: (exit code, stderr).
fn portfolio_to(out: &Path) -> (Option<i32>, String) {
    let out = assert_cmd::Command::cargo_bin("vetted")
        .unwrap()
        .args(["portfolio", "examples", "--no-cache", "--as-of", AS_OF])
        .args(["--format", "html", "-o"])
        .arg(out)
        .timeout(Duration::from_secs(60))
        .output()
        .unwrap();
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// A document written as it is made (a portfolio, any report but `assess`)
/// goes the same ways: into a FIFO or device directly, which stays what
/// it is, and a directory is named.
#[test]
fn a_streamed_document_is_written_into_a_fifo_or_device_too() {
    let dir = tempfile::tempdir().unwrap();
    let stdout = assert_cmd::Command::cargo_bin("vetted")
        .unwrap()
        .args(["portfolio", "examples", "--no-cache", "--as-of", AS_OF])
        .args(["--format", "html"])
        .output()
        .unwrap()
        .stdout;
    let fifo = dir.path().join("out.html");
    mkfifo(&fifo);
    let got = through_fifo(&fifo, portfolio_to);
    assert!(got == stdout, "the FIFO got another document");
    into_null_device(dir.path(), portfolio_to);
    let (code, stderr) = portfolio_to(dir.path());
    assert_eq!(code, Some(3), "{stderr}");
    assert!(
        stderr.contains(&format!("{}: this is a directory", dir.path().display())),
        "{stderr}"
    );
}

/// A symlink to a regular file stays a link; the file behind it gets the
/// report.
#[test]
fn a_symlink_to_a_file_stays_a_link() {
    let dir = tempfile::tempdir().unwrap();
    let real = dir.path().join("real.md");
    std::fs::write(&real, "old").unwrap();
    let link = dir.path().join("link.md");
    std::os::unix::fs::symlink(&real, &link).unwrap();
    let (code, stderr) = assess_to(&link);
    assert_eq!(code, Some(0), "{stderr}");
    assert!(
        std::fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink()
    );
    assert_eq!(std::fs::read(&real).unwrap(), report());
}

/// A directory, or a path in a directory that does not exist, is refused
/// with a message naming it, not a temporary file's name.
#[test]
fn a_directory_or_a_missing_directory_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let (code, stderr) = assess_to(dir.path());
    assert_eq!(code, Some(3), "{stderr}");
    assert!(
        stderr.contains(&format!("{}: this is a directory", dir.path().display())),
        "{stderr}"
    );
    let missing = dir.path().join("no/such/report.md");
    let (code, stderr) = assess_to(&missing);
    assert_eq!(code, Some(3), "{stderr}");
    assert!(
        stderr.contains(&format!(
            "the directory {} does not exist",
            dir.path().join("no/such").display()
        )),
        "{stderr}"
    );
    assert!(
        !stderr.contains("vetted-tmp") && !stderr.contains("at path"),
        "a temporary file is named: {stderr}"
    );
}

/// A read-only directory: the message names the directory and the cause.
/// Root ignores permissions, so there the write succeeds and nothing is
/// checked.
#[test]
fn a_read_only_directory_is_named() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let locked = dir.path().join("locked");
    std::fs::create_dir(&locked).unwrap();
    std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o500)).unwrap();
    let probe = locked.join("probe");
    if std::fs::write(&probe, "x").is_ok() {
        eprintln!("skipped: running as root, which writes into a read-only directory anyway");
        return;
    }
    let (code, stderr) = assess_to(&locked.join("report.md"));
    assert_eq!(code, Some(3), "{stderr}");
    assert!(
        stderr.contains(&format!("cannot create a file in {}", locked.display())),
        "{stderr}"
    );
    assert!(stderr.contains("Permission denied"), "{stderr}");
}

/// What an interrupted save left beside a manifest (named as this
/// version names its temporary files, and old enough): the next save
/// removes it. Temporary files are created 0600, so what is left is never
/// readable by others either.
#[test]
fn the_next_save_removes_what_an_interrupted_one_left() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("report.md");
    let leftover = dir.path().join(".report.md.vetted-tmp.AbC123");
    std::fs::write(&leftover, "half a report").unwrap();
    let an_hour_ago = std::time::SystemTime::now() - Duration::from_secs(3600);
    std::fs::File::options()
        .write(true)
        .open(&leftover)
        .unwrap()
        .set_modified(an_hour_ago)
        .unwrap();
    // A fresh one may belong to a save in progress, and another file's
    // leftovers are not this save's business.
    let fresh = dir.path().join(".report.md.vetted-tmp.XyZ789");
    std::fs::write(&fresh, "in progress").unwrap();
    let other = dir.path().join(".other.md.vetted-tmp.AbC123");
    std::fs::write(&other, "x").unwrap();
    std::fs::File::options()
        .write(true)
        .open(&other)
        .unwrap()
        .set_modified(an_hour_ago)
        .unwrap();
    let (code, stderr) = assess_to(&out);
    assert_eq!(code, Some(0), "{stderr}");
    assert!(!leftover.exists(), "the leftover is still there");
    assert!(fresh.exists() && other.exists());
    // A new report, like its temporary file, is its owner's only.
    let mode = std::fs::metadata(&out).unwrap().permissions().mode();
    assert_eq!(mode & 0o077, 0, "{mode:o}");
}
