#!/usr/bin/env python3
"""Purity of doppel reuse's passage clusters: is every member the same passage as the reference?

    build/release/doppel reuse CORPUS --clusters C.jsonl -q
    python3 bench/passage_purity.py --clusters C.jsonl --corpus CORPUS [--examples 5] [--json F]

CORPUS is what doppel read: a JSON Lines file (.jsonl, .jsonl.gz, .jsonl.zst; --id-field and
--text-field as for doppel) or a directory of text files (ids are the file names; offsets point
into the whole file, as doppel's do for text files).

Definition (one number per corpus):

* A cluster's **reference occurrence** is its source occurrence when it has a source (the first
  member whose role is `source`: the earliest dated document); when it has none (no member is
  dated: 20 Newsgroups, BBC), its first member (first in input order, as the source is among
  equally dated documents).
* Every other member is **pure** when at least half (--share) of its distinct word 3-grams
  (normalized as bench/textnorm.py: NFKC, casefold, letters/numbers/marks only) occur among the
  3-grams of the reference occurrence's text. A member of fewer than 3 words is compared as one
  tuple of its words.
* **purity** = pure members / members other than the reference occurrences, over every cluster of
  the file (a micro average: a cluster of 3,000 occurrences weighs 3,000 times one of two; the
  issue's measure). Also printed: the mean over clusters, and the largest clusters with their
  own purity, so that one huge chain shows.
"""
import argparse
import json
import os
import sys

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import textnorm  # noqa: E402


def load_texts(corpus, id_field, text_field, wanted):
    """id -> source text, for the ids in `wanted` (doppel's offsets index into these)."""
    texts = {}
    if os.path.isdir(corpus):
        for name in sorted(os.listdir(corpus)):
            if name in wanted:
                with open(os.path.join(corpus, name), encoding="utf-8",
                          errors="surrogateescape") as f:
                    texts[name] = f.read()
        return texts
    for _, doc in textnorm.read_jsonl(corpus):
        key = str(doc.get(id_field))
        if key in wanted:
            texts[key] = doc.get(text_field, "")
    return texts


def trigrams(text):
    w = textnorm.words(text)
    if len(w) < 3:
        return {tuple(w)} if w else set()
    return set(zip(w, w[1:], w[2:]))


def reference_index(cluster):
    """The reference occurrence: the source occurrence, else the first member."""
    if cluster.get("source") is not None:
        for i, m in enumerate(cluster["members"]):
            if m["id"] == cluster["source"]:
                return i
    return 0


def cluster_purity(cluster, texts, share):
    """(pure members, compared members, impure examples as (share found, member))."""
    members = cluster["members"]
    r = reference_index(cluster)
    ref = members[r]
    ref_grams = trigrams(texts[ref["id"]][ref["begin"]:ref["end"]])
    pure = 0
    impure = []
    for i, m in enumerate(members):
        if i == r:
            continue
        g = trigrams(texts[m["id"]][m["begin"]:m["end"]])
        found = len(g & ref_grams) / len(g) if g else 1.0
        if found >= share:
            pure += 1
        else:
            impure.append((found, m))
    return pure, len(members) - 1, impure


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--clusters", required=True, help="doppel reuse --clusters output")
    ap.add_argument("--corpus", required=True, help="the corpus doppel read (JSONL or directory)")
    ap.add_argument("--id-field", default="id")
    ap.add_argument("--text-field", default="text")
    ap.add_argument("--share", type=float, default=0.5,
                    help="a member is pure when this share of its 3-grams is in the reference")
    ap.add_argument("--examples", type=int, default=0,
                    help="print this many impure members (largest clusters first)")
    ap.add_argument("--top", type=int, default=5, help="list the largest clusters")
    ap.add_argument("--json", default=None, help="write the numbers to this file")
    args = ap.parse_args()
    if not os.path.exists(args.corpus):
        print(f"passage_purity: {args.corpus} not found; skipped")
        return 0
    clusters = [c for _, c in textnorm.read_jsonl(args.clusters)]
    wanted = {m["id"] for c in clusters for m in c["members"]}
    texts = load_texts(args.corpus, args.id_field, args.text_field, wanted)
    missing = wanted - texts.keys()
    if missing:
        raise SystemExit(f"passage_purity: {len(missing)} member ids not in {args.corpus}, "
                         f"e.g. {sorted(missing)[:3]}")

    pure = compared = 0
    macro = []
    rows = []
    for c in clusters:
        p, n, impure = cluster_purity(c, texts, args.share)
        pure += p
        compared += n
        macro.append(p / n if n else 1.0)
        rows.append((len(c["members"]), c, p / n if n else 1.0, impure))
    res = {
        "clusters": len(clusters),
        "members": sum(len(c["members"]) for c in clusters),
        "compared": compared,
        "purity": pure / compared if compared else 1.0,
        "mean_cluster_purity": sum(macro) / len(macro) if macro else 1.0,
        "clusters_all_pure": sum(1 for x in macro if x == 1.0),
    }
    print(f"clusters {res['clusters']}  members {res['members']}  purity {res['purity']:.4f}  "
          f"(mean over clusters {res['mean_cluster_purity']:.4f}; clusters all pure "
          f"{res['clusters_all_pure']})")
    rows.sort(key=lambda r: (-r[0], r[1]["cluster"]))
    if args.top:
        print("largest clusters: cluster  documents  members  purity  reference")
        for n, c, p, _ in rows[:args.top]:
            ref = c["members"][reference_index(c)]
            print(f"  {c['cluster']:>6}  {c['documents']:>6}  {n:>6}  {p:.3f}  "
                  f"{ref['id']} {ref['begin']}-{ref['end']}")
    shown = 0
    for n, c, p, impure in rows:
        for found, m in impure:
            if shown >= args.examples:
                break
            shown += 1
            rm = c["members"][reference_index(c)]
            print(f"\ncluster {c['cluster']} ({n} members): {m['id']} {m['begin']}-{m['end']} "
                  f"has {found:.2f} of its 3-grams in {rm['id']} {rm['begin']}-{rm['end']}")
            print("  member:    " + " ".join(texts[m["id"]][m["begin"]:m["end"]].split())[:300])
            print("  reference: " + " ".join(texts[rm["id"]][rm["begin"]:rm["end"]].split())[:300])
        if shown >= args.examples:
            break
    if args.json:
        with open(args.json, "w", encoding="utf-8") as f:
            json.dump(res, f, indent=1)
            f.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
