//! One module per exchange, each with exactly one request builder (for its
//! documented read-only key-information endpoint, a constant path), a pure
//! `sign` function and a pure `parse` of the documented response into
//! [`Observation`]. Nothing else in `vetted` builds a [`SignedRequest`],
//! and a `SignedRequest` is the only thing a [`super::Transport`] sends:
//! no code path can reach an endpoint that trades or moves funds.

pub mod binance;
pub mod bybit;
pub mod coinbase;
pub mod kraken;
pub mod kucoin;
pub mod okx;

use std::collections::BTreeSet;

use base64::Engine;
use url::Url;

use super::secret::{Credentials, Secret};
use super::{KeyError, Observation, Observed};
use crate::evidence::fetch::{Method, Reply};
use crate::rules::Permission;

/// The exchanges `vetted key verify` can ask.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Exchange {
    /// Binance.
    Binance,
    /// OKX.
    Okx,
    /// Bybit.
    Bybit,
    /// Coinbase Advanced Trade (CDP keys).
    Coinbase,
    /// Kraken (spot).
    Kraken,
    /// KuCoin.
    Kucoin,
}

impl Exchange {
    /// Every exchange, in the order of the documentation.
    pub const ALL: [Exchange; 6] = [
        Exchange::Binance,
        Exchange::Okx,
        Exchange::Bybit,
        Exchange::Coinbase,
        Exchange::Kraken,
        Exchange::Kucoin,
    ];

    /// The exchange a manifest's `exchange:` names, ignoring case, spaces
    /// and dashes (`Coinbase Advanced Trade`, `okx`, `KuCoin`).
    pub fn from_name(name: &str) -> Option<Exchange> {
        let n: String = name
            .chars()
            .filter(|c| c.is_ascii_alphanumeric())
            .map(|c| c.to_ascii_lowercase())
            .collect();
        Some(match n.as_str() {
            "binance" | "binancecom" => Exchange::Binance,
            "okx" | "okex" => Exchange::Okx,
            "bybit" => Exchange::Bybit,
            "coinbase" | "coinbaseadvanced" | "coinbaseadvancedtrade" | "coinbasepro" => {
                Exchange::Coinbase
            }
            "kraken" => Exchange::Kraken,
            "kucoin" => Exchange::Kucoin,
            _ => return None,
        })
    }

    /// Its name.
    pub fn name(self) -> &'static str {
        match self {
            Exchange::Binance => "Binance",
            Exchange::Okx => "OKX",
            Exchange::Bybit => "Bybit",
            Exchange::Coinbase => "Coinbase",
            Exchange::Kraken => "Kraken",
            Exchange::Kucoin => "KuCoin",
        }
    }

    /// The official API host (`--base-url` replaces it).
    pub fn base(self) -> &'static str {
        match self {
            Exchange::Binance => "https://api.binance.com",
            Exchange::Okx => "https://www.okx.com",
            Exchange::Bybit => "https://api.bybit.com",
            Exchange::Coinbase => "https://api.coinbase.com",
            Exchange::Kraken => "https://api.kraken.com",
            Exchange::Kucoin => "https://api.kucoin.com",
        }
    }

    /// The one endpoint asked, as (method, path).
    pub fn endpoint(self) -> (Method, &'static str) {
        match self {
            Exchange::Binance => (Method::Get, binance::PATH),
            Exchange::Okx => (Method::Get, okx::PATH),
            Exchange::Bybit => (Method::Get, bybit::PATH),
            Exchange::Coinbase => (Method::Get, coinbase::PATH),
            Exchange::Kraken => (Method::Post, kraken::PATH),
            Exchange::Kucoin => (Method::Get, kucoin::PATH),
        }
    }

    /// Whether its keys come with a passphrase that signs too.
    pub fn needs_passphrase(self) -> bool {
        matches!(self, Exchange::Okx | Exchange::Kucoin)
    }

    /// Where a person changes a key.
    pub fn key_page(self) -> &'static str {
        match self {
            Exchange::Binance => "Binance, Account > API Management, Edit restrictions",
            Exchange::Okx => "OKX, Profile > API keys, Edit",
            Exchange::Bybit => "Bybit, Account > API, Edit",
            Exchange::Coinbase => "the Coinbase Developer Platform portal, API Keys, Edit",
            Exchange::Kraken => "Kraken, Settings > API, Edit key",
            Exchange::Kucoin => "KuCoin, Account > API Management, Edit",
        }
    }

    /// The name of the setting that grants `p` on the key page.
    pub fn setting(self, p: Permission) -> &'static str {
        use Permission as P;
        match (self, p) {
            (Exchange::Binance, P::Withdraw) => "Enable Withdrawals",
            (Exchange::Binance, P::Transfer) => {
                "Permits Universal Transfer / Enable Internal Transfer"
            }
            (Exchange::Binance, P::Margin) => "Enable Margin Loan, Repay & Transfer",
            (Exchange::Binance, P::Futures) => "Enable Futures",
            (Exchange::Binance, P::Options) => "Enable European Options",
            (Exchange::Binance, P::Trade) => "Enable Spot & Margin Trading",
            (Exchange::Binance, _) => "Enable Reading",
            (Exchange::Okx, P::Withdraw) => "Withdraw",
            (Exchange::Okx, P::Trade) => "Trade",
            (Exchange::Okx, _) => "Read",
            (Exchange::Bybit, P::Withdraw) => "Assets > Withdrawal",
            (Exchange::Bybit, P::Transfer) => "Assets > Account Transfer / Subaccount Transfer",
            (Exchange::Bybit, P::Futures) => "Contracts / Derivatives (Orders, Positions)",
            (Exchange::Bybit, P::Options) => "USDC Contracts (Options)",
            (Exchange::Bybit, P::Trade) => "Spot (Trade) / Exchange (Convert)",
            (Exchange::Bybit, _) => "Read-Only",
            (Exchange::Coinbase, P::Transfer | P::Withdraw) => "Transfer",
            (Exchange::Coinbase, P::Trade) => "Trade",
            (Exchange::Coinbase, _) => "View",
            (Exchange::Kraken, P::Withdraw) => "Withdraw Funds",
            (Exchange::Kraken, P::Transfer) => "Earn Funds",
            (Exchange::Kraken, P::Trade) => "Create & Modify Orders / Cancel & Close Orders",
            (Exchange::Kraken, _) => "Query Funds / Query Orders & Trades",
            (Exchange::Kucoin, P::Withdraw) => "Transfer (withdrawals)",
            (Exchange::Kucoin, P::Transfer) => "Inner Transfer / Earn",
            (Exchange::Kucoin, P::Margin) => "Margin Trading",
            (Exchange::Kucoin, P::Futures) => "Futures Trading",
            (Exchange::Kucoin, P::Options) => "Options Trading",
            (Exchange::Kucoin, P::Trade) => "Spot Trading",
            (Exchange::Kucoin, _) => "General",
        }
    }

    /// The error by which the exchange says the key may not be used from
    /// this address.
    pub fn ip_refusal(self) -> &'static str {
        match self {
            Exchange::Binance => "-2015",
            Exchange::Okx => "50110",
            Exchange::Bybit => "10010",
            Exchange::Coinbase => "401 (not told apart from a bad key)",
            Exchange::Kraken => "EGeneral:Permission denied",
            Exchange::Kucoin => "400006",
        }
    }

    /// Builds the one signed request of this exchange.
    pub(crate) fn request(
        self,
        creds: &Credentials,
        base: &Url,
        now: &Now,
    ) -> Result<SignedRequest, KeyError> {
        match self {
            Exchange::Binance => binance::request(creds, base, now),
            Exchange::Okx => okx::request(creds, base, now),
            Exchange::Bybit => bybit::request(creds, base, now),
            Exchange::Coinbase => coinbase::request(creds, base, now),
            Exchange::Kraken => kraken::request(creds, base, now),
            Exchange::Kucoin => kucoin::request(creds, base, now),
        }
    }

    /// Reads the exchange's answer.
    pub fn parse(self, reply: &Reply, now: &Now) -> Result<Observation, KeyError> {
        match self {
            Exchange::Binance => binance::parse(reply, now),
            Exchange::Okx => okx::parse(reply, now),
            Exchange::Bybit => bybit::parse(reply, now),
            Exchange::Coinbase => coinbase::parse(reply, now),
            Exchange::Kraken => kraken::parse(reply, now),
            Exchange::Kucoin => kucoin::parse(reply, now),
        }
    }
}

/// The moment a request is signed: the clock, and for Coinbase's JWT a
/// random nonce. Tests pass fixed values; the CLI the real ones.
#[derive(Clone, Debug)]
pub struct Now {
    /// Milliseconds since the Unix epoch.
    pub unix_ms: i64,
    /// 16 random bytes, hex (the JWT's `nonce`).
    pub nonce: String,
}

impl Now {
    /// The system clock and a fresh random nonce.
    pub fn system() -> Now {
        let unix_ms = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_millis() as i64);
        let mut bytes = [0u8; 16];
        // SystemRandom fails only without an OS random source; a zero
        // nonce is then still a valid (if predictable) JWT nonce.
        let _ = ring::rand::SecureRandom::fill(&ring::rand::SystemRandom::new(), &mut bytes);
        Now {
            unix_ms,
            nonce: hex(&bytes),
        }
    }

    /// ISO 8601 with milliseconds, UTC (OKX's timestamp).
    pub fn iso(&self) -> String {
        let t = time::OffsetDateTime::from_unix_timestamp_nanos(self.unix_ms as i128 * 1_000_000)
            .unwrap_or(time::OffsetDateTime::UNIX_EPOCH);
        format!(
            "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z",
            t.year(),
            t.month() as u8,
            t.day(),
            t.hour(),
            t.minute(),
            t.second(),
            t.millisecond()
        )
    }
}

/// A signed request for one exchange's read-only endpoint. Only the
/// builders in this module make one (the constructor is private to the
/// crate), so a [`super::Transport`] can send nothing else.
#[derive(Debug)]
pub struct SignedRequest {
    method: Method,
    url: Url,
    headers: Vec<(&'static str, Secret)>,
    body: Vec<u8>,
}

impl SignedRequest {
    /// `base` joined with the exchange's constant `path` and `query`.
    fn new(
        method: Method,
        base: &Url,
        path: &'static str,
        query: Option<&str>,
        headers: Vec<(&'static str, Secret)>,
        body: Vec<u8>,
    ) -> Result<SignedRequest, KeyError> {
        let mut url = base.clone();
        let prefix = base.path().trim_end_matches('/');
        url.set_path(&format!("{prefix}{path}"));
        url.set_query(query);
        url.set_fragment(None);
        Ok(SignedRequest {
            method,
            url,
            headers,
            body,
        })
    }

    /// GET or POST.
    pub fn method(&self) -> Method {
        self.method
    }

    /// Where it goes.
    pub fn url(&self) -> &Url {
        &self.url
    }

    /// Its headers, credentials among them: never print them.
    pub fn headers(&self) -> impl Iterator<Item = (&'static str, &str)> {
        self.headers.iter().map(|(n, v)| (*n, v.expose()))
    }

    /// The body (Kraken's form; empty for a GET).
    pub fn body(&self) -> &[u8] {
        &self.body
    }
}

/// Lower-case hex.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Standard base64 with padding.
pub fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// HMAC-SHA256 of `message` under `key`.
pub fn hmac_sha256(key: &[u8], message: &[u8]) -> Vec<u8> {
    let key = ring::hmac::Key::new(ring::hmac::HMAC_SHA256, key);
    ring::hmac::sign(&key, message).as_ref().to_vec()
}

/// The JSON of a reply, or a clear error naming what came instead.
fn json(reply: &Reply, exchange: Exchange) -> Result<serde_json::Value, KeyError> {
    serde_json::from_slice(&reply.body).map_err(|_| {
        if reply.status == 429 || reply.status == 418 {
            return KeyError::RateLimited {
                words: format!("HTTP {}", reply.status),
                retry_after: reply.retry_after.clone(),
            };
        }
        if reply.status >= 500 {
            return KeyError::Unavailable {
                words: format!("HTTP {}", reply.status),
            };
        }
        KeyError::Malformed(format!(
            "{} answered HTTP {} with a body that is not JSON",
            exchange.name(),
            reply.status
        ))
    })
}

/// The reply's status and body as the exchange's own words, shortened.
fn said(code: &str, message: &str) -> String {
    let message: String = message.chars().take(300).collect();
    if code.is_empty() {
        message
    } else {
        format!("{code}: {message}")
    }
}

/// The `code` of an answer shaped `{code, msg, ...}` (OKX, KuCoin), and
/// its words ([`said`]).
fn coded(v: &serde_json::Value) -> (&str, String) {
    let code = v.get("code").and_then(|c| c.as_str()).unwrap_or_default();
    let msg = v.get("msg").and_then(|m| m.as_str()).unwrap_or_default();
    (code, said(code, msg))
}

/// `name: value` for each of `fields` present in `object`, in that order:
/// the exchange's own words, kept in the manifest. Only named fields are
/// kept, so an id, a note or a key the response carries never is.
fn words(object: &serde_json::Value, fields: &[&str]) -> Vec<String> {
    fields
        .iter()
        .filter_map(|f| {
            let v = object.get(*f)?;
            let shown = match v {
                serde_json::Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            Some(format!(
                "{f}: {}",
                shown.chars().take(200).collect::<String>()
            ))
        })
        .collect()
}

/// How far the exchange's clock (its `Date` header) is ahead of ours, in
/// seconds, if it sent one.
pub fn clock_offset(reply: &Reply, now: &Now) -> Option<i64> {
    let server = http_date(reply.date.as_deref()?)?;
    Some(server - now.unix_ms.div_euclid(1000))
}

/// An IMF-fixdate (`Sun, 06 Nov 1994 08:49:37 GMT`) as Unix seconds.
fn http_date(s: &str) -> Option<i64> {
    let mut parts = s.split_whitespace().skip(1);
    let day: u8 = parts.next()?.parse().ok()?;
    let month = match parts.next()? {
        "Jan" => 1,
        "Feb" => 2,
        "Mar" => 3,
        "Apr" => 4,
        "May" => 5,
        "Jun" => 6,
        "Jul" => 7,
        "Aug" => 8,
        "Sep" => 9,
        "Oct" => 10,
        "Nov" => 11,
        "Dec" => 12,
        _ => return None,
    };
    let year: i32 = parts.next()?.parse().ok()?;
    let mut hms = parts.next()?.split(':').map(|x| x.parse::<i64>().ok());
    let (h, m, sec) = (hms.next()??, hms.next()??, hms.next()??);
    let date = crate::date::Date::from_ymd(year, month, day)?;
    let days = crate::date::Date::from_ymd(1970, 1, 1)?.days_until(date);
    Some(days * 86_400 + h * 3600 + m * 60 + sec)
}

/// A Unix time in seconds (or milliseconds when `ms`) as a date; none for 0.
fn unix_date(value: i64, ms: bool) -> Option<crate::date::Date> {
    if value <= 0 {
        return None;
    }
    let secs = if ms { value / 1000 } else { value };
    crate::date::Date::from_ymd(1970, 1, 1).map(|d| d.plus_days(secs.div_euclid(86_400)))
}

/// Builds an [`Observed`].
fn observed(
    permissions: impl IntoIterator<Item = Permission>,
    ip_restricted: Option<bool>,
    ip_allowlist: Vec<String>,
    expires: Option<crate::date::Date>,
    words: Vec<String>,
) -> Observation {
    Observation::Verified(Observed {
        permissions: permissions.into_iter().collect::<BTreeSet<_>>(),
        ip_restricted,
        ip_allowlist,
        expires,
        words,
    })
}

/// The addresses of a JSON array of strings, each read by
/// [`address_list`]; none when the value is absent or not an array.
fn address_array(value: Option<&serde_json::Value>) -> Vec<String> {
    value
        .and_then(|i| i.as_array())
        .into_iter()
        .flatten()
        .filter_map(|i| i.as_str())
        .flat_map(address_list)
        .collect()
}

/// A comma- or space-separated address list; empty entries and `*` (no
/// restriction) dropped.
fn address_list(s: &str) -> Vec<String> {
    s.split([',', ' '])
        .map(str::trim)
        .filter(|a| !a.is_empty() && *a != "*")
        .map(str::to_string)
        .collect()
}

/// Answers and clocks for the exchanges' parsing tests.
#[cfg(test)]
pub(super) mod fixture {
    use super::{Now, Reply};

    /// An answer with `status` and `body`, no headers.
    pub fn reply(status: u16, body: &str) -> Reply {
        Reply {
            status,
            date: None,
            retry_after: None,
            body: body.as_bytes().to_vec(),
        }
    }

    /// A fixed clock, no nonce.
    pub fn now() -> Now {
        Now {
            unix_ms: 1_700_000_000_000,
            nonce: String::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use super::fixture::now;

    fn reply(body: serde_json::Value) -> Reply {
        super::fixture::reply(200, &body.to_string())
    }

    /// What decides whether a key can move funds is never guessed: an
    /// answer without it cannot be read, and a permission the code does not
    /// know is read as the worst it could be.
    #[test]
    fn a_missing_or_unknown_permission_is_never_read_as_safe() {
        use serde_json::json;
        let malformed = |exchange: Exchange, body: serde_json::Value| {
            assert!(
                matches!(
                    exchange.parse(&reply(body), &now()),
                    Err(KeyError::Malformed(_))
                ),
                "{exchange:?}"
            );
        };
        malformed(
            Exchange::Binance,
            json!({"ipRestrict": true, "enableReading": true, "enableSpotAndMarginTrading": true, "enableInternalTransfer": false, "permitsUniversalTransfer": false, "enableMargin": false, "enableFutures": false}),
        );
        malformed(
            Exchange::Coinbase,
            json!({"can_view": true, "can_trade": true, "portfolio_type": "DEFAULT"}),
        );
        malformed(
            Exchange::Bybit,
            json!({"retCode": 0, "retMsg": "OK", "result": {"readOnly": 0, "ips": ["*"]}}),
        );
        malformed(
            Exchange::Kucoin,
            json!({"code": "200000", "data": {"ipWhitelist": ""}}),
        );
        malformed(
            Exchange::Kraken,
            json!({"error": [], "result": {"ipAllowlist": []}}),
        );
        let worst = |exchange: Exchange, body: serde_json::Value| match exchange
            .parse(&reply(body), &now())
        {
            Ok(Observation::Verified(o)) => {
                assert!(
                    o.permissions.contains(&Permission::Withdraw),
                    "{exchange:?}: {:?}",
                    o.permissions
                )
            }
            other => panic!("{exchange:?}: {other:?}"),
        };
        worst(
            Exchange::Okx,
            json!({"code": "0", "msg": "", "data": [{"perm": "read_only,trade,new_power", "ip": ""}]}),
        );
        worst(
            Exchange::Kucoin,
            json!({"code": "200000", "data": {"permission": "General,SomethingNew", "ipWhitelist": ""}}),
        );
        worst(
            Exchange::Kucoin,
            json!({"code": "200000", "data": {"permission": "general,transfer", "ipWhitelist": ""}}),
        );
        worst(
            Exchange::Bybit,
            json!({"retCode": 0, "retMsg": "OK", "result": {"readOnly": 0, "permissions": {"FiatP2P": ["FiatP2POrder"]}, "ips": ["*"]}}),
        );
        worst(
            Exchange::Kraken,
            json!({"error": [], "result": {"permissions": ["query-funds", "move-everything"], "ipAllowlist": []}}),
        );
    }

    #[test]
    fn names_are_read_loosely() {
        assert_eq!(Exchange::from_name("Binance"), Some(Exchange::Binance));
        assert_eq!(
            Exchange::from_name("Coinbase Advanced Trade"),
            Some(Exchange::Coinbase)
        );
        assert_eq!(Exchange::from_name("ku-coin"), Some(Exchange::Kucoin));
        assert_eq!(Exchange::from_name("Gemini"), None);
    }

    #[test]
    fn reads_http_dates_and_offsets() {
        assert_eq!(
            http_date("Sun, 06 Nov 1994 08:49:37 GMT"),
            Some(784_111_777)
        );
        let reply = Reply {
            status: 400,
            date: Some("Sun, 06 Nov 1994 08:49:37 GMT".into()),
            retry_after: None,
            body: Vec::new(),
        };
        let now = Now {
            unix_ms: 784_111_777_000 - 42_000,
            nonce: String::new(),
        };
        assert_eq!(clock_offset(&reply, &now), Some(42));
        assert_eq!(http_date("garbage"), None);
    }

    #[test]
    fn iso_timestamps_have_milliseconds() {
        let now = Now {
            unix_ms: 1_607_418_537_715,
            nonce: String::new(),
        };
        assert_eq!(now.iso(), "2020-12-08T09:08:57.715Z");
    }

    #[test]
    fn requests_keep_a_base_path_and_drop_its_query() {
        let base = Url::parse("https://example.test/prefix/?x=1#f").unwrap();
        let r = SignedRequest::new(
            Method::Get,
            &base,
            "/a/b",
            Some("q=1"),
            Vec::new(),
            Vec::new(),
        )
        .unwrap();
        assert_eq!(r.url().as_str(), "https://example.test/prefix/a/b?q=1");
    }
}
