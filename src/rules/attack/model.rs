//! The ATT&CK model: ID kinds, the pack's configuration, which notes declare which IDs,
//! and which links are ID-labelled.
//!
//! A note declares an ID through a front matter `aliases` or `alias` entry that is an ID
//! (a comma-separated string is several entries), an `id` property, the ATT&CK page in a
//! `url` property (`https://attack.mitre.org/techniques/T1036/009`), an `ID:` line in a
//! callout, or its file name's ` - ID` suffix (`Phishing - T1566.md`); failing all those, a
//! first heading that is exactly an ID. A link is ID-labelled when its display text is an ID
//! that is not the name of the note it opens (software `T9000`), or when `(ID)` follows it
//! directly. Patterns and folder names are configuration (`AttackConfig`).

use std::collections::{BTreeMap, HashMap};

use regex::{Regex, RegexSet};

use crate::diagnostic::Span;
use crate::parse::{FrontMatter, LinkRef, Note, Outline};

/// The kind of ATT&CK object an ID names, told apart by the ID's shape (default patterns
/// in parentheses; `[attack.kinds]` in `vaultlint.toml` can change them). Each is a STIX
/// object type in ATT&CK's bundles.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum IdKind {
    /// `attack-pattern` (`T1234`, or `T1234.001` for a sub-technique).
    Technique,
    /// `x-mitre-tactic` (`TA1234`).
    Tactic,
    /// `course-of-action` (`M1234`).
    Mitigation,
    /// `intrusion-set` (`G1234`).
    Group,
    /// `malware` or `tool` (`S1234`).
    Software,
    /// `campaign` (`C1234`).
    Campaign,
    /// `x-mitre-data-source` (`DS1234`).
    DataSource,
    /// `x-mitre-data-component` (`DC1234`).
    DataComponent,
    /// `x-mitre-asset`, ICS only (`A1234`).
    Asset,
    /// Detection strategies (`DET####`), new in ATT&CK v18.
    DetectionStrategy,
    /// Analytics (`AN####`), new in ATT&CK v18; each belongs to a detection strategy.
    Analytic,
}

impl IdKind {
    /// Every kind, in the order IDs are matched against their patterns.
    pub(crate) const ALL: [IdKind; 11] = [
        IdKind::Technique,
        IdKind::Tactic,
        IdKind::Mitigation,
        IdKind::Group,
        IdKind::Software,
        IdKind::Campaign,
        IdKind::DataSource,
        IdKind::DataComponent,
        IdKind::Asset,
        IdKind::DetectionStrategy,
        IdKind::Analytic,
    ];

    /// The kind's name as the catalogue's `type` column writes it (`data-source`).
    pub(crate) fn name(self) -> &'static str {
        match self {
            IdKind::Technique => "technique",
            IdKind::Tactic => "tactic",
            IdKind::Mitigation => "mitigation",
            IdKind::Group => "group",
            IdKind::Software => "software",
            IdKind::Campaign => "campaign",
            IdKind::DataSource => "data-source",
            IdKind::DataComponent => "data-component",
            IdKind::Asset => "asset",
            IdKind::DetectionStrategy => "detection-strategy",
            IdKind::Analytic => "analytic",
        }
    }

    /// Whether a catalogue row's type is this kind (techniques include sub-techniques).
    pub(crate) fn fits_type(self, kind: &str) -> bool {
        kind == self.name() || (self == IdKind::Technique && kind == "sub-technique")
    }

    fn default_pattern(self) -> &'static str {
        match self {
            IdKind::Technique => r"^T\d{4}(\.\d{3})?$",
            IdKind::Tactic => r"^TA\d{4}$",
            IdKind::Mitigation => r"^M\d{4}$",
            IdKind::Group => r"^G\d{4}$",
            IdKind::Software => r"^S\d{4}$",
            IdKind::Campaign => r"^C\d{4}$",
            IdKind::DataSource => r"^DS\d{4}$",
            IdKind::DataComponent => r"^DC\d{4}$",
            IdKind::Asset => r"^A\d{4}$",
            IdKind::DetectionStrategy => r"^DET\d{4}$",
            IdKind::Analytic => r"^AN\d{4}$",
        }
    }

    /// Folder names compare by their keys ([`folder_key_chars`]), so `data-sources` also matches `Data Sources`
    /// and `DataSources`.
    fn default_folders(self) -> &'static [&'static str] {
        match self {
            IdKind::Technique => &["techniques"],
            IdKind::Tactic => &["tactics"],
            IdKind::Mitigation => &["mitigations"],
            IdKind::Group => &["groups"],
            IdKind::Software => &["software"],
            IdKind::Campaign => &["campaigns"],
            IdKind::DataSource => &["data-sources"],
            IdKind::DataComponent => &["data-components"],
            IdKind::Asset => &["assets"],
            IdKind::DetectionStrategy => &["detection-strategies"],
            IdKind::Analytic => &["analytics"],
        }
    }

    /// The path segment of the kind's pages on attack.mitre.org (`/datasources/DS0017`).
    fn url_segment(self) -> &'static str {
        match self {
            IdKind::Technique => "techniques",
            IdKind::Tactic => "tactics",
            IdKind::Mitigation => "mitigations",
            IdKind::Group => "groups",
            IdKind::Software => "software",
            IdKind::Campaign => "campaigns",
            IdKind::DataSource => "datasources",
            IdKind::DataComponent => "datacomponents",
            IdKind::Asset => "assets",
            IdKind::DetectionStrategy => "detectionstrategies",
            IdKind::Analytic => "analytics",
        }
    }
}

/// A folder name as kind and domain folders compare: lower case, without spaces, `-` and
/// `_`, so `Enterprise attack`, `enterprise-attack` and `Enterprise-Attack` are one name.
fn folder_key_chars(name: &str) -> impl Iterator<Item = char> + '_ {
    name.chars()
        .filter(|c| !matches!(c, ' ' | '-' | '_'))
        .flat_map(char::to_lowercase)
}

/// Where the first run of one to three ASCII capitals followed by a number character
/// (`T1`, `TA0`, `DET0`) starts in `text`, if anywhere. Every ID the default patterns match
/// starts so (a prefix of capitals, then `\d`, a Unicode decimal digit, which
/// `char::is_numeric` includes), so a text without one holds no such ID.
fn id_start(text: &str) -> Option<usize> {
    let bytes = text.as_bytes();
    // A number character is an ASCII digit or no ASCII at all. Most names hold neither,
    // and this test of every byte, without branches, costs less than looking for capitals.
    if !bytes
        .iter()
        .fold(false, |any, b| any | b.is_ascii_digit() | !b.is_ascii())
    {
        return None;
    }
    let mut start = 0;
    while start < bytes.len() {
        if !bytes[start].is_ascii_uppercase() {
            start += 1;
            continue;
        }
        let capitals = bytes[start..]
            .iter()
            .take_while(|b| b.is_ascii_uppercase())
            .count();
        let after = start + capitals;
        // Any three capitals of a longer run are followed by a capital: only its last three
        // can start an ID.
        let digit = text[after..].chars().next().is_some_and(char::is_numeric);
        if digit {
            return Some(after - capitals.min(3));
        }
        start = after;
    }
    None
}

/// Whether `text` starts like an ID of the default patterns: [`id_start`] is 0.
fn starts_like_id(text: &str) -> bool {
    let capitals = text
        .bytes()
        .take(4)
        .take_while(u8::is_ascii_uppercase)
        .count();
    (1..=3).contains(&capitals)
        && text[capitals..]
            .chars()
            .next()
            .is_some_and(char::is_numeric)
}

/// [`folder_key_chars`] of an ASCII name, as bytes.
fn ascii_folder_key(name: &str) -> impl Iterator<Item = u8> + '_ {
    name.bytes()
        .filter(|c| !matches!(c, b' ' | b'-' | b'_'))
        .map(|c| c.to_ascii_lowercase())
}

/// What counts as an ID of each kind, which folders hold each kind, and which folders
/// are ATT&CK domains. `Default` gives the ATT&CK ID shapes, the folder names of the
/// usual ATT&CK vault layout and the three domain folders (`Enterprise-Attack`,
/// `Mobile-Attack`, `ICS-Attack`); `[attack]` in `vaultlint.toml` overrides them.
#[derive(Debug, Clone)]
pub struct AttackConfig {
    /// Per kind: the ID pattern and the names of folders (at any depth) holding its notes
    /// (set with [`AttackConfig::set_kind`], which keeps `lookups` true).
    kinds: Vec<(IdKind, Regex, Vec<String>)>,
    /// Folder name (any depth) → catalogue domain, e.g. `Enterprise-Attack` → `enterprise-attack`.
    /// Names compare by their keys ([`folder_key_chars`]): `Enterprise attack` is the same folder name (set
    /// with [`AttackConfig::set_domains`]).
    domains: Vec<(String, String)>,
    /// The vault's layout as inferred from its notes (by the pack's `layout.rs`); empty
    /// until a run infers it.
    pub(crate) layout: Layout,
    /// `kinds` and `domains` as lookups, rebuilt whenever either is set.
    lookups: Lookups,
}

/// What the per-path questions compare with, derived from the kinds and domains once: the
/// ATT&CK index asks them for every file and folder of the vault (half the instructions
/// of a warm-cache run on a vault of 100,000 notes went to comparing every folder name
/// with every kind folder and running every kind's pattern on every file name).
#[derive(Clone)]
struct Lookups {
    /// Every kind's ID pattern in one set: one search tells a text that is no ID, instead
    /// of one per kind. `None` when the patterns do not fit in one set.
    ids: Option<RegexSet>,
    /// Every kind has its default pattern, so every ID has the shape [`id_start`] looks
    /// for: most texts asked (note names, headings) are ruled out without a regex search.
    /// A pattern set in `vaultlint.toml` may match any text, so it turns this off.
    default_shapes: bool,
    /// Folder key ([`folder_key_chars`]) → the first kind, in `kinds` order, with a folder
    /// of that key (two folder names are one name when their keys are equal).
    kind_folders: HashMap<String, IdKind>,
    /// Folder key → the index of the first domain whose folder has that key.
    domain_folders: HashMap<String, usize>,
}

/// Shows nothing: the lookups follow from `kinds` and `domains`, and the configuration's
/// `Debug` text is part of the cache's stamp, which must not change from run to run (a
/// `HashMap` lists its entries in a different order in each process).
impl std::fmt::Debug for Lookups {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Lookups")
    }
}

impl Lookups {
    fn new(kinds: &[(IdKind, Regex, Vec<String>)], domains: &[(String, String)]) -> Self {
        let ids = RegexSet::new(kinds.iter().map(|(_, re, _)| re.as_str())).ok();
        let default_shapes = kinds
            .iter()
            .all(|(kind, re, _)| re.as_str() == kind.default_pattern());
        let mut kind_folders = HashMap::new();
        for (kind, _, folders) in kinds {
            for folder in folders {
                kind_folders.entry(folder_key(folder)).or_insert(*kind);
            }
        }
        let mut domain_folders = HashMap::new();
        for (i, (folder, _)) in domains.iter().enumerate() {
            domain_folders.entry(folder_key(folder)).or_insert(i);
        }
        Lookups {
            ids,
            default_shapes,
            kind_folders,
            domain_folders,
        }
    }
}

/// A folder name's key ([`folder_key_chars`]) written into `key` (cleared first).
fn write_folder_key(name: &str, key: &mut String) {
    key.clear();
    if name.is_ascii() {
        key.extend(ascii_folder_key(name).map(char::from));
    } else {
        key.extend(folder_key_chars(name));
    }
}

/// A folder name's key ([`folder_key_chars`]).
fn folder_key(name: &str) -> String {
    let mut key = String::with_capacity(name.len());
    write_folder_key(name, &mut key);
    key
}

impl Default for AttackConfig {
    fn default() -> Self {
        let kinds = IdKind::ALL
            .iter()
            .filter_map(|&k| {
                let re = Regex::new(k.default_pattern()).ok()?;
                Some((
                    k,
                    re,
                    k.default_folders()
                        .iter()
                        .map(|s| (*s).to_owned())
                        .collect(),
                ))
            })
            .collect();
        let domains = [
            ("Enterprise-Attack", "enterprise-attack"),
            ("Mobile-Attack", "mobile-attack"),
            ("ICS-Attack", "ics-attack"),
        ]
        .iter()
        .map(|(f, d)| ((*f).to_owned(), (*d).to_owned()))
        .collect();
        AttackConfig::new(kinds, domains)
    }
}

impl AttackConfig {
    /// The default configuration, built once per process (compiling its patterns is the
    /// costly part).
    pub(crate) fn default_shared() -> std::sync::Arc<Self> {
        static DEFAULT_ATTACK_CONFIG: std::sync::OnceLock<std::sync::Arc<AttackConfig>> =
            std::sync::OnceLock::new();
        std::sync::Arc::clone(
            DEFAULT_ATTACK_CONFIG.get_or_init(|| std::sync::Arc::new(AttackConfig::default())),
        )
    }

    /// A configuration of these ID patterns and kind folders (per kind, in the order
    /// [`AttackConfig::kind_of`] tries them) and domain folders, with no layout inferred.
    fn new(kinds: Vec<(IdKind, Regex, Vec<String>)>, domains: Vec<(String, String)>) -> Self {
        let lookups = Lookups::new(&kinds, &domains);
        AttackConfig {
            kinds,
            domains,
            layout: Layout::default(),
            lookups,
        }
    }

    /// Replaces the domain folders: folder name → catalogue domain.
    pub(crate) fn set_domains(&mut self, domains: Vec<(String, String)>) {
        self.domains = domains;
        self.lookups = Lookups::new(&self.kinds, &self.domains);
    }

    /// Replaces the ID pattern and/or the folders of `kind`; a kind the configuration does
    /// not have is left out.
    pub(crate) fn set_kind(
        &mut self,
        kind: IdKind,
        pattern: Option<Regex>,
        folders: Option<&[String]>,
    ) {
        let Some(entry) = self.kinds.iter_mut().find(|(k, _, _)| *k == kind) else {
            return;
        };
        if let Some(pattern) = pattern {
            entry.1 = pattern;
        }
        if let Some(folders) = folders {
            entry.2 = folders.to_vec();
        }
        self.lookups = Lookups::new(&self.kinds, &self.domains);
    }

    /// The catalogue domain of domain folder entry `i` ([`AttackConfig::domain_at`]).
    pub(crate) fn domain_name(&self, i: usize) -> Option<&str> {
        self.domains.get(i).map(|(_, d)| d.as_str())
    }

    /// The kind of an ID-shaped text (surrounding spaces ignored), if it is an ID.
    pub(crate) fn kind_of(&self, text: &str) -> Option<IdKind> {
        let text = text.trim();
        if text.len() > 16 || (self.lookups.default_shapes && !starts_like_id(text)) {
            return None;
        }
        // Most texts asked are no ID: one search of the set rules them out. For an ID the
        // patterns then run in order, as a set's search for every match costs more.
        if self
            .lookups
            .ids
            .as_ref()
            .is_some_and(|set| !set.is_match(text))
        {
            return None;
        }
        self.kinds
            .iter()
            .find(|(_, re, _)| re.is_match(text))
            .map(|(k, _, _)| *k)
    }

    /// Whether `text` may hold an ID as a part ([`split_stem`] looks for IDs only in parts
    /// of a file name): `false` only when the patterns are the defaults and nothing in
    /// `text` starts like one of their IDs.
    fn may_hold_id(&self, text: &str) -> bool {
        !self.lookups.default_shapes || id_start(text).is_some()
    }

    /// The kind of note a path's folders hold: the nearest enclosing folder, at any depth,
    /// named as a kind folder (`Techniques/Enterprise attack/Execution/X.md` → technique).
    pub(crate) fn folder_kind(&self, path: &str) -> Option<IdKind> {
        self.kind_folder(path).map(|(_, k)| k)
    }

    /// The nearest enclosing kind folder of a path (the path up to and including it) and
    /// its kind.
    ///
    /// A folder that carries an ID (`TA0005 - Defense Evasion/`) holds the note of that ID
    /// (its kind is the ID's) and the objects filed under it (techniques under a tactic),
    /// whose kind the folder does not tell: for those the answer is `None`.
    pub(crate) fn kind_folder<'p>(&self, path: &'p str) -> Option<(&'p str, IdKind)> {
        let end = self.folder_decision(path).of_file(self, path)?;
        Some((&path[..end.0], end.1))
    }

    /// The part of [`AttackConfig::kind_folder`] that reads only the folders of `path`:
    /// the nearest enclosing folder that decides the answer.
    fn folder_decision(&self, path: &str) -> KindDecision {
        let Some(mut end) = path.rfind('/') else {
            return KindDecision::None;
        };
        let mut key = String::new();
        loop {
            let folder_path = &path[..end];
            let start = folder_path.rfind('/').map_or(0, |i| i + 1);
            let name = &folder_path[start..];
            write_folder_key(name, &mut key);
            if let Some(kind) = self.lookups.kind_folders.get(key.as_str()) {
                return KindDecision::Kind(end, *kind);
            }
            if name.starts_with(|c: char| c.is_ascii_uppercase())
                && name.contains(|c: char| c.is_ascii_digit())
            {
                if let Some((id, kind)) = split_stem(name, self).first().and_then(|s| s.id) {
                    return KindDecision::Id(end, id.to_owned(), kind);
                }
            }
            let Some(up) = start.checked_sub(1) else {
                return KindDecision::None;
            };
            end = up;
        }
    }

    /// The folder one domain's notes of one kind share, for telling copies of a note from
    /// notes of other domains: the kind folder's parent and the domain folder around the note
    /// (`Defenses/Mitigations/Enterprise attack/X.md` and `Enterprise-Attack/mitigations/X.md`
    /// both scope to their domain). Notes outside both share the vault root's scope.
    pub(crate) fn scope(&self, path: &str) -> String {
        PathFacts::of(self, path).scope(path)
    }

    /// The name of a note as ATT&CK writes it: the file name without `.md` and without the
    /// ID it carries and its separator (`Phishing - T1566.md` and `T1566 - Phishing.md` are
    /// `Phishing`; the arrangements of [`Arrangement`]), fullwidth solidus as
    /// `/`, and `_` as a space where the note's folder writes names that way
    /// (`T1078-Valid_Accounts.md` is `Valid Accounts`).
    pub(crate) fn note_name(&self, path: &str) -> String {
        self.note_name_in(path, self.layout.of(self, path))
    }

    /// [`AttackConfig::note_name`] of a note whose layout folder's layout is known
    /// (`folder`, `None` when none is inferred): working the folder out from the path
    /// again cost most of a name.
    pub(crate) fn note_name_in(&self, path: &str, folder: Option<&FolderLayout>) -> String {
        let stem = file_stem(path);
        let name = read_stem(stem, self, folder)
            .filter(|s| !s.name.is_empty())
            .map_or(stem, |s| s.name);
        let name = name.replace('\u{FF0F}', "/");
        if folder.is_some_and(|f| f.underscores) {
            name.replace('_', " ")
        } else {
            name
        }
    }

    /// The file name (with `.md`) a note at `path` gets when renamed to `name`: the ID it
    /// carries stays where it is, and the name is written the way its folder writes names
    /// (`／` for `/`, `_` for spaces where the folder does): `T1552.003-Bash_History.md` renamed
    /// to `Shell History` is `T1552.003-Shell_History.md`.
    pub(crate) fn renamed_file(&self, path: &str, name: &str) -> String {
        let stem = file_stem(path);
        let folder = self.layout.of(self, path);
        let mut new = name.replace('/', "\u{FF0F}");
        if folder.is_some_and(|f| f.underscores) {
            new = new.replace(' ', "_");
        }
        // `s.name` is a slice of `stem`: its offset says where the name stands.
        let around = read_stem(stem, self, folder).and_then(|s| {
            let start = (s.name.as_ptr() as usize).checked_sub(stem.as_ptr() as usize)?;
            Some((stem.get(..start)?, stem.get(start + s.name.len()..)?))
        });
        let stem = match around {
            Some((before, after)) => format!("{before}{new}{after}"),
            None => new,
        };
        format!("{stem}.md")
    }

    /// The domain folder a path sits in (the path up to and including it) and its domain.
    pub(crate) fn domain_of<'p>(&self, path: &'p str) -> Option<(&'p str, &str)> {
        self.domain_at(path)
            .map(|(end, i)| (&path[..end], self.domains[i].1.as_str()))
    }

    /// [`AttackConfig::domain_of`] as numbers: the byte length of the path up to and
    /// including the domain folder, and the index of its entry in `domains`.
    pub(crate) fn domain_at(&self, path: &str) -> Option<(usize, usize)> {
        let mut end = 0;
        let folders = path.rsplit_once('/').map_or("", |(f, _)| f);
        let mut key = String::new();
        for segment in folders.split('/') {
            end += segment.len();
            write_folder_key(segment, &mut key);
            if let Some(&i) = self.lookups.domain_folders.get(key.as_str()) {
                return Some((end, i));
            }
            end += 1;
        }
        None
    }
}

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
    /// Every arrangement, in declaration order (the order `Ord` compares them).
    pub(crate) const ALL: [Arrangement; 9] = [
        Arrangement::Name,
        Arrangement::NameDashId,
        Arrangement::NameParenId,
        Arrangement::IdDashName,
        Arrangement::IdHyphenName,
        Arrangement::IdUnderscoreName,
        Arrangement::IdSpaceName,
        Arrangement::NameUnderscoreId,
        Arrangement::NameSpaceId,
    ];

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
    // Every ID found below is a part of the stem: most names (a garden vault's every one)
    // hold nothing that starts like an ID.
    if !config.may_hold_id(stem) {
        return out;
    }
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
        if let Some((name, suffix)) = rsplit_once_spaced(stem, dash) {
            push(name, id(suffix), Arrangement::NameDashId);
        }
    }
    if let Some(inner) = stem.strip_suffix(')') {
        if let Some((name, suffix)) = rsplit_once_spaced(inner, " (") {
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

/// `s.rsplit_once(sep)` for a `sep` that starts with a space: the spaces of a file name are
/// few, and `rsplit_once` set up a two-way searcher on each of the three calls per stem,
/// most of the cost of splitting a vault's every link target.
fn rsplit_once_spaced<'a>(s: &'a str, sep: &str) -> Option<(&'a str, &'a str)> {
    debug_assert!(sep.starts_with(' '));
    let mut end = s.len();
    while let Some(at) = memchr::memrchr(b' ', &s.as_bytes()[..end]) {
        if s.as_bytes()[at..].starts_with(sep.as_bytes()) {
            return Some((&s[..at], &s[at + sep.len()..]));
        }
        end = at;
    }
    None
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

    /// [`Layout::of`] for a path whose [`PathFacts`] are known.
    pub(crate) fn at(&self, facts: &PathFacts, path: &str) -> Option<&FolderLayout> {
        if self.folders.is_empty() {
            return None;
        }
        self.folders.get(facts.layout_folder(path))
    }
}

/// What decides a path's kind folder ([`AttackConfig::kind_folder`]), read from its folders
/// alone: every file of a folder shares it.
#[derive(Debug, Clone, PartialEq, Eq)]
enum KindDecision {
    /// No enclosing folder is a kind folder or carries an ID.
    None,
    /// The folder ending at this byte of the path is a kind folder of this kind.
    Kind(usize, IdKind),
    /// The folder ending at this byte carries this ID: it is the kind folder of the note
    /// of that ID only, and no folder of the others.
    Id(usize, String, IdKind),
}

impl KindDecision {
    /// The kind folder of the file at `path` (one of the folder's files): the byte length
    /// of the path up to it, and its kind.
    fn of_file(&self, config: &AttackConfig, path: &str) -> Option<(usize, IdKind)> {
        match self {
            KindDecision::None => None,
            KindDecision::Kind(end, kind) => Some((*end, *kind)),
            KindDecision::Id(end, id, kind) => split_stem(file_stem(path), config)
                .iter()
                .any(|s| s.id.is_some_and(|(i, _)| i == id))
                .then_some((*end, *kind)),
        }
    }
}

/// The answers to the per-path questions of the ATT&CK model for one path, as byte lengths
/// of the path: its kind folder ([`AttackConfig::kind_folder`]), layout folder
/// ([`layout_folder`]) and domain folder ([`AttackConfig::domain_at`]). The index asks them
/// of every file; [`PathFacts::of_paths`] works out what a folder decides once for all of
/// its files (this path work was nearly half of a warm-cache run on a vault of 100,000
/// notes).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct PathFacts {
    /// The kind folder's end and kind.
    kind_folder: Option<(usize, IdKind)>,
    /// The layout folder's end (0: the vault root).
    layout_folder: usize,
    /// The domain folder's end and the index of its entry in the configuration's domains.
    pub domain: Option<(usize, usize)>,
}

/// What one folder decides for its files: [`KindDecision`], the layout folder of a file
/// whose kind folder is the decided one and of a file without one, and the domain folder.
struct FolderFacts {
    kind: KindDecision,
    layout_in_kind: usize,
    layout_own: usize,
    domain: Option<(usize, usize)>,
}

impl FolderFacts {
    /// The facts of the folder of `path`.
    fn of(config: &AttackConfig, path: &str) -> Self {
        let kind = config.folder_decision(path);
        let own = path.rfind('/').unwrap_or(0);
        let layout_in_kind = match &kind {
            KindDecision::Kind(end, _) | KindDecision::Id(end, _, _) => {
                layout_above(config, &path[..*end]).len()
            }
            KindDecision::None => 0,
        };
        FolderFacts {
            kind,
            layout_in_kind,
            layout_own: layout_above(config, &path[..own]).len(),
            domain: config.domain_at(path),
        }
    }

    /// The facts of `path`, a file of this folder.
    fn file(&self, config: &AttackConfig, path: &str) -> PathFacts {
        let kind_folder = self.kind.of_file(config, path);
        PathFacts {
            kind_folder,
            layout_folder: if kind_folder.is_some() {
                self.layout_in_kind
            } else {
                self.layout_own
            },
            domain: self.domain,
        }
    }
}

impl PathFacts {
    /// The facts of one path.
    pub(crate) fn of(config: &AttackConfig, path: &str) -> Self {
        FolderFacts::of(config, path).file(config, path)
    }

    /// The facts of each path, in order: each folder's part is worked out once. Sorted by
    /// path, a folder's files are not all together (`A/B/x.md` sorts between `A/a.md` and
    /// `A/c.md`), so folders left are looked up again when their files resume.
    pub(crate) fn of_paths<'p>(
        config: &AttackConfig,
        paths: impl IntoIterator<Item = &'p str>,
    ) -> Vec<Self> {
        let mut seen: HashMap<&str, usize> = HashMap::new();
        let mut facts: Vec<FolderFacts> = Vec::new();
        let mut last: Option<(&str, usize)> = None;
        paths
            .into_iter()
            .map(|path| {
                let folder = memchr::memrchr(b'/', path.as_bytes()).map_or("", |i| &path[..i]);
                let i = match last {
                    Some((f, i)) if f == folder => i,
                    _ => {
                        let i = *seen.entry(folder).or_insert_with(|| {
                            facts.push(FolderFacts::of(config, path));
                            facts.len() - 1
                        });
                        last = Some((folder, i));
                        i
                    }
                };
                facts[i].file(config, path)
            })
            .collect()
    }

    /// The kind of note the path's folders hold ([`AttackConfig::folder_kind`]).
    pub(crate) fn kind(&self) -> Option<IdKind> {
        self.kind_folder.map(|(_, k)| k)
    }

    /// The byte length of the path's kind folder and its kind ([`AttackConfig::kind_folder`]).
    pub(crate) fn kind_folder_end(&self) -> Option<(usize, IdKind)> {
        self.kind_folder
    }

    /// The layout folder of `path` ([`layout_folder`]); `path` is the one these facts are of.
    pub(crate) fn layout_folder<'p>(&self, path: &'p str) -> &'p str {
        &path[..self.layout_folder]
    }

    /// The domain scope of `path` ([`AttackConfig::scope`]); `path` is the one these facts
    /// are of.
    pub(crate) fn scope(&self, path: &str) -> String {
        let (kind_parent, domain) = self.scope_parts(path);
        format!("{kind_parent}\n{domain}")
    }

    /// The two folders [`PathFacts::scope`] joins: the kind folder's parent and the domain
    /// folder.
    pub(crate) fn scope_parts<'p>(&self, path: &'p str) -> (&'p str, &'p str) {
        let kind_parent = self.kind_folder.map_or("", |(end, _)| {
            path[..end].rsplit_once('/').map_or("", |(p, _)| p)
        });
        let domain = self.domain.map_or("", |(end, _)| &path[..end]);
        (kind_parent, domain)
    }
}

/// The folder whose layout a note follows: its nearest kind folder, else its own folder;
/// folders that carry an ID (`TA0005 - Defense Evasion/`) are one object's folders, so their
/// parent is (every tactic folder follows one layout).
pub(crate) fn layout_folder<'p>(config: &AttackConfig, path: &'p str) -> &'p str {
    PathFacts::of(config, path).layout_folder(path)
}

/// The layout folder of the notes in `folder` or under its kind folder `folder`: it, or
/// its nearest ancestor whose parent carries no ID ([`layout_folder`]).
fn layout_above<'p>(config: &AttackConfig, mut folder: &'p str) -> &'p str {
    while !folder.is_empty() {
        let (parent, name) = folder.rsplit_once('/').unwrap_or(("", folder));
        if split_stem(name, config).is_empty() {
            break;
        }
        folder = parent;
    }
    folder
}

/// The file name's ID and name under the folder's layout: the first strong arrangement, or
/// the folder's own weak one.
pub(crate) fn read_stem<'a>(
    stem: &'a str,
    config: &AttackConfig,
    folder: Option<&FolderLayout>,
) -> Option<Stem<'a>> {
    read_split(&split_stem(stem, config), folder)
}

/// [`read_stem`] of a file name already split ([`split_stem`]).
fn read_split<'a>(split: &[Stem<'a>], folder: Option<&FolderLayout>) -> Option<Stem<'a>> {
    split.iter().copied().find(|s| {
        s.arrangement.strong() || folder.is_some_and(|f| f.arrangement == Some(s.arrangement))
    })
}

/// The keys [`declared_ids`] always reads.
pub(crate) const STANDARD_KEYS: [&str; 4] = ["aliases", "alias", "id", "url"];

/// The ID an identifier-like property value states, if any: an ID, or an attack.mitre.org
/// page address.
pub(crate) fn property_id(value: &str, config: &AttackConfig) -> Option<(String, IdKind)> {
    match config.kind_of(value) {
        Some(kind) => Some((value.trim().to_owned(), kind)),
        None => id_from_url(value, config),
    }
}

/// Where a declared ID comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Source {
    /// A front matter property: `aliases`, `alias`, `id` or `url`.
    FrontMatter(&'static str),
    /// A front matter key the note's folder states IDs under ([`super::layout`]); the
    /// top-level key of its key path.
    Property(Box<str>),
    /// An `ID:` line in a callout; the span of its value.
    Callout(Span),
    /// The ID the file name carries (`Name - ID`, `ID-Name`, …).
    FileName,
    /// The first heading.
    Heading,
}

/// An ATT&CK ID a note declares, and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Declared {
    /// The ID as written (`T1036.009`; from a URL, `/T1036/009` becomes `T1036.009`).
    pub id: String,
    /// The kind its pattern says.
    pub kind: IdKind,
    /// Where the note says it.
    pub source: Source,
}

impl Declared {
    /// Where the declaration is written in `note` (the note that declares it); a file-name
    /// declaration points at the note's start.
    pub(crate) fn span(&self, note: &Note) -> Span {
        let key = match &self.source {
            Source::FrontMatter(key) => Some(*key),
            Source::Property(key) => Some(&**key),
            _ => None,
        };
        match &self.source {
            Source::FrontMatter(_) | Source::Property(_) => match &note.front_matter {
                FrontMatter::Parsed { keys, .. } => keys
                    .iter()
                    .find(|k| key.is_some_and(|key| k.name.eq_ignore_ascii_case(key)))
                    .map_or_else(Span::default, |k| {
                        if k.value.end > k.value.start {
                            k.value
                        } else {
                            k.span
                        }
                    }),
                _ => Span::default(),
            },
            Source::Callout(span) => *span,
            Source::FileName => Span::default(),
            Source::Heading => note.headings.first().map_or_else(Span::default, |h| h.span),
        }
    }
}

/// The ATT&CK ID of an attack.mitre.org page address: `…/techniques/T1036/009/` is
/// `T1036.009`, `…/groups/G0016` is `G0016`. Other addresses give `None`.
pub(crate) fn id_from_url(url: &str, config: &AttackConfig) -> Option<(String, IdKind)> {
    let rest = url.trim().split_once("attack.mitre.org/")?.1;
    let rest = rest.split(['?', '#']).next().unwrap_or(rest);
    let mut parts = rest.split('/').filter(|p| !p.is_empty());
    let segment = parts.next()?;
    let id = parts.next()?;
    let kind = config.kind_of(id)?;
    if !kind.url_segment().eq_ignore_ascii_case(segment) {
        return None;
    }
    match parts.next() {
        Some(sub) if kind == IdKind::Technique && sub.len() == 3 => {
            let full = format!("{id}.{sub}");
            config.kind_of(&full).map(|k| (full, k))
        }
        Some(_) => None,
        None => Some((id.to_owned(), kind)),
    }
}

/// Whether a note name (or a name cell) and an ATT&CK name are the same name. File names
/// cannot hold `/` or `:`, so generators write `／` for `/` and `;`, `：` or `；` for `:`
/// (`Pre-OS Boot; TFTP Boot` is `Pre-OS Boot: TFTP Boot`); no ATT&CK name holds `;`.
pub(crate) fn same_name(written: &str, attack: &str) -> bool {
    let fold = |c: char| match c {
        '\u{FF0F}' => '/',
        ';' | '\u{FF1A}' | '\u{FF1B}' => ':',
        c => c,
    };
    written.chars().map(fold).eq(attack.chars().map(fold))
}

/// Whether a name written for a sub-technique and another name of it are the same name,
/// one of them written with its parent's (`Command and Scripting Interpreter: PowerShell`
/// is `PowerShell`, as attack.mitre.org titles sub-technique pages); `parent` is the parent's
/// name when known, else any prefix before `: ` counts.
pub(crate) fn same_sub_name(a: &str, b: &str, parent: Option<&str>) -> bool {
    if same_name(a, b) {
        return true;
    }
    let qualified = |long: &str, short: &str| {
        let long: String = long
            .chars()
            .map(|c| match c {
                ';' | '\u{FF1A}' | '\u{FF1B}' => ':',
                c => c,
            })
            .collect();
        long.rsplit_once(": ").is_some_and(|(p, rest)| {
            same_name(rest.trim(), short.trim())
                && parent.is_none_or(|parent| same_name(p.trim(), parent))
        })
    };
    qualified(a, b) || qualified(b, a)
}

/// A path's file name without `.md`.
pub(crate) fn file_stem(path: &str) -> &str {
    // `rsplit('/')` set up a generic searcher per call: a third of splitting a file name
    // that carries no ID, which the index does for every note.
    let name = memchr::memrchr(b'/', path.as_bytes()).map_or(path, |i| &path[i + 1..]);
    name.strip_suffix(".md").unwrap_or(name)
}

/// The IDs a note declares, the primary one first. Every source but the heading is read
/// (`aliases`/`alias` entries, `id`, `url`, callout `ID:` lines, the file name's suffix),
/// each ID once; the first heading counts only when none of them gives an ID that fits the
/// note's kind folder. An ID-shaped entry of the wrong kind for the folder (a group named
/// `TA2541` in `Groups/`, software named `T9000`) is a name, not a declaration, as soon as
/// another source declares an ID that fits. `facts` are the note path's [`PathFacts`],
/// `folder` the layout of its layout folder ([`Layout::at`]) and `split` its [`file_stem`]
/// split by [`split_stem`] (all worked out by the index, which asks them of other
/// questions too).
pub(crate) fn declared_ids(
    outline: &Outline,
    config: &AttackConfig,
    facts: &PathFacts,
    folder: Option<&FolderLayout>,
    split: &[Stem<'_>],
) -> Vec<Declared> {
    let mut found: Vec<Declared> = Vec::new();
    let mut push = |id: &str, kind: IdKind, source: Source| {
        if !found.iter().any(|d| d.id == id) {
            found.push(Declared {
                id: id.to_owned(),
                kind,
                source,
            });
        }
    };
    for (key, entries) in [
        ("aliases", &outline.aliases),
        ("alias", &outline.alias),
        ("id", &outline.id),
    ] {
        for entry in entries.iter() {
            for part in entry.split(',') {
                if let Some(kind) = config.kind_of(part) {
                    push(part.trim(), kind, Source::FrontMatter(key));
                }
            }
        }
    }
    for url in outline.url.iter() {
        if let Some((id, kind)) = id_from_url(url, config) {
            push(&id, kind, Source::FrontMatter("url"));
        }
    }
    for (value, span) in &outline.callout_ids {
        if let Some(kind) = config.kind_of(value) {
            push(value, kind, Source::Callout(*span));
        }
    }
    if let Some(keys) = folder.map(|f| &f.id_keys).filter(|k| !k.is_empty()) {
        for (key, value) in &outline.identifiers {
            if keys.iter().any(|k| **k == **key) {
                if let Some((id, kind)) = property_id(value, config) {
                    let top = key.split('.').next().unwrap_or(key);
                    push(&id, kind, Source::Property(top.into()));
                }
            }
        }
    }
    if let Some((id, kind)) = read_split(split, folder).and_then(|s| s.id) {
        push(id, kind, Source::FileName);
    }
    let heading = outline.headings.first().and_then(|h| {
        config.kind_of(&h.raw).map(|kind| Declared {
            id: h.raw.trim().to_owned(),
            kind,
            source: Source::Heading,
        })
    });
    let folder = facts.kind();
    let fits = |d: &Declared| folder.is_none_or(|k| k == d.kind);
    if found.is_empty() || (!found.iter().any(fits) && heading.as_ref().is_some_and(fits)) {
        return heading.into_iter().collect();
    }
    if found.iter().any(fits) {
        found.retain(fits);
    }
    found
}

/// The ATT&CK ID a link is labelled with, if any. `target_name` gives the name of the note
/// the link opens ([`AttackConfig::note_name`]) when that note does not declare the display
/// text as its ID: a display text equal to it is that note's name, not an ID
/// (`[[T9000\|T9000]]` names the software T9000, while `[[C0017\|C0017]]` is the campaign's
/// ID). It is asked only for a display text shaped like an ID, which most links lack.
pub fn link_label(
    link: LinkRef<'_>,
    config: &AttackConfig,
    target_name: impl FnOnce() -> Option<String>,
) -> Option<(String, IdKind)> {
    if let Some(display) = &link.display() {
        let display = display.trim();
        if let Some(kind) = config.kind_of(display) {
            if !target_name().is_some_and(|n| n.trim().eq_ignore_ascii_case(display)) {
                return Some((display.to_owned(), kind));
            }
        }
    }
    let rest = link.trailing().trim_start();
    let inner = rest.strip_prefix('(')?;
    let inner = &inner[..inner.find(')')?];
    config
        .kind_of(inner)
        .map(|kind| (inner.trim().to_owned(), kind))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spaced_split_is_rsplit_once() {
        let stems = [
            "a - - b",
            "Name - T1",
            " - T1",
            "T1 - ",
            "x (T1)",
            "x ( (T1)",
            "é – T1 – x",
            "-",
            "",
            " ",
            "a (",
            "no separator",
            "a  -  b",
        ];
        for stem in stems {
            for sep in [" - ", " \u{2013} ", " ("] {
                assert_eq!(
                    rsplit_once_spaced(stem, sep),
                    stem.rsplit_once(sep),
                    "{stem:?}"
                );
            }
        }
    }
    use crate::parse::{parse_note, Outline};

    /// The lookups answer as the patterns run one by one and the folder names compared
    /// one by one did.
    #[test]
    fn lookups_answer_as_one_by_one() {
        let c = AttackConfig::default();
        for text in [
            "T1036",
            "T1036.008",
            "TA0005",
            "M1038",
            "G0016",
            "S0002",
            "C0017",
            "DS0017",
            "DC0001",
            "A0001",
            "DET0001",
            "AN0001",
            "t1036",
            "T1036.08",
            " T1 ",
            "",
            "X",
        ] {
            let one_by_one = c
                .kinds
                .iter()
                .find(|(_, re, _)| re.is_match(text.trim()))
                .map(|(k, _, _)| *k);
            assert_eq!(c.kind_of(text), one_by_one, "{text:?}");
        }
        for (folder, kind) in [
            ("Data Sources", Some(IdKind::DataSource)),
            ("data_sources", Some(IdKind::DataSource)),
            ("MITIGATIONS", Some(IdKind::Mitigation)),
            ("Mitigation s", Some(IdKind::Mitigation)),
            ("Mitigationen", None),
        ] {
            assert_eq!(c.folder_kind(&format!("a/{folder}/X.md")), kind, "{folder}");
        }
        assert_eq!(
            c.domain_of("Ｘ/Enterprise attack/T.md"),
            Some(("Ｘ/Enterprise attack", "enterprise-attack"))
        );
        assert_eq!(c.domain_of("Enterprise-Attacks/T.md"), None);
        // The cache's stamp holds this text: the same settings, the same text.
        assert_eq!(format!("{c:?}"), format!("{:?}", AttackConfig::default()));
    }

    /// Ruling texts out by [`id_start`] under the default patterns changes no answer of
    /// [`AttackConfig::kind_of`] or [`split_stem`]: texts made of capitals, ASCII and other
    /// Unicode digits (`\d` matches `١`), number characters that are no digits (`²`), and
    /// the separators file names use, compared with the same patterns unfiltered.
    #[test]
    fn default_shapes_rule_out_no_id() {
        let filtered = AttackConfig::default();
        assert!(filtered.lookups.default_shapes);
        let mut unfiltered = filtered.clone();
        unfiltered.lookups.default_shapes = false;
        let alphabet = [
            "T", "A", "D", "E", "N", "S", "X", "t", "1", "0", "\u{661}", "\u{B2}", ".", " ", "-",
            "_", "(", ")", " - ", "\u{2013}", "\u{FF0F}", "é",
        ];
        // A fixed linear congruential sequence: the same texts on every run.
        let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
        let mut next = |n: usize| {
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            usize::try_from(state >> 33).unwrap_or(0) % n
        };
        let mut texts: Vec<String> = [
            "T1036",
            "T1036.008",
            "TA0005",
            "DET0001",
            "AN0001",
            "XT1036",
            "XDET0001",
            "T\u{661}\u{662}\u{663}\u{664}",
            "T\u{B2}036",
            "Phishing - T1566",
            "T1059 - Command",
            "Name (T1566)",
            "ABCT1036",
            "t1036",
            " T1036 ",
            "",
        ]
        .iter()
        .map(|t| (*t).to_owned())
        .collect();
        for _ in 0..20_000 {
            let len = next(12);
            texts.push((0..len).map(|_| alphabet[next(alphabet.len())]).collect());
        }
        for text in &texts {
            assert_eq!(starts_like_id(text), id_start(text) == Some(0), "{text:?}");
            assert_eq!(filtered.kind_of(text), unfiltered.kind_of(text), "{text:?}");
            assert_eq!(
                split_stem(text, &filtered),
                split_stem(text, &unfiltered),
                "{text:?}"
            );
        }
        assert!(texts.iter().any(|t| filtered.kind_of(t).is_some()));
        assert_eq!(
            filtered.kind_of("T\u{661}\u{662}\u{663}\u{664}"),
            Some(IdKind::Technique)
        );
        // A pattern of the user's own may match texts of any shape.
        let mut custom = AttackConfig::default();
        custom.set_kind(IdKind::Mitigation, Regex::new(r"^mit-\d+$").ok(), None);
        assert!(!custom.lookups.default_shapes);
        assert_eq!(custom.kind_of("mit-7"), Some(IdKind::Mitigation));
        assert_eq!(split_stem("Audit - mit-7", &custom).len(), 1);
    }

    #[test]
    fn kinds_and_domains() {
        let c = AttackConfig::default();
        assert_eq!(c.kind_of("T1036.008"), Some(IdKind::Technique));
        assert_eq!(c.kind_of("TA0005"), Some(IdKind::Tactic));
        assert_eq!(c.kind_of("DS0017"), Some(IdKind::DataSource));
        assert_eq!(c.kind_of("T1036.08"), None);
        assert_eq!(c.kind_of("Masquerading"), None);
        assert_eq!(
            c.folder_kind("X/Enterprise-Attack/mitigations/Audit.md"),
            Some(IdKind::Mitigation)
        );
        assert_eq!(
            c.domain_of("A/B/Mobile-Attack/techniques/X.md"),
            Some(("A/B/Mobile-Attack", "mobile-attack"))
        );
        assert_eq!(
            c.note_name("a/Encrypted\u{FF0F}Encoded File.md"),
            "Encrypted/Encoded File"
        );
        assert_eq!(c.note_name("T/Masquerading - T1036.md"), "Masquerading");
        assert_eq!(c.note_name("T/Analytic 0001 - AN0001.md"), "Analytic 0001");
        assert_eq!(c.note_name("T/A - B.md"), "A - B");
        assert_eq!(c.note_name("CTI/Software/T9000.md"), "T9000");
        assert!(same_name(
            "Pre-OS Boot; TFTP Boot",
            "Pre-OS Boot: TFTP Boot"
        ));
        assert!(same_name(
            "Encrypted\u{FF0F}Encoded File",
            "Encrypted/Encoded File"
        ));
        assert!(!same_name("Shell History", "Bash History"));
        assert_eq!(c.kind_of("DET0443"), Some(IdKind::DetectionStrategy));
        assert_eq!(c.kind_of("AN1223"), Some(IdKind::Analytic));
    }

    /// Facts worked out once per folder answer as each path asked alone, whatever order
    /// the paths come in: kind folders, ID-carrying folders (their own note and the others),
    /// domain folders, the root.
    #[test]
    fn path_facts_per_folder_answer_as_per_path() {
        let c = AttackConfig::default();
        let paths = [
            "Root.md",
            "Enterprise-Attack/techniques/T1566 - Phishing.md",
            "Enterprise-Attack/techniques/T1059 - Command.md",
            "Tactics/TA0005 - Defense Evasion/TA0005 - Defense Evasion.md",
            "Tactics/TA0005 - Defense Evasion/T1036 - Masquerading.md",
            "Tactics/TA0005 - Defense Evasion/TA0005 - Defense Evasion.md",
            "V/ICS attack/Mitigations/Sub/M0801 - Access Management.md",
            "Enterprise-Attack/techniques/T1566 - Phishing.md",
            "Notes/Plain.md",
        ];
        let together = PathFacts::of_paths(&c, paths);
        for (path, facts) in paths.iter().zip(&together) {
            assert_eq!(*facts, PathFacts::of(&c, path), "{path}");
            assert_eq!(facts.kind(), c.folder_kind(path), "{path}");
            assert_eq!(facts.layout_folder(path), layout_folder(&c, path), "{path}");
            assert_eq!(facts.domain, c.domain_at(path), "{path}");
        }
        let t = |i: usize| (together[i].kind(), together[i].layout_folder(paths[i]));
        assert_eq!(t(0), (None, ""));
        assert_eq!(
            t(1),
            (Some(IdKind::Technique), "Enterprise-Attack/techniques")
        );
        assert_eq!(t(3), (Some(IdKind::Tactic), "Tactics"));
        assert_eq!(t(4), (None, "Tactics"));
        assert_eq!(t(6), (Some(IdKind::Mitigation), "V/ICS attack/Mitigations"));
        assert_eq!(
            together[6].scope(paths[6]),
            "V/ICS attack\nV/ICS attack".to_owned()
        );
        assert_eq!(t(8), (None, "Notes"));
    }

    #[test]
    fn kind_and_domain_folders_at_any_depth() {
        let c = AttackConfig::default();
        let t = "Techniques/Enterprise attack/Defense Evasion/Masquerading/Masquerading - T1036.md";
        assert_eq!(c.kind_folder(t), Some(("Techniques", IdKind::Technique)));
        assert_eq!(
            c.domain_of(t),
            Some(("Techniques/Enterprise attack", "enterprise-attack"))
        );
        let m = "Defenses/Mitigations/ICS attack/Audit - M0947.md";
        assert_eq!(c.folder_kind(m), Some(IdKind::Mitigation));
        assert_eq!(c.domain_of(m).map(|d| d.1), Some("ics-attack"));
        assert_eq!(
            c.folder_kind("Defenses/Detections/Detection Strategies/Mobile attack/X - DET0001.md"),
            Some(IdKind::DetectionStrategy)
        );
        assert_eq!(
            c.folder_kind("Defenses/Detections/Data Components/ICS attack/X.md"),
            Some(IdKind::DataComponent)
        );
        assert_eq!(
            c.domain_of("x/enterprise-attack/y.md").map(|d| d.1),
            Some("enterprise-attack")
        );
        assert_eq!(c.folder_kind("Notes/Groups.md"), None);
        assert_ne!(
            c.scope("D/Data Components/Enterprise attack/P - DC0032.md"),
            c.scope("D/Data Components/ICS attack/P - DC0032.md")
        );
        assert_eq!(
            c.scope("V/Enterprise-Attack/techniques/A.md"),
            c.scope("V/Enterprise-Attack/techniques/B.md")
        );
    }

    #[test]
    fn ids_from_attack_urls() {
        let c = AttackConfig::default();
        let id = |u: &str| id_from_url(u, &c).map(|(id, _)| id);
        assert_eq!(
            id("https://attack.mitre.org/techniques/T1036/009"),
            Some("T1036.009".to_owned())
        );
        assert_eq!(
            id("https://attack.mitre.org/techniques/T1036/"),
            Some("T1036".to_owned())
        );
        assert_eq!(
            id("https://attack.mitre.org/groups/G0016"),
            Some("G0016".to_owned())
        );
        assert_eq!(
            id("https://attack.mitre.org/detectionstrategies/DET0443"),
            Some("DET0443".to_owned())
        );
        assert_eq!(id("https://attack.mitre.org/groups/T1036"), None);
        assert_eq!(id("https://example.com/groups/G0016"), None);
    }

    #[test]
    fn declared_ids_follow_the_model() {
        let c = AttackConfig::default();
        let ids = |text: &str, path: &str| -> Vec<String> {
            let facts = PathFacts::of(&c, path);
            declared_ids(
                &Outline::of(&parse_note(text)),
                &c,
                &facts,
                c.layout.at(&facts, path),
                &split_stem(file_stem(path), &c),
            )
            .into_iter()
            .map(|d| d.id)
            .collect()
        };
        assert_eq!(
            ids(
                "---\nalias: T1036.008\n---\n## T1036.008\n",
                "techniques/X.md"
            ),
            ["T1036.008"]
        );
        assert_eq!(
            ids("---\naliases: [M1040, Other]\n---\n", "mitigations/X.md"),
            ["M1040"]
        );
        assert_eq!(
            ids(
                "---\nalias: APT1, Comment Crew\n---\n## G0006\n",
                "groups/APT1.md"
            ),
            ["G0006"]
        );
        assert_eq!(
            ids("---\nalias: TA2541\n---\n## G1018\n", "groups/TA2541.md"),
            ["G1018"]
        );
        assert_eq!(ids("# Title\n", "techniques/X.md"), Vec::<String>::new());
        assert_eq!(
            ids("---\nalias: T1001, T1002\n---\n", "techniques/X.md"),
            ["T1001", "T1002"]
        );
        // Every source of the second generator's layout, each ID once.
        assert_eq!(
            ids("# Phishing\n", "Techniques/Phishing - T1566.md"),
            ["T1566"]
        );
        assert_eq!(
            ids(
                "---\nurl: https://attack.mitre.org/groups/G0016\n---\n",
                "CTI/Groups/APT29.md"
            ),
            ["G0016"]
        );
        assert_eq!(ids("---\nid: M1013\n---\n", "Mitigations/X.md"), ["M1013"]);
        assert_eq!(
            ids(
                "## APT29\n\n> [!info]\n> ID: G0016\n",
                "CTI/Groups/APT29.md"
            ),
            ["G0016"]
        );
        assert_eq!(
            ids(
                "---\naliases: [T1036.009]\nurl: https://attack.mitre.org/techniques/T1036/009\n---\n> ID: T1036.009\n",
                "Techniques/E/X - T1036.009.md"
            ),
            ["T1036.009"]
        );
        // Names that look like IDs: an alias of the wrong kind for the folder is a name.
        assert_eq!(
            ids(
                "---\naliases: [T9000]\nurl: https://attack.mitre.org/software/S0098\n---\n",
                "CTI/Software/T9000.md"
            ),
            ["S0098"]
        );
        assert_eq!(
            ids(
                "---\naliases: [TA2541]\n---\n> ID: G1018\n",
                "CTI/Groups/TA2541.md"
            ),
            ["G1018"]
        );
        assert_eq!(
            ids("---\naliases: [C0017]\n---\n", "CTI/Campaigns/C0017.md"),
            ["C0017"]
        );
    }

    #[test]
    fn labelled_links() {
        let c = AttackConfig::default();
        let note = parse_note("| [[a/Masq\\|T1036]] | Masq |\n|---|---|\n\n- [[a/tactics/Defense Evasion]] (TA0005)\n- [[plain]]\n");
        let labels: Vec<_> = note
            .links()
            .map(|l| link_label(l, &c, || None).map(|(id, _)| id))
            .collect();
        assert_eq!(
            labels,
            [Some("T1036".to_owned()), Some("TA0005".to_owned()), None]
        );
        let named = parse_note("[[T9000\\|T9000]] [[T9000\\|S0098]]\n");
        let labels: Vec<_> = named
            .links()
            .map(|l| link_label(l, &c, || Some("T9000".to_owned())).map(|(id, _)| id))
            .collect();
        assert_eq!(labels, [None, Some("S0098".to_owned())]);
    }
}
