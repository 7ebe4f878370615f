//! The HTML reports in a real browser (headless Chromium, Debian's
//! `chromium` package, which `.ci/run` installs).
//!
//! For every bundled example and the injection case: the page renders (the
//! screenshot is not blank), the DOM holds no `script` element and no `on*`
//! attribute, no request leaves the file (checked in Chromium's net log,
//! with a probe page proving the check can see a request), and the injected
//! vendor name shows as literal text.
//!
//! Without a browser the test says it was skipped, except under CI, where it
//! fails instead: a skipped browser test must never pass as a green run.

use std::path::{Path, PathBuf};
use std::process::Command;

use assert_cmd::cargo::CommandCargoExt;

fn chromium() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("CHROMIUM") {
        return Some(PathBuf::from(p));
    }
    [
        "/usr/bin/chromium",
        "/usr/bin/chromium-browser",
        "/usr/bin/google-chrome",
    ]
    .iter()
    .map(PathBuf::from)
    .find(|p| p.is_file())
}

fn browser(bin: &Path, profile: &Path, args: &[&str], page: &Path) -> std::process::Output {
    let child = Command::new(bin)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--hide-scrollbars",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(args)
        .arg(format!("file://{}", page.display()))
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("chromium starts");
    // A headless Chromium that is given nothing to do runs forever; never
    // let one hang the suite. Output is read on another thread so that a
    // large DOM dump cannot fill the pipe while we wait.
    let pid = child.id();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(child.wait_with_output());
    });
    match rx.recv_timeout(std::time::Duration::from_secs(60)) {
        Ok(output) => output.expect("chromium output"),
        Err(_) => {
            let _ = Command::new("kill").arg("-9").arg(pid.to_string()).status();
            panic!("chromium did not finish within 60 s on {}", page.display());
        }
    }
}

/// URLs the page itself asked for (not the browser's own background
/// traffic), from a net log.
fn page_requests(net_log: &Path) -> Vec<String> {
    let text = std::fs::read_to_string(net_log).expect("net log written");
    // Chromium may leave the closing brackets off when it exits quickly.
    let log: serde_json::Value = serde_json::from_str(&text)
        .or_else(|_| serde_json::from_str(&format!("{}]}}", text.trim_end().trim_end_matches(','))))
        .expect("net log is JSON");
    let types = &log["constants"]["logEventTypes"];
    let start_job = types["URL_REQUEST_START_JOB"]
        .as_i64()
        .expect("event type known");
    log["events"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["type"].as_i64() == Some(start_job))
        .filter(|e| {
            e["params"]["network_isolation_key"]
                .as_str()
                .is_some_and(|k| k.contains("file://"))
        })
        .filter_map(|e| e["params"]["url"].as_str().map(str::to_string))
        .filter(|u| !u.starts_with("file:") && !u.starts_with("data:"))
        .collect()
}

fn not_blank(png_path: &Path) -> bool {
    let decoder = png::Decoder::new(std::io::BufReader::new(
        std::fs::File::open(png_path).unwrap(),
    ));
    let mut reader = decoder.read_info().unwrap();
    let mut buf = vec![0; reader.output_buffer_size().unwrap()];
    let info = reader.next_frame(&mut buf).unwrap();
    let channels = info.color_type.samples();
    let pixels = buf[..info.buffer_size()].chunks(channels);
    let total = pixels.len();
    let ink = buf[..info.buffer_size()]
        .chunks(channels)
        .filter(|p| p.iter().take(3).any(|&v| v < 200))
        .count();
    ink * 200 > total
}

/// Tags in serialised HTML (text `<` is always `&lt;` in a DOM dump).
fn tags(html: &str) -> impl Iterator<Item = &str> {
    html.split('<')
        .skip(1)
        .map(|t| t.split('>').next().unwrap_or(""))
}

fn check_page(bin: &Path, dir: &Path, name: &str, html: &Path) -> String {
    let profile = dir.join(format!("profile-{name}"));
    let shot = dir.join(format!("{name}.png"));
    let net = dir.join(format!("{name}.netlog.json"));
    let out = browser(
        bin,
        &profile,
        &[
            "--window-size=1280,1600",
            &format!("--screenshot={}", shot.display()),
            &format!("--log-net-log={}", net.display()),
        ],
        html,
    );
    assert!(
        shot.is_file(),
        "{name}: no screenshot\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(not_blank(&shot), "{name}: the screenshot is blank");
    let requests = page_requests(&net);
    assert!(
        requests.is_empty(),
        "{name}: the page made requests: {requests:?}"
    );

    let out = browser(
        bin,
        &dir.join(format!("profile-dom-{name}")),
        &["--dump-dom"],
        html,
    );
    let dom = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        dom.contains("<main>"),
        "{name}: empty DOM\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    for tag in tags(&dom) {
        let lower = tag.to_ascii_lowercase();
        assert!(
            !lower.starts_with("script"),
            "{name}: script element: <{tag}>"
        );
        for attr in lower.split_whitespace().skip(1) {
            assert!(
                !attr.starts_with("on"),
                "{name}: event handler attribute in <{tag}>"
            );
        }
    }
    dom
}

#[test]
fn html_reports_render_safely_in_chromium() {
    let Some(bin) = chromium() else {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI must have Chromium: .ci/run installs the chromium package"
        );
        eprintln!(
            "SKIPPED: html_reports_render_safely_in_chromium: no Chromium found (install Debian's `chromium`, or set CHROMIUM)"
        );
        return;
    };
    let dir = tempfile::tempdir().unwrap();

    // The probe: a page that does load something must be caught.
    let probe = dir.path().join("probe.html");
    std::fs::write(
        &probe,
        "<!DOCTYPE html><p>probe</p><img src=\"http://127.0.0.1:9/probe.png\">",
    )
    .unwrap();
    let net = dir.path().join("probe.netlog.json");
    browser(
        &bin,
        &dir.path().join("profile-probe"),
        &["--dump-dom", &format!("--log-net-log={}", net.display())],
        &probe,
    );
    assert_eq!(
        page_requests(&net),
        ["http://127.0.0.1:9/probe.png"],
        "the request check must see a page's request"
    );

    let mut pages: Vec<(String, PathBuf)> = std::fs::read_dir("examples")
        .unwrap()
        .map(|e| e.unwrap().path())
        .map(|p| (p.file_stem().unwrap().to_string_lossy().into_owned(), p))
        .collect();
    pages.sort();
    pages.push((
        "injection".to_string(),
        PathBuf::from("tests/bad-input/injection.yaml"),
    ));
    for (name, manifest) in &pages {
        let html = dir.path().join(format!("{name}.html"));
        let status = Command::cargo_bin("vetted")
            .unwrap()
            .args(["assess", "--as-of", "2026-11-27", "--format", "html", "-o"])
            .arg(&html)
            .arg(manifest)
            .status()
            .unwrap();
        assert!(status.success(), "{name}: assess failed");
        let dom = check_page(&bin, dir.path(), name, &html);
        assert!(dom.contains("<svg"), "{name}: no chart");
        if name == "injection" {
            let literal =
                "Evil | *Corp* &lt;script&gt;alert(1)&lt;/script&gt; [x](javascript:alert(1))";
            assert!(
                dom.contains(&format!("<h1>Vendor assessment: {literal}</h1>")),
                "injected name not literal:\n{dom}"
            );
            // The checked evidence addresses are the page's only links.
            let hrefs: Vec<&str> = dom
                .split("<a ")
                .skip(1)
                .map(|tag| &tag[..tag.find('>').unwrap()])
                .collect();
            assert!(!hrefs.is_empty(), "no evidence link:\n{dom}");
            for tag in hrefs {
                assert!(
                    tag.contains("href=\"https://evil.example/a_(b)_*c*\"")
                        || tag
                            .contains("href=\"https://evil.example/q?x=%22%3E%3Cb%3Ey%3C/b%3E)\""),
                    "a link to something else: {tag}"
                );
                assert!(tag.contains("rel=\"noopener noreferrer\""), "{tag}");
            }
        }
    }

    // Compliance document, comparison and portfolio pages too.
    for (name, args) in [
        (
            "compliance",
            vec![
                "assess",
                "examples/well-run-saas-bot.yaml",
                "--template",
                "compliance",
            ],
        ),
        (
            "compare",
            vec![
                "compare",
                "examples/well-run-saas-bot.yaml",
                "examples/denied-leak-bot.yaml",
            ],
        ),
        ("portfolio", vec!["portfolio", "examples"]),
    ] {
        let html = dir.path().join(format!("{name}.html"));
        let status = Command::cargo_bin("vetted")
            .unwrap()
            .args(&args)
            .args(["--as-of", "2026-11-27", "--format", "html", "-o"])
            .arg(&html)
            // `portfolio` keeps a cache under the user's cache directory.
            .env("XDG_CACHE_HOME", dir.path().join("cache"))
            .status()
            .unwrap();
        assert!(status.success(), "{name}: failed");
        let dom = check_page(&bin, dir.path(), name, &html);
        assert!(dom.contains("<svg"), "{name}: no chart");
    }
}
