//! Tool failures: problems with how vaultlint was run, not with the vault's notes.
//! Each leads to exit code 2. Problems in notes are diagnostics instead.

use std::path::PathBuf;

#[derive(Debug)]
pub enum Error {
    VaultRoot(PathBuf, String),
    Usage(String),
    Config(String),
    Output(std::io::Error),
}

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Error::VaultRoot(path, e) => write!(f, "cannot check vault `{}`: {e}", path.display()),
            Error::Usage(e) => f.write_str(e),
            Error::Config(e) => write!(f, "config: {e}"),
            Error::Output(e) => write!(f, "cannot write the report: {e}"),
        }
    }
}

impl std::error::Error for Error {}

impl From<std::io::Error> for Error {
    fn from(e: std::io::Error) -> Self {
        Error::Output(e)
    }
}
