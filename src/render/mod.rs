//! Output formats. Each takes the same sorted diagnostics; nothing upstream knows formats.

mod concise;
mod github;
mod human;
mod json;
mod sarif;

use std::collections::BTreeMap;
use std::io::{self, Write};

use crate::check::Report;

/// An output format (`--format`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Source lines with the finding underlined (default)
    Human,
    /// One line per finding: `path:line:column: rule message`
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
    /// Whether to use ANSI colours (a terminal, and `NO_COLOR` unset).
    pub color: bool,
    /// Columns to wrap to (the terminal's width, or 100).
    pub width: usize,
}

/// Writes `report` to `out` in `format`. `sources` maps a vault path to the note's text
/// (see [`crate::load_sources`]); only the human format shows source lines, and a note
/// missing from it is shown without them. `style` only affects the human format.
///
/// # Errors
/// Any error writing to `out`.
pub fn render(
    format: Format,
    report: &Report,
    sources: &BTreeMap<String, String>,
    style: Style,
    out: &mut dyn Write,
) -> io::Result<()> {
    render_with_prefix(format, report, sources, style, "", out)
}

/// Like `render`, with `prefix` put before every path in SARIF and GitHub output.
pub(crate) fn render_with_prefix(
    format: Format,
    report: &Report,
    sources: &BTreeMap<String, String>,
    style: Style,
    prefix: &str,
    out: &mut dyn Write,
) -> io::Result<()> {
    match format {
        Format::Human => human::render(report, sources, style, out),
        Format::Concise => concise::render(report, out),
        Format::Json => json::render(report, out),
        Format::Sarif => sarif::render(report, prefix, out),
        Format::Github => github::render(report, prefix, out),
    }
}
