//! The vault's layout, read from the vault itself: how each folder's file names arrange a
//! note's ATT&CK ID and name, whether names write `_` for a space, and which front matter
//! keys state a note's ID.
//!
//! Generators differ: vincenzocaputo writes `Name.md` with the ID in `aliases`, reuteras
//! `Name - ID.md`, FancyP4nda `ID - Name.md`, others `ID-Name_With_Underscores.md` or the ID
//! under a key of their own (`mitre_id`, `technique_ids`, `mitre: {id: …}`). The layout is
//! inferred per layout folder (the nearest kind folder, else the note's own folder) from
//! what most of its notes do, so one odd file name does not change how the others read.

use std::collections::{BTreeMap, HashMap, HashSet};

use crate::index::Vault;

use super::model::{
    file_stem, property_id, Arrangement, AttackConfig, FolderLayout, IdKind, Layout, PathFacts,
    Stem, STANDARD_KEYS,
};

/// Whether a key path names an identifier (`id`, `mitre_id`, `technique_ids`, `mitre.id`,
/// `externalId`).
fn id_like_key(key: &str) -> bool {
    let last = key.rsplit('.').next().unwrap_or(key);
    last.ends_with("id") || last.ends_with("ids")
}

#[derive(Default)]
struct KeyStats {
    notes: usize,
    agree: usize,
    disagree: usize,
    values: HashSet<String>,
    repeated: bool,
    /// Every value was an attack.mitre.org address: the page the note was made from.
    urls_only: bool,
}

#[derive(Default)]
struct FolderStats {
    kind: Option<IdKind>,
    notes: usize,
    /// Notes per arrangement, by its place in [`Arrangement::ALL`].
    arrangements: [usize; Arrangement::ALL.len()],
    underscored: usize,
    spaced: usize,
    keys: BTreeMap<String, KeyStats>,
}

/// Infers every layout folder's layout from the vault's notes (file names and outlines).
///
/// `facts` holds each file's [`PathFacts`] and `splits` each note's file name split by
/// [`super::model::split_stem`] (empty for other files), parallel to the vault's files.
pub(crate) fn infer(
    vault: &Vault,
    config: &AttackConfig,
    facts: &[PathFacts],
    splits: &[Vec<Stem<'_>>],
) -> Layout {
    // What each note's path says (its layout folder and its file name read as an ID and
    // a name) was worked out by the index. A layout folder's notes mostly come in runs:
    // its statistics are looked up when a run starts, not for every note.
    let mut stats: Vec<(&str, FolderStats)> = Vec::new();
    let mut seen: HashMap<&str, usize> = HashMap::new();
    let mut last: Option<(&str, usize)> = None;
    for (file, (facts, split)) in facts.iter().zip(splits).enumerate() {
        let Some(outline) = vault.outline(file) else {
            continue;
        };
        let path = vault.path(file);
        if !path.ends_with(".md") {
            continue;
        }
        let folder = facts.layout_folder(path);
        let at = match last {
            Some((f, at)) if f == folder => at,
            _ => {
                let at = *seen.entry(folder).or_insert_with(|| {
                    let kind = config
                        .kind_folder(&format!("{folder}/_.md"))
                        .filter(|(f, _)| *f == folder)
                        .map(|(_, k)| k);
                    stats.push((
                        folder,
                        FolderStats {
                            kind,
                            ..FolderStats::default()
                        },
                    ));
                    stats.len() - 1
                });
                last = Some((folder, at));
                at
            }
        };
        let s = &mut stats[at].1;
        s.notes += 1;
        let first = split.first();
        let arrangement = first.map_or(Arrangement::Name, |s| s.arrangement);
        s.arrangements[arrangement as usize] += 1;
        let name = first.map_or_else(|| file_stem(path), |s| s.name);
        // One pass for both: two searches cost more on names this short.
        let (underscore, space) = name.bytes().fold((false, false), |(u, sp), b| {
            (u || b == b'_', sp || b == b' ')
        });
        if underscore && !space {
            s.underscored += 1;
        } else if space {
            s.spaced += 1;
        }
        let file_id = first.and_then(|s| s.id).map(|(id, _)| id);
        let mut seen: HashSet<&str> = HashSet::new();
        for (key, value) in &outline.identifiers {
            if STANDARD_KEYS.contains(&&**key) {
                continue;
            }
            let Some((id, _)) = property_id(value, config) else {
                continue;
            };
            let k = s.keys.entry(key.to_string()).or_insert_with(|| KeyStats {
                urls_only: true,
                ..KeyStats::default()
            });
            k.urls_only &= config.kind_of(value).is_none();
            if seen.insert(key) {
                k.notes += 1;
            }
            match file_id {
                Some(f) if f == id => k.agree += 1,
                Some(_) => k.disagree += 1,
                None => {}
            }
            if !k.values.insert(id) {
                k.repeated = true;
            }
        }
    }
    let folders = stats
        .into_iter()
        .map(|(folder, s)| {
            let arrangement = Arrangement::ALL
                .into_iter()
                .zip(s.arrangements)
                .filter(|&(_, n)| n > 0)
                .max_by_key(|&(a, n)| (n, std::cmp::Reverse(a)))
                .map(|(a, _)| a);
            let id_keys = s
                .keys
                .iter()
                .filter(|(key, k)| {
                    let compared = k.agree + k.disagree;
                    if compared > 0 {
                        // Where the file names carry IDs, a key that says the same is the
                        // note's ID under whatever name the generator chose.
                        k.agree * 5 >= compared * 4 && (k.agree >= 2 || id_like_key(key))
                    } else {
                        // Otherwise only an identifier key, or a key of attack.mitre.org
                        // addresses, whose values no two notes share: `related_tactic_id`
                        // repeats across a tactic's notes.
                        (id_like_key(key) || k.urls_only) && !k.repeated
                    }
                })
                .map(|(key, _)| key.clone())
                .collect();
            (
                folder.to_owned(),
                FolderLayout {
                    kind: s.kind,
                    notes: s.notes,
                    arrangement,
                    underscores: s.underscored > s.spaced,
                    id_keys,
                },
            )
        })
        .collect();
    Layout { folders }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::attack::model::split_stem;

    fn first(stem: &str) -> Option<(String, String, &'static str)> {
        let c = AttackConfig::default();
        split_stem(stem, &c).first().map(|s| {
            (
                s.name.to_owned(),
                s.id.map_or(String::new(), |(id, _)| id.to_owned()),
                s.arrangement.shown(),
            )
        })
    }

    #[test]
    fn file_names_carry_ids_in_any_arrangement() {
        let t = |name: &str, id: &str, a: &'static str| Some((name.to_owned(), id.to_owned(), a));
        assert_eq!(
            first("Masquerading - T1036"),
            t("Masquerading", "T1036", "Name - ID")
        );
        assert_eq!(first("T1059 - Command"), t("Command", "T1059", "ID - Name"));
        assert_eq!(
            first("T1078.001-Default_Accounts"),
            t("Default_Accounts", "T1078.001", "ID-Name")
        );
        assert_eq!(first("T1059_Name"), t("Name", "T1059", "ID_Name"));
        assert_eq!(
            first("TA0005 Defense Evasion"),
            t("Defense Evasion", "TA0005", "ID Name")
        );
        assert_eq!(
            first("Phishing (T1566)"),
            t("Phishing", "T1566", "Name (ID)")
        );
        assert_eq!(
            first("T1136.001 Detection Strategy - Local Account Creation - DET0447"),
            t(
                "T1136.001 Detection Strategy - Local Account Creation",
                "DET0447",
                "Name - ID"
            )
        );
        assert_eq!(first("T9000"), None);
        assert_eq!(first("Masquerading"), None);
        assert_eq!(first("TL0004 - Mimikatz"), None);
    }

    /// `FolderStats::arrangements` counts each arrangement at its discriminant.
    #[test]
    fn arrangements_are_counted_at_their_place() {
        for (i, a) in Arrangement::ALL.into_iter().enumerate() {
            assert_eq!(a as usize, i, "{a:?}");
        }
    }

    #[test]
    fn id_keys_are_named_like_identifiers() {
        assert!(id_like_key("mitre_id"));
        assert!(id_like_key("mitre.id"));
        assert!(id_like_key("technique_ids"));
        assert!(!id_like_key("related_tactic"));
    }
}
