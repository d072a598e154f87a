//! The pipeline after the walk: the outline pass (parallel) builds the vault index, the
//! selected packs start, the check pass runs in windows, the packs add to the summary.

use std::collections::BTreeMap;
use std::path::PathBuf;

use rayon::prelude::*;

use super::deliver::{Deliver, Out};
use super::{in_pool, windows, CheckOptions, Report, Summary};
use crate::diagnostic::RuleMeta;
use crate::error::Error;
use crate::index::{FileId, Vault};
use crate::parse;
use crate::rules::{self, PackRun};
use crate::vault::{FileProblem, NoteText, VaultFile};

/// The outline pass (parallel): each note's outline, then the vault index.
pub(super) fn outline_pass(
    files: Vec<VaultFile>,
    mut problems: Vec<FileProblem>,
    read: &(dyn Fn(&VaultFile) -> NoteText + Sync),
) -> Vault {
    let (outlines, read_problems): (Vec<Option<parse::Outline>>, Vec<Option<FileProblem>>) = files
        .par_iter()
        .map(|file| {
            // Canvases are read here only for their read problems; notes for outlines.
            if !(file.is_note || (file.is_canvas() && file.lint)) {
                return (None, None);
            }
            let problem = |kind| {
                Some(FileProblem {
                    path: file.path.clone(),
                    kind,
                })
            };
            match read(file) {
                NoteText::Text(_, issue) if !file.is_note => (None, issue.and_then(problem)),
                NoteText::Text(text, issue) => {
                    let note = parse::parse(&text, parse::Depth::Outline);
                    (Some(parse::Outline::of(&note)), issue.and_then(problem))
                }
                NoteText::Skipped(kind) => (None, problem(kind)),
            }
        })
        .unzip();
    problems.extend(read_problems.into_iter().flatten());
    Vault::new(files, outlines, problems)
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
) -> Result<Report, Error> {
    let pool = options.pool.as_deref();
    let vault = in_pool(pool, || outline_pass(files, problems, read));

    let selected: Vec<&'static RuleMeta> = options
        .rules
        .clone()
        .unwrap_or_else(|| rules::all().to_vec());
    let runs: Vec<Box<dyn PackRun + '_>> = options
        .packs
        .iter()
        .filter_map(|p| p.start(&vault, &selected))
        .collect();
    // Notes and canvases, in path order (the vault's files are sorted by path).
    let items: Vec<FileId> = (0..vault.files.len())
        .filter(|&id| {
            let file = &vault.files[id];
            file.lint && (vault.outlines[id].is_some() || file.is_canvas())
        })
        .collect();
    let mut summary = Summary {
        files: vault.files.len(),
        notes: vault.linted_notes().count(),
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
    };
    let (links, per_pack) = windows::check_pass(&pass, &items, whole_vault, &mut out, &mut folds)?;
    summary.links = links;
    for (run, checked) in runs.iter().zip(per_pack) {
        let s = run.summary(checked);
        summary.packs.fields.extend(s.fields);
        summary.packs.lines.extend(s.line);
    }
    out.finish(&folds)?;
    Ok(Report {
        diagnostics: Vec::new(),
        summary,
        root: PathBuf::new(),
        fingerprints: BTreeMap::new(),
    })
}
