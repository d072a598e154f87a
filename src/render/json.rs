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
//!       "line": 3, "column": 5,           // 1-based; column counts characters
//!       "offset": 41, "length": 12,       // bytes into the note (null for whole-file findings)
//!       "message": "...",
//!       "help": "..." | null,
//!       "subject": "[[Masquerding]]" | null,   // the link or text the finding is about
//!       "related": [{"path": "...", "message": "..."}]
//!     }
//!   ],
//!   "summary": {"files": 0, "notes": 0, "links": 0, "errors": 0, "warnings": 0, "infos": 0}
//! }
//! ```
//!
//! Diagnostics are sorted by path, offset, rule and message. Fields may be added within a
//! version; removing or changing one bumps `version`.

use std::io::{self, Write};

use serde::Serialize;

use crate::check::Report;

#[derive(Serialize)]
struct JsonReport<'a> {
    version: u32,
    tool: Tool,
    diagnostics: Vec<JsonDiagnostic<'a>>,
    summary: &'a crate::check::Summary,
}

#[derive(Serialize)]
struct Tool {
    name: &'static str,
    version: &'static str,
}

#[derive(Serialize)]
struct JsonDiagnostic<'a> {
    rule: &'static str,
    severity: crate::diagnostic::Severity,
    path: &'a str,
    line: u32,
    column: u32,
    offset: Option<usize>,
    length: Option<usize>,
    message: &'a str,
    help: Option<&'a str>,
    subject: Option<&'a str>,
    related: Vec<JsonRelated<'a>>,
}

#[derive(Serialize)]
struct JsonRelated<'a> {
    path: &'a str,
    message: &'a str,
}

pub(crate) fn render(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    let json = JsonReport {
        version: 1,
        tool: Tool {
            name: "vaultlint",
            version: env!("CARGO_PKG_VERSION"),
        },
        diagnostics: report
            .diagnostics
            .iter()
            .map(|d| JsonDiagnostic {
                rule: d.rule.name,
                severity: d.severity,
                path: &d.path,
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
                        message: &r.message,
                    })
                    .collect(),
            })
            .collect(),
        summary: &report.summary,
    };
    serde_json::to_writer_pretty(&mut *out, &json)?;
    writeln!(out)
}
