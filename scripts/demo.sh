#!/usr/bin/env bash
# The demo of the README: deduplicate examples/news and show the result. DOPPEL_BINARY and
# DOPPEL_DEMO_OUT choose another doppel and output folder (the test `demo` runs the test build's).
set -euo pipefail
cd "$(dirname "$0")/.."
doppel=${DOPPEL_BINARY:-build/release/doppel}
out=${DOPPEL_DEMO_OUT:-build/demo}
mkdir -p "$out"
echo "\$ doppel dedup examples/news --keep earliest --output $out/deduped.jsonl --clusters $out/clusters.jsonl"
echo
"$doppel" dedup examples/news --keep earliest --output "$out/deduped.jsonl" \
  --clusters "$out/clusters.jsonl" --removed "$out/removed.jsonl" --stats "$out/stats.json"
echo
echo "Wrote $out/clusters.jsonl (clusters), $out/deduped.jsonl ($(wc -l < "$out/deduped.jsonl") kept documents),"
echo "$out/removed.jsonl (what was removed and why) and $out/stats.json. Formats: docs/formats.md"
echo
echo "A heavily edited rewrite is not a near duplicate at 0.8; at a lower threshold (with exact"
echo "verification: signature estimates have an error of about 0.04 at this similarity) it joins its original:"
# Not -q here: it would hide the listing, which is what these steps show.
echo "\$ doppel dedup examples/news --threshold 0.35 --verify exact"
"$doppel" dedup examples/news --threshold 0.35 --verify exact
echo
echo "Items 08-11 share two background paragraphs but are different stories: they share passages,"
echo "not documents, so document-level dedup rightly leaves them apart (examples/README.md)."
echo
echo "Finding those shared passages is the job of doppel reuse. It aligns them, names the earliest"
echo "article as their source, and shows what is new in each:"
echo "\$ doppel reuse examples/news/{08,09,10,11}-*.txt --new"
"$doppel" reuse examples/news/0[89]-*.txt examples/news/1[01]-*.txt --new
echo
echo "And all of it as one HTML file to open in a browser (docs/report.md):"
echo "\$ doppel report examples/news -o $out/report.html"
"$doppel" report examples/news -o "$out/report.html" -q
echo "Wrote $out/report.html: open it in a browser."
