//! The Python package and the pre-commit hooks, for real: maturin builds the wheel from
//! `pyproject.toml` (dev profile, reusing this test run's build), pip installs it into a
//! fresh venv whose `vaultlint` checks the sample vault exactly as the built binary does,
//! and the real `pre-commit` (from PyPI) runs the hook of `.pre-commit-hooks.yaml`,
//! installed from that wheel, on a git repository with a broken link: it fails, and passes
//! once the link is fixed. They run when the test run asks for the tools
//! (`VAULTLINT_TOOLS=1`, see `tools.rs`); then every tool missing is a failure, never a skip.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

use crate::ci::git;
use crate::{fixtures, repo, tools};

fn run(cmd: &mut Command) -> Output {
    cmd.output().unwrap_or_else(|e| panic!("{cmd:?}: {e}"))
}

fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// Builds the wheel once per test run, into `target/ci-tools/wheels`.
fn wheel() -> &'static PathBuf {
    static WHEEL: OnceLock<PathBuf> = OnceLock::new();
    WHEEL.get_or_init(|| {
        crate::bin();
        let _relinking = crate::BINARY_LOCK.lock().unwrap_or_else(|e| e.into_inner());
        let out_dir = repo().join("target/ci-tools/wheels");
        let _ = std::fs::remove_dir_all(&out_dir);
        let out = run(Command::new(tools::python().join("maturin"))
            .args(["build", "--profile", "dev", "--locked", "--out"])
            .arg(&out_dir)
            .current_dir(repo()));
        assert!(
            out.status.success(),
            "maturin build failed:\n{}",
            text(&out)
        );
        let wheels: Vec<PathBuf> = std::fs::read_dir(&out_dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|e| e == "whl"))
            .collect();
        assert_eq!(wheels.len(), 1, "{wheels:?}");
        wheels.into_iter().next().unwrap()
    })
}

#[test]
fn the_wheel_installs_with_pip_and_runs_the_sample_vault() {
    if !tools::wanted("the_wheel_installs_with_pip_and_runs_the_sample_vault") {
        return;
    }
    let wheel = wheel();
    let name = wheel.file_name().unwrap().to_string_lossy().into_owned();
    assert!(
        name.starts_with("obsidian_vaultlint-0.1.0-py3-none-"),
        "distribution name and version: {name}"
    );
    let dir = tempfile::tempdir().unwrap();
    let venv = dir.path().join("venv");
    let out = run(Command::new("python3").args(["-m", "venv"]).arg(&venv));
    assert!(out.status.success(), "{}", text(&out));
    let out = run(Command::new(venv.join("bin/pip"))
        .args([
            "install",
            "--quiet",
            "--no-index",
            "--disable-pip-version-check",
        ])
        .arg(wheel));
    assert!(out.status.success(), "pip install: {}", text(&out));
    let installed = venv.join("bin/vaultlint");
    assert!(
        installed.is_file(),
        "the wheel puts `vaultlint` on the venv's PATH"
    );
    let sample = fixtures().join("sample-vault");
    let args = ["check", sample.to_str().unwrap(), "--format", "json"];
    let from_wheel = run(Command::new(&installed).args(args));
    let built = run(Command::new(crate::bin()).args(args));
    assert_eq!(from_wheel.status.code(), Some(1), "{}", text(&from_wheel));
    assert_eq!(from_wheel.stdout, built.stdout);
    let report: serde_json::Value = serde_json::from_slice(&from_wheel.stdout).unwrap();
    assert_eq!(report["summary"]["errors"], 12);
    let out = run(Command::new(&installed).arg("--version"));
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        "vaultlint 0.1.0"
    );
}

/// The README's pre-commit snippet (a `repo: local` hook with the fields of the `vaultlint`
/// hook in `.pre-commit-hooks.yaml`, which `readme.rs` checks), installing the wheel just
/// built instead of the same version from PyPI.
fn local_config(wheel: &Path) -> String {
    let mut config: serde_json::Value =
        serde_saphyr::from_str(&crate::readme::snippet("pre-commit")).unwrap();
    let hook = &mut config["repos"][0]["hooks"][0];
    assert_eq!(hook["language"], "python");
    assert_eq!(hook["args"], serde_json::json!(["notes"]));
    hook["additional_dependencies"] = serde_json::json!([wheel.to_string_lossy()]);
    // JSON is YAML.
    serde_json::to_string_pretty(&config).unwrap()
}

fn pre_commit(dir: &Path) -> Output {
    run(Command::new(tools::python().join("pre-commit"))
        .args(["run", "--all-files", "--verbose"])
        .current_dir(dir)
        .env("PRE_COMMIT_HOME", dir.join(".cache-pre-commit"))
        .env_remove("GIT_DIR")
        .env_remove("GIT_INDEX_FILE"))
}

#[test]
fn pre_commit_hook_from_the_wheel_fails_on_a_broken_link_and_passes_when_fixed() {
    if !tools::wanted("pre_commit_hook_from_the_wheel_fails_on_a_broken_link_and_passes_when_fixed")
    {
        return;
    }
    let wheel = wheel();
    let repo_dir = tempfile::tempdir().unwrap();
    let r = repo_dir.path();
    std::fs::create_dir_all(r.join("notes")).unwrap();
    std::fs::write(r.join(".gitignore"), ".cache-pre-commit/\n").unwrap();
    std::fs::write(r.join(".pre-commit-config.yaml"), local_config(wheel)).unwrap();
    std::fs::write(
        r.join("notes/Index.md"),
        "See [[Topic]] and [[Missing topic]].\n",
    )
    .unwrap();
    std::fs::write(r.join("notes/Topic.md"), "# Topic\n").unwrap();
    git(r, &["init", "-q"]);
    git(r, &["add", "."]);
    git(r, &["commit", "-qm", "notes"]);

    let out = pre_commit(r);
    assert!(
        !out.status.success(),
        "the hook must fail on a broken link:\n{}",
        text(&out)
    );
    assert!(text(&out).contains("Missing topic"), "{}", text(&out));
    // The hook ran the wheel's vaultlint in pre-commit's own environment.
    let envs = std::fs::read_dir(r.join(".cache-pre-commit"))
        .unwrap()
        .filter_map(Result::ok)
        .flat_map(|repo| std::fs::read_dir(repo.path()).into_iter().flatten())
        .filter_map(Result::ok)
        .filter(|e| {
            e.file_name().to_string_lossy().starts_with("py_env-")
                && e.path().join("bin/vaultlint").is_file()
        })
        .count();
    assert_eq!(
        envs, 1,
        "pre-commit installed the wheel into its hook environment"
    );

    std::fs::write(r.join("notes/Index.md"), "See [[Topic]].\n").unwrap();
    git(r, &["commit", "-qam", "fix link"]);
    let out = pre_commit(r);
    assert!(
        out.status.success(),
        "the hook must pass once fixed:\n{}",
        text(&out)
    );
}
