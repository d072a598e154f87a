//! The parts of a link: path, subpath and display text, split as Obsidian splits them.

use std::borrow::Cow;
use std::sync::Arc;

use super::Note;
use crate::diagnostic::Span;

/// The syntax a link was written in, which decides how it resolves and how it is named.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum LinkKind {
    /// `[[Note]]`
    Wiki,
    /// `![[Note]]`
    Embed,
    /// `[text](Note.md)`
    Markdown,
    /// `![alt](img.png)`
    Image,
    /// `"[[Note]]"` in a front matter property
    Property,
    /// A canvas file node's `file`: a vault path, matched exactly (not a link path).
    CanvasFile,
}

impl LinkKind {
    /// How findings name a link of this kind: "link", "embed", "property link", ...
    pub fn noun(self) -> &'static str {
        match self {
            LinkKind::Wiki | LinkKind::Markdown => "link",
            LinkKind::Embed | LinkKind::Image => "embed",
            LinkKind::Property => "property link",
            LinkKind::CanvasFile => "canvas file node",
        }
    }
}

/// Something about a link's syntax that keeps Obsidian from following it as written.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum LinkProblem {
    /// The target spans lines; Obsidian does not read that as a link.
    MultiLine,
    /// A Markdown link whose percent-escapes do not decode to UTF-8.
    BadPercentEncoding,
    /// `[[## text]]` or `[[^^text]]`: an editor search gesture left in the text.
    UnfinishedSearch,
    /// `up: [[Note]]` without quotes is a YAML list, not a link.
    UnquotedProperty,
}

/// The table row a link sits in, for rules that compare a link with its neighbour cells.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct TableCell {
    /// The row's cells as rendered text, trimmed. One `Arc` per row, shared by its links;
    /// not serialized with the cell either: a note's record writes each row once
    /// (`check::records`; a row of 200,000 links was written 200,000 times).
    #[serde(skip)]
    pub cells: Arc<[String]>,
    /// The 0-based index of the cell holding the link.
    pub index: usize,
    /// The cells of the table's header row (`ID`, `Name`, …); `None` for a link in the
    /// header row itself. One `Arc` per table, shared by its rows: the pointer is the
    /// table's identity. Not serialized with the cell: a note's record keeps the sharing
    /// (`check::records`).
    #[serde(skip)]
    pub header: Option<Arc<[String]>>,
}

/// A byte range of a note's link text ([`Note`]'s arena): where a link's source, path,
/// subpath or display text is kept. `start == u32::MAX` is "none" (a link without a
/// subpath or display text), so the optional parts cost no more than the others.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub(crate) struct Piece {
    start: u32,
    len: u32,
}

impl Piece {
    /// No such part.
    const NONE: Piece = Piece {
        start: u32::MAX,
        len: 0,
    };

    fn new(start: usize, len: usize) -> Self {
        Piece {
            start: u32::try_from(start).unwrap_or(u32::MAX - 1),
            len: u32::try_from(len).unwrap_or(0),
        }
    }

    fn is_none(self) -> bool {
        self.start == u32::MAX
    }

    fn range(self) -> std::ops::Range<usize> {
        self.start as usize..self.start as usize + self.len as usize
    }
}

/// One link as a note's record holds it: its syntax, span and problem, and where its parts
/// are in the note's link text (an arena of the link sources and the few decoded parts, one
/// string per note), so a link costs no allocation of its own. Rules read it through
/// [`LinkRef`] (`Note::links`), which gives the parts as text.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Link {
    /// The syntax it was written in.
    pub kind: LinkKind,
    /// Something about its syntax that keeps Obsidian from following it as written.
    pub problem: Option<LinkProblem>,
    /// Written inside a `%%` comment. Obsidian indexes such a link's file for the graph and
    /// for unresolved links, but its heading or block part takes effect nowhere (nothing
    /// renders or opens it), so no subpath of it is checked.
    pub in_comment: bool,
    /// Bytes of text kept right after the source (see [`LinkRef::trailing`]): at most 40
    /// characters, so at most 160 bytes.
    trailing: u8,
    /// The whole construct, `[[`…`]]` or `[`…`](`…`)`.
    pub span: Span,
    /// The source text, as written.
    source: Piece,
    path: Piece,
    subpath: Piece,
    display: Piece,
    /// Index into the note's table cells; `u32::MAX` for a link outside a table.
    table: u32,
}

/// A link and the note that holds its text: what every rule reads. `Copy`, and each part
/// is a slice of the note's link text.
#[derive(Debug, Clone, Copy)]
pub struct LinkRef<'a> {
    link: &'a Link,
    note: &'a Note,
}

impl<'a> std::ops::Deref for LinkRef<'a> {
    type Target = Link;

    fn deref(&self) -> &Link {
        self.link
    }
}

impl<'a> LinkRef<'a> {
    pub(crate) fn new(link: &'a Link, note: &'a Note) -> Self {
        LinkRef { link, note }
    }

    fn piece(&self, piece: Piece) -> &'a str {
        self.note.link_text.get(piece.range()).unwrap_or_default()
    }

    fn optional(&self, piece: Piece) -> Option<&'a str> {
        (!piece.is_none()).then(|| self.piece(piece))
    }

    /// The link record itself (kind, span, problem).
    pub fn record(&self) -> &'a Link {
        self.link
    }

    /// The source text of the link, as written.
    pub fn original(&self) -> &'a str {
        self.piece(self.link.source)
    }

    /// The path to resolve: decoded, trimmed, without subpath; empty means this note.
    pub fn path(&self) -> &'a str {
        self.piece(self.link.path)
    }

    /// What follows the first `#`, without that `#`.
    pub fn subpath(&self) -> Option<&'a str> {
        self.optional(self.link.subpath)
    }

    /// The display text (after the first `|`, or a Markdown link's text).
    pub fn display(&self) -> Option<&'a str> {
        self.optional(self.link.display)
    }

    /// Up to 40 characters that follow the link on its line, e.g. ` (TA0005)`.
    pub fn trailing(&self) -> &'a str {
        let source = self.link.source.range();
        let end = source.end + usize::from(self.link.trailing);
        self.note.link_text.get(source.end..end).unwrap_or_default()
    }

    /// The table row it sits in, if any.
    pub fn table(&self) -> Option<&'a TableCell> {
        self.note.table_cells.get(self.link.table as usize)
    }
}

/// A link being added to a note ([`Note::push_link`]): its parts as text. A part found in
/// `original` is kept as a range of it; any other (decoded) part is copied.
pub(crate) struct NewLink<'s> {
    pub kind: LinkKind,
    pub span: Span,
    /// The source as written.
    pub original: &'s str,
    /// Where `original` starts in the note's text, when it is a slice of it (then `trailing`
    /// follows it there): links close together share the copy of the text they cover.
    pub at: Option<usize>,
    /// Up to 40 characters after the link on its line.
    pub trailing: &'s str,
    pub path: &'s str,
    pub subpath: Option<&'s str>,
    pub display: Option<&'s str>,
    pub problem: Option<LinkProblem>,
    pub in_comment: bool,
    pub table: Option<TableCell>,
}

impl<'a> LinkRef<'a> {
    /// The link as a new link with another span, for a note that takes it from this one
    /// (a canvas taking the links of its text nodes).
    pub(crate) fn to_new(self, span: Span) -> NewLink<'a> {
        NewLink {
            kind: self.kind,
            span,
            original: self.original(),
            at: None,
            trailing: self.trailing(),
            path: self.path(),
            subpath: self.subpath(),
            display: self.display(),
            problem: self.problem.clone(),
            in_comment: self.in_comment,
            table: self.table().cloned(),
        }
    }
}

/// The last run of note text copied into a note's link text: links whose text falls in or
/// right after it extend it instead of copying their text again.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Region {
    /// Start and end in the note's text.
    text: (usize, usize),
    /// Where it starts in the link text.
    arena: usize,
}

/// The link text of a note and the last run copied into it.
pub(crate) fn push_link(
    text: &mut String,
    region: &mut Option<Region>,
    cells: &mut Vec<TableCell>,
    new: NewLink<'_>,
) -> Link {
    let total = new.original.len() + new.trailing.len();
    let reuse = match (new.at, *region) {
        (Some(at), Some(r))
            if r.arena + (r.text.1 - r.text.0) == text.len()
                && r.text.0 <= at
                && at <= r.text.1 =>
        {
            let skip = r.text.1 - at;
            let tail = if skip <= new.original.len() {
                new.original.get(skip..).map(|o| (o, new.trailing))
            } else {
                new.trailing
                    .get(skip - new.original.len()..)
                    .map(|t| ("", t))
            };
            tail.map(|(o, t)| {
                text.push_str(o);
                text.push_str(t);
                let end = (at + total).max(r.text.1);
                *region = Some(Region {
                    text: (r.text.0, end),
                    arena: r.arena,
                });
                r.arena + (at - r.text.0)
            })
        }
        _ => None,
    };
    let base = reuse.unwrap_or_else(|| {
        let base = text.len();
        text.push_str(new.original);
        text.push_str(new.trailing);
        *region = new.at.map(|at| Region {
            text: (at, at + total),
            arena: base,
        });
        base
    });
    // A part is found in the source by its text, not by where it points: the record is
    // then the same however the parse was cut (a windowed parse hands some parts as copies).
    let mut piece = |s: &str| -> Piece {
        if let Some(at) = first_occurrence(new.original, s) {
            Piece::new(base + at, s.len())
        } else {
            let start = text.len();
            text.push_str(s);
            Piece::new(start, s.len())
        }
    };
    let path = piece(new.path);
    let subpath = new.subpath.map_or(Piece::NONE, &mut piece);
    let display = new.display.map_or(Piece::NONE, &mut piece);
    let table = match new.table {
        Some(cell) => {
            cells.push(cell);
            u32::try_from(cells.len() - 1).unwrap_or(u32::MAX)
        }
        None => u32::MAX,
    };
    Link {
        kind: new.kind,
        problem: new.problem,
        in_comment: new.in_comment,
        trailing: u8::try_from(new.trailing.len()).unwrap_or(0),
        span: new.span,
        source: Piece::new(base, new.original.len()),
        path,
        subpath,
        display,
        table,
    }
}

/// Where `needle` first occurs in `haystack` (as `str::find`). `str::find` and `memmem`
/// set up a two-way searcher on every call, which cost more than the rest of a link's
/// record; a link holds its needle's first byte a few times at most, so those places are
/// found with `memchr` and compared. Should the comparisons cost more than a few passes
/// over the haystack (text made to be slow), `memmem`, linear in any input, takes over.
fn first_occurrence(haystack: &str, needle: &str) -> Option<usize> {
    let (hay, needle) = (haystack.as_bytes(), needle.as_bytes());
    let Some((&first, rest)) = needle.split_first() else {
        return Some(0);
    };
    let last = hay.len().checked_sub(needle.len())?;
    let mut budget = 4 * hay.len() + 64;
    let mut from = 0;
    while let Some(i) = memchr::memchr(first, &hay[from..=last]) {
        let at = from + i;
        if hay[at + 1..].starts_with(rest) {
            return Some(at);
        }
        from = at + 1;
        if from > last {
            break;
        }
        budget = budget.saturating_sub(rest.len() + 8);
        if budget == 0 {
            return memchr::memmem::find(&hay[from..], needle).map(|j| from + j);
        }
    }
    None
}

/// Splits a wiki-link's inner text (`path#subpath|display`) at the first `|`, then the
/// first `#` (reference note, rule 1).
pub(crate) fn split_wiki(inner: &str) -> (&str, Option<&str>, Option<&str>) {
    let (target, display) = match inner.split_once('|') {
        Some((t, d)) => (t, Some(d)),
        None => (inner, None),
    };
    // `[[a\|b]]`: the backslash escapes the pipe (tables) and is not part of the path.
    let target = if display.is_some() {
        target.strip_suffix('\\').unwrap_or(target)
    } else {
        target
    };
    let (path, subpath) = split_subpath(target);
    (path.trim(), subpath, display)
}

/// Cuts a link target at its first `#` into path and subpath (without the `#`).
pub(crate) fn split_subpath(target: &str) -> (&str, Option<&str>) {
    match target.split_once('#') {
        Some((p, s)) => (p, Some(s)),
        None => (target, None),
    }
}

/// Whether a Markdown link or image destination points outside the vault. Obsidian takes a
/// destination as internal only when it starts with `./` or `../` or holds no `:` at all:
/// `https://…`, `mailto:…`, but also `(https://…)` or `C:\\x` are external and never checked.
pub(crate) fn is_external(dest: &str) -> bool {
    !(dest.starts_with("./") || dest.starts_with("../") || !dest.contains(':'))
}

/// The bytes that JavaScript's `decodeURI` leaves escaped: `%23` stays `%23`, not `#`.
const URI_RESERVED: &[u8] = b";/?:@&=+$,#";

/// Percent-decodes `s` as JavaScript's `decodeURI` does, which is how Obsidian reads an
/// internal Markdown destination: escapes of the reserved characters
/// (`%23 %26 %2F %3F %3A %40 %2C %3B %3D %2B %24`, either case) stay as written, every
/// other escape is decoded as UTF-8. A malformed escape such as `%ZZ` is kept as text.
///
/// # Errors
/// `LinkProblem::BadPercentEncoding` when the decoded bytes are not UTF-8 (`%E9`).
pub(crate) fn decode_uri(s: &str) -> Result<Cow<'_, str>, LinkProblem> {
    if !s.contains('%') {
        return Ok(Cow::Borrowed(s));
    }
    let decode = |piece: &str| {
        percent_encoding::percent_decode_str(piece)
            .decode_utf8()
            .map(Cow::into_owned)
            .map_err(|_| LinkProblem::BadPercentEncoding)
    };
    let bytes = s.as_bytes();
    let mut out = String::with_capacity(s.len());
    let mut from = 0;
    let mut i = 0;
    while i + 2 < bytes.len() {
        let escaped = (bytes[i] == b'%')
            .then(|| s.get(i + 1..i + 3))
            .flatten()
            .and_then(|hex| u8::from_str_radix(hex, 16).ok());
        match escaped {
            Some(b) if URI_RESERVED.contains(&b) => {
                out.push_str(&decode(s.get(from..i).unwrap_or_default())?);
                out.push_str(s.get(i..i + 3).unwrap_or_default());
                i += 3;
                from = i;
            }
            _ => i += 1,
        }
    }
    out.push_str(&decode(s.get(from..).unwrap_or_default())?);
    Ok(Cow::Owned(out))
}

/// Splits a Markdown destination at its first `#` and decodes both parts like `decodeURI`
/// (reference note, rule 14, corrected by issue 9).
///
/// # Errors
/// `LinkProblem::BadPercentEncoding` when an escape does not decode to UTF-8.
/// Parts that hold no escape are slices of `dest`.
pub(crate) fn split_markdown(dest: &str) -> Result<MarkdownParts<'_>, LinkProblem> {
    let (path, subpath) = split_subpath(dest);
    let path = match decode_uri(path)? {
        Cow::Borrowed(p) => Cow::Borrowed(p.trim()),
        Cow::Owned(p) if p.trim().len() == p.len() => Cow::Owned(p),
        Cow::Owned(p) => Cow::Owned(p.trim().to_owned()),
    };
    let subpath = subpath.map(decode_uri).transpose()?;
    Ok((path, subpath))
}

/// A Markdown destination's path and subpath, decoded ([`split_markdown`]).
pub(crate) type MarkdownParts<'a> = (Cow<'a, str>, Option<Cow<'a, str>>);

/// Puts `link` in a table row: the row is kept in the note's `cells`.
pub(crate) fn set_table(link: &mut Link, cells: &mut Vec<TableCell>, cell: TableCell) {
    cells.push(cell);
    link.table = u32::try_from(cells.len() - 1).unwrap_or(u32::MAX);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_occurrence_is_str_find() {
        let long = format!("{}|T1|é", "ab".repeat(100));
        // Enough near misses to use up the comparisons' budget.
        let slow = format!("{}b{}", "a".repeat(3000), "a".repeat(50));
        let hays = [
            "[[a|a]]",
            "[[T1158|T1158]]",
            "aaa",
            "",
            "é|e|é",
            "[[x#y|y]]",
            &long,
            &slow,
        ];
        let aab = format!("{}b", "a".repeat(40));
        let needles = [
            "", "a", "aa", "T1158", "y", "é", "e|é", "|T1|é", "zz", "ab", "ba|T", &aab,
        ];
        for hay in hays {
            for needle in needles.iter().copied().chain([hay, &hay[hay.len() / 2..]]) {
                assert_eq!(
                    first_occurrence(hay, needle),
                    hay.find(needle),
                    "{hay:?} {needle:?}"
                );
            }
        }
    }

    #[test]
    fn wiki_split_table() {
        type Parts<'a> = (&'a str, Option<&'a str>, Option<&'a str>);
        let cases: &[(&str, Parts)] = &[
            ("a", ("a", None, None)),
            ("a|b#c", ("a", None, Some("b#c"))),
            ("a#b|c", ("a", Some("b"), Some("c"))),
            ("a|b|c", ("a", None, Some("b|c"))),
            ("T\\|alias", ("T", None, Some("alias"))),
            ("T4#H\\|al", ("T4", Some("H"), Some("al"))),
            ("#^blk", ("", Some("^blk"), None)),
            (" spaced ", ("spaced", None, None)),
            ("A##H1", ("A", Some("#H1"), None)),
            ("doc.pdf#page=3", ("doc.pdf", Some("page=3"), None)),
        ];
        for (input, (path, sub, display)) in cases {
            let (p, s, d) = split_wiki(input);
            assert_eq!((p, s, d), (*path, *sub, *display), "{input}");
        }
    }

    #[test]
    fn markdown_destinations() {
        assert!(is_external("https://e.com/a.md"));
        assert!(is_external("obsidian://open?vault=x"));
        assert!(is_external("mailto:a@b.c"));
        assert!(!is_external("Folder/Note.md"));
        assert!(!is_external("../a:b.md"));
        assert!(is_external("Note.md#Heading: x"));
        assert!(is_external("(https://example.org/tracker#encounters)"));
        assert!(is_external(
            "[rebinder service](https://example.net/rebind)"
        ));
        assert!(!is_external("./a:b.md"));
        assert!(!is_external("//host/x.md"));
        assert!(!is_external("Folder/Note.md#Heading"));
        let split = |dest| {
            let (p, s) = split_markdown(dest).unwrap();
            (p.into_owned(), s.map(Cow::into_owned))
        };
        assert_eq!(
            split("Folder%2FNote.md"),
            ("Folder%2FNote.md".to_owned(), None)
        );
        assert_eq!(
            split("C%23%20notes%3f%2c%40.md#A%26B%20c"),
            (
                "C%23 notes%3f%2c%40.md".to_owned(),
                Some("A%26B c".to_owned())
            )
        );
        assert_eq!(split("Caf%C3%A9%25.md"), ("Café%.md".to_owned(), None));
        assert_eq!(
            split("A.md#Some%20Heading"),
            ("A.md".to_owned(), Some("Some Heading".to_owned()))
        );
        assert_eq!(split(" a b.md "), ("a b.md".to_owned(), None));
        assert_eq!(
            split_markdown("%E9.md"),
            Err(LinkProblem::BadPercentEncoding)
        );
        assert_eq!(split_markdown("%ZZ.md").unwrap().0, "%ZZ.md");
    }
}
