//! Where the vault sits in its repository, and which files a pull request changed: what CI
//! formats need so that annotations and SARIF results land on files that exist.
//!
//! GitHub resolves annotation paths and SARIF URIs against the repository root (the
//! workspace), while vaultlint's paths are vault-relative. A vault checked as `notes/`, as
//! `/home/runner/work/r/r/notes` or from a subfolder must still yield `notes/Folder/Note.md`.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

/// The vault's place in its repository and what the run knows about the change under review.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct RepoContext {
    /// The folder paths are made relative to: the git work tree holding the vault (the one
    /// holding the current folder first), else the current folder when it holds the vault,
    /// else the vault itself. Absolute; `None` when it cannot be found (the vault is gone).
    pub root: Option<PathBuf>,
    /// The vault folder relative to `root`: `/`-separated, with a trailing `/`, or empty when
    /// the vault is the root. Put before a vault path it gives a root-relative path.
    pub prefix: String,
    /// Root-relative, `/`-separated paths of the files the change under review touches:
    /// from `--only` when given, else from `git diff` against `GITHUB_BASE_REF`. Empty when
    /// unknown; findings in these files are shown first where output is capped.
    pub changed: BTreeSet<String>,
}

impl RepoContext {
    /// Finds the root for the vault at `vault` (as given on the command line) and the changed
    /// files. Never fails: what cannot be found is left empty, since output without the
    /// prefix or the ranking is still correct, only less useful.
    ///
    /// `only` holds the `--only` notes, vault-relative; `base_ref` is `GITHUB_BASE_REF`.
    pub(crate) fn detect(vault: &Path, only: &[String], base_ref: Option<&str>) -> Self {
        let Ok(vault_abs) = std::fs::canonicalize(vault) else {
            return RepoContext::default();
        };
        let cwd = std::env::current_dir()
            .ok()
            .and_then(|d| std::fs::canonicalize(d).ok());
        let root = choose_root(&vault_abs, cwd.as_deref());
        let prefix = prefix_of(&vault_abs, &root);
        let changed = if only.is_empty() {
            base_ref
                .filter(|b| !b.trim().is_empty())
                .filter(|_| git_root(&root).as_deref() == Some(root.as_path()))
                .map(|base| changed_since(&root, base.trim()))
                .unwrap_or_default()
        } else {
            only.iter().map(|p| format!("{prefix}{p}")).collect()
        };
        RepoContext {
            root: Some(root),
            prefix,
            changed,
        }
    }

    /// `path` (vault-relative) relative to the root.
    pub(crate) fn repo_path(&self, path: &str) -> String {
        format!("{}{path}", self.prefix)
    }
}

/// The nearest ancestor of `dir` (itself included) that holds `.git` (a folder, or a file in
/// worktrees and submodules).
pub(crate) fn git_root(dir: &Path) -> Option<PathBuf> {
    dir.ancestors()
        .find(|d| d.join(".git").exists())
        .map(Path::to_path_buf)
}

fn choose_root(vault: &Path, cwd: Option<&Path>) -> PathBuf {
    let candidates = [
        cwd.and_then(git_root),
        git_root(vault),
        cwd.map(Path::to_path_buf),
    ];
    candidates
        .into_iter()
        .flatten()
        .find(|c| vault.starts_with(c))
        .unwrap_or_else(|| vault.to_path_buf())
}

fn prefix_of(vault: &Path, root: &Path) -> String {
    let rel = vault.strip_prefix(root).unwrap_or(Path::new(""));
    let parts: Vec<String> = rel
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    if parts.is_empty() {
        String::new()
    } else {
        format!("{}/", parts.join("/"))
    }
}

/// Files changed between the merge base of `base` and `HEAD`, as `git diff` names them
/// (root-relative). Actions checkouts fetch the base as `origin/<base>`; a local branch of
/// that name is tried next. Any failure (no git, shallow clone without the base) yields an
/// empty set: ranking is a nicety, never a reason to fail the run.
fn changed_since(root: &Path, base: &str) -> BTreeSet<String> {
    for spec in [format!("origin/{base}...HEAD"), format!("{base}...HEAD")] {
        let out = Command::new("git")
            .args(["-c", "core.quotepath=off", "diff", "--name-only", "-z"])
            .arg(&spec)
            .arg("--")
            .current_dir(root)
            .stdin(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .output();
        if let Ok(out) = out {
            if out.status.success() {
                return out
                    .stdout
                    .split(|&b| b == 0)
                    .filter(|p| !p.is_empty())
                    .map(|p| String::from_utf8_lossy(p).into_owned())
                    .collect();
            }
        }
    }
    BTreeSet::new()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefix_is_the_vault_below_the_root() {
        assert_eq!(
            prefix_of(Path::new("/r/notes/v"), Path::new("/r")),
            "notes/v/"
        );
        assert_eq!(prefix_of(Path::new("/r"), Path::new("/r")), "");
    }

    #[test]
    fn root_prefers_the_git_tree_holding_the_current_folder() {
        let dir = tempfile::tempdir().unwrap();
        let repo = std::fs::canonicalize(dir.path()).unwrap();
        std::fs::create_dir_all(repo.join(".git")).unwrap();
        std::fs::create_dir_all(repo.join("sub/notes")).unwrap();
        let vault = repo.join("sub/notes");
        assert_eq!(choose_root(&vault, Some(&repo.join("sub"))), repo);
        assert_eq!(choose_root(&vault, None), repo);
        let outside = tempfile::tempdir().unwrap();
        let outside = std::fs::canonicalize(outside.path()).unwrap();
        assert_eq!(choose_root(&outside, Some(&repo)), outside);
    }
}
