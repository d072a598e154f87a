//! `attack-unknown-id`: an ID-shaped label or declaration that the catalogue does not
//! know in any domain: a typo, or an ID from a newer ATT&CK than the catalogue.

use crate::diagnostic::{Diagnostic, Severity};

use super::{catalogue_entry, mentioned_ids, AttackContext, AttackRule, RuleMeta};

pub(crate) struct AttackUnknownId;

/// The rule's name, for the pack's choice of one finding per wrong label.
pub(crate) const NAME: &str = "attack-unknown-id";

static META: RuleMeta = RuleMeta {
    name: NAME,
    summary: "An ATT&CK ID in a note or link label is not in the catalogue",
    default_severity: Severity::Error,
    docs: r#"## Why this matters

An ID that ATT&CK never issued is usually a typo (`T1036.080` for `T1036.008`), and it
silently breaks every lookup, report and detection mapping that uses it. IDs are looked up
in the note's own domain first, then in every other domain.

A link whose unknown label opens a note declaring another ID is reported once, as
`attack-id-mismatch`, which names the ID that note declares.

## Bad

```md bad
---
aliases: [T1036.080]
---
# Masquerade File Type
```

## Good

```md good
| [[Masquerade File Type\|T1036.008]] | Masquerade File Type |
```

```md file=Masquerade File Type.md
---
aliases: [T1036.008]
---
```

## Configuration

If your vault uses IDs newer than the built-in catalogue, pass `--attack-catalog PATH`.
"#,
    fix: crate::diagnostic::FixAvailability::None,
};

impl AttackRule for AttackUnknownId {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_note(&self, ctx: &AttackContext<'_>, out: &mut Vec<Diagnostic>) {
        if ctx.index.catalogue.is_empty() {
            return;
        }
        for m in mentioned_ids(ctx) {
            let (id, kind, span, verb) = (m.id.clone(), m.kind, m.span, m.verb());
            // A newer vault's own IDs: `attack-catalog-outdated` reports the catalogue once.
            if catalogue_entry(ctx.index, ctx.id, &id, kind).is_some()
                || ctx.index.release.explains(&id)
            {
                continue;
            }
            let other_kinds: Vec<String> = ctx
                .index
                .catalogue
                .all(&id)
                .iter()
                .map(|e| e.kind.clone())
                .collect();
            let help = if other_kinds.is_empty() {
                format!(
                    "check the ID for a typo; {} has no `{id}`",
                    ctx.index.catalogue.version
                )
            } else {
                format!(
                    "`{id}` exists only as {}, not as a {}",
                    other_kinds.join(", "),
                    kind.name()
                )
            };
            out.push(
                Diagnostic::new(
                    &META,
                    ctx.path,
                    Some(span),
                    format!("`{id}` is not an ATT&CK {} ID", kind.name()),
                )
                .with_label(format!("this note {verb} an unknown ID"))
                .with_help(help)
                .with_subject(id),
            );
        }
    }
}
