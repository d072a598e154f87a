#!/usr/bin/env bash
# Runs one fuzz target built by `cargo +nightly fuzz build --sanitizer none --debug-assertions`
# (see fuzz/README.md): fuzz/run.sh TARGET RUNS MAX_LEN [extra libFuzzer flags...]
# New inputs go to fuzz/target/corpus/TARGET (not committed); the committed seeds in
# fuzz/corpus/TARGET are read only. Crashes go to fuzz/artifacts/TARGET/.
set -euo pipefail
cd "$(dirname "$0")"
target=$1 runs=$2 max_len=$3
shift 3
bin=target/x86_64-unknown-linux-gnu/release/$target
mkdir -p "target/corpus/$target" "artifacts/$target"
RAYON_NUM_THREADS=1 exec nice -n 19 "$bin" "target/corpus/$target" "corpus/$target" \
    -runs="$runs" -len_control=0 -max_len="$max_len" -dict=vault.dict \
    -timeout=10 -rss_limit_mb=2048 -malloc_limit_mb=2048 \
    -artifact_prefix="artifacts/$target/" -print_final_stats=1 "$@"
