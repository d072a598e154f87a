//! `attack-name-mismatch`: in a table row `| [[…\|ID]] | Name | … |`, the name cell differs
//! from the name of the note the link opens. `／` and `/` count as equal (file names cannot
//! hold `/`); a difference only in case is reported as info. When the table's header has an
//! `ID` column, only links in that column are checked (an analytic's ID in a later column
//! is followed by its description, not its name).

use crate::diagnostic::{Applicability, Diagnostic, Edit, Fix, FixAvailability, Severity};

use super::{
    catalogue_entry, labelled_links, names_entry, same_name, same_sub_name, AttackContext,
    AttackRule, LabelledLink, RuleMeta,
};

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

## Fix

The catalogue decides which side is stale. When ATT&CK's name for the label is the linked
note's name, the name cell is rewritten to it (safe: the link opens the same note). When
ATT&CK's name is the cell's, the note is misnamed (`attack-outdated-name`) and the cell is
left alone. When the catalogue does not know the ID, the cell takes the note's name
(unsafe).

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
    fix: FixAvailability::Sometimes(Applicability::Safe),
};

impl AttackRule for AttackNameMismatch {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_note(&self, ctx: &AttackContext<'_>, out: &mut Vec<Diagnostic>) {
        for l in labelled_links(ctx) {
            let (Some(target), Some(cell)) = (l.target, &l.link.table()) else {
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
            let name = ctx.index.note_name(target, ctx.vault.path(target));
            // A cell that restates the row's ID (`AN1670 (iOS)`) names nothing.
            let restated = shown
                .strip_prefix(l.id.as_str())
                .is_some_and(|rest| rest.is_empty() || rest.starts_with([' ', '(']));
            // Cells hold rendered text: "via `at` Utility" reads "via at Utility".
            let rendered_name = name.replace('`', "");
            let parent =
                l.id.split_once('.')
                    .and_then(|(p, _)| catalogue_entry(ctx.index, ctx.id, p, l.kind))
                    .map(|e| e.name.as_str());
            let same = if l.id.contains('.') {
                same_sub_name(shown, &rendered_name, parent)
            } else {
                same_name(shown, &rendered_name)
            };
            if shown.is_empty() || restated || same {
                continue;
            }
            let case_only = shown.to_lowercase() == name.to_lowercase();
            let fix = fix(ctx, &l, shown, &name);
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
                .with_subject(l.link.original().to_string())
                .with_fix(fix),
            );
        }
    }
}

/// Rewrites the name cell to the note's name when the catalogue (or, lacking it, the
/// note) says the cell is the stale side.
fn fix(ctx: &AttackContext<'_>, l: &LabelledLink<'_>, shown: &str, name: &str) -> Option<Fix> {
    let applicability = match catalogue_entry(ctx.index, ctx.id, &l.id, l.kind) {
        Some(e) if e.name == name || names_entry(ctx.index, ctx.id, name, e) => Applicability::Safe,
        Some(_) => return None,
        None => Applicability::Unsafe,
    };
    let cell = name_cell(ctx.text(), l.link.span.end)?;
    let written = ctx.text().get(cell.clone())?;
    if written.replace('\u{FF0F}', "/").trim() != shown || name.contains('|') {
        return None;
    }
    // Keep the vault's way of writing `/` in names (ATT&CK generators use `／`).
    let new = if written.contains('\u{FF0F}') {
        name.replace('/', "\u{FF0F}")
    } else {
        name.to_owned()
    };
    Some(Fix::new(
        applicability,
        format!("write `{name}` in the name cell"),
        vec![Edit::replace(cell.start, cell.end, new)],
    ))
}

/// The trimmed byte range of the cell after the one that holds the link ending at `end`.
fn name_cell(text: &str, end: usize) -> Option<std::ops::Range<usize>> {
    let rest = text.get(end..)?;
    let line = &rest[..rest.find('\n').unwrap_or(rest.len())];
    let line = line.strip_suffix('\r').unwrap_or(line);
    let pipes: Vec<usize> = line
        .char_indices()
        .filter(|&(i, c)| c == '|' && !line[..i].ends_with('\\'))
        .map(|(i, _)| i)
        .take(2)
        .collect();
    let from = pipes.first()? + 1;
    let to = pipes.get(1).copied().unwrap_or(line.len());
    let cell = &line[from..to];
    let lead = cell.len() - cell.trim_start().len();
    let start = end + from + lead;
    Some(start..start + cell.trim().len())
}
