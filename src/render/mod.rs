//! Output formats. Each takes the same sorted diagnostics; nothing upstream knows formats.
//! Every format has its own file; CI formats also get a `RenderContext` that says where the
//! vault sits in its repository.

mod concise;
pub(crate) mod escape;
mod fingerprint;
pub(crate) mod github;
pub(crate) mod gitlab;
mod human;
mod json;
pub(crate) mod junit;
pub(crate) mod position;
pub(crate) mod repo;
pub(crate) mod sarif;
pub(crate) mod statistics;
mod summary;

use std::collections::BTreeMap;
use std::io::{self, Write};

use crate::check::{Report, Summary};
use crate::diagnostic::Diagnostic;
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
/// repository (CI formats make paths root-relative) and the files under review.
#[derive(Debug, Default)]
pub(crate) struct RenderContext {
    /// Put before a vault path, it gives a path that opens from the current folder; empty
    /// when the current folder is the vault.
    pub prefix: String,
    /// Where the vault sits in its repository, and the files under review.
    pub repo: RepoContext,
}

/// One output format written while the vault is checked: findings arrive one file at a
/// time, in the report's order (files by path, each file's findings sorted), and the format
/// writes what it can at once, keeping only what it must to write the rest at the end
/// (e.g. the 5,000 SARIF results, or JUnit's counts, which come before the test cases).
/// The bytes are the same as when every finding is known first.
pub(crate) trait Stream {
    /// One file's findings, sorted; never empty.
    ///
    /// # Errors
    /// Only when writing fails.
    fn note(&mut self, findings: &[Diagnostic]) -> io::Result<()>;

    /// Writes the rest, given the final counts. Returns notes for stderr (what a format
    /// had to leave out).
    ///
    /// # Errors
    /// Only when writing fails.
    fn finish(&mut self, summary: &Summary) -> io::Result<Vec<String>>;

    /// The GitHub job summary (Markdown) of the findings, for the github format only.
    fn job_summary(&self, _summary: &Summary) -> Option<String> {
        None
    }
}

/// Reads a note's text by vault path, for formats that show source lines (human) or count
/// UTF-16 columns (SARIF); `None` when it cannot be read.
pub(crate) type ReadSource<'a> = &'a (dyn Fn(&str) -> Option<String> + 'a);

/// The [`Stream`] of `format`, writing to `out`.
pub(crate) fn stream<'a>(
    format: Format,
    style: Style,
    ctx: &'a RenderContext,
    read: ReadSource<'a>,
    out: &'a mut dyn Write,
) -> Box<dyn Stream + 'a> {
    match format {
        Format::Human => Box::new(human::HumanStream::new(style, &ctx.prefix, read, out)),
        Format::Concise => Box::new(concise::ConciseStream {
            prefix: &ctx.prefix,
            quiet: style.quiet,
            out,
        }),
        Format::Json => Box::new(json::JsonStream::new(&ctx.prefix, out)),
        Format::Sarif => Box::new(sarif::SarifStream::new(ctx, read, out)),
        Format::Github => Box::new(github::GithubStream::new(ctx, out)),
        Format::Junit => Box::new(junit::JunitStream::new(ctx, out)),
        Format::Gitlab => Box::new(gitlab::GitlabStream::new(ctx, out)),
    }
}

/// Feeds a whole report to `stream`, one file at a time.
///
/// # Errors
/// Only when writing fails.
pub(crate) fn feed(stream: &mut dyn Stream, report: &Report) -> io::Result<Vec<String>> {
    for note in report.diagnostics.chunk_by(|a, b| a.path == b.path) {
        stream.note(note)?;
    }
    stream.finish(&report.summary)
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
    let read = |path: &str| sources.get(path).cloned();
    let ctx = RenderContext::default();
    let mut stream = stream(format, style, &ctx, &read, out);
    feed(&mut *stream, report)
}
