//! The parts of a link: path, subpath and display text, split as Obsidian splits them.

use std::borrow::Cow;
use std::sync::Arc;

use crate::diagnostic::Span;

/// The syntax a link is written in. Obsidian resolves them all the same way (reference
/// note, rule 16); they differ in how the path is split and decoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
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
}

impl LinkKind {
    /// How messages name this kind of link: "link", "embed" or "property link".
    pub(crate) fn noun(self) -> &'static str {
        match self {
            LinkKind::Wiki | LinkKind::Markdown => "link",
            LinkKind::Embed | LinkKind::Image => "embed",
            LinkKind::Property => "property link",
        }
    }
}

/// Something about a link's syntax that keeps Obsidian from following it as written.
#[derive(Debug, Clone, PartialEq, Eq)]
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
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableCell {
    /// The rendered text of every cell of the row, trimmed, shared by the row's links.
    pub cells: Arc<[String]>,
    /// The 0-based index in `cells` of the cell holding the link.
    pub index: usize,
    /// The cells of the table's header row (`ID`, `Name`, …); `None` for a link in the
    /// header row itself.
    pub header: Option<Arc<[String]>>,
}

/// One internal link or embed, split as Obsidian splits it (reference note, rules 1, 2 and
/// 14), with its position.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Link {
    /// The syntax it is written in.
    pub kind: LinkKind,
    /// The whole construct, `[[`…`]]` or `[`…`](`…`)`.
    pub span: Span,
    /// The source text of the link, as written.
    pub original: Box<str>,
    /// The path to resolve: decoded, trimmed, without subpath; empty means this note.
    pub path: String,
    /// What follows the first `#`, without that `#`.
    pub subpath: Option<String>,
    /// A wiki-link's text after the first `|`, which may hold more `|` (as written; in a
    /// table row, as rendered); a Markdown link's rendered text. Never part of resolution
    /// (rule 2).
    pub display: Option<String>,
    /// Why Obsidian would not follow the link as written; `None` for a well-formed link.
    pub problem: Option<LinkProblem>,
    /// The table row the link sits in, if any.
    pub table: Option<TableCell>,
    /// Up to 40 characters that follow the link on its line, e.g. ` (TA0005)`.
    pub trailing: Box<str>,
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

pub(crate) fn split_subpath(target: &str) -> (&str, Option<&str>) {
    match target.split_once('#') {
        Some((p, s)) => (p, Some(s)),
        None => (target, None),
    }
}

/// Whether a Markdown destination points outside the vault (`https:`, `mailto:`, `//host`).
pub(crate) fn is_external(dest: &str) -> bool {
    if dest.starts_with("//") {
        return true;
    }
    let scheme_len = dest
        .char_indices()
        .take_while(|&(i, c)| {
            if i == 0 {
                c.is_ascii_alphabetic()
            } else {
                c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.')
            }
        })
        .count();
    scheme_len > 0 && dest.as_bytes().get(scheme_len) == Some(&b':')
}

/// Splits and percent-decodes a Markdown destination (reference note, rule 14).
pub(crate) fn split_markdown(dest: &str) -> Result<(String, Option<String>), LinkProblem> {
    let (path, subpath) = split_subpath(dest);
    let decode = |s: &str| -> Result<String, LinkProblem> {
        percent_encoding::percent_decode_str(s)
            .decode_utf8()
            .map(Cow::into_owned)
            .map_err(|_| LinkProblem::BadPercentEncoding)
    };
    let path = decode(path)?;
    let subpath = subpath.map(decode).transpose()?;
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
        assert!(!is_external("Note.md#Heading: x"));
        assert_eq!(
            split_markdown("Folder%2FNote.md").unwrap(),
            ("Folder/Note.md".to_owned(), None)
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
