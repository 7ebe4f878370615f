//! The credential guard: a manifest must never hold a secret.
//!
//! Manifests are shared, committed and attached to tickets; an exchange key
//! pasted into one is a leaked key. The guard refuses anything that looks
//! like an API key, secret, passphrase, private key or recovery phrase, says
//! where it is and what it looks like, and never repeats the value itself.
//!
//! It errs on the side of refusing: a false alarm costs a rewrite of one
//! line, a miss can cost the funds behind the key.

use crate::diag::{Code, Diagnostic, Pos};
use crate::yaml::{Node, Value};

/// Words in a field name that mean the field holds a credential.
const SECRET_WORDS: [&str; 11] = [
    "secret",
    "secrets",
    "passphrase",
    "password",
    "passwd",
    "mnemonic",
    "seed",
    "apikey",
    "otp",
    "totp",
    "privatekey",
];
/// Adjacent word pairs in a field name that mean the same.
const SECRET_PAIRS: [(&str, &str); 6] = [
    ("api", "key"),
    ("private", "key"),
    ("access", "token"),
    ("auth", "token"),
    ("secret", "key"),
    ("recovery", "phrase"),
];
/// Common English words that never occur in a BIP-39 recovery phrase; a
/// sentence containing any of them is prose, not a phrase.
const PROSE_WORDS: [&str; 24] = [
    "the", "and", "for", "not", "are", "was", "with", "this", "that", "they", "their", "have",
    "has", "from", "its", "our", "but", "you", "your", "will", "which", "been", "were", "keys",
];

/// Checks every field name and string value of a manifest.
pub fn check(file: &str, root: &Node) -> Vec<Diagnostic> {
    let mut guard = Guard {
        file,
        out: Vec::new(),
        urls: std::collections::HashMap::new(),
    };
    guard.walk(root, &Path::Root, false);
    guard.out
}

/// Where a value is, built up while walking and written out only for a
/// diagnostic: most manifests hold no secret, and formatting a path for
/// every field was a good part of the guard's time.
enum Path<'a> {
    Root,
    Key(&'a Path<'a>, &'a str),
    Index(&'a Path<'a>, usize),
}

impl Path<'_> {
    fn render(&self) -> String {
        match self {
            Path::Root => String::new(),
            Path::Key(Path::Root, k) => k.to_string(),
            Path::Key(parent, k) => format!("{}.{k}", parent.render()),
            Path::Index(parent, i) => format!("{}[{i}]", parent.render()),
        }
    }
}

/// One walk over a manifest.
struct Guard<'a> {
    file: &'a str,
    out: Vec<Diagnostic>,
    /// Verdicts on web URLs already seen: a manifest cites the same few
    /// evidence pages over and over, and parsing a URL is the guard's most
    /// expensive check.
    urls: std::collections::HashMap<&'a str, Option<&'static str>>,
}

impl<'a> Guard<'a> {
    fn secret(&mut self, text: &'a str) -> Option<&'static str> {
        if !is_web(text) {
            return looks_like_secret(text);
        }
        *self
            .urls
            .entry(text)
            .or_insert_with(|| looks_like_secret(text))
    }

    fn walk(&mut self, node: &'a Node, path: &Path, under_answers: bool) {
        match &node.value {
            Value::Map(entries) => {
                for (key, value) in entries {
                    let child = Path::Key(path, &key.name);
                    // Keys directly under `answers` are question ids, checked
                    // against the checklists; a question about secret storage
                    // is not a secret.
                    // A key pasted as a field name is as leaked as a value.
                    if let Some(kind) = looks_like_secret(&key.name) {
                        self.out.push(refuse(
                            self.file,
                            key.pos,
                            &path.render(),
                            &format!("has a field name that looks like {kind}"),
                        ));
                        continue;
                    }
                    if !under_answers && name_is_secret(&key.name) && has_content(value) {
                        self.out.push(refuse(
                            self.file,
                            key.pos,
                            &child.render(),
                            "is named like a credential, and manifests never hold credentials",
                        ));
                        continue;
                    }
                    let answers = matches!(path, Path::Root) && key.name == "answers";
                    self.walk(value, &child, answers);
                }
            }
            Value::Seq(items) => {
                for (i, item) in items.iter().enumerate() {
                    self.walk(item, &Path::Index(path, i), false);
                }
            }
            Value::Str(s) => {
                if let Some(kind) = self.secret(s) {
                    self.out.push(refuse(
                        self.file,
                        node.pos,
                        &path.render(),
                        &format!("holds what looks like {kind}"),
                    ));
                }
            }
            _ => {}
        }
    }
}

fn refuse(file: &str, pos: Pos, path: &str, what: &str) -> Diagnostic {
    Diagnostic::error(Code::SecretInManifest, file, pos, format!("`{path}` {what}; the value is not shown here"))
        .with_help(
            "delete the value: a manifest describes a key (exchange, label, permissions), never holds it. \
             If a real key or phrase was ever saved in this file, revoke it at the exchange now",
        )
}

fn has_content(node: &Node) -> bool {
    match &node.value {
        Value::Null => false,
        Value::Str(s) => !s.trim().is_empty(),
        Value::Seq(items) => !items.is_empty(),
        Value::Map(entries) => !entries.is_empty(),
        _ => true,
    }
}

fn name_is_secret(name: &str) -> bool {
    let mut previous = "";
    for word in name
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
    {
        let same = |a: &str, b: &str| a.eq_ignore_ascii_case(b);
        if SECRET_WORDS.iter().any(|w| same(w, word))
            || SECRET_PAIRS
                .iter()
                .any(|(a, b)| same(a, previous) && same(b, word))
        {
            return true;
        }
        previous = word;
    }
    false
}

/// What kind of secret `text` looks like, if any.
pub fn looks_like_secret(text: &str) -> Option<&'static str> {
    if text.contains("-----BEGIN") && (text.contains("PRIVATE KEY") || text.contains("PGP PRIVATE"))
    {
        return Some("a PEM private key block");
    }
    let web = is_web(text);
    // Most strings are short words and labels: a token is 24 characters or
    // more, a recovery phrase longer still, so they need no further look
    // (a URL can hide a password in fewer).
    if text.len() < 24 && !web {
        return None;
    }
    if is_mnemonic(text) {
        return Some("a wallet recovery (seed) phrase");
    }
    let trimmed = text.trim();
    // Only web URLs get the URL treatment; checking the prefix first spares
    // the URL parser every other string.
    if web
        && let Ok(url) = url::Url::parse(trimmed)
        && matches!(url.scheme(), "http" | "https")
    {
        // Path segments of evidence links are often commit hashes; only the
        // places where credentials travel in URLs are checked.
        if url.password().is_some() {
            return Some("a URL with an embedded password");
        }
        let in_fragment = url
            .fragment()
            .is_some_and(|f| f.split(['&', '=']).any(is_token));
        return (url.query_pairs().any(|(_, v)| is_token(&v)) || in_fragment)
            .then_some("a URL carrying an API key or token");
    }
    text.split(|c: char| {
        c.is_whitespace()
            || matches!(
                c,
                '"' | '\''
                    | '`'
                    | ','
                    | ';'
                    | ':'
                    | '('
                    | ')'
                    | '['
                    | ']'
                    | '{'
                    | '}'
                    | '<'
                    | '>'
                    | '/'
                    | '\\'
                    | '|'
                    | '='
            )
    })
    .any(is_token)
    .then_some("an API key or secret (a long random token)")
}

/// Whether `text` starts like a web URL (`http`, any case, after blanks).
fn is_web(text: &str) -> bool {
    text.trim_start()
        .get(..4)
        .is_some_and(|p| p.eq_ignore_ascii_case("http"))
}

/// Twelve or more consecutive lowercase words of 3 to 8 letters, none of
/// them a common English word: a BIP-39 recovery phrase, alone or pasted into
/// longer text.
fn is_mnemonic(text: &str) -> bool {
    let mut run = 0;
    for word in text.split_whitespace() {
        let w = word.trim_matches(|c: char| c == ',' || c == '.' || c == '"' || c == '\'');
        let phrase_word = (3..=8).contains(&w.len())
            && w.bytes().all(|b| b.is_ascii_lowercase())
            && !PROSE_WORDS.contains(&w);
        run = if phrase_word { run + 1 } else { 0 };
        if run >= 12 {
            return true;
        }
    }
    false
}

/// A long token drawn from a key alphabet, mixing letters and digits, with
/// the character spread of random data.
fn is_token(token: &str) -> bool {
    let t = token.trim_matches(|c: char| c == '.' || c == '-');
    if t.len() < 24
        || !t
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"+/=_-".contains(&b))
    {
        return false;
    }
    // Hyphens and underscores join words in labels and slugs; in keys they
    // appear only in UUID-shaped ids (OKX keys), so a joined token counts
    // only as a UUID or when one of its parts is a token on its own.
    if t.contains(['-', '_']) {
        return is_uuid(t) || is_hex_groups(t) || t.split(['-', '_']).any(is_token);
    }
    let has_digit = t.bytes().any(|b| b.is_ascii_digit());
    let has_alpha = t.bytes().any(|b| b.is_ascii_alphabetic());
    if !(has_digit && has_alpha) {
        return false;
    }
    // A git commit id (40 lowercase hex) is a common, harmless citation.
    if t.len() == 40
        && t.bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
    {
        return false;
    }
    entropy(t) >= 3.3
}

/// Hex groups joined by hyphens, 24 hex digits or more in all, mixing
/// letters and digits (HTX keys: `8hex-8hex-8hex-5hex`).
fn is_hex_groups(t: &str) -> bool {
    let parts: Vec<&str> = t.split('-').collect();
    let hex: usize = parts.iter().map(|p| p.len()).sum();
    parts.len() >= 3
        && hex >= 24
        && parts
            .iter()
            .all(|p| p.len() >= 4 && p.bytes().all(|b| b.is_ascii_hexdigit()))
        && t.bytes().any(|b| b.is_ascii_digit())
        && t.bytes().any(|b| b.is_ascii_alphabetic())
}

fn is_uuid(t: &str) -> bool {
    let parts: Vec<&str> = t.split('-').collect();
    parts.len() == 5
        && parts.iter().map(|p| p.len()).eq([8, 4, 4, 4, 12])
        && parts
            .iter()
            .all(|p| p.bytes().all(|b| b.is_ascii_hexdigit()))
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::yaml::{self, Limits};

    fn diags(text: &str) -> Vec<Diagnostic> {
        check(
            "m.yaml",
            &yaml::parse("m.yaml", text, &Limits::default()).unwrap(),
        )
    }

    // Fake credentials shaped like the real thing, built at run time so the
    // repository itself never holds a string a scanner would flag.
    fn fake_binance_key() -> String {
        "vmPUZE6mv9SD5VNHk4HlWFsOr6aKE2zvsw0MuIgwCIPy6utIco14y7Ju91duEh8A"
            .chars()
            .rev()
            .collect()
    }

    #[test]
    fn refuses_exchange_keys_without_echoing_them() {
        let key = fake_binance_key();
        let d = diags(&format!(
            "answers:\n  keys.storage:\n    value: vault\n    note: \"our key is {key}\"\n"
        ));
        assert_eq!(d.len(), 1, "{d:?}");
        assert_eq!(d[0].code, Code::SecretInManifest);
        assert_eq!((d[0].line, d[0].col), (4, 11));
        assert!(!d[0].to_string().contains(&key[..12]), "{}", d[0]);
    }

    #[test]
    fn refuses_fields_named_like_secrets() {
        for name in [
            "api_key",
            "apiKey",
            "api-key",
            "secret",
            "passphrase",
            "private-key",
            "seed",
        ] {
            let d = diags(&format!("vendor:\n  {name}: x\n"));
            assert_eq!(d.len(), 1, "{name}: {d:?}");
            assert!(d[0].message.contains("named like a credential"));
        }
        assert!(
            diags("vendor:\n  secret: \"\"\n").is_empty(),
            "an empty field holds nothing"
        );
    }

    #[test]
    fn question_ids_about_secrets_are_not_secrets() {
        assert!(diags("answers:\n  key_storage.secret_manager:\n    value: vault\n").is_empty());
    }

    #[test]
    fn refuses_pem_blocks_and_seed_phrases() {
        let pem = format!(
            "-----BEGIN EC {} KEY-----\nMHcCAQEE\n-----END EC PRIVATE KEY-----",
            "PRIVATE"
        );
        assert_eq!(
            diags(&format!("x: |\n  {}\n", pem.replace('\n', "\n  "))).len(),
            1
        );
        let phrase =
            "abandon ability able about above absent absorb abstract absurd abuse access accident";
        assert_eq!(diags(&format!("note: {phrase}\n")).len(), 1);
    }

    #[test]
    fn leaves_ordinary_text_alone() {
        let ok = [
            "Keys are stored in a hardware security module and never leave it.",
            "https://github.com/x/y/blob/4ffe979ad8d9e8b59ac090a82435eb6f9c5fe166/SECURITY.md",
            "fixed in 4ffe979ad8d9e8b59ac090a82435eb6f9c5fe166",
            "https://docs.northwind.example/security/api-keys-and-ip-allowlists",
            "2026-11-20",
            "northwind-spot-trading-readonly-2026",
            "the vendor said they keep all keys in a vault and rotate them every month now",
        ];
        for text in ok {
            assert!(looks_like_secret(text).is_none(), "{text}");
        }
    }

    #[test]
    fn refuses_shapes_found_in_review() {
        // HTX/Huobi access key shape.
        assert!(looks_like_secret("key a4c123b1-612dd272-d1371c17-149d4").is_some());
        // A token in a URL fragment (OAuth implicit flow).
        let key = fake_binance_key();
        assert!(looks_like_secret(&format!("https://x.example/cb#access_token={key}")).is_some());
        // A phrase inside longer text.
        let phrase =
            "abandon ability able about above absent absorb abstract absurd abuse access accident";
        assert!(looks_like_secret(&format!("seed: {phrase} (do not share)")).is_some());
        // A key used as a field name.
        let d = diags(&format!(
            "answers:
  {key}:
    value: x
"
        ));
        assert_eq!(d.len(), 1, "{d:?}");
        assert!(!d[0].to_string().contains(&key[..12]));
    }

    #[test]
    fn refuses_tokens_in_url_queries_and_uuids() {
        let key = fake_binance_key();
        assert!(looks_like_secret(&format!("https://x.example/api?apikey={key}")).is_some());
        assert!(looks_like_secret("key 7f3b2c1d-9e8a-4b6c-8d2e-1f0a9b8c7d6e").is_some());
        assert!(looks_like_secret("https://user:pw@x.example/").is_some());
    }
}
