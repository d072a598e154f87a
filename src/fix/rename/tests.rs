//! The rename layer on small vaults built in a temp folder: each link form, each refusal,
//! the journal's recovery from every point of interruption, and the corpora property test
//! (no link opens something else after random moves).

use std::collections::BTreeMap;
use std::path::Path;

use super::*;

/// A vault with `.obsidian/` (and `app_json` in it when given) and these files.
fn vault(files: &[(&str, &str)], app_json: Option<&str>) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join(".obsidian")).unwrap();
    if let Some(json) = app_json {
        std::fs::write(dir.path().join(".obsidian/app.json"), json).unwrap();
    }
    for (path, text) in files {
        let abs = dir.path().join(path);
        std::fs::create_dir_all(abs.parent().unwrap()).unwrap();
        std::fs::write(abs, text).unwrap();
    }
    dir
}

fn moves(from: &str, to: &str) -> Vec<Move> {
    vec![Move {
        from: from.to_owned(),
        to: to.to_owned(),
    }]
}

/// Every file of the folder (dot folders left out) and its bytes.
fn snapshot(root: &Path) -> BTreeMap<String, Vec<u8>> {
    walkdir::WalkDir::new(root)
        .into_iter()
        .filter_entry(|e| e.depth() == 0 || !e.file_name().to_string_lossy().starts_with('.'))
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            let rel = e
                .path()
                .strip_prefix(root)
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/");
            (rel, std::fs::read(e.path()).unwrap())
        })
        .collect()
}

/// Moves `from` to `to` in a vault of `files` and returns the text of every file after.
fn moved(files: &[(&str, &str)], from: &str, to: &str) -> BTreeMap<String, String> {
    let dir = vault(files, None);
    let plan = plan(dir.path(), &moves(from, to)).unwrap();
    assert!(plan.refusals.is_empty(), "{:?}", plan.refusals);
    journal::apply(&plan).unwrap();
    assert!(!dir.path().join(journal::JOURNAL).exists());
    snapshot(dir.path())
        .into_iter()
        .map(|(p, b)| (p, String::from_utf8(b).unwrap()))
        .collect()
}

fn refusals(files: &[(&str, &str)], from: &str, to: &str) -> Vec<String> {
    let dir = vault(files, None);
    let plan = plan(dir.path(), &moves(from, to)).unwrap();
    let before = snapshot(dir.path());
    assert!(journal::apply(&plan).is_err() || plan.refusals.is_empty());
    if !plan.refusals.is_empty() {
        assert_eq!(
            snapshot(dir.path()),
            before,
            "a refused move wrote something"
        );
    }
    plan.refusals.iter().map(ToString::to_string).collect()
}

#[test]
fn wiki_links_keep_subpath_display_and_table_escapes() {
    let after = moved(
        &[
            ("Plan.md", "# Goals\ntext ^blk\n"),
            (
                "Index.md",
                "[[Plan]] [[Plan#Goals|the goals]] ![[Plan#^blk]] [[plan.md]] [[ Plan ]]\n\n| a | [[Plan\\|alias]] |\n|---|---|\n",
            ),
        ],
        "Plan.md",
        "Road map.md",
    );
    assert_eq!(
        after["Index.md"],
        "[[Road map]] [[Road map#Goals|the goals]] ![[Road map#^blk]] [[Road map.md]] [[ Road map ]]\n\n| a | [[Road map\\|alias]] |\n|---|---|\n"
    );
    assert!(after.contains_key("Road map.md") && !after.contains_key("Plan.md"));
}

#[test]
fn each_path_form_is_kept() {
    let after = moved(
        &[
            ("A/Sub/Plan.md", ""),
            (
                "A/Index.md",
                "[[A/Sub/Plan]] [[/A/Sub/Plan]] [[./Sub/Plan]] [[Sub/Plan]] [m](Sub/Plan.md) [n](../A/Sub/Plan.md) [o](A/Sub/Plan.md)\n",
            ),
        ],
        "A/Sub/Plan.md",
        "B/Deep/Plan.md",
    );
    assert_eq!(
        after["A/Index.md"],
        "[[B/Deep/Plan]] [[/B/Deep/Plan]] [[../B/Deep/Plan]] [[Deep/Plan]] [m](../B/Deep/Plan.md) [n](../B/Deep/Plan.md) [o](B/Deep/Plan.md)\n"
    );
}

#[test]
fn bare_names_that_still_open_the_file_are_left_alone() {
    let after = moved(
        &[("A/Plan.md", ""), ("Index.md", "[[plan]] and [[Plan#x]]\n")],
        "A/Plan.md",
        "B/Plan.md",
    );
    assert_eq!(after["Index.md"], "[[plan]] and [[Plan#x]]\n");
}

#[test]
fn a_moved_note_keeps_its_own_relative_links_working() {
    let after = moved(
        &[
            (
                "A/Note.md",
                "[up](../Top.md) [[./Near]] [[Top]] [[#Local]]\n",
            ),
            ("A/Near.md", ""),
            ("Top.md", ""),
        ],
        "A/Note.md",
        "B/C/Note.md",
    );
    assert_eq!(
        after["B/C/Note.md"],
        "[up](../../Top.md) [[../../A/Near]] [[Top]] [[#Local]]\n"
    );
}

#[test]
fn code_math_and_html_comments_are_not_links() {
    let text = "`[[Plan]]` $[[Plan]]$ <!-- [[Plan]] -->\n\n```\n[[Plan]]\n```\n\n$$\n[[Plan]]\n$$\n[[Plan]]\n";
    let after = moved(&[("Plan.md", ""), ("Index.md", text)], "Plan.md", "Next.md");
    assert_eq!(
        after["Index.md"],
        text.replace("$$\n[[Plan]]\n$$\n[[Plan]]", "$$\n[[Plan]]\n$$\n[[Next]]")
    );
}

#[test]
fn properties_and_canvases_follow() {
    let after = moved(
        &[
            ("Notes/Plan.md", ""),
            (
                "Index.md",
                "---\nup: \"[[Plan]]\"\nrel: ['[[Notes/Plan|p]]']\n---\nbody\n",
            ),
            (
                "Board.canvas",
                r##"{"nodes":[{"id":"a","type":"file","file":"Notes/Plan.md","subpath":"#x"},{"id":"b","type":"text","text":"see [[Plan]]\n[m](Notes/Plan.md)"}]}"##,
            ),
        ],
        "Notes",
        "Archive/Notes 2024",
    );
    assert_eq!(
        after["Index.md"],
        "---\nup: \"[[Plan]]\"\nrel: ['[[Archive/Notes 2024/Plan|p]]']\n---\nbody\n"
    );
    assert_eq!(
        after["Board.canvas"],
        r##"{"nodes":[{"id":"a","type":"file","file":"Archive/Notes 2024/Plan.md","subpath":"#x"},{"id":"b","type":"text","text":"see [[Plan]]\n[m](Archive/Notes%202024/Plan.md)"}]}"##
    );
}

#[test]
fn case_only_renames() {
    let after = moved(
        &[
            ("notes/plan.md", ""),
            ("Index.md", "[[plan]] [[notes/plan]] [x](notes/plan.md)\n"),
        ],
        "notes/plan.md",
        "notes/Plan.md",
    );
    assert_eq!(
        after["Index.md"],
        "[[Plan]] [[notes/Plan]] [x](notes/Plan.md)\n"
    );
    assert!(after.contains_key("notes/Plan.md") && !after.contains_key("notes/plan.md"));
}

#[test]
fn special_characters_in_names() {
    let files = [
        ("Plan.md", ""),
        ("Index.md", "[[Plan]] [[Plan#H|h]] ![[Plan]] [m](Plan.md)\n"),
    ];
    let after = moved(&files, "Plan.md", "Café 50% [draft] v2.md");
    assert_eq!(
        after["Index.md"],
        "[[Café 50% [draft] v2]] [[Café 50% [draft] v2#H|h]] ![[Café 50% [draft] v2]] [m](Café%2050%25%20%5Bdraft%5D%20v2.md)\n"
    );
    // A name ending in `]` would run into the closing `]]`.
    let after = moved(&files, "Plan.md", "Plan [x].md");
    assert_eq!(
        after["Index.md"],
        "[Plan \\[x\\]](Plan%20%5Bx%5D.md) [h](Plan%20%5Bx%5D.md#H) ![Plan \\[x\\]](Plan%20%5Bx%5D.md) [m](Plan%20%5Bx%5D.md)\n"
    );
    // `|` and `^` cannot stand in a wiki-link: such links become Markdown links.
    let after = moved(&files, "Plan.md", "a|b ^c.md");
    assert_eq!(
        after["Index.md"],
        "[a|b ^c](a%7Cb%20%5Ec.md) [h](a%7Cb%20%5Ec.md#H) ![a|b ^c](a%7Cb%20%5Ec.md) [m](a%7Cb%20%5Ec.md)\n"
    );
}

#[test]
fn a_name_no_link_can_spell_is_refused() {
    let files = [("Plan.md", ""), ("Index.md", "[[Plan]]\n")];
    let why = refusals(&files, "Plan.md", "C# notes.md");
    assert_eq!(why.len(), 1, "{why:?}");
    assert!(
        why[0].starts_with("Index.md:1: ") && why[0].contains('#'),
        "{why:?}"
    );
    // Nothing links to it: the rename is fine.
    assert!(refusals(&[("Plan.md", "")], "Plan.md", "C# notes.md").is_empty());
    // A property holds only wiki-links.
    let why = refusals(
        &[("Plan.md", ""), ("I.md", "---\nup: \"[[Plan]]\"\n---\n")],
        "Plan.md",
        "a|b.md",
    );
    assert!(why[0].contains("property"), "{why:?}");
}

#[test]
fn a_new_name_that_makes_another_link_ambiguous_is_refused() {
    let files = [
        ("A/Other.md", ""),
        ("B/Mine.md", ""),
        ("Index.md", "[[Other]] and [[Mine]]\n"),
    ];
    let why = refusals(&files, "B/Mine.md", "B/Other.md");
    assert_eq!(why.len(), 1, "{why:?}");
    assert!(
        why[0].contains("[[Other]]") && why[0].contains("A/Other"),
        "{why:?}"
    );
    // The same move, with the other link written as a full path, goes through, and the
    // link to the moved note takes the full path too (a bare name would be ambiguous).
    let after = moved(
        &[
            ("A/Other.md", ""),
            ("B/Mine.md", ""),
            ("Index.md", "[[A/Other]] and [[Mine]]\n"),
        ],
        "B/Mine.md",
        "B/Other.md",
    );
    assert_eq!(after["Index.md"], "[[A/Other]] and [[B/Other]]\n");
}

#[test]
fn a_link_that_must_change_form_follows_newlinkformat() {
    let files = [
        ("A/Other.md", ""),
        ("B/Mine.md", ""),
        ("C/Index.md", "[[A/Other]] and [[Mine]]\n"),
    ];
    for (format, want) in [
        ("shortest", "[[A/Other]] and [[B/Other]]\n"),
        ("absolute", "[[A/Other]] and [[B/Other]]\n"),
        ("relative", "[[A/Other]] and [[../B/Other]]\n"),
    ] {
        let dir = vault(&files, Some(&format!("{{\"newLinkFormat\":\"{format}\"}}")));
        let plan = plan(dir.path(), &moves("B/Mine.md", "B/Other.md")).unwrap();
        journal::apply(&plan).unwrap();
        let text = std::fs::read_to_string(dir.path().join("C/Index.md")).unwrap();
        assert_eq!(text, want, "{format}");
    }
}

#[test]
fn destinations_that_exist_or_obsidian_refuses_are_errors() {
    let files = [("Plan.md", ""), ("Other.md", ""), ("A/x.md", "")];
    let dir = vault(&files, None);
    for (from, to) in [
        ("Plan.md", "Other.md"),
        ("Plan.md", "other.md"),
        ("Plan.md", ".hidden/Plan.md"),
        ("Plan.md", "a:b.md"),
        ("A", "A/B"),
        ("Missing.md", "M.md"),
        ("Plan.md", "../out.md"),
        ("Plan.md", "Plan.md"),
    ] {
        let result = plan(dir.path(), &moves(from, to));
        assert!(result.is_err(), "{from} -> {to}");
    }
}

#[test]
fn bytes_not_meant_to_change_are_kept() {
    let dir = vault(
        &[
            ("Plan.md", ""),
            (
                "Index.md",
                "\u{feff}line one\r\n[[Plan]]\r\n\ttab [[Other]]\r\n",
            ),
        ],
        None,
    );
    let plan = plan(dir.path(), &moves("Plan.md", "Next.md")).unwrap();
    journal::apply(&plan).unwrap();
    assert_eq!(
        std::fs::read(dir.path().join("Index.md")).unwrap(),
        "\u{feff}line one\r\n[[Next]]\r\n\ttab [[Other]]\r\n".as_bytes()
    );
}

#[test]
fn a_broken_link_that_will_open_the_file_is_a_notice() {
    let dir = vault(&[("Plan.md", ""), ("Index.md", "[[Next]]\n")], None);
    let plan = plan(dir.path(), &moves("Plan.md", "Next.md")).unwrap();
    assert!(plan.refusals.is_empty());
    assert_eq!(plan.notices.len(), 1, "{:?}", plan.notices);
    assert!(plan.notices[0].contains("[[Next]]"));
}

#[test]
fn an_interrupted_move_can_be_finished_or_undone_from_any_point() {
    let files = [
        ("A/Plan.md", "[[../Top]] [up](../Top.md)\n"),
        ("A/Two.md", "[[Plan]]\n"),
        ("Top.md", "[[A/Plan]] [[Two]]\n"),
        ("X.md", "[[plan]]\n"),
    ];
    let dir = vault(&files, None);
    let before = snapshot(dir.path());
    let plan = plan(dir.path(), &moves("A", "New/Place")).unwrap();
    journal::apply(&plan).unwrap();
    let after = snapshot(dir.path());
    assert_ne!(before, after);
    let steps = {
        let dir = vault(&files, None);
        let plan = super::plan(dir.path(), &moves("A", "New/Place")).unwrap();
        journal::steps(&journal::journal_of(&plan))
    };
    assert_eq!(
        steps,
        1 + 1 + 2,
        "a folder created, one move, two files rewritten"
    );
    for n in 0..=steps {
        for finish in [true, false] {
            let dir = vault(&files, None);
            let plan = super::plan(dir.path(), &moves("A", "New/Place")).unwrap();
            let j = journal::journal_of(&plan);
            journal::record(dir.path(), &j);
            journal::forward_steps(dir.path(), &j, n);
            // A new move waits for the interrupted one.
            assert!(journal::apply(&plan).is_err());
            if finish {
                journal::resume(dir.path()).unwrap();
                assert_eq!(snapshot(dir.path()), after, "finished after {n} steps");
            } else {
                journal::abort(dir.path()).unwrap();
                assert_eq!(snapshot(dir.path()), before, "undone after {n} steps");
                assert!(!dir.path().join("New").exists());
            }
            assert!(!dir.path().join(".vaultlint").exists());
        }
    }
}

#[test]
fn a_case_only_rename_can_be_interrupted_too() {
    let files = [("plan.md", ""), ("I.md", "[[plan]]\n")];
    for n in 0..=2 {
        let dir = vault(&files, None);
        let before = snapshot(dir.path());
        let plan = plan(dir.path(), &moves("plan.md", "Plan.md")).unwrap();
        let j = journal::journal_of(&plan);
        journal::record(dir.path(), &j);
        journal::forward_steps(dir.path(), &j, n);
        journal::abort(dir.path()).unwrap();
        assert_eq!(snapshot(dir.path()), before);
    }
}

#[cfg(unix)]
#[test]
fn a_file_that_cannot_be_written_refuses_the_move_and_changes_nothing() {
    use std::os::unix::fs::PermissionsExt;
    let dir = vault(&[("Plan.md", ""), ("Locked/Index.md", "[[Plan]]\n")], None);
    let locked = dir.path().join("Locked");
    std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o555)).unwrap();
    // Running as root, permissions do not stop a write: nothing to test then.
    let writable = tempfile::tempfile_in(&locked).is_ok();
    let before = snapshot(dir.path());
    let plan = plan(dir.path(), &moves("Plan.md", "Next.md")).unwrap();
    let result = journal::apply(&plan);
    std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o755)).unwrap();
    if !writable {
        let err = result.unwrap_err().to_string();
        assert!(err.contains("nothing was changed"), "{err}");
        assert_eq!(snapshot(dir.path()), before);
        assert!(!dir.path().join(".vaultlint").exists());
    }
}
