//! The HTTP layer of `vetted collect`, written for servers that may be
//! hostile: HTTPS only (redirects too), bounded redirects, time-outs, a body
//! cap enforced while streaming, no decompression, no proxy from the
//! environment, and an SSRF guard that refuses internal addresses after DNS
//! resolution, on IP-literal URLs and on every redirect.
//!
//! Everything else in `vetted` is offline: collectors take any [`Fetcher`],
//! and tests give them a real server on loopback.

use std::future::Future;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::Arc;
use std::time::{Duration, Instant};

use url::{Host, Url};

/// The user agent: `vetted/VERSION`, so vendors can see who is asking.
pub const USER_AGENT: &str = concat!("vetted/", env!("CARGO_PKG_VERSION"));

/// How the HTTP layer behaves. [`Options::default`] is what `vetted collect`
/// uses unless told otherwise.
#[derive(Clone, Debug)]
pub struct Options {
    /// Time to establish a connection (TCP and TLS).
    pub connect_timeout: Duration,
    /// Longest wait for the next bytes of a response.
    pub read_timeout: Duration,
    /// Longest a whole request may take, redirects and body included.
    pub total_timeout: Duration,
    /// Bodies larger than this are refused, counted while streaming.
    pub max_body: usize,
    /// Redirects followed before giving up.
    pub max_redirects: usize,
    /// Lift the SSRF guard (intranet vendors, tests on loopback).
    pub allow_private_network: bool,
    /// The only proxy used; the environment's proxy settings never are.
    pub proxy: Option<Url>,
    /// Extra trusted roots as (where they came from, PEM): a company CA, a
    /// test CA, on top of the bundled Mozilla roots.
    pub extra_roots_pem: Vec<(String, Vec<u8>)>,
    /// Names pinned to addresses, like curl's `--resolve` but for every
    /// port (reqwest's overrides know no ports; the URL's port is used).
    /// The person running `vetted` chose these, so the guard does not apply
    /// to them; redirects elsewhere are still checked.
    pub pinned: Vec<(String, SocketAddr)>,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            connect_timeout: Duration::from_secs(5),
            read_timeout: Duration::from_secs(10),
            total_timeout: Duration::from_secs(15),
            max_body: 1024 * 1024,
            max_redirects: 5,
            allow_private_network: false,
            proxy: None,
            extra_roots_pem: Vec::new(),
            pinned: Vec::new(),
        }
    }
}

/// What a server answered.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Response {
    /// Where the last redirect led.
    pub final_url: String,
    /// HTTP status.
    pub status: u16,
    /// `Content-Type`, if sent.
    pub content_type: Option<String>,
    /// `Strict-Transport-Security`, if sent.
    pub hsts: Option<String>,
    /// The body (empty when it was not asked for).
    pub body: Vec<u8>,
}

/// Why a fetch failed. Each message says what happened in words a reviewer
/// can record.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum FetchError {
    /// Not an https URL, at the start or after a redirect.
    #[error("refused {0}: only https URLs are fetched")]
    NotHttps(String),
    /// The SSRF guard refused an address.
    #[error(
        "refused {host}: it is {addr}, a {kind} address (use --allow-private-network for an intranet vendor)"
    )]
    Private {
        /// The name or literal in the URL.
        host: String,
        /// The address it stands for.
        addr: IpAddr,
        /// Which kind of internal address.
        kind: &'static str,
    },
    /// Too many redirects.
    #[error("more than {0} redirects")]
    TooManyRedirects(usize),
    /// A time-out hit: which one, and its limit in seconds.
    #[error("timed out: {0} {1} s")]
    Timeout(TimeLimit, u64),
    /// The body passed the cap.
    #[error("the body is larger than the {0}-byte cap")]
    TooLarge(usize),
    /// Anything else: DNS, connection, TLS, a malformed response.
    #[error("{0}")]
    Failed(String),
}

/// Which time-out stopped a fetch.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TimeLimit {
    /// No connection in time.
    Connect,
    /// No data for too long between reads.
    Read,
    /// The whole request took too long.
    Total,
}

impl std::fmt::Display for TimeLimit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            TimeLimit::Connect => "no connection within",
            TimeLimit::Read => "no data for",
            TimeLimit::Total => "not done within",
        })
    }
}

/// Fetches URLs. The real one is [`HttpFetcher`]; tests of collectors may
/// use any other.
pub trait Fetcher: Clone + Send + Sync + 'static {
    /// GETs `url`; reads the body (within the cap) only if `body` is set.
    fn fetch(
        &self,
        url: Url,
        body: bool,
    ) -> impl Future<Output = Result<Response, FetchError>> + Send;
}

/// Which kind of non-public address `ip` is, or `None` for a public one.
///
/// Covers loopback, private (RFC 1918), link-local, CGNAT (RFC 6598),
/// unique-local (fc00::/7), multicast, unspecified, broadcast,
/// documentation and benchmarking ranges, reserved 240/4, and IPv6 forms
/// that carry an IPv4 address (mapped, compatible, NAT64, 6to4), which are
/// judged by the address they carry or refused outright.
pub fn classify(ip: IpAddr) -> Option<&'static str> {
    match ip {
        IpAddr::V4(v4) => classify_v4(v4),
        IpAddr::V6(v6) => classify_v6(v6),
    }
}

fn classify_v4(ip: Ipv4Addr) -> Option<&'static str> {
    let [a, b, c, _] = ip.octets();
    Some(match (a, b, c) {
        _ if ip.is_loopback() => "loopback",
        _ if ip.is_private() => "private",
        _ if ip.is_link_local() => "link-local",
        (100, 64..=127, _) => "carrier-grade NAT",
        _ if ip.is_multicast() => "multicast",
        _ if ip.is_broadcast() => "broadcast",
        (0, _, _) => "unspecified",
        (192, 0, 0) => "IETF protocol",
        (192, 0, 2) | (198, 51, 100) | (203, 0, 113) => "documentation",
        (198, 18..=19, _) => "benchmarking",
        (240..=255, _, _) => "reserved",
        _ => return None,
    })
}

fn classify_v6(ip: Ipv6Addr) -> Option<&'static str> {
    let seg = ip.segments();
    if ip.is_loopback() {
        return Some("loopback");
    }
    if ip.is_unspecified() {
        return Some("unspecified");
    }
    if ip.to_ipv4_mapped().is_some() {
        // ::ffff:a.b.c.d reaches the IPv4 host; never needed for a public
        // vendor and a classic way round filters.
        return Some("IPv4-mapped");
    }
    Some(match seg[0] {
        0 if seg[1..6].iter().all(|&s| s == 0) => "IPv4-compatible",
        0x64 if seg[1] == 0xff9b => return classify_v4(embedded_v4(seg[6], seg[7])),
        0x2002 => return classify_v4(embedded_v4(seg[1], seg[2])),
        s if s & 0xfe00 == 0xfc00 => "unique-local",
        s if s & 0xffc0 == 0xfe80 => "link-local",
        s if s & 0xffc0 == 0xfec0 => "site-local",
        s if s & 0xff00 == 0xff00 => "multicast",
        0x2001 if seg[1] == 0x0db8 => "documentation",
        _ => return None,
    })
}

fn embedded_v4(hi: u16, lo: u16) -> Ipv4Addr {
    let [a, b] = hi.to_be_bytes();
    let [c, d] = lo.to_be_bytes();
    Ipv4Addr::new(a, b, c, d)
}

/// Checks a URL before any connection: https, and not an internal
/// IP literal unless allowed.
pub fn check_url(url: &Url, allow_private: bool) -> Result<(), FetchError> {
    if url.scheme() != "https" {
        return Err(FetchError::NotHttps(url.to_string()));
    }
    if allow_private {
        return Ok(());
    }
    let ip = match url.host() {
        Some(Host::Ipv4(ip)) => IpAddr::V4(ip),
        Some(Host::Ipv6(ip)) => IpAddr::V6(ip),
        _ => return Ok(()),
    };
    match classify(ip) {
        Some(kind) => Err(FetchError::Private {
            host: url.host_str().unwrap_or_default().to_string(),
            addr: ip,
            kind,
        }),
        None => Ok(()),
    }
}

/// Resolves `url`'s host (unless it is an IP literal, already checked, or a
/// name the user pinned) and refuses it if any address is internal. Used
/// when a proxy connects on our behalf; the proxy resolves the name again,
/// so a name that changes its answer in between is not caught (documented
/// in docs/reliability.md).
pub async fn check_resolved(url: &Url, pinned: &[(String, SocketAddr)]) -> Result<(), FetchError> {
    let Some(Host::Domain(host)) = url.host() else {
        return Ok(());
    };
    if pinned
        .iter()
        .any(|(name, _)| name.eq_ignore_ascii_case(host))
    {
        return Ok(());
    }
    let addrs = tokio::net::lookup_host((host, url.port_or_known_default().unwrap_or(443)))
        .await
        .map_err(|e| FetchError::Failed(format!("cannot resolve {host}: {e}")))?;
    for addr in addrs {
        if let Some(kind) = classify(addr.ip()) {
            return Err(FetchError::Private {
                host: host.to_string(),
                addr: addr.ip(),
                kind,
            });
        }
    }
    Ok(())
}

/// The real fetcher: reqwest on rustls (ring), with the guard in its DNS
/// resolver and redirect policy.
#[derive(Clone)]
pub struct HttpFetcher {
    client: reqwest::Client,
    options: Arc<Options>,
    /// A proxy is in use and the guard is on: redirects are followed and
    /// targets resolved and checked here.
    via_proxy: bool,
}

/// A resolver that refuses a name if any of its addresses is internal:
/// checking them all stops a name that mixes a public and a private address
/// from reaching the private one.
struct GuardedResolver;

impl reqwest::dns::Resolve for GuardedResolver {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let host = name.as_str().to_string();
        Box::pin(async move {
            let addrs: Vec<SocketAddr> =
                tokio::net::lookup_host((host.as_str(), 0)).await?.collect();
            if let Some((addr, kind)) = addrs
                .iter()
                .find_map(|a| classify(a.ip()).map(|k| (a.ip(), k)))
            {
                return Err(Box::new(FetchError::Private { host, addr, kind })
                    as Box<dyn std::error::Error + Send + Sync>);
            }
            Ok(Box::new(addrs.into_iter()) as reqwest::dns::Addrs)
        })
    }
}

impl HttpFetcher {
    /// Builds the client. Fails only on a bad extra root certificate or a
    /// bad proxy URL.
    pub fn new(options: Options) -> Result<HttpFetcher, String> {
        let mut roots = rustls::RootCertStore::empty();
        roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
        for (source, pem) in &options.extra_roots_pem {
            use rustls::pki_types::{CertificateDer, pem::PemObject};
            let mut found = 0;
            for cert in CertificateDer::pem_slice_iter(pem) {
                let cert =
                    cert.map_err(|e| format!("{source}: cannot read a CA certificate: {e}"))?;
                roots
                    .add(cert)
                    .map_err(|e| format!("{source}: cannot use a CA certificate: {e}"))?;
                found += 1;
            }
            if found == 0 {
                return Err(format!("{source}: the CA file holds no PEM certificate"));
            }
        }
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let tls = rustls::ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(|e| format!("TLS set-up failed: {e}"))?
            .with_root_certificates(roots)
            .with_no_client_auth();

        let allow = options.allow_private_network;
        let max = options.max_redirects;
        // Through a proxy, reqwest asks the proxy to connect to the target by
        // name (CONNECT host:443), so our resolver only ever sees the proxy's
        // own name. Then `get` follows redirects itself and resolves and
        // checks each target before asking the proxy; the proxy, chosen by
        // the user, may well sit on an internal address.
        let via_proxy = options.proxy.is_some() && !allow;
        let redirects = if via_proxy {
            reqwest::redirect::Policy::none()
        } else {
            reqwest::redirect::Policy::custom(move |attempt| {
                // `previous` holds every URL before this one, the first included.
                if attempt.previous().len() > max {
                    let e = FetchError::TooManyRedirects(max);
                    return attempt.error(e);
                }
                match check_url(attempt.url(), allow) {
                    Ok(()) => attempt.follow(),
                    Err(e) => attempt.error(e),
                }
            })
        };
        let mut builder = reqwest::Client::builder()
            .tls_backend_preconfigured(tls)
            .user_agent(USER_AGENT)
            .connect_timeout(options.connect_timeout)
            .read_timeout(options.read_timeout)
            .timeout(options.total_timeout)
            .redirect(redirects)
            .https_only(true)
            .no_proxy();
        if !allow && !via_proxy {
            builder = builder.dns_resolver(Arc::new(GuardedResolver));
        }
        for (name, addr) in &options.pinned {
            builder = builder.resolve(name, *addr);
        }
        if let Some(proxy) = &options.proxy {
            let proxy = reqwest::Proxy::all(proxy.as_str())
                .map_err(|e| format!("bad --proxy {proxy}: {e}"))?;
            builder = builder.proxy(proxy);
        }
        let client = builder
            .build()
            .map_err(|e| format!("cannot build the HTTP client: {e}"))?;
        Ok(HttpFetcher {
            client,
            options: Arc::new(options),
            via_proxy,
        })
    }

    async fn get(&self, url: Url, want_body: bool) -> Result<Response, FetchError> {
        let o = &self.options;
        let mut url = url;
        let mut redirects = 0;
        // When the request in flight was sent: each has its own time-outs.
        let mut sent;
        let mut response = loop {
            check_url(&url, o.allow_private_network)?;
            if self.via_proxy {
                check_resolved(&url, &o.pinned).await?;
            }
            sent = Instant::now();
            let response = self
                .client
                .get(url.clone())
                // Ask for the bytes as they are: a compressed body could
                // expand far past the cap, and nothing here decompresses.
                .header(reqwest::header::ACCEPT_ENCODING, "identity")
                .send()
                .await
                .map_err(|e| self.explain(e, sent))?;
            let location = response
                .headers()
                .get(reqwest::header::LOCATION)
                .and_then(|v| v.to_str().ok());
            match location {
                Some(to) if self.via_proxy && response.status().is_redirection() => {
                    redirects += 1;
                    if redirects > o.max_redirects {
                        return Err(FetchError::TooManyRedirects(o.max_redirects));
                    }
                    url = url.join(to).map_err(|e| {
                        FetchError::Failed(format!(
                            "bad redirect `{}`: {e}",
                            crate::diag::quote(to)
                        ))
                    })?;
                }
                _ => break response,
            }
        };
        let header = |name: reqwest::header::HeaderName| {
            response
                .headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_string)
        };
        let content_type = header(reqwest::header::CONTENT_TYPE);
        let hsts = header(reqwest::header::STRICT_TRANSPORT_SECURITY);
        let mut body = Vec::new();
        if want_body {
            if response
                .content_length()
                .is_some_and(|n| n > o.max_body as u64)
            {
                return Err(FetchError::TooLarge(o.max_body));
            }
            while let Some(chunk) = response.chunk().await.map_err(|e| self.explain(e, sent))? {
                if body.len() + chunk.len() > o.max_body {
                    return Err(FetchError::TooLarge(o.max_body));
                }
                body.extend_from_slice(&chunk);
            }
        }
        Ok(Response {
            final_url: response.url().to_string(),
            status: response.status().as_u16(),
            content_type,
            hsts,
            body,
        })
    }

    /// Turns a reqwest error into the reason a reviewer reads; our own
    /// refusals (from the resolver or the redirect policy) are found in the
    /// error's chain of causes.
    fn explain(&self, e: reqwest::Error, sent: Instant) -> FetchError {
        let mut cause: Option<&(dyn std::error::Error + 'static)> = Some(&e);
        while let Some(c) = cause {
            if let Some(ours) = c.downcast_ref::<FetchError>() {
                return ours.clone();
            }
            cause = c.source();
        }
        if e.is_timeout() {
            // reqwest does not say which time-out hit; the clock does: a
            // request stopped before its total time-out was waiting for the
            // next bytes.
            let o = &self.options;
            let (which, limit) = if e.is_connect() {
                (TimeLimit::Connect, o.connect_timeout)
            } else if sent.elapsed() + Duration::from_millis(100) < o.total_timeout {
                (TimeLimit::Read, o.read_timeout)
            } else {
                (TimeLimit::Total, o.total_timeout)
            };
            return FetchError::Timeout(which, limit.as_secs().max(1));
        }
        // The chain holds the useful part (DNS, TLS, refused connection).
        let mut causes = String::new();
        let mut cause = std::error::Error::source(&e);
        while let Some(c) = cause {
            causes.push_str(": ");
            causes.push_str(&c.to_string());
            cause = c.source();
        }
        let text = format!("{}{causes}", e.without_url());
        FetchError::Failed(text)
    }
}

impl Fetcher for HttpFetcher {
    fn fetch(
        &self,
        url: Url,
        body: bool,
    ) -> impl Future<Output = Result<Response, FetchError>> + Send {
        let this = self.clone();
        async move { this.get(url, body).await }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classifies_internal_addresses() {
        for (ip, kind) in [
            ("127.0.0.1", "loopback"),
            ("10.1.2.3", "private"),
            ("172.16.0.1", "private"),
            ("192.168.1.1", "private"),
            ("169.254.169.254", "link-local"),
            ("100.64.0.1", "carrier-grade NAT"),
            ("100.127.255.255", "carrier-grade NAT"),
            ("224.0.0.1", "multicast"),
            ("0.0.0.0", "unspecified"),
            ("255.255.255.255", "broadcast"),
            ("::1", "loopback"),
            ("::", "unspecified"),
            ("fd00::1", "unique-local"),
            ("fe80::1", "link-local"),
            ("ff02::1", "multicast"),
            ("fec0::1", "site-local"),
            ("::ffff:8.8.8.8", "IPv4-mapped"),
            ("::ffff:127.0.0.1", "IPv4-mapped"),
            ("::127.0.0.1", "IPv4-compatible"),
            ("64:ff9b::10.0.0.1", "private"),
            ("2002:7f00:1::", "loopback"),
        ] {
            assert_eq!(classify(ip.parse().unwrap()), Some(kind), "{ip}");
        }
        for ip in [
            "8.8.8.8",
            "1.1.1.1",
            "100.63.255.255",
            "100.128.0.0",
            "2606:4700:4700::1111",
            "64:ff9b::8.8.8.8",
        ] {
            assert_eq!(classify(ip.parse().unwrap()), None, "{ip}");
        }
    }

    #[tokio::test]
    async fn resolved_targets_are_checked_for_proxied_fetches() {
        let u = |s: &str| Url::parse(s).unwrap();
        let e = check_resolved(&u("https://localhost/"), &[])
            .await
            .unwrap_err();
        assert!(
            matches!(
                e,
                FetchError::Private {
                    kind: "loopback",
                    ..
                }
            ),
            "{e:?}"
        );
        let pinned = [("localhost".to_string(), "127.0.0.1:443".parse().unwrap())];
        assert!(
            check_resolved(&u("https://localhost/"), &pinned)
                .await
                .is_ok()
        );
        assert!(
            check_resolved(&u("https://192.0.2.1/"), &[]).await.is_ok(),
            "literals are check_url's"
        );
    }

    #[test]
    fn a_proxied_client_builds_with_an_internal_proxy() {
        let f = HttpFetcher::new(Options {
            proxy: Some(Url::parse("http://10.0.0.8:3128").unwrap()),
            ..Options::default()
        })
        .unwrap();
        assert!(f.via_proxy);
    }

    #[test]
    fn checks_urls_before_connecting() {
        let u = |s: &str| Url::parse(s).unwrap();
        assert!(matches!(
            check_url(&u("http://vendor.example/"), false),
            Err(FetchError::NotHttps(_))
        ));
        assert!(matches!(
            check_url(&u("http://vendor.example/"), true),
            Err(FetchError::NotHttps(_))
        ));
        assert!(matches!(
            check_url(&u("https://127.0.0.1/"), false),
            Err(FetchError::Private {
                kind: "loopback",
                ..
            })
        ));
        assert!(matches!(
            check_url(&u("https://[::ffff:7f00:1]/"), false),
            Err(FetchError::Private {
                kind: "IPv4-mapped",
                ..
            })
        ));
        // Decimal and hex forms of 127.0.0.1 are normalised by the URL
        // parser, so they are caught too.
        assert!(check_url(&u("https://2130706433/"), false).is_err());
        assert!(check_url(&u("https://0x7f.1/"), false).is_err());
        assert!(check_url(&u("https://127.0.0.1/"), true).is_ok());
        assert!(check_url(&u("https://vendor.example/"), false).is_ok());
    }
}
