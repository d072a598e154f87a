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
use index::Vault;
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
            attack: Arc::new(attack::AttackConfig::default()),
            catalogue: Arc::new(attack::Catalogue::built_in()),
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

/// Runs the whole pipeline on a vault. Fails only when the vault itself cannot be listed.
pub fn check(options: &CheckOptions) -> Result<Report, Error> {
    let root = &options.root;
    let meta =
        std::fs::metadata(root).map_err(|e| Error::VaultRoot(root.clone(), e.to_string()))?;
    if !meta.is_dir() {
        return Err(Error::VaultRoot(root.clone(), "not a folder".to_owned()));
    }
    let listing = vault::walk(root, &options.walk);
    let mut problems = listing.problems;
    let parsed: Vec<(Option<parse::Note>, Option<FileProblem>)> = listing
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
            match vault::read_note(&file.abs, options.max_note_bytes) {
                NoteText::Text(text, issue) => {
                    (Some(parse::parse_note(&text)), issue.and_then(problem))
                }
                NoteText::Skipped(kind) => (None, problem(kind)),
            }
        })
        .collect();
    let mut notes = Vec::with_capacity(parsed.len());
    for (note, problem) in parsed {
        notes.push(note);
        problems.extend(problem);
    }
    let mut vault = Vault::new(listing.files, notes, problems);
    vault.attack = attack::AttackModel::build(&vault, &options.attack);
    vault.attack_config = Arc::clone(&options.attack);
    vault.catalogue = Arc::clone(&options.catalogue);
    vault.resolutions = (0..vault.files.len())
        .into_par_iter()
        .map(|id| match vault.note(id) {
            Some(note) if vault.files[id].lint => note
                .links
                .iter()
                .map(|l| vault.resolve(&l.path, id))
                .collect(),
            _ => Vec::new(),
        })
        .collect();
    let rules: Vec<&'static dyn Rule> =
        options.rules.clone().unwrap_or_else(|| rules::ALL.to_vec());
    let linted: Vec<_> = vault.linted_notes().collect();
    let mut diagnostics: Vec<Diagnostic> = linted
        .par_iter()
        .flat_map_iter(|&(id, note)| {
            let ctx = NoteContext {
                vault: &vault,
                id,
                note,
                path: vault.path(id),
                resolutions: &vault.resolutions[id],
            };
            let mut out = Vec::new();
            for rule in &rules {
                rule.check_note(&ctx, &mut out);
            }
            out
        })
        .collect();
    for rule in &rules {
        rule.check_vault(&vault, &mut diagnostics);
    }
    let report_unused = rules.iter().any(|r| r.meta().name == "unused-suppression");
    let ran: Vec<&str> = rules.iter().map(|r| r.meta().name).collect();
    let mut diagnostics = suppress::apply(&vault, diagnostics, &ran, report_unused);
    for d in &mut diagnostics {
        if let Some(&severity) = options.severities.get(d.rule.name) {
            d.severity = severity;
        }
    }
    diagnostics.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    let mut report = Report {
        diagnostics,
        summary: Summary {
            files: vault.files.len(),
            notes: linted.len(),
            links: linted.iter().map(|(_, n)| n.links.len()).sum(),
            attack_links: linted
                .iter()
                .map(|(_, n)| {
                    n.links
                        .iter()
                        .filter(|l| attack::link_label(l, &options.attack).is_some())
                        .count()
                })
                .sum(),
            attack_catalog: options.catalogue.version.clone(),
            ..Summary::default()
        },
    };
    report.recount();
    Ok(report)
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
        let abs = d
            .path
            .split('/')
            .fold(root.to_path_buf(), |p, seg| p.join(seg));
        if let NoteText::Text(text, _) = vault::read_note(&abs, vault::MAX_NOTE_BYTES) {
            sources.insert(d.path.to_string(), text);
        }
    }
    sources
}
