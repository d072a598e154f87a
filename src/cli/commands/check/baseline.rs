//! `--write-baseline FILE`: the findings recorded, written atomically (or to stdout).

use std::io::Write;
use std::path::Path;

use crate::baseline::Baseline;
use crate::cli::{replace_file, Outcome};
use crate::error::Error;

/// Writes the baseline of `entries` to `path` (`-` or `/dev/stdout`: to `out`).
pub(super) fn write_baseline(
    path: &Path,
    entries: Vec<crate::baseline::Entry>,
    quiet: bool,
    out: &mut dyn Write,
) -> Result<Outcome, Error> {
    let baseline = Baseline::record(entries);
    let json = serde_json::to_string_pretty(&baseline).map_err(|e| Error::Usage(e.to_string()))?;
    let json = json + "\n";
    if is_stdout(path) {
        out.write_all(json.as_bytes())?;
        out.flush()?;
    } else {
        replace_file::replace(path, "the baseline", json.as_bytes())?;
    }
    if !quiet {
        writeln!(
            crate::render::escape::stderr(),
            "vaultlint: recorded {} finding{} in {}",
            baseline.findings.len(),
            if baseline.findings.len() == 1 {
                ""
            } else {
                "s"
            },
            path.display()
        )?;
    }
    Ok(Outcome::Clean)
}

/// `-` and `/dev/stdout` mean standard output: written directly, never replaced by rename.
fn is_stdout(path: &Path) -> bool {
    path == Path::new("-") || path == Path::new("/dev/stdout")
}
