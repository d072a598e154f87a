//! Keeps the core's safe fixes safe on ATT&CK links.
//!
//! `ambiguous-link` fixes a link that matches several notes by writing the path of the note
//! Obsidian opens: the link keeps opening the same note, so the core calls it safe. On an
//! ID-labelled link it can write a path that contradicts the link's own label: in
//! `[[Carbanak\|S0030]]`, opening the group note `groups/Carbanak.md`, the fix would pin a
//! software ID to the group's path. There the fix is not safe; when a note declares the
//! label's ID, the finding's fix points the link at it instead, as an unsafe fix (the link
//! then opens another note).

use crate::diagnostic::{Diagnostic, Fix};
use crate::rules::edit::{link_path_to, repoint};

use super::{labelled_links, nearest_declaring, AttackContext};

/// The core rule whose fix this guards.
const AMBIGUOUS_LINK: &str = "ambiguous-link";

/// Rewrites the fix of every `ambiguous-link` finding in `out` (one note's findings) whose
/// ID-labelled link opens a note that declares another ID than the label, or sits in a
/// folder of another kind.
pub(crate) fn guard_ambiguous_fixes(ctx: &AttackContext<'_>, out: &mut [Diagnostic]) {
    if !out.iter().any(|d| d.rule.name == AMBIGUOUS_LINK) {
        return;
    }
    let vault = ctx.vault;
    for l in labelled_links(ctx) {
        let Some(target) = l.target else { continue };
        let Some(d) = out
            .iter_mut()
            .find(|d| d.rule.name == AMBIGUOUS_LINK && d.span == Some(l.link.span))
        else {
            continue;
        };
        let declared = ctx
            .index
            .declared
            .get(target)
            .map_or(&[][..], Vec::as_slice);
        let other_id = !declared.is_empty() && !declared.iter().any(|x| x.id == l.id);
        let other_kind = ctx
            .index
            .folder_kind(target, vault.path(target))
            .is_some_and(|k| k != l.kind)
            || declared.first().is_some_and(|x| x.kind != l.kind);
        if !other_id && !other_kind {
            continue;
        }
        let right = nearest_declaring(ctx, &l.id, Some(target), Some(l.kind), Some(target))
            .or_else(|| nearest_declaring(ctx, &l.id, Some(target), None, Some(target)));
        let fix = right.and_then(|r| {
            let path = link_path_to(vault, r, ctx.id)?;
            let edit = repoint(ctx.text(), l.link, &path)?;
            Some(Fix::unsafe_(
                format!("point the link at `{path}`, which declares `{}`", l.id),
                vec![edit],
            ))
        });
        let opened = vault.path(target);
        d.help = Some(
            match right {
                Some(r) => format!(
                    "`{opened}` does not declare `{}`; `{}` does: link to it",
                    l.id,
                    vault.path(r)
                ),
                None => format!(
                    "`{opened}` does not declare `{}`, and no note does: fix the label or the link",
                    l.id
                ),
            }
            .into(),
        );
        d.fix = fix;
    }
}
