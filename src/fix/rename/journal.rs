//! Carrying out a rename plan so that no interruption loses work: the plan is first
//! recorded in a journal, `.vaultlint/mv-journal.json` at the vault root (a dot folder,
//! which Obsidian does not index), then the files are moved (one `renameat` each, atomic,
//! relative to handles of the two folders opened from the vault root without following
//! symbolic links: [`crate::fix::write::move_in_vault`]) and each edited file is replaced
//! atomically ([`crate::fix::replace_note`]), through the same handle-based layer. At any
//! moment each file is either as it was or as it should be, and the journal says which
//! state is which: [`resume`] finishes the job, [`abort`] undoes it. A failure during
//! [`apply`] undoes what was done before reporting it.

use std::io::Write;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::Plan;
use crate::error::Error;
use crate::vault;

/// The journal's place, relative to the vault root.
pub(crate) const JOURNAL: &str = ".vaultlint/mv-journal.json";

/// The journal's format version; a journal of another version is not acted on.
const VERSION: u32 = 1;

/// What an `mv` in progress does, recorded before anything is touched.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Journal {
    /// [`VERSION`].
    version: u32,
    /// The moves, in order; each with the temporary name a case-only rename passes through.
    moves: Vec<JournalMove>,
    /// Folders the moves create, parents first (removed again by [`abort`] when empty).
    folders: Vec<String>,
    /// The files rewritten, at their vault paths after the moves.
    writes: Vec<JournalWrite>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct JournalMove {
    from: String,
    to: String,
    /// For a case-only rename (`note.md` → `Note.md`): the hidden name it passes through,
    /// since a case-insensitive filesystem may take the direct rename for a no-op.
    via: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct JournalWrite {
    path: String,
    /// The file's text before (a BOM included): rewritten files are UTF-8.
    before: String,
    after: String,
}

impl Journal {
    /// The journal of `plan`; the folders to create are those missing on disk now.
    fn of(plan: &Plan) -> Result<Self, Error> {
        let mut folders: Vec<String> = Vec::new();
        for m in &plan.moves {
            let parent = super::spell::folder(&m.to);
            let mut at = String::new();
            for segment in parent.split('/').filter(|s| !s.is_empty()) {
                if !at.is_empty() {
                    at.push('/');
                }
                at.push_str(segment);
                if !vault::abs_path(&plan.root, &at).exists() && !folders.contains(&at) {
                    folders.push(at.clone());
                }
            }
        }
        let moves = plan
            .moves
            .iter()
            .map(|m| JournalMove {
                via: (crate::index::name_key(&m.from) == crate::index::name_key(&m.to)).then(
                    || {
                        let (dir, name) = match m.from.rsplit_once('/') {
                            Some((d, n)) => (format!("{d}/"), n),
                            None => (String::new(), m.from.as_str()),
                        };
                        format!("{dir}.{name}.vaultlint-mv")
                    },
                ),
                from: m.from.clone(),
                to: m.to.clone(),
            })
            .collect();
        let text = |bytes: &[u8], path: &str| {
            String::from_utf8(bytes.to_vec()).map_err(|_| {
                Error::Usage(format!("`{path}` is not valid UTF-8; nothing was changed"))
            })
        };
        let writes = plan
            .rewrites
            .iter()
            .map(|r| {
                Ok(JournalWrite {
                    path: r.to.to_string(),
                    before: text(&r.original, &r.from)?,
                    after: text(&r.edited, &r.from)?,
                })
            })
            .collect::<Result<Vec<_>, Error>>()?;
        Ok(Journal {
            version: VERSION,
            moves,
            folders,
            writes,
        })
    }
}

/// Carries out `plan`: checks that every file can be written, records the journal, moves,
/// rewrites, deletes the journal.
///
/// # Errors
/// `Error::Usage` when the plan has refusals, a journal of an earlier `mv` is pending, a
/// file changed since the plan read it or cannot be written (nothing is changed then), or
/// when a step fails (what was done is undone; if undoing fails too, the journal stays and
/// the message says to run `vaultlint mv --continue` or `--abort`).
pub(crate) fn apply(plan: &Plan) -> Result<(), Error> {
    if let Some(first) = plan.refusals.first() {
        return Err(Error::Usage(format!(
            "not moved: {first} ({} problem{})",
            plan.refusals.len(),
            if plan.refusals.len() == 1 { "" } else { "s" }
        )));
    }
    let root = &plan.root;
    if journal_path(root).exists() {
        return Err(pending(root));
    }
    preflight(plan)?;
    let journal = Journal::of(plan)?;
    write_journal(root, &journal)?;
    match forward(root, &journal) {
        Ok(()) => remove_journal(root),
        Err(e) => match backward(root, &journal) {
            Ok(()) => {
                remove_journal(root)?;
                Err(Error::Usage(format!("{e}; nothing was changed")))
            }
            Err(undo) => Err(Error::Usage(format!(
                "{e}; undoing it failed too ({undo}): `{}` records the move; once the cause is fixed, run `vaultlint mv --continue` to finish it or `vaultlint mv --abort` to undo it",
                journal_path(root).display()
            ))),
        },
    }
}

/// Finishes the `mv` the journal at `root` records: moves not yet made are made, files not
/// yet rewritten are rewritten; then the journal is deleted. Returns how many moves and
/// writes it records.
///
/// # Errors
/// `Error::Usage` when there is no journal, it cannot be read, or a file is in neither
/// the state before nor the one after (changed by someone else): the journal then stays.
pub(crate) fn resume(root: &Path) -> Result<(usize, usize), Error> {
    let journal = read_journal(root)?;
    forward(root, &journal).map_err(|e| Error::Usage(format!("cannot finish the move: {e}")))?;
    remove_journal(root)?;
    Ok((journal.moves.len(), journal.writes.len()))
}

/// Undoes the `mv` the journal at `root` records: rewritten files get their text back,
/// moved files their place, created folders are removed when empty; then the journal is
/// deleted. Returns how many moves and writes it records.
///
/// # Errors
/// As [`resume`].
pub(crate) fn abort(root: &Path) -> Result<(usize, usize), Error> {
    let journal = read_journal(root)?;
    backward(root, &journal).map_err(|e| Error::Usage(format!("cannot undo the move: {e}")))?;
    remove_journal(root)?;
    Ok((journal.moves.len(), journal.writes.len()))
}

fn journal_path(root: &Path) -> PathBuf {
    vault::abs_path(root, JOURNAL)
}

fn pending(root: &Path) -> Error {
    Error::Usage(format!(
        "an interrupted `vaultlint mv` left `{}`: run `vaultlint mv --continue` to finish it or `vaultlint mv --abort` to undo it",
        journal_path(root).display()
    ))
}

fn read_journal(root: &Path) -> Result<Journal, Error> {
    let path = journal_path(root);
    let text = vault::read_text(&path, u64::MAX, vault::Symlinks::Refuse).map_err(|e| {
        Error::Usage(format!(
            "no interrupted `vaultlint mv` to finish or undo: cannot read `{}`: {e}",
            path.display()
        ))
    })?;
    let journal: Journal = serde_json::from_str(&text)
        .map_err(|e| Error::Usage(format!("`{}` is not an mv journal: {e}", path.display())))?;
    if journal.version != VERSION {
        return Err(Error::Usage(format!(
            "`{}` was written by another version of vaultlint (journal version {}); finish it with that version",
            path.display(),
            journal.version
        )));
    }
    Ok(journal)
}

/// Writes the journal atomically and durably: nothing is moved before it is on disk.
fn write_journal(root: &Path, journal: &Journal) -> Result<(), Error> {
    let path = journal_path(root);
    let fail = |e: &dyn std::fmt::Display| {
        Error::Usage(format!(
            "cannot write the journal `{}`: {e}; nothing was changed",
            path.display()
        ))
    };
    let dir = path.parent().unwrap_or(root);
    std::fs::create_dir_all(dir).map_err(|e| fail(&e))?;
    let json = serde_json::to_vec(journal).map_err(|e| fail(&e))?;
    let mut temp = tempfile::NamedTempFile::new_in(dir).map_err(|e| fail(&e))?;
    temp.write_all(&json).map_err(|e| fail(&e))?;
    temp.as_file().sync_all().map_err(|e| fail(&e))?;
    temp.persist(&path).map_err(|e| fail(&e.error))?;
    if let Ok(folder) = std::fs::File::open(dir) {
        let _ = folder.sync_all();
    }
    Ok(())
}

fn remove_journal(root: &Path) -> Result<(), Error> {
    let path = journal_path(root);
    std::fs::remove_file(&path).map_err(|e| {
        Error::Usage(format!(
            "the move is done, but the journal `{}` cannot be deleted: {e}; delete it by hand",
            path.display()
        ))
    })?;
    // The folder goes too when the journal was all it held.
    if let Some(dir) = path.parent() {
        let _ = std::fs::remove_dir(dir);
    }
    Ok(())
}

/// Checks, before anything is touched, that each move can still be made and each file
/// written: sources present, destinations free, files unchanged since the plan read them,
/// and every folder a rename or write touches writable.
fn preflight(plan: &Plan) -> Result<(), Error> {
    let root = &plan.root;
    let mut folders: Vec<PathBuf> = Vec::new();
    for m in &plan.moves {
        let from = vault::abs_path(root, &m.from);
        if !exists_exact(&from) {
            return Err(Error::Usage(format!(
                "`{}` is gone since the plan was made; nothing was changed",
                m.from
            )));
        }
        folders.push(from.parent().unwrap_or(root).to_path_buf());
        folders.push(nearest_existing(&vault::abs_path(root, &m.to)));
    }
    for r in &plan.rewrites {
        let abs = crate::fix::safe_path(root, &r.from).map_err(|why| {
            Error::Usage(format!(
                "cannot rewrite `{}`: {why}; nothing was changed",
                r.from
            ))
        })?;
        let now = vault::read_file(&abs, vault::MAX_NOTE_BYTES, vault::Symlinks::Refuse).map_err(
            |e| {
                Error::Usage(format!(
                    "cannot read `{}`: {e}; nothing was changed",
                    r.from
                ))
            },
        )?;
        if now != r.original {
            return Err(Error::Usage(format!(
                "`{}` changed since the plan read it; nothing was changed, run the command again",
                r.from
            )));
        }
        folders.push(abs.parent().unwrap_or(root).to_path_buf());
        folders.push(nearest_existing(&vault::abs_path(root, &r.to)));
    }
    folders.sort();
    folders.dedup();
    for dir in folders {
        tempfile::Builder::new()
            .prefix(".vaultlint-")
            .tempfile_in(&dir)
            .map_err(|e| {
                Error::Usage(format!(
                    "cannot write in `{}`: {e}; nothing was changed",
                    dir.display()
                ))
            })?;
    }
    Ok(())
}

/// The nearest folder at or above `path`'s folder that exists.
fn nearest_existing(path: &Path) -> PathBuf {
    let mut at = path.parent();
    while let Some(dir) = at {
        if dir.is_dir() {
            return dir.to_path_buf();
        }
        at = dir.parent();
    }
    PathBuf::from(".")
}

/// Whether an entry of exactly this name exists (a case-insensitive filesystem answers
/// `exists` for any case).
fn exists_exact(path: &Path) -> bool {
    let (Some(dir), Some(name)) = (path.parent(), path.file_name()) else {
        return false;
    };
    std::fs::symlink_metadata(path).is_ok()
        && std::fs::read_dir(dir)
            .map(|entries| {
                entries
                    .filter_map(Result::ok)
                    .any(|e| e.file_name() == name)
            })
            .unwrap_or(false)
}

/// Renames `from` to `to` (vault paths) unless it was done already.
fn step(root: &Path, from: &str, to: &str) -> Result<(), String> {
    let (a, b) = (vault::abs_path(root, from), vault::abs_path(root, to));
    match (exists_exact(&a), exists_exact(&b)) {
        (true, false) => crate::fix::write::move_in_vault(root, from, to)
            .map_err(|e| format!("cannot move `{from}` to `{to}`: {e}")),
        (false, true) => Ok(()),
        (true, true) => Err(format!("both `{from}` and `{to}` exist")),
        (false, false) => Err(format!("neither `{from}` nor `{to}` exists")),
    }
}

fn move_forward(root: &Path, m: &JournalMove) -> Result<(), String> {
    match &m.via {
        None => step(root, &m.from, &m.to),
        Some(via) => {
            if exists_exact(&vault::abs_path(root, &m.to))
                && !exists_exact(&vault::abs_path(root, via))
            {
                return Ok(());
            }
            if exists_exact(&vault::abs_path(root, &m.from)) {
                step(root, &m.from, via)?;
            }
            step(root, via, &m.to)
        }
    }
}

fn move_backward(root: &Path, m: &JournalMove) -> Result<(), String> {
    match &m.via {
        None => step(root, &m.to, &m.from),
        Some(via) => {
            if exists_exact(&vault::abs_path(root, &m.from))
                && !exists_exact(&vault::abs_path(root, via))
            {
                return Ok(());
            }
            if exists_exact(&vault::abs_path(root, &m.to)) {
                step(root, &m.to, via)?;
            }
            step(root, via, &m.from)
        }
    }
}

/// Brings every file to its state after the move; states already reached are kept.
pub(super) fn forward(root: &Path, journal: &Journal) -> Result<(), String> {
    for folder in &journal.folders {
        crate::fix::write::create_folder_in_vault(root, folder)
            .map_err(|e| format!("cannot create `{folder}`: {e}"))?;
    }
    for m in &journal.moves {
        move_forward(root, m)?;
    }
    for w in &journal.writes {
        write(root, &w.path, &w.before, &w.after)?;
    }
    Ok(())
}

/// Brings every file back to its state before the move; states already reached are kept.
pub(super) fn backward(root: &Path, journal: &Journal) -> Result<(), String> {
    for w in journal.writes.iter().rev() {
        // Files are rewritten only once every move is made: a file not at its new place
        // yet was never rewritten.
        if !exists_exact(&vault::abs_path(root, &w.path)) {
            continue;
        }
        write(root, &w.path, &w.after, &w.before)?;
    }
    for m in journal.moves.iter().rev() {
        move_backward(root, m)?;
    }
    for folder in journal.folders.iter().rev() {
        // Only an empty folder goes: anything put there since stays, with its folder.
        crate::fix::write::remove_empty_folder_in_vault(root, folder);
    }
    Ok(())
}

/// Replaces `from` by `to` in the file at `path`, unless it holds `to` already.
fn write(root: &Path, path: &str, from: &str, to: &str) -> Result<(), String> {
    let abs = vault::abs_path(root, path);
    let now = vault::read_file(&abs, vault::MAX_NOTE_BYTES, vault::Symlinks::Refuse)
        .map_err(|e| format!("cannot read `{path}`: {e}"))?;
    if now == to.as_bytes() {
        return Ok(());
    }
    if now != from.as_bytes() {
        return Err(format!(
            "`{path}` was changed by something else during the move; it is left as it is"
        ));
    }
    crate::fix::replace_note(root, path, from.as_bytes(), to.as_bytes())
        .map_err(|why| format!("cannot write `{path}`: {why}"))
}

/// Test access: the journal of a plan and its two directions, to stop a move half-way.
#[cfg(test)]
pub(super) fn journal_of(plan: &Plan) -> Journal {
    Journal::of(plan).unwrap_or_else(|e| panic!("{e}"))
}

/// Test access: records a journal as [`apply`] does.
#[cfg(test)]
pub(super) fn record(root: &Path, journal: &Journal) {
    write_journal(root, journal).unwrap_or_else(|e| panic!("{e}"));
}

/// Test access: the first `n` steps of the forward direction (folders, moves, writes in
/// that order), as a run killed after them leaves the vault.
#[cfg(test)]
pub(super) fn forward_steps(root: &Path, journal: &Journal, n: usize) {
    let mut partial = journal.clone();
    let mut left = n;
    let mut take = |len: usize| {
        let k = left.min(len);
        left -= k;
        k
    };
    let folders = take(partial.folders.len());
    partial.folders.truncate(folders);
    let moves = take(partial.moves.len());
    partial.moves.truncate(moves);
    let writes = take(partial.writes.len());
    partial.writes.truncate(writes);
    forward(root, &partial).unwrap_or_else(|e| panic!("{e}"));
}

/// Test access: how many steps [`forward_steps`] can take.
#[cfg(test)]
pub(super) fn steps(journal: &Journal) -> usize {
    journal.folders.len() + journal.moves.len() + journal.writes.len()
}
