//! "Did you mean": the nearest candidate by edit distance, if it is a plausible typo.

use rapidfuzz::distance::levenshtein;

/// Allowed edits for a word of `len` characters: one per four characters, 1 to 4.
pub fn typo_limit(len: usize) -> usize {
    (len / 4).clamp(1, 4)
}

/// The candidate closest to `wanted` within `limit` edits (callers pre-filter candidates
/// by length, which rules most out before any distance is computed). Ties go to the smallest
/// candidate in string order, so the answer does not depend on iteration order.
pub fn closest<'a>(
    wanted: &str,
    candidates: impl IntoIterator<Item = &'a str>,
    limit: usize,
) -> Option<&'a str> {
    let scorer = levenshtein::BatchComparator::new(wanted.chars());
    let mut best: Option<(usize, &str)> = None;
    for candidate in candidates {
        let cutoff = best.map_or(limit, |(d, _)| d);
        let args = levenshtein::Args::default().score_cutoff(cutoff);
        if let Some(d) = scorer.distance_with_args(candidate.chars(), &args) {
            if best.is_none_or(|(bd, bn)| (d, candidate) < (bd, bn)) {
                best = Some((d, candidate));
            }
        }
    }
    best.map(|(_, c)| c)
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
        assert_eq!(closest("masquerding.md", names, 3), Some("masquerading.md"));
        assert_eq!(closest("completely different.md", names, 3), None);
        assert_eq!(closest("ab", ["ac", "aa"], 1), Some("aa"));
    }
}
