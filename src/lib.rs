//! vaultlint: a fast, exact linter and link checker for Obsidian vaults.
//!
//! The data flows one way, and so do the imports: a module only imports modules below it.
//!
//! ```text
//!  cli/                     command line, exit codes: args.rs,     (main.rs calls cli::run)
//!                           commands/ (a file per command)
//!  fix                      --fix, --diff: applies rules' edits;   the only module that writes notes
//!                           fix::rename: mv, links rewritten
//!  render/                  human, concise, JSON, SARIF, GitHub,   one Diagnostic feeds all
//!                           JUnit, GitLab
//!  config, baseline         vaultlint.toml; recorded findings
//!  check/                   the pipeline: walk, outline pass, index, packs, check pass in
//!                           windows, delivery, spill, severity overrides
//!  suppress                 in-note suppressions, applied to each note's findings
//!  rules/                   packs of pure rules: the core pack, rules/attack/ (ATT&CK, with
//!                           its settings and its commands' logic)
//!  resolve/                 link resolution as Obsidian does it
//!  index                    Vault: files, outlines, Obsidian's name index (immutable)
//!  parse/                   front matter, links, headings, block ids, heading keys, LineIndex
//!  vault/                   walking and reading files (with error, diagnostic, suggest
//!                           below everything)
//! ```
//!
//! `tests/integration/architecture.rs` fails the build when an import goes upwards, two
//! modules import each other (directly or round a cycle, at the top level or inside a
//! package such as `rules/` or `cli/`), or a rule touches the filesystem. See
//! `ARCHITECTURE.md` for where new things go.
//!
//! The public API is what `main.rs`, the integration tests and the fuzz targets use:
//! [`check()`], [`check_texts`] and their [`Report`], [`cli::run`], [`render::render`],
//! [`rules::all`], [`parse::parse_note`] and the front matter functions, and
//! [`vault::decode_note`]. `fuzzing` (hidden from the docs, not API) reaches the
//! crate-private readers of untrusted input for the fuzz targets in `fuzz/`. Everything else
//! is `pub(crate)`; `unreachable_pub` keeps `pub` meaning public, and `missing_docs` keeps
//! every public item documented.

#![forbid(unsafe_code)]
#![warn(missing_docs)]
#![warn(unreachable_pub)]

pub(crate) mod baseline;
pub(crate) mod check;
pub mod cli;
pub(crate) mod config;
pub mod diagnostic;
pub(crate) mod error;
pub(crate) mod fix;
#[doc(hidden)]
pub mod fuzzing;
pub(crate) mod index;
pub mod parse;
pub mod render;
pub(crate) mod resolve;
pub mod rules;
pub(crate) mod suggest;
pub(crate) mod suppress;
pub mod vault;

pub use check::{check, check_texts, load_sources, BaselineSummary, CheckOptions, Report, Summary};
pub use diagnostic::{Diagnostic, Severity};
pub use error::Error;
