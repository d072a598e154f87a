//! Issue 23, "hostile vaults, round 3": fixes that keep what a note means, output that vault
//! text cannot hijack, and costs bounded on hostile input. Each test builds its vault in a
//! temp dir; time limits are hang detectors, never speed targets (`bench/complexity.py`
//! measures those).

use std::path::Path;
use std::process::Output;
use std::time::Duration;

use super::robustness::run_with_timeout;

const HANG: Duration = Duration::from_secs(120);

fn vault() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join(".obsidian")).unwrap();
    dir
}

fn write(root: &Path, name: &str, text: impl AsRef<[u8]>) {
    let path = root.join(name);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

fn check(root: &Path, extra: &[&str]) -> Output {
    let mut args = vec!["check", root.to_str().unwrap()];
    args.extend_from_slice(extra);
    run_with_timeout(&args, HANG)
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

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
    assert!(all.contains("runs in a circle (T1000 → T1001 → T1000)"), "{all}");
    assert!(!all.contains("passes"), "{all}");
}
