//! The default format: miette's graphical report, the note's source line with the finding
//! underlined, and a help line. The only file that knows about miette.
//!
//! Three things are ours rather than miette's defaults:
//! - [`NoteSource`] gives miette whole source lines and character columns (miette counts
//!   bytes, and with no context lines it shows the line only from the span on);
//! - text wraps at the terminal's width, never inside a `code span` (suggested names,
//!   paths and IDs are copied from there) nor at a hyphen; off a terminal nothing wraps;
//! - paths carry the prefix that makes them open from the folder vaultlint ran in.

use std::io::{self, Write};
use std::sync::Arc;

use miette::{
    GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteDiagnostic, MietteError,
    MietteSpanContents, SourceCode, SourceSpan, SpanContents,
};
use textwrap::core::Word;
use textwrap::{WordSeparator, WordSplitter};

use super::escape::{terminal, terminal_source, Shifts};
use super::statistics::{render_human, Statistics};
use super::{ReadSource, Stream, Style};
use crate::check::Summary;
use crate::diagnostic::{Diagnostic, Severity, Span};

/// Source lines longer than this many bytes are shown as a window around the finding, so
/// a minified or generated note does not print megabytes per finding.
const MAX_SNIPPET_LINE: usize = 1024;
/// Bytes of context kept on each side of the finding in such a window.
const WINDOW_CONTEXT: usize = 240;

/// Writes every diagnostic as it arrives, then the summary lines unless `style.quiet`.
///
/// `read` gives a note's text by vault path (for the source lines; each note is read
/// once, when its findings arrive, and dropped after); `prefix` is put before every vault
/// path so that it opens from the folder vaultlint ran in.
pub(crate) struct HumanStream<'a> {
    handler: GraphicalReportHandler,
    style: Style,
    prefix: &'a str,
    read: ReadSource<'a>,
    out: &'a mut dyn Write,
    /// The findings per rule so far, for the table that closes a long report.
    stats: Statistics,
}

/// From this many findings on, the report ends with the findings per rule and how to see
/// one rule's: each finding takes about seven lines, so by then the first ones have
/// scrolled out of any terminal, and a team starts from the counts (ruff's and clippy's
/// users reach for `--statistics` and `--select` the same way).
const MANY_FINDINGS: usize = 50;

impl<'a> HumanStream<'a> {
    pub(crate) fn new(
        style: Style,
        prefix: &'a str,
        read: ReadSource<'a>,
        out: &'a mut dyn Write,
    ) -> Self {
        let theme = if style.color {
            GraphicalTheme::unicode()
        } else {
            GraphicalTheme::unicode_nocolor()
        };
        let mut handler = GraphicalReportHandler::new_themed(theme)
            .with_links(false)
            .with_context_lines(0)
            .with_word_separator(WordSeparator::Custom(words_keeping_code_spans))
            .with_word_splitter(WordSplitter::NoHyphenation)
            .with_break_words(false);
        handler = match style.width {
            Some(width) => handler.with_width(width),
            None => handler.with_wrap_lines(false),
        };
        HumanStream {
            handler,
            style,
            prefix,
            read,
            out,
            stats: Statistics::default(),
        }
    }
}

impl Stream for HumanStream<'_> {
    fn note(&mut self, findings: &[Diagnostic]) -> io::Result<()> {
        self.stats.add(findings);
        let prefix = self.prefix;
        // miette wants an owned source per report: share the note's text instead of
        // copying it once per finding.
        let source = findings
            .iter()
            .any(|d| d.span.is_some())
            .then(|| findings.first().and_then(|d| (self.read)(&d.path)))
            .flatten()
            .map(|text| {
                // The note's own escapes and workflow commands must not reach the terminal;
                // the spans move with the escapes.
                let (escaped, shifts) = terminal_source(&text);
                (Arc::<str>::from(escaped.as_ref()), shifts)
            });
        let (source, shifts) = match source {
            Some((text, shifts)) => (Some(text), shifts),
            None => (None, Shifts::default()),
        };
        for d in findings {
            let mut text = String::new();
            let span = d.span.map(|s| Span {
                start: shifts.map(s.start),
                end: shifts.map(s.end),
                column: if shifts.is_empty() { s.column } else { 0 },
                ..s
            });
            // The gutter (` 63 │ `) takes the line number's digits and four more.
            let fit = self
                .style
                .width
                .zip(span)
                .map(|(w, span)| w.saturating_sub(span.line.to_string().len() + 4).max(20));
            let diag = to_miette(d, span, prefix, source.as_deref().zip(fit));
            let result = match (span, &source) {
                (Some(span), Some(source)) => {
                    let source = NoteSource {
                        name: terminal(&format!("{prefix}{}", d.path)).into_owned(),
                        text: Arc::clone(source),
                        primary: span,
                        fit,
                    };
                    let report = miette::Report::new(diag).with_source_code(source);
                    self.handler.render_report(&mut text, report.as_ref())
                }
                _ => self.handler.render_report(&mut text, &diag),
            };
            if result.is_err() {
                text = super::concise::line(prefix, d);
            }
            self.out.write_all(text.as_bytes())?;
        }
        Ok(())
    }

    fn finish(&mut self, s: &Summary) -> io::Result<Vec<String>> {
        if self.style.quiet {
            return Ok(Vec::new());
        }
        let mut lines = Vec::new();
        if s.errors + s.warnings + s.infos >= MANY_FINDINGS {
            writeln!(self.out, "\nvaultlint: findings per rule")?;
            render_human(&self.stats, self.out)?;
            writeln!(
                lines,
                "vaultlint: to see one rule's findings, add `--select RULE` to the command; \
                 `--statistics` prints this table alone, `--format concise` one line per finding"
            )?;
        }
        super::summary::write(s, &mut lines)?;
        let lines = String::from_utf8_lossy(&lines);
        match self.style.width {
            Some(width) => {
                let options = textwrap::Options::new(width)
                    .subsequent_indent("  ")
                    .word_splitter(WordSplitter::NoHyphenation)
                    .word_separator(WordSeparator::Custom(words_keeping_code_spans))
                    .break_words(false);
                for line in lines.lines() {
                    writeln!(self.out, "{}", textwrap::fill(line, &options))?;
                }
            }
            None => self.out.write_all(lines.as_bytes())?,
        }
        Ok(Vec::new())
    }
}

/// Splits a line into words at ASCII spaces, as textwrap does, except inside a `code span`:
/// a span is one word, so a suggested name or path is never split over two lines (with
/// `break_words(false)` a span wider than the terminal overflows instead).
fn words_keeping_code_spans(line: &str) -> Box<dyn Iterator<Item = Word<'_>> + '_> {
    let mut words = Vec::new();
    let mut start = 0;
    let mut in_code = false;
    let mut after_space = false;
    for (i, c) in line.char_indices() {
        if c == ' ' && !in_code {
            after_space = true;
            continue;
        }
        if after_space {
            words.push(Word::from(&line[start..i]));
            start = i;
            after_space = false;
        }
        if c == '`' {
            in_code = !in_code;
        }
    }
    if start < line.len() {
        words.push(Word::from(&line[start..]));
    }
    Box::new(words.into_iter())
}

/// One note's text as miette reads it: whole lines around a span, with the 0-based line
/// and the column counted in characters, not bytes.
///
/// `primary` is the diagnostic's own span, whose line and column were computed at parse
/// time; other spans (miette merges overlapping labels) are located by scanning the text.
struct NoteSource {
    name: String,
    text: Arc<str>,
    primary: Span,
    /// On a terminal: the characters a source line may take, so that it fits the width; a
    /// longer line is shown as a window around the finding.
    fit: Option<usize>,
}

impl SourceCode for NoteSource {
    fn read_span<'a>(
        &'a self,
        span: &SourceSpan,
        context_lines_before: usize,
        context_lines_after: usize,
    ) -> Result<Box<dyn SpanContents<'a> + 'a>, MietteError> {
        let text: &str = &self.text;
        let start = span.offset();
        let end = start + span.len();
        if end > text.len() || !text.is_char_boundary(start) || !text.is_char_boundary(end) {
            return Err(MietteError::OutOfBounds);
        }
        let span_line_start = line_start(text, start);
        let mut from = span_line_start;
        let mut lines_before = 0;
        while lines_before < context_lines_before && from > 0 {
            from = line_start(text, from - 1);
            lines_before += 1;
        }
        let mut to = line_end(text, end);
        for _ in 0..context_lines_after {
            // Past this line's `\n` (after a `\r` when the line ends in CRLF).
            let Some(next) = text[to..].find('\n').map(|i| to + i + 1) else {
                break;
            };
            if next >= text.len() {
                break;
            }
            to = line_end(text, next);
        }
        if to > from + MAX_SNIPPET_LINE && context_lines_before == 0 && context_lines_after == 0 {
            from = floor_char_boundary(text, from.max(start.saturating_sub(WINDOW_CONTEXT)));
            to = ceil_char_boundary(text, to.min(end + WINDOW_CONTEXT));
        }
        if let Some(max) = self.fit.filter(|_| !text[from..to].contains('\n')) {
            (from, to) = fit_window(text, (from, to), (start, end), max);
        }
        let (line, column) = if start == self.primary.start {
            // Column 0: escapes moved the span, so its column is counted in the text shown.
            let column = match self.primary.column {
                0 => text[span_line_start..start].chars().count(),
                c => (c as usize).saturating_sub(1),
            };
            ((self.primary.line as usize).saturating_sub(1), column)
        } else {
            (
                text[..start].matches('\n').count(),
                text[span_line_start..start].chars().count(),
            )
        };
        let data = &text[from..to];
        let line_count = data.matches('\n').count() + 1;
        Ok(Box::new(MietteSpanContents::new_named(
            self.name.clone(),
            data.as_bytes(),
            (from, to - from).into(),
            line - lines_before.min(line),
            column,
            line_count,
        )))
    }
}

/// Narrows the one-line segment `line` of `text` to at most `max` characters around `span`,
/// keeping as much context on each side as fits (the span itself is never cut).
fn fit_window(
    text: &str,
    line: (usize, usize),
    span: (usize, usize),
    max: usize,
) -> (usize, usize) {
    let (from, to) = line;
    let (start, end) = span;
    if text[from..to].chars().count() <= max {
        return line;
    }
    let room = max.saturating_sub(text[start..end].chars().count());
    let before = text[from..start].chars().count();
    let after = text[end..to].chars().count();
    let take_after = after
        .min(room / 2)
        .max(room.saturating_sub(before))
        .min(after);
    let take_before = before.min(room.saturating_sub(take_after));
    let new_from = text[from..start]
        .char_indices()
        .nth(before - take_before)
        .map_or(start, |(i, _)| from + i);
    let new_to = text[end..to]
        .char_indices()
        .nth(take_after)
        .map_or(to, |(i, _)| end + i);
    (new_from, new_to)
}

/// The byte offset where the line holding `offset` starts.
fn line_start(text: &str, offset: usize) -> usize {
    text[..offset].rfind('\n').map_or(0, |i| i + 1)
}

/// The byte offset where the line holding `offset` ends, before its `\n` or `\r\n`.
fn line_end(text: &str, offset: usize) -> usize {
    let end = text[offset..].find('\n').map_or(text.len(), |i| offset + i);
    if end > offset && text.as_bytes()[end - 1] == b'\r' {
        end - 1
    } else {
        end
    }
}

fn floor_char_boundary(text: &str, mut i: usize) -> usize {
    while !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

fn ceil_char_boundary(text: &str, mut i: usize) -> usize {
    while !text.is_char_boundary(i) {
        i += 1;
    }
    i
}

/// Where the underline of a one-line span that is wider than `max` characters stops: after
/// its first `max` characters, so that the source line and its underline fit the terminal
/// (a long wiki-link in a table row was drawn 150 columns wide). A span over several lines
/// is left whole.
fn clipped_end(text: &str, start: usize, end: usize, max: usize) -> usize {
    match text.get(start..end) {
        Some(inner) if !inner.contains('\n') => inner
            .char_indices()
            .nth(max)
            .map_or(end, |(i, _)| start + i),
        _ => end,
    }
}

/// The miette form of `d`; `span` is its span in the source as shown (escaped), `clip`
/// (that source and the characters a source line may take, on a terminal) narrows the
/// underline of a span wider than the terminal.
fn to_miette(
    d: &Diagnostic,
    span: Option<Span>,
    prefix: &str,
    clip: Option<(&str, usize)>,
) -> MietteDiagnostic {
    let severity = match d.severity {
        Severity::Error => miette::Severity::Error,
        Severity::Warning => miette::Severity::Warning,
        Severity::Info => miette::Severity::Advice,
    };
    let message = match span {
        Some(_) => terminal(&d.message).into_owned(),
        None => terminal(&format!("{prefix}{} {}", d.path, d.message)).into_owned(),
    };
    let mut diag = MietteDiagnostic::new(message)
        .with_code(d.rule.name)
        .with_severity(severity);
    if let Some(help) = &d.help {
        diag = diag.with_help(terminal(help).into_owned());
    }
    if let Some(span) = span {
        let label = d.label.as_deref().map(|l| terminal(l).into_owned());
        let end = clip.map_or(span.end, |(text, max)| {
            clipped_end(text, span.start, span.end, max)
        });
        diag = diag.with_label(LabeledSpan::new_primary_with_span(label, span.start..end));
    }
    if !d.related.is_empty() {
        let related: Vec<String> = d
            .related
            .iter()
            .map(|r| format!("{}: {prefix}{}", terminal(&r.message), terminal(&r.path)))
            .collect();
        let help = match &d.help {
            Some(h) => format!("{}\n{}", terminal(h), related.join("\n")),
            None => related.join("\n"),
        };
        diag = diag.with_help(help);
    }
    diag
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(line: &str) -> Vec<&str> {
        words_keeping_code_spans(line).map(|w| w.word).collect()
    }

    #[test]
    fn code_spans_are_one_word() {
        assert_eq!(
            words("did you mean `Process Doppelgänging`? yes  no"),
            [
                "did",
                "you",
                "mean",
                "`Process Doppelgänging`?",
                "yes",
                "no"
            ]
        );
        assert_eq!(words("`a b` c"), ["`a b`", "c"]);
    }

    #[test]
    fn source_gives_whole_lines_and_character_columns() {
        let text = "first\r\nÉdith é [[x]] after\nlast";
        let start = text.find("[[").unwrap();
        let source = NoteSource {
            name: "n.md".to_owned(),
            text: Arc::from(text),
            primary: Span {
                start,
                end: start + 5,
                line: 2,
                column: 9,
            },
            fit: None,
        };
        let contents = source.read_span(&(start, 5).into(), 0, 0).unwrap();
        assert_eq!(
            std::str::from_utf8(contents.data()).unwrap(),
            "Édith é [[x]] after"
        );
        assert_eq!((contents.line(), contents.column()), (1, 8));
        let inner = start + 2;
        let contents = source.read_span(&(inner, 1).into(), 1, 1).unwrap();
        assert_eq!(
            std::str::from_utf8(contents.data()).unwrap(),
            "first\r\nÉdith é [[x]] after\nlast"
        );
        assert_eq!((contents.line(), contents.column()), (0, 10));
        let first = source.read_span(&(1, 1).into(), 0, 1).unwrap();
        assert_eq!(
            std::str::from_utf8(first.data()).unwrap(),
            "first\r\nÉdith é [[x]] after"
        );
    }

    #[test]
    fn lines_fit_the_terminal_around_the_span() {
        let text = "| a long table cell | [[Target note]] | another long cell here |";
        let start = text.find("[[").unwrap();
        let end = start + "[[Target note]]".len();
        let (from, to) = fit_window(text, (0, text.len()), (start, end), 25);
        assert_eq!(&text[from..to], "ll | [[Target note]] | an");
        let (from, to) = fit_window(text, (0, text.len()), (start, end), 10);
        assert_eq!(&text[from..to], "[[Target note]]");
        let (from, to) = fit_window(text, (0, 5), (0, 2), 10);
        assert_eq!((from, to), (0, 5));
    }

    #[test]
    fn long_lines_are_windowed_around_the_span() {
        let text = format!("{}[[x]]{}", "é".repeat(2000), "a".repeat(2000));
        let start = text.find("[[").unwrap();
        let source = NoteSource {
            name: "n.md".to_owned(),
            text: Arc::from(text.as_str()),
            primary: Span {
                start,
                end: start + 5,
                line: 1,
                column: 2001,
            },
            fit: None,
        };
        let contents = source.read_span(&(start, 5).into(), 0, 0).unwrap();
        let data = std::str::from_utf8(contents.data()).unwrap();
        assert!(
            data.contains("[[x]]") && data.len() <= 5 + 2 * WINDOW_CONTEXT,
            "{data}"
        );
        assert_eq!(contents.column(), 2000);
    }
}
