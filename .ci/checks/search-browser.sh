#!/usr/bin/env bash
# Search (issue 6) in a real browser: builds the example site under a sub-path base URL,
# serves it on 127.0.0.1, and drives headless Chromium (Debian's, through playwright-core)
# to type into /search/, follow ?q= links, use the filters and the header search box.
# Also checks the browser stemmer against rust-stemmers on a 100,000-word English dictionary.
# Installs what it needs (chromium, wamerican, Node, npm, playwright-core) and is safe to re-run.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
TOOLS=$ROOT/target/search-tools
SITE=$ROOT/target/search-site
mkdir -p "$TOOLS"

. .ci/checks/lib/common.sh
apt_need chromium=chromium /usr/share/dict/words=wamerican python3=python3
npm_need "$TOOLS" "$PLAYWRIGHT_CORE"

echo "-- browser stemmer vs rust-stemmers on /usr/share/dict/words"
# The debug test binary `cargo test` already built: a release one would cost minutes of compiling.
NEWSGEN_STEM_WORDS=/usr/share/dict/words cargo test --quiet --test search browser_stemmer_matches_rust_stemmers

PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
echo "-- building the example site at http://127.0.0.1:$PORT/archive/"
rm -rf "$SITE"
mkdir -p "$SITE"
cargo run --release --quiet -- build --base-url "http://127.0.0.1:$PORT/archive/" --output "$SITE/archive" .

python3 -m http.server --bind 127.0.0.1 --directory "$SITE" "$PORT" >/dev/null 2>&1 &
SERVER=$!
trap 'kill $SERVER 2>/dev/null || true' EXIT
for _ in $(seq 50); do
  python3 -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:$PORT/archive/search/')" 2>/dev/null && break
  sleep 0.1
done

echo "-- headless Chromium on /archive/search/"
NODE_PATH="$TOOLS/node_modules" node .ci/checks/search/browser.js "http://127.0.0.1:$PORT/archive/" "$(command -v chromium)"
