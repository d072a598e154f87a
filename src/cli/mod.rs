//! The command line: the arguments (`args`, ruff's `args.rs`), one file per command
//! (`commands/`), and [`run`], which dispatches a parsed command line to its command.
//!
//! Shared glue: `load` (the config file and the ATT&CK catalogues a command runs with),
//! `paths` (printed paths that open from the current folder, `--only`), `terminal` (colour,
//! width, progress indicator), `docs` (rule docs for readers), `replace_file` (writing a
//! file the user named atomically).

mod args;
mod commands;
mod docs;
mod load;
mod paths;
mod replace_file;
mod terminal;

use std::io::Write;

use crate::error::Error;
use args::{AttackCommand, Command};
pub use args::{Cli, CoverageFormat, FailOn, OutputArgs};
pub use terminal::ColorChoice;

/// Standard error for vaultlint's own lines (the binary's error line too): vault paths,
/// config values and catalogue names in them pass the terminal sink's escaping
/// (`render::escape`), so none can drive the terminal or act as a CI workflow command.
pub fn stderr() -> impl Write {
    crate::render::escape::stderr()
}

/// How a run ended; mapped to the exit code in `main.rs`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// No finding at or above `--fail-on` (or `--exit-zero`): exit 0.
    Clean,
    /// At least one finding at or above `--fail-on` (default: error): exit 1.
    Findings,
}

/// Runs the command: writes the report, rule list, rule docs or catalogue lookup to `out`
/// (messages about the run itself, such as what `--write-baseline` recorded, go to stderr).
///
/// # Errors
/// Any [`Error`]: a missing vault folder, an invalid config, an unknown rule, an unusable
/// baseline or catalogue, or a failed write to `out`. Findings in the vault are not errors;
/// they make the outcome [`Outcome::Findings`] when one is an error.
pub fn run(cli: Cli, out: &mut dyn Write) -> Result<Outcome, Error> {
    match cli.command {
        Command::Check(args) => commands::check::check(&args, out),
        Command::Mv(args) => commands::mv::mv(&args, out),
        Command::Rules => commands::rules::rules(out),
        Command::Rule { name } => commands::rule::rule(&name, out),
        Command::Completions { shell } => commands::completions::completions(shell, out),
        Command::Attack(AttackCommand::Lookup { id, attack_catalog }) => {
            commands::attack_lookup::lookup(&id, &attack_catalog, out)
        }
        Command::Attack(AttackCommand::Fetch {
            release,
            domain,
            base_url,
            config,
            no_config,
        }) => commands::attack_fetch::fetch(
            release.as_deref(),
            &domain,
            base_url.as_deref(),
            config.as_deref(),
            no_config,
            out,
        ),
        Command::Attack(AttackCommand::Coverage {
            path,
            format,
            domain,
            attack_catalog,
            config,
            no_config,
        }) => commands::attack_coverage::coverage(
            &path,
            format,
            &domain,
            &attack_catalog,
            config.as_deref(),
            no_config,
            out,
        ),
        Command::Attack(AttackCommand::Upgrade(args)) => {
            commands::attack_upgrade::upgrade(&args, out)
        }
    }
}
