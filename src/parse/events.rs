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
//! `p` of an inline construct that closed and is a direct child of the paragraph: a link,
//! an embed, emphasis, strikethrough, a code span, math or an HTML tag. Every inline
//! construct can cross a line break in CommonMark and in pulldown-cmark (code spans,
//! emphasis, link text and titles, inline HTML, math, wiki-links), so line breaks are not
//! safe places; instead the piece before `p` (since the paragraph's start or the previous
//! cut) must leave no construct open that text after `p` could close. The window's own
//! events say which delimiters matched: a construct that closed before `p` in the window
//! closed at the same place in the whole text (each is matched forward to its first closer,
//! or, for emphasis and brackets, by closers looking back, and the text up to `p` is the
//! same); what did not match is left as text, and text after `p` could match it. So:
//! - no `` ` `` or `$`, and no `<` that could start a tag, comment or autolink, outside the
//!   constructs that closed (code spans, math, HTML, autolinks), unescaped: a code span,
//!   math or HTML is matched forward to any later closer, even from inside link text, a
//!   destination or a wiki-link's target;
//! - in text outside links, an unescaped `*`, `_` or `~` (an emphasis delimiter that
//!   matched nothing: emphasis is matched at the paragraph's end; inside a link it is
//!   matched within the link) only when the rest of the paragraph holds no such
//!   character, escaped or not, in code or not, so nothing can close it;
//! - pulldown-cmark's link stack modelled exactly: an unescaped `[` in text is an opener,
//!   `![` an image's, and so is an embed's `![` (pulldown-cmark keeps it: `![[i]]x](y)`
//!   is an image of `[i]]x` to `y`); a wiki-link's first `[` stays, disabled; each
//!   unescaped `]` in text takes the nearest opener, whether or not it makes a link; a
//!   link or wiki-link that forms disables every `[` before it (not `![`), a footnote
//!   reference empties the stack. Openers still able to make a link are left only when
//!   the rest of the paragraph holds no `](` (an inline link) and no `][` (a reference,
//!   which also marks its label's `]` as tried): a later `]` that takes one of them then
//!   makes no link (no definitions: a text holding `]:` is parsed whole) and leaves
//!   text, as the window's parse does; `[^` in text is refused (a later `]` would make
//!   it a footnote reference). A literal `[[` since the last wiki-link (an entry on the
//!   wiki-link stack, which each wiki-link empties) is left only when the rest holds no
//!   `]]`. And no `](` in text (an inline link whose destination or title did not close
//!   in the window may close after it).
//!
//! "The rest of the paragraph" runs to the next line of only blanks and `>` (which ends a
//! paragraph in any container) or the text's end; [`Ahead`] remembers its searches, so a
//! text is searched about once whatever the number of cuts.
//!
//! Backslash escapes, entities and hard breaks act on the next character only.
//!
//! **Inside a paragraph in block quotes and list items** (`> [[a]][[a]]…`, `- [[a]]…`), by
//! the same rules. The next window is parsed after the containers' markers as they stand
//! before the paragraph on its first line (`> - `: only markers and spaces, one per
//! container), so it opens in the same containers; each later line carries its own
//! markers, indentation or is a lazy continuation, as in the whole text. Those start
//! events go, and the events that end the containers span from where they start. A list
//! item's paragraph shows as events only when the whole list is loose, which a blank line
//! after the list's start may make it: inside a list the cut is made only when no blank
//! line (blanks and `>` only) follows the list's start, so the list is tight in the
//! windows and in the whole text, and its item's text is the paragraph. A paragraph in
//! any other container (a footnote, a table) is not cut inside.
//!
//! The next piece must start as a paragraph continues: with `[[`, `![[`, an ASCII letter,
//! an escaped punctuation character or a `<` that cannot start HTML (nothing that starts a
//! block, no leading space that a new paragraph would drop, no delimiter run, which would
//! lose the character before it that decides whether it can open or close), on a
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
    /// A paragraph cut at `pos`, to open again in the next window.
    paragraph: Option<Reopen>,
    /// The parser of a text read whole.
    whole: Option<pulldown_cmark::OffsetIter<'a>>,
    /// The last window, which runs to the end of the text: read lazily, as a text read
    /// whole is, so a text with no cut holds pulldown-cmark's tree and nothing more.
    last: Option<Window<'a>>,
    /// How many cuts were made (for tests).
    cuts: usize,
    /// Where the last blank line (only blanks and `>`) starts, if any: a list that starts
    /// after it is tight in the whole text, whatever the windows see.
    last_blank: Option<usize>,
    /// What the cuts look for after themselves, remembered between cuts.
    ahead: Ahead,
}

/// A paragraph cut inside, to open again at the start of the next window.
#[derive(Clone)]
struct Reopen {
    /// Where the paragraph starts (before any cut).
    paragraph: usize,
    /// Where each container holding it starts, outermost first (a list item: its list,
    /// then the item).
    containers: Vec<usize>,
    /// The container markers before the paragraph on its first line (`> - `; empty at top
    /// level): put before the next window's text, they open the same containers.
    prefix: Range<usize>,
    /// A tight list item's text: pulldown-cmark gives it no paragraph events.
    implicit: bool,
}

/// A tag open at an event of a window, with where it starts.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Open {
    Quote(usize),
    List(usize),
    Item(usize),
    /// Any other tag (a paragraph, emphasis, a table, ...).
    Other,
}

/// A container's marker on a line, as [`markers`] reads it.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Marker {
    Quote,
    List,
    Item,
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
            last_blank: last_blank_line(text),
            ahead: Ahead::default(),
        }
    }

    /// Parses windows from `pos` until one has a cut and queues its events before the cut,
    /// or, once a window would reach the end of the text, leaves the rest to `last`.
    fn next_window(&mut self) {
        let start = self.pos;
        let mut len = self.window;
        loop {
            if start.saturating_add(len) >= self.text.len() {
                match self.paragraph.take() {
                    // Read at once: its events own their strings, and borrow no text here.
                    Some(r) if !r.prefix.is_empty() => {
                        let events = self.quoted(start, self.text.len(), &r);
                        self.ready.extend(events);
                    }
                    r => {
                        let rest = self.text.get(start..).unwrap_or_default();
                        let p = r.map(|r| r.paragraph);
                        self.last = Some(Window::new(rest, start, self.options, p));
                    }
                }
                self.pos = self.text.len();
                return;
            }
            let mut end = start + len;
            while !self.text.is_char_boundary(end) {
                end -= 1;
            }
            let events = match self.paragraph.as_ref().filter(|r| !r.prefix.is_empty()) {
                Some(r) => self.quoted(start, end, r),
                None => {
                    let slice = self.text.get(start..end).unwrap_or_default();
                    let p = self.paragraph.as_ref().map(|r| r.paragraph);
                    Window::new(slice, start, self.options, p).collect()
                }
            };
            if let Some(cut) = self.cut(&events, start, end) {
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

    /// The events of the window `[start, end)` inside a paragraph cut in containers:
    /// parsed after the containers' markers, which open them again; those start events go
    /// (they were given), the paragraph's too, and the events ending them span from where
    /// they start in the whole text. The text is the window's own, so its events own their
    /// strings.
    fn quoted(&self, start: usize, end: usize, reopen: &Reopen) -> Vec<Item<'a>> {
        let prefix = self.text.get(reopen.prefix.clone()).unwrap_or_default();
        let body = self.text.get(start..end).unwrap_or_default();
        let mut text = String::with_capacity(prefix.len() + body.len());
        text.push_str(prefix);
        text.push_str(body);
        let at = |o: usize| o.saturating_sub(prefix.len()) + start;
        // The whole text's start of each tag open in this parse that was opened again.
        let mut open: Vec<Option<usize>> = Vec::new();
        let mut containers = reopen.containers.iter().copied();
        let mut paragraph = Some(reopen.paragraph);
        let mut out = Vec::new();
        for (event, range) in Parser::new_ext(&text, self.options).into_offset_iter() {
            let mut mapped = at(range.start)..at(range.end);
            match &event {
                Event::Start(_) if range.start < prefix.len() => {
                    open.push(containers.next());
                    continue;
                }
                Event::Start(Tag::Paragraph)
                    if range.start == prefix.len() && paragraph.is_some() && !reopen.implicit =>
                {
                    open.push(paragraph.take());
                    continue;
                }
                Event::Start(Tag::Heading { .. })
                    if range.start == prefix.len() && paragraph.is_some() =>
                {
                    let s = paragraph.take();
                    mapped.start = s.unwrap_or(mapped.start);
                    open.push(s);
                }
                Event::Start(_) => open.push(None),
                Event::End(_) => {
                    if let Some(Some(s)) = open.pop() {
                        mapped.start = s;
                    }
                }
                _ => {}
            }
            out.push((event.into_static(), mapped));
        }
        out
    }

    /// The last cut of a window `[start, end)` whose events are `events`.
    fn cut(&mut self, events: &[Item<'a>], start: usize, end: usize) -> Option<Cut> {
        let text = self.text;
        let reopen = self.paragraph.as_ref();
        let mut block: Option<Cut> = None;
        // A cut paragraph that an underline in this window made a heading ends here; no cut
        // inside it (the next window would open the heading again).
        let heading = matches!(events.first(), Some((Event::Start(Tag::Heading { .. }), _)));
        // The tags open at the event read: the cut paragraph's containers, and the
        // paragraph unless it became a heading or is a tight list item's text.
        let mut open: Vec<Open> = Vec::new();
        if let Some(r) = reopen {
            let kinds = markers(text.get(r.prefix.clone()).unwrap_or_default()).0;
            open.extend(kinds.iter().zip(&r.containers).map(|(k, &s)| match k {
                Marker::Quote => Open::Quote(s),
                Marker::List => Open::List(s),
                Marker::Item => Open::Item(s),
            }));
            if !heading && !r.implicit {
                open.push(Open::Other);
            }
        }
        // The scan of the paragraph being read, when only containers that open again hold
        // it, and the construct ends in it that the piece rules allow; the depth of its
        // inline events.
        let mut piece = reopen
            .filter(|_| !heading)
            .map(|r| (Piece::new(start, r.paragraph), r.clone(), open.len()));
        let mut inline: Vec<Cut> = Vec::new();
        for (i, (event, range)) in events.iter().enumerate() {
            let depth = open.len();
            let top_start = depth == 0 && matches!(event, Event::Start(_) | Event::Rule);
            if top_start && (i > 0 || reopen.is_some()) {
                block = block_cut(text, i, range.start, start, end).or(block);
            }
            // A block inside a list item's text ends it.
            if piece.as_ref().is_some_and(|p| p.2 == depth) && starts_a_block(event) {
                piece = None;
            }
            match event {
                Event::Start(Tag::Paragraph) => {
                    piece = reopen_at(text, &open, range.start, false, self.last_blank)
                        .map(|r| (Piece::new(range.start, range.start), r, depth + 1));
                    open.push(Open::Other);
                }
                Event::Start(Tag::Item) => {
                    open.push(Open::Item(range.start));
                    piece = reopen_at(text, &open, range.start, true, self.last_blank)
                        .map(|r| (Piece::new(r.paragraph, r.paragraph), r, depth + 1));
                }
                Event::Start(Tag::BlockQuote(_)) => open.push(Open::Quote(range.start)),
                Event::Start(Tag::List(_)) => open.push(Open::List(range.start)),
                Event::Start(_) => open.push(Open::Other),
                Event::End(_) => {
                    open.pop();
                }
                _ => {}
            }
            let Some((p, r, level)) = piece.as_mut() else {
                continue;
            };
            if open.len() < *level {
                // The paragraph ended in the window: a block cut after it covers it.
                piece = None;
                continue;
            }
            p.event(text, event, range);
            if open.len() == *level && ends_a_construct(event) {
                let at = range.end;
                p.scan_to(text, at);
                if at + MARGIN <= end
                    && starts_paragraph_text(text, at)
                    && p.clean_at(text, at, &mut self.ahead)
                {
                    inline.push(Cut {
                        events: i + 1,
                        at,
                        paragraph: Some(Reopen {
                            paragraph: p.paragraph,
                            ..r.clone()
                        }),
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

/// How a paragraph opens again after a cut: one starting at `at` inside the tags `open`,
/// or (`implicit`) the text of the list item starting at `at`, the last of `open`. `None`
/// when a tag other than a block quote, list or list item holds it; when its first line
/// holds anything but those containers' markers before it (`>`, `-`, `*`, `+`, `1.`, `1)`
/// and spaces, one per container, so that they open the same containers again); when a
/// list holds it and a blank line follows the list's start (the list may be loose in the
/// whole text: its items' paragraphs then show); or when a list item's text is empty on
/// its first line or starts with a task marker.
fn reopen_at(
    text: &str,
    open: &[Open],
    at: usize,
    implicit: bool,
    last_blank: Option<usize>,
) -> Option<Reopen> {
    let mut kinds = Vec::new();
    let mut containers = Vec::new();
    for o in open {
        let (kind, start) = match *o {
            Open::Quote(s) => (Marker::Quote, s),
            Open::List(s) => (Marker::List, s),
            Open::Item(s) => (Marker::Item, s),
            Open::Other => return None,
        };
        kinds.push(kind);
        containers.push(start);
    }
    let line = text
        .get(..at)
        .and_then(|t| t.rfind('\n'))
        .map_or(0, |n| n + 1);
    let (found, len) = markers(text.get(line..)?);
    let content = line + len;
    if found != kinds || (!implicit && content != at) {
        return None;
    }
    if implicit {
        let rest = text.get(content..)?.as_bytes();
        let task = rest.len() > 3 && rest[0] == b'[' && rest[2] == b']' && rest[3] == b' ';
        if task || matches!(rest.first(), None | Some(b'\n' | b'\r')) {
            return None;
        }
    }
    let list = open.iter().find_map(|o| match o {
        Open::List(s) => Some(*s),
        _ => None,
    });
    if list.is_some_and(|l| last_blank.is_some_and(|b| b >= l)) {
        return None;
    }
    let prefix = if containers.is_empty() {
        content..content
    } else {
        line..content
    };
    Some(Reopen {
        paragraph: content,
        containers,
        prefix,
        implicit,
    })
}

/// The container markers at the start of `line` (block quotes' `>`; a list item's `-`,
/// `*`, `+`, or up to nine digits and `.` or `)`, then a space, as a list and its item),
/// and the bytes they take with the spaces after them. Tabs end them (a tab's width
/// depends on its column).
fn markers(line: &str) -> (Vec<Marker>, usize) {
    let bytes = line.as_bytes();
    let mut found = Vec::new();
    let mut i = 0;
    let mut end = 0;
    loop {
        while bytes.get(i) == Some(&b' ') {
            i += 1;
        }
        match bytes.get(i) {
            Some(b'>') => {
                found.push(Marker::Quote);
                i += 1;
            }
            Some(b'-' | b'*' | b'+') if bytes.get(i + 1) == Some(&b' ') => {
                found.extend([Marker::List, Marker::Item]);
                i += 1;
            }
            Some(b) if b.is_ascii_digit() => {
                let digits = bytes[i..].iter().take_while(|b| b.is_ascii_digit()).count();
                let after = i + digits;
                let delimiter = matches!(bytes.get(after), Some(b'.' | b')'));
                if digits > 9 || !delimiter || bytes.get(after + 1) != Some(&b' ') {
                    break;
                }
                found.extend([Marker::List, Marker::Item]);
                i = after + 1;
            }
            _ => break,
        }
        end = i;
    }
    while bytes.get(end) == Some(&b' ') {
        end += 1;
    }
    (found, end)
}

/// Whether `event` starts a block (anything but an inline tag or inline content).
fn starts_a_block(event: &Event<'_>) -> bool {
    match event {
        Event::Start(tag) => !matches!(
            tag,
            Tag::Emphasis
                | Tag::Strong
                | Tag::Strikethrough
                | Tag::Link { .. }
                | Tag::Image { .. }
                | Tag::Superscript
                | Tag::Subscript
        ),
        Event::Rule | Event::Html(_) => true,
        _ => false,
    }
}

/// Where the last blank line of `text` (only spaces, tabs, `\r` and `>`, ended by a line
/// break) starts.
fn last_blank_line(text: &str) -> Option<usize> {
    let mut end = text.rfind('\n')?;
    loop {
        let start = text
            .get(..end)
            .and_then(|t| t.rfind('\n'))
            .map_or(0, |n| n + 1);
        let line = text.get(start..end).unwrap_or_default();
        if line
            .bytes()
            .all(|b| matches!(b, b' ' | b'\t' | b'\r' | b'>'))
        {
            return Some(start);
        }
        if start == 0 {
            return None;
        }
        end = start - 1;
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
/// and the paragraph it cuts, if it cuts one.
struct Cut {
    events: usize,
    at: usize,
    paragraph: Option<Reopen>,
}

/// Whether `event`, a direct child of a paragraph, ends an inline construct that closed
/// (a link, an image, emphasis, strikethrough, a code span, math, an HTML tag): where a
/// piece may end.
fn ends_a_construct(event: &Event<'_>) -> bool {
    matches!(
        event,
        Event::End(
            TagEnd::Link
                | TagEnd::Image
                | TagEnd::Emphasis
                | TagEnd::Strong
                | TagEnd::Strikethrough
        ) | Event::Code(_)
            | Event::InlineMath(_)
            | Event::DisplayMath(_)
            | Event::InlineHtml(_)
    )
}

/// An opener on pulldown-cmark's link stack, as a piece's events show it.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Opener {
    /// A `[` that a later `](…)` (or a reference) would make a link.
    Link,
    /// A `![`, literal or an embed's (pulldown-cmark keeps it: `![[i]]x](y)` is an image
    /// of `[i]]x` to `y`); links never disable it.
    Image,
    /// A `[` that can no longer make a link: a link formed after it (pulldown-cmark's
    /// `disable_all_links`), or a wiki-link's first `[`.
    Disabled,
}

/// What a link in a piece does to pulldown-cmark's stacks when it closes.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Closing {
    /// A wiki-link or an embed: every `[` before it disabled, the wiki-link openers
    /// dropped.
    Wiki,
    /// An inline or reference link: every `[` before it disabled.
    Link,
    /// An image or an autolink: nothing.
    Nothing,
}

/// The scan of one piece of a top-level paragraph for the rules of the module docs.
struct Piece {
    /// Where the paragraph starts (before any earlier cut).
    paragraph: usize,
    /// The end of what the scan for `` ` ``, `$` and `<` has read.
    scanned: usize,
    /// Links and images open at the event read last, with what each does when it closes.
    links: Vec<Closing>,
    /// pulldown-cmark's link stack as the piece leaves it, as runs of (opener, how many).
    /// A literal `]` takes the nearest opener.
    brackets: Vec<(Opener, usize)>,
    /// Runs of `brackets` before this one hold no [`Opener::Link`].
    disabled_to: usize,
    /// How many of `brackets` are not [`Opener::Disabled`].
    active: usize,
    /// A literal `[[` (a wiki-link opener that closed nothing) since the last wiki-link.
    wiki_open: bool,
    /// A literal `*`, `_` or `~` outside links (an emphasis delimiter that matched nothing
    /// yet: emphasis is matched at the paragraph's end).
    emphasis: [bool; 3],
    /// A rule was broken: no cut in the rest of this piece.
    broken: bool,
}

/// The emphasis delimiters, in the order of [`Piece::emphasis`].
const EMPHASIS: [u8; 3] = [b'*', b'_', b'~'];

impl Piece {
    fn new(start: usize, paragraph: usize) -> Self {
        Piece {
            paragraph,
            scanned: start,
            links: Vec::new(),
            brackets: Vec::new(),
            disabled_to: 0,
            active: 0,
            wiki_open: false,
            emphasis: [false; 3],
            broken: false,
        }
    }

    /// Reads one event of the piece, at `range`.
    fn event(&mut self, text: &str, event: &Event<'_>, range: &Range<usize>) {
        use pulldown_cmark::LinkType;
        match event {
            Event::Text(_) => self.text(text, range),
            // Closed constructs: their delimiters are matched, their insides are not
            // Markdown.
            Event::Code(_)
            | Event::InlineMath(_)
            | Event::DisplayMath(_)
            | Event::InlineHtml(_)
            | Event::Html(_) => {
                self.scan_to(text, range.start);
                self.scanned = self.scanned.max(range.end);
            }
            // pulldown-cmark empties its link stack after a footnote reference.
            Event::FootnoteReference(_) => {
                self.scan_to(text, range.start);
                self.scanned = self.scanned.max(range.end);
                self.brackets.clear();
                self.disabled_to = 0;
                self.active = 0;
            }
            Event::Start(Tag::Link { link_type, .. }) => {
                let closing = match link_type {
                    LinkType::WikiLink { .. } => {
                        self.push_bracket(Opener::Disabled);
                        Closing::Wiki
                    }
                    LinkType::Autolink | LinkType::Email => {
                        self.scan_to(text, range.start);
                        self.scanned = self.scanned.max(range.end);
                        Closing::Nothing
                    }
                    _ => Closing::Link,
                };
                self.links.push(closing);
            }
            Event::Start(Tag::Image { link_type, .. }) => {
                let closing = if matches!(link_type, LinkType::WikiLink { .. }) {
                    self.push_bracket(Opener::Image);
                    Closing::Wiki
                } else {
                    Closing::Nothing
                };
                self.links.push(closing);
            }
            Event::End(TagEnd::Link | TagEnd::Image) => match self.links.pop() {
                Some(Closing::Wiki) => {
                    self.disable_links();
                    self.wiki_open = false;
                }
                Some(Closing::Link) => self.disable_links(),
                Some(Closing::Nothing) | None => {}
            },
            _ => {}
        }
    }

    /// Scans the source from the end of the last scan to `to` for a `` ` ``, `$` or `<`
    /// that no closed construct holds (one that a later closer could match, even from
    /// inside a link's text, destination or a wiki-link's target).
    fn scan_to(&mut self, text: &str, to: usize) {
        let bytes = text.as_bytes();
        for i in self.scanned..to.min(bytes.len()) {
            let opens = match bytes[i] {
                b'`' | b'$' => true,
                b'<' => may_open_html(bytes.get(i + 1).copied()),
                _ => false,
            };
            if opens && !escaped(bytes, i) {
                self.broken = true;
            }
        }
        self.scanned = self.scanned.max(to);
    }

    /// Reads the source of a text event: the literal `*`, `_`, `~` outside links (inside a
    /// link, emphasis is matched within the link), `[` (an opener; `![` an image's; `[[`
    /// also a wiki-link's; `[^` a footnote reference that a later `]` closes) and `]`
    /// (each takes the nearest opener, link or not; a `](` whose destination did not close
    /// may close after the cut). Escaped ones are text.
    fn text(&mut self, text: &str, range: &Range<usize>) {
        let bytes = text.as_bytes();
        for i in range.start..range.end.min(bytes.len()) {
            let b = bytes[i];
            if !matches!(b, b'*' | b'_' | b'~' | b'[' | b']') || escaped(bytes, i) {
                continue;
            }
            let next = bytes.get(i + 1).copied();
            match b {
                b'[' => {
                    let image = i > 0 && bytes[i - 1] == b'!';
                    self.push_bracket(if image { Opener::Image } else { Opener::Link });
                    match next {
                        Some(b'^') => self.broken = true,
                        Some(b'[') => self.wiki_open = true,
                        _ => {}
                    }
                }
                b']' => {
                    if next == Some(b'(') {
                        self.broken = true;
                    }
                    self.pop_bracket();
                }
                _ if self.links.is_empty() => {
                    if let Some(k) = EMPHASIS.iter().position(|&e| e == b) {
                        self.emphasis[k] = true;
                    }
                }
                _ => {}
            }
        }
    }

    fn push_bracket(&mut self, opener: Opener) {
        match self.brackets.last_mut() {
            Some((o, n)) if *o == opener => *n += 1,
            _ => self.brackets.push((opener, 1)),
        }
        self.active += usize::from(opener != Opener::Disabled);
    }

    fn pop_bracket(&mut self) {
        if let Some((opener, n)) = self.brackets.last_mut() {
            self.active -= usize::from(*opener != Opener::Disabled);
            *n -= 1;
            if *n == 0 {
                self.brackets.pop();
                self.disabled_to = self.disabled_to.min(self.brackets.len());
            }
        }
    }

    /// A link formed: pulldown-cmark disables every `[` before it (not `![`). Each run is
    /// visited once after it is pushed, as pulldown-cmark does.
    fn disable_links(&mut self) {
        for (opener, n) in &mut self.brackets[self.disabled_to..] {
            if *opener == Opener::Link {
                *opener = Opener::Disabled;
                self.active -= *n;
            }
        }
        self.disabled_to = self.brackets.len();
    }

    /// Whether the piece so far leaves nothing open that the rest of its paragraph, from
    /// `at`, could close (see the module docs): an emphasis delimiter left open needs no
    /// delimiter of its kind up to the paragraph's end; an opener left on the link stack
    /// (`[`, `![`) needs no `](` (an inline link) and no `][` (a reference, which also
    /// marks its label's `]` as tried) there, and a wiki-link opener no `]]`. A `]` that
    /// finds no opener of its own piece takes one of this piece's in the whole parse, and
    /// one followed by neither makes no link of it (a text holding `]:`, which any
    /// definition needs, is parsed whole; a label from an opener followed by `^`, a
    /// footnote reference, was refused when read).
    fn clean_at(&self, text: &str, at: usize, ahead: &mut Ahead) -> bool {
        if self.broken {
            return false;
        }
        let emphasis = self.emphasis.iter().any(|&e| e);
        if !emphasis && self.active == 0 && !self.wiki_open {
            return true;
        }
        let end = ahead.paragraph_end(text, at);
        let absent = |ahead: &mut Ahead, k: usize| ahead.next(text, k, at).is_none_or(|p| p >= end);
        (0..EMPHASIS.len()).all(|k| !self.emphasis[k] || absent(ahead, k))
            && (self.active == 0 || (absent(ahead, 3) && absent(ahead, 4)))
            && (!self.wiki_open || absent(ahead, 5))
    }
}

/// Where the next of each needle that [`Piece::clean_at`] looks for is, and where the
/// next blank line is, remembered between the cuts of a text (which move forward) so
/// that each part of the text is searched about once.
#[derive(Default)]
struct Ahead {
    /// For each of [`NEEDLES`]: a search from `.0` found it at `.1` (`None`: not found).
    found: [Option<(usize, Option<usize>)>; 6],
    /// A search from `.0` found the next line holding only blanks and `>` at `.1`.
    blank: Option<(usize, usize)>,
}

/// What [`Ahead`] looks for: the emphasis delimiters, then `](`, `][` and `]]`.
const NEEDLES: [&str; 6] = ["*", "_", "~", "](", "][", "]]"];

impl Ahead {
    /// Where needle `k` next occurs at or after `at`.
    fn next(&mut self, text: &str, k: usize, at: usize) -> Option<usize> {
        if let Some((from, found)) = self.found[k] {
            if from <= at && found.is_none_or(|f| at <= f) {
                return found;
            }
        }
        // A cut is always at a character boundary; were it not, say "found here".
        let found = text
            .get(at..)
            .map_or(Some(at), |rest| rest.find(NEEDLES[k]).map(|i| at + i));
        self.found[k] = Some((at, found));
        found
    }

    /// Where the paragraph holding `at` ends at the latest: the start of the next line that
    /// holds only blanks and `>` (a blank line ends a paragraph in any container, and a
    /// `>` line that is not blank inside a quote starts one), or the text's end.
    fn paragraph_end(&mut self, text: &str, at: usize) -> usize {
        if let Some((from, end)) = self.blank {
            if from <= at && at <= end {
                return end;
            }
        }
        let mut end = text.len();
        let mut line = text
            .get(at..)
            .and_then(|t| t.find('\n'))
            .map(|i| at + i + 1);
        while let Some(start) = line {
            let rest = text.get(start..).unwrap_or_default();
            let len = rest.find('\n').unwrap_or(rest.len());
            if rest.as_bytes()[..len]
                .iter()
                .all(|b| matches!(b, b' ' | b'\t' | b'\r' | b'>'))
            {
                end = start;
                break;
            }
            line = (start + len < text.len()).then_some(start + len + 1);
        }
        self.blank = Some((at, end));
        end
    }
}

/// Whether the byte at `i` is escaped: an odd run of `\` before it.
fn escaped(bytes: &[u8], i: usize) -> bool {
    let run = bytes[..i].iter().rev().take_while(|&&b| b == b'\\').count();
    run % 2 == 1
}

/// Whether a `<` followed by `next` may start inline HTML, an HTML comment or an autolink
/// (a tag name, `!`, `?`, `/`, a URI scheme or an email address's first character): only
/// blanks, brackets, parentheses, quotes and the end of the text cannot.
fn may_open_html(next: Option<u8>) -> bool {
    !matches!(
        next,
        None | Some(b' ' | b'\t' | b'\n' | b'\r' | b'[' | b']' | b'(' | b')' | b'<' | b'>' | b'"')
    )
}

/// Whether text from `at` reads the same as the start of a paragraph as in the middle of
/// one: `[[`, `![[`, an ASCII letter, an escaped punctuation character, or a `<` that
/// cannot start HTML (nothing there starts a block, a leading blank would be dropped, and a
/// delimiter run there would lose the character before it, which decides what it can open
/// or close).
fn starts_paragraph_text(text: &str, at: usize) -> bool {
    let rest = text.get(at..).unwrap_or_default().as_bytes();
    rest.starts_with(b"[[")
        || rest.starts_with(b"![[")
        || match rest {
            [b, ..] if b.is_ascii_alphabetic() => true,
            [b'\\', b, ..] => b.is_ascii_punctuation(),
            [b'<', next @ ..] => !may_open_html(next.first().copied()),
            _ => false,
        }
}

/// Whether the line after the one holding `at` is not a table delimiter row or setext
/// underline (only `|`, `-`, `:`, `=` and blanks), which would make a piece starting at
/// `at` a table.
fn next_line_ok(text: &str, at: usize) -> bool {
    let rest = text.get(at..).unwrap_or_default();
    let Some(nl) = rest.find('\n') else {
        return true;
    };
    // A block quote's markers go: its next line is read inside the same quotes.
    let next = rest[nl + 1..]
        .split('\n')
        .next()
        .unwrap_or_default()
        .trim_start_matches([' ', '\t', '>']);
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
