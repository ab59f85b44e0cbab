#!/usr/bin/env python3
"""Build-speed benchmark: newsgen (and Hugo, when installed) on one synthetic archive.

usage: bench/run.py [--articles N] [--runs R] [--out DIR]

Generates target/bench/archive-N with bench/gen_archive.py (once), builds it R times with
target/release/newsgen and R times with `hugo` if it is on PATH, and prints the median wall
time, articles per second and peak memory (max RSS of the process) of each, and the ratio.
Run `cargo build --release` first. Numbers vary on a shared machine: compare medians.
`--out /dev/shm/bench` writes both outputs to memory, which measures the tools rather than
the disk (on a slow disk, creating tens of thousands of small files dominates both).
"""
import argparse
import os
import shutil
import statistics
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def measure(cmd, cwd):
    """Runs cmd; returns (seconds, peak RSS in MiB)."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - start
    err = proc.stderr.read().decode(errors="replace")
    proc.stderr.close()
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"{' '.join(cmd)} failed:\n{err}")
    return elapsed, usage.ru_maxrss / 1024


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--articles", type=int, default=10000)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--out", help="folder for the outputs (default: inside the archive)")
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
    env_epoch = {"SOURCE_DATE_EPOCH": "1793491200"}  # 2026-11-01, after every synthetic article
    os.environ.update(env_epoch)

    results = {}
    out_root = args.out or site
    os.makedirs(out_root, exist_ok=True)
    out = os.path.join(out_root, "public")
    runs = []
    for _ in range(args.runs):
        shutil.rmtree(out, ignore_errors=True)
        runs.append(measure([newsgen, "build", "--output", out, site], ROOT))
    results["newsgen"] = runs
    pages = sum(1 for _, _, files in os.walk(out) for f in files if f.endswith(".html"))

    hugo = shutil.which("hugo")
    if hugo:
        hout = os.path.join(out_root, "hugo-public")
        runs = []
        for _ in range(args.runs):
            shutil.rmtree(hout, ignore_errors=True)
            runs.append(measure([hugo, "--quiet", "--contentDir", os.path.join(site, "content"),
                                 "-d", hout], os.path.join(site, "hugo")))
        results["hugo"] = runs
        hpages = sum(1 for _, _, files in os.walk(hout) for f in files if f.endswith(".html"))
    print(f"\n{n} articles, {args.runs} runs each, {os.cpu_count()} cores")
    print(f"{'tool':8} {'median s':>9} {'articles/s':>11} {'peak MiB':>9} {'html files':>11}")
    for tool, runs in results.items():
        t = statistics.median(r[0] for r in runs)
        mem = max(r[1] for r in runs)
        files = pages if tool == "newsgen" else hpages
        print(f"{tool:8} {t:9.2f} {n / t:11.0f} {mem:9.0f} {files:11}")
    if "hugo" in results:
        ratio = statistics.median(r[0] for r in results["newsgen"]) / statistics.median(
            r[0] for r in results["hugo"])
        print(f"newsgen time / hugo time = {ratio:.2f} (hugo builds no date archives and no search index)")
    else:
        print("hugo not installed: no comparison (apt-get install hugo)")


if __name__ == "__main__":
    main()
