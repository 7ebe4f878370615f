//! No diagnostic ever quotes a credential, nor more than a short excerpt of
//! any long value: secrets the guard refuses, near-secrets it lets through
//! (bare hex, base58 of 32 bytes, long runs of letters) and long prose are
//! planted where each diagnostic that quotes input fires.

use vetted::checklist::Catalog;

/// Values built at run time, so the repository holds none of them.
/// Each with the longest run of its characters a message may show: none
/// of a credential, a short excerpt of a long value.
fn needles() -> Vec<(&'static str, String, usize)> {
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = |alphabet: &[u8], n: usize| -> String {
        (0..n)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                alphabet[(x % alphabet.len() as u64) as usize] as char
            })
            .collect()
    };
    let alnum = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    let base58 = b"123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";
    vec![
        ("exchange key the guard refuses", next(alnum, 64), 11),
        (
            "hex private key without a name",
            next(b"0123456789abcdef", 64),
            11,
        ),
        ("base58 key shaped like an address", next(base58, 44), 11),
        (
            "long run of lower-case letters",
            next(b"bcdfghjklmnpqrstvwxz", 24),
            11,
        ),
        ("mixed letters and digits", next(alnum, 14) + "7", 11),
        (
            "a long note",
            "The vendor explained at length how keys are stored, rotated and revoked, ".repeat(3),
            24,
        ),
    ]
}

/// Manifests that each make one diagnostic quote `v`.
fn plants(v: &str) -> Vec<(&'static str, String)> {
    let head = |vendor: &str, integration: &str, assessment: &str| {
        format!(
            "vendor: {{name: V{vendor}}}\nintegration: {{purpose: P, checklists: [baseline], permissions: [read]{integration}}}\nassessment: {{assessor: A, date: {assessment}}}\n"
        )
    };
    let ok = || head("", "", "2026-11-20");
    vec![
        (
            "invalid-answer",
            format!(
                "{}answers:\n  documentation.security_page: {{value: \"{v}\"}}\n",
                ok()
            ),
        ),
        ("invalid-date", head("", "", &format!("\"{v}\""))),
        (
            "invalid-value (enum)",
            ok().replace(
                "permissions: [read]",
                &format!("permissions: [read, \"{v}\"]"),
            ),
        ),
        (
            "invalid-ip",
            head(&format!(", egress-ips: [\"{v}\"]"), "", "2026-11-20"),
        ),
        (
            "unknown-checklist",
            ok().replace(
                "checklists: [baseline]",
                &format!("checklists: [baseline, \"{v}\"]"),
            ),
        ),
        (
            "unknown-question",
            format!("{}answers:\n  \"{v}\": {{value: x}}\n", ok()),
        ),
        (
            "unknown-field",
            head(&format!(", \"{v}\": x"), "", "2026-11-20"),
        ),
        (
            "duplicate-key",
            head(&format!(", \"{v}\": 1, \"{v}\": 2"), "", "2026-11-20"),
        ),
        (
            "unknown-question (waiver)",
            format!(
                "{}waivers:\n  - {{question: \"{v}\", reason: r, approved-by: a, expires: 2027-01-01}}\n",
                ok()
            ),
        ),
        (
            "unknown-rule (waiver)",
            format!(
                "{}waivers:\n  - {{rule: \"{v}\", reason: r, approved-by: a, expires: 2027-01-01}}\n",
                ok()
            ),
        ),
        (
            "key-after-assessment",
            head(
                "",
                &format!(
                    ", keys: [{{exchange: binance, label: \"{v}\", created: 2027-01-01, permissions: [read]}}]"
                ),
                "2026-11-20",
            ),
        ),
        (
            "invalid-value (pattern)",
            head(
                "",
                &format!(", funds-at-risk: {{amount: 1, currency: \"{v}\"}}"),
                "2026-11-20",
            ),
        ),
    ]
}

/// Whether `out` holds more than `most` characters of `needle` in a row.
fn leaks(out: &str, needle: &str, most: usize) -> bool {
    let chars: Vec<char> = needle.chars().collect();
    chars
        .windows((most + 1).min(chars.len()))
        .any(|w| out.contains(&w.iter().collect::<String>()))
}

#[test]
fn diagnostics_never_quote_credentials_or_long_values() {
    let catalog = Catalog::bundled().unwrap();
    let mut failures = Vec::new();
    for (what, needle, most) in needles() {
        for (place, text) in plants(&needle) {
            let diags = match vetted::manifest::load("m.yaml", text.clone().into_bytes(), &catalog)
            {
                Ok(loaded) => loaded.warnings,
                Err(diags) => diags,
            };
            assert!(
                !diags.is_empty(),
                "{place}: nothing was reported for\n{text}"
            );
            let out: String = diags.iter().map(|d| format!("{d}\n")).collect();
            if leaks(&out, &needle, most) {
                failures.push(format!("{what} in {place}:\n{out}"));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn short_ordinary_values_are_still_quoted() {
    let catalog = Catalog::bundled().unwrap();
    let text = "vendor: {name: V}\nintegration: {purpose: P, checklists: [baseline], permissions: [withdrawl]}\nassessment: {assessor: A, date: 2026-11-20}\n";
    let diags = vetted::manifest::load("m.yaml", text.as_bytes().to_vec(), &catalog).unwrap_err();
    assert!(
        diags.iter().any(|d| d.message.contains("`withdrawl`")),
        "{diags:?}"
    );
}

#[test]
fn quoting_hides_credentials_and_cuts_long_values() {
    use vetted::diag::quote;
    assert_eq!(quote("withdrawl"), "withdrawl");
    let key: String = "vmPUZE6mv9SD5VNHk4HlWFsOr6aKE2zvsw0MuIgwCIPy6utIco14y7Ju91duEh8A"
        .chars()
        .rev()
        .collect();
    assert_eq!(quote(&key), "[64 characters, not shown]");
    let long = "the vendor said so. ".repeat(10);
    let q = quote(&long);
    assert!(
        q.starts_with("the vendor said so.") && q.ends_with("(200 characters)") && q.len() < 60,
        "{q}"
    );
}
