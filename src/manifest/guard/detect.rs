//! What a piece of text holds: the guard's detectors.
//!
//! Text is read as a sequence of words. A word is checked on its own (a
//! published token prefix, a JWT, a WIF or extended private key, a URL
//! carrying a password or token, a long random token) and in the light of
//! the words just before it: after `password`, `passphrase`, `secret`,
//! `API key` and the like, a short or plain-looking value is a credential
//! too; after `tx`, `address`, `commit`, `fingerprint` and the like, a hash
//! or an address is what it says it is. Fragments of one token wrapped over
//! several lines are joined again before they are judged.
//!
//! Bare hex (hashes, checksums, transaction ids, Ethereum addresses),
//! UUIDs, addresses with a valid checksum and base64 of text are never
//! refused on their shape alone: they are what a reviewer writes every day.

use super::encoding;
use super::phrase;

pub const PEM: &str = "a PEM private key block";
pub const PHRASE: &str = "a wallet recovery (seed) phrase";
pub const URL_PASSWORD: &str = "a URL with an embedded password";
pub const URL_TOKEN: &str = "a URL carrying an API key or token";
pub const TOKEN: &str = "an API key or secret (a long random token)";
pub const PREFIXED: &str = "an access token with a published prefix";
pub const JWT: &str = "a JSON Web Token";
pub const WALLET_KEY: &str = "a wallet private key (WIF or extended private key)";
pub const PASSWORD: &str = "a password or passphrase";
pub const NAMED: &str = "a key, secret or token written after its name";
pub const CDP_KEY: &str = "a Coinbase CDP API key name";

/// Published prefixes of access tokens (each vendor's documentation, as
/// collected by the secret scanners of GitHub and gitleaks), with the least
/// number of characters that follow in a real token. Only the prefix and
/// a random-looking remainder together count: `sk-` alone starts many
/// words.
const PREFIXES: &[(&str, usize)] = &[
    ("ghp_", 30),
    ("gho_", 30),
    ("ghu_", 30),
    ("ghs_", 30),
    ("ghr_", 30),
    ("github_pat_", 40),
    ("glpat-", 20),
    ("glptt-", 20),
    ("gldt-", 20),
    ("xoxb-", 20),
    ("xoxp-", 20),
    ("xoxa-", 20),
    ("xoxr-", 20),
    ("xoxs-", 20),
    ("xoxe-", 20),
    ("xoxe.xoxp-", 20),
    ("xapp-", 20),
    ("sk_live_", 16),
    ("rk_live_", 16),
    ("sk_test_", 16),
    ("rk_test_", 16),
    ("whsec_", 16),
    ("AIza", 30),
    ("ya29.", 30),
    ("sk-proj-", 30),
    ("sk-ant-", 30),
    ("sk-svcacct-", 30),
    ("sk-", 40),
    ("npm_", 30),
    ("pypi-AgEIcHlwaS5vcmc", 30),
    ("hf_", 30),
    ("SG.", 40),
    ("glsa_", 30),
    ("glc_", 30),
    ("dop_v1_", 40),
    ("doo_v1_", 40),
    ("shpat_", 30),
    ("shpss_", 30),
    ("shpca_", 30),
    ("shppa_", 30),
    ("AGE-SECRET-KEY-1", 40),
    ("hvs.", 20),
    ("PMAK-", 40),
    ("lin_api_", 30),
    ("sntrys_", 40),
    ("figd_", 30),
    ("sq0atp-", 20),
    ("sq0csp-", 30),
    // Exchanges whose keys carry a prefix: Bitget, Gemini.
    ("bg_", 30),
    ("account-", 18),
    ("master-", 18),
];

/// AWS access key ids: a four-letter kind, then 16 of A-Z and 2-7. Only
/// the kinds that authenticate (long-term and temporary keys).
const AWS_KINDS: [&str; 4] = ["AKIA", "ASIA", "ABIA", "ACCA"];

/// What kind of secret `text` holds, if any. `field` is the name of the
/// mapping key the text is the value of, read like a word before it.
pub fn scan(text: &str, field: Option<&str>) -> Option<&'static str> {
    if text.len() < 4 || plainly_nothing(text, field) {
        return None;
    }
    // A PEM header alone is 27 characters.
    let text = if text.len() >= 27
        && (text.contains("-----BEGIN") || text.contains("PuTTY-User-Key-File"))
    {
        if pem_private(text) {
            return Some(PEM);
        }
        std::borrow::Cow::Owned(without_public_blocks(text))
    } else {
        std::borrow::Cow::Borrowed(text)
    };
    if phrase::is_phrase(&text) {
        return Some(PHRASE);
    }
    Words::scan(&text, field)
}

/// Most strings of a manifest are ids, options, labels and dates: one word
/// too short to be a token, or lower-case words joined by `.`, `_`, `-`.
/// Neither can hold anything the detectors below would refuse, unless the
/// field's name says it holds a credential; sparing them the word-by-word
/// reading keeps the guard a small part of loading a manifest.
fn plainly_nothing(text: &str, field: Option<&str>) -> bool {
    let one_short_word = text.len() < 16
        && !text.bytes().any(|b| {
            b.is_ascii_whitespace()
                || matches!(b, b'=' | b':' | b',' | b';' | b'"' | b'\'' | b'(' | b'[')
        });
    let id = text
        .bytes()
        .all(|b| b.is_ascii_lowercase() || matches!(b, b'.' | b'_' | b'-'));
    // Named as a key (`okx-key: ...`), a word of 12 characters or more
    // mixing letters and digits is refused; lower case alone never is.
    id || one_short_word && (text.len() < 12 || Words::field_ctx(field) == Ctx::None)
}

/// A private key in PEM (PKCS#1, PKCS#8, SEC1, OpenSSH, PGP, encrypted) or
/// PuTTY's format.
fn pem_private(text: &str) -> bool {
    // A real header: `-----BEGIN ` and a label of capitals, not prose
    // about one (`-----BEGIN ... PRIVATE KEY-----`).
    let pem = text.match_indices("-----BEGIN ").any(|(i, _)| {
        let label = &text[i + 11..];
        label.find("-----").is_some_and(|end| {
            let label = &label[..end];
            label.len() <= 60
                && label.contains("PRIVATE")
                && label
                    .bytes()
                    .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b' ')
        })
    });
    pem || (text.contains("PuTTY-User-Key-File") && text.contains("Private-Lines"))
}

/// `text` with public PEM blocks (certificates, public keys, signatures)
/// blanked: their base64 is random, and public.
fn without_public_blocks(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find("-----BEGIN") {
        out.push_str(&rest[..i]);
        let block = &rest[i..];
        let end = block
            .find("-----END")
            .map(|e| {
                let tail = &block[e + 8..];
                e + 8 + tail.find("-----").map_or(tail.len(), |d| d + 5)
            })
            .unwrap_or(block.len());
        out.push(' ');
        rest = &block[end..];
    }
    out.push_str(rest);
    out
}

/// How a word before a value colours it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kw {
    /// Not a keyword.
    None,
    /// `password`, `passphrase`, `pwd`...: the next word is a password.
    Password,
    /// `secret`, `API key`, `token`, `private key`, `seed`...: the next
    /// long word is a credential.
    Secret,
    /// `tx`, `address`, `commit`, `fingerprint`, `id`...: the next word is
    /// a public identifier of the kind named.
    Public,
    /// `is`, `=`, `:`: keeps the colour of the word before.
    Filler,
}

/// Words that name what follows as public.
fn is_public_word(w: &[u8]) -> bool {
    matches!(
        w,
        b"tx"
            | b"txid"
            | b"txn"
            | b"txhash"
            | b"transaction"
            | b"hash"
            | b"signature"
            | b"address"
            | b"addr"
            | b"contract"
            | b"wallet"
            | b"commit"
            | b"checksum"
            | b"sha1"
            | b"sha256"
            | b"sha384"
            | b"sha512"
            | b"md5"
            | b"digest"
            | b"fingerprint"
            | b"id"
            | b"uuid"
            | b"cid"
            | b"ipfs"
            | b"mint"
            | b"program"
            | b"block"
            | b"integrity"
            | b"sshed25519"
            | b"sshrsa"
            | b"ecdsasha2nistp256"
            | b"sshdss"
            | b"label"
            | b"ticket"
            | b"request"
            | b"requestid"
            | b"cve"
            | b"ghsa"
            | b"version"
    )
}

/// Classifies one word (lower case, letters and digits only, at most 40
/// characters), without allocating.
fn keyword(word: &str) -> Kw {
    let mut buf = [0u8; 40];
    let mut n = 0;
    for b in word.bytes() {
        if b.is_ascii_alphanumeric() {
            if n == buf.len() {
                return Kw::None;
            }
            buf[n] = b.to_ascii_lowercase();
            n += 1;
        } else if !matches!(b, b'-' | b'_' | b':' | b'=' | b'.' | b'"' | b'\'') {
            return Kw::None;
        }
    }
    let w: &[u8] = &buf[..n];
    if w.is_empty() {
        return if matches!(word, "=" | ":" | "-" | "=>" | "->" | ":=") {
            Kw::Filler
        } else {
            Kw::None
        };
    }
    let full = w;
    let w = w.strip_suffix(b"s").filter(|s| s.len() >= 3).unwrap_or(w);
    if matches!(w, b"is" | b"wa" | b"i" | b"are" | b"be" | b"equal" | b"of") || w == b"was" {
        return Kw::Filler;
    }
    // Dispatch on the last letter: this runs for every word of every note,
    // and nearly all of them are no keyword.
    let ends = |k: &[u8]| w.ends_with(k);
    let password = match w[w.len() - 1] {
        b'd' => ends(b"password") || ends(b"passwd") || ends(b"pwd"),
        b'e' => ends(b"passphrase") || ends(b"passcode"),
        b's' => w == b"pas" || w == b"pass",
        _ => false,
    };
    if password {
        return Kw::Password;
    }
    if ends(b"publickey") || ends(b"pubkey") {
        return Kw::Public;
    }
    // `AccessKeyId`, `key_id`: an id, but some (HTX's) are the key itself.
    if ends(b"keyid") || ends(b"tokenid") {
        return Kw::None;
    }
    // `apikey`, `secretkey`, `privatekey`, `accesskey` end in `key`.
    let secret = match w[w.len() - 1] {
        b't' => ends(b"secret") || ends(b"jwt"),
        b'y' => ends(b"key"),
        b'n' => ends(b"token") || ends(b"authorization"),
        b'd' => ends(b"seed"),
        b'c' => ends(b"mnemonic"),
        b'f' => ends(b"wif"),
        b'l' => ends(b"credential"),
        b'r' => ends(b"bearer"),
        b'v' => ends(b"xprv"),
        _ => false,
    };
    if secret {
        return Kw::Secret;
    }
    if is_public_word(full) || is_public_word(w) {
        return Kw::Public;
    }
    Kw::None
}

/// How plainly a password is named: `password=x` (config syntax),
/// `password: x` (a label), `the password is x` (prose).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Strength {
    Equals,
    Colon,
    Words,
}

/// The colour the words before a value give it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Ctx {
    None,
    Password { strength: Strength },
    Secret,
    Public,
}

fn ctx_of(kw: Kw, previous: Option<&str>) -> Ctx {
    match kw {
        Kw::Password => Ctx::Password {
            strength: Strength::Words,
        },
        // `public key`, `host key`, `PGP key`: public material.
        Kw::Secret
            if previous.is_some_and(|p| {
                [
                    "public",
                    "pub",
                    "pgp",
                    "gpg",
                    "host",
                    "verification",
                    "verifying",
                ]
                .iter()
                .any(|x| p.eq_ignore_ascii_case(x))
            }) =>
        {
            Ctx::Public
        }
        Kw::Secret => Ctx::Secret,
        Kw::Public => Ctx::Public,
        Kw::None | Kw::Filler => Ctx::None,
    }
}

/// Characters that always end a word.
fn is_break(c: char) -> bool {
    c.is_whitespace()
        || matches!(
            c,
            '"' | '\''
                | '`'
                | ','
                | ';'
                | '('
                | ')'
                | '['
                | ']'
                | '{'
                | '}'
                | '<'
                | '>'
                | '|'
                | '\\'
        )
}

struct Words;

impl Words {
    fn scan(text: &str, field: Option<&str>) -> Option<&'static str> {
        Words::scan_in(text, Words::field_ctx(field), None)
    }

    /// The colour a field name gives its value (`okx-key: ...`).
    fn field_ctx(field: Option<&str>) -> Ctx {
        field.map_or(Ctx::None, |f| {
            let last = f.rsplit(['-', '_', '.', ' ']).next().unwrap_or(f);
            match keyword(f) {
                Kw::None => ctx_of(keyword(last), None),
                kw => ctx_of(kw, None),
            }
        })
    }

    fn scan_in<'t>(
        text: &'t str,
        mut ctx: Ctx,
        mut previous: Option<&'t str>,
    ) -> Option<&'static str> {
        // Pieces of one token (or URL) wrapped over lines: judged once
        // joined, never one by one, since half an address looks as random
        // as a key.
        let mut run: Vec<&str> = Vec::new();
        let (mut run_ctx, mut run_previous) = (Ctx::None, None);
        let mut rest = text;
        while let Some(start) = rest.find(|c: char| !is_break(c)) {
            let gap = &rest[..start];
            rest = &rest[start..];
            let end = rest.find(is_break).unwrap_or(rest.len());
            let word = &rest[..end];
            rest = &rest[end..];

            let blank = !gap.is_empty() && gap.chars().all(char::is_whitespace);
            // A name colours the value right after it, not what follows a
            // comma or an opening bracket.
            if gap.contains([',', ';', '(', ')', '[', ']', '{', '}', '<', '>', '|']) {
                ctx = Ctx::None;
            }
            let url_run = run.first().is_some_and(|w| has_scheme(w));
            let piece = is_piece(word);
            let continues = blank
                && (piece
                    || url_run && url_piece(word)
                    || !run.is_empty()
                        && word.len() >= 6
                        && word
                            .bytes()
                            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
                        && keyword(word) == Kw::None);
            if !run.is_empty() && !continues {
                // The short last line of a wrapped address (`e5`, `psf`)
                // completes it.
                let tail = blank
                    && word.len() <= 8
                    && word.bytes().all(|b| b.is_ascii_alphanumeric())
                    && keyword(word) == Kw::None
                    && (!prose_case(word) || {
                        let whole: String = run
                            .iter()
                            .map(|p| trim_punctuation(p))
                            .chain([word])
                            .collect();
                        complete(&whole)
                    });
                if tail {
                    run.push(word);
                }
                if let Some(kind) = Words::run(&run, run_ctx, run_previous) {
                    return Some(kind);
                }
                run.clear();
                ctx = Ctx::None;
                if tail {
                    previous = Some(word);
                    continue;
                }
            }
            let starts = piece || has_scheme(word) || value_piece(word) || solana_shaped(word);
            if continues || starts {
                if run.is_empty() {
                    (run_ctx, run_previous) = (ctx, previous);
                }
                run.push(word);
            } else if let Some(kind) = Words::word(word, ctx, &mut ctx, previous) {
                return Some(kind);
            }
            previous = Some(word);
        }
        Words::run(&run, run_ctx, run_previous)
    }

    /// Judges a run of pieces as the one token (or URL) they were.
    fn run(run: &[&str], ctx: Ctx, previous: Option<&str>) -> Option<&'static str> {
        let mut next = Ctx::None;
        match run {
            [] => None,
            [one] => Words::word(one, ctx, &mut next, previous),
            // An address-shaped first line continued: a wrapped WIF key, or
            // an address followed by something else.
            [first, rest @ ..] if solana_shaped(first) => {
                let whole: String = run.iter().map(|p| trim_punctuation(p)).collect();
                strong(&whole)
                    .or_else(|| Words::word(first, ctx, &mut next, previous))
                    .or_else(|| Words::run(rest, Ctx::None, Some(first)))
            }
            many => {
                let whole: String = many.iter().map(|p| trim_punctuation(p)).collect();
                Words::word(&whole, ctx, &mut next, previous)
            }
        }
    }

    /// Judges one word in the colour `ctx` of the words before; sets the
    /// colour for the next.
    fn word(word: &str, ctx: Ctx, next: &mut Ctx, previous: Option<&str>) -> Option<&'static str> {
        if has_scheme(word) {
            *next = Ctx::None;
            let at = word.find("://").unwrap_or(0);
            let scheme_start = word[..at]
                .rfind(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '+' | '.' | '-')))
                .map_or(0, |i| i + 1);
            return url(trim_punctuation(&word[scheme_start..]));
        }
        let kw = keyword(word);
        // `name=value` and `name:value` in one word: a config line, a
        // connection string, a header.
        if kw == Kw::None
            && let Some(i) = word.find(['=', ':'])
            && i > 0
            && !word[i..].bytes().all(|b| b == b'=')
        {
            let (name, value) = (&word[..i], word[i + 1..].trim_start_matches(['=', ':']));
            let named = ctx_of(keyword(name), previous);
            *next = Ctx::None;
            let equals = word.as_bytes()[i] == b'=';
            return match named {
                Ctx::Password { .. } => password(
                    value,
                    if equals {
                        Strength::Equals
                    } else {
                        Strength::Colon
                    },
                )
                .then_some(PASSWORD),
                Ctx::Secret => value_kind(value, Ctx::Secret),
                Ctx::Public => strong(trim_punctuation(value)),
                Ctx::None => value_kind(word, ctx),
            };
        }
        match kw {
            Kw::Filler => {
                // `password = x` reads like `password=x`.
                if let Ctx::Password { .. } = ctx {
                    *next = Ctx::Password {
                        strength: match word {
                            "=" | ":=" => Strength::Equals,
                            ":" => Strength::Colon,
                            _ => Strength::Words,
                        },
                    };
                }
                return None;
            }
            Kw::None => *next = Ctx::None,
            kw => {
                let own = ctx_of(kw, previous);
                // `password=` and `password:` name the value that follows.
                *next = match own {
                    Ctx::Password { .. } if word.ends_with('=') => Ctx::Password {
                        strength: Strength::Equals,
                    },
                    Ctx::Password { .. } if word.ends_with(':') => Ctx::Password {
                        strength: Strength::Colon,
                    },
                    other => other,
                };
                // A keyword is also a word: `apiSecret` is no secret, but
                // a token whose name happens to end in `key` still is.
                if word.len() < 16 {
                    return None;
                }
            }
        }
        value_kind(word, ctx)
    }
}

/// Whether a word holds `://` (a URL), looking for `:` first: this runs
/// for every word.
fn has_scheme(w: &str) -> bool {
    w.as_bytes().contains(&b':') && w.contains("://")
}

/// Trims the punctuation a sentence puts around a word.
fn trim_punctuation(w: &str) -> &str {
    w.trim_start_matches(['(', '[', '{', '<', '*'])
        .trim_end_matches(['.', ',', ';', ':', '!', '?', ')', ']', '}', '>', '*'])
}

/// What a word holds, in the colour of the words before it.
fn value_kind(word: &str, ctx: Ctx) -> Option<&'static str> {
    let w = trim_punctuation(word);
    if let Ctx::Password { strength } = ctx
        && password(w, strength)
    {
        return Some(PASSWORD);
    }
    if let Some(kind) = strong(w) {
        return Some(kind);
    }
    match ctx {
        Ctx::Secret | Ctx::Password { .. } if named_value(w) => Some(NAMED),
        Ctx::Public => None,
        _ => token(w),
    }
}

/// Shapes that are secrets wherever they stand.
fn strong(w: &str) -> Option<&'static str> {
    if w.len() < 16 {
        return None;
    }
    if w.contains("organizations/") && w.contains("/apiKeys/") {
        return Some(CDP_KEY);
    }
    if is_jwt(w) {
        return Some(JWT);
    }
    if is_telegram_token(w) {
        return Some(PREFIXED);
    }
    // Every prefix and AWS kind starts with a letter.
    if w.starts_with(|c: char| c.is_ascii_alphabetic()) {
        if w.len() == 20
            && AWS_KINDS.iter().any(|k| w.starts_with(k))
            && w[4..]
                .bytes()
                .all(|b| b.is_ascii_uppercase() || (b'2'..=b'7').contains(&b))
        {
            return Some(PREFIXED);
        }
        for (prefix, min) in PREFIXES {
            if let Some(body) = w.strip_prefix(prefix)
                && body.len() >= *min
                && body
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.'))
                && !slug(body)
                && !body.bytes().all(|b| b.is_ascii_lowercase())
            {
                return Some(PREFIXED);
            }
        }
    }
    if wallet_key(w) {
        return Some(WALLET_KEY);
    }
    None
}

/// A WIF private key or an extended private key (xprv, tprv, yprv...),
/// told by its checksum and version, not by its first letters.
fn wallet_key(w: &str) -> bool {
    if !(50..=115).contains(&w.len()) || !encoding::is_base58(w) {
        return false;
    }
    let Some(p) = encoding::base58check(w) else {
        return false;
    };
    match p.len() {
        // WIF: version 0x80 (main) or 0xef (test), 32 bytes, an optional
        // compression flag.
        33 => matches!(p[0], 0x80 | 0xef),
        34 => matches!(p[0], 0x80 | 0xef) && p[33] == 1,
        // BIP 32: the key data of a private key starts with a zero byte
        // (a public one with 2 or 3), whatever the version.
        78 => p[45] == 0,
        _ => false,
    }
}

fn is_jwt(w: &str) -> bool {
    let mut parts = w.split('.');
    let (Some(header), Some(payload)) = (parts.next(), parts.next()) else {
        return false;
    };
    let b64url = |s: &str| {
        s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'='))
    };
    // `eyJ` is base64 of `{"`, the start of every JOSE header and claims set.
    header.starts_with("eyJ")
        && payload.len() >= 8
        && header.len() >= 10
        && b64url(header)
        && (payload.starts_with("eyJ") || parts.clone().count() >= 3)
        && parts.all(b64url)
}

/// A Telegram bot token (`123456789:AA...`), also inside `bot<token>`.
fn is_telegram_token(w: &str) -> bool {
    let w = w.strip_prefix("bot").unwrap_or(w);
    let Some((id, secret)) = w.split_once(':') else {
        return false;
    };
    (6..=12).contains(&id.len())
        && id.bytes().all(|b| b.is_ascii_digit())
        && secret.len() >= 30
        && secret
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-'))
}

/// A value that follows `password`, `passphrase` and the like. After `=`
/// (a config line, a connection string) any value that is no placeholder
/// is one; after `:`, any but a word; after a space or `is`, only one that
/// reads like a password (a digit, a symbol or a capital inside).
fn password(v: &str, strength: Strength) -> bool {
    let v = v.trim_end_matches(['.', ',', ';', ')']);
    let n = v.chars().count();
    if n < 3 || placeholder(v) || is_date(v) {
        return false;
    }
    let lower_word = v.bytes().all(|b| b.is_ascii_lowercase()) && vowel_share(v) >= 0.3;
    match strength {
        Strength::Equals => true,
        Strength::Colon if n >= 4 && !lower_word && !slug(v) && !algorithm(v) => {
            !(v.chars().next().is_some_and(char::is_uppercase)
                && v[1..].bytes().all(|b| b.is_ascii_lowercase()))
        }
        _ => {
            let digit = v.bytes().any(|b| b.is_ascii_digit());
            let letter = v.bytes().any(|b| b.is_ascii_alphabetic());
            if n < 5 || slug(v) || algorithm(v) || n < 6 && !(digit && letter) {
                return false;
            }
            let chars: Vec<char> = v.chars().collect();
            // A domain or a path after `password` in prose is where it is
            // kept, not what it is.
            if v.contains(['.', '/']) && v.split(['.', '/']).all(|p| p.len() <= 3 || prose_case(p))
            {
                return false;
            }
            digit
                || chars
                    .iter()
                    .any(|c| c.is_ascii_punctuation() && !matches!(c, '-' | '\'' | '.' | '/'))
                || chars[1..].iter().any(|c| c.is_uppercase())
        }
    }
}

/// `SHA-256`, `AES-256`, `P-256`: names of algorithms, not passwords.
fn algorithm(v: &str) -> bool {
    v.split_once('-').is_some_and(|(a, b)| {
        (1..=6).contains(&a.len())
            && a.bytes().all(|c| c.is_ascii_uppercase())
            && (1..=4).contains(&b.len())
            && b.bytes().all(|c| c.is_ascii_digit())
    })
}

/// `<password>`, `${PASSWORD}`, `****`, `xxxx`, `REDACTED`: not a value.
fn placeholder(v: &str) -> bool {
    let first = v.chars().next().unwrap_or(' ');
    v.starts_with(['<', '$', '{', '%', '['])
        || v.chars()
            .all(|c| c == first && matches!(c, '*' | 'x' | 'X' | '•' | '.' | '#'))
        || [
            "redacted",
            "hidden",
            "removed",
            "none",
            "null",
            "secret",
            "password",
            "example",
            "placeholder",
            "changeme",
            "your_password",
            "yourpassword",
            "required",
            "optional",
            "unknown",
            "notset",
        ]
        .iter()
        .any(|p| v.eq_ignore_ascii_case(p))
}

fn is_date(v: &str) -> bool {
    let b = v.as_bytes();
    b.len() >= 10 && b[4] == b'-' && b[7] == b'-' && b[..4].iter().all(u8::is_ascii_digit)
}

/// Words joined by `-` or `_` (slugs, labels, options): every part is
/// letters, a number or short.
fn slug(v: &str) -> bool {
    v.contains(['-', '_'])
        && v.split(['-', '_']).all(|p| {
            p.len() <= 4
                || p.chars().all(char::is_alphabetic) && (!p.is_ascii() || prose_case(p))
                || p.bytes().all(|b| b.is_ascii_digit())
        })
}

/// A value named as a key, secret or token: long enough, and not a word,
/// a date or a version. Hex, UUIDs and base58 count here, since the name
/// says what they are.
fn named_value(w: &str) -> bool {
    let h = w.strip_prefix("0x").unwrap_or(w);
    // An Ethereum address is what it is, whatever a sentence calls it.
    if w.starts_with("0x") && h.len() == 40 && h.bytes().all(|b| b.is_ascii_hexdigit()) {
        return false;
    }
    if w.len() < 12 || is_date(w) || slug(w) || w.contains('.') && !w.contains("==") {
        return false;
    }
    // `FIDO2/passkey`, `read/trade`: words, not a key.
    if w.contains('/') && w.split('/').any(|p| p.len() >= 4 && prose_case(p)) {
        return false;
    }
    let key_alphabet = w
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'=' | b'_' | b'-'));
    if !key_alphabet {
        return false;
    }
    if h.len() >= 16 && h.bytes().all(|b| b.is_ascii_hexdigit()) || is_uuid(w) {
        return true;
    }
    let digits = w.bytes().any(|b| b.is_ascii_digit());
    let (upper, lower) = (
        w.bytes().any(|b| b.is_ascii_uppercase()),
        w.bytes().any(|b| b.is_ascii_lowercase()),
    );
    // Named as a key, letters and digits mixed are one; letters alone must
    // not read as words.
    digits && (upper || lower) || upper && lower && w.len() >= 14 && !wordy(w)
}

/// A long random token, judged on its own.
fn token(w: &str) -> Option<&'static str> {
    if w.len() < 16 {
        return None;
    }
    // A base64 token may hold `/`; a path may look like one. Text first:
    // base64 of prose is not a key.
    if is_base64_text(w)
        || ["sha256-", "sha384-", "sha512-"]
            .iter()
            .any(|p| w.starts_with(p))
    {
        return None;
    }
    if w.contains(['.', ':', '@', '?', '&', '#', '!', '$', '%', '*', '^', '~']) {
        return w
            .split([
                '.', ':', '@', '?', '&', '#', '!', '$', '%', '*', '^', '~', '=',
            ])
            .filter(|p| p.len() >= 16)
            .find_map(|p| strong(p).or_else(|| token(p)));
    }
    if w.contains('/') {
        // A padded standard base64 string (Kraken's secrets, AWS's).
        if w.len() >= 24
            && w.len().is_multiple_of(4)
            && random(w.trim_end_matches('='))
            && !path_like(w)
        {
            return Some(TOKEN);
        }
        return w.split('/').filter(|p| p.len() >= 16).find_map(token);
    }
    if w.contains('=') {
        let body = w.trim_end_matches('=');
        if body.contains('=') {
            return body.split('=').filter(|p| p.len() >= 16).find_map(token);
        }
        return atom(body);
    }
    atom(w)
}

/// Whether a `/`-joined word is a path: one of its parts is a word or a
/// hash.
fn path_like(w: &str) -> bool {
    w.split('/').any(|p| {
        p.len() >= 4
            && p.bytes().all(|b| b.is_ascii_lowercase() || b == b'-')
            && vowel_share(p) >= 0.2
            || p.len() >= 7 && p.bytes().all(|b| b.is_ascii_hexdigit())
            // A file name made of words with an id in it
            // (`n06b-declines-legal-entity`); standard base64 has no `-`.
            || p.len() >= 4 && slug(p)
    })
}

fn is_base64_text(w: &str) -> bool {
    w.len() >= 12
        && w.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'=' | b'-' | b'_'))
        && encoding::base64(w).is_some_and(|bytes| encoding::is_text(&bytes))
}

/// A token of one alphabet (letters, digits, `+`, `_`, `-`).
fn atom(w: &str) -> Option<&'static str> {
    if w.len() < 16
        || !w
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'_' | b'-'))
    {
        return None;
    }
    let h = w.strip_prefix("0x").unwrap_or(w);
    // Hashes, checksums, commit ids, Ethereum addresses and transaction ids
    // are hex; a key in hex is refused only when named as one.
    if h.bytes().all(|b| b.is_ascii_hexdigit()) || is_uuid(w) {
        return None;
    }
    if is_hex_groups(w) {
        return Some(TOKEN);
    }
    if w.contains(['-', '_']) {
        if slug(w)
            || w.split(['-', '_'])
                .all(|p| p.len() <= 4 || wordy(p) || p.bytes().all(|b| b.is_ascii_hexdigit()))
        {
            return None;
        }
        if w.split(['-', '_']).any(|p| atom(p).is_some()) {
            return Some(TOKEN);
        }
        // A slug with an id in it (`3co1772490558-3commas-cyber-attack`).
        if w.split(['-', '_'])
            .any(|p| p.len() >= 3 && prose_case(p) && vowel_share(p) >= 0.25)
        {
            return None;
        }
        // SRI hashes: `sha512-<base64>`.
        if ["sha256-", "sha384-", "sha512-"]
            .iter()
            .any(|p| w.starts_with(p))
        {
            return None;
        }
        return random(w).then_some(TOKEN);
    }
    if address(w) {
        return None;
    }
    random(w).then_some(TOKEN)
}

/// Base58 of 32 bytes: a Solana address, or the first line of a longer
/// base58 key.
fn solana_shaped(w: &str) -> bool {
    (32..=44).contains(&w.len())
        && encoding::is_base58(w)
        && encoding::base58(w).is_some_and(|b| b.len() == 32)
}

/// Addresses and content ids told by their checksum or their form: Bitcoin
/// (legacy, P2SH), Tron and other base58check addresses, bech32 addresses,
/// Solana addresses (32 bytes of base58), IPFS ids.
fn address(w: &str) -> bool {
    if encoding::is_bech32(w) {
        return true;
    }
    if !encoding::is_base58(w) {
        // CIDv1 in base32 (`bafy...`).
        return w.starts_with("baf")
            && w.bytes()
                .all(|b| b.is_ascii_lowercase() || (b'2'..=b'7').contains(&b));
    }
    if w.len() == 46 && w.starts_with("Qm") {
        return true;
    }
    if (25..=50).contains(&w.len()) && encoding::base58check(w).is_some() {
        return true;
    }
    (32..=44).contains(&w.len()) && encoding::base58(w).is_some_and(|b| b.len() == 32)
}

/// The character spread of random data, not of words: long enough, letters
/// mixed with digits or with both cases, many switches between kinds of
/// character, not made of words.
fn random(w: &str) -> bool {
    let n = w.len();
    if n < 16 {
        return false;
    }
    let digits = w.bytes().any(|b| b.is_ascii_digit());
    let upper = w.bytes().any(|b| b.is_ascii_uppercase());
    let lower = w.bytes().any(|b| b.is_ascii_lowercase());
    // Identifiers made of words have no `+` or `/` inside.
    if !(upper || lower) || !w.contains(['+', '/']) && wordy(w) {
        return false;
    }
    let s = switches(w);
    if n < 20 {
        // Short keys (Bybit's 18 characters, Coinbase's 16): both cases,
        // and the switches of random text.
        return upper && lower && (digits || s >= 0.45) && s >= 0.35 && entropy(w) >= 3.4;
    }
    let mixed = digits || (upper && lower && s >= 0.3);
    mixed && s >= 0.2 && entropy(w) >= 3.3
}

/// Whether a token reads as words (CamelCase identifiers, lower-case
/// words): most letters in runs of lower case, a vowel share of words, few
/// digits. Random letters have a fifth of vowels, words two fifths.
fn wordy(w: &str) -> bool {
    let letters = w.bytes().filter(u8::is_ascii_alphabetic).count();
    // Runs of digits, so that a year counts once.
    let digits = w
        .as_bytes()
        .windows(2)
        .filter(|p| p[1].is_ascii_digit() && !p[0].is_ascii_digit())
        .count()
        + usize::from(w.starts_with(|c: char| c.is_ascii_digit()));
    if letters == 0 || digits > 2 && digits * 8 > letters {
        return false;
    }
    // Letters in CamelCase words (`Api`, `Insights`) or lower-case runs of
    // three or more.
    let mut in_runs = 0;
    let (mut run, mut capital) = (0, false);
    let mut before = b' ';
    for b in w.bytes().chain(std::iter::once(b' ')) {
        if b.is_ascii_lowercase() {
            if run == 0 {
                capital = before.is_ascii_uppercase();
            }
            run += 1;
        } else {
            if run + usize::from(capital) >= 3 {
                in_runs += run + usize::from(capital);
            }
            run = 0;
        }
        before = b;
    }
    in_runs * 10 >= letters * 6 && vowel_share(w) >= 0.25 && consonants(w) <= 4
}

/// The longest run of lower-case consonants: words rarely have five
/// (`ngths`), random letters often do.
fn consonants(w: &str) -> usize {
    let (mut longest, mut run) = (0, 0);
    for b in w.bytes() {
        if b.is_ascii_lowercase() && !b"aeiouy".contains(&b) {
            run += 1;
            longest = longest.max(run);
        } else {
            run = 0;
        }
    }
    longest
}

fn vowel_share(w: &str) -> f64 {
    let letters = w.bytes().filter(u8::is_ascii_alphabetic).count();
    let vowels = w.bytes().filter(|b| b"aeiouyAEIOUY".contains(b)).count();
    if letters == 0 {
        0.0
    } else {
        vowels as f64 / letters as f64
    }
}

/// The share of neighbouring characters of different kinds (upper, lower,
/// digit, other).
fn switches(w: &str) -> f64 {
    let kind = |b: u8| match b {
        b'A'..=b'Z' => 0,
        b'a'..=b'z' => 1,
        b'0'..=b'9' => 2,
        _ => 3,
    };
    let b = w.as_bytes();
    if b.len() < 2 {
        return 0.0;
    }
    let n = b.windows(2).filter(|p| kind(p[0]) != kind(p[1])).count();
    n as f64 / (b.len() - 1) as f64
}

fn entropy(s: &str) -> f64 {
    let mut counts = [0usize; 256];
    for b in s.bytes() {
        counts[b as usize] += 1;
    }
    let n = s.len() as f64;
    counts
        .iter()
        .filter(|&&c| c > 0)
        .map(|&c| {
            let p = c as f64 / n;
            -p * p.log2()
        })
        .sum()
}

/// Hex groups joined by hyphens, 24 hex digits or more in all, mixing
/// letters and digits, and not a UUID (HTX keys: `8hex-8hex-8hex-5hex`).
fn is_hex_groups(t: &str) -> bool {
    let mut parts = 0;
    let mut hex = 0;
    for p in t.split('-') {
        if p.len() < 4 || !p.bytes().all(|b| b.is_ascii_hexdigit()) {
            return false;
        }
        parts += 1;
        hex += p.len();
    }
    parts >= 3
        && hex >= 24
        && !is_uuid(t)
        && t.bytes().any(|b| b.is_ascii_digit())
        && t.bytes().any(|b| b.is_ascii_alphabetic())
}

fn is_uuid(t: &str) -> bool {
    let b = t.as_bytes();
    b.len() == 36
        && b.iter().enumerate().all(|(i, c)| {
            if matches!(i, 8 | 13 | 18 | 23) {
                *c == b'-'
            } else {
                c.is_ascii_hexdigit()
            }
        })
}

/// Whether a word could be one piece of a token wrapped over lines: key
/// characters, not a word of prose, not a keyword, not a whole address,
/// hash or id on its own.
fn is_piece(w: &str) -> bool {
    let w = trim_punctuation(w);
    // A word of prose is no piece, and starts no token: most words end here.
    if w.len() < 4 || w.bytes().all(|b| b.is_ascii_lowercase()) && vowel_share(w) >= 0.25 {
        return false;
    }
    // The first line of a token with a published prefix.
    if w.len() >= 6
        && (AWS_KINDS.iter().any(|k| w.starts_with(k))
            || PREFIXES.iter().any(|(p, _)| {
                p.len() >= 4 && p.as_bytes()[0] == w.as_bytes()[0] && w.starts_with(p)
            }))
        && w.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.'))
    {
        return true;
    }
    let letters_only = w.bytes().all(|b| b.is_ascii_alphabetic());
    w.len() >= 4
        && w.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'=' | b'_' | b'-' | b'.'))
        && !(w.len() <= 5 && w.bytes().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit()))
        && !(w.len() < 8 && w.bytes().all(|b| b.is_ascii_digit()))
        && !(letters_only && prose_case(w) && (vowel_share(w) >= 0.25 || wordy(w) || w.len() < 6))
        && !(w.contains(['.', '-']) && w.split(['.', '-']).all(|p| p.len() <= 3 || prose_case(p)))
        // A file or domain name (`vetted-1.4.2.tar.gz`) is no piece; a JWT's
        // parts are long.
        && !(w.matches('.').count() >= 2 && w.split('.').any(|p| p.len() < 8))
        && !w.rsplit('.').next().is_some_and(|ext| w.contains('.') && (1..=4).contains(&ext.len()) && ext.bytes().all(|b| b.is_ascii_lowercase()))
        && !complete(w)
        && keyword(w) == Kw::None
}

/// Letters cased as prose writes them: `word`, `Word`, `WORD`.
fn prose_case(w: &str) -> bool {
    let b = w.as_bytes();
    b.first().is_some_and(u8::is_ascii_alphabetic)
        && (b[1..].iter().all(u8::is_ascii_lowercase) || b.iter().all(u8::is_ascii_uppercase))
}

/// `name=value` or `name:value` whose value could start a wrapped token.
fn value_piece(w: &str) -> bool {
    w.find(['=', ':']).is_some_and(|i| {
        // A Telegram bot token's id, then the start of its secret.
        (6..=12).contains(&i) && w[..i].bytes().all(|b| b.is_ascii_digit()) && w.len() > i + 2
            || i > 0 && {
                let v = w[i + 1..].trim_start_matches(['=', ':']);
                !v.contains("//") && is_piece(v)
            }
    })
}

/// A whole address, hash or id: never the piece of something longer.
fn complete(w: &str) -> bool {
    let h = w.strip_prefix("0x").unwrap_or(w);
    let hex = h.bytes().all(|b| b.is_ascii_hexdigit());
    hex && (w.starts_with("0x") && h.len() >= 40 || matches!(h.len(), 40 | 64 | 128))
        || is_uuid(w)
        || is_date(w)
        || address(w)
}

/// The continuation of a URL wrapped over lines: URL characters, with
/// URL syntax in it or random, never a plain word.
fn url_piece(w: &str) -> bool {
    !has_scheme(w) && w.contains(['/', '?', '&', '=', '@', ':', '%', '#'])
        || is_piece(w)
        || w.bytes().all(|b| b.is_ascii_alphanumeric()) && !prose_case(w)
}

/// Checks a URL found in text: passwords and tokens in its user info,
/// credentials in its query and fragment, tokens in its path.
fn url(u: &str) -> Option<&'static str> {
    let (_, rest) = u.split_once("://")?;
    // A password may hold `?` or `#` unescaped; the user info ends at the
    // last `@` before the path.
    let slash = rest.find('/').unwrap_or(rest.len());
    let end = match rest[..slash].rfind('@') {
        Some(at) => at + rest[at..].find(['/', '?', '#']).unwrap_or(rest.len() - at),
        None => rest.find(['/', '?', '#']).unwrap_or(rest.len()),
    };
    let authority = &rest[..end];
    // `user:password` with its `@host` cut off reads as a host with a port
    // that is not a number.
    if !authority.contains(['@', '['])
        && authority
            .split_once(':')
            .is_some_and(|(_, port)| !port.is_empty() && !port.bytes().all(|b| b.is_ascii_digit()))
    {
        return Some(URL_PASSWORD);
    }
    if let Some(at) = authority.rfind('@') {
        let userinfo = &authority[..at];
        let user = userinfo.split(':').next().unwrap_or(userinfo);
        match userinfo.split_once(':') {
            Some((_, pass)) if !pass.is_empty() && !placeholder(&decode(pass)) => {
                return Some(URL_PASSWORD);
            }
            _ if user_is_token(user) => return Some(URL_TOKEN),
            _ => {}
        }
    }
    // Webhook URLs whose path is the credential (Slack, Discord).
    let host = authority
        .rsplit('@')
        .next()
        .unwrap_or(authority)
        .to_ascii_lowercase();
    let after = &rest[end..];
    let webhook = match host.as_str() {
        "hooks.slack.com" => after.starts_with("/services/T") || after.starts_with("/workflows/"),
        "discord.com" | "discordapp.com" => after.starts_with("/api/webhooks/"),
        _ => false,
    };
    if webhook && after.len() > 30 {
        return Some(URL_TOKEN);
    }
    let (before_fragment, fragment) = after.split_once('#').unwrap_or((after, ""));
    let (path, query) = before_fragment
        .split_once('?')
        .unwrap_or((before_fragment, ""));
    let mut ctx = Ctx::None;
    for segment in path
        .split('/')
        .chain(fragment.split(['/', '&']))
        .filter(|s| !s.is_empty())
    {
        let segment = decode(segment);
        // `name=value`, not base64 padding.
        if segment
            .find('=')
            .is_some_and(|i| i > 0 && !segment[i..].bytes().all(|b| b == b'='))
        {
            if let Some(kind) = parameter(&segment) {
                return Some(kind);
            }
            continue;
        }
        // A segment of under 12 characters is never refused (a value named
        // as a key needs 12), but may name the next one (`/apikey/...`).
        if segment.len() >= 12 && Words::scan_in(&segment, ctx, None).is_some() {
            return Some(URL_TOKEN);
        }
        ctx = ctx_of(keyword(&segment), None);
    }
    query.split('&').find_map(parameter)
}

fn user_is_token(user: &str) -> bool {
    let user = decode(user);
    strong(&user).is_some() || token(&user).is_some()
}

/// A `name=value` pair of a query string or a fragment.
fn parameter(pair: &str) -> Option<&'static str> {
    let (name, value) = pair.split_once('=')?;
    let value = decode(value);
    if value.is_empty() {
        return None;
    }
    match ctx_of(keyword(name), None) {
        Ctx::Password { .. } => (!placeholder(&value)).then_some(URL_PASSWORD),
        Ctx::Secret => (value_kind(&value, Ctx::Secret).is_some()
            || value.len() >= 8 && !placeholder(&value) && !slug(&value) && !wordy(&value))
        .then_some(URL_TOKEN),
        _ if [
            "sig",
            "signature",
            "xamzsignature",
            "xamzcredential",
            "code",
        ]
        .iter()
        .any(|k| name.eq_ignore_ascii_case(k) || name.replace('-', "").eq_ignore_ascii_case(k)) =>
        {
            (value.len() >= 16).then_some(URL_TOKEN)
        }
        _ => scan(&value, None).map(|_| URL_TOKEN),
    }
}

/// Percent-decoding, leaving malformed escapes as they are.
fn decode(s: &str) -> std::borrow::Cow<'_, str> {
    if !s.contains('%') {
        return std::borrow::Cow::Borrowed(s);
    }
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%'
            && i + 2 < b.len()
            && let Ok(v) =
                u8::from_str_radix(std::str::from_utf8(&b[i + 1..i + 3]).unwrap_or("zz"), 16)
        {
            out.push(v);
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    std::borrow::Cow::Owned(String::from_utf8_lossy(&out).into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn secret(text: &str) -> Option<&'static str> {
        scan(text, None)
    }

    #[test]
    fn a_path_to_a_file_named_in_words_is_not_a_token() {
        for text in [
            "# see d/n06b-declines-legal-entity.yaml",
            "cases/r13-spot-bot-our-key-has-futures.yaml",
        ] {
            assert_eq!(secret(text), None, "{text}");
        }
        // A padded standard base64 secret with a `/` still is one.
        assert_eq!(
            secret("kQ7vZ2xN/8pLr4TsW1yBc9Hd3FgJ0mA6eUoXiVbK5nE="),
            Some(TOKEN)
        );
    }

    #[test]
    fn passwords_after_their_name() {
        for text in [
            "password=abcd",
            "pwd: hunter2",
            "the passphrase is Tr4d3r!x",
            "Password = kqzx",
            "passphrase=x9!yz",
        ] {
            assert!(secret(text).is_some(), "{text}");
        }
        for text in [
            "password: rotated every 90 days",
            "the password manager is audited",
            "passphrase: required",
            "password hashing uses SHA-256",
            "the password is <redacted>",
        ] {
            assert_eq!(secret(text), None, "{text}");
        }
    }

    #[test]
    fn names_colour_values() {
        let uuid = "7f3b2c1d-9e8a-4b6c-8d2e-1f0a9b8c7d6e";
        assert!(secret(&format!("OKX API key: {uuid}")).is_some());
        assert_eq!(secret(&format!("portfolio id {uuid}")), None);
        assert_eq!(secret(uuid), None);
        let hex = "4ffe979ad8d9e8b59ac090a82435eb6f9c5fe1664ffe979ad8d9e8b59ac090a8";
        assert!(secret(&format!("private key: {hex}")).is_some());
        assert_eq!(secret(&format!("tx {hex}")), None);
        assert_eq!(secret(hex), None);
    }

    #[test]
    fn urls() {
        assert_eq!(
            secret("connect to postgres://app:s3cret@db.example/x now"),
            Some(URL_PASSWORD)
        );
        assert_eq!(
            secret("https://x.example/login?user=a&pwd=abc1"),
            Some(URL_PASSWORD)
        );
        assert_eq!(
            secret("https://scorecard.dev/viewer/?uri=github.com/a/b"),
            None
        );
        assert_eq!(secret("ssh://git@github.com/a/b"), None);
    }
}
