//! The vault on disk: every file it holds, and the only code that reads the filesystem.
//!
//! `walk` lists every file (notes and attachments alike, because attachments are link
//! targets too) and `read_note` turns one note's bytes into text. Both report problems as
//! data instead of failing, so one bad file never stops a run.

mod read;
mod root;
mod sniff;
mod walk;

use std::path::{Path, PathBuf};
use std::sync::Arc;

pub use read::{decode as decode_note, NoteText};
pub(crate) use read::{
    read_file, read_note, read_text, ReadError, Symlinks, MAX_BASELINE_BYTES, MAX_CATALOGUE_BYTES,
    MAX_NOTE_BYTES, MAX_SETTINGS_BYTES,
};
pub(crate) use root::find_root;
pub(crate) use walk::{app_json_excludes, walk, WalkOptions};

/// One file in the vault.
#[derive(Debug, Clone)]
pub(crate) struct VaultFile {
    /// Vault-relative, `/`-separated, as Obsidian shows it.
    pub path: Arc<str>,
    pub is_note: bool,
    /// False for files that resolve as link targets but are not linted themselves
    /// (Obsidian's "Excluded files", `--only`, config `exclude`, or outside the folder a
    /// run was given inside a larger vault).
    pub lint: bool,
    /// The file's path relative to the vault root as the filesystem has it, when its name
    /// is not valid UTF-8 and `path` (lossy, with U+FFFD) cannot be used to open it.
    pub os_path: Option<Box<Path>>,
    /// The file's size in bytes and modification time in nanoseconds since the Unix epoch
    /// ([`size_and_time`]) as the walk read them, when it was asked to
    /// ([`WalkOptions::stat`]) and could: the cache compares them with the ones it holds.
    pub stat: Option<(u64, u64)>,
}

/// A file's size in bytes and modification time in nanoseconds since the Unix epoch, as the
/// cache records them: `None` when the time cannot be read or lies before 1970.
pub(crate) fn size_and_time(meta: &std::fs::Metadata) -> Option<(u64, u64)> {
    let mtime = meta
        .modified()
        .ok()?
        .duration_since(std::time::UNIX_EPOCH)
        .ok()?;
    Some((meta.len(), u64::try_from(mtime.as_nanos()).ok()?))
}

/// The file on disk for a vault-relative, `/`-separated path.
pub(crate) fn abs_path(root: &Path, path: &str) -> PathBuf {
    // One buffer of the final size: joining segment by segment copied the path once per
    // folder (8% of a warm run, which looks up every note's file).
    let mut abs = PathBuf::with_capacity(root.as_os_str().len() + 1 + path.len());
    abs.push(root);
    for seg in path.split('/') {
        abs.push(seg);
    }
    abs
}

/// Like `abs_path`, but a path holding U+FFFD (the lossy form of a name that is not valid
/// UTF-8) is looked up folder by folder among the real names, so such a file can be read.
pub fn disk_path(root: &Path, path: &str) -> PathBuf {
    let direct = abs_path(root, path);
    if !path.contains('\u{FFFD}') || direct.exists() {
        return direct;
    }
    let mut found = root.to_path_buf();
    for seg in path.split('/') {
        let real = std::fs::read_dir(&found).ok().and_then(|entries| {
            entries
                .filter_map(Result::ok)
                .map(|e| e.file_name())
                .find(|name| name.to_string_lossy() == seg)
        });
        match real {
            Some(name) => found.push(name),
            None => return direct,
        }
    }
    found
}

impl VaultFile {
    /// Whether the file is a JSON Canvas (`.canvas`), whose file nodes and text nodes hold
    /// links that Obsidian indexes.
    pub(crate) fn is_canvas(&self) -> bool {
        Path::new(&*self.path)
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("canvas"))
    }

    /// Whether the file is JSON (`.json`) and not a canvas: packs may check such files in
    /// formats of their own (an ATT&CK Navigator layer).
    pub(crate) fn is_json(&self) -> bool {
        Path::new(&*self.path)
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("json"))
    }

    /// The file on disk: the vault root joined with the vault path. Not stored, to keep
    /// the index small on large vaults.
    pub(crate) fn abs(&self, root: &Path) -> PathBuf {
        match &self.os_path {
            Some(os) => root.join(os),
            None => abs_path(root, &self.path),
        }
    }
}

/// Why a file was not checked, or was checked only in part.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FileProblemKind {
    /// The file or folder could not be opened or read: the OS error's message.
    Unreadable(String),
    /// A note holding a NUL byte: an image or archive renamed to `.md`. Not checked.
    Binary,
    /// A note larger than the limit. Not checked.
    TooLarge {
        /// The file's size in bytes.
        size: u64,
        /// The limit in bytes (32 MiB for `vaultlint check`).
        limit: u64,
    },
    /// A note that is not valid UTF-8: checked with the bad bytes replaced by U+FFFD.
    InvalidUtf8 {
        /// Byte offset of the first invalid byte, after a BOM is dropped.
        offset: usize,
        /// Its 1-based line.
        line: u32,
        /// Its 1-based column, in characters.
        column: u32,
        /// How many invalid sequences the note holds.
        sequences: usize,
    },
    /// A symlink to one of its own ancestor folders (or an OS-reported loop). Obsidian
    /// ignores these (reference note, rule 40).
    SymlinkLoop,
    /// Any other symlink: vaultlint, like Obsidian by default, does not follow it (rule 40).
    SymlinkSkipped {
        /// The link's target as stored in the link; empty when it cannot be read.
        target: String,
    },
    /// `.obsidian/app.json` is not valid JSON, or one of its `userIgnoreFilters` regexes
    /// cannot be compiled (rule 39): why. The file's (or that entry's) excluded files are
    /// then not applied.
    BadObsidianConfig(String),
    /// A FIFO, device, socket or symlink where a note was listed (swapped in during the run):
    /// not read, since reading it could block or never end.
    NotRegular(&'static str),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct FileProblem {
    pub path: Arc<str>,
    pub kind: FileProblemKind,
}

/// What the walk found: files sorted by path, plus the entries it could not take.
#[derive(Debug, Default)]
pub(crate) struct Listing {
    pub files: Vec<VaultFile>,
    pub problems: Vec<FileProblem>,
}

/// The shared corpora folder for the crate's own tests, when the run asks for the shared
/// data as the integration tests do (`VAULTLINT_SHARED`: `1` for `../shared` beside the
/// repository, else that folder; `.ci/run` sets it). Not asked for, the test is skipped
/// with a note, since a fresh clone has no such folder; asked for and missing, it fails (a
/// test over nothing proves nothing).
#[cfg(test)]
pub(crate) fn shared_corpora() -> Option<PathBuf> {
    let Some(value) = std::env::var_os("VAULTLINT_SHARED").filter(|v| !v.is_empty() && v != "0")
    else {
        eprintln!(
            "note: skipped: it needs ../shared/ (set VAULTLINT_SHARED=1, or to the folder, to run it)"
        );
        return None;
    };
    let shared = if value == "1" {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared")
    } else {
        PathBuf::from(value)
    };
    let dir = shared.join("corpora");
    assert!(
        dir.is_dir(),
        "VAULTLINT_SHARED asks for the shared data, but {} is not a folder",
        dir.display()
    );
    Some(dir)
}

#[cfg(test)]
mod tests {
    use super::abs_path;
    use std::path::Path;

    /// `abs_path` pushes into one buffer; it must give what joining each segment in turn
    /// gives, also for empty segments, a trailing slash and a segment that is absolute.
    #[test]
    fn abs_path_is_the_root_joined_with_each_segment() {
        for root in ["/v", "/v/", "v", "."] {
            for path in [
                "a.md",
                "a/b/c.md",
                "a//b.md",
                "a/",
                "",
                "/etc/x",
                "a/../b.md",
            ] {
                let joined = path
                    .split('/')
                    .fold(Path::new(root).to_path_buf(), |p, seg| p.join(seg));
                assert_eq!(abs_path(Path::new(root), path), joined, "{root} {path}");
            }
        }
    }
}
