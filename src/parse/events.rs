//! pulldown-cmark's events of a note, parsed over bounded windows.
//!
//! pulldown-cmark builds a tree of the whole text before it yields its first event (about
//! 60 bytes per byte for a text of links: 1.8 GB for a 30 MB note of `[[a]]`). A text over
//! [`WINDOW`] is therefore parsed one window at a time: each window is parsed on its own
//! and only the events before a *cut* are kept; the next window starts at the cut. A cut
//! is taken only where the events before it are the ones the whole text gives, by the
//! rules below; where a window has no such point it is doubled, up to the whole text (as
//! before). Text up to [`WINDOW`] is parsed whole, exactly as before.
//!
//! **Between top-level blocks.** Block structure is decided line by line with one line of
//! lookahead, and the last top-level block to start in a window has started because of text
//! in the window: every block before it is complete and its events are final. The next
//! window starts at the start of that block's line, where no container is open. Link
//! reference and footnote definitions are the one thing in CommonMark that reaches across
//! blocks (a `[label]` anywhere reads a definition anywhere), so a text holding `]:` (every
//! definition does) is parsed whole.
//!
//! **Inside a long top-level paragraph** (one line of 30 MB is one paragraph), at the end
//! `p` of a link or embed that is a direct child of the paragraph. Every inline construct
//! can cross a line break in CommonMark and in pulldown-cmark (code spans, emphasis, link
//! text and titles, inline HTML, math, wiki-links), so line breaks are not safe places;
//! instead the text of the piece before `p` (since the paragraph's start or the previous
//! cut) must leave no construct open that text after `p` could close:
//! - no `` ` ``, `$` or `<` anywhere in it (a code span, math or an HTML tag or autolink is
//!   matched forward to any later closer, even from inside link text);
//! - outside the links, no `*`, `_` or `~` (emphasis is matched at the paragraph's end; inside
//!   a link it is matched within the link), no `\` (escapes change which brackets count),
//!   no `[[` (a wiki-link opener that a later `]]` closes) and no `](` (an inline link whose
//!   destination or title did not close in the window may close after it);
//! - outside the links, as many `]` as `[` (each `]` takes the nearest `[`, whether or not it
//!   makes a link), so no bracket opener is left. pulldown-cmark keeps the first `[` of a
//!   wiki-link on its stack disabled; a disabled opener never makes a link, as no opener
//!   at all.
//!
//! The next piece must start as a paragraph continues: with `[[`, `![[` or an ASCII letter
//! (nothing that starts a block, no leading space that a new paragraph would drop), on a
//! line not followed by a table delimiter row or setext underline (which would make the
//! piece's first line a table header). A paragraph whose last line is followed by a setext
//! underline is a heading of all its lines: its last piece then reads as a heading starting
//! at the cut, and the heading's start is moved back to the paragraph's.

use std::collections::VecDeque;
use std::ops::Range;

use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd};

/// Texts longer than this many bytes are parsed in windows of this size (doubled where a
/// window has no cut). pulldown-cmark's tree and the window's events take about 120 bytes
/// per byte of a text of links at their peak (measured with heaptrack): about 30 MB.
pub(super) const WINDOW: usize = 256 * 1024;

/// Bytes a cut keeps from the window's end: what pulldown-cmark reads after a link's `]]`
/// to decide it (a following `[` or `(`) lies in the window.
const MARGIN: usize = 16;

/// One event and its byte range in the whole text.
type Item<'a> = (Event<'a>, Range<usize>);

/// The events of `text` with their byte ranges, as
/// `Parser::new_ext(text, options).into_offset_iter()` gives them (see the module docs).
pub(super) fn offset_iter(text: &str, options: Options) -> Events<'_> {
    Events::new(text, options, window())
}

/// The window size: [`WINDOW`], or a small one a test sets to parse every note in windows.
fn window() -> usize {
    #[cfg(test)]
    if let Some(w) = TEST_WINDOW.with(std::cell::Cell::get) {
        return w;
    }
    WINDOW
}

#[cfg(test)]
thread_local! {
    /// A window size for this thread's parses, set by tests.
    pub(super) static TEST_WINDOW: std::cell::Cell<Option<usize>> = const { std::cell::Cell::new(None) };
}

/// The iterator of [`offset_iter`].
pub(super) struct Events<'a> {
    text: &'a str,
    options: Options,
    window: usize,
    /// Where the next window starts.
    pos: usize,
    /// Events of the current window before its cut, in order.
    ready: VecDeque<Item<'a>>,
    /// A top-level paragraph cut at `pos`: the offset where it starts.
    paragraph: Option<usize>,
    /// The parser of a text read whole.
    whole: Option<pulldown_cmark::OffsetIter<'a>>,
    /// The last window, which runs to the end of the text: read lazily, as a text read
    /// whole is, so a text with no cut holds pulldown-cmark's tree and nothing more.
    last: Option<Window<'a>>,
    /// How many cuts were made (for tests).
    cuts: usize,
}

impl<'a> Events<'a> {
    fn new(text: &'a str, options: Options, window: usize) -> Self {
        let whole = (text.len() <= window || text.contains("]:"))
            .then(|| Parser::new_ext(text, options).into_offset_iter());
        Events {
            text,
            options,
            window,
            pos: 0,
            ready: VecDeque::new(),
            paragraph: None,
            whole,
            last: None,
            cuts: 0,
        }
    }

    /// Parses windows from `pos` until one has a cut and queues its events before the cut,
    /// or, once a window would reach the end of the text, leaves the rest to `last`.
    fn next_window(&mut self) {
        let start = self.pos;
        let mut len = self.window;
        loop {
            if start.saturating_add(len) >= self.text.len() {
                let rest = self.text.get(start..).unwrap_or_default();
                self.last = Some(Window::new(rest, start, self.options, self.paragraph));
                self.pos = self.text.len();
                self.paragraph = None;
                return;
            }
            let mut end = start + len;
            while !self.text.is_char_boundary(end) {
                end -= 1;
            }
            let slice = self.text.get(start..end).unwrap_or_default();
            let continued = self.paragraph.is_some();
            let events: Vec<Item<'a>> =
                Window::new(slice, start, self.options, self.paragraph).collect();
            if let Some(cut) = self.cut(&events, start, end, continued) {
                let keep = cut.events;
                self.ready.extend(events.into_iter().take(keep));
                self.pos = cut.at;
                self.paragraph = cut.paragraph;
                self.cuts += 1;
                return;
            }
            len = len.saturating_mul(2);
        }
    }

    /// The last cut of a window `[start, end)` whose events are `events`; `continued` when
    /// the window starts inside a cut paragraph (its start event already dropped).
    fn cut(&self, events: &[Item<'a>], start: usize, end: usize, continued: bool) -> Option<Cut> {
        let text = self.text;
        let mut block: Option<Cut> = None;
        // A cut paragraph that an underline in this window made a heading ends here; no cut
        // inside it (the next window would open the heading again).
        let heading = matches!(events.first(), Some((Event::Start(Tag::Heading { .. }), _)));
        // The scan of the last top-level block while it is a paragraph, and the link ends
        // in it that the piece rules allow.
        let mut piece =
            (continued && !heading).then(|| Piece::new(start, self.paragraph.unwrap_or(start)));
        // Inside the cut paragraph, whose start event was dropped (a heading's was kept).
        let mut depth = usize::from(continued && !heading);
        let mut inline: Vec<Cut> = Vec::new();
        for (i, (event, range)) in events.iter().enumerate() {
            let top_start = depth == 0 && matches!(event, Event::Start(_) | Event::Rule);
            if top_start {
                if i > 0 || continued {
                    block = block_cut(text, i, range.start, start, end).or(block);
                }
                piece = matches!(event, Event::Start(Tag::Paragraph))
                    .then(|| Piece::new(range.start, range.start));
            }
            match event {
                Event::Start(_) => depth += 1,
                Event::End(_) => depth = depth.saturating_sub(1),
                _ => {}
            }
            let Some(p) = piece.as_mut() else {
                continue;
            };
            if depth == 0 {
                // The paragraph ended in the window: a block cut after it covers it.
                piece = None;
                continue;
            }
            if depth == 2 && matches!(event, Event::Start(Tag::Link { .. } | Tag::Image { .. })) {
                p.gap(text, range.start);
            } else if depth == 1 && matches!(event, Event::End(TagEnd::Link | TagEnd::Image)) {
                p.link(text, range.end);
                let at = range.end;
                if p.clean() && at + MARGIN <= end && starts_paragraph_text(text, at) {
                    inline.push(Cut {
                        events: i + 1,
                        at,
                        paragraph: Some(p.paragraph),
                    });
                }
            }
        }
        let inline = last_on_a_good_line(text, inline);
        match (inline, block) {
            (Some(inline), Some(block)) if block.at > inline.at => Some(block),
            (Some(inline), _) => Some(inline),
            (None, block) => block,
        }
    }
}

/// The events of one window, `text` starting at offset `shift` of the whole text, with
/// whole-text ranges. When the window starts inside a top-level paragraph cut there that
/// starts at `paragraph`, its piece opens as a new paragraph: that start event goes (the
/// paragraph's was given), and the event that ends the piece (a paragraph's, or a setext
/// heading's when an underline follows, which then starts the heading too) spans from the
/// paragraph's start.
struct Window<'a> {
    events: pulldown_cmark::OffsetIter<'a>,
    shift: usize,
    paragraph: Option<usize>,
    /// Depth inside the cut paragraph, once its first event is read.
    depth: Option<usize>,
}

impl<'a> Window<'a> {
    fn new(text: &'a str, shift: usize, options: Options, paragraph: Option<usize>) -> Self {
        Window {
            events: Parser::new_ext(text, options).into_offset_iter(),
            shift,
            paragraph,
            depth: None,
        }
    }
}

impl<'a> Iterator for Window<'a> {
    type Item = Item<'a>;

    fn next(&mut self) -> Option<Item<'a>> {
        loop {
            let (event, range) = self.events.next()?;
            let mut range = range.start + self.shift..range.end + self.shift;
            let Some(s) = self.paragraph else {
                return Some((event, range));
            };
            match (self.depth, &event) {
                (None, Event::Start(Tag::Paragraph)) if range.start == self.shift => {
                    self.depth = Some(1);
                    continue;
                }
                (None, Event::Start(Tag::Heading { .. })) if range.start == self.shift => {
                    self.depth = Some(1);
                    range.start = s;
                }
                (None, _) => self.paragraph = None,
                (Some(d), Event::Start(_)) => self.depth = Some(d + 1),
                (Some(1), Event::End(_)) => {
                    range.start = s;
                    self.paragraph = None;
                }
                (Some(d), Event::End(_)) => self.depth = Some(d - 1),
                (Some(_), _) => {}
            }
            return Some((event, range));
        }
    }
}

/// A cut before the top-level block whose start event is `events[index]`, at `offset`, in a
/// window `[start, end)`: at the start of its line, when only indentation precedes it there
/// and the line ends in the window (so the line is read whole: a truncated `---` would read
/// as text, not as the previous paragraph's underline).
fn block_cut(text: &str, index: usize, offset: usize, start: usize, end: usize) -> Option<Cut> {
    let line = text
        .get(..offset)
        .and_then(|t| t.rfind('\n'))
        .map_or(0, |n| n + 1);
    let indent_only = text
        .get(line..offset)
        .is_some_and(|t| t.bytes().all(|b| b == b' ' || b == b'\t'));
    let line_ends = text.get(offset..end).is_some_and(|t| t.contains('\n'));
    (indent_only && line_ends && line > start).then_some(Cut {
        events: index,
        at: line,
        paragraph: None,
    })
}

/// The last of `cuts` (in text order) whose line is not followed by a table delimiter row
/// or setext underline ([`next_line_ok`]); each line is looked at once.
fn last_on_a_good_line(text: &str, mut cuts: Vec<Cut>) -> Option<Cut> {
    while let Some(cut) = cuts.pop() {
        if next_line_ok(text, cut.at) {
            return Some(cut);
        }
        let line = text
            .get(..cut.at)
            .and_then(|t| t.rfind('\n'))
            .map_or(0, |n| n + 1);
        while cuts.last().is_some_and(|c| c.at >= line) {
            cuts.pop();
        }
    }
    None
}

impl<'a> Iterator for Events<'a> {
    type Item = Item<'a>;

    fn next(&mut self) -> Option<Item<'a>> {
        if let Some(whole) = self.whole.as_mut() {
            return whole.next();
        }
        loop {
            if let Some(item) = self.ready.pop_front() {
                return Some(item);
            }
            if let Some(last) = self.last.as_mut() {
                return last.next();
            }
            if self.pos >= self.text.len() {
                return None;
            }
            self.next_window();
        }
    }
}

/// Where a window is cut: how many of its events are kept, where the next window starts,
/// and the start of the top-level paragraph it cuts, if it cuts one.
struct Cut {
    events: usize,
    at: usize,
    paragraph: Option<usize>,
}

/// The scan of one piece of a top-level paragraph for the rules of the module docs.
struct Piece {
    /// Where the paragraph starts (before any earlier cut).
    paragraph: usize,
    /// The end of what has been scanned: the last link's end, or the piece's start.
    scanned: usize,
    /// `[` not yet closed by a `]`, outside links.
    open: usize,
    /// A rule was broken: no cut in the rest of this piece.
    broken: bool,
}

impl Piece {
    fn new(start: usize, paragraph: usize) -> Self {
        Piece {
            paragraph,
            scanned: start,
            open: 0,
            broken: false,
        }
    }

    /// Scans the text between the last link (or the piece's start) and `to`, outside
    /// any link.
    fn gap(&mut self, text: &str, to: usize) {
        let from = self.scanned;
        let bytes = text.as_bytes();
        for i in from..to.min(bytes.len()) {
            let b = bytes[i];
            let before = i.checked_sub(1).and_then(|j| bytes.get(j)).copied();
            match b {
                b'`' | b'$' | b'<' | b'*' | b'_' | b'~' | b'\\' => self.broken = true,
                b'[' if before == Some(b'[') && i > from => self.broken = true,
                b'(' if before == Some(b']') => self.broken = true,
                b'[' => self.open += 1,
                b']' => self.open = self.open.saturating_sub(1),
                _ => {}
            }
        }
        self.scanned = to.max(from);
    }

    /// Scans a link from the end of the last gap to its end `to`.
    fn link(&mut self, text: &str, to: usize) {
        let inside = text.get(self.scanned..to).unwrap_or_default();
        if inside.bytes().any(|b| matches!(b, b'`' | b'$' | b'<')) {
            self.broken = true;
        }
        self.scanned = to;
    }

    /// Whether the piece so far leaves no construct open.
    fn clean(&self) -> bool {
        !self.broken && self.open == 0
    }
}

/// Whether text from `at` reads the same as the start of a paragraph as in the middle of
/// one: `[[`, `![[` or an ASCII letter.
fn starts_paragraph_text(text: &str, at: usize) -> bool {
    let rest = text.get(at..).unwrap_or_default();
    rest.starts_with("[[")
        || rest.starts_with("![[")
        || rest.bytes().next().is_some_and(|b| b.is_ascii_alphabetic())
}

/// Whether the line after the one holding `at` is not a table delimiter row or setext
/// underline (only `|`, `-`, `:`, `=` and blanks), which would make a piece starting at
/// `at` a table.
fn next_line_ok(text: &str, at: usize) -> bool {
    let rest = text.get(at..).unwrap_or_default();
    let Some(nl) = rest.find('\n') else {
        return true;
    };
    let next = rest[nl + 1..].split('\n').next().unwrap_or_default();
    let underline = next
        .bytes()
        .all(|b| matches!(b, b'|' | b'-' | b':' | b'=' | b' ' | b'\t' | b'\r'))
        && next.bytes().any(|b| b == b'-' || b == b'=');
    !underline
}

/// How many cuts the windowed parse of `text` with `options` makes with windows of
/// `window` bytes, and its events.
#[cfg(test)]
pub(super) fn windowed(text: &str, options: Options, window: usize) -> (usize, Vec<Item<'_>>) {
    let mut events = Events::new(text, options, window);
    let all: Vec<Item<'_>> = events.by_ref().collect();
    (events.cuts, all)
}
