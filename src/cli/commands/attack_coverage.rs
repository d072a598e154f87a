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
/// An unusable config or catalogue, a missing vault folder, a failed write to `out`.
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
    let report = coverage::coverage(&vault, &Arc::new(settings.attack), &catalogue);
    match format {
        CoverageFormat::Table => write!(out, "{}", report.table())?,
        CoverageFormat::Json => {
            serde_json::to_writer_pretty(&mut *out, &report)
                .map_err(|e| Error::Usage(e.to_string()))?;
            writeln!(out)?;
        }
        CoverageFormat::Navigator => {
            serde_json::to_writer_pretty(&mut *out, &report.navigator_layer(domain))
                .map_err(|e| Error::Usage(e.to_string()))?;
            writeln!(out)?;
        }
    }
    Ok(Outcome::Clean)
}
