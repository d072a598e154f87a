//! `unescaped-table-pipe`: `[[Note|alias]]` inside a table row, where the `|` ends the cell.
//!
//! Inside a GFM table the pipe must be written `\|` (reference note, rules 8 and 9).
//! Unescaped, it splits the cell and the link disappears without a trace.

use crate::diagnostic::{Applicability, Diagnostic, Edit, Fix, FixAvailability, Severity, Span};

use super::{NoteContext, Rule, RuleMeta};

pub(crate) struct UnescapedTablePipe;

static META: RuleMeta = RuleMeta {
    name: "unescaped-table-pipe",
    summary:
        "A wiki-link in a table row uses `|` unescaped, which splits the cell and breaks the link",
    default_severity: Severity::Error,
    docs: r#"## Why this matters

In a Markdown table, `|` separates cells. A wiki-link with display text written as
`[[Note|text]]` in a table row is cut in two: the row gains a column and the link is gone.
Obsidian's own table editor writes `[[Note\|text]]`.

## Bad

```md bad
| Technique | Name |
| --- | --- |
| [[Masquerading|T1036]] | Masquerading |
```

## Fix

Safe: writes `\|` for each unescaped `|` inside the link, as Obsidian's table editor does.

## Good

```md good
| Technique | Name |
| --- | --- |
| [[Masquerading\|T1036]] | Masquerading |
```

```md file=Masquerading.md
```
"#,
    fix: FixAvailability::Always(Applicability::Safe),
};

impl Rule for UnescapedTablePipe {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_note(&self, ctx: &NoteContext<'_>, out: &mut Vec<Diagnostic>) {
        for span in &ctx.note.table_pipes {
            out.push(
                Diagnostic::new(
                    &META,
                    ctx.path,
                    Some(*span),
                    "`|` inside a wiki-link splits this table cell, so the link is lost".to_owned(),
                )
                .with_label("escape this pipe")
                .with_help("write `\\|` instead of `|` inside links in tables")
                .with_fix(fix(ctx.text(), *span)),
            );
        }
    }
}

/// A backslash before every unescaped `|` between the link's brackets.
fn fix(text: &str, span: Span) -> Option<Fix> {
    let link = text.get(span.start..span.end)?;
    let edits: Vec<Edit> = link
        .char_indices()
        .filter(|&(i, c)| c == '|' && !link[..i].ends_with('\\'))
        .map(|(i, _)| Edit::insert(span.start + i, "\\"))
        .collect();
    (!edits.is_empty()).then(|| Fix::safe("escape the pipe as `\\|`", edits))
}
