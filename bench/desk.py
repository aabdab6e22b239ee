#!/usr/bin/env python3
"""The desk under a year's load: how fast it takes reports and serves its pages.

    bench/desk.py [--bin target/release/kiemchung] [--published 1000] [--open 3000]
                  [--database-url postgres://...] [--model PATH] [--reports 400]

Starts `kiemchung serve` on a fresh data directory (SQLite, or the PostgreSQL database
given, which must be empty), fills it through the JSON API the way a year of work would
(fact-checks taken from report to publication, open cases from reports), then measures:
- intake: POST /api/v1/reports from 8 clients at once, half of them repeating a published
  claim (answered at once), half new (a case opens), as median / p99 latency and reports/s;
- the pages citizens and staff open most, one request at a time: median / p99 and size.

Texts are VietNews lead paragraphs from ../shared/eval (read, never copied). Needs only
Python's standard library. Prints one Markdown table; docs/benchmarks.md quotes it.
"""

import argparse
import concurrent.futures as cf
import http.client
import json
import os
import random
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
EVAL = os.path.join(ROOT, "..", "shared", "eval", "vietnews")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Client:
    """One keep-alive HTTP connection to the desk (one per thread)."""

    def __init__(self, port, token=None):
        self.port, self.token = port, token
        self.headers = {}
        self.last_cookies = None
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)

    def call(self, method, path, body=None, raw_body=False):
        headers = {"Content-Type": "application/json", **self.headers}
        if self.token:
            headers["Authorization"] = "Bearer " + self.token
        data = body if raw_body else (json.dumps(body).encode() if body is not None else None)
        for attempt in range(3):
            try:
                self.conn.request(method, path, body=data, headers=headers)
                r = self.conn.getresponse()
                raw = r.read()
                self.last_cookies = r.headers.get_all("Set-Cookie")
                return r.status, raw
            except (http.client.HTTPException, OSError):
                if attempt == 2:
                    raise
                self.conn.close()
                self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)

    def json(self, method, path, body=None, expect=(200, 201)):
        status, raw = self.call(method, path, body)
        if status not in expect:
            sys.exit(f"{method} {path}: {status} {raw[:300]!r}")
        return json.loads(raw) if raw else None


def cli(args, binary, data_args, stdin=None):
    out = subprocess.run(
        [binary, *args, *data_args],
        input=stdin,
        capture_output=True,
        text=True,
    )
    if out.returncode != 0:
        sys.exit(f"kiemchung {' '.join(args)}: {out.stderr.strip()}")
    return out.stdout


def texts(n):
    out = []
    for name in ("corpus.jsonl", "distractors.jsonl"):
        with open(os.path.join(EVAL, name), encoding="utf-8") as f:
            for line in f:
                out.append(json.loads(line)["text"])
                if len(out) == n:
                    return out
    return out


def pct(xs, p):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(p * len(xs)))]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--bin", default=os.path.join(ROOT, "target", "release", "kiemchung"))
    ap.add_argument("--published", type=int, default=1000)
    ap.add_argument("--open", type=int, default=3000)
    ap.add_argument("--reports", type=int, default=400)
    ap.add_argument("--database-url")
    ap.add_argument("--model")
    ap.add_argument("--requests", type=int, default=40, help="requests per page measured")
    a = ap.parse_args()

    data = tempfile.mkdtemp(prefix="kc-desk-bench-")
    data_args = ["--data-dir", data]
    if a.database_url:
        data_args += ["--database-url", a.database_url]
    port = free_port()
    serve_args = [a.bin, "serve", "--addr", f"127.0.0.1:{port}", "--report-rate", "4000000000"]
    serve_args += ["--model", a.model] if a.model else []
    log = open(os.path.join(data, "serve.log"), "w")
    # Run where no models/ folder is, so that without --model the desk matches lexically.
    env = {k: v for k, v in os.environ.items() if k != "KIEMCHUNG_MODEL"}
    server = subprocess.Popen(serve_args + data_args, stdout=log, stderr=log, env=env, cwd=data)
    try:
        deadline = time.time() + 120
        while True:
            try:
                if Client(port).call("GET", "/healthz")[0] == 200:
                    break
            except OSError:
                pass
            if server.poll() is not None or time.time() > deadline:
                sys.exit(f"serve did not start; see {log.name}")
            time.sleep(0.2)
        run(a, port, data_args)
    finally:
        server.terminate()
        server.wait()
        log.close()
        if os.environ.get("KC_BENCH_KEEP") is None:
            shutil.rmtree(data, ignore_errors=True)


def run(a, port, data_args):
    roles = ["intake", "verifier", "reviewer", "editor"]
    tokens = {}
    for r in roles:
        cli(["user", "add", f"bench-{r}", "--role", r], a.bin, data_args, stdin="mat-khau-bench-1\n")
        tokens[r] = cli(["token", "create", f"bench-{r}"], a.bin, data_args).split()[-1]
    c = {r: Client(port, t) for r, t in tokens.items()}
    agency = c["intake"].json("GET", "/api/v1/agencies")[0]["code"]
    provision = c["intake"].json("GET", "/api/v1/provisions")[0]["id"]
    n = a.published + a.open + a.reports
    pool = texts(n)
    if len(pool) < n:
        sys.exit(f"only {len(pool)} texts in {EVAL}")
    published, opened, fresh = pool[: a.published], pool[a.published : a.published + a.open], pool[a.published + a.open :]

    def publish(i_text):
        i, text = i_text
        local = {r: Client(port, t) for r, t in tokens.items()}
        pub = Client(port)
        pub.json("POST", "/api/v1/reports", {"text": text})
        # The receipt names no case; seeding one at a time, the only new case is this one.
        mine = local["intake"].json("GET", "/api/v1/cases?state=new")
        if len(mine) != 1:
            return False
        cid = mine[0]["id"]
        local["intake"].json("POST", f"/api/v1/cases/{cid}/assign", {"agency": agency})
        local["verifier"].json(
            "POST",
            f"/api/v1/cases/{cid}/decision",
            {
                "verdict": "false",
                "summary": "Thông tin không đúng sự thật.",
                "reasons": "Cơ quan chức năng xác nhận thông tin này sai.",
                "evidence": [{"url": f"https://example.gov.vn/xac-minh/{i}", "note": "Văn bản xác minh"}],
                "legal_provisions": [provision],
                "remedy": "correction",
            },
        )
        local["reviewer"].json("POST", f"/api/v1/cases/{cid}/review", {"approve": True})
        local["editor"].json("POST", f"/api/v1/cases/{cid}/publish", {})
        return True

    t0 = time.time()
    done = 0
    # Sequential: the case lookup above is by "the newest new case", which two clients at
    # once would confuse. Seeding is not what is measured.
    for item in enumerate(published):
        done += publish(item)
        if done % 200 == 0:
            print(f"  published {done}/{a.published} ({time.time() - t0:.0f} s)", file=sys.stderr)
    print(f"seeded {done} fact-checks in {time.time() - t0:.0f} s", file=sys.stderr)

    def report(text):
        return Client(port).json("POST", "/api/v1/reports", {"text": text})

    t0 = time.time()
    with cf.ThreadPoolExecutor(8) as ex:
        list(ex.map(report, opened))
    print(f"seeded {len(opened)} open cases in {time.time() - t0:.0f} s", file=sys.stderr)

    # Intake under load: half repeat a published claim (typed without diacritics a third of
    # the time), half are new.
    rng = random.Random(7)
    import unicodedata

    def fold(s):
        s = unicodedata.normalize("NFD", s.replace("đ", "d").replace("Đ", "D"))
        return "".join(ch for ch in s if unicodedata.category(ch) != "Mn")

    batch = []
    for i in range(a.reports):
        if i % 2 == 0:
            t = rng.choice(published)
            batch.append(("repeat", fold(t) if i % 3 == 0 else t))
        else:
            batch.append(("new", fresh[i]))
    lat = {"repeat": [], "new": []}
    answered = 0

    def timed(item):
        kind, text = item
        cl = Client(port)
        s = time.perf_counter()
        body = cl.json("POST", "/api/v1/reports", {"text": text})
        return kind, time.perf_counter() - s, body.get("match") is not None

    t0 = time.perf_counter()
    with cf.ThreadPoolExecutor(8) as ex:
        for kind, dt, matched in ex.map(timed, batch):
            lat[kind].append(dt)
            answered += matched and kind == "repeat"
    wall = time.perf_counter() - t0

    rows = []
    for kind in ("repeat", "new"):
        xs = lat[kind]
        rows.append((f"POST /api/v1/reports ({'repeats a fact-check' if kind == 'repeat' else 'new: opens a case'}), 8 clients", statistics.median(xs), pct(xs, 0.99), None))
    pages = [
        ("GET /", None),
        ("GET /kiem-chung", None),
        ("GET /feed.xml", None),
        ("GET /tra-cuu?q=" + urllib.parse.quote(published[0][:60]), None),
        ("GET /du-lieu/kiem-chung.json", None),
        ("GET /api/v1/cases", tokens["intake"]),
        ("GET /api/v1/stats", tokens["intake"]),
    ]
    for label, token in pages:
        path = label.split(" ", 1)[1]
        cl = Client(port, token)
        xs, size = [], 0
        for _ in range(a.requests):
            s = time.perf_counter()
            status, raw = cl.call("GET", path)
            xs.append(time.perf_counter() - s)
            if status != 200:
                sys.exit(f"{label}: {status}")
            size = len(raw)
        rows.append((label.split("?")[0] + ("?q=…" if "?" in label else ""), statistics.median(xs), pct(xs, 0.99), size))

    # The console, signed in as an intake officer (the queue, a case, the statistics).
    console = Client(port)
    status, raw = console.call("GET", "/quan-tri/dang-nhap")
    cookies = dict(
        kv.split(";")[0].split("=", 1)
        for kv in (console.last_cookies or [])
        if "=" in kv.split(";")[0]
    )
    csrf = cookies.get("kc_csrf") or next(iter(cookies.values()), "")
    form = urllib.parse.urlencode({"csrf": csrf, "username": "bench-intake", "password": "mat-khau-bench-1"})
    console.headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in cookies.items()), "Content-Type": "application/x-www-form-urlencoded"}
    status, _ = console.call("POST", "/quan-tri/dang-nhap", form.encode(), raw_body=True)
    for kv in console.last_cookies or []:
        k, _, v = kv.split(";")[0].partition("=")
        cookies[k] = v
    console.headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in cookies.items())}
    newest = c["intake"].json("GET", "/api/v1/cases?state=new")[0]["id"]
    for path in ("/quan-tri", f"/quan-tri/ho-so/{newest}", "/quan-tri/thong-ke"):
        xs, size = [], 0
        for _ in range(a.requests):
            s = time.perf_counter()
            status, raw = console.call("GET", path)
            xs.append(time.perf_counter() - s)
            if status != 200:
                sys.exit(f"GET {path} (console): {status} {raw[:200]!r}")
            size = len(raw)
        label = "GET /quan-tri/ho-so/{id}" if "ho-so" in path else f"GET {path}"
        rows.append((label + " (console)", statistics.median(xs), pct(xs, 0.99), size))

    backend = "PostgreSQL" if a.database_url else "SQLite"
    print(f"\n{backend}, {a.published} fact-checks, {a.open} open cases; intake: {a.reports} reports in {wall:.2f} s = {a.reports / wall:.0f} reports/s, {answered}/{len(lat['repeat'])} repeats answered at once\n")
    print("| request | median ms | p99 ms | size |")
    print("|---|---|---|---|")
    for label, med, p99, size in rows:
        sz = "" if size is None else (f"{size / 1024:.0f} KB" if size >= 1024 else f"{size} B")
        print(f"| {label} | {med * 1000:.1f} | {p99 * 1000:.1f} | {sz} |")


if __name__ == "__main__":
    main()
