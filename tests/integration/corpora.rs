//! Runs over the real vaults in `../shared/corpora/`, copied to a temp dir: no panic,
//! identical output with 1 and 2 threads, and the known findings per rule.

use std::collections::BTreeMap;
use std::path::PathBuf;

use crate::{code, copy_tree, stdout, vaultlint};

/// The corpus folder, `corpora/` in the shared data, when the run asks for it
/// (`VAULTLINT_SHARED`, see [`crate::shared`]); a missing folder then fails the test.
fn corpora(test: &str) -> Option<PathBuf> {
    let dir = crate::shared(test)?.join("corpora");
    assert!(dir.is_dir(), "corpus folder {} not found", dir.display());
    Some(dir)
}

/// Findings per rule and severity; each one judged by hand (see docs/robustness.md, "Corpus results").
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
            ("attack-missing-relationship/warning", 233),
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

/// Findings per rule and severity in a `--format json` report.
fn counts(report: &serde_json::Value) -> BTreeMap<String, usize> {
    let mut counts: BTreeMap<String, usize> = BTreeMap::new();
    for d in report["diagnostics"].as_array().unwrap() {
        let key = format!(
            "{}/{}",
            d["rule"].as_str().unwrap(),
            d["severity"].as_str().unwrap()
        );
        *counts.entry(key).or_default() += 1;
    }
    counts
}

fn expected(pairs: &[(&str, usize)]) -> BTreeMap<String, usize> {
    pairs.iter().map(|(k, v)| ((*k).to_owned(), *v)).collect()
}

#[test]
fn corpora_are_checked_deterministically_with_known_counts() {
    let Some(root) = corpora("corpora_are_checked_deterministically_with_known_counts") else {
        return;
    };
    for (vault, want) in EXPECTED {
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
        assert_eq!(counts(&crate::json(&one)), expected(want), "{vault}");
        let human = vaultlint(&["check", path]);
        assert_eq!(code(&human), code(&one));
    }
}

/// A vault made by reuteras/obsidian-mitre-attack from ATT&CK v18.1, the built-in
/// catalogue's release (see its README): the ATT&CK rules report only the generator's own
/// defects. Each count was judged by hand (docs/robustness.md, "Corpus results"): notes of another kind
/// with the same file name (`CTI/Groups/Machete.md` and `CTI/Software/Machete.md`), which
/// make `[[Machete \| S0409]]` open the group (`attack-wrong-kind`, `ambiguous-link`), and
/// links to ICS asset notes as `Name - A0017` where the asset files are named `Name.md`
/// (`broken-link`). One run (5,295 notes, about a minute in a debug build): thread
/// determinism is checked on the other corpora, through the same code.
#[test]
fn attack_reuteras_reports_only_the_generators_defects() {
    let Some(root) = corpora("attack_reuteras_reports_only_the_generators_defects") else {
        return;
    };
    let source = root.join("attack-reuteras/vault");
    assert!(
        source.is_dir(),
        "corpus vault {} not found",
        source.display()
    );
    let copy = copy_tree(&source);
    let run = vaultlint(&["check", copy.path().to_str().unwrap(), "--format", "json"]);
    assert_eq!(code(&run), 1);
    let report = crate::json(&run);
    // Every ID-labelled link was read as one: none is left unchecked.
    assert_eq!(report["summary"]["attack_links"], 57_100);
    assert_eq!(
        counts(&report),
        expected(&[
            ("ambiguous-link/info", 369),
            ("ambiguous-link/warning", 858),
            ("attack-wrong-kind/error", 188),
            ("broken-link/error", 1372),
        ])
    );
}
