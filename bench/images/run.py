#!/usr/bin/env python3
"""Image-processing benchmark: newsgen against Hugo on the same photos, in the same run.

usage: bench/images/run.py [--articles N] [--out DIR]

Generates target/bench/images-N (once): N articles, each with its own 2000 x 1333 JPEG lead
image (smooth colour fields plus grain, about the size of a news photo), as a newsgen site
and as a Hugo site whose minimal templates ask Hugo for the same files newsgen makes by
default: widths 400/800/1200/1600 as JPEG and WebP, 16:9 crops 320/640/960 as JPEG and WebP,
and 1200 px JPEG for social cards (`.Resize`, `.Fill`, quality 80). Then, for each tool:

  cold  no cache, no output: every image decoded and encoded (both cores busy);
  warm  the same build again with its cache (newsgen .newsgen/images, Hugo resources/_gen);
  +1    one new article with a new image, then a build: only that image should be encoded.

Prints wall time, images per second (cold), peak memory (max RSS) and the files encoded.
`--tools newsgen` (or `hugo`) runs one tool only. The bytes a phone fetches for the front
page are measured in Chromium by bench/images/phone.py. Needs target/release/newsgen (`cargo
build --release`), `hugo` on PATH (`apt-get install hugo`, extended: WebP) and Pillow, which
the script installs into target/bench-venv.
"""
import argparse
import os
import re
import shutil
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
VENV = os.path.join(ROOT, "target", "bench-venv")
PILLOW = "pillow==11.3.0"
NEWSGEN = os.path.join(ROOT, "target", "release", "newsgen")

HUGO_SINGLE = """{{ $img := .Resources.GetMatch "lead.jpg" }}{{ with $img }}
{{ range slice 400 800 1200 1600 }}{{ $j := $img.Resize (printf "%dx q80" .) }}{{ $w := $img.Resize (printf "%dx webp q80" .) }}<img src="{{ $j.RelPermalink }}" width="{{ $j.Width }}"><img src="{{ $w.RelPermalink }}">{{ end }}
{{ range slice "320x180" "640x360" "960x540" }}{{ $j := $img.Fill (printf "%s Center q80" .) }}{{ $w := $img.Fill (printf "%s Center webp q80" .) }}<img src="{{ $j.RelPermalink }}"><img src="{{ $w.RelPermalink }}">{{ end }}
{{ end }}<h1>{{ .Title }}</h1>{{ .Content }}
"""
HUGO_LIST = "<h1>{{ .Title }}</h1>{{ range .Pages }}<a href=\"{{ .RelPermalink }}\">{{ .Title }}</a>{{ end }}\n"


def python_with_pillow():
    py = os.path.join(VENV, "bin", "python")
    if not os.path.exists(py):
        subprocess.run([sys.executable, "-m", "venv", VENV], check=True)
    if subprocess.run([py, "-c", "import PIL"], capture_output=True).returncode != 0:
        subprocess.run([py, "-m", "pip", "install", "-q", PILLOW], check=True)
    return py


GEN = r"""
import os, random, sys
from PIL import Image, ImageFilter
path, seed = sys.argv[1], int(sys.argv[2])
rnd = random.Random(seed)
small = Image.new("RGB", (40, 27))
small.putdata([tuple(rnd.randrange(256) for _ in range(3)) for _ in range(40 * 27)])
img = small.resize((2000, 1333), Image.BICUBIC)
grain = Image.effect_noise((2000, 1333), 24).convert("RGB")
img = Image.blend(img, grain, 0.18).filter(ImageFilter.DETAIL)
img.save(path, quality=90)
"""


def write(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)


def add_article(site, hugo, i, py):
    day = f"2025-{1 + i // 28 % 12:02d}-{1 + i % 28:02d}"
    slug = f"story-{i:05d}"
    bundle = os.path.join(site, "content", "news", f"{day}-{slug}")
    write(os.path.join(bundle, "index.md"),
          f'+++\ntitle = "Story {i}"\ndate = {day}T{i % 24:02d}:00:00Z\nimage = "lead.jpg"\n'
          f'featured = {"true" if i % 7 == 0 else "false"}\n+++\nBody of story {i}.\n')
    subprocess.run([py, "-c", GEN, os.path.join(bundle, "lead.jpg"), str(i)], check=True)
    hb = os.path.join(hugo, "content", "posts", slug)
    write(os.path.join(hb, "index.md"), f'---\ntitle: "Story {i}"\ndate: {day}T{i % 24:02d}:00:00Z\n---\nBody of story {i}.\n')
    shutil.copy(os.path.join(bundle, "lead.jpg"), os.path.join(hb, "lead.jpg"))


def generate(root, n, py):
    site, hugo = os.path.join(root, "newsgen"), os.path.join(root, "hugo")
    write(os.path.join(site, "site.toml"),
          'title = "Bench"\nbase_url = "https://bench.example.org/"\ntimezone = "UTC"\n')
    write(os.path.join(hugo, "config.toml"),
          'baseURL = "https://bench.example.org/"\ntitle = "Bench"\n'
          'disableKinds = ["taxonomy", "term", "RSS", "sitemap"]\n[imaging]\nquality = 80\n')
    write(os.path.join(hugo, "layouts", "_default", "single.html"), HUGO_SINGLE)
    write(os.path.join(hugo, "layouts", "_default", "list.html"), HUGO_LIST)
    write(os.path.join(hugo, "layouts", "index.html"), HUGO_LIST)
    for i in range(n):
        add_article(site, hugo, i, py)
    return site, hugo


def encoded(tool, text):
    if tool == "newsgen":
        m = re.search(r"images: \d+ sources read, (\d+) files encoded", text)
        return int(m.group(1)) if m else 0
    return None


def count_files(folder, pattern):
    total = 0
    for _, _, files in os.walk(folder):
        total += sum(1 for f in files if re.search(pattern, f))
    return total


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--articles", type=int, default=1000)
    ap.add_argument("--tools", default="hugo,newsgen",
                    help="which tools to run, in this order (default: hugo,newsgen)")
    args = ap.parse_args()
    n = args.articles
    py = python_with_pillow()
    root = os.path.join(ROOT, "target", "bench", f"images-{n}")
    if not os.path.exists(os.path.join(root, "newsgen", "site.toml")):
        print(f"generating {n} articles with 2000 x 1333 JPEGs in {root} ...", flush=True)
        shutil.rmtree(root, ignore_errors=True)
        generate(root, n, py)
    site, hugo = os.path.join(root, "newsgen"), os.path.join(root, "hugo")
    if shutil.which("hugo") is None:
        sys.exit("hugo is not on PATH: apt-get install hugo")
    # Remove the "+1" article of an earlier run.
    for folder in (os.path.join(site, "content", "news"), os.path.join(hugo, "content", "posts")):
        for name in os.listdir(folder):
            if "story-99999" in name:
                shutil.rmtree(os.path.join(folder, name))

    print(f"{n} articles, {n} JPEG sources 2000 x 1333, {os.cpu_count()} cores, "
          f"load average {os.getloadavg()[0]:.1f}\n")
    print(f"{'tool':8} {'run':5} {'seconds':>8} {'images/s':>9} {'encoded':>8} {'peak MiB':>9}")
    results = {}
    # Hugo first: the newsgen binary is only needed once Hugo is done.
    folders = {"hugo": hugo, "newsgen": site}
    for tool, folder in ((t, folders[t]) for t in args.tools.split(",")):
        if tool == "newsgen" and not os.path.exists(NEWSGEN):
            sys.exit("build the release binary first: cargo build --release")
        shutil.rmtree(os.path.join(folder, "public"), ignore_errors=True)
        shutil.rmtree(os.path.join(folder, ".newsgen" if tool == "newsgen" else "resources"),
                      ignore_errors=True)
        cmd = ([NEWSGEN, "build", "."]
               if tool == "newsgen" else ["hugo", "--quiet"])
        for phase in ("cold", "warm", "+1"):
            if phase == "+1":
                add_article(site, hugo, 99999, py)
            gen_dir = os.path.join(folder, "resources", "_gen", "images")
            before = count_files(gen_dir, r"\.(jpg|webp)$") if tool == "hugo" else 0
            t, text = measure(cmd, folder)
            made = encoded(tool, text)
            if tool == "hugo":
                made = count_files(gen_dir, r"\.(jpg|webp)$") - before
            rate = f"{n / t[0]:9.1f}" if phase == "cold" else " " * 9
            print(f"{tool:8} {phase:5} {t[0]:8.2f} {rate} {made:8d} {t[1]:9.0f}", flush=True)
            results[(tool, phase)] = t[0]
        for name in os.listdir(os.path.join(site, "content", "news")):
            if "story-99999" in name:
                shutil.rmtree(os.path.join(site, "content", "news", name))
        for name in os.listdir(os.path.join(hugo, "content", "posts")):
            if "story-99999" in name:
                shutil.rmtree(os.path.join(hugo, "content", "posts", name))
    if ("hugo", "cold") in results and ("newsgen", "cold") in results:
        for phase in ("cold", "warm", "+1"):
            print(f"{phase}: newsgen / hugo time = "
                  f"{results[('newsgen', phase)] / results[('hugo', phase)]:.2f}")


def measure(cmd, cwd):
    """Runs cmd; returns ((seconds, peak RSS MiB), output)."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            env=dict(os.environ, SOURCE_DATE_EPOCH="1793491200"))
    out = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - start
    text = out.decode(errors="replace")
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"{' '.join(cmd)} failed:\n{text}")
    return (elapsed, usage.ru_maxrss / 1024), text


if __name__ == "__main__":
    main()
