//! What CI sees: SARIF (validated against the official SARIF 2.1.0 schema, as shipped by the
//! serde-sarif crate), GitHub annotations, and the composite action run as GitHub would.

use std::path::PathBuf;
use std::process::Command;

use crate::{code, fixtures, repo, stdout, vaultlint};

fn sample() -> String {
    fixtures()
        .join("sample-vault")
        .to_string_lossy()
        .into_owned()
}

/// The SARIF 2.1.0 schema file inside the serde-sarif package (`src/schema.json`).
fn sarif_schema() -> serde_json::Value {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let out = Command::new(cargo)
        .args(["metadata", "--format-version", "1", "--locked", "--offline"])
        .current_dir(repo())
        .output()
        .expect("cargo metadata");
    let meta: serde_json::Value = serde_json::from_slice(&out.stdout).expect("metadata JSON");
    let manifest = meta["packages"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "serde-sarif")
        .and_then(|p| p["manifest_path"].as_str())
        .expect("serde-sarif in the dependency graph");
    let path = PathBuf::from(manifest)
        .parent()
        .unwrap()
        .join("src/schema.json");
    let mut schema: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    // The official schema's `language` patterns have a stray `]` that JavaScript regexes
    // accept and Rust's reject, which makes the whole schema fail to compile. vaultlint never
    // writes `language`; those patterns get their evident intent and nothing else changes.
    assert_eq!(fix_language_patterns(&mut schema), 2);
    assert_eq!(
        schema["$id"],
        "https://raw.githubusercontent.com/oasis-tcs/sarif-spec/master/Schemata/sarif-schema-2.1.0.json"
    );
    schema
}

fn fix_language_patterns(value: &mut serde_json::Value) -> usize {
    const BROKEN: &str = "^[a-zA-Z]{2}|^[a-zA-Z]{2}-[a-zA-Z]{2}]?$";
    match value {
        serde_json::Value::Object(map) => {
            let mut n = 0;
            for (key, v) in map.iter_mut() {
                if key == "pattern" && v == BROKEN {
                    *v = serde_json::Value::from("^[a-zA-Z]{2}(-[a-zA-Z]{2})?$");
                    n += 1;
                } else {
                    n += fix_language_patterns(v);
                }
            }
            n
        }
        serde_json::Value::Array(items) => items.iter_mut().map(fix_language_patterns).sum(),
        _ => 0,
    }
}

#[test]
fn sarif_is_valid_sarif_2_1_0() {
    let out = vaultlint(&["check", &sample(), "--format", "sarif"]);
    assert_eq!(code(&out), 1);
    let log = crate::json(&out);
    let validator = jsonschema::validator_for(&sarif_schema()).unwrap();
    let errors: Vec<String> = validator
        .iter_errors(&log)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "SARIF schema violations: {errors:#?}");
    let mut broken = log.clone();
    broken["runs"][0]["results"][0]["level"] = "fatal".into();
    assert!(
        !validator.is_valid(&broken),
        "the validator must reject what the schema forbids"
    );
    let run = &log["runs"][0];
    assert_eq!(run["columnKind"], "unicodeCodePoints");
    let rule_ids: Vec<&str> = run["tool"]["driver"]["rules"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    let all: Vec<&str> = vaultlint::rules::all().iter().map(|r| r.name).collect();
    assert_eq!(rule_ids, all);
    let results = run["results"].as_array().unwrap();
    let ambiguous = results
        .iter()
        .find(|r| r["ruleId"] == "ambiguous-link")
        .unwrap();
    assert!(!ambiguous["relatedLocations"].as_array().unwrap().is_empty());
    insta::assert_json_snapshot!("sample_sarif_results", results);
}

#[test]
fn sarif_with_the_ambiguous_fixture_has_related_locations_that_validate() {
    let out = vaultlint(&[
        "check",
        fixtures().join("rules/ambiguous-link").to_str().unwrap(),
        "--format",
        "sarif",
    ]);
    let log = crate::json(&out);
    let validator = jsonschema::validator_for(&sarif_schema()).unwrap();
    assert!(validator.is_valid(&log));
}

#[test]
fn github_annotations() {
    let out = vaultlint(&["check", &sample(), "--format", "github"]);
    assert_eq!(code(&out), 1);
    let text = stdout(&out);
    for line in text.lines() {
        assert!(
            line.starts_with("::error ")
                || line.starts_with("::warning ")
                || line.starts_with("::notice "),
            "{line}"
        );
        assert!(
            !line.contains('\n') && line.contains("title=vaultlint "),
            "{line}"
        );
    }
    insta::assert_snapshot!("sample_github", text);
}

#[test]
fn relative_vault_paths_are_prefixed_in_ci_formats() {
    let out = Command::new(env!("CARGO_BIN_EXE_vaultlint"))
        .args(["check", "fixtures/rules/broken-link", "--format", "github"])
        .current_dir(repo())
        .output()
        .unwrap();
    assert!(
        stdout(&out).contains("file=fixtures/rules/broken-link/bad-links.md,line=1,col=5,"),
        "{}",
        stdout(&out)
    );
    let out = Command::new(env!("CARGO_BIN_EXE_vaultlint"))
        .args(["check", "fixtures/rules/broken-link", "--format", "sarif"])
        .current_dir(repo())
        .output()
        .unwrap();
    let log = crate::json(&out);
    let uri = &log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]
        ["uri"];
    assert_eq!(uri, "fixtures/rules/broken-link/bad-links.md");
}

/// Runs the composite action's "Run vaultlint" step the way the runner would: inputs as
/// environment, `GITHUB_OUTPUT` a file, the built binary on PATH.
#[test]
fn composite_action_runs_as_github_would() {
    let action: serde_json::Value =
        serde_saphyr::from_str(&std::fs::read_to_string(repo().join("action.yml")).unwrap())
            .unwrap();
    let steps = action["runs"]["steps"].as_array().unwrap();
    let step = steps
        .iter()
        .find(|s| s["id"] == "run")
        .expect("a step with id `run`");
    let script = step["run"].as_str().unwrap();
    for input in ["path", "format", "sarif-file", "upload-sarif", "args"] {
        assert!(action["inputs"][input].is_object(), "input `{input}`");
    }
    let bin_dir = PathBuf::from(env!("CARGO_BIN_EXE_vaultlint"))
        .parent()
        .unwrap()
        .to_path_buf();
    let path = format!(
        "{}:{}",
        bin_dir.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let work = tempfile::tempdir().unwrap();
    crate::copy_into(
        &fixtures().join("rules/broken-link"),
        &work.path().join("notes"),
    );
    for (format, expect) in [("github", "::error file=notes/bad-links.md"), ("sarif", "")] {
        let output_file = work.path().join("github_output");
        std::fs::write(&output_file, "").unwrap();
        let out = Command::new("bash")
            .args(["-e", "-c", script])
            .current_dir(work.path())
            .env("PATH", &path)
            .env("GITHUB_OUTPUT", &output_file)
            .env("VAULTLINT_PATH", "notes")
            .env("VAULTLINT_FORMAT", format)
            .env("VAULTLINT_SARIF", "out.sarif")
            .env("VAULTLINT_ARGS", "--select broken-link")
            .output()
            .unwrap();
        assert_eq!(
            out.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(stdout(&out).contains(expect), "{}", stdout(&out));
        assert_eq!(
            std::fs::read_to_string(&output_file).unwrap().trim(),
            "exit-code=1"
        );
        if format == "sarif" {
            let sarif: serde_json::Value = serde_json::from_str(
                &std::fs::read_to_string(work.path().join("out.sarif")).unwrap(),
            )
            .unwrap();
            assert_eq!(sarif["version"], "2.1.0");
        }
    }
    let env_names: Vec<&str> = step["env"]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(
        env_names,
        [
            "VAULTLINT_ARGS",
            "VAULTLINT_FORMAT",
            "VAULTLINT_PATH",
            "VAULTLINT_SARIF"
        ]
    );
}
