//! Entry points for the fuzz targets in `fuzz/`: not API, hidden from the docs, and free to
//! change with the targets.
//!
//! Each runs one crate-private reader of untrusted input on text held in memory (nothing
//! here touches the disk) and returns plain facts, so that the targets can check invariants
//! beyond "it did not panic". Parsers already public ([`crate::parse`],
//! [`crate::check_texts`], [`crate::render`]) are fuzzed directly.

use std::path::Path;

use crate::baseline::Baseline;
use crate::check::Report;
use crate::diagnostic::{Diagnostic, Edit};
use crate::rules::attack::catalogue::{Catalogue, MAX_DOMAINS, MAX_FIELD_BYTES};
use crate::rules::attack::IdKind;

/// What a `vaultlint.toml` that loaded turns into.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigFacts {
    /// The names of the rules the run would use, in the order the settings hold them.
    pub rules: Vec<&'static str>,
    /// Rule names with a severity override.
    pub severities: Vec<String>,
    /// Catalogue files the config names.
    pub catalogs: usize,
}

/// Parses `text` as `vaultlint.toml` and merges it with an empty command line, as
/// `vaultlint check` does with a discovered config file.
///
/// # Errors
/// The error message `vaultlint check` would print (`vaultlint.toml:line:column: …`).
pub fn config(text: &str) -> Result<ConfigFacts, String> {
    let loaded = crate::config::parse(Path::new("vaultlint.toml"), text.to_owned())
        .map_err(|e| e.to_string())?;
    let settings = crate::config::settings(&loaded, &crate::config::Overrides::default())
        .map_err(|e| e.to_string())?;
    Ok(ConfigFacts {
        rules: settings.rules.iter().map(|r| r.name).collect(),
        severities: settings.severities.into_keys().collect(),
        catalogs: settings.catalogs.len(),
    })
}

/// How a baseline file compares with a report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BaselineFacts {
    /// Findings the file records.
    pub recorded: usize,
    /// The report's findings the baseline does not know (what `--baseline` shows).
    pub new: usize,
    /// Recorded findings still present.
    pub known: usize,
    /// Recorded findings no longer present.
    pub fixed: usize,
}

/// Parses `text` as a baseline file and filters `report`'s findings with it, as
/// `vaultlint check --baseline` does.
///
/// # Errors
/// The message `--baseline` would print for a file that is not a version 1 baseline.
pub fn baseline(text: &str, report: &Report) -> Result<BaselineFacts, String> {
    let baseline = Baseline::parse(text)?;
    let mut filter = baseline.filter();
    let new = report
        .diagnostics
        .iter()
        .filter(|d| filter.is_new(d))
        .count();
    let (known, fixed) = filter.counts();
    Ok(BaselineFacts {
        recorded: baseline.findings.len(),
        new,
        known,
        fixed,
    })
}

/// Writes `report` as `--write-baseline` does and reads it back: the text written.
///
/// # Errors
/// Only if serialization fails.
pub fn write_baseline(report: &Report) -> Result<String, String> {
    serde_json::to_string_pretty(&Baseline::record(
        report
            .diagnostics
            .iter()
            .map(crate::baseline::entry)
            .collect(),
    ))
    .map_err(|e| e.to_string())
}

/// Which of `paths` the `userIgnoreFilters` of `text`, read as `.obsidian/app.json`, exclude,
/// and the problems (`bad-obsidian-config` reasons) reading it reports.
pub fn app_json(text: &str, paths: &[&str]) -> (Vec<bool>, Vec<String>) {
    crate::vault::app_json_excludes(text, paths)
}

/// One row of a catalogue, as [`catalogue`] read it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CatalogueRow {
    /// The ATT&CK ID.
    pub id: String,
    /// Its name.
    pub name: String,
    /// Its domain.
    pub domain: String,
    /// Its type (`technique`, `sub-technique`, …).
    pub kind: String,
    /// Whether [`Catalogue::lookup`] by this ID, the kind its type fits and its own domain
    /// finds a row of that domain: `None` for a type no ID kind fits.
    pub found_in_domain: Option<bool>,
}

/// What a catalogue file (STIX bundle or TSV) that loaded holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CatalogueFacts {
    /// Every row.
    pub rows: Vec<CatalogueRow>,
    /// The release description after the catalogue is merged into an empty one.
    pub describe: String,
    /// The longest ID or name accepted, in bytes (the loader's limit).
    pub max_field_bytes: usize,
    /// The most domains one object may list (the loader's limit).
    pub max_domains: usize,
}

/// Loads `text` as a catalogue given with `--attack-catalog` or `[attack] catalog`.
///
/// # Errors
/// The loader's message for text that is neither a STIX bundle nor a catalogue TSV.
pub fn catalogue(text: &str) -> Result<CatalogueFacts, String> {
    let loaded = Catalogue::from_text(text, "fuzz.json")?;
    let rows = loaded
        .entries()
        .map(|e| CatalogueRow {
            id: e.id.clone(),
            name: e.name.clone(),
            domain: e.domain.clone(),
            kind: e.kind.clone(),
            found_in_domain: IdKind::ALL
                .into_iter()
                .find(|k| k.fits_type(&e.kind))
                .map(|k| {
                    loaded
                        .lookup(&e.id, k, Some(&e.domain))
                        .is_some_and(|f| f.domain == e.domain && f.id == e.id)
                }),
        })
        .collect();
    let mut merged = Catalogue::empty();
    merged.merge(loaded);
    Ok(CatalogueFacts {
        rows,
        describe: merged.describe(),
        max_field_bytes: MAX_FIELD_BYTES,
        max_domains: MAX_DOMAINS,
    })
}

/// Applies the fixes of one note's findings to its `text` as `--fix` does in one pass: the
/// fixed text and the edits applied, sorted by position.
pub fn apply_fixes(text: &str, diagnostics: &[&Diagnostic]) -> (String, Vec<Edit>) {
    let (edits, _) = crate::fix::choose(text, diagnostics);
    let fixed = crate::fix::splice(text, &edits);
    (fixed, edits.into_iter().cloned().collect())
}

/// The `--diff` patch of one note at vault path `path` changed from `old` to `new`, as
/// `vaultlint check --diff` prints it (paths quoted as `git diff` quotes them).
pub fn diff(path: &str, old: &str, new: &str) -> String {
    crate::fix::note_diff(path, old, new, crate::render::escape::patch_path)
}

/// The escaping sinks of `render::escape`, for the fuzz targets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sink {
    /// One vault string for a terminal or CI log (`escape::terminal`).
    Terminal,
    /// Text of several lines vaultlint composed (`escape::log_text`, the stderr writer).
    Log,
    /// A note's text shown as source (`escape::terminal_source`).
    Source,
    /// A GitHub annotation's message (`escape::ci_data`).
    CiData,
    /// A GitHub annotation's property (`escape::ci_property`).
    CiProperty,
    /// A Markdown code span (`escape::markdown_code`).
    MarkdownCode,
    /// Markdown or inline HTML text (`escape::markdown_text`).
    MarkdownText,
    /// A path in a patch header (`escape::patch_path`).
    Patch,
}

/// `s` escaped for `sink`; for [`Sink::Source`], also each byte offset of `s` that is a
/// character boundary mapped into the escaped text.
pub fn escape(sink: Sink, s: &str) -> (String, Vec<(usize, usize)>) {
    use crate::render::escape;
    let text = match sink {
        Sink::Terminal => escape::terminal(s).into_owned(),
        Sink::Log => {
            let mut out = Vec::new();
            {
                let mut w = escape::log_writer(&mut out);
                let _ = std::io::Write::write_all(&mut w, s.as_bytes());
            }
            String::from_utf8_lossy(&out).into_owned()
        }
        Sink::Source => {
            let (text, shifts) = escape::terminal_source(s);
            let map = (0..=s.len())
                .filter(|&i| s.is_char_boundary(i))
                .map(|i| (i, shifts.map(i)))
                .collect();
            return (text.into_owned(), map);
        }
        Sink::CiData => escape::ci_data(s),
        Sink::CiProperty => escape::ci_property(s),
        Sink::MarkdownCode => escape::markdown_code(s),
        Sink::MarkdownText => escape::markdown_text(s),
        Sink::Patch => escape::patch_path(s).into_owned(),
    };
    (text, Vec::new())
}
