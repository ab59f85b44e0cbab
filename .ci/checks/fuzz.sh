#!/usr/bin/env bash
# Coverage-guided fuzzing, a short run: every target of fuzz/ for FUZZ_SECONDS (20) each,
# starting from the committed corpus; fails on any crash or hang (see docs/fuzzing.md for
# the long runs). Installs what it needs: make (for AFL++) and cargo-afl, pinned.
#
# The targets are built unoptimised (cargo-afl's AFL_OPT_LEVEL=0; the long runs of
# docs/fuzzing.md keep its default, 3): cargo-afl compiles every crate as one codegen unit, so
# the instrumented build took 506 s at opt-level 1 and 150 s at 0 here, for 20 s of fuzzing
# per target that needs no top speed (1,800-7,300 executions a second at 0). A hang it reports
# (an input over 1 s) is worth timing again at opt-level 3 before it is believed.
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
export AFL_OPT_LEVEL=${AFL_OPT_LEVEL:-0}
for target in frontmatter dates slugify config markdown tokenizer url; do
  fuzz/run.sh "$target" "${FUZZ_SECONDS:-20}"
done
