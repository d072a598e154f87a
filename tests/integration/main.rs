//! Integration tests: one test binary (ripgrep style), one module per concern.

mod architecture;
mod attack_catalogs;
mod attack_coverage;
mod attack_fetch;
mod attack_layers;
mod attack_layouts;
pub mod attack_releases;
mod attack_upgrade;
mod cache;
mod cases;
mod ci;
mod cli;
mod config;
mod corpora;
mod docs;
mod first_hour;
mod fixes;
mod formats;
mod fuzzed;
mod hostile;
mod hostile_round3;
mod mv;
mod precommit;
mod readme;
mod robustness;
mod rules;
mod terminal;
mod tools;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub fn fixtures() -> PathBuf {
    repo().join("fixtures")
}

/// Says on the test run's stderr that a check did not run, and why. Written to the stream
/// itself, not with `eprintln!`, which libtest captures and shows only when a test fails:
/// a skip nobody sees would pass for a check that ran.
pub fn skip_note(test: &str, why: &str) {
    use std::io::Write;
    let _ = writeln!(std::io::stderr(), "note: {test}: skipped, {why}");
}

/// The folder of the team's shared data (`corpora/`, `attack/`, ...), when the run asks for
/// the tests that need it with `VAULTLINT_SHARED`: `1` for `../shared` beside the
/// repository, any other value for that folder. `.ci/run` sets it; a fresh clone has no such
/// folder, so without the variable those tests are skipped with a note. Asked for and
/// missing is a failure: a corpus run that checks nothing proves nothing.
pub fn shared(test: &str) -> Option<PathBuf> {
    let value = std::env::var_os("VAULTLINT_SHARED").filter(|v| !v.is_empty() && v != "0");
    let Some(value) = value else {
        skip_note(
            test,
            "it needs ../shared/ (set VAULTLINT_SHARED=1, or to the folder, to run it)",
        );
        return None;
    };
    let dir = if value == "1" {
        repo().join("../shared")
    } else {
        PathBuf::from(value)
    };
    assert!(
        dir.is_dir(),
        "VAULTLINT_SHARED asks for the shared data, but {} is not a folder",
        dir.display()
    );
    Some(dir)
}

/// Serialises relinking the binary (the wheel test's `maturin build --profile dev` relinks
/// `target/debug/vaultlint`) with taking the tests' private copy of it.
pub static BINARY_LOCK: std::sync::Mutex<()> = std::sync::Mutex::new(());

/// A private copy of the built binary, named `vaultlint`, taken once per test run. Tests
/// spawn this copy, so that the wheel test relinking `target/debug/vaultlint` cannot make
/// another test's spawn fail while the file is being replaced.
pub fn bin() -> &'static str {
    static BIN: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    BIN.get_or_init(|| {
        let _relinking = BINARY_LOCK.lock().unwrap_or_else(|e| e.into_inner());
        let bins = repo().join("target/test-bin");
        remove_stale_copies(&bins);
        let dir = bins.join(std::process::id().to_string());
        std::fs::create_dir_all(&dir).expect("test-bin folder");
        let copy = dir.join(format!("vaultlint{}", std::env::consts::EXE_SUFFIX));
        std::fs::copy(env!("CARGO_BIN_EXE_vaultlint"), &copy).expect("copy the binary");
        copy.to_str().expect("UTF-8 target path").to_owned()
    })
}

/// Removes the binary copies of earlier test runs from `bins` (one folder per process id,
/// about 150 MB each, which would otherwise fill the disk run after run). Only Linux can tell
/// from `/proc` that a process has ended; elsewhere the copies are left, since a concurrent
/// test run may still be spawning its copy.
fn remove_stale_copies(bins: &Path) {
    if !Path::new("/proc/self").exists() {
        return;
    }
    let Ok(entries) = std::fs::read_dir(bins) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(pid) = name.to_str().filter(|n| n.parse::<u32>().is_ok()) else {
            continue;
        };
        if !Path::new("/proc").join(pid).exists() {
            let _ = std::fs::remove_dir_all(entry.path());
        }
    }
}

/// The human format of `report` as the snapshots keep it: no colour, 100 columns, with the
/// source lines of the vault at `root`.
pub fn human(root: &Path, report: &vaultlint::Report) -> Vec<u8> {
    let sources = vaultlint::load_sources(root, &report.diagnostics);
    let mut out = Vec::new();
    vaultlint::render::render(
        vaultlint::render::Format::Human,
        report,
        &sources,
        vaultlint::render::Style {
            color: false,
            width: Some(100),
            quiet: false,
        },
        &mut out,
    )
    .unwrap();
    out
}

/// Runs the built binary with `args`.
pub fn vaultlint(args: &[&str]) -> Output {
    Command::new(crate::bin())
        .args(args)
        .env_remove("NO_COLOR")
        .env("COLUMNS", "100")
        .output()
        .expect("run vaultlint")
}

pub fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

pub fn code(output: &Output) -> i32 {
    output.status.code().unwrap_or(-1)
}

/// Copies a folder tree (files and folders only) into a new temp dir.
pub fn copy_tree(from: &Path) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    copy_into(from, dir.path());
    dir
}

pub fn copy_into(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let kind = entry.file_type().unwrap();
        let dest = to.join(entry.file_name());
        if kind.is_dir() {
            copy_into(&entry.path(), &dest);
        } else if kind.is_file() {
            std::fs::copy(entry.path(), dest).unwrap();
        }
    }
}

pub fn json(output: &Output) -> serde_json::Value {
    serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|e| panic!("bad JSON ({e}): {}", stdout(output)))
}
