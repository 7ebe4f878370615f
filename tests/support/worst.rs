//! The worst manifests under the input limits (issue 16), shared by
//! `tests/render_bounds.rs` and the `worst` case of `benches/pipeline.rs`.

const LIMIT: usize = vetted::MAX_INPUT_BYTES;

/// The header of a valid manifest, after the vendor.
pub const REST: &str = "integration: {purpose: P, checklists: [baseline], permissions: [read]}\n\
    assessment: {assessor: A, date: 2026-11-20}\n";

/// The manifest of issue 16, a vendor name of `&` filling the size limit:
/// now refused by the schema (a name is at most 200 characters), quickly.
pub fn huge_name() -> String {
    let head = "vendor: {name: \"\"}\n".len() + REST.len();
    format!("vendor: {{name: \"{}\"}}\n{REST}", "&".repeat(LIMIT - head))
}

/// The worst manifest under the limits: `&` (the character whose escaping
/// cost most) in every field at its longest, every list the expression
/// context holds at its longest, incident summaries as long as a report
/// shows, and evidence with long locations for every answer until the
/// size limit is reached.
pub fn worst(catalog: &vetted::checklist::Catalog) -> String {
    use std::fmt::Write as _;
    let amp = |n: usize| "&".repeat(n);
    let mut s = format!(
        "vendor:\n  name: \"{}\"\n  website: \"https://v.example/?{}\"\n  egress-ips:\n",
        amp(200),
        amp(2000)
    );
    for i in 0..1000 {
        let _ = writeln!(s, "    - 203.0.{}.{}", i / 250, i % 250);
    }
    let _ = write!(
        s,
        "integration:\n  purpose: \"{}\"\n  checklists: [baseline, exchange-keys]\n  permissions: [read]\n  keys:\n",
        amp(2000)
    );
    for i in 0..1000 {
        let _ = writeln!(
            s,
            "    - {{exchange: \"{}\", label: \"{}{i}\", created: 2026-01-01, permissions: [read]}}",
            amp(200),
            amp(190)
        );
    }
    s.push_str("assessment: {assessor: A, date: 2026-11-20}\nincidents:\n");
    let summary = amp(vetted::report::MAX_SHOWN_CHARS);
    for _ in 0..1000 {
        let _ = writeln!(
            s,
            "  - {{date: 2025-03-01, kind: outage, severity: low, summary: \"{summary}\"}}"
        );
    }
    s.push_str("answers:\n");
    let url = format!("https://e.example/?{}", amp(1980));
    let questions: Vec<_> = ["baseline", "exchange-keys"]
        .iter()
        .flat_map(|id| catalog.get(id).unwrap().checklist.areas.iter())
        .flat_map(|a| a.questions.iter())
        .filter(|q| {
            matches!(
                q.kind,
                vetted::checklist::QuestionType::Choice | vetted::checklist::QuestionType::Multi
            )
        })
        .collect();
    let per = (LIMIT - s.len()) / questions.len();
    for q in &questions {
        let value = match q.kind {
            vetted::checklist::QuestionType::Multi => format!("[{}]", q.options[0].value),
            _ => q.options[0].value.clone(),
        };
        let mut answer = format!(
            "  {}:\n    value: {value}\n    source: document\n    evidence:\n",
            q.id
        );
        let item = format!("      - {{url: \"{url}\", observed: 2026-11-01}}\n");
        while answer.len() + item.len() <= per {
            answer.push_str(&item);
        }
        s.push_str(&answer);
    }
    s
}
