//! GitLab Code Quality JSON (a subset of the Code Climate issue format), which GitLab shows
//! in merge requests when a job lists it under `artifacts:reports:codequality`.
//!
//! An array of issues with `description`, `check_name`, `fingerprint`, `severity` and
//! `location` (`path` relative to the repository root, `lines.begin` 1-based). GitLab checks
//! each issue against its `codeclimate.json` schema and stops at the first bad one; the
//! tests validate against that schema. Severities map error → `major`, warning → `minor`,
//! info → `info`.

use std::collections::HashMap;
use std::io::{self, Write};

use serde::Serialize;

use super::fingerprint::fingerprint;
use super::{RenderContext, Stream};
use crate::check::Summary;
use crate::diagnostic::{Diagnostic, Severity};

#[derive(Serialize)]
struct Issue {
    #[serde(rename = "type")]
    kind: &'static str,
    description: String,
    check_name: &'static str,
    fingerprint: String,
    severity: &'static str,
    categories: [&'static str; 1],
    location: Location,
}

#[derive(Serialize)]
struct Location {
    path: String,
    lines: Lines,
}

#[derive(Serialize)]
struct Lines {
    begin: u32,
}

/// GitLab's name for a severity.
pub(crate) fn severity(s: Severity) -> &'static str {
    match s {
        Severity::Error => "major",
        Severity::Warning => "minor",
        Severity::Info => "info",
    }
}

/// Writes the Code Quality issues, one per finding as it arrives, as a pretty-printed
/// JSON array (the bytes of `serde_json::to_writer_pretty` on the whole array).
pub(crate) struct GitlabStream<'a> {
    ctx: &'a RenderContext,
    out: &'a mut dyn Write,
    written: usize,
    /// Reused for each issue's pretty JSON before it is indented.
    buffer: Vec<u8>,
}

impl<'a> GitlabStream<'a> {
    pub(crate) fn new(ctx: &'a RenderContext, out: &'a mut dyn Write) -> Self {
        GitlabStream {
            ctx,
            out,
            written: 0,
            buffer: Vec::new(),
        }
    }
}

impl Stream for GitlabStream<'_> {
    fn note(&mut self, findings: &[Diagnostic]) -> io::Result<()> {
        // The occurrence counts per rule, note and subject: one note's findings arrive
        // together, so the counts of one call are all there are.
        let mut seen: HashMap<(&str, &str), usize> = HashMap::new();
        for d in findings {
            let path = self.ctx.repo.repo_path(&d.path);
            let occurrence = seen
                .entry((d.rule.name, d.subject.as_deref().unwrap_or(&d.message)))
                .or_insert(0);
            *occurrence += 1;
            let description = match &d.help {
                Some(help) => format!("{} (help: {help})", d.message),
                None => d.message.clone(),
            };
            let issue = Issue {
                kind: "issue",
                description,
                check_name: d.rule.name,
                // GitLab compares fingerprints between the base and the merge request to
                // tell new issues from fixed ones: the line must not count.
                fingerprint: fingerprint(d, &path, *occurrence),
                severity: severity(d.severity),
                categories: ["Bug Risk"],
                location: Location {
                    path,
                    lines: Lines { begin: d.line() },
                },
            };
            self.out.write_all(if self.written == 0 {
                b"[\n  "
            } else {
                b",\n  "
            })?;
            self.written += 1;
            self.buffer.clear();
            super::escape::json_pretty(&mut self.buffer, &issue)?;
            // Nested one level: serde_json's strings hold no raw newline.
            for (i, line) in self.buffer.split(|&b| b == b'\n').enumerate() {
                if i > 0 {
                    self.out.write_all(b"\n  ")?;
                }
                self.out.write_all(line)?;
            }
        }
        Ok(())
    }

    fn finish(&mut self, _summary: &Summary) -> io::Result<Vec<String>> {
        self.out
            .write_all(if self.written == 0 { b"[]\n" } else { b"\n]\n" })?;
        Ok(Vec::new())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn streamed_issues_are_the_whole_array_pretty_printed() {
        let dirty = crate::check::check_texts(&[
            ("a.md", "[[gone]] [[gone]] [[b#nope]]\n"),
            ("b.md", "[[a]] [[elsewhere]]\n"),
        ]);
        let clean = crate::check::check_texts(&[("a.md", "fine\n")]);
        for report in [&clean, &dirty] {
            let ctx = RenderContext::default();
            let mut out = Vec::new();
            crate::render::feed(&mut GitlabStream::new(&ctx, &mut out), report).unwrap();
            // The whole array built at once, with occurrences counted over the report.
            let mut seen: HashMap<(&str, &str, &str), usize> = HashMap::new();
            let issues: Vec<Issue> = report
                .diagnostics
                .iter()
                .map(|d| {
                    let n = seen
                        .entry((
                            d.rule.name,
                            &d.path,
                            d.subject.as_deref().unwrap_or(&d.message),
                        ))
                        .or_insert(0);
                    *n += 1;
                    Issue {
                        kind: "issue",
                        description: match &d.help {
                            Some(help) => format!("{} (help: {help})", d.message),
                            None => d.message.clone(),
                        },
                        check_name: d.rule.name,
                        fingerprint: fingerprint(d, &d.path, *n),
                        severity: severity(d.severity),
                        categories: ["Bug Risk"],
                        location: Location {
                            path: d.path.to_string(),
                            lines: Lines { begin: d.line() },
                        },
                    }
                })
                .collect();
            let whole = serde_json::to_string_pretty(&issues).unwrap() + "\n";
            assert_eq!(String::from_utf8(out).unwrap(), whole);
        }
        // The two findings on the same link text differ by their occurrence.
        let mut out = Vec::new();
        let ctx = RenderContext::default();
        crate::render::feed(&mut GitlabStream::new(&ctx, &mut out), &dirty).unwrap();
        let issues: Vec<serde_json::Value> = serde_json::from_slice(&out).unwrap();
        let prints: std::collections::HashSet<&str> = issues
            .iter()
            .map(|i| i["fingerprint"].as_str().unwrap())
            .collect();
        assert_eq!(prints.len(), issues.len());
    }
}
