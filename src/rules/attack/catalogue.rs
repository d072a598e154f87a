//! The ATT&CK catalogue: every object with an ATT&CK ID, its status and replacement.
//!
//! v18.1 is built into the binary from `data/attack-catalog.tsv`. Newer releases can be
//! loaded from the same TSV format (any file with those column names, such as
//! `attack-catalog.tsv` from `make-catalog.py`) or from official STIX 2.x bundles such as
//! `enterprise-attack.json`, one or several: each replaces the domains it holds
//! ([`Catalogue::merge`]), and the others stay as built in, so every domain knows which
//! release it is checked against. Rows are keyed by domain, ID and type: 225 old
//! mitigations reuse technique IDs.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::OnceLock;

use super::relations::{Relation, Relations};
use super::IdKind;

const BUILT_IN: &str = include_str!("../../../data/attack-catalog.tsv");

/// The built-in release's tactics of each technique (`scripts/make-tactics.py` from the
/// v18.1 bundles): `domain`, `attack_id`, `tactics` (comma-separated tactic IDs).
const BUILT_IN_TACTICS: &str = include_str!("../../../data/attack-tactics.tsv");

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
    /// The end of the revoked-by chain (TSV `revoked_by_final`, else `revoked_by`), followed
    /// through the catalogue while its target is revoked too; `None` when the chain has no
    /// end ([`Entry::revocation_cycle`]).
    pub replacement: Option<String>,
    /// The catalogue's revoked-by chain from this object runs in a circle (`A` → `B` → `A`):
    /// the cycle's IDs in order, the first repeated at the end (shared by every object on or
    /// leading into it). No real release has one, but a hostile or broken catalogue can,
    /// and a fix that followed it would relabel back and forth.
    pub revocation_cycle: Option<std::sync::Arc<[String]>>,
    /// For a technique or sub-technique: the IDs of its tactics in its domain, in ATT&CK's
    /// order (TSV `tactics`, comma-separated); STIX `kill_chain_phases` whose
    /// `kill_chain_name` is the domain's (`mitre-attack`, `mitre-mobile-attack`,
    /// `mitre-ics-attack`), each `phase_name` a tactic's `x_mitre_shortname`. Empty for
    /// other objects, and for a catalogue that does not say.
    pub tactics: Vec<String>,
}

/// Every ATT&CK object with an ID, by ID, and the release each domain comes from.
#[derive(Debug, Clone)]
pub(crate) struct Catalogue {
    /// Shown in output, e.g. "ATT&CK v18.1 (built in)"; after a merge, each domain's release
    /// ([`Catalogue::describe`]).
    pub version: String,
    /// Domain → the release its rows come from, e.g. `enterprise-attack` → "ATT&CK v19.0
    /// (from enterprise-attack.json)".
    pub releases: BTreeMap<String, String>,
    /// ATT&CK's relationships (mitigates, uses, subtechnique-of) of the same releases.
    pub relations: Relations,
    /// The rows, once parsed ([`Catalogue::rows`]).
    rows: OnceLock<Rows>,
    /// The rows are the built-in ones, not parsed yet: a run that asks no ID of the
    /// catalogue (a vault without ATT&CK IDs, its findings all from the cache) never parses
    /// them, which was a tenth of a warm-cache run on a vault of 10,000 notes.
    built_in_pending: bool,
}

/// A catalogue's rows, by ID, and what follows from them.
#[derive(Debug, Clone, Default)]
struct Rows {
    by_id: HashMap<String, Vec<Entry>>,
    /// The highest number the rows have of each ID prefix ([`split_id`]), worked out when
    /// the rows change: every check asks it (is a declared ID newer than the catalogue?),
    /// and walking every row for it was a fixed cost of each run.
    highest: HashMap<String, u32>,
}

/// Longest name or ID accepted from a catalogue, in bytes. Real ATT&CK names are under 100
/// characters; a 100 KB name copied once per domain took a gigabyte.
pub(crate) const MAX_FIELD_BYTES: usize = 1_024;

/// Most domains one catalogue object may list (ATT&CK has four).
pub(crate) const MAX_DOMAINS: usize = 16;

/// Most rows one ID may have in a catalogue: one per domain and type. ATT&CK has at most
/// four (an object shared by its domains); every lookup of the ID reads them all, so a
/// catalogue with 100,000 rows for one ID made each link cost that much.
pub(crate) const MAX_ROWS_PER_ID: usize = 64;

/// Most objects one object may relate to in one domain, one way (`G0007` uses …, or …
/// mitigates `T1036`). ATT&CK's widest is under a thousand (the software that uses
/// T1105); each relationship table of the note of such an object is compared with all
/// of them, so 100,000 made a run of 1,000 tables take minutes.
pub(crate) const MAX_RELATED: usize = 10_000;

/// Domains in the order used when an ID is not in the note's own domain.
const DOMAIN_ORDER: [&str; 4] = [
    "enterprise-attack",
    "mobile-attack",
    "ics-attack",
    "pre-attack",
];

impl Catalogue {
    /// A catalogue that knows no ID (the pack's catalogue rules then stay quiet).
    pub(crate) fn empty() -> Self {
        Catalogue {
            version: String::new(),
            releases: BTreeMap::new(),
            relations: Relations::default(),
            rows: OnceLock::new(),
            built_in_pending: false,
        }
    }

    /// The rows, parsed now if they are the built-in ones and were not yet.
    fn rows(&self) -> &Rows {
        self.rows.get_or_init(|| {
            if self.built_in_pending {
                Self::built_in_rows()
            } else {
                Rows::default()
            }
        })
    }

    /// The rows to change, parsed now if they were not yet.
    fn rows_mut(&mut self) -> &mut Rows {
        self.rows();
        self.built_in_pending = false;
        match self.rows.get_mut() {
            Some(rows) => rows,
            None => unreachable!("`rows` was just initialised"),
        }
    }

    /// The built-in catalogue's rows, with its tactics.
    fn built_in_rows() -> Rows {
        let mut c = Self::from_tsv(BUILT_IN).unwrap_or_else(|_| Catalogue::empty());
        c.add_tactics(BUILT_IN_TACTICS);
        std::mem::take(c.rows_mut())
    }

    /// The built-in catalogue, parsed once per process (it is immutable data).
    pub(crate) fn built_in_shared() -> std::sync::Arc<Self> {
        static BUILT_IN_CATALOGUE: std::sync::OnceLock<std::sync::Arc<Catalogue>> =
            std::sync::OnceLock::new();
        std::sync::Arc::clone(
            BUILT_IN_CATALOGUE.get_or_init(|| std::sync::Arc::new(Catalogue::built_in())),
        )
    }

    /// The hash of the built-in catalogue's data (objects, tactics and relationships), for
    /// the cache's stamp: findings judged against other data are not reused. Hashing the
    /// embedded text costs a fraction of parsing it, which a warm run may never need.
    pub(crate) fn built_in_hash() -> u64 {
        let mut hasher = xxhash_rust::xxh3::Xxh3::new();
        for text in [BUILT_IN, BUILT_IN_TACTICS, super::relations::BUILT_IN] {
            hasher.update(&(text.len() as u64).to_le_bytes());
            hasher.update(text.as_bytes());
        }
        hasher.digest()
    }

    /// The built-in ATT&CK v18.1 catalogue, parsed anew.
    pub(crate) fn built_in() -> Self {
        let mut c = Catalogue {
            relations: Relations::built_in(),
            built_in_pending: true,
            ..Catalogue::empty()
        };
        c.name_releases(tsv_domains(BUILT_IN), "ATT&CK v18.1 (built in)");
        c
    }

    /// Names the release of every domain the catalogue holds.
    fn set_version(&mut self, version: &str) {
        let domains: Vec<String> = self
            .rows()
            .by_id
            .values()
            .flatten()
            .map(|e| e.domain.clone())
            .collect();
        self.name_releases(domains, version);
    }

    /// Names `version` the catalogue's version and the release of each of `domains`.
    fn name_releases(&mut self, domains: impl IntoIterator<Item = String>, version: &str) {
        self.version = version.to_owned();
        self.releases = domains
            .into_iter()
            .map(|d| (d, version.to_owned()))
            .collect();
    }

    /// Replaces this catalogue's rows of every domain `newer` holds with `newer`'s, keeping
    /// the other domains: `--attack-catalog enterprise-attack.json` updates Enterprise and
    /// leaves Mobile and ICS as they were. `version` then lists each domain's release.
    pub(crate) fn merge(&mut self, mut newer: Catalogue) {
        let newer_rows = std::mem::take(&mut newer.rows_mut().by_id);
        let by_id = &mut self.rows_mut().by_id;
        for rows in by_id.values_mut() {
            rows.retain(|e| !newer.releases.contains_key(&e.domain));
        }
        by_id.retain(|_, rows| !rows.is_empty());
        // A catalogue without relationships (a TSV) keeps the older ones of its domains:
        // relationships are then checked against the older release, which `describe` says.
        if !newer.relations.is_empty() {
            for domain in newer.releases.keys() {
                self.relations.remove_domain(domain);
            }
            self.relations.extend(newer.relations);
        }
        let by_id = &mut self.rows_mut().by_id;
        for (id, rows) in newer_rows {
            by_id.entry(id).or_default().extend(rows);
        }
        self.releases.extend(newer.releases);
        self.version = self.describe();
        self.rows_mut().settle();
    }

    /// Each domain's release, domains with the same release together:
    /// "enterprise-attack: ATT&CK v19.0 (from e.json); mobile-attack, ics-attack: ATT&CK v18.1 (built in)".
    pub(crate) fn describe(&self) -> String {
        let mut groups: Vec<(Vec<&str>, &str)> = Vec::new();
        let mut domains: Vec<(&String, &String)> = self.releases.iter().collect();
        domains.sort_by_key(|(d, _)| domain_rank(d));
        for (domain, release) in domains {
            match groups.iter_mut().find(|(_, r)| *r == release.as_str()) {
                Some((ds, _)) => ds.push(domain),
                None => groups.push((vec![domain.as_str()], release.as_str())),
            }
        }
        if groups.len() == 1 {
            return groups[0].1.to_owned();
        }
        groups
            .iter()
            .map(|(ds, r)| format!("{}: {r}", ds.join(", ")))
            .collect::<Vec<_>>()
            .join("; ")
    }

    /// Loads a catalogue file: a STIX bundle if it starts with `{`, else TSV. `source` names
    /// the file in the version string.
    ///
    /// # Errors
    /// The text is neither a STIX bundle with ATT&CK objects nor a catalogue TSV.
    pub(crate) fn from_text(text: &str, source: &str) -> Result<Self, String> {
        let mut c = if text.trim_start().starts_with('{') {
            Self::from_stix(text)?
        } else {
            Self::from_tsv(text)?
        };
        // mitre/cti's bundles carry no `x-mitre-collection`; MITRE names its release files
        // `enterprise-attack-14.1.json`, which then says the release.
        let named = source
            .rsplit(['/', '\\'])
            .next()
            .and_then(|name| name.strip_suffix(".json"))
            .and_then(|stem| stem.rsplit_once('-'))
            .map(|(_, release)| release)
            .filter(|r| {
                r.split('.').count() == 2
                    && r.split('.')
                        .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
            });
        let version = if c.version.is_empty() {
            match named {
                Some(release) => format!("ATT&CK v{release} (from {source})"),
                None => format!("ATT&CK catalogue from {source}"),
            }
        } else {
            format!("{} (from {source})", c.version)
        };
        c.set_version(&version);
        Ok(c)
    }

    /// Reads the TSV format of `data/attack-catalog.tsv`: `#` comment lines, a header row
    /// naming the columns (`domain`, `attack_id`, `name`, `type`, `deprecated`, `revoked`,
    /// optional `revoked_by`, `revoked_by_final` and `tactics`) in any order, then one row
    /// per object.
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
        let tactics = col("tactics").ok();
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
            // The STIX loader's limit, for the same reason: a hostile cell copied per row.
            if let Some(long) = cells.iter().find(|c| c.len() > MAX_FIELD_BYTES) {
                return Err(format!(
                    "catalogue TSV row {} has a cell of {} bytes, over the limit of {MAX_FIELD_BYTES}",
                    n + 2,
                    long.len()
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
                revocation_cycle: None,
                tactics: optional(tactics).map_or_else(Vec::new, |t| id_list(&t)),
            });
        }
        Self::from_entries(entries, String::new())
    }

    /// Reads a STIX 2.0 or 2.1 bundle (`{"type": "bundle", "objects": [...]}`); the
    /// `x-mitre-collection` object gives the version. The bundle is read one object at a
    /// time ([`for_each_stix_object`]), so a bundle of hundreds of megabytes never becomes
    /// one JSON tree in memory.
    ///
    /// # Errors
    /// Invalid JSON, no `objects` array, a field over its limit, or no object with an
    /// ATT&CK ID.
    pub(crate) fn from_stix(text: &str) -> Result<Self, String> {
        let mut read = StixRead::default();
        for_each_stix_object(text, |obj| read.object(obj))?;
        read.finish()
    }

    /// Reads a STIX bundle as [`Catalogue::from_stix`] does, in the same one pass handing
    /// every element of `objects` (holding only the fields the catalogue reads, see
    /// [`for_each_stix_object`]) to `inspect` too: what `attack fetch` checks of a bundle
    /// (its release, its domain) without holding the bundle as one JSON tree.
    ///
    /// # Errors
    /// Invalid JSON, no `objects` array (`Err`); what [`Catalogue::from_stix`] refuses once
    /// the JSON is read is in [`StixBundle::catalogue`], so a caller can say first what the
    /// bundle is instead.
    pub(crate) fn read_stix_bundle(
        text: &str,
        mut inspect: impl FnMut(&serde_json::Value),
    ) -> Result<StixBundle, String> {
        let mut read = StixRead::default();
        let mut refused = None;
        let mut objects = 0;
        let kind = for_each_stix_object(text, |obj| {
            objects += 1;
            inspect(obj);
            if refused.is_none() {
                refused = read.object(obj).err();
            }
            Ok(())
        })?;
        let catalogue = match refused {
            Some(e) => Err(e),
            None => read.finish(),
        };
        Ok(StixBundle {
            kind,
            objects,
            catalogue,
        })
    }

    /// The catalogue of a STIX bundle read as one JSON tree and then object by object, as
    /// [`Catalogue::from_stix`] read bundles before it streamed them: the reference its
    /// tests compare the streamed catalogue with.
    #[cfg(test)]
    pub(crate) fn from_stix_tree(text: &str) -> Result<Self, String> {
        let tree: serde_json::Value = serde_json::from_str(text).map_err(|e| e.to_string())?;
        let mut read = StixRead::default();
        for obj in tree["objects"].as_array().into_iter().flatten() {
            read.object(obj)?;
        }
        read.finish()
    }

    /// # Errors
    /// An ID with more than [`MAX_ROWS_PER_ID`] rows.
    fn from_entries(entries: Vec<Entry>, version: String) -> Result<Self, String> {
        let mut by_id: HashMap<String, Vec<Entry>> = HashMap::new();
        for e in entries {
            let rows = by_id.entry(e.id.clone()).or_default();
            if rows.len() == MAX_ROWS_PER_ID {
                return Err(format!(
                    "`{}` has more than {MAX_ROWS_PER_ID} rows (one per domain and type), the limit",
                    e.id
                ));
            }
            rows.push(e);
        }
        let mut rows = Rows {
            by_id,
            highest: HashMap::new(),
        };
        rows.settle();
        Ok(Catalogue {
            version,
            rows: OnceLock::from(rows),
            ..Catalogue::empty()
        })
    }
}

impl Rows {
    /// What follows from the rows once they change: revocation chains and the highest
    /// number of each ID prefix.
    fn settle(&mut self) {
        self.settle_revocations();
        let mut highest: HashMap<String, u32> = HashMap::new();
        for e in self.by_id.values().flatten() {
            let (prefix, n) = split_id(&e.id);
            let h = highest.entry(prefix.to_owned()).or_default();
            *h = (*h).max(n);
        }
        self.highest = highest;
    }

    /// Follows every revoked object's replacement through the catalogue to an object that
    /// is not revoked, once per ID (each ID's end is remembered, so a chain of 100,000 IDs
    /// costs linear time); a chain that comes back to an ID it passed is a cycle, and every
    /// object on it or leading into it gets no replacement and its
    /// [`Entry::revocation_cycle`].
    fn settle_revocations(&mut self) {
        enum End {
            Id(String),
            Cycle(std::sync::Arc<[String]>),
        }
        let next = |by_id: &HashMap<String, Vec<Entry>>, id: &str| -> Option<String> {
            by_id
                .get(id)?
                .iter()
                .filter(|e| e.revoked)
                .find_map(|e| e.replacement.clone().or_else(|| e.revoked_by.clone()))
        };
        let mut ends: HashMap<String, End> = HashMap::new();
        let starts: Vec<String> = self
            .by_id
            .iter()
            .filter(|(_, rows)| rows.iter().any(|e| e.revoked))
            .map(|(id, _)| id.clone())
            .collect();
        for start in starts {
            let mut path: Vec<String> = Vec::new();
            let mut on_path: HashMap<String, usize> = HashMap::new();
            let mut at = start;
            let end = loop {
                if let Some(end) = ends.get(&at) {
                    break match end {
                        End::Id(id) => End::Id(id.clone()),
                        End::Cycle(c) => End::Cycle(std::sync::Arc::clone(c)),
                    };
                }
                if let Some(&i) = on_path.get(&at) {
                    let mut cycle = path[i..].to_vec();
                    cycle.push(at.clone());
                    break End::Cycle(cycle.into());
                }
                let Some(target) = next(&self.by_id, &at) else {
                    break End::Id(at);
                };
                on_path.insert(at.clone(), path.len());
                path.push(std::mem::replace(&mut at, target));
            };
            for id in path {
                let settled = match &end {
                    End::Id(last) => End::Id(last.clone()),
                    End::Cycle(c) => End::Cycle(std::sync::Arc::clone(c)),
                };
                ends.insert(id, settled);
            }
        }
        for (id, rows) in &mut self.by_id {
            let Some(end) = ends.get(id) else {
                continue;
            };
            for e in rows.iter_mut().filter(|e| e.revoked) {
                match end {
                    End::Id(last) if last != id => e.replacement = Some(last.clone()),
                    End::Id(_) => {}
                    End::Cycle(cycle) => {
                        e.replacement = None;
                        e.revoked_by = None;
                        e.revocation_cycle = Some(std::sync::Arc::clone(cycle));
                    }
                }
            }
        }
    }
}

impl Catalogue {
    /// Sets the tactics of the techniques a tactic table (`domain`, `attack_id`, `tactics`
    /// columns, as `data/attack-tactics.tsv`) lists; rows it does not name are kept.
    fn add_tactics(&mut self, table: &str) {
        let rows = table
            .lines()
            .filter(|l| !l.starts_with('#'))
            .skip(1)
            .filter_map(|l| {
                let mut cells = l.split('\t');
                Some((cells.next()?, cells.next()?, cells.next()?))
            });
        for (domain, id, tactics) in rows {
            for e in self.rows_mut().by_id.get_mut(id).into_iter().flatten() {
                if e.domain == domain && IdKind::Technique.fits_type(&e.kind) {
                    e.tactics = id_list(tactics);
                }
            }
        }
    }

    /// Every row for an ID, in a stable order (domain, then type).
    pub(crate) fn all(&self, id: &str) -> Vec<&Entry> {
        let mut rows: Vec<&Entry> = self
            .rows()
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
        let rows = self.rows().by_id.get(id)?;
        let fitting = |e: &&Entry| kind.fits_type(&e.kind);
        domain
            .and_then(|d| rows.iter().filter(fitting).find(|e| e.domain == d))
            .or_else(|| {
                rows.iter()
                    .filter(fitting)
                    .min_by_key(|e| domain_rank(&e.domain))
            })
    }

    /// The highest number the catalogue has of `prefix` ([`split_id`]: `T1562.` for the
    /// sub-techniques of T1562, `TA` for tactics); `None` when no row has that prefix.
    pub(crate) fn highest_number(&self, prefix: &str) -> Option<u32> {
        self.rows().highest.get(prefix).copied()
    }

    /// Every row, in no particular order.
    pub(crate) fn entries(&self) -> impl Iterator<Item = &Entry> {
        self.rows().by_id.values().flatten()
    }

    /// Whether the catalogue holds no row.
    pub(crate) fn is_empty(&self) -> bool {
        self.rows().by_id.is_empty()
    }
}

/// The domains a catalogue TSV ([`Catalogue::from_tsv`]'s format) has rows of, read from
/// its `domain` column alone: what names the built-in catalogue's releases without
/// parsing its rows.
fn tsv_domains(text: &str) -> BTreeSet<String> {
    let mut lines = text
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty());
    let Some(column) = lines
        .next()
        .and_then(|header| header.split('\t').position(|h| h.trim() == "domain"))
    else {
        return BTreeSet::new();
    };
    let mut domains = BTreeSet::new();
    for line in lines {
        if let Some(domain) = line.split('\t').nth(column).map(str::trim) {
            if !domains.contains(domain) {
                domains.insert(domain.to_owned());
            }
        }
    }
    domains
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

/// An ID's prefix with its parent (`T1562.` for `T1562.013`, `TA` for `TA0112`) and its
/// last number: ATT&CK numbers the IDs of each prefix in sequence.
pub(crate) fn split_id(id: &str) -> (&str, u32) {
    let cut = id.rfind(|c: char| !c.is_ascii_digit()).map_or(0, |i| i + 1);
    (&id[..cut], id[cut..].parse().unwrap_or(0))
}

/// A STIX bundle read by [`Catalogue::read_stix_bundle`].
pub(crate) struct StixBundle {
    /// The bundle's top-level `type` (`bundle` in a STIX bundle), when it is a string.
    pub kind: Option<String>,
    /// How many elements its `objects` array holds.
    pub objects: usize,
    /// Its catalogue, or why [`Catalogue::from_stix`] refuses it.
    pub catalogue: Result<Catalogue, String>,
}

/// What [`Catalogue::from_stix`] has gathered from the objects read so far.
#[derive(Default)]
struct StixRead {
    version: String,
    bundle_domain: Option<String>,
    /// STIX id → ATT&CK ID, of every object with one.
    stix_to_id: HashMap<String, String>,
    /// STIX id → the STIX id of its `revoked-by` relationship's target.
    revoked_by: HashMap<String, String>,
    relationships: Vec<(String, Relation, String)>,
    /// STIX ids of revoked or deprecated objects and relationships.
    dead: std::collections::HashSet<String>,
    entries: Vec<Entry>,
    /// The STIX id of each entry of `entries`, in the same order.
    stix_ids: Vec<std::sync::Arc<str>>,
    /// The kill chain phases (kill chain, phase) of each entry of `entries`, mapped to
    /// tactics once every tactic is read.
    phases: Vec<Vec<(String, String)>>,
    /// (domain, `x_mitre_shortname`) → the tactic's ATT&CK ID.
    tactic_ids: HashMap<(String, String), String>,
}

impl StixRead {
    /// Takes what the catalogue needs from one STIX object (holding only [`STIX_FIELDS`]).
    ///
    /// # Errors
    /// A name, ID or domain over [`MAX_FIELD_BYTES`], or more than [`MAX_DOMAINS`] domains.
    fn object(&mut self, obj: &serde_json::Value) -> Result<(), String> {
        let s = |k: &str| obj.get(k).and_then(serde_json::Value::as_str).unwrap_or("");
        let stix_type = s("type");
        if stix_type == "x-mitre-collection" {
            self.version = format!("ATT&CK v{}", s("x_mitre_version"));
            return Ok(());
        }
        if stix_type == "x-mitre-matrix" {
            self.bundle_domain = attack_reference(obj).map(|(_, id)| id);
            return Ok(());
        }
        let flag = |k: &str| obj.get(k).and_then(serde_json::Value::as_bool) == Some(true);
        if flag("revoked") || flag("x_mitre_deprecated") {
            self.dead.insert(s("id").to_owned());
        }
        if stix_type == "relationship" {
            if s("relationship_type") == "revoked-by" {
                self.revoked_by
                    .insert(s("source_ref").to_owned(), s("target_ref").to_owned());
            } else if let Some(relation) = Relation::from_name(s("relationship_type")) {
                if !flag("revoked") && !flag("x_mitre_deprecated") {
                    self.relationships.push((
                        s("source_ref").to_owned(),
                        relation,
                        s("target_ref").to_owned(),
                    ));
                }
            }
            return Ok(());
        }
        let Some((source, external_id)) = attack_reference(obj) else {
            return Ok(());
        };
        let kind = match stix_type {
            "attack-pattern" if flag("x_mitre_is_subtechnique") => "sub-technique",
            "attack-pattern" => "technique",
            "x-mitre-tactic" => "tactic",
            "course-of-action" => "mitigation",
            "intrusion-set" => "group",
            "malware" | "tool" => "software",
            "campaign" => "campaign",
            "x-mitre-data-source" => "data-source",
            "x-mitre-data-component" => "data-component",
            "x-mitre-asset" => "asset",
            "x-mitre-detection-strategy" => "detection-strategy",
            "x-mitre-analytic" => "analytic",
            _ => return Ok(()),
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
        self.stix_to_id
            .insert(s("id").to_owned(), external_id.clone());
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
        let stix_id: std::sync::Arc<str> = s("id").into();
        for domain in domains {
            if domain.len() > MAX_FIELD_BYTES {
                return Err(format!(
                    "a domain of STIX object `{external_id}` is {} bytes, over the limit of {MAX_FIELD_BYTES}",
                    domain.len()
                ));
            }
            self.stix_ids.push(std::sync::Arc::clone(&stix_id));
            if kind == "tactic" {
                self.tactic_ids.insert(
                    (domain.to_owned(), s("x_mitre_shortname").to_owned()),
                    external_id.clone(),
                );
            }
            self.phases.push(kill_chain_phases(obj));
            self.entries.push(Entry {
                domain: domain.to_owned(),
                id: external_id.clone(),
                name: name.clone(),
                kind: kind.to_owned(),
                deprecated: flag("x_mitre_deprecated"),
                revoked: flag("revoked"),
                revoked_by: None,
                replacement: None,
                revocation_cycle: None,
                tactics: Vec::new(),
            });
        }
        Ok(())
    }

    /// The catalogue of every object read: revoked-by chains followed, relationships
    /// between live objects added.
    ///
    /// # Errors
    /// No object with an ATT&CK ID, an ID with too many rows, or an object with more
    /// than [`MAX_RELATED`] relationships of one kind.
    fn finish(self) -> Result<Catalogue, String> {
        let StixRead {
            version,
            bundle_domain,
            stix_to_id,
            revoked_by,
            relationships,
            dead,
            mut entries,
            stix_ids,
            phases,
            tactic_ids,
        } = self;
        for (entry, phases) in entries.iter_mut().zip(&phases) {
            for (chain, phase) in phases {
                if kill_chain_domain(chain) != Some(entry.domain.as_str()) {
                    continue;
                }
                if let Some(id) = tactic_ids.get(&(entry.domain.clone(), phase.clone())) {
                    if !entry.tactics.contains(id) {
                        entry.tactics.push(id.clone());
                    }
                }
            }
        }
        for (entry, stix_id) in entries.iter_mut().zip(stix_ids) {
            let mut next = revoked_by.get(&*stix_id);
            entry.revoked_by = next.and_then(|t| stix_to_id.get(t)).cloned();
            let mut seen = 0;
            let mut last = None;
            while let Some(target) = next {
                last = stix_to_id.get(target).cloned();
                next = revoked_by.get(target);
                seen += 1;
                if seen > 32 {
                    break;
                }
            }
            entry.replacement = last;
        }
        // A domain's bundle also lists the other domains of shared objects (software used on
        // Enterprise and Mobile); those rows belong to the other domain's own release.
        if let Some(domain) = bundle_domain
            .clone()
            .filter(|d| entries.iter().any(|e| &e.domain == d))
        {
            entries.retain(|e| e.domain == domain);
        }
        if entries.is_empty() {
            return Err("the STIX bundle holds no object with an ATT&CK ID".to_owned());
        }
        let relations_domain = bundle_domain.unwrap_or_else(|| entries[0].domain.clone());
        let mut c = Catalogue::from_entries(entries, version)?;
        for (source, relation, target) in relationships {
            if dead.contains(&source) || dead.contains(&target) {
                continue;
            }
            if let (Some(s), Some(t)) = (stix_to_id.get(&source), stix_to_id.get(&target)) {
                c.relations.add(&relations_domain, s, relation, t);
            }
        }
        if let Some((id, relation, n)) = c.relations.widest().filter(|w| w.2 > MAX_RELATED) {
            return Err(format!(
                "`{id}` has {n} `{relation}` relationships in one domain, over the limit of {MAX_RELATED}"
            ));
        }
        Ok(c)
    }
}

/// The fields of a STIX object that [`StixRead::object`] reads; the loader keeps only these
/// of each object and skips every other field unbuilt (descriptions, references' URLs,
/// ...: most of a bundle's bytes).
const STIX_FIELDS: [&str; 14] = [
    "type",
    "id",
    "name",
    "x_mitre_version",
    "relationship_type",
    "source_ref",
    "target_ref",
    "revoked",
    "x_mitre_deprecated",
    "x_mitre_is_subtechnique",
    "x_mitre_domains",
    "external_references",
    "kill_chain_phases",
    "x_mitre_shortname",
];

/// Calls `each` with every element of a STIX bundle's `objects` array, in order, one at a
/// time: a JSON object holding only its [`STIX_FIELDS`] (a later duplicate key wins, as
/// when the bundle was one `serde_json::Value`), or an empty object for an element that is
/// no object. Other top-level keys are skipped unbuilt. Memory is one object's kept fields,
/// not the bundle's tree (a 148 MB bundle took 1.9 GB as one `Value`).
///
/// Returns the bundle's top-level `type` when it is a string.
///
/// # Errors
/// The first error `each` returns, as it is; else invalid JSON, no `objects` array, two of
/// them, or an `objects` that is no array ("not a STIX bundle: …").
fn for_each_stix_object(
    text: &str,
    mut each: impl FnMut(&serde_json::Value) -> Result<(), String>,
) -> Result<Option<String>, String> {
    let mut failed = None;
    let mut kind = None;
    let mut de = serde_json::Deserializer::from_str(text);
    let read = serde::Deserializer::deserialize_map(
        &mut de,
        stix_stream::Bundle {
            each: &mut each,
            failed: &mut failed,
            kind: &mut kind,
        },
    )
    .and_then(|()| de.end());
    match (failed, read) {
        (Some(e), _) => Err(e),
        (None, Err(e)) => Err(format!("not a STIX bundle: {e}")),
        (None, Ok(())) => Ok(kind),
    }
}

/// serde visitors of [`for_each_stix_object`]: the bundle, its `objects` array and one
/// object, each driven by serde_json's streaming deserializer.
mod stix_stream {
    use serde::de::{DeserializeSeed, Error, IgnoredAny, MapAccess, SeqAccess, Visitor};

    type Each<'a> = &'a mut dyn FnMut(&serde_json::Value) -> Result<(), String>;

    /// The bundle's top-level object.
    pub(super) struct Bundle<'a, 'e> {
        pub(super) each: &'a mut (dyn FnMut(&serde_json::Value) -> Result<(), String> + 'e),
        pub(super) failed: &'a mut Option<String>,
        /// The top-level `type`, when it is a string (the last one, as in a JSON tree).
        pub(super) kind: &'a mut Option<String>,
    }

    impl<'de> Visitor<'de> for Bundle<'_, '_> {
        type Value = ();

        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("a STIX bundle object")
        }

        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
            let mut objects = false;
            while let Some(key) = map.next_key::<std::borrow::Cow<'de, str>>()? {
                if key == "type" {
                    *self.kind = map.next_value_seed(Kind)?;
                    continue;
                }
                if key != "objects" {
                    map.next_value::<IgnoredAny>()?;
                    continue;
                }
                if objects {
                    return Err(A::Error::custom("two `objects` arrays"));
                }
                objects = true;
                map.next_value_seed(Objects {
                    each: &mut *self.each,
                    failed: &mut *self.failed,
                })?;
            }
            if objects {
                Ok(())
            } else {
                Err(A::Error::custom("no `objects` array"))
            }
        }
    }

    /// The `objects` array: each element read, handed on and dropped before the next.
    struct Objects<'a> {
        each: Each<'a>,
        failed: &'a mut Option<String>,
    }

    impl<'de> DeserializeSeed<'de> for Objects<'_> {
        type Value = ();

        fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
            d.deserialize_seq(self)
        }
    }

    impl<'de> Visitor<'de> for Objects<'_> {
        type Value = ();

        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("an `objects` array")
        }

        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
            while let Some(obj) = seq.next_element_seed(Object)? {
                if let Err(e) = (self.each)(&serde_json::Value::Object(obj)) {
                    *self.failed = Some(e);
                    return Err(A::Error::custom("stopped"));
                }
            }
            Ok(())
        }
    }

    /// The bundle's `type`: a string, or `None` for any other value (read unbuilt).
    struct Kind;

    impl<'de> DeserializeSeed<'de> for Kind {
        type Value = Option<String>;

        fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
            d.deserialize_any(self)
        }
    }

    impl<'de> Visitor<'de> for Kind {
        type Value = Option<String>;

        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("a bundle's type")
        }

        fn visit_str<E: Error>(self, v: &str) -> Result<Self::Value, E> {
            Ok(Some(v.to_owned()))
        }

        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
            while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
            Ok(None)
        }

        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
            while seq.next_element::<IgnoredAny>()?.is_some() {}
            Ok(None)
        }

        fn visit_bool<E: Error>(self, _: bool) -> Result<Self::Value, E> {
            Ok(None)
        }

        fn visit_i64<E: Error>(self, _: i64) -> Result<Self::Value, E> {
            Ok(None)
        }

        fn visit_u64<E: Error>(self, _: u64) -> Result<Self::Value, E> {
            Ok(None)
        }

        fn visit_f64<E: Error>(self, _: f64) -> Result<Self::Value, E> {
            Ok(None)
        }

        fn visit_unit<E: Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
    }

    /// One element of `objects`, with only the fields the catalogue reads.
    struct Object;

    type Fields = serde_json::Map<String, serde_json::Value>;

    impl<'de> DeserializeSeed<'de> for Object {
        type Value = Fields;

        fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<Fields, D::Error> {
            d.deserialize_any(self)
        }
    }

    impl<'de> Visitor<'de> for Object {
        type Value = Fields;

        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("a STIX object")
        }

        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Fields, A::Error> {
            let mut kept = Fields::new();
            while let Some(key) = map.next_key::<std::borrow::Cow<'de, str>>()? {
                if super::STIX_FIELDS.contains(&&*key) {
                    kept.insert(key.into_owned(), map.next_value()?);
                } else {
                    map.next_value::<IgnoredAny>()?;
                }
            }
            Ok(kept)
        }

        // An element that is no object has none of the fields: it is skipped, as before.
        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Fields, A::Error> {
            while seq.next_element::<IgnoredAny>()?.is_some() {}
            Ok(Fields::new())
        }

        fn visit_bool<E: Error>(self, _: bool) -> Result<Fields, E> {
            Ok(Fields::new())
        }

        fn visit_i64<E: Error>(self, _: i64) -> Result<Fields, E> {
            Ok(Fields::new())
        }

        fn visit_u64<E: Error>(self, _: u64) -> Result<Fields, E> {
            Ok(Fields::new())
        }

        fn visit_f64<E: Error>(self, _: f64) -> Result<Fields, E> {
            Ok(Fields::new())
        }

        fn visit_str<E: Error>(self, _: &str) -> Result<Fields, E> {
            Ok(Fields::new())
        }

        fn visit_unit<E: Error>(self) -> Result<Fields, E> {
            Ok(Fields::new())
        }
    }
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

/// The kill chain phases of a STIX object: (`kill_chain_name`, `phase_name`).
/// Only ATT&CK's kill chains are kept, and at most [`MAX_PHASES`] phases, each name at
/// most [`MAX_FIELD_BYTES`]: a hostile bundle's phases are copied per domain.
fn kill_chain_phases(obj: &serde_json::Value) -> Vec<(String, String)> {
    obj.get("kill_chain_phases")
        .and_then(serde_json::Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|p| {
            let field = |k: &str| p.get(k).and_then(serde_json::Value::as_str);
            let (chain, phase) = (field("kill_chain_name")?, field("phase_name")?);
            (kill_chain_domain(chain).is_some() && phase.len() <= MAX_FIELD_BYTES)
                .then(|| (chain.to_owned(), phase.to_owned()))
        })
        .take(MAX_PHASES)
        .collect()
}

/// Most kill chain phases kept of one STIX object (ATT&CK's techniques have at most a
/// handful, one per tactic).
const MAX_PHASES: usize = 64;

/// The domain whose tactics a kill chain's phases name (ATT&CK's three kill chains; any
/// other, none).
fn kill_chain_domain(chain: &str) -> Option<&'static str> {
    match chain {
        "mitre-attack" => Some("enterprise-attack"),
        "mitre-mobile-attack" => Some("mobile-attack"),
        "mitre-ics-attack" => Some("ics-attack"),
        _ => None,
    }
}

/// A comma-separated list of IDs, trimmed, empty ones dropped.
fn id_list(text: &str) -> Vec<String> {
    text.split(',')
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(str::to_owned)
        .collect()
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
    fn rows_per_id_and_relationships_per_object_are_bounded() {
        let header = "domain\tattack_id\tname\ttype\tdeprecated\trevoked\n";
        let rows = |n: usize| {
            let mut t = header.to_owned();
            for i in 0..n {
                t.push_str(&format!("d{i}\tT1000\tName\ttechnique\tfalse\tfalse\n"));
            }
            t
        };
        assert!(Catalogue::from_tsv(&rows(MAX_ROWS_PER_ID)).is_ok());
        let err = Catalogue::from_tsv(&rows(MAX_ROWS_PER_ID + 1)).unwrap_err();
        assert!(err.contains("more than 64 rows"), "{err}");
        let mut objects = vec![
            serde_json::json!({"type": "intrusion-set", "id": "g--1", "name": "G",
            "external_references": [{"source_name": "mitre-attack", "external_id": "G0001"}]}),
        ];
        for i in 0..=MAX_RELATED {
            objects.push(serde_json::json!({"type": "attack-pattern", "id": format!("ap--{i}"), "name": "T",
                "external_references": [{"source_name": "mitre-attack", "external_id": format!("T{i}")}]}));
            objects.push(
                serde_json::json!({"type": "relationship", "relationship_type": "uses",
                "source_ref": "g--1", "target_ref": format!("ap--{i}")}),
            );
        }
        let bundle = serde_json::json!({"type": "bundle", "objects": objects}).to_string();
        let err = Catalogue::from_text(&bundle, "b.json").unwrap_err();
        assert!(
            err.contains("`G0001` has 10001 `uses` relationships"),
            "{err}"
        );
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
    fn bundles_replace_only_their_own_domain() {
        let bundle = |domain: &str, version: &str, id: &str| {
            format!(
                r#"{{"type": "bundle", "objects": [
              {{"type": "x-mitre-collection", "x_mitre_version": "{version}"}},
              {{"type": "x-mitre-matrix", "external_references": [{{"source_name": "mitre-attack", "external_id": "{domain}"}}]}},
              {{"type": "attack-pattern", "id": "ap--1", "name": "New", "x_mitre_domains": ["{domain}"],
               "external_references": [{{"source_name": "mitre-attack", "external_id": "{id}"}}]}},
              {{"type": "malware", "id": "m--1", "name": "Shared", "x_mitre_domains": ["{domain}", "ics-attack"],
               "external_references": [{{"source_name": "mitre-attack", "external_id": "S9999"}}]}}
            ]}}"#
            )
        };
        let mut c = Catalogue::built_in();
        c.merge(
            Catalogue::from_text(&bundle("enterprise-attack", "19.0", "T1999"), "e.json").unwrap(),
        );
        assert!(c
            .lookup("T1999", IdKind::Technique, Some("enterprise-attack"))
            .is_some());
        assert!(
            !c.all("T1036")
                .iter()
                .any(|e| e.domain == "enterprise-attack"),
            "the enterprise rows are the bundle's"
        );
        assert!(
            c.lookup("T0800", IdKind::Technique, Some("ics-attack"))
                .is_some(),
            "ICS stays built in"
        );
        assert!(
            c.all("S9999")
                .iter()
                .all(|e| e.domain == "enterprise-attack"),
            "a shared object's other domain belongs to that domain's release"
        );
        c.merge(Catalogue::from_text(&bundle("mobile-attack", "19.0", "T1998"), "m.json").unwrap());
        assert_eq!(
            c.releases.get("enterprise-attack").map(String::as_str),
            Some("ATT&CK v19.0 (from e.json)")
        );
        assert_eq!(
            c.version,
            "enterprise-attack: ATT&CK v19.0 (from e.json); mobile-attack: ATT&CK v19.0 (from m.json); ics-attack, pre-attack: ATT&CK v18.1 (built in)"
        );
    }

    /// The built-in catalogue names its releases before parsing its rows, the same as
    /// from its rows; parsed when first asked, it answers as one parsed at once.
    #[test]
    fn built_in_rows_are_parsed_when_first_asked() {
        let lazy = Catalogue::built_in();
        assert!(lazy.rows.get().is_none());
        let mut parsed = Catalogue::from_tsv(BUILT_IN).unwrap();
        parsed.add_tactics(BUILT_IN_TACTICS);
        parsed.set_version("ATT&CK v18.1 (built in)");
        assert_eq!(lazy.releases, parsed.releases);
        assert_eq!(lazy.releases.len(), 4, "{:?}", lazy.releases);
        assert_eq!(lazy.version, parsed.version);
        assert!(lazy.rows.get().is_none());
        for id in ["T1566", "T1059.001", "TA0005", "M1040", "G0016", "T1086"] {
            assert_eq!(lazy.all(id), parsed.all(id), "{id}");
        }
        assert_eq!(lazy.highest_number("T"), parsed.highest_number("T"));
        assert_eq!(lazy.entries().count(), parsed.entries().count());

        let mut merged = Catalogue::built_in();
        let mut newer = Catalogue::from_tsv(
            "domain\tattack_id\tname\ttype\tdeprecated\trevoked\nics-attack\tT0800\tActivate\tattack-pattern\tfalse\tfalse\n",
        )
        .unwrap();
        newer.set_version("ATT&CK v99.0");
        merged.merge(newer);
        assert!(merged.all("T1566").len() == lazy.all("T1566").len());
        assert_eq!(merged.all("T0800").len(), 1);
        assert!(
            merged
                .entries()
                .filter(|e| e.domain == "ics-attack")
                .count()
                == 1
        );
    }

    #[test]
    fn highest_numbers_follow_the_rows() {
        assert_eq!(split_id("T1562.013"), ("T1562.", 13));
        assert_eq!(split_id("TA0112"), ("TA", 112));
        let mut c = Catalogue::built_in();
        assert_eq!(c.highest_number("TA"), Some(111));
        assert_eq!(c.highest_number("T"), Some(1681));
        assert_eq!(c.highest_number("X"), None);
        let tsv = "domain\tattack_id\tname\ttype\tdeprecated\trevoked\n\
                   enterprise-attack\tT1999\tNew\ttechnique\tfalse\tfalse\n\
                   enterprise-attack\tT1999.004\tSub\ttechnique\tfalse\tfalse\n";
        let mut newer = Catalogue::from_tsv(tsv).unwrap();
        newer.set_version("ATT&CK v20.0 (from e.tsv)");
        c.merge(newer);
        assert_eq!(c.highest_number("T"), Some(1999));
        assert_eq!(c.highest_number("T1999."), Some(4));
        assert_eq!(
            c.highest_number("TA"),
            Some(111),
            "other domains' tactics stay"
        );
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

    /// Found by the `catalogue` fuzz target: TSV cells had no size limit (STIX fields did).
    #[test]
    fn tsv_cells_are_bounded() {
        let header = "domain\tattack_id\tname\ttype\tdeprecated\trevoked\n";
        let long = "x".repeat(MAX_FIELD_BYTES + 1);
        let row = format!("enterprise-attack\tT1059\t{long}\ttechnique\tfalse\tfalse\n");
        assert_eq!(
            Catalogue::from_tsv(&format!("{header}{row}")).unwrap_err(),
            "catalogue TSV row 2 has a cell of 1025 bytes, over the limit of 1024"
        );
        let fits = row.replace(&long, &"x".repeat(MAX_FIELD_BYTES));
        assert!(Catalogue::from_tsv(&format!("{header}{fits}")).is_ok());
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

    #[test]
    fn tactics_come_from_kill_chain_phases_of_the_domain() {
        let c = Catalogue::built_in();
        let tactics = |id: &str, domain: &str| {
            c.lookup(id, IdKind::Technique, Some(domain))
                .map(|e| e.tactics.clone())
                .unwrap_or_default()
        };
        assert_eq!(
            tactics("T1574.001", "enterprise-attack"),
            ["TA0003", "TA0004", "TA0005"]
        );
        assert_eq!(tactics("T1112", "enterprise-attack"), ["TA0005", "TA0003"]);
        assert!(c
            .lookup("TA0003", IdKind::Tactic, None)
            .unwrap()
            .tactics
            .is_empty());
        let bundle = r#"{"type": "bundle", "objects": [
            {"type": "x-mitre-tactic", "id": "x-mitre-tactic--1", "name": "Stealth",
             "x_mitre_shortname": "stealth", "x_mitre_domains": ["enterprise-attack"],
             "external_references": [{"source_name": "mitre-attack", "external_id": "TA0005"}]},
            {"type": "x-mitre-tactic", "id": "x-mitre-tactic--2", "name": "Defense Impairment",
             "x_mitre_shortname": "defense-impairment", "x_mitre_domains": ["enterprise-attack"],
             "external_references": [{"source_name": "mitre-attack", "external_id": "TA0112"}]},
            {"type": "attack-pattern", "id": "attack-pattern--1", "name": "Impair Defenses",
             "x_mitre_domains": ["enterprise-attack"],
             "kill_chain_phases": [
                {"kill_chain_name": "mitre-attack", "phase_name": "defense-impairment"},
                {"kill_chain_name": "lockheed", "phase_name": "stealth"},
                {"kill_chain_name": "mitre-attack", "phase_name": "no-such-tactic"}],
             "external_references": [{"source_name": "mitre-attack", "external_id": "T1685"}]}
        ]}"#;
        let v19 = Catalogue::from_stix(bundle).unwrap();
        let entry = v19.lookup("T1685", IdKind::Technique, None).unwrap();
        assert_eq!(entry.tactics, ["TA0112"]);
        let tsv = "domain\tattack_id\tname\ttype\tdeprecated\trevoked\ttactics\nenterprise-attack\tT1685\tImpair Defenses\ttechnique\tfalse\tfalse\tTA0112, TA0005\n";
        let from_tsv = Catalogue::from_tsv(tsv).unwrap();
        assert_eq!(
            from_tsv
                .lookup("T1685", IdKind::Technique, None)
                .unwrap()
                .tactics,
            ["TA0112", "TA0005"]
        );
    }

    /// The streamed bundle reads as the whole JSON tree did: other top-level keys and
    /// fields skipped, elements that are no object ignored, escaped strings decoded, the
    /// last of a repeated field kept; and says what is wrong with a bundle that is not one.
    #[test]
    fn stix_objects_are_read_one_at_a_time() {
        let bundle = r#"{"spec_version": "2.0", "extra": {"objects": [1, [2]]}, "objects": [
          1, "x", null, [{"type": "attack-pattern"}], true,
          {"type": "attack-pattern", "id": "ap--1", "name": "First", "name": "T\u00e9ch\nnique",
           "description": {"deep": [[[["skipped"]]]]}, "x_mitre_domains": ["enterprise-attack", 7],
           "external_references": [{"source_name": "capec"}, {"source_name": "mitre-attack", "external_id": "T1000"}]}
        ], "type": "bundle"}"#;
        let c = Catalogue::from_stix(bundle).unwrap();
        let row = c.lookup("T1000", IdKind::Technique, None).unwrap();
        assert_eq!(
            (row.name.as_str(), row.domain.as_str()),
            ("Téch nique", "enterprise-attack")
        );
        let error = |text: &str| Catalogue::from_stix(text).unwrap_err();
        assert!(error(r#"{"type": "bundle"}"#).contains("no `objects` array"));
        assert!(error(r#"{"objects": [], "objects": []}"#).contains("two `objects` arrays"));
        assert!(error(r#"{"objects": {}}"#).contains("expected an `objects` array"));
        assert!(error(r#"{"objects": [{"type": "x"}"#).starts_with("not a STIX bundle: "));
        assert!(error(r#"{"objects": []} trailing"#).contains("trailing characters"));
    }
}
