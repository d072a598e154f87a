//! The documentation a newcomer meets: the README and `docs/` (issue 19).
//!
//! - `docs/rules/<rule>.md` and its index `docs/rules/README.md` are generated from each
//!   rule's `RuleMeta`, as ruff's rule pages are; the test fails when a checked-in page
//!   differs, and `VAULTLINT_UPDATE_DOCS=1` rewrites them instead.
//! - Every command in a fenced `sh` block, and every `$ ` line in a `text` block, of the
//!   README and `docs/*.md` is run (see [`commands_in_the_docs_run`]); output shown under a
//!   `$ ` line must be what the command prints.
//! - The README stays a way in: at most 20 KB, its two set-up commands are the ones the
//!   tests run, and an install route that needs a release is marked as not yet published.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use crate::{code, copy_into, fixtures, repo, stdout};

/// Where the generated pages live.
fn rules_dir() -> PathBuf {
    repo().join("docs/rules")
}

/// Whether this run rewrites the generated pages instead of comparing them.
fn updating() -> bool {
    std::env::var_os("VAULTLINT_UPDATE_DOCS").is_some_and(|v| v == "1")
}

const GENERATED: &str = "<!-- Generated from the rule's RuleMeta by tests/integration/docs.rs; \
     do not edit. `VAULTLINT_UPDATE_DOCS=1 cargo test --locked --test integration docs::` \
     rewrites it. -->";

/// A rule's page: its `RuleMeta` as `vaultlint rule NAME` prints it (the docs' test markup
/// turned into plain Markdown by the command itself, so the page and the command cannot
/// disagree), with the severity and fix as a list.
fn rule_page(meta: &vaultlint::diagnostic::RuleMeta) -> String {
    let out = Command::new(crate::bin())
        .args(["rule", meta.name])
        .output()
        .unwrap();
    assert_eq!(code(&out), 0, "vaultlint rule {}", meta.name);
    let text = stdout(&out);
    let head = format!(
        "# {}\n\n{}\n\nDefault severity: {}\nFix: {}\n\n",
        meta.name, meta.summary, meta.default_severity, meta.fix
    );
    let body = text.strip_prefix(&head).unwrap_or_else(|| {
        panic!(
            "`vaultlint rule {}` no longer starts with its RuleMeta's name, summary, \
             severity and fix:\n{text}",
            meta.name
        )
    });
    assert!(
        body.starts_with("## Why this matters\n"),
        "{}: docs must open with `## Why this matters`",
        meta.name
    );
    for heading in ["\n## Bad\n", "\n## Good\n"] {
        assert!(body.contains(heading), "{}: no `{heading}`", meta.name);
    }
    format!(
        "{GENERATED}\n\n# `{name}`\n\n{summary}.\n\n- Default severity: **{severity}** \
         ([configure it](../configuration.md))\n- Fix: **{fix}** ([how fixes work](../fixes.md))\n\
         - Offline: `vaultlint rule {name}` prints this page.\n\n{body}",
        name = meta.name,
        summary = meta.summary.trim_end_matches('.'),
        severity = meta.default_severity,
        fix = meta.fix,
        body = body.trim_end().to_owned() + "\n",
    )
}

/// The index of the rule pages: one row per rule, in `rules::all()` order.
fn rules_index() -> String {
    let mut out = format!(
        "{GENERATED}\n\n# Rules\n\nEach rule has a page: why it matters, a bad and a good example \
         (both run as tests), and when it can fix what it finds. `vaultlint rules` lists them, \
         `vaultlint rule NAME` prints a page. Severities other than the default that a rule's \
         findings can get are in the [README's table](../../README.md#what-it-finds).\n\n\
         | rule | default severity | fix | what it finds |\n| --- | --- | --- | --- |\n"
    );
    for meta in vaultlint::rules::all() {
        out.push_str(&format!(
            "| [`{0}`]({0}.md) | {1} | {2} | {3} |\n",
            meta.name,
            meta.default_severity,
            meta.fix,
            meta.summary.replace('|', "\\|")
        ));
    }
    out
}

#[test]
fn rule_pages_are_generated_from_rule_meta() {
    let mut pages: BTreeMap<String, String> = vaultlint::rules::all()
        .iter()
        .map(|meta| (format!("{}.md", meta.name), rule_page(meta)))
        .collect();
    pages.insert("README.md".to_owned(), rules_index());
    let dir = rules_dir();
    if updating() {
        std::fs::create_dir_all(&dir).unwrap();
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            if !pages.contains_key(&name) {
                std::fs::remove_file(&path).unwrap();
            }
        }
        for (name, page) in &pages {
            std::fs::write(dir.join(name), page).unwrap();
        }
        return;
    }
    let on_disk: Vec<String> = std::fs::read_dir(&dir)
        .map(|entries| {
            entries
                .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    for name in &on_disk {
        assert!(
            pages.contains_key(name),
            "docs/rules/{name} is no rule's page; VAULTLINT_UPDATE_DOCS=1 removes it"
        );
    }
    for (name, page) in &pages {
        let checked_in = std::fs::read_to_string(dir.join(name)).unwrap_or_default();
        assert!(
            checked_in == *page,
            "docs/rules/{name} is not what the rule's RuleMeta gives; run \
             `VAULTLINT_UPDATE_DOCS=1 cargo test --locked --test integration docs::` \
             and commit the pages"
        );
    }
}

/// The Markdown pages whose commands are run: the README and `docs/*.md` (the generated
/// rule pages' examples run as the rules' own tests).
fn doc_files() -> Vec<PathBuf> {
    let mut files = vec![repo().join("README.md")];
    let mut docs: Vec<PathBuf> = std::fs::read_dir(repo().join("docs"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "md"))
        .collect();
    docs.sort();
    files.extend(docs);
    files
}

/// A command shown in a page: where, the command line, and the output shown under it
/// (`$ ` lines of `text` blocks only); `block` numbers the fenced block it is in.
#[derive(Debug)]
struct Shown {
    place: String,
    block: usize,
    command: String,
    output: Option<Vec<String>>,
}

/// Every command in the fenced `sh` blocks (one per line; a `  # comment` after it is
/// dropped) and every `$ ` line of the `text` blocks of `path`, with the output under it.
fn shown_commands(path: &Path) -> Vec<Shown> {
    let text = std::fs::read_to_string(path).unwrap();
    let name = path.strip_prefix(repo()).unwrap().display().to_string();
    let mut found: Vec<Shown> = Vec::new();
    let mut fence: Option<String> = None;
    let mut block = 0;
    for (i, line) in text.lines().enumerate() {
        if let Some(info) = line.strip_prefix("```") {
            fence = match fence {
                None => {
                    block += 1;
                    Some(info.split_whitespace().next().unwrap_or("").to_owned())
                }
                Some(_) => None,
            };
            continue;
        }
        let Some(language) = &fence else { continue };
        let place = format!("{name}:{}", i + 1);
        match language.as_str() {
            "sh" => {
                let command = line.split("  #").next().unwrap().trim();
                if !command.is_empty() && !command.starts_with('#') {
                    found.push(Shown {
                        place,
                        block,
                        command: command.to_owned(),
                        output: None,
                    });
                }
            }
            "text" => {
                if let Some(command) = line.strip_prefix("$ ") {
                    found.push(Shown {
                        place,
                        block,
                        command: command.to_owned(),
                        output: Some(Vec::new()),
                    });
                } else if let Some(Shown {
                    output: Some(output),
                    block: b,
                    ..
                }) = found.last_mut()
                {
                    if *b == block {
                        output.push(line.to_owned());
                    }
                }
            }
            _ => {}
        }
    }
    found
}

/// Commands the docs show that this test does not run in its sandbox, and the test (or the
/// reason) that covers each. Anything else shown must be a `vaultlint` or `git` command.
const RUN_ELSEWHERE: &[(&str, &str)] = &[
    (
        "cargo run --locked -- check fixtures/sample-vault",
        "docs::readme_setup_commands_are_the_ones_the_tests_run runs it",
    ),
    ("cargo test --locked", "this test suite; .ci/run runs it"),
    (
        "cargo install --locked --path .",
        "readme::install_snippet_installs_this_checkout checks the package and its lock file",
    ),
    (
        "pip install .",
        "precommit::the_wheel_installs_with_pip_and_runs_the_sample_vault builds that wheel \
         with maturin and installs it with pip",
    ),
    (
        "pip install obsidian-vaultlint",
        "needs a published release; readme::install_and_ci_snippets_name_the_package_and_run_as_written \
         checks the name",
    ),
    (
        "uvx --from obsidian-vaultlint vaultlint check notes",
        "needs a published release",
    ),
    (
        "cargo install --locked cargo-fuzz",
        "fuzzing is run by hand (fuzz/README.md records each run)",
    ),
    ("cd fuzz", "fuzzing is run by hand"),
    (
        "cargo +nightly fuzz build --sanitizer none --debug-assertions",
        "fuzzing is run by hand",
    ),
    (
        "./run.sh parse_note 10000000 4096",
        "fuzzing is run by hand",
    ),
    (
        "python3 bench/bench.py --sizes 10k,100k --runs 3",
        "benchmarks are run by hand (bench/README.md; never timed in a test)",
    ),
];

/// A stand-in STIX bundle for `domain` that calls itself ATT&CK `version` and holds one
/// technique, for the docs' `--attack-catalog` example (the real v18.1 bundles are in ../shared/, not in a clone).
fn stand_in_bundle(domain: &str, version: &str) -> String {
    serde_json::json!({
        "type": "bundle",
        "objects": [
            {"type": "x-mitre-collection", "x_mitre_version": version},
            {"type": "x-mitre-matrix", "external_references": [
                {"source_name": "mitre-attack", "external_id": domain}
            ]},
            {"type": "attack-pattern", "id": "attack-pattern--1", "name": "Future Technique",
             "x_mitre_domains": [domain], "external_references": [
                {"source_name": "mitre-attack", "external_id": "T1999"}
            ]}
        ]
    })
    .to_string()
}

/// A folder where the docs' commands run: the sample vault as `fixtures/sample-vault`,
/// `notes`, `my-vault` and `vault`, and the two bundles the catalogue example names.
fn sandbox() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let sample = fixtures().join("sample-vault");
    for name in ["fixtures/sample-vault", "notes", "my-vault", "vault"] {
        copy_into(&sample, &dir.path().join(name));
    }
    copy_into(
        &fixtures().join("attack-upgrade/v14-vault"),
        &dir.path().join("v14-vault"),
    );
    for domain in ["enterprise-attack", "mobile-attack"] {
        std::fs::write(
            dir.path().join(format!("{domain}.json")),
            stand_in_bundle(domain, "19.0"),
        )
        .unwrap();
    }
    dir
}

fn run_shell(dir: &Path, command: &str) -> Output {
    let bin = Path::new(crate::bin()).parent().unwrap().to_path_buf();
    let path = format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    Command::new("sh")
        .args(["-c", command])
        .current_dir(dir)
        .env("PATH", path)
        .env("NO_COLOR", "1")
        .env("COLUMNS", "100")
        .env_remove("GITHUB_STEP_SUMMARY")
        .env_remove("GITHUB_BASE_REF")
        .output()
        .unwrap()
}

/// Whether `shown` (lines, `…` alone standing for any lines and `…` in a line for any text)
/// is what `actual` printed.
fn shows(shown: &[String], actual: &str) -> bool {
    let mut pattern = String::from("(?s)\\A");
    for line in shown {
        if line.trim() == "…" {
            pattern.push_str("(?:.*\\n)?");
        } else {
            let parts: Vec<String> = line.trim_end().split('…').map(regex::escape).collect();
            pattern.push_str(&parts.join("[^\\n]*"));
            pattern.push_str("[ \\t]*\\n");
        }
    }
    pattern.push_str("\\z");
    regex::Regex::new(&pattern).unwrap().is_match(actual)
}

#[test]
fn shown_output_matches_with_ellipses() {
    let lines = |s: &str| s.lines().map(str::to_owned).collect::<Vec<_>>();
    assert!(shows(&lines("a\n…\nd"), "a\nb\nc\nd\n"));
    assert!(shows(&lines("a\n…\nd"), "a\nd\n"));
    assert!(shows(&lines("x …/B.md y"), "x A/B.md y\n"));
    assert!(!shows(&lines("a\nd"), "a\nb\nd\n"));
    assert!(!shows(&lines("a"), "a\nb\n"));
}

/// Every command the README and `docs/*.md` show runs: `vaultlint` and `git` commands in a
/// sandbox holding the sample vault under the names the docs use (a `sh` block's lines in
/// one sandbox, in order, as a reader would type them), exiting 0 or 1 (2 would be a usage
/// error: a flag the docs misspell); output shown under a `$ ` line must be what it prints.
/// Any other command must be in [`RUN_ELSEWHERE`], with the test that covers it.
#[test]
fn commands_in_the_docs_run() {
    let mut ran = 0;
    for file in doc_files() {
        let mut current: Option<(usize, tempfile::TempDir)> = None;
        for shown in shown_commands(&file) {
            let first = shown.command.split_whitespace().next().unwrap_or("");
            if !matches!(first, "vaultlint" | "git") {
                assert!(
                    RUN_ELSEWHERE.iter().any(|(c, _)| *c == shown.command),
                    "{}: `{}` is run by no test",
                    shown.place,
                    shown.command
                );
                continue;
            }
            if shown.output.is_some() || current.as_ref().is_none_or(|(b, _)| *b != shown.block) {
                current = Some((shown.block, sandbox()));
            }
            let dir = current.as_ref().unwrap().1.path().to_owned();
            if first == "git" && !dir.join(".git").exists() {
                crate::ci::git(&dir, &["init", "-q"]);
            }
            let out = run_shell(&dir, &shown.command);
            ran += 1;
            assert!(
                matches!(code(&out), 0 | 1),
                "{}: `{}` exits {}:\n{}",
                shown.place,
                shown.command,
                code(&out),
                String::from_utf8_lossy(&out.stderr)
            );
            if let Some(expected) = &shown.output {
                assert!(
                    shows(expected, &stdout(&out)),
                    "{}: `{}` prints something else; it prints:\n{}",
                    shown.place,
                    shown.command,
                    stdout(&out)
                );
            }
        }
    }
    assert!(ran >= 10, "only {ran} commands found in the docs");
}

fn readme() -> String {
    std::fs::read_to_string(repo().join("README.md")).unwrap()
}

/// The README is a way in, not the manual (issue 19: it was 87 KB, 42% one sample output).
#[test]
fn readme_is_at_most_20_kb() {
    let size = readme().len();
    assert!(
        size <= 20_000,
        "README.md is {size} bytes; move detail to docs/"
    );
}

/// The README's set-up block is exactly the two commands a fresh clone runs, the sample vault
/// and the tests; the first runs as written and prints what the built binary prints, and
/// `.ci/run` runs the second (with every gated test switched on).
#[test]
fn readme_setup_commands_are_the_ones_the_tests_run() {
    let text = readme();
    let marker = "<!-- snippet: setup -->";
    let block = crate::readme::snippet("setup");
    assert!(
        text.find(marker) < text.find("## Install"),
        "the set-up commands come before the install routes"
    );
    let commands: Vec<&str> = block
        .lines()
        .map(|l| l.split("  #").next().unwrap().trim())
        .collect();
    assert_eq!(
        commands,
        [
            "cargo run --locked -- check fixtures/sample-vault",
            "cargo test --locked"
        ]
    );
    let ci = std::fs::read_to_string(repo().join(".ci/run")).unwrap();
    for line in [
        "cargo test --locked",
        "export VAULTLINT_TOOLS=1",
        "export VAULTLINT_SHARED=",
    ] {
        assert!(
            ci.lines().any(|l| l.starts_with(line)),
            ".ci/run lacks `{line}`"
        );
    }
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let out = {
        let _relinking = crate::BINARY_LOCK.lock().unwrap_or_else(|e| e.into_inner());
        Command::new(cargo)
            .args(commands[0].split_whitespace().skip(1))
            .current_dir(repo())
            .env("NO_COLOR", "1")
            .output()
            .unwrap()
    };
    assert_eq!(
        code(&out),
        1,
        "the sample vault has error-level findings:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let direct = Command::new(crate::bin())
        .args(["check", "fixtures/sample-vault"])
        .current_dir(repo())
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    assert_eq!(stdout(&out), stdout(&direct));
    // The README's example is that output, cut with `…`.
    let example = crate::readme::snippet("example");
    let lines: Vec<String> = example.lines().map(str::to_owned).collect();
    assert!(
        shows(&lines, &stdout(&direct)),
        "README's example is not what the first set-up command prints:\n{}",
        stdout(&direct)
    );
}

/// What marks an install route that needs a release, and the texts that name one.
const NOT_YET: &str = "not yet published";
const RELEASE_ONLY: &[&str] = &[
    "pip install obsidian-vaultlint",
    "obsidian-vaultlint==",
    "uvx --from obsidian-vaultlint",
    "OWNER/vaultlint@",
];

/// Install routes that work today come first in the README; every section (of the README and
/// `docs/`) that shows a route needing a release says it is not yet published.
#[test]
fn unpublished_install_routes_are_marked() {
    for file in doc_files() {
        let text = std::fs::read_to_string(&file).unwrap();
        let mut sections: Vec<(String, String)> = vec![(String::new(), String::new())];
        let mut fenced = false;
        for line in text.lines() {
            fenced ^= line.starts_with("```");
            if !fenced && line.starts_with('#') {
                sections.push((line.to_owned(), String::new()));
            }
            let body = &mut sections.last_mut().unwrap().1;
            body.push_str(line);
            body.push('\n');
        }
        for (heading, body) in &sections {
            if let Some(route) = RELEASE_ONLY.iter().find(|r| body.contains(*r)) {
                assert!(
                    body.contains(NOT_YET),
                    "{}, section `{heading}`: shows `{route}` without saying the release is \
                     {NOT_YET}",
                    file.display()
                );
            }
        }
    }
    let text = readme();
    let install = text.find("## Install").unwrap();
    let today = &text[install..text.find(NOT_YET).unwrap()];
    for route in RELEASE_ONLY {
        assert!(
            !today.contains(route),
            "`{route}` comes before the routes that work today"
        );
    }
    for works in [
        "cargo install --locked --path .",
        "maturin build",
        "language: system",
    ] {
        assert!(
            today.contains(works),
            "the routes that work today lack `{works}`"
        );
    }
}

/// The README says what the test suite needs and installs, and how to switch on the tests
/// that need more.
#[test]
fn readme_says_what_the_tests_install() {
    let text = readme();
    for needed in [
        "VAULTLINT_TOOLS=1",
        "VAULTLINT_SHARED",
        "PyPI",
        "npm",
        "crates.io",
        ".ci/tools",
    ] {
        assert!(text.contains(needed), "README does not mention `{needed}`");
    }
}

/// The pre-commit hook that works today is the repository's `vaultlint-system` hook, as a
/// `repo: local` hook.
#[test]
fn pre_commit_hook_that_works_today_is_the_system_hook() {
    let config: serde_json::Value =
        serde_saphyr::from_str(&crate::readme::snippet("pre-commit-system")).unwrap();
    assert_eq!(config["repos"][0]["repo"], "local");
    let hook = &config["repos"][0]["hooks"][0];
    let hooks: serde_json::Value = serde_saphyr::from_str(
        &std::fs::read_to_string(repo().join(".pre-commit-hooks.yaml")).unwrap(),
    )
    .unwrap();
    let system = hooks
        .as_array()
        .unwrap()
        .iter()
        .find(|h| h["id"] == "vaultlint-system")
        .unwrap();
    for key in [
        "entry",
        "language",
        "pass_filenames",
        "always_run",
        "require_serial",
    ] {
        assert_eq!(hook[key], system[key], "{key}");
    }
    assert!(hook.get("additional_dependencies").is_none());
}

/// Every relative link of the README and `docs/` (rule pages included) opens a file of the
/// repository, and every `#anchor` of a link to a Markdown page names one of its headings
/// (as GitHub makes anchors: lower case, spaces to `-`, punctuation dropped).
#[test]
fn links_in_the_docs_open_files() {
    let link = regex::Regex::new(r"\]\(([^)\s]+)\)").unwrap();
    let mut pages = doc_files();
    pages.extend(
        std::fs::read_dir(rules_dir())
            .unwrap()
            .map(|e| e.unwrap().path()),
    );
    let anchors = |page: &Path| -> Vec<String> {
        let text = std::fs::read_to_string(page).unwrap();
        let mut fenced = false;
        let mut out = Vec::new();
        for line in text.lines() {
            fenced ^= line.starts_with("```");
            if !fenced && line.starts_with('#') {
                let title = line.trim_start_matches('#').trim().to_lowercase();
                out.push(
                    title
                        .chars()
                        .filter_map(|c| match c {
                            ' ' => Some('-'),
                            c if c.is_alphanumeric() || c == '-' || c == '_' => Some(c),
                            _ => None,
                        })
                        .collect(),
                );
            }
        }
        out.extend(
            regex::Regex::new(r#"<a id="([^"]+)">"#)
                .unwrap()
                .captures_iter(&text)
                .map(|c| c[1].to_owned()),
        );
        out
    };
    for page in pages {
        let text = std::fs::read_to_string(&page).unwrap();
        for target in link.captures_iter(&text).map(|c| c[1].to_owned()) {
            if target.contains("://") || target.starts_with("mailto:") {
                continue;
            }
            let (file, anchor) = target.split_once('#').unwrap_or((&target, ""));
            let opened = if file.is_empty() {
                page.clone()
            } else {
                page.parent().unwrap().join(file)
            };
            assert!(
                opened.exists(),
                "{}: `{target}` opens nothing",
                page.display()
            );
            if !anchor.is_empty() && opened.extension().is_some_and(|e| e == "md") {
                assert!(
                    anchors(&opened).iter().any(|a| a == anchor),
                    "{}: `{target}`: no such heading",
                    page.display()
                );
            }
        }
    }
}
