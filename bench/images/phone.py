#!/usr/bin/env python3
"""Image bytes a phone fetches for the front page, measured in headless Chromium (issue 14).

usage: bench/images/phone.py [--articles N] [--site DIR]

Builds the site of bench/images/run.py (target/bench/images-N/newsgen, made by run.py) twice
with target/release/newsgen: as it is (image processing on, the default) and with
`[images] enabled = false` (the original files, as newsgen published them before), each into
its own folder under target/bench/. Serves each over HTTP on 127.0.0.1 and opens the front
page in headless Chromium with a 390 x 844 px viewport, as a phone (touch, mobile layout), at
device pixel ratio 1 and 3 (a 390 px wide iPhone has 3). It sums the body bytes
(`encodedBodySize` of the Performance API) of every image the page fetched: once after the
load (what the reader sees first; lazy images below the fold are not fetched yet) and once
after scrolling to the end of the page (every image of the page). The browser cache is off.

Reuses the DevTools client of .ci/checks/theme/browser.py; needs `chromium` on PATH
(`apt-get install chromium`) and installs websocket-client into target/bench-venv.
"""
import argparse
import os
import shutil
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
VENV = os.path.join(ROOT, "target", "bench-venv")
WEBSOCKET = "websocket-client==1.8.0"
NEWSGEN = os.path.join(ROOT, "target", "release", "newsgen")

IMAGE_BYTES_JS = """(() => {
  const imgs = performance.getEntriesByType('resource')
    .filter(e => e.initiatorType === 'img' || /\\.(jpe?g|png|webp|gif)$/.test(e.name));
  return JSON.stringify({count: imgs.length,
    bytes: imgs.reduce((s, e) => s + e.encodedBodySize, 0)});
})()"""


def in_venv():
    """Re-runs this script with the bench venv's python, websocket-client installed."""
    py = os.path.join(VENV, "bin", "python")
    if os.path.realpath(sys.prefix) == os.path.realpath(VENV):
        return
    if not os.path.exists(py):
        subprocess.run([sys.executable, "-m", "venv", VENV], check=True)
    if subprocess.run([py, "-c", "import websocket"], capture_output=True).returncode != 0:
        subprocess.run([py, "-m", "pip", "install", "-q", WEBSOCKET], check=True)
    os.execv(py, [py, *sys.argv])


def build(site, out, images_on):
    """Builds `site` into `out`, with image processing on or off (site.toml put back after)."""
    toml = os.path.join(site, "site.toml")
    original = open(toml, encoding="utf-8").read()
    try:
        if not images_on:
            with open(toml, "a", encoding="utf-8") as f:
                f.write("\n[images]\nenabled = false\n")
        shutil.rmtree(out, ignore_errors=True)
        subprocess.run([NEWSGEN, "build", "--quiet", "--output", out, site], check=True,
                       env=dict(os.environ, SOURCE_DATE_EPOCH="1793491200"))
    finally:
        with open(toml, "w", encoding="utf-8") as f:
            f.write(original)


def measure(browser, url, dpr):
    """(images and bytes after load, after scrolling to the end) of the page at `url`."""
    import json
    browser.send("Network.enable")
    browser.send("Network.setCacheDisabled", cacheDisabled=True)
    browser.send("Emulation.setDeviceMetricsOverride", width=390, height=844,
                 deviceScaleFactor=dpr, mobile=True)
    browser.send("Emulation.setTouchEmulationEnabled", enabled=True)
    browser.send("Page.navigate", url=url)
    browser.wait_event("Page.loadEventFired")
    time.sleep(1.0)
    first = json.loads(browser.evaluate(IMAGE_BYTES_JS))
    height = browser.evaluate("document.documentElement.scrollHeight")
    for y in range(0, int(height) + 844, 400):
        browser.evaluate(f"window.scrollTo(0, {y})")
        time.sleep(0.15)
    time.sleep(1.5)
    scrolled = json.loads(browser.evaluate(IMAGE_BYTES_JS))
    return first, scrolled


def main():
    in_venv()
    sys.path.insert(0, os.path.join(ROOT, ".ci", "checks", "theme"))
    from browser import Browser, serve  # the theme check's DevTools client

    ap = argparse.ArgumentParser()
    ap.add_argument("--articles", type=int, default=1000)
    ap.add_argument("--site", help="a newsgen site (default: the one of bench/images/run.py)")
    args = ap.parse_args()
    site = args.site or os.path.join(ROOT, "target", "bench", f"images-{args.articles}", "newsgen")
    if not os.path.exists(os.path.join(site, "site.toml")):
        sys.exit(f"no site in {site}: run bench/images/run.py --articles {args.articles} first")
    if not os.path.exists(NEWSGEN):
        sys.exit("build the release binary first: cargo build --release")
    chromium = shutil.which("chromium")
    if chromium is None:
        sys.exit("chromium is not on PATH: apt-get install chromium")
    outs = {"newsgen": os.path.join(ROOT, "target", "bench", "phone-newsgen"),
            "originals": os.path.join(ROOT, "target", "bench", "phone-originals")}
    build(site, outs["newsgen"], True)
    build(site, outs["originals"], False)
    version = subprocess.run([chromium, "--version"], capture_output=True, text=True).stdout.strip()
    print(f"front page of {site}, 390 x 844 px viewport, {version}\n")
    print(f"{'images':10} {'DPR':>3} {'after load':>22} {'after scrolling':>22}")
    results = {}
    for dpr in (1, 3):
        for name, out in outs.items():
            server = serve(out)
            browser = Browser(chromium)
            try:
                url = f"http://127.0.0.1:{server.server_address[1]}/"
                first, scrolled = measure(browser, url, dpr)
            finally:
                browser.close()
                server.shutdown()
            results[(name, dpr)] = (first, scrolled)
            cell = lambda r: f"{r['count']:3d} files {r['bytes'] / 1024:8.0f} KiB"
            print(f"{name:10} {dpr:3d} {cell(first):>22} {cell(scrolled):>22}", flush=True)
    for dpr in (1, 3):
        new, old = results[("newsgen", dpr)], results[("originals", dpr)]
        for i, when in enumerate(("after load", "after scrolling")):
            saved = 100 - 100 * new[i]["bytes"] / max(old[i]["bytes"], 1)
            print(f"DPR {dpr}, {when}: {saved:.0f}% fewer image bytes than the originals")


if __name__ == "__main__":
    main()
