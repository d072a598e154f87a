//! The command line's arguments as clap reads them (ruff's `args.rs`): every command and
//! its flags. What a command does is in its file under `commands/`.

use std::path::PathBuf;

use clap::{Parser, Subcommand};

use super::terminal::ColorChoice;
use crate::render::Format;

/// A fast, exact linter and link checker for Obsidian vaults.
#[derive(Debug, Parser)]
#[command(name = "vaultlint", version, about)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub(crate) command: Command,
}

impl Cli {
    /// Parses the process's command line, as [`Parser::try_parse`] does, with one tip more:
    /// a first word that is no command but names an existing folder or file gets
    /// "to check it, run `vaultlint check WORD`" (`vaultlint notes` is a common first try,
    /// and clap's own did-you-mean only knows names spelt like a command).
    ///
    /// # Errors
    /// clap's error for a command line it cannot read, or for `--help` and `--version`
    /// (whose text it holds); print it with [`clap::Error::print`].
    pub fn parse_args() -> Result<Cli, clap::Error> {
        Cli::try_parse().map_err(|mut e| {
            use clap::error::{ContextKind, ContextValue, ErrorKind};
            if e.kind() != ErrorKind::InvalidSubcommand {
                return e;
            }
            let Some(ContextValue::String(word)) = e.get(ContextKind::InvalidSubcommand) else {
                return e;
            };
            if !std::path::Path::new(word).exists() {
                return e;
            }
            let shown = if word
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "-_./".contains(c))
            {
                word.clone()
            } else {
                format!("'{}'", word.replace('\'', r"'\''"))
            };
            let tip = format!("to check it, run `vaultlint check {shown}`");
            e.insert(
                ContextKind::Suggested,
                ContextValue::StyledStrs(vec![tip.into()]),
            );
            e
        })
    }
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Check a vault: resolve every link as Obsidian does and run the rules
    Check(CheckArgs),
    /// List the rules
    Rules,
    /// Print a rule's documentation
    Rule {
        /// The rule's name, e.g. `broken-link`
        name: String,
    },
    /// ATT&CK helpers
    #[command(subcommand)]
    Attack(AttackCommand),
    /// Rename or move a note, attachment or folder, rewriting every link to it as Obsidian does
    Mv(MvArgs),
    /// Print a shell completion script, e.g. `vaultlint completions bash > ~/.local/share/bash-completion/completions/vaultlint`
    Completions {
        /// The shell
        shell: clap_complete::Shell,
    },
}

/// `vaultlint attack …` subcommands.
#[derive(Debug, Subcommand)]
pub(crate) enum AttackCommand {
    /// Print what the catalogue knows of an ID: name, type, domain, status, replacement
    Lookup {
        /// An ATT&CK ID, e.g. `T1173`
        id: String,
        /// Use this catalogue (ATT&CK TSV or STIX 2.x bundle) for the domains it holds;
        /// repeat for several (one bundle per domain), the built-in v18.1 fills the rest
        #[arg(long, value_name = "PATH")]
        attack_catalog: Vec<PathBuf>,
    },
    /// Download MITRE's STIX 2.1 bundles of an ATT&CK release into the cache, for
    /// `check --attack-release` and `[attack] release` (the only command that uses the network)
    Fetch {
        /// The release, e.g. `19.1` (default: the latest the repository's index lists)
        release: Option<String>,
        /// The domains to fetch (default: enterprise-attack, mobile-attack, ics-attack);
        /// repeatable
        #[arg(long, value_name = "DOMAIN")]
        domain: Vec<String>,
        /// Download from this mirror of MITRE's attack-stix-data repository instead of
        /// GitHub (default: the config's `[attack] base-url`, else GitHub)
        #[arg(long, value_name = "URL")]
        base_url: Option<String>,
        /// Use this config file (its `[attack]` table) instead of the nearest one
        #[arg(long, value_name = "PATH", conflicts_with = "no_config")]
        config: Option<PathBuf>,
        /// Ignore config files
        #[arg(long)]
        no_config: bool,
    },
    /// Which catalogue objects have a note, which do not, and which notes stand for revoked
    /// or deprecated objects, per domain and kind
    Coverage {
        /// The vault's root folder
        #[arg(default_value = ".")]
        path: PathBuf,
        /// Output: a table, JSON, or an ATT&CK Navigator layer (of `--domain`)
        #[arg(long, value_enum, default_value_t = CoverageFormat::Table)]
        format: CoverageFormat,
        /// The domain of the Navigator layer
        #[arg(long, default_value = "enterprise-attack")]
        domain: String,
        /// Catalogues (TSV or STIX bundles) replacing the built-in one's domains; repeatable
        #[arg(long, value_name = "PATH")]
        attack_catalog: Vec<PathBuf>,
        /// Use this config file (its `[attack]` table) instead of the nearest one
        #[arg(long, value_name = "PATH", conflicts_with = "no_config")]
        config: Option<PathBuf>,
        /// Ignore config files
        #[arg(long)]
        no_config: bool,
    },
    /// Plan (and with `--apply` carry out) the upgrade of a vault to the ATT&CK release it is
    /// checked against: revoked and deprecated IDs, renamed notes, relationship rows,
    /// Navigator layers
    Upgrade(UpgradeArgs),
}

/// `vaultlint attack upgrade` arguments.
#[derive(Debug, clap::Args)]
#[command(group(clap::ArgGroup::new("doing").args(["apply", "diff"])))]
pub(crate) struct UpgradeArgs {
    /// The vault, or a folder inside it: the whole vault (the nearest folder at or above it
    /// holding `.obsidian/`) is upgraded
    #[arg(default_value = ".")]
    pub path: PathBuf,
    /// Carry the plan out: move and rewrite the files (journaled, atomic per file), then
    /// check the vault again
    #[arg(long)]
    pub apply: bool,
    /// Print the plan as a patch (with renames) that `git apply` accepts; write nothing
    #[arg(long)]
    pub diff: bool,
    /// Move the notes of revoked and deprecated objects into this vault folder, keeping
    /// their paths below it and rewriting every link to them
    #[arg(long, value_name = "FOLDER")]
    pub archive: Option<String>,
    /// Output: the plan as a table, or as JSON (with `--apply`, the findings left by rule
    /// under `after`)
    #[arg(long, value_enum, default_value_t = UpgradeFormat::Table)]
    pub format: UpgradeFormat,
    /// Catalogues (TSV or STIX bundles) replacing the built-in one's domains; repeatable
    #[arg(long, value_name = "PATH")]
    pub attack_catalog: Vec<PathBuf>,
    /// The ATT&CK release to upgrade to, e.g. `19.1`: its bundles in the cache (`vaultlint
    /// attack fetch 19.1` puts them there); overrides `[attack] release`
    #[arg(long, value_name = "RELEASE")]
    pub attack_release: Option<String>,
    /// Use this config file (its `[attack]` table) instead of the nearest one
    #[arg(long, value_name = "PATH", conflicts_with = "no_config")]
    pub config: Option<PathBuf>,
    /// Ignore config files
    #[arg(long)]
    pub no_config: bool,
}

/// The output of `vaultlint attack coverage`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum CoverageFormat {
    /// Counts per domain and kind, then the notes for revoked or deprecated objects
    Table,
    /// Every covered and missing ID per domain and kind, and the retired notes
    Json,
    /// An ATT&CK Navigator layer file: techniques with a note scored 1, others 0
    Navigator,
}

/// The output of `vaultlint attack upgrade`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum UpgradeFormat {
    /// The changes grouped by kind with counts and causes, then what is left for a person
    Table,
    /// The same as one JSON object: counts, changes, left for a person, new objects,
    /// retired notes
    Json,
}

/// `vaultlint check` arguments.
#[derive(Debug, clap::Args)]
#[command(group(clap::ArgGroup::new("fixing").args(["fix", "diff"])))]
pub(crate) struct CheckArgs {
    /// The vault, or a folder inside it: the root is the nearest folder at or above it that
    /// holds `.obsidian/` (else this folder); findings are reported for this folder only
    #[arg(default_value = ".")]
    pub path: PathBuf,
    /// Output format
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,
    /// Worker threads (default: one per core)
    #[arg(long)]
    pub threads: Option<usize>,
    /// Report only for this note or folder (relative to the current folder, else to the vault),
    /// resolving links against the whole vault; repeat the flag for more (`--only A --only B`)
    #[arg(long, value_name = "PATH")]
    pub only: Vec<PathBuf>,
    /// Check ATT&CK IDs of the domains this catalogue holds (ATT&CK TSV or STIX 2.x bundle)
    /// against it; repeat for several (one bundle per domain), the built-in v18.1 fills the rest
    #[arg(long, value_name = "PATH")]
    pub attack_catalog: Vec<PathBuf>,
    /// The ATT&CK release the vault is from, e.g. `19.1`: check against its bundles in the
    /// cache (`vaultlint attack fetch 19.1` puts them there); overrides `[attack] release`
    #[arg(long, value_name = "RELEASE")]
    pub attack_release: Option<String>,
    /// Use this config file instead of the nearest `vaultlint.toml` / `.vaultlint.toml`
    #[arg(long, value_name = "PATH", conflicts_with = "no_config")]
    pub config: Option<PathBuf>,
    /// Ignore config files
    #[arg(long)]
    pub no_config: bool,
    /// Keep the cache in this folder (default: `$VAULTLINT_CACHE_DIR`, else
    /// `.vaultlint_cache/` at the vault root)
    #[arg(long, value_name = "DIR", conflicts_with = "no_cache")]
    pub cache_dir: Option<PathBuf>,
    /// Neither read nor write the cache: check every note from scratch
    #[arg(long)]
    pub no_cache: bool,
    /// Run only these rules (names or prefixes such as `attack`); overrides the config's `select`
    #[arg(long, value_delimiter = ',', value_name = "RULE")]
    pub select: Option<Vec<String>>,
    /// Do not run these rules (names or prefixes), in addition to the config's `ignore`
    #[arg(long, value_delimiter = ',', value_name = "RULE")]
    pub ignore: Vec<String>,
    /// Report only findings that are not in this baseline file
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<PathBuf>,
    /// Record the current findings in this baseline file and exit 0
    #[arg(long, value_name = "FILE", conflicts_with = "baseline")]
    pub write_baseline: Option<PathBuf>,
    /// Apply the safe fixes, re-checking until none is left, then report what remains
    #[arg(long, conflicts_with_all = ["diff", "write_baseline"])]
    pub fix: bool,
    /// With `--fix` or `--diff`: apply unsafe fixes too (they may change what a link opens)
    #[arg(long, requires = "fixing")]
    pub unsafe_fixes: bool,
    /// Print the fixes as a unified diff that `git apply` accepts; write nothing
    #[arg(long, conflicts_with = "write_baseline")]
    pub diff: bool,
    /// Print the number of findings per rule, with severity and how many are fixable
    #[arg(long)]
    pub statistics: bool,
    /// Output and exit-code flags.
    #[command(flatten)]
    pub output: OutputArgs,
}

/// Where the report goes, how it looks, and what makes the run fail.
#[derive(Debug, clap::Args)]
#[command(next_help_heading = "Output")]
pub struct OutputArgs {
    /// Print findings only: no summary lines, no progress indicator
    #[arg(long, short)]
    pub quiet: bool,
    /// Write the report to this file (replaced whole, never half-written) instead of stdout
    #[arg(long, value_name = "PATH")]
    pub output_file: Option<PathBuf>,
    /// When to colour the human format (auto: on a terminal, unless `NO_COLOR` is set)
    #[arg(long, value_enum, value_name = "WHEN", default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,
    /// The least severity that fails the run (exit 1)
    #[arg(long, value_enum, value_name = "SEVERITY", default_value_t = FailOn::Error)]
    pub fail_on: FailOn,
    /// Exit 0 whatever the findings (usage errors still exit 2)
    #[arg(long, conflicts_with = "fail_on")]
    pub exit_zero: bool,
}

/// `--fail-on`: the least severity that makes `vaultlint check` exit 1.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum FailOn {
    /// Fail on error-level findings
    Error,
    /// Fail on warnings and errors
    Warning,
}

/// `vaultlint mv` arguments.
#[derive(Debug, clap::Args)]
pub(crate) struct MvArgs {
    /// The note, attachment or folder to rename or move (a path from the current folder)
    #[arg(required_unless_present_any = ["resume", "abort"])]
    pub(crate) old: Option<PathBuf>,
    /// Its new path; an existing folder, or a path ending in `/`, moves OLD into it
    #[arg(required_unless_present_any = ["resume", "abort"])]
    pub(crate) new: Option<PathBuf>,
    /// The vault's root (default: the nearest folder at or above OLD, or the current
    /// folder with --continue/--abort, that holds `.obsidian/`)
    #[arg(long, value_name = "PATH")]
    pub(crate) vault: Option<PathBuf>,
    /// Print the change as a patch with renames that `git apply` accepts; write nothing
    #[arg(long)]
    pub(crate) diff: bool,
    /// Finish an interrupted `mv` from its journal (`.vaultlint/mv-journal.json`)
    #[arg(long = "continue", conflicts_with_all = ["old", "new", "diff", "abort"])]
    pub(crate) resume: bool,
    /// Undo an interrupted `mv` from its journal
    #[arg(long, conflicts_with_all = ["old", "new", "diff"])]
    pub(crate) abort: bool,
    /// Print nothing but errors
    #[arg(long, short)]
    pub(crate) quiet: bool,
}
