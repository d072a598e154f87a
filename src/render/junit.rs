//! JUnit XML, which GitLab, Jenkins, Azure Pipelines and most CI systems show as a test
//! report. One test case per finding, failed with the finding's severity as `type`, as
//! rumdl, ruff and markdownlint-cli2 report; a clean vault is one passing test case, so
//! the report is never empty. The shape follows Jenkins' `junit-10.xsd`, which the tests
//! validate against.

use std::io::{self, Write};

use quick_xml::events::{BytesDecl, BytesText, Event};
use quick_xml::Writer;

use super::RenderContext;
use crate::check::Report;

/// `s` with the characters XML 1.0 forbids (control characters other than tab, newline and
/// carriage return, U+FFFE and U+FFFF) replaced by U+FFFD, since note text may hold them.
pub(crate) fn xml_text(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '\t' | '\n' | '\r' => c,
            c if c < ' ' || c == '\u{FFFE}' || c == '\u{FFFF}' => '\u{FFFD}',
            c => c,
        })
        .collect()
}

/// Writes the JUnit XML report: one test suite, one test case per finding.
pub(crate) fn render(report: &Report, ctx: &RenderContext, out: &mut dyn Write) -> io::Result<()> {
    let total = report.diagnostics.len();
    let tests = total.max(1).to_string();
    let failures = total.to_string();
    let mut w = Writer::new_with_indent(&mut *out, b' ', 2);
    w.write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)))?;
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
                            .with_attributes([
                                ("name", name.as_str()),
                                ("classname", path.as_str()),
                            ])
                            .write_inner_content(|w| {
                                w.create_element("failure")
                                    .with_attributes([
                                        ("type", d.severity.as_str()),
                                        ("message", message.as_str()),
                                    ])
                                    .write_text_content(BytesText::new(&body))?;
                                Ok(())
                            })?;
                    }
                    Ok(())
                })?;
            Ok(())
        })?;
    writeln!(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forbidden_characters_are_replaced() {
        assert_eq!(
            xml_text("a\u{0}b\tc\u{1b}\u{FFFF}"),
            "a\u{FFFD}b\tc\u{FFFD}\u{FFFD}"
        );
    }

    #[test]
    fn findings_are_failed_test_cases_with_escaped_text() {
        let report = crate::check::check_texts(&[("A <&>.md", "[[Gone \"x\" & <y>]]\n")]);
        let mut out = Vec::new();
        render(&report, &RenderContext::default(), &mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(
            text.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>"),
            "{text}"
        );
        assert!(text.contains("classname=\"A &lt;&amp;&gt;.md\""), "{text}");
        assert!(text.contains("<failure type=\"error\""), "{text}");
        assert!(!text.contains("<y>"), "{text}");
    }
}
