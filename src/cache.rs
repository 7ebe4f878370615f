//! A content-addressed cache of what `vetted` computed from one manifest.
//!
//! An entry is found by a key: the SHA-256 of everything its value was
//! computed from (the manifest's bytes and file name, the checklists' bytes,
//! the policy, the as-of date, the build of `vetted` and the version of the
//! entry format; [`Scope`]). A change to any of them is a different key, so
//! an entry is never out of date, only unused.
//!
//! Nothing read from the cache is trusted: an entry carries its own key and
//! a SHA-256 of its bytes, and one that is truncated, damaged, written for
//! another key, too large or not a regular file counts as absent (and is
//! written again). Entries are written to a temporary file in their final
//! directory and renamed into place, so a reader, in this process or a
//! concurrent one, sees a whole entry or none. Two runs writing the same
//! entry write the same bytes.
//!
//! Layout: `DIR/v1/ab/abcdef...` (the key in hex, under its first two
//! digits). Nothing is ever removed; deleting `DIR` empties the cache.

use std::fs;
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};

use ring::digest::{Context, SHA256};

/// The version of the entry layout (header, checksum): raised when it
/// changes, which puts new entries in a new directory.
const LAYOUT: &str = "v1";

/// What an entry file starts with.
const MAGIC: &[u8; 16] = b"vetted cache v1\n";

/// Entries larger than this are not ours: a portfolio item is a few
/// kilobytes, a manifest's diagnostics rarely more.
pub const MAX_ENTRY: u64 = 16 << 20;

/// A cache key: the SHA-256 of everything the value depends on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Key(pub [u8; 32]);

impl Key {
    fn hex(&self) -> String {
        const DIGITS: &[u8; 16] = b"0123456789abcdef";
        let mut s = String::with_capacity(64);
        for b in self.0 {
            s.push(DIGITS[usize::from(b >> 4)] as char);
            s.push(DIGITS[usize::from(b & 15)] as char);
        }
        s
    }
}

/// SHA-256 over several parts, each prefixed by its length, so that no two
/// different lists of parts hash alike.
pub fn digest(parts: &[&[u8]]) -> [u8; 32] {
    let mut ctx = Context::new(&SHA256);
    for p in parts {
        ctx.update(&(p.len() as u64).to_le_bytes());
        ctx.update(p);
    }
    finish(ctx)
}

fn finish(ctx: Context) -> [u8; 32] {
    let mut out = [0; 32];
    out.copy_from_slice(ctx.finish().as_ref());
    out
}

/// Everything besides the manifest that a cached value depends on, hashed
/// once per run: the kind of value and its format, the build of `vetted`,
/// the checklists, the policy and the as-of date.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Scope([u8; 32]);

impl Scope {
    /// The scope of `parts` (each part length-prefixed).
    pub fn new(parts: &[&[u8]]) -> Scope {
        Scope(digest(parts))
    }

    /// The key of a value computed from the manifest `bytes`, named `file`,
    /// in this scope.
    pub fn key(&self, file: &str, bytes: &[u8]) -> Key {
        Key(digest(&[&self.0, file.as_bytes(), bytes]))
    }
}

/// What identifies this build of `vetted`: its version and the SHA-256 of
/// its executable, so that a rebuilt binary (whose scoring may differ
/// though the version does not) never reads the entries of another.
pub fn this_build() -> io::Result<Vec<u8>> {
    let exe = std::env::current_exe()?;
    let mut f = fs::File::open(&exe)?;
    let mut ctx = Context::new(&SHA256);
    let mut buf = vec![0; 1 << 16];
    loop {
        let n = f.read(&mut buf)?;
        if n == 0 {
            break;
        }
        ctx.update(&buf[..n]);
    }
    let mut id = format!("vetted {} ", env!("CARGO_PKG_VERSION")).into_bytes();
    id.extend_from_slice(&finish(ctx));
    Ok(id)
}

/// The default cache directory: `$XDG_CACHE_HOME/vetted`, else
/// `$HOME/.cache/vetted`; none when neither is set (or is relative).
pub fn default_dir(var: impl Fn(&str) -> Option<std::ffi::OsString>) -> Option<PathBuf> {
    let absolute = |v: Option<std::ffi::OsString>| {
        v.map(PathBuf::from)
            .filter(|p| p.is_absolute() && !p.as_os_str().is_empty())
    };
    absolute(var("XDG_CACHE_HOME"))
        .map(|d| d.join("vetted"))
        .or_else(|| absolute(var("HOME")).map(|h| h.join(".cache").join("vetted")))
}

/// The policy as the evaluation reads it: serialised, it is every value,
/// however the policy was made (a file, the default, or changed in code).
pub fn policy_fingerprint(policy: &crate::rules::Policy) -> Vec<u8> {
    serde_json::to_vec(policy).expect("a policy always serialises")
}

/// What `vetted assess --cache` keeps: the document as written, the
/// loader's warnings (printed again on a hit), and the verdict and tier
/// that `--fail-on` reads.
#[derive(Clone, Debug, PartialEq)]
pub struct Assessed {
    /// The document, in its format.
    pub document: Vec<u8>,
    /// Warnings from loading the manifest.
    pub warnings: Vec<crate::diag::Diagnostic>,
    /// The verdict.
    pub verdict: crate::rules::Verdict,
    /// The residual tier.
    pub tier: crate::level::Level,
}

/// The version of [`Assessed`] as stored.
const ASSESSED: &str = "assess document 1";

impl Cache {
    /// The scope of `vetted assess` documents: besides what a portfolio
    /// outcome depends on, the templates (their texts), which document and
    /// which format.
    pub fn assess_scope(
        &self,
        catalog: &crate::checklist::Catalog,
        policy: &crate::rules::Policy,
        templates: &crate::report::Renderer,
        as_of: crate::date::Date,
        document: &str,
        format: &str,
    ) -> Scope {
        self.scope(&[
            ASSESSED.as_bytes(),
            &catalog.fingerprint(),
            &policy_fingerprint(policy),
            // The report's integrity block names the policy's file and
            // digest, which its values alone do not give.
            policy.source.file.as_bytes(),
            policy.source.sha256.as_bytes(),
            &templates.fingerprint(),
            as_of.to_string().as_bytes(),
            document.as_bytes(),
            format.as_bytes(),
        ])
    }
}

/// A cache directory, as used by one build of `vetted`.
#[derive(Clone, Debug)]
pub struct Cache {
    root: PathBuf,
    build: Vec<u8>,
}

/// What a run did with the cache (read by tests and benchmarks).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Stats {
    /// Entries found and valid.
    pub hits: usize,
    /// Entries absent (or refused) and computed.
    pub misses: usize,
    /// Entries present but refused: damaged, truncated or foreign.
    pub refused: usize,
    /// Entries computed but not written (refused by the guard, or the
    /// write failed).
    pub not_written: usize,
}

impl Cache {
    /// The cache in `dir`, created (readable by its owner only) if needed,
    /// for the build `build` ([`this_build`]; tests pass their own): no
    /// entry written by one build is read by another.
    pub fn open(dir: &Path, build: Vec<u8>) -> io::Result<Cache> {
        let root = dir.join(LAYOUT);
        create_private_dir(&root)?;
        Ok(Cache { root, build })
    }

    /// The scope of `parts` for this cache's build.
    pub fn scope(&self, parts: &[&[u8]]) -> Scope {
        let mut all: Vec<&[u8]> = vec![&self.build];
        all.extend_from_slice(parts);
        Scope::new(&all)
    }

    fn path(&self, key: &Key) -> (PathBuf, PathBuf) {
        let hex = key.hex();
        let dir = self.root.join(&hex[..2]);
        let file = dir.join(&hex);
        (dir, file)
    }

    /// The value stored under `key`, if there is one and it is whole and
    /// its own. `Err` only says why an entry that exists was refused.
    pub fn get(&self, key: &Key) -> Result<Option<Vec<u8>>, Refused> {
        let (_, path) = self.path(key);
        // Only a regular file is read: a FIFO would block, a device
        // would never end.
        let len = match fs::symlink_metadata(&path) {
            Err(_) => return Ok(None),
            Ok(m) if !m.is_file() => return Err(Refused("not a regular file")),
            Ok(m) if m.len() > MAX_ENTRY => return Err(Refused("too large")),
            Ok(m) => m.len(),
        };
        let mut f = fs::File::open(&path).map_err(|_| Refused("unreadable"))?;
        // One read for an entry that has not changed size since.
        let mut bytes = Vec::with_capacity(len as usize + 1);
        (&mut f)
            .take(MAX_ENTRY + 1)
            .read_to_end(&mut bytes)
            .map_err(|_| Refused("unreadable"))?;
        unwrap_entry(key, &bytes).map(Some)
    }

    /// Stores `value` under `key`, atomically: a temporary file in the
    /// entry's directory, renamed over any entry already there.
    pub fn put(&self, key: &Key, value: &[u8]) -> io::Result<()> {
        let (dir, path) = self.path(key);
        let temp = || tempfile::Builder::new().prefix(".tmp").tempfile_in(&dir);
        // The directory is made only when missing: a `mkdir` that fails
        // because it exists cost more than the rest of a write.
        let mut tmp = match temp() {
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                create_private_dir(&dir)?;
                temp()?
            }
            r => r?,
        };
        tmp.write_all(&wrap_entry(key, value))?;
        // No fsync: after a crash an entry may be cut short, and a short
        // entry fails its checksum and is computed again.
        tmp.persist(&path).map_err(|e| e.error)?;
        Ok(())
    }
}

/// Why an entry was not used.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("cache entry refused: {0}")]
pub struct Refused(pub &'static str);

/// Header (magic, key, length), value, then the SHA-256 of all before it.
fn wrap_entry(key: &Key, value: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(MAGIC.len() + 32 + 8 + value.len() + 32);
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&key.0);
    out.extend_from_slice(&(value.len() as u64).to_le_bytes());
    out.extend_from_slice(value);
    let sum = digest(&[&out]);
    out.extend_from_slice(&sum);
    out
}

fn unwrap_entry(key: &Key, bytes: &[u8]) -> Result<Vec<u8>, Refused> {
    let header = MAGIC.len() + 32 + 8;
    if bytes.len() < header + 32 {
        return Err(Refused("truncated"));
    }
    let (body, sum) = bytes.split_at(bytes.len() - 32);
    if digest(&[body]) != sum {
        return Err(Refused("checksum mismatch"));
    }
    if &body[..MAGIC.len()] != MAGIC {
        return Err(Refused("not a vetted cache entry"));
    }
    if body[MAGIC.len()..MAGIC.len() + 32] != key.0 {
        return Err(Refused("written for another key"));
    }
    let mut len = [0; 8];
    len.copy_from_slice(&body[MAGIC.len() + 32..header]);
    let value = &body[header..];
    if u64::from_le_bytes(len) != value.len() as u64 {
        return Err(Refused("length mismatch"));
    }
    Ok(value.to_vec())
}

fn create_private_dir(dir: &Path) -> io::Result<()> {
    let mut b = fs::DirBuilder::new();
    b.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        // The cache holds vendors' names and verdicts: the owner's only.
        b.mode(0o700);
    }
    b.create(dir)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(n: u8) -> Key {
        Key([n; 32])
    }

    #[test]
    fn what_is_put_is_got() {
        let dir = tempfile::tempdir().unwrap();
        let c = Cache::open(dir.path(), b"test".to_vec()).unwrap();
        assert_eq!(c.get(&key(1)), Ok(None));
        c.put(&key(1), b"value").unwrap();
        assert_eq!(c.get(&key(1)), Ok(Some(b"value".to_vec())));
        c.put(&key(1), b"other").unwrap();
        assert_eq!(c.get(&key(1)), Ok(Some(b"other".to_vec())));
        // Only the entry is left: no temporary file.
        let (d, _) = c.path(&key(1));
        assert_eq!(fs::read_dir(d).unwrap().count(), 1);
    }

    #[test]
    fn damaged_truncated_foreign_and_odd_entries_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let c = Cache::open(dir.path(), b"test".to_vec()).unwrap();
        c.put(&key(1), b"a value").unwrap();
        let (_, p) = c.path(&key(1));
        let good = fs::read(&p).unwrap();
        for n in [0, 10, good.len() - 1] {
            fs::write(&p, &good[..n]).unwrap();
            assert!(c.get(&key(1)).is_err(), "cut to {n}");
        }
        let mut flipped = good.clone();
        flipped[MAGIC.len() + 32 + 8] ^= 1;
        fs::write(&p, &flipped).unwrap();
        assert_eq!(c.get(&key(1)), Err(Refused("checksum mismatch")));
        // Another key's entry, whole and valid, under this key's name.
        c.put(&key(2), b"a value").unwrap();
        fs::copy(c.path(&key(2)).1, &p).unwrap();
        assert_eq!(c.get(&key(1)), Err(Refused("written for another key")));
        fs::remove_file(&p).unwrap();
        fs::create_dir(&p).unwrap();
        assert_eq!(c.get(&key(1)), Err(Refused("not a regular file")));
        fs::remove_dir(&p).unwrap();
        // Rewritten, it reads again.
        c.put(&key(1), b"a value").unwrap();
        assert_eq!(c.get(&key(1)), Ok(Some(b"a value".to_vec())));
    }

    #[test]
    fn keys_are_named_by_their_hex_digits() {
        let mut k = [0u8; 32];
        k[0] = 0xab;
        k[31] = 0x0f;
        let hex = Key(k).hex();
        assert_eq!(hex.len(), 64);
        assert!(hex.starts_with("ab00") && hex.ends_with("000f"), "{hex}");
    }

    #[test]
    fn keys_depend_on_every_part() {
        let s = Scope::new(&[b"a", b"b"]);
        assert_ne!(s, Scope::new(&[b"ab"]));
        assert_ne!(s, Scope::new(&[b"a", b"c"]));
        assert_ne!(s.key("f", b"x"), s.key("g", b"x"));
        assert_ne!(s.key("f", b"x"), s.key("f", b"y"));
        assert_ne!(s.key("f", b"x"), s.key("fx", b""));
        assert_eq!(s.key("f", b"x"), Scope::new(&[b"a", b"b"]).key("f", b"x"));
    }

    #[test]
    fn the_default_directory_follows_xdg_then_home() {
        let env = |pairs: &'static [(&'static str, &'static str)]| {
            move |k: &str| {
                pairs
                    .iter()
                    .find(|(n, _)| *n == k)
                    .map(|(_, v)| std::ffi::OsString::from(v))
            }
        };
        assert_eq!(
            default_dir(env(&[("XDG_CACHE_HOME", "/x"), ("HOME", "/h")])),
            Some(PathBuf::from("/x/vetted"))
        );
        assert_eq!(
            default_dir(env(&[("XDG_CACHE_HOME", "rel"), ("HOME", "/h")])),
            Some(PathBuf::from("/h/.cache/vetted"))
        );
        assert_eq!(default_dir(env(&[])), None);
    }
}
