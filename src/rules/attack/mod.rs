//! The ATT&CK rule pack: its model, catalogue, index, rules and their helpers.
//!
//! The core (vault, parsing, resolution, the general rules) knows nothing of ATT&CK. This
//! pack builds its own index from the finished vault (`AttackIndex`: which notes declare
//! which IDs), and only when one of its rules is selected. Its rules see each note through
//! an `AttackContext`: the core's `NoteContext` plus that index and each link's ATT&CK
//! label.

mod catalog_outdated;
pub(crate) mod catalogue;
pub(crate) mod coverage;
mod deprecated_id;
mod duplicate_id;
mod fix;
mod id_mismatch;
mod invalid_layer;
pub(crate) mod layer;
mod layer_outdated;
mod layer_unknown_id;
pub(crate) mod layout;
pub(crate) mod lookup;
mod missing_relationship;
pub(crate) mod model;
mod name_mismatch;
mod outdated_name;
pub mod relations;
mod relationship_fix;
mod relationship_tables;
pub(crate) mod release;
mod revoked_id;
mod safe_fix;
pub(crate) mod settings;
mod stale_relationship;
pub(crate) mod stix_release;
mod tactic_mismatch;
mod unknown_id;
pub(crate) mod upgrade;
mod wrong_kind;

use std::collections::HashMap;
use std::sync::{Arc, OnceLock};

use rayon::prelude::*;

use crate::diagnostic::{Diagnostic, RuleMeta, Span};
use crate::index::{FileId, Vault};
use crate::parse::LinkRef;
use crate::resolve::Resolution;

use super::{Fold, JsonContext, NoteContext, Pack, PackRun, PackSummary};
pub(crate) use catalogue::{Catalogue, Entry};
pub use model::{link_label, AttackConfig, IdKind};
pub(crate) use model::{same_name, same_sub_name, Declared};

/// A rule of the ATT&CK pack: like [`super::Rule`], but it reads the pack's index too.
pub(crate) trait AttackRule: Sync {
    /// The rule's name, summary, default severity and docs.
    fn meta(&self) -> &'static RuleMeta;

    /// Checks one linted note; runs in parallel over notes.
    fn check_note(&self, _ctx: &AttackContext<'_>, _out: &mut Vec<Diagnostic>) {}

    /// Checks one Navigator layer of the vault (a linted JSON file read as a layer);
    /// runs in parallel with the notes.
    fn check_layer(&self, _ctx: &LayerContext<'_>, _out: &mut Vec<Diagnostic>) {}
}

/// The pack's rules, sorted by name.
static RULES: &[&dyn AttackRule] = &[
    &catalog_outdated::AttackCatalogOutdated,
    &deprecated_id::AttackDeprecatedId,
    &duplicate_id::AttackDuplicateId,
    &id_mismatch::AttackIdMismatch,
    &invalid_layer::AttackInvalidLayer,
    &layer_outdated::AttackLayerOutdated,
    &layer_unknown_id::AttackLayerUnknownId,
    &missing_relationship::AttackMissingRelationship,
    &name_mismatch::AttackNameMismatch,
    &outdated_name::AttackOutdatedName,
    &revoked_id::AttackRevokedId,
    &stale_relationship::AttackStaleRelationship,
    &tactic_mismatch::AttackTacticMismatch,
    &unknown_id::AttackUnknownId,
    &wrong_kind::AttackWrongKind,
];

/// The metadata of every rule in the pack, sorted by name.
pub(crate) fn rule_metas() -> impl Iterator<Item = &'static RuleMeta> {
    RULES.iter().map(|r| r.meta())
}

/// The ATT&CK pack with its settings: what counts as an ID where, and the catalogue the
/// IDs are checked against.
#[derive(Debug, Clone)]
pub(crate) struct AttackPack {
    /// ID patterns, kind folders and domain folders (`[attack]` in `vaultlint.toml`).
    pub(crate) config: Arc<AttackConfig>,
    /// The ATT&CK release the IDs are checked against (built in, or `--attack-catalog`).
    pub(crate) catalogue: Arc<Catalogue>,
    /// The release the vault is from, when the settings say (`[attack] release`); else the
    /// pack infers it from the notes ([`release::VaultRelease`]).
    pub(crate) release: Option<release::Release>,
    /// The run works out `attack upgrade`: the vault is being made the catalogue's
    /// release, so rules that judge only notes of the catalogue's release
    /// (`attack-tactic-mismatch`) judge the notes of an older vault too.
    pub(crate) upgrading: bool,
}

impl Default for AttackPack {
    /// The default ID patterns and folders, and the built-in catalogue.
    fn default() -> Self {
        AttackPack {
            config: AttackConfig::default_shared(),
            catalogue: Catalogue::built_in_shared(),
            release: None,
            upgrading: false,
        }
    }
}

impl Pack for AttackPack {
    fn start<'v>(
        &'v self,
        vault: &'v Vault,
        selected: &[&'static RuleMeta],
    ) -> Option<Box<dyn PackRun + 'v>> {
        let rules = super::selected_rules(RULES, selected, |r| r.meta());
        if rules.is_empty() {
            return None;
        }
        let mut index = AttackIndex::build(vault, &self.config, &self.catalogue, self.release);
        index.upgrading = self.upgrading;
        Some(Box::new(AttackRun { index, rules }))
    }
}

/// One run of the pack over one vault.
struct AttackRun {
    index: AttackIndex,
    rules: Vec<&'static dyn AttackRule>,
}

impl PackRun for AttackRun {
    fn check_note(&self, ctx: &NoteContext<'_>, out: &mut Vec<Diagnostic>) -> usize {
        let config = &self.index.config;
        let labels: Vec<_> = ctx
            .note
            .links()
            .zip(ctx.resolutions)
            .map(|(l, r)| {
                // A campaign named by its ID (`C0017`) declares it: then the label is the ID.
                let display = l.display().map_or("", str::trim);
                let target = || {
                    r.file()
                        .filter(|&f| !self.index.declares(f, display))
                        .map(|f| self.index.note_name(f, ctx.vault.path(f)).into_owned())
                };
                link_label(l, config, target)
            })
            .collect();
        // The relationship rules read the same tables, and `attack-revoked-id` to relabel
        // only rows the release has; built once per note, and only when one of them runs.
        // A vault newer than its catalogue has relationships the catalogue cannot judge
        // (`attack-catalog-outdated` says so once).
        let tables = if !self.index.release.newer
            && self.rules.iter().any(|r| {
                [
                    missing_relationship::NAME,
                    stale_relationship::NAME,
                    revoked_id::NAME,
                ]
                .contains(&r.meta().name)
            }) {
            relationship_tables::relationship_tables(&AttackContext {
                base: ctx,
                index: &self.index,
                labels: &labels,
                tables: &[],
            })
        } else {
            Vec::new()
        };
        let actx = AttackContext {
            base: ctx,
            index: &self.index,
            labels: &labels,
            tables: &tables,
        };
        let start = out.len();
        for rule in &self.rules {
            rule.check_note(&actx, out);
        }
        one_finding_per_label(out, start);
        safe_fix::guard_ambiguous_fixes(&actx, &mut out[..start]);
        labels.iter().filter(|l| l.is_some()).count()
    }

    /// A JSON file that is a Navigator layer (or has a layer's keys but does not load) is
    /// checked by the rules' [`AttackRule::check_layer`]; any other JSON file is not.
    fn check_json(&self, ctx: &JsonContext<'_>, out: &mut Vec<Diagnostic>) {
        let read = layer::read(ctx.text);
        let (found, invalid) = match &read {
            layer::Read::NotLayer => return,
            layer::Read::Invalid { message, at } => (None, Some((message.as_str(), at))),
            layer::Read::Layer(l) => (Some(l), None),
        };
        let checked = found.map(|l| layer::check(l, &self.index.catalogue));
        let plan = found
            .zip(checked.as_ref())
            .and_then(|(l, c)| layer::plan(ctx.text, l, c));
        let lines = crate::parse::LineIndex::new(ctx.text);
        let lctx = LayerContext {
            path: ctx.path,
            text: ctx.text,
            index: &self.index,
            layer: found,
            checked: checked.as_ref(),
            plan: plan.as_ref(),
            invalid,
            lines: &lines,
        };
        for rule in &self.rules {
            rule.check_layer(&lctx, out);
        }
    }

    /// Only a linted note declaring an ID that ATT&CK revoked can be a stale note whose
    /// links [`id_mismatch::StaleFold`] folds into its finding, and only when
    /// `attack-id-mismatch` runs.
    fn fold(&self, vault: &Vault) -> Option<Box<dyn Fold + '_>> {
        let stale = self
            .rules
            .iter()
            .any(|r| r.meta().name == id_mismatch::NAME)
            && self.index.declared.iter().enumerate().any(|(file, ids)| {
                vault.files[file].lint
                    && ids
                        .iter()
                        .any(|d| self.index.catalogue.all(&d.id).iter().any(|e| e.revoked))
            });
        stale.then(|| Box::new(id_mismatch::StaleFold::new(vault)) as Box<dyn Fold>)
    }

    fn summary(&self, checked: usize) -> PackSummary {
        let version = self.index.catalogue.version.clone();
        let folders = self.index.layout_folders();
        let mut lines: Vec<String> = Vec::new();
        if checked > 0 {
            lines.push(format!(
                "{checked} ID-labelled link{} checked against {version}",
                if checked == 1 { "" } else { "s" }
            ));
        }
        let r = &self.index.release;
        let vault_release = if r.newer {
            "newer"
        } else if r.older() {
            "older"
        } else {
            "same"
        };
        if r.older() {
            lines.push(match r.pinned {
                Some(p) => format!("the vault is pinned to ATT&CK {}, older than the catalogue: findings include what ATT&CK changed since", release::shown(p)),
                None => format!(
                    "the vault looks made from an ATT&CK release older than the catalogue's: {} of the {} IDs its notes declare are revoked or deprecated there; findings include what ATT&CK changed since",
                    r.retired, r.declared
                ),
            });
        }
        if checked > 0 || !folders.is_empty() {
            lines.extend(
                folders
                    .iter()
                    .take(MAX_LAYOUT_LINES)
                    .map(|(folder, l)| layout_line(folder, l)),
            );
            if folders.len() > MAX_LAYOUT_LINES {
                lines.push(format!(
                    "ATT&CK layout: {} more folders (see `attack_layouts` in --format json)",
                    folders.len() - MAX_LAYOUT_LINES
                ));
            }
        }
        PackSummary {
            lines,
            fields: vec![
                ("attack_links", serde_json::Value::from(checked)),
                ("attack_catalog", serde_json::Value::from(version)),
                (
                    "attack_releases",
                    serde_json::Value::Object(
                        self.index
                            .catalogue
                            .releases
                            .iter()
                            .map(|(d, r)| (d.clone(), serde_json::Value::from(r.as_str())))
                            .collect(),
                    ),
                ),
                (
                    "attack_vault_release",
                    serde_json::json!({
                        "relation": vault_release,
                        "pinned": r.pinned.map(release::shown),
                        "catalog_release": r.catalogue.map(release::shown),
                        "declared_ids": r.declared,
                        "unknown_declared_ids": r.unknown.len(),
                        "retired_declared_ids": r.retired,
                    }),
                ),
                (
                    "attack_layouts",
                    serde_json::Value::Array(
                        folders.iter().map(|(f, l)| layout_json(f, l)).collect(),
                    ),
                ),
            ],
        }
    }
}

/// Most folders whose layout the human summary lists; the JSON lists them all.
const MAX_LAYOUT_LINES: usize = 12;

/// A folder's layout as a summary line: "ATT&CK layout of `kb/techniques/`: technique
/// folder, 120 notes named `ID-Name.md`, `_` for spaces, IDs also under `mitre_id`".
fn layout_line(folder: &str, l: &model::FolderLayout) -> String {
    let mut parts = vec![format!(
        "{}{} note{}{}",
        l.kind
            .map_or(String::new(), |k| format!("{} folder, ", k.name())),
        l.notes,
        if l.notes == 1 { "" } else { "s" },
        l.arrangement
            .map_or(String::new(), |a| format!(" named `{}.md`", a.shown()))
    )];
    if l.underscores {
        parts.push("`_` for spaces".to_owned());
    }
    if !l.id_keys.is_empty() {
        parts.push(format!("IDs also under `{}`", l.id_keys.join("`, `")));
    }
    let shown = if folder.is_empty() {
        "the vault root".to_owned()
    } else {
        format!("`{folder}/`")
    };
    format!("ATT&CK layout of {shown}: {}", parts.join(", "))
}

/// A folder's layout as an entry of the JSON summary's `attack_layouts`.
fn layout_json(folder: &str, l: &model::FolderLayout) -> serde_json::Value {
    serde_json::json!({
        "folder": folder,
        "kind": l.kind.map(IdKind::name),
        "notes": l.notes,
        "file_names": l.arrangement.map(model::Arrangement::shown),
        "underscores_for_spaces": l.underscores,
        "id_keys": l.id_keys,
    })
}

/// The pack's index of one vault: which notes declare which IDs, built once per run from
/// the vault's outlines, with the settings it was built under.
#[derive(Debug)]
pub(crate) struct AttackIndex {
    /// ID patterns, kind folders and domain folders.
    pub config: Arc<AttackConfig>,
    /// The ATT&CK release the IDs are checked against.
    pub catalogue: Arc<Catalogue>,
    /// The release the vault looks made from, against the catalogue's.
    pub release: release::VaultRelease,
    /// The run works out `attack upgrade` ([`AttackPack::upgrading`]).
    pub upgrading: bool,
    /// Parallel to the vault's files: the IDs each note declares, the primary ID first.
    pub declared: Vec<Vec<Declared>>,
    /// ID → the notes declaring it, by file id, each once.
    pub by_id: HashMap<String, Vec<FileId>>,
    /// Parallel to the vault's files: each note's domain scope ([`AttackConfig::scope`]) as
    /// a number into `scope_ids`; `u32::MAX` for files without an outline. Duplicate and
    /// fix checks compare the scopes of every copy of an ID for every mention, which
    /// rebuilt the same strings millions of times on a vault of 100,000 notes.
    scopes: Vec<u32>,
    /// Each distinct scope text → its number.
    scope_ids: HashMap<String, u32>,
    /// Parallel to the vault's files: [`AttackConfig::domain_at`] of each path, computed
    /// once (rules asked it for every ID mention and every candidate note: 8% of a run on
    /// an ATT&CK vault).
    domains: Vec<Option<(usize, usize)>>,
    /// Parallel to the vault's files: the byte length of each path's layout folder
    /// ([`model::layout_folder`]), for the note names that rules ask for every link into a
    /// table row or labelled with an ID.
    layout_ends: Vec<usize>,
    /// Parallel to the vault's files: the byte length of each path's kind folder and its
    /// kind ([`AttackConfig::kind_folder`]), which rules ask of the target of every
    /// ID-labelled link (2.7% of a run on an ATT&CK vault of 10,000 notes when worked out
    /// from the path each time).
    kind_folders: Vec<Option<(usize, IdKind)>>,
    /// Parallel to the vault's files: each note's name ([`AttackIndex::note_name`]), worked
    /// out the first time a rule asks (4% of a run on an ATT&CK vault of 10,000 notes when
    /// worked out for every link into the note).
    names: Vec<OnceLock<Box<str>>>,
}

impl AttackIndex {
    /// Reads every note's declared IDs from its outline.
    pub(crate) fn build(
        vault: &Vault,
        config: &Arc<AttackConfig>,
        catalogue: &Arc<Catalogue>,
        pinned: Option<release::Release>,
    ) -> Self {
        // What each path says (kind, layout and domain folders) is worked out once per
        // folder; none of it depends on the layout inferred from it.
        let facts =
            model::PathFacts::of_paths(config, (0..vault.files.len()).map(|id| &**vault.path(id)));
        // Each note's file name split into ID and name, which the layout and the
        // declarations both read: split once, in parallel.
        let splits: Vec<Vec<model::Stem<'_>>> = (0..vault.files.len())
            .into_par_iter()
            .map(|id| match vault.outline(id) {
                Some(_) => model::split_stem(model::file_stem(vault.path(id)), config),
                None => Vec::new(),
            })
            .collect();
        let mut inferred = AttackConfig::clone(config);
        inferred.layout = layout::infer(vault, config, &facts, &splits);
        let config = &Arc::new(inferred);
        // Each note's layout folder, looked up once per run of notes in it (a vault with no
        // IDs has a layout folder per folder, and searching them per note was a tenth of
        // this index).
        let mut last: Option<(&str, Option<&model::FolderLayout>)> = None;
        let layouts: Vec<Option<&model::FolderLayout>> = facts
            .iter()
            .enumerate()
            .map(|(id, f)| {
                let folder = f.layout_folder(vault.path(id));
                match last {
                    Some((l, layout)) if l == folder => layout,
                    _ => {
                        let layout = config.layout.at(f, vault.path(id));
                        last = Some((folder, layout));
                        layout
                    }
                }
            })
            .collect();
        // Each file's IDs depend on that file alone: computed in parallel, which halves
        // this index's part of a warm-cache run (a quarter of it on a vault of 100,000
        // notes).
        let declared: Vec<Vec<Declared>> = (0..vault.files.len())
            .into_par_iter()
            .map(|id| {
                vault.outline(id).map_or_else(Vec::new, |o| {
                    model::declared_ids(o, config, &facts[id], layouts[id], &splits[id])
                })
            })
            .collect();
        let mut by_id: HashMap<String, Vec<FileId>> = HashMap::new();
        for (file, ids) in declared.iter().enumerate() {
            for d in ids {
                let files = by_id.entry(d.id.clone()).or_default();
                if files.last() != Some(&file) {
                    files.push(file);
                }
            }
        }
        // Neighbouring notes mostly share a scope: its text is built and looked up once
        // per run of them.
        let mut scope_ids: HashMap<String, u32> = HashMap::new();
        let mut last: Option<((&str, &str), u32)> = None;
        let scopes = (0..vault.files.len())
            .map(|id| {
                if vault.outline(id).is_none() {
                    return u32::MAX;
                }
                let path = vault.path(id);
                let parts = facts[id].scope_parts(path);
                if let Some((_, n)) = last.filter(|(p, _)| *p == parts) {
                    return n;
                }
                let next = u32::try_from(scope_ids.len()).unwrap_or(u32::MAX);
                let n = *scope_ids.entry(facts[id].scope(path)).or_insert(next);
                last = Some((parts, n));
                n
            })
            .collect();
        let domains = facts.iter().map(|f| f.domain).collect();
        let layout_ends = (0..vault.files.len())
            .map(|id| facts[id].layout_folder(vault.path(id)).len())
            .collect();
        let kind_folders = facts
            .iter()
            .map(model::PathFacts::kind_folder_end)
            .collect();
        let names = (0..vault.files.len()).map(|_| OnceLock::new()).collect();
        let release = release::VaultRelease::infer(vault, catalogue, &declared, &facts, pinned);
        AttackIndex {
            config: Arc::clone(config),
            catalogue: Arc::clone(catalogue),
            release,
            upgrading: false,
            declared,
            by_id,
            scopes,
            scope_ids,
            domains,
            layout_ends,
            kind_folders,
            names,
        }
    }

    /// The name of note `file` at `path` as ATT&CK writes it ([`AttackConfig::note_name`]),
    /// read under the layout folder found when the index was built; `path` is the file's.
    /// Worked out once per note.
    pub(crate) fn note_name(&self, file: FileId, path: &str) -> std::borrow::Cow<'_, str> {
        let work_out = || match self.layout_ends.get(file).and_then(|&end| path.get(..end)) {
            Some(folder) => self
                .config
                .note_name_in(path, self.config.layout.folders.get(folder)),
            None => self.config.note_name(path),
        };
        match self.names.get(file) {
            Some(name) => std::borrow::Cow::Borrowed(name.get_or_init(|| work_out().into())),
            None => std::borrow::Cow::Owned(work_out()),
        }
    }

    /// The kind folder of file `file` at `path` and its kind ([`AttackConfig::kind_folder`]),
    /// worked out when the index was built; `path` is the file's.
    pub(crate) fn kind_folder<'p>(&self, file: FileId, path: &'p str) -> Option<(&'p str, IdKind)> {
        match self.kind_folders.get(file) {
            Some(&found) => found.and_then(|(end, kind)| Some((path.get(..end)?, kind))),
            None => self.config.kind_folder(path),
        }
    }

    /// The kind of note the folders of file `file` at `path` hold
    /// ([`AttackConfig::folder_kind`]); `path` is the file's.
    pub(crate) fn folder_kind(&self, file: FileId, path: &str) -> Option<IdKind> {
        self.kind_folder(file, path).map(|(_, kind)| kind)
    }

    /// The catalogue domain of the domain folder file `file` sits in
    /// ([`AttackConfig::domain_of`]).
    pub(crate) fn domain(&self, file: FileId) -> Option<&str> {
        let (_, i) = (*self.domains.get(file)?)?;
        self.config.domain_name(i)
    }

    /// The domain folder file `file` (at `path`) sits in: its path up to and including
    /// that folder ([`AttackConfig::domain_of`]).
    pub(crate) fn domain_folder<'p>(&self, file: FileId, path: &'p str) -> Option<&'p str> {
        let (end, _) = (*self.domains.get(file)?)?;
        path.get(..end)
    }

    /// The domain scope of file `file` at `path` as a number: equal numbers, equal scopes.
    /// `None` for a file whose scope no note shares.
    pub(crate) fn scope(&self, file: FileId, path: &str) -> Option<u32> {
        match self.scopes.get(file) {
            Some(&id) if id != u32::MAX => Some(id),
            _ => self.scope_ids.get(&self.config.scope(path)).copied(),
        }
    }

    /// The layout folders worth showing, by path: kind folders, and folders whose file
    /// names or keys carry IDs.
    pub(crate) fn layout_folders(&self) -> Vec<(&str, &model::FolderLayout)> {
        self.config
            .layout
            .folders
            .iter()
            .filter(|(_, l)| {
                l.kind.is_some()
                    || l.arrangement.is_some_and(|a| a != model::Arrangement::Name)
                    || !l.id_keys.is_empty()
            })
            .map(|(f, l)| (f.as_str(), l))
            .collect()
    }

    /// Whether note `file` declares `id`.
    pub(crate) fn declares(&self, file: FileId, id: &str) -> bool {
        self.declared
            .get(file)
            .is_some_and(|d| d.iter().any(|x| x.id == id))
    }

    /// The ID note `file` stands for: its first declaration.
    pub(crate) fn primary(&self, file: FileId) -> Option<&Declared> {
        self.declared.get(file).and_then(|d| d.first())
    }
}

/// Keeps one finding per wrong label (in `out[start..]`, one note's findings), for a link
/// that both `attack-id-mismatch` and a label rule report:
/// - a revoked label: `attack-revoked-id` names the replacement and fixes the label, so the
///   mismatch is dropped;
/// - a label ATT&CK does not know (usually a typo, `T1036.080`): `attack-id-mismatch` names
///   the ID the opened note declares, the value the label most likely meant, so the
///   `attack-unknown-id` on the label is dropped.
fn one_finding_per_label(out: &mut Vec<Diagnostic>, start: usize) {
    let at = |rule: &str| -> Vec<usize> {
        out[start..]
            .iter()
            .filter(|d| d.rule.name == rule)
            .filter_map(|d| d.span.map(|s| s.start))
            .collect()
    };
    let revoked = at(revoked_id::NAME);
    let mismatched = at(id_mismatch::NAME);
    if mismatched.is_empty() {
        return;
    }
    let mut i = start;
    out.retain(|d| {
        let at_start = |starts: &[usize]| d.span.is_some_and(|s| starts.contains(&s.start));
        let keep = i < start
            || match d.rule.name {
                id_mismatch::NAME => !at_start(&revoked),
                unknown_id::NAME => !at_start(&mismatched),
                _ => true,
            };
        i += 1;
        keep
    });
}

/// A Navigator layer as the pack's rules see it ([`layer`]): read, checked against the
/// catalogue, with its upgrade planned once for every rule.
pub(crate) struct LayerContext<'a> {
    /// The layer's vault path.
    pub path: &'a Arc<str>,
    /// The layer's text, which every span and fix edit indexes.
    pub text: &'a str,
    /// The pack's index (its catalogue and the vault's release).
    pub index: &'a AttackIndex,
    /// The layer, when it loads.
    pub layer: Option<&'a layer::Layer>,
    /// The layer checked against the catalogue, when it loads.
    pub checked: Option<&'a layer::LayerCheck>,
    /// Its upgrade, when there is one ([`layer::plan`]).
    pub plan: Option<&'a layer::LayerPlan>,
    /// When it has a layer's keys but does not load: why, and where (byte range).
    pub invalid: Option<(&'a str, &'a std::ops::Range<usize>)>,
    lines: &'a crate::parse::LineIndex<'a>,
}

impl LayerContext<'_> {
    /// The span of a byte range of the layer's text; a JSON string's range loses its quotes.
    pub(crate) fn span(&self, range: &std::ops::Range<usize>) -> Span {
        let quoted = range.len() >= 2
            && self
                .text
                .get(range.clone())
                .is_some_and(|t| t.starts_with('"') && t.ends_with('"'));
        if quoted {
            self.lines.span(range.start + 1, range.end - 1)
        } else {
            self.lines.span(range.start, range.end)
        }
    }
}

/// One note as the pack's rules see it: the core's context, the pack's index and each
/// link's ATT&CK label.
pub(crate) struct AttackContext<'a> {
    pub base: &'a NoteContext<'a>,
    pub index: &'a AttackIndex,
    /// Parallel to `base.note.links`: each link's ATT&CK label, computed once per note.
    pub labels: &'a [Option<(String, IdKind)>],
    /// The note's relationship tables ([`relationship_tables::relationship_tables`]), built
    /// once per note when a relationship rule runs; empty otherwise.
    pub tables: &'a [relationship_tables::RelationshipTable],
}

impl<'a> std::ops::Deref for AttackContext<'a> {
    type Target = NoteContext<'a>;

    fn deref(&self) -> &NoteContext<'a> {
        self.base
    }
}

/// An ID-labelled link, with its label and the note it opens.
pub(crate) struct LabelledLink<'a> {
    pub link: LinkRef<'a>,
    /// The note the link opens, if it resolves to a note.
    pub target: Option<FileId>,
    /// When Obsidian's ranking ties between `target` and this note (names that differ only
    /// in case), the file system decides which opens: rules must not claim either.
    pub tied: Option<FileId>,
    pub id: String,
    pub kind: IdKind,
}

impl LabelledLink<'_> {
    /// The notes the link may open: the target, and the note it ties with.
    pub(crate) fn candidates(&self) -> impl Iterator<Item = FileId> + '_ {
        self.target.into_iter().chain(self.tied)
    }

    /// How a message names the note the link opens: `` `a.md` ``, or, on a tie,
    /// `` `a.md` or `b.md` (which one depends on the file system) ``.
    pub(crate) fn opens(&self, vault: &Vault) -> String {
        match (self.target, self.tied) {
            (Some(t), Some(o)) => format!(
                "`{}` or `{}` (they tie on Obsidian's ranking; which one opens depends on the file system)",
                vault.path(t),
                vault.path(o)
            ),
            (Some(t), None) => format!("`{}`", vault.path(t)),
            _ => String::new(),
        }
    }
}

/// The note's ID-labelled links (reference: [`link_label`]).
pub(crate) fn labelled_links<'a>(
    ctx: &'a AttackContext<'_>,
) -> impl Iterator<Item = LabelledLink<'a>> + 'a {
    ctx.note
        .links()
        .zip(ctx.resolutions)
        .zip(ctx.labels)
        .filter(|((link, _), _)| link.problem.is_none())
        .filter_map(move |((link, resolution), label)| {
            let (id, kind) = label.clone()?;
            let target = resolution
                .file()
                .filter(|&f| ctx.vault.outline(f).is_some());
            let tied = match resolution {
                Resolution::Found {
                    tie: true, others, ..
                } => others
                    .first()
                    .copied()
                    .filter(|&f| ctx.vault.outline(f).is_some()),
                _ => None,
            }
            .filter(|_| target.is_some());
            Some(LabelledLink {
                link,
                target,
                tied,
                id,
                kind,
            })
        })
}

/// An ATT&CK ID a note mentions: one it declares, or the label of one of its links.
pub(crate) struct Mention<'a> {
    pub id: String,
    pub kind: IdKind,
    pub span: Span,
    /// For a link label: the note the link opens (if it resolves), and whether the link
    /// sits in a table row.
    pub link: Option<(Option<FileId>, bool)>,
    /// For a link label: the link.
    pub labelled: Option<LinkRef<'a>>,
}

impl Mention<'_> {
    /// How a message says the note mentions the ID.
    pub(crate) fn verb(&self) -> &'static str {
        if self.link.is_some() {
            "links to"
        } else {
            "declares"
        }
    }
}

/// Every ATT&CK ID a note mentions. Catalogue rules check them all.
pub(crate) fn mentioned_ids<'a>(ctx: &'a AttackContext<'_>) -> Vec<Mention<'a>> {
    let mut out: Vec<Mention> = ctx
        .index
        .declared
        .get(ctx.id)
        .into_iter()
        .flatten()
        .map(|d| Mention {
            id: d.id.clone(),
            kind: d.kind,
            span: d.span(ctx.note),
            link: None,
            labelled: None,
        })
        .collect();
    out.extend(labelled_links(ctx).map(|l| Mention {
        id: l.id,
        kind: l.kind,
        span: l.link.span,
        link: Some((l.target, l.link.table().is_some())),
        labelled: Some(l.link),
    }));
    out
}

/// The catalogue row for an ID written in note `file`, preferring its domain.
pub(crate) fn catalogue_entry<'i>(
    index: &'i AttackIndex,
    file: FileId,
    id: &str,
    kind: IdKind,
) -> Option<&'i Entry> {
    index.catalogue.lookup(id, kind, index.domain(file))
}

/// A wiki-link to the note at `path` labelled `label`; in a table row the pipe is escaped,
/// so the suggestion can be pasted as is.
pub(crate) fn wiki_link(path: &str, label: &str, in_table: bool) -> String {
    let target = path.strip_suffix(".md").unwrap_or(path);
    let pipe = if in_table { "\\|" } else { "|" };
    format!("[[{target}{pipe}{label}]]")
}

/// The note declaring `id` that a link most likely meant: in the domain folder of `near`,
/// else of the linking note, else the first by path. `kind` keeps only notes in folders of
/// that kind; `except` is left out.
pub(crate) fn nearest_declaring(
    ctx: &AttackContext<'_>,
    id: &str,
    near: Option<FileId>,
    kind: Option<IdKind>,
    except: Option<FileId>,
) -> Option<FileId> {
    let vault = ctx.vault;
    let domain = |f: FileId| ctx.index.domain_folder(f, vault.path(f));
    let near_domain = near.and_then(domain);
    let source_domain = domain(ctx.id);
    ctx.index
        .by_id
        .get(id)?
        .iter()
        .copied()
        .filter(|&f| Some(f) != except)
        .filter(|&f| kind.is_none_or(|k| ctx.index.folder_kind(f, vault.path(f)) == Some(k)))
        .min_by_key(|&f| {
            let d = domain(f);
            (d != near_domain, d != source_domain, vault.path(f).clone())
        })
}

/// Whether `written` is the catalogue object `entry`'s name, a sub-technique's also when
/// written with its parent's name ([`same_sub_name`]).
pub(crate) fn names_entry(index: &AttackIndex, file: FileId, written: &str, entry: &Entry) -> bool {
    if same_name(written, &entry.name) {
        return true;
    }
    let Some((parent, _)) = entry.id.split_once('.') else {
        return false;
    };
    let parent = catalogue_entry(index, file, parent, IdKind::Technique).map(|e| e.name.as_str());
    parent.is_some() && same_sub_name(written, &entry.name, parent)
}

/// The IDs that replaced a revoked ID, in order (`T1073` → `T1574.002` → `T1574.001`).
pub(crate) fn revocation_chain(
    index: &AttackIndex,
    file: FileId,
    id: &str,
    kind: IdKind,
) -> Vec<String> {
    let mut chain = Vec::new();
    let mut current = id.to_owned();
    while let Some(next) = catalogue_entry(index, file, &current, kind)
        .filter(|e| e.revoked)
        .and_then(|e| e.revoked_by.clone().or_else(|| e.replacement.clone()))
    {
        if next == id || chain.contains(&next) || chain.len() > 16 {
            break;
        }
        chain.push(next.clone());
        current = next;
    }
    chain
}
