//! `attack-catalog-outdated`: the vault is from a newer ATT&CK release than the catalogue it
//! is checked against, so the catalogue cannot judge what that release added, renamed or
//! related. Reported once, instead of a finding per note that only the older catalogue
//! causes.

use crate::diagnostic::{Diagnostic, FixAvailability, Severity};

use super::release::shown;
use super::{AttackContext, AttackRule, LayerContext, RuleMeta};

pub(crate) struct AttackCatalogOutdated;

/// The rule's name.
pub(crate) const NAME: &str = "attack-catalog-outdated";

static META: RuleMeta = RuleMeta {
    name: NAME,
    summary: "The vault is from a newer ATT&CK release than the catalogue it is checked against",
    default_severity: Severity::Warning,
    docs: r#"## Why this matters

ATT&CK publishes a release every few months: v19.0 split the tactic Defense Evasion into
Stealth (`TA0005`) and Defense Impairment (`TA0112`) and merged `T1562`, `T1562.001` and
`T1562.006` into `T1685`. A vault made from a release newer than the catalogue declares IDs
the catalogue has never seen, uses names it does not know yet, and keeps relationships it
does not have. Checked against the older catalogue, every such note would be reported, and
none of those findings would be a defect of the vault.

The pack tells a newer vault by its notes: several IDs that notes declare and the catalogue
does not know, one of them numbered past the highest ID the catalogue has (ATT&CK issues IDs
in sequence), or `[attack] release` pinned to a later release. It then reports this one
finding and leaves out `attack-unknown-id` for IDs that notes declare, `attack-outdated-name`,
and the relationship rules. A label no note declares (a typo) is still reported.

A Navigator layer kept in the vault says its release itself (`versions.attack`): a layer
newer than the catalogue gets this finding, at that value, instead of an
`attack-layer-unknown-id` for each technique the newer release added.

## Bad

```md bad
---
aliases: [T1685]
---
# Disable or Modify Tools
```

```md file=techniques/Impair Defenses.md
---
aliases: [T1686]
---
```

```md file=tactics/Defense Impairment.md
---
aliases: [TA0112]
---
```

## Good

```md good
---
aliases: [T1036]
---
# Masquerading
```

```md file=tactics/Defense Evasion.md
---
aliases: [TA0005]
---
```

## Fix

Check the vault against its own release: `vaultlint attack fetch 19.1` once (it downloads
MITRE's bundles into the cache), then `vaultlint check --attack-release 19.1`, or
`release = "19.1"` under `[attack]` in `vaultlint.toml`. Bundles at hand can be passed with
`--attack-catalog enterprise-attack-19.1.json`.
"#,
    fix: FixAvailability::None,
};

impl AttackRule for AttackCatalogOutdated {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_layer(&self, ctx: &LayerContext<'_>, out: &mut Vec<Diagnostic>) {
        let (Some(layer), Some(checked)) = (ctx.layer, ctx.checked) else {
            return;
        };
        let Some((written, span)) = layer.attack_version.as_ref().filter(|_| checked.newer())
        else {
            return;
        };
        let catalogue = &ctx.index.catalogue;
        let release = catalogue
            .releases
            .get(&layer.domain)
            .map_or(catalogue.version.as_str(), String::as_str);
        let unknown = checked
            .issues
            .iter()
            .filter(|i| i.status == super::layer::Status::Unknown)
            .count();
        out.push(
            Diagnostic::new(
                &META,
                ctx.path,
                Some(ctx.span(span)),
                format!(
                    "the layer is for ATT&CK v{written} (`versions.attack`), newer than the catalogue, {release}: {unknown} of its {} techniques are not in it",
                    layer.entries.len()
                ),
            )
            .with_label("newer release")
            .with_help(format!(
                "check the layer against its own release: `vaultlint attack fetch RELEASE` with a v{written} release, then `--attack-release` or `[attack] release` (or pass its bundles with `--attack-catalog`); until then, techniques the catalogue lacks are not reported"
            ))
            .with_subject(catalogue.version.clone()),
        );
    }

    fn check_note(&self, ctx: &AttackContext<'_>, out: &mut Vec<Diagnostic>) {
        let release = &ctx.index.release;
        if !release.newer || release.at != Some(ctx.id) {
            return;
        }
        let catalogue = &ctx.index.catalogue.version;
        let unknown = &release.unknown;
        let examples: Vec<String> = release
            .examples
            .iter()
            .map(|id| format!("`{id}`"))
            .collect();
        let more = unknown.len().saturating_sub(examples.len());
        let mut message = match release.pinned {
            Some(p) => format!(
                "the vault is pinned to ATT&CK {}, newer than the catalogue, {catalogue}",
                shown(p)
            ),
            None => {
                format!("the vault is from a newer ATT&CK release than the catalogue, {catalogue}")
            }
        };
        if !unknown.is_empty() {
            message.push_str(&format!(
                ": {} of the {} IDs its notes declare are not in it, e.g. {}{}",
                unknown.len(),
                release.declared,
                examples.join(", "),
                if more > 0 {
                    format!(" and {more} more")
                } else {
                    String::new()
                }
            ));
        }
        let span = ctx
            .index
            .declared
            .get(ctx.id)
            .and_then(|d| d.iter().find(|d| release.explains(&d.id)))
            .map(|d| d.span(ctx.note));
        let fetch = release.pinned.map_or_else(
            || "vaultlint attack fetch RELEASE".to_owned(),
            |p| format!("vaultlint attack fetch {}.{}", p.0, p.1),
        );
        out.push(
            Diagnostic::new(&META, ctx.path, span, message)
                .with_label("not in the catalogue".to_owned())
                .with_help(format!(
                    "check the vault against its own release: `{fetch}`, then `--attack-release` or `[attack] release` (or pass its bundles with `--attack-catalog`); until then, IDs notes declare that the catalogue lacks, names and relationship tables are not judged"
                ))
                .with_subject(catalogue.clone()),
        );
    }
}
