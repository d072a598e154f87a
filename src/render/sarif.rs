//! SARIF 2.1.0 for code scanning (GitHub and others), built with serde-sarif's types.
//!
//! What GitHub code scanning and the SARIF Multitool (`validate --rule-kind "Sarif;Gh"`) ask
//! for: one rule entry per vaultlint rule with a PascalCase `name`, `fullDescription`, `help`
//! and `helpUri`; regions with end positions and columns in UTF-16 code units; URIs relative
//! to the repository root under the `%SRCROOT%` base id; `partialFingerprints` that survive
//! line moves. GitHub keeps 5,000 results per run, so errors come first and the rest is cut,
//! which the run's `toolExecutionNotifications` (and stderr) say.

use std::collections::{BTreeMap, HashMap};
use std::io::{self, Write};

use percent_encoding::{utf8_percent_encode, AsciiSet, CONTROLS};
use serde_sarif::sarif;

use super::fingerprint::fingerprint;
use super::position::Positions;
use super::{ReadSource, RenderContext, Stream};
use crate::check::Summary;
use crate::diagnostic::{Diagnostic, RuleMeta, Severity, Span};
use crate::rules;

/// The most results one run holds: GitHub code scanning keeps 5,000 per run and drops the
/// rest without saying which.
pub(crate) const MAX_RESULTS: usize = 5_000;

/// The base id every result URI is relative to; `originalUriBaseIds` maps it to the root.
pub(crate) const SRCROOT: &str = "%SRCROOT%";

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

/// A relative path as a URI reference: percent-encoded where URIs require it, `/` kept.
pub(crate) fn uri(path: &str) -> String {
    utf8_percent_encode(path, PATH).to_string()
}

/// `broken-link` as SARIF wants a rule's `name`: `BrokenLink`.
pub(crate) fn pascal_case(name: &str) -> String {
    name.split('-')
        .map(|part| {
            let mut chars = part.chars();
            chars.next().map_or_else(String::new, |first| {
                first.to_uppercase().chain(chars).collect::<String>()
            })
        })
        .collect()
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

/// The first paragraph under `## Why this matters` in a rule's docs, joined into one line:
/// the rule's `fullDescription`.
fn why(docs: &str) -> Option<String> {
    let after = docs.split("## Why this matters").nth(1)?;
    let paragraph: Vec<&str> = after
        .trim_start()
        .lines()
        .take_while(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .map(str::trim)
        .collect();
    (!paragraph.is_empty()).then(|| paragraph.join(" "))
}

/// Ends `text` with a period, as the Multitool asks of every message (SARIF2001).
fn sentence(text: &str) -> String {
    let text = text.trim_end();
    if text.ends_with(['.', '!', '?']) {
        text.to_owned()
    } else {
        format!("{text}.")
    }
}

fn descriptor(meta: &RuleMeta) -> sarif::ReportingDescriptor {
    let full = why(meta.docs).unwrap_or_else(|| meta.summary.to_owned());
    let help = format!("{}\n\n{}", sentence(meta.summary), meta.docs.trim());
    sarif::ReportingDescriptor::builder()
        .id(meta.name)
        .name(pascal_case(meta.name))
        .short_description(
            sarif::MultiformatMessageString::builder()
                .text(sentence(meta.summary))
                .build(),
        )
        .full_description(
            sarif::MultiformatMessageString::builder()
                .text(sentence(&full))
                .build(),
        )
        .help(
            sarif::MultiformatMessageString::builder()
                .text(help.clone())
                .markdown(help)
                .build(),
        )
        .help_uri(help_uri(meta.name))
        .default_configuration(
            sarif::ReportingConfiguration::builder()
                .level(serde_json::Value::from(level_name(meta.default_severity)))
                .build(),
        )
        .build()
}

/// Where a rule is documented: the rules table of the README on the package's home page.
/// `vaultlint rule NAME` prints the same text offline.
pub(crate) fn help_uri(rule: &str) -> String {
    format!("{}#rule-{rule}", env!("CARGO_PKG_HOMEPAGE"))
}

struct Locator<'a> {
    ctx: &'a RenderContext,
    positions: &'a Positions,
}

impl Locator<'_> {
    fn location(
        &self,
        path: &std::sync::Arc<str>,
        span: Option<Span>,
        message: Option<&str>,
    ) -> sarif::Location {
        let repo_path = self.ctx.repo.repo_path(path);
        let artifact = if self.ctx.repo.root.is_some() {
            sarif::ArtifactLocation::builder()
                .uri(uri(&repo_path))
                .uri_base_id(SRCROOT)
                .build()
        } else {
            sarif::ArtifactLocation::builder()
                .uri(uri(&repo_path))
                .build()
        };
        let region = match span {
            Some(s) => match self.positions.region(path, s) {
                Some(r) => sarif::Region::builder()
                    .start_line(i64::from(r.start_line))
                    .start_column(i64::from(r.start_column))
                    .end_line(i64::from(r.end_line))
                    .end_column(i64::from(r.end_column))
                    .build(),
                None => sarif::Region::builder()
                    .start_line(i64::from(s.line))
                    .start_column(i64::from(s.column))
                    .build(),
            },
            // A finding about a whole file (unreadable, binary) points at its first line.
            None => sarif::Region::builder().start_line(1).build(),
        };
        let physical = sarif::PhysicalLocation::builder()
            .artifact_location(artifact)
            .region(region)
            .build();
        match message {
            Some(m) => sarif::Location::builder()
                .physical_location(physical)
                .message(sarif::Message::builder().text(sentence(m)).build())
                .build(),
            None => sarif::Location::builder()
                .physical_location(physical)
                .build(),
        }
    }
}

fn result(
    d: &Diagnostic,
    rule_index: usize,
    occurrence: usize,
    locator: &Locator<'_>,
) -> sarif::Result {
    let text = match &d.help {
        Some(help) => format!("{}\nhelp: {}", sentence(&d.message), sentence(help)),
        None => sentence(&d.message),
    };
    let mut result = sarif::Result::builder()
        .rule_id(d.rule.name)
        .rule_index(i64::try_from(rule_index).unwrap_or(-1))
        .level(level(d.severity))
        .message(sarif::Message::builder().text(text).build())
        .locations(vec![locator.location(&d.path, d.span, None)])
        .partial_fingerprints(BTreeMap::from([(
            "vaultlint/v1".to_owned(),
            fingerprint(d, &d.path, occurrence),
        )]))
        .build();
    if !d.related.is_empty() {
        result.related_locations = Some(
            d.related
                .iter()
                .enumerate()
                .map(|(i, r)| {
                    let mut l = locator.location(&r.path, r.span, Some(&r.message));
                    l.id = Some(i64::try_from(i).unwrap_or(0));
                    l
                })
                .collect(),
        );
    }
    result
}

/// `file:///abs/root/`, the value of `%SRCROOT%`.
fn root_uri(root: &std::path::Path) -> String {
    let path = root.to_string_lossy().replace('\\', "/");
    let path = path.trim_end_matches('/');
    let lead = if path.starts_with('/') { "" } else { "/" };
    format!("file://{lead}{}/", uri(path))
}

/// Writes the SARIF log at the end of the run; returns what stderr should say (the cap,
/// when it cut results). A run holds at most [`MAX_RESULTS`] results, errors first, so
/// only the first `MAX_RESULTS` findings of each severity (in the report's order) are kept
/// as they arrive; the others are only counted.
pub(crate) struct SarifStream<'a> {
    ctx: &'a RenderContext,
    read: ReadSource<'a>,
    out: &'a mut dyn Write,
    /// Per severity, errors first: the first findings, at most `MAX_RESULTS` each.
    kept: [Vec<Diagnostic>; 3],
    /// Every finding, shown or not.
    total: usize,
}

impl<'a> SarifStream<'a> {
    pub(crate) fn new(
        ctx: &'a RenderContext,
        read: ReadSource<'a>,
        out: &'a mut dyn Write,
    ) -> Self {
        SarifStream {
            ctx,
            read,
            out,
            kept: Default::default(),
            total: 0,
        }
    }
}

impl Stream for SarifStream<'_> {
    fn note(&mut self, findings: &[Diagnostic]) -> io::Result<()> {
        for d in findings {
            self.total += 1;
            let kept = &mut self.kept[match d.severity {
                Severity::Error => 0,
                Severity::Warning => 1,
                Severity::Info => 2,
            }];
            if kept.len() < MAX_RESULTS {
                kept.push(d.clone());
            }
        }
        Ok(())
    }

    fn finish(&mut self, _summary: &Summary) -> io::Result<Vec<String>> {
        let shown: Vec<Diagnostic> = std::mem::take(&mut self.kept)
            .into_iter()
            .flatten()
            .take(MAX_RESULTS)
            .collect();
        // UTF-16 columns, counted from the text of the notes that have a result shown.
        let positions = Positions::compute(&shown, self.read);
        write_log(&shown, self.total, self.ctx, &positions, &mut *self.out)
    }
}

/// Writes the SARIF log of the `shown` results (errors first, then the report's order) out
/// of `total` findings.
fn write_log(
    shown: &[Diagnostic],
    total: usize,
    ctx: &RenderContext,
    positions: &Positions,
    out: &mut dyn Write,
) -> io::Result<Vec<String>> {
    let rule_index: HashMap<&str, usize> = rules::all()
        .iter()
        .enumerate()
        .map(|(i, r)| (r.name, i))
        .collect();
    let driver = sarif::ToolComponent::builder()
        .name("vaultlint")
        .version(env!("CARGO_PKG_VERSION"))
        .semantic_version(env!("CARGO_PKG_VERSION"))
        .information_uri(env!("CARGO_PKG_HOMEPAGE"))
        .rules(
            rules::all()
                .iter()
                .map(|r| descriptor(r))
                .collect::<Vec<_>>(),
        )
        .build();
    let left_out = total - shown.len();
    let locator = Locator { ctx, positions };
    let mut seen: HashMap<(&str, &str, &str), usize> = HashMap::new();
    let results: Vec<sarif::Result> = shown
        .iter()
        .map(|d| {
            let key = (
                d.rule.name,
                &*d.path,
                d.subject.as_deref().unwrap_or(&d.message),
            );
            let occurrence = seen.entry(key).or_insert(0);
            *occurrence += 1;
            let index = rule_index.get(d.rule.name).copied().unwrap_or(0);
            result(d, index, *occurrence, &locator)
        })
        .collect();
    let mut notes = Vec::new();
    let mut invocation = sarif::Invocation::builder()
        .execution_successful(true)
        .build();
    if left_out > 0 {
        let text = format!(
            "{left_out} of {total} findings were left out: a SARIF run holds at most {MAX_RESULTS} \
             results (GitHub code scanning keeps no more), errors first. Run vaultlint with \
             another format to see them all."
        );
        invocation.tool_execution_notifications = Some(vec![sarif::Notification::builder()
            .level(serde_json::Value::from("warning"))
            .message(sarif::Message::builder().text(text.clone()).build())
            .build()]);
        notes.push(text);
    }
    let mut run = sarif::Run::builder()
        .tool(sarif::Tool::builder().driver(driver).build())
        .invocations(vec![invocation])
        .results(results)
        .column_kind(serde_json::Value::from("utf16CodeUnits"))
        .build();
    if let Some(root) = &ctx.repo.root {
        run.original_uri_base_ids = Some(BTreeMap::from([(
            SRCROOT.to_owned(),
            sarif::ArtifactLocation::builder()
                .uri(root_uri(root))
                .build(),
        )]));
    }
    let log = sarif::Sarif::builder()
        .schema(sarif::SCHEMA_URL)
        .version(serde_json::Value::from("2.1.0"))
        .runs(vec![run])
        .build();
    super::escape::json_pretty(&mut *out, &log)?;
    writeln!(out)?;
    Ok(notes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_pascal_case() {
        assert_eq!(pascal_case("broken-link"), "BrokenLink");
        assert_eq!(pascal_case("attack-id-mismatch"), "AttackIdMismatch");
    }

    #[test]
    fn full_description_is_the_why_paragraph() {
        let docs = "## Why this matters\n\nA first\nparagraph.\n\nA second.\n\n## Bad\n";
        assert_eq!(why(docs).as_deref(), Some("A first paragraph."));
        assert_eq!(why("no heading"), None);
    }

    #[test]
    fn root_uri_is_an_absolute_file_uri_ending_in_a_slash() {
        assert_eq!(
            root_uri(std::path::Path::new("/home/r/my repo")),
            "file:///home/r/my%20repo/"
        );
    }
}
