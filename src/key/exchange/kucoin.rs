//! KuCoin: `GET /api/v1/user/api-key` ("Get API Key Info"): `permission`
//! (comma-separated: General, Spot, Margin, Futures, InnerTransfer,
//! Transfer, Earn...) and `ipWhitelist`. Key version 2: `KC-API-SIGN` is
//! base64 HMAC-SHA256 over timestamp + method + endpoint + body under the
//! secret, and `KC-API-PASSPHRASE` is the passphrase signed the same way
//! (base64 HMAC-SHA256 under the secret), with `KC-API-KEY-VERSION: 2`.
//! <https://www.kucoin.com/docs-new/authentication>,
//! <https://www.kucoin.com/docs-new/rest/account-info/account-funding/get-apikey-info>,
//! <https://www.kucoin.com/docs-new/errors> (read 2026-11-30).

use url::Url;

use super::{Now, SignedRequest, b64, hmac_sha256, json, words};
use crate::evidence::fetch::{Method, Reply};
use crate::key::secret::{Credentials, Secret};
use crate::key::{KeyError, Observation};
use crate::rules::Permission;

/// The endpoint.
pub const PATH: &str = "/api/v1/user/api-key";

/// `KC-API-SIGN`: base64(HMAC-SHA256(secret, timestamp + method + endpoint + body)).
pub fn sign(secret: &str, timestamp: &str, method: &str, endpoint: &str, body: &str) -> String {
    let prehash = format!("{timestamp}{method}{endpoint}{body}");
    b64(&hmac_sha256(secret.as_bytes(), prehash.as_bytes()))
}

/// `KC-API-PASSPHRASE` for key version 2: base64(HMAC-SHA256(secret, passphrase)).
pub fn sign_passphrase(secret: &str, passphrase: &str) -> String {
    b64(&hmac_sha256(secret.as_bytes(), passphrase.as_bytes()))
}

pub(super) fn request(
    creds: &Credentials,
    base: &Url,
    now: &Now,
) -> Result<SignedRequest, KeyError> {
    let timestamp = now.unix_ms.to_string();
    let secret = creds.secret.expose();
    let passphrase = creds.passphrase.as_ref().map_or("", Secret::expose);
    SignedRequest::new(
        Method::Get,
        base,
        PATH,
        None,
        vec![
            ("KC-API-KEY", Secret::new(creds.key.expose().to_string())),
            (
                "KC-API-SIGN",
                Secret::new(sign(secret, &timestamp, "GET", PATH, "")),
            ),
            ("KC-API-TIMESTAMP", Secret::new(timestamp)),
            (
                "KC-API-PASSPHRASE",
                Secret::new(sign_passphrase(secret, passphrase)),
            ),
            ("KC-API-KEY-VERSION", Secret::new("2".into())),
        ],
        Vec::new(),
    )
}

/// Reads KuCoin's answer `{code, data: {...}}` or `{code, msg}`.
pub fn parse(reply: &Reply, now: &Now) -> Result<Observation, KeyError> {
    let v = json(reply, super::Exchange::Kucoin)?;
    let (code, words_said) = super::coded(&v);
    match code {
        "200000" => {}
        "400006" => return Ok(Observation::IpRefused { words: words_said }),
        "400002" => {
            return Err(KeyError::ClockSkew {
                words: words_said,
                offset_secs: super::clock_offset(reply, now),
            });
        }
        "400001" | "400003" | "400004" | "400005" => {
            return Err(KeyError::Rejected { words: words_said });
        }
        "429000" => {
            return Err(KeyError::RateLimited {
                words: words_said,
                retry_after: reply.retry_after.clone(),
            });
        }
        "500000" | "503000" => return Err(KeyError::Unavailable { words: words_said }),
        _ => {
            return Err(KeyError::Unexpected {
                words: format!("HTTP {} {words_said}", reply.status),
            });
        }
    }
    let d = v
        .get("data")
        .ok_or_else(|| KeyError::Malformed("KuCoin answered without `data`".into()))?;
    let mut permissions = Vec::new();
    let granted = d
        .get("permission")
        .and_then(|p| p.as_str())
        .ok_or_else(|| {
            KeyError::Malformed(
            "KuCoin's answer has no `permission`; the key's rights cannot be read safely without it"
                .into(),
        )
        })?;
    for p in granted.split(',').map(str::trim) {
        permissions.push(match p.to_ascii_lowercase().as_str() {
            "general" => Permission::Read,
            "spot" => Permission::Trade,
            "margin" | "leveragetoken" => Permission::Margin,
            "futures" => Permission::Futures,
            "options" => Permission::Options,
            "innertransfer" | "earn" => Permission::Transfer,
            "transfer" => Permission::Withdraw,
            "" => continue,
            // A permission added since is read as the worst it could be.
            _ => Permission::Withdraw,
        });
    }
    let ips = super::address_list(
        d.get("ipWhitelist")
            .and_then(|i| i.as_str())
            .unwrap_or_default(),
    );
    Ok(super::observed(
        permissions,
        Some(!ips.is_empty()),
        ips,
        None,
        words(d, &["permission", "ipWhitelist", "apiVersion", "isMaster"]),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_signatures_are_base64_hmac_under_the_secret() {
        assert_eq!(
            sign("s", "1547015186532", "GET", PATH, ""),
            b64(&hmac_sha256(b"s", b"1547015186532GET/api/v1/user/api-key"))
        );
        assert_eq!(sign_passphrase("s", "p"), b64(&hmac_sha256(b"s", b"p")));
    }

    #[test]
    fn reads_permission_and_whitelist() {
        let body = r#"{"code":"200000","data":{"remark":"account1","apiKey":"6705f5c311545b000157d3eb","apiVersion":3,"permission":"General,Futures,Spot,Earn,InnerTransfer,Transfer,Margin","ipWhitelist":"203.0.113.7,203.0.113.8","isMaster":true,"createdAt":1728443843000}}"#;
        let reply = super::super::fixture::reply(200, body);
        let now = super::super::fixture::now();
        let Observation::Verified(o) = parse(&reply, &now).unwrap() else {
            panic!()
        };
        assert!(o.permissions.contains(&Permission::Withdraw));
        assert_eq!(o.ip_allowlist.len(), 2);
        assert!(
            !o.words.iter().any(|w| w.contains("6705f5c3")),
            "{:?}",
            o.words
        );
    }
}
