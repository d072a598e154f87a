//! `partial-path-match`: a link that resolves only because Obsidian compares the end of a
//! path as plain text (reference note, rule 32d and case 6): `[[b/X]]` opens `ab/X.md`.
//! The link works today, but it names a folder that does not exist.

use crate::diagnostic::{Diagnostic, Severity};
use crate::resolve::Resolution;

use super::{NoteContext, Rule, RuleMeta};

pub(crate) struct PartialPathMatch;

static META: RuleMeta = RuleMeta {
    name: "partial-path-match",
    summary: "A link's folder part matches only the end of a real folder name (`[[b/X]]` opens `ab/X.md`)",
    default_severity: Severity::Warning,
    docs: r#"## Why this matters

Obsidian resolves a link with a folder part by checking whether a file's path *ends with*
the link text, letter by letter. So `[[b/Note]]` opens `ab/Note.md`: the folder `b` does not
exist, the link only works by accident, and it breaks or changes target as soon as a folder
really named `b` (or another `…b/Note.md`) appears.

## Bad

```md bad
See [[b/Note]].
```

## Good

```md good
See [[ab/Note]] and [[Note]].
```

```md file=ab/Note.md
```
"#,
    fix: crate::diagnostic::FixAvailability::None,
};

impl Rule for PartialPathMatch {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_note(&self, ctx: &NoteContext<'_>, out: &mut Vec<Diagnostic>) {
        for (link, resolution) in ctx.note.links().zip(ctx.resolutions) {
            let Resolution::Found {
                file,
                partial: true,
                ..
            } = resolution
            else {
                continue;
            };
            let path = ctx.vault.path(*file);
            let target = path.strip_suffix(".md").unwrap_or(path);
            out.push(
                Diagnostic::new(
                    &META,
                    ctx.path,
                    Some(link.span),
                    format!(
                        "`{}` opens `{path}` only by matching the middle of a folder name",
                        link.path()
                    ),
                )
                .with_label(format!("opens `{path}`"))
                .with_help(format!("write the folder as it is named: `[[{target}]]`"))
                .with_subject(link.original().to_string()),
            );
        }
    }
}
