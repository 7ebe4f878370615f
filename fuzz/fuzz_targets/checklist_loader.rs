//! Any bytes as an extra checklist beside the bundled ones.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let source = vetted::checklist::Source {
        file: "fuzz.yaml".into(),
        bytes: data.to_vec(),
    };
    let _ = vetted::checklist::Catalog::with_extra(vec![source]);
});
