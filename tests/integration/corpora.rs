//! Runs over the real vaults in `../shared/corpora/`, copied to a temp dir: no panic,
//! identical output with 1 and 2 threads, and the known findings per rule.

use std::collections::BTreeMap;
use std::path::PathBuf;

use crate::{code, copy_tree, stdout, vaultlint};

/// The corpus folder: `VAULTLINT_CORPORA`, else `../shared/corpora` beside the repository.
/// A missing folder fails the test: a corpus run that silently checks nothing would pass
/// while proving nothing.
fn corpora() -> PathBuf {
    let dir = std::env::var_os("VAULTLINT_CORPORA")
        .map_or_else(|| crate::repo().join("../shared/corpora"), PathBuf::from);
    assert!(
        dir.is_dir(),
        "corpus folder {} not found; set VAULTLINT_CORPORA to the folder holding the vaults",
        dir.display()
    );
    dir
}

/// Findings per rule and severity; each one judged by hand (see README, "Corpus results").
const EXPECTED: &[(&str, &[(&str, usize)])] = &[
    (
        "obsidian-help/en",
        &[("ambiguous-link/info", 5), ("broken-link/error", 15)],
    ),
    ("obsidian-tasks/docs", &[("broken-link/error", 129)]),
    ("obsidian-tasks/contributing", &[("broken-link/error", 8)]),
    (
        "obsidian-tasks/resources/sample_vaults/Tasks-Demo",
        &[
            ("broken-link/error", 10),
            ("deprecated-property/warning", 4),
        ],
    ),
    (
        "attack-vault",
        &[
            ("attack-deprecated-id/warning", 27),
            ("attack-id-mismatch/error", 957),
            ("attack-missing-relationship/warning", 453),
            ("attack-name-mismatch/info", 18),
            ("attack-outdated-name/warning", 21),
            ("attack-revoked-id/error", 1140),
            ("attack-stale-relationship/warning", 660),
            ("attack-wrong-kind/error", 228),
            ("broken-link/error", 3),
            ("deprecated-property/warning", 2580),
        ],
    ),
];

#[test]
fn corpora_are_checked_deterministically_with_known_counts() {
    let root = corpora();
    for (vault, expected) in EXPECTED {
        let source = root.join(vault);
        assert!(
            source.is_dir(),
            "corpus vault {} not found",
            source.display()
        );
        let copy = copy_tree(&source);
        let path = copy.path().to_str().unwrap();
        let one = vaultlint(&["check", path, "--format", "json", "--threads", "1"]);
        let two = vaultlint(&["check", path, "--format", "json", "--threads", "2"]);
        assert!(matches!(code(&one), 0 | 1), "{vault}: exit {}", code(&one));
        assert_eq!(
            stdout(&one),
            stdout(&two),
            "{vault}: output differs with 1 and 2 threads"
        );
        let value = crate::json(&one);
        let mut counts: BTreeMap<String, usize> = BTreeMap::new();
        for d in value["diagnostics"].as_array().unwrap() {
            let key = format!(
                "{}/{}",
                d["rule"].as_str().unwrap(),
                d["severity"].as_str().unwrap()
            );
            *counts.entry(key).or_default() += 1;
        }
        let want: BTreeMap<String, usize> = expected
            .iter()
            .map(|(k, v)| ((*k).to_owned(), *v))
            .collect();
        assert_eq!(counts, want, "{vault}");
        let human = vaultlint(&["check", path]);
        assert_eq!(code(&human), code(&one));
    }
}
