//! Where the findings of a `vaultlint check` go as they are found: the report's stream,
//! the statistics, or the entries of a baseline being written; the baseline filter and the
//! counts on the way.

use std::io::Write;
use std::path::Path;

use crate::check;
use crate::cli::args::CheckArgs;
use crate::error::Error;
use crate::render;

/// Where the findings of a `vaultlint check` go as they are found.
pub(super) enum Sink<'a> {
    /// `--write-baseline`: what the baseline records of each finding, and stdout.
    Record(Vec<crate::baseline::Entry>, &'a mut dyn Write),
    /// `--statistics`: counts per rule, and stdout.
    Statistics(render::statistics::Statistics, &'a mut dyn Write),
    /// The report, written in its format as findings arrive.
    Render(Box<dyn render::Stream + 'a>),
}

impl<'a> Sink<'a> {
    /// The report's stream, or the sink itself when it is not one.
    pub(super) fn into_stream(self) -> Result<Box<dyn render::Stream + 'a>, Self> {
        match self {
            Sink::Render(stream) => Ok(stream),
            other => Err(other),
        }
    }
}

/// Receives the check's findings note by note: drops those the baseline knows, counts the
/// rest and passes them on to the sink. Memory holds no finding after its note is done.
pub(super) struct Delivery<'a> {
    pub(super) args: &'a CheckArgs,
    pub(super) filter: Option<crate::baseline::Filter<'a>>,
    /// The per-severity and fix counts of the findings passed on.
    pub(super) counts: check::Summary,
    pub(super) sink: Sink<'a>,
}

impl<'a> Delivery<'a> {
    /// The baseline filter, the counts and the sink, once every finding was delivered.
    pub(super) fn into_parts(
        self,
    ) -> (
        Option<crate::baseline::Filter<'a>>,
        check::Summary,
        Sink<'a>,
    ) {
        (self.filter, self.counts, self.sink)
    }
}

impl check::Deliver for Delivery<'_> {
    fn start(&mut self, summary: &check::Summary, _root: &Path) -> Result<(), Error> {
        if summary.notes + summary.canvases + summary.json_files + summary.unreadable > 0 {
            return Ok(());
        }
        let why = if summary.files == 0 {
            "it is empty".to_owned()
        } else if !self.args.only.is_empty() {
            "every note named by --only is excluded (config `exclude` or Obsidian's excluded files)"
                .to_owned()
        } else {
            format!(
                "none of its {} file{} is a note, canvas or JSON file to check (`.md`, `.canvas` or `.json`, not excluded)",
                summary.files,
                if summary.files == 1 { "" } else { "s" }
            )
        };
        Err(Error::VaultRoot(self.args.path.clone(), why))
    }

    fn note(
        &mut self,
        mut findings: Vec<crate::diagnostic::Diagnostic>,
        _hash: Option<u64>,
    ) -> Result<(), Error> {
        if let Some(filter) = &mut self.filter {
            findings.retain(|d| filter.is_new(d));
        }
        if findings.is_empty() {
            return Ok(());
        }
        for d in &findings {
            self.counts.count(d);
        }
        match &mut self.sink {
            Sink::Record(entries, _) => {
                entries.extend(findings.iter().map(crate::baseline::entry));
            }
            Sink::Statistics(stats, _) => stats.add(&findings),
            Sink::Render(stream) => stream.note(&findings)?,
        }
        Ok(())
    }
}

/// Hands a report held whole (after `--fix`) to `deliver`, as the check would have.
pub(super) fn deliver_report(
    mut report: check::Report,
    deliver: &mut dyn check::Deliver,
) -> Result<check::Report, Error> {
    deliver.start(&report.summary, &report.root)?;
    let diagnostics = std::mem::take(&mut report.diagnostics);
    let mut rest = diagnostics.into_iter().peekable();
    while let Some(first) = rest.next() {
        let mut note = vec![first];
        while let Some(d) = rest.next_if(|d| d.path == note[0].path) {
            note.push(d);
        }
        deliver.note(note, None)?;
    }
    Ok(report)
}
