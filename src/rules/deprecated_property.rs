//! `deprecated-property`: front matter keys `alias`, `tag` and `cssclass`, which Obsidian
//! deprecated in 1.4 and stopped reading as default properties in 1.9 (reference note,
//! rule 22). Matched without regard to case.

use serde_json::Value;

use crate::diagnostic::{Applicability, Diagnostic, Edit, Fix, FixAvailability, Severity};
use crate::parse::frontmatter::property;
use crate::parse::{FrontMatter, PropertyKey};

use super::edit::{line_ending, property_lines, yaml_flow_item};

use super::{NoteContext, Rule, RuleMeta};

pub(crate) struct DeprecatedProperty;

static META: RuleMeta = RuleMeta {
    name: "deprecated-property",
    summary: "Front matter uses `alias`, `tag` or `cssclass`, which Obsidian 1.9 no longer reads",
    default_severity: Severity::Warning,
    docs: r#"## Why this matters

Obsidian 1.9 dropped `alias`, `tag` and `cssclass` as default properties: their values no
longer act as aliases, tags or CSS classes. Link suggestions stop offering the alias, tag
search misses the note, and styling disappears. Obsidian's Format converter rewrites them
(`alias: X` becomes `aliases: [X]`).

## Bad

```md bad
---
alias: M1040
tag: mitigation
---
```

## Fix

Safe: renames the key and writes its value as a list (`alias: A, B` becomes
`aliases: [A, B]`, as Obsidian's Format converter does), merging into an existing
`aliases`, `tags` or `cssclasses` key. A tag or CSS class value with spaces is left for
you to split, and so are values that are not text.

## Good

```md good
---
aliases: [M1040]
tags: [mitigation]
---
```
"#,
    fix: FixAvailability::Sometimes(Applicability::Safe),
};

const DEPRECATED: [(&str, &str); 3] = [
    ("alias", "aliases"),
    ("tag", "tags"),
    ("cssclass", "cssclasses"),
];

impl Rule for DeprecatedProperty {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_note(&self, ctx: &NoteContext<'_>, out: &mut Vec<Diagnostic>) {
        let FrontMatter::Parsed {
            keys, value, span, ..
        } = &ctx.note.front_matter
        else {
            return;
        };
        for key in keys {
            let Some((old, new)) = DEPRECATED
                .iter()
                .find(|(old, _)| key.name.eq_ignore_ascii_case(old))
            else {
                continue;
            };
            out.push(
                Diagnostic::new(&META, ctx.path, Some(key.span), format!("`{}` is no longer read by Obsidian (since 1.9)", key.name))
                    .with_label(format!("deprecated; use `{new}`"))
                    .with_help(format!("rename `{old}` to `{new}` and write the value as a list, e.g. `{new}: [value]`"))
                    .with_subject(key.name.clone())
                    .with_fix(fix(ctx.text(), keys, value, span.end, key, new)),
            );
        }
    }
}

/// Renames `key` to `new` with its value as a list, or merges it into an existing `new`
/// key. `None` when the value's meaning as a list is not certain (see the docs).
fn fix(
    text: &str,
    keys: &[PropertyKey],
    value: &Value,
    fm_end: usize,
    key: &PropertyKey,
    new: &str,
) -> Option<Fix> {
    let same = |name: &str| {
        keys.iter()
            .filter(|k| k.name.eq_ignore_ascii_case(name))
            .count()
    };
    if same(&key.name) != 1 || same(new) > 1 {
        return None;
    }
    let raw = text.get(key.value.start..key.value.end)?;
    if has_comment(raw) {
        return None;
    }
    let entries = list_entries(property(value, &key.name)?, new != "aliases")?;
    let description = format!("rename `{}` to `{new}`", key.name);
    let Some(existing) = keys.iter().find(|k| k.name.eq_ignore_ascii_case(new)) else {
        let rename = Edit::replace(key.span.start, key.span.end, new);
        let edits = if raw.is_empty() || raw.starts_with('[') {
            vec![rename]
        } else if entries.len() == 1 && flow(&entries) == format!("[{raw}]") {
            // Brackets around the value as written: the value's own text stays untouched,
            // so a fix of the same value (an ATT&CK ID) can go in the same pass.
            vec![
                rename,
                Edit::insert(key.value.start, "["),
                Edit::insert(key.value.end, "]"),
            ]
        } else {
            vec![
                rename,
                Edit::replace(key.value.start, key.value.end, flow(&entries)),
            ]
        };
        return Some(Fix::safe(description, edits));
    };
    let existing_raw = text.get(existing.value.start..existing.value.end)?;
    let remove = property_lines(text, key.span.start, fm_end);
    if has_comment(existing_raw) || has_comment(text.get(remove.clone())?) {
        return None;
    }
    let have = list_entries(property(value, &existing.name)?, new != "aliases")?;
    let added: Vec<String> = entries.into_iter().filter(|e| !have.contains(e)).collect();
    let mut edits = vec![Edit::replace(remove.start, remove.end, "")];
    if !added.is_empty() {
        if existing_raw.is_empty() {
            // A block list: append items after its last line, indented like its first.
            let block = property_lines(text, existing.span.start, fm_end);
            let body = text.get(block.clone())?;
            let item_line = body.split_inclusive('\n').nth(1)?;
            let indent = &item_line[..item_line.len() - item_line.trim_start().len()];
            if !item_line.trim_start().starts_with('-') {
                return None;
            }
            let eol = line_ending(text);
            let lines: String = added
                .iter()
                .map(|e| format!("{indent}- {}{eol}", yaml_flow_item(e)))
                .collect();
            edits.push(Edit::insert(block.end, lines));
        } else {
            let mut all = have;
            all.extend(added);
            edits.push(Edit::replace(
                existing.value.start,
                existing.value.end,
                flow(&all),
            ));
        }
    }
    Some(Fix::safe(
        format!("merge `{}` into `{}`", key.name, existing.name),
        edits,
    ))
}

/// Whether YAML text may hold a comment: a `#` after a space or tab (YAML allows both
/// before a comment) or at a line's start. The fix rewrites or removes the value's text,
/// which would delete the comment; a `#` inside quotes makes this refuse a fix it could
/// have made, never lose text.
fn has_comment(yaml: &str) -> bool {
    yaml.lines().any(|line| {
        line.trim_start().starts_with('#') || line.contains(" #") || line.contains("\t#")
    })
}

/// A value's entries as the new list property reads them: a string is split at commas,
/// as Obsidian read these keys before 1.4. `None` for values that are not text (non-finite
/// floats included), and, when `single_words` (tags, CSS classes), for entries with
/// spaces, which were several.
fn list_entries(value: &Value, single_words: bool) -> Option<Vec<String>> {
    let entries: Vec<String> = match value {
        Value::Null => Vec::new(),
        Value::String(s) => s
            .split(',')
            .map(str::trim)
            .filter(|e| !e.is_empty())
            .map(str::to_owned)
            .collect(),
        Value::Array(items) => items
            .iter()
            .map(|i| i.as_str().map(|s| s.trim().to_owned()))
            .collect::<Option<_>>()?,
        _ => return None,
    };
    if single_words && entries.iter().any(|e| e.contains(char::is_whitespace)) {
        return None;
    }
    // The YAML reader hands a non-finite float (`.inf`, `-.Inf`, `.NaN`) over as a string,
    // lower-cased: it is no text, and written as one it would change type and spelling.
    // A quoted `".inf"` reads the same and is refused too: no fix rather than a wrong one.
    if entries.iter().any(|e| {
        matches!(
            e.to_ascii_lowercase().as_str(),
            ".inf" | "+.inf" | "-.inf" | ".nan"
        )
    }) {
        return None;
    }
    Some(entries)
}

fn flow(entries: &[String]) -> String {
    let items: Vec<String> = entries.iter().map(|e| yaml_flow_item(e)).collect();
    format!("[{}]", items.join(", "))
}
