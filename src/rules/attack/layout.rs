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

use super::model::{id_from_url, AttackConfig, IdKind};

/// How a file name arranges an ATT&CK ID and a name, as shown to users (`ID - Name`).
/// The strong arrangements (a ` - ` or `(…)` around the ID) are read in every folder; the
/// weak ones (`ID-Name`, `ID_Name`, `ID Name`, `Name_ID`, `Name ID`) only in folders whose
/// notes mostly use them, since a name may begin or end with an ID-shaped word.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) enum Arrangement {
    /// `Name.md`: the ID is elsewhere (properties, a callout, a heading).
    Name,
    /// `Name - ID.md` (also with an en dash).
    NameDashId,
    /// `Name (ID).md`.
    NameParenId,
    /// `ID - Name.md` (also with an en dash).
    IdDashName,
    /// `ID-Name.md`.
    IdHyphenName,
    /// `ID_Name.md`.
    IdUnderscoreName,
    /// `ID Name.md`.
    IdSpaceName,
    /// `Name_ID.md`.
    NameUnderscoreId,
    /// `Name ID.md`.
    NameSpaceId,
}

impl Arrangement {
    /// The arrangement as the summary and the JSON show it.
    pub(crate) fn shown(self) -> &'static str {
        match self {
            Arrangement::Name => "Name",
            Arrangement::NameDashId => "Name - ID",
            Arrangement::NameParenId => "Name (ID)",
            Arrangement::IdDashName => "ID - Name",
            Arrangement::IdHyphenName => "ID-Name",
            Arrangement::IdUnderscoreName => "ID_Name",
            Arrangement::IdSpaceName => "ID Name",
            Arrangement::NameUnderscoreId => "Name_ID",
            Arrangement::NameSpaceId => "Name ID",
        }
    }

    /// Whether the arrangement is read in every folder (see [`Arrangement`]).
    fn strong(self) -> bool {
        matches!(
            self,
            Arrangement::Name
                | Arrangement::NameDashId
                | Arrangement::NameParenId
                | Arrangement::IdDashName
        )
    }
}

/// A file name (without `.md`) split into its name and the ID it carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Stem<'a> {
    /// The name as written, before `_` and `／` are read.
    pub name: &'a str,
    /// The ID and its kind, when the file name carries one.
    pub id: Option<(&'a str, IdKind)>,
    /// How the two are arranged.
    pub arrangement: Arrangement,
}

/// Every way `stem` can carry an ID, the strong arrangements first (a detection strategy
/// `T1136.001 Detection Strategy - … - DET0447` carries DET0447, not T1136.001). A stem that
/// is only an ID (`T9000`, software named like a technique) carries none: it is a name.
pub(crate) fn split_stem<'a>(stem: &'a str, config: &AttackConfig) -> Vec<Stem<'a>> {
    let mut out = Vec::new();
    let id = |text: &'a str| {
        let text = text.trim();
        config.kind_of(text).map(|k| (text, k))
    };
    // Only ` - ID` may follow an empty name (` - A2411.md` still declares its ID).
    let mut push = |name: &'a str, found: Option<(&'a str, IdKind)>, arrangement| {
        if let Some(found) = found {
            if !name.trim().is_empty() || arrangement == Arrangement::NameDashId {
                out.push(Stem {
                    name: name.trim(),
                    id: Some(found),
                    arrangement,
                });
            }
        }
    };
    for dash in [" - ", " \u{2013} "] {
        if let Some((name, suffix)) = stem.rsplit_once(dash) {
            push(name, id(suffix), Arrangement::NameDashId);
        }
    }
    if let Some(inner) = stem.strip_suffix(')') {
        if let Some((name, suffix)) = inner.rsplit_once(" (") {
            push(name, id(suffix), Arrangement::NameParenId);
        }
    }
    let token_end = stem
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '.'))
        .unwrap_or(stem.len());
    let (token, rest) = stem.split_at(token_end);
    if config.kind_of(token).is_some() {
        for (sep, arrangement) in [
            (" - ", Arrangement::IdDashName),
            (" \u{2013} ", Arrangement::IdDashName),
            ("-", Arrangement::IdHyphenName),
            ("_", Arrangement::IdUnderscoreName),
            (" ", Arrangement::IdSpaceName),
        ] {
            if let Some(name) = rest.strip_prefix(sep) {
                push(name, id(token), arrangement);
                break;
            }
        }
    }
    for (sep, arrangement) in [
        ('_', Arrangement::NameUnderscoreId),
        (' ', Arrangement::NameSpaceId),
    ] {
        if let Some((name, suffix)) = stem.rsplit_once(sep) {
            if !name.ends_with([' ', '-', '\u{2013}', '(']) {
                push(name, id(suffix), arrangement);
            }
        }
    }
    out
}

/// What one layout folder's notes do.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct FolderLayout {
    /// The kind the folder's name says it holds, if it is a kind folder.
    pub kind: Option<IdKind>,
    /// Notes in it (at any depth below it, down to the next layout folder).
    pub notes: usize,
    /// How most of its file names arrange ID and name.
    pub arrangement: Option<Arrangement>,
    /// Its names write `_` for a space (`Valid_Accounts`): more names hold `_` and no space
    /// than hold a space.
    pub underscores: bool,
    /// Front matter keys, other than `aliases`, `alias`, `id` and `url`, under which its
    /// notes state their own ID (key paths as [`crate::parse::identifier_properties`] gives).
    pub id_keys: Vec<String>,
}

/// The layout of every layout folder of a vault, by folder path (`""` for the root).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Layout {
    pub folders: BTreeMap<String, FolderLayout>,
}

impl Layout {
    /// The layout of the folder a note at `path` is read by, if inferred.
    pub(crate) fn of(&self, config: &AttackConfig, path: &str) -> Option<&FolderLayout> {
        if self.folders.is_empty() {
            return None;
        }
        self.folders.get(layout_folder(config, path))
    }
}

/// The folder whose layout a note follows: its nearest kind folder, else its own folder;
/// folders that carry an ID (`TA0005 - Defense Evasion/`) are one object's folders, so their
/// parent is (every tactic folder follows one layout).
pub(crate) fn layout_folder<'p>(config: &AttackConfig, path: &'p str) -> &'p str {
    let mut folder = config
        .kind_folder(path)
        .map_or_else(|| path.rsplit_once('/').map_or("", |(f, _)| f), |(f, _)| f);
    while !folder.is_empty() {
        let (parent, name) = folder.rsplit_once('/').unwrap_or(("", folder));
        if split_stem(name, config).is_empty() {
            break;
        }
        folder = parent;
    }
    folder
}

/// Whether a key path names an identifier (`id`, `mitre_id`, `technique_ids`, `mitre.id`,
/// `externalId`).
fn id_like_key(key: &str) -> bool {
    let last = key.rsplit('.').next().unwrap_or(key);
    last.ends_with("id") || last.ends_with("ids")
}

/// The keys [`declared`](super::model::declared_ids) always reads.
pub(crate) const STANDARD_KEYS: [&str; 4] = ["aliases", "alias", "id", "url"];

/// The ID an identifier-like property value states, if any: an ID, or an attack.mitre.org
/// page address.
pub(crate) fn property_id(value: &str, config: &AttackConfig) -> Option<(String, IdKind)> {
    match config.kind_of(value) {
        Some(kind) => Some((value.trim().to_owned(), kind)),
        None => id_from_url(value, config),
    }
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
    arrangements: HashMap<Arrangement, usize>,
    underscored: usize,
    spaced: usize,
    keys: BTreeMap<String, KeyStats>,
}

/// Infers every layout folder's layout from the vault's notes (file names and outlines).
pub(crate) fn infer(vault: &Vault, config: &AttackConfig) -> Layout {
    let mut stats: BTreeMap<String, FolderStats> = BTreeMap::new();
    for file in 0..vault.files.len() {
        let Some(outline) = vault.outline(file) else {
            continue;
        };
        let path = vault.path(file);
        let Some(stem) = path.rsplit('/').next().and_then(|n| n.strip_suffix(".md")) else {
            continue;
        };
        let folder = layout_folder(config, path);
        let s = stats
            .entry(folder.to_owned())
            .or_insert_with(|| FolderStats {
                kind: config
                    .kind_folder(&format!("{folder}/_.md"))
                    .filter(|(f, _)| *f == folder)
                    .map(|(_, k)| k),
                ..FolderStats::default()
            });
        s.notes += 1;
        let split = split_stem(stem, config);
        let first = split.first();
        let arrangement = first.map_or(Arrangement::Name, |s| s.arrangement);
        *s.arrangements.entry(arrangement).or_default() += 1;
        let name = first.map_or(stem, |s| s.name);
        if name.contains('_') && !name.contains(' ') {
            s.underscored += 1;
        } else if name.contains(' ') {
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
            let arrangement = s
                .arrangements
                .iter()
                .max_by_key(|(a, n)| (**n, std::cmp::Reverse(**a)))
                .map(|(a, _)| *a);
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
                folder,
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

/// The file name's ID and name under the folder's layout: the first strong arrangement, or
/// the folder's own weak one.
pub(crate) fn read_stem<'a>(
    stem: &'a str,
    config: &AttackConfig,
    folder: Option<&FolderLayout>,
) -> Option<Stem<'a>> {
    split_stem(stem, config).into_iter().find(|s| {
        s.arrangement.strong() || folder.is_some_and(|f| f.arrangement == Some(s.arrangement))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

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

    #[test]
    fn id_keys_are_named_like_identifiers() {
        assert!(id_like_key("mitre_id"));
        assert!(id_like_key("mitre.id"));
        assert!(id_like_key("technique_ids"));
        assert!(!id_like_key("related_tactic"));
    }
}
