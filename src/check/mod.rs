//! The pipeline: walk, outline pass (parallel), index, check pass (parallel), sort.
//!
//! There is one check path, `pipeline::run`: `vaultlint check` feeds it files read from
//! disk, and [`check_texts`] (rule docs examples, tests, fuzzing) feeds it texts held in
//! memory.
//!
//! One file a job: `pipeline` (outline pass, packs, summary), `windows` (the check pass,
//! a window of notes at a time), `note` (the check pass for one note or canvas), `deliver`
//! (findings to their receiver in path order), `spill` (findings waiting for a fold),
//! `severity` (per-rule severity overrides).

mod cache;
mod deliver;
mod note;
mod pipeline;
mod records;
mod severity;
mod spill;
mod windows;

use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;
use std::sync::Arc;

use crate::diagnostic::{Diagnostic, RuleMeta, Severity};
use crate::error::Error;
use crate::index::Vault;
use crate::rules::{self, Pack};
use crate::vault::{self, NoteText, VaultFile, WalkOptions};
pub(crate) use cache::CacheSettings;
pub(crate) use deliver::Deliver;
use deliver::{Collect, Scoped};
use pipeline::{outline_pass, run};

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
    /// The persistent cache (`None`: no cache, as `--no-cache`).
    pub(crate) cache: Option<CacheSettings>,
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
            cache: None,
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
    /// Canvases linted: a run with canvases and no note still has something to check.
    /// Not in the JSON `summary`, whose schema counts notes and files.
    #[serde(skip)]
    pub canvases: usize,
    /// JSON files linted (packs read formats of their own in them, such as Navigator
    /// layers): a run with only those still has something to check. Not in the JSON
    /// `summary` either.
    #[serde(skip)]
    pub json_files: usize,
    /// Notes, canvases and JSON files that could not be read (too large, not text,
    /// unreadable, not a regular file): `unreadable-file` reports each, so a run with only
    /// those still has something to say. Not in the JSON `summary` either.
    #[serde(skip)]
    pub unreadable: usize,
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
    // Opened before the walk, which states the notes for it: the cache trusts a note's
    // size and time only if they were read after the run's start time (`RACY_NS`).
    let cache = options
        .cache
        .clone()
        .map(|settings| cache::CacheRun::open(settings, root, edited.keys().cloned()));
    walk_options.stat = cache.is_some();
    // On the run's worker threads: a walk that meets a name that is not UTF-8 sorts in
    // parallel.
    let listing = in_pool(options.pool.as_deref(), || vault::walk(root, &walk_options));
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
        cache,
    )?;
    report.root = found.root;
    Ok(report)
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
            stat: None,
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
        None,
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
    let listing = in_pool(options.pool.as_deref(), || vault::walk(root, &options.walk));
    let read = |file: &VaultFile| vault::read_note(&file.abs(root), options.max_note_bytes);
    Ok(outline_pass(listing.files, listing.problems, &read, None, None).0)
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

/// Runs `work` in `pool` (so its parallel iterators use the pool's threads), or here.
pub(super) fn in_pool<T: Send>(
    pool: Option<&rayon::ThreadPool>,
    work: impl FnOnce() -> T + Send,
) -> T {
    match pool {
        Some(pool) => pool.install(work),
        None => work(),
    }
}

#[cfg(test)]
mod tests;
