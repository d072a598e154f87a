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

/// mimalloc's `mi_option_purge_delay` (`mimalloc.h`; libmimalloc-sys names no constant
/// for it).
const MI_OPTION_PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

fn main() -> ExitCode {
    // Memory a run frees goes back to the system at once instead of after mimalloc's
    // default second: with the default, peak RSS on the garden 100k vault varied from 151
    // to 185 MB between runs (its cap is 173 MiB); with 0 it is 133 MB every run.
    #[allow(unsafe_code)]
    // SAFETY: sets one option of the allocator, by its number in mimalloc's own enum,
    // before any thread is started; any value of this option is valid.
    unsafe {
        libmimalloc_sys::mi_option_set(MI_OPTION_PURGE_DELAY, 0);
    }
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
