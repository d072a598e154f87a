//! `attack-layer-outdated`: an ATT&CK Navigator layer kept in the vault lists a technique
//! that ATT&CK revoked or deprecated, or says (`versions.attack`) it was made for an older
//! release than the catalogue's. The fix is the layer's part of `attack upgrade`
//! ([`super::layer::plan`]).

use crate::diagnostic::{Applicability, Diagnostic, Fix, FixAvailability, Severity};

use super::layer::{Action, Status};
use super::release::shown;
use super::{AttackRule, IdKind, LayerContext, RuleMeta};

pub(crate) struct AttackLayerOutdated;

/// The rule's name.
pub(crate) const NAME: &str = "attack-layer-outdated";

static META: RuleMeta = RuleMeta {
    name: NAME,
    summary: "A Navigator layer lists revoked or deprecated techniques, or is for an older ATT&CK release",
    default_severity: Severity::Warning,
    docs: r#"## Why this matters

ATT&CK Navigator layers (JSON files with `versions`, `domain` and `techniques`, kept in the
vault beside the notes they summarise) name techniques by ID. When ATT&CK revokes a
technique (`T1574.002` DLL Side-Loading was merged into `T1574.001` DLL in v17), Navigator
drops the entry without a word when it loads the layer against the current matrix: its
score, colour and comment are gone from the heat map. A deprecated technique has left the
matrix and is dropped the same way. A layer whose `versions.attack` names an older release
is shown against that release's matrix, or upgraded by hand in Navigator, entry by entry.

A layer is told by its content, not its name: a JSON object whose top level has
`techniques` and `versions` or `domain`, as Navigator writes every layer. Other JSON files
are not looked at.

## Bad

```md bad file=layers/apt19.json
{
  "name": "APT19",
  "versions": { "attack": "14", "navigator": "4.9.1", "layer": "4.5" },
  "domain": "enterprise-attack",
  "techniques": [
    { "techniqueID": "T1574.002", "score": 1 }
  ]
}
```

## Good

```md good file=layers/apt19.json
{
  "name": "APT19",
  "versions": { "attack": "18", "navigator": "5.1.0", "layer": "4.5" },
  "domain": "enterprise-attack",
  "techniques": [
    { "techniqueID": "T1574.001", "score": 1 }
  ]
}
```

## Fix

Unsafe, with `--unsafe-fixes` or `vaultlint attack upgrade`, where ATT&CK names a
replacement: the entry's `techniqueID` becomes it; when the layer already lists the
replacement for the same tactic (a merge: several old techniques became one), the entry is
removed instead, because Navigator keys entries by technique and tactic and would keep only
one of the two. `versions.attack` becomes the catalogue's major version once no technique is
left that the release lacks. Every other byte of the file is kept.

Unsafe because the entry's data was written for the old technique: its score and comment
now stand for the replacement, which a merge makes broader (`T1574.001` now covers what
`T1574.002` did), its `tactic` may not be one of the replacement's, and a removed entry's
score and comment are lost. A person should look at the scores of merged techniques.
Deprecated techniques have no replacement: remove the entry, or map it by hand.

Suppress a finding with `%% vaultlint-disable attack-layer-outdated %%` in a string of the
layer (its `description`, or an entry's `comment`): from that line to the end of the file,
or to a `%% vaultlint-enable %%`.

## Configuration

`--attack-catalog PATH`, `--attack-release` or `[attack] release` choose the release the
layer is checked against (see `attack-catalog-outdated` for a layer newer than it).
"#,
    fix: FixAvailability::Sometimes(Applicability::Unsafe),
};

impl AttackRule for AttackLayerOutdated {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_layer(&self, ctx: &LayerContext<'_>, out: &mut Vec<Diagnostic>) {
        let (Some(layer), Some(checked)) = (ctx.layer, ctx.checked) else {
            return;
        };
        let catalogue = &ctx.index.catalogue;
        let name_of = |id: &str| {
            catalogue
                .lookup(id, IdKind::Technique, Some(&layer.domain))
                .map_or_else(String::new, |e| format!(" ({})", e.name))
        };
        for (n, issue) in checked.issues.iter().enumerate() {
            if issue.status == Status::Unknown {
                continue;
            }
            let entry = &layer.entries[issue.entry];
            let id = &issue.id;
            let name = issue
                .name
                .as_ref()
                .map_or_else(String::new, |n| format!(" ({n})"));
            let status = issue.status.as_str();
            let mut message = format!("`{id}`{name} is {status} in ATT&CK");
            let planned = ctx.plan.and_then(|p| p.for_issue(n));
            let help = match (&issue.replacement, planned.map(|p| &p.action)) {
                (Some(new), Some(Action::Remove(_))) => {
                    message.push_str(&format!(
                        "; it is now `{new}`{}, which the layer already lists for {}",
                        name_of(new),
                        tactic_shown(entry.tactic.as_deref())
                    ));
                    "remove the entry (Navigator keeps one entry per technique and tactic); move its score or comment to the other entry first if they matter".to_owned()
                }
                (Some(new), _) => {
                    message.push_str(&format!("; it is now `{new}`{}", name_of(new)));
                    format!(
                        "change the `techniqueID` to `{new}`; Navigator drops `{id}` when it loads the layer"
                    )
                }
                (None, _) => "ATT&CK names no replacement: remove the entry, or map it to a current technique by hand; Navigator drops it when it loads the layer".to_owned(),
            };
            let fix = planned.map(|p| {
                let description = match &p.action {
                    Action::Relabel(new) => format!("change the `techniqueID` to `{new}`"),
                    Action::Remove(new) => {
                        format!("remove the entry (`{new}` is listed for the same tactic)")
                    }
                };
                Fix::unsafe_(description, p.edits.clone())
            });
            out.push(
                Diagnostic::new(&META, ctx.path, Some(ctx.span(&entry.id_span)), message)
                    .with_label(format!("{status} technique"))
                    .with_help(help)
                    .with_subject(id.clone())
                    .with_fix(fix),
            );
        }
        if !checked.older() {
            return;
        }
        let (Some((written, span)), Some(release)) = (&layer.attack_version, checked.release)
        else {
            return;
        };
        let version = ctx.plan.and_then(|p| p.version.as_ref());
        let fix = version.map(|(major, edit)| {
            Fix::unsafe_(
                format!("set `versions.attack` to \"{major}\""),
                vec![edit.clone()],
            )
        });
        let help = if fix.is_some() {
            format!(
                "every technique of the layer is in {}: set `versions.attack` to \"{}\"",
                shown(release),
                release.0
            )
        } else {
            format!(
                "settle the techniques {} lacks first, then set `versions.attack` to \"{}\"",
                shown(release),
                release.0
            )
        };
        out.push(
            Diagnostic::new(
                &META,
                ctx.path,
                Some(ctx.span(span)),
                format!(
                    "the layer is for ATT&CK v{written} (`versions.attack`), older than the catalogue, {}",
                    catalogue.releases.get(&layer.domain).map_or(catalogue.version.as_str(), String::as_str)
                ),
            )
            .with_label("older release")
            .with_help(help)
            .with_subject(format!("versions.attack {written}"))
            .with_fix(fix),
        );
    }
}

/// How a message names the tactic of a layer entry.
fn tactic_shown(tactic: Option<&str>) -> String {
    match tactic {
        Some(t) => format!("tactic `{t}`"),
        None => "every tactic".to_owned(),
    }
}
