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

/// Checks a fixture vault of `fixtures/attack-layouts/` with the default settings: the
/// ATT&CK findings (rule, note, subject), the JSON summary's `attack_layouts`, and the human
/// output's snapshot.
fn check_layout(name: &str) -> (Vec<(String, String, String)>, serde_json::Value) {
    let vault = copy_tree(&fixtures().join("attack-layouts").join(name));
    let mut report = vaultlint::check(&CheckOptions::new(vault.path().to_path_buf())).unwrap();
    report
        .diagnostics
        .retain(|d| d.rule.name.starts_with("attack-"));
    report.recount();
    let found = report
        .diagnostics
        .iter()
        .map(|d| {
            (
                d.rule.name.to_owned(),
                d.path.to_string(),
                d.subject.clone().unwrap_or_default(),
            )
        })
        .collect();
    let layouts = report
        .summary
        .packs
        .fields
        .iter()
        .find(|(k, _)| *k == "attack_layouts")
        .map(|(_, v)| v.clone())
        .unwrap_or_default();
    let out = crate::human(vault.path(), &report);
    insta::assert_snapshot!(
        format!("attack_layout_{name}"),
        String::from_utf8(out).unwrap()
    );
    (found, layouts)
}

fn owned(found: &[(&str, &str, &str)]) -> Vec<(String, String, String)> {
    found
        .iter()
        .map(|(a, b, c)| ((*a).to_owned(), (*b).to_owned(), (*c).to_owned()))
        .collect()
}

/// The layout of one folder in `attack_layouts`.
fn layout_of<'a>(layouts: &'a serde_json::Value, folder: &str) -> &'a serde_json::Value {
    layouts
        .as_array()
        .and_then(|a| a.iter().find(|l| l["folder"] == folder))
        .unwrap_or_else(|| panic!("no layout for {folder}: {layouts:#}"))
}

/// `kb/mitre/attack/techniques/T1078-Valid_Accounts.md`: ID-first names, `_` for spaces, kind
/// folders deep under other folders, IDs in `aliases`. The note's name is `Valid Accounts`;
/// the only finding is the real one (ATT&CK calls T1552.003 `Shell History`).
#[test]
fn id_first_names_with_underscores() {
    let (found, layouts) = check_layout("id-first-underscores");
    assert_eq!(
        found,
        owned(&[(
            "attack-outdated-name",
            "kb/mitre/attack/techniques/T1552.003-Bash_History.md",
            "T1552.003"
        )])
    );
    let t = layout_of(&layouts, "kb/mitre/attack/techniques");
    assert_eq!(t["kind"], "technique");
    assert_eq!(t["file_names"], "ID-Name");
    assert_eq!(t["underscores_for_spaces"], true);
}

/// `T1059 - Command and Scripting Interpreter.md` (FancyP4nda): ID-first names with ` - `;
/// a sub-technique named with its parent's name (`…； PowerShell`) is `PowerShell`; a group
/// whose ID only its file name carries. The only findings are the real mislabelled row (APT29
/// does not use T1036 in v18.1). Relationship tables are judged within the vault's scope:
/// T1059 has 12 more sub-techniques, none with a note here, so none is missing.
#[test]
fn id_dash_name_and_parent_qualified_names() {
    let (found, layouts) = check_layout("id-dash-name");
    assert_eq!(
        found,
        owned(&[
            (
                "attack-id-mismatch",
                "Groups/G0016 - APT29.md",
                "[[T1059 - Command and Scripting Interpreter\\|T1036]]"
            ),
            (
                "attack-stale-relationship",
                "Groups/G0016 - APT29.md",
                "[[T1059 - Command and Scripting Interpreter\\|T1036]]"
            ),
        ])
    );
    assert_eq!(layout_of(&layouts, "Groups")["file_names"], "ID - Name");
    assert_eq!(
        layout_of(&layouts, "Techniques")["underscores_for_spaces"],
        false
    );
}

/// `Name.md` with the ID under the vault's own keys: `mitre_id`, a nested `mitre: {id: …}`, a
/// list `group_ids`, an attack.mitre.org address under `source`, a callout. Keys whose values
/// repeat across notes (`tactic_id`, `technique_ids`: what a note refers to, not what it is)
/// declare nothing. The findings are the real ones: two mistyped labels, and two tables that
/// lack a relationship whose object has a note (APT28 uses PowerShell; User Account
/// Management mitigates Valid Accounts); the objects without a note are not listed.
#[test]
fn ids_under_the_vaults_own_keys() {
    let (found, layouts) = check_layout("property-keys");
    assert_eq!(
        found,
        owned(&[
            (
                "attack-missing-relationship",
                "ATTACK/groups/APT28.md",
                "T1059.001",
            ),
            (
                "attack-missing-relationship",
                "ATTACK/techniques/Valid Accounts.md",
                "M1018",
            ),
            (
                "attack-id-mismatch",
                "Notes/Hunting.md",
                "[[PowerShell|T1059.010]]"
            ),
            ("attack-id-mismatch", "Notes/Hunting.md", "[[APT29|G9016]]"),
        ])
    );
    assert_eq!(
        layout_of(&layouts, "ATTACK/techniques")["id_keys"],
        serde_json::json!(["mitre_id"])
    );
    assert_eq!(
        layout_of(&layouts, "ATTACK/mitigations")["id_keys"],
        serde_json::json!(["mitre.id"])
    );
    assert_eq!(
        layout_of(&layouts, "ATTACK/groups")["id_keys"],
        serde_json::json!(["group_ids"])
    );
    assert_eq!(
        layout_of(&layouts, "ATTACK/software")["id_keys"],
        serde_json::json!(["source"])
    );
}

/// `Tactics/TA0002 - Execution/TA0002 - Execution.md` (LIKEROFJAZZ): folders that carry a
/// tactic's ID hold the tactic's note and the techniques filed under it (not tactic notes);
/// the generator's own ID families (`TL0004`, `PR0004`) and a `related_tactic` key are not
/// ATT&CK declarations. Nothing to report.
#[test]
fn tactic_folders_carrying_ids() {
    let (found, layouts) = check_layout("tactic-folders");
    assert_eq!(found, owned(&[]));
    assert_eq!(layout_of(&layouts, "Tactics")["file_names"], "ID - Name");
    assert!(
        !layouts.to_string().contains("\"tools\""),
        "`TL0004 - Mimikatz.md` carries no ATT&CK ID: {layouts:#}"
    );
}
