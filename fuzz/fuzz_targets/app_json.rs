//! `.obsidian/app.json` on arbitrary text: its `userIgnoreFilters` (path prefixes and
//! `/regex/` entries) applied to a few vault paths. Bad JSON or a bad regex is a problem
//! reported, never a panic; prefix filters match without regard to case.
#![no_main]

use libfuzzer_sys::fuzz_target;

const PATHS: [&str; 6] = [
    "Notes/a.md",
    "notes/B.md",
    "Templates/t.md",
    "x.md",
    "Ünïcode/é.md",
    "",
];

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let (excluded, problems) = vaultlint::fuzzing::app_json(&text, &PATHS);
    assert_eq!(excluded.len(), PATHS.len());
    for p in &problems {
        assert!(!p.is_empty(), "an empty problem");
    }
    if serde_json::from_str::<serde_json::Value>(&text).is_err() {
        assert!(!problems.is_empty(), "invalid JSON reported no problem");
        assert!(excluded.iter().all(|e| !e), "invalid JSON excluded files");
    }
    // Case-insensitive prefixes: what excludes `Notes/a.md` through a prefix filter
    // excludes it in any case; checked on a filter list built from the input's first line.
    let prefix = text.lines().next().unwrap_or_default();
    if !prefix.is_empty() && !(prefix.starts_with('/') && prefix.ends_with('/')) {
        let json = serde_json::json!({ "userIgnoreFilters": [prefix] }).to_string();
        let upper = prefix.to_uppercase();
        let (a, _) = vaultlint::fuzzing::app_json(&json, &[prefix, &upper]);
        assert!(a[0], "the prefix {prefix:?} does not exclude itself");
    }
});
