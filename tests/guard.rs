//! The credential guard, measured: recall over generated secrets and false
//! refusals over generated look-alikes (`tests/guard_corpus`), each planted
//! in every kind of place a manifest has, through the real loader.
//!
//! `cargo test --release --test guard -- --nocapture guard_figures` prints
//! the figures per shape and per group (docs/reliability.md quotes them).

mod guard_corpus;

use std::collections::BTreeMap;

use guard_corpus::Case;
use vetted::checklist::Catalog;
use vetted::diag::Code;

/// The seed of the corpus; `VETTED_GUARD_SEED` draws another.
const SEED: u64 = 0x5EC2_E716;

fn seed() -> u64 {
    std::env::var("VETTED_GUARD_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(SEED)
}
/// Samples of each shape in each place.
const PER: usize = 4;

fn refused(catalog: &Catalog, case: &Case) -> bool {
    match vetted::manifest::load("m.yaml", case.manifest.clone().into_bytes(), catalog) {
        Ok(_) => false,
        Err(diags) => diags.iter().any(|d| d.code == Code::SecretInManifest),
    }
}

#[derive(Default)]
struct Tally {
    total: usize,
    flagged: usize,
    /// A few of the cases that went the wrong way, for the failure message.
    wrong: Vec<String>,
}

struct Figures {
    by_shape: BTreeMap<(bool, &'static str, &'static str), Tally>,
}

impl Figures {
    fn measure(cases: &[Case]) -> Figures {
        let catalog = Catalog::bundled().unwrap();
        let mut by_shape: BTreeMap<(bool, &'static str, &'static str), Tally> = BTreeMap::new();
        for case in cases {
            let t = by_shape
                .entry((case.secret, case.group, case.shape))
                .or_default();
            t.total += 1;
            let flagged = refused(&catalog, case);
            if flagged {
                t.flagged += 1;
            }
            if flagged != case.secret && t.wrong.len() < 3 {
                t.wrong
                    .push(format!("[{}] {:?}", case.place, case.manifest));
            }
        }
        Figures { by_shape }
    }

    fn totals(&self, secret: bool) -> (usize, usize) {
        self.by_shape
            .iter()
            .filter(|((s, _, _), _)| *s == secret)
            .fold((0, 0), |(n, f), (_, t)| (n + t.total, f + t.flagged))
    }

    fn report(&self, verbose: bool) -> String {
        let mut out = String::new();
        let (n, caught) = self.totals(true);
        let (m, refused) = self.totals(false);
        out.push_str(&format!(
            "secrets caught: {caught}/{n} ({:.2}%); benign refused: {refused}/{m} ({:.2}%)\n",
            100.0 * caught as f64 / n as f64,
            100.0 * refused as f64 / m as f64
        ));
        let mut groups: BTreeMap<(bool, &str), (usize, usize)> = BTreeMap::new();
        for ((secret, group, _), t) in &self.by_shape {
            let g = groups.entry((!*secret, group)).or_default();
            g.0 += t.total;
            g.1 += t.flagged;
        }
        for ((benign, group), (total, flagged)) in &groups {
            let what = if *benign {
                "benign refused"
            } else {
                "secrets caught"
            };
            out.push_str(&format!(
                "  {what:<15} {group:<10} {flagged:>5}/{total:<5} {:>7.2}%\n",
                100.0 * *flagged as f64 / *total as f64
            ));
        }
        for ((secret, group, shape), t) in &self.by_shape {
            let bad = if *secret {
                t.flagged < t.total
            } else {
                t.flagged > 0
            };
            if verbose || bad {
                out.push_str(&format!(
                    "    {} {group}/{shape}: {}/{} flagged\n",
                    if *secret { "secret" } else { "benign" },
                    t.flagged,
                    t.total
                ));
            }
            if bad {
                for w in &t.wrong {
                    out.push_str(&format!("        {w}\n"));
                }
            }
        }
        out
    }
}

#[test]
fn the_corpus_is_as_large_as_promised() {
    let secrets = guard_corpus::secrets();
    let benign = guard_corpus::benign();
    assert!(secrets.len() >= 40, "{} secret shapes", secrets.len());
    assert!(benign.len() >= 20, "{} benign shapes", benign.len());
    // Every BIP-39 language has a shape of its own.
    for lang in bip39::Language::ALL {
        let name = format!("{lang:?}").to_lowercase();
        assert!(
            secrets.iter().any(|s| s
                .name
                .replace('-', "")
                .contains(&name.replace("chinese", ""))),
            "no phrase shape for {lang:?}"
        );
    }
    let cases = guard_corpus::cases(SEED, PER);
    assert!(cases.len() >= 2_000, "{} cases", cases.len());
}

/// At least 99% of secrets refused, at most 1% of benign cases.
#[test]
fn guard_figures() {
    let cases = guard_corpus::cases(seed(), PER);
    let figures = Figures::measure(&cases);
    let report = figures.report(std::env::var_os("VETTED_GUARD_VERBOSE").is_some());
    println!("{report}");
    let (n, caught) = figures.totals(true);
    let (m, refused) = figures.totals(false);
    assert!(
        caught as f64 >= 0.99 * n as f64 && refused as f64 <= 0.01 * m as f64,
        "the guard misses too much or refuses too much:\n{report}"
    );
}
