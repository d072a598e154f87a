//! The whole vault in memory after parsing: files, parsed notes, and the name index that
//! link resolution uses (Obsidian's `uniqueFileLookup`).

use std::collections::HashMap;
use std::sync::Arc;

use unicode_normalization::{is_nfc_quick, IsNormalized, UnicodeNormalization};

use crate::parse::Outline;
use crate::vault::{FileProblem, VaultFile};

/// A file's index in [`Vault::files`] (sorted by path), stable for the whole run.
pub(crate) type FileId = usize;

/// Names are compared in NFC and lower case (reference note, rules 35 and 36). Never NFKC:
/// it would turn the fullwidth solidus `／` into a path separator.
pub(crate) fn name_key(s: &str) -> String {
    match is_nfc_quick(s.chars()) {
        IsNormalized::Yes => s.to_lowercase(),
        _ => s.nfc().collect::<String>().to_lowercase(),
    }
}

/// Everything the rules read. Built once by [`Vault::new`], never mutated afterwards, and
/// shared read-only across threads.
pub(crate) struct Vault {
    /// Every file of the vault, notes and attachments, sorted by path.
    pub files: Vec<VaultFile>,
    /// Parallel to `files`: each note's outline, `None` for attachments and skipped files.
    pub outlines: Vec<Option<Outline>>,
    /// Files the walk or the outline pass could not take, for the file-level rules.
    pub problems: Vec<FileProblem>,
    /// Lower-cased NFC alias → notes that declare it in `aliases`; for hints only, since
    /// aliases never resolve links.
    pub aliases: HashMap<String, Vec<FileId>>,
    /// Parallel to `files`: each path as [`name_key`] compares it.
    pub(crate) keys: Vec<String>,
    /// Lower-cased NFC file name (extension included) → the files with that name, by
    /// path: Obsidian's `uniqueFileLookup` (reference note, rule 30).
    pub(crate) by_name: HashMap<String, Vec<FileId>>,
    /// The keys of `by_name` with their length in characters, sorted by length then name,
    /// so "did you mean" only looks at names of a plausible length.
    names_by_len: Vec<(usize, String, u64)>,
    /// Indexes into `names_by_len` by (length, first character of the stem) and by (length,
    /// last character of the stem): a typo rarely changes both ends, so "did you mean" looks
    /// only in these buckets and stays fast on vaults with many broken links.
    names_by_end: HashMap<(usize, char, bool), Vec<u32>>,
    /// Lower-cased file name without its extension → attachments (non-Markdown files), for
    /// the hint that attachment links need the extension.
    attachments_by_stem: HashMap<String, Vec<FileId>>,
    /// For names shared by more than [`RANKED_NAME_MIN`] files: those files in the orders
    /// Obsidian's ranking needs, so that resolving a bare name does not look at every
    /// same-named file (3,000 folders each with an `index.md` linked as `[[index]]`).
    ranked: HashMap<String, NameRanks>,
}

/// Names shared by more files than this get a [`NameRanks`].
pub(crate) const RANKED_NAME_MIN: usize = 64;

/// The files sharing one name, sorted two ways.
#[derive(Debug)]
pub(crate) struct NameRanks {
    /// By key (the lower-cased path): the files under a folder prefix are one run.
    pub(crate) by_key: Vec<FileId>,
    /// By key length, then id (path order): Obsidian's "shortest path first".
    pub(crate) by_len: Vec<FileId>,
    /// Each key's bytes reversed, sorted: the keys ending with a text are one run, found
    /// by binary search (a link `[[x/index]]` among 20,000 `index.md`s compared its path
    /// with every one of them).
    by_suffix: Vec<(Box<[u8]>, FileId)>,
}

impl NameRanks {
    /// The files whose key ends with `suffix` (Obsidian's plain-text suffix test), by
    /// reversed key; costs a binary search and the matches.
    pub(crate) fn ending_with<'r>(&'r self, suffix: &str) -> impl Iterator<Item = FileId> + 'r {
        let reversed: Vec<u8> = suffix.bytes().rev().collect();
        let start = self
            .by_suffix
            .partition_point(|(k, _)| k[..] < reversed[..]);
        self.by_suffix[start..]
            .iter()
            .take_while(move |(k, _)| k.starts_with(&reversed))
            .map(|&(_, id)| id)
    }
}

impl Vault {
    /// Builds the index over `files` (sorted by path), with `outlines` parallel to them and
    /// the `problems` the walk and the outline pass found.
    pub(crate) fn new(
        files: Vec<VaultFile>,
        outlines: Vec<Option<Outline>>,
        problems: Vec<FileProblem>,
    ) -> Self {
        let keys: Vec<String> = files.iter().map(|f| name_key(&f.path)).collect();
        let mut by_name: HashMap<String, Vec<FileId>> = HashMap::with_capacity(files.len());
        for (id, key) in keys.iter().enumerate() {
            let name = key.rsplit('/').next().unwrap_or(key);
            by_name.entry(name.to_owned()).or_default().push(id);
        }
        let mut aliases: HashMap<String, Vec<FileId>> = HashMap::new();
        for (id, outline) in outlines.iter().enumerate() {
            for alias in outline.iter().flat_map(|o| &o.aliases) {
                aliases.entry(name_key(alias)).or_default().push(id);
            }
        }
        let mut names_by_len: Vec<(usize, String, u64)> = by_name
            .keys()
            .map(|k| (k.chars().count(), k.clone(), crate::suggest::char_mask(k)))
            .collect();
        names_by_len.sort_unstable();
        let mut attachments_by_stem: HashMap<String, Vec<FileId>> = HashMap::new();
        for (id, key) in keys
            .iter()
            .enumerate()
            .filter(|(id, _)| !files[*id].is_note)
        {
            let name = key.rsplit('/').next().unwrap_or(key);
            if let Some((stem, _)) = name.rsplit_once('.') {
                attachments_by_stem
                    .entry(stem.to_owned())
                    .or_default()
                    .push(id);
            }
        }
        let mut names_by_end: HashMap<(usize, char, bool), Vec<u32>> = HashMap::new();
        for (i, (len, name, _)) in names_by_len.iter().enumerate() {
            let stem = name.strip_suffix(".md").unwrap_or(name);
            let i = u32::try_from(i).unwrap_or(u32::MAX);
            for (c, first) in [(stem.chars().next(), true), (stem.chars().last(), false)] {
                if let Some(c) = c {
                    names_by_end.entry((*len, c, first)).or_default().push(i);
                }
            }
        }
        let ranked = by_name
            .iter()
            .filter(|(_, ids)| ids.len() > RANKED_NAME_MIN)
            .map(|(name, ids)| {
                let mut by_key = ids.clone();
                by_key.sort_unstable_by(|&a, &b| keys[a].cmp(&keys[b]).then(a.cmp(&b)));
                let mut by_len = ids.clone();
                by_len.sort_unstable_by_key(|&id| (keys[id].len(), id));
                let mut by_suffix: Vec<(Box<[u8]>, FileId)> = ids
                    .iter()
                    .map(|&id| (keys[id].bytes().rev().collect(), id))
                    .collect();
                by_suffix.sort_unstable();
                (
                    name.clone(),
                    NameRanks {
                        by_key,
                        by_len,
                        by_suffix,
                    },
                )
            })
            .collect();
        Vault {
            files,
            outlines,
            problems,
            aliases,
            keys,
            by_name,
            names_by_len,
            names_by_end,
            attachments_by_stem,
            ranked,
        }
    }

    /// The vault-relative, `/`-separated path of file `id`.
    pub(crate) fn path(&self, id: FileId) -> &Arc<str> {
        &self.files[id].path
    }

    /// The outline of note `id`; `None` for attachments and notes that were skipped.
    pub(crate) fn outline(&self, id: FileId) -> Option<&Outline> {
        self.outlines.get(id).and_then(Option::as_ref)
    }

    /// Lower-cased file names within `slack` characters of `name`'s length that share the
    /// first or the last character of its stem (the name without `.md`), with their
    /// character masks. A name sharing both ends comes twice: "did you mean" does not count
    /// a name as its own tie, and collecting, sorting and deduplicating the buckets for every
    /// broken link cost as much as comparing them.
    pub(crate) fn typo_candidates<'a>(
        &'a self,
        name: &str,
        slack: usize,
    ) -> impl Iterator<Item = (&'a str, u64)> + 'a {
        let len = name.chars().count();
        let stem = name.strip_suffix(".md").unwrap_or(name);
        let ends = [(stem.chars().next(), true), (stem.chars().last(), false)];
        (len.saturating_sub(slack)..=len + slack)
            .flat_map(move |l| ends.into_iter().map(move |(c, first)| (l, c, first)))
            .filter_map(|(l, c, first)| self.names_by_end.get(&(l, c?, first)))
            .flatten()
            .filter_map(|&i| self.names_by_len.get(i as usize))
            .map(|(_, n, mask)| (n.as_str(), *mask))
    }

    /// Attachments whose lower-cased name without extension is `stem`, by path.
    pub(crate) fn attachments_with_stem(&self, stem: &str) -> &[FileId] {
        self.attachments_by_stem
            .get(stem)
            .map_or(&[], Vec::as_slice)
    }

    /// The files named `lower_name` in ranking orders, when more than [`RANKED_NAME_MIN`]
    /// share it.
    pub(crate) fn name_ranks(&self, lower_name: &str) -> Option<&NameRanks> {
        self.ranked.get(lower_name)
    }

    /// The files whose name, in [`name_key`] form, is `lower_name`, by path.
    pub(crate) fn files_named(&self, lower_name: &str) -> &[FileId] {
        self.by_name.get(lower_name).map_or(&[], Vec::as_slice)
    }

    /// Notes that are linted: readable and not excluded.
    pub(crate) fn linted_notes(&self) -> impl Iterator<Item = FileId> + '_ {
        (0..self.files.len()).filter(|&id| self.files[id].lint && self.outlines[id].is_some())
    }
}
