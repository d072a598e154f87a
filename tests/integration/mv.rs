//! `vaultlint mv` from the command line, on the fixture vault `fixtures/mv/basic/` (issue
//! 21): the patch `--diff` prints (snapshotted) is what the real run writes and what
//! `git apply` makes of it; refusals write nothing and exit 2.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::{Command, Output};

use crate::{code, copy_tree, fixtures, stdout};

fn run_in(dir: &Path, args: &[&str]) -> Output {
    Command::new(crate::bin())
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .output()
        .expect("run vaultlint")
}

/// Every file under `root` except `.git/`, and its bytes.
fn tree(root: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut out = BTreeMap::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let entry = entry.unwrap();
            let path = entry.path();
            if entry.file_name() == ".git" {
                continue;
            }
            if entry.file_type().unwrap().is_dir() {
                stack.push(path);
            } else {
                let rel = path
                    .strip_prefix(root)
                    .unwrap()
                    .to_string_lossy()
                    .into_owned();
                out.insert(rel, std::fs::read(&path).unwrap());
            }
        }
    }
    out
}

fn basic() -> tempfile::TempDir {
    copy_tree(&fixtures().join("mv/basic"))
}

const OLD: &str = "Projects/Road map.md";
const NEW: &str = "Archive/Plans/Road map 2025.md";

#[test]
fn diff_is_what_mv_writes_and_what_git_applies() {
    let vault = basic();
    let before = tree(vault.path());
    let out = run_in(vault.path(), &["mv", OLD, NEW, "--diff"]);
    assert_eq!(code(&out), 0, "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(tree(vault.path()), before, "--diff wrote something");
    let patch = stdout(&out);
    insta::assert_snapshot!("mv_diff_basic", patch);
    assert!(String::from_utf8_lossy(&out.stderr).contains("would rewrite 14 links in 3 files"));

    let real = basic();
    let out = run_in(real.path(), &["mv", OLD, NEW]);
    assert_eq!(code(&out), 0, "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(
        stdout(&out),
        "vaultlint: moved `Projects/Road map.md` to `Archive/Plans/Road map 2025.md` (1 file); rewrote 14 links in 3 files\n"
    );
    crate::ci::git(vault.path(), &["init", "-q"]);
    std::fs::write(vault.path().join("p.diff"), &patch).unwrap();
    crate::ci::git(vault.path(), &["apply", "p.diff"]);
    std::fs::remove_file(vault.path().join("p.diff")).unwrap();
    assert_eq!(tree(vault.path()), tree(real.path()));
    // Nothing is left to move back wrongly: the check finds no broken link.
    let check = run_in(
        real.path(),
        &["check", ".", "--select", "broken-link,ambiguous-link"],
    );
    assert_eq!(code(&check), 0, "{}", stdout(&check));
}

#[test]
fn a_refused_move_writes_nothing_and_exits_2() {
    let vault = basic();
    let before = tree(vault.path());
    // `Archive/Road map.md` would share the name every bare `[[Road map]]` uses.
    let out = run_in(
        vault.path(),
        &["mv", "Archive/Road.md", "Archive/Road map.md"],
    );
    assert_eq!(code(&out), 2);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("vaultlint: refused: Index.md:2: `[[Road map]]` opens `Projects/Road map.md` today and would open `Archive/Road map.md` after the move"),
        "{err}"
    );
    assert!(err.contains("nothing was changed"), "{err}");
    assert_eq!(tree(vault.path()), before);
    for (args, message) in [
        (vec!["mv", OLD, "Index.md"], "it exists"),
        (vec!["mv", OLD, "index.MD"], "without regard to case"),
        (vec!["mv", OLD, "Projects/C# notes.md"], "no link can"),
        (vec!["mv", OLD, "Projects/a:b.md"], "does not allow"),
        (vec!["mv", "Missing.md", "M.md"], "cannot move"),
        (vec!["mv", "--continue"], "no interrupted"),
        (vec!["mv", "--abort"], "no interrupted"),
    ] {
        let out = run_in(vault.path(), &args);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(code(&out), 2, "{args:?}: {err}");
        assert!(err.contains(message), "{args:?}: {err}");
        assert_eq!(tree(vault.path()), before, "{args:?}");
    }
}

#[test]
fn without_a_vault_root_mv_asks_for_one() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("a.md"), "").unwrap();
    let out = run_in(dir.path(), &["mv", "a.md", "b.md"]);
    assert_eq!(code(&out), 2);
    assert!(String::from_utf8_lossy(&out.stderr).contains("--vault"));
    let out = run_in(dir.path(), &["mv", "a.md", "b.md", "--vault", "."]);
    assert_eq!(code(&out), 0, "{}", String::from_utf8_lossy(&out.stderr));
    assert!(dir.path().join("b.md").exists());
}
