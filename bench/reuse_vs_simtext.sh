#!/usr/bin/env bash
# `doppel reuse` against sim_text (Debian package similarity-tester): speed and
# coverage of shared passages on the shared corpora.
#
# Usage: bench/reuse_vs_simtext.sh [--reps 3] [--threads "1 2"] [--min-words 20]
#                                  [--corpora "reuters21578 20newsgroups"]
#                                  [--spans words|lines] [--input zst|jsonl]
#
# For each corpus:
#   1. exports it to one file per document (bench/simtext.py export; cached in
#      $OUT/NAME, redone only when the corpus changes);
#   2. times, best of --reps each, sim_text over the exported files
#      (sim_text -r MIN_WORDS -s -n -T -i < files.txt, run in the docs folder)
#      and `doppel reuse CORPUS --threads T --pairs P -q` for each T (skipped,
#      with a message, while the binary or its `reuse` subcommand does not
#      exist), in rounds: each round runs every command once, so that a busy
#      spell of the host falls on both tools alike. CORPUS is the shared
#      .jsonl.zst, or with --input jsonl that file decompressed once into
#      $OUT/NAME/corpus.jsonl (plain text, as sim_text's exported files are:
#      no decompression timed);
#   3. converts sim_text's report into passage pairs (bench/simtext.py parse);
#   4. compares the passage pairs (bench/simtext.py compare, doppel's pairs of
#      the first thread count);
# then prints a markdown table with the timings, speedups and coverage, and
# the exact commands. Everything is left in $OUT/NAME.
#
# Environment:
#   DOPPEL       doppel binary                  (default: build/release/doppel)
#   DOPPEL_ARGS  extra arguments for `doppel reuse`
#   SIM_TEXT     sim_text binary                (default: sim_text on PATH)
#   CORPORA      shared corpora directory       (default: ../shared/corpora)
#   OUT          exports and results            (default: build/bench/simtext)
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(dirname "$HERE")
DOPPEL=${DOPPEL:-$ROOT/build/release/doppel}
DOPPEL_ARGS=${DOPPEL_ARGS:-}
SIM_TEXT=${SIM_TEXT:-sim_text}
CORPORA=${CORPORA:-$ROOT/../shared/corpora}
OUT=${OUT:-$ROOT/build/bench/simtext}

REPS=3
THREADS="1 2"
MIN_WORDS=20
CORPUS_NAMES="reuters21578 20newsgroups"
SPANS=words
INPUT=zst

usage() { sed -n '2,/^set -euo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//'; }

while [ $# -gt 0 ]; do
    case "$1" in
        --reps) REPS=$2; shift 2 ;;
        --threads) THREADS=$2; shift 2 ;;
        --min-words) MIN_WORDS=$2; shift 2 ;;
        --corpora) CORPUS_NAMES=$2; shift 2 ;;
        --spans) SPANS=$2; shift 2 ;;
        --input) INPUT=$2; shift 2 ;;
        -h|--help) usage; exit 0 ;;
        *) echo "reuse_vs_simtext.sh: unknown argument: $1" >&2; usage >&2; exit 2 ;;
    esac
done
bad_usage() { echo "reuse_vs_simtext.sh: $1" >&2; exit 2; }
case "$INPUT" in
    zst|jsonl) ;;
    *) bad_usage "--input must be zst or jsonl, not $INPUT" ;;
esac
case "$SPANS" in
    words|lines) ;;
    *) bad_usage "--spans must be words or lines, not $SPANS" ;;
esac
positive() { [[ "$1" =~ ^[1-9][0-9]*$ ]]; }
positive "$REPS" || bad_usage "--reps must be a positive integer, not $REPS"
positive "$MIN_WORDS" || bad_usage "--min-words must be a positive integer, not $MIN_WORDS"
[ -n "$THREADS" ] || bad_usage "--threads needs at least one thread count"
for t in $THREADS; do positive "$t" || bad_usage "--threads takes positive integers, not $t"; done
[ "$(tr ' ' '\n' <<<"$THREADS" | sed '/^$/d' | sort | uniq -d)" = "" ] ||
    bad_usage "--threads repeats a thread count: $THREADS"

if [ ! -d "$CORPORA" ]; then
    echo "reuse_vs_simtext.sh: shared corpora not found at $CORPORA; skipped"
    exit 0
fi
if ! command -v "$SIM_TEXT" >/dev/null 2>&1; then
    echo "reuse_vs_simtext.sh: $SIM_TEXT not found; install it with: apt-get install similarity-tester" >&2
    exit 1
fi
command -v zstd >/dev/null 2>&1 || { echo "reuse_vs_simtext.sh: zstd not found" >&2; exit 1; }

SIMTEXT_PY=(python3 "$HERE/simtext.py")

# doppel is compared only once `doppel reuse` exists (listed in its --help).
DOPPEL_OK=0
if [ ! -x "$DOPPEL" ]; then
    echo "doppel: binary not found at $DOPPEL; doppel reuse skipped (build build/release/doppel or set DOPPEL)"
elif ! { "$DOPPEL" --help 2>/dev/null || true; } | grep -E '^[[:space:]]+reuse([[:space:]]|$)' >/dev/null; then
    echo "doppel: $DOPPEL has no 'reuse' subcommand yet; doppel reuse skipped"
else
    DOPPEL_OK=1
fi
read -r -a EXTRA <<<"$DOPPEL_ARGS"
FIRST_T=${THREADS%% *}

dirs=()
for name in $CORPUS_NAMES; do
    corpus="$CORPORA/$name.jsonl.zst"
    if [ ! -f "$corpus" ]; then
        echo "reuse_vs_simtext.sh: $corpus missing; skipped" >&2
        continue
    fi
    d="$OUT/$name"
    echo "== $name"
    "${SIMTEXT_PY[@]}" export "$corpus" "$d"
    # The export writes some 19,000 files; their writeback (due 30 s later) would otherwise land
    # in the middle of the timed runs, on the same two cores.
    sync
    # results of earlier runs must not show up in this run's table
    rm -f "$d"/doppel.t*.time.json "$d"/doppel.t*.pairs.jsonl "$d/compare.json"
    also=()
    if [ $DOPPEL_OK -eq 1 ]; then
        input=$corpus
        if [ "$INPUT" = jsonl ]; then
            input=$d/corpus.jsonl
            if [ ! -f "$input" ] || [ "$corpus" -nt "$input" ]; then
                if ! zstd -q -d -c "$corpus" >"$input.tmp"; then
                    echo "reuse_vs_simtext.sh: cannot decompress $corpus" >&2
                    exit 1
                fi
                mv "$input.tmp" "$input"
            fi
            sync
        fi
        # doppel is timed in the same rounds as sim_text: a run of each per round. Each command is
        # one string for simtext.py's shlex.split: every word in POSIX single quotes, which it
        # reads back exactly (bash's printf %q may write $'...', which it does not).
        quote() { local w; for w in "$@"; do printf "'%s' " "${w//\'/\'\\\'\'}"; done; }
        for t in $THREADS; do
            cmd=$(quote "$DOPPEL" reuse "$input" --threads "$t" \
                --pairs "$d/doppel.t$t.pairs.jsonl" -q ${EXTRA[@]+"${EXTRA[@]}"})
            also+=(--also "$d/doppel.t$t.time.json" "$cmd")
        done
    fi
    "${SIMTEXT_PY[@]}" run "$d" --min-words "$MIN_WORDS" --reps "$REPS" \
        --sim-text "$SIM_TEXT" --json "$d/simtext.time.json" ${also[@]+"${also[@]}"}
    "${SIMTEXT_PY[@]}" parse "$d" "$d/simtext.raw" --spans "$SPANS" --json "$d/simtext.parse.json"
    if [ $DOPPEL_OK -eq 1 ]; then
        for t in $THREADS; do
            n_t=$(wc -l <"$d/doppel.t$t.pairs.jsonl" | tr -d ' ')
            n_first=$(wc -l <"$d/doppel.t$FIRST_T.pairs.jsonl" | tr -d ' ')
            if [ "$n_t" != "$n_first" ]; then
                echo "note: doppel wrote $n_t pairs with --threads $t but $n_first with --threads $FIRST_T"
            fi
        done
        "${SIMTEXT_PY[@]}" compare --ours "$d/doppel.t$FIRST_T.pairs.jsonl" \
            --theirs "$d/simtext.pairs.jsonl" --json "$d/compare.json"
    fi
    dirs+=("$d")
    echo
done

[ ${#dirs[@]} -gt 0 ] || { echo "reuse_vs_simtext.sh: no corpus found in $CORPORA; skipped"; exit 0; }
echo "sim_text -r $MIN_WORDS (runs of >= $MIN_WORDS words shared by two files) vs doppel reuse;" \
     "wall clock, best of $REPS; speedup = sim_text s / doppel s; coverage from doppel's pairs with" \
     "--threads $FIRST_T ($SPANS spans for sim_text); doppel reads" \
     "$([ "$INPUT" = jsonl ] && echo "the corpus decompressed beforehand (.jsonl)" || echo "the .jsonl.zst")"
[ $DOPPEL_OK -eq 1 ] || echo "(doppel reuse skipped: no timings or coverage for it)"
echo
"${SIMTEXT_PY[@]}" summary "${dirs[@]}"
