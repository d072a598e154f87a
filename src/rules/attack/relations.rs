//! The relationships ATT&CK draws between objects, as a vault's tables show them: a
//! mitigation mitigates techniques, a group, software or campaign uses techniques and
//! software, a sub-technique is a sub-technique of its technique.
//!
//! ATT&CK v18.1's are built in from `data/attack-relationships.tsv` (made by
//! `scripts/make-relationships.py` from mitre/cti; 21,422 relationships, 19,190 of them
//! Enterprise); STIX bundles given with `--attack-catalog` bring their own. Revoked and
//! deprecated relationships, and those with a revoked or deprecated end, are left out, as
//! on ATT&CK's pages.

use std::collections::{BTreeSet, HashMap};
use std::sync::OnceLock;

/// The built-in relationships' TSV (the catalogue hashes it into the cache's stamp).
pub(super) const BUILT_IN: &str = include_str!("../../../data/attack-relationships.tsv");

/// A relationship type (STIX `relationship_type`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Relation {
    /// Mitigation → technique.
    Mitigates,
    /// Group, software or campaign → technique or software.
    Uses,
    /// Sub-technique → its technique.
    SubtechniqueOf,
}

impl Relation {
    /// The STIX name, `mitigates`, `uses` or `subtechnique-of`.
    pub fn name(self) -> &'static str {
        match self {
            Relation::Mitigates => "mitigates",
            Relation::Uses => "uses",
            Relation::SubtechniqueOf => "subtechnique-of",
        }
    }

    /// The relationship type a STIX name stands for.
    pub fn from_name(name: &str) -> Option<Self> {
        match name {
            "mitigates" => Some(Relation::Mitigates),
            "uses" => Some(Relation::Uses),
            "subtechnique-of" => Some(Relation::SubtechniqueOf),
            _ => None,
        }
    }
}

/// Relationships by domain, looked up from either end.
///
/// The built-in ones are parsed on first use: a run whose notes all come from the cache
/// asks none of them, and parsing them was a tenth of such a run's instructions on a
/// vault of 10,000 notes.
#[derive(Debug, Clone, Default)]
pub struct Relations {
    /// The relationships, once parsed.
    tables: OnceLock<Tables>,
    /// TSV text (`from_tsv`'s format) not parsed yet; `None` once `tables` holds it.
    unparsed: Option<&'static str>,
}

/// The relationships of [`Relations`], parsed.
#[derive(Debug, Clone, Default)]
struct Tables {
    /// (domain, relation, source ID) → target IDs.
    forward: HashMap<(String, Relation, String), BTreeSet<String>>,
    /// (domain, relation, target ID) → source IDs.
    reverse: HashMap<(String, Relation, String), BTreeSet<String>>,
    /// The domains of `forward`'s keys, kept as relationships are added and removed:
    /// every note with a relationship table asks, and collecting them from the keys
    /// each time was a tenth of a run on an ATT&CK vault.
    domains: BTreeSet<String>,
}

impl Tables {
    /// Reads `domain`, `source`, `type`, `targets` (comma-separated) lines; `#` lines, the
    /// header and lines of other relationship types are skipped.
    fn from_tsv(text: &str) -> Self {
        let mut out = Tables::default();
        for line in text.lines().filter(|l| !l.starts_with('#')) {
            let mut cells = line.split('\t');
            let (Some(domain), Some(source), Some(kind), Some(targets)) =
                (cells.next(), cells.next(), cells.next(), cells.next())
            else {
                continue;
            };
            let Some(relation) = Relation::from_name(kind) else {
                continue;
            };
            for target in targets.split(',').filter(|t| !t.is_empty()) {
                out.add(domain, source, relation, target);
            }
        }
        out
    }

    fn add(&mut self, domain: &str, source: &str, relation: Relation, target: &str) {
        if !self.domains.contains(domain) {
            self.domains.insert(domain.to_owned());
        }
        self.forward
            .entry((domain.to_owned(), relation, source.to_owned()))
            .or_default()
            .insert(target.to_owned());
        self.reverse
            .entry((domain.to_owned(), relation, target.to_owned()))
            .or_default()
            .insert(source.to_owned());
    }
}

impl Relations {
    /// The built-in ATT&CK v18.1 relationships (parsed when first asked).
    pub fn built_in() -> Self {
        Relations {
            tables: OnceLock::new(),
            unparsed: Some(BUILT_IN),
        }
    }

    /// Reads `domain`, `source`, `type`, `targets` (comma-separated) lines; `#` lines, the
    /// header and lines of other relationship types are skipped.
    pub fn from_tsv(text: &str) -> Self {
        Relations {
            tables: OnceLock::from(Tables::from_tsv(text)),
            unparsed: None,
        }
    }

    /// The relationships, parsed now if they were not yet.
    fn tables(&self) -> &Tables {
        self.tables
            .get_or_init(|| self.unparsed.map_or_else(Tables::default, Tables::from_tsv))
    }

    /// The relationships to change, parsed now if they were not yet.
    fn tables_mut(&mut self) -> &mut Tables {
        self.tables();
        self.unparsed = None;
        match self.tables.get_mut() {
            Some(tables) => tables,
            None => unreachable!("`tables` was just initialised"),
        }
    }

    /// Records that `source` has `relation` to `target` in `domain`.
    pub fn add(&mut self, domain: &str, source: &str, relation: Relation, target: &str) {
        self.tables_mut().add(domain, source, relation, target);
    }

    /// The object with the most relationships of one kind in one domain, from either end:
    /// its ID, the relation's STIX name and how many objects it relates to.
    pub fn widest(&self) -> Option<(&str, &'static str, usize)> {
        let t = self.tables();
        t.forward
            .iter()
            .chain(&t.reverse)
            .max_by_key(|(_, set)| set.len())
            .map(|((_, relation, id), set)| (id.as_str(), relation.name(), set.len()))
    }

    /// Whether any relationship is known.
    pub fn is_empty(&self) -> bool {
        self.tables().forward.is_empty()
    }

    /// The domains that have relationships.
    pub fn domains(&self) -> &BTreeSet<String> {
        &self.tables().domains
    }

    /// Drops every relationship of `domain` (before a newer release's are added).
    pub fn remove_domain(&mut self, domain: &str) {
        let t = self.tables_mut();
        t.forward.retain(|(d, _, _), _| d != domain);
        t.reverse.retain(|(d, _, _), _| d != domain);
        t.domains.remove(domain);
    }

    /// Adds every relationship of `other`.
    pub fn extend(&mut self, mut other: Relations) {
        let other = std::mem::take(other.tables_mut());
        let t = self.tables_mut();
        for ((domain, relation, source), targets) in other.forward {
            for target in targets {
                t.add(&domain, &source, relation, &target);
            }
        }
    }

    /// What `id` has `relation` to (`M1013` mitigates …), in `domain`, or in every domain
    /// when `None`.
    pub fn targets(&self, domain: Option<&str>, relation: Relation, id: &str) -> BTreeSet<&str> {
        collect(&self.tables().forward, domain, relation, id)
    }

    /// What has `relation` to `id` (… mitigates `T1036`), in `domain`, or in every domain
    /// when `None`.
    pub fn sources(&self, domain: Option<&str>, relation: Relation, id: &str) -> BTreeSet<&str> {
        collect(&self.tables().reverse, domain, relation, id)
    }
}

fn collect<'r>(
    map: &'r HashMap<(String, Relation, String), BTreeSet<String>>,
    domain: Option<&str>,
    relation: Relation,
    id: &str,
) -> BTreeSet<&'r str> {
    let domains: Vec<&str> = match domain {
        Some(d) => vec![d],
        None => vec!["enterprise-attack", "mobile-attack", "ics-attack"],
    };
    domains
        .into_iter()
        .filter_map(|d| map.get(&(d.to_owned(), relation, id.to_owned())))
        .flatten()
        .map(String::as_str)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn built_in_relationships() {
        let r = Relations::built_in();
        let mitigated = r.targets(Some("enterprise-attack"), Relation::Mitigates, "M1013");
        assert!(mitigated.contains("T1574.001"), "{mitigated:?}");
        assert!(r
            .sources(Some("enterprise-attack"), Relation::SubtechniqueOf, "T1036")
            .contains("T1036.009"));
        assert!(r
            .sources(None, Relation::Uses, "T1036.009")
            .contains("S1161"));
        assert!(r
            .targets(Some("ics-attack"), Relation::Uses, "S1161")
            .is_empty());
        let enterprise: usize = r
            .tables()
            .forward
            .iter()
            .filter(|((d, _, _), _)| d == "enterprise-attack")
            .map(|(_, t)| t.len())
            .sum();
        assert_eq!(enterprise, 19_190);
        let domains: Vec<&str> = r.domains().iter().map(String::as_str).collect();
        assert_eq!(
            domains,
            ["enterprise-attack", "ics-attack", "mobile-attack"]
        );
    }

    #[test]
    fn built_in_relationships_are_parsed_when_first_asked_and_kept_when_changed() {
        let lazy = Relations::built_in();
        assert!(lazy.tables.get().is_none());
        assert!(!lazy.is_empty());
        assert!(lazy.tables.get().is_some());
        assert_eq!(lazy.domains(), Relations::from_tsv(BUILT_IN).domains());

        let mut changed = Relations::built_in();
        changed.add("ics-attack", "S9999", Relation::Uses, "T0800");
        assert!(changed
            .targets(Some("enterprise-attack"), Relation::Mitigates, "M1013")
            .contains("T1574.001"));
        assert!(changed
            .targets(Some("ics-attack"), Relation::Uses, "S9999")
            .contains("T0800"));

        let mut removed = Relations::built_in();
        removed.remove_domain("enterprise-attack");
        let domains: Vec<&str> = removed.domains().iter().map(String::as_str).collect();
        assert_eq!(domains, ["ics-attack", "mobile-attack"]);
    }

    #[test]
    fn domains_follow_additions_and_removals() {
        let mut r = Relations::default();
        r.add("ics-attack", "S1", Relation::Uses, "T0800");
        let mut other = Relations::default();
        other.add("mobile-attack", "S2", Relation::Uses, "T1400");
        r.extend(other);
        let domains: Vec<&str> = r.domains().iter().map(String::as_str).collect();
        assert_eq!(domains, ["ics-attack", "mobile-attack"]);
        r.remove_domain("ics-attack");
        let domains: Vec<&str> = r.domains().iter().map(String::as_str).collect();
        assert_eq!(domains, ["mobile-attack"]);
    }
}
