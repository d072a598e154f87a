//! `vaultlint check`: the config and command line merged, the packs configured, the check
//! run (or `--fix`/`--diff` planned) and its findings delivered to the chosen output.
//!
//! Beside it: `delivery` (where findings go as they are found: the report, statistics or a
//! baseline), `baseline` (`--write-baseline`), `fix_summary` (what `--fix` and `--diff` print),
//! `ci` (the repository context and job summary of the CI formats).

mod baseline;
mod cache;
mod ci;
mod delivery;
mod fix_summary;

use std::io::{self, IsTerminal, Write};
use std::path::Path;

use crate::baseline::Baseline;
use crate::check::{self, BaselineSummary, CheckOptions};
use crate::cli::args::{CheckArgs, FailOn};
use crate::cli::load::{attack_sources, load_catalogue, load_config};
use crate::cli::{paths, replace_file, terminal, Outcome};
use crate::config;
use crate::error::Error;
use crate::fix::{self, FixOptions};
use crate::render::{self, Format, Style};
use crate::rules;
use crate::rules::attack::AttackPack;
use crate::vault::{self, Symlinks};
use baseline::write_baseline;
use ci::{ci_context, write_step_summary};
use delivery::{deliver_report, Delivery, Sink};
use fix_summary::{diff_prefix, write_fix_summary};

/// Runs `vaultlint check` with `args`, writing the report (or patch, statistics, baseline)
/// to `out` and messages about the run to stderr.
///
/// # Errors
/// Any [`Error`] of the run: config, rule names, catalogue, baseline, vault root, output.
pub(crate) fn check(args: &CheckArgs, out: &mut dyn Write) -> Result<Outcome, Error> {
    if args.statistics && !matches!(args.format, Format::Human | Format::Concise | Format::Json) {
        let format = clap::ValueEnum::to_possible_value(&args.format)
            .map(|v| v.get_name().to_owned())
            .unwrap_or_default();
        return Err(Error::Usage(format!(
            "--statistics prints counts per rule as a table (`--format human` or `concise`) or \
             as JSON (`--format json`); `--format {format}` lists findings, so drop one of the two"
        )));
    }
    let cwd = std::env::current_dir()
        .map_err(|e| Error::Usage(format!("cannot read the current folder: {e}")))?;
    let loaded = load_config(args.no_config, args.config.as_deref(), &args.path)?;
    let overrides = config::Overrides {
        select: args.select.clone(),
        ignore: args.ignore.clone(),
    };
    let settings = config::settings(&loaded, &overrides)?;
    let mut options = CheckOptions::new(args.path.clone());
    // What findings depend on besides the vault, taken before the settings move below.
    let described = cache::describe(&settings);
    options.rules = Some(settings.rules);
    options.severities = settings.severities;
    options.walk.exclude = settings.exclude;
    let mut attack = AttackPack {
        config: std::sync::Arc::new(settings.attack),
        ..AttackPack::default()
    };
    let (pin, catalogs) = attack_sources(
        args.attack_release.as_deref(),
        &loaded,
        &args.attack_catalog,
        &settings.catalogs,
    )?;
    attack.release = pin;
    options.cache = cache::settings(
        args,
        &vault::find_root(&options.root).root,
        &loaded,
        &format!("{described}\n{pin:?}"),
        &catalogs,
        options.max_note_bytes,
    );
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

/// Worker threads per core at most: more only add memory (each worker holds a note) and
/// start-up time, as the work is CPU-bound.
const THREADS_PER_CORE: usize = 4;

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
