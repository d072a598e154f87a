//! `attack-layer-unknown-id`: an ATT&CK Navigator layer kept in the vault lists a
//! technique ID the catalogue does not know.

use crate::diagnostic::{Diagnostic, FixAvailability, Severity};

use super::layer::Status;
use super::{AttackRule, LayerContext, RuleMeta};

pub(crate) struct AttackLayerUnknownId;

static META: RuleMeta = RuleMeta {
    name: "attack-layer-unknown-id",
    summary: "A Navigator layer lists a technique ID that ATT&CK does not have",
    default_severity: Severity::Error,
    docs: r#"## Why this matters

Navigator shows a layer's entries on the matrix of its release; an entry whose
`techniqueID` is no technique of that release (a typo such as `T1556.999`, a mitigation's
ID, or a sub-technique that never existed) is left out without a word, with its score and
comment. The heat map then silently misses what the layer's author meant to mark.

Layers are told by their content (see `attack-layer-outdated`). A layer whose
`versions.attack` names a release newer than the catalogue's gets one
`attack-catalog-outdated` finding instead: the catalogue cannot judge the IDs that release
added.

## Bad

```md bad file=layers/apt19.json
{
  "versions": { "attack": "18", "layer": "4.5" },
  "domain": "enterprise-attack",
  "techniques": [
    { "techniqueID": "T1556.999", "score": 1 }
  ]
}
```

## Good

```md good file=layers/apt19.json
{
  "versions": { "attack": "18", "layer": "4.5" },
  "domain": "enterprise-attack",
  "techniques": [
    { "techniqueID": "T1556.001", "score": 1 }
  ]
}
```

## Fix

None: which technique the entry meant is a person's call. Correct the ID, or remove the
entry. A layer from a newer ATT&CK release is checked against that release with
`--attack-catalog` or `--attack-release`.
"#,
    fix: FixAvailability::None,
};

impl AttackRule for AttackLayerUnknownId {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_layer(&self, ctx: &LayerContext<'_>, out: &mut Vec<Diagnostic>) {
        let (Some(layer), Some(checked)) = (ctx.layer, ctx.checked) else {
            return;
        };
        // IDs of a newer release than the catalogue's are not judged: with no
        // `versions.attack`, the vault's own release decides.
        if checked.newer() || (checked.layer_release.is_none() && ctx.index.release.newer) {
            return;
        }
        let catalogue = &ctx.index.catalogue;
        let release = catalogue
            .releases
            .get(&layer.domain)
            .map_or(catalogue.version.as_str(), String::as_str);
        for issue in checked
            .issues
            .iter()
            .filter(|i| i.status == Status::Unknown)
        {
            let entry = &layer.entries[issue.entry];
            let other_kind = catalogue
                .all(&issue.id)
                .first()
                .map(|e| format!(": it is the {} `{}`", e.kind, e.name));
            out.push(
                Diagnostic::new(
                    &META,
                    ctx.path,
                    Some(ctx.span(&entry.id_span)),
                    format!(
                        "`{}` is not a technique in {release} ({}){}",
                        issue.id,
                        layer.domain,
                        other_kind.unwrap_or_default()
                    ),
                )
                .with_label("unknown technique")
                .with_help(
                    "correct the ID or remove the entry; Navigator leaves it out of the layer",
                )
                .with_subject(issue.id.clone()),
            );
        }
    }
}
