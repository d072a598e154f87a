//! `broken-link`: a link, embed or property link whose target file does not exist.
//!
//! Resolution follows the reference note (rules 29 to 32); aliases never resolve a link
//! (rule 23), so a link that only matches an alias is broken, with a hint.

use crate::diagnostic::{Diagnostic, Severity};
use crate::parse::{LinkKind, LinkProblem};
use crate::resolve::Resolution;

use super::{NoteContext, Rule, RuleMeta};

pub(crate) struct BrokenLink;

static META: RuleMeta = RuleMeta {
    name: "broken-link",
    summary: "A wiki-link, embed or Markdown link points to a file that does not exist",
    default_severity: Severity::Error,
    docs: r#"## Why this matters

Obsidian shows a link to a missing file as an unresolved link and quietly creates an
empty note when someone clicks it. The knowledge the link promised is not there, and
renaming or deleting notes leaves such links behind in files nobody is editing.

Names match without regard to case and `.md` may be left out, but attachments need their
extension, and an alias never resolves a link: `[[AI]]` does not open the note whose
`aliases` list `AI`.

## Bad

```md bad
See [[Masquerding]] and ![[diagram]].
```

## Good

```md good
See [[Masquerading]], [[masquerading.md]] and ![[diagram.png]].
```

```md file=Masquerading.md
# Masquerading
```

```md file=diagram.png
```
"#,
};

impl Rule for BrokenLink {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_note(&self, ctx: &NoteContext<'_>, out: &mut Vec<Diagnostic>) {
        for (link, resolution) in ctx.note.links.iter().zip(ctx.resolutions) {
            let diag = |message: String| {
                Diagnostic::new(&META, ctx.path, Some(link.span), message)
                    .with_subject(link.original.to_string())
            };
            match link.problem {
                Some(LinkProblem::MultiLine) => {
                    out.push(
                        diag(format!(
                            "{} `{}` spans lines, so Obsidian does not read it as a link",
                            link.kind.noun(),
                            link.original.replace('\n', " ")
                        ))
                        .with_severity(Severity::Warning)
                        .with_label("line break inside the link")
                        .with_help("put the whole link on one line"),
                    );
                    continue;
                }
                Some(LinkProblem::BadPercentEncoding) => {
                    out.push(
                        diag(format!("link target `{}` is not valid percent-encoded UTF-8", link.path))
                            .with_label("cannot be decoded")
                            .with_help("encode the target's bytes as UTF-8 (`%C3%A9` for `é`) or use the `<path with spaces.md>` form"),
                    );
                    continue;
                }
                Some(LinkProblem::UnquotedProperty) => continue,
                Some(LinkProblem::UnfinishedSearch) | None => {}
            }
            if *resolution != Resolution::Missing || link.path.is_empty() {
                continue;
            }
            let mut d = match link.kind {
                LinkKind::CanvasFile => diag(format!(
                    "canvas file node points to `{}`, which does not exist",
                    link.path
                )),
                LinkKind::Embed | LinkKind::Image => {
                    diag(format!("embedded file `{}` not found", link.path))
                }
                _ => diag(format!("link target `{}` not found", link.path)),
            }
            .with_label("no such file");
            if let Some(help) = help(ctx, &link.path) {
                d = d.with_help(help);
            }
            out.push(d);
        }
    }
}

fn help(ctx: &NoteContext<'_>, path: &str) -> Option<String> {
    let vault = ctx.vault;
    let key = crate::index::name_key(path);
    if let Some(&owner) = vault
        .aliases
        .get(key.trim_start_matches('/'))
        .and_then(|v| v.first())
    {
        let name = note_name(vault.path(owner));
        return Some(format!(
            "`{path}` is an alias of `{name}`, and aliases do not resolve links: write `[[{name}|{path}]]`"
        ));
    }
    let name = key.rsplit('/').next().unwrap_or(&key);
    let with_ext = if std::path::Path::new(name).extension().is_some() {
        name.to_owned()
    } else {
        format!("{name}.md")
    };
    if !vault.files_named(&with_ext).is_empty() {
        // The same-named files nearest to what was written first: a folder typo is then
        // answered with the folder that was meant.
        let wanted = key.trim_start_matches('/');
        let mut found: Vec<(usize, &str)> = vault
            .files_named(&with_ext)
            .iter()
            .map(|&f| {
                let p = vault.path(f);
                let lower = crate::index::name_key(p.strip_suffix(".md").unwrap_or(p));
                (
                    rapidfuzz::distance::levenshtein::distance(wanted.chars(), lower.chars()),
                    &**p,
                )
            })
            .collect();
        found.sort_unstable();
        let paths: Vec<String> = found
            .iter()
            .take(3)
            .map(|(_, p)| format!("`{p}`"))
            .collect();
        return Some(format!(
            "a file with this name exists at {}; check the folder part of the link",
            paths.join(", ")
        ));
    }
    if !name.contains('.') {
        if let Some(first) = vault.attachments_with_stem(name).first() {
            let file = vault.path(*first);
            let file = file.rsplit('/').next().unwrap_or(file);
            return Some(format!(
                "attachments need their extension: did you mean `{file}`?"
            ));
        }
    }
    let this = note_name(ctx.path);
    closest_name(vault, &with_ext).map(|n| {
        let n = n.strip_suffix(".md").unwrap_or(&n).to_owned();
        if n == this {
            format!("did you mean `{n}`? That is this note itself")
        } else {
            format!("did you mean `{n}`?")
        }
    })
}

fn note_name(path: &str) -> &str {
    let name = path.rsplit('/').next().unwrap_or(path);
    name.strip_suffix(".md").unwrap_or(name)
}

/// The existing file name nearest to `wanted`, shown with its real case.
fn closest_name(vault: &crate::index::Vault, wanted: &str) -> Option<String> {
    let len = wanted.chars().count();
    let limit = crate::suggest::typo_limit(len);
    let candidates = vault.typo_candidates(wanted, limit);
    let name = crate::suggest::closest(wanted, candidates, limit)?;
    let shown = vault
        .files_named(name)
        .first()
        .map_or(name, |&f| vault.path(f).rsplit('/').next().unwrap_or(name));
    Some(shown.to_owned())
}
