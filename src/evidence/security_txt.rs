//! RFC 9116 `security.txt`: parsing and the facts an assessment needs.
//!
//! Parsing never fails: whatever is served (a PGP-signed file, CRLF line
//! endings, comments, unknown fields, an HTML error page) becomes a
//! [`SecurityTxt`] with the fields found and a list of problems, each with
//! its line. [`SecurityTxt::status`] then judges it on a given date.

use serde::Serialize;

use crate::date::Date;

/// A problem found in the file.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Problem {
    /// 1-based line (0: the whole file).
    pub line: usize,
    /// What is wrong.
    pub message: String,
}

/// The parsed file.
#[derive(Clone, Debug, Default, Serialize)]
pub struct SecurityTxt {
    /// `Contact` values, in order (required, one or more).
    pub contacts: Vec<String>,
    /// The raw `Expires` value.
    pub expires_raw: Option<String>,
    /// Its date, when it is a valid RFC 3339 timestamp.
    pub expires: Option<Date>,
    /// `Encryption` values.
    pub encryption: Vec<String>,
    /// `Acknowledgments` values.
    pub acknowledgments: Vec<String>,
    /// `Canonical` values.
    pub canonical: Vec<String>,
    /// `Policy` values.
    pub policy: Vec<String>,
    /// `Preferred-Languages`.
    pub preferred_languages: Option<String>,
    /// `Hiring` values.
    pub hiring: Vec<String>,
    /// Fields not defined by RFC 9116, as written.
    pub other: Vec<(String, String)>,
    /// Whether the file is wrapped in a PGP signed message.
    pub signed: bool,
    /// Whether the body looks like an HTML page rather than text.
    pub html: bool,
    /// Everything wrong, with lines.
    pub problems: Vec<Problem>,
}

/// The verdict on a security.txt on a given date.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    /// Present, with Contact and a future Expires at most a year ahead.
    Valid,
    /// Present but past its Expires date.
    Expired,
    /// Served as text, but without a Contact or a valid Expires.
    Incomplete,
    /// Not a security.txt at all: an HTML page served in its place.
    Invalid,
    /// Not served (404 and the like); set by the collector, never by
    /// [`SecurityTxt::status`], which only sees files that were served.
    Missing,
}

impl Status {
    /// The value of the `security-txt.status` fact; the checklist maps it
    /// to an answer.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Valid => "valid",
            Status::Expired => "expired",
            Status::Incomplete => "incomplete",
            Status::Invalid => "invalid",
            Status::Missing => "missing",
        }
    }
}

/// An RFC 3339 date-time (`2027-04-30T00:00:00.000Z`; `T` and `Z` may be
/// lower case, as RFC 3339 allows); returns its date.
pub fn parse_timestamp(s: &str) -> Option<Date> {
    let b = s.as_bytes();
    if b.len() < 20 || !matches!(b[10], b'T' | b't') {
        return None;
    }
    let date: Date = s[..10].parse().ok()?;
    let time = &s[11..];
    let digits = |r: std::ops::Range<usize>| {
        time.get(r)
            .is_some_and(|p| p.bytes().all(|c| c.is_ascii_digit()))
    };
    if !(digits(0..2)
        && time.as_bytes().get(2) == Some(&b':')
        && digits(3..5)
        && time.as_bytes().get(5) == Some(&b':')
        && digits(6..8))
    {
        return None;
    }
    let mut rest = &time[8..];
    if let Some(frac) = rest.strip_prefix('.') {
        let n = frac.bytes().take_while(u8::is_ascii_digit).count();
        if n == 0 {
            return None;
        }
        rest = &frac[n..];
    }
    let zone_ok = matches!(rest, "Z" | "z")
        || (rest.len() == 6
            && matches!(rest.as_bytes()[0], b'+' | b'-')
            && rest.as_bytes()[3] == b':'
            && rest[1..3]
                .bytes()
                .chain(rest[4..6].bytes())
                .all(|c| c.is_ascii_digit()));
    zone_ok.then_some(date)
}

/// Parses a security.txt file.
pub fn parse(text: &str) -> SecurityTxt {
    let mut out = SecurityTxt::default();
    let head = text
        .trim_start()
        .get(..200)
        .unwrap_or(text.trim_start())
        .to_ascii_lowercase();
    if head.starts_with("<!doctype")
        || head.starts_with("<html")
        || head.contains("<head")
        || head.contains("<body")
    {
        out.html = true;
        out.problems.push(Problem {
            line: 1,
            message: "an HTML page was served instead of a plain-text security.txt".into(),
        });
        return out;
    }
    let mut in_signature = false;
    let mut in_armor_headers = false;
    let mut expires_seen = 0;
    for (i, raw) in text.split('\n').enumerate() {
        let n = i + 1;
        let line = raw.strip_suffix('\r').unwrap_or(raw);
        if line == "-----BEGIN PGP SIGNED MESSAGE-----" {
            out.signed = true;
            in_armor_headers = true;
            continue;
        }
        if in_armor_headers {
            // Armor headers (`Hash: SHA256`) run until the first empty line.
            if line.trim().is_empty() {
                in_armor_headers = false;
            }
            continue;
        }
        if line == "-----BEGIN PGP SIGNATURE-----" {
            in_signature = true;
            continue;
        }
        if in_signature {
            if line == "-----END PGP SIGNATURE-----" {
                in_signature = false;
            }
            continue;
        }
        // Inside a signed message, lines starting with a dash are escaped.
        let line = if out.signed {
            line.strip_prefix("- ").unwrap_or(line)
        } else {
            line
        };
        let trimmed = line.trim();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        let Some((name, value)) = line.split_once(':') else {
            out.problems.push(Problem {
                line: n,
                message: "not a field, a comment or an empty line".into(),
            });
            continue;
        };
        let name = name.trim();
        let value = value.trim().to_string();
        if name.is_empty() || name.contains(char::is_whitespace) {
            out.problems.push(Problem {
                line: n,
                message: "not a field, a comment or an empty line".into(),
            });
            continue;
        }
        match name.to_ascii_lowercase().as_str() {
            "contact" => out.contacts.push(value),
            "expires" => {
                expires_seen += 1;
                if expires_seen > 1 {
                    out.problems.push(Problem {
                        line: n,
                        message: "Expires appears more than once".into(),
                    });
                    continue;
                }
                out.expires = parse_timestamp(&value);
                if out.expires.is_none() {
                    out.problems.push(Problem {
                        line: n,
                        message: format!(
                            "Expires `{}` is not an RFC 3339 date-time",
                            crate::diag::quote(&value)
                        ),
                    });
                }
                out.expires_raw = Some(value);
            }
            "encryption" => out.encryption.push(value),
            "acknowledgments" => out.acknowledgments.push(value),
            "canonical" => out.canonical.push(value),
            "policy" => out.policy.push(value),
            "hiring" => out.hiring.push(value),
            "preferred-languages" => {
                if out.preferred_languages.is_some() {
                    out.problems.push(Problem {
                        line: n,
                        message: "Preferred-Languages appears more than once".into(),
                    });
                } else {
                    out.preferred_languages = Some(value);
                }
            }
            _ => out.other.push((name.to_string(), value)),
        }
    }
    if out.contacts.is_empty() {
        out.problems.push(Problem {
            line: 0,
            message: "no Contact field (RFC 9116 requires one)".into(),
        });
    }
    if expires_seen == 0 {
        out.problems.push(Problem {
            line: 0,
            message: "no Expires field (RFC 9116 requires one)".into(),
        });
    }
    out
}

impl SecurityTxt {
    /// The status on `as_of`, with the reasons behind it. `fetched_from` is
    /// the URL the file was read from, checked against `Canonical`.
    pub fn status(&self, as_of: Date, fetched_from: Option<&str>) -> (Status, Vec<String>) {
        let mut reasons: Vec<String> = self.problems.iter().map(|p| p.message.clone()).collect();
        if let Some(url) = fetched_from
            && !self.canonical.is_empty()
            && !self.canonical.iter().any(|c| c == url)
        {
            reasons.push(format!(
                "fetched from {url}, which none of its Canonical fields names"
            ));
        }
        if self.html {
            reasons.push("an HTML page was served instead of a text file".into());
            return (Status::Invalid, reasons);
        }
        if self.contacts.is_empty() || self.expires_raw.is_none() {
            return (Status::Incomplete, reasons);
        }
        match self.expires {
            None => (Status::Incomplete, reasons),
            Some(e) if e < as_of => {
                reasons.push(format!("expired on {e}"));
                (Status::Expired, reasons)
            }
            Some(e) => {
                if as_of.days_until(e) > 366 {
                    reasons.push(format!(
                        "Expires {e} is more than a year ahead (RFC 9116 advises less)"
                    ));
                }
                (Status::Valid, reasons)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps() {
        assert_eq!(
            parse_timestamp("2027-04-30T00:00:00.000Z")
                .map(|d| d.to_string())
                .as_deref(),
            Some("2027-04-30")
        );
        assert!(parse_timestamp("2025-06-30t23:59:59z").is_some());
        assert!(parse_timestamp("2026-01-01T00:00:00+01:00").is_some());
        for bad in [
            "DATE_EXP",
            "2023-06-07 13:08:19+00:00",
            "2026-01-01",
            "2026-13-01T00:00:00Z",
            "2026-01-01T00:00Z",
        ] {
            assert!(parse_timestamp(bad).is_none(), "{bad}");
        }
    }
}
