//! Section F of the reference note (`../shared/docs/obsidian-links.md`) as a table.

use super::*;
use crate::parse::{parse_note, Outline};
use crate::vault::VaultFile;

const FILES: &[(&str, &str)] = &[
    (
        "A.md",
        "# H1\n# X\n## H2\n## Some heading\n# a b\npara ^blk-1\n",
    ),
    ("Folder/Note.md", ""),
    ("Other/Note.md", ""),
    ("Folder/Sub/Deep.md", ""),
    ("img.png", ""),
    ("Folder/img.png", ""),
    ("doc.pdf", ""),
    ("v1.2.md", ""),
    ("Caf\u{e9}.md", ""),
    ("Encrypted\u{ff0f}Encoded File.md", ""),
    ("ab/X.md", ""),
    ("notes/Src.md", "## Local Heading\n"),
    ("notes2/Y.md", ""),
    ("other/Y.md", ""),
    ("Alpha/Dup.md", ""),
    ("Gamma/Dup.md", ""),
    ("Root.md", ""),
    ("Deep/Root.md", ""),
    ("Artificial Intelligence.md", "---\naliases: [AI]\n---\n"),
];

fn vault() -> Vault {
    let mut files: Vec<VaultFile> = FILES
        .iter()
        .map(|(p, _)| VaultFile {
            path: (*p).into(),
            is_note: p.ends_with(".md"),
            os_path: None,
            stat: None,
            lint: true,
        })
        .collect();
    files.sort_by(|a, b| a.path.cmp(&b.path));
    let notes = files
        .iter()
        .map(|f| {
            let text = FILES.iter().find(|(p, _)| *p == &*f.path).unwrap().1;
            f.is_note.then(|| Outline::of(&parse_note(text)))
        })
        .collect();
    Vault::new(files, notes, Vec::new())
}

fn id(v: &Vault, path: &str) -> FileId {
    v.files.iter().position(|f| &*f.path == path).unwrap()
}

fn resolve_from(v: &Vault, source: &str, link: &str) -> Option<String> {
    v.resolve(link, id(v, source))
        .file()
        .map(|f| v.path(f).to_string())
}

fn resolve(v: &Vault, link: &str) -> Option<String> {
    resolve_from(v, "notes/Src.md", link)
}

#[test]
fn section_f_resolution_table() {
    let v = vault();
    let cases: &[(&str, &str, Option<&str>)] = &[
        ("1", "A", Some("A.md")),
        ("1", "a", Some("A.md")),
        ("1", "A.md", Some("A.md")),
        ("1", "/A", Some("A.md")),
        ("2", "Note", Some("Other/Note.md")),
        ("3", "Folder/Note", Some("Folder/Note.md")),
        ("3", "folder/note.md", Some("Folder/Note.md")),
        ("4", "/Note", None),
        ("5", "Sub/Deep", Some("Folder/Sub/Deep.md")),
        ("6", "b/X", Some("ab/X.md")),
        ("7", "../A", Some("A.md")),
        ("7", "./Src", Some("notes/Src.md")),
        ("8", "Y", Some("notes2/Y.md")),
        ("8b", "Root", Some("Root.md")),
        ("9", "img.png", Some("img.png")),
        ("9", "Folder/img.png", Some("Folder/img.png")),
        ("10", "img", None),
        ("11", "v1.2", Some("v1.2.md")),
        ("12", "Cafe\u{301}", Some("Caf\u{e9}.md")),
        (
            "13",
            "Encrypted\u{ff0f}Encoded File",
            Some("Encrypted\u{ff0f}Encoded File.md"),
        ),
        ("13", "Encrypted/Encoded File", None),
        ("14", "AI", None),
        ("15", "", Some("notes/Src.md")),
        ("29", "Folder/Note.md", Some("Folder/Note.md")),
        ("--", "../../../etc/passwd", None),
        ("--", "/etc/passwd", None),
    ];
    for (case, link, want) in cases {
        assert_eq!(
            resolve(&v, link).as_deref(),
            *want,
            "case {case}: [[{link}]]"
        );
    }
}

#[test]
fn ambiguity_is_reported_with_ranking() {
    let v = vault();
    let src = id(&v, "notes/Src.md");
    match v.resolve("Note", src) {
        Resolution::Found {
            others, tie, exact, ..
        } => {
            assert_eq!(others, vec![id(&v, "Folder/Note.md")]);
            assert!(!tie && !exact);
        }
        Resolution::Missing => panic!(),
    }
    assert!(matches!(
        v.resolve("Dup", src),
        Resolution::Found { tie: true, .. }
    ));
    assert!(matches!(
        v.resolve("Y", src),
        Resolution::Found { tie: false, .. }
    ));
    match v.resolve("Root", src) {
        Resolution::Found { exact, others, .. } => {
            assert!(exact);
            assert_eq!(others, vec![id(&v, "Deep/Root.md")]);
        }
        Resolution::Missing => panic!(),
    }
    assert!(
        matches!(v.resolve("Folder/Note", src), Resolution::Found { ref others, .. } if others.is_empty())
    );
}

#[test]
fn partial_segment_matches_are_flagged() {
    let v = vault();
    let src = id(&v, "notes/Src.md");
    assert!(matches!(
        v.resolve("b/X", src),
        Resolution::Found { partial: true, .. }
    ));
    assert!(matches!(
        v.resolve("Sub/Deep", src),
        Resolution::Found { partial: false, .. }
    ));
    assert!(matches!(
        v.resolve("Note", src),
        Resolution::Found { partial: false, .. }
    ));
}

#[test]
fn section_f_subpath_table() {
    let v = vault();
    let a = v.outline(id(&v, "A.md")).unwrap();
    let src = v.outline(id(&v, "notes/Src.md")).unwrap();
    assert_eq!(check_subpath(src, "Local Heading"), SubpathCheck::Found);
    let cases: &[(&str, &str, bool)] = &[
        ("16", "Some Heading", true),
        ("17", "a.b", true),
        ("18", "H1#H2", true),
        ("19", "#H1", true),
        ("20", "^Blk-1", true),
        ("21", "H#^blk", false),
        ("--", "No Such", false),
        ("--", "^nope", false),
        ("--", "H2#H1", false),
        ("--", "[^1]", true),
    ];
    for (case, sub, found) in cases {
        assert_eq!(
            check_subpath(a, sub) == SubpathCheck::Found,
            *found,
            "case {case}: #{sub}"
        );
    }
    assert_eq!(
        check_subpath(a, "^nope"),
        SubpathCheck::MissingBlock { id: "nope".into() }
    );
}

#[test]
fn heading_key_strips_like_obsidian() {
    assert_eq!(
        heading_key("foo!\"#$%&()*+,.:;<=>?@^`{|}~/[]\\bar"),
        "foo bar"
    );
    assert_eq!(heading_key("  a.b  "), "a b");
    assert_eq!(heading_key("Über uns"), "über uns");
}

/// The lookup answers exactly as the scan does, chains and levels included.
#[test]
fn lookup_agrees_with_the_scan() {
    let mut text = String::new();
    for i in 0..60 {
        let level = 1 + (i * 7 % 4);
        text.push_str(&format!(
            "{} Part {}\n\ntext ^b{i}\n\n",
            "#".repeat(level),
            i % 9
        ));
    }
    text.push_str("# **Bold** head\n");
    let note = parse_note(&text);
    let indexed = Outline::of(&note);
    assert!(indexed.lookup.is_some());
    let mut scanned = indexed.clone();
    scanned.lookup = None;
    let mut subpaths: Vec<String> = vec![
        "Bold head".into(),
        "**Bold** head".into(),
        "^b7".into(),
        "^B59".into(),
        "^b60".into(),
        "Nope".into(),
    ];
    for a in 0..10 {
        subpaths.push(format!("Part {a}"));
        for b in 0..10 {
            subpaths.push(format!("Part {a}#Part {b}"));
            subpaths.push(format!("Part {a}#Part {b}#Part {}", (a + b) % 10));
        }
    }
    for sub in &subpaths {
        assert_eq!(
            check_subpath(&indexed, sub),
            check_subpath(&scanned, sub),
            "#{sub}"
        );
    }
    assert!(matches!(
        check_subpath(&indexed, "Part 1#Part 9#Part 2#Part 3#Part 4"),
        SubpathCheck::MissingHeading { .. }
    ));
}

/// A name shared by more than `RANKED_NAME_MIN` files is ranked from its sorted lists; the
/// pick, the tie, the listed others and the count are those of ranking every candidate.
#[test]
fn many_same_named_files_rank_as_a_full_sort_would() {
    let mut paths: Vec<String> = Vec::new();
    for i in 0..40 {
        // `f1` is a string prefix of `f10`..`f19`, as Obsidian's ranking compares.
        paths.push(format!("f{i}/Index.md"));
        paths.push(format!("f{i}/note.md"));
        paths.push(format!("f{i}/deeper/index.md"));
    }
    paths.push("g/a/index.md".to_owned());
    paths.push("g/b/index.md".to_owned());
    paths.push("g/note.md".to_owned());
    paths.sort();
    let files: Vec<VaultFile> = paths
        .iter()
        .map(|p| VaultFile {
            path: p.as_str().into(),
            is_note: true,
            os_path: None,
            stat: None,
            lint: true,
        })
        .collect();
    let outlines = paths
        .iter()
        .map(|_| Some(Outline::of(&parse_note(""))))
        .collect();
    let v = Vault::new(files, outlines, Vec::new());
    let named = v.files_named("index.md").to_vec();
    assert!(named.len() > crate::index::RANKED_NAME_MIN);
    let mut ties = 0;
    for source in (0..paths.len()).filter(|&i| paths[i].ends_with("note.md")) {
        let folder = parent(&v.keys[source]);
        let mut all: Vec<(bool, usize, FileId)> = named
            .iter()
            .map(|&c| (!v.keys[c].starts_with(folder), v.keys[c].len(), c))
            .collect();
        all.sort_unstable();
        let Resolution::Found {
            file,
            others,
            more,
            tie,
            exact,
            partial,
        } = v.resolve("index", source)
        else {
            panic!("`index` resolves from {}", paths[source]);
        };
        assert_eq!(file, all[0].2, "from {}", paths[source]);
        let expected: Vec<FileId> = all[1..=SORTED_OTHERS].iter().map(|r| r.2).collect();
        assert_eq!(others, expected, "from {}", paths[source]);
        assert_eq!(more, all.len() - 1 - SORTED_OTHERS);
        assert_eq!(tie, all[0].0 == all[1].0 && all[0].1 == all[1].1);
        ties += usize::from(tie);
        assert!(!exact && !partial);
    }
    // `g/note.md` sees `g/a/index.md` and `g/b/index.md` tie.
    assert_eq!(ties, 1);
}

#[test]
fn a_path_among_many_same_named_files_resolves_by_its_suffix_index() {
    // Past `RANKED_NAME_MIN` same-named files, lookups go through the suffix index: the
    // answers of the scan of every file (a plain-text suffix: `ax/` matches `x/`).
    let mut paths: Vec<String> = (0..100).map(|i| format!("f{i}/index.md")).collect();
    paths.extend(["deep/x/index.md", "ax/index.md", "src.md"].map(str::to_owned));
    paths.sort();
    let files: Vec<VaultFile> = paths
        .iter()
        .map(|p| VaultFile {
            path: p.as_str().into(),
            is_note: true,
            os_path: None,
            stat: None,
            lint: true,
        })
        .collect();
    let outlines = files
        .iter()
        .map(|_| Some(Outline::of(&parse_note(""))))
        .collect();
    let v = Vault::new(files, outlines, Vec::new());
    assert!(v.name_ranks("index.md").is_some());
    let found = |link: &str| match v.resolve(link, id(&v, "src.md")) {
        Resolution::Found { file, partial, .. } => Some((v.path(file).to_string(), partial)),
        Resolution::Missing => None,
    };
    assert_eq!(found("f7/index"), Some(("f7/index.md".to_owned(), false)));
    assert_eq!(found("/f7/index"), Some(("f7/index.md".to_owned(), false)));
    assert_eq!(found("./f3/index"), Some(("f3/index.md".to_owned(), false)));
    assert_eq!(found("x/index"), Some(("ax/index.md".to_owned(), true)));
    assert_eq!(found("/x/index"), None);
    assert_eq!(found("nowhere/index"), None);
}

#[test]
fn a_link_key_is_the_name_key_with_room_for_md() {
    for path in [
        "Folder/Note A",
        "ÉTÉ/Café",
        "ΣΟΦΙΑ Σ",
        "a.PNG",
        "../x/Y",
        "",
    ] {
        let key = super::link_key(path);
        assert_eq!(key, crate::index::name_key(path), "{path}");
        if path.is_ascii() {
            assert!(key.capacity() >= path.len() + 3, "{path}");
        }
    }
}

/// `./` and `../` segments against the source folder, the right values of Obsidian's path
/// arithmetic: `..` above the root stays at the root, empty and `.` segments vanish.
#[test]
fn relative_paths_join_onto_the_source_folder() {
    let cases = [
        ("", "./a.md", "a.md"),
        ("", "../a.md", "a.md"),
        ("x/y", "./a.md", "x/y/a.md"),
        ("x/y", "../a.md", "x/a.md"),
        ("x/y", "../../a.md", "a.md"),
        ("x/y", "../../../../a.md", "a.md"),
        ("x/y", "..//./b/../c/a.md", "x/c/a.md"),
        ("x//y/", "./a.md", "x/y/a.md"),
        ("x/y", "..", "x"),
        ("x/y", "../..", ""),
        ("x", "./../x/./a.md", "x/a.md"),
        ("é/中", "../ß.md", "é/ß.md"),
    ];
    for (folder, link, joined) in cases {
        assert_eq!(join_relative(folder, link), joined, "{folder:?} + {link:?}");
    }
}
