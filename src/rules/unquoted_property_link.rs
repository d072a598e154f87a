//! `unquoted-property-link`: `up: [[Note]]` in front matter without quotes.
//!
//! Unquoted, `[[Note]]` is YAML for a list holding a list, not a link (reference note,
//! rule 19); Obsidian neither shows nor updates it as a link.

use crate::diagnostic::{Applicability, Diagnostic, Edit, Fix, FixAvailability, Severity};
use crate::parse::{LinkProblem, LinkRef};
use crate::resolve::Resolution;

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

## Fix

Quotes the link when it is the whole value (`up: [[Parent]]`, `- [[Parent]]`). Safe when
the link opens a file; unsafe when it does not, since the quoted link then counts as a
broken link. Several links in one flow list are left to you.

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
    fix: FixAvailability::Sometimes(Applicability::Safe),
};

impl Rule for UnquotedPropertyLink {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_note(&self, ctx: &NoteContext<'_>, out: &mut Vec<Diagnostic>) {
        for (link, resolution) in ctx.note.links().zip(ctx.resolutions) {
            if link.problem == Some(LinkProblem::UnquotedProperty) {
                out.push(
                    Diagnostic::new(
                        &META,
                        ctx.path,
                        Some(link.span),
                        format!(
                            "`{}` in a property is not quoted, so it is a YAML list, not a link",
                            link.original()
                        ),
                    )
                    .with_label("quote this value")
                    .with_help(format!("write `\"{}\"`", link.original()))
                    .with_subject(link.original().to_string())
                    .with_fix(fix(ctx.text(), link, resolution)),
                );
            }
        }
    }
}

/// Quotes the link when it alone is the value on its line.
fn fix(text: &str, link: LinkRef<'_>, resolution: &Resolution) -> Option<Fix> {
    let (start, end) = (link.span.start, link.span.end);
    if text.get(start..end)? != link.original() {
        return None;
    }
    let line_start = text[..start].rfind('\n').map_or(0, |i| i + 1);
    let line_end = text[end..].find('\n').map_or(text.len(), |i| end + i);
    let before = text[line_start..start].trim();
    let after = text[end..line_end].trim();
    let whole_value =
        after.is_empty() && (before == "-" || (before.ends_with(':') && !before.starts_with('-')));
    if !whole_value {
        return None;
    }
    let quoted = if link.original().contains('"') || link.original().contains('\\') {
        format!("'{}'", link.original().replace('\'', "''"))
    } else {
        format!("\"{}\"", link.original())
    };
    let description = "quote the link";
    let edits = vec![Edit::replace(start, end, quoted)];
    Some(
        if *resolution == Resolution::Missing && !link.path().is_empty() {
            Fix::unsafe_(format!("{description} (its target does not exist)"), edits)
        } else {
            Fix::safe(description, edits)
        },
    )
}
