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

/// Writes `contents` to `path` atomically: a temporary file in the same
/// directory, flushed to disk, then renamed over the target. A crash at any
/// moment leaves either the old file or the new one, never half of each.
pub fn write_atomic(path: &Path, contents: &[u8]) -> io::Result<()> {
    // Write through a symlink to its target rather than replacing the link.
    let target = match fs::canonicalize(path) {
        Ok(real) => real,
        Err(e) if e.kind() == io::ErrorKind::NotFound => path.to_path_buf(),
        Err(e) => return Err(e),
    };
    let dir = match target.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => Path::new(".").to_path_buf(),
    };
    // A fresh, unpredictable name created exclusively: a symlink planted in
    // a shared directory cannot redirect the write.
    let mut tmp = tempfile::NamedTempFile::new_in(&dir)?;
    tmp.write_all(contents)?;
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
