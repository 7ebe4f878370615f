//! Charts as inline SVG, generated from numbers (no JavaScript).
//!
//! Every chart labels its bars with names and numbers, and its fills step
//! from dark to light, so it reads the same printed in greyscale. Text is
//! XML-escaped: labels come from manifests and checklists.

use std::fmt::Write as _;

use crate::level::Level;

/// Escapes text for SVG/XML content and attribute values.
pub fn xml(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            // Controls, bidirectional and invisible characters are shown
            // (most C0 controls are not even allowed in XML 1.0).
            c if crate::visible::is_hidden(c) => {
                out.push_str(&format!("&lt;U+{:04X}&gt;", c as u32))
            }
            c => out.push(c),
        }
    }
    out
}

/// Fill for a tier: dark for good, light for bad, so greyscale keeps the order.
fn tier_fill(level: Level) -> &'static str {
    match level {
        Level::Low => "#14532d",
        Level::Medium => "#4d7c0f",
        Level::High => "#d97706",
        Level::Critical => "#fecaca",
    }
}

/// Fills for series, distinct in lightness.
const SERIES: [&str; 6] = [
    "#111827", "#4b5563", "#9ca3af", "#e5e7eb", "#1e3a8a", "#93c5fd",
];

/// `s`, cut to `max` characters with an ellipsis.
pub(super) fn shorten(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_string()
    } else {
        let mut t: String = s.chars().take(max - 1).collect();
        t.push('…');
        t
    }
}

/// Horizontal bars of area scores (0 to 100), each coloured by the tier its
/// score falls in, with the tier thresholds drawn as lines.
pub fn area_bars(
    title: &str,
    rows: &[(String, Option<f64>)],
    thresholds: [(Level, f64); 3],
    tier_of: impl Fn(f64) -> Level,
) -> String {
    let label_w = 260.0;
    let bar_w = 400.0;
    let row_h = 26.0;
    let top = 40.0;
    let height = top + row_h * rows.len() as f64 + 30.0;
    let width = label_w + bar_w + 60.0;
    let mut s = String::new();
    let _ = write!(
        s,
        r#"<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-label="{t}" viewBox="0 0 {width} {height}" width="100%" style="max-width:{width}px" font-family="sans-serif" font-size="13"><title>{t}</title>"#,
        t = xml(title)
    );
    let _ = write!(
        s,
        r#"<text x="0" y="18" font-weight="bold">{}</text>"#,
        xml(title)
    );
    for (i, (name, score)) in rows.iter().enumerate() {
        let y = top + row_h * i as f64;
        let _ = write!(
            s,
            r#"<text x="{}" y="{}" text-anchor="end">{}</text>"#,
            label_w - 8.0,
            y + 16.0,
            xml(&shorten(name, 36))
        );
        match score {
            Some(v) => {
                let w = bar_w * v.clamp(0.0, 100.0) / 100.0;
                let fill = tier_fill(tier_of(*v));
                let _ = write!(
                    s,
                    r##"<rect x="{label_w}" y="{}" width="{w:.1}" height="{}" fill="{fill}" stroke="#111827" stroke-width="0.5"/><text x="{:.1}" y="{}">{v:.1}</text>"##,
                    y + 4.0,
                    row_h - 8.0,
                    label_w + w + 4.0,
                    y + 16.0
                );
            }
            None => {
                let _ = write!(
                    s,
                    r##"<text x="{}" y="{}" fill="#4b5563">not applicable</text>"##,
                    label_w + 4.0,
                    y + 16.0
                );
            }
        }
    }
    let bottom = top + row_h * rows.len() as f64;
    for (level, at) in thresholds {
        let x = label_w + bar_w * at / 100.0;
        let _ = write!(
            s,
            r##"<line x1="{x:.1}" y1="{}" x2="{x:.1}" y2="{bottom}" stroke="#111827" stroke-dasharray="4 3"/><text x="{x:.1}" y="{}" text-anchor="middle" font-size="11">{level} ≥ {at}</text>"##,
            top - 4.0,
            bottom + 16.0
        );
    }
    s.push_str("</svg>");
    s
}

/// Grouped vertical bars: one group per category, one bar per series, with
/// a legend.
pub fn grouped_bars(
    title: &str,
    categories: &[String],
    series: &[(String, Vec<Option<f64>>)],
    max: f64,
) -> String {
    let n = series.len().max(1) as f64;
    let bar = 14.0;
    let group_w = bar * n + 18.0;
    // Room on the left and below for the slanted category labels.
    let left = 140.0;
    let plot_h = 200.0;
    let top = 64.0 + 20.0 * series.len() as f64;
    let width = left + group_w * categories.len() as f64 + 20.0;
    let height = top + plot_h + 150.0;
    let mut s = String::new();
    let _ = write!(
        s,
        r#"<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-label="{t}" viewBox="0 0 {width} {height}" width="100%" style="max-width:{width}px" font-family="sans-serif" font-size="12"><title>{t}</title><text x="0" y="16" font-weight="bold">{t}</text>"#,
        t = xml(title)
    );
    for (k, (name, _)) in series.iter().enumerate() {
        let y = 30.0 + 20.0 * k as f64;
        let _ = write!(
            s,
            r##"<rect x="0" y="{y}" width="12" height="12" fill="{}" stroke="#111827" stroke-width="0.5"/><text x="18" y="{}">{}. {}</text>"##,
            SERIES[k % SERIES.len()],
            y + 11.0,
            k + 1,
            // Vendor names: bounded like every label (issue 16).
            xml(&shorten(name, 60))
        );
    }
    let base = top + plot_h;
    let _ = write!(
        s,
        r##"<line x1="{left}" y1="{base}" x2="{width}" y2="{base}" stroke="#111827"/>"##
    );
    for (c, category) in categories.iter().enumerate() {
        let gx = left + group_w * c as f64;
        for (k, (_, values)) in series.iter().enumerate() {
            let x = gx + bar * k as f64;
            match values.get(c).copied().flatten() {
                Some(v) => {
                    let h = plot_h * (v / max).clamp(0.0, 1.0);
                    let _ = write!(
                        s,
                        r##"<rect x="{x:.1}" y="{:.1}" width="{}" height="{h:.1}" fill="{}" stroke="#111827" stroke-width="0.5"/><text x="{:.1}" y="{:.1}" font-size="9" text-anchor="middle" transform="rotate(-90 {:.1} {:.1})">{v:.0}</text>"##,
                        base - h,
                        bar - 2.0,
                        SERIES[k % SERIES.len()],
                        x + 6.0,
                        base - h - 4.0,
                        x + 6.0,
                        base - h - 4.0
                    );
                }
                None => {
                    let _ = write!(
                        s,
                        r##"<text x="{:.1}" y="{:.1}" font-size="9">–</text>"##,
                        x + 3.0,
                        base - 3.0
                    );
                }
            }
        }
        let lx = gx + group_w / 2.0 - 9.0;
        let _ = write!(
            s,
            r#"<text x="{lx:.1}" y="{:.1}" text-anchor="end" transform="rotate(-40 {lx:.1} {:.1})">{}</text>"#,
            base + 14.0,
            base + 14.0,
            xml(&shorten(category, 24))
        );
    }
    s.push_str("</svg>");
    s
}

/// Vertical bars of counts by tier.
pub fn tier_counts(title: &str, counts: &[(Level, usize)]) -> String {
    let max = counts.iter().map(|c| c.1).max().unwrap_or(0).max(1) as f64;
    let bar = 70.0;
    let plot_h = 160.0;
    let top = 40.0;
    let width = 40.0 + (bar + 30.0) * counts.len() as f64;
    let height = top + plot_h + 40.0;
    let mut s = String::new();
    let _ = write!(
        s,
        r#"<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-label="{t}" viewBox="0 0 {width} {height}" width="100%" style="max-width:{width}px" font-family="sans-serif" font-size="13"><title>{t}</title><text x="0" y="18" font-weight="bold">{t}</text>"#,
        t = xml(title)
    );
    let base = top + plot_h;
    for (i, (level, n)) in counts.iter().enumerate() {
        let x = 30.0 + (bar + 30.0) * i as f64;
        let h = plot_h * *n as f64 / max;
        let _ = write!(
            s,
            r##"<rect x="{x}" y="{:.1}" width="{bar}" height="{h:.1}" fill="{}" stroke="#111827" stroke-width="0.5"/><text x="{:.1}" y="{:.1}" text-anchor="middle">{n}</text><text x="{:.1}" y="{}" text-anchor="middle">{level}</text>"##,
            base - h,
            tier_fill(*level),
            x + bar / 2.0,
            base - h - 4.0,
            x + bar / 2.0,
            base + 18.0
        );
    }
    s.push_str("</svg>");
    s
}

/// `text` as a label Mermaid shows literally, at most `max` characters.
///
/// Mermaid's chart grammar has no escapes: a string ends at the next `"`,
/// and some characters act wherever they are (`%%{...}%%` is a
/// configuration directive anywhere in the chart, `#name;` an entity, a
/// backtick line ends the Markdown fence, a line break ends the
/// statement). So a label keeps only letters, digits, spaces and
/// punctuation that means nothing there; a `"` becomes `'`, anything else
/// a space (spaces collapsed), and a label left empty says so.
pub fn mermaid_text(text: &str, max: usize) -> String {
    let mut kept = String::with_capacity(text.len());
    for c in text.chars() {
        let c = match c {
            '"' => '\'',
            '-' | '.' | ',' | '(' | ')' | '/' | '\'' | '+' | ':' | '?' | '!' => c,
            c if c.is_alphanumeric() && !crate::visible::is_hidden(c) => c,
            _ => ' ',
        };
        if c != ' ' || !(kept.is_empty() || kept.ends_with(' ')) {
            kept.push(c);
        }
    }
    let kept = kept.trim_end();
    if kept.is_empty() {
        return "(no name)".to_string();
    }
    shorten(kept, max)
}

/// The longest label a Mermaid chart shows: it draws every label in full,
/// and a long one crowds out the bars.
const MERMAID_LABEL: usize = 40;

/// Which way a Mermaid chart's bars run.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Bars {
    /// Up from the category axis at the foot (series side by side).
    Vertical,
    /// Right from the category axis on the left: long names stay legible.
    Horizontal,
}

/// A Mermaid `xychart-beta` chart (what code hosts render in Markdown) of
/// bars on a 0 to 100 axis, one series per entry of `bars` (a value per
/// category), with a line across the bars at each of `lines`. Every label
/// goes through [`mermaid_text`].
pub fn mermaid_bars(
    title: &str,
    direction: Bars,
    categories: &[String],
    bars: &[Vec<f64>],
    lines: &[f64],
) -> String {
    let mut out = format!(
        "xychart-beta{}\n    title \"{}\"\n    x-axis [",
        match direction {
            Bars::Vertical => "",
            Bars::Horizontal => " horizontal",
        },
        mermaid_text(title, 3 * MERMAID_LABEL)
    );
    let labels: Vec<String> = categories
        .iter()
        .map(|c| format!("\"{}\"", mermaid_text(c, MERMAID_LABEL)))
        .collect();
    out.push_str(&labels.join(", "));
    out.push_str("]\n    y-axis \"Score\" 0 --> 100\n");
    let series = |values: &mut dyn Iterator<Item = f64>| {
        values
            .map(|v| format!("{:.1}", v.clamp(0.0, 100.0)))
            .collect::<Vec<_>>()
            .join(", ")
    };
    for values in bars {
        let _ = writeln!(out, "    bar [{}]", series(&mut values.iter().copied()));
    }
    for at in lines {
        let _ = writeln!(
            out,
            "    line [{}]",
            series(&mut std::iter::repeat_n(*at, categories.len()))
        );
    }
    out
}

/// The Mermaid chart of one assessment, as the SVG one draws it: a
/// horizontal bar for the score of each area that has one, against lines
/// at the tier thresholds; empty when no area has a score (a chart of
/// nothing does not parse).
pub fn assessment_mermaid(
    vendor: &str,
    areas: &[crate::evaluate::AreaResult],
    policy: &crate::rules::Policy,
) -> String {
    let scored: Vec<(String, f64)> = areas
        .iter()
        .filter_map(|a| Some((a.title.clone(), a.score?)))
        .collect();
    if scored.is_empty() {
        return String::new();
    }
    let t = &policy.tiers;
    let (titles, scores): (Vec<String>, Vec<f64>) = scored.into_iter().unzip();
    mermaid_bars(
        &format!(
            "{}: area scores, lines at the tier thresholds {}, {}, {}",
            shorten(vendor, MERMAID_LABEL),
            t.high,
            t.medium,
            t.low
        ),
        Bars::Horizontal,
        &titles,
        &[scores],
        &[t.high, t.medium, t.low],
    )
}

/// The area chart of one assessment.
pub fn assessment(report: &super::Report, policy: &crate::rules::Policy) -> String {
    let rows: Vec<(String, Option<f64>)> = report
        .areas
        .iter()
        .map(|a| (a.title.clone(), a.score))
        .collect();
    let t = &policy.tiers;
    area_bars(
        "Area scores against the tier thresholds",
        &rows,
        [
            (Level::High, t.high),
            (Level::Medium, t.medium),
            (Level::Low, t.low),
        ],
        |score| policy.tier_for(score),
    )
}

/// The grouped area chart of a comparison.
pub fn comparison(c: &crate::compare::Comparison) -> String {
    let categories: Vec<String> = c.areas.iter().map(|a| a.title.clone()).collect();
    let series: Vec<(String, Vec<Option<f64>>)> = c
        .columns
        .iter()
        .enumerate()
        .map(|(k, col)| {
            (
                col.vendor.clone(),
                c.areas.iter().map(|a| a.scores[k]).collect(),
            )
        })
        .collect();
    grouped_bars(
        "Area scores by vendor (in rank order)",
        &categories,
        &series,
        100.0,
    )
}

/// The tier chart of a portfolio.
pub fn portfolio(p: &crate::portfolio::Portfolio) -> String {
    tier_counts("Vendors by residual tier", &p.by_tier)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_are_escaped() {
        let svg = area_bars(
            "Areas",
            &[("<script>alert(1)</script>".to_string(), Some(50.0))],
            [
                (Level::Low, 80.0),
                (Level::Medium, 65.0),
                (Level::High, 45.0),
            ],
            |_| Level::High,
        );
        assert!(!svg.contains("<script>"));
        assert!(svg.contains("&lt;script&gt;"));
        assert!(svg.contains(">50.0<"), "numbers on the bars");
    }

    #[test]
    fn mermaid_labels_cannot_leave_their_string() {
        for hostile in [
            "a\" ] \n    bar [1",
            "%%{init: {'theme': 'dark'}}%%",
            "```\n# heading",
            "#quot; &amp; <b>x</b> ; `x`",
            "line\rbreak\u{2028}and\u{202e}bidi\u{1b}[31m",
            "",
            "   ",
        ] {
            let label = mermaid_text(hostile, 40);
            assert!(!label.is_empty());
            for c in label.chars() {
                assert!(
                    c.is_alphanumeric() || " -.,()/'+:?!…".contains(c),
                    "{hostile:?} gave {label:?}"
                );
            }
            assert!(!label.contains("  "), "{label:?}");
        }
        assert_eq!(
            mermaid_text("Key storage, encryption", 40),
            "Key storage, encryption"
        );
        assert_eq!(mermaid_text("Say \"hi\" & go", 40), "Say 'hi' go");
        assert_eq!(mermaid_text("", 40), "(no name)");
        assert_eq!(mermaid_text("abcdef", 4), "abc…");
        assert_eq!(mermaid_text("Zürich 東京", 40), "Zürich 東京");
    }

    #[test]
    fn a_mermaid_chart_has_a_bar_per_area_and_a_line_per_threshold() {
        let chart = mermaid_bars(
            "T \"x\"",
            Bars::Horizontal,
            &["A".into(), "B\"]".into()],
            &[vec![10.0, 120.0]],
            &[45.0, 80.0],
        );
        assert_eq!(
            chart,
            "xychart-beta horizontal\n    title \"T 'x'\"\n    x-axis [\"A\", \"B'\"]\n    y-axis \"Score\" 0 --> 100\n    bar [10.0, 100.0]\n    line [45.0, 45.0]\n    line [80.0, 80.0]\n"
        );
    }

    #[test]
    fn grouped_and_counts_have_a_bar_per_value() {
        let svg = grouped_bars(
            "C",
            &["a".into(), "b".into()],
            &[
                ("X".into(), vec![Some(10.0), None]),
                ("Y".into(), vec![Some(90.0), Some(5.0)]),
            ],
            100.0,
        );
        assert_eq!(
            svg.matches("<rect").count(),
            2 + 3,
            "two legend swatches, three bars"
        );
        let svg = tier_counts("T", &[(Level::Low, 3), (Level::Critical, 0)]);
        assert_eq!(svg.matches("<rect").count(), 2);
    }
}
