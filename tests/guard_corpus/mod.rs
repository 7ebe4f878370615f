//! A generated corpus for the credential guard: secrets in their real
//! formats and the benign strings a crypto reviewer writes every day, each
//! planted in every kind of place a manifest has.
//!
//! Everything is made from a seeded generator at test time, so the
//! repository never holds a string a secret scanner would flag, and a
//! failure names a seed that reproduces it. Word lists come from the `bip39`
//! crate (the official BIP-39 lists), checksums from `bitcoin_hashes`.
#![allow(dead_code)]

use bitcoin_hashes::{Hash, sha256d};

/// SplitMix64: small, fast, and the same on every platform.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    pub fn range(&mut self, lo: usize, hi: usize) -> usize {
        lo + self.below(hi - lo + 1)
    }

    pub fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }

    pub fn pick<'a, T: ?Sized>(&mut self, items: &[&'a T]) -> &'a T {
        items[self.below(items.len())]
    }

    pub fn bytes(&mut self, n: usize) -> Vec<u8> {
        (0..n).map(|_| self.next() as u8).collect()
    }

    /// `lo` to `hi` characters drawn from `alphabet`.
    pub fn string_in(&mut self, alphabet: &str, lo: usize, hi: usize) -> String {
        let n = self.range(lo, hi);
        self.string(alphabet, n)
    }

    /// `n` characters drawn from `alphabet`.
    pub fn string(&mut self, alphabet: &str, n: usize) -> String {
        let chars: Vec<char> = alphabet.chars().collect();
        (0..n).map(|_| chars[self.below(chars.len())]).collect()
    }
}

pub const ALNUM: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
pub const HEX: &str = "0123456789abcdef";
pub const HEX_UPPER: &str = "0123456789ABCDEF";
pub const UPPER_DIGITS: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
pub const B64URL: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
const B58: &[u8] = b"123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";

pub fn base64(bytes: &[u8]) -> String {
    const T: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(T[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

pub fn base64url(bytes: &[u8]) -> String {
    base64(bytes)
        .trim_end_matches('=')
        .replace('+', "-")
        .replace('/', "_")
}

pub fn base58(bytes: &[u8]) -> String {
    let zeros = bytes.iter().take_while(|&&b| b == 0).count();
    let mut digits: Vec<u8> = Vec::new();
    for &b in bytes {
        let mut carry = u32::from(b);
        for d in digits.iter_mut() {
            carry += u32::from(*d) << 8;
            *d = (carry % 58) as u8;
            carry /= 58;
        }
        while carry > 0 {
            digits.push((carry % 58) as u8);
            carry /= 58;
        }
    }
    let mut out: String = std::iter::repeat_n('1', zeros).collect();
    out.extend(digits.iter().rev().map(|&d| B58[d as usize] as char));
    out
}

pub fn base58check(payload: &[u8]) -> String {
    let check = sha256d::Hash::hash(payload).to_byte_array();
    let mut all = payload.to_vec();
    all.extend_from_slice(&check[..4]);
    base58(&all)
}

fn bech32_polymod(values: &[u8]) -> u32 {
    const G: [u32; 5] = [0x3b6a57b2, 0x26508e6d, 0x1ea119fa, 0x3d4233dd, 0x2a1462b3];
    let mut chk = 1u32;
    for &v in values {
        let top = chk >> 25;
        chk = ((chk & 0x1ffffff) << 5) ^ u32::from(v);
        for (i, g) in G.iter().enumerate() {
            if (top >> i) & 1 == 1 {
                chk ^= g;
            }
        }
    }
    chk
}

/// A segwit address: `hrp`, witness version, program (bech32 for v0,
/// bech32m after).
pub fn segwit(hrp: &str, version: u8, program: &[u8]) -> String {
    const CHARSET: &[u8] = b"qpzry9x8gf2tvdw0s3jn54khce6mua7l";
    let mut data = vec![version];
    let (mut acc, mut bits) = (0u32, 0u32);
    for &b in program {
        acc = (acc << 8) | u32::from(b);
        bits += 8;
        while bits >= 5 {
            bits -= 5;
            data.push(((acc >> bits) & 31) as u8);
        }
    }
    if bits > 0 {
        data.push(((acc << (5 - bits)) & 31) as u8);
    }
    let mut values: Vec<u8> = hrp.bytes().map(|b| b >> 5).collect();
    values.push(0);
    values.extend(hrp.bytes().map(|b| b & 31));
    values.extend(&data);
    values.extend([0u8; 6]);
    let constant = if version == 0 { 1 } else { 0x2bc830a3 };
    let pm = bech32_polymod(&values) ^ constant;
    data.extend((0..6).map(|i| ((pm >> (5 * (5 - i))) & 31) as u8));
    let mut out = format!("{hrp}1");
    out.extend(data.iter().map(|&d| CHARSET[d as usize] as char));
    out
}

pub fn hex(rng: &mut Rng, n: usize) -> String {
    rng.string(HEX, n)
}

pub fn uuid(rng: &mut Rng) -> String {
    let h = hex(rng, 32);
    format!(
        "{}-{}-4{}-{}{}-{}",
        &h[..8],
        &h[8..12],
        &h[13..16],
        ["8", "9", "a", "b"][rng.below(4)],
        &h[17..20],
        &h[20..32]
    )
}

fn pem(label: &str, der_prefix: &[u8], rng: &mut Rng, body: usize) -> String {
    let mut der = der_prefix.to_vec();
    der.extend(rng.bytes(body));
    let b64 = base64(&der);
    let lines: Vec<&str> = b64
        .as_bytes()
        .chunks(64)
        .map(|c| std::str::from_utf8(c).unwrap())
        .collect();
    format!(
        "-----BEGIN {label}-----\n{}\n-----END {label}-----",
        lines.join("\n")
    )
}

/// A password or passphrase as people choose them for exchange keys:
/// letters, digits and often a symbol, 8 to 20 characters.
pub fn passphrase(rng: &mut Rng) -> String {
    let stems = [
        "Trader", "moon", "Satoshi", "hodl", "Kraken", "alpha", "Lambo", "bull", "Vault", "Orca",
    ];
    match rng.below(3) {
        0 => format!(
            "{}{}{}",
            stems[rng.below(stems.len())],
            rng.range(10, 9999),
            ["!", "#", "$", "@", "?", ""][rng.below(6)]
        ),
        1 => rng.string_in(ALNUM, 8, 20),
        _ => {
            let mut s = rng.string_in(ALNUM, 6, 14);
            s.push(['!', '%', '&', '*', '^', '~'][rng.below(6)]);
            s.push_str(&rng.range(1, 99).to_string());
            s
        }
    }
}

/// A short password as typed into a query string or a config line.
pub fn short_password(rng: &mut Rng) -> String {
    match rng.below(3) {
        0 => rng.string_in("abcdefghijklmnopqrstuvwxyz0123456789", 4, 8),
        1 => format!(
            "{}{}",
            ["hunter", "admin", "pass", "qwerty"][rng.below(4)],
            rng.range(1, 999)
        ),
        _ => passphrase(rng),
    }
}

/// One generated value and the part of it that must never be echoed.
pub struct Sample {
    /// The text as planted.
    pub text: String,
    /// The secret itself (for benign shapes, the look-alike).
    pub needle: String,
}

fn with_context(rng: &mut Rng, value: String, contexts: &[&str]) -> Sample {
    let template = contexts[rng.below(contexts.len())];
    Sample {
        text: template.replace("{}", &value),
        needle: value,
    }
}

/// A shape: a name, a group for the figures, and a maker.
pub struct Shape {
    pub name: &'static str,
    pub group: &'static str,
    pub make: fn(&mut Rng) -> Sample,
    /// A recovery phrase: may also be planted as a list of words.
    pub phrase: bool,
}

macro_rules! shape {
    ($group:literal, $name:literal, $make:expr) => {
        Shape {
            name: $name,
            group: $group,
            make: $make,
            phrase: false,
        }
    };
    ($group:literal, $name:literal, phrase, $make:expr) => {
        Shape {
            name: $name,
            group: $group,
            make: $make,
            phrase: true,
        }
    };
}

fn phrase_words(rng: &mut Rng, lang: bip39::Language) -> Vec<&'static str> {
    let list = lang.word_list();
    let n = [12, 15, 18, 21, 24][rng.below(5)];
    (0..n).map(|_| list[rng.below(2048)]).collect()
}

fn phrase_in(rng: &mut Rng, lang: bip39::Language) -> Sample {
    // The crate keeps the lists in NFKD; people type (and paste) NFC.
    use unicode_normalization::UnicodeNormalization;
    let words: Vec<String> = phrase_words(rng, lang)
        .into_iter()
        .map(|w| w.nfc().collect())
        .collect();
    let sep = if lang == bip39::Language::Japanese {
        "\u{3000}"
    } else {
        " "
    };
    let phrase = words.join(sep);
    Sample {
        text: phrase.clone(),
        needle: phrase,
    }
}

fn english(rng: &mut Rng) -> Vec<&'static str> {
    phrase_words(rng, bip39::Language::English)
}

fn join_phrase(words: &[String]) -> Sample {
    let text = words.join(" ");
    Sample {
        needle: words[..4].join(" "),
        text,
    }
}

/// Every secret shape, at least 40.
pub fn secrets() -> Vec<Shape> {
    use bip39::Language as L;
    vec![
        // --- exchanges
        shape!("exchange", "binance-api-key", |r| {
            let k = r.string(ALNUM, 64);
            with_context(
                r,
                k,
                &[
                    "{}",
                    "Binance API key {}",
                    "binance key: {}",
                    "the bot was given {} yesterday",
                ],
            )
        }),
        shape!("exchange", "binance-secret", |r| {
            let k = r.string(ALNUM, 64);
            with_context(
                r,
                k,
                &[
                    "{}",
                    "Binance secret key: {}",
                    "apiSecret={}",
                    "secret {} (rotated)",
                ],
            )
        }),
        shape!("exchange", "binance-ed25519-pem", |r| {
            let k = pem(
                "PRIVATE KEY",
                &[
                    0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04,
                    0x22, 0x04, 0x20,
                ],
                r,
                32,
            );
            Sample {
                needle: k.lines().nth(1).unwrap().to_string(),
                text: k,
            }
        }),
        shape!("exchange", "kraken-api-key", |r| {
            let k = base64(&r.bytes(42));
            with_context(r, k, &["{}", "Kraken API key: {}", "kraken key {}"])
        }),
        shape!("exchange", "kraken-private-key", |r| {
            let k = base64(&r.bytes(64));
            with_context(
                r,
                k,
                &["{}", "Kraken private key: {}", "API-Sign secret {}"],
            )
        }),
        shape!("exchange", "coinbase-cdp-key-name", |r| {
            let k = format!("organizations/{}/apiKeys/{}", uuid(r), uuid(r));
            with_context(r, k, &["{}", "CDP key name {}", "key: {}"])
        }),
        shape!("exchange", "coinbase-cdp-ec-private-key", |r| {
            let k = pem(
                "EC PRIVATE KEY",
                &[0x30, 0x77, 0x02, 0x01, 0x01, 0x04, 0x20],
                r,
                90,
            );
            Sample {
                needle: k.lines().nth(1).unwrap().to_string(),
                text: k,
            }
        }),
        shape!("exchange", "coinbase-cdp-ed25519-secret", |r| {
            let k = base64(&r.bytes(64));
            with_context(r, k, &["{}", "Coinbase CDP secret: {}", "privateKey {}"])
        }),
        shape!("exchange", "coinbase-legacy-key", |r| {
            let k = r.string(ALNUM, 16);
            with_context(
                r,
                k,
                &["Coinbase API key: {}", "CB-ACCESS-KEY {}", "api key {}"],
            )
        }),
        shape!("exchange", "coinbase-legacy-secret", |r| {
            let k = r.string(ALNUM, 32);
            with_context(r, k, &["{}", "Coinbase API secret: {}", "secret={}"])
        }),
        shape!("exchange", "okx-api-key", |r| {
            let k = uuid(r);
            with_context(
                r,
                k,
                &[
                    "OKX API key: {}",
                    "okx key {}",
                    "OK-ACCESS-KEY: {}",
                    "API key is {}",
                ],
            )
        }),
        shape!("exchange", "okx-secret", |r| {
            let k = r.string(HEX_UPPER, 32);
            with_context(
                r,
                k,
                &["OKX secret key: {}", "secret {}", "OK-ACCESS-SECRET={}"],
            )
        }),
        shape!("exchange", "okx-passphrase", |r| {
            let k = passphrase(r);
            with_context(
                r,
                k,
                &[
                    "OKX passphrase: {}",
                    "passphrase {}",
                    "OK-ACCESS-PASSPHRASE: {}",
                    "the passphrase is {}",
                ],
            )
        }),
        shape!("exchange", "okx-credentials-together", |r| {
            let (k, s, p) = (uuid(r), r.string(HEX_UPPER, 32), passphrase(r));
            Sample {
                text: format!("OKX: key {k}, secret {s}, passphrase {p}"),
                needle: p,
            }
        }),
        shape!("exchange", "bybit-api-key", |r| {
            let k = r.string(ALNUM, 18);
            with_context(
                r,
                k,
                &[
                    "{}",
                    "Bybit API key: {}",
                    "X-BAPI-API-KEY {}",
                    "bybit key {}",
                ],
            )
        }),
        shape!("exchange", "bybit-secret", |r| {
            let k = r.string(ALNUM, 36);
            with_context(r, k, &["{}", "Bybit secret: {}", "api_secret={}"])
        }),
        shape!("exchange", "kucoin-api-key", |r| {
            let k = hex(r, 24);
            with_context(
                r,
                k,
                &["KuCoin API key: {}", "KC-API-KEY {}", "kucoin key {}"],
            )
        }),
        shape!("exchange", "kucoin-secret", |r| {
            let k = uuid(r);
            with_context(
                r,
                k,
                &["KuCoin API secret: {}", "secret {}", "KC-API-SECRET={}"],
            )
        }),
        shape!("exchange", "kucoin-passphrase", |r| {
            let k = passphrase(r);
            with_context(
                r,
                k,
                &[
                    "KuCoin passphrase: {}",
                    "KC-API-PASSPHRASE {}",
                    "passphrase={}",
                ],
            )
        }),
        shape!("exchange", "bitfinex-key", |r| {
            let k = r.string(ALNUM, 43);
            with_context(r, k, &["{}", "Bitfinex API key: {}", "bfx key {}"])
        }),
        shape!("exchange", "gate-secret", |r| {
            let k = hex(r, 64);
            with_context(
                r,
                k,
                &["Gate.io API secret: {}", "secret key {}", "apiSecret: {}"],
            )
        }),
        shape!("exchange", "htx-access-key", |r| {
            let k = format!("{}-{}-{}-{}", hex(r, 8), hex(r, 8), hex(r, 8), hex(r, 5));
            with_context(r, k, &["{}", "HTX access key {}", "AccessKeyId={}"])
        }),
        shape!("exchange", "bitget-api-key", |r| {
            let k = format!("bg_{}", hex(r, 32));
            with_context(r, k, &["{}", "Bitget key {}"])
        }),
        shape!("exchange", "gemini-api-key", |r| {
            let k = format!("account-{}", r.string(ALNUM, 20));
            with_context(r, k, &["{}", "Gemini API key {}"])
        }),
        // --- wallets
        shape!("wallet", "xprv", |r| {
            let mut p = vec![0x04, 0x88, 0xAD, 0xE4];
            p.extend(r.bytes(41));
            p.push(0);
            p.extend(r.bytes(32));
            let k = base58check(&p);
            with_context(r, k, &["{}", "account xprv {}", "extended key: {}"])
        }),
        shape!("wallet", "tprv", |r| {
            let mut p = vec![0x04, 0x35, 0x83, 0x94];
            p.extend(r.bytes(41));
            p.push(0);
            p.extend(r.bytes(32));
            let k = base58check(&p);
            with_context(r, k, &["{}", "testnet key {}"])
        }),
        shape!("wallet", "wif-compressed", |r| {
            let mut p = vec![0x80];
            p.extend(r.bytes(32));
            p.push(1);
            let k = base58check(&p);
            with_context(r, k, &["{}", "WIF: {}", "import {} into Electrum"])
        }),
        shape!("wallet", "wif-uncompressed", |r| {
            let mut p = vec![0x80];
            p.extend(r.bytes(32));
            let k = base58check(&p);
            with_context(r, k, &["{}", "paper wallet {}"])
        }),
        shape!("wallet", "hex-private-key-in-context", |r| {
            let k = hex(r, 64);
            with_context(
                r,
                k,
                &[
                    "private key: {}",
                    "privkey 0x{}",
                    "PRIVATE_KEY={}",
                    "the hot wallet key is {}",
                    "secret key: {}",
                ],
            )
        }),
        shape!("wallet", "solana-private-key", |r| {
            let k = base58(&r.bytes(64));
            with_context(r, k, &["{}", "Solana private key: {}", "phantom export {}"])
        }),
        // --- recovery phrases, every BIP-39 language and the ways people write them
        shape!("phrase", "bip39-english", phrase, |r| phrase_in(
            r,
            L::English
        )),
        shape!("phrase", "bip39-chinese-simplified", phrase, |r| phrase_in(
            r,
            L::SimplifiedChinese
        )),
        shape!(
            "phrase",
            "bip39-chinese-traditional",
            phrase,
            |r| phrase_in(r, L::TraditionalChinese)
        ),
        shape!("phrase", "bip39-czech", phrase, |r| phrase_in(r, L::Czech)),
        shape!("phrase", "bip39-french", phrase, |r| phrase_in(
            r,
            L::French
        )),
        shape!("phrase", "bip39-italian", phrase, |r| phrase_in(
            r,
            L::Italian
        )),
        shape!("phrase", "bip39-japanese", phrase, |r| phrase_in(
            r,
            L::Japanese
        )),
        shape!("phrase", "bip39-korean", phrase, |r| phrase_in(
            r,
            L::Korean
        )),
        shape!("phrase", "bip39-portuguese", phrase, |r| phrase_in(
            r,
            L::Portuguese
        )),
        shape!("phrase", "bip39-spanish", phrase, |r| phrase_in(
            r,
            L::Spanish
        )),
        shape!("phrase", "bip39-numbered", |r| {
            let w = english(r);
            let style = r.below(3);
            let items: Vec<String> = w
                .iter()
                .enumerate()
                .map(|(i, w)| match style {
                    0 => format!("{}. {w}", i + 1),
                    1 => format!("{}) {w}", i + 1),
                    _ => format!("{:02}-{w}", i + 1),
                })
                .collect();
            let sep = if r.chance(50) { "\n" } else { " " };
            Sample {
                text: items.join(sep),
                needle: items[..4].join(sep),
            }
        }),
        shape!("phrase", "bip39-comma-separated", |r| {
            let w = english(r);
            let text = w.join(if r.chance(50) { ", " } else { "," });
            Sample {
                needle: w[..4].join(", "),
                text,
            }
        }),
        shape!("phrase", "bip39-capitalised", phrase, |r| {
            let w: Vec<String> = english(r)
                .iter()
                .map(|w| {
                    if r.chance(30) {
                        w.to_uppercase()
                    } else {
                        format!("{}{}", w[..1].to_uppercase(), &w[1..])
                    }
                })
                .collect();
            join_phrase(&w)
        }),
        shape!("phrase", "bip39-everyday-words", phrase, |r| {
            // Only words of the list that are everyday English, which a
            // filter of "prose words" would wrongly let through.
            let common: Vec<&str> = bip39::Language::English
                .word_list()
                .iter()
                .copied()
                .filter(|w| w.len() <= 4)
                .collect();
            let w: Vec<String> = (0..[12, 24][r.below(2)])
                .map(|_| common[r.below(common.len())].to_string())
                .collect();
            join_phrase(&w)
        }),
        shape!("phrase", "bip39-in-a-sentence", |r| {
            let w = english(r);
            let p = w.join(" ");
            Sample {
                text: format!("Support asked me to confirm my seed: {p}. I did not."),
                needle: w[..4].join(" "),
            }
        }),
        // --- cloud and SaaS tokens with published prefixes
        shape!("cloud", "aws-access-key-id", |r| {
            let k = format!(
                "{}{}",
                ["AKIA", "ASIA"][r.below(2)],
                r.string("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", 16)
            );
            with_context(r, k, &["{}", "aws_access_key_id = {}"])
        }),
        shape!("cloud", "aws-secret-access-key", |r| {
            let k = r.string(
                "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/",
                40,
            );
            with_context(
                r,
                k,
                &["aws_secret_access_key = {}", "AWS secret: {}", "{}"],
            )
        }),
        shape!("cloud", "github-token", |r| {
            let p = ["ghp_", "gho_", "ghu_", "ghs_", "ghr_"][r.below(5)];
            let k = format!("{p}{}", r.string(ALNUM, 36));
            with_context(r, k, &["{}", "GITHUB_TOKEN={}", "token {}"])
        }),
        shape!("cloud", "github-fine-grained-pat", |r| {
            let k = format!("github_pat_{}_{}", r.string(ALNUM, 22), r.string(ALNUM, 59));
            with_context(r, k, &["{}", "pat: {}"])
        }),
        shape!("cloud", "gitlab-pat", |r| {
            let k = format!("glpat-{}", r.string(B64URL, 20));
            with_context(r, k, &["{}", "GitLab token {}"])
        }),
        shape!("cloud", "slack-token", |r| {
            let p = ["xoxb", "xoxp", "xoxa", "xoxr", "xoxe.xoxp-1"][r.below(5)];
            let k = format!(
                "{p}-{}-{}-{}",
                r.range(100_000_000, 999_999_999_999),
                r.range(100_000_000, 999_999_999_999),
                r.string(ALNUM, 24)
            );
            with_context(r, k, &["{}", "Slack bot token: {}"])
        }),
        shape!("cloud", "stripe-secret-key", |r| {
            let p = ["sk_live_", "rk_live_", "sk_test_", "whsec_"][r.below(4)];
            let k = format!("{p}{}", r.string_in(ALNUM, 24, 99));
            with_context(r, k, &["{}", "Stripe key {}"])
        }),
        shape!("cloud", "google-api-key", |r| {
            let k = format!("AIza{}", r.string(B64URL, 35));
            with_context(r, k, &["{}", "maps key {}"])
        }),
        shape!("cloud", "google-oauth-token", |r| {
            let k = format!("ya29.{}", r.string_in(B64URL, 60, 160));
            with_context(r, k, &["{}", "Authorization: Bearer {}"])
        }),
        shape!("cloud", "openai-anthropic-key", |r| {
            let k = match r.below(3) {
                0 => format!("sk-proj-{}", r.string(B64URL, 120)),
                1 => format!(
                    "sk-ant-api03-{}-{}AA",
                    r.string(B64URL, 80),
                    r.string(B64URL, 12)
                ),
                _ => format!("sk-{}", r.string(ALNUM, 48)),
            };
            with_context(r, k, &["{}", "OPENAI_API_KEY={}"])
        }),
        shape!("cloud", "package-registry-token", |r| {
            let k = match r.below(3) {
                0 => format!("npm_{}", r.string(ALNUM, 36)),
                1 => format!("pypi-AgEIcHlwaS5vcmc{}", r.string(B64URL, 60)),
                _ => format!(
                    "hf_{}",
                    r.string("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz", 34)
                ),
            };
            with_context(r, k, &["{}", "publish token {}"])
        }),
        shape!("cloud", "sendgrid-key", |r| {
            let k = format!("SG.{}.{}", r.string(B64URL, 22), r.string(B64URL, 43));
            with_context(r, k, &["{}", "SENDGRID_API_KEY={}"])
        }),
        shape!("cloud", "telegram-bot-token", |r| {
            let k = format!(
                "{}:AA{}",
                r.range(100_000_000, 9_999_999_999),
                r.string(B64URL, 33)
            );
            with_context(r, k, &["{}", "alert bot token {}"])
        }),
        shape!("cloud", "jwt", |r| {
            let header = base64url(
                br#"{"alg":"ES256","kid":"organizations/x/apiKeys/y","typ":"JWT","nonce":"1"}"#,
            );
            let payload = base64url(
                format!(
                    r#"{{"sub":"{}","iss":"cdp","nbf":{},"exp":{}}}"#,
                    uuid(r),
                    r.range(1_700_000_000, 1_800_000_000),
                    r.range(1_800_000_000, 1_900_000_000)
                )
                .as_bytes(),
            );
            let k = format!("{header}.{payload}.{}", base64url(&r.bytes(64)));
            with_context(
                r,
                k,
                &[
                    "{}",
                    "Authorization: Bearer {}",
                    "session token {}",
                    "jwt={}",
                ],
            )
        }),
        shape!("cloud", "azure-connection-string", |r| {
            let k = base64(&r.bytes(64));
            Sample {
                text: format!(
                    "DefaultEndpointsProtocol=https;AccountName=vendorlogs;AccountKey={k};EndpointSuffix=core.windows.net"
                ),
                needle: k,
            }
        }),
        // --- PEM and OpenSSH private keys
        shape!("pem", "rsa-private-key", |r| {
            let k = pem(
                "RSA PRIVATE KEY",
                &[0x30, 0x82, 0x04, 0xa4, 0x02, 0x01, 0x00],
                r,
                300,
            );
            Sample {
                needle: k.lines().nth(2).unwrap().to_string(),
                text: k,
            }
        }),
        shape!("pem", "openssh-private-key", |r| {
            let mut body = b"openssh-key-v1\0".to_vec();
            body.extend(r.bytes(200));
            let b64 = base64(&body);
            let lines: Vec<&str> = b64
                .as_bytes()
                .chunks(70)
                .map(|c| std::str::from_utf8(c).unwrap())
                .collect();
            let k = format!(
                "-----BEGIN OPENSSH PRIVATE KEY-----\n{}\n-----END OPENSSH PRIVATE KEY-----",
                lines.join("\n")
            );
            Sample {
                needle: lines[1].to_string(),
                text: k,
            }
        }),
        shape!("pem", "pgp-private-key", |r| {
            let k = pem("PGP PRIVATE KEY BLOCK", &[0x95, 0x05, 0x86], r, 200);
            Sample {
                needle: k.lines().nth(2).unwrap().to_string(),
                text: k,
            }
        }),
        shape!("pem", "encrypted-private-key", |r| {
            let k = pem("ENCRYPTED PRIVATE KEY", &[0x30, 0x82, 0x01, 0x21], r, 150);
            Sample {
                needle: k.lines().nth(2).unwrap().to_string(),
                text: k,
            }
        }),
        // --- URLs and connection strings
        shape!("url", "url-password", |r| {
            let p = short_password(r);
            let u = format!(
                "https://{}:{p}@api.vendor.example/v1",
                ["admin", "bot", "ops"][r.below(3)]
            );
            with_url(r, u, p)
        }),
        shape!("url", "database-url", |r| {
            let p = short_password(r);
            let u = match r.below(4) {
                0 => format!("postgres://app:{p}@db.vendor.example:5432/trades"),
                1 => format!("mongodb+srv://bot:{p}@cluster0.vendor.example/keys?retryWrites=true"),
                2 => format!("redis://:{p}@cache.vendor.example:6379/0"),
                _ => format!("amqp://worker:{p}@mq.vendor.example/"),
            };
            with_url(r, u, p)
        }),
        shape!("url", "password-query", |r| {
            let p = short_password(r);
            let u = format!(
                "https://vendor.example/export?user=ops&{}={p}",
                ["password", "pwd", "pass", "passphrase"][r.below(4)]
            );
            with_url(r, u, p)
        }),
        shape!("url", "token-as-url-user", |r| {
            let t = format!("ghp_{}", r.string(ALNUM, 36));
            let u = match r.below(2) {
                0 => format!("https://{t}@github.com/vendor/bot.git"),
                _ => format!("https://{}@vendor.example/feed", r.string(ALNUM, 32)),
            };
            let needle = u
                .split('@')
                .next()
                .unwrap()
                .trim_start_matches("https://")
                .to_string();
            with_url(r, u, needle)
        }),
        shape!("url", "token-in-url-path", |r| {
            let (u, t) = match r.below(3) {
                0 => {
                    let t = format!(
                        "{}:AA{}",
                        r.range(100_000_000, 999_999_999),
                        r.string(B64URL, 33)
                    );
                    (format!("https://api.telegram.org/bot{t}/getMe"), t)
                }
                1 => {
                    let t = r.string(ALNUM, 24);
                    (
                        format!(
                            "https://hooks.slack.com/services/T{}/B{}/{t}",
                            r.string(UPPER_DIGITS, 8),
                            r.string(UPPER_DIGITS, 10)
                        ),
                        t,
                    )
                }
                _ => {
                    let t = r.string(B64URL, 68);
                    (
                        format!(
                            "https://discord.com/api/webhooks/{}/{t}",
                            r.range(100_000_000_000, 999_999_999_999)
                        ),
                        t,
                    )
                }
            };
            with_url(r, u, t)
        }),
        shape!("url", "token-in-url-query", |r| {
            let t = r.string_in(ALNUM, 32, 64);
            let u = format!(
                "https://api.vendor.example/v2/balance?{}={t}",
                ["apikey", "api_key", "access_token", "token", "key"][r.below(5)]
            );
            with_url(r, u, t)
        }),
        shape!("password", "password-in-text", |r| {
            let p = short_password(r);
            with_context(
                r,
                p,
                &[
                    "password: {}",
                    "password={}",
                    "Password = {}",
                    "the admin password is {}",
                    "pwd={}",
                ],
            )
        }),
        shape!("password", "connection-string-password", |r| {
            let p = short_password(r);
            Sample {
                text: format!("Server=db.vendor.example;Database=keys;User Id=svc;Password={p};"),
                needle: p,
            }
        }),
    ]
}

fn with_url(r: &mut Rng, url: String, needle: String) -> Sample {
    if r.chance(50) {
        Sample { text: url, needle }
    } else {
        let t = [
            "They connect with {} from the worker.",
            "config: {}",
            "see {}, which the bot uses",
        ][r.below(3)];
        Sample {
            text: t.replace("{}", &url),
            needle,
        }
    }
}

fn plain(text: String) -> Sample {
    Sample {
        needle: text.clone(),
        text,
    }
}

fn eth_address(r: &mut Rng) -> String {
    let h: String = hex(r, 40)
        .chars()
        .map(|c| {
            if r.chance(50) {
                c.to_ascii_uppercase()
            } else {
                c
            }
        })
        .collect();
    format!("0x{h}")
}

fn solana_address(r: &mut Rng) -> String {
    loop {
        let s = base58(&r.bytes(32));
        if s.len() >= 43 {
            return s;
        }
    }
}

const PROSE: [&str; 12] = [
    "The vendor stores each API key encrypted with a key held in an HSM and never logs it.",
    "Keys are read-only and bound to the two egress addresses the vendor publishes.",
    "Support confirmed that withdrawal permission is never requested, and the docs say the same.",
    "We rotate the exchange keys every ninety days and after any staff change.",
    "The password manager they use is audited yearly; the report was shared under NDA.",
    "Passphrases for OKX and KuCoin keys are entered by the user and kept in the vault, not in the database.",
    "Their security page explains how the secret is split between the signing service and the database.",
    "A seed phrase is never requested by the vendor; support staff are trained to refuse one.",
    "Private keys for the hot wallet live in an HSM with a quorum of three out of five officers.",
    "The token used by the bot expires after one hour and is renewed by the scheduler.",
    "Able to trade spot and futures, but not to move funds off the exchange, as documented.",
    "All access to the admin panel goes through single sign-on with hardware keys for every engineer.",
];

/// Every benign shape, at least 20.
pub fn benign() -> Vec<Shape> {
    vec![
        shape!("address", "ethereum-address", |r| {
            let a = eth_address(r);
            with_context(r, a, &["{}", "deposit address {}", "hot wallet: {}"])
        }),
        shape!("address", "contract-address", |r| {
            let a = eth_address(r);
            with_context(
                r,
                a,
                &[
                    "USDT token contract {}",
                    "token {}",
                    "router contract: {}",
                    "approved spender {}",
                ],
            )
        }),
        shape!("address", "bitcoin-legacy", |r| {
            let mut p = vec![0u8];
            p.extend(r.bytes(20));
            let a = base58check(&p);
            with_context(r, a, &["{}", "cold wallet {}", "BTC address: {}"])
        }),
        shape!("address", "bitcoin-p2sh", |r| {
            let mut p = vec![5u8];
            p.extend(r.bytes(20));
            let a = base58check(&p);
            with_context(r, a, &["{}", "multisig {}"])
        }),
        shape!("address", "bitcoin-bech32", |r| {
            let a = if r.chance(50) {
                segwit("bc", 0, &r.bytes(20))
            } else {
                segwit("bc", 1, &r.bytes(32))
            };
            with_context(r, a, &["{}", "withdrawal allow-list: {}", "address {}"])
        }),
        shape!("address", "solana-address", |r| {
            let a = solana_address(r);
            with_context(
                r,
                a,
                &["{}", "Solana wallet {}", "program id {}", "mint {}"],
            )
        }),
        shape!("address", "tron-address", |r| {
            let mut p = vec![0x41u8];
            p.extend(r.bytes(20));
            let a = base58check(&p);
            with_context(r, a, &["{}", "TRC-20 deposit address {}"])
        }),
        shape!("hash", "transaction-hash", |r| {
            let h = hex(r, 64);
            let h = if r.chance(50) { format!("0x{h}") } else { h };
            with_context(
                r,
                h,
                &["{}", "tx {}", "the drain transaction was {}", "txid: {}"],
            )
        }),
        shape!("hash", "solana-signature", |r| {
            let s = base58(&r.bytes(64));
            with_context(r, s, &["tx {}", "signature {}", "https://solscan.io/tx/{}"])
        }),
        shape!("hash", "git-commit", |r| {
            let n = [7, 12, 40][r.below(3)];
            let h = hex(r, n);
            with_context(
                r,
                h,
                &[
                    "{}",
                    "fixed in {}",
                    "commit {}",
                    "https://github.com/vendor/bot/commit/{}",
                ],
            )
        }),
        shape!("hash", "sha256-checksum", |r| {
            let h = hex(r, 64);
            let h = if r.chance(30) { h.to_uppercase() } else { h };
            with_context(
                r,
                h,
                &[
                    "{}",
                    "sha256: {}",
                    "{}  vetted-1.4.2-x86_64.tar.gz",
                    "checksum {} matches the release",
                    "image digest sha256:{}",
                ],
            )
        }),
        shape!("hash", "sha512-checksum", |r| {
            let h = hex(r, 128);
            with_context(r, h, &["{}", "SHA-512 {}"])
        }),
        shape!("id", "uuid-public-id", |r| {
            let u = uuid(r);
            with_context(
                r,
                u,
                &[
                    "{}",
                    "portfolio id {}",
                    "request-id: {}",
                    "ticket {}",
                    "https://status.vendor.example/incidents/{}",
                ],
            )
        }),
        shape!("id", "pgp-fingerprint", |r| {
            let h = r.string(HEX_UPPER, 40);
            let f = if r.chance(60) {
                let groups: Vec<&str> = (0..10).map(|i| &h[i * 4..i * 4 + 4]).collect();
                format!("{}  {}", groups[..5].join(" "), groups[5..].join(" "))
            } else {
                h
            };
            with_context(r, f, &["{}", "PGP fingerprint {}", "Key fingerprint = {}"])
        }),
        shape!("id", "cve-and-advisory-ids", |r| {
            let a = r.string("23456789cfghjmpqrvwx", 4);
            let b = r.string("23456789cfghjmpqrvwx", 4);
            let c = r.string("23456789cfghjmpqrvwx", 4);
            plain(format!(
                "CVE-2026-{} and GHSA-{a}-{b}-{c}",
                r.range(1000, 99999)
            ))
        }),
        shape!("id", "ipfs-cid", |r| {
            let mut mh = vec![0x12, 0x20];
            mh.extend(r.bytes(32));
            let c = base58(&mh);
            with_context(r, c, &["{}", "audit report on IPFS: {}"])
        }),
        shape!("url", "scorecard-url", |r| {
            let repo = format!(
                "{}/{}",
                ["northwind", "ledgerlight", "orca-labs"][r.below(3)],
                ["bot", "tracker", "engine"][r.below(3)]
            );
            plain(match r.below(2) {
                0 => format!("https://scorecard.dev/viewer/?uri=github.com/{repo}"),
                _ => format!("https://api.securityscorecards.dev/projects/github.com/{repo}"),
            })
        }),
        shape!("url", "block-explorer-url", |r| {
            plain(match r.below(5) {
                0 => format!("https://etherscan.io/tx/0x{}", hex(r, 64)),
                1 => format!("https://etherscan.io/address/{}", eth_address(r)),
                2 => format!("https://mempool.space/tx/{}", hex(r, 64)),
                3 => format!("https://solscan.io/account/{}", solana_address(r)),
                _ => {
                    let mut p = vec![0x41u8];
                    p.extend(r.bytes(20));
                    format!("https://tronscan.org/#/address/{}", base58check(&p))
                }
            })
        }),
        shape!("url", "repository-url", |r| {
            plain(format!(
                "https://github.com/{}/{}/blob/{}/{}",
                ["northwind", "orca-labs"][r.below(2)],
                ["bot", "engine"][r.below(2)],
                hex(r, 40),
                ["SECURITY.md", "docs/api-keys.md", "src/signing/mod.rs"][r.below(3)]
            ))
        }),
        shape!("text", "base64-of-prose", |r| {
            let p = PROSE[r.below(PROSE.len())];
            let b = base64(p.as_bytes());
            with_context(r, b, &["{}", "the security.txt signature block read {}"])
        }),
        shape!("text", "dates-and-versions", |r| {
            plain(format!(
                "v{}.{}.{} released {}-{:02}-{:02}T{:02}:00:00Z, fixed in 1.4.0-rc.{}+build.{}",
                r.range(0, 9),
                r.range(0, 30),
                r.range(0, 30),
                r.range(2019, 2026),
                r.range(1, 12),
                r.range(1, 28),
                r.range(0, 23),
                r.range(1, 9),
                r.range(1, 999)
            ))
        }),
        shape!("text", "cidr-ranges", |r| {
            plain(format!(
                "203.0.113.{}/28, 198.51.100.0/24 and 2001:db8:{:x}::/48",
                r.range(0, 15) * 16,
                r.range(1, 0xffff)
            ))
        }),
        shape!("text", "kebab-slugs", |r| {
            let words = [
                "northwind",
                "spot",
                "trading",
                "readonly",
                "key",
                "rotation",
                "q4",
                "2026",
                "binance",
                "ip",
                "bound",
                "export",
                "tax",
                "report",
            ];
            let n = r.range(4, 8);
            let s: Vec<&str> = (0..n).map(|_| words[r.below(words.len())]).collect();
            plain(s.join(if r.chance(70) { "-" } else { "_" }))
        }),
        shape!("text", "prose-about-keys", |r| {
            let n = r.range(1, 3);
            let s: Vec<&str> = (0..n).map(|_| PROSE[r.below(PROSE.len())]).collect();
            plain(s.join(" "))
        }),
        shape!("text", "key-descriptions", |r| {
            plain(format!(
                "{} API key with read permission, IP-bound to 203.0.113.{}, created 2026-{:02}-{:02}, label {}-readonly-{}",
                ["OKX", "Binance", "Kraken", "KuCoin", "Bybit"][r.below(5)],
                r.range(1, 254),
                r.range(1, 12),
                r.range(1, 28),
                ["northwind", "ledgerlight"][r.below(2)],
                r.range(2024, 2026)
            ))
        }),
        shape!("text", "public-key-material", |r| {
            match r.below(3) {
                0 => plain(format!(
                    "ssh-ed25519 {} deploy@vendor",
                    base64(
                        &[
                            &[0, 0, 0, 11][..],
                            b"ssh-ed25519",
                            &[0, 0, 0, 32],
                            &r.bytes(32)
                        ]
                        .concat()
                    )
                )),
                1 => plain(format!(
                    "SSH host key SHA256:{}",
                    base64(&r.bytes(32)).trim_end_matches('=')
                )),
                _ => plain(pem("PGP PUBLIC KEY BLOCK", &[0x99, 0x01, 0x0d], r, 180)),
            }
        }),
        shape!("text", "subresource-integrity", |r| {
            plain(format!("integrity sha512-{}", base64(&r.bytes(64))))
        }),
        shape!("text", "camel-case-identifiers", |r| {
            let parts = [
                "Security", "Insights", "Api", "Key", "Rotation", "Policy", "V2", "Report", "Spot",
                "Trading", "2026", "Q4",
            ];
            let n = r.range(3, 6);
            let s: String = (0..n).map(|_| parts[r.below(parts.len())]).collect();
            plain(s)
        }),
    ]
}

/// Where a sample is planted. Returns a whole manifest, or `None` when the
/// place does not fit the sample (a phrase in a URL, a PEM block as a key).
pub struct Place {
    pub name: &'static str,
    pub plant: fn(&Sample, &Shape, &mut Rng) -> Option<String>,
}

const HEAD: &str = "vendor: {name: Guarded Vendor, website: https://vendor.example}\n\
integration:\n  purpose: Spot trading bot\n  checklists: [baseline]\n  permissions: [read]\n\
assessment: {assessor: A. Reviewer, date: 2026-11-20}\n";

fn manifest(note: &str) -> String {
    format!("{HEAD}answers:\n  documentation.security_page:\n    value: detailed\n{note}")
}

fn dq(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn single_line(s: &Sample) -> bool {
    !s.text.contains('\n')
}

fn is_token(s: &Sample) -> bool {
    !s.text.chars().any(char::is_whitespace)
}

fn plain_safe(s: &str) -> bool {
    !s.contains('\n')
        && !s.contains(": ")
        && !s.contains(" #")
        && !s.ends_with(':')
        && !s.starts_with(|c: char| "-?:,[]{}#&*!|>'\"%@`".contains(c) || c.is_whitespace())
        && !s.ends_with(char::is_whitespace)
        && !matches!(s, "true" | "false" | "null" | "~")
        && s.parse::<f64>().is_err()
}

fn block(s: &str, indent: &str) -> String {
    s.lines()
        .map(|l| {
            if l.is_empty() {
                String::new()
            } else {
                format!("{indent}{l}")
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Wraps at `width` columns the way a person wraps a long line: at spaces,
/// and through a word longer than a line.
fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        let mut word: Vec<char> = word.chars().collect();
        while word.len() > width {
            if !line.is_empty() {
                lines.push(std::mem::take(&mut line));
            }
            lines.push(word[..width].iter().collect());
            word.drain(..width);
        }
        let word: String = word.into_iter().collect();
        if !line.is_empty() && line.chars().count() + 1 + word.chars().count() > width {
            lines.push(std::mem::take(&mut line));
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(&word);
    }
    if !line.is_empty() {
        lines.push(line);
    }
    lines
}

pub fn places() -> Vec<Place> {
    vec![
        Place {
            name: "mapping-field",
            plant: |s, _, _| {
                Some(HEAD.replace(
                    "purpose: Spot trading bot",
                    &format!("purpose: {}", dq(&s.text)),
                ))
            },
        },
        Place {
            name: "answer-note",
            plant: |s, _, _| Some(manifest(&format!("    note: {}\n", dq(&s.text)))),
        },
        Place {
            name: "plain-scalar",
            plant: |s, _, _| {
                plain_safe(&s.text).then(|| manifest(&format!("    note: {}\n", s.text)))
            },
        },
        Place {
            name: "single-quoted",
            plant: |s, _, _| {
                single_line(s)
                    .then(|| manifest(&format!("    note: '{}'\n", s.text.replace('\'', "''"))))
            },
        },
        Place {
            name: "literal-block",
            plant: |s, _, _| {
                Some(manifest(&format!(
                    "    note: |\n{}\n",
                    block(&s.text, "      ")
                )))
            },
        },
        Place {
            name: "folded-block",
            plant: |s, _, r| {
                let width = r.range(24, 60);
                let lines = wrap(&s.text, width).join("\n");
                Some(manifest(&format!(
                    "    note: >\n{}\n",
                    block(&lines, "      ")
                )))
            },
        },
        Place {
            name: "split-across-lines",
            plant: |s, _, r| {
                // The secret itself is cut in two at a random point, as a
                // terminal or an editor wraps a long key.
                let chars: Vec<char> = s.needle.chars().collect();
                if chars.len() < 16
                    || chars.iter().any(|c| c.is_whitespace())
                    || !s.text.contains(&s.needle)
                {
                    return None;
                }
                let at = r.range(chars.len() / 3, chars.len() * 2 / 3);
                let cut = format!(
                    "{}\n{}",
                    chars[..at].iter().collect::<String>(),
                    chars[at..].iter().collect::<String>()
                );
                let text = s.text.replacen(&s.needle, &cut, 1);
                let style = if r.chance(50) { "|" } else { ">" };
                Some(manifest(&format!(
                    "    note: {style}\n{}\n",
                    block(&text, "      ")
                )))
            },
        },
        Place {
            name: "comment",
            plant: |s, _, _| {
                let comment: String = s.text.lines().map(|l| format!("  # {l}\n")).collect();
                Some(
                    manifest(&format!("{comment}    source: document\n"))
                        .replace("answers:\n", &format!("answers:\n{comment}")),
                )
            },
        },
        Place {
            name: "trailing-comment",
            plant: |s, _, _| {
                single_line(s).then(|| manifest(&format!("    source: document  # {}\n", s.text)))
            },
        },
        Place {
            name: "flow-mapping",
            plant: |s, _, _| {
                Some(manifest(&format!(
                    "    evidence: [{{url: https://vendor.example/security, observed: 2026-11-01, note: {}}}]\n",
                    dq(&s.text)
                )))
            },
        },
        Place {
            name: "evidence-url",
            plant: |s, _, _| {
                (is_token(s) && s.text.contains("://")).then(|| {
                    manifest(&format!(
                        "    evidence:\n      - url: {}\n        observed: 2026-11-01\n",
                        dq(&s.text)
                    ))
                })
            },
        },
        Place {
            name: "url-query",
            plant: |s, _, _| {
                (is_token(s) && !s.text.contains("://") && s.text.len() < 400).then(|| {
                    manifest(&format!(
                        "    evidence:\n      - url: \"https://vendor.example/docs?ref={}&lang=en\"\n        observed: 2026-11-01\n",
                        s.text.replace('%', "%25").replace('+', "%2B").replace('/', "%2F").replace('=', "%3D").replace('&', "%26").replace('#', "%23")
                    ))
                })
            },
        },
        Place {
            name: "url-path",
            plant: |s, _, _| {
                (is_token(s) && !s.text.contains("://") && s.text.len() < 400).then(|| {
                    manifest(&format!(
                        "    evidence:\n      - url: \"https://vendor.example/share/{}/view\"\n        observed: 2026-11-01\n",
                        s.text.replace('%', "%25").replace('/', "%2F").replace('?', "%3F").replace('#', "%23")
                    ))
                })
            },
        },
        Place {
            name: "field-name",
            plant: |s, _, _| {
                (is_token(s) && s.text.len() < 200)
                    .then(|| format!("{HEAD}answers:\n  {}:\n    value: detailed\n", dq(&s.text)))
            },
        },
        Place {
            name: "word-list",
            plant: |s, shape, _| {
                shape.phrase.then(|| {
                    let items: String = s
                        .text
                        .split_whitespace()
                        .map(|w| format!("    - {}\n", dq(w)))
                        .collect();
                    format!("{HEAD}notes:\n{items}")
                })
            },
        },
    ]
}

/// One generated manifest.
pub struct Case {
    pub shape: &'static str,
    pub group: &'static str,
    pub place: &'static str,
    pub secret: bool,
    pub manifest: String,
    pub needle: String,
}

/// `per` samples of every shape in every place that fits it.
pub fn cases(seed: u64, per: usize) -> Vec<Case> {
    let mut rng = Rng::new(seed);
    let places = places();
    let mut out = Vec::new();
    for (secret, shapes) in [(true, secrets()), (false, benign())] {
        for shape in &shapes {
            for place in &places {
                for _ in 0..per {
                    let sample = (shape.make)(&mut rng);
                    if let Some(manifest) = (place.plant)(&sample, shape, &mut rng) {
                        out.push(Case {
                            shape: shape.name,
                            group: shape.group,
                            place: place.name,
                            secret,
                            manifest,
                            needle: sample.needle,
                        });
                    }
                }
            }
        }
    }
    out
}
