//! Front matter detection and YAML parsing on arbitrary text after a `---` line: alias
//! bombs and deep nesting must end in an error, never a hang, crash or OOM.
#![no_main]

use libfuzzer_sys::fuzz_target;
use vaultlint::parse::frontmatter;

fuzz_target!(|data: &[u8]| {
    let Ok(body) = std::str::from_utf8(data) else { return };
    let text = format!("---\n{body}\n---\n# After\n");
    if let frontmatter::FrontMatterCut::Block(block) = frontmatter::cut(&text) {
        if let Ok(node) = frontmatter::parse_yaml_node(&text, &block) {
            for link in frontmatter::property_links(&text, &block, &node) {
                assert!(text.get(link.range).is_some(), "property link range off a char boundary");
            }
            let value = node.to_value();
            let _ = frontmatter::property(&value, "aliases").map(frontmatter::string_entries);
        }
        let _ = frontmatter::top_level_keys(&text, &block);
    }
    let _ = vaultlint::parse::parse_note(&text);
});
