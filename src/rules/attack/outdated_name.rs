//! `attack-outdated-name`: the note's name is not the current ATT&CK name of the ID it
//! declares. ATT&CK renames objects between releases (`T1552.003` "Bash History" is now
//! "Shell History"). The note name is its file name, with `／` read as `/`.

use crate::diagnostic::{Diagnostic, Severity};

use super::{catalogue_entry, names_entry, AttackContext, AttackRule, RuleMeta};

pub(crate) struct AttackOutdatedName;

static META: RuleMeta = RuleMeta {
    name: "attack-outdated-name",
    summary: "A note's name is not the current ATT&CK name of the ID it declares",
    default_severity: Severity::Warning,
    docs: r#"## Why this matters

ATT&CK renames objects between releases. A note still called by the old name is hard to
find, and tables that show names drift from the matrix. A difference only in case is
reported as info.

## Bad

```md bad file=Bash History.md
---
aliases: [T1552.003]
---
```

## Fix

None. The name is the note's file name: renaming it is a move that must update every
link to the note, which Obsidian does when you rename the note there (and vaultlint's
fixes only edit text inside notes).

## Good

```md good file=Shell History.md
---
aliases: [T1552.003]
---
```
"#,
    fix: crate::diagnostic::FixAvailability::None,
};

impl AttackRule for AttackOutdatedName {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_note(&self, ctx: &AttackContext<'_>, out: &mut Vec<Diagnostic>) {
        // In a vault newer than its catalogue a different name is most likely ATT&CK's
        // newer one.
        if ctx.index.release.newer {
            return;
        }
        let Some(declared) = ctx.index.primary(ctx.id) else {
            return;
        };
        let Some(entry) = catalogue_entry(ctx.index, ctx.id, &declared.id, declared.kind) else {
            return;
        };
        if entry.revoked || entry.deprecated {
            return;
        }
        let name = ctx.index.note_name(ctx.id, ctx.path);
        if names_entry(ctx.index, ctx.id, &name, entry) {
            return;
        }
        let case_only = name.to_lowercase() == entry.name.to_lowercase();
        let file_name = ctx.index.config.renamed_file(ctx.path, &entry.name);
        out.push(
            Diagnostic::new(
                &META,
                ctx.path,
                Some(declared.span(ctx.note)),
                format!("`{}` is called `{}` in ATT&CK, not `{name}`", declared.id, entry.name),
            )
            .with_severity(if case_only { Severity::Info } else { Severity::Warning })
            .with_label(format!("declares `{}`", declared.id))
            .with_help(format!(
                "rename the note to `{file_name}` in Obsidian, which updates links to it; table name cells that list it need the new name too"
            ))
            .with_subject(declared.id.clone()),
        );
    }
}
