//! Control characters in text formats: a file may be named `a\nb.md`, and a raw newline
//! would split a concise line or a GitHub annotation into two, or an escape sequence would
//! drive the reader's terminal. They are shown as Rust-style escapes (`\n`, `\t`,
//! `\u{1b}`), which no real path or message contains.

use std::borrow::Cow;
use std::fmt::Write;

/// `s` with every control character (Unicode category Cc) escaped; borrowed when clean.
pub(crate) fn escape_control(s: &str) -> Cow<'_, str> {
    if !s.chars().any(char::is_control) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() => {
                let _ = write!(out, "\\u{{{:x}}}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::escape_control;

    #[test]
    fn control_characters_are_escaped() {
        assert_eq!(escape_control("a.md"), "a.md");
        assert_eq!(escape_control("a\nb\t\r.md"), "a\\nb\\t\\r.md");
        assert_eq!(escape_control("\u{1b}[31mred"), "\\u{1b}[31mred");
        assert_eq!(escape_control("Über\u{85}"), "Über\\u{85}");
    }
}
