//! Note parsing and link extraction on arbitrary bytes: decoding, front matter, links,
//! headings, block ids, the outline and ATT&CK labels. Must never panic, hang or blow up.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use vaultlint::rules::attack::AttackConfig;
use vaultlint::parse::{parse_note, Outline};
use vaultlint::vault::{decode_note, NoteText};

fuzz_target!(|data: &[u8]| {
    static CONFIG: OnceLock<AttackConfig> = OnceLock::new();
    let config = CONFIG.get_or_init(AttackConfig::default);
    if let NoteText::Text(text, _) = decode_note(data.to_vec()) {
        let note = parse_note(&text);
        for link in &note.links {
            assert!(link.span.start <= link.span.end && link.span.end <= text.len());
            let _ = vaultlint::rules::attack::link_label(link, config);
        }
        for heading in &note.headings {
            assert!(heading.span.start <= heading.span.end && heading.span.end <= text.len());
        }
        let _ = Outline::of(&note);
    }
});
