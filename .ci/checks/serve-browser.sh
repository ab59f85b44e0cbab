#!/usr/bin/env bash
# `newsgen serve --watch` (issue 4) in a real browser: serves a copy of the example site and
# drives headless Chromium (Debian's, through playwright-core): an article tab reloads after
# an edit to the title of a featured article its sidebar shows, while a section tab that does
# not show it stays (issue 10); then the article file is edited, broken and fixed: the page
# must reload by itself, show the error overlay, and recover. Installs what it needs (chromium, Node, npm, playwright-core); safe to
# re-run.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
TOOLS=$ROOT/target/serve-tools
mkdir -p "$TOOLS"

. .ci/checks/lib/common.sh
apt_need chromium=chromium
npm_need "$TOOLS" "$PLAYWRIGHT_CORE"

cargo build --release --quiet
WORK=$(mktemp -d)
SITE=$WORK/site
mkdir -p "$SITE"
cp -r site.toml content "$SITE/"
[ -d themes ] && cp -r themes "$SITE/"
[ -d static ] && cp -r static "$SITE/"

SERVER=
cleanup() {
  if [ -n "$SERVER" ]; then
    kill -INT "$SERVER" 2>/dev/null || true
    wait "$SERVER" 2>/dev/null || true
  fi
  rm -rf "$WORK"
}
trap cleanup EXIT
"$ROOT/target/release/newsgen" serve --watch --port 0 "$SITE" >"$WORK/stdout" 2>"$WORK/stderr" &
SERVER=$!
URL=
for _ in $(seq 600); do
  URL=$(sed -n 's/^Serving //p' "$WORK/stdout" | head -1)
  [ -n "$URL" ] && break
  kill -0 "$SERVER" 2>/dev/null || { cat "$WORK/stderr"; echo "serve exited"; exit 1; }
  sleep 0.1
done
[ -n "$URL" ] || { cat "$WORK/stderr"; echo "serve printed no address"; exit 1; }
echo "-- headless Chromium on $URL"
if ! NODE_PATH="$TOOLS/node_modules" node .ci/checks/serve/browser.js "$URL" "$(command -v chromium)" "$SITE"; then
  echo "-- serve log:"; cat "$WORK/stderr"; exit 1
fi
echo "-- serve log:"; cat "$WORK/stderr"
