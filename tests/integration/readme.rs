//! Every snippet the README offers users is exercised here, so it cannot rot.

use std::process::Command;

use crate::{code, repo};

/// The fenced block after `<!-- snippet: NAME -->`.
pub fn snippet(name: &str) -> String {
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

/// The distribution name and version in `pyproject.toml` and `Cargo.toml`.
fn package() -> (String, String) {
    let cargo: toml::Value =
        toml::from_str(&std::fs::read_to_string(repo().join("Cargo.toml")).unwrap()).unwrap();
    let py: toml::Value =
        toml::from_str(&std::fs::read_to_string(repo().join("pyproject.toml")).unwrap()).unwrap();
    let name = py["project"]["name"].as_str().unwrap().to_owned();
    assert_eq!(cargo["package"]["name"].as_str(), Some(name.as_str()));
    assert_eq!(py["tool"]["maturin"]["bindings"].as_str(), Some("bin"));
    (
        name,
        cargo["package"]["version"].as_str().unwrap().to_owned(),
    )
}

#[test]
fn pre_commit_snippet_matches_the_hooks_and_the_package() {
    let (name, version) = package();
    let config = yaml(&snippet("pre-commit"));
    let hook = &config["repos"][0]["hooks"][0];
    assert_eq!(config["repos"][0]["repo"], "local");
    assert_eq!(
        hook["additional_dependencies"],
        serde_json::json!([format!("{name}=={version}")])
    );
    let hooks = yaml(&std::fs::read_to_string(repo().join(".pre-commit-hooks.yaml")).unwrap());
    let hooks = hooks.as_array().unwrap();
    let manifest = hooks.iter().find(|h| h["id"] == hook["id"]).unwrap();
    for key in [
        "entry",
        "language",
        "pass_filenames",
        "always_run",
        "require_serial",
    ] {
        assert_eq!(hook[key], manifest[key], "{key}");
    }
    for hook in hooks {
        assert_eq!(hook["pass_filenames"], false);
        assert_eq!(hook["always_run"], true);
        assert_eq!(hook["entry"], "vaultlint check");
    }
    let languages: Vec<&str> = hooks
        .iter()
        .map(|h| h["language"].as_str().unwrap())
        .collect();
    assert_eq!(languages, ["python", "system"]);
}

#[test]
fn install_and_ci_snippets_name_the_package_and_run_as_written() {
    let (name, version) = package();
    let install = snippet("install-pip");
    assert!(
        install.contains(&format!("pip install {name}\n")),
        "{install}"
    );
    let mut commands: Vec<String> = install
        .lines()
        .filter(|l| l.starts_with("vaultlint "))
        .map(str::to_owned)
        .collect();
    let workflow = yaml(&snippet("workflow-pip"));
    let gitlab = yaml(&snippet("gitlab-ci"));
    let mut runs: Vec<String> = workflow
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|s| s["run"].as_str().map(str::to_owned))
        .collect();
    runs.extend(
        gitlab["vaultlint"]["script"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s.as_str().unwrap().to_owned()),
    );
    for run in runs {
        if let Some(pkg) = run.strip_prefix("pip install ") {
            assert_eq!(pkg, format!("{name}=={version}"));
        } else {
            commands.push(run);
        }
    }
    assert_eq!(commands.len(), 4, "{commands:?}");
    // Each command runs in a repository with a `notes` vault, the built binary on PATH.
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("notes")).unwrap();
    std::fs::write(dir.path().join("notes/A.md"), "[[Gone]]\n").unwrap();
    let bin = std::path::Path::new(crate::bin())
        .parent()
        .unwrap()
        .to_path_buf();
    let path = format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    for command in &commands {
        let out = Command::new("sh")
            .args(["-c", command])
            .current_dir(dir.path())
            .env("PATH", &path)
            .env_remove("GITHUB_STEP_SUMMARY")
            .output()
            .unwrap();
        assert!(
            [0, 1].contains(&out.status.code().unwrap_or(-1)),
            "{command}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let quality = std::fs::read_to_string(dir.path().join("gl-code-quality-report.json")).unwrap();
    assert!(quality.contains("\"path\": \"notes/A.md\""), "{quality}");
    let junit = std::fs::read_to_string(dir.path().join("vaultlint-junit.xml")).unwrap();
    assert!(junit.contains("classname=\"notes/A.md\""), "{junit}");
}

#[test]
fn action_snippets_use_real_inputs_and_outputs() {
    let action = yaml(&std::fs::read_to_string(repo().join("action.yml")).unwrap());
    let (_, version) = package();
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
                    .is_some_and(|u| u == format!("OWNER/vaultlint@v{version}"))
            })
            .unwrap_or_else(|| panic!("{name}: no step uses the action at v{version}"));
        for (input, _) in step["with"].as_object().unwrap() {
            assert!(
                action["inputs"][input].is_object(),
                "{name}: unknown input `{input}`"
            );
        }
        for output in text.split("steps.vaultlint.outputs.").skip(1) {
            let output: String = output
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '-')
                .collect();
            assert!(
                action["outputs"][&output].is_object(),
                "{name}: unknown output `{output}`"
            );
        }
    }
    // No URL in the README points at another project's repository.
    let readme = std::fs::read_to_string(repo().join("README.md")).unwrap();
    assert!(!readme.contains("github.com/vaultlint/"));
    assert!(!readme.contains("vaultlint/vaultlint@"));
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
    let bin = crate::bin();
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
    assert_eq!(
        manifest["package"]["name"].as_str(),
        Some("obsidian-vaultlint")
    );
    let readme = std::fs::read_to_string(repo().join("README.md")).unwrap();
    let section = &readme
        [readme.find("## Install").unwrap()..readme.find("<!-- snippet: install-pip").unwrap()];
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
    let out = std::process::Command::new(crate::bin())
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

#[test]
fn attack_layouts_snippet_configures_kind_folders() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("vaultlint.toml"), snippet("attack-layouts")).unwrap();
    let actors = dir.path().join("Threat Actors");
    std::fs::create_dir_all(&actors).unwrap();
    std::fs::write(
        actors.join("APT29.md"),
        "---\nurl: https://attack.mitre.org/groups/G0016\n---\n",
    )
    .unwrap();
    // A software ID pointing at a note in a group folder: the knob makes it one.
    std::fs::write(dir.path().join("A.md"), "[[APT29|S0001]]\n").unwrap();
    let out = crate::vaultlint(&["check", dir.path().to_str().unwrap(), "--format", "json"]);
    let rules: Vec<String> = crate::json(&out)["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["rule"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(rules, ["attack-wrong-kind"], "{}", crate::stdout(&out));
}
