//! The GitHub annotation sinks of `render::escape` on arbitrary text: a message
//! (`ci_data`) stays on one line with no command, a property (`ci_property`) holds no `:`
//! or `,` that would end it, and GitHub's own unescaping gives back the text's `%`.
#![no_main]

mod common;

use libfuzzer_sys::fuzz_target;
use vaultlint::fuzzing::{escape, Sink};

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let (data_out, _) = escape(Sink::CiData, &text);
    common::check_log_safe(&data_out, &[], &text);
    assert!(!data_out.contains(['\n', '\r']), "{data_out:?}");
    let (prop, _) = escape(Sink::CiProperty, &text);
    common::check_log_safe(&prop, &[], &text);
    assert!(!prop.contains([':', ',', '\n', '\r']), "{prop:?}");
    let percents = |s: &str| s.matches('%').count();
    let unescaped = data_out
        .replace("%0A", "")
        .replace("%0D", "")
        .replace("%25", "%");
    assert_eq!(
        percents(&unescaped),
        percents(&text),
        "{text:?} -> {data_out:?}"
    );
});
