//! Fix edits for the relationship rules: removing a stale row, adding the rows a table
//! lacks. Pure: they read the note's text, the vault and the pack's index, and return edits.
//!
//! A row is one line of a GFM table (`| … | … |`, possibly inside a callout's `> `).
//! Added rows copy the shape of a row the table already has: its quote prefix, its
//! number of cells, how its ID link is written (full vault path or bare name, `\|` with or
//! without spaces) and whether its name cell is a link too, as reuteras/obsidian-mitre-attack
//! writes it. Other cells stay empty, except a `Domain` cell, which takes the text the
//! table's other rows of that domain have (`ICS attack`).

use std::collections::BTreeMap;
use std::ops::Range;
use std::sync::Arc;

use crate::diagnostic::{Edit, Fix, Span};
use crate::index::FileId;
use crate::parse::LinkRef;
use crate::rules::edit::{fits_in_wiki_link, link_path_to, opens_only, wiki_parts};

use super::relationship_tables::RelationshipTable;
use super::{labelled_links, nearest_declaring, same_name, AttackContext, IdKind, LabelledLink};

/// The fix for a stale row: remove its whole line, with its line break (for a last line
/// without one, the line break before it). Unsafe: the row's other cells (a procedure
/// description, its citations) are text the note loses.
pub(crate) fn remove_row(text: &str, span: Span) -> Option<Fix> {
    let line = row_line(text, span)?;
    let rest = &text[line.end..];
    let range = if rest.starts_with("\r\n") {
        line.start..line.end + 2
    } else if rest.starts_with('\n') {
        line.start..line.end + 1
    } else if line.start > 0 {
        let before = &text[..line.start - 1];
        let start = before.strip_suffix('\r').map_or(before.len(), str::len);
        start..line.end
    } else {
        line.clone()
    };
    Some(Fix::unsafe_(
        "remove the row",
        vec![Edit::replace(range.start, range.end, "")],
    ))
}

/// The line (without its line break) of the table row holding `span`, when that line is
/// a table row that starts with `|`, after any indentation and callout `>` markers.
fn row_line(text: &str, span: Span) -> Option<Range<usize>> {
    let start = text.get(..span.start)?.rfind('\n').map_or(0, |i| i + 1);
    let rest = text.get(span.end..)?;
    let mut end = span.end + rest.find('\n').unwrap_or(rest.len());
    if text[..end].ends_with('\r') {
        end -= 1;
    }
    if end < span.end {
        return None;
    }
    let line = &text[start..end];
    line.trim_start_matches([' ', '\t', '>'])
        .starts_with('|')
        .then_some(start..end)
}

/// The byte ranges (relative to `line`) of a row's cells: the text between unescaped `|`
/// (GFM splits cells before it reads links, so a `\|` inside a wiki-link does not split),
/// after the prefix before the first `|`. A trailing `|` closes the last cell.
fn cells(line: &str) -> Vec<Range<usize>> {
    let pipes: Vec<usize> = line
        .char_indices()
        .filter(|&(i, c)| c == '|' && !line[..i].ends_with('\\'))
        .map(|(i, _)| i)
        .collect();
    let mut out: Vec<Range<usize>> = pipes.windows(2).map(|w| w[0] + 1..w[1]).collect();
    if let Some(&last) = pipes.last() {
        if !line[last + 1..].trim().is_empty() {
            out.push(last + 1..line.len());
        }
    }
    out
}

/// Sorts IDs as ATT&CK lists them: by prefix, then each number (`T1036` < `T1036.001` <
/// `T1037`), whatever their width.
fn id_key(id: &str) -> (String, Vec<u64>) {
    let digits = id.find(|c: char| c.is_ascii_digit()).unwrap_or(id.len());
    let numbers = id[digits..]
        .split('.')
        .map(|n| n.parse().unwrap_or(u64::MAX))
        .collect();
    (id[..digits].to_ascii_uppercase(), numbers)
}

/// How the table's rows write a link's path.
#[derive(Clone, Copy)]
enum PathStyle {
    /// The note's full vault path without `.md`, as vincenzocaputo/obsidian-mitre-attack
    /// writes it.
    Full,
    /// The bare file name, as reuteras/obsidian-mitre-attack writes it.
    Bare,
    /// Something else (relative paths, partial paths): the shortest path that opens it.
    Shortest,
}

/// A wiki-link as written in the template row, to be copied with another path and display.
struct LinkShape<'t> {
    /// The link's source text.
    original: &'t str,
    /// The path and the trimmed display text, relative to `original`.
    path: Range<usize>,
    display: Range<usize>,
}

impl<'t> LinkShape<'t> {
    fn of(text: &'t str, link: LinkRef<'_>) -> Option<Self> {
        let parts = wiki_parts(text, link)?;
        let display = parts.display?;
        let shown = text.get(display.clone())?;
        let lead = shown.len() - shown.trim_start().len();
        let base = link.span.start;
        let start = display.start + lead - base;
        Some(LinkShape {
            original: text.get(base..link.span.end)?,
            path: parts.path.start - base..parts.path.end - base,
            display: start..start + shown.trim().len(),
        })
    }

    fn written_path(&self) -> &'t str {
        &self.original[self.path.clone()]
    }

    /// The same link with another path and display text.
    fn with(&self, path: &str, display: &str) -> String {
        let o = self.original;
        format!(
            "{}{path}{}{display}{}",
            &o[..self.path.start],
            &o[self.path.end..self.display.start],
            &o[self.display.end..]
        )
    }
}

/// What the table's rows look like, read from one of its rows.
struct RowShape<'t> {
    /// What precedes the row's first `|` (indentation, callout `> `).
    prefix: &'t str,
    /// Cells per row (the header's count).
    columns: usize,
    /// The ID cell's link.
    id_link: LinkShape<'t>,
    path_style: PathStyle,
    /// The name column, and its link when the name cell is a link to the row's note.
    name: Option<(usize, Option<LinkShape<'t>>)>,
    /// The `Domain` column and its text per catalogue domain, learned from the rows.
    domain: Option<(usize, BTreeMap<String, String>)>,
    /// The line break rows end with.
    line_break: &'static str,
}

/// The fix for a table that lacks rows: for each missing ID that a note in the vault
/// declares, a row linking to that note, in ID order when the table's rows are in ID
/// order, else after its last row. Rows for IDs without a note are not added (the link
/// would be broken). Safe: every existing row and link stays as it is, and each added
/// link opens a note that declares its ID. Rows added at one place form one edit.
pub(crate) fn add_rows(
    ctx: &AttackContext<'_>,
    table: &RelationshipTable,
    missing: &[&String],
) -> Option<Fix> {
    let text = ctx.text();
    let mut rows: Vec<LabelledLink<'_>> = labelled_links(ctx)
        .filter(|l| {
            l.link.table().as_ref().is_some_and(|c| {
                c.index == table.id_column
                    && c.header
                        .as_ref()
                        .is_some_and(|h| Arc::ptr_eq(h, &table.header))
            })
        })
        .collect();
    rows.sort_by_key(|l| l.link.span.start);
    let template = rows
        .iter()
        .find(|l| table.rows.contains_key(&l.id) && l.target.is_some() && l.tied.is_none())?;
    let shape = row_shape(ctx, table, template, &rows)?;
    let sorted = rows
        .windows(2)
        .all(|w| id_key(&w[0].id) <= id_key(&w[1].id));
    let end = table_end(text, rows.last()?.link.span)?;
    let mut missing: Vec<&String> = missing.to_vec();
    missing.sort_by_key(|id| id_key(id));
    let mut at: BTreeMap<usize, (Vec<&str>, String)> = BTreeMap::new();
    for id in missing {
        let Some(row) = new_row(ctx, table, &shape, template.target, id) else {
            continue;
        };
        let offset = if sorted {
            rows.iter()
                .find(|r| id_key(&r.id) > id_key(id))
                .and_then(|r| row_line(text, r.link.span))
                .map_or(end, |line| line.start)
        } else {
            end
        };
        let (ids, block) = at.entry(offset).or_default();
        ids.push(id.as_str());
        block.push_str(&row);
        block.push_str(shape.line_break);
    }
    if at.is_empty() {
        return None;
    }
    let mut added: Vec<&str> = Vec::new();
    let edits = at
        .into_iter()
        .map(|(offset, (ids, block))| {
            added.extend(ids);
            // At the end of a text without a final line break, the break goes first.
            if offset == text.len() && !text.ends_with('\n') {
                let block = block.strip_suffix(shape.line_break).unwrap_or(&block);
                Edit::insert(offset, format!("{}{block}", shape.line_break))
            } else {
                Edit::insert(offset, block)
            }
        })
        .collect();
    added.sort_by_key(|id| id_key(id));
    Some(Fix::safe(
        format!(
            "add {} row{}: {}",
            added.len(),
            if added.len() == 1 { "" } else { "s" },
            added.join(", ")
        ),
        edits,
    ))
}

/// Where a row added after the table's last row goes: after the last `|` line that
/// follows the row at `last`, with its line break.
fn table_end(text: &str, last: Span) -> Option<usize> {
    let line = row_line(text, last)?;
    let mut end = line.end;
    loop {
        let rest = &text[end..];
        let next = if rest.starts_with("\r\n") {
            end + 2
        } else if rest.starts_with('\n') {
            end + 1
        } else {
            return Some(end);
        };
        let after = &text[next..];
        let len = after.find('\n').unwrap_or(after.len());
        let candidate = after[..len].strip_suffix('\r').unwrap_or(&after[..len]);
        if !candidate
            .trim_start_matches([' ', '\t', '>'])
            .starts_with('|')
        {
            return Some(next);
        }
        end = next + candidate.len();
    }
}

/// The table's row shape, read from `template` and the header; `None` when the row does
/// not have the header's cells or its ID is not the display text of a wiki-link.
fn row_shape<'t>(
    ctx: &AttackContext<'t>,
    table: &RelationshipTable,
    template: &LabelledLink<'_>,
    rows: &[LabelledLink<'_>],
) -> Option<RowShape<'t>> {
    let text: &'t str = ctx.text();
    let line = row_line(text, template.link.span)?;
    let source = &text[line.clone()];
    let cell_ranges = cells(source);
    let columns = table.header.len();
    if cell_ranges.len() != columns {
        return None;
    }
    let prefix = &source[..source.find('|')?];
    let id_link = LinkShape::of(text, template.link)?;
    if id_link.original[id_link.display.clone()] != *template.id {
        return None;
    }
    let target = ctx.vault.path(template.target?);
    let full = target.strip_suffix(".md").unwrap_or(target);
    let stem = full.rsplit('/').next().unwrap_or(full);
    let written = id_link.written_path();
    let path_style = if written.eq_ignore_ascii_case(full) {
        PathStyle::Full
    } else if written.eq_ignore_ascii_case(stem) {
        PathStyle::Bare
    } else {
        PathStyle::Shortest
    };
    let kind_name = template.kind.name();
    let name = Some(table.id_column + 1)
        .filter(|&c| {
            table.header.get(c).is_some_and(|h| {
                h.trim().eq_ignore_ascii_case("name") || h.trim().eq_ignore_ascii_case(kind_name)
            })
        })
        .map(|c| {
            let cell = &cell_ranges[c];
            let (from, to) = (line.start + cell.start, line.start + cell.end);
            let link = ctx
                .note
                .links()
                .filter(|l| l.span.start >= from && l.span.end <= to)
                .find_map(|l| LinkShape::of(text, l))
                .filter(|l| l.written_path() == written);
            (c, link)
        });
    let domain = table
        .header
        .iter()
        .position(|h| h.trim().eq_ignore_ascii_case("domain"))
        .filter(|&c| c != table.id_column)
        .and_then(|c| Some((c, domain_cells(ctx, table, rows, c)?)));
    let line_break = if text[line.end..].starts_with("\r\n") {
        "\r\n"
    } else if text[line.end..].starts_with('\n') {
        "\n"
    } else {
        crate::rules::edit::line_ending(text)
    };
    Some(RowShape {
        prefix,
        columns,
        id_link,
        path_style,
        name,
        domain,
        line_break,
    })
}

/// The `Domain` cell's text per catalogue domain, when every row of a domain has the same
/// plain text there.
fn domain_cells(
    ctx: &AttackContext<'_>,
    table: &RelationshipTable,
    rows: &[LabelledLink<'_>],
    column: usize,
) -> Option<BTreeMap<String, String>> {
    let mut out: BTreeMap<String, String> = BTreeMap::new();
    for row in rows {
        let cell = row.link.table().as_ref()?.cells.get(column)?;
        let plain = cell
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, ' ' | '-' | '_'));
        let entry = ctx
            .index
            .catalogue
            .lookup(&row.id, row.kind, Some(&table.name_domain));
        let (Some(entry), true) = (entry, plain) else {
            continue;
        };
        if out
            .entry(entry.domain.clone())
            .or_insert_with(|| cell.clone())
            != cell
        {
            return None;
        }
    }
    Some(out)
}

/// One new row (without its line break) for `id`, linking to the note that declares it
/// nearest to where the template row's link goes; `None` when no note declares it or no
/// link path written in the table's style opens that note alone.
fn new_row(
    ctx: &AttackContext<'_>,
    table: &RelationshipTable,
    shape: &RowShape<'_>,
    near: Option<FileId>,
    id: &str,
) -> Option<String> {
    let config = &ctx.index.config;
    let kind: IdKind = config.kind_of(id)?;
    let note = nearest_declaring(ctx, id, near, Some(kind), None).or_else(|| {
        near.filter(|&n| ctx.index.folder_kind(n, ctx.vault.path(n)).is_none())
            .and_then(|_| nearest_declaring(ctx, id, near, None, None))
    })?;
    let path = ctx.vault.path(note);
    let full = path.strip_suffix(".md").unwrap_or(path);
    let stem = full.rsplit('/').next().unwrap_or(full);
    let opens = |p: &str| fits_in_wiki_link(p) && opens_only(ctx.vault, p, ctx.id, note);
    let written = match shape.path_style {
        PathStyle::Full => Some(full.to_owned()),
        PathStyle::Bare => Some(stem.to_owned()),
        PathStyle::Shortest => link_path_to(ctx.vault, note, ctx.id),
    }
    .filter(|p| opens(p))
    .or_else(|| Some(full.to_owned()).filter(|p| opens(p)))?;
    let entry = ctx
        .index
        .catalogue
        .lookup(id, kind, Some(&table.name_domain));
    // The catalogue's name, unless the note is named otherwise (`attack-outdated-name`
    // reports that note): the cell names what the link opens, as the table's rows do.
    // Both generators write `／` in a cell where the file name has it.
    let note_name = config.note_name(path);
    let name = match entry {
        Some(e) if same_name(&note_name, &e.name) => e.name.clone(),
        _ => note_name,
    };
    let name = if stem.contains('\u{FF0F}') {
        name.replace('/', "\u{FF0F}")
    } else {
        name
    };
    let mut cells = vec![String::new(); shape.columns];
    cells[table.id_column] = shape.id_link.with(&written, id);
    if let Some((column, link)) = &shape.name {
        cells[*column] = match link {
            Some(link) if !name.contains(['|', '[', ']']) => link.with(&written, &name),
            _ => name.replace('|', "\\|"),
        };
    }
    if let (Some((column, texts)), Some(e)) = (&shape.domain, entry) {
        if let Some(t) = texts.get(&e.domain) {
            cells[*column] = t.clone();
        }
    }
    let mut row = format!("{}|", shape.prefix);
    for cell in cells {
        if cell.is_empty() {
            row.push_str(" |");
        } else {
            row.push(' ');
            row.push_str(&cell);
            row.push_str(" |");
        }
    }
    Some(row)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_split_on_unescaped_pipes() {
        let line = "> | [[a\\|T1]] | Name | |";
        let got: Vec<&str> = cells(line).into_iter().map(|r| &line[r]).collect();
        assert_eq!(got, [" [[a\\|T1]] ", " Name ", " "]);
        let open = "| a | b";
        let got: Vec<&str> = cells(open).into_iter().map(|r| &open[r]).collect();
        assert_eq!(got, [" a ", " b"]);
    }

    #[test]
    fn ids_sort_as_attack_lists_them() {
        let mut ids = ["T1037", "T1036.010", "T1036", "T1036.002", "T10000"];
        ids.sort_by_key(|id| id_key(id));
        assert_eq!(ids, ["T1036", "T1036.002", "T1036.010", "T1037", "T10000"]);
    }

    fn span(text: &str, needle: &str) -> Span {
        let start = text.find(needle).unwrap();
        Span {
            start,
            end: start + needle.len(),
            line: 1,
            column: 1,
        }
    }

    fn removed(text: &str, needle: &str) -> String {
        let fix = remove_row(text, span(text, needle)).unwrap();
        let e = &fix.edits[0];
        let mut out = text.to_owned();
        out.replace_range(e.start..e.end, &e.replacement);
        out
    }

    #[test]
    fn removing_a_row_takes_its_line_and_line_break() {
        let t = "| ID |\n| --- |\n| [[a]] |\n| [[b]] |\n";
        assert_eq!(removed(t, "[[a]]"), "| ID |\n| --- |\n| [[b]] |\n");
        let crlf = "| ID |\r\n| --- |\r\n| [[a]] |\r\n| [[b]] |";
        assert_eq!(removed(crlf, "[[a]]"), "| ID |\r\n| --- |\r\n| [[b]] |");
        assert_eq!(removed(crlf, "[[b]]"), "| ID |\r\n| --- |\r\n| [[a]] |");
        let quoted = "> | ID |\n> | --- |\n> | [[a]] |\n";
        assert_eq!(removed(quoted, "[[a]]"), "> | ID |\n> | --- |\n");
        assert!(remove_row("text [[a]] |\n", span("text [[a]] |\n", "[[a]]")).is_none());
    }

    #[test]
    fn the_table_ends_after_its_last_pipe_line() {
        let t = "| ID |\n| --- |\n| [[a]] |\n| plain |\n\nafter\n";
        assert_eq!(&t[table_end(t, span(t, "[[a]]")).unwrap()..], "\nafter\n");
        let eof = "| ID |\r\n| --- |\r\n| [[a]] |";
        assert_eq!(table_end(eof, span(eof, "[[a]]")), Some(eof.len()));
    }
}
