//! Inputs the fuzz targets (`fuzz/`, see `fuzz/README.md`) found, minimized, each with the
//! result it must give. The targets check invariants; these pin the exact values.

use std::collections::BTreeMap;

use vaultlint::render::{render, Format, Style};

fn concise(files: &[(&str, &str)]) -> String {
    let report = vaultlint::check_texts(files);
    let style = Style {
        color: false,
        width: None,
        quiet: true,
    };
    let mut out = Vec::new();
    render(Format::Concise, &report, &BTreeMap::new(), style, &mut out).unwrap();
    String::from_utf8(out).unwrap()
}

/// `check_vault`: an ATT&CK ID declared only by the file name (` - A2411`) was reported at
/// line 0, column 0 (`Span::default()` was all zeros). A whole-note span is line 1, column 1.
#[test]
fn a_declaration_in_the_file_name_points_at_line_one_column_one() {
    let report = vaultlint::check_texts(&[(" - A2411.md", "")]);
    let spans: Vec<_> = report
        .diagnostics
        .iter()
        .map(|d| {
            (
                d.rule.name,
                d.span.map(|s| (s.start, s.end, s.line, s.column)),
            )
        })
        .collect();
    assert_eq!(spans, [("attack-unknown-id", Some((0, 0, 1, 1)))]);
    assert!(
        concise(&[(" - A2411.md", "")]).starts_with(" - A2411.md:1:1: "),
        "{}",
        concise(&[(" - A2411.md", "")])
    );
    assert_eq!(vaultlint::diagnostic::Span::default().line, 1);
    assert_eq!(vaultlint::diagnostic::Span::default().column, 1);
}

/// `parse_note`: a setext heading's span holds its text lines and its underline; a `#`
/// heading's span is its one line. The fuzz finding `##x\n---` (no `#` heading, since no
/// space follows the marks, so a setext heading whose text is `##x`) also showed its text
/// losing the `##`, as if it were a `#` heading: Obsidian keys it by `##x`.
#[test]
fn a_setext_heading_spans_its_underline_and_an_atx_heading_one_line() {
    for (text, raw, end) in [
        ("1\n-", "1", 3),
        ("##x\n---\n", "##x", 7),
        ("## x\n---\n", "x", 4),
    ] {
        let note = vaultlint::parse::parse_note(text);
        let h = &note.headings[0];
        assert_eq!(
            (h.raw.as_str(), h.span.start, h.span.end),
            (raw, 0, end),
            "{text:?}"
        );
    }
}

/// `parse_note`, minimized from a 2 KB input: form feeds before `# x` are not the up to three
/// spaces that may indent a `#` heading (CommonMark), so the line is paragraph text and the
/// `---` below makes it a setext heading of two lines whose text is `# x` (its marks kept,
/// the form feeds trimmed as Obsidian trims a heading). The parser was right; the target's
/// invariant took the form feeds for indentation and is fixed.
#[test]
fn form_feeds_before_hashes_make_a_setext_heading() {
    let text = "\u{c}\u{c}\u{c}# x\n---\n";
    let note = vaultlint::parse::parse_note(text);
    let h = &note.headings[0];
    assert_eq!(
        (h.level, h.raw.as_str(), h.span.start, h.span.end),
        (2, "# x", 0, text.len() - 1)
    );
}
