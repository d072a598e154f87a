//! Registry checks and the executable examples in every rule's docs.

use super::*;

#[test]
fn registry_is_sorted_unique_and_kebab_case() {
    let names: Vec<&str> = ALL.iter().map(|r| r.meta().name).collect();
    let mut sorted = names.clone();
    sorted.sort_unstable();
    sorted.dedup();
    assert_eq!(names, sorted);
    for name in names {
        assert!(
            name.chars().all(|c| c.is_ascii_lowercase() || c == '-'),
            "{name}"
        );
    }
}

#[test]
fn every_rule_has_docs_with_the_house_headings() {
    for rule in ALL {
        let docs = rule.meta().docs;
        for heading in ["## Why this matters", "## Bad", "## Good"] {
            assert!(
                docs.contains(heading),
                "{} lacks {heading}",
                rule.meta().name
            );
        }
    }
}

/// A fenced block in a rule's docs: its info string and body.
fn blocks(docs: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut lines = docs.lines();
    while let Some(line) = lines.next() {
        if let Some(info) = line.strip_prefix("```") {
            if info.is_empty() {
                continue;
            }
            let mut body = String::new();
            for l in lines.by_ref() {
                if l == "```" {
                    break;
                }
                body.push_str(l);
                body.push('\n');
            }
            out.push((info.to_owned(), body));
        }
    }
    out
}

#[test]
fn docs_examples_fire_and_stay_quiet() {
    for rule in ALL {
        let name = rule.meta().name;
        let all = blocks(rule.meta().docs);
        let context: Vec<(String, String)> = all
            .iter()
            .filter_map(|(info, body)| {
                info.strip_prefix("md file=")
                    .map(|p| (p.to_owned(), body.clone()))
            })
            .collect();
        let examples: Vec<_> = all
            .iter()
            .filter(|(i, _)| i.starts_with("md bad") || i.starts_with("md good"))
            .collect();
        let file_level = matches!(name, "unreadable-file" | "skipped-symlink");
        assert!(
            file_level || examples.len() >= 2,
            "{name} needs a bad and a good example"
        );
        for (info, body) in examples {
            let path = info.split_once(" file=").map_or("Example.md", |(_, p)| p);
            let mut files = context.clone();
            files.push((path.to_owned(), body.clone()));
            let texts: Vec<(&str, &str)> = files
                .iter()
                .map(|(p, t)| (p.as_str(), t.as_str()))
                .collect();
            let found: Vec<_> = crate::check_texts(&texts)
                .diagnostics
                .into_iter()
                .filter(|d| &*d.path == path && d.rule.name == name)
                .collect();
            if info.starts_with("md bad") {
                assert!(
                    !found.is_empty(),
                    "{name}: bad example stays quiet:\n{body}"
                );
            } else {
                assert!(found.is_empty(), "{name}: good example fires: {found:?}");
            }
        }
    }
}
