//! The check pass for one file: a note or a canvas parsed fully, its links resolved, every
//! pack run on it and, for a note, its suppressions applied.

use super::text_hash;
use crate::diagnostic::{Diagnostic, RuleMeta};
use crate::index::{FileId, Vault};
use crate::parse;
use crate::resolve::Resolution;
use crate::rules::{self, JsonContext, LazyText, NoteContext, PackRun};
use crate::suppress;

/// What the check pass counted in one note.
pub(super) struct NoteCounts {
    pub(super) links: usize,
    /// Parallel to the pack runs.
    pub(super) per_pack: Vec<usize>,
}

impl NoteCounts {
    pub(super) fn new(packs: usize) -> Self {
        NoteCounts {
            links: 0,
            per_pack: vec![0; packs],
        }
    }
}

/// The check pass for one note, parsed in full from `text`: resolve its links, run every
/// pack and apply the note's suppressions. `text` is read only if a rule asks for it (or
/// a finding has a fix, whose text's hash is returned).
pub(super) fn check_note(
    vault: &Vault,
    id: FileId,
    note: &parse::Note,
    text: &LazyText<'_>,
    runs: &[Box<dyn PackRun + '_>],
    selected: &[&'static RuleMeta],
) -> (Vec<Diagnostic>, NoteCounts, Option<u64>) {
    let resolutions = resolve_links(vault, id, note);
    let ctx = NoteContext {
        vault,
        id,
        note,
        path: vault.path(id),
        resolutions: &resolutions,
        canvas_error: None,
        text,
    };
    let mut out = Vec::new();
    let per_pack = runs.iter().map(|r| r.check_note(&ctx, &mut out)).collect();
    let suppressions = suppression_rules(selected);
    let out = suppress::apply(vault.path(id), note, out, &suppressions);
    let hash = out
        .iter()
        .any(|d| d.fix.is_some())
        .then(|| text_hash(text.get()));
    (
        out,
        NoteCounts {
            links: note.link_count(),
            per_pack,
        },
        hash,
    )
}

/// Where each link of a note leads, in link order. A path is resolved once per note: a
/// link resolves the same from anywhere in its note, and notes repeat their links (a
/// hostile note of 6,000,000 `[[a]]` resolved one path).
/// What suppression comments are judged against: every known rule, the rules that ran
/// (`selected`), and `unused-suppression` when it is selected, so that a comment naming a
/// rule that ran and found nothing is reported.
fn suppression_rules<'a>(selected: &'a [&'static RuleMeta]) -> suppress::Rules<'a> {
    suppress::Rules {
        known: rules::all(),
        ran: selected,
        report: selected
            .iter()
            .copied()
            .find(|m| m.name == rules::unused_suppression::META.name),
    }
}

fn resolve_links(vault: &Vault, id: FileId, note: &parse::Note) -> Vec<Resolution> {
    // Sized up front: growing the map as paths arrive rehashed it, 1.2% of a cold run.
    let mut first: std::collections::HashMap<&str, usize> =
        std::collections::HashMap::with_capacity(note.link_count());
    let mut out: Vec<Resolution> = Vec::with_capacity(note.link_count());
    for link in note.links() {
        let path = link.path();
        let known = first.get(path).and_then(|&i| out.get(i)).cloned();
        let resolution = known.unwrap_or_else(|| {
            first.insert(path, out.len());
            vault.resolve(path, id)
        });
        out.push(resolution);
    }
    out
}

/// The check pass for one JSON file that is not a canvas: every pack that reads JSON
/// formats of its own checks it, and the `%% vaultlint-… %%` directives written in its
/// strings suppress findings as in a note (JSON has no comments).
pub(super) fn check_json(
    vault: &Vault,
    id: FileId,
    text: &str,
    runs: &[Box<dyn PackRun + '_>],
    selected: &[&'static RuleMeta],
) -> (Vec<Diagnostic>, NoteCounts, Option<u64>) {
    let ctx = JsonContext {
        path: vault.path(id),
        text,
    };
    let mut out = Vec::new();
    for run in runs {
        run.check_json(&ctx, &mut out);
    }
    if out.is_empty() {
        return (out, NoteCounts::new(runs.len()), None);
    }
    let suppressions = suppression_rules(selected);
    let directives = parse::directives_in_json(text);
    let out = suppress::apply(vault.path(id), &directives, out, &suppressions);
    let hash = out.iter().any(|d| d.fix.is_some()).then(|| text_hash(text));
    (out, NoteCounts::new(runs.len()), hash)
}

/// The check pass for one canvas: its file nodes resolve by exact vault path, the links of
/// its text nodes as in a note in the canvas's folder. Each finding names its node.
pub(super) fn check_canvas(
    vault: &Vault,
    id: FileId,
    text: &str,
    runs: &[Box<dyn PackRun + '_>],
) -> (Vec<Diagnostic>, NoteCounts) {
    let canvas = parse::parse_canvas(text);
    let resolutions: Vec<Resolution> = canvas
        .note
        .links()
        .map(|l| match l.kind {
            parse::LinkKind::CanvasFile => vault.resolve_exact(l.path()),
            _ => vault.resolve(l.path(), id),
        })
        .collect();
    let ctx = NoteContext {
        vault,
        id,
        note: &canvas.note,
        path: vault.path(id),
        resolutions: &resolutions,
        canvas_error: canvas.error.as_ref(),
        // Spans in a canvas index its JSON, where a fix's plain-text edit could break the
        // escaping: canvases get no fixes.
        text: &LazyText::Given(""),
    };
    let mut out = Vec::new();
    let per_pack = runs.iter().map(|r| r.check_note(&ctx, &mut out)).collect();
    for d in &mut out {
        d.fix = None;
    }
    // One index of the links by span (the first link at each), not a search of every link
    // per finding: a text node with 160,000 broken links was quadratic.
    let mut at: std::collections::HashMap<crate::diagnostic::Span, usize> = Default::default();
    for (i, l) in canvas.note.links().enumerate() {
        at.entry(l.span).or_insert(i);
    }
    for d in &mut out {
        let node = d
            .span
            .and_then(|s| at.get(&s))
            .and_then(|&i| canvas.nodes.get(i))
            .filter(|n| !n.is_empty());
        if let Some(node) = node {
            d.message.push_str(&format!(" (canvas node `{node}`)"));
        }
    }
    (
        out,
        NoteCounts {
            links: canvas.note.link_count(),
            per_pack,
        },
    )
}
