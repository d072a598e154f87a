//! Replacing a file the user named (the baseline) without ever leaving it half-written, a
//! temp file behind, or a symlink or device node replaced.
//!
//! The text goes to a temp file beside the target, which is renamed over it at the end. A
//! Ctrl-C (SIGINT), SIGTERM or SIGHUP while the temp file exists is caught: the temp file is
//! removed, the old file stays as it was, and the run ends with `Error::Interrupted`.

use std::io::{self, Write};
use std::path::Path;
#[cfg(unix)]
use std::sync::atomic::{AtomicBool, Ordering};
#[cfg(unix)]
use std::sync::Arc;

use crate::error::Error;

/// Mode of a newly created file (an existing file keeps its own).
const NEW_FILE_MODE: u32 = 0o644;

/// Test hook, read only in `replace`: with this environment variable set to a number of
/// milliseconds, vaultlint pauses that long after creating the temp file and writing the
/// first half of the text, so that a test can deliver a signal in the middle of the write.
/// It changes nothing else; it is how `tests/integration/hostile.rs` proves atomicity.
const PAUSE_ENV: &str = "VAULTLINT_TEST_PAUSE_IN_WRITE_MS";

/// Signals that end the run while the temp file exists, caught to remove it first.
#[cfg(unix)]
const SIGNALS: [i32; 3] = [libc::SIGINT, libc::SIGTERM, libc::SIGHUP];

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
        .prefix(".vaultlint-")
        .suffix(".tmp")
        .tempfile_in(dir)
        .map_err(|e| fail(&e))?;
    let (first, second) = bytes.split_at(bytes.len() / 2);
    let result = (|| -> io::Result<()> {
        temp.write_all(first)?;
        pause_for_tests(&guard);
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

fn pause_for_tests(guard: &SignalGuard) {
    let Some(ms) = std::env::var(PAUSE_ENV)
        .ok()
        .and_then(|v| v.parse::<u64>().ok())
    else {
        return;
    };
    let end = std::time::Instant::now() + std::time::Duration::from_millis(ms);
    while std::time::Instant::now() < end && guard.check().is_ok() {
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
}

/// While alive, SIGINT, SIGTERM and SIGHUP set a flag instead of ending the process.
///
/// signal-hook (not hand-written handlers: the crate forbids `unsafe`) registers the flag.
/// Its handlers stay installed after the write, which only matters for the few statements
/// before the process exits.
struct SignalGuard {
    #[cfg(unix)]
    flag: Arc<AtomicBool>,
}

impl SignalGuard {
    #[cfg(unix)]
    fn install() -> io::Result<Self> {
        let flag = Arc::new(AtomicBool::new(false));
        for signal in SIGNALS {
            signal_hook::flag::register(signal, Arc::clone(&flag))?;
        }
        Ok(SignalGuard { flag })
    }

    #[cfg(not(unix))]
    fn install() -> io::Result<Self> {
        Ok(SignalGuard {})
    }

    /// `Err(Interrupted)` once a signal has arrived.
    fn check(&self) -> io::Result<()> {
        #[cfg(unix)]
        if self.flag.load(Ordering::SeqCst) {
            return Err(io::ErrorKind::Interrupted.into());
        }
        Ok(())
    }
}
