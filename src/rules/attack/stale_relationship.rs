//! `attack-stale-relationship`: a row of a relationship table that ATT&CK does not have,
//! e.g. a mitigation note's "Techniques Addressed by Mitigation" listing a technique the
//! mitigation no longer mitigates. Table shapes: [`super::relationship_tables`].

use crate::diagnostic::{Diagnostic, Severity};

use super::relationship_fix::remove_row;
use super::relationship_tables::{live, named, release};
use super::{AttackContext, AttackRule, RuleMeta};

pub(crate) struct AttackStaleRelationship;

/// The rule's name, for the pack's choice of building relationship tables.
pub(crate) const NAME: &str = "attack-stale-relationship";

static META: RuleMeta = RuleMeta {
    name: NAME,
    summary: "A relationship table row (mitigates, uses, sub-technique) that ATT&CK does not have",
    default_severity: Severity::Warning,
    fix: crate::diagnostic::FixAvailability::Sometimes(crate::diagnostic::Applicability::Unsafe),
    docs: r#"## Why this matters

ATT&CK relates objects: a mitigation mitigates techniques, groups and software use
techniques, a sub-technique belongs to its technique. Generated notes show these as tables,
and the tables go stale when ATT&CK moves on: a row that ATT&CK dropped tells a reader that a
control covers a technique it does not, or that a group uses a technique it was never seen
using.

The table is read from the note's own ID and the kind of the IDs in its `ID` column: in a
mitigation note, technique rows are what it mitigates; in a technique note, mitigation rows
mitigate it and group, software and campaign rows use it; in a group, software or campaign
note, technique and software rows are what it uses; in a technique note, its sub-technique
rows are its sub-techniques. Unknown, revoked and deprecated row IDs are left to
`attack-unknown-id`, `attack-revoked-id` and `attack-deprecated-id`.

## Fix

The row's whole line is removed, with its line break (unsafe: the row's other cells, such
as a procedure description and its citations, are text the note loses; check the row
against ATT&CK first). A row that is not a line of its own starting with `|` is left alone.

## Bad

```md bad file=Mitigations/Application Developer Guidance.md
---
aliases: [M1013]
---
## Techniques Addressed by Mitigation

| ID | Name |
| --- | --- |
| [[Masquerading\|T1036]] | Masquerading |
```

## Good

```md good file=Mitigations/Application Developer Guidance.md
---
aliases: [M1013]
---
## Techniques Addressed by Mitigation

| ID | Name |
| --- | --- |
| [[Valid Accounts\|T1078]] | Valid Accounts |
```

```md file=Masquerading.md
---
aliases: [T1036]
---
```

```md file=Valid Accounts.md
---
aliases: [T1078]
---
```
"#,
};

impl AttackRule for AttackStaleRelationship {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_note(&self, ctx: &AttackContext<'_>, out: &mut Vec<Diagnostic>) {
        for table in ctx.tables {
            let release = release(ctx, table.domain.as_deref());
            for (row, (span, original)) in &table.rows {
                if table.has(ctx, row) || !live(ctx, &table.name_domain, row) {
                    continue;
                }
                out.push(
                    Diagnostic::new(
                        &META,
                        ctx.path,
                        Some(*span),
                        format!(
                            "{} in {release}; {}",
                            table.statement(row, true),
                            named(ctx, &table.name_domain, row)
                        ),
                    )
                    .with_label("ATT&CK has no such relationship")
                    .with_help(format!(
                        "remove the row, or check it against ATT&CK's page for `{}`",
                        table.id
                    ))
                    .with_subject(original.clone())
                    .with_fix(remove_row(ctx.text(), *span)),
                );
            }
        }
    }
}
