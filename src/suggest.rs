//! "Did you mean": the nearest candidate by edit distance, if it is a plausible typo.

use rapidfuzz::distance::levenshtein;

/// Allowed edits for a name of `len` characters: one per five characters, 1 or 2. More
/// edits rarely name the note meant, and would make the search grow with the vault.
pub(crate) fn typo_limit(len: usize) -> usize {
    (len / 5).clamp(1, 2)
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
