//! Canvas JSON (JSON Canvas 1.0) on arbitrary text: file nodes and text-node links, each
//! located in the JSON. Never fails; spans must lie in the text with their right line and
//! column, and every link has its node.
#![no_main]

mod common;

use libfuzzer_sys::fuzz_target;
use vaultlint::parse::parse_canvas;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let canvas = parse_canvas(&text);
    assert_eq!(
        canvas.nodes.len(),
        canvas.note.links().len(),
        "one node per link"
    );
    for link in canvas.note.links() {
        common::check_span(&text, &link.span, "canvas link");
    }
    if let Some((message, span)) = &canvas.error {
        assert!(!message.is_empty(), "empty canvas error");
        common::check_span(&text, span, "canvas error");
    }
    assert!(canvas.note.headings.is_empty() && canvas.note.block_ids.is_empty());
});
