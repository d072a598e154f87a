//! `unquoted-property-link`: `up: [[Note]]` in front matter without quotes.
//!
//! Unquoted, `[[Note]]` is YAML for a list holding a list, not a link (reference note,
//! rule 19); Obsidian neither shows nor updates it as a link.

use crate::diagnostic::{Diagnostic, Severity};
use crate::parse::LinkProblem;

use super::{NoteContext, Rule, RuleMeta};

pub(crate) struct UnquotedPropertyLink;

static META: RuleMeta = RuleMeta {
    name: "unquoted-property-link",
    summary: "A wiki-link in a front matter property is not quoted, so YAML reads it as a list",
    default_severity: Severity::Warning,
    docs: r#"## Why this matters

Obsidian reads links in properties only from quoted text: `up: "[[Parent]]"`. Without the
quotes, YAML parses `[[Parent]]` as a list inside a list. The property shows no link,
the graph has no edge, and renaming `Parent` does not update it.

## Bad

```md bad
---
up: [[Parent]]
---
```

## Good

```md good
---
up: "[[Parent]]"
related:
  - "[[Parent]]"
---
```

```md file=Parent.md
```
"#,
};

impl Rule for UnquotedPropertyLink {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_note(&self, ctx: &NoteContext<'_>, out: &mut Vec<Diagnostic>) {
        for link in &ctx.note.links {
            if link.problem == Some(LinkProblem::UnquotedProperty) {
                out.push(
                    Diagnostic::new(
                        &META,
                        ctx.path,
                        Some(link.span),
                        format!(
                            "`{}` in a property is not quoted, so it is a YAML list, not a link",
                            link.original
                        ),
                    )
                    .with_label("quote this value")
                    .with_help(format!("write `\"{}\"`", link.original))
                    .with_subject(link.original.to_string()),
                );
            }
        }
    }
}
