#!/usr/bin/env bash
# Feeds, sitemaps, robots.txt and JSON-LD of the example site, read by parsers independent of
# the Rust tests: Python's feedparser (Atom, JSON Feed), xml.etree (sitemaps), json (JSON-LD).
# Fails on any feed the parser flags (bozo), any sitemap over the protocol limits or outside
# base_url, and any JSON-LD block that does not parse.
set -euo pipefail
cd "$(dirname "$0")/../.."
# Python with feedparser: the current python3, else Debian's (python3-feedparser), else pip.
PY=python3
if ! "$PY" -c 'import feedparser' 2>/dev/null; then
  export DEBIAN_FRONTEND=noninteractive
  if apt-get update -qq && apt-get install -y -qq python3-feedparser >/dev/null \
      && /usr/bin/python3 -c 'import feedparser, tomllib' 2>/dev/null; then
    PY=/usr/bin/python3
  else
    python3 -m pip install -q feedparser 2>/dev/null \
      || python3 -m pip install -q --break-system-packages feedparser
  fi
fi
# The fixed build time of lib/common.sh keeps the newest example day inside the 48-hour news
# sitemap window on any date.
. .ci/checks/lib/common.sh
OUT=target/feeds-site
rm -rf "$OUT"
cargo run --release -q -- build --output "$OUT" .
"$PY" - "$OUT" <<'PY'
import html.parser, json, os, sys, tomllib
import xml.etree.ElementTree as ET
import feedparser

out = sys.argv[1]
base = tomllib.load(open("site.toml", "rb"))["base_url"]
base = base if base.endswith("/") else base + "/"
SM = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
NEWS = "{http://www.google.com/schemas/sitemap-news/0.9}"
problems = []

def check(ok, msg):
    if not ok:
        problems.append(msg)

feeds = entries = 0
for root, _, names in os.walk(out):
    for name in names:
        if name not in ("feed.xml", "feed.json"):
            continue
        path = os.path.join(root, name)
        feeds += 1
        if name == "feed.json":
            # Debian's feedparser predates JSON Feed: check it as JSON against the spec's keys.
            j = json.load(open(path, encoding="utf-8"))
            check(j.get("version") == "https://jsonfeed.org/version/1.1", f"{path}: version")
            check(j.get("feed_url") == base + "feed.json", f"{path}: feed_url")
            for item in j.get("items", []):
                check(item.get("id") and item.get("url", "").startswith(base)
                      and item.get("title") and item.get("date_published"), f"{path}: {item.get('id')}")
            continue
        f = feedparser.parse(path)
        check(not f.bozo, f"{path}: {f.get('bozo_exception')}")
        check(f.version == "atom10", f"{path}: version {f.version!r}")
        selfs = [l.href for l in f.feed.get("links", []) if l.rel == "self"]
        check(selfs and selfs[0].startswith(base), f"{path}: self link {selfs}")
        for e in f.entries:
            entries += 1
            for key in ("id", "title", "link", "published", "updated", "summary"):
                check(e.get(key), f"{path}: entry {e.get('id')} lacks {key}")
            check(e.get("link", "").startswith(base), f"{path}: link {e.get('link')}")

def urls(path, root_tag, child):
    check(os.path.getsize(path) <= 52_428_800, f"{path}: over 50 MiB")
    doc = ET.parse(path).getroot()
    check(doc.tag == SM + root_tag, f"{path}: root {doc.tag}")
    locs = [u.findtext(SM + "loc") for u in doc.findall(SM + child)]
    check(len(locs) <= 50_000, f"{path}: {len(locs)} URLs")
    check(all(l and l.startswith(base) for l in locs), f"{path}: URL outside {base}")
    return doc, locs

sitemap = os.path.join(out, "sitemap.xml")
root_tag = ET.parse(sitemap).getroot().tag
if root_tag == SM + "sitemapindex":
    _, parts = urls(sitemap, "sitemapindex", "sitemap")
    pages = [l for p in parts for l in urls(os.path.join(out, p[len(base):]), "urlset", "url")[1]]
else:
    pages = urls(sitemap, "urlset", "url")[1]
check(len(pages) == len(set(pages)), "sitemap: duplicate URLs")
news_doc, news = urls(os.path.join(out, "news-sitemap.xml"), "urlset", "url")
check(len(news) <= 1000, f"news sitemap: {len(news)} URLs")
check(len(news) >= 5, f"news sitemap: only {len(news)} URLs (expected the newest day's)")
check(feeds >= 3 and entries >= 50, f"only {feeds} feeds, {entries} entries")
check(len(pages) > 100, f"sitemap: only {len(pages)} URLs")
for u in news_doc.findall(SM + "url"):
    n = u.find(NEWS + "news")
    check(n is not None and n.findtext(f"{NEWS}publication/{NEWS}name")
          and n.findtext(NEWS + "title") and n.findtext(NEWS + "publication_date"),
          f"news sitemap: incomplete entry {u.findtext(SM + 'loc')}")
robots = open(os.path.join(out, "robots.txt")).read()
check(f"Sitemap: {base}sitemap.xml" in robots.splitlines(), "robots.txt lacks the sitemap")

class LD(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.blocks, self.inside = [], False
    def handle_starttag(self, tag, attrs):
        if tag == "script" and dict(attrs).get("type") == "application/ld+json":
            self.inside = True
            self.blocks.append("")
    def handle_endtag(self, tag):
        if tag == "script":
            self.inside = False
    def handle_data(self, data):
        if self.inside:
            self.blocks[-1] += data

ld = articles = 0
for root, _, names in os.walk(out):
    for name in names:
        if not name.endswith(".html"):
            continue
        path = os.path.join(root, name)
        p = LD()
        p.feed(open(path, encoding="utf-8").read())
        for block in p.blocks:
            try:
                data = json.loads(block)
            except ValueError as e:
                problems.append(f"{path}: JSON-LD {e}")
                continue
            ld += 1
            types = [n.get("@type") for n in data.get("@graph", [])]
            if "NewsArticle" in types:
                articles += 1

print(f"feedparser {feedparser.__version__}: {feeds} feeds, {entries} entries; "
      f"sitemap {len(pages)} URLs, news sitemap {len(news)} URLs (xml.etree); "
      f"{ld} JSON-LD blocks, {articles} NewsArticle (json)")
check(articles >= 45, f"only {articles} NewsArticle blocks")
for p in problems[:50]:
    print("PROBLEM:", p)
sys.exit(1 if problems else 0)
PY
