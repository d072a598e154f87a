//! Exit codes and subcommands (the docs' commands run in `docs.rs`).

use crate::{code, fixtures, stdout, vaultlint};

#[test]
fn exit_0_on_a_clean_vault() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("A.md"), "[[B]] and [[B#Part]]\n").unwrap();
    std::fs::write(dir.path().join("B.md"), "# Part\n").unwrap();
    let out = vaultlint(&["check", dir.path().to_str().unwrap()]);
    assert_eq!(code(&out), 0, "{}", stdout(&out));
    assert!(stdout(&out).contains("no findings"));
}

#[test]
fn exit_1_on_error_findings_and_0_on_warnings_only() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("A.md"), "[[Missing]]\n").unwrap();
    assert_eq!(
        code(&vaultlint(&["check", dir.path().to_str().unwrap()])),
        1
    );
    std::fs::write(dir.path().join("A.md"), "---\nup: [[A]]\n---\n").unwrap();
    let out = vaultlint(&["check", dir.path().to_str().unwrap(), "--format", "concise"]);
    assert_eq!(code(&out), 0, "{}", stdout(&out));
    assert!(stdout(&out).contains("unquoted-property-link"));
}

#[test]
fn exit_2_on_usage_and_io_errors() {
    let out = vaultlint(&["check", "/definitely/not/a/vault"]);
    assert_eq!(code(&out), 2);
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot check vault"));
    assert_eq!(code(&vaultlint(&["check", "--format", "xml", "."])), 2);
    assert_eq!(code(&vaultlint(&["rule", "no-such-rule"])), 2);
    assert_eq!(code(&vaultlint(&["frobnicate"])), 2);
}

#[test]
fn rules_lists_every_rule_and_rule_prints_docs() {
    let out = vaultlint(&["rules"]);
    assert_eq!(code(&out), 0);
    for rule in vaultlint::rules::all() {
        assert!(stdout(&out).contains(rule.name));
    }
    let out = vaultlint(&["rule", "broken-link"]);
    assert_eq!(code(&out), 0);
    assert!(stdout(&out).contains("## Why this matters"));
}

#[test]
fn only_reports_for_the_given_notes_but_resolves_against_all() {
    let vault = fixtures().join("sample-vault");
    let out = vaultlint(&[
        "check",
        vault.to_str().unwrap(),
        "--format",
        "json",
        "--only",
        "Playground/Broken links.md",
    ]);
    let value = crate::json(&out);
    let diags = value["diagnostics"].as_array().unwrap();
    assert!(!diags.is_empty());
    assert!(diags
        .iter()
        .all(|d| d["path"] == "Playground/Broken links.md"));
}
