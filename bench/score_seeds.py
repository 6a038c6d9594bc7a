#!/usr/bin/env python3
"""The user's five seed articles against their hand-made truth: what tests/e2e/reuse_test.cc
(Seeds.ReusedTextMatchesTheTruth) checks, as numbers.

    build/release/doppel reuse ../shared/corpora/seeds --documents D.jsonl --clusters C.jsonl -q
    python3 bench/score_seeds.py --documents D.jsonl --clusters C.jsonl

Character precision and recall of the reused spans of --documents against
../shared/eval/seeds-truth.json (every character counted once, over all five articles), then the
clusters: documents, occurrences and source of each.
"""
import argparse
import json
import os
import sys

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import textnorm  # noqa: E402

DEFAULT_TRUTH = os.path.join(textnorm.repo_root(), "..", "shared", "eval", "seeds-truth.json")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--documents", required=True, help="doppel reuse --documents output")
    ap.add_argument("--clusters", help="doppel reuse --clusters output")
    ap.add_argument("--truth", default=DEFAULT_TRUTH)
    args = ap.parse_args()
    if not os.path.exists(args.truth):
        print(f"score_seeds: {args.truth} not found; skipped")
        return 0
    found = {}
    for _, d in textnorm.read_jsonl(args.documents):
        found[d["id"]] = {c for s in d["spans"] for c in range(s["begin"], s["end"])}
    with open(args.truth, encoding="utf-8") as f:
        truth = {t["file"]: {c for s in t["reused"] for c in range(s["char_begin"], s["char_end"])}
                 for t in json.load(f)}
    tp = sum(len(found.get(k, set()) & t) for k, t in truth.items())
    fp = sum(len(f - truth.get(k, set())) for k, f in found.items())
    fn = sum(len(t - found.get(k, set())) for k, t in truth.items())
    precision = tp / (tp + fp) if tp + fp else 0.0  # nothing found: nothing right
    print(f"seeds: character precision {precision:.4f}, recall {tp / (tp + fn):.4f}")
    if args.clusters:
        for _, c in textnorm.read_jsonl(args.clusters):
            print(f"  cluster {c['cluster']}: {c['documents']} documents, {c['occurrences']} "
                  f"occurrences, source {c['source']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
