//! GitHub Actions workflow commands (`::error file=…::…`), which GitHub shows as annotations
//! on the pull request, and the Markdown job summary.
//!
//! GitHub shows at most 10 error, 10 warning and 10 notice annotations per step and drops
//! the rest without a word. So the most useful ones are annotated: each kind in turn, files
//! the change touches first; the rest are listed as plain log lines and one notice says how
//! many were left out. The job summary (`$GITHUB_STEP_SUMMARY`) holds every finding.

use std::collections::BTreeMap;
use std::io::{self, Read, Seek, Write};

use sha2::{Digest, Sha256};

use super::escape::{markdown_code, markdown_text, terminal};
use super::{RenderContext, Stream};
#[cfg(test)]
use crate::check::Report;
use crate::check::Summary;
use crate::diagnostic::{Diagnostic, Severity};

/// Annotations GitHub shows per kind (error, warning, notice) and step.
pub(crate) const PER_KIND: usize = 10;

/// GitHub rejects a job summary over 1 MiB; the findings list stops well before.
pub(crate) const SUMMARY_BYTES: usize = 900 * 1024;

use super::escape::{ci_data as escape_data, ci_property as escape_property};

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
/// out. Fed the findings in the report's order, it keeps only the first `PER_KIND` of each
/// kind in changed and in other files (the only ones that can be chosen).
#[derive(Default)]
struct Annotations {
    /// Per kind (errors, warnings, notices): findings in changed files, then in others, each
    /// with its place in the report.
    candidates: [[Vec<(usize, Diagnostic)>; 2]; 3],
    /// Findings per kind.
    counts: [usize; 3],
}

fn kind(severity: Severity) -> usize {
    match severity {
        Severity::Error => 0,
        Severity::Warning => 1,
        Severity::Info => 2,
    }
}

impl Annotations {
    fn add(&mut self, index: usize, d: &Diagnostic, ctx: &RenderContext) {
        let k = kind(d.severity);
        self.counts[k] += 1;
        let changed = ctx.repo.changed.contains(&ctx.repo.repo_path(&d.path));
        let list = &mut self.candidates[k][usize::from(!changed)];
        if list.len() < PER_KIND {
            list.push((index, d.clone()));
        }
    }

    /// The chosen findings with their places in the report, in the order printed.
    fn chosen(self) -> Vec<(usize, Diagnostic)> {
        let overflow = self.counts.iter().any(|&n| n > PER_KIND);
        let mut chosen = Vec::new();
        for (k, [changed, others]) in self.candidates.into_iter().enumerate() {
            let limit = if k == 2 && overflow {
                PER_KIND - 1
            } else {
                PER_KIND
            };
            chosen.extend(changed.into_iter().chain(others).take(limit));
        }
        chosen
    }
}

/// The indices into `diagnostics` of the findings that get an annotation (see
/// [`Annotations`]), in the order they are printed.
#[cfg(test)]
pub(crate) fn annotated(diagnostics: &[Diagnostic], ctx: &RenderContext) -> Vec<usize> {
    let mut a = Annotations::default();
    for (i, d) in diagnostics.iter().enumerate() {
        a.add(i, d, ctx);
    }
    a.chosen().into_iter().map(|(i, _)| i).collect()
}

fn message(d: &Diagnostic) -> String {
    match &d.help {
        Some(help) => format!("{}\nhelp: {help}", d.message),
        None => d.message.clone(),
    }
}

/// Writes the annotations, then the findings left out as plain lines and one notice, and
/// builds the job summary.
///
/// Both the annotations (chosen among all findings) and the token around the plain lines
/// (a hash of the lines) are known only at the end, so each finding's line goes to a
/// temporary file as it arrives and is copied from there: memory holds the few candidates
/// for an annotation and the job summary (at most 1 MiB), not every finding.
pub(crate) struct GithubStream<'a> {
    ctx: &'a RenderContext,
    out: &'a mut dyn Write,
    annotations: Annotations,
    /// Each finding's plain line, length-prefixed (a file name may hold a newline).
    lines: Option<io::BufWriter<std::fs::File>>,
    total: usize,
    summary: JobSummary,
}

impl<'a> GithubStream<'a> {
    pub(crate) fn new(ctx: &'a RenderContext, out: &'a mut dyn Write) -> Self {
        GithubStream {
            ctx,
            out,
            annotations: Annotations::default(),
            lines: None,
            total: 0,
            summary: JobSummary::default(),
        }
    }
}

/// A finding as a plain log line.
fn plain_line(d: &Diagnostic, ctx: &RenderContext) -> String {
    format!(
        "{}:{}:{}: {} {} {}",
        terminal(&ctx.repo.repo_path(&d.path)),
        d.line(),
        d.column(),
        d.severity,
        d.rule.name,
        terminal(&d.message)
    )
}

/// Calls `each` with every line in the spill file `file` whose place is not in `skip`.
fn spilled_lines(
    file: &mut std::fs::File,
    skip: &std::collections::HashSet<usize>,
    mut each: impl FnMut(&[u8]) -> io::Result<()>,
) -> io::Result<()> {
    file.seek(io::SeekFrom::Start(0))?;
    let mut reader = io::BufReader::new(file);
    let mut len = [0u8; 8];
    let mut line = Vec::new();
    let mut index = 0;
    loop {
        match reader.read_exact(&mut len) {
            Ok(()) => {}
            Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => return Ok(()),
            Err(e) => return Err(e),
        }
        let n = usize::try_from(u64::from_le_bytes(len)).map_err(io::Error::other)?;
        line.resize(n, 0);
        reader.read_exact(&mut line)?;
        if !skip.contains(&index) {
            each(&line)?;
        }
        index += 1;
    }
}

impl Stream for GithubStream<'_> {
    fn note(&mut self, findings: &[Diagnostic]) -> io::Result<()> {
        if self.lines.is_none() {
            self.lines = Some(io::BufWriter::new(tempfile::tempfile()?));
        }
        let ctx = self.ctx;
        for d in findings {
            self.annotations.add(self.total, d, ctx);
            self.total += 1;
            let line = plain_line(d, ctx);
            if let Some(spill) = &mut self.lines {
                spill.write_all(&(line.len() as u64).to_le_bytes())?;
                spill.write_all(line.as_bytes())?;
            }
        }
        self.summary.note(findings, ctx);
        Ok(())
    }

    fn job_summary(&self, s: &Summary) -> Option<String> {
        Some(self.summary.text(s))
    }

    fn finish(&mut self, _summary: &Summary) -> io::Result<Vec<String>> {
        let ctx = self.ctx;
        let chosen = std::mem::take(&mut self.annotations).chosen();
        for (_, d) in &chosen {
            writeln!(
                self.out,
                "::{} file={},line={},col={},title={}::{}",
                command(d.severity),
                escape_property(&ctx.repo.repo_path(&d.path)),
                d.line(),
                d.column(),
                escape_property(&format!("vaultlint {}", d.rule.name)),
                escape_data(&message(d))
            )?;
        }
        let rest = self.total - chosen.len();
        let Some(spill) = self.lines.take().filter(|_| rest > 0) else {
            return Ok(Vec::new());
        };
        let mut file = spill.into_inner().map_err(io::IntoInnerError::into_error)?;
        let skip: std::collections::HashSet<usize> = chosen.iter().map(|(i, _)| *i).collect();
        writeln!(
            self.out,
            "::group::vaultlint: {rest} more finding{} (GitHub annotates {PER_KIND} of each kind per step)",
            plural(rest)
        )?;
        // Note names and messages come from the vault: commands are off while they are
        // printed, so no line in them can act as a workflow command. The token is a hash
        // of the lines themselves (joined by newlines), which they therefore cannot contain.
        let mut digest = Sha256::new();
        let mut first = true;
        spilled_lines(&mut file, &skip, |line| {
            if !first {
                digest.update(b"\n");
            }
            first = false;
            digest.update(line);
            Ok(())
        })?;
        let token: String = std::iter::once("vaultlint-".to_owned())
            .chain(
                digest
                    .finalize()
                    .iter()
                    .take(12)
                    .map(|b| format!("{b:02x}")),
            )
            .collect();
        writeln!(self.out, "::stop-commands::{token}")?;
        let out = &mut *self.out;
        spilled_lines(&mut file, &skip, |line| {
            out.write_all(line)?;
            out.write_all(b"\n")
        })?;
        writeln!(self.out, "::{token}::")?;
        writeln!(self.out, "::endgroup::")?;
        writeln!(
            self.out,
            "::notice title=vaultlint::{}",
            escape_data(&format!(
                "{rest} of {} findings are not shown as annotations (GitHub shows {PER_KIND} of each kind per step); they are listed in the log above and in the job summary.",
                self.total
            ))
        )?;
        Ok(Vec::new())
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

/// The Markdown job summary: the totals, a table of counts per rule, then every finding
/// grouped by file (until the summary nears GitHub's 1 MiB limit). Fed one file at a time,
/// it keeps the counts and the files' blocks that can still fit.
#[derive(Default)]
pub(crate) struct JobSummary {
    per_rule: BTreeMap<&'static str, [usize; 3]>,
    /// Each listed file's block and its number of findings, while they fit in
    /// `SUMMARY_BYTES` together (the totals and the table, known at the end, come first).
    blocks: Vec<(String, usize)>,
    /// Bytes in `blocks`.
    bytes: usize,
    /// A block did not fit: no later file is listed.
    full: bool,
    total: usize,
}

impl JobSummary {
    /// Adds one file's findings.
    pub(crate) fn note(&mut self, list: &[Diagnostic], ctx: &RenderContext) {
        self.total += list.len();
        for d in list {
            self.per_rule.entry(d.rule.name).or_default()[kind(d.severity)] += 1;
        }
        if self.full {
            return;
        }
        let Some(first) = list.first() else { return };
        let mut block = format!(
            "\n<details><summary><code>{}</code> ({})</summary>\n\n",
            markdown_text(&ctx.repo.repo_path(&first.path)),
            list.len()
        );
        for d in list {
            block.push_str(&format!(
                "- {}:{} **{}** `{}` {}",
                d.line(),
                d.column(),
                d.severity,
                d.rule.name,
                markdown_code(&d.message)
            ));
            if let Some(help) = &d.help {
                block.push_str(&format!(" (help: {})", markdown_code(help)));
            }
            block.push('\n');
            // It cannot fit any more: stop building it.
            if self.bytes + block.len() > SUMMARY_BYTES {
                self.full = true;
                return;
            }
        }
        block.push_str("\n</details>\n");
        if self.bytes + block.len() > SUMMARY_BYTES {
            self.full = true;
            return;
        }
        self.bytes += block.len();
        self.blocks.push((block, list.len()));
    }

    /// The summary's text, given the final counts.
    pub(crate) fn text(&self, s: &Summary) -> String {
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
        if self.total == 0 {
            text.push_str("No findings.\n");
            return text;
        }
        let mut rows: Vec<(&str, [usize; 3])> =
            self.per_rule.iter().map(|(n, c)| (*n, *c)).collect();
        rows.sort_by_key(|(name, c)| (std::cmp::Reverse(c.iter().sum::<usize>()), *name));
        text.push_str(
            "| rule | errors | warnings | infos | total |\n| --- | ---: | ---: | ---: | ---: |\n",
        );
        for (name, [e, w, i]) in &rows {
            text.push_str(&format!("| `{name}` | {e} | {w} | {i} | {} |\n", e + w + i));
        }
        text.push_str("\n### Findings by file\n");
        let mut listed = 0;
        for (block, n) in &self.blocks {
            if text.len() + block.len() > SUMMARY_BYTES {
                break;
            }
            text.push_str(block);
            listed += n;
        }
        if listed < self.total {
            text.push_str(&format!(
                "\n{} more finding{} not listed: the job summary is limited to 1 MiB.\n",
                self.total - listed,
                plural(self.total - listed)
            ));
        }
        text
    }
}

/// Writes the job summary of a whole report.
#[cfg(test)]
pub(crate) fn summary(report: &Report, ctx: &RenderContext, out: &mut dyn Write) -> io::Result<()> {
    let mut job = JobSummary::default();
    for note in report.diagnostics.chunk_by(|a, b| a.path == b.path) {
        job.note(note, ctx);
    }
    out.write_all(job.text(&report.summary).as_bytes())
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
        super::super::feed(&mut GithubStream::new(&ctx, &mut out), &report).unwrap();
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
            text.contains("<summary><code>b&#124;c.md</code> (1)</summary>"),
            "{text}"
        );
        assert!(
            text.contains("- 1:1 **warning** `broken-link` ``link target `Missing` not found``")
        );
    }
}
