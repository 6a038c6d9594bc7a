#!/usr/bin/env bash
# Runs every libFuzzer target (build/fuzz, made by `make fuzz`) for SECONDS seconds each, from its
# seeds in tests/fuzz/corpus/TARGET/. New inputs go to a scratch directory, not the repository.
# A crash leaves its input in build/fuzz/crashes/TARGET/ and fails the run: turn it into a
# regression test and a seed. Usage: scripts/fuzz.sh [SECONDS]
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-15}"
status=0
for target in fuzz_jsonl fuzz_text_header fuzz_gzip fuzz_zstd fuzz_normalize; do
  work="build/fuzz/work/$target"
  crashes="build/fuzz/crashes/$target"
  rm -rf "$work" && mkdir -p "$work" "$crashes"
  if ! "build/fuzz/tests/fuzz/$target" "$work" "tests/fuzz/corpus/$target" \
      -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=65536 \
      -artifact_prefix="$crashes/" -print_final_stats=1 >"build/fuzz/$target.log" 2>&1; then
    echo "fuzz: $target FAILED (log: build/fuzz/$target.log; input: $crashes/)" >&2
    tail -30 "build/fuzz/$target.log" >&2
    status=1
  else
    runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "build/fuzz/$target.log" | grep -o '[0-9]*$' || echo "?")
    echo "fuzz: $target ok ($runs runs in ${seconds} s)"
  fi
done
exit $status
