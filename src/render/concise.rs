//! `path:line:column: severity: message [rule]`, one finding per line, the compiler style
//! that grep, editors' quickfix lists and CI log parsers read.

use std::io::{self, Write};

use super::escape::escape_control;
use crate::check::Report;

/// Writes one line per diagnostic; `prefix` goes before each vault path so that it opens
/// from the folder vaultlint ran in. Columns count characters.
///
/// # Errors
/// Only when writing to `out` fails.
pub(crate) fn render(report: &Report, prefix: &str, out: &mut dyn Write) -> io::Result<()> {
    for d in &report.diagnostics {
        writeln!(
            out,
            "{prefix}{}:{}:{}: {}: {} [{}]",
            escape_control(&d.path),
            d.line(),
            d.column(),
            d.severity,
            escape_control(&d.message),
            d.rule.name
        )?;
    }
    Ok(())
}
