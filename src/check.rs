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
/// vault's. A pack whose whole-vault step rewrites the notes' findings (the ATT&CK pack
/// folding links into a stale note into that note's finding) makes the run keep every
/// finding until that step is done, as [`PackRun::needs_all_findings`] says.
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
    let fold = runs.iter().any(|r| r.needs_all_findings(&vault));
    let severity = |d: &mut Diagnostic| {
        if let Some(&severity) = options.severities.get(d.rule.name) {
            d.severity = severity;
        }
    };
    // File-level findings come from the vault alone; they are merged in path order.
    let mut whole_vault = Vec::new();
    if !fold {
        for run in &runs {
            run.check_vault(&vault, &mut whole_vault);
        }
        whole_vault.iter_mut().for_each(severity);
        whole_vault.sort_by(|a, b| a.path.cmp(&b.path));
    }
    let mut whole_vault = whole_vault.into_iter().peekable();
    let mut kept: Vec<Diagnostic> = Vec::new();
    let mut fingerprints = BTreeMap::new();
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
            if fold {
                if let Some(hash) = hash {
                    fingerprints.insert(vault.path(id).clone(), hash);
                }
                kept.extend(found);
                continue;
            }
            let path = vault.path(id);
            // Files before this one with file-level findings only.
            while let Some(d) = whole_vault.next_if(|d| d.path < *path) {
                deliver_file(deliver, d, &mut whole_vault)?;
            }
            while let Some(d) = whole_vault.next_if(|d| d.path == *path) {
                found.push(d);
            }
            found.iter_mut().for_each(severity);
            if !found.is_empty() {
                found.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
                deliver.note(found, hash)?;
            }
        }
    }
    while let Some(d) = whole_vault.next() {
        deliver_file(deliver, d, &mut whole_vault)?;
    }
    for (run, checked) in runs.iter().zip(per_pack) {
        if fold {
            run.check_vault(&vault, &mut kept);
        }
        let s = run.summary(checked);
        summary.packs.fields.extend(s.fields);
        summary.packs.lines.extend(s.line);
    }
    if fold {
        kept.iter_mut().for_each(severity);
        kept.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
        let mut kept = kept.into_iter().peekable();
        while let Some(first) = kept.next() {
            let mut note = vec![first];
            while let Some(d) = kept.next_if(|d| d.path == note[0].path) {
                note.push(d);
            }
            let hash = fingerprints.get(&note[0].path).copied();
            deliver.note(note, hash)?;
        }
    }
    Ok(Report {
        diagnostics: Vec::new(),
        summary,
        root: PathBuf::new(),
        fingerprints: BTreeMap::new(),
    })
}

/// Runs `work` in `pool` (so its parallel iterators use the pool's threads), or here.
fn in_pool<T: Send>(pool: Option<&rayon::ThreadPool>, work: impl FnOnce() -> T + Send) -> T {
    match pool {
        Some(pool) => pool.install(work),
        None => work(),
    }
}

/// Delivers the file-level findings of one file that the check pass did not check (an
/// attachment, a skipped note): `first` and those after it with the same path.
fn deliver_file(
    deliver: &mut dyn Deliver,
    first: Diagnostic,
    rest: &mut std::iter::Peekable<std::vec::IntoIter<Diagnostic>>,
) -> Result<(), Error> {
    let mut file = vec![first];
    while let Some(d) = rest.next_if(|d| d.path == file[0].path) {
        file.push(d);
    }
    file.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    deliver.note(file, None)
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

    /// A pack with no rule whose whole-vault step asks for every finding: the run then
    /// keeps them all and sorts them at the end, as before findings were streamed.
    struct KeepsAll;

    struct KeepsAllRun;

    impl Pack for KeepsAll {
        fn start<'v>(
            &'v self,
            _vault: &'v Vault,
            _selected: &[&'static RuleMeta],
        ) -> Option<Box<dyn PackRun + 'v>> {
            Some(Box::new(KeepsAllRun))
        }
    }

    impl PackRun for KeepsAllRun {
        fn check_note(&self, _ctx: &NoteContext<'_>, _out: &mut Vec<Diagnostic>) -> usize {
            0
        }

        fn check_vault(&self, _vault: &Vault, _out: &mut Vec<Diagnostic>) {}

        fn needs_all_findings(&self, _vault: &Vault) -> bool {
            true
        }

        fn summary(&self, _checked: usize) -> PackSummary {
            PackSummary::default()
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

    #[test]
    fn streamed_findings_are_the_sorted_findings_of_the_whole_run() {
        let streamed = delivered(rules::default_packs());
        let mut packs = rules::default_packs();
        packs.push(Arc::new(KeepsAll));
        let kept = delivered(packs);
        let key = |d: &Diagnostic| {
            (
                d.path.to_string(),
                d.span.map(|s| (s.start, s.line, s.column)),
                d.rule.name,
                d.severity,
                d.message.clone(),
            )
        };
        let streamed_keys: Vec<_> = streamed.delivered.iter().map(key).collect();
        let kept_keys: Vec<_> = kept.delivered.iter().map(key).collect();
        assert_eq!(streamed_keys, kept_keys);
        // Every note's broken link (the suppressed one left out), the canvas's, and the
        // three unreadable files, each file delivered once.
        let notes = 2 * WINDOW + 20;
        assert_eq!(streamed.delivered.len(), notes + 1 + 3);
        assert_eq!(streamed.calls, notes + 1 + 2);
        let paths: Vec<&str> = streamed.delivered.iter().map(|d| &*d.path).collect();
        let at = |p: &str| paths.iter().position(|&q| q == p).expect(p);
        assert!(at("n050.md") < at("n050.png") && at("n050.png") < at("n051.md"));
        assert_eq!(paths.last(), Some(&"zz.png"));
        assert_eq!(paths.iter().filter(|&&p| p == "n070.md").count(), 2);
    }
}
