//! `attack-name-mismatch`: in a table row `| [[…\|ID]] | Name | … |`, the name cell differs
//! from the name of the note the link opens. `／` and `/` count as equal (file names cannot
//! hold `/`); a difference only in case is reported as info. When the table's header has an
//! `ID` column, only links in that column are checked (an analytic's ID in a later column
//! is followed by its description, not its name).

use crate::diagnostic::{Diagnostic, Severity};

use super::{labelled_links, same_name, AttackContext, AttackRule, RuleMeta};

pub(crate) struct AttackNameMismatch;

static META: RuleMeta = RuleMeta {
    name: "attack-name-mismatch",
    summary: "The name cell of an ID-labelled table row differs from the linked note's name",
    default_severity: Severity::Warning,
    docs: r#"## Why this matters

In ATT&CK tables the name cell tells the reader what the row is about; the link decides
where they land. When the two disagree, one of them is stale: the row was renamed but the
link still opens the old note, or the link was re-pointed and the name was not.

## Bad

```md bad
| ID | Name |
| --- | --- |
| [[Shell History\|T1552.003]] | Bash Logs |
```

## Good

```md good
| ID | Name |
| --- | --- |
| [[Shell History\|T1552.003]] | Shell History |
| [[Encrypted／Encoded File\|T1027.013]] | Encrypted/Encoded File |
```

```md file=Shell History.md
---
aliases: [T1552.003]
---
```

```md file=Encrypted／Encoded File.md
---
aliases: [T1027.013]
---
```
"#,
};

impl AttackRule for AttackNameMismatch {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_note(&self, ctx: &AttackContext<'_>, out: &mut Vec<Diagnostic>) {
        for l in labelled_links(ctx) {
            let (Some(target), Some(cell)) = (l.target, &l.link.table) else {
                continue;
            };
            // A link to a note that does not declare its ID is wrong itself (reported by
            // `attack-id-mismatch` or `attack-wrong-kind`); its name cell may well be right.
            if !ctx.index.declares(target, &l.id) || l.tied.is_some() {
                continue;
            }
            let id_column = cell
                .header
                .as_ref()
                .and_then(|h| h.iter().position(|c| c.trim().eq_ignore_ascii_case("ID")));
            if id_column.is_some_and(|c| c != cell.index) {
                continue;
            }
            // Only a name column names the row: `| ID | Platform | … |` does not.
            let next_header = cell.header.as_ref().and_then(|h| h.get(cell.index + 1));
            if id_column.is_some()
                && !next_header.is_some_and(|h| {
                    let h = h.trim();
                    h.eq_ignore_ascii_case("name") || h.eq_ignore_ascii_case(l.kind.name())
                })
            {
                continue;
            }
            let Some(name_cell) = cell.cells.get(cell.index + 1) else {
                continue;
            };
            let shown = name_cell.replace('\u{FF0F}', "/");
            let shown = shown.trim();
            let name = ctx.index.config.note_name(ctx.vault.path(target));
            // A cell that restates the row's ID (`AN1670 (iOS)`) names nothing.
            let restated = shown
                .strip_prefix(l.id.as_str())
                .is_some_and(|rest| rest.is_empty() || rest.starts_with([' ', '(']));
            // Cells hold rendered text: "via `at` Utility" reads "via at Utility".
            let rendered_name = name.replace('`', "");
            if shown.is_empty() || restated || same_name(shown, &rendered_name) {
                continue;
            }
            let case_only = shown.to_lowercase() == name.to_lowercase();
            out.push(
                Diagnostic::new(
                    &META,
                    ctx.path,
                    Some(l.link.span),
                    format!("the row names `{shown}`, but `{}` opens the note `{name}`", l.id),
                )
                .with_severity(if case_only { Severity::Info } else { Severity::Warning })
                .with_label(format!("opens `{name}`"))
                .with_help(if case_only {
                    format!("only the case differs; write `{name}` in the name cell")
                } else {
                    format!("write `{name}` in the name cell, or point the link at the note called `{shown}`")
                })
                .with_subject(l.link.original.to_string()),
            );
        }
    }
}
