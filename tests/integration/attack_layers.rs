//! Navigator layers in `vaultlint check`: told by content, reported at the technique ID in
//! every output format, fixed with `--unsafe-fixes` the way `attack upgrade` changes them,
//! and like notes honouring `exclude`, in-file suppressions, baselines and the cache.

use std::path::Path;
use std::process::{Command, Output};
use std::time::{Duration, SystemTime};

use crate::{code, json, stdout};

const LAYER: &str = r#"{
  "name": "APT19",
  "versions": { "attack": "14", "navigator": "4.9.1", "layer": "4.5" },
  "domain": "enterprise-attack",
  "techniques": [
    { "techniqueID": "T1574.002", "tactic": "persistence", "score": 1 },
    { "techniqueID": "T1059.001", "score": 2 }
  ]
}
"#;

/// A vault with a layer, a JSON file that is no layer, a broken JSON file that is no
/// layer either, and a note.
fn vault() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    std::fs::create_dir_all(root.join(".obsidian")).unwrap();
    std::fs::create_dir_all(root.join("layers")).unwrap();
    std::fs::write(root.join("layers/apt19.json"), LAYER).unwrap();
    std::fs::write(
        root.join("package.json"),
        r#"{"name": "x", "techniques": 3}"#,
    )
    .unwrap();
    std::fs::write(root.join("broken.json"), "{ not json").unwrap();
    std::fs::write(root.join("Note.md"), "# Note\n").unwrap();
    dir
}

fn run(root: &Path, args: &[&str]) -> Output {
    Command::new(crate::bin())
        .args(args)
        .current_dir(root)
        .env_remove("VAULTLINT_CACHE_DIR")
        .env_remove("NO_COLOR")
        .env("COLUMNS", "100")
        .output()
        .expect("run vaultlint")
}

/// (rule, path, line, column) of each finding of `--format json`.
fn findings(output: &Output) -> Vec<(String, String, u64, u64)> {
    json(output)["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["rule"].as_str().unwrap().to_owned(),
                d["path"].as_str().unwrap().to_owned(),
                d["line"].as_u64().unwrap(),
                d["column"].as_u64().unwrap(),
            )
        })
        .collect()
}

#[test]
fn a_layer_is_reported_at_its_technique_ids_and_other_json_is_not() {
    let dir = vault();
    let out = run(
        dir.path(),
        &["check", ".", "--format", "json", "--no-cache"],
    );
    // Warnings: the run passes unless `--fail-on` says otherwise.
    assert_eq!(code(&out), 0, "{}", stdout(&out));
    assert_eq!(
        findings(&out),
        [
            (
                "attack-layer-outdated".to_owned(),
                "layers/apt19.json".to_owned(),
                3,
                28
            ),
            (
                "attack-layer-outdated".to_owned(),
                "layers/apt19.json".to_owned(),
                6,
                23
            ),
        ]
    );
    let sarif = json(&run(
        dir.path(),
        &["check", ".", "--format", "sarif", "--no-cache"],
    ));
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    assert_eq!(results.len(), 2);
    let region = &results[1]["locations"][0]["physicalLocation"]["region"];
    assert_eq!(
        (region["startLine"].as_u64(), region["startColumn"].as_u64()),
        (Some(6), Some(23))
    );
    for format in ["concise", "github", "junit", "gitlab", "human"] {
        let out = run(
            dir.path(),
            &["check", ".", "--format", format, "--no-cache"],
        );
        assert!(
            stdout(&out).contains("apt19.json"),
            "{format}: {}",
            stdout(&out)
        );
    }
}

#[test]
fn unsafe_fixes_upgrade_the_layer_as_attack_upgrade_does() {
    let dir = vault();
    let safe = run(dir.path(), &["check", ".", "--fix", "--no-cache"]);
    assert_eq!(code(&safe), 0);
    assert_eq!(
        std::fs::read_to_string(dir.path().join("layers/apt19.json")).unwrap(),
        LAYER
    );
    let fixed = run(
        dir.path(),
        &["check", ".", "--fix", "--unsafe-fixes", "--no-cache"],
    );
    assert_eq!(code(&fixed), 0, "{}", stdout(&fixed));
    let want = LAYER
        .replacen("\"T1574.002\"", "\"T1574.001\"", 1)
        .replacen("\"attack\": \"14\"", "\"attack\": \"18\"", 1);
    assert_eq!(
        std::fs::read_to_string(dir.path().join("layers/apt19.json")).unwrap(),
        want
    );

    // `attack upgrade` plans the same edits on the same layer.
    let dir = vault();
    let plan = json(&run(
        dir.path(),
        &["attack", "upgrade", ".", "--apply", "--format", "json"],
    ));
    assert_eq!(plan["counts"]["upgrade-layer"], 2, "{plan}");
    assert_eq!(
        std::fs::read_to_string(dir.path().join("layers/apt19.json")).unwrap(),
        want
    );
}

#[test]
fn excludes_suppressions_and_baselines_apply_to_layers() {
    let dir = vault();
    let root = dir.path();
    std::fs::write(root.join("vaultlint.toml"), "exclude = [\"layers/**\"]\n").unwrap();
    let out = run(root, &["check", ".", "--format", "json", "--no-cache"]);
    assert_eq!(findings(&out), []);
    std::fs::remove_file(root.join("vaultlint.toml")).unwrap();

    let baseline = root.join("baseline.json");
    let wrote = run(
        root,
        &[
            "check",
            ".",
            "--write-baseline",
            baseline.to_str().unwrap(),
            "--no-cache",
        ],
    );
    assert_eq!(code(&wrote), 0);
    let out = run(
        root,
        &[
            "check",
            ".",
            "--format",
            "json",
            "--baseline",
            baseline.to_str().unwrap(),
            "--no-cache",
        ],
    );
    assert_eq!(findings(&out), []);

    let suppressed = LAYER.replacen(
        "\"name\": \"APT19\",",
        "\"name\": \"APT19\",\n  \"description\": \"%% vaultlint-disable attack-layer-outdated %%\",",
        1,
    );
    std::fs::write(root.join("layers/apt19.json"), suppressed).unwrap();
    let out = run(root, &["check", ".", "--format", "json", "--no-cache"]);
    assert_eq!(findings(&out), []);
    let unused = LAYER.replacen(
        "\"name\": \"APT19\",",
        "\"name\": \"APT19\",\n  \"description\": \"%% vaultlint-disable broken-link %%\",",
        1,
    );
    std::fs::write(root.join("layers/apt19.json"), unused).unwrap();
    let out = run(root, &["check", ".", "--format", "json", "--no-cache"]);
    let rules: Vec<String> = findings(&out).into_iter().map(|f| f.0).collect();
    assert_eq!(
        rules,
        [
            "unused-suppression",
            "attack-layer-outdated",
            "attack-layer-outdated"
        ]
    );
}

/// Sets every file's modification time an hour back, so that the cache may vouch for them.
fn age(dir: &Path) {
    let old = SystemTime::now() - Duration::from_secs(3600);
    for entry in walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_map(Result::ok)
    {
        if entry.file_type().is_file() {
            let file = std::fs::File::options()
                .append(true)
                .open(entry.path())
                .unwrap();
            file.set_modified(old).unwrap();
        }
    }
}

#[test]
fn a_layers_findings_are_cached_and_invalidated_like_a_notes() {
    let dir = vault();
    let root = dir.path();
    age(root);
    let args = ["check", ".", "--format", "json"];
    let cold = run(root, &args);
    assert!(root.join(".vaultlint_cache/notes.bin").is_file());
    age(root);
    let warm = run(root, &args);
    assert_eq!(stdout(&warm), stdout(&cold));
    assert_eq!(findings(&warm).len(), 2);
    // The layer changes (same size: only the ID): the cache must not vouch for it.
    let layer = root.join("layers/apt19.json");
    std::fs::write(&layer, LAYER.replacen("T1574.002", "T1574.001", 1)).unwrap();
    let changed = run(root, &args);
    let uncached = run(root, &["check", ".", "--format", "json", "--no-cache"]);
    assert_eq!(stdout(&changed), stdout(&uncached));
    assert_eq!(findings(&changed).len(), 1, "{}", stdout(&changed));
}
