//! Telling a note from a file that is plainly not text (an image or archive renamed to
//! `.md`). Obsidian decodes every note as UTF-8 and indexes it, NUL bytes included, so a
//! note is skipped only when a large share of its bytes are NUL or control characters,
//! which no text in any 8-bit or UTF-8 encoding has.

/// Control bytes a text may hold: tab, line feed, vertical tab, form feed, carriage return
/// and escape (terminal colours pasted into a note).
fn is_text_control(b: u8) -> bool {
    // `\t` `\n` VT FF `\r` are 9 to 13.
    b.wrapping_sub(b'\t') < 5 || b == 0x1B
}

/// Whether `bytes` (the whole file) are plainly not text: at least 3 NUL or control bytes
/// other than whitespace and escape, making up more than 1 in 20 of the bytes. Random or
/// compressed data (images, archives, PDFs' streams) has about 1 in 10; UTF-16 text has
/// every second byte NUL; text in UTF-8 or a legacy 8-bit encoding (Latin-1, GBK) has
/// almost none, and a few NULs pasted into a note (case `01-nul-bytes`) stay far below.
pub(crate) fn is_plainly_binary(bytes: &[u8]) -> bool {
    // Counted branch-free in blocks of 255 (a `u8` count cannot overflow), which the
    // compiler turns into vector compares: every note's bytes pass through here.
    let controls: usize = bytes
        .chunks(255)
        .map(|block| {
            block
                .iter()
                .map(|&b| u8::from(is_binary_control(b)))
                .fold(0u8, u8::wrapping_add) as usize
        })
        .sum();
    controls >= 3 && controls * 20 > bytes.len()
}

/// A NUL or control byte that text does not hold (`is_text_control` aside), or DEL.
fn is_binary_control(b: u8) -> bool {
    (b < 0x20 && !is_text_control(b)) || b == 0x7F
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_in_any_encoding_is_text() {
        assert!(!is_plainly_binary(b"# Notes\n\nSee [[A]].\n"));
        assert!(!is_plainly_binary(b"caf\xe9 cr\xe8me br\xfbl\xe9e\n"));
        assert!(!is_plainly_binary(
            "\u{4e2d}\u{6587}[[\u{94fe}\u{63a5}]]\n".as_bytes()
        ));
        assert!(!is_plainly_binary(b"a\0b\0c [[x]] \x1b[31mred\x1b[0m\n"));
        assert!(!is_plainly_binary(b""));
    }

    #[test]
    fn control_bytes_are_counted_across_blocks() {
        for b in 0u8..=255 {
            let expected = (b < 0x20 && !matches!(b, 9..=13 | 0x1B)) || b == 0x7F;
            assert_eq!(is_binary_control(b), expected, "{b:#x}");
        }
        // 16 NULs in 300 bytes are more than 1 in 20, 15 are not: counted across the
        // boundary of the first 255-byte block.
        let mut text = vec![b'a'; 300];
        for b in &mut text[250..266] {
            *b = 0;
        }
        assert!(is_plainly_binary(&text));
        text[250] = b'a';
        assert!(!is_plainly_binary(&text));
    }

    #[test]
    fn binary_data_is_not_text() {
        let random: Vec<u8> = (0u32..4096)
            .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
            .collect();
        assert!(is_plainly_binary(&random));
        let utf16: Vec<u8> = "# Note [[x]]\n"
            .encode_utf16()
            .flat_map(u16::to_le_bytes)
            .collect();
        assert!(is_plainly_binary(&utf16));
        assert!(is_plainly_binary(&[0u8; 64]));
        assert!(is_plainly_binary(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR"));
    }
}
