//! Helpers that rules use to build fix edits: where the parts of a wiki-link sit in the
//! note's text, and which link text opens a given file. Pure functions of the note's text
//! and the vault; nothing here writes.

use std::ops::Range;

use crate::diagnostic::Edit;
use crate::index::{FileId, Vault};
use crate::parse::{LinkKind, LinkRef};
use crate::resolve::Resolution;

/// Byte ranges, in the note's text, of the parts of a wiki-link, embed or property link
/// (`[[path#subpath|display]]`), split as Obsidian splits them (reference note, rule 1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct WikiParts {
    /// The path as written, without surrounding spaces (may be empty: a link to this note).
    pub(crate) path: Range<usize>,
    /// The text after the first `#`, without that `#`.
    pub(crate) subpath: Option<Range<usize>>,
    /// The display text after the first `|`.
    pub(crate) display: Option<Range<usize>>,
}

/// Where the parts of `link` sit in `text`, for wiki-style links whose source text is
/// still what the parser saw; `None` for Markdown links (their destinations are
/// percent-encoded, so a plain-text edit could change what they open).
pub(crate) fn wiki_parts(text: &str, link: LinkRef<'_>) -> Option<WikiParts> {
    if !matches!(
        link.kind,
        LinkKind::Wiki | LinkKind::Embed | LinkKind::Property
    ) {
        return None;
    }
    let whole = text.get(link.span.start..link.span.end)?;
    if whole != link.original() {
        return None;
    }
    let open = whole.find("[[")? + 2;
    let close = whole.len().checked_sub(2)?;
    if !whole.ends_with("]]") || close < open {
        return None;
    }
    let base = link.span.start;
    let inner = &whole[open..close];
    let (target_len, display) = match inner.find('|') {
        Some(i) => {
            let escaped = inner[..i].ends_with('\\');
            (
                if escaped { i - 1 } else { i },
                Some(base + open + i + 1..base + close),
            )
        }
        None => (inner.len(), None),
    };
    let target = &inner[..target_len];
    let (path_len, subpath) = match target.find('#') {
        Some(i) => (i, Some(base + open + i + 1..base + open + target_len)),
        None => (target.len(), None),
    };
    let raw = &target[..path_len];
    let lead = raw.len() - raw.trim_start().len();
    let trimmed = raw.trim().len();
    let start = base + open + lead;
    Some(WikiParts {
        path: start..start + trimmed,
        subpath,
        display,
    })
}

/// Characters that cannot stand in a wiki-link's path or heading: they would end the
/// path, start a subpath or display text, or close the link.
pub(crate) fn fits_in_wiki_link(s: &str) -> bool {
    !s.is_empty() && !s.contains(['|', '#', '[', ']', '^', '\n', '\r'])
}

/// The shortest link path that opens `target` from note `source`, as Obsidian writes it:
/// the bare name when it is unique, else the full vault path (an exact match, which no
/// same-named file can shadow). Notes lose their `.md`. `None` when no plain wiki path can
/// name the file or it does not resolve back to `target` unambiguously.
pub(crate) fn link_path_to(vault: &Vault, target: FileId, source: FileId) -> Option<String> {
    let path = vault.path(target);
    let full = path.strip_suffix(".md").unwrap_or(path);
    let name = full.rsplit('/').next().unwrap_or(full);
    [name, full]
        .into_iter()
        .find(|candidate| opens_only(vault, candidate, source, target))
        .filter(|p| fits_in_wiki_link(p))
        .map(str::to_owned)
}

/// Whether the link path `path` written in `source` opens `target` without ambiguity.
pub(crate) fn opens_only(vault: &Vault, path: &str, source: FileId, target: FileId) -> bool {
    match vault.resolve(path, source) {
        Resolution::Found {
            file,
            others,
            exact,
            partial,
            ..
        } => file == target && (others.is_empty() || exact) && !partial,
        Resolution::Missing => false,
    }
}

/// Replaces the path of a wiki-style link with `new_path`, keeping subpath and display.
pub(crate) fn repoint(text: &str, link: LinkRef<'_>, new_path: &str) -> Option<Edit> {
    let parts = wiki_parts(text, link)?;
    Some(Edit::replace(parts.path.start, parts.path.end, new_path))
}

/// The line break a note uses: CRLF when its first line ends so, else LF.
pub(crate) fn line_ending(text: &str) -> &'static str {
    match text.find('\n') {
        Some(i) if text[..i].ends_with('\r') => "\r\n",
        _ => "\n",
    }
}

/// A string as an item of a YAML flow list (`[a, "b, c"]`): plain when YAML reads it back
/// as the same string, else double-quoted (JSON escapes are valid YAML).
pub(crate) fn yaml_flow_item(s: &str) -> String {
    let plain = !s.is_empty()
        && s.trim() == s
        && !s.starts_with([
            '-', '?', ':', '!', '&', '*', '#', '|', '>', '\'', '"', '%', '@', '`', '[', ']', '{',
            '}', ',',
        ])
        && !s.contains([',', '[', ']', '{', '}', '#', '\n', '\r', '\t'])
        && !s.contains(": ")
        && !s.ends_with(':')
        && looks_like_string(s);
    if plain {
        s.to_owned()
    } else {
        serde_json::Value::from(s).to_string()
    }
}

/// Whether YAML reads the plain scalar `s` as a string (not a number, bool or null).
fn looks_like_string(s: &str) -> bool {
    let lower = s.to_ascii_lowercase();
    if matches!(
        lower.as_str(),
        "null" | "~" | "true" | "false" | "yes" | "no" | "on" | "off" | "y" | "n"
    ) {
        return false;
    }
    let numeric = s
        .trim_start_matches(['+', '-'])
        .chars()
        .all(|c| c.is_ascii_digit() || matches!(c, '.' | '_' | 'e' | 'E' | 'x' | 'o'));
    let number = numeric && s.chars().any(|c| c.is_ascii_digit());
    let special_float = lower.starts_with(".inf") || lower == ".nan";
    !number && !special_float
}

/// The lines of a top-level key starting at `start`: its own line and the indented or
/// `- ` lines of its block value, up to the front matter's closing fence.
pub(crate) fn property_lines(text: &str, start: usize, fm_end: usize) -> std::ops::Range<usize> {
    let line_start = text[..start].rfind('\n').map_or(0, |i| i + 1);
    let mut end = line_start;
    let mut first = true;
    for line in text[line_start..fm_end.min(text.len())].split_inclusive('\n') {
        let continues =
            line.starts_with([' ', '\t']) || (line.starts_with('-') && line.trim_end() != "---");
        if !first && !continues {
            break;
        }
        first = false;
        end += line.len();
    }
    line_start..end
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::parse_note;

    #[test]
    fn wiki_parts_follow_obsidian_splitting() {
        let text = "x [[ A b #Head|shown]] | [[T\\|M1]] ![[img.png]]\n";
        let note = parse_note(text);
        let p = wiki_parts(text, note.link(0).unwrap()).unwrap();
        assert_eq!(&text[p.path.clone()], "A b");
        assert_eq!(&text[p.subpath.unwrap()], "Head");
        assert_eq!(&text[p.display.unwrap()], "shown");
        let table = "| [[T\\|M1]] | n |\n| --- | --- |\n";
        let note = parse_note(table);
        let p = wiki_parts(table, note.link(0).unwrap()).unwrap();
        assert_eq!(&table[p.path], "T");
        assert_eq!(&table[p.display.unwrap()], "M1");
    }

    #[test]
    fn yaml_items_are_quoted_only_when_needed() {
        assert_eq!(yaml_flow_item("T1036"), "T1036");
        assert_eq!(yaml_flow_item("Comment Crew"), "Comment Crew");
        assert_eq!(yaml_flow_item("a, b"), "\"a, b\"");
        assert_eq!(yaml_flow_item("1234"), "\"1234\"");
        assert_eq!(yaml_flow_item("yes"), "\"yes\"");
        assert_eq!(yaml_flow_item("#tag"), "\"#tag\"");
        assert_eq!(yaml_flow_item("a: b"), "\"a: b\"");
    }

    #[test]
    fn line_endings() {
        assert_eq!(line_ending("a\r\nb"), "\r\n");
        assert_eq!(line_ending("a\nb"), "\n");
        assert_eq!(line_ending("a"), "\n");
    }
}
