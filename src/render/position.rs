//! Start and end of each finding in UTF-16 code units, as SARIF consumers count columns.
//!
//! A `Span` keeps its start line and column in characters, which is what terminals and
//! editors show. SARIF (GitHub code scanning, VS Code's viewer) counts UTF-16 code units and
//! also wants where a region ends. Only SARIF needs those, so they are computed here, one note
//! at a time from its text, instead of being stored in every span of every outline.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use crate::diagnostic::{Diagnostic, Span};

/// Where a span starts and ends: lines 1-based, columns 1-based in UTF-16 code units, the end
/// exclusive (the column just after the last character, as SARIF's `endColumn`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Utf16Region {
    /// 1-based line of the first character.
    pub start_line: u32,
    /// 1-based UTF-16 column of the first character.
    pub start_column: u32,
    /// 1-based line of the end.
    pub end_line: u32,
    /// 1-based UTF-16 column just after the last character.
    pub end_column: u32,
}

/// The UTF-16 regions of the spans of a set of diagnostics and their related locations.
#[derive(Debug, Default)]
pub(crate) struct Positions {
    regions: HashMap<(Arc<str>, usize, usize), Utf16Region>,
}

impl Positions {
    /// Computes the regions of every span in `diagnostics` (and their related locations),
    /// reading each note once through `read` (vault path to text; `None` when it cannot be
    /// read, whose spans then keep their character columns and get no end).
    pub(crate) fn compute(
        diagnostics: &[Diagnostic],
        read: &dyn Fn(&str) -> Option<String>,
    ) -> Self {
        let mut wanted: BTreeMap<Arc<str>, Vec<(usize, usize)>> = BTreeMap::new();
        for d in diagnostics {
            if let Some(s) = d.span {
                wanted
                    .entry(Arc::clone(&d.path))
                    .or_default()
                    .push((s.start, s.end));
            }
            for r in &d.related {
                if let Some(s) = r.span {
                    wanted
                        .entry(Arc::clone(&r.path))
                        .or_default()
                        .push((s.start, s.end));
                }
            }
        }
        let mut regions = HashMap::new();
        for (path, spans) in wanted {
            let Some(text) = read(&path) else { continue };
            let lines = Lines::new(&text);
            for (start, end) in spans {
                let (start_line, start_column) = lines.utf16(start);
                let (end_line, end_column) = lines.utf16(end.max(start));
                regions.insert(
                    (Arc::clone(&path), start, end),
                    Utf16Region {
                        start_line,
                        start_column,
                        end_line,
                        end_column,
                    },
                );
            }
        }
        Positions { regions }
    }

    /// The region of `span` in the note at `path`, if its text could be read.
    pub(crate) fn region(&self, path: &Arc<str>, span: Span) -> Option<Utf16Region> {
        self.regions
            .get(&(Arc::clone(path), span.start, span.end))
            .copied()
    }
}

struct Lines<'a> {
    text: &'a str,
    starts: Vec<usize>,
}

impl<'a> Lines<'a> {
    fn new(text: &'a str) -> Self {
        let mut starts = vec![0];
        starts.extend(
            text.bytes()
                .enumerate()
                .filter_map(|(i, b)| (b == b'\n').then_some(i + 1)),
        );
        Lines { text, starts }
    }

    /// 1-based line and UTF-16 column of byte `offset` (clamped into the text and back to a
    /// character boundary, so a stale span never panics).
    fn utf16(&self, offset: usize) -> (u32, u32) {
        let mut offset = offset.min(self.text.len());
        while !self.text.is_char_boundary(offset) {
            offset -= 1;
        }
        let line0 = match self.starts.binary_search(&offset) {
            Ok(i) => i,
            Err(i) => i.saturating_sub(1),
        };
        let column = self.text[self.starts[line0]..offset].encode_utf16().count();
        (
            u32::try_from(line0 + 1).unwrap_or(u32::MAX),
            u32::try_from(column + 1).unwrap_or(u32::MAX),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_count_utf16_code_units() {
        // `😀` is one character, two UTF-16 code units and four bytes.
        let text = "x\n😀 é [[Target]]\n";
        let lines = Lines::new(text);
        let start = text.find("[[").unwrap();
        assert_eq!(lines.utf16(start), (2, 6));
        assert_eq!(lines.utf16(start + "[[Target]]".len()), (2, 16));
        assert_eq!(lines.utf16(0), (1, 1));
        assert_eq!(lines.utf16(text.len() + 10), (3, 1));
        // Inside the emoji: clamped back to its start.
        assert_eq!(lines.utf16(3), (2, 1));
    }
}
