//! `invalid-canvas`: a `.canvas` file that is not JSON Canvas. Obsidian cannot read such a
//! canvas, so its cards and links are lost to it; vaultlint checks the nodes it could read
//! and reports where the JSON broke.

use crate::diagnostic::{Diagnostic, Severity};

use super::{NoteContext, Rule, RuleMeta};

pub(crate) struct InvalidCanvas;

static META: RuleMeta = RuleMeta {
    name: "invalid-canvas",
    summary: "A canvas file is not valid JSON Canvas",
    default_severity: Severity::Error,
    docs: r#"## Why this matters

A canvas is a JSON file (JSON Canvas 1.0). A hand edit or a merge conflict that breaks the
JSON leaves Obsidian unable to read the canvas: its cards, the notes they show and their
links are lost to it until the JSON is fixed.

A string holding a lone UTF-16 surrogate escape (`"\ud800"` without its pair) is valid
JSON, which JavaScript, and so Obsidian, reads with U+FFFD in its place. It is reported as a
warning; the links of its text node are checked as Obsidian reads them.

## Bad

```md bad file=Board.canvas
{"nodes": [{"id": "a", "type": "text", "text": "Plan",}]}
```

## Good

```md good file=Board.canvas
{"nodes": [{"id": "a", "type": "text", "text": "Plan"}], "edges": []}
```
"#,
    fix: crate::diagnostic::FixAvailability::None,
};

impl Rule for InvalidCanvas {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_note(&self, ctx: &NoteContext<'_>, out: &mut Vec<Diagnostic>) {
        if let Some((message, span)) = ctx.canvas_error {
            out.push(
                Diagnostic::new(
                    &META,
                    ctx.path,
                    Some(*span),
                    format!("canvas is not valid JSON Canvas: {message}"),
                )
                .with_label("JSON error here")
                .with_help("fix the JSON here; until then Obsidian cannot read this canvas")
                .with_subject(message.clone()),
            );
        }
        for span in &ctx.note.lone_surrogates {
            out.push(
                Diagnostic::new(
                    &META,
                    ctx.path,
                    Some(*span),
                    "canvas string holds a lone UTF-16 surrogate escape (`\\ud800`–`\\udfff` without its pair), which Obsidian shows as U+FFFD".to_owned(),
                )
                .with_severity(Severity::Warning)
                .with_label("lone surrogate in this string")
                .with_help("remove the escape or complete its pair; the string's links are still checked")
                .with_subject("lone surrogate"),
            );
        }
    }
}
