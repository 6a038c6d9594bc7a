#!/usr/bin/env python3
"""Do doppel reuse's spans stop where the reuse stops? Quoted replies in 20 Newsgroups as truth.

    build/release/doppel reuse ../shared/corpora/20newsgroups.jsonl.zst --pairs P.jsonl -q
    python3 bench/newsgroups_spans.py --pairs P.jsonl [--examples 5] [--json F]

The truth is built from the corpus alone, without doppel (and cached in
build/bench/20ng-quotes.truth.jsonl, rebuilt when the corpus changes):

* Every line's quote depth is the number of quote marks in front of it: each `>` of a prefix such
  as `> `, `>> `, `|> `, `JS> `, `|>   |> ` counts one, a `|` or `#` not followed by `>` counts
  one, and a line starting with `:` has depth 1. A quoted block is a maximal run of quoted and
  blank lines in a post (the reply R).
* A block's words (bench/textnorm.py's normalization, with their character offsets; a
  whitespace-delimited chunk holding `@`, `://` or `www.` is one word) are compared with every
  post S that shares a word 8-gram with it (difflib's matching blocks, S cut to the stretch
  around the shared 8-grams). A matched word is a **quote** of S when its depth in R is one more
  than in S (R quotes S's text at depth 1, and S's own quotes at depth 2), and **shared** quoted
  text when both depths are equal and at least 1 (R and S both quote a third post: siblings).
* Matched runs of at least 4 words of one kind become cases: runs in the same block, in the same
  order in both posts and at most --max-gap (10) unmatched words apart in each, are one case,
  from the first to the last matched word in R and in S.
* Characters are counted without the quote prefixes of the lines ("marker characters aside"): a
  span's size is its characters minus those of line prefixes inside it.

Measured with the PAN definitions of bench/score_pan.py over doppel's pairs between a reply and
a post it quotes (oriented as (R, S)):

* **precision**: over the detections that detect a quote case of at least --min-words (15) words
  (same two posts, overlapping in both), the mean share of their characters inside the cases of
  either kind that they overlap: text the two posts share by quoting. This is the measure of
  spans that run past the reuse (into the reply's own text, an attribution line, a signature).
  Detections between posts without a quote case (two replies quoting the same post,
  signatures, cross-posts) are left out: the truth does not cover them.
* **recall**: over the quote cases of at least --min-words words, the mean share of their
  characters covered by detections that detect them; printed over all such cases and over those
  in pairs of posts that doppel aligned at all (the PAN text-alignment setting: doppel links a
  passage in many posts to its first occurrence, so not every reply-source pair is aligned).
* granularity (detections per detected quote case), and the PAN precision over every detection
  between a reply and a post it quotes.
"""
import argparse
import bisect
import difflib
import json
import os
import re
import sys
from collections import defaultdict

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import textnorm  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_CORPUS = os.path.join(HERE, "..", "..", "shared", "corpora", "20newsgroups.jsonl.zst")
DEFAULT_TRUTH = os.path.join(HERE, "..", "build", "bench", "20ng-quotes.truth.jsonl")
PREFIX = re.compile(r"[ \t]*(?::|(?:[ \t]*[A-Za-z]{0,3}[>|#])+)[ \t]?")
WORD = re.compile(r"[^\W_]+")
# A whitespace-delimited chunk holding an e-mail address, message-id or URL is one word to a
# reader (as it is to doppel reuse): its letters and digits do not make a run of words.
ADDRESS = re.compile(r"\S*(?:@|://|www\.)\S*")
NGRAM = 8
MIN_RUN = 4
MAX_POSTS_PER_NGRAM = 50


def depth_of(prefix):
    if prefix.strip() == ":":
        return 1
    return prefix.count(">") + len(re.findall(r"[|#](?!>)", prefix))


class Post:
    """A post's words (normalized, with character offsets and quote depth), blocks and prefixes."""

    def __init__(self, text):
        self.words, self.begin, self.end, self.depth, self.block = [], [], [], [], []
        self.prefixes = []  # (begin, end) of every line's quote prefix
        pos = 0
        block = -1
        in_block = False
        nblocks = 0
        for line in text.split("\n"):
            m = PREFIX.match(line)
            d = depth_of(m.group()) if m else 0
            if m and d:
                self.prefixes.append((pos, pos + m.end()))
            blank = not line.strip() or (m is not None and not line[m.end():].strip())
            if d > 0 and not in_block:
                in_block = True
                block = nblocks
                nblocks += 1
            elif d == 0 and not blank:
                in_block = False
            start = m.end() if (m and d) else 0
            tokens = []
            for a in ADDRESS.finditer(line, start):
                tokens += [(w.start(), w.end(), textnorm.words(w.group()))
                           for w in WORD.finditer(line, start, a.start())]
                tokens.append((a.start(), a.end(), [textnorm.normalize(a.group()).strip()]))
                start = a.end()
            tokens += [(w.start(), w.end(), textnorm.words(w.group()))
                       for w in WORD.finditer(line, start)]
            for b, e, ws in tokens:
                for t in ws:
                    self.words.append(t)
                    self.begin.append(pos + b)
                    self.end.append(pos + e)
                    self.depth.append(d)
                    self.block.append(block if (in_block and d > 0) else -1)
            pos += len(line) + 1
        self.prefix_begins = [b for b, _ in self.prefixes]

    def masked(self, b, e):
        """Characters of [b, e) outside quote prefixes."""
        n = e - b
        i = bisect.bisect_right(self.prefix_begins, e) - 1
        while i >= 0 and self.prefixes[i][1] > b:
            pb, pe = self.prefixes[i]
            n -= max(0, min(e, pe) - max(b, pb))
            i -= 1
        return n


def build_truth(corpus, max_gap):
    posts, ids = [], []
    for _, d in textnorm.read_jsonl(corpus):
        ids.append(str(d["id"]))
        posts.append(Post(d.get("text") or ""))
    index = defaultdict(list)
    for k, p in enumerate(posts):
        seen = set()
        for i in range(len(p.words) - NGRAM + 1):
            key = hash(tuple(p.words[i:i + NGRAM]))
            if key not in seen:
                seen.add(key)
                index[key].append(k)
    cases = []
    for r, R in enumerate(posts):
        blocks = defaultdict(list)
        for i, b in enumerate(R.block):
            if b >= 0:
                blocks[b].append(i)
        for b, idx in blocks.items():
            words = [R.words[i] for i in idx]
            cands = set()
            keys = set()
            for i in range(len(words) - NGRAM + 1):
                key = hash(tuple(words[i:i + NGRAM]))
                keys.add(key)
                hit = index.get(key, ())
                if len(hit) <= MAX_POSTS_PER_NGRAM:
                    cands.update(hit)
            cands.discard(r)
            for s in sorted(cands):
                S = posts[s]
                # only the part of S around the shared 8-grams (quotes are near-verbatim)
                at = [i for i in range(len(S.words) - NGRAM + 1)
                      if hash(tuple(S.words[i:i + NGRAM])) in keys]
                lo = max(0, at[0] - len(words) - 50)
                hi = min(len(S.words), at[-1] + NGRAM + len(words) + 50)
                sm = difflib.SequenceMatcher(None, words, S.words[lo:hi], autojunk=False)
                runs = []
                for m in sm.get_matching_blocks():
                    m = difflib.Match(m.a, m.b + lo, m.size)
                    # split a block where the kind of quote changes
                    start = kind = None
                    for t in range(m.size + 1):
                        k = None
                        if t < m.size:
                            dr, ds = R.depth[idx[m.a + t]], S.depth[m.b + t]
                            k = "quote" if dr == ds + 1 else "shared" if dr == ds else None
                        if k != kind:
                            if kind is not None and t - start >= MIN_RUN:
                                runs.append((m.a + start, m.b + start, t - start, kind))
                            start, kind = t, k
                for kind in ("quote", "shared"):
                    group = []
                    for run in [x for x in runs if x[3] == kind] + [None]:
                        if group and (run is None
                                      or run[0] - (group[-1][0] + group[-1][2]) > max_gap
                                      or run[1] < group[-1][1] + group[-1][2]
                                      or run[1] - (group[-1][1] + group[-1][2]) > max_gap):
                            a0, b0 = group[0][0], group[0][1]
                            a1 = group[-1][0] + group[-1][2] - 1
                            b1 = group[-1][1] + group[-1][2] - 1
                            cases.append({
                                "susp": ids[r], "src": ids[s],
                                "susp_begin": R.begin[idx[a0]], "susp_end": R.end[idx[a1]],
                                "src_begin": S.begin[b0], "src_end": S.end[b1],
                                "words": sum(g[2] for g in group), "kind": kind})
                            group = []
                        if run is not None:
                            group.append(run)
    return cases


def load_truth(corpus, path, max_gap):
    stamp = {"corpus": os.path.abspath(corpus), "size": os.path.getsize(corpus),
             "mtime": int(os.path.getmtime(corpus)), "max_gap": max_gap, "ngram": NGRAM,
             "min_run": MIN_RUN, "version": 3}
    if os.path.exists(path):
        with open(path, encoding="utf-8") as f:
            head = json.loads(f.readline())
            if head == stamp:
                return [json.loads(line) for line in f]
    cases = build_truth(corpus, max_gap)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path + ".tmp", "w", encoding="utf-8") as f:
        f.write(json.dumps(stamp) + "\n")
        for c in cases:
            f.write(json.dumps(c) + "\n")
    os.replace(path + ".tmp", path)
    return cases


def overlaps(b1, e1, b2, e2):
    return b2 < e1 and b1 < e2


def masked_union(post, intervals):
    """Characters outside quote prefixes in the union of intervals."""
    total = 0
    cur = None
    for b, e in sorted(intervals):
        if e <= b:
            continue
        if cur is None or b > cur[1]:
            if cur is not None:
                total += post.masked(*cur)
            cur = [b, e]
        else:
            cur[1] = max(cur[1], e)
    if cur is not None:
        total += post.masked(*cur)
    return total


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--pairs", required=True, help="doppel reuse --pairs output")
    ap.add_argument("--corpus", default=DEFAULT_CORPUS)
    ap.add_argument("--truth", default=DEFAULT_TRUTH, help="where the truth is cached")
    ap.add_argument("--min-words", type=int, default=15, help="recall: cases at least this long")
    ap.add_argument("--max-gap", type=int, default=10,
                    help="truth: unmatched words that split a quote into two cases")
    ap.add_argument("--examples", type=int, default=0,
                    help="print this many detections that run furthest past their cases")
    ap.add_argument("--examples-above", type=float, default=0.0,
                    help="examples: only detections whose precision is above this")
    ap.add_argument("--json", default=None)
    args = ap.parse_args()
    if not os.path.exists(args.corpus):
        print(f"newsgroups_spans: {args.corpus} not found; skipped")
        return 0
    cases = load_truth(args.corpus, args.truth, args.max_gap)
    texts = {}
    for _, d in textnorm.read_jsonl(args.corpus):
        texts[str(d["id"])] = d.get("text") or ""
    posts = {}

    def post(i):
        if i not in posts:
            posts[i] = Post(texts[i])
        return posts[i]

    quotes = defaultdict(list)  # (R, S) -> R quotes S
    shared = defaultdict(list)  # (R, S) -> quoted text both hold (either kind)
    for c in cases:
        shared[(c["susp"], c["src"])].append(c)
        if c["kind"] == "quote":
            quotes[(c["susp"], c["src"])].append(c)
    dets = []
    for _, p in textnorm.read_jsonl(args.pairs):
        a, b = str(p["a"]), str(p["b"])
        if (a, b) in quotes:
            dets.append((a, b, p["a_begin"], p["a_end"], p["b_begin"], p["b_end"]))
        if (b, a) in quotes:
            dets.append((b, a, p["b_begin"], p["b_end"], p["a_begin"], p["a_end"]))
    dets = sorted(set(dets))
    det_of_pair = defaultdict(list)
    for d in dets:
        det_of_pair[(d[0], d[1])].append(d)

    def detects(d, c):
        return (overlaps(d[2], d[3], c["susp_begin"], c["susp_end"])
                and overlaps(d[4], d[5], c["src_begin"], c["src_end"]))

    def inside(d, cs):
        R, S = post(d[0]), post(d[1])
        return (masked_union(R, [(max(d[2], c["susp_begin"]), min(d[3], c["susp_end"]))
                                 for c in cs])
                + masked_union(S, [(max(d[4], c["src_begin"]), min(d[5], c["src_end"]))
                                   for c in cs]))

    # precision over detections that detect a quote case of --min-words or more: the share of
    # their characters in text the two posts share by quoting (either kind of case)
    hit_prec, all_prec, worst = [], [], []
    micro = [0, 0]  # characters inside, characters of those detections
    for d in dets:
        R, S = post(d[0]), post(d[1])
        hit = [c for c in quotes[(d[0], d[1])] if detects(d, c)]
        size = R.masked(d[2], d[3]) + S.masked(d[4], d[5])
        both = [c for c in shared[(d[0], d[1])] if detects(d, c)]
        ins = inside(d, both)
        prec = ins / size if size else 0.0
        all_prec.append(prec if hit else 0.0)
        if any(c["words"] >= args.min_words for c in hit):
            hit_prec.append(prec)
            micro[0] += ins
            micro[1] += size
            worst.append((prec, d, both))
    # recall and granularity over quote cases of at least --min-words words
    rec_all, rec_aligned, gran = [], [], []
    for c in cases:
        if c["kind"] != "quote" or c["words"] < args.min_words:
            continue
        R, S = post(c["susp"]), post(c["src"])
        ds = [d for d in det_of_pair[(c["susp"], c["src"])] if detects(d, c)]
        size = (R.masked(c["susp_begin"], c["susp_end"])
                + S.masked(c["src_begin"], c["src_end"]))
        cov = (masked_union(R, [(max(d[2], c["susp_begin"]), min(d[3], c["susp_end"]))
                                for d in ds])
               + masked_union(S, [(max(d[4], c["src_begin"]), min(d[5], c["src_end"]))
                                  for d in ds]))
        r = cov / size if size else 0.0
        rec_all.append(r)
        if det_of_pair[(c["susp"], c["src"])]:
            rec_aligned.append(r)
        if ds:
            gran.append(len(ds))

    def mean(x):
        return sum(x) / len(x) if x else 0.0

    res = {
        "cases": sum(1 for c in cases if c["kind"] == "quote"),
        "shared_quote_cases": sum(1 for c in cases if c["kind"] == "shared"),
        "cases_min_words": len(rec_all),
        "case_pairs": len(quotes),
        "detections_in_case_pairs": len(dets),
        "detections_detecting_a_case": len(hit_prec),
        "precision": mean(hit_prec),
        "precision_characters": micro[0] / micro[1] if micro[1] else 0.0,
        "pan_precision_case_pairs": mean(all_prec),
        "recall": mean(rec_all),
        "recall_aligned_pairs": mean(rec_aligned),
        "cases_in_aligned_pairs": len(rec_aligned),
        "granularity": mean(gran) if gran else 1.0,
        "precision_below_0.9": sum(1 for x in hit_prec if x < 0.9),
    }
    print(f"truth: {res['cases']} quote cases in {res['case_pairs']} reply-source pairs "
          f"({res['cases_min_words']} of at least {args.min_words} words, "
          f"{res['cases_in_aligned_pairs']} of them in pairs doppel aligned)")
    print(f"detections detecting a case: {res['detections_detecting_a_case']} "
          f"(of {res['detections_in_case_pairs']} between reply-source pairs)")
    print(f"precision {res['precision']:.4f} (of all their characters "
          f"{res['precision_characters']:.4f})  recall {res['recall']:.4f} "
          f"(aligned pairs {res['recall_aligned_pairs']:.4f})  granularity "
          f"{res['granularity']:.4f}  PAN precision over case pairs "
          f"{res['pan_precision_case_pairs']:.4f}; detections under 0.9 precision: "
          f"{res['precision_below_0.9']}")
    worst.sort(key=lambda w: w[0])
    worst = [w for w in worst if w[0] > args.examples_above]
    for prec, d, hit in worst[:args.examples]:
        print(f"\n{d[0]} {d[2]}-{d[3]} quotes {d[1]} {d[4]}-{d[5]}: precision {prec:.2f}; "
              f"cases: " + ", ".join(f"{c['susp_begin']}-{c['susp_end']} / "
                                     f"{c['src_begin']}-{c['src_end']}" for c in hit))
        for name, b, e, cb, ce in ((d[0], d[2], d[3], min(c["susp_begin"] for c in hit),
                                    max(c["susp_end"] for c in hit)),
                                   (d[1], d[4], d[5], min(c["src_begin"] for c in hit),
                                    max(c["src_end"] for c in hit))):
            t = texts[name]
            print(f"  {name}: before the case: {t[b:max(b, cb)]!r:.300}")
            print(f"  {name}: after the case:  {t[min(e, ce):e]!r:.300}")
    if args.json:
        with open(args.json, "w", encoding="utf-8") as f:
            json.dump(res, f, indent=1)
            f.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
