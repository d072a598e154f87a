//! The pipeline after the walk: the outline pass (parallel) builds the vault index, the
//! selected packs start, the check pass runs in windows, the packs add to the summary.

use std::collections::BTreeMap;
use std::path::PathBuf;

use rayon::prelude::*;

use super::cache::{CacheRun, Seen};
use super::deliver::{Deliver, Out};
use super::records::{Location, Records};
use super::{in_pool, windows, CheckOptions, Report, Summary};
use crate::diagnostic::RuleMeta;
use crate::error::Error;
use crate::index::{FileId, Vault};
use crate::parse;
use crate::rules::{self, PackRun};
use crate::vault::FileProblemKind;
use crate::vault::{FileProblem, NoteText, VaultFile};

/// The outline pass (parallel): each note's outline, then the vault index. A linted note
/// is parsed in full, once: its outline is kept, and with `records` the rest waits there
/// for the check pass (third value: where, per file). With a cache, a note the cache holds
/// unchanged is not parsed (nor read, when its size and time vouch for it); the second
/// value says, per file, what the cache needs to know.
pub(super) fn outline_pass(
    files: Vec<VaultFile>,
    mut problems: Vec<FileProblem>,
    read: &(dyn Fn(&VaultFile) -> NoteText + Sync),
    mut cache: Option<&mut CacheRun>,
    records: Option<&Records>,
) -> (Vault, Vec<Option<Seen>>, Vec<Option<Location>>) {
    let known = match &mut cache {
        Some(cache) => cache.take_known(&files),
        None => files.iter().map(|_| None).collect(),
    };
    let cache = cache.as_deref();
    type Outlined = (
        Option<parse::Outline>,
        Option<FileProblem>,
        Option<Seen>,
        Option<Location>,
    );
    let outlined: Vec<Outlined> = files
        .par_iter()
        .zip(known)
        .map(|(file, known)| {
            // Canvases are read here only for their read problems; notes for outlines; JSON
            // files only for the cache (their content hash), and a JSON file that cannot be
            // read is no problem of the vault (most are no format any pack reads).
            let json = file.is_json() && file.lint;
            if json && cache.is_none() {
                return (None, None, None, None);
            }
            if !(file.is_note || (file.is_canvas() && file.lint) || json) {
                return (None, None, None, None);
            }
            let problem = |kind| {
                Some(FileProblem {
                    path: file.path.clone(),
                    kind,
                })
            };
            let stat = cache
                .filter(|_| file.is_note || json)
                .and_then(|c| c.stat(file));
            if let (Some(c), Some(k)) = (cache, &known) {
                if c.unchanged(k, stat) {
                    if let Some(k) = known {
                        let (outline, seen) = CacheRun::hit(k);
                        return (outline, None, Some(seen), None);
                    }
                }
            }
            // A note the check pass will check is parsed in full now and recorded; any
            // other note only as deep as links into it need.
            let mut at = None;
            let mut parse = |text: &str| {
                (!json).then(|| match records.filter(|_| file.lint) {
                    Some(records) => {
                        let note = parse::parse(text, parse::Depth::Full);
                        at = records.write(text, &note);
                        parse::Outline::of(&note)
                    }
                    None => parse::Outline::of(&parse::parse(text, parse::Depth::Outline)),
                })
            };
            let (outline, problem, seen) = match read(file) {
                NoteText::Text(text, _) if json => {
                    let (_, seen) = CacheRun::read(known, stat, &text, || None);
                    (None, None, Some(seen))
                }
                NoteText::Skipped(_) if json => (None, None, None),
                NoteText::Text(_, issue) if !file.is_note => (None, issue.and_then(problem), None),
                // Only a note read without a problem is cached.
                NoteText::Text(text, None) if cache.is_some() => {
                    let (outline, seen) = CacheRun::read(known, stat, &text, || parse(&text));
                    (outline, None, Some(seen))
                }
                NoteText::Text(text, issue) => (parse(&text), issue.and_then(problem), None),
                NoteText::Skipped(kind) => (None, problem(kind), None),
            };
            (outline, problem, seen, at)
        })
        .collect();
    let mut outlines = Vec::with_capacity(outlined.len());
    let mut seen = Vec::with_capacity(outlined.len());
    let mut recorded = Vec::with_capacity(outlined.len());
    for (outline, problem, s, at) in outlined {
        outlines.push(outline);
        problems.extend(problem);
        seen.push(s);
        recorded.push(at);
    }
    (Vault::new(files, outlines, problems), seen, recorded)
}

/// The pipeline after the walk: outline pass, index, packs, check pass, then each note's
/// findings sorted and delivered in path order.
///
/// The check pass runs over windows of [`windows::WINDOW`] notes in path order, so findings
/// are delivered while the vault is checked and memory holds one window's findings, not
/// the vault's. When a pack folds findings into other notes ([`PackRun::fold`]: the ATT&CK pack
/// folding links into a stale note into that note's finding), the notes' findings go to a
/// spill file until every note has been taken from, then are delivered from it with the
/// folded notes rewritten: memory still holds one window's findings.
pub(super) fn run(
    options: &CheckOptions,
    files: Vec<VaultFile>,
    problems: Vec<FileProblem>,
    read: &(dyn Fn(&VaultFile) -> NoteText + Sync),
    deliver: &mut dyn Deliver,
    mut cache: Option<CacheRun>,
) -> Result<Report, Error> {
    let pool = options.pool.as_deref();
    let records = Records::new();
    let (vault, seen, recorded) = in_pool(pool, || {
        outline_pass(files, problems, read, cache.as_mut(), records.as_ref())
    });
    let records = records.and_then(Records::finish);
    if let Some(cache) = &mut cache {
        // On the run's worker threads: the outlines are hashed in parallel.
        in_pool(pool, || cache.index_built(&vault, &seen, &vault.problems));
    }

    let selected: Vec<&'static RuleMeta> = options
        .rules
        .clone()
        .unwrap_or_else(|| rules::all().to_vec());
    // On the run's worker threads: a pack's index is built in parallel.
    let runs: Vec<Box<dyn PackRun + '_>> = in_pool(pool, || {
        options
            .packs
            .iter()
            .filter_map(|p| p.start(&vault, &selected))
            .collect()
    });
    // Notes, canvases and JSON files, in path order (the vault's files are sorted by path).
    let items: Vec<FileId> = (0..vault.files.len())
        .filter(|&id| {
            let file = &vault.files[id];
            file.lint && (vault.outlines[id].is_some() || file.is_canvas() || file.is_json())
        })
        .collect();
    let mut summary = Summary {
        files: vault.files.len(),
        notes: vault.linted_notes().count(),
        canvases: items
            .iter()
            .filter(|&&id| vault.files[id].is_canvas())
            .count(),
        json_files: items
            .iter()
            .filter(|&&id| vault.files[id].is_json())
            .count(),
        unreadable: vault
            .problems
            .iter()
            .filter(|p| {
                matches!(
                    p.kind,
                    FileProblemKind::Unreadable(_)
                        | FileProblemKind::Binary
                        | FileProblemKind::TooLarge { .. }
                        | FileProblemKind::NotRegular(_)
                )
            })
            .count(),
        ..Summary::default()
    };
    deliver.start(&summary, std::path::Path::new(""))?;
    let mut folds: Vec<Box<dyn rules::Fold + '_>> =
        runs.iter().filter_map(|r| r.fold(&vault)).collect();
    let mut out = Out::new(deliver, &options.severities, !folds.is_empty());
    // File-level findings come from the vault alone; they are merged in path order.
    let mut whole_vault = Vec::new();
    for run in &runs {
        run.check_vault(&vault, &mut whole_vault);
    }
    whole_vault.sort_by(|a, b| a.path.cmp(&b.path));
    let pass = windows::CheckPass {
        pool,
        vault: &vault,
        read,
        runs: &runs,
        selected: &selected,
        seen: &seen,
        records: records.as_ref().map(|r| (r, &recorded[..])),
    };
    let (links, per_pack) = windows::check_pass(
        &pass,
        &items,
        whole_vault,
        &mut out,
        &mut folds,
        cache.as_mut(),
    )?;
    summary.links = links;
    for (run, checked) in runs.iter().zip(per_pack) {
        let s = run.summary(checked);
        summary.packs.fields.extend(s.fields);
        summary.packs.lines.extend(s.lines);
    }
    out.finish(&folds)?;
    if let Some(cache) = cache {
        cache.finish();
    }
    drop(folds);
    drop(runs);
    free_later(pool, vault);
    Ok(Report {
        diagnostics: Vec::new(),
        summary,
        root: PathBuf::new(),
        fingerprints: BTreeMap::new(),
    })
}

/// Frees `vault` on a worker thread: freeing the index of a large vault (an outline per
/// note, the name tables) took a tenth of a warm-cache run on 100,000 notes, and the
/// report need not wait for it. A process that exits after the run never pays it.
fn free_later(pool: Option<&rayon::ThreadPool>, vault: Vault) {
    match pool {
        Some(pool) => pool.spawn(move || drop(vault)),
        None => rayon::spawn(move || drop(vault)),
    }
}
