//! The persistent cache: output byte-identical with and without it, on every shared corpus
//! and a generated vault, as notes are added, changed, renamed and deleted; a damaged,
//! truncated or foreign cache is never trusted; `--no-cache`, `--cache-dir` and
//! `VAULTLINT_CACHE_DIR` say where it goes.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, SystemTime};

use crate::{code, copy_tree, shared, stdout};

/// Runs vaultlint in `cwd` with the cache in its default place (the test run's
/// `VAULTLINT_CACHE_DIR` removed).
fn run(cwd: &Path, args: &[&str]) -> Output {
    Command::new(crate::bin())
        .args(args)
        .current_dir(cwd)
        .env_remove("VAULTLINT_CACHE_DIR")
        .env_remove("NO_COLOR")
        .env("COLUMNS", "100")
        .output()
        .expect("run vaultlint")
}

/// Sets every file's modification time an hour back, so that the cache may vouch for
/// unchanged notes by size and time (a note modified just before the cache was written is
/// always read again).
fn age(dir: &Path) {
    let old = SystemTime::now() - Duration::from_secs(3600);
    for entry in walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_map(Result::ok)
    {
        if entry.file_type().is_file() {
            let file = std::fs::File::options()
                .append(true)
                .open(entry.path())
                .expect("open to age");
            file.set_modified(old).expect("set mtime");
        }
    }
}

/// The Markdown notes under `dir` (not in dot-folders), sorted.
fn notes(dir: &Path) -> Vec<PathBuf> {
    let mut notes: Vec<PathBuf> = walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_entry(|e| e.depth() == 0 || !e.file_name().to_string_lossy().starts_with('.'))
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file() && e.path().extension().is_some_and(|x| x == "md"))
        .map(|e| e.into_path())
        .collect();
    notes.sort();
    notes
}

/// The same check with `--no-cache` and twice with the cache (cold or warm, then warm):
/// the three outputs and exit codes must be identical. Returns the output.
fn same_with_and_without(cwd: &Path, args: &[&str], what: &str) -> String {
    let mut no_cache = args.to_vec();
    no_cache.push("--no-cache");
    let expected = run(cwd, &no_cache);
    assert!(
        code(&expected) <= 1,
        "{what}: {}",
        String::from_utf8_lossy(&expected.stderr)
    );
    for pass in ["first", "second"] {
        let cached = run(cwd, args);
        assert_eq!(
            code(&cached),
            code(&expected),
            "{what}, {pass} cached run: exit code"
        );
        assert!(
            stdout(&cached) == stdout(&expected),
            "{what}, {pass} cached run: output differs from --no-cache"
        );
    }
    stdout(&expected)
}

/// Adds, changes (a heading and a broken link), renames and deletes notes between runs,
/// and edits one note's body only (its outline unchanged): after each, the cached run
/// gives what an uncached one gives.
fn edits_keep_output(dir: &Path, vault: &str, name: &str) {
    let args = ["check", vault, "--format", "json"];
    let root = dir.join(vault);
    age(dir);
    let before = same_with_and_without(dir, &args, &format!("{name}, unchanged"));
    assert!(
        root.join(".vaultlint_cache/notes.bin").is_file()
            || dir.join(".vaultlint_cache/notes.bin").is_file()
            || notes(&root).is_empty(),
        "{name}: no cache written"
    );
    let all = notes(&root);
    assert!(all.len() >= 4, "{name}: too few notes to edit");
    let (changed, renamed, deleted) = (&all[0], &all[all.len() / 2], &all[all.len() - 1]);
    let target = renamed.file_stem().unwrap().to_string_lossy().into_owned();
    let mut text = std::fs::read_to_string(changed).unwrap_or_default();
    text.push_str(&format!(
        "\n## Added heading\n\n[[{target}#No such heading]] [[nowhere at all]]\n"
    ));
    std::fs::write(changed, text).unwrap();
    std::fs::rename(
        renamed,
        renamed.with_file_name(format!("renamed {target}.md")),
    )
    .unwrap();
    std::fs::remove_file(deleted).unwrap();
    std::fs::write(
        root.join("added by the test.md"),
        format!("# New\n\n[[{target}]] ^block\n"),
    )
    .unwrap();
    let after = same_with_and_without(dir, &args, &format!("{name}, after edits"));
    assert_ne!(before, after, "{name}: the edits changed nothing");
    let mut text = std::fs::read_to_string(changed).unwrap();
    text.push_str("\nA line of plain text, no link, no heading.\n");
    std::fs::write(changed, text).unwrap();
    same_with_and_without(dir, &args, &format!("{name}, after a body-only edit"));
}

#[test]
fn cached_output_is_byte_identical_on_the_corpora() {
    let Some(shared) = shared("cached_output_is_byte_identical_on_the_corpora") else {
        return;
    };
    let corpora = shared.join("corpora");
    let mut ran = 0;
    for corpus in std::fs::read_dir(&corpora).expect("corpora folder") {
        let corpus = corpus.unwrap().path();
        if !corpus.is_dir() {
            continue;
        }
        let name = corpus.file_name().unwrap().to_string_lossy().into_owned();
        let dir = tempfile::tempdir().unwrap();
        crate::copy_into(&corpus, &dir.path().join(&name));
        edits_keep_output(dir.path(), &name, &name);
        ran += 1;
    }
    assert!(ran >= 4, "only {ran} corpora ran");
}

#[test]
fn cached_output_is_byte_identical_on_a_generated_vault() {
    let Some(shared) = shared("cached_output_is_byte_identical_on_a_generated_vault") else {
        return;
    };
    for style in ["garden", "attack"] {
        let dir = tempfile::tempdir().unwrap();
        let made = Command::new("python3")
            .arg(shared.join("bench/genvault.py"))
            .arg(dir.path())
            .args(["300", "1", style])
            .output()
            .expect("python3 runs the shared generator");
        assert!(
            made.status.success(),
            "{}",
            String::from_utf8_lossy(&made.stderr)
        );
        edits_keep_output(dir.path(), "vault", style);
    }
}

/// Copies the sample vault and runs it once with the cache: the vault's folder and the
/// cache file.
fn sample_with_cache() -> (tempfile::TempDir, PathBuf) {
    let dir = copy_tree(&crate::fixtures().join("sample-vault"));
    age(dir.path());
    run(dir.path(), &["check", ".", "--format", "json"]);
    let cache = dir.path().join(".vaultlint_cache/notes.bin");
    assert!(cache.is_file(), "the default cache was not written");
    (dir, cache)
}

/// A run that rewrites the cache copies the records of the notes it did not read, and the
/// findings it took from the cache, out of the old file: the new file must be, byte for
/// byte after its header (which holds the run's start time), the one a run from no cache
/// writes.
#[test]
fn copied_records_are_the_records_written_anew() {
    let (dir, cache) = sample_with_cache();
    let first = notes(dir.path())[0].clone();
    let mut text = std::fs::read_to_string(&first).expect("read a note");
    text.push_str("\nA line of plain text, no link, no heading.\n");
    std::fs::write(&first, text).expect("edit a note");
    let copied = run(dir.path(), &["check", ".", "--format", "json"]);
    let fresh = tempfile::tempdir().expect("temp dir");
    let fresh_dir = fresh.path().to_string_lossy().into_owned();
    let anew = run(
        dir.path(),
        &["check", ".", "--format", "json", "--cache-dir", &fresh_dir],
    );
    assert_eq!(stdout(&copied), stdout(&anew));
    let copied = std::fs::read(&cache).expect("the rewritten cache");
    let anew = std::fs::read(fresh.path().join("notes.bin")).expect("the fresh cache");
    assert_eq!(copied.len(), anew.len());
    assert!(copied[56..] == anew[56..], "the copied records differ");
}

#[test]
fn a_damaged_cache_is_never_trusted() {
    let (dir, cache) = sample_with_cache();
    let args = ["check", ".", "--format", "json"];
    let expected = stdout(&run(
        dir.path(),
        &["check", ".", "--format", "json", "--no-cache"],
    ));
    let good = std::fs::read(&cache).unwrap();
    let mut damages: Vec<(&str, Vec<u8>)> = vec![
        ("empty", Vec::new()),
        (
            "truncated to its header",
            good[..40.min(good.len())].to_vec(),
        ),
        ("truncated in half", good[..good.len() / 2].to_vec()),
        ("garbage", vec![0xA5; good.len()]),
    ];
    for at in [10, 60, good.len() / 3, good.len() * 2 / 3, good.len() - 3] {
        let mut flipped = good.clone();
        flipped[at] ^= 0x10;
        damages.push(("one byte flipped", flipped));
    }
    let mut other_format = good.clone();
    other_format[7] = b'9';
    damages.push(("another format", other_format));
    for (what, bytes) in damages {
        std::fs::write(&cache, &bytes).unwrap();
        let out = run(dir.path(), &args);
        assert!(
            code(&out) <= 1,
            "{what}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(
            stdout(&out) == expected,
            "{what}: output differs from --no-cache"
        );
        // The run rebuilt it: the next run reads a whole cache and agrees.
        assert!(
            stdout(&run(dir.path(), &args)) == expected,
            "{what}: rebuilt cache"
        );
    }
    // A note changed after the cache was written is read again.
    let note = notes(dir.path())[0].clone();
    let mut text = std::fs::read_to_string(&note).unwrap();
    text.push_str("\n[[gone]]\n");
    std::fs::write(&note, text).unwrap();
    let out = run(dir.path(), &args);
    let fresh = run(
        dir.path(),
        &["check", ".", "--format", "json", "--no-cache"],
    );
    assert!(
        stdout(&out) == stdout(&fresh),
        "a changed note was not read again"
    );
    assert!(stdout(&fresh) != expected, "the edit changed nothing");
}

#[test]
fn the_cache_goes_where_it_is_told() {
    let dir = copy_tree(&crate::fixtures().join("sample-vault"));
    let out = run(dir.path(), &["check", ".", "--no-cache"]);
    assert!(code(&out) <= 1);
    assert!(
        !dir.path().join(".vaultlint_cache").exists(),
        "--no-cache wrote a cache"
    );

    run(dir.path(), &["check", "."]);
    let default = dir.path().join(".vaultlint_cache");
    assert!(default.join("notes.bin").is_file());
    assert_eq!(
        std::fs::read_to_string(default.join(".gitignore")).unwrap(),
        "*\n"
    );
    std::fs::remove_dir_all(&default).unwrap();

    let elsewhere = tempfile::tempdir().unwrap();
    let flag = elsewhere.path().join("by-flag");
    run(
        dir.path(),
        &["check", ".", "--cache-dir", flag.to_str().unwrap()],
    );
    assert!(flag.join("notes.bin").is_file(), "--cache-dir was not used");

    let by_env = elsewhere.path().join("by-env");
    let out = Command::new(crate::bin())
        .args(["check", "."])
        .current_dir(dir.path())
        .env("VAULTLINT_CACHE_DIR", &by_env)
        .output()
        .unwrap();
    assert!(code(&out) <= 1);
    assert!(
        by_env.join("notes.bin").is_file(),
        "VAULTLINT_CACHE_DIR was not used"
    );
    assert!(
        !default.exists(),
        "a moved cache also went to the default place"
    );

    // A cache folder that cannot be made (a file in its place) is no error.
    let blocked = elsewhere.path().join("a-file");
    std::fs::write(&blocked, "not a folder").unwrap();
    let out = run(
        dir.path(),
        &[
            "check",
            ".",
            "--format",
            "json",
            "--cache-dir",
            blocked.to_str().unwrap(),
        ],
    );
    let plain = run(
        dir.path(),
        &["check", ".", "--format", "json", "--no-cache"],
    );
    assert_eq!(code(&out), code(&plain));
    assert!(stdout(&out) == stdout(&plain));
}

#[test]
fn fix_keeps_the_cache_true() {
    let dir = copy_tree(&crate::fixtures().join("sample-vault"));
    age(dir.path());
    let args = ["check", ".", "--format", "json"];
    run(dir.path(), &args);
    run(dir.path(), &["check", ".", "--diff"]);
    let fixed = run(dir.path(), &["check", ".", "--fix", "--unsafe-fixes"]);
    assert!(
        code(&fixed) <= 1,
        "{}",
        String::from_utf8_lossy(&fixed.stderr)
    );
    same_with_and_without(dir.path(), &args, "after --fix");
}
