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
mod partial_path_match;
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
    /// Parallel to `note.links`: each link's ATT&CK label, computed once per note.
    pub labels: &'a [Option<(String, crate::attack::IdKind)>],
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
    &partial_path_match::PartialPathMatch,
    &skipped_symlink::SkippedSymlink,
    &unescaped_table_pipe::UnescapedTablePipe,
    &unquoted_property_link::UnquotedPropertyLink,
    &unreadable_file::UnreadableFile,
    &unused_suppression::UnusedSuppression,
];

pub fn find(name: &str) -> Option<&'static dyn Rule> {
    ALL.iter().copied().find(|r| r.meta().name == name)
}

/// The outline of the linked note, whose subpath should be checked: only `.md` targets
/// have headings and blocks (reference note, rule 7).
pub(crate) fn markdown_target<'a>(
    vault: &'a Vault,
    resolution: &Resolution,
) -> Option<&'a crate::parse::Outline> {
    let file = resolution.file()?;
    vault.outline(file)
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
    ctx.note
        .links
        .iter()
        .zip(ctx.resolutions)
        .zip(ctx.labels)
        .filter(|((link, _), _)| link.problem.is_none())
        .filter_map(move |((link, resolution), label)| {
            let (id, kind) = label.clone()?;
            let target = resolution
                .file()
                .filter(|&f| ctx.vault.outline(f).is_some());
            Some(LabelledLink {
                link,
                target,
                id,
                kind,
            })
        })
}

/// An ATT&CK ID a note mentions: one it declares, or the label of one of its links.
pub(crate) struct Mention {
    pub id: String,
    pub kind: crate::attack::IdKind,
    pub span: crate::diagnostic::Span,
    /// For a link label: the note the link opens (if it resolves), and whether the link
    /// sits in a table row.
    pub link: Option<(Option<FileId>, bool)>,
}

impl Mention {
    pub fn verb(&self) -> &'static str {
        if self.link.is_some() {
            "links to"
        } else {
            "declares"
        }
    }
}

/// Every ATT&CK ID a note mentions. Catalogue rules check them all.
pub(crate) fn mentioned_ids(ctx: &NoteContext<'_>) -> Vec<Mention> {
    let mut out: Vec<Mention> = ctx
        .vault
        .attack
        .declared
        .get(ctx.id)
        .into_iter()
        .flatten()
        .map(|d| Mention {
            id: d.id.clone(),
            kind: d.kind,
            span: d.span(ctx.note),
            link: None,
        })
        .collect();
    out.extend(labelled_links(ctx).map(|l| Mention {
        id: l.id,
        kind: l.kind,
        span: l.link.span,
        link: Some((l.target, l.link.table.is_some())),
    }));
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

/// A wiki-link to the note at `path` labelled `label`; in a table row the pipe is escaped,
/// so the suggestion can be pasted as is.
pub(crate) fn wiki_link(path: &str, label: &str, in_table: bool) -> String {
    let target = path.strip_suffix(".md").unwrap_or(path);
    let pipe = if in_table { "\\|" } else { "|" };
    format!("[[{target}{pipe}{label}]]")
}

/// The note declaring `id` that a link most likely meant: in the domain folder of `near`,
/// else of the linking note, else the first by path. `kind` keeps only notes in folders of
/// that kind; `except` is left out.
pub(crate) fn nearest_declaring(
    ctx: &NoteContext<'_>,
    id: &str,
    near: Option<FileId>,
    kind: Option<crate::attack::IdKind>,
    except: Option<FileId>,
) -> Option<FileId> {
    let vault = ctx.vault;
    let config = &vault.attack_config;
    let domain = |p: &str| config.domain_of(p).map(|(folder, _)| folder.to_owned());
    let near_domain = near.and_then(|n| domain(vault.path(n)));
    let source_domain = domain(ctx.path);
    vault
        .attack
        .by_id
        .get(id)?
        .iter()
        .copied()
        .filter(|&f| Some(f) != except)
        .filter(|&f| kind.is_none_or(|k| config.folder_kind(vault.path(f)) == Some(k)))
        .min_by_key(|&f| {
            let d = domain(vault.path(f));
            (d != near_domain, d != source_domain, vault.path(f).clone())
        })
}

/// The IDs that replaced a revoked ID, in order (`T1073` → `T1574.002` → `T1574.001`).
pub(crate) fn revocation_chain(
    vault: &Vault,
    path: &str,
    id: &str,
    kind: crate::attack::IdKind,
) -> Vec<String> {
    let mut chain = Vec::new();
    let mut current = id.to_owned();
    while let Some(next) = catalogue_entry(vault, path, &current, kind)
        .filter(|e| e.revoked)
        .and_then(|e| e.revoked_by.clone().or_else(|| e.replacement.clone()))
    {
        if chain.contains(&next) || chain.len() > 16 {
            break;
        }
        chain.push(next.clone());
        current = next;
    }
    chain
}

#[cfg(test)]
mod tests;
