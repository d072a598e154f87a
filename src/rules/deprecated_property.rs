//! `deprecated-property`: front matter keys `alias`, `tag` and `cssclass`, which Obsidian
//! deprecated in 1.4 and stopped reading as default properties in 1.9 (reference note,
//! rule 22). Matched without regard to case.

use crate::diagnostic::{Diagnostic, Severity};
use crate::parse::FrontMatter;

use super::{NoteContext, Rule, RuleMeta};

pub(crate) struct DeprecatedProperty;

static META: RuleMeta = RuleMeta {
    name: "deprecated-property",
    summary: "Front matter uses `alias`, `tag` or `cssclass`, which Obsidian 1.9 no longer reads",
    default_severity: Severity::Warning,
    docs: r#"## Why this matters

Obsidian 1.9 dropped `alias`, `tag` and `cssclass` as default properties: their values no
longer act as aliases, tags or CSS classes. Link suggestions stop offering the alias, tag
search misses the note, and styling disappears. Obsidian's Format converter rewrites them
(`alias: X` becomes `aliases: [X]`).

## Bad

```md bad
---
alias: M1040
tag: mitigation
---
```

## Good

```md good
---
aliases: [M1040]
tags: [mitigation]
---
```
"#,
};

const DEPRECATED: [(&str, &str); 3] = [
    ("alias", "aliases"),
    ("tag", "tags"),
    ("cssclass", "cssclasses"),
];

impl Rule for DeprecatedProperty {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_note(&self, ctx: &NoteContext<'_>, out: &mut Vec<Diagnostic>) {
        let FrontMatter::Parsed { keys, .. } = &ctx.note.front_matter else {
            return;
        };
        for key in keys {
            let Some((old, new)) = DEPRECATED
                .iter()
                .find(|(old, _)| key.name.eq_ignore_ascii_case(old))
            else {
                continue;
            };
            out.push(
                Diagnostic::new(&META, ctx.path, Some(key.span), format!("`{}` is no longer read by Obsidian (since 1.9)", key.name))
                    .with_label(format!("deprecated; use `{new}`"))
                    .with_help(format!("rename `{old}` to `{new}` and write the value as a list, e.g. `{new}: [value]`"))
                    .with_subject(key.name.clone()),
            );
        }
    }
}
