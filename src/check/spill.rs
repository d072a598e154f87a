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
}

/// One file's findings and the hash of its text, as delivered.
pub(super) type HeldFile = (Vec<Diagnostic>, Option<u64>);

/// One file's record in a [`Spill`].
#[derive(serde::Serialize, serde::Deserialize)]
struct SpilledFile {
    path: Arc<str>,
    hash: Option<u64>,
    findings: Vec<Spilled>,
}

/// A [`Diagnostic`] in a [`Spill`], without its path (the file's) and with its rule as an
/// index into [`Spill::rules`].
#[derive(serde::Serialize, serde::Deserialize)]
struct Spilled {
    rule: usize,
    severity: Severity,
    span: Option<crate::diagnostic::Span>,
    message: String,
    label: Option<String>,
    help: Option<String>,
    related: Vec<crate::diagnostic::Related>,
    subject: Option<String>,
    fix: Option<crate::diagnostic::Fix>,
}

impl Spill {
    /// # Errors
    /// The temporary file cannot be created (no writable temporary folder).
    pub(super) fn new() -> Result<Self, Error> {
        let file = tempfile::tempfile().map_err(spill_error)?;
        Ok(Spill {
            file: std::io::BufWriter::new(file),
            rules: Vec::new(),
        })
    }

    /// Appends one file's findings (never empty, all with the same path).
    pub(super) fn write(&mut self, found: &[Diagnostic], hash: Option<u64>) -> Result<(), Error> {
        use std::io::Write;
        let findings = found
            .iter()
            .map(|d| Spilled {
                rule: match self.rules.iter().position(|r| std::ptr::eq(*r, d.rule)) {
                    Some(i) => i,
                    None => {
                        self.rules.push(d.rule);
                        self.rules.len() - 1
                    }
                },
                severity: d.severity,
                span: d.span,
                message: d.message.clone(),
                label: d.label.as_deref().map(str::to_owned),
                help: d.help.as_deref().map(str::to_owned),
                related: d.related.clone(),
                subject: d.subject.clone(),
                fix: d.fix.clone(),
            })
            .collect();
        let record = SpilledFile {
            path: found[0].path.clone(),
            hash,
            findings,
        };
        let bytes =
            postcard::to_stdvec(&record).map_err(|e| spill_error(std::io::Error::other(e)))?;
        let len = u32::try_from(bytes.len())
            .map_err(|_| spill_error(std::io::Error::other("a file's findings exceed 4 GiB")))?;
        self.file
            .write_all(&len.to_le_bytes())
            .and_then(|()| self.file.write_all(&bytes))
            .map_err(spill_error)
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
            Ok(Diagnostic {
                rule: rules.get(d.rule).copied().ok_or_else(|| {
                    spill_error(std::io::Error::other("a record names no rule written"))
                })?,
                severity: d.severity,
                path: file.path.clone(),
                span: d.span,
                message: d.message,
                label: d.label.map(std::borrow::Cow::Owned),
                help: d.help.map(std::borrow::Cow::Owned),
                related: d.related,
                subject: d.subject,
                fix: d.fix,
            })
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
