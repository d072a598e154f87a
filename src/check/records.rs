//! The notes' records: each linted note is read and parsed once, in the outline pass; what
//! the check pass needs of it (its [`Note`]) waits in an anonymous temporary file, one
//! `postcard` record per note, until its window is checked. Memory holds the outlines, not
//! the vault's links.

use std::io::{Read, Seek, SeekFrom, Write};
use std::sync::{Arc, Mutex};

use xxhash_rust::xxh3::xxh3_64;

use crate::parse::Note;

/// Where a note's record is in the records file: its offset and length in bytes.
#[derive(Debug, Clone, Copy)]
pub(super) struct Location {
    offset: u64,
    len: u32,
}

/// The records file while the outline pass writes it (from every worker thread).
pub(super) struct Records {
    writer: Mutex<Writer>,
}

struct Writer {
    /// `None` once a write failed: the notes not recorded are read and parsed again.
    file: Option<std::io::BufWriter<std::fs::File>>,
    /// Bytes written so far.
    at: u64,
}

/// One note's record as written: the note borrowed, its tables' header rows and rows
/// apart.
#[derive(serde::Serialize)]
struct Written<'a> {
    hash: u64,
    note: &'a Note,
    headers: Vec<&'a [String]>,
    /// Parallel to the note's table cells: the index in `headers` of the cell's table header.
    header_of: Vec<Option<u32>>,
    rows: Vec<&'a [String]>,
    /// Parallel to the note's table cells: the index in `rows` of the cell's row.
    row_of: Vec<Option<u32>>,
}

/// One note's record as read back (the same layout as [`Written`], owned).
#[derive(serde::Deserialize)]
struct Stored {
    hash: u64,
    note: Note,
    headers: Vec<Vec<String>>,
    header_of: Vec<Option<u32>>,
    rows: Vec<Vec<String>>,
    row_of: Vec<Option<u32>>,
}

/// The distinct `Arc`s that `links` hold (by pointer, in order of first use) and, per
/// link, the index of its own; one hash lookup per link.
fn shared<'a>(
    links: impl Iterator<Item = Option<&'a Arc<[String]>>>,
) -> (Vec<&'a [String]>, Vec<Option<u32>>) {
    let mut distinct: Vec<&'a [String]> = Vec::new();
    let mut index: std::collections::HashMap<usize, u32> = std::collections::HashMap::new();
    let of = links
        .map(|a| {
            let a = a?;
            let key = Arc::as_ptr(a).cast::<String>() as usize;
            if let Some(&i) = index.get(&key) {
                return Some(i);
            }
            let i = u32::try_from(distinct.len()).ok()?;
            distinct.push(&a[..]);
            index.insert(key, i);
            Some(i)
        })
        .collect();
    (distinct, of)
}

impl Records {
    /// An empty records file; `None` when no temporary file can be made (then every note
    /// is read and parsed again in the check pass, as without records).
    pub(super) fn new() -> Option<Self> {
        let file = tempfile::tempfile().ok()?;
        Some(Records {
            writer: Mutex::new(Writer {
                file: Some(std::io::BufWriter::new(file)),
                at: 0,
            }),
        })
    }

    /// Records `note`, parsed from `text`; `None` when it could not be written.
    pub(super) fn write(&self, text: &str, note: &Note) -> Option<Location> {
        // A table's rows share its header row: the pointer is the table's identity
        // (`rules::attack::relationship_tables`), so each header is written once and the
        // cells name it by index; so is each row, which its links share.
        let (headers, header_of) = shared(note.table_cells().iter().map(|t| t.header.as_ref()));
        let (rows, row_of) = shared(note.table_cells().iter().map(|t| Some(&t.cells)));
        let record = Written {
            hash: record_hash(text),
            note,
            headers,
            header_of,
            rows,
            row_of,
        };
        let bytes = postcard::to_stdvec(&record).ok()?;
        let len = u32::try_from(bytes.len()).ok()?;
        let mut writer = self.writer.lock().ok()?;
        let at = writer.at;
        let file = writer.file.as_mut()?;
        if file.write_all(&bytes).is_err() {
            writer.file = None;
            return None;
        }
        writer.at += u64::from(len);
        Some(Location { offset: at, len })
    }

    /// The file, written out, for the check pass; `None` if a write failed.
    pub(super) fn finish(self) -> Option<RecordsReader> {
        let writer = self.writer.into_inner().ok()?;
        let file = writer.file?.into_inner().ok()?;
        Some(RecordsReader {
            file: Mutex::new(file),
        })
    }
}

/// The records file, read by the check pass.
pub(super) struct RecordsReader {
    file: Mutex<std::fs::File>,
}

impl RecordsReader {
    /// The note recorded at `at` and the hash of the text it was parsed from
    /// ([`record_hash`]); `None` when it cannot be read back.
    pub(super) fn note(&self, at: Location) -> Option<(Note, u64)> {
        let mut bytes = vec![0; at.len as usize];
        {
            let mut file = self.file.lock().ok()?;
            file.seek(SeekFrom::Start(at.offset)).ok()?;
            file.read_exact(&mut bytes).ok()?;
        }
        let record: Stored = postcard::from_bytes(&bytes).ok()?;
        let headers: Vec<Arc<[String]>> = record.headers.into_iter().map(Arc::from).collect();
        let rows: Vec<Arc<[String]>> = record.rows.into_iter().map(Arc::from).collect();
        let mut note = record.note;
        for ((cell, header), row) in note
            .table_cells_mut()
            .iter_mut()
            .zip(record.header_of)
            .zip(record.row_of)
        {
            if let Some(i) = header {
                cell.header = Some(Arc::clone(headers.get(i as usize)?));
            }
            cell.cells = Arc::clone(rows.get(row? as usize)?);
        }
        Some((note, record.hash))
    }
}

/// The hash a record keeps of the text its note was parsed from, to tell whether the
/// text read again for a fix is still that text.
pub(super) fn record_hash(text: &str) -> u64 {
    xxh3_64(text.as_bytes())
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::{record_hash, Records};
    use crate::parse::parse_note;

    #[test]
    fn a_note_reads_back_as_parsed_with_its_tables_shared() {
        let text = "---\naliases: [A, 1]\nup: \"[[B#h|x]]\"\nn: 0.5\n---\n# H ^no\n\n\
                    | ID | Name |\n| --- | --- |\n| [[T1\\|T1059]] | [[b]] |\n| [[c]] | d |\n\n\
                    text [m](c.md#x) ^blk %% [[e]] %% %% vaultlint-disable broken-link %%\n";
        let other = "[[z]]\n";
        let records = Records::new().unwrap();
        let at = records.write(text, &parse_note(text)).unwrap();
        let at_other = records.write(other, &parse_note(other)).unwrap();
        let reader = records.finish().unwrap();
        let (note, hash) = reader.note(at).unwrap();
        assert_eq!(hash, record_hash(text));
        assert_eq!(format!("{note:?}"), format!("{:?}", parse_note(text)));
        let headers: Vec<_> = note
            .links()
            .filter_map(|l| l.table()?.header.clone())
            .collect();
        assert_eq!(headers.len(), 3);
        assert!(headers.windows(2).all(|w| Arc::ptr_eq(&w[0], &w[1])));
        let (note, hash) = reader.note(at_other).unwrap();
        assert_eq!((note.link_count(), hash), (1, record_hash(other)));
    }

    /// A row's links share its cells, as parsed, and the row is written once: a row of n
    /// links is a record linear in n (each link wrote the whole row: 2,000 cells took 244
    /// MiB, 8,000 took 3.6 GB).
    #[test]
    fn a_row_is_written_once_and_shared_by_its_links() {
        let row = |n: usize| {
            format!(
                "|{}\n|{}\n|{}\n",
                "h|".repeat(n),
                "-|".repeat(n),
                "[[a\\|b]]|".repeat(n)
            )
        };
        let records = Records::new().unwrap();
        let small = records.write(&row(100), &parse_note(&row(100))).unwrap();
        let large = records.write(&row(400), &parse_note(&row(400))).unwrap();
        assert!(
            large.len < 5 * small.len,
            "{} then {} bytes",
            small.len,
            large.len
        );
        let reader = records.finish().unwrap();
        let (note, _) = reader.note(large).unwrap();
        assert_eq!(format!("{note:?}"), format!("{:?}", parse_note(&row(400))));
        let cells: Vec<_> = note
            .links()
            .map(|l| Arc::clone(&l.table().unwrap().cells))
            .collect();
        assert_eq!(cells.len(), 400);
        assert!(cells.windows(2).all(|w| Arc::ptr_eq(&w[0], &w[1])));
    }
}
