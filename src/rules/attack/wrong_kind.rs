//! `attack-wrong-kind`: an ID-labelled link whose ID kind does not fit the folder of the
//! note it opens, e.g. a mitigation ID (`M1032`) pointing into `techniques/`.

use crate::diagnostic::{Diagnostic, Severity};

use super::{labelled_links, nearest_declaring, wiki_link, AttackContext, AttackRule, RuleMeta};

pub(crate) struct AttackWrongKind;

static META: RuleMeta = RuleMeta {
    name: "attack-wrong-kind",
    summary:
        "An ID-labelled link points into the folder of another kind (an M ID into techniques/)",
    default_severity: Severity::Error,
    docs: r#"## Why this matters

When a mitigation and a technique share a name (`Multi-Factor Authentication`, `Code
Signing`), a generated link can point into the wrong folder: the row says `M1032` but opens
the technique note. The reader lands on the wrong kind of object.

## Bad

```md bad
| [[techniques/Code Signing\|M1045]] | Code Signing |
```

## Good

```md good
| [[mitigations/Code Signing\|M1045]] | Code Signing |
```

```md file=techniques/Code Signing.md
---
aliases: [T1553.002]
---
```

```md file=mitigations/Code Signing.md
---
aliases: [M1045]
---
```

## Configuration

The folder names of each kind are configurable; by default `techniques`, `tactics`,
`mitigations`, `groups`, `software`, `campaigns`, `datasources`, `datacomponents`, `assets`.
"#,
    fix: crate::diagnostic::FixAvailability::None,
};

impl AttackRule for AttackWrongKind {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_note(&self, ctx: &AttackContext<'_>, out: &mut Vec<Diagnostic>) {
        let vault = ctx.vault;
        for l in labelled_links(ctx) {
            let Some(target) = l.target else { continue };
            let target_path = vault.path(target);
            let Some((folder, folder_kind)) = ctx.index.kind_folder(target, target_path) else {
                continue;
            };
            if folder_kind == l.kind {
                continue;
            }
            // On a tie, the other note may be the right kind: which opens is not knowable.
            if l.tied.is_some_and(|t| {
                ctx.index
                    .folder_kind(t, vault.path(t))
                    .is_none_or(|k| k == l.kind)
            }) {
                continue;
            }
            let folder = folder.rsplit('/').next().unwrap_or(folder);
            let right = nearest_declaring(ctx, &l.id, Some(target), Some(l.kind), None);
            let help = match right {
                Some(f) => format!(
                    "link to the {} note instead: `{}`",
                    l.kind.name(),
                    wiki_link(vault.path(f), &l.id, l.link.table().is_some())
                ),
                None => format!(
                    "point the link at a {} note, or fix the label",
                    l.kind.name()
                ),
            };
            out.push(
                Diagnostic::new(
                    &META,
                    ctx.path,
                    Some(l.link.span),
                    format!(
                        "`{}` is a {} ID, but the link opens a note in `{folder}/`",
                        l.id,
                        l.kind.name()
                    ),
                )
                .with_label(format!(
                    "{} note, not a {}",
                    folder_kind.name(),
                    l.kind.name()
                ))
                .with_help(help)
                .with_subject(l.link.original().to_string()),
            );
        }
    }
}
