//! Byte offsets to lines and columns: every `Span` the parser gives a link, heading, block id
//! or directive is made here.

use crate::diagnostic::Span;

/// Maps byte offsets of one text to 1-based line and character columns.
pub(crate) struct LineIndex<'a> {
    text: &'a str,
    line_starts: Vec<usize>,
    /// The last position converted (byte offset, its 0-based column): spans arrive mostly
    /// in order, so counting characters from there keeps long lines linear.
    last: std::cell::Cell<(usize, usize)>,
}

impl<'a> LineIndex<'a> {
    pub(crate) fn new(text: &'a str) -> Self {
        let mut line_starts = vec![0];
        line_starts.extend(memchr_newlines(text).map(|i| i + 1));
        LineIndex {
            text,
            line_starts,
            last: std::cell::Cell::new((0, 0)),
        }
    }

    pub(crate) fn line_count(&self) -> usize {
        self.line_starts.len()
    }

    /// 0-based line number of `offset`.
    pub(crate) fn line_of(&self, offset: usize) -> usize {
        match self.line_starts.binary_search(&offset) {
            Ok(i) => i,
            Err(i) => i.saturating_sub(1),
        }
    }

    pub(crate) fn line_start(&self, line0: usize) -> usize {
        self.line_starts
            .get(line0)
            .copied()
            .unwrap_or(self.text.len())
    }

    pub(crate) fn span(&self, start: usize, end: usize) -> Span {
        let start = start.min(self.text.len());
        let end = end.clamp(start, self.text.len());
        let line0 = self.line_of(start);
        let line_start = self.line_start(line0);
        let (last_offset, last_column) = self.last.get();
        let (from, base) = if last_offset >= line_start && last_offset <= start {
            (last_offset, last_column)
        } else {
            (line_start, 0)
        };
        let column = base
            + self
                .text
                .get(from..start)
                .map_or(start - from, |s| s.chars().count());
        self.last.set((start, column));
        Span {
            start,
            end,
            line: u32::try_from(line0 + 1).unwrap_or(u32::MAX),
            column: u32::try_from(column + 1).unwrap_or(u32::MAX),
        }
    }
}

fn memchr_newlines(text: &str) -> impl Iterator<Item = usize> + '_ {
    // A `char` pattern searches with `memchr`, a word at a time, not a byte at a time.
    text.match_indices('\n').map(|(i, _)| i)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_index_counts_characters_not_bytes() {
        let text = "ab\nÉdith [[x]]\n";
        let idx = LineIndex::new(text);
        let start = text.find("[[").unwrap();
        let span = idx.span(start, start + 5);
        assert_eq!((span.line, span.column), (2, 7));
        assert_eq!(idx.span(0, 1).line, 1);
        assert_eq!(idx.span(text.len(), text.len()).line, 3);
    }
}
