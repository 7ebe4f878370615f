//! Differential: whenever the YAML fast path reads the input, the general
//! parser must read it too and build the same tree, positions included.
#![no_main]

use libfuzzer_sys::fuzz_target;
use vetted::yaml::{self, Limits};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let limits = Limits::default();
    if let Some(fast) = yaml::fast::parse(text, &limits) {
        let full = yaml::parse_events("fuzz.yaml", text, &limits)
            .unwrap_or_else(|e| panic!("the fast path read what the general parser refused: {e:?}"));
        // Debug form, so that `.nan` equals itself.
        assert_eq!(format!("{fast:?}"), format!("{full:?}"));
    }
});
