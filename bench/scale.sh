#!/usr/bin/env bash
# 1,000,000-claim scale benchmark of the matcher (issue 3): build time,
# memory, single-thread query latency p50/p99, live upsert/remove.
# The library is synthetic, made from the public VietNews leads by the recipe
# in crates/matcher/examples/scale.rs (half of one lead + half of another).
#
#   bench/scale.sh            # N=1000000
#   N=200000 bench/scale.sh
set -euo pipefail
cd "$(dirname "$0")/.."
n=${N:-1000000}
eval_dir=${EVAL_DIR:-$(pwd)/../shared/eval}
nice -n 10 cargo run --release -q -p kc_match --example scale -- --eval "$eval_dir" --n "$n"
