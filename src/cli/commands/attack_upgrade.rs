//! `vaultlint attack upgrade [PATH]`: turns a vault into the ATT&CK release it is checked
//! against. The plan's logic is the pack's (`rules::attack::upgrade`); this file runs it.
//!
//! The upgrade is worked out on a scratch copy of the vault (notes, canvases and JSON files
//! copied, other attachments as empty placeholders so that links resolve as in the vault):
//! the drift rules' fixes, safe and unsafe (`fix::plan`), renames of notes whose object
//! ATT&CK renamed (`fix::rename`, every link rewritten), the fixes again (name cells of
//! renamed notes; Navigator layers through `attack-layer-outdated`'s fixes), and with `--archive` the notes of revoked and
//! deprecated objects moved. What the copy then differs from the vault by is one rename
//! plan (moves and rewritten files): `--diff` prints it as a patch, `--apply` carries it out
//! through the rename journal (atomic per file, resumable with `vaultlint mv --continue`),
//! and the vault is checked again.

use std::collections::{BTreeMap, HashMap};
use std::io::Write;
use std::path::Path;
use std::sync::Arc;

use serde::Serialize;

use crate::check::{self, CheckOptions, Report};
use crate::cli::args::{UpgradeArgs, UpgradeFormat};
use crate::cli::load::{attack_sources, load_catalogue, load_config};
use crate::cli::{paths, Outcome};
use crate::config;
use crate::error::Error;
use crate::fix::{self, rename, FixOptions};
use crate::rules::attack::upgrade::{self, Change, ChangeKind, Manual};
use crate::rules::attack::{coverage, AttackConfig, AttackPack, Catalogue};
use crate::rules::{self};
use crate::vault;

/// The plan as `--format json` prints it.
#[derive(Debug, Serialize)]
struct PlanReport {
    /// The release the vault is upgraded to.
    release: String,
    /// Changes per kind.
    counts: BTreeMap<ChangeKind, usize>,
    /// Every change, with its cause.
    changes: Vec<Change>,
    /// Drift findings left for a person, with the reason.
    manual: Vec<Manual>,
    /// Domain → kind → IDs of live objects that have no note.
    new_objects: BTreeMap<String, BTreeMap<String, Vec<String>>>,
    /// Notes that stand for revoked or deprecated objects after the upgrade.
    retired: Vec<coverage::RetiredNote>,
    /// Whether the plan was carried out.
    applied: bool,
    /// With `--apply`: the catalogue-drift findings the vault has afterwards, per rule.
    #[serde(skip_serializing_if = "Option::is_none")]
    after: Option<BTreeMap<&'static str, usize>>,
}

/// Runs `vaultlint attack upgrade`.
///
/// # Errors
/// An unusable config or catalogue, a missing vault, a scratch copy that cannot be made,
/// or (with `--apply`) a change that cannot be written: then nothing is changed.
pub(crate) fn upgrade(args: &UpgradeArgs, out: &mut dyn Write) -> Result<Outcome, Error> {
    let loaded = load_config(args.no_config, args.config.as_deref(), &args.path)?;
    let settings = config::settings(&loaded, &config::Overrides::default())?;
    let (pin, catalogs) = attack_sources(
        args.attack_release.as_deref(),
        &loaded,
        &args.attack_catalog,
        &settings.catalogs,
    )?;
    let catalogue = Arc::new(load_catalogue(&catalogs)?);
    let attack = Arc::new(settings.attack);
    let root = vault::find_root(&args.path).root;
    let archive = args
        .archive
        .as_deref()
        .map(|a| a.trim_matches('/').to_owned())
        .filter(|a| !a.is_empty());
    let setup = Setup {
        attack: &attack,
        catalogue: &catalogue,
        release: pin,
        exclude: &settings.exclude,
    };
    let scratch = tempfile::tempdir()
        .map_err(|e| Error::Usage(format!("cannot make a scratch copy of the vault: {e}")))?;
    let originals = copy_vault(&setup.options(&root, None), scratch.path())?;
    let worked = work(&setup, scratch.path(), archive.as_deref())?;
    let combined = combined_plan(&root, scratch.path(), &originals, &worked.paths)?;
    let mut report = PlanReport {
        release: catalogue.version.clone(),
        counts: upgrade::grouped(&worked.changes)
            .into_iter()
            .map(|(k, v)| (k, v.len()))
            .collect(),
        changes: worked.changes,
        manual: worked.manual,
        new_objects: worked.new_objects,
        retired: worked.retired,
        applied: args.apply,
        after: None,
    };
    if args.diff {
        let cwd = std::env::current_dir()
            .map_err(|e| Error::Usage(format!("cannot read the current folder: {e}")))?;
        let prefix = paths::vault_prefix(&root, &cwd);
        let prefix = if prefix.starts_with('/') || prefix.starts_with("../") {
            String::new()
        } else {
            prefix
        };
        out.write_all(
            rename::diff::unified_diff(&combined, &prefix, crate::render::escape::patch_path)
                .as_bytes(),
        )?;
        return Ok(Outcome::Clean);
    }
    if args.apply {
        if !combined.moves.is_empty() || !combined.rewrites.is_empty() {
            rename::journal::apply(&combined)?;
        }
        let after = check::check(&setup.options(&root, Some(&upgrade::DRIFT_RULES)))?;
        report.after = Some(per_rule(&after));
    }
    match args.format {
        UpgradeFormat::Json => {
            serde_json::to_writer_pretty(&mut *out, &report)
                .map_err(|e| Error::Usage(e.to_string()))?;
            writeln!(out)?;
        }
        UpgradeFormat::Table => {
            // Paths and names come from the vault and the catalogue: one line at a time
            // through the terminal's escaping, as every other command's output.
            for line in human(&report, &combined).lines() {
                writeln!(out, "{}", crate::render::escape::terminal(line))?;
            }
            if let Some(after) = &report.after {
                let total: usize = after.values().sum();
                let rules: Vec<String> = after.iter().map(|(r, n)| format!("{r} {n}")).collect();
                if total == 0 {
                    writeln!(out, "after the upgrade: no catalogue-drift finding is left")?;
                } else {
                    writeln!(
                        out,
                        "after the upgrade: {total} catalogue-drift finding{} ({})",
                        plural(total),
                        rules.join(", ")
                    )?;
                }
            }
        }
    }
    Ok(Outcome::Clean)
}

/// What every check of the upgrade runs with.
struct Setup<'a> {
    attack: &'a Arc<AttackConfig>,
    catalogue: &'a Arc<Catalogue>,
    /// The release pinned with `--attack-release` or `[attack] release`: the catalogue's.
    release: Option<crate::rules::attack::release::Release>,
    exclude: &'a Option<globset::GlobSet>,
}

impl Setup<'_> {
    /// Check options for the vault at `root`, running only `rules` (all when `None`).
    fn options(&self, root: &Path, rules: Option<&[&str]>) -> CheckOptions {
        let mut options = CheckOptions::new(root.to_path_buf());
        options.walk.exclude = self.exclude.clone();
        options.rules = rules.map(|names| names.iter().filter_map(|n| rules::find(n)).collect());
        options.packs = rules::packs(AttackPack {
            config: Arc::clone(self.attack),
            catalogue: Arc::clone(self.catalogue),
            release: self.release,
            upgrading: true,
        });
        options
    }
}

/// What the upgrade did to the scratch copy.
struct Worked {
    changes: Vec<Change>,
    manual: Vec<Manual>,
    new_objects: BTreeMap<String, BTreeMap<String, Vec<String>>>,
    retired: Vec<coverage::RetiredNote>,
    /// Each moved file's path in the copy → its path in the vault.
    paths: HashMap<String, String>,
}

/// Copies the vault's files into `to`: notes, canvases and JSON files whole, other files
/// as empty placeholders (links to them resolve as in the vault), `.obsidian/app.json`
/// (the link format). Returns every copied file's bytes by vault path.
fn copy_vault(options: &CheckOptions, to: &Path) -> Result<BTreeMap<String, Vec<u8>>, Error> {
    let vault = check::index_vault(options)?;
    let failed = |e: std::io::Error| Error::Usage(format!("cannot copy the vault: {e}"));
    let mut copied = BTreeMap::new();
    let app = options.root.join(".obsidian").join("app.json");
    std::fs::create_dir_all(to.join(".obsidian")).map_err(failed)?;
    if let Ok(text) = vault::read_text(&app, vault::MAX_SETTINGS_BYTES, vault::Symlinks::Refuse) {
        std::fs::write(to.join(".obsidian").join("app.json"), text).map_err(failed)?;
    }
    for file in &vault.files {
        let dest = vault::abs_path(to, &file.path);
        if let Some(parent) = dest.parent() {
            std::fs::create_dir_all(parent).map_err(failed)?;
        }
        let whole = file.is_note || file.is_canvas() || is_json(&file.path);
        if whole {
            let Ok(bytes) = vault::read_file(
                &file.abs(&options.root),
                vault::MAX_NOTE_BYTES,
                vault::Symlinks::Refuse,
            ) else {
                std::fs::write(&dest, b"").map_err(failed)?;
                continue;
            };
            std::fs::write(&dest, &bytes).map_err(failed)?;
            copied.insert(file.path.to_string(), bytes);
        } else {
            std::fs::write(&dest, b"").map_err(failed)?;
        }
    }
    Ok(copied)
}

fn is_json(path: &str) -> bool {
    Path::new(path)
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("json"))
}

/// Runs every step of the upgrade on the scratch copy at `root`.
fn work(setup: &Setup<'_>, root: &Path, archive: Option<&str>) -> Result<Worked, Error> {
    let mut changes = Vec::new();
    let mut manual = Vec::new();
    let mut paths: HashMap<String, String> = HashMap::new();
    fix_pass(setup, root, &mut changes)?;
    let outdated = check::check(&setup.options(root, Some(&["attack-outdated-name"])))?;
    let mut moves = Vec::new();
    for d in &outdated.diagnostics {
        let id = d.subject.as_deref().unwrap_or_default();
        let Some(name) = upgrade::current_name(setup.catalogue, setup.attack, &d.path, id) else {
            continue;
        };
        if let Some(to) = upgrade::rename_target(setup.attack, &d.path, name) {
            moves.push((
                rename::Move {
                    from: d.path.to_string(),
                    to,
                },
                d.message.clone(),
            ));
        }
    }
    let (done, refused) = carry_out(root, moves);
    for (m, cause, links) in done {
        changes.push(Change {
            kind: ChangeKind::RenameNote,
            path: m.from.clone(),
            subject: m.to.rsplit('/').next().unwrap_or(&m.to).to_owned(),
            change: format!("rename to `{}`{}", m.to, links_note(links)),
            cause,
        });
        paths.insert(m.to, m.from);
    }
    fix_pass(setup, root, &mut changes)?;
    let scratch_vault = check::index_vault(&setup.options(root, None))?;
    let cov = coverage::coverage(&scratch_vault, setup.attack, setup.catalogue);
    let mut archived: BTreeMap<String, String> = BTreeMap::new();
    if let Some(folder) = archive {
        let moves = cov
            .retired
            .iter()
            .filter(|r| !r.path.starts_with(&format!("{folder}/")))
            .map(|r| {
                let to = format!("{folder}/{}", r.path);
                let cause = match &r.replacement {
                    Some(new) => format!("`{}` was {} in ATT&CK (now `{new}`)", r.id, r.status),
                    None => format!("`{}` was {} in ATT&CK", r.id, r.status),
                };
                (
                    rename::Move {
                        from: r.path.clone(),
                        to,
                    },
                    cause,
                )
            })
            .collect();
        let (done, not) = carry_out(root, moves);
        for (m, cause, links) in done {
            changes.push(Change {
                kind: ChangeKind::ArchiveNote,
                path: original(&paths, &m.from),
                subject: m.from.rsplit('/').next().unwrap_or(&m.from).to_owned(),
                change: format!("move to `{}`{}", m.to, links_note(links)),
                cause,
            });
            let first = original(&paths, &m.from);
            paths.remove(&m.from);
            archived.insert(m.to.clone(), first.clone());
            paths.insert(m.to, first);
        }
        manual.extend(not.into_iter().map(|(m, why)| Manual {
            rule: "attack-upgrade".to_owned(),
            path: m.from,
            subject: m.to,
            reason: format!("not archived: {why}"),
        }));
    }
    for (m, why) in refused {
        manual.push(Manual {
            rule: "attack-outdated-name".to_owned(),
            path: m.from,
            subject: m.to,
            reason: format!("not renamed: {why}"),
        });
    }
    let cov = if archive.is_some() {
        coverage::coverage(
            &check::index_vault(&setup.options(root, None))?,
            setup.attack,
            setup.catalogue,
        )
    } else {
        cov
    };
    let mut vault_left = upgrade::Left::default();
    for kinds in cov.domains.values() {
        for k in kinds.values() {
            vault_left
                .covered
                .extend(k.covered.keys().map(String::as_str));
        }
    }
    for r in &cov.retired {
        if let Some(new) = &r.replacement {
            let ids = vault_left.merged_into.entry(new.as_str()).or_default();
            if !ids.contains(&r.id.as_str()) {
                ids.push(r.id.as_str());
            }
        }
    }
    let left = check::check(&setup.options(root, Some(&upgrade::DRIFT_RULES)))?;
    for d in &left.diagnostics {
        let why = archived.contains_key(&*d.path).then_some(
            "archived: the note keeps its old ID for the record; delete it once nothing needs it",
        );
        let mut m = upgrade::manual_of(d, why, &vault_left);
        m.path = original(&paths, &m.path);
        manual.push(m);
    }
    let new_objects = cov
        .domains
        .iter()
        .map(|(domain, kinds)| {
            let missing = kinds
                .iter()
                .filter(|(_, k)| !k.missing.is_empty())
                .map(|(kind, k)| (kind.clone(), k.missing.clone()))
                .collect();
            (domain.clone(), missing)
        })
        .collect();
    Ok(Worked {
        changes,
        manual,
        new_objects,
        retired: cov.retired,
        paths,
    })
}

/// The vault path a file of the copy had in the vault.
fn original(paths: &HashMap<String, String>, now: &str) -> String {
    paths.get(now).cloned().unwrap_or_else(|| now.to_owned())
}

/// Applies the fixes of the upgrade's rules, safe and unsafe, to the copy, and records them.
fn fix_pass(setup: &Setup<'_>, root: &Path, changes: &mut Vec<Change>) -> Result<(), Error> {
    let plan = fix::plan(
        &setup.options(root, Some(&upgrade::FIX_RULES)),
        FixOptions { unsafe_fixes: true },
    )?;
    for (path, written) in fix::write(root, &plan)? {
        if let fix::Written::Skipped(why) = written {
            return Err(Error::Usage(format!(
                "cannot upgrade `{path}`: {why}; nothing was changed"
            )));
        }
    }
    // A fix found again in a later pass of the same plan (a name cell rewritten once the
    // rename landed) is one change.
    for c in upgrade::changes_of_fixes(&plan.applied) {
        if !changes.contains(&c) {
            changes.push(c);
        }
    }
    Ok(())
}

type Done = Vec<(rename::Move, String, Option<usize>)>;
type Refused = Vec<(rename::Move, String)>;

/// Carries out `moves` (each with its cause) in the copy through the rename layer: all at
/// once when the layer accepts them together, else each alone; returns the moves made with
/// their cause and the links rewritten (counted when the move was planned alone), and the
/// moves refused with the reason.
fn carry_out(root: &Path, moves: Vec<(rename::Move, String)>) -> (Done, Refused) {
    let mut done = Vec::new();
    let mut refused = Vec::new();
    if moves.is_empty() {
        return (done, refused);
    }
    let all: Vec<rename::Move> = moves.iter().map(|(m, _)| m.clone()).collect();
    if let Ok(plan) = rename::plan(root, &all) {
        if plan.refusals.is_empty() && rename::journal::apply(&plan).is_ok() {
            let links = (plan.moves.len() == 1).then(|| plan.links());
            for (m, cause) in moves {
                done.push((m, cause, links));
            }
            return (done, refused);
        }
    }
    for (m, cause) in moves {
        let result = rename::plan(root, std::slice::from_ref(&m)).and_then(|plan| {
            if let Some(first) = plan.refusals.first() {
                return Err(Error::Usage(first.to_string()));
            }
            rename::journal::apply(&plan)?;
            Ok(Some(plan.links()))
        });
        match result {
            Ok(links) => done.push((m, cause, links)),
            Err(e) => refused.push((m, e.to_string())),
        }
    }
    (done, refused)
}

/// The vault's change as one rename plan: each moved file from its vault path to its path
/// in the copy, each file whose bytes differ rewritten.
fn combined_plan(
    root: &Path,
    scratch: &Path,
    originals: &BTreeMap<String, Vec<u8>>,
    moved: &HashMap<String, String>,
) -> Result<rename::Plan, Error> {
    let mut to_of: BTreeMap<&str, &str> = BTreeMap::new();
    for (now, was) in moved {
        to_of.insert(was, now);
    }
    let mut moves = Vec::new();
    let mut rewrites = Vec::new();
    for (path, bytes) in originals {
        let now = to_of.get(path.as_str()).copied().unwrap_or(path);
        let edited = std::fs::read(vault::abs_path(scratch, now))
            .map_err(|e| Error::Usage(format!("cannot read the scratch copy: {e}")))?;
        if now != path {
            moves.push(rename::Move {
                from: path.clone(),
                to: now.to_owned(),
            });
        }
        if edited != *bytes {
            rewrites.push(rename::Rewrite {
                from: Arc::from(path.as_str()),
                to: Arc::from(now),
                original: bytes.clone(),
                edited,
                links: 0,
            });
        }
    }
    Ok(rename::Plan {
        root: root.to_path_buf(),
        files: moves
            .iter()
            .map(|m| (Arc::from(m.from.as_str()), Arc::from(m.to.as_str())))
            .collect(),
        moves,
        rewrites,
        refusals: Vec::new(),
        notices: Vec::new(),
    })
}

/// The plan for a reader: changes grouped by kind with counts, then what is left.
fn human(report: &PlanReport, combined: &rename::Plan) -> String {
    let mut s = String::new();
    let total = report.changes.len();
    s.push_str(&format!(
        "ATT&CK upgrade to {}: {total} change{} in {} file{} ({} moved){}\n",
        report.release,
        plural(total),
        combined.rewrites.len(),
        plural(combined.rewrites.len()),
        combined.moves.len(),
        if report.applied { ", applied" } else { "" }
    ));
    for (kind, changes) in upgrade::grouped(&report.changes) {
        s.push_str(&format!("\n{} ({})\n", kind.title(), changes.len()));
        for c in changes {
            s.push_str(&format!(
                "  {}: {}: {}\n      because {}\n",
                c.path, c.subject, c.change, c.cause
            ));
        }
    }
    if !report.manual.is_empty() {
        s.push_str(&format!("\nleft for a person ({})\n", report.manual.len()));
        for m in &report.manual {
            s.push_str(&format!(
                "  {} [{}] {}: {}\n",
                m.path, m.rule, m.subject, m.reason
            ));
        }
    }
    let new: Vec<String> = report
        .new_objects
        .iter()
        .flat_map(|(domain, kinds)| {
            kinds
                .iter()
                .map(move |(kind, ids)| format!("{domain} {kind}: {}", ids.len()))
        })
        .collect();
    if !new.is_empty() {
        s.push_str("\nobjects without a note (create them, or regenerate the vault)\n");
        for line in new {
            s.push_str(&format!("  {line}\n"));
        }
    }
    if !report.retired.is_empty() {
        s.push_str(&format!(
            "\nnotes of revoked or deprecated objects ({}; `--archive FOLDER` moves them)\n",
            report.retired.len()
        ));
        for r in &report.retired {
            let to = r
                .replacement
                .as_ref()
                .map_or_else(String::new, |n| format!(", now `{n}`"));
            s.push_str(&format!("  {} ({} {}{to})\n", r.path, r.id, r.status));
        }
    }
    if !report.applied && total > 0 {
        s.push_str("\nrun with `--diff` to see the patch, `--apply` to carry it out\n");
    }
    s
}

/// Findings per rule.
fn per_rule(report: &Report) -> BTreeMap<&'static str, usize> {
    let mut counts: BTreeMap<&'static str, usize> = BTreeMap::new();
    for d in &report.diagnostics {
        *counts.entry(d.rule.name).or_default() += 1;
    }
    counts
}

/// ` (3 links rewritten)`, when counted.
fn links_note(links: Option<usize>) -> String {
    links.map_or_else(String::new, |n| {
        format!(" ({n} link{} rewritten)", plural(n))
    })
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

#[cfg(test)]
#[path = "attack_upgrade_tests.rs"]
mod tests;
