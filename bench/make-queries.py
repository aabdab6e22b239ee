#!/usr/bin/env python3
"""Builds the speed-run query file from the public eval texts (deterministic).

The public query files are small (about 2,200 lines in all), so the speed run
of issue 3 needs more queries than they hold. This script writes N queries:

1. every public query text as-is (VietNews headlines, vnPara matched and
   no-match sentences);
2. then, cycling over the VietNews lead paragraphs (corpus, then distractors),
   a claim-like query made from each: its first 10-18 syllables, with one of
   four deterministic edits (none; lower-cased; one syllable dropped;
   diacritics removed), i.e. short forwards, some typed without accents.

No randomness: the same inputs give the same file. The output carries no
`target`; it is for timing, not quality.

    python3 bench/make-queries.py --eval ../shared/eval --n 17000 --out /tmp/q17k.jsonl
"""
import argparse
import json
import unicodedata


def read(path):
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def strip_accents(s):
    s = unicodedata.normalize("NFD", s)
    s = "".join(c for c in s if unicodedata.category(c) != "Mn")
    return unicodedata.normalize("NFC", s.replace("đ", "d").replace("Đ", "D"))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--eval", default="../shared/eval")
    ap.add_argument("--n", type=int, default=17000)
    ap.add_argument("--out", required=True)
    a = ap.parse_args()
    texts = []
    for name in ("vietnews/queries.jsonl", "vnpara/queries.jsonl", "vnpara/queries_nomatch.jsonl"):
        texts += [r["text"] for r in read(f"{a.eval}/{name}")]
    leads = [r["text"] for r in read(f"{a.eval}/vietnews/corpus.jsonl")]
    leads += [r["text"] for r in read(f"{a.eval}/vietnews/distractors.jsonl")]
    i = 0
    while len(texts) < a.n and leads:
        words = leads[i % len(leads)].split()
        words = words[: 10 + i % 9]
        edit = i % 4
        if edit == 2 and len(words) > 3:
            del words[len(words) // 2]
        text = " ".join(words)
        if edit == 1:
            text = text.lower()
        elif edit == 3:
            text = strip_accents(text)
        texts.append(text)
        i += 1
    with open(a.out, "w", encoding="utf-8") as f:
        for n, t in enumerate(texts[: a.n]):
            f.write(json.dumps({"id": f"s{n:06d}", "text": t}, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
