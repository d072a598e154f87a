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

fn entry(d: &Diagnostic) -> Entry {
    Entry {
        rule: d.rule.name.to_owned(),
        path: d.path.to_string(),
        subject: d.subject.clone().unwrap_or_else(|| d.message.clone()),
    }
}

impl Baseline {
    pub(crate) fn record(diagnostics: &[Diagnostic]) -> Self {
        let mut findings: Vec<Entry> = diagnostics.iter().map(entry).collect();
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

    /// Keeps the diagnostics the baseline does not know. Returns them with the number of
    /// known findings still present and the number of recorded findings now gone.
    pub(crate) fn filter(&self, diagnostics: Vec<Diagnostic>) -> (Vec<Diagnostic>, usize, usize) {
        let mut remaining: BTreeMap<&Entry, usize> = BTreeMap::new();
        for e in &self.findings {
            *remaining.entry(e).or_default() += 1;
        }
        let mut known = 0;
        let mut new = Vec::new();
        for d in diagnostics {
            let key = entry(&d);
            match remaining.get_mut(&key) {
                Some(n) if *n > 0 => {
                    *n -= 1;
                    known += 1;
                }
                _ => new.push(d),
            }
        }
        let fixed = remaining.values().sum();
        (new, known, fixed)
    }
}
