//! Every rule's fixture vault (`fixtures/rules/<rule>/`): `bad-*` notes must make the rule
//! fire, `good-*` notes must stay quiet, and the human output is snapshotted.

use vaultlint::{rules, CheckOptions};

use crate::{copy_tree, fixtures};

/// One test per rule, so that one rule's failure hides no other's; `every_rule_is_tested`
/// keeps this list complete.
macro_rules! rule_tests {
    ($($test:ident => $name:literal,)*) => {
        const TESTED: &[&str] = &[$($name),*];
        $(
            #[test]
            fn $test() {
                docs_examples_fire_and_stay_quiet($name);
                fixture_fires_on_bad_and_stays_quiet_on_good($name);
            }
        )*
    };
}

rule_tests! {
    ambiguous_link => "ambiguous-link",
    attack_catalog_outdated => "attack-catalog-outdated",
    attack_deprecated_id => "attack-deprecated-id",
    attack_duplicate_id => "attack-duplicate-id",
    attack_id_mismatch => "attack-id-mismatch",
    attack_invalid_layer => "attack-invalid-layer",
    attack_layer_outdated => "attack-layer-outdated",
    attack_layer_unknown_id => "attack-layer-unknown-id",
    attack_missing_relationship => "attack-missing-relationship",
    attack_name_mismatch => "attack-name-mismatch",
    attack_outdated_name => "attack-outdated-name",
    attack_revoked_id => "attack-revoked-id",
    attack_stale_relationship => "attack-stale-relationship",
    attack_tactic_mismatch => "attack-tactic-mismatch",
    attack_unknown_id => "attack-unknown-id",
    attack_wrong_kind => "attack-wrong-kind",
    broken_link => "broken-link",
    deprecated_property => "deprecated-property",
    invalid_canvas => "invalid-canvas",
    invalid_front_matter => "invalid-front-matter",
    invalid_utf8 => "invalid-utf8",
    missing_block => "missing-block",
    missing_heading => "missing-heading",
    partial_path_match => "partial-path-match",
    skipped_symlink => "skipped-symlink",
    unescaped_table_pipe => "unescaped-table-pipe",
    unquoted_property_link => "unquoted-property-link",
    unreadable_file => "unreadable-file",
    unused_suppression => "unused-suppression",
}

#[test]
fn every_rule_is_tested_and_has_a_fixture_vault() {
    let names: Vec<&str> = rules::all().iter().map(|r| r.name).collect();
    assert_eq!(names, TESTED, "rule_tests! must list every rule");
    for name in names {
        let dir = fixtures().join("rules").join(name);
        assert!(dir.is_dir(), "missing fixture vault {}", dir.display());
    }
}

/// A fenced block in a rule's docs: its info string and body.
fn blocks(docs: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut lines = docs.lines();
    while let Some(line) = lines.next() {
        if let Some(info) = line.strip_prefix("```") {
            if info.is_empty() {
                continue;
            }
            let mut body = String::new();
            for l in lines.by_ref() {
                if l == "```" {
                    break;
                }
                body.push_str(l);
                body.push('\n');
            }
            out.push((info.to_owned(), body));
        }
    }
    out
}

/// The rule's documented examples, each checked through `check_texts`, the same pipeline
/// `vaultlint check` runs: `md bad` blocks must fire, `md good` blocks must not.
fn docs_examples_fire_and_stay_quiet(name: &str) {
    let meta = rules::find(name).expect("registered rule");
    for heading in ["## Why this matters", "## Bad", "## Good"] {
        assert!(meta.docs.contains(heading), "{name} lacks {heading}");
    }
    let all = blocks(meta.docs);
    let context: Vec<(String, String)> = all
        .iter()
        .filter_map(|(info, body)| {
            info.strip_prefix("md file=")
                .map(|p| (p.to_owned(), body.clone()))
        })
        .collect();
    let examples: Vec<_> = all
        .iter()
        .filter(|(i, _)| i.starts_with("md bad") || i.starts_with("md good"))
        .collect();
    let file_level = matches!(name, "unreadable-file" | "skipped-symlink" | "invalid-utf8");
    assert!(
        file_level || examples.len() >= 2,
        "{name} needs a bad and a good example"
    );
    for (info, body) in examples {
        let path = info.split_once(" file=").map_or("Example.md", |(_, p)| p);
        let mut files = context.clone();
        files.push((path.to_owned(), body.clone()));
        let texts: Vec<(&str, &str)> = files
            .iter()
            .map(|(p, t)| (p.as_str(), t.as_str()))
            .collect();
        let found: Vec<_> = vaultlint::check_texts(&texts)
            .diagnostics
            .into_iter()
            .filter(|d| &*d.path == path && d.rule.name == name)
            .collect();
        if info.starts_with("md bad") {
            assert!(
                !found.is_empty(),
                "{name}: bad example stays quiet:\n{body}"
            );
        } else {
            assert!(found.is_empty(), "{name}: good example fires: {found:?}");
        }
    }
}

/// The rule's fixture vault: `bad-*` notes fire, `good-*` notes stay quiet, and the human
/// output matches its snapshot.
fn fixture_fires_on_bad_and_stays_quiet_on_good(name: &str) {
    let vault = copy_tree(&fixtures().join("rules").join(name));
    if name == "skipped-symlink" {
        make_symlinks(vault.path());
    }
    // All rules run, as for users (suppressions see every finding); this rule's are kept.
    let options = CheckOptions::new(vault.path().to_path_buf());
    let mut report = vaultlint::check(&options).unwrap();
    report.diagnostics.retain(|d| d.rule.name == name);
    report.recount();
    let notes: Vec<String> = walk_names(vault.path());
    for note in notes.iter().filter(|n| file_name(n).starts_with("bad-")) {
        assert!(
            report
                .diagnostics
                .iter()
                .any(|d| &*d.path == note && d.rule.name == name),
            "{name}: {note} should fire"
        );
    }
    for d in &report.diagnostics {
        assert!(
            !file_name(&d.path).starts_with("good-"),
            "{name}: fired on {}: {}",
            d.path,
            d.message
        );
    }
    assert!(
        !report.diagnostics.is_empty(),
        "{name}: fixture vault produced nothing"
    );
    let out = crate::human(vault.path(), &report);
    insta::assert_snapshot!(format!("rule_{name}"), String::from_utf8(out).unwrap());
}

fn file_name(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}

fn walk_names(root: &std::path::Path) -> Vec<String> {
    let mut out = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for e in std::fs::read_dir(&dir).unwrap() {
            let e = e.unwrap();
            let ft = e.file_type().unwrap();
            if ft.is_dir() {
                stack.push(e.path());
            } else if ft.is_file() {
                let rel = e
                    .path()
                    .strip_prefix(root)
                    .unwrap()
                    .to_string_lossy()
                    .replace('\\', "/");
                out.push(rel);
            }
        }
    }
    out.sort();
    out
}

#[cfg(unix)]
fn make_symlinks(root: &std::path::Path) {
    std::fs::create_dir_all(root.join("Archive")).unwrap();
    std::os::unix::fs::symlink(root.join("Archive"), root.join("Archive/bad-loop")).unwrap();
    std::os::unix::fs::symlink("/etc", root.join("bad-outside")).unwrap();
}

#[cfg(not(unix))]
fn make_symlinks(_root: &std::path::Path) {}
