#!/usr/bin/env bash
# `make demo` (scripts/demo.sh) with the given doppel: it must succeed and show each case the
# README says it shows, the heavy rewrite at the lower threshold and the passage of items 08-11.
# Usage: tests/demo_test.sh DOPPEL OUT_DIR
set -euo pipefail
cd "$(dirname "$0")/.."
shown=$(DOPPEL_BINARY="$1" DOPPEL_DEMO_OUT="$2" scripts/demo.sh 2>&1)
expect() {
  if ! grep -qF -- "$1" <<<"$shown"; then
    printf '%s\n' "$shown"
    echo "demo_test: the demo did not show: $1" >&2
    exit 1
  fi
}
expect "exact  03-bridge-reopens-wire.txt"
expect "05-ferry-timetable-update.txt"
expect "0.41   07-fish-market-feature.txt"
expect "passage 0 · 4 documents · 4 occurrences · first in 10-cruise-season.txt (2024-04-23)"
expect "  “Calderport's Tollard Swing Bridge reopened to … at the next full meeting.”"
expect "  “The Calderport Harbour Authority was established … the regional government”"
expect "What is new in each document:"
expect "Wrote $2/report.html"
echo "demo_test: every case shown"
