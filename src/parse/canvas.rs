//! Canvases (`.canvas`, JSON Canvas 1.0) as Obsidian indexes them: a file node links to the
//! file its `file` names (with its `subpath` checked like a heading or block), and a text
//! node is Markdown whose links resolve as in a note.
//!
//! The JSON is parsed with serde_json. Each node and field is borrowed as a `RawValue`, a
//! slice of the canvas text, so its byte offset gives the line and column of a finding.

use serde::Deserialize;
use serde_json::value::RawValue;

use super::{LineIndex, LinkKind, NewLink, Note};
use crate::diagnostic::Span;

/// A canvas read as a note: its links (file nodes first met, then text-node links, in
/// document order) with their places in the JSON, and the node each came from.
#[derive(Debug, Clone, Default)]
pub struct Canvas {
    /// The links, with spans into the canvas text; no front matter, headings or blocks.
    pub note: Note,
    /// Parallel to `note.links`: the `id` of the node holding each link.
    pub nodes: Vec<Box<str>>,
    /// Why the canvas is not JSON Canvas, where the JSON parser stopped.
    pub error: Option<(String, Span)>,
}

#[derive(Deserialize)]
struct RawCanvas<'a> {
    #[serde(borrow, default)]
    nodes: Vec<&'a RawValue>,
}

/// A node's fields, each kept as its JSON text: strings are decoded by [`js_string`], as
/// JavaScript decodes them (serde_json refuses a lone surrogate escape, which would lose
/// the node).
#[derive(Deserialize)]
struct RawNode<'a> {
    #[serde(borrow, default)]
    id: Option<&'a RawValue>,
    #[serde(borrow, rename = "type", default)]
    kind: Option<&'a RawValue>,
    #[serde(borrow, default)]
    file: Option<&'a RawValue>,
    #[serde(borrow, default)]
    subpath: Option<&'a RawValue>,
    #[serde(borrow, default)]
    text: Option<&'a RawValue>,
}

/// A JSON string decoded as JavaScript's `JSON.parse` decodes it: a `\u` escape of a lone
/// UTF-16 surrogate (valid JSON) becomes U+FFFD, where serde_json (rightly, for Rust
/// strings) refuses the whole string. Returns the string and whether such an escape was
/// met; `None` when `raw` is not a JSON string.
pub(crate) fn js_string(raw: &str) -> Option<(String, bool)> {
    // The common case; only a string serde_json refuses is decoded by hand.
    if let Ok(s) = serde_json::from_str::<String>(raw) {
        return Some((s, false));
    }
    let body = raw.strip_prefix('"')?.strip_suffix('"')?;
    let mut out = String::with_capacity(body.len());
    let mut lone = false;
    let mut chars = body.chars();
    let hex = |chars: &mut std::str::Chars<'_>| -> Option<u32> {
        let digits: String = chars.by_ref().take(4).collect();
        (digits.len() == 4)
            .then(|| u32::from_str_radix(&digits, 16).ok())
            .flatten()
    };
    let mut pending_high: Option<u32> = None;
    while let Some(c) = chars.next() {
        let unit = if c == '\\' {
            match chars.next()? {
                'u' => Some(hex(&mut chars)?),
                e => {
                    out.push(match e {
                        '"' => '"',
                        '\\' => '\\',
                        '/' => '/',
                        'b' => '\u{8}',
                        'f' => '\u{c}',
                        'n' => '\n',
                        'r' => '\r',
                        't' => '\t',
                        _ => return None,
                    });
                    None
                }
            }
        } else {
            None
        };
        // A high surrogate waits for the next unit; anything else than a low one makes it
        // lone.
        if let Some(high) = pending_high.take() {
            match unit {
                Some(low @ 0xDC00..=0xDFFF) => {
                    let code = 0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00);
                    out.push(char::from_u32(code)?);
                    continue;
                }
                _ => {
                    out.push(char::REPLACEMENT_CHARACTER);
                    lone = true;
                }
            }
        }
        match unit {
            Some(high @ 0xD800..=0xDBFF) => pending_high = Some(high),
            Some(0xDC00..=0xDFFF) => {
                out.push(char::REPLACEMENT_CHARACTER);
                lone = true;
            }
            Some(u) => out.push(char::from_u32(u)?),
            None if c != '\\' => out.push(c),
            None => {}
        }
    }
    if pending_high.is_some() {
        out.push(char::REPLACEMENT_CHARACTER);
        lone = true;
    }
    Some((out, lone))
}

/// Byte offset of a slice borrowed from `text` (a `RawValue` of it).
fn offset_in(text: &str, part: &str) -> usize {
    (part.as_ptr() as usize)
        .saturating_sub(text.as_ptr() as usize)
        .min(text.len())
}

/// Reads a canvas. Never fails: JSON that does not parse, or a node that is not an
/// object, becomes `Canvas::error`, and the nodes read before it keep their links.
pub fn parse_canvas(text: &str) -> Canvas {
    let lines = LineIndex::new(text);
    let mut canvas = Canvas {
        note: Note {
            line_count: lines.line_count(),
            ..Note::default()
        },
        ..Canvas::default()
    };
    if text.trim().is_empty() {
        // Obsidian writes `{}` for a new canvas and reads an empty file as one.
        return canvas;
    }
    let raw: RawCanvas<'_> = match serde_json::from_str(text) {
        Ok(raw) => raw,
        Err(e) => {
            canvas.error = Some((json_message(&e), error_span(text, &lines, &e)));
            return canvas;
        }
    };
    for node_raw in raw.nodes {
        let node: RawNode<'_> = match serde_json::from_str(node_raw.get()) {
            Ok(n) => n,
            Err(e) => {
                let at = offset_in(text, node_raw.get());
                canvas.error = Some((
                    format!("a node is not a JSON Canvas node: {}", json_message(&e)),
                    lines.span(at, at + 1),
                ));
                continue;
            }
        };
        let mut decode = |raw: Option<&RawValue>| -> Option<String> {
            let raw = raw?.get();
            let (s, lone) = js_string(raw)?;
            if lone {
                let at = offset_in(text, raw);
                canvas
                    .note
                    .lone_surrogates
                    .push(lines.span(at, at + raw.len()));
            }
            Some(s)
        };
        let id: Box<str> = decode(node.id).unwrap_or_default().into();
        let kind = decode(node.kind);
        match kind.as_deref() {
            Some("file") => {
                let subpath = decode(node.subpath);
                if let Some(file_raw) = node.file {
                    if let Some(file) = decode(Some(file_raw)) {
                        let start = offset_in(text, file_raw.get());
                        let subpath = subpath
                            .map(|s| s.strip_prefix('#').unwrap_or(&s).to_owned())
                            .filter(|s| !s.is_empty());
                        canvas.note.push_link(NewLink {
                            kind: LinkKind::CanvasFile,
                            span: lines.span(start, start + file_raw.get().len()),
                            original: file_raw.get(),
                            at: None,
                            trailing: "",
                            path: &file,
                            subpath: subpath.as_deref(),
                            display: None,
                            problem: None,
                            in_comment: false,
                            table: None,
                        });
                        canvas.nodes.push(id);
                    }
                }
            }
            Some("text") => {
                if let Some(text_raw) = node.text {
                    if let Some(markdown) = decode(Some(text_raw)) {
                        let base = offset_in(text, text_raw.get());
                        let node_note = super::parse_note(&markdown);
                        let spans = text_node_spans(&node_note, text_raw.get(), base, &lines);
                        for (i, span) in spans {
                            if let Some(link) = node_note.link(i) {
                                canvas.note.push_link(link.to_new(span));
                                canvas.nodes.push(id.clone());
                            }
                        }
                    }
                }
            }
            _ => {}
        }
    }
    canvas
}

/// The links of a text node in document order, as their index in `note` and their span
/// moved into the canvas: each link's source is
/// looked up, JSON-escaped, in the node's raw `text` string, searching forward from the
/// previous link (links come in document order, and the JSON keeps that order). A link
/// that cannot be found there (escaped differently) and every link after it point at the
/// start of the string instead, so the search stays linear.
fn text_node_spans(note: &Note, raw: &str, base: usize, lines: &LineIndex) -> Vec<(usize, Span)> {
    let mut order: Vec<usize> = (0..note.link_count()).collect();
    order.sort_by_key(|&i| note.link(i).map_or(0, |l| l.span.start));
    let mut cursor = Some(0usize);
    order
        .into_iter()
        .filter_map(|i| {
            let link = note.link(i)?;
            let escaped = serde_json::to_string(link.original()).unwrap_or_default();
            let escaped = escaped
                .strip_prefix('"')
                .and_then(|e| e.strip_suffix('"'))
                .unwrap_or_default();
            let found = cursor.filter(|_| !escaped.is_empty()).and_then(|from| {
                raw.get(from..)
                    .and_then(|r| r.find(escaped))
                    .map(|i| from + i)
            });
            cursor = found.map(|start| start + escaped.len());
            let span = match found {
                Some(start) => lines.span(base + start, base + start + escaped.len()),
                None => lines.span(base, base + raw.len()),
            };
            Some((i, span))
        })
        .collect()
}

fn json_message(e: &serde_json::Error) -> String {
    let message = e.to_string();
    match message.rfind(" at line ") {
        Some(i) => message[..i].to_owned(),
        None => message,
    }
}

/// serde_json reports a 1-based line and column; the span covers the character there.
fn error_span(text: &str, lines: &LineIndex, e: &serde_json::Error) -> Span {
    let line0 = e.line().saturating_sub(1);
    let start = lines.line_start(line0);
    let line_text = text.get(start..).unwrap_or_default();
    let col = e.column().saturating_sub(1);
    let (at, width) = line_text
        .char_indices()
        .nth(col)
        .map_or((line_text.len(), 0), |(b, c)| (b, c.len_utf8()));
    lines.span(start + at, start + at + width)
}

#[cfg(test)]
mod tests {
    use super::*;

    const CANVAS: &str = r##"{
	"nodes":[
		{"id":"n1","type":"file","file":"Notes/Plan.md","subpath":"#Goals","x":0,"y":0,"width":400,"height":400},
		{"id":"n2","type":"text","text":"# Board\n\nSee [[Missing]] and [[Plan#Goals]].\nAgain [[Missing]].","x":0,"y":0,"width":1,"height":1},
		{"id":"n3","type":"link","url":"https://example.org"},
		{"id":"n4","type":"group","label":"G"}
	],
	"edges":[]
}"##;

    #[test]
    fn file_and_text_nodes_become_links_located_in_the_json() {
        let canvas = parse_canvas(CANVAS);
        assert!(canvas.error.is_none());
        let got: Vec<_> = canvas
            .note
            .links()
            .zip(&canvas.nodes)
            .map(|(l, n)| {
                (
                    l.kind,
                    l.path(),
                    l.subpath(),
                    &**n,
                    l.span.line,
                    l.span.column,
                )
            })
            .collect();
        let col_on = |line: usize, needle: &str, skip: usize| {
            let line = CANVAS.lines().nth(line).unwrap();
            u32::try_from(line.match_indices(needle).nth(skip).unwrap().0 + 1).unwrap()
        };
        let col = |needle: &str, skip: usize| col_on(3, needle, skip);
        assert_eq!(
            got,
            [
                (
                    LinkKind::CanvasFile,
                    "Notes/Plan.md",
                    Some("Goals"),
                    "n1",
                    3,
                    col_on(2, "\"Notes/Plan.md\"", 0)
                ),
                (
                    LinkKind::Wiki,
                    "Missing",
                    None,
                    "n2",
                    4,
                    col("[[Missing]]", 0)
                ),
                (
                    LinkKind::Wiki,
                    "Plan",
                    Some("Goals"),
                    "n2",
                    4,
                    col("[[Plan#Goals]]", 0)
                ),
                (
                    LinkKind::Wiki,
                    "Missing",
                    None,
                    "n2",
                    4,
                    col("[[Missing]]", 1)
                ),
            ]
        );
    }

    #[test]
    fn lone_surrogates_decode_as_javascript_does_and_keep_the_links() {
        assert_eq!(
            js_string(r#""a\ud800b""#),
            Some(("a\u{fffd}b".to_owned(), true))
        );
        assert_eq!(
            js_string(r#""\udc00""#),
            Some(("\u{fffd}".to_owned(), true))
        );
        assert_eq!(
            js_string(r#""\ud800""#),
            Some(("\u{fffd}".to_owned(), true))
        );
        assert_eq!(
            js_string(r#""\ud800\ud83d\ude00\n\"""#),
            Some(("\u{fffd}😀\n\"".to_owned(), true))
        );
        assert_eq!(js_string(r#""plain""#), Some(("plain".to_owned(), false)));
        assert_eq!(js_string("12"), None);
        let canvas = parse_canvas(
            r#"{"nodes":[{"id":"t","type":"text","text":"\ud800 [[Missing]] and [[Other]]"}]}"#,
        );
        assert!(canvas.error.is_none());
        let paths: Vec<&str> = canvas.note.links().map(|l| l.path()).collect();
        assert_eq!(paths, ["Missing", "Other"]);
        assert_eq!(canvas.note.lone_surrogates.len(), 1);
        assert_eq!(canvas.note.lone_surrogates[0].column, 42);
    }

    #[test]
    fn bad_json_is_an_error_with_a_position() {
        let canvas = parse_canvas("{\n  \"nodes\": [\n    {\"id\": \"a\",}\n  ]\n}\n");
        let (message, span) = canvas.error.unwrap();
        assert!(message.contains("key must be a string"), "{message}");
        assert_eq!(span.line, 3);
        assert!(parse_canvas("").error.is_none());
        assert!(parse_canvas("{\"nodes\": [1]}").error.is_some());
    }
}
