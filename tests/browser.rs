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

/// Says that `test` was skipped for want of `needs`; under CI, fails
/// instead (`.ci/run` installs what the tests need): a skipped test must
/// never pass as a green run.
fn skipped(test: &str, needs: &str) {
    assert!(
        std::env::var_os("CI").is_none(),
        "{test}: CI must have {needs}; .ci/run installs it"
    );
    eprintln!("SKIPPED: {test}: needs {needs}");
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
        return skipped(
            "html_reports_render_safely_in_chromium",
            "Chromium (Debian's `chromium`, or set CHROMIUM)",
        );
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

/// Poppler's `pdftotext` and `pdfinfo` (Debian's `poppler-utils`, which
/// `.ci/run` installs), if installed.
fn poppler() -> bool {
    ["pdftotext", "pdfinfo"].iter().all(|tool| {
        Command::new(tool)
            .arg("-v")
            .output()
            .is_ok_and(|o| o.status.success())
    })
}

/// The text of each page of `pdf`, in the order it was drawn (`-raw`):
/// Chromium draws a table cell by cell, so a cell's lines come together.
fn pdf_pages(pdf: &Path) -> Vec<String> {
    let info = Command::new("pdfinfo").arg(pdf).output().unwrap();
    assert!(info.status.success(), "pdfinfo failed on {}", pdf.display());
    let info = String::from_utf8(info.stdout).unwrap();
    let pages: usize = info
        .lines()
        .find_map(|l| l.strip_prefix("Pages:"))
        .expect("pdfinfo gives a page count")
        .trim()
        .parse()
        .unwrap();
    (1..=pages)
        .map(|n| {
            let out = Command::new("pdftotext")
                .args([
                    "-raw",
                    "-enc",
                    "UTF-8",
                    "-f",
                    &n.to_string(),
                    "-l",
                    &n.to_string(),
                ])
                .arg(pdf)
                .arg("-")
                .output()
                .unwrap();
            assert!(out.status.success(), "pdftotext failed on page {n}");
            String::from_utf8(out.stdout).unwrap()
        })
        .collect()
}

/// `text` without white space: a line wrapped anywhere reads the same.
fn squeezed(text: &str) -> String {
    text.chars().filter(|c| !c.is_whitespace()).collect()
}

/// An evidence address as a link carries it (the url crate's form: a
/// trailing `/` after a bare host).
fn printed(url: &serde_json::Value) -> String {
    let url = url.as_str().unwrap();
    vetted::report::escape::link_target(url).unwrap_or_else(|| url.to_string())
}

/// The checks every printing of the compliance document must pass; `pdf`
/// is the file, `report` the same assessment's JSON.
fn check_pdf(what: &str, pdf: &Path, report: &serde_json::Value) {
    let pages = pdf_pages(pdf);
    let count = pages.len();
    // Twenty-odd pages at A4: far fewer means content was lost, far more
    // that something forces page breaks.
    assert!((8..=40).contains(&count), "{what}: {count} pages");
    let title = "Third-party security review: Tidewater Quant";
    for (i, page) in pages.iter().enumerate() {
        // The running head names the vendor, the foot numbers the page.
        assert_eq!(
            page.lines().next(),
            Some(title),
            "{what}: page {} has no running head:\n{page}",
            i + 1
        );
        let foot = format!("Page {} of {count}", i + 1);
        assert!(
            page.lines().any(|l| l == foot),
            "{what}: page {} has no \"{foot}\":\n{page}",
            i + 1
        );
        // No page is blank: it holds more than its head and foot.
        let body =
            squeezed(page)
                .replacen(&squeezed(title), "", 1)
                .replacen(&squeezed(&foot), "", 1);
        assert!(
            body.chars().count() >= 20,
            "{what}: page {} is blank but for {body:?}",
            i + 1
        );
    }
    let squeezed_pages: Vec<String> = pages.iter().map(|p| squeezed(p)).collect();
    let on = |text: &str| -> Vec<usize> {
        let text = squeezed(text);
        (0..count)
            .filter(|&i| squeezed_pages[i].contains(&text))
            .collect()
    };

    // The decision, on the first page.
    assert_eq!(
        on("Decision: APPROVE WITH CONDITIONS").first(),
        Some(&0),
        "{what}: the decision is not on the first page"
    );

    // The sign-off, whole on one page.
    let sign_off = on("7. Sign-off");
    assert_eq!(sign_off.len(), 1, "{what}: sign-off on pages {sign_off:?}");
    let page = &squeezed_pages[sign_off[0]];
    for part in [
        "Role Name Date Signature",
        "Assessor R. Okafor 2026-11-20",
        "Approver M. Lindqvist",
        "Next review due 2027-11-20.",
    ] {
        assert!(
            page.contains(&squeezed(part)),
            "{what}: the sign-off's page {} lacks {part:?}:\n{}",
            sign_off[0] + 1,
            pages[sign_off[0]]
        );
    }

    // Every row of the controls tables whole on one page, under the
    // table's header (repeated on every page the table runs over), with
    // its evidence printed as its address.
    let header = squeezed("Control Question Answer Provenance Evidence (observed)");
    let mut rows = 0;
    for fw in report["frameworks"].as_array().unwrap() {
        for row in fw["rows"].as_array().unwrap() {
            let s = |k: &str| row[k].as_str().unwrap_or_default().to_string();
            let start = format!("{} {}: {}", s("reference"), s("question"), s("text"));
            let evidence: Vec<String> = row["observed"]
                .as_array()
                .unwrap()
                .iter()
                .map(|o| {
                    format!(
                        "{} ({})",
                        printed(&o["url"]),
                        o["observed"].as_str().unwrap()
                    )
                })
                .collect();
            let whole = on(&start).into_iter().any(|i| {
                squeezed_pages[i].contains(&header)
                    && evidence
                        .iter()
                        .all(|e| squeezed_pages[i].contains(&squeezed(e)))
            });
            assert!(
                whole,
                "{what}: the row {start:?} is not whole on a page under the header"
            );
            rows += 1;
        }
    }
    assert!(rows > 50, "{what}: only {rows} rows checked");

    // Every evidence address printed in full, and a live link in the PDF.
    let raw = std::fs::read(pdf).unwrap();
    let raw = String::from_utf8_lossy(&raw);
    for e in report["evidence"].as_array().unwrap() {
        let url = printed(&e["url"]);
        assert!(!on(&url).is_empty(), "{what}: {url} is not printed");
        let literal = url
            .replace('\\', "\\\\")
            .replace('(', "\\(")
            .replace(')', "\\)");
        assert!(
            raw.contains(&format!("/URI ({literal})")),
            "{what}: {url} is no link in the PDF"
        );
    }
}

#[test]
fn compliance_document_prints_to_a_clean_pdf() {
    let (Some(bin), true) = (chromium(), poppler()) else {
        return skipped(
            "compliance_document_prints_to_a_clean_pdf",
            "Chromium (Debian's `chromium`, or set CHROMIUM) and poppler's pdftotext and pdfinfo (Debian's `poppler-utils`)",
        );
    };
    let dir = tempfile::tempdir().unwrap();
    let manifest = "examples/well-run-saas-bot.yaml";
    let run = |format: &str, out: &Path| {
        let status = Command::cargo_bin("vetted")
            .unwrap()
            .args(["assess", manifest, "--template", "compliance"])
            .args(["--as-of", "2026-11-27", "--format", format, "-o"])
            .arg(out)
            .status()
            .unwrap();
        assert!(status.success(), "assess --format {format} failed");
    };
    let html = dir.path().join("compliance.html");
    let json = dir.path().join("compliance.json");
    run("html", &html);
    run("json", &json);
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    let page = std::fs::read_to_string(&html).unwrap();

    // As printed, and with the page's top margin grown step by step, which
    // moves every page break: the sign-off and every row stay whole
    // wherever the breaks fall. (With 64 mm more, the sign-off falls across
    // a page break: without `.keep-together` in the print style it splits
    // there, and without `break-inside: avoid` on rows, rows split.)
    for extra in [0, 16, 32, 48, 64] {
        let name = format!("margin-{extra}");
        let variant = dir.path().join(format!("{name}.html"));
        let style = format!(
            "<style>@page {{ margin-top: {}mm; }}</style>\n</head>",
            18 + extra
        );
        let shifted = if extra == 0 {
            page.clone()
        } else {
            page.replacen("</head>", &style, 1)
        };
        std::fs::write(&variant, shifted).unwrap();
        let pdf = dir.path().join(format!("{name}.pdf"));
        let out = browser(
            &bin,
            &dir.path().join(format!("profile-{name}")),
            &[
                "--no-pdf-header-footer",
                &format!("--print-to-pdf={}", pdf.display()),
            ],
            &variant,
        );
        assert!(
            pdf.is_file(),
            "{name}: no PDF\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
        check_pdf(&name, &pdf, &report);
    }
}
