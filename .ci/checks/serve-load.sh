#!/usr/bin/env bash
# `serve --watch` under load while files change: a short run of the ignored load test of
# tests/serve.rs (20 clients over loopback while a script edits, adds and deletes articles,
# changes static/ and breaks and fixes a template). Uses the debug build `cargo test` made.
# The full run (5,000 requests, release build) is in docs/serve.md.
set -euo pipefail
cd "$(dirname "$0")/../.."
NEWSGEN_LOAD_REQUESTS=2000 NEWSGEN_LOAD_SECONDS=240 \
  cargo test -q --test serve -- --ignored --nocapture load_while_editing
