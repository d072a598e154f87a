//! Output formats. Each takes the same sorted diagnostics; nothing upstream knows formats.
//! Every format has its own file; CI formats also get a `RenderContext` that says where the
//! vault sits in its repository.

mod concise;
pub(crate) mod escape;
pub(crate) mod github;
pub(crate) mod gitlab;
mod human;
mod json;
pub(crate) mod junit;
pub(crate) mod position;
pub(crate) mod repo;
pub(crate) mod sarif;
pub(crate) mod statistics;

use std::collections::BTreeMap;
use std::io::{self, Write};

use crate::check::Report;
use repo::RepoContext;

/// The output formats of `vaultlint check --format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Source lines with the finding underlined (default)
    Human,
    /// One line per finding: `path:line:column: severity: message [rule]`
    Concise,
    /// One JSON object, schema version 1 (see README)
    Json,
    /// SARIF 2.1.0, for code scanning (at most 5,000 results, errors first)
    Sarif,
    /// GitHub Actions annotations (`::error file=…::…`) and the job summary
    Github,
    /// JUnit XML test report (one failed test case per finding)
    Junit,
    /// GitLab Code Quality report (JSON)
    Gitlab,
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

/// What formats know beyond the report: the prefix that makes vault paths open from the
/// folder vaultlint ran in (human, concise, JSON's `file`), where the vault sits in its
/// repository (CI formats make paths root-relative), the files under review, and UTF-16
/// positions for SARIF.
#[derive(Debug, Default)]
pub(crate) struct RenderContext {
    /// Put before a vault path, it gives a path that opens from the current folder; empty
    /// when the current folder is the vault.
    pub prefix: String,
    /// Where the vault sits in its repository, and the files under review.
    pub repo: RepoContext,
    /// Filled for SARIF only; other formats ignore it.
    pub positions: position::Positions,
}

/// Renders with paths relative to the vault (no repository context).
///
/// # Errors
/// Only when writing to `out` fails.
pub fn render(
    format: Format,
    report: &Report,
    sources: &BTreeMap<String, String>,
    style: Style,
    out: &mut dyn Write,
) -> io::Result<Vec<String>> {
    render_with_context(
        format,
        report,
        sources,
        style,
        &RenderContext::default(),
        out,
    )
}

/// Renders `report` in `format`. Returns notes for stderr (what a format had to leave out).
pub(crate) fn render_with_context(
    format: Format,
    report: &Report,
    sources: &BTreeMap<String, String>,
    style: Style,
    ctx: &RenderContext,
    out: &mut dyn Write,
) -> io::Result<Vec<String>> {
    match format {
        Format::Human => human::render(report, sources, style, &ctx.prefix, out)?,
        Format::Concise => concise::render(report, &ctx.prefix, out)?,
        Format::Json => json::render(report, &ctx.prefix, out)?,
        Format::Sarif => return sarif::render(report, ctx, out),
        Format::Github => github::render(report, ctx, out)?,
        Format::Junit => junit::render(report, ctx, out)?,
        Format::Gitlab => gitlab::render(report, ctx, out)?,
    }
    Ok(Vec::new())
}
