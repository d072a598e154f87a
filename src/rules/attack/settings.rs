//! The pack's settings, ruff's per-linter `settings.rs`: the `[attack]` table of
//! `vaultlint.toml` as written, and its conversion into the [`AttackConfig`] the pack runs
//! with. `config` reads the file and places errors; what the table means is decided here.

use std::collections::BTreeMap;
use std::ops::Range;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use toml::Spanned;

use super::{AttackConfig, IdKind};

/// A setting given as one string or a list of strings.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
pub(crate) enum OneOrMany {
    /// `catalog = "enterprise-attack.json"`
    One(String),
    /// `catalog = ["enterprise-attack.json", "mobile-attack.json"]`
    Many(Vec<String>),
}

impl OneOrMany {
    /// The strings, in order.
    pub(crate) fn items(&self) -> &[String] {
        match self {
            OneOrMany::One(s) => std::slice::from_ref(s),
            OneOrMany::Many(v) => v,
        }
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
/// The `[attack]` table: the ATT&CK pack's settings.
pub(crate) struct AttackSettings {
    /// Newer ATT&CK catalogues (TSV or STIX bundles), relative to the config file: one path
    /// or a list (one bundle per domain); each replaces the domains it holds.
    pub catalog: Option<OneOrMany>,
    /// Folder name → ATT&CK domain; replaces the default three when given.
    pub domains: Option<BTreeMap<String, String>>,
    /// Per kind (`technique`, `mitigation`, ...): the ID pattern and folder names.
    #[serde(default)]
    pub kinds: BTreeMap<Spanned<String>, KindSettings>,
    /// The ATT&CK release the vault is from (`release = "19.1"`): its bundles, fetched into
    /// the cache with `vaultlint attack fetch`, are the catalogue, and the pack judges the
    /// vault as of that release.
    pub release: Option<Spanned<String>>,
    /// Where `vaultlint attack fetch` downloads from: a mirror of MITRE's attack-stix-data
    /// repository (`<base>/index.json`, `<base>/<domain>/<domain>-<release>.json`).
    pub base_url: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
/// One `[attack.kinds.<kind>]` table.
pub(crate) struct KindSettings {
    /// A regex an ID of this kind matches; it is not anchored for you, so write `^…$`.
    pub pattern: Option<Spanned<String>>,
    /// Names of the folders (at any depth) whose notes are of this kind; replaces the
    /// defaults.
    pub folders: Option<Vec<String>>,
}

/// A setting that cannot be used: the byte range in the config file it was read from, and
/// what is wrong with it.
pub(crate) type SettingError = (Range<usize>, String);

impl AttackSettings {
    /// The ID patterns, kind folders and domain folders the table sets, over the defaults:
    /// `domains` replaces the default three, and each `[attack.kinds.<kind>]` its kind's
    /// pattern and folders.
    ///
    /// # Errors
    /// An unknown kind name, or a pattern that is not a valid regex.
    pub(crate) fn config(&self) -> Result<AttackConfig, SettingError> {
        // A clone of the shared default shares its compiled patterns: compiling the eleven
        // default patterns again for each config loaded was a third of the `config` fuzz
        // target's time.
        let mut attack = AttackConfig::clone(&AttackConfig::default_shared());
        if let Some(domains) = &self.domains {
            attack.set_domains(
                domains
                    .iter()
                    .map(|(f, d)| (f.clone(), d.clone()))
                    .collect(),
            );
        }
        for (name, kind) in &self.kinds {
            let Some(id_kind) = IdKind::ALL
                .iter()
                .copied()
                .find(|k| k.name() == name.get_ref())
            else {
                let names: Vec<&str> = IdKind::ALL.iter().map(|k| k.name()).collect();
                return Err((
                    name.span(),
                    format!(
                        "unknown ATT&CK kind `{}`; expected one of {}",
                        name.get_ref(),
                        names.join(", ")
                    ),
                ));
            };
            let pattern = match &kind.pattern {
                Some(pattern) => Some(
                    regex::Regex::new(pattern.get_ref())
                        .map_err(|e| (pattern.span(), format!("bad pattern: {e}")))?,
                ),
                None => None,
            };
            attack.set_kind(id_kind, pattern, kind.folders.as_deref());
        }
        Ok(attack)
    }

    /// The catalogues `catalog` names, resolved against `base` (the config file's folder).
    pub(crate) fn catalogs(&self, base: &Path) -> Vec<PathBuf> {
        self.catalog
            .as_ref()
            .map(|c| c.items().iter().map(|c| base.join(c)).collect())
            .unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// IDs of four kinds in the default ATT&CK shapes.
    const IDS: [&str; 4] = ["T1059.001", "TA0002", "M1040", "G0016"];

    #[test]
    fn a_kind_override_changes_its_kind_only_and_leaves_the_shared_default() {
        let defaults = AttackConfig::default();
        let none: AttackSettings = toml::from_str("").unwrap();
        let plain = none.config().unwrap();
        for id in IDS {
            assert_eq!(plain.kind_of(id), defaults.kind_of(id), "{id}");
            assert!(defaults.kind_of(id).is_some(), "{id}");
        }

        let settings: AttackSettings =
            toml::from_str("[kinds.mitigation]\npattern = '^MIT-\\d+$'\nfolders = ['Controls']\n")
                .unwrap();
        let config = settings.config().unwrap();
        assert_eq!(config.kind_of("MIT-7"), Some(IdKind::Mitigation));
        assert_eq!(config.kind_of("M1040"), None);
        for id in ["T1059.001", "TA0002", "G0016"] {
            assert_eq!(config.kind_of(id), defaults.kind_of(id), "{id}");
        }
        assert_eq!(
            config.folder_kind("Controls/Audit.md"),
            Some(IdKind::Mitigation)
        );

        // The override went into a copy: the process-wide default is unchanged.
        let shared = AttackConfig::default_shared();
        assert_eq!(shared.kind_of("M1040"), Some(IdKind::Mitigation));
        assert_eq!(shared.kind_of("MIT-7"), None);
        assert_eq!(shared.folder_kind("Controls/Audit.md"), None);
        for id in IDS {
            assert_eq!(shared.kind_of(id), defaults.kind_of(id), "{id}");
        }
    }
}
