//! Issue 23, "hostile vaults, round 3": fixes that keep what a note means, output that vault
//! text cannot hijack, and costs bounded on hostile input. Each test builds its vault in a
//! temp dir; time limits are hang detectors, never speed targets (`bench/complexity.py`
//! measures those).

use std::path::Path;
use std::process::Output;
use std::time::Duration;

use super::robustness::run_with_timeout;

const HANG: Duration = Duration::from_secs(120);

fn vault() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join(".obsidian")).unwrap();
    dir
}

fn write(root: &Path, name: &str, text: impl AsRef<[u8]>) {
    let path = root.join(name);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

fn check(root: &Path, extra: &[&str]) -> Output {
    let mut args = vec!["check", root.to_str().unwrap()];
    args.extend_from_slice(extra);
    run_with_timeout(&args, HANG)
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn a_revoked_by_cycle_in_a_catalogue_is_reported_not_followed() {
    let dir = vault();
    let catalogue = dir.path().join("cycle.tsv");
    std::fs::write(
        &catalogue,
        "domain\tattack_id\tname\ttype\tdeprecated\trevoked\trevoked_by\trevoked_by_final\n\
         enterprise-attack\tT1000\tFirst\ttechnique\tfalse\ttrue\tT1001\tT1001\n\
         enterprise-attack\tT1001\tSecond\ttechnique\tfalse\ttrue\tT1000\tT1000\n",
    )
    .unwrap();
    let table = "| ID | Name |\n| --- | --- |\n| [[First\\|T1000]] | First |\n| [[Second\\|T1001]] | Second |\n";
    write(dir.path(), "notes/Table.md", table);
    write(dir.path(), "notes/First.md", "# First\n");
    write(dir.path(), "notes/Second.md", "# Second\n");
    let cat = catalogue.to_str().unwrap();
    let out = check(
        &dir.path().join("notes"),
        &["--attack-catalog", cat, "--fix", "--unsafe-fixes"],
    );
    let text = std::fs::read_to_string(dir.path().join("notes/Table.md")).unwrap();
    assert_eq!(text, table, "{}", stderr(&out));
    let all = format!("{}{}", stdout(&out), stderr(&out));
    assert!(all.contains("runs in a circle (T1000 → T1001 → T1000)"), "{all}");
    assert!(!all.contains("passes"), "{all}");
}

/// Every file name under `dir` that a write would leave behind: vaultlint's own temp files
/// and tempfile's default `.tmpXXXXXX`.
#[cfg(unix)]
fn temp_files(dir: &Path) -> Vec<String> {
    walk(dir)
        .into_iter()
        .filter(|p| {
            let name = p.rsplit('/').next().unwrap_or(p);
            name.starts_with(".vaultlint-") || name.starts_with(".tmp")
        })
        .collect()
}

#[cfg(unix)]
fn walk(dir: &Path) -> Vec<String> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let entry = entry.unwrap();
        let path = entry.path();
        out.push(path.to_string_lossy().into_owned());
        if entry.file_type().unwrap().is_dir() {
            out.extend(walk(&path));
        }
    }
    out
}

/// A signal while `--fix` writes a note (the test hook pauses with its temp file
/// half-written) removes the temp file, leaves that note as it was and ends the run.
#[cfg(unix)]
#[test]
fn signal_during_fix_writes_leaves_no_temp_file() {
    use std::process::{Command, Stdio};
    let original = "---\nalias: M1040\n---\n";
    for signal in ["-INT", "-TERM"] {
        let dir = vault();
        for i in 0..3 {
            write(dir.path(), &format!("sub/n{i}.md"), original);
        }
        let mut child = Command::new(env!("CARGO_BIN_EXE_vaultlint"))
            .args(["check", dir.path().to_str().unwrap(), "--fix"])
            .env("VAULTLINT_TEST_PAUSE_IN_WRITE_MS", "60000")
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let start = std::time::Instant::now();
        while temp_files(dir.path()).is_empty() {
            assert!(start.elapsed() < HANG, "the write never started");
            std::thread::sleep(Duration::from_millis(20));
        }
        let sent = Command::new("kill")
            .args([signal, &child.id().to_string()])
            .status()
            .unwrap();
        assert!(sent.success());
        let status = child.wait().unwrap();
        let mut err = String::new();
        std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut err).unwrap();
        assert_eq!(status.code(), Some(130), "{signal}: {err}");
        assert!(err.contains("interrupted"), "{err}");
        assert_eq!(temp_files(dir.path()), Vec::<String>::new(), "{signal}");
        for i in 0..3 {
            let text = std::fs::read_to_string(dir.path().join(format!("sub/n{i}.md"))).unwrap();
            assert_eq!(text, original, "{signal}: no note was written before the first");
        }
    }
}
