//! Every rule's fixture vault (`fixtures/rules/<rule>/`): `bad-*` notes must make the rule
//! fire, `good-*` notes must stay quiet, and the human output is snapshotted.

use vaultlint::render::{self, Format, Style};
use vaultlint::{rules, CheckOptions};

use crate::{copy_tree, fixtures};

#[test]
fn every_rule_has_a_fixture_vault() {
    for rule in rules::ALL {
        let dir = fixtures().join("rules").join(rule.meta().name);
        assert!(dir.is_dir(), "missing fixture vault {}", dir.display());
    }
}

#[test]
fn rule_fixtures_fire_on_bad_and_stay_quiet_on_good() {
    for rule in rules::ALL {
        let name = rule.meta().name;
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
        let sources = vaultlint::load_sources(vault.path(), &report.diagnostics);
        let mut out = Vec::new();
        render::render(
            Format::Human,
            &report,
            &sources,
            Style {
                color: false,
                width: 100,
            },
            &mut out,
        )
        .unwrap();
        insta::assert_snapshot!(format!("rule_{name}"), String::from_utf8(out).unwrap());
    }
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
