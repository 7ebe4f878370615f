//! Evidence parsers on real files written by others (`../shared/fixtures`,
//! read in place) and on the project's own hand-written fixtures.

mod support;

use std::path::Path;

use support::shared;

use vetted::date::Date;
use vetted::evidence::security_txt::{self, Status};

fn as_of() -> Date {
    "2026-11-27".parse().unwrap()
}

fn parse_file(path: &Path) -> security_txt::SecurityTxt {
    let bytes = std::fs::read(path).unwrap();
    security_txt::parse(&String::from_utf8_lossy(&bytes))
}

#[test]
fn own_security_txt_fixtures() {
    let dir = Path::new("tests/fixtures/security-txt");
    let valid = parse_file(&dir.join("valid-crlf.txt"));
    assert_eq!(valid.contacts.len(), 2);
    assert_eq!(valid.expires.unwrap().to_string(), "2027-06-30");
    assert!(valid.problems.is_empty(), "{:?}", valid.problems);
    let (status, reasons) = valid.status(
        as_of(),
        Some("https://vendor.example/.well-known/security.txt"),
    );
    assert_eq!(status, Status::Valid, "{reasons:?}");
    assert!(reasons.is_empty());
    let (_, reasons) = valid.status(
        as_of(),
        Some("https://elsewhere.example/.well-known/security.txt"),
    );
    assert!(
        reasons.iter().any(|r| r.contains("Canonical")),
        "{reasons:?}"
    );

    let signed = parse_file(&dir.join("signed-expired.txt"));
    assert!(signed.signed);
    assert_eq!(signed.contacts, ["mailto:psirt@old-vendor.example"]);
    assert_eq!(signed.acknowledgments.len(), 1);
    assert_eq!(signed.status(as_of(), None).0, Status::Expired);

    let html = parse_file(&dir.join("html-page.txt"));
    assert!(html.html);
    assert!(
        html.contacts.is_empty(),
        "a Contact inside HTML is not a field"
    );
    assert_eq!(html.status(as_of(), None).0, Status::Invalid);

    let partial = parse_file(&dir.join("no-expires.txt"));
    assert_eq!(partial.status(as_of(), None).0, Status::Incomplete);
    assert!(
        partial.problems.iter().any(|p| p.line == 3),
        "{:?}",
        partial.problems
    );
    assert!(
        partial
            .problems
            .iter()
            .any(|p| p.message.contains("no Expires"))
    );
}

#[test]
fn every_shared_security_txt_parses_and_the_notable_ones_say_what_they_are() {
    let Some(dir) = shared("security-txt") else {
        return;
    };
    let mut count = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let parsed = parse_file(&path);
        let _ = parsed.status(
            as_of(),
            Some("https://example.org/.well-known/security.txt"),
        );
        count += 1;
    }
    assert!(count >= 30, "{count} files");
    let get = |prefix: &str| {
        let name = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .find(|n| n.starts_with(prefix))
            .unwrap_or_else(|| panic!("no fixture {prefix}"));
        parse_file(&dir.join(name))
    };
    // PGP-signed, valid until 2027-04-30, with Canonical and Encryption.
    let g = get("001-");
    assert!(g.signed);
    assert_eq!(g.expires.unwrap().to_string(), "2027-04-30");
    assert_eq!(g.status(as_of(), None).0, Status::Valid);
    assert!(!g.canonical.is_empty() && !g.encryption.is_empty());
    // Unexpanded template placeholder in Expires; two Contact lines.
    let a = get("002-");
    assert_eq!(a.contacts.len(), 2);
    assert_eq!(a.expires_raw.as_deref(), Some("DATE_EXP"));
    assert_eq!(a.status(as_of(), None).0, Status::Incomplete);
    // Signed and expired 2023-09-30.
    let j = get("007-");
    assert!(j.signed);
    assert_eq!(j.status(as_of(), None).0, Status::Expired);
    // Lowercase 'z' in Expires, expired 2025-06-30.
    let t = get("010-");
    assert_eq!(t.expires.unwrap().to_string(), "2025-06-30");
    assert_eq!(t.status(as_of(), None).0, Status::Expired);
    // No Expires at all.
    assert_eq!(get("011-").status(as_of(), None).0, Status::Incomplete);
    // Valid, more than a year ahead, with an extension field.
    let l = get("015-");
    let (status, reasons) = l.status(as_of(), None);
    assert_eq!(status, Status::Valid);
    assert!(
        reasons.iter().any(|r| r.contains("more than a year")),
        "{reasons:?}"
    );
    assert!(l.other.iter().any(|(k, _)| k == "Bug-Bounty"));
    // CRLF, signed, three Contact lines, expired 2024-04-01.
    let o = get("026-");
    assert!(o.signed);
    assert_eq!(o.contacts.len(), 3);
    assert_eq!(o.expires.unwrap().to_string(), "2024-04-01");
    // Expires with a space instead of 'T'.
    assert!(
        get("031-")
            .problems
            .iter()
            .any(|p| p.message.contains("RFC 3339"))
    );
    // Misspelled Acknowledgements is kept as an unknown field.
    assert!(
        get("057-")
            .other
            .iter()
            .any(|(k, _)| k == "Acknowledgements")
    );
}

mod insights {
    use super::*;
    use vetted::evidence::security_insights::{self, Layout};

    fn parse(path: &Path) -> security_insights::SecurityInsights {
        let text = String::from_utf8_lossy(&std::fs::read(path).unwrap()).into_owned();
        security_insights::parse(&path.display().to_string(), &text)
    }

    #[test]
    fn own_fixtures() {
        let v2 = "header:\n  schema-version: 2.0.0\n  last-updated: '2026-06-01'\nrepository:\n  status: active\n  security:\n    assessments:\n      self: {comment: done}\n  documentation:\n    security-policy: https://v.example/SECURITY.md\nproject:\n  vulnerability-reporting:\n    reports-accepted: true\n    bug-bounty-available: false\n";
        let s = security_insights::parse("v2.yml", v2);
        assert_eq!(s.layout, Layout::V2);
        assert!(s.is_current(as_of()));
        assert_eq!(s.accepts_reports, Some(true));
        assert_eq!(s.assessments, ["self"]);
        assert_eq!(
            s.security_policy.as_deref(),
            Some("https://v.example/SECURITY.md")
        );
        let bomb = "a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]\ne: [*d, *d, *d, *d, *d, *d, *d, *d, *d]\n";
        let s = security_insights::parse("bomb.yml", bomb);
        assert_eq!(s.layout, Layout::Unknown);
        assert!(s.problems[0].contains("alias"), "{:?}", s.problems);
        let s = security_insights::parse("dup.yml", "header: {}\nheader: {}\n");
        assert!(s.problems[0].contains("twice"), "{:?}", s.problems);
    }

    #[test]
    fn every_shared_file_parses_and_the_notable_ones_say_what_they_are() {
        let Some(dir) = shared("security-insights") else {
            return;
        };
        let mut count = 0;
        for entry in std::fs::read_dir(&dir).unwrap() {
            let s = parse(&entry.unwrap().path());
            let _ = s.is_current(as_of());
            count += 1;
        }
        assert!(count >= 15, "{count}");
        let get = |prefix: &str| {
            let name = std::fs::read_dir(&dir)
                .unwrap()
                .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                .find(|n| n.starts_with(prefix))
                .unwrap();
            parse(&dir.join(name))
        };
        let argo = get("001-");
        assert_eq!(argo.layout, Layout::V1);
        assert_eq!(argo.expires.unwrap().to_string(), "2024-10-31");
        assert!(!argo.is_current(as_of()));
        assert_eq!(argo.accepts_reports, Some(true));
        assert_eq!(argo.bug_bounty, Some(true));
        let jaeger = get("005-");
        assert!(jaeger.is_current(as_of()), "expires 2027-01-16");
        let broken = get("014-");
        assert!(broken.schema_version.is_none());
        assert!(broken.problems.iter().any(|p| p.contains("schema-version")));
        let elixir = get("021-");
        assert!(
            elixir.problems.iter().any(|p| p.contains("2025-04-XX")),
            "{:?}",
            elixir.problems
        );
        let scorecard = get("022-");
        assert_eq!(scorecard.layout, Layout::V2);
        assert_eq!(scorecard.status.as_deref(), Some("active"));
        assert_eq!(scorecard.accepts_reports, Some(true));
        assert_eq!(scorecard.assessments, ["audit-2025"]);
        assert_eq!(get("031-").layout, Layout::V2);
    }
}

/// A real file by its number.
fn shared_text(prefix: &str) -> Option<String> {
    let dir = shared("security-txt")?;
    let path = support::files(&dir)
        .into_iter()
        .find(|p| p.file_name().unwrap().to_string_lossy().starts_with(prefix))
        .unwrap_or_else(|| panic!("no fixture {prefix}"));
    Some(String::from_utf8(std::fs::read(path).unwrap()).unwrap())
}

fn messages(parsed: &security_txt::SecurityTxt) -> String {
    parsed
        .problems
        .iter()
        .map(|p| format!("{}: {}", p.line, p.message))
        .collect::<Vec<_>>()
        .join("\n")
}

/// What the reading of a file comes to.
fn reading(s: &security_txt::SecurityTxt) -> impl PartialEq + std::fmt::Debug {
    (
        s.contacts.clone(),
        s.expires,
        s.policy.clone(),
        s.canonical.clone(),
        s.preferred_languages.clone(),
        s.other.clone(),
        s.signed,
        s.status(as_of(), None).0,
    )
}

/// A UTF-8 byte-order mark before a real file used to change its reading:
/// the signature was lost (the BEGIN line no longer matched), the first
/// field was filed as unknown (`\u{feff}Contact`), and an expired file whose
/// only Contact came first read as incomplete. It is now noted and skipped.
#[test]
fn a_byte_order_mark_changes_nothing_but_a_note() {
    let Some(dir) = shared("security-txt") else {
        return;
    };
    for path in support::files(&dir) {
        let text = String::from_utf8_lossy(&std::fs::read(&path).unwrap()).into_owned();
        let plain = security_txt::parse(&text);
        let bom = security_txt::parse(&format!("\u{feff}{text}"));
        assert_eq!(reading(&bom), reading(&plain), "{}", path.display());
        assert!(
            messages(&bom).contains("byte-order mark"),
            "{}: {}",
            path.display(),
            messages(&bom)
        );
        assert!(!messages(&plain).contains("byte-order mark"));
    }
    // The three readings that changed, by name.
    let signed = security_txt::parse(&format!("\u{feff}{}", shared_text("007-").unwrap()));
    assert!(signed.signed);
    let first = security_txt::parse(&format!("\u{feff}{}", shared_text("008-").unwrap()));
    assert!(first.other.is_empty(), "{:?}", first.other);
    let expired = security_txt::parse(&format!("\u{feff}{}", shared_text("053-").unwrap()));
    assert_eq!(expired.status(as_of(), None).0, Status::Expired);
}

/// `Policy:` and `Contact:` with nothing after them used to count as a
/// policy and a contact.
#[test]
fn empty_values_are_ignored_with_a_note() {
    let Some(text) = shared_text("002-") else {
        return;
    };
    let text = text.replace(
        "Policy: https://www.gov.uk/help/report-vulnerability",
        "Policy:",
    );
    let s = security_txt::parse(&text);
    assert!(s.policy.is_empty(), "{:?}", s.policy);
    assert!(messages(&s).contains("empty Policy"), "{}", messages(&s));
    let text = shared_text("053-")
        .unwrap()
        .replace("Contact: mailto:contact@cathal.dev", "Contact:   ");
    let s = security_txt::parse(&text);
    assert!(s.contacts.is_empty(), "{:?}", s.contacts);
    assert_eq!(s.status(as_of(), None).0, Status::Incomplete);
    assert!(messages(&s).contains("empty Contact"), "{}", messages(&s));
}

/// Every RFC 9116 field value is checked, and each violation named with
/// its line; real files show some, variants of real files the rest.
#[test]
fn field_values_are_checked() {
    let Some(almalinux) = shared_text("004-") else {
        return;
    };
    // A bare e-mail address is not a URI: mailto: is required.
    let s = security_txt::parse(&almalinux);
    assert!(
        messages(&s).contains("`security@almalinux.org` is not a URI"),
        "{}",
        messages(&s)
    );
    // An inline key where a URI to fetch it should be.
    let s = security_txt::parse(&shared_text("001-").unwrap());
    assert!(messages(&s).contains("data:"), "{}", messages(&s));
    // A clean file has no complaint about its values.
    let clean = shared_text("053-").unwrap();
    let s = security_txt::parse(&clean);
    assert!(messages(&s).is_empty(), "{}", messages(&s));
    for (from, to, complaint) in [
        (
            "Encryption: https://keybase.io/cathal/pgp_keys.asc",
            "Encryption: http://keybase.io/cathal/pgp_keys.asc",
            "https://",
        ),
        (
            "Canonical: https://www.cathal.dev/security.txt",
            "Canonical: http://www.cathal.dev/security.txt",
            "https://",
        ),
        (
            "Contact: mailto:contact@cathal.dev",
            "Contact: mailto:contact@cathal.dev mailto:other@cathal.dev",
            "one URI",
        ),
        (
            "Contact: mailto:contact@cathal.dev",
            "Contact: mailto:contact@cathal.dev,https://cathal.dev/contact",
            "one URI",
        ),
        (
            "Contact: mailto:contact@cathal.dev",
            "Contact: mailto:contact-at-cathal.dev",
            "mailto:",
        ),
        (
            "Contact: mailto:contact@cathal.dev",
            "Contact: tel:call-me-maybe",
            "tel:",
        ),
        (
            "Expires: 2024-01-01T00:00:00.000Z",
            "Expires: 2024-01-01T25:61:00.000Z",
            "RFC 3339",
        ),
        (
            "Expires: 2024-01-01T00:00:00.000Z",
            "Expires: 2024-01-01",
            "RFC 3339",
        ),
        (
            "Preferred-Languages: en",
            "Preferred-Languages: en; fr",
            "language tag",
        ),
        (
            "Preferred-Languages: en",
            "Preferred-Languages: English",
            "language tag",
        ),
        (
            "Preferred-Languages: en",
            "Preferred-Languages: en,,fr",
            "language tag",
        ),
    ] {
        assert!(clean.contains(from), "{from}");
        let s = security_txt::parse(&clean.replace(from, to));
        assert!(messages(&s).contains(complaint), "{to}: {}", messages(&s));
    }
    // What the RFC allows passes.
    for (from, to) in [
        (
            "Contact: mailto:contact@cathal.dev",
            "Contact: tel:+1-201-555-0123",
        ),
        (
            "Contact: mailto:contact@cathal.dev",
            "Contact: mailto:security%2Buri%2Bencoded@example.com",
        ),
        (
            "Encryption: https://keybase.io/cathal/pgp_keys.asc",
            "Encryption: openpgp4fpr:5f2de5521c63a801ab59ccb603d49de44b29100f",
        ),
        (
            "Encryption: https://keybase.io/cathal/pgp_keys.asc",
            "Encryption: dns:5d2d37ab76d47d36._openpgpkey.example.com?type=OPENPGPKEY",
        ),
        (
            "Preferred-Languages: en",
            "Preferred-Languages: en, zh-Hant, de-CH-1996,fr",
        ),
        (
            "Expires: 2024-01-01T00:00:00.000Z",
            "Expires: 2021-12-31T18:37:07z",
        ),
    ] {
        let s = security_txt::parse(&clean.replace(from, to));
        assert!(messages(&s).is_empty(), "{to}: {}", messages(&s));
    }
}

/// `signed` used to be set by the BEGIN line alone. It now needs the whole
/// OpenPGP cleartext signature block; the signature itself is not verified.
#[test]
fn signed_means_a_complete_signature_block() {
    let Some(text) = shared_text("007-") else {
        return;
    };
    assert!(security_txt::parse(&text).signed);
    let cut_at = |marker: &str| {
        let at = text.find(marker).unwrap();
        security_txt::parse(&text[..at])
    };
    // Cut off after the signature began, in its data, before it began.
    for (marker, missing) in [
        ("-----END PGP SIGNATURE-----", "END PGP SIGNATURE"),
        ("oA/+yw//", "END PGP SIGNATURE"),
        ("-----BEGIN PGP SIGNATURE-----", "BEGIN PGP SIGNATURE"),
    ] {
        let s = cut_at(marker);
        assert!(!s.signed, "cut at {marker}");
        assert!(messages(&s).contains(missing), "{marker}: {}", messages(&s));
        // The fields are still read.
        assert_eq!(s.contacts, ["mailto:security@jazzband.co"]);
    }
    // No Hash header.
    let s = security_txt::parse(&text.replace("Hash: SHA512\n", ""));
    assert!(!s.signed);
    assert!(messages(&s).contains("Hash"), "{}", messages(&s));
    // A signature block with no data in it.
    let start = text.find("-----BEGIN PGP SIGNATURE-----").unwrap();
    let end = text.find("-----END PGP SIGNATURE-----").unwrap();
    let empty = format!(
        "{}-----BEGIN PGP SIGNATURE-----\n\n{}",
        &text[..start],
        &text[end..]
    );
    assert!(!security_txt::parse(&empty).signed);
    // Fields outside the signed message are not covered by the signature.
    let s = security_txt::parse(&format!("{text}Contact: mailto:attacker@evil.example\n"));
    assert!(!s.signed);
    assert!(messages(&s).contains("outside"), "{}", messages(&s));
    // CRLF files with a short signature still count.
    assert!(security_txt::parse(&shared_text("028-").unwrap()).signed);
}
