//! Writing a manifest back to disk, for `fill` and `collect`: one layout,
//! atomic replacement, and a backup of any file the rewrite would change
//! beyond what the tool itself wrote.

use std::path::{Path, PathBuf};

use serde_json::Value as Json;

use super::Manifest;

/// The first line of every manifest `vetted` writes.
pub const HEADER: &str = "# Written by `vetted fill`; edit freely, `vetted fill FILE` resumes.";

/// The text `vetted` writes for a manifest.
pub fn render(m: &Manifest) -> Result<String, String> {
    let mut value = serde_json::to_value(m).expect("a manifest always serialises");
    prune(&mut value);
    let body =
        serde_saphyr::to_string(&value).map_err(|e| format!("cannot write the manifest: {e}"))?;
    let newline = if body.ends_with('\n') { "" } else { "\n" };
    Ok(format!("{HEADER}\n{body}{newline}"))
}

/// Drops empty optional fields (null, empty lists and maps) so that the
/// written manifest holds only what was said. Required lists stay, even
/// empty.
fn prune(value: &mut Json) {
    match value {
        Json::Object(map) => {
            map.values_mut().for_each(prune);
            map.retain(|k, v| {
                let empty = v.is_null()
                    || v.as_array().is_some_and(Vec::is_empty)
                    || v.as_object().is_some_and(|o| o.is_empty());
                !empty || matches!(k.as_str(), "permissions" | "checklists")
            });
        }
        Json::Array(items) => items.iter_mut().for_each(prune),
        _ => {}
    }
}

/// Whether rewriting `on_disk` (loaded as `m`) would lose anything a person
/// wrote: comments, hand edits, a layout of their own. Such a file is
/// backed up before the first rewrite.
pub fn needs_backup(on_disk: &[u8], m: &Manifest) -> bool {
    render(m).ok().map(String::into_bytes).as_deref() != Some(on_disk)
}

/// Copies `path` to the first free name of `PATH.bak`, `PATH.bak.1`, ...:
/// an earlier backup is never overwritten. Each name is created with
/// `create_new`, so a name taken meanwhile, or a symlink left there, is
/// skipped rather than written through.
pub fn backup(path: &Path) -> std::io::Result<PathBuf> {
    let mut source = std::fs::File::open(path)?;
    for n in 0.. {
        let name = match n {
            0 => PathBuf::from(format!("{}.bak", path.display())),
            n => PathBuf::from(format!("{}.bak.{n}", path.display())),
        };
        match std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&name)
        {
            Ok(mut file) => {
                std::io::copy(&mut source, &mut file)?;
                file.sync_all()?;
                return Ok(name);
            }
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(e),
        }
    }
    unreachable!("some backup name is free")
}

/// Writes `m` to `path`, which held `on_disk` (loaded as `before`): checks
/// that the new text loads cleanly (so a fact that trips the credential
/// guard is never written), backs up a hand-edited file first, then
/// replaces it atomically. Returns the backup's path, if one was made.
pub fn save(
    path: &Path,
    on_disk: &[u8],
    before: &Manifest,
    m: &Manifest,
    catalog: &crate::checklist::Catalog,
) -> Result<Option<PathBuf>, crate::Error> {
    let file = path.display().to_string();
    let text = render(m).map_err(|message| {
        crate::Error::Invalid(vec![crate::diag::Diagnostic::error(
            crate::diag::Code::UnwritableManifest,
            &file,
            crate::diag::Pos::START,
            message,
        )])
    })?;
    super::load(&file, text.clone().into_bytes(), catalog)?;
    let io = |source| crate::Error::Io {
        path: path.to_path_buf(),
        source,
    };
    // `collect` fetches for seconds; an edit made meanwhile must not be
    // lost without a trace.
    // Read with the input bound: a file grown past it has changed anyway.
    let now = match crate::fsutil::read_file(path, crate::MAX_INPUT_BYTES) {
        Ok(bytes) => Some(bytes),
        Err(crate::fsutil::ReadError::Io(e)) => return Err(io(e)),
        Err(_) => None,
    };
    if now.as_deref() != Some(on_disk) {
        return Err(crate::Error::Invalid(vec![
            crate::diag::Diagnostic::error(
                crate::diag::Code::FileChanged,
                &file,
                crate::diag::Pos::START,
                "the manifest changed on disk while it was being updated; nothing was written",
            )
            .with_help("run the command again on the new version"),
        ]));
    }
    let backup = if needs_backup(on_disk, before) {
        Some(backup(path).map_err(io)?)
    } else {
        None
    };
    crate::fsutil::write(path, text.as_bytes()).map_err(io)?;
    Ok(backup)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn waivers_are_written_back_as_they_were_read() {
        let catalog = crate::checklist::Catalog::bundled().unwrap();
        let text = "vendor: {name: V}\nintegration:\n  purpose: p\n  checklists: [baseline, exchange-keys]\n  permissions: [read]\nassessment: {assessor: a, date: 2026-11-01}\nwaivers:\n  - question: incidents.status_page\n    reason: no hosted service\n    approved-by: M. L.\n    expires: 2027-11-20\n  - rule: security-txt-missing\n    reason: contact by phone\n    approved-by: M. L.\n    expires: 2027-01-31\n";
        let first = crate::manifest::load("m.yaml", text.as_bytes().to_vec(), &catalog)
            .unwrap_or_else(|d| panic!("{d:?}"))
            .manifest;
        let written = render(&first).unwrap();
        assert!(
            written.contains("- question: incidents.status_page"),
            "{written}"
        );
        assert!(!written.contains("rule: null"), "{written}");
        let again = crate::manifest::load("m.yaml", written.into_bytes(), &catalog)
            .unwrap()
            .manifest;
        assert_eq!(again.waivers, first.waivers);
        assert_eq!(first.waivers.len(), 2);
    }
}
