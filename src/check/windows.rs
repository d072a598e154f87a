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
        pool,
        vault,
        read,
        runs,
        selected,
        seen,
        records,
    } = *pass;
    let mut whole_vault = whole_vault.into_iter().peekable();
    let mut links = 0;
    let mut per_pack = vec![0usize; runs.len()];
    for window in items.chunks(WINDOW) {
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
                    let recorded = records
                        .and_then(|(records, at)| records.note(at.get(id).copied().flatten()?));
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
        let checked = cached.iter_mut().zip(fresh).map(|(hit, fresh)| {
            // One of the two is always there.
            hit.take()
                .or(fresh)
                .unwrap_or_else(|| (Vec::new(), NoteCounts::new(runs.len()), None))
        });
        let checked: Vec<Checked> = checked.collect();
        if let Some(cache) = cache.as_deref_mut() {
            for (&id, result) in window.iter().zip(&checked) {
                if seen.get(id).is_some_and(Option::is_some) {
                    cache.record_findings(vault.path(id), result);
                }
            }
        }
        for (&id, (mut found, counts, hash)) in window.iter().zip(checked) {
            links += counts.links;
            for (total, n) in per_pack.iter_mut().zip(counts.per_pack) {
                *total += n;
            }
            let path = vault.path(id);
            // Files before this one with file-level findings only.
            while let Some(d) = whole_vault.next_if(|d| d.path < *path) {
                let file = same_file(d, &mut whole_vault);
                out.file(file, None, folds)?;
            }
            while let Some(d) = whole_vault.next_if(|d| d.path == *path) {
                found.push(d);
            }
            out.file(found, hash, folds)?;
        }
    }
    while let Some(d) = whole_vault.next() {
        let file = same_file(d, &mut whole_vault);
        out.file(file, None, folds)?;
    }
    Ok((links, per_pack))
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
