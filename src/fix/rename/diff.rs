//! `vaultlint mv --diff`: a plan as the patch `git diff -M` would show for it, renames
//! included, with paths quoted as git quotes them, so that `git apply` carries it out.

use std::collections::BTreeMap;

use super::Plan;

/// The plan as a patch: for each moved file a rename (with the changed lines when its
/// links change), for each other changed file its hunks. Paths are vault paths after
/// `prefix` (the vault folder as seen from where the patch is applied, `/`-terminated or
/// empty), behind git's `a/` and `b/`.
pub(crate) fn unified_diff(plan: &Plan, prefix: &str) -> String {
    let mut entries: BTreeMap<&str, (&str, Option<&super::Rewrite>)> = BTreeMap::new();
    for (from, to) in &plan.files {
        entries.insert(from, (to, None));
    }
    for r in &plan.rewrites {
        entries.insert(&r.from, (&r.to, Some(r)));
    }
    let mut out = String::new();
    for (from, (to, rewrite)) in entries {
        let (a, b) = (format!("{prefix}{from}"), format!("{prefix}{to}"));
        let (qa, qb) = (quote(&format!("a/{a}")), quote(&format!("b/{b}")));
        out.push_str(&format!("diff --git {qa} {qb}\n"));
        if from != to {
            if rewrite.is_none() {
                out.push_str("similarity index 100%\n");
            }
            out.push_str(&format!(
                "rename from {}\nrename to {}\n",
                quote(&a),
                quote(&b)
            ));
        }
        let Some(r) = rewrite else {
            continue;
        };
        let (Ok(old), Ok(new)) = (
            std::str::from_utf8(&r.original),
            std::str::from_utf8(&r.edited),
        ) else {
            continue;
        };
        out.push_str(&format!("--- {qa}{}\n+++ {qb}{}\n", tab(&qa), tab(&qb)));
        let diff = similar::TextDiff::configure()
            .timeout(std::time::Duration::from_millis(500))
            .diff_lines(old, new);
        let hunks = diff.unified_diff().context_radius(3).to_string();
        out.push_str(&hunks);
    }
    out
}

/// Git ends a `---`/`+++` line whose path holds a space with a tab, so that the path's end
/// is unambiguous.
fn tab(label: &str) -> &'static str {
    if label.contains(' ') {
        "\t"
    } else {
        ""
    }
}

/// A path as git writes it in a patch (`quote_c_style`, with `core.quotePath` on): in
/// double quotes, with C escapes and octal bytes, when it holds a quote, a backslash, a
/// control character or a non-ASCII byte; else as it is.
pub(crate) fn quote(path: &str) -> String {
    let needs = path
        .bytes()
        .any(|b| b == b'"' || b == b'\\' || !(0x20..0x7f).contains(&b));
    if !needs {
        return path.to_owned();
    }
    let mut out = String::from("\"");
    for b in path.bytes() {
        match b {
            b'"' => out.push_str("\\\""),
            b'\\' => out.push_str("\\\\"),
            0x07 => out.push_str("\\a"),
            0x08 => out.push_str("\\b"),
            b'\t' => out.push_str("\\t"),
            b'\n' => out.push_str("\\n"),
            0x0b => out.push_str("\\v"),
            0x0c => out.push_str("\\f"),
            b'\r' => out.push_str("\\r"),
            b if !(0x20..0x7f).contains(&b) => out.push_str(&format!("\\{b:03o}")),
            b => out.push(char::from(b)),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_are_quoted_as_git_quotes_them() {
        assert_eq!(quote("a/Plan B.md"), "a/Plan B.md");
        assert_eq!(quote("a/café.md"), "\"a/caf\\303\\251.md\"");
        assert_eq!(quote("a/say \"hi\".md"), "\"a/say \\\"hi\\\".md\"");
        assert_eq!(quote("a/tab\there.md"), "\"a/tab\\there.md\"");
        assert_eq!(tab("a/Plan B.md"), "\t");
        assert_eq!(tab("a/Plan.md"), "");
    }
}
