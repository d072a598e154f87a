//! The command line: argument parsing and the commands behind it.
//!
//! Submodules: `paths` (printed paths that open from the current folder, `--only`),
//! `terminal` (colour, width, progress indicator), `docs` (rule docs for readers).

mod docs;
mod paths;
mod replace_file;
mod terminal;

use std::io::{self, IsTerminal, Write};
use std::path::{Path, PathBuf};

use clap::{CommandFactory, Parser, Subcommand};

pub use terminal::ColorChoice;

use crate::baseline::Baseline;
use crate::check::{self, BaselineSummary, CheckOptions};
use crate::config;
use crate::error::Error;
use crate::fix::{self, FixOptions};
use crate::render::{self, Format, Style};
use crate::rules;
use crate::rules::attack::{AttackPack, Catalogue};
use crate::vault::{self, Symlinks};

/// A fast, exact linter and link checker for Obsidian vaults.
#[derive(Debug, Parser)]
#[command(name = "vaultlint", version, about)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub(crate) command: Command,
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

/// `vaultlint check` arguments.
#[derive(Debug, clap::Args)]
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
    /// Apply the safe fixes, re-checking until none is left, then report what remains
    #[arg(long, conflicts_with_all = ["diff", "write_baseline"])]
    pub fix: bool,
    /// With `--fix` or `--diff`: apply unsafe fixes too (they may change what a link opens)
    #[arg(long)]
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
        Command::Check(args) => check(&args, out),
        Command::Rules => {
            let all = rules::all();
            let width = all
                .iter()
                .map(|r| r.name.chars().count())
                .max()
                .unwrap_or(0);
            for meta in all {
                writeln!(
                    out,
                    "{:<width$}  {:<7}  {}",
                    meta.name, meta.default_severity, meta.summary
                )?;
            }
            Ok(Outcome::Clean)
        }
        Command::Completions { shell } => {
            clap_complete::generate(shell, &mut Cli::command(), "vaultlint", out);
            Ok(Outcome::Clean)
        }
        Command::Attack(AttackCommand::Lookup { id, attack_catalog }) => {
            let paths: Vec<(PathBuf, Symlinks)> = attack_catalog
                .iter()
                .map(|p| (p.clone(), Symlinks::Follow))
                .collect();
            let catalogue = load_catalogue(&paths)?;
            lookup(&catalogue, id.trim(), &mut render::escape::log_writer(out))
        }
        Command::Attack(AttackCommand::Coverage {
            path,
            format,
            domain,
            attack_catalog,
            config: config_path,
            no_config,
        }) => {
            let loaded = load_config(no_config, config_path.as_deref(), &path)?;
            let settings = config::settings(&loaded, &config::Overrides::default())?;
            let catalogs = catalog_sources(&attack_catalog, &settings.catalogs);
            let catalogue = std::sync::Arc::new(load_catalogue(&catalogs)?);
            let mut options = CheckOptions::new(path);
            options.walk.exclude = settings.exclude;
            let vault = check::index_vault(&options)?;
            let report = rules::attack::coverage::coverage(
                &vault,
                &std::sync::Arc::new(settings.attack),
                &catalogue,
            );
            match format {
                CoverageFormat::Table => {
                    write!(out, "{}", render::escape::log_text(&report.table()))?;
                }
                CoverageFormat::Json => {
                    render::escape::json_pretty(&mut *out, &report)
                        .map_err(|e| Error::Usage(e.to_string()))?;
                    writeln!(out)?;
                }
                CoverageFormat::Navigator => {
                    render::escape::json_pretty(&mut *out, &report.navigator_layer(&domain))
                        .map_err(|e| Error::Usage(e.to_string()))?;
                    writeln!(out)?;
                }
            }
            Ok(Outcome::Clean)
        }
        Command::Rule { name } => {
            let meta = rules::find(&name)
                .ok_or_else(|| Error::Usage(config::unknown_rule(&name, false)))?;
            writeln!(
                out,
                "# {}\n\n{}\n\nDefault severity: {}\nFix: {}\n\n{}",
                meta.name,
                meta.summary,
                meta.default_severity,
                meta.fix,
                docs::for_readers(meta.docs).trim_end()
            )?;
            Ok(Outcome::Clean)
        }
    }
}

/// The built-in catalogue with the domains of each file in `paths` replaced by that file's
/// rows, in order (a later file wins for a domain both hold). Each file is a TSV or STIX
/// bundle of at most 256 MiB; its `Symlinks` is `Refuse` when a config file names it,
/// `Follow` for `--attack-catalog`.
///
/// # Errors
/// `Error::Usage` when a file cannot be read or is not a catalogue.
/// Standard error for vaultlint's own lines (the binary's error line too): vault paths,
/// config values and catalogue names in them pass the terminal sink's escaping
/// (`render::escape`), so none can drive the terminal or act as a CI workflow command.
pub fn stderr() -> impl Write {
    render::escape::stderr()
}

pub(crate) fn load_catalogue(paths: &[(PathBuf, Symlinks)]) -> Result<Catalogue, Error> {
    let mut catalogue = Catalogue::built_in();
    for (path, symlinks) in paths {
        let text = vault::read_text(path, vault::MAX_CATALOGUE_BYTES, *symlinks).map_err(|e| {
            Error::Usage(format!(
                "cannot read ATT&CK catalogue: `{}` {e}",
                path.display()
            ))
        })?;
        let loaded = Catalogue::from_text(&text, &path.display().to_string())
            .map_err(|e| Error::Usage(format!("ATT&CK catalogue `{}`: {e}", path.display())))?;
        catalogue.merge(loaded);
    }
    Ok(catalogue)
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

/// The config that applies: none with `--no-config`, the file `--config` names (a symlink
/// allowed: the user chose it), else the one discovered from `start` (symlinks refused: a
/// pull request can add one).
fn load_config(
    no_config: bool,
    explicit: Option<&Path>,
    start: &Path,
) -> Result<config::Loaded, Error> {
    if no_config {
        return Ok(config::Loaded::default());
    }
    match explicit {
        Some(path) => config::load(path, Symlinks::Follow),
        None => match config::discover(start) {
            Some(path) => config::load(&path, Symlinks::Refuse),
            None => Ok(config::Loaded::default()),
        },
    }
}

/// The catalogues to load: those given with `--attack-catalog` (symlinks followed), else
/// those the config file names (symlinks refused).
fn catalog_sources(cli: &[PathBuf], from_config: &[PathBuf]) -> Vec<(PathBuf, Symlinks)> {
    if cli.is_empty() {
        from_config
            .iter()
            .map(|p| (p.clone(), Symlinks::Refuse))
            .collect()
    } else {
        cli.iter().map(|p| (p.clone(), Symlinks::Follow)).collect()
    }
}

fn check(args: &CheckArgs, out: &mut dyn Write) -> Result<Outcome, Error> {
    let cwd = std::env::current_dir()
        .map_err(|e| Error::Usage(format!("cannot read the current folder: {e}")))?;
    let loaded = load_config(args.no_config, args.config.as_deref(), &args.path)?;
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
    let catalogs = catalog_sources(&args.attack_catalog, &settings.catalogs);
    if !catalogs.is_empty() {
        attack.catalogue = std::sync::Arc::new(load_catalogue(&catalogs)?);
    }
    options.packs = rules::packs(attack);
    if !args.only.is_empty() {
        options.walk.only = Some(paths::only_notes(&options.root, &cwd, &args.only)?);
    }
    let threads = thread_count(args.threads)?;
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .map_err(|e| Error::Usage(format!("cannot start {threads} threads: {e}")))?;
    let pool = std::sync::Arc::new(pool);
    options.pool = Some(std::sync::Arc::clone(&pool));
    let fix_options = FixOptions {
        unsafe_fixes: args.unsafe_fixes,
    };
    if args.diff {
        let plan = pool.install(|| fix::plan(&options, fix_options))?;
        out.write_all(
            fix::unified_diff(&plan, &diff_prefix(&args.path), render::escape::patch_path)
                .as_bytes(),
        )?;
        let per_rule = plan.fixed_per_rule(|_| true);
        write_fix_summary(
            &mut render::escape::stderr(),
            "would fix",
            &per_rule,
            &plan,
            &[],
        )?;
        return Ok(outcome(args, &plan.before));
    }
    // A baseline that cannot be used stops the run before anything is checked.
    let baseline = match &args.baseline {
        Some(path) => {
            let text = vault::read_text(path, vault::MAX_BASELINE_BYTES, Symlinks::Follow)
                .map_err(|e| {
                    Error::Usage(format!("cannot read baseline: `{}` {e}", path.display()))
                })?;
            Some(
                Baseline::parse(&text)
                    .map_err(|e| Error::Usage(format!("{}: {e}", path.display())))?,
            )
        }
        None => None,
    };
    // The vault root the check finds, which may lie above the folder given: paths are
    // relative to it.
    let root = vault::find_root(&options.root).root;
    let mut ctx = ci_context(args, &options, &root);
    ctx.prefix = paths::vault_prefix(&root, &cwd);
    let read = |path: &str| match vault::read_note(
        &vault::disk_path(&root, path),
        vault::MAX_NOTE_BYTES,
    ) {
        vault::NoteText::Text(text, _) => Some(text),
        vault::NoteText::Skipped(_) => None,
    };
    // Only a report on a terminal is coloured (by default) and wrapped: a file or pipe
    // gets whole lines that grep and editors can read.
    let to_terminal = args.output.output_file.is_none() && io::stdout().is_terminal();
    let style = Style {
        color: args.output.color.enabled(to_terminal),
        width: to_terminal.then(terminal::width),
        quiet: args.output.quiet,
    };
    let summary_to_stdout = args.format == Format::Human && args.output.output_file.is_none();
    // The report goes to stdout as it is found, or to memory for `--output-file` (which is
    // replaced whole at the end); statistics and a baseline on stdout go to stdout.
    let mut file_text = Vec::new();
    let mut buffered = io::BufWriter::new(out);
    let sink = if args.write_baseline.is_some() {
        Sink::Record(Vec::new(), &mut buffered)
    } else if args.statistics {
        Sink::Statistics(render::statistics::Statistics::default(), &mut buffered)
    } else {
        let target: &mut dyn Write = if args.output.output_file.is_some() {
            &mut file_text
        } else {
            &mut buffered
        };
        Sink::Render(render::stream(args.format, style, &ctx, &read, target))
    };
    let mut delivery = Delivery {
        args,
        filter: baseline.as_ref().map(Baseline::filter),
        counts: check::Summary::default(),
        sink,
    };
    let progress =
        terminal::Progress::start(!args.output.quiet, &paths::from_cwd(&options.root, &cwd));
    let mut fix_summary = Vec::new();
    let checked = if args.fix {
        let plan = pool.install(|| fix::plan(&options, fix_options))?;
        let results = fix::write(&plan.before.root, &plan)?;
        let failed: Vec<(std::sync::Arc<str>, String)> = results
            .into_iter()
            .filter_map(|(path, w)| match w {
                fix::Written::Fixed => None,
                fix::Written::Skipped(reason) => Some((path, reason)),
            })
            .collect();
        let per_rule = plan.fixed_per_rule(|p| !failed.iter().any(|(f, _)| &**f == p));
        write_fix_summary(&mut fix_summary, "fixed", &per_rule, &plan, &failed)?;
        if failed.is_empty() {
            deliver_report(plan.after, &mut delivery)
        } else {
            // What remains is what is on disk now, not what the plan expected.
            check::check_streaming(&options, &Default::default(), &mut delivery)
        }
    } else {
        check::check_streaming(&options, &Default::default(), &mut delivery)
    };
    progress.finish();
    let mut report = checked?;
    let (filter, counts, sink) = delivery.into_parts();
    let s = &mut report.summary;
    (s.errors, s.warnings, s.infos) = (counts.errors, counts.warnings, counts.infos);
    (s.fixable, s.unsafe_fixable) = (counts.fixable, counts.unsafe_fixable);
    s.config = loaded.path.as_deref().map(|p| paths::from_cwd(p, &cwd));
    if let Some(filter) = filter {
        let (known, fixed) = filter.counts();
        s.baseline = Some(BaselineSummary { known, fixed });
    }

    let mut stream = match sink.into_stream() {
        Ok(stream) => stream,
        Err(Sink::Record(entries, out)) => {
            let path = args.write_baseline.as_deref().unwrap_or(Path::new("-"));
            return write_baseline(path, entries, args.output.quiet, out);
        }
        Err(Sink::Statistics(stats, out)) => {
            if !fix_summary.is_empty() && !summary_to_stdout {
                render::escape::stderr().write_all(&fix_summary)?;
            }
            if args.format == Format::Json {
                render::statistics::render_json(&stats, &report.summary, out)?;
            } else {
                render::statistics::render_human(&stats, out)?;
                if summary_to_stdout {
                    out.write_all(&fix_summary)?;
                }
            }
            out.flush()?;
            return Ok(outcome(args, &report));
        }
        Err(Sink::Render(stream)) => stream,
    };
    if !fix_summary.is_empty() && !summary_to_stdout {
        render::escape::stderr().write_all(&fix_summary)?;
    }
    let notes = stream.finish(&report.summary)?;
    let job_summary = stream.job_summary(&report.summary);
    drop(stream);
    match &args.output.output_file {
        Some(path) => replace_file::replace(path, "the report", &file_text)?,
        None => {
            if summary_to_stdout {
                buffered.write_all(&fix_summary)?;
            }
            buffered.flush()?;
        }
    }
    for note in notes {
        writeln!(render::escape::stderr(), "vaultlint: {note}")?;
    }
    if let Some(text) = job_summary {
        write_step_summary(&text);
    }
    Ok(outcome(args, &report))
}

/// Where the findings of a `vaultlint check` go as they are found.
enum Sink<'a> {
    /// `--write-baseline`: what the baseline records of each finding, and stdout.
    Record(Vec<crate::baseline::Entry>, &'a mut dyn Write),
    /// `--statistics`: counts per rule, and stdout.
    Statistics(render::statistics::Statistics, &'a mut dyn Write),
    /// The report, written in its format as findings arrive.
    Render(Box<dyn render::Stream + 'a>),
}

impl<'a> Sink<'a> {
    /// The report's stream, or the sink itself when it is not one.
    fn into_stream(self) -> Result<Box<dyn render::Stream + 'a>, Self> {
        match self {
            Sink::Render(stream) => Ok(stream),
            other => Err(other),
        }
    }
}

/// Receives the check's findings note by note: drops those the baseline knows, counts the
/// rest and passes them on to the sink. Memory holds no finding after its note is done.
struct Delivery<'a> {
    args: &'a CheckArgs,
    filter: Option<crate::baseline::Filter<'a>>,
    /// The per-severity and fix counts of the findings passed on.
    counts: check::Summary,
    sink: Sink<'a>,
}

impl<'a> Delivery<'a> {
    /// The baseline filter, the counts and the sink, once every finding was delivered.
    fn into_parts(
        self,
    ) -> (
        Option<crate::baseline::Filter<'a>>,
        check::Summary,
        Sink<'a>,
    ) {
        (self.filter, self.counts, self.sink)
    }
}

impl check::Deliver for Delivery<'_> {
    fn start(&mut self, summary: &check::Summary, _root: &Path) -> Result<(), Error> {
        if summary.notes > 0 {
            return Ok(());
        }
        let why = if summary.files == 0 {
            "it is empty".to_owned()
        } else if !self.args.only.is_empty() {
            "every note named by --only is excluded (config `exclude` or Obsidian's excluded files)"
                .to_owned()
        } else {
            format!(
                "none of its {} file{} is a note to check (`.md`, not excluded)",
                summary.files,
                if summary.files == 1 { "" } else { "s" }
            )
        };
        Err(Error::VaultRoot(self.args.path.clone(), why))
    }

    fn note(
        &mut self,
        mut findings: Vec<crate::diagnostic::Diagnostic>,
        _hash: Option<u64>,
    ) -> Result<(), Error> {
        if let Some(filter) = &mut self.filter {
            findings.retain(|d| filter.is_new(d));
        }
        if findings.is_empty() {
            return Ok(());
        }
        for d in &findings {
            self.counts.count(d);
        }
        match &mut self.sink {
            Sink::Record(entries, _) => {
                entries.extend(findings.iter().map(crate::baseline::entry));
            }
            Sink::Statistics(stats, _) => stats.add(&findings),
            Sink::Render(stream) => stream.note(&findings)?,
        }
        Ok(())
    }
}

/// Hands a report held whole (after `--fix`) to `deliver`, as the check would have.
fn deliver_report(
    mut report: check::Report,
    deliver: &mut dyn check::Deliver,
) -> Result<check::Report, Error> {
    deliver.start(&report.summary, &report.root)?;
    let diagnostics = std::mem::take(&mut report.diagnostics);
    let mut rest = diagnostics.into_iter().peekable();
    while let Some(first) = rest.next() {
        let mut note = vec![first];
        while let Some(d) = rest.next_if(|d| d.path == note[0].path) {
            note.push(d);
        }
        deliver.note(note, None)?;
    }
    Ok(report)
}

/// Writes the baseline of `entries` to `path` (`-` or `/dev/stdout`: to `out`).
fn write_baseline(
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
            render::escape::stderr(),
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

/// The exit outcome of a report under `--fail-on` and `--exit-zero`.
fn outcome(args: &CheckArgs, report: &check::Report) -> Outcome {
    let s = &report.summary;
    let failing = match args.output.fail_on {
        FailOn::Error => s.errors,
        FailOn::Warning => s.errors + s.warnings,
    };
    if failing > 0 && !args.output.exit_zero {
        Outcome::Findings
    } else {
        Outcome::Clean
    }
}

/// The vault folder as given, `/`-separated with a trailing `/`, when it is relative: the
/// `--diff` patch then applies from the folder vaultlint ran in.
fn diff_prefix(path: &std::path::Path) -> String {
    if path.is_absolute() {
        return String::new();
    }
    let s = path.to_string_lossy().replace('\\', "/");
    let s = s.trim_start_matches("./").trim_end_matches('/');
    if s.is_empty() || s == "." {
        String::new()
    } else {
        format!("{s}/")
    }
}

/// What `--fix` did (`verb` "fixed") or `--diff` would do ("would fix"): fixes per rule,
/// notes left alone and why.
fn write_fix_summary(
    out: &mut dyn Write,
    verb: &str,
    per_rule: &std::collections::BTreeMap<&'static str, usize>,
    plan: &fix::Plan,
    failed: &[(std::sync::Arc<str>, String)],
) -> io::Result<()> {
    let total: usize = per_rule.values().sum();
    let notes = plan.notes.len() - failed.len();
    if total == 0 {
        writeln!(out, "vaultlint: nothing to fix")?;
    } else {
        writeln!(
            out,
            "vaultlint: {verb} {total} finding{} in {notes} note{} ({} pass{}):",
            if total == 1 { "" } else { "s" },
            if notes == 1 { "" } else { "s" },
            plan.passes,
            if plan.passes == 1 { "" } else { "es" }
        )?;
        let width = per_rule.keys().map(|r| r.len()).max().unwrap_or(0);
        for (rule, n) in per_rule {
            writeln!(out, "  {rule:<width$}  {n}")?;
        }
    }
    for (path, reason) in plan
        .skipped
        .iter()
        .chain(failed.iter().map(|(p, r)| (p, r)))
    {
        let (path, reason) = (
            render::escape::terminal(path),
            render::escape::terminal(reason),
        );
        writeln!(out, "vaultlint: not fixed: `{path}`: {reason}")?;
    }
    Ok(())
}

/// Worker threads per core at most: more only add memory (each worker holds a note) and
/// start-up time, as the work is CPU-bound.
pub(crate) const THREADS_PER_CORE: usize = 4;

/// The worker count for `--threads`: 0 (rayon's default, one per core) when not given, and
/// at most `THREADS_PER_CORE` per core, saying so on stderr when capped (`--threads 100000`
/// started 100,000 threads).
fn thread_count(requested: Option<usize>) -> Result<usize, Error> {
    let Some(requested) = requested else {
        return Ok(0);
    };
    let cores = std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get);
    let limit = cores.saturating_mul(THREADS_PER_CORE);
    if requested > limit {
        writeln!(
            render::escape::stderr(),
            "vaultlint: --threads {requested} is more than {cores} core{} can use; using {limit} ({THREADS_PER_CORE} per core)",
            if cores == 1 { "" } else { "s" }
        )?;
        return Ok(limit);
    }
    Ok(requested)
}

/// `-` and `/dev/stdout` mean standard output: written directly, never replaced by rename.
fn is_stdout(path: &Path) -> bool {
    path == Path::new("-") || path == Path::new("/dev/stdout")
}

/// Where the vault at `root` sits in its repository, for CI formats.
fn ci_context(args: &CheckArgs, options: &CheckOptions, root: &Path) -> render::RenderContext {
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
fn write_step_summary(text: &str) {
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
            render::escape::stderr(),
            "vaultlint: cannot write the job summary to `{}`: {e}",
            std::path::Path::new(&path).display()
        );
    }
}
