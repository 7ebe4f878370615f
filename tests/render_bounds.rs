//! Rendering costs no more than the input allows (issue 16): the worst
//! manifests under the input limits (5 MB, the YAML budgets) render in
//! every format, alone, compared and in a portfolio, with output and
//! memory bounded by the input and time well under a generous bound.
//!
//! One test in this file, on purpose: it measures the process's peak
//! memory, which another test running beside it would disturb.

use std::alloc::System;
use std::path::Path;

use peakmem_alloc::{INSTRUMENTED_SYSTEM, PeakMemAlloc, PeakMemAllocTrait};
use std::time::{Duration, Instant};

use vetted::report::{Format, Render, Renderer};

const AS_OF: &str = "2026-11-27";
const LIMIT: usize = vetted::MAX_INPUT_BYTES;

#[path = "support/worst.rs"]
mod worst;
use worst::{REST, huge_name, worst};

/// Every allocation of this test counted: a step's peak is the most it
/// held at once above what was held when it started.
#[global_allocator]
static ALLOCATED: &PeakMemAlloc<System> = &INSTRUMENTED_SYSTEM;

/// A writer that keeps only how much was written.
struct Counted(usize);

impl std::io::Write for Counted {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0 += buf.len();
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

struct Meter {
    rows: Vec<String>,
}

impl Meter {
    /// Runs `step`, checking its time, its peak memory over what the
    /// process held before, and the size of what it rendered against the
    /// input it read. The document goes to a writer that counts it, as
    /// the command streams it to its destination: what is measured is the
    /// work, not a copy of the document.
    fn step(&mut self, name: &str, input: usize, step: impl FnOnce(&mut Counted)) {
        self.step_showing(name, input, 12, step)
    }

    /// [`Meter::step`], for a document that may show each byte read up to
    /// `times` times (escaped, in Markdown or HTML).
    fn step_showing(
        &mut self,
        name: &str,
        input: usize,
        times: usize,
        step: impl FnOnce(&mut Counted),
    ) {
        ALLOCATED.reset_peak_memory();
        let start = Instant::now();
        let mut output = Counted(0);
        step(&mut output);
        let output = output.0;
        let elapsed = start.elapsed();
        let grew = ALLOCATED.get_peak_memory();
        self.rows.push(format!(
            "{name:<36} {:>9.3} s {:>8} MB peak growth {:>8} KB out",
            elapsed.as_secs_f64(),
            grew >> 20,
            output >> 10
        ));
        // Release builds take well under a second (docs/reliability.md);
        // the bound is for an unoptimised build on a busy machine. Before
        // the fix, these took minutes.
        assert!(elapsed < Duration::from_secs(30), "{name}: {elapsed:?}");
        // Linear: each byte read is shown a bounded number of times.
        assert!(
            output <= times * input + 200_000,
            "{name}: {output} bytes out of {input} in"
        );
        // Under 50 MB for the work on 5 MB of input: the HTML of the worst
        // manifest took 72 MB while its evidence links went through the
        // sanitiser and a table's rows were put back whole (issue 16).
        assert!(grew < 50 << 20, "{name}: {} MB more", grew >> 20);
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
    meter.step("issue 16's manifest, refused", huge.len(), |out| {
        let err = vetted::assess(
            "m.yaml",
            huge.clone().into_bytes(),
            &catalog,
            &policy,
            as_of,
        )
        .expect_err("a name of megabytes is refused");
        std::io::Write::write_all(out, format!("{err:?}").as_bytes()).unwrap();
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
        out: &mut Counted,
    ) {
        vetted::report::render_to(doc, format, templates, policy, out).unwrap()
    }

    let assess = || {
        vetted::assess(
            "m.yaml",
            text.clone().into_bytes(),
            &catalog,
            &policy,
            as_of,
        )
        .unwrap_or_else(|e| panic!("{e:?}"))
        .0
    };
    for (label, format) in formats {
        meter.step(&format!("assess {label}"), text.len(), |out| {
            render(&assess(), format, &templates, &policy, out)
        });
    }

    // The rendering alone, of the assessment made once: what a format
    // costs beyond the report it shows, which is held anyway.
    let report = assess();
    for (label, format) in formats {
        meter.step(&format!("render the report, {label}"), text.len(), |out| {
            render(&report, format, &templates, &policy, out)
        });
        // Evidence is listed under each framework its question maps to,
        // and again in the appendix: a few times more than the report.
        meter.step_showing(
            &format!("render the compliance document, {label}"),
            text.len(),
            20,
            |out| {
                render(
                    &vetted::report::Compliance(&report),
                    format,
                    &templates,
                    &policy,
                    out,
                )
            },
        );
    }
    drop(report);

    for (label, format) in formats {
        meter.step(&format!("compare of two {label}"), 2 * text.len(), |out| {
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
            render(&comparison, format, &templates, &policy, out)
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
            |out| {
                let p = vetted::load_portfolio(Path::new(dir.path()), &catalog, &policy, as_of)
                    .unwrap();
                assert_eq!(p.entries.len(), 4, "{:?}", p.invalid);
                render(&p, format, &templates, &policy, out)
            },
        );
    }
    eprintln!("{}", meter.rows.join("\n"));
}
