//! `vetted key verify` against a mock of each exchange on loopback
//! (wiremock behind the TLS front of the collect tests). Each mock checks
//! the request's signature by recomputing it as the exchange documents it
//! (an implementation of its own here, not vetted's), answers with the
//! documented response shapes, and fails the test on any request to
//! another endpoint or with another method. Nothing reaches the internet.

mod support;

use std::sync::{Arc, Mutex};

use base64::Engine;
use support::{TlsFront, VENDOR, tls_front};
use vetted::evidence::fetch::HttpFetcher;
use vetted::key::{Credentials, Exchange, KeyError, Now, Observation, Secret};
use vetted::rules::Permission;
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

const KEY: &str = "test-key-id-0123456789abcdef";
/// Base64, as Kraken's secrets are; fine as an HMAC key for the others.
const SECRET: &str = "c2VjcmV0LXRoYXQtbXVzdC1uZXZlci1iZS1zaG93bi0wMTIzNDU2Nzg5";
const PASSPHRASE: &str = "correct horse battery staple";

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Scenario {
    Granted,
    Withdrawal,
    IpRestricted,
    Expired,
    IpRefused,
    BadSignature,
    ClockSkew,
    RateLimited,
}

const ALL: [Scenario; 8] = [
    Scenario::Granted,
    Scenario::Withdrawal,
    Scenario::IpRestricted,
    Scenario::Expired,
    Scenario::IpRefused,
    Scenario::BadSignature,
    Scenario::ClockSkew,
    Scenario::RateLimited,
];

fn hmac(alg: ring::hmac::Algorithm, key: &[u8], msg: &[u8]) -> Vec<u8> {
    ring::hmac::sign(&ring::hmac::Key::new(alg, key), msg)
        .as_ref()
        .to_vec()
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

fn b64(b: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(b)
}

fn head<'r>(r: &'r Request, name: &str) -> &'r str {
    r.headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
}

/// A mock exchange: the key it knows, the scenario it plays, the public
/// key of a Coinbase CDP key, and every request it saw.
struct Mock1 {
    exchange: Exchange,
    scenario: Scenario,
    coinbase_public: Vec<u8>,
    seen: Arc<Mutex<Vec<String>>>,
}

impl Mock1 {
    /// Whether the request is signed as the exchange documents, with the
    /// key it knows (the secret it knows differs in the bad-signature
    /// scenario: the client signed with another).
    fn signed(&self, r: &Request) -> bool {
        let secret = SECRET.as_bytes();
        let path = r.url.path();
        let query = r.url.query().unwrap_or_default();
        let sha256 = ring::hmac::HMAC_SHA256;
        match self.exchange {
            Exchange::Binance => {
                let Some((signed, sig)) = query.rsplit_once("&signature=") else {
                    return false;
                };
                head(r, "X-MBX-APIKEY") == KEY
                    && signed.contains("timestamp=")
                    && hex(&hmac(sha256, secret, signed.as_bytes())) == sig
            }
            Exchange::Okx => {
                let ts = head(r, "OK-ACCESS-TIMESTAMP");
                let prehash = format!("{ts}GET{path}");
                head(r, "OK-ACCESS-KEY") == KEY
                    && head(r, "OK-ACCESS-PASSPHRASE") == PASSPHRASE
                    && ts.ends_with('Z')
                    && head(r, "OK-ACCESS-SIGN") == b64(&hmac(sha256, secret, prehash.as_bytes()))
            }
            Exchange::Bybit => {
                let prehash = format!(
                    "{}{KEY}{}{query}",
                    head(r, "X-BAPI-TIMESTAMP"),
                    head(r, "X-BAPI-RECV-WINDOW")
                );
                head(r, "X-BAPI-API-KEY") == KEY
                    && head(r, "X-BAPI-SIGN") == hex(&hmac(sha256, secret, prehash.as_bytes()))
            }
            Exchange::Kucoin => {
                let prehash = format!("{}GET{path}", head(r, "KC-API-TIMESTAMP"));
                head(r, "KC-API-KEY") == KEY
                    && head(r, "KC-API-KEY-VERSION") == "2"
                    && head(r, "KC-API-PASSPHRASE")
                        == b64(&hmac(sha256, secret, PASSPHRASE.as_bytes()))
                    && head(r, "KC-API-SIGN") == b64(&hmac(sha256, secret, prehash.as_bytes()))
            }
            Exchange::Kraken => {
                let body = String::from_utf8_lossy(&r.body).to_string();
                let Some(nonce) = body.strip_prefix("nonce=") else {
                    return false;
                };
                let decoded = base64::engine::general_purpose::STANDARD
                    .decode(SECRET)
                    .unwrap();
                let inner = ring::digest::digest(
                    &ring::digest::SHA256,
                    format!("{nonce}{body}").as_bytes(),
                );
                let mut msg = path.as_bytes().to_vec();
                msg.extend_from_slice(inner.as_ref());
                head(r, "API-Key") == KEY
                    && head(r, "API-Sign") == b64(&hmac(ring::hmac::HMAC_SHA512, &decoded, &msg))
            }
            Exchange::Coinbase => {
                let Some(jwt) = head(r, "Authorization").strip_prefix("Bearer ") else {
                    return false;
                };
                let parts: Vec<&str> = jwt.split('.').collect();
                let url64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
                let (Ok(h), Ok(c), Ok(sig)) = (
                    url64.decode(parts[0]),
                    url64.decode(parts.get(1).unwrap_or(&"")),
                    url64.decode(parts.get(2).unwrap_or(&"")),
                ) else {
                    return false;
                };
                let h: serde_json::Value = serde_json::from_slice(&h).unwrap_or_default();
                let c: serde_json::Value = serde_json::from_slice(&c).unwrap_or_default();
                // The name the client asked for (the Host header, without
                // the port), as the JWT's `uri` must carry it.
                let host = head(r, "Host").split(':').next().unwrap_or_default();
                let uri = format!("GET {host}{path}");
                h["alg"] == "ES256"
                    && h["kid"] == KEY
                    && c["sub"] == KEY
                    && c["iss"] == "cdp"
                    && c["uri"] == uri
                    && ring::signature::UnparsedPublicKey::new(
                        &ring::signature::ECDSA_P256_SHA256_FIXED,
                        &self.coinbase_public,
                    )
                    .verify(format!("{}.{}", parts[0], parts[1]).as_bytes(), &sig)
                    .is_ok()
            }
        }
    }
}

/// The documented answers of each exchange, per scenario.
fn answer(exchange: Exchange, s: Scenario) -> ResponseTemplate {
    use Scenario as S;
    let json = |status: u16, v: serde_json::Value| ResponseTemplate::new(status).set_body_json(v);
    let withdraw = s == S::Withdrawal;
    let bound = s == S::IpRestricted;
    match exchange {
        Exchange::Binance => match s {
            S::IpRefused => json(401, serde_json::json!({"code": -2015, "msg": "Invalid API-key, IP, or permissions for action."})),
            // Exchanges echo what they were sent now and then: the key id
            // whole, and cut where vetted cuts the exchange's words.
            S::BadSignature => json(400, serde_json::json!({"code": -1022, "msg": format!("Signature for this request is not valid for {KEY}. {}{KEY}", "x".repeat(260))})),
            S::ClockSkew => json(400, serde_json::json!({"code": -1021, "msg": "Timestamp for this request is outside of the recvWindow."}))
                .insert_header("Date", "Sun, 06 Nov 1994 08:49:37 GMT"),
            S::RateLimited => json(429, serde_json::json!({"code": -1003, "msg": "Too many requests."})).insert_header("Retry-After", "30"),
            _ => json(200, serde_json::json!({"ipRestrict": bound, "createTime": 1698645219000_i64, "enableReading": true,
                "enableWithdrawals": withdraw, "enableInternalTransfer": false, "enableMargin": false, "enableFutures": false,
                "permitsUniversalTransfer": false, "enableVanillaOptions": false, "enableFixApiTrade": false,
                "enableFixReadOnly": true, "enableSpotAndMarginTrading": true, "enablePortfolioMarginTrading": false})),
        },
        Exchange::Okx => match s {
            S::IpRefused => json(401, serde_json::json!({"code": "50110", "msg": "Your IP 192.0.2.1 is not included in your API key's IP whitelist.", "data": []})),
            S::BadSignature => json(401, serde_json::json!({"code": "50113", "msg": format!("Invalid Sign for {KEY} with passphrase {PASSPHRASE}"), "data": []})),
            S::ClockSkew => json(401, serde_json::json!({"code": "50102", "msg": "Timestamp request expired", "data": []})),
            S::RateLimited => json(429, serde_json::json!({"code": "50011", "msg": "Too Many Requests", "data": []})),
            _ => json(200, serde_json::json!({"code": "0", "msg": "", "data": [{"uid": "44705892343619584", "acctLv": "2",
                "perm": if withdraw { "read_only,trade,withdraw" } else { "read_only,trade" },
                "ip": if bound { "203.0.113.5" } else { "" }, "label": "vendor bot"}]})),
        },
        Exchange::Bybit => match s {
            S::IpRefused => json(200, serde_json::json!({"retCode": 10010, "retMsg": "Unmatched IP, please check your API key's bound IP addresses.", "result": {}})),
            S::BadSignature => json(200, serde_json::json!({"retCode": 10004, "retMsg": format!("error sign! origin_string[{KEY}5000]"), "result": {}})),
            S::ClockSkew => json(200, serde_json::json!({"retCode": 10002, "retMsg": "invalid request, please check your server timestamp or recv_window param", "result": {}})),
            S::RateLimited => json(200, serde_json::json!({"retCode": 10006, "retMsg": "Too many visits!", "result": {}})),
            _ => json(200, serde_json::json!({"retCode": 0, "retMsg": "", "result": {"id": "13770661", "note": "bot", "apiKey": KEY,
                "readOnly": 0, "secret": "", "permissions": {"ContractTrade": [], "Spot": ["SpotTrade"],
                "Wallet": if withdraw { serde_json::json!(["Withdraw"]) } else { serde_json::json!([]) },
                "Options": [], "Derivatives": [], "Exchange": [], "Earn": []},
                "ips": if bound { serde_json::json!(["203.0.113.5"]) } else { serde_json::json!(["*"]) },
                "type": 1, "deadlineDay": 0,
                "expiredAt": if s == S::Expired { "2026-01-01T00:00:00Z" } else { "" },
                "createdAt": "2026-01-01T00:00:00Z"}})),
        },
        Exchange::Kucoin => match s {
            S::IpRefused => json(400, serde_json::json!({"code": "400006", "msg": "The IP address is not in the API whitelist"})),
            S::BadSignature => json(401, serde_json::json!({"code": "400005", "msg": format!("Invalid KC-API-SIGN for key {KEY}")})),
            S::ClockSkew => json(401, serde_json::json!({"code": "400002", "msg": "KC-API-TIMESTAMP Invalid"})),
            S::RateLimited => json(429, serde_json::json!({"code": "429000", "msg": "Too Many Requests"})),
            _ => json(200, serde_json::json!({"code": "200000", "data": {"remark": "bot", "apiKey": KEY, "apiVersion": 3,
                "permission": if withdraw { "General,Spot,Transfer" } else { "General,Spot" },
                "ipWhitelist": if bound { "203.0.113.5" } else { "" }, "isMaster": true, "createdAt": 1728443843000_i64}})),
        },
        Exchange::Kraken => match s {
            S::IpRefused => json(200, serde_json::json!({"error": ["EGeneral:Permission denied"]})),
            S::BadSignature => json(200, serde_json::json!({"error": ["EAPI:Invalid signature", format!("EGeneral:Invalid arguments:API-Key {KEY}")]})),
            S::ClockSkew => json(200, serde_json::json!({"error": ["EAPI:Invalid nonce"]})),
            S::RateLimited => json(200, serde_json::json!({"error": ["EAPI:Rate limit exceeded"]})),
            _ => {
                let mut perms = vec!["query-funds", "query-open-trades", "modify-trades"];
                if withdraw {
                    perms.push("withdraw-funds");
                }
                json(200, serde_json::json!({"error": [], "result": {"apiKeyName": "bot", "apiKey": KEY, "nonce": "1", "nonceWindow": 0,
                    "permissions": perms, "iban": "AA88 N84G WOAK NMOI",
                    "validUntil": if s == S::Expired { "1767225600" } else { "0" },
                    "queryFrom": "0", "queryTo": "0", "createdTime": "1772542900", "modifiedTime": "1772543095",
                    "ipAllowlist": if bound { serde_json::json!(["203.0.113.5"]) } else { serde_json::json!([]) },
                    "lastUsed": "1772627061"}}))
            }
        },
        Exchange::Coinbase => match s {
            S::IpRefused | S::BadSignature => json(401, serde_json::json!({"error": "unauthorized", "message": "Unauthorized"})),
            S::ClockSkew => json(401, serde_json::json!({"error": "unauthorized", "message": "Unauthorized"}))
                .insert_header("Date", "Sun, 06 Nov 1994 08:49:37 GMT"),
            S::RateLimited => json(429, serde_json::json!({"error": "rate_limit", "message": "Too many requests"})),
            _ => json(200, serde_json::json!({"can_view": true, "can_trade": true, "can_transfer": withdraw,
                "portfolio_uuid": "3f9f9b3e-0000-4000-8000-000000000000", "portfolio_type": "DEFAULT"})),
        },
    }
}

impl Respond for Mock1 {
    fn respond(&self, r: &Request) -> ResponseTemplate {
        self.seen
            .lock()
            .unwrap()
            .push(format!("{} {}", r.method, r.url.path()));
        let (method, path) = self.exchange.endpoint();
        let method = match method {
            vetted::evidence::fetch::Method::Get => "GET",
            vetted::evidence::fetch::Method::Post => "POST",
        };
        // Any other endpoint or method fails the test (see `seen`).
        if r.method.as_str() != method || r.url.path() != path {
            return ResponseTemplate::new(599);
        }
        let signed = self.signed(r);
        if self.scenario == Scenario::BadSignature {
            assert!(
                !signed,
                "the client signed with a secret the exchange does not know"
            );
            return answer(self.exchange, Scenario::BadSignature);
        }
        if !signed {
            return ResponseTemplate::new(599).set_body_string("bad signature");
        }
        answer(self.exchange, self.scenario)
    }
}

struct Stage {
    /// Never dropped: wiremock's drop blocks on its own verification, which
    /// can wait forever for the runtime thread it runs on.
    _server: std::mem::ManuallyDrop<MockServer>,
    front: TlsFront,
    seen: Arc<Mutex<Vec<String>>>,
}

impl Stage {
    /// Every request the mock saw was the one read-only endpoint.
    fn only_read_only(&self, exchange: Exchange) {
        let (method, path) = exchange.endpoint();
        let method = format!("{method:?}").to_uppercase();
        let seen = self.seen.lock().unwrap();
        assert!(!seen.is_empty(), "the exchange was asked");
        for s in seen.iter() {
            assert_eq!(
                s,
                &format!("{method} {path}"),
                "only the read-only endpoint"
            );
        }
    }
}

/// A Coinbase CDP key pair: the PEM (SEC1, as CDP downloads it) and the
/// public key.
fn cdp_key() -> (String, Vec<u8>) {
    use ring::signature::KeyPair;
    let rng = ring::rand::SystemRandom::new();
    let alg = &ring::signature::ECDSA_P256_SHA256_FIXED_SIGNING;
    let pkcs8 = ring::signature::EcdsaKeyPair::generate_pkcs8(alg, &rng).unwrap();
    let pair = ring::signature::EcdsaKeyPair::from_pkcs8(alg, pkcs8.as_ref(), &rng).unwrap();
    let der = pkcs8.as_ref();
    let at = der
        .windows(4)
        .position(|w| w == [0x04, 0x6d, 0x30, 0x6b])
        .unwrap();
    let pem = format!(
        "-----BEGIN EC PRIVATE KEY-----\n{}\n-----END EC PRIVATE KEY-----\n",
        b64(&der[at + 2..])
    );
    (pem, pair.public_key().as_ref().to_vec())
}

async fn stage(exchange: Exchange, scenario: Scenario, coinbase_public: Vec<u8>) -> Stage {
    let server = MockServer::start().await;
    let seen = Arc::new(Mutex::new(Vec::new()));
    Mock::given(wiremock::matchers::any())
        .respond_with(Mock1 {
            exchange,
            scenario,
            coinbase_public,
            seen: seen.clone(),
        })
        .mount(&server)
        .await;
    let front = tls_front(*server.address()).await;
    Stage {
        _server: std::mem::ManuallyDrop::new(server),
        front,
        seen,
    }
}

fn credentials(exchange: Exchange, scenario: Scenario, pem: &str) -> Credentials {
    let secret = match (exchange, scenario) {
        (Exchange::Coinbase, _) => pem.to_string(),
        (_, Scenario::BadSignature) => {
            "b3RoZXItc2VjcmV0LXRoZS1leGNoYW5nZS1kb2VzLW5vdC1rbm93".into()
        }
        _ => SECRET.to_string(),
    };
    Credentials {
        key: Secret::new(KEY.into()),
        secret: Secret::new(secret),
        passphrase: exchange
            .needs_passphrase()
            .then(|| Secret::new(PASSPHRASE.into())),
    }
}

/// Every exchange, every documented scenario, through the real HTTP
/// client: the right observation or the right error, and only the
/// read-only endpoint asked.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_exchange_every_scenario() {
    let (pem, public) = cdp_key();
    let mut other_pem = cdp_key().0;
    for exchange in Exchange::ALL {
        for scenario in ALL {
            let st = stage(exchange, scenario, public.clone()).await;
            let fetcher = HttpFetcher::new(st.front.options()).unwrap();
            let base = url::Url::parse(&st.front.url("/")).unwrap();
            let key_pem = if exchange == Exchange::Coinbase && scenario == Scenario::BadSignature {
                std::mem::take(&mut other_pem)
            } else {
                pem.clone()
            };
            let creds = credentials(exchange, scenario, &key_pem);
            let got = vetted::key::verify(exchange, &creds, &base, &Now::system(), &fetcher).await;
            let what = format!("{exchange:?} {scenario:?}: {got:?}");
            use Scenario as S;
            match (scenario, &got) {
                (S::Granted | S::IpRestricted | S::Expired, Ok(Observation::Verified(o))) => {
                    assert!(o.permissions.contains(&Permission::Trade), "{what}");
                    assert!(!o.permissions.contains(&Permission::Withdraw), "{what}");
                    if scenario == S::IpRestricted && exchange != Exchange::Coinbase {
                        assert_eq!(o.ip_restricted, Some(true), "{what}");
                    }
                }
                (S::Withdrawal, Ok(Observation::Verified(o))) => {
                    assert!(o.permissions.contains(&Permission::Withdraw), "{what}")
                }
                // Binance and Kraken give the same refusal for a wrong key:
                // an error, never proof of an allow-list.
                (S::IpRefused, Err(KeyError::Ambiguous { .. }))
                    if matches!(exchange, Exchange::Binance | Exchange::Kraken) => {}
                (S::IpRefused, Ok(Observation::IpRefused { .. }))
                    if !matches!(exchange, Exchange::Binance | Exchange::Kraken) => {}
                (S::IpRefused | S::BadSignature, Err(KeyError::Rejected { .. }))
                    if exchange == Exchange::Coinbase || scenario == S::BadSignature => {}
                (S::ClockSkew, Err(KeyError::ClockSkew { offset_secs, .. })) => {
                    if matches!(exchange, Exchange::Binance | Exchange::Coinbase) {
                        assert!(offset_secs.is_some_and(|o| o < -1_000_000), "{what}");
                    }
                }
                (S::RateLimited, Err(KeyError::RateLimited { .. })) => {}
                _ => panic!("unexpected: {what}"),
            }
            if let Err(e) = &got {
                assert!(!creds.leaks_into(&e.to_string()), "{what}");
            }
            st.only_read_only(exchange);
        }
    }
}

/// The two scenarios that carry an expiry do, where the exchange says it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn expiry_is_read_where_documented() {
    for exchange in [Exchange::Bybit, Exchange::Kraken] {
        let st = stage(exchange, Scenario::Expired, Vec::new()).await;
        let fetcher = HttpFetcher::new(st.front.options()).unwrap();
        let base = url::Url::parse(&st.front.url("/")).unwrap();
        let creds = credentials(exchange, Scenario::Expired, "");
        let Ok(Observation::Verified(o)) =
            vetted::key::verify(exchange, &creds, &base, &Now::system(), &fetcher).await
        else {
            panic!("{exchange:?}")
        };
        assert_eq!(
            o.expires.map(|d| d.to_string()).as_deref(),
            Some("2026-01-01"),
            "{exchange:?}"
        );
    }
}

/// A manifest with one key on `exchange`, labelled `bot`.
fn manifest(exchange: &str) -> String {
    format!(
        "vendor: {{name: V, egress-ips: [203.0.113.0/28]}}\n\
         integration:\n  purpose: P\n  checklists: [baseline, exchange-keys]\n  permissions: [read, trade]\n  \
         keys:\n    - {{exchange: {exchange}, label: bot, created: 2026-01-01, permissions: [read, trade], ip-restricted: true}}\n\
         assessment: {{assessor: A, date: 2026-11-20}}\n"
    )
}

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
    file: String,
}

/// Runs the binary against the stage, with `stdin`.
fn run(st: &Stage, exchange: &str, stdin: &str, extra: &[&str]) -> (Run, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let m = dir.path().join("m.yaml");
    std::fs::write(&m, manifest(exchange)).unwrap();
    let ca = dir.path().join("ca.pem");
    std::fs::write(&ca, &st.front.ca_pem).unwrap();
    let base = st.front.url("/");
    let pin = format!("{VENDOR}:{}:127.0.0.1", st.front.addr.port());
    let out = assert_cmd::Command::cargo_bin("vetted")
        .unwrap()
        .args([
            "key",
            "verify",
            m.to_str().unwrap(),
            "--key",
            "bot",
            "--as-of",
            "2026-11-30",
        ])
        .args([
            "--base-url",
            &base,
            "--ca-cert",
            ca.to_str().unwrap(),
            "--resolve",
            &pin,
        ])
        .args(extra)
        .write_stdin(stdin)
        .output()
        .unwrap();
    let run = Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        file: std::fs::read_to_string(&m).unwrap(),
    };
    (run, dir)
}

fn stdin_for(exchange: Exchange, pem: &str) -> String {
    match exchange {
        Exchange::Coinbase => format!("{KEY}\n{pem}"),
        e if e.needs_passphrase() => format!("{KEY}\n{SECRET}\n{PASSPHRASE}\n"),
        _ => format!("{KEY}\n{SECRET}\n"),
    }
}

/// End to end, for each exchange: the key piped in, a verdict printed,
/// the observation recorded in the manifest, which still loads and which
/// `assess` then judges by the observed facts.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_command_records_what_the_exchange_said() {
    let (pem, public) = cdp_key();
    for exchange in Exchange::ALL {
        let name = exchange.name();
        let st = stage(exchange, Scenario::Withdrawal, public.clone()).await;
        let (r, dir) = run(&st, name, &stdin_for(exchange, &pem), &[]);
        assert_eq!(
            r.code, 1,
            "{name}: does not match\n{}\n{}",
            r.stdout, r.stderr
        );
        assert!(
            r.stdout.contains("does not match the policy"),
            "{}",
            r.stdout
        );
        assert!(
            r.stdout
                .contains("withdraw funds (the policy never grants it)"),
            "{}",
            r.stdout
        );
        assert!(
            r.stdout.contains(&format!(
                "turn off \"{}\"",
                exchange.setting(Permission::Withdraw)
            )),
            "{}",
            r.stdout
        );
        assert!(r.file.contains("outcome: verified"), "{}", r.file);
        assert!(r.file.contains("source: observed"), "{}", r.file);
        assert!(r.file.contains("- withdraw"), "{}", r.file);
        assert!(r.file.contains("fingerprint: sha256:"), "{}", r.file);
        // The observed withdrawal overrides the typed [read, trade]: the
        // policy's never-grant gate acts, and the disagreement is a finding.
        let report = assert_cmd::Command::cargo_bin("vetted")
            .unwrap()
            .args([
                "assess",
                dir.path().join("m.yaml").to_str().unwrap(),
                "--as-of",
                "2026-11-30",
                "--format",
                "json",
            ])
            .output()
            .unwrap();
        let report: serde_json::Value = serde_json::from_slice(&report.stdout).unwrap();
        let findings = report["findings"].as_array().unwrap();
        assert!(
            findings.iter().any(|f| f["id"] == "key.bot.permissions"),
            "{name}: {findings:#?}"
        );
        assert_eq!(report["summary"]["verdict"], "reject", "{name}");
        st.only_read_only(exchange);
    }
}

/// On every failure path, and on success, neither key id, secret nor
/// passphrase appears on stdout, stderr, in the manifest, or in the
/// report of the manifest.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_secret_appears_nowhere() {
    let (pem, public) = cdp_key();
    for exchange in Exchange::ALL {
        for scenario in ALL {
            let st = stage(exchange, scenario, public.clone()).await;
            let mut input = stdin_for(exchange, &pem);
            if scenario == Scenario::BadSignature {
                input = input.replace(
                    SECRET,
                    "b3RoZXItc2VjcmV0LXRoZS1leGNoYW5nZS1kb2VzLW5vdC1rbm93",
                );
                if exchange == Exchange::Coinbase {
                    input = stdin_for(exchange, &cdp_key().0);
                }
            }
            let (r, dir) = run(&st, exchange.name(), &input, &[]);
            let report = assert_cmd::Command::cargo_bin("vetted")
                .unwrap()
                .args([
                    "assess",
                    dir.path().join("m.yaml").to_str().unwrap(),
                    "--as-of",
                    "2026-11-30",
                ])
                .output()
                .unwrap();
            let report = String::from_utf8_lossy(&report.stdout).into_owned();
            for text in [&r.stdout, &r.stderr, &r.file, &report] {
                for secret in [KEY, SECRET, PASSPHRASE, pem.lines().nth(1).unwrap()] {
                    assert!(
                        !text.contains(secret),
                        "{exchange:?} {scenario:?} leaks:\n{text}"
                    );
                }
            }
            let failed = matches!(
                scenario,
                Scenario::ClockSkew | Scenario::RateLimited | Scenario::BadSignature
            ) || (matches!(
                exchange,
                Exchange::Coinbase | Exchange::Binance | Exchange::Kraken
            ) && scenario == Scenario::IpRefused);
            if failed {
                assert_eq!(r.code, 4, "{exchange:?} {scenario:?}: {}", r.stderr);
                assert!(r.stderr.contains("error[key-unverified]"), "{}", r.stderr);
                assert!(!r.file.contains("observed:"), "nothing recorded");
            }
        }
    }
}

/// Clock skew is reported with the offset the exchange's Date gives.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn clock_skew_names_the_offset() {
    let st = stage(Exchange::Binance, Scenario::ClockSkew, Vec::new()).await;
    let (r, _dir) = run(&st, "Binance", &format!("{KEY}\n{SECRET}\n"), &[]);
    assert_eq!(r.code, 4);
    assert!(
        r.stderr.contains("s ahead of the exchange's"),
        "{}",
        r.stderr
    );
}

/// An IP refusal is recorded as evidence of an allow-list, with advice.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_ip_refusal_is_recorded_with_advice() {
    let st = stage(Exchange::Okx, Scenario::IpRefused, Vec::new()).await;
    let (r, _dir) = run(&st, "OKX", &format!("{KEY}\n{SECRET}\n{PASSPHRASE}\n"), &[]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.contains("refused this address"), "{}", r.stdout);
    assert!(
        r.stdout.contains("verify a key before binding it"),
        "{}",
        r.stdout
    );
    assert!(r.file.contains("outcome: ip-refused"), "{}", r.file);
}

/// --dry-run writes nothing; a key that matches exits 0.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_matching_key_in_a_dry_run() {
    let st = stage(Exchange::Kraken, Scenario::IpRestricted, Vec::new()).await;
    let (r, _dir) = run(&st, "Kraken", &format!("{KEY}\n{SECRET}\n"), &["--dry-run"]);
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    assert!(r.stdout.contains("matches the policy"), "{}", r.stdout);
    assert!(r.stdout.contains("was not changed"), "{}", r.stdout);
    assert_eq!(r.file, manifest("Kraken"));
}

/// Without --allow-private-network, a base URL on an internal address is
/// refused before anything is read or sent.
#[test]
fn an_internal_base_url_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let m = dir.path().join("m.yaml");
    std::fs::write(&m, manifest("Binance")).unwrap();
    let out = assert_cmd::Command::cargo_bin("vetted")
        .unwrap()
        .args([
            "key",
            "verify",
            m.to_str().unwrap(),
            "--key",
            "bot",
            "--base-url",
            "https://127.0.0.1:9/",
        ])
        .write_stdin(format!("{KEY}\n{SECRET}\n"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("loopback"), "{err}");
}

/// The key id and a signature go only to a bare host: a path, query,
/// fragment or user name in --base-url is refused before anything is read.
#[test]
fn a_base_url_with_more_than_a_host_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let m = dir.path().join("m.yaml");
    std::fs::write(&m, manifest("Binance")).unwrap();
    for base in [
        "https://api.binance.us/sapi/v1/other",
        "https://api.binance.us/?x=1",
        "https://user@api.binance.us/",
        "https://api.binance.us/#f",
    ] {
        let out = assert_cmd::Command::cargo_bin("vetted")
            .unwrap()
            .args([
                "key",
                "verify",
                m.to_str().unwrap(),
                "--key",
                "bot",
                "--base-url",
                base,
            ])
            .write_stdin(format!("{KEY}\n{SECRET}\n"))
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{base}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("bare host"), "{base}: {err}");
        assert!(!err.contains(KEY) && !err.contains(SECRET));
    }
}
