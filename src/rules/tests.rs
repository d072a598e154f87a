//! Registry checks. Each rule's documented examples run as tests in
//! `tests/integration/rules.rs`, through the same pipeline users run.

use super::*;

#[test]
fn registry_is_sorted_unique_and_kebab_case() {
    let names: Vec<&str> = all().iter().map(|r| r.name).collect();
    let mut sorted = names.clone();
    sorted.sort_unstable();
    sorted.dedup();
    assert_eq!(names, sorted);
    assert_eq!(names.len(), CORE.len() + attack::rule_metas().count());
    for name in names {
        assert!(
            name.chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-'),
            "{name}"
        );
    }
}

#[test]
fn core_rules_are_sorted() {
    let names: Vec<&str> = CORE.iter().map(|r| r.meta().name).collect();
    let mut sorted = names.clone();
    sorted.sort_unstable();
    assert_eq!(names, sorted);
}
