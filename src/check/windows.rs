//! The check pass in windows: notes in path order, [`WINDOW`] at a time in parallel, each
//! window's findings delivered before the next starts, so that memory holds one window's
//! findings, never the vault's.

use rayon::prelude::*;

use super::cache::{CacheRun, Checked, Seen};
use super::deliver::Out;
use super::in_pool;
use super::note::{check_canvas, check_json, check_note, NoteCounts};
use super::records::{record_hash, Location, RecordsReader};
use crate::diagnostic::{Diagnostic, RuleMeta};
use crate::error::Error;
use crate::index::{FileId, Vault};
use crate::parse;
use crate::rules::{self, LazyText, PackRun};
use crate::vault::{NoteText, VaultFile};

/// How many notes the check pass checks at a time (in parallel) before their findings are
/// delivered: the findings of at most this many notes are held at once.
pub(super) const WINDOW: usize = 64;

/// What the check pass runs with: the same for every window.
pub(super) struct CheckPass<'a, 'r> {
    /// The worker threads (`None`: rayon's global pool).
    pub(super) pool: Option<&'a rayon::ThreadPool>,
    pub(super) vault: &'a Vault,
    /// Reads a file's text (from disk, or an edited text held in memory).
    pub(super) read: &'a (dyn Fn(&VaultFile) -> NoteText + Sync),
    /// The runs of the packs with a selected rule.
    pub(super) runs: &'a [Box<dyn PackRun + 'r>],
    /// The rules that run.
    pub(super) selected: &'a [&'static RuleMeta],
    /// Per file: what the outline pass told the cache (`None` without a cache).
    pub(super) seen: &'a [Option<Seen>],
    /// The notes' records and, per file, where its record is (`None`: not recorded).
    pub(super) records: Option<(&'a RecordsReader, &'a [Option<Location>])>,
}

/// Checks `items` (notes and canvases, in path order) window by window, merging in the
/// whole-vault findings `whole_vault` (sorted by path) at their files, and sends each file's
/// findings to `out`. Returns the links found and, parallel to the pack runs, what each
/// pack counted.
///
/// # Errors
/// Whatever `out`'s receiver returns.
pub(super) fn check_pass<'r>(
    pass: &CheckPass<'_, 'r>,
    items: &[FileId],
    whole_vault: Vec<Diagnostic>,
    out: &mut Out<'_>,
    folds: &mut [Box<dyn rules::Fold + 'r>],
    mut cache: Option<&mut CacheRun>,
) -> Result<(usize, Vec<usize>), Error> {
    let CheckPass {
        pool, vault, runs, ..
    } = *pass;
    let mut whole_vault = whole_vault.into_iter().peekable();
    let mut links = 0;
    let mut per_pack = vec![0usize; runs.len()];
    // Window by window, the worker threads check the next window while this thread
    // delivers the last one's findings: on a warm cache, rendering them (JSON, one
    // thread, in path order) had both cores wait for it between windows.
    let mut last: Option<(&[FileId], Vec<Checked>)> = None;
    for window in items.chunks(WINDOW) {
        let mut next = None;
        let cache = cache.as_deref_mut();
        in_place_scope(pool, |scope| {
            let next = &mut next;
            scope.spawn(move |_| *next = Some(check_window(pass, window, cache)));
            match last.take() {
                Some((ids, checked)) => {
                    let totals = (&mut links, &mut per_pack[..]);
                    deliver(vault, ids, checked, totals, &mut whole_vault, out, folds)
                }
                None => Ok(()),
            }
        })?;
        last = next.map(|checked| (window, checked));
    }
    if let Some((ids, checked)) = last {
        let totals = (&mut links, &mut per_pack[..]);
        deliver(vault, ids, checked, totals, &mut whole_vault, out, folds)?;
    }
    while let Some(d) = whole_vault.next() {
        let file = same_file(d, &mut whole_vault);
        out.file(file, None, folds)?;
    }
    Ok((links, per_pack))
}

/// Runs `op` on this thread with a scope whose spawned work runs on the run's worker
/// threads (`pool`, or rayon's global pool).
fn in_place_scope<'s, R>(
    pool: Option<&rayon::ThreadPool>,
    op: impl FnOnce(&rayon::Scope<'s>) -> R,
) -> R {
    match pool {
        Some(pool) => pool.in_place_scope(op),
        None => rayon::in_place_scope(op),
    }
}

/// Checks one window of notes (in parallel): the cache's findings for the notes it holds
/// unchanged, a check for the others; what was checked is recorded in the cache.
fn check_window(
    pass: &CheckPass<'_, '_>,
    window: &[FileId],
    mut cache: Option<&mut CacheRun>,
) -> Vec<Checked> {
    let CheckPass {
        pool,
        vault,
        read,
        runs,
        selected,
        seen,
        records,
    } = *pass;
    // Notes the cache holds unchanged, in a vault whose index is unchanged: their
    // findings are the cached ones (read in path order, before the window is checked).
    let mut cached: Vec<Option<Checked>> = match cache.as_deref_mut() {
        // On the run's worker threads: the records are decoded in parallel.
        Some(cache) => in_pool(pool, || {
            cache.take_findings(
                window
                    .iter()
                    .map(|&id| (vault.path(id), seen.get(id).and_then(Option::as_ref))),
            )
        }),
        None => window.iter().map(|_| None).collect(),
    };
    let fresh: Vec<Option<Checked>> = in_pool(pool, || {
        window
            .par_iter()
            .zip(&cached)
            .map(|(&id, hit)| {
                if hit.is_some() {
                    return None;
                }
                let file = &vault.files[id];
                let recorded =
                    records.and_then(|(records, at)| records.note(at.get(id).copied().flatten()?));
                if let Some((note, hash)) = recorded {
                    return Some(check_recorded(vault, id, &note, hash, read, runs, selected));
                }
                Some(match read(file) {
                    NoteText::Text(text, _) if file.is_note => {
                        let note = parse::parse_note(&text);
                        check_note(vault, id, &note, &LazyText::Given(&text), runs, selected)
                    }
                    NoteText::Text(text, _) if file.is_canvas() => {
                        let (found, counts) = check_canvas(vault, id, &text, runs);
                        (found, counts, None)
                    }
                    NoteText::Text(text, _) => check_json(vault, id, &text, runs, selected),
                    // The file changed between the passes; the outline pass reported what it saw.
                    NoteText::Skipped(_) => (Vec::new(), NoteCounts::new(runs.len()), None),
                })
            })
            .collect()
    });
    let checked: Vec<Checked> = cached
        .iter_mut()
        .zip(fresh)
        .map(|(hit, fresh)| {
            // One of the two is always there.
            hit.take()
                .or(fresh)
                .unwrap_or_else(|| (Vec::new(), NoteCounts::new(runs.len()), None))
        })
        .collect();
    if let Some(cache) = cache {
        for (&id, result) in window.iter().zip(&checked) {
            if seen.get(id).is_some_and(Option::is_some) {
                cache.record_findings(vault.path(id), result);
            }
        }
    }
    checked
}

/// Sends a checked window's findings to `out` in path order, each file's with the
/// whole-vault findings on it (and, before it, the files with only whole-vault findings),
/// and adds its counts to `totals` (links, and per pack).
///
/// # Errors
/// Whatever `out`'s receiver returns.
fn deliver<'r>(
    vault: &Vault,
    window: &[FileId],
    checked: Vec<Checked>,
    (links, per_pack): (&mut usize, &mut [usize]),
    whole_vault: &mut std::iter::Peekable<std::vec::IntoIter<Diagnostic>>,
    out: &mut Out<'_>,
    folds: &mut [Box<dyn rules::Fold + 'r>],
) -> Result<(), Error> {
    for (&id, (mut found, counts, hash)) in window.iter().zip(checked) {
        *links += counts.links;
        for (total, n) in per_pack.iter_mut().zip(counts.per_pack) {
            *total += n;
        }
        let path = vault.path(id);
        // Files before this one with file-level findings only.
        while let Some(d) = whole_vault.next_if(|d| d.path < *path) {
            let file = same_file(d, whole_vault);
            out.file(file, None, folds)?;
        }
        while let Some(d) = whole_vault.next_if(|d| d.path == *path) {
            found.push(d);
        }
        out.file(found, hash, folds)?;
    }
    Ok(())
}

/// The check pass for a note the outline pass recorded: checked from its record, read
/// again only when a rule needs its text. If the text read then is not the one recorded
/// (the note changed since the outline pass), the note is parsed from the new text and
/// checked again, as without a record; if it can no longer be read, it has no findings
/// (the outline pass reported what it saw).
fn check_recorded(
    vault: &Vault,
    id: FileId,
    note: &parse::Note,
    hash: u64,
    read: &(dyn Fn(&VaultFile) -> NoteText + Sync),
    runs: &[Box<dyn PackRun + '_>],
    selected: &[&'static RuleMeta],
) -> Checked {
    let file = &vault.files[id];
    let load = || match read(file) {
        NoteText::Text(text, _) => Some(text),
        NoteText::Skipped(_) => None,
    };
    let text = LazyText::read(&load);
    let checked = check_note(vault, id, note, &text, runs, selected);
    match text.loaded() {
        None => checked,
        Some(Some(now)) if record_hash(now) == hash => checked,
        Some(Some(now)) => {
            let note = parse::parse_note(now);
            check_note(vault, id, &note, &LazyText::Given(now), runs, selected)
        }
        Some(None) => (Vec::new(), NoteCounts::new(runs.len()), None),
    }
}

/// `first` and the findings after it in `rest` on the same file.
fn same_file(
    first: Diagnostic,
    rest: &mut std::iter::Peekable<std::vec::IntoIter<Diagnostic>>,
) -> Vec<Diagnostic> {
    let mut file = vec![first];
    while let Some(d) = rest.next_if(|d| d.path == file[0].path) {
        file.push(d);
    }
    file
}
