//! Shared by the targets: a small vault from one input, and the invariants every span,
//! finding and report must keep. Each target uses part of it.
#![allow(dead_code)]

use std::collections::BTreeMap;

use vaultlint::diagnostic::Span;
use vaultlint::{Diagnostic, Report};

/// At most this many files per vault: enough for ambiguity (two notes of one name), a
/// link into a heading of another note, an ATT&CK note and a canvas.
pub const MAX_FILES: usize = 6;

/// Splits one input into a vault: files are separated by a NUL byte; each file's first line
/// is its vault path and the rest its text. Paths are made ones a walk can list (no empty,
/// `.`, `..` or dot segments); a name without an extension becomes a note (`.md`). A path
/// given twice keeps its first text.
pub fn vault(data: &[u8]) -> Vec<(String, String)> {
    let text = String::from_utf8_lossy(data);
    let mut files: Vec<(String, String)> = Vec::new();
    for (i, part) in text.split('\0').take(MAX_FILES).enumerate() {
        let (name, body) = part.split_once('\n').unwrap_or((part, ""));
        let mut path: Vec<String> = name
            .split('/')
            .filter(|s| !s.trim().is_empty() && *s != "." && *s != "..")
            .map(|s| match s.strip_prefix('.') {
                Some(rest) => format!("_{rest}"),
                None => s.to_owned(),
            })
            .collect();
        let file = path.pop().unwrap_or_else(|| format!("note {i}"));
        let file = if file.contains('.') {
            file
        } else {
            format!("{file}.md")
        };
        path.push(file);
        let path = path.join("/");
        if !files.iter().any(|(p, _)| *p == path) {
            files.push((path, body.to_owned()));
        }
    }
    files
}

/// `(path, text)` pairs borrowed, as `check_texts` takes them.
pub fn borrowed(files: &[(String, String)]) -> Vec<(&str, &str)> {
    files
        .iter()
        .map(|(p, t)| (p.as_str(), t.as_str()))
        .collect()
}

/// The span lies in `text` on character boundaries, and its line and column (1-based,
/// columns in characters) are those of its start.
pub fn check_span(text: &str, span: &Span, what: &str) {
    assert!(
        span.start <= span.end && span.end <= text.len(),
        "{what}: span {span:?} outside a text of {} bytes",
        text.len()
    );
    assert!(
        text.is_char_boundary(span.start) && text.is_char_boundary(span.end),
        "{what}: span {span:?} not on character boundaries"
    );
    let before = &text[..span.start];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    assert_eq!(
        (span.line as usize, span.column as usize),
        (line, column),
        "{what}: span {span:?} has the wrong line:column"
    );
}

/// Every invariant a report of `check_texts(files)` keeps: findings sorted, only about the
/// vault's files, spans and related spans valid in their file, fixes' edits valid,
/// sorted and disjoint, and counts that match.
pub fn check_report(files: &[(String, String)], report: &Report) {
    let texts: BTreeMap<&str, &str> = files
        .iter()
        .map(|(p, t)| (p.as_str(), t.as_str()))
        .collect();
    let key = |d: &Diagnostic| {
        (
            d.path.to_string(),
            d.span.map_or(0, |s| s.start),
            d.rule.name,
            d.message.clone(),
        )
    };
    for pair in report.diagnostics.windows(2) {
        assert!(
            key(&pair[0]) <= key(&pair[1]),
            "findings out of order: {pair:#?}"
        );
    }
    let (mut errors, mut warnings, mut infos) = (0, 0, 0);
    for d in &report.diagnostics {
        match d.severity {
            vaultlint::Severity::Error => errors += 1,
            vaultlint::Severity::Warning => warnings += 1,
            vaultlint::Severity::Info => infos += 1,
        }
        assert!(!d.message.is_empty(), "empty message: {d:#?}");
        let text = texts
            .get(&*d.path)
            .unwrap_or_else(|| panic!("finding about a file not in the vault: {d:#?}"));
        if let Some(span) = &d.span {
            check_span(
                text,
                span,
                &format!("finding {} in {}", d.rule.name, d.path),
            );
        }
        for r in &d.related {
            let other = texts
                .get(&*r.path)
                .unwrap_or_else(|| panic!("related file not in the vault: {d:#?}"));
            if let Some(span) = &r.span {
                check_span(
                    other,
                    span,
                    &format!("related of {} in {}", d.rule.name, d.path),
                );
            }
        }
        if let Some(fix) = &d.fix {
            assert!(d.path.ends_with(".md"), "a fix outside a note: {d:#?}");
            check_edits(text, &fix.edits, d);
        }
    }
    let s = &report.summary;
    assert_eq!(
        (s.errors, s.warnings, s.infos),
        (errors, warnings, infos),
        "summary counts"
    );
    let notes = files.iter().filter(|(p, _)| p.ends_with(".md")).count();
    assert_eq!(s.notes, notes, "notes counted");
    assert_eq!(s.files, files.len(), "files counted");
}

/// A fix's edits lie in the text on character boundaries, sorted and disjoint (an insertion
/// may touch a replacement's ends, never two insertions at one point).
pub fn check_edits(text: &str, edits: &[vaultlint::diagnostic::Edit], d: &Diagnostic) {
    assert!(!edits.is_empty(), "a fix without edits: {d:#?}");
    for e in edits {
        assert!(
            e.start <= e.end
                && e.end <= text.len()
                && text.is_char_boundary(e.start)
                && text.is_char_boundary(e.end),
            "invalid edit {e:?} in {d:#?}"
        );
    }
    for pair in edits.windows(2) {
        let (a, b) = (&pair[0], &pair[1]);
        let disjoint =
            a.end <= b.start && !(a.start == a.end && b.start == b.end && a.start == b.start);
        assert!(
            disjoint,
            "overlapping or unsorted edits {a:?}, {b:?} in {d:#?}"
        );
    }
}

/// Characters no text sink may receive raw (as `render::escape` defines them): control
/// characters, bidirectional controls, line and paragraph separators.
pub fn is_hostile(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{061C}'
                | '\u{200E}'
                | '\u{200F}'
                | '\u{202A}'..='\u{202E}'
                | '\u{2066}'..='\u{2069}'
                | '\u{2028}'
                | '\u{2029}'
        )
}

/// Text a terminal or CI log may receive: no hostile character (but `keep`), no `::` (a
/// workflow command at a line's start) and no `##[` (a legacy one anywhere).
pub fn check_log_safe(out: &str, keep: &[char], input: &str) {
    for c in out.chars() {
        // The same test as `is_hostile`, in three comparisons for ASCII (whose only hostile
        // characters are C0 and DEL) instead of a dozen: each comparison is a coverage hook,
        // and this loop over every output character was a fifth of `escape_terminal`'s time.
        let hostile = if c.is_ascii() {
            c < ' ' || c == '\x7f'
        } else {
            is_hostile(c)
        };
        assert!(
            !hostile || keep.contains(&c),
            "{c:?} reached the sink: {input:?} -> {out:?}"
        );
    }
    assert!(
        !out.contains("::"),
        "`::` reached the sink: {input:?} -> {out:?}"
    );
    assert!(
        !out.contains("##["),
        "`##[` reached the sink: {input:?} -> {out:?}"
    );
}

/// A path as `git apply` reads it from a patch header: plain, or in double quotes with
/// git's C-style escapes (`\n`, `\"`, `\\`, three octal digits, ...). `None` when a quoted
/// path is malformed.
pub fn unquote_git(s: &str) -> Option<Vec<u8>> {
    let Some(body) = s.strip_prefix('"') else {
        return Some(s.as_bytes().to_vec());
    };
    let body = body.strip_suffix('"')?;
    let bytes = body.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        i += 1;
        if b == b'"' {
            return None;
        }
        if b != b'\\' {
            out.push(b);
            continue;
        }
        let e = *bytes.get(i)?;
        i += 1;
        out.push(match e {
            b'a' => 7,
            b'b' => 8,
            b't' => b'\t',
            b'n' => b'\n',
            b'v' => 11,
            b'f' => 12,
            b'r' => b'\r',
            b'"' => b'"',
            b'\\' => b'\\',
            b'0'..=b'3' => {
                let d = |b: u8| (b'0'..=b'7').contains(&b).then(|| b - b'0');
                let (o1, o2) = (d(*bytes.get(i)?)?, d(*bytes.get(i + 1)?)?);
                i += 2;
                ((e - b'0') << 6) | (o1 << 3) | o2
            }
            _ => return None,
        });
    }
    Some(out)
}
