//! `path:line:column: rule message`, one finding per line, for grep and editors.

use std::io::{self, Write};

use crate::check::Report;

pub(crate) fn render(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    for d in &report.diagnostics {
        writeln!(
            out,
            "{}:{}:{}: {} {}",
            d.path,
            d.line(),
            d.column(),
            d.rule.name,
            d.message
        )?;
    }
    Ok(())
}
