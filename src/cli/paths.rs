//! Paths as the person at the terminal sees them: printed paths that open from the folder
//! vaultlint ran in, and `--only` values as the shell gives them.

use std::collections::HashSet;
use std::path::{Component, Path, PathBuf};

use crate::error::Error;
use crate::vault::{self, WalkOptions};

/// `path` as it opens from `cwd`, `/`-separated.
///
/// A relative path already opens from the current folder: it is kept, without `./` parts.
/// An absolute one becomes relative when it lies inside `cwd` (`notes/A.md`), when it is a
/// folder above `cwd` (`../..`, a run from a vault subfolder), or when both lie in the same
/// repository (`../vaultlint.toml`); otherwise it stays absolute.
pub(crate) fn from_cwd(path: &Path, cwd: &Path) -> String {
    if path.is_relative() {
        return clean_relative(path);
    }
    let canonical = |p: &Path| std::fs::canonicalize(p).unwrap_or_else(|_| p.to_path_buf());
    let (target, here) = (canonical(path), canonical(cwd));
    if let Ok(inside) = target.strip_prefix(&here) {
        return clean_relative(inside);
    }
    let shared = here.ancestors().find(|a| target.starts_with(a));
    let in_repository = here
        .ancestors()
        .find(|a| a.join(".git").exists())
        .is_some_and(|repo| target.starts_with(repo));
    match shared {
        Some(common) if common == target || in_repository => {
            let ups = here
                .strip_prefix(common)
                .map_or(0, |b| b.components().count());
            let mut parts = vec![".."; ups];
            let rest = target
                .strip_prefix(common)
                .map(clean_relative)
                .unwrap_or_default();
            if !rest.is_empty() && rest != "." {
                parts.push(&rest);
            }
            parts.join("/")
        }
        _ => slashes(path),
    }
}

/// The prefix that turns a vault path into one that opens from `cwd`: the vault root as
/// [`from_cwd`] gives it, with a trailing `/`; empty when the root is `cwd` itself.
pub(crate) fn vault_prefix(root: &Path, cwd: &Path) -> String {
    let root = from_cwd(root, cwd);
    if root.is_empty() || root == "." {
        String::new()
    } else if root.ends_with('/') {
        root
    } else {
        format!("{root}/")
    }
}

/// A relative path without `.` components, `/`-separated; `.` for the empty path.
fn clean_relative(path: &Path) -> String {
    let parts: Vec<String> = path
        .components()
        .filter(|c| !matches!(c, Component::CurDir))
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    if parts.is_empty() {
        ".".to_owned()
    } else {
        parts.join("/")
    }
}

fn slashes(path: &Path) -> String {
    path.to_string_lossy().replace('\\', "/")
}

/// Resolves `--only` values to the vault paths of the notes and canvases they name.
///
/// Each value is a path relative to the current folder (as the shell completes it: `./A.md`,
/// `notes/Folder`), else relative to the vault; a folder names every note and canvas under
/// it. A value that names neither (missing, outside the vault, hidden, not a `.md` or
/// `.canvas` file, a folder without either) is an error naming it: a typo must not pass as
/// a clean run.
///
/// # Errors
/// [`Error::Usage`] for the first value that names no note.
pub(crate) fn only_notes(
    root: &Path,
    cwd: &Path,
    values: &[PathBuf],
) -> Result<HashSet<String>, Error> {
    let canonical_root = std::fs::canonicalize(root)
        .map_err(|e| Error::VaultRoot(root.to_path_buf(), e.to_string()))?;
    let mut notes = HashSet::new();
    for value in values {
        let shown = value.display();
        let fail = |why: &str| Error::Usage(format!("--only `{shown}`: {why}"));
        // The shell's reading first; the vault's when that one is missing or outside the
        // vault (`--only README.md` run from the repository root means the vault's note).
        let inside_vault = |p: &Path| {
            std::fs::canonicalize(p)
                .ok()
                .filter(|c| c.starts_with(&canonical_root))
        };
        let canonical = match (
            inside_vault(&cwd.join(value)),
            inside_vault(&root.join(value)),
        ) {
            (Some(c), _) | (None, Some(c)) => c,
            (None, None) if cwd.join(value).exists() => {
                return Err(fail(&format!(
                    "not inside the vault `{}`",
                    canonical_root.display()
                )));
            }
            (None, None) => {
                return Err(fail(
                    "no such note or folder (relative to the current folder or to the vault)",
                ));
            }
        };
        let Ok(inside) = canonical.strip_prefix(&canonical_root) else {
            return Err(fail("not inside the vault"));
        };
        let rel = clean_relative(inside);
        let rel = if rel == "." { String::new() } else { rel };
        if rel.split('/').any(|part| part.starts_with('.')) {
            return Err(fail(
                "in a hidden folder, which Obsidian does not show as part of the vault",
            ));
        }
        if canonical.is_dir() {
            let listing = vault::walk(&canonical, &WalkOptions::default());
            if !listing.files.iter().any(|f| f.is_note || f.is_canvas()) {
                return Err(fail(
                    "this folder holds no notes or canvases (`.md` or `.canvas` files)",
                ));
            }
            for file in listing.files.iter().filter(|f| f.is_note || f.is_canvas()) {
                notes.insert(if rel.is_empty() {
                    file.path.to_string()
                } else {
                    format!("{rel}/{}", file.path)
                });
            }
        } else if Path::new(&rel)
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("md") || e.eq_ignore_ascii_case("canvas"))
        {
            notes.insert(rel);
        } else {
            return Err(fail(
                "neither a note nor a canvas (vaultlint checks `.md` and `.canvas` files)",
            ));
        }
    }
    Ok(notes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_open_from_the_current_folder() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::create_dir_all(root.join("notes/sub")).unwrap();
        assert_eq!(from_cwd(Path::new("./notes/"), root), "notes");
        assert_eq!(from_cwd(Path::new("../v"), root), "../v");
        assert_eq!(from_cwd(&root.join("notes"), root), "notes");
        assert_eq!(from_cwd(&root.join("notes"), &root.join("notes/sub")), "..");
        assert_eq!(vault_prefix(&root.join("notes"), &root.join("notes")), "");
        assert_eq!(vault_prefix(Path::new("."), root), "");
        assert_eq!(vault_prefix(Path::new("notes"), root), "notes/");
        let elsewhere = tempfile::tempdir().unwrap();
        assert_eq!(
            from_cwd(elsewhere.path(), root),
            slashes(elsewhere.path()),
            "a vault beside the current folder is named absolutely"
        );
    }
}
