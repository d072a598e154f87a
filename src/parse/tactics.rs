//! A technique note's tactic list as the note writes it: the list items under a `Tactic` or
//! `Tactics` heading (`- [[…/tactics/Persistence]] (TA0003)`, as the shared ATT&CK vault's
//! generator writes it), or a `Tactic:` line of a callout or blockquote (`> Tactic:
//! [[Defense Evasion - TA0005 \| Defense Evasion]]`). Read once in the parse, so the
//! `attack-tactic-mismatch` rule reads the note's record, not its text.

use std::ops::Range;

use super::{Heading, LineIndex};
use crate::diagnostic::Span;

/// One item of a tactic list: a list item under the heading, or the whole callout line.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct TacticItem {
    /// The item's line, line break included (byte offsets into the note).
    pub line: Range<usize>,
    /// The tactic IDs written in its text (`(TA0003)`, or inside a link target such as
    /// `Defense Evasion - TA0005`): [`tactic_ids_in`] of the item after its list marker.
    pub written: Vec<Box<str>>,
}

/// A tactic list as the note writes it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct TacticList {
    /// Where a finding about the list points: the heading, or the callout line without its
    /// line break.
    pub span: Span,
    /// The items, in order (a callout line is one item).
    pub items: Vec<TacticItem>,
    /// Items under a heading; else a callout line.
    pub under_heading: bool,
    /// A `Tactics:` line (claims every tactic), not `Tactic:`; false under a heading.
    pub plural: bool,
}

/// The note's tactic lists, in the order a reader takes them: the items under the first
/// heading `Tactic` or `Tactics` (when it has any), then the first `Tactic:` or `Tactics:`
/// line of a callout or blockquote. At most one of each.
pub(super) fn tactic_lists(text: &str, headings: &[Heading], lines: &LineIndex) -> Vec<TacticList> {
    let mut out = Vec::new();
    out.extend(under_heading(text, headings));
    out.extend(callout_line(text, lines));
    out
}

/// The list items right under the first heading `Tactic` or `Tactics` (blank lines before
/// the first item skipped; the list ends at the first line that is not an item).
fn under_heading(text: &str, headings: &[Heading]) -> Option<TacticList> {
    let h = headings.iter().find(|h| {
        let t = h.raw.trim();
        t.eq_ignore_ascii_case("tactic") || t.eq_ignore_ascii_case("tactics")
    })?;
    let mut items = Vec::new();
    let mut at = text
        .get(h.span.end..)
        .and_then(|t| t.find('\n'))
        .map_or(text.len(), |i| h.span.end + i + 1);
    while at < text.len() {
        let end = text[at..].find('\n').map_or(text.len(), |i| at + i + 1);
        let body = text[at..end].trim();
        if body.is_empty() && items.is_empty() {
            at = end;
            continue;
        }
        let Some(item) = ["- ", "* ", "+ "].iter().find_map(|m| body.strip_prefix(m)) else {
            break;
        };
        items.push(TacticItem {
            line: at..end,
            written: tactic_ids_in(item),
        });
        at = end;
    }
    items.last()?;
    Some(TacticList {
        span: h.span,
        items,
        under_heading: true,
        plural: false,
    })
}

/// The first line whose text after its `>` marks starts with `Tactic:` or `Tactics:` (in
/// any case). Only lines whose first character other than white space is `>` are read;
/// they are found by searching for `>` (each line is passed over once), not by walking
/// every line of every note.
fn callout_line(text: &str, lines: &LineIndex) -> Option<TacticList> {
    let mut from = 0;
    while let Some(gt) = text.get(from..).and_then(|t| t.find('>')).map(|i| from + i) {
        let start = text[..gt].rfind('\n').map_or(0, |i| i + 1);
        let end = text[gt..].find('\n').map_or(text.len(), |i| gt + i + 1);
        from = end;
        if !text[start..gt].trim_start().is_empty() {
            continue;
        }
        let line = &text[start..end];
        let body = text[gt + 1..end].trim_start_matches(['>', ' ', '\t']);
        let lower = body.get(..8).unwrap_or(body).to_ascii_lowercase();
        if lower.starts_with("tactic:") || lower.starts_with("tactics:") {
            let shown = end - usize::from(line.ends_with('\n'));
            return Some(TacticList {
                span: lines.span(start, shown),
                items: vec![TacticItem {
                    line: start..end,
                    written: tactic_ids_in(body),
                }],
                under_heading: false,
                plural: lower.starts_with("tactics:"),
            });
        }
    }
    None
}

/// Every `TA` followed by four digits in `text`, standing alone (not inside a longer word
/// or number), each once, in order.
pub(crate) fn tactic_ids_in(text: &str) -> Vec<Box<str>> {
    let bytes = text.as_bytes();
    let mut out: Vec<Box<str>> = Vec::new();
    for (i, _) in text.match_indices("TA") {
        let before = i.checked_sub(1).map(|j| bytes[j]);
        let digits = bytes.get(i + 2..i + 6);
        let after = bytes.get(i + 6);
        let alone = before.is_none_or(|b| !b.is_ascii_alphanumeric())
            && digits.is_some_and(|d| d.iter().all(u8::is_ascii_digit))
            && after.is_none_or(|b| !b.is_ascii_alphanumeric());
        if alone {
            let id = &text[i..i + 6];
            if !out.iter().any(|o| &**o == id) {
                out.push(id.into());
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use crate::parse::parse_note;

    #[test]
    fn items_under_the_heading_then_the_callout_line() {
        let text = "# T1112\n\n### Tactics\n\n- [[tactics/Defense Evasion]] (TA0005)\n* [[Persistence - TA0003|P]] TA0003 TA00051\n\nafter\n\n> [!info]\n> TACTICS: TA0040, TA0040\n> Tactic: TA0001\n";
        let note = parse_note(text);
        let [heading, callout] = &note.tactic_lists[..] else {
            panic!("{:?}", note.tactic_lists);
        };
        assert!(heading.under_heading && !heading.plural);
        assert_eq!(heading.span, note.headings[1].span);
        let written: Vec<Vec<&str>> = heading
            .items
            .iter()
            .map(|i| i.written.iter().map(|w| &**w).collect())
            .collect();
        assert_eq!(written, [vec!["TA0005"], vec!["TA0003"]]);
        assert_eq!(
            &text[heading.items[1].line.clone()],
            "* [[Persistence - TA0003|P]] TA0003 TA00051\n"
        );
        assert!(!callout.under_heading && callout.plural);
        assert_eq!(
            &text[callout.span.start..callout.span.end],
            "> TACTICS: TA0040, TA0040"
        );
        assert_eq!(callout.span.line, 11);
        assert_eq!(&*callout.items[0].written, [Box::from("TA0040")]);
    }

    #[test]
    fn a_heading_without_items_leaves_the_callout_line() {
        let note = parse_note("## Tactic\n\ntext\n\n>> tactic:\t[[x]]\n");
        let [list] = &note.tactic_lists[..] else {
            panic!("{:?}", note.tactic_lists);
        };
        assert!(!list.under_heading && !list.plural && list.items[0].written.is_empty());
        assert!(parse_note("# Tactics\n- a\n").tactic_lists[0].under_heading);
        assert!(parse_note("> Tactic TA0001\n").tactic_lists.is_empty());
    }
}
