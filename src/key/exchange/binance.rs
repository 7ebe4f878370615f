//! Binance: `GET /sapi/v1/account/apiRestrictions` ("Get API Key
//! Permission", USER_DATA), signed as every SIGNED endpoint: HMAC-SHA256
//! of the query string under the secret, in hex, appended as `signature`;
//! the key in `X-MBX-APIKEY`.
//! <https://developers.binance.com/docs/wallet/account/api-key-permission>,
//! <https://developers.binance.com/docs/binance-spot-api-docs/rest-api/request-security>
//! (read 2026-11-30).

use url::Url;

use super::{Now, SignedRequest, hex, hmac_sha256, json, said, words};
use crate::evidence::fetch::{Method, Reply};
use crate::key::secret::{Credentials, Secret};
use crate::key::{KeyError, Observation};
use crate::rules::Permission;

/// The endpoint.
pub const PATH: &str = "/sapi/v1/account/apiRestrictions";

/// The receive window asked for, in milliseconds (Binance's default).
pub const RECV_WINDOW: i64 = 5000;

/// The signature of `query` under `secret`: HMAC-SHA256, hex.
pub fn sign(secret: &str, query: &str) -> String {
    hex(&hmac_sha256(secret.as_bytes(), query.as_bytes()))
}

pub(super) fn request(
    creds: &Credentials,
    base: &Url,
    now: &Now,
) -> Result<SignedRequest, KeyError> {
    let query = format!("recvWindow={RECV_WINDOW}&timestamp={}", now.unix_ms);
    let signature = sign(creds.secret.expose(), &query);
    SignedRequest::new(
        Method::Get,
        base,
        PATH,
        Some(&format!("{query}&signature={signature}")),
        vec![("X-MBX-APIKEY", Secret::new(creds.key.expose().to_string()))],
        Vec::new(),
    )
}

/// The fields kept as Binance's words, in its documentation's order.
const FIELDS: [&str; 14] = [
    "ipRestrict",
    "enableReading",
    "enableSpotAndMarginTrading",
    "enableWithdrawals",
    "enableInternalTransfer",
    "permitsUniversalTransfer",
    "enableMargin",
    "enableFutures",
    "enableVanillaOptions",
    "enablePortfolioMarginTrading",
    "enableFixApiTrade",
    "enableFixReadOnly",
    "tradingAuthorityExpirationTime",
    "createTime",
];

/// Reads Binance's answer: the flags, or its error `{code, msg}`.
pub fn parse(reply: &Reply, now: &Now) -> Result<Observation, KeyError> {
    let v = json(reply, super::Exchange::Binance)?;
    if let Some(code) = v.get("code").and_then(serde_json::Value::as_i64) {
        let msg = v.get("msg").and_then(|m| m.as_str()).unwrap_or_default();
        let words = said(&code.to_string(), msg);
        return Err(match code {
            // "Invalid API-key, IP, or permissions for action": the same
            // code for a key bound elsewhere and for a wrong key, so it
            // proves no allow-list.
            -2015 => KeyError::Ambiguous { words },
            -1021 => KeyError::ClockSkew {
                words,
                offset_secs: super::clock_offset(reply, now),
            },
            -1022 | -2014 | -2008 => KeyError::Rejected { words },
            -1003 | -1015 => KeyError::RateLimited {
                words,
                retry_after: reply.retry_after.clone(),
            },
            -1001 | -1008 | -1016 => KeyError::Unavailable { words },
            _ => KeyError::Unexpected { words },
        });
    }
    if reply.status == 429 || reply.status == 418 {
        return Err(KeyError::RateLimited {
            words: format!("HTTP {}", reply.status),
            retry_after: reply.retry_after.clone(),
        });
    }
    if reply.status != 200 || !v.is_object() {
        return Err(KeyError::Unexpected {
            words: format!("HTTP {}", reply.status),
        });
    }
    // The fields that say whether the key can move funds or is bound must
    // be there: a missing one is never read as "not allowed".
    for name in [
        "enableReading",
        "enableSpotAndMarginTrading",
        "enableWithdrawals",
        "enableInternalTransfer",
        "permitsUniversalTransfer",
        "enableMargin",
        "enableFutures",
        "ipRestrict",
    ] {
        if v.get(name).and_then(serde_json::Value::as_bool).is_none() {
            return Err(KeyError::Malformed(format!(
                "Binance's answer has no `{name}` flag; the key's rights cannot be read safely without it"
            )));
        }
    }
    let flag = |name: &str| v.get(name).and_then(serde_json::Value::as_bool) == Some(true);
    let mut permissions = Vec::new();
    for (name, p) in [
        ("enableReading", Permission::Read),
        ("enableFixReadOnly", Permission::Read),
        ("enableSpotAndMarginTrading", Permission::Trade),
        ("enableFixApiTrade", Permission::Trade),
        ("enableWithdrawals", Permission::Withdraw),
        ("enableInternalTransfer", Permission::Transfer),
        ("permitsUniversalTransfer", Permission::Transfer),
        ("enableMargin", Permission::Margin),
        ("enablePortfolioMarginTrading", Permission::Margin),
        ("enableFutures", Permission::Futures),
        ("enableVanillaOptions", Permission::Options),
    ] {
        if flag(name) {
            permissions.push(p);
        }
    }
    let restricted = v.get("ipRestrict").and_then(serde_json::Value::as_bool);
    // The endpoint says whether the key is bound, not to which addresses.
    Ok(super::observed(
        permissions,
        restricted,
        Vec::new(),
        None,
        words(&v, &FIELDS),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The worked example of Binance's "SIGNED Endpoint security" (HMAC
    /// keys): this secret and query give this signature.
    #[test]
    fn documented_signature() {
        // Reversed in the source, as the guard's tests keep fake keys, so
        // the repository holds no string a secret scanner would flag.
        let secret: String = "j0jTAf5H7A6MqqvbAX56NVlCnIjZU3e1PiNY5R3egM4jZP7AjHVjKdYJSdmtPqhN"
            .chars()
            .rev()
            .collect();
        let query = "symbol=LTCBTC&side=BUY&type=LIMIT&timeInForce=GTC&quantity=1&price=0.1&recvWindow=5000&timestamp=1499827319559";
        assert_eq!(
            sign(&secret, query),
            "c8db56825ae71d6d79447849e617115f4a920fa2acdcab2b053c4b2838bd6b71"
        );
    }

    use super::super::fixture::{now, reply};

    #[test]
    fn reads_the_documented_answer() {
        let body = r#"{"ipRestrict":false,"createTime":1698645219000,"enableReading":true,"enableWithdrawals":false,"enableInternalTransfer":false,"enableMargin":false,"enableFutures":false,"permitsUniversalTransfer":false,"enableVanillaOptions":false,"enableFixApiTrade":false,"enableFixReadOnly":true,"enableSpotAndMarginTrading":false,"enablePortfolioMarginTrading":true}"#;
        let Observation::Verified(o) = parse(&reply(200, body), &now()).unwrap() else {
            panic!("verified")
        };
        assert_eq!(
            o.permissions.into_iter().collect::<Vec<_>>(),
            vec![Permission::Read, Permission::Margin]
        );
        assert_eq!(o.ip_restricted, Some(false));
        assert!(
            o.words.contains(&"enableWithdrawals: false".to_string()),
            "{:?}",
            o.words
        );
    }

    #[test]
    fn reads_the_documented_errors() {
        let e = |code: i64| {
            parse(
                &reply(400, &format!(r#"{{"code":{code},"msg":"m"}}"#)),
                &now(),
            )
        };
        assert!(matches!(e(-2015), Err(KeyError::Ambiguous { .. })));
        assert!(matches!(e(-1021), Err(KeyError::ClockSkew { .. })));
        assert!(matches!(e(-1022), Err(KeyError::Rejected { .. })));
        assert!(matches!(e(-1003), Err(KeyError::RateLimited { .. })));
        assert!(matches!(e(-9999), Err(KeyError::Unexpected { .. })));
        assert!(matches!(
            parse(&reply(503, "<html>"), &now()),
            Err(KeyError::Unavailable { .. })
        ));
    }
}
