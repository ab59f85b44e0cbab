#!/usr/bin/env python3
"""Headless Chromium checks of the built example site (issue 5).

For each page and width: a full-page screenshot under target/screenshots/, and a check that
nothing overflows horizontally at narrow widths. With --axe FILE, runs axe-core's WCAG 2 A/AA
rules (colour contrast included) on every page, in light and dark colour schemes.

Talks to Chromium over the DevTools protocol (websocket-client); serves the site with
python's http.server on 127.0.0.1. Exit status 1 on any overflow or accessibility violation.
"""
import argparse
import base64
import functools
import http.server
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time

import websocket  # websocket-client

CHROMIUM_FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--hide-scrollbars", "--remote-debugging-port=0", "--remote-allow-origins=*",
]

# `W` is replaced by the emulated window width: a page without a viewport meta tag gets a wider
# layout viewport on mobile, which must count as overflowing too.
OVERFLOW_JS = """(() => {
  const w = W;
  const sw = document.documentElement.scrollWidth;
  const bad = [];
  if (sw > w) {
    for (const el of document.querySelectorAll('body *')) {
      const r = el.getBoundingClientRect();
      if (r.width && r.right > w + 0.5) {
        let clipped = false;
        for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) {
          const o = getComputedStyle(p).overflowX;
          if (o !== 'visible') { clipped = true; break; }
        }
        if (!clipped) bad.push(el.tagName.toLowerCase() + (el.className ? '.' + String(el.className).trim().replace(/\\s+/g, '.') : '') + ' right=' + Math.round(r.right));
      }
    }
  }
  return JSON.stringify({width: w, scrollWidth: sw, offenders: bad.slice(0, 8)});
})()"""

AXE_RUN_JS = """(async () => {
  const r = await axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}, resultTypes: ['violations']});
  return JSON.stringify(r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.slice(0, 5).map(n => n.target.join(' ') + ' :: ' + (n.failureSummary || '').replace(/\\s+/g, ' '))})));
})()"""


class Browser:
    """A headless Chromium and one page target, driven over the DevTools protocol."""

    def __init__(self, binary):
        self.profile = tempfile.mkdtemp(prefix="newsgen-chromium-")
        self.proc = subprocess.Popen(
            [binary, *CHROMIUM_FLAGS, f"--user-data-dir={self.profile}", "about:blank"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        port_file = os.path.join(self.profile, "DevToolsActivePort")
        deadline = time.time() + 30
        while not os.path.exists(port_file) or os.path.getsize(port_file) == 0:
            if time.time() > deadline or self.proc.poll() is not None:
                raise RuntimeError("chromium did not start")
            time.sleep(0.1)
        port = open(port_file).read().split()[0]
        import urllib.request
        targets = json.load(urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list"))
        page = next(t for t in targets if t["type"] == "page")
        self.ws = websocket.create_connection(page["webSocketDebuggerUrl"], timeout=60)
        self.next_id = 0
        self.send("Page.enable")
        self.send("Runtime.enable")

    def send(self, method, **params):
        self.next_id += 1
        my_id = self.next_id
        self.ws.send(json.dumps({"id": my_id, "method": method, "params": params}))
        while True:
            msg = json.loads(self.ws.recv())
            if msg.get("id") == my_id:
                if "error" in msg:
                    raise RuntimeError(f"{method}: {msg['error']}")
                return msg.get("result", {})

    def wait_event(self, name, timeout=30):
        deadline = time.time() + timeout
        while time.time() < deadline:
            msg = json.loads(self.ws.recv())
            if msg.get("method") == name:
                return msg
        raise RuntimeError(f"timed out waiting for {name}")

    def evaluate(self, expr):
        r = self.send("Runtime.evaluate", expression=expr, awaitPromise=True, returnByValue=True)
        if "exceptionDetails" in r:
            raise RuntimeError(f"script error: {r['exceptionDetails']}")
        return r["result"].get("value")

    def open(self, url, width, dark=False):
        self.send("Emulation.setDeviceMetricsOverride", width=width, height=900,
                  deviceScaleFactor=1, mobile=width < 600)
        self.send("Emulation.setEmulatedMedia", media="",
                  features=[{"name": "prefers-color-scheme", "value": "dark" if dark else "light"}])
        self.send("Page.navigate", url=url)
        self.wait_event("Page.loadEventFired")
        # Give scripts (search) a moment to fetch their index and render results.
        time.sleep(0.5)

    def screenshot(self, path):
        height = self.evaluate("Math.ceil(document.documentElement.scrollHeight)")
        width = self.evaluate("document.documentElement.clientWidth")
        shot = self.send("Page.captureScreenshot", format="png", captureBeyondViewport=True,
                         clip={"x": 0, "y": 0, "width": width, "height": min(height, 6000), "scale": 1})
        with open(path, "wb") as f:
            f.write(base64.b64decode(shot["data"]))

    def close(self):
        try:
            self.ws.close()
        finally:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
            shutil.rmtree(self.profile, ignore_errors=True)


def serve(root):
    handler = functools.partial(QuietHandler, directory=root)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("site", help="built site folder (served at /)")
    ap.add_argument("--out", default="target/screenshots")
    ap.add_argument("--chromium", default=shutil.which("chromium") or "chromium")
    ap.add_argument("--page", action="append", default=[], metavar="NAME=PATH",
                    help="page to screenshot, e.g. front=/ (repeatable)")
    ap.add_argument("--width", action="append", type=int, default=[])
    ap.add_argument("--overflow-max-width", type=int, default=600,
                    help="check horizontal overflow at widths up to this")
    ap.add_argument("--axe", help="path to axe.min.js: run WCAG A/AA rules on every --page")
    ap.add_argument("--dark", action="store_true", help="also screenshot in dark mode")
    args = ap.parse_args()
    pages = [p.split("=", 1) for p in args.page] or [["front", "/"]]
    widths = args.width or [1280, 390]
    os.makedirs(args.out, exist_ok=True)
    server = serve(args.site)
    base = f"http://127.0.0.1:{server.server_address[1]}"
    browser = Browser(args.chromium)
    problems = []
    try:
        for name, path in pages:
            for width in widths:
                for dark in ([False, True] if args.dark else [False]):
                    browser.open(base + path, width, dark)
                    suffix = "-dark" if dark else ""
                    shot = os.path.join(args.out, f"{name}-{width}{suffix}.png")
                    browser.screenshot(shot)
                    if not browser.evaluate("!!document.querySelector('main#main')"):
                        problems.append(f"{name}: {path} is not a page of the theme (no main#main)")
                    info = json.loads(browser.evaluate(OVERFLOW_JS.replace("const w = W;", f"const w = {width};")))
                    status = "ok"
                    if width <= args.overflow_max_width and info["scrollWidth"] > info["width"]:
                        status = "OVERFLOW"
                        problems.append(f"{name} at {width}px{suffix}: page is {info['scrollWidth']}px wide; "
                                        f"overflowing: {', '.join(info['offenders']) or '?'}")
                    print(f"{name:10} {width:5}px{suffix:5} {status:8} {shot}")
            if args.axe:
                axe_src = open(args.axe).read()
                for dark in (False, True):
                    browser.open(base + path, 1280, dark)
                    browser.evaluate(axe_src)
                    violations = json.loads(browser.evaluate(AXE_RUN_JS))
                    mode = "dark" if dark else "light"
                    for v in violations:
                        problems.append(f"{name} ({mode}): axe {v['id']} [{v['impact']}] {v['help']}: "
                                        + " | ".join(v["nodes"]))
                    print(f"{name:10} axe {mode:5} {len(violations)} violation(s)")
    finally:
        browser.close()
        server.shutdown()
    for p in problems:
        print("FAIL:", p, file=sys.stderr)
    print(f"{len(problems)} problem(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
