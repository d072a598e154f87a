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

/// A tactic list under a heading is brought in line by `attack-tactic-mismatch`'s fix, in
/// the list's own shape: the item ATT&CK does not give is removed, the missing one added
/// like the others (a link to the tactic's note, and its ID); a callout line is left for a
/// person.
#[test]
fn tactic_lists_are_fixed_in_their_own_shape() {
    let vault = copy_tree(&fixtures().join("rules/attack-tactic-mismatch"));
    let path = vault.path().to_str().unwrap();
    let fixed = vaultlint(&[
        "check",
        path,
        "--select",
        "attack-tactic-mismatch",
        "--fix",
        "--unsafe-fixes",
        "--no-cache",
    ]);
    assert_eq!(code(&fixed), 0, "{}", crate::stdout(&fixed));
    let note =
        std::fs::read_to_string(vault.path().join("techniques/bad-Modify Registry.md")).unwrap();
    assert_eq!(
        note,
        "---\naliases: [T1112]\n---\n## T1112\n\n### Tactic\n- [[tactics/Defense Evasion]] (TA0005)\n- [[tactics/Persistence]] (TA0003)\n\n### Platforms\n- Windows\n"
    );
    let report = json(&vaultlint(&[
        "check",
        path,
        "--select",
        "attack-tactic-mismatch",
        "--format",
        "json",
        "--no-cache",
    ]));
    let left: Vec<&str> = report["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["path"].as_str().unwrap())
        .collect();
    assert_eq!(left, ["techniques/bad-DLL.md"]);

    let plan = json(&vaultlint(&["attack", "upgrade", path, "--format", "json"]));
    assert_eq!(plan["counts"].get("update-tactics"), None, "{plan}");
    let manual: Vec<&str> = plan["manual"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["rule"].as_str().unwrap())
        .collect();
    assert_eq!(manual, ["attack-tactic-mismatch"]);
}
