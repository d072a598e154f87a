//! `skipped-symlink`: a symbolic link in the vault that vaultlint did not follow.
//!
//! Following symlinks can leave the vault or loop forever; Obsidian itself ignores loops
//! and links to folders inside the vault. Reported as info so nothing is skipped silently.

use crate::diagnostic::{Diagnostic, Severity};
use crate::index::Vault;
use crate::vault::FileProblemKind;

use super::{Rule, RuleMeta};

pub(crate) struct SkippedSymlink;

static META: RuleMeta = RuleMeta {
    name: "skipped-symlink",
    summary: "A symbolic link in the vault was not followed",
    default_severity: Severity::Info,
    docs: r#"## Why this matters

vaultlint never follows symbolic links: one can point outside the vault or back into a
folder that contains it. Notes reached only through a symlink are not checked and do not
resolve links, and a symlink loop is a trap for every tool that walks the vault.

## Bad

A folder `Archive/loop` that links to `Archive`.

## Good

Real folders, or a symlink you know about and accept at info level.
"#,
    fix: crate::diagnostic::FixAvailability::None,
};

impl Rule for SkippedSymlink {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_vault(&self, vault: &Vault, out: &mut Vec<Diagnostic>) {
        for problem in &vault.problems {
            let (message, severity) = match &problem.kind {
                FileProblemKind::SymlinkLoop => (
                    "is a symlink loop: it points to a folder that contains it".to_owned(),
                    Severity::Warning,
                ),
                FileProblemKind::SymlinkSkipped { target } => (
                    format!("is a symlink to `{target}`, not followed"),
                    Severity::Info,
                ),
                _ => continue,
            };
            out.push(
                Diagnostic::new(&META, &problem.path, None, message)
                    .with_severity(severity)
                    .with_help("files behind symlinks are neither checked nor link targets"),
            );
        }
    }
}
