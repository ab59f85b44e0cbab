#!/usr/bin/env python3
"""Writes a synthetic news archive of N articles in newsgen's layout (SPEC §1), plus the Hugo
config and layouts that build the same content, so both tools can be timed on one corpus.

usage: gen_archive.py N OUT_DIR [--seed S]

Deterministic for a given N and seed. Articles are spread over 7 sections and ~10 years, with
tags, authors, sources, summaries, Markdown bodies of 250-700 words (headings, lists, quotes,
a table now and then) and a few non-ASCII names.
"""
import os
import random
import sys
from datetime import datetime, timedelta, timezone

SECTIONS = ["politics", "business", "sport", "world", "national", "entertainment", "technology"]
TAGS = ["transport", "local government", "housing", "rugby", "cricket", "economy", "climate",
        "Māori affairs", "elections", "health", "education", "film", "music", "courts",
        "weather", "energy", "tourism", "trade", "police", "science"] + [f"topic {i}" for i in range(200)]
AUTHORS = ["Aroha Ngata", "José Álvarez", "Zoë Chen", "Mere Tūhoe-Smith", "Sam Whitford",
           "Priya Raman", "Tom O'Neill", "Lena Müller", "Wiremu Kahu", "Grace Liu"] + \
          [f"Reporter {i}" for i in range(60)]
SOURCES = ["Metro Wire", "Reuters/ABC", "AAP", "RNZ", "Harbour City News", "Pacific Press Agency"]
WORDS = ("council harbour vote budget minister report court police market shares rates housing "
         "water weather storm rugby match season final win loss plan project island ferry road "
         "school hospital doctors nurses union strike tourism export dairy farmers prices energy "
         "wind solar power grid bridge rail station airport flights election party leader "
         "community residents survey data growth quarter inflation bank lending mortgage").split()


def sentence(rng, n=None):
    n = n or rng.randint(8, 22)
    words = [rng.choice(WORDS) for _ in range(n)]
    words[0] = words[0].capitalize()
    return " ".join(words) + "."


def paragraph(rng):
    return " ".join(sentence(rng) for _ in range(rng.randint(2, 5)))


def body(rng):
    parts = [paragraph(rng)]
    for i in range(rng.randint(3, 8)):
        r = rng.random()
        if r < 0.15:
            parts.append("## " + sentence(rng, 4).rstrip("."))
        elif r < 0.25:
            parts.append("> " + sentence(rng) + "\n>\n> — " + rng.choice(AUTHORS))
        elif r < 0.33:
            parts.append("\n".join("- " + sentence(rng, 6) for _ in range(3)))
        elif r < 0.37:
            rows = "\n".join(f"| {rng.choice(WORDS)} | {rng.randint(1, 999)} | {rng.randint(1, 99)}% |" for _ in range(4))
            parts.append("| Item | Value | Change |\n|---|---:|---:|\n" + rows)
        parts.append(paragraph(rng))
    return "\n\n".join(parts)


def toml_str(s):
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def main():
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    seed = 42
    if "--seed" in sys.argv:
        seed = int(sys.argv[sys.argv.index("--seed") + 1])
        args = [a for a in args if a != str(seed)]
    n, out = int(args[0]), args[1]
    rng = random.Random(seed)
    os.makedirs(out, exist_ok=True)
    with open(os.path.join(out, "site.toml"), "w") as f:
        f.write('title = "Synthetic News"\nbase_url = "https://bench.example.org/"\n'
                'timezone = "Pacific/Auckland"\nper_page = 20\n\n')
        for s in SECTIONS:
            f.write(f"[sections.{s}]\ntitle = {toml_str(s.title())}\n")
    write_hugo(out)
    end = datetime(2026, 11, 1, tzinfo=timezone.utc)
    span = timedelta(days=3650).total_seconds()
    for i in range(n):
        section = SECTIONS[i % len(SECTIONS)]
        when = end - timedelta(seconds=int(rng.random() * span))
        slug = f"story-{i:07d}-" + "-".join(rng.choice(WORDS) for _ in range(3))
        local = when.astimezone(timezone(timedelta(hours=12)))
        folder = os.path.join(out, "content", section, f"{local:%Y}")
        os.makedirs(folder, exist_ok=True)
        title = sentence(rng, rng.randint(5, 11)).rstrip(".")
        tags = sorted(set(rng.choice(TAGS) for _ in range(rng.randint(1, 4))))
        authors = sorted(set(rng.choice(AUTHORS) for _ in range(rng.randint(0, 2))))
        front = [
            f"title = {toml_str(title)}",
            f"date = {when.strftime('%Y-%m-%dT%H:%M:%SZ')}",
            f"source = {toml_str(rng.choice(SOURCES))}",
            f"authors = [{', '.join(toml_str(a) for a in authors)}]",
            f"tags = [{', '.join(toml_str(t) for t in tags)}]",
            f"slug = {toml_str(slug)}",
        ]
        if rng.random() < 0.6:
            front.append(f"summary = {toml_str(sentence(rng))}")
        if rng.random() < 0.03:
            front.append("featured = true")
        with open(os.path.join(folder, f"{local:%Y-%m-%d}-{slug}.md"), "w") as f:
            f.write("+++\n" + "\n".join(front) + "\n+++\n" + body(rng) + "\n")


HUGO_CONFIG = """baseURL = "https://bench.example.org/"
title = "Synthetic News"
timeZone = "Pacific/Auckland"
paginate = 20
[taxonomies]
tag = "tags"
author = "authors"
[permalinks]
politics = "/:section/:year/:month/:day/:slug/"
business = "/:section/:year/:month/:day/:slug/"
sport = "/:section/:year/:month/:day/:slug/"
world = "/:section/:year/:month/:day/:slug/"
national = "/:section/:year/:month/:day/:slug/"
entertainment = "/:section/:year/:month/:day/:slug/"
technology = "/:section/:year/:month/:day/:slug/"
[markup.goldmark.renderer]
unsafe = true
"""

HUGO_BASEOF = """<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{{ .Title }} | {{ site.Title }}</title>
<link rel="canonical" href="{{ .Permalink }}"></head><body>
<header><a href="{{ site.Home.RelPermalink }}">{{ site.Title }}</a><nav><ul>
{{ range site.Sections }}<li><a href="{{ .RelPermalink }}">{{ .Title }}</a></li>{{ end }}</ul></nav></header>
<main>{{ block "main" . }}{{ end }}</main></body></html>
"""
HUGO_SINGLE = """{{ define "main" }}<article><h1>{{ .Title }}</h1><p>{{ .Summary | plainify }}</p>
<time datetime="{{ .Date.Format "2006-01-02T15:04:05-07:00" }}">{{ .Date.Format "2 Jan 2006 15:04" }}</time>
<p>{{ range .Params.authors }}{{ . }} {{ end }} {{ .Params.source }}</p>
{{ .Content }}
<ul>{{ range .Params.tags }}<li><a href="{{ (urlize .) | printf "/tags/%s/" }}">{{ . }}</a></li>{{ end }}</ul>
{{ with .PrevInSection }}<a rel="prev" href="{{ .RelPermalink }}">{{ .Title }}</a>{{ end }}
{{ with .NextInSection }}<a rel="next" href="{{ .RelPermalink }}">{{ .Title }}</a>{{ end }}
</article><aside><h2>Other {{ .Section }} news</h2><ul>
{{ range first 5 .CurrentSection.RegularPages }}<li><a href="{{ .RelPermalink }}">{{ .Title }}</a> {{ .Date.Format "2 Jan 2006 15:04" }}</li>{{ end }}
</ul></aside>{{ end }}
"""
HUGO_LIST = """{{ define "main" }}<h1>{{ .Title }}</h1><ul>
{{ range (.Paginate .Pages).Pages }}<li><a href="{{ .RelPermalink }}">{{ .Title }}</a> {{ .Date.Format "2 Jan 2006 15:04" }}<p>{{ .Summary | plainify }}</p></li>{{ end }}
</ul>{{ template "_internal/pagination.html" . }}{{ end }}
"""


def write_hugo(out):
    hugo = os.path.join(out, "hugo")
    os.makedirs(os.path.join(hugo, "layouts", "_default"), exist_ok=True)
    with open(os.path.join(hugo, "config.toml"), "w") as f:
        f.write(HUGO_CONFIG + 'contentDir = "../content"\n')
    for name, text in [("baseof.html", HUGO_BASEOF), ("single.html", HUGO_SINGLE),
                       ("list.html", HUGO_LIST)]:
        with open(os.path.join(hugo, "layouts", "_default", name), "w") as f:
            f.write(text)


if __name__ == "__main__":
    main()
