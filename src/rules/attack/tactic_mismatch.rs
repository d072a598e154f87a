//! `attack-tactic-mismatch`: a technique note's tactic list names other tactics than ATT&CK
//! gives the technique (STIX `kill_chain_phases`, [`super::Entry::tactics`]).

use std::ops::Range;

use crate::diagnostic::{Applicability, Diagnostic, Edit, Fix, FixAvailability, Severity};

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
    /// The list's byte range: the heading and its items, or the callout line.
    span: Range<usize>,
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
        let span = ctx
            .base
            .note
            .headings
            .iter()
            .find(|h| h.span.start == list.span.start)
            .map_or_else(
                || crate::parse::LineIndex::new(ctx.text()).span(list.span.start, list.span.end),
                |h| h.span,
            );
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

/// The note's tactic list: the list items under a `Tactic` or `Tactics` heading, else a
/// `Tactic:` or `Tactics:` line of a callout or blockquote.
fn tactic_list(ctx: &AttackContext<'_>) -> Option<TacticList> {
    let text = ctx.text();
    let heading = ctx.base.note.headings.iter().find(|h| {
        let t = h.raw.trim();
        t.eq_ignore_ascii_case("tactic") || t.eq_ignore_ascii_case("tactics")
    });
    if let Some(h) = heading {
        let mut items = Vec::new();
        let mut at = text[h.span.end..]
            .find('\n')
            .map_or(text.len(), |i| h.span.end + i + 1);
        let mut started = false;
        while at < text.len() {
            let end = text[at..].find('\n').map_or(text.len(), |i| at + i + 1);
            let line = &text[at..end];
            let body = line.trim();
            if body.is_empty() && !started {
                at = end;
                continue;
            }
            let Some(item) = ["- ", "* ", "+ "].iter().find_map(|m| body.strip_prefix(m)) else {
                break;
            };
            started = true;
            items.push((at..end, tactics_of(ctx, item, at..end)));
            at = end;
        }
        // An item that names no tactic the pack can read (`- Defense Evasion`, a link to a
        // note declaring no tactic ID) makes the list unreadable: it is not judged.
        if items.iter().any(|(_, ids)| ids.is_empty()) {
            return None;
        }
        if !items.is_empty() {
            let end = items.last().map_or(h.span.end, |(r, _)| r.end);
            return Some(TacticList {
                span: h.span.start..end,
                items,
                fixable: true,
                complete: true,
            });
        }
    }
    let mut at = 0;
    for line in text.split_inclusive('\n') {
        let range = at..at + line.len();
        at = range.end;
        let Some(quoted) = line.trim_start().strip_prefix('>') else {
            continue;
        };
        let body = quoted.trim_start_matches(['>', ' ', '\t']);
        let lower = body.get(..8).unwrap_or(body).to_ascii_lowercase();
        if lower.starts_with("tactic:") || lower.starts_with("tactics:") {
            let ids = tactics_of(ctx, body, range.clone());
            let complete = lower.starts_with("tactics:") || ids.len() > 1;
            return (!ids.is_empty()).then_some(TacticList {
                span: range.start..range.end - usize::from(line.ends_with('\n')),
                items: vec![(range, ids)],
                fixable: false,
                complete,
            });
        }
    }
    None
}

/// The tactic IDs an item names: those in its text (`(TA0003)`, or a link target
/// `Defense Evasion - TA0005`), else the tactics the notes its links open declare.
fn tactics_of(ctx: &AttackContext<'_>, item: &str, line: Range<usize>) -> Vec<String> {
    let written = tactic_ids_in(item);
    if !written.is_empty() {
        return written;
    }
    let mut out: Vec<String> = Vec::new();
    for (link, resolution) in ctx.note.links().zip(ctx.resolutions) {
        if !line.contains(&link.span.start) {
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

/// Every `TA` followed by four digits in `text`, standing alone (not inside a longer word
/// or number), each once, in order.
fn tactic_ids_in(text: &str) -> Vec<String> {
    let bytes = text.as_bytes();
    let mut out: Vec<String> = Vec::new();
    for (i, _) in text.match_indices("TA") {
        let before = i.checked_sub(1).map(|j| bytes[j]);
        let digits = bytes.get(i + 2..i + 6);
        let after = bytes.get(i + 6);
        let alone = before.is_none_or(|b| !b.is_ascii_alphanumeric())
            && digits.is_some_and(|d| d.iter().all(u8::is_ascii_digit))
            && after.is_none_or(|b| !b.is_ascii_alphanumeric());
        if alone {
            let id = text[i..i + 6].to_owned();
            if !out.contains(&id) {
                out.push(id);
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
                new_line = new_line.replacen(old.as_str(), id, 1);
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
