//! Kraken (spot): `POST /0/private/GetApiKeyInfo` ("Get API Key Info", no
//! permission required): `permissions`, `ipAllowlist`, `validUntil`.
//! Signed with `API-Sign`: base64 of HMAC-SHA512 over the URI path +
//! SHA-256(nonce + POST data), under the base64-decoded secret; the body
//! is form-encoded and carries the nonce.
//! <https://docs.kraken.com/api/docs/guides/spot-rest-auth>,
//! <https://docs.kraken.com/api-reference/account-data/get-api-key-info>,
//! <https://docs.kraken.com/api/docs/guides/spot-errors> (read 2026-11-30).

use base64::Engine;
use url::Url;

use super::{Now, SignedRequest, b64, json, words};
use crate::evidence::fetch::{Method, Reply};
use crate::key::secret::{Credentials, Secret};
use crate::key::{KeyError, Observation};
use crate::rules::Permission;

/// The endpoint: read-only, though Kraken's private endpoints are POSTs.
pub const PATH: &str = "/0/private/GetApiKeyInfo";

/// `API-Sign`: base64(HMAC-SHA512(b64decode(secret), path + SHA256(nonce + body))).
pub fn sign(secret_b64: &str, path: &str, nonce: &str, body: &str) -> Result<String, KeyError> {
    let secret = zeroize::Zeroizing::new(
        base64::engine::general_purpose::STANDARD
            .decode(secret_b64.trim())
            .map_err(|_| {
                KeyError::BadSecret(
                    "a Kraken private key is base64 (as Kraken shows it); this one is not".into(),
                )
            })?,
    );
    let inner = ring::digest::digest(&ring::digest::SHA256, format!("{nonce}{body}").as_bytes());
    let mut message = path.as_bytes().to_vec();
    message.extend_from_slice(inner.as_ref());
    let key = ring::hmac::Key::new(ring::hmac::HMAC_SHA512, &secret);
    Ok(b64(ring::hmac::sign(&key, &message).as_ref()))
}

pub(super) fn request(
    creds: &Credentials,
    base: &Url,
    now: &Now,
) -> Result<SignedRequest, KeyError> {
    let nonce = now.unix_ms.to_string();
    let body = format!("nonce={nonce}");
    let signature = sign(creds.secret.expose(), PATH, &nonce, &body)?;
    SignedRequest::new(
        Method::Post,
        base,
        PATH,
        None,
        vec![
            ("API-Key", Secret::new(creds.key.expose().to_string())),
            ("API-Sign", Secret::new(signature)),
            (
                "Content-Type",
                Secret::new("application/x-www-form-urlencoded".into()),
            ),
        ],
        body.into_bytes(),
    )
}

/// Reads Kraken's answer `{error: [...], result: {...}}`.
pub fn parse(reply: &Reply, _now: &Now) -> Result<Observation, KeyError> {
    let v = json(reply, super::Exchange::Kraken)?;
    let errors: Vec<&str> = v
        .get("error")
        .and_then(|e| e.as_array())
        .into_iter()
        .flatten()
        .filter_map(|e| e.as_str())
        .collect();
    if let Some(first) = errors.first() {
        let words = errors.join(", ");
        return Err(match *first {
            // The endpoint needs no permission, so this is likely the
            // address; but that is an inference, not a documented code,
            // and proves no allow-list.
            "EGeneral:Permission denied" => KeyError::Ambiguous { words },
            "EAPI:Invalid nonce" => KeyError::ClockSkew {
                words,
                offset_secs: None,
            },
            "EAPI:Invalid key" | "EAPI:Invalid signature" | "EAPI:Bad request" => {
                KeyError::Rejected { words }
            }
            "EAPI:Rate limit exceeded" | "EGeneral:Temporary lockout" => KeyError::RateLimited {
                words,
                retry_after: reply.retry_after.clone(),
            },
            "EService:Unavailable" | "EService:Busy" | "EService:Market in cancel_only mode" => {
                KeyError::Unavailable { words }
            }
            _ => KeyError::Unexpected { words },
        });
    }
    let r = v
        .get("result")
        .ok_or_else(|| KeyError::Malformed("Kraken answered without `result`".into()))?;
    let mut permissions = Vec::new();
    let listed = r.get("permissions").and_then(|p| p.as_array()).ok_or_else(|| {
        KeyError::Malformed(
            "Kraken's answer has no `permissions`; the key's rights cannot be read safely without them"
                .into(),
        )
    })?;
    for p in listed.iter().filter_map(|p| p.as_str()) {
        permissions.push(match p {
            "withdraw-funds" => Permission::Withdraw,
            "earn-funds" => Permission::Transfer,
            "modify-trades" | "close-trades" | "cancel-trades" => Permission::Trade,
            // Queries, exports, deposit addresses and the WebSocket token
            // (Kraken's guide to key permissions) read only.
            p if p.starts_with("query-")
                || p.starts_with("export")
                || p.starts_with("deposit")
                || p.contains("websocket") =>
            {
                Permission::Read
            }
            // A permission added since is read as the worst it could be.
            _ => Permission::Withdraw,
        });
    }
    let ips = super::address_array(r.get("ipAllowlist"));
    let valid_until = r
        .get("validUntil")
        .and_then(|v| {
            v.as_str()
                .and_then(|s| s.parse().ok())
                .or_else(|| v.as_i64())
        })
        .unwrap_or(0);
    Ok(super::observed(
        permissions,
        Some(!ips.is_empty()),
        ips,
        super::unix_date(valid_until, false),
        words(
            r,
            &[
                "permissions",
                "ipAllowlist",
                "validUntil",
                "queryFrom",
                "queryTo",
            ],
        ),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The worked example of Kraken's "Spot REST Authentication".
    #[test]
    fn documented_signature() {
        // Reversed in the source (see the Binance vector).
        let secret: String = "==gXuh1F6juZutZAH99aq9En5dp3dCHBzRynxWf81Q48zs67woe3usNXUSsl8OGmAnuF7AWgbjVOGu1p8/WH5HQk".chars().rev().collect();
        let sig = sign(
            &secret,
            "/0/private/AddOrder",
            "1616492376594",
            "nonce=1616492376594&ordertype=limit&pair=XBTUSD&price=37500&type=buy&volume=1.25",
        )
        .unwrap();
        assert_eq!(
            sig,
            "4/dpxb3iT4tp/ZCVEwSnEsLxx0bqyhLpdfOpc6fn7OR8+UClSV5n9E6aSS8MPtnRfp32bAb0nmbRn6H8ndwLUQ=="
        );
    }

    #[test]
    fn a_secret_that_is_not_base64_is_a_clear_error() {
        assert!(matches!(
            sign("not base64!", PATH, "1", "nonce=1"),
            Err(KeyError::BadSecret(_))
        ));
    }

    #[test]
    fn reads_the_documented_answer() {
        let body = r#"{"error":[],"result":{"apiKeyName":"my-api-key","apiKey":"4/SDrDBcOOPnm3nPlNfEMMJDeRcIVqPz+QhRxIodyZbI9po/aVRiHsgX","nonce":"1772627060997","nonceWindow":0,"permissions":["query-funds","withdraw-funds","query-open-trades","modify-trades"],"iban":"AA88 N84G WOAK NMOI","validUntil":"0","queryFrom":"0","queryTo":"0","createdTime":"1772542900","modifiedTime":"1772543095","ipAllowlist":[],"lastUsed":"1772627061"}}"#;
        let reply = super::super::fixture::reply(200, body);
        let now = super::super::fixture::now();
        let Observation::Verified(o) = parse(&reply, &now).unwrap() else {
            panic!()
        };
        assert_eq!(
            o.permissions.iter().copied().collect::<Vec<_>>(),
            vec![Permission::Read, Permission::Trade, Permission::Withdraw]
        );
        assert_eq!(o.expires, None);
        assert!(
            !o.words
                .iter()
                .any(|w| w.contains("SDrDB") || w.contains("AA88")),
            "{:?}",
            o.words
        );
    }
}
