//! Benchmarks: `cargo bench` (release build; takes about a minute).
//!
//! A plain harness (no criterion) to keep the dependency tree small: each
//! case runs a fixed number of iterations after a warm-up and prints the
//! median of five runs. Figures go to docs/performance.md.
//!
//! `VETTED_BENCH_ONLY=worst` runs only the worst-manifest case (issue 16).
//!
//! Set VETTED_BENCH_KEEP=DIR to keep the 10,000 generated manifests there,
//! e.g. to measure the binary's peak memory with `/usr/bin/time -v`. With
//! VETTED_BENCH_GENERATE=N as well, only N manifests are written there (the
//! same first N of the sequence) and nothing is measured: the way to make a
//! 100,000-manifest portfolio for the binary.

use std::fmt::Write as _;
use std::path::Path;
use std::time::{Duration, Instant};

use vetted::checklist::{Catalog, QuestionType};
use vetted::rules::Policy;

const AS_OF: &str = "2026-11-27";

/// The allocator the `vetted` binary uses, so the figures match it.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn median(mut runs: Vec<Duration>) -> Duration {
    runs.sort();
    runs[runs.len() / 2]
}

fn time<F: FnMut()>(name: &str, iterations: u32, mut f: F) -> Duration {
    f();
    let runs: Vec<Duration> = (0..5)
        .map(|_| {
            let start = Instant::now();
            for _ in 0..iterations {
                f();
            }
            start.elapsed() / iterations
        })
        .collect();
    let m = median(runs);
    println!("{name:<48} {m:>12.3?} per iteration");
    m
}

/// A small deterministic generator (xorshift), so runs are comparable.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }
}

/// A synthetic manifest: every question of its checklists answered with a
/// random option, most with evidence, some keys and incidents.
/// With `general`, the purpose carries an explicit `!!str` tag, which the
/// YAML fast path leaves to the general parser.
fn synthetic(catalog: &Catalog, rng: &mut Rng, i: usize, general: bool) -> String {
    let crypto = rng.chance(75);
    let checklists = if crypto {
        "[baseline, exchange-keys]"
    } else {
        "[baseline]"
    };
    let permissions = if crypto {
        ["[read]", "[read, trade]", "[read, trade]"][rng.below(3)]
    } else {
        "[read, write]"
    };
    let mut s = format!(
        "vendor: {{name: Vendor {i}, website: https://v{i}.example, egress-ips: [203.0.113.{}]}}\n\
         integration:\n  purpose: {}Synthetic integration {i}\n  checklists: {checklists}\n  permissions: {permissions}\n",
        i % 250,
        if general { "!!str " } else { "" }
    );
    if crypto {
        let _ = write!(
            s,
            "  funds-at-risk: {{amount: {}, currency: USD}}\n  keys:\n    - {{exchange: binance, label: v{i}-main, created: 2026-0{}-15, permissions: {permissions}, ip-restricted: {}}}\n",
            1000 * (1 + rng.below(50)),
            1 + rng.below(9),
            rng.chance(80)
        );
    }
    s.push_str("assessment: {assessor: Bench, date: 2026-11-20}\nanswers:\n");
    let ids: Vec<&str> = if crypto {
        vec!["baseline", "exchange-keys"]
    } else {
        vec!["baseline"]
    };
    for id in ids {
        for area in &catalog.get(id).unwrap().checklist.areas {
            for q in &area.questions {
                let value = match q.kind {
                    QuestionType::Choice => q.options[rng.below(q.options.len())].value.clone(),
                    QuestionType::Multi => {
                        format!("[{}]", q.options[rng.below(q.options.len())].value)
                    }
                    QuestionType::Bool => rng.chance(70).to_string(),
                    QuestionType::Number => rng.below(100).to_string(),
                    QuestionType::Date => format!("2026-0{}-01", 1 + rng.below(9)),
                    QuestionType::Text => "synthetic".to_string(),
                };
                let _ = write!(s, "  {}:\n    value: {value}\n    source: document\n", q.id);
                if rng.chance(60) {
                    let _ = writeln!(
                        s,
                        "    evidence: [{{url: https://v{i}.example/security, observed: 2026-1{}-0{}}}]",
                        rng.below(2),
                        1 + rng.below(9)
                    );
                }
            }
        }
    }
    if rng.chance(20) {
        let _ = write!(
            s,
            "incidents:\n  - {{date: 2025-03-01, kind: key-leak, severity: high, acknowledged-after-days: {}, denied-first: {}}}\n",
            rng.below(60),
            rng.chance(30)
        );
    }
    s
}

/// Writes `n` generated manifests under `dir`, a thousand to a folder, and
/// returns their total size. The sequence is fixed, so the first `n` files
/// are the same whatever `n` is.
fn generate(catalog: &Catalog, dir: &Path, n: usize, general: bool) -> usize {
    let limits = vetted::yaml::Limits::default();
    let mut rng = Rng(0x5eed_cafe);
    let mut bytes = 0;
    for i in 0..n {
        let sub = dir.join(format!("{:02}", i / 1000));
        std::fs::create_dir_all(&sub).unwrap();
        let text = synthetic(catalog, &mut rng, i, general);
        // Each case measures the reader it is named for.
        assert_eq!(vetted::yaml::fast::parse(&text, &limits).is_none(), general);
        bytes += text.len();
        std::fs::write(sub.join(format!("m{i:05}.yaml")), text).unwrap();
    }
    bytes
}

// Shared with tests/render_bounds.rs, which also uses what is unused here.
#[allow(dead_code)]
#[path = "../tests/support/worst.rs"]
mod worst;

/// The worst manifest under the input limits (issue 16): assessed and
/// rendered in each format, and compared with itself in HTML.
fn worst_case(catalog: &Catalog, policy: &Policy, as_of: vetted::date::Date) {
    use vetted::report::Format;
    let renderer = vetted::report::Renderer::new(Default::default());
    let text = worst::worst(catalog);
    println!("worst manifest: {:.1} MB", text.len() as f64 / 1e6);
    for (label, format) in [
        ("md", Format::Markdown),
        ("html", Format::Html),
        ("json", Format::Json),
    ] {
        time(&format!("worst manifest: assess, {label}"), 3, || {
            let (report, _) =
                vetted::assess("w.yaml", text.clone().into_bytes(), catalog, policy, as_of)
                    .unwrap();
            vetted::report::render(&report, format, &renderer, policy).unwrap();
        });
    }
    time("worst manifest: compare of two, html", 3, || {
        let loaded: Vec<_> = ["a.yaml", "b.yaml"]
            .iter()
            .map(|f| {
                let (m, a) =
                    vetted::evaluate_file(f, text.clone().into_bytes(), catalog, policy, as_of)
                        .unwrap();
                (f.to_string(), m, a)
            })
            .collect();
        let candidates: Vec<vetted::compare::Candidate<'_>> =
            loaded.iter().map(Into::into).collect();
        let c = vetted::compare::compare(&candidates, policy);
        vetted::report::render(&c, Format::Html, &renderer, policy).unwrap();
    });
}

fn main() {
    let catalog = vetted::load_catalog(None).unwrap();
    let keep = std::env::var_os("VETTED_BENCH_KEEP");
    if let Some(n) = std::env::var_os("VETTED_BENCH_GENERATE") {
        let n: usize = n.to_str().and_then(|n| n.parse().ok()).expect("a count");
        let dir = keep.expect("VETTED_BENCH_GENERATE needs VETTED_BENCH_KEEP=DIR");
        let bytes = generate(&catalog, Path::new(&dir), n, false);
        println!("generated {n} manifests, {:.1} MB", bytes as f64 / 1e6);
        return;
    }
    let policy = Policy::default_policy();
    let as_of = AS_OF.parse().unwrap();
    // `VETTED_BENCH_ONLY=worst cargo bench --bench pipeline` runs this case
    // alone.
    if std::env::var("VETTED_BENCH_ONLY").as_deref() == Ok("worst") {
        worst_case(&catalog, &policy, as_of);
        return;
    }
    let example = std::fs::read("examples/well-run-saas-bot.yaml").unwrap();
    let renderer = vetted::report::Renderer::new(Default::default());
    println!("vetted benchmarks (median of 5 runs)");

    // The whole process, as a user runs it: start, load everything, assess,
    // render, write.
    let out = tempfile::NamedTempFile::new().unwrap();
    time("vetted assess process (end to end)", 20, || {
        let status = std::process::Command::new(env!("CARGO_BIN_EXE_vetted"))
            .args([
                "assess",
                "examples/well-run-saas-bot.yaml",
                "--as-of",
                AS_OF,
                "-o",
            ])
            .arg(out.path())
            .status()
            .unwrap();
        assert!(status.success());
    });
    time("load catalog (2 bundled checklists)", 20, || {
        vetted::load_catalog(None).unwrap();
    });
    let text = std::str::from_utf8(&example).unwrap();
    let limits = vetted::yaml::Limits::default();
    assert!(vetted::yaml::fast::parse(text, &limits).is_some());
    time("parse the example, YAML fast path", 200, || {
        vetted::yaml::fast::parse(text, &limits).unwrap();
    });
    time("parse the example, general YAML parser", 200, || {
        vetted::yaml::parse_events("x.yaml", text, &limits).unwrap();
    });
    let per = time("load + validate + evaluate one example", 200, || {
        vetted::evaluate_file("x.yaml", example.clone(), &catalog, &policy, as_of).unwrap();
    });
    println!(
        "{:<48} {:>12.0} manifests per second (one core)",
        "",
        1.0 / per.as_secs_f64()
    );
    let (report, _) = vetted::assess("x.yaml", example.clone(), &catalog, &policy, as_of).unwrap();
    let questions = report.questions.len();
    time(
        &format!("render Markdown report ({questions} questions)"),
        200,
        || {
            renderer.markdown(&report).unwrap();
        },
    );
    time("render JSON report", 200, || {
        report.to_json();
    });
    worst_case(&catalog, &policy, as_of);

    // Portfolio of 10,000 generated manifests: plain YAML (the fast path),
    // then the same with a tag in each (the general parser).
    for general in [false, true] {
        let tmp = tempfile::tempdir().unwrap();
        let dir = match (&keep, general) {
            (Some(k), false) => Path::new(k).to_path_buf(),
            _ => tmp.path().to_path_buf(),
        };
        let bytes = generate(&catalog, &dir, 10_000, general);
        println!(
            "generated 10,000 manifests, {:.1} MB, in {}",
            bytes as f64 / 1e6,
            dir.display()
        );
        // The median of three runs (the first also warms the page cache).
        let mut runs: Vec<Duration> = (0..3)
            .map(|_| {
                let start = Instant::now();
                let p = vetted::load_portfolio(&dir, &catalog, &policy, as_of).unwrap();
                let elapsed = start.elapsed();
                assert_eq!(p.entries.len() + p.invalid.len(), 10_000);
                assert!(p.invalid.is_empty(), "{:?}", p.invalid.iter().next());
                elapsed
            })
            .collect();
        runs.sort();
        let elapsed = runs[1];
        let label = if general {
            "portfolio of 10,000, general YAML parser"
        } else {
            "portfolio of 10,000 manifests"
        };
        println!(
            "{label:<48} {elapsed:>12.3?} ({} threads, {:.0} manifests per second)",
            std::thread::available_parallelism().map_or(1, |n| n.get()),
            10_000.0 / elapsed.as_secs_f64()
        );
        if !general {
            cached(&dir, &catalog, &policy, as_of);
        }
    }
}

/// The same portfolio with a cache: cold (an empty cache), then warm with
/// one manifest changed, each loaded and written as JSON; the median of
/// three of each, and the outputs compared.
fn cached(dir: &Path, catalog: &Catalog, policy: &Policy, as_of: vetted::date::Date) {
    let templates = vetted::report::Renderer::new(Default::default());
    let run = |cache: &vetted::cache::Cache| {
        let start = Instant::now();
        let (p, stats) =
            vetted::load_portfolio_cached(dir, catalog, policy, as_of, Some(cache)).unwrap();
        let mut out = Vec::new();
        vetted::report::render_to(
            &p,
            vetted::report::Format::Json,
            &templates,
            policy,
            &mut out,
        )
        .unwrap();
        (start.elapsed(), stats, out)
    };
    let changed = dir.join("05/m05000.yaml");
    let original = std::fs::read_to_string(&changed).unwrap();
    let mut cold = Vec::new();
    let mut warm = Vec::new();
    for round in 0..3 {
        let cache_dir = tempfile::tempdir().unwrap();
        let cache = vetted::cache::Cache::open(cache_dir.path(), b"bench".to_vec()).unwrap();
        std::fs::write(&changed, &original).unwrap();
        let (t, stats, first) = run(&cache);
        assert_eq!(stats.misses, 10_000);
        cold.push(t);
        std::fs::write(&changed, format!("{original}# changed in round {round}\n")).unwrap();
        let (t, stats, second) = run(&cache);
        assert_eq!((stats.hits, stats.misses), (9_999, 1));
        assert!(first == second, "warm output differs from cold");
        warm.push(t);
    }
    std::fs::write(&changed, &original).unwrap();
    let (cold, warm) = (median(cold), median(warm));
    println!(
        "{:<48} {cold:>12.3?}",
        "portfolio of 10,000, cold cache (+ JSON)"
    );
    println!(
        "{:<48} {warm:>12.3?} ({:.1} times faster)",
        "portfolio of 10,000, warm, one changed (+ JSON)",
        cold.as_secs_f64() / warm.as_secs_f64()
    );
}
