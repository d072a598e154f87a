//! The architecture, enforced: imports between src's top-level modules only go down the
//! layers drawn in `src/lib.rs` and `ARCHITECTURE.md`; no two modules import each other,
//! directly or round a longer cycle, neither between top-level modules nor between the
//! modules inside one package (`rules/`, `cli/`, `check/`, …); and rules are pure (no
//! filesystem, environment, process, network, terminal or shared mutable state).

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

/// A source file's module path: `src/rules/attack/fix.rs` is `rules::attack::fix`,
/// `src/rules/mod.rs` is `rules`; the crate root files (`lib.rs`, `main.rs`) are empty.
fn module_path(src: &Path, file: &Path) -> Vec<String> {
    let rel = file.strip_prefix(src).expect("under src");
    let mut path: Vec<String> = rel
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    let last = path.pop().unwrap_or_default();
    let stem = last.strip_suffix(".rs").unwrap_or(&last);
    if !(path.is_empty() && matches!(stem, "lib" | "main")) && stem != "mod" {
        path.push(stem.to_owned());
    }
    path
}

/// Every path that `code` names through `crate::` or `super::`, from the crate root, with
/// each `use` group expanded: in module `a::b`, `use super::{c::{D, E}, f};` names
/// `a::c::D`, `a::c::E` and `a::f`. The flag says whether the path was written from the
/// crate root (`crate::`).
fn named_paths(code: &str, here: &[String]) -> Vec<(bool, Vec<String>)> {
    let chars: Vec<char> = code.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let before_ok = i == 0 || !(chars[i - 1].is_alphanumeric() || chars[i - 1] == '_');
        let rest: String = chars[i..chars.len().min(i + 7)].iter().collect();
        if before_ok && rest == "crate::" {
            i += "crate::".len();
            let mut found = Vec::new();
            use_tree(&chars, &mut i, Vec::new(), &mut found);
            out.extend(found.into_iter().map(|p| (true, p)));
        } else if before_ok && rest.starts_with("super::") {
            let mut up = 0;
            while chars[i..].iter().take(7).collect::<String>() == "super::" {
                up += 1;
                i += "super::".len();
            }
            let base = here[..here.len().saturating_sub(up)].to_vec();
            let mut found = Vec::new();
            use_tree(&chars, &mut i, base, &mut found);
            out.extend(found.into_iter().map(|p| (false, p)));
        } else {
            i += 1;
        }
    }
    out
}

/// Reads the use tree at `chars[*i..]` (`a::b`, `a::{b, c::*}`, `a::B as C`) below
/// `prefix` into `out`, one path per leaf.
fn use_tree(chars: &[char], i: &mut usize, mut prefix: Vec<String>, out: &mut Vec<Vec<String>>) {
    let skip_space = |i: &mut usize| {
        while chars.get(*i).is_some_and(|c| c.is_whitespace()) {
            *i += 1;
        }
    };
    loop {
        skip_space(i);
        match chars.get(*i) {
            Some('{') => {
                *i += 1;
                loop {
                    skip_space(i);
                    if chars.get(*i).is_none_or(|&c| c == '}') {
                        *i += 1;
                        return;
                    }
                    use_tree(chars, i, prefix.clone(), out);
                    // Whatever follows the item (`as Name`) up to the next item or the end.
                    while chars.get(*i).is_some_and(|&c| c != ',' && c != '}') {
                        *i += 1;
                    }
                    if chars.get(*i) == Some(&',') {
                        *i += 1;
                    }
                }
            }
            Some(c) if c.is_alphanumeric() || *c == '_' => {
                let start = *i;
                while chars
                    .get(*i)
                    .is_some_and(|c| c.is_alphanumeric() || *c == '_')
                {
                    *i += 1;
                }
                prefix.push(chars[start..*i].iter().collect());
                if chars.get(*i) == Some(&':') && chars.get(*i + 1) == Some(&':') {
                    *i += 2;
                } else {
                    out.push(prefix);
                    return;
                }
            }
            Some('*') => {
                *i += 1;
                out.push(prefix);
                return;
            }
            _ => {
                out.push(prefix);
                return;
            }
        }
    }
}

/// The first path segment after every `crate::` in `code`, including each name of a
/// `use crate::{a, b::c}` group.
fn crate_paths(code: &str) -> Vec<String> {
    named_paths(code, &[])
        .into_iter()
        .filter(|(from_root, p)| *from_root && !p.is_empty())
        .map(|(_, p)| p[0].clone())
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
        ["diagnostic", "diagnostic", "index", "error"]
    );
}

/// The module graphs: for the crate root and for each package (a module with a folder),
/// the edges between its child modules, as (package, from, to, file:line). A file in
/// `a::b::…` naming `a::c::…` is an edge `b → c` in package `a`; a name of an item of the
/// package itself (`a::Item`, its `mod.rs`) or of the file's own submodules is no edge.
fn module_graphs() -> Vec<(String, String, String, String)> {
    let src = repo().join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    files.sort();
    let modules: BTreeSet<Vec<String>> = files
        .iter()
        .map(|f| module_path(&src, f))
        .filter(|m| !m.is_empty())
        .collect();
    let mut edges = Vec::new();
    for file in &files {
        let here = module_path(&src, file);
        if here.is_empty() {
            continue;
        }
        let text = std::fs::read_to_string(file).expect("read source");
        let code: Vec<(usize, &str)> = code_lines(&text).collect();
        let joined: String = code.iter().map(|(_, c)| *c).collect::<Vec<_>>().join("\n");
        for (_, path) in named_paths(&joined, &here) {
            let shared = here.iter().zip(&path).take_while(|(a, b)| a == b).count();
            if shared >= here.len() || shared >= path.len() {
                continue;
            }
            let package = &here[..shared];
            let target: Vec<String> = path[..=shared].to_vec();
            if !modules.contains(&target) {
                continue;
            }
            let name = path[shared].as_str();
            let line = code
                .iter()
                .find(|(_, c)| c.contains(name))
                .map_or(0, |(n, _)| *n);
            edges.push((
                package.join("::"),
                here[shared].clone(),
                path[shared].clone(),
                format!("{}:{line}", file.strip_prefix(repo()).unwrap().display()),
            ));
        }
    }
    edges
}

/// A cycle in the directed graph `edges` (from → to), as the modules round it with the
/// first repeated at the end; `None` when there is none.
fn find_cycle(edges: &BTreeMap<String, BTreeSet<String>>) -> Option<Vec<String>> {
    fn visit(
        node: &str,
        edges: &BTreeMap<String, BTreeSet<String>>,
        done: &mut BTreeSet<String>,
        stack: &mut Vec<String>,
    ) -> Option<Vec<String>> {
        if let Some(at) = stack.iter().position(|n| n == node) {
            let mut cycle = stack[at..].to_vec();
            cycle.push(node.to_owned());
            return Some(cycle);
        }
        if done.contains(node) {
            return None;
        }
        stack.push(node.to_owned());
        for next in edges.get(node).into_iter().flatten() {
            if let Some(cycle) = visit(next, edges, done, stack) {
                return Some(cycle);
            }
        }
        stack.pop();
        done.insert(node.to_owned());
        None
    }
    let mut done = BTreeSet::new();
    for node in edges.keys() {
        if let Some(cycle) = visit(node, edges, &mut done, &mut Vec::new()) {
            return Some(cycle);
        }
    }
    None
}

#[test]
fn no_module_imports_cycle_round() {
    let edges = module_graphs();
    let has = |package: &str, from: &str, to: &str| {
        edges
            .iter()
            .any(|(p, f, t, _)| p == package && f == from && t == to)
    };
    // The scanner must see imports at every level, through `crate::` and `super::`.
    assert!(has("", "check", "rules"), "top level: check imports rules");
    assert!(
        has("rules", "attack", "edit"),
        "rules/attack imports rules/edit"
    );
    assert!(
        has("check", "pipeline", "windows"),
        "check/pipeline imports check/windows"
    );
    assert!(
        has("cli", "commands", "args"),
        "cli/commands imports cli/args"
    );
    let mut graphs: BTreeMap<&str, BTreeMap<String, BTreeSet<String>>> = BTreeMap::new();
    for (package, from, to, _) in &edges {
        graphs
            .entry(package)
            .or_default()
            .entry(from.clone())
            .or_default()
            .insert(to.clone());
    }
    let cycles: Vec<String> = graphs
        .iter()
        .filter_map(|(package, graph)| {
            let cycle = find_cycle(graph)?;
            let at: Vec<&str> = cycle
                .windows(2)
                .filter_map(|w| {
                    edges
                        .iter()
                        .find(|(p, f, t, _)| p == package && *f == w[0] && *t == w[1])
                        .map(|(_, _, _, at)| at.as_str())
                })
                .collect();
            let package = if package.is_empty() { "crate" } else { package };
            Some(format!(
                "in {package}: {} ({})",
                cycle.join(" → "),
                at.join(", ")
            ))
        })
        .collect();
    assert!(
        cycles.is_empty(),
        "modules that import each other:\n{}",
        cycles.join("\n")
    );
}

#[test]
fn the_cycle_scan_catches_what_it_forbids() {
    let here = ["check".to_owned(), "windows".to_owned()];
    let paths = named_paths(
        "use super::{deliver::Out, note::{check_note, NoteCounts}};\nuse crate::rules::{self, PackRun as Run};",
        &here,
    );
    let paths: Vec<String> = paths.iter().map(|(_, p)| p.join("::")).collect();
    assert_eq!(
        paths,
        [
            "check::deliver::Out",
            "check::note::check_note",
            "check::note::NoteCounts",
            "rules::self",
            "rules::PackRun",
        ]
    );
    let graph = |pairs: &[(&str, &str)]| {
        let mut g: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        for (a, b) in pairs {
            g.entry((*a).to_owned())
                .or_default()
                .insert((*b).to_owned());
        }
        g
    };
    assert_eq!(
        find_cycle(&graph(&[("a", "b"), ("b", "c"), ("c", "a")])),
        Some(vec!["a".into(), "b".into(), "c".into(), "a".into()])
    );
    assert_eq!(
        find_cycle(&graph(&[("a", "b"), ("b", "c"), ("a", "c")])),
        None
    );
}
