//! `attack-duplicate-id`: two notes in the same domain folder declare the same ATT&CK ID.
//!
//! The domain folder is the nearest ancestor named as a domain in the configuration
//! (`Enterprise-Attack`, `Mobile-Attack`, `ICS-Attack` by default); a vault without one
//! is a single domain. Only each note's primary ID counts.

use std::collections::BTreeMap;

use crate::diagnostic::{Diagnostic, Related, Severity};
use crate::index::{FileId, Vault};

use super::{Rule, RuleMeta};

pub struct AttackDuplicateId;

static META: RuleMeta = RuleMeta {
    name: "attack-duplicate-id",
    summary: "Two notes in the same domain folder declare the same ATT&CK ID",
    default_severity: Severity::Error,
    docs: r#"## Why this matters

One ATT&CK object should have one note per domain. With two, links by ID land on either
at random, edits go to one copy, and the other silently goes stale.

## Bad

```md bad
---
aliases: [T1036]
---
```

```md file=Masquerading copy.md
---
aliases: [T1036]
---
```

## Good

```md good
---
aliases: [T1036.005]
---
```
"#,
};

impl Rule for AttackDuplicateId {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_vault(&self, vault: &Vault, out: &mut Vec<Diagnostic>) {
        let mut groups: BTreeMap<(String, &str), Vec<FileId>> = BTreeMap::new();
        for (file, _) in vault.notes.iter().enumerate().filter(|(_, n)| n.is_some()) {
            let Some(primary) = vault.attack.primary(file) else {
                continue;
            };
            let domain = vault
                .attack_config
                .domain_of(vault.path(file))
                .map_or_else(String::new, |(f, _)| f.to_owned());
            groups
                .entry((domain, primary.id.as_str()))
                .or_default()
                .push(file);
        }
        for ((_, id), files) in groups {
            if files.len() < 2 {
                continue;
            }
            for &file in &files {
                if !vault.files[file].lint {
                    continue;
                }
                let others: Vec<FileId> = files.iter().copied().filter(|&f| f != file).collect();
                let span = vault.attack.primary(file).map(|d| d.span);
                let list: Vec<String> = others
                    .iter()
                    .map(|&o| format!("`{}`", vault.path(o)))
                    .collect();
                out.push(
                    Diagnostic::new(
                        &META,
                        vault.path(file),
                        span,
                        format!("`{id}` is also declared by {}", list.join(", ")),
                    )
                    .with_label(format!("declares `{id}`"))
                    .with_help(
                        "keep one note per ID in each domain: merge the notes, or fix the wrong ID",
                    )
                    .with_related(
                        others
                            .iter()
                            .map(|&o| Related {
                                path: vault.path(o).clone(),
                                span: vault.attack.primary(o).map(|d| d.span),
                                message: format!("also declares `{id}`"),
                            })
                            .collect(),
                    )
                    .with_subject(id.to_owned()),
                );
            }
        }
    }
}
