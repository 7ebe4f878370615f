//! TLS evidence and the website's security headers, read from the
//! connection `collect` already makes to the vendor's website: no second
//! connection, so the SSRF guard, the pinned names, the proxy and the
//! time-outs of [`super::fetch`] apply unchanged.
//!
//! reqwest does not say which protocol version a connection negotiated, nor
//! show the certificate of a connection that failed. So the fetcher's
//! rustls configuration verifies certificates through [`Recording`], a
//! wrapper around the verifier it always used: every decision is the inner
//! verifier's, and the wrapper only notes, per server name, the end-entity
//! certificate that verified and whether rustls then asked for a TLS 1.2 or
//! a TLS 1.3 handshake signature from it (the one place rustls shows the
//! version to a verifier). Session resumption is off in that configuration,
//! so every connection is verified and noted.
//!
//! A certificate that verified is noted only once rustls has also checked
//! the handshake signature made with its key: until then, it is only what
//! the other end presented, and anyone on the path can present a copy of a
//! vendor's certificate (they are public, in the CT logs).
//!
//! An expired certificate fails verification before any signature, and
//! the fetch fails with rustls' reason. It is noted for that failure's
//! words only (its expiry, and whether a trusted CA issued it for this
//! name, verified as of its last valid second), never as a fact: nothing
//! proved that the server holds its key, so a machine in the middle could
//! have presented the vendor's old certificate to make it look neglected.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{CertificateError, DigitallySignedStruct, DistinguishedName, SignatureScheme};
use serde_json::json;
use url::{Host, Url};

use super::collect::{Collector, Job};
use super::fetch::{FetchError, Response};
use crate::date::Date;
use crate::manifest::{Collected, Fact, Failure};

/// The longest untrusted text (an issuer's name, a header's value) a fact
/// keeps, in characters; longer text is cut and says how long it was.
pub const MAX_TEXT: usize = 200;

/// The most bytes of one header value read, and the most values of one
/// header: enough for any real policy, and bounded whatever a server sends.
const MAX_HEADER: usize = 8 * 1024;
const MAX_VALUES: usize = 8;

/// A negotiated protocol version.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Version {
    /// TLS 1.2 (RFC 5246).
    Tls12,
    /// TLS 1.3 (RFC 8446).
    Tls13,
}

impl Version {
    /// The value of the `tls.version` fact.
    pub fn as_str(self) -> &'static str {
        match self {
            Version::Tls12 => "TLS 1.2",
            Version::Tls13 => "TLS 1.3",
        }
    }
}

/// What the last handshake with a server name showed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Handshake {
    /// The certificate's notBefore, in seconds since 1970 (UTC).
    pub not_before: u64,
    /// The certificate's notAfter, in seconds since 1970 (UTC).
    pub not_after: u64,
    /// The certificate's issuer (RFC 4514), cut to [`MAX_TEXT`].
    pub issuer: String,
    /// The version whose handshake signature was checked; none when the
    /// handshake stopped before (an expired certificate).
    pub version: Option<Version>,
    /// Whether the certificate verified. When not, it had expired and
    /// verified as of its last valid second (see the module's notes).
    pub verified: bool,
}

/// The handshakes a fetcher saw, by server name (lower case; an IP address
/// as written without brackets). Shared by the fetcher's clones.
#[derive(Debug, Default)]
pub struct Handshakes {
    seen: Mutex<BTreeMap<String, (Vec<u8>, Handshake)>>,
    /// Verified certificates whose handshake signature is still to come.
    pending: Mutex<BTreeMap<String, (Vec<u8>, Handshake)>>,
}

impl Handshakes {
    /// The last handshake with `host` (a URL's host, or a server name).
    pub fn get(&self, host: &str) -> Option<Handshake> {
        let key = host.trim_start_matches('[').trim_end_matches(']');
        let seen = self.seen.lock().unwrap_or_else(|e| e.into_inner());
        seen.get(&key.to_ascii_lowercase()).map(|(_, h)| h.clone())
    }

    /// Notes a certificate: an expired one at once (for a failure's words,
    /// never a fact), a verified one once its key has signed the handshake
    /// ([`Handshakes::negotiated`]).
    fn record(&self, name: String, der: Vec<u8>, handshake: Handshake) {
        let noted = if handshake.verified {
            &self.pending
        } else {
            &self.seen
        };
        let mut noted = noted.lock().unwrap_or_else(|e| e.into_inner());
        noted.insert(name, (der, handshake));
    }

    /// rustls checked a handshake signature made with `der`'s key: the
    /// server holds it, and the connection negotiated `version`.
    fn negotiated(&self, der: &[u8], version: Version) {
        let mut pending = self.pending.lock().unwrap_or_else(|e| e.into_inner());
        let names: Vec<String> = pending
            .iter()
            .filter(|(_, (cert, _))| cert.as_slice() == der)
            .map(|(name, _)| name.clone())
            .collect();
        let mut seen = self.seen.lock().unwrap_or_else(|e| e.into_inner());
        for name in names {
            if let Some((cert, mut handshake)) = pending.remove(&name) {
                handshake.version = Some(version);
                seen.insert(name, (cert, handshake));
            }
        }
    }
}

/// A certificate verifier that decides nothing itself: see the module.
#[derive(Debug)]
pub struct Recording {
    inner: Arc<dyn ServerCertVerifier>,
    seen: Arc<Handshakes>,
}

impl Recording {
    /// Wraps `inner`, noting into `seen`.
    pub fn new(inner: Arc<dyn ServerCertVerifier>, seen: Arc<Handshakes>) -> Recording {
        Recording { inner, seen }
    }
}

impl ServerCertVerifier for Recording {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        let outcome = self.inner.verify_server_cert(
            end_entity,
            intermediates,
            server_name,
            ocsp_response,
            now,
        );
        let verified = outcome.is_ok();
        let expired = matches!(
            &outcome,
            Err(rustls::Error::InvalidCertificate(
                CertificateError::Expired | CertificateError::ExpiredContext { .. }
            ))
        );
        if (verified || expired)
            && let Some(cert) = read_certificate(end_entity)
        {
            // webpki checks dates before the chain, so "expired" alone says
            // nothing of who issued the certificate: verify it again as of
            // its last valid second, when only the date can differ.
            let trusted = verified || {
                let then = UnixTime::since_unix_epoch(Duration::from_secs(cert.not_after));
                self.inner
                    .verify_server_cert(end_entity, intermediates, server_name, ocsp_response, then)
                    .is_ok()
            };
            if trusted {
                let handshake = Handshake {
                    not_before: cert.not_before,
                    not_after: cert.not_after,
                    issuer: cert.issuer,
                    version: None,
                    verified,
                };
                let name = server_name.to_str().to_ascii_lowercase();
                self.seen.record(name, end_entity.to_vec(), handshake);
            }
        }
        outcome
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        let valid = self.inner.verify_tls12_signature(message, cert, dss)?;
        self.seen.negotiated(cert, Version::Tls12);
        Ok(valid)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        let valid = self.inner.verify_tls13_signature(message, cert, dss)?;
        self.seen.negotiated(cert, Version::Tls13);
        Ok(valid)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.inner.supported_verify_schemes()
    }

    fn requires_raw_public_keys(&self) -> bool {
        self.inner.requires_raw_public_keys()
    }

    fn root_hint_subjects(&self) -> Option<&[DistinguishedName]> {
        self.inner.root_hint_subjects()
    }
}

/// What is read from a certificate.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Certificate {
    /// notBefore, in seconds since 1970.
    pub not_before: u64,
    /// notAfter, in seconds since 1970.
    pub not_after: u64,
    /// The issuer (RFC 4514), cut to [`MAX_TEXT`].
    pub issuer: String,
}

/// notAfter and the issuer of a DER certificate, or None if it cannot be
/// read (rustls has then refused it already).
pub fn read_certificate(der: &[u8]) -> Option<Certificate> {
    use x509_cert::der::Decode;
    let cert = x509_cert::Certificate::from_der(der).ok()?;
    let tbs = &cert.tbs_certificate;
    Some(Certificate {
        not_before: tbs.validity.not_before.to_unix_duration().as_secs(),
        not_after: tbs.validity.not_after.to_unix_duration().as_secs(),
        issuer: bounded(&tbs.issuer.to_string()),
    })
}

/// `text` cut to [`MAX_TEXT`] characters, saying how long it was.
pub fn bounded(text: &str) -> String {
    let n = text.chars().count();
    if n <= MAX_TEXT {
        return text.to_string();
    }
    let head: String = text.chars().take(MAX_TEXT).collect();
    format!("{head}… ({n} characters)")
}

/// A UTC instant as (date, `YYYY-MM-DDTHH:MM:SSZ`).
fn instant(secs: u64) -> Option<(Date, String)> {
    let t = time::OffsetDateTime::from_unix_timestamp(i64::try_from(secs).ok()?).ok()?;
    let date = Date::from_ymd(t.year(), t.month() as u8, t.day())?;
    let stamp = format!(
        "{date}T{:02}:{:02}:{:02}Z",
        t.hour(),
        t.minute(),
        t.second()
    );
    Some((date, stamp))
}

/// The security headers of a response, as sent: each header's values
/// (several lines of one header are several values), each cut to 8 KiB, at
/// most eight of each.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SecurityHeaders {
    /// `Content-Security-Policy`.
    pub csp: Vec<String>,
    /// `X-Frame-Options`.
    pub frame_options: Vec<String>,
    /// `X-Content-Type-Options`.
    pub content_type_options: Vec<String>,
    /// `Referrer-Policy`.
    pub referrer_policy: Vec<String>,
}

impl SecurityHeaders {
    /// Reads them from a header map.
    pub fn read(headers: &reqwest::header::HeaderMap) -> SecurityHeaders {
        let values = |name: &str| -> Vec<String> {
            headers
                .get_all(name)
                .iter()
                .take(MAX_VALUES)
                .map(|v| {
                    let bytes = v.as_bytes();
                    let cut = &bytes[..bytes.len().min(MAX_HEADER)];
                    String::from_utf8_lossy(cut).into_owned()
                })
                .collect()
        };
        SecurityHeaders {
            csp: values("content-security-policy"),
            frame_options: values("x-frame-options"),
            content_type_options: values("x-content-type-options"),
            referrer_policy: values("referrer-policy"),
        }
    }

    /// Whether an enforced Content-Security-Policy limits where scripts
    /// come from (`default-src` or `script-src`). One that only says
    /// `frame-ancestors` is frame protection, counted as that: counting it
    /// as a CSP too would score one header twice.
    pub fn has_csp(&self) -> bool {
        self.csp.iter().any(|policy| {
            policy.split(';').any(|directive| {
                let name = directive.split_ascii_whitespace().next().unwrap_or("");
                name.eq_ignore_ascii_case("default-src") || name.eq_ignore_ascii_case("script-src")
            })
        })
    }

    /// How framing by other sites is limited: `frame-ancestors` (CSP, which
    /// browsers obey over X-Frame-Options), `x-frame-options` (`DENY` or
    /// `SAMEORIGIN`), or `none`.
    pub fn frame_protection(&self) -> &'static str {
        if self.csp.iter().any(|p| frame_ancestors_limit(p)) {
            return "frame-ancestors";
        }
        // Several values (lines or a list) must agree, as the HTML standard
        // says; `ALLOW-FROM` is obsolete and ignored by browsers.
        let options: Vec<String> = self
            .frame_options
            .iter()
            .flat_map(|v| v.split(','))
            .map(|v| v.trim().to_ascii_lowercase())
            .collect();
        let first = options.first().map(String::as_str);
        if matches!(first, Some("deny" | "sameorigin"))
            && options.iter().all(|o| Some(o.as_str()) == first)
        {
            return "x-frame-options";
        }
        "none"
    }

    /// Whether `X-Content-Type-Options: nosniff` was sent.
    pub fn nosniff(&self) -> bool {
        self.content_type_options.first().is_some_and(|v| {
            v.split(',')
                .next()
                .unwrap_or("")
                .trim()
                .eq_ignore_ascii_case("nosniff")
        })
    }

    /// The Referrer-Policy a browser applies from the header: the last
    /// token it knows (the W3C Referrer Policy's rule, so a site can list a
    /// fallback first), `not-sent` without the header, `unrecognised` when
    /// no token is known (the browser's default then applies).
    pub fn referrer_policy(&self) -> &'static str {
        if self.referrer_policy.iter().all(|v| v.trim().is_empty()) {
            return "not-sent";
        }
        self.referrer_policy
            .iter()
            .flat_map(|v| v.split(','))
            .filter_map(|t| {
                let t = t.trim().to_ascii_lowercase();
                REFERRER_POLICIES.iter().find(|p| **p == t).copied()
            })
            .next_back()
            .unwrap_or("unrecognised")
    }
}

/// The Referrer-Policy tokens (W3C Referrer Policy, section 3).
const REFERRER_POLICIES: [&str; 8] = [
    "no-referrer",
    "no-referrer-when-downgrade",
    "same-origin",
    "origin",
    "strict-origin",
    "origin-when-cross-origin",
    "strict-origin-when-cross-origin",
    "unsafe-url",
];

/// Policies that send other sites no full URL (path and query stay home).
const REFERRER_TIGHT: [&str; 6] = [
    "no-referrer",
    "same-origin",
    "origin",
    "strict-origin",
    "origin-when-cross-origin",
    "strict-origin-when-cross-origin",
];

/// Whether a CSP header (one or more policies, comma-separated) has a
/// `frame-ancestors` directive that limits who may frame the page: not
/// one allowing any site (`*`, or a bare `https:` or `http:`).
fn frame_ancestors_limit(header: &str) -> bool {
    header
        .split(',')
        .flat_map(|p| p.split(';'))
        .any(|directive| {
            let mut words = directive.split_ascii_whitespace();
            let is_it = words
                .next()
                .is_some_and(|n| n.eq_ignore_ascii_case("frame-ancestors"));
            is_it
                && words
                    .all(|s| !matches!(s.to_ascii_lowercase().as_str(), "*" | "https:" | "http:"))
        })
}

/// The host a URL's handshake is noted under.
fn host_of(url: &str) -> Option<String> {
    let url = Url::parse(url).ok()?;
    Some(match url.host()? {
        Host::Domain(d) => d.to_ascii_lowercase(),
        Host::Ipv4(ip) => ip.to_string(),
        Host::Ipv6(ip) => ip.to_string(),
    })
}

/// Adds the `tls.*` and `headers.*` facts of the website's fetch to `out`:
/// the certificate and version from `handshakes` (None: the fetcher does
/// not observe TLS, and no TLS fact or failure is added), the headers from
/// the response.
/// A website that could not be fetched gives no header fact, and a TLS fact
/// only from a certificate noted as the module says.
pub fn add(
    out: &mut Collected,
    results: &[(Job, Result<Response, FetchError>)],
    handshakes: Option<&Handshakes>,
    as_of: Date,
    observed: &str,
) {
    let Some((job, result)) = results
        .iter()
        .find(|(job, _)| job.collector == Collector::Website)
    else {
        return;
    };
    let failure = |collector: Collector, url: &str, reason: String| Failure {
        collector: collector.as_str().into(),
        url: url.into(),
        reason,
        observed: observed.into(),
    };
    let url = match result {
        Ok(r) => r.final_url.as_str(),
        Err(_) => job.url.as_str(),
    };
    let mut facts = Vec::new();
    if let Some(handshakes) = handshakes {
        let host = host_of(url).unwrap_or_default();
        match handshakes.get(&host) {
            Some(h) if h.verified => facts.extend(tls_facts(&h, &host, as_of)),
            // No fact: an expired certificate is refused before the server
            // proves it holds the key, so it may not be the vendor's doing.
            Some(h) => {
                let stamp = instant(h.not_after).map_or_else(String::new, |(_, s)| s);
                out.failures.push(failure(
                    Collector::Tls,
                    url,
                    format!("the certificate {host} presented expired at {stamp}, so it fails verification and the connection was refused; a trusted CA issued it for this name (it verifies as of its last valid second), but nothing proved the server holds its key, so it is not recorded as a fact: check the site, and answer web.certificate yourself"),
                ));
            }
            None => {
                let why = match result {
                    Err(e) => format!("the website could not be fetched: {e}"),
                    Ok(_) => "no handshake with it was noted".into(),
                };
                out.failures.push(failure(
                    Collector::Tls,
                    url,
                    format!("no verified certificate was read from {host}: {why}"),
                ));
            }
        }
    }
    if let Ok(response) = result {
        if (200..300).contains(&response.status) {
            facts.extend(header_facts(&response.security));
        } else {
            out.failures.push(failure(
                Collector::Headers,
                url,
                format!(
                    "HTTP {}: the headers of a page that is not the site's own say nothing about the site's",
                    response.status
                ),
            ));
        }
    }
    for (name, value, detail) in facts {
        let (url, observed) = (url.to_string(), observed.to_string());
        let fact = Fact {
            value,
            url,
            observed,
            detail,
        };
        out.facts.insert(name.to_string(), fact);
    }
}

/// A fact's name, value and detail.
type Found = (&'static str, serde_json::Value, Option<String>);

/// The share of the certificate's lifetime left on `as_of`, in percent
/// (0 to 100). Days left alone misjudge renewal: a 90-day certificate is
/// renewed with about 30 days left, a 6-day one with 2, and lifetimes are
/// shrinking (47 days at most from 2029, CA/Browser Forum ballot SC-081).
/// Renewal done at about a third of the lifetime, as ACME clients do,
/// never leaves less than a tenth.
fn lifetime_left(h: &Handshake, as_of: Date) -> Option<u64> {
    let lifetime = h.not_after.checked_sub(h.not_before).filter(|l| *l > 0)?;
    let (start, _) = instant(0)?;
    let now = u64::try_from(start.days_until(as_of)).ok()? * 86_400;
    let left = h.not_after.saturating_sub(now).min(lifetime);
    Some(left * 100 / lifetime)
}

fn tls_facts(h: &Handshake, host: &str, as_of: Date) -> Vec<Found> {
    let mut facts = Vec::new();
    if let Some((date, stamp)) = instant(h.not_after) {
        let valid = format!("the certificate of {host} is valid until {stamp}");
        facts.push(("tls.not-after", json!(date.to_string()), Some(valid)));
        let counted = format!("from {as_of} to {date}");
        let left = as_of.days_until(date);
        facts.push(("tls.days-left", json!(left), Some(counted)));
        if let Some(share) = lifetime_left(h, as_of) {
            let lifetime = h.not_after.saturating_sub(h.not_before) / 86_400;
            let of = format!("{left} of the certificate's {lifetime} days");
            facts.push(("tls.lifetime-left", json!(share), Some(of)));
        }
    }
    facts.push(("tls.issuer", json!(h.issuer), None));
    if let Some(v) = h.version {
        facts.push(("tls.version", json!(v.as_str()), None));
    }
    facts
}

fn header_facts(h: &SecurityHeaders) -> Vec<Found> {
    let shown = |name: &str, values: &[String]| match values.first() {
        Some(v) => format!("{name}: {}", bounded(v)),
        None => format!("no {name} header"),
    };
    let csp = h.has_csp();
    let frame = h.frame_protection();
    let framing = match frame {
        "frame-ancestors" => shown("Content-Security-Policy", &h.csp),
        _ => shown("X-Frame-Options", &h.frame_options),
    };
    let nosniff = h.nosniff();
    let referrer = h.referrer_policy();
    let tight = REFERRER_TIGHT.contains(&referrer);
    let count = [csp, frame != "none", nosniff, tight]
        .iter()
        .filter(|b| **b)
        .count();
    vec![
        ("headers.csp", json!(csp), Some(shown("Content-Security-Policy", &h.csp))),
        ("headers.frame-protection", json!(frame), Some(framing)),
        (
            "headers.nosniff",
            json!(nosniff),
            Some(shown("X-Content-Type-Options", &h.content_type_options)),
        ),
        (
            "headers.referrer-policy",
            json!(referrer),
            Some(shown("Referrer-Policy", &h.referrer_policy)),
        ),
        (
            "headers.count",
            json!(count),
            Some("of four: an enforced CSP, frame protection, nosniff, a Referrer-Policy that sends other sites no full URL".into()),
        ),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn handshake(verified: bool) -> Handshake {
        Handshake {
            not_before: 1_800_000_000,
            not_after: 1_900_000_000,
            issuer: "CN=Test CA".into(),
            version: None,
            verified,
        }
    }

    /// A verified certificate is a fact only once its key has signed the
    /// handshake: presenting a copy of the vendor's certificate proves
    /// nothing, and a handshake that stops there notes nothing.
    #[test]
    fn a_certificate_is_noted_only_once_its_key_signed_the_handshake() {
        let seen = Handshakes::default();
        seen.record("vendor.example".into(), b"cert".to_vec(), handshake(true));
        assert_eq!(seen.get("vendor.example"), None);
        seen.negotiated(b"other", Version::Tls13);
        assert_eq!(seen.get("vendor.example"), None);
        seen.negotiated(b"cert", Version::Tls12);
        let noted = seen
            .get("VENDOR.example")
            .expect("noted after the signature");
        assert_eq!(noted.version, Some(Version::Tls12));
        // An expired one is noted for the failure's words, unverified.
        seen.record("old.example".into(), b"old".to_vec(), handshake(false));
        assert_eq!(seen.get("old.example").map(|h| h.verified), Some(false));
    }

    fn headers(pairs: &[(&str, &str)]) -> SecurityHeaders {
        let mut map = reqwest::header::HeaderMap::new();
        for (k, v) in pairs {
            map.append(
                reqwest::header::HeaderName::from_bytes(k.as_bytes()).unwrap(),
                reqwest::header::HeaderValue::from_str(v).unwrap(),
            );
        }
        SecurityHeaders::read(&map)
    }

    #[test]
    fn frame_protection_follows_the_browsers() {
        let f = |pairs: &[(&str, &str)]| headers(pairs).frame_protection();
        assert_eq!(f(&[]), "none");
        assert_eq!(
            f(&[(
                "content-security-policy",
                "default-src 'self'; Frame-Ancestors 'none'"
            )]),
            "frame-ancestors"
        );
        assert_eq!(
            f(&[("content-security-policy", "frame-ancestors")]),
            "frame-ancestors",
            "an empty list is 'none'"
        );
        assert_eq!(
            f(&[("content-security-policy", "frame-ancestors *")]),
            "none"
        );
        assert_eq!(
            f(&[("content-security-policy", "frame-ancestors https:")]),
            "none"
        );
        assert_eq!(
            f(&[("content-security-policy", "default-src 'self'")]),
            "none"
        );
        assert_eq!(f(&[("x-frame-options", "DENY")]), "x-frame-options");
        assert_eq!(f(&[("x-frame-options", " sameorigin ")]), "x-frame-options");
        assert_eq!(
            f(&[("x-frame-options", "ALLOW-FROM https://a.example")]),
            "none"
        );
        assert_eq!(
            f(&[
                ("x-frame-options", "DENY"),
                ("x-frame-options", "SAMEORIGIN")
            ]),
            "none"
        );
        assert_eq!(
            f(&[
                ("content-security-policy", "frame-ancestors *"),
                ("x-frame-options", "deny")
            ]),
            "x-frame-options"
        );
    }

    #[test]
    fn referrer_policy_is_the_last_known_token() {
        let r = |v: &str| headers(&[("referrer-policy", v)]).referrer_policy();
        assert_eq!(headers(&[]).referrer_policy(), "not-sent");
        assert_eq!(r("no-referrer"), "no-referrer");
        assert_eq!(
            r("no-referrer, Strict-Origin-When-Cross-Origin"),
            "strict-origin-when-cross-origin"
        );
        assert_eq!(r("unsafe-url, made-up"), "unsafe-url");
        assert_eq!(r("made-up"), "unrecognised");
    }

    #[test]
    fn nosniff_and_csp() {
        assert!(headers(&[("x-content-type-options", "NoSniff")]).nosniff());
        assert!(!headers(&[("x-content-type-options", "sniff")]).nosniff());
        assert!(!headers(&[]).nosniff());
        assert!(headers(&[("content-security-policy", "default-src 'self'")]).has_csp());
        assert!(!headers(&[("content-security-policy", " ")]).has_csp());
        assert!(
            headers(&[(
                "content-security-policy",
                "frame-ancestors 'none'; Script-Src 'self'"
            )])
            .has_csp()
        );
        // Frame protection alone is counted once, as frame protection.
        let framing = headers(&[("content-security-policy", "frame-ancestors 'self'")]);
        assert!(!framing.has_csp());
        assert_eq!(framing.frame_protection(), "frame-ancestors");
    }

    #[test]
    fn long_text_is_cut_and_says_so() {
        let long = "x".repeat(5000);
        let cut = bounded(&long);
        assert!(cut.starts_with(&"x".repeat(MAX_TEXT)));
        assert!(cut.ends_with("(5000 characters)"), "{cut}");
        assert!(cut.chars().count() < MAX_TEXT + 30);
        assert_eq!(bounded("short"), "short");
        let h = headers(&[("content-security-policy", &"a".repeat(20_000))]);
        assert_eq!(h.csp[0].len(), MAX_HEADER);
    }

    #[test]
    fn instants_are_utc() {
        assert_eq!(
            instant(1_798_761_599),
            Some((
                Date::from_ymd(2026, 12, 31).unwrap(),
                "2026-12-31T23:59:59Z".into()
            ))
        );
    }

    /// Renewal is judged against the certificate's own lifetime: 9 days
    /// left is late for a 90-day certificate, 2 days on time for a 6-day one.
    #[test]
    fn lifetime_left_is_a_share_of_the_certificate_s_own() {
        let as_of = Date::from_ymd(2026, 11, 30).unwrap();
        let day = 86_400;
        let (start, _) = instant(0).unwrap();
        let midnight = u64::try_from(start.days_until(as_of)).unwrap() * day;
        let cert = |before: u64, after: u64| Handshake {
            not_before: midnight - before * day,
            not_after: midnight + after * day,
            ..handshake(true)
        };
        assert_eq!(lifetime_left(&cert(81, 9), as_of), Some(10));
        assert_eq!(lifetime_left(&cert(82, 8), as_of), Some(8));
        assert_eq!(lifetime_left(&cert(4, 2), as_of), Some(33));
        assert_eq!(lifetime_left(&cert(60, 30), as_of), Some(33));
        // Not yet valid counts as whole; a zero lifetime as nothing known.
        assert_eq!(lifetime_left(&cert(0, 90), as_of), Some(100));
        assert_eq!(lifetime_left(&cert(0, 0), as_of), None);
    }

    #[test]
    fn hosts_are_keyed_as_rustls_names_them() {
        assert_eq!(
            host_of("https://Vendor.Test:8443/x").as_deref(),
            Some("vendor.test")
        );
        assert_eq!(host_of("https://[::1]:8443/").as_deref(), Some("::1"));
        let seen = Handshakes::default();
        let h = Handshake {
            not_before: 0,
            not_after: 0,
            issuer: String::new(),
            version: None,
            verified: true,
        };
        seen.record("::1".into(), vec![1, 2], h.clone());
        seen.negotiated(&[1, 2], Version::Tls13);
        assert_eq!(seen.get("[::1]").unwrap().version, Some(Version::Tls13));
        seen.negotiated(&[9], Version::Tls12);
        assert_eq!(seen.get("::1").unwrap().version, Some(Version::Tls13));
    }
}
