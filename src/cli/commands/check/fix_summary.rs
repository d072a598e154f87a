//! What `--fix` and `--diff` print beside the report: the patch's path prefix and the
//! summary of fixes per rule and of notes left alone.

use std::io::{self, Write};

use crate::fix;

/// The vault folder as given, `/`-separated with a trailing `/`, when it is relative: the
/// `--diff` patch then applies from the folder vaultlint ran in.
pub(super) fn diff_prefix(path: &std::path::Path) -> String {
    if path.is_absolute() {
        return String::new();
    }
    let s = path.to_string_lossy().replace('\\', "/");
    let s = s.trim_start_matches("./").trim_end_matches('/');
    if s.is_empty() || s == "." {
        String::new()
    } else {
        format!("{s}/")
    }
}

/// What `--fix` did (`verb` "fixed") or `--diff` would do ("would fix"): fixes per rule,
/// notes left alone and why.
pub(super) fn write_fix_summary(
    out: &mut dyn Write,
    verb: &str,
    per_rule: &std::collections::BTreeMap<&'static str, usize>,
    plan: &fix::Plan,
    failed: &[(std::sync::Arc<str>, String)],
) -> io::Result<()> {
    let total: usize = per_rule.values().sum();
    let notes = plan.notes.len() - failed.len();
    if total == 0 {
        writeln!(out, "vaultlint: nothing to fix")?;
    } else {
        writeln!(
            out,
            "vaultlint: {verb} {total} finding{} in {notes} note{} ({} pass{}):",
            if total == 1 { "" } else { "s" },
            if notes == 1 { "" } else { "s" },
            plan.passes,
            if plan.passes == 1 { "" } else { "es" }
        )?;
        let width = per_rule.keys().map(|r| r.len()).max().unwrap_or(0);
        for (rule, n) in per_rule {
            writeln!(out, "  {rule:<width$}  {n}")?;
        }
    }
    for (path, reason) in plan
        .skipped
        .iter()
        .chain(failed.iter().map(|(p, r)| (p, r)))
    {
        let (path, reason) = (
            crate::render::escape::terminal(path),
            crate::render::escape::terminal(reason),
        );
        writeln!(out, "vaultlint: not fixed: `{path}`: {reason}")?;
    }
    Ok(())
}
