//! ATT&CK Navigator layers kept in a vault: recognised by their shape (a JSON object with a
//! `techniques` array of objects holding `techniqueID`, and a `versions` object or a
//! `domain`; layer format 4.x), checked against the catalogue and upgraded: each revoked or
//! deprecated technique ID with a replacement becomes that replacement, and
//! `versions.attack` becomes the release's major version. Navigator itself drops revoked IDs
//! silently when it loads an old layer. Pure: text in, text out.
//!
//! The upgrade edits the layer's text in place (every other byte kept, its formatting too)
//! and parses the result again: it must equal the layer with exactly those values changed.

use serde_json::Value;

use crate::rules::attack::{Catalogue, IdKind};

/// What is wrong with one technique ID of a layer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct LayerIssue {
    /// The `techniqueID` as written.
    pub id: String,
    /// `revoked`, `deprecated` or `unknown`.
    pub status: &'static str,
    /// The ID that replaces it (end of the revoked-by chain), when ATT&CK names one.
    pub replacement: Option<String>,
    /// The catalogue's name of the ID, when it knows it.
    pub name: Option<String>,
}

/// A layer checked against the catalogue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct LayerCheck {
    /// The layer's catalogue domain (`domain`, `mitre-enterprise` read as
    /// `enterprise-attack`).
    pub domain: String,
    /// `versions.attack` as written.
    pub attack_version: Option<String>,
    /// The release's major version for the layer's domain, e.g. `18`.
    pub release_version: Option<String>,
    /// Each technique ID that is revoked, deprecated or unknown, in layer order.
    pub issues: Vec<LayerIssue>,
}

/// The parsed layer, when `text` has a Navigator layer's shape.
pub(crate) fn parse(text: &str) -> Option<Value> {
    let value: Value = serde_json::from_str(text).ok()?;
    let obj = value.as_object()?;
    let techniques = obj.get("techniques")?.as_array()?;
    let shaped = techniques
        .iter()
        .all(|t| t.get("techniqueID").is_some_and(Value::is_string))
        && (obj.get("versions").is_some_and(Value::is_object)
            || obj.get("domain").is_some_and(Value::is_string));
    shaped.then_some(value)
}

/// The catalogue domain a layer names.
fn domain_of(layer: &Value) -> String {
    let written = layer.get("domain").and_then(Value::as_str).unwrap_or("");
    match written {
        "mitre-enterprise" | "" => "enterprise-attack".to_owned(),
        "mitre-mobile" => "mobile-attack".to_owned(),
        "mitre-ics" => "ics-attack".to_owned(),
        d => d.to_owned(),
    }
}

/// The major version (`18`) of a release description such as "ATT&CK v18.1 (built in)".
pub(crate) fn major_version(release: &str) -> Option<String> {
    let at = release
        .find(" v")
        .map(|i| i + 2)
        .or_else(|| release.strip_prefix('v').map(|_| 1))?;
    let digits: String = release[at..]
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    (!digits.is_empty()).then_some(digits)
}

/// Checks a parsed layer's technique IDs against the catalogue.
pub(crate) fn check(layer: &Value, catalogue: &Catalogue) -> LayerCheck {
    let domain = domain_of(layer);
    let mut issues = Vec::new();
    for t in layer
        .get("techniques")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let Some(id) = t.get("techniqueID").and_then(Value::as_str) else {
            continue;
        };
        let kind = IdKind::Technique;
        let entry = catalogue
            .lookup(id, kind, Some(&domain))
            .or_else(|| catalogue.lookup(id, kind, None));
        let issue = match entry {
            None => Some(LayerIssue {
                id: id.to_owned(),
                status: "unknown",
                replacement: None,
                name: None,
            }),
            Some(e) if e.revoked || e.deprecated => Some(LayerIssue {
                id: id.to_owned(),
                status: if e.revoked { "revoked" } else { "deprecated" },
                replacement: e.replacement.clone(),
                name: Some(e.name.clone()),
            }),
            Some(_) => None,
        };
        issues.extend(issue);
    }
    LayerCheck {
        release_version: catalogue
            .releases
            .get(&domain)
            .and_then(|r| major_version(r)),
        attack_version: layer
            .get("versions")
            .and_then(|v| v.get("attack"))
            .and_then(Value::as_str)
            .map(str::to_owned),
        domain,
        issues,
    }
}

/// A layer upgraded: its new text, and the technique entries removed because the layer
/// already lists their replacement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Upgraded {
    /// The layer's new text.
    pub text: String,
    /// Each removed entry's old ID and its replacement.
    pub removed: Vec<(String, String)>,
}

/// The `techniques` array of a layer, each entry as written (a slice of the text).
#[derive(serde::Deserialize)]
struct Entries<'a> {
    #[serde(borrow)]
    techniques: Vec<&'a serde_json::value::RawValue>,
}

/// The upgraded text of a layer: each ID with a replacement replaced, and `versions.attack`
/// set to the release's major version. An entry whose replacement the layer already lists
/// for the same tactic (Navigator keys an entry by technique and tactic) is removed rather
/// than duplicated: Navigator would show one of the two and drop the other's score and
/// comment. `None` when nothing changes, or when the text edits would not give exactly
/// that layer (a layout the scanner does not follow).
pub(crate) fn upgrade(text: &str, layer: &Value, checked: &LayerCheck) -> Option<Upgraded> {
    let replace = |id: &str| {
        checked
            .issues
            .iter()
            .find(|i| i.id == id)
            .and_then(|i| i.replacement.clone())
    };
    let entries: Entries<'_> = serde_json::from_str(text).ok()?;
    let base = text.as_ptr() as usize;
    let spans: Vec<std::ops::Range<usize>> = entries
        .techniques
        .iter()
        .map(|raw| {
            let start = raw.get().as_ptr() as usize - base;
            start..start + raw.get().len()
        })
        .collect();
    let parsed: Vec<(String, Option<String>)> = layer
        .get("techniques")
        .and_then(Value::as_array)?
        .iter()
        .map(|t| {
            let field = |k: &str| t.get(k).and_then(Value::as_str).map(str::to_owned);
            (field("techniqueID").unwrap_or_default(), field("tactic"))
        })
        .collect();
    if parsed.len() != spans.len() {
        return None;
    }
    let mut listed: std::collections::HashSet<(String, Option<String>)> = parsed
        .iter()
        .filter(|(id, _)| replace(id).is_none())
        .cloned()
        .collect();
    let mut edits: Vec<(std::ops::Range<usize>, String)> = Vec::new();
    let mut removed_at: Vec<usize> = Vec::new();
    let mut removed = Vec::new();
    let mut relabelled: Vec<(usize, String)> = Vec::new();
    for (i, (id, tactic)) in parsed.iter().enumerate() {
        let Some(new) = replace(id) else { continue };
        if listed.insert((new.clone(), tactic.clone())) {
            let span = &spans[i];
            let found = string_values(&text[span.clone()], "techniqueID");
            let [(range, _)] = &found[..] else {
                return None;
            };
            edits.push((
                span.start + range.start..span.start + range.end,
                new.clone(),
            ));
            relabelled.push((i, new));
        } else {
            removed_at.push(i);
            removed.push((id.clone(), new));
        }
    }
    let mut skip_to = 0;
    for &i in &removed_at {
        if i < skip_to {
            continue;
        }
        // The entry goes with the separator before it; the first entry with the one after
        // it, up to the next entry kept.
        let range = if i > 0 {
            spans[i - 1].end..spans[i].end
        } else {
            match (1..spans.len()).find(|j| !removed_at.contains(j)) {
                Some(j) => {
                    skip_to = j;
                    spans[0].start..spans[j].start
                }
                None => {
                    skip_to = spans.len();
                    spans[0].start..spans[spans.len() - 1].end
                }
            }
        };
        edits.push((range, String::new()));
    }
    let new_version = checked
        .release_version
        .as_ref()
        .filter(|v| checked.attack_version.as_ref().is_some_and(|a| a != *v));
    if let Some(v) = new_version {
        let found: Vec<_> = string_values(text, "attack")
            .into_iter()
            .filter(|(r, _)| !spans.iter().any(|s| s.contains(&r.start)))
            .collect();
        let [(range, _)] = &found[..] else {
            return None;
        };
        edits.push((range.clone(), v.clone()));
    }
    if edits.is_empty() {
        return None;
    }
    edits.sort_by_key(|(r, _)| r.start);
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for (range, new) in &edits {
        // A relabel inside a removed entry's range is dropped with it.
        if range.start < at {
            continue;
        }
        out.push_str(&text[at..range.start]);
        out.push_str(new);
        at = range.end;
    }
    out.push_str(&text[at..]);
    let mut expected = layer.clone();
    if let Some(techniques) = expected.get_mut("techniques").and_then(Value::as_array_mut) {
        for (i, new) in &relabelled {
            techniques[*i]["techniqueID"] = Value::from(new.as_str());
        }
        for &i in removed_at.iter().rev() {
            techniques.remove(i);
        }
    }
    if let Some(v) = new_version {
        expected["versions"]["attack"] = Value::from(v.as_str());
    }
    let got: Value = serde_json::from_str(&out).ok()?;
    (got == expected).then_some(Upgraded { text: out, removed })
}

/// Every string value of key `key` written as `"key": "value"`, with the byte range of the
/// value's characters (between its quotes); values holding escapes are skipped (no ATT&CK ID
/// or version has one).
fn string_values<'t>(text: &'t str, key: &str) -> Vec<(std::ops::Range<usize>, &'t str)> {
    let quoted = format!("\"{key}\"");
    let mut out = Vec::new();
    for (i, _) in text.match_indices(&quoted) {
        if text[..i].ends_with('\\') {
            continue;
        }
        let rest = &text[i + quoted.len()..];
        let after_ws = rest.trim_start();
        let Some(colon) = after_ws.strip_prefix(':') else {
            continue;
        };
        let value = colon.trim_start();
        let Some(inner) = value.strip_prefix('"') else {
            continue;
        };
        let Some(end) = inner.find('"') else { continue };
        let content = &inner[..end];
        if content.contains('\\') {
            continue;
        }
        let start = text.len() - inner.len();
        out.push((start..start + end, content));
    }
    out
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

    #[test]
    fn recognises_layers_by_shape() {
        assert!(parse(LAYER).is_some());
        assert!(parse(r#"{"techniques": []}"#).is_none());
        assert!(parse(r#"{"nodes": [], "edges": []}"#).is_none());
        assert!(parse("not json").is_none());
    }

    #[test]
    fn upgrades_ids_and_version_keeping_the_rest() {
        let catalogue = Catalogue::built_in();
        let layer = parse(LAYER).unwrap();
        let checked = check(&layer, &catalogue);
        assert_eq!(checked.release_version.as_deref(), Some("18"));
        let ids: Vec<(&str, &str)> = checked
            .issues
            .iter()
            .map(|i| (i.id.as_str(), i.status))
            .collect();
        assert_eq!(ids, [("T1574.002", "revoked"), ("T1556.999", "unknown")]);
        let new = upgrade(LAYER, &layer, &checked).unwrap();
        assert!(new.removed.is_empty());
        let new = new.text;
        assert_eq!(
            new,
            LAYER
                .replacen("\"T1574.002\"", "\"T1574.001\"", 1)
                .replacen("\"attack\": \"14\"", "\"attack\": \"18\"", 1)
        );
        let again = parse(&new).unwrap();
        assert!(upgrade(&new, &again, &check(&again, &catalogue)).is_none());
    }

    #[test]
    fn an_entry_whose_replacement_is_listed_is_removed_not_duplicated() {
        let catalogue = Catalogue::built_in();
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
        ] {
            let layer = parse(text).unwrap();
            let new = upgrade(text, &layer, &check(&layer, &catalogue)).unwrap();
            assert_eq!(new.text, want);
            assert!(!new.removed.is_empty());
            assert_eq!(new.removed[0], ("T1574.002".to_owned(), "T1574.001".to_owned()));
        }
    }

    #[test]
    fn reads_release_versions() {
        assert_eq!(
            major_version("ATT&CK v18.1 (built in)").as_deref(),
            Some("18")
        );
        assert_eq!(
            major_version("ATT&CK v19.0 (from x.json)").as_deref(),
            Some("19")
        );
        assert_eq!(major_version("unknown"), None);
    }
}
