//! Spelling a link to a file's new path: which form the link was written in (a bare name,
//! a relative or an absolute path), the path in that form, and the link's source text with
//! the new path in place, in each syntax (wiki-link, Markdown destination, canvas JSON).
//!
//! Everything here is text in, text out; `super` checks every spelling against the
//! resolver before using it.

use std::ops::Range;

use crate::index::name_key;
use crate::parse::links::split_markdown;

/// How a link names its target. A rewritten link keeps its form while the form still
/// opens the file unambiguously (issue 21); otherwise it takes the vault's
/// [`LinkFormat`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Form {
    /// `[[Note]]`: the file name alone.
    Bare,
    /// `[[./Note]]`, `[[../x/Note]]`: relative to the linking file's folder, with a leading
    /// `./` or `../` (Obsidian's resolver joins these onto the folder).
    DotRelative,
    /// `[[/x/Note]]`: from the vault root with a leading `/`.
    Rooted,
    /// `[[x/Note]]`: the full vault path, Obsidian's "absolute" format.
    Full,
    /// `[x](sub/Note.md)` written in `x/`: relative to the linking file's folder without a
    /// leading `./`, as Obsidian writes relative Markdown links.
    Relative,
    /// `[[sub/Note]]` for `x/sub/Note.md`: the last `n` segments of the path.
    Suffix(usize),
}

/// `.obsidian/app.json`'s `newLinkFormat`: how Obsidian writes a new link, and how `mv`
/// writes a link that cannot keep its form.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) enum LinkFormat {
    /// `shortest` (Obsidian's default): the bare name when no other file has it, else the
    /// full path.
    #[default]
    Shortest,
    /// `relative`: the path from the linking file's folder.
    Relative,
    /// `absolute`: the full vault path.
    Absolute,
}

impl LinkFormat {
    /// The `newLinkFormat` of the text of `.obsidian/app.json`; the default (`shortest`) when
    /// the text is not JSON or the key is missing or unknown, as Obsidian does.
    pub(crate) fn from_app_json(text: &str) -> Self {
        let value: serde_json::Value = serde_json::from_str(text).unwrap_or_default();
        match value
            .get("newLinkFormat")
            .and_then(serde_json::Value::as_str)
        {
            Some("relative") => LinkFormat::Relative,
            Some("absolute") => LinkFormat::Absolute,
            _ => LinkFormat::Shortest,
        }
    }

    /// The form a link takes in this format.
    pub(crate) fn form(self, name_is_unique: bool) -> Form {
        match self {
            LinkFormat::Shortest if name_is_unique => Form::Bare,
            LinkFormat::Shortest | LinkFormat::Absolute => Form::Full,
            LinkFormat::Relative => Form::Relative,
        }
    }
}

/// The folder of a vault path (`""` at the root).
pub(crate) fn folder(path: &str) -> &str {
    path.rfind('/').map_or("", |i| &path[..i])
}

/// Whether `path` is a note, whose links may leave out `.md`.
fn is_md(path: &str) -> bool {
    name_key(path).ends_with(".md")
}

/// Whether a link written as `written` to the file at `target` spells the extension:
/// always for attachments (Obsidian needs it), for notes when the link has `.md`.
pub(crate) fn wants_extension(written: &str, target: &str) -> bool {
    !is_md(target) || name_key(written).ends_with(".md")
}

/// The form of `written` (a link's decoded path), which opened the file at `target` from a
/// file at `source` (vault paths). A path below the source's folder without `./` is
/// [`Form::Relative`] in a Markdown link (`markdown`), as Obsidian writes those, and a
/// partial path ([`Form::Suffix`]) in a wiki-link.
pub(crate) fn classify(written: &str, target: &str, source: &str, markdown: bool) -> Form {
    if written.starts_with("./") || written.starts_with("../") {
        return Form::DotRelative;
    }
    if written.starts_with('/') {
        return Form::Rooted;
    }
    if !written.contains('/') {
        return Form::Bare;
    }
    let key = name_key(written);
    let target_key = name_key(target);
    let same = |k: &str| k == target_key || format!("{k}.md") == target_key;
    if same(&key) {
        return Form::Full;
    }
    let base = name_key(folder(source));
    if markdown && !base.is_empty() && same(&format!("{base}/{key}")) {
        return Form::Relative;
    }
    Form::Suffix(written.split('/').count())
}

/// `target` spelled in `form` for a link in `source` (vault paths), with or without its
/// `.md` extension.
pub(crate) fn spell(form: Form, target: &str, source: &str, extension: bool) -> String {
    let shown = if extension || !is_md(target) {
        target
    } else {
        &target[..target.len() - 3]
    };
    match form {
        Form::Bare => shown.rsplit('/').next().unwrap_or(shown).to_owned(),
        Form::Full => shown.to_owned(),
        Form::Rooted => format!("/{shown}"),
        Form::Relative => relative(folder(source), shown),
        Form::DotRelative => {
            let rel = relative(folder(source), shown);
            if rel.starts_with("../") {
                rel
            } else {
                format!("./{rel}")
            }
        }
        Form::Suffix(n) => {
            let parts: Vec<&str> = shown.split('/').collect();
            parts[parts.len().saturating_sub(n)..].join("/")
        }
    }
}

/// The path from folder `from` to `to` (vault paths; folders compared as Obsidian compares
/// paths, without regard to case): `../` for each folder up, then down.
fn relative(from: &str, to: &str) -> String {
    let from: Vec<&str> = from.split('/').filter(|s| !s.is_empty()).collect();
    let to_parts: Vec<&str> = to.split('/').collect();
    let common = from
        .iter()
        .zip(&to_parts[..to_parts.len() - 1])
        .take_while(|(a, b)| name_key(a) == name_key(b))
        .count();
    let mut out: Vec<&str> = vec![".."; from.len() - common];
    out.extend(&to_parts[common..]);
    out.join("/")
}

/// Whether a wiki-link can hold `path` as its target: Obsidian cuts the target at the first
/// `#` (subpath) and `|` (display), ends it at `]]`, hides `%%…%%`, and lists `^` among the
/// characters that do not work in link targets (reference note, rules 1 and 10).
pub(crate) fn wiki_can_spell(path: &str) -> bool {
    !path.is_empty()
        && path.trim() == path
        && !path.contains(['#', '|', '^', '\n', '\r'])
        && !path.contains("[[")
        && !path.contains("]]")
        && !path.contains("%%")
        && !path.ends_with(['[', ']', '\\'])
}

/// The byte range of the path inside a wiki-link's or embed's source (`[[path#sub|text]]`,
/// `![[…]]`), without the spaces around it that Obsidian trims.
pub(crate) fn wiki_path_range(source: &str) -> Option<Range<usize>> {
    let open = if source.starts_with('!') { 3 } else { 2 };
    let inner = source.get(open..source.len().checked_sub(2)?)?;
    if !source.get(open - 2..open)?.eq("[[") || !source.ends_with("]]") {
        return None;
    }
    let mut target_end = inner.find('|').unwrap_or(inner.len());
    if target_end < inner.len() && inner[..target_end].ends_with('\\') {
        target_end -= 1;
    }
    let path_end = inner[..target_end].find('#').unwrap_or(target_end);
    let path = &inner[..path_end];
    let start = path.len() - path.trim_start().len();
    let end = path.trim_end().len().max(start);
    Some(open + start..open + end)
}

/// The byte range of a Markdown link's destination path (before any `#`) inside its source
/// `[text](dest "title")`, and whether the destination is in `<…>`. The destination is the
/// one whose decoded path and subpath are the link's (`path`, `subpath`); `None` when no
/// inline destination decodes to them (a reference-style link, or escapes the link's
/// source spells differently).
pub(crate) fn markdown_dest_range(
    source: &str,
    path: &str,
    subpath: Option<&str>,
) -> Option<(Range<usize>, bool)> {
    for (at, _) in source.match_indices("](") {
        let mut start = at + 2;
        start += source[start..].len() - source[start..].trim_start().len();
        let rest = &source[start..];
        let (token, angle) = if let Some(inner) = rest.strip_prefix('<') {
            let end = inner.find(['>', '\n'])?;
            ((start + 1)..(start + 1 + end), true)
        } else {
            let mut depth = 0usize;
            let mut end = rest.len();
            let mut chars = rest.char_indices();
            while let Some((i, c)) = chars.next() {
                match c {
                    '\\' => {
                        chars.next();
                    }
                    '(' => depth += 1,
                    ')' if depth == 0 => {
                        end = i;
                        break;
                    }
                    ')' => depth -= 1,
                    c if c.is_whitespace() => {
                        end = i;
                        break;
                    }
                    _ => {}
                }
            }
            (start..start + end, false)
        };
        let raw = &source[token.clone()];
        let decoded = split_markdown(raw.trim());
        if decoded
            .as_ref()
            .is_ok_and(|(p, s)| p == path && s.as_deref() == subpath)
        {
            let path_end = raw.find('#').unwrap_or(raw.len());
            return Some((token.start..token.start + path_end, angle));
        }
    }
    None
}

/// `path` as a Markdown destination that decodes back to it (JavaScript's `decodeURI`,
/// how Obsidian reads one): `%`, spaces, brackets, parentheses and the characters
/// CommonMark or a table would take for syntax are percent-encoded; inside `<…>` spaces and
/// parentheses stay. Non-ASCII characters are encoded only with `ascii`, for links that
/// already encode them. `None` for a path holding `#`: `decodeURI` keeps `%23` as written,
/// so no Markdown link can name such a file.
pub(crate) fn encode_destination(path: &str, angle: bool, ascii: bool) -> Option<String> {
    if path.contains('#') {
        return None;
    }
    let mut out = String::with_capacity(path.len());
    for c in path.chars() {
        let encode = match c {
            '%' | '<' | '>' | '|' | '\\' | '`' | '^' | '"' | '{' | '}' => true,
            ' ' | '(' | ')' | '[' | ']' => !angle,
            c if c.is_control() => true,
            c => ascii && !c.is_ascii(),
        };
        if encode {
            let mut buf = [0u8; 4];
            for b in c.encode_utf8(&mut buf).bytes() {
                out.push_str(&format!("%{b:02X}"));
            }
        } else {
            out.push(c);
        }
    }
    Some(out)
}

/// Whether a Markdown destination percent-encodes non-ASCII characters (`Caf%C3%A9.md`):
/// its rewrite then encodes them too.
pub(crate) fn encodes_non_ascii(destination: &str) -> bool {
    let b = destination.as_bytes();
    b.windows(3).any(|w| {
        w[0] == b'%'
            && std::str::from_utf8(&w[1..])
                .ok()
                .and_then(|h| u8::from_str_radix(h, 16).ok())
                .is_some_and(|v| v >= 0x80)
    })
}

/// A wiki-link or embed (`source`) written as a Markdown link to `path` (not encoded yet),
/// for a target a wiki-link cannot hold (`|` or `^` in its name). The display text stays;
/// without one, the text is what Obsidian showed: the target as written, with ` > ` before
/// a heading. Brackets and backslashes in the text are escaped, and `|` too in a table.
/// `None` when the source is not a wiki-link or the path cannot be a destination.
pub(crate) fn wiki_to_markdown(source: &str, path: &str, in_table: bool) -> Option<String> {
    let embed = source.starts_with('!');
    let open = if embed { 3 } else { 2 };
    let inner = source.get(open..source.len().checked_sub(2)?)?;
    let (target, display) = match inner.find('|') {
        Some(i) => (
            inner[..i].strip_suffix('\\').unwrap_or(&inner[..i]),
            Some(&inner[i + 1..]),
        ),
        None => (inner, None),
    };
    let subpath = target.find('#').map(|i| &target[i + 1..]);
    let text = match display {
        Some(d) => d.to_owned(),
        None => {
            let shown = path.strip_suffix(".md").unwrap_or(path);
            match subpath {
                Some(s) if !s.is_empty() => format!("{shown} > {}", s.replace('#', " > ")),
                _ => shown.to_owned(),
            }
        }
    };
    let mut label = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(c, '[' | ']' | '\\') || (in_table && c == '|') {
            label.push('\\');
        }
        label.push(c);
    }
    let mut dest = encode_destination(path, false, false)?;
    if let Some(s) = subpath {
        dest.push('#');
        dest.push_str(&encode_destination(s, false, false)?);
    }
    Some(format!("{}[{label}]({dest})", if embed { "!" } else { "" }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forms_are_recognised() {
        let t = "Projects/Sub/Plan.md";
        let s = "Projects/Index.md";
        assert_eq!(classify("Plan", t, s, false), Form::Bare);
        assert_eq!(classify("Plan.md", t, s, true), Form::Bare);
        assert_eq!(classify("./Sub/Plan", t, s, false), Form::DotRelative);
        assert_eq!(
            classify("../Projects/Sub/Plan.md", t, s, true),
            Form::DotRelative
        );
        assert_eq!(classify("/Projects/Sub/Plan", t, s, false), Form::Rooted);
        assert_eq!(classify("projects/sub/plan", t, s, false), Form::Full);
        assert_eq!(classify("Sub/Plan.md", t, s, true), Form::Relative);
        assert_eq!(classify("Sub/Plan", t, s, false), Form::Suffix(2));
        assert_eq!(
            classify("Sub/Plan.md", t, "Other/x.md", true),
            Form::Suffix(2)
        );
        assert_eq!(classify("Sub/Plan", t, "x.md", false), Form::Suffix(2));
    }

    #[test]
    fn each_form_is_spelled_from_the_new_paths() {
        let t = "Archive/2024/Plan B.md";
        let s = "Projects/Index.md";
        assert_eq!(spell(Form::Bare, t, s, false), "Plan B");
        assert_eq!(spell(Form::Bare, t, s, true), "Plan B.md");
        assert_eq!(spell(Form::Full, t, s, false), "Archive/2024/Plan B");
        assert_eq!(spell(Form::Rooted, t, s, true), "/Archive/2024/Plan B.md");
        assert_eq!(
            spell(Form::Relative, t, s, true),
            "../Archive/2024/Plan B.md"
        );
        assert_eq!(
            spell(Form::DotRelative, t, "Archive/x.md", false),
            "./2024/Plan B"
        );
        assert_eq!(
            spell(Form::Relative, t, "Archive/x.md", true),
            "2024/Plan B.md"
        );
        assert_eq!(spell(Form::Suffix(2), t, s, false), "2024/Plan B");
        assert_eq!(spell(Form::Suffix(9), t, s, false), "Archive/2024/Plan B");
        // Attachments always keep their extension.
        assert_eq!(spell(Form::Bare, "img/a.png", s, false), "a.png");
        assert!(wants_extension("a", "img/a.png"));
        assert!(!wants_extension("Plan", t));
        assert!(wants_extension("Plan.MD", t));
    }

    #[test]
    fn newlinkformat_is_read_from_app_json() {
        assert_eq!(
            LinkFormat::from_app_json(r#"{"newLinkFormat":"relative"}"#),
            LinkFormat::Relative
        );
        assert_eq!(
            LinkFormat::from_app_json(r#"{"newLinkFormat":"absolute"}"#),
            LinkFormat::Absolute
        );
        assert_eq!(LinkFormat::from_app_json("{}"), LinkFormat::Shortest);
        assert_eq!(LinkFormat::from_app_json("not json"), LinkFormat::Shortest);
        assert_eq!(LinkFormat::Shortest.form(true), Form::Bare);
        assert_eq!(LinkFormat::Shortest.form(false), Form::Full);
    }

    #[test]
    fn wiki_path_ranges_leave_subpath_display_and_escapes() {
        let cases = [
            ("[[Note]]", "Note"),
            ("![[img.png|100]]", "img.png"),
            ("[[Note#Head|Shown]]", "Note"),
            ("[[Note\\|alias]]", "Note"),
            ("[[ spaced #x]]", "spaced"),
            ("[[#Local]]", ""),
            ("[[a/b.md#^blk]]", "a/b.md"),
        ];
        for (source, path) in cases {
            let r = wiki_path_range(source).unwrap();
            assert_eq!(&source[r], path, "{source}");
        }
        assert!(wiki_path_range("[x](y)").is_none());
    }

    #[test]
    fn wiki_targets_refuse_what_obsidian_cuts_at() {
        for ok in ["Note", "a/b c", "Café [draft", "50%", "x.png"] {
            assert!(wiki_can_spell(ok), "{ok}");
        }
        for bad in [
            "C#", "a|b", "x^y", "a]]b", "a[[b", "x%%y", "ends]", " lead", "",
        ] {
            assert!(!wiki_can_spell(bad), "{bad}");
        }
    }

    #[test]
    fn markdown_destinations_are_found_by_what_they_decode_to() {
        let src = "[a (b)](My%20Note.md#Some%20Heading \"title\")";
        let (r, angle) = markdown_dest_range(src, "My Note.md", Some("Some Heading")).unwrap();
        assert_eq!((&src[r], angle), ("My%20Note.md", false));
        let src = "![x](<img dir/a b.png>)";
        let (r, angle) = markdown_dest_range(src, "img dir/a b.png", None).unwrap();
        assert_eq!((&src[r], angle), ("img dir/a b.png", true));
        let src = "[t](a(1).md)";
        let (r, _) = markdown_dest_range(src, "a(1).md", None).unwrap();
        assert_eq!(&src[r], "a(1).md");
        assert!(markdown_dest_range("[t][ref]", "a.md", None).is_none());
    }

    #[test]
    fn destinations_decode_back_to_the_path() {
        for path in [
            "Plan B.md",
            "50% done.md",
            "a|b^c [x] (y).md",
            "Café.md",
            "tabs\tand`ticks`.md",
            "%23 not a hash.md",
        ] {
            for (angle, ascii) in [(false, false), (false, true), (true, false)] {
                let dest = encode_destination(path, angle, ascii).unwrap();
                let wrapped = if angle {
                    format!("<{dest}>")
                } else {
                    dest.clone()
                };
                let source = format!("[t]({wrapped})");
                let (r, _) = markdown_dest_range(&source, path, None)
                    .unwrap_or_else(|| panic!("{path} -> {source}"));
                assert_eq!(&source[r], dest);
                if !angle {
                    assert!(!dest.contains([' ', '(', ')']), "{dest}");
                }
                if ascii {
                    assert!(dest.is_ascii(), "{dest}");
                }
            }
        }
        assert_eq!(encode_destination("C#.md", false, false), None);
        assert!(encodes_non_ascii("Caf%C3%A9.md"));
        assert!(!encodes_non_ascii("Plan%20B.md"));
    }

    #[test]
    fn wiki_links_become_markdown_links_when_the_name_needs_it() {
        assert_eq!(
            wiki_to_markdown("[[Old#Goals|the plan]]", "a|b.md", false).unwrap(),
            "[the plan](a%7Cb.md#Goals)"
        );
        assert_eq!(
            wiki_to_markdown("![[Old]]", "x^y.png", false).unwrap(),
            "![x^y.png](x%5Ey.png)"
        );
        assert_eq!(
            wiki_to_markdown("[[Old#A B]]", "Dir/x^y.md", true).unwrap(),
            "[Dir/x^y > A B](Dir/x%5Ey.md#A%20B)"
        );
        assert_eq!(
            wiki_to_markdown("[[Old\\|a|b]]", "p|q.md", true).unwrap(),
            "[a\\|b](p%7Cq.md)"
        );
        assert_eq!(wiki_to_markdown("[[Old]]", "C#.md", false), None);
    }
}
