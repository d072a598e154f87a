//! What a command runs with, read from the files the user named or the ones found: the
//! config file and the ATT&CK catalogues. Shared by `check` and `attack coverage`/`lookup`.

use std::path::{Path, PathBuf};

use crate::config;
use crate::error::Error;
use crate::rules::attack::Catalogue;
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
