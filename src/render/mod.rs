//! Output formats. Each takes the same sorted diagnostics; nothing upstream knows formats.

mod concise;
mod human;
mod json;

use std::collections::BTreeMap;
use std::io::{self, Write};

use crate::Report;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Source lines with the finding underlined (default)
    Human,
    /// One line per finding: `path:line:column: rule message`
    Concise,
    /// One JSON object, schema version 1 (see README)
    Json,
}

/// Settings that affect only how the human format looks.
#[derive(Debug, Clone, Copy)]
pub struct Style {
    pub color: bool,
    pub width: usize,
}

pub fn render(
    format: Format,
    report: &Report,
    sources: &BTreeMap<String, String>,
    style: Style,
    out: &mut dyn Write,
) -> io::Result<()> {
    match format {
        Format::Human => human::render(report, sources, style, out),
        Format::Concise => concise::render(report, out),
        Format::Json => json::render(report, out),
    }
}
