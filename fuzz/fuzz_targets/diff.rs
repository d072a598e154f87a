//! `--diff` output on arbitrary note paths and texts: the input is split at NUL bytes into
//! a vault path, the old text and the new text. The patch must be exactly one file's: its
//! `diff --git`, `---` and `+++` paths read back (git's unquoting) to the path, and its
//! hunks, read by their line counts, turn the old text into the new one, so no text in a
//! path or a note can add a line that `git apply` would read as another file.
#![no_main]

mod common;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let mut parts = text.splitn(3, '\0');
    let (Some(path), Some(old), Some(new)) = (parts.next(), parts.next(), parts.next()) else {
        return;
    };
    let patch = vaultlint::fuzzing::diff(path, old, new);
    let mut lines = patch.split_inclusive('\n');
    let first = lines.next().expect("a diff --git line");
    let heads = first
        .strip_prefix("diff --git ")
        .and_then(|l| l.strip_suffix('\n'))
        .expect("the first line is diff --git");
    let a = format!("a/{path}");
    let b = format!("b/{path}");
    let quoted_a = heads_split(heads);
    assert_eq!(
        common::unquote_git(&quoted_a).as_deref(),
        Some(a.as_bytes()),
        "{patch:?}"
    );
    if old == new {
        assert_eq!(
            lines.next(),
            None,
            "an unchanged note has no hunks: {patch:?}"
        );
        return;
    }
    let minus = lines.next().expect("a --- line");
    let plus = lines.next().expect("a +++ line");
    let minus = minus
        .strip_prefix("--- ")
        .and_then(|l| l.strip_suffix('\n'))
        .expect("---");
    let plus = plus
        .strip_prefix("+++ ")
        .and_then(|l| l.strip_suffix('\n'))
        .expect("+++");
    assert_eq!(
        common::unquote_git(minus).as_deref(),
        Some(a.as_bytes()),
        "{patch:?}"
    );
    assert_eq!(
        common::unquote_git(plus).as_deref(),
        Some(b.as_bytes()),
        "{patch:?}"
    );
    let rest: Vec<&str> = lines.collect();
    assert_eq!(apply(old, &rest).as_deref(), Some(new), "{patch:?}");
});

/// The `a/…` path of a `diff --git A B` line: quoted up to its closing quote, else the
/// part before the middle space (both halves have the same length: `a/` and `b/` before
/// the same path).
fn heads_split(heads: &str) -> String {
    if heads.starts_with('"') {
        let bytes = heads.as_bytes();
        let mut i = 1;
        while i < bytes.len() {
            match bytes[i] {
                b'\\' => i += 2,
                b'"' => return heads[..=i].to_owned(),
                _ => i += 1,
            }
        }
        return heads.to_owned();
    }
    heads[..heads.len().saturating_sub(1) / 2].to_owned()
}

/// Applies unified-diff hunks to `old`, reading each hunk by its line counts, as
/// `git apply` does; `None` on any line that is not where the counts say.
fn apply(old: &str, hunks: &[&str]) -> Option<String> {
    let old_lines: Vec<&str> = old.split_inclusive('\n').collect();
    let mut out = String::new();
    let mut at = 0;
    let mut i = 0;
    while i < hunks.len() {
        let header = hunks[i].strip_prefix("@@ -")?;
        let (ranges, _) = header.split_once(" @@")?;
        let (old_range, new_range) = ranges.split_once(" +")?;
        let count = |r: &str| -> Option<(usize, usize)> {
            match r.split_once(',') {
                Some((s, n)) => Some((s.parse().ok()?, n.parse().ok()?)),
                None => Some((r.parse().ok()?, 1)),
            }
        };
        let (old_start, mut old_n) = count(old_range)?;
        let (_, mut new_n) = count(new_range)?;
        let start = if old_n == 0 { old_start } else { old_start - 1 };
        while at < start {
            out.push_str(old_lines.get(at)?);
            at += 1;
        }
        i += 1;
        while old_n > 0 || new_n > 0 {
            let line = *hunks.get(i)?;
            i += 1;
            let (mark, body) = line.split_at(1);
            let body = strip_no_newline(body, hunks.get(i));
            if hunks.get(i).is_some_and(|l| l.starts_with('\\')) {
                i += 1;
            }
            match mark {
                " " | "-" => {
                    if old_lines.get(at)? != &body {
                        return None;
                    }
                    at += 1;
                    old_n = old_n.checked_sub(1)?;
                    if mark == " " {
                        out.push_str(&body);
                        new_n = new_n.checked_sub(1)?;
                    }
                }
                "+" => {
                    out.push_str(&body);
                    new_n = new_n.checked_sub(1)?;
                }
                _ => return None,
            }
        }
    }
    while at < old_lines.len() {
        out.push_str(old_lines[at]);
        at += 1;
    }
    Some(out)
}

/// A hunk line's text: without its line break when the next line is `\ No newline at end
/// of file`.
fn strip_no_newline(body: &str, next: Option<&&str>) -> String {
    if next.is_some_and(|l| l.starts_with('\\')) {
        body.strip_suffix('\n').unwrap_or(body).to_owned()
    } else {
        body.to_owned()
    }
}
