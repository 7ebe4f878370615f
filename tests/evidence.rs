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
