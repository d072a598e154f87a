//! Config discovery and precedence, in-note suppressions, and the baseline workflow.

use std::fs;

use crate::{code, stdout, vaultlint};

fn vault(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (path, text) in files {
        let p = dir.path().join(path);
        fs::create_dir_all(p.parent().unwrap()).unwrap();
        fs::write(p, text).unwrap();
    }
    dir
}

fn rules_found(out: &std::process::Output) -> Vec<String> {
    crate::json(out)["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            format!(
                "{}:{}",
                d["rule"].as_str().unwrap(),
                d["severity"].as_str().unwrap()
            )
        })
        .collect()
}

#[test]
fn config_is_discovered_walking_up_and_flags_override_it() {
    let dir = vault(&[
        (
            "vaultlint.toml",
            "ignore = [\"deprecated-property\"]\n[rules.broken-link]\nseverity = \"warning\"\n",
        ),
        ("vault/A.md", "---\nalias: x\n---\n[[Missing]]\n"),
    ]);
    let path = dir.path().join("vault");
    let p = path.to_str().unwrap();
    let out = vaultlint(&["check", p, "--format", "json"]);
    assert_eq!(rules_found(&out), ["broken-link:warning"]);
    assert_eq!(code(&out), 0, "a warning does not fail the run");
    let out = vaultlint(&["check", p, "--format", "json", "--no-config"]);
    assert_eq!(
        rules_found(&out),
        ["deprecated-property:warning", "broken-link:error"]
    );
    let out = vaultlint(&[
        "check",
        p,
        "--format",
        "json",
        "--select",
        "deprecated-property",
    ]);
    assert_eq!(rules_found(&out), ["deprecated-property:warning"]);
    fs::write(
        dir.path().join("other.toml"),
        "select = [\"broken-link\"]\n",
    )
    .unwrap();
    let other = dir.path().join("other.toml");
    let out = vaultlint(&[
        "check",
        p,
        "--format",
        "json",
        "--config",
        other.to_str().unwrap(),
    ]);
    assert_eq!(rules_found(&out), ["broken-link:error"]);
}

#[test]
fn dot_vaultlint_toml_and_exclude_globs() {
    let dir = vault(&[
        (".vaultlint.toml", "exclude = [\"Templates/**\"]\n"),
        ("Templates/T.md", "[[Not yet]]\n"),
        ("A.md", "[[Templates/T]]\n"),
    ]);
    let out = vaultlint(&["check", dir.path().to_str().unwrap(), "--format", "json"]);
    assert_eq!(code(&out), 0, "{}", stdout(&out));
    assert!(
        rules_found(&out).is_empty(),
        "excluded notes are not linted but still resolve"
    );
}

#[test]
fn config_errors_have_positions_and_exit_2() {
    let dir = vault(&[
        (
            "vaultlint.toml",
            "select = [\"broken-link\"]\n\n[rules.broken-link]\nseverty = \"warning\"\n",
        ),
        ("A.md", ""),
    ]);
    let out = vaultlint(&["check", dir.path().to_str().unwrap()]);
    assert_eq!(code(&out), 2);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("vaultlint.toml:4:1") && err.contains("severty"),
        "{err}"
    );
    fs::write(
        dir.path().join("vaultlint.toml"),
        "[rules.brokn-link]\nseverity = \"off\"\n",
    )
    .unwrap();
    let out = vaultlint(&["check", dir.path().to_str().unwrap()]);
    assert_eq!(code(&out), 2);
    assert!(String::from_utf8_lossy(&out.stderr).contains("vaultlint.toml:1:8"));
    assert_eq!(
        code(&vaultlint(&[
            "check",
            dir.path().to_str().unwrap(),
            "--select",
            "nope"
        ])),
        2
    );
}

#[test]
fn suppressions_hide_findings_and_unused_ones_are_reported() {
    let dir = vault(&[(
        "A.md",
        "%% vaultlint-disable-next-line broken-link %%\n[[Draft one]]\n\n%% vaultlint-disable %%\n[[Draft two]] and [[Draft three]]\n%% vaultlint-enable %%\n\n[[Draft four]]\n\n%% vaultlint-disable-next-line missing-heading %%\n[[Draft five]]\n%% vaultlint-disable-next-line no-such-rule %%\n",
    )]);
    let out = vaultlint(&["check", dir.path().to_str().unwrap(), "--format", "json"]);
    let value = crate::json(&out);
    let got: Vec<(String, u64)> = value["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["rule"].as_str().unwrap().to_owned(),
                d["line"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            ("broken-link".to_owned(), 8),
            ("unused-suppression".to_owned(), 10),
            ("broken-link".to_owned(), 11),
            ("unused-suppression".to_owned(), 12),
        ]
    );
}

#[test]
fn baseline_reports_only_new_findings_and_survives_edits() {
    let dir = vault(&[
        ("A.md", "[[Old one]]\n[[Old two]]\n"),
        ("B.md", "[[Old three]]\n"),
    ]);
    let root = dir.path().to_str().unwrap();
    let base = tempfile::tempdir().unwrap();
    let file = base.path().join("baseline.json");
    let out = vaultlint(&["check", root, "--write-baseline", file.to_str().unwrap()]);
    assert_eq!(code(&out), 0);
    assert!(String::from_utf8_lossy(&out.stderr).contains("recorded 3 findings"));
    let out = vaultlint(&["check", root, "--baseline", file.to_str().unwrap()]);
    assert_eq!(code(&out), 0, "{}", stdout(&out));
    assert!(
        stdout(&out).contains("3 known findings not shown, 0 fixed"),
        "{}",
        stdout(&out)
    );
    // Lines move, one old link is fixed, one new one appears.
    fs::write(
        dir.path().join("A.md"),
        "# New heading\n\nText.\n\n[[Old two]]\n[[Brand new]]\n",
    )
    .unwrap();
    let out = vaultlint(&[
        "check",
        root,
        "--baseline",
        file.to_str().unwrap(),
        "--format",
        "json",
    ]);
    assert_eq!(code(&out), 1);
    let value = crate::json(&out);
    let diags = value["diagnostics"].as_array().unwrap();
    assert_eq!(diags.len(), 1);
    assert_eq!(diags[0]["subject"], "[[Brand new]]");
    assert_eq!(value["summary"]["baseline"]["known"], 2);
    assert_eq!(value["summary"]["baseline"]["fixed"], 1);
    fs::write(&file, "{\"version\": 9, \"findings\": []}").unwrap();
    assert_eq!(
        code(&vaultlint(&[
            "check",
            root,
            "--baseline",
            file.to_str().unwrap()
        ])),
        2
    );
}
