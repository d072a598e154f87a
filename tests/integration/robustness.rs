//! Hostile input: every bad file yields a diagnostic, the rest of the vault is still
//! checked, nothing panics or hangs, and nothing outside the vault is read.

use std::io::Write;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn write(root: &std::path::Path, name: &str, bytes: &[u8]) {
    let path = root.join(name);
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).unwrap();
    }
    std::fs::write(path, bytes).unwrap();
}

/// Runs vaultlint; panics if it runs longer than `limit` (a hang detector, not a speed test).
pub(crate) fn run_with_timeout(args: &[&str], limit: Duration) -> std::process::Output {
    let mut child = Command::new(crate::bin())
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let start = Instant::now();
    let stdout = child.stdout.take().unwrap();
    let reader = std::thread::spawn(move || {
        let mut buf = Vec::new();
        std::io::Read::read_to_end(&mut std::io::BufReader::new(stdout), &mut buf).unwrap();
        buf
    });
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            let stdout = reader.join().unwrap();
            let mut stderr = Vec::new();
            std::io::Read::read_to_end(&mut child.stderr.take().unwrap(), &mut stderr).unwrap();
            return std::process::Output {
                status,
                stdout,
                stderr,
            };
        }
        if start.elapsed() > limit {
            child.kill().unwrap();
            panic!("vaultlint hung for over {limit:?} on {args:?}");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn hostile_vault() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(
        root,
        "good.md",
        b"# Good\n[[missing-from-good]] and [[crlf]]\n",
    );
    write(root, "invalid-utf8.md", b"caf\xe9 [[good]]\n");
    write(
        root,
        "bom.md",
        b"\xEF\xBB\xBF---\naliases: [x]\n---\n[[good]]\n",
    );
    write(
        root,
        "crlf.md",
        b"---\r\ntitle: x\r\n---\r\n# H\r\n[[good#Good]]\r\n",
    );
    write(root, "lone-cr.md", b"# A\rtext [[good]]\r");
    write(root, "nul.md", b"text\0more [[good]]\n");
    write(
        root,
        "binary.md",
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00",
    );
    write(root, "unclosed.md", b"---\ntitle: x\n\n[[good]]\n");
    let mut bomb = String::from("---\na: &a [x,x,x,x,x,x,x,x,x,x]\n");
    for i in 1..12 {
        let prev = if i == 1 {
            "a".to_owned()
        } else {
            format!("l{}", i - 1)
        };
        bomb.push_str(&format!(
            "l{i}: &l{i} [{}]\n",
            vec![format!("*{prev}"); 10].join(",")
        ));
    }
    bomb.push_str("---\n");
    write(root, "alias-bomb.md", bomb.as_bytes());
    let deep = format!(
        "---\na: {}{}\n---\n",
        "[".repeat(10_000),
        "]".repeat(10_000)
    );
    write(root, "deep-yaml.md", deep.as_bytes());
    write(root, "nested-brackets.md", "[".repeat(10_000).as_bytes());
    write(
        root,
        "nested-quotes.md",
        format!("{}x\n", "> ".repeat(10_000)).as_bytes(),
    );
    write(
        root,
        "many-links.md",
        "[[good]] ".repeat(100_000).as_bytes(),
    );
    write(root, "many-lines.md", "line\n".repeat(200_000).as_bytes());
    let mut huge = Vec::with_capacity(50 * 1024 * 1024);
    while huge.len() < 50 * 1024 * 1024 {
        huge.extend_from_slice(b"All work and no play makes a dull note. [[good]]\n");
    }
    write(root, "huge.md", &huge);
    write(
        root,
        "escape.md",
        b"[[../../../etc/passwd]] [x](/etc/passwd) [y](../../../../etc/hosts)\n",
    );
    write(root, "unreadable.md", b"[[good]]\n");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(
            root.join("unreadable.md"),
            std::fs::Permissions::from_mode(0o000),
        )
        .unwrap();
        std::fs::create_dir_all(root.join("loop")).unwrap();
        std::os::unix::fs::symlink(root.join("loop"), root.join("loop/again")).unwrap();
        std::os::unix::fs::symlink("/etc", root.join("outside")).unwrap();
    }
    // Root ignores file permissions, so the unreadable file is only unreadable for others.
    let unreadable = std::fs::File::open(root.join("unreadable.md")).is_err();

    let out = run_with_timeout(
        &["check", root.to_str().unwrap(), "--format", "json"],
        Duration::from_secs(300),
    );
    assert_eq!(
        out.status.code(),
        Some(1),
        "stderr: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let value: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let diags = value["diagnostics"].as_array().unwrap();
    let has = |path: &str, rule: &str| diags.iter().any(|d| d["path"] == path && d["rule"] == rule);
    assert!(
        has("good.md", "broken-link"),
        "the good note is still checked"
    );
    // Obsidian decodes both and indexes their links: invalid UTF-8 is a warning of its
    // own, and a few NUL bytes do not make a note binary.
    assert!(has("invalid-utf8.md", "invalid-utf8"));
    assert!(!has("invalid-utf8.md", "unreadable-file"));
    assert!(!has("nul.md", "unreadable-file"));
    assert!(has("binary.md", "unreadable-file"));
    assert!(has("huge.md", "unreadable-file"));
    assert!(has("unclosed.md", "invalid-front-matter"));
    assert!(has("alias-bomb.md", "invalid-front-matter"));
    assert!(has("deep-yaml.md", "invalid-front-matter"));
    #[cfg(unix)]
    {
        assert!(has("loop/again", "skipped-symlink"));
        assert!(has("outside", "skipped-symlink"));
    }
    if unreadable {
        assert!(has("unreadable.md", "unreadable-file"));
    }
    let escapes = diags
        .iter()
        .filter(|d| d["path"] == "escape.md" && d["rule"] == "broken-link")
        .count();
    assert_eq!(
        escapes, 3,
        "links out of the vault are broken, never followed"
    );
    for quiet in [
        "bom.md",
        "crlf.md",
        "lone-cr.md",
        "many-links.md",
        "many-lines.md",
        "nested-brackets.md",
        "nested-quotes.md",
    ] {
        assert!(
            !diags.iter().any(|d| d["path"] == quiet),
            "{quiet} should be clean: {diags:?}"
        );
    }
}

#[test]
fn broken_pipe_exits_quietly() {
    let dir = tempfile::tempdir().unwrap();
    for i in 0..2000 {
        std::fs::write(
            dir.path().join(format!("n{i}.md")),
            "[[missing]] [[also missing]]\n",
        )
        .unwrap();
    }
    let mut child = Command::new(crate::bin())
        .args(["check", dir.path().to_str().unwrap(), "--format", "concise"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdout = child.stdout.take().unwrap();
    let mut first = [0u8; 16];
    std::io::Read::read_exact(&mut stdout, &mut first).unwrap();
    drop(stdout);
    let out = child.wait_with_output().unwrap();
    assert!(out.status.code() == Some(0), "status {:?}", out.status);
    assert!(
        out.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let _ = std::io::stderr().flush();
}
