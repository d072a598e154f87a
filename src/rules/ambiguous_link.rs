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

/// At most this many other candidates are listed as related locations of one finding.
pub(crate) const MAX_RELATED: usize = 10;

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
        for (link, resolution) in ctx.note.links().zip(ctx.resolutions) {
            let Resolution::Found {
                file,
                others,
                more,
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
            let source_folder = SourceFolder::of(ctx.path);
            // Every file the link could mean, listed or not.
            let count = others.len() + more;
            // Capped: 3,000 same-named notes each linking `[[index]]` listed 3,000 files in
            // each of 3,000 findings (18 GB of SARIF). The message gives the full count.
            let mut related: Vec<Related> = others
                .iter()
                .take(MAX_RELATED)
                .map(|&o| Related {
                    path: vault.path(o).clone(),
                    span: None,
                    message: "also matches".to_owned(),
                })
                .collect();
            if count > MAX_RELATED {
                if let Some(last) = related.last_mut() {
                    last.message = format!(
                        "also matches, and {} more files not listed",
                        count - MAX_RELATED
                    );
                }
            }
            let mut list: Vec<String> = others
                .iter()
                .take(3)
                .map(|&o| format!("`{}`", vault.path(o)))
                .collect();
            if count > 3 {
                list.push(format!("{} more", count - 3));
            }
            let chosen_link = chosen.strip_suffix(".md").unwrap_or(chosen);
            let (severity, message, help) = if *tie {
                (
                    Severity::Error,
                    format!(
                        "`{}` matches {} files that rank equally; Obsidian opens `{chosen}` or {} depending on filesystem order",
                        link.path(),
                        count + 1,
                        list.join(", ")
                    ),
                    format!("write the full path, e.g. `[[{chosen_link}]]`"),
                )
            } else if source_folder.holds(chosen)
                // Files right in the source folder rank first among those under it, so
                // another one there would be among the `others` listed.
                && !others.iter().any(|&o| source_folder.holds(vault.path(o)))
            {
                (
                    Severity::Info,
                    format!("`{}` matches {} files; Obsidian opens `{chosen}` in this note's folder, not {}", link.path(), count + 1, list.join(", ")),
                    format!("this works while the notes stay in their folders; `[[{chosen_link}]]` keeps working if they move"),
                )
            } else {
                (
                    Severity::Warning,
                    format!(
                        "`{}` matches {} files; Obsidian opens `{chosen}`, not {}",
                        link.path(),
                        count + 1,
                        list.join(", ")
                    ),
                    format!("write the full path, e.g. `[[{chosen_link}]]`"),
                )
            };
            let fix = if *tie {
                None
            } else {
                super::edit::link_path_to(vault, *file, ctx.id)
                    .and_then(|p| super::edit::repoint(ctx.text(), link, &p))
                    .map(|e| Fix::safe(format!("write the full path `{chosen_link}`"), vec![e]))
            };
            out.push(
                Diagnostic::new(&META, ctx.path, Some(link.span), message)
                    .with_fix(fix)
                    .with_severity(severity)
                    .with_label(format!("opens `{chosen}`"))
                    .with_help(help)
                    .with_related(related)
                    .with_subject(link.original().to_string()),
            );
        }
    }
}

/// The folder of a linking note, to ask whether a candidate sits directly in it: a real
/// folder match ignoring case, unlike Obsidian's string-prefix ranking, which also prefers
/// `notes2/` from `notes/`.
/// Built once per link: it is compared with every other candidate (3,000 same-named notes
/// linking `[[index]]` are 9 million comparisons).
struct SourceFolder<'a> {
    folder: &'a str,
    ascii: bool,
}

fn folder_of(path: &str) -> &str {
    path.rfind('/')
        .map_or("", |i| path.get(..i).unwrap_or_default())
}

impl<'a> SourceFolder<'a> {
    fn of(source: &'a str) -> Self {
        let folder = folder_of(source);
        SourceFolder {
            folder,
            ascii: folder.is_ascii(),
        }
    }

    fn holds(&self, target: &str) -> bool {
        let a = self.folder;
        // Fast path: for an ASCII folder, the target's folder is the same bytes (ignoring
        // ASCII case) followed by the `/` before a file name.
        if let (true, Some(head), Some(rest)) =
            (self.ascii, target.get(..a.len()), target.get(a.len()..))
        {
            if head.is_ascii() {
                let name = if a.is_empty() {
                    Some(rest)
                } else {
                    rest.strip_prefix('/')
                };
                return name.is_some_and(|n| !n.contains('/')) && head.eq_ignore_ascii_case(a);
            }
        }
        a.chars()
            .flat_map(char::to_lowercase)
            .eq(folder_of(target).chars().flat_map(char::to_lowercase))
    }
}

#[cfg(test)]
mod tests {
    use super::SourceFolder;

    fn in_folder(source: &str, target: &str) -> bool {
        SourceFolder::of(source).holds(target)
    }

    #[test]
    fn in_folder_compares_whole_folders_ignoring_case() {
        assert!(in_folder("a/b/x.md", "A/B/index.md"));
        assert!(in_folder("x.md", "index.md"));
        assert!(!in_folder("x.md", "a/index.md"));
        assert!(!in_folder("a/x.md", "index.md"));
        assert!(!in_folder("notes/x.md", "notes2/index.md"));
        assert!(!in_folder("a/x.md", "a/b/index.md"));
        assert!(in_folder("Über/x.md", "über/index.md"));
        assert!(!in_folder("k/x.md", "\u{212A}x/index.md"));
    }
}
