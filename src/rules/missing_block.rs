//! `missing-block`: `[[Note#^id]]` where the note has no block with that id.
//!
//! Block ids (`^id` at the end of a block, letters, digits and dashes) match without
//! regard to case (reference note, rules 33 and 34). Only `.md` targets are checked.

use crate::diagnostic::{Diagnostic, Severity};
use crate::resolve::{asks_for_block, check_subpath, SubpathCheck};

use super::{markdown_target, NoteContext, Rule, RuleMeta};

pub(crate) struct MissingBlock;

static META: RuleMeta = RuleMeta {
    name: "missing-block",
    summary: "A link points to a block id that the target note does not have",
    default_severity: Severity::Error,
    docs: r#"## Why this matters

Block links (`[[Note#^id]]`) and block embeds (`![[Note#^id]]`) pin one paragraph or list
item. When the `^id` marker is deleted or edited, the embed shows nothing and the link
opens the note at the top. Block ids use only Latin letters, digits and dashes: `^my_id`
is not a block id at all, so a link to it never resolves.

A link inside a `%%` comment is not checked here: Obsidian still indexes its file (a
missing one is a `broken-link`), but its block part takes effect nowhere.

## Bad

```md bad
As said in [[Log#^decision-2]]:
```

```md bad file=Underscore.md
As said in [[Log#^my_id]]:
```

## Good

```md good
As said in [[Log#^Decision-1]]:
```

```md file=Log.md
We chose SQLite. ^decision-1

We kept it. ^my_id
```
"#,
    fix: crate::diagnostic::FixAvailability::None,
};

impl Rule for MissingBlock {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_note(&self, ctx: &NoteContext<'_>, out: &mut Vec<Diagnostic>) {
        for (link, resolution) in ctx.note.links().zip(ctx.resolutions) {
            if link.problem.is_some() || link.in_comment {
                continue;
            }
            let (Some(subpath), Some(target)) =
                (&link.subpath(), markdown_target(ctx.vault, resolution))
            else {
                continue;
            };
            if !asks_for_block(subpath) {
                continue;
            }
            let SubpathCheck::MissingBlock { id } = check_subpath(target, subpath) else {
                continue;
            };
            let where_ = super::link_target_name(ctx, link, resolution);
            if !id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
                let fixed: String = id
                    .chars()
                    .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
                    .collect();
                out.push(
                    Diagnostic::new(
                        &META,
                        ctx.path,
                        Some(link.span),
                        format!("`^{id}` is not a block id Obsidian allows, so no block in {where_} can have it"),
                    )
                    .with_label("invalid block id")
                    .with_help(format!(
                        "block ids use only Latin letters, digits and dashes: rename it to `^{fixed}` here and after the block"
                    ))
                    .with_subject(link.original().to_string()),
                );
                continue;
            }
            let help = if target.block_ids().next().is_none() {
                format!("add ` ^{id}` at the end of the paragraph the link means")
            } else {
                let ids: Vec<String> = target
                    .block_ids()
                    .take(5)
                    .map(|b| format!("`^{b}`"))
                    .collect();
                format!("its block ids are {}", ids.join(", "))
            };
            out.push(
                Diagnostic::new(
                    &META,
                    ctx.path,
                    Some(link.span),
                    format!("block `^{id}` not found in {where_}"),
                )
                .with_label("no such block")
                .with_help(help)
                .with_subject(link.original().to_string()),
            );
        }
    }
}
