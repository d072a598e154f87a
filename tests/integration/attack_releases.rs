//! Which ATT&CK release a vault is from, against its catalogue's, on whole releases
//! (`../shared/attack/releases/`: MITRE's v14.1 and v18.1 bundles) and whole vaults
//! (`../shared/corpora/`: attack-reuteras made from v18.1, attack-vault from v14.1).

use std::collections::BTreeMap;
use std::io::Read;
use std::path::Path;

use crate::{code, copy_tree, vaultlint};

/// The JSON text of a release's bundle (`enterprise-attack-14.1.json.xz` in the shared
/// data's `attack/releases/`), decompressed.
pub fn bundle_text(shared: &Path, domain: &str, release: &str) -> Vec<u8> {
    let path = shared
        .join("attack/releases")
        .join(format!("{domain}-{release}.json.xz"));
    let mut compressed = Vec::new();
    std::fs::File::open(&path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .read_to_end(&mut compressed)
        .unwrap();
    let mut out = Vec::new();
    lzma_rs::xz_decompress(&mut compressed.as_slice(), &mut out).unwrap();
    out
}

/// Writes the three domains' bundles of `release` into `dir`; their paths.
fn bundles(shared: &Path, dir: &Path, release: &str) -> Vec<String> {
    ["enterprise-attack", "mobile-attack", "ics-attack"]
        .iter()
        .map(|domain| {
            let path = dir.join(format!("{domain}-{release}.json"));
            std::fs::write(&path, bundle_text(shared, domain, release)).unwrap();
            path.to_str().unwrap().to_owned()
        })
        .collect()
}

fn counts(report: &serde_json::Value) -> BTreeMap<String, usize> {
    let mut out = BTreeMap::new();
    for d in report["diagnostics"].as_array().unwrap() {
        *out.entry(d["rule"].as_str().unwrap().to_owned())
            .or_default() += 1;
    }
    out
}

/// attack-reuteras, made from v18.1, checked against the v14.1 bundles: the vault is newer
/// than its catalogue. One `attack-catalog-outdated` finding names the catalogue and the IDs it
/// lacks; no note is told that an ID it declares is unknown, that its name is outdated, or
/// that a relationship is missing or stale. The labels that no note declares are still
/// reported as unknown.
#[test]
fn a_v18_1_vault_against_the_v14_1_catalogue_is_newer() {
    let Some(shared) = crate::shared("a_v18_1_vault_against_the_v14_1_catalogue_is_newer") else {
        return;
    };
    let source = shared.join("corpora/attack-reuteras/vault");
    let copy = copy_tree(&source);
    let dir = tempfile::tempdir().unwrap();
    let mut args = vec![
        "check".to_owned(),
        copy.path().to_str().unwrap().to_owned(),
        "--no-config".to_owned(),
        "--format".to_owned(),
        "json".to_owned(),
    ];
    for b in bundles(&shared, dir.path(), "14.1") {
        args.push("--attack-catalog".to_owned());
        args.push(b);
    }
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let run = vaultlint(&args);
    assert_eq!(code(&run), 1);
    let report = crate::json(&run);
    let release = &report["summary"]["attack_vault_release"];
    assert_eq!(release["relation"], "newer", "{release}");
    assert_eq!(release["catalog_release"], "v14.1");
    let counts = counts(&report);
    assert_eq!(
        counts.get("attack-catalog-outdated"),
        Some(&1),
        "{counts:?}"
    );
    for quiet in [
        "attack-outdated-name",
        "attack-missing-relationship",
        "attack-stale-relationship",
    ] {
        assert_eq!(counts.get(quiet), None, "{quiet}: {counts:?}");
    }
    let outdated = report["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["rule"] == "attack-catalog-outdated")
        .unwrap();
    let message = outdated["message"].as_str().unwrap();
    assert!(message.contains("ATT&CK v14.1"), "{message}");
    assert!(message.contains("e.g. `"), "{message}");
    // Every unknown ID still reported is one no note declares.
    for d in report["diagnostics"].as_array().unwrap() {
        if d["rule"] == "attack-unknown-id" {
            assert!(
                d["message"].as_str().unwrap().contains("links to")
                    || d["message"].as_str().unwrap().contains("is not an ATT&CK"),
                "{d}"
            );
        }
    }
}

/// attack-vault, made from v14.1, checked against the built-in v18.1: the vault is older.
/// Drift stays reported (the pinned counts in `corpora.rs`), and the summary says the vault
/// looks made from an older release.
#[test]
fn the_v14_1_corpus_against_v18_1_is_older() {
    let Some(shared) = crate::shared("the_v14_1_corpus_against_v18_1_is_older") else {
        return;
    };
    let source = shared.join("corpora/attack-vault");
    let copy = copy_tree(&source);
    let run = vaultlint(&[
        "check",
        copy.path().to_str().unwrap(),
        "--no-config",
        "--format",
        "json",
    ]);
    let report = crate::json(&run);
    let release = &report["summary"]["attack_vault_release"];
    assert_eq!(release["relation"], "older", "{release}");
    assert_eq!(release["unknown_declared_ids"], 0, "{release}");
    assert!(
        release["retired_declared_ids"].as_u64().unwrap() > 0,
        "{release}"
    );
    assert!(counts(&report).contains_key("attack-revoked-id"));
    let human = vaultlint(&["check", copy.path().to_str().unwrap(), "--no-config"]);
    let text = String::from_utf8_lossy(&human.stdout)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    assert!(
        text.contains("looks made from an ATT&CK release older"),
        "{}",
        &text[text.len().saturating_sub(2000)..]
    );
}

/// `fixtures/rules/attack-catalog-outdated/`, a vault made from v19 (T1685, TA0112, Stealth
/// as TA0005's name, a v19 relationship table), against the built-in v18.1: every ATT&CK
/// finding of the run, snapshotted. One `attack-catalog-outdated`; the label no note declares
/// (`T1695`) is still reported, as the ID its note declares; and the vault's Navigator layer
/// of v19 gets its own `attack-catalog-outdated` (at its `versions.attack`) instead of an
/// unknown technique; nothing else.
#[test]
fn a_v19_vault_against_the_built_in_catalogue_gets_one_finding() {
    let vault = crate::copy_tree(&crate::fixtures().join("rules/attack-catalog-outdated"));
    let mut report =
        vaultlint::check(&vaultlint::CheckOptions::new(vault.path().to_path_buf())).unwrap();
    report
        .diagnostics
        .retain(|d| d.rule.name.starts_with("attack-"));
    report.recount();
    let rules: Vec<&str> = report.diagnostics.iter().map(|d| d.rule.name).collect();
    assert_eq!(
        rules,
        [
            "attack-catalog-outdated",
            "attack-id-mismatch",
            "attack-catalog-outdated"
        ]
    );
    let out = crate::human(vault.path(), &report);
    insta::assert_snapshot!(
        "attack_release_newer_than_catalogue",
        String::from_utf8(out).unwrap()
    );
}
