//! Parsing one note into the model the rules read: front matter, links, headings, block ids.
//!
//! `parse_note` never fails. Anything odd about the note becomes data on `Note` and a rule
//! turns it into a diagnostic. Byte offsets always refer to the note's original text: the
//! front matter and `%%comments%%` are masked with spaces (newlines kept) before Markdown
//! parsing, so positions and line numbers survive.

mod callout;
pub mod canvas;
mod events;
pub mod frontmatter;
mod heading;
mod line_index;
pub(crate) mod links;
pub(crate) mod lookup;
mod markdown;
mod tactics;
mod value_record;

use std::ops::Range;

use serde_json::Value;

use crate::diagnostic::Span;
pub use canvas::{parse_canvas, Canvas};
pub use frontmatter::{FrontMatterCut, YamlError};
pub(crate) use heading::{heading_key, key_hash, strip_heading, HeadingChars};
pub(crate) use line_index::LineIndex;
pub(crate) use links::NewLink;
pub use links::{Link, LinkKind, LinkProblem, LinkRef, TableCell};
pub(crate) use tactics::tactic_ids_in;
pub use tactics::{TacticItem, TacticList};

/// A top-level heading (not inside a blockquote, callout, list item or footnote), as
/// Obsidian's metadata cache records it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Heading {
    /// 1 to 6.
    pub level: u8,
    /// The source text after the `#` marks (or above the setext underline), inline Markdown,
    /// links and footnote references included: Obsidian keys a heading by this text, never
    /// by its rendered form.
    pub raw: String,
    /// The heading, without its trailing line break: the `#` line, or for a setext heading
    /// its text lines and the `===`/`---` underline.
    pub span: Span,
}

impl Heading {
    /// `raw` as Obsidian compares it: stripped of punctuation, lower-cased (rule 33). Built
    /// on demand: no rule needs it for every heading of every note.
    pub fn key(&self) -> String {
        heading_key(&self.raw)
    }
}

/// A `^id` that ends a paragraph, list item or block (reference note, rule 34).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct BlockId {
    /// The id without `^`, as written (links match it without regard to case).
    pub id: String,
    /// The `^id` in the note.
    pub span: Span,
}

/// An Obsidian comment whose text starts with `vaultlint-`: a suppression directive.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Directive {
    /// The comment's text, trimmed, starting with `vaultlint-`.
    pub text: String,
    /// The whole comment, `%%` marks included.
    pub span: Span,
}

/// A top-level front matter key, with the position of the key and of its inline value.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct PropertyKey {
    /// The key, unquoted.
    pub name: String,
    /// The key in the note.
    pub span: Span,
    /// The value on the key's own line (empty for a block value).
    pub value: Span,
}

/// A note's front matter as Obsidian reads it.
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
pub enum FrontMatter {
    /// The note does not open with `---`.
    #[default]
    None,
    /// Valid YAML: the note's properties.
    Parsed {
        /// The whole block, fences included.
        span: Span,
        /// The properties as a generic value (in a note's record, as [`value_record`]'s
        /// tagged form: `postcard` cannot read a self-describing value back).
        #[serde(with = "value_record")]
        value: Value,
        /// Its top-level keys, in order.
        keys: Vec<PropertyKey>,
    },
    /// YAML that does not parse: Obsidian has no properties for the note.
    Invalid {
        /// The whole block, fences included.
        span: Span,
        /// The parser's message.
        error: String,
        /// Where the parser stopped.
        at: Span,
    },
    /// An opening `---` that no `---` line closes: Obsidian shows it as text.
    Unclosed {
        /// The opening line.
        span: Span,
    },
}

impl Note {
    /// Its links, in document order, each with its text.
    pub fn links(&self) -> impl ExactSizeIterator<Item = LinkRef<'_>> + Clone + '_ {
        self.links.iter().map(move |l| LinkRef::new(l, self))
    }

    /// The link at `index` in document order.
    pub fn link(&self, index: usize) -> Option<LinkRef<'_>> {
        self.links.get(index).map(|l| LinkRef::new(l, self))
    }

    /// How many links it has.
    pub fn link_count(&self) -> usize {
        self.links.len()
    }

    /// Adds a link at the end.
    pub(crate) fn push_link(&mut self, new: NewLink<'_>) {
        let link = links::push_link(
            &mut self.link_text,
            &mut self.region,
            &mut self.table_cells,
            new,
        );
        self.links.push(link);
    }

    /// Puts the link at `index` in a table row.
    fn set_table(&mut self, index: usize, cell: TableCell) {
        if let Some(link) = self.links.get_mut(index) {
            links::set_table(link, &mut self.table_cells, cell);
        }
    }

    /// Drops what only adding links needed.
    fn finish_links(&mut self) {
        self.region = None;
    }

    /// The table rows of its links, in the order they were set, for the record's writer
    /// and reader (`check::records`), which keep the rows of one table sharing its header.
    pub(crate) fn table_cells_mut(&mut self) -> &mut [TableCell] {
        &mut self.table_cells
    }

    /// The table rows of its links (see [`Note::table_cells_mut`]).
    pub(crate) fn table_cells(&self) -> &[TableCell] {
        &self.table_cells
    }
}

impl FrontMatter {
    /// The properties, when the YAML parsed.
    pub fn value(&self) -> Option<&Value> {
        match self {
            FrontMatter::Parsed { value, .. } => Some(value),
            _ => None,
        }
    }
}

/// A note parsed in full: what the rules read in the check pass.
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
pub struct Note {
    /// Its front matter, parsed or not.
    pub front_matter: FrontMatter,
    /// Every link Obsidian indexes, in document order: property links, body links and the
    /// links inside `%%` comments. Read through [`Note::links`].
    links: Vec<Link>,
    /// The links' text: each link's source and trailing text (links close together share
    /// one copy of the text they cover) and the parts that decoding changed. One string per
    /// note instead of several per link.
    link_text: String,
    /// The table rows of the links in tables ([`Link`] holds an index).
    table_cells: Vec<TableCell>,
    /// The last run of the note's text copied into `link_text`, while links are added.
    #[serde(skip)]
    region: Option<links::Region>,
    /// Top-level headings, in order.
    pub headings: Vec<Heading>,
    /// Block ids, in order.
    pub block_ids: Vec<BlockId>,
    /// `[[a|b]]` written inside a table row without escaping the pipe (reference note,
    /// rule 9): each such `[[`…`]]`, an embed's `!` included.
    pub table_pipes: Vec<Span>,
    /// `%% vaultlint-… %%` suppression comments.
    pub directives: Vec<Directive>,
    /// `ID: value` lines in callouts and blockquotes, with the value's span.
    pub callout_ids: Vec<(String, Span)>,
    /// The tactic lists a technique note may write ([`tactics`]): the items under a
    /// `Tactic(s)` heading, then a `Tactic(s):` callout line.
    pub tactic_lists: Vec<TacticList>,
    /// Lines in the text: line breaks plus one (a final line break starts an empty line).
    pub line_count: usize,
    /// In a canvas: JSON strings holding a lone UTF-16 surrogate escape (`"\ud800"`), valid
    /// JSON that JavaScript, and so Obsidian, reads with U+FFFD in its place; each string's
    /// span in the canvas. Their links are kept; `invalid-canvas` reports the strings.
    pub lone_surrogates: Vec<Span>,
}

/// What other notes need to know about a note, kept for the whole run while the note's
/// links and text are dropped: its headings, block ids and front matter aliases.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Outline {
    /// Top-level headings, in order.
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
    /// Identifier-like string values anywhere in the front matter (nested maps and lists
    /// included) with their key path, lower-cased and joined with `.` (`mitre.id`,
    /// `technique_ids`): what generated notes use to state an identifier under keys of
    /// their own ([`identifier_properties`]).
    pub identifiers: Vec<(Box<str>, Box<str>)>,
    /// Hash lookups for notes with many headings or block ids (`None` for small ones).
    /// Not stored in the cache: rebuilt from the rest ([`Outline::with_lookup`]).
    #[serde(skip)]
    pub lookup: Option<Box<lookup::OutlineLookup>>,
}

/// A heading as other notes' links see it: its level and raw source text.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct OutlineHeading {
    /// 1 to 6.
    pub level: u8,
    /// The source text, inline Markdown included (see `Heading::raw`).
    pub raw: Box<str>,
    /// [`key_hash`] of the heading's key, so that a link's heading is compared with a
    /// note's headings by a number held beside the level (in the padding after it) and
    /// each heading's text is read only when the numbers agree: reading every heading of
    /// the target note was a cache miss each on a large vault. Stored in the cache with
    /// the text: computing it again for every heading read back was a twelfth of a
    /// warm-cache run (the cache's version stamp holds the hash of a probe heading, so a
    /// build whose [`key_hash`] or heading keys differ does not read the stored ones).
    key_hash: u32,
}

impl OutlineHeading {
    /// A heading of `level` (1 to 6) whose source text is `raw`.
    pub fn new(level: u8, raw: Box<str>) -> Self {
        let key_hash = key_hash(HeadingChars::new(&raw, true));
        OutlineHeading {
            level,
            raw,
            key_hash,
        }
    }

    /// The heading as Obsidian compares it (`heading_key`).
    pub(crate) fn key(&self) -> String {
        heading_key(&self.raw)
    }

    /// Whether a subpath piece, in key form, names this heading. Only the raw text counts:
    /// `### Ticket exchange [^1]` is `ticket exchange 1` to Obsidian, and there is no
    /// fallback to the rendered text.
    pub fn matches(&self, key: &str) -> bool {
        self.matches_hashed(key, key_hash(key.chars()))
    }

    /// [`OutlineHeading::matches`] for a key whose [`key_hash`] is `hash`, computed once
    /// for all the headings it is compared with.
    pub(crate) fn matches_hashed(&self, key: &str, hash: u32) -> bool {
        self.key_hash == hash && HeadingChars::new(&self.raw, true).eq(key.chars())
    }
}

impl Outline {
    /// The note's block ids, lower-cased.
    pub fn block_ids(&self) -> impl Iterator<Item = &str> {
        self.block_ids.split('\n').filter(|b| !b.is_empty())
    }
}

impl Outline {
    /// The outline of a parsed note.
    pub fn of(note: &Note) -> Self {
        let headings = note
            .headings
            .iter()
            .map(|h| OutlineHeading::new(h.level, h.raw.as_str().into()))
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
        let outline = Outline {
            headings,
            block_ids,
            aliases: entries(OUTLINE_KEYS[0]),
            alias: entries(OUTLINE_KEYS[1]),
            id: entries(OUTLINE_KEYS[2]),
            url: entries(OUTLINE_KEYS[3]),
            callout_ids: note
                .callout_ids
                .iter()
                .map(|(v, s)| (v.as_str().into(), *s))
                .collect(),
            identifiers: note
                .front_matter
                .value()
                .map(identifier_properties)
                .unwrap_or_default(),
            lookup: None,
        };
        outline.with_lookup()
    }

    /// The outline with its hash lookups built (an outline read back from the cache has
    /// none).
    pub(crate) fn with_lookup(mut self) -> Self {
        let blocks: Vec<&str> = self.block_ids().collect();
        let lookup = lookup::OutlineLookup::build(&self.headings, &blocks);
        self.lookup = lookup;
        self
    }
}

/// The front matter properties an outline keeps: `aliases`, `alias`, `id`, `url`.
const OUTLINE_KEYS: [&str; 4] = ["aliases", "alias", "id", "url"];

/// Longest value [`identifier_properties`] keeps, in bytes: identifiers are short, and
/// addresses of the pages notes were made from fit.
const MAX_IDENTIFIER_BYTES: usize = 256;

/// Most values [`identifier_properties`] keeps per note; a hostile front matter of a
/// million list items keeps no more.
const MAX_IDENTIFIERS: usize = 64;

/// Deepest nesting [`identifier_properties`] follows (`a.b.c.d`).
const MAX_IDENTIFIER_DEPTH: usize = 4;

/// Whether a string value looks like an identifier or an address: no white space, an ASCII
/// letter right before an ASCII digit (`T1059`, `TA0005`, `CVE-2024-1`), or `://`.
fn identifier_like(value: &str) -> bool {
    let b = value.as_bytes();
    !value.is_empty()
        && value.len() <= MAX_IDENTIFIER_BYTES
        && !value.contains(char::is_whitespace)
        && (value.contains("://")
            || b.windows(2)
                .any(|w| w[0].is_ascii_alphabetic() && w[1].is_ascii_digit()))
}

/// The identifier-like string values of a front matter (see [`identifier_like`]), with
/// their key paths: keys lower-cased and joined with `.`, list items under their list's
/// key. A note states its identifier under the key its generator chose (`id`, `mitre_id`,
/// `technique_ids`, `mitre: {id: …}`); which key means "this note's identifier" is for the
/// reader of the outline to decide.
pub fn identifier_properties(value: &Value) -> Vec<(Box<str>, Box<str>)> {
    fn walk(value: &Value, path: &str, depth: usize, out: &mut Vec<(Box<str>, Box<str>)>) {
        if out.len() >= MAX_IDENTIFIERS || depth > MAX_IDENTIFIER_DEPTH {
            return;
        }
        match value {
            Value::String(s) => {
                let s = s.trim();
                if !path.is_empty() && identifier_like(s) {
                    out.push((path.into(), s.into()));
                }
            }
            Value::Array(items) => {
                for item in items {
                    walk(item, path, depth + 1, out);
                }
            }
            Value::Object(map) => {
                for (k, v) in map {
                    let key = k.trim().to_lowercase();
                    let nested = if path.is_empty() {
                        key
                    } else {
                        format!("{path}.{key}")
                    };
                    walk(v, &nested, depth + 1, out);
                }
            }
            _ => {}
        }
    }
    let mut out = Vec::new();
    walk(value, "", 0, &mut out);
    out
}

/// Whether YAML text may hold a value [`identifier_properties`] keeps: an ASCII letter
/// right before an ASCII digit, or `://` (escapes are covered by `may_hold_keys`).
fn may_hold_identifiers(yaml: &str) -> bool {
    yaml.contains("://")
        || yaml
            .as_bytes()
            .windows(2)
            .any(|w| w[0].is_ascii_alphabetic() && w[1].is_ascii_digit())
}

/// How much of a note to build: the outline pass skips links.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Depth {
    /// Front matter, headings and block ids: what links into the note need. Front matter
    /// that cannot hold the outline's properties (`OUTLINE_KEYS`, identifier-like values)
    /// is not parsed and reads as an empty mapping.
    Outline,
    /// Everything, links included.
    Full,
}

/// The `%% vaultlint-… %%` directives written anywhere in a JSON file's text (in its
/// strings: JSON has no comments), as a note holding only them, for suppressions.
pub(crate) fn directives_in_json(text: &str) -> Note {
    let lines = LineIndex::new(text);
    let mut note = Note {
        line_count: lines.line_count(),
        ..Note::default()
    };
    let marks: Vec<usize> = text.match_indices("%%").map(|(i, _)| i).collect();
    for pair in marks.chunks_exact(2) {
        let (start, end) = (pair[0], pair[1] + 2);
        let inner = text[start + 2..pair[1]].trim();
        if inner.starts_with("vaultlint-") {
            note.directives.push(Directive {
                text: inner.to_owned(),
                span: lines.span(start, end),
            });
        }
    }
    note
}

/// Parses a note in full (`Depth::Full`).
pub fn parse_note(text: &str) -> Note {
    parse(text, Depth::Full)
}

/// A note parsed with Markdown windows of `window` bytes (see `events`), and how many
/// times the windows of its text are cut: for tests that compare it with the whole parse.
#[cfg(test)]
pub(crate) fn parse_note_in_windows(text: &str, window: usize) -> (Note, usize) {
    events::TEST_WINDOW.with(|w| w.set(Some(window)));
    let note = parse_note(text);
    events::TEST_WINDOW.with(|w| w.set(None));
    (note, events::windowed(text, markdown::options(), window).0)
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
        FrontMatterCut::Block(block)
            if depth == Depth::Outline && {
                let yaml = text.get(block.yaml.clone()).unwrap_or_default();
                !frontmatter::may_hold_keys(yaml, &OUTLINE_KEYS) && !may_hold_identifiers(yaml)
            } =>
        {
            // The outline reads no other property: YAML that cannot hold these keys is not
            // parsed (it was a seventh of a run on a vault of small front matter blocks).
            note.front_matter = FrontMatter::Parsed {
                span: lines.span(block.range.start, block.range.end),
                value: Value::Object(serde_json::Map::new()),
                keys: Vec::new(),
            };
            mask(
                masked.get_or_insert_with(|| text.as_bytes().to_vec()),
                block.range,
            );
        }
        FrontMatterCut::Block(block) => {
            let span = lines.span(block.range.start, block.range.end);
            note.front_matter = match frontmatter::parse_yaml_node(text, &block) {
                Ok(node) => {
                    if depth == Depth::Full {
                        for p in frontmatter::property_links(text, &block, &node) {
                            property_link(text, &lines, p, &mut note);
                        }
                    }
                    FrontMatter::Parsed {
                        span,
                        value: node.to_value(),
                        keys: frontmatter::top_level_keys(text, &block)
                            .into_iter()
                            .map(|k| PropertyKey {
                                span: lines.span(k.range.start, k.range.end),
                                value: lines.span(k.value.start, k.value.end),
                                name: k.name,
                            })
                            .collect(),
                    }
                }
                // Obsidian has no properties for a note whose YAML does not parse, so no
                // property links either: the YAML error is the one finding.
                Err(YamlError { message, offset }) => FrontMatter::Invalid {
                    span,
                    error: message,
                    at: lines.span(offset, offset),
                },
            };
            mask(
                masked.get_or_insert_with(|| text.as_bytes().to_vec()),
                block.range,
            );
        }
    }
    if text.contains("$$") {
        let buf = masked.get_or_insert_with(|| text.as_bytes().to_vec());
        for inner in markdown::math_blocks(std::str::from_utf8(buf).unwrap_or_default()) {
            mask(buf, inner);
        }
    }
    if text.contains('$') && text.contains("[[") {
        markdown::mask_dollars_in_wiki_links(
            masked.get_or_insert_with(|| text.as_bytes().to_vec()),
        );
    }
    // Comments are masked for the Markdown pass (headings and block ids inside them are
    // hidden), but the links inside them are in Obsidian's index and are parsed apart.
    let mut comment_inners: Vec<Range<usize>> = Vec::new();
    if text.contains("%%") {
        let buf = masked.get_or_insert_with(|| text.as_bytes().to_vec());
        let comments = markdown::comment_ranges(std::str::from_utf8(buf).unwrap_or_default());
        for range in comments {
            let inner_end = if text
                .get(range.clone())
                .is_some_and(|c| c.len() >= 4 && c.ends_with("%%"))
            {
                range.end - 2
            } else {
                range.end
            };
            let inner = range.start + 2..inner_end.max(range.start + 2);
            let trimmed = text.get(inner.clone()).unwrap_or_default().trim();
            if trimmed.starts_with("vaultlint-") {
                note.directives.push(Directive {
                    text: trimmed.to_owned(),
                    span: lines.span(range.start, range.end),
                });
            } else {
                comment_inners.push(inner);
            }
            mask(buf, range);
        }
    }
    let body = match &masked {
        Some(bytes) => std::str::from_utf8(bytes).unwrap_or(text),
        None => text,
    };
    markdown::walk(text, body, &lines, depth, &mut note);
    if depth == Depth::Full && !comment_inners.is_empty() {
        for inner in comment_inners {
            markdown::comment_links(text, inner, &lines, &mut note);
        }
        note.links.sort_by_key(|l| l.span.start);
    }
    note.finish_links();
    if depth == Depth::Full {
        note.tactic_lists = tactics::tactic_lists(text, &note.headings, &lines);
    }
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

/// A property link as a `Link`: quoted values are links Obsidian follows; an unquoted
/// `[[x]]` (a nested YAML list) is kept with its problem for `unquoted-property-link`.
fn property_link(text: &str, lines: &LineIndex, p: frontmatter::PropertyLink, note: &mut Note) {
    let (path, subpath, display) = links::split_wiki(&p.inner);
    note.push_link(NewLink {
        kind: LinkKind::Property,
        span: lines.span(p.range.start, p.range.end),
        original: text.get(p.range.clone()).unwrap_or_default(),
        at: Some(p.range.start),
        trailing: "",
        path,
        subpath,
        display,
        problem: p.unquoted.then_some(LinkProblem::UnquotedProperty),
        in_comment: false,
        table: None,
    });
}

#[cfg(test)]
mod tests;
