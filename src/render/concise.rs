//! `path:line:column: severity: message [rule]`, one finding per line, the compiler style
//! that grep, editors' quickfix lists and CI log parsers read.

use std::io::{self, Write};

use super::escape::terminal;
use super::Stream;
use crate::check::Summary;
use crate::diagnostic::Diagnostic;

/// Writes one line per diagnostic, then the summary lines unless `quiet` (as ruff's concise
/// output ends with its count); `prefix` goes before each vault path so that it opens from
/// the folder vaultlint ran in. Columns count characters.
pub(crate) struct ConciseStream<'a> {
    pub(crate) prefix: &'a str,
    pub(crate) quiet: bool,
    pub(crate) out: &'a mut dyn Write,
}

/// One finding's line, with its line break: `{prefix}path:line:column: severity: message
/// [rule]`, control characters in the path and message escaped. The human format falls back
/// to it when miette cannot draw a finding.
pub(crate) fn line(prefix: &str, d: &Diagnostic) -> String {
    format!(
        "{prefix}{}:{}:{}: {}: {} [{}]\n",
        terminal(&d.path),
        d.line(),
        d.column(),
        d.severity,
        terminal(&d.message),
        d.rule.name
    )
}

impl Stream for ConciseStream<'_> {
    fn note(&mut self, findings: &[Diagnostic]) -> io::Result<()> {
        for d in findings {
            self.out.write_all(line(self.prefix, d).as_bytes())?;
        }
        Ok(())
    }

    fn finish(&mut self, summary: &Summary) -> io::Result<Vec<String>> {
        if !self.quiet {
            super::summary::write(summary, self.out)?;
        }
        Ok(Vec::new())
    }
}
