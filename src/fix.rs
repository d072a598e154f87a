//! `--fix`, `--unsafe-fixes` and `--diff`: applying the rules' fix edits to the vault; and
//! [`rename`], moving files with every link to them rewritten (`vaultlint mv`). Both write
//! through [`replace_note`].
//!
//! Rules only propose edits ([`crate::diagnostic::Fix`]); this module, above the check,
//! is the one place that writes notes. It works in two steps so that `--diff` and `--fix`
//! compute the same result:
//!
//! 1. [`plan`]: check, apply the non-overlapping fixes to the notes' text in memory,
//!    re-check that text, and repeat until no fix is left (at most [`MAX_PASSES`] passes).
//!    Nothing is written; each note is read from disk once, and only when a fix touches it.
//! 2. [`write`] (for `--fix`) writes each changed note atomically, or [`unified_diff`]
//!    (for `--diff`) prints what would change as a patch that `git apply` accepts.
//!
//! Writing keeps every byte no fix touched: the BOM, the line endings (fixes never
//! rewrite whole lines) and the file's permissions. A note that changed on disk since it
//! was read, that is reached through a symbolic link, or that resolves outside the vault
//! is skipped and reported.

use std::collections::{BTreeMap, HashMap};
use std::path::{Component, Path, PathBuf};
use std::sync::Arc;

pub(crate) mod write;

use write::{SignalGuard, WriteError};

use crate::check::{self, CheckOptions, Report};
use crate::diagnostic::{Applicability, Diagnostic, Edit, Severity};
use crate::error::Error;
use crate::vault;

pub(crate) mod rename;

/// Passes of fix-and-re-check before giving up: enough for fixes that enable other fixes
/// (a note's ID, then the labels of links to it, then their name cells), and a bound on
/// fixes that would keep undoing each other.
pub(crate) const MAX_PASSES: usize = 10;

const BOM: &[u8] = b"\xEF\xBB\xBF";

/// Which fixes to apply.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) struct FixOptions {
    /// Apply unsafe fixes too (`--unsafe-fixes`).
    pub(crate) unsafe_fixes: bool,
}

impl FixOptions {
    /// Whether a fix of this applicability is applied.
    pub(crate) fn applies(&self, applicability: Applicability) -> bool {
        applicability == Applicability::Safe || self.unsafe_fixes
    }
}

/// A note the fixes changed: its bytes as read and as fixed.
#[derive(Debug, Clone)]
pub(crate) struct FixedNote {
    /// Vault-relative, `/`-separated.
    pub(crate) path: Arc<str>,
    /// The file's bytes when it was read.
    pub(crate) original: Vec<u8>,
    /// The bytes to write: the BOM, if the file had one, and the fixed text.
    pub(crate) fixed: Vec<u8>,
}

/// The outcome of [`plan`]: what the first check found, what remains, and what changed.
#[derive(Debug)]
pub(crate) struct Plan {
    /// The check of the vault as it is on disk (what `vaultlint check` reports).
    pub(crate) before: Report,
    /// The check of the fixed text: the findings that remain.
    pub(crate) after: Report,
    /// Fixes applied, per note and rule name.
    pub(crate) fixed: BTreeMap<Arc<str>, BTreeMap<&'static str, usize>>,
    /// The notes whose text changed, by path.
    pub(crate) notes: Vec<FixedNote>,
    /// Notes with fixes that were left alone, and why.
    pub(crate) skipped: BTreeMap<Arc<str>, String>,
    /// The findings whose fixes were applied, pass by pass (a command that explains its
    /// changes, such as `attack upgrade`, lists them with their causes).
    pub(crate) applied: Vec<Diagnostic>,
    /// Fix-and-re-check passes run.
    pub(crate) passes: usize,
}

impl Plan {
    /// Fixes applied per rule, counting only the notes for which `counted` holds (e.g. the
    /// ones written).
    pub(crate) fn fixed_per_rule(
        &self,
        counted: impl Fn(&str) -> bool,
    ) -> BTreeMap<&'static str, usize> {
        let mut total = BTreeMap::new();
        for note in &self.notes {
            if !counted(&note.path) {
                continue;
            }
            for (rule, n) in self.fixed.get(&note.path).into_iter().flatten() {
                *total.entry(*rule).or_default() += n;
            }
        }
        total
    }
}

/// A note as first read from disk.
struct Original {
    bytes: Vec<u8>,
    bom: bool,
}

/// Checks the vault and applies fixes to the notes' text in memory until none is left.
///
/// # Errors
/// As [`check::check`]: only when the vault root is missing.
pub(crate) fn plan(options: &CheckOptions, fix: FixOptions) -> Result<Plan, Error> {
    let mut edited: HashMap<Arc<str>, String> = HashMap::new();
    let mut originals: BTreeMap<Arc<str>, Original> = BTreeMap::new();
    let mut skipped: BTreeMap<Arc<str>, String> = BTreeMap::new();
    let mut fixed: BTreeMap<Arc<str>, BTreeMap<&'static str, usize>> = BTreeMap::new();
    let mut applied_findings: Vec<Diagnostic> = Vec::new();
    let before = check::check_with_edits(options, &edited)?;
    let mut after: Option<Report> = None;
    let mut passes = 0;
    while passes < MAX_PASSES {
        let report = after.as_ref().unwrap_or(&before);
        let mut by_note: BTreeMap<Arc<str>, Vec<&Diagnostic>> = BTreeMap::new();
        for d in &report.diagnostics {
            if d.fix.as_ref().is_some_and(|f| fix.applies(f.applicability))
                && !skipped.contains_key(&d.path)
            {
                by_note.entry(d.path.clone()).or_default().push(d);
            }
        }
        let mut changed = false;
        for (path, diagnostics) in by_note {
            let text = match edited.get(&path) {
                Some(text) => text.clone(),
                None => match read_original(&report.root, &path, report) {
                    Ok((original, text)) => {
                        originals.insert(path.clone(), original);
                        text
                    }
                    Err(reason) => {
                        skipped.insert(path, reason);
                        continue;
                    }
                },
            };
            let (taken, applied) = choose(&text, &diagnostics);
            let new_text = splice(&text, &taken);
            if let Err(reason) = keeps_front_matter(&text, &new_text, &taken) {
                revert(&path, reason, &mut edited, &mut fixed, &mut skipped);
                changed = true;
                continue;
            }
            if new_text != text {
                let counts = fixed.entry(path.clone()).or_default();
                for d in applied {
                    *counts.entry(d.rule.name).or_default() += 1;
                    applied_findings.push(d.clone());
                }
                edited.insert(path, new_text);
                changed = true;
            }
        }
        if !changed {
            break;
        }
        passes += 1;
        let mut report = check::check_with_edits(options, &edited)?;
        // A fix that adds an error (the front matter no longer parses, a link breaks) is
        // undone with every other fix of its note, and the check repeated without them.
        let previous = after.as_ref().unwrap_or(&before);
        let worse = new_errors(previous, &report, &edited);
        if !worse.is_empty() {
            for (path, reason) in worse {
                revert(&path, reason, &mut edited, &mut fixed, &mut skipped);
            }
            report = check::check_with_edits(options, &edited)?;
        }
        after = Some(report);
    }
    let notes = originals
        .into_iter()
        .filter_map(|(path, original)| {
            let text = edited.get(&path)?;
            let mut bytes = Vec::with_capacity(text.len() + 3);
            if original.bom {
                bytes.extend_from_slice(BOM);
            }
            bytes.extend_from_slice(text.as_bytes());
            (bytes != original.bytes).then_some(FixedNote {
                path,
                original: original.bytes,
                fixed: bytes,
            })
        })
        .collect();
    let after = after.unwrap_or_else(|| before.clone());
    Ok(Plan {
        before,
        after,
        fixed,
        notes,
        skipped,
        applied: applied_findings,
        passes,
    })
}

/// Undoes every fix of a note and records why it is left as it was.
fn revert(
    path: &Arc<str>,
    reason: String,
    edited: &mut HashMap<Arc<str>, String>,
    fixed: &mut BTreeMap<Arc<str>, BTreeMap<&'static str, usize>>,
    skipped: &mut BTreeMap<Arc<str>, String>,
) {
    edited.remove(path);
    fixed.remove(path);
    skipped.insert(path.clone(), reason);
}

/// The edited notes whose re-check has more error findings of some rule than the check
/// before the pass, each with a reason naming the rule.
fn new_errors(
    previous: &Report,
    report: &Report,
    edited: &HashMap<Arc<str>, String>,
) -> Vec<(Arc<str>, String)> {
    let errors = |r: &Report| {
        let mut counts: HashMap<(Arc<str>, &'static str), usize> = HashMap::new();
        for d in &r.diagnostics {
            if d.severity == Severity::Error && edited.contains_key(&d.path) {
                *counts.entry((d.path.clone(), d.rule.name)).or_default() += 1;
            }
        }
        counts
    };
    let was = errors(previous);
    let mut worse: BTreeMap<Arc<str>, &'static str> = BTreeMap::new();
    for ((path, rule), n) in errors(report) {
        if n > was.get(&(path.clone(), rule)).copied().unwrap_or(0) {
            worse.entry(path).or_insert(rule);
        }
    }
    worse
        .into_iter()
        .map(|(path, rule)| {
            let reason = format!("its fixes would add a `{rule}` error, so none was applied");
            (path, reason)
        })
        .collect()
}

/// Whether the edits keep what the front matter means: YAML that parsed still parses, and
/// every top-level property whose lines no edit touches keeps its value (an anchor renamed
/// away, a merge key reading an edited mapping, a block scalar cut in two all change it).
/// Obsidian ignores every property of a note whose YAML does not parse, so a fix that
/// breaks it loses the note's data.
///
/// # Errors
/// Why the fixed front matter differs, for the fix summary.
fn keeps_front_matter(old: &str, new: &str, edits: &[&Edit]) -> Result<(), String> {
    use crate::parse::frontmatter::{cut, parse_yaml, top_level_keys, FrontMatterCut};
    let FrontMatterCut::Block(old_block) = cut(old) else {
        return Ok(());
    };
    if !edits.iter().any(|e| e.start < old_block.range.end) {
        return Ok(());
    }
    let Ok(old_value) = parse_yaml(old, &old_block) else {
        return Ok(());
    };
    let broken = || {
        "its fixes would leave front matter that does not parse as YAML (Obsidian would ignore every property), so none was applied".to_owned()
    };
    let FrontMatterCut::Block(new_block) = cut(new) else {
        return Err(broken());
    };
    let new_value = parse_yaml(new, &new_block).map_err(|_| broken())?;
    let touched = |key_start: usize| {
        let lines = crate::rules::edit::property_lines(old, key_start, old_block.yaml.end);
        edits
            .iter()
            .any(|e| e.start < lines.end && lines.start <= e.end)
    };
    let empty = serde_json::Map::new();
    let old_map = old_value.as_object().unwrap_or(&empty);
    let new_map = new_value.as_object().unwrap_or(&empty);
    for key in top_level_keys(old, &old_block) {
        if touched(key.range.start) {
            continue;
        }
        let (Some(was), is) = (old_map.get(&key.name), new_map.get(&key.name)) else {
            continue;
        };
        if is != Some(was) {
            return Err(format!(
                "its fixes would change the value of the property `{}`, which they do not edit (an anchor, alias or merge key shares it), so none was applied",
                key.name
            ));
        }
    }
    if old_value.is_object() != new_value.is_object() {
        return Err(broken());
    }
    Ok(())
}

/// Reads a note for fixing: its bytes, and its text, which must be exactly what the check
/// read (same hash), be valid UTF-8 and fit the size limit.
fn read_original(root: &Path, path: &str, report: &Report) -> Result<(Original, String), String> {
    let abs = vault::abs_path(root, path);
    let bytes = vault::read_file(&abs, vault::MAX_NOTE_BYTES, vault::Symlinks::Refuse)
        .map_err(|e| format!("cannot read it: {e}"))?;
    let bom = bytes.starts_with(BOM);
    let body = if bom { &bytes[BOM.len()..] } else { &bytes[..] };
    let text = std::str::from_utf8(body)
        .map_err(|_| "it is not valid UTF-8, so writing it back could change bytes".to_owned())?
        .to_owned();
    if report.fingerprints.get(path) != Some(&check::text_hash(&text)) {
        return Err("it changed on disk since it was read".to_owned());
    }
    Ok((Original { bytes, bom }, text))
}

#[cfg(test)]
/// Applies the fixes of one note's findings that do not overlap an earlier one (by
/// position, then rule name); returns the new text and the finding of each fix applied.
fn apply<'d>(text: &str, diagnostics: &[&'d Diagnostic]) -> (String, Vec<&'d Diagnostic>) {
    let (taken, applied) = choose(text, diagnostics);
    (splice(text, &taken), applied)
}

/// The edits [`apply`] makes, sorted by position, and the finding of each fix taken:
/// every fix whose edits lie on character boundaries inside `text` and overlap neither
/// each other nor an earlier fix's.
pub(crate) fn choose<'d>(
    text: &str,
    diagnostics: &[&'d Diagnostic],
) -> (Vec<&'d Edit>, Vec<&'d Diagnostic>) {
    let mut fixes: Vec<(&Diagnostic, &[Edit])> = diagnostics
        .iter()
        .filter_map(|d| Some((*d, &d.fix.as_ref()?.edits[..])))
        .filter(|(_, edits)| !edits.is_empty())
        .collect();
    fixes.sort_by_key(|(d, edits)| (edits[0].start, d.rule.name));
    let mut taken = Taken::default();
    let mut applied = Vec::new();
    for (d, edits) in fixes {
        let valid = edits.iter().all(|e| {
            e.start <= e.end
                && text.is_char_boundary(e.start)
                && text.is_char_boundary(e.end)
                && e.end <= text.len()
        });
        if !valid || edits.iter().any(|e| taken.clashes(e)) {
            continue;
        }
        let mut own = Taken::default();
        if edits.iter().all(|e| own.add(e)) {
            edits.iter().for_each(|e| {
                taken.add(e);
            });
            applied.push(d);
        }
    }
    (taken.0.into_values().collect(), applied)
}

/// Edits that pairwise do not [`overlap`](overlaps), by position. Their ends rise with their
/// starts, so an edit can only clash with the last few that start at or before its end:
/// checking one costs a logarithm, not a pass over every edit taken (a note with thousands
/// of fixes stays linear-logarithmic).
#[derive(Default)]
struct Taken<'d>(BTreeMap<(usize, usize), &'d Edit>);

impl<'d> Taken<'d> {
    /// Whether `e` overlaps an edit taken.
    fn clashes(&self, e: &Edit) -> bool {
        for t in self.0.range(..=(e.end, usize::MAX)).rev().map(|(_, t)| t) {
            if overlaps(e, t) {
                return true;
            }
            if t.end < e.start {
                return false;
            }
        }
        false
    }

    /// Takes `e` unless it clashes; whether it was taken.
    fn add(&mut self, e: &'d Edit) -> bool {
        if self.clashes(e) {
            return false;
        }
        self.0.insert((e.start, e.end), e);
        true
    }
}

/// `text` with `edits` (sorted, non-overlapping, on character boundaries: what [`choose`]
/// returns) applied.
pub(crate) fn splice(text: &str, edits: &[&Edit]) -> String {
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for e in edits {
        out.push_str(&text[at..e.start]);
        out.push_str(&e.replacement);
        at = e.end;
    }
    out.push_str(&text[at..]);
    out
}

/// Whether two edits touch the same text. An insertion clashes with a replacement only
/// strictly inside it (at its start it goes before it, at its end after it), and with an
/// insertion at the same point, since their order would be arbitrary.
fn overlaps(a: &Edit, b: &Edit) -> bool {
    match (a.start == a.end, b.start == b.end) {
        (true, true) => a.start == b.start,
        (true, false) => b.start < a.start && a.start < b.end,
        (false, true) => a.start < b.start && b.start < a.end,
        (false, false) => a.start < b.end && b.start < a.end,
    }
}

/// A patch of the planned changes, as `git diff` writes it (`a/` and `b/` prefixes before
/// `prefix` and the vault path), which `git apply` accepts from the folder `prefix` is
/// relative to. `quote` quotes each header path as git does (the patch sink's escaping,
/// `render::escape::patch_path`), so a name holding a line break cannot add patch lines.
pub(crate) fn unified_diff(
    plan: &Plan,
    prefix: &str,
    quote: impl Fn(&str) -> std::borrow::Cow<'_, str>,
) -> String {
    let mut out = String::new();
    for note in &plan.notes {
        let (Ok(old), Ok(new)) = (
            std::str::from_utf8(&note.original),
            std::str::from_utf8(&note.fixed),
        ) else {
            continue;
        };
        out.push_str(&note_diff(
            &format!("{prefix}{}", note.path),
            old,
            new,
            &quote,
        ));
    }
    out
}

/// The patch of one note at `path` (relative to where `git apply` runs), from `old` to
/// `new`: the `diff --git` line and the unified diff, header paths quoted by `quote`.
pub(crate) fn note_diff(
    path: &str,
    old: &str,
    new: &str,
    quote: impl Fn(&str) -> std::borrow::Cow<'_, str>,
) -> String {
    let (a, b) = (format!("a/{path}"), format!("b/{path}"));
    let (a, b) = (quote(&a), quote(&b));
    let mut out = format!("diff --git {a} {b}\n");
    let hunks = hunks(old, new);
    if !hunks.is_empty() {
        out.push_str(&format!("--- {a}\n+++ {b}\n"));
        out.push_str(&hunks);
    }
    out
}

/// The unified-diff hunks (context 3) that turn `old` into `new`, as `git apply` reads
/// them; empty when they are equal. Shared by `--diff` and `mv --diff`.
pub(crate) fn hunks(old: &str, new: &str) -> String {
    // Lines as git reads a patch: ended by `\n` only. (`similar`'s own line splitting also
    // ends a line at a lone `\r`, which `git apply` reads as part of the line: a note with
    // one gave a corrupt patch; found by the `diff` fuzz target.)
    let old_lines: Vec<&str> = old.split_inclusive('\n').collect();
    let new_lines: Vec<&str> = new.split_inclusive('\n').collect();
    // Myers' diff is quadratic when most lines change (a note with 40,000 fixed table
    // rows: 10 s); past the deadline `similar` stops minimising and the rest becomes
    // one replacement: still an exact patch for `git apply`, only less compact.
    let diff = similar::TextDiff::configure()
        .timeout(DIFF_TIMEOUT)
        .diff_slices(&old_lines, &new_lines);
    let mut out = String::new();
    for group in &similar::group_diff_ops(reindexed(diff.ops()), 3) {
        out.push_str(&format!(
            "{}\n",
            similar::udiff::UnifiedHunkHeader::new(group)
        ));
        for op in group {
            for change in diff.iter_changes(op) {
                out.push(match change.tag() {
                    similar::ChangeTag::Equal => ' ',
                    similar::ChangeTag::Delete => '-',
                    similar::ChangeTag::Insert => '+',
                });
                let line = change.value();
                out.push_str(line);
                if !line.ends_with('\n') {
                    out.push_str("\n\\ No newline at end of file\n");
                }
            }
        }
    }
    out
}

/// `ops` with each op's line indices counted from the lengths of the ops before it.
/// `similar`'s Myers diff can give a deletion a wrong `new_index` and an insertion a wrong
/// `old_index` (mitsuhiko/similar#78, open), and hunk headers and grouping read them: `-`
/// on `-\n\n` → `\n\n` gave `@@ -1 +2 @@` over a hunk of two old and two new lines,
/// which `git apply` rejects (found by the `diff` fuzz target).
fn reindexed(ops: &[similar::DiffOp]) -> Vec<similar::DiffOp> {
    use similar::{DiffOp, DiffTag};
    let (mut old_index, mut new_index) = (0, 0);
    ops.iter()
        .map(|op| {
            let (tag, old, new) = op.as_tag_tuple();
            let (old_len, new_len) = (old.len(), new.len());
            let op = match tag {
                DiffTag::Equal => DiffOp::Equal {
                    old_index,
                    new_index,
                    len: old_len,
                },
                DiffTag::Delete => DiffOp::Delete {
                    old_index,
                    old_len,
                    new_index,
                },
                DiffTag::Insert => DiffOp::Insert {
                    old_index,
                    new_index,
                    new_len,
                },
                DiffTag::Replace => DiffOp::Replace {
                    old_index,
                    old_len,
                    new_index,
                    new_len,
                },
            };
            old_index += old_len;
            new_index += new_len;
            op
        })
        .collect()
}

/// How long `--diff` lets the diff of one note search for the smallest patch.
const DIFF_TIMEOUT: std::time::Duration = std::time::Duration::from_millis(500);

/// What happened to one note when writing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Written {
    /// The fixed text was written.
    Fixed,
    /// Left as it was, for this reason.
    Skipped(String),
}

/// Writes each changed note atomically (see the [`write`](mod@write) module): a temp file
/// in the note's folder, opened through handles taken once from the vault root, with the
/// note's permissions, flushed to disk, then renamed over the note. Notes reached through
/// a symbolic link, outside the vault, or changed on disk since they were read are
/// skipped.
///
/// # Errors
/// `Error::Interrupted` when SIGINT, SIGTERM or SIGHUP arrives: the notes before are
/// written, the one being written is left as it was with no temp file, the rest are not
/// touched.
pub(crate) fn write(root: &Path, plan: &Plan) -> Result<Vec<(Arc<str>, Written)>, Error> {
    let guard = SignalGuard::install()
        .map_err(|e| Error::Usage(format!("cannot catch signals while writing: {e}")))?;
    let mut results = Vec::with_capacity(plan.notes.len());
    for note in &plan.notes {
        guard.check().map_err(|_| Error::Interrupted)?;
        let result =
            match write::replace_note(root, &note.path, &note.original, &note.fixed, &guard) {
                Ok(()) => Written::Fixed,
                Err(WriteError::Skipped(reason)) => Written::Skipped(reason),
                Err(WriteError::Interrupted) => return Err(Error::Interrupted),
            };
        results.push((note.path.clone(), result));
    }
    Ok(results)
}

/// Replaces the file at vault path `path` with `new`, atomically and through folder
/// handles opened once ([`write::replace_note`]). The one way vaultlint writes a note or
/// canvas (`--fix` and `mv` both come here).
///
/// # Errors
/// Why the file was left as it was: it is reached through a symbolic link or lies outside
/// the vault, it no longer holds `original` (changed on disk since it was read), an I/O
/// error, or a signal arrived while it was written (its temp file is then removed).
pub(crate) fn replace_note(
    root: &Path,
    path: &str,
    original: &[u8],
    new: &[u8],
) -> Result<(), String> {
    let guard =
        SignalGuard::install().map_err(|e| format!("cannot catch signals while writing: {e}"))?;
    write::replace_note(root, path, original, new, &guard).map_err(|e| match e {
        WriteError::Skipped(reason) => reason,
        WriteError::Interrupted => "a signal arrived while it was written".to_owned(),
    })
}

/// The file of a vault path, when writing it stays inside the vault: no `..`, no symbolic
/// link on the way from the root (the note itself included), and the real folder under
/// the real root.
pub(crate) fn safe_path(root: &Path, path: &str) -> Result<PathBuf, String> {
    let abs = vault::abs_path(root, path);
    let rel = abs
        .strip_prefix(root)
        .map_err(|_| "it is outside the vault".to_owned())?;
    let mut at = root.to_path_buf();
    for component in rel.components() {
        let Component::Normal(part) = component else {
            return Err("its path leaves the vault".to_owned());
        };
        at.push(part);
        let meta = std::fs::symlink_metadata(&at).map_err(|e| format!("cannot read it: {e}"))?;
        if meta.file_type().is_symlink() {
            return Err(format!(
                "`{}` is a symbolic link, and vaultlint never writes through one",
                at.strip_prefix(root).unwrap_or(&at).display()
            ));
        }
    }
    let real_root = root
        .canonicalize()
        .map_err(|e| format!("cannot resolve the vault: {e}"))?;
    let real = abs
        .canonicalize()
        .map_err(|e| format!("cannot resolve it: {e}"))?;
    if !real.starts_with(&real_root) {
        return Err("it is outside the vault".to_owned());
    }
    Ok(abs)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostic::{Fix, RuleMeta, Severity};

    static RULE: RuleMeta = RuleMeta {
        name: "test-rule",
        summary: "",
        default_severity: Severity::Warning,
        docs: "",
        fix: crate::diagnostic::FixAvailability::Always(Applicability::Safe),
    };

    fn diag(edits: Vec<Edit>) -> Diagnostic {
        Diagnostic::new(&RULE, &Arc::from("n.md"), None, String::new())
            .with_fix(Some(Fix::safe("", edits)))
    }

    #[test]
    fn applies_non_overlapping_edits_first_come_first_served() {
        let a = diag(vec![Edit::replace(0, 3, "ABC")]);
        let b = diag(vec![Edit::replace(2, 5, "x")]);
        let c = diag(vec![Edit::insert(6, "!"), Edit::replace(7, 8, "Z")]);
        let (text, rules) = apply("abcdefgh", &[&b, &a, &c]);
        assert_eq!(text, "ABCdef!gZ");
        assert_eq!(rules.len(), 2);
    }

    /// What [`choose`] takes, by the definition: each fix in order whose edits are valid
    /// and overlap neither each other nor any edit taken before (a pass over all of them).
    fn choose_by_definition<'d>(text: &str, diagnostics: &[&'d Diagnostic]) -> Vec<&'d Edit> {
        let mut fixes: Vec<&[Edit]> = diagnostics
            .iter()
            .filter_map(|d| Some(&d.fix.as_ref()?.edits[..]))
            .filter(|edits| !edits.is_empty())
            .collect();
        fixes.sort_by_key(|edits| edits[0].start);
        let mut taken: Vec<&Edit> = Vec::new();
        for edits in fixes {
            let valid = edits
                .iter()
                .all(|e| e.start <= e.end && e.end <= text.len());
            let clashes = edits.iter().any(|e| taken.iter().any(|t| overlaps(e, t)))
                || edits
                    .iter()
                    .enumerate()
                    .any(|(i, e)| edits[i + 1..].iter().any(|o| overlaps(e, o)));
            if valid && !clashes {
                taken.extend(edits);
            }
        }
        taken.sort_by_key(|e| (e.start, e.end));
        taken
    }

    #[test]
    fn takes_what_a_pass_over_every_taken_edit_would() {
        // A fixed linear congruential sequence: insertions, replacements and touching edits
        // at random points of a short ASCII text, up to 4 edits per fix.
        let mut seed: u64 = 0x5eed;
        let mut next = |n: usize| {
            seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
            usize::try_from(seed >> 33).unwrap() % n
        };
        let text = "a".repeat(40);
        for _ in 0..2_000 {
            let fixes: Vec<Diagnostic> = (0..1 + next(8))
                .map(|_| {
                    let edits = (0..1 + next(4))
                        .map(|_| {
                            let start = next(41);
                            let end = (start + next(4)).min(40);
                            Edit::replace(start, end, "x")
                        })
                        .collect();
                    diag(edits)
                })
                .collect();
            let refs: Vec<&Diagnostic> = fixes.iter().collect();
            let (taken, _) = choose(&text, &refs);
            assert_eq!(taken, choose_by_definition(&text, &refs), "{fixes:#?}");
        }
    }

    #[test]
    fn a_patch_ends_lines_only_at_line_feeds_as_git_reads_it() {
        fn quote(s: &str) -> std::borrow::Cow<'_, str> {
            std::borrow::Cow::Borrowed(s)
        }
        let patch = note_diff("n.md", "a\rb\nc\n", "a\rb\nC\n", quote);
        assert_eq!(
            patch,
            "diff --git a/n.md b/n.md\n--- a/n.md\n+++ b/n.md\n@@ -1,2 +1,2 @@\n a\rb\n-c\n+C\n"
        );
        let patch = note_diff("n.md", "x\r", "y\r", quote);
        assert!(
            patch.ends_with("@@ -1 +1 @@\n-x\r\n\\ No newline at end of file\n+y\r\n\\ No newline at end of file\n"),
            "{patch:?}"
        );
        assert_eq!(
            note_diff("n.md", "same", "same", quote),
            "diff --git a/n.md b/n.md\n"
        );
    }

    #[test]
    fn hunk_headers_count_every_line_of_their_hunk() {
        // `similar` numbered the deletion and the insertion wrongly here (its issue 78).
        assert_eq!(hunks("-\n\n", "\n\n"), "@@ -1,2 +1,2 @@\n--\n \n+\n");
        // The fuzzer's first input: front matter whose first fence lost a stray byte.
        assert_eq!(
            hunks("\u{2}---\na: [b]\n---\n# H\n", "---\nx\n---\n# H\n"),
            "@@ -1,4 +1,4 @@\n-\u{2}---\n-a: [b]\n ---\n+x\n+---\n # H\n"
        );
    }

    #[test]
    fn rejects_edits_off_character_boundaries() {
        let bad = diag(vec![Edit::replace(1, 2, "x")]);
        assert_eq!(apply("é", &[&bad]).0, "é");
    }

    #[test]
    fn insertions_at_one_point_clash() {
        assert!(overlaps(&Edit::insert(3, "a"), &Edit::insert(3, "b")));
        assert!(!overlaps(&Edit::replace(0, 3, "a"), &Edit::insert(3, "b")));
        assert!(!overlaps(&Edit::insert(0, "["), &Edit::replace(0, 3, "b")));
        assert!(overlaps(&Edit::insert(1, "["), &Edit::replace(0, 3, "b")));
        assert!(overlaps(
            &Edit::replace(0, 3, "a"),
            &Edit::replace(2, 4, "b")
        ));
        let bracket = diag(vec![Edit::insert(7, "["), Edit::insert(12, "]")]);
        let id = diag(vec![Edit::replace(7, 12, "T1002")]);
        assert_eq!(
            apply("alias: T1001\n", &[&bracket, &id]).0,
            "alias: [T1002]\n"
        );
    }

    #[test]
    fn inserts_at_one_point_apply_one_fix_per_pass() {
        // Two findings inserting at one point: the first (by position, then rule, then the
        // report's order) goes in, the other waits for the next pass, which inserts it
        // after the first; their order never depends on chance.
        let a = diag(vec![Edit::insert(2, "A\n")]);
        let b = diag(vec![Edit::insert(2, "B\n")]);
        let (text, rules) = apply("x\ny\n", &[&a, &b]);
        assert_eq!((text.as_str(), rules.len()), ("x\nA\ny\n", 1));
        // One fix that inserts twice at one point would leave the order to its sort, so it
        // is refused whole: rules give rows added at one place as one edit
        // (`attack-missing-relationship` does).
        let twice = diag(vec![Edit::insert(2, "B\n"), Edit::insert(2, "A\n")]);
        assert_eq!(apply("x\ny\n", &[&twice]).0, "x\ny\n");
    }

    fn replace(root: &Path, path: &str, original: &[u8]) -> Result<(), String> {
        let guard = SignalGuard::install().unwrap();
        write::replace_note(root, path, original, b"fixed", &guard).map_err(|e| match e {
            WriteError::Skipped(reason) => reason,
            WriteError::Interrupted => "interrupted".to_owned(),
        })
    }

    #[cfg(unix)]
    #[test]
    fn never_writes_through_a_symlink_or_outside_the_vault() {
        let dir = tempfile::tempdir().unwrap();
        let vault = dir.path().join("vault");
        std::fs::create_dir(&vault).unwrap();
        std::fs::write(dir.path().join("outside.md"), "x").unwrap();
        std::os::unix::fs::symlink(dir.path().join("outside.md"), vault.join("link.md")).unwrap();
        std::os::unix::fs::symlink(dir.path(), vault.join("up")).unwrap();
        std::fs::write(vault.join("real.md"), "x").unwrap();
        assert!(replace(&vault, "link.md", b"x")
            .unwrap_err()
            .contains("symbolic link"));
        assert!(replace(&vault, "up/outside.md", b"x")
            .unwrap_err()
            .contains("symbolic link"));
        assert!(replace(&vault, "../outside.md", b"x").is_err());
        assert_eq!(std::fs::read(dir.path().join("outside.md")).unwrap(), b"x");
        replace(&vault, "real.md", b"x").unwrap();
        assert_eq!(std::fs::read(vault.join("real.md")).unwrap(), b"fixed");
    }

    /// A folder swapped for a symlink is refused where it is met, and a handle once taken
    /// names the folder that was opened, not whatever the path names later.
    #[cfg(unix)]
    #[test]
    fn a_folder_swapped_for_a_symlink_cannot_redirect_the_write() {
        let dir = tempfile::tempdir().unwrap();
        let vault = dir.path().join("vault");
        let outside = dir.path().join("outside");
        std::fs::create_dir_all(vault.join("sub")).unwrap();
        std::fs::create_dir_all(&outside).unwrap();
        std::fs::write(vault.join("sub/n.md"), "x").unwrap();
        std::fs::write(outside.join("n.md"), "x").unwrap();
        std::fs::rename(vault.join("sub"), dir.path().join("moved")).unwrap();
        std::os::unix::fs::symlink(&outside, vault.join("sub")).unwrap();
        assert!(replace(&vault, "sub/n.md", b"x")
            .unwrap_err()
            .contains("symbolic link"));
        assert_eq!(std::fs::read(outside.join("n.md")).unwrap(), b"x");
        let temp = std::fs::read_dir(&outside)
            .unwrap()
            .filter(|e| {
                let name = e.as_ref().unwrap().file_name();
                name.to_string_lossy().starts_with(".vaultlint-")
            })
            .count();
        assert_eq!(temp, 0);
    }

    /// Plans the safe fixes of a vault holding one note `n.md` with `text`.
    fn plan_one(text: &str) -> (tempfile::TempDir, Plan) {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("n.md"), text).unwrap();
        let options = CheckOptions::new(dir.path().to_path_buf());
        let plan = plan(&options, FixOptions::default()).unwrap();
        (dir, plan)
    }

    #[test]
    fn a_fix_that_would_change_what_the_front_matter_means_is_not_applied() {
        // The shapes the `deprecated-property` fix rewrote into broken or different YAML:
        // values over several lines, anchors and merges.
        let shapes = [
            "alias: A long alias that PyYAML wrapped\n  over a second line\n",
            "alias: >-\n  folded\n  text\n",
            "alias: |\n  literal\n  text\n",
            "alias: \"quoted over\n  two lines\"\n",
            "alias: 'single quoted\n  over two lines'\n",
            "alias: &name M1040\nother: *name\n",
            "aliases: &al\n  - x\nalias: y\ncopy: *al\n",
            "aliases: &al [x]\nalias: y\ncopy:\n  <<: {list: *al}\n",
            // Non-finite floats, which the YAML reader hands over as strings (`.NaN` as
            // `.nan`): written as text they would change type, and spelling.
            "alias: .NaN\n",
            "alias: -.Inf\n",
            "aliases: [x]\nalias: .inf\n",
            "tag: .nan\n",
        ];
        for yaml in shapes {
            let text = format!("---\n{yaml}---\nbody\n");
            let (_dir, plan) = plan_one(&text);
            assert!(plan.notes.is_empty(), "{yaml}: {:?}", plan.notes);
            // Either the rule offers no fix, or the fix planned is refused and said so.
            let offered = plan.before.diagnostics.iter().any(|d| d.fix.is_some());
            let reason = plan.skipped.get("n.md").map(String::as_str);
            assert!(
                !offered || reason.is_some_and(|r| r.contains("none was applied")),
                "{yaml}: {reason:?}"
            );
            assert!(plan.fixed.is_empty(), "{yaml}");
            assert!(
                plan.after
                    .diagnostics
                    .iter()
                    .all(|d| d.rule.name != "invalid-front-matter"),
                "{yaml}"
            );
        }
    }

    #[test]
    fn front_matter_fixes_that_keep_its_meaning_still_apply() {
        let (_dir, plan) = plan_one("---\nbase: &b {k: v}\nalias: M1040\nchild:\n  <<: *b\n---\n");
        let fixed = std::str::from_utf8(&plan.notes[0].fixed).unwrap();
        assert_eq!(
            fixed,
            "---\nbase: &b {k: v}\naliases: [M1040]\nchild:\n  <<: *b\n---\n"
        );
        assert!(plan.skipped.is_empty());
    }

    #[test]
    fn a_comment_after_a_tab_is_never_deleted() {
        for text in [
            "---\nalias: M1040\t# keep me\n---\n",
            "---\naliases: [x]\nalias: M1040\t# keep me\n---\n",
        ] {
            let (_dir, plan) = plan_one(text);
            assert!(plan.notes.is_empty(), "{text}: {:?}", plan.notes);
        }
    }

    #[test]
    fn skips_a_note_changed_since_it_was_read() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("n.md"), "new").unwrap();
        let err = replace(dir.path(), "n.md", b"old").unwrap_err();
        assert!(err.contains("changed on disk"), "{err}");
        assert_eq!(std::fs::read(dir.path().join("n.md")).unwrap(), b"new");
    }

    #[cfg(unix)]
    #[test]
    fn keeps_permissions_bom_and_line_endings() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("n.md");
        let original = b"\xEF\xBB\xBF---\r\nalias: x\r\n---\r\n".to_vec();
        std::fs::write(&path, &original).unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o640)).unwrap();
        let options = CheckOptions::new(dir.path().to_path_buf());
        let plan = plan(&options, FixOptions::default()).unwrap();
        assert_eq!(
            plan.fixed_per_rule(|_| true).get("deprecated-property"),
            Some(&1)
        );
        let results = write(dir.path(), &plan).unwrap();
        assert_eq!(results, vec![(Arc::from("n.md"), Written::Fixed)]);
        assert_eq!(
            std::fs::read(&path).unwrap(),
            b"\xEF\xBB\xBF---\r\naliases: [x]\r\n---\r\n"
        );
        let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o640);
        let again = super::plan(&options, FixOptions::default()).unwrap();
        assert!(again.notes.is_empty() && again.fixed_per_rule(|_| true).is_empty());
    }
}
