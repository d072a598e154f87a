//! `vaultlint.toml` on arbitrary text: parsed and merged with an empty command line. A
//! config that loads selects known rules, sorted and each once; one that does not gives
//! an error with a `line:column` inside the file.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    match vaultlint::fuzzing::config(text) {
        Ok(facts) => {
            for pair in facts.rules.windows(2) {
                assert!(
                    pair[0] < pair[1],
                    "rules not sorted or repeated: {:?}",
                    facts.rules
                );
            }
            for name in &facts.rules {
                assert!(
                    vaultlint::rules::find(name).is_some(),
                    "unknown rule {name}"
                );
            }
            for name in &facts.severities {
                assert!(
                    vaultlint::rules::find(name).is_some(),
                    "severity for unknown rule {name}"
                );
            }
        }
        Err(message) => {
            assert!(!message.is_empty());
            // `vaultlint.toml:LINE:COLUMN: …` points inside the file.
            if let Some(rest) = message.split("vaultlint.toml:").nth(1) {
                let mut parts = rest.splitn(3, ':');
                if let (Some(Ok(line)), Some(Ok(column))) = (
                    parts.next().map(str::parse::<usize>),
                    parts.next().map(str::parse::<usize>),
                ) {
                    let lines = text.split('\n').count();
                    assert!(
                        line >= 1 && line <= lines,
                        "error line {line} of {lines}: {message}"
                    );
                    let width = text
                        .split('\n')
                        .nth(line - 1)
                        .map_or(0, |l| l.chars().count());
                    assert!(
                        column >= 1 && column <= width + 1,
                        "error column {column} of {width}: {message}"
                    );
                }
            }
        }
    }
});
