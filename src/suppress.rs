//! In-note suppressions: `%% vaultlint-disable-next-line RULE… %%` and
//! `%% vaultlint-disable RULE… %%` … `%% vaultlint-enable %%`. Applied after the rules ran;
//! a directive that suppresses nothing is itself reported (`unused-suppression`).
//!
//! The rules sit below this module and never import it: the caller hands [`apply`] the rule
//! list and the rule its findings belong to ([`Rules`]).

use std::sync::Arc;

use crate::diagnostic::{Diagnostic, RuleMeta, Span};
use crate::parse::Note;

/// The rules a note's suppressions are checked against.
pub(crate) struct Rules<'a> {
    /// Every rule of every pack: a directive naming another is reported as unknown.
    pub(crate) known: &'a [&'static RuleMeta],
    /// The rules that ran: a suppression of a rule that did not run is not called unused.
    pub(crate) ran: &'a [&'static RuleMeta],
    /// The rule that reports unused, unknown and malformed directives (`unused-suppression`),
    /// when it is selected; `None`: they are not reported.
    pub(crate) report: Option<&'static RuleMeta>,
}

#[derive(Debug)]
enum Scope {
    /// Lines `from..=to` (1-based).
    Lines { from: u32, to: u32 },
}

#[derive(Debug)]
struct Suppression {
    span: Span,
    text: String,
    /// Empty means every rule.
    rules: Vec<String>,
    scope: Scope,
    used: bool,
}

fn rule_names(rest: &str) -> Vec<String> {
    rest.split([' ', ',', '\t'])
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}

/// Parses a note's directives into suppressions; malformed ones become diagnostics.
fn suppressions(
    path: &Arc<str>,
    directives: &[crate::parse::Directive],
    last_line: u32,
    known: &[&'static RuleMeta],
    report: &mut Option<(&'static RuleMeta, Vec<Diagnostic>)>,
) -> Vec<Suppression> {
    let mut result = Vec::new();
    let mut open: Vec<Suppression> = Vec::new();
    for d in directives {
        let body = d.text.strip_prefix("vaultlint-").unwrap_or(&d.text);
        let end_line = d.span.line + u32::try_from(d.text.matches('\n').count()).unwrap_or(0);
        let (kind, rest) = body.split_once(char::is_whitespace).unwrap_or((body, ""));
        let names = rule_names(rest);
        if let Some(unknown) = names.iter().find(|n| !known.iter().any(|r| r.name == **n)) {
            let Some((rule, out)) = report else {
                continue;
            };
            out.push(
                Diagnostic::new(
                    rule,
                    path,
                    Some(d.span),
                    format!("`{}` names unknown rule `{unknown}`", d.text),
                )
                .with_help({
                    let names: Vec<&str> = known.iter().map(|r| r.name).collect();
                    match crate::suggest::closest_name(unknown, &names) {
                        Some(name) => {
                            format!("did you mean `{name}`? `vaultlint rules` lists the rule names")
                        }
                        None => "`vaultlint rules` lists the rule names".to_owned(),
                    }
                })
                .with_subject(d.text.clone()),
            );
            continue;
        }
        match kind {
            "disable-next-line" => result.push(Suppression {
                span: d.span,
                text: d.text.clone(),
                rules: names,
                scope: Scope::Lines {
                    from: end_line + 1,
                    to: end_line + 1,
                },
                used: false,
            }),
            "disable" => open.push(Suppression {
                span: d.span,
                text: d.text.clone(),
                rules: names,
                scope: Scope::Lines {
                    from: end_line,
                    to: last_line,
                },
                used: false,
            }),
            "enable" => {
                let mut still_open = Vec::new();
                for mut s in open.drain(..) {
                    let closes = names.is_empty() || s.rules.iter().all(|r| names.contains(r));
                    if closes {
                        let Scope::Lines { from, .. } = s.scope;
                        s.scope = Scope::Lines {
                            from,
                            to: d.span.line,
                        };
                        result.push(s);
                    } else {
                        still_open.push(s);
                    }
                }
                open = still_open;
            }
            _ => {
                if let Some((rule, out)) = report {
                    out.push(
                        Diagnostic::new(
                            rule,
                            path,
                            Some(d.span),
                            format!("`{}` is not a vaultlint directive", d.text),
                        )
                        .with_help(
                            "use `vaultlint-disable-next-line`, `vaultlint-disable` or `vaultlint-enable`",
                        )
                        .with_subject(d.text.clone()),
                    );
                }
            }
        }
    }
    result.extend(open);
    result
}

/// Removes a note's suppressed diagnostics and adds one for each suppression that matched
/// nothing. A suppression naming a rule that did not run this time is not called unused:
/// it may matter in a run with another selection.
pub(crate) fn apply(
    path: &Arc<str>,
    note: &Note,
    diagnostics: Vec<Diagnostic>,
    rules: &Rules<'_>,
) -> Vec<Diagnostic> {
    if note.directives.is_empty() {
        return diagnostics;
    }
    let mut report = rules.report.map(|rule| (rule, Vec::new()));
    let last = u32::try_from(note.line_count).unwrap_or(u32::MAX);
    let mut list = suppressions(path, &note.directives, last, rules.known, &mut report);
    let mut kept = Vec::with_capacity(diagnostics.len());
    for d in diagnostics {
        let hit = d.span.and_then(|span| {
            list.iter_mut().find(|s| {
                let Scope::Lines { from, to } = s.scope;
                (from..=to).contains(&span.line)
                    && (s.rules.is_empty() || s.rules.iter().any(|r| r == d.rule.name))
            })
        });
        match hit {
            Some(s) => s.used = true,
            None => kept.push(d),
        }
    }
    if let Some((rule, extra)) = report {
        for s in list.into_iter().filter(|s| {
            !s.used
                && s.rules
                    .iter()
                    .all(|r| rules.ran.iter().any(|ran| ran.name == r))
        }) {
            kept.push(
                Diagnostic::new(
                    rule,
                    path,
                    Some(s.span),
                    format!("`{}` suppresses nothing", s.text),
                )
                .with_label("nothing to suppress here")
                .with_help("remove the comment")
                .with_subject(s.text),
            );
        }
        kept.extend(extra);
    }
    kept
}
