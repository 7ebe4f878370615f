//! The portfolio at scale: every format writes a register of any size.

use vetted::date::Date;
use vetted::level::Level;
use vetted::portfolio::{Action, ActionKind, Entry, Item};
use vetted::report::{Format, Renderer, render};
use vetted::rules::{Policy, Verdict};

fn date(s: &str) -> Date {
    s.parse().unwrap()
}

/// `n` register entries, each with one overdue key rotation, as if `n`
/// manifests had been assessed.
fn items(n: usize) -> Vec<Item> {
    (0..n)
        .map(|i| {
            let file = format!("vendors/{:03}/m{i:06}.yaml", i / 1000);
            let vendor = format!("Vendor {i}");
            Item {
                entry: Entry {
                    file: file.clone(),
                    vendor: vendor.clone(),
                    integration: format!("Synthetic integration {i}"),
                    verdict: Verdict::ALL[i % Verdict::ALL.len()],
                    verdict_label: Verdict::ALL[i % Verdict::ALL.len()].label(),
                    tier: Level::ALL[i % Level::ALL.len()],
                    score: (i % 1000) as f64 / 10.0,
                    confidence: 50.0,
                    assessed: date("2026-11-20"),
                    review_due: date("2027-05-20"),
                },
                actions: vec![Action {
                    kind: ActionKind::RotateKey,
                    vendor,
                    file,
                    detail: format!("rotate key v{i}-main on binance"),
                    due: Some(date("2026-02-14").plus_days((i % 200) as i64)),
                    overdue: true,
                }],
            }
        })
        .collect()
}

/// The bundled template's fuel was one fixed budget per render, which a
/// register of about 100,000 rows used up: the Markdown (and so the HTML)
/// of a large portfolio failed with "engine ran out of fuel". The budget
/// now grows with the rows of the document.
#[test]
fn markdown_of_a_large_register_does_not_run_out_of_fuel() {
    let n = 90_000;
    let portfolio = vetted::portfolio::build(items(n), Vec::new(), date("2026-11-28"));
    let md = render(
        &portfolio,
        Format::Markdown,
        &Renderer::new(Default::default()),
        &Policy::default_policy(),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    assert!(md.starts_with(&format!(
        "# Vendor portfolio\n\n{n} vendor(s) assessed as of 2026-11-28. **{n} action(s) overdue.**"
    )));
    assert_eq!(md.matches("| rotate-key |").count(), n);
}
