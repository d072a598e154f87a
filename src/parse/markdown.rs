//! The Markdown pass: pulldown-cmark events turned into links, headings and block ids.
//!
//! pulldown-cmark's `ENABLE_WIKILINKS` handles wiki-link syntax, code, math and HTML; what
//! it gets wrong for Obsidian (the `\|` table escape, `%%comments%%`, multi-line targets,
//! unescaped pipes in tables) is corrected here or in the caller.

use std::ops::Range;
use std::sync::Arc;

use pulldown_cmark::{CowStr, Event, LinkType, Options, Tag, TagEnd};

use super::links::{self, LinkKind, LinkProblem, NewLink, TableCell};
use super::LineIndex;
use super::{BlockId, Heading, Note};

pub(super) fn options() -> Options {
    Options::ENABLE_WIKILINKS
        | Options::ENABLE_TABLES
        | Options::ENABLE_MATH
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
}

/// The insides of display math blocks: a line opening with `$$` (after at most three
/// spaces, outside fenced code) starts a block that the next `$$` closes, over any lines,
/// as Obsidian renders it (MathJax reads the whole block). pulldown-cmark reads `$$` only
/// inside one paragraph, so a table, heading or list inside the block would otherwise be
/// Markdown to it, and a fix would edit math. An opening `$$` that nothing closes is text.
/// One pass over the lines: each byte is visited a bounded number of times.
pub(super) fn math_blocks(text: &str) -> Vec<Range<usize>> {
    let mut blocks = Vec::new();
    let mut fence: Option<(u8, usize)> = None;
    let mut offset = 0;
    let mut skip_to = 0;
    for line in text.split_inclusive('\n') {
        let start = offset;
        offset += line.len();
        if start < skip_to {
            continue;
        }
        let indent = line.len() - line.trim_start_matches(' ').len();
        let content = &line[indent..];
        let marker = content.bytes().next().filter(|b| matches!(b, b'`' | b'~'));
        if indent <= 3 {
            if let Some(m) = marker {
                let run = content.bytes().take_while(|&b| b == m).count();
                match fence {
                    None if run >= 3 => {
                        fence = Some((m, run));
                        continue;
                    }
                    Some((f, n)) if f == m && run >= n && content[run..].trim().is_empty() => {
                        fence = None;
                        continue;
                    }
                    _ => {}
                }
            }
        }
        if fence.is_some() || indent > 3 || !content.starts_with("$$") {
            continue;
        }
        let open = start + indent + 2;
        let Some(close) = text.get(open..).and_then(|rest| rest.find("$$")) else {
            // Nothing closes it: no later line can open a block either.
            break;
        };
        blocks.push(open..open + close);
        skip_to = open + close + 2;
    }
    blocks
}

/// Byte ranges of `%%…%%` comments outside code and math. An unclosed `%%` hides the rest
/// of the note, as in Obsidian.
pub(super) fn comment_ranges(text: &str) -> Vec<Range<usize>> {
    let mut code: Vec<Range<usize>> = Vec::new();
    for (event, range) in super::events::offset_iter(text, options()) {
        match event {
            Event::Start(Tag::CodeBlock(_) | Tag::HtmlBlock)
            | Event::Code(_)
            | Event::InlineMath(_)
            | Event::DisplayMath(_)
            | Event::InlineHtml(_) => code.push(range),
            _ => {}
        }
    }
    // Code ranges come in document order and do not overlap; `%%` markers are visited in
    // order too, so one cursor over the code ranges keeps this linear (a scan of every code
    // range per marker made "`a` %% " repeated quadratic).
    code.sort_unstable_by_key(|r| r.start);
    let mut next_code = 0;
    let in_code = |i: usize, next_code: &mut usize| {
        while code.get(*next_code).is_some_and(|r| r.end <= i) {
            *next_code += 1;
        }
        code.get(*next_code).is_some_and(|r| r.contains(&i))
    };
    let mut ranges = Vec::new();
    let mut open: Option<usize> = None;
    let mut i = 0;
    let bytes = text.as_bytes();
    while i + 1 < bytes.len() {
        if bytes[i] == b'%' && bytes[i + 1] == b'%' && !in_code(i, &mut next_code) {
            match open.take() {
                None => open = Some(i),
                Some(start) => ranges.push(start..i + 2),
            }
            i += 2;
        } else {
            i += 1;
        }
    }
    if let Some(start) = open {
        ranges.push(start..text.len());
    }
    ranges
}

/// Links inside one `%%` comment (`inner` is the text between the `%%` marks): Obsidian
/// indexes them, so they count for backlinks and the graph and show as unresolved when
/// broken. The comment is parsed on its own, so nothing outside it changes its reading.
pub(super) fn comment_links(
    original: &str,
    inner: Range<usize>,
    lines: &LineIndex,
    note: &mut Note,
) {
    let Some(slice) = original.get(inner.clone()) else {
        return;
    };
    let mut bytes = slice.as_bytes().to_vec();
    mask_dollars_in_wiki_links(&mut bytes);
    let body = String::from_utf8(bytes).unwrap_or_else(|_| slice.to_owned());
    let mut stack: Vec<PendingLink> = Vec::new();
    for (event, range) in super::events::offset_iter(&body, options()) {
        let range = range.start + inner.start..range.end + inner.start;
        match event {
            Event::Start(tag @ (Tag::Link { .. } | Tag::Image { .. })) => {
                stack.extend(pending_start(tag, range));
            }
            Event::End(TagEnd::Link | TagEnd::Image) => {
                if let Some(p) = stack.pop() {
                    finish_links(original, lines, &p, false, true, note);
                    if let Some(outer) = stack.last_mut() {
                        outer.text.push_str(p.text.as_str());
                    }
                }
            }
            Event::Text(t) | Event::Code(t) | Event::InlineMath(t) => {
                if let Some(p) = stack.last_mut() {
                    p.text.push(t);
                }
            }
            _ => {}
        }
    }
}

/// A link whose start event was read and whose end event was not. Its destination and
/// text borrow the parsed text while they can: most links cost no allocation here.
struct PendingLink<'a> {
    kind: LinkKind,
    range: Range<usize>,
    dest: CowStr<'a>,
    wiki: bool,
    has_pothole: bool,
    /// The link's rendered text so far.
    text: LinkText<'a>,
}

/// A pending link's rendered text: a slice of the parsed text while it is one text event,
/// owned (and appended to) once another is added.
#[derive(Default)]
enum LinkText<'a> {
    #[default]
    Empty,
    One(CowStr<'a>),
    Many(String),
}

impl<'a> LinkText<'a> {
    fn push(&mut self, t: CowStr<'a>) {
        match self {
            LinkText::Empty => *self = LinkText::One(t),
            _ => self.push_str(&t),
        }
    }

    fn push_str(&mut self, t: &str) {
        match self {
            _ if t.is_empty() => {}
            LinkText::Empty => *self = LinkText::Many(t.to_owned()),
            LinkText::One(one) => {
                let mut joined = String::with_capacity(one.len() + t.len());
                joined.push_str(one);
                joined.push_str(t);
                *self = LinkText::Many(joined);
            }
            LinkText::Many(many) => many.push_str(t),
        }
    }

    fn as_str(&self) -> &str {
        match self {
            LinkText::Empty => "",
            LinkText::One(one) => one,
            LinkText::Many(many) => many,
        }
    }
}

#[derive(Default)]
struct TableState {
    cells: Vec<String>,
    in_cell: bool,
    links: Vec<(usize, usize)>,
    /// The header row's cells, once read.
    header: Option<Arc<[String]>>,
}

/// Walks `body` (the masked text) and fills `note`; `original` is used for source slices.
pub(super) fn walk(
    original: &str,
    body: &str,
    lines: &LineIndex,
    depth: super::Depth,
    note: &mut Note,
) {
    let full = depth == super::Depth::Full;
    let mut link_stack: Vec<PendingLink> = Vec::new();
    let mut heading: Option<(u8, Range<usize>)> = None;
    // Blockquotes (callouts too), list items and footnote definitions the walk is inside:
    // Obsidian's outline lists only top-level headings.
    let mut nesting = 0usize;
    let mut table: Option<TableState> = None;
    let mut tables: Vec<Range<usize>> = Vec::new();
    // The text of the current line of the current block, to find a trailing `^block-id`.
    let mut tail = String::new();
    let mut tail_end = 0usize;

    for (event, range) in super::events::offset_iter(body, options()) {
        match event {
            Event::Start(tag @ (Tag::Link { .. } | Tag::Image { .. })) => {
                link_stack.extend(pending_start(tag, range));
            }
            Event::End(TagEnd::Link | TagEnd::Image) => {
                if let Some(p) = link_stack.pop() {
                    let inner_text = p.text.as_str();
                    if full {
                        let first = note.link_count();
                        finish_links(original, lines, &p, table.is_some(), false, note);
                        if let Some(t) = table.as_mut() {
                            let cell = t.cells.len().saturating_sub(1);
                            t.links
                                .extend((first..note.link_count()).map(|i| (i, cell)));
                        }
                    }
                    if let Some(outer) = link_stack.last_mut() {
                        outer.text.push_str(inner_text);
                    }
                    push_text(&mut table, inner_text);
                    // `![[img.png]]^id`: the id directly after a link or embed still counts.
                    // The link's own text never does: in `[[Note|see ^abc]]` the line ends in
                    // `]]`, not in `^abc`, and the link's end is where the text resumes.
                    tail.push_str("\u{1} ");
                    tail_end = range.end;
                }
            }
            Event::Text(t) | Event::Code(t) | Event::InlineMath(t) => {
                let t = unmask_dollars(original, body, &range, t);
                if let Some(p) = link_stack.last_mut() {
                    p.text.push(t);
                } else {
                    push_text(&mut table, &t);
                    // Code and math never hold a block id, but text after them may.
                    if body
                        .get(range.clone())
                        .is_some_and(|s| s.starts_with(['`', '$']))
                    {
                        tail.push('\u{1}');
                    } else {
                        tail.push_str(&t);
                    }
                    tail_end = range.end;
                }
            }
            Event::SoftBreak | Event::HardBreak => {
                tail.clear();
                push_text(&mut table, " ");
            }
            Event::Start(Tag::BlockQuote(_) | Tag::Item | Tag::FootnoteDefinition(_)) => {
                nesting += 1;
                tail.clear();
            }
            Event::End(TagEnd::BlockQuote(_) | TagEnd::FootnoteDefinition) => {
                nesting = nesting.saturating_sub(1);
            }
            Event::Start(Tag::Heading { level, .. }) => {
                heading = (nesting == 0).then_some((level as u8, range));
            }
            Event::End(TagEnd::Heading(_)) => {
                if let Some((level, range)) = heading.take() {
                    let raw = heading_source(original.get(range.clone()).unwrap_or_default());
                    note.headings.push(Heading {
                        level,
                        raw,
                        span: lines.span(range.start, trimmed_end(original, &range)),
                    });
                }
                tail.clear();
            }
            Event::Start(Tag::Paragraph) => tail.clear(),
            Event::End(TagEnd::Item) => {
                nesting = nesting.saturating_sub(1);
                block_id(original, lines, &tail, tail_end, &mut note.block_ids);
                tail.clear();
            }
            Event::End(TagEnd::Paragraph) | Event::Start(Tag::List(_)) => {
                block_id(original, lines, &tail, tail_end, &mut note.block_ids);
                tail.clear();
            }
            Event::Start(Tag::Table(_)) => {
                table = Some(TableState::default());
                tables.push(range);
            }
            Event::End(TagEnd::Table) => table = None,
            Event::Start(Tag::TableHead | Tag::TableRow) => {
                if let Some(t) = table.as_mut() {
                    t.cells.clear();
                    t.links.clear();
                }
            }
            Event::End(end @ (TagEnd::TableHead | TagEnd::TableRow)) => {
                if let Some(t) = table.as_mut() {
                    let cells: Arc<[String]> =
                        t.cells.iter().map(|c| c.trim().to_owned()).collect();
                    if end == TagEnd::TableHead {
                        t.header = Some(Arc::clone(&cells));
                    }
                    for &(link, index) in &t.links {
                        note.set_table(
                            link,
                            TableCell {
                                cells: Arc::clone(&cells),
                                index,
                                header: t.header.clone(),
                            },
                        );
                    }
                }
            }
            Event::Start(Tag::TableCell) => {
                if let Some(t) = table.as_mut() {
                    t.cells.push(String::new());
                    t.in_cell = true;
                }
            }
            Event::End(TagEnd::TableCell) => {
                if let Some(t) = table.as_mut() {
                    t.in_cell = false;
                }
            }
            _ => {}
        }
    }
    for range in tables.into_iter().filter(|_| full) {
        unescaped_table_pipes(original, lines, range, &mut note.table_pipes);
    }
}

/// Adds rendered text to the current table cell, for rules that compare a link with its
/// neighbour cells.
fn push_text(table: &mut Option<TableState>, text: &str) {
    if let Some(t) = table.as_mut() {
        if t.in_cell {
            if let Some(cell) = t.cells.last_mut() {
                cell.push_str(text);
            }
        }
    }
}

/// The link or image a start tag opens, as a pending link; `None` for any other tag.
fn pending_start(tag: Tag<'_>, range: Range<usize>) -> Option<PendingLink<'_>> {
    match tag {
        Tag::Link {
            link_type,
            dest_url,
            ..
        } => Some(pending(
            LinkKind::Wiki,
            LinkKind::Markdown,
            link_type,
            dest_url,
            range,
        )),
        Tag::Image {
            link_type,
            dest_url,
            ..
        } => Some(pending(
            LinkKind::Embed,
            LinkKind::Image,
            link_type,
            dest_url,
            range,
        )),
        _ => None,
    }
}

fn pending(
    wiki_kind: LinkKind,
    md_kind: LinkKind,
    link_type: LinkType,
    dest: CowStr<'_>,
    range: Range<usize>,
) -> PendingLink<'_> {
    let (wiki, has_pothole) = match link_type {
        LinkType::WikiLink { has_pothole } => (true, has_pothole),
        _ => (false, false),
    };
    let kind = if wiki {
        wiki_kind
    } else if matches!(link_type, LinkType::Autolink | LinkType::Email) {
        // Marked external below through an empty destination check.
        md_kind
    } else {
        md_kind
    };
    let dest = if matches!(link_type, LinkType::Autolink | LinkType::Email) {
        CowStr::Borrowed("mailto:")
    } else {
        dest
    };
    PendingLink {
        kind,
        range,
        dest,
        wiki,
        has_pothole,
        text: LinkText::Empty,
    }
}

/// The links of a finished link event. A wiki-link whose text holds `]]` swallowed a
/// second link (a `` ` `` or `$` between them read as code or math): no link spans two
/// links in Obsidian, so each `[[…]]` inside it is taken on its own.
fn finish_links(
    original: &str,
    lines: &LineIndex,
    p: &PendingLink<'_>,
    in_table: bool,
    in_comment: bool,
    note: &mut Note,
) {
    let source = original.get(p.range.clone()).unwrap_or_default();
    let inner = source
        .trim_start_matches('!')
        .strip_prefix("[[")
        .and_then(|s| s.strip_suffix("]]"));
    if !p.wiki || !inner.is_some_and(|i| i.contains("]]")) {
        finish_link(original, lines, p, in_table, in_comment, note);
        return;
    }
    for r in wiki_ranges(source) {
        let start = p.range.start + r.start;
        let embed = start > p.range.start && source.as_bytes().get(r.start - 1) == Some(&b'!');
        let inner = source.get(r.start + 2..r.end - 2).unwrap_or_default();
        let sub = PendingLink {
            kind: if embed {
                LinkKind::Embed
            } else {
                LinkKind::Wiki
            },
            range: if embed { start - 1 } else { start }..p.range.start + r.end,
            dest: CowStr::Borrowed(inner),
            wiki: true,
            has_pothole: inner.contains('|'),
            text: LinkText::One(CowStr::Borrowed(inner)),
        };
        finish_link(original, lines, &sub, in_table, in_comment, note);
    }
}

/// Byte ranges of each `[[…]]` in `text` that holds no `[[`, `]]` or line break. Linear:
/// each search for `]]` stops at the next `[[`, so nested or unclosed brackets (a hostile
/// `[[[[…`) cost one pass.
pub(super) fn wiki_ranges(text: &str) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    let mut line_start = 0;
    for line in text.split_inclusive(['\n', '\r']) {
        let body = line.trim_end_matches(['\n', '\r']);
        let mut search = 0;
        while let Some(open) = body
            .get(search..)
            .and_then(|t| t.find("[["))
            .map(|i| i + search)
        {
            let after = open + 2;
            let next_open = body
                .get(after..)
                .and_then(|t| t.find("[["))
                .map(|i| i + after);
            let window_end = next_open.unwrap_or(body.len());
            match body.get(after..window_end).and_then(|w| w.find("]]")) {
                Some(close) => {
                    let end = after + close + 2;
                    out.push(line_start + open..line_start + end);
                    search = end;
                }
                None => search = window_end,
            }
        }
        line_start += line.len();
    }
    out
}

/// The text of a Text event as the note has it: `$` inside wiki-links is masked in `body`
/// ([`mask_dollars_in_wiki_links`]), and rendered cell text must not read `LAPSUS$` as
/// `LAPSUSS`. Only a verbatim slice of `body` that differs from `original` by masked `$`
/// alone is restored (comments, masked with spaces, stay hidden).
fn unmask_dollars<'t>(
    original: &str,
    body: &str,
    range: &Range<usize>,
    t: pulldown_cmark::CowStr<'t>,
) -> pulldown_cmark::CowStr<'t> {
    match (body.get(range.clone()), original.get(range.clone())) {
        (Some(b), Some(o))
            if b != o
                && *b == *t
                && b.bytes()
                    .zip(o.bytes())
                    .all(|(x, y)| x == y || (x == b'S' && y == b'$')) =>
        {
            pulldown_cmark::CowStr::from(o.to_owned())
        }
        _ => t,
    }
}

/// Hides each `$` inside a one-line `[[…]]` (replaced by a letter, same length) so that
/// pulldown-cmark's math reading cannot run from one link into the next:
/// `[[LAPSUS$]] is a group. [[LAPSUS$]]` is two links in Obsidian, not one.
pub(super) fn mask_dollars_in_wiki_links(bytes: &mut [u8]) {
    let ranges = match std::str::from_utf8(bytes) {
        Ok(text) if text.contains('$') => wiki_ranges(text),
        _ => return,
    };
    for r in ranges {
        for b in bytes.get_mut(r).into_iter().flatten() {
            if *b == b'$' {
                *b = b'S';
            }
        }
    }
}

fn finish_link(
    original: &str,
    lines: &LineIndex,
    p: &PendingLink<'_>,
    in_table: bool,
    in_comment: bool,
    note: &mut Note,
) {
    let source = original.get(p.range.clone()).unwrap_or_default();
    let trailing = trailing_text(original.get(p.range.end..).unwrap_or_default());
    let mut problem = None;
    let decoded;
    let (path, subpath, display) = if p.wiki {
        let inner = source
            .trim_start_matches('!')
            .strip_prefix("[[")
            .and_then(|s| s.strip_suffix("]]"))
            .unwrap_or(&p.dest);
        let inner = if inner.contains('|') || !p.has_pothole {
            inner
        } else {
            &p.dest
        };
        let (path, subpath, mut display) = links::split_wiki(inner);
        if p.has_pothole && in_table {
            display = Some(p.text.as_str());
        }
        if inner.contains('\n') {
            problem = Some(LinkProblem::MultiLine);
        } else if inner.starts_with("##") || inner.starts_with("^^") {
            problem = Some(LinkProblem::UnfinishedSearch);
        }
        (path, subpath, display)
    } else {
        let dest = p.dest.trim();
        if dest.is_empty() || links::is_external(dest) {
            return;
        }
        match links::split_markdown(dest) {
            Ok(parts) => {
                decoded = parts;
                (&*decoded.0, decoded.1.as_deref(), Some(p.text.as_str()))
            }
            Err(e) => {
                problem = Some(e);
                (dest, None, Some(p.text.as_str()))
            }
        }
    };
    note.push_link(NewLink {
        kind: p.kind,
        span: lines.span(p.range.start, p.range.end),
        original: source,
        at: Some(p.range.start),
        trailing,
        path,
        subpath,
        display,
        problem,
        in_comment,
        table: None,
    });
}

/// Up to 40 characters of `rest` before its first line break: one slice of the text, not
/// a string built character by character for every link.
/// Only those 40 characters are looked at, so a long line costs nothing per link.
fn trailing_text(rest: &str) -> &str {
    let head = rest
        .char_indices()
        .nth(40)
        .map_or(rest, |(end, _)| &rest[..end]);
    head.find(['\n', '\r']).map_or(head, |end| &head[..end])
}

/// The end of `range` without trailing whitespace and line breaks.
fn trimmed_end(original: &str, range: &Range<usize>) -> usize {
    original
        .get(range.clone())
        .map_or(range.end, |s| range.start + s.trim_end().len())
}

/// The heading's text as written: ATX markers and closing hashes removed, or the
/// setext underline dropped.
fn heading_source(source: &str) -> String {
    let trimmed = source.trim();
    // A `#` heading is one line; a setext heading has its underline below its text, which
    // may itself start with `#` marks (`##x` then `---`: no space, so not a `#` heading).
    let atx = !trimmed.contains('\n');
    if let Some(rest) = trimmed.strip_prefix('#').filter(|_| atx) {
        let line = rest.lines().next().unwrap_or_default();
        let line = line.trim_start_matches('#').trim();
        let without_closing = line.trim_end_matches('#');
        let text = if without_closing.is_empty() || without_closing.ends_with([' ', '\t']) {
            without_closing
        } else {
            line
        };
        text.trim().to_owned()
    } else {
        let mut lines: Vec<&str> = trimmed.lines().collect();
        lines.pop();
        lines.iter().map(|l| l.trim()).collect::<Vec<_>>().join(" ")
    }
}

/// `^id` at the end of a block's last line (reference note, rule 34).
fn block_id(
    original: &str,
    lines: &LineIndex,
    tail: &str,
    tail_end: usize,
    out: &mut Vec<BlockId>,
) {
    let t = tail.trim_end();
    let Some(caret) = t.rfind('^') else {
        return;
    };
    let id = t.get(caret + 1..).unwrap_or_default();
    let before_ok = caret == 0 || t[..caret].ends_with(char::is_whitespace);
    if id.is_empty() || !before_ok || !id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
        return;
    }
    let source_end = original
        .get(..tail_end)
        .map_or(tail_end, |s| s.trim_end().len());
    let start = source_end.saturating_sub(id.len() + 1);
    if out.last().is_some_and(|b| b.span.start == start) {
        return;
    }
    out.push(BlockId {
        id: id.to_owned(),
        span: lines.span(start, source_end),
    });
}

/// `[[a|b]]` inside a table row: the `|` splits the cell and pulldown-cmark (like Obsidian)
/// sees no link at all, so this is found from the raw lines.
fn unescaped_table_pipes(
    original: &str,
    lines: &LineIndex,
    range: Range<usize>,
    out: &mut Vec<crate::diagnostic::Span>,
) {
    let Some(text) = original.get(range.clone()) else {
        return;
    };
    // Line by line, each byte visited a bounded number of times: a `[[` without `]]` on its
    // line ends the line's search (no later `[[` can close either), and the backticks before
    // a link are counted from the previous link, not from the line start.
    let mut line_offset = range.start;
    for line in text.split_inclusive('\n') {
        let mut search = 0;
        let mut backticks = 0usize;
        while let Some(open) = line
            .get(search..)
            .and_then(|t| t.find("[["))
            .map(|i| i + search)
        {
            backticks += line
                .get(search..open)
                .map_or(0, |s| s.bytes().filter(|&b| b == b'`').count());
            let rest = line.get(open + 2..).unwrap_or_default();
            let Some(close) = rest.find("]]") else {
                break;
            };
            let inner = rest.get(..close).unwrap_or_default();
            let unescaped = inner
                .char_indices()
                .any(|(i, c)| c == '|' && !inner[..i].ends_with('\\'));
            if unescaped && backticks.is_multiple_of(2) {
                let abs = line_offset + open;
                let start = if line[..open].ends_with('!') {
                    abs - 1
                } else {
                    abs
                };
                out.push(lines.span(start, abs + 2 + close + 2));
            }
            backticks += inner.bytes().filter(|&b| b == b'`').count();
            search = open + 2 + close + 2;
        }
        line_offset += line.len();
    }
}
