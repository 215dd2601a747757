#!/usr/bin/env bash
# Runs each fuzz target for a while (default 600 s), one after another, starting from the
# seeds in fuzz/seeds/. Needs the nightly toolchain and cargo-fuzz:
#
#   rustup toolchain install nightly && cargo install cargo-fuzz
#   fuzz/run.sh 600                  # every target, ten minutes each
#   fuzz/run.sh 60 ticket_yaml       # one target, one minute
#
# A crash, a timeout (an input that takes over 10 s) or more than 2 GB of memory stops the
# target and leaves the input under fuzz/artifacts/<target>/. CI does not run this.
set -euo pipefail
cd "$(dirname "$0")"
seconds=${1:-600}
shift || true
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  targets=(ticket_yaml rulebook csv_import)
fi
for t in "${targets[@]}"; do
  mkdir -p "corpus/$t"
  cp -n seeds/"$t"/* "corpus/$t/" 2>/dev/null || true
  echo "== $t: ${seconds}s"
  cargo +nightly fuzz run "$t" "corpus/$t" -- \
    -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=262144 -print_final_stats=1
done
