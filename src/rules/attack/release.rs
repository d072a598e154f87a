//! Which ATT&CK release a vault is from, against the release its catalogue is from.
//!
//! ATT&CK issues IDs in sequence and never reuses one, so a vault made from a newer release
//! than the catalogue shows as IDs its notes declare that the catalogue does not know,
//! some numbered past the highest ID the catalogue has of that prefix (T1685 and TA0112
//! in v19, against v18.1's T1681 and TA0111). A typo is one note's mistake; a newer release
//! is many notes'. A vault made from an older release shows as declared IDs the catalogue
//! has revoked or deprecated, and notes named as ATT&CK no longer names them.

use std::collections::BTreeSet;

use crate::index::{FileId, Vault};

use super::catalogue::{split_id, Catalogue};
use super::model::{Declared, PathFacts};

/// How many unknown IDs [`VaultRelease::examples`] keeps.
const EXAMPLES: usize = 5;

/// Fewest distinct unknown declared IDs that make a vault newer than its catalogue (and
/// retired ones, older).
const MIN_UNKNOWN: usize = 3;

/// Of the distinct IDs the vault declares, the share (1 in `UNKNOWN_SHARE`) that must be
/// unknown to the catalogue for the vault to count as newer: a few typos in a large vault
/// do not.
const UNKNOWN_SHARE: usize = 100;

/// An ATT&CK release number (`19.1` is `(19, 1)`).
pub(crate) type Release = (u32, u32);

/// Reads `19.1`, `v19.1`, `ATT&CK v19.1 (built in)` or `19` as a release number.
pub(crate) fn parse_release(text: &str) -> Option<Release> {
    let start = text.find(|c: char| c.is_ascii_digit())?;
    let rest = &text[start..];
    let end = rest
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(rest.len());
    let mut parts = rest[..end].split('.');
    let major = parts.next()?.parse().ok()?;
    let minor = parts
        .next()
        .filter(|p| !p.is_empty())
        .map_or(Some(0), |p| p.parse().ok())?;
    Some((major, minor))
}

/// A release as ATT&CK writes it (`v19.1`).
pub(crate) fn shown(release: Release) -> String {
    format!("v{}.{}", release.0, release.1)
}

/// What the vault's notes say about the release they were made from.
#[derive(Debug, Clone, Default)]
pub(crate) struct VaultRelease {
    /// The catalogue's oldest release of a live domain (`None` for a catalogue without one).
    pub catalogue: Option<Release>,
    /// The release pinned in the settings (`[attack] release`), if any.
    pub pinned: Option<Release>,
    /// Distinct IDs notes declare that the catalogue does not know, in ID order.
    pub unknown: Vec<String>,
    /// A few of `unknown` for messages, those numbered past the catalogue's highest first
    /// (they show best that the release moved on).
    pub examples: Vec<String>,
    /// Distinct IDs notes declare.
    pub declared: usize,
    /// Distinct declared IDs the catalogue has revoked or deprecated.
    pub retired: usize,
    /// The vault is newer than its catalogue: pinned to a later release, or its notes
    /// declare enough IDs the catalogue does not know, one of them numbered past the
    /// catalogue's highest of its prefix.
    pub newer: bool,
    /// The note that carries the `attack-catalog-outdated` finding: the first, by path,
    /// declaring an unknown ID.
    pub at: Option<FileId>,
}

impl VaultRelease {
    /// Weighs the notes' declarations against the catalogue; `facts` holds each file's
    /// [`PathFacts`], parallel to the vault's files (a declaration counts where it fits the
    /// note's kind folder).
    pub(crate) fn infer(
        vault: &Vault,
        catalogue: &Catalogue,
        declared: &[Vec<Declared>],
        facts: &[PathFacts],
        pinned: Option<Release>,
    ) -> Self {
        // PRE-ATT&CK was retired in v8: the built-in rows of it stay when newer bundles
        // replace the live domains, and say nothing of the catalogue's release.
        let live: Vec<&String> = catalogue
            .releases
            .iter()
            .filter(|(d, _)| d.as_str() != "pre-attack")
            .map(|(_, r)| r)
            .collect();
        let release = live.into_iter().filter_map(|r| parse_release(r)).min();
        let mut ids: BTreeSet<&str> = BTreeSet::new();
        let mut unknown: BTreeSet<&str> = BTreeSet::new();
        let mut retired = 0;
        let mut at: Option<FileId> = None;
        for (file, found) in declared.iter().enumerate() {
            for d in found {
                let fits = facts
                    .get(file)
                    .and_then(PathFacts::kind)
                    .is_none_or(|k| k == d.kind);
                if !fits || !ids.insert(&d.id) {
                    if fits && unknown.contains(d.id.as_str()) {
                        at = first(vault, at, file);
                    }
                    continue;
                }
                let rows = catalogue.all(&d.id);
                let rows: Vec<_> = rows.iter().filter(|e| d.kind.fits_type(&e.kind)).collect();
                if rows.is_empty() {
                    unknown.insert(&d.id);
                    at = first(vault, at, file);
                } else if rows.iter().all(|e| e.revoked || e.deprecated) {
                    retired += 1;
                }
            }
        }
        let is_fresh = |id: &str| {
            let (prefix, number) = split_id(id);
            catalogue.highest_number(prefix).is_some_and(|h| number > h)
        };
        let fresh = unknown.iter().any(|u| is_fresh(u));
        // The catalogue is asked last: a vault that declares no ID never needs its rows.
        let by_evidence = unknown.len() >= MIN_UNKNOWN
            && unknown.len() * UNKNOWN_SHARE >= ids.len()
            && fresh
            && !catalogue.is_empty();
        let newer = match (pinned, release) {
            (Some(p), Some(c)) => p > c,
            _ => by_evidence,
        };
        VaultRelease {
            catalogue: release,
            pinned,
            unknown: unknown.iter().map(|&u| u.to_owned()).collect(),
            examples: unknown
                .iter()
                .filter(|u| is_fresh(u))
                .chain(unknown.iter().filter(|u| !is_fresh(u)))
                .take(EXAMPLES)
                .map(|&u| u.to_owned())
                .collect(),
            declared: ids.len(),
            retired,
            newer,
            at: if newer { at } else { None },
        }
    }

    /// Whether the vault looks made from a release older than the catalogue's: pinned to
    /// one, or several of its declared IDs (as many as make a newer vault) are retired
    /// there and none are unknown.
    pub(crate) fn older(&self) -> bool {
        match (self.pinned, self.catalogue) {
            (Some(p), Some(c)) => p < c,
            _ => {
                !self.newer
                    && self.unknown.is_empty()
                    && self.retired >= MIN_UNKNOWN
                    && self.retired * UNKNOWN_SHARE >= self.declared
            }
        }
    }

    /// Whether a finding about `id` is one only the older catalogue causes: the vault is
    /// newer and some note declares the ID.
    pub(crate) fn explains(&self, id: &str) -> bool {
        self.newer
            && self
                .unknown
                .binary_search_by(|u| u.as_str().cmp(id))
                .is_ok()
    }
}

/// The note with the smaller path of `current` and `file`.
fn first(vault: &Vault, current: Option<FileId>, file: FileId) -> Option<FileId> {
    Some(match current {
        Some(c) if vault.path(c) <= vault.path(file) => c,
        _ => file,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn release_numbers() {
        assert_eq!(parse_release("19.1"), Some((19, 1)));
        assert_eq!(parse_release("v20"), Some((20, 0)));
        assert_eq!(parse_release("ATT&CK v18.1 (built in)"), Some((18, 1)));
        assert_eq!(parse_release("latest"), None);
        assert!(parse_release("19.10").unwrap() > parse_release("19.2").unwrap());
    }
}
