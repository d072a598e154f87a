//! `invalid-front-matter`: a front matter block that is not valid YAML, or never closed.
//!
//! Obsidian drops every property of a note whose YAML does not parse: tags, aliases and
//! links in properties silently vanish from search and the graph.

use crate::diagnostic::{Diagnostic, Severity};
use crate::parse::FrontMatter;

use super::{NoteContext, Rule, RuleMeta};

pub(crate) struct InvalidFrontMatter;

static META: RuleMeta = RuleMeta {
    name: "invalid-front-matter",
    summary: "Front matter is not valid YAML, or its block is never closed",
    default_severity: Severity::Error,
    docs: r#"## Why this matters

When the YAML between the `---` fences does not parse, Obsidian ignores all of the note's
properties: its tags, aliases and property links disappear from search, the graph and
Bases, with only a small warning in the properties view. A block that is never closed is
shown as text.

## Bad

```md bad
---
title: Notes
tags: [security, notes
---
```

## Good

```md good
---
title: Notes
tags: [security, notes]
---
```
"#,
    fix: crate::diagnostic::FixAvailability::None,
};

impl Rule for InvalidFrontMatter {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_note(&self, ctx: &NoteContext<'_>, out: &mut Vec<Diagnostic>) {
        match &ctx.note.front_matter {
            FrontMatter::Invalid { error, at, .. } => out.push(
                Diagnostic::new(&META, ctx.path, Some(*at), format!("front matter is not valid YAML: {error}"))
                    .with_label("YAML error here")
                    .with_help("Obsidian ignores every property of this note until the YAML parses")
                    .with_subject(error.clone()),
            ),
            FrontMatter::Unclosed { span } => out.push(
                Diagnostic::new(&META, ctx.path, Some(*span), "front matter opened here is never closed".to_owned())
                    .with_severity(Severity::Warning)
                    .with_label("no closing `---` line follows")
                    .with_help("add a `---` line after the last property, or remove this line if it is meant as a rule")
                    .with_subject("unclosed"),
            ),
            FrontMatter::None | FrontMatter::Parsed { .. } => {}
        }
    }
}
