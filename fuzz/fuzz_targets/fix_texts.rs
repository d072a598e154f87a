//! Fixes applied in memory, as `--fix --unsafe-fixes` plans them: check a small vault, apply
//! every note's non-overlapping fixes, check the fixed text again, up to ten passes. The
//! fixed text must keep every byte outside the edits and check cleanly (no panic, valid
//! findings). Input as `check_vault`.
#![no_main]

mod common;

use libfuzzer_sys::fuzz_target;
use vaultlint::diagnostic::Edit;

/// As `fix::MAX_PASSES`.
const MAX_PASSES: usize = 10;

/// `text` with `edits` applied, written independently of the library's splice.
fn expected(text: &str, edits: &[Edit]) -> String {
    let mut out = String::new();
    let mut at = 0;
    for e in edits {
        assert!(
            at <= e.start,
            "applied edits overlap or are unsorted: {edits:?}"
        );
        out += &text[at..e.start];
        out += &e.replacement;
        at = e.end;
    }
    out + &text[at..]
}

fuzz_target!(|data: &[u8]| {
    let mut files = common::vault(data);
    for _ in 0..MAX_PASSES {
        let report = vaultlint::check_texts(&common::borrowed(&files));
        common::check_report(&files, &report);
        let mut changed = false;
        for (path, text) in &mut files {
            let fixable: Vec<&vaultlint::Diagnostic> = report
                .diagnostics
                .iter()
                .filter(|d| *d.path == **path && d.fix.is_some())
                .collect();
            if fixable.is_empty() {
                continue;
            }
            let (fixed, edits) = vaultlint::fuzzing::apply_fixes(text, &fixable);
            assert!(!edits.is_empty(), "no fix of {path} applied: {fixable:#?}");
            assert_eq!(
                fixed,
                expected(text, &edits),
                "bytes outside the edits changed"
            );
            let note = vaultlint::parse::parse_note(&fixed);
            for link in note.links() {
                common::check_span(&fixed, &link.span, "link in fixed text");
            }
            if fixed != *text {
                *text = fixed;
                changed = true;
            }
        }
        if !changed {
            break;
        }
    }
});
