//! ATT&CK catalogue loading (`--attack-catalog`, `[attack] catalog`): STIX bundles and the
//! TSV format, on arbitrary text. Every row must respect the loader's size limits, be
//! found again by its own ID, kind and domain, and merging must describe the release.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let Ok(facts) = vaultlint::fuzzing::catalogue(&text) else {
        return;
    };
    for row in &facts.rows {
        assert!(
            row.id.len() <= facts.max_field_bytes,
            "an ID of {} bytes",
            row.id.len()
        );
        assert!(
            row.name.len() <= facts.max_field_bytes,
            "a name of {} bytes",
            row.name.len()
        );
        assert!(
            row.domain.len() <= facts.max_field_bytes,
            "a domain of {} bytes",
            row.domain.len()
        );
        assert_ne!(
            row.found_in_domain,
            Some(false),
            "row not found by its own ID: {row:?}"
        );
    }
    if !facts.rows.is_empty() {
        assert!(
            facts.describe.contains("fuzz.json"),
            "release not described: {:?}",
            facts.describe
        );
    }
});
