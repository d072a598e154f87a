//! The relationship tables of a note, for `attack-stale-relationship` and
//! `attack-missing-relationship`.
//!
//! A table's shape is known from the kind of the note's own ID and the kind of the IDs in
//! its ID column (the column headed `ID`, else the first): in a mitigation note, technique
//! rows are the techniques it mitigates; in a technique note, mitigation rows are what
//! mitigates it, group, software and campaign rows are what uses it (one table for all
//! three, as ATT&CK's "Procedure Examples"), and in a technique (not a sub-technique) note,
//! sub-technique rows are its sub-techniques; in a group, software or campaign note,
//! technique rows and software rows are what it uses. Other tables are not checked.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use crate::diagnostic::Span;

use super::relations::Relation;
use super::{catalogue_entry, labelled_links, AttackContext, IdKind};

/// One checked table (or one class of rows in it): its rows and what ATT&CK says.
pub(crate) struct RelationshipTable {
    /// The note's own ID.
    pub id: String,
    /// The domain its relationships are looked up in; `None` (a note outside any domain
    /// folder, such as a group listing Enterprise and Mobile techniques): every domain.
    pub domain: Option<String>,
    /// The domain its object was found in, for names.
    pub name_domain: String,
    pub relation: Relation,
    /// `false`: the note's object is the relationship's source (`M1013` mitigates rows);
    /// `true`: the rows are the sources (rows mitigate `T1036`).
    pub reverse: bool,
    /// The row IDs, each once, with the span of its first link and the link as written.
    pub rows: BTreeMap<String, (Span, String)>,
    /// The IDs ATT&CK relates to the note this way, in the rows' kinds.
    pub expected: BTreeSet<String>,
    /// The same in every domain: a row of another domain's object (Enterprise techniques
    /// copied into an ICS folder) is checked against its own domain's relationships.
    pub anywhere: BTreeSet<String>,
    /// The span of the table's first row link, where a missing-rows finding points.
    pub first: Span,
    /// The table's header row (shared by every row of the table, which is how its rows are
    /// told from another table's).
    pub header: Arc<[String]>,
    /// The 0-based index of the ID column: the one headed `ID`, else the first.
    pub id_column: usize,
}

impl RelationshipTable {
    /// "`M1013` mitigates `T1036`" for one row, with the right subject and object.
    pub(crate) fn statement(&self, row: &str, negated: bool) -> String {
        let (source, target) = if self.reverse {
            (row, self.id.as_str())
        } else {
            (self.id.as_str(), row)
        };
        let verb = match (self.relation, negated) {
            (Relation::Mitigates, false) => "mitigates",
            (Relation::Mitigates, true) => "does not mitigate",
            (Relation::Uses, false) => "uses",
            (Relation::Uses, true) => "does not use",
            (Relation::SubtechniqueOf, false) => "is a sub-technique of",
            (Relation::SubtechniqueOf, true) => "is not a sub-technique of",
        };
        format!("`{source}` {verb} `{target}`")
    }
}

/// Which relationship a row of `row` kind in a note of `note` kind stands for, and the row
/// kinds that share its table.
fn shape(note: IdKind, note_id: &str, row: IdKind) -> Option<(Relation, bool, &'static [IdKind])> {
    use IdKind::{Campaign, Group, Mitigation, Software, Technique};
    const USERS: &[IdKind] = &[Group, Software, Campaign];
    match (note, row) {
        (Mitigation, Technique) => Some((Relation::Mitigates, false, &[Technique])),
        (Group | Software | Campaign, Technique) => Some((Relation::Uses, false, &[Technique])),
        (Group | Campaign, Software) => Some((Relation::Uses, false, &[Software])),
        (Technique, Mitigation) => Some((Relation::Mitigates, true, &[Mitigation])),
        (Technique, Group | Software | Campaign) => Some((Relation::Uses, true, USERS)),
        (Technique, Technique) if !note_id.contains('.') => {
            Some((Relation::SubtechniqueOf, true, &[Technique]))
        }
        _ => None,
    }
}

/// The note's relationship tables, when its own ID is a live ATT&CK object.
pub(crate) fn relationship_tables(ctx: &AttackContext<'_>) -> Vec<RelationshipTable> {
    let index = ctx.index;
    let Some(primary) = index.primary(ctx.id) else {
        return Vec::new();
    };
    let Some(entry) = catalogue_entry(index, ctx.id, &primary.id, primary.kind)
        .filter(|e| !e.revoked && !e.deprecated)
    else {
        return Vec::new();
    };
    // The domain the note's object was found in: vaults that copy Enterprise notes into
    // every domain folder are checked against Enterprise's relationships.
    let name_domain = entry.domain.clone();
    let domain = index.domain(ctx.id).map(|_| name_domain.clone());
    if !index.catalogue.relations.domains().contains(&name_domain) {
        return Vec::new();
    }
    // Rows by table (its header row, shared by the table's rows) and relationship.
    let mut tables: Vec<RelationshipTable> = Vec::new();
    let mut keys: Vec<(*const [String], Relation, bool)> = Vec::new();
    for l in labelled_links(ctx) {
        let Some(cell) = &l.link.table() else {
            continue;
        };
        let Some(header) = &cell.header else { continue };
        let id_column = header
            .iter()
            .position(|c| c.trim().eq_ignore_ascii_case("ID"))
            .unwrap_or(0);
        if cell.index != id_column || l.id == primary.id {
            continue;
        }
        let Some((relation, reverse, _)) = shape(primary.kind, &primary.id, l.kind) else {
            continue;
        };
        // A technique note's rows of other techniques (related techniques) are not its
        // sub-technique table.
        if relation == Relation::SubtechniqueOf
            && !l
                .id
                .strip_prefix(primary.id.as_str())
                .is_some_and(|r| r.starts_with('.'))
        {
            continue;
        }
        let key = (Arc::as_ptr(header), relation, reverse);
        let at = match keys.iter().position(|k| *k == key) {
            Some(i) => i,
            None => {
                keys.push(key);
                tables.push(RelationshipTable {
                    id: primary.id.clone(),
                    domain: domain.clone(),
                    name_domain: name_domain.clone(),
                    relation,
                    reverse,
                    rows: BTreeMap::new(),
                    expected: BTreeSet::new(),
                    anywhere: BTreeSet::new(),
                    first: l.link.span,
                    header: Arc::clone(header),
                    id_column,
                });
                tables.len() - 1
            }
        };
        tables[at]
            .rows
            .entry(l.id.clone())
            .or_insert((l.link.span, l.link.original().to_string()));
    }
    let config = &index.config;
    let relations = &index.catalogue.relations;
    for t in &mut tables {
        let present: BTreeSet<IdKind> = t.rows.keys().filter_map(|r| config.kind_of(r)).collect();
        let Some((_, _, kinds)) = present
            .iter()
            .find_map(|&k| shape(primary.kind, &primary.id, k))
        else {
            continue;
        };
        // One kind alone (a table of software only) expects only that kind.
        let kinds: Vec<IdKind> = if present.len() > 1 {
            kinds.to_vec()
        } else {
            present.iter().copied().collect()
        };
        let related = if t.reverse {
            relations.sources(t.domain.as_deref(), t.relation, &t.id)
        } else {
            relations.targets(t.domain.as_deref(), t.relation, &t.id)
        };
        let fits = |r: &&str| config.kind_of(r).is_some_and(|k| kinds.contains(&k));
        t.expected = related
            .into_iter()
            .filter(fits)
            .map(str::to_owned)
            .collect();
        let anywhere = if t.reverse {
            relations.sources(None, t.relation, &t.id)
        } else {
            relations.targets(None, t.relation, &t.id)
        };
        t.anywhere = anywhere
            .into_iter()
            .filter(fits)
            .map(str::to_owned)
            .collect();
    }
    tables
}

impl RelationshipTable {
    /// Whether ATT&CK has the row's relationship: in the table's domain, or, for a row
    /// whose object is not in that domain, in any domain.
    pub(crate) fn has(&self, ctx: &AttackContext<'_>, row: &str) -> bool {
        if self.expected.contains(row) {
            return true;
        }
        let Some(domain) = &self.domain else {
            return false;
        };
        let row_domain = ctx
            .index
            .config
            .kind_of(row)
            .and_then(|k| ctx.index.catalogue.lookup(row, k, Some(domain)))
            .map(|e| e.domain.as_str());
        row_domain != Some(domain.as_str()) && self.anywhere.contains(row)
    }
}

/// An ID's name in the note's domain, for messages: `` `T1036` (Masquerading) ``.
pub(crate) fn named(ctx: &AttackContext<'_>, domain: &str, id: &str) -> String {
    let kind = ctx.index.config.kind_of(id);
    match kind.and_then(|k| ctx.index.catalogue.lookup(id, k, Some(domain))) {
        Some(e) => format!("`{id}` ({})", e.name),
        None => format!("`{id}`"),
    }
}

/// The release a domain is checked against (every domain's when `None`), for messages.
pub(crate) fn release(ctx: &AttackContext<'_>, domain: Option<&str>) -> String {
    let c = &ctx.index.catalogue;
    domain
        .and_then(|d| c.releases.get(d))
        .cloned()
        .unwrap_or_else(|| c.version.clone())
}

/// Whether a row's ID is a live object the catalogue knows: unknown, revoked and
/// deprecated rows are the ID rules' findings, not relationship findings.
pub(crate) fn live(ctx: &AttackContext<'_>, domain: &str, id: &str) -> bool {
    ctx.index
        .config
        .kind_of(id)
        .and_then(|k| ctx.index.catalogue.lookup(id, k, Some(domain)))
        .is_some_and(|e| !e.revoked && !e.deprecated)
}
