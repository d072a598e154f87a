//! Parsing one note into the model the rules read: front matter, links, headings, block ids.
//!
//! `parse_note` never fails. Anything odd about the note becomes data on `Note` and a rule
//! turns it into a diagnostic. Byte offsets always refer to the note's original text: the
//! front matter and `%%comments%%` are masked with spaces (newlines kept) before Markdown
//! parsing, so positions and line numbers survive.

mod callout;
pub mod frontmatter;
mod heading;
pub(crate) mod links;
mod markdown;

use std::ops::Range;

use serde_json::Value;

use crate::diagnostic::{LineIndex, Span};
pub use frontmatter::{FrontMatterCut, YamlError};
pub(crate) use heading::{heading_key, HeadingChars};
pub use links::{Link, LinkKind, LinkProblem, TableCell};

/// An ATX (`## Text`) or setext (`Text` over `===`) heading, a target of `[[Note#Heading]]`
/// (reference note, rules 4 and 33).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Heading {
    /// 1 to 6: the number of `#` marks; setext headings are 1 (`===`) or 2 (`---`).
    pub level: u8,
    /// The source text after the `#` marks, inline Markdown included, trimmed, without a
    /// closing `#` sequence (a setext heading's lines joined by spaces).
    pub raw: String,
    /// `raw` as Obsidian compares it: stripped of punctuation, lower-cased (rule 33).
    pub key: String,
    /// The rendered text, inline markup removed.
    pub plain: String,
    /// `plain` as Obsidian compares it.
    pub plain_key: String,
    /// The whole heading, `#` marks (or setext underline) included, trailing whitespace not.
    pub span: Span,
}

/// A block id: ` ^id` at the end of a paragraph's or list item's last line, or `^id` on a
/// line of its own (reference note, rule 34); the target of `[[Note#^id]]` (rule 5).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BlockId {
    /// The id as written, without the `^`: ASCII letters, digits and `-`.
    pub id: String,
    /// From the `^` to the end of the id.
    pub span: Span,
}

/// An Obsidian comment whose text starts with `vaultlint-`: a suppression directive.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Directive {
    /// The comment's text without the `%%` fences, trimmed, e.g.
    /// `vaultlint-disable-next-line broken-link`.
    pub text: String,
    /// The whole comment, `%%` fences included.
    pub span: Span,
}

/// A top-level front matter key, with the position of the key and of its inline value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PropertyKey {
    /// The key as written, quotes removed (Obsidian matches most keys without regard to
    /// case, reference note, rule 21).
    pub name: String,
    /// The key, quotes included, without the `:`.
    pub span: Span,
    /// The value on the key's own line, trimmed; empty (`start == end`) when the value is
    /// a block on the following lines.
    pub value: Span,
}

/// A note's front matter: a YAML block from a `---` first line to the next `---` line
/// (reference note, rule 18).
#[derive(Debug, Clone, Default)]
pub enum FrontMatter {
    /// The note does not start with a `---` line.
    #[default]
    None,
    /// The YAML parsed.
    Parsed {
        /// From the opening `---` to the end of the closing fence's line.
        span: Span,
        /// The YAML as a generic value; `Null` when the block is empty or blank.
        value: Value,
        /// The top-level keys, in order, found from the source lines.
        keys: Vec<PropertyKey>,
    },
    /// The YAML does not parse; Obsidian then ignores every property of the note.
    Invalid {
        /// From the opening `---` to the end of the closing fence's line.
        span: Span,
        /// The parser's message, without its own position.
        error: String,
        /// Where the parser stopped (an empty span).
        at: Span,
    },
    /// A `---` first line with no closing fence: Obsidian shows it as text.
    Unclosed {
        /// The opening `---` line, trailing whitespace excluded.
        span: Span,
    },
}

impl FrontMatter {
    pub(crate) fn value(&self) -> Option<&Value> {
        match self {
            FrontMatter::Parsed { value, .. } => Some(value),
            _ => None,
        }
    }
}

/// One note, parsed: everything the rules read about it. Spans are into the note's text
/// as given to [`parse_note`].
#[derive(Debug, Clone, Default)]
pub struct Note {
    /// The front matter block, if the note starts with one.
    pub front_matter: FrontMatter,
    /// Every internal link and embed in source order: quoted property links first, then the
    /// body's wiki-links, embeds, Markdown links and images. External Markdown
    /// destinations (`https:`, `mailto:`) and links in code, math, HTML comments and
    /// `%%comments%%` are not here (reference note, rules 26 to 28).
    pub links: Vec<Link>,
    /// The headings, in order.
    pub headings: Vec<Heading>,
    /// The block ids, in order.
    pub block_ids: Vec<BlockId>,
    /// `[[a|b]]` written inside a table row without escaping the pipe (reference note,
    /// rule 9): each such `[[`…`]]`, an embed's `!` included.
    pub table_pipes: Vec<Span>,
    /// `%% vaultlint-… %%` comments, in order.
    pub directives: Vec<Directive>,
    /// `ID: value` lines in callouts and blockquotes, with the value's span.
    pub callout_ids: Vec<(String, Span)>,
    /// Lines in the text: line breaks plus one (a final line break starts an empty line).
    pub line_count: usize,
}

/// What other notes need to know about a note, kept for the whole run while the note's
/// links and text are dropped: its headings, block ids and front matter aliases.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Outline {
    /// The note's headings, in order.
    pub headings: Vec<OutlineHeading>,
    /// Lower-cased block ids, one per line (one allocation per note, not one per id).
    block_ids: Box<str>,
    /// String entries of `aliases`, as Obsidian reads them (reference note, rule 21).
    pub aliases: Vec<Box<str>>,
    /// String entries of the deprecated `alias` key, which ATT&CK vaults still use (rule 22).
    pub alias: Vec<Box<str>>,
    /// String entries of the `id` property: the identifier generated notes state.
    pub id: Vec<Box<str>>,
    /// String entries of the `url` property: the page a generated note was made from.
    pub url: Vec<Box<str>>,
    /// `ID: value` lines in callouts and blockquotes (`> ID: G0016`), with the value's span.
    pub callout_ids: Vec<(Box<str>, Span)>,
}

/// A heading as an outline keeps it: enough to match a link's subpath against it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutlineHeading {
    /// 1 to 6, as [`Heading::level`].
    pub level: u8,
    /// The source text, as [`Heading::raw`].
    pub raw: Box<str>,
    /// The rendered text (inline markup removed), when it compares differently from `raw`.
    pub plain: Option<Box<str>>,
}

impl OutlineHeading {
    /// The heading as Obsidian compares it (`heading_key`).
    pub(crate) fn key(&self) -> String {
        heading_key(&self.raw)
    }

    /// Whether a subpath piece, in key form, names this heading.
    pub(crate) fn matches(&self, key: &str) -> bool {
        HeadingChars::new(&self.raw, true).eq(key.chars())
            || self
                .plain
                .as_deref()
                .is_some_and(|p| HeadingChars::new(p, true).eq(key.chars()))
    }
}

impl Outline {
    pub(crate) fn block_ids(&self) -> impl Iterator<Item = &str> {
        self.block_ids.split('\n').filter(|b| !b.is_empty())
    }
}

impl Outline {
    /// The outline of a parsed note: its headings, its block ids lower-cased (reference
    /// note, rule 35) and the string entries of `aliases` and `alias` (rules 21 and 22).
    pub fn of(note: &Note) -> Self {
        let headings = note
            .headings
            .iter()
            .map(|h| OutlineHeading {
                level: h.level,
                raw: h.raw.as_str().into(),
                plain: (h.plain_key != h.key).then(|| h.plain.as_str().into()),
            })
            .collect();
        let block_ids = note
            .block_ids
            .iter()
            .map(|b| b.id.to_lowercase())
            .collect::<Vec<_>>()
            .join(
                "
",
            )
            .into_boxed_str();
        let entries = |key: &str| -> Vec<Box<str>> {
            note.front_matter
                .value()
                .and_then(|v| frontmatter::property(v, key))
                .map(|v| {
                    frontmatter::string_entries(v)
                        .into_iter()
                        .map(String::into_boxed_str)
                        .collect()
                })
                .unwrap_or_default()
        };
        Outline {
            headings,
            block_ids,
            aliases: entries("aliases"),
            alias: entries("alias"),
            id: entries("id"),
            url: entries("url"),
            callout_ids: note
                .callout_ids
                .iter()
                .map(|(v, s)| (v.as_str().into(), *s))
                .collect(),
        }
    }
}

/// How much of a note to build: the outline pass skips links.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Depth {
    Outline,
    Full,
}

/// Parses a note's text (its UTF-8 BOM already removed, as [`crate::vault::decode_note`]
/// does) into everything the rules read. Never fails: anything odd about the note is data
/// on the [`Note`], which a rule turns into a finding.
pub fn parse_note(text: &str) -> Note {
    parse(text, Depth::Full)
}

/// Parses a note; with `Depth::Outline` the links are not built (headings, block ids and
/// front matter are).
pub(crate) fn parse(text: &str, depth: Depth) -> Note {
    let lines = LineIndex::new(text);
    let mut note = Note {
        line_count: lines.line_count(),
        ..Note::default()
    };
    let mut masked: Option<Vec<u8>> = None;
    match frontmatter::cut(text) {
        FrontMatterCut::None => {}
        FrontMatterCut::Unclosed { opening } => {
            note.front_matter = FrontMatter::Unclosed {
                span: lines.span(opening.start, opening.end),
            };
        }
        FrontMatterCut::Block(block) => {
            let span = lines.span(block.range.start, block.range.end);
            note.front_matter = match frontmatter::parse_yaml(text, &block) {
                Ok(value) => FrontMatter::Parsed {
                    span,
                    value,
                    keys: frontmatter::top_level_keys(text, &block)
                        .into_iter()
                        .map(|k| PropertyKey {
                            span: lines.span(k.range.start, k.range.end),
                            value: lines.span(k.value.start, k.value.end),
                            name: k.name,
                        })
                        .collect(),
                },
                Err(YamlError { message, offset }) => FrontMatter::Invalid {
                    span,
                    error: message,
                    at: lines.span(offset, offset),
                },
            };
            if depth == Depth::Full {
                property_links(text, &block.yaml, &lines, &mut note.links);
            }
            mask(
                masked.get_or_insert_with(|| text.as_bytes().to_vec()),
                block.range,
            );
        }
    }
    if text.contains("%%") {
        let buf = masked.get_or_insert_with(|| text.as_bytes().to_vec());
        let comments = markdown::comment_ranges(std::str::from_utf8(buf).unwrap_or_default());
        for range in comments {
            if let Some(inner) =
                text.get(range.start + 2..range.end.saturating_sub(2).max(range.start + 2))
            {
                let inner = inner.trim();
                if inner.starts_with("vaultlint-") {
                    note.directives.push(Directive {
                        text: inner.to_owned(),
                        span: lines.span(range.start, range.end),
                    });
                }
            }
            mask(buf, range);
        }
    }
    let body = match &masked {
        Some(bytes) => std::str::from_utf8(bytes).unwrap_or(text),
        None => text,
    };
    markdown::walk(text, body, &lines, depth, &mut note);
    if body.contains("ID:") {
        note.callout_ids = callout::id_lines(body, &lines);
    }
    note
}

/// Blanks a byte range with spaces, keeping line breaks so line numbers stay right.
fn mask(bytes: &mut [u8], range: Range<usize>) {
    let end = range.end.min(bytes.len());
    for b in bytes
        .get_mut(range.start.min(end)..end)
        .into_iter()
        .flatten()
    {
        if *b != b'\n' && *b != b'\r' {
            *b = b' ';
        }
    }
}

/// Links in quoted front matter values (reference note, rule 19). An unquoted `[[x]]` is
/// a nested YAML list, which Obsidian does not read as a link; it is kept with a problem.
fn property_links(text: &str, yaml: &Range<usize>, lines: &LineIndex, out: &mut Vec<Link>) {
    let Some(yaml_text) = text.get(yaml.clone()) else {
        return;
    };
    let mut offset = yaml.start;
    for line in yaml_text.split_inclusive('\n') {
        let mut search = 0;
        while let Some(open) = line
            .get(search..)
            .and_then(|l| l.find("[["))
            .map(|i| i + search)
        {
            let Some(close) = line
                .get(open + 2..)
                .and_then(|l| l.find("]]"))
                .map(|i| i + open + 2)
            else {
                break;
            };
            let inner = line.get(open + 2..close).unwrap_or_default();
            let before = line.get(..open).unwrap_or_default();
            let value_part = before.split_once(": ").map_or(before, |(_, v)| v);
            let quoted = value_part.matches('"').count() % 2 == 1
                || value_part.matches('\'').count() % 2 == 1;
            let (path, subpath, display) = links::split_wiki(inner);
            let start = offset + open;
            let end = offset + close + 2;
            out.push(Link {
                kind: LinkKind::Property,
                span: lines.span(start, end),
                original: line.get(open..close + 2).unwrap_or_default().into(),
                path,
                subpath,
                display,
                problem: (!quoted).then_some(LinkProblem::UnquotedProperty),
                table: None,
                trailing: "".into(),
            });
            search = close + 2;
        }
        offset += line.len();
    }
}

#[cfg(test)]
mod tests;
