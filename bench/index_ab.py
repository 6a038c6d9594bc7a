#!/usr/bin/env python3
"""Times `doppel index add` of one corpus into a fresh index with two or more builds, in
alternating rounds (A B, then B A, ...), so that a busy spell of the shared machine falls on all
of them alike; prints each build's wall time and the add's own steps (the summary's `seconds`
line) as min / median / max, and checks that every run answered byte-identically.

Usage:
  python3 bench/index_ab.py [--rounds 2] [--threads 0] [--skip-passages] [--work DIR] CORPUS BINARY...

BINARY is a doppel or doppel-index executable (for example a copy of build/release/doppel-index
kept from before a change). Each run adds CORPUS to WORK/ab.idx, deleted before and after, with
`--progress never --answers WORK/answers.jsonl`. Example (docs/index.md, "How fast"):
  cp build/release/doppel-index /tmp/doppel-before   # ... change, rebuild ...
  python3 bench/index_ab.py build/bench/corpus-1m.jsonl /tmp/doppel-before build/release/doppel-index
"""
import argparse
import filecmp
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

STEPS = ("read+sketch", "look-up", "compare", "commit", "publish")


def add_once(binary, corpus, work, threads, skip_passages):
    index = os.path.join(work, "ab.idx")
    answers = os.path.join(work, "answers.jsonl")
    shutil.rmtree(index, ignore_errors=True)
    cmd = [binary, "index", "add", index, corpus, "--progress", "never", "--answers", answers]
    if threads:
        cmd += ["--threads", str(threads)]
    if skip_passages:
        cmd += ["--skip-passages"]
    start = time.perf_counter()
    run = subprocess.run(cmd, capture_output=True, text=True)
    wall = time.perf_counter() - start
    shutil.rmtree(index, ignore_errors=True)
    if run.returncode != 0:
        sys.exit(f"index_ab.py: {' '.join(cmd)} failed ({run.returncode}):\n{run.stderr}")
    m = re.search(r"seconds\s+" + r",\s+".join(re.escape(s) + r" ([\d.]+)" for s in STEPS),
                  run.stderr)
    if m is None:
        sys.exit(f"index_ab.py: no 'seconds' line in the summary of {binary}:\n{run.stderr}")
    times = {"wall": wall}
    times.update(zip(STEPS, map(float, m.groups())))
    return times, answers


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("corpus")
    p.add_argument("binaries", nargs="+")
    p.add_argument("--rounds", type=int, default=2)
    p.add_argument("--threads", type=int, default=0, help="--threads for the add (0: its default)")
    p.add_argument("--skip-passages", action="store_true",
                   help="time bulk loads (doppel index add --skip-passages)")
    p.add_argument("--work", help="folder for the index and answers (default: a temporary one)")
    args = p.parse_args()
    if args.rounds < 1:
        sys.exit("index_ab.py: --rounds must be at least 1")
    for b in args.binaries:
        if not os.access(b, os.X_OK):
            sys.exit(f"index_ab.py: {b} is not an executable")
    if not os.path.isfile(args.corpus):
        sys.exit(f"index_ab.py: {args.corpus} not found")
    work = args.work or tempfile.mkdtemp(prefix="index_ab.")
    os.makedirs(work, exist_ok=True)
    reference = os.path.join(work, "answers.first.jsonl")
    if os.path.exists(reference):  # left by an earlier call with the same --work
        os.remove(reference)
    results = {b: [] for b in args.binaries}
    for r in range(args.rounds):
        order = args.binaries if r % 2 == 0 else list(reversed(args.binaries))
        for b in order:
            times, answers = add_once(b, args.corpus, work, args.threads, args.skip_passages)
            results[b].append(times)
            if not os.path.exists(reference):
                os.replace(answers, reference)
            elif not filecmp.cmp(answers, reference, shallow=False):
                sys.exit(f"index_ab.py: {b} answered differently from the first run "
                         f"(round {r + 1}; kept in {answers})")
            print(f"round {r + 1}: {b}: {times['wall']:.2f} s", file=sys.stderr)
    print(f"{args.corpus}: {args.rounds} rounds, answers identical; seconds, min / median / max")
    for b in args.binaries:
        cells = []
        for key in ("wall",) + STEPS:
            v = [t[key] for t in results[b]]
            cells.append(f"{key} {min(v):.2f} / {statistics.median(v):.2f} / {max(v):.2f}")
        print(f"{b}\n  " + "\n  ".join(cells))
    if not args.work:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
