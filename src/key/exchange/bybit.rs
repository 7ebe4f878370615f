//! Bybit: `GET /v5/user/query-api` ("Get API Key Information", any
//! permission may call it): `readOnly`, `permissions` by product, `ips`,
//! `expiredAt`. Signed with `X-BAPI-SIGN`: hex HMAC-SHA256, under the
//! secret, over the timestamp, API key, recv_window and query string.
//!
//! <https://bybit-exchange.github.io/docs/v5/user/apikey-info>,
//! <https://bybit-exchange.github.io/docs/v5/guide#authentication>,
//! <https://bybit-exchange.github.io/docs/v5/error> (read 2026-11-30).

use url::Url;

use super::{Now, SignedRequest, hex, hmac_sha256, json, said, words};
use crate::evidence::fetch::{Method, Reply};
use crate::key::secret::{Credentials, Secret};
use crate::key::{KeyError, Observation};
use crate::rules::Permission;

/// The endpoint.
pub const PATH: &str = "/v5/user/query-api";

/// The receive window asked for, in milliseconds (Bybit's default).
pub const RECV_WINDOW: &str = "5000";

/// `X-BAPI-SIGN`: hex(HMAC-SHA256(secret, timestamp + key + recv_window + query)).
pub fn sign(secret: &str, timestamp: &str, key: &str, recv_window: &str, query: &str) -> String {
    // The string signed holds the key id: wiped when dropped.
    let prehash = zeroize::Zeroizing::new(format!("{timestamp}{key}{recv_window}{query}"));
    hex(&hmac_sha256(secret.as_bytes(), prehash.as_bytes()))
}

pub(super) fn request(
    creds: &Credentials,
    base: &Url,
    now: &Now,
) -> Result<SignedRequest, KeyError> {
    let timestamp = now.unix_ms.to_string();
    let signature = sign(
        creds.secret.expose(),
        &timestamp,
        creds.key.expose(),
        RECV_WINDOW,
        "",
    );
    SignedRequest::new(
        Method::Get,
        base,
        PATH,
        None,
        vec![
            (
                "X-BAPI-API-KEY",
                Secret::new(creds.key.expose().to_string()),
            ),
            ("X-BAPI-SIGN", Secret::new(signature)),
            ("X-BAPI-TIMESTAMP", Secret::new(timestamp)),
            ("X-BAPI-RECV-WINDOW", Secret::new(RECV_WINDOW.to_string())),
        ],
        Vec::new(),
    )
}

/// Reads Bybit's answer `{retCode, retMsg, result: {...}}`.
pub fn parse(reply: &Reply, now: &Now) -> Result<Observation, KeyError> {
    let v = json(reply, super::Exchange::Bybit)?;
    let code = v
        .get("retCode")
        .and_then(serde_json::Value::as_i64)
        .unwrap_or(-1);
    let msg = v.get("retMsg").and_then(|m| m.as_str()).unwrap_or_default();
    let words_said = said(&code.to_string(), msg);
    match code {
        0 => {}
        10010 => return Ok(Observation::IpRefused { words: words_said }),
        10002 => {
            return Err(KeyError::ClockSkew {
                words: words_said,
                offset_secs: super::clock_offset(reply, now),
            });
        }
        10003 | 10004 | 10005 | 33004 => return Err(KeyError::Rejected { words: words_said }),
        10006 | 10018 => {
            return Err(KeyError::RateLimited {
                words: words_said,
                retry_after: reply.retry_after.clone(),
            });
        }
        10016 => return Err(KeyError::Unavailable { words: words_said }),
        _ => {
            return Err(KeyError::Unexpected {
                words: format!("HTTP {} {words_said}", reply.status),
            });
        }
    }
    let r = v
        .get("result")
        .ok_or_else(|| KeyError::Malformed("Bybit answered without `result`".into()))?;
    let mut permissions = vec![Permission::Read];
    let by_product = r.get("permissions").and_then(|p| p.as_object()).ok_or_else(|| {
        KeyError::Malformed(
            "Bybit's answer has no `permissions`; the key's rights cannot be read safely without them"
                .into(),
        )
    })?;
    {
        for (product, granted) in by_product {
            for g in granted
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|g| g.as_str())
            {
                let p = match (product.as_str(), g) {
                    ("Wallet", "Withdraw") => Permission::Withdraw,
                    ("Wallet", _) | ("Earn", _) => Permission::Transfer,
                    ("ContractTrade" | "Derivatives", _) => Permission::Futures,
                    ("Options", _) => Permission::Options,
                    ("Affiliate", _) => Permission::Read,
                    ("Spot" | "Exchange" | "CopyTrading" | "BlockTrade", _) => Permission::Trade,
                    // Anything else (fiat payments, P2P, a product added
                    // since) is read as the worst it could be.
                    _ => Permission::Withdraw,
                };
                permissions.push(p);
            }
        }
    }
    let ips = super::address_array(r.get("ips"));
    let expires = r
        .get("expiredAt")
        .and_then(|e| e.as_str())
        .and_then(|e| e.get(..10))
        .and_then(|d| d.parse().ok());
    Ok(super::observed(
        permissions,
        Some(!ips.is_empty()),
        ips,
        expires,
        words(
            r,
            &[
                "readOnly",
                "permissions",
                "ips",
                "type",
                "expiredAt",
                "deadlineDay",
            ],
        ),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signature_covers_timestamp_key_window_and_query() {
        let a = sign("s", "1658384314791", "XXXXXX", "5000", "");
        assert_eq!(a, hex(&hmac_sha256(b"s", b"1658384314791XXXXXX5000")));
        assert_ne!(a, sign("s", "1658384314792", "XXXXXX", "5000", ""));
    }

    #[test]
    fn reads_the_documented_answer() {
        let body = r#"{"retCode":0,"retMsg":"","result":{"id":"13770661","note":"xxxxx","apiKey":"XXXXXX","readOnly":0,"secret":"","permissions":{"ContractTrade":["Order","Position"],"Spot":["SpotTrade"],"Wallet":["AccountTransfer","SubMemberTransfer"],"Options":[],"Derivatives":[],"Exchange":[],"Earn":[],"BlockTrade":[]},"ips":["*"],"type":1,"deadlineDay":66,"expiredAt":"2023-12-22T07:20:25Z","createdAt":"2022-10-16T02:24:40Z"}}"#;
        let reply = super::super::fixture::reply(200, body);
        let now = super::super::fixture::now();
        let Observation::Verified(o) = parse(&reply, &now).unwrap() else {
            panic!()
        };
        assert!(o.permissions.contains(&Permission::Futures));
        assert!(o.permissions.contains(&Permission::Transfer));
        assert!(!o.permissions.contains(&Permission::Withdraw));
        assert_eq!(o.ip_restricted, Some(false), "`*` is no restriction");
        assert_eq!(o.expires.map(|d| d.to_string()), Some("2023-12-22".into()));
        assert!(
            !o.words.iter().any(|w| w.contains("XXXXXX")),
            "{:?}",
            o.words
        );
    }
}
