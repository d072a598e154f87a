//! The patch sink of `render::escape` on arbitrary text: a path quoted as `git diff`
//! quotes it is printable ASCII on one line and reads back (git's unquoting) to the path.
#![no_main]

mod common;

use libfuzzer_sys::fuzz_target;
use vaultlint::fuzzing::{escape, Sink};

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let (quoted, _) = escape(Sink::Patch, &text);
    assert!(
        quoted.bytes().all(|b| (0x20..0x7f).contains(&b)),
        "{text:?} -> {quoted:?}"
    );
    assert_eq!(
        common::unquote_git(&quoted).as_deref(),
        Some(text.as_bytes()),
        "{quoted:?}"
    );
});
