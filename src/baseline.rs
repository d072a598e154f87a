//! Baselines: adopt vaultlint on a vault with many old findings by recording them, then
//! reporting only new ones. Findings match by rule, note and subject (the link text),
//! never by line, so editing a note elsewhere does not resurrect them.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::diagnostic::Diagnostic;

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub(crate) struct Entry {
    pub rule: String,
    pub path: String,
    pub subject: String,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Baseline {
    pub version: u32,
    pub findings: Vec<Entry>,
}

/// What a baseline records of a finding.
pub(crate) fn entry(d: &Diagnostic) -> Entry {
    Entry {
        rule: d.rule.name.to_owned(),
        path: d.path.to_string(),
        subject: d.subject.clone().unwrap_or_else(|| d.message.clone()),
    }
}

impl Baseline {
    /// The baseline of these findings (each a finding's [`entry`]), in any order.
    pub(crate) fn record(mut findings: Vec<Entry>) -> Self {
        findings.sort();
        Baseline {
            version: 1,
            findings,
        }
    }

    pub(crate) fn parse(text: &str) -> Result<Self, String> {
        let b: Baseline =
            serde_json::from_str(text).map_err(|e| format!("not a vaultlint baseline: {e}"))?;
        if b.version != 1 {
            return Err(format!(
                "baseline version {} is not supported (expected 1)",
                b.version
            ));
        }
        Ok(b)
    }

    /// A filter that keeps the findings this baseline does not know, fed them in the
    /// report's order (the first findings matching a recorded entry are the known ones).
    pub(crate) fn filter(&self) -> Filter<'_> {
        let mut remaining: BTreeMap<&Entry, usize> = BTreeMap::new();
        for e in &self.findings {
            *remaining.entry(e).or_default() += 1;
        }
        Filter {
            remaining,
            known: 0,
        }
    }
}

/// Filters findings as they arrive against a baseline's entries.
pub(crate) struct Filter<'a> {
    /// Recorded entries not matched yet, with how many times each was recorded.
    remaining: BTreeMap<&'a Entry, usize>,
    /// Findings matched so far.
    known: usize,
}

impl Filter<'_> {
    /// Whether `d` is new (not in the baseline); a recorded one is counted as known.
    pub(crate) fn is_new(&mut self, d: &Diagnostic) -> bool {
        match self.remaining.get_mut(&entry(d)) {
            Some(n) if *n > 0 => {
                *n -= 1;
                self.known += 1;
                false
            }
            _ => true,
        }
    }

    /// The known findings still present, and the recorded findings now gone.
    pub(crate) fn counts(&self) -> (usize, usize) {
        (self.known, self.remaining.values().sum())
    }
}
