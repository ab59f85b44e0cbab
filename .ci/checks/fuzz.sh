#!/usr/bin/env bash
# Coverage-guided fuzzing, a short run: every target of fuzz/ for FUZZ_SECONDS (20) each,
# starting from the committed corpus; fails on any crash or hang (see docs/fuzzing.md for
# the long runs). Installs what it needs: make (for AFL++) and cargo-afl, pinned.
set -euo pipefail
cd "$(dirname "$0")/../.."
export PATH="$HOME/.cargo/bin:$PATH"
if ! command -v make >/dev/null || ! command -v cc >/dev/null; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq && apt-get install -y -qq make gcc >/dev/null
fi
if ! command -v cargo-afl >/dev/null; then
  cargo install cargo-afl --locked --version 0.18.2
fi
for target in frontmatter dates slugify config markdown tokenizer url; do
  fuzz/run.sh "$target" "${FUZZ_SECONDS:-20}"
done
