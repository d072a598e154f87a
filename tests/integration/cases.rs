//! The case vaults in `fixtures/cases/` (see its README): each must give exactly the findings
//! its `expected.txt` lists (`path:line:column: rule message` lines), compared on path, line
//! and rule with what `--format json` reports.

use std::path::Path;

use regex::Regex;

use crate::{code, copy_tree, fixtures, stdout, vaultlint};

/// `(path, line, rule)` of each `path:line:column: rule ...` line of an `expected.txt`;
/// prose lines are skipped.
fn findings(text: &str) -> Vec<(String, u32, String)> {
    let finding = Regex::new(r"^([^:\s][^:]*):(\d+):([^:\s]+): ([a-z][a-z0-9-]*)(?: |$)").unwrap();
    let mut out: Vec<_> = text
        .lines()
        .filter_map(|l| finding.captures(l))
        .map(|c| (c[1].to_owned(), c[2].parse().unwrap(), c[4].to_owned()))
        .collect();
    out.sort();
    out
}

/// `(vault path, line, rule)` of each finding of a `--format json` run, sorted.
fn reported(out: &std::process::Output) -> Vec<(String, u32, String)> {
    let value = crate::json(out);
    let mut found: Vec<_> = value["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["path"].as_str().unwrap().to_owned(),
                u32::try_from(d["line"].as_u64().unwrap()).unwrap(),
                d["rule"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    found.sort();
    found
}

fn run_case(case: &Path) -> Result<(), String> {
    let expected_text = std::fs::read_to_string(case.join("expected.txt")).unwrap();
    let expected = findings(&expected_text);
    let vault = copy_tree(&case.join("vault"));
    let from = match std::fs::read_to_string(case.join("check-from")) {
        Ok(sub) => vault.path().join(sub.trim()),
        Err(_) => vault.path().to_path_buf(),
    };
    let out = vaultlint(&["check", from.to_str().unwrap(), "--format", "json"]);
    let actual = reported(&out);
    if actual != expected {
        return Err(format!(
            "{}: expected {expected:#?}\ngot {actual:#?}\nfull output:\n{}{}",
            case.display(),
            stdout(&out),
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    if expected_text.contains("exit 0") && code(&out) != 0 {
        return Err(format!("{}: exit {} not 0", case.display(), code(&out)));
    }
    Ok(())
}

fn run_suite(name: &str) {
    let root = fixtures().join("cases").join(name);
    let mut cases: Vec<_> = std::fs::read_dir(&root)
        .unwrap_or_else(|e| panic!("{}: {e}", root.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| p.join("expected.txt").is_file())
        .collect();
    cases.sort();
    assert!(!cases.is_empty(), "no cases in {}", root.display());
    let failures: Vec<String> = cases.iter().filter_map(|c| run_case(c).err()).collect();
    assert!(
        failures.is_empty(),
        "{} of {} cases differ:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}

#[test]
fn obsidian_index_cases_give_exactly_their_findings() {
    run_suite("obsidian-index");
}

#[test]
fn vaultlint_cases_give_exactly_their_findings() {
    run_suite("vaultlint");
}

#[test]
fn finding_lines_are_parsed_and_prose_is_not() {
    let text = "Daily template.md:2:...: invalid-front-matter (the only finding)\n\
                When the YAML does not parse, Obsidian has no properties: none\n\
                a/B.md:12:20: broken-link link target `x` not found\n";
    assert_eq!(
        findings(text),
        [
            (
                "Daily template.md".to_owned(),
                2,
                "invalid-front-matter".to_owned()
            ),
            ("a/B.md".to_owned(), 12, "broken-link".to_owned())
        ]
    );
}

#[test]
fn help_names_invalid_block_ids_and_links_to_their_own_note() {
    let case = fixtures().join("cases/vaultlint/09-help-that-misleads/vault");
    let vault = copy_tree(&case);
    let out = vaultlint(&["check", vault.path().to_str().unwrap(), "--format", "json"]);
    let value = crate::json(&out);
    let texts: Vec<String> = value["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| format!("{} / {}", d["message"], d["help"]))
        .collect();
    assert_eq!(texts.len(), 2, "{texts:#?}");
    assert!(
        texts[0].contains("not a block id Obsidian allows") && texts[0].contains("`^my-id`"),
        "{}",
        texts[0]
    );
    assert!(!texts[0].contains("add ` ^my_id`"), "{}", texts[0]);
    assert!(
        texts[1].contains("`Self` is the note the link is in"),
        "{}",
        texts[1]
    );
}

#[cfg(unix)]
#[test]
fn a_note_whose_name_is_not_utf8_is_read_and_checked() {
    use std::os::unix::ffi::OsStrExt;
    let dir = tempfile::tempdir().unwrap();
    let name = std::ffi::OsStr::from_bytes(b"caf\xe9.md");
    std::fs::write(dir.path().join(name), "# Menu\n\n[[Gone]] and [[Kept]]\n").unwrap();
    std::fs::write(dir.path().join("Kept.md"), "# Kept\n").unwrap();
    let out = vaultlint(&["check", dir.path().to_str().unwrap(), "--format", "json"]);
    assert_eq!(
        reported(&out),
        [("caf\u{FFFD}.md".to_owned(), 3, "broken-link".to_owned())],
        "{}",
        stdout(&out)
    );
    let human = vaultlint(&["check", dir.path().to_str().unwrap()]);
    // The source line is shown: the file was read again through its real name.
    assert!(
        stdout(&human).contains("3 │ [[Gone]]"),
        "{}",
        stdout(&human)
    );
}
