//! SARIF 2.1.0 for code scanning (GitHub and others), built with serde-sarif's types.
//!
//! One rule entry per vaultlint rule, with its docs as help. Columns count Unicode code
//! points (`columnKind` says so). Result URIs are relative to the folder vaultlint was run
//! from, so a vault checked as `notes/` yields `notes/Folder/Note.md`.

use std::io::{self, Write};

use percent_encoding::{utf8_percent_encode, AsciiSet, CONTROLS};
use serde_sarif::sarif;

use crate::check::Report;
use crate::diagnostic::RuleMeta;
use crate::diagnostic::{Diagnostic, Severity};
use crate::rules;

/// Characters that may not appear raw in a URI path.
const PATH: &AsciiSet = &CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'#')
    .add(b'%')
    .add(b'<')
    .add(b'>')
    .add(b'?')
    .add(b'[')
    .add(b'\\')
    .add(b']')
    .add(b'^')
    .add(b'`')
    .add(b'{')
    .add(b'|')
    .add(b'}');

pub(crate) fn uri(prefix: &str, path: &str) -> String {
    utf8_percent_encode(&format!("{prefix}{path}"), PATH).to_string()
}

fn level(severity: Severity) -> sarif::ResultLevel {
    match severity {
        Severity::Error => sarif::ResultLevel::Error,
        Severity::Warning => sarif::ResultLevel::Warning,
        Severity::Info => sarif::ResultLevel::Note,
    }
}

fn level_name(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

fn descriptor(meta: &RuleMeta) -> sarif::ReportingDescriptor {
    let help = format!("{}\n\n{}", meta.summary, meta.docs.trim());
    sarif::ReportingDescriptor::builder()
        .id(meta.name)
        .name(meta.name)
        .short_description(
            sarif::MultiformatMessageString::builder()
                .text(meta.summary)
                .build(),
        )
        .help(
            sarif::MultiformatMessageString::builder()
                .text(help.clone())
                .markdown(help)
                .build(),
        )
        .default_configuration(
            sarif::ReportingConfiguration::builder()
                .level(serde_json::Value::from(level_name(meta.default_severity)))
                .build(),
        )
        .build()
}

fn location(
    prefix: &str,
    path: &str,
    span: Option<crate::diagnostic::Span>,
    message: Option<&str>,
) -> sarif::Location {
    let artifact = sarif::ArtifactLocation::builder()
        .uri(uri(prefix, path))
        .build();
    let physical = match span {
        Some(s) => sarif::PhysicalLocation::builder()
            .artifact_location(artifact)
            .region(
                sarif::Region::builder()
                    .start_line(i64::from(s.line))
                    .start_column(i64::from(s.column))
                    .build(),
            )
            .build(),
        None => sarif::PhysicalLocation::builder()
            .artifact_location(artifact)
            .build(),
    };
    match message {
        Some(m) => sarif::Location::builder()
            .physical_location(physical)
            .message(sarif::Message::builder().text(m).build())
            .build(),
        None => sarif::Location::builder()
            .physical_location(physical)
            .build(),
    }
}

fn result(d: &Diagnostic, index: usize, prefix: &str) -> sarif::Result {
    let text = match &d.help {
        Some(help) => format!("{}\nhelp: {help}", d.message),
        None => d.message.clone(),
    };
    let fingerprint = format!(
        "{}:{}:{}",
        d.rule.name,
        d.path,
        d.subject.as_deref().unwrap_or(&d.message)
    );
    let mut result = sarif::Result::builder()
        .rule_id(d.rule.name)
        .rule_index(i64::try_from(index).unwrap_or(-1))
        .level(level(d.severity))
        .message(sarif::Message::builder().text(text).build())
        .locations(vec![location(prefix, &d.path, d.span, None)])
        .partial_fingerprints(std::collections::BTreeMap::from([(
            "vaultlint/v1".to_owned(),
            fingerprint,
        )]))
        .build();
    if !d.related.is_empty() {
        result.related_locations = Some(
            d.related
                .iter()
                .enumerate()
                .map(|(i, r)| {
                    let mut l = location(prefix, &r.path, r.span, Some(&r.message));
                    l.id = Some(i64::try_from(i).unwrap_or(0));
                    l
                })
                .collect(),
        );
    }
    result
}

pub(crate) fn render(report: &Report, prefix: &str, out: &mut dyn Write) -> io::Result<()> {
    let driver = sarif::ToolComponent::builder()
        .name("vaultlint")
        .version(env!("CARGO_PKG_VERSION"))
        .semantic_version(env!("CARGO_PKG_VERSION"))
        .information_uri("https://github.com/vaultlint/vaultlint")
        .rules(
            rules::all()
                .iter()
                .map(|r| descriptor(r))
                .collect::<Vec<_>>(),
        )
        .build();
    let results: Vec<sarif::Result> = report
        .diagnostics
        .iter()
        .map(|d| {
            let index = rules::all()
                .iter()
                .position(|r| r.name == d.rule.name)
                .unwrap_or(0);
            result(d, index, prefix)
        })
        .collect();
    let run = sarif::Run::builder()
        .tool(sarif::Tool::builder().driver(driver).build())
        .results(results)
        .column_kind(serde_json::Value::from("unicodeCodePoints"))
        .build();
    let log = sarif::Sarif::builder()
        .schema(sarif::SCHEMA_URL)
        .version(serde_json::Value::from("2.1.0"))
        .runs(vec![run])
        .build();
    serde_json::to_writer_pretty(&mut *out, &log)?;
    writeln!(out)
}
