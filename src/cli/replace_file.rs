//! Replacing a file the user named (the baseline) without ever leaving it half-written, a
//! temp file behind, or a symlink or device node replaced.
//!
//! The text goes to a temp file beside the target, which is renamed over it at the end. A
//! Ctrl-C (SIGINT), SIGTERM or SIGHUP while the temp file exists is caught: the temp file is
//! removed, the old file stays as it was, and the run ends with `Error::Interrupted`.

use std::io::{self, Write};
use std::path::Path;

use crate::error::Error;
use crate::fix::write::{SignalGuard, TEMP_PREFIX};

/// Mode of a newly created file (an existing file keeps its own).
const NEW_FILE_MODE: u32 = 0o644;

/// Writes `bytes` to `path`, replacing a regular file atomically; `what` names the file in
/// errors ("the baseline", "the report").
///
/// # Errors
/// `Error::Usage` when `path` is a symlink or not a regular file (never replaced), or on any
/// I/O error; `Error::Interrupted` when a signal arrived during the write (the temp file is
/// then removed and `path` untouched).
pub(crate) fn replace(path: &Path, what: &str, bytes: &[u8]) -> Result<(), Error> {
    let fail = |e: &dyn std::fmt::Display| {
        Error::Usage(format!("cannot write {what} to `{}`: {e}", path.display()))
    };
    let existing = match std::fs::symlink_metadata(path) {
        Ok(meta) => Some(meta),
        Err(e) if e.kind() == io::ErrorKind::NotFound => None,
        Err(e) => return Err(fail(&e)),
    };
    if let Some(meta) = &existing {
        if meta.file_type().is_symlink() {
            return Err(fail(
                &"it is a symlink, which vaultlint does not replace; name the file it points to",
            ));
        }
        if !meta.is_file() {
            return Err(fail(
                &"it is not a regular file (a device, FIFO or folder), which vaultlint does not replace",
            ));
        }
    }
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let guard = SignalGuard::install().map_err(|e| fail(&e))?;
    let mut temp = tempfile::Builder::new()
        .prefix(TEMP_PREFIX)
        .suffix(".tmp")
        .tempfile_in(dir)
        .map_err(|e| fail(&e))?;
    let (first, second) = bytes.split_at(bytes.len() / 2);
    let result = (|| -> io::Result<()> {
        temp.write_all(first)?;
        guard.pause_for_tests();
        guard.check()?;
        temp.write_all(second)?;
        set_mode(temp.as_file(), existing.as_ref())?;
        temp.as_file().sync_all()?;
        guard.check()
    })();
    match result {
        // Dropping `temp` removes the temp file.
        Err(e) if e.kind() == io::ErrorKind::Interrupted => Err(Error::Interrupted),
        Err(e) => Err(fail(&e)),
        Ok(()) => temp.persist(path).map(drop).map_err(|e| fail(&e.error)),
    }
}

#[cfg(unix)]
fn set_mode(file: &std::fs::File, existing: Option<&std::fs::Metadata>) -> io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    let mode = existing.map_or(NEW_FILE_MODE, |m| m.permissions().mode() & 0o7777);
    file.set_permissions(std::fs::Permissions::from_mode(mode))
}

#[cfg(not(unix))]
fn set_mode(_file: &std::fs::File, _existing: Option<&std::fs::Metadata>) -> io::Result<()> {
    Ok(())
}
