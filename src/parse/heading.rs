//! Heading keys: how Obsidian compares a heading with a link's subpath (reference note,
//! rule 33). They live with parsing because outlines store and compare them.

/// FNV-1a over the characters of a heading key: equal keys hash equally, so unequal
/// hashes rule a heading out without reading its text.
pub(crate) fn key_hash(key: impl Iterator<Item = char>) -> u32 {
    key.fold(0x811c_9dc5, |hash, c| {
        (hash ^ u32::from(c)).wrapping_mul(0x0100_0193)
    })
}

/// Obsidian's `stripHeading` with case kept: the form a link can name a heading by when
/// its raw text holds characters a link cannot carry (`Ticket exchange [^1]` is reached by
/// `Ticket exchange 1`).
pub(crate) fn strip_heading(text: &str) -> String {
    HeadingChars::new(text, false).collect()
}

/// A heading or link subpath in the form Obsidian compares: stripped as by Obsidian's
/// `stripHeading` (punctuation and line breaks become spaces, whitespace runs fold into
/// one, the ends are trimmed), then lower-cased.
pub(crate) fn heading_key(text: &str) -> String {
    HeadingChars::new(text, true).collect()
}

/// The characters of `text` stripped as by Obsidian's `stripHeading`, lower-cased when
/// `fold_case`, without allocating: headings are compared this way so that outlines need not store a second
/// copy of every heading.
pub(crate) struct HeadingChars<'a> {
    chars: std::str::Chars<'a>,
    fold_case: bool,
    /// The rest of the current character: its lower-case expansion, or the character
    /// itself held back behind a separator space.
    rest: Option<std::char::ToLowercase>,
    held: Option<char>,
    started: bool,
    space: bool,
}

impl<'a> HeadingChars<'a> {
    pub(crate) fn new(text: &'a str, fold_case: bool) -> Self {
        HeadingChars {
            chars: text.chars(),
            fold_case,
            rest: None,
            held: None,
            started: false,
            space: false,
        }
    }
}

fn is_heading_separator(c: char) -> bool {
    // A match, not `str::contains`: this runs for every character of every heading a
    // link is compared with.
    matches!(
        c,
        '!' | '"'
            | '#'
            | '$'
            | '%'
            | '&'
            | '('
            | ')'
            | '*'
            | '+'
            | ','
            | '.'
            | ':'
            | ';'
            | '<'
            | '='
            | '>'
            | '?'
            | '@'
            | '^'
            | '`'
            | '{'
            | '|'
            | '}'
            | '~'
            | '/'
            | '['
            | ']'
            | '\\'
    ) || c.is_whitespace()
}

impl Iterator for HeadingChars<'_> {
    type Item = char;

    fn next(&mut self) -> Option<char> {
        if let Some(c) = self
            .held
            .take()
            .or_else(|| self.rest.as_mut().and_then(Iterator::next))
        {
            return Some(c);
        }
        for c in self.chars.by_ref() {
            if is_heading_separator(c) {
                self.space = self.started;
                continue;
            }
            self.started = true;
            let first = if self.fold_case && c.is_ascii() {
                Some(c.to_ascii_lowercase())
            } else if self.fold_case {
                let mut lower = c.to_lowercase();
                let first = lower.next();
                self.rest = Some(lower);
                first
            } else {
                Some(c)
            };
            if std::mem::take(&mut self.space) {
                self.held = first;
                return Some(' ');
            }
            return first;
        }
        None
    }
}
