//! The ATT&CK pack on the second generator's layout (reuteras/obsidian-mitre-attack):
//! `Name - ID.md` notes, IDs in `url`, `id`, callouts and file names, kind folders at any
//! depth, `Enterprise attack` domain folders, names that look like IDs, DET and AN IDs,
//! and notes whose names differ only in case. Only the vault's real defects may be reported.

use vaultlint::CheckOptions;

use crate::{copy_tree, fixtures};

#[test]
fn second_generator_layout_reports_only_real_defects() {
    let vault = copy_tree(&fixtures().join("attack-layouts").join("second-generator"));
    let mut report = vaultlint::check(&CheckOptions::new(vault.path().to_path_buf())).unwrap();
    // The relationship rules have their own fixtures; this vault's tables are made up.
    report
        .diagnostics
        .retain(|d| d.rule.name.starts_with("attack-") && !d.rule.name.ends_with("-relationship"));
    report.recount();
    let found: Vec<(&str, &str, String)> = report
        .diagnostics
        .iter()
        .map(|d| (d.rule.name, &*d.path, d.subject.clone().unwrap_or_default()))
        .collect();
    assert_eq!(
        found,
        [
            (
                "attack-wrong-kind",
                "Techniques/Enterprise attack/Defense Evasion/Masquerading/Masquerading - T1036.md",
                "[[Machete \\| S0409]]".to_owned()
            ),
            (
                "attack-id-mismatch",
                "Ties.md",
                "[[Evilnum|S0001]]".to_owned()
            ),
        ]
    );
    assert!(
        report.diagnostics[1]
            .message
            .contains("which one opens depends on the file system"),
        "a tie names both notes: {}",
        report.diagnostics[0].message
    );
    let out = crate::human(vault.path(), &report);
    insta::assert_snapshot!(
        "attack_layout_second_generator",
        String::from_utf8(out).unwrap()
    );
}
