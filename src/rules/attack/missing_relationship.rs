//! `attack-missing-relationship`: a relationship ATT&CK has that the note's relationship
//! table lacks, e.g. a technique ATT&CK says a mitigation mitigates, missing from that
//! mitigation's table. Only tables the note has are checked. Table shapes:
//! [`super::relationship_tables`].

use crate::diagnostic::{Diagnostic, Severity};

use super::relationship_fix::add_rows;
use super::relationship_tables::{named, release};
use super::{AttackContext, AttackRule, RuleMeta};

pub(crate) struct AttackMissingRelationship;

/// IDs named in one finding; the subject lists them all.
const MAX_NAMED: usize = 10;

/// The rule's name, for the pack's choice of building relationship tables.
pub(crate) const NAME: &str = "attack-missing-relationship";

static META: RuleMeta = RuleMeta {
    name: NAME,
    summary: "A relationship table lacks rows that ATT&CK has (mitigates, uses, sub-technique)",
    default_severity: Severity::Warning,
    fix: crate::diagnostic::FixAvailability::Sometimes(crate::diagnostic::Applicability::Safe),
    docs: r#"## Why this matters

A mitigation's table of techniques, a group's table of techniques used, a technique's
table of mitigations are read as complete: a coverage map built from a vault generated from
an older ATT&CK misses every relationship added since. This rule compares each relationship
table with the catalogue's release and lists what the table lacks (one finding per table).
Tables are recognised as for `attack-stale-relationship`; a note without such a table is not
reported.

Only objects that have a note in the vault count: a vault that keeps 95 of ATT&CK's ~800
software notes is not told, in every technique note, about the 700 it chose not to keep
(`vaultlint attack coverage` lists which objects have no note).

## Fix

A row is added for each missing object that a note in the vault declares, linking to that
note (the one in the domain folder the table's other links go to, else in the note's own),
in the shape of the table's rows: the same cells, the link's path written as they write it
(full vault path or bare file name, `\|` with or without spaces), a name cell with the
catalogue's name (the note's name when the note is named otherwise, which
`attack-outdated-name` reports), a name link when the rows' name cells are links, the
`Domain` cell the rows of that domain have, and every other cell empty. When the table's
rows are in ID order, each new row goes where its ID belongs, else after the last row.
This is safe: no existing row or link changes, and each new link opens a note that
declares its ID. An object without a note gets no row (the link would be broken): add its
note first. A table whose rows are not lines of their own, or whose ID links are not
wiki-links labelled with the ID, is left alone.

## Bad

```md bad file=Techniques/Masquerading.md
---
aliases: [T1036]
---
## Sub-techniques

| ID | Name |
| --- | --- |
| [[Invalid Code Signature\|T1036.001]] | Invalid Code Signature |
```

## Good

```md good file=Techniques/Multi-Factor Authentication Interception.md
---
aliases: [T1111]
---
## Mitigations

| ID | Name |
| --- | --- |
| [[Mitigations/User Training\|M1017]] | User Training |
```

```md file=Mitigations/User Training.md
---
aliases: [M1017]
---
```

```md file=Invalid Code Signature.md
---
aliases: [T1036.001]
---
```

```md file=Right-to-Left Override.md
---
aliases: [T1036.002]
---
```
"#,
};

impl AttackRule for AttackMissingRelationship {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_note(&self, ctx: &AttackContext<'_>, out: &mut Vec<Diagnostic>) {
        for table in ctx.tables {
            let missing: Vec<&String> = table
                .expected
                .iter()
                .filter(|e| !table.rows.contains_key(*e))
                // Within the vault's scope: an object without a note is one the vault chose
                // not to keep (`attack coverage` lists those).
                .filter(|e| ctx.index.by_id.contains_key(e.as_str()))
                .collect();
            let Some(first) = missing.first() else {
                continue;
            };
            let release = release(ctx, table.domain.as_deref());
            let listed: Vec<String> = missing
                .iter()
                .take(MAX_NAMED)
                .map(|m| named(ctx, &table.name_domain, m))
                .collect();
            let more = missing.len().saturating_sub(MAX_NAMED);
            let tail = if more > 0 {
                format!(" and {more} more")
            } else {
                String::new()
            };
            let n = missing.len();
            out.push(
                Diagnostic::new(
                    &META,
                    ctx.path,
                    Some(table.first),
                    format!(
                        "this table lacks {n} relationship{} of {release}, e.g. {}: {}{tail}",
                        if n == 1 { "" } else { "s" },
                        table.statement(first, false),
                        listed.join(", ")
                    ),
                )
                .with_label(format!("{n} row{} missing", if n == 1 { "" } else { "s" }))
                .with_help(format!(
                    "add a row for each, or regenerate the note from {release}"
                ))
                .with_subject(subject(&missing))
                .with_fix(add_rows(ctx, table, &missing)),
            );
        }
    }
}

/// IDs a finding's subject lists at most; past it, the first ones and a digest of all.
const MAX_SUBJECT_IDS: usize = 100;

/// The subject that tells this finding from another across edits (baselines): the missing
/// IDs, comma-separated. A table lacking more than [`MAX_SUBJECT_IDS`] gets the first ones,
/// the count and a SHA-256 prefix of the whole list, so the subject still changes with the
/// list while its size stays bounded (a catalogue relating one group to 100,000 techniques
/// made every finding carry them all).
fn subject(missing: &[&String]) -> String {
    let all = || missing.iter().map(|m| m.as_str());
    if missing.len() <= MAX_SUBJECT_IDS {
        return all().collect::<Vec<_>>().join(",");
    }
    use sha2::Digest;
    let mut digest = sha2::Sha256::new();
    for id in all() {
        digest.update(id.as_bytes());
        digest.update(b",");
    }
    let hex: String = digest.finalize()[..8]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    let head: Vec<&str> = all().take(MAX_SUBJECT_IDS).collect();
    format!(
        "{},+{} (sha256 {hex})",
        head.join(","),
        missing.len() - MAX_SUBJECT_IDS
    )
}
