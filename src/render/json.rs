//! The JSON report, a public interface. Schema, version 1:
//!
//! ```text
//! {
//!   "version": 1,
//!   "tool": {"name": "vaultlint", "version": "<semver>"},
//!   "diagnostics": [
//!     {
//!       "rule": "broken-link",            // kebab-case rule name
//!       "severity": "error",              // "error" | "warning" | "info"
//!       "path": "Folder/Note.md",         // vault-relative, '/'-separated
//!       "file": "notes/Folder/Note.md",   // the same note as a path that opens from the
//!                                         // folder vaultlint ran in (absolute when the
//!                                         // vault is neither inside nor above that folder)
//!       "line": 3, "column": 5,           // 1-based; column counts characters
//!       "offset": 41, "length": 12,       // bytes into the note (null for whole-file findings)
//!       "message": "...",
//!       "help": "..." | null,
//!       "subject": "[[Masquerding]]" | null,   // the link or text the finding is about
//!       "related": [{"path": "...", "file": "...", "message": "..."}],
//!       "fix": {                          // null when the rule has no fix for it
//!         "applicability": "safe",        // "safe" (--fix) | "unsafe" (--unsafe-fixes)
//!         "description": "...",
//!         "edits": [{"offset": 41, "length": 5, "content": "..."}]   // bytes into the note
//!       } | null
//!     }
//!   ],
//!   "summary": {"files": 0, "notes": 0, "links": 0,   // files in the vault, notes linted
//!               "attack_links": 0, "attack_catalog": "ATT&CK v18.1 (built in)",
//!               "config": "vaultlint.toml" | null,   // the config file applied, as `file`
//!               "errors": 0, "warnings": 0, "infos": 0,
//!               "fixable": 0, "unsafe_fixable": 0}   // findings with a safe / unsafe fix
//! }
//! ```
//!
//! Diagnostics are sorted by path, offset, rule and message. Fields may be added within a
//! version; removing or changing one bumps `version`.

use std::io::{self, Write};

use serde::ser::Serializer;
use serde::Serialize;

use super::escape::json_pretty_at;
use super::Stream;
use crate::check::Summary;
use crate::diagnostic::{Diagnostic, Edit, Related};

#[derive(Serialize)]
struct Tool {
    name: &'static str,
    version: &'static str,
}

/// One finding in the schema above, borrowing every string from the finding: a large
/// vault's report holds hundreds of thousands of them.
#[derive(Serialize)]
struct JsonDiagnostic<'a> {
    rule: &'static str,
    severity: crate::diagnostic::Severity,
    path: &'a str,
    file: Prefixed<'a>,
    line: u32,
    column: u32,
    offset: Option<usize>,
    length: Option<usize>,
    message: &'a str,
    help: Option<&'a str>,
    subject: Option<&'a str>,
    #[serde(serialize_with = "related")]
    related: (&'a str, &'a [Related]),
    fix: Option<JsonFix<'a>>,
}

#[derive(Serialize)]
struct JsonFix<'a> {
    applicability: crate::diagnostic::Applicability,
    description: &'a str,
    #[serde(serialize_with = "edits")]
    edits: &'a [Edit],
}

#[derive(Serialize)]
struct JsonEdit<'a> {
    offset: usize,
    length: usize,
    content: &'a str,
}

#[derive(Serialize)]
struct JsonRelated<'a> {
    path: &'a str,
    file: Prefixed<'a>,
    message: &'a str,
}

/// A vault path as a `file` field: the prefix and the path as one JSON string, written
/// without joining them first.
struct Prefixed<'a> {
    prefix: &'a str,
    path: &'a str,
}

impl Serialize for Prefixed<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(&format_args!("{}{}", self.prefix, self.path))
    }
}

/// The `related` places, each with its `file` under `prefix`.
fn related<S: Serializer>(
    &(prefix, related): &(&str, &[Related]),
    serializer: S,
) -> Result<S::Ok, S::Error> {
    serializer.collect_seq(related.iter().map(|r| JsonRelated {
        path: &r.path,
        file: Prefixed {
            prefix,
            path: &r.path,
        },
        message: &r.message,
    }))
}

/// A fix's edits as offsets and lengths in bytes.
fn edits<S: Serializer>(edits: &&[Edit], serializer: S) -> Result<S::Ok, S::Error> {
    serializer.collect_seq(edits.iter().map(|e| JsonEdit {
        offset: e.start,
        length: e.end - e.start,
        content: &e.replacement,
    }))
}

/// One finding in the JSON schema; `prefix` goes before vault paths in `file`.
fn json_diagnostic<'a>(d: &'a Diagnostic, prefix: &'a str) -> JsonDiagnostic<'a> {
    JsonDiagnostic {
        rule: d.rule.name,
        severity: d.severity,
        path: &d.path,
        file: Prefixed {
            prefix,
            path: &d.path,
        },
        line: d.line(),
        column: d.column(),
        offset: d.span.map(|s| s.start),
        length: d.span.map(|s| s.end - s.start),
        message: &d.message,
        help: d.help.as_deref(),
        subject: d.subject.as_deref(),
        related: (prefix, &d.related),
        fix: d.fix.as_ref().map(|f| JsonFix {
            applicability: f.applicability,
            description: &f.description,
            edits: &f.edits,
        }),
    }
}

/// Writes the report as one pretty-printed JSON object, each finding as it arrives (the
/// `summary`, which needs every finding counted, comes last); `prefix` makes the `file`
/// fields. The bytes are those of `serde_json::to_writer_pretty` on the whole report.
pub(crate) struct JsonStream<'a> {
    prefix: &'a str,
    out: &'a mut dyn Write,
    /// Findings written so far.
    written: usize,
    /// Reused for each finding's JSON, written to `out` at once.
    buffer: Vec<u8>,
}

impl<'a> JsonStream<'a> {
    pub(crate) fn new(prefix: &'a str, out: &'a mut dyn Write) -> Self {
        JsonStream {
            prefix,
            out,
            written: 0,
            buffer: Vec::new(),
        }
    }

    /// Writes `value` pretty-printed as a member `depth` levels deep.
    fn nested(&mut self, value: &impl Serialize, depth: usize) -> io::Result<()> {
        self.buffer.clear();
        json_pretty_at(&mut self.buffer, value, depth)?;
        self.out.write_all(&self.buffer)
    }

    fn header(&mut self) -> io::Result<()> {
        self.out.write_all(b"{\n  \"version\": 1,\n  \"tool\": ")?;
        let tool = Tool {
            name: "vaultlint",
            version: env!("CARGO_PKG_VERSION"),
        };
        self.nested(&tool, 1)?;
        self.out.write_all(b",\n  \"diagnostics\": [")
    }
}

impl Stream for JsonStream<'_> {
    fn note(&mut self, findings: &[Diagnostic]) -> io::Result<()> {
        for d in findings {
            if self.written == 0 {
                self.header()?;
                self.out.write_all(b"\n    ")?;
            } else {
                self.out.write_all(b",\n    ")?;
            }
            self.written += 1;
            self.nested(&json_diagnostic(d, self.prefix), 2)?;
        }
        Ok(())
    }

    fn finish(&mut self, summary: &Summary) -> io::Result<Vec<String>> {
        if self.written == 0 {
            self.header()?;
            self.out.write_all(b"],\n  \"summary\": ")?;
        } else {
            self.out.write_all(b"\n  ],\n  \"summary\": ")?;
        }
        self.nested(summary, 1)?;
        self.out.write_all(b"\n}\n")?;
        Ok(Vec::new())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The whole report as one value: what the streamed bytes must equal.
    #[derive(Serialize)]
    struct Whole<'a> {
        version: u32,
        tool: Tool,
        diagnostics: Vec<JsonDiagnostic<'a>>,
        summary: &'a Summary,
    }

    fn whole<'a>(report: &'a crate::check::Report, prefix: &'a str) -> Vec<u8> {
        let value = Whole {
            version: 1,
            tool: Tool {
                name: "vaultlint",
                version: env!("CARGO_PKG_VERSION"),
            },
            diagnostics: report
                .diagnostics
                .iter()
                .map(|d| json_diagnostic(d, prefix))
                .collect(),
            summary: &report.summary,
        };
        let mut out = Vec::new();
        crate::render::escape::json_pretty(&mut out, &value).unwrap();
        out.push(b'\n');
        out
    }

    #[test]
    fn streamed_report_is_the_whole_report_pretty_printed() {
        let clean = crate::check::check_texts(&[("a.md", "fine\n")]);
        let dirty = crate::check::check_texts(&[
            ("a.md", "---\nalias: x\n---\n[[gone]] [[b]] [[b#nope]]\n"),
            ("b.md", "[[a]] [[elsewhere|\"quoted\"]]\n"),
            ("c.md", "[[é\\n]] [[d]]\n"),
            // Related places (an ambiguous link), and hostile text in paths and messages.
            ("x/d.md", "[[d]] [[q\"\u{202e}\u{7f}\t]]\n"),
            ("y/d.md", "---\naliases: [\"\u{2028}\"]\nalias: z\n---\n"),
            ("q\"\u{85}\\.md", "[[nowhere\u{2029}]]\n"),
        ]);
        assert!(dirty.diagnostics.iter().any(|d| !d.related.is_empty()));
        assert!(dirty.diagnostics.iter().any(|d| d.fix.is_some()));
        assert!(dirty.diagnostics.len() > 3);
        for report in [&clean, &dirty] {
            let mut out = Vec::new();
            crate::render::feed(&mut JsonStream::new("../v/", &mut out), report).unwrap();
            assert_eq!(
                String::from_utf8(out.clone()).unwrap(),
                String::from_utf8(whole(report, "../v/")).unwrap()
            );
            // The borrowed fields read back as the finding's own data.
            let value: serde_json::Value = serde_json::from_slice(&out).unwrap();
            let written = value["diagnostics"].as_array().unwrap();
            assert_eq!(written.len(), report.diagnostics.len());
            for (json, d) in written.iter().zip(&report.diagnostics) {
                assert_eq!(json["path"], *d.path);
                assert_eq!(json["file"], format!("../v/{}", d.path));
                assert_eq!(json["message"], d.message);
                let related = json["related"].as_array().unwrap();
                assert_eq!(related.len(), d.related.len());
                for (json, r) in related.iter().zip(&d.related) {
                    assert_eq!(json["file"], format!("../v/{}", r.path));
                    assert_eq!(json["message"], r.message);
                }
                match &d.fix {
                    None => assert!(json["fix"].is_null()),
                    Some(fix) => {
                        let edits = json["fix"]["edits"].as_array().unwrap();
                        assert_eq!(edits.len(), fix.edits.len());
                        for (json, e) in edits.iter().zip(&fix.edits) {
                            assert_eq!(json["offset"], e.start);
                            assert_eq!(json["length"], e.end - e.start);
                            assert_eq!(json["content"], e.replacement);
                        }
                    }
                }
            }
        }
    }
}
