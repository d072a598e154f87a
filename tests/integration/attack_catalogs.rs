//! `--attack-catalog` given once per domain: each bundle replaces its own domain, the
//! built-in catalogue fills the rest, and the summary names each domain's release.

use crate::{code, stdout, vaultlint};

fn bundle(domain: &str, version: &str, technique: &str) -> String {
    format!(
        r#"{{"type": "bundle", "objects": [
  {{"type": "x-mitre-collection", "x_mitre_version": "{version}"}},
  {{"type": "x-mitre-matrix", "external_references": [{{"source_name": "mitre-attack", "external_id": "{domain}"}}]}},
  {{"type": "attack-pattern", "id": "attack-pattern--1", "name": "Future Technique", "x_mitre_domains": ["{domain}"],
   "external_references": [{{"source_name": "mitre-attack", "external_id": "{technique}"}}]}}
]}}"#
    )
}

#[test]
fn several_catalogues_merge_by_domain() {
    let dir = tempfile::tempdir().unwrap();
    let vault = dir.path().join("vault");
    let enterprise = vault.join("Enterprise attack").join("Techniques");
    let ics = vault.join("ICS attack").join("Techniques");
    std::fs::create_dir_all(&enterprise).unwrap();
    std::fs::create_dir_all(&ics).unwrap();
    std::fs::write(enterprise.join("Future Technique - T1999.md"), "# Future\n").unwrap();
    // An ICS ID of v18.1: still known, since only Enterprise was replaced.
    std::fs::write(
        ics.join("Activate Firmware Update Mode - T0800.md"),
        "# T0800\n",
    )
    .unwrap();
    let e = dir.path().join("enterprise-attack.json");
    std::fs::write(&e, bundle("enterprise-attack", "19.0", "T1999")).unwrap();
    let m = dir.path().join("mobile-attack.json");
    std::fs::write(&m, bundle("mobile-attack", "19.0", "T1998")).unwrap();
    let out = vaultlint(&[
        "check",
        "--no-config",
        "--format",
        "json",
        "--attack-catalog",
        e.to_str().unwrap(),
        "--attack-catalog",
        m.to_str().unwrap(),
        vault.to_str().unwrap(),
    ]);
    let json: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    let unknown: Vec<&serde_json::Value> = json["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["rule"] == "attack-unknown-id")
        .collect();
    assert!(unknown.is_empty(), "{unknown:?}");
    assert_eq!(code(&out), 0, "{}", stdout(&out));
    let releases = &json["summary"]["attack_releases"];
    assert_eq!(
        releases["enterprise-attack"],
        format!("ATT&CK v19.0 (from {})", e.display())
    );
    assert_eq!(
        releases["mobile-attack"],
        format!("ATT&CK v19.0 (from {})", m.display())
    );
    assert_eq!(releases["ics-attack"], "ATT&CK v18.1 (built in)");
    assert!(json["summary"]["attack_catalog"]
        .as_str()
        .unwrap()
        .ends_with("ics-attack, pre-attack: ATT&CK v18.1 (built in)"));
}
