//! Reading files: the one place that opens a file vaultlint reads, with the checks a
//! hostile vault needs (no symlink followed, regular files only, never blocking, a size
//! limit), and decoding a note's bytes (BOM, binary detection, lossy UTF-8).

use std::fmt;
use std::io::{self, Read};
use std::path::Path;

use super::FileProblemKind;

/// Notes above this size are reported and skipped: no real note is this large, and
/// parsing one would dominate the run's time and memory.
pub(crate) const MAX_NOTE_BYTES: u64 = 32 * 1024 * 1024;

/// Size limit of small settings files: `.obsidian/app.json` and `vaultlint.toml` are a few
/// KiB; anything near this is not a settings file.
pub(crate) const MAX_SETTINGS_BYTES: u64 = 4 * 1024 * 1024;

/// Size limit of an ATT&CK catalogue: the official `enterprise-attack.json` STIX bundle is
/// about 45 MB, so this leaves room for a few releases of growth.
pub(crate) const MAX_CATALOGUE_BYTES: u64 = 256 * 1024 * 1024;

/// Size limit of a baseline file: about a million recorded findings.
pub(crate) const MAX_BASELINE_BYTES: u64 = 256 * 1024 * 1024;

/// Whether the last component of a path may be a symlink.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Symlinks {
    /// Files inside the vault (notes, canvases, `.obsidian/app.json`, the vault's config and
    /// the catalogue it names): a pull request can add a symlink to `/dev/zero` or to a file
    /// outside the checkout, so a symlink is refused (`O_NOFOLLOW`).
    Refuse,
    /// Files named on the command line: the user chose them, symlinks included.
    Follow,
}

/// Why a file could not be read. Displays as a predicate to put after the file's name
/// ("`x.md` is a FIFO, not a regular file").
#[derive(Debug)]
pub(crate) enum ReadError {
    Io(io::Error),
    /// The path is a symlink and `Symlinks::Refuse` was asked for.
    Symlink,
    /// A FIFO, device, socket or folder: reading it could block or never end.
    NotRegular(&'static str),
    /// Larger than the limit; `size` is the size the file reports, in bytes.
    TooLarge {
        size: u64,
        limit: u64,
    },
}

impl fmt::Display for ReadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ReadError::Io(e) => write!(f, "cannot be read: {e}"),
            ReadError::Symlink => f.write_str("is a symlink, which vaultlint does not follow here"),
            ReadError::NotRegular(kind) => write!(f, "is a {kind}, not a regular file"),
            ReadError::TooLarge { size, limit } => {
                write!(f, "is {size} bytes, over the limit of {limit} bytes")
            }
        }
    }
}

impl From<ReadError> for FileProblemKind {
    fn from(e: ReadError) -> Self {
        match e {
            ReadError::TooLarge { size, limit } => FileProblemKind::TooLarge { size, limit },
            ReadError::Io(e) => FileProblemKind::Unreadable(e.to_string()),
            ReadError::Symlink => FileProblemKind::NotRegular("symlink"),
            ReadError::NotRegular(kind) => FileProblemKind::NotRegular(kind),
        }
    }
}

/// Reads a whole file of at most `limit` bytes: the only way vaultlint opens a file.
///
/// The file is opened non-blocking (a FIFO swapped in for a note must not hang the run) and,
/// with `Symlinks::Refuse`, without following a symlink in the last path component; the
/// handle's own metadata must say "regular file" (no TOCTOU window between a check and the
/// open). At most `limit + 1` bytes are read, so `/dev/zero` or a growing file cannot take
/// all memory.
pub(crate) fn read_file(path: &Path, limit: u64, symlinks: Symlinks) -> Result<Vec<u8>, ReadError> {
    let file = open(path, symlinks)?;
    let meta = file.metadata().map_err(ReadError::Io)?;
    if !meta.is_file() {
        return Err(ReadError::NotRegular(kind_name(&meta.file_type())));
    }
    if meta.len() > limit {
        return Err(ReadError::TooLarge {
            size: meta.len(),
            limit,
        });
    }
    let mut bytes = Vec::with_capacity(usize::try_from(meta.len()).unwrap_or(0));
    // One byte past the limit tells a file that grew while being read from one that fits.
    file.take(limit.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(ReadError::Io)?;
    if bytes.len() as u64 > limit {
        return Err(ReadError::TooLarge {
            size: bytes.len() as u64,
            limit,
        });
    }
    Ok(bytes)
}

/// `read_file` for text: invalid UTF-8 is an error naming the byte offset.
pub(crate) fn read_text(path: &Path, limit: u64, symlinks: Symlinks) -> Result<String, ReadError> {
    let bytes = read_file(path, limit, symlinks)?;
    String::from_utf8(bytes).map_err(|e| {
        ReadError::Io(io::Error::new(
            io::ErrorKind::InvalidData,
            format!("not valid UTF-8 at byte {}", e.utf8_error().valid_up_to()),
        ))
    })
}

#[cfg(unix)]
fn open(path: &Path, symlinks: Symlinks) -> Result<std::fs::File, ReadError> {
    use std::os::unix::fs::OpenOptionsExt;
    let mut flags = libc::O_NONBLOCK | libc::O_NOCTTY;
    if symlinks == Symlinks::Refuse {
        flags |= libc::O_NOFOLLOW;
    }
    std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(flags)
        .open(path)
        .map_err(|e| {
            if symlinks == Symlinks::Refuse && e.raw_os_error() == Some(libc::ELOOP) {
                ReadError::Symlink
            } else {
                ReadError::Io(e)
            }
        })
}

#[cfg(not(unix))]
fn open(path: &Path, symlinks: Symlinks) -> Result<std::fs::File, ReadError> {
    if symlinks == Symlinks::Refuse
        && std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink())
    {
        return Err(ReadError::Symlink);
    }
    std::fs::File::open(path).map_err(ReadError::Io)
}

fn kind_name(kind: &std::fs::FileType) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if kind.is_fifo() {
            return "FIFO";
        }
        if kind.is_char_device() || kind.is_block_device() {
            return "device";
        }
        if kind.is_socket() {
            return "socket";
        }
    }
    if kind.is_dir() {
        "folder"
    } else {
        "special file"
    }
}

/// The decoded text of a note, or why it could not be checked.
#[derive(Debug)]
pub enum NoteText {
    /// The text, and a problem that did not prevent checking (invalid UTF-8 replaced).
    Text(String, Option<FileProblemKind>),
    /// The note cannot be checked: unreadable, binary or too large.
    Skipped(FileProblemKind),
}

/// Reads a note of the vault (never through a symlink) and decodes it.
pub(crate) fn read_note(path: &Path, max_bytes: u64) -> NoteText {
    match read_file(path, max_bytes, Symlinks::Refuse) {
        Ok(bytes) => decode(bytes),
        Err(e) => NoteText::Skipped(e.into()),
    }
}

/// Turns a note's bytes into text as Obsidian does: BOM stripped, then UTF-8 with each
/// invalid sequence replaced by U+FFFD. NUL bytes do not make a note binary (Obsidian
/// indexes such notes); only a file that is plainly not text is skipped
/// (`super::sniff::is_plainly_binary`).
pub fn decode(mut bytes: Vec<u8>) -> NoteText {
    if bytes.starts_with(b"\xEF\xBB\xBF") {
        bytes.drain(..3);
    }
    if super::sniff::is_plainly_binary(&bytes) {
        return NoteText::Skipped(FileProblemKind::Binary);
    }
    match String::from_utf8(bytes) {
        Ok(text) => NoteText::Text(text, None),
        Err(err) => {
            let valid = err.utf8_error().valid_up_to();
            let bytes = err.into_bytes();
            let sequences = bytes
                .utf8_chunks()
                .filter(|c| !c.invalid().is_empty())
                .count();
            let prefix = String::from_utf8_lossy(bytes.get(..valid).unwrap_or_default());
            let line = prefix.matches('\n').count() + 1;
            let column = prefix.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
            let text = String::from_utf8_lossy(&bytes).into_owned();
            let problem = FileProblemKind::InvalidUtf8 {
                offset: valid,
                line: u32::try_from(line).unwrap_or(u32::MAX),
                column: u32::try_from(column).unwrap_or(u32::MAX),
                sequences,
            };
            NoteText::Text(text, Some(problem))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limit_and_regular_files() {
        let dir = tempfile::tempdir().unwrap();
        let note = dir.path().join("a.md");
        std::fs::write(&note, "0123456789").unwrap();
        assert_eq!(
            read_file(&note, 10, Symlinks::Refuse).unwrap(),
            b"0123456789"
        );
        assert!(matches!(
            read_file(&note, 9, Symlinks::Refuse),
            Err(ReadError::TooLarge { size: 10, limit: 9 })
        ));
        assert!(matches!(
            read_file(dir.path(), 9, Symlinks::Follow),
            Err(ReadError::NotRegular("folder"))
        ));
    }

    #[cfg(unix)]
    #[test]
    fn symlinks_devices_and_fifos_are_refused_without_blocking() {
        let dir = tempfile::tempdir().unwrap();
        let zero = dir.path().join("zero.md");
        std::os::unix::fs::symlink("/dev/zero", &zero).unwrap();
        assert!(matches!(
            read_file(&zero, MAX_NOTE_BYTES, Symlinks::Refuse),
            Err(ReadError::Symlink)
        ));
        // Followed on purpose (a path on the command line), it is still not a regular file.
        assert!(matches!(
            read_file(&zero, MAX_NOTE_BYTES, Symlinks::Follow),
            Err(ReadError::NotRegular("device"))
        ));
        let fifo = dir.path().join("fifo.md");
        let made = std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap();
        assert!(made.success());
        // No writer holds the FIFO open: a blocking open would never return.
        assert!(matches!(
            read_file(&fifo, MAX_NOTE_BYTES, Symlinks::Refuse),
            Err(ReadError::NotRegular("FIFO"))
        ));
        assert!(matches!(
            read_note(&fifo, MAX_NOTE_BYTES),
            NoteText::Skipped(FileProblemKind::NotRegular("FIFO"))
        ));
    }

    #[test]
    fn bom_is_stripped() {
        match decode(b"\xEF\xBB\xBF---\na: 1\n---\n".to_vec()) {
            NoteText::Text(t, None) => assert!(t.starts_with("---")),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn nul_bytes_do_not_make_a_note_binary() {
        match decode(b"# Writeup\n\n```text\n%PDF-1.7 \0\0 obj\n```\n[[Unpacker]]\n".to_vec()) {
            NoteText::Text(t, None) => assert!(t.contains("\0\0 obj")),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn plainly_binary_files_are_skipped() {
        let mut png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x10\0\0\0\x10\x08\x06\0\0\0".to_vec();
        png.extend((0u8..=255).cycle().take(600));
        assert!(matches!(
            decode(png),
            NoteText::Skipped(FileProblemKind::Binary)
        ));
    }

    #[test]
    fn invalid_utf8_is_replaced_and_located() {
        match decode(b"ok\nab\xFFcd [[x]]".to_vec()) {
            NoteText::Text(
                t,
                Some(FileProblemKind::InvalidUtf8 {
                    offset,
                    line,
                    column,
                    sequences,
                }),
            ) => {
                assert_eq!(offset, 5);
                assert_eq!(sequences, 1);
                assert_eq!((line, column), (2, 3));
                assert!(t.contains("[[x]]"));
            }
            other => panic!("{other:?}"),
        }
    }
}
