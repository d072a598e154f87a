//! Link resolution exactly as Obsidian's `getLinkpathDest` does it (reference note,
//! rules 29 to 33), plus subpath (heading and block) checks.

use crate::index::{name_key, FileId, NameRanks, Vault, RANKED_NAME_MIN};
use crate::parse::{heading_key, key_hash, Outline};

/// Where a link leads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Resolution {
    /// No file matches.
    Missing,
    /// The file Obsidian opens, with what a rule needs to warn about the choice.
    Found {
        /// The file Obsidian opens.
        file: FileId,
        /// Other files the link could mean, when the link picked one of several by ranking:
        /// at most `SORTED_OTHERS`, in Obsidian's order (in path order after a full-path
        /// match). Listing them all made 3,000 same-named notes linking each other
        /// quadratic.
        others: Vec<FileId>,
        /// How many more files the link could mean, not in `others`.
        more: usize,
        /// The pick is a full-path match that shadows same-named files elsewhere: Obsidian's
        /// choice is deterministic.
        exact: bool,
        /// The first two candidates tie on Obsidian's ranking: its choice depends on
        /// filesystem order.
        tie: bool,
        /// The link matched the end of the path in the middle of a folder name (`[[b/X]]`
        /// opening `ab/X.md`): Obsidian's suffix test is plain text, not path segments.
        partial: bool,
    },
}

impl Resolution {
    fn single(file: FileId) -> Self {
        Resolution::Found {
            file,
            others: Vec::new(),
            more: 0,
            exact: false,
            tie: false,
            partial: false,
        }
    }

    /// The file the link opens, if any.
    pub(crate) fn file(&self) -> Option<FileId> {
        match self {
            Resolution::Found { file, .. } => Some(*file),
            Resolution::Missing => None,
        }
    }
}

/// How many other candidates `Resolution::Found::others` lists; more are only counted.
pub(crate) const SORTED_OTHERS: usize = 16;

fn parent(path: &str) -> &str {
    path.rfind('/').map_or("", |i| &path[..i])
}

/// Joins `./` and `../` segments onto the source folder. Going above the vault root stays
/// at the root: this is string arithmetic and never touches the filesystem.
///
/// The segments go into one `String` as they come (a `..` cuts the last one off) instead of
/// a `Vec` joined at the end: relative Markdown links (`../../x.md`) are common.
fn join_relative(folder: &str, link: &str) -> String {
    fn push(joined: &mut String, segment: &str) {
        if !joined.is_empty() {
            joined.push('/');
        }
        joined.push_str(segment);
    }
    let mut joined = String::with_capacity(folder.len() + link.len() + 1);
    for segment in folder.split('/').filter(|s| !s.is_empty()) {
        push(&mut joined, segment);
    }
    for segment in link.split('/') {
        match segment {
            "." | "" => {}
            ".." => {
                let cut = joined.rfind('/').unwrap_or(0);
                joined.truncate(cut);
            }
            s => push(&mut joined, s),
        }
    }
    joined
}

/// [`name_key`] of a link path, with room for the `.md` that `Vault::resolve` may add: one
/// allocation for the common (ASCII) path. ASCII lower-cases alone, as `to_lowercase`
/// does it, and is already NFC.
fn link_key(link_path: &str) -> String {
    if !link_path.is_ascii() {
        return name_key(link_path);
    }
    let mut key = String::with_capacity(link_path.len() + 3);
    key.push_str(link_path);
    key.make_ascii_lowercase();
    key
}

impl Vault {
    /// Resolves a canvas file node's `file`: a full vault path, which Obsidian looks up as
    /// written (with `/` separators, case included), never by name. `files` is sorted by
    /// path (the walk sorts it), so this is a binary search.
    pub(crate) fn resolve_exact(&self, path: &str) -> Resolution {
        let path = path.trim_start_matches('/');
        self.files
            .binary_search_by(|f| (*f.path).cmp(path))
            .map_or(Resolution::Missing, Resolution::single)
    }

    /// Resolves a link path written in `source` (rules 29 to 32).
    pub(crate) fn resolve(&self, link_path: &str, source: FileId) -> Resolution {
        if link_path.is_empty() {
            return Resolution::single(source);
        }
        let mut lower = link_key(link_path);
        // The file name is the key's last segment (with `.md` once added).
        let name_start = lower.rfind('/').map_or(0, |i| i + 1);
        let mut candidates = match lower.get(name_start..) {
            Some(name) if name.contains('.') => self.files_named(name),
            _ => &[],
        };
        if candidates.is_empty() {
            lower.push_str(".md");
            candidates = self.files_named(lower.get(name_start..).unwrap_or_default());
        }
        if candidates.is_empty() {
            return Resolution::Missing;
        }
        if !lower.contains('/') && candidates.len() == 1 {
            return Resolution::single(candidates[0]);
        }
        let source_folder = parent(&self.keys[source]);
        // Names shared by many files are searched by suffix in their index, not file by
        // file (every lookup below is an exact key or a key suffix). Only those names have
        // one: the others need no second hash lookup.
        let ranks = if candidates.len() > RANKED_NAME_MIN {
            self.name_ranks(lower.get(name_start..).unwrap_or_default())
        } else {
            None
        };
        let matching = |suffix: &str| -> Vec<FileId> {
            match ranks {
                Some(r) => {
                    let mut ids: Vec<FileId> = r.ending_with(suffix).collect();
                    ids.sort_unstable();
                    ids
                }
                None => candidates
                    .iter()
                    .copied()
                    .filter(|&c| self.keys[c].ends_with(suffix))
                    .collect(),
            }
        };
        let exact = |key: &str| -> Option<FileId> {
            match ranks {
                Some(r) => r.with_key(&self.keys, key),
                None => candidates.iter().copied().find(|&c| self.keys[c] == key),
            }
        };
        if lower.starts_with("./") || lower.starts_with("../") {
            lower = join_relative(source_folder, &lower);
            if let Some(hit) = exact(&lower) {
                return Resolution::single(hit);
            }
        }
        let absolute = lower.starts_with('/');
        let wanted = lower.trim_start_matches('/');
        if let Some(hit) = exact(wanted) {
            let (others, more) = if absolute || wanted.contains('/') {
                (Vec::new(), 0)
            } else {
                let others: Vec<FileId> = candidates
                    .iter()
                    .copied()
                    .filter(|&c| c != hit)
                    .take(SORTED_OTHERS)
                    .collect();
                let more = candidates.len() - 1 - others.len();
                (others, more)
            };
            return Resolution::Found {
                file: hit,
                others,
                more,
                exact: true,
                tie: false,
                partial: false,
            };
        }
        if absolute {
            return Resolution::Missing;
        }
        if !wanted.contains('/') {
            if let Some(ranks) = ranks {
                return self.rank_bare_name(ranks, source_folder);
            }
        }
        let mut ranked: Vec<(bool, usize, FileId)> = matching(wanted)
            .into_iter()
            .map(|c| {
                (
                    !self.keys[c].starts_with(source_folder),
                    self.keys[c].len(),
                    c,
                )
            })
            .collect();
        // Candidates are in path order, so the file id breaks ties as a stable sort would.
        if ranked.len() > SORTED_OTHERS + 1 {
            ranked.select_nth_unstable(SORTED_OTHERS);
            if let Some(head) = ranked.get_mut(..=SORTED_OTHERS) {
                head.sort_unstable();
            }
        } else {
            ranked.sort_unstable();
        }
        let Some(&(outside, len, file)) = ranked.first() else {
            return Resolution::Missing;
        };
        let tie = ranked
            .get(1)
            .is_some_and(|&(o, l, _)| o == outside && l == len);
        let key = &self.keys[file];
        let partial = key.len() > wanted.len() && !key[..key.len() - wanted.len()].ends_with('/');
        let others: Vec<FileId> = ranked
            .iter()
            .skip(1)
            .take(SORTED_OTHERS)
            .map(|&(_, _, c)| c)
            .collect();
        Resolution::Found {
            file,
            more: ranked.len() - 1 - others.len(),
            others,
            exact: false,
            tie,
            partial,
        }
    }

    /// Obsidian's ranking of a bare name (no `/`: every file of that name matches) shared by
    /// many files, from the name's sorted lists: the files whose key starts with the
    /// source folder (one run of `by_key`, found by binary search) by length, then the
    /// others by length. Costs the files under the source folder, not all same-named ones.
    fn rank_bare_name(&self, ranks: &NameRanks, source_folder: &str) -> Resolution {
        let keys = &self.keys;
        let from = ranks
            .by_key
            .partition_point(|&c| keys[c].as_str() < source_folder);
        let mut inside: Vec<(usize, FileId)> = ranks.by_key[from..]
            .iter()
            .take_while(|&&c| keys[c].starts_with(source_folder))
            .map(|&c| (keys[c].len(), c))
            .collect();
        inside.sort_unstable();
        let outside = ranks
            .by_len
            .iter()
            .filter(|&&c| !keys[c].starts_with(source_folder))
            .map(|&c| (true, keys[c].len(), c));
        let ranked: Vec<(bool, usize, FileId)> = inside
            .iter()
            .map(|&(len, c)| (false, len, c))
            .chain(outside)
            .take(SORTED_OTHERS + 1)
            .collect();
        let Some(&(outside, len, file)) = ranked.first() else {
            return Resolution::Missing;
        };
        let tie = ranked
            .get(1)
            .is_some_and(|&(o, l, _)| o == outside && l == len);
        let others: Vec<FileId> = ranked.iter().skip(1).map(|&(_, _, c)| c).collect();
        Resolution::Found {
            file,
            more: ranks.by_len.len() - 1 - others.len(),
            others,
            exact: false,
            tie,
            // The key ends with `/name`, or is the name: the match is whole segments.
            partial: false,
        }
    }
}

/// What a subpath asks for and whether the note has it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum SubpathCheck {
    /// The note has it, or it is nothing vaultlint checks (an empty subpath, a footnote
    /// `#[^1]`).
    Found,
    /// `#^id`: no block of the note has this id (compared without regard to case).
    MissingBlock {
        /// The id as written in the link, without `^`.
        id: String,
    },
    /// `matched` pieces of the heading chain were found before `missing`.
    MissingHeading {
        /// The first heading piece not found, as written in the link.
        missing: String,
        /// How many pieces before it matched, in order and each deeper than the last.
        matched: usize,
    },
}

/// Whether a subpath asks for a block (`#^id`, one piece) rather than headings: then
/// [`check_subpath`] can only find it or answer [`SubpathCheck::MissingBlock`], else only
/// find it or answer [`SubpathCheck::MissingHeading`]. The block and heading rules ask it
/// first, so that each subpath is checked by one of them only (comparing a link's headings
/// with the target's outline twice, once for nothing, was 4% of a 100k-note run).
pub(crate) fn asks_for_block(subpath: &str) -> bool {
    let mut pieces = subpath.split('#').filter(|p| !p.is_empty());
    match (pieces.next(), pieces.next()) {
        (Some(only), None) => only.starts_with('^'),
        _ => false,
    }
}

/// Checks a subpath (the text after the first `#`) against a note (rule 33).
///
/// The pieces are walked as they come, each heading key computed when its piece is reached:
/// no list of pieces, keys and hashes per link (three allocations on every link with a
/// subpath).
pub(crate) fn check_subpath(note: &Outline, subpath: &str) -> SubpathCheck {
    let pieces = subpath.split('#').filter(|p| !p.is_empty());
    let Some(first) = pieces.clone().next() else {
        return SubpathCheck::Found;
    };
    if first.starts_with("[^") {
        return SubpathCheck::Found;
    }
    if let Some(id) = first.strip_prefix('^') {
        if pieces.clone().nth(1).is_none() {
            let wanted = id.to_lowercase();
            let found = match &note.lookup {
                Some(lookup) => lookup.has_block(&wanted),
                None => note.block_ids().any(|b| b == wanted),
            };
            return if found {
                SubpathCheck::Found
            } else {
                SubpathCheck::MissingBlock { id: id.to_owned() }
            };
        }
    }
    let missing = |piece: &str, matched: usize| SubpathCheck::MissingHeading {
        missing: piece.to_owned(),
        matched,
    };
    let mut last_level = 0;
    if let Some(lookup) = &note.lookup {
        // The same walk as below, one hash lookup per piece instead of a scan.
        let mut from = 0;
        for (matched, piece) in pieces.enumerate() {
            // The same key function as the headings' side (`OutlineHeading::matches`).
            let Some((pos, level)) = lookup.find_heading(&heading_key(piece), from, last_level)
            else {
                return missing(piece, matched);
            };
            last_level = level;
            from = pos + 1;
        }
        return SubpathCheck::Found;
    }
    let mut headings = note.headings.iter();
    for (matched, piece) in pieces.enumerate() {
        let key = heading_key(piece);
        let hash = key_hash(key.chars());
        match headings.find(|h| h.level > last_level && h.matches_hashed(&key, hash)) {
            Some(heading) => last_level = heading.level,
            None => return missing(piece, matched),
        }
    }
    SubpathCheck::Found
}

#[cfg(test)]
mod tests;
