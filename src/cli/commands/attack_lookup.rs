//! `vaultlint attack lookup ID`: what the catalogue knows of an ID. The text is the pack's
//! (`rules::attack::lookup`).

use std::io::Write;
use std::path::PathBuf;

use crate::cli::load::load_catalogue;
use crate::cli::Outcome;
use crate::error::Error;
use crate::rules::attack::lookup;
use crate::vault::Symlinks;

/// Looks `id` (trimmed) up in the built-in catalogue with the files of `--attack-catalog`
/// (`attack_catalog`) merged in, and writes what it knows.
///
/// # Errors
/// `Error::Usage` for an unusable catalogue file or an ID the catalogue does not hold; a
/// failed write to `out`.
pub(crate) fn lookup(
    id: &str,
    attack_catalog: &[PathBuf],
    out: &mut dyn Write,
) -> Result<Outcome, Error> {
    let paths: Vec<(PathBuf, Symlinks)> = attack_catalog
        .iter()
        .map(|p| (p.clone(), Symlinks::Follow))
        .collect();
    let catalogue = load_catalogue(&paths)?;
    let text = lookup::lookup(&catalogue, id.trim()).map_err(Error::Usage)?;
    out.write_all(crate::render::escape::log_text(&text).as_bytes())?;
    Ok(Outcome::Clean)
}
