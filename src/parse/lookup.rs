//! Hash lookups into a large outline, so that checking a link's `#heading` or `#^block`
//! does not scan every heading of the target note: 10,000 links into a 10,000-heading note
//! were 10^8 comparisons.
//!
//! Built only for notes with more than `LOOKUP_MIN` headings or block ids; smaller outlines
//! are scanned, which is as fast and costs no memory.

use std::collections::{HashMap, HashSet};

use super::heading_key;
use super::OutlineHeading;

/// Outlines with more headings or block ids than this get a lookup.
pub(crate) const LOOKUP_MIN: usize = 32;

/// "Did you mean" on a note with a lookup compares the heading keys next to the wanted key in
/// sorted order, this many on each side, and the same for the reversed keys: those share the
/// longest prefix or suffix with it, which a typo of one or two edits leaves intact on one
/// side. A hint, so bounded rather than exhaustive on notes with thousands of headings.
pub(crate) const SUGGEST_NEIGHBOURS: usize = 64;

/// Indexes of one note's headings and block ids.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OutlineLookup {
    /// Heading key (of the raw text, as `OutlineHeading::matches`) → the headings with that
    /// key as `(level, position in the outline)`, sorted.
    by_key: HashMap<Box<str>, Vec<(u8, u32)>>,
    /// Distinct raw-text keys for "did you mean": `(key, character mask, position of the
    /// first heading with the key)`, sorted by key.
    suggest: Vec<(Box<str>, u64, u32)>,
    /// The keys of `suggest` reversed (by characters), with their index in `suggest`,
    /// sorted.
    reversed: Vec<(Box<str>, u32)>,
    /// Lower-cased block ids.
    blocks: HashSet<Box<str>>,
}

impl OutlineLookup {
    /// The lookup for an outline, or `None` when it is small enough to scan.
    pub fn build(headings: &[OutlineHeading], block_ids: &[&str]) -> Option<Box<Self>> {
        if headings.len() <= LOOKUP_MIN && block_ids.len() <= LOOKUP_MIN {
            return None;
        }
        let mut by_key: HashMap<Box<str>, Vec<(u8, u32)>> = HashMap::new();
        let mut suggest = Vec::new();
        for (pos, h) in headings.iter().enumerate() {
            let pos = u32::try_from(pos).unwrap_or(u32::MAX);
            let key = heading_key(&h.raw);
            if !by_key.contains_key(key.as_str()) {
                let mask = crate::suggest::char_mask(&key);
                suggest.push((key.clone().into_boxed_str(), mask, pos));
            }
            by_key
                .entry(key.into_boxed_str())
                .or_default()
                .push((h.level, pos));
        }
        for positions in by_key.values_mut() {
            positions.sort_unstable();
        }
        suggest.sort_unstable();
        let mut reversed: Vec<(Box<str>, u32)> = suggest
            .iter()
            .enumerate()
            .map(|(i, s)| {
                let i = u32::try_from(i).unwrap_or(u32::MAX);
                (s.0.chars().rev().collect::<String>().into_boxed_str(), i)
            })
            .collect();
        reversed.sort_unstable();
        Some(Box::new(OutlineLookup {
            by_key,
            suggest,
            reversed,
            blocks: block_ids.iter().map(|&b| Box::from(b)).collect(),
        }))
    }

    /// The first heading at or after position `from` whose key is `key` and whose level is
    /// above `min_level` (a deeper heading), as `(position, level)`.
    pub fn find_heading(&self, key: &str, from: usize, min_level: u8) -> Option<(usize, u8)> {
        let positions = self.by_key.get(key)?;
        let from = u32::try_from(from).unwrap_or(u32::MAX);
        // Sorted by (level, position): one binary search per deeper level.
        (min_level.saturating_add(1)..=6)
            .filter_map(|level| {
                let i = positions.partition_point(|&p| p < (level, from));
                positions
                    .get(i)
                    .filter(|&&(l, _)| l == level)
                    .map(|&(l, p)| (p as usize, l))
            })
            .min()
    }

    /// Whether any heading has this key.
    pub fn has_heading(&self, key: &str) -> bool {
        self.by_key.contains_key(key)
    }

    /// Whether the note has this lower-cased block id.
    pub fn has_block(&self, lower_id: &str) -> bool {
        self.blocks.contains(lower_id)
    }

    /// Position of the heading whose key is closest to `wanted` (a key) within `limit`
    /// edits, among the `SUGGEST_NEIGHBOURS` sorted neighbours of `wanted` and of its
    /// reverse, and whether no other heading is as near.
    pub fn closest_heading(&self, wanted: &str, limit: usize) -> Option<(usize, bool)> {
        let around = |at: usize, len: usize| {
            at.saturating_sub(SUGGEST_NEIGHBOURS)..(at + SUGGEST_NEIGHBOURS).min(len)
        };
        let at = self.suggest.partition_point(|s| &*s.0 < wanted);
        let mut picked: Vec<usize> = around(at, self.suggest.len()).collect();
        let reversed: String = wanted.chars().rev().collect();
        let at = self.reversed.partition_point(|r| *r.0 < *reversed);
        picked.extend(
            self.reversed
                .get(around(at, self.reversed.len()))
                .unwrap_or_default()
                .iter()
                .map(|r| r.1 as usize),
        );
        picked.sort_unstable();
        picked.dedup();
        let candidates = || {
            picked
                .iter()
                .filter_map(|&i| self.suggest.get(i))
                .map(|s| (&*s.0, s.1))
        };
        let best = crate::suggest::closest(wanted, candidates(), limit)?;
        let unique = crate::suggest::closest_unique(wanted, candidates(), limit).is_some()
            && self.by_key.get(best).is_some_and(|p| p.len() == 1);
        self.suggest
            .binary_search_by(|s| (*s.0).cmp(best))
            .ok()
            .and_then(|i| self.suggest.get(i))
            .map(|s| (s.2 as usize, unique))
    }
}

#[cfg(test)]
mod tests {
    use crate::parse::{parse_note, Outline};

    #[test]
    fn closest_heading_is_found_through_the_lookup() {
        let text: String = (0..100).map(|i| format!("# Heading {i}\n")).collect();
        let outline = Outline::of(&parse_note(&text));
        let lookup = outline.lookup.as_deref().unwrap();
        let (at, unique) = lookup.closest_heading("heading 42x", 2).unwrap();
        assert!(unique);
        assert_eq!(&*outline.headings[at].raw, "Heading 42");
        // A typo at the start is found through the reversed keys.
        let (at, _) = lookup.closest_heading("xeading 77", 2).unwrap();
        assert_eq!(&*outline.headings[at].raw, "Heading 77");
        assert_eq!(lookup.closest_heading("zzzzzzzzzzz", 2), None);
    }
}
