//! Decoders for the encodings keys and addresses come in. They tell the
//! guard what a string *is*, where its shape alone cannot: a Bitcoin or
//! Tron address carries a checksum a random key fails, a WIF key or an
//! extended private key carries its own version bytes, bech32 has a
//! checksum of its own, and base64 of prose decodes to text.

use bitcoin_hashes::{Hash, sha256d};

const B58: &[u8; 58] = b"123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";

/// Longest base58 text decoded: an extended key is 111 characters, a
/// Solana secret key 88; anything longer is no address and no key format
/// that needs a checksum test.
const MAX_BASE58: usize = 120;

pub fn is_base58(s: &str) -> bool {
    s.bytes().all(|b| B58.contains(&b))
}

/// The bytes a base58 string stands for.
pub fn base58(s: &str) -> Option<Vec<u8>> {
    if s.is_empty() || s.len() > MAX_BASE58 {
        return None;
    }
    let mut bytes: Vec<u8> = Vec::with_capacity(s.len());
    for c in s.bytes() {
        let mut carry = B58.iter().position(|&b| b == c)? as u32;
        for b in bytes.iter_mut() {
            carry += u32::from(*b) * 58;
            *b = carry as u8;
            carry >>= 8;
        }
        while carry > 0 {
            bytes.push(carry as u8);
            carry >>= 8;
        }
    }
    let zeros = s.bytes().take_while(|&b| b == b'1').count();
    bytes.extend(std::iter::repeat_n(0, zeros));
    bytes.reverse();
    Some(bytes)
}

/// The payload of a base58check string whose checksum holds.
pub fn base58check(s: &str) -> Option<Vec<u8>> {
    let mut bytes = base58(s)?;
    if bytes.len() < 5 {
        return None;
    }
    let split = bytes.len() - 4;
    let check = sha256d::Hash::hash(&bytes[..split]).to_byte_array();
    if check[..4] != bytes[split..] {
        return None;
    }
    bytes.truncate(split);
    Some(bytes)
}

/// A bech32 or bech32m string (BIP 173, BIP 350) whose checksum holds:
/// segwit addresses and the addresses of many other chains.
pub fn is_bech32(s: &str) -> bool {
    const CHARSET: &[u8; 32] = b"qpzry9x8gf2tvdw0s3jn54khce6mua7l";
    if s.len() < 14 || s.len() > 110 {
        return false;
    }
    // One case throughout; read in lower case without a copy.
    let (lower, upper) = (
        s.bytes().any(|b| b.is_ascii_lowercase()),
        s.bytes().any(|b| b.is_ascii_uppercase()),
    );
    if lower && upper {
        return false;
    }
    let Some(sep) = s.rfind('1') else {
        return false;
    };
    let (hrp, data) = (&s.as_bytes()[..sep], &s.as_bytes()[sep + 1..]);
    if hrp.is_empty() || data.len() < 6 || !hrp.iter().all(u8::is_ascii_alphabetic) {
        return false;
    }
    // The checksum over the expanded prefix and the data, fed one value
    // at a time (no buffer: this runs for many words that are no address).
    let mut chk = 1u32;
    let hrp = hrp.iter().map(u8::to_ascii_lowercase);
    for v in hrp
        .clone()
        .map(|b| b >> 5)
        .chain([0])
        .chain(hrp.map(|b| b & 31))
    {
        chk = polymod_step(chk, v);
    }
    for c in data.iter().map(u8::to_ascii_lowercase) {
        match CHARSET.iter().position(|&x| x == c) {
            Some(v) => chk = polymod_step(chk, v as u8),
            None => return false,
        }
    }
    matches!(chk, 1 | 0x2bc8_30a3)
}

fn polymod_step(chk: u32, v: u8) -> u32 {
    const G: [u32; 5] = [
        0x3b6a_57b2,
        0x2650_8e6d,
        0x1ea1_19fa,
        0x3d42_33dd,
        0x2a14_62b3,
    ];
    let top = chk >> 25;
    let mut chk = ((chk & 0x1ff_ffff) << 5) ^ u32::from(v);
    for (i, g) in G.iter().enumerate() {
        if (top >> i) & 1 == 1 {
            chk ^= g;
        }
    }
    chk
}

/// The bytes of standard or URL-safe base64, padded or not.
pub fn base64(s: &str) -> Option<Vec<u8>> {
    let body = s.trim_end_matches('=');
    if body.len() % 4 == 1 || s.len() - body.len() > 2 {
        return None;
    }
    let mut out = Vec::with_capacity(body.len() * 3 / 4);
    let (mut acc, mut bits) = (0u32, 0u32);
    for c in body.bytes() {
        let v = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' | b'-' => 62,
            b'/' | b'_' => 63,
            _ => return None,
        };
        acc = (acc << 6) | u32::from(v);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
        }
    }
    Some(out)
}

/// Whether decoded bytes are text (UTF-8 without control characters other
/// than line breaks and tabs): base64 of prose, not of a key.
pub fn is_text(bytes: &[u8]) -> bool {
    bytes.len() >= 8
        && std::str::from_utf8(bytes).is_ok_and(|s| {
            s.chars()
                .all(|c| !c.is_control() || matches!(c, '\n' | '\r' | '\t'))
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_known_vectors() {
        // The genesis block's address and BIP 173's example address.
        let p = base58check("1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa").unwrap();
        assert_eq!((p.len(), p[0]), (21, 0));
        assert!(base58check("1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNb").is_none());
        assert!(is_bech32("bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq"));
        assert!(!is_bech32("bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdp"));
        assert_eq!(base64("aGVsbG8gd29ybGQ=").unwrap(), b"hello world");
        assert!(is_text(&base64("aGVsbG8gd29ybGQ=").unwrap()));
    }
}
