//! Any bytes through the manifest loader (YAML, guard, schema, semantics)
//! and, when they load, the evaluation and both renderers.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;

fn catalog() -> &'static vetted::checklist::Catalog {
    static C: OnceLock<vetted::checklist::Catalog> = OnceLock::new();
    C.get_or_init(|| vetted::checklist::Catalog::bundled().expect("bundled checklists load"))
}

fuzz_target!(|data: &[u8]| {
    let policy = vetted::rules::Policy::default_policy();
    if let Ok((report, _)) = vetted::assess(
        "fuzz.yaml",
        data.to_vec(),
        catalog(),
        &policy,
        "2026-11-27".parse().unwrap(),
    ) {
        let _ = report.to_json();
        let _ = vetted::report::Renderer::new(Default::default()).markdown(&report);
    }
});
