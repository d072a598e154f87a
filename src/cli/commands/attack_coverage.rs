//! `vaultlint attack coverage`: which catalogue objects have a note in the vault. The
//! report and its forms (table, JSON, Navigator layer) are the pack's
//! (`rules::attack::coverage`); this file loads what it needs and writes the chosen form.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::check::{self, CheckOptions};
use crate::cli::args::CoverageFormat;
use crate::cli::load::{catalog_sources, load_catalogue, load_config};
use crate::cli::Outcome;
use crate::config;
use crate::error::Error;
use crate::rules::attack::coverage;

/// Indexes the vault at `path` with the config's `exclude` and `[attack]` settings and the
/// catalogues (`--attack-catalog`, else the config's), and writes its coverage in `format`
/// (a Navigator layer is of `domain`).
///
/// # Errors
/// An unusable config or catalogue, a missing vault folder, a folder without notes, a
/// `domain` the catalogue does not hold, a failed write to `out`.
pub(crate) fn coverage(
    path: &Path,
    format: CoverageFormat,
    domain: &str,
    attack_catalog: &[PathBuf],
    config_path: Option<&Path>,
    no_config: bool,
    out: &mut dyn Write,
) -> Result<Outcome, Error> {
    let loaded = load_config(no_config, config_path, path)?;
    let settings = config::settings(&loaded, &config::Overrides::default())?;
    let catalogs = catalog_sources(attack_catalog, &settings.catalogs);
    let catalogue = Arc::new(load_catalogue(&catalogs)?);
    let mut options = CheckOptions::new(path.to_path_buf());
    options.walk.exclude = settings.exclude;
    let vault = check::index_vault(&options)?;
    if vault.linted_notes().next().is_none() {
        let why = if vault.files.is_empty() {
            "it is empty".to_owned()
        } else {
            "it holds no note to count (`.md`, not excluded)".to_owned()
        };
        return Err(Error::VaultRoot(path.to_path_buf(), why));
    }
    let report = coverage::coverage(&vault, &Arc::new(settings.attack), &catalogue);
    report
        .check_domain(domain)
        .map_err(|e| Error::Usage(format!("--domain: {e}")))?;
    match format {
        CoverageFormat::Table => {
            write!(out, "{}", crate::render::escape::log_text(&report.table()))?;
        }
        CoverageFormat::Json => {
            crate::render::escape::json_pretty(&mut *out, &report)
                .map_err(|e| Error::Usage(e.to_string()))?;
            writeln!(out)?;
        }
        CoverageFormat::Navigator => {
            crate::render::escape::json_pretty(&mut *out, &report.navigator_layer(domain))
                .map_err(|e| Error::Usage(e.to_string()))?;
            writeln!(out)?;
        }
    }
    Ok(Outcome::Clean)
}
