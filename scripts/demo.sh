#!/usr/bin/env bash
# The demo of the README: deduplicate examples/news and show the result.
set -euo pipefail
cd "$(dirname "$0")/.."
doppel=build/release/doppel
out=build/demo
mkdir -p "$out"
echo "\$ doppel dedup examples/news --keep earliest --output $out/deduped.jsonl --clusters $out/clusters.jsonl"
echo
"$doppel" dedup examples/news --keep earliest --output "$out/deduped.jsonl" \
  --clusters "$out/clusters.jsonl" --removed "$out/removed.jsonl" --stats "$out/stats.json"
echo
echo "Wrote $out/clusters.jsonl (clusters), $out/deduped.jsonl ($(wc -l < "$out/deduped.jsonl") kept documents),"
echo "$out/removed.jsonl (what was removed and why) and $out/stats.json. Formats: docs/formats.md"
