#!/bin/bash
# Strong scaling of a doppel job under MPI: one corpus, the job run on 1, 2, 4, ... ranks of one
# thread each (and, for comparison, one process with as many threads), in alternating rounds so
# that a noisy machine hurts every size alike. Prints each size's wall seconds (median, best,
# worst), its speed-up over one rank, and checks that every run's outputs are byte-identical to
# those of one plain process (no mpirun).
#
#   bench/mpi_scaling.sh CORPUS [--job dedup|reuse] [--ranks "1 2 4 8 16"] [--reps 3]
#                        [--threads "THREAD COUNTS", default: the rank counts]
#                        [--doppel PATH] [--mpirun "mpirun ..."] [-- extra doppel options]
#
# Example (docs/scale-out.md): bench/mpi_scaling.sh build/bench/corpus-1m.jsonl --ranks "1 2 4 8 16"
set -euo pipefail

corpus=""
job=dedup
ranks="1 2 4 8 16"
threads=""
reps=3
doppel=build/release/doppel
mpirun="mpirun --oversubscribe --bind-to none"
extra=()
while [ $# -gt 0 ]; do
  case "$1" in
    --job) job=$2; shift 2 ;;
    --ranks) ranks=$2; shift 2 ;;
    --threads) threads=$2; shift 2 ;;
    --reps) reps=$2; shift 2 ;;
    --doppel) doppel=$2; shift 2 ;;
    --mpirun) mpirun=$2; shift 2 ;;
    --) shift; extra=("$@"); break ;;
    -h|--help) sed -n '2,13p' "$0"; exit 0 ;;
    *) if [ -z "$corpus" ]; then corpus=$1; shift; else echo "unexpected argument: $1" >&2; exit 2; fi ;;
  esac
done
[ -n "$threads" ] || threads=$ranks
[ -n "$corpus" ] || { echo "usage: bench/mpi_scaling.sh CORPUS [options] (--help)" >&2; exit 2; }
[ -e "$corpus" ] || { echo "$corpus: no such file" >&2; exit 2; }
[ -x "$doppel" ] || { echo "$doppel: not built (cmake --preset release && cmake --build build/release)" >&2; exit 2; }
[ "$(id -u)" = 0 ] && mpirun="$mpirun --allow-run-as-root"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

case "$job" in
  dedup) outputs=(--clusters c.jsonl --pairs p.jsonl --removed r.jsonl --output o.jsonl) ;;
  reuse) outputs=(--pairs p.jsonl --clusters c.jsonl --documents d.jsonl) ;;
  *) echo "--job: dedup or reuse" >&2; exit 2 ;;
esac

# Runs the job into directory $1 with $2 threads; the rest of the arguments (mpirun and its
# options, or nothing) prefix the doppel command.
run_job() {
  local dir=$1 threads=$2
  shift 2
  mkdir -p "$dir"
  local args=() i
  for ((i = 0; i < ${#outputs[@]}; i += 2)); do args+=("${outputs[i]}" "$dir/${outputs[i + 1]}"); done
  "$@" "$doppel" "$job" "$corpus" "${args[@]}" --threads "$threads" -q "${extra[@]}" \
    >"$work/log" 2>&1 || { echo "failed: $* $doppel $job ..." >&2; cat "$work/log" >&2; exit 1; }
}

# The reference: one plain process.
run_job "$work/ref" 1
ref_sum=$(cd "$work/ref" && sha256sum ./* | sha256sum)

runs=()
for n in $ranks; do runs+=("ranks-$n"); done
for n in $threads; do runs+=("threads-$n"); done

declare -A times
for ((rep = 1; rep <= reps; rep++)); do
  for run in "${runs[@]}"; do
    kind=${run%-*}
    n=${run#*-}
    dir="$work/$run"
    rm -rf "$dir"
    start=$(date +%s.%N)
    if [ "$kind" = ranks ]; then
      # shellcheck disable=SC2086  # $mpirun is a command with its options
      run_job "$dir" 1 $mpirun -np "$n"
    else
      run_job "$dir" "$n"
    fi
    end=$(date +%s.%N)
    times[$run]+="$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.3f", b - a }') "
    sum=$(cd "$dir" && sha256sum ./* | sha256sum)
    [ "$sum" = "$ref_sum" ] || { echo "outputs of $run differ from one process" >&2; exit 1; }
    rm -rf "$dir"
  done
done
echo "corpus $corpus, job $job, $reps rounds, $(nproc) CPUs; outputs of every run identical to one process"
printf '%-24s %8s %8s %8s %8s\n' "run" "median" "best" "worst" "speed-up"
base=""
for run in "${runs[@]}"; do
  kind=${run%-*}
  n=${run#*-}
  sorted=$(echo "${times[$run]}" | tr ' ' '\n' | grep . | sort -g)
  count=$(echo "$sorted" | wc -l)
  median=$(echo "$sorted" | sed -n "$(((count + 1) / 2))p")
  best=$(echo "$sorted" | head -1)
  worst=$(echo "$sorted" | tail -1)
  [ -n "$base" ] || base=$median
  if [ "$kind" = ranks ]; then label="$n ranks x 1 thread"; else label="1 process x $n threads"; fi
  printf '%-24s %8.2f %8.2f %8.2f %7.2fx\n' "$label" "$median" "$best" "$worst" \
    "$(awk -v a="$base" -v b="$median" 'BEGIN { print a / b }')"
done
