//! The parts of a link: path, subpath and display text, split as Obsidian splits them.

use std::borrow::Cow;
use std::sync::Arc;

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

/// One link as every rule reads it, whatever its syntax or file type (note or canvas).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Link {
    /// The syntax it was written in.
    pub kind: LinkKind,
    /// The whole construct, `[[`…`]]` or `[`…`](`…`)`.
    pub span: Span,
    /// The source text of the link, as written.
    pub original: Box<str>,
    /// The path to resolve: decoded, trimmed, without subpath; empty means this note.
    pub path: String,
    /// What follows the first `#`, without that `#`.
    pub subpath: Option<String>,
    /// The display text (after the first `|`, or a Markdown link's text).
    pub display: Option<String>,
    /// Something about its syntax that keeps Obsidian from following it as written.
    pub problem: Option<LinkProblem>,
    /// The table row it sits in, if any.
    pub table: Option<TableCell>,
    /// Up to 40 characters that follow the link on its line, e.g. ` (TA0005)`.
    pub trailing: Box<str>,
    /// Written inside a `%%` comment. Obsidian indexes such a link's file for the graph and
    /// for unresolved links, but its heading or block part takes effect nowhere (nothing
    /// renders or opens it), so no subpath of it is checked.
    pub in_comment: bool,
}

/// Splits a wiki-link's inner text (`path#subpath|display`) at the first `|`, then the
/// first `#` (reference note, rule 1).
pub(crate) fn split_wiki(inner: &str) -> (String, Option<String>, Option<String>) {
    let (target, display) = match inner.split_once('|') {
        Some((t, d)) => (t, Some(d.to_owned())),
        None => (inner, None),
    };
    // `[[a\|b]]`: the backslash escapes the pipe (tables) and is not part of the path.
    let target = if display.is_some() {
        target.strip_suffix('\\').unwrap_or(target)
    } else {
        target
    };
    let (path, subpath) = split_subpath(target);
    (path.trim().to_owned(), subpath.map(str::to_owned), display)
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
pub(crate) fn decode_uri(s: &str) -> Result<String, LinkProblem> {
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
    Ok(out)
}

/// Splits a Markdown destination at its first `#` and decodes both parts like `decodeURI`
/// (reference note, rule 14, corrected by issue 9).
///
/// # Errors
/// `LinkProblem::BadPercentEncoding` when an escape does not decode to UTF-8.
pub(crate) fn split_markdown(dest: &str) -> Result<(String, Option<String>), LinkProblem> {
    let (path, subpath) = split_subpath(dest);
    let path = decode_uri(path)?;
    let subpath = subpath.map(decode_uri).transpose()?;
    Ok((path.trim().to_owned(), subpath))
}

#[cfg(test)]
mod tests {
    use super::*;

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
            assert_eq!(
                (p.as_str(), s.as_deref(), d.as_deref()),
                (*path, *sub, *display),
                "{input}"
            );
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
        assert_eq!(
            split_markdown("Folder%2FNote.md").unwrap(),
            ("Folder%2FNote.md".to_owned(), None)
        );
        assert_eq!(
            split_markdown("C%23%20notes%3f%2c%40.md#A%26B%20c").unwrap(),
            (
                "C%23 notes%3f%2c%40.md".to_owned(),
                Some("A%26B c".to_owned())
            )
        );
        assert_eq!(
            split_markdown("Caf%C3%A9%25.md").unwrap(),
            ("Café%.md".to_owned(), None)
        );
        assert_eq!(
            split_markdown("A.md#Some%20Heading").unwrap(),
            ("A.md".to_owned(), Some("Some Heading".to_owned()))
        );
        assert_eq!(
            split_markdown("%E9.md"),
            Err(LinkProblem::BadPercentEncoding)
        );
        assert_eq!(split_markdown("%ZZ.md").unwrap().0, "%ZZ.md");
    }
}
