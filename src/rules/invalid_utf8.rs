//! `invalid-utf8`: a note that is not valid UTF-8. Obsidian decodes it anyway, each bad
//! byte sequence shown as U+FFFD, and indexes its links; so does vaultlint, and this rule
//! says where the text was damaged.

use crate::diagnostic::{Diagnostic, Severity, Span};
use crate::index::Vault;
use crate::vault::FileProblemKind;

use super::{Rule, RuleMeta};

pub(crate) struct InvalidUtf8;

static META: RuleMeta = RuleMeta {
    name: "invalid-utf8",
    summary: "A note is not valid UTF-8; it is checked with the bad bytes replaced",
    default_severity: Severity::Warning,
    docs: r#"## Why this matters

Obsidian reads every note as UTF-8. Bytes that are not UTF-8 (a note saved as Latin-1 or
GBK by another editor, or cut in the middle of a character by a sync tool) show as `�`:
names, quotes and links that hold them are damaged, and the damage spreads when the note
is edited and saved. The note is still indexed, and vaultlint still checks its links; this
finding points at the first damaged place.

## Bad

A note saved as Latin-1: `caf\xe9` instead of `café` (the byte `E9` alone is not UTF-8).

## Good

The same note saved as UTF-8 (`caf\xc3\xa9`); every editor can convert it ("Save with
encoding" / "Reopen with encoding").
"#,
    fix: crate::diagnostic::FixAvailability::None,
};

impl Rule for InvalidUtf8 {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_vault(&self, vault: &Vault, out: &mut Vec<Diagnostic>) {
        for problem in &vault.problems {
            let FileProblemKind::InvalidUtf8 {
                offset,
                line,
                column,
                sequences,
            } = problem.kind
            else {
                continue;
            };
            let span = Span {
                start: offset,
                end: offset + '\u{FFFD}'.len_utf8(),
                line,
                column,
            };
            let count = if sequences == 1 {
                "1 byte sequence that is".to_owned()
            } else {
                format!("{sequences} byte sequences that are")
            };
            out.push(
                Diagnostic::new(
                    &META,
                    &problem.path,
                    Some(span),
                    format!("has {count} not valid UTF-8; checked with each replaced by U+FFFD"),
                )
                .with_label("not UTF-8 from here")
                .with_help("save the note as UTF-8 (its editor's \"save with encoding\"), then fix the characters shown as `�`")
                .with_subject("invalid-utf8"),
            );
        }
    }
}
