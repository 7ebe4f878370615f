//! Any text as a security.txt.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let parsed = vetted::evidence::security_txt::parse(&text);
    let _ = parsed.status(
        "2026-11-27".parse().unwrap(),
        Some("https://example.org/.well-known/security.txt"),
    );
});
