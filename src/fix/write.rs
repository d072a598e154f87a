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
    use rustix::fs::{fstat, openat, renameat, unlinkat, AtFlags, Mode, OFlags};
    let skip = |s: String| WriteError::Skipped(s);
    let (folders, name) = split_vault_path(path).map_err(skip)?;
    let dir = open_folder(root, folders).map_err(skip)?;
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

/// A vault path's folders (`None` at the root) and its name.
///
/// # Errors
/// A component that is empty, `.` or `..`: the path would leave the vault or name another
/// place than the one checked.
fn split_vault_path(path: &str) -> Result<(Option<&str>, &str), String> {
    let (folders, name) = match path.rsplit_once('/') {
        Some((folders, name)) => (Some(folders), name),
        None => (None, path),
    };
    let bad = |part: &str| part.is_empty() || part == "." || part == "..";
    if bad(name) || folders.is_some_and(|f| f.split('/').any(bad)) {
        return Err("its path leaves the vault".to_owned());
    }
    Ok((folders, name))
}

/// A handle of the vault folder `folders` (`/`-separated; `None` for the root), opened
/// from `root` one component at a time, each refused if it is a symbolic link
/// (`O_NOFOLLOW`): what is then done relative to the handle happens in the folder that
/// was checked, whatever the path names later.
///
/// # Errors
/// A component that is a symbolic link or not a folder, or cannot be opened.
#[cfg(unix)]
fn open_folder(root: &Path, folders: Option<&str>) -> Result<rustix::fd::OwnedFd, String> {
    use rustix::fs::{openat, Mode, OFlags, CWD};
    let flags = OFlags::RDONLY | OFlags::DIRECTORY | OFlags::CLOEXEC;
    let mut dir = openat(CWD, root, flags, Mode::empty())
        .map_err(|e| format!("cannot open the vault: {e}"))?;
    for part in folders.into_iter().flat_map(|f| f.split('/')) {
        dir = openat(&dir, part, flags | OFlags::NOFOLLOW, Mode::empty()).map_err(|e| match e {
            rustix::io::Errno::LOOP | rustix::io::Errno::NOTDIR => format!(
                "`{part}` on its path is a symbolic link or not a folder, and vaultlint never writes through one"
            ),
            e => format!("cannot open its folder: {e}"),
        })?;
    }
    Ok(dir)
}

/// Whether `name` exists in the folder `dir` (a symbolic link counts; it is not followed).
#[cfg(unix)]
fn exists_at(dir: &rustix::fd::OwnedFd, name: &str) -> bool {
    rustix::fs::statat(dir, name, rustix::fs::AtFlags::SYMLINK_NOFOLLOW).is_ok()
}

/// Moves the file or folder at vault path `from` to vault path `to` (`/`-separated,
/// relative to `root`), as `vaultlint mv` does: both folders are opened once from the
/// vault root, refusing symbolic links ([`open_folder`]), and the move is one `renameat`
/// relative to the two handles. A folder on either path swapped for a symlink after the
/// plan is refused where it is met, and cannot send the file outside the vault. An
/// existing `to` is never replaced.
///
/// # Errors
/// A message: a path that leaves the vault, a folder on it that is a symbolic link or
/// missing, `from` missing, `to` existing, or the rename failing.
#[cfg(unix)]
pub(crate) fn move_in_vault(root: &Path, from: &str, to: &str) -> Result<(), String> {
    let (from_folders, from_name) = split_vault_path(from)?;
    let (to_folders, to_name) = split_vault_path(to)?;
    let source = open_folder(root, from_folders)?;
    let target = open_folder(root, to_folders)?;
    if !exists_at(&source, from_name) {
        return Err(format!("`{from}` does not exist"));
    }
    if exists_at(&target, to_name) {
        return Err(format!("`{to}` exists"));
    }
    rustix::fs::renameat(&source, from_name, &target, to_name).map_err(|e| e.to_string())?;
    let _ = rustix::fs::fsync(&target);
    if from_folders != to_folders {
        let _ = rustix::fs::fsync(&source);
    }
    Ok(())
}

/// Creates the folder at vault path `path` unless it is one already, relative to a handle
/// of its parent ([`open_folder`]): a parent swapped for a symlink is refused.
///
/// # Errors
/// A message: the parent is a symbolic link or missing, or the folder cannot be made.
#[cfg(unix)]
pub(crate) fn create_folder_in_vault(root: &Path, path: &str) -> Result<(), String> {
    let (folders, name) = split_vault_path(path)?;
    let parent = open_folder(root, folders)?;
    match rustix::fs::mkdirat(&parent, name, rustix::fs::Mode::from_raw_mode(0o777)) {
        Ok(()) => Ok(()),
        Err(rustix::io::Errno::EXIST) => {
            let stat = rustix::fs::statat(&parent, name, rustix::fs::AtFlags::SYMLINK_NOFOLLOW)
                .map_err(|e| e.to_string())?;
            if rustix::fs::FileType::from_raw_mode(stat.st_mode) == rustix::fs::FileType::Directory
            {
                Ok(())
            } else {
                Err("it exists and is not a folder".to_owned())
            }
        }
        Err(e) => Err(e.to_string()),
    }
}

/// Removes the folder at vault path `path` if it is empty, relative to a handle of its
/// parent; anything else (not empty, not there, a symlink on the way) leaves it.
#[cfg(unix)]
pub(crate) fn remove_empty_folder_in_vault(root: &Path, path: &str) {
    let Ok((folders, name)) = split_vault_path(path) else {
        return;
    };
    if let Ok(parent) = open_folder(root, folders) {
        let _ = rustix::fs::unlinkat(&parent, name, rustix::fs::AtFlags::REMOVEDIR);
    }
}

/// Where `renameat` is not available, the move is by path.
///
/// # Errors
/// As the Unix version.
#[cfg(not(unix))]
pub(crate) fn move_in_vault(root: &Path, from: &str, to: &str) -> Result<(), String> {
    split_vault_path(from)?;
    split_vault_path(to)?;
    let (a, b) = (
        crate::vault::abs_path(root, from),
        crate::vault::abs_path(root, to),
    );
    if std::fs::symlink_metadata(&b).is_ok() {
        return Err(format!("`{to}` exists"));
    }
    std::fs::rename(a, b).map_err(|e| e.to_string())
}

/// Where `mkdirat` is not available, the folder is made by path.
///
/// # Errors
/// As the Unix version.
#[cfg(not(unix))]
pub(crate) fn create_folder_in_vault(root: &Path, path: &str) -> Result<(), String> {
    split_vault_path(path)?;
    let abs = crate::vault::abs_path(root, path);
    if abs.is_dir() {
        return Ok(());
    }
    std::fs::create_dir(&abs).map_err(|e| e.to_string())
}

/// Where `unlinkat` is not available, the folder is removed by path if empty.
#[cfg(not(unix))]
pub(crate) fn remove_empty_folder_in_vault(root: &Path, path: &str) {
    let _ = std::fs::remove_dir(crate::vault::abs_path(root, path));
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
