//! `vaultlint mv OLD NEW`: the command line of the rename layer (`fix::rename`): where the
//! vault is, which vault paths OLD and NEW name, and what to print.

use std::io::Write;
use std::path::{Component, Path, PathBuf};

use crate::cli::args::MvArgs;
use crate::cli::{paths, Outcome};
use crate::error::Error;
use crate::fix::rename::{self, diff, journal, Move};
use crate::vault;

/// Runs `vaultlint mv`: the summary (or with `--diff` the patch) goes to `out`, refusals
/// and notices to stderr.
///
/// # Errors
/// `Error::Usage` (exit 2) when the move is refused or fails; nothing is written then.
pub(crate) fn mv(args: &MvArgs, out: &mut dyn Write) -> Result<Outcome, Error> {
    let cwd = std::env::current_dir()
        .map_err(|e| Error::Usage(format!("cannot read the current folder: {e}")))?;
    if args.resume || args.abort {
        let root = vault_root(args.vault.as_deref(), &cwd, &cwd)?;
        let (moves, writes) = if args.resume {
            journal::resume(&root)?
        } else {
            journal::abort(&root)?
        };
        if !args.quiet {
            writeln!(
                out,
                "vaultlint: {} the interrupted move ({moves} move{}, {writes} file{} rewritten)",
                if args.resume { "finished" } else { "undid" },
                plural(moves),
                plural(writes)
            )?;
        }
        return Ok(Outcome::Clean);
    }
    let (Some(old), Some(new)) = (&args.old, &args.new) else {
        return Err(Error::Usage("give OLD and NEW".to_owned()));
    };
    let old_abs = lexical(&cwd.join(old));
    let root = vault_root(
        args.vault.as_deref(),
        old_abs.parent().unwrap_or(&cwd),
        &cwd,
    )?;
    let root_abs = lexical(&cwd.join(&root));
    let from = vault_path(&root_abs, &old_abs, old)?;
    let mut new_abs = lexical(&cwd.join(new));
    let into = new.as_os_str().to_string_lossy().ends_with(['/', '\\'])
        || (new_abs.is_dir() && !same_entry(&old_abs, &new_abs));
    if into {
        if let Some(name) = old_abs.file_name() {
            new_abs.push(name);
        }
    }
    let to = vault_path(&root_abs, &new_abs, new)?;
    let plan = rename::plan(&root, &[Move { from, to }])?;
    let mut err = crate::render::escape::stderr();
    for notice in &plan.notices {
        writeln!(err, "vaultlint: note: {notice}")?;
    }
    if !plan.refusals.is_empty() {
        for r in &plan.refusals {
            writeln!(err, "vaultlint: refused: {r}")?;
        }
        let n = plan.refusals.len();
        return Err(Error::Usage(format!(
            "not moved: {n} problem{} above; nothing was changed",
            plural(n)
        )));
    }
    if args.diff {
        // The patch applies from the current folder when the vault lies below it; else its
        // paths are vault paths, applied from the vault root.
        let prefix = paths::vault_prefix(&root, &cwd);
        let prefix = if prefix.starts_with('/') || prefix.starts_with("../") {
            String::new()
        } else {
            prefix
        };
        out.write_all(
            diff::unified_diff(&plan, &prefix, crate::render::escape::patch_path).as_bytes(),
        )?;
        if !args.quiet {
            writeln!(
                err,
                "vaultlint: {}",
                summary(&plan, "would move", "would rewrite")
            )?;
        }
        return Ok(Outcome::Clean);
    }
    journal::apply(&plan)?;
    if !args.quiet {
        writeln!(out, "vaultlint: {}", summary(&plan, "moved", "rewrote"))?;
    }
    Ok(Outcome::Clean)
}

fn summary(plan: &rename::Plan, moved: &str, rewrote: &str) -> String {
    let files = plan.files.len();
    let m = &plan.moves[0];
    format!(
        "{moved} `{}` to `{}` ({files} file{}); {rewrote} {} link{} in {} file{}",
        m.from,
        m.to,
        plural(files),
        plan.links(),
        plural(plan.links()),
        plan.rewrites.len(),
        plural(plan.rewrites.len())
    )
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

/// The vault root: `--vault`, else the nearest folder at or above `start` holding
/// `.obsidian/`. Without either, refuses: a move in a folder that is not the whole vault
/// would miss the links of the notes outside it.
fn vault_root(given: Option<&Path>, start: &Path, cwd: &Path) -> Result<PathBuf, Error> {
    if let Some(root) = given {
        if !root.is_dir() {
            return Err(Error::VaultRoot(
                root.to_path_buf(),
                "not a folder".to_owned(),
            ));
        }
        return Ok(root.to_path_buf());
    }
    let found = vault::find_root(start).root;
    if !lexical(&cwd.join(&found)).join(".obsidian").is_dir() {
        return Err(Error::Usage(format!(
            "no `.obsidian/` folder at or above `{}`: name the vault's root with `--vault`, so that every link to the file is found",
            paths::from_cwd(start, cwd)
        )));
    }
    Ok(found)
}

/// The `/`-separated vault path of `abs` (lexically absolute) under `root`.
fn vault_path(root: &Path, abs: &Path, given: &Path) -> Result<String, Error> {
    let rel = abs.strip_prefix(root).map_err(|_| {
        Error::Usage(format!(
            "`{}` is not inside the vault `{}`",
            given.display(),
            root.display()
        ))
    })?;
    let parts: Vec<String> = rel
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    if parts.is_empty() {
        return Err(Error::Usage(format!(
            "`{}` is the vault itself",
            given.display()
        )));
    }
    Ok(parts.join("/"))
}

/// `path` with `.` and `..` applied as text (the files need not exist).
fn lexical(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            c => out.push(c),
        }
    }
    out
}

/// Whether two paths name the same entry (a case-only rename on a case-insensitive
/// filesystem, where NEW "exists").
fn same_entry(a: &Path, b: &Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(x), Ok(y)) => x == y,
        _ => false,
    }
}
