//! `vaultlint.toml`: rule selection, severities and excluded notes; the `[attack]` table is
//! the ATT&CK pack's own (`rules::attack::settings`), read here and converted there.
//!
//! The file is found by walking up from the checked folder (`vaultlint.toml`, then
//! `.vaultlint.toml`, in each folder), stopping at the repository root. Unknown keys are
//! errors with their position, so a typo never silently turns a setting off. Command-line
//! flags override the file.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use toml::Spanned;

use crate::diagnostic::{RuleMeta, Severity};
use crate::error::Error;
use crate::rules;
use crate::rules::attack::settings::AttackSettings;
use crate::rules::attack::AttackConfig;
use crate::suggest;
use crate::vault::Symlinks;

/// The config file names looked for in each folder, in order of preference.
pub(crate) const FILE_NAMES: [&str; 2] = ["vaultlint.toml", ".vaultlint.toml"];

/// `vaultlint.toml` as written; names are kebab-case, unknown keys are errors.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(crate) struct ConfigFile {
    /// Rules to run, by name or by prefix (`attack` selects every `attack-*` rule).
    pub select: Option<Vec<Spanned<String>>>,
    /// Rules not to run, by name or prefix.
    #[serde(default)]
    pub ignore: Vec<Spanned<String>>,
    /// Globs of vault paths that are not linted but still resolve as link targets.
    #[serde(default)]
    pub exclude: Vec<Spanned<String>>,
    /// `[rules.<name>]` tables: per-rule settings, by exact rule name.
    #[serde(default)]
    pub rules: BTreeMap<Spanned<String>, RuleSettings>,
    /// The `[attack]` table, which the ATT&CK pack reads.
    #[serde(default)]
    pub attack: AttackSettings,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
/// One `[rules.<name>]` table.
pub(crate) struct RuleSettings {
    /// Overrides the rule's default severity; `off` does not run it (unless `--select`
    /// names it).
    pub severity: Option<Level>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
/// A severity as written in the config: a [`Severity`] or `off`.
pub(crate) enum Level {
    Error,
    Warning,
    Info,
    Off,
}

/// A loaded config file and where it came from, for error positions.
#[derive(Debug, Default)]
pub(crate) struct Loaded {
    /// The file's path; `None` when no file is used.
    pub path: Option<PathBuf>,
    /// The file's text, to turn byte offsets into `line:column` in errors.
    pub text: String,
    /// The parsed file.
    pub file: ConfigFile,
}

/// Finds the config file for a vault: the nearest one in the vault folder or above it, up
/// to the repository root (the first folder holding `.git`, a folder or a worktree's
/// file). A config above the repository belongs to another project and is never applied.
///
/// Any directory entry with the name counts (not only regular files), so a symlink or FIFO
/// planted as `vaultlint.toml` is an error when loaded instead of silently passed over.
pub(crate) fn discover(start: &Path) -> Option<PathBuf> {
    let start = std::fs::canonicalize(start).unwrap_or_else(|_| start.to_path_buf());
    for dir in start.ancestors() {
        if let Some(found) = FILE_NAMES
            .iter()
            .map(|n| dir.join(n))
            .find(|p| std::fs::symlink_metadata(p).is_ok())
        {
            return Some(found);
        }
        if dir.join(".git").exists() {
            return None;
        }
    }
    None
}

/// Reads and parses the config file at `path`. `symlinks` is `Refuse` for a discovered file
/// (it may come from the pull request being checked) and `Follow` for one named by
/// `--config`.
///
/// # Errors
/// [`Error::Config`] when the file cannot be read (not a regular file, a refused symlink,
/// over 4 MiB) or is not valid `vaultlint.toml`, with the 1-based `line:column` of the
/// problem.
pub(crate) fn load(path: &Path, symlinks: Symlinks) -> Result<Loaded, Error> {
    let text = crate::vault::read_text(path, crate::vault::MAX_SETTINGS_BYTES, symlinks)
        .map_err(|e| Error::Config(format!("`{}` {e}", path.display())))?;
    parse(path, text)
}

/// Parses the text of the config file at `path` (named in errors only; nothing is read).
///
/// # Errors
/// [`Error::Config`] when `text` is not valid `vaultlint.toml`, with the 1-based
/// `line:column` of the problem.
pub(crate) fn parse(path: &Path, text: String) -> Result<Loaded, Error> {
    let file: ConfigFile = toml::from_str(&text).map_err(|e| {
        let at = e
            .span()
            .map_or_else(String::new, |s| position(&text, s.start));
        Error::Config(format!("{}{at}: {}", path.display(), e.message().trim()))
    })?;
    Ok(Loaded {
        path: Some(path.to_path_buf()),
        text,
        file,
    })
}

/// `:line:column` of a byte offset, 1-based.
fn position(text: &str, offset: usize) -> String {
    let before = text.get(..offset).unwrap_or(text);
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    format!(":{line}:{column}")
}

impl Loaded {
    fn error_at(&self, span: std::ops::Range<usize>, message: String) -> Error {
        let name = self
            .path
            .as_ref()
            .map_or_else(|| "config".to_owned(), |p| p.display().to_string());
        Error::Config(format!(
            "{name}{}: {message}",
            position(&self.text, span.start)
        ))
    }

    fn rules_matching(&self, pattern: &Spanned<String>) -> Result<Vec<&'static RuleMeta>, Error> {
        let found = matching(pattern.get_ref());
        if found.is_empty() {
            return Err(self.error_at(pattern.span(), unknown_rule(pattern.get_ref(), true)));
        }
        Ok(found)
    }
}

/// The error for a rule name (or, where `prefixes` are allowed, a prefix such as `attack`)
/// that matches no rule, with the nearest name when `name` looks like a typo of one.
pub(crate) fn unknown_rule(name: &str, prefixes: bool) -> String {
    let mut candidates: Vec<&str> = rules::all().iter().map(|r| r.name).collect();
    if prefixes {
        // Prefixes shared by several rules (`attack`) are valid names too.
        let firsts: Vec<&str> = candidates
            .iter()
            .filter_map(|n| n.split_once('-').map(|(p, _)| p))
            .collect();
        for p in &firsts {
            if firsts.iter().filter(|q| *q == p).count() > 1 && !candidates.contains(p) {
                candidates.push(p);
            }
        }
    }
    let hint = suggest::closest_name(name, &candidates)
        .map_or_else(String::new, |c| format!("did you mean `{c}`? "));
    let what = if prefixes {
        "no rule is called or starts with"
    } else {
        "no rule is called"
    };
    format!("{what} `{name}`; {hint}`vaultlint rules` lists them")
}

/// Rules named `name`, or whose name starts with `name-`.
pub(crate) fn matching(name: &str) -> Vec<&'static RuleMeta> {
    rules::all()
        .iter()
        .copied()
        .filter(|r| {
            let n = r.name;
            n == name
                || n.strip_prefix(name)
                    .is_some_and(|rest| rest.starts_with('-'))
        })
        .collect()
}

/// What the run uses, after the file and the command line are merged.
#[derive(Debug)]
pub(crate) struct Settings {
    /// The rules to run, sorted by name, each once.
    pub rules: Vec<&'static RuleMeta>,
    /// Severity overrides by rule name.
    pub severities: BTreeMap<String, Severity>,
    /// Vault paths that are not linted (they still resolve as link targets).
    pub exclude: Option<globset::GlobSet>,
    /// The ATT&CK pack's ID patterns, kind folders and domain folders.
    pub attack: AttackConfig,
    /// ATT&CK catalogues from `[attack] catalog`, resolved against the config file's folder.
    pub catalogs: Vec<PathBuf>,
}

/// Command-line values that override the file.
#[derive(Debug, Default)]
pub(crate) struct Overrides {
    /// `--select`: replaces the file's `select`, and its ignores and `off`s do not apply.
    pub select: Option<Vec<String>>,
    /// `--ignore`: added to the file's `ignore`.
    pub ignore: Vec<String>,
}

/// `exclude` globs a config may list: each is matched against every note, and 150,000 of
/// them took past a minute and 2 GB. Real configs list a few folders.
pub(crate) const MAX_EXCLUDE_GLOBS: usize = 1_000;

/// Longest `exclude` glob, in bytes.
pub(crate) const MAX_GLOB_BYTES: usize = 1_024;

/// Merges the file and the command line into what the run uses.
///
/// # Errors
/// [`Error::Usage`] for a command-line rule name that matches no rule; [`Error::Config`]
/// for an unknown rule or ATT&CK kind, a bad glob or a bad ID pattern in the file.
pub(crate) fn settings(loaded: &Loaded, overrides: &Overrides) -> Result<Settings, Error> {
    let file = &loaded.file;
    let cli = |names: &[String]| -> Result<Vec<&'static RuleMeta>, Error> {
        let mut out = Vec::new();
        for n in names {
            let found = matching(n);
            if found.is_empty() {
                return Err(Error::Usage(unknown_rule(n, true)));
            }
            out.extend(found);
        }
        Ok(out)
    };
    let mut selected: Vec<&'static RuleMeta> = match (&overrides.select, &file.select) {
        (Some(names), _) => cli(names)?,
        (None, Some(patterns)) => {
            let mut out = Vec::new();
            for p in patterns {
                out.extend(loaded.rules_matching(p)?);
            }
            out
        }
        (None, None) => rules::all().to_vec(),
    };
    let mut ignored: Vec<&'static str> = cli(&overrides.ignore)?.iter().map(|r| r.name).collect();
    // An explicit `--select` is the user's choice for this run: the file's ignores and
    // `off` severities do not take those rules away again.
    let cli_selects = overrides.select.is_some();
    for p in &file.ignore {
        let found = loaded.rules_matching(p)?;
        if !cli_selects {
            ignored.extend(found.iter().map(|r| r.name));
        }
    }
    let mut severities = BTreeMap::new();
    for (name, rule) in &file.rules {
        if rules::find(name.get_ref()).is_none() {
            return Err(loaded.error_at(name.span(), unknown_rule(name.get_ref(), false)));
        }
        match rule.severity {
            Some(Level::Off) if !cli_selects => {
                ignored.push(rules::find(name.get_ref()).map_or("", |r| r.name));
            }
            Some(Level::Off) => {}
            Some(Level::Error) => {
                severities.insert(name.get_ref().clone(), Severity::Error);
            }
            Some(Level::Warning) => {
                severities.insert(name.get_ref().clone(), Severity::Warning);
            }
            Some(Level::Info) => {
                severities.insert(name.get_ref().clone(), Severity::Info);
            }
            None => {}
        }
    }
    selected.sort_by_key(|r| r.name);
    selected.dedup_by_key(|r| r.name);
    selected.retain(|r| !ignored.contains(&r.name));

    let exclude = if file.exclude.is_empty() {
        None
    } else {
        if let Some(over) = file.exclude.get(MAX_EXCLUDE_GLOBS) {
            return Err(loaded.error_at(
                over.span(),
                format!(
                    "{} exclude globs, over the limit of {MAX_EXCLUDE_GLOBS}; exclude folders with `Folder/**` instead",
                    file.exclude.len()
                ),
            ));
        }
        let mut builder = globset::GlobSetBuilder::new();
        for glob in &file.exclude {
            if glob.get_ref().len() > MAX_GLOB_BYTES {
                return Err(loaded.error_at(
                    glob.span(),
                    format!(
                        "exclude glob of {} bytes, over the limit of {MAX_GLOB_BYTES}",
                        glob.get_ref().len()
                    ),
                ));
            }
            let g = globset::GlobBuilder::new(glob.get_ref())
                .literal_separator(true)
                .build()
                .map_err(|e| loaded.error_at(glob.span(), format!("bad exclude glob: {e}")))?;
            builder.add(g);
        }
        Some(
            builder
                .build()
                .map_err(|e| Error::Config(format!("exclude globs: {e}")))?,
        )
    };

    let attack = file
        .attack
        .config()
        .map_err(|(span, message)| loaded.error_at(span, message))?;
    let base = loaded
        .path
        .as_ref()
        .and_then(|p| p.parent())
        .map_or_else(PathBuf::new, Path::to_path_buf);
    let catalogs = file.attack.catalogs(&base);
    Ok(Settings {
        rules: selected,
        severities,
        exclude,
        attack,
        catalogs,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::attack::IdKind;

    fn parse(text: &str) -> Result<Settings, Error> {
        let file: ConfigFile = toml::from_str(text).map_err(|e| Error::Config(e.to_string()))?;
        settings(
            &Loaded {
                path: None,
                text: text.to_owned(),
                file,
            },
            &Overrides::default(),
        )
    }

    fn names(s: &Settings) -> Vec<&str> {
        s.rules.iter().map(|r| r.name).collect()
    }

    #[test]
    fn select_ignore_and_prefixes() {
        let s = parse("select = [\"attack\", \"broken-link\"]\nignore = [\"attack-unknown-id\"]\n")
            .unwrap();
        assert!(names(&s).contains(&"broken-link"));
        assert!(names(&s).contains(&"attack-revoked-id"));
        assert!(!names(&s).contains(&"attack-unknown-id"));
        assert!(!names(&s).contains(&"missing-heading"));
    }

    #[test]
    fn severities_and_off() {
        let s = parse("[rules.broken-link]\nseverity = \"warning\"\n[rules.deprecated-property]\nseverity = \"off\"\n").unwrap();
        assert_eq!(s.severities.get("broken-link"), Some(&Severity::Warning));
        assert!(!names(&s).contains(&"deprecated-property"));
    }

    #[test]
    fn unknown_keys_and_rules_are_errors_with_positions() {
        let e = parse("selec = []\n").unwrap_err().to_string();
        assert!(e.contains("selec"), "{e}");
        let e = parse("\n[rules.no-such-rule]\nseverity = \"error\"\n")
            .unwrap_err()
            .to_string();
        assert!(e.contains(":2:8") && e.contains("no-such-rule"), "{e}");
        let e = parse("[rules.broken-link]\nseverity = \"loud\"\n")
            .unwrap_err()
            .to_string();
        assert!(e.contains("loud"), "{e}");
        let e = parse("ignore = [\"nope\"]\n").unwrap_err().to_string();
        assert!(e.contains(":1:11"), "{e}");
    }

    #[test]
    fn attack_catalogs_one_or_many() {
        let one = parse("[attack]\ncatalog = \"e.json\"\n").unwrap();
        assert_eq!(one.catalogs, [PathBuf::from("e.json")]);
        let many = parse("[attack]\ncatalog = [\"e.json\", \"m.json\"]\n").unwrap();
        assert_eq!(
            many.catalogs,
            [PathBuf::from("e.json"), PathBuf::from("m.json")]
        );
        assert!(parse("[attack]\n").unwrap().catalogs.is_empty());
        let layout =
            parse("[attack]\ndomains = { \"Enterprise attack\" = \"enterprise-attack\" }\n")
                .unwrap();
        assert_eq!(
            layout
                .attack
                .domain_of("Techniques/enterprise-attack/X.md")
                .map(|d| d.1),
            Some("enterprise-attack")
        );
    }

    #[test]
    fn attack_options() {
        let s = parse("[attack]\ndomains = { \"Ent\" = \"enterprise-attack\" }\n[attack.kinds.mitigation]\nfolders = [\"mits\"]\n").unwrap();
        assert_eq!(
            s.attack.folder_kind("Ent/mits/X.md"),
            Some(IdKind::Mitigation)
        );
        assert_eq!(
            s.attack.domain_of("Ent/mits/X.md"),
            Some(("Ent", "enterprise-attack"))
        );
        assert!(parse("[attack.kinds.weapon]\nfolders = []\n").is_err());
        assert!(parse("[attack.kinds.technique]\npattern = \"(\"\n").is_err());
    }

    #[test]
    fn exclude_globs() {
        let s = parse("exclude = [\"Templates/**\", \"*.excalidraw.md\"]\n").unwrap();
        let set = s.exclude.unwrap();
        assert!(set.is_match("Templates/a/b.md"));
        assert!(set.is_match("x.excalidraw.md"));
        assert!(!set.is_match("Notes/x.excalidraw.md"));
        assert!(parse("exclude = [\"[\"]\n").is_err());
    }

    #[test]
    fn exclude_globs_are_bounded() {
        let many: Vec<String> = (0..=MAX_EXCLUDE_GLOBS)
            .map(|i| format!("\"n{i}.md\""))
            .collect();
        let err = parse(&format!("exclude = [{}]\n", many.join(","))).unwrap_err();
        assert!(err.to_string().contains("over the limit of 1000"), "{err}");
        let long = "a".repeat(MAX_GLOB_BYTES + 1);
        let err = parse(&format!("exclude = [\"{long}\"]\n")).unwrap_err();
        assert!(err.to_string().contains("bytes, over the limit"), "{err}");
        assert!(parse(&format!("exclude = [{}]\n", many[1..].join(","))).is_ok());
    }
}
