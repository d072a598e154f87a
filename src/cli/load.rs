//! What a command runs with, read from the files the user named or the ones found: the
//! config file and the ATT&CK catalogues. Shared by `check` and `attack coverage`/`lookup`.

use std::path::{Path, PathBuf};

use crate::config;
use crate::error::Error;
use crate::rules::attack::release::{parse_release, Release};
use crate::rules::attack::{stix_release, Catalogue};
use crate::vault::{self, Symlinks};

/// The built-in catalogue with the domains of each file in `paths` replaced by that file's
/// rows, in order (a later file wins for a domain both hold). Each file is a TSV or STIX
/// bundle of at most 256 MiB; its `Symlinks` is `Refuse` when a config file names it,
/// `Follow` for `--attack-catalog`.
///
/// # Errors
/// `Error::Usage` when a file cannot be read or is not a catalogue.
pub(super) fn load_catalogue(paths: &[(PathBuf, Symlinks)]) -> Result<Catalogue, Error> {
    let mut catalogue = Catalogue::built_in();
    for (path, symlinks) in paths {
        let text = vault::read_text(path, vault::MAX_CATALOGUE_BYTES, *symlinks).map_err(|e| {
            Error::Usage(format!(
                "cannot read ATT&CK catalogue: `{}` {e}",
                path.display()
            ))
        })?;
        let loaded = Catalogue::from_text(&text, &path.display().to_string())
            .map_err(|e| Error::Usage(format!("ATT&CK catalogue `{}`: {e}", path.display())))?;
        catalogue.merge(loaded);
    }
    Ok(catalogue)
}

/// The config that applies: none with `--no-config`, the file `--config` names (a symlink
/// allowed: the user chose it), else the one discovered from `start` (symlinks refused: a
/// pull request can add one).
pub(super) fn load_config(
    no_config: bool,
    explicit: Option<&Path>,
    start: &Path,
) -> Result<config::Loaded, Error> {
    if no_config {
        return Ok(config::Loaded::default());
    }
    match explicit {
        Some(path) => config::load(path, Symlinks::Follow),
        None => match config::discover(start) {
            Some(path) => config::load(&path, Symlinks::Refuse),
            None => Ok(config::Loaded::default()),
        },
    }
}

/// The catalogues to load: those given with `--attack-catalog` (symlinks followed), else
/// those the config file names (symlinks refused).
pub(super) fn catalog_sources(
    cli: &[PathBuf],
    from_config: &[PathBuf],
) -> Vec<(PathBuf, Symlinks)> {
    if cli.is_empty() {
        from_config
            .iter()
            .map(|p| (p.clone(), Symlinks::Refuse))
            .collect()
    } else {
        cli.iter().map(|p| (p.clone(), Symlinks::Follow)).collect()
    }
}

/// Catalogue files to load, each with how a symlink to it is treated.
pub(super) type Catalogs = Vec<(PathBuf, Symlinks)>;

/// The release the vault is pinned to (`--attack-release`, else `[attack] release`) and the
/// catalogues to load: `--attack-catalog`'s files when given, else a pinned release's
/// bundles in the cache, else the config file's `[attack] catalog`. `check` and
/// `attack upgrade` choose their catalogue this one way.
///
/// # Errors
/// `Error::Usage` for a pin that is no release, or a release not in the cache.
pub(super) fn attack_sources(
    cli_release: Option<&str>,
    loaded: &config::Loaded,
    cli_catalogs: &[PathBuf],
    config_catalogs: &[PathBuf],
) -> Result<(Option<Release>, Catalogs), Error> {
    let pin = match (cli_release, &loaded.file.attack.release) {
        (Some(cli), _) => Some(parse_pin(cli)?),
        (None, Some(file)) => Some(parse_pin(file.get_ref())?),
        (None, None) => None,
    };
    let mut catalogs = catalog_sources(cli_catalogs, config_catalogs);
    if let (Some(release), true) = (pin, cli_catalogs.is_empty()) {
        catalogs = release_catalogs(release)?;
    }
    Ok((pin, catalogs))
}

/// The folder of the cache of fetched ATT&CK releases: `$XDG_CACHE_HOME/vaultlint/attack`,
/// else `$HOME/.cache/vaultlint/attack` (the XDG base directory specification's default; a
/// relative `XDG_CACHE_HOME` is ignored, as the specification says).
///
/// # Errors
/// `Error::Usage` when neither variable gives a folder.
pub(super) fn attack_cache() -> Result<PathBuf, Error> {
    let xdg = std::env::var_os("XDG_CACHE_HOME")
        .map(PathBuf::from)
        .filter(|p| p.is_absolute());
    let base = match xdg {
        Some(p) => p,
        None => std::env::var_os("HOME")
            .map(PathBuf::from)
            .filter(|p| p.is_absolute())
            .map(|h| h.join(".cache"))
            .ok_or_else(|| {
                Error::Usage(
                    "no cache folder for ATT&CK releases: set XDG_CACHE_HOME or HOME".to_owned(),
                )
            })?,
    };
    Ok(base.join("vaultlint").join("attack"))
}

/// The release a pin names (`19.1`, `v19.1`), as a number.
///
/// # Errors
/// `Error::Usage` for text that is no release number.
pub(super) fn parse_pin(text: &str) -> Result<Release, Error> {
    parse_release(text)
        .filter(|_| {
            text.trim_start_matches(['v', 'V'])
                .bytes()
                .all(|b| b.is_ascii_digit() || b == b'.')
        })
        .ok_or_else(|| {
            Error::Usage(format!(
                "`{text}` is no ATT&CK release; write it as MITRE numbers releases, e.g. `19.1`"
            ))
        })
}

/// The cached bundles of `release` (`<cache>/<release>/*.json`, in name order), to load as
/// the catalogue. The built-in release needs none.
///
/// # Errors
/// `Error::Usage` when the release is not in the cache, naming the command that fetches it.
fn release_catalogs(release: Release) -> Result<Vec<(PathBuf, Symlinks)>, Error> {
    let shown = stix_release::file_release(release);
    let dir = attack_cache()?.join(&shown);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .map(|e| e.path())
                .filter(|p| p.extension().is_some_and(|x| x == "json"))
                .collect()
        })
        .unwrap_or_default();
    files.sort();
    if files.is_empty() {
        if Some(release) == parse_release(&Catalogue::built_in_shared().version) {
            return Ok(Vec::new());
        }
        return Err(Error::Usage(format!(
            "ATT&CK release {shown} is not in the cache (`{}`); fetch it once with `vaultlint attack fetch {shown}`, then check offline",
            dir.display()
        )));
    }
    Ok(files.into_iter().map(|p| (p, Symlinks::Refuse)).collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::attack::relations::Relation;
    use crate::rules::attack::IdKind;

    /// The built-in tactics are the v18.1 bundles' (the data file is made from them), and
    /// the v14.1 bundles differ where ATT&CK changed a technique's tactics.
    #[test]
    fn built_in_tactics_are_the_v18_1_bundles() {
        let Some(corpora) = crate::vault::shared_corpora() else {
            return;
        };
        let releases = corpora.join("../attack/releases");
        let dir = tempfile::tempdir().unwrap();
        // As `--attack-catalog` loads them: the three domains' bundles over the built-in.
        let load = |release: &str| {
            let mut paths = Vec::new();
            for domain in ["enterprise-attack", "mobile-attack", "ics-attack"] {
                let path = releases.join(format!("{domain}-{release}.json.xz"));
                let compressed = std::fs::read(&path).unwrap();
                let mut text = Vec::new();
                lzma_rs::xz_decompress(&mut compressed.as_slice(), &mut text).unwrap();
                let file = dir.path().join(format!("{domain}-{release}.json"));
                std::fs::write(&file, text).unwrap();
                paths.push((file, Symlinks::Follow));
            }
            load_catalogue(&paths).unwrap()
        };
        let built_in = Catalogue::built_in();
        let v18 = load("18.1");
        let v14 = load("14.1");
        let mut techniques = 0;
        for e in v18
            .entries()
            .filter(|e| IdKind::Technique.fits_type(&e.kind))
        {
            let ours = built_in
                .lookup(&e.id, IdKind::Technique, Some(&e.domain))
                .unwrap();
            assert_eq!(ours.tactics, e.tactics, "{} in {}", e.id, e.domain);
            techniques += usize::from(!e.tactics.is_empty());
        }
        assert!(techniques > 1000, "{techniques}");
        let tactics = |c: &Catalogue, id: &str, domain: &str| {
            c.lookup(id, IdKind::Technique, Some(domain))
                .unwrap()
                .tactics
                .clone()
        };
        assert_eq!(tactics(&v14, "T1112", "enterprise-attack"), ["TA0005"]);
        assert_eq!(
            tactics(&v18, "T1112", "enterprise-attack"),
            ["TA0005", "TA0003"]
        );
        assert_eq!(tactics(&v14, "T1451", "mobile-attack"), ["TA0038"]);
        assert_eq!(tactics(&v18, "T1451", "mobile-attack"), ["TA0027"]);
    }

    /// Every row and relationship the catalogue reads from a whole release bundle, one
    /// line each in a stable order, and how many of each.
    fn digest(c: &Catalogue) -> (usize, usize, String) {
        use sha2::Digest;
        let mut rows: Vec<String> = c
            .entries()
            .map(|e| {
                format!(
                    "{}\t{}\t{}\t{}\t{}\t{}\t{:?}\t{:?}\t{:?}\t{:?}",
                    e.domain,
                    e.id,
                    e.kind,
                    e.name,
                    e.deprecated,
                    e.revoked,
                    e.revoked_by,
                    e.replacement,
                    e.revocation_cycle,
                    e.tactics
                )
            })
            .collect();
        rows.sort();
        let mut ids: Vec<&str> = c.entries().map(|e| e.id.as_str()).collect();
        ids.sort_unstable();
        ids.dedup();
        let mut relations = Vec::new();
        for id in ids {
            for relation in [
                Relation::Mitigates,
                Relation::Uses,
                Relation::SubtechniqueOf,
            ] {
                for target in c.relations.targets(None, relation, id) {
                    relations.push(format!("{id}\t{}\t{target}", relation.name()));
                }
            }
        }
        let mut hash = sha2::Sha256::new();
        for line in rows.iter().chain(&relations) {
            hash.update(line.as_bytes());
            hash.update(b"\n");
        }
        let hex: String = hash.finalize().iter().map(|b| format!("{b:02x}")).collect();
        (rows.len(), relations.len(), hex)
    }

    /// The six whole bundles of `../shared/attack/releases` (MITRE's v14.1 and v18.1) give
    /// the same rows and relationships read one object at a time as when each bundle was
    /// parsed into one JSON tree first and its objects read from it (how the catalogue read
    /// bundles before), with the counts pinned here.
    #[test]
    fn whole_release_bundles_read_object_by_object() {
        use std::io::Read;
        let Some(corpora) = vault::shared_corpora() else {
            return;
        };
        let releases = corpora.join("../attack/releases");
        let mut got = Vec::new();
        for release in ["14.1", "18.1"] {
            for domain in ["enterprise-attack", "mobile-attack", "ics-attack"] {
                let path = releases.join(format!("{domain}-{release}.json.xz"));
                let mut compressed = Vec::new();
                std::fs::File::open(&path)
                    .unwrap()
                    .read_to_end(&mut compressed)
                    .unwrap();
                let mut json = Vec::new();
                lzma_rs::xz_decompress(&mut compressed.as_slice(), &mut json).unwrap();
                let text = String::from_utf8(json).unwrap();
                let streamed = Catalogue::from_stix(&text).unwrap();
                let whole = Catalogue::from_stix_tree(&text).unwrap();
                assert_eq!(streamed.version, whole.version);
                let (rows, relations, hash) = digest(&streamed);
                assert_eq!(
                    (rows, relations, hash),
                    digest(&whole),
                    "{domain}-{release}"
                );
                got.push(format!(
                    "{domain}-{release}: {rows} rows, {relations} relationships"
                ));
            }
        }
        assert_eq!(
            got,
            [
                "enterprise-attack-14.1: 1917 rows, 15108 relationships",
                "mobile-attack-14.1: 333 rows, 1286 relationships",
                "ics-attack-14.1: 222 rows, 559 relationships",
                "enterprise-attack-18.1: 4720 rows, 19190 relationships",
                "mobile-attack-18.1: 720 rows, 1634 relationships",
                "ics-attack-18.1: 449 rows, 598 relationships",
            ]
        );
    }
}
