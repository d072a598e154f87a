//! `vaultlint rule NAME`: a rule's documentation, as its `RuleMeta` holds it.

use std::io::Write;

use crate::cli::docs;
use crate::cli::Outcome;
use crate::config;
use crate::error::Error;
use crate::rules;

/// Writes the rule's name, summary, default severity, fix availability and docs.
///
/// # Errors
/// `Error::Usage` for a name that is no rule's; a failed write to `out`.
pub(crate) fn rule(name: &str, out: &mut dyn Write) -> Result<Outcome, Error> {
    let meta = rules::find(name).ok_or_else(|| Error::Usage(config::unknown_rule(name, false)))?;
    writeln!(
        out,
        "# {}\n\n{}\n\nDefault severity: {}\nFix: {}\n\n{}",
        meta.name,
        meta.summary,
        meta.default_severity,
        meta.fix,
        docs::for_readers(meta.docs).trim_end()
    )?;
    Ok(Outcome::Clean)
}
