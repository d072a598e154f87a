//! The rules, ruff-style: each rule in its own file with its docs, message and check,
//! grouped in packs.
//!
//! Rules are pure. They read the parsed, resolved vault and push diagnostics; they never
//! touch the filesystem, the environment or shared mutable state (a test in
//! `tests/integration/architecture.rs` enforces it).
//!
//! A `Pack` is a group of rules that share state built from the finished vault (ruff's
//! "linter"). The general rules in this folder form the core pack; the ATT&CK pack lives
//! in [`attack`] with its own model, catalogue and index. A new general rule goes in its
//! own file here and in `CORE`; a new pack goes in its own folder with a type that
//! implements `Pack`, listed in `packs` and [`all`].

pub mod attack;

mod ambiguous_link;
mod broken_link;
mod deprecated_property;
pub(crate) mod edit;
mod invalid_canvas;
mod invalid_front_matter;
mod invalid_utf8;
mod missing_block;
mod missing_heading;
mod partial_path_match;
mod skipped_symlink;
mod unescaped_table_pipe;
mod unquoted_property_link;
mod unreadable_file;
pub(crate) mod unused_suppression;

use std::sync::{Arc, OnceLock};

use crate::diagnostic::Diagnostic;
pub use crate::diagnostic::RuleMeta;
use crate::index::{FileId, Vault};
use crate::parse::Note;
use crate::resolve::Resolution;

/// One note, with everything a rule needs to check it.
pub(crate) struct NoteContext<'a> {
    /// The whole vault, read-only.
    pub(crate) vault: &'a Vault,
    /// The note being checked.
    pub(crate) id: FileId,
    /// The note, fully parsed.
    pub(crate) note: &'a Note,
    /// The note's vault-relative path.
    pub(crate) path: &'a Arc<str>,
    /// Parallel to `note.links`: where each link leads.
    pub(crate) resolutions: &'a [Resolution],
    /// For a canvas that is not valid JSON Canvas: the parser's message and where it
    /// stopped. Always `None` for notes.
    pub(crate) canvas_error: Option<&'a (String, crate::diagnostic::Span)>,
    /// The note's text, which every span and fix edit indexes (bytes, BOM removed); read
    /// through [`NoteContext::text`] only when a rule needs it (a fix's edits).
    pub(crate) text: &'a LazyText<'a>,
}

impl<'a> NoteContext<'a> {
    /// The note's text (bytes, BOM removed), which every span and fix edit indexes. A note
    /// checked from its record is read again here, the first time a rule asks: only a
    /// finding with a fix needs the text.
    pub(crate) fn text(&self) -> &'a str {
        self.text.get()
    }
}

/// A note's text, given or read on first use.
pub(crate) enum LazyText<'a> {
    /// The text, at hand.
    Given(&'a str),
    /// Read by `read` the first time it is asked for (`None`: the note can no longer be
    /// read, and reads as empty).
    Read {
        /// Reads the note.
        read: &'a (dyn Fn() -> Option<String> + Sync),
        /// The text once read.
        text: OnceLock<Option<String>>,
    },
}

impl<'a> LazyText<'a> {
    /// A text read by `read` when first asked for.
    pub(crate) fn read(read: &'a (dyn Fn() -> Option<String> + Sync)) -> Self {
        LazyText::Read {
            read,
            text: OnceLock::new(),
        }
    }

    /// The text, read now if it was not yet.
    pub(crate) fn get(&'a self) -> &'a str {
        match self {
            LazyText::Given(text) => text,
            LazyText::Read { read, text } => text.get_or_init(read).as_deref().unwrap_or(""),
        }
    }

    /// For a text read on use: `None` if no rule asked for it, else what was read.
    pub(crate) fn loaded(&self) -> Option<Option<&str>> {
        match self {
            LazyText::Given(text) => Some(Some(text)),
            LazyText::Read { text, .. } => text.get().map(Option::as_deref),
        }
    }
}

/// A JSON file of the vault that is not a canvas, for packs that check files of their own
/// JSON formats (the ATT&CK pack: Navigator layers). It has no links: Obsidian indexes none
/// in it.
pub(crate) struct JsonContext<'a> {
    /// Its vault-relative path.
    pub(crate) path: &'a Arc<str>,
    /// Its text (BOM removed), which every span and fix edit indexes.
    pub(crate) text: &'a str,
}

/// A general rule: it reads the vault and the note and needs no index of its own.
pub(crate) trait Rule: Sync {
    /// The rule's name, summary, default severity and docs.
    fn meta(&self) -> &'static RuleMeta;

    /// Checks one linted note; runs in parallel over notes.
    fn check_note(&self, _ctx: &NoteContext<'_>, _out: &mut Vec<Diagnostic>) {}

    /// Checks the vault as a whole (file-level problems); runs once per run.
    fn check_vault(&self, _vault: &Vault, _out: &mut Vec<Diagnostic>) {}
}

/// A group of rules sharing per-run state built from the finished vault.
pub(crate) trait Pack: Send + Sync {
    /// Prepares a run of the pack's `selected` rules over `vault`, building whatever index
    /// they need; `None` when none of its rules is selected, so an unused pack costs nothing.
    fn start<'v>(
        &'v self,
        vault: &'v Vault,
        selected: &[&'static RuleMeta],
    ) -> Option<Box<dyn PackRun + 'v>>;
}

/// Moves findings from the notes where rules found them into one finding per defect at
/// another note. The check pass feeds it every note's findings in path order, then asks
/// it to rewrite the notes it names; what it keeps in between is bounded by the notes it
/// rewrites, not by the findings it takes.
pub(crate) trait Fold {
    /// Takes out of one file's findings (sorted by [`Diagnostic::sort_key`]; files come in
    /// path order, each once) those this fold reports elsewhere.
    fn take(&mut self, found: &mut Vec<Diagnostic>);

    /// After every file: the vault paths of the notes whose findings [`Fold::apply`]
    /// changes, sorted, each once.
    fn rewritten(&self) -> Vec<Arc<str>>;

    /// Adds to `found`, the findings of note `path` (one of [`Fold::rewritten`], possibly
    /// none), what was taken for it.
    fn apply(&self, path: &Arc<str>, found: &mut Vec<Diagnostic>);
}

/// One run of a pack over one vault. `Send`: a run is started on the check's worker threads
/// (its index built in parallel there) and handed back to the calling thread.
pub(crate) trait PackRun: Send + Sync {
    /// Runs the selected rules on one note; returns how many items (e.g. ID-labelled links)
    /// the pack checked in it, for the summary.
    fn check_note(&self, ctx: &NoteContext<'_>, out: &mut Vec<Diagnostic>) -> usize;

    /// Runs the selected rules on one linted JSON file that is not a canvas; most packs
    /// read none.
    fn check_json(&self, _ctx: &JsonContext<'_>, _out: &mut Vec<Diagnostic>) {}

    /// Runs the selected rules' whole-vault checks (file-level problems); runs once, before
    /// the notes are checked.
    fn check_vault(&self, _vault: &Vault, _out: &mut Vec<Diagnostic>) {}

    /// A fold for this vault, when the pack reports some of its rules' per-note findings
    /// once, elsewhere (the ATT&CK pack folds links into a stale note into that note's
    /// finding); `None` when nothing in this vault can be folded.
    fn fold(&self, _vault: &Vault) -> Option<Box<dyn Fold + '_>> {
        None
    }

    /// What the pack adds to the summary, given the sum of `check_note`'s counts.
    fn summary(&self, checked: usize) -> PackSummary;
}

/// What a pack adds to a run's summary.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct PackSummary {
    /// Lines for the human format's summary, if there is anything to say.
    pub(crate) lines: Vec<String>,
    /// Fields of the JSON `summary` object, in order.
    pub(crate) fields: Vec<(&'static str, serde_json::Value)>,
}

/// The general rules, sorted by name.
pub(crate) static CORE: &[&dyn Rule] = &[
    &ambiguous_link::AmbiguousLink,
    &broken_link::BrokenLink,
    &deprecated_property::DeprecatedProperty,
    &invalid_canvas::InvalidCanvas,
    &invalid_front_matter::InvalidFrontMatter,
    &invalid_utf8::InvalidUtf8,
    &missing_block::MissingBlock,
    &missing_heading::MissingHeading,
    &partial_path_match::PartialPathMatch,
    &skipped_symlink::SkippedSymlink,
    &unescaped_table_pipe::UnescapedTablePipe,
    &unquoted_property_link::UnquotedPropertyLink,
    &unreadable_file::UnreadableFile,
    &unused_suppression::UnusedSuppression,
];

/// The core pack: the general rules.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct CorePack;

impl Pack for CorePack {
    fn start<'v>(
        &'v self,
        _vault: &'v Vault,
        selected: &[&'static RuleMeta],
    ) -> Option<Box<dyn PackRun + 'v>> {
        let rules = selected_rules(CORE, selected, |r| r.meta());
        (!rules.is_empty()).then(|| Box::new(CoreRun(rules)) as Box<dyn PackRun>)
    }
}

struct CoreRun(Vec<&'static dyn Rule>);

impl PackRun for CoreRun {
    fn check_note(&self, ctx: &NoteContext<'_>, out: &mut Vec<Diagnostic>) -> usize {
        for rule in &self.0 {
            rule.check_note(ctx, out);
        }
        0
    }

    fn check_vault(&self, vault: &Vault, out: &mut Vec<Diagnostic>) {
        for rule in &self.0 {
            rule.check_vault(vault, out);
        }
    }

    fn summary(&self, _checked: usize) -> PackSummary {
        PackSummary::default()
    }
}

/// The rules of a pack (`rules`, each with its `meta`) that are among `selected`, in the
/// pack's order: what a pack's `start` runs.
pub(crate) fn selected_rules<R: ?Sized>(
    rules: &[&'static R],
    selected: &[&'static RuleMeta],
    meta: impl Fn(&R) -> &'static RuleMeta,
) -> Vec<&'static R> {
    rules
        .iter()
        .copied()
        .filter(|&r| selected.iter().any(|s| s.name == meta(r).name))
        .collect()
}

/// Every pack with the given ATT&CK settings: the core pack first.
pub(crate) fn packs(attack: attack::AttackPack) -> Vec<Arc<dyn Pack>> {
    vec![Arc::new(CorePack), Arc::new(attack)]
}

/// Every pack with its default settings.
pub(crate) fn default_packs() -> Vec<Arc<dyn Pack>> {
    packs(attack::AttackPack::default())
}

/// The metadata of every rule of every pack, sorted by name.
pub fn all() -> &'static [&'static RuleMeta] {
    static ALL: OnceLock<Vec<&'static RuleMeta>> = OnceLock::new();
    ALL.get_or_init(|| {
        let mut all: Vec<&'static RuleMeta> = CORE
            .iter()
            .map(|r| r.meta())
            .chain(attack::rule_metas())
            .collect();
        all.sort_by_key(|m| m.name);
        all
    })
}

/// The rule called `name`, in any pack.
pub fn find(name: &str) -> Option<&'static RuleMeta> {
    all().iter().copied().find(|m| m.name == name)
}

/// The outline of the linked note, whose subpath should be checked: only `.md` targets
/// have headings and blocks (reference note, rule 7).
pub(crate) fn markdown_target<'a>(
    vault: &'a Vault,
    resolution: &Resolution,
) -> Option<&'a crate::parse::Outline> {
    let file = resolution.file()?;
    vault.outline(file)
}

/// How a finding names the note a link leads to: "this note" for `[[#H]]`, and, when a
/// link names its own note (`[[Self#H]]` inside `Self.md`), says so, since a help text
/// about "the target" would mislead.
pub(crate) fn link_target_name(
    ctx: &NoteContext<'_>,
    link: crate::parse::LinkRef<'_>,
    resolution: &Resolution,
) -> String {
    match resolution.file() {
        _ if link.path().is_empty() => "this note".to_owned(),
        Some(f) if f == ctx.id => {
            format!("this note (`{}` is the note the link is in)", link.path())
        }
        Some(f) => format!("`{}`", ctx.vault.path(f)),
        None => format!("`{}`", link.path()),
    }
}

#[cfg(test)]
mod tests;
