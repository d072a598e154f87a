//! `broken-link`: a link, embed or property link whose target file does not exist.
//!
//! Resolution follows the reference note (rules 29 to 32); aliases never resolve a link
//! (rule 23), so a link that only matches an alias is broken, with a hint.

use crate::diagnostic::{Applicability, Diagnostic, Edit, Fix, FixAvailability, Severity};
use crate::index::FileId;
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

## Fix

Unsafe, and only when exactly one file is meant: the note whose alias the link names,
the one file of that name in another folder, the one attachment with that stem, or the
one name within a typo's reach. The fix points the link there (keeping its heading and
display text), which changes what it opens.

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
    fix: FixAvailability::Sometimes(Applicability::Unsafe),
};

impl Rule for BrokenLink {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_note(&self, ctx: &NoteContext<'_>, out: &mut Vec<Diagnostic>) {
        for (link, resolution) in ctx.note.links().zip(ctx.resolutions) {
            let diag = |message: String| {
                Diagnostic::new(&META, ctx.path, Some(link.span), message)
                    .with_subject(link.original().to_string())
            };
            match link.problem {
                Some(LinkProblem::MultiLine) => {
                    out.push(
                        diag(format!(
                            "{} `{}` spans lines, so Obsidian does not read it as a link",
                            link.kind.noun(),
                            link.original().replace('\n', " ")
                        ))
                        .with_severity(Severity::Warning)
                        .with_label("line break inside the link")
                        .with_help("put the whole link on one line"),
                    );
                    continue;
                }
                Some(LinkProblem::BadPercentEncoding) => {
                    out.push(
                        diag(format!("link target `{}` is not valid percent-encoded UTF-8", link.path()))
                            .with_label("cannot be decoded")
                            .with_help("encode the target's bytes as UTF-8 (`%C3%A9` for `é`) or use the `<path with spaces.md>` form"),
                    );
                    continue;
                }
                Some(LinkProblem::UnquotedProperty) => continue,
                Some(LinkProblem::UnfinishedSearch) | None => {}
            }
            if *resolution != Resolution::Missing || link.path().is_empty() {
                continue;
            }
            let mut d = match link.kind {
                LinkKind::CanvasFile => diag(format!(
                    "canvas file node points to `{}`, which does not exist",
                    link.path()
                )),
                LinkKind::Embed | LinkKind::Image => {
                    diag(format!("embedded file `{}` not found", link.path()))
                }
                _ => diag(format!("link target `{}` not found", link.path())),
            }
            .with_label("no such file");
            if let Some((help, meant)) = help(ctx, link.path()) {
                d = d.with_help(help);
                d = d.with_fix(meant.and_then(|f| fix(ctx, link, f)));
            }
            out.push(d);
        }
    }
}

/// Same-named files compared with a broken link's path for its hint, at most: the hint's
/// cost per link stays bounded however many files share the name.
const MAX_SAME_NAMED: usize = 64;

/// The hint for a missing target, and the one file the link surely meant, if any.
fn help(ctx: &NoteContext<'_>, path: &str) -> Option<(String, Option<FileId>)> {
    let vault = ctx.vault;
    let key = crate::index::name_key(path);
    let owners = vault
        .aliases
        .get(key.trim_start_matches('/'))
        .map_or(&[][..], Vec::as_slice);
    if let Some(&owner) = owners.first() {
        let name = note_name(vault.path(owner));
        return Some((
            format!(
            "`{path}` is an alias of `{name}`, and aliases do not resolve links: write `[[{name}|{path}]]`"
        ),
            (owners.len() == 1).then_some(owner),
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
        // answered with the folder that was meant. Past `MAX_SAME_NAMED` files (20,000
        // `index.md`s made each link compare with all of them) the first ones are named.
        let wanted = key.trim_start_matches('/');
        let mut found: Vec<(usize, &str)> = vault
            .files_named(&with_ext)
            .iter()
            .take(MAX_SAME_NAMED)
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
        let only = vault.files_named(&with_ext);
        let more = if only.len() > MAX_SAME_NAMED {
            format!(" (and {} more)", only.len() - paths.len())
        } else {
            String::new()
        };
        return Some((
            format!(
                "a file with this name exists at {}{more}; check the folder part of the link",
                paths.join(", ")
            ),
            (only.len() == 1).then(|| only[0]),
        ));
    }
    if !name.contains('.') {
        let stems = vault.attachments_with_stem(name);
        if let Some(first) = stems.first() {
            let file = vault.path(*first);
            let file = file.rsplit('/').next().unwrap_or(file);
            return Some((
                format!("attachments need their extension: did you mean `{file}`?"),
                (stems.len() == 1).then_some(*first),
            ));
        }
    }
    let this = note_name(ctx.path);
    let (shown, unique) = closest_name(vault, &with_ext)?;
    let n = shown.strip_suffix(".md").unwrap_or(&shown).to_owned();
    Some(if n == this {
        (
            format!("did you mean `{n}`? That is this note itself"),
            None,
        )
    } else {
        (format!("did you mean `{n}`?"), unique)
    })
}

/// Points the link at `meant`. A link that named an alias keeps showing it: the alias
/// becomes its display text.
fn fix(ctx: &NoteContext<'_>, link: crate::parse::LinkRef<'_>, meant: FileId) -> Option<Fix> {
    let path = super::edit::link_path_to(ctx.vault, meant, ctx.id)?;
    let mut edits = vec![super::edit::repoint(ctx.text(), link, &path)?];
    let parts = super::edit::wiki_parts(ctx.text(), link)?;
    let named_alias = ctx
        .vault
        .aliases
        .contains_key(crate::index::name_key(link.path()).trim_start_matches('/'));
    if named_alias && parts.display.is_none() && link.subpath().is_none() {
        let pipe = if link.table().is_some() { "\\|" } else { "|" };
        edits.push(Edit::insert(
            parts.path.end,
            format!("{pipe}{}", link.path()),
        ));
    }
    Some(Fix::unsafe_(format!("point the link at `{path}`"), edits))
}

fn note_name(path: &str) -> &str {
    let name = path.rsplit('/').next().unwrap_or(path);
    name.strip_suffix(".md").unwrap_or(name)
}

/// The existing file name nearest to `wanted`, shown with its real case, and the file when
/// it is the only one that near and the only one with that name.
fn closest_name(vault: &crate::index::Vault, wanted: &str) -> Option<(String, Option<FileId>)> {
    let len = wanted.chars().count();
    let limit = crate::suggest::typo_limit(len);
    let (name, tied) = vault.nearest_name(wanted, limit)?;
    let unique = !tied;
    let files = vault.files_named(&name);
    let shown = files.first().map_or(&*name, |&f| {
        vault.path(f).rsplit('/').next().unwrap_or(&name)
    });
    Some((
        shown.to_owned(),
        (unique && files.len() == 1).then(|| files[0]),
    ))
}
