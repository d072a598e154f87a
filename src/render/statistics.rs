//! `--statistics`: findings per rule and severity, with how many have a fix, to plan the
//! work on a vault (ruff's `--statistics`). Human table or JSON.

use std::collections::BTreeMap;
use std::io::{self, Write};

use serde::Serialize;

#[cfg(test)]
use crate::check::Report;
use crate::check::Summary;
use crate::diagnostic::{Applicability, Diagnostic, Severity};

/// The findings of one rule at one severity.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub(crate) struct RuleStatistics {
    /// The rule's name.
    pub(crate) rule: &'static str,
    /// The findings' severity (a rule can report at several).
    pub(crate) severity: Severity,
    /// How many findings.
    pub(crate) count: usize,
    /// How many have a safe fix (`--fix`).
    pub(crate) fixable: usize,
    /// How many have an unsafe fix (`--fix --unsafe-fixes`).
    pub(crate) unsafe_fixable: usize,
}

/// The counts per rule and severity, fed the findings as they arrive.
#[derive(Debug, Default)]
pub(crate) struct Statistics {
    rows: BTreeMap<(&'static str, Severity), RuleStatistics>,
}

impl Statistics {
    /// Counts `findings`.
    pub(crate) fn add(&mut self, findings: &[Diagnostic]) {
        for d in findings {
            let row = self
                .rows
                .entry((d.rule.name, d.severity))
                .or_insert(RuleStatistics {
                    rule: d.rule.name,
                    severity: d.severity,
                    count: 0,
                    fixable: 0,
                    unsafe_fixable: 0,
                });
            row.count += 1;
            match d.fix.as_ref().map(|f| f.applicability) {
                Some(Applicability::Safe) => row.fixable += 1,
                Some(Applicability::Unsafe) => row.unsafe_fixable += 1,
                None => {}
            }
        }
    }

    /// One row per rule and severity, most findings first, then by rule name.
    pub(crate) fn rows(&self) -> Vec<RuleStatistics> {
        let mut rows: Vec<RuleStatistics> = self.rows.values().cloned().collect();
        rows.sort_by(|a, b| b.count.cmp(&a.count).then(a.rule.cmp(b.rule)));
        rows
    }
}

/// One row per rule and severity of a whole report.
#[cfg(test)]
pub(crate) fn statistics(report: &Report) -> Vec<RuleStatistics> {
    let mut s = Statistics::default();
    s.add(&report.diagnostics);
    s.rows()
}

#[derive(Serialize)]
struct JsonStatistics<'a> {
    version: u32,
    statistics: Vec<RuleStatistics>,
    summary: &'a Summary,
}

/// Writes the statistics as JSON (`{"version": 1, "statistics": [...], "summary": {...}}`).
pub(crate) fn render_json(
    stats: &Statistics,
    summary: &Summary,
    out: &mut dyn Write,
) -> io::Result<()> {
    let json = JsonStatistics {
        version: 1,
        statistics: stats.rows(),
        summary,
    };
    super::escape::json_pretty(&mut *out, &json)?;
    writeln!(out)
}

/// Writes the statistics as an aligned table with a total line.
pub(crate) fn render_human(stats: &Statistics, out: &mut dyn Write) -> io::Result<()> {
    let rows = stats.rows();
    let width = rows.iter().map(|r| r.rule.len()).max().unwrap_or(4).max(4);
    writeln!(
        out,
        "{:>7}  {:<width$}  {:<8}  {:>7}  {:>7}",
        "count", "rule", "severity", "fixable", "unsafe"
    )?;
    for r in &rows {
        writeln!(
            out,
            "{:>7}  {:<width$}  {:<8}  {:>7}  {:>7}",
            r.count,
            r.rule,
            r.severity.as_str(),
            r.fixable,
            r.unsafe_fixable
        )?;
    }
    let total = |f: fn(&RuleStatistics) -> usize| rows.iter().map(f).sum::<usize>();
    writeln!(
        out,
        "{:>7}  {:<width$}  {:<8}  {:>7}  {:>7}",
        total(|r| r.count),
        "total",
        "",
        total(|r| r.fixable),
        total(|r| r.unsafe_fixable)
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::check_texts;

    #[test]
    fn counts_per_rule_and_severity_with_fixes() {
        let report = check_texts(&[
            ("a.md", "---\nalias: x\ntag: t\n---\n[[missing]] [[B]]\n"),
            ("b.md", "---\nalias: z\n---\n"),
        ]);
        let rows = statistics(&report);
        let deprecated = rows
            .iter()
            .find(|r| r.rule == "deprecated-property")
            .unwrap();
        assert_eq!((deprecated.count, deprecated.fixable), (3, 3));
        assert_eq!(rows[0].rule, "deprecated-property");
        let broken = rows.iter().find(|r| r.rule == "broken-link").unwrap();
        assert_eq!(
            (broken.count, broken.severity, broken.fixable),
            (1, Severity::Error, 0)
        );
        let mut text = Vec::new();
        let mut stats = Statistics::default();
        stats.add(&report.diagnostics);
        render_human(&stats, &mut text).unwrap();
        let text = String::from_utf8(text).unwrap();
        assert!(
            text.contains("deprecated-property  warning         3"),
            "{text}"
        );
        assert!(text.lines().last().unwrap().contains("total"), "{text}");
    }
}
