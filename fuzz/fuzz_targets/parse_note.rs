//! Note parsing and link extraction on arbitrary bytes, then the whole check pass (resolve,
//! every rule, suppressions) on a two-note vault holding the input. Must never panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use vaultlint::vault::{decode_note, NoteText};

fuzz_target!(|data: &[u8]| {
    if let NoteText::Text(text, _) = decode_note(data.to_vec()) {
        let note = vaultlint::parse::parse_note(&text);
        for link in &note.links {
            assert!(link.span.start <= link.span.end && link.span.end <= text.len());
            let _ = vaultlint::attack::link_label(link, &vaultlint::attack::AttackConfig::default());
        }
        for heading in &note.headings {
            assert!(heading.span.end <= text.len());
        }
        let _ = vaultlint::check_texts(&[("Fuzz.md", text.as_str()), ("Other note.md", "# Other\n^blk\n")]);
    }
});
