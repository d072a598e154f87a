//! The logic of `vaultlint attack upgrade`: what it takes to turn a vault into the ATT&CK
//! release it is checked against, as a plan of changes, each with its cause. Pure: it reads
//! findings, the catalogue and layer texts, and returns changes; the command
//! (`cli/commands/attack_upgrade.rs`) checks, fixes, renames and writes through the core's
//! write layer (`fix`, `fix::rename`).
//!
//! The plan is made of:
//! - the fixes of the catalogue-drift rules, safe and unsafe ([`FIX_RULES`]): revoked and
//!   deprecated IDs relabelled or re-declared, relationship rows removed and added, name
//!   cells brought in line; a row relabelled to a replacement that ATT&CK does not relate
//!   and then removed is one change, a removal ([`changes_of_fixes`]);
//! - renames of notes whose object ATT&CK renamed ([`rename_target`]), in the note's own
//!   file-name layout (a ` - ID` suffix kept, `/` written `／`);
//! - Navigator layers upgraded: the fixes of `attack-layer-outdated`, which are
//!   [`super::layer::plan`]'s edits;
//! - what is left for a person, each with its reason ([`manual_of`]): the drift findings
//!   the upgrade cannot settle.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::diagnostic::Diagnostic;

use super::{AttackConfig, Catalogue};

/// The rules whose findings are catalogue drift: the vault and the release disagree, and an
/// upgrade is what settles them.
pub(crate) const DRIFT_RULES: [&str; 7] = [
    "attack-deprecated-id",
    "attack-layer-outdated",
    "attack-missing-relationship",
    "attack-outdated-name",
    "attack-revoked-id",
    "attack-stale-relationship",
    "attack-tactic-mismatch",
];

/// The rules whose fixes the upgrade applies: the drift rules, and `attack-name-mismatch`,
/// whose fix writes a renamed object's new name in the table cells that list it.
pub(crate) const FIX_RULES: [&str; 7] = [
    "attack-deprecated-id",
    "attack-layer-outdated",
    "attack-missing-relationship",
    "attack-name-mismatch",
    "attack-revoked-id",
    "attack-stale-relationship",
    "attack-tactic-mismatch",
];

/// What kind of change an upgrade makes; the plan groups changes by it, in this order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub(crate) enum ChangeKind {
    /// A link's ID label changed to the replacement of a revoked or deprecated ID.
    RelabelId,
    /// A link moved to the note declaring the replacement, and relabelled.
    RelinkId,
    /// A note now declares the replacement of its revoked ID (front matter, first heading).
    RedeclareId,
    /// A note renamed to its object's current name, every link to it rewritten.
    RenameNote,
    /// A relationship table row ATT&CK does not have, removed.
    RemoveRow,
    /// Relationship table rows ATT&CK has, added in the table's shape.
    AddRows,
    /// A table name cell changed to the object's current name.
    RenameCell,
    /// A technique note's tactic list brought in line with the technique's tactics.
    UpdateTactics,
    /// A Navigator layer's technique ID relabelled or its entry removed, or its
    /// `versions.attack` upgraded.
    UpgradeLayer,
    /// A note of a revoked or deprecated object moved to the archive folder.
    ArchiveNote,
}

impl ChangeKind {
    /// How the plan's heading names the kind.
    pub(crate) fn title(self) -> &'static str {
        match self {
            ChangeKind::RelabelId => "relabel revoked or deprecated IDs",
            ChangeKind::RelinkId => "re-point links to the replacement's note",
            ChangeKind::RedeclareId => "re-declare note IDs",
            ChangeKind::RenameNote => "rename notes",
            ChangeKind::RemoveRow => "remove relationship rows",
            ChangeKind::AddRows => "add relationship rows",
            ChangeKind::RenameCell => "update name cells",
            ChangeKind::UpdateTactics => "update tactic lists",
            ChangeKind::UpgradeLayer => "upgrade Navigator layers",
            ChangeKind::ArchiveNote => "archive notes",
        }
    }
}

/// One change of the plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub(crate) struct Change {
    /// What kind of change.
    pub kind: ChangeKind,
    /// The vault path of the file changed (before any rename).
    pub path: String,
    /// The ID or table the change is about.
    pub subject: String,
    /// What changes, e.g. "change the label to `T1574.001`".
    pub change: String,
    /// The ATT&CK change that requires it, e.g. "`T1574.002` (DLL Side-Loading) was
    /// revoked in ATT&CK; it is now `T1574.001` (DLL)".
    pub cause: String,
}

/// A drift finding the upgrade leaves to a person, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub(crate) struct Manual {
    /// The rule that reports it.
    pub rule: String,
    /// The vault path of the file.
    pub path: String,
    /// The ID or table it is about.
    pub subject: String,
    /// What ATT&CK changed, and why no machine can settle it.
    pub reason: String,
}

/// The changes the fixes of [`FIX_RULES`] made, in the order applied, each with its cause
/// (the finding's message). A relabel that made a row ATT&CK does not have, followed by
/// that row's removal, becomes the one removal, with both causes.
pub(crate) fn changes_of_fixes(applied: &[Diagnostic]) -> Vec<Change> {
    let mut out: Vec<Change> = Vec::new();
    for d in applied {
        let Some(fix) = &d.fix else { continue };
        let kind = match d.rule.name {
            "attack-stale-relationship" => ChangeKind::RemoveRow,
            // A revoked row whose replacement ATT&CK does not relate to the note is removed,
            // not relabelled (`attack-revoked-id`'s fix for it).
            "attack-revoked-id" if fix.description == "remove the row" => ChangeKind::RemoveRow,
            "attack-missing-relationship" => ChangeKind::AddRows,
            "attack-name-mismatch" => ChangeKind::RenameCell,
            "attack-layer-outdated" => ChangeKind::UpgradeLayer,
            "attack-tactic-mismatch" => ChangeKind::UpdateTactics,
            _ if fix.description.starts_with("declare ") => ChangeKind::RedeclareId,
            _ if fix.description.starts_with("link to ") => ChangeKind::RelinkId,
            _ => ChangeKind::RelabelId,
        };
        let subject = d.subject.clone().unwrap_or_default();
        if kind == ChangeKind::RemoveRow {
            // The row's subject is its link (`[[T1552.001 note\|T1552.001]]`) or its ID.
            let id = subject
                .rsplit_once('|')
                .map_or(subject.as_str(), |(_, label)| label.trim_end_matches("]]"));
            let relabelled = out.iter().rposition(|c| {
                matches!(c.kind, ChangeKind::RelabelId | ChangeKind::RelinkId)
                    && *c.path == *d.path
                    && c.change.contains(&format!("`{id}`"))
            });
            if let Some(i) = relabelled {
                let was = out.remove(i);
                out.push(Change {
                    kind,
                    path: d.path.to_string(),
                    subject: was.subject,
                    change: format!("remove the row (its replacement `{id}` is not related here)"),
                    cause: format!("{}; {}", was.cause, d.message),
                });
                continue;
            }
        }
        out.push(Change {
            kind,
            path: d.path.to_string(),
            subject,
            change: fix.description.clone(),
            cause: d.message.clone(),
        });
    }
    out
}

/// The vault path note `path` gets when renamed to `name`, its object's current ATT&CK
/// name, in the note's own layout: the same folder, `/` written `／` (as the generators
/// write it), and what followed the old name in the file name (` - T1036`) kept. `None`
/// when the path already has that name.
pub(crate) fn rename_target(config: &AttackConfig, path: &str, name: &str) -> Option<String> {
    let (folder, file) = match path.rsplit_once('/') {
        Some((f, n)) => (Some(f), n),
        None => (None, path),
    };
    let stem = file.strip_suffix(".md").unwrap_or(file);
    let old = config.note_name(path).replace('/', "\u{FF0F}");
    let suffix = stem.get(old.len()..).filter(|_| stem.starts_with(&old))?;
    let new_stem = format!("{}{suffix}", name.replace('/', "\u{FF0F}"));
    if new_stem == stem {
        return None;
    }
    Some(match folder {
        Some(f) => format!("{f}/{new_stem}.md"),
        None => format!("{new_stem}.md"),
    })
}

/// What the vault holds after the upgrade, for the reasons of what is left.
#[derive(Debug, Default)]
pub(crate) struct Left<'a> {
    /// IDs some note declares.
    pub covered: std::collections::HashSet<&'a str>,
    /// Replacement ID → the revoked IDs that notes still declare and ATT&CK merged into it.
    pub merged_into: BTreeMap<&'a str, Vec<&'a str>>,
}

/// A drift finding left after the upgrade, as a task for a person: its message says what
/// ATT&CK changed; the reason says why no machine can settle it (`why` when the caller
/// knows, else from what the vault holds, else the finding's help).
pub(crate) fn manual_of(d: &Diagnostic, why: Option<&str>, left: &Left<'_>) -> Manual {
    let subject = d.subject.clone().unwrap_or_default();
    let known = match (d.rule.name, why) {
        (_, Some(why)) => Some(why.to_owned()),
        ("attack-missing-relationship", None) => {
            let ids: Vec<&str> = subject.split(',').filter(|s| !s.is_empty()).collect();
            let without: Vec<&str> = ids
                .iter()
                .copied()
                .filter(|id| !left.covered.contains(id))
                .collect();
            (!without.is_empty() && without.len() == ids.len()).then(|| {
                format!(
                    "no note in the vault declares {}: a row would be a broken link; create the note, then upgrade again",
                    code_list(&without)
                )
            })
        }
        ("attack-revoked-id", None) => {
            let new = d.message.rsplit_once("it is now `").and_then(|(_, r)| r.split_once('`'));
            new.and_then(|(new, _)| {
                let merged = left.merged_into.get(new)?;
                if left.covered.contains(new) {
                    return Some(format!(
                        "`{new}` already has a note: merge this note's content into it (a person's call), or archive this note with `--archive`"
                    ));
                }
                (merged.len() > 1).then(|| {
                    format!(
                        "ATT&CK merged {} into `{new}`, which has no note: choose the note that becomes `{new}` (re-declare its ID), then upgrade again to relink the rest",
                        code_list(merged)
                    )
                })
            })
        }
        ("attack-deprecated-id", None) => Some(
            "ATT&CK names no replacement for a deprecated object: archive the note (`--archive`) or delete it".to_owned(),
        ),
        _ => None,
    };
    let mut reason = d.message.clone();
    if let Some(why) = known.or_else(|| d.help.as_ref().map(|h| h.to_string())) {
        reason.push_str("; ");
        reason.push_str(&why);
    }
    Manual {
        rule: d.rule.name.to_owned(),
        path: d.path.to_string(),
        subject,
        reason,
    }
}

/// `` `a`, `b` and `c` ``.
fn code_list(ids: &[&str]) -> String {
    let quoted: Vec<String> = ids.iter().map(|i| format!("`{i}`")).collect();
    match quoted.split_last() {
        Some((last, rest)) if !rest.is_empty() => format!("{} and {last}", rest.join(", ")),
        _ => quoted.concat(),
    }
}

/// The catalogue's name of the ID a note declares, for a rename: the current name of a
/// live object in the note's domain.
pub(crate) fn current_name<'c>(
    catalogue: &'c Catalogue,
    config: &AttackConfig,
    path: &str,
    id: &str,
) -> Option<&'c str> {
    let kind = config.kind_of(id)?;
    let domain = config.domain_of(path).map(|(_, d)| d);
    let entry = catalogue.lookup(id, kind, domain)?;
    (!entry.revoked && !entry.deprecated).then_some(entry.name.as_str())
}

/// Changes grouped by kind, in [`ChangeKind`] order, each group in the order found.
pub(crate) fn grouped(changes: &[Change]) -> BTreeMap<ChangeKind, Vec<&Change>> {
    let mut out: BTreeMap<ChangeKind, Vec<&Change>> = BTreeMap::new();
    for c in changes {
        out.entry(c.kind).or_default().push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostic::{Fix, Severity};
    use std::sync::Arc;

    #[test]
    fn renames_keep_the_layout() {
        let config = AttackConfig::default();
        assert_eq!(
            rename_target(&config, "techniques/Bash History.md", "Shell History").as_deref(),
            Some("techniques/Shell History.md")
        );
        assert_eq!(
            rename_target(&config, "t/Bash History - T1552.003.md", "Shell History").as_deref(),
            Some("t/Shell History - T1552.003.md")
        );
        assert_eq!(
            rename_target(&config, "Old.md", "Drive-by／Web").as_deref(),
            Some("Drive-by／Web.md")
        );
        assert_eq!(
            rename_target(&config, "a/Web／Cloud.md", "Web/Cloud Storage").as_deref(),
            Some("a/Web／Cloud Storage.md")
        );
        assert_eq!(rename_target(&config, "Same.md", "Same"), None);
    }

    fn diag(
        rule: &'static crate::diagnostic::RuleMeta,
        msg: &str,
        subject: &str,
        fix: &str,
    ) -> Diagnostic {
        Diagnostic::new(rule, &Arc::from("g.md"), None, msg.to_owned())
            .with_subject(subject.to_owned())
            .with_fix(Some(Fix::unsafe_(fix.to_owned(), Vec::new())))
    }

    #[test]
    fn a_relabel_then_removal_is_one_removal() {
        static REVOKED: crate::diagnostic::RuleMeta = crate::diagnostic::RuleMeta {
            name: "attack-revoked-id",
            summary: "",
            default_severity: Severity::Error,
            docs: "",
            fix: crate::diagnostic::FixAvailability::None,
        };
        static STALE: crate::diagnostic::RuleMeta = crate::diagnostic::RuleMeta {
            name: "attack-stale-relationship",
            ..REVOKED
        };
        let applied = vec![
            diag(
                &REVOKED,
                "`T1` was revoked; it is now `T2`",
                "T1",
                "link to `b`, which declares `T2`",
            ),
            diag(
                &REVOKED,
                "`T5` was revoked; it is now `T6`",
                "T5",
                "change the label to `T6`",
            ),
            diag(&STALE, "`G1` uses `T2`: not in v18", "T2", "remove the row"),
            diag(
                &REVOKED,
                "`T7` was revoked; it is now `T8`",
                "T7",
                "change the label to `T8`",
            ),
            // As the rule names a row in a table: by its link.
            diag(
                &STALE,
                "`G1` uses `T8`: not in v18",
                "[[techniques/Eight\\|T8]]",
                "remove the row",
            ),
        ];
        let changes = changes_of_fixes(&applied);
        assert_eq!(changes.len(), 3);
        assert_eq!(changes[0].kind, ChangeKind::RelabelId);
        assert_eq!(changes[1].kind, ChangeKind::RemoveRow);
        assert_eq!(changes[1].subject, "T1");
        assert_eq!(changes[2].kind, ChangeKind::RemoveRow);
        assert_eq!(changes[2].subject, "T7");
        assert_eq!(
            changes[2].change,
            "remove the row (its replacement `T8` is not related here)"
        );
        assert!(changes[1].cause.contains("revoked") && changes[1].cause.contains("not in v18"));
    }
}
