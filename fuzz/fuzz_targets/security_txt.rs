//! Any bytes as a security.txt: decoding (byte-order marks, UTF-16,
//! invalid UTF-8), the signature's form and every field value check.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let parsed = vetted::evidence::security_txt::parse_bytes(data);
    let _ = parsed.status(
        "2026-11-27".parse().unwrap(),
        Some("https://example.org/.well-known/security.txt"),
    );
});
