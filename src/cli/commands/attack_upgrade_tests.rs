//! `attack upgrade` on the shared ATT&CK vault (made from v14.1 by the vincenzocaputo
//! generator), against the built-in v18.1: what is left is exactly what the plan names as
//! needing a person, no link breaks or opens something else unless the plan says so, and a
//! second run plans nothing. In the crate, not in `tests/integration/`, because it resolves
//! every link with the crate's own resolver, before and after (`fix::rename::tests::opened`).
//! Gated as the corpus tests are (`VAULTLINT_SHARED`).

use std::collections::{BTreeMap, HashMap};

use serde_json::Value;

use super::*;
use crate::fix::rename::tests::{copy_tree, opened, LinkCache};
use crate::vault::shared_corpora;

fn args(root: &Path, apply: bool) -> UpgradeArgs {
    UpgradeArgs {
        attack_release: None,
        path: root.to_path_buf(),
        apply,
        diff: false,
        archive: None,
        format: UpgradeFormat::Json,
        attack_catalog: Vec::new(),
        config: None,
        no_config: true,
    }
}

fn run(root: &Path, apply: bool) -> Value {
    let mut out = Vec::new();
    upgrade(&args(root, apply), &mut out).unwrap();
    serde_json::from_slice(&out).unwrap()
}

/// The IDs each note declares, by vault path, whether or not its domain's catalogue knows
/// them (the corpus has enterprise techniques among its mobile notes).
fn declared(root: &Path) -> HashMap<String, Vec<String>> {
    let config = AttackConfig::default();
    let vault = check::index_vault(&CheckOptions::new(root.to_path_buf())).unwrap();
    vault
        .files
        .iter()
        .zip(&vault.outlines)
        .filter_map(|(file, outline)| {
            let facts = crate::rules::attack::model::PathFacts::of(&config, &file.path);
            let ids = crate::rules::attack::model::declared_ids(
                outline.as_ref()?,
                &config,
                &facts,
                config.layout.at(&facts, &file.path),
                &crate::rules::attack::model::split_stem(
                    crate::rules::attack::model::file_stem(&file.path),
                    &config,
                ),
            );
            Some((
                file.path.to_string(),
                ids.into_iter().map(|d| d.id).collect(),
            ))
        })
        .collect()
}

/// Each value's count.
fn multiset<'a>(values: impl Iterator<Item = &'a str>) -> BTreeMap<&'a str, usize> {
    let mut out = BTreeMap::new();
    for v in values {
        *out.entry(v).or_default() += 1;
    }
    out
}

/// The values `a` has more of than `b`.
fn minus<'a>(a: &BTreeMap<&'a str, usize>, b: &BTreeMap<&'a str, usize>) -> Vec<&'a str> {
    a.iter()
        .filter(|(k, n)| b.get(*k).copied().unwrap_or(0) < **n)
        .map(|(k, _)| *k)
        .collect()
}

#[test]
fn upgrading_the_v14_corpus_leaves_only_what_the_plan_names() {
    let Some(corpora) = shared_corpora() else {
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    copy_tree(&corpora.join("attack-vault"), tmp.path());
    std::fs::create_dir_all(tmp.path().join(".obsidian")).unwrap();
    let root = tmp.path();
    let all = || check::check(&CheckOptions::new(root.to_path_buf())).unwrap();
    assert_eq!(all().diagnostics.len(), 5867);
    let mut cache = LinkCache::default();
    let links_before = opened(root, &mut cache);
    let declared_before = declared(root);

    let plan = run(root, true);
    assert_eq!(plan["applied"], true);
    let changes = plan["changes"].as_array().unwrap();

    // Each renamed note: its vault path before → after.
    let mut renamed: HashMap<String, String> = HashMap::new();
    for c in changes.iter().filter(|c| c["kind"] == "rename-note") {
        let change = c["change"].as_str().unwrap();
        let to = change
            .strip_prefix("rename to `")
            .and_then(|r| r.split_once('`'))
            .unwrap()
            .0;
        renamed.insert(c["path"].as_str().unwrap().to_owned(), to.to_owned());
    }
    assert_eq!(renamed.len(), 21);
    let now = |p: &str| renamed.get(p).cloned().unwrap_or_else(|| p.to_owned());
    let was: HashMap<&str, &str> = renamed
        .iter()
        .map(|(a, b)| (b.as_str(), a.as_str()))
        .collect();

    // What is left is what the plan left for a person, exactly.
    let after = all();
    assert_eq!(after.diagnostics.len(), 3984);
    let mut left: Vec<(String, String, String)> = after
        .diagnostics
        .iter()
        .filter(|d| upgrade::DRIFT_RULES.contains(&d.rule.name))
        .map(|d| {
            let path = was.get(&*d.path).copied().unwrap_or(&d.path);
            (
                d.rule.name.to_owned(),
                path.to_owned(),
                d.subject.clone().unwrap_or_default(),
            )
        })
        .collect();
    let manual = plan["manual"].as_array().unwrap();
    let mut named: Vec<(String, String, String)> = manual
        .iter()
        .map(|m| {
            assert!(!m["reason"].as_str().unwrap().is_empty(), "{m}");
            (
                m["rule"].as_str().unwrap().to_owned(),
                m["path"].as_str().unwrap().to_owned(),
                m["subject"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    left.sort();
    named.sort();
    assert_eq!(left, named);
    let per_rule = multiset(named.iter().map(|(r, _, _)| r.as_str()));
    assert_eq!(
        per_rule,
        BTreeMap::from([("attack-deprecated-id", 27), ("attack-revoked-id", 219),])
    );
    let after_counts: BTreeMap<String, u64> =
        serde_json::from_value(plan["after"].clone()).unwrap();
    assert_eq!(after_counts.values().sum::<u64>(), 246);

    // No link breaks; a link opens what it opened (a renamed note under its new path)
    // unless the plan changes it deliberately in that file: a row removed, a row added, a
    // link re-pointed at the replacement's note.
    let links_after = opened(root, &mut cache);
    let declared_after = declared(root);
    assert_eq!(links_after.len(), links_before.len());
    let mut deliberate: HashMap<&str, std::collections::HashSet<String>> = HashMap::new();
    // The links of removed rows, as written: a row's label may differ from the ID its
    // note declares (two notes of one name; the corpus has enterprise techniques among
    // its mobile notes), and the removal names the row by its link.
    let mut removed_rows: HashMap<&str, Vec<&str>> = HashMap::new();
    for c in changes {
        if c["kind"] == "remove-row" {
            removed_rows
                .entry(c["path"].as_str().unwrap())
                .or_default()
                .push(c["subject"].as_str().unwrap());
        }
        if matches!(
            c["kind"].as_str(),
            Some("remove-row" | "add-rows" | "relink-id" | "update-tactics")
        ) {
            deliberate
                .entry(c["path"].as_str().unwrap())
                .or_default()
                .extend(
                    format!(
                        "{} {}",
                        // An added row's subject lists every ID the table lacks; the
                        // change, the ones added.
                        if c["kind"] == "add-rows" {
                            ""
                        } else {
                            c["subject"].as_str().unwrap()
                        },
                        c["change"].as_str().unwrap()
                    )
                    .split(|ch: char| !ch.is_ascii_alphanumeric() && ch != '.')
                    .filter(|t| !t.is_empty())
                    .map(str::to_owned),
                );
        }
    }
    let ids_in = |declared: &HashMap<String, Vec<String>>, path: &str| {
        declared.get(path).cloned().unwrap_or_default()
    };
    let mut changed_links = 0;
    for (file, targets) in &links_before {
        let after = &links_after[&now(file)];
        let broken = |t: &Vec<Option<String>>| t.iter().filter(|o| o.is_none()).count();
        assert!(broken(after) <= broken(targets), "{file}: a link broke");
        let was_opened: Vec<String> = targets.iter().flatten().map(|t| now(t)).collect();
        let is_opened: Vec<&str> = after.iter().flatten().map(String::as_str).collect();
        let was_ms = multiset(was_opened.iter().map(String::as_str));
        let is_ms = multiset(is_opened.iter().copied());
        let why = deliberate.get(file.as_str());
        for (gone, declared, target) in minus(&was_ms, &is_ms)
            .into_iter()
            .map(|t| (true, &declared_before, t))
            .chain(
                minus(&is_ms, &was_ms)
                    .into_iter()
                    .map(|t| (false, &declared_after, t)),
            )
        {
            changed_links += 1;
            let lookup = if gone {
                was.get(target).copied().unwrap_or(target)
            } else {
                target
            };
            let ids = ids_in(declared, lookup);
            let link_path = lookup.strip_suffix(".md").unwrap_or(lookup);
            let explained = why.is_some_and(|words| ids.iter().any(|id| words.contains(id)))
                || (gone
                    && removed_rows.get(file.as_str()).is_some_and(|rows| {
                        rows.iter().any(|r| {
                            r.starts_with(&format!("[[{link_path}\\|"))
                                || r.starts_with(&format!("[[{link_path}|"))
                        })
                    }));
            assert!(
                explained,
                "{file}: a link {} `{target}` (declaring {ids:?}) and the plan does not say why: {why:?}",
                if gone { "no longer opens" } else { "now opens" }
            );
        }
    }
    assert!(changed_links > 0);

    // A second run has nothing left to do, and names the same things for a person.
    let again = run(root, false);
    assert_eq!(again["changes"], serde_json::json!([]));
    assert_eq!(again["manual"].as_array().unwrap().len(), manual.len());
}
