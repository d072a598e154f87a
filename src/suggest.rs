//! "Did you mean": the nearest candidate by edit distance, if it is a plausible typo.

use std::ops::ControlFlow;

use fst::raw::{Fst, Node};
use rapidfuzz::distance::levenshtein;

/// Allowed edits for a name of `len` characters: one per five characters, 1 or 2. More
/// edits rarely name the note meant, and would make the search grow with the vault.
pub(crate) fn typo_limit(len: usize) -> usize {
    (len / 5).clamp(1, 2)
}

/// The most edits [`nearest_in`] searches: [`typo_limit`] never allows more.
pub(crate) const MAX_EDITS: usize = 2;

/// Cells of the Levenshtein table that can stay within [`MAX_EDITS`]: the diagonal band
/// `|i - j| <= MAX_EDITS` of one column.
const BAND: usize = 2 * MAX_EDITS + 1;

/// A Levenshtein automaton over UTF-8 bytes for the strings within `limit` edits
/// (Levenshtein distance in characters: insert, delete or replace one character, each
/// costing 1, the distance rapidfuzz computes) of `query`. Walked over an `fst::Set`, it
/// visits only the prefixes some name within reach starts with: a search costs what the
/// names near the query cost, not the number of names.
struct Within {
    query: Vec<char>,
    limit: u8,
    /// Rows (query positions) before this one may hold at most `limit - 1` edits: the
    /// caller knows the last edit of any name it wants comes at or after it.
    last_edit_from: usize,
}

/// A column of the Levenshtein table inside the band: after `j` characters of a candidate,
/// `cells[t]` is the distance between the first `j - limit + t` characters of the query and
/// those `j` characters, capped at `limit + 1`. A character's UTF-8 bytes are gathered in
/// `pending` until `need` is zero.
#[derive(Clone, Copy)]
struct Column {
    j: u32,
    cells: [u8; BAND],
    pending: u32,
    need: u8,
}

/// The characters that can follow a column without leaving the limit, when it has no edit
/// left (see [`Within::forced`]), in order and distinct; `len` of them are used.
#[derive(Clone, Copy)]
struct Forced {
    chars: [char; BAND],
    len: u8,
}

impl Within {
    fn new(query: &str, limit: usize, last_edit_from: usize) -> Self {
        Within {
            query: query.chars().collect(),
            limit: limit.min(MAX_EDITS) as u8,
            last_edit_from,
        }
    }

    /// `value` in row `i`, or `far` when the row is before [`Within::last_edit_from`] and
    /// `value` has spent every edit: a name reached through that cell would need its last
    /// edit earlier than the caller allows.
    fn bounded(&self, i: usize, value: u8) -> u8 {
        if i < self.last_edit_from && value >= self.limit {
            self.far()
        } else {
            value
        }
    }

    fn far(&self) -> u8 {
        self.limit + 1
    }

    /// The query position of band index `t` in column `j` (negative or past the query's
    /// end when the band reaches outside the table).
    fn position(&self, t: usize, j: u32) -> i64 {
        i64::from(j) - i64::from(self.limit) + t as i64
    }

    /// The column of the empty candidate: row `i` of the table costs `i` deletions.
    fn start(&self) -> Column {
        let far = self.far();
        let mut cells = [far; BAND];
        for i in 0..=usize::from(self.limit).min(self.query.len()) {
            cells[i + usize::from(self.limit)] = self.bounded(i, i as u8);
        }
        Column {
            j: 0,
            cells,
            pending: 0,
            need: 0,
        }
    }

    /// The column after one more candidate character `c`.
    fn step(&self, col: &Column, c: char) -> Column {
        let far = self.far();
        let j = col.j + 1;
        let mut cells = [far; BAND];
        let n = self.query.len() as i64;
        for t in 0..=2 * usize::from(self.limit) {
            let i = self.position(t, j);
            if i < 0 || i > n {
                continue;
            }
            let value = if i == 0 {
                u8::try_from(j).unwrap_or(far)
            } else {
                let replace = col.cells[t] + u8::from(self.query[(i - 1) as usize] != c);
                let delete = col.cells.get(t + 1).map_or(far, |&v| v.saturating_add(1));
                let insert = if t == 0 { far } else { cells[t - 1] + 1 };
                replace.min(delete).min(insert)
            };
            cells[t] = self.bounded(i as usize, value.min(far));
        }
        Column {
            j,
            cells,
            pending: 0,
            need: 0,
        }
    }

    /// The column after one more byte of a candidate's UTF-8.
    fn accept(&self, col: &Column, byte: u8) -> Column {
        let (pending, need) = match byte {
            0x00..=0x7f => (u32::from(byte), 0),
            0x80..=0xbf if col.need > 0 => {
                ((col.pending << 6) | u32::from(byte & 0x3f), col.need - 1)
            }
            0xc0..=0xdf => (u32::from(byte & 0x1f), 1),
            0xe0..=0xef => (u32::from(byte & 0x0f), 2),
            0xf0..=0xf7 => (u32::from(byte & 0x07), 3),
            // Not UTF-8: the set holds only `str` keys, so no name continues this way.
            _ => {
                return Column {
                    cells: [self.far(); BAND],
                    ..*col
                }
            }
        };
        if need > 0 {
            return Column {
                pending,
                need,
                ..*col
            };
        }
        self.step(
            col,
            char::from_u32(pending).unwrap_or(char::REPLACEMENT_CHARACTER),
        )
    }

    /// Whether some continuation of the candidate read so far can still end within `limit`.
    fn can_match(&self, col: &Column) -> bool {
        col.cells.iter().any(|&v| v <= self.limit)
    }

    /// The distance between the query and the candidate read so far, when within `limit`.
    fn distance(&self, col: &Column) -> Option<u8> {
        if col.need != 0 {
            return None;
        }
        // The band index of the whole query, `n - j + limit`, when the band reaches it.
        let t = self.query.len() as i64 - i64::from(col.j) + i64::from(self.limit);
        let t = usize::try_from(t)
            .ok()
            .filter(|&t| t <= 2 * usize::from(self.limit))?;
        (col.cells[t] <= self.limit).then_some(col.cells[t])
    }

    /// When a column between characters has spent every edit, the only characters that keep
    /// it within `limit` are the query's at the cells still at `limit` (replacing a
    /// character by itself): any other character, insertion or deletion costs one more. A
    /// node with many branches (digits, letters) is then followed along at most
    /// `2 * limit + 1` of them instead of stepping through every one.
    fn forced(&self, col: &Column) -> Option<Forced> {
        if col.need != 0 || col.cells.iter().any(|&v| v < self.limit) {
            return None;
        }
        let mut forced = Forced {
            chars: ['\0'; BAND],
            len: 0,
        };
        for t in 0..=2 * usize::from(self.limit) {
            if col.cells[t] != self.limit {
                continue;
            }
            let i = self.position(t, col.j);
            let Some(&c) = usize::try_from(i).ok().and_then(|i| self.query.get(i)) else {
                continue;
            };
            let used = &mut forced.chars[..usize::from(forced.len)];
            if !used.contains(&c) {
                forced.chars[usize::from(forced.len)] = c;
                forced.len += 1;
            }
        }
        forced.chars[..usize::from(forced.len)].sort_unstable();
        Some(forced)
    }
}

/// One node of a walk over a set: the node, the column after the key leading to it (its
/// first `key_len` bytes), and which of its branches (transitions, or forced characters)
/// comes next.
struct Frame<'f> {
    node: Node<'f>,
    col: Column,
    key_len: usize,
    next: usize,
    forced: Option<Forced>,
}

/// Calls `found` with each key of `fst` that starts with `prefix` and is within the
/// automaton's limit of its query, in key order, until it breaks. Unlike an `fst` stream,
/// which decodes the node behind every branch before asking the automaton, the walk only
/// decodes the nodes the automaton can still match from. Adds the number of nodes it
/// steps into to `visited` (the work a search does, which tests bound).
fn walk<D: AsRef<[u8]>>(
    fst: &Fst<D>,
    prefix: &[u8],
    within: &Within,
    key: &mut Vec<u8>,
    visited: &mut usize,
    mut found: impl FnMut(&[u8]) -> ControlFlow<()>,
) {
    let mut node = fst.root();
    let mut col = within.start();
    for &b in prefix {
        let Some(i) = node.find_input(b) else {
            return;
        };
        col = within.accept(&col, b);
        node = fst.node(node.transition_addr(i));
        *visited += 1;
    }
    if !within.can_match(&col) {
        return;
    }
    key.clear();
    key.extend_from_slice(prefix);
    if node.is_final() && within.distance(&col).is_some() && found(key).is_break() {
        return;
    }
    let mut stack = vec![Frame {
        node,
        col,
        key_len: key.len(),
        next: 0,
        forced: within.forced(&col),
    }];
    while let Some(top) = stack.last_mut() {
        key.truncate(top.key_len);
        let (child, col) = if let Some(forced) = top.forced {
            let Some(&c) = forced.chars[..usize::from(forced.len)].get(top.next) else {
                stack.pop();
                continue;
            };
            top.next += 1;
            let mut node = top.node;
            let mut utf8 = [0; 4];
            let mut reached = true;
            for &b in c.encode_utf8(&mut utf8).as_bytes() {
                let Some(i) = node.find_input(b) else {
                    reached = false;
                    break;
                };
                node = fst.node(node.transition_addr(i));
                *visited += 1;
                key.push(b);
            }
            if !reached {
                continue;
            }
            (node, within.step(&top.col, c))
        } else {
            if top.next == top.node.len() {
                stack.pop();
                continue;
            }
            let t = top.node.transition(top.next);
            top.next += 1;
            let col = within.accept(&top.col, t.inp);
            if !within.can_match(&col) {
                continue;
            }
            key.push(t.inp);
            *visited += 1;
            (fst.node(t.addr), col)
        };
        if child.is_final() && within.distance(&col).is_some() && found(key).is_break() {
            return;
        }
        if !child.is_empty() {
            stack.push(Frame {
                node: child,
                col,
                key_len: key.len(),
                next: 0,
                forced: within.forced(&col),
            });
        }
    }
}

/// One part of a name index that [`nearest_in`] searches: the names in `set` (reversed
/// character by character when `reversed`) that start with `prefix` (in the set's form).
/// A prefix keeps the search inside one branch of the set: without one, every prefix of
/// two or three characters is within two edits of the query's, and the search visits
/// most of the set's first levels.
pub(crate) struct NameSearch<'a, D> {
    pub(crate) set: &'a fst::Set<D>,
    pub(crate) prefix: &'a str,
    pub(crate) reversed: bool,
    /// Sets that together hold every name of `set` written the other way round (a superset
    /// is fine; none: no bound). They tell how long an end of the query some name ends
    /// with, which bounds where a single edit can be (see [`one_edit_prefix`]).
    pub(crate) mirrors: &'a [&'a fst::Set<D>],
}

/// How many leading characters of `key` are a path from `fst`'s root: the longest prefix
/// of `key` that some key of `fst` starts with, in characters.
fn common_prefix_chars<D: AsRef<[u8]>>(fst: &Fst<D>, key: &str) -> usize {
    let mut node = fst.root();
    let mut chars = 0;
    for c in key.chars() {
        let mut utf8 = [0; 4];
        for &b in c.encode_utf8(&mut utf8).as_bytes() {
            let Some(i) = node.find_input(b) else {
                return chars;
            };
            node = fst.node(node.transition_addr(i));
        }
        chars += 1;
    }
    chars
}

/// How many characters at the end of `key` (in the search's form) some name of `search`
/// ends with, as far as its mirrors tell (`key`'s length when it has none): every name
/// within a few edits of `key` ends with `key`'s last characters after its last edit, so
/// this bounds where that edit can be. Names that differ only near one end then cost a walk
/// below the key's last levels, not one through every branch along it.
fn other_end_chars<D: AsRef<[u8]>>(
    search: &NameSearch<'_, D>,
    key: &str,
    other_way: &str,
) -> usize {
    if search.mirrors.is_empty() {
        return key.chars().count();
    }
    search
        .mirrors
        .iter()
        .map(|m| common_prefix_chars(m.as_fst(), other_way))
        .max()
        .unwrap_or(0)
}

/// The name nearest to `wanted` within `limit` edits (at most [`MAX_EDITS`]) among those
/// the `searches` reach and `eligible` accepts, and whether another such name is exactly
/// as near: the answer of [`nearest`] over the same names, from an index. Looks `wanted`
/// itself up, then searches for names 1 edit away, then 2, so a near miss never pays for
/// the wider search. Edit distance does not change when both strings are reversed, so a
/// reversed set is searched with the reversed query.
pub(crate) fn nearest_in<D: AsRef<[u8]>>(
    searches: &[NameSearch<'_, D>],
    wanted: &str,
    limit: usize,
    eligible: impl FnMut(&str) -> bool,
) -> Option<(String, bool)> {
    nearest_in_counting(searches, wanted, limit, eligible, &mut 0)
}

/// [`nearest_in`], adding the number of set nodes its walks step into to `visited`.
fn nearest_in_counting<D: AsRef<[u8]>>(
    searches: &[NameSearch<'_, D>],
    wanted: &str,
    limit: usize,
    mut eligible: impl FnMut(&str) -> bool,
    visited: &mut usize,
) -> Option<(String, bool)> {
    let backwards: String = wanted.chars().rev().collect();
    let exact = searches.iter().any(|search| {
        let key = if search.reversed { &backwards } else { wanted };
        key.starts_with(search.prefix) && search.set.contains(key)
    });
    if exact && eligible(wanted) {
        return Some((wanted.to_owned(), false));
    }
    let mut key = Vec::new();
    let len = wanted.chars().count();
    let keys: Vec<(&str, usize)> = searches
        .iter()
        .map(|search| {
            let (own, other_way) = if search.reversed {
                (backwards.as_str(), wanted)
            } else {
                (wanted, backwards.as_str())
            };
            (own, other_end_chars(search, own, other_way))
        })
        .collect();
    for edits in 1..=limit.min(MAX_EDITS) {
        let mut best: Option<String> = None;
        let mut tied = false;
        for (search, &(own, ends)) in searches.iter().zip(&keys) {
            // The last edit comes before the `ends` characters a name can end with, so
            // the query's first `len - ends - 1` characters hold at most `edits - 1`.
            let last_edit_from = len.saturating_sub(ends + 1);
            let within = Within::new(own, edits, last_edit_from);
            let mut prefix = search.prefix;
            if edits == 1 {
                // No edit before the last one: those characters are a fixed prefix.
                let at = own
                    .char_indices()
                    .nth(last_edit_from)
                    .map_or(own.len(), |(i, _)| i);
                let fixed = &own[..at];
                if fixed.starts_with(prefix) {
                    prefix = fixed;
                } else if !prefix.starts_with(fixed) {
                    continue;
                }
            }
            let mut taken = 0;
            let fst = search.set.as_fst();
            walk(fst, prefix.as_bytes(), &within, &mut key, visited, |key| {
                let Ok(name) = std::str::from_utf8(key) else {
                    return ControlFlow::Continue(());
                };
                let name = if search.reversed {
                    name.chars().rev().collect()
                } else {
                    name.to_owned()
                };
                if !eligible(&name) {
                    return ControlFlow::Continue(());
                }
                match &best {
                    Some(b) if *b == name => {}
                    Some(b) => {
                        tied = true;
                        if name < *b {
                            best = Some(name);
                        }
                    }
                    None => best = Some(name),
                }
                taken += 1;
                // A forward set is walked in `str` order: later names are larger than the
                // two already taken and can change neither answer.
                if !search.reversed && taken == 2 {
                    ControlFlow::Break(())
                } else {
                    ControlFlow::Continue(())
                }
            });
        }
        if let Some(best) = best {
            return Some((best, tied));
        }
    }
    None
}

/// A 64-bit set of the characters in `s` (letters and digits get their own bit, others
/// share bits). Each character of one string missing from the other needs an edit, so
/// the differing bits give a lower bound of the edit distance that costs one AND.
pub(crate) fn char_mask(s: &str) -> u64 {
    s.chars().fold(0, |mask, c| {
        let bit = match c {
            'a'..='z' => c as u32 - 'a' as u32,
            '0'..='9' => 26 + c as u32 - '0' as u32,
            ' ' => 36,
            _ => 37 + (c as u32 % 27),
        };
        mask | (1 << bit)
    })
}

/// The least number of edits between strings with these character masks.
pub(crate) fn mask_bound(a: u64, b: u64) -> usize {
    (a & !b).count_ones().max((b & !a).count_ones()) as usize
}

/// The candidate closest to `wanted` within `limit` edits (callers pre-filter candidates
/// by length, which rules most out before any distance is computed). Ties go to the smallest
/// candidate in string order, so the answer does not depend on iteration order.
pub(crate) fn closest<'a>(
    wanted: &str,
    candidates: impl IntoIterator<Item = (&'a str, u64)>,
    limit: usize,
) -> Option<&'a str> {
    nearest(wanted, candidates, limit).map(|(c, _)| c)
}

/// Like [`closest`], but only when no other candidate is as close: the one a fix may
/// write without guessing.
pub(crate) fn closest_unique<'a>(
    wanted: &str,
    candidates: impl IntoIterator<Item = (&'a str, u64)>,
    limit: usize,
) -> Option<&'a str> {
    nearest(wanted, candidates, limit).and_then(|(c, tied)| (!tied).then_some(c))
}

/// The closest candidate (as [`closest`]), and whether another one is exactly as close (no
/// [`closest_unique`]): both answers from one pass over the candidates.
pub(crate) fn nearest<'a>(
    wanted: &str,
    candidates: impl IntoIterator<Item = (&'a str, u64)>,
    limit: usize,
) -> Option<(&'a str, bool)> {
    let ascii = wanted.is_ascii();
    // Bytes are characters in ASCII; comparing them avoids decoding UTF-8 per candidate.
    let bytes_scorer = levenshtein::BatchComparator::new(wanted.bytes());
    let chars_scorer = levenshtein::BatchComparator::new(wanted.chars());
    let wanted_mask = char_mask(wanted);
    let mut best: Option<(usize, &str)> = None;
    let mut tied = false;
    for (candidate, mask) in candidates {
        let cutoff = best.map_or(limit, |(d, _)| d);
        if mask_bound(wanted_mask, mask) > cutoff {
            continue;
        }
        let args = levenshtein::Args::default().score_cutoff(cutoff);
        let distance = if ascii && candidate.is_ascii() {
            bytes_scorer.distance_with_args(candidate.bytes(), &args)
        } else {
            chars_scorer.distance_with_args(candidate.chars(), &args)
        };
        if let Some(d) = distance {
            match best {
                Some((bd, bn)) if d == bd && candidate != bn => {
                    tied = true;
                    if candidate < bn {
                        best = Some((d, candidate));
                    }
                }
                Some((bd, _)) if d >= bd => {}
                _ => {
                    best = Some((d, candidate));
                    tied = false;
                }
            }
        }
    }
    best.map(|(_, c)| (c, tied))
}

/// The name in `names` closest to `wanted` within [`typo_limit`] edits: for "did you mean"
/// on names the user typed (rule names), where the list is short.
pub(crate) fn closest_name<'a>(wanted: &str, names: &[&'a str]) -> Option<&'a str> {
    let limit = typo_limit(wanted.chars().count());
    closest(wanted, names.iter().map(|n| (*n, char_mask(n))), limit)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The index walk against the brute force over dense branches whose characters take
    /// one to four UTF-8 bytes, where the walk follows only the characters a spent column
    /// allows, over a forward set and a reversed one.
    #[test]
    fn nearest_in_matches_the_brute_force_on_dense_multibyte_names() {
        let alphabet = ['a', 'b', 'é', 'ß', '中', '文', '🙂', '🙃'];
        let mut names: Vec<String> = Vec::new();
        for i in 0..4096usize {
            let len = 3 + i % 4;
            let name: String = (0..len)
                .map(|k| alphabet[(i >> (3 * k % 12)) % alphabet.len()])
                .collect();
            names.push(name);
        }
        names.sort();
        names.dedup();
        let mut backwards: Vec<String> = names.iter().map(|n| n.chars().rev().collect()).collect();
        backwards.sort();
        let forward = fst::Set::from_iter(&names).expect("sorted, distinct names");
        let reversed = fst::Set::from_iter(&backwards).expect("sorted, distinct names");
        let masks: Vec<(&str, u64)> = names.iter().map(|n| (n.as_str(), char_mask(n))).collect();
        let mut answered = 0;
        for (q, base) in names.iter().enumerate().step_by(11) {
            let mut chars: Vec<char> = base.chars().collect();
            let (at, last) = (q % chars.len(), chars.len() - 1);
            match q % 4 {
                0 => chars[at] = alphabet[q % alphabet.len()],
                1 => chars.insert(at, alphabet[(q / 3) % alphabet.len()]),
                2 => {
                    chars.remove(at);
                }
                _ => chars.swap(0, last),
            }
            let wanted: String = chars.into_iter().collect();
            for limit in 0..=MAX_EDITS {
                let expected = nearest(&wanted, masks.iter().copied(), limit)
                    .map(|(n, tied)| (n.to_owned(), tied));
                let (to_reversed, to_forward) = ([&reversed], [&forward]);
                for (set, reversed, mirrors) in [
                    (&forward, false, &[][..]),
                    (&reversed, true, &[][..]),
                    (&forward, false, &to_reversed[..]),
                    (&reversed, true, &to_forward[..]),
                ] {
                    let search = NameSearch {
                        set,
                        prefix: "",
                        reversed,
                        mirrors,
                    };
                    assert_eq!(
                        nearest_in(&[search], &wanted, limit, |_| true),
                        expected,
                        "query {wanted:?} within {limit}, reversed: {reversed}, mirrors: {}",
                        mirrors.len()
                    );
                }
                answered += usize::from(expected.is_some());
            }
        }
        assert!(answered > 500, "too few answers to compare: {answered}");
    }

    /// Dense same-length names (`name0000000` … `name0099999`, every digit at every level)
    /// searched as the vault does (forward with the first character as prefix, reversed
    /// with the last, each bounded by the other direction): the same answers as the brute
    /// force for edits at every position, and a near miss at one end costs a walk below
    /// the last levels, not one through every digit branch along the name (issue 23: 80,000
    /// such names took 2.4 CPU-s per MB of links).
    #[test]
    fn nearest_in_bounds_the_last_edit_by_the_other_end_on_dense_names() {
        let names: Vec<String> = (0..100_000).map(|i| format!("name{i:07}")).collect();
        let mut backwards: Vec<String> = names.iter().map(|n| n.chars().rev().collect()).collect();
        backwards.sort();
        let forward = fst::Set::from_iter(&names).expect("sorted, distinct names");
        let reversed = fst::Set::from_iter(&backwards).expect("sorted, distinct names");
        let masks: Vec<(&str, u64)> = names.iter().map(|n| (n.as_str(), char_mask(n))).collect();
        let (to_reversed, to_forward) = ([&reversed], [&forward]);
        let search = |wanted: &str, limit: usize, visited: &mut usize| {
            let first = wanted.chars().next().map(String::from).unwrap_or_default();
            let last = wanted.chars().last().map(String::from).unwrap_or_default();
            let searches = [
                NameSearch {
                    set: &forward,
                    prefix: &first,
                    reversed: false,
                    mirrors: &to_reversed[..],
                },
                NameSearch {
                    set: &reversed,
                    prefix: &last,
                    reversed: true,
                    mirrors: &to_forward[..],
                },
            ];
            nearest_in_counting(&searches, wanted, limit, |_| true, visited)
        };
        let mut queries = vec![
            "name0012345x".to_owned(),
            "xname0012345".to_owned(),
            "name00123x45".to_owned(),
            "name0012x345".to_owned(),
            "name001234".to_owned(),
            "name00123456".to_owned(),
            "name0012345xy".to_owned(),
            "nime00123x5".to_owned(),
            "name9912345".to_owned(),
        ];
        for at in 0..11 {
            let mut chars: Vec<char> = "name0054321".chars().collect();
            chars[at] = 'q';
            queries.push(chars.iter().collect());
            chars.remove(at);
            queries.push(chars.into_iter().collect());
        }
        for wanted in &queries {
            for limit in 1..=MAX_EDITS {
                let expected = nearest(wanted, masks.iter().copied(), limit)
                    .map(|(n, tied)| (n.to_owned(), tied));
                let mut visited = 0;
                assert_eq!(
                    search(wanted, limit, &mut visited),
                    expected,
                    "query {wanted:?} within {limit}"
                );
            }
        }
        // Two edits near the end: the query's first characters may hold at most one of
        // them (4,312 nodes without that bound, failed).
        let mut visited = 0;
        let answer = search("name0012345xy", 2, &mut visited);
        assert_eq!(answer, Some(("name0012345".to_owned(), false)));
        assert!(
            visited < 400,
            "two edits: the walk stepped into {visited} nodes"
        );
        for wanted in ["name0012345x", "xname0012345", "name0012345ab"] {
            let mut visited = 0;
            let answer = search(wanted, 1, &mut visited);
            assert!(
                answer.is_some() || wanted.len() == 13,
                "{wanted:?}: {answer:?}"
            );
            assert!(
                visited < 60,
                "{wanted:?}: the walk stepped into {visited} nodes"
            );
        }
    }

    #[test]
    fn finds_the_nearest_plausible_typo() {
        let names = [
            "masquerading.md",
            "masquerade file type.md",
            "process injection.md",
        ];
        let with_masks = |names: &[&'static str]| -> Vec<(&'static str, u64)> {
            names.iter().map(|n| (*n, char_mask(n))).collect()
        };
        assert_eq!(
            closest("masquerding.md", with_masks(&names), 3),
            Some("masquerading.md")
        );
        assert_eq!(
            closest("completely different.md", with_masks(&names), 3),
            None
        );
        assert_eq!(closest("ab", with_masks(&["ac", "aa"]), 1), Some("aa"));
        assert_eq!(closest_unique("ab", with_masks(&["ac", "aa"]), 1), None);
        assert_eq!(
            closest_unique("ab", with_masks(&["ac", "xy"]), 1),
            Some("ac")
        );
        assert_eq!(
            closest_unique("abcde", with_masks(&["abcdx", "abxyz"]), 2),
            Some("abcdx")
        );
        assert!(mask_bound(char_mask("abc"), char_mask("xyz")) == 3);
        assert!(mask_bound(char_mask("listen"), char_mask("silent")) == 0);
        let rules = ["broken-link", "missing-heading", "attack"];
        assert_eq!(closest_name("broken-links", &rules), Some("broken-link"));
        assert_eq!(closest_name("atack", &rules), Some("attack"));
        assert_eq!(closest_name("spelling", &rules), None);
    }
}
