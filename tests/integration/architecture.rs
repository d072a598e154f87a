//! The architecture, enforced: imports between src's top-level modules only go down the
//! layers drawn in `src/lib.rs` and `ARCHITECTURE.md`, and rules are pure (no filesystem,
//! environment, process, network, terminal or shared mutable state).

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use crate::repo;

/// Each top-level module and its layer: a module may import only modules of a lower layer.
const LAYERS: &[(&str, u32)] = &[
    ("error", 0),
    ("diagnostic", 0),
    ("suggest", 0),
    ("vault", 1),
    ("parse", 2),
    ("index", 3),
    ("resolve", 4),
    ("rules", 5),
    ("suppress", 6),
    ("check", 7),
    ("baseline", 8),
    ("config", 8),
    ("render", 9),
    ("fix", 9),
    ("cli", 10),
    ("fuzzing", 10),
];

/// What rules must not name: I/O of any kind and shared mutable state. Write-once caches
/// (`OnceLock`) of immutable data are allowed.
const IMPURE: &[&str] = &[
    "std::fs",
    "fs::",
    "std::env",
    "env::",
    "std::process",
    "std::net",
    "std::io",
    "File::",
    "OpenOptions",
    "Command::",
    "walkdir",
    "tempfile",
    "println!",
    "eprintln!",
    "print!(",
    "eprint!(",
    "dbg!(",
    "Mutex",
    "RwLock",
    "RefCell",
    "Cell<",
    "Atomic",
    "static mut",
    "thread_local!",
    "SystemTime",
    "Instant::",
];

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("read src") {
        let path = entry.expect("entry").path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The top-level module a source file belongs to (`None` for the crate root files).
fn module_of(src: &Path, file: &Path) -> Option<String> {
    let rel = file.strip_prefix(src).expect("under src");
    let first = rel.components().next()?.as_os_str().to_string_lossy();
    let name = first.strip_suffix(".rs").unwrap_or(&first).to_owned();
    (!matches!(name.as_str(), "lib" | "main")).then_some(name)
}

/// Source lines without comments, so that prose may name anything.
fn code_lines(text: &str) -> impl Iterator<Item = (usize, &str)> {
    text.lines().enumerate().filter_map(|(i, line)| {
        let code = line.split("//").next().unwrap_or("");
        (!code.trim().is_empty()).then_some((i + 1, code))
    })
}

/// The first path segment after every `crate::` in `code`, including each name of a
/// `use crate::{a, b::c}` group.
fn crate_paths(code: &str) -> Vec<String> {
    let ident = |s: &str| -> String {
        s.chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_')
            .collect()
    };
    let mut out = Vec::new();
    for (i, _) in code.match_indices("crate::") {
        let rest = &code[i + "crate::".len()..];
        if let Some(group) = rest.strip_prefix('{') {
            // Only the group's top-level names are modules: `{a::{b, c}, d}` names a and d.
            let mut depth = 0;
            let mut start = true;
            for c in group.chars() {
                match c {
                    '{' => depth += 1,
                    '}' if depth == 0 => break,
                    '}' => depth -= 1,
                    ',' if depth == 0 => start = true,
                    c if start && (c.is_alphanumeric() || c == '_') => {
                        start = false;
                        out.push(String::new());
                        if let Some(last) = out.last_mut() {
                            last.push(c);
                        }
                    }
                    c if depth == 0 && !start && (c.is_alphanumeric() || c == '_') => {
                        if let Some(last) = out.last_mut() {
                            if !last.contains(':') {
                                last.push(c);
                            }
                        }
                    }
                    ':' if depth == 0 => {
                        if let Some(last) = out.last_mut() {
                            last.push(':');
                        }
                    }
                    _ => {}
                }
            }
        } else {
            out.push(ident(rest));
        }
    }
    out.into_iter()
        .map(|p| p.trim_end_matches(':').to_owned())
        .collect()
}

/// Every `crate::` import in `src/`, as (importing module, imported module, file:line).
fn imports() -> Vec<(String, String, String)> {
    let src = repo().join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    files.sort();
    let modules: BTreeSet<&str> = LAYERS.iter().map(|(m, _)| *m).collect();
    let mut out = Vec::new();
    for file in files {
        let Some(from) = module_of(&src, &file) else {
            continue;
        };
        let text = std::fs::read_to_string(&file).expect("read source");
        // `use crate::{a,\n b};` spans lines: join the code before scanning.
        let code: Vec<(usize, &str)> = code_lines(&text).collect();
        let joined: String = code.iter().map(|(_, c)| *c).collect::<Vec<_>>().join("\n");
        for target in crate_paths(&joined) {
            let line = code
                .iter()
                .find(|(_, c)| c.contains(&format!("crate::{target}")) || c.contains(&target))
                .map_or(0, |(n, _)| *n);
            let at = format!("{}:{line}", file.strip_prefix(repo()).unwrap().display());
            assert!(
                modules.contains(target.as_str()),
                "{at}: `crate::{target}` goes through the crate root; name the module that defines it"
            );
            if target != from {
                out.push((from.clone(), target, at));
            }
        }
    }
    out
}

#[test]
fn every_top_level_module_has_a_layer() {
    let src = repo().join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let layered: BTreeSet<&str> = LAYERS.iter().map(|(m, _)| *m).collect();
    let found: BTreeSet<String> = files.iter().filter_map(|f| module_of(&src, f)).collect();
    let found: BTreeSet<&str> = found.iter().map(String::as_str).collect();
    assert_eq!(
        found, layered,
        "a new top-level module needs a layer in LAYERS and ARCHITECTURE.md"
    );
}

#[test]
fn imports_only_go_down_the_layers() {
    let layer: BTreeMap<&str, u32> = LAYERS.iter().copied().collect();
    let all = imports();
    assert!(
        all.iter().any(|(f, t, _)| f == "check" && t == "rules"),
        "the scanner must see check's imports of rules"
    );
    let upward: Vec<String> = all
        .iter()
        .filter(|(from, to, _)| layer[from.as_str()] <= layer[to.as_str()])
        .map(|(from, to, at)| format!("{at}: {from} imports {to}"))
        .collect();
    assert!(
        upward.is_empty(),
        "imports that do not go down:\n{}",
        upward.join("\n")
    );
}

#[test]
fn the_core_knows_nothing_of_attack() {
    let src = repo().join("src");
    for module in ["vault", "parse", "index", "resolve", "check", "suppress"] {
        let mut files = Vec::new();
        let dir = src.join(module);
        if dir.is_dir() {
            rust_files(&dir, &mut files);
        } else {
            files.push(src.join(format!("{module}.rs")));
        }
        for file in files {
            let text = std::fs::read_to_string(&file).expect("read source");
            for (n, code) in code_lines(&text) {
                assert!(
                    !code.contains("attack::"),
                    "{}:{n}: the core names the ATT&CK pack",
                    file.display()
                );
            }
        }
    }
}

#[test]
fn rules_are_pure() {
    let mut files = Vec::new();
    rust_files(&repo().join("src/rules"), &mut files);
    assert!(files.len() > 20, "the rules folder must be scanned");
    let mut found = Vec::new();
    for file in files {
        let text = std::fs::read_to_string(&file).expect("read source");
        for (n, code) in code_lines(&text) {
            for word in IMPURE {
                if code.contains(word) {
                    found.push(format!("{}:{n}: `{word}`", file.display()));
                }
            }
        }
    }
    assert!(
        found.is_empty(),
        "rules must not touch I/O or shared mutable state:\n{}",
        found.join("\n")
    );
}

#[test]
fn the_purity_scan_catches_what_it_forbids() {
    let impure = "    let t = std::fs::read_to_string(p); // reads\n";
    assert!(code_lines(impure).any(|(_, c)| IMPURE.iter().any(|w| c.contains(w))));
    let prose = "    // std::fs is named only in a comment\n";
    assert!(!code_lines(prose).any(|(_, c)| IMPURE.iter().any(|w| c.contains(w))));
    assert_eq!(
        crate_paths("use crate::{diagnostic::{Span, Related}, index::Vault, error};"),
        ["diagnostic", "index", "error"]
    );
}
