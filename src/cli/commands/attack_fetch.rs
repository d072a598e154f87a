//! `vaultlint attack fetch [RELEASE]`: downloads MITRE's STIX 2.1 bundles of an ATT&CK
//! release from the attack-stix-data repository (or a mirror: `--base-url`, `[attack]
//! base-url`) into the cache, for `check --attack-release` and `[attack] release` to use
//! offline. The only command that touches the network. What a good bundle is, and where
//! the repository keeps it, is the pack's (`rules::attack::stix_release`); this file
//! downloads and stores.
//!
//! Every bundle asked for is downloaded and checked before any is stored, and each is
//! written to a temp file in the release's folder and renamed into place: an interrupted
//! or refused download leaves no file behind, and a cached bundle is always whole.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use crate::cli::load::{attack_cache, load_config, parse_pin};
use crate::cli::Outcome;
use crate::error::Error;
use crate::rules::attack::release::Release;
use crate::rules::attack::stix_release::{self, DEFAULT_BASE_URL, DOMAINS};
use crate::vault::MAX_CATALOGUE_BYTES;

/// Longest the index may be, in bytes (it is a few hundred KB).
const MAX_INDEX_BYTES: u64 = 16 * 1024 * 1024;

/// Fetches `release` (the latest when `None`) of `domains` (the three when empty) from
/// `base_url` (else the config's `[attack] base-url`, else GitHub) into the cache, and says
/// what it stored.
///
/// # Errors
/// `Error::Usage` for a bad release or domain, a failed download, a bundle that is not the
/// one asked for, or a failed write; nothing is stored then.
pub(crate) fn fetch(
    release: Option<&str>,
    domains: &[String],
    base_url: Option<&str>,
    config: Option<&Path>,
    no_config: bool,
    out: &mut dyn Write,
) -> Result<Outcome, Error> {
    let loaded = load_config(no_config, config, Path::new("."))?;
    let base = base_url
        .map(str::to_owned)
        .or_else(|| loaded.file.attack.base_url.clone())
        .unwrap_or_else(|| DEFAULT_BASE_URL.to_owned());
    let domains: Vec<String> = if domains.is_empty() {
        DOMAINS.iter().map(|d| (*d).to_owned()).collect()
    } else {
        domains.to_vec()
    };
    for d in &domains {
        if !DOMAINS.contains(&d.as_str()) {
            return Err(Error::Usage(format!(
                "unknown ATT&CK domain `{d}`; expected one of {}",
                DOMAINS.join(", ")
            )));
        }
    }
    let release: Release = match release {
        Some(r) => parse_pin(r)?,
        None => {
            let url = stix_release::index_url(&base);
            let index = download(&url, MAX_INDEX_BYTES)?;
            let text = String::from_utf8(index)
                .map_err(|_| Error::Usage(format!("`{url}`: the index is not UTF-8")))?;
            stix_release::latest_release(&text)
                .map_err(|e| Error::Usage(format!("`{url}`: {e}")))?
        }
    };
    let shown = stix_release::file_release(release);
    let mut bundles: Vec<(String, Vec<u8>, usize)> = Vec::new();
    for domain in &domains {
        let url = stix_release::bundle_url(&base, domain, &shown);
        let bytes = download(&url, MAX_CATALOGUE_BYTES)?;
        let text = std::str::from_utf8(&bytes)
            .map_err(|_| Error::Usage(format!("`{url}`: not a STIX bundle (not UTF-8)")))?;
        let objects = stix_release::check_bundle(text, domain, release)
            .map_err(|e| Error::Usage(format!("`{url}`: {e}; nothing was stored")))?;
        bundles.push((domain.clone(), bytes, objects));
    }
    let dir = attack_cache()?.join(&shown);
    std::fs::create_dir_all(&dir).map_err(|e| {
        Error::Usage(format!(
            "cannot create the cache folder `{}`: {e}",
            dir.display()
        ))
    })?;
    for (domain, bytes, objects) in &bundles {
        let path = dir.join(format!("{domain}.json"));
        store(&dir, &path, bytes)?;
        writeln!(
            out,
            "fetched ATT&CK v{shown} {domain}: {objects} objects, `{}`",
            path.display()
        )?;
    }
    writeln!(
        out,
        "check against it offline: `vaultlint check --attack-release {shown}`, or `release = \"{shown}\"` under `[attack]`"
    )?;
    Ok(Outcome::Clean)
}

/// The body at `url`, at most `limit` bytes.
///
/// # Errors
/// `Error::Usage` for a failed request, a status other than 200, a body over the limit, or
/// a body cut short (the connection closed before `Content-Length` bytes came).
fn download(url: &str, limit: u64) -> Result<Vec<u8>, Error> {
    let fail = |e: &dyn std::fmt::Display| {
        Error::Usage(format!("cannot download `{url}`: {e}; nothing was stored"))
    };
    let response = ureq::get(url).call().map_err(|e| fail(&e))?;
    let mut body = Vec::new();
    response
        .into_body()
        .into_reader()
        .take(limit + 1)
        .read_to_end(&mut body)
        .map_err(|e| fail(&e))?;
    if body.len() as u64 > limit {
        return Err(fail(&format!("larger than {limit} bytes")));
    }
    Ok(body)
}

/// Writes `bytes` to `path` atomically: a temp file in `dir`, renamed over `path`.
fn store(dir: &Path, path: &PathBuf, bytes: &[u8]) -> Result<(), Error> {
    let fail =
        |e: &dyn std::fmt::Display| Error::Usage(format!("cannot store `{}`: {e}", path.display()));
    let mut temp = tempfile::NamedTempFile::new_in(dir).map_err(|e| fail(&e))?;
    temp.write_all(bytes).map_err(|e| fail(&e))?;
    temp.as_file().sync_all().map_err(|e| fail(&e))?;
    temp.persist(path).map_err(|e| fail(&e.error))?;
    Ok(())
}
