//! Reading one note: size limit, binary detection, BOM, and lossy UTF-8 decoding.

use std::io::Read;
use std::path::Path;

use super::FileProblemKind;

/// Notes above this size are reported and skipped: no real note is this large, and
/// parsing one would dominate the run's time and memory.
pub(crate) const MAX_NOTE_BYTES: u64 = 32 * 1024 * 1024;

/// The decoded text of a note, or why it could not be checked.
#[derive(Debug)]
pub enum NoteText {
    /// The text, and a problem that did not prevent checking (invalid UTF-8 replaced).
    Text(String, Option<FileProblemKind>),
    /// The note cannot be checked: unreadable, binary or too large.
    Skipped(FileProblemKind),
}

pub(crate) fn read_note(path: &Path, max_bytes: u64) -> NoteText {
    let mut bytes = Vec::new();
    let file = match std::fs::File::open(path) {
        Ok(f) => f,
        Err(e) => return NoteText::Skipped(FileProblemKind::Unreadable(e.to_string())),
    };
    // Read one byte past the limit so an oversized file is detected without reading it all.
    if let Err(e) = file.take(max_bytes + 1).read_to_end(&mut bytes) {
        return NoteText::Skipped(FileProblemKind::Unreadable(e.to_string()));
    }
    if bytes.len() as u64 > max_bytes {
        let size = std::fs::metadata(path).map_or(bytes.len() as u64, |m| m.len());
        return NoteText::Skipped(FileProblemKind::TooLarge {
            size,
            limit: max_bytes,
        });
    }
    decode(bytes)
}

/// Turns a note's bytes into text as Obsidian does: BOM stripped, then UTF-8 with each
/// invalid sequence replaced by U+FFFD. NUL bytes do not make a note binary (Obsidian
/// indexes such notes); only a file that is plainly not text is skipped
/// (`super::sniff::is_plainly_binary`).
pub fn decode(mut bytes: Vec<u8>) -> NoteText {
    if bytes.starts_with(b"\xEF\xBB\xBF") {
        bytes.drain(..3);
    }
    if super::sniff::is_plainly_binary(&bytes) {
        return NoteText::Skipped(FileProblemKind::Binary);
    }
    match String::from_utf8(bytes) {
        Ok(text) => NoteText::Text(text, None),
        Err(err) => {
            let valid = err.utf8_error().valid_up_to();
            let bytes = err.into_bytes();
            let sequences = bytes
                .utf8_chunks()
                .filter(|c| !c.invalid().is_empty())
                .count();
            let prefix = String::from_utf8_lossy(bytes.get(..valid).unwrap_or_default());
            let line = prefix.matches('\n').count() + 1;
            let column = prefix.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
            let text = String::from_utf8_lossy(&bytes).into_owned();
            let problem = FileProblemKind::InvalidUtf8 {
                offset: valid,
                line: u32::try_from(line).unwrap_or(u32::MAX),
                column: u32::try_from(column).unwrap_or(u32::MAX),
                sequences,
            };
            NoteText::Text(text, Some(problem))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bom_is_stripped() {
        match decode(b"\xEF\xBB\xBF---\na: 1\n---\n".to_vec()) {
            NoteText::Text(t, None) => assert!(t.starts_with("---")),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn nul_bytes_do_not_make_a_note_binary() {
        match decode(b"# Writeup\n\n```text\n%PDF-1.7 \0\0 obj\n```\n[[Unpacker]]\n".to_vec()) {
            NoteText::Text(t, None) => assert!(t.contains("\0\0 obj")),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn plainly_binary_files_are_skipped() {
        let mut png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x10\0\0\0\x10\x08\x06\0\0\0".to_vec();
        png.extend((0u8..=255).cycle().take(600));
        assert!(matches!(
            decode(png),
            NoteText::Skipped(FileProblemKind::Binary)
        ));
    }

    #[test]
    fn invalid_utf8_is_replaced_and_located() {
        match decode(b"ok\nab\xFFcd [[x]]".to_vec()) {
            NoteText::Text(
                t,
                Some(FileProblemKind::InvalidUtf8 {
                    offset,
                    line,
                    column,
                    sequences,
                }),
            ) => {
                assert_eq!(offset, 5);
                assert_eq!(sequences, 1);
                assert_eq!((line, column), (2, 3));
                assert!(t.contains("[[x]]"));
            }
            other => panic!("{other:?}"),
        }
    }
}
