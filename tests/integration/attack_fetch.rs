//! `vaultlint attack fetch`: MITRE's bundles of a release, from a server this test starts on
//! 127.0.0.1 in attack-stix-data's layout, into the cache (`XDG_CACHE_HOME`), then used
//! offline by `check --attack-release`. Bad downloads (not STIX, another release, cut short)
//! are refused and leave nothing behind.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::path::Path;
use std::process::{Command, Output};
use std::sync::Arc;

use crate::{code, fixtures};

/// What the server answers for one path.
#[derive(Clone)]
struct Route {
    body: Vec<u8>,
    /// Send the full `Content-Length`, then only half the body, and close.
    cut: bool,
}

/// A server on 127.0.0.1 answering `routes` (404 for any other path), one request per
/// connection, for as long as the test runs; its base address.
fn serve(routes: HashMap<String, Route>) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let routes = Arc::new(routes);
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let routes = Arc::clone(&routes);
            std::thread::spawn(move || {
                let mut reader = BufReader::new(stream.try_clone().unwrap());
                let mut request = String::new();
                if reader.read_line(&mut request).is_err() {
                    return;
                }
                loop {
                    let mut line = String::new();
                    if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
                        break;
                    }
                }
                let path = request.split_whitespace().nth(1).unwrap_or("/").to_owned();
                let _ = match routes.get(&path) {
                    Some(route) => {
                        let sent = if route.cut {
                            &route.body[..route.body.len() / 2]
                        } else {
                            &route.body[..]
                        };
                        write!(
                            stream,
                            "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                            route.body.len()
                        )
                        .and_then(|()| stream.write_all(sent))
                    }
                    None => stream.write_all(
                        b"HTTP/1.1 404 Not Found\r\nContent-Length: 9\r\nConnection: close\r\n\r\nnot found",
                    ),
                };
                let _ = stream.flush();
            });
        }
    });
    format!("http://127.0.0.1:{port}")
}

/// A small bundle of `domain` claiming `version`, with the objects of the newer-vault
/// fixture (`fixtures/rules/attack-catalog-outdated/`): v19's T1685 and TA0112 among them.
fn bundle(domain: &str, version: &str) -> Vec<u8> {
    let objects: Vec<serde_json::Value> = [
        ("attack-pattern", "T1685", "Disable or Modify Tools", false),
        ("attack-pattern", "T1685.001", "Impair Defenses Subtechnique", true),
        ("attack-pattern", "T1036", "Masquerading", false),
        ("x-mitre-tactic", "TA0005", "Stealth", false),
        ("x-mitre-tactic", "TA0112", "Defense Impairment", false),
    ]
    .iter()
    .enumerate()
    .map(|(i, (kind, id, name, sub))| {
        serde_json::json!({
            "type": kind, "id": format!("{kind}--{i}"), "name": name,
            "x_mitre_domains": [domain], "x_mitre_is_subtechnique": sub,
            "external_references": [{"source_name": "mitre-attack", "external_id": id}],
        })
    })
    .chain([serde_json::json!({"type": "x-mitre-collection", "id": "x-mitre-collection--1", "x_mitre_version": version})])
    .collect();
    serde_json::to_vec(
        &serde_json::json!({"type": "bundle", "id": "bundle--1", "objects": objects}),
    )
    .unwrap()
}

fn route(body: Vec<u8>) -> Route {
    Route { body, cut: false }
}

/// The routes of one release of every domain.
fn release(version: &str) -> HashMap<String, Route> {
    ["enterprise-attack", "mobile-attack", "ics-attack"]
        .iter()
        .map(|d| {
            (
                format!("/{d}/{d}-{version}.json"),
                route(bundle(d, version)),
            )
        })
        .collect()
}

/// Runs vaultlint with `cache` as `XDG_CACHE_HOME`.
fn run(cache: &Path, args: &[&str]) -> Output {
    Command::new(crate::bin())
        .args(args)
        .env("XDG_CACHE_HOME", cache)
        .env_remove("NO_COLOR")
        .output()
        .unwrap()
}

/// Every file under `dir`, as paths from it.
fn files(dir: &Path) -> Vec<String> {
    let mut out = Vec::new();
    if let Ok(entries) = walkdir_files(dir) {
        out = entries;
    }
    out.sort();
    out
}

fn walkdir_files(dir: &Path) -> std::io::Result<Vec<String>> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d)? {
            let e = e?;
            if e.file_type()?.is_dir() {
                stack.push(e.path());
            } else {
                out.push(
                    e.path()
                        .strip_prefix(dir)
                        .unwrap()
                        .to_string_lossy()
                        .into_owned(),
                );
            }
        }
    }
    Ok(out)
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[test]
fn fetch_stores_a_release_and_check_uses_it_offline() {
    let base = serve(release("19.1"));
    let cache = tempfile::tempdir().unwrap();
    let out = run(
        cache.path(),
        &[
            "attack",
            "fetch",
            "19.1",
            "--base-url",
            &base,
            "--no-config",
        ],
    );
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(
        files(cache.path()),
        [
            "vaultlint/attack/19.1/enterprise-attack.json",
            "vaultlint/attack/19.1/ics-attack.json",
            "vaultlint/attack/19.1/mobile-attack.json",
        ]
    );
    // Offline from here: the server is not asked again (`check` has no address to ask).
    let vault = fixtures().join("rules/attack-catalog-outdated");
    let vault = vault.to_str().unwrap();
    let before = run(
        cache.path(),
        &["check", vault, "--no-config", "--format", "json"],
    );
    let before = crate::json(&before);
    assert_eq!(
        before["summary"]["attack_vault_release"]["relation"],
        "newer"
    );
    let after = run(
        cache.path(),
        &[
            "check",
            vault,
            "--no-config",
            "--format",
            "json",
            "--attack-release",
            "19.1",
        ],
    );
    let report = crate::json(&after);
    assert!(
        report["summary"]["attack_catalog"]
            .as_str()
            .unwrap()
            .contains("ATT&CK v19.1"),
        "{}",
        report["summary"]
    );
    assert_eq!(
        report["summary"]["attack_vault_release"]["relation"],
        "same"
    );
    let rules: Vec<&str> = report["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["rule"].as_str().unwrap())
        .collect();
    assert!(!rules.contains(&"attack-catalog-outdated"), "{rules:?}");
    // The typo no note declares is still a typo against v19.1.
    assert!(rules.contains(&"attack-id-mismatch"), "{rules:?}");
}

#[test]
fn fetch_without_a_release_takes_the_latest_of_the_index() {
    let mut routes = release("20.0");
    routes.insert(
        "/index.json".to_owned(),
        route(
            br#"{"collections": [{"name": "Enterprise ATT&CK", "versions": [{"version": "19.2"}, {"version": "20.0"}]}]}"#
                .to_vec(),
        ),
    );
    let base = serve(routes);
    let cache = tempfile::tempdir().unwrap();
    let out = run(
        cache.path(),
        &[
            "attack",
            "fetch",
            "--domain",
            "enterprise-attack",
            "--base-url",
            &base,
            "--no-config",
        ],
    );
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(
        files(cache.path()),
        ["vaultlint/attack/20.0/enterprise-attack.json"]
    );
}

/// A refused download stores nothing, not even the domains that were fine.
fn refused(routes: HashMap<String, Route>, expected: &str) {
    let base = serve(routes);
    let cache = tempfile::tempdir().unwrap();
    let out = run(
        cache.path(),
        &[
            "attack",
            "fetch",
            "19.1",
            "--base-url",
            &base,
            "--no-config",
        ],
    );
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    assert!(stderr(&out).contains(expected), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("nothing was stored"),
        "{}",
        stderr(&out)
    );
    assert_eq!(files(cache.path()), Vec::<String>::new());
}

#[test]
fn a_bundle_that_is_not_stix_is_refused() {
    let mut routes = release("19.1");
    routes.insert(
        "/mobile-attack/mobile-attack-19.1.json".to_owned(),
        route(b"<html><body>rate limited</body></html>".to_vec()),
    );
    refused(routes, "not a STIX bundle");
}

#[test]
fn a_bundle_of_another_release_is_refused() {
    let mut routes = release("19.1");
    routes.insert(
        "/ics-attack/ics-attack-19.1.json".to_owned(),
        route(bundle("ics-attack", "19.0")),
    );
    refused(routes, "the bundle is ATT&CK v19.0, not v19.1");
}

#[test]
fn an_interrupted_download_leaves_no_half_file() {
    let mut routes = release("19.1");
    routes.insert(
        "/enterprise-attack/enterprise-attack-19.1.json".to_owned(),
        Route {
            body: bundle("enterprise-attack", "19.1"),
            cut: true,
        },
    );
    refused(routes, "cannot download");
}

#[test]
fn a_missing_domain_is_refused() {
    let mut routes = release("19.1");
    routes.remove("/ics-attack/ics-attack-19.1.json");
    refused(routes, "404");
}

#[test]
fn a_pinned_release_not_in_the_cache_names_the_fetch_command() {
    let cache = tempfile::tempdir().unwrap();
    let vault = fixtures().join("rules/attack-catalog-outdated");
    let out = run(
        cache.path(),
        &[
            "check",
            vault.to_str().unwrap(),
            "--no-config",
            "--attack-release",
            "19.2",
        ],
    );
    assert_eq!(code(&out), 2);
    assert!(
        stderr(&out).contains("`vaultlint attack fetch 19.2`"),
        "{}",
        stderr(&out)
    );
    let config = tempfile::tempdir().unwrap();
    std::fs::write(
        config.path().join("vaultlint.toml"),
        "[attack]\nrelease = \"19.2\"\n",
    )
    .unwrap();
    let out = run(
        cache.path(),
        &[
            "check",
            vault.to_str().unwrap(),
            "--config",
            config.path().join("vaultlint.toml").to_str().unwrap(),
        ],
    );
    assert_eq!(code(&out), 2);
    assert!(
        stderr(&out).contains("attack fetch 19.2"),
        "{}",
        stderr(&out)
    );
    // The built-in release needs no fetch.
    let out = run(
        cache.path(),
        &[
            "check",
            vault.to_str().unwrap(),
            "--no-config",
            "--attack-release",
            "18.1",
            "--format",
            "json",
        ],
    );
    assert_eq!(code(&out), 1, "{}", stderr(&out));
}

/// MITRE's whole v18.1 bundles (`../shared/attack/releases/`), served as attack-stix-data
/// serves them (its bundles carry the `x-mitre-collection` that mitre/cti's lack, added
/// here), are fetched whole.
#[test]
fn the_shared_v18_1_bundles_are_fetched() {
    let Some(shared) = crate::shared("the_shared_v18_1_bundles_are_fetched") else {
        return;
    };
    let mut routes = HashMap::new();
    for d in ["enterprise-attack", "mobile-attack", "ics-attack"] {
        let text = crate::attack_releases::bundle_text(&shared, d, "18.1");
        let mut value: serde_json::Value = serde_json::from_slice(&text).unwrap();
        value["objects"].as_array_mut().unwrap().push(serde_json::json!({
            "type": "x-mitre-collection", "id": "x-mitre-collection--1", "x_mitre_version": "18.1"
        }));
        routes.insert(
            format!("/{d}/{d}-18.1.json"),
            route(serde_json::to_vec(&value).unwrap()),
        );
    }
    let base = serve(routes);
    let cache = tempfile::tempdir().unwrap();
    let out = run(
        cache.path(),
        &[
            "attack",
            "fetch",
            "18.1",
            "--base-url",
            &base,
            "--no-config",
        ],
    );
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("enterprise-attack: 24772 objects"), "{text}");
}
