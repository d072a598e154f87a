//! `unreadable-file`: a file that could not be checked, or only in part.
//!
//! Bad input never stops a run: each problem the walk or the reader met becomes one
//! diagnostic here, and every other note is still checked.

use crate::diagnostic::{Diagnostic, Severity, Span};
use crate::index::Vault;
use crate::vault::FileProblemKind;

use super::{Rule, RuleMeta};

pub(crate) struct UnreadableFile;

static META: RuleMeta = RuleMeta {
    name: "unreadable-file",
    summary: "A file could not be read or decoded, so it was not fully checked",
    default_severity: Severity::Error,
    docs: r#"## Why this matters

A note that cannot be read (permissions), that is not text (an image renamed to `.md`),
that is too large, or that is not valid UTF-8 is a note whose links nobody checks. The
cause is usually a sync conflict, a bad export or a stray binary.

Invalid UTF-8 is reported as a warning: the note is still checked, with the bad bytes
replaced.

## Bad

A binary file named `Note.md`, or a note saved as Latin-1.

## Good

Notes saved as UTF-8 text.
"#,
};

impl Rule for UnreadableFile {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_vault(&self, vault: &Vault, out: &mut Vec<Diagnostic>) {
        for problem in &vault.problems {
            let (message, help, severity, span) = match &problem.kind {
                FileProblemKind::Unreadable(e) => (
                    format!("could not be read: {e}"),
                    "check the file's permissions".to_owned(),
                    Severity::Error,
                    None,
                ),
                FileProblemKind::Binary => (
                    "contains NUL bytes; it looks like a binary file, not a note".to_owned(),
                    "rename it to its real extension, or restore the note's text".to_owned(),
                    Severity::Error,
                    None,
                ),
                FileProblemKind::TooLarge { size, limit } => (
                    format!(
                        "is {} MiB, over the {} MiB limit for a note; not checked",
                        size / (1024 * 1024),
                        limit / (1024 * 1024)
                    ),
                    "split the note, or move generated data out of the vault".to_owned(),
                    Severity::Error,
                    None,
                ),
                FileProblemKind::InvalidUtf8 {
                    offset,
                    line,
                    column,
                } => (
                    "is not valid UTF-8; checked with the bad bytes replaced".to_owned(),
                    "save the note as UTF-8".to_owned(),
                    Severity::Warning,
                    Some(Span {
                        start: *offset,
                        end: offset + '\u{FFFD}'.len_utf8(),
                        line: *line,
                        column: *column,
                    }),
                ),
                FileProblemKind::BadObsidianConfig(e) => (
                    e.clone(),
                    "fix `.obsidian/app.json`; until then the setting is ignored".to_owned(),
                    Severity::Warning,
                    None,
                ),
                FileProblemKind::SymlinkLoop | FileProblemKind::SymlinkSkipped { .. } => continue,
            };
            out.push(
                Diagnostic::new(&META, &problem.path, span, message)
                    .with_severity(severity)
                    .with_help(help),
            );
        }
    }
}
