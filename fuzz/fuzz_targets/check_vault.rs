//! The whole check on a small vault held in memory (`check_texts`: outline pass, index,
//! resolution, ambiguity, the core and ATT&CK packs, suppressions, fixes proposed, sort),
//! then its findings rendered in every output format. Input: files separated by NUL bytes,
//! each `path\ntext` (see `common::vault`).
#![no_main]

mod common;

use std::collections::BTreeMap;

use libfuzzer_sys::fuzz_target;
use vaultlint::render::{render, Format, Style};

const FORMATS: [Format; 7] = [
    Format::Human,
    Format::Concise,
    Format::Json,
    Format::Sarif,
    Format::Github,
    Format::Junit,
    Format::Gitlab,
];

/// Characters XML 1.0 cannot hold, escaped or not.
fn xml_forbidden(c: char) -> bool {
    matches!(c, '\u{0}'..='\u{8}' | '\u{b}' | '\u{c}' | '\u{e}'..='\u{1f}' | '\u{fffe}' | '\u{ffff}')
}

fuzz_target!(|data: &[u8]| {
    let files = common::vault(data);
    let report = vaultlint::check_texts(&common::borrowed(&files));
    common::check_report(&files, &report);
    let n = report.diagnostics.len();
    let sources: BTreeMap<String, String> = files.iter().cloned().collect();
    let plain = Style {
        color: false,
        width: None,
        quiet: false,
    };
    // Colour and wrapping change only the human format.
    let wrapped = Style {
        color: true,
        width: Some(20),
        quiet: false,
    };
    for format in FORMATS {
        let styles = if format == Format::Human {
            &[plain, wrapped][..]
        } else {
            &[plain][..]
        };
        for &style in styles {
            let mut out = Vec::new();
            render(format, &report, &sources, style, &mut out).expect("writing to a Vec");
            let out = String::from_utf8(out).expect("output is UTF-8");
            match format {
                Format::Concise => {
                    // One line per finding, then the summary lines unless quiet.
                    let mut quiet = Vec::new();
                    let style = Style {
                        quiet: true,
                        ..style
                    };
                    render(format, &report, &sources, style, &mut quiet).expect("writing to a Vec");
                    let quiet = String::from_utf8(quiet).expect("output is UTF-8");
                    assert_eq!(quiet.lines().count(), n, "one line per finding:\n{quiet}");
                    assert!(
                        out.starts_with(&quiet),
                        "summary after the findings:\n{out}"
                    );
                    assert!(out.len() > quiet.len(), "a summary line:\n{out}");
                }
                Format::Json => {
                    let v: serde_json::Value = serde_json::from_str(&out).expect("JSON parses");
                    let found = v["diagnostics"].as_array().expect("diagnostics array");
                    assert_eq!(found.len(), n);
                    for (j, d) in found.iter().zip(&report.diagnostics) {
                        assert_eq!(j["rule"], d.rule.name);
                        assert_eq!(j["path"], &*d.path);
                        if let Some(span) = d.span {
                            assert_eq!(j["offset"], span.start);
                            assert_eq!(j["line"], span.line);
                            assert_eq!(j["column"], span.column);
                        }
                    }
                }
                Format::Sarif => {
                    let v: serde_json::Value = serde_json::from_str(&out).expect("SARIF parses");
                    let results = v["runs"][0]["results"].as_array().expect("results array");
                    assert_eq!(results.len(), n.min(5_000));
                }
                Format::Gitlab => {
                    let v: serde_json::Value =
                        serde_json::from_str(&out).expect("GitLab JSON parses");
                    assert_eq!(v.as_array().expect("an array").len(), n);
                }
                Format::Junit => {
                    assert!(
                        !out.chars().any(xml_forbidden),
                        "JUnit XML holds a character XML forbids:\n{out:?}"
                    );
                }
                Format::Human | Format::Github => {}
            }
        }
    }
});
