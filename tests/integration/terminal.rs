//! The command line as a person uses it: run from a folder, on a terminal of some width,
//! with typos and missing arguments. Every test runs the built binary.

use std::fs;
use std::path::Path;
use std::process::{Command, Output};

use crate::{code, copy_tree, fixtures, repo, stdout};

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// Writes `files` (path, text) under `dir`.
fn write(dir: &Path, files: &[(&str, &str)]) {
    for (path, text) in files {
        let p = dir.join(path);
        fs::create_dir_all(p.parent().unwrap()).unwrap();
        fs::write(p, text).unwrap();
    }
}

/// Runs vaultlint in `cwd` with no terminal, no `COLUMNS` and no `NO_COLOR`.
fn run_in(cwd: &Path, args: &[&str]) -> Output {
    Command::new(crate::bin())
        .args(args)
        .current_dir(cwd)
        .env_remove("NO_COLOR")
        .env_remove("COLUMNS")
        .env_remove("VAULTLINT_PROGRESS_DELAY_MS")
        .output()
        .expect("run vaultlint")
}

/// Runs vaultlint on a pseudo-terminal (util-linux `script`), so stdout and stderr are a
/// terminal; returns what the terminal showed, without carriage returns.
fn run_on_terminal(cwd: &Path, args: &[&str], env: &[(&str, &str)]) -> String {
    let quote = |s: &str| format!("'{}'", s.replace('\'', r"'\''"));
    let mut line = quote(crate::bin());
    for a in args {
        line.push(' ');
        line.push_str(&quote(a));
    }
    let mut command = Command::new("script");
    command
        .args(["-q", "-e", "-c", &line, "/dev/null"])
        .current_dir(cwd)
        .env_remove("NO_COLOR")
        .env_remove("COLUMNS")
        .env_remove("VAULTLINT_PROGRESS_DELAY_MS");
    for (k, v) in env {
        command.env(k, v);
    }
    let out = command
        .output()
        .expect("util-linux `script` is needed to test terminal output");
    String::from_utf8_lossy(&out.stdout).replace('\r', "")
}

fn strip_ansi(s: &str) -> String {
    let mut out = String::new();
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' {
            if chars.peek() == Some(&'[') {
                chars.next();
                for c in chars.by_ref() {
                    if c.is_ascii_alphabetic() {
                        break;
                    }
                }
            }
            continue;
        }
        out.push(c);
    }
    out
}

const SUGGESTED: &str = "LLMNR-NBT-NS Poisoning and SMB Relay";

/// A vault whose one finding has a long hyphenated name and a suggestion.
fn suggestion_vault() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        &[
            ("Note.md", "See [[LLMNR-NBT-NS Poisoning and SMB Rely]].\n"),
            (&format!("{SUGGESTED}.md"), "# Relay\n"),
        ],
    );
    dir
}

#[test]
fn human_output_shows_the_whole_source_line_with_character_columns() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        &[
            ("A.md", "Édith said: see [[Masquerding]] today\n"),
            ("Masquerading.md", "# M\n"),
        ],
    );
    let human = stdout(&run_in(dir.path(), &["check", "."]));
    assert!(
        human.contains("1 │ Édith said: see [[Masquerding]] today"),
        "{human}"
    );
    // `[[` is the 17th character (the 18th byte: `É` takes two).
    assert!(human.contains("[A.md:1:17]"), "{human}");
    let concise = stdout(&run_in(dir.path(), &["check", ".", "--format", "concise"]));
    assert!(concise.starts_with("A.md:1:17: error: "), "{concise}");
    let json = crate::json(&run_in(dir.path(), &["check", ".", "--format", "json"]));
    assert_eq!(json["diagnostics"][0]["column"], 17);
}

#[test]
fn human_output_fits_the_terminal_and_never_breaks_a_suggestion() {
    let vault = suggestion_vault();
    let row = format!(
        "| {} | [[Nowhere]] | {} |\n",
        "technique cell ".repeat(6),
        "mitigation cell ".repeat(6)
    );
    write(vault.path(), &[("Table.md", &row)]);
    let shown = strip_ansi(&run_on_terminal(
        vault.path(),
        &["check", "."],
        &[("COLUMNS", "60")],
    ));
    assert!(shown.contains("help: did you mean"), "{shown}");
    for line in shown.lines() {
        assert!(
            line.chars().count() <= 60,
            "wider than COLUMNS=60: {line:?}\n{shown}"
        );
    }
    assert!(
        shown.contains(&format!("`{SUGGESTED}`")),
        "the suggestion is split:\n{shown}"
    );
    assert!(
        shown.contains("cell  | [[Nowhere]] | mitigation"),
        "the long row is shown around its link:\n{shown}"
    );
    assert!(
        !shown.contains("LLMNR-\n") && !shown.contains("NBT-\n"),
        "{shown}"
    );
    // A wide terminal keeps the message on one line.
    let wide = strip_ansi(&run_on_terminal(
        vault.path(),
        &["check", "."],
        &[("COLUMNS", "200")],
    ));
    assert!(
        wide.contains("× link target `LLMNR-NBT-NS Poisoning and SMB Rely` not found\n"),
        "{wide}"
    );
    // Not a terminal: nothing is wrapped, whatever COLUMNS says.
    let piped = Command::new(crate::bin())
        .args(["check", "."])
        .current_dir(vault.path())
        .env("COLUMNS", "30")
        .output()
        .unwrap();
    let piped = stdout(&piped);
    assert!(
        piped.contains("× link target `LLMNR-NBT-NS Poisoning and SMB Rely` not found\n"),
        "{piped}"
    );
    assert!(
        piped.contains(&format!("help: did you mean `{SUGGESTED}`?\n")),
        "{piped}"
    );
}

#[test]
fn color_follows_the_flag_the_terminal_and_no_color() {
    let vault = suggestion_vault();
    let p = vault.path();
    assert!(run_on_terminal(p, &["check", "."], &[]).contains('\u{1b}'));
    assert!(!run_on_terminal(p, &["check", "."], &[("NO_COLOR", "1")]).contains("\u{1b}["));
    assert!(!run_on_terminal(p, &["check", ".", "--color", "never"], &[]).contains("\u{1b}["));
    assert!(!stdout(&run_in(p, &["check", "."])).contains('\u{1b}'));
    assert!(stdout(&run_in(p, &["check", ".", "--color", "always"])).contains('\u{1b}'));
    assert_eq!(code(&run_in(p, &["check", ".", "--color", "sometimes"])), 2);
}

/// A repository with a vault in `notes/`, one broken link at the top and one in a subfolder.
fn repository() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    fs::create_dir_all(dir.path().join(".git")).unwrap();
    write(
        dir.path(),
        &[
            ("notes/A.md", "[[Missing]]\n"),
            ("notes/sub/B.md", "text [[Gone]]\n"),
            ("notes/sub/C.md", "fine [[A]]\n"),
        ],
    );
    dir
}

/// Every `path:line:col:` of concise output names a file that exists from `cwd`.
fn assert_paths_open(cwd: &Path, concise: &str) -> Vec<String> {
    let paths: Vec<String> = concise
        .lines()
        .filter(|l| !l.starts_with("vaultlint: "))
        .map(|l| l.split(':').next().unwrap().to_owned())
        .collect();
    assert!(!paths.is_empty());
    for p in &paths {
        assert!(cwd.join(p).is_file(), "`{p}` does not open from {cwd:?}");
    }
    paths
}

#[test]
fn paths_open_from_the_repository_root_for_a_vault_in_a_subfolder() {
    let repo = repository();
    let root = repo.path();
    let concise = stdout(&run_in(root, &["check", "notes", "--format", "concise"]));
    assert_eq!(
        assert_paths_open(root, &concise),
        ["notes/A.md", "notes/sub/B.md"]
    );
    let human = stdout(&run_in(root, &["check", "./notes/"]));
    assert!(human.contains("[notes/sub/B.md:1:6]"), "{human}");
    let json = crate::json(&run_in(root, &["check", "notes", "--format", "json"]));
    assert_eq!(json["diagnostics"][0]["path"], "A.md");
    assert_eq!(json["diagnostics"][0]["file"], "notes/A.md");
    let github = stdout(&run_in(root, &["check", "notes", "--format", "github"]));
    assert!(
        github.contains("file=notes/sub/B.md,line=1,col=6"),
        "{github}"
    );
    // An absolute vault path inside the current folder is shown relative to it.
    let abs = root.join("notes");
    let concise = stdout(&run_in(
        root,
        &["check", abs.to_str().unwrap(), "--format", "concise"],
    ));
    assert_eq!(
        assert_paths_open(root, &concise),
        ["notes/A.md", "notes/sub/B.md"]
    );
}

#[test]
fn paths_open_from_a_vault_subfolder() {
    let repo = repository();
    let sub = repo.path().join("notes/sub");
    let concise = stdout(&run_in(&sub, &["check", "..", "--format", "concise"]));
    assert_eq!(
        assert_paths_open(&sub, &concise),
        ["../A.md", "../sub/B.md"]
    );
    let abs = repo.path().join("notes");
    let concise = stdout(&run_in(
        &sub,
        &["check", abs.to_str().unwrap(), "--format", "concise"],
    ));
    assert_eq!(
        assert_paths_open(&sub, &concise),
        ["../A.md", "../sub/B.md"]
    );
    let json = crate::json(&run_in(&sub, &["check", "..", "--format", "json"]));
    assert_eq!(json["diagnostics"][1]["file"], "../sub/B.md");
    assert_eq!(json["diagnostics"][1]["path"], "sub/B.md");
}

#[test]
fn only_takes_shell_paths_and_folders_and_fails_loudly() {
    let repo = repository();
    let root = repo.path();
    let sub = root.join("notes/sub");
    let found = |cwd: &Path, args: &[&str]| -> Vec<String> {
        let mut args = args.to_vec();
        args.extend(["--format", "json"]);
        let out = run_in(cwd, &args);
        assert!(code(&out) < 2, "{}", stderr(&out));
        crate::json(&out)["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| d["path"].as_str().unwrap().to_owned())
            .collect()
    };
    // Relative to the current folder, with `./`, and a folder.
    assert_eq!(
        found(&sub, &["check", "..", "--only", "./B.md"]),
        ["sub/B.md"]
    );
    assert_eq!(
        found(root, &["check", "notes", "--only", "notes/sub"]),
        ["sub/B.md"]
    );
    assert_eq!(
        found(root, &["check", "notes", "--only", "notes/sub/"]),
        ["sub/B.md"]
    );
    // Relative to the vault, also when the current folder has a file of that name.
    write(root, &[("A.md", "outside the vault\n")]);
    assert_eq!(found(root, &["check", "notes", "--only", "A.md"]), ["A.md"]);
    // Repeated, with the vault argument after them.
    assert_eq!(
        found(
            root,
            &[
                "check",
                "--only",
                "notes/A.md",
                "--only",
                "notes/sub/B.md",
                "notes"
            ]
        ),
        ["A.md", "sub/B.md"]
    );
    // Several values after one flag would swallow the vault: clap refuses them.
    let out = run_in(
        root,
        &["check", "--only", "notes/A.md", "notes/sub/B.md", "notes"],
    );
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    // A value that names no note is an error that names it.
    write(
        root,
        &[("notes/empty/img.png", "x"), ("notes/pic.png", "x")],
    );
    for (value, why) in [
        ("notes/Nope.md", "no such note or folder"),
        ("notes/pic.png", "neither a note nor a canvas"),
        ("notes/empty", "holds no notes or canvases"),
        (".git", "not inside the vault"),
    ] {
        let out = run_in(root, &["check", "notes", "--only", value]);
        assert_eq!(code(&out), 2, "{value}: {}", stdout(&out));
        assert!(
            stderr(&out).contains(&format!("--only `{value}`")) && stderr(&out).contains(why),
            "{value}: {}",
            stderr(&out)
        );
    }
}

#[test]
fn an_empty_folder_or_one_without_notes_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let out = run_in(dir.path(), &["check", "."]);
    assert_eq!(code(&out), 2, "{}", stdout(&out));
    assert!(stderr(&out).contains("it is empty"), "{}", stderr(&out));
    write(
        dir.path(),
        &[("pic.png", "x"), (".obsidian/app.json", "{}")],
    );
    let out = run_in(dir.path(), &["check", "."]);
    assert_eq!(code(&out), 2, "{}", stdout(&out));
    write(
        dir.path(),
        &[
            ("T/A.md", "x\n"),
            ("vaultlint.toml", "exclude = [\"T/**\"]\n"),
        ],
    );
    let only = run_in(dir.path(), &["check", ".", "--only", "T/A.md"]);
    assert_eq!(code(&only), 2, "{}", stdout(&only));
    assert!(
        stderr(&only).contains("every note named by --only is excluded"),
        "{}",
        stderr(&only)
    );
    assert!(
        stderr(&out).contains("none of its 1 file is a note"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn config_above_the_repository_is_not_applied_and_the_summary_names_the_config() {
    let outer = tempfile::tempdir().unwrap();
    write(
        outer.path(),
        &[
            ("vaultlint.toml", "ignore = [\"broken-link\"]\n"),
            ("repo/notes/A.md", "[[Missing]]\n"),
        ],
    );
    let root = outer.path().join("repo");
    fs::create_dir_all(root.join(".git")).unwrap();
    let out = run_in(&root, &["check", "notes"]);
    assert_eq!(code(&out), 1, "the config above the repository was applied");
    assert!(
        stdout(&out).contains("; no config file)"),
        "{}",
        stdout(&out)
    );
    write(
        &root,
        &[(
            "vaultlint.toml",
            "[rules.broken-link]\nseverity = \"warning\"\n",
        )],
    );
    let out = run_in(&root, &["check", "notes"]);
    assert_eq!(code(&out), 0, "{}", stdout(&out));
    assert!(
        stdout(&out).contains("; config vaultlint.toml)"),
        "{}",
        stdout(&out)
    );
    let json = crate::json(&run_in(&root, &["check", "notes", "--format", "json"]));
    assert_eq!(json["summary"]["config"], "vaultlint.toml");
    let out = run_in(&root.join("notes"), &["check", "."]);
    assert!(
        stdout(&out).contains("; config ../vaultlint.toml)"),
        "{}",
        stdout(&out)
    );
}

#[test]
fn misspelt_names_get_a_suggestion_and_missing_arguments_fail() {
    let vault = suggestion_vault();
    let p = vault.path().to_str().unwrap();
    for (args, expect) in [
        (
            vec!["check", p, "--select", "broken-links"],
            "did you mean `broken-link`?",
        ),
        (
            vec!["check", p, "--ignore", "atack"],
            "did you mean `attack`?",
        ),
        (vec!["rule", "brokn-link"], "did you mean `broken-link`?"),
        (vec!["chek", p], "a similar subcommand exists: 'check'"),
        (
            vec!["check", p, "--formt", "json"],
            "a similar argument exists: '--format'",
        ),
        (vec!["check", p, "--format", "jsn"], "possible values"),
        (vec!["rule"], "required"),
        (vec!["completions"], "required"),
        (vec!["check", p, "--format"], "a value is required"),
        (vec!["check", p, "--only"], "a value is required"),
        (vec!["check", p, "--output-file"], "a value is required"),
    ] {
        let out = run_in(vault.path(), &args);
        assert_eq!(code(&out), 2, "{args:?}");
        assert!(stderr(&out).contains(expect), "{args:?}: {}", stderr(&out));
    }
    // In a suppression comment too.
    write(
        vault.path(),
        &[(
            "Note.md",
            "%% vaultlint-disable-next-line broken-links %%\n[[Nope]]\n",
        )],
    );
    let json = crate::json(&run_in(vault.path(), &["check", ".", "--format", "json"]));
    let help = json["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["rule"] == "unused-suppression")
        .map(|d| d["help"].as_str().unwrap().to_owned());
    assert_eq!(
        help.as_deref(),
        Some("did you mean `broken-link`? `vaultlint rules` lists the rule names")
    );
    write(
        vault.path(),
        &[(
            "vaultlint.toml",
            "[rules.broken-links]\nseverity = \"off\"\n",
        )],
    );
    let out = run_in(vault.path(), &["check", "."]);
    assert_eq!(code(&out), 2);
    assert!(
        stderr(&out).contains(
            "vaultlint.toml:1:8: no rule is called `broken-links`; did you mean `broken-link`?"
        ),
        "{}",
        stderr(&out)
    );
}

#[test]
fn concise_lines_show_severity_and_rule() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), &[("A.md", "---\nalias: x\n---\n[[Missing]]\n")]);
    let out = stdout(&run_in(dir.path(), &["check", ".", "--format", "concise"]));
    assert_eq!(
        out,
        "A.md:2:1: warning: `alias` is no longer read by Obsidian (since 1.9) [deprecated-property]\n\
         A.md:4:1: error: link target `Missing` not found [broken-link]\n\
         vaultlint: found: 1 error, 1 warning, 0 info in 1 note (1 file, 1 link checked; no config file)\n\
         vaultlint: 1 finding fixable with `--fix` (0 more with `--fix --unsafe-fixes`)\n"
    );
    let quiet = stdout(&run_in(
        dir.path(),
        &["check", ".", "--format", "concise", "--quiet"],
    ));
    assert_eq!(quiet.lines().count(), 2, "{quiet}");
}

#[test]
fn rules_are_aligned_and_rule_docs_have_no_test_markup() {
    let out = stdout(&run_in(&repo(), &["rules"]));
    let all = vaultlint::rules::all();
    let columns: Vec<usize> = out
        .lines()
        .zip(all.iter())
        .map(|(line, meta)| {
            assert!(line.starts_with(meta.name), "{line}");
            line.find(meta.summary).unwrap()
        })
        .collect();
    assert_eq!(columns.len(), all.len());
    assert!(columns.iter().all(|c| *c == columns[0]), "{out}");
    for meta in all {
        let out = run_in(&repo(), &["rule", meta.name]);
        assert_eq!(code(&out), 0);
        let text = stdout(&out);
        for markup in ["```md bad", "```md good", "file="] {
            assert!(
                !text.contains(markup),
                "{}: shows `{markup}`:\n{text}",
                meta.name
            );
        }
    }
    let text = stdout(&run_in(&repo(), &["rule", "broken-link"]));
    assert!(
        text.contains("In `Masquerading.md`:\n\n```md\n# Masquerading\n```"),
        "{text}"
    );
}

/// The README's rules table gives each rule's default severity first and then any other
/// severity its findings can get; the code's default and what its fixture's findings
/// actually get must agree with it.
#[test]
fn documented_severities_match_what_findings_get() {
    let readme = fs::read_to_string(repo().join("README.md")).unwrap();
    for meta in vaultlint::rules::all() {
        let row = readme
            .lines()
            .find(|l| {
                l.starts_with(&format!(
                    "| <a id=\"rule-{0}\"></a>[`{0}`](docs/rules/{0}.md) | ",
                    meta.name
                ))
            })
            .unwrap_or_else(|| panic!("README's rules table lacks {}", meta.name));
        let cell = row.split(" | ").nth(1).unwrap();
        let words: Vec<&str> = cell
            .split(|c: char| !c.is_ascii_alphabetic())
            .filter(|w| matches!(*w, "error" | "warning" | "info"))
            .collect();
        assert_eq!(
            words.first().copied(),
            Some(meta.default_severity.as_str()),
            "{}: README says `{cell}`",
            meta.name
        );
        let vault = copy_tree(&fixtures().join("rules").join(meta.name));
        if meta.name == "skipped-symlink" {
            fs::create_dir_all(vault.path().join("Archive")).unwrap();
            std::os::unix::fs::symlink(
                vault.path().join("Archive"),
                vault.path().join("Archive/bad-loop"),
            )
            .unwrap();
            std::os::unix::fs::symlink("/etc", vault.path().join("bad-outside")).unwrap();
        }
        let out = run_in(
            vault.path(),
            &["check", ".", "--format", "json", "--no-config"],
        );
        let json = crate::json(&out);
        let mut seen = 0;
        for d in json["diagnostics"].as_array().unwrap() {
            if d["rule"] != meta.name {
                continue;
            }
            seen += 1;
            let severity = d["severity"].as_str().unwrap();
            assert!(
                words.contains(&severity),
                "{}: a finding is {severity}, README says `{cell}`: {d}",
                meta.name
            );
        }
        assert!(seen > 0, "{}: no finding on its fixture", meta.name);
    }
}

#[test]
fn quiet_prints_findings_only() {
    let vault = suggestion_vault();
    let out = run_in(vault.path(), &["check", ".", "--quiet"]);
    assert_eq!(code(&out), 1);
    assert!(stdout(&out).contains("did you mean"));
    assert!(!stdout(&out).contains("vaultlint:"), "{}", stdout(&out));
    let loud = run_in(vault.path(), &["check", "."]);
    assert!(stdout(&loud).contains("vaultlint: found: 1 error"));
}

#[test]
fn output_file_replaces_the_file_whole() {
    let vault = suggestion_vault();
    let out_dir = tempfile::tempdir().unwrap();
    let report = out_dir.path().join("report.json");
    fs::write(&report, "old").unwrap();
    let out = run_in(
        vault.path(),
        &[
            "check",
            ".",
            "--format",
            "json",
            "--output-file",
            report.to_str().unwrap(),
        ],
    );
    assert_eq!(code(&out), 1, "the exit code still reports findings");
    assert!(out.stdout.is_empty(), "{}", stdout(&out));
    let written: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(&report).unwrap()).unwrap();
    assert_eq!(written["summary"]["errors"], 1);
    let names: Vec<_> = fs::read_dir(out_dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names, ["report.json"], "a temp file was left behind");
    // Human output into a file: no colour, no wrapping.
    let human = out_dir.path().join("report.txt");
    run_in(
        vault.path(),
        &[
            "check",
            ".",
            "--color",
            "auto",
            "--output-file",
            human.to_str().unwrap(),
        ],
    );
    let text = fs::read_to_string(&human).unwrap();
    assert!(
        text.contains("× link target `LLMNR-NBT-NS Poisoning and SMB Rely` not found\n")
            && !text.contains('\u{1b}'),
        "{text}"
    );
    let out = run_in(
        vault.path(),
        &["check", ".", "--output-file", "/nonexistent/dir/r.txt"],
    );
    assert_eq!(code(&out), 2);
    assert!(
        stderr(&out).contains("cannot write the report"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn exit_zero_and_fail_on_set_the_exit_code() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), &[("A.md", "---\nalias: x\n---\n")]);
    let p = dir.path();
    assert_eq!(
        code(&run_in(p, &["check", "."])),
        0,
        "warnings pass by default"
    );
    assert_eq!(code(&run_in(p, &["check", ".", "--fail-on", "warning"])), 1);
    assert_eq!(code(&run_in(p, &["check", ".", "--fail-on", "error"])), 0);
    write(p, &[("B.md", "[[Missing]]\n")]);
    assert_eq!(code(&run_in(p, &["check", "."])), 1);
    assert_eq!(code(&run_in(p, &["check", ".", "--exit-zero"])), 0);
    assert_eq!(
        code(&run_in(
            p,
            &["check", ".", "--exit-zero", "--fail-on", "warning"]
        )),
        2
    );
    assert_eq!(code(&run_in(p, &["check", ".", "--fail-on", "info"])), 2);
}

#[test]
fn progress_shows_on_a_terminal_for_slow_runs_only() {
    let dir = tempfile::tempdir().unwrap();
    for i in 0..300 {
        write(dir.path(), &[(&format!("n{i}.md"), "[[n1]] [[n2#x]]\n")]);
    }
    let p = dir.path();
    let shown = run_on_terminal(p, &["check", "."], &[("VAULTLINT_PROGRESS_DELAY_MS", "0")]);
    assert!(shown.contains("vaultlint: checking ."), "{shown}");
    // Quick runs (under the default second) and quiet runs show none.
    let quick = run_on_terminal(p, &["check", "."], &[]);
    assert!(!quick.contains("vaultlint: checking"), "{quick}");
    let quiet = run_on_terminal(
        p,
        &["check", ".", "-q"],
        &[("VAULTLINT_PROGRESS_DELAY_MS", "0")],
    );
    assert!(!quiet.contains("vaultlint: checking"), "{quiet}");
    // Off a terminal, never.
    let piped = Command::new(crate::bin())
        .args(["check", "."])
        .current_dir(p)
        .env("VAULTLINT_PROGRESS_DELAY_MS", "0")
        .output()
        .unwrap();
    assert!(piped.stderr.is_empty(), "{}", stderr(&piped));
}

#[test]
fn completions_complete_flags_in_bash() {
    for shell in ["bash", "zsh", "fish", "elvish", "powershell"] {
        let out = run_in(&repo(), &["completions", shell]);
        assert_eq!(code(&out), 0, "{shell}");
        assert!(stdout(&out).contains("output-file"), "{shell}");
    }
    assert_eq!(code(&run_in(&repo(), &["completions", "tcsh"])), 2);
    let script = format!(
        "source <('{}' completions bash)\nCOMP_WORDS=(vaultlint check --fo)\nCOMP_CWORD=2\n_vaultlint vaultlint --fo check\necho \"${{COMPREPLY[*]}}\"\n",
        crate::bin()
    );
    let out = Command::new("bash").args(["-c", &script]).output().unwrap();
    let words = stdout(&out);
    assert!(
        words.split_whitespace().any(|w| w == "--format"),
        "{words}{}",
        stderr(&out)
    );
}

/// Every flag and subcommand in `--help` is documented in the command line's page.
#[test]
fn command_line_page_documents_every_flag() {
    let readme = fs::read_to_string(repo().join("docs/command-line.md")).unwrap();
    for args in [
        &["--help"][..],
        &["check", "--help"],
        &["attack", "lookup", "--help"],
    ] {
        let help = stdout(&run_in(&repo(), args));
        for word in help.split(|c: char| c.is_whitespace() || c == ',' || c == '[' || c == ']') {
            let flag = word.trim_end_matches(['=', '.']);
            if flag.starts_with("--") && flag.len() > 2 && !matches!(flag, "--help" | "--version") {
                assert!(
                    readme.contains(&format!("`{flag}")),
                    "docs/command-line.md does not document `{flag}`"
                );
            }
        }
    }
    for sub in ["check", "rules", "rule", "attack lookup", "completions"] {
        assert!(
            readme.contains(&format!("`vaultlint {sub}")),
            "docs/command-line.md does not document `vaultlint {sub}`"
        );
    }
}

#[test]
fn a_long_report_fits_the_terminal_and_ends_with_the_findings_per_rule() {
    let dir = tempfile::tempdir().unwrap();
    fs::create_dir(dir.path().join(".obsidian")).unwrap();
    let long = format!("{}/Target note", "a folder with a long name/".repeat(4));
    let mut notes = Vec::new();
    for i in 0..60 {
        notes.push((
            format!("n{i:02}.md"),
            format!("| [[{long}\\|T1059]] | Command and Scripting Interpreter |\n"),
        ));
    }
    let files: Vec<(&str, &str)> = notes
        .iter()
        .map(|(p, t)| (p.as_str(), t.as_str()))
        .collect();
    write(dir.path(), &files);
    let shown = strip_ansi(&run_on_terminal(
        dir.path(),
        &["check", ".", "--select", "broken-link"],
        &[("COLUMNS", "60")],
    ));
    // A location (`path:line:column`) and a `code span` (a name to copy) are never cut:
    // editors and terminals open a location whole, and a terminal's own soft wrap keeps a
    // name whole when it is copied. The source line and its underline are cut instead.
    let uncut = |l: &str| {
        l.contains("╭─[")
            || l.split('`')
                .skip(1)
                .step_by(2)
                .any(|code| code.chars().count() > 50)
    };
    for line in shown.lines().filter(|l| !uncut(l)) {
        assert!(
            line.chars().count() <= 60,
            "wider than COLUMNS=60: {line:?}\n{shown}"
        );
    }
    let table = shown
        .find("vaultlint: findings per rule")
        .unwrap_or_else(|| panic!("no table after 60 findings:\n{shown}"));
    assert!(shown.rfind("× link target").unwrap() < table, "{shown}");
    assert!(shown[table..].contains("     60  broken-link"), "{shown}");
    assert!(shown[table..].contains("--select RULE"), "{shown}");
    assert!(shown.find("vaultlint: found: ").unwrap() > table, "{shown}");
    // A short report has no table.
    for i in 5..60 {
        fs::remove_file(dir.path().join(format!("n{i:02}.md"))).unwrap();
    }
    let short = strip_ansi(&run_on_terminal(
        dir.path(),
        &["check", ".", "--select", "broken-link"],
        &[("COLUMNS", "60")],
    ));
    assert!(!short.contains("findings per rule"), "{short}");
    assert!(short.contains("vaultlint: found: 5 errors"), "{short}");
}
