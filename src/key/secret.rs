//! Key material: held in memory that is wiped when dropped, never shown.
//!
//! [`Secret`] has no `Display` and a redacted `Debug`, so neither a format
//! string nor a panic message can print one by accident; the only way to
//! the text is [`Secret::expose`], which the signing code calls.

use zeroize::Zeroizing;

/// A key id, secret or passphrase. Wiped on drop.
#[derive(Clone, Default)]
pub struct Secret(Zeroizing<String>);

impl Secret {
    /// Takes ownership of `text` (the caller's copy is moved, not kept).
    pub fn new(text: String) -> Secret {
        Secret(Zeroizing::new(text))
    }

    /// The text, for signing. Never print it.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// Whether it is empty.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(<redacted>)")
    }
}

/// What signs a request: the key id, its secret (a Coinbase CDP key's
/// private key in PEM), and the passphrase OKX and KuCoin require.
#[derive(Clone, Debug, Default)]
pub struct Credentials {
    /// The public key id (Coinbase: the key name).
    pub key: Secret,
    /// The secret.
    pub secret: Secret,
    /// The passphrase chosen when the key was made (OKX, KuCoin).
    pub passphrase: Option<Secret>,
}

impl Credentials {
    /// What the manifest keeps to tell keys apart: `sha256:` and the first
    /// 16 hex digits of the SHA-256 of the key id. The id itself is not a
    /// secret on every exchange, but on several it is half of what signs,
    /// and a hash serves as well.
    pub fn fingerprint(&self) -> String {
        let digest = ring::digest::digest(&ring::digest::SHA256, self.key.expose().as_bytes());
        format!("sha256:{}", &super::exchange::hex(digest.as_ref())[..16])
    }

    /// `text` with every occurrence of the key id, the secret, the
    /// passphrase (and each line of a PEM secret) replaced by
    /// `<redacted>`: exchanges' error messages are recorded and printed,
    /// and one that echoed a credential must not carry it further.
    pub fn scrub(&self, text: &str) -> String {
        let mut out = text.to_string();
        let mut parts: Vec<&str> = vec![self.key.expose(), self.secret.expose()];
        parts.extend(self.passphrase.iter().map(Secret::expose));
        parts.extend(self.secret.expose().lines().map(str::trim));
        // As the exchange may echo them: whole, or percent-encoded (a
        // query string, a form body).
        let encoded: Vec<String> = parts
            .iter()
            .map(|p| url::form_urlencoded::byte_serialize(p.as_bytes()).collect::<String>())
            .flat_map(|e| [e.replace('+', "%20"), e])
            .collect();
        parts.extend(encoded.iter().map(String::as_str));
        parts.sort_by_key(|p| std::cmp::Reverse(p.len()));
        // Short fragments (a PEM's `-----`) would redact ordinary text.
        parts.retain(|p| p.len() >= 8 && !p.starts_with("-----"));
        for part in &parts {
            out = out.replace(part, "<redacted>");
        }
        // An exchange's words are cut to a length before they are shown: a
        // credential cut there ends the text as a prefix of itself.
        for part in &parts {
            let cut = (4..part.len())
                .rev()
                .find(|&n| part.is_char_boundary(n) && out.ends_with(&part[..n]));
            if let Some(n) = cut {
                out.truncate(out.len() - n);
                out.push_str("<redacted>");
            }
        }
        out
    }

    /// Whether `text` holds any credential (after [`Credentials::scrub`]
    /// it never does; tests use this to prove it).
    pub fn leaks_into(&self, text: &str) -> bool {
        let mut parts: Vec<&str> = vec![self.key.expose(), self.secret.expose()];
        parts.extend(self.passphrase.iter().map(Secret::expose));
        parts.iter().any(|p| !p.is_empty() && text.contains(p))
    }
}

/// A Coinbase CDP key file, as downloaded: `{"name": ..., "privateKey": ...}`
/// (the older file) or `{"id": ..., "privateKey": ...}`.
pub fn from_cdp_json(bytes: &[u8]) -> Result<Credentials, String> {
    let value: Zeroizing<Vec<u8>> = Zeroizing::new(bytes.to_vec());
    let mut json: serde_json::Value = serde_json::from_slice(&value).map_err(|e| {
        format!(
            "the key file is not JSON (line {}, column {})",
            e.line(),
            e.column()
        )
    })?;
    let field = |name: &str| json.get(name).and_then(|v| v.as_str()).map(str::to_string);
    let name = field("name")
        .or_else(|| field("id"))
        .ok_or("the key file has no `name` (the key's id)")?;
    let private = field("privateKey").ok_or("the key file has no `privateKey`");
    // The parsed file holds the key too: its strings are wiped before it
    // is dropped, and only the `Secret`s keep a copy.
    if let serde_json::Value::Object(map) = &mut json {
        for v in map.values_mut() {
            if let serde_json::Value::String(text) = v {
                zeroize::Zeroize::zeroize(text);
            }
        }
    }
    let private = private?;
    Ok(Credentials {
        key: Secret::new(name),
        secret: Secret::new(private),
        passphrase: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn creds() -> Credentials {
        Credentials {
            key: Secret::new("AKIDkeyid0123456789".into()),
            secret: Secret::new("s3cr3t-very-long-secret-value".into()),
            passphrase: Some(Secret::new("my passphrase".into())),
        }
    }

    #[test]
    fn debug_never_shows_the_text() {
        let c = creds();
        let shown = format!("{c:?}");
        assert!(!c.leaks_into(&shown), "{shown}");
        assert!(shown.contains("<redacted>"));
    }

    #[test]
    fn scrub_removes_every_credential() {
        let c = creds();
        let text =
            "key AKIDkeyid0123456789 secret s3cr3t-very-long-secret-value pass my passphrase";
        assert!(c.leaks_into(text));
        let clean = c.scrub(text);
        assert!(!c.leaks_into(&clean), "{clean}");
        assert_eq!(clean.matches("<redacted>").count(), 3);
    }

    #[test]
    fn a_credential_cut_short_or_percent_encoded_is_removed_too() {
        let c = creds();
        // Cut where the exchange's words are cut to a length.
        let cut = "the exchange said: invalid key AKIDkeyid01";
        assert_eq!(c.scrub(cut), "the exchange said: invalid key <redacted>");
        let encoded = "rejected: passphrase=my%20passphrase&x=1";
        assert!(
            !c.scrub(encoded).contains("my%20passphrase"),
            "{}",
            c.scrub(encoded)
        );
        // Ordinary words that merely end like a short prefix stay.
        assert_eq!(c.scrub("ends with AK"), "ends with AK");
    }

    #[test]
    fn fingerprint_is_a_short_hash_not_the_id() {
        let c = creds();
        let f = c.fingerprint();
        assert!(f.starts_with("sha256:") && f.len() == 23, "{f}");
        assert!(!c.leaks_into(&f));
        let mut other = creds();
        other.key = Secret::new("AKIDkeyid0123456780".into());
        assert_ne!(other.fingerprint(), f);
    }

    #[test]
    fn reads_a_cdp_key_file() {
        let c = from_cdp_json(
            br#"{"name": "organizations/o/apiKeys/k", "privateKey": "-----BEGIN EC PRIVATE KEY-----\nAAAA\n-----END EC PRIVATE KEY-----\n"}"#,
        )
        .unwrap();
        assert_eq!(c.key.expose(), "organizations/o/apiKeys/k");
        assert!(c.secret.expose().starts_with("-----BEGIN EC"));
        assert!(from_cdp_json(b"{}").is_err());
        let e = from_cdp_json(b"not json").unwrap_err();
        assert!(e.contains("line 1"), "{e}");
    }
}
