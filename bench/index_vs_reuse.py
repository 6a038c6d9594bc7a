#!/usr/bin/env python3
"""How far the passages of `doppel index add` agree with those of `doppel reuse` on one corpus.

Both see the documents in the same order. doppel reuse reports pairs (a, b) with a span in each;
the index answers each document with its passages shared with *earlier* documents. So both are
read as: for each document d, the earlier documents it shares text with (document pairs), and the
code points of d covered by text shared with earlier ones (characters).

    bench/index_vs_reuse.py --doppel build/release/doppel --corpus ../shared/corpora/NAME.jsonl.zst

prints one JSON line: pairs of each, found by both, and covered characters of each and of both.
Needs python3 only; writes its files under --work (default build/bench/agreement).
"""
import argparse
import json
import os
import subprocess
import sys
import time


def union_length(spans):
    spans = sorted(spans)
    total, end = 0, -1
    for b, e in spans:
        if e <= end:
            continue
        total += e - max(b, end)
        end = e
    return total


def intersect_length(a, b):
    """Code points covered by both span lists."""
    def merged(spans):
        out = []
        for s, e in sorted(spans):
            if out and s <= out[-1][1]:
                out[-1][1] = max(out[-1][1], e)
            else:
                out.append([s, e])
        return out
    x, y = merged(a), merged(b)
    i = j = total = 0
    while i < len(x) and j < len(y):
        lo, hi = max(x[i][0], y[j][0]), min(x[i][1], y[j][1])
        if lo < hi:
            total += hi - lo
        if x[i][1] < y[j][1]:
            i += 1
        else:
            j += 1
    return total


def main():
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--doppel", default=os.path.join(root, "build/release/doppel"))
    p.add_argument("--corpus", required=True)
    p.add_argument("--work", default=os.path.join(root, "build/bench/agreement"))
    p.add_argument("--index-flags", default="", help="more flags of index add, as one string")
    args = p.parse_args()
    if not os.path.exists(args.corpus):
        print(f"{args.corpus} not found: skipped")
        return 0
    name = os.path.basename(args.corpus).split(".")[0]
    work = os.path.join(args.work, name)
    subprocess.run(["rm", "-rf", work], check=True)
    os.makedirs(work)
    pairs_file, answers_file = f"{work}/reuse.pairs.jsonl", f"{work}/index.answers.jsonl"
    t0 = time.time()
    subprocess.run([args.doppel, "reuse", args.corpus, "--pairs", pairs_file, "-q"], check=True)
    t1 = time.time()
    subprocess.run([args.doppel, "index", "add", f"{work}/index", args.corpus, "--answers",
                    answers_file, "-q"] + args.index_flags.split(), check=True)
    t2 = time.time()

    order, index_pairs, index_spans = {}, set(), {}
    with open(answers_file) as f:
        for line in f:
            a = json.loads(line)
            if not a.get("added"):
                continue
            d = a["id"]
            order[d] = len(order)
            for passage in a["passages"]:
                index_spans.setdefault(d, []).append((passage["begin"], passage["end"]))
                for h in passage["earlier"]:
                    index_pairs.add((d, h["id"]))
    reuse_pairs, reuse_spans = set(), {}
    with open(pairs_file) as f:
        for line in f:
            r = json.loads(line)
            a, b = r["a"], r["b"]
            if a not in order or b not in order or a == b:
                continue
            if order[a] > order[b]:  # a is the later one
                later, span, earlier = a, (r["a_begin"], r["a_end"]), b
            else:
                later, span, earlier = b, (r["b_begin"], r["b_end"]), a
            reuse_pairs.add((later, earlier))
            reuse_spans.setdefault(later, []).append(span)
    both_pairs = index_pairs & reuse_pairs
    chars_index = sum(union_length(s) for s in index_spans.values())
    chars_reuse = sum(union_length(s) for s in reuse_spans.values())
    chars_both = sum(intersect_length(s, index_spans[d]) for d, s in reuse_spans.items()
                     if d in index_spans)
    docs_reuse = set(reuse_spans)
    docs_index = set(index_spans)
    print(json.dumps({
        "corpus": name, "documents": len(order), "index_flags": args.index_flags,
        "reuse_seconds": round(t1 - t0, 2), "index_add_seconds": round(t2 - t1, 2),
        "pairs_reuse": len(reuse_pairs), "pairs_index": len(index_pairs),
        "pairs_both": len(both_pairs),
        "pairs_reuse_found_by_index": round(len(both_pairs) / max(1, len(reuse_pairs)), 4),
        "pairs_index_found_by_reuse": round(len(both_pairs) / max(1, len(index_pairs)), 4),
        "docs_with_reuse_reuse": len(docs_reuse), "docs_with_reuse_index": len(docs_index),
        "docs_both": len(docs_reuse & docs_index),
        "chars_reuse": chars_reuse, "chars_index": chars_index, "chars_both": chars_both,
        "chars_reuse_covered_by_index": round(chars_both / max(1, chars_reuse), 4),
        "chars_index_covered_by_reuse": round(chars_both / max(1, chars_index), 4),
    }))
    return 0


if __name__ == "__main__":
    sys.exit(main())
