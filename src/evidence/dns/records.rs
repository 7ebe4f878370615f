//! SPF (RFC 7208) and DMARC (RFC 7489) records, read from their text.
//!
//! Written here rather than taken from `mail-auth`: that crate always
//! builds a mail parser, a mail builder, deflate and a diff library, and its
//! parsers serve a full DKIM/ARC/SPF/DMARC verifier (docs/design.md). What
//! `collect` needs is the grammar of two records, checked strictly enough
//! that a record a receiver would reject is reported as invalid.

use std::net::{Ipv4Addr, Ipv6Addr};

/// An SPF qualifier (RFC 7208 section 4.6.2).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Qualifier {
    /// `+`: pass.
    Pass,
    /// `-`: fail.
    Fail,
    /// `~`: softfail.
    SoftFail,
    /// `?`: neutral.
    Neutral,
}

impl Qualifier {
    /// The `all` term with this qualifier, as the `dns.spf` fact gives it.
    pub fn as_str(self) -> &'static str {
        match self {
            Qualifier::Pass => "+all",
            Qualifier::Fail => "-all",
            Qualifier::SoftFail => "~all",
            Qualifier::Neutral => "?all",
        }
    }
}

/// What an SPF record says, as far as the collector reads it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Spf {
    /// The qualifier of the `all` mechanism, if there is one.
    pub all: Option<Qualifier>,
    /// The `redirect=` target.
    pub redirect: Option<String>,
    /// The `include:` targets without macros, in order.
    pub includes: Vec<String>,
    /// Terms that cause a DNS lookup: include, a, mx, ptr, exists.
    pub lookup_mechanisms: usize,
    /// Terms whose domain is a macro (`%{d}`), which are not followed.
    pub macros: Vec<String>,
}

impl Spf {
    /// The DNS lookups this record itself causes (RFC 7208 section
    /// 4.6.4): its lookup mechanisms, and `redirect=` unless an `all`
    /// mechanism makes it unused (section 6.1).
    pub fn lookups(&self) -> usize {
        self.lookup_mechanisms + usize::from(self.redirect.is_some() && self.all.is_none())
    }
}

/// Whether a TXT record is an SPF record: it begins with `v=spf1` and then
/// a space or its end (RFC 7208 section 4.5; ABNF strings ignore case).
pub fn is_spf(text: &str) -> bool {
    let b = text.as_bytes();
    b.len() >= 6 && b[..6].eq_ignore_ascii_case(b"v=spf1") && (b.len() == 6 || b[6] == b' ')
}

/// Reads an SPF record; an error says what a receiver would reject.
pub fn parse_spf(text: &str) -> Result<Spf, String> {
    if !is_spf(text) {
        return Err("it does not start with v=spf1".into());
    }
    let mut spf = Spf::default();
    let mut exp = false;
    for term in text[6..].split(' ').filter(|t| !t.is_empty()) {
        let name_len = term
            .find(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.')))
            .unwrap_or(term.len());
        if term[name_len..].starts_with('=') {
            let (name, value) = (&term[..name_len], &term[name_len + 1..]);
            if !name.starts_with(|c: char| c.is_ascii_alphabetic()) {
                return Err(format!("`{term}` is not a modifier"));
            }
            match name.to_ascii_lowercase().as_str() {
                "redirect" => {
                    if spf.redirect.is_some() {
                        return Err("redirect= appears twice (RFC 7208 section 6)".into());
                    }
                    domain_spec(term, value)?;
                    if value.contains('%') {
                        spf.macros.push(term.to_string());
                    }
                    spf.redirect = Some(value.to_ascii_lowercase());
                }
                "exp" => {
                    if exp {
                        return Err("exp= appears twice (RFC 7208 section 6)".into());
                    }
                    exp = true;
                    domain_spec(term, value)?;
                }
                // Unknown modifiers are ignored (section 6).
                _ => {}
            }
            continue;
        }
        let (qualifier, rest) = match term.as_bytes()[0] {
            b'+' => (Qualifier::Pass, &term[1..]),
            b'-' => (Qualifier::Fail, &term[1..]),
            b'~' => (Qualifier::SoftFail, &term[1..]),
            b'?' => (Qualifier::Neutral, &term[1..]),
            _ => (Qualifier::Pass, term),
        };
        let end = rest.find([':', '/']).unwrap_or(rest.len());
        let (mechanism, arg) = (rest[..end].to_ascii_lowercase(), &rest[end..]);
        let domain = arg.strip_prefix(':');
        match mechanism.as_str() {
            "all" => {
                if !arg.is_empty() {
                    return Err(format!("`{term}`: all takes no argument"));
                }
                // Terms after the first all are never reached.
                spf.all.get_or_insert(qualifier);
            }
            "include" | "exists" => {
                let Some(d) = domain else {
                    return Err(format!("`{term}`: {mechanism} needs :domain"));
                };
                domain_spec(term, d)?;
                spf.lookup_mechanisms += 1;
                if d.contains('%') {
                    spf.macros.push(term.to_string());
                } else if mechanism == "include" {
                    spf.includes
                        .push(d.trim_end_matches('.').to_ascii_lowercase());
                }
            }
            "a" | "mx" => {
                let (d, cidr) = match domain {
                    Some(d) => match d.find('/') {
                        Some(i) => (Some(&d[..i]), &d[i..]),
                        None => (Some(d), ""),
                    },
                    None => (None, arg),
                };
                if let Some(d) = d {
                    domain_spec(term, d)?;
                }
                dual_cidr(term, cidr)?;
                spf.lookup_mechanisms += 1;
            }
            "ptr" => {
                if let Some(d) = domain {
                    domain_spec(term, d)?;
                } else if !arg.is_empty() {
                    return Err(format!("`{term}`: ptr takes only :domain"));
                }
                spf.lookup_mechanisms += 1;
            }
            "ip4" => {
                let d = domain.ok_or_else(|| format!("`{term}`: ip4 needs :address"))?;
                let (ip, len) = d.split_once('/').map_or((d, None), |(a, l)| (a, Some(l)));
                ip.parse::<Ipv4Addr>()
                    .map_err(|_| format!("`{term}`: `{ip}` is not an IPv4 address"))?;
                cidr(term, len, 32)?;
            }
            "ip6" => {
                let d = domain.ok_or_else(|| format!("`{term}`: ip6 needs :address"))?;
                let (ip, len) = d.split_once('/').map_or((d, None), |(a, l)| (a, Some(l)));
                ip.parse::<Ipv6Addr>()
                    .map_err(|_| format!("`{term}`: `{ip}` is not an IPv6 address"))?;
                cidr(term, len, 128)?;
            }
            _ => {
                return Err(format!(
                    "`{term}` is not a mechanism (RFC 7208 section 5 knows all, include, a, mx, ptr, ip4, ip6, exists)"
                ));
            }
        }
    }
    Ok(spf)
}

/// A CIDR length after `/`: digits, no leading zero, at most `max`.
fn cidr(term: &str, len: Option<&str>, max: u32) -> Result<(), String> {
    let Some(len) = len else { return Ok(()) };
    let ok = !len.is_empty()
        && len.len() <= 3
        && len.bytes().all(|b| b.is_ascii_digit())
        && !(len.len() > 1 && len.starts_with('0'))
        && len.parse::<u32>().is_ok_and(|n| n <= max);
    if ok {
        Ok(())
    } else {
        Err(format!(
            "`{term}`: `/{len}` is not a prefix length up to {max}"
        ))
    }
}

/// `[/ip4-len][//ip6-len]` after `a` or `mx`.
fn dual_cidr(term: &str, s: &str) -> Result<(), String> {
    if s.is_empty() {
        return Ok(());
    }
    let Some(rest) = s.strip_prefix('/') else {
        return Err(format!("`{term}` is not a mechanism"));
    };
    if let Some(v6) = rest.strip_prefix('/') {
        return cidr(term, Some(v6), 128);
    }
    match rest.split_once("//") {
        Some((v4, v6)) => {
            cidr(term, Some(v4), 32)?;
            cidr(term, Some(v6), 128)
        }
        None => cidr(term, Some(rest), 32),
    }
}

/// A domain-spec (RFC 7208 section 7.1): a domain of at least two labels,
/// or a macro string, whose `%` are `%{...}`, `%%`, `%_` or `%-`.
fn domain_spec(term: &str, d: &str) -> Result<(), String> {
    if d.is_empty() {
        return Err(format!("`{term}` has an empty domain"));
    }
    if !d.bytes().all(|b| (0x21..=0x7e).contains(&b)) {
        return Err(format!("`{term}` has a character a domain cannot hold"));
    }
    if d.contains('%') {
        let mut rest = d;
        while let Some(i) = rest.find('%') {
            rest = &rest[i + 1..];
            match rest.as_bytes().first() {
                Some(b'%' | b'_' | b'-') => rest = &rest[1..],
                Some(b'{') => match rest.find('}') {
                    Some(j)
                        if j > 1
                            && rest.as_bytes()[1].is_ascii_alphabetic()
                            && b"slodiphcrtvSLODIPHCRTV".contains(&rest.as_bytes()[1]) =>
                    {
                        rest = &rest[j + 1..]
                    }
                    _ => return Err(format!("`{term}` has a malformed macro")),
                },
                _ => return Err(format!("`{term}` has a `%` that starts no macro")),
            }
        }
        return Ok(());
    }
    let d = d.strip_suffix('.').unwrap_or(d);
    let labels: Vec<&str> = d.split('.').collect();
    if labels.len() < 2 || d.len() > 253 || labels.iter().any(|l| l.is_empty() || l.len() > 63) {
        return Err(format!("`{term}`: `{d}` is not a domain name"));
    }
    Ok(())
}

/// A DMARC policy (RFC 7489 section 6.3, `p`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Policy {
    /// Monitor only.
    None,
    /// Treat failing mail as suspicious.
    Quarantine,
    /// Reject failing mail.
    Reject,
}

impl Policy {
    /// What the policy does to all failing mail when it applies to `pct`
    /// percent of it: the rest is treated one step more leniently (RFC
    /// 7489 section 6.6.4), so only 100 keeps the policy whole.
    pub fn enforced(self, pct: u8) -> Policy {
        match (self, pct >= 100) {
            (policy, true) => policy,
            (Policy::Reject, false) => Policy::Quarantine,
            (Policy::Quarantine | Policy::None, false) => Policy::None,
        }
    }

    /// As written in the record.
    pub fn as_str(self) -> &'static str {
        match self {
            Policy::None => "none",
            Policy::Quarantine => "quarantine",
            Policy::Reject => "reject",
        }
    }
}

/// What a DMARC record says, as far as the collector reads it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Dmarc {
    /// `p`.
    pub policy: Policy,
    /// `pct`, 0 to 100; 100 when absent.
    pub pct: u8,
}

/// The first tag of a record, spaces around `=` removed.
fn first_tag(text: &str) -> String {
    let first = text.split(';').next().unwrap_or("");
    first.chars().filter(|c| !matches!(c, ' ' | '\t')).collect()
}

/// Whether a TXT record is a DMARC record: its first tag is `v=DMARC1`
/// (RFC 7489 section 6.4; records that are not are discarded, 6.6.3).
pub fn is_dmarc(text: &str) -> bool {
    let tag = first_tag(text);
    tag.len() == 8 && tag[..2].eq_ignore_ascii_case("v=") && &tag[2..] == "DMARC1"
}

/// Reads a DMARC record; an error says why a receiver would not apply it.
pub fn parse_dmarc(text: &str) -> Result<Dmarc, String> {
    if !is_dmarc(text) {
        return Err("its first tag is not v=DMARC1".into());
    }
    let mut policy = None;
    let mut pct = None;
    let mut seen = std::collections::BTreeSet::new();
    for tag in text.split(';').skip(1) {
        let tag = tag.trim_matches([' ', '\t']);
        if tag.is_empty() {
            continue;
        }
        let Some((name, value)) = tag.split_once('=') else {
            return Err(format!("`{tag}` is not name=value"));
        };
        let (name, value) = (name.trim().to_ascii_lowercase(), value.trim());
        if !seen.insert(name.clone()) {
            return Err(format!("the tag {name} appears twice"));
        }
        match name.as_str() {
            "p" => {
                policy = Some(match value.to_ascii_lowercase().as_str() {
                    "none" => Policy::None,
                    "quarantine" => Policy::Quarantine,
                    "reject" => Policy::Reject,
                    _ => {
                        return Err(format!("p={value} is not none, quarantine or reject"));
                    }
                })
            }
            "pct" => {
                let n = (!value.is_empty()
                    && value.len() <= 3
                    && value.bytes().all(|b| b.is_ascii_digit()))
                .then(|| value.parse::<u8>().ok())
                .flatten()
                .filter(|n| *n <= 100)
                .ok_or_else(|| format!("pct={value} is not a whole number from 0 to 100"))?;
                pct = Some(n);
            }
            // Other tags (rua, sp, adkim...) do not change what is read;
            // unknown ones are ignored (section 6.3).
            _ => {}
        }
    }
    let policy = policy.ok_or("there is no p tag, which RFC 7489 section 6.3 requires")?;
    Ok(Dmarc {
        policy,
        pct: pct.unwrap_or(100),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spf_qualifiers_and_lookups() {
        let s =
            parse_spf("v=spf1 ip4:192.0.2.0/24 include:_spf.mail.example a mx/24 -all").unwrap();
        assert_eq!(s.all, Some(Qualifier::Fail));
        assert_eq!(s.includes, ["_spf.mail.example"]);
        assert_eq!(s.lookups(), 3);
        assert_eq!(
            parse_spf("v=spf1 ~all").unwrap().all,
            Some(Qualifier::SoftFail)
        );
        assert_eq!(
            parse_spf("V=SPF1 ?ALL").unwrap().all,
            Some(Qualifier::Neutral)
        );
        assert_eq!(parse_spf("v=spf1 +all").unwrap().all, Some(Qualifier::Pass));
        assert_eq!(parse_spf("v=spf1 all").unwrap().all, Some(Qualifier::Pass));
        let r = parse_spf("v=spf1 redirect=_spf.vendor.example").unwrap();
        assert_eq!((r.all, r.lookups()), (None, 1));
        // redirect is unused when there is an all term (section 6.1)
        assert_eq!(
            parse_spf("v=spf1 -all redirect=x.example")
                .unwrap()
                .lookups(),
            0
        );
        assert_eq!(
            parse_spf("v=spf1 exists:%{i}._spf.example -all")
                .unwrap()
                .macros
                .len(),
            1
        );
        assert_eq!(
            parse_spf("v=spf1 a:mail.example/24//64 ptr -all")
                .unwrap()
                .lookups(),
            2
        );
    }

    #[test]
    fn malformed_spf_is_an_error_with_a_reason() {
        for (bad, says) in [
            ("v=spf1 ip4:300.1.1.1 -all", "not an IPv4"),
            ("v=spf1 ip4:192.0.2.0/33 -all", "prefix length"),
            ("v=spf1 ip6:zz::1 -all", "not an IPv6"),
            ("v=spf1 include -all", "needs :domain"),
            ("v=spf1 include:localhost -all", "not a domain"),
            ("v=spf1 foo:bar.example -all", "not a mechanism"),
            ("v=spf1 redirect=a.example redirect=b.example", "twice"),
            ("v=spf1 exists:%{z}.example", "macro"),
            ("v=spf1 all:x", "no argument"),
            ("v=spf10 -all", "v=spf1"),
        ] {
            let e = parse_spf(bad).unwrap_err();
            assert!(e.contains(says), "{bad}: {e}");
        }
        assert!(!is_spf("v=spf10"));
        assert!(is_spf("v=spf1"));
    }

    #[test]
    fn dmarc_policy_and_pct() {
        assert_eq!(
            parse_dmarc("v=DMARC1; p=reject; rua=mailto:d@vendor.example").unwrap(),
            Dmarc {
                policy: Policy::Reject,
                pct: 100
            }
        );
        assert_eq!(
            parse_dmarc("v = DMARC1;p=Quarantine;pct=25;").unwrap(),
            Dmarc {
                policy: Policy::Quarantine,
                pct: 25
            }
        );
        assert_eq!(
            parse_dmarc("v=DMARC1; p=none").unwrap().policy,
            Policy::None
        );
        for (bad, says) in [
            ("v=DMARC1; rua=mailto:d@vendor.example", "no p tag"),
            ("v=DMARC1; p=block", "not none"),
            ("v=DMARC1; p=reject; pct=150", "0 to 100"),
            ("v=DMARC1; p=reject; pct=-1", "0 to 100"),
            ("v=DMARC1; p=reject; p=none", "twice"),
            ("v=DMARC1; p", "name=value"),
        ] {
            let e = parse_dmarc(bad).unwrap_err();
            assert!(e.contains(says), "{bad}: {e}");
        }
        assert!(!is_dmarc("v=dmarc1; p=reject"));
        assert!(!is_dmarc("p=reject; v=DMARC1"));
    }

    #[test]
    fn a_policy_on_part_of_the_mail_is_enforced_one_step_lower() {
        assert_eq!(Policy::Reject.enforced(100), Policy::Reject);
        assert_eq!(Policy::Reject.enforced(50), Policy::Quarantine);
        assert_eq!(Policy::Quarantine.enforced(100), Policy::Quarantine);
        assert_eq!(Policy::Quarantine.enforced(10), Policy::None);
        assert_eq!(Policy::None.enforced(0), Policy::None);
    }
}
