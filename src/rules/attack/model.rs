//! The ATT&CK model: ID kinds, the pack's configuration, which notes declare which IDs,
//! and which links are ID-labelled.
//!
//! A note declares an ID through a front matter `aliases` or `alias` entry that is an ID
//! (a comma-separated string is several entries), or, failing that, a first heading that is
//! exactly an ID. A link is ID-labelled when its display text is an ID, or when `(ID)`
//! follows it directly. Patterns and folder names are configuration (`AttackConfig`).

use regex::Regex;

use crate::diagnostic::Span;
use crate::parse::{FrontMatter, Link, Note, Outline};

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
}

impl IdKind {
    pub(crate) const ALL: [IdKind; 9] = [
        IdKind::Technique,
        IdKind::Tactic,
        IdKind::Mitigation,
        IdKind::Group,
        IdKind::Software,
        IdKind::Campaign,
        IdKind::DataSource,
        IdKind::DataComponent,
        IdKind::Asset,
    ];

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
        }
    }

    fn default_folders(self) -> &'static [&'static str] {
        match self {
            IdKind::Technique => &["techniques"],
            IdKind::Tactic => &["tactics"],
            IdKind::Mitigation => &["mitigations"],
            IdKind::Group => &["groups"],
            IdKind::Software => &["software"],
            IdKind::Campaign => &["campaigns"],
            IdKind::DataSource => &["datasources", "data-sources"],
            IdKind::DataComponent => &["datacomponents", "data-components"],
            IdKind::Asset => &["assets"],
        }
    }
}

/// What counts as an ID of each kind, which folders hold each kind, and which folders
/// are ATT&CK domains. `Default` gives the ATT&CK ID shapes, the folder names of the
/// usual ATT&CK vault layout and the three domain folders (`Enterprise-Attack`,
/// `Mobile-Attack`, `ICS-Attack`); `[attack]` in `vaultlint.toml` overrides them.
#[derive(Debug, Clone)]
pub struct AttackConfig {
    pub(crate) kinds: Vec<(IdKind, Regex, Vec<String>)>,
    /// Folder name (any depth) → catalogue domain, e.g. `Enterprise-Attack` → `enterprise-attack`.
    pub(crate) domains: Vec<(String, String)>,
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
        AttackConfig { kinds, domains }
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

    pub(crate) fn kind_of(&self, text: &str) -> Option<IdKind> {
        let text = text.trim();
        if text.len() > 16 {
            return None;
        }
        self.kinds
            .iter()
            .find(|(_, re, _)| re.is_match(text))
            .map(|(k, _, _)| *k)
    }

    /// The kind of note a folder holds, from the name of the note's own folder.
    pub(crate) fn folder_kind(&self, path: &str) -> Option<IdKind> {
        let folder = path.rsplit('/').nth(1)?;
        self.kinds
            .iter()
            .find(|(_, _, folders)| folders.iter().any(|f| f.eq_ignore_ascii_case(folder)))
            .map(|(k, _, _)| *k)
    }

    /// The domain folder a path sits in (the path up to and including it) and its domain.
    pub(crate) fn domain_of<'p>(&self, path: &'p str) -> Option<(&'p str, &str)> {
        let mut end = 0;
        for segment in path.split('/') {
            end += segment.len();
            if let Some((_, domain)) = self
                .domains
                .iter()
                .find(|(f, _)| f.eq_ignore_ascii_case(segment))
            {
                return Some((&path[..end], domain.as_str()));
            }
            end += 1;
        }
        None
    }
}

/// Where a declared ID comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Source {
    /// The front matter key, `aliases` or `alias`.
    FrontMatter(&'static str),
    Heading,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Declared {
    pub id: String,
    pub kind: IdKind,
    pub source: Source,
}

impl Declared {
    /// Where the declaration is written in `note` (the note that declares it).
    pub(crate) fn span(&self, note: &Note) -> Span {
        match self.source {
            Source::FrontMatter(key) => match &note.front_matter {
                FrontMatter::Parsed { keys, .. } => keys
                    .iter()
                    .find(|k| k.name.eq_ignore_ascii_case(key))
                    .map_or_else(Span::default, |k| {
                        if k.value.end > k.value.start {
                            k.value
                        } else {
                            k.span
                        }
                    }),
                _ => Span::default(),
            },
            Source::Heading => note.headings.first().map_or_else(Span::default, |h| h.span),
        }
    }
}

/// The IDs a note declares, the primary one first: front matter IDs, or failing that the
/// first heading. An ID-shaped alias whose kind does not fit the note's folder (a group
/// named `TA2541` in `groups/`) is a name, not a declaration, when the heading declares an
/// ID that fits.
pub(crate) fn declared_ids(outline: &Outline, config: &AttackConfig, path: &str) -> Vec<Declared> {
    let mut from_fm = Vec::new();
    for (key, entries) in [("aliases", &outline.aliases), ("alias", &outline.alias)] {
        for entry in entries.iter() {
            for part in entry.split(',') {
                if let Some(kind) = config.kind_of(part) {
                    from_fm.push(Declared {
                        id: part.trim().to_owned(),
                        kind,
                        source: Source::FrontMatter(key),
                    });
                }
            }
        }
    }
    let heading = outline.headings.first().and_then(|h| {
        config.kind_of(&h.raw).map(|kind| Declared {
            id: h.raw.trim().to_owned(),
            kind,
            source: Source::Heading,
        })
    });
    let folder = config.folder_kind(path);
    let fits = |d: &Declared| folder.is_none_or(|k| k == d.kind);
    if from_fm.is_empty() || (!from_fm.iter().any(fits) && heading.as_ref().is_some_and(fits)) {
        return heading.into_iter().collect();
    }
    from_fm.sort_by_key(|d| !fits(d));
    from_fm
}

/// The ATT&CK ID a link is labelled with, if any, and its kind: the link's display text
/// when it is an ID (`[[Masquerading|T1036]]`), else an ID in parentheses right after the
/// link on its line (`[[Masquerading]] (T1036)`). IDs are matched trimmed and returned
/// trimmed.
pub fn link_label(link: &Link, config: &AttackConfig) -> Option<(String, IdKind)> {
    if let Some(display) = &link.display {
        if let Some(kind) = config.kind_of(display) {
            return Some((display.trim().to_owned(), kind));
        }
    }
    let rest = link.trailing.trim_start();
    let inner = rest.strip_prefix('(')?;
    let inner = &inner[..inner.find(')')?];
    config
        .kind_of(inner)
        .map(|kind| (inner.trim().to_owned(), kind))
}

/// The name of a note as ATT&CK writes it: the file name, fullwidth solidus as `/`.
pub(crate) fn note_name(path: &str) -> String {
    let name = path.rsplit('/').next().unwrap_or(path);
    name.strip_suffix(".md")
        .unwrap_or(name)
        .replace('\u{FF0F}', "/")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::{parse_note, Outline};

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
            note_name("a/Encrypted\u{FF0F}Encoded File.md"),
            "Encrypted/Encoded File"
        );
    }

    #[test]
    fn declared_ids_follow_the_model() {
        let c = AttackConfig::default();
        let ids = |text: &str, path: &str| -> Vec<String> {
            declared_ids(&Outline::of(&parse_note(text)), &c, path)
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
    }

    #[test]
    fn labelled_links() {
        let c = AttackConfig::default();
        let note = parse_note("| [[a/Masq\\|T1036]] | Masq |\n|---|---|\n\n- [[a/tactics/Defense Evasion]] (TA0005)\n- [[plain]]\n");
        let labels: Vec<_> = note
            .links
            .iter()
            .map(|l| link_label(l, &c).map(|(id, _)| id))
            .collect();
        assert_eq!(
            labels,
            [Some("T1036".to_owned()), Some("TA0005".to_owned()), None]
        );
    }
}
