//! The identity of a finding that CI systems compare between runs (SARIF
//! `partialFingerprints`, GitLab Code Quality `fingerprint`).

use sha2::{Digest, Sha256};

use crate::diagnostic::Diagnostic;

/// A stable identity for a finding that does not depend on its line, so that a finding
/// moved by an edit above it is still the same one: SHA-256 of the rule, `path` (the note as
/// the format names it), what the finding is about (its subject, else its message) and
/// `occurrence` (1 for the first such finding in the note, 2 for the next…), each followed
/// by a NUL byte; the first 16 bytes of the hash as 32 lower-case hex digits.
pub(crate) fn fingerprint(d: &Diagnostic, path: &str, occurrence: usize) -> String {
    let mut hash = Sha256::new();
    for part in [
        d.rule.name,
        path,
        d.subject.as_deref().unwrap_or(&d.message),
        &occurrence.to_string(),
    ] {
        hash.update(part.as_bytes());
        hash.update([0]);
    }
    hash.finalize()
        .iter()
        .take(16)
        .map(|b| format!("{b:02x}"))
        .collect()
}
