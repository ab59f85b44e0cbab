#!/usr/bin/env python3
"""Resource limits: builds one site per hostile input with the release binary and reports
what newsgen did (exit status, first error line), wall time and peak memory.

usage: bench/hostile_inputs.py [CASE...]      (cases: see CASES; default all)

Run `cargo build --release` first. Sites are written under target/hostile/ and removed after
each case. The cases of issue 17: a 200 MB Markdown file, a 10,000-level nested list and
blockquote, a 10 MB line, 100,000 tags on one article, 50,000 front matter keys.
"""
import os
import shutil
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.path.join(ROOT, "target", "release", "newsgen")
WORK = os.path.join(ROOT, "target", "hostile")
FRONT = 'title = "Hostile"\ndate = 2025-05-01T10:00:00Z\n'


def article(front_extra="", body=""):
    return f"+++\n{FRONT}{front_extra}+++\n{body}"


def big_file():
    para = "Lorem ipsum dolor sit amet, *consectetur* adipiscing elit. " * 16 + "\n\n"
    return article(body=para * (200 * 1024 * 1024 // len(para)))


CASES = {
    "200mb-file": big_file,
    "nested-list-10000": lambda: article(body="- " * 10000 + "deep\n"),
    "nested-quote-10000": lambda: article(body="> " * 10000 + "deep\n"),
    "nested-div-10000": lambda: article(body="<div>" * 10000 + "deep\n"),
    "nested-emphasis-10000": lambda: article(body="*" * 10000 + "deep" + "*" * 10000 + "\n"),
    "line-10mb": lambda: article(body="word " * (10 * 1024 * 1024 // 5) + "\n"),
    "tags-100000": lambda: article(
        "tags = [" + ", ".join(f'"t{i}"' for i in range(100000)) + "]\n", "Body.\n"
    ),
    "keys-50000": lambda: article("".join(f"k{i} = {i}\n" for i in range(50000)), "Body.\n"),
}


def run(name):
    site = os.path.join(WORK, name)
    shutil.rmtree(site, ignore_errors=True)
    os.makedirs(os.path.join(site, "content", "world"))
    with open(os.path.join(site, "site.toml"), "w") as f:
        f.write('title = "H"\nbase_url = "https://e.org/"\ntimezone = "UTC"\n')
    article_file = os.path.join(site, "content", "world", "a.md")
    # Written by a child process: this one stays small, so the build's peak memory (which
    # starts from the forked image) is newsgen's own.
    subprocess.run([sys.executable, __file__, "--write", name, article_file], check=True)
    size = os.path.getsize(article_file)
    env = dict(os.environ, SOURCE_DATE_EPOCH="1767225600")
    start = time.perf_counter()
    proc = subprocess.Popen(
        [BIN, "build", site], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env
    )
    err = proc.stderr.read().decode(errors="replace")
    _, status, usage = os.wait4(proc.pid, 0)
    secs = time.perf_counter() - start
    code = os.waitstatus_to_exitcode(status)
    lines = [l for l in err.splitlines() if l.strip()]
    first = lines[0][:110] if lines else ""
    print(
        f"{name:20} {size / 1e6:8.1f} MB  exit {code:4}  {secs:7.2f} s  "
        f"{usage.ru_maxrss / 1024:8.0f} MiB  {len(lines):6} stderr lines  {first}",
        flush=True,
    )
    shutil.rmtree(site, ignore_errors=True)


def main():
    if sys.argv[1:2] == ["--write"]:
        name, path = sys.argv[2], sys.argv[3]
        with open(path, "w") as f:
            f.write(CASES[name]())
        return
    names = sys.argv[1:] or list(CASES)
    for n in names:
        run(n)


if __name__ == "__main__":
    main()
