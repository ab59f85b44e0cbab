#!/usr/bin/env bash
# Coverage-guided fuzzing of one parser with AFL++ (stable toolchain, through cargo-afl).
#
#   fuzz/run.sh TARGET SECONDS [--save]
#
# TARGET is one of targets/*.rs (frontmatter, dates, slugify, config, markdown, tokenizer,
# url). Starts from corpus/TARGET/, stops by itself after SECONDS, prints AFL's figures, and
# fails when AFL found a crash (panic) or a hang (an input running over 1 s), listing the
# inputs to turn into regression tests. --save writes back to corpus/TARGET/ the inputs it
# started from plus those that reached new coverage.
set -euo pipefail
cd "$(dirname "$0")"
target=${1:?usage: fuzz/run.sh TARGET SECONDS [--save]}
seconds=${2:?usage: fuzz/run.sh TARGET SECONDS [--save]}
save=${3:-}
[ -f "targets/$target.rs" ] || { echo "no such target: $target (see fuzz/targets/)" >&2; exit 2; }

if ! command -v cargo-afl >/dev/null; then
  cargo install cargo-afl --locked --version 0.18.2
fi
cargo afl build --release --locked --bin "$target"

out="out/$target"
rm -rf "$out" "$out.log"
mkdir -p out
# No terminal UI; no CPU governor tuning or core_pattern change needed on a shared machine.
export AFL_NO_UI=1 AFL_SKIP_CPUFREQ=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1
export AFL_NO_AFFINITY=1 AFL_QUIET=1
cargo afl fuzz -i "corpus/$target" -o "$out" -V "$seconds" -t 1000 "target/release/$target" \
  > "$out.log" 2>&1 || { cat "$out.log" >&2; exit 1; }

stats="$out/default/fuzzer_stats"
for key in run_time execs_done execs_per_sec corpus_count bitmap_cvg saved_crashes saved_hangs; do
  grep "^$key " "$stats"
done
found=$(find "$out/default/crashes" "$out/default/hangs" -type f ! -name README.txt)
if [ -n "$found" ]; then
  echo "AFL found crashes or hangs in $target:" >&2
  echo "$found" >&2
  exit 1
fi
if [ "$save" = "--save" ]; then
  # The inputs AFL started from and those that reached new coverage (AFL marks them
  # `+cov`), named by content so a repeat is kept once.
  fresh=$(mktemp -d)
  for f in "$out"/default/queue/*orig:* "$out"/default/queue/*+cov*; do
    if [ -f "$f" ]; then cp "$f" "$fresh/$(md5sum < "$f" | cut -c1-16)"; fi
  done
  rm -rf "corpus/$target"
  mv "$fresh" "corpus/$target"
  chmod 755 "corpus/$target"
  echo "corpus/$target: $(ls "corpus/$target" | wc -l) inputs"
fi
echo "$target: 0 crashes, 0 hangs in ${seconds}s"
