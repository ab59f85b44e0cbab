#!/usr/bin/env python3
"""Writes a synthetic news archive for the search benchmark: N articles whose words follow
Zipf's law over a realistic vocabulary (every word of the example site's articles, ranked by
their frequency there, then a long tail of 40,000 made-up names and rare words), so posting
lists have the skew of real news text: a few words in most articles, most words in few.

usage: gen_corpus.py N OUT_DIR [--seed S]     (deterministic for N and S)
"""
import bisect
import glob
import itertools
import os
import random
import re
import sys
from collections import Counter
from datetime import datetime, timedelta, timezone

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SECTIONS = ["national", "politics", "business", "world", "sport", "entertainment", "technology"]
SOURCES = ["Metro Wire", "Reuters/ABC", "AAP", "RNZ", "Harbour City News", "Pacific Press Agency"]
SYLLABLES = ["ka", "ko", "ta", "to", "ma", "mo", "ri", "re", "na", "ne", "wa", "wi", "ha", "he",
             "pa", "pu", "ra", "ro", "la", "li", "sa", "so", "te", "ti", "ng", "ar", "el", "on",
             "an", "is", "ur", "ek", "ov", "ich", "berg", "ton", "son", "ley", "ford", "ā", "ē"]


def vocabulary(rng):
    counts = Counter()
    for path in glob.glob(os.path.join(ROOT, "content", "**", "*.md"), recursive=True):
        text = open(path, encoding="utf-8").read().split("+++", 2)[-1]
        counts.update(w for w in re.findall(r"[^\W\d_][\w'’-]*", text))
    words = [w for w, _ in counts.most_common()]
    seen = set(w.lower() for w in words)
    tail = []
    while len(tail) < 40000:
        w = "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4)))
        if w not in seen:
            seen.add(w)
            tail.append(w.capitalize() if rng.random() < 0.6 else w)
    return words + tail


def main():
    args = sys.argv[1:]
    if len(args) < 2:
        sys.exit(__doc__)
    n, out = int(args[0]), args[1]
    seed = int(args[args.index("--seed") + 1]) if "--seed" in args else 6
    rng = random.Random(seed)
    vocab = vocabulary(rng)
    weights = list(itertools.accumulate(1.0 / (r + 1) ** 1.05 for r in range(len(vocab))))
    total = weights[-1]

    def word():
        return vocab[bisect.bisect_left(weights, rng.random() * total)]

    def sentence(lo, hi):
        ws = [word() for _ in range(rng.randint(lo, hi))]
        ws[0] = ws[0][:1].upper() + ws[0][1:]
        return " ".join(ws)

    os.makedirs(out, exist_ok=True)
    with open(os.path.join(out, "site.toml"), "w", encoding="utf-8") as f:
        f.write('title = "Search Bench News"\nbase_url = "https://bench.example.org/archive/"\n'
                'timezone = "Pacific/Auckland"\nper_page = 20\n')
    start = datetime(2016, 1, 1, tzinfo=timezone.utc)
    span = 10 * 365 * 24 * 3600
    for i in range(n):
        section = SECTIONS[i % len(SECTIONS)]
        date = start + timedelta(seconds=rng.randrange(span))
        folder = os.path.join(out, "content", section)
        os.makedirs(folder, exist_ok=True)
        title = sentence(6, 12)
        paras = ["\n".join([sentence(12, 28) + "." for _ in range(rng.randint(2, 4))])
                 for _ in range(rng.randint(4, 9))]
        tags = sorted({word().lower() for _ in range(rng.randint(1, 3))})
        front = [
            f'title = "{title}"',
            f"date = {date.strftime('%Y-%m-%dT%H:%M:%SZ')}",
            f'source = "{rng.choice(SOURCES)}"',
            "tags = [" + ", ".join(f'"{t}"' for t in tags) + "]",
        ]
        with open(os.path.join(folder, f"{date:%Y-%m-%d}-story-{i}.md"), "w", encoding="utf-8") as f:
            f.write("+++\n" + "\n".join(front) + "\n+++\n" + "\n\n".join(paras) + "\n")


if __name__ == "__main__":
    main()
