//! `attack-revoked-id`: a note declares, or a link is labelled with, an ATT&CK ID that
//! MITRE has revoked. The replacement follows the revoked-by chain to its end.

use crate::diagnostic::{Applicability, Diagnostic, FixAvailability, Severity};

use super::{
    catalogue_entry, mentioned_ids, nearest_declaring, wiki_link, AttackContext, AttackRule,
    Mention, RuleMeta,
};

pub(crate) struct AttackRevokedId;

/// The rule's name, for the pack's choice of one finding per wrong label.
pub(crate) const NAME: &str = "attack-revoked-id";

static META: RuleMeta = RuleMeta {
    name: NAME,
    summary: "An ATT&CK ID in a note or link label has been revoked; names the replacement",
    default_severity: Severity::Error,
    docs: r#"## Why this matters

ATT&CK revokes an ID when the object is merged into or replaced by another: `T1173`
(Dynamic Data Exchange) became the sub-technique `T1559.002`. A note or table row that
still uses the revoked ID no longer matches the current matrix, detections and reports,
and anyone looking it up on attack.mitre.org lands on a "revoked" page.

## Bad

```md bad
| ID | Name |
| --- | --- |
| [[Dynamic Data Exchange\|T1173]] | Dynamic Data Exchange |
```

## Good

```md good
| ID | Name |
| --- | --- |
| [[Dynamic Data Exchange\|T1559.002]] | Dynamic Data Exchange |
```

```md file=Dynamic Data Exchange.md
---
aliases: [T1559.002]
---
```

## Fix

Where the catalogue names the replacement: on a link whose note declares the new ID, the
label changes to it (safe: the link opens the same note); on a link whose note does not,
the link moves to the one note in the domain that declares the new ID (unsafe: it opens
another note). A note that declares the revoked ID is changed to declare the new one
(front matter and first heading) when no other note in its domain declares it: safe when
ATT&CK kept the object's name, unsafe when the object was merged into another.

## Configuration

`--attack-catalog PATH` checks against a newer catalogue (TSV or STIX bundle).
"#,
    fix: FixAvailability::Sometimes(Applicability::Safe),
};

impl AttackRule for AttackRevokedId {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_note(&self, ctx: &AttackContext<'_>, out: &mut Vec<Diagnostic>) {
        for m in mentioned_ids(ctx) {
            let Some(entry) = catalogue_entry(ctx.index, ctx.id, &m.id, m.kind) else {
                continue;
            };
            if !entry.revoked {
                continue;
            }
            let id = &m.id;
            // A row of a relationship table whose replacement ATT&CK does not relate to the
            // note (T1547.011 became T1647, which is no sub-technique of T1547): relabelling
            // would write a row the release does not have, so the row goes.
            let unrelated = entry.replacement.as_deref().is_some_and(|new| {
                m.labelled.is_some()
                    && ctx.tables.iter().any(|t| {
                        t.rows.get(id).is_some_and(|(span, _)| *span == m.span) && !t.has(ctx, new)
                    })
            });
            let fix = if unrelated {
                super::relationship_fix::remove_row(ctx.text(), m.span)
            } else {
                entry.replacement.as_deref().and_then(|new| {
                    let new_entry = catalogue_entry(ctx.index, ctx.id, new, m.kind);
                    super::fix::replace_id(ctx, &m, entry, new, new_entry)
                })
            };
            let (message, help) = match &entry.replacement {
                None if entry.revocation_cycle.is_some() => {
                    let cycle = entry.revocation_cycle.as_deref().unwrap_or_default();
                    // Shown from this ID when it is on the cycle (it may only lead into it).
                    let ring = &cycle[..cycle.len().saturating_sub(1)];
                    let from = ring.iter().position(|c| c == id).unwrap_or(0);
                    let cycle: Vec<&str> = ring[from..]
                        .iter()
                        .chain(&ring[..=from.min(ring.len().saturating_sub(1))])
                        .map(String::as_str)
                        .collect();
                    (
                        format!(
                            "`{id}` ({}) was revoked, but the catalogue's revoked-by chain from it runs in a circle ({}), so it has no replacement",
                            entry.name,
                            cycle.join(" → ")
                        ),
                        "fix the catalogue's `revoked_by` entries, or map the ID by hand".to_owned(),
                    )
                }
                Some(new) if unrelated => (
                    format!(
                        "`{id}` ({}) was revoked in ATT&CK; it is now `{new}`, which this table's note is not related to",
                        entry.name
                    ),
                    format!("remove the row: ATT&CK has no such relationship with `{new}`"),
                ),
                Some(new) => {
                    let new_name = catalogue_entry(ctx.index, ctx.id, new, m.kind)
                        .or_else(|| ctx.index.catalogue.all(new).into_iter().next())
                        .map_or_else(String::new, |e| format!(" ({})", e.name));
                    (
                        format!(
                            "`{id}` ({}) was revoked in ATT&CK; it is now `{new}`{new_name}",
                            entry.name
                        ),
                        help(ctx, &m, new),
                    )
                }
                None => (
                    format!(
                        "`{id}` ({}) was revoked in ATT&CK without a replacement",
                        entry.name
                    ),
                    "remove the ID, or map it by hand to the object that covers it now".to_owned(),
                ),
            };
            out.push(
                Diagnostic::new(&META, ctx.path, Some(m.span), message)
                    .with_label(format!("this note {} a revoked ID", m.verb()))
                    .with_help(help)
                    // A row that goes is named by its link, as a stale row is.
                    .with_subject(match m.labelled {
                        Some(link) if unrelated => link.original().to_string(),
                        _ => id.clone(),
                    })
                    .with_fix(fix),
            );
        }
    }
}

/// The edit that moves to the replacement without creating a second note for it.
fn help(ctx: &AttackContext<'_>, m: &Mention<'_>, new: &str) -> String {
    let vault = ctx.vault;
    let id = &m.id;
    match m.link {
        Some((target, in_table)) => {
            if target.is_some_and(|t| ctx.index.declares(t, new)) {
                return format!("the linked note declares `{new}`: change the label to `{new}`");
            }
            match nearest_declaring(ctx, new, target, None, target) {
                Some(other) => format!("`{}` declares `{new}`: link to `{}`", vault.path(other), wiki_link(vault.path(other), new, in_table)),
                None => format!("change the label to `{new}`, and the linked note's ID (front matter and heading) to `{new}`"),
            }
        }
        None => match nearest_declaring(ctx, new, Some(ctx.id), None, Some(ctx.id)) {
            Some(other) => format!(
                "`{new}` already has a note, `{}`: merge this note into it and point links there",
                vault.path(other)
            ),
            None => {
                format!("change this note's ID (front matter and heading) from `{id}` to `{new}`")
            }
        },
    }
}
