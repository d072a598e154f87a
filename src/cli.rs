//! The command line: argument parsing and the commands behind it.

use std::io::{self, IsTerminal, Write};
use std::path::PathBuf;

use clap::{Parser, Subcommand};

use crate::render::{self, Format, Style};
use crate::{rules, CheckOptions, Error};

/// A fast, exact linter and link checker for Obsidian vaults.
#[derive(Debug, Parser)]
#[command(name = "vaultlint", version, about)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check a vault: resolve every link as Obsidian does and run the rules
    Check(CheckArgs),
    /// List the rules
    Rules,
    /// Print a rule's documentation
    Rule {
        /// The rule's name, e.g. `broken-link`
        name: String,
    },
}

#[derive(Debug, clap::Args)]
pub struct CheckArgs {
    /// The vault's root folder (the one that holds `.obsidian/`)
    #[arg(default_value = ".")]
    pub path: PathBuf,
    /// Output format
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,
    /// Worker threads (default: one per core)
    #[arg(long)]
    pub threads: Option<usize>,
    /// Report only for these notes (vault-relative or as given), resolving against the whole vault
    #[arg(long, num_args = 1..)]
    pub only: Vec<PathBuf>,
}

/// How a run ended; mapped to the exit code in `main.rs`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// No error-level finding: exit 0.
    Clean,
    /// At least one error-level finding: exit 1.
    Findings,
}

pub fn run(cli: Cli, out: &mut dyn Write) -> Result<Outcome, Error> {
    match cli.command {
        Command::Check(args) => check(&args, out),
        Command::Rules => {
            for rule in rules::ALL {
                let meta = rule.meta();
                writeln!(
                    out,
                    "{:<24} {:<8} {}",
                    meta.name, meta.default_severity, meta.summary
                )?;
            }
            Ok(Outcome::Clean)
        }
        Command::Rule { name } => {
            let rule = rules::find(&name).ok_or_else(|| {
                Error::Usage(format!(
                    "unknown rule `{name}`; `vaultlint rules` lists them"
                ))
            })?;
            let meta = rule.meta();
            writeln!(
                out,
                "# {}\n\n{}\n\nDefault severity: {}\n\n{}",
                meta.name,
                meta.summary,
                meta.default_severity,
                meta.docs.trim_end()
            )?;
            Ok(Outcome::Clean)
        }
    }
}

fn check(args: &CheckArgs, out: &mut dyn Write) -> Result<Outcome, Error> {
    let mut options = CheckOptions::new(args.path.clone());
    if !args.only.is_empty() {
        options.walk.only = Some(args.only.iter().map(|p| only_path(&args.path, p)).collect());
    }
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(args.threads.unwrap_or(0))
        .build()
        .map_err(|e| {
            Error::Usage(format!(
                "cannot start {} threads: {e}",
                args.threads.unwrap_or(0)
            ))
        })?;
    let report = pool.install(|| crate::check(&options))?;
    let sources = if args.format == Format::Human {
        crate::load_sources(&options.root, &report.diagnostics)
    } else {
        Default::default()
    };
    let terminal = io::stdout().is_terminal();
    let style = Style {
        color: terminal && std::env::var_os("NO_COLOR").is_none(),
        width: if terminal { terminal_width() } else { 100 },
    };
    let mut buffered = io::BufWriter::new(out);
    render::render(args.format, &report, &sources, style, &mut buffered)?;
    buffered.flush()?;
    Ok(if report.summary.errors > 0 {
        Outcome::Findings
    } else {
        Outcome::Clean
    })
}

fn terminal_width() -> usize {
    std::env::var("COLUMNS")
        .ok()
        .and_then(|c| c.parse().ok())
        .unwrap_or(100)
}

/// `--only` accepts paths relative to the vault or to the current folder.
fn only_path(root: &std::path::Path, p: &std::path::Path) -> String {
    let rel = p.strip_prefix(root).unwrap_or(p);
    let s = rel.to_string_lossy().replace('\\', "/");
    s.trim_start_matches("./").to_owned()
}
