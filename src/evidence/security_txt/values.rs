//! The values of RFC 9116 fields, checked against the RFC: each check
//! returns what is wrong, in words a reviewer can act on, or nothing.
//!
//! RFC 9116 section 2.5 and the grammar of section 4: every field but
//! `Expires` and `Preferred-Languages` holds one URI (RFC 3986); a web URI
//! must begin with `https://`; e-mail addresses and telephone numbers are
//! `mailto:` (RFC 6068) and `tel:` (RFC 3966) URIs; `Encryption` points to
//! where a key can be fetched, never the key itself; `Expires` is an RFC
//! 3339 date-time (checked by [`super::parse_timestamp`]);
//! `Preferred-Languages` is a comma-separated list of
//! RFC 5646 language tags. Values are never chained ("multiple values MUST
//! NOT be chained together for a single field").

/// What is wrong with the value of a URI field (`Contact`, `Encryption`,
/// `Policy`, ...), named `field` in messages.
pub fn uri(field: &str, value: &str) -> Option<String> {
    let tokens: Vec<&str> = value.split_whitespace().collect();
    if tokens.len() > 1 && tokens.iter().all(|t| scheme(t).is_some()) {
        return Some(format!(
            "{field} `{value}` holds more than one URI; RFC 9116 allows one URI per field (repeat the field instead)"
        ));
    }
    let Some(name) = scheme(value).filter(|_| tokens.len() == 1) else {
        let hint = if tokens.len() == 1 && value.contains('@') {
            " (an e-mail address is written mailto:ADDRESS)"
        } else if value.starts_with('+')
            || value
                .chars()
                .all(|c| c.is_ascii_digit() || "+-() .".contains(c))
        {
            " (a telephone number is written tel:NUMBER)"
        } else if tokens.len() > 1 {
            " (a URI holds no spaces)"
        } else {
            ""
        };
        return Some(format!("{field} `{value}` is not a URI{hint}"));
    };
    // A second URI after a comma: chained values. (A comma alone is fine:
    // `mailto:a@x.example,b@x.example` is one URI with two addressees.)
    if value.split(',').skip(1).any(|part| scheme(part).is_some()) {
        return Some(format!(
            "{field} `{value}` holds more than one URI; RFC 9116 allows one URI per field (repeat the field instead)"
        ));
    }
    let rest = &value[name.len() + 1..];
    match name.to_ascii_lowercase().as_str() {
        "https" => web(field, value),
        "http" => Some(format!(
            "{field} `{value}` is a web URI that does not begin with https:// (RFC 9116 requires it)"
        )),
        "mailto" => mailto(rest).map(|why| format!("{field} `{value}` is not a valid mailto: URI: {why}")),
        "tel" => tel(rest).map(|why| format!("{field} `{value}` is not a valid tel: URI: {why}")),
        "data" if field.eq_ignore_ascii_case("Encryption") => Some(
            "Encryption holds the key itself (a data: URI); RFC 9116 asks for a URI where the key can be retrieved".into(),
        ),
        _ => url::Url::parse(value)
            .err()
            .map(|e| format!("{field} `{value}` is not a valid URI: {e}")),
    }
}

/// The scheme of `value` (RFC 3986: a letter, then letters, digits, `+`,
/// `-` or `.`, then `:`), if it starts with one.
fn scheme(value: &str) -> Option<&str> {
    let (scheme, _) = value.split_once(':')?;
    let mut chars = scheme.chars();
    let first = chars.next()?;
    (first.is_ascii_alphabetic() && chars.all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c)))
        .then_some(scheme)
}

/// An `https://` URI with a host.
fn web(field: &str, value: &str) -> Option<String> {
    match url::Url::parse(value) {
        Ok(u) if u.host_str().is_some_and(|h| !h.is_empty()) => None,
        Ok(_) => Some(format!("{field} `{value}` names no host")),
        Err(e) => Some(format!("{field} `{value}` is not a valid URI: {e}")),
    }
}

/// RFC 6068: `mailto:` addresses (comma-separated, percent-encoding
/// allowed), then optional `?headers`.
fn mailto(rest: &str) -> Option<String> {
    let to = rest.split('?').next().unwrap_or_default();
    if to.is_empty() {
        return Some("no address".into());
    }
    for address in to.split(',') {
        let decoded = address.replace("%40", "@").replace("%2540", "@");
        let Some((local, domain)) = decoded.rsplit_once('@') else {
            return Some(format!("`{address}` has no @"));
        };
        let domain_ok = !domain.is_empty()
            && !domain.starts_with('.')
            && !domain.ends_with('.')
            && domain
                .chars()
                .all(|c| c.is_alphanumeric() || matches!(c, '.' | '-' | '[' | ']' | ':' | '%'));
        if local.is_empty() || local.contains('@') || !domain_ok {
            return Some(format!("`{address}` is not an e-mail address"));
        }
    }
    None
}

/// RFC 3966: a global number (`+` then digits, with `-.()` as visual
/// separators) or a local number with a `phone-context` parameter, then
/// optional `;parameters`.
fn tel(rest: &str) -> Option<String> {
    let mut parts = rest.split(';');
    let number = parts.next().unwrap_or_default();
    let digits = number.chars().filter(char::is_ascii_digit).count();
    let separators = |s: &str| s.chars().all(|c| c.is_ascii_digit() || "-.()".contains(c));
    if let Some(global) = number.strip_prefix('+') {
        return (digits == 0 || !separators(global))
            .then(|| "a global number is + and digits (visual separators -.() allowed)".into());
    }
    let local = number
        .chars()
        .all(|c| c.is_ascii_hexdigit() || "*#-.()".contains(c));
    let context = parts.any(|p| p.to_ascii_lowercase().starts_with("phone-context="));
    (digits == 0 || !local || !context)
        .then(|| "a number is +DIGITS, or local digits with ;phone-context=".into())
}

/// RFC 9116 `Preferred-Languages`: `lang-tag *(*WSP "," *WSP lang-tag)`,
/// tags as in RFC 5646 section 2.1 (checked for shape: subtags of one to
/// eight letters or digits, the first a language of two to eight letters,
/// or `x-` / `i-` private and grandfathered tags).
pub fn languages(value: &str) -> Option<String> {
    let bad: Vec<&str> = value
        .split(',')
        .map(|t| t.trim_matches([' ', '\t']))
        .filter(|t| !language_tag(t))
        .collect();
    (!bad.is_empty()).then(|| {
        let bad: Vec<String> = bad.iter().map(|t| format!("`{t}`")).collect();
        format!(
            "Preferred-Languages `{value}`: {} is not a language tag (RFC 5646; the list is comma-separated, as in `en, fr`)",
            bad.join(", ")
        )
    })
}

fn language_tag(tag: &str) -> bool {
    let subtags: Vec<&str> = tag.split('-').collect();
    let shape =
        |s: &&str| (1..=8).contains(&s.len()) && s.chars().all(|c| c.is_ascii_alphanumeric());
    if !subtags.iter().all(shape) {
        return false;
    }
    let first = subtags[0];
    if first.eq_ignore_ascii_case("x") || first.eq_ignore_ascii_case("i") {
        return subtags.len() > 1;
    }
    // Primary language: 2-3 letters (ISO 639), 4 reserved, 5-8 registered;
    // written languages like `English` are not tags.
    (2..=3).contains(&first.len()) && first.chars().all(|c| c.is_ascii_alphabetic())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uris() {
        for ok in [
            "mailto:security@example.com",
            "mailto:a@x.example,b@x.example",
            "mailto:security%2Buri%2Bencoded@example.com?subject=hi",
            "tel:+1-201-555-0123",
            "tel:7042;phone-context=example.com",
            "https://example.com/security",
            "HTTPS://Example.com/",
            "openpgp4fpr:5f2de5521c63a801ab59ccb603d49de44b29100f",
            "dns:5d2d37ab76d47d36._openpgpkey.example.com?type=OPENPGPKEY",
            "https://signal.me/#eu/abc",
        ] {
            assert_eq!(uri("Contact", ok), None, "{ok}");
        }
        for (bad, says) in [
            ("security@example.com", "mailto:ADDRESS"),
            ("+1 201 555 0123", "tel:NUMBER"),
            ("+12015550123", "tel:NUMBER"),
            ("http://example.com/", "https://"),
            ("https://", "not a valid URI"),
            ("mailto:", "no address"),
            ("mailto:nobody", "no @"),
            ("mailto:a@", "not an e-mail address"),
            ("tel:", "+DIGITS"),
            ("tel:+", "+ and digits"),
            ("tel:5550123", "phone-context"),
            ("https://a.example/,https://b.example/", "more than one URI"),
            ("see our website", "holds no spaces"),
            ("mailto:a@x.example mailto:b@x.example", "more than one URI"),
        ] {
            let why = uri("Contact", bad).unwrap_or_else(|| panic!("{bad} passed"));
            assert!(why.contains(says), "{bad}: {why}");
        }
        assert!(uri("Encryption", "data:application/x-age-public-key,age1x").is_some());
    }

    #[test]
    fn language_lists() {
        for ok in [
            "en",
            "en, fr",
            "en,nl,fr",
            "zh-Hant",
            "de-CH-1996",
            "x-klingon",
            "sgn-BE-FR",
            " en",
        ] {
            assert_eq!(languages(ok), None, "{ok}");
        }
        for bad in [
            "",
            "en;fr",
            "en fr",
            "English",
            "en,,fr",
            "e",
            "123",
            "en-",
            "toolongsubtag",
        ] {
            assert!(languages(bad).is_some(), "{bad}");
        }
    }
}
