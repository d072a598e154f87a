//! JUnit XML, which GitLab, Jenkins, Azure Pipelines and most CI systems show as a test
//! report. One test case per finding, failed with the finding's severity as `type`, as
//! rumdl, ruff and markdownlint-cli2 report; a clean vault is one passing test case, so
//! the report is never empty. The shape follows Jenkins' `junit-10.xsd`, which the tests
//! validate against.

use std::io::{self, Seek, Write};

use quick_xml::events::{BytesDecl, BytesEnd, BytesStart, BytesText, Event};
use quick_xml::Writer;

use super::escape::xml_text;
use super::{RenderContext, Stream};
use crate::check::Summary;
use crate::diagnostic::Diagnostic;

/// Writes the JUnit XML report: one test suite, one test case per finding. The counts
/// come first in the XML but are known only at the end, so the test cases go to a
/// temporary file as they arrive and are copied after the counts: memory holds one
/// finding, not all of them.
pub(crate) struct JunitStream<'a> {
    ctx: &'a RenderContext,
    out: &'a mut dyn Write,
    /// The test cases, written by a writer already inside `<testsuites><testsuite>` (so it
    /// indents them as the whole document would); `None` until the first finding, and
    /// when the temporary file could not be made (then `error` says why).
    body: Option<Body>,
    /// Bytes of `body` before the first test case: the two opening tags, replaced at the
    /// end by the ones with the counts.
    opening: u64,
    total: usize,
}

type Body = Writer<io::BufWriter<std::fs::File>>;

impl<'a> JunitStream<'a> {
    pub(crate) fn new(ctx: &'a RenderContext, out: &'a mut dyn Write) -> Self {
        JunitStream {
            ctx,
            out,
            body: None,
            opening: 0,
            total: 0,
        }
    }

    fn body(&mut self) -> io::Result<&mut Body> {
        if self.body.is_none() {
            let mut w = Writer::new_with_indent(io::BufWriter::new(tempfile::tempfile()?), b' ', 2);
            w.write_event(Event::Start(BytesStart::new("testsuites")))?;
            w.write_event(Event::Start(BytesStart::new("testsuite")))?;
            w.get_mut().flush()?;
            self.opening = w.get_mut().get_mut().stream_position()?;
            self.body = Some(w);
        }
        self.body
            .as_mut()
            .ok_or_else(|| io::Error::other("no JUnit body"))
    }
}

impl Stream for JunitStream<'_> {
    fn note(&mut self, findings: &[Diagnostic]) -> io::Result<()> {
        let ctx = self.ctx;
        self.total += findings.len();
        let w = self.body()?;
        for d in findings {
            test_case(w, d, ctx)?;
        }
        Ok(())
    }

    fn finish(&mut self, _summary: &Summary) -> io::Result<Vec<String>> {
        let total = self.total;
        let tests = total.max(1).to_string();
        let failures = total.to_string();
        let mut w = Writer::new_with_indent(&mut *self.out, b' ', 2);
        w.write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)))?;
        w.write_event(Event::Start(BytesStart::new("testsuites").with_attributes(
            [
                ("name", "vaultlint"),
                ("tests", tests.as_str()),
                ("failures", failures.as_str()),
                ("errors", "0"),
            ],
        )))?;
        let suite = BytesStart::new("testsuite").with_attributes([
            ("name", "vaultlint"),
            ("tests", tests.as_str()),
            ("failures", failures.as_str()),
            ("errors", "0"),
            ("skipped", "0"),
        ]);
        match self.body.take() {
            None => {
                w.write_event(Event::Start(suite))?;
                w.create_element("testcase")
                    .with_attributes([("name", "vaultlint check"), ("classname", "vaultlint")])
                    .write_empty()?;
                w.write_event(Event::End(BytesEnd::new("testsuite")))?;
                w.write_event(Event::End(BytesEnd::new("testsuites")))?;
            }
            Some(mut body) => {
                w.write_event(Event::Start(suite))?;
                body.write_event(Event::End(BytesEnd::new("testsuite")))?;
                body.write_event(Event::End(BytesEnd::new("testsuites")))?;
                let mut file = body
                    .into_inner()
                    .into_inner()
                    .map_err(io::IntoInnerError::into_error)?;
                file.seek(io::SeekFrom::Start(self.opening))?;
                io::copy(&mut file, &mut *self.out)?;
            }
        }
        writeln!(self.out)?;
        Ok(Vec::new())
    }
}

/// One finding as a failed test case.
fn test_case<W: Write>(w: &mut Writer<W>, d: &Diagnostic, ctx: &RenderContext) -> io::Result<()> {
    let path = xml_text(&ctx.repo.repo_path(&d.path));
    let name = xml_text(&format!(
        "{} {}:{}: {}",
        d.rule.name,
        d.line(),
        d.column(),
        d.message
    ));
    let mut body = format!(
        "{}:{}:{}: {} {}\n{}",
        ctx.repo.repo_path(&d.path),
        d.line(),
        d.column(),
        d.severity,
        d.rule.name,
        d.message
    );
    if let Some(help) = &d.help {
        body.push_str(&format!("\nhelp: {help}"));
    }
    let message = xml_text(&d.message);
    let body = xml_text(&body);
    w.create_element("testcase")
        .with_attributes([("name", name.as_str()), ("classname", path.as_str())])
        .write_inner_content(|w| {
            w.create_element("failure")
                .with_attributes([("type", d.severity.as_str()), ("message", message.as_str())])
                .write_text_content(BytesText::new(&body))?;
            Ok(())
        })?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The document written by one writer with every finding known first.
    fn whole(report: &crate::check::Report, ctx: &RenderContext) -> Vec<u8> {
        let total = report.diagnostics.len();
        let tests = total.max(1).to_string();
        let failures = total.to_string();
        let mut out = Vec::new();
        let mut w = Writer::new_with_indent(&mut out, b' ', 2);
        w.write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)))
            .unwrap();
        w.create_element("testsuites")
            .with_attributes([
                ("name", "vaultlint"),
                ("tests", tests.as_str()),
                ("failures", failures.as_str()),
                ("errors", "0"),
            ])
            .write_inner_content(|w| {
                w.create_element("testsuite")
                    .with_attributes([
                        ("name", "vaultlint"),
                        ("tests", tests.as_str()),
                        ("failures", failures.as_str()),
                        ("errors", "0"),
                        ("skipped", "0"),
                    ])
                    .write_inner_content(|w| {
                        if report.diagnostics.is_empty() {
                            w.create_element("testcase")
                                .with_attributes([
                                    ("name", "vaultlint check"),
                                    ("classname", "vaultlint"),
                                ])
                                .write_empty()?;
                        }
                        for d in &report.diagnostics {
                            test_case(w, d, ctx)?;
                        }
                        Ok(())
                    })?;
                Ok(())
            })
            .unwrap();
        out.push(b'\n');
        out
    }

    #[test]
    fn streamed_document_is_the_one_written_whole() {
        let ctx = RenderContext::default();
        for report in [
            crate::check::check_texts(&[("a.md", "fine\n")]),
            crate::check::check_texts(&[("a.md", "[[x]] [[y]]\n"), ("b.md", "[[z]]\n")]),
        ] {
            let mut out = Vec::new();
            super::super::feed(&mut JunitStream::new(&ctx, &mut out), &report).unwrap();
            assert_eq!(
                String::from_utf8(out).unwrap(),
                String::from_utf8(whole(&report, &ctx)).unwrap()
            );
        }
    }

    #[test]
    fn findings_are_failed_test_cases_with_escaped_text() {
        let report = crate::check::check_texts(&[("A <&>.md", "[[Gone \"x\" & <y>]]\n")]);
        let mut out = Vec::new();
        let ctx = RenderContext::default();
        super::super::feed(&mut JunitStream::new(&ctx, &mut out), &report).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(
            text.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>"),
            "{text}"
        );
        assert!(text.contains("classname=\"A &lt;&amp;&gt;.md\""), "{text}");
        assert!(text.contains("<failure type=\"error\""), "{text}");
        assert!(!text.contains("<y>"), "{text}");
    }

    /// Vault text reaches the report as in every other format: reordering and line
    /// separators and control characters escaped, in names, attributes and bodies.
    #[test]
    fn vault_text_is_escaped_like_in_other_formats() {
        let report = crate::check::check_texts(&[(
            "abc\u{202e}fdp.md",
            "[[Gone\u{2028}x\u{1b}]2;t\u{7}]]\n",
        )]);
        let mut out = Vec::new();
        let ctx = RenderContext::default();
        super::super::feed(&mut JunitStream::new(&ctx, &mut out), &report).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(
            !text.contains(['\u{202e}', '\u{2028}', '\u{1b}', '\u{7}']),
            "{text}"
        );
        assert!(text.contains("classname=\"abc\\u{202e}fdp.md\""), "{text}");
        assert!(text.contains("Gone\\u{2028}x\\u{1b}]2;t\\u{7}"), "{text}");
    }
}
