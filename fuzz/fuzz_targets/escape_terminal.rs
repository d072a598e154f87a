//! The terminal and CI log sinks of `render::escape` on arbitrary text: one string
//! (`terminal`), composed lines (`log_text` through the stderr writer) and a note's source
//! (`terminal_source`, whose offsets must map every character of the text to itself).
#![no_main]

mod common;

use libfuzzer_sys::fuzz_target;
use vaultlint::fuzzing::{escape, Sink};

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let (one, _) = escape(Sink::Terminal, &text);
    common::check_log_safe(&one, &[], &text);
    assert!(!one.contains('\n'), "one string stays on one line");
    let (log, _) = escape(Sink::Log, &text);
    common::check_log_safe(&log, &['\n', '\t'], &text);
    assert_eq!(
        log.matches('\n').count(),
        text.matches('\n').count(),
        "lines kept"
    );
    let (source, map) = escape(Sink::Source, &text);
    common::check_log_safe(&source, &['\n', '\t', '\r'], &text);
    assert_eq!(
        source.matches('\n').count(),
        text.matches('\n').count(),
        "lines kept"
    );
    for w in map.windows(2) {
        let ((a, x), (b, y)) = (w[0], w[1]);
        assert!(
            source.is_char_boundary(x) && x <= y,
            "offsets rise: {text:?}"
        );
        let original = &text[a..b];
        let shown = &source[x..y];
        // A character is itself or its escape (a `:` or `[` may carry the escape of the
        // workflow-command character before it).
        assert!(
            shown == original || shown.starts_with('\\') || shown.ends_with(original),
            "{original:?} shown as {shown:?} in {text:?}"
        );
    }
});
