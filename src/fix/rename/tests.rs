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

pub(crate) fn copy_tree(from: &Path, to: &Path) {
    for entry in walkdir::WalkDir::new(from).follow_links(false) {
        let entry = entry.unwrap();
        let rel = entry.path().strip_prefix(from).unwrap();
        let dest = to.join(rel);
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&dest).unwrap();
        } else if entry.file_type().is_file() {
            std::fs::copy(entry.path(), &dest).unwrap();
        }
    }
}

/// The links of a file's text, parsed once per distinct text (by hash): a property test
/// over large corpora parses again only the files a move rewrote.
#[derive(Default)]
pub(crate) struct LinkCache(
    std::collections::HashMap<(u64, bool), std::sync::Arc<crate::parse::Note>>,
);

impl LinkCache {
    fn links(&mut self, text: &str, canvas: bool) -> std::sync::Arc<crate::parse::Note> {
        use std::hash::{Hash, Hasher};
        let mut h = std::collections::hash_map::DefaultHasher::new();
        text.hash(&mut h);
        self.0
            .entry((h.finish(), canvas))
            .or_insert_with(|| std::sync::Arc::new(parse_links(text, canvas)))
            .clone()
    }
}

/// What every link Obsidian follows opens, per note or canvas, in link order (`None`: a
/// broken link or no link Obsidian follows), by the crate's own resolver: every link of
/// every file is resolved again against the vault as it is on disk now.
pub(crate) fn opened(root: &Path, cache: &mut LinkCache) -> BTreeMap<String, Vec<Option<String>>> {
    let vault = index(root).unwrap();
    let texts: Vec<(FileId, String)> = (0..vault.files.len())
        .into_par_iter()
        .filter(|&id| vault.files[id].is_note || vault.files[id].is_canvas())
        .filter_map(|id| {
            match vault::read_note(&vault.files[id].abs(root), vault::MAX_NOTE_BYTES) {
                vault::NoteText::Text(text, _) => Some((id, text)),
                vault::NoteText::Skipped(_) => None,
            }
        })
        .collect();
    let parsed: Vec<(FileId, std::sync::Arc<crate::parse::Note>)> = texts
        .iter()
        .map(|(id, text)| (*id, cache.links(text, vault.files[*id].is_canvas())))
        .collect();
    parsed
        .par_iter()
        .map(|(id, links)| {
            let targets = links
                .links()
                .map(|l| {
                    if l.problem.is_some() {
                        return None;
                    }
                    let r = if l.kind == LinkKind::CanvasFile {
                        vault.resolve_exact(l.path())
                    } else {
                        vault.resolve(l.path(), *id)
                    };
                    r.file().map(|f| vault.path(f).to_string())
                })
                .collect();
            (vault.files[*id].path.to_string(), targets)
        })
        .collect()
}

/// Names a renamed note may get: spaces, `%`, brackets, `^` and `|` (which wiki-links
/// cannot hold), non-ASCII, and case-only changes.
const NAME_TEMPLATES: &[&str] = &[
    "{} renamed",
    "Ünïcödé — {}",
    "{} 50% [v2] draft",
    "{} a^b",
    "{} x|y",
    "UPPER",
];

#[test]
fn moves_on_the_corpora_never_change_what_a_link_opens() {
    let Some(corpora) = crate::vault::shared_corpora() else {
        return;
    };
    let mut applied = 0;
    let mut refused = 0;
    let mut rewritten = 0;
    for (corpus, moves_wanted, seed) in [
        ("obsidian-help/en", 6, 1u64),
        ("obsidian-tasks/docs", 4, 2),
        ("attack-vault", 3, 3),
        ("attack-reuteras/vault", 2, 4),
    ] {
        let tmp = tempfile::tempdir().unwrap();
        copy_tree(&corpora.join(corpus), tmp.path());
        std::fs::create_dir_all(tmp.path().join(".obsidian")).unwrap();
        let root = tmp.path();
        let mut state = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15);
        let mut next = |n: usize| {
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            usize::try_from(state >> 33).unwrap() % n.max(1)
        };
        let mut cache = LinkCache::default();
        let mut before = opened(root, &mut cache);
        for round in 0..moves_wanted {
            let vault = index(root).unwrap();
            let notes: Vec<&str> = vault
                .files
                .iter()
                .filter(|f| f.is_note)
                .map(|f| &*f.path)
                .collect();
            let m = if round % 3 == 2 {
                // A folder: moved under another name, or into another folder.
                let mut folders: Vec<&str> = notes
                    .iter()
                    .map(|p| spell::folder(p))
                    .filter(|f| !f.is_empty())
                    .collect();
                folders.sort_unstable();
                folders.dedup();
                if folders.is_empty() {
                    continue;
                }
                let from = folders[next(folders.len())];
                let to = if next(2) == 0 {
                    format!("{from} moved {round}")
                } else {
                    format!("Moved {round}/{}", from.rsplit('/').next().unwrap_or(from))
                };
                Move {
                    from: from.to_owned(),
                    to,
                }
            } else {
                let from = notes[next(notes.len())];
                let stem = stem(from);
                let template = NAME_TEMPLATES[next(NAME_TEMPLATES.len())];
                let name = if template == "UPPER" {
                    stem.to_uppercase()
                } else {
                    template.replace("{}", stem)
                };
                let folder = if next(3) == 0 {
                    format!("Elsewhere {round}")
                } else {
                    spell::folder(from).to_owned()
                };
                let to = if folder.is_empty() {
                    format!("{name}.md")
                } else {
                    format!("{folder}/{name}.md")
                };
                Move {
                    from: from.to_owned(),
                    to,
                }
            };
            let plan = plan(root, std::slice::from_ref(&m));
            let plan = match plan {
                Ok(plan) => plan,
                // A destination that exists or Obsidian refuses: not a link question.
                Err(_) => continue,
            };
            if !plan.refusals.is_empty() {
                refused += 1;
                assert!(journal::apply(&plan).is_err());
                assert_eq!(
                    opened(root, &mut cache),
                    before,
                    "{corpus}: a refused {m:?} changed links"
                );
                continue;
            }
            journal::apply(&plan).unwrap_or_else(|e| panic!("{corpus}: {m:?}: {e}"));
            applied += 1;
            rewritten += plan.links();
            let map: BTreeMap<&str, &str> = plan.files.iter().map(|(a, b)| (&**a, &**b)).collect();
            let moved = |p: &str| map.get(p).map_or_else(|| p.to_owned(), |n| (*n).to_owned());
            let after = opened(root, &mut cache);
            assert_eq!(after.len(), before.len(), "{corpus}: {m:?}");
            for (file, targets) in &before {
                let now = &after[&moved(file)];
                assert_eq!(now.len(), targets.len(), "{corpus}: {m:?}: links in {file}");
                for (i, (was, is)) in targets.iter().zip(now).enumerate() {
                    if let Some(was) = was {
                        assert_eq!(
                            is.as_deref(),
                            Some(moved(was).as_str()),
                            "{corpus}: {m:?}: link {i} of {file}"
                        );
                    }
                }
            }
            before = after;
        }
    }
    assert!(
        applied >= 8,
        "only {applied} moves applied ({refused} refused)"
    );
    assert!(rewritten > 0);
}

/// A folder swapped for a symbolic link between the plan and the move sends nothing outside
/// the vault: the move's folders are opened from the vault root without following links,
/// and a folder the move creates that is a link by then is refused too.
#[cfg(unix)]
#[test]
fn a_folder_swapped_for_a_symlink_after_the_plan_moves_nothing_outside() {
    let outside = tempfile::tempdir().unwrap();
    std::fs::write(outside.path().join("n.md"), "# outside\n").unwrap();
    let dir = vault(&[("sub/n.md", "# N\n"), ("a.md", "[[sub/n]]\n")], None);
    let in_place = plan(dir.path(), &moves("sub/n.md", "sub/m.md")).unwrap();
    let elsewhere = plan(dir.path(), &moves("a.md", "new/a.md")).unwrap();
    assert!(in_place.refusals.is_empty() && elsewhere.refusals.is_empty());
    std::fs::rename(dir.path().join("sub"), dir.path().join("sub-was")).unwrap();
    std::os::unix::fs::symlink(outside.path(), dir.path().join("sub")).unwrap();
    std::os::unix::fs::symlink(outside.path(), dir.path().join("new")).unwrap();

    let err = journal::apply(&in_place).unwrap_err().to_string();
    assert!(err.contains("symbolic link"), "{err}");
    let err = journal::apply(&elsewhere).unwrap_err().to_string();
    assert!(err.contains("not a folder"), "{err}");

    let left: Vec<String> = std::fs::read_dir(outside.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(left, ["n.md"]);
    assert_eq!(
        std::fs::read_to_string(outside.path().join("n.md")).unwrap(),
        "# outside\n"
    );
    assert_eq!(
        std::fs::read_to_string(dir.path().join("a.md")).unwrap(),
        "[[sub/n]]\n"
    );
    assert!(!dir.path().join(journal::JOURNAL).exists());
}
