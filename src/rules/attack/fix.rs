//! Fix edits shared by the ATT&CK rules: relabelling a link, re-pointing it at the note
//! that declares an ID, and changing the ID a note declares. Pure: they read the note's
//! text and the pack's index and return edits.

use crate::diagnostic::{Applicability, Edit, Fix};
use crate::index::FileId;
use crate::parse::{FrontMatter, LinkRef};
use crate::rules::edit::{link_path_to, property_lines, repoint, wiki_parts};

use super::{AttackContext, Entry, Mention};

/// The edit that changes a link's ID label to `new`: its display text when that is the
/// ID, else the `(ID)` that follows the link.
pub(crate) fn relabel(
    ctx: &AttackContext<'_>,
    link: LinkRef<'_>,
    old: &str,
    new: &str,
) -> Option<Edit> {
    let text = ctx.text();
    if let Some(display) = wiki_parts(text, link).and_then(|p| p.display) {
        let written = text.get(display.clone())?;
        if written.trim() == old {
            let lead = written.len() - written.trim_start().len();
            let start = display.start + lead;
            return Some(Edit::replace(start, start + old.len(), new));
        }
    }
    let after = text.get(link.span.end..)?;
    let rest = after.trim_start_matches([' ', '\t']);
    let inner = rest.strip_prefix('(')?;
    let close = inner.find(')')?;
    let written = &inner[..close];
    if written.trim() != old {
        return None;
    }
    let start = link.span.end
        + (after.len() - rest.len())
        + 1
        + (written.len() - written.trim_start().len());
    Some(Edit::replace(start, start + old.len(), new))
}

/// The domain scope of a note, as `attack-duplicate-id` groups notes
/// ([`super::AttackConfig::scope`]), as the index numbers it: `None` when no note has it.
pub(crate) fn scope(ctx: &AttackContext<'_>, file: FileId) -> Option<u32> {
    ctx.index.scope(file, ctx.vault.path(file))
}

/// The notes other than `except` in the scope of `near` that declare `id`.
pub(crate) fn declaring_in_scope(
    ctx: &AttackContext<'_>,
    id: &str,
    near: FileId,
    except: Option<FileId>,
) -> Vec<FileId> {
    let here = scope(ctx, near);
    ctx.index
        .by_id
        .get(id)
        .into_iter()
        .flatten()
        .copied()
        .filter(|&f| Some(f) != except && here.is_some() && scope(ctx, f) == here)
        .collect()
}

/// Edits that make the note being checked declare `new` where it declares `old`: each
/// `old` entry of `aliases`/`alias`, and a first heading that is exactly `old`.
pub(crate) fn redeclare(ctx: &AttackContext<'_>, old: &str, new: &str) -> Vec<Edit> {
    let text = ctx.text();
    let mut edits = Vec::new();
    if let FrontMatter::Parsed { keys, span, .. } = &ctx.note.front_matter {
        for key in keys.iter().filter(|k| {
            k.name.eq_ignore_ascii_case("aliases") || k.name.eq_ignore_ascii_case("alias")
        }) {
            let range = if key.value.end > key.value.start {
                key.value.start..key.value.end
            } else {
                property_lines(text, key.span.start, span.end)
            };
            edits.extend(token_edits(text, range, old, new));
        }
    }
    if let Some(h) = ctx.note.headings.first() {
        if h.raw.trim() == old {
            edits.extend(token_edits(text, h.span.start..h.span.end, old, new));
        }
    }
    edits
}

/// Replaces each whole-token occurrence of `old` in `range` (not part of a longer ID).
fn token_edits(text: &str, range: std::ops::Range<usize>, old: &str, new: &str) -> Vec<Edit> {
    let Some(part) = text.get(range.clone()) else {
        return Vec::new();
    };
    let is_id_char = |c: char| c.is_ascii_alphanumeric() || c == '.';
    part.match_indices(old)
        .filter(|(i, _)| {
            !part[..*i].ends_with(is_id_char) && !part[i + old.len()..].starts_with(is_id_char)
        })
        .map(|(i, _)| Edit::replace(range.start + i, range.start + i + old.len(), new))
        .collect()
}

/// The fix for an ID (`m`) that ATT&CK replaced with `new` (`entry` is the old ID's row):
/// on a link, the label, when the linked note declares `new` (safe), or the link and its
/// label, when exactly one note in the domain does (unsafe); on a declaration, the
/// note's ID, when no other note in its domain declares `new` (safe when ATT&CK kept the
/// object's name, since only its ID changed; unsafe when it was merged into another).
pub(crate) fn replace_id(
    ctx: &AttackContext<'_>,
    m: &Mention<'_>,
    entry: &Entry,
    new: &str,
    new_entry: Option<&Entry>,
) -> Option<Fix> {
    let old = m.id.as_str();
    match (m.link, m.labelled) {
        (Some((target, _)), Some(link)) => {
            if target.is_some_and(|t| ctx.index.declares(t, new)) {
                let edit = relabel(ctx, link, old, new)?;
                return Some(Fix::safe(
                    format!("change the label to `{new}`"),
                    vec![edit],
                ));
            }
            let near = target.unwrap_or(ctx.id);
            let [other] = declaring_in_scope(ctx, new, near, target)[..] else {
                return None;
            };
            let path = link_path_to(ctx.vault, other, ctx.id)?;
            let edits = vec![
                repoint(ctx.text(), link, &path)?,
                relabel(ctx, link, old, new)?,
            ];
            Some(Fix::unsafe_(
                format!("link to `{path}`, which declares `{new}`"),
                edits,
            ))
        }
        (Some(_), None) => None,
        (None, _) => {
            // Another note in the domain that declares `new`, or another ID that ATT&CK
            // also replaced with `new` (whose fix would give `new` a second note).
            if !declaring_in_scope(ctx, new, ctx.id, Some(ctx.id)).is_empty()
                || ctx.index.by_id.keys().any(|other| {
                    other != old
                        && ctx
                            .index
                            .catalogue
                            .all(other)
                            .iter()
                            .any(|e| e.revoked && e.replacement.as_deref() == Some(new))
                        && !declaring_in_scope(ctx, other, ctx.id, Some(ctx.id)).is_empty()
                })
                || !declaring_in_scope(ctx, old, ctx.id, Some(ctx.id)).is_empty()
            {
                return None;
            }
            let edits = redeclare(ctx, old, new);
            if edits.is_empty() {
                return None;
            }
            let same_object = new_entry.is_some_and(|n| n.name.eq_ignore_ascii_case(&entry.name));
            let applicability = if same_object {
                Applicability::Safe
            } else {
                Applicability::Unsafe
            };
            Some(Fix::new(
                applicability,
                format!("declare `{new}` instead of `{old}`"),
                edits,
            ))
        }
    }
}
