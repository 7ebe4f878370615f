//! Rendering costs no more than the input allows (issue 16): the worst
//! manifests under the input limits (5 MB, the YAML budgets) render in
//! every format, alone, compared and in a portfolio, with output and
//! memory bounded by the input and time well under a generous bound.
//!
//! One test in this file, on purpose: it measures the process's peak
//! memory, which another test running beside it would disturb.

use std::path::Path;
use std::time::{Duration, Instant};

use vetted::report::{Format, Render, Renderer};

const AS_OF: &str = "2026-11-27";
const LIMIT: usize = vetted::MAX_INPUT_BYTES;

#[path = "support/worst.rs"]
mod worst;
use worst::{REST, huge_name, worst};

/// The process's peak resident memory since the last reset, in bytes, and
/// a reset; `None` where `/proc` does not offer it.
fn peak_and_reset() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let kb: u64 = status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))?
        .trim()
        .trim_end_matches("kB")
        .trim()
        .parse()
        .ok()?;
    // Writing 5 resets the peak to the current size (Linux 4.0 on).
    std::fs::write("/proc/self/clear_refs", "5").ok()?;
    Some(kb * 1024)
}

struct Meter {
    rows: Vec<String>,
}

impl Meter {
    /// Runs `step`, checking its time, its peak memory over what the
    /// process held before, and the size of what it rendered against the
    /// input it read.
    fn step(&mut self, name: &str, input: usize, step: impl FnOnce() -> String) {
        let _ = peak_and_reset();
        let before = peak_and_reset();
        let start = Instant::now();
        let output = step();
        let elapsed = start.elapsed();
        let peak = peak_and_reset();
        let grew = match (before, peak) {
            (Some(b), Some(p)) => Some(p.saturating_sub(b)),
            _ => None,
        };
        self.rows.push(format!(
            "{name:<36} {:>9.3} s {:>8} MB peak growth {:>8} KB out",
            elapsed.as_secs_f64(),
            grew.map_or("?".into(), |g| (g >> 20).to_string()),
            output.len() >> 10
        ));
        // Release builds take well under a second (docs/reliability.md);
        // the bound is for an unoptimised build on a busy machine. Before
        // the fix, these took minutes.
        assert!(elapsed < Duration::from_secs(30), "{name}: {elapsed:?}");
        // Linear: each byte read is shown a bounded number of times.
        assert!(
            output.len() <= 12 * input + 200_000,
            "{name}: {} bytes out of {input} in",
            output.len()
        );
        if let Some(g) = grew {
            assert!(g < 100 << 20, "{name}: {} MB more", g >> 20);
        }
    }
}

#[test]
fn the_worst_manifests_render_in_bounded_time_and_memory() {
    let catalog = vetted::load_catalog(None).unwrap();
    let policy = vetted::rules::Policy::default_policy();
    let templates = Renderer::new(Default::default());
    let as_of = AS_OF.parse().unwrap();
    let mut meter = Meter { rows: Vec::new() };

    let huge = huge_name();
    meter.step("issue 16's manifest, refused", huge.len(), || {
        let err = vetted::assess(
            "m.yaml",
            huge.clone().into_bytes(),
            &catalog,
            &policy,
            as_of,
        )
        .expect_err("a name of megabytes is refused");
        format!("{err:?}")
    });

    let text = worst(&catalog);
    assert!(text.len() <= LIMIT, "{}", text.len());
    assert!(text.len() > LIMIT * 9 / 10, "{}", text.len());
    let formats = [
        ("md", Format::Markdown),
        ("html", Format::Html),
        ("json", Format::Json),
    ];
    fn render<D: Render>(
        doc: &D,
        format: Format,
        templates: &Renderer,
        policy: &vetted::rules::Policy,
    ) -> String {
        vetted::report::render(doc, format, templates, policy).unwrap()
    }

    for (label, format) in formats {
        meter.step(&format!("assess {label}"), text.len(), || {
            let (report, _) = vetted::assess(
                "m.yaml",
                text.clone().into_bytes(),
                &catalog,
                &policy,
                as_of,
            )
            .unwrap_or_else(|e| panic!("{e:?}"));
            render(&report, format, &templates, &policy)
        });
    }

    for (label, format) in formats {
        meter.step(&format!("compare of two {label}"), 2 * text.len(), || {
            let loaded: Vec<_> = ["a.yaml", "b.yaml"]
                .iter()
                .map(|name| {
                    let (m, a) = vetted::evaluate_file(
                        name,
                        text.clone().into_bytes(),
                        &catalog,
                        &policy,
                        as_of,
                    )
                    .unwrap();
                    (name.to_string(), m, a)
                })
                .collect();
            let candidates: Vec<vetted::compare::Candidate<'_>> =
                loaded.iter().map(Into::into).collect();
            let comparison = vetted::compare::compare(&candidates, &policy);
            render(&comparison, format, &templates, &policy)
        });
    }

    // A portfolio of a few: the worst manifest three times, and a small one.
    let dir = tempfile::tempdir().unwrap();
    for copy in 0..3 {
        std::fs::write(dir.path().join(format!("m{copy}.yaml")), &text).unwrap();
    }
    std::fs::write(
        dir.path().join("small.yaml"),
        format!("vendor: {{name: Small}}\n{REST}"),
    )
    .unwrap();
    for (label, format) in formats {
        meter.step(
            &format!("portfolio of four {label}"),
            3 * text.len(),
            || {
                let p = vetted::load_portfolio(Path::new(dir.path()), &catalog, &policy, as_of)
                    .unwrap();
                assert_eq!(p.entries.len(), 4, "{:?}", p.invalid);
                render(&p, format, &templates, &policy)
            },
        );
    }
    eprintln!("{}", meter.rows.join("\n"));
}
