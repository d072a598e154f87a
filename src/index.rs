//! The whole vault in memory after parsing: files, parsed notes, and the name index that
//! link resolution uses (Obsidian's `uniqueFileLookup`).

use std::collections::HashMap;
use std::sync::Arc;

use rayon::prelude::*;
use unicode_normalization::{is_nfc_quick, IsNormalized, UnicodeNormalization};

use crate::parse::Outline;
use crate::vault::{FileProblem, VaultFile};

/// A file's index in [`Vault::files`] (sorted by path), stable for the whole run.
pub(crate) type FileId = usize;

/// Names are compared in NFC and lower case (reference note, rules 35 and 36). Never NFKC:
/// it would turn the fullwidth solidus `／` into a path separator.
pub(crate) fn name_key(s: &str) -> String {
    // ASCII is NFC and lower-cases byte by byte: most paths are ASCII, and for them the
    // check of NFC character by character was most of this function's cost.
    if s.is_ascii() {
        return s.to_ascii_lowercase();
    }
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
    pub(crate) by_name: HashMap<Box<str>, NameFiles>,
    /// The keys of `by_name` with their length in characters, sorted by length then name,
    /// so "did you mean" only looks at names of a plausible length.
    names_by_len: Vec<(usize, String, u64)>,
    /// Indexes into `names_by_len` by (length, first character of the stem) and by (length,
    /// last character of the stem): a typo rarely changes both ends, so "did you mean" looks
    /// only in these buckets and stays fast on vaults with many broken links.
    names_by_end: HashMap<(usize, char, bool), Vec<u32>>,
    /// The keys of `by_name` as finite-state sets, for "did you mean" when the buckets of
    /// `names_by_end` it would compare are large; built at the first such search.
    name_sets: std::sync::OnceLock<NameSets>,
    /// Lower-cased file name without its extension → attachments (non-Markdown files), for
    /// the hint that attachment links need the extension.
    attachments_by_stem: HashMap<String, Vec<FileId>>,
    /// For names shared by more than [`RANKED_NAME_MIN`] files: those files in the orders
    /// Obsidian's ranking needs, so that resolving a bare name does not look at every
    /// same-named file (3,000 folders each with an `index.md` linked as `[[index]]`).
    ranked: HashMap<String, NameRanks>,
}

/// "Did you mean" compares names one by one up to this many candidates; an index search
/// costs about as much as comparing a few thousand.
const BRUTE_FORCE_MAX: usize = 2048;

/// The first and last character of a file name's stem (the name without `.md`).
fn stem_ends(name: &str) -> (Option<char>, Option<char>) {
    let stem = name.strip_suffix(".md").unwrap_or(name);
    (stem.chars().next(), stem.chars().next_back())
}

/// The vault's file names (in [`name_key`] form) as finite-state sets, for "did you mean".
/// A name is a candidate when it shares the first or the last character of the query's
/// stem: `forward` is searched under the first character, and the reversed sets under the
/// last (reversed, a `.md` name starts with `dm.` and then its stem's last character).
struct NameSets {
    forward: fst::Set<Vec<u8>>,
    /// Names ending in `.md`, each reversed.
    reversed_md: fst::Set<Vec<u8>>,
    /// The other names, each reversed.
    reversed_other: fst::Set<Vec<u8>>,
}

impl NameSets {
    fn new<'a>(names: impl Iterator<Item = &'a str>) -> Self {
        let mut forward: Vec<&str> = Vec::new();
        let mut reversed_md: Vec<String> = Vec::new();
        let mut reversed_other: Vec<String> = Vec::new();
        for name in names {
            forward.push(name);
            let backwards: String = name.chars().rev().collect();
            if name.ends_with(".md") {
                reversed_md.push(backwards);
            } else {
                reversed_other.push(backwards);
            }
        }
        forward.sort_unstable();
        reversed_md.sort_unstable();
        reversed_other.sort_unstable();
        // Sorted and distinct (a map's keys, and their reversals), which is all
        // `from_iter` requires.
        NameSets {
            forward: fst::Set::from_iter(forward).unwrap_or_default(),
            reversed_md: fst::Set::from_iter(reversed_md).unwrap_or_default(),
            reversed_other: fst::Set::from_iter(reversed_other).unwrap_or_default(),
        }
    }
}

/// The files of one name, by path. Most names belong to one file, which is held in the
/// name's entry itself: resolving a link to it reads no list from elsewhere in memory (a
/// cache miss per link on a vault of 100,000 notes), and the vault's name index keeps no
/// allocation per name.
#[derive(Debug)]
pub(crate) enum NameFiles {
    /// The one file of that name.
    One(FileId),
    /// Two or more, by path.
    Many(Box<[FileId]>),
}

impl NameFiles {
    /// The files, by path.
    pub(crate) fn as_slice(&self) -> &[FileId] {
        match self {
            NameFiles::One(id) => std::slice::from_ref(id),
            NameFiles::Many(ids) => ids,
        }
    }
}

/// The file name of a [`name_key`]: what follows its last `/`.
fn file_name(key: &str) -> &str {
    // By bytes: `rsplit('/')` searched by chars, a tenth of building the name index.
    key.bytes()
        .rposition(|b| b == b'/')
        .map_or(key, |slash| &key[slash + 1..])
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
    /// The file whose key is `key`, by binary search in `by_key`. Asking every file whose
    /// key ends with `key` and comparing lengths cost all of them when none matched: a bare
    /// `[[TODO]]` among 450 `TODO.md`s in folders looked at all 450 keys, so resolving grew
    /// with the square of the vault.
    pub(crate) fn with_key(&self, keys: &[String], key: &str) -> Option<FileId> {
        let at = self.by_key.partition_point(|&c| keys[c].as_str() < key);
        self.by_key.get(at).copied().filter(|&c| keys[c] == key)
    }

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
        // The parts that do not depend on each other are built in parallel: on a warm
        // cache the index is most of what a run computes on one thread.
        let keys: Vec<String> = files.par_iter().map(|f| name_key(&f.path)).collect();
        let by_name = || -> HashMap<Box<str>, NameFiles> {
            // Built in place, with a list only for the few names shared: a list per name
            // moved into a second map was a third of building it.
            let mut by_name: HashMap<Box<str>, NameFiles> = HashMap::with_capacity(keys.len());
            let mut shared: HashMap<&str, Vec<FileId>> = HashMap::new();
            for (id, key) in keys.iter().enumerate() {
                let name = file_name(key);
                match by_name.get(name) {
                    None => {
                        by_name.insert(name.into(), NameFiles::One(id));
                    }
                    Some(first) => shared
                        .entry(name)
                        .or_insert_with(|| first.as_slice().to_vec())
                        .push(id),
                }
            }
            for (name, ids) in shared {
                if let Some(files) = by_name.get_mut(name) {
                    *files = NameFiles::Many(ids.into_boxed_slice());
                }
            }
            by_name
        };
        let aliases = || {
            let mut aliases: HashMap<String, Vec<FileId>> = HashMap::new();
            for (id, outline) in outlines.iter().enumerate() {
                for alias in outline.iter().flat_map(|o| &o.aliases) {
                    aliases.entry(name_key(alias)).or_default().push(id);
                }
            }
            aliases
        };
        let (by_name, aliases) = rayon::join(by_name, aliases);
        // The keys of `by_name` are distinct: an unstable sort gives the one order.
        let mut names_by_len: Vec<(usize, String, u64)> = by_name
            .par_iter()
            .map(|(k, _)| {
                (
                    k.chars().count(),
                    k.to_string(),
                    crate::suggest::char_mask(k),
                )
            })
            .collect();
        names_by_len.par_sort_unstable();
        let mut attachments_by_stem: HashMap<String, Vec<FileId>> = HashMap::new();
        for (id, key) in keys
            .iter()
            .enumerate()
            .filter(|(id, _)| !files[*id].is_note)
        {
            let name = file_name(key);
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
            .par_iter()
            .map(|(name, ids)| (name, ids.as_slice()))
            .filter(|(_, ids)| ids.len() > RANKED_NAME_MIN)
            .map(|(name, ids)| {
                let mut by_key = ids.to_vec();
                by_key.sort_unstable_by(|&a, &b| keys[a].cmp(&keys[b]).then(a.cmp(&b)));
                let mut by_len = ids.to_vec();
                by_len.sort_unstable_by_key(|&id| (keys[id].len(), id));
                let mut by_suffix: Vec<(Box<[u8]>, FileId)> = ids
                    .iter()
                    .map(|&id| (keys[id].bytes().rev().collect(), id))
                    .collect();
                by_suffix.sort_unstable();
                (
                    name.to_string(),
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
            name_sets: std::sync::OnceLock::new(),
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

    /// The file name (in [`name_key`] form) nearest to `name` within `limit` edits, and
    /// whether another one is exactly as near. Only names within `limit` characters of
    /// `name`'s length that share the first or the last character of its stem (the name
    /// without `.md`) count: a typo rarely changes both ends, and a name that differs at
    /// both is a guess, not the note meant.
    pub(crate) fn nearest_name(&self, name: &str, limit: usize) -> Option<(String, bool)> {
        self.nearest_name_with(name, limit, BRUTE_FORCE_MAX)
    }

    /// [`Vault::nearest_name`], comparing the names one by one when there are at most
    /// `brute_force_max` of them and searching the finite-state sets otherwise (one answer
    /// either way; the tests run both).
    fn nearest_name_with(
        &self,
        name: &str,
        limit: usize,
        brute_force_max: usize,
    ) -> Option<(String, bool)> {
        let (first, last) = stem_ends(name);
        let len = name.chars().count();
        let buckets = (len.saturating_sub(limit)..=len + limit)
            .flat_map(|l| [(l, first, true), (l, last, false)])
            .filter_map(|(l, c, at_start)| self.names_by_end.get(&(l, c?, at_start)))
            .map(Vec::len)
            .sum::<usize>();
        if buckets <= brute_force_max {
            return crate::suggest::nearest(name, self.typo_candidates(name, limit), limit)
                .map(|(n, tied)| (n.to_owned(), tied));
        }
        let n = self
            .name_sets
            .get_or_init(|| NameSets::new(self.by_name.keys().map(|k| &**k)));
        let first_prefix = first.map(String::from);
        let md_prefix = last.map(|c| format!("dm.{c}"));
        let other_prefix = last.map(String::from);
        let reversed_sets = [&n.reversed_md, &n.reversed_other];
        let forward_set = [&n.forward];
        let searches: Vec<crate::suggest::NameSearch<'_, Vec<u8>>> = [
            (&n.forward, &first_prefix, false, &reversed_sets[..]),
            (&n.reversed_md, &md_prefix, true, &forward_set[..]),
            (&n.reversed_other, &other_prefix, true, &forward_set[..]),
        ]
        .into_iter()
        .filter_map(|(set, prefix, reversed, mirrors)| {
            Some(crate::suggest::NameSearch {
                set,
                prefix: prefix.as_deref()?,
                reversed,
                mirrors,
            })
        })
        .collect();
        crate::suggest::nearest_in(&searches, name, limit, |candidate| {
            let (f, l) = stem_ends(candidate);
            (first.is_some() && f == first) || (last.is_some() && l == last)
        })
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
        self.by_name
            .get(lower_name)
            .map_or(&[], NameFiles::as_slice)
    }

    /// Notes that are linted: readable and not excluded.
    pub(crate) fn linted_notes(&self) -> impl Iterator<Item = FileId> + '_ {
        (0..self.files.len()).filter(|&id| self.files[id].lint && self.outlines[id].is_some())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::suggest::{char_mask, nearest, typo_limit};

    #[test]
    fn name_key_is_lower_case_nfc_for_ascii_as_for_any_text() {
        let ascii: String = (0u8..128).map(char::from).collect();
        assert_eq!(
            name_key(&ascii),
            ascii.nfc().collect::<String>().to_lowercase()
        );
        assert_eq!(name_key("Notes/ÄB.MD"), "notes/äb.md");
        assert_eq!(name_key("A\u{308}.MD"), "\u{e4}.md");
        assert_eq!(name_key("ΣΑ/Straße"), "σα/straße");
    }

    /// Today's "did you mean" by brute force, the oracle for the index: every name within
    /// `limit` characters of the query's length that shares the first or last character of
    /// its stem, compared one by one.
    fn brute_force(names: &[String], wanted: &str, limit: usize) -> Option<(String, bool)> {
        let ends = |s: &str| {
            let s = s.strip_suffix(".md").unwrap_or(s);
            (s.chars().next(), s.chars().next_back())
        };
        let (first, last) = ends(wanted);
        let len = wanted.chars().count();
        let candidates = names
            .iter()
            .filter(|n| n.chars().count().abs_diff(len) <= limit)
            .filter(|n| {
                let (f, l) = ends(n);
                (first.is_some() && f == first) || (last.is_some() && l == last)
            })
            .map(|n| (n.as_str(), char_mask(n)));
        nearest(wanted, candidates, limit).map(|(n, tied)| (n.to_owned(), tied))
    }

    /// A small deterministic generator (xorshift), so failures reproduce.
    struct Rng(u64);

    impl Rng {
        fn below(&mut self, n: usize) -> usize {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            (self.0 % n as u64) as usize
        }

        fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
            &items[self.below(items.len())]
        }
    }

    const LETTERS: &[char] = &['a', 'e', 'n', 'r', 's', 't', ' ', '-', 'é', 'ß', '中', '🙂'];

    /// `name` with up to `edits` random insertions, deletions, replacements or swaps.
    fn typo(rng: &mut Rng, name: &str, edits: usize) -> String {
        let mut chars: Vec<char> = name.chars().collect();
        for _ in 0..edits {
            let at = rng.below(chars.len() + 1);
            match rng.below(4) {
                0 => chars.insert(at, *rng.pick(LETTERS)),
                1 if at < chars.len() => {
                    chars.remove(at);
                }
                2 if at < chars.len() => chars[at] = *rng.pick(LETTERS),
                3 if at + 1 < chars.len() => chars.swap(at, at + 1),
                _ => {}
            }
        }
        chars.into_iter().collect()
    }

    fn vault_of(paths: &[String]) -> Vault {
        let mut paths = paths.to_vec();
        paths.sort();
        paths.dedup();
        let files: Vec<VaultFile> = paths
            .iter()
            .map(|p| VaultFile {
                path: p.as_str().into(),
                is_note: p.ends_with(".md"),
                os_path: None,
                stat: None,
                lint: true,
            })
            .collect();
        let outlines = files.iter().map(|_| None).collect();
        Vault::new(files, outlines, Vec::new())
    }

    /// Asks the index and the brute force for every query; returns how many had an answer.
    fn compare(paths: &[String], queries: &[String]) -> usize {
        let vault = vault_of(paths);
        let names: Vec<String> = vault.by_name.keys().map(|k| k.to_string()).collect();
        let mut answered = 0;
        for query in queries {
            let wanted = name_key(query);
            let limit = typo_limit(wanted.chars().count());
            let expected = brute_force(&names, &wanted, limit);
            for brute_force_max in [0, usize::MAX] {
                assert_eq!(
                    vault.nearest_name_with(&wanted, limit, brute_force_max),
                    expected,
                    "query {wanted:?}, brute force up to {brute_force_max}"
                );
            }
            answered += usize::from(expected.is_some());
        }
        answered
    }

    #[test]
    fn nearest_name_matches_the_brute_force_on_generated_names() {
        let words = [
            "Calm", "Relay", "Lemon", "Cradle", "Crisp", "Switch", "Stack", "Cycle", "Deep",
            "Station", "Elegant", "Planet", "Café", "Straße", "中文", "Ωmega", "🙂", "a", "ab",
        ];
        let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
        let mut paths = Vec::new();
        for i in 0..3000 {
            let n = 1 + rng.below(3);
            let name: Vec<&str> = (0..n).map(|_| *rng.pick(&words)).collect();
            let folder = ["", "Areas/", "Daily/", "Archive/x/"][i % 4];
            let ext = [".md", ".md", ".md", ".png", ".pdf", ""][rng.below(6)];
            paths.push(format!("{folder}{}{ext}", name.join(" ")));
        }
        paths.push(".md".to_owned());
        paths.push("e.md".to_owned());
        let mut queries = Vec::new();
        for _ in 0..4000 {
            let base = rng
                .pick(&paths)
                .rsplit('/')
                .next()
                .unwrap_or_default()
                .to_owned();
            let edits = rng.below(4);
            queries.push(typo(&mut rng, &base, edits));
        }
        queries.extend([".md", "", "x", "中.md", "🙂🙂.md", "calm relay.png"].map(String::from));
        let answered = compare(&paths, &queries);
        assert!(answered > 1000, "too few answers to compare: {answered}");
    }

    #[test]
    fn nearest_name_matches_the_brute_force_on_same_length_names() {
        let paths: Vec<String> = (0..8_000).map(|i| format!("n{i:05}.md")).collect();
        let mut rng = Rng(7);
        let queries: Vec<String> = (0..1500)
            .map(|_| {
                let base = rng.pick(&paths).clone();
                let edits = 1 + rng.below(3);
                typo(&mut rng, &base, edits)
            })
            .collect();
        let answered = compare(&paths, &queries);
        assert!(answered > 500, "too few answers to compare: {answered}");
    }

    /// The shared corpora's file names (when the run asks for them: `VAULTLINT_SHARED`).
    #[test]
    fn nearest_name_matches_the_brute_force_on_the_corpora() {
        let Some(root) = crate::vault::shared_corpora() else {
            return;
        };
        let corpora = std::fs::read_dir(&root)
            .unwrap_or_else(|e| panic!("corpus folder {} not readable: {e}", root.display()));
        let mut rng = Rng(42);
        let mut answered = 0;
        for corpus in corpora.filter_map(Result::ok) {
            let paths: Vec<String> = walkdir::WalkDir::new(corpus.path())
                .into_iter()
                .filter_map(Result::ok)
                .filter(|e| e.file_type().is_file())
                .filter_map(|e| {
                    let p = e.path().strip_prefix(corpus.path()).ok()?;
                    Some(p.to_str()?.replace('\\', "/"))
                })
                .collect();
            if paths.is_empty() {
                continue;
            }
            let queries: Vec<String> = (0..1500)
                .map(|_| {
                    let base = rng
                        .pick(&paths)
                        .rsplit('/')
                        .next()
                        .unwrap_or_default()
                        .to_owned();
                    let edits = rng.below(4);
                    typo(&mut rng, &base, edits)
                })
                .collect();
            answered += compare(&paths, &queries);
        }
        assert!(answered > 1000, "too few answers to compare: {answered}");
    }
}
