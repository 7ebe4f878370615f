//! Recovery phrases: twelve or more consecutive words of one BIP-39 word
//! list, in any of its ten languages.
//!
//! The lists are the official ones, from the maintained `bip39` crate, not
//! a home-made filter of "prose words": a list word that is also everyday
//! English (`about`, `act`, `all`) is still a list word, and English prose
//! breaks a run within a few words because its glue words (`the`, `and`,
//! `to`, `of`, `is`) are in no list. Words are matched in NFC and lower
//! case, so a capitalised, numbered or comma-separated phrase reads the
//! same as a plain one.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::OnceLock;

use unicode_normalization::UnicodeNormalization;

/// The length of the shortest phrase BIP-39 defines.
pub const MIN_WORDS: usize = 12;

/// FxHash (rustc's): every word of every note is looked up, and SipHash's
/// defence against chosen collisions buys nothing for a fixed public list
/// (nor for the guard's caches of one file's field names and URLs).
#[derive(Default)]
pub struct Fx(u64);

impl Hasher for Fx {
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0.rotate_left(5) ^ u64::from(b)).wrapping_mul(0x517c_c1b7_2722_0a95);
        }
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

/// A map hashed with [`Fx`].
pub type FxMap<K, V> = HashMap<K, V, BuildHasherDefault<Fx>>;

type Lists = FxMap<Box<str>, u16>;

/// Each word of every list, with a bit per language that has it (a few
/// words are in two lists, e.g. the two Chinese ones share most).
fn words() -> &'static Lists {
    static WORDS: OnceLock<Lists> = OnceLock::new();
    WORDS.get_or_init(|| {
        let mut map = Lists::with_capacity_and_hasher(20_480, Default::default());
        for (i, lang) in bip39::Language::ALL.iter().enumerate() {
            for w in lang.word_list() {
                // The crate keeps the lists in NFKD; people type NFC.
                let w: String = w.nfc().collect();
                *map.entry(w.into_boxed_str()).or_default() |= 1 << i;
            }
        }
        map
    })
}

/// The languages whose list has `word` (lower case, NFC), as bits.
fn languages(word: &str, buf: &mut String) -> u16 {
    buf.clear();
    if word.is_ascii() {
        buf.extend(word.chars().map(|c| c.to_ascii_lowercase()));
    } else if !word.chars().any(char::is_alphabetic) {
        return 0;
    } else if unicode_normalization::is_nfc_quick(word.chars())
        == unicode_normalization::IsNormalized::Yes
    {
        buf.extend(word.chars().flat_map(char::to_lowercase));
    } else {
        buf.extend(word.nfc().flat_map(char::to_lowercase));
    }
    words().get(buf.as_str()).copied().unwrap_or(0)
}

/// Separators between the words of a phrase as people paste them.
fn is_separator(c: char) -> bool {
    c.is_whitespace()
        || matches!(
            c,
            ',' | ';' | '|' | '、' | '，' | '=' | '&' | '+' | '/' | '?' | ':' | '#'
        )
}

/// The word in a piece of a pasted phrase, without the numbering and
/// punctuation around it (`1.`, `02-`, `(3)`, `#4`, `word,`); `None` for a
/// piece that is only numbering, which neither counts nor breaks a run.
fn word_of(piece: &str) -> Option<&str> {
    let w = piece.trim_start_matches(['#', '(', '[']);
    let w = w.trim_start_matches(|c: char| c.is_ascii_digit());
    let w = w.trim_start_matches(['.', ')', ']', ':', '-', '=']);
    let w = w.trim_matches(|c: char| c.is_ascii_punctuation() || matches!(c, '。' | '：'));
    (!w.is_empty()).then_some(w)
}

/// Whether `text` holds a recovery phrase.
pub fn is_phrase(text: &str) -> bool {
    // Most strings are far too short; counting separators is cheaper than
    // looking a single word up.
    if text.len() < MIN_WORDS * 2
        || text.chars().filter(|&c| is_separator(c)).count() < MIN_WORDS - 1
    {
        return false;
    }
    let mut buf = String::new();
    let mut both = String::new();
    let (mut run, mut langs) = (0usize, u16::MAX);
    let mut pieces = text
        .split(is_separator)
        .filter(|p| !p.is_empty())
        .peekable();
    while let Some(piece) = pieces.next() {
        let Some(word) = word_of(piece) else {
            continue;
        };
        let mut found = languages(word, &mut buf);
        // A word wrapped over two lines (`atti` / `tude`), inside a run.
        if found & langs == 0
            && run > 0
            && let Some(next) = pieces.peek().and_then(|p| word_of(p))
        {
            both.clear();
            both.push_str(word);
            both.push_str(next);
            let joined = languages(&both, &mut buf);
            if joined & langs != 0 {
                pieces.next();
                found = joined;
            }
        }
        if found & langs != 0 {
            run += 1;
            langs &= found;
        } else if found != 0 {
            run = 1;
            langs = found;
        } else {
            run = 0;
            langs = u16::MAX;
        }
        if run >= MIN_WORDS {
            return true;
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    const PHRASE: &str =
        "abandon ability able about above absent absorb abstract absurd abuse access accident";

    #[test]
    fn reads_phrases_as_people_write_them() {
        assert!(is_phrase(PHRASE));
        assert!(is_phrase(&PHRASE.to_uppercase()));
        assert!(is_phrase(&PHRASE.replace(' ', ", ")));
        let numbered: Vec<String> = PHRASE
            .split(' ')
            .enumerate()
            .map(|(i, w)| format!("{}. {w}", i + 1))
            .collect();
        assert!(is_phrase(&numbered.join("\n")));
        assert!(
            !is_phrase(&PHRASE.replacen(" about ", " the ", 1)),
            "eleven words are not a phrase"
        );
        assert!(
            is_phrase(&PHRASE.replacen("absorb", "abs\norb", 1)),
            "a word wrapped over lines"
        );
    }

    #[test]
    fn every_language_and_nfc() {
        for lang in bip39::Language::ALL {
            let list = lang.word_list();
            let words: Vec<String> = (0..12).map(|i| list[i * 97].nfc().collect()).collect();
            let sep = if *lang == bip39::Language::Japanese {
                "\u{3000}"
            } else {
                " "
            };
            assert!(is_phrase(&words.join(sep)), "{lang:?}");
        }
    }

    #[test]
    fn prose_is_not_a_phrase() {
        assert!(!is_phrase(
            "The vendor said they keep all keys in a vault and rotate them every month now, \
             as their security page explains in some detail for every customer account"
        ));
    }
}
