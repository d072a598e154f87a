//! Finding the vault a folder belongs to, as git finds `.git`: Obsidian resolves links
//! against the whole vault, so a run given a folder inside a vault
//! (`vaultlint check vault/Projects`) must see every note of the vault, and reports only
//! on the folder it was given.

use std::path::{Component, Path, PathBuf};

/// Where a run's vault is and what part of it to report on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct VaultRoot {
    /// The vault root: the nearest folder at or above the given one that holds `.obsidian/`,
    /// else the given folder. Written relative when the given path was relative (`vault`
    /// for `vault/Projects`), so that output names files the way the user named them.
    pub root: PathBuf,
    /// The given folder's vault-relative, `/`-separated path when it lies below the root;
    /// `None` when it is the root.
    pub scope: Option<String>,
}

/// Walks up from `given` to the nearest folder holding a `.obsidian/` folder. The walk is
/// on the path as written (made absolute), not on symlink targets, so the reported paths
/// match the folders the user named. With no `.obsidian/` above, `given` is the root.
pub(crate) fn find_root(given: &Path) -> VaultRoot {
    let alone = VaultRoot {
        root: given.to_path_buf(),
        scope: None,
    };
    let Ok(absolute) = std::path::absolute(given) else {
        return alone;
    };
    let absolute = normalize(&absolute);
    let mut up: Vec<String> = Vec::new();
    let mut folder = absolute.as_path();
    loop {
        if folder.join(".obsidian").is_dir() {
            break;
        }
        let (Some(parent), Some(name)) = (folder.parent(), folder.file_name()) else {
            return alone;
        };
        up.push(name.to_string_lossy().into_owned());
        folder = parent;
    }
    if up.is_empty() {
        return alone;
    }
    up.reverse();
    let root = if given.is_absolute() {
        folder.to_path_buf()
    } else {
        let mut root = normalize(given);
        for _ in 0..up.len() {
            match root.components().next_back() {
                Some(Component::Normal(_)) => {
                    root.pop();
                }
                _ => root.push(".."),
            }
        }
        if root.as_os_str().is_empty() {
            root.push(".");
        }
        root
    };
    VaultRoot {
        root,
        scope: Some(up.join("/")),
    }
}

/// Drops `.` components and folds `name/..` pairs, without touching the filesystem.
fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => match out.components().next_back() {
                Some(Component::Normal(_)) => {
                    out.pop();
                }
                Some(Component::RootDir | Component::Prefix(_)) => {}
                _ => out.push(".."),
            },
            other => out.push(other.as_os_str()),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn walks_up_to_the_folder_holding_obsidian() {
        let dir = tempfile::tempdir().unwrap();
        let vault = dir.path().join("vault");
        std::fs::create_dir_all(vault.join(".obsidian")).unwrap();
        std::fs::create_dir_all(vault.join("Projects/Deep")).unwrap();
        let found = find_root(&vault.join("Projects/Deep"));
        assert_eq!(found.root, normalize(&vault));
        assert_eq!(found.scope.as_deref(), Some("Projects/Deep"));
        assert_eq!(find_root(&vault).scope, None);
        assert_eq!(
            find_root(&vault.join("Projects/./Deep/.."))
                .scope
                .as_deref(),
            Some("Projects")
        );
    }

    #[test]
    fn without_obsidian_the_given_folder_is_the_root() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("a/b")).unwrap();
        let given = dir.path().join("a/b");
        assert_eq!(
            find_root(&given),
            VaultRoot {
                root: given.clone(),
                scope: None
            }
        );
    }

    #[test]
    fn relative_roots_stay_relative() {
        let mut root = normalize(Path::new("vault/Projects/./Deep"));
        root.pop();
        assert_eq!(root, Path::new("vault/Projects"));
        assert_eq!(normalize(Path::new("../x/../y")), Path::new("../y"));
    }
}
