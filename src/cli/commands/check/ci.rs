//! The CI formats' context: where the vault sits in its git repository, and GitHub's job
//! summary.

use std::io::{self, Write};
use std::path::Path;

use crate::check::CheckOptions;
use crate::cli::args::CheckArgs;
use crate::render::{self, Format};

/// Where the vault at `root` sits in its repository, for CI formats.
pub(super) fn ci_context(
    args: &CheckArgs,
    options: &CheckOptions,
    root: &Path,
) -> render::RenderContext {
    if matches!(args.format, Format::Human | Format::Concise | Format::Json) {
        return render::RenderContext::default();
    }
    let mut only: Vec<String> = options.walk.only.iter().flatten().cloned().collect();
    only.sort();
    // Only the github format ranks by the files under review; the others need no git diff.
    let base_ref = std::env::var("GITHUB_BASE_REF")
        .ok()
        .filter(|_| args.format == Format::Github);
    let repo = render::repo::RepoContext::detect(root, &only, base_ref.as_deref());
    render::RenderContext {
        repo,
        ..render::RenderContext::default()
    }
}

/// Appends the Markdown job summary to `$GITHUB_STEP_SUMMARY` when GitHub Actions sets it.
/// A summary that cannot be written is reported on stderr and does not fail the run: the
/// annotations already carry the findings.
pub(super) fn write_step_summary(text: &str) {
    let Some(path) = std::env::var_os("GITHUB_STEP_SUMMARY").filter(|p| !p.is_empty()) else {
        return;
    };
    let result = std::fs::OpenOptions::new()
        .append(true)
        .create(true)
        .open(&path)
        .and_then(|file| {
            let mut file = io::BufWriter::new(file);
            file.write_all(text.as_bytes())?;
            file.flush()
        });
    if let Err(e) = result {
        let _ = writeln!(
            crate::render::escape::stderr(),
            "vaultlint: cannot write the job summary to `{}`: {e}",
            std::path::Path::new(&path).display()
        );
    }
}
