//! The portfolio at scale: every format writes a register of any size.

use vetted::date::Date;
use vetted::level::Level;
use vetted::manifest::{DocumentKind, ProviderRole};
use vetted::portfolio::{
    Action, ActionKind, Carried, Dependency, DueDocument, Entry, Item, ProviderRow,
};
use vetted::report::{Format, Render, Renderer, render};
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
                    verdict_reason: format!("synthetic reason {i}"),
                    tier: Level::ALL[i % Level::ALL.len()],
                    score: (i % 1000) as f64 / 10.0,
                    confidence: 50.0,
                    assessed: date("2026-11-20"),
                    review_due: date("2027-05-20"),
                },
                actions: vec![Action {
                    kind: ActionKind::RotateKey,
                    vendor: vendor.clone(),
                    file: file.clone(),
                    detail: format!("rotate key v{i}-main on binance"),
                    due: Some(date("2026-02-14").plus_days((i % 200) as i64)),
                    overdue: true,
                }],
                // Every tenth vendor has a document ending soon, and every
                // vendor rests on one of fifty providers.
                documents: (i % 10 == 0)
                    .then(|| DueDocument {
                        vendor: vendor.clone(),
                        file: file.clone(),
                        kind: DocumentKind::Insurance,
                        label: DocumentKind::Insurance.label(),
                        title: None,
                        url: format!("https://v{i}.example/insurance"),
                        valid_until: date("2026-12-01").plus_days((i % 50) as i64),
                        days_left: (i % 50) as i64,
                        expired: false,
                    })
                    .into_iter()
                    .collect(),
                providers: vec![Dependency {
                    vendor,
                    file,
                    verdict: Verdict::ALL[i % Verdict::ALL.len()],
                    provider: format!("Provider {}", i % 50),
                    role: ProviderRole::Cloud,
                    manifest: None,
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
    let portfolio = vetted::portfolio::build(items(n), Vec::new(), date("2026-11-28")).unwrap();
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

/// The portfolio as it was built before its lists were streamed: whole
/// vectors, sorted in memory. Same serde shape as `Portfolio`.
#[derive(serde::Serialize)]
struct Whole {
    as_of: Date,
    entries: Vec<Entry>,
    by_tier: Vec<(Level, usize)>,
    by_verdict: Vec<(Verdict, usize)>,
    actions: Vec<Action>,
    documents: Vec<DueDocument>,
    providers: Vec<ProviderRow>,
    carried: Vec<Carried>,
    invalid: Vec<vetted::portfolio::Invalid>,
}

fn whole(items: &[Item], invalid: &[vetted::portfolio::Invalid], as_of: Date) -> Whole {
    let mut entries: Vec<Entry> = items.iter().map(|i| i.entry.clone()).collect();
    let mut documents: Vec<DueDocument> = items.iter().flat_map(|i| i.documents.clone()).collect();
    documents.sort_by(|a, b| {
        a.valid_until
            .cmp(&b.valid_until)
            .then_with(|| a.file.cmp(&b.file))
            .then_with(|| a.kind.cmp(&b.kind))
            .then_with(|| a.url.cmp(&b.url))
    });
    let mut actions: Vec<Action> = items.iter().flat_map(|i| i.actions.clone()).collect();
    let mut invalid = invalid.to_vec();
    entries.sort_by(|a, b| a.file.cmp(&b.file));
    invalid.sort_by(|a, b| a.file.cmp(&b.file));
    // The order restated, not imported: the test checks the streamed
    // portfolio against the old way of sorting, not against itself.
    actions.sort_by(|a, b| {
        b.overdue
            .cmp(&a.overdue)
            .then_with(|| a.due.cmp(&b.due))
            .then_with(|| a.file.cmp(&b.file))
            .then_with(|| a.kind.cmp(&b.kind))
            .then_with(|| a.detail.cmp(&b.detail))
    });
    // The providers' rows restated: each counted once per manifest naming
    // it (the twin shares its file name with another), approved ones
    // apart, most approved first.
    let mut rows: std::collections::BTreeMap<String, (usize, usize)> = Default::default();
    let mut seen = std::collections::BTreeSet::new();
    for item in items {
        for d in &item.providers {
            if !seen.insert((d.file.clone(), d.provider.clone())) {
                continue;
            }
            let r = rows.entry(d.provider.clone()).or_default();
            r.0 += 1;
            r.1 += usize::from(matches!(d.verdict, Verdict::Approve | Verdict::Conditions));
        }
    }
    let mut providers: Vec<ProviderRow> = rows
        .into_iter()
        .map(
            |(provider, (dependents, approved_dependents))| ProviderRow {
                provider,
                roles: vec![ProviderRole::Cloud],
                dependents,
                approved_dependents,
                assessed: None,
            },
        )
        .collect();
    providers.sort_by(|a, b| {
        b.approved_dependents
            .cmp(&a.approved_dependents)
            .then_with(|| b.dependents.cmp(&a.dependents))
            .then_with(|| a.provider.cmp(&b.provider))
    });
    Whole {
        as_of,
        by_tier: Level::ALL
            .iter()
            .map(|&l| (l, entries.iter().filter(|e| e.tier == l).count()))
            .collect(),
        by_verdict: Verdict::ALL
            .iter()
            .map(|&v| (v, entries.iter().filter(|e| e.verdict == v).count()))
            .collect(),
        entries,
        actions,
        documents,
        providers,
        carried: Vec::new(),
        invalid,
    }
}

/// Enough manifests that every list leaves memory and the actions are
/// sorted in several runs and merged; shuffled, with actions that tie on
/// every sort key (two manifests of the same name), and some invalid
/// manifests. The streamed portfolio writes the same JSON and Markdown as
/// whole, sorted lists do.
#[test]
fn spilled_and_merged_lists_write_what_whole_lists_would() {
    use vetted::diag::{Code, Diagnostic, Pos};
    let as_of = date("2026-11-28");
    let mut all = items(14_000);
    let kinds = [
        ActionKind::Review,
        ActionKind::StaleEvidence,
        ActionKind::Waiver,
        ActionKind::ExcessPermissions,
    ];
    for (i, item) in all.iter_mut().enumerate() {
        for (k, &kind) in kinds.iter().enumerate().take(i % 4) {
            let due = (k != 1).then(|| date("2026-10-01").plus_days((i % 90) as i64));
            item.actions.push(Action {
                kind,
                vendor: item.entry.vendor.clone(),
                file: item.entry.file.clone(),
                detail: format!("detail {}", i % 7),
                due,
                overdue: due.is_some_and(|d| d < as_of),
            });
        }
    }
    // Two manifests shown under one name, with different vendors: their
    // actions tie on every key and must keep their order.
    let mut twin = all[5].clone();
    twin.entry.vendor = "Twin".into();
    for a in &mut twin.actions {
        a.vendor = "Twin".into();
    }
    all.push(twin);
    // A fixed shuffle.
    let mut state = 0x2545_f491_u64;
    for i in (1..all.len()).rev() {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        all.swap(i, (state % (i as u64 + 1)) as usize);
    }
    let invalid: Vec<vetted::portfolio::Invalid> = (0..500)
        .map(|i| vetted::portfolio::Invalid {
            file: format!("vendors/bad/{}.yaml", 499 - i),
            diagnostics: vec![
                Diagnostic::error(
                    Code::UnknownQuestion,
                    "x.yaml",
                    Pos { line: i, col: 2 },
                    "unknown question `x`",
                )
                .with_help("a hint");
                1 + i as usize % 3
            ],
        })
        .collect();
    let expected = whole(&all, &invalid, as_of);
    assert_eq!(expected.providers.len(), 50);
    let portfolio = vetted::portfolio::build(all, invalid, as_of).unwrap();
    assert!(expected.actions.len() > 2 * vetted::portfolio::records_run_len());
    let templates = Renderer::new(Default::default());
    let policy = Policy::default_policy();
    let json = render(&portfolio, Format::Json, &templates, &policy).unwrap();
    assert!(
        json == format!("{}\n", serde_json::to_string_pretty(&expected).unwrap()),
        "the JSON differs"
    );
    let md = render(&portfolio, Format::Markdown, &templates, &policy).unwrap();
    let whole_md = templates
        .render_rows("portfolio.md.j2", &expected, Render::rows(&portfolio))
        .unwrap();
    assert!(md == whole_md, "the Markdown differs");
    // HTML is converted in pieces as the Markdown comes: the same page as
    // the whole Markdown converted at once.
    let html = render(&portfolio, Format::Html, &templates, &policy).unwrap();
    let whole_html =
        vetted::report::html::page(&portfolio.title(), &whole_md, &portfolio.charts(&policy));
    assert!(html == whole_html, "the HTML differs");
}

/// The register lists manifests by their names as shown, which is not the
/// order of paths: `a-c.yaml` and `a.yaml` come before `a/b.yaml` (`-` and
/// `.` sort before `/`), though the directory `a` sorts first as a path.
#[test]
fn the_register_lists_manifests_by_name_as_shown() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("a")).unwrap();
    for name in ["a/b.yaml", "a-c.yaml", "a.yaml"] {
        std::fs::copy("examples/well-run-saas-bot.yaml", dir.path().join(name)).unwrap();
    }
    let p = vetted::load_portfolio(
        dir.path(),
        &vetted::load_catalog(None).unwrap(),
        &Policy::default_policy(),
        date("2028-11-27"),
    )
    .unwrap();
    let root = dir.path().display().to_string();
    let files: Vec<String> = p
        .entries
        .iter()
        .map(|e| e.unwrap().file.strip_prefix(&root).unwrap().to_string())
        .collect();
    assert_eq!(files, ["/a-c.yaml", "/a.yaml", "/a/b.yaml"]);
    // Actions of equal due date go by file in the same order.
    let reviews: Vec<String> = p
        .actions
        .iter()
        .map(Result::unwrap)
        .filter(|a| a.kind == ActionKind::Review)
        .map(|a| a.file.strip_prefix(&root).unwrap().to_string())
        .collect();
    assert_eq!(reviews, ["/a-c.yaml", "/a.yaml", "/a/b.yaml"]);
}
