//! Tool failures: problems with how vaultlint was run, not with the vault's notes.
//! Each leads to exit code 2. Problems in notes are diagnostics instead.

use std::path::PathBuf;

/// Why vaultlint could not run; its `Display` is the message `main.rs` prints.
#[derive(Debug)]
pub enum Error {
    /// The vault folder given is missing or not a folder: the path and why.
    VaultRoot(PathBuf, String),
    /// Anything else that stops a command: an unknown rule, an unreadable or invalid
    /// baseline or ATT&CK catalogue, a baseline that cannot be written, an ID the
    /// catalogue lacks (`attack lookup`); the whole message.
    Usage(String),
    /// `vaultlint.toml` cannot be read or is invalid; the message with the file's path and
    /// 1-based `line:column`.
    Config(String),
    /// Writing the report failed (a closed pipe, a full disk).
    Output(std::io::Error),
    /// A signal (Ctrl-C, SIGTERM, SIGHUP) ended the run while a file was being written; the
    /// file was left as it was. Exit code 130.
    Interrupted,
}

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Error::VaultRoot(path, e) => write!(f, "cannot check vault `{}`: {e}", path.display()),
            Error::Usage(e) => f.write_str(e),
            Error::Config(e) => write!(f, "config: {e}"),
            Error::Output(e) => write!(f, "cannot write the report: {e}"),
            Error::Interrupted => f.write_str("interrupted; no file was left half-written"),
        }
    }
}

impl std::error::Error for Error {}

impl From<std::io::Error> for Error {
    fn from(e: std::io::Error) -> Self {
        Error::Output(e)
    }
}
