//! The rules: each in its own file, each a unit struct with its metadata and docs.
//!
//! Rules are pure. They read the parsed, resolved vault and push diagnostics; they never
//! touch the filesystem, the environment or shared mutable state. `check_note` runs once
//! per linted note (in parallel), `check_vault` once per run for whole-vault checks.

mod ambiguous_link;
mod broken_link;
mod invalid_front_matter;
mod missing_block;
mod missing_heading;
mod skipped_symlink;
mod unescaped_table_pipe;
mod unquoted_property_link;
mod unreadable_file;

use std::sync::Arc;

use crate::diagnostic::{Diagnostic, Severity};
use crate::index::{FileId, Vault};
use crate::parse::Note;
use crate::resolve::Resolution;

/// What users see of a rule: its name (the interface), summary, default severity and docs.
#[derive(Debug)]
pub struct RuleMeta {
    pub name: &'static str,
    pub summary: &'static str,
    pub default_severity: Severity,
    /// Markdown with the headings `## Why this matters`, `## Bad` and `## Good`. Code blocks
    /// tagged `md bad` must make the rule fire, `md good` must not; `md file=PATH` blocks
    /// add notes to the example vault.
    pub docs: &'static str,
}

/// One note, with everything a rule needs to check it.
pub struct NoteContext<'a> {
    pub vault: &'a Vault,
    pub id: FileId,
    pub note: &'a Note,
    pub path: &'a Arc<str>,
    /// Parallel to `note.links`.
    pub resolutions: &'a [Resolution],
}

pub trait Rule: Sync {
    fn meta(&self) -> &'static RuleMeta;

    fn check_note(&self, _ctx: &NoteContext<'_>, _out: &mut Vec<Diagnostic>) {}

    fn check_vault(&self, _vault: &Vault, _out: &mut Vec<Diagnostic>) {}
}

/// Every rule, sorted by name.
pub static ALL: &[&dyn Rule] = &[
    &ambiguous_link::AmbiguousLink,
    &broken_link::BrokenLink,
    &invalid_front_matter::InvalidFrontMatter,
    &missing_block::MissingBlock,
    &missing_heading::MissingHeading,
    &skipped_symlink::SkippedSymlink,
    &unescaped_table_pipe::UnescapedTablePipe,
    &unquoted_property_link::UnquotedPropertyLink,
    &unreadable_file::UnreadableFile,
];

pub fn find(name: &str) -> Option<&'static dyn Rule> {
    ALL.iter().copied().find(|r| r.meta().name == name)
}

/// The linked note and whether its subpath should be checked: only `.md` targets have
/// headings and blocks (reference note, rule 7).
pub(crate) fn markdown_target<'a>(vault: &'a Vault, resolution: &Resolution) -> Option<&'a Note> {
    let file = resolution.file()?;
    vault.note(file)
}

#[cfg(test)]
mod tests;
