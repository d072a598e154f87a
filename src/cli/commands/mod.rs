//! One file per command: each takes its parsed arguments, calls the library (the check, a
//! pack) and writes the output.

pub(super) mod attack_coverage;
pub(super) mod attack_fetch;
pub(super) mod attack_lookup;
pub(super) mod attack_upgrade;
pub(super) mod check;
pub(super) mod completions;
pub(super) mod mv;
pub(super) mod rule;
pub(super) mod rules;
