//! The rules: each in its own file, each a unit struct with its metadata and docs.
//!
//! Rules are pure. They read the parsed, resolved vault and push diagnostics; they never
//! touch the filesystem, the environment or shared mutable state. `check_note` runs once
//! per linted note (in parallel), `check_vault` once per run for whole-vault checks.

mod ambiguous_link;
mod attack_deprecated_id;
mod attack_duplicate_id;
mod attack_id_mismatch;
mod attack_name_mismatch;
mod attack_outdated_name;
mod attack_revoked_id;
mod attack_unknown_id;
mod attack_wrong_kind;
mod broken_link;
mod deprecated_property;
mod invalid_front_matter;
mod missing_block;
mod missing_heading;
mod skipped_symlink;
mod unescaped_table_pipe;
mod unquoted_property_link;
mod unreadable_file;
pub(crate) mod unused_suppression;

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
    &attack_deprecated_id::AttackDeprecatedId,
    &attack_duplicate_id::AttackDuplicateId,
    &attack_id_mismatch::AttackIdMismatch,
    &attack_name_mismatch::AttackNameMismatch,
    &attack_outdated_name::AttackOutdatedName,
    &attack_revoked_id::AttackRevokedId,
    &attack_unknown_id::AttackUnknownId,
    &attack_wrong_kind::AttackWrongKind,
    &broken_link::BrokenLink,
    &deprecated_property::DeprecatedProperty,
    &invalid_front_matter::InvalidFrontMatter,
    &missing_block::MissingBlock,
    &missing_heading::MissingHeading,
    &skipped_symlink::SkippedSymlink,
    &unescaped_table_pipe::UnescapedTablePipe,
    &unquoted_property_link::UnquotedPropertyLink,
    &unreadable_file::UnreadableFile,
    &unused_suppression::UnusedSuppression,
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

/// An ID-labelled link that resolved to a note, with its label.
pub(crate) struct LabelledLink<'a> {
    pub link: &'a crate::parse::Link,
    pub target: Option<FileId>,
    pub id: String,
    pub kind: crate::attack::IdKind,
}

/// The note's ID-labelled links (reference: `crate::attack::link_label`).
pub(crate) fn labelled_links<'a>(
    ctx: &'a NoteContext<'_>,
) -> impl Iterator<Item = LabelledLink<'a>> + 'a {
    let config = &ctx.vault.attack_config;
    ctx.note
        .links
        .iter()
        .zip(ctx.resolutions)
        .filter(|(link, _)| link.problem.is_none())
        .filter_map(move |(link, resolution)| {
            let (id, kind) = crate::attack::link_label(link, config)?;
            let target = resolution.file().filter(|&f| ctx.vault.note(f).is_some());
            Some(LabelledLink {
                link,
                target,
                id,
                kind,
            })
        })
}

/// Every ATT&CK ID a note mentions: the IDs it declares and the labels of its links,
/// each with where it is written. Catalogue rules check them all.
pub(crate) fn mentioned_ids(
    ctx: &NoteContext<'_>,
) -> Vec<(
    String,
    crate::attack::IdKind,
    crate::diagnostic::Span,
    &'static str,
)> {
    let mut out: Vec<_> = ctx
        .vault
        .attack
        .declared
        .get(ctx.id)
        .into_iter()
        .flatten()
        .map(|d| (d.id.clone(), d.kind, d.span, "declares"))
        .collect();
    out.extend(labelled_links(ctx).map(|l| (l.id, l.kind, l.link.span, "links to")));
    out
}

/// The catalogue row for an ID written in the note at `path`, preferring its domain.
pub(crate) fn catalogue_entry<'v>(
    vault: &'v Vault,
    path: &str,
    id: &str,
    kind: crate::attack::IdKind,
) -> Option<&'v crate::attack::Entry> {
    let domain = vault.attack_config.domain_of(path).map(|(_, d)| d);
    vault.catalogue.lookup(id, kind, domain)
}

#[cfg(test)]
mod tests;
