//! `vaultlint attack coverage`: table, JSON and Navigator layer of which ATT&CK objects a
//! vault has notes for, and which notes stand for revoked or deprecated objects.

use crate::{code, fixtures, stdout, vaultlint};

fn second_generator() -> String {
    fixtures()
        .join("attack-layouts")
        .join("second-generator")
        .display()
        .to_string()
}

#[test]
fn coverage_table() {
    let out = vaultlint(&["attack", "coverage", "--no-config", &second_generator()]);
    assert_eq!(code(&out), 0);
    insta::assert_snapshot!("attack_coverage_table", stdout(&out));
}

#[test]
fn coverage_json_names_notes_and_missing_ids() {
    let out = vaultlint(&[
        "attack",
        "coverage",
        "--no-config",
        "--format",
        "json",
        &second_generator(),
    ]);
    let json: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    let techniques = &json["domains"]["enterprise-attack"]["technique"];
    assert_eq!(
        techniques["covered"]["T1036"],
        serde_json::json!([
            "Techniques/Enterprise attack/Defense Evasion/Masquerading/Masquerading - T1036.md"
        ])
    );
    assert_eq!(techniques["objects"], 216);
    assert_eq!(techniques["missing"].as_array().unwrap().len(), 215);
    assert_eq!(techniques["missing"][0], "T1001");
    // Process Creation has a note in the Enterprise and the ICS folder, one each.
    assert_eq!(
        json["domains"]["ics-attack"]["data-component"]["covered"]["DC0032"],
        serde_json::json!([
            "Defenses/Detections/Data Components/ICS attack/Process Creation - DC0032.md"
        ])
    );
    assert_eq!(json["retired"], serde_json::json!([]));
}

#[test]
fn coverage_navigator_layer_and_retired_notes() {
    let dir = tempfile::tempdir().unwrap();
    let techniques = dir.path().join("Enterprise-Attack").join("techniques");
    std::fs::create_dir_all(&techniques).unwrap();
    std::fs::write(
        techniques.join("Masquerading.md"),
        "---\naliases: [T1036]\n---\n",
    )
    .unwrap();
    std::fs::write(
        techniques.join("Dynamic Data Exchange.md"),
        "---\naliases: [T1173]\n---\n",
    )
    .unwrap();
    let vault = dir.path().display().to_string();
    let out = vaultlint(&[
        "attack",
        "coverage",
        "--no-config",
        "--format",
        "navigator",
        &vault,
    ]);
    let layer: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(layer["domain"], "enterprise-attack");
    assert_eq!(layer["versions"]["layer"], "4.5");
    assert_eq!(layer["versions"]["attack"], "18");
    let scored: Vec<&serde_json::Value> = layer["techniques"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|t| t["score"] == 1)
        .collect();
    assert_eq!(scored.len(), 1, "{scored:?}");
    assert_eq!(scored[0]["techniqueID"], "T1036");
    assert_eq!(
        scored[0]["comment"],
        "Enterprise-Attack/techniques/Masquerading.md"
    );
    assert_eq!(layer["techniques"].as_array().unwrap().len(), 216 + 475);
    let out = vaultlint(&[
        "attack",
        "coverage",
        "--no-config",
        "--format",
        "json",
        &vault,
    ]);
    let json: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(
        json["retired"],
        serde_json::json!([{
            "path": "Enterprise-Attack/techniques/Dynamic Data Exchange.md",
            "id": "T1173",
            "status": "revoked",
            "replacement": "T1559.002"
        }])
    );
}
