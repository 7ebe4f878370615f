//! Coinbase Advanced Trade: `GET /api/v3/brokerage/key_permissions` ("Get
//! API Key Permissions"): `can_view`, `can_trade`, `can_transfer`,
//! `portfolio_type`. Authenticated with a JWT signed by the CDP key: ES256
//! (ECDSA P-256 with SHA-256, signature as r || s), header `kid` = the key
//! name and a random `nonce`, claims `sub` = the key name, `iss` = `cdp`,
//! `nbf` = now, `exp` = now + 120 s, `uri` = `GET host/path`.
//! <https://docs.cdp.coinbase.com/coinbase-app/authentication-authorization/api-key-authentication>,
//! <https://docs.cdp.coinbase.com/api-reference/advanced-trade-api/rest-api/data-api/get-api-key-permissions>
//! (read 2026-11-30).

use base64::Engine;
use url::Url;

use super::{Now, SignedRequest, json, words};
use crate::evidence::fetch::{Method, Reply};
use crate::key::secret::{Credentials, Secret};
use crate::key::{KeyError, Observation};
use crate::rules::Permission;

/// The endpoint.
pub const PATH: &str = "/api/v3/brokerage/key_permissions";

fn b64url(bytes: &[u8]) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// The key pair of a CDP key's private key: SEC1 (`BEGIN EC PRIVATE
/// KEY`, as CDP downloads it) or PKCS#8 (`BEGIN PRIVATE KEY`).
fn key_pair(pem: &str) -> Result<ring::signature::EcdsaKeyPair, KeyError> {
    use ring::signature::{ECDSA_P256_SHA256_FIXED_SIGNING as ALG, EcdsaKeyPair};
    use rustls::pki_types::pem::PemObject;
    use rustls::pki_types::{PrivatePkcs8KeyDer, PrivateSec1KeyDer};
    let bad = |why: &str| {
        KeyError::BadSecret(format!(
            "the Coinbase key's privateKey {why}; pass the key file CDP downloaded (an ECDSA P-256 key)"
        ))
    };
    use zeroize::Zeroize;
    let rng = ring::rand::SystemRandom::new();
    // Copies of the key are wiped when dropped: the PEM with its escaped
    // line breaks undone, and the DER decoded from it (pki-types can wipe
    // it but does not on drop).
    let pem = zeroize::Zeroizing::new(pem.replace("\\n", "\n"));
    if let Ok(mut der) = PrivatePkcs8KeyDer::from_pem_slice(pem.as_bytes()) {
        let pair = EcdsaKeyPair::from_pkcs8(&ALG, der.secret_pkcs8_der(), &rng)
            .map_err(|_| bad("is not a P-256 key"));
        der.zeroize();
        return pair;
    }
    let mut der = PrivateSec1KeyDer::from_pem_slice(pem.as_bytes())
        .map_err(|_| bad("is not a PEM private key"))?;
    let pair = match sec1_parts(der.secret_sec1_der()) {
        Some((private, public)) => {
            EcdsaKeyPair::from_private_key_and_public_key(&ALG, private, public, &rng)
                .map_err(|_| bad("is not a P-256 key"))
        }
        None => Err(bad("cannot be read")),
    };
    der.zeroize();
    pair
}

/// The private scalar and public point of a SEC1 `ECPrivateKey` (RFC
/// 5915): SEQUENCE { version, OCTET STRING key, [0] parameters, [1] BIT
/// STRING public key }.
fn sec1_parts(der: &[u8]) -> Option<(&[u8], &[u8])> {
    fn tlv(input: &[u8]) -> Option<(u8, &[u8], &[u8])> {
        let (&tag, rest) = input.split_first()?;
        let (&first, rest) = rest.split_first()?;
        let (len, rest) = if first < 0x80 {
            (first as usize, rest)
        } else {
            let n = (first & 0x7f) as usize;
            if n == 0 || n > 2 || rest.len() < n {
                return None;
            }
            let len = rest[..n].iter().fold(0usize, |a, &b| a << 8 | b as usize);
            (len, &rest[n..])
        };
        (rest.len() >= len).then(|| (tag, &rest[..len], &rest[len..]))
    }
    let (0x30, mut seq, _) = tlv(der)? else {
        return None;
    };
    let (mut private, mut public) = (None, None);
    while !seq.is_empty() {
        let (tag, value, rest) = tlv(seq)?;
        match tag {
            0x04 => private = Some(value),
            0xa1 => {
                let (0x03, bits, _) = tlv(value)? else {
                    return None;
                };
                public = bits.split_first().map(|(_, point)| point);
            }
            _ => {}
        }
        seq = rest;
    }
    Some((private?, public?))
}

/// The JWT for `GET host/path`, signed with the key pair of `pem`.
pub fn sign(key_name: &str, pem: &str, host: &str, now: &Now) -> Result<String, KeyError> {
    let pair = key_pair(pem)?;
    let secs = now.unix_ms.div_euclid(1000);
    let header =
        serde_json::json!({"alg": "ES256", "kid": key_name, "nonce": now.nonce, "typ": "JWT"});
    let claims = serde_json::json!({
        "sub": key_name, "iss": "cdp", "nbf": secs, "exp": secs + 120,
        "uri": format!("GET {host}{PATH}"),
    });
    let input = format!(
        "{}.{}",
        b64url(header.to_string().as_bytes()),
        b64url(claims.to_string().as_bytes())
    );
    let signature = pair
        .sign(&ring::rand::SystemRandom::new(), input.as_bytes())
        .map_err(|_| KeyError::BadSecret("the Coinbase key could not sign".into()))?;
    Ok(format!("{input}.{}", b64url(signature.as_ref())))
}

pub(super) fn request(
    creds: &Credentials,
    base: &Url,
    now: &Now,
) -> Result<SignedRequest, KeyError> {
    let host = base.host_str().unwrap_or("api.coinbase.com");
    let jwt = sign(creds.key.expose(), creds.secret.expose(), host, now)?;
    SignedRequest::new(
        Method::Get,
        base,
        PATH,
        None,
        vec![("Authorization", Secret::new(format!("Bearer {jwt}")))],
        Vec::new(),
    )
}

/// Reads Coinbase's answer.
pub fn parse(reply: &Reply, now: &Now) -> Result<Observation, KeyError> {
    let v = json(reply, super::Exchange::Coinbase)?;
    let message = || {
        let m = v
            .get("message")
            .or_else(|| v.get("error"))
            .and_then(|m| m.as_str())
            .unwrap_or_default();
        format!(
            "HTTP {} {}",
            reply.status,
            m.chars().take(300).collect::<String>()
        )
    };
    match reply.status {
        200 => {}
        // A JWT outside nbf..exp is refused like a bad one; the clock is
        // named in the advice when the offset shows it.
        401 => {
            let offset = super::clock_offset(reply, now);
            return Err(match offset {
                Some(o) if o.abs() > 60 => KeyError::ClockSkew {
                    words: message(),
                    offset_secs: Some(o),
                },
                _ => KeyError::Rejected { words: message() },
            });
        }
        429 => {
            return Err(KeyError::RateLimited {
                words: message(),
                retry_after: reply.retry_after.clone(),
            });
        }
        500.. => return Err(KeyError::Unavailable { words: message() }),
        _ => return Err(KeyError::Unexpected { words: message() }),
    }
    for name in ["can_view", "can_trade", "can_transfer"] {
        if v.get(name).and_then(serde_json::Value::as_bool).is_none() {
            return Err(KeyError::Malformed(format!(
                "Coinbase's answer has no `{name}` flag; the key's rights cannot be read safely without it"
            )));
        }
    }
    let flag = |n: &str| v.get(n).and_then(serde_json::Value::as_bool) == Some(true);
    let mut permissions = Vec::new();
    if flag("can_view") {
        permissions.push(Permission::Read);
    }
    if flag("can_trade") {
        permissions.push(Permission::Trade);
    }
    if flag("can_transfer") {
        // Transfer sends funds on and off the platform.
        permissions.extend([Permission::Transfer, Permission::Withdraw]);
    }
    Ok(super::observed(
        permissions,
        None,
        Vec::new(),
        None,
        words(
            &v,
            &["can_view", "can_trade", "can_transfer", "portfolio_type"],
        ),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A P-256 key as CDP downloads it (SEC1 PEM), made from a generated
    /// PKCS#8 key: its inner ECPrivateKey.
    pub(crate) fn sec1_pem(pkcs8: &[u8]) -> String {
        // PKCS#8: SEQUENCE { INTEGER, SEQUENCE alg, OCTET STRING ECPrivateKey }.
        let inner_start = pkcs8
            .windows(4)
            .position(|w| w == [0x04, 0x6d, 0x30, 0x6b])
            .unwrap();
        let sec1 = &pkcs8[inner_start + 2..];
        let b64 = base64::engine::general_purpose::STANDARD.encode(sec1);
        format!("-----BEGIN EC PRIVATE KEY-----\n{b64}\n-----END EC PRIVATE KEY-----\n")
    }

    #[test]
    fn jwt_verifies_with_the_public_key() {
        use ring::signature::{ECDSA_P256_SHA256_FIXED, ECDSA_P256_SHA256_FIXED_SIGNING, KeyPair};
        let rng = ring::rand::SystemRandom::new();
        let pkcs8 =
            ring::signature::EcdsaKeyPair::generate_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, &rng)
                .unwrap();
        let pem = sec1_pem(pkcs8.as_ref());
        let pair = key_pair(&pem).unwrap();
        let now = Now {
            unix_ms: 1_700_000_000_000,
            nonce: "ab".into(),
        };
        let jwt = sign("organizations/o/apiKeys/k", &pem, "api.coinbase.com", &now).unwrap();
        let parts: Vec<&str> = jwt.split('.').collect();
        assert_eq!(parts.len(), 3);
        let claims: serde_json::Value = serde_json::from_slice(
            &base64::engine::general_purpose::URL_SAFE_NO_PAD
                .decode(parts[1])
                .unwrap(),
        )
        .unwrap();
        assert_eq!(
            claims["uri"],
            "GET api.coinbase.com/api/v3/brokerage/key_permissions"
        );
        assert_eq!(claims["exp"], 1_700_000_120);
        let sig = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(parts[2])
            .unwrap();
        ring::signature::UnparsedPublicKey::new(
            &ECDSA_P256_SHA256_FIXED,
            pair.public_key().as_ref(),
        )
        .verify(format!("{}.{}", parts[0], parts[1]).as_bytes(), &sig)
        .expect("the signature verifies");
        assert!(matches!(key_pair("nonsense"), Err(KeyError::BadSecret(_))));
    }
}
