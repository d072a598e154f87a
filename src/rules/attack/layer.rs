//! ATT&CK Navigator layers kept in a vault: read, checked against the catalogue, and the
//! plan that upgrades them. One home for what `check` reports on a layer
//! (`attack-layer-outdated`, `attack-layer-unknown-id`, `attack-invalid-layer`) and what
//! `attack upgrade` changes in it: the rules' fixes are this plan's edits.
//!
//! A layer is told by its content, not its file name: a JSON object whose top level has
//! the `techniques` key and `versions` or `domain`, as Navigator writes every layer (format
//! 4.x; 3.x layers have `domain`). Each entry of `techniques` must be an object with a
//! string `techniqueID`. Navigator drops revoked IDs silently when it loads an old layer,
//! so the check reports them with their replacement.
//!
//! The plan edits the layer's text in place: a technique ID's JSON string replaced, an
//! entry removed with its separator, `versions.attack` replaced, every other byte kept. It
//! is applied to the text and parsed again: the result must equal the layer with exactly
//! those values changed, else there is no plan (a layout the edits cannot follow).

use std::collections::{BTreeMap, HashSet};
use std::ops::Range;

use serde_json::value::RawValue;
use serde_json::Value;

use crate::diagnostic::Edit;

use super::release::{parse_release, Release};
use super::{Catalogue, IdKind};

/// What a JSON file of the vault is, read as a layer.
#[derive(Debug, Clone)]
pub(crate) enum Read {
    /// Not a Navigator layer (any other JSON, or not JSON and without a layer's keys).
    NotLayer,
    /// Has a layer's keys, but Navigator could not load it: why, and where (byte range).
    Invalid {
        /// What is wrong, e.g. the JSON parser's message.
        message: String,
        /// The byte range in the text it is about.
        at: Range<usize>,
    },
    /// A layer.
    Layer(Layer),
}

/// A Navigator layer, with where its values sit in the text.
#[derive(Debug, Clone)]
pub(crate) struct Layer {
    /// The whole layer, parsed.
    pub value: Value,
    /// The catalogue domain it names (`domain`; the 3.x names `mitre-enterprise`,
    /// `mitre-mobile`, `mitre-ics` read as `enterprise-attack`, …; none: Enterprise, as
    /// Navigator assumes).
    pub domain: String,
    /// `versions.attack` as written, and the byte range of its JSON string (quotes
    /// included).
    pub attack_version: Option<(String, Range<usize>)>,
    /// The `techniques` entries, in order.
    pub entries: Vec<LayerEntry>,
}

/// One entry of a layer's `techniques`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct LayerEntry {
    /// The entry's byte range (its `{`…`}`).
    pub span: Range<usize>,
    /// Its `techniqueID`.
    pub id: String,
    /// The byte range of the `techniqueID` JSON string, quotes included.
    pub id_span: Range<usize>,
    /// Its `tactic` (a tactic's `x_mitre_shortname`): Navigator keys an entry by technique
    /// and tactic; `None` applies the entry to every tactic of the technique.
    pub tactic: Option<String>,
}

/// Byte range of `raw` inside `text` (it is a slice of it).
fn range_in(text: &str, raw: &RawValue) -> Range<usize> {
    let start = raw.get().as_ptr() as usize - text.as_ptr() as usize;
    start..start + raw.get().len()
}

/// A JSON object's members by key, each as written (last one wins, as in
/// `serde_json::Value`).
type Members<'t> = BTreeMap<String, &'t RawValue>;

/// Reads a JSON file of the vault as a Navigator layer.
pub(crate) fn read(text: &str) -> Read {
    // Most JSON files are not layers: a layer's keys must appear before anything is parsed.
    if !text.contains("\"techniques\"")
        || !(text.contains("\"versions\"") || text.contains("\"domain\""))
    {
        return Read::NotLayer;
    }
    let top: Members<'_> = match serde_json::from_str::<&RawValue>(text)
        .and_then(|raw| serde_json::from_str::<Members<'_>>(raw.get()))
    {
        Ok(top) => top,
        Err(e) if e.is_syntax() || e.is_eof() => {
            let at = offset_of(text, e.line(), e.column());
            return Read::Invalid {
                message: format!("not valid JSON: {e}"),
                at: at..at,
            };
        }
        // Valid JSON, but not an object: not a layer.
        Err(_) => return Read::NotLayer,
    };
    if !top.contains_key("techniques")
        || !(top.contains_key("versions") || top.contains_key("domain"))
    {
        return Read::NotLayer;
    }
    match layer_of(text, &top) {
        Ok(layer) => Read::Layer(layer),
        Err((message, at)) => Read::Invalid { message, at },
    }
}

/// The layer whose top-level members are `top`, or what Navigator would reject and where.
fn layer_of(text: &str, top: &Members<'_>) -> Result<Layer, (String, Range<usize>)> {
    let value: Value = serde_json::from_str(text).map_err(|e| (e.to_string(), 0..0))?;
    let at = |raw: &RawValue| range_in(text, raw);
    let domain = match top.get("domain") {
        None => "enterprise-attack".to_owned(),
        Some(raw) => match serde_json::from_str::<String>(raw.get()) {
            Ok(d) => catalogue_domain(&d),
            Err(_) => return Err(("`domain` is not a string".to_owned(), at(raw))),
        },
    };
    let attack_version = match top.get("versions") {
        None => None,
        Some(raw) => {
            let versions: Members<'_> = serde_json::from_str(raw.get())
                .map_err(|_| ("`versions` is not an object".to_owned(), at(raw)))?;
            match versions.get("attack") {
                None => None,
                Some(v) => match serde_json::from_str::<String>(v.get()) {
                    Ok(s) => Some((s, at(v))),
                    Err(_) => {
                        return Err(("`versions.attack` is not a string".to_owned(), at(v)));
                    }
                },
            }
        }
    };
    let techniques = top.get("techniques").copied();
    let raw_entries: Vec<&RawValue> = match techniques {
        Some(raw) => serde_json::from_str(raw.get())
            .map_err(|_| ("`techniques` is not an array".to_owned(), at(raw)))?,
        None => Vec::new(),
    };
    let mut entries = Vec::with_capacity(raw_entries.len());
    for (i, raw) in raw_entries.into_iter().enumerate() {
        let members: Members<'_> = serde_json::from_str(raw.get()).map_err(|_| {
            (
                format!("entry {} of `techniques` is not an object", i + 1),
                at(raw),
            )
        })?;
        let Some(id_raw) = members.get("techniqueID") else {
            return Err((
                format!("entry {} of `techniques` has no `techniqueID`", i + 1),
                at(raw),
            ));
        };
        let id: String = serde_json::from_str(id_raw.get()).map_err(|_| {
            (
                format!("the `techniqueID` of entry {} is not a string", i + 1),
                at(id_raw),
            )
        })?;
        let tactic = members
            .get("tactic")
            .and_then(|t| serde_json::from_str::<String>(t.get()).ok());
        entries.push(LayerEntry {
            span: at(raw),
            id,
            id_span: at(id_raw),
            tactic,
        });
    }
    Ok(Layer {
        value,
        domain,
        attack_version,
        entries,
    })
}

/// The byte offset of a 1-based line and column (serde_json counts the column in bytes).
fn offset_of(text: &str, line: usize, column: usize) -> usize {
    let start: usize = text
        .split_inclusive('\n')
        .take(line.saturating_sub(1))
        .map(str::len)
        .sum();
    let mut at = (start + column.saturating_sub(1)).min(text.len());
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    at
}

/// The catalogue domain a layer's `domain` names.
fn catalogue_domain(written: &str) -> String {
    match written {
        "mitre-enterprise" | "" => "enterprise-attack".to_owned(),
        "mitre-mobile" => "mobile-attack".to_owned(),
        "mitre-ics" => "ics-attack".to_owned(),
        d => d.to_owned(),
    }
}

/// What is wrong with a technique ID of a layer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Status {
    /// ATT&CK revoked it (replaced it by another object).
    Revoked,
    /// ATT&CK deprecated it (no longer maintained).
    Deprecated,
    /// The catalogue does not know it.
    Unknown,
}

impl Status {
    /// How a message says it: `revoked`, `deprecated`, `unknown`.
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Status::Revoked => "revoked",
            Status::Deprecated => "deprecated",
            Status::Unknown => "unknown",
        }
    }
}

/// A technique ID of a layer that is revoked, deprecated or unknown.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct LayerIssue {
    /// Its entry, an index into [`Layer::entries`].
    pub entry: usize,
    /// The `techniqueID` as written.
    pub id: String,
    /// What is wrong with it.
    pub status: Status,
    /// The ID that replaces it (end of the revoked-by chain), when ATT&CK names one.
    pub replacement: Option<String>,
    /// The catalogue's name of the ID, when it knows it.
    pub name: Option<String>,
}

/// A layer checked against the catalogue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct LayerCheck {
    /// The release of the layer's domain in the catalogue (`None`: the catalogue does not
    /// hold the domain).
    pub release: Option<Release>,
    /// The release `versions.attack` names (Navigator writes the major version, `"14"`).
    pub layer_release: Option<Release>,
    /// Each technique ID that is revoked, deprecated or unknown, in layer order.
    pub issues: Vec<LayerIssue>,
}

impl LayerCheck {
    /// `versions.attack` names an older release than the catalogue's (by major version
    /// when the layer gives only that, as Navigator does).
    pub(crate) fn older(&self) -> bool {
        match (self.layer_release, self.release) {
            (Some(layer), Some(catalogue)) => compare(layer, catalogue).is_lt(),
            _ => false,
        }
    }

    /// `versions.attack` names a newer release than the catalogue's: the catalogue cannot
    /// judge IDs that release added.
    pub(crate) fn newer(&self) -> bool {
        match (self.layer_release, self.release) {
            (Some(layer), Some(catalogue)) => compare(layer, catalogue).is_gt(),
            _ => false,
        }
    }
}

/// Compares a layer's release with the catalogue's: by major version alone when the
/// layer's has no minor (`"18"` is the release of v18.1).
fn compare(layer: Release, catalogue: Release) -> std::cmp::Ordering {
    if layer.1 == 0 {
        layer.0.cmp(&catalogue.0)
    } else {
        layer.cmp(&catalogue)
    }
}

/// Checks a layer's technique IDs and `versions.attack` against the catalogue.
pub(crate) fn check(layer: &Layer, catalogue: &Catalogue) -> LayerCheck {
    let mut issues = Vec::new();
    for (i, entry) in layer.entries.iter().enumerate() {
        let id = entry.id.as_str();
        let kind = IdKind::Technique;
        let found = catalogue
            .lookup(id, kind, Some(&layer.domain))
            .or_else(|| catalogue.lookup(id, kind, None));
        let (status, replacement, name) = match found {
            None => (Status::Unknown, None, None),
            Some(e) if e.revoked => (Status::Revoked, e.replacement.clone(), Some(&e.name)),
            Some(e) if e.deprecated => (Status::Deprecated, e.replacement.clone(), Some(&e.name)),
            Some(_) => continue,
        };
        issues.push(LayerIssue {
            entry: i,
            id: id.to_owned(),
            status,
            replacement,
            name: name.cloned(),
        });
    }
    LayerCheck {
        release: catalogue
            .releases
            .get(&layer.domain)
            .and_then(|r| parse_release(r)),
        layer_release: layer
            .attack_version
            .as_ref()
            .and_then(|(v, _)| parse_release(v)),
        issues,
    }
}

/// What the upgrade does to one outdated entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Action {
    /// Its `techniqueID` becomes the replacement.
    Relabel(String),
    /// It is removed: the layer already lists the replacement for the same tactic
    /// (Navigator keys an entry by technique and tactic, and would show one of the two,
    /// dropping the other's score and comment).
    Remove(String),
}

/// One outdated entry's part of a layer's upgrade.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Planned {
    /// The issue it settles, an index into [`LayerCheck::issues`].
    pub issue: usize,
    /// The entry, an index into [`Layer::entries`].
    pub entry: usize,
    /// What happens to the entry.
    pub action: Action,
    /// The text edits that carry it out.
    pub edits: Vec<Edit>,
}

/// The upgrade of one layer: per outdated entry with a replacement, its action and
/// edits; and the edit of `versions.attack`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct LayerPlan {
    /// Per issue with a replacement, in layer order.
    pub actions: Vec<Planned>,
    /// `versions.attack` set to the catalogue's major version, when it is older and no
    /// technique ID would be left that the catalogue's release does not have: a layer
    /// that says it is of a release must hold that release's IDs.
    pub version: Option<(String, Edit)>,
}

/// The edits that upgrade a layer (`text`, read as `layer`, checked as `checked`): each
/// revoked or deprecated ID with a replacement relabelled, or its entry removed when the
/// layer already lists the replacement for the same tactic; `versions.attack` set to the
/// catalogue's major version when nothing the release lacks is left. `None` when nothing
/// changes, or when the edits would not give exactly that layer.
pub(crate) fn plan(text: &str, layer: &Layer, checked: &LayerCheck) -> Option<LayerPlan> {
    let entries = &layer.entries;
    let replaced: Vec<Option<(usize, &str)>> = (0..entries.len())
        .map(|entry| {
            let issue = checked.issues.iter().position(|i| i.entry == entry)?;
            Some((issue, checked.issues[issue].replacement.as_deref()?))
        })
        .collect();
    let mut listed: HashSet<(&str, Option<&str>)> = entries
        .iter()
        .zip(&replaced)
        .filter(|(_, r)| r.is_none())
        .map(|(e, _)| (e.id.as_str(), e.tactic.as_deref()))
        .collect();
    let mut decided: Vec<(usize, usize, Action)> = Vec::new();
    for (entry, (e, r)) in entries.iter().zip(&replaced).enumerate() {
        let Some((issue, new)) = *r else { continue };
        // The first entry relabelled to an ID takes its (ID, tactic) key; a later one with
        // the same key goes.
        let action = if listed.insert((new, e.tactic.as_deref())) {
            Action::Relabel(new.to_owned())
        } else {
            Action::Remove(new.to_owned())
        };
        decided.push((entry, issue, action));
    }
    let mut removed = vec![false; entries.len()];
    for (entry, _, action) in &decided {
        removed[*entry] = matches!(action, Action::Remove(_));
    }
    let actions: Vec<Planned> = decided
        .into_iter()
        .map(|(entry, issue, action)| {
            let edit = match &action {
                Action::Relabel(new) => {
                    let span = &entries[entry].id_span;
                    Edit::replace(span.start, span.end, Value::from(new.as_str()).to_string())
                }
                Action::Remove(_) => {
                    let range = removal(entries, &removed, entry);
                    Edit::replace(range.start, range.end, "")
                }
            };
            Planned {
                issue,
                entry,
                action,
                edits: vec![edit],
            }
        })
        .collect();
    let left = checked.issues.iter().any(|i| i.replacement.is_none());
    let version = match (&layer.attack_version, checked.release) {
        (Some((_, span)), Some(release)) if checked.older() && !left => {
            let major = release.0.to_string();
            let edit = Edit::replace(
                span.start,
                span.end,
                Value::from(major.as_str()).to_string(),
            );
            Some((major, edit))
        }
        _ => None,
    };
    if actions.is_empty() && version.is_none() {
        return None;
    }
    let planned = LayerPlan { actions, version };
    let all: Vec<&Edit> = planned.edits().collect();
    let got: Value = serde_json::from_str(&apply(text, &all)).ok()?;
    (got == expected(layer, &planned)).then_some(planned)
}

impl LayerPlan {
    /// Every edit of the plan.
    pub(crate) fn edits(&self) -> impl Iterator<Item = &Edit> {
        self.actions
            .iter()
            .flat_map(|p| &p.edits)
            .chain(self.version.as_ref().map(|(_, e)| e))
    }

    /// The part of the plan that settles issue `issue`.
    pub(crate) fn for_issue(&self, issue: usize) -> Option<&Planned> {
        self.actions.iter().find(|p| p.issue == issue)
    }
}

/// The text of entry `i` and its separator, removed: in a run of removed entries that a
/// kept entry follows, each with the separator after it; in a run that ends the array
/// (after a kept entry), each with the separator before it.
fn removal(entries: &[LayerEntry], removed: &[bool], i: usize) -> Range<usize> {
    let run_ends_array = removed[i..].iter().all(|&r| r);
    let kept_before = removed[..i].iter().any(|&r| !r);
    if run_ends_array && kept_before {
        entries[i - 1].span.end..entries[i].span.end
    } else if i + 1 < entries.len() {
        entries[i].span.start..entries[i + 1].span.start
    } else {
        entries[i].span.clone()
    }
}

/// `text` with `edits` (non-overlapping) applied.
fn apply(text: &str, edits: &[&Edit]) -> String {
    let mut sorted: Vec<&Edit> = edits.to_vec();
    sorted.sort_by_key(|e| e.start);
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for e in sorted {
        out.push_str(&text[at..e.start]);
        out.push_str(&e.replacement);
        at = e.end;
    }
    out.push_str(&text[at..]);
    out
}

/// The layer as the plan must leave it.
fn expected(layer: &Layer, plan: &LayerPlan) -> Value {
    let mut value = layer.value.clone();
    if let Some(techniques) = value.get_mut("techniques").and_then(Value::as_array_mut) {
        let mut remove = Vec::new();
        for p in &plan.actions {
            match &p.action {
                Action::Relabel(new) => {
                    if let Some(t) = techniques.get_mut(p.entry) {
                        t["techniqueID"] = Value::from(new.as_str());
                    }
                }
                Action::Remove(_) => remove.push(p.entry),
            }
        }
        remove.sort_unstable();
        for i in remove.into_iter().rev() {
            techniques.remove(i);
        }
    }
    if let Some((v, _)) = &plan.version {
        value["versions"]["attack"] = Value::from(v.as_str());
    }
    value
}

#[cfg(test)]
mod tests {
    use super::*;

    const LAYER: &str = r#"{
  "name": "old layer",
  "versions": { "attack": "14", "navigator": "4.9.1", "layer": "4.5" },
  "domain": "enterprise-attack",
  "techniques": [
    { "techniqueID": "T1574.002", "score": 1, "comment": "says \"techniqueID\": \"T1\"" },
    {"techniqueID":"T1059","score":2},
    { "techniqueID": "T1556.999" }
  ]
}
"#;

    fn layer(text: &str) -> Layer {
        match read(text) {
            Read::Layer(l) => l,
            other => panic!("not a layer: {other:?}"),
        }
    }

    fn upgraded(text: &str) -> Option<String> {
        let catalogue = Catalogue::built_in();
        let l = layer(text);
        plan(text, &l, &check(&l, &catalogue)).map(|p| apply(text, &p.edits().collect::<Vec<_>>()))
    }

    #[test]
    fn tells_layers_by_their_keys() {
        assert!(matches!(read(LAYER), Read::Layer(_)));
        assert!(matches!(read(r#"{"techniques": []}"#), Read::NotLayer));
        assert!(matches!(
            read(r#"{"nodes": [], "edges": []}"#),
            Read::NotLayer
        ));
        assert!(matches!(read("not json"), Read::NotLayer));
        // The keys nested, not at the top: another JSON file.
        assert!(matches!(
            read(r#"{"data": {"techniques": [], "domain": "x"}}"#),
            Read::NotLayer
        ));
        assert!(matches!(
            read(r#"["techniques", "domain"]"#),
            Read::NotLayer
        ));
    }

    #[test]
    fn a_broken_layer_says_what_and_where() {
        let text = "{\n  \"domain\": \"enterprise-attack\",\n  \"techniques\": [\n    {\"techniqueID\": \"T1059\",}\n  ]\n}\n";
        let Read::Invalid { message, at } = read(text) else {
            panic!("not invalid")
        };
        assert!(message.starts_with("not valid JSON"), "{message}");
        assert_eq!(&text[at.start..at.start + 1], "}");
        let text = r#"{"domain": "enterprise-attack", "techniques": [{"techniqueID": 1059}]}"#;
        let Read::Invalid { message, at } = read(text) else {
            panic!("not invalid")
        };
        assert_eq!(message, "the `techniqueID` of entry 1 is not a string");
        assert_eq!(&text[at], "1059");
        let text = r#"{"versions": {"attack": 14}, "techniques": []}"#;
        assert!(matches!(read(text), Read::Invalid { .. }));
        let text = r#"{"domain": "enterprise-attack", "techniques": [{"score": 1}]}"#;
        assert!(matches!(read(text), Read::Invalid { .. }));
    }

    #[test]
    fn finds_the_values_in_the_text() {
        let l = layer(LAYER);
        assert_eq!(l.domain, "enterprise-attack");
        let (v, span) = l.attack_version.clone().unwrap();
        assert_eq!((v.as_str(), &LAYER[span]), ("14", "\"14\""));
        let ids: Vec<&str> = l
            .entries
            .iter()
            .map(|e| &LAYER[e.id_span.clone()])
            .collect();
        assert_eq!(ids, ["\"T1574.002\"", "\"T1059\"", "\"T1556.999\""]);
    }

    #[test]
    fn checks_ids_and_release() {
        let catalogue = Catalogue::built_in();
        let l = layer(LAYER);
        let checked = check(&l, &catalogue);
        assert_eq!(checked.release, Some((18, 1)));
        assert!(checked.older() && !checked.newer());
        let ids: Vec<(&str, Status)> = checked
            .issues
            .iter()
            .map(|i| (i.id.as_str(), i.status))
            .collect();
        assert_eq!(
            ids,
            [
                ("T1574.002", Status::Revoked),
                ("T1556.999", Status::Unknown)
            ]
        );
        let newer = layer(r#"{"versions": {"attack": "19"}, "techniques": []}"#);
        assert!(check(&newer, &catalogue).newer());
        let same = layer(r#"{"versions": {"attack": "18"}, "techniques": []}"#);
        let same = check(&same, &catalogue);
        assert!(!same.newer() && !same.older());
    }

    #[test]
    fn upgrades_ids_keeping_every_other_byte() {
        // An unknown ID is left: the version stays, since the layer would not be v18's.
        assert_eq!(
            upgraded(LAYER).unwrap(),
            LAYER.replacen("\"T1574.002\"", "\"T1574.001\"", 1)
        );
        let known = LAYER.replacen("T1556.999", "T1556.001", 1);
        let new = upgraded(&known).unwrap();
        assert_eq!(
            new,
            known
                .replacen("\"T1574.002\"", "\"T1574.001\"", 1)
                .replacen("\"attack\": \"14\"", "\"attack\": \"18\"", 1)
        );
        assert_eq!(upgraded(&new), None, "a second upgrade changes nothing");
    }

    #[test]
    fn an_entry_whose_replacement_is_listed_is_removed_not_duplicated() {
        for (text, want) in [
            (
                r#"{"versions": {"attack": "18"}, "techniques": [{"techniqueID": "T1574.001", "score": 2}, {"techniqueID": "T1574.002", "score": 1}]}"#,
                r#"{"versions": {"attack": "18"}, "techniques": [{"techniqueID": "T1574.001", "score": 2}]}"#,
            ),
            (
                "{\"versions\": {\"attack\": \"18\"}, \"techniques\": [\n  {\"techniqueID\": \"T1574.002\"},\n  {\"techniqueID\": \"T1574.002\", \"tactic\": \"persistence\"},\n  {\"techniqueID\": \"T1574.001\"}\n]}",
                "{\"versions\": {\"attack\": \"18\"}, \"techniques\": [\n  {\"techniqueID\": \"T1574.001\", \"tactic\": \"persistence\"},\n  {\"techniqueID\": \"T1574.001\"}\n]}",
            ),
            (
                r#"{"versions": {"attack": "18"}, "techniques": [{"techniqueID": "T1574.002"}, {"techniqueID": "T1574.002"}]}"#,
                r#"{"versions": {"attack": "18"}, "techniques": [{"techniqueID": "T1574.001"}]}"#,
            ),
            // Several removed in a row, before and after a kept entry.
            (
                r#"{"domain": "enterprise-attack", "techniques": [{"techniqueID": "T1574.002"}, {"techniqueID": "T1574.001"}, {"techniqueID": "T1574.002"}, {"techniqueID": "T1574.002"}]}"#,
                r#"{"domain": "enterprise-attack", "techniques": [{"techniqueID": "T1574.001"}]}"#,
            ),
        ] {
            assert_eq!(upgraded(text).unwrap(), want, "{text}");
        }
    }
}
