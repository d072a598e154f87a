//! A rule's documentation as readers see it (`vaultlint rule NAME`).

/// `docs` without the test markup of its code blocks: the info strings `md bad`, `md good`
/// and `md file=PATH` (which make the examples executable, see `RuleMeta::docs`) become a
/// plain `md`; an example that stands for another note is introduced by that note's path.
pub(crate) fn for_readers(docs: &str) -> String {
    let mut out = String::with_capacity(docs.len());
    let mut in_code = false;
    for line in docs.lines() {
        match line.strip_prefix("```") {
            Some(info) if !in_code => {
                in_code = true;
                let language = info.split_whitespace().next().unwrap_or("");
                // A path may hold spaces: it is everything after `file=`.
                if let Some((_, path)) = info.split_once("file=") {
                    let path = path.trim();
                    out.push_str(&format!("In `{path}`:\n\n"));
                }
                out.push_str("```");
                out.push_str(language);
            }
            Some(_) => {
                in_code = false;
                out.push_str(line);
            }
            None => out.push_str(line),
        }
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_markup_becomes_plain_markdown() {
        let docs = "## Bad\n\n```md bad\n[[X]]\n```\n\n```md good file=Notes/A b.md\n[[Y]]\n```\n\n```md file=Y.md\n# Y\n```\n\n```text\nplain\n```\n";
        assert_eq!(
            for_readers(docs),
            "## Bad\n\n```md\n[[X]]\n```\n\nIn `Notes/A b.md`:\n\n```md\n[[Y]]\n```\n\nIn `Y.md`:\n\n```md\n# Y\n```\n\n```text\nplain\n```\n"
        );
    }
}
