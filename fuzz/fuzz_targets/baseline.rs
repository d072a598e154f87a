//! Baseline files (`--baseline`) on arbitrary text, filtered against the findings of a
//! small fixed vault: counts must add up. A baseline written from that report
//! (`--write-baseline`) must read back and know every finding of it (checked once).
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use vaultlint::Report;

fn report() -> &'static Report {
    static REPORT: OnceLock<Report> = OnceLock::new();
    REPORT.get_or_init(|| {
        let report = vaultlint::check_texts(&[
            ("a.md", "[[missing]] [[b#nope]] [[b]]\n"),
            ("b.md", "---\nalias: x\n---\n# B\n"),
            ("c/index.md", ""),
            ("d/index.md", "[[index]]\n"),
        ]);
        let n = report.diagnostics.len();
        assert!(n >= 3, "the fixed vault has findings to baseline");
        let written = vaultlint::fuzzing::write_baseline(&report).expect("serializes");
        let f =
            vaultlint::fuzzing::baseline(&written, &report).expect("a written baseline reads back");
        assert_eq!((f.new, f.known, f.fixed, f.recorded), (0, n, 0, n));
        report
    })
}

fuzz_target!(|data: &[u8]| {
    let report = report();
    let n = report.diagnostics.len();
    let text = String::from_utf8_lossy(data);
    if let Ok(f) = vaultlint::fuzzing::baseline(&text, report) {
        assert_eq!(f.new + f.known, n, "every finding is new or known: {f:?}");
        assert_eq!(
            f.known + f.fixed,
            f.recorded,
            "every recorded finding is known or fixed: {f:?}"
        );
    }
});
