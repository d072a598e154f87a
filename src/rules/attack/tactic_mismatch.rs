//! `attack-tactic-mismatch`: a technique note's tactic list names other tactics than ATT&CK
//! gives the technique (STIX `kill_chain_phases`, [`super::Entry::tactics`]).

use std::ops::Range;

use crate::diagnostic::{Applicability, Diagnostic, Edit, Fix, FixAvailability, Severity, Span};
use crate::parse::tactic_ids_in;

use super::{catalogue_entry, nearest_declaring, AttackContext, AttackRule, IdKind, RuleMeta};

pub(crate) struct AttackTacticMismatch;

/// The rule's name.
pub(crate) const NAME: &str = "attack-tactic-mismatch";

static META: RuleMeta = RuleMeta {
    name: NAME,
    summary: "A technique note's tactic list differs from the technique's tactics in ATT&CK",
    default_severity: Severity::Warning,
    docs: r#"## Why this matters

A technique serves one or more tactics, and ATT&CK changes them between releases: v18
added Persistence (`TA0003`) to Modify Registry (`T1112`), and v19 split Defense Evasion
(`TA0005`) into Stealth and Defense Impairment (`TA0112`), moving every technique of it. A
note whose tactic list was written for another release files the technique under the wrong
column of the matrix: coverage per tactic, and every query or Dataview table built on the
list, is then wrong.

The list is found in the note's own shape: the list items under a heading `Tactic` or
`Tactics` (`- [[…/tactics/Persistence]] (TA0003)`, as the shared ATT&CK vault's generator
writes it), or a `Tactic:` line in a callout (`> Tactic: [[Defense Evasion - TA0005 \|
Defense Evasion]]`). An item names its tactic by a tactic ID in its text, else by the note
its link opens. A list under a heading, or a `Tactics:` line, must hold every tactic of the
technique; a `Tactic:` line naming one tactic must name one of them (some generators write
the first tactic only, and file the note under it). The tactics come from the catalogue, whatever its release: no tactic set is
assumed.

Only notes of the catalogue's release are judged (see `attack-catalog-outdated`): in a vault
made from an older release every list may predate a change, and `vaultlint attack upgrade`
brings them in line; in a newer one the catalogue cannot judge.

## Bad

```md bad file=techniques/Modify Registry.md
---
aliases: [T1112]
---
### Tactic
- [[tactics/Defense Evasion]] (TA0005)
- [[tactics/Impact]] (TA0040)
```

```md file=tactics/Defense Evasion.md
---
aliases: [TA0005]
---
```

```md file=tactics/Persistence.md
---
aliases: [TA0003]
---
```

```md file=tactics/Impact.md
---
aliases: [TA0040]
---
```

## Good

```md good file=techniques/Modify Registry.md
---
aliases: [T1112]
---
### Tactic
- [[tactics/Defense Evasion]] (TA0005)
- [[tactics/Persistence]] (TA0003)
```

## Fix

Unsafe, with `--unsafe-fixes` or `vaultlint attack upgrade`, for a list under a heading:
items of tactics ATT&CK does not give the technique are removed, and an item for each
missing tactic is added after the last, written like an existing item (its link in the same
form, to the note that declares the tactic, and the tactic's ID). Unsafe because the list is
the note's own data and the links change. No fix when a missing tactic has no note (the
link would be broken), or for a callout line: edit it by hand.
"#,
    fix: FixAvailability::Sometimes(Applicability::Unsafe),
};

/// A tactic list as the note writes it.
struct TacticList {
    /// Where a finding points: the heading, or the callout line.
    at: Span,
    /// Each item (a line of the list; the callout line is one item holding every tactic):
    /// its byte range with its line break, and the tactic IDs it names.
    items: Vec<(Range<usize>, Vec<String>)>,
    /// Items under a heading, which the fix can remove and add; a callout line cannot be.
    fixable: bool,
    /// The list claims to hold every tactic of the technique: a list under a heading, or a
    /// `Tactics:` line; a `Tactic:` line naming one tactic names one of them (attack-reuteras'
    /// generator writes the first, and files the note under it), so only a tactic that is
    /// none of the technique's is reported there.
    complete: bool,
}

impl AttackRule for AttackTacticMismatch {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_note(&self, ctx: &AttackContext<'_>, out: &mut Vec<Diagnostic>) {
        let release = &ctx.index.release;
        if release.newer || (release.older() && !ctx.index.upgrading) {
            return;
        }
        let Some(declared) = ctx.index.primary(ctx.id) else {
            return;
        };
        if declared.kind != IdKind::Technique {
            return;
        }
        let Some(entry) = catalogue_entry(ctx.index, ctx.id, &declared.id, IdKind::Technique)
        else {
            return;
        };
        if entry.revoked || entry.deprecated || entry.tactics.is_empty() {
            return;
        }
        let Some(list) = tactic_list(ctx) else {
            return;
        };
        let listed: Vec<&String> = list.items.iter().flat_map(|(_, ids)| ids).collect();
        let missing: Vec<&String> = entry
            .tactics
            .iter()
            .filter(|t| list.complete && !listed.contains(t))
            .collect();
        let mut extra: Vec<&String> = listed
            .iter()
            .copied()
            .filter(|t| !entry.tactics.contains(t))
            .collect();
        extra.dedup();
        if missing.is_empty() && extra.is_empty() {
            return;
        }
        let domain = Some(entry.domain.as_str());
        let named = |ids: &[&String]| -> String {
            let shown: Vec<String> = ids
                .iter()
                .map(
                    |id| match ctx.index.catalogue.lookup(id, IdKind::Tactic, domain) {
                        Some(t) => format!("`{id}` ({})", t.name),
                        None => format!("`{id}`"),
                    },
                )
                .collect();
            shown.join(", ")
        };
        let release_name = ctx
            .index
            .catalogue
            .releases
            .get(&entry.domain)
            .map_or(ctx.index.catalogue.version.as_str(), String::as_str);
        let mut parts = Vec::new();
        if !missing.is_empty() {
            parts.push(format!("lacks {}", named(&missing)));
        }
        if !extra.is_empty() {
            parts.push(format!("names {}, not one of its tactics", named(&extra)));
        }
        let message = format!(
            "the tactic list of `{}` ({}) {} in {release_name}",
            entry.id,
            entry.name,
            parts.join(" and ")
        );
        let want: Vec<&String> = entry.tactics.iter().collect();
        let span = list.at;
        let fix = if list.fixable {
            list_fix(ctx, &list, &missing, &extra)
        } else {
            None
        };
        out.push(
            Diagnostic::new(&META, ctx.path, Some(span), message)
                .with_label("tactic list")
                .with_help(format!(
                    "ATT&CK gives `{}` the tactics {}",
                    entry.id,
                    named(&want)
                ))
                .with_subject(entry.id.clone())
                .with_fix(fix),
        );
    }
}

/// The note's tactic list, from its record ([`crate::parse::TacticList`]): the list items
/// under a `Tactic` or `Tactics` heading, else a `Tactic:` or `Tactics:` line of a callout
/// or blockquote.
fn tactic_list(ctx: &AttackContext<'_>) -> Option<TacticList> {
    let written = ctx.base.note.tactic_lists.first()?;
    let items: Vec<(Range<usize>, Vec<String>)> = written
        .items
        .iter()
        .map(|item| (item.line.clone(), tactics_of(ctx, item)))
        .collect();
    if written.under_heading {
        // An item that names no tactic the pack can read (`- Defense Evasion`, a link to a
        // note declaring no tactic ID) makes the list unreadable: it is not judged.
        if items.iter().any(|(_, ids)| ids.is_empty()) {
            return None;
        }
        return Some(TacticList {
            at: written.span,
            items,
            fixable: true,
            complete: true,
        });
    }
    let ids = items.first()?.1.len();
    let complete = written.plural || ids > 1;
    (ids > 0).then_some(TacticList {
        at: written.span,
        items,
        fixable: false,
        complete,
    })
}

/// The tactic IDs an item names: those written in it, else the tactics the notes its links
/// open declare.
fn tactics_of(ctx: &AttackContext<'_>, item: &crate::parse::TacticItem) -> Vec<String> {
    if !item.written.is_empty() {
        return item.written.iter().map(|id| id.to_string()).collect();
    }
    let mut out: Vec<String> = Vec::new();
    for (link, resolution) in ctx.note.links().zip(ctx.resolutions) {
        if !item.line.contains(&link.span.start) {
            continue;
        }
        let declared = resolution
            .file()
            .into_iter()
            .flat_map(|f| ctx.index.declared.get(f).into_iter().flatten());
        for d in declared.filter(|d| d.kind == IdKind::Tactic) {
            if !out.contains(&d.id) {
                out.push(d.id.clone());
            }
        }
    }
    out
}

/// The edits that bring a list under a heading in line: items of `extra` tactics removed,
/// an item for each `missing` one added after the last, modelled on an item with a link.
/// `None` when a missing tactic has no note that an item's link could open.
fn list_fix(
    ctx: &AttackContext<'_>,
    list: &TacticList,
    missing: &[&String],
    extra: &[&String],
) -> Option<Fix> {
    let text = ctx.text();
    let mut edits = Vec::new();
    let mut kept = 0;
    for (range, ids) in &list.items {
        if ids.iter().any(|id| extra.contains(&id)) {
            edits.push(Edit::replace(range.start, range.end, ""));
        } else {
            kept += 1;
        }
    }
    let mut added = String::new();
    if !missing.is_empty() {
        let (template, link, target) = list.items.iter().find_map(|(range, _)| {
            ctx.note
                .links()
                .zip(ctx.resolutions)
                .find(|(l, _)| range.contains(&l.span.start))
                .map(|(l, r)| (range.clone(), l, r.file()))
        })?;
        let whole = &text[template.clone()];
        let line = whole.trim_end_matches(['\n', '\r']);
        // The note's own line ending (CRLF stays CRLF).
        let eol = if whole.ends_with("\r\n") {
            "\r\n"
        } else {
            "\n"
        };
        let raw_link = &text[link.span.start..link.span.end];
        let template_ids = tactic_ids_in(line);
        for id in missing {
            let note = nearest_declaring(ctx, id, target, Some(IdKind::Tactic), None)?;
            let path = ctx.vault.path(note);
            let full = path.strip_suffix(".md").unwrap_or(path);
            let written = if link.path().contains('/') {
                full
            } else {
                full.rsplit('/').next().unwrap_or(full)
            };
            if ctx.vault.resolve(written, ctx.id).file() != Some(note) {
                return None;
            }
            let new_link = match &link.display() {
                Some(_) => {
                    let name = ctx
                        .index
                        .catalogue
                        .lookup(id, IdKind::Tactic, ctx.index.domain(note))
                        .map_or(id.as_str(), |e| e.name.as_str());
                    format!("[[{written}|{name}]]")
                }
                None => format!("[[{written}]]"),
            };
            let mut new_line = line.replacen(raw_link, &new_link, 1);
            if let Some(old) = template_ids.first() {
                new_line = new_line.replacen(&**old, id, 1);
            }
            added.push_str(&new_line);
            added.push_str(eol);
        }
    }
    if kept == 0 && added.is_empty() {
        return None;
    }
    let end = list.items.last()?.0.end;
    if !added.is_empty() {
        // A list that ends the note without a line break: the new items go after one, and
        // the note still ends without.
        let inserted = if text[..end].ends_with('\n') {
            added
        } else {
            let eol = if text.contains("\r\n") { "\r\n" } else { "\n" };
            format!("{eol}{}", added.strip_suffix(eol).unwrap_or(&added))
        };
        edits.push(Edit::insert(end, inserted));
    }
    let mut what = Vec::new();
    if !missing.is_empty() {
        let ids: Vec<&str> = missing.iter().map(|s| s.as_str()).collect();
        what.push(format!("add {}", ids.join(", ")));
    }
    if !extra.is_empty() {
        let ids: Vec<&str> = extra.iter().map(|s| s.as_str()).collect();
        what.push(format!("remove {}", ids.join(", ")));
    }
    Some(Fix::unsafe_(
        format!("{} in the tactic list", what.join(" and ")),
        edits,
    ))
}
