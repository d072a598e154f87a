//! `attack-duplicate-id`: two notes in the same domain folder declare the same ATT&CK ID.
//!
//! The domain folder is the nearest ancestor named as a domain in the configuration
//! (`Enterprise-Attack`, `Mobile-Attack`, `ICS-Attack` by default); a vault without one
//! is a single domain. Only each note's primary ID counts.

use crate::diagnostic::{Diagnostic, Related, Severity};
use crate::index::FileId;

use super::{NoteContext, Rule, RuleMeta};

pub struct AttackDuplicateId;

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
};

impl Rule for AttackDuplicateId {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_note(&self, ctx: &NoteContext<'_>, out: &mut Vec<Diagnostic>) {
        let vault = ctx.vault;
        let Some(primary) = vault.attack.primary(ctx.id) else {
            return;
        };
        let config = &vault.attack_config;
        let domain = |f: FileId| {
            config
                .domain_of(vault.path(f))
                .map(|(folder, _)| folder.to_owned())
        };
        let here = domain(ctx.id);
        let others: Vec<FileId> = vault
            .attack
            .by_id
            .get(&primary.id)
            .into_iter()
            .flatten()
            .copied()
            .filter(|&f| f != ctx.id && domain(f) == here)
            .filter(|&f| vault.attack.primary(f).is_some_and(|p| p.id == primary.id))
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
