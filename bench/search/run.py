#!/usr/bin/env python3
"""Search benchmark (issue 6): index build time and memory against the whole build, index size
on disk, file count, and bytes a browser fetches for typical queries, on a synthetic archive.

usage: bench/search/run.py [--articles N]      (default 100000; needs node)

Generates target/bench/search-N with bench/search/gen_corpus.py (once), runs
`cargo bench --bench search_index -- DIR` (full build, then the index alone, with a counting
allocator), and queries the built index with the shipped search.js in Node
(bench/search/query.js), each query starting from an empty cache. Prints a table and writes
target/bench/search-N.json.
"""
import argparse
import json
import os
import shutil
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
QUERIES = [
    {"q": "harbour council", "label": "two common words, relevance"},
    {"q": "Māori election", "sort": "date", "label": "diacritics + stem, newest first"},
    {"q": "ferry sailings cancelled", "section": "national", "label": "three words, section filter"},
    {"q": "transport", "typing": True, "label": "typed letter by letter (prefix search)"},
]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--articles", type=int, default=100000)
    args = ap.parse_args()
    site = os.path.join(ROOT, "target", "bench", f"search-{args.articles}")
    if not os.path.isfile(os.path.join(site, "site.toml")):
        print(f"generating {args.articles} articles into {site}", file=sys.stderr)
        subprocess.run([sys.executable, os.path.join(ROOT, "bench", "search", "gen_corpus.py"),
                        str(args.articles), site], check=True)
    out = subprocess.run(["cargo", "bench", "--quiet", "--bench", "search_index", "--", site],
                         cwd=ROOT, check=True, capture_output=True, text=True).stdout
    m = json.loads(out.strip().splitlines()[-1])
    public = m["output"]
    files, size = 0, 0
    for dirpath, _, names in os.walk(os.path.join(public, "search")):
        for n in names:
            if n != "index.html":
                files += 1
                size += os.path.getsize(os.path.join(dirpath, n))
    req = {"queries": [{k: v for k, v in q.items() if k != "label"} for q in QUERIES]}
    ans = json.loads(subprocess.run(
        ["node", os.path.join(ROOT, "bench", "search", "query.js"),
         os.path.join(ROOT, "themes", "default", "static", "search.js"), public],
        input=json.dumps(req), capture_output=True, text=True, check=True).stdout)
    m["disk_files"], m["disk_bytes"] = files, size
    m["queries"] = [{"label": q["label"], "q": q["q"], "total": a["total"], "bytes": a["bytes"],
                     "files": a["files"], "ms": round(a["ms"], 1)}
                    for q, a in zip(QUERIES, ans["queries"])]
    shutil.rmtree(os.path.dirname(public), ignore_errors=True)  # the bench's scratch folder
    with open(os.path.join(ROOT, "target", "bench", f"search-{args.articles}.json"), "w") as f:
        json.dump(m, f, indent=2)

    mb = 1024 * 1024
    print(f"articles                 {m['articles']}")
    print(f"full build               {m['build_seconds']:.1f} s, peak heap {m['build_peak_heap_bytes'] / mb:.0f} MiB")
    print(f"full build CPU time      {m['build_cpu_seconds']:.1f} s; search index alone {m['index_cpu_seconds']:.1f} s "
          f"({100 * m['index_cpu_seconds'] / m['build_cpu_seconds']:.1f}%)")
    print(f"search index alone       {m['index_seconds']:.1f} s ({100 * m['index_seconds'] / m['build_seconds']:.1f}% of the build), "
          f"peak heap {m['index_peak_heap_bytes'] / mb:.0f} MiB ({100 * m['index_peak_heap_bytes'] / m['build_peak_heap_bytes']:.1f}% of the build's)")
    print(f"index on disk            {size / mb:.1f} MiB in {files} files "
          f"({m['stems']} stems, {m['dictionary_keys']} dictionary keys, {m['postings']} postings)")
    for q in m["queries"]:
        print(f"query {q['q']!r:28} {q['label']:40} {q['total']:6} hits  {q['bytes'] / 1024:6.1f} KiB in {q['files']:2} files  {q['ms']} ms")


if __name__ == "__main__":
    main()
