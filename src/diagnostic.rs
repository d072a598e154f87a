//! The one finding type that every rule produces and every output format consumes.
//!
//! Positions are computed while the note's text is still in memory (at parse time), so a
//! diagnostic carries its byte range and its 1-based line and column. Renderers never
//! need to re-derive them, and the text of notes without findings can be dropped early.

use std::borrow::Cow;
use std::fmt;
use std::sync::Arc;

/// What users see of a rule: its name (the interface), summary, default severity and docs.
/// It lives with the finding model because every finding names its rule and every output
/// format describes it.
#[derive(Debug)]
pub struct RuleMeta {
    /// The rule's kebab-case name, used in config, suppressions and output.
    pub name: &'static str,
    /// One line saying what the rule finds.
    pub summary: &'static str,
    /// The severity its findings get unless configured otherwise.
    pub default_severity: Severity,
    /// Markdown with the headings `## Why this matters`, `## Bad` and `## Good`. Code blocks
    /// tagged `md bad` must make the rule fire, `md good` must not; `md file=PATH` blocks
    /// add notes to the example vault.
    pub docs: &'static str,
    /// Whether the rule's findings carry a fix, and how safe it is (`vaultlint rule NAME`
    /// and the README's table say it).
    pub fix: FixAvailability,
}

/// How safe a fix is, as ruff grades them.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum Applicability {
    /// Keeps what the note means and what each of its links opens: `--fix` applies it.
    Safe,
    /// May change what a link opens or what a note declares: only `--unsafe-fixes` applies it.
    Unsafe,
}

impl Applicability {
    /// `safe` or `unsafe`, as shown in output.
    pub fn as_str(self) -> &'static str {
        match self {
            Applicability::Safe => "safe",
            Applicability::Unsafe => "unsafe",
        }
    }
}

/// Whether a rule can fix its findings: never, for some findings, or for all of them, and
/// the safest applicability its fixes can have (a rule marked safe may still offer an
/// unsafe fix where the safe one does not apply; each finding's [`Fix`] says which).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FixAvailability {
    /// The rule has no fix.
    None,
    /// Some findings have a fix of this applicability (or a less safe one).
    Sometimes(Applicability),
    /// Every finding has a fix of this applicability (or a less safe one).
    Always(Applicability),
}

impl fmt::Display for FixAvailability {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FixAvailability::None => f.write_str("none"),
            FixAvailability::Sometimes(a) => write!(f, "sometimes ({})", a.as_str()),
            FixAvailability::Always(a) => write!(f, "always ({})", a.as_str()),
        }
    }
}

/// One text replacement in the note a finding is about.
///
/// `start` and `end` are byte offsets into the note's text as vaultlint reads it (after a
/// BOM, which is kept on write), on UTF-8 character boundaries; `end == start` inserts.
#[derive(
    Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
pub struct Edit {
    /// First byte replaced.
    pub start: usize,
    /// One past the last byte replaced.
    pub end: usize,
    /// The text written instead.
    pub replacement: String,
}

impl Edit {
    /// Replaces `start..end` with `replacement`.
    pub fn replace(start: usize, end: usize, replacement: impl Into<String>) -> Self {
        Edit {
            start,
            end,
            replacement: replacement.into(),
        }
    }

    /// Inserts `text` at `at`.
    pub fn insert(at: usize, text: impl Into<String>) -> Self {
        Edit::replace(at, at, text)
    }
}

/// How to fix one finding: edits to its note that are applied together or not at all.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Fix {
    /// Whether `--fix` applies it, or only `--unsafe-fixes`.
    pub applicability: Applicability,
    /// Non-overlapping edits in the finding's note, sorted by `start`.
    pub edits: Vec<Edit>,
    /// What the fix does, e.g. "rename `alias` to `aliases`".
    pub description: String,
}

impl Fix {
    /// A fix of the given applicability; the edits are sorted.
    pub fn new(
        applicability: Applicability,
        description: impl Into<String>,
        mut edits: Vec<Edit>,
    ) -> Self {
        edits.sort();
        Fix {
            applicability,
            edits,
            description: description.into(),
        }
    }

    /// A safe fix.
    pub fn safe(description: impl Into<String>, edits: Vec<Edit>) -> Self {
        Fix::new(Applicability::Safe, description, edits)
    }

    /// An unsafe fix.
    pub fn unsafe_(description: impl Into<String>, edits: Vec<Edit>) -> Self {
        Fix::new(Applicability::Unsafe, description, edits)
    }
}

/// How much a finding matters. Only `Error` makes `vaultlint check` exit with 1.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Worth knowing, nothing is broken (e.g. `skipped-symlink`).
    Info,
    /// Obsidian copes, but the note is fragile or misleading (e.g. `ambiguous-link`).
    Warning,
    /// Something is broken as Obsidian sees it (e.g. `broken-link`): exit code 1.
    Error,
}

impl Severity {
    /// The severity as written in config files and every output format: `info`, `warning`
    /// or `error`.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

impl fmt::Display for Severity {
    /// Honours width and alignment (`{:<8}`), so severities line up in columns.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.as_str())
    }
}

/// A byte range in a note plus the position of its start.
///
/// `column` counts Unicode scalar values (characters), not bytes, so that editors and
/// GitHub annotations point at the right character on lines with non-ASCII text.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
pub struct Span {
    /// Byte offset of the first byte, into the note's text as read (after a UTF-8 BOM is
    /// dropped), front matter included.
    pub start: usize,
    /// Byte offset one past the last byte; `end >= start`.
    pub end: usize,
    /// 1-based line of `start`.
    pub line: u32,
    /// 1-based column of `start`, in characters (Unicode scalar values), not bytes.
    pub column: u32,
}

/// The empty span at the start of a note: line 1, column 1 (lines and columns are 1-based,
/// so a derived all-zero default would point before the note).
impl Default for Span {
    fn default() -> Self {
        Span {
            start: 0,
            end: 0,
            line: 1,
            column: 1,
        }
    }
}

/// A second location that explains a finding, e.g. another candidate of an ambiguous link.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Related {
    /// Vault-relative, `/`-separated path of the other note.
    pub path: Arc<str>,
    /// Where in that note; `None` points at the note as a whole.
    pub span: Option<Span>,
    /// Why it is mentioned, e.g. "also matches"; shown before the path.
    pub message: String,
}

/// One finding: a rule's verdict on one place in one note (or one file), with everything
/// every output format shows about it.
#[derive(Debug, Clone)]
pub struct Diagnostic {
    /// The rule that found it.
    pub rule: &'static RuleMeta,
    /// The rule's default severity, or the one `vaultlint.toml` sets for the rule.
    pub severity: Severity,
    /// Vault-relative, `/`-separated.
    pub path: Arc<str>,
    /// `None` for problems with a whole file (unreadable, binary, ...).
    pub span: Option<Span>,
    /// One sentence saying what is wrong, naming the link or ID as written.
    pub message: String,
    /// Short text shown under the underlined source, e.g. "no such note". Borrowed when
    /// fixed text, so a finding costs no allocation for it (memory grows with findings).
    pub label: Option<Cow<'static, str>>,
    /// What to do about it, e.g. "did you mean `[[Masquerading]]`?"; borrowed when fixed
    /// text, like `label`.
    pub help: Option<Cow<'static, str>>,
    /// Other places that explain the finding (the other candidates of an ambiguous link,
    /// the other notes declaring a duplicate ID).
    pub related: Vec<Related>,
    /// The link or text the finding is about, used to match findings across edits
    /// (baselines) without depending on line numbers.
    pub subject: Option<String>,
    /// How to fix the finding, when the rule knows.
    pub fix: Option<Fix>,
}

impl Diagnostic {
    pub(crate) fn new(
        rule: &'static RuleMeta,
        path: &Arc<str>,
        span: Option<Span>,
        message: String,
    ) -> Self {
        Diagnostic {
            rule,
            severity: rule.default_severity,
            path: Arc::clone(path),
            span,
            message,
            label: None,
            help: None,
            related: Vec::new(),
            subject: None,
            fix: None,
        }
    }

    /// Attaches a fix (`None` leaves the finding without one).
    #[must_use]
    pub fn with_fix(mut self, fix: Option<Fix>) -> Self {
        self.fix = fix;
        self
    }

    #[must_use]
    pub(crate) fn with_label(mut self, label: impl Into<Cow<'static, str>>) -> Self {
        self.label = Some(label.into());
        self
    }

    #[must_use]
    pub(crate) fn with_help(mut self, help: impl Into<Cow<'static, str>>) -> Self {
        self.help = Some(help.into());
        self
    }

    #[must_use]
    pub(crate) fn with_severity(mut self, severity: Severity) -> Self {
        self.severity = severity;
        self
    }

    #[must_use]
    pub(crate) fn with_subject(mut self, subject: impl Into<String>) -> Self {
        self.subject = Some(subject.into());
        self
    }

    #[must_use]
    pub(crate) fn with_related(mut self, related: Vec<Related>) -> Self {
        self.related = related;
        self
    }

    pub(crate) fn line(&self) -> u32 {
        self.span.map_or(1, |s| s.line)
    }

    pub(crate) fn column(&self) -> u32 {
        self.span.map_or(1, |s| s.column)
    }

    /// The order of every output: by note, then position, then rule name, then message.
    pub(crate) fn sort_key(&self) -> (&str, usize, &str, &str) {
        (
            &self.path,
            self.span.map_or(0, |s| s.start),
            self.rule.name,
            &self.message,
        )
    }
}
