#!/usr/bin/python3
"""doppel.datasketch against datasketch, side by side in one process, on the word 5-grams of every
20 Newsgroups post (../shared/corpora/20newsgroups.jsonl.zst).

Workloads (num_perm=128, seed 1, one thread, the process pinned to one CPU):
  bulk         MinHash.bulk(grams of every post)
  update_batch one MinHash per post: template.copy(), then update_batch(grams) (what bulk does
               inside datasketch)
  lsh@T        MinHashLSH(threshold=T): insert every post's MinHash, then query every one
  forest       MinHashLSHForest(num_perm=128, l=8): add every post's MinHash, index(), then
               query(m, 10) for every one

Both libraries run each workload once per round, in alternating order (datasketch first in odd
rounds, doppel first in even ones), so that a busy spell of this shared machine falls on both;
the report gives min / median / max seconds of each and of the per-round ratio. Before timing,
the outputs are checked equal: every hash value, and every query's answer.

    PYTHONPATH=build/python/python:/path/to/datasketch /usr/bin/python3 bench/datasketch_vs_doppel.py
    ... --memory      # RSS of 1M LeanMinHash (128 values) in each library, in child processes
    ... --lsh-only    # the MinHashLSH and forest workloads only (more rounds in the same time)

The datasketch package comes from PYTHONPATH or DOPPEL_DATASKETCH_PATH (a source checkout).
"""

import argparse
import gc
import json
import os
import statistics
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEFAULT_CORPUS = os.path.join(ROOT, "..", "shared", "corpora", "20newsgroups.jsonl.zst")


def import_both():
    path = os.environ.get("DOPPEL_DATASKETCH_PATH")
    if path:
        sys.path.insert(0, path)
    import datasketch  # noqa: E402

    import doppel.datasketch  # noqa: E402

    return datasketch, doppel.datasketch


def five_grams(corpus):
    """Each post's word 5-grams (split on whitespace, joined by one space) as UTF-8 bytes; a post
    of fewer than 5 words is one gram of all its words."""
    raw = subprocess.run(["zstd", "-dc", corpus], check=True, capture_output=True).stdout
    posts = []
    for line in raw.splitlines():
        words = json.loads(line)["text"].split()
        n = max(1, len(words) - 4)
        posts.append([" ".join(words[i : i + 5]).encode("utf-8") for i in range(n)])
    return posts


def run_bulk(lib, posts):
    return lib.MinHash.bulk(posts, num_perm=128)


def run_update_batch(lib, posts):
    template = lib.MinHash(num_perm=128)
    out = []
    for grams in posts:
        m = template.copy()
        m.update_batch(grams)
        out.append(m)
    return out


def run_lsh(lib, minhashes, threshold):
    lsh = lib.MinHashLSH(threshold=threshold, num_perm=128)
    t = time.perf_counter()
    for i, m in enumerate(minhashes):
        lsh.insert(i, m)
    answers = [lsh.query(m) for m in minhashes]
    return time.perf_counter() - t, answers


def run_forest(lib, minhashes):
    forest = lib.MinHashLSHForest(num_perm=128, l=8)
    t = time.perf_counter()
    for i, m in enumerate(minhashes):
        forest.add(i, m)
    forest.index()
    answers = [forest.query(m, 10) for m in minhashes]
    return time.perf_counter() - t, answers


def timed(f, *args):
    gc.collect()
    t = time.perf_counter()
    out = f(*args)
    return time.perf_counter() - t, out


def spread(xs):
    return f"{min(xs):.3f} / {statistics.median(xs):.3f} / {max(xs):.3f}"


def benchmark(args):
    ds, dd = import_both()
    libs = {"datasketch": ds, "doppel": dd}
    posts = five_grams(args.corpus)
    grams = sum(len(p) for p in posts)
    print(f"20 Newsgroups: {len(posts)} posts, {grams} word 5-grams; num_perm=128; "
          f"{args.rounds} rounds; CPU {sorted(os.sched_getaffinity(0))}")
    print(f"doppel kernel: {__import__('doppel')._doppel.datasketch.kernel()}")

    # Equal outputs, checked once.
    minhashes = {name: run_bulk(lib, posts) for name, lib in libs.items()}
    for x, y in zip(minhashes["datasketch"], minhashes["doppel"]):
        assert x.hashvalues.tolist() == y.hashvalues.tolist(), "hash values differ"
    for x, y in zip(run_update_batch(ds, posts[:2000]), run_update_batch(dd, posts[:2000])):
        assert x.hashvalues.tolist() == y.hashvalues.tolist(), "update_batch differs"
    for threshold in args.thresholds:
        _, a = run_lsh(ds, minhashes["datasketch"], threshold)
        _, b = run_lsh(dd, minhashes["doppel"], threshold)
        assert all(sorted(x) == sorted(y) for x, y in zip(a, b)), "LSH answers differ"
        print(f"lsh@{threshold}: answers equal; mean answer {sum(map(len, a)) / len(a):.2f} keys")
    _, a = run_forest(ds, minhashes["datasketch"])
    _, b = run_forest(dd, minhashes["doppel"])
    assert all(set(x) == set(y) for x, y in zip(a, b)), "forest answers differ"
    print(f"forest: answers equal; mean answer {sum(map(len, a)) / len(a):.2f} keys")

    workloads = [("bulk", lambda lib, name: timed(run_bulk, lib, posts)[0]),
                 ("update_batch", lambda lib, name: timed(run_update_batch, lib, posts)[0])]
    for threshold in args.thresholds:
        workloads.append((f"lsh@{threshold}",
                          lambda lib, name, t=threshold: run_lsh(lib, minhashes[name], t)[0]))
    workloads.append(("forest", lambda lib, name: run_forest(lib, minhashes[name])[0]))
    if args.lsh_only:
        workloads = workloads[2:]
    seconds = {(w, name): [] for w, _ in workloads for name in libs}
    ratios = {w: [] for w, _ in workloads}
    for r in range(args.rounds):
        order = ["datasketch", "doppel"] if r % 2 == 0 else ["doppel", "datasketch"]
        for w, f in workloads:
            took = {}
            for name in order:
                gc.collect()
                took[name] = f(libs[name], name)
                seconds[(w, name)].append(took[name])
            ratios[w].append(took["datasketch"] / took["doppel"])
        print(f"round {r + 1}: " + ", ".join(
            f"{w} {seconds[(w, 'datasketch')][-1]:.3f}/{seconds[(w, 'doppel')][-1]:.3f} s"
            for w, _ in workloads), flush=True)

    print()
    print("| workload | datasketch s (min / median / max) | doppel s (min / median / max) | speed-up (min / median / max) |")
    print("|---|---|---|---|")
    for w, _ in workloads:
        print(f"| {w} | {spread(seconds[(w, 'datasketch')])} | {spread(seconds[(w, 'doppel')])} | "
              f"{min(ratios[w]):.1f}x / {statistics.median(ratios[w]):.1f}x / {max(ratios[w]):.1f}x |")
    if args.lsh_only:
        return
    bulk = seconds[("bulk", "doppel")]
    print(f"\ndoppel bulk: {grams / statistics.median(bulk) / 1e6:.1f} M grams/s, "
          f"{len(posts) / statistics.median(bulk):,.0f} posts/s (median)")


MEMORY_CHILD = r"""
import gc, sys, numpy as np
def rss():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * 4096
lib = sys.argv[1]
if lib == "doppel":
    from doppel.datasketch import LeanMinHash
else:
    from datasketch import LeanMinHash
n, k = int(sys.argv[2]), 128
rng = np.random.default_rng(1)
block = rng.integers(0, 2**32, size=(1000, k), dtype=np.uint64)
gc.collect()
before = rss()
held = [LeanMinHash(seed=1, hashvalues=block[i % 1000]) for i in range(n)]
gc.collect()
after = rss()
print((after - before) / n)
"""


def memory(args):
    path = os.environ.get("DOPPEL_DATASKETCH_PATH")
    env = dict(os.environ)
    if path:
        env["PYTHONPATH"] = env.get("PYTHONPATH", "") + os.pathsep + path
    print(f"RSS growth per LeanMinHash, {args.documents:,} held, 128 hash values (1,024 bytes of "
          f"uint64) each:")
    for lib in ("datasketch", "doppel"):
        out = subprocess.run([sys.executable, "-c", MEMORY_CHILD, lib, str(args.documents)],
                             check=True, capture_output=True, text=True, env=env).stdout
        per = float(out)
        print(f"  {lib:10s} {per:,.0f} bytes/document ({per - 1024:,.0f} beyond the values), "
              f"{per * args.documents / 2**20:,.0f} MiB")


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--corpus", default=DEFAULT_CORPUS)
    p.add_argument("--rounds", type=int, default=5)
    p.add_argument("--thresholds", type=float, nargs="+", default=[0.5, 0.9])
    p.add_argument("--lsh-only", action="store_true", help="time the MinHashLSH and forest workloads only")
    p.add_argument("--memory", action="store_true", help="measure memory instead of time")
    p.add_argument("--documents", type=int, default=1_000_000)
    args = p.parse_args()
    if args.rounds < 1 or args.documents < 1:
        p.error("--rounds and --documents must be positive")
    os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})  # one core
    if args.memory:
        memory(args)
        return
    if not os.path.exists(args.corpus):
        sys.exit(f"datasketch_vs_doppel.py: corpus not found at {args.corpus}")
    benchmark(args)


if __name__ == "__main__":
    main()
