//! The spill file: while a pack's fold is pending, each file's findings wait in an anonymous
//! temporary file instead of memory (`postcard` records), and are read back in order.

use std::sync::Arc;

use crate::diagnostic::{Diagnostic, RuleMeta, Severity};
use crate::error::Error;

/// Files' findings held in an anonymous temporary file (deleted when closed, even when the
/// run is killed) while a fold is pending: one record per file (its length as 4 bytes,
/// little-endian, then the file in `postcard`'s binary form), read back in the order
/// written, so memory does not grow with the number of findings.
pub(super) struct Spill {
    file: std::io::BufWriter<std::fs::File>,
    /// The rules of the findings written; a line names each finding's rule by its index.
    rules: Vec<&'static RuleMeta>,
    /// Reused for each record's bytes.
    buffer: Vec<u8>,
}

/// One file's findings and the hash of its text, as delivered.
pub(super) type HeldFile = (Vec<Diagnostic>, Option<u64>);

/// One file's record in a [`Spill`].
#[derive(serde::Deserialize)]
struct SpilledFile {
    path: Arc<str>,
    hash: Option<u64>,
    findings: Vec<Finding<usize>>,
}

/// A [`SpilledFile`] as written, borrowing the findings: postcard writes it with the same
/// bytes, and a file's strings are not copied on their way to the spill file.
#[derive(serde::Serialize)]
struct SpillingFile<'a> {
    path: &'a str,
    hash: Option<u64>,
    findings: Vec<FindingRef<'a, usize>>,
}

/// A finding as written to the spill file (its rule an index into [`Spill::rules`]) or to
/// the cache (its rule's name), borrowing the [`Diagnostic`]'s fields: postcard writes it
/// with the bytes of the owned record it is read back as ([`Finding`]), without copying a
/// string on the way.
#[derive(serde::Serialize)]
pub(super) struct FindingRef<'a, R> {
    pub(super) rule: R,
    pub(super) severity: Severity,
    pub(super) span: Option<crate::diagnostic::Span>,
    pub(super) message: &'a str,
    pub(super) label: Option<&'a str>,
    pub(super) help: Option<&'a str>,
    pub(super) related: &'a [crate::diagnostic::Related],
    pub(super) subject: Option<&'a str>,
    pub(super) fix: Option<&'a crate::diagnostic::Fix>,
}

impl<'a, R> FindingRef<'a, R> {
    /// `d`'s fields, with `rule` standing for its rule.
    pub(super) fn new(d: &'a Diagnostic, rule: R) -> Self {
        FindingRef {
            rule,
            severity: d.severity,
            span: d.span,
            message: &d.message,
            label: d.label.as_deref(),
            help: d.help.as_deref(),
            related: &d.related,
            subject: d.subject.as_deref(),
            fix: d.fix.as_ref(),
        }
    }
}

/// A finding as read back from the spill file (its rule an index into [`Spill::rules`]) or
/// from the cache (its rule's name), without its path (the file's): what [`FindingRef`]
/// wrote.
#[derive(serde::Serialize, serde::Deserialize)]
pub(super) struct Finding<R> {
    pub(super) rule: R,
    severity: Severity,
    span: Option<crate::diagnostic::Span>,
    message: String,
    label: Option<String>,
    help: Option<String>,
    related: Vec<crate::diagnostic::Related>,
    subject: Option<String>,
    fix: Option<crate::diagnostic::Fix>,
}

impl<R> Finding<R> {
    /// The finding as a [`Diagnostic`] of `rule` in the file at `path`.
    pub(super) fn into_diagnostic(self, rule: &'static RuleMeta, path: Arc<str>) -> Diagnostic {
        Diagnostic {
            rule,
            severity: self.severity,
            path,
            span: self.span,
            message: self.message,
            label: self.label.map(std::borrow::Cow::Owned),
            help: self.help.map(std::borrow::Cow::Owned),
            related: self.related,
            subject: self.subject,
            fix: self.fix,
        }
    }
}

impl Spill {
    /// # Errors
    /// The temporary file cannot be created (no writable temporary folder).
    pub(super) fn new() -> Result<Self, Error> {
        let file = tempfile::tempfile().map_err(spill_error)?;
        Ok(Spill {
            file: std::io::BufWriter::new(file),
            rules: Vec::new(),
            buffer: Vec::new(),
        })
    }

    /// Appends one file's findings (never empty, all with the same path).
    pub(super) fn write(&mut self, found: &[Diagnostic], hash: Option<u64>) -> Result<(), Error> {
        use std::io::Write;
        let findings = found
            .iter()
            .map(|d| {
                let rule = match self.rules.iter().position(|r| std::ptr::eq(*r, d.rule)) {
                    Some(i) => i,
                    None => {
                        self.rules.push(d.rule);
                        self.rules.len() - 1
                    }
                };
                FindingRef::new(d, rule)
            })
            .collect();
        let record = SpillingFile {
            path: &found[0].path,
            hash,
            findings,
        };
        // The record's length goes first; it is known once the record is written.
        let mut bytes = std::mem::take(&mut self.buffer);
        bytes.clear();
        bytes.extend_from_slice(&[0; 4]);
        let mut bytes = postcard::to_extend(&record, bytes)
            .map_err(|e| spill_error(std::io::Error::other(e)))?;
        let len = u32::try_from(bytes.len() - 4)
            .map_err(|_| spill_error(std::io::Error::other("a file's findings exceed 4 GiB")))?;
        bytes[..4].copy_from_slice(&len.to_le_bytes());
        let written = self.file.write_all(&bytes).map_err(spill_error);
        self.buffer = bytes;
        written
    }

    /// The files written, in order: each file's findings and hash.
    ///
    /// # Errors
    /// The temporary file cannot be flushed, rewound or read back.
    pub(super) fn read(self) -> Result<impl Iterator<Item = Result<HeldFile, Error>>, Error> {
        use std::io::{Read, Seek};
        let mut file = self
            .file
            .into_inner()
            .map_err(|e| spill_error(e.into_error()))?;
        file.rewind().map_err(spill_error)?;
        let rules = self.rules;
        let mut reader = std::io::BufReader::new(file);
        let mut bytes = Vec::new();
        Ok(std::iter::from_fn(move || {
            let mut len = [0u8; 4];
            match reader.read_exact(&mut len) {
                Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => return None,
                Err(e) => return Some(Err(spill_error(e))),
                Ok(()) => {}
            }
            bytes.resize(u32::from_le_bytes(len) as usize, 0);
            Some(read_record(&mut reader, &mut bytes, &rules))
        }))
    }
}

/// Reads one [`SpilledFile`] of `bytes.len()` bytes from `reader` into its findings.
fn read_record(
    reader: &mut impl std::io::Read,
    bytes: &mut [u8],
    rules: &[&'static RuleMeta],
) -> Result<HeldFile, Error> {
    reader.read_exact(bytes).map_err(spill_error)?;
    let file: SpilledFile =
        postcard::from_bytes(bytes).map_err(|e| spill_error(std::io::Error::other(e)))?;
    let findings = file
        .findings
        .into_iter()
        .map(|d| {
            let rule = rules.get(d.rule).copied().ok_or_else(|| {
                spill_error(std::io::Error::other("a record names no rule written"))
            })?;
            Ok(d.into_diagnostic(rule, file.path.clone()))
        })
        .collect::<Result<_, Error>>()?;
    Ok((findings, file.hash))
}

/// A spill file's I/O error, said as such (not as a failed write of the report itself).
fn spill_error(e: std::io::Error) -> Error {
    Error::Output(std::io::Error::new(
        e.kind(),
        format!("the temporary file holding findings failed: {e}"),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_read_back_are_the_files_written() {
        let report = crate::check::check_texts(&[
            ("a.md", "---\nalias: x\n---\n[[gone]] [[b#nope]] [[d]]\n"),
            ("b.md", "[[a]] [[elsewhere|\"quoted\"]]\n"),
            ("x/d.md", "[[d]]\n"),
            ("y/d.md", "text\n"),
        ]);
        let d = &report.diagnostics;
        assert!(d.iter().any(|d| !d.related.is_empty()) && d.iter().any(|d| d.fix.is_some()));
        assert!(d.iter().any(|d| d.label.is_some()) && d.iter().any(|d| d.help.is_some()));
        let files: Vec<&[Diagnostic]> = d.chunk_by(|a, b| a.path == b.path).collect();
        let mut spill = Spill::new().unwrap();
        for (i, file) in files.iter().enumerate() {
            spill.write(file, (i % 2 == 0).then_some(i as u64)).unwrap();
        }
        let back: Vec<HeldFile> = spill.read().unwrap().map(Result::unwrap).collect();
        assert_eq!(back.len(), files.len());
        for (i, ((found, hash), file)) in back.iter().zip(&files).enumerate() {
            assert_eq!(format!("{found:?}"), format!("{file:?}"));
            assert_eq!(*hash, (i % 2 == 0).then_some(i as u64));
        }
    }
}
