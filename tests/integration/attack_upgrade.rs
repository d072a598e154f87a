//! `vaultlint attack upgrade --format json` on the fixture vault made with v14.1 names
//! (`fixtures/attack-upgrade/v14-vault`): the plan as JSON, carried out, and planned again.

use crate::{code, copy_tree, fixtures, json, vaultlint};

#[test]
fn the_json_plan_is_carried_out_and_a_second_run_plans_nothing() {
    let vault = copy_tree(&fixtures().join("attack-upgrade/v14-vault"));
    let path = vault.path().to_str().unwrap();
    let planned = vaultlint(&["attack", "upgrade", path, "--format", "json"]);
    assert_eq!(code(&planned), 0);
    let plan = json(&planned);
    assert_eq!(plan["applied"], false);
    assert!(plan.get("after").is_none(), "{plan}");
    let changes = plan["changes"].as_array().unwrap();
    let counted: u64 = plan["counts"]
        .as_object()
        .unwrap()
        .values()
        .map(|n| n.as_u64().unwrap())
        .sum();
    assert_eq!(counted, changes.len() as u64);
    assert_eq!(plan["counts"]["rename-note"], 2);
    // The layer's revoked technique and its `versions.attack`: one change per finding of
    // `attack-layer-outdated`, whose fixes the plan's layer changes are.
    assert_eq!(plan["counts"]["upgrade-layer"], 2);
    assert!(changes
        .iter()
        .all(|c| !c["cause"].as_str().unwrap().is_empty()));

    let applied = vaultlint(&["attack", "upgrade", path, "--apply", "--format", "json"]);
    assert_eq!(code(&applied), 0);
    let applied = json(&applied);
    assert_eq!(applied["applied"], true);
    assert_eq!(applied["changes"], plan["changes"]);
    // Nothing is left for a person: the rows ATT&CK has for objects without a note are
    // outside the vault's scope, so no finding asks for them.
    assert_eq!(plan["manual"], serde_json::json!([]));
    assert_eq!(applied["after"], serde_json::json!({}));

    let again = json(&vaultlint(&["attack", "upgrade", path, "--format", "json"]));
    assert_eq!(again["changes"], serde_json::json!([]));
    assert_eq!(again["manual"], plan["manual"]);

    let old = vaultlint(&["attack", "upgrade", path, "--json"]);
    assert_eq!(
        code(&old),
        2,
        "`--json` is gone: `--format json` replaces it"
    );
}
