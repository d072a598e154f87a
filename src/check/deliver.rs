//! Delivery: each file's findings, sorted, go to a [`Deliver`] receiver in path order as
//! soon as their window is checked ([`Out`]), or wait in a spill file while a fold is
//! pending; [`Collect`] keeps them all, [`Scoped`] keeps a folder's.

use std::collections::BTreeMap;
use std::sync::Arc;

use super::severity;
use super::spill::{HeldFile, Spill};
use super::Summary;
use crate::diagnostic::{Diagnostic, Severity};
use crate::error::Error;
use crate::rules;
use crate::vault::WalkOptions;

/// Receives a check's findings one note at a time, in path order, each note's findings
/// sorted: what lets output be written while the vault is checked, so that memory does
/// not grow with the number of findings.
pub(crate) trait Deliver {
    /// Called once, before any finding, with the files and notes counted (`links` and the
    /// packs' fields are not known yet) and the vault root the paths are relative to.
    ///
    /// # Errors
    /// Whatever the receiver cannot go on with (e.g. no note to check); the check stops.
    fn start(&mut self, summary: &Summary, root: &std::path::Path) -> Result<(), Error>;

    /// The findings of one file (a note, a canvas, or a file with a file-level problem),
    /// never empty, sorted by [`Diagnostic::sort_key`]; files come in path order, each
    /// once. `hash` is the [`super::text_hash`] of the text checked when a finding has a fix.
    ///
    /// # Errors
    /// A failed write; the check stops.
    fn note(&mut self, findings: Vec<Diagnostic>, hash: Option<u64>) -> Result<(), Error>;
}

/// A [`Deliver`] that keeps everything: the whole [`super::Report`], for `--fix` and tests.
#[derive(Default)]
pub(super) struct Collect {
    pub(super) diagnostics: Vec<Diagnostic>,
    pub(super) fingerprints: BTreeMap<Arc<str>, u64>,
}

impl Deliver for Collect {
    fn start(&mut self, _summary: &Summary, _root: &std::path::Path) -> Result<(), Error> {
        Ok(())
    }

    fn note(&mut self, findings: Vec<Diagnostic>, hash: Option<u64>) -> Result<(), Error> {
        if let (Some(hash), Some(first)) = (hash, findings.first()) {
            self.fingerprints.insert(Arc::clone(&first.path), hash);
        }
        self.diagnostics.extend(findings);
        Ok(())
    }
}

/// Passes on only the findings inside the folder a run was given (all when `scope` is
/// `None`), and the vault root to `start`.
pub(super) struct Scoped<'a> {
    pub(super) scope: Option<&'a WalkOptions>,
    pub(super) root: &'a std::path::Path,
    pub(super) inner: &'a mut dyn Deliver,
}

impl Deliver for Scoped<'_> {
    fn start(&mut self, summary: &Summary, _root: &std::path::Path) -> Result<(), Error> {
        self.inner.start(summary, self.root)
    }

    fn note(&mut self, mut findings: Vec<Diagnostic>, hash: Option<u64>) -> Result<(), Error> {
        if let Some(scope) = self.scope {
            findings.retain(|d| scope.in_scope(&d.path));
        }
        if findings.is_empty() {
            return Ok(());
        }
        self.inner.note(findings, hash)
    }
}

/// Where the check pass sends each file's findings: straight to the receiver, or, while a
/// fold is pending, to a spill file first.
pub(super) struct Out<'a> {
    deliver: &'a mut dyn Deliver,
    /// Per-rule severity overrides by rule name.
    severities: &'a BTreeMap<String, Severity>,
    spill: Option<Held>,
}

/// Where files' findings wait for a fold: a [`Spill`] file, or memory when no temporary
/// file can be created.
enum Held {
    File(Spill),
    Memory(Vec<HeldFile>),
}

impl<'a> Out<'a> {
    /// Findings for `deliver`, with `severities` (rule name → severity) applied; held in a
    /// spill file until the end when `folding` (a pack's fold is pending).
    pub(super) fn new(
        deliver: &'a mut dyn Deliver,
        severities: &'a BTreeMap<String, Severity>,
        folding: bool,
    ) -> Self {
        Out {
            deliver,
            severities,
            spill: folding.then(|| {
                // Without a writable temporary folder the findings are held in memory, as
                // they were before the spill file: the run is slower to bound, not wrong.
                Spill::new().map_or_else(|_| Held::Memory(Vec::new()), Held::File)
            }),
        }
    }

    /// One file's findings, in any order; files come in path order, each once.
    pub(super) fn file(
        &mut self,
        mut found: Vec<Diagnostic>,
        hash: Option<u64>,
        folds: &mut [Box<dyn rules::Fold + '_>],
    ) -> Result<(), Error> {
        found.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
        for fold in folds.iter_mut() {
            fold.take(&mut found);
        }
        if found.is_empty() {
            return Ok(());
        }
        match &mut self.spill {
            Some(Held::File(spill)) => spill.write(&found, hash),
            Some(Held::Memory(files)) => {
                files.push((found, hash));
                Ok(())
            }
            None => self.deliver_file(found, hash),
        }
    }

    /// Hands one file's findings, with the severity overrides applied, to the receiver.
    fn deliver_file(&mut self, mut found: Vec<Diagnostic>, hash: Option<u64>) -> Result<(), Error> {
        severity::apply(&mut found, self.severities);
        self.deliver.note(found, hash)
    }

    /// After every file: delivers what was spilled, with the notes the folds rewrite
    /// (among them notes that had no finding of their own) in their place.
    pub(super) fn finish(mut self, folds: &[Box<dyn rules::Fold + '_>]) -> Result<(), Error> {
        let Some(spill) = self.spill.take() else {
            return Ok(());
        };
        let mut rewritten: Vec<Arc<str>> = folds.iter().flat_map(|f| f.rewritten()).collect();
        rewritten.sort();
        rewritten.dedup();
        let mut rewritten = rewritten.into_iter().peekable();
        let rewrite = |path: &Arc<str>, found: &mut Vec<Diagnostic>| {
            for fold in folds {
                fold.apply(path, found);
            }
            found.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
        };
        let files: Box<dyn Iterator<Item = Result<HeldFile, Error>>> = match spill {
            Held::File(spill) => Box::new(spill.read()?),
            Held::Memory(files) => Box::new(files.into_iter().map(Ok)),
        };
        for file in files {
            let (mut found, hash) = file?;
            let path = found[0].path.clone();
            while let Some(note) = rewritten.next_if(|n| *n < path) {
                let mut found = Vec::new();
                rewrite(&note, &mut found);
                if !found.is_empty() {
                    self.deliver_file(found, None)?;
                }
            }
            if rewritten.next_if(|n| *n == path).is_some() {
                rewrite(&path, &mut found);
            }
            self.deliver_file(found, hash)?;
        }
        for note in rewritten {
            let mut found = Vec::new();
            rewrite(&note, &mut found);
            if !found.is_empty() {
                self.deliver_file(found, None)?;
            }
        }
        Ok(())
    }
}
