//! `unused-suppression`: a `%% vaultlint-… %%` comment that suppresses nothing.
//!
//! Suppressions are applied after the other rules ran, by the pipeline's suppress step,
//! which reports this rule when it is selected: a stale suppression would hide the next
//! real problem on its line. This file holds the rule's metadata and docs only.

use crate::diagnostic::Severity;

use super::{Rule, RuleMeta};

pub(crate) struct UnusedSuppression;

pub(crate) static META: RuleMeta = RuleMeta {
    name: "unused-suppression",
    summary: "A `%% vaultlint-disable… %%` comment suppresses nothing, or names an unknown rule",
    default_severity: Severity::Warning,
    docs: r#"## Why this matters

Suppressions are for findings you have judged and accepted. Once the link is fixed or the
note changes, a leftover suppression silently hides the next real problem on that line.
Suppressions are Obsidian comments, so they never show in reading view:

- `%% vaultlint-disable-next-line broken-link %%` suppresses the named rules (or all, if
  none is named) on the next line;
- `%% vaultlint-disable broken-link %%` … `%% vaultlint-enable %%` suppresses them until
  the enable comment, or the end of the note.

## Bad

```md bad
%% vaultlint-disable-next-line broken-link %%
This line links to [[Existing]], which resolves.
```

## Good

```md good
%% vaultlint-disable-next-line broken-link %%
A draft link to [[Not written yet]].
```

```md file=Existing.md
```
"#,
    fix: crate::diagnostic::FixAvailability::None,
};

impl Rule for UnusedSuppression {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }
}
