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

/// A v19.0 Enterprise bundle as `attack fetch` leaves it in the cache: v19 split Defense
/// Evasion (`TA0005` became Stealth, `TA0112` Defense Impairment) and merged `T1562` into
/// `T1685`; `T1112` is under Stealth and Persistence.
fn v19_bundle() -> Vec<u8> {
    let object = |kind: &str, n: usize, id: &str, name: &str, extra: serde_json::Value| {
        let mut o = serde_json::json!({
            "type": kind, "id": format!("{kind}--{n}"), "name": name,
            "x_mitre_domains": ["enterprise-attack"],
            "external_references": [{"source_name": "mitre-attack", "external_id": id}],
        });
        for (k, v) in extra.as_object().unwrap() {
            o[k] = v.clone();
        }
        o
    };
    let phases = |names: &[&str]| serde_json::json!({"kill_chain_phases": names.iter().map(|p| serde_json::json!({"kill_chain_name": "mitre-attack", "phase_name": p})).collect::<Vec<_>>()});
    let objects = vec![
        serde_json::json!({"type": "x-mitre-collection", "id": "x-mitre-collection--1", "x_mitre_version": "19.0"}),
        object(
            "x-mitre-matrix",
            1,
            "enterprise-attack",
            "Enterprise ATT&CK",
            serde_json::json!({}),
        ),
        object(
            "x-mitre-tactic",
            1,
            "TA0005",
            "Stealth",
            serde_json::json!({"x_mitre_shortname": "stealth"}),
        ),
        object(
            "x-mitre-tactic",
            2,
            "TA0112",
            "Defense Impairment",
            serde_json::json!({"x_mitre_shortname": "defense-impairment"}),
        ),
        object(
            "x-mitre-tactic",
            3,
            "TA0003",
            "Persistence",
            serde_json::json!({"x_mitre_shortname": "persistence"}),
        ),
        object(
            "attack-pattern",
            1,
            "T1112",
            "Modify Registry",
            phases(&["stealth", "persistence"]),
        ),
        object(
            "attack-pattern",
            2,
            "T1685",
            "Impair Defenses",
            phases(&["defense-impairment"]),
        ),
        object(
            "attack-pattern",
            3,
            "T1562",
            "Impair Defenses",
            serde_json::json!({"revoked": true}),
        ),
        serde_json::json!({"type": "relationship", "id": "relationship--1", "relationship_type": "revoked-by",
            "source_ref": "attack-pattern--3", "target_ref": "attack-pattern--2"}),
    ];
    serde_json::to_vec(
        &serde_json::json!({"type": "bundle", "id": "bundle--1", "objects": objects}),
    )
    .unwrap()
}

/// A vault of v18.1 with the notes the v19 bundle changes.
fn v18_vault() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    std::fs::create_dir_all(root.join(".obsidian")).unwrap();
    for folder in ["techniques", "tactics"] {
        std::fs::create_dir_all(root.join(folder)).unwrap();
    }
    let note = |path: &str, text: &str| std::fs::write(root.join(path), text).unwrap();
    note(
        "tactics/Defense Evasion.md",
        "---\naliases: [TA0005]\n---\n",
    );
    note("tactics/Persistence.md", "---\naliases: [TA0003]\n---\n");
    note(
        "tactics/Defense Impairment.md",
        "---\naliases: [TA0112]\n---\n",
    );
    note(
        "techniques/Modify Registry.md",
        "---\naliases: [T1112]\n---\n### Tactic\n- [[tactics/Defense Evasion]] (TA0005)\n",
    );
    note(
        "techniques/Impair Defenses.md",
        "---\naliases: [T1562]\n---\n### Tactic\n- [[tactics/Defense Evasion]] (TA0005)\n",
    );
    dir
}

/// Runs vaultlint with `cache` as `XDG_CACHE_HOME` (where `attack fetch` keeps releases).
fn with_cache(cache: &std::path::Path, args: &[&str]) -> std::process::Output {
    std::process::Command::new(crate::bin())
        .args(args)
        .env("XDG_CACHE_HOME", cache)
        .env_remove("VAULTLINT_CACHE_DIR")
        .output()
        .unwrap()
}

/// `attack upgrade` takes its catalogue as `check` does: `--attack-release` or `[attack]
/// release` names a release fetched into the cache, and the plan is made against it
/// (tactic lists included: the v19 bundle's tactics, not the built-in v18.1's).
#[test]
fn upgrade_honours_the_pinned_release_in_the_cache() {
    let cache = tempfile::tempdir().unwrap();
    let vault = v18_vault();
    let path = vault.path().to_str().unwrap();
    let missing = with_cache(
        cache.path(),
        &["attack", "upgrade", path, "--attack-release", "19.0"],
    );
    assert_eq!(code(&missing), 2);
    assert!(
        String::from_utf8_lossy(&missing.stderr).contains("attack fetch"),
        "{}",
        String::from_utf8_lossy(&missing.stderr)
    );
    let release = cache.path().join("vaultlint/attack/19.0");
    std::fs::create_dir_all(&release).unwrap();
    std::fs::write(release.join("enterprise-attack.json"), v19_bundle()).unwrap();
    // `attack fetch` brings every domain; the release of the catalogue is its oldest domain's.
    for (domain, source, tactic) in [
        ("mobile-attack", "mitre-mobile-attack", "TA0027"),
        ("ics-attack", "mitre-ics-attack", "TA0108"),
    ] {
        let bundle = serde_json::json!({"type": "bundle", "id": "bundle--1", "objects": [
            {"type": "x-mitre-collection", "id": "x-mitre-collection--1", "x_mitre_version": "19.0"},
            {"type": "x-mitre-matrix", "id": "x-mitre-matrix--1", "name": domain,
             "external_references": [{"source_name": source, "external_id": domain}]},
            {"type": "x-mitre-tactic", "id": "x-mitre-tactic--1", "name": "Initial Access",
             "x_mitre_shortname": "initial-access", "x_mitre_domains": [domain],
             "external_references": [{"source_name": source, "external_id": tactic}]},
        ]});
        std::fs::write(
            release.join(format!("{domain}.json")),
            serde_json::to_vec(&bundle).unwrap(),
        )
        .unwrap();
    }

    let plan_of = |args: &[&str]| {
        let out = with_cache(cache.path(), args);
        assert_eq!(code(&out), 0, "{}", String::from_utf8_lossy(&out.stderr));
        json(&out)
    };
    let by_flag = plan_of(&[
        "attack",
        "upgrade",
        path,
        "--attack-release",
        "19.0",
        "--format",
        "json",
    ]);
    assert!(
        by_flag["release"]
            .as_str()
            .unwrap()
            .contains("ATT&CK v19.0"),
        "{by_flag}"
    );
    let changes: Vec<(String, String, String)> = by_flag["changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["kind"].as_str().unwrap().to_owned(),
                c["path"].as_str().unwrap().to_owned(),
                c["change"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert!(
        changes.contains(&(
            "update-tactics".to_owned(),
            "techniques/Modify Registry.md".to_owned(),
            "add TA0003 in the tactic list".to_owned()
        )),
        "{changes:?}"
    );
    assert!(
        changes.iter().any(|(k, p, c)| k == "redeclare-id"
            && p == "techniques/Impair Defenses.md"
            && c.contains("T1685")),
        "{changes:?}"
    );

    std::fs::write(
        vault.path().join("vaultlint.toml"),
        "[attack]\nrelease = \"19.0\"\n",
    )
    .unwrap();
    let by_config = plan_of(&["attack", "upgrade", path, "--format", "json"]);
    assert_eq!(by_config["changes"], by_flag["changes"]);
    assert_eq!(by_config["release"], by_flag["release"]);
}

/// The whole v18.1 release given as MITRE's three domain bundles (`--attack-catalog`) plans
/// the same upgrade of the v14.1 corpus vault as the built-in v18.1 catalogue: the same
/// changes with the same causes (up to the release's name), the same tactic lists, the same
/// work left for a person.
#[test]
fn the_v18_1_bundles_plan_what_the_built_in_catalogue_plans() {
    let Some(shared) = crate::shared("the_v18_1_bundles_plan_what_the_built_in_catalogue_plans")
    else {
        return;
    };
    let vault = copy_tree(&shared.join("corpora/attack-vault"));
    std::fs::create_dir_all(vault.path().join(".obsidian")).unwrap();
    let path = vault.path().to_str().unwrap();
    let bundles = tempfile::tempdir().unwrap();
    let mut args = vec!["attack", "upgrade", path, "--format", "json", "--no-config"];
    let mut files = Vec::new();
    for domain in ["enterprise-attack", "mobile-attack", "ics-attack"] {
        let file = bundles.path().join(format!("{domain}-18.1.json"));
        std::fs::write(
            &file,
            crate::attack_releases::bundle_text(&shared, domain, "18.1"),
        )
        .unwrap();
        files.push(file.to_str().unwrap().to_owned());
    }
    for file in &files {
        args.push("--attack-catalog");
        args.push(file);
    }
    let from_bundles = vaultlint(&args);
    assert_eq!(code(&from_bundles), 0);
    let built_in = vaultlint(&["attack", "upgrade", path, "--format", "json", "--no-config"]);
    assert_eq!(code(&built_in), 0);
    let mut from_bundles = String::from_utf8(from_bundles.stdout).unwrap();
    // The one difference: where the release came from.
    for file in &files {
        from_bundles = from_bundles.replace(&format!("(from {file})"), "(built in)");
    }
    let from_bundles: serde_json::Value = serde_json::from_str(&from_bundles).unwrap();
    let built_in = json(&built_in);
    assert_eq!(
        built_in["counts"]["update-tactics"], 60,
        "{}",
        built_in["counts"]
    );
    for key in ["counts", "changes", "manual", "new_objects", "retired"] {
        assert!(from_bundles[key] == built_in[key], "{key} differs");
    }
}
