//! Test servers on loopback: a TLS front (a throwaway CA from rcgen, then
//! tokio-rustls) that forwards to a plain server such as wiremock, and raw
//! servers that misbehave on purpose. Nothing here reaches the internet.
#![allow(dead_code)]

pub mod dns;

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// The name the test vendor lives at (pinned to 127.0.0.1).
pub const VENDOR: &str = "vendor.test";

/// A TLS endpoint on 127.0.0.1 forwarding every connection to `upstream`.
pub struct TlsFront {
    /// Where it listens.
    pub addr: SocketAddr,
    /// The CA that signed its certificate, PEM.
    pub ca_pem: String,
    /// The server name (SNI) each TLS client asked for, in order; empty
    /// for a client that sent none (as for an IP address).
    pub sni: Arc<std::sync::Mutex<Vec<String>>>,
}

impl TlsFront {
    /// `https://vendor.test:PORT` + `path`.
    pub fn url(&self, path: &str) -> String {
        format!("https://{VENDOR}:{}{path}", self.addr.port())
    }

    /// Fetcher options that trust the test CA and pin vendor.test here,
    /// with the SSRF guard on.
    pub fn options(&self) -> vetted::evidence::fetch::Options {
        vetted::evidence::fetch::Options {
            extra_roots_pem: vec![("test CA".into(), self.ca_pem.clone().into_bytes())],
            pinned: vec![(VENDOR.to_string(), self.addr)],
            ..Default::default()
        }
    }
}

/// Starts a TLS front for `upstream` on the current tokio runtime. Its
/// certificate names vendor.test, localhost and 127.0.0.1.
pub async fn tls_front(upstream: SocketAddr) -> TlsFront {
    tls_front_with(upstream, Front::default()).await
}

/// How a TLS front differs from the usual one.
#[derive(Clone, Default)]
pub struct Front {
    /// Only this protocol version (TLS 1.2 or 1.3); both by default.
    pub only: Option<&'static rustls::SupportedProtocolVersion>,
    /// The leaf certificate's validity, `(notBefore, notAfter)` as seconds
    /// since 1970; rcgen's (1975 to 4096) by default.
    pub validity: Option<(i64, i64)>,
    /// The issuing CA's common name; `vetted test CA` by default.
    pub ca_name: Option<String>,
}

/// [`tls_front`], differing as `front` says.
pub async fn tls_front_with(upstream: SocketAddr, front: Front) -> TlsFront {
    let mut ca_params = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
    ca_params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    ca_params.distinguished_name.push(
        rcgen::DnType::CommonName,
        front.ca_name.as_deref().unwrap_or("vetted test CA"),
    );
    let ca = rcgen::CertifiedIssuer::self_signed(ca_params, rcgen::KeyPair::generate().unwrap())
        .unwrap();
    let leaf_key = rcgen::KeyPair::generate().unwrap();
    let mut leaf_params = rcgen::CertificateParams::new(vec![
        VENDOR.to_string(),
        "localhost".to_string(),
        "127.0.0.1".to_string(),
    ])
    .unwrap();
    if let Some((from, to)) = front.validity {
        let at = |s: i64| time::OffsetDateTime::from_unix_timestamp(s).unwrap();
        leaf_params.not_before = at(from);
        leaf_params.not_after = at(to);
    }
    let leaf = leaf_params.signed_by(&leaf_key, &ca).unwrap();
    let chain: Vec<CertificateDer<'static>> = vec![leaf.der().clone(), ca.der().clone()];
    let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(leaf_key.serialize_der()));
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let versions = match front.only {
        Some(v) => vec![v],
        None => rustls::DEFAULT_VERSIONS.to_vec(),
    };
    let config = rustls::ServerConfig::builder_with_provider(provider)
        .with_protocol_versions(&versions)
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(chain, key)
        .unwrap();
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let sni = Arc::new(std::sync::Mutex::new(Vec::new()));
    let seen = sni.clone();
    tokio::spawn(async move {
        while let Ok((tcp, _)) = listener.accept().await {
            let acceptor = acceptor.clone();
            let seen = seen.clone();
            tokio::spawn(async move {
                let Ok(mut tls) = acceptor.accept(tcp).await else {
                    return;
                };
                let name = tls.get_ref().1.server_name().unwrap_or_default();
                seen.lock().unwrap().push(name.to_string());
                let Ok(mut up) = TcpStream::connect(upstream).await else {
                    return;
                };
                let _ = tokio::io::copy_bidirectional(&mut tls, &mut up).await;
            });
        }
    });
    TlsFront {
        addr,
        ca_pem: ca.pem(),
        sni,
    }
}

/// A plain server that answers every request with `head` and then `body`
/// written in `chunk`-byte pieces every `pause`, up to `total` bytes.
/// Returns its address and a counter of the body bytes it managed to send.
pub async fn raw_server(
    head: &'static str,
    chunk: usize,
    pause: Duration,
    total: usize,
) -> (SocketAddr, Arc<AtomicUsize>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let sent = Arc::new(AtomicUsize::new(0));
    let counter = sent.clone();
    tokio::spawn(async move {
        while let Ok((mut tcp, _)) = listener.accept().await {
            let counter = counter.clone();
            tokio::spawn(async move {
                let mut buf = [0u8; 4096];
                let _ = tcp.read(&mut buf).await;
                if tcp.write_all(head.as_bytes()).await.is_err() {
                    return;
                }
                let piece = vec![b'a'; chunk];
                let mut done = 0;
                while done < total {
                    if tcp.write_all(&piece).await.is_err() {
                        return;
                    }
                    done += chunk;
                    counter.fetch_add(chunk, Ordering::SeqCst);
                    if !pause.is_zero() {
                        tokio::time::sleep(pause).await;
                    }
                }
            });
        }
    });
    (addr, sent)
}

/// The shared fixtures of `kind`, or None (with a message) on a fresh
/// clone without them. Under CI they must be there.
pub fn shared(kind: &str) -> Option<std::path::PathBuf> {
    let dir = std::path::Path::new("../shared/fixtures").join(kind);
    if dir.is_dir() {
        return Some(dir);
    }
    assert!(
        std::env::var_os("CI").is_none(),
        "CI must have ../shared/fixtures/{kind}"
    );
    eprintln!(
        "SKIPPED: ../shared/fixtures/{kind} is absent; only the project's own fixtures were used"
    );
    None
}

/// The manifests this repository carries: the bundled examples, then the
/// calibration set (without its `.expect.yaml` files), each sorted.
pub fn bundled_manifests() -> Vec<std::path::PathBuf> {
    ["examples", "tests/calibration"]
        .into_iter()
        .flat_map(|dir| files(std::path::Path::new(dir)))
        .filter(|p| {
            let name = p.to_string_lossy();
            name.ends_with(".yaml") && !name.ends_with(".expect.yaml")
        })
        .collect()
}

/// Every file of a directory, sorted.
pub fn files(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut v: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    v.sort();
    v
}

/// The well-run example manifest with its website and docs at `website`
/// and `docs` (a test's loopback front), so that collecting it looks up no
/// name on the internet.
/// `vetted collect` flags that ask none of the registry, the breach list
/// or OSV (their tests are in tests/outside_in.rs) and keep no cache:
/// nothing is asked of the internet.
pub const NO_THIRD_PARTIES: [&str; 4] = ["--no-rdap", "--no-breaches", "--no-osv", "--no-cache"];

/// Runs `vetted` with `args` off the async runtime: exit code, stdout,
/// stderr.
pub async fn run_vetted(args: Vec<String>) -> (Option<i32>, String, String) {
    tokio::task::spawn_blocking(move || {
        let out = assert_cmd::Command::cargo_bin("vetted")
            .unwrap()
            .args(&args)
            .output()
            .unwrap();
        (
            out.status.code(),
            String::from_utf8(out.stdout).unwrap(),
            String::from_utf8(out.stderr).unwrap(),
        )
    })
    .await
    .unwrap()
}

/// A vendor with only a website, at `website`.
pub fn vendor_at(website: String) -> vetted::manifest::Vendor {
    vetted::manifest::Vendor {
        name: "Test".into(),
        website: Some(website),
        docs: None,
        repository: None,
        egress_ips: vec![],
        providers: vec![],
        packages: vec![],
    }
}

/// `manifest` without the answers to `ids` (each a block under `answers:`
/// that starts with `  ID:`), so that a collector is seen filling them.
pub fn without_answers(manifest: &str, ids: &[&str]) -> String {
    let mut out = String::new();
    let mut skipping = false;
    for line in manifest.split_inclusive('\n') {
        let starts_answer = line.starts_with("  ") && !line.starts_with("   ");
        if starts_answer {
            skipping = ids.iter().any(|id| line.starts_with(&format!("  {id}:")));
        }
        if !skipping {
            out.push_str(line);
        }
    }
    out
}

pub fn well_run_example_at(website: &str, docs: &str) -> String {
    std::fs::read_to_string("examples/well-run-saas-bot.yaml")
        .unwrap()
        .replace("https://tidewater.example\n", &format!("{website}\n"))
        .replace("https://docs.tidewater.example\n", &format!("{docs}\n"))
}

/// The value of a collected fact, which must be there.
pub fn value(c: &vetted::manifest::Collected, fact: &str) -> serde_json::Value {
    c.facts
        .get(fact)
        .unwrap_or_else(|| panic!("no fact {fact}: {c:#?}"))
        .value
        .clone()
}
