//! `vaultlint attack coverage`: which catalogue objects have a note, which do not, and which
//! notes stand for revoked or deprecated objects, per domain and kind.
//!
//! A note covers an object when it declares the object's ID ([`super::model`]) and sits in
//! that domain's folder, or in no domain folder at all (a note outside the domain folders
//! covers the ID in every domain that has it). Only live (not revoked, not deprecated)
//! objects count towards coverage. The Navigator layer follows the ATT&CK Navigator's layer
//! format 4.5: techniques with a note get score 1 and the note's path as comment, the
//! others are listed with score 0.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::index::Vault;

use super::{AttackConfig, AttackIndex, Catalogue, IdKind};

/// Coverage of one kind in one domain.
#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
pub(crate) struct KindCoverage {
    /// Live objects of this kind in the domain.
    pub objects: usize,
    /// IDs with a note, each with the notes (vault paths) that declare it.
    pub covered: BTreeMap<String, Vec<String>>,
    /// IDs without a note.
    pub missing: Vec<String>,
}

/// A note that stands for a revoked or deprecated object.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub(crate) struct RetiredNote {
    /// The note's vault path.
    pub path: String,
    /// The ID it declares.
    pub id: String,
    /// `revoked` or `deprecated`.
    pub status: &'static str,
    /// For a revoked object, the end of its revoked-by chain.
    pub replacement: Option<String>,
}

/// A vault's coverage of the catalogue.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub(crate) struct Coverage {
    /// Each domain's release, as one line ([`Catalogue::describe`]).
    pub release: String,
    /// The release each domain was compared with.
    pub releases: BTreeMap<String, String>,
    /// Domain → catalogue type (`technique`, `sub-technique`, `mitigation`, …) → coverage.
    pub domains: BTreeMap<String, BTreeMap<String, KindCoverage>>,
    /// Notes for revoked or deprecated objects, by path.
    pub retired: Vec<RetiredNote>,
}

/// Computes the coverage of `catalogue` by the notes of `vault`.
pub(crate) fn coverage(
    vault: &Vault,
    config: &std::sync::Arc<AttackConfig>,
    catalogue: &std::sync::Arc<Catalogue>,
) -> Coverage {
    let index = AttackIndex::build(vault, config, catalogue, None);
    let mut domains: BTreeMap<String, BTreeMap<String, KindCoverage>> = BTreeMap::new();
    for e in catalogue.entries() {
        if e.revoked || e.deprecated || e.kind == "matrix" {
            continue;
        }
        let notes: Vec<String> = index
            .by_id
            .get(&e.id)
            .into_iter()
            .flatten()
            .filter(|&&f| {
                let path = vault.path(f);
                let kind_fits = config
                    .kind_of(&e.id)
                    .is_some_and(|k: IdKind| k.fits_type(&e.kind));
                kind_fits && config.domain_of(path).is_none_or(|(_, d)| d == e.domain)
            })
            .map(|&f| vault.path(f).to_string())
            .collect();
        let k = domains
            .entry(e.domain.clone())
            .or_default()
            .entry(e.kind.clone())
            .or_default();
        k.objects += 1;
        if notes.is_empty() {
            k.missing.push(e.id.clone());
        } else {
            k.covered.insert(e.id.clone(), notes);
        }
    }
    for kinds in domains.values_mut() {
        for k in kinds.values_mut() {
            k.missing.sort_by_key(|a| id_order(a));
        }
    }
    let mut retired = Vec::new();
    for (file, declared) in index.declared.iter().enumerate() {
        let Some(primary) = declared.first() else {
            continue;
        };
        let path = vault.path(file);
        let domain = config.domain_of(path).map(|(_, d)| d);
        let Some(e) = catalogue.lookup(&primary.id, primary.kind, domain) else {
            continue;
        };
        if e.revoked || e.deprecated {
            retired.push(RetiredNote {
                path: path.to_string(),
                id: primary.id.clone(),
                status: if e.revoked { "revoked" } else { "deprecated" },
                replacement: e.replacement.clone().filter(|_| e.revoked),
            });
        }
    }
    retired.sort_by(|a, b| a.path.cmp(&b.path));
    Coverage {
        release: catalogue.describe(),
        releases: catalogue.releases.clone(),
        domains,
        retired,
    }
}

/// IDs in ATT&CK's order: prefix, then numbers (`T1036` < `T1036.001` < `T1037`).
fn id_order(id: &str) -> (String, Vec<u32>) {
    let split = id.find(|c: char| c.is_ascii_digit()).unwrap_or(id.len());
    let numbers = id[split..]
        .split('.')
        .map(|n| n.parse().unwrap_or(0))
        .collect();
    (id[..split].to_owned(), numbers)
}

impl Coverage {
    /// A plain-text table: per domain and kind, objects, with a note, without, and the share;
    /// then the notes for revoked or deprecated objects.
    pub(crate) fn table(&self) -> String {
        use std::fmt::Write;
        let mut out = String::new();
        let _ = writeln!(
            out,
            "{:<18} {:<20} {:>7} {:>9} {:>9} {:>6}",
            "domain", "kind", "objects", "with note", "no note", "share"
        );
        for (domain, kinds) in &self.domains {
            for (kind, k) in kinds {
                let share = if k.objects == 0 {
                    0.0
                } else {
                    100.0 * k.covered.len() as f64 / k.objects as f64
                };
                let _ = writeln!(
                    out,
                    "{domain:<18} {kind:<20} {:>7} {:>9} {:>9} {share:>5.1}%",
                    k.objects,
                    k.covered.len(),
                    k.missing.len()
                );
            }
        }
        let _ = writeln!(out, "checked against {}", self.release);
        if !self.retired.is_empty() {
            let _ = writeln!(out, "\nNotes for revoked or deprecated objects:");
            for r in &self.retired {
                let _ = match &r.replacement {
                    Some(new) => writeln!(out, "  {}  {} {} (now {new})", r.path, r.id, r.status),
                    None => writeln!(out, "  {}  {} {}", r.path, r.id, r.status),
                };
            }
        }
        out
    }

    /// Checks that `domain` is one of the catalogue's domains (STIX `x_mitre_domains`:
    /// `enterprise-attack`, `mobile-attack`, `ics-attack`), so that a typo never yields an
    /// empty Navigator layer.
    ///
    /// # Errors
    /// The message names the domains the catalogue holds, and the one meant when `domain`
    /// is the start of exactly one of them (`enterprise` for `enterprise-attack`).
    pub(crate) fn check_domain(&self, domain: &str) -> Result<(), String> {
        if self.domains.contains_key(domain) {
            return Ok(());
        }
        let known: Vec<&str> = self.domains.keys().map(String::as_str).collect();
        let meant: Vec<&&str> = known
            .iter()
            .filter(|k| !domain.is_empty() && k.starts_with(&domain.to_ascii_lowercase()))
            .collect();
        let hint = match meant.as_slice() {
            [one] => format!(" (did you mean `{one}`?)"),
            _ => String::new(),
        };
        Err(format!(
            "`{domain}` is not a domain of the catalogue{hint}; its domains are {}",
            known
                .iter()
                .map(|k| format!("`{k}`"))
                .collect::<Vec<_>>()
                .join(", ")
        ))
    }

    /// An ATT&CK Navigator layer (format 4.5) of one domain's techniques and sub-techniques:
    /// score 1 with a note (the comment names the notes), 0 without.
    pub(crate) fn navigator_layer(&self, domain: &str) -> serde_json::Value {
        let kinds = self.domains.get(domain);
        let mut techniques = Vec::new();
        for kind in ["technique", "sub-technique"] {
            let Some(k) = kinds.and_then(|ks| ks.get(kind)) else {
                continue;
            };
            for (id, notes) in &k.covered {
                techniques.push(serde_json::json!({
                    "techniqueID": id,
                    "score": 1,
                    "comment": notes.join(", "),
                }));
            }
            for id in &k.missing {
                techniques.push(serde_json::json!({"techniqueID": id, "score": 0}));
            }
        }
        let release = self.releases.get(domain).cloned().unwrap_or_default();
        let attack_version = release
            .strip_prefix("ATT&CK v")
            .and_then(|v| v.split(['.', ' ']).next())
            .unwrap_or("18")
            .to_owned();
        serde_json::json!({
            "name": "vaultlint coverage",
            "versions": {"attack": attack_version, "navigator": "5.1.0", "layer": "4.5"},
            "domain": domain,
            "description": format!("Techniques with a note in the vault (score 1), checked against {release}"),
            "techniques": techniques,
            "gradient": {"colors": ["#ffffff", "#66b1ff"], "minValue": 0, "maxValue": 1},
            "legendItems": [
                {"label": "has a note", "color": "#66b1ff"},
                {"label": "no note", "color": "#ffffff"}
            ],
        })
    }
}
