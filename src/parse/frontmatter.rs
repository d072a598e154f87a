//! Front matter: found by hand (reference note, rule 18), parsed with serde-saphyr.
//!
//! pulldown-cmark's metadata option disagrees with Obsidian in four cases (empty block,
//! leading blank line, BOM, `...` fence), so the block is cut here and the Markdown parser
//! never sees it. The YAML is parsed into a generic value: Obsidian accepts any mapping and
//! special-cases only a few keys, so a typed struct would reject valid vaults.

use std::ops::Range;

use serde_json::Value;

/// Where the block sits in the note, mirroring Obsidian's `getFrontMatterInfo`; byte
/// ranges into the note's text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FrontMatterBlock {
    /// From the opening `---` to the end of the closing fence line.
    pub range: Range<usize>,
    /// The YAML text between the fences.
    pub yaml: Range<usize>,
}

/// What [`cut`] found at the start of a note.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FrontMatterCut {
    /// The first line is not a `---` fence: no front matter.
    None,
    /// A closed block.
    Block(FrontMatterBlock),
    /// An opening `---` with no closing fence: Obsidian shows it as text.
    Unclosed {
        /// Byte range of the opening `---` line, trailing whitespace excluded.
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
    /// The parser's message, first line only, without the parser's own position (which
    /// counts from the start of the YAML, not of the note).
    pub message: String,
    /// Byte offset into the note where the parser stopped, within the YAML text.
    pub offset: usize,
}

/// Parses the YAML between the fences into a generic value; blank YAML is `Null`. Budgets
/// bound alias bombs and deep nesting; non-finite floats are kept as strings.
///
/// # Errors
/// A [`YamlError`] when the YAML does not parse or exceeds the budgets.
pub fn parse_yaml(text: &str, block: &FrontMatterBlock) -> Result<Value, YamlError> {
    let yaml = text.get(block.yaml.clone()).unwrap_or_default();
    if yaml.trim().is_empty() {
        return Ok(Value::Null);
    }
    let mut options = serde_saphyr::options::Options::default();
    options.with_snippet = false;
    options.non_finite_float_policy = serde_saphyr::options::NonFiniteFloatPolicy::AsString;
    match serde_saphyr::from_str_with_options::<Value>(yaml, options) {
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
    /// The key, trimmed, surrounding quotes removed.
    pub name: String,
    /// The key as written, quotes included, without the `:`.
    pub range: Range<usize>,
    /// The value on the key's own line, trimmed (empty for block values).
    pub value: Range<usize>,
}

/// The block's top-level keys in order: lines that start at column 1 with something other
/// than a comment, list item or flow bracket and hold a `:` followed by a space or the end
/// of the line. Read from the source so that positions are exact even for invalid YAML.
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
