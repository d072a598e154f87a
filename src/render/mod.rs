//! Output formats. Each takes the same sorted diagnostics; nothing upstream knows formats.

mod concise;
mod github;
mod human;
mod json;
mod sarif;

use std::collections::BTreeMap;
use std::io::{self, Write};

use crate::check::Report;

/// `--format`: how findings are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Source lines with the finding underlined (default)
    Human,
    /// One line per finding: `path:line:column: severity: message [rule]`
    Concise,
    /// One JSON object, schema version 1 (see README)
    Json,
    /// SARIF 2.1.0, for code scanning
    Sarif,
    /// GitHub Actions annotations (`::error file=…::…`)
    Github,
}

/// Settings that affect only how the human format looks.
#[derive(Debug, Clone, Copy)]
pub struct Style {
    /// ANSI colours (`--color`, `NO_COLOR`).
    pub color: bool,
    /// Wrap text at this many terminal columns; `None` (output is not a terminal): no wrapping.
    pub width: Option<usize>,
    /// `--quiet`: findings only, no summary lines.
    pub quiet: bool,
}

/// Writes `report` in `format`, with vault-relative paths (see [`render_with_prefix`]).
///
/// # Errors
/// Only when writing to `out` fails.
pub fn render(
    format: Format,
    report: &Report,
    sources: &BTreeMap<String, String>,
    style: Style,
    out: &mut dyn Write,
) -> io::Result<()> {
    render_with_prefix(format, report, sources, style, "", out)
}

/// Like `render`, with `prefix` put before every vault path so that paths open from the
/// folder vaultlint ran in (JSON keeps `path` vault-relative and adds `file` with it).
pub fn render_with_prefix(
    format: Format,
    report: &Report,
    sources: &BTreeMap<String, String>,
    style: Style,
    prefix: &str,
    out: &mut dyn Write,
) -> io::Result<()> {
    match format {
        Format::Human => human::render(report, sources, style, prefix, out),
        Format::Concise => concise::render(report, prefix, out),
        Format::Json => json::render(report, prefix, out),
        Format::Sarif => sarif::render(report, prefix, out),
        Format::Github => github::render(report, prefix, out),
    }
}
