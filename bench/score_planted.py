#!/usr/bin/env python3
"""Score doppel's clusters/pairs against the planted truth of make_corpus.py.

Usage:
  bench/score_planted.py --clusters CLUSTERS.jsonl [--pairs PAIRS.jsonl]
                         [--truth TRUTH.jsonl] [--corpus CORPUS.jsonl]
                         [--min-jaccard 0.75] [--threshold 0.8] [--json OUT.json]

Recall: a truth pair (a, b) is "found" when a and b are members of the same
cluster in --clusters. Reported per true-Jaccard band, exact copies separately.

Precision: every reported pair -- each line of --pairs, and separately each
(member, representative) pair of --clusters -- is judged correct when the
true Jaccard of its two documents is >= --min-jaccard. The true Jaccard comes
from the truth file; for pairs not in the truth it is recomputed from the
texts when --corpus is given (the corpus is streamed once and only the needed
documents are kept). Without --corpus such pairs are "unknown"; since the
planted pairs are disjoint and base documents are not near duplicates of each
other, an unknown pair is almost surely a false positive, so two precisions
are printed: over judged pairs only, and with unknown counted as wrong.
Precision is also broken down by the reported similarity.

Input files may be plain, .gz or .zst.
"""

import argparse
import json
import os
import re
import sys

sys.dont_write_bytecode = True  # keep bench/ free of __pycache__
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import textnorm  # noqa: E402

# (label, lo, hi) half-open [lo, hi); the last near band includes 1.0
TRUE_BANDS = [
    ("<0.5", -1.0, 0.5),
    ("0.5-0.6", 0.5, 0.6),
    ("0.6-0.7", 0.6, 0.7),
    ("0.7-0.75", 0.7, 0.75),
    ("0.75-0.8", 0.75, 0.8),
    ("0.8-0.85", 0.8, 0.85),
    ("0.85-0.9", 0.85, 0.9),
    ("0.9-0.95", 0.9, 0.95),
    ("0.95-1.0", 0.95, 1.0000001),
]
EXACT = "exact"

_ID_RE = re.compile(r'"id"\s*:\s*"((?:[^"\\]|\\.)*)"')


def band_of(x):
    for label, lo, hi in TRUE_BANDS:
        if lo <= x < hi:
            return label
    return TRUE_BANDS[-1][0] if x >= 1.0 else TRUE_BANDS[0][0]


def key(a, b):
    return (a, b) if a <= b else (b, a)


def load_truth(path):
    truth = {}
    for _, t in textnorm.read_jsonl(path):
        truth[key(str(t["a"]), str(t["b"]))] = (float(t["jaccard"]), t.get("kind", "near"))
    return truth


def member_id(m):
    return str(m["id"]) if isinstance(m, dict) else str(m)


def load_clusters(path):
    """-> doc->cluster map, list of reported (rep, member, sim, exact), n clusters."""
    doc_cluster = {}
    pairs = []
    n = 0
    for idx, (_, c) in enumerate(textnorm.read_jsonl(path)):
        n += 1
        cid = c.get("cluster", idx)
        kind = c.get("kind", "near")
        members = c.get("members", [])
        rep = c.get("representative")
        rep = str(rep) if rep is not None else (member_id(members[0]) if members else None)
        ids = [member_id(m) for m in members]
        if rep is not None and rep not in ids:
            ids.append(rep)
        for d in ids:
            doc_cluster[d] = cid
        for m in members:
            mid = member_id(m)
            if mid == rep:
                continue
            sim = m.get("similarity") if isinstance(m, dict) else None
            ex = bool(m.get("exact")) if isinstance(m, dict) else False
            pairs.append((rep, mid, sim, ex or kind == "exact"))
    return doc_cluster, pairs, n


def load_pairs(path):
    out = []
    for _, p in textnorm.read_jsonl(path):
        out.append((str(p["a"]), str(p["b"]), p.get("similarity"), bool(p.get("exact", False))))
    return out


def corpus_jaccards(corpus, need_pairs):
    """True Jaccard for pairs, reading only the needed documents of corpus."""
    need = set()
    for a, b in need_pairs:
        need.add(a)
        need.add(b)
    sh = {}
    with textnorm.open_text(corpus) as f:
        for line in f:
            m = _ID_RE.search(line, 0, 300)
            if m is not None:
                raw = m.group(1)
                if (raw if "\\" not in raw else json.loads('"' + raw + '"')) not in need:
                    continue
            if not line.strip():
                continue
            d = json.loads(line)
            did = str(d.get("id"))
            if did in need:
                sh[did] = textnorm.shingles(d.get("text") or "")
    out = {}
    for a, b in need_pairs:
        if a in sh and b in sh:
            out[key(a, b)] = textnorm.jaccard(sh[a], sh[b])
    return out, need - set(sh)


def score_recall(truth, doc_cluster, threshold):
    rows = {label: [0, 0] for label, _, _ in TRUE_BANDS}
    rows[EXACT] = [0, 0]
    thr = [0, 0]
    for (a, b), (j, kind) in truth.items():
        label = EXACT if kind == "exact" else band_of(j)
        found = a in doc_cluster and doc_cluster.get(a) == doc_cluster.get(b)
        rows[label][0] += 1
        rows[label][1] += found
        if kind == "exact" or j >= threshold:
            thr[0] += 1
            thr[1] += found
    bands = []
    for label in [b[0] for b in TRUE_BANDS] + [EXACT]:
        n, f = rows[label]
        if label == "<0.5" and n == 0:
            continue
        bands.append({"band": label, "pairs": n, "found": f,
                      "recall": (f / n) if n else None})
    total = sum(r[0] for r in rows.values())
    found = sum(r[1] for r in rows.values())
    return {"bands": bands, "pairs": total, "found": found,
            "recall": found / total if total else None,
            "threshold": threshold, "pairs_at_threshold": thr[0],
            "found_at_threshold": thr[1],
            "recall_at_threshold": thr[1] / thr[0] if thr[0] else None}


def score_precision(reported, truth, recomputed, min_j):
    """reported: list of (a, b, sim, exact). Duplicate unordered pairs count once."""
    seen = set()
    rows = {}
    order = [b[0] for b in TRUE_BANDS] + [EXACT, "no-similarity"]
    for label in order:
        rows[label] = {"reported": 0, "correct": 0, "wrong": 0, "unknown": 0,
                       "abs_err_sum": 0.0, "abs_err_n": 0}
    for a, b, sim, ex in reported:
        k = key(a, b)
        if k in seen or a == b:
            continue
        seen.add(k)
        if ex:
            label = EXACT
        elif sim is None:
            label = "no-similarity"
        else:
            label = band_of(float(sim))
        r = rows[label]
        r["reported"] += 1
        if k in truth:
            tj = truth[k][0]
        elif k in recomputed:
            tj = recomputed[k]
        else:
            r["unknown"] += 1
            continue
        if tj >= min_j:
            r["correct"] += 1
        else:
            r["wrong"] += 1
        if sim is not None:
            r["abs_err_sum"] += abs(float(sim) - tj)
            r["abs_err_n"] += 1
    bands = []
    tot = {"reported": 0, "correct": 0, "wrong": 0, "unknown": 0, "abs_err_sum": 0.0,
           "abs_err_n": 0}
    for label in order:
        r = rows[label]
        for f in tot:
            tot[f] += r[f]
        if r["reported"] == 0:
            continue
        bands.append(_prec_row(label, r))
    out = _prec_row("all", tot)
    out["bands"] = bands
    out["min_jaccard"] = min_j
    return out


def _prec_row(label, r):
    judged = r["correct"] + r["wrong"]
    return {"band": label, "reported": r["reported"], "correct": r["correct"],
            "wrong": r["wrong"], "unknown": r["unknown"],
            "precision": r["correct"] / judged if judged else None,
            "precision_unknown_as_wrong": (r["correct"] / r["reported"]
                                           if r["reported"] else None),
            "mean_abs_sim_error": (r["abs_err_sum"] / r["abs_err_n"]
                                   if r["abs_err_n"] else None)}


def fmt(x, pct=True):
    if x is None:
        return "-"
    return f"{100 * x:.1f}%" if pct else f"{x:.3f}"


def print_table(headers, rows):
    widths = [max(len(str(h)), *(len(str(r[i])) for r in rows)) if rows else len(str(h))
              for i, h in enumerate(headers)]
    line = "  ".join(str(h).rjust(w) if i else str(h).ljust(w)
                     for i, (h, w) in enumerate(zip(headers, widths)))
    print(line)
    print("-" * len(line))
    for r in rows:
        print("  ".join(str(c).rjust(w) if i else str(c).ljust(w)
                        for i, (c, w) in enumerate(zip(r, widths))))


def print_precision(title, p):
    print()
    print(f"Precision: {title} (correct = true Jaccard >= {p['min_jaccard']}; "
          "band = reported similarity)")
    rows = [[b["band"], b["reported"], b["correct"], b["wrong"], b["unknown"],
             fmt(b["precision"]), fmt(b["precision_unknown_as_wrong"]),
             fmt(b["mean_abs_sim_error"], pct=False)]
            for b in p["bands"] + [p]]
    print_table(["reported sim", "pairs", "correct", "wrong", "unknown", "precision",
                 "prec(unk=wrong)", "mean |sim-true|"], rows)


def main():
    root = textnorm.repo_root()
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--truth", default=os.path.join(root, "build/bench/corpus-1m.truth.jsonl"))
    ap.add_argument("--clusters", required=True, help="doppel --clusters output")
    ap.add_argument("--pairs", help="doppel --pairs output")
    ap.add_argument("--corpus", help="the corpus, to compute true Jaccard of pairs "
                    "not in the truth file")
    ap.add_argument("--min-jaccard", type=float, default=0.75,
                    help="a reported pair is correct if its true Jaccard >= this")
    ap.add_argument("--threshold", type=float, default=0.8,
                    help="also report recall over truth pairs with Jaccard >= this")
    ap.add_argument("--json", help="write all numbers as JSON to this file")
    args = ap.parse_args()

    truth = load_truth(args.truth)
    doc_cluster, cluster_pairs, n_clusters = load_clusters(args.clusters)
    pairs = load_pairs(args.pairs) if args.pairs else None

    recomputed, missing = {}, set()
    if args.corpus:
        need = {key(a, b) for a, b, _, _ in cluster_pairs + (pairs or [])
                if key(a, b) not in truth and a != b}
        if need:
            recomputed, missing = corpus_jaccards(args.corpus, need)

    truth_docs = set()
    for a, b in truth:
        truth_docs.add(a)
        truth_docs.add(b)
    clustered_not_truth = sum(1 for d in doc_cluster if d not in truth_docs)

    rec = score_recall(truth, doc_cluster, args.threshold)
    result = {"truth": args.truth, "clusters_file": args.clusters,
              "pairs_file": args.pairs, "corpus": args.corpus,
              "clusters": n_clusters, "clustered_docs": len(doc_cluster),
              "clustered_docs_not_in_truth": clustered_not_truth,
              "recomputed_pairs": len(recomputed),
              "missing_docs": len(missing),
              "recall": rec,
              "precision_clusters": score_precision(cluster_pairs, truth, recomputed,
                                                    args.min_jaccard)}
    if pairs is not None:
        result["precision_pairs"] = score_precision(pairs, truth, recomputed,
                                                    args.min_jaccard)

    print(f"truth pairs: {len(truth)}   clusters: {n_clusters}   "
          f"clustered docs: {len(doc_cluster)} ({clustered_not_truth} not in any truth pair)")
    if args.corpus:
        print(f"recomputed true Jaccard for {len(recomputed)} non-truth pairs from "
              f"{args.corpus}" + (f" ({len(missing)} ids not found)" if missing else ""))
    print()
    print("Recall by true Jaccard (found = both docs in the same cluster)")
    rows = [[b["band"], b["pairs"], b["found"], fmt(b["recall"])] for b in rec["bands"]]
    rows.append(["all", rec["pairs"], rec["found"], fmt(rec["recall"])])
    rows.append([f">={args.threshold}+exact", rec["pairs_at_threshold"],
                 rec["found_at_threshold"], fmt(rec["recall_at_threshold"])])
    print_table(["true Jaccard", "pairs", "found", "recall"], rows)
    if pairs is not None:
        print_precision("--pairs lines", result["precision_pairs"])
    print_precision("cluster member vs representative", result["precision_clusters"])

    if args.json:
        d = os.path.dirname(args.json)
        if d:
            os.makedirs(d, exist_ok=True)
        with open(args.json, "w") as f:
            json.dump(result, f, indent=2)
            f.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
