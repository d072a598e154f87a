//! Note parsing on arbitrary bytes: decoding, front matter, links (wiki, embed, Markdown,
//! property, in comments and tables), headings, block ids, callout IDs, suppression
//! comments, the outline and ATT&CK link labels. Every span must lie in the text on
//! character boundaries with its right line and column; headings, block ids and comments
//! come in document order.
#![no_main]

mod common;

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use vaultlint::parse::{parse_note, FrontMatter, Outline};
use vaultlint::rules::attack::AttackConfig;
use vaultlint::vault::{decode_note, NoteText};

fn in_order(spans: impl Iterator<Item = vaultlint::diagnostic::Span>, what: &str) {
    let spans: Vec<_> = spans.collect();
    for pair in spans.windows(2) {
        assert!(
            pair[0].end <= pair[1].start,
            "{what} out of order or overlapping: {pair:?}"
        );
    }
}

fuzz_target!(|data: &[u8]| {
    static CONFIG: OnceLock<AttackConfig> = OnceLock::new();
    let config = CONFIG.get_or_init(AttackConfig::default);
    let NoteText::Text(text, _) = decode_note(data.to_vec()) else {
        return;
    };
    let note = parse_note(&text);
    assert_eq!(
        note.line_count,
        text.matches('\n').count() + 1,
        "line count"
    );
    for link in note.links() {
        common::check_span(&text, &link.span, "link");
        let _ = vaultlint::rules::attack::link_label(link, config, || None);
        let _ = vaultlint::rules::attack::link_label(link, config, || Some(link.path().to_owned()));
    }
    for heading in &note.headings {
        common::check_span(&text, &heading.span, "heading");
        assert!(
            (1..=6).contains(&heading.level),
            "heading level {}",
            heading.level
        );
        let source = &text[heading.span.start..heading.span.end];
        // An ATX heading (`#` to `######`, then a space, a tab or the line's end) is one line.
        // Only spaces may indent it (CommonMark): a form feed before `#` makes a paragraph
        // line, which a `---` below turns into a setext heading.
        let first = source
            .lines()
            .next()
            .unwrap_or_default()
            .trim_start_matches(' ');
        let hashes = first.len() - first.trim_start_matches('#').len();
        if (1..=6).contains(&hashes)
            && first[hashes..]
                .chars()
                .next()
                .is_none_or(|c| c == ' ' || c == '\t')
        {
            assert!(
                !source.contains('\n'),
                "a `#` heading spans lines: {source:?}"
            );
        }
    }
    in_order(note.headings.iter().map(|h| h.span), "headings");
    for block in &note.block_ids {
        common::check_span(&text, &block.span, "block id");
        assert!(!block.id.is_empty(), "empty block id");
    }
    in_order(note.block_ids.iter().map(|b| b.span), "block ids");
    for d in &note.directives {
        common::check_span(&text, &d.span, "directive");
        assert!(d.text.starts_with("vaultlint-"), "directive {:?}", d.text);
    }
    in_order(note.directives.iter().map(|d| d.span), "directives");
    for span in &note.table_pipes {
        common::check_span(&text, span, "table pipe");
    }
    for (_, span) in &note.callout_ids {
        common::check_span(&text, span, "callout id");
    }
    match &note.front_matter {
        FrontMatter::None => {}
        FrontMatter::Parsed { span, keys, .. } => {
            common::check_span(&text, span, "front matter");
            assert_eq!(span.start, 0, "front matter not at the start");
            for k in keys {
                common::check_span(&text, &k.span, "property key");
                common::check_span(&text, &k.value, "property value");
                assert!(k.span.end <= span.end, "key outside the front matter");
            }
        }
        FrontMatter::Invalid { span, at, .. } => {
            common::check_span(&text, span, "front matter");
            common::check_span(&text, at, "YAML error");
        }
        FrontMatter::Unclosed { span } => common::check_span(&text, span, "unclosed front matter"),
    }
    // The outline (what links from other notes see) agrees with the note, and its hash
    // lookup (built for large notes) with the linear comparison.
    let outline = Outline::of(&note);
    assert_eq!(
        outline.headings.len(),
        note.headings.len(),
        "outline headings"
    );
    for (o, h) in outline.headings.iter().zip(&note.headings) {
        assert!(
            o.matches(&h.key()),
            "heading {:?} does not match its own key {:?}",
            h.raw,
            h.key()
        );
        if let Some(lookup) = &outline.lookup {
            assert!(
                lookup.has_heading(&h.key()),
                "lookup misses heading key {:?}",
                h.key()
            );
        }
    }
    assert_eq!(
        outline.block_ids().count(),
        note.block_ids.len(),
        "outline block ids"
    );
    if let Some(lookup) = &outline.lookup {
        for b in &note.block_ids {
            assert!(
                lookup.has_block(&b.id.to_lowercase()),
                "lookup misses block id {:?}",
                b.id
            );
        }
    }
});
