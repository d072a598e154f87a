//! `vaultlint rules`: every rule of every pack, with its default severity and summary.

use std::io::Write;

use crate::cli::Outcome;
use crate::error::Error;
use crate::rules;

/// Writes one line per rule, sorted by name: name, default severity, summary.
///
/// # Errors
/// A failed write to `out`.
pub(crate) fn rules(out: &mut dyn Write) -> Result<Outcome, Error> {
    let all = rules::all();
    let width = all
        .iter()
        .map(|r| r.name.chars().count())
        .max()
        .unwrap_or(0);
    for meta in all {
        writeln!(
            out,
            "{:<width$}  {:<7}  {}",
            meta.name, meta.default_severity, meta.summary
        )?;
    }
    Ok(Outcome::Clean)
}
