//! `missing-heading`: `[[Note#Heading]]` where the note has no such heading.
//!
//! Headings match on Obsidian's stripped text, not on slugs (reference note, rule 33):
//! punctuation becomes a space and case is ignored, and `#A#B` needs `B` deeper than and
//! after `A`. Only `.md` targets are checked: `#page=3` on a PDF is a viewer parameter.

use crate::diagnostic::{Applicability, Diagnostic, Edit, Fix, FixAvailability, Severity};
use crate::parse::heading_key;
use crate::parse::LinkProblem;
use crate::resolve::{asks_for_block, check_subpath, SubpathCheck};

use super::{markdown_target, NoteContext, Rule, RuleMeta};

pub(crate) struct MissingHeading;

static META: RuleMeta = RuleMeta {
    name: "missing-heading",
    summary: "A link points to a heading that the target note does not have",
    default_severity: Severity::Error,
    docs: r#"## Why this matters

A link to a heading that was renamed or removed still opens the note, but at the top:
the reader lands far from the passage the link promised, and nothing tells the author.

Obsidian compares heading text without regard to case and treats punctuation as spaces,
so `[[Note#a.b]]` reaches `# A b`. A chain `[[Note#Part#Detail]]` needs `Detail` below
`Part`. A heading is keyed by its source text, inline Markdown, links and footnote
references included: `### Ticket exchange [^1]` is reached by `#Ticket exchange 1`, not
by `#Ticket exchange`. Only top-level headings count: a heading inside a callout,
blockquote or list item is not in Obsidian's outline.

A link inside a `%%` comment is not checked here: Obsidian still indexes its file (a
missing one is a `broken-link`), but its heading part takes effect nowhere.

## Bad

```md bad
See [[Guide#Instalation]] and [[#Summary]].
```

## Fix

Unsafe, when the link names one heading and exactly one heading of the note is within a
typo's reach: the link then lands on that heading, which may not be the one meant.

## Good

```md bad file=Quoted.md
See [[Guide#Tip]].
```

```md good
See [[Guide#installation]], [[Guide#Setup#Step 1]], [[Guide#Ticket exchange 1]] and
[[#Intro]].

# Intro
```

```md file=Guide.md
# Installation
## Setup
### Step 1
### Ticket exchange [^1]

> [!note]
> ## Tip

[^1]: Kerberos.
```
"#,
    fix: FixAvailability::Sometimes(Applicability::Unsafe),
};

impl Rule for MissingHeading {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_note(&self, ctx: &NoteContext<'_>, out: &mut Vec<Diagnostic>) {
        for (link, resolution) in ctx.note.links().zip(ctx.resolutions) {
            if link.in_comment {
                continue;
            }
            if link.problem == Some(LinkProblem::UnfinishedSearch) {
                out.push(
                    Diagnostic::new(
                        &META,
                        ctx.path,
                        Some(link.span),
                        format!(
                            "`{}` is an unfinished heading or block search",
                            link.original()
                        ),
                    )
                    .with_label("editor search gesture, not a link")
                    .with_help(
                        "pick a result from Obsidian's suggestions, or write `[[Note#Heading]]`",
                    )
                    .with_subject(link.original().to_string()),
                );
                continue;
            }
            if link.problem.is_some() {
                continue;
            }
            let (Some(subpath), Some(target)) =
                (&link.subpath(), markdown_target(ctx.vault, resolution))
            else {
                continue;
            };
            if asks_for_block(subpath) {
                continue;
            }
            let SubpathCheck::MissingHeading { missing, matched } = check_subpath(target, subpath)
            else {
                continue;
            };
            let where_ = super::link_target_name(ctx, link, resolution);
            let message = if matched > 0 {
                format!("heading `{missing}` not found under the earlier headings of the link in {where_}")
            } else {
                format!("heading `{missing}` not found in {where_}")
            };
            let mut diag = Diagnostic::new(&META, ctx.path, Some(link.span), message)
                .with_label("no such heading")
                .with_subject(link.original().to_string());
            let missing_key = heading_key(&missing);
            let exists = match &target.lookup {
                Some(lookup) => lookup.has_heading(&missing_key),
                None => target.headings.iter().any(|h| h.matches(&missing_key)),
            };
            if matched > 0 && exists {
                diag = diag.with_help(format!(
                    "`{missing}` exists, but not below the link's earlier headings; list headings from outer to inner"
                ));
            } else if let Some((h, unique)) = closest_heading(target, &missing) {
                diag = diag.with_help(format!("did you mean `{}`?", linkable(h)));
                if unique && matched == 0 {
                    diag = diag.with_fix(fix(ctx.text(), link, &linkable(h)));
                }
            } else if !target.headings.is_empty() {
                let names: Vec<String> = target
                    .headings
                    .iter()
                    .take(5)
                    .map(|h| format!("`{}`", linkable(&h.raw)))
                    .collect();
                diag = diag.with_help(format!("its headings are {}", names.join(", ")));
            } else {
                diag = diag.with_help("the note has no headings");
            }
            out.push(diag);
        }
    }
}

/// A heading as a link can name it: the raw text, or, when that holds characters a link
/// cannot carry (`[ ] | ^ # :`, as in `Ticket exchange [^1]`), Obsidian's stripped form
/// (`Ticket exchange 1`), which matches it all the same.
fn linkable(raw: &str) -> String {
    if raw.contains(['[', ']', '|', '^', '#', ':']) || raw.contains("%%") {
        crate::parse::strip_heading(raw)
    } else {
        raw.to_owned()
    }
}

/// Replaces the link's one-piece subpath with `heading`.
fn fix(text: &str, link: crate::parse::LinkRef<'_>, heading: &str) -> Option<Fix> {
    let sub = super::edit::wiki_parts(text, link)?.subpath?;
    let written = text.get(sub.clone())?;
    if written.contains('#') || !super::edit::fits_in_wiki_link(heading) {
        return None;
    }
    Some(Fix::unsafe_(
        format!("link to the heading `{heading}`"),
        vec![Edit::replace(sub.start, sub.end, heading.trim())],
    ))
}

/// The nearest heading within a typo's reach, and whether no other one is as near.
fn closest_heading<'a>(note: &'a crate::parse::Outline, wanted: &str) -> Option<(&'a str, bool)> {
    let wanted = heading_key(wanted);
    let limit = crate::suggest::typo_limit(wanted.chars().count());
    if let Some(lookup) = &note.lookup {
        let (index, unique) = lookup.closest_heading(&wanted, limit)?;
        return note.headings.get(index).map(|h| (&*h.raw, unique));
    }
    let keys: Vec<String> = note
        .headings
        .iter()
        .map(crate::parse::OutlineHeading::key)
        .collect();
    let candidates = || {
        keys.iter()
            .map(|k| (k.as_str(), crate::suggest::char_mask(k)))
    };
    let best = crate::suggest::closest(&wanted, candidates(), limit)?;
    let unique = crate::suggest::closest_unique(&wanted, candidates(), limit).is_some()
        && keys.iter().filter(|k| *k == best).count() == 1;
    let index = keys.iter().position(|k| k == best)?;
    note.headings.get(index).map(|h| (&*h.raw, unique))
}
