#!/usr/bin/env bash
# Default theme checks (issue 5) on the example site:
#   1. the W3C Nu HTML checker (npm vnu-jar, pinned in VNU_VERSION: raise it on purpose, so a
#      new rule shows up as a change) over every page: zero errors and zero warnings;
#   2. headless Chromium: screenshots of front, section, article, search (and archive, tag,
#      404) pages at 1280, 390 and 320px into target/screenshots/, no horizontal overflow at
#      390 and 320px,
#      and axe-core's WCAG 2 A/AA rules (colour contrast included) in light and dark mode;
#   3. the figures: CSS size and the largest page weight.
# Installs what it needs (Debian packages, a Python venv, axe-core) and is safe to re-run.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
TOOLS=$ROOT/target/theme-tools
VNU_VERSION=26.9.27
SITE=$ROOT/target/theme-site
SHOTS=$ROOT/target/screenshots
mkdir -p "$TOOLS" "$SHOTS"

. .ci/checks/lib/common.sh
apt_need java=default-jre-headless chromium=chromium
python3 -c 'import ensurepip' >/dev/null 2>&1 || apt_install python3-venv

if [ ! -x "$TOOLS/venv/bin/python" ]; then
  python3 -m venv "$TOOLS/venv"
fi
"$TOOLS/venv/bin/python" -m pip install -q --disable-pip-version-check websocket-client
npm_need "$TOOLS" "$AXE_CORE" "vnu-jar@$VNU_VERSION"

echo "-- building the example site into $SITE"
rm -rf "$SITE"
cargo run --release --quiet -- build --output "$SITE" .

echo "-- W3C Nu HTML checker $VNU_VERSION over every page"
pages=$(find "$SITE" -name '*.html' | wc -l)
if ! java -jar "$TOOLS/node_modules/vnu-jar/build/dist/vnu.jar" --Werror --skip-non-html \
  --format text "$SITE" > "$TOOLS/vnu.txt" 2>&1; then
  cat "$TOOLS/vnu.txt"
  echo "FAIL: the W3C checker found errors or warnings" >&2
  exit 1
fi
echo "vnu $VNU_VERSION: $pages pages, 0 errors, 0 warnings"

echo "-- headless Chromium: screenshots, overflow at 390 and 320px, axe WCAG A/AA (light and dark)"
article=$(cd "$SITE" && ls -d business/*/*/*/port-expansion 2>/dev/null | head -n1)
# The newest day archive: YYYY/MM/DD/ (not YYYY/page/N/).
day=$(cd "$SITE" && ls -d [0-9][0-9][0-9][0-9]/[0-9][0-9]/[0-9][0-9]/ | sort | tail -n1)
"$TOOLS/venv/bin/python" .ci/checks/theme/browser.py "$SITE" --out "$SHOTS" \
  --chromium "$(command -v chromium)" \
  --page front=/ --page section=/politics/ --page "article=/${article:-politics/}/" \
  --page 'search=/search/?q=harbour' --page "archive=/$day" --page "month=/${day%??/}" \
  --page "year=/${day%??/??/}" --page tags=/tags/ --page tag=/tags/transport/ --page 404=/404.html \
  --width 1280 --width 390 --width 320 --overflow-max-width 600 \
  --axe "$TOOLS/node_modules/axe-core/axe.min.js"

echo "-- figures"
python3 - "$SITE" <<'PY'
import os, re, sys
root = sys.argv[1]
css = os.path.getsize(os.path.join(root, "style.css"))
print(f"style.css: {css} bytes ({css / 1024:.1f} KB; limit 20 KB)")
if css >= 20 * 1024:
    sys.exit("FAIL: style.css is 20 KB or more")
asset = re.compile(r'<(?:link[^>]*rel="stylesheet"[^>]*href|script[^>]*src|img[^>]*src)="([^"]+)"')
weights = []
for d, _, files in os.walk(root):
    for f in files:
        if not f.endswith(".html"):
            continue
        p = os.path.join(d, f)
        html = open(p, encoding="utf-8").read()
        total = len(html.encode())
        for u in set(asset.findall(html)):
            local = u.split("?")[0]
            local = os.path.join(root, local.lstrip("/")) if local.startswith("/") else os.path.join(d, local)
            if os.path.isfile(local):
                total += os.path.getsize(local)
        weights.append((total, os.path.relpath(p, root), len(html.encode())))
weights.sort(reverse=True)
for total, rel, html in weights[:3]:
    print(f"page weight: {total} bytes ({total / 1024:.1f} KB; HTML {html} bytes) {rel}")
PY
echo "screenshots: $SHOTS"
