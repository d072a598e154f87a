//! The job summary sinks of `render::escape` on arbitrary text: a code span
//! (`markdown_code`) that nothing inside closes, on one line, and text (`markdown_text`)
//! with no character that starts Markdown or HTML syntax.
#![no_main]

mod common;

use libfuzzer_sys::fuzz_target;
use vaultlint::fuzzing::{escape, Sink};

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let (code, _) = escape(Sink::MarkdownCode, &text);
    let fence = code.chars().take_while(|&c| c == '`').count();
    assert!(fence >= 1 && code.len() >= 2 * fence, "{code:?}");
    assert!(code.ends_with(&"`".repeat(fence)), "{code:?}");
    let inner = &code[fence..code.len() - fence];
    assert!(
        !inner.contains(&"`".repeat(fence)),
        "closed early: {code:?}"
    );
    assert!(!inner.starts_with('`') && !inner.ends_with('`'), "{code:?}");
    assert!(!code.chars().any(common::is_hostile), "{code:?}");
    let (md, _) = escape(Sink::MarkdownText, &text);
    assert!(
        !md.contains(['<', '>', '[', ']', '`', '*', '_', '|', '!', '\\', ':', '@', '\n']),
        "{text:?} -> {md:?}"
    );
    assert!(!md.to_ascii_lowercase().contains("www."), "{md:?}");
    assert!(!md.chars().any(common::is_hostile), "{md:?}");
});
