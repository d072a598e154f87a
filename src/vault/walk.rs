//! Listing the vault: every file, sorted, without following symlinks.
//!
//! Dot-entries (`.obsidian/`, `.git/`, `.trash/`) are skipped as Obsidian hides them.
//! Files matched by Obsidian's "Excluded files" (`userIgnoreFilters` in
//! `.obsidian/app.json`) are listed but not linted: links into them still resolve
//! (reference note, rule 39).

use std::path::Path;
use std::sync::Arc;

use rayon::slice::ParallelSliceMut;
use regex::Regex;
use walkdir::WalkDir;

use super::{FileProblem, FileProblemKind, Listing, VaultFile};

#[derive(Debug, Default, Clone)]
pub(crate) struct WalkOptions {
    /// Vault paths that are indexed but not linted (config `exclude`).
    pub exclude: Option<globset::GlobSet>,
    /// When set, only these vault paths are linted (`--only`); the rest still resolve.
    pub only: Option<std::collections::HashSet<String>>,
    /// The vault-relative, `/`-separated folder a run was given inside a larger vault
    /// (`vaultlint check vault/Projects`): only files under it are linted, the whole vault
    /// resolves links.
    pub scope: Option<String>,
}

impl WalkOptions {
    /// Whether a vault path lies in the folder the run reports on.
    pub(crate) fn in_scope(&self, rel: &str) -> bool {
        self.scope.as_deref().is_none_or(|scope| {
            rel.strip_prefix(scope)
                .is_some_and(|rest| rest.starts_with('/'))
        })
    }
}

pub(crate) fn walk(root: &Path, options: &WalkOptions) -> Listing {
    let mut listing = Listing::default();
    let ignore = UserIgnoreFilters::load(root, &mut listing.problems);
    let loaded = listing.problems.len();
    let root_text = root.to_str();
    // Each folder is read in the order the file system gives: the files are sorted by
    // path below, and the walk's problems as a walk sorted by file name meets them
    // (walkdir's sort asks `Path::file_name` of both entries in every comparison, parsing
    // their paths again: over a quarter of the walk's instructions).
    let walker = WalkDir::new(root)
        .follow_links(false)
        .into_iter()
        .filter_entry(|e| e.depth() == 0 || !e.file_name().as_encoded_bytes().starts_with(b"."));
    for entry in walker {
        let entry = match entry {
            Ok(e) => e,
            Err(err) => {
                let path = err
                    .path()
                    .map_or_else(|| ".".to_owned(), |p| relative(root, p));
                listing.problems.push(FileProblem {
                    path: path.into(),
                    kind: FileProblemKind::Unreadable(io_message(&err)),
                });
                continue;
            }
        };
        let stripped = strip_root(root_text, root, entry.path());
        let rel = joined(stripped.unwrap_or(entry.path()));
        // The root may be a symlink: the user named it, and walkdir follows it. Only
        // symlinks inside the vault are skipped (reporting the root gave an empty path).
        if entry.depth() > 0 && entry.path_is_symlink() {
            let kind = symlink_problem(root, entry.path());
            listing.problems.push(FileProblem {
                path: rel.into(),
                kind,
            });
            continue;
        }
        if !entry.file_type().is_file() {
            continue;
        }
        let extension = extension(&rel);
        let is = |ext: &str| extension.is_some_and(|e| e.eq_ignore_ascii_case(ext));
        let is_note = is("md");
        let is_canvas = is("canvas");
        // JSON files are linted for packs that read their own formats in them (Navigator
        // layers); one that is no such format gives no finding.
        let is_json = is("json");
        let lint = (is_note || is_canvas || is_json)
            && options.in_scope(&rel)
            && !ignore.excludes(&rel)
            && !options.exclude.as_ref().is_some_and(|ex| ex.is_match(&rel))
            && options.only.as_ref().is_none_or(|only| only.contains(&rel));
        let os_path = stripped.filter(|p| p.to_str().is_none()).map(Into::into);
        listing.files.push(VaultFile {
            path: rel.into(),
            is_note,
            lint,
            os_path,
        });
    }
    // Stable: two non-UTF-8 names can read as the same path. In parallel: sorting
    // 100,000 paths was a fifth of the walk.
    listing.files.par_sort_by(|a, b| a.path.cmp(&b.path));
    listing.problems[loaded..].sort_by(|a, b| a.path.split('/').cmp(b.path.split('/')));
    listing
}

fn io_message(err: &walkdir::Error) -> String {
    if err.loop_ancestor().is_some() {
        return "symlink loop".to_owned();
    }
    err.io_error()
        .map_or_else(|| err.to_string(), std::string::ToString::to_string)
}

fn relative(root: &Path, path: &Path) -> String {
    joined(path.strip_prefix(root).unwrap_or(path))
}

/// `path`, which the walk joined under `root` (written as `root_text` when UTF-8), relative
/// to it: `None` when it is not under it.
fn strip_root<'p>(root_text: Option<&str>, root: &Path, path: &'p Path) -> Option<&'p Path> {
    // On Unix a UTF-8 path under the root begins with the root's text; comparing that is
    // cheaper than comparing components one by one (a sixth of the walk), and `joined`
    // reads what remains of a root written with `.` or doubled slashes.
    if cfg!(unix) {
        if let (Some(root_text), Some(text)) = (root_text, path.to_str()) {
            if let Some(rest) = text.strip_prefix(root_text) {
                if rest.is_empty() || root_text.ends_with('/') {
                    return Some(Path::new(rest));
                }
                if let Some(rest) = rest.strip_prefix('/') {
                    return Some(Path::new(rest));
                }
            }
        }
    }
    path.strip_prefix(root).ok()
}

/// A relative path as a vault path: its components joined by `/`.
fn joined(rel: &Path) -> String {
    // A path the walk joined is that already on Unix when it is UTF-8 and has no empty or
    // `.` component; only other paths need their components parsed (a third of the walk).
    if cfg!(unix) {
        if let Some(text) = rel.to_str() {
            if plain(text) {
                return text.to_owned();
            }
        }
    }
    let mut out = String::new();
    for (i, comp) in rel.components().enumerate() {
        if i > 0 {
            out.push('/');
        }
        out.push_str(&comp.as_os_str().to_string_lossy());
    }
    out
}

/// Whether every `/`-separated component of `text` is neither empty nor `.`: one pass
/// over the bytes (splitting was most of [`joined`]'s cost).
fn plain(text: &str) -> bool {
    let mut component = 0;
    let mut dot = false;
    for &b in text.as_bytes() {
        if b == b'/' {
            if component == 0 || (component == 1 && dot) {
                return false;
            }
            component = 0;
        } else {
            dot = component == 0 && b == b'.';
            component += 1;
        }
    }
    !(component == 0 || (component == 1 && dot))
}

/// The extension of a vault path's file name, as [`Path::extension`] reads it (nothing for
/// `.hidden` or `..`), without parsing the path's components.
fn extension(rel: &str) -> Option<&str> {
    let name = rel.rfind('/').map_or(rel, |i| &rel[i + 1..]);
    if name == ".." {
        return None;
    }
    let (stem, extension) = name.rsplit_once('.')?;
    (!stem.is_empty()).then_some(extension)
}

fn symlink_problem(root: &Path, link: &Path) -> FileProblemKind {
    let target = std::fs::read_link(link)
        .map(|t| t.to_string_lossy().into_owned())
        .unwrap_or_default();
    match std::fs::canonicalize(link) {
        Err(_) => {
            // ELOOP, or a dangling link; tell the two apart by whether the target exists.
            if std::fs::symlink_metadata(link).is_ok() && is_loop(link) {
                FileProblemKind::SymlinkLoop
            } else {
                FileProblemKind::SymlinkSkipped { target }
            }
        }
        Ok(resolved) => {
            let inside_ancestor = link
                .parent()
                .and_then(|p| std::fs::canonicalize(p).ok())
                .is_some_and(|parent| parent.starts_with(&resolved));
            let root_ok = std::fs::canonicalize(root).ok();
            if inside_ancestor && root_ok.is_some_and(|r| resolved.starts_with(r)) {
                FileProblemKind::SymlinkLoop
            } else {
                FileProblemKind::SymlinkSkipped { target }
            }
        }
    }
}

fn is_loop(link: &Path) -> bool {
    matches!(std::fs::metadata(link), Err(e) if e.raw_os_error() == Some(40))
}

/// Obsidian's "Excluded files": an entry `/…/` is a case-insensitive regex, anything else a
/// case-insensitive prefix of the vault path.
#[derive(Default)]
struct UserIgnoreFilters {
    prefixes: Vec<String>,
    /// Every regex entry, matched in one pass over a path.
    regexes: Option<regex::RegexSet>,
}

/// `userIgnoreFilters` entries read at most; the rest are reported and not applied. Real
/// vaults list a handful; 20,000 regexes matched against 20,000 notes took 35 CPU-s.
pub(crate) const MAX_IGNORE_FILTERS: usize = 1_000;

/// Regex entries compiled at most (they cost far more than prefixes).
pub(crate) const MAX_IGNORE_REGEXES: usize = 256;

/// Compiled size one regex entry may take, in bytes (regex's `size_limit`): `\w{100}`,
/// case-insensitive over Unicode, is megabytes, and 200 of them took 1.2 GB. With
/// [`MAX_IGNORE_REGEXES`] it bounds the whole at 64 MiB.
pub(crate) const MAX_IGNORE_REGEX_SIZE: usize = 256 * 1024;

impl UserIgnoreFilters {
    fn load(root: &Path, problems: &mut Vec<FileProblem>) -> Self {
        let mut filters = UserIgnoreFilters::default();
        let path: Arc<str> = ".obsidian/app.json".into();
        let folder = root.join(".obsidian");
        // The walk skips dot-folders, so a symlinked `.obsidian` is caught here instead.
        if std::fs::symlink_metadata(&folder).is_ok_and(|m| m.file_type().is_symlink()) {
            problems.push(FileProblem {
                path,
                kind: FileProblemKind::BadObsidianConfig(
                    "`.obsidian` is a symlink, which vaultlint does not follow; settings ignored"
                        .to_owned(),
                ),
            });
            return filters;
        }
        let text = match super::read_text(
            &folder.join("app.json"),
            super::MAX_SETTINGS_BYTES,
            super::Symlinks::Refuse,
        ) {
            Ok(text) => text,
            Err(super::ReadError::Io(e)) if e.kind() == std::io::ErrorKind::NotFound => {
                return filters;
            }
            Err(e) => {
                problems.push(FileProblem {
                    path,
                    kind: FileProblemKind::BadObsidianConfig(format!("{e}; settings ignored")),
                });
                return filters;
            }
        };
        filters.read(&text, &path, problems);
        filters
    }

    /// Reads the `userIgnoreFilters` of the text of `.obsidian/app.json` (`path` names it in
    /// problems): entries are case-insensitive path prefixes, or regexes between `/`s.
    fn read(&mut self, text: &str, path: &Arc<str>, problems: &mut Vec<FileProblem>) {
        let value: serde_json::Value = match serde_json::from_str(text) {
            Ok(v) => v,
            Err(e) => {
                problems.push(FileProblem {
                    path: Arc::clone(path),
                    kind: FileProblemKind::BadObsidianConfig(format!("not valid JSON: {e}")),
                });
                return;
            }
        };
        let entries = value
            .get("userIgnoreFilters")
            .and_then(serde_json::Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(serde_json::Value::as_str);
        let problem = |why: String| FileProblem {
            path: Arc::clone(path),
            kind: FileProblemKind::BadObsidianConfig(why),
        };
        let mut patterns: Vec<&str> = Vec::new();
        let mut count = 0;
        for entry in entries {
            count += 1;
            if count > MAX_IGNORE_FILTERS {
                continue;
            }
            if entry.len() > 2 && entry.starts_with('/') && entry.ends_with('/') {
                let pattern = entry.get(1..entry.len() - 1).unwrap_or_default();
                if patterns.len() == MAX_IGNORE_REGEXES {
                    problems.push(problem(format!(
                        "excluded-files pattern `{entry}` is past the limit of {MAX_IGNORE_REGEXES} regexes; not applied"
                    )));
                    continue;
                }
                match ignore_regex(pattern) {
                    Ok(_) => patterns.push(pattern),
                    Err(e) => problems.push(problem(format!(
                        "excluded-files pattern `{entry}` is not supported: {e}"
                    ))),
                }
            } else {
                self.prefixes.push(entry.to_lowercase());
            }
        }
        if count > MAX_IGNORE_FILTERS {
            problems.push(problem(format!(
                "`userIgnoreFilters` has {count} entries; only the first {MAX_IGNORE_FILTERS} are applied"
            )));
        }
        if !patterns.is_empty() {
            match regex::RegexSetBuilder::new(&patterns)
                .case_insensitive(true)
                .size_limit(MAX_IGNORE_REGEX_SIZE.saturating_mul(patterns.len()))
                .build()
            {
                Ok(set) => self.regexes = Some(set),
                Err(e) => {
                    problems.push(problem(format!("excluded-files regexes not applied: {e}")))
                }
            }
        }
    }

    fn excludes(&self, rel: &str) -> bool {
        if self.prefixes.is_empty() && self.regexes.is_none() {
            return false;
        }
        let lower = rel.to_lowercase();
        self.prefixes.iter().any(|p| lower.starts_with(p.as_str()))
            || self.regexes.as_ref().is_some_and(|r| r.is_match(rel))
    }
}

/// One regex entry compiled alone, case-insensitive as Obsidian's `new RegExp(…, "i")`,
/// within [`MAX_IGNORE_REGEX_SIZE`]: a pattern over it is reported, not compiled into a
/// gigabyte.
fn ignore_regex(pattern: &str) -> Result<Regex, regex::Error> {
    regex::RegexBuilder::new(pattern)
        .case_insensitive(true)
        .size_limit(MAX_IGNORE_REGEX_SIZE)
        .dfa_size_limit(MAX_IGNORE_REGEX_SIZE)
        .build()
}

/// Which of `paths` the `userIgnoreFilters` in `text` (the content of `.obsidian/app.json`)
/// exclude, and the problems reading it would report: the walk's filters without the disk,
/// for the fuzz targets.
pub(crate) fn app_json_excludes(text: &str, paths: &[&str]) -> (Vec<bool>, Vec<String>) {
    let mut filters = UserIgnoreFilters::default();
    let mut problems = Vec::new();
    filters.read(text, &".obsidian/app.json".into(), &mut problems);
    let excluded = paths.iter().map(|p| filters.excludes(p)).collect();
    let problems = problems
        .into_iter()
        .filter_map(|p| match p.kind {
            FileProblemKind::BadObsidianConfig(why) => Some(why),
            _ => None,
        })
        .collect();
    (excluded, problems)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_read_by_bytes_as_by_their_components() {
        let texts = [
            "",
            ".",
            "..",
            "a",
            "a.md",
            ".md",
            "..md",
            "a..md",
            "a.",
            "/a",
            "a/",
            "a//b",
            "./a",
            "a/.",
            "a/./b",
            "a/../b",
            "a/.b/c.md",
            ".a/b",
            "a/b.c/d",
            "a/b.c/d.MD",
            "a/.md",
            "a/..",
            "é/ü.md",
            "a/b/c.tar.gz",
            "a/b.",
            "//",
            "/",
            "a/.hidden.md",
        ];
        for text in texts {
            let by_components = text.split('/').all(|c| !c.is_empty() && c != ".");
            assert_eq!(plain(text), by_components, "{text:?}");
            if by_components {
                let by_path = Path::new(text).extension().and_then(|e| e.to_str());
                assert_eq!(extension(text), by_path, "{text:?}");
            }
        }
    }

    #[test]
    fn skips_dot_entries_and_lists_attachments() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::create_dir_all(root.join(".obsidian")).unwrap();
        std::fs::create_dir_all(root.join(".trash")).unwrap();
        std::fs::create_dir_all(root.join("a")).unwrap();
        std::fs::write(root.join(".trash/y.md"), "").unwrap();
        std::fs::write(root.join("a/Note.md"), "").unwrap();
        std::fs::write(root.join("a/img.png"), "").unwrap();
        let listing = walk(root, &WalkOptions::default());
        let paths: Vec<_> = listing.files.iter().map(|f| &*f.path).collect();
        assert_eq!(paths, ["a/Note.md", "a/img.png"]);
        assert!(listing.files[0].is_note && !listing.files[1].is_note);
    }

    #[test]
    fn user_ignore_filters_are_bounded_and_say_what_they_drop() {
        // A regex that compiles to megabytes is refused, not built.
        let (excluded, problems) = app_json_excludes(
            r#"{"userIgnoreFilters": ["/\\w{100}/", "/^a/"]}"#,
            &["a.md", "b.md"],
        );
        assert_eq!(excluded, [true, false]);
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert!(problems[0].contains("size limit"), "{problems:?}");
        // Past the count budgets: the first entries apply, the rest are reported.
        let many: Vec<String> = (0..MAX_IGNORE_FILTERS + 5)
            .map(|i| format!("\"/^n{i}\\\\.md$/\""))
            .collect();
        let text = format!("{{\"userIgnoreFilters\": [{}]}}", many.join(","));
        let (excluded, problems) = app_json_excludes(&text, &["n0.md", "n300.md"]);
        assert_eq!(excluded, [true, false]);
        assert!(
            problems.iter().any(|p| p.contains("limit of 256 regexes")),
            "{problems:?}"
        );
        assert!(
            problems.iter().any(|p| p.contains("only the first 1000")),
            "{problems:?}"
        );
    }

    #[test]
    fn user_ignore_filters_exclude_but_keep_files() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::create_dir_all(root.join(".obsidian")).unwrap();
        std::fs::write(
            root.join(".obsidian/app.json"),
            r#"{"userIgnoreFilters": ["Arch", "/^Temp.*\\.md$/"]}"#,
        )
        .unwrap();
        for name in ["Architecture.md", "Temp1.md", "Keep.md"] {
            std::fs::write(root.join(name), "").unwrap();
        }
        let listing = walk(root, &WalkOptions::default());
        let linted: Vec<_> = listing
            .files
            .iter()
            .filter(|f| f.lint)
            .map(|f| &*f.path)
            .collect();
        assert_eq!(listing.files.len(), 3);
        assert_eq!(linted, ["Keep.md"]);
    }

    #[cfg(unix)]
    #[test]
    fn symlink_loop_is_reported_not_followed() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::create_dir_all(root.join("a")).unwrap();
        std::os::unix::fs::symlink(root.join("a"), root.join("a/loop")).unwrap();
        std::os::unix::fs::symlink("/etc", root.join("outside")).unwrap();
        let listing = walk(root, &WalkOptions::default());
        assert_eq!(listing.problems.len(), 2, "{:?}", listing.problems);
        assert_eq!(listing.problems[0].kind, FileProblemKind::SymlinkLoop);
        assert!(matches!(
            listing.problems[1].kind,
            FileProblemKind::SymlinkSkipped { .. }
        ));
    }

    /// Problems come in the order a walk sorted by file name meets them (a folder before
    /// its neighbour whose name it begins: `a/…` before `a b`), whatever order the file
    /// system lists a folder in; paths are the components joined by `/` however the root
    /// was written.
    #[cfg(unix)]
    #[test]
    fn problems_in_walk_order_and_paths_joined_by_slashes() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::create_dir_all(root.join("a/b")).unwrap();
        std::fs::write(root.join("a/b/Note.md"), "").unwrap();
        for link in ["a b", "a/link", "a/b/z", "0"] {
            std::os::unix::fs::symlink("/etc", root.join(link)).unwrap();
        }
        let slashed = std::path::PathBuf::from(format!("{}/", root.display()));
        for given in [
            root.to_path_buf(),
            root.join("."),
            root.join("a/.."),
            slashed,
        ] {
            let listing = walk(&given, &WalkOptions::default());
            let problems: Vec<&str> = listing.problems.iter().map(|p| &*p.path).collect();
            assert_eq!(problems, ["0", "a/b/z", "a/link", "a b"], "{given:?}");
            let paths: Vec<&str> = listing.files.iter().map(|f| &*f.path).collect();
            assert_eq!(paths, ["a/b/Note.md"], "{given:?}");
        }
        assert_eq!(joined(Path::new("a/./b//c")), "a/b/c");
        assert_eq!(joined(Path::new("a/b c/d.md")), "a/b c/d.md");
    }
}
