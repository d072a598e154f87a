//! `attack-invalid-layer`: a JSON file of the vault has an ATT&CK Navigator layer's keys
//! but Navigator cannot load it.

use crate::diagnostic::{Diagnostic, FixAvailability, Severity};

use super::{AttackRule, LayerContext, RuleMeta};

pub(crate) struct AttackInvalidLayer;

static META: RuleMeta = RuleMeta {
    name: "attack-invalid-layer",
    summary: "A Navigator layer is not valid JSON or not in the layer format",
    default_severity: Severity::Error,
    docs: r#"## Why this matters

A layer that is not valid JSON, or whose `techniques` entries lack a string `techniqueID`,
is refused by Navigator as a whole: none of its scores, colours or comments can be shown,
and none of its techniques can be checked against ATT&CK. The file usually broke in a hand
edit or a merge (a trailing comma, a conflict marker, a number where Navigator writes a
string).

A JSON file is taken for a layer when it has a layer's keys: `techniques`, and `versions`
or `domain`, at the top level (when it is not valid JSON, when those keys appear anywhere in
it). Other JSON files are not looked at.

## Bad

```md bad file=layers/apt19.json
{
  "versions": { "attack": "18", "layer": "4.5" },
  "domain": "enterprise-attack",
  "techniques": [
    { "techniqueID": "T1059", "score": 1 },
  ]
}
```

## Good

```md good file=layers/apt19.json
{
  "versions": { "attack": "18", "layer": "4.5" },
  "domain": "enterprise-attack",
  "techniques": [
    { "techniqueID": "T1059", "score": 1 }
  ]
}
```

```md good file=data/settings.json
{ "techniques": "none", "theme": "dark" }
```

## Fix

None: repair the JSON where the finding points, or export the layer from Navigator again.
"#,
    fix: FixAvailability::None,
};

impl AttackRule for AttackInvalidLayer {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_layer(&self, ctx: &LayerContext<'_>, out: &mut Vec<Diagnostic>) {
        let Some((message, at)) = ctx.invalid else {
            return;
        };
        out.push(
            Diagnostic::new(
                &META,
                ctx.path,
                Some(ctx.span(at)),
                format!("the Navigator layer cannot be loaded: {message}"),
            )
            .with_label("here")
            .with_help("repair the layer here, or export it from Navigator again; until then Navigator refuses the whole file and its techniques are not checked"),
        );
    }
}
