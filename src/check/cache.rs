//! The persistent cache (`.vaultlint_cache/` at the vault root by default): each note's
//! outline and findings from the last run, so that a later run reads and parses only the
//! notes that changed, and checks again only those when no outline changed.
//!
//! One file, `notes.bin`: a fixed header, then one record per cached note (its path, size,
//! modification time, content hash and outline), then one record per linted note with its
//! findings, in path order. Every record carries its length and an xxh3 hash of its bytes;
//! a record that does not match, a header of another format, tool version or settings
//! (`stamp`), or a file that ends early is never trusted: the run goes on without the rest
//! of the cache and writes a new one. The new file is written beside the old one under a
//! temporary name and renamed over it when the run ends, so a reader sees one whole file
//! (two runs at once: the last rename wins, both files are whole). A run whose cache would
//! pass [`MAX_CACHE_BYTES`] writes none. A record that would be written with the same bytes
//! (a note not read again, findings taken from the cache) is copied from the old file
//! through the handle it was read with, its hash checked again, instead of serialised anew:
//! with one note changed, writing the cache was a fifth of the run.
//!
//! When the cache holds a note: its size and modification time unchanged, and that time at
//! least [`RACY_NS`] older than the start of the run that wrote the cache, are taken as
//! "unchanged" without reading it (as git does; a note written within the same clock tick
//! as that run could change again unseen, so it is read). Otherwise the note is read and
//! its content hash decides. Its findings are reused only when the vault's signature (every
//! path, every outline, the files' problems) is the one the findings were computed with:
//! the rules read the note, and the vault only through the index.

use std::collections::HashMap;
use std::hash::Hasher;
use std::io::{BufReader, BufWriter, Read, Seek, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rayon::prelude::*;
use xxhash_rust::xxh3::{xxh3_128, xxh3_64, Xxh3};

use super::spill::{Finding, FindingRef};
use crate::diagnostic::{Diagnostic, RuleMeta};
use crate::index::Vault;
use crate::parse::Outline;
use crate::vault::{FileProblem, VaultFile};

/// Where the cache lives and what it must have been written with.
#[derive(Debug, Clone)]
pub(crate) struct CacheSettings {
    /// The cache folder (created when missing, with a `.gitignore` holding `*`).
    pub(crate) dir: PathBuf,
    /// The hash of everything besides the vault that findings depend on: the tool's version,
    /// the configuration, the catalogue. A cache with another stamp is not used.
    pub(crate) stamp: u64,
}

/// The cache file in the cache folder.
const FILE: &str = "notes.bin";
/// The format: a cache written by another format is ignored.
const MAGIC: &[u8; 8] = b"VLCACHE3";
/// The largest cache written, in bytes (an ATT&CK vault of 100,000 notes with a million
/// findings takes about 200 MiB).
pub(crate) const MAX_CACHE_BYTES: u64 = 512 << 20;
/// The largest record read back, in bytes: a larger length is corruption.
const MAX_RECORD_BYTES: u32 = 256 << 20;
/// A note modified less than this many nanoseconds before the run that wrote the cache
/// started is read again even when its size and time match.
pub(crate) const RACY_NS: u64 = 2_000_000_000;
/// The header: magic, then six little-endian u64 (version hash, stamp, vault signature,
/// start time, notes, and the xxh3 of the bytes before it).
const HEADER_BYTES: usize = 8 + 6 * 8;

/// The header's fields.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Header {
    version: u64,
    stamp: u64,
    vault_sig: u64,
    started_ns: u64,
    notes: u64,
}

impl Header {
    fn to_bytes(self) -> [u8; HEADER_BYTES] {
        let mut bytes = [0u8; HEADER_BYTES];
        bytes[..8].copy_from_slice(MAGIC);
        let fields = [
            self.version,
            self.stamp,
            self.vault_sig,
            self.started_ns,
            self.notes,
        ];
        for (i, f) in fields.iter().enumerate() {
            bytes[8 + i * 8..16 + i * 8].copy_from_slice(&f.to_le_bytes());
        }
        let check = xxh3_64(&bytes[..HEADER_BYTES - 8]);
        bytes[HEADER_BYTES - 8..].copy_from_slice(&check.to_le_bytes());
        bytes
    }

    fn from_bytes(bytes: &[u8; HEADER_BYTES]) -> Option<Self> {
        let field = |i: usize| {
            let mut f = [0u8; 8];
            f.copy_from_slice(&bytes[8 + i * 8..16 + i * 8]);
            u64::from_le_bytes(f)
        };
        (&bytes[..8] == MAGIC && xxh3_64(&bytes[..HEADER_BYTES - 8]) == field(5)).then(|| Header {
            version: field(0),
            stamp: field(1),
            vault_sig: field(2),
            started_ns: field(3),
            notes: field(4),
        })
    }
}

/// The hash of this build's version: a cache from another version is not used. The
/// heading key hash of a probe heading is part of it, because outlines store each heading's
/// hash: a build between two releases that changes how headings compare must not trust the
/// hashes an earlier build stored.
fn version_hash() -> u64 {
    let probe = crate::parse::key_hash(crate::parse::HeadingChars::new(
        "  Ticket  Exchange [^1]: ÉTÉ #2 | a/b  ",
        true,
    ));
    let mut h = Xxh3::new();
    h.update(concat!(env!("CARGO_PKG_NAME"), " ", env!("CARGO_PKG_VERSION")).as_bytes());
    h.update(&probe.to_le_bytes());
    h.digest()
}

/// One linted note's findings in the cache.
#[derive(serde::Serialize, serde::Deserialize)]
struct FindingsEntry {
    path: String,
    links: usize,
    per_pack: Vec<usize>,
    fix_hash: Option<u64>,
    findings: Vec<Finding<String>>,
}

/// What the cache knows of a file before the outline pass reads it.
pub(super) struct Known {
    size: u64,
    mtime_ns: u64,
    hash: u128,
    outline: Option<Outline>,
    /// The xxh3 of the outline's stored bytes, for the vault's signature.
    outline_sig: Option<u64>,
    /// Where its record lies in the old cache file.
    record: Extent,
}

/// How many matched note records [`CacheRun::take_known`] decodes together.
const DECODE_BATCH: usize = 1024;

/// A record's place in the old cache file: its first byte (the length) and its length with
/// the 12 bytes of length and hash.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Extent {
    start: u64,
    len: u64,
}

/// What the outline pass learnt about a note, for the cache: where its outline came from
/// and the key the new cache stores.
#[derive(Debug, Clone, Copy)]
pub(super) struct Seen {
    size: u64,
    mtime_ns: u64,
    hash: u128,
    /// The outline (and the text) are the cached ones.
    pub(super) hit: bool,
    /// The text was read (its size and time did not vouch for it).
    read: bool,
    /// The old cache's record of the note when the new one is the same bytes (the same
    /// size, time, hash and outline): it is copied instead of written again.
    same_record: Option<Extent>,
    /// For a hit, the xxh3 of the cached outline's stored bytes: the vault's signature
    /// takes it instead of serialising the outline again.
    outline_sig: Option<u64>,
}

/// A note's findings as the check pass returns them: findings, counts, fix fingerprint.
pub(super) type Checked = (Vec<Diagnostic>, super::note::NoteCounts, Option<u64>);

/// The cache during one run: what the last run left, and the new cache being written.
pub(crate) struct CacheRun {
    settings: CacheSettings,
    root: PathBuf,
    /// Paths checked as a text held in memory, never as the file (`--fix`'s edits).
    edited: std::collections::HashSet<Arc<str>>,
    started_ns: u64,
    prior: Option<Prior>,
    /// Whether the prior findings were computed on this vault (same signature).
    findings_valid: bool,
    writer: Option<Writer>,
    /// A cached note's findings could not be read back: the old cache is removed at the
    /// end when no new one is written.
    broken: bool,
    /// The findings records taken from the old cache and not yet written to the new one,
    /// in path order: they are copied as they are.
    taken: std::collections::VecDeque<(Arc<str>, Extent)>,
    rules: HashMap<&'static str, &'static RuleMeta>,
}

/// Where [`CacheRun::take_known`] is in matching the vault's files with the cache's note
/// records (both in path order).
struct Matching<'f> {
    files: &'f [VaultFile],
    /// The next file to match.
    at: usize,
    /// A record read but not yet matched: its path comes after the file's.
    pending: Option<RawNote>,
}

impl Matching<'_> {
    /// Reads and matches records until [`DECODE_BATCH`] files have one or the files run
    /// out: the matched records with the position of their file. A record whose note is
    /// no longer in the vault makes the cache stale.
    fn fill(&mut self, prior: &mut Prior) -> Vec<(usize, RawNote)> {
        let mut batch = Vec::with_capacity(DECODE_BATCH);
        while batch.len() < DECODE_BATCH && self.at < self.files.len() {
            let path = self.files[self.at].path.as_bytes();
            loop {
                if self.pending.is_none() {
                    self.pending = prior.next_note();
                }
                match &self.pending {
                    Some(raw) if raw.path() < path => {
                        prior.stale = true;
                        self.pending = None;
                    }
                    _ => break,
                }
            }
            if let Some(raw) = self.pending.take_if(|raw| raw.path() == path) {
                batch.push((self.at, raw));
            }
            self.at += 1;
        }
        batch
    }
}

/// The last run's cache, opened. Its records are read one at a time as the run needs
/// them, never held together: the notes' in [`CacheRun::take_known`], then the findings
/// in path order.
struct Prior {
    header: Header,
    /// Note records not yet read.
    notes_left: u64,
    /// A cached note is gone from the vault, or a note record could not be read: the new
    /// cache cannot be the old one.
    stale: bool,
    /// Positioned at the next note record, then at the next findings record; `None` after
    /// the end or a bad record.
    reader: Option<BufReader<std::fs::File>>,
    /// The same file, for copying records into the new cache by offset (the reader's
    /// position is not shared with it).
    source: std::fs::File,
    /// The offset in the file of the reader's next record.
    offset: u64,
    /// The next findings record, read ahead (not decoded).
    next: Option<RawFindings>,
}

/// The new cache, written under a temporary name.
struct Writer {
    file: BufWriter<tempfile::NamedTempFile>,
    written: u64,
}

fn now_ns() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_nanos()).unwrap_or(u64::MAX))
}

/// Reads one record's bytes, checked against its hash, and its length in the file (with
/// the 12 bytes of length and hash). `None` at a clean end of file or when anything does
/// not match.
fn read_raw(reader: &mut impl Read) -> Option<(Vec<u8>, u64)> {
    let mut head = [0u8; 12];
    reader.read_exact(&mut head).ok()?;
    let mut len = [0u8; 4];
    len.copy_from_slice(&head[..4]);
    let len = u32::from_le_bytes(len);
    if len > MAX_RECORD_BYTES {
        return None;
    }
    let mut check = [0u8; 8];
    check.copy_from_slice(&head[4..]);
    let mut bytes = vec![0u8; len as usize];
    reader.read_exact(&mut bytes).ok()?;
    if xxh3_64(&bytes) != u64::from_le_bytes(check) {
        return None;
    }
    Some((bytes, 12 + u64::from(len)))
}

/// A note record read but its outline not yet decoded: what matching it with a file of
/// the vault needs, without the cost of the outline.
struct RawNote {
    /// The record's bytes (a [`NoteEntryRef`]).
    bytes: Vec<u8>,
    /// Where the path's bytes lie in `bytes`.
    path: std::ops::Range<usize>,
    size: u64,
    mtime_ns: u64,
    hash: u128,
    /// Where the (optional) outline starts in `bytes`.
    outline_at: usize,
    record: Extent,
}

impl RawNote {
    /// Reads the fields before the outline; `None` when they do not decode.
    fn new(bytes: Vec<u8>, record: Extent) -> Option<Self> {
        let (path, rest) = postcard::take_from_bytes::<&str>(&bytes).ok()?;
        let path_end = bytes.len() - rest.len();
        let path = path_end - path.len()..path_end;
        let ((size, mtime_ns, hash), rest) =
            postcard::take_from_bytes::<(u64, u64, u128)>(rest).ok()?;
        let outline_at = bytes.len() - rest.len();
        Some(RawNote {
            path,
            size,
            mtime_ns,
            hash,
            outline_at,
            record,
            bytes,
        })
    }

    /// The note's path (compared as bytes: the order of `str`).
    fn path(&self) -> &[u8] {
        &self.bytes[self.path.clone()]
    }

    /// Decodes the outline; `None` when it does not decode to the end of the record.
    fn decode(&self) -> Option<Known> {
        let (outline, outline_sig) = match self.bytes.get(self.outline_at..)?.split_first()? {
            (0, []) => (None, None),
            (1, stored) => {
                let (outline, []) = postcard::take_from_bytes::<Outline>(stored).ok()? else {
                    return None;
                };
                // The bytes of the outline as it is serialised: what the vault's signature
                // hashes, so that it need not serialise the outline again.
                (Some(outline.with_lookup()), Some(xxh3_64(stored)))
            }
            _ => return None,
        };
        Some(Known {
            size: self.size,
            mtime_ns: self.mtime_ns,
            hash: self.hash,
            outline,
            outline_sig,
            record: self.record,
        })
    }
}

/// A findings record read but not yet decoded.
struct RawFindings {
    /// The record's bytes (a [`FindingsEntryRef`]).
    bytes: Vec<u8>,
    /// Where the note's path lies in `bytes`.
    path: std::ops::Range<usize>,
    record: Extent,
}

impl RawFindings {
    /// Reads the path; `None` when it does not decode.
    fn new(bytes: Vec<u8>, record: Extent) -> Option<Self> {
        let (path, rest) = postcard::take_from_bytes::<&str>(&bytes).ok()?;
        let path_end = bytes.len() - rest.len();
        Some(RawFindings {
            path: path_end - path.len()..path_end,
            record,
            bytes,
        })
    }

    /// The note's path (compared as bytes: the order of `str`).
    fn path(&self) -> &[u8] {
        &self.bytes[self.path.clone()]
    }

    /// The findings of the note at `path`; `None` when the record does not decode or
    /// names a rule this build does not have.
    fn decode(
        &self,
        path: &Arc<str>,
        rules: &HashMap<&'static str, &'static RuleMeta>,
    ) -> Option<Checked> {
        let entry: FindingsEntry = postcard::from_bytes(&self.bytes).ok()?;
        let findings = entry
            .findings
            .into_iter()
            .map(|d| {
                let rule = rules.get(d.rule.as_str()).copied()?;
                Some(d.into_diagnostic(rule, Arc::clone(path)))
            })
            .collect::<Option<Vec<_>>>()?;
        Some((
            findings,
            super::note::NoteCounts {
                links: entry.links,
                per_pack: entry.per_pack,
            },
            entry.fix_hash,
        ))
    }
}

impl Writer {
    /// Writes a whole record (length, hash, bytes) copied from the old cache.
    fn raw(&mut self, record: &[u8]) -> Option<()> {
        self.written += record.len() as u64;
        if self.written > MAX_CACHE_BYTES {
            return None;
        }
        self.file.write_all(record).ok()
    }

    fn record<T: serde::Serialize>(&mut self, value: &T) -> Option<()> {
        let bytes = postcard::to_stdvec(value).ok()?;
        let len = u32::try_from(bytes.len()).ok()?;
        self.written += 12 + u64::from(len);
        if len > MAX_RECORD_BYTES || self.written > MAX_CACHE_BYTES {
            return None;
        }
        self.file.write_all(&len.to_le_bytes()).ok()?;
        self.file.write_all(&xxh3_64(&bytes).to_le_bytes()).ok()?;
        self.file.write_all(&bytes).ok()
    }
}

impl CacheRun {
    /// Opens the cache for a run on the vault at `root`; `edited` are the notes checked
    /// from memory. A missing, unreadable or untrusted cache is treated as empty.
    pub(crate) fn open(
        settings: CacheSettings,
        root: &Path,
        edited: impl Iterator<Item = Arc<str>>,
    ) -> Self {
        let started_ns = now_ns();
        // A cache folder shared by several vaults (`VAULTLINT_CACHE_DIR`) holds the last
        // vault's cache: another vault's is never read as this one's.
        let mut stamp = Xxh3::new();
        stamp.write_u64(settings.stamp);
        let canonical = std::fs::canonicalize(root).unwrap_or_else(|_| root.to_path_buf());
        stamp.write(canonical.to_string_lossy().as_bytes());
        let settings = CacheSettings {
            stamp: stamp.finish(),
            ..settings
        };
        let prior = Self::load(&settings);
        CacheRun {
            root: root.to_path_buf(),
            edited: edited.collect(),
            started_ns,
            prior,
            findings_valid: false,
            writer: None,
            broken: false,
            taken: std::collections::VecDeque::new(),
            rules: crate::rules::all().iter().map(|r| (r.name, *r)).collect(),
            settings,
        }
    }

    fn load(settings: &CacheSettings) -> Option<Prior> {
        let source = std::fs::File::open(settings.dir.join(FILE)).ok()?;
        // A second handle on the same open file, not on the path: a run that renamed a new
        // cache over it since cannot mix its records into this one's copies.
        let mut reader = BufReader::new(source.try_clone().ok()?);
        let mut head = [0u8; HEADER_BYTES];
        reader.read_exact(&mut head).ok()?;
        let header = Header::from_bytes(&head)?;
        if header.version != version_hash() || header.stamp != settings.stamp {
            return None;
        }
        Some(Prior {
            header,
            notes_left: header.notes,
            stale: false,
            reader: Some(reader),
            source,
            offset: HEADER_BYTES as u64,
            next: None,
        })
    }

    /// Takes what the cache knows of each of `files` (sorted by path), parallel to them.
    /// The note records, written in path order, are read and matched by path one at a
    /// time; the outlines of [`DECODE_BATCH`] matched records at a time are then decoded
    /// in parallel (decoding was the warm run's largest cost, on one thread) while the
    /// next batch is read, so that memory holds the outlines the run keeps and two batches
    /// of the cache's bytes besides. The reader is left at the findings.
    pub(super) fn take_known(&mut self, files: &[VaultFile]) -> Vec<Option<Known>> {
        let Some(prior) = &mut self.prior else {
            return files.iter().map(|_| None).collect();
        };
        let mut known: Vec<Option<Known>> = files.iter().map(|_| None).collect();
        let mut matching = Matching {
            files,
            at: 0,
            pending: None,
        };
        let mut batch = matching.fill(prior);
        while !batch.is_empty() {
            let (decoded, next) = rayon::join(
                || {
                    batch
                        .par_iter()
                        .map(|(_, raw)| raw.decode())
                        .collect::<Vec<_>>()
                },
                || matching.fill(prior),
            );
            // A record that does not decode is a bad record: neither it nor any record
            // after it (the batch read ahead included) is taken.
            let mut bad = false;
            for ((i, _), k) in batch.into_iter().zip(decoded) {
                if k.is_none() {
                    bad = true;
                    break;
                }
                known[i] = k;
            }
            if bad {
                prior.end_notes();
                break;
            }
            batch = next;
        }
        prior.stale |= matching.pending.is_some();
        while prior.next_note().is_some() {
            prior.stale = true;
        }
        prior.advance();
        known
    }

    /// The file's size and modification time before it is read, or `None` when the cache
    /// cannot vouch for what will be read (an edited text, or no metadata).
    pub(super) fn stat(&self, file: &VaultFile) -> Option<(u64, u64)> {
        if self.edited.contains(&file.path) {
            return None;
        }
        // The walk's stat was taken after the run started (`open` comes first), before the
        // note is read, as this one would be.
        if file.stat.is_some() {
            return file.stat;
        }
        let meta = std::fs::symlink_metadata(file.abs(&self.root)).ok()?;
        crate::vault::size_and_time(&meta)
    }

    /// Whether the cached note can be taken as unchanged from its size and time alone.
    pub(super) fn unchanged(&self, known: &Known, stat: Option<(u64, u64)>) -> bool {
        let Some((size, mtime_ns)) = stat else {
            return false;
        };
        let started = self.prior.as_ref().map_or(0, |p| p.header.started_ns);
        known.size == size
            && known.mtime_ns == mtime_ns
            && mtime_ns.saturating_add(RACY_NS) < started
    }

    /// The outline of a note whose text was not read: the cached one (`None` for a JSON
    /// file).
    pub(super) fn hit(known: Known) -> (Option<Outline>, Seen) {
        let seen = Seen {
            size: known.size,
            mtime_ns: known.mtime_ns,
            hash: known.hash,
            hit: true,
            read: false,
            same_record: Some(known.record),
            outline_sig: known.outline_sig,
        };
        (known.outline, seen)
    }

    /// The outline of a note read as `text`: the cached one when the text is the cached
    /// text, else `parse` of it (`None` for a JSON file).
    pub(super) fn read(
        known: Option<Known>,
        stat: Option<(u64, u64)>,
        text: &str,
        parse: impl FnOnce() -> Option<Outline>,
    ) -> (Option<Outline>, Seen) {
        let hash = xxh3_128(text.as_bytes());
        let (size, mtime_ns) = stat.unwrap_or((u64::MAX, u64::MAX));
        match known {
            Some(known) if known.hash == hash => (
                known.outline,
                Seen {
                    size,
                    mtime_ns,
                    hash,
                    hit: true,
                    read: true,
                    same_record: (known.size == size && known.mtime_ns == mtime_ns)
                        .then_some(known.record),
                    outline_sig: known.outline_sig,
                },
            ),
            _ => (
                parse(),
                Seen {
                    size,
                    mtime_ns,
                    hash,
                    hit: false,
                    read: true,
                    same_record: None,
                    outline_sig: None,
                },
            ),
        }
    }

    /// After the outline pass: computes the vault's signature, decides whether the cached
    /// findings hold, and starts the new cache with the notes' outlines. Any failure to
    /// write leaves the run without a new cache.
    pub(super) fn index_built(
        &mut self,
        vault: &Vault,
        seen: &[Option<Seen>],
        problems: &[FileProblem],
    ) {
        // Each outline's hash in parallel: a cached outline's from its stored bytes, any
        // other's from its serialisation (the same bytes the cache stores).
        let outline_sigs: Vec<Option<u64>> = (0..vault.files.len())
            .into_par_iter()
            .map(|id| {
                let outline = vault.outline(id)?;
                if let Some(sig) = seen.get(id).copied().flatten().and_then(|s| s.outline_sig) {
                    return Some(sig);
                }
                postcard::to_stdvec(outline)
                    .ok()
                    .map(|bytes| xxh3_64(&bytes))
            })
            .collect();
        let mut sig = Xxh3::new();
        sig.write_u64(self.settings.stamp);
        for (file, outline_sig) in vault.files.iter().zip(outline_sigs) {
            sig.write(file.path.as_bytes());
            sig.write(&[0, u8::from(file.is_note), u8::from(file.lint)]);
            if let Some(outline_sig) = outline_sig {
                sig.write_u64(outline_sig);
            }
        }
        for p in problems {
            sig.write(format!("{p:?}").as_bytes());
        }
        let vault_sig = sig.finish();
        self.findings_valid = self
            .prior
            .as_ref()
            .is_some_and(|p| p.header.vault_sig == vault_sig);
        // Nothing read, nothing gone, the same index: the new cache would be the old one
        // (its start time, older, vouches for the same notes), so it is kept as it is.
        let unchanged = self.findings_valid
            && self.prior.as_ref().is_some_and(|p| !p.stale)
            && seen.iter().flatten().all(|s| !s.read);
        if !self.findings_valid {
            // Its findings are of another vault; its note records can still be copied.
            if let Some(prior) = &mut self.prior {
                prior.reader = None;
                prior.next = None;
            }
        }
        if !unchanged {
            self.writer = self.start_writer(vault, seen, vault_sig);
        }
    }

    fn start_writer(&self, vault: &Vault, seen: &[Option<Seen>], vault_sig: u64) -> Option<Writer> {
        let dir = &self.settings.dir;
        std::fs::create_dir_all(dir).ok()?;
        let ignore = dir.join(".gitignore");
        if !ignore.exists() {
            // A cache inside a repository is never committed.
            std::fs::write(&ignore, "*\n").ok()?;
        }
        let notes: Vec<(usize, Seen)> = seen
            .iter()
            .enumerate()
            .filter_map(|(id, s)| Some((id, (*s)?)))
            .filter(|(id, _)| vault.outline(*id).is_some() || vault.files[*id].is_json())
            .collect();
        let header = Header {
            version: version_hash(),
            stamp: self.settings.stamp,
            vault_sig,
            started_ns: self.started_ns,
            notes: notes.len() as u64,
        };
        let temp = tempfile::Builder::new()
            .prefix(".notes-")
            .suffix(".tmp")
            .tempfile_in(dir)
            .ok()?;
        let mut writer = Writer {
            file: BufWriter::new(temp),
            written: HEADER_BYTES as u64,
        };
        writer.file.write_all(&header.to_bytes()).ok()?;
        for (id, s) in notes {
            if let Some(bytes) = self.copied(s.same_record) {
                writer.raw(&bytes)?;
                continue;
            }
            let outline = vault.outline(id);
            writer.record(&NoteEntryRef {
                path: &vault.files[id].path,
                size: s.size,
                mtime_ns: s.mtime_ns,
                hash: s.hash,
                outline,
            })?;
        }
        Some(writer)
    }

    /// Whether the findings of note `id` (whose outline pass saw `seen`) can come from the
    /// cache.
    pub(super) fn findings_reusable(&self, seen: Option<&Seen>) -> bool {
        self.findings_valid && seen.is_some_and(|s| s.hit)
    }

    /// Per note of `notes` (a window of the check pass, in path order, with what its
    /// outline pass saw): its cached findings when they can be reused and the cache holds
    /// them whole. The records are read and matched by path in order, then decoded in
    /// parallel (decoding them one at a time was a tenth of a warm run). A record that
    /// does not decode is a bad record: no findings after it are taken.
    pub(super) fn take_findings<'p>(
        &mut self,
        notes: impl Iterator<Item = (&'p Arc<str>, Option<&'p Seen>)>,
    ) -> Vec<Option<Checked>> {
        let raws: Vec<Option<(Arc<str>, RawFindings)>> = notes
            .map(|(path, seen)| {
                if !self.findings_reusable(seen) {
                    return None;
                }
                let raw = self.next_findings(path);
                self.broken |= raw.is_none();
                Some((Arc::clone(path), raw?))
            })
            .collect();
        let rules = &self.rules;
        let decoded: Vec<Option<Checked>> = raws
            .par_iter()
            .map(|raw| {
                let (path, raw) = raw.as_ref()?;
                raw.decode(path, rules)
            })
            .collect();
        let mut bad = false;
        raws.into_iter()
            .zip(decoded)
            .map(|(raw, checked)| {
                let (path, raw) = raw?;
                match checked {
                    Some(checked) if !bad => {
                        self.taken.push_back((path, raw.record));
                        Some(checked)
                    }
                    _ => {
                        if !bad {
                            bad = true;
                            if let Some(prior) = &mut self.prior {
                                prior.reader = None;
                                prior.next = None;
                            }
                        }
                        self.broken = true;
                        None
                    }
                }
            })
            .collect()
    }

    /// The findings record of the note at `path`, if it is the next one. Notes are asked
    /// for in path order.
    fn next_findings(&mut self, path: &Arc<str>) -> Option<RawFindings> {
        let prior = self.prior.as_mut()?;
        let path = path.as_bytes();
        while prior.next.as_ref().is_some_and(|n| n.path() < path) {
            prior.advance();
        }
        if prior.next.as_ref().is_none_or(|n| n.path() != path) {
            return None;
        }
        let raw = prior.next.take();
        prior.advance();
        raw
    }

    /// Records a linted note's findings in the new cache (notes in path order).
    pub(super) fn record_findings(&mut self, path: &str, checked: &Checked) {
        if self.writer.is_none() {
            return;
        }
        while self.taken.front().is_some_and(|(p, _)| &**p < path) {
            self.taken.pop_front();
        }
        let taken = self
            .taken
            .front()
            .filter(|(p, _)| &**p == path)
            .map(|&(_, extent)| extent);
        if let Some(bytes) = self.copied(taken) {
            self.taken.pop_front();
            if self.writer.as_mut().and_then(|w| w.raw(&bytes)).is_none() {
                self.writer = None;
            }
            return;
        }
        let Some(writer) = &mut self.writer else {
            return;
        };
        let (findings, counts, fix_hash) = checked;
        let entry = FindingsEntryRef {
            path,
            links: counts.links,
            per_pack: &counts.per_pack,
            fix_hash: *fix_hash,
            findings: findings
                .iter()
                .map(|d| FindingRef::new(d, d.rule.name))
                .collect(),
        };
        if writer.record(&entry).is_none() {
            self.writer = None;
        }
    }

    /// The bytes of the old cache's record at `extent`, to copy into the new cache.
    fn copied(&self, extent: Option<Extent>) -> Option<Vec<u8>> {
        self.prior.as_ref()?.copy(extent?)
    }

    /// Ends the run: the new cache replaces the old one. Failing to write it is not an
    /// error of the run; the next run rebuilds it.
    pub(super) fn finish(self) {
        let Some(writer) = self.writer else {
            if self.broken {
                let _ = std::fs::remove_file(self.settings.dir.join(FILE));
            }
            return;
        };
        let Ok(mut temp) = writer.file.into_inner() else {
            return;
        };
        if temp.as_file_mut().flush().is_err() || temp.as_file_mut().rewind().is_err() {
            return;
        }
        // The rename is the commit: readers see the old file or this one, whole.
        let _ = temp.persist(self.settings.dir.join(FILE));
    }
}

impl Prior {
    /// Reads the next note record's bytes and the fields before its outline; `None` after
    /// the last one. A bad record ends the reading: no note after it, nor any findings, is
    /// taken from the cache.
    fn next_note(&mut self) -> Option<RawNote> {
        if self.notes_left == 0 {
            return None;
        }
        self.notes_left -= 1;
        let raw = self
            .reader
            .as_mut()
            .and_then(read_raw)
            .and_then(|(bytes, len)| {
                let note = RawNote::new(
                    bytes,
                    Extent {
                        start: self.offset,
                        len,
                    },
                );
                self.offset += len;
                note
            });
        if raw.is_none() {
            self.end_notes();
        }
        raw
    }

    /// No note record after this point, nor any findings, is read.
    fn end_notes(&mut self) {
        self.reader = None;
        self.notes_left = 0;
        self.stale = true;
    }

    /// Reads the next findings record; at the end or at a bad record, no more.
    fn advance(&mut self) {
        self.next = self
            .reader
            .as_mut()
            .and_then(read_raw)
            .and_then(|(bytes, len)| {
                let raw = RawFindings::new(
                    bytes,
                    Extent {
                        start: self.offset,
                        len,
                    },
                );
                self.offset += len;
                raw
            });
        if self.next.is_none() {
            self.reader = None;
        }
    }

    /// The bytes of a record read before, checked again against their hash; `None` when
    /// they cannot be read back whole (the caller writes the record anew).
    fn copy(&self, extent: Extent) -> Option<Vec<u8>> {
        let mut bytes = vec![0u8; usize::try_from(extent.len).ok()?];
        read_at(&self.source, &mut bytes, extent.start)?;
        let (head, body) = bytes.split_at_checked(12)?;
        let mut check = [0u8; 8];
        check.copy_from_slice(&head[4..]);
        (xxh3_64(body) == u64::from_le_bytes(check)).then_some(bytes)
    }
}

/// Reads `buf.len()` bytes at `offset` without moving the file's position, which the
/// cache's reader shares.
#[cfg(unix)]
fn read_at(file: &std::fs::File, buf: &mut [u8], offset: u64) -> Option<()> {
    std::os::unix::fs::FileExt::read_exact_at(file, buf, offset).ok()
}

/// Elsewhere a positioned read moves the shared position: records are written anew.
#[cfg(not(unix))]
fn read_at(_file: &std::fs::File, _buf: &mut [u8], _offset: u64) -> Option<()> {
    None
}

/// One note (or JSON file, which has no outline) in the cache, as it is written; read
/// back by [`RawNote`].
#[derive(serde::Serialize)]
struct NoteEntryRef<'a> {
    path: &'a str,
    /// Size in bytes and modification time (nanoseconds since the Unix epoch) when it was
    /// read; `u64::MAX` for a text that was not the file's (`--fix` checking its edits).
    size: u64,
    mtime_ns: u64,
    /// xxh3-128 of the text.
    hash: u128,
    /// `None` for a JSON file.
    outline: Option<&'a Outline>,
}

/// [`FindingsEntry`] borrowed, for writing.
#[derive(serde::Serialize)]
struct FindingsEntryRef<'a> {
    path: &'a str,
    links: usize,
    per_pack: &'a [usize],
    fix_hash: Option<u64>,
    findings: Vec<FindingRef<'a, &'a str>>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::OutlineHeading;

    fn note(path: &str) -> VaultFile {
        VaultFile {
            path: path.into(),
            is_note: true,
            lint: true,
            os_path: None,
            stat: None,
        }
    }

    /// An outline that names its note, to see which record a file was given.
    fn outline(path: &str) -> Outline {
        let mut outline = Outline::default();
        outline.headings = vec![OutlineHeading::new(1, path.into())];
        outline
    }

    /// How [`cached`] damages a record.
    #[derive(Clone, Copy)]
    enum Damage {
        /// A byte flipped after its hash was taken.
        Flipped,
        /// Its outline is no outline, and its hash is right.
        Undecodable,
    }

    /// Writes a cache for the vault at `root` holding the notes `paths` (in path order, no
    /// findings), the record at `damaged.0` damaged; opens it.
    fn cached(root: &Path, paths: &[&str], damaged: Option<(usize, Damage)>) -> CacheRun {
        let settings = CacheSettings {
            dir: root.join(".vaultlint_cache"),
            stamp: 7,
        };
        let stamp = CacheRun::open(settings.clone(), root, std::iter::empty())
            .settings
            .stamp;
        let header = Header {
            version: version_hash(),
            stamp,
            vault_sig: 0,
            started_ns: 0,
            notes: paths.len() as u64,
        };
        let mut bytes = header.to_bytes().to_vec();
        for (i, path) in paths.iter().enumerate() {
            let mut record = postcard::to_stdvec(&NoteEntryRef {
                path,
                size: 1,
                mtime_ns: 0,
                hash: 0,
                outline: Some(&outline(path)),
            })
            .unwrap();
            let damage = damaged.filter(|d| d.0 == i).map(|d| d.1);
            if let Some(Damage::Undecodable) = damage {
                // A heading count far past the bytes left.
                let at = record.len() - postcard::to_stdvec(&outline(path)).unwrap().len();
                record.truncate(at);
                record.extend([0xff, 0xff, 0x03]);
            }
            let check = xxh3_64(&record);
            if let Some(Damage::Flipped) = damage {
                *record.last_mut().unwrap() ^= 0x10;
            }
            bytes.extend(u32::try_from(record.len()).unwrap().to_le_bytes());
            bytes.extend(check.to_le_bytes());
            bytes.extend(record);
        }
        std::fs::create_dir_all(&settings.dir).unwrap();
        std::fs::write(settings.dir.join(FILE), bytes).unwrap();
        CacheRun::open(settings, root, std::iter::empty())
    }

    /// Per file, the note whose cached outline it was given; and whether the cache is stale.
    fn take(run: &mut CacheRun, files: &[&str]) -> (Vec<Option<String>>, bool) {
        let files: Vec<VaultFile> = files.iter().map(|p| note(p)).collect();
        let known = run
            .take_known(&files)
            .into_iter()
            .map(|k| {
                k.and_then(|k| k.outline)
                    .map(|o| o.headings[0].raw.to_string())
            })
            .collect();
        (known, run.prior.as_ref().is_none_or(|p| p.stale))
    }

    fn some(paths: &[&str]) -> Vec<Option<String>> {
        paths
            .iter()
            .map(|p| (!p.is_empty()).then(|| (*p).to_owned()))
            .collect()
    }

    #[test]
    fn the_cache_gives_each_file_its_own_record_read_in_path_order() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        // In byte order, as the walk sorts: `.` before `/`.
        let cache = ["a.md", "b.md", "b/c.md", "d.md"];
        let take_from = |files: &[&str]| take(&mut cached(root, &cache, None), files);
        // The same notes: every one from the cache, nothing stale.
        assert_eq!(take_from(&cache), (some(&cache), false));
        // A note added: parsed, the others still from the cache, none gone.
        assert_eq!(
            take_from(&["a.md", "a2.md", "b.md", "b/c.md", "d.md"]),
            (some(&["a.md", "", "b.md", "b/c.md", "d.md"]), false)
        );
        // Notes gone, first, in the middle or last: the rest from the cache, and stale.
        for files in [
            &["b.md", "b/c.md", "d.md"][..],
            &["a.md", "b.md", "d.md"][..],
            &["a.md", "b.md", "b/c.md"][..],
            &[][..],
        ] {
            assert_eq!(take_from(files), (some(files), true), "{files:?}");
        }
        // A note renamed: the new name is parsed.
        assert_eq!(
            take_from(&["a.md", "b.md", "b/c.md", "e.md"]),
            (some(&["a.md", "b.md", "b/c.md", ""]), true)
        );
    }

    #[test]
    fn no_record_after_a_damaged_one_is_trusted() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        let cache = ["a.md", "b.md", "c.md"];
        for damage in [Damage::Flipped, Damage::Undecodable] {
            let mut run = cached(root, &cache, Some((1, damage)));
            assert_eq!(take(&mut run, &cache), (some(&["a.md", "", ""]), true));
            assert!(run.prior.as_ref().is_some_and(|p| p.next.is_none()));
        }
        // Without a cache file, nothing is known.
        std::fs::remove_file(root.join(".vaultlint_cache").join(FILE)).unwrap();
        let settings = CacheSettings {
            dir: root.join(".vaultlint_cache"),
            stamp: 7,
        };
        let mut run = CacheRun::open(settings, root, std::iter::empty());
        assert_eq!(take(&mut run, &cache), (some(&["", "", ""]), true));
    }

    #[test]
    fn outlines_decoded_in_batches_are_each_files_own_up_to_a_bad_record() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        let names: Vec<String> = (0..2 * DECODE_BATCH + 10)
            .map(|i| format!("n{i:05}.md"))
            .collect();
        let paths: Vec<&str> = names.iter().map(String::as_str).collect();
        // Every other note in the vault: batches hold records of files far apart.
        let files: Vec<&str> = paths.iter().copied().step_by(2).collect();
        let (known, stale) = take(&mut cached(root, &paths, None), &files);
        assert_eq!((known, stale), (some(&files), true));
        // A bad record in the second batch: the notes before it are taken, none after.
        let bad = DECODE_BATCH + 7;
        for damage in [Damage::Flipped, Damage::Undecodable] {
            let (known, stale) = take(&mut cached(root, &paths, Some((bad, damage))), &paths);
            let expected: Vec<&str> = paths
                .iter()
                .enumerate()
                .map(|(i, p)| if i < bad { *p } else { "" })
                .collect();
            assert_eq!((known, stale), (some(&expected), true));
        }
    }

    #[test]
    fn a_cached_outlines_signature_is_the_hash_of_its_serialisation() {
        // The vault's signature hashes a cached outline's stored bytes and any other
        // outline's serialisation: the two must agree, or no warm run reuses findings.
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        let mut run = cached(root, &["a.md"], None);
        let known = run.take_known(&[note("a.md")]).pop().flatten().unwrap();
        let outline = known.outline.as_ref().unwrap();
        assert_eq!(outline.headings[0].raw.as_ref(), "a.md");
        let bytes = postcard::to_stdvec(outline).unwrap();
        assert_eq!(known.outline_sig, Some(xxh3_64(&bytes)));
        let (_, seen) = CacheRun::hit(known);
        assert_eq!(seen.outline_sig, Some(xxh3_64(&bytes)));
    }

    #[test]
    fn no_findings_after_an_undecodable_record_are_taken() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        let mut run = cached(root, &[], None);
        let mut bytes = std::fs::read(run.settings.dir.join(FILE)).unwrap();
        let paths = ["a.md", "b.md", "c.md", "d.md"];
        for path in paths {
            // `b.md`'s record is whole (its hash is right) but names no rule of this build.
            let rule = if path == "b.md" {
                "no-such-rule"
            } else {
                "broken-link"
            };
            let finding = FindingRef {
                rule,
                severity: crate::diagnostic::Severity::Error,
                span: None,
                message: "m",
                label: None,
                help: None,
                related: &[],
                subject: None,
                fix: None,
            };
            let record = postcard::to_stdvec(&FindingsEntryRef {
                path,
                links: 1,
                per_pack: &[],
                fix_hash: None,
                findings: vec![finding],
            })
            .unwrap();
            bytes.extend(u32::try_from(record.len()).unwrap().to_le_bytes());
            bytes.extend(xxh3_64(&record).to_le_bytes());
            bytes.extend(record);
        }
        std::fs::write(run.settings.dir.join(FILE), bytes).unwrap();
        // The settings `cached` opened it with (`open` mixes the vault's root into them).
        let settings = CacheSettings {
            dir: run.settings.dir.clone(),
            stamp: 7,
        };
        run = CacheRun::open(settings, root, std::iter::empty());
        run.take_known(&[]);
        run.findings_valid = true;
        let seen = Seen {
            size: 0,
            mtime_ns: 0,
            hash: 0,
            hit: true,
            read: false,
            same_record: None,
            outline_sig: None,
        };
        let paths: Vec<Arc<str>> = paths.iter().map(|&p| p.into()).collect();
        let taken = run.take_findings(paths.iter().map(|p| (p, Some(&seen))));
        let found: Vec<Option<usize>> = taken
            .iter()
            .map(|c| c.as_ref().map(|c| c.1.links))
            .collect();
        assert_eq!(found, [Some(1), None, None, None]);
        assert!(run.broken);
        assert_eq!(run.taken.len(), 1);
        assert_eq!(&*run.taken[0].0, "a.md");
    }
}
