//! Front matter detection and YAML parsing on arbitrary text after a `---` line: alias
//! bombs and deep nesting must end in an error, never a hang, crash or OOM. Ranges (the
//! block, the YAML, property links, top-level keys, the error position) must lie in the
//! text on character boundaries; a verbatim property link's range must hold `[[inner]]`.
#![no_main]

use std::ops::Range;

use libfuzzer_sys::fuzz_target;
use vaultlint::parse::frontmatter::{self, FrontMatterCut};

fn check_range(text: &str, range: &Range<usize>, what: &str) {
    assert!(
        range.start <= range.end && text.get(range.clone()).is_some(),
        "{what}: range {range:?} outside the text or off a character boundary"
    );
}

fuzz_target!(|data: &[u8]| {
    let body = String::from_utf8_lossy(data);
    let text = format!("---\n{body}\n---\n# After\n");
    let FrontMatterCut::Block(block) = frontmatter::cut(&text) else {
        panic!("a `---` line followed later by a `---` line is a block");
    };
    check_range(&text, &block.range, "block");
    check_range(&text, &block.yaml, "yaml");
    assert!(block.range.start == 0 && block.yaml.start == 4 && block.yaml.end <= block.range.end);
    match frontmatter::parse_yaml_node(&text, &block) {
        Ok(node) => {
            for link in frontmatter::property_links(&text, &block, &node) {
                check_range(&text, &link.range, "property link");
                assert!(
                    block.yaml.start <= link.range.start && link.range.end <= block.yaml.end,
                    "property link outside the YAML"
                );
            }
            let value = node.to_value();
            if let Some(aliases) = frontmatter::property(&value, "aliases") {
                let _ = frontmatter::string_entries(aliases);
            }
        }
        Err(e) => assert!(
            block.yaml.start <= e.offset
                && e.offset <= block.yaml.end
                && text.is_char_boundary(e.offset),
            "YAML error offset {} outside the YAML {:?}",
            e.offset,
            block.yaml
        ),
    }
    for key in frontmatter::top_level_keys(&text, &block) {
        check_range(&text, &key.range, "key");
        check_range(&text, &key.value, "key value");
        assert!(
            key.range.end <= key.value.start || key.value.is_empty(),
            "value before its key"
        );
    }
    let _ = vaultlint::parse::parse_note(&text);
});
