//! Listing the vault: every file, sorted, without following symlinks.
//!
//! Dot-entries (`.obsidian/`, `.git/`, `.trash/`) are skipped as Obsidian hides them.
//! Files matched by Obsidian's "Excluded files" (`userIgnoreFilters` in
//! `.obsidian/app.json`) are listed but not linted: links into them still resolve
//! (reference note, rule 39).

use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rayon::iter::{IntoParallelIterator, ParallelIterator};
use rayon::slice::ParallelSliceMut;
use regex::Regex;

use super::{size_and_time, FileProblem, FileProblemKind, Listing, VaultFile};

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
    /// Whether notes and JSON files are stated as they are listed ([`VaultFile::stat`]), for
    /// the cache.
    pub stat: bool,
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
    let mut walker = Walker::at_root(root, options, &ignore, &mut listing);
    walker.root(root);
    // Each folder is listed in path order (see `Walker::folder`), so the files come sorted
    // unless a name was not UTF-8: two lossy names can read alike, and two folders that do
    // interleave their files in path order. Stable, as the walk meets alike paths.
    if walker.lossy {
        listing.files.par_sort_by(|a, b| a.path.cmp(&b.path));
    }
    listing.problems[loaded..].sort_by(|a, b| a.path.split('/').cmp(b.path.split('/')));
    listing
}

/// The walk's state: the folder it is in, and what it found so far.
struct Walker<'a> {
    root: &'a Path,
    options: &'a WalkOptions,
    ignore: &'a UserIgnoreFilters,
    listing: &'a mut Listing,
    /// The vault path of the folder being read, with a trailing `/` (empty at the root):
    /// one buffer that every file's path is written in.
    rel: String,
    /// The same folder as the file system names it, relative to the root.
    os_rel: PathBuf,
    /// How many folders of `os_rel` have a name that is not UTF-8.
    lossy_folders: usize,
    /// Whether any name met was not UTF-8.
    lossy: bool,
}

/// An entry of a folder, kept until the folder is listed in order.
struct Entry {
    /// The name (lossy when it is not UTF-8), with a `/` after a folder's: a folder's files
    /// sort as the name with that `/` does (`a-b` before `a/x`, `a` before `a b/x`).
    key: String,
    /// The name as the file system has it, when it is not UTF-8.
    os_name: Option<std::ffi::OsString>,
    /// A folder's, or a file's size and modification time ([`VaultFile::stat`]).
    kind: EntryKind,
}

enum EntryKind {
    Folder,
    File(Option<(u64, u64)>),
}

/// A folder the walk is in, with its entries not yet walked.
struct Open {
    entries: std::vec::IntoIter<Entry>,
    /// The folder as the file system names it.
    dir: PathBuf,
    /// The length of `Walker::rel` before the folder's name was added.
    rel_len: usize,
    /// Whether the folder's name is not UTF-8.
    lossy: bool,
}

impl<'a> Walker<'a> {
    /// A walker at the vault root `root` that lists into `listing`.
    fn at_root(
        root: &'a Path,
        options: &'a WalkOptions,
        ignore: &'a UserIgnoreFilters,
        listing: &'a mut Listing,
    ) -> Self {
        Walker {
            root,
            options,
            ignore,
            listing,
            rel: String::new(),
            os_rel: PathBuf::new(),
            lossy_folders: 0,
            lossy: false,
        }
    }

    /// The root as walkdir took it: a symlink the user named is followed, a root that is a
    /// file is listed with an empty path.
    fn root(&mut self, root: &Path) {
        let is_dir = match std::fs::symlink_metadata(root) {
            Ok(meta) if meta.file_type().is_symlink() => {
                std::fs::metadata(root).map(|m| m.is_dir())
            }
            Ok(meta) if meta.is_file() => {
                self.file("", None, None);
                return;
            }
            Ok(meta) => Ok(meta.is_dir()),
            Err(e) => Err(e),
        };
        match is_dir {
            Ok(true) => self.folder(root),
            Ok(false) => {}
            Err(e) => self.problem(String::new(), FileProblemKind::Unreadable(e.to_string())),
        }
    }

    /// Lists the folder at `dir` (the one `rel` names) and everything under it, in path
    /// order: its entries sorted by their keys, a folder's files before the next entry.
    /// Depth first with a stack of its own, not by recursion: a vault can nest folders as
    /// deep as a path can reach (about 2,000 at 4 KB), which overflowed a thread's stack.
    fn folder(&mut self, dir: &Path) {
        let Some(entries) = self.entries(dir) else {
            return;
        };
        // The root's folders are walked in parallel, each by a walker of its own, and
        // their listings joined in the root's order: the walk is the part of a warm-cache
        // run that nothing else overlaps (one core idle while it lists and stats).
        let folders = entries
            .iter()
            .filter(|e| matches!(e.kind, EntryKind::Folder))
            .count();
        if self.rel.is_empty() && folders > 1 {
            let (root, options, ignore) = (self.root, self.options, self.ignore);
            let parts: Vec<(Listing, bool)> = entries
                .into_par_iter()
                .map(|entry| {
                    let mut listing = Listing::default();
                    let mut walker = Walker::at_root(root, options, ignore, &mut listing);
                    walker.walk_entries(dir, vec![entry]);
                    let lossy = walker.lossy;
                    (listing, lossy)
                })
                .collect();
            for (listing, lossy) in parts {
                self.listing.files.extend(listing.files);
                self.listing.problems.extend(listing.problems);
                self.lossy |= lossy;
            }
            return;
        }
        self.walk_entries(dir, entries);
    }

    /// Walks `entries` of the folder at `dir` (the one `rel` names), sorted, and
    /// everything under them, depth first.
    fn walk_entries(&mut self, dir: &Path, entries: Vec<Entry>) {
        let mut open = vec![Open {
            entries: entries.into_iter(),
            dir: dir.to_path_buf(),
            rel_len: self.rel.len(),
            lossy: false,
        }];
        while let Some(top) = open.last_mut() {
            let Some(entry) = top.entries.next() else {
                // The root folder is the first opened: it has no name to take off.
                if let Some(done) = open.pop().filter(|_| !open.is_empty()) {
                    self.os_rel.pop();
                    self.lossy_folders -= usize::from(done.lossy);
                    self.rel.truncate(done.rel_len);
                }
                continue;
            };
            match entry.kind {
                EntryKind::Folder => {
                    let rel_len = self.rel.len();
                    self.rel.push_str(&entry.key);
                    let lossy = entry.os_name.is_some();
                    self.lossy_folders += usize::from(lossy);
                    let os_name = entry.os_name.map_or_else(
                        || entry.key[..entry.key.len() - 1].into(),
                        std::ffi::OsString::from,
                    );
                    self.os_rel.push(&os_name);
                    let dir = top.dir.join(&os_name);
                    match self.entries(&dir) {
                        Some(entries) => open.push(Open {
                            entries: entries.into_iter(),
                            dir,
                            rel_len,
                            lossy,
                        }),
                        None => {
                            self.os_rel.pop();
                            self.lossy_folders -= usize::from(lossy);
                            self.rel.truncate(rel_len);
                        }
                    }
                }
                EntryKind::File(stat) => self.file(&entry.key, entry.os_name.as_deref(), stat),
            }
        }
    }

    /// The entries of the folder at `dir` (the one `rel` names), sorted by their keys;
    /// `None`, with a problem, when it cannot be read.
    fn entries(&mut self, dir: &Path) -> Option<Vec<Entry>> {
        let entries = match std::fs::read_dir(dir) {
            Ok(entries) => entries,
            Err(e) => {
                let path = self.rel.strip_suffix('/').unwrap_or_default().to_owned();
                self.problem(path, FileProblemKind::Unreadable(e.to_string()));
                return None;
            }
        };
        let mut listed = Vec::new();
        let mut lossy_here = false;
        for entry in entries {
            let entry = match entry {
                Ok(entry) => entry,
                Err(e) => {
                    self.problem(".".to_owned(), FileProblemKind::Unreadable(e.to_string()));
                    continue;
                }
            };
            let os_name = entry.file_name();
            // Obsidian hides dot-entries (`.obsidian/`, `.git/`, `.trash/`).
            if os_name.as_encoded_bytes().starts_with(b".") {
                continue;
            }
            let (name, os_name) = match os_name.into_string() {
                Ok(name) => (name, None),
                Err(os_name) => {
                    self.lossy = true;
                    lossy_here = true;
                    (os_name.to_string_lossy().into_owned(), Some(os_name))
                }
            };
            let file_type = match entry.file_type() {
                Ok(file_type) => file_type,
                Err(e) => {
                    let path = format!("{}{name}", self.rel);
                    self.problem(path, FileProblemKind::Unreadable(e.to_string()));
                    continue;
                }
            };
            if file_type.is_symlink() {
                let kind = symlink_problem(self.root, &entry.path());
                self.problem(format!("{}{name}", self.rel), kind);
            } else if file_type.is_dir() {
                let mut key = name;
                key.push('/');
                listed.push(Entry {
                    key,
                    os_name,
                    kind: EntryKind::Folder,
                });
            } else if file_type.is_file() {
                // Stated through the folder's handle (`fstatat`), while it is open: the
                // cache's stat by the full path walked the path again in the kernel.
                let stat = (self.options.stat && cached_kind(&name))
                    .then(|| entry.metadata().ok().and_then(|m| size_and_time(&m)))
                    .flatten();
                listed.push(Entry {
                    key: name,
                    os_name,
                    kind: EntryKind::File(stat),
                });
            }
        }
        // Only lossy names can read alike, and those keep the order the folder lists them
        // in; other keys are distinct, and the unstable sort is the cheaper.
        if lossy_here {
            listed.sort_by(|a, b| a.key.cmp(&b.key));
        } else {
            listed.sort_unstable_by(|a, b| a.key.cmp(&b.key));
        }
        Some(listed)
    }

    /// Lists the file `name` (`os_name` on disk when that is not UTF-8) of the folder
    /// `rel` names.
    fn file(&mut self, name: &str, os_name: Option<&OsStr>, stat: Option<(u64, u64)>) {
        let len = self.rel.len();
        self.rel.push_str(name);
        let rel = self.rel.as_str();
        let options = self.options;
        let extension = extension(name);
        let is = |ext: &str| extension.is_some_and(|e| e.eq_ignore_ascii_case(ext));
        let is_note = is("md");
        let is_canvas = is("canvas");
        // JSON files are linted for packs that read their own formats in them (Navigator
        // layers); one that is no such format gives no finding.
        let is_json = is("json");
        let lint = (is_note || is_canvas || is_json)
            && options.in_scope(rel)
            && !self.ignore.excludes(rel)
            && !options.exclude.as_ref().is_some_and(|ex| ex.is_match(rel))
            && options.only.as_ref().is_none_or(|only| only.contains(rel));
        let os_path = (self.lossy_folders > 0 || os_name.is_some()).then(|| {
            self.os_rel
                .join(os_name.unwrap_or_else(|| OsStr::new(name)))
                .into_boxed_path()
        });
        self.listing.files.push(VaultFile {
            path: rel.into(),
            is_note,
            lint,
            os_path,
            stat,
        });
        self.rel.truncate(len);
    }

    fn problem(&mut self, path: String, kind: FileProblemKind) {
        self.listing.problems.push(FileProblem {
            path: path.into(),
            kind,
        });
    }
}

/// Whether the cache compares a file named `name` by its size and time (notes and JSON
/// files): the walk states only those.
fn cached_kind(name: &str) -> bool {
    extension(name).is_some_and(|e| e.eq_ignore_ascii_case("md") || e.eq_ignore_ascii_case("json"))
}

/// The extension of a file name, as [`Path::extension`] reads it (nothing for `.hidden`
/// or `..`), without parsing a path.
fn extension(name: &str) -> Option<&str> {
    if name == ".." {
        return None;
    }
    // By bytes: `rsplit_once` searched for the dot by chars, a sixth of the walk's own work.
    let dot = name.bytes().rposition(|b| b == b'.')?;
    (dot > 0).then(|| &name[dot + 1..])
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
    fn extension_read_by_bytes_as_by_path() {
        let names = [
            "",
            ".",
            "..",
            "a",
            "a.md",
            ".md",
            "..md",
            "a..md",
            "a.",
            "a.MD",
            "b.c",
            "ü.md",
            "c.tar.gz",
            ".hidden.md",
        ];
        for name in names {
            let by_path = Path::new(name).extension().and_then(|e| e.to_str());
            assert_eq!(extension(name), by_path, "{name:?}");
        }
    }

    /// A file's vault path and the path it is opened by when that is not UTF-8.
    type Listed = (String, Option<Box<Path>>);

    /// The walk of `root` and its files as [`Listed`], checked against walkdir's walk.
    fn walked_as_walkdir_would(root: &Path) -> (Listing, Vec<Listed>) {
        let listing = walk(root, &WalkOptions::default());
        let paths: Vec<Listed> = listing
            .files
            .iter()
            .map(|f| (f.path.to_string(), f.os_path.clone()))
            .collect();
        assert_eq!(paths, walkdir_listing(root).0);
        (listing, paths)
    }

    /// The files, problems and their order as walkdir's walk sorted afterwards gives them,
    /// the walk this one replaced: the order of full paths compared as bytes.
    fn walkdir_listing(root: &Path) -> (Vec<Listed>, Vec<String>) {
        let mut files = Vec::new();
        let mut problems = Vec::new();
        let walker = walkdir::WalkDir::new(root).into_iter().filter_entry(|e| {
            e.depth() == 0 || !e.file_name().as_encoded_bytes().starts_with(b".")
        });
        for entry in walker {
            let entry = entry.unwrap();
            let rel = entry.path().strip_prefix(root).unwrap();
            let text: Vec<_> = rel
                .components()
                .map(|c| c.as_os_str().to_string_lossy())
                .collect();
            if entry.path_is_symlink() {
                problems.push(text.join("/"));
            } else if entry.file_type().is_file() {
                let os_path = rel.to_str().is_none().then(|| rel.into());
                files.push((text.join("/"), os_path));
            }
        }
        files.sort_by(|a, b| a.0.cmp(&b.0));
        problems.sort_by(|a, b| a.split('/').cmp(b.split('/')));
        (files, problems)
    }

    /// Each folder listed in order, a folder's files between its neighbours, gives the
    /// order of full paths: `a-b` (`-` is before `/`) before `a/…`, `a.md` before `a/…`
    /// before `a0`, `a/…` before `a b` in problems only, Unicode by its UTF-8 bytes.
    #[test]
    fn files_in_the_order_of_their_paths() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        let files = [
            "a-b.md",
            "a.md",
            "a/b.md",
            "a/b/c.md",
            "a/b-c.md",
            "a/b.c/d.md",
            "a b/x.md",
            "a0.md",
            "ab.md",
            "A.md",
            "Z.md",
            "z.md",
            "é.md",
            "e\u{301}.md",
            "ü/x.md",
            "日本/語.md",
            "a/-.md",
            "a/!/x.md",
            "a/ /x.md",
            "~.md",
            "a/.hidden/x.md",
            "a/.h.md",
            "b/c/d/e/f.png",
        ];
        for file in files {
            let path = root.join(file);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, "").unwrap();
        }
        std::fs::create_dir_all(root.join("empty/inner")).unwrap();
        let (_, paths) = walked_as_walkdir_would(root);
        assert!(paths.is_sorted(), "{paths:?}");
        assert_eq!(paths.len(), files.len() - 2);
    }

    /// A name that is not UTF-8 reads lossily, and alike names sort as the walk meets them,
    /// each file keeping the path it is opened by.
    #[cfg(target_os = "linux")]
    #[test]
    fn names_not_utf8_sort_lossily_and_keep_their_path() {
        use std::os::unix::ffi::OsStrExt;
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        let name = |bytes: &[u8]| OsStr::from_bytes(bytes).to_owned();
        for (folder, file) in [(&b"\xff"[..], "x.md"), (b"\xfe", "w.md"), (b"\xfd", "y.md")] {
            let folder = root.join(name(folder));
            std::fs::create_dir_all(&folder).unwrap();
            std::fs::write(folder.join(file), "").unwrap();
            std::fs::write(folder.join(name(b"\xfc.md")), "").unwrap();
        }
        std::fs::write(root.join("\u{fffd}.md"), "").unwrap();
        let (listing, paths) = walked_as_walkdir_would(root);
        assert_eq!(paths.len(), 7);
        for file in &listing.files {
            assert!(file.abs(root).is_file(), "{file:?}");
        }
    }

    /// The walk descends one call per folder: a vault nested as deep as a path can reach
    /// (1,990 folders, a 4 KB path) is listed whole on a test thread's stack.
    #[test]
    fn folders_nested_to_the_path_limit_are_walked_without_overflow() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        let depth = (4000 - root.as_os_str().len().min(2000)) / 2;
        let deep = "a/".repeat(depth);
        std::fs::create_dir_all(root.join(&deep)).unwrap();
        std::fs::write(root.join(&deep).join("n.md"), "").unwrap();
        let listing = walk(root, &WalkOptions::default());
        assert!(listing.problems.is_empty(), "{:?}", listing.problems);
        let paths: Vec<_> = listing.files.iter().map(|f| &*f.path).collect();
        assert_eq!(paths, [format!("{deep}n.md")]);
    }

    #[cfg(unix)]
    #[test]
    fn stat_is_the_files_own_when_asked() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::create_dir_all(root.join("a")).unwrap();
        for name in ["a/n.md", "l.json", "i.png"] {
            std::fs::write(root.join(name), "twelve bytes").unwrap();
        }
        let options = WalkOptions {
            stat: true,
            ..WalkOptions::default()
        };
        let stats: Vec<_> = walk(root, &options)
            .files
            .iter()
            .map(|f| (f.path.to_string(), f.stat))
            .collect();
        let own = |name: &str| size_and_time(&std::fs::symlink_metadata(root.join(name)).unwrap());
        assert_eq!(
            stats,
            [
                ("a/n.md".to_owned(), own("a/n.md")),
                ("i.png".to_owned(), None),
                ("l.json".to_owned(), own("l.json"))
            ]
        );
        assert_eq!(own("l.json").unwrap().0, 12);
        assert!(walk(root, &WalkOptions::default())
            .files
            .iter()
            .all(|f| f.stat.is_none()));
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
            assert_eq!(problems, walkdir_listing(&given).1, "{given:?}");
        }
    }
}
