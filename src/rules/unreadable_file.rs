//! `unreadable-file`: a file that could not be checked, or only in part.
//!
//! Bad input never stops a run: each problem the walk or the reader met becomes one
//! diagnostic here, and every other note is still checked.

use crate::diagnostic::{Diagnostic, Severity};
use crate::index::Vault;
use crate::vault::FileProblemKind;

use super::{Rule, RuleMeta};

pub(crate) struct UnreadableFile;

static META: RuleMeta = RuleMeta {
    name: "unreadable-file",
    summary: "A file could not be read or decoded, so it was not fully checked",
    default_severity: Severity::Error,
    docs: r#"## Why this matters

A note that cannot be read (permissions), that is plainly not text (an image renamed to
`.md`), or that is too large is a note whose links nobody checks. The cause is usually a
sync conflict, a bad export or a stray binary.

Obsidian decodes every note as UTF-8 and indexes it, so a few NUL bytes do not make a
note binary: only a file where many bytes are NUL or control characters is skipped. Invalid
UTF-8 is not a reason to skip either (see `invalid-utf8`).

## Bad

A PNG image named `Note.md`, or a note saved as UTF-16.

## Good

Notes saved as UTF-8 text.
"#,
    fix: crate::diagnostic::FixAvailability::None,
};

impl Rule for UnreadableFile {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_vault(&self, vault: &Vault, out: &mut Vec<Diagnostic>) {
        for problem in &vault.problems {
            let (message, help, severity) = match &problem.kind {
                FileProblemKind::Unreadable(e) => (
                    format!("could not be read: {e}"),
                    "check the file's permissions".to_owned(),
                    Severity::Error,
                ),
                FileProblemKind::NotRegular(kind) => (
                    format!("is a {kind}, not a regular file; not read"),
                    "replace it with the note's text, or remove it".to_owned(),
                    Severity::Error,
                ),
                FileProblemKind::Binary => (
                    "is not text (many of its bytes are NUL or control characters), so it was skipped".to_owned(),
                    "if it is an image, PDF or archive renamed by mistake, give it its real extension; if it is UTF-16, save it as UTF-8".to_owned(),
                    Severity::Error,
                ),
                FileProblemKind::TooLarge { size, limit } => (
                    format!(
                        "is {} MiB, over the {} MiB limit for a note; not checked",
                        size / (1024 * 1024),
                        limit / (1024 * 1024)
                    ),
                    "split the note, or move generated data out of the vault".to_owned(),
                    Severity::Error,
                ),
                FileProblemKind::BadObsidianConfig(e) => (
                    e.clone(),
                    "fix `.obsidian/app.json`; until then the setting is ignored".to_owned(),
                    Severity::Warning,
                ),
                // `invalid-utf8` reports these: the note is checked all the same.
                FileProblemKind::InvalidUtf8 { .. }
                | FileProblemKind::SymlinkLoop
                | FileProblemKind::SymlinkSkipped { .. } => continue,
            };
            out.push(
                Diagnostic::new(&META, &problem.path, None, message)
                    .with_severity(severity)
                    .with_help(help),
            );
        }
    }
}
