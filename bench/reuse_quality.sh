#!/usr/bin/env bash
# How good `doppel reuse`'s passages are, every measure on every corpus in one run.
#
# Usage: bench/reuse_quality.sh [--only "seeds bbc reuters21578 20newsgroups none light heavy
#                                        reordered"]
#
# Runs `doppel reuse` (default options, --threads 2) on
#   seeds        ../shared/corpora/seeds: character precision and recall against
#                ../shared/eval/seeds-truth.json, the clusters (bench/score_seeds.py);
#   bbc, reuters21578, 20newsgroups   the shared .jsonl.zst: cluster purity
#                (bench/passage_purity.py); on 20newsgroups also the span precision and recall
#                of quoted replies (bench/newsgroups_spans.py, its truth cached in build/bench);
#   none, light, heavy, reordered   the planted corpora of bench/make_reuse_corpus.py
#                (built when missing): the PAN measures (bench/score_pan.py);
# and prints one line of numbers per corpus. Outputs are left in $OUT (pairs, clusters,
# documents, and each scorer's full report in NAME.score.txt).
#
# Environment:
#   DOPPEL       doppel binary              (default: build/release/doppel)
#   DOPPEL_ARGS  extra arguments for `doppel reuse`
#   CORPORA      shared corpora directory   (default: ../shared/corpora)
#   OUT          outputs                    (default: build/bench/quality)
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(dirname "$HERE")
DOPPEL=${DOPPEL:-$ROOT/build/release/doppel}
DOPPEL_ARGS=${DOPPEL_ARGS:-}
CORPORA=${CORPORA:-$ROOT/../shared/corpora}
OUT=${OUT:-$ROOT/build/bench/quality}
ONLY="seeds bbc reuters21578 20newsgroups none light heavy reordered"

usage() { sed -n '2,/^set -euo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//'; }
while [ $# -gt 0 ]; do
    case "$1" in
        --only) ONLY=$2; shift 2 ;;
        -h|--help) usage; exit 0 ;;
        *) echo "reuse_quality: unknown argument $1" >&2; exit 2 ;;
    esac
done
for name in $ONLY; do
    case "$name" in
        seeds|bbc|reuters21578|20newsgroups|none|light|heavy|reordered) ;;
        *) echo "reuse_quality: unknown corpus $name" >&2; exit 2 ;;
    esac
done
if [ ! -d "$CORPORA" ]; then
    echo "reuse_quality: $CORPORA not found; skipped"
    exit 0
fi
if [ ! -x "$DOPPEL" ]; then
    echo "reuse_quality: $DOPPEL not found (cmake --preset release && cmake --build build/release)" >&2
    exit 1
fi
mkdir -p "$OUT"

run() {  # NAME INPUT: doppel reuse with every output
    # shellcheck disable=SC2086
    "$DOPPEL" reuse "$2" --threads 2 -q $DOPPEL_ARGS --pairs "$OUT/$1.pairs.jsonl" \
        --clusters "$OUT/$1.clusters.jsonl" --documents "$OUT/$1.documents.jsonl" > /dev/null
}

for name in $ONLY; do
    case "$name" in
        seeds)
            run seeds "$CORPORA/seeds"
            python3 "$HERE/score_seeds.py" --documents "$OUT/seeds.documents.jsonl" \
                --clusters "$OUT/seeds.clusters.jsonl" > "$OUT/seeds.score.txt"
            echo "seeds: $(head -1 "$OUT/seeds.score.txt" | sed 's/^seeds: //');" \
                "$(wc -l < "$OUT/seeds.clusters.jsonl") cluster(s):" \
                "$(tail -n +2 "$OUT/seeds.score.txt" | sed 's/^ *//' | tr '\n' ' ')"
            ;;
        bbc|reuters21578|20newsgroups)
            run "$name" "$CORPORA/$name.jsonl.zst"
            python3 "$HERE/passage_purity.py" --clusters "$OUT/$name.clusters.jsonl" \
                --corpus "$CORPORA/$name.jsonl.zst" > "$OUT/$name.score.txt"
            line="$name: $(head -1 "$OUT/$name.score.txt"); pairs $(wc -l < "$OUT/$name.pairs.jsonl")"
            if [ "$name" = 20newsgroups ]; then
                python3 "$HERE/newsgroups_spans.py" --pairs "$OUT/$name.pairs.jsonl" \
                    --corpus "$CORPORA/$name.jsonl.zst" > "$OUT/$name.spans.txt"
                line="$line; quoted replies: $(grep '^precision' "$OUT/$name.spans.txt")"
            fi
            echo "$line"
            ;;
        none|light|heavy|reordered)
            corpus=$ROOT/build/bench/reuse-$name.jsonl
            if [ ! -f "$corpus" ]; then
                level=$name
                [ "$name" = reordered ] || level=all
                python3 "$HERE/make_reuse_corpus.py" --obfuscation "$level" \
                    --sources "$CORPORA" 2> /dev/null
            fi
            run "$name" "$corpus"
            python3 "$HERE/score_pan.py" --truth "$ROOT/build/bench/reuse-$name.truth.jsonl" \
                --pairs "$OUT/$name.pairs.jsonl" > "$OUT/$name.score.txt"
            echo "$name: $(sed -n 1p "$OUT/$name.score.txt" | xargs) = $(sed -n 2p "$OUT/$name.score.txt" | xargs)"
            ;;
    esac
done
