//! The one place where text from the vault or a catalogue is made safe for where it goes.
//!
//! A note, a file name or a catalogue row is written by a stranger, and vaultlint prints it
//! in a terminal, in a CI log, in a Markdown job summary and in patches. Each sink has one
//! function here, and every string from the vault or a catalogue passes it on the way out:
//!
//! - [`terminal`] (human and concise output, stderr lines, `attack` commands): control
//!   characters (ESC, BEL, C0 and C1, which drive the terminal: window titles, OSC 8
//!   links, clearing the screen), bidirectional controls (U+202E reorders what is shown)
//!   and line and paragraph separators (U+2028, U+2029) are shown as Rust-style escapes
//!   (`\n`, `\u{1b}`), which no real path or message contains; and GitHub workflow
//!   commands are broken, since these formats end up in CI logs: the runner executes
//!   `::cmd::` at a line's start and the legacy `##[cmd]` anywhere in a line, so every
//!   `::` becomes `:\u{3a}` and every `##[` becomes `#\u{23}[`.
//! - [`log_text`]: the same for text vaultlint composed of several lines (an error, the fix
//!   summary, the coverage table), keeping its own line breaks.
//! - [`ci_data`] and [`ci_property`] (GitHub annotations): GitHub's own `%` escapes on top
//!   of [`terminal`]'s.
//! - [`markdown_code`] and [`markdown_text`] (the job summary): a code span that no
//!   backtick inside can close, and text in which no character is Markdown or HTML.
//! - [`patch_path`] (`--diff`): a path quoted exactly as `git diff` quotes it.
//! - [`json_pretty`] (JSON, SARIF, GitLab): serde_json's escapes, and the bidirectional
//!   controls and separators as `\uXXXX`.
//! - [`xml_text`] (JUnit): [`log_text`]'s escapes without the workflow-command breaks, and
//!   the two characters XML forbids that are not control characters replaced.

use std::borrow::Cow;
use std::fmt::Write;

/// Whether a character must never reach a text sink raw: control characters (category Cc:
/// C0, DEL, C1), the bidirectional formatting characters (Unicode's Bidi_Control: they
/// reorder what a terminal or browser shows, "Trojan Source") and the line and paragraph
/// separators, which some viewers break lines at.
fn is_hostile(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{061C}'
                | '\u{200E}'
                | '\u{200F}'
                | '\u{202A}'..='\u{202E}'
                | '\u{2066}'..='\u{2069}'
                | '\u{2028}'
                | '\u{2029}'
        )
}

/// Pushes the escape of a hostile character.
fn push_escaped(out: &mut String, c: char) {
    match c {
        '\n' => out.push_str("\\n"),
        '\r' => out.push_str("\\r"),
        '\t' => out.push_str("\\t"),
        c => {
            let _ = write!(out, "\\u{{{:x}}}", u32::from(c));
        }
    }
}

/// `s` with its hostile characters (but those in `keep`) escaped and, when `workflow`,
/// every `::` and `##[` broken (see the module docs); borrowed when nothing changes.
fn escape_chars<'s>(s: &'s str, keep: &[char], workflow: bool) -> Cow<'s, str> {
    let hostile = |c: char| is_hostile(c) && !keep.contains(&c);
    if !s.chars().any(hostile) && !(workflow && (s.contains("::") || s.contains("##["))) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            c if hostile(c) => push_escaped(&mut out, c),
            // The second colon of `::`: a workflow command cannot start here.
            ':' if workflow && out.ends_with(':') => out.push_str("\\u{3a}"),
            '[' if workflow && out.ends_with("##") => {
                out.pop();
                out.push_str("\\u{23}[");
            }
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// One string from the vault or a catalogue, for a terminal or a CI log: on one line, with
/// no character that drives a terminal, reorders text or starts a workflow command (see
/// the module docs). Borrowed when nothing needs escaping.
pub(crate) fn terminal(s: &str) -> Cow<'_, str> {
    escape_chars(s, &[], true)
}

/// Text of several lines that vaultlint composed around vault strings (an error message,
/// the fix summary, the coverage table), for the terminal or a CI log: as [`terminal`],
/// but its line breaks and tabs stay. A line break that came from the vault stays too, but
/// the line it starts cannot be a workflow command (every `::` is broken).
pub(crate) fn log_text(s: &str) -> Cow<'_, str> {
    escape_chars(s, &['\n', '\t'], true)
}

/// A writer that passes whole lines through [`log_text`]: vaultlint's own stderr lines
/// (errors, the fix summary, notes), which quote vault paths, config values and catalogue
/// names. A line is written when its `\n` arrives, the rest on `flush` or drop, so a `::`
/// or an escape sequence split between two writes is still caught.
pub(crate) struct LogWriter<W: std::io::Write> {
    inner: W,
    line: Vec<u8>,
}

/// Standard error through a [`LogWriter`].
pub(crate) fn stderr() -> LogWriter<std::io::Stderr> {
    log_writer(std::io::stderr())
}

/// `inner` through a [`LogWriter`] (the `attack` commands' text output).
pub(crate) fn log_writer<W: std::io::Write>(inner: W) -> LogWriter<W> {
    LogWriter {
        inner,
        line: Vec::new(),
    }
}

impl<W: std::io::Write> LogWriter<W> {
    fn write_line(&mut self) -> std::io::Result<()> {
        if self.line.is_empty() {
            return Ok(());
        }
        let text = String::from_utf8_lossy(&self.line);
        self.inner.write_all(log_text(&text).as_bytes())?;
        self.line.clear();
        Ok(())
    }
}

impl<W: std::io::Write> std::io::Write for LogWriter<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        for chunk in buf.split_inclusive(|&b| b == b'\n') {
            self.line.extend_from_slice(chunk);
            if chunk.ends_with(b"\n") {
                self.write_line()?;
            }
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.write_line()?;
        self.inner.flush()
    }
}

impl<W: std::io::Write> Drop for LogWriter<W> {
    fn drop(&mut self) {
        let _ = std::io::Write::flush(self);
    }
}

/// A note's text shown as source in the human format: [`terminal`]'s escapes, except that
/// line breaks (`\n`, and `\r` before `\n`) and tabs stay, so lines and their numbers are
/// unchanged. Returns the text and the shifts to map byte offsets of the original into it.
pub(crate) fn terminal_source(text: &str) -> (Cow<'_, str>, Shifts) {
    let clean = !text
        .chars()
        .any(|c| is_hostile(c) && !matches!(c, '\n' | '\t' | '\r'))
        && !text.contains("::")
        && !text.contains("##[")
        && !text.split('\r').skip(1).any(|rest| !rest.starts_with('\n'));
    if clean {
        return (Cow::Borrowed(text), Shifts::default());
    }
    let mut out = String::with_capacity(text.len() + 16);
    let mut shifts = Shifts::default();
    let mut chars = text.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        let before = out.len();
        let keep = matches!(c, '\n' | '\t')
            || (c == '\r' && chars.peek().is_some_and(|&(_, n)| n == '\n'));
        match c {
            c if keep => out.push(c),
            c if is_hostile(c) => push_escaped(&mut out, c),
            ':' if out.ends_with(':') => out.push_str("\\u{3a}"),
            '[' if out.ends_with("##") => {
                out.pop();
                out.push_str("\\u{23}[");
            }
            c => out.push(c),
        }
        let grew = (out.len() - before) as isize - c.len_utf8() as isize;
        if grew != 0 {
            shifts.push(i + c.len_utf8(), grew);
        }
    }
    (Cow::Owned(out), shifts)
}

/// Where [`terminal_source`] made its text longer: byte offsets of the original after
/// which the escaped text is longer, with the total growth so far.
#[derive(Debug, Default)]
pub(crate) struct Shifts(Vec<(usize, isize)>);

impl Shifts {
    fn push(&mut self, after: usize, grew: isize) {
        let total = self.0.last().map_or(0, |&(_, t)| t) + grew;
        self.0.push((after, total));
    }

    /// The offset in the escaped text of byte `offset` of the original (on a character
    /// boundary there).
    pub(crate) fn map(&self, offset: usize) -> usize {
        let i = self.0.partition_point(|&(after, _)| after <= offset);
        let total = i.checked_sub(1).map_or(0, |i| self.0[i].1);
        offset.saturating_add_signed(total)
    }

    /// Whether no offset moves.
    pub(crate) fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// Writes `value` as pretty JSON (the bytes of `serde_json::to_writer_pretty`) with the
/// JSON sink's escapes: serde_json escapes control characters, and this also writes the
/// bidirectional controls and U+2028/U+2029 as `\uXXXX` (valid JSON either way, but raw
/// they reorder what a viewer shows and end a JavaScript string).
///
/// # Errors
/// The writer's, or serialising `value`.
pub(crate) fn json_pretty<W: std::io::Write, T: serde::Serialize + ?Sized>(
    writer: W,
    value: &T,
) -> serde_json::Result<()> {
    json_pretty_at(writer, value, 0)
}

/// [`json_pretty`] for a value that sits `depth` levels deep in a larger document (a
/// finding inside the report's `diagnostics`): its nested lines are indented as
/// `serde_json::to_writer_pretty` indents them in the whole document, and its first line
/// is left to the caller. A report streams its findings one at a time this way, each
/// straight into the output buffer, without re-indenting them line by line.
///
/// # Errors
/// The writer's, or serialising `value`.
pub(crate) fn json_pretty_at<W: std::io::Write, T: serde::Serialize + ?Sized>(
    writer: W,
    value: &T,
    depth: usize,
) -> serde_json::Result<()> {
    use serde_json::ser::Formatter;
    let mut pretty = serde_json::ser::PrettyFormatter::new();
    // PrettyFormatter keeps its depth to itself: entering `depth` arrays, written to
    // nowhere, is how it learns where the value starts.
    for _ in 0..depth {
        pretty
            .begin_array(&mut std::io::sink())
            .map_err(serde_json::Error::io)?;
    }
    let mut ser = serde_json::Serializer::with_formatter(writer, JsonSink(pretty));
    value.serialize(&mut ser)
}

/// serde_json's pretty formatter, with [`is_hostile`] characters escaped in strings.
struct JsonSink<'a>(serde_json::ser::PrettyFormatter<'a>);

impl serde_json::ser::Formatter for JsonSink<'_> {
    fn write_string_fragment<W: ?Sized + std::io::Write>(
        &mut self,
        writer: &mut W,
        fragment: &str,
    ) -> std::io::Result<()> {
        // serde_json escapes C0 controls itself, so in ASCII only DEL is left; most text
        // is ASCII, and testing each character against every hostile range was most of
        // the cost of writing SARIF (whose rule docs alone are 80 KB).
        if fragment.is_ascii() && !fragment.as_bytes().contains(&0x7f) {
            return writer.write_all(fragment.as_bytes());
        }
        let mut rest = fragment;
        while let Some((i, c)) = rest.char_indices().find(|&(_, c)| is_hostile(c)) {
            writer.write_all(&rest.as_bytes()[..i])?;
            write!(writer, "\\u{:04x}", u32::from(c))?;
            rest = &rest[i + c.len_utf8()..];
        }
        writer.write_all(rest.as_bytes())
    }

    fn begin_array<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.0.begin_array(w)
    }

    fn end_array<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.0.end_array(w)
    }

    fn begin_array_value<W: ?Sized + std::io::Write>(
        &mut self,
        w: &mut W,
        first: bool,
    ) -> std::io::Result<()> {
        self.0.begin_array_value(w, first)
    }

    fn end_array_value<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.0.end_array_value(w)
    }

    fn begin_object<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.0.begin_object(w)
    }

    fn end_object<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.0.end_object(w)
    }

    fn begin_object_key<W: ?Sized + std::io::Write>(
        &mut self,
        w: &mut W,
        first: bool,
    ) -> std::io::Result<()> {
        self.0.begin_object_key(w, first)
    }

    fn begin_object_value<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.0.begin_object_value(w)
    }

    fn end_object_value<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.0.end_object_value(w)
    }
}

/// The message part of a GitHub workflow command (`::error …::message`): GitHub's own
/// escapes for `%`, CR and LF (the line breaks GitHub shows), then [`terminal`].
pub(crate) fn ci_data(s: &str) -> String {
    let s = s
        .replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A");
    terminal(&s).into_owned()
}

/// A property value of a workflow command (`file=`, `title=`): as [`ci_data`], and `:` and
/// `,`, which end properties.
pub(crate) fn ci_property(s: &str) -> String {
    ci_data(s).replace(':', "%3A").replace(',', "%2C")
}

/// A Markdown code span of `s` that nothing in `s` can close: fenced with one backtick more
/// than its longest backtick run (CommonMark), padded with a space where `s` starts or ends
/// with a backtick or space (which CommonMark strips once), on one line (a blank line
/// would end the paragraph), hostile characters escaped as for [`terminal`].
pub(crate) fn markdown_code(s: &str) -> String {
    let body = escape_chars(s, &[], false);
    let mut longest = 0;
    let mut run = 0;
    for c in body.chars() {
        run = if c == '`' { run + 1 } else { 0 };
        longest = longest.max(run);
    }
    let fence = "`".repeat(longest + 1);
    let pad = if body.starts_with(['`', ' ']) || body.ends_with(['`', ' ']) || body.is_empty() {
        " "
    } else {
        ""
    };
    format!("{fence}{pad}{body}{pad}{fence}")
}

/// Text for Markdown or inline HTML (the job summary's `<summary>`), on one line, hostile
/// characters escaped as for [`terminal`]: every ASCII punctuation character that can start
/// Markdown or HTML syntax (a link, image, emphasis, code span, tag, entity, or an
/// autolink's `:` and `@`, and the `.` of `www.`) as an HTML character reference, which
/// Markdown shows as that character and never reads as syntax. `.`, `/`, `-` and `,`
/// elsewhere stay, so paths stay readable.
pub(crate) fn markdown_text(s: &str) -> String {
    let body = escape_chars(s, &[], false);
    let mut out = String::with_capacity(body.len() + 8);
    for c in body.chars() {
        let www = c == '.'
            && out
                .get(out.len().saturating_sub(3)..)
                .is_some_and(|w| w.eq_ignore_ascii_case("www"));
        if www || (c.is_ascii_punctuation() && !matches!(c, '.' | '/' | '-' | ',')) {
            let _ = write!(out, "&#{};", u32::from(c));
        } else {
            out.push(c);
        }
    }
    out
}

/// Text for a JUnit XML report (test names, attributes and failure bodies, which CI
/// systems show in web pages): hostile characters escaped as for [`log_text`] (control
/// characters, which XML 1.0 mostly forbids, bidirectional controls and line separators),
/// keeping line breaks and tabs, which XML allows; U+FFFE and U+FFFF, which XML forbids,
/// become U+FFFD. An XML character reference would not do: the reader decodes it back to the
/// character. `&`, `<` and quotes are the XML writer's to escape.
pub(crate) fn xml_text(s: &str) -> String {
    escape_chars(s, &['\n', '\t'], false)
        .chars()
        .map(|c| match c {
            '\u{FFFE}' | '\u{FFFF}' => '\u{FFFD}',
            c => c,
        })
        .collect()
}

/// A path in a patch header (`diff --git`, `---`, `+++`), quoted exactly as `git diff`
/// quotes it with `core.quotePath` on (git's `quote_c_style`): unchanged unless it holds a
/// control character, `"`, `\` or a byte from 0x80 up; then in double quotes, with `\a`,
/// `\b`, `\t`, `\n`, `\v`, `\f`, `\r`, `\"` and `\\`, and every other such byte as three
/// octal digits. `git apply` reads it back to the same path, so a name holding a line
/// break cannot add lines to the patch.
pub(crate) fn patch_path(path: &str) -> Cow<'_, str> {
    let needs = |b: u8| b < 0x20 || b == b'"' || b == b'\\' || b >= 0x7f;
    if !path.bytes().any(needs) {
        return Cow::Borrowed(path);
    }
    let mut out = String::with_capacity(path.len() + 8);
    out.push('"');
    for b in path.bytes() {
        match b {
            0x07 => out.push_str("\\a"),
            0x08 => out.push_str("\\b"),
            b'\t' => out.push_str("\\t"),
            b'\n' => out.push_str("\\n"),
            0x0b => out.push_str("\\v"),
            0x0c => out.push_str("\\f"),
            b'\r' => out.push_str("\\r"),
            b'"' => out.push_str("\\\""),
            b'\\' => out.push_str("\\\\"),
            b if needs(b) => {
                let _ = write!(out, "\\{b:03o}");
            }
            b => out.push(char::from(b)),
        }
    }
    out.push('"');
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Strings a stranger can put in a note, a file name or a catalogue row.
    pub(crate) const HOSTILE: &[&str] = &[
        "plain.md",
        "a\nb\t\r.md",
        "\u{1b}[31mred\u{1b}[0m",
        "\u{1b}]0;title\u{7}",
        "\u{1b}]8;;https://evil.example\u{1b}\\link\u{1b}]8;;\u{1b}\\",
        "\u{1b}[2J\u{1b}[H",
        "Über\u{85}\u{9b}31m",
        "abc\u{202e}fdp.exe",
        "line\u{2028}break\u{2029}para",
        "\u{2066}isolate\u{2069}\u{200f}",
        "::error file=x::owned",
        "x\n::add-mask::secret",
        "::stop-commands::tok",
        "text ##[error]owned",
        "###[warning]x",
        ":::x::",
        "a`b``c",
        "`start and end`",
        "[link](https://evil.example) ![img](x) <img src=x onerror=alert(1)>",
        "*emph* _u_ <b>bold</b> &amp; | pipe",
        "q\"uote\\back\u{7f}",
        "",
        " ",
    ];

    /// What no terminal or CI log may receive raw.
    fn assert_safe_for_log(out: &str, keep_newlines: bool, from: &str) {
        for c in out.chars() {
            assert!(
                !is_hostile(c) || (keep_newlines && matches!(c, '\n' | '\t')),
                "{from:?} -> {out:?}"
            );
        }
        assert!(!out.contains("::"), "{from:?} -> {out:?}");
        assert!(!out.contains("##["), "{from:?} -> {out:?}");
    }

    #[test]
    fn every_sink_gets_every_hostile_string_safe() {
        for s in HOSTILE {
            assert_safe_for_log(&terminal(s), false, s);
            assert_safe_for_log(&log_text(s), true, s);
            for line in log_text(s).lines() {
                assert!(!line.trim_start().starts_with("::"), "{s:?}");
            }
            let data = ci_data(s);
            assert_safe_for_log(&data, false, s);
            assert!(!data.contains(['\n', '\r']), "{s:?}");
            let prop = ci_property(s);
            assert!(!prop.contains([':', ',', '\n']), "{s:?} -> {prop:?}");
            let (source, _) = terminal_source(s);
            assert_safe_for_log(&source, true, s);

            let code = markdown_code(s);
            let fence = code.chars().take_while(|&c| c == '`').count();
            let inner = &code[fence..code.len() - fence];
            assert!(!inner.contains(&"`".repeat(fence)), "{s:?} -> {code:?}");
            assert!(!inner.starts_with('`') && !inner.ends_with('`'), "{code:?}");
            assert!(!code.contains(['\n', '\r']), "{s:?}");
            assert!(!code.chars().any(is_hostile), "{s:?}");
            let text = markdown_text(s);
            assert!(
                !text.contains(['<', '>', '[', ']', '`', '*', '_', '|', '!', '\n']),
                "{s:?} -> {text:?}"
            );
            assert!(!text.chars().any(is_hostile), "{s:?}");

            let xml = xml_text(s);
            for c in xml.chars() {
                assert!(
                    !is_hostile(c) || matches!(c, '\n' | '\t'),
                    "{s:?} -> {xml:?}"
                );
            }

            let quoted = patch_path(s);
            assert!(!quoted.contains(['\n', '\r', '\t', '\u{1b}']), "{s:?}");
            assert!(quoted.is_ascii(), "{s:?} -> {quoted:?}");
        }
    }

    #[test]
    fn json_escapes_bidi_controls_and_separators() {
        for s in HOSTILE {
            let mut out = Vec::new();
            json_pretty(&mut out, &serde_json::json!({ "k": s, *s: [s] })).unwrap();
            let text = String::from_utf8(out).unwrap();
            assert!(
                !text.contains(['\u{202e}', '\u{2028}', '\u{2029}', '\u{2066}']),
                "{text}"
            );
            let back: serde_json::Value = serde_json::from_str(&text).unwrap();
            assert_eq!(back["k"], *s);
        }
        let mut out = Vec::new();
        json_pretty(&mut out, &serde_json::json!(["a\u{202e}b"])).unwrap();
        assert_eq!(String::from_utf8(out).unwrap(), "[\n  \"a\\u202eb\"\n]");
        // DEL in ASCII text, and C1 after other non-ASCII text.
        let mut out = Vec::new();
        json_pretty(
            &mut out,
            &serde_json::json!(["a\u{7f}b", "é\u{85}", "plain"]),
        )
        .unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "[\n  \"a\\u007fb\",\n  \"é\\u0085\",\n  \"plain\"\n]"
        );
    }

    #[test]
    fn terminal_escapes_are_exact() {
        assert_eq!(terminal("a.md"), "a.md");
        assert_eq!(terminal("a\nb\t\r.md"), "a\\nb\\t\\r.md");
        assert_eq!(terminal("\u{1b}[31mred"), "\\u{1b}[31mred");
        assert_eq!(terminal("Über\u{85}"), "Über\\u{85}");
        assert_eq!(terminal("abc\u{202e}fdp"), "abc\\u{202e}fdp");
        assert_eq!(terminal("a\u{2028}b"), "a\\u{2028}b");
        assert_eq!(terminal("::error::x"), ":\\u{3a}error:\\u{3a}x");
        assert_eq!(terminal("a ##[error]b"), "a #\\u{23}[error]b");
        assert_eq!(log_text("one\n::two\n"), "one\n:\\u{3a}two\n");
        assert_eq!(
            xml_text("a\u{0}b\tc\n\u{1b}\u{FFFF}\u{202e}::x"),
            "a\\u{0}b\tc\n\\u{1b}\u{FFFD}\\u{202e}::x"
        );
    }

    #[test]
    fn source_offsets_follow_the_escapes() {
        let text = "a\u{1b}b\r\nc::d [[x]]\rz";
        let (out, shifts) = terminal_source(text);
        assert_eq!(out, "a\\u{1b}b\r\nc:\\u{3a}d [[x]]\\rz");
        let link = text.find("[[x]]").unwrap();
        assert_eq!(&out[shifts.map(link)..shifts.map(link + 5)], "[[x]]");
        assert_eq!(shifts.map(0), 0);
        assert_eq!(&out[shifts.map(2)..shifts.map(3)], "b");
        assert!(terminal_source("clean\r\ntext").1.is_empty());
    }

    #[test]
    fn code_spans_cannot_be_closed() {
        assert_eq!(markdown_code("x"), "`x`");
        assert_eq!(markdown_code("a`b"), "``a`b``");
        assert_eq!(markdown_code("`a``"), "``` `a`` ```");
        assert_eq!(markdown_code("a\nb"), "`a\\nb`");
    }

    #[test]
    fn paths_are_quoted_as_git_quotes_them() {
        // The outputs of `git diff` with core.quotePath=true for these names.
        assert_eq!(patch_path("a/plain name.md"), "a/plain name.md");
        assert_eq!(patch_path("a/café.md"), "\"a/caf\\303\\251.md\"");
        assert_eq!(patch_path("a/say \"hi\".md"), "\"a/say \\\"hi\\\".md\"");
        assert_eq!(patch_path("a/x\ny.md"), "\"a/x\\ny.md\"");
        assert_eq!(patch_path("a/tab\there"), "\"a/tab\\there\"");
        assert_eq!(patch_path("a/q\"b\\c"), "\"a/q\\\"b\\\\c\"");
        assert_eq!(patch_path("a/Über.md"), "\"a/\\303\\234ber.md\"");
        assert_eq!(patch_path("a/\u{1b}\u{7f}\u{7}"), "\"a/\\033\\177\\a\"");
    }
}
