#!/usr/bin/env python3
"""Live-preview latency: `newsgen serve` (and `hugo server`, when installed) on one archive.

usage: bench/serve_latency.py [--articles N] [--edits E] [--rss-edits R] [--timeout S]
                              [--no-hugo | --hugo-only] [--newsgen BINARY]

Copies target/bench/archive-N (made by bench/gen_archive.py, once) to target/bench/serve-N,
starts the server on it and measures, over HTTP on loopback:

- first page: from starting the process until the front page is served (status 200);
- per kind of edit, E edits (default 9), each from the file write until the changed content
  is served: the body, title and tags of one mid-archive article (the article page shows the
  new sentence or title; the new tag's page exists), the title of the newest featured article
  (shown in the "Top stories" rail of an article page of another section), a section title in
  site.toml (front page), the article template (an article page) and the stylesheet;
- peak resident memory (VmHWM) after R more edits (default 200; body and title edits).

Each edit writes a new value (no undo) and polls every 5 ms until it is served; then
/sitemap.xml is fetched (newsgen answers it once the feeds, sitemaps and search index of that
edit are rebuilt) and 0.3 s pass, so each edit starts from an idle server. Prints median and p90 per kind. Hugo gets the
edits its layouts have (body, title, tags, template, stylesheet; it has no featured rail and
takes section titles from content files). Run `cargo build --release` first; SOURCE_DATE_EPOCH
is fixed. The copy is removed at the end.
"""
import argparse
import http.client
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import time
from datetime import datetime, timezone
from zoneinfo import ZoneInfo

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
POLL = 0.005
# Servers started, stopped at the end even when a run times out.
STARTED = []
# Seconds one edit (or the first page) may take; --timeout.
TIMEOUT = 120
# The archive's time zone (bench/gen_archive.py).
TZ = ZoneInfo("Pacific/Auckland")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Client:
    """One keep-alive HTTP connection to the server (reopened when it drops)."""

    def __init__(self, port):
        self.port = port
        self.conn = None

    def get(self, path):
        for _ in range(2):
            try:
                if self.conn is None:
                    self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
                self.conn.request("GET", path)
                resp = self.conn.getresponse()
                return resp.status, resp.read().decode("utf-8", "replace")
            except (OSError, http.client.HTTPException):
                if self.conn:
                    self.conn.close()
                self.conn = None
        return 0, ""

    def wait(self, path, ok):
        """Polls `path` until ok(status, body); returns the seconds it took."""
        start = time.perf_counter()
        while time.perf_counter() - start < TIMEOUT:
            status, body = self.get(path)
            if ok(status, body):
                return time.perf_counter() - start
            time.sleep(POLL)
        sys.exit(f"timed out waiting for {path}")


def peak_rss_mib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def read(path):
    with open(path, encoding="utf-8") as f:
        return f.read()


def write(path, text):
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)


def articles(site):
    """Article files, newest first (file names start with the local date)."""
    found = [os.path.join(d, f) for d, _, fs in os.walk(os.path.join(site, "content"))
             for f in fs if f.endswith(".md")]
    return sorted(found, key=os.path.basename, reverse=True)


def front(path, key):
    m = re.search(rf'^{key} = "(.*)"$', read(path), re.M)
    return m.group(1) if m else None


def article_url(site, path, tz=None):
    """URL path of an archive article, /section/yyyy/mm/dd/slug/ with the date in the site's
    time zone (newsgen) or as written, in UTC (Hugo: `tz=timezone.utc`)."""
    section = os.path.relpath(path, site).split(os.sep)[1]
    utc = re.search(r"^date = (\S+)Z$", read(path), re.M).group(1)
    local = datetime.fromisoformat(utc).replace(tzinfo=timezone.utc).astimezone(tz or TZ)
    return f"/{section}/{local:%Y/%m/%d}/{front(path, 'slug')}/"


def set_title(path, title):
    text = read(path)
    write(path, re.sub(r'^title = ".*"$', f'title = "{title}"', text, count=1, flags=re.M))


def shared_edits(site, template, style, tz=None):
    """The edits both tools get, as {kind: (write, URL path, is-served)}: the body, title and
    tags of a mid-archive politics article (checked on its page), the template `template`
    and the stylesheet `style`. Also returns the article and its URL path."""
    politics = [a for a in articles(site) if f"{os.sep}politics{os.sep}" in a]
    article = politics[len(politics) // 2]
    url = article_url(site, article, tz)
    original, template_text, style_text = read(article), read(template), read(style)
    edits = {
        "body": (lambda t: write(article, original + f"\nA sentence for {t}.\n"),
                 lambda t: url, lambda s, b, t: t in b),
        "title": (lambda t: set_title(article, f"Edited {t}"), lambda t: url,
                  lambda s, b, t: f"Edited {t}" in b),
        "tags": (lambda t: write(article, original.replace("tags = [", f'tags = ["{t}", ', 1)),
                 lambda t: url, lambda s, b, t: t in b),
        "template": (lambda t: write(template, template_text.replace(
            "</article>", f"<p>{t}</p></article>", 1)), lambda t: url, lambda s, b, t: t in b),
        "stylesheet": (lambda t: write(style, style_text + f"/* {t} */\n"),
                       lambda t: "/style.css", lambda s, b, t: t in b),
    }
    return edits, article, url


def measure_edits(client, edits, runs, pause=0.3):
    """Runs each edit kind `runs` times; returns {kind: [seconds]}."""
    times = {}
    for kind, (do, path, ok) in edits.items():
        for k in range(runs):
            token = f"{kind.split()[0]}{k}x{int(time.time() * 1000) % 100000}"
            start = time.perf_counter()
            do(token)
            client.wait(path(token), lambda s, b, t=token: ok(s, b, t))
            times.setdefault(kind, []).append(time.perf_counter() - start)
            # As it goes, so a run stopped by a timeout still shows what it measured.
            print(f"  {kind}: {times[kind][-1] * 1000:,.0f} ms", flush=True)
            # newsgen answers for the sitemap once its generators have caught up.
            client.get("/sitemap.xml")
            time.sleep(pause)
    return times


def start(cmd, cwd, port, env=None):
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            env=env)
    STARTED.append(proc)
    client = Client(port)
    client.wait("/", lambda s, b: s == 200 and "</html>" in b)
    return proc, client, time.perf_counter() - t0


def run_newsgen(site, args):
    port = free_port()
    newsgen = args.newsgen
    env = dict(os.environ, SOURCE_DATE_EPOCH="1793491200")
    # A template and a stylesheet of the site's own, overlaying the built-in theme.
    tdir = os.path.join(site, "themes", "default", "templates")
    sdir = os.path.join(site, "themes", "default", "static")
    os.makedirs(tdir, exist_ok=True)
    os.makedirs(sdir, exist_ok=True)
    template = os.path.join(tdir, "article.html")
    shutil.copy(os.path.join(ROOT, "themes", "default", "templates", "article.html"), template)
    style = os.path.join(sdir, "style.css")
    shutil.copy(os.path.join(ROOT, "themes", "default", "static", "style.css"), style)
    proc, client, first = start([newsgen, "serve", "--quiet", "--port", str(port), site], ROOT,
                                port, env)
    print(f"  first page: {first * 1000:,.0f} ms", flush=True)
    # The first page is served before the first build is written: edits are timed after it.
    client.wait("/sitemap.xml", lambda s, b: s == 200)
    shared, article, url = shared_edits(site, template, style)
    original = read(article)
    all_articles = articles(site)
    # The newest featured article whose title an article page of another section shows.
    business = [a for a in all_articles if f"{os.sep}business{os.sep}" in a]
    viewer = business[len(business) // 3]
    viewer_url = article_url(site, viewer)
    _, viewer_html = client.get(viewer_url)
    featured = next(a for a in all_articles if "\nfeatured = true" in read(a)
                    and front(a, "title") in viewer_html and a != viewer)
    toml = os.path.join(site, "site.toml")
    toml_text = read(toml)
    edits = {
        "body": shared["body"],
        "title": shared["title"],
        "tags": (lambda t: write(article, original.replace("tags = [", f'tags = ["{t}", ', 1)),
                 lambda t: f"/tags/{t}/", lambda s, b, t: s == 200),
        "featured article title": (lambda t: set_title(featured, f"Top {t}"),
                                   lambda t: viewer_url, lambda s, b, t: f"Top {t}" in b),
        "section title (site.toml)": (
            lambda t: write(toml, toml_text.replace('title = "Politics"', f'title = "Pol {t}"')),
            lambda t: "/", lambda s, b, t: f"Pol {t}" in b),
        "template": shared["template"],
        "stylesheet": shared["stylesheet"],
    }
    times = measure_edits(client, edits, args.edits)
    rss_measured = peak_rss_mib(proc.pid)
    for k in range(args.rss_edits):
        kind = "body" if k % 2 else "title"
        do, path, ok = edits[kind]
        token = f"rss{k}"
        do(token)
        client.wait(path(token), lambda s, b, t=token: ok(s, b, t))
    rss = peak_rss_mib(proc.pid)
    proc.terminate()
    proc.wait()
    return first, times, rss_measured, rss


def run_hugo(site, args, hugo):
    port = free_port()
    hdir = os.path.join(site, "hugo")
    os.makedirs(os.path.join(hdir, "static"), exist_ok=True)
    style = os.path.join(hdir, "static", "style.css")
    write(style, "body { margin: 0 }\n")
    single = os.path.join(hdir, "layouts", "_default", "single.html")
    proc, client, first = start([hugo, "server", "--bind", "127.0.0.1", "--port", str(port),
                                 "--baseURL", f"http://127.0.0.1:{port}/", "--contentDir",
                                 os.path.join(site, "content"), "--quiet"], hdir, port)
    # (hugo server does not serve a new term's page at once: the article lists its tags)
    edits, _, _ = shared_edits(site, single, style, timezone.utc)
    times = measure_edits(client, edits, args.edits)
    rss = peak_rss_mib(proc.pid)
    proc.terminate()
    proc.wait()
    return first, times, rss


def summary(times):
    s = sorted(times)
    p90 = s[min(len(s) - 1, int(round(0.9 * (len(s) - 1))))]
    return statistics.median(s) * 1000, p90 * 1000


def main():
    global TIMEOUT
    ap = argparse.ArgumentParser()
    ap.add_argument("--articles", type=int, default=10000)
    ap.add_argument("--edits", type=int, default=9)
    ap.add_argument("--rss-edits", type=int, default=200)
    ap.add_argument("--timeout", type=float, default=120,
                    help="seconds one edit (or the first page) may take before the run stops")
    ap.add_argument("--no-hugo", action="store_true")
    ap.add_argument("--hugo-only", action="store_true", help="run hugo server only")
    ap.add_argument("--newsgen", default=os.path.join(ROOT, "target", "release", "newsgen"),
                    help="the newsgen binary (default: the release build)")
    args = ap.parse_args()
    TIMEOUT = args.timeout
    n = args.articles
    archive = os.path.join(ROOT, "target", "bench", f"archive-{n}")
    if not os.path.exists(os.path.join(archive, "site.toml")):
        print(f"generating {n} articles in {archive} ...", flush=True)
        subprocess.run([sys.executable, os.path.join(ROOT, "bench", "gen_archive.py"), str(n),
                        archive], check=True)
    if not os.path.exists(args.newsgen):
        sys.exit("build the release binary first: cargo build --release")
    site = os.path.join(ROOT, "target", "bench", f"serve-{n}")
    hugo = None if args.no_hugo else shutil.which("hugo")
    rows = []
    try:
        if not args.hugo_only:
            shutil.rmtree(site, ignore_errors=True)
            shutil.copytree(archive, site)
            first, times, rss_measured, rss = run_newsgen(site, args)
            rows.append(("newsgen", first, times, f"{rss_measured:.0f}; {rss:.0f} after "
                         f"{args.rss_edits} more edits"))
        if hugo:
            shutil.rmtree(site, ignore_errors=True)
            shutil.copytree(archive, site)
            first, times, rss = run_hugo(site, args, hugo)
            rows.append(("hugo server", first, times, f"{rss:.0f}"))
    finally:
        for proc in STARTED:
            if proc.poll() is None:
                proc.terminate()
                proc.wait()
        shutil.rmtree(site, ignore_errors=True)
    load = os.getloadavg()
    print(f"\n{n} articles, {args.edits} edits of each kind, {os.cpu_count()} cores, "
          f"load average {load[0]:.1f} {load[1]:.1f} {load[2]:.1f} at the end")
    print("| tool | edit | median ms | p90 ms |")
    print("|---|---|---:|---:|")
    for tool, first, times, rss in rows:
        for kind, ts in times.items():
            med, p90 = summary(ts)
            print(f"| {tool} | {kind} | {med:,.0f} | {p90:,.0f} |")
        print(f"| {tool} | first page after start | {first * 1000:,.0f} | |")
        print(f"| {tool} | peak RSS MiB | {rss} | |")
    if args.no_hugo:
        print("hugo: not run (--no-hugo)")
    elif not hugo:
        print("hugo not installed: no comparison (apt-get install hugo)")


if __name__ == "__main__":
    main()
