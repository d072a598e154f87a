//! The `vaultlint` binary: parses the command line, runs it through the library's
//! [`vaultlint::cli::run`] and maps the outcome to the exit code (0 clean, 1 error-level
//! findings, 2 the tool could not run).

use std::io::{self, Write};
use std::process::ExitCode;

use vaultlint::cli::{self, Cli, Outcome};
use vaultlint::Error;

/// mimalloc instead of the system allocator: a run allocates millions of small strings
/// (every link, heading and property of every note, every outline read back from the
/// cache), and glibc's malloc and free were a tenth of a warm-cache run.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let cli = match Cli::parse_args() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() { 2 } else { 0 });
        }
    };
    let stdout = io::stdout();
    let mut out = stdout.lock();
    match cli::run(cli, &mut out) {
        Ok(Outcome::Clean) => ExitCode::SUCCESS,
        Ok(Outcome::Findings) => ExitCode::from(1),
        // `vaultlint check | head` closes the pipe early; that is not an error.
        Err(Error::Output(e)) if e.kind() == io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(Error::Interrupted) => {
            let _ = writeln!(cli::stderr(), "vaultlint: {}", Error::Interrupted);
            ExitCode::from(130)
        }
        Err(e) => {
            let _ = out.flush();
            let _ = writeln!(cli::stderr(), "vaultlint: {e}");
            ExitCode::from(2)
        }
    }
}
