//! `attack-deprecated-id`: an ATT&CK ID that MITRE has deprecated (kept, not maintained).

use crate::diagnostic::{Applicability, Diagnostic, FixAvailability, Severity};

use super::{catalogue_entry, mentioned_ids, AttackContext, AttackRule, RuleMeta};

pub(crate) struct AttackDeprecatedId;

static META: RuleMeta = RuleMeta {
    name: "attack-deprecated-id",
    summary: "An ATT&CK ID in a note or link label is deprecated",
    default_severity: Severity::Warning,
    docs: r#"## Why this matters

A deprecated ATT&CK object is no longer maintained and has no replacement: it has left
the matrix. Notes built on it describe behaviour ATT&CK no longer tracks, and coverage
counts that include it are inflated.

## Bad

```md bad
---
alias: G0014
---
## G0014
```

## Fix

Only where the catalogue names a replacement (the built-in v18.1 names none for a
deprecated object): then as `attack-revoked-id` fixes it.

## Good

```md good
---
aliases: [G0016]
---
## G0016
```
"#,
    fix: FixAvailability::Sometimes(Applicability::Safe),
};

impl AttackRule for AttackDeprecatedId {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_note(&self, ctx: &AttackContext<'_>, out: &mut Vec<Diagnostic>) {
        for m in mentioned_ids(ctx) {
            let (id, kind, span, verb) = (m.id.clone(), m.kind, m.span, m.verb());
            let Some(entry) = catalogue_entry(ctx.index, ctx.id, &id, kind) else {
                continue;
            };
            if !entry.deprecated || entry.revoked {
                continue;
            }
            let fix = entry.replacement.as_deref().and_then(|new| {
                let new_entry = catalogue_entry(ctx.index, ctx.id, new, kind);
                super::fix::replace_id(ctx, &m, entry, new, new_entry)
            });
            out.push(
                Diagnostic::new(
                    &META,
                    ctx.path,
                    Some(span),
                    format!("`{id}` ({}) is deprecated in ATT&CK", entry.name),
                )
                .with_label(format!("this note {verb} a deprecated ID"))
                .with_help(match &entry.replacement {
                    Some(new) => format!("the catalogue names `{new}` as its replacement: use it"),
                    None => {
                        "deprecated objects have no replacement: archive the note, or drop the ID"
                            .to_owned()
                    }
                })
                .with_subject(id)
                .with_fix(fix),
            );
        }
    }
}
