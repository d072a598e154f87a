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

use serde::Serialize;

use super::escape::{json_str, json_str_body};
use super::Stream;
use crate::check::Summary;
use crate::diagnostic::Diagnostic;

#[derive(Serialize)]
struct Tool {
    name: &'static str,
    version: &'static str,
}

/// Writes the report as one pretty-printed JSON object, each finding as it arrives (the
/// `summary`, which needs every finding counted, comes last); `prefix` makes the `file`
/// fields. The bytes are those of `serde_json::to_writer_pretty` on the whole report.
pub(crate) struct JsonStream<'a> {
    prefix: &'a str,
    out: &'a mut dyn Write,
    /// Findings written so far.
    written: usize,
    /// Reused for each finding's pretty JSON before it is indented.
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

    /// Writes `value` pretty-printed as a member `depth` levels deep (two spaces a level):
    /// serde_json indents nested lines that way, and its strings hold no raw newline.
    fn nested(&mut self, value: &impl Serialize, depth: usize) -> io::Result<()> {
        self.buffer.clear();
        super::escape::json_pretty(&mut self.buffer, value)?;
        let indent = &b"        "[..2 * depth];
        for (i, line) in self.buffer.split(|&b| b == b'\n').enumerate() {
            if i > 0 {
                self.out.write_all(b"\n")?;
                self.out.write_all(indent)?;
            }
            self.out.write_all(line)?;
        }
        Ok(())
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
            self.buffer.clear();
            write_diagnostic(&mut self.buffer, d, self.prefix);
            self.out.write_all(&self.buffer)?;
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

/// Appends one finding as pretty JSON two levels deep (the bytes `serde_json`'s pretty
/// printer writes for it inside the report), with `prefix` before vault paths in `file`.
/// Written by hand into one buffer, without a serde value or a string per field: a large
/// vault's report holds hundreds of thousands of findings, and going through serde was
/// most of a warm run. The tests compare it with serde's bytes.
fn write_diagnostic(out: &mut Vec<u8>, d: &Diagnostic, prefix: &str) {
    out.extend_from_slice(b"{\n      \"rule\": ");
    json_str(out, d.rule.name);
    out.extend_from_slice(b",\n      \"severity\": ");
    json_str(out, d.severity.as_str());
    out.extend_from_slice(b",\n      \"path\": ");
    json_str(out, &d.path);
    out.extend_from_slice(b",\n      \"file\": ");
    json_path(out, prefix, &d.path);
    out.extend_from_slice(b",\n      \"line\": ");
    push_number(out, d.line() as usize);
    out.extend_from_slice(b",\n      \"column\": ");
    push_number(out, d.column() as usize);
    out.extend_from_slice(b",\n      \"offset\": ");
    push_option(out, d.span.map(|s| s.start));
    out.extend_from_slice(b",\n      \"length\": ");
    push_option(out, d.span.map(|s| s.end - s.start));
    out.extend_from_slice(b",\n      \"message\": ");
    json_str(out, &d.message);
    out.extend_from_slice(b",\n      \"help\": ");
    push_option_str(out, d.help.as_deref());
    out.extend_from_slice(b",\n      \"subject\": ");
    push_option_str(out, d.subject.as_deref());
    out.extend_from_slice(b",\n      \"related\": [");
    for (i, r) in d.related.iter().enumerate() {
        out.extend_from_slice(if i == 0 { b"\n" } else { b",\n" });
        out.extend_from_slice(b"        {\n          \"path\": ");
        json_str(out, &r.path);
        out.extend_from_slice(b",\n          \"file\": ");
        json_path(out, prefix, &r.path);
        out.extend_from_slice(b",\n          \"message\": ");
        json_str(out, &r.message);
        out.extend_from_slice(b"\n        }");
    }
    if !d.related.is_empty() {
        out.extend_from_slice(b"\n      ");
    }
    out.extend_from_slice(b"],\n      \"fix\": ");
    match &d.fix {
        None => out.extend_from_slice(b"null"),
        Some(fix) => {
            out.extend_from_slice(b"{\n        \"applicability\": ");
            json_str(out, fix.applicability.as_str());
            out.extend_from_slice(b",\n        \"description\": ");
            json_str(out, &fix.description);
            out.extend_from_slice(b",\n        \"edits\": [");
            for (i, e) in fix.edits.iter().enumerate() {
                out.extend_from_slice(if i == 0 { b"\n" } else { b",\n" });
                out.extend_from_slice(b"          {\n            \"offset\": ");
                push_number(out, e.start);
                out.extend_from_slice(b",\n            \"length\": ");
                push_number(out, e.end - e.start);
                out.extend_from_slice(b",\n            \"content\": ");
                json_str(out, &e.replacement);
                out.extend_from_slice(b"\n          }");
            }
            if !fix.edits.is_empty() {
                out.extend_from_slice(b"\n        ");
            }
            out.extend_from_slice(b"]\n      }");
        }
    }
    out.extend_from_slice(b"\n    }");
}

/// A vault path as a `file` field: `prefix` and `path` as one JSON string.
fn json_path(out: &mut Vec<u8>, prefix: &str, path: &str) {
    out.push(b'"');
    json_str_body(out, prefix);
    json_str_body(out, path);
    out.push(b'"');
}

/// A number as serde_json writes it (decimal digits).
fn push_number(out: &mut Vec<u8>, n: usize) {
    // Writing into a Vec cannot fail.
    let _ = write!(out, "{n}");
}

/// A number, or `null`.
fn push_option(out: &mut Vec<u8>, n: Option<usize>) {
    match n {
        Some(n) => push_number(out, n),
        None => out.extend_from_slice(b"null"),
    }
}

/// A string, or `null`.
fn push_option_str(out: &mut Vec<u8>, s: Option<&str>) {
    match s {
        Some(s) => json_str(out, s),
        None => out.extend_from_slice(b"null"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Serialize)]
    struct JsonDiagnostic<'a> {
        rule: &'static str,
        severity: crate::diagnostic::Severity,
        path: &'a str,
        file: String,
        line: u32,
        column: u32,
        offset: Option<usize>,
        length: Option<usize>,
        message: &'a str,
        help: Option<&'a str>,
        subject: Option<&'a str>,
        related: Vec<JsonRelated<'a>>,
        fix: Option<JsonFix<'a>>,
    }

    #[derive(Serialize)]
    struct JsonFix<'a> {
        applicability: crate::diagnostic::Applicability,
        description: &'a str,
        edits: Vec<JsonEdit<'a>>,
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
        file: String,
        message: &'a str,
    }

    /// One finding in the JSON schema; `prefix` goes before vault paths in `file`.
    fn json_diagnostic<'a>(d: &'a Diagnostic, prefix: &str) -> JsonDiagnostic<'a> {
        JsonDiagnostic {
            rule: d.rule.name,
            severity: d.severity,
            path: &d.path,
            file: format!("{prefix}{}", d.path),
            line: d.line(),
            column: d.column(),
            offset: d.span.map(|s| s.start),
            length: d.span.map(|s| s.end - s.start),
            message: &d.message,
            help: d.help.as_deref(),
            subject: d.subject.as_deref(),
            related: d
                .related
                .iter()
                .map(|r| JsonRelated {
                    path: &r.path,
                    file: format!("{prefix}{}", r.path),
                    message: &r.message,
                })
                .collect(),
            fix: d.fix.as_ref().map(|f| JsonFix {
                applicability: f.applicability,
                description: &f.description,
                edits: f
                    .edits
                    .iter()
                    .map(|e| JsonEdit {
                        offset: e.start,
                        length: e.end - e.start,
                        content: &e.replacement,
                    })
                    .collect(),
            }),
        }
    }

    /// The whole report as one value: what the streamed bytes must equal.
    #[derive(Serialize)]
    struct Whole<'a> {
        version: u32,
        tool: Tool,
        diagnostics: Vec<JsonDiagnostic<'a>>,
        summary: &'a Summary,
    }

    fn whole(report: &crate::check::Report, prefix: &str) -> Vec<u8> {
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
                String::from_utf8(out).unwrap(),
                String::from_utf8(whole(report, "../v/")).unwrap()
            );
        }
    }
}
