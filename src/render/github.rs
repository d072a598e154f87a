//! GitHub Actions workflow commands (`::error file=…::…`), which GitHub shows as annotations
//! on the pull request, and the Markdown job summary.
//!
//! GitHub shows at most 10 error, 10 warning and 10 notice annotations per step and drops
//! the rest without a word. So the most useful ones are annotated: each kind in turn, files
//! the change touches first; the rest are listed as plain log lines and one notice says how
//! many were left out. The job summary (`$GITHUB_STEP_SUMMARY`) holds every finding.

use std::collections::BTreeMap;
use std::io::{self, Write};

use sha2::{Digest, Sha256};

use super::RenderContext;
use crate::check::Report;
use crate::diagnostic::{Diagnostic, Severity};

/// Annotations GitHub shows per kind (error, warning, notice) and step.
pub(crate) const PER_KIND: usize = 10;

/// GitHub rejects a job summary over 1 MiB; the findings list stops well before.
pub(crate) const SUMMARY_BYTES: usize = 900 * 1024;

/// Escapes the message part of a workflow command: GitHub's own escapes for `%`, CR and
/// LF, and other control characters as `\u{..}` (`render::escape`) so none reaches the log.
pub(crate) fn escape_data(s: &str) -> String {
    let s = s
        .replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A");
    super::escape::escape_control(&s).into_owned()
}

/// Escapes a property value (`file=`, `title=`): also `:` and `,`, which end properties.
pub(crate) fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

fn command(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "notice",
    }
}

/// Which findings get an annotation, in the order they are printed: errors, warnings, then
/// notices; within each kind those in changed files first, then the report's order; at most
/// `PER_KIND` of each, keeping one notice free for the count left out when anything is left
/// out. Returns indices into `diagnostics`.
pub(crate) fn annotated(diagnostics: &[Diagnostic], ctx: &RenderContext) -> Vec<usize> {
    let count = |s| diagnostics.iter().filter(|d| d.severity == s).count();
    let overflow = [Severity::Error, Severity::Warning, Severity::Info]
        .into_iter()
        .any(|s| count(s) > PER_KIND);
    let mut chosen = Vec::new();
    for severity in [Severity::Error, Severity::Warning, Severity::Info] {
        let limit = if severity == Severity::Info && overflow {
            PER_KIND - 1
        } else {
            PER_KIND
        };
        let mut candidates: Vec<usize> = (0..diagnostics.len())
            .filter(|&i| diagnostics[i].severity == severity)
            .collect();
        candidates.sort_by_key(|&i| {
            !ctx.repo
                .changed
                .contains(&ctx.repo.repo_path(&diagnostics[i].path))
        });
        chosen.extend(candidates.into_iter().take(limit));
    }
    chosen
}

fn message(d: &Diagnostic) -> String {
    match &d.help {
        Some(help) => format!("{}\nhelp: {help}", d.message),
        None => d.message.clone(),
    }
}

/// Writes the annotations, then the findings left out as plain lines and one notice.
pub(crate) fn render(report: &Report, ctx: &RenderContext, out: &mut dyn Write) -> io::Result<()> {
    let chosen = annotated(&report.diagnostics, ctx);
    for &i in &chosen {
        let d = &report.diagnostics[i];
        writeln!(
            out,
            "::{} file={},line={},col={},title={}::{}",
            command(d.severity),
            escape_property(&ctx.repo.repo_path(&d.path)),
            d.line(),
            d.column(),
            escape_property(&format!("vaultlint {}", d.rule.name)),
            escape_data(&message(d))
        )?;
    }
    let mut shown = vec![false; report.diagnostics.len()];
    for &i in &chosen {
        shown[i] = true;
    }
    let rest: Vec<&Diagnostic> = report
        .diagnostics
        .iter()
        .zip(&shown)
        .filter(|(_, &s)| !s)
        .map(|(d, _)| d)
        .collect();
    if rest.is_empty() {
        return Ok(());
    }
    writeln!(
        out,
        "::group::vaultlint: {} more finding{} (GitHub annotates {PER_KIND} of each kind per step)",
        rest.len(),
        plural(rest.len())
    )?;
    let lines: Vec<String> = rest
        .iter()
        .map(|d| {
            format!(
                "{}:{}:{}: {} {} {}",
                ctx.repo.repo_path(&d.path),
                d.line(),
                d.column(),
                d.severity,
                d.rule.name,
                d.message.replace(['\r', '\n'], " ")
            )
        })
        .collect();
    // Note names and messages come from the vault: commands are off while they are printed,
    // so no line in them can act as a workflow command. The token is a hash of the lines
    // themselves, which they therefore cannot contain.
    let digest = Sha256::digest(lines.join("\n").as_bytes());
    let token: String = std::iter::once("vaultlint-".to_owned())
        .chain(digest.iter().take(12).map(|b| format!("{b:02x}")))
        .collect();
    writeln!(out, "::stop-commands::{token}")?;
    for line in &lines {
        writeln!(out, "{line}")?;
    }
    writeln!(out, "::{token}::")?;
    writeln!(out, "::endgroup::")?;
    writeln!(
        out,
        "::notice title=vaultlint::{}",
        escape_data(&format!(
            "{} of {} findings are not shown as annotations (GitHub shows {PER_KIND} of each kind per step); they are listed in the log above and in the job summary.",
            rest.len(),
            report.diagnostics.len()
        ))
    )
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

/// Text for a Markdown list item or table cell: on one line, with `|` escaped.
fn inline(s: &str) -> String {
    s.replace(['\r', '\n'], " ").replace('|', "\\|")
}

fn html(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// Writes the Markdown job summary: the totals, a table of counts per rule, then every
/// finding grouped by file (until the summary nears GitHub's 1 MiB limit).
pub(crate) fn summary(report: &Report, ctx: &RenderContext, out: &mut dyn Write) -> io::Result<()> {
    let s = &report.summary;
    let mut text = String::from("## vaultlint\n\n");
    text.push_str(&format!(
        "**{} error{}, {} warning{}, {} info** in {} note{} ({} link{} checked).\n\n",
        s.errors,
        plural(s.errors),
        s.warnings,
        plural(s.warnings),
        s.infos,
        s.notes,
        plural(s.notes),
        s.links,
        plural(s.links)
    ));
    if report.diagnostics.is_empty() {
        text.push_str("No findings.\n");
        return out.write_all(text.as_bytes());
    }
    let mut per_rule: BTreeMap<&str, [usize; 3]> = BTreeMap::new();
    for d in &report.diagnostics {
        let counts = per_rule.entry(d.rule.name).or_default();
        match d.severity {
            Severity::Error => counts[0] += 1,
            Severity::Warning => counts[1] += 1,
            Severity::Info => counts[2] += 1,
        }
    }
    let mut rows: Vec<(&str, [usize; 3])> = per_rule.into_iter().collect();
    rows.sort_by_key(|(name, c)| (std::cmp::Reverse(c.iter().sum::<usize>()), *name));
    text.push_str(
        "| rule | errors | warnings | infos | total |\n| --- | ---: | ---: | ---: | ---: |\n",
    );
    for (name, [e, w, i]) in &rows {
        text.push_str(&format!("| `{name}` | {e} | {w} | {i} | {} |\n", e + w + i));
    }
    text.push_str("\n### Findings by file\n");
    let mut by_file: Vec<(&str, Vec<&Diagnostic>)> = Vec::new();
    for d in &report.diagnostics {
        match by_file.last_mut() {
            Some((path, list)) if *path == &*d.path => list.push(d),
            _ => by_file.push((&d.path, vec![d])),
        }
    }
    let mut listed = 0;
    for (path, list) in &by_file {
        let mut block = format!(
            "\n<details><summary><code>{}</code> ({})</summary>\n\n",
            html(&ctx.repo.repo_path(path)),
            list.len()
        );
        for d in list {
            block.push_str(&format!(
                "- {}:{} **{}** `{}` {}",
                d.line(),
                d.column(),
                d.severity,
                d.rule.name,
                inline(&d.message)
            ));
            if let Some(help) = &d.help {
                block.push_str(&format!(" (help: {})", inline(help)));
            }
            block.push('\n');
        }
        block.push_str("\n</details>\n");
        if text.len() + block.len() > SUMMARY_BYTES {
            break;
        }
        text.push_str(&block);
        listed += list.len();
    }
    if listed < report.diagnostics.len() {
        text.push_str(&format!(
            "\n{} more finding{} not listed: the job summary is limited to 1 MiB.\n",
            report.diagnostics.len() - listed,
            plural(report.diagnostics.len() - listed)
        ));
    }
    out.write_all(text.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping_follows_the_workflow_command_rules() {
        assert_eq!(escape_data("50% done\r\nnext"), "50%25 done%0D%0Anext");
        assert_eq!(escape_property("a:b,c%"), "a%3Ab%2Cc%25");
    }

    fn report(kinds: &[(&str, Severity)]) -> Report {
        let texts: Vec<(String, String)> = kinds
            .iter()
            .map(|(p, _)| (format!("{p}.md"), "[[Missing]]\n".to_owned()))
            .collect();
        let refs: Vec<(&str, &str)> = texts
            .iter()
            .map(|(p, t)| (p.as_str(), t.as_str()))
            .collect();
        let mut report = crate::check::check_texts(&refs);
        for (d, (_, s)) in report.diagnostics.iter_mut().zip(kinds) {
            d.severity = *s;
        }
        report.recount();
        report
    }

    #[test]
    fn at_most_ten_per_kind_changed_files_first_and_a_notice_slot_kept() {
        let mut kinds = Vec::new();
        for i in 0..15 {
            kinds.push((format!("e{i:02}"), Severity::Error));
        }
        for i in 0..12 {
            kinds.push((format!("n{i:02}"), Severity::Info));
        }
        let refs: Vec<(&str, Severity)> = kinds.iter().map(|(p, s)| (p.as_str(), *s)).collect();
        let report = report(&refs);
        let mut ctx = RenderContext::default();
        ctx.repo.changed.insert("e14.md".to_owned());
        ctx.repo.changed.insert("n11.md".to_owned());
        let chosen = annotated(&report.diagnostics, &ctx);
        let picked = |s: Severity| -> Vec<&str> {
            chosen
                .iter()
                .map(|&i| &report.diagnostics[i])
                .filter(|d| d.severity == s)
                .map(|d| &*d.path)
                .collect()
        };
        let errors = picked(Severity::Error);
        assert_eq!(errors.len(), 10);
        assert_eq!(errors[0], "e14.md", "changed file first: {errors:?}");
        assert!(!errors.contains(&"e09.md"), "{errors:?}");
        let notices = picked(Severity::Info);
        assert_eq!(notices.len(), 9, "one notice is kept for the count");
        assert!(notices.contains(&"n11.md"));

        let mut out = Vec::new();
        render(&report, &ctx, &mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        let count = |p: &str| text.lines().filter(|l| l.starts_with(p)).count();
        assert_eq!(count("::error "), 10);
        assert_eq!(count("::notice "), 10);
        assert!(
            text.contains("::notice title=vaultlint::8 of 27 findings are not shown"),
            "{text}"
        );
        assert!(text.contains("\ne09.md:1:1: error broken-link "), "{text}");
    }

    #[test]
    fn summary_stays_under_githubs_limit_and_says_what_it_left_out() {
        let mut report = report(&[("a", Severity::Error)]);
        let one = report.diagnostics[0].clone();
        report.diagnostics = (0..20_000)
            .map(|i| {
                let mut d = one.clone();
                d.path = format!("folder/note {i:05}.md").into();
                d.message = "x".repeat(100);
                d
            })
            .collect();
        report.recount();
        let mut out = Vec::new();
        summary(&report, &RenderContext::default(), &mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(text.len() <= 1024 * 1024, "{}", text.len());
        assert!(text.contains("| `broken-link` | 20000 | 0 | 0 | 20000 |"));
        let listed = text.matches("\n- 1:1 ").count();
        assert!(listed > 1000, "{listed}");
        assert!(
            text.ends_with(&format!(
                "\n{} more findings not listed: the job summary is limited to 1 MiB.\n",
                20_000 - listed
            )),
            "{}",
            &text[text.len() - 200..]
        );
    }

    #[test]
    fn summary_counts_per_rule_then_lists_by_file() {
        let report = report(&[("a", Severity::Error), ("b|c", Severity::Warning)]);
        let mut out = Vec::new();
        summary(&report, &RenderContext::default(), &mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(text.contains("**1 error, 1 warning, 0 info**"), "{text}");
        assert!(text.contains("| `broken-link` | 1 | 1 | 0 | 2 |"), "{text}");
        assert!(
            text.contains("<summary><code>b|c.md</code> (1)</summary>"),
            "{text}"
        );
        assert!(text.contains("- 1:1 **warning** `broken-link` link target `Missing` not found"));
    }
}
