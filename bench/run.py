#!/usr/bin/env python3
"""Build-speed benchmark: newsgen (and Hugo, when installed) on one synthetic archive.

usage: bench/run.py [--articles N] [--runs R] [--out DIR] [--no-hugo]

Generates target/bench/archive-N with bench/gen_archive.py (once), then, R times, alternating
the tools: a cold build with each tool (no output, no cache), and for newsgen the rebuilds of
an archive's life: with no change, after appending a sentence to one article's body, and after
changing one article's headline (each edit is undone before the next run). Prints the median
wall time, system time (file creation is what a slow disk makes expensive), peak memory (max
RSS) and the files written. Run `cargo build --release` first. Numbers vary on a shared
machine: compare medians. `--out /dev/shm/bench` writes the outputs to memory, which measures
the tools rather than the disk. `--no-hugo` leaves Hugo out (its cold build takes minutes at
50,000 articles) to time newsgen's rebuilds alone.
"""
import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def measure(cmd, cwd):
    """Runs cmd; returns (seconds, peak RSS in MiB, system seconds, stderr)."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    err = proc.stderr.read().decode(errors="replace")
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - start
    proc.stderr.close()
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"{' '.join(cmd)} failed:\n{err}")
    return elapsed, usage.ru_maxrss / 1024, usage.ru_stime, err


def written(err):
    m = re.search(r"(\d+) files written", err)
    return int(m.group(1)) if m else -1


def rendered(err):
    m = re.search(r"\((\d+) rendered\)", err)
    return int(m.group(1)) if m else -1


def clean(out):
    shutil.rmtree(out, ignore_errors=True)
    parent, name = os.path.split(out.rstrip("/"))
    shutil.rmtree(os.path.join(parent, f".{name}.newsgen"), ignore_errors=True)


def pick_article(site):
    """A mid-archive article of the politics section (not among the newest or featured)."""
    paths = sorted(os.path.join(d, f) for d, _, fs in os.walk(os.path.join(site, "content", "politics"))
                   for f in fs if f.endswith(".md"))
    return paths[len(paths) // 2]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--articles", type=int, default=10000)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--out", help="folder for the outputs (default: inside the archive)")
    ap.add_argument("--no-hugo", action="store_true",
                    help="newsgen only (Hugo needs about 100 KiB of memory per article)")
    args = ap.parse_args()
    n = args.articles
    site = os.path.join(ROOT, "target", "bench", f"archive-{n}")
    if not os.path.exists(os.path.join(site, "site.toml")):
        print(f"generating {n} articles in {site} ...", flush=True)
        subprocess.run([sys.executable, os.path.join(ROOT, "bench", "gen_archive.py"), str(n), site],
                       check=True)
    newsgen = os.path.join(ROOT, "target", "release", "newsgen")
    if not os.path.exists(newsgen):
        sys.exit("build the release binary first: cargo build --release")
    os.environ["SOURCE_DATE_EPOCH"] = "1793491200"  # 2026-11-01, after every synthetic article

    out_root = args.out or site
    os.makedirs(out_root, exist_ok=True)
    out = os.path.join(out_root, "public")
    hout = os.path.join(out_root, "hugo-public")
    hugo = None if args.no_hugo else shutil.which("hugo")
    build = [newsgen, "build", "--output", out, site]
    article = pick_article(site)
    original = open(article, encoding="utf-8").read()
    stamp = os.stat(article)
    edits = {
        "body edit": original + "\nOne more sentence for the benchmark.\n",
        "headline edit": re.sub(r'^title = "', 'title = "Edited: ', original, count=1, flags=re.M),
    }
    results = {}

    def record(name, r):
        results.setdefault(name, []).append(r)

    for _ in range(args.runs):
        clean(out)
        record("newsgen cold", measure(build, ROOT))
        if hugo:
            shutil.rmtree(hout, ignore_errors=True)
            record("hugo cold", measure([hugo, "--quiet", "--contentDir", os.path.join(site, "content"),
                                         "-d", hout], os.path.join(site, "hugo")))
        record("newsgen no change", measure(build, ROOT))
        for name, text in edits.items():
            try:
                with open(article, "w", encoding="utf-8") as f:
                    f.write(text)
                record(f"newsgen {name}", measure(build, ROOT))
            finally:
                with open(article, "w", encoding="utf-8") as f:
                    f.write(original)
                # As edited long ago: a file modified just before a build is never trusted by
                # its stamp, which would keep the next "no change" build from its shortcut.
                os.utime(article, ns=(stamp.st_atime_ns, stamp.st_mtime_ns))
            measure(build, ROOT)  # back to the original output
    pages = sum(1 for _, _, files in os.walk(out) for f in files if f.endswith(".html"))
    print(f"\n{n} articles ({pages} newsgen HTML files), {args.runs} runs each, "
          f"{os.cpu_count()} cores, output in {out_root}")
    print(f"{'build':24} {'median s':>9} {'sys s':>7} {'peak MiB':>9} {'rendered':>9} {'written':>8}")
    for name, runs in results.items():
        t = statistics.median(r[0] for r in runs)
        sys_t = statistics.median(r[2] for r in runs)
        mem = max(r[1] for r in runs)
        print(f"{name:24} {t:9.2f} {sys_t:7.2f} {mem:9.0f} {rendered(runs[-1][3]):9} "
              f"{written(runs[-1][3]):8}")
    for name in ("newsgen cold", "newsgen body edit"):
        if name in results:
            t = statistics.median(r[0] for r in results[name])
            print(f"{name}: {t / n * 1e6:.1f} µs per article (compare across --articles for scaling)")
    if "hugo cold" in results:
        ratio = statistics.median(r[0] for r in results["newsgen cold"]) / statistics.median(
            r[0] for r in results["hugo cold"])
        print(f"cold: newsgen time / hugo time = {ratio:.2f} (hugo builds no date archives and no "
              "search index; it has no incremental build, every hugo build is cold)")
    elif not args.no_hugo:
        print("hugo not installed: no comparison (apt-get install hugo)")


if __name__ == "__main__":
    main()
