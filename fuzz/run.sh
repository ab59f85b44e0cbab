#!/usr/bin/env bash
# Coverage-guided fuzzing of one parser with AFL++ (stable toolchain, through cargo-afl).
#
#   fuzz/run.sh TARGET SECONDS [--save]
#
# TARGET is one of targets/*.rs (frontmatter, dates, slugify, config, markdown, tokenizer,
# url). Starts from corpus/TARGET/, stops by itself after SECONDS, prints AFL's figures, and
# fails when AFL found a crash (panic) or a hang (an input running over 1 s), listing the
# inputs to turn into regression tests. --save minimises the corpus with what was found and
# writes it back to corpus/TARGET/.
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
  rm -rf "$out/min"
  cargo afl cmin -i "$out/default/queue" -o "$out/min" -- "target/release/$target" >/dev/null
  rm -rf "corpus/$target"
  mkdir -p "corpus/$target"
  i=0
  for f in $(ls "$out/min" | sort); do
    cp "$out/min/$f" "corpus/$target/$(printf '%05d' $i)"
    i=$((i + 1))
  done
  echo "corpus/$target: $i inputs"
fi
echo "$target: 0 crashes, 0 hangs in ${seconds}s"
