//! The command line: argument parsing and the commands behind it.

use std::io::{self, IsTerminal, Write};
use std::path::PathBuf;

use clap::{Parser, Subcommand};

use crate::baseline::Baseline;
use crate::check::{self, BaselineSummary, CheckOptions};
use crate::config;
use crate::error::Error;
use crate::render::{self, Format, Style};
use crate::rules;
use crate::rules::attack::{AttackPack, Catalogue};

/// A fast, exact linter and link checker for Obsidian vaults.
#[derive(Debug, Parser)]
#[command(name = "vaultlint", version, about)]
pub struct Cli {
    #[command(subcommand)]
    pub(crate) command: Command,
}

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
}

#[derive(Debug, Subcommand)]
pub(crate) enum AttackCommand {
    /// Print what the catalogue knows of an ID: name, type, domain, status, replacement
    Lookup {
        /// An ATT&CK ID, e.g. `T1173`
        id: String,
        /// Use this catalogue (ATT&CK TSV or STIX 2.x bundle) instead of the built-in v18.1
        #[arg(long, value_name = "PATH")]
        attack_catalog: Option<PathBuf>,
    },
}

#[derive(Debug, clap::Args)]
pub(crate) struct CheckArgs {
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
    /// Check ATT&CK IDs against this catalogue (ATT&CK TSV or STIX 2.x bundle) instead of the built-in v18.1
    #[arg(long, value_name = "PATH")]
    pub attack_catalog: Option<PathBuf>,
    /// Use this config file instead of the nearest `vaultlint.toml` / `.vaultlint.toml`
    #[arg(long, value_name = "PATH", conflicts_with = "no_config")]
    pub config: Option<PathBuf>,
    /// Ignore config files
    #[arg(long)]
    pub no_config: bool,
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
}

/// How a run ended; mapped to the exit code in `main.rs`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// No error-level finding: exit 0.
    Clean,
    /// At least one error-level finding: exit 1.
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
        Command::Check(args) => check(&args, out),
        Command::Rules => {
            for rule in rules::all() {
                let meta = rule;
                writeln!(
                    out,
                    "{:<24} {:<8} {}",
                    meta.name, meta.default_severity, meta.summary
                )?;
            }
            Ok(Outcome::Clean)
        }
        Command::Attack(AttackCommand::Lookup { id, attack_catalog }) => {
            let catalogue = load_catalogue(attack_catalog.as_deref())?;
            lookup(&catalogue, id.trim(), out)
        }
        Command::Rule { name } => {
            let rule = rules::find(&name).ok_or_else(|| {
                Error::Usage(format!(
                    "unknown rule `{name}`; `vaultlint rules` lists them"
                ))
            })?;
            let meta = rule;
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

/// The built-in catalogue, or the one in `path`.
pub(crate) fn load_catalogue(path: Option<&std::path::Path>) -> Result<Catalogue, Error> {
    let Some(path) = path else {
        return Ok(Catalogue::built_in());
    };
    let text = std::fs::read_to_string(path).map_err(|e| {
        Error::Usage(format!(
            "cannot read ATT&CK catalogue `{}`: {e}",
            path.display()
        ))
    })?;
    Catalogue::from_text(&text, &path.display().to_string())
        .map_err(|e| Error::Usage(format!("ATT&CK catalogue `{}`: {e}", path.display())))
}

fn lookup(catalogue: &Catalogue, id: &str, out: &mut dyn Write) -> Result<Outcome, Error> {
    let rows = catalogue.all(id);
    if rows.is_empty() {
        return Err(Error::Usage(format!(
            "`{id}` is not in {}",
            catalogue.version
        )));
    }
    writeln!(out, "{id} in {}", catalogue.version)?;
    for e in rows {
        let status = if e.revoked {
            match (&e.revoked_by, &e.replacement) {
                (Some(by), Some(last)) if by != last => format!("revoked by {by}, now {last}"),
                (_, Some(last)) => format!("revoked, replaced by {last}"),
                _ => "revoked, no replacement".to_owned(),
            }
        } else if e.deprecated {
            "deprecated".to_owned()
        } else {
            "active".to_owned()
        };
        writeln!(
            out,
            "  {:<18} {:<15} {}  [{status}]",
            e.domain, e.kind, e.name
        )?;
        if let Some(new) = e.replacement.as_deref().filter(|_| e.revoked) {
            for r in catalogue
                .all(new)
                .into_iter()
                .filter(|r| r.domain == e.domain)
            {
                writeln!(
                    out,
                    "  {:<18} {:<15} {}  [{new}, the replacement]",
                    r.domain, r.kind, r.name
                )?;
            }
        }
    }
    Ok(Outcome::Clean)
}

fn check(args: &CheckArgs, out: &mut dyn Write) -> Result<Outcome, Error> {
    let loaded = if args.no_config {
        config::Loaded::default()
    } else {
        match args.config.clone().or_else(|| config::discover(&args.path)) {
            Some(path) => config::load(&path)?,
            None => config::Loaded::default(),
        }
    };
    let overrides = config::Overrides {
        select: args.select.clone(),
        ignore: args.ignore.clone(),
    };
    let settings = config::settings(&loaded, &overrides)?;
    let mut options = CheckOptions::new(args.path.clone());
    options.rules = Some(settings.rules);
    options.severities = settings.severities;
    options.walk.exclude = settings.exclude;
    let mut attack = AttackPack {
        config: std::sync::Arc::new(settings.attack),
        ..AttackPack::default()
    };
    if let Some(catalog) = args
        .attack_catalog
        .as_deref()
        .or(settings.catalog.as_deref())
    {
        attack.catalogue = std::sync::Arc::new(load_catalogue(Some(catalog))?);
    }
    options.packs = rules::packs(attack);
    if !args.only.is_empty() {
        options.walk.only = Some(args.only.iter().map(|p| only_path(&args.path, p)).collect());
    }
    let threads = args.threads.unwrap_or(0);
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .map_err(|e| Error::Usage(format!("cannot start {threads} threads: {e}")))?;
    let mut report = pool.install(|| check::check(&options))?;

    if let Some(path) = &args.write_baseline {
        let baseline = Baseline::record(&report.diagnostics);
        let json =
            serde_json::to_string_pretty(&baseline).map_err(|e| Error::Usage(e.to_string()))?;
        write_atomically(path, &(json + "\n")).map_err(|e| {
            Error::Usage(format!("cannot write baseline `{}`: {e}", path.display()))
        })?;
        writeln!(
            io::stderr(),
            "vaultlint: recorded {} finding{} in {}",
            baseline.findings.len(),
            if baseline.findings.len() == 1 {
                ""
            } else {
                "s"
            },
            path.display()
        )?;
        return Ok(Outcome::Clean);
    }
    if let Some(path) = &args.baseline {
        let text = std::fs::read_to_string(path)
            .map_err(|e| Error::Usage(format!("cannot read baseline `{}`: {e}", path.display())))?;
        let baseline =
            Baseline::parse(&text).map_err(|e| Error::Usage(format!("{}: {e}", path.display())))?;
        let (new, known, fixed) = baseline.filter(std::mem::take(&mut report.diagnostics));
        report.diagnostics = new;
        report.recount();
        report.summary.baseline = Some(BaselineSummary { known, fixed });
    }

    let sources = if args.format == Format::Human {
        check::load_sources(&options.root, &report.diagnostics)
    } else {
        Default::default()
    };
    let terminal = io::stdout().is_terminal();
    let style = Style {
        color: terminal && std::env::var_os("NO_COLOR").is_none(),
        width: if terminal { terminal_width() } else { 100 },
    };
    let ctx = ci_context(args, &options.root, &report);
    let mut buffered = io::BufWriter::new(out);
    let notes =
        render::render_with_context(args.format, &report, &sources, style, &ctx, &mut buffered)?;
    buffered.flush()?;
    for note in notes {
        writeln!(io::stderr(), "vaultlint: {note}")?;
    }
    if args.format == Format::Github {
        write_step_summary(&report, &ctx);
    }
    Ok(if report.summary.errors > 0 {
        Outcome::Findings
    } else {
        Outcome::Clean
    })
}

/// Writes `text` to a temp file beside `path` and renames it over `path`, so an interrupted
/// run (Ctrl-C) never leaves a half-written file behind.
fn write_atomically(path: &std::path::Path, text: &str) -> io::Result<()> {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(std::path::Path::new("."));
    let mut file = tempfile::NamedTempFile::new_in(dir)?;
    file.write_all(text.as_bytes())?;
    file.as_file().sync_all()?;
    file.persist(path).map_err(|e| e.error)?;
    Ok(())
}

/// Where the vault sits in its repository (for CI formats), and for SARIF the UTF-16
/// positions of the findings, read one note at a time.
fn ci_context(
    args: &CheckArgs,
    root: &std::path::Path,
    report: &check::Report,
) -> render::RenderContext {
    if matches!(args.format, Format::Human | Format::Concise | Format::Json) {
        return render::RenderContext::default();
    }
    let only: Vec<String> = args.only.iter().map(|p| only_path(&args.path, p)).collect();
    // Only the github format ranks by the files under review; the others need no git diff.
    let base_ref = std::env::var("GITHUB_BASE_REF")
        .ok()
        .filter(|_| args.format == Format::Github);
    let repo = render::repo::RepoContext::detect(&args.path, &only, base_ref.as_deref());
    let positions = if args.format == Format::Sarif {
        render::position::Positions::compute(&report.diagnostics, |path| {
            match crate::vault::read_note(
                &crate::vault::abs_path(root, path),
                crate::vault::MAX_NOTE_BYTES,
            ) {
                crate::vault::NoteText::Text(text, _) => Some(text),
                crate::vault::NoteText::Skipped(_) => None,
            }
        })
    } else {
        render::position::Positions::default()
    };
    render::RenderContext { repo, positions }
}

/// Appends the Markdown job summary to `$GITHUB_STEP_SUMMARY` when GitHub Actions sets it.
/// A summary that cannot be written is reported on stderr and does not fail the run: the
/// annotations already carry the findings.
fn write_step_summary(report: &check::Report, ctx: &render::RenderContext) {
    let Some(path) = std::env::var_os("GITHUB_STEP_SUMMARY").filter(|p| !p.is_empty()) else {
        return;
    };
    let result = std::fs::OpenOptions::new()
        .append(true)
        .create(true)
        .open(&path)
        .and_then(|file| {
            let mut file = io::BufWriter::new(file);
            render::github::summary(report, ctx, &mut file)?;
            file.flush()
        });
    if let Err(e) = result {
        let _ = writeln!(
            io::stderr(),
            "vaultlint: cannot write the job summary to `{}`: {e}",
            std::path::Path::new(&path).display()
        );
    }
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
