//! The default format: miette's graphical report, the note's line with the link
//! underlined, and a help line. The only file that knows about miette.

use std::collections::BTreeMap;
use std::io::{self, Write};

use miette::{GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteDiagnostic, NamedSource};

use super::Style;
use crate::check::Report;
use crate::diagnostic::{Diagnostic, Severity};

pub(crate) fn render(
    report: &Report,
    sources: &BTreeMap<String, String>,
    style: Style,
    out: &mut dyn Write,
) -> io::Result<()> {
    let theme = if style.color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    let handler = GraphicalReportHandler::new_themed(theme)
        .with_width(style.width)
        .with_links(false)
        .with_context_lines(0);
    for d in &report.diagnostics {
        let mut text = String::new();
        let diag = to_miette(d);
        let result = match (d.span, sources.get(&*d.path)) {
            (Some(_), Some(source)) => {
                let report = miette::Report::new(diag).with_source_code(
                    NamedSource::new(&*d.path, source.clone()).with_language("markdown"),
                );
                handler.render_report(&mut text, report.as_ref())
            }
            _ => handler.render_report(&mut text, &diag),
        };
        if result.is_err() {
            text = format!("{}: {} [{}]\n", d.path, d.message, d.rule.name);
        }
        out.write_all(text.as_bytes())?;
    }
    let s = &report.summary;
    let verdict = if s.errors + s.warnings + s.infos == 0 {
        "no findings"
    } else {
        "found"
    };
    writeln!(
        out,
        "vaultlint: {verdict}: {} error{}, {} warning{}, {} info in {} note{} ({} file{}, {} link{} checked)",
        s.errors,
        plural(s.errors),
        s.warnings,
        plural(s.warnings),
        s.infos,
        s.notes,
        plural(s.notes),
        s.files,
        plural(s.files),
        s.links,
        plural(s.links)
    )?;
    if let Some(b) = s.baseline {
        writeln!(
            out,
            "vaultlint: baseline: {} known finding{} not shown, {} fixed since it was recorded",
            b.known,
            plural(b.known),
            b.fixed
        )?;
    }
    for line in &s.packs.lines {
        writeln!(out, "vaultlint: {line}")?;
    }
    Ok(())
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

fn to_miette(d: &Diagnostic) -> MietteDiagnostic {
    let severity = match d.severity {
        Severity::Error => miette::Severity::Error,
        Severity::Warning => miette::Severity::Warning,
        Severity::Info => miette::Severity::Advice,
    };
    let message = match d.span {
        Some(_) => d.message.clone(),
        None => format!("{} {}", d.path, d.message),
    };
    let mut diag = MietteDiagnostic::new(message)
        .with_code(d.rule.name)
        .with_severity(severity);
    if let Some(help) = &d.help {
        diag = diag.with_help(help.clone());
    }
    if let Some(span) = d.span {
        let label = d.label.clone();
        diag = diag.with_label(LabeledSpan::new_primary_with_span(
            label,
            span.start..span.end,
        ));
    }
    if !d.related.is_empty() {
        let related: Vec<String> = d
            .related
            .iter()
            .map(|r| format!("{}: {}", r.message, r.path))
            .collect();
        let help = match &d.help {
            Some(h) => format!("{h}\n{}", related.join("\n")),
            None => related.join("\n"),
        };
        diag = diag.with_help(help);
    }
    diag
}
