//! A DNS server on loopback for the tests: a zone server (answers built
//! with hickory-proto, over UDP and TCP, truncating UDP answers past the
//! client's payload size as a real server does), and servers that
//! misbehave on purpose (garbage, silence, truncation without TCP,
//! SERVFAIL, an answer about another name).

use std::collections::BTreeSet;
use std::net::SocketAddr;
use std::str::FromStr;
use std::sync::Arc;

use hickory_proto::op::{Message, OpCode, ResponseCode};
use hickory_proto::rr::rdata::caa::KeyValue;
use hickory_proto::rr::rdata::{CAA, MX, TXT};
use hickory_proto::rr::{Name, RData, Record};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, UdpSocket};

/// A zone: records by owner name, names that exist, names that are never
/// answered, and whether answers carry the AD bit.
#[derive(Clone, Default)]
pub struct Zone {
    pub records: Vec<(String, RData)>,
    pub names: BTreeSet<String>,
    pub silent: BTreeSet<String>,
    pub ad: bool,
}

impl Zone {
    pub fn add(mut self, name: &str, data: RData) -> Self {
        self.names.insert(name.to_string());
        self.records.push((name.to_string(), data));
        self
    }
    pub fn txt(self, name: &str, text: &str) -> Self {
        self.add(name, RData::TXT(TXT::new(vec![text.to_string()])))
    }
    pub fn exists(mut self, name: &str) -> Self {
        self.names.insert(name.to_string());
        self
    }
    pub fn validated(mut self) -> Self {
        self.ad = true;
        self
    }
}

#[derive(Clone)]
pub enum Mode {
    Zone(Arc<Zone>),
    /// Answers every query with its id and then bytes that are no message.
    Garbage,
    /// Never answers.
    Silent,
    /// Answers over UDP with the TC bit and no records; no TCP listener.
    TruncatedNoTcp,
    /// Answers SERVFAIL.
    ServFail,
    /// Answers with the right id about another name.
    OtherQuestion,
}

/// A DNS server on 127.0.0.1; its tasks end when it is dropped.
pub struct Server {
    pub addr: SocketAddr,
    tasks: Vec<tokio::task::JoinHandle<()>>,
}

impl Drop for Server {
    fn drop(&mut self) {
        self.tasks.iter().for_each(|t| t.abort());
    }
}

fn answer(zone: &Zone, query: &Message, udp: bool) -> Option<Vec<u8>> {
    let q = query.queries.first()?;
    let name = q
        .name()
        .to_ascii()
        .trim_end_matches('.')
        .to_ascii_lowercase();
    if zone.silent.contains(&name) {
        return None;
    }
    let mut resp = Message::response(query.metadata.id, OpCode::Query);
    resp.add_query(q.clone());
    resp.metadata.recursion_desired = query.metadata.recursion_desired;
    resp.metadata.recursion_available = true;
    resp.metadata.authentic_data = zone.ad;
    if zone.names.contains(&name) {
        for (owner, data) in &zone.records {
            if *owner == name && data.record_type() == q.query_type() {
                let owner = Name::from_ascii(format!("{owner}.")).unwrap();
                resp.add_answer(Record::from_rdata(owner, 300, data.clone()));
            }
        }
    } else {
        resp.metadata.response_code = ResponseCode::NXDomain;
    }
    let bytes = resp.to_vec().unwrap();
    let limit = query.edns.as_ref().map_or(512, |e| e.max_payload()) as usize;
    if udp && bytes.len() > limit {
        resp.answers.clear();
        resp.metadata.truncation = true;
        return Some(resp.to_vec().unwrap());
    }
    Some(bytes)
}

/// Starts a DNS server on 127.0.0.1 behaving as `mode`.
pub async fn start(mode: Mode) -> Server {
    // UDP and TCP on the same port, as a DNS server listens.
    let (udp, tcp) = loop {
        let udp = UdpSocket::bind("127.0.0.1:0").await.unwrap();
        let port = udp.local_addr().unwrap().port();
        if !matches!(mode, Mode::Zone(_)) {
            break (udp, None);
        }
        if let Ok(tcp) = TcpListener::bind(("127.0.0.1", port)).await {
            break (udp, Some(tcp));
        }
    };
    let addr = udp.local_addr().unwrap();
    let mut tasks = Vec::new();
    let m = mode.clone();
    tasks.push(tokio::spawn(async move {
        let mut buf = vec![0u8; 4096];
        loop {
            let Ok((n, from)) = udp.recv_from(&mut buf).await else {
                return;
            };
            let Ok(query) = Message::from_vec(&buf[..n]) else {
                continue;
            };
            let id = query.metadata.id.to_be_bytes();
            let reply = match &m {
                Mode::Zone(zone) => answer(zone, &query, true),
                Mode::Silent => None,
                // An id that matches, a header claiming one answer, then
                // half a record.
                Mode::Garbage => Some(
                    [
                        &id[..],
                        &[0x81, 0x80, 0, 1, 0, 1, 0, 0, 0, 0, 3, b'f', b'o'],
                    ]
                    .concat(),
                ),
                Mode::TruncatedNoTcp => {
                    let mut r = Message::response(query.metadata.id, OpCode::Query);
                    r.add_queries(query.queries.clone());
                    r.metadata.truncation = true;
                    Some(r.to_vec().unwrap())
                }
                Mode::OtherQuestion => {
                    let mut r = Message::response(query.metadata.id, OpCode::Query);
                    let mut q = query.queries[0].clone();
                    q.set_name(Name::from_ascii("attacker.example.").unwrap());
                    r.add_query(q);
                    Some(r.to_vec().unwrap())
                }
                Mode::ServFail => {
                    let mut r = Message::error_msg(
                        query.metadata.id,
                        OpCode::Query,
                        ResponseCode::ServFail,
                    );
                    r.add_queries(query.queries.clone());
                    Some(r.to_vec().unwrap())
                }
            };
            if let Some(reply) = reply {
                let _ = udp.send_to(&reply, from).await;
            }
        }
    }));
    if let (Some(tcp), Mode::Zone(zone)) = (tcp, mode) {
        tasks.push(tokio::spawn(async move {
            loop {
                let Ok((mut stream, _)) = tcp.accept().await else {
                    return;
                };
                let zone = zone.clone();
                tokio::spawn(async move {
                    let mut len = [0u8; 2];
                    if stream.read_exact(&mut len).await.is_err() {
                        return;
                    }
                    let mut body = vec![0u8; u16::from_be_bytes(len) as usize];
                    if stream.read_exact(&mut body).await.is_err() {
                        return;
                    }
                    let Ok(query) = Message::from_vec(&body) else {
                        return;
                    };
                    if let Some(reply) = answer(&zone, &query, false) {
                        let mut framed = (reply.len() as u16).to_be_bytes().to_vec();
                        framed.extend(reply);
                        let _ = stream.write_all(&framed).await;
                    }
                });
            }
        }));
    }
    Server { addr, tasks }
}

/// A CAA record.
pub fn caa(tag: &str, value: &str) -> RData {
    // Built the way hickory builds each property, so the value on the wire
    // is its own encoding.
    if tag == "iodef" {
        return RData::CAA(CAA::new_iodef(false, url::Url::parse(value).unwrap()));
    }
    let (issuer, options) = value.split_once(';').unwrap_or((value, ""));
    let name = (!issuer.trim().is_empty()).then(|| Name::from_str(issuer.trim()).unwrap());
    let options: Vec<KeyValue> = options
        .split(';')
        .filter_map(|kv| kv.trim().split_once('='))
        .map(|(k, v)| KeyValue::new(k, v))
        .collect();
    RData::CAA(match tag {
        "issue" => CAA::new_issue(false, name, options),
        "issuewild" => CAA::new_issuewild(false, name, options),
        other => panic!("no helper for {other}"),
    })
}

/// An MX record.
pub fn mx(preference: u16, exchange: &str) -> RData {
    RData::MX(MX::new(preference, Name::from_str(exchange).unwrap()))
}
