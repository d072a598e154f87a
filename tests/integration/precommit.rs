//! The pre-commit hooks, run by the real `pre-commit` from PyPI in a temp venv against a
//! temp git repository holding a small vault: the hook fails on a broken link and passes
//! once it is fixed. Skipped, with a message, only where pre-commit cannot be installed.

use std::path::Path;
use std::process::Command;

use crate::repo;

fn run(cmd: &mut Command) -> std::process::Output {
    cmd.output().unwrap_or_else(|e| panic!("{cmd:?}: {e}"))
}

fn install_pre_commit(dir: &Path) -> Option<std::path::PathBuf> {
    let venv = dir.join("venv");
    let ok = run(Command::new("python3").args(["-m", "venv"]).arg(&venv))
        .status
        .success()
        && run(Command::new(venv.join("bin/pip")).args([
            "install",
            "--quiet",
            "--disable-pip-version-check",
            "pre-commit",
        ]))
        .status
        .success();
    if ok {
        Some(venv.join("bin/pre-commit"))
    } else {
        eprintln!("SKIPPED pre-commit test: could not install pre-commit from PyPI into a venv");
        None
    }
}

fn git(repo: &Path, args: &[&str]) {
    let out = run(Command::new("git")
        .args([
            "-c",
            "user.name=t",
            "-c",
            "user.email=t@example.com",
            "-c",
            "commit.gpgsign=false",
        ])
        .args(args)
        .current_dir(repo));
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn try_repo(pre_commit: &Path, notes: &Path, hook: &str, path_env: &str) -> std::process::Output {
    run(Command::new(pre_commit)
        .args(["try-repo"])
        .arg(repo())
        .args([hook, "--all-files", "--verbose"])
        .current_dir(notes)
        .env("PATH", path_env)
        .env("PRE_COMMIT_HOME", notes.join(".cache-pre-commit"))
        .env_remove("GIT_DIR"))
}

#[test]
fn pre_commit_hooks_fail_on_a_broken_link_and_pass_when_fixed() {
    let tools = tempfile::tempdir().unwrap();
    let Some(pre_commit) = install_pre_commit(tools.path()) else {
        return;
    };
    let notes = tempfile::tempdir().unwrap();
    let n = notes.path();
    std::fs::write(n.join(".gitignore"), ".cache-pre-commit/\n").unwrap();
    std::fs::write(n.join("Index.md"), "See [[Topic]] and [[Missing topic]].\n").unwrap();
    std::fs::write(n.join("Topic.md"), "# Topic\n").unwrap();
    git(n, &["init", "-q"]);
    git(n, &["add", "."]);
    git(n, &["commit", "-q", "-m", "notes"]);

    let bin_dir = Path::new(env!("CARGO_BIN_EXE_vaultlint"))
        .parent()
        .unwrap()
        .to_path_buf();
    let path = format!(
        "{}:{}",
        bin_dir.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let out = try_repo(&pre_commit, n, "vaultlint-system", &path);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        !out.status.success(),
        "the hook must fail on a broken link:\n{text}"
    );
    assert!(text.contains("Missing topic"), "{text}");

    std::fs::write(n.join("Index.md"), "See [[Topic]].\n").unwrap();
    git(n, &["commit", "-q", "-am", "fix link"]);
    let out = try_repo(&pre_commit, n, "vaultlint-system", &path);
    assert!(
        out.status.success(),
        "the hook must pass once fixed:\n{}",
        String::from_utf8_lossy(&out.stdout)
    );

    // The `language: rust` hook builds vaultlint from this repository with cargo.
    let out = try_repo(
        &pre_commit,
        n,
        "vaultlint",
        &std::env::var("PATH").unwrap_or_default(),
    );
    assert!(
        out.status.success(),
        "rust hook:\n{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    std::fs::write(n.join("Index.md"), "See [[Gone]].\n").unwrap();
    git(n, &["commit", "-q", "-am", "break link"]);
    let out = try_repo(
        &pre_commit,
        n,
        "vaultlint",
        &std::env::var("PATH").unwrap_or_default(),
    );
    assert!(
        !out.status.success(),
        "rust hook must fail on a broken link"
    );
}
