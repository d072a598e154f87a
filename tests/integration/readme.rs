//! Every snippet the README and `docs/` offer users is exercised here, so it cannot rot.

use std::process::Command;

use crate::{code, repo};

/// The fenced block after `<!-- snippet: NAME -->`, in the README or a page of `docs/`
/// (each name is used once).
pub fn snippet(name: &str) -> String {
    let marker = format!("<!-- snippet: {name} -->");
    let mut pages = vec![repo().join("README.md")];
    pages.extend(
        std::fs::read_dir(repo().join("docs"))
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|e| e == "md")),
    );
    let mut holding = pages
        .iter()
        .map(|p| std::fs::read_to_string(p).unwrap())
        .filter(|text| text.contains(&marker));
    let text = holding
        .next()
        .unwrap_or_else(|| panic!("neither the README nor docs/ has {marker}"));
    assert!(holding.next().is_none(), "{marker} is used twice");
    let after = &text[text.find(&marker).unwrap() + marker.len()..];
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

/// `(rule, path, line, severity)` of each finding of a `--format json` run.
fn findings(out: &std::process::Output) -> Vec<(String, String, u64, String)> {
    crate::json(out)["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["rule"].as_str().unwrap().to_owned(),
                d["path"].as_str().unwrap().to_owned(),
                d["line"].as_u64().unwrap_or(0),
                d["severity"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

/// The configuration example is a valid config that turns no rule off: on the sample vault
/// it gives exactly the findings of no config (as its page says), and it does what its
/// comments say where it differs: `Templates/` is not linted but resolves, and every
/// ambiguous link is an error.
#[test]
fn config_example_turns_no_rule_off() {
    let config = snippet("config");
    let vault = crate::copy_tree(&crate::fixtures().join("sample-vault"));
    let path = vault.path().to_str().unwrap();
    let default = crate::vaultlint(&["check", path, "--format", "json"]);
    std::fs::write(vault.path().join("vaultlint.toml"), &config).unwrap();
    let configured = crate::vaultlint(&["check", path, "--format", "json"]);
    assert_eq!(code(&configured), 1, "{}", crate::stdout(&configured));
    assert!(crate::json(&configured)["summary"]["config"]
        .as_str()
        .is_some_and(|c| c.ends_with("vaultlint.toml")));
    assert_eq!(findings(&configured), findings(&default));
    assert_eq!(findings(&default).len(), 70);

    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("vaultlint.toml"), &config).unwrap();
    std::fs::create_dir_all(dir.path().join("Templates")).unwrap();
    std::fs::write(dir.path().join("Templates/T.md"), "[[Nowhere]]\n").unwrap();
    for folder in ["a", "b"] {
        std::fs::create_dir_all(dir.path().join(folder)).unwrap();
        std::fs::write(dir.path().join(folder).join("Dup.md"), "x\n").unwrap();
    }
    std::fs::write(dir.path().join("a/Dup2.md"), "y\n").unwrap();
    std::fs::create_dir_all(dir.path().join("b/c")).unwrap();
    std::fs::write(dir.path().join("b/c/Dup2.md"), "z\n").unwrap();
    std::fs::write(dir.path().join("A.md"), "[[Templates/T]] [[Dup2]]\n").unwrap();
    let out = crate::vaultlint(&["check", dir.path().to_str().unwrap(), "--format", "json"]);
    let found = findings(&out);
    assert!(
        found
            .iter()
            .all(|(_, path, _, _)| !path.starts_with("Templates/")),
        "{found:?}"
    );
    let ambiguous: Vec<_> = found.iter().filter(|f| f.0 == "ambiguous-link").collect();
    assert!(!ambiguous.is_empty(), "{found:?}");
    assert!(ambiguous.iter().all(|f| f.3 == "error"), "{found:?}");
    let unconfigured = crate::vaultlint(&[
        "check",
        dir.path().to_str().unwrap(),
        "--format",
        "json",
        "--no-config",
    ]);
    assert!(
        findings(&unconfigured)
            .iter()
            .any(|f| f.0 == "ambiguous-link" && f.3 != "error"),
        "the example's severity must change something on this vault"
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
