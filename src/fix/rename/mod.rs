//! Renaming and moving files and folders with every link to them rewritten, as Obsidian's
//! "Automatically update internal links" does: the core of `vaultlint mv`, and the layer
//! any command that renames notes calls (`attack upgrade` renames notes whose ATT&CK object
//! was renamed).
//!
//! Three steps, so that `--diff` and the real run compute the same result:
//!
//! 1. [`plan`]: index the vault as it is and as it will be after the [`Move`]s, read every
//!    note and canvas, and compute the edit of every link whose text must change. A link
//!    to a moved file keeps its form (bare name, relative, absolute path) while that form
//!    opens the file unambiguously, else takes `.obsidian/app.json`'s `newLinkFormat`;
//!    heading, block and display parts stay as written. Every edited file is parsed again
//!    and each of its links resolved against the moved vault: it must open what it opened
//!    before. What cannot be done safely becomes a [`Refusal`] and nothing is written.
//! 2. [`journal::apply`]: record the plan in a journal (`.vaultlint/mv-journal.json`, a
//!    dot folder Obsidian does not index), move the files, write each edited file
//!    atomically through [`super::replace_note`], delete the journal. A failure undoes
//!    what was done; an interrupted run leaves each file as it was or as it should be, and
//!    [`journal::resume`] or [`journal::abort`] finishes or undoes it from the journal.
//! 3. Or [`diff::unified_diff`]: the change as a patch with renames that `git apply`
//!    accepts; nothing is written.
//!
//! Which links change: links that open a moved file (when their text no longer opens it,
//! or spells the old name or path), and links written in a moved file that no longer open
//! their target from the new place (relative paths). Any other link that would open
//! something else after the move, or become ambiguous (a bare name the new name collides
//! with), refuses the move, since Obsidian would not rewrite it. A broken link that opens
//! the moved file afterwards is allowed and reported as a notice.

pub(crate) mod diff;
pub(crate) mod journal;
pub(crate) mod spell;

#[cfg(test)]
pub(crate) mod tests;

use std::collections::HashSet;
use std::path::Path;
use std::sync::Arc;

use rayon::prelude::*;

use crate::diagnostic::Edit;
use crate::error::Error;
use crate::index::{name_key, FileId, Vault};
use crate::parse::{self, LineIndex, LinkKind, LinkRef};
use crate::resolve::Resolution;
use crate::vault::{self, VaultFile};

use spell::{Form, LinkFormat};

/// One rename or move: a file or a folder, from one vault path to another (vault-relative,
/// `/`-separated, as Obsidian shows paths).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub(crate) struct Move {
    /// The file or folder as it is.
    pub(crate) from: String,
    /// Where it goes. Missing parent folders are created.
    pub(crate) to: String,
}

/// A file whose text changes, with its bytes before and after (a BOM kept).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Rewrite {
    /// Its vault path before the moves.
    pub(crate) from: Arc<str>,
    /// Its vault path after the moves (`from` when it does not move).
    pub(crate) to: Arc<str>,
    /// The file's bytes as read.
    pub(crate) original: Vec<u8>,
    /// The bytes to write.
    pub(crate) edited: Vec<u8>,
    /// How many links in it change.
    pub(crate) links: usize,
}

/// Why the moves cannot be made as asked: nothing is written while a plan has one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Refusal {
    /// The file holding the link, or the path the problem is about.
    pub(crate) path: Arc<str>,
    /// The 1-based line of the link; 0 when the refusal is about a whole file.
    pub(crate) line: u32,
    /// What is wrong and what to do about it.
    pub(crate) message: String,
}

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.line > 0 {
            write!(f, "{}:{}: {}", self.path, self.line, self.message)
        } else {
            write!(f, "{}: {}", self.path, self.message)
        }
    }
}

/// What [`plan`] computed: the moves, every file that moves, every file whose links change,
/// and whether the whole can be done.
#[derive(Debug, Clone)]
pub(crate) struct Plan {
    /// The vault root.
    pub(crate) root: std::path::PathBuf,
    /// The moves as asked, paths cleaned (no leading or trailing `/`).
    pub(crate) moves: Vec<Move>,
    /// Every file that moves, old and new vault path, in old path order.
    pub(crate) files: Vec<(Arc<str>, Arc<str>)>,
    /// The files whose text changes, in old path order.
    pub(crate) rewrites: Vec<Rewrite>,
    /// Why the plan cannot be carried out; empty when it can.
    pub(crate) refusals: Vec<Refusal>,
    /// Things the user should know that do not stop the move: broken links that will open
    /// a moved file, files that could not be read.
    pub(crate) notices: Vec<String>,
}

impl Plan {
    /// How many links the plan rewrites.
    pub(crate) fn links(&self) -> usize {
        self.rewrites.iter().map(|r| r.links).sum()
    }
}

/// Plans `moves` in the vault at `root`: see the module docs. The link format for links
/// that must change form is `.obsidian/app.json`'s `newLinkFormat`.
///
/// # Errors
/// `Error::VaultRoot` when `root` is not a folder; `Error::Usage` when a move itself cannot
/// be made: its source is missing or outside the vault, its destination exists (other
/// than as the same file with another case) or has a name Obsidian refuses, or two moves
/// overlap. Problems with links are not errors but [`Plan::refusals`].
pub(crate) fn plan(root: &Path, moves: &[Move]) -> Result<Plan, Error> {
    let app_json = root.join(".obsidian").join("app.json");
    let format = vault::read_text(
        &app_json,
        vault::MAX_SETTINGS_BYTES,
        vault::Symlinks::Refuse,
    )
    .map(|t| LinkFormat::from_app_json(&t))
    .unwrap_or_default();
    plan_with_format(root, moves, format)
}

/// [`plan`] with the link format given.
pub(crate) fn plan_with_format(
    root: &Path,
    moves: &[Move],
    format: LinkFormat,
) -> Result<Plan, Error> {
    let old = index(root)?;
    let moves = moves
        .iter()
        .map(|m| {
            Ok(Move {
                from: clean(&m.from, "source")?,
                to: clean(&m.to, "destination")?,
            })
        })
        .collect::<Result<Vec<_>, Error>>()?;
    let new_paths = destinations(root, &old, &moves)?;
    let (new, to_new) = moved_vault(&old, &new_paths);
    let moved: Vec<bool> = new_paths.iter().map(Option::is_some).collect();
    let mut names: Vec<String> = Vec::new();
    for (id, to) in new_paths.iter().enumerate() {
        if let Some(to) = to {
            names.push(loose(stem(&old.files[id].path)));
            names.push(loose(stem(to)));
        }
    }
    names.sort();
    names.dedup();
    let ctx = Context {
        root,
        old: &old,
        new: &new,
        to_new: &to_new,
        moved: &moved,
        format,
        names: &names,
    };
    let outcomes: Vec<FileOutcome> = (0..old.files.len())
        .into_par_iter()
        .filter(|&id| old.files[id].is_note || old.files[id].is_canvas())
        .map(|id| ctx.file(id))
        .collect();
    let mut plan = Plan {
        root: root.to_path_buf(),
        moves,
        files: new_paths
            .iter()
            .enumerate()
            .filter_map(|(id, p)| Some((old.files[id].path.clone(), p.clone()?)))
            .collect(),
        rewrites: Vec::new(),
        refusals: Vec::new(),
        notices: Vec::new(),
    };
    for outcome in outcomes {
        plan.refusals.extend(outcome.refusals);
        plan.notices.extend(outcome.notices);
        plan.rewrites.extend(outcome.rewrite);
    }
    Ok(plan)
}

/// A path as given, cleaned to a vault path: `\` taken as `/` is not done (it is a valid
/// name character on Unix), leading `./` and surrounding `/` dropped.
fn clean(path: &str, what: &str) -> Result<String, Error> {
    let trimmed = path.trim_start_matches("./").trim_matches('/');
    let bad = trimmed.is_empty()
        || trimmed
            .split('/')
            .any(|s| s.is_empty() || s == "." || s == "..");
    if bad {
        return Err(Error::Usage(format!(
            "the {what} `{path}` is not a path inside the vault"
        )));
    }
    Ok(trimmed.to_owned())
}

/// Characters Obsidian refuses in a file or folder name (reference note, rule 10), besides
/// `/`; `|` is not among them here because a Markdown link can still name such a file.
const FORBIDDEN: &[char] = &['*', '"', '\\', '<', '>', ':', '?'];

/// The new vault path of every file (`None` for files that stay), by file id.
fn destinations(root: &Path, old: &Vault, moves: &[Move]) -> Result<Vec<Option<Arc<str>>>, Error> {
    let mut out: Vec<Option<Arc<str>>> = vec![None; old.files.len()];
    for (i, m) in moves.iter().enumerate() {
        for other in &moves[i + 1..] {
            let overlap = |a: &str, b: &str| {
                let (a, b) = (name_key(a), name_key(b));
                a == b || a.starts_with(&format!("{b}/")) || b.starts_with(&format!("{a}/"))
            };
            if overlap(&m.from, &other.from) || overlap(&m.to, &other.to) {
                return Err(Error::Usage(format!(
                    "the moves of `{}` and `{}` overlap; give them one at a time",
                    m.from, other.from
                )));
            }
        }
        check_destination(root, m)?;
        let as_file = old.files.binary_search_by(|f| (*f.path).cmp(&m.from));
        match as_file {
            Ok(id) => {
                if old.files[id].os_path.is_some() {
                    return Err(Error::Usage(format!(
                        "`{}` has a name that is not valid UTF-8; rename it with a file manager",
                        m.from
                    )));
                }
                out[id] = Some(m.to.as_str().into());
            }
            Err(_) => {
                let abs = vault::abs_path(root, &m.from);
                let meta = std::fs::symlink_metadata(&abs)
                    .map_err(|e| Error::Usage(format!("cannot move `{}`: {e}", m.from)))?;
                if meta.file_type().is_symlink() {
                    return Err(Error::Usage(format!(
                        "`{}` is a symbolic link, which Obsidian does not follow; vaultlint does not move it",
                        m.from
                    )));
                }
                if !meta.is_dir() {
                    return Err(Error::Usage(format!(
                        "`{}` is not a file of the vault (a dot file, or excluded from the walk)",
                        m.from
                    )));
                }
                let prefix = format!("{}/", m.from);
                let first = old.files.partition_point(|f| *f.path < *prefix);
                for (file, to) in old.files[first..].iter().zip(&mut out[first..]) {
                    let Some(rest) = file.path.strip_prefix(&prefix) else {
                        break;
                    };
                    if file.os_path.is_some() {
                        return Err(Error::Usage(format!(
                            "`{}` has a name that is not valid UTF-8; rename it with a file manager first",
                            file.path
                        )));
                    }
                    *to = Some(format!("{}/{rest}", m.to).into());
                }
            }
        }
    }
    // A moved file may not share its path, compared as Obsidian compares paths, with a file
    // that stays or another moved file.
    let mut taken: HashSet<String> = old
        .files
        .iter()
        .zip(&out)
        .filter(|(_, to)| to.is_none())
        .map(|(f, _)| name_key(&f.path))
        .collect();
    for (id, to) in out.iter().enumerate() {
        if let Some(to) = to {
            if !taken.insert(name_key(to)) {
                return Err(Error::Usage(format!(
                    "cannot move `{}` to `{to}`: a file of that path exists (Obsidian compares paths without regard to case)",
                    old.files[id].path
                )));
            }
        }
    }
    Ok(out)
}

/// Refuses a destination that exists, lies inside the source, enters a dot folder Obsidian
/// does not index, or has a name Obsidian refuses.
fn check_destination(root: &Path, m: &Move) -> Result<(), Error> {
    let fail = |why: String| {
        Err(Error::Usage(format!(
            "cannot move `{}` to `{}`: {why}",
            m.from, m.to
        )))
    };
    if name_key(&m.to).starts_with(&format!("{}/", name_key(&m.from))) {
        return fail("the destination lies inside the source".to_owned());
    }
    for segment in m.to.split('/') {
        if segment.starts_with('.') {
            return fail(format!(
                "`{segment}` starts with a dot; Obsidian does not index such files, so links to them would break"
            ));
        }
        if let Some(c) = segment
            .chars()
            .find(|c| FORBIDDEN.contains(c) || c.is_control())
        {
            return fail(format!(
                "Obsidian does not allow `{}` in a file name",
                c.escape_default()
            ));
        }
    }
    let from = vault::abs_path(root, &m.from);
    let to = vault::abs_path(root, &m.to);
    if let Ok(meta) = std::fs::symlink_metadata(&to) {
        let same_entry = name_key(&m.from) == name_key(&m.to)
            && std::fs::symlink_metadata(&from).is_ok_and(|f| same_file(&f, &meta));
        if !same_entry {
            return fail("it exists".to_owned());
        }
    }
    if m.from == m.to {
        return fail("that is where it is".to_owned());
    }
    // A folder on the way that is a file or symbolic link, or a case-insensitive twin of the
    // destination folder's own files, is caught when the new index is built; here only the
    // existing prefix must be folders inside the vault.
    let mut at = root.to_path_buf();
    for segment in spell::folder(&m.to).split('/').filter(|s| !s.is_empty()) {
        at.push(segment);
        match std::fs::symlink_metadata(&at) {
            Ok(meta) if meta.file_type().is_symlink() || !meta.is_dir() => {
                return fail(format!(
                    "`{}` is not a folder of the vault",
                    at.strip_prefix(root).unwrap_or(&at).display()
                ));
            }
            Ok(_) => {}
            Err(_) => break,
        }
    }
    Ok(())
}

/// Whether two metadata describe the same file (a case-only rename on a case-insensitive
/// filesystem finds the destination "existing").
#[cfg(unix)]
fn same_file(a: &std::fs::Metadata, b: &std::fs::Metadata) -> bool {
    use std::os::unix::fs::MetadataExt;
    a.dev() == b.dev() && a.ino() == b.ino()
}

#[cfg(not(unix))]
fn same_file(a: &std::fs::Metadata, b: &std::fs::Metadata) -> bool {
    a.len() == b.len() && a.modified().ok() == b.modified().ok() && a.is_dir() == b.is_dir()
}

/// The vault after the moves (the same files, some at new paths; outlines are not needed
/// to resolve paths) and each old file id's new id.
fn moved_vault(old: &Vault, new_paths: &[Option<Arc<str>>]) -> (Vault, Vec<FileId>) {
    let mut files: Vec<(VaultFile, FileId)> = old
        .files
        .iter()
        .zip(new_paths)
        .enumerate()
        .map(|(id, (f, to))| {
            let mut f = f.clone();
            if let Some(to) = to {
                f.path = to.clone();
                f.is_note = std::path::Path::new(&**to)
                    .extension()
                    .is_some_and(|e| e.eq_ignore_ascii_case("md"));
            }
            (f, id)
        })
        .collect();
    files.sort_by(|a, b| a.0.path.cmp(&b.0.path));
    let mut to_new = vec![0; files.len()];
    for (new_id, (_, old_id)) in files.iter().enumerate() {
        to_new[*old_id] = new_id;
    }
    let n = files.len();
    let vault = Vault::new(
        files.into_iter().map(|(f, _)| f).collect(),
        vec![None; n],
        Vec::new(),
    );
    (vault, to_new)
}

/// What planning one file found.
#[derive(Default)]
struct FileOutcome {
    rewrite: Option<Rewrite>,
    refusals: Vec<Refusal>,
    notices: Vec<String>,
}

/// One link's part in the final check of an edited file.
#[derive(Clone)]
struct Expect {
    /// The file it must open (new id); `None`: not checked (broken, or not a link Obsidian
    /// follows).
    target: Option<FileId>,
    subpath: Option<String>,
    /// Its syntax changed (a wiki-link became a Markdown link): its display text may read
    /// differently.
    converted: bool,
}

/// Everything planning needs, shared by the files planned in parallel.
struct Context<'a> {
    root: &'a Path,
    old: &'a Vault,
    new: &'a Vault,
    to_new: &'a [FileId],
    moved: &'a [bool],
    format: LinkFormat,
    /// The old and new names of the moved files in [`loose`] form: a file that holds none
    /// of them holds no link that the moves concern.
    names: &'a [String],
}

/// A link is clear when exactly one file matches it, or it spells a full path that
/// shadows same-named files: the `ambiguous-link` rule's test.
fn clear(r: &Resolution) -> bool {
    match r {
        Resolution::Found { others, exact, .. } => others.is_empty() || *exact,
        Resolution::Missing => true,
    }
}

impl Context<'_> {
    fn resolve(
        &self,
        vault: &Vault,
        link_path: &str,
        kind: LinkKind,
        source: FileId,
    ) -> Resolution {
        if kind == LinkKind::CanvasFile {
            vault.resolve_exact(link_path)
        } else {
            vault.resolve(link_path, source)
        }
    }

    /// Plans the links of one note or canvas (old id `id`).
    fn file(&self, id: FileId) -> FileOutcome {
        let mut out = FileOutcome::default();
        let file = &self.old.files[id];
        let path = file.path.clone();
        let bytes = match vault::read_file(
            &file.abs(self.root),
            vault::MAX_NOTE_BYTES,
            vault::Symlinks::Refuse,
        ) {
            Ok(bytes) => bytes,
            Err(e) => {
                out.notices.push(format!(
                    "`{path}` could not be read ({e}); links in it were not checked"
                ));
                return out;
            }
        };
        let bom = bytes.starts_with(b"\xEF\xBB\xBF");
        let body = &bytes[if bom { 3 } else { 0 }..];
        let (text, valid) = match std::str::from_utf8(body) {
            Ok(t) => (std::borrow::Cow::Borrowed(t), true),
            Err(_) => (String::from_utf8_lossy(body), false),
        };
        let canvas = file.is_canvas();
        if !self.moved[id] && !canvas && !may_link(&text, self.names) {
            return out;
        }
        let links = parse_links(&text, canvas);
        let source_new = self.to_new[id];
        let mut edits: Vec<Edit> = Vec::new();
        let mut expects: Vec<Expect> = Vec::with_capacity(links.link_count());
        let lines = LineIndex::new(&text);
        for link in links.links() {
            let refuse = |out: &mut FileOutcome, message: String| {
                out.refusals.push(Refusal {
                    path: path.clone(),
                    line: link.span.line,
                    message,
                });
            };
            if link.problem.is_some() {
                expects.push(Expect {
                    target: None,
                    subpath: None,
                    converted: false,
                });
                continue;
            }
            let before = self.resolve(self.old, link.path(), link.kind, id);
            let after = self.resolve(self.new, link.path(), link.kind, source_new);
            let Some(target_old) = before.file() else {
                if let Some(opens) = after.file() {
                    out.notices.push(format!(
                        "{path}:{}: `{}` is broken today and will open `{}`",
                        link.span.line,
                        link.original(),
                        self.new.path(opens)
                    ));
                }
                expects.push(Expect {
                    target: None,
                    subpath: None,
                    converted: false,
                });
                continue;
            };
            let target = self.to_new[target_old];
            let keeps = after.file() == Some(target) && (!clear(&before) || clear(&after));
            let ours = self.moved[target_old] || self.moved[id];
            let mut expect = Expect {
                target: Some(target),
                subpath: link.subpath().map(str::to_owned),
                converted: false,
            };
            if !ours {
                if !keeps {
                    refuse(&mut out, self.collision(link, &after, target));
                }
                expects.push(expect);
                continue;
            }
            let old_target_path = self.old.path(target_old);
            let new_target_path = self.new.path(target);
            let extension = spell::wants_extension(link.path(), old_target_path);
            let form = if link.kind == LinkKind::CanvasFile {
                Form::Full
            } else {
                spell::classify(
                    link.path(),
                    old_target_path,
                    &path,
                    matches!(link.kind, LinkKind::Markdown | LinkKind::Image),
                )
            };
            let respelled = self.moved[target_old]
                && spell::spell(form, old_target_path, &path, extension)
                    != spell::spell(form, new_target_path, self.new.path(source_new), extension);
            if keeps && !respelled {
                expects.push(expect);
                continue;
            }
            let Some((chosen, spelled)) = self.spelling(link, form, extension, target, source_new)
            else {
                refuse(
                    &mut out,
                    format!(
                        "no link in any form opens `{new_target_path}` unambiguously from here; `{}` cannot be rewritten",
                        link.original()
                    ),
                );
                expects.push(expect);
                continue;
            };
            // A wiki-link that must become a Markdown link names the file in full, as
            // Obsidian writes Markdown links.
            let with_extension =
                spell::spell(chosen, new_target_path, self.new.path(source_new), true);
            match self.rewritten_source(link, &text, &spelled, &with_extension, canvas) {
                Ok((edit, converted)) => {
                    expect.converted = converted;
                    edits.push(edit);
                }
                Err(why) => refuse(&mut out, why),
            }
            expects.push(expect);
        }
        if edits.is_empty() {
            return out;
        }
        if !valid {
            out.refusals.push(Refusal {
                path: path.clone(),
                line: 0,
                message: "links in it must change, but it is not valid UTF-8, and writing it would change bytes vaultlint cannot read".to_owned(),
            });
            return out;
        }
        if !out.refusals.is_empty() {
            return out;
        }
        edits.sort_by_key(|e| e.start);
        let refs: Vec<&Edit> = edits.iter().collect();
        let edited = crate::fix::splice(&text, &refs);
        if let Err(why) = self.verify(&edited, canvas, source_new, &expects) {
            out.refusals.push(Refusal {
                path: path.clone(),
                line: lines.span(why.0, why.0).line,
                message: why.1,
            });
            return out;
        }
        let mut edited_bytes = Vec::with_capacity(edited.len() + 3);
        if bom {
            edited_bytes.extend_from_slice(b"\xEF\xBB\xBF");
        }
        edited_bytes.extend_from_slice(edited.as_bytes());
        out.rewrite = Some(Rewrite {
            from: path,
            to: self.new.path(source_new).clone(),
            links: edits.len(),
            original: bytes,
            edited: edited_bytes,
        });
        out
    }

    /// Why a link that `mv` does not rewrite (its file and target stay) would change: what
    /// it opens after the move, or that it becomes ambiguous.
    fn collision(&self, link: LinkRef<'_>, after: &Resolution, target: FileId) -> String {
        let now = self.new.path(target);
        match after {
            Resolution::Found { file, .. } if *file != target => format!(
                "`{}` opens `{now}` today and would open `{}` after the move; write its full path first (`[[{}]]`)",
                link.original(),
                self.new.path(*file),
                now.strip_suffix(".md").unwrap_or(now)
            ),
            Resolution::Found { others, more, .. } => format!(
                "`{}` would match {} files after the move (a moved file takes its name), and Obsidian would pick one by ranking; write its full path first (`[[{}]]`)",
                link.original(),
                others.len() + more + 1,
                now.strip_suffix(".md").unwrap_or(now)
            ),
            Resolution::Missing => format!(
                "`{}` opens `{now}` today and would be broken after the move",
                link.original()
            ),
        }
    }

    /// The path text for a link that must change, and its form: its own form, else the
    /// vault's link format, else the full path, whichever first opens `target`
    /// unambiguously.
    fn spelling(
        &self,
        link: LinkRef<'_>,
        form: Form,
        extension: bool,
        target: FileId,
        source: FileId,
    ) -> Option<(Form, String)> {
        let target_path = self.new.path(target);
        let source_path = self.new.path(source);
        let unique = self
            .new
            .files_named(
                target_path
                    .rsplit('/')
                    .next()
                    .map(name_key)
                    .as_deref()
                    .unwrap_or(""),
            )
            .len()
            == 1;
        let forms = [form, self.format.form(unique), Form::Full];
        forms.into_iter().find_map(|f| {
            let candidate = spell::spell(f, target_path, source_path, extension);
            let r = self.resolve(self.new, &candidate, link.kind, source);
            (r.file() == Some(target) && clear(&r)).then_some((f, candidate))
        })
    }

    /// The edit that writes `path` into `link` (in `text`), and whether the link changed
    /// syntax; or why it cannot be written.
    fn rewritten_source(
        &self,
        link: LinkRef<'_>,
        text: &str,
        path: &str,
        full_name: &str,
        canvas: bool,
    ) -> Result<(Edit, bool), String> {
        let span = link.span.start..link.span.end;
        if link.kind == LinkKind::CanvasFile {
            let json = serde_json::to_string(path).map_err(|e| e.to_string())?;
            return Ok((Edit::replace(span.start, span.end, json), false));
        }
        let (source, converted) = self.new_link_source(link, path, full_name)?;
        if !canvas {
            if text.get(span.clone()) != Some(link.original()) {
                return Err(format!(
                    "`{}` is written in a way vaultlint cannot locate; rewrite it by hand",
                    link.original()
                ));
            }
            return Ok((Edit::replace(span.start, span.end, source), converted));
        }
        // A canvas text node: the link sits JSON-escaped in the node's `text` string.
        let escape = |s: &str| {
            let json = serde_json::to_string(s).unwrap_or_default();
            json[1..json.len().saturating_sub(1).max(1)].to_owned()
        };
        if text.get(span.clone()) != Some(escape(link.original()).as_str()) {
            return Err(format!(
                "`{}` in a canvas text node is JSON-escaped in a way vaultlint does not write; rewrite it by hand",
                link.original()
            ));
        }
        Ok((
            Edit::replace(span.start, span.end, escape(&source)),
            converted,
        ))
    }

    /// The link's source (`[[…]]`, `[…](…)`) with `path` in place of its path.
    fn new_link_source(
        &self,
        link: LinkRef<'_>,
        path: &str,
        full_name: &str,
    ) -> Result<(String, bool), String> {
        let source = link.original();
        match link.kind {
            LinkKind::Wiki | LinkKind::Embed | LinkKind::Property => {
                let range = spell::wiki_path_range(source).ok_or_else(|| {
                    format!(
                        "`{source}` is not a wiki-link vaultlint can rewrite; rewrite it by hand"
                    )
                })?;
                if spell::wiki_can_spell(path) {
                    let mut written = path.to_owned();
                    if link.kind == LinkKind::Property {
                        written = property_escape(&written, source)?;
                    }
                    return Ok((
                        format!(
                            "{}{written}{}",
                            &source[..range.start],
                            &source[range.end..]
                        ),
                        false,
                    ));
                }
                if path.contains('#') {
                    return Err(format!(
                        "`{source}` must name `{path}`, but no link can: Obsidian cuts a link at its first `#`, and in a Markdown link `%23` stays as written; choose a name without `#`"
                    ));
                }
                if link.kind == LinkKind::Property {
                    return Err(format!(
                        "`{source}` must name `{path}`, which a wiki-link cannot hold (`|`, `^`, `[[`, `]]` or `%%`), and a property can only hold wiki-links; choose another name"
                    ));
                }
                spell::wiki_to_markdown(source, full_name, link.table().is_some())
                    .map(|s| (s, true))
                    .ok_or_else(|| format!("`{source}` cannot be written as a Markdown link"))
            }
            LinkKind::Markdown | LinkKind::Image => {
                let (range, angle) =
                    spell::markdown_dest_range(source, link.path(), link.subpath())
                        .ok_or_else(|| {
                            format!(
                                "`{source}` is a reference-style link or spells its destination with escapes; rewrite it by hand"
                            )
                        })?;
                let ascii = spell::encodes_non_ascii(&source[range.clone()]);
                let dest = spell::encode_destination(path, angle, ascii).ok_or_else(|| {
                    format!(
                        "`{source}` must name `{path}`, but no Markdown link can: in a Markdown link `%23` stays as written; choose a name without `#`"
                    )
                })?;
                Ok((
                    format!("{}{dest}{}", &source[..range.start], &source[range.end..]),
                    false,
                ))
            }
            LinkKind::CanvasFile => Err("a canvas file node is not link text".to_owned()),
        }
    }

    /// Parses the edited text again and checks that every link opens what it must: the
    /// same links in the same order, each resolving (from the file's new place in the moved
    /// vault) to its expected file, subpath unchanged. `Err((offset, message))` otherwise.
    fn verify(
        &self,
        edited: &str,
        canvas: bool,
        source: FileId,
        expects: &[Expect],
    ) -> Result<(), (usize, String)> {
        let links = parse_links(edited, canvas);
        if links.link_count() != expects.len() {
            return Err((
                0,
                format!(
                    "after rewriting, the file would hold {} links instead of {}; vaultlint leaves it to you",
                    links.link_count(),
                    expects.len()
                ),
            ));
        }
        for (link, expect) in links.links().zip(expects) {
            let Some(target) = expect.target else {
                continue;
            };
            let r = self.resolve(self.new, link.path(), link.kind, source);
            let subpath_kept = link.subpath() == expect.subpath.as_deref()
                || (expect.converted
                    && link.subpath().unwrap_or("") == expect.subpath.as_deref().unwrap_or(""));
            if link.problem.is_some() || r.file() != Some(target) || !subpath_kept {
                return Err((
                    link.span.start,
                    format!(
                        "rewritten, `{}` would not open `{}`; vaultlint cannot rewrite this link safely, rewrite it by hand",
                        link.original(),
                        self.new.path(target)
                    ),
                ));
            }
        }
        Ok(())
    }
}

/// The vault's files and Obsidian's name index, without outlines: resolving paths needs
/// names only, and the outline pass would read every note twice.
fn index(root: &Path) -> Result<Vault, Error> {
    let meta =
        std::fs::metadata(root).map_err(|e| Error::VaultRoot(root.to_path_buf(), e.to_string()))?;
    if !meta.is_dir() {
        return Err(Error::VaultRoot(
            root.to_path_buf(),
            "not a folder".to_owned(),
        ));
    }
    let listing = vault::walk(root, &vault::WalkOptions::default());
    let n = listing.files.len();
    Ok(Vault::new(listing.files, vec![None; n], listing.problems))
}

/// A file name without its folder and its `.md` extension.
fn stem(path: &str) -> &str {
    let name = path.rsplit('/').next().unwrap_or(path);
    if name.len() > 3
        && name.is_char_boundary(name.len() - 3)
        && name[name.len() - 3..].eq_ignore_ascii_case(".md")
    {
        &name[..name.len() - 3]
    } else {
        name
    }
}

/// Only the letters and digits of `s`, decomposed and lower-cased: the part of a name
/// that every way of writing it in a link keeps (percent-escapes decoded first by the
/// caller; NFC or NFD, case, spaces and punctuation aside).
fn loose(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if c.is_ascii() {
            if c.is_ascii_alphanumeric() {
                out.push(c.to_ascii_lowercase());
            }
        } else {
            unicode_normalization::char::decompose_canonical(c, |d| {
                if d.is_alphanumeric() {
                    out.extend(d.to_lowercase());
                }
            });
        }
    }
    out
}

/// Whether `text` may hold a link whose name is one of `names` (in [`loose`] form): a
/// link's last path segment is a file name, spelled in the text directly or
/// percent-encoded. Text with an HTML entity (`&eacute;`, `&#233;`) may spell a name with
/// it, as Markdown destinations decode them: it is always parsed.
fn may_link(text: &str, names: &[String]) -> bool {
    if has_entity(text) {
        return true;
    }
    let decoded = if text.contains('%') {
        percent_encoding::percent_decode_str(text).decode_utf8_lossy()
    } else {
        std::borrow::Cow::Borrowed(text)
    };
    let hay = loose(&decoded);
    names.iter().any(|n| hay.contains(n.as_str()))
}

/// Whether `text` holds something shaped like an HTML entity: `&`, up to 32 letters,
/// digits or `#`, then `;`. (`ATT&CK` is not one.)
fn has_entity(text: &str) -> bool {
    let bytes = text.as_bytes();
    text.match_indices('&').any(|(at, _)| {
        let body = bytes[at + 1..]
            .iter()
            .take(33)
            .take_while(|b| b.is_ascii_alphanumeric() || **b == b'#')
            .count();
        body > 0 && body <= 32 && bytes.get(at + 1 + body) == Some(&b';')
    })
}

/// A note or canvas parsed as the check reads it, for its links.
fn parse_links(text: &str, canvas: bool) -> parse::Note {
    if canvas {
        parse::parse_canvas(text).note
    } else {
        parse::parse_note(text)
    }
}

/// `path` as it can stand inside the quoted YAML scalar holding a property link (`source`
/// is the verbatim `[[…]]`, whose quote comes before it in the note): a single-quoted
/// scalar doubles `'`; a double-quoted one cannot hold `"` or `\` unescaped (Obsidian
/// refuses both in names).
fn property_escape(path: &str, source: &str) -> Result<String, String> {
    if !source.starts_with("[[") {
        return Err(format!(
            "the property value `{source}` is escaped or folded YAML; rewrite it by hand"
        ));
    }
    if path.contains(['"', '\\', '\'']) {
        return Err(format!(
            "`{source}` is in a property, and `{path}` holds a quote or backslash that YAML would need escaped; rewrite it by hand"
        ));
    }
    Ok(path.to_owned())
}
