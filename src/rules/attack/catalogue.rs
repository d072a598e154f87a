//! The ATT&CK catalogue: every object with an ATT&CK ID, its status and replacement.
//!
//! v18.1 is built into the binary from `data/attack-catalog.tsv`. A newer catalogue can be
//! loaded from the same TSV format (any file with those column names, such as
//! `attack-catalog.tsv` from `make-catalog.py`) or from an official STIX 2.x bundle such as
//! `enterprise-attack.json`. Rows are keyed by domain, ID and type: 225 old mitigations
//! reuse technique IDs.

use std::collections::HashMap;

use super::IdKind;

const BUILT_IN: &str = include_str!("../../../data/attack-catalog.tsv");

/// One ATT&CK object in one domain (an object in several domains has one row per domain).
/// Each field names its TSV column, then the STIX field it comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Entry {
    /// `enterprise-attack`, `mobile-attack`, `ics-attack` or `pre-attack` (TSV `domain`);
    /// STIX `x_mitre_domains`, else the `mitre-…` external reference's source.
    pub domain: String,
    /// The ATT&CK ID, e.g. `T1574.002` (TSV `attack_id`); the `external_id` of the object's
    /// `mitre-…` external reference.
    pub id: String,
    /// The object's name, whitespace runs folded (TSV `name`); STIX `name`.
    pub name: String,
    /// `technique`, `sub-technique`, `tactic`, `mitigation`, `group`, ... (TSV `type`); from the
    /// STIX `type` (and `x_mitre_is_subtechnique`), see [`IdKind`].
    pub kind: String,
    /// ATT&CK no longer maintains it (TSV `deprecated`); STIX `x_mitre_deprecated`.
    pub deprecated: bool,
    /// Replaced by another object (TSV `revoked`); STIX `revoked`.
    pub revoked: bool,
    /// The ID that directly replaced a revoked object (TSV `revoked_by`); the target of its STIX
    /// `revoked-by` relationship.
    pub revoked_by: Option<String>,
    /// The end of the revoked-by chain (TSV `revoked_by_final`, else `revoked_by`).
    pub replacement: Option<String>,
}

/// An ATT&CK release: every row by ID.
#[derive(Debug, Clone)]
pub(crate) struct Catalogue {
    /// Shown in output, e.g. "ATT&CK v18.1 (built in)".
    pub version: String,
    by_id: HashMap<String, Vec<Entry>>,
}

/// Longest name or ID accepted from a catalogue, in bytes. Real ATT&CK names are under 100
/// characters; a 100 KB name copied once per domain took a gigabyte.
pub(crate) const MAX_FIELD_BYTES: usize = 1_024;

/// Most domains one catalogue object may list (ATT&CK has four).
pub(crate) const MAX_DOMAINS: usize = 16;

/// Domains in the order used when an ID is not in the note's own domain.
const DOMAIN_ORDER: [&str; 4] = [
    "enterprise-attack",
    "mobile-attack",
    "ics-attack",
    "pre-attack",
];

impl Catalogue {
    /// The built-in catalogue, parsed once per process (it is immutable data).
    pub(crate) fn built_in_shared() -> std::sync::Arc<Self> {
        static BUILT_IN_CATALOGUE: std::sync::OnceLock<std::sync::Arc<Catalogue>> =
            std::sync::OnceLock::new();
        std::sync::Arc::clone(
            BUILT_IN_CATALOGUE.get_or_init(|| std::sync::Arc::new(Catalogue::built_in())),
        )
    }

    /// The v18.1 catalogue compiled into the binary (`data/attack-catalog.tsv`).
    pub(crate) fn built_in() -> Self {
        let mut c = Self::from_tsv(BUILT_IN).unwrap_or_else(|_| Catalogue {
            version: String::new(),
            by_id: HashMap::new(),
        });
        c.version = "ATT&CK v18.1 (built in)".to_owned();
        c
    }

    /// Loads a catalogue file: a STIX bundle if it starts with `{`, else TSV. `source` (the
    /// file's path) goes into the version shown in output.
    ///
    /// # Errors
    /// Why the text is neither a usable TSV catalogue nor a STIX bundle.
    pub(crate) fn from_text(text: &str, source: &str) -> Result<Self, String> {
        let mut c = if text.trim_start().starts_with('{') {
            Self::from_stix(text)?
        } else {
            Self::from_tsv(text)?
        };
        c.version = if c.version.is_empty() {
            format!("ATT&CK catalogue from {source}")
        } else {
            format!("{} (from {source})", c.version)
        };
        Ok(c)
    }

    /// Reads the TSV format of `data/attack-catalog.tsv`: `#` comment lines, a header row
    /// naming the columns (`domain`, `attack_id`, `name`, `type`, `deprecated`, `revoked`,
    /// optional `revoked_by` and `revoked_by_final`) in any order, then one row per object.
    ///
    /// # Errors
    /// An empty file, a missing required column, or a row with too few cells.
    pub(crate) fn from_tsv(text: &str) -> Result<Self, String> {
        let mut lines = text
            .lines()
            .filter(|l| !l.starts_with('#') && !l.trim().is_empty());
        let header: Vec<&str> = lines.next().ok_or("empty catalogue")?.split('\t').collect();
        let col = |name: &str| {
            header
                .iter()
                .position(|h| h.trim() == name)
                .ok_or_else(|| format!("catalogue TSV lacks the column `{name}`"))
        };
        let (domain, id, name, kind) = (
            col("domain")?,
            col("attack_id")?,
            col("name")?,
            col("type")?,
        );
        let (deprecated, revoked) = (col("deprecated")?, col("revoked")?);
        let revoked_by = col("revoked_by").ok();
        let final_col = col("revoked_by_final").ok();
        let mut entries = Vec::new();
        for (n, line) in lines.enumerate() {
            let cells: Vec<&str> = line.split('\t').collect();
            let get = |i: usize| cells.get(i).map_or("", |c| c.trim());
            if cells.len() < header.len().min(6) {
                return Err(format!(
                    "catalogue TSV row {} has {} columns",
                    n + 2,
                    cells.len()
                ));
            }
            let optional =
                |i: Option<usize>| i.map(get).filter(|s| !s.is_empty()).map(str::to_owned);
            entries.push(Entry {
                domain: get(domain).to_owned(),
                id: get(id).to_owned(),
                name: get(name).to_owned(),
                kind: get(kind).to_owned(),
                deprecated: get(deprecated) == "true",
                revoked: get(revoked) == "true",
                revoked_by: optional(revoked_by),
                replacement: optional(final_col).or_else(|| optional(revoked_by)),
            });
        }
        Ok(Self::from_entries(entries, String::new()))
    }

    /// Reads a STIX 2.0 or 2.1 bundle (`{"type": "bundle", "objects": [...]}`); the
    /// `x-mitre-collection` object gives the version.
    ///
    /// # Errors
    /// Invalid JSON, no `objects` array, or no object with an ATT&CK ID.
    pub(crate) fn from_stix(text: &str) -> Result<Self, String> {
        let bundle: serde_json::Value =
            serde_json::from_str(text).map_err(|e| format!("not a STIX bundle: {e}"))?;
        let objects = bundle
            .get("objects")
            .and_then(serde_json::Value::as_array)
            .ok_or("not a STIX bundle: no `objects` array")?;
        let mut version = String::new();
        let mut stix_to_id: HashMap<&str, String> = HashMap::new();
        let mut revoked_by: HashMap<&str, &str> = HashMap::new();
        let mut entries = Vec::new();
        let mut stix_ids = Vec::new();
        for obj in objects {
            let s = |k: &str| obj.get(k).and_then(serde_json::Value::as_str).unwrap_or("");
            let stix_type = s("type");
            if stix_type == "x-mitre-collection" {
                version = format!("ATT&CK v{}", s("x_mitre_version"));
                continue;
            }
            if stix_type == "relationship" && s("relationship_type") == "revoked-by" {
                revoked_by.insert(s("source_ref"), s("target_ref"));
                continue;
            }
            let Some((source, external_id)) = attack_reference(obj) else {
                continue;
            };
            let kind = match stix_type {
                "attack-pattern"
                    if obj
                        .get("x_mitre_is_subtechnique")
                        .and_then(serde_json::Value::as_bool)
                        == Some(true) =>
                {
                    "sub-technique"
                }
                "attack-pattern" => "technique",
                "x-mitre-tactic" => "tactic",
                "course-of-action" => "mitigation",
                "intrusion-set" => "group",
                "malware" | "tool" => "software",
                "campaign" => "campaign",
                "x-mitre-data-source" => "data-source",
                "x-mitre-data-component" => "data-component",
                "x-mitre-asset" => "asset",
                _ => continue,
            };
            for (field, value) in [("name", s("name")), ("external_id", external_id.as_str())] {
                if value.len() > MAX_FIELD_BYTES {
                    return Err(format!(
                        "the `{field}` of STIX object `{}` is {} bytes, over the limit of {MAX_FIELD_BYTES}",
                        clip(s("id")),
                        value.len()
                    ));
                }
            }
            stix_to_id.insert(s("id"), external_id.clone());
            let mut domains: Vec<&str> = match obj
                .get("x_mitre_domains")
                .and_then(serde_json::Value::as_array)
            {
                Some(d) => d.iter().filter_map(serde_json::Value::as_str).collect(),
                None => vec![source_domain(source)],
            };
            domains.sort_unstable();
            domains.dedup();
            if domains.len() > MAX_DOMAINS {
                return Err(format!(
                    "STIX object `{external_id}` lists {} domains, over the limit of {MAX_DOMAINS}",
                    domains.len()
                ));
            }
            let name = s("name").split_whitespace().collect::<Vec<_>>().join(" ");
            for domain in domains {
                if domain.len() > MAX_FIELD_BYTES {
                    return Err(format!(
                        "a domain of STIX object `{external_id}` is {} bytes, over the limit of {MAX_FIELD_BYTES}",
                        domain.len()
                    ));
                }
                stix_ids.push(s("id"));
                entries.push(Entry {
                    domain: domain.to_owned(),
                    id: external_id.clone(),
                    name: name.clone(),
                    kind: kind.to_owned(),
                    deprecated: obj
                        .get("x_mitre_deprecated")
                        .and_then(serde_json::Value::as_bool)
                        == Some(true),
                    revoked: obj.get("revoked").and_then(serde_json::Value::as_bool) == Some(true),
                    revoked_by: None,
                    replacement: None,
                });
            }
        }
        for (entry, stix_id) in entries.iter_mut().zip(stix_ids) {
            let mut next = revoked_by.get(stix_id).copied();
            entry.revoked_by = next.and_then(|t| stix_to_id.get(t)).cloned();
            let mut seen = 0;
            let mut last = None;
            while let Some(target) = next {
                last = stix_to_id.get(target).cloned();
                next = revoked_by.get(target).copied();
                seen += 1;
                if seen > 32 {
                    break;
                }
            }
            entry.replacement = last;
        }
        if entries.is_empty() {
            return Err("the STIX bundle holds no object with an ATT&CK ID".to_owned());
        }
        Ok(Self::from_entries(entries, version))
    }

    fn from_entries(entries: Vec<Entry>, version: String) -> Self {
        let mut by_id: HashMap<String, Vec<Entry>> = HashMap::new();
        for e in entries {
            by_id.entry(e.id.clone()).or_default().push(e);
        }
        Catalogue { version, by_id }
    }

    /// Every row for an ID, in a stable order (domain, then type).
    pub(crate) fn all(&self, id: &str) -> Vec<&Entry> {
        let mut rows: Vec<&Entry> = self
            .by_id
            .get(id)
            .map(|v| v.iter().collect())
            .unwrap_or_default();
        rows.sort_by(|a, b| {
            (domain_rank(&a.domain), &a.kind).cmp(&(domain_rank(&b.domain), &b.kind))
        });
        rows
    }

    /// The row an ID in a note means: its type must fit the ID's kind, and the note's own
    /// domain wins over the others.
    pub(crate) fn lookup(&self, id: &str, kind: IdKind, domain: Option<&str>) -> Option<&Entry> {
        let rows = self.by_id.get(id)?;
        let fitting = |e: &&Entry| kind.fits_type(&e.kind);
        domain
            .and_then(|d| rows.iter().filter(fitting).find(|e| e.domain == d))
            .or_else(|| {
                rows.iter()
                    .filter(fitting)
                    .min_by_key(|e| domain_rank(&e.domain))
            })
    }

    /// Whether the catalogue holds no row.
    pub(crate) fn is_empty(&self) -> bool {
        self.by_id.is_empty()
    }
}

/// The start of a value for an error message: a hostile catalogue may hold megabytes in one
/// field.
fn clip(s: &str) -> &str {
    let mut end = s.len().min(80);
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    s.get(..end).unwrap_or_default()
}

fn domain_rank(domain: &str) -> usize {
    DOMAIN_ORDER
        .iter()
        .position(|d| *d == domain)
        .unwrap_or(DOMAIN_ORDER.len())
}

fn attack_reference(obj: &serde_json::Value) -> Option<(&str, String)> {
    obj.get("external_references")?
        .as_array()?
        .iter()
        .find_map(|r| {
            let source = r.get("source_name")?.as_str()?;
            let id = r.get("external_id")?.as_str()?;
            source
                .starts_with("mitre-")
                .then(|| (source, id.to_owned()))
        })
}

fn source_domain(source: &str) -> &'static str {
    match source {
        "mitre-mobile-attack" => "mobile-attack",
        "mitre-ics-attack" => "ics-attack",
        "mitre-pre-attack" => "pre-attack",
        _ => "enterprise-attack",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn built_in_knows_revoked_and_reused_ids() {
        let c = Catalogue::built_in();
        let t1173 = c
            .lookup("T1173", IdKind::Technique, Some("enterprise-attack"))
            .unwrap();
        assert!(t1173.revoked);
        assert_eq!(t1173.replacement.as_deref(), Some("T1559.002"));
        assert_eq!(
            c.all("T1173").len(),
            2,
            "technique and old mitigation share the ID"
        );
        let chain = c.lookup("T1073", IdKind::Technique, None).unwrap();
        assert_eq!(chain.replacement.as_deref(), Some("T1574.001"));
        assert_eq!(
            c.lookup("T1552.003", IdKind::Technique, None).unwrap().name,
            "Shell History"
        );
        assert!(c
            .lookup("G0097", IdKind::Group, Some("enterprise-attack"))
            .is_some());
        assert!(c.lookup("T9999", IdKind::Technique, None).is_none());
    }

    #[test]
    fn stix_bundle_with_revocation_chain() {
        let bundle = r#"{"type": "bundle", "objects": [
          {"type": "x-mitre-collection", "x_mitre_version": "19.0"},
          {"type": "attack-pattern", "id": "ap--1", "name": "Old", "revoked": true,
           "external_references": [{"source_name": "mitre-attack", "external_id": "T1000"}]},
          {"type": "attack-pattern", "id": "ap--2", "name": "Middle", "revoked": true, "x_mitre_is_subtechnique": true,
           "external_references": [{"source_name": "mitre-attack", "external_id": "T1001.001"}]},
          {"type": "attack-pattern", "id": "ap--3", "name": "New", "x_mitre_domains": ["enterprise-attack", "mobile-attack"],
           "external_references": [{"source_name": "mitre-attack", "external_id": "T1002"}]},
          {"type": "course-of-action", "id": "coa--1", "name": "Old mitigation", "x_mitre_deprecated": true,
           "external_references": [{"source_name": "mitre-attack", "external_id": "M1000"}]},
          {"type": "relationship", "relationship_type": "revoked-by", "source_ref": "ap--1", "target_ref": "ap--2"},
          {"type": "relationship", "relationship_type": "revoked-by", "source_ref": "ap--2", "target_ref": "ap--3"}
        ]}"#;
        let c = Catalogue::from_text(bundle, "test.json").unwrap();
        assert_eq!(c.version, "ATT&CK v19.0 (from test.json)");
        let old = c.lookup("T1000", IdKind::Technique, None).unwrap();
        assert_eq!(
            (old.revoked_by.as_deref(), old.replacement.as_deref()),
            (Some("T1001.001"), Some("T1002"))
        );
        assert_eq!(c.all("T1002").len(), 2);
        assert!(
            c.lookup("M1000", IdKind::Mitigation, None)
                .unwrap()
                .deprecated
        );
        assert!(Catalogue::from_text("{\"objects\": []}", "x").is_err());
    }

    #[test]
    fn stix_fields_are_bounded() {
        let object = |name: &str, domains: &[String]| {
            format!(
                r#"{{"objects": [{{"type": "attack-pattern", "id": "ap--1", "name": "{name}",
                "x_mitre_domains": {},
                "external_references": [{{"source_name": "mitre-attack", "external_id": "T1000"}}]}}]}}"#,
                serde_json::to_string(domains).unwrap()
            )
        };
        let enterprise = vec!["enterprise-attack".to_owned(); 3];
        let c = Catalogue::from_stix(&object("Ok", &enterprise)).unwrap();
        assert_eq!(c.all("T1000").len(), 1, "repeated domains count once");
        let err = Catalogue::from_stix(&object(&"N".repeat(100_000), &enterprise)).unwrap_err();
        assert!(
            err.contains("`name` of STIX object `ap--1` is 100000 bytes"),
            "{err}"
        );
        let many: Vec<String> = (0..10_000).map(|i| format!("d{i}")).collect();
        let err = Catalogue::from_stix(&object("Ok", &many)).unwrap_err();
        assert!(
            err.contains("lists 10000 domains, over the limit of 16"),
            "{err}"
        );
    }

    #[test]
    fn tsv_needs_its_columns() {
        assert!(Catalogue::from_tsv("a\tb\n1\t2\n").is_err());
        let c = Catalogue::from_tsv("domain\tattack_id\tname\ttype\tdeprecated\trevoked\nics-attack\tT0800\tX\ttechnique\tfalse\tfalse\n").unwrap();
        assert_eq!(
            c.lookup("T0800", IdKind::Technique, Some("ics-attack"))
                .unwrap()
                .name,
            "X"
        );
    }
}
