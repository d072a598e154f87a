//! `attack-duplicate-id`: two notes in the same domain folder declare the same ATT&CK ID.
//!
//! The scope is the folder holding the note's kind folder (`techniques/`, `Groups/`, …)
//! together with the domain folder around the note (`Enterprise attack/`), so both
//! `Enterprise-Attack/techniques/` and `Data Components/Enterprise attack/` keep domains
//! apart; notes outside both share the vault root. Only each note's
//! primary ID counts.

use crate::diagnostic::{Diagnostic, Related, Severity};
use crate::index::FileId;

use super::fix::scope;
use super::{AttackContext, AttackRule, RuleMeta};

pub(crate) struct AttackDuplicateId;

/// Enough other declarations to act on; listing hundreds would make output grow with the
/// square of the number of copies.
const MAX_RELATED: usize = 10;

static META: RuleMeta = RuleMeta {
    name: "attack-duplicate-id",
    summary: "Two notes in the same domain folder declare the same ATT&CK ID",
    default_severity: Severity::Error,
    docs: r#"## Why this matters

One ATT&CK object should have one note per domain. With two, links by ID land on either
at random, edits go to one copy, and the other silently goes stale.

## Bad

```md bad
---
aliases: [T1036]
---
```

```md file=Masquerading copy.md
---
aliases: [T1036]
---
```

## Good

```md good
---
aliases: [T1036.005]
---
```
"#,
    fix: crate::diagnostic::FixAvailability::None,
};

impl AttackRule for AttackDuplicateId {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_note(&self, ctx: &AttackContext<'_>, out: &mut Vec<Diagnostic>) {
        let vault = ctx.vault;
        let Some(primary) = ctx.index.primary(ctx.id) else {
            return;
        };
        let here = scope(ctx, ctx.id);
        let others: Vec<FileId> = ctx
            .index
            .by_id
            .get(&primary.id)
            .into_iter()
            .flatten()
            .copied()
            .filter(|&f| f != ctx.id && here.is_some() && scope(ctx, f) == here)
            .filter(|&f| ctx.index.primary(f).is_some_and(|p| p.id == primary.id))
            .collect();
        if others.is_empty() {
            return;
        }
        let id = &primary.id;
        let list: Vec<String> = others
            .iter()
            .map(|&o| format!("`{}`", vault.path(o)))
            .collect();
        out.push(
            Diagnostic::new(
                &META,
                ctx.path,
                Some(primary.span(ctx.note)),
                format!("`{id}` is also declared by {}", list.join(", ")),
            )
            .with_label(format!("declares `{id}`"))
            .with_help("keep one note per ID in each domain: merge the notes, or fix the wrong ID")
            .with_related(
                others
                    .iter()
                    .take(MAX_RELATED)
                    .map(|&o| Related {
                        path: vault.path(o).clone(),
                        span: None,
                        message: format!("also declares `{id}`"),
                    })
                    .collect(),
            )
            .with_subject(id.clone()),
        );
    }
}
