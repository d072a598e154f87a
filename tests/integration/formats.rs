//! The sample vault rendered in every format, snapshotted: what users see is a contract.

use crate::{code, fixtures, stdout, vaultlint};

fn sample() -> String {
    fixtures()
        .join("sample-vault")
        .to_string_lossy()
        .into_owned()
}

#[test]
fn human_format() {
    let out = vaultlint(&["check", &sample()]);
    assert_eq!(code(&out), 1);
    insta::assert_snapshot!("sample_human", stdout(&out));
}

#[test]
fn concise_format() {
    let out = vaultlint(&["check", &sample(), "--format", "concise"]);
    assert_eq!(code(&out), 1);
    insta::assert_snapshot!("sample_concise", stdout(&out));
}

#[test]
fn json_format() {
    let out = vaultlint(&["check", &sample(), "--format", "json"]);
    assert_eq!(code(&out), 1);
    let mut value = crate::json(&out);
    assert_eq!(value["version"], 1);
    value["tool"]["version"] = "<version>".into();
    for d in value["diagnostics"].as_array().unwrap() {
        for key in ["rule", "severity", "path", "line", "column", "message"] {
            assert!(!d[key].is_null(), "diagnostic lacks `{key}`: {d}");
        }
    }
    insta::assert_json_snapshot!("sample_json", value);
}

#[test]
fn output_is_identical_with_one_and_two_threads() {
    let one = vaultlint(&["check", &sample(), "--format", "json", "--threads", "1"]);
    let two = vaultlint(&["check", &sample(), "--format", "json", "--threads", "2"]);
    assert_eq!(stdout(&one), stdout(&two));
}

#[test]
fn junit_format() {
    let out = vaultlint(&["check", &sample(), "--format", "junit"]);
    assert_eq!(code(&out), 1);
    insta::assert_snapshot!("sample_junit", stdout(&out));
}

#[test]
fn gitlab_format() {
    let out = vaultlint(&["check", &sample(), "--format", "gitlab"]);
    assert_eq!(code(&out), 1);
    insta::assert_json_snapshot!("sample_gitlab", crate::json(&out));
}
