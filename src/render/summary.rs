//! The summary lines that close the human and concise reports (`vaultlint: found: …`), one
//! writer for both, so the formats a person reads end the same way (as ruff's do).

use std::io::{self, Write};

use crate::check::Summary;

/// Writes the closing lines: the counts per severity, notes, files and links, the config
/// file used, the baseline's and each pack's line, and how many findings a fix can settle.
///
/// # Errors
/// Only when writing to `out` fails.
pub(crate) fn write(s: &Summary, out: &mut dyn Write) -> io::Result<()> {
    let verdict = if s.errors + s.warnings + s.infos == 0 {
        "no findings"
    } else {
        "found"
    };
    let config = match &s.config {
        Some(path) => format!("config {}", super::escape::terminal(path)),
        None => "no config file".to_owned(),
    };
    writeln!(
        out,
        "vaultlint: {verdict}: {} error{}, {} warning{}, {} info in {} note{} ({} file{}, {} link{} checked; {config})",
        s.errors,
        plural(s.errors),
        s.warnings,
        plural(s.warnings),
        s.infos,
        s.notes,
        plural(s.notes),
        s.files,
        plural(s.files),
        s.links,
        plural(s.links)
    )?;
    if let Some(b) = s.baseline {
        writeln!(
            out,
            "vaultlint: baseline: {} known finding{} not shown, {} fixed since it was recorded",
            b.known,
            plural(b.known),
            b.fixed
        )?;
    }
    for line in &s.packs.lines {
        writeln!(out, "vaultlint: {}", super::escape::terminal(line))?;
    }
    if s.fixable + s.unsafe_fixable > 0 {
        writeln!(
            out,
            "vaultlint: {} finding{} fixable with `--fix` ({} more with `--fix --unsafe-fixes`)",
            s.fixable,
            plural(s.fixable),
            s.unsafe_fixable
        )?;
    }
    Ok(())
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}
