//! Issue 10, "bounded on hostile input": files that are not what they claim (symlinks to
//! devices, FIFOs), parse shapes that were quadratic, and output that grew without bound.
//! Each test builds its vault in a temp dir and asserts the findings and that the run ends;
//! the time limits are generous hang detectors, never speed targets (those are measured by
//! `bench/complexity.py`).

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

fn json_findings(out: &Output) -> Vec<serde_json::Value> {
    let value: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "bad JSON ({e}); stderr: {}",
            String::from_utf8_lossy(&out.stderr)
        )
    });
    value["diagnostics"].as_array().unwrap().clone()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[cfg(unix)]
fn mkfifo(path: &Path) {
    let made = std::process::Command::new("mkfifo")
        .arg(path)
        .status()
        .unwrap();
    assert!(made.success());
}

#[cfg(unix)]
#[test]
fn app_json_as_dev_zero_or_fifo_is_a_finding_not_a_hang() {
    for fifo in [false, true] {
        let dir = vault();
        let root = dir.path();
        let app = root.join(".obsidian/app.json");
        if fifo {
            mkfifo(&app);
        } else {
            std::os::unix::fs::symlink("/dev/zero", &app).unwrap();
        }
        write(root, "a.md", "[[missing]]\n");
        let out = check(root, &["--format", "json"]);
        assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
        let found = json_findings(&out);
        let app_finding = found
            .iter()
            .find(|d| d["path"] == ".obsidian/app.json")
            .unwrap_or_else(|| panic!("no finding on app.json: {found:?}"));
        assert_eq!(app_finding["rule"], "unreadable-file");
        let message = app_finding["message"].as_str().unwrap();
        let expected = if fifo {
            "is a FIFO, not a regular file"
        } else {
            "is a symlink"
        };
        assert!(message.contains(expected), "{message}");
        assert!(
            found
                .iter()
                .any(|d| d["path"] == "a.md" && d["rule"] == "broken-link"),
            "the vault is still checked: {found:?}"
        );
    }
}

#[cfg(unix)]
#[test]
fn catalogue_or_config_as_dev_zero_is_an_error_not_a_hang() {
    let dir = vault();
    let root = dir.path();
    write(root, "vaultlint.toml", "[attack]\ncatalog = \"c.json\"\n");
    std::os::unix::fs::symlink("/dev/zero", root.join("c.json")).unwrap();
    write(root, "a.md", "[[T1000]]\n");
    let out = check(root, &[]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(
        err.contains("cannot read ATT&CK catalogue") && err.contains("c.json` is a symlink"),
        "{err}"
    );

    // Named on the command line, the symlink is followed, and the device still refused.
    let out = check(root, &["--no-config", "--attack-catalog", "/dev/zero"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("is a device, not a regular file"),
        "{}",
        stderr(&out)
    );

    // A FIFO catalogue named by the config.
    std::fs::remove_file(root.join("c.json")).unwrap();
    mkfifo(&root.join("c.json"));
    let out = check(root, &[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("is a FIFO"), "{}", stderr(&out));

    // The vault's own config file as a symlink to /dev/zero.
    std::fs::remove_file(root.join("vaultlint.toml")).unwrap();
    std::os::unix::fs::symlink("/dev/zero", root.join("vaultlint.toml")).unwrap();
    let out = check(root, &[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("vaultlint.toml` is a symlink"),
        "{}",
        stderr(&out)
    );
}

#[cfg(unix)]
#[test]
fn baseline_from_a_device_is_an_error() {
    let dir = vault();
    write(dir.path(), "a.md", "[[missing]]\n");
    let out = check(dir.path(), &["--baseline", "/dev/zero"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("is a device"), "{}", stderr(&out));
}

/// A note swapped for a FIFO while vaultlint runs (between the walk and either read) must
/// not block. The swap races the run, so it is repeated and every run must end with a
/// normal exit code; `vault::read` has the deterministic test of reading a FIFO.
#[cfg(unix)]
#[test]
fn note_swapped_for_a_fifo_during_the_run_never_blocks() {
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::sync::Arc;
    let dir = vault();
    let root = dir.path().to_path_buf();
    for i in 0..300 {
        write(&root, &format!("n{i}.md"), "# H\n[[swapped]]\n");
    }
    write(&root, "swapped.md", "# S\n");
    let stop = Arc::new(AtomicBool::new(false));
    let swapper = {
        let (stop, root) = (Arc::clone(&stop), root.clone());
        std::thread::spawn(move || {
            let note = root.join("swapped.md");
            while !stop.load(Ordering::Relaxed) {
                let _ = std::fs::remove_file(&note);
                mkfifo(&note);
                std::thread::sleep(Duration::from_millis(1));
                let _ = std::fs::remove_file(&note);
                let _ = std::fs::write(&note, "# S\n");
                std::thread::sleep(Duration::from_millis(1));
            }
        })
    };
    for _ in 0..15 {
        let out = check(&root, &["--format", "json"]);
        assert!(
            matches!(out.status.code(), Some(0 | 1)),
            "{:?}: {}",
            out.status,
            stderr(&out)
        );
        assert!(!json_findings(&out).is_empty());
    }
    stop.store(true, Ordering::Relaxed);
    swapper.join().unwrap();
}

#[test]
fn huge_thread_count_is_capped_and_said() {
    let dir = vault();
    write(dir.path(), "a.md", "[[missing]]\n");
    let out = check(dir.path(), &["--threads", "100000", "--format", "concise"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let err = stderr(&out);
    let cores = std::thread::available_parallelism().unwrap().get();
    assert!(
        err.contains("--threads 100000 is more than")
            && err.contains(&format!("using {} (4 per core)", cores * 4)),
        "{err}"
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("a.md:1:1: broken-link"));
}
