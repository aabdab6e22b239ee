#!/usr/bin/env bash
# kiemchung against the Python peers of ../shared/peer, in one run, on the
# public half of ../shared/eval. Prints one Markdown table of quality and
# speed (medians of REPEAT runs, alternating tools so machine noise hits
# both alike) with the speed ratio.
#
#   bench/compare.sh                 # builds target/release/kiemchung first
#   KIEMCHUNG=path/to/bin bench/compare.sh
#   REPEAT=5 QUERIES=17000 bench/compare.sh
#
# Needs: python3, the peers' venv (../shared/peer/setup makes it), and the
# data in ../shared/eval (read in place, never copied into the repository).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
eval_dir=${EVAL_DIR:-$root/../shared/eval}
peer_dir=${PEER_DIR:-$root/../shared/peer}
repeat=${REPEAT:-3}
nq=${QUERIES:-17000}
py=${PEER_PYTHON:-$HOME/.cache/kiemchung-peers/lexical/bin/python}
work=$(mktemp -d "${TMPDIR:-/tmp}/kc-compare.XXXXXX")
trap 'rm -rf "$work"' EXIT

if [ -z "${KIEMCHUNG:-}" ]; then
  nice -n 10 cargo build --release -p kiemchung >&2
  KIEMCHUNG=$root/target/release/kiemchung
fi
[ -x "$py" ] || nice -n 10 "$peer_dir/setup" >&2

vn=$eval_dir/vietnews
vp=$eval_dir/vnpara
cat "$vn/corpus.jsonl" "$vn/distractors.jsonl" > "$work/lib44k.jsonl"
python3 bench/make-queries.py --eval "$eval_dir" --n "$nq" --out "$work/speed-queries.jsonl"

kc() { nice -n 10 "$KIEMCHUNG" "$@"; }
# The peer also prints its metrics JSON on stdout; the table reads the files.
peer() { nice -n 10 "$py" "$peer_dir/peer_match.py" "$@" >/dev/null; }

echo "quality runs…" >&2
kc eval --json --library "$vn/corpus.jsonl" --queries "$vn/queries.jsonl" > "$work/kc-vn.json"
kc eval --json --library "$work/lib44k.jsonl" --queries "$vn/queries.jsonl" > "$work/kc-vn44.json"
kc eval --json --library "$vp/corpus.jsonl" --queries "$vp/queries.jsonl" --nomatch "$vp/queries_nomatch.jsonl" > "$work/kc-vp.json"
for m in bm25-sparse tfidf-char; do
  peer --corpus "$vn/corpus.jsonl" --queries "$vn/queries.jsonl" --method $m --k 10 \
    --metrics-out "$work/peer-$m-vn.json" 2>/dev/null
  peer --corpus "$work/lib44k.jsonl" --queries "$vn/queries.jsonl" --method $m --k 10 \
    --metrics-out "$work/peer-$m-vn44.json" 2>/dev/null
  peer --corpus "$vp/corpus.jsonl" --queries "$vp/queries.jsonl" --method $m --k 10 \
    --out "$work/peer-$m-vp.jsonl" --metrics-out "$work/peer-$m-vp.json" 2>/dev/null
  peer --corpus "$vp/corpus.jsonl" --queries "$vp/queries_nomatch.jsonl" --method $m --k 1 \
    --keep-zero --out "$work/peer-$m-vpn.jsonl" 2>/dev/null
done

echo "speed runs ($repeat× each, whole process, 44.7k library, $nq queries)…" >&2
# CPU seconds (user + system) too when GNU time is there: on a shared
# machine they move much less than wall time.
cpu() { # FILE CMD...: runs CMD, appends its user+system seconds to FILE
  local f=$1; shift
  if [ -x /usr/bin/time ]; then
    /usr/bin/time -f "%U %S" -a -o "$f" "$@"
  else
    "$@"
  fi
}
for i in $(seq "$repeat"); do
  s=$(date +%s.%N)
  cpu "$work/kc-cpu" nice -n 10 "$KIEMCHUNG" match --library "$work/lib44k.jsonl" --queries "$work/speed-queries.jsonl" --out "$work/kc-out.jsonl" 2>>"$work/kc-match.log"
  e=$(date +%s.%N); echo "$s $e" >> "$work/kc-times"
  s=$(date +%s.%N)
  cpu "$work/peer-cpu" nice -n 10 "$py" "$peer_dir/peer_match.py" --corpus "$work/lib44k.jsonl" --queries "$work/speed-queries.jsonl" --method bm25-sparse --k 10 \
    --out "$work/peer-out.jsonl" >/dev/null 2>>"$work/peer-match.log"
  e=$(date +%s.%N); echo "$s $e" >> "$work/peer-times"
done

python3 - "$work" "$nq" <<'PY'
import json, statistics, sys
w, nq = sys.argv[1], int(sys.argv[2])
ld = lambda p: json.load(open(f"{w}/{p}"))
def times(p):
    return [float(e) - float(s) for s, e in (l.split() for l in open(f"{w}/{p}"))]
def auc(pos, neg):
    s = sum((p > n) + 0.5 * (p == n) for p in pos for n in neg)
    return s / (len(pos) * len(neg))
def top1(path):
    out = []
    for line in open(path):
        r = json.loads(line)["results"]
        out.append(r[0]["score"] if r else 0.0)
    return out
kc_vn, kc_vn44, kc_vp = ld("kc-vn.json"), ld("kc-vn44.json"), ld("kc-vp.json")
rows = [("kiemchung", kc_vn["r1"], kc_vn["mrr"], kc_vn44["r1"], kc_vn44["mrr"], kc_vp["r1"], kc_vp["nomatch_auc"])]
for m in ("bm25-sparse", "tfidf-char"):
    a, b, c = ld(f"peer-{m}-vn.json"), ld(f"peer-{m}-vn44.json"), ld(f"peer-{m}-vp.json")
    rows.append((m, a["recall@1"], a["mrr"], b["recall@1"], b["mrr"], c["recall@1"],
                 auc(top1(f"{w}/peer-{m}-vp.jsonl"), top1(f"{w}/peer-{m}-vpn.jsonl"))))
kt, pt = statistics.median(times("kc-times")), statistics.median(times("peer-times"))
print("| method | VietNews R@1 | MRR | with distractors R@1 | MRR | vnPara R@1 | no-match AUC | 44.7k × %d: wall s (median) | queries/s (whole process) |" % nq)
print("|---|---|---|---|---|---|---|---|---|")
for r in rows:
    speed = {"kiemchung": kt, "bm25-sparse": pt}.get(r[0])
    s = f"{speed:.2f} | {nq / speed:,.0f}" if speed else "— | —"
    print(f"| {r[0]} | {r[1]:.3f} | {r[2]:.3f} | {r[3]:.3f} | {r[4]:.3f} | {r[5]:.3f} | {r[6]:.3f} | {s} |")
print()
def cpu(p):
    try:
        return [sum(map(float, l.split())) for l in open(f"{w}/{p}") if l.strip()]
    except FileNotFoundError:
        return []
kc_cpu, peer_cpu = cpu("kc-cpu"), cpu("peer-cpu")
if kc_cpu and peer_cpu:
    kc_c, peer_c = statistics.median(kc_cpu), statistics.median(peer_cpu)
    print(f"CPU seconds (user + system, median): kiemchung {kc_c:.2f} on all cores, "
          f"bm25-sparse {peer_c:.2f}; ratio {peer_c / kc_c:.1f}×")
print(f"speed ratio, whole process (bm25-sparse / kiemchung): {pt / kt:.1f}×  "
      f"(runs: kiemchung {', '.join(f'{t:.2f}' for t in times('kc-times'))}; "
      f"bm25-sparse {', '.join(f'{t:.2f}' for t in times('peer-times'))})")
PY
echo "kiemchung summary of the last speed run:" >&2
tail -n 1 "$work/kc-match.log" >&2
grep -E "index build|q/s" "$work/peer-match.log" | tail -n 1 >&2 || true
