//! What CI sees, checked with the real consumers' rules: SARIF against the vendored SARIF
//! 2.1.0 schema and the SARIF Multitool (`validate --rule-kind "Sarif;Gh"`), GitHub
//! annotations and the job summary, JUnit XML with junitparser and Jenkins' XSD, GitLab Code
//! Quality against GitLab's own schema, and paths relative to the repository root.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use crate::{code, fixtures, repo, stdout, tools, vaultlint};

fn sample() -> String {
    fixtures()
        .join("sample-vault")
        .to_string_lossy()
        .into_owned()
}

/// Runs the built binary in `dir` with `envs`.
fn vaultlint_in(dir: &Path, args: &[&str], envs: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new(crate::bin());
    cmd.args(args)
        .current_dir(dir)
        .env_remove("GITHUB_BASE_REF")
        .env_remove("GITHUB_STEP_SUMMARY");
    for (k, v) in envs {
        cmd.env(k, v);
    }
    cmd.output().expect("run vaultlint")
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// The vendored SARIF 2.1.0 schema (tests/schemas/README.md says where it comes from).
fn sarif_schema() -> serde_json::Value {
    let text = std::fs::read_to_string(repo().join("tests/schemas/sarif-schema-2.1.0.json"))
        .expect("the vendored SARIF schema");
    let mut schema: serde_json::Value = serde_json::from_str(&text).unwrap();
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

fn assert_schema_valid(log: &serde_json::Value) {
    let validator = jsonschema::validator_for(&sarif_schema()).unwrap();
    let errors: Vec<String> = validator
        .iter_errors(log)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "SARIF schema violations: {errors:#?}");
    let mut broken = log.clone();
    broken["runs"][0]["results"][0]["level"] = "fatal".into();
    assert!(
        !validator.is_valid(&broken),
        "the validator must reject what the schema forbids"
    );
}

/// Runs the SARIF Multitool's validator with the SARIF and GitHub rule sets on `log` and
/// returns what it reports (`ruleId: message`); the Multitool exits 0 even when it finds
/// problems, so its own SARIF output is read.
fn multitool(log: &serde_json::Value) -> Vec<String> {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("vaultlint.sarif");
    std::fs::write(&input, serde_json::to_vec_pretty(log).unwrap()).unwrap();
    let output = dir.path().join("validation.sarif");
    let out = Command::new(tools::sarif_multitool())
        .args(["validate", "--rule-kind", "Sarif;Gh", "--output"])
        .arg(&output)
        .arg(&input)
        .env("DOTNET_CLI_TELEMETRY_OPTOUT", "1")
        .output()
        .expect("run the SARIF Multitool");
    assert!(
        out.status.success() && output.is_file(),
        "the Multitool did not run:\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        stderr(&out)
    );
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&output).unwrap()).unwrap();
    let run = &report["runs"][0];
    assert_eq!(
        run["invocations"][0]["executionSuccessful"], true,
        "{report:#}"
    );
    run["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| format!("{}: {}", r["ruleId"], r["message"]))
        .collect()
}

#[test]
fn sarif_is_valid_for_the_schema_the_multitool_and_github() {
    let out = vaultlint_in(&repo(), &["check", &sample(), "--format", "sarif"], &[]);
    assert_eq!(code(&out), 1);
    let log = crate::json(&out);
    assert_schema_valid(&log);
    if tools::wanted("sarif_is_valid_for_the_schema_the_multitool_and_github (Multitool)") {
        assert_eq!(multitool(&log), Vec::<String>::new());
        // The Multitool does report what it should: a rule whose name equals its id, and one
        // without fullDescription.
        let mut bad = log.clone();
        bad["runs"][0]["tool"]["driver"]["rules"][0]["name"] = "ambiguous-link".into();
        bad["runs"][0]["tool"]["driver"]["rules"][1]
            .as_object_mut()
            .unwrap()
            .remove("fullDescription");
        let found = multitool(&bad);
        assert!(
            found.iter().any(|f| f.starts_with("\"SARIF1001\"")),
            "{found:#?}"
        );
        assert!(
            found.iter().any(|f| f.starts_with("\"GH2012\"")),
            "{found:#?}"
        );
    }

    let run = &log["runs"][0];
    assert_eq!(run["columnKind"], "utf16CodeUnits");
    assert_eq!(
        run["originalUriBaseIds"]["%SRCROOT%"]["uri"],
        format!(
            "file://{}/",
            std::fs::canonicalize(repo()).unwrap().display()
        )
        .replace(' ', "%20")
    );
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    let ids: Vec<&str> = rules.iter().map(|r| r["id"].as_str().unwrap()).collect();
    let all: Vec<&str> = vaultlint::rules::all().iter().map(|r| r.name).collect();
    assert_eq!(ids, all);
    let broken = rules.iter().find(|r| r["id"] == "broken-link").unwrap();
    assert_eq!(broken["name"], "BrokenLink");
    for key in ["fullDescription", "help", "shortDescription"] {
        assert!(
            broken[key]["text"].as_str().is_some_and(|t| t.len() > 20),
            "{key}"
        );
    }
    assert!(broken["helpUri"]
        .as_str()
        .unwrap()
        .starts_with("https://pypi.org/project/obsidian-vaultlint/"));
    let results = run["results"].as_array().unwrap();
    let levels: Vec<&str> = results
        .iter()
        .map(|r| r["level"].as_str().unwrap())
        .collect();
    let first_warning = levels.iter().position(|l| *l == "warning").unwrap();
    assert!(
        levels[..first_warning].iter().all(|l| *l == "error")
            && levels[first_warning..].iter().all(|l| *l != "error"),
        "errors come first: {levels:?}"
    );
    let ambiguous = results
        .iter()
        .find(|r| r["ruleId"] == "ambiguous-link")
        .unwrap();
    assert!(!ambiguous["relatedLocations"].as_array().unwrap().is_empty());
    let mut prints: Vec<&str> = results
        .iter()
        .map(|r| r["partialFingerprints"]["vaultlint/v1"].as_str().unwrap())
        .collect();
    prints.sort_unstable();
    prints.dedup();
    assert_eq!(prints.len(), results.len(), "fingerprints are unique");
    insta::assert_json_snapshot!("sample_sarif_results", results);
}

#[test]
fn sarif_columns_count_utf16_code_units_and_regions_end() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("A.md"), "x\n😀 é [[Gone]] ok\n").unwrap();
    let out = vaultlint_in(dir.path(), &["check", ".", "--format", "sarif"], &[]);
    let log = crate::json(&out);
    assert_schema_valid(&log);
    let region = &log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"];
    // `😀` is two UTF-16 code units, so `[[` starts at column 6 (5 characters before it).
    assert_eq!(
        (
            &region["startLine"],
            &region["startColumn"],
            &region["endLine"],
            &region["endColumn"]
        ),
        (&2.into(), &6.into(), &2.into(), &14.into()),
        "{region}"
    );
    if tools::wanted("sarif_columns_count_utf16_code_units_and_regions_end (Multitool)") {
        assert_eq!(multitool(&log), Vec::<String>::new());
    }
}

#[test]
fn sarif_keeps_errors_and_caps_at_5000_results_saying_so() {
    let dir = tempfile::tempdir().unwrap();
    // 5,001 unused suppressions (warnings) sort before the three broken links (errors).
    let warnings = "%% vaultlint-disable-next-line broken-link %%\ntext\n".repeat(5_001);
    std::fs::write(dir.path().join("a.md"), warnings).unwrap();
    std::fs::write(dir.path().join("z.md"), "[[x1]] [[x2]] [[x3]]\n").unwrap();
    let out = vaultlint_in(dir.path(), &["check", ".", "--format", "sarif"], &[]);
    assert_eq!(code(&out), 1);
    let log = crate::json(&out);
    let run = &log["runs"][0];
    let results = run["results"].as_array().unwrap();
    assert_eq!(results.len(), 5_000);
    let errors = results.iter().filter(|r| r["level"] == "error").count();
    assert_eq!(errors, 3);
    assert!(results[..3].iter().all(|r| r["level"] == "error"));
    let note = &run["invocations"][0]["toolExecutionNotifications"][0];
    assert_eq!(note["level"], "warning");
    assert!(
        note["message"]["text"]
            .as_str()
            .unwrap()
            .starts_with("4 of 5004 findings were left out"),
        "{note}"
    );
    assert!(
        stderr(&out).contains("4 of 5004 findings were left out"),
        "{}",
        stderr(&out)
    );
    assert_schema_valid(&log);
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
    assert_schema_valid(&log);
    if tools::wanted("sarif_with_the_ambiguous_fixture_has_related_locations_that_validate") {
        assert_eq!(multitool(&log), Vec::<String>::new());
    }
}

#[test]
fn github_annotations() {
    let out = vaultlint_in(&repo(), &["check", &sample(), "--format", "github"], &[]);
    assert_eq!(code(&out), 1);
    let text = stdout(&out);
    let commands: Vec<&str> = text.lines().filter(|l| l.starts_with("::")).collect();
    for kind in ["::error ", "::warning ", "::notice "] {
        assert!(
            commands.iter().filter(|l| l.starts_with(kind)).count() <= 10,
            "{kind}"
        );
    }
    assert!(
        text.contains("::notice title=vaultlint::50 of 70 findings are not shown as annotations")
    );
    insta::assert_snapshot!("sample_github", text);
}

/// Runs git with a fixed identity in `dir`.
pub fn git(dir: &Path, args: &[&str]) {
    let out = Command::new("git")
        .args([
            "-c",
            "user.name=t",
            "-c",
            "user.email=t@example.com",
            "-c",
            "commit.gpgsign=false",
            "-c",
            "init.defaultBranch=main",
        ])
        .args(args)
        .current_dir(dir)
        .output()
        .expect("git");
    assert!(out.status.success(), "git {args:?}: {}", stderr(&out));
}

#[test]
fn github_annotates_files_changed_in_the_pull_request_first_and_writes_the_summary() {
    let dir = tempfile::tempdir().unwrap();
    let repo_dir = dir.path();
    let notes = repo_dir.join("notes");
    std::fs::create_dir_all(&notes).unwrap();
    // Twelve old notes with a broken link each, all sorted before the changed one.
    for i in 0..12 {
        std::fs::write(notes.join(format!("a{i:02}.md")), "[[Old gone]]\n").unwrap();
    }
    std::fs::write(notes.join("z.md"), "fine\n").unwrap();
    git(repo_dir, &["init", "-q"]);
    git(repo_dir, &["add", "."]);
    git(repo_dir, &["commit", "-qm", "base"]);
    git(repo_dir, &["checkout", "-qb", "feature"]);
    std::fs::write(notes.join("z.md"), "[[New gone]]\n").unwrap();
    git(repo_dir, &["commit", "-qam", "change"]);
    let summary = repo_dir.join("summary.md");
    let summary_env = summary.to_string_lossy().into_owned();
    let envs = [
        ("GITHUB_BASE_REF", "main"),
        ("GITHUB_STEP_SUMMARY", summary_env.as_str()),
    ];
    let out = vaultlint_in(repo_dir, &["check", "notes", "--format", "github"], &envs);
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    let text = stdout(&out);
    let errors: Vec<&str> = text.lines().filter(|l| l.starts_with("::error ")).collect();
    assert_eq!(errors.len(), 10, "{text}");
    assert!(
        errors[0].starts_with("::error file=notes/z.md,line=1,col=1,"),
        "{text}"
    );
    assert!(
        text.contains("::notice title=vaultlint::3 of 13 findings"),
        "{text}"
    );
    assert!(
        text.contains("\nnotes/a11.md:1:1: error broken-link "),
        "{text}"
    );
    let md = std::fs::read_to_string(&summary).unwrap();
    assert!(md.contains("| `broken-link` | 13 | 0 | 0 | 13 |"), "{md}");
    assert!(md.contains("<code>notes/z.md</code> (1)"), "{md}");

    // Without the base ref the report order decides; `--only` names the files under review.
    let out = vaultlint_in(repo_dir, &["check", "notes", "--format", "github"], &[]);
    assert!(!stdout(&out).contains("::error file=notes/z.md"));
    let out = vaultlint_in(
        repo_dir,
        &["check", "notes", "--format", "github", "--only", "a11.md"],
        &[],
    );
    assert!(
        stdout(&out).starts_with("::error file=notes/a11.md,"),
        "{}",
        stdout(&out)
    );
    // A base that git cannot find is no failure: the run goes on unranked.
    let out = vaultlint_in(
        repo_dir,
        &["check", "notes", "--format", "github"],
        &[("GITHUB_BASE_REF", "no-such-branch")],
    );
    assert_eq!(code(&out), 1);
    assert_eq!(stderr(&out), "");
}

#[test]
fn ci_paths_are_relative_to_the_repository_root() {
    let vault = repo().join("fixtures/rules/broken-link");
    let abs = vault.to_string_lossy().into_owned();
    let expect = "fixtures/rules/broken-link/bad-links.md";
    // Relative from the root, absolute, and relative from a subfolder: the same paths.
    for (dir, path) in [
        (repo(), "fixtures/rules/broken-link"),
        (repo(), abs.as_str()),
        (repo().join("fixtures"), "rules/broken-link"),
        (repo().join("fixtures/rules"), abs.as_str()),
    ] {
        let out = vaultlint_in(&dir, &["check", path, "--format", "github"], &[]);
        assert!(
            stdout(&out).contains(&format!("file={expect},line=1,col=5,")),
            "{path} from {}: {}",
            dir.display(),
            stdout(&out)
        );
        let out = vaultlint_in(&dir, &["check", path, "--format", "sarif"], &[]);
        let log = crate::json(&out);
        let artifact =
            &log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"];
        assert_eq!(artifact["uri"], expect, "{path}");
        assert_eq!(artifact["uriBaseId"], "%SRCROOT%");
        let out = vaultlint_in(&dir, &["check", path, "--format", "gitlab"], &[]);
        assert_eq!(crate::json(&out)[0]["location"]["path"], expect);
        assert!(repo().join(expect).is_file());
    }
    // Outside any repository, paths are relative to the current folder.
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("v")).unwrap();
    std::fs::write(dir.path().join("v/A.md"), "[[Gone]]\n").unwrap();
    let out = vaultlint_in(dir.path(), &["check", "v", "--format", "github"], &[]);
    assert!(
        stdout(&out).starts_with("::error file=v/A.md,"),
        "{}",
        stdout(&out)
    );
}

/// Runs a Python snippet with the tools venv's interpreter.
fn python(script: &str, args: &[&Path]) -> Output {
    Command::new(tools::python().join("python"))
        .arg("-c")
        .arg(script)
        .args(args)
        .output()
        .expect("python")
}

#[test]
fn junit_parses_with_junitparser_and_validates_against_jenkins_xsd() {
    if !tools::wanted("junit_parses_with_junitparser_and_validates_against_jenkins_xsd") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let report = dir.path().join("report.xml");
    let out = vaultlint_in(&repo(), &["check", &sample(), "--format", "junit"], &[]);
    assert_eq!(code(&out), 1);
    std::fs::write(&report, &out.stdout).unwrap();
    // A clean vault and a hostile one (control characters, markup in names) too.
    let hostile = dir.path().join("hostile");
    std::fs::create_dir_all(&hostile).unwrap();
    std::fs::write(hostile.join("<b>&\".md"), "[[a\u{1}b]] ]]> [[<x>]]\n").unwrap();
    let hostile_report = dir.path().join("hostile.xml");
    let out = vaultlint_in(dir.path(), &["check", "hostile", "--format", "junit"], &[]);
    std::fs::write(&hostile_report, &out.stdout).unwrap();
    let clean = dir.path().join("clean");
    std::fs::create_dir_all(&clean).unwrap();
    std::fs::write(clean.join("A.md"), "fine\n").unwrap();
    let clean_report = dir.path().join("clean.xml");
    let out = vaultlint_in(dir.path(), &["check", "clean", "--format", "junit"], &[]);
    assert_eq!(code(&out), 0);
    std::fs::write(&clean_report, &out.stdout).unwrap();

    let script = r#"
import sys, xmlschema
from junitparser import JUnitXml, Failure
schema = xmlschema.XMLSchema(sys.argv[1])
for path in sys.argv[2:]:
    schema.validate(path)
    xml = JUnitXml.fromfile(path)
    cases = [c for suite in xml for c in suite]
    failures = [r for c in cases for r in c.result if isinstance(r, Failure)]
    kinds = sorted(set(f.type for f in failures))
    print(path.rsplit('/', 1)[-1], len(cases), len(failures), ",".join(kinds), xml.failures)
    for c in cases[:2]:
        print(" ", c.classname, "|", c.name)
"#;
    let xsd = repo().join("tests/schemas/junit-10.xsd");
    let out = python(script, &[&xsd, &report, &hostile_report, &clean_report]);
    let text = stdout(&out);
    assert!(out.status.success(), "{text}{}", stderr(&out));
    let lines: Vec<&str> = text.lines().filter(|l| !l.starts_with(' ')).collect();
    assert_eq!(
        lines,
        [
            "report.xml 70 70 error,warning 70",
            "hostile.xml 2 2 error 2",
            "clean.xml 1 0  0"
        ],
        "{text}"
    );
    assert!(
        text.contains("  fixtures/sample-vault/CyberSecurity/Security+/1-Threats-Attacks-Vulnerabilities/Attacking-Frameworks/MITRE ATT&CK/ICS-Attack/mitigations/Behavior Prevention on Endpoint.md | deprecated-property 2:1: `alias` is no longer read"),
        "{text}"
    );
    assert!(
        // A control character is shown as the escape every other sink prints (the JUnit
        // renderer passes vault text through `escape::xml_text`), not replaced.
        text.contains("  hostile/<b>&\".md | broken-link 1:1: link target `a\\u{1}b` not found"),
        "{text}"
    );
}

#[test]
fn gitlab_code_quality_passes_gitlabs_schema() {
    let schema: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(repo().join("tests/schemas/gitlab-codeclimate.json")).unwrap(),
    )
    .unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    assert!(!validator.is_valid(&serde_json::json!({"description": "x"})));
    let out = vaultlint_in(&repo(), &["check", &sample(), "--format", "gitlab"], &[]);
    assert_eq!(code(&out), 1);
    let issues = crate::json(&out);
    let issues = issues.as_array().unwrap();
    assert_eq!(issues.len(), 70);
    let mut prints = std::collections::BTreeSet::new();
    for issue in issues {
        let errors: Vec<String> = validator
            .iter_errors(issue)
            .map(|e| e.to_string())
            .collect();
        assert!(errors.is_empty(), "{issue}: {errors:?}");
        // What GitLab's documentation adds to the schema.
        assert!(["info", "minor", "major", "critical", "blocker"]
            .contains(&issue["severity"].as_str().unwrap()));
        assert!(issue["location"]["lines"]["begin"].as_u64().unwrap() >= 1);
        assert!(issue["check_name"].is_string());
        let path = issue["location"]["path"].as_str().unwrap();
        assert!(repo().join(path).is_file(), "{path}");
        assert!(prints.insert(issue["fingerprint"].as_str().unwrap().to_owned()));
    }
    let errors = issues.iter().filter(|i| i["severity"] == "major").count();
    assert_eq!(errors, 12);
    let clean = tempfile::tempdir().unwrap();
    std::fs::write(clean.path().join("A.md"), "fine\n").unwrap();
    let out = vaultlint_in(clean.path(), &["check", ".", "--format", "gitlab"], &[]);
    assert_eq!(code(&out), 0);
    assert_eq!(crate::json(&out), serde_json::json!([]));
}

/// The steps of `action.yml`, by id.
fn action_step(id: &str) -> serde_json::Value {
    let action: serde_json::Value =
        serde_saphyr::from_str(&std::fs::read_to_string(repo().join("action.yml")).unwrap())
            .unwrap();
    action["runs"]["steps"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["id"] == id)
        .unwrap_or_else(|| panic!("a step with id `{id}`"))
        .clone()
}

fn bin_dir() -> PathBuf {
    PathBuf::from(crate::bin()).parent().unwrap().to_path_buf()
}

struct ActionRun {
    code: i32,
    stdout: String,
    stderr: String,
    outputs: std::collections::BTreeMap<String, String>,
}

/// Runs the action's `run` step the way the runner does: inputs as environment (as the step
/// maps them), `GITHUB_OUTPUT` a file, the built binary on PATH.
fn run_action(work: &Path, inputs: &[(&str, &str)]) -> ActionRun {
    let step = action_step("run");
    let script = step["run"].as_str().unwrap();
    let output_file = work.join("github_output");
    std::fs::write(&output_file, "").unwrap();
    let path = format!(
        "{}:{}",
        bin_dir().display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let mut cmd = Command::new("bash");
    cmd.args(["--noprofile", "--norc", "-eo", "pipefail", "-c", script])
        .current_dir(work)
        .env("PATH", &path)
        .env("GITHUB_OUTPUT", &output_file)
        .env("RUNNER_TEMP", work)
        .env_remove("GITHUB_STEP_SUMMARY")
        .env_remove("GITHUB_BASE_REF");
    // Each `env:` entry of the step is `${{ inputs.NAME }}`: give it the input's value.
    let action: serde_json::Value =
        serde_saphyr::from_str(&std::fs::read_to_string(repo().join("action.yml")).unwrap())
            .unwrap();
    for (var, expr) in step["env"].as_object().unwrap() {
        let input = expr
            .as_str()
            .unwrap()
            .trim_start_matches("${{ inputs.")
            .trim_end_matches(" }}");
        let value = inputs
            .iter()
            .find(|(k, _)| *k == input)
            .map(|(_, v)| (*v).to_owned())
            .or_else(|| {
                action["inputs"][input]["default"]
                    .as_str()
                    .map(str::to_owned)
            })
            .unwrap_or_default();
        cmd.env(var, value);
    }
    let out = cmd.output().unwrap();
    let outputs = std::fs::read_to_string(&output_file)
        .unwrap()
        .lines()
        .filter_map(|l| l.split_once('='))
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect();
    ActionRun {
        code: out.status.code().unwrap_or(-1),
        stdout: stdout(&out),
        stderr: stderr(&out),
        outputs,
    }
}

#[test]
fn composite_action_passes_arguments_safely_and_reports_counts() {
    let work = tempfile::tempdir().unwrap();
    let w = work.path();
    std::fs::create_dir_all(w.join("notes")).unwrap();
    std::fs::write(w.join("notes/A note.md"), "[[Gone]]\n---\n").unwrap();
    std::fs::write(w.join("notes/Other.md"), "[[Also gone]] [[Third]]\n").unwrap();

    // `--only "A note.md"` is one argument on its own line.
    let run = run_action(
        w,
        &[
            ("path", "notes"),
            ("args", "--only\nA note.md\n--select\nbroken-link\n"),
        ],
    );
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stdout
            .contains("::error file=notes/A note.md,line=1,col=1,"),
        "{}",
        run.stdout
    );
    assert!(!run.stdout.contains("Other.md"), "{}", run.stdout);
    for (k, v) in [
        ("exit-code", "1"),
        ("errors", "1"),
        ("warnings", "0"),
        ("infos", "0"),
        ("findings", "1"),
        ("fail", "true"),
    ] {
        assert_eq!(
            run.outputs.get(k).map(String::as_str),
            Some(v),
            "{k}: {:?}",
            run.outputs
        );
    }

    // Several words on one line were split on spaces before; now they fail loudly.
    let run = run_action(w, &[("path", "notes"), ("args", "--only A note.md")]);
    assert_eq!(run.code, 2, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stdout.contains("::error title=vaultlint::"),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("its own line"), "{}", run.stdout);

    // Reporting without failing; every other format writes its report file.
    let run = run_action(w, &[("path", "notes"), ("fail-on", "never")]);
    assert_eq!(run.code, 0);
    assert_eq!(run.outputs["errors"], "3");
    assert_eq!(run.outputs["fail"], "false");
    for (format, file) in [
        ("sarif", "vaultlint.sarif"),
        ("junit", "vaultlint-junit.xml"),
        ("gitlab", "gl-code-quality-report.json"),
        ("json", "vaultlint.json"),
    ] {
        let run = run_action(w, &[("path", "notes"), ("format", format)]);
        assert_eq!(run.code, 0, "{format}: {}", run.stderr);
        assert_eq!(run.outputs["report"], file, "{format}");
        assert_eq!(run.outputs["fail"], "true");
        let text = std::fs::read_to_string(w.join(file)).unwrap();
        assert!(text.contains("Also gone"), "{format}: {text}");
    }
    let run = run_action(
        w,
        &[
            ("path", "notes"),
            ("format", "sarif"),
            ("sarif-file", "out/x.sarif"),
        ],
    );
    assert_eq!(run.outputs["report"], "out/x.sarif", "{}", run.stderr);
    assert!(w.join("out/x.sarif").is_file());
    let run = run_action(w, &[("path", "notes"), ("fail-on", "warning")]);
    assert_eq!(run.outputs["fail"], "true");

    // Bad inputs stop the job with a message, before vaultlint runs.
    for (input, value) in [("format", "sarif2"), ("fail-on", "sometimes")] {
        let run = run_action(w, &[("path", "notes"), (input, value)]);
        assert_eq!(run.code, 2, "{input}");
        assert!(
            run.stdout
                .contains(&format!("::error title=vaultlint::{input}")),
            "{}",
            run.stdout
        );
    }
    // A usage error from vaultlint fails at once.
    let run = run_action(w, &[("path", "no-such-folder")]);
    assert_eq!(run.code, 2);
}

#[test]
fn composite_action_uploads_with_upload_sarif_v4_and_fails_only_on_request() {
    let text = std::fs::read_to_string(repo().join("action.yml")).unwrap();
    assert!(!text.contains("upload-sarif@v3"));
    let upload = action_step("upload");
    assert_eq!(upload["uses"], "github/codeql-action/upload-sarif@v4");
    assert_eq!(
        upload["with"]["sarif_file"],
        "${{ steps.run.outputs.report }}"
    );
    let fail = action_step("fail");
    assert_eq!(fail["if"], "steps.run.outputs.fail == 'true'");
    let action: serde_json::Value = serde_saphyr::from_str(&text).unwrap();
    for output in [
        "exit-code",
        "errors",
        "warnings",
        "infos",
        "findings",
        "report",
    ] {
        assert_eq!(
            action["outputs"][output]["value"],
            format!("${{{{ steps.run.outputs.{output} }}}}"),
            "{output}"
        );
    }
}

/// A fake release: `vaultlint-<target>.tar.gz` and its `.sha256` under `<dir>/<tag>/`.
fn fake_release(dir: &Path, tag: &str, target: &str) -> PathBuf {
    let stage = dir.join("stage");
    std::fs::create_dir_all(&stage).unwrap();
    std::fs::copy(crate::bin(), stage.join("vaultlint")).unwrap();
    let release = dir.join("releases").join(tag);
    std::fs::create_dir_all(&release).unwrap();
    let archive = release.join(format!("vaultlint-{target}.tar.gz"));
    let out = Command::new("tar")
        .arg("-czf")
        .arg(&archive)
        .args(["-C"])
        .arg(&stage)
        .arg("vaultlint")
        .output()
        .unwrap();
    assert!(out.status.success());
    let out = Command::new("sha256sum")
        .arg(&archive)
        .current_dir(&release)
        .output()
        .unwrap();
    let sum = stdout(&out);
    let sum = sum.split_whitespace().next().unwrap();
    std::fs::write(
        release.join(format!("vaultlint-{target}.tar.gz.sha256")),
        format!("{sum}  vaultlint-{target}.tar.gz\n"),
    )
    .unwrap();
    dir.join("releases")
}

/// Runs the action's `install` step with the release served from `file://` and a fake
/// `cargo` (which records that the source build was chosen) first on PATH.
fn run_install(work: &Path, releases: &Path, version: &str) -> (Output, String, String) {
    let step = action_step("install");
    let script = step["run"].as_str().unwrap();
    let fake_bin = work.join("fake-bin");
    std::fs::create_dir_all(&fake_bin).unwrap();
    let cargo_log = work.join("cargo.log");
    std::fs::write(
        fake_bin.join("cargo"),
        format!(
            "#!/bin/sh\necho \"$@\" >> '{}'\nroot=$(echo \"$@\" | sed 's/.*--root \\([^ ]*\\).*/\\1/')\nmkdir -p \"$root/bin\" && cp '{}' \"$root/bin/vaultlint\"\n",
            cargo_log.display(),
            crate::bin()
        ),
    )
    .unwrap();
    let mut perms = std::fs::metadata(fake_bin.join("cargo"))
        .unwrap()
        .permissions();
    std::os::unix::fs::PermissionsExt::set_mode(&mut perms, 0o755);
    std::fs::set_permissions(fake_bin.join("cargo"), perms).unwrap();
    let github_path = work.join("github_path");
    let output_file = work.join("github_output");
    std::fs::write(&github_path, "").unwrap();
    std::fs::write(&output_file, "").unwrap();
    let out = Command::new("bash")
        .args(["--noprofile", "--norc", "-eo", "pipefail", "-c", script])
        .current_dir(work)
        .env(
            "PATH",
            format!(
                "{}:{}",
                fake_bin.display(),
                std::env::var("PATH").unwrap_or_default()
            ),
        )
        .env("RUNNER_OS", "Linux")
        .env("RUNNER_ARCH", "X64")
        .env("RUNNER_TEMP", work)
        .env("GITHUB_PATH", &github_path)
        .env("GITHUB_OUTPUT", &output_file)
        .env("GITHUB_ACTION_PATH", repo())
        .env("VAULTLINT_VERSION", version)
        .env(
            "VAULTLINT_RELEASES",
            format!("file://{}", releases.display()),
        )
        .output()
        .unwrap();
    (
        out,
        std::fs::read_to_string(&github_path).unwrap(),
        std::fs::read_to_string(&cargo_log).unwrap_or_default(),
    )
}

#[test]
fn composite_action_installs_the_release_binary_and_builds_only_as_a_fallback() {
    let step = action_step("install");
    for var in ["VAULTLINT_VERSION", "VAULTLINT_RELEASES"] {
        assert!(step["env"][var].is_string(), "{var}");
    }
    let work = tempfile::tempdir().unwrap();
    let releases = fake_release(work.path(), "v0.1.0", "x86_64-unknown-linux-musl");

    let (out, path, cargo) = run_install(work.path(), &releases, "v0.1.0");
    assert!(out.status.success(), "{}{}", stdout(&out), stderr(&out));
    assert_eq!(cargo, "", "no source build when the release exists");
    let dir = PathBuf::from(path.trim());
    let version = Command::new(dir.join("vaultlint"))
        .arg("--version")
        .output()
        .unwrap();
    assert!(
        stdout(&version).starts_with("vaultlint "),
        "{}",
        stdout(&version)
    );

    // A checksum that does not match is an error, never a silent fallback.
    let sum = releases.join("v0.1.0/vaultlint-x86_64-unknown-linux-musl.tar.gz.sha256");
    std::fs::write(
        &sum,
        format!(
            "{}  vaultlint-x86_64-unknown-linux-musl.tar.gz\n",
            "0".repeat(64)
        ),
    )
    .unwrap();
    let (out, _, cargo) = run_install(work.path(), &releases, "v0.1.0");
    assert!(!out.status.success());
    assert!(stdout(&out).contains("checksum"), "{}", stdout(&out));
    assert_eq!(cargo, "");

    // No release for this version (or none named): build from the action's source.
    let (out, path, cargo) = run_install(work.path(), &releases, "v9.9.9");
    assert!(out.status.success(), "{}{}", stdout(&out), stderr(&out));
    assert!(cargo.starts_with("install --locked"), "{cargo}");
    assert!(
        cargo.contains(&format!("--path {}", repo().display())),
        "{cargo}"
    );
    assert!(PathBuf::from(path.trim()).join("vaultlint").is_file());
}
