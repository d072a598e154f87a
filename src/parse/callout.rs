//! `ID:` lines in callouts and blockquotes (`> ID: G0016`): the identifier a generated
//! knowledge-base note states in its info callout, for packs that read note identities.

use super::LineIndex;
use crate::diagnostic::Span;

/// The values of `ID: value` lines inside blockquotes (callouts are blockquotes), with the
/// span of the value (byte offsets into `body`). Lines in fenced code blocks are skipped, as
/// Obsidian shows them as code. `body` is the note with front matter and comments blanked.
pub(super) fn id_lines(body: &str, lines: &LineIndex) -> Vec<(String, Span)> {
    let mut out = Vec::new();
    let mut fence: Option<(u8, usize)> = None;
    let mut offset = 0;
    for line in body.split_inclusive('\n') {
        let start = offset;
        offset += line.len();
        let text = line.trim_end_matches(['\n', '\r']);
        // Blockquote markers are stripped first, so fences inside callouts count too.
        let mut rest = text.trim_start_matches(' ');
        let mut quoted = false;
        while let Some(r) = rest.strip_prefix('>') {
            quoted = true;
            rest = r.trim_start_matches(' ');
        }
        let marker = rest.bytes().next().filter(|b| *b == b'`' || *b == b'~');
        if let Some(m) = marker {
            let run = rest.bytes().take_while(|b| *b == m).count();
            if run >= 3 {
                match fence {
                    None => fence = Some((m, run)),
                    Some((open, len)) if open == m && run >= len => fence = None,
                    Some(_) => {}
                }
                continue;
            }
        }
        if fence.is_some() || !quoted {
            continue;
        }
        let Some(after) = rest.strip_prefix("ID:") else {
            continue;
        };
        let value = after.trim();
        if value.is_empty() || value.contains(char::is_whitespace) {
            continue;
        }
        // `rest` and `after` are suffixes of the line, so their lengths give offsets.
        let value_start =
            start + text.len() - after.len() + (after.len() - after.trim_start().len());
        out.push((
            value.to_owned(),
            lines.span(value_start, value_start + value.len()),
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(text: &str) -> Vec<(String, usize)> {
        let lines = LineIndex::new(text);
        id_lines(text, &lines)
            .into_iter()
            .map(|(v, s)| (v, s.start))
            .collect()
    }

    #[test]
    fn reads_id_lines_in_quotes_only() {
        let text = "ID: T1\n> [!info]\n> ID: G0016\n> Version: 1.0\n>> ID:  S0001 \n";
        assert_eq!(
            ids(text),
            [("G0016".to_owned(), 23), ("S0001".to_owned(), 52)]
        );
        assert_eq!(ids("> ID: two words\n> ID:\n"), []);
        assert_eq!(
            ids("```\n> ID: G1\n```\n> ID: G2\n"),
            [("G2".to_owned(), 23)]
        );
        assert_eq!(ids("> ```\n> ID: G1\n> ```\n"), []);
    }
}
