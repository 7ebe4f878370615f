//! File helpers: bounded reads that never take more than a limit from any
//! file or stream, and writes that never lose a user's data.

use std::fs;
use std::io::{self, Read, Write};
use std::path::Path;

/// Why a bounded read returned no bytes.
#[derive(Debug)]
pub enum ReadError {
    /// The file or stream could not be read.
    Io(io::Error),
    /// It holds more than the limit: the size of a regular file, or `None`
    /// for a stream, device or growing file cut off at the limit plus one
    /// byte.
    TooLarge(Option<u64>),
    /// It is not a regular file (what it is, in words: "a FIFO"); only
    /// [`read_regular_file`] refuses these.
    NotRegular(&'static str),
}

impl From<io::Error> for ReadError {
    fn from(e: io::Error) -> Self {
        ReadError::Io(e)
    }
}

/// Reads `reader` to its end, but never more than `limit` bytes: one byte
/// past the limit is enough to know the input is too large, so an endless
/// stream (`yes |`, `/dev/zero`) costs `limit + 1` bytes and stops there.
/// `size_hint` (a file's size, or 0) only sizes the buffer.
pub fn read_limited(reader: impl Read, limit: usize, size_hint: u64) -> Result<Vec<u8>, ReadError> {
    let capacity = usize::try_from(size_hint).unwrap_or(usize::MAX).min(limit);
    let mut buf = Vec::with_capacity(capacity.saturating_add(1));
    reader
        .take(u64::try_from(limit).unwrap_or(u64::MAX).saturating_add(1))
        .read_to_end(&mut buf)?;
    if buf.len() > limit {
        return Err(ReadError::TooLarge(None));
    }
    Ok(buf)
}

/// Reads the file at `path`, whatever it is (a regular file, a pipe such as
/// `/dev/stdin` or a process substitution, a device), at most `limit`
/// bytes. A regular file over the limit is refused from its size, before
/// a byte is read.
pub fn read_file(path: &Path, limit: usize) -> Result<Vec<u8>, ReadError> {
    let file = fs::File::open(path)?;
    let meta = file.metadata()?;
    if meta.is_file() && meta.len() > limit as u64 {
        return Err(ReadError::TooLarge(Some(meta.len())));
    }
    let hint = if meta.is_file() { meta.len() } else { 0 };
    read_limited(file, limit, hint)
}

/// Like [`read_file`], but only a regular file (or a symlink to one) is
/// opened: anything else is refused as [`ReadError::NotRegular`] before
/// it is opened, since opening a FIFO waits for a writer that may never
/// come. For files found by listing a folder, which nobody chose one by
/// one.
pub fn read_regular_file(path: &Path, limit: usize) -> Result<Vec<u8>, ReadError> {
    let meta = fs::metadata(path)?;
    if !meta.is_file() {
        return Err(ReadError::NotRegular(kind(&meta.file_type())));
    }
    let file = fs::File::open(path)?;
    // The entry may have been replaced between the two looks; judge what
    // was opened. (A FIFO put there in that instant would still block the
    // open: the window is as small as it can be without `O_NONBLOCK`,
    // which std cannot ask for without a raw flag.)
    let meta = file.metadata()?;
    if !meta.is_file() {
        return Err(ReadError::NotRegular(kind(&meta.file_type())));
    }
    if meta.len() > limit as u64 {
        return Err(ReadError::TooLarge(Some(meta.len())));
    }
    read_limited(file, limit, meta.len())
}

/// What a file is, in words, for messages ("a FIFO").
pub fn kind(t: &fs::FileType) -> &'static str {
    use std::os::unix::fs::FileTypeExt;
    if t.is_file() {
        "a regular file"
    } else if t.is_dir() {
        "a directory"
    } else if t.is_symlink() {
        "a symbolic link"
    } else if t.is_fifo() {
        "a FIFO (named pipe)"
    } else if t.is_socket() {
        "a socket"
    } else if t.is_char_device() {
        "a character device"
    } else if t.is_block_device() {
        "a block device"
    } else {
        "an unknown kind of file"
    }
}

/// Writes `contents` to `path`, the way every report and manifest is
/// written (issue 21). A regular file, a symlink to one, or a path that
/// does not exist yet in an existing directory is replaced atomically
/// ([`write_atomic`]). Anything else that exists (`/dev/null`, a FIFO, a
/// terminal) is opened and written directly, never replaced: renaming a
/// file over `/dev/null`, as root may, would turn the device into a file.
/// A directory, or a path whose directory is missing, is an error that
/// names it.
pub fn write(path: &Path, contents: &[u8]) -> io::Result<()> {
    write_with(path, |w| w.write_all(contents))
}

/// [`write`] of what `write` writes, as it writes it (through a buffer): a
/// large document is never whole in memory. Into a regular file through
/// [`write_atomic_with`], so a failed `write` leaves the file as it was;
/// into a device or FIFO directly, streaming.
pub fn write_with<E: From<io::Error>>(
    path: &Path,
    write: impl FnOnce(&mut dyn Write) -> Result<(), E>,
) -> Result<(), E> {
    match fs::metadata(path) {
        Ok(meta) if meta.is_file() => write_atomic_with(path, write),
        Ok(meta) if meta.is_dir() => Err(io::Error::new(
            io::ErrorKind::IsADirectory,
            "this is a directory; name a file to write",
        )
        .into()),
        // Opened without `create` or `truncate`: it exists and is not a
        // file, so it is written the way a shell's `>` would.
        Ok(_) => {
            let target = fs::OpenOptions::new().write(true).open(path)?;
            let mut buffered = io::BufWriter::new(target);
            write(&mut buffered)?;
            buffered.flush()?;
            Ok(())
        }
        Err(e) if e.kind() == io::ErrorKind::NotFound => {
            let dir = directory_of(path);
            match fs::metadata(&dir) {
                Ok(meta) if meta.is_dir() => write_atomic_with(path, write),
                Ok(_) => Err(io::Error::new(
                    io::ErrorKind::NotADirectory,
                    format!("{} is not a directory", dir.display()),
                )
                .into()),
                Err(e) if e.kind() == io::ErrorKind::NotFound => Err(io::Error::new(
                    io::ErrorKind::NotFound,
                    format!("the directory {} does not exist", dir.display()),
                )
                .into()),
                Err(e) => Err(e.into()),
            }
        }
        Err(e) => Err(e.into()),
    }
}

/// The directory a file at `path` goes in (`.` for a bare name).
fn directory_of(path: &Path) -> std::path::PathBuf {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => Path::new(".").to_path_buf(),
    }
}

/// How the temporary files of a save of `target` start: `.NAME.vetted-tmp.`
/// then random characters. Named after the target, so that the next save of
/// the same file can find what an interrupted one left (issue 16), and
/// never mistake another program's temporary file for its own.
fn temp_prefix(target: &Path) -> std::ffi::OsString {
    let mut prefix = std::ffi::OsString::from(".");
    prefix.push(target.file_name().unwrap_or_default());
    prefix.push(".vetted-tmp.");
    prefix
}

/// How old a temporary file must be before a save takes it for a leftover
/// of an interrupted one. A save writes and renames its temporary file in
/// well under a second; the margin keeps a concurrent save of the same
/// file (another `vetted fill` on it) from losing its file mid-write.
pub const LEFTOVER_AGE: std::time::Duration = std::time::Duration::from_secs(60);

/// Removes the temporary files earlier saves of `target` left in `dir`
/// (killed mid-save, they hold manifest text): regular files only, never
/// a symlink, and only those older than [`LEFTOVER_AGE`]. Best effort: a
/// file that cannot be removed stays, and the save goes on.
fn remove_leftovers(dir: &Path, target: &Path) {
    let prefix = temp_prefix(target);
    let prefix = prefix.as_encoded_bytes();
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    let now = std::time::SystemTime::now();
    for entry in entries.flatten() {
        if !entry.file_name().as_encoded_bytes().starts_with(prefix) {
            continue;
        }
        // `DirEntry::metadata` does not follow symlinks.
        let Ok(meta) = entry.metadata() else { continue };
        let stale = meta
            .modified()
            .ok()
            .and_then(|m| now.duration_since(m).ok())
            .is_some_and(|age| age >= LEFTOVER_AGE);
        if meta.is_file() && stale {
            let _ = fs::remove_file(entry.path());
        }
    }
}

/// Writes `contents` to `path` atomically: a temporary file in the same
/// directory, flushed to disk, then renamed over the target. A crash at any
/// moment leaves either the old file or the new one, never half of each.
/// Only for regular files (or a path not yet taken): [`write`] decides.
pub fn write_atomic(path: &Path, contents: &[u8]) -> io::Result<()> {
    write_atomic_with(path, |w| w.write_all(contents))
}

/// [`write_atomic`] of what `write` writes, as it writes it (through a
/// buffer): a large document is never whole in memory. If `write` fails,
/// the target is left as it was.
pub fn write_atomic_with<E: From<io::Error>>(
    path: &Path,
    write: impl FnOnce(&mut dyn Write) -> Result<(), E>,
) -> Result<(), E> {
    // Write through a symlink to its target rather than replacing the link.
    let target = match fs::canonicalize(path) {
        Ok(real) => real,
        Err(e) if e.kind() == io::ErrorKind::NotFound => path.to_path_buf(),
        Err(e) => return Err(e.into()),
    };
    let dir = directory_of(&target);
    remove_leftovers(&dir, &target);
    let mut tmp = create_temp(&dir, &target)?;
    {
        let mut buffered = io::BufWriter::new(tmp.as_file_mut());
        write(&mut buffered)?;
        buffered.flush()?;
    }
    // Keep the permissions of the file being replaced (a 0600 manifest
    // stays 0600).
    if let Ok(meta) = fs::metadata(&target) {
        tmp.as_file().set_permissions(meta.permissions())?;
    }
    tmp.as_file().sync_all()?;
    tmp.persist(&target).map_err(|e| e.error)?;
    // The rename itself is only durable once the directory is synced.
    if let Ok(d) = fs::File::open(&dir) {
        let _ = d.sync_all();
    }
    Ok(())
}

/// The temporary file for a save of `target` in `dir`: a fresh,
/// unpredictable name created exclusively (a symlink planted in a shared
/// directory cannot redirect the write), readable by its owner only from
/// its creation, before a byte of the text is in it.
fn create_temp(dir: &Path, target: &Path) -> io::Result<tempfile::NamedTempFile> {
    use std::os::unix::fs::PermissionsExt;
    tempfile::Builder::new()
        .prefix(&temp_prefix(target))
        .permissions(fs::Permissions::from_mode(0o600))
        .tempfile_in(dir)
        .map_err(|e| in_directory(e, dir))
}

/// An error creating the temporary file, naming the directory instead of
/// the random name (which never existed) that tempfile puts in its message.
fn in_directory(e: io::Error, dir: &Path) -> io::Error {
    let cause = e
        .get_ref()
        .and_then(|inner| inner.source())
        .map_or_else(|| e.to_string(), |source| source.to_string());
    io::Error::new(
        e.kind(),
        format!("cannot create a file in {}: {cause}", dir.display()),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_stop_one_byte_past_the_limit() {
        // An endless reader: without the bound this would never return.
        let endless = read_limited(std::io::repeat(b'y'), 100, 0);
        assert!(matches!(endless, Err(ReadError::TooLarge(None))));
        assert_eq!(read_limited(&b"abc"[..], 3, 0).unwrap(), b"abc");
        assert!(matches!(
            read_limited(&b"abcd"[..], 3, 0),
            Err(ReadError::TooLarge(None))
        ));
    }

    #[test]
    fn a_regular_file_over_the_limit_is_refused_from_its_size() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("big");
        fs::write(&path, [b'x'; 11]).unwrap();
        assert!(matches!(
            read_file(&path, 10),
            Err(ReadError::TooLarge(Some(11)))
        ));
        assert!(matches!(
            read_regular_file(&path, 10),
            Err(ReadError::TooLarge(Some(11)))
        ));
        assert_eq!(read_regular_file(&path, 11).unwrap().len(), 11);
        assert!(matches!(
            read_regular_file(dir.path(), 10),
            Err(ReadError::NotRegular("a directory"))
        ));
    }

    #[test]
    fn temporary_files_are_private_from_the_start_and_named_for_their_target() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("m.yaml");
        let tmp = create_temp(dir.path(), &target).unwrap();
        // Empty: nothing written yet, and already the owner's only.
        assert_eq!(tmp.as_file().metadata().unwrap().len(), 0);
        let mode = tmp.as_file().metadata().unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600, "{mode:o}");
        let name = tmp.path().file_name().unwrap().to_str().unwrap();
        assert!(name.starts_with(".m.yaml.vetted-tmp."), "{name}");
    }

    #[test]
    fn leftovers_of_a_killed_save_are_removed_by_the_next() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("m.yaml");
        // What a save killed between writing and renaming leaves behind.
        let left = create_temp(dir.path(), &target).unwrap();
        left.as_file().write_all(b"vendor: {name: V}").unwrap();
        let (_, left) = left.keep().unwrap();
        let old = std::time::SystemTime::now() - 2 * LEFTOVER_AGE;
        fs::File::options()
            .write(true)
            .open(&left)
            .unwrap()
            .set_modified(old)
            .unwrap();
        write(&target, b"new").unwrap();
        assert!(!left.exists());
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 1);
        assert_eq!(fs::read(&target).unwrap(), b"new");
    }

    #[test]
    fn replaces_contents_and_leaves_no_temporary_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("report.md");
        write_atomic(&path, b"one").unwrap();
        write_atomic(&path, b"two").unwrap();
        assert_eq!(fs::read(&path).unwrap(), b"two");
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[test]
    fn writes_through_symlinks_and_keeps_permissions() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let real = dir.path().join("real.yaml");
        fs::write(&real, "old").unwrap();
        fs::set_permissions(&real, fs::Permissions::from_mode(0o600)).unwrap();
        let link = dir.path().join("link.yaml");
        std::os::unix::fs::symlink(&real, &link).unwrap();
        write_atomic(&link, b"new").unwrap();
        assert!(
            fs::symlink_metadata(&link)
                .unwrap()
                .file_type()
                .is_symlink()
        );
        assert_eq!(fs::read(&real).unwrap(), b"new");
        assert_eq!(
            fs::metadata(&real).unwrap().permissions().mode() & 0o777,
            0o600
        );
    }
}
