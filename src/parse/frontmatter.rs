//! Front matter: found by hand (reference note, rule 18), parsed with serde-saphyr.
//!
//! pulldown-cmark's metadata option disagrees with Obsidian in four cases (empty block,
//! leading blank line, BOM, `...` fence), so the block is cut here and the Markdown parser
//! never sees it. The YAML is parsed into a generic value: Obsidian accepts any mapping and
//! special-cases only a few keys, so a typed struct would reject valid vaults.

use std::ops::Range;

use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::Value;
use serde_saphyr::{Location, Spanned};

/// Where the block sits in the note, mirroring Obsidian's `getFrontMatterInfo`; byte
/// ranges into the note's text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FrontMatterBlock {
    /// From the opening `---` to the end of the closing fence line.
    pub range: Range<usize>,
    /// The YAML text between the fences.
    pub yaml: Range<usize>,
}

/// Whether a note opens with a front matter block, and where it ends.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FrontMatterCut {
    /// The first line is not `---`.
    None,
    /// A `---` line and the next `---` line, with the YAML between them.
    Block(FrontMatterBlock),
    /// An opening `---` with no closing fence: Obsidian shows it as text.
    Unclosed {
        /// Byte range of the opening `---` line, without its line break.
        opening: Range<usize>,
    },
}

fn is_fence(line: &str) -> bool {
    line.trim_end_matches(['\r', '\n'])
        .strip_prefix("---")
        .is_some_and(|rest| rest.chars().all(|c| c == ' ' || c == '\t'))
}

/// Finds the front matter block: `---` on the very first line, closed by the next `---` line
/// (reference note, rule 18). A fence may carry trailing spaces or tabs, nothing else.
pub fn cut(text: &str) -> FrontMatterCut {
    let mut lines = text.split_inclusive('\n');
    let Some(first) = lines.next() else {
        return FrontMatterCut::None;
    };
    if !is_fence(first) {
        return FrontMatterCut::None;
    }
    let yaml_start = first.len();
    let mut offset = yaml_start;
    for line in lines {
        if is_fence(line) {
            return FrontMatterCut::Block(FrontMatterBlock {
                range: 0..offset + line.len(),
                yaml: yaml_start..offset,
            });
        }
        offset += line.len();
    }
    FrontMatterCut::Unclosed {
        opening: 0..first.trim_end().len(),
    }
}

/// A YAML error with its position in the note.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct YamlError {
    /// The parser's message, without its own position.
    pub message: String,
    /// Byte offset in the note where the parser stopped.
    pub offset: usize,
}

/// A YAML value whose every node keeps where it was written, so that property links are
/// taken from the parsed YAML (block scalars, multi-line and escaped strings included)
/// and still point at their place in the note.
#[derive(Debug, Clone, PartialEq)]
pub enum YamlNode {
    /// `null`, `~` or an empty value.
    Null,
    /// `true` / `false`.
    Bool(bool),
    /// An integer or a finite float.
    Number(serde_json::Number),
    /// A string, after YAML unquoting and folding.
    String(String),
    /// A sequence, each item with where it was written.
    Seq(Vec<Spanned<YamlNode>>),
    /// Entries in document order.
    Map(Vec<(String, Spanned<YamlNode>)>),
}

impl<'de> Deserialize<'de> for YamlNode {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(NodeVisitor)
    }
}

struct NodeVisitor;

impl<'de> Visitor<'de> for NodeVisitor {
    type Value = YamlNode;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("any YAML value")
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<YamlNode, E> {
        Ok(YamlNode::Bool(v))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<YamlNode, E> {
        Ok(YamlNode::Number(v.into()))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<YamlNode, E> {
        Ok(YamlNode::Number(v.into()))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<YamlNode, E> {
        // Non-finite floats arrive as strings (`NonFiniteFloatPolicy::AsString`).
        Ok(serde_json::Number::from_f64(v).map_or(YamlNode::Null, YamlNode::Number))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<YamlNode, E> {
        Ok(YamlNode::String(v.to_owned()))
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<YamlNode, E> {
        Ok(YamlNode::String(v))
    }

    fn visit_unit<E: de::Error>(self) -> Result<YamlNode, E> {
        Ok(YamlNode::Null)
    }

    fn visit_none<E: de::Error>(self) -> Result<YamlNode, E> {
        Ok(YamlNode::Null)
    }

    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<YamlNode, D::Error> {
        YamlNode::deserialize(deserializer)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<YamlNode, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element::<Spanned<YamlNode>>()? {
            items.push(item);
        }
        Ok(YamlNode::Seq(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<YamlNode, A::Error> {
        let mut entries = Vec::new();
        while let Some(key) = map.next_key::<String>()? {
            entries.push((key, map.next_value::<Spanned<YamlNode>>()?));
        }
        Ok(YamlNode::Map(entries))
    }
}

impl YamlNode {
    /// The node as a generic JSON value, which the rules read (a later duplicate key wins).
    pub fn to_value(&self) -> Value {
        match self {
            YamlNode::Null => Value::Null,
            YamlNode::Bool(b) => Value::Bool(*b),
            YamlNode::Number(n) => Value::Number(n.clone()),
            YamlNode::String(s) => Value::String(s.clone()),
            YamlNode::Seq(items) => {
                Value::Array(items.iter().map(|i| i.value.to_value()).collect())
            }
            YamlNode::Map(entries) => Value::Object(
                entries
                    .iter()
                    .map(|(k, v)| (k.clone(), v.value.to_value()))
                    .collect(),
            ),
        }
    }
}

/// A front matter value that Obsidian reads as a link, or an unquoted `[[…]]` that YAML
/// read as a nested list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PropertyLink {
    /// The text between `[[` and `]]`.
    pub inner: String,
    /// Byte range in the note: the `[[…]]` when it is written verbatim, else the whole
    /// YAML value (an escaped or folded string).
    pub range: Range<usize>,
    /// `up: [[Note]]`: YAML's list in a list, which Obsidian does not read as a link.
    pub unquoted: bool,
}

/// Parses the YAML between the fences into a spanned tree. Budgets bound alias bombs and
/// deep nesting.
///
/// # Errors
/// The parser's first message, with the byte offset in the note where it stopped.
pub fn parse_yaml_node(text: &str, block: &FrontMatterBlock) -> Result<YamlNode, YamlError> {
    let yaml = text.get(block.yaml.clone()).unwrap_or_default();
    if yaml.trim().is_empty() {
        return Ok(YamlNode::Null);
    }
    let mut options = serde_saphyr::options::Options::default();
    options.with_snippet = false;
    options.non_finite_float_policy = serde_saphyr::options::NonFiniteFloatPolicy::AsString;
    match serde_saphyr::from_str_with_options::<YamlNode>(yaml, options) {
        Ok(v) => Ok(v),
        Err(err) => {
            let offset = err.location().map_or(0, |loc| {
                loc.span()
                    .byte_offset()
                    .and_then(|b| usize::try_from(b).ok())
                    .unwrap_or_else(|| line_col_to_offset(yaml, loc.line(), loc.column()))
            });
            Err(YamlError {
                message: first_line(&err.to_string()),
                offset: block.yaml.start + offset.min(yaml.len()),
            })
        }
    }
}

/// Parses the YAML between the fences into a generic value.
///
/// # Errors
/// As `parse_yaml_node`.
pub fn parse_yaml(text: &str, block: &FrontMatterBlock) -> Result<Value, YamlError> {
    parse_yaml_node(text, block).map(|n| n.to_value())
}

/// The property links of parsed front matter, in lists and nested maps too. A string is a
/// link only when the whole of it, after YAML unquoting, starts with `[[` and ends with
/// `]]` (line breaks that a block scalar keeps at its end aside): a link inside a sentence
/// is text to Obsidian.
pub fn property_links(text: &str, block: &FrontMatterBlock, root: &YamlNode) -> Vec<PropertyLink> {
    let mut out = Vec::new();
    let yaml = text.get(block.yaml.clone()).unwrap_or_default();
    collect_links(yaml, block.yaml.start, root, None, &mut out);
    out
}

fn collect_links(
    yaml: &str,
    base: usize,
    node: &YamlNode,
    at: Option<&Location>,
    out: &mut Vec<PropertyLink>,
) {
    match node {
        YamlNode::String(s) => {
            let value = s.trim_end_matches(['\n', '\r']);
            let Some(inner) = value.strip_prefix("[[").and_then(|v| v.strip_suffix("]]")) else {
                return;
            };
            let range =
                locate(yaml, at, value).map_or(base..base, |r| base + r.start..base + r.end);
            out.push(PropertyLink {
                inner: inner.to_owned(),
                range,
                unquoted: false,
            });
        }
        YamlNode::Seq(items) => {
            if let [only] = items.as_slice() {
                if let YamlNode::Seq(inner) = &only.value {
                    if let [Spanned {
                        value: YamlNode::String(name),
                        ..
                    }] = inner.as_slice()
                    {
                        let start = at.and_then(|l| byte_offset(yaml, l));
                        if let Some(start) =
                            start.filter(|&s| yaml.get(s..).is_some_and(|t| t.starts_with("[[")))
                        {
                            let end = yaml
                                .get(start..)
                                .and_then(|t| t.find("]]"))
                                .map_or(yaml.len(), |i| start + i + 2);
                            out.push(PropertyLink {
                                inner: name.clone(),
                                range: base + start..base + end,
                                unquoted: true,
                            });
                            return;
                        }
                    }
                }
            }
            for item in items {
                collect_links(yaml, base, &item.value, Some(&item.referenced), out);
            }
        }
        YamlNode::Map(entries) => {
            for (_, value) in entries {
                collect_links(yaml, base, &value.value, Some(&value.referenced), out);
            }
        }
        YamlNode::Null | YamlNode::Bool(_) | YamlNode::Number(_) => {}
    }
}

/// The byte offset in `yaml` where a node starts.
fn byte_offset(yaml: &str, at: &Location) -> Option<usize> {
    let span = at.span();
    span.byte_offset()
        .and_then(|b| usize::try_from(b).ok())
        .or_else(|| (at.line() > 0).then(|| line_col_to_offset(yaml, at.line(), at.column())))
        .filter(|&b| b <= yaml.len())
}

/// Where a string value's text sits in the YAML: the value written verbatim inside the
/// node's source (quotes or a block indicator before it), else the node's start.
fn locate(yaml: &str, at: Option<&Location>, value: &str) -> Option<Range<usize>> {
    let start = byte_offset(yaml, at?)?;
    let end = at
        .and_then(|l| l.span().byte_len())
        .and_then(|l| usize::try_from(l).ok())
        .map_or(yaml.len(), |l| (start + l).min(yaml.len()));
    let source = yaml.get(start..end).unwrap_or_default();
    let first_line = value.lines().next().unwrap_or(value);
    match source.find(value) {
        Some(i) => Some(start + i..start + i + value.len()),
        None => match source.find(first_line) {
            Some(i) if !first_line.is_empty() => Some(start + i..start + i + first_line.len()),
            _ => Some(start..end.max(start)),
        },
    }
}

/// The error's first line, without the parser's own position: that counts from the start
/// of the YAML, not of the note, and the diagnostic carries the note's position instead.
fn first_line(message: &str) -> String {
    let line = message.lines().next().unwrap_or("invalid YAML").trim();
    if line.starts_with("budget breached") {
        return "too large to parse: too many values, aliases or nesting levels (an alias bomb?)"
            .to_owned();
    }
    match line.rfind(" at line ") {
        Some(i) if line[i..].contains(", column ") => line[..i].trim_end().to_owned(),
        _ => line.to_owned(),
    }
}

fn line_col_to_offset(text: &str, line: u64, column: u64) -> usize {
    let mut offset = 0;
    for (i, l) in text.split_inclusive('\n').enumerate() {
        if (i as u64) + 1 == line {
            let col = usize::try_from(column.saturating_sub(1)).unwrap_or(0);
            return offset + l.char_indices().nth(col).map_or(l.len(), |(b, _)| b);
        }
        offset += l.len();
    }
    text.len()
}

/// A top-level key with its byte range in the note, found from the source lines so that
/// rules can point at it even when the YAML does not parse.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TopLevelKey {
    /// The key, unquoted.
    pub name: String,
    /// Byte range of the key in the note.
    pub range: Range<usize>,
    /// The value on the key's own line, trimmed (empty for block values).
    pub value: Range<usize>,
}

/// The top-level keys of a front matter block, in order, read from its lines (so they are
/// known even when the YAML does not parse).
pub fn top_level_keys(text: &str, block: &FrontMatterBlock) -> Vec<TopLevelKey> {
    let mut keys = Vec::new();
    let mut offset = block.yaml.start;
    let yaml = text.get(block.yaml.clone()).unwrap_or_default();
    for line in yaml.split_inclusive('\n') {
        let starts_key = line
            .chars()
            .next()
            .is_some_and(|c| !c.is_whitespace() && !matches!(c, '#' | '-' | '[' | '{' | '}' | ']'));
        if starts_key {
            if let Some(colon) = key_colon(line) {
                let raw = line.get(..colon).unwrap_or_default();
                let name = raw.trim().trim_matches(['"', '\'']).to_owned();
                let rest = line.get(colon + 1..).unwrap_or_default();
                let value_start = offset + colon + 1 + (rest.len() - rest.trim_start().len());
                keys.push(TopLevelKey {
                    name,
                    range: offset..offset + raw.trim_end().len(),
                    value: value_start..value_start + rest.trim().len(),
                });
            }
        }
        offset += line.len();
    }
    keys
}

/// The `:` that ends a plain or quoted key: followed by a space or the end of the line.
fn key_colon(line: &str) -> Option<usize> {
    let bytes = line.as_bytes();
    let quote = match bytes.first() {
        Some(b'"') => Some(b'"'),
        Some(b'\'') => Some(b'\''),
        _ => None,
    };
    let search_from = match quote {
        Some(q) => bytes.iter().skip(1).position(|&b| b == q)? + 2,
        None => 0,
    };
    (search_from..bytes.len()).find(|&i| {
        bytes[i] == b':'
            && bytes
                .get(i + 1)
                .is_none_or(|b| matches!(b, b' ' | b'\t' | b'\r' | b'\n'))
    })
}

/// String entries of a list-or-string property, the way Obsidian reads `aliases`: a list
/// keeps its string items, a string is one entry, anything else is dropped (reference note,
/// rule 21). Entries are trimmed.
pub fn string_entries(value: &Value) -> Vec<String> {
    match value {
        Value::String(s) => vec![s.trim().to_owned()],
        Value::Array(items) => items
            .iter()
            .filter_map(Value::as_str)
            .map(|s| s.trim().to_owned())
            .collect(),
        _ => Vec::new(),
    }
}

/// Whether YAML text may have a key equal, without regard to ASCII case, to one of `keys`
/// (ASCII letters): some occurrence of it that no ASCII letter, digit, `-` or `_` touches,
/// or a backslash (a double-quoted key may spell it with escapes). Plain and single-quoted
/// scalars hold their characters as written and line folding adds a space, so YAML without
/// such an occurrence has none of these keys and need not be parsed to say so.
pub(crate) fn may_hold_keys(yaml: &str, keys: &[&str]) -> bool {
    if yaml.contains('\\') {
        return true;
    }
    let bytes = yaml.as_bytes();
    let word = |b: u8| b.is_ascii_alphanumeric() || b == b'-' || b == b'_';
    keys.iter().any(|key| {
        let key = key.as_bytes();
        bytes.windows(key.len()).enumerate().any(|(at, w)| {
            w.eq_ignore_ascii_case(key)
                && !at.checked_sub(1).is_some_and(|b| word(bytes[b]))
                && !bytes.get(at + key.len()).is_some_and(|&b| word(b))
        })
    })
}

/// The value of a top-level property, matching the key without regard to case, as Obsidian
/// matches `aliases` and `tags` (reference note, rules 21 and 24). `None` when `value` is
/// not a mapping or has no such key.
pub fn property<'v>(value: &'v Value, key: &str) -> Option<&'v Value> {
    value
        .as_object()?
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(key))
        .map(|(_, v)| v)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn block(text: &str) -> FrontMatterBlock {
        match cut(text) {
            FrontMatterCut::Block(b) => b,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn keys_are_looked_for_as_whole_words() {
        let keys = ["aliases", "id"];
        assert!(may_hold_keys("title: x\nAliases: [a]\n", &keys));
        assert!(may_hold_keys("{\"id\": 1}", &keys));
        assert!(may_hold_keys("? ID\n: 1\n", &keys));
        assert!(may_hold_keys("\"\\x69d\": 1\n", &keys));
        assert!(!may_hold_keys(
            "title: Hidden idea\nvideo_id: 3\nmy-id: 4\n",
            &keys
        ));
        assert!(!may_hold_keys("tags: [aliasesx, idx]\n", &keys));
        // Every key the scan rules out is indeed absent from the parsed YAML.
        for yaml in [
            "title: Hidden idea\nvideo_id: 3\n",
            "a: 'i''d'\nb: i\n  d\n",
        ] {
            let text = format!("---\n{yaml}---\n");
            let node = parse_yaml_node(&text, &block(&text)).unwrap();
            let value = node.to_value();
            assert!(!may_hold_keys(yaml, &keys), "{yaml}");
            assert!(keys.iter().all(|k| property(&value, k).is_none()), "{yaml}");
        }
    }

    #[test]
    fn cut_follows_obsidian() {
        assert_eq!(block("---\n---\nbody").range, 0..8);
        assert_eq!(block("---  \r\na: 1\r\n---\r\nx").yaml, 7..13);
        assert_eq!(cut("\n---\na: 1\n---\n"), FrontMatterCut::None);
        assert_eq!(cut("text\n---\n"), FrontMatterCut::None);
        assert!(matches!(
            cut("---\na: 1\n"),
            FrontMatterCut::Unclosed { .. }
        ));
        assert_eq!(cut("----\na\n---\n"), FrontMatterCut::None);
    }

    #[test]
    fn yaml_error_has_a_position() {
        let text = "---\ntitle: x\ntags: [a, b\n---\n";
        let err = parse_yaml(text, &block(text)).unwrap_err();
        assert!(err.offset >= 4 && err.offset <= text.len(), "{err:?}");
    }

    #[test]
    fn alias_bomb_and_deep_nesting_are_errors_not_hangs() {
        let mut bomb = String::from("---\na: &a [x,x,x,x,x,x,x,x,x,x]\n");
        for i in 1..12 {
            let prev = if i == 1 {
                "a".to_owned()
            } else {
                format!("l{}", i - 1)
            };
            bomb.push_str(&format!("l{i}: &l{i} [*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev}]\n"));
        }
        bomb.push_str("---\n");
        assert!(parse_yaml(&bomb, &block(&bomb)).is_err());
        let deep = format!(
            "---\na: {}{}\n---\n",
            "[".repeat(10_000),
            "]".repeat(10_000)
        );
        assert!(parse_yaml(&deep, &block(&deep)).is_err());
    }

    #[test]
    fn keys_and_entries() {
        let text = "---\nalias: M1040\n\"tags\": [a]\n  nested: 1\n- x\n---\n";
        let b = block(text);
        let names: Vec<_> = top_level_keys(text, &b)
            .into_iter()
            .map(|k| k.name)
            .collect();
        assert_eq!(names, ["alias", "tags"]);
        let v = parse_yaml(
            "---\naliases: Foo, Bar\n---\n",
            &block("---\naliases: Foo, Bar\n---\n"),
        )
        .unwrap();
        assert_eq!(
            string_entries(property(&v, "ALIASES").unwrap()),
            ["Foo, Bar"]
        );
    }
}
