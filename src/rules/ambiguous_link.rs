//! `ambiguous-link`: a link that several files match, so Obsidian picks one by ranking.
//!
//! Ranking (reference note, rule 32d): files under the linking note's folder first, then
//! shorter paths. When the top two tie, Obsidian's pick depends on filesystem order, which
//! differs between machines: that case is an error. A pick in the linking note's own
//! folder is deterministic and what the author sees, so it is info only. A full-path match
//! (`[[Root]]` with `Root.md` at the vault root) is not reported at all: it is the link
//! Obsidian itself writes for that note.

use crate::diagnostic::{Applicability, Diagnostic, Fix, FixAvailability, Related, Severity};
use crate::resolve::Resolution;

use super::{NoteContext, Rule, RuleMeta};

pub(crate) struct AmbiguousLink;

static META: RuleMeta = RuleMeta {
    name: "ambiguous-link",
    summary: "A link matches several files and Obsidian silently picks one",
    default_severity: Severity::Warning,
    docs: r#"## Why this matters

When two notes share a name, `[[Meeting]]` opens whichever Obsidian ranks first: a note
in the linking note's folder, else the one with the shortest path. Add a third `Meeting`
note and the link may start opening a different one. When two candidates rank equally,
the choice depends on filesystem order and differs between machines.

## Bad

```md bad
Notes from [[Meeting]].
```

## Fix

Safe: writes the full path of the note Obsidian opens today, so the link keeps opening
it whatever notes are added later. Links whose candidates tie get no fix: which one
Obsidian opens depends on the machine, so only you can say which was meant. Markdown
links are left alone (their paths are percent-encoded).

## Good

```md good
Notes from [[Projects/Meeting]] and [[Archive/Meeting|the old meeting]].
```

```md file=Projects/Meeting.md
```

```md file=Archive/Meeting.md
```
"#,
    fix: FixAvailability::Sometimes(Applicability::Safe),
};

impl Rule for AmbiguousLink {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_note(&self, ctx: &NoteContext<'_>, out: &mut Vec<Diagnostic>) {
        for (link, resolution) in ctx.note.links.iter().zip(ctx.resolutions) {
            let Resolution::Found {
                file,
                others,
                exact,
                tie,
                ..
            } = resolution
            else {
                continue;
            };
            // A full-path match is what Obsidian's own "shortest" link format writes for a
            // note at the vault root: deterministic and intended, so not a finding.
            if others.is_empty() || link.problem.is_some() || *exact {
                continue;
            }
            let vault = ctx.vault;
            let chosen = vault.path(*file);
            let related = others
                .iter()
                .map(|&o| Related {
                    path: vault.path(o).clone(),
                    span: None,
                    message: "also matches".to_owned(),
                })
                .collect();
            let mut list: Vec<String> = others
                .iter()
                .take(3)
                .map(|&o| format!("`{}`", vault.path(o)))
                .collect();
            if others.len() > 3 {
                list.push(format!("{} more", others.len() - 3));
            }
            let chosen_link = chosen.strip_suffix(".md").unwrap_or(chosen);
            let (severity, message, help) = if *tie {
                (
                    Severity::Error,
                    format!(
                        "`{}` matches {} files that rank equally; Obsidian opens `{chosen}` or {} depending on filesystem order",
                        link.path,
                        others.len() + 1,
                        list.join(", ")
                    ),
                    format!("write the full path, e.g. `[[{chosen_link}]]`"),
                )
            } else if in_folder(ctx.path, chosen)
                && !others.iter().any(|&o| in_folder(ctx.path, vault.path(o)))
            {
                (
                    Severity::Info,
                    format!("`{}` matches {} files; Obsidian opens `{chosen}` in this note's folder, not {}", link.path, others.len() + 1, list.join(", ")),
                    format!("this works while the notes stay in their folders; `[[{chosen_link}]]` keeps working if they move"),
                )
            } else {
                (
                    Severity::Warning,
                    format!(
                        "`{}` matches {} files; Obsidian opens `{chosen}`, not {}",
                        link.path,
                        others.len() + 1,
                        list.join(", ")
                    ),
                    format!("write the full path, e.g. `[[{chosen_link}]]`"),
                )
            };
            let fix = if *tie {
                None
            } else {
                super::edit::link_path_to(vault, *file, ctx.id)
                    .and_then(|p| super::edit::repoint(ctx.text, link, &p))
                    .map(|e| Fix::safe(format!("write the full path `{chosen_link}`"), vec![e]))
            };
            out.push(
                Diagnostic::new(&META, ctx.path, Some(link.span), message)
                    .with_fix(fix)
                    .with_severity(severity)
                    .with_label(format!("opens `{chosen}`"))
                    .with_help(help)
                    .with_related(related)
                    .with_subject(link.original.to_string()),
            );
        }
    }
}

/// Whether `target` sits directly in the folder of `source` (a real folder match, unlike
/// Obsidian's string-prefix ranking, which also prefers `notes2/` from `notes/`).
fn in_folder(source: &str, target: &str) -> bool {
    let folder = |p: &str| {
        p.rfind('/')
            .map_or(String::new(), |i| p[..i].to_lowercase())
    };
    folder(source) == folder(target)
}
