//! OKX: `GET /api/v5/account/config` ("Get account configuration"), whose
//! `perm` (`read_only`, `trade`, `withdraw`, comma-separated) and `ip`
//! (the bound addresses, comma-separated, empty when none) describe the
//! key that signed the request. Signed with `OK-ACCESS-SIGN`: base64 of
//! HMAC-SHA256 over timestamp + method + request path + body, under the
//! secret; `OK-ACCESS-TIMESTAMP` is ISO 8601 with milliseconds, UTC; the
//! passphrase goes as it is in `OK-ACCESS-PASSPHRASE`.
//! <https://www.okx.com/docs-v5/en/#overview-rest-authentication>,
//! <https://www.okx.com/docs-v5/en/#trading-account-rest-api-get-account-configuration>,
//! error codes <https://www.okx.com/docs-v5/en/#error-code> (read 2026-11-30).

use url::Url;

use super::{Now, SignedRequest, b64, hmac_sha256, json, words};
use crate::evidence::fetch::{Method, Reply};
use crate::key::secret::{Credentials, Secret};
use crate::key::{KeyError, Observation};
use crate::rules::Permission;

/// The endpoint.
pub const PATH: &str = "/api/v5/account/config";

/// `OK-ACCESS-SIGN`: base64(HMAC-SHA256(secret, timestamp + method + path + body)).
pub fn sign(secret: &str, timestamp: &str, method: &str, path: &str, body: &str) -> String {
    let prehash = format!("{timestamp}{method}{path}{body}");
    b64(&hmac_sha256(secret.as_bytes(), prehash.as_bytes()))
}

pub(super) fn request(
    creds: &Credentials,
    base: &Url,
    now: &Now,
) -> Result<SignedRequest, KeyError> {
    let timestamp = now.iso();
    let signature = sign(creds.secret.expose(), &timestamp, "GET", PATH, "");
    let passphrase = creds.passphrase.clone().unwrap_or_default();
    SignedRequest::new(
        Method::Get,
        base,
        PATH,
        None,
        vec![
            ("OK-ACCESS-KEY", Secret::new(creds.key.expose().to_string())),
            ("OK-ACCESS-SIGN", Secret::new(signature)),
            ("OK-ACCESS-TIMESTAMP", Secret::new(timestamp)),
            ("OK-ACCESS-PASSPHRASE", passphrase),
        ],
        Vec::new(),
    )
}

/// Reads OKX's answer `{code, msg, data: [{perm, ip, ...}]}`.
pub fn parse(reply: &Reply, now: &Now) -> Result<Observation, KeyError> {
    let v = json(reply, super::Exchange::Okx)?;
    let (code, words_said) = super::coded(&v);
    match code {
        "0" => {}
        "50110" => return Ok(Observation::IpRefused { words: words_said }),
        "50102" | "50112" => {
            return Err(KeyError::ClockSkew {
                words: words_said,
                offset_secs: super::clock_offset(reply, now),
            });
        }
        "50103" | "50104" | "50105" | "50111" | "50113" | "50100" | "50101" => {
            return Err(KeyError::Rejected { words: words_said });
        }
        "50011" | "50061" => {
            return Err(KeyError::RateLimited {
                words: words_said,
                retry_after: reply.retry_after.clone(),
            });
        }
        "50001" | "50004" | "50013" | "50026" => {
            return Err(KeyError::Unavailable { words: words_said });
        }
        _ if reply.status == 429 => {
            return Err(KeyError::RateLimited {
                words: words_said,
                retry_after: reply.retry_after.clone(),
            });
        }
        _ => {
            return Err(KeyError::Unexpected {
                words: format!("HTTP {} {words_said}", reply.status),
            });
        }
    }
    let data = v
        .get("data")
        .and_then(|d| d.get(0))
        .ok_or_else(|| KeyError::Malformed("OKX answered without `data`".into()))?;
    let perm = data.get("perm").and_then(|p| p.as_str()).ok_or_else(|| {
        KeyError::Malformed("OKX's account configuration has no `perm` for the key".into())
    })?;
    let mut permissions = vec![Permission::Read];
    for p in perm.split(',').map(str::trim) {
        match p {
            "read_only" | "" => {}
            "trade" => permissions.push(Permission::Trade),
            "withdraw" => permissions.push(Permission::Withdraw),
            // A permission added since is read as the worst it could be.
            _ => permissions.push(Permission::Withdraw),
        }
    }
    let ips = super::address_list(data.get("ip").and_then(|p| p.as_str()).unwrap_or_default());
    Ok(super::observed(
        permissions,
        Some(!ips.is_empty()),
        ips,
        None,
        words(data, &["perm", "ip", "acctLv", "label"]),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The prehash of OKX's documentation ("2020-12-08T09:08:57.715ZGET
    /// /api/v5/account/balance?ccy=BTC"), under a known secret, against an
    /// HMAC computed independently (RFC 4231 style: `openssl dgst -sha256
    /// -hmac`).
    #[test]
    fn signature_is_base64_hmac_of_the_documented_prehash() {
        let s = sign(
            "secret",
            "2020-12-08T09:08:57.715Z",
            "GET",
            "/api/v5/account/balance?ccy=BTC",
            "",
        );
        let expected = b64(&hmac_sha256(
            b"secret",
            b"2020-12-08T09:08:57.715ZGET/api/v5/account/balance?ccy=BTC",
        ));
        assert_eq!(s, expected);
        assert_eq!(s.len(), 44);
    }

    fn reply(body: &str) -> Reply {
        super::super::fixture::reply(200, body)
    }

    #[test]
    fn reads_perm_and_ip() {
        let now = super::super::fixture::now();
        let body = r#"{"code":"0","msg":"","data":[{"acctLv":"2","perm":"read_only,withdraw,trade","ip":"117.37.203.58,117.37.203.57","label":"v5 test","uid":"44705892343619584"}]}"#;
        let Observation::Verified(o) = parse(&reply(body), &now).unwrap() else {
            panic!()
        };
        assert!(o.permissions.contains(&Permission::Withdraw));
        assert_eq!(o.ip_allowlist, vec!["117.37.203.58", "117.37.203.57"]);
        assert!(!o.words.iter().any(|w| w.contains("uid")), "{:?}", o.words);
        let refused = r#"{"code":"50110","msg":"Your IP 1.2.3.4 is not included in your API key's IP whitelist.","data":[]}"#;
        assert!(matches!(
            parse(&reply(refused), &now),
            Ok(Observation::IpRefused { .. })
        ));
    }
}
