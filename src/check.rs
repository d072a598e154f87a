//! The pipeline: walk, outline pass (parallel), index, check pass (parallel), sort.
//!
//! There is one check path, [`run`]: `vaultlint check` feeds it files read from disk, and
//! [`check_texts`] (rule docs examples, tests, fuzzing) feeds it texts held in memory.

use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;
use std::sync::Arc;

use rayon::prelude::*;

use crate::diagnostic::{Diagnostic, RuleMeta, Severity};
use crate::error::Error;
use crate::index::{FileId, Vault};
use crate::parse;
use crate::resolve::Resolution;
use crate::rules::{self, NoteContext, Pack, PackRun};
use crate::suppress;
use crate::vault::{self, FileProblem, NoteText, VaultFile, WalkOptions};

/// What to check and how.
#[derive(Clone)]
pub struct CheckOptions {
    /// The vault's root folder.
    pub(crate) root: PathBuf,
    /// Which files are linted (`exclude`, `--only`).
    pub(crate) walk: WalkOptions,
    /// Rules to run; `None` runs every rule of every pack.
    pub(crate) rules: Option<Vec<&'static RuleMeta>>,
    /// Per-rule severity overrides by rule name.
    pub(crate) severities: BTreeMap<String, Severity>,
    /// Notes larger than this many bytes are skipped and reported.
    pub(crate) max_note_bytes: u64,
    /// The rule packs with their settings (see [`rules::packs`]).
    pub(crate) packs: Vec<Arc<dyn Pack>>,
    /// The worker threads of the parallel passes (`--threads`); `None`: rayon's global pool.
    /// The passes enter it themselves, so the findings are delivered on the calling thread.
    pub(crate) pool: Option<Arc<rayon::ThreadPool>>,
}

impl std::fmt::Debug for CheckOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CheckOptions")
            .field("root", &self.root)
            .field("rules", &self.rules.as_ref().map(|r| r.len()))
            .field("severities", &self.severities)
            .field("max_note_bytes", &self.max_note_bytes)
            .field("packs", &self.packs.len())
            .finish_non_exhaustive()
    }
}

impl CheckOptions {
    /// Every rule at its default severity, the default ATT&CK settings and the built-in
    /// catalogue, on the vault at `root`.
    pub fn new(root: PathBuf) -> Self {
        CheckOptions {
            root,
            walk: WalkOptions::default(),
            rules: None,
            severities: BTreeMap::new(),
            max_note_bytes: vault::MAX_NOTE_BYTES,
            packs: rules::default_packs(),
            pool: None,
        }
    }
}

/// Counts for the summary line and the JSON `summary` object.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize)]
pub struct Summary {
    /// Files in the vault (notes and attachments).
    pub files: usize,
    /// Notes linted.
    pub notes: usize,
    /// Links found in the linted notes.
    pub links: usize,
    /// What each pack that ran adds (the ATT&CK pack: `attack_links`, `attack_catalog`, `attack_releases`).
    #[serde(flatten)]
    pub packs: PackFields,
    /// With `--baseline`: how many recorded findings are still there, and how many are gone.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub baseline: Option<BaselineSummary>,
    /// The config file the run applied, as a path from the folder vaultlint ran in (set by
    /// the command line; `None`: no file, defaults only).
    pub config: Option<String>,
    /// Findings per severity.
    pub errors: usize,
    /// See `errors`.
    pub warnings: usize,
    /// See `errors`.
    pub infos: usize,
    /// Findings with a safe fix (`--fix` applies them).
    pub fixable: usize,
    /// Findings with an unsafe fix (`--fix --unsafe-fixes` applies them).
    pub unsafe_fixable: usize,
}

/// The packs' summary fields and human summary lines, in pack order.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PackFields {
    /// JSON fields, in order.
    pub fields: Vec<(&'static str, serde_json::Value)>,
    /// Lines for the human summary.
    pub lines: Vec<String>,
}

impl serde::Serialize for PackFields {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut map = serializer.serialize_map(Some(self.fields.len()))?;
        for (key, value) in &self.fields {
            map.serialize_entry(key, value)?;
        }
        map.end()
    }
}

/// With `--baseline`: how the current findings compare with the recorded ones.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct BaselineSummary {
    /// Recorded findings still present (not shown).
    pub known: usize,
    /// Recorded findings no longer present.
    pub fixed: usize,
}

/// The result of a check: sorted diagnostics and counts.
#[derive(Debug, Clone)]
pub struct Report {
    /// Sorted by note path, then byte offset, then rule name, then message: the order of
    /// every output format.
    pub diagnostics: Vec<Diagnostic>,
    /// Counts; the per-severity counts match `diagnostics`.
    pub summary: Summary,
    /// The vault root the run used (`vault::find_root` of the folder it was given);
    /// diagnostic paths are relative to it.
    pub root: PathBuf,
    /// For each note with a fix: a hash ([`text_hash`]) of the text the check read, so
    /// that fixes are applied only to the text they were computed on.
    pub fingerprints: BTreeMap<Arc<str>, u64>,
}

/// The hash of a note's text that [`Report::fingerprints`] holds (SipHash with fixed
/// keys: the same text gives the same hash in every run).
pub(crate) fn text_hash(text: &str) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut hasher = std::hash::DefaultHasher::new();
    text.hash(&mut hasher);
    hasher.finish()
}

impl Summary {
    /// Counts one finding in the per-severity and fix counts.
    pub(crate) fn count(&mut self, d: &Diagnostic) {
        match d.fix.as_ref().map(|f| f.applicability) {
            Some(crate::diagnostic::Applicability::Safe) => self.fixable += 1,
            Some(crate::diagnostic::Applicability::Unsafe) => self.unsafe_fixable += 1,
            None => {}
        }
        match d.severity {
            Severity::Error => self.errors += 1,
            Severity::Warning => self.warnings += 1,
            Severity::Info => self.infos += 1,
        }
    }
}

impl Report {
    /// Recomputes the counts per severity, after diagnostics were filtered.
    pub fn recount(&mut self) {
        let s = &mut self.summary;
        (s.errors, s.warnings, s.infos) = (0, 0, 0);
        (s.fixable, s.unsafe_fixable) = (0, 0);
        for d in &self.diagnostics {
            s.count(d);
        }
    }
}

/// Runs the whole pipeline on the vault on disk at `options.root`.
///
/// Two passes keep memory proportional to the vault's outline, not its text: the outline
/// pass keeps only what links into a note need (headings, block ids, aliases); the check
/// pass reads each note again, checks it against the finished index and drops it.
///
/// # Errors
/// Only when the vault root is missing or not a folder; every problem inside the vault is
/// a finding.
pub fn check(options: &CheckOptions) -> Result<Report, Error> {
    check_with_edits(options, &HashMap::new())
}

/// Like [`check`], but the notes in `edited` (vault path → text) are checked as that text
/// instead of what is on disk: how `--fix` and `--diff` re-check their fixed text before
/// writing anything.
///
/// # Errors
/// As [`check`].
pub(crate) fn check_with_edits(
    options: &CheckOptions,
    edited: &HashMap<Arc<str>, String>,
) -> Result<Report, Error> {
    let mut collect = Collect::default();
    let mut report = check_streaming(options, edited, &mut collect)?;
    report.diagnostics = collect.diagnostics;
    report.fingerprints = collect.fingerprints;
    report.recount();
    Ok(report)
}

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
    /// once. `hash` is the [`text_hash`] of the text checked when a finding has a fix.
    ///
    /// # Errors
    /// A failed write; the check stops.
    fn note(&mut self, findings: Vec<Diagnostic>, hash: Option<u64>) -> Result<(), Error>;
}

/// A [`Deliver`] that keeps everything: the whole [`Report`], for `--fix` and tests.
#[derive(Default)]
struct Collect {
    diagnostics: Vec<Diagnostic>,
    fingerprints: BTreeMap<Arc<str>, u64>,
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

/// Like [`check_with_edits`], but hands the findings to `deliver` note by note as they
/// are found instead of keeping them. Returns the report without findings: its summary
/// has the files, notes, links and pack fields, not the per-severity counts (the receiver
/// counts what it keeps).
///
/// # Errors
/// As [`check`], and whatever `deliver` returns.
pub(crate) fn check_streaming(
    options: &CheckOptions,
    edited: &HashMap<Arc<str>, String>,
    deliver: &mut dyn Deliver,
) -> Result<Report, Error> {
    let given = &options.root;
    let meta =
        std::fs::metadata(given).map_err(|e| Error::VaultRoot(given.clone(), e.to_string()))?;
    if !meta.is_dir() {
        return Err(Error::VaultRoot(given.clone(), "not a folder".to_owned()));
    }
    // A folder inside a vault: resolve against the whole vault, report on the folder.
    let found = vault::find_root(given);
    let root = &found.root;
    let mut walk_options = options.walk.clone();
    if let Some(scope) = &found.scope {
        walk_options.only = walk_options
            .only
            .map(|only| only.iter().map(|p| format!("{scope}/{p}")).collect());
        walk_options.scope = Some(scope.clone());
    }
    let listing = vault::walk(root, &walk_options);
    let read = |file: &VaultFile| match edited.get(&file.path) {
        Some(text) => NoteText::Text(text.clone(), None),
        None => vault::read_note(&file.abs(root), options.max_note_bytes),
    };
    // Whole-vault rules see every file; a run inside a vault reports on its folder only.
    let scoped = found.scope.is_some().then_some(&walk_options);
    let mut report = run(
        options,
        listing.files,
        listing.problems,
        &read,
        &mut Scoped {
            scope: scoped,
            root,
            inner: deliver,
        },
    )?;
    report.root = found.root;
    Ok(report)
}

/// Passes on only the findings inside the folder a run was given (all when `scope` is
/// `None`), and the vault root to `start`.
struct Scoped<'a> {
    scope: Option<&'a WalkOptions>,
    root: &'a std::path::Path,
    inner: &'a mut dyn Deliver,
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

/// Checks a vault held in memory (`(vault path, text)` pairs; paths ending in `.md` are
/// notes, in `.canvas` canvases, anything else attachments) with every rule and the default
/// options, through the same `run` as [`check`]: for rule docs examples, tests and fuzzing.
pub fn check_texts(files: &[(&str, &str)]) -> Report {
    let mut sorted: Vec<(&str, &str)> = files.to_vec();
    sorted.sort_unstable();
    sorted.dedup_by(|a, b| a.0 == b.0);
    let vault_files: Vec<VaultFile> = sorted
        .iter()
        .map(|(p, _)| VaultFile {
            path: (*p).into(),
            is_note: p.ends_with(".md"),
            lint: true,
            os_path: None,
        })
        .collect();
    let texts: BTreeMap<&str, &str> = sorted.iter().copied().collect();
    let read = |file: &VaultFile| {
        NoteText::Text(
            texts.get(&*file.path).copied().unwrap_or("").to_owned(),
            None,
        )
    };
    let mut collect = Collect::default();
    let mut report = match run(
        &CheckOptions::new(PathBuf::new()),
        vault_files,
        Vec::new(),
        &read,
        &mut collect,
    ) {
        Ok(report) => report,
        // `Collect` never fails, and `run` fails only through its receiver.
        Err(_) => unreachable!("collecting findings cannot fail"),
    };
    report.diagnostics = collect.diagnostics;
    report.fingerprints = collect.fingerprints;
    report.recount();
    report
}

/// Walks the vault at `options.root` and builds its index from the outline pass, without
/// running any rule: for commands that read the vault as a whole (`attack coverage`).
///
/// # Errors
/// Only when the vault root is missing or not a folder.
pub(crate) fn index_vault(options: &CheckOptions) -> Result<Vault, Error> {
    let root = &options.root;
    let meta =
        std::fs::metadata(root).map_err(|e| Error::VaultRoot(root.clone(), e.to_string()))?;
    if !meta.is_dir() {
        return Err(Error::VaultRoot(root.clone(), "not a folder".to_owned()));
    }
    let listing = vault::walk(root, &options.walk);
    let read = |file: &VaultFile| vault::read_note(&file.abs(root), options.max_note_bytes);
    Ok(outline_pass(listing.files, listing.problems, &read))
}

/// The outline pass (parallel): each note's outline, then the vault index.
fn outline_pass(
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

/// How many notes the check pass checks at a time (in parallel) before their findings are
/// delivered: the findings of at most this many notes are held at once.
const WINDOW: usize = 64;

/// The pipeline after the walk: outline pass, index, packs, check pass, then each note's
/// findings sorted and delivered in path order.
///
/// The check pass runs over windows of [`WINDOW`] notes in path order, so findings are
/// delivered while the vault is checked and memory holds one window's findings, not the
/// vault's. When a pack folds findings into other notes ([`PackRun::fold`]: the ATT&CK pack
/// folding links into a stale note into that note's finding), the notes' findings go to a
/// [`Spill`] file until every note has been taken from, then are delivered from it with the
/// folded notes rewritten: memory still holds one window's findings.
fn run(
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
    let mut out = Out {
        deliver,
        severities: &options.severities,
        spill: if folds.is_empty() {
            None
        } else {
            // Without a writable temporary folder the findings are held in memory, as
            // they were before the spill file: the run is slower to bound, not wrong.
            Some(Spill::new().map_or_else(|_| Held::Memory(Vec::new()), Held::File))
        },
    };
    // File-level findings come from the vault alone; they are merged in path order.
    let mut whole_vault = Vec::new();
    for run in &runs {
        run.check_vault(&vault, &mut whole_vault);
    }
    whole_vault.sort_by(|a, b| a.path.cmp(&b.path));
    let mut whole_vault = whole_vault.into_iter().peekable();
    let mut per_pack = vec![0usize; runs.len()];
    for window in items.chunks(WINDOW) {
        let checked: Vec<(Vec<Diagnostic>, NoteCounts, Option<u64>)> = in_pool(pool, || {
            window
                .par_iter()
                .map(|&id| {
                    let file = &vault.files[id];
                    match read(file) {
                        NoteText::Text(text, _) if file.is_note => {
                            check_note(&vault, id, &text, &runs, &selected)
                        }
                        NoteText::Text(text, _) => {
                            let (found, counts) = check_canvas(&vault, id, &text, &runs);
                            (found, counts, None)
                        }
                        // The file changed between the passes; the outline pass reported what it saw.
                        NoteText::Skipped(_) => (Vec::new(), NoteCounts::new(runs.len()), None),
                    }
                })
                .collect()
        });
        for (&id, (mut found, counts, hash)) in window.iter().zip(checked) {
            summary.links += counts.links;
            for (total, n) in per_pack.iter_mut().zip(counts.per_pack) {
                *total += n;
            }
            let path = vault.path(id);
            // Files before this one with file-level findings only.
            while let Some(d) = whole_vault.next_if(|d| d.path < *path) {
                let file = same_file(d, &mut whole_vault);
                out.file(file, None, &mut folds)?;
            }
            while let Some(d) = whole_vault.next_if(|d| d.path == *path) {
                found.push(d);
            }
            out.file(found, hash, &mut folds)?;
        }
    }
    while let Some(d) = whole_vault.next() {
        let file = same_file(d, &mut whole_vault);
        out.file(file, None, &mut folds)?;
    }
    for (run, checked) in runs.iter().zip(per_pack) {
        let s = run.summary(checked);
        summary.packs.fields.extend(s.fields);
        summary.packs.lines.extend(s.lines);
    }
    out.finish(&folds)?;
    Ok(Report {
        diagnostics: Vec::new(),
        summary,
        root: PathBuf::new(),
        fingerprints: BTreeMap::new(),
    })
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

/// Where the check pass sends each file's findings: straight to the receiver, or, while a
/// fold is pending, to a spill file first.
struct Out<'a> {
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

impl Out<'_> {
    /// One file's findings, in any order; files come in path order, each once.
    fn file(
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

    fn deliver_file(&mut self, mut found: Vec<Diagnostic>, hash: Option<u64>) -> Result<(), Error> {
        for d in &mut found {
            if let Some(&severity) = self.severities.get(d.rule.name) {
                d.severity = severity;
            }
        }
        self.deliver.note(found, hash)
    }

    /// After every file: delivers what was spilled, with the notes the folds rewrite
    /// (among them notes that had no finding of their own) in their place.
    fn finish(mut self, folds: &[Box<dyn rules::Fold + '_>]) -> Result<(), Error> {
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

/// Files' findings held in an anonymous temporary file (deleted when closed, even when the
/// run is killed) while a fold is pending: one record per file (its length as 4 bytes,
/// little-endian, then the file in `postcard`'s binary form), read back in the order
/// written, so memory does not grow with the number of findings.
struct Spill {
    file: std::io::BufWriter<std::fs::File>,
    /// The rules of the findings written; a line names each finding's rule by its index.
    rules: Vec<&'static RuleMeta>,
}

/// One file's findings and the hash of its text, as delivered.
type HeldFile = (Vec<Diagnostic>, Option<u64>);

/// One file's record in a [`Spill`].
#[derive(serde::Serialize, serde::Deserialize)]
struct SpilledFile {
    path: Arc<str>,
    hash: Option<u64>,
    findings: Vec<Spilled>,
}

/// A [`Diagnostic`] in a [`Spill`], without its path (the file's) and with its rule as an
/// index into [`Spill::rules`].
#[derive(serde::Serialize, serde::Deserialize)]
struct Spilled {
    rule: usize,
    severity: Severity,
    span: Option<crate::diagnostic::Span>,
    message: String,
    label: Option<String>,
    help: Option<String>,
    related: Vec<crate::diagnostic::Related>,
    subject: Option<String>,
    fix: Option<crate::diagnostic::Fix>,
}

impl Spill {
    /// # Errors
    /// The temporary file cannot be created (no writable temporary folder).
    fn new() -> Result<Self, Error> {
        let file = tempfile::tempfile().map_err(spill_error)?;
        Ok(Spill {
            file: std::io::BufWriter::new(file),
            rules: Vec::new(),
        })
    }

    /// Appends one file's findings (never empty, all with the same path).
    fn write(&mut self, found: &[Diagnostic], hash: Option<u64>) -> Result<(), Error> {
        use std::io::Write;
        let findings = found
            .iter()
            .map(|d| Spilled {
                rule: match self.rules.iter().position(|r| std::ptr::eq(*r, d.rule)) {
                    Some(i) => i,
                    None => {
                        self.rules.push(d.rule);
                        self.rules.len() - 1
                    }
                },
                severity: d.severity,
                span: d.span,
                message: d.message.clone(),
                label: d.label.as_deref().map(str::to_owned),
                help: d.help.as_deref().map(str::to_owned),
                related: d.related.clone(),
                subject: d.subject.clone(),
                fix: d.fix.clone(),
            })
            .collect();
        let record = SpilledFile {
            path: found[0].path.clone(),
            hash,
            findings,
        };
        let bytes =
            postcard::to_stdvec(&record).map_err(|e| spill_error(std::io::Error::other(e)))?;
        let len = u32::try_from(bytes.len())
            .map_err(|_| spill_error(std::io::Error::other("a file's findings exceed 4 GiB")))?;
        self.file
            .write_all(&len.to_le_bytes())
            .and_then(|()| self.file.write_all(&bytes))
            .map_err(spill_error)
    }

    /// The files written, in order: each file's findings and hash.
    ///
    /// # Errors
    /// The temporary file cannot be flushed, rewound or read back.
    fn read(self) -> Result<impl Iterator<Item = Result<HeldFile, Error>>, Error> {
        use std::io::{Read, Seek};
        let mut file = self
            .file
            .into_inner()
            .map_err(|e| spill_error(e.into_error()))?;
        file.rewind().map_err(spill_error)?;
        let rules = self.rules;
        let mut reader = std::io::BufReader::new(file);
        let mut bytes = Vec::new();
        Ok(std::iter::from_fn(move || {
            let mut len = [0u8; 4];
            match reader.read_exact(&mut len) {
                Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => return None,
                Err(e) => return Some(Err(spill_error(e))),
                Ok(()) => {}
            }
            bytes.resize(u32::from_le_bytes(len) as usize, 0);
            Some(read_record(&mut reader, &mut bytes, &rules))
        }))
    }
}

/// Reads one [`SpilledFile`] of `bytes.len()` bytes from `reader` into its findings.
fn read_record(
    reader: &mut impl std::io::Read,
    bytes: &mut [u8],
    rules: &[&'static RuleMeta],
) -> Result<HeldFile, Error> {
    reader.read_exact(bytes).map_err(spill_error)?;
    let file: SpilledFile =
        postcard::from_bytes(bytes).map_err(|e| spill_error(std::io::Error::other(e)))?;
    let findings = file
        .findings
        .into_iter()
        .map(|d| {
            Ok(Diagnostic {
                rule: rules.get(d.rule).copied().ok_or_else(|| {
                    spill_error(std::io::Error::other("a record names no rule written"))
                })?,
                severity: d.severity,
                path: file.path.clone(),
                span: d.span,
                message: d.message,
                label: d.label.map(std::borrow::Cow::Owned),
                help: d.help.map(std::borrow::Cow::Owned),
                related: d.related,
                subject: d.subject,
                fix: d.fix,
            })
        })
        .collect::<Result<_, Error>>()?;
    Ok((findings, file.hash))
}

/// A spill file's I/O error, said as such (not as a failed write of the report itself).
fn spill_error(e: std::io::Error) -> Error {
    Error::Output(std::io::Error::new(
        e.kind(),
        format!("the temporary file holding findings failed: {e}"),
    ))
}

/// Runs `work` in `pool` (so its parallel iterators use the pool's threads), or here.
fn in_pool<T: Send>(pool: Option<&rayon::ThreadPool>, work: impl FnOnce() -> T + Send) -> T {
    match pool {
        Some(pool) => pool.install(work),
        None => work(),
    }
}

/// What the check pass counted in one note.
struct NoteCounts {
    links: usize,
    /// Parallel to the pack runs.
    per_pack: Vec<usize>,
}

impl NoteCounts {
    fn new(packs: usize) -> Self {
        NoteCounts {
            links: 0,
            per_pack: vec![0; packs],
        }
    }
}

/// The check pass for one note: parse it fully, resolve its links, run every pack and
/// apply the note's suppressions.
fn check_note(
    vault: &Vault,
    id: FileId,
    text: &str,
    runs: &[Box<dyn PackRun + '_>],
    selected: &[&'static RuleMeta],
) -> (Vec<Diagnostic>, NoteCounts, Option<u64>) {
    let note = parse::parse_note(text);
    let resolutions: Vec<Resolution> = note
        .links
        .iter()
        .map(|l| vault.resolve(&l.path, id))
        .collect();
    let ctx = NoteContext {
        vault,
        id,
        note: &note,
        path: vault.path(id),
        resolutions: &resolutions,
        canvas_error: None,
        text,
    };
    let mut out = Vec::new();
    let per_pack = runs.iter().map(|r| r.check_note(&ctx, &mut out)).collect();
    let ran: Vec<&str> = selected.iter().map(|m| m.name).collect();
    let report_unused = ran.contains(&"unused-suppression");
    let out = suppress::apply(vault.path(id), &note, out, &ran, report_unused);
    let hash = out.iter().any(|d| d.fix.is_some()).then(|| text_hash(text));
    (
        out,
        NoteCounts {
            links: note.links.len(),
            per_pack,
        },
        hash,
    )
}

/// The check pass for one canvas: its file nodes resolve by exact vault path, the links of
/// its text nodes as in a note in the canvas's folder. Each finding names its node.
fn check_canvas(
    vault: &Vault,
    id: FileId,
    text: &str,
    runs: &[Box<dyn PackRun + '_>],
) -> (Vec<Diagnostic>, NoteCounts) {
    let canvas = parse::parse_canvas(text);
    let resolutions: Vec<Resolution> = canvas
        .note
        .links
        .iter()
        .map(|l| match l.kind {
            parse::LinkKind::CanvasFile => vault.resolve_exact(&l.path),
            _ => vault.resolve(&l.path, id),
        })
        .collect();
    let ctx = NoteContext {
        vault,
        id,
        note: &canvas.note,
        path: vault.path(id),
        resolutions: &resolutions,
        canvas_error: canvas.error.as_ref(),
        // Spans in a canvas index its JSON, where a fix's plain-text edit could break the
        // escaping: canvases get no fixes.
        text: "",
    };
    let mut out = Vec::new();
    let per_pack = runs.iter().map(|r| r.check_note(&ctx, &mut out)).collect();
    for d in &mut out {
        d.fix = None;
    }
    for d in &mut out {
        let node = canvas
            .note
            .links
            .iter()
            .position(|l| Some(l.span) == d.span)
            .and_then(|i| canvas.nodes.get(i))
            .filter(|n| !n.is_empty());
        if let Some(node) = node {
            d.message.push_str(&format!(" (canvas node `{node}`)"));
        }
    }
    (
        out,
        NoteCounts {
            links: canvas.note.links.len(),
            per_pack,
        },
    )
}

/// Reads the text of the notes that have findings, for renderers that show source lines.
pub fn load_sources(
    root: &std::path::Path,
    diagnostics: &[Diagnostic],
) -> BTreeMap<String, String> {
    let mut sources = BTreeMap::new();
    for d in diagnostics {
        if d.span.is_none() || sources.contains_key(&*d.path) {
            continue;
        }
        if let NoteText::Text(text, _) =
            vault::read_note(&vault::disk_path(root, &d.path), vault::MAX_NOTE_BYTES)
        {
            sources.insert(d.path.to_string(), text);
        }
    }
    sources
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::PackSummary;
    use crate::vault::FileProblemKind;

    /// Records what it is given and checks the delivery contract: files in strictly
    /// increasing path order, each once, never empty, one path per call, sorted.
    #[derive(Default)]
    struct Contract {
        started: bool,
        calls: usize,
        delivered: Vec<Diagnostic>,
    }

    impl Deliver for Contract {
        fn start(&mut self, summary: &Summary, _root: &std::path::Path) -> Result<(), Error> {
            assert!(!self.started && self.calls == 0, "start comes first, once");
            assert!(summary.notes > 0);
            self.started = true;
            Ok(())
        }

        fn note(&mut self, findings: Vec<Diagnostic>, _hash: Option<u64>) -> Result<(), Error> {
            assert!(self.started);
            let first = findings.first().expect("never empty");
            if let Some(last) = self.delivered.last() {
                assert!(last.path < first.path, "{} then {}", last.path, first.path);
            }
            assert!(findings.iter().all(|d| d.path == first.path));
            assert!(findings
                .windows(2)
                .all(|w| w[0].sort_key() <= w[1].sort_key()));
            self.calls += 1;
            self.delivered.extend(findings);
            Ok(())
        }
    }

    /// A pack with no rule and a fold, so the run holds the findings in a spill file. The
    /// fold takes the findings of notes whose path starts with `take` (if any) and reports
    /// how many at `n001.md` (a note with findings of its own, before them) and at `zzz.md`
    /// (after every file, no finding of its own).
    struct Folding {
        take: Option<&'static str>,
    }

    struct FoldingRun(Option<&'static str>);

    struct CountFold {
        take: Option<&'static str>,
        taken: usize,
    }

    static FOLDED: RuleMeta = RuleMeta {
        name: "folded",
        summary: "",
        default_severity: Severity::Info,
        docs: "",
        fix: crate::diagnostic::FixAvailability::None,
    };

    impl Pack for Folding {
        fn start<'v>(
            &'v self,
            _vault: &'v Vault,
            _selected: &[&'static RuleMeta],
        ) -> Option<Box<dyn PackRun + 'v>> {
            Some(Box::new(FoldingRun(self.take)))
        }
    }

    impl PackRun for FoldingRun {
        fn check_note(&self, _ctx: &NoteContext<'_>, _out: &mut Vec<Diagnostic>) -> usize {
            0
        }

        fn fold(&self, _vault: &Vault) -> Option<Box<dyn rules::Fold + '_>> {
            Some(Box::new(CountFold {
                take: self.0,
                taken: 0,
            }))
        }

        fn summary(&self, _checked: usize) -> PackSummary {
            PackSummary::default()
        }
    }

    impl rules::Fold for CountFold {
        fn take(&mut self, found: &mut Vec<Diagnostic>) {
            let Some(prefix) = self.take else { return };
            let before = found.len();
            found.retain(|d| !d.path.starts_with(prefix));
            self.taken += before - found.len();
        }

        fn rewritten(&self) -> Vec<Arc<str>> {
            match self.take {
                Some(_) => vec!["n001.md".into(), "zzz.md".into()],
                None => Vec::new(),
            }
        }

        fn apply(&self, path: &Arc<str>, found: &mut Vec<Diagnostic>) {
            found.push(Diagnostic::new(
                &FOLDED,
                path,
                None,
                format!("{} taken", self.taken),
            ));
        }
    }

    /// Three windows of notes, file-level findings on notes with findings of their own, on
    /// files the check pass skips (between notes and after the last), and a canvas.
    fn vault() -> (Vec<VaultFile>, Vec<FileProblem>, BTreeMap<String, String>) {
        let mut texts = BTreeMap::new();
        for i in 0..(2 * WINDOW + 20) {
            texts.insert(
                format!("n{i:03}.md"),
                format!("[[missing {i}]] [[n000]]\n%% vaultlint-disable-next-line broken-link %%\n[[gone]]\n"),
            );
        }
        texts.insert("c.canvas".to_owned(), r#"{"nodes":[{"id":"1","type":"text","text":"[[nowhere]]","x":0,"y":0,"width":1,"height":1}]}"#.to_owned());
        let mut files: Vec<VaultFile> = texts
            .keys()
            .chain(["n050.png".to_owned(), "zz.png".to_owned()].iter())
            .map(|p| VaultFile {
                path: p.as_str().into(),
                is_note: p.ends_with(".md"),
                lint: true,
                os_path: None,
            })
            .collect();
        files.sort_by(|a, b| a.path.cmp(&b.path));
        let problem = |path: &str| FileProblem {
            path: path.into(),
            kind: FileProblemKind::Unreadable("denied".to_owned()),
        };
        let problems = vec![problem("zz.png"), problem("n070.md"), problem("n050.png")];
        (files, problems, texts)
    }

    fn delivered(packs: Vec<Arc<dyn Pack>>) -> Contract {
        let (files, problems, texts) = vault();
        let read = |file: &VaultFile| {
            NoteText::Text(texts.get(&*file.path).cloned().unwrap_or_default(), None)
        };
        let mut options = CheckOptions::new(PathBuf::new());
        options.packs = packs;
        let mut contract = Contract::default();
        run(&options, files, problems, &read, &mut contract).expect("collecting cannot fail");
        contract
    }

    /// What the tests compare of a finding.
    type Key = (
        String,
        Option<(usize, u32, u32)>,
        &'static str,
        Severity,
        String,
    );

    fn key(d: &Diagnostic) -> Key {
        (
            d.path.to_string(),
            d.span.map(|s| (s.start, s.line, s.column)),
            d.rule.name,
            d.severity,
            d.message.clone(),
        )
    }

    #[test]
    fn streamed_findings_are_the_sorted_findings_of_the_whole_run() {
        let streamed = delivered(rules::default_packs());
        let mut packs = rules::default_packs();
        packs.push(Arc::new(Folding { take: None }));
        let spilled = delivered(packs);
        let streamed_keys: Vec<_> = streamed.delivered.iter().map(key).collect();
        let spilled_keys: Vec<_> = spilled.delivered.iter().map(key).collect();
        assert_eq!(streamed_keys, spilled_keys);
        // Every note's broken link (the suppressed one left out), the canvas's, and the
        // three unreadable files, each file delivered once.
        let notes = 2 * WINDOW + 20;
        assert_eq!(streamed.delivered.len(), notes + 1 + 3);
        assert_eq!(streamed.calls, notes + 1 + 2);
        assert_eq!(spilled.calls, streamed.calls);
        let paths: Vec<&str> = streamed.delivered.iter().map(|d| &*d.path).collect();
        let at = |p: &str| paths.iter().position(|&q| q == p).expect(p);
        assert!(at("n050.md") < at("n050.png") && at("n050.png") < at("n051.md"));
        assert_eq!(paths.last(), Some(&"zz.png"));
        assert_eq!(paths.iter().filter(|&&p| p == "n070.md").count(), 2);
    }

    #[test]
    fn a_fold_moves_findings_into_notes_before_and_after_them() {
        let streamed = delivered(rules::default_packs());
        let mut packs = rules::default_packs();
        packs.push(Arc::new(Folding { take: Some("n1") }));
        let folded = delivered(packs);
        let taken = streamed
            .delivered
            .iter()
            .filter(|d| d.path.starts_with("n1"))
            .count();
        assert_eq!(taken, 2 * WINDOW + 20 - 100);
        let mut expected: Vec<_> = streamed
            .delivered
            .iter()
            .filter(|d| !d.path.starts_with("n1"))
            .map(key)
            .collect();
        let note = |path: &str| {
            (
                path.to_owned(),
                None,
                "folded",
                Severity::Info,
                format!("{taken} taken"),
            )
        };
        let n001 = expected.iter().rposition(|k| k.0 == "n001.md").unwrap();
        expected.insert(n001 + 1, note("n001.md"));
        expected.push(note("zzz.md"));
        let folded_keys: Vec<_> = folded.delivered.iter().map(key).collect();
        assert_eq!(folded_keys, expected);
        // n1xx delivered nothing; zzz.md is a file of its own.
        assert_eq!(folded.calls, streamed.calls - taken + 1);
    }
}
