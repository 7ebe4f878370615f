//! The credential guard: a manifest must never hold a secret.
//!
//! Manifests are shared, committed and attached to tickets; an exchange key
//! pasted into one is a leaked key. The guard refuses anything that looks
//! like an API key, secret, passphrase, private key or recovery phrase, says
//! where it is and what it looks like, and never repeats the value itself.
//!
//! It errs on the side of refusing: a false alarm costs a rewrite of one
//! line, a miss can cost the funds behind the key.

mod comments;
mod detect;
mod encoding;
mod phrase;

use crate::diag::{Code, Diagnostic, Pos};
use crate::yaml::{Node, Value};

/// Words in a field name that mean the field holds a credential.
const SECRET_WORDS: [&str; 20] = [
    "secret",
    "secrets",
    "passphrase",
    "password",
    "passwd",
    "pwd",
    "passcode",
    "mnemonic",
    "seed",
    "apikey",
    "apisecret",
    "secretkey",
    "otp",
    "totp",
    "privatekey",
    "privkey",
    "token",
    "credential",
    "credentials",
    "xprv",
];
/// Adjacent word pairs in a field name that mean the same.
const SECRET_PAIRS: [(&str, &str); 9] = [
    ("api", "key"),
    ("private", "key"),
    ("access", "token"),
    ("auth", "token"),
    ("secret", "key"),
    ("recovery", "phrase"),
    ("access", "key"),
    ("client", "secret"),
    ("signing", "key"),
];

/// Checks every field name, string value and comment of a manifest:
/// `text` is its source (for the comments, which the tree does not keep),
/// `root` its parsed tree.
pub fn check(file: &str, text: &str, root: &Node) -> Vec<Diagnostic> {
    let mut guard = Guard {
        file,
        out: Vec::new(),
        urls: phrase::FxMap::default(),
    };
    guard.walk(root, &Path::Root, None, false);
    for (pos, comment) in comments::comments(text) {
        if let Some(kind) = looks_like_secret(&comment) {
            guard.out.push(refuse_comment(file, pos, kind));
        }
    }
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
            Path::Key(Path::Root, k) => crate::diag::quote(k),
            Path::Key(parent, k) => format!("{}.{}", parent.render(), crate::diag::quote(k)),
            Path::Index(parent, i) => format!("{}[{i}]", parent.render()),
        }
    }
}

/// One walk over a manifest.
struct Guard<'a> {
    file: &'a str,
    out: Vec<Diagnostic>,
    /// Verdicts on strings holding URLs already seen: a manifest cites the
    /// same few evidence pages over and over.
    urls: phrase::FxMap<&'a str, Option<&'static str>>,
}

impl<'a> Guard<'a> {
    fn secret(&mut self, text: &'a str, field: Option<&str>) -> Option<&'static str> {
        if !text.contains("://") {
            return detect::scan(text, field);
        }
        *self
            .urls
            .entry(text)
            .or_insert_with(|| detect::scan(text, field))
    }

    fn walk(&mut self, node: &'a Node, path: &Path, field: Option<&str>, under_answers: bool) {
        match &node.value {
            Value::Map(entries) => {
                for (key, value) in entries {
                    let child = Path::Key(path, &key.name);
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
                    // Keys directly under `answers` are question ids, checked
                    // against the checklists, and keys directly under
                    // `collected.facts` are the names of facts `vetted
                    // collect` writes (Scorecard's `token-permissions`
                    // check, say): a name about secrets is not a secret.
                    if !under_answers && name_is_secret(&key.name) && has_content(value) {
                        self.out.push(refuse(
                            self.file,
                            key.pos,
                            &child.render(),
                            "is named like a credential, and manifests never hold credentials",
                        ));
                        continue;
                    }
                    let ids = match path {
                        Path::Root => key.name == "answers",
                        Path::Key(Path::Root, "collected") => key.name == "facts",
                        _ => false,
                    };
                    self.walk(value, &child, Some(&key.name), ids);
                }
                self.words_of(node, path, entries.iter().map(|(_, v)| v));
            }
            Value::Seq(items) => {
                for (i, item) in items.iter().enumerate() {
                    self.walk(item, &Path::Index(path, i), field, false);
                }
                self.words_of(node, path, items.iter());
            }
            Value::Str(s) => {
                if let Some(kind) = self.secret(s, field) {
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

    /// A recovery phrase spread over a list, one word per item (or per
    /// numbered key), read as one text.
    fn words_of<'n>(
        &mut self,
        node: &Node,
        path: &Path,
        items: impl ExactSizeIterator<Item = &'n Node>,
    ) {
        if items.len() < phrase::MIN_WORDS {
            return;
        }
        let words: Vec<&str> = items.filter_map(Node::as_str).collect();
        if words.len() >= phrase::MIN_WORDS && phrase::is_phrase(&words.join(" ")) {
            self.out.push(refuse(
                self.file,
                node.pos,
                &path.render(),
                &format!(
                    "holds, one word per item, what looks like {}",
                    detect::PHRASE
                ),
            ));
        }
    }
}

fn refuse(file: &str, pos: Pos, path: &str, what: &str) -> Diagnostic {
    Diagnostic::error(
        Code::SecretInManifest,
        file,
        pos,
        format!("`{path}` {what}; the value is not shown here"),
    )
    .with_help(HELP)
}

fn refuse_comment(file: &str, pos: Pos, kind: &str) -> Diagnostic {
    Diagnostic::error(
        Code::SecretInManifest,
        file,
        pos,
        format!("a comment holds what looks like {kind}; the text is not shown here"),
    )
    .with_help(HELP)
}

const HELP: &str = "delete the value: a manifest describes a key (exchange, label, permissions), never holds it. \
     If a real key or phrase was ever saved in this file, revoke it at the exchange now";

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

/// What kind of secret `text` looks like, if any: a PEM private key, a
/// recovery phrase, a token with a published prefix, a JWT, a wallet key,
/// a URL carrying a password or token, a password or key written after its
/// name, or a long random token.
pub fn looks_like_secret(text: &str) -> Option<&'static str> {
    detect::scan(text, None)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::yaml::{self, Limits};

    fn diags(text: &str) -> Vec<Diagnostic> {
        check(
            "m.yaml",
            text,
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
    fn fact_names_about_tokens_are_not_secrets_but_their_values_are_checked() {
        let fact = "collected:\n  facts:\n    scorecard.check.token-permissions:\n      value: 10\n      url: https://api.securityscorecards.dev/projects/github.com/o/r\n      observed: 2026-11-25T00:00:00Z\n";
        assert!(diags(fact).is_empty(), "{:?}", diags(fact));
        // The same name anywhere else is a field named like a credential.
        assert_eq!(diags("vendor:\n  token-permissions: 10\n").len(), 1);
        // And a fact's value is still read.
        let key = fake_binance_key();
        let leaked = fact.replace("value: 10", &format!("value: {key}"));
        assert_eq!(diags(&leaked).len(), 1);
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
