//! Every snippet the README offers users is exercised here, so it cannot rot.

use std::process::Command;

use crate::{code, repo};

/// The fenced block after `<!-- snippet: NAME -->`.
fn snippet(name: &str) -> String {
    let readme = std::fs::read_to_string(repo().join("README.md")).unwrap();
    let marker = format!("<!-- snippet: {name} -->");
    let after = &readme[readme
        .find(&marker)
        .unwrap_or_else(|| panic!("README lacks {marker}"))
        + marker.len()..];
    let start = after.find("```").unwrap();
    let body = &after[start..];
    let body = &body[body.find('\n').unwrap() + 1..];
    body[..body.find("\n```").unwrap()].to_owned()
}

fn yaml(text: &str) -> serde_json::Value {
    serde_saphyr::from_str(text).unwrap()
}

#[test]
fn pre_commit_snippet_names_real_hooks() {
    let config = yaml(&snippet("pre-commit"));
    let hooks = yaml(&std::fs::read_to_string(repo().join(".pre-commit-hooks.yaml")).unwrap());
    let ids: Vec<&str> = hooks
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["id"].as_str().unwrap())
        .collect();
    for hook in config["repos"][0]["hooks"].as_array().unwrap() {
        assert!(ids.contains(&hook["id"].as_str().unwrap()), "{hook}");
    }
    for hook in hooks.as_array().unwrap() {
        assert_eq!(hook["pass_filenames"], false);
        assert_eq!(hook["always_run"], true);
        assert_eq!(hook["entry"], "vaultlint check");
    }
    let languages: Vec<&str> = hooks
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["language"].as_str().unwrap())
        .collect();
    assert_eq!(languages, ["rust", "system"]);
}

#[test]
fn action_snippets_use_real_inputs() {
    let action = yaml(&std::fs::read_to_string(repo().join("action.yml")).unwrap());
    for name in ["action-annotations", "action-sarif"] {
        let text = snippet(name);
        let value = yaml(&text);
        let steps = value.get("steps").cloned().unwrap_or(value);
        let step = steps
            .as_array()
            .unwrap()
            .iter()
            .find(|s| {
                s["uses"]
                    .as_str()
                    .is_some_and(|u| u.starts_with("vaultlint/"))
            })
            .unwrap();
        for (input, _) in step["with"].as_object().unwrap() {
            assert!(
                action["inputs"][input].is_object(),
                "{name}: unknown input `{input}`"
            );
        }
    }
}

#[test]
fn config_reference_is_a_valid_config() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("vaultlint.toml"), snippet("config")).unwrap();
    std::fs::create_dir_all(dir.path().join("Templates")).unwrap();
    std::fs::write(dir.path().join("Templates/T.md"), "[[Nowhere]]\n").unwrap();
    std::fs::write(
        dir.path().join("A.md"),
        "---\nalias: x\n---\n[[Templates/T]]\n",
    )
    .unwrap();
    let out = crate::vaultlint(&["check", dir.path().to_str().unwrap(), "--format", "json"]);
    assert_eq!(
        code(&out),
        0,
        "{}{}",
        crate::stdout(&out),
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        crate::json(&out)["diagnostics"].as_array().unwrap().len(),
        0
    );
}

#[test]
fn baseline_snippet_runs_as_written() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("notes")).unwrap();
    std::fs::write(dir.path().join("notes/A.md"), "[[Old]]\n").unwrap();
    let bin = env!("CARGO_BIN_EXE_vaultlint");
    for (i, line) in snippet("baseline").lines().enumerate() {
        let args: Vec<&str> = line.split_whitespace().collect();
        assert_eq!(args[0], "vaultlint");
        let out = Command::new(bin)
            .args(&args[1..])
            .current_dir(dir.path())
            .output()
            .unwrap();
        assert_eq!(
            out.status.code(),
            Some(0),
            "step {i}: {line}\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    assert!(dir.path().join(".vaultlint-baseline.json").is_file());
}

/// The install section names no release tag (there is none yet) and installs this crate's
/// binary from the checkout, with the lock file it ships.
#[test]
fn install_snippet_installs_this_checkout() {
    let install = snippet("install");
    assert_eq!(install.trim(), "cargo install --locked --path .");
    assert!(
        repo().join("Cargo.lock").is_file(),
        "--locked needs Cargo.lock"
    );
    let manifest: toml::Table =
        toml::from_str(&std::fs::read_to_string(repo().join("Cargo.toml")).unwrap()).unwrap();
    assert_eq!(manifest["package"]["name"].as_str(), Some("vaultlint"));
    let readme = std::fs::read_to_string(repo().join("README.md")).unwrap();
    let section =
        &readme[readme.find("## Install").unwrap()..readme.find("## Quick start").unwrap()];
    for tagged in ["--tag", "@v", "rev:", "--branch"] {
        assert!(
            !section.contains(tagged),
            "install section refers to a tag: {tagged}"
        );
    }
}

/// The JSON example is real output (the sample vault's `Playground/Broken links.md`), so
/// its summary agrees with its own diagnostics.
#[test]
fn json_example_is_real_output() {
    let example: serde_json::Value = serde_json::from_str(&snippet("json")).unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_vaultlint"))
        .args([
            "check",
            "fixtures/sample-vault",
            "--only",
            "fixtures/sample-vault/Playground/Broken links.md",
            "--format",
            "json",
        ])
        .current_dir(repo())
        .output()
        .unwrap();
    assert_eq!(
        example,
        crate::json(&out),
        "paste the output of the JSON example's command"
    );
    let diagnostics = example["diagnostics"].as_array().unwrap();
    for (key, severity) in [
        ("errors", "error"),
        ("warnings", "warning"),
        ("infos", "info"),
    ] {
        let n = diagnostics
            .iter()
            .filter(|d| d["severity"] == severity)
            .count();
        assert_eq!(example["summary"][key], n, "{key}");
    }
}
