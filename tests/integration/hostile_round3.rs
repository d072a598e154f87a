//! Issue 23, "hostile vaults, round 3": fixes that keep what a note means, output that vault
//! text cannot hijack, and costs bounded on hostile input. Each test builds its vault in a
//! temp dir; time limits are hang detectors, never speed targets (`bench/complexity.py`
//! measures those).

use std::path::Path;
use std::process::Output;
use std::time::Duration;

use super::hostile::{check, stderr, vault, write, HANG};

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn a_revoked_by_cycle_in_a_catalogue_is_reported_not_followed() {
    let dir = vault();
    let catalogue = dir.path().join("cycle.tsv");
    std::fs::write(
        &catalogue,
        "domain\tattack_id\tname\ttype\tdeprecated\trevoked\trevoked_by\trevoked_by_final\n\
         enterprise-attack\tT1000\tFirst\ttechnique\tfalse\ttrue\tT1001\tT1001\n\
         enterprise-attack\tT1001\tSecond\ttechnique\tfalse\ttrue\tT1000\tT1000\n",
    )
    .unwrap();
    let table = "| ID | Name |\n| --- | --- |\n| [[First\\|T1000]] | First |\n| [[Second\\|T1001]] | Second |\n";
    write(dir.path(), "notes/Table.md", table);
    write(dir.path(), "notes/First.md", "# First\n");
    write(dir.path(), "notes/Second.md", "# Second\n");
    let cat = catalogue.to_str().unwrap();
    let out = check(
        &dir.path().join("notes"),
        &["--attack-catalog", cat, "--fix", "--unsafe-fixes"],
    );
    let text = std::fs::read_to_string(dir.path().join("notes/Table.md")).unwrap();
    assert_eq!(text, table, "{}", stderr(&out));
    let all = format!("{}{}", stdout(&out), stderr(&out));
    assert!(
        all.contains("runs in a circle (T1000 → T1001 → T1000)"),
        "{all}"
    );
    assert!(!all.contains("passes"), "{all}");
}

/// Every file name under `dir` that a write would leave behind: vaultlint's own temp files
/// and tempfile's default `.tmpXXXXXX`.
#[cfg(unix)]
fn temp_files(dir: &Path) -> Vec<String> {
    walk(dir)
        .into_iter()
        .filter(|p| {
            let name = p.rsplit('/').next().unwrap_or(p);
            name.starts_with(".vaultlint-") || name.starts_with(".tmp")
        })
        .collect()
}

#[cfg(unix)]
fn walk(dir: &Path) -> Vec<String> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let entry = entry.unwrap();
        let path = entry.path();
        out.push(path.to_string_lossy().into_owned());
        if entry.file_type().unwrap().is_dir() {
            out.extend(walk(&path));
        }
    }
    out
}

/// A signal while `--fix` writes a note (the test hook pauses with its temp file
/// half-written) removes the temp file, leaves that note as it was and ends the run.
#[cfg(unix)]
#[test]
fn signal_during_fix_writes_leaves_no_temp_file() {
    use std::process::{Command, Stdio};
    let original = "---\nalias: M1040\n---\n";
    for signal in ["-INT", "-TERM"] {
        let dir = vault();
        for i in 0..3 {
            write(dir.path(), &format!("sub/n{i}.md"), original);
        }
        let mut child = Command::new(env!("CARGO_BIN_EXE_vaultlint"))
            .args(["check", dir.path().to_str().unwrap(), "--fix"])
            .env("VAULTLINT_TEST_PAUSE_IN_WRITE_MS", "60000")
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let start = std::time::Instant::now();
        while temp_files(dir.path()).is_empty() {
            assert!(start.elapsed() < HANG, "the write never started");
            std::thread::sleep(Duration::from_millis(20));
        }
        let sent = Command::new("kill")
            .args([signal, &child.id().to_string()])
            .status()
            .unwrap();
        assert!(sent.success());
        let status = child.wait().unwrap();
        let mut err = String::new();
        std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut err).unwrap();
        assert_eq!(status.code(), Some(130), "{signal}: {err}");
        assert!(err.contains("interrupted"), "{err}");
        assert_eq!(temp_files(dir.path()), Vec::<String>::new(), "{signal}");
        for i in 0..3 {
            let text = std::fs::read_to_string(dir.path().join(format!("sub/n{i}.md"))).unwrap();
            assert_eq!(
                text, original,
                "{signal}: no note was written before the first"
            );
        }
    }
}

/// Raw bytes no terminal or CI log may receive from the vault: ESC, BEL, C1 controls, the
/// bidi override and the line separator, as UTF-8.
fn raw_hostile(text: &str) -> Option<char> {
    text.chars().find(|&c| {
        (c.is_control() && c != '\n' && c != '\t')
            || matches!(c, '\u{202e}' | '\u{2028}' | '\u{2029}')
    })
}

/// GitHub workflow commands that the runner would execute: `::` at a line's start (after
/// spaces), `##[` anywhere; `own` lists the commands the format itself writes.
fn workflow_commands<'t>(text: &'t str, own: &[&str]) -> Vec<&'t str> {
    text.lines()
        .filter(|l| {
            let t = l.trim_start();
            (t.starts_with("::") && !own.iter().any(|o| t.starts_with(o))) || l.contains("##[")
        })
        .collect()
}

#[cfg(unix)]
#[test]
fn vault_text_cannot_drive_the_terminal_or_the_ci_log() {
    let dir = vault();
    let evil_dir = "::error file=x::owned \u{1b}]0;title\u{7}";
    let body = "# H\n\n[[missing \u{1b}[2J ::warning::w ##[error]e \u{202e}rev\u{2028}sep]]\n\
                [[Note with \u{1b}]8;;https://evil\u{1b}\\link]]\n";
    write(dir.path(), &format!("{evil_dir}/n.md"), body);
    write(dir.path(), "::add-mask::x.md", "[[::stop-commands::tok]]\n");
    write(
        dir.path(),
        "vaultlint.toml",
        "exclude = [\"\u{1b}]0;t\u{7}::error::c[\"]\n",
    );
    for format in [
        "human", "concise", "github", "json", "sarif", "junit", "gitlab",
    ] {
        let out = check(
            dir.path(),
            &["--format", format, "--color", "never", "--no-config"],
        );
        let (o, e) = (stdout(&out), stderr(&out));
        for (name, text) in [("stdout", &o), ("stderr", &e)] {
            if matches!(format, "json" | "sarif" | "gitlab" | "junit") && name == "stdout" {
                continue;
            }
            assert_eq!(raw_hostile(text), None, "{format} {name}:\n{text}");
            let own: &[&str] = if format == "github" && name == "stdout" {
                &[
                    "::error file=",
                    "::warning file=",
                    "::notice",
                    "::group::",
                    "::endgroup::",
                    "::stop-commands::",
                ]
            } else {
                &[]
            };
            assert_eq!(
                workflow_commands(text, own),
                Vec::<&str>::new(),
                "{format} {name}:\n{text}"
            );
        }
        assert!(!e.contains("\u{1b}"), "{format}: {e}");
    }
    // A config error quotes the config's text: escaped on stderr in every format.
    for format in ["human", "github"] {
        let out = check(dir.path(), &["--format", format]);
        let e = stderr(&out);
        assert_eq!(raw_hostile(&e), None, "{e}");
        assert_eq!(workflow_commands(&e, &[]), Vec::<&str>::new(), "{e}");
    }
}

#[test]
fn job_summary_code_spans_cannot_be_closed_by_the_vault() {
    let dir = vault();
    write(
        dir.path(),
        "n.md",
        "[[a` [x](https://evil.example) ![i](https://evil.example/i.png) <img src=x> `b]]\n",
    );
    let summary = dir.path().join("summary.md");
    let out = run_with_timeout_env(
        &["check", dir.path().to_str().unwrap(), "--format", "github"],
        &[("GITHUB_STEP_SUMMARY", summary.to_str().unwrap())],
    );
    let text = std::fs::read_to_string(&summary).unwrap_or_default();
    assert!(text.contains("broken-link"), "{}\n{text}", stderr(&out));
    for line in text.lines().filter(|l| l.starts_with("- ")) {
        // The message is one code span whose fence is longer than any backtick run in it.
        let msg = line.split("`broken-link` ").nth(1).unwrap();
        let fence = msg.chars().take_while(|&c| c == '`').count();
        assert!(msg.ends_with(&"`".repeat(fence)), "{line}");
        let inner = &msg[fence..msg.len() - fence];
        assert!(!inner.contains(&"`".repeat(fence)), "{line}");
    }
}

fn run_with_timeout_env(args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_vaultlint"));
    cmd.args(args);
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().unwrap()
}

/// `vaultlint check . --diff > p && git apply p` must touch only the notes it fixes: a
/// folder name holding a line break cannot add lines (a new file) to the patch.
#[cfg(unix)]
#[test]
fn diff_paths_are_quoted_as_git_quotes_them() {
    use std::process::Command;
    let repo = tempfile::tempdir().unwrap();
    let root = repo.path();
    let git = |args: &[&str]| {
        let out = Command::new("git")
            .args(args)
            .current_dir(root)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "git {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        out
    };
    git(&["init", "-q"]);
    std::fs::create_dir_all(root.join(".obsidian")).unwrap();
    let evil = "x\n--- /dev/null\n+++ b/conftest.py\n@@ -0,0 +1 @@\n+import os\ny \"q\\Ü";
    write(root, &format!("{evil}/n.md"), "---\nalias: M1040\n---\n");
    write(root, "plain.md", "---\nalias: M1041\n---\n");
    let out = Command::new(env!("CARGO_BIN_EXE_vaultlint"))
        .args(["check", ".", "--diff"])
        .current_dir(root)
        .output()
        .unwrap();
    let patch = stdout(&out);
    assert!(
        patch.contains("diff --git \"a/x\\n--- /dev/null\\n+++ b/conftest.py\\n@@ -0,0 +1 @@\\n+import os\\ny \\\"q\\\\\\303\\234/n.md\""),
        "{patch}"
    );
    assert!(
        patch.contains("diff --git a/plain.md b/plain.md"),
        "{patch}"
    );
    std::fs::write(root.join("p.patch"), &patch).unwrap();
    git(&["apply", "p.patch"]);
    assert!(!root.join("conftest.py").exists());
    let fixed = std::fs::read_to_string(root.join(format!("{evil}/n.md"))).unwrap();
    assert_eq!(fixed, "---\naliases: [M1040]\n---\n");
    assert_eq!(
        std::fs::read_to_string(root.join("plain.md")).unwrap(),
        "---\naliases: [M1041]\n---\n"
    );
}

/// A text node holding a lone surrogate escape is valid JSON that JavaScript reads (with
/// U+FFFD): its broken links are still found, and the odd string is reported.
#[test]
fn a_lone_surrogate_in_a_canvas_keeps_its_links_and_is_reported() {
    let dir = vault();
    write(
        dir.path(),
        "Board.canvas",
        r#"{"nodes":[{"id":"t","type":"text","text":"\ud800 [[Missing]]"}],"edges":[]}"#,
    );
    write(dir.path(), "Note.md", "# Note\n");
    let out = check(dir.path(), &["--format", "json"]);
    let value: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let rules: Vec<&str> = value["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["rule"].as_str().unwrap())
        .collect();
    assert_eq!(rules, ["invalid-canvas", "broken-link"], "{value:#}");
    assert_eq!(value["diagnostics"][0]["severity"], "warning");
}

/// A vault (or an `--only` selection) whose one note cannot be read (over the 32 MiB note
/// limit, or not text) gets the `unreadable-file` finding, not an error saying it holds
/// no note.
#[test]
fn a_vault_of_one_unreadable_note_reports_it() {
    for (name, text) in [
        ("big.md", "[[a]]".repeat(7_000_000).into_bytes()),
        ("binary.md", vec![0u8; 4096]),
    ] {
        let dir = vault();
        write(dir.path(), name, &text);
        let out = check(dir.path(), &["--format", "concise", "--no-cache"]);
        assert_eq!(out.status.code(), Some(1), "{name}: {}", stderr(&out));
        assert!(
            stdout(&out).contains("[unreadable-file]"),
            "{name}: {}",
            stdout(&out)
        );
        write(dir.path(), "ok.md", "x\n");
        let only = check(
            dir.path(),
            &["--format", "concise", "--no-cache", "--only", name],
        );
        assert_eq!(
            only.status.code(),
            Some(1),
            "{name} --only: {}",
            stderr(&only)
        );
    }
}
