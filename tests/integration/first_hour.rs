//! What a new user meets in the first hour: each papercut seen once, pinned so it stays
//! fixed. Every test runs the built binary as a user would.

use std::path::Path;

use crate::{code, copy_tree, fixtures, stdout, vaultlint};

fn stderr(output: &std::process::Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// A vault holding only canvases, each with a file node that opens nothing.
fn canvas_vault() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join(".obsidian")).unwrap();
    for name in ["a", "b"] {
        std::fs::write(
            dir.path().join(format!("{name}.canvas")),
            format!(
                r#"{{"nodes":[{{"id":"n","type":"file","file":"missing-{name}.md","x":0,"y":0,"width":10,"height":10}}],"edges":[]}}"#
            ),
        )
        .unwrap();
    }
    dir
}

fn path(p: &Path) -> &str {
    p.to_str().unwrap()
}

#[test]
fn a_folder_of_canvases_alone_is_checked() {
    let vault = canvas_vault();
    let out = vaultlint(&["check", path(vault.path()), "--format", "concise"]);
    assert_eq!(code(&out), 1, "{}{}", stdout(&out), stderr(&out));
    let text = stdout(&out);
    assert!(text.contains("missing-a.md"), "{text}");
    assert!(text.contains("missing-b.md"), "{text}");
}

#[test]
fn only_takes_a_canvas() {
    let vault = canvas_vault();
    let canvas = vault.path().join("a.canvas");
    let out = vaultlint(&[
        "check",
        path(vault.path()),
        "--only",
        path(&canvas),
        "--format",
        "concise",
    ]);
    assert_eq!(code(&out), 1, "{}{}", stdout(&out), stderr(&out));
    let text = stdout(&out);
    assert!(text.contains("missing-a.md"), "{text}");
    assert!(!text.contains("missing-b.md"), "{text}");
}

#[test]
fn coverage_refuses_an_unknown_domain_and_names_the_known_ones() {
    let vault = copy_tree(&fixtures().join("sample-vault"));
    let out = vaultlint(&[
        "attack",
        "coverage",
        path(vault.path()),
        "--domain",
        "enterprise",
    ]);
    assert_eq!(code(&out), 2, "{}{}", stdout(&out), stderr(&out));
    assert!(
        stdout(&out).is_empty(),
        "no layer is written: {}",
        stdout(&out)
    );
    assert!(
        stderr(&out).contains("enterprise-attack"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn coverage_of_an_empty_folder_fails_as_check_does() {
    let dir = tempfile::tempdir().unwrap();
    let check = vaultlint(&["check", path(dir.path())]);
    let coverage = vaultlint(&["attack", "coverage", path(dir.path())]);
    assert_eq!(code(&check), 2);
    assert_eq!(code(&coverage), 2, "{}", stdout(&coverage));
    assert!(stderr(&coverage).contains("empty"), "{}", stderr(&coverage));
}

#[test]
fn unsafe_fixes_without_fix_or_diff_is_an_error() {
    let vault = copy_tree(&fixtures().join("sample-vault"));
    let out = vaultlint(&["check", path(vault.path()), "--unsafe-fixes"]);
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    assert!(stderr(&out).contains("--fix"), "{}", stderr(&out));
    for with in ["--fix", "--diff"] {
        let out = vaultlint(&["check", path(vault.path()), "--unsafe-fixes", with]);
        assert_ne!(code(&out), 2, "{with}: {}", stderr(&out));
    }
}

#[test]
fn statistics_come_as_a_table_or_json_and_other_formats_are_refused() {
    let vault = copy_tree(&fixtures().join("sample-vault"));
    for format in ["sarif", "github", "junit", "gitlab"] {
        let out = vaultlint(&[
            "check",
            path(vault.path()),
            "--statistics",
            "--format",
            format,
        ]);
        assert_eq!(code(&out), 2, "{format}: {}", stdout(&out));
        assert!(stdout(&out).is_empty(), "{format}: {}", stdout(&out));
        assert!(stderr(&out).contains("--statistics"), "{}", stderr(&out));
    }
    for format in ["human", "concise", "json"] {
        let out = vaultlint(&[
            "check",
            path(vault.path()),
            "--statistics",
            "--format",
            format,
        ]);
        assert_eq!(code(&out), 1, "{format}: {}", stderr(&out));
        assert!(stdout(&out).contains("deprecated-property"), "{format}");
    }
}

#[test]
fn concise_output_ends_with_a_summary_line() {
    let vault = copy_tree(&fixtures().join("sample-vault"));
    let out = vaultlint(&["check", path(vault.path()), "--format", "concise"]);
    assert_eq!(code(&out), 1);
    let text = stdout(&out);
    let last = text.lines().rfind(|l| !l.is_empty()).unwrap_or_default();
    let summary = text
        .lines()
        .find(|l| l.starts_with("vaultlint: found: "))
        .unwrap_or_else(|| panic!("no summary line: {text}"));
    assert!(summary.contains("error"), "{summary}");
    assert!(
        last.starts_with("vaultlint: "),
        "the summary comes last: {last}"
    );
}

#[test]
fn a_folder_given_as_the_command_gets_a_did_you_mean() {
    let vault = copy_tree(&fixtures().join("sample-vault"));
    let out = vaultlint(&[path(vault.path())]);
    assert_eq!(code(&out), 2);
    let err = stderr(&out);
    assert!(
        err.contains(&format!("vaultlint check {}", path(vault.path()))),
        "{err}"
    );
}

/// A release build shipped 48.6 MB of symbols and line tables (8.8 MB stripped), and the
/// wheel built from it 12.7 MB: the release profile strips them, and a separate profile
/// keeps line tables for `perf`.
#[test]
fn the_release_build_is_stripped_and_profiling_keeps_line_tables() {
    let manifest: toml::Table = std::fs::read_to_string(crate::repo().join("Cargo.toml"))
        .unwrap()
        .parse()
        .unwrap();
    let profile = &manifest["profile"];
    assert_eq!(profile["release"]["strip"].as_bool(), Some(true));
    assert_eq!(profile["release"]["debug"].as_bool(), Some(false));
    assert_eq!(profile["profiling"]["inherits"].as_str(), Some("release"));
    assert_eq!(
        profile["profiling"]["debug"].as_str(),
        Some("line-tables-only")
    );
    assert_eq!(profile["profiling"]["strip"].as_bool(), Some(false));
}
