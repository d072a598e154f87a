//! The pipeline: walk, outline pass (parallel), index, check pass (parallel), sort.
//!
//! There is one check path, [`run`]: `vaultlint check` feeds it files read from disk, and
//! [`check_texts`] (rule docs examples, tests, fuzzing) feeds it texts held in memory.

use std::collections::BTreeMap;
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
#[derive(Debug)]
pub struct Report {
    /// Sorted by note path, then byte offset, then rule name, then message: the order of
    /// every output format.
    pub diagnostics: Vec<Diagnostic>,
    /// Counts; the per-severity counts match `diagnostics`.
    pub summary: Summary,
}

impl Report {
    /// Recomputes the counts per severity, after diagnostics were filtered.
    pub fn recount(&mut self) {
        let s = &mut self.summary;
        (s.errors, s.warnings, s.infos) = (0, 0, 0);
        for d in &self.diagnostics {
            match d.severity {
                Severity::Error => s.errors += 1,
                Severity::Warning => s.warnings += 1,
                Severity::Info => s.infos += 1,
            }
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
    let root = &options.root;
    let meta =
        std::fs::metadata(root).map_err(|e| Error::VaultRoot(root.clone(), e.to_string()))?;
    if !meta.is_dir() {
        return Err(Error::VaultRoot(root.clone(), "not a folder".to_owned()));
    }
    let listing = vault::walk(root, &options.walk);
    let read = |file: &VaultFile| vault::read_note(&file.abs(root), options.max_note_bytes);
    Ok(run(options, listing.files, listing.problems, &read))
}

/// Checks a vault held in memory (`(vault path, text)` pairs; paths not ending in `.md` are
/// attachments) with every rule and the default options, through the same `run` as
/// [`check`]: for rule docs examples, tests and fuzzing.
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
        })
        .collect();
    let texts: BTreeMap<&str, &str> = sorted.iter().copied().collect();
    let read = |file: &VaultFile| {
        NoteText::Text(
            texts.get(&*file.path).copied().unwrap_or("").to_owned(),
            None,
        )
    };
    run(
        &CheckOptions::new(PathBuf::new()),
        vault_files,
        Vec::new(),
        &read,
    )
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
            if !file.is_note {
                return (None, None);
            }
            let problem = |kind| {
                Some(FileProblem {
                    path: file.path.clone(),
                    kind,
                })
            };
            match read(file) {
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

/// The pipeline after the walk: outline pass, index, packs, check pass, sort.
fn run(
    options: &CheckOptions,
    files: Vec<VaultFile>,
    problems: Vec<FileProblem>,
    read: &(dyn Fn(&VaultFile) -> NoteText + Sync),
) -> Report {
    let vault = outline_pass(files, problems, read);

    let selected: Vec<&'static RuleMeta> = options
        .rules
        .clone()
        .unwrap_or_else(|| rules::all().to_vec());
    let runs: Vec<Box<dyn PackRun + '_>> = options
        .packs
        .iter()
        .filter_map(|p| p.start(&vault, &selected))
        .collect();
    let linted: Vec<FileId> = vault.linted_notes().collect();
    let checked: Vec<(Vec<Diagnostic>, NoteCounts)> = linted
        .par_iter()
        .map(|&id| match read(&vault.files[id]) {
            NoteText::Text(text, _) => check_note(&vault, id, &text, &runs, &selected),
            // The note changed between the passes; the outline pass reported what it saw.
            NoteText::Skipped(_) => (Vec::new(), NoteCounts::new(runs.len())),
        })
        .collect();
    let mut summary = Summary {
        files: vault.files.len(),
        notes: linted.len(),
        ..Summary::default()
    };
    let mut per_pack = vec![0usize; runs.len()];
    let mut diagnostics = Vec::new();
    for (found, counts) in checked {
        diagnostics.extend(found);
        summary.links += counts.links;
        for (total, n) in per_pack.iter_mut().zip(counts.per_pack) {
            *total += n;
        }
    }
    for (run, checked) in runs.iter().zip(per_pack) {
        run.check_vault(&vault, &mut diagnostics);
        let s = run.summary(checked);
        summary.packs.fields.extend(s.fields);
        summary.packs.lines.extend(s.line);
    }
    for d in &mut diagnostics {
        if let Some(&severity) = options.severities.get(d.rule.name) {
            d.severity = severity;
        }
    }
    diagnostics.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    let mut report = Report {
        diagnostics,
        summary,
    };
    report.recount();
    report
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
) -> (Vec<Diagnostic>, NoteCounts) {
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
    };
    let mut out = Vec::new();
    let per_pack = runs.iter().map(|r| r.check_note(&ctx, &mut out)).collect();
    let ran: Vec<&str> = selected.iter().map(|m| m.name).collect();
    let report_unused = ran.contains(&"unused-suppression");
    let out = suppress::apply(vault.path(id), &note, out, &ran, report_unused);
    (
        out,
        NoteCounts {
            links: note.links.len(),
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
            vault::read_note(&vault::abs_path(root, &d.path), vault::MAX_NOTE_BYTES)
        {
            sources.insert(d.path.to_string(), text);
        }
    }
    sources
}
