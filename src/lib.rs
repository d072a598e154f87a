//! vaultlint: a fast, exact linter and link checker for Obsidian vaults.
//!
//! The data flows one way, each stage a module:
//!
//! 1. `vault`: walk the vault and list every file (the only filesystem reader);
//! 2. `parse`: read and parse every note in parallel (front matter, links, headings, blocks);
//! 3. `index`: build the vault model and Obsidian's name index;
//! 4. `resolve`: resolve every link in parallel, exactly as Obsidian does;
//! 5. `rules`: run the rules in parallel over the read-only model;
//! 6. sort the diagnostics, then `render` them in the chosen format.

pub mod attack;
pub mod baseline;
pub mod cli;
pub mod config;
pub mod diagnostic;
pub mod error;
pub mod index;
pub mod parse;
pub mod render;
pub mod resolve;
pub mod rules;
pub mod suggest;
pub mod suppress;
pub mod vault;

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;

use rayon::prelude::*;

pub use diagnostic::{Diagnostic, Severity};
pub use error::Error;
use index::{FileId, Vault};
use rules::{NoteContext, Rule};
use vault::{FileProblem, NoteText, WalkOptions};

/// What to check and how.
#[derive(Debug, Clone)]
pub struct CheckOptions {
    pub root: PathBuf,
    pub walk: WalkOptions,
    /// Rules to run; `None` runs all.
    pub rules: Option<Vec<&'static dyn Rule>>,
    /// Per-rule severity overrides by rule name.
    pub severities: BTreeMap<String, Severity>,
    pub max_note_bytes: u64,
    pub attack: Arc<attack::AttackConfig>,
    pub catalogue: Arc<attack::Catalogue>,
}

impl CheckOptions {
    pub fn new(root: PathBuf) -> Self {
        CheckOptions {
            root,
            walk: WalkOptions::default(),
            rules: None,
            severities: BTreeMap::new(),
            max_note_bytes: vault::MAX_NOTE_BYTES,
            attack: attack::AttackConfig::default_shared(),
            catalogue: attack::Catalogue::built_in_shared(),
        }
    }
}

impl std::fmt::Debug for dyn Rule {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.meta().name)
    }
}

/// Counts for the summary line and the JSON `summary` object.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct Summary {
    pub files: usize,
    pub notes: usize,
    pub links: usize,
    /// ID-labelled links checked by the ATT&CK rules.
    pub attack_links: usize,
    /// The ATT&CK catalogue the IDs were checked against.
    pub attack_catalog: String,
    /// With `--baseline`: how many recorded findings are still there, and how many are gone.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub baseline: Option<BaselineSummary>,
    pub errors: usize,
    pub warnings: usize,
    pub infos: usize,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct BaselineSummary {
    pub known: usize,
    pub fixed: usize,
}

/// The result of a check: sorted diagnostics and counts.
#[derive(Debug)]
pub struct Report {
    pub diagnostics: Vec<Diagnostic>,
    pub summary: Summary,
}

/// What the check pass counted in one note.
#[derive(Debug, Default, Clone, Copy)]
pub struct NoteStats {
    pub links: usize,
    pub attack_links: usize,
}

/// Runs the whole pipeline on a vault. Fails only when the vault itself cannot be listed.
///
/// Two passes keep memory proportional to the vault's outline, not its text: the outline
/// pass keeps only what links into a note need (headings, block ids, aliases); the check
/// pass reads each note again, checks it against the finished index and drops it.
pub fn check(options: &CheckOptions) -> Result<Report, Error> {
    let root = &options.root;
    let meta =
        std::fs::metadata(root).map_err(|e| Error::VaultRoot(root.clone(), e.to_string()))?;
    if !meta.is_dir() {
        return Err(Error::VaultRoot(root.clone(), "not a folder".to_owned()));
    }
    let listing = vault::walk(root, &options.walk);
    let mut problems = listing.problems;
    let (outlines, read_problems): (Vec<Option<parse::Outline>>, Vec<Option<FileProblem>>) =
        listing
            .files
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
                match vault::read_note(&file.abs(root), options.max_note_bytes) {
                    NoteText::Text(text, issue) => {
                        let note = parse::parse(&text, parse::Depth::Outline);
                        (Some(parse::Outline::of(&note)), issue.and_then(problem))
                    }
                    NoteText::Skipped(kind) => (None, problem(kind)),
                }
            })
            .unzip();
    problems.extend(read_problems.into_iter().flatten());
    let mut vault = Vault::new(listing.files, outlines, problems);
    vault.attack_config = Arc::clone(&options.attack);
    vault.catalogue = Arc::clone(&options.catalogue);
    vault.attack = attack::AttackModel::build(&vault, &options.attack);

    let rules: Vec<&'static dyn Rule> =
        options.rules.clone().unwrap_or_else(|| rules::ALL.to_vec());
    let linted: Vec<FileId> = vault.linted_notes().collect();
    let checked: Vec<(Vec<Diagnostic>, NoteStats)> = linted
        .par_iter()
        .map(
            |&id| match vault::read_note(&vault.files[id].abs(root), options.max_note_bytes) {
                NoteText::Text(text, _) => check_text(&vault, id, &text, &rules),
                // The note changed between the passes; the outline pass reported what it saw.
                NoteText::Skipped(_) => (Vec::new(), NoteStats::default()),
            },
        )
        .collect();
    let mut summary = Summary {
        files: vault.files.len(),
        notes: linted.len(),
        attack_catalog: options.catalogue.version.clone(),
        ..Summary::default()
    };
    let mut diagnostics = Vec::new();
    for (found, stats) in checked {
        diagnostics.extend(found);
        summary.links += stats.links;
        summary.attack_links += stats.attack_links;
    }
    for rule in &rules {
        rule.check_vault(&vault, &mut diagnostics);
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
    Ok(report)
}

/// Checks a vault held in memory (`(vault path, text)` pairs; paths not ending in `.md` are
/// attachments) with every rule and the default options: for tests, docs examples and fuzzing.
pub fn check_texts(files: &[(&str, &str)]) -> Report {
    let mut sorted: Vec<(&str, &str)> = files.to_vec();
    sorted.sort_unstable();
    sorted.dedup_by(|a, b| a.0 == b.0);
    let vault_files = sorted
        .iter()
        .map(|(p, _)| vault::VaultFile {
            path: (*p).into(),
            size: 0,
            is_note: p.ends_with(".md"),
            lint: true,
        })
        .collect();
    let outlines = sorted
        .iter()
        .map(|(p, t)| {
            p.ends_with(".md")
                .then(|| parse::Outline::of(&parse::parse(t, parse::Depth::Outline)))
        })
        .collect();
    let options = CheckOptions::new(PathBuf::new());
    let mut vault = Vault::new(vault_files, outlines, Vec::new());
    vault.attack_config = Arc::clone(&options.attack);
    vault.catalogue = Arc::clone(&options.catalogue);
    vault.attack = attack::AttackModel::build(&vault, &options.attack);
    let mut diagnostics = Vec::new();
    for id in vault.linted_notes() {
        diagnostics.extend(check_text(&vault, id, sorted[id].1, rules::ALL).0);
    }
    for rule in rules::ALL {
        rule.check_vault(&vault, &mut diagnostics);
    }
    diagnostics.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    let mut report = Report {
        diagnostics,
        summary: Summary::default(),
    };
    report.recount();
    report
}

/// The check pass for one note: parse it fully, resolve its links, run the rules and
/// apply its suppressions.
pub fn check_text(
    vault: &Vault,
    id: FileId,
    text: &str,
    rules: &[&'static dyn Rule],
) -> (Vec<Diagnostic>, NoteStats) {
    let note = parse::parse_note(text);
    let resolutions: Vec<resolve::Resolution> = note
        .links
        .iter()
        .map(|l| vault.resolve(&l.path, id))
        .collect();
    let labels: Vec<_> = note
        .links
        .iter()
        .map(|l| attack::link_label(l, &vault.attack_config))
        .collect();
    let ctx = NoteContext {
        vault,
        id,
        note: &note,
        path: vault.path(id),
        resolutions: &resolutions,
        labels: &labels,
    };
    let mut out = Vec::new();
    for rule in rules {
        rule.check_note(&ctx, &mut out);
    }
    let ran: Vec<&str> = rules.iter().map(|r| r.meta().name).collect();
    let report_unused = ran.contains(&"unused-suppression");
    let out = suppress::apply(vault.path(id), &note, out, &ran, report_unused);
    let stats = NoteStats {
        links: note.links.len(),
        attack_links: labels.iter().filter(|l| l.is_some()).count(),
    };
    (out, stats)
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
