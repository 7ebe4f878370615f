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
    /// With the guard on it must be `socks5://` (see [`SetupError`]).
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
    /// Content-Security-Policy, X-Frame-Options, X-Content-Type-Options
    /// and Referrer-Policy, bounded (see [`super::tls`]).
    pub security: super::tls::SecurityHeaders,
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

    /// POSTs `json` (a JSON document) to `url` and reads the answer's body
    /// within the cap, for query APIs such as OSV's batch query. No
    /// redirect is followed: an API that moved answers with a 3xx status,
    /// which the caller records as a failure.
    fn post_json(
        &self,
        url: Url,
        json: Vec<u8>,
    ) -> impl Future<Output = Result<Response, FetchError>> + Send;

    /// Whether the SSRF guard is lifted (`--allow-private-network`), so
    /// that URLs a collector reads from an answer (an RDAP bootstrap's
    /// base URLs) are checked as the fetcher would check them.
    fn allows_private_network(&self) -> bool {
        false
    }

    /// The TLS handshakes this fetcher saw, if it notes them (the real one
    /// does; see [`super::tls`]). None: no TLS fact can be read from it.
    fn handshakes(&self) -> Option<&super::tls::Handshakes> {
        None
    }
}

/// Which kind of non-public address `ip` is, or `None` for a public one.
///
/// Refused: every range of the IANA IPv4 and IPv6 Special-Purpose Address
/// Registries (RFC 6890; <https://www.iana.org/assignments/iana-ipv4-special-registry/>
/// and <https://www.iana.org/assignments/iana-ipv6-special-registry/>, as
/// of 2025) whose "Globally Reachable" is false or N/A, and besides them
/// multicast, the deprecated IPv4-compatible and site-local IPv6 ranges,
/// and all IPv6 outside 2000::/3 (the only global unicast space IANA has
/// allocated). IPv6 forms that carry an IPv4 address are refused (mapped,
/// translated, compatible) or judged by the address they carry (the NAT64
/// well-known prefix, 6to4).
pub fn classify(ip: IpAddr) -> Option<&'static str> {
    match ip {
        IpAddr::V4(v4) => classify_v4(v4),
        IpAddr::V6(v6) => classify_v6(v6),
    }
}

/// IPv4 ranges that are never a public vendor's address: (network, prefix
/// length, kind). From the IANA IPv4 Special-Purpose Address Registry,
/// every entry not globally reachable, plus multicast (RFC 5771), which the
/// registry leaves to its own. Inside 192.0.0.0/24 two /32s are globally
/// reachable anycast services (192.0.0.9 PCP, 192.0.0.10 TURN); no vendor's
/// website is one, so the whole block is refused. The globally reachable
/// entries (AS112 192.31.196.0/24 and 192.175.48.0/24, AMT 192.52.193.0/24)
/// are public.
const V4_SPECIAL: [(u32, u32, &str); 16] = [
    (0x0000_0000, 8, "unspecified"), // 0.0.0.0/8 "this network" (0.0.0.0/32 too), RFC 791
    (0x0a00_0000, 8, "private"),     // 10.0.0.0/8, RFC 1918
    (0x6440_0000, 10, "carrier-grade NAT"), // 100.64.0.0/10 shared address space, RFC 6598
    (0x7f00_0000, 8, "loopback"),    // 127.0.0.0/8, RFC 1122
    (0xa9fe_0000, 16, "link-local"), // 169.254.0.0/16, RFC 3927
    (0xac10_0000, 12, "private"),    // 172.16.0.0/12, RFC 1918
    // 192.0.0.0/24 IETF protocol assignments (RFC 6890): DS-Lite /29,
    // the dummy address, NAT64 discovery .170 and .171 among them.
    (0xc000_0000, 24, "IETF protocol"),
    (0xc000_0200, 24, "documentation"), // 192.0.2.0/24 TEST-NET-1, RFC 5737
    (0xc058_6300, 24, "6to4 relay anycast"), // 192.88.99.0/24, deprecated by RFC 7526
    (0xc0a8_0000, 16, "private"),       // 192.168.0.0/16, RFC 1918
    (0xc612_0000, 15, "benchmarking"),  // 198.18.0.0/15, RFC 2544
    (0xc633_6400, 24, "documentation"), // 198.51.100.0/24 TEST-NET-2, RFC 5737
    (0xcb00_7100, 24, "documentation"), // 203.0.113.0/24 TEST-NET-3, RFC 5737
    (0xe000_0000, 4, "multicast"),      // 224.0.0.0/4, RFC 5771
    (0xf000_0000, 4, "reserved"),       // 240.0.0.0/4, RFC 1112
    (0xffff_ffff, 32, "broadcast"),     // 255.255.255.255/32 limited broadcast, RFC 919
];

/// IPv6 ranges that are never a public vendor's address, from the IANA
/// IPv6 Special-Purpose Address Registry (entries not globally reachable)
/// and the IPv6 Address Space registry (deprecated and non-unicast
/// blocks). NAT64 (64:ff9b::/96) and 6to4 (2002::/16) are judged by the
/// IPv4 address inside, before this table. Inside 2001::/23, IETF protocol
/// assignments not globally reachable as a whole, a few blocks are (PCP,
/// TURN and DNS-SD anycast /128s, AMT, AS112, ORCHIDv2, drone ids); none is
/// a vendor's website, so the whole /23 is refused.
const V6_SPECIAL: [(u128, u32, &str); 18] = [
    (0, 128, "unspecified"),                         // ::/128, RFC 4291
    (1, 128, "loopback"),                            // ::1/128, RFC 4291
    (0, 96, "IPv4-compatible"),                      // ::/96, deprecated by RFC 4291
    (0xffff_0000_0000, 96, "IPv4-mapped"),           // ::ffff:0:0/96, RFC 4291
    (0xffff_0000_0000_0000, 96, "IPv4-translated"),  // ::ffff:0:0:0/96, RFC 2765 (SIIT)
    (0x0064_ff9b_0001 << 80, 48, "NAT64 local-use"), // 64:ff9b:1::/48, RFC 8215
    (0x0100 << 112, 64, "discard-only"),             // 100::/64, RFC 6666
    (0x0100_0000_0000_0001 << 64, 64, "dummy"),      // 100:0:0:1::/64, RFC 9780
    (0x2001 << 112, 23, "IETF protocol"), // 2001::/23, RFC 2928 (Teredo 2001::/32 inside)
    (0x2001_0002 << 96, 48, "benchmarking"), // 2001:2::/48, RFC 5180
    (0x2001_0010 << 96, 28, "ORCHID (deprecated)"), // 2001:10::/28, RFC 4843
    (0x2001_0db8 << 96, 32, "documentation"), // 2001:db8::/32, RFC 3849
    (0x3fff << 112, 20, "documentation"), // 3fff::/20, RFC 9637
    (0x5f00 << 112, 16, "segment routing"), // 5f00::/16 SRv6 SIDs, RFC 9602
    (0xfc00 << 112, 7, "unique-local"),   // fc00::/7, RFC 4193
    (0xfe80 << 112, 10, "link-local"),    // fe80::/10, RFC 4291
    (0xfec0 << 112, 10, "site-local"),    // fec0::/10, deprecated by RFC 3879
    (0xff00 << 112, 8, "multicast"),      // ff00::/8, RFC 4291
];

/// The kind of the longest-prefix entry of `table` that holds `addr`.
fn special<T>(table: &[(T, u32, &'static str)], addr: T, bits: u32) -> Option<&'static str>
where
    T: Copy + PartialEq + std::ops::Shr<u32, Output = T>,
{
    table
        .iter()
        .filter(|(net, len, _)| *len == 0 || addr >> (bits - len) == *net >> (bits - len))
        .max_by_key(|(_, len, _)| *len)
        .map(|(_, _, kind)| *kind)
}

fn classify_v4(ip: Ipv4Addr) -> Option<&'static str> {
    special(&V4_SPECIAL, u32::from(ip), 32)
}

fn classify_v6(ip: Ipv6Addr) -> Option<&'static str> {
    let seg = ip.segments();
    match (seg[0], seg[1]) {
        // The NAT64 well-known prefix (RFC 6052) reaches the IPv4 address
        // in its last 32 bits, and is globally reachable if that is.
        (0x64, 0xff9b) if seg[2..6].iter().all(|&s| s == 0) => {
            return classify_v4(embedded_v4(seg[6], seg[7]));
        }
        // 6to4 (RFC 3056): the IPv4 address follows the prefix.
        (0x2002, _) => return classify_v4(embedded_v4(seg[1], seg[2])),
        _ => {}
    }
    let bits = u128::from(ip);
    match special(&V6_SPECIAL, bits, 128) {
        Some(kind) => Some(kind),
        // 2000::/3, the global unicast space.
        None if bits >> 125 == 1 => None,
        // Outside it, and named by no line: unallocated or reserved.
        None => Some("reserved"),
    }
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

/// The real fetcher: reqwest on rustls (ring), with the guard in its DNS
/// resolver and redirect policy.
#[derive(Clone)]
pub struct HttpFetcher {
    client: reqwest::Client,
    /// The same client that never follows a redirect, for signed API calls
    /// (`vetted key verify`): a redirect would carry the API key header to
    /// wherever it points.
    signed: reqwest::Client,
    options: Arc<Options>,
    /// What the certificate verifier noted of each handshake.
    handshakes: Arc<super::tls::Handshakes>,
}

/// The two methods a signed exchange call may use: `vetted key verify`
/// reads, and Kraken's read-only endpoints are POSTs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Method {
    /// GET.
    Get,
    /// POST, with a form body.
    Post,
}

/// What a server answered to a signed call ([`HttpFetcher::send`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reply {
    /// HTTP status.
    pub status: u16,
    /// The `Date` header, to measure clock skew.
    pub date: Option<String>,
    /// The `Retry-After` header, for rate limits and maintenance.
    pub retry_after: Option<String>,
    /// The body, within the cap.
    pub body: Vec<u8>,
}

/// Why the HTTP client could not be built.
#[derive(Debug, thiserror::Error)]
pub enum SetupError {
    /// With the guard on, a proxy that resolves the names it is asked for
    /// (HTTP, HTTPS, `socks5h`, SOCKS4): it would resolve each name again
    /// after `vetted` checked it, so a name whose answer changes in between
    /// (DNS rebinding) could reach an internal address through it.
    #[error(
        "--proxy {0}: this proxy resolves the names it is asked for itself, after vetted checked them, so a name whose DNS answer changes in between (DNS rebinding) could reach an internal address through it"
    )]
    ProxyResolvesNames(String),
    /// A bad extra root certificate, proxy URL or proxy name.
    #[error("{0}")]
    Invalid(String),
}

/// `proxy` as it may be shown: without a user name or password.
fn shown_proxy(proxy: &Url) -> String {
    let mut shown = proxy.clone();
    let _ = shown.set_username("");
    let _ = shown.set_password(None);
    shown.to_string()
}

/// The proxy to hand to reqwest while the guard is on. Only `socks5://`
/// will do: reqwest resolves the target itself (through the guarded
/// resolver, so the address is checked) and asks the proxy to connect to
/// that address, while TLS names and verifies the URL's host. An HTTP
/// proxy is asked by name (reqwest's CONNECT and its TLS name both come
/// from the URL, and its resolver and `resolve` pins are not consulted),
/// so it is refused. The proxy's own name, the user's choice and often
/// internal, is resolved here once and replaced by its address, so that
/// the guarded resolver never sees it.
fn guarded_proxy(proxy: &Url) -> Result<Url, SetupError> {
    if proxy.scheme() != "socks5" {
        return Err(SetupError::ProxyResolvesNames(shown_proxy(proxy)));
    }
    let mut pinned = proxy.clone();
    if let Some(Host::Domain(name)) = proxy.host() {
        use std::net::ToSocketAddrs;
        let port = proxy.port().unwrap_or(1080);
        let addr = (name, port)
            .to_socket_addrs()
            .ok()
            .and_then(|mut a| a.next())
            .ok_or_else(|| SetupError::Invalid(format!("cannot resolve the proxy `{name}`")))?;
        pinned
            .set_ip_host(addr.ip())
            .map_err(|()| SetupError::Invalid(format!("bad --proxy {}", shown_proxy(proxy))))?;
    }
    Ok(pinned)
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
    /// Builds the client. Fails on a bad extra root certificate, a bad
    /// proxy URL, or, with the guard on, a proxy that resolves names
    /// itself (see [`SetupError::ProxyResolvesNames`]).
    pub fn new(options: Options) -> Result<HttpFetcher, SetupError> {
        let bad = SetupError::Invalid;
        let mut roots = rustls::RootCertStore::empty();
        roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
        for (source, pem) in &options.extra_roots_pem {
            use rustls::pki_types::{CertificateDer, pem::PemObject};
            let mut found = 0;
            for cert in CertificateDer::pem_slice_iter(pem) {
                let cert =
                    cert.map_err(|e| bad(format!("{source}: cannot read a CA certificate: {e}")))?;
                roots
                    .add(cert)
                    .map_err(|e| bad(format!("{source}: cannot use a CA certificate: {e}")))?;
                found += 1;
            }
            if found == 0 {
                return Err(bad(format!(
                    "{source}: the CA file holds no PEM certificate"
                )));
            }
        }
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        // The verifier rustls builds from these roots, wrapped so that it
        // notes what it verified (`tls::Recording` decides nothing itself).
        let webpki = rustls::client::WebPkiServerVerifier::builder_with_provider(
            Arc::new(roots),
            provider.clone(),
        )
        .build()
        .map_err(|e| bad(format!("TLS set-up failed: {e}")))?;
        let handshakes = Arc::new(super::tls::Handshakes::default());
        let verifier = super::tls::Recording::new(webpki, handshakes.clone());
        let mut tls = rustls::ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(|e| bad(format!("TLS set-up failed: {e}")))?
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(verifier))
            .with_no_client_auth();
        // A resumed session skips certificate verification, and so would
        // skip the note: every connection does a full handshake.
        tls.resumption = rustls::client::Resumption::disabled();

        let allow = options.allow_private_network;
        let max = options.max_redirects;
        let redirects = reqwest::redirect::Policy::custom(move |attempt| {
            // `previous` holds every URL before this one, the first included.
            if attempt.previous().len() > max {
                let e = FetchError::TooManyRedirects(max);
                return attempt.error(e);
            }
            match check_url(attempt.url(), allow) {
                Ok(()) => attempt.follow(),
                Err(e) => attempt.error(e),
            }
        });
        let proxy = match &options.proxy {
            Some(proxy) if allow => Some(proxy.clone()),
            Some(proxy) => Some(guarded_proxy(proxy)?),
            None => None,
        };
        let build = |redirects: reqwest::redirect::Policy| {
            let mut builder = reqwest::Client::builder()
                .tls_backend_preconfigured(tls.clone())
                .user_agent(USER_AGENT)
                .connect_timeout(options.connect_timeout)
                .read_timeout(options.read_timeout)
                .timeout(options.total_timeout)
                .redirect(redirects)
                .https_only(true)
                .no_proxy();
            if !allow {
                builder = builder.dns_resolver(Arc::new(GuardedResolver));
            }
            for (name, addr) in &options.pinned {
                builder = builder.resolve(name, *addr);
            }
            if let Some(proxy) = &proxy {
                let proxy = reqwest::Proxy::all(proxy.as_str())
                    .map_err(|e| bad(format!("bad --proxy {}: {e}", shown_proxy(proxy))))?;
                builder = builder.proxy(proxy);
            }
            builder
                .build()
                .map_err(|e| bad(format!("cannot build the HTTP client: {e}")))
        };
        let client = build(redirects)?;
        let signed = build(reqwest::redirect::Policy::none())?;
        Ok(HttpFetcher {
            client,
            signed,
            options: Arc::new(options),
            handshakes,
        })
    }

    async fn get(&self, url: Url, want_body: bool) -> Result<Response, FetchError> {
        let request = self.client.get(url.clone());
        self.answer(request, &url, want_body).await
    }

    /// [`Self::perform`], read into a [`Response`].
    async fn answer(
        &self,
        request: reqwest::RequestBuilder,
        url: &Url,
        want_body: bool,
    ) -> Result<Response, FetchError> {
        let (response, body) = self.perform(request, url, want_body).await?;
        let header = |name| header(&response, name);
        Ok(Response {
            final_url: response.url().to_string(),
            status: response.status().as_u16(),
            content_type: header(reqwest::header::CONTENT_TYPE),
            hsts: header(reqwest::header::STRICT_TRANSPORT_SECURITY),
            security: super::tls::SecurityHeaders::read(response.headers()),
            body,
        })
    }

    /// Sends one signed API call: `headers` are marked sensitive (never in
    /// reqwest's debug output), no redirect is followed, and everything
    /// else is as for [`Fetcher::fetch`] (HTTPS, the guard, time-outs, the
    /// body cap).
    pub async fn send(
        &self,
        method: Method,
        url: Url,
        headers: &[(&'static str, &str)],
        body: Vec<u8>,
    ) -> Result<Reply, FetchError> {
        let mut request = match method {
            Method::Get => self.signed.get(url.clone()),
            Method::Post => self.signed.post(url.clone()).body(body),
        };
        for (name, value) in headers {
            let mut value = reqwest::header::HeaderValue::from_str(value).map_err(|_| {
                FetchError::Failed(format!("a {name} header that HTTP cannot carry"))
            })?;
            value.set_sensitive(true);
            request = request.header(*name, value);
        }
        let (response, body) = self.perform(request, &url, true).await?;
        Ok(Reply {
            status: response.status().as_u16(),
            date: header(&response, reqwest::header::DATE),
            retry_after: header(&response, reqwest::header::RETRY_AFTER),
            body,
        })
    }

    /// Checks `url`, sends `request` and reads the body within the cap
    /// (only if `want_body`).
    async fn perform(
        &self,
        request: reqwest::RequestBuilder,
        url: &Url,
        want_body: bool,
    ) -> Result<(reqwest::Response, Vec<u8>), FetchError> {
        let o = &self.options;
        check_url(url, o.allow_private_network)?;
        let sent = Instant::now();
        let mut response = request
            // Ask for the bytes as they are: a compressed body could expand
            // far past the cap, and nothing here decompresses.
            .header(reqwest::header::ACCEPT_ENCODING, "identity")
            .send()
            .await
            .map_err(|e| self.explain(e, sent))?;
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
        Ok((response, body))
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

/// A response header as text, if sent and readable.
fn header(response: &reqwest::Response, name: reqwest::header::HeaderName) -> Option<String> {
    response
        .headers()
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string)
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

    fn allows_private_network(&self) -> bool {
        self.options.allow_private_network
    }

    fn post_json(
        &self,
        url: Url,
        json: Vec<u8>,
    ) -> impl Future<Output = Result<Response, FetchError>> + Send {
        let this = self.clone();
        async move {
            // The client that follows no redirect (see `signed`): a 307
            // would send the body on to wherever it points.
            let request = this
                .signed
                .post(url.clone())
                .header(reqwest::header::CONTENT_TYPE, "application/json")
                .body(json);
            this.answer(request, &url, true).await
        }
    }

    fn handshakes(&self) -> Option<&super::tls::Handshakes> {
        Some(&self.handshakes)
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

    /// Every range of the IANA special-purpose registries that is not
    /// globally reachable, at its first and last address, is refused; the
    /// addresses just outside each are judged on their own.
    #[test]
    fn refuses_every_special_purpose_range_not_globally_reachable() {
        let v4 = [
            ("0.0.0.0", "0.255.255.255"),
            ("10.0.0.0", "10.255.255.255"),
            ("100.64.0.0", "100.127.255.255"),
            ("127.0.0.0", "127.255.255.255"),
            ("169.254.0.0", "169.254.255.255"),
            ("172.16.0.0", "172.31.255.255"),
            ("192.0.0.0", "192.0.0.255"),
            ("192.0.0.170", "192.0.0.171"),
            ("192.0.2.0", "192.0.2.255"),
            ("192.88.99.0", "192.88.99.255"),
            ("192.168.0.0", "192.168.255.255"),
            ("198.18.0.0", "198.19.255.255"),
            ("198.51.100.0", "198.51.100.255"),
            ("203.0.113.0", "203.0.113.255"),
            ("224.0.0.0", "239.255.255.255"),
            ("240.0.0.0", "255.255.255.254"),
            ("255.255.255.255", "255.255.255.255"),
        ];
        let v6 = [
            ("::", "::"),
            ("::1", "::1"),
            ("::2", "::ffff:ffff"),
            ("::ffff:0:0", "::ffff:ffff:ffff"),
            // IPv4-translated (RFC 2765, SIIT): ::ffff:0:a.b.c.d.
            ("::ffff:0:0:0", "::ffff:0:ffff:ffff"),
            ("64:ff9b:1::", "64:ff9b:1:ffff:ffff:ffff:ffff:ffff"),
            ("100::", "100::ffff:ffff:ffff:ffff"),
            ("100:0:0:1::", "100:0:0:1:ffff:ffff:ffff:ffff"),
            ("2001::", "2001:1ff:ffff:ffff:ffff:ffff:ffff:ffff"),
            ("2001:2::", "2001:2:0:ffff:ffff:ffff:ffff:ffff"),
            ("2001:10::", "2001:1f:ffff:ffff:ffff:ffff:ffff:ffff"),
            ("2001:db8::", "2001:db8:ffff:ffff:ffff:ffff:ffff:ffff"),
            ("3fff::", "3fff:fff:ffff:ffff:ffff:ffff:ffff:ffff"),
            ("5f00::", "5f00:ffff:ffff:ffff:ffff:ffff:ffff:ffff"),
            ("fc00::", "fdff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"),
            ("fe80::", "febf:ffff:ffff:ffff:ffff:ffff:ffff:ffff"),
            ("ff00::", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"),
            // Outside 2000::/3, the only global unicast space allocated
            // (here: beside the NAT64 prefix, but outside it).
            ("64:ff9b:0:0:1::", "64:ff9b:0:0:1::"),
            ("1::", "1fff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"),
            ("4000::", "4fff::"),
            ("8000::", "fbff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"),
        ];
        for (first, last) in v4.iter().chain(&v6) {
            for ip in [first, last] {
                assert!(classify(ip.parse().unwrap()).is_some(), "{ip} is refused");
            }
        }
        for ip in [
            "9.255.255.255",
            "11.0.0.0",
            "100.63.255.255",
            "126.255.255.255",
            "128.0.0.0",
            "172.15.255.255",
            "172.32.0.0",
            "192.0.1.0",
            "192.0.3.0",
            "192.88.98.255",
            "192.88.100.0",
            "192.31.196.1",
            "192.52.193.1",
            "192.175.48.1",
            "198.17.255.255",
            "198.20.0.0",
            "223.255.255.255",
            "64:ff9b::1.1.1.1",
            "2001:200::",
            "2001:db7:ffff::",
            "2001:db9::",
            "2002:808:808::",
            "2620:4f:8000::1",
            "2a00:1450:4001::1",
            "3ffe:ffff::1",
            "3fff:1000::",
        ] {
            assert_eq!(classify(ip.parse().unwrap()), None, "{ip} is public");
        }
    }

    #[test]
    fn a_socks5_proxy_is_pinned_to_its_address_and_may_be_internal() {
        let pinned = guarded_proxy(&Url::parse("socks5://localhost:1080").unwrap()).unwrap();
        assert!(
            matches!(pinned.host(), Some(Host::Ipv4(_) | Host::Ipv6(_))),
            "{pinned}"
        );
        assert_eq!(pinned.port(), Some(1080));
        let literal = Url::parse("socks5://10.0.0.8:1080").unwrap();
        assert_eq!(guarded_proxy(&literal).unwrap(), literal);
        assert!(
            HttpFetcher::new(Options {
                proxy: Some(literal),
                ..Options::default()
            })
            .is_ok()
        );
        for refused in [
            "http://10.0.0.8:3128",
            "socks5h://10.0.0.8:1080",
            "socks4://10.0.0.8:1080",
        ] {
            assert!(
                matches!(
                    guarded_proxy(&Url::parse(refused).unwrap()),
                    Err(SetupError::ProxyResolvesNames(_))
                ),
                "{refused}"
            );
        }
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
