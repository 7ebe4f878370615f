//! Any text as a Security Insights file.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let parsed = vetted::evidence::security_insights::parse("fuzz.yml", &text);
    let _ = parsed.is_current("2026-11-27".parse().unwrap());
});
