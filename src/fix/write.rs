//! Writing fixed notes: atomically, through folder handles opened once, and never leaving
//! a temp file behind when a signal arrives.
//!
//! Each note's folder is opened from the vault root one component at a time, refusing
//! symbolic links (`O_NOFOLLOW`); the note is read, its temp file created and the rename
//! done relative to that handle (`openat`, `renameat`). A folder swapped for a symlink
//! after the check cannot redirect the write: the handle still names the folder that was
//! checked. rustix gives these calls safely (the crate forbids `unsafe`); std has no
//! `openat`.
//!
//! SIGINT, SIGTERM and SIGHUP only set a flag while notes are written ([`SignalGuard`]):
//! the note being written is finished or its temp file removed, and the run ends with
//! `Error::Interrupted`.

use std::io::{self, Read, Write};
use std::path::Path;
#[cfg(unix)]
use std::sync::atomic::{AtomicBool, Ordering};
#[cfg(unix)]
use std::sync::Arc;

/// Test hook: with this environment variable set to a number of milliseconds, vaultlint
/// pauses that long after creating a temp file and writing the first half of its text, so
/// that a test can deliver a signal in the middle of a write. It changes nothing else.
pub(crate) const PAUSE_ENV: &str = "VAULTLINT_TEST_PAUSE_IN_WRITE_MS";

/// Prefix of the temp files vaultlint writes beside a file it replaces.
pub(crate) const TEMP_PREFIX: &str = ".vaultlint-";

/// Signals that end the run while a temp file exists, caught to remove it first.
#[cfg(unix)]
const SIGNALS: [i32; 3] = [libc::SIGINT, libc::SIGTERM, libc::SIGHUP];

/// While alive, SIGINT, SIGTERM and SIGHUP set a flag instead of ending the process.
///
/// signal-hook (not hand-written handlers: the crate forbids `unsafe`) registers the flag.
/// Its handlers stay installed afterwards, which only matters for the few statements
/// before the process exits.
pub(crate) struct SignalGuard {
    #[cfg(unix)]
    flag: Arc<AtomicBool>,
}

impl SignalGuard {
    /// Installs the handlers.
    ///
    /// # Errors
    /// The handlers cannot be registered.
    #[cfg(unix)]
    pub(crate) fn install() -> io::Result<Self> {
        let flag = Arc::new(AtomicBool::new(false));
        for signal in SIGNALS {
            signal_hook::flag::register(signal, Arc::clone(&flag))?;
        }
        Ok(SignalGuard { flag })
    }

    /// Nothing to install where there are no such signals.
    ///
    /// # Errors
    /// Never.
    #[cfg(not(unix))]
    pub(crate) fn install() -> io::Result<Self> {
        Ok(SignalGuard {})
    }

    /// `Err(Interrupted)` once a signal has arrived.
    ///
    /// # Errors
    /// `io::ErrorKind::Interrupted` after a signal.
    pub(crate) fn check(&self) -> io::Result<()> {
        #[cfg(unix)]
        if self.flag.load(Ordering::SeqCst) {
            return Err(io::ErrorKind::Interrupted.into());
        }
        Ok(())
    }

    /// Sleeps for [`PAUSE_ENV`]'s milliseconds, cut short by a signal; nothing when unset.
    pub(crate) fn pause_for_tests(&self) {
        let Some(ms) = std::env::var(PAUSE_ENV)
            .ok()
            .and_then(|v| v.parse::<u64>().ok())
        else {
            return;
        };
        let end = std::time::Instant::now() + std::time::Duration::from_millis(ms);
        while std::time::Instant::now() < end && self.check().is_ok() {
            std::thread::sleep(std::time::Duration::from_millis(10));
        }
    }
}

/// Why a note was not written.
#[derive(Debug)]
pub(crate) enum WriteError {
    /// Left as it was, for this reason (shown in the fix summary).
    Skipped(String),
    /// A signal arrived; the note is as it was and no temp file is left.
    Interrupted,
}

impl From<io::Error> for WriteError {
    fn from(e: io::Error) -> Self {
        if e.kind() == io::ErrorKind::Interrupted {
            WriteError::Interrupted
        } else {
            WriteError::Skipped(format!("cannot write it: {e}"))
        }
    }
}

/// Replaces the note at vault path `path` (`/`-separated, relative to `root`) with `fixed`
/// when its bytes are still `original`, keeping its permissions.
///
/// # Errors
/// `Skipped` when a folder on the way or the note is a symlink or not what it should be,
/// when the note changed since it was read, or on an I/O error; `Interrupted` on a signal.
#[cfg(unix)]
pub(crate) fn replace_note(
    root: &Path,
    path: &str,
    original: &[u8],
    fixed: &[u8],
    guard: &SignalGuard,
) -> Result<(), WriteError> {
    use rustix::fs::{fstat, openat, renameat, unlinkat, AtFlags, Mode, OFlags, CWD};
    let skip = |s: String| WriteError::Skipped(s);
    let (folders, name) = match path.rsplit_once('/') {
        Some((folders, name)) => (Some(folders), name),
        None => (None, path),
    };
    let dir_flags = OFlags::RDONLY | OFlags::DIRECTORY | OFlags::CLOEXEC;
    let mut dir = openat(CWD, root, dir_flags, Mode::empty())
        .map_err(|e| skip(format!("cannot open the vault: {e}")))?;
    for part in folders.into_iter().flat_map(|f| f.split('/')) {
        if part.is_empty() || part == "." || part == ".." {
            return Err(skip("its path leaves the vault".to_owned()));
        }
        dir = openat(&dir, part, dir_flags | OFlags::NOFOLLOW, Mode::empty()).map_err(|e| {
            skip(match e {
                rustix::io::Errno::LOOP | rustix::io::Errno::NOTDIR => format!(
                    "`{part}` on its path is a symbolic link or not a folder, and vaultlint never writes through one"
                ),
                e => format!("cannot open its folder: {e}"),
            })
        })?;
    }
    if name.is_empty() || name == "." || name == ".." {
        return Err(skip("its path leaves the vault".to_owned()));
    }
    let note = openat(
        &dir,
        name,
        OFlags::RDONLY | OFlags::NOFOLLOW | OFlags::CLOEXEC | OFlags::NONBLOCK,
        Mode::empty(),
    )
    .map_err(|e| {
        skip(match e {
            rustix::io::Errno::LOOP => {
                "it is a symbolic link, and vaultlint never writes through one".to_owned()
            }
            e => format!("cannot read it: {e}"),
        })
    })?;
    let stat = fstat(&note).map_err(|e| skip(format!("cannot read it: {e}")))?;
    if rustix::fs::FileType::from_raw_mode(stat.st_mode) != rustix::fs::FileType::RegularFile {
        return Err(skip("it is not a regular file".to_owned()));
    }
    let mut current = Vec::with_capacity(original.len());
    std::fs::File::from(note)
        .take(original.len() as u64 + 1)
        .read_to_end(&mut current)
        .map_err(|e| skip(format!("cannot read it: {e}")))?;
    if current != original {
        return Err(skip("it changed on disk since it was read".to_owned()));
    }
    guard.check()?;
    let mode = Mode::from_raw_mode(stat.st_mode & 0o7777);
    let (temp_name, temp) = create_temp(&dir, mode)?;
    let remove = || {
        let _ = unlinkat(&dir, temp_name.as_str(), AtFlags::empty());
    };
    let written = (|| -> io::Result<()> {
        let mut file = std::fs::File::from(temp);
        let (first, second) = fixed.split_at(fixed.len() / 2);
        file.write_all(first)?;
        guard.pause_for_tests();
        guard.check()?;
        file.write_all(second)?;
        // The creation mode passed the umask; the note's own mode is set exactly.
        rustix::fs::fchmod(&file, mode)?;
        file.sync_all()?;
        guard.check()
    })();
    if let Err(e) = written {
        remove();
        return Err(e.into());
    }
    if let Err(e) = renameat(&dir, temp_name.as_str(), &dir, name) {
        remove();
        return Err(skip(format!("cannot write it: {e}")));
    }
    // The rename is durable once the folder's entry is.
    let _ = rustix::fs::fsync(&dir);
    Ok(())
}

/// Creates a new temp file in `dir` with a random name; its name and handle.
#[cfg(unix)]
fn create_temp(
    dir: &rustix::fd::OwnedFd,
    mode: rustix::fs::Mode,
) -> Result<(String, rustix::fd::OwnedFd), WriteError> {
    use rustix::fs::{openat, OFlags};
    let flags = OFlags::WRONLY | OFlags::CREATE | OFlags::EXCL | OFlags::NOFOLLOW | OFlags::CLOEXEC;
    let mut last = None;
    for _ in 0..16 {
        let name = format!("{TEMP_PREFIX}{:016x}.tmp", random_u64());
        match openat(dir, name.as_str(), flags, mode) {
            Ok(fd) => return Ok((name, fd)),
            Err(rustix::io::Errno::EXIST) => last = Some(rustix::io::Errno::EXIST),
            Err(e) => return Err(WriteError::Skipped(format!("cannot write it: {e}"))),
        }
    }
    Err(WriteError::Skipped(format!(
        "cannot create a temp file beside it: {}",
        last.map_or_else(String::new, |e| e.to_string())
    )))
}

/// A random number for temp file names, from std's randomly seeded hasher.
#[cfg(unix)]
fn random_u64() -> u64 {
    use std::hash::{BuildHasher, Hasher};
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u128(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos()),
    );
    h.finish()
}

/// Where `openat` is not available, the note is replaced by path: read, compared, written
/// to a temp file beside it and renamed over it.
///
/// # Errors
/// As the Unix version.
#[cfg(not(unix))]
pub(crate) fn replace_note(
    root: &Path,
    path: &str,
    original: &[u8],
    fixed: &[u8],
    guard: &SignalGuard,
) -> Result<(), WriteError> {
    let abs = crate::vault::abs_path(root, path);
    let current = crate::vault::read_file(
        &abs,
        crate::vault::MAX_NOTE_BYTES,
        crate::vault::Symlinks::Refuse,
    )
    .map_err(|e| WriteError::Skipped(format!("cannot read it: {e}")))?;
    if current != original {
        return Err(WriteError::Skipped(
            "it changed on disk since it was read".to_owned(),
        ));
    }
    let dir = abs
        .parent()
        .ok_or_else(|| WriteError::Skipped("it has no folder".to_owned()))?;
    let mut temp = tempfile::Builder::new()
        .prefix(TEMP_PREFIX)
        .suffix(".tmp")
        .tempfile_in(dir)?;
    temp.write_all(fixed)?;
    temp.as_file().sync_all()?;
    guard.check()?;
    temp.persist(&abs).map_err(|e| WriteError::from(e.error))?;
    Ok(())
}
