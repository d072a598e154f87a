//! Per-rule severity overrides (the config's `[severity]` table): applied to each file's
//! findings as they are delivered, after suppressions and folds, so that a folded finding
//! gets its rule's override too.

use std::collections::BTreeMap;

use crate::diagnostic::{Diagnostic, Severity};

/// Gives each finding in `found` the severity `severities` (rule name → severity) sets for
/// its rule; findings of other rules keep theirs.
pub(super) fn apply(found: &mut [Diagnostic], severities: &BTreeMap<String, Severity>) {
    for d in found {
        if let Some(&severity) = severities.get(d.rule.name) {
            d.severity = severity;
        }
    }
}
