//! Where `vaultlint check` keeps its cache and what it is stamped with: `--cache-dir`, else
//! `VAULTLINT_CACHE_DIR`, else `.vaultlint_cache/` at the vault root; `--no-cache` skips it.

use std::hash::Hasher;
use std::path::{Path, PathBuf};

use crate::check::CacheSettings;
use crate::cli::args::CheckArgs;
use crate::config::{Loaded, Settings};
use crate::vault::Symlinks;

/// The cache folder's default name, at the vault root. Obsidian ignores dot-folders, and
/// so does the walk.
pub(super) const DEFAULT_DIR: &str = ".vaultlint_cache";

/// The environment variable that moves the cache when `--cache-dir` is not given.
pub(super) const DIR_VARIABLE: &str = "VAULTLINT_CACHE_DIR";

/// The merged settings as the cache's stamp reads them: the rules that run, the severity
/// overrides and the ATT&CK settings.
pub(super) fn describe(settings: &Settings) -> String {
    let rules: Vec<&str> = settings.rules.iter().map(|r| r.name).collect();
    format!(
        "{rules:?}\n{:?}\n{:?}",
        settings.severities, settings.attack
    )
}

/// The cache settings for a run on the vault at `root`, or `None` with `--no-cache`.
/// The stamp covers what findings depend on besides the vault: the configuration (the
/// file's text and the merged settings, `described`, with a pinned ATT&CK release), the
/// rules asked for, the built-in catalogue's data, and each catalogue file by path, size and
/// modification time (the tool's version is in the cache's header).
pub(super) fn settings(
    args: &CheckArgs,
    root: &Path,
    loaded: &Loaded,
    described: &str,
    catalogs: &[(PathBuf, Symlinks)],
    max_note_bytes: u64,
) -> Option<CacheSettings> {
    if args.no_cache {
        return None;
    }
    let dir = match (&args.cache_dir, std::env::var_os(DIR_VARIABLE)) {
        (Some(dir), _) => dir.clone(),
        (None, Some(dir)) if !dir.is_empty() => PathBuf::from(dir),
        _ => root.join(DEFAULT_DIR),
    };
    let mut stamp = xxhash_rust::xxh3::Xxh3::new();
    stamp.write(loaded.text.as_bytes());
    stamp.write(
        format!(
            "{described}\n{:?}\n{:?}\n{max_note_bytes}",
            args.select, args.ignore
        )
        .as_bytes(),
    );
    stamp.write_u64(crate::rules::attack::Catalogue::built_in_hash());
    for (path, _) in catalogs {
        stamp.write(path.to_string_lossy().as_bytes());
        match std::fs::metadata(path) {
            Ok(meta) => {
                stamp.write_u64(meta.len());
                let mtime = meta
                    .modified()
                    .ok()
                    .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
                    .map_or(0, |d| d.as_nanos());
                stamp.write_u128(mtime);
            }
            Err(_) => stamp.write_u8(0),
        }
    }
    Some(CacheSettings {
        dir,
        stamp: stamp.finish(),
    })
}
