#!/usr/bin/env bash
# End-to-end throughput benchmark for `doppel dedup`.
#
# Usage: bench/e2e.sh [--reps N] [--threads "1 2"] [--scale] [--scale-only]
#                     [--scale-docs N] [--scale-corpus FILE] [--scale-threads N]
#                     [--no-corpus-check]
#
# Default: runs doppel over each shared corpus (reuters21578, 20newsgroups, bbc)
# with --threads 1 and --threads 2, REPS times each, and prints the best (min
# time) run per corpus/thread count.
# --scale       additionally: build the synthetic 1M-doc corpus with
#               bench/make_corpus.py (only if it does not exist yet), run doppel
#               on it with --clusters/--pairs and score the planted duplicates
#               with bench/score_planted.py.
# --scale-only  only the scale benchmark.
#
# Environment:
#   DOPPEL       doppel binary            (default: build/release/doppel)
#   DOPPEL_ARGS  extra arguments for `doppel dedup`, e.g. "--threshold 0.8"
#   CORPORA      shared corpora directory (default: ../shared/corpora)
#   SCALE_OUT    where the scale run's outputs go (default: build/bench)
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(dirname "$HERE")
DOPPEL=${DOPPEL:-$ROOT/build/release/doppel}
DOPPEL_ARGS=${DOPPEL_ARGS:-}
CORPORA=${CORPORA:-$ROOT/../shared/corpora}
SCALE_OUT=${SCALE_OUT:-$ROOT/build/bench}

REPS=3
THREADS="1 2"
SMALL=1
SCALE=0
SCALE_DOCS=1000000
SCALE_CORPUS=""
SCALE_THREADS=$(nproc 2>/dev/null || echo 1)
CORPUS_CHECK=1

usage() { sed -n '2,/^set -euo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//'; }

while [ $# -gt 0 ]; do
    case "$1" in
        --reps) REPS=$2; shift 2 ;;
        --threads) THREADS=$2; shift 2 ;;
        --scale) SCALE=1; shift ;;
        --scale-only) SCALE=1; SMALL=0; shift ;;
        --scale-docs) SCALE_DOCS=$2; shift 2 ;;
        --scale-corpus) SCALE_CORPUS=$2; shift 2 ;;
        --scale-threads) SCALE_THREADS=$2; shift 2 ;;
        --no-corpus-check) CORPUS_CHECK=0; shift ;;
        -h|--help) usage; exit 0 ;;
        *) echo "e2e.sh: unknown argument: $1" >&2; usage >&2; exit 2 ;;
    esac
done

if [ ! -d "$CORPORA" ]; then
    echo "e2e.sh: shared corpora not found at $CORPORA; skipped"
    exit 0
fi
if [ ! -x "$DOPPEL" ]; then
    echo "e2e.sh: doppel binary not found at $DOPPEL" >&2
    echo "        build it first (build/release/doppel) or set DOPPEL=/path/to/doppel" >&2
    exit 1
fi

TMP=$(mktemp -d "${TMPDIR:-/tmp}/doppel-e2e.XXXXXX")
trap 'rm -rf "$TMP"' EXIT

now() { python3 -c 'import time; print(f"{time.time():.6f}")'; }

# stats_line STATS_FILE WALL_SECONDS CLUSTERS
# -> "seconds input_bytes docs_read peak_rss_bytes clusters" (seconds from
#    stats seconds.total, falling back to the measured wall time)
stats_line() {
    python3 -c '
import json, sys
s = json.load(open(sys.argv[1]))
secs = s.get("seconds")
secs = secs.get("total") if isinstance(secs, dict) else secs
if not secs:
    secs = float(sys.argv[2])
docs = s.get("documents")
docs = docs.get("read", 0) if isinstance(docs, dict) else (docs or 0)
nbytes = int(s.get("input_bytes", 0))
rss = int(s.get("peak_rss_bytes", 0))
print(f"{float(secs):.6f} {nbytes} {int(docs)} {rss} {sys.argv[3]}")
' "$1" "$2" "$3"
}

# fmt_row NAME THREADS "seconds bytes docs rss clusters" [extra column]
fmt_row() {
    python3 -c '
import sys
name, threads = sys.argv[1], sys.argv[2]
secs, nbytes, docs, rss, clusters = sys.argv[3].split()
secs = float(secs); nbytes = int(nbytes); docs = int(docs); rss = int(rss)
mb = nbytes / 1e6
row = [name, threads, f"{mb:.1f}", f"{secs:.3f}",
       f"{mb / secs:.1f}" if secs > 0 else "-",
       f"{docs / secs:.0f}" if secs > 0 else "-",
       f"{rss / 2**20:.1f}", clusters] + sys.argv[4:]
w = [16, 7, 9, 9, 8, 10, 12, 9, 12]
print("  ".join((c.ljust(x) if i == 0 else c.rjust(x)) for i, (c, x) in enumerate(zip(row, w))))
' "$@"
}

header() {
    fmt_row_h=("corpus" "threads" "input MB" "seconds" "MB/s" "docs/s" "peak RSS MiB" "clusters" "$@")
    python3 -c '
import sys
w = [16, 7, 9, 9, 8, 10, 12, 9, 12]
row = sys.argv[1:]
line = "  ".join((c.ljust(x) if i == 0 else c.rjust(x)) for i, (c, x) in enumerate(zip(row, w)))
print(line); print("-" * len(line))
' "${fmt_row_h[@]}"
}

# run_doppel OUT_PREFIX THREADS CORPUS [extra args] -> prints a stats_line
run_doppel() {
    local prefix=$1 threads=$2 corpus=$3
    shift 3
    local t0 t1 rc=0
    t0=$(now)
    # shellcheck disable=SC2086
    "$DOPPEL" dedup --threads "$threads" --stats "$prefix.stats.json" \
        --clusters "$prefix.clusters.jsonl" -q $DOPPEL_ARGS "$@" "$corpus" \
        >"$TMP/stdout" 2>"$TMP/stderr" || rc=$?
    t1=$(now)
    if [ $rc -ne 0 ]; then
        echo "e2e.sh: doppel failed (exit $rc) on $corpus with --threads $threads:" >&2
        tail -n 20 "$TMP/stderr" >&2
        exit 1
    fi
    local clusters=-
    [ -f "$prefix.clusters.jsonl" ] && clusters=$(wc -l <"$prefix.clusters.jsonl" | tr -d ' ')
    stats_line "$prefix.stats.json" "$(python3 -c "print($t1 - $t0)")" "$clusters"
}

if [ $SMALL -eq 1 ]; then
    echo "doppel e2e: $DOPPEL  (best of $REPS runs; MB = 10^6 uncompressed input bytes)"
    [ -n "$DOPPEL_ARGS" ] && echo "extra args: $DOPPEL_ARGS"
    header
    for name in reuters21578 20newsgroups bbc; do
        corpus="$CORPORA/$name.jsonl.zst"
        if [ ! -f "$corpus" ]; then
            echo "e2e.sh: $corpus missing; skipped" >&2
            continue
        fi
        for t in $THREADS; do
            best=""
            for rep in $(seq 1 "$REPS"); do
                line=$(run_doppel "$TMP/run" "$t" "$corpus")
                if [ -z "$best" ] || python3 -c "import sys; sys.exit(0 if float('${line%% *}') < float('${best%% *}') else 1)"; then
                    best=$line
                fi
            done
            fmt_row "$name" "$t" "$best"
        done
    done
fi

if [ $SCALE -eq 1 ]; then
    mkdir -p "$SCALE_OUT"
    if [ -z "$SCALE_CORPUS" ]; then
        SCALE_CORPUS="$SCALE_OUT/corpus-1m.jsonl"
        [ "$SCALE_DOCS" != 1000000 ] && SCALE_CORPUS="$SCALE_OUT/corpus-$SCALE_DOCS.jsonl"
    fi
    truth=${SCALE_CORPUS%.zst}
    truth=${truth%.gz}
    truth=${truth%.jsonl}.truth.jsonl
    echo
    if [ ! -f "$SCALE_CORPUS" ] || [ ! -f "$truth" ]; then
        echo "building synthetic corpus ($SCALE_DOCS docs) -> $SCALE_CORPUS"
        python3 "$HERE/make_corpus.py" --docs "$SCALE_DOCS" --out "$SCALE_CORPUS" --truth "$truth"
    fi
    prefix="$SCALE_OUT/scale"
    echo "doppel scale run: $SCALE_CORPUS  (--threads $SCALE_THREADS; outputs $prefix.*)"
    [ -n "$DOPPEL_ARGS" ] && echo "extra args: $DOPPEL_ARGS"
    line=$(run_doppel "$prefix" "$SCALE_THREADS" "$SCALE_CORPUS" --pairs "$prefix.pairs.jsonl")
    read -r _secs _bytes docs rss _cl <<<"$line"
    per_doc=$(python3 -c "print(f'{$rss / max(1, $docs):.0f}')")
    header "RSS B/doc"
    name=$(basename "$SCALE_CORPUS"); name=${name%%.*}
    fmt_row "$name" "$SCALE_THREADS" "$line" "$per_doc"
    echo "peak memory per document: $per_doc bytes ($rss peak RSS bytes / $docs documents read)"
    echo
    score_args=(--truth "$truth" --clusters "$prefix.clusters.jsonl"
                --pairs "$prefix.pairs.jsonl" --json "$prefix.score.json")
    [ $CORPUS_CHECK -eq 1 ] && score_args+=(--corpus "$SCALE_CORPUS")
    python3 "$HERE/score_planted.py" "${score_args[@]}"
fi
