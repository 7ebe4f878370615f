//! DNS evidence: what the vendor's domain publishes about its mail and its
//! certificates (SPF, DMARC, MX, CAA), and whether the configured resolver
//! validated the answers with DNSSEC.
//!
//! Queries go through the [`Lookup`] trait; the real one, [`Resolver`],
//! speaks DNS over UDP (and TCP when an answer is truncated) to the servers
//! it is given or the system's (`/etc/resolv.conf`). Messages are built and
//! read with `hickory-proto`; SPF and DMARC records are read by the small
//! parsers below (RFC 7208, RFC 7489), so a malformed record is a fact with
//! its reason, never a crash. A query that fails is a recorded failure,
//! never a fact: a resolver that cannot be reached says nothing about SPF.

mod records;

use std::collections::BTreeSet;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::time::Duration;

use hickory_proto::op::{Edns, Message, MessageType, Query, ResponseCode};
use hickory_proto::rr::{Name, RData, RecordType};
use serde_json::{Value as Json, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

pub use records::{Dmarc, Policy, Qualifier, Spf, parse_dmarc, parse_spf};

use crate::manifest::{Collected, Fact, Failure};

/// The collector's name, the prefix of its facts.
pub const COLLECTOR: &str = "dns";

/// RFC 7208 section 4.6.4: an SPF check may cause at most 10 DNS lookups.
pub const SPF_LOOKUP_LIMIT: usize = 10;

/// What [`Resolver`] advertises as its UDP payload size: the DNS Flag Day
/// 2020 value, which avoids fragmented answers.
const UDP_PAYLOAD: u16 = 1232;

/// A record type the collector asks for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// TXT (SPF, DMARC).
    Txt,
    /// MX.
    Mx,
    /// CAA.
    Caa,
}

impl Kind {
    fn record_type(self) -> RecordType {
        match self {
            Kind::Txt => RecordType::TXT,
            Kind::Mx => RecordType::MX,
            Kind::Caa => RecordType::CAA,
        }
    }

    /// The type's name, as in a zone file.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Txt => "TXT",
            Kind::Mx => "MX",
            Kind::Caa => "CAA",
        }
    }
}

/// One record of an answer, reduced to what the collector reads.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Record {
    /// A TXT record, its strings joined without separators (RFC 7208
    /// section 3.3), bytes that are not UTF-8 replaced.
    Txt(String),
    /// An MX record.
    Mx {
        /// Preference.
        preference: u16,
        /// The exchange, `.` for a null MX (RFC 7505).
        exchange: String,
    },
    /// A CAA property (RFC 8659).
    Caa {
        /// The tag (`issue`, `issuewild`, `iodef`...), lower case.
        tag: String,
        /// The value, bytes that are not UTF-8 replaced.
        value: String,
    },
}

/// What the server said about the name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Records of the asked type.
    Records(Vec<Record>),
    /// The name exists, with no record of that type (NODATA).
    NoData,
    /// The name does not exist (NXDOMAIN).
    NxDomain,
}

/// An answer to one query.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Answer {
    /// What it says.
    pub outcome: Outcome,
    /// Whether the resolver set the AD (authentic data) bit: it validated
    /// the answer with DNSSEC (RFC 4035 section 3.2.3, RFC 6840 section 5.8).
    pub authentic: bool,
    /// Which server answered (`IP:port`).
    pub server: String,
}

impl Answer {
    fn records(&self) -> &[Record] {
        match &self.outcome {
            Outcome::Records(r) => r,
            Outcome::NoData | Outcome::NxDomain => &[],
        }
    }

    fn describe_empty(&self) -> &'static str {
        match self.outcome {
            Outcome::NxDomain => "the name does not exist (NXDOMAIN)",
            _ => "no record of that type (NODATA)",
        }
    }
}

/// Why a query gave no answer.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum DnsError {
    /// Nothing came back in time.
    #[error("no answer within {0} ms ({1} tries)")]
    TimedOut(u128, u32),
    /// The socket failed (unreachable, refused).
    #[error("{0}")]
    Io(String),
    /// Bytes came back that are not a DNS answer to the question.
    #[error("the answer could not be read: {0}")]
    Malformed(String),
    /// The server answered with an error code (SERVFAIL, REFUSED...).
    #[error("the server answered {0}")]
    Refused(String),
    /// The answer over UDP was truncated and the query over TCP failed.
    #[error("the answer over UDP was truncated, and over TCP: {0}")]
    Truncated(String),
    /// The name cannot be asked about.
    #[error("not a domain name: {0}")]
    BadName(String),
    /// No server to ask, and why.
    #[error("no DNS server to ask: {0}")]
    NoServer(String),
}

/// Asks DNS questions. The real one is [`Resolver`]; tests may use any
/// other, or a [`Resolver`] pointed at a server on loopback.
pub trait Lookup: Send + Sync {
    /// The records of `kind` at `name` (a domain name without the final dot).
    fn lookup(
        &self,
        name: &str,
        kind: Kind,
    ) -> impl std::future::Future<Output = Result<Answer, DnsError>> + Send;
}

/// A stub resolver: asks recursive servers over UDP, and over TCP when the
/// UDP answer is truncated. It never connects to anything an answer names.
#[derive(Clone, Debug)]
pub struct Resolver {
    servers: Vec<SocketAddr>,
    timeout: Duration,
    attempts: u32,
    /// Why `servers` is empty, for the failures that follow.
    unconfigured: String,
}

impl Resolver {
    /// Asks `servers`, in order (the next one when one fails), each try
    /// waiting 3 s, 2 tries per server.
    pub fn new(servers: Vec<SocketAddr>) -> Self {
        Resolver {
            servers,
            timeout: Duration::from_secs(3),
            attempts: 2,
            unconfigured: "none was given".into(),
        }
    }

    /// The servers of the system's configuration (`/etc/resolv.conf`, read
    /// with the `resolv-conf` crate). When there are none, every lookup
    /// fails saying why, so the collector records failures, not facts.
    pub fn system() -> Self {
        const PATH: &str = "/etc/resolv.conf";
        let servers = crate::fsutil::read_file(std::path::Path::new(PATH), 64 * 1024)
            .map_err(|e| match e {
                crate::fsutil::ReadError::Io(e) => format!("{PATH}: {e}"),
                crate::fsutil::ReadError::TooLarge(_) => format!("{PATH} is over 64 KiB"),
                crate::fsutil::ReadError::NotRegular(what) => format!("{PATH} is {what}"),
            })
            .and_then(|bytes| {
                resolv_conf::Config::parse(&bytes)
                    .map_err(|e| format!("{PATH} could not be read: {e}"))
            })
            .map(|config| {
                config
                    .nameservers
                    .iter()
                    .map(|ip| SocketAddr::new(IpAddr::from(ip.clone()), 53))
                    .collect::<Vec<_>>()
            });
        match servers {
            Ok(s) if !s.is_empty() => Resolver::new(s),
            Ok(_) => Resolver {
                unconfigured: format!("{PATH} names no nameserver; give one with --dns"),
                ..Resolver::new(Vec::new())
            },
            Err(e) => Resolver {
                unconfigured: format!("{e}; give a server with --dns"),
                ..Resolver::new(Vec::new())
            },
        }
    }

    /// How long one try waits, and how many tries each server gets.
    pub fn with_timeout(mut self, timeout: Duration, attempts: u32) -> Self {
        self.timeout = timeout;
        self.attempts = attempts.max(1);
        self
    }

    /// The servers asked.
    pub fn servers(&self) -> &[SocketAddr] {
        &self.servers
    }

    /// One question to one server: UDP, then TCP if the answer is truncated.
    async fn ask(&self, server: SocketAddr, query: &Message) -> Result<Message, DnsError> {
        let bytes = query
            .to_vec()
            .map_err(|e| DnsError::BadName(e.to_string()))?;
        let response = self.udp(server, &bytes, query).await?;
        if !response.metadata.truncation {
            return Ok(response);
        }
        // Over TCP the whole answer fits (RFC 7766); without it the
        // records that did come are not the whole set, so none is used.
        self.tcp(server, &bytes, query)
            .await
            .map_err(|e| DnsError::Truncated(e.to_string()))
    }

    async fn udp(
        &self,
        server: SocketAddr,
        bytes: &[u8],
        query: &Message,
    ) -> Result<Message, DnsError> {
        let local: SocketAddr = if server.is_ipv4() {
            (Ipv4Addr::UNSPECIFIED, 0).into()
        } else {
            (Ipv6Addr::UNSPECIFIED, 0).into()
        };
        let io = |e: std::io::Error| DnsError::Io(e.to_string());
        let socket = tokio::net::UdpSocket::bind(local).await.map_err(io)?;
        // A connected socket only receives datagrams from the server.
        socket.connect(server).await.map_err(io)?;
        for _ in 0..self.attempts {
            socket.send(bytes).await.map_err(io)?;
            let deadline = tokio::time::Instant::now() + self.timeout;
            let mut buf = vec![0u8; 65_535];
            loop {
                let got = tokio::time::timeout_at(deadline, socket.recv(&mut buf)).await;
                let Ok(got) = got else { break };
                let n = got.map_err(io)?;
                let message = read(&buf[..n])?;
                // Another query's late answer (ours are random ids): wait on.
                if message.metadata.id != query.metadata.id {
                    continue;
                }
                check(&message, query)?;
                return Ok(message);
            }
        }
        Err(DnsError::TimedOut(self.timeout.as_millis(), self.attempts))
    }

    async fn tcp(
        &self,
        server: SocketAddr,
        bytes: &[u8],
        query: &Message,
    ) -> Result<Message, DnsError> {
        let io = |e: std::io::Error| DnsError::Io(e.to_string());
        let timed_out = || DnsError::TimedOut(self.timeout.as_millis(), 1);
        let exchange = async {
            let mut stream = tokio::net::TcpStream::connect(server).await.map_err(io)?;
            let len =
                u16::try_from(bytes.len()).map_err(|_| DnsError::BadName("too long".into()))?;
            let mut framed = len.to_be_bytes().to_vec();
            framed.extend_from_slice(bytes);
            stream.write_all(&framed).await.map_err(io)?;
            let mut len = [0u8; 2];
            stream.read_exact(&mut len).await.map_err(io)?;
            // A length prefix caps the answer at 64 KiB.
            let mut body = vec![0u8; usize::from(u16::from_be_bytes(len))];
            stream.read_exact(&mut body).await.map_err(io)?;
            Ok::<_, DnsError>(body)
        };
        let body = tokio::time::timeout(self.timeout, exchange)
            .await
            .map_err(|_| timed_out())??;
        let message = read(&body)?;
        if message.metadata.id != query.metadata.id {
            return Err(DnsError::Malformed("the answer has another id".into()));
        }
        check(&message, query)?;
        Ok(message)
    }
}

fn read(bytes: &[u8]) -> Result<Message, DnsError> {
    Message::from_vec(bytes).map_err(|e| DnsError::Malformed(e.to_string()))
}

/// An answer must be a response to the question asked.
fn check(message: &Message, query: &Message) -> Result<(), DnsError> {
    if message.metadata.message_type != MessageType::Response {
        return Err(DnsError::Malformed(
            "a query came back, not a response".into(),
        ));
    }
    let same = match (message.queries.first(), query.queries.first()) {
        // Names compare without regard to case (hickory's `Name` equality),
        // as a server may echo the question in another case.
        (Some(a), Some(q)) => a.query_type() == q.query_type() && a.name() == q.name(),
        _ => false,
    };
    if !same {
        return Err(DnsError::Malformed(
            "the answer is about another question".into(),
        ));
    }
    Ok(())
}

impl Lookup for Resolver {
    async fn lookup(&self, name: &str, kind: Kind) -> Result<Answer, DnsError> {
        let fqdn = Name::from_ascii(format!("{}.", name.trim_end_matches('.')))
            .map_err(|e| DnsError::BadName(format!("{}: {e}", crate::diag::quote(name))))?;
        let mut query = Message::query();
        query.metadata.recursion_desired = true;
        // AD in a query asks a validating resolver to say whether it
        // validated the answer (RFC 6840 section 5.7), without asking for
        // the signatures themselves (the DO bit).
        query.metadata.authentic_data = true;
        query.add_query(Query::query(fqdn, kind.record_type()));
        let mut edns = Edns::new();
        edns.set_max_payload(UDP_PAYLOAD);
        query.set_edns(edns);
        let mut last = DnsError::NoServer(self.unconfigured.clone());
        for &server in &self.servers {
            let message = match self.ask(server, &query).await {
                Ok(m) => m,
                Err(e) => {
                    last = e;
                    continue;
                }
            };
            let outcome = match message.metadata.response_code {
                ResponseCode::NoError => {
                    let records: Vec<Record> = message
                        .answers
                        .iter()
                        .filter_map(|r| record(&r.data))
                        .filter(|r| same_kind(r, kind))
                        .collect();
                    if records.is_empty() {
                        Outcome::NoData
                    } else {
                        Outcome::Records(records)
                    }
                }
                ResponseCode::NXDomain => Outcome::NxDomain,
                other => {
                    // SERVFAIL is also what a validating resolver says for
                    // a bogus signature; the next server may know more.
                    let code = match other {
                        ResponseCode::ServFail => "SERVFAIL",
                        ResponseCode::Refused => "REFUSED",
                        ResponseCode::FormErr => "FORMERR",
                        ResponseCode::NotImp => "NOTIMP",
                        _ => "an error",
                    };
                    last = DnsError::Refused(format!("{code} ({other})"));
                    continue;
                }
            };
            return Ok(Answer {
                outcome,
                authentic: message.metadata.authentic_data,
                server: server.to_string(),
            });
        }
        Err(last)
    }
}

fn same_kind(r: &Record, kind: Kind) -> bool {
    matches!(
        (r, kind),
        (Record::Txt(_), Kind::Txt)
            | (Record::Mx { .. }, Kind::Mx)
            | (Record::Caa { .. }, Kind::Caa)
    )
}

fn record(data: &RData) -> Option<Record> {
    match data {
        RData::TXT(txt) => {
            let bytes: Vec<u8> = txt
                .txt_data
                .iter()
                .flat_map(|s| s.iter().copied())
                .collect();
            Some(Record::Txt(String::from_utf8_lossy(&bytes).into_owned()))
        }
        RData::MX(mx) => Some(Record::Mx {
            preference: mx.preference,
            exchange: mx.exchange.to_ascii(),
        }),
        RData::CAA(caa) => Some(Record::Caa {
            tag: caa.tag.to_ascii_lowercase(),
            value: String::from_utf8_lossy(&caa.value).into_owned(),
        }),
        _ => None,
    }
}

/// The website's host, and the domain whose mail records are read: the
/// vendor's registrable domain ([`super::domain::registrable`]), so that
/// `www.vendor.example` and `app.vendor.example` both read the records of
/// `vendor.example`, where a vendor's mail policy lives (RFC 7489's
/// organizational domain). CAA is looked up from the host through its
/// parents, as RFC 8659 does; SPF, MX and DMARC at the domain. A website
/// on a shared platform has no domain of the vendor's: an error.
pub fn domain_of(website: &str) -> Result<(String, String), String> {
    let url = url::Url::parse(website).map_err(|e| format!("the website is not a URL: {e}"))?;
    match url.host() {
        Some(url::Host::Domain(d)) => {
            let host = d.trim_end_matches('.').to_ascii_lowercase();
            let domain = super::domain::registrable(&url::Host::Domain(host.as_str()))?;
            Ok((host, domain))
        }
        Some(_) => Err("the website is an IP address, so it has no domain to look up".into()),
        None => Err("the website has no host".into()),
    }
}

/// At most this much of a record goes into a fact's detail.
const DETAIL_RECORD: usize = 400;

fn quoted(record: &str) -> String {
    let mut s: String = record.chars().take(DETAIL_RECORD).collect();
    if s.len() < record.len() {
        s.push_str("...");
    }
    format!("\"{s}\"")
}

/// What one run of the collector found.
struct Found<'a> {
    website: &'a str,
    observed: &'a str,
    out: Collected,
}

impl Found<'_> {
    fn fact(&mut self, name: &str, value: Json, detail: String) {
        self.out.facts.insert(
            format!("{COLLECTOR}.{name}"),
            Fact {
                value,
                url: self.website.to_string(),
                observed: self.observed.to_string(),
                detail: Some(detail),
            },
        );
    }

    fn fail(&mut self, what: &str, reason: String) {
        self.out.failures.push(Failure {
            collector: COLLECTOR.into(),
            url: self.website.to_string(),
            reason: format!("{what}: {reason}"),
            observed: self.observed.to_string(),
        });
    }
}

/// The DNS facts about the vendor whose website is `website`: SPF (and
/// the lookups it costs), DMARC, MX, CAA, and whether the answers were
/// validated. Every query that fails is a failure naming it; the facts it
/// would have given are left out.
pub async fn collect<L: Lookup>(dns: &L, website: &str, observed: &str) -> Collected {
    let mut found = Found {
        website,
        observed,
        out: Collected::default(),
    };
    let (host, domain) = match domain_of(website) {
        Ok(d) => d,
        Err(e) => {
            found.fail("DNS", e);
            return found.out;
        }
    };
    let dmarc_name = format!("_dmarc.{domain}");
    let (txt, dmarc, mx, caa) = tokio::join!(
        dns.lookup(&domain, Kind::Txt),
        dns.lookup(&dmarc_name, Kind::Txt),
        dns.lookup(&domain, Kind::Mx),
        caa(dns, &host),
    );
    let mut validated = Vec::new();
    match txt {
        Ok(a) => {
            validated.push((format!("TXT {domain}"), a.authentic, a.server.clone()));
            spf(dns, &domain, &a, &mut found).await;
        }
        Err(e) => found.fail(&format!("TXT {domain}"), e.to_string()),
    }
    match dmarc {
        Ok(a) => {
            validated.push((format!("TXT {dmarc_name}"), a.authentic, a.server.clone()));
            read_dmarc(&dmarc_name, &a, &mut found);
        }
        Err(e) => found.fail(&format!("TXT {dmarc_name}"), e.to_string()),
    }
    match mx {
        Ok(a) => {
            validated.push((format!("MX {domain}"), a.authentic, a.server.clone()));
            read_mx(&domain, &a, &mut found);
        }
        Err(e) => found.fail(&format!("MX {domain}"), e.to_string()),
    }
    match caa {
        Ok(Some((at, a))) => read_caa(&at, &a, &mut found),
        Ok(None) => found.fact(
            "caa",
            json!(false),
            format!("no CAA record at {host} or its parents: any certificate authority may issue"),
        ),
        Err((at, e)) => found.fail(&format!("CAA {at}"), e.to_string()),
    }
    if !validated.is_empty() {
        let all = validated.iter().all(|(_, ad, _)| *ad);
        let servers: BTreeSet<&str> = validated.iter().map(|(_, _, s)| s.as_str()).collect();
        let servers = servers.into_iter().collect::<Vec<_>>().join(", ");
        let asked = validated
            .iter()
            .map(|(q, _, _)| q.as_str())
            .collect::<Vec<_>>()
            .join(", ");
        let detail = if all {
            format!(
                "the resolver ({servers}) set the AD bit on every answer ({asked}): it says it validated them with DNSSEC; this is as trustworthy as the resolver and the path to it"
            )
        } else {
            let missing = validated
                .iter()
                .filter(|(_, ad, _)| !ad)
                .map(|(q, _, _)| q.as_str())
                .collect::<Vec<_>>()
                .join(", ");
            format!(
                "the resolver ({servers}) did not set the AD bit on {missing}: the zone is unsigned, or the resolver does not validate DNSSEC (use --dns with a validating resolver to tell)"
            )
        };
        let value = if all { "validated" } else { "not-validated" };
        found.fact("dnssec", json!(value), detail);
    }
    found.out
}

/// The only TXT record that `is` accepts, or how many there are.
fn single(answer: &Answer, is: impl Fn(&str) -> bool) -> Result<&str, usize> {
    let matching: Vec<&str> = answer
        .records()
        .iter()
        .filter_map(|r| match r {
            Record::Txt(t) if is(t) => Some(t.as_str()),
            _ => None,
        })
        .collect();
    match matching.as_slice() {
        [one] => Ok(one),
        other => Err(other.len()),
    }
}

async fn spf<L: Lookup>(dns: &L, domain: &str, answer: &Answer, found: &mut Found<'_>) {
    let at = format!("TXT {domain} via {}", answer.server);
    let text = match single(answer, records::is_spf) {
        Ok(t) => t,
        Err(0) => {
            let why = if answer.records().is_empty() {
                answer.describe_empty().to_string()
            } else {
                "no TXT record starts with v=spf1".to_string()
            };
            found.fact("spf", json!("missing"), format!("{at}: {why}"));
            return;
        }
        Err(n) => {
            found.fact(
                "spf",
                json!("invalid"),
                format!(
                    "{at}: {n} SPF records; RFC 7208 section 4.5 makes more than one a permanent error"
                ),
            );
            return;
        }
    };
    let record = match parse_spf(text) {
        Ok(r) => r,
        Err(e) => {
            found.fact(
                "spf",
                json!("invalid"),
                format!("{at}: {}: {e}", quoted(text)),
            );
            return;
        }
    };
    let walk = walk_spf(dns, domain, &record).await;
    let (all, how) = match (record.all, &walk) {
        (Some(q), _) => (Some(q), String::new()),
        (None, Ok(w)) if w.redirected_all.is_some() => (
            w.redirected_all,
            format!(
                "; the all term comes from the redirect to {}",
                record.redirect.as_deref().unwrap_or("?")
            ),
        ),
        _ => (None, String::new()),
    };
    let value = all.map_or("no-all", Qualifier::as_str);
    let mut detail = format!("{at}: {}{how}", quoted(text));
    if all.is_none() {
        detail.push_str(
            "; no all term: mail from servers it does not list gets the default, neutral (RFC 7208 section 4.7)",
        );
    }
    found.fact("spf", json!(value), detail);
    match walk {
        Ok(w) => {
            let mut detail = if w.count > SPF_LOOKUP_LIMIT {
                format!(
                    "more than {SPF_LOOKUP_LIMIT} DNS lookups (counting stopped at {}): RFC 7208 section 4.6.4 makes the check a permanent error, so receivers may treat the record as broken",
                    w.count
                )
            } else {
                format!(
                    "{} DNS lookups of the {SPF_LOOKUP_LIMIT} RFC 7208 section 4.6.4 allows (include, a, mx, ptr, exists, redirect, through every include)",
                    w.count
                )
            };
            for note in &w.notes {
                detail.push_str("; ");
                detail.push_str(note);
            }
            found.fact("spf-lookups", json!(w.count), detail);
        }
        Err(e) => found.fail("SPF lookups", e),
    }
}

/// What following an SPF record's includes and redirects found.
struct Walk {
    /// DNS lookups counted, stopped just past the limit.
    count: usize,
    /// The all term reached through `redirect=`, when the record has none.
    redirected_all: Option<Qualifier>,
    /// What could not be followed.
    notes: Vec<String>,
}

/// Counts the DNS lookups an SPF check of `record` causes (RFC 7208
/// section 4.6.4), following `include:` and `redirect=` to their records,
/// and stopping once past the limit. A query that fails makes the count
/// unknown (an error), not small.
async fn walk_spf<L: Lookup>(dns: &L, domain: &str, record: &Spf) -> Result<Walk, String> {
    let mut walk = Walk {
        count: record.lookups(),
        redirected_all: None,
        notes: Vec::new(),
    };
    let mut seen = BTreeSet::from([domain.to_string()]);
    // (domain, reached through redirects only from the top record)
    let mut queue: std::collections::VecDeque<(String, bool)> = std::collections::VecDeque::new();
    let push = |queue: &mut std::collections::VecDeque<(String, bool)>,
                notes: &mut Vec<String>,
                spf: &Spf,
                chain: bool| {
        for target in spf.includes.iter() {
            queue.push_back((target.clone(), false));
        }
        if let Some(r) = &spf.redirect {
            queue.push_back((r.clone(), chain && spf.all.is_none()));
        }
        for m in &spf.macros {
            notes.push(format!(
                "{m} uses a macro, which is not expanded or followed"
            ));
        }
    };
    push(&mut queue, &mut walk.notes, record, true);
    while let Some((target, chain)) = queue.pop_front() {
        if walk.count > SPF_LOOKUP_LIMIT {
            break;
        }
        if !seen.insert(target.clone()) {
            walk.notes
                .push(format!("{target} is included more than once"));
            continue;
        }
        let answer = dns
            .lookup(&target, Kind::Txt)
            .await
            .map_err(|e| format!("TXT {target}: {e}"))?;
        let text = match single(&answer, records::is_spf) {
            Ok(t) => t,
            Err(0) => {
                walk.notes.push(format!(
                    "{target} has no SPF record (a permanent error when checked)"
                ));
                continue;
            }
            Err(n) => {
                walk.notes.push(format!("{target} has {n} SPF records"));
                continue;
            }
        };
        match parse_spf(text) {
            Ok(spf) => {
                walk.count += spf.lookups();
                if chain && walk.redirected_all.is_none() {
                    walk.redirected_all = spf.all;
                }
                push(&mut queue, &mut walk.notes, &spf, chain);
            }
            Err(e) => walk
                .notes
                .push(format!("{target}'s SPF record is invalid: {e}")),
        }
    }
    Ok(walk)
}

fn read_dmarc(name: &str, answer: &Answer, found: &mut Found<'_>) {
    let at = format!("TXT {name} via {}", answer.server);
    let text = match single(answer, records::is_dmarc) {
        Ok(t) => t,
        Err(0) => {
            let why = if answer.records().is_empty() {
                answer.describe_empty().to_string()
            } else {
                "no TXT record starts with v=DMARC1".to_string()
            };
            found.fact(
                "dmarc",
                json!("missing"),
                format!("{at}: {why} (a parent domain's record is not looked up)"),
            );
            return;
        }
        Err(n) => {
            found.fact(
                "dmarc",
                json!("invalid"),
                format!(
                    "{at}: {n} DMARC records; RFC 7489 section 6.6.3 says to apply none of them"
                ),
            );
            return;
        }
    };
    match parse_dmarc(text) {
        Ok(d) => {
            found.fact(
                "dmarc",
                json!(d.policy.as_str()),
                format!("{at}: {}", quoted(text)),
            );
            let detail = if d.pct < 100 {
                format!(
                    "the policy applies to {}% of failing mail; the rest is treated one step more leniently (RFC 7489 section 6.6.4)",
                    d.pct
                )
            } else {
                "the policy applies to all failing mail".to_string()
            };
            found.fact("dmarc-pct", json!(d.pct), detail);
            let enforced = d.policy.enforced(d.pct);
            found.fact(
                "dmarc-enforced",
                json!(enforced.as_str()),
                format!(
                    "p={} at pct={}: what all failing mail gets",
                    d.policy.as_str(),
                    d.pct
                ),
            );
        }
        Err(e) => found.fact(
            "dmarc",
            json!("invalid"),
            format!("{at}: {}: {e}", quoted(text)),
        ),
    }
}

fn read_mx(domain: &str, answer: &Answer, found: &mut Found<'_>) {
    let at = format!("MX {domain} via {}", answer.server);
    let exchanges: Vec<(u16, &str)> = answer
        .records()
        .iter()
        .filter_map(|r| match r {
            Record::Mx {
                preference,
                exchange,
            } => Some((*preference, exchange.as_str())),
            _ => None,
        })
        .collect();
    let (value, detail) = match exchanges.as_slice() {
        [] => ("missing", format!("{at}: {}", answer.describe_empty())),
        [(_, ".")] => (
            "null",
            format!("{at}: a null MX (RFC 7505): the domain accepts no mail"),
        ),
        list => {
            let mut list: Vec<String> = list.iter().map(|(p, e)| format!("{p} {e}")).collect();
            list.sort();
            ("present", format!("{at}: {}", list.join(", ")))
        }
    };
    found.fact("mx", json!(value), detail);
}

/// The relevant CAA record set (RFC 8659 section 3): the first non-empty
/// one found at the domain and then each parent, down to two labels. `None`
/// when there is none; an error names the query that failed, since a
/// failed query may hide the set.
async fn caa<L: Lookup>(
    dns: &L,
    domain: &str,
) -> Result<Option<(String, Answer)>, (String, DnsError)> {
    let mut name = domain;
    loop {
        let answer = dns
            .lookup(name, Kind::Caa)
            .await
            .map_err(|e| (name.to_string(), e))?;
        if !answer.records().is_empty() {
            return Ok(Some((name.to_string(), answer)));
        }
        match name.split_once('.') {
            Some((_, parent)) if parent.contains('.') => name = parent,
            _ => return Ok(None),
        }
    }
}

fn read_caa(at: &str, answer: &Answer, found: &mut Found<'_>) {
    let mut issuers = BTreeSet::new();
    let mut forbids = false;
    let mut properties = Vec::new();
    for r in answer.records() {
        if let Record::Caa { tag, value } = r {
            properties.push(format!("{tag} {}", quoted(value)));
            if tag == "issue" || tag == "issuewild" {
                // RFC 8659 section 4.2: the issuer domain comes before any `;`.
                let issuer = value
                    .split(';')
                    .next()
                    .unwrap_or("")
                    .trim()
                    .to_ascii_lowercase();
                if issuer.is_empty() {
                    forbids = true;
                } else {
                    issuers.insert(issuer);
                }
            }
        }
    }
    properties.sort();
    let head = format!("CAA {at} via {}: {}", answer.server, properties.join(", "));
    let restricts = forbids || !issuers.is_empty();
    let detail = if restricts {
        head.clone()
    } else {
        format!("{head}; no issue or issuewild property, so any certificate authority may issue")
    };
    found.fact("caa", json!(restricts), detail);
    if restricts {
        let detail = if forbids {
            format!("{head}; an empty issuer forbids issuance (for the names it covers)")
        } else {
            head
        };
        found.fact("caa-issuers", json!(issuers), detail);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_domain_is_the_vendor_s_registrable_domain() {
        let domain = |w: &str| domain_of(w).unwrap();
        let pair = |h: &str, d: &str| (h.to_string(), d.to_string());
        assert_eq!(
            domain("https://www.vendor.example/x"),
            pair("www.vendor.example", "vendor.example")
        );
        assert_eq!(
            domain("https://app.vendor.example"),
            pair("app.vendor.example", "vendor.example")
        );
        assert_eq!(
            domain("https://app.vendor.co.uk"),
            pair("app.vendor.co.uk", "vendor.co.uk")
        );
        assert!(
            domain_of("https://bot.vercel.app/")
                .unwrap_err()
                .contains("shared platform")
        );
        assert_eq!(
            domain("https://WWW.Vendor.Example./"),
            pair("www.vendor.example", "vendor.example")
        );
        assert_eq!(
            domain("https://www.example/"),
            pair("www.example", "www.example")
        );
        assert!(domain_of("https://192.0.2.1/").is_err());
        assert!(domain_of("https://[2001:db8::1]/").is_err());
        assert!(domain_of("not a url").is_err());
    }

    #[test]
    fn caa_issuers_and_forbidding() {
        let answer = |records: Vec<Record>| Answer {
            outcome: Outcome::Records(records),
            authentic: false,
            server: "127.0.0.1:53".into(),
        };
        let caa = |tag: &str, value: &str| Record::Caa {
            tag: tag.into(),
            value: value.into(),
        };
        let run = |a: &Answer| {
            let mut f = Found {
                website: "https://vendor.example/",
                observed: "2026-11-30T00:00:00Z",
                out: Collected::default(),
            };
            read_caa("vendor.example", a, &mut f);
            f.out
        };
        let out = run(&answer(vec![
            caa("issue", "LetsEncrypt.org; validationmethods=dns-01"),
            caa("issuewild", ";"),
        ]));
        assert_eq!(out.facts["dns.caa"].value, json!(true));
        assert_eq!(
            out.facts["dns.caa-issuers"].value,
            json!(["letsencrypt.org"])
        );
        let out = run(&answer(vec![caa("iodef", "mailto:sec@vendor.example")]));
        assert_eq!(out.facts["dns.caa"].value, json!(false));
        assert!(!out.facts.contains_key("dns.caa-issuers"));
    }
}
