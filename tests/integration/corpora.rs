//! Runs over the real vaults in `../shared/corpora/`, copied to a temp dir: no panic,
//! identical output with 1 and 2 threads, and the known findings per rule.

use std::collections::BTreeMap;
use std::path::PathBuf;

use crate::{code, copy_tree, stdout, vaultlint};

fn corpora() -> Option<PathBuf> {
    let dir = crate::repo().join("../shared/corpora");
    if dir.is_dir() {
        Some(dir)
    } else {
        eprintln!("skipping corpus runs: {} not found", dir.display());
        None
    }
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
            ("attack-id-mismatch/error", 2508),
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
    let Some(root) = corpora() else { return };
    for (vault, expected) in EXPECTED {
        let copy = copy_tree(&root.join(vault));
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
