//! `vaultlint mv --diff`: a plan as the patch `git diff -M` would show for it, renames
//! included, with paths quoted as git quotes them, so that `git apply` carries it out.

use std::collections::BTreeMap;

use super::Plan;

/// The plan as a patch: for each moved file a rename (with the changed lines when its
/// links change), for each other changed file its hunks. Paths are vault paths after
/// `prefix` (the vault folder as seen from where the patch is applied, `/`-terminated or
/// empty), behind git's `a/` and `b/`.
pub(crate) fn unified_diff(
    plan: &Plan,
    prefix: &str,
    quote: impl Fn(&str) -> std::borrow::Cow<'_, str>,
) -> String {
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
        let (la, lb) = (format!("a/{a}"), format!("b/{b}"));
        let (qa, qb) = (quote(&la).into_owned(), quote(&lb).into_owned());
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
        out.push_str(&crate::fix::hunks(old, new));
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

#[cfg(test)]
mod tests {
    use super::tab;

    #[test]
    fn a_path_with_a_space_ends_its_header_with_a_tab() {
        assert_eq!(tab("a/Plan B.md"), "\t");
        assert_eq!(tab("a/Plan.md"), "");
    }
}
