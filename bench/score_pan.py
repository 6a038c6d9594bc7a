#!/usr/bin/env python3
"""Score aligned reused passages with the PAN text-alignment measures.

Usage:
  bench/score_pan.py --truth build/bench/reuse-light.truth.jsonl --pairs PAIRS.jsonl
                     [--units cp|byte] [--keep-duplicates] [--json OUT.json]

Inputs (plain, .gz or .zst JSON Lines):

* --truth: one planted case per line, as written by make_reuse_corpus.py:
  {"susp": id, "src": id, "susp_begin", "susp_end", "src_begin", "src_end",
   "susp_byte_begin", ..., "words": n, "obfuscation": level}
  (offsets: Unicode code points into the document text, end exclusive;
  --units byte uses the *_byte_* fields instead).
* --pairs: detections, one aligned passage pair per line:
  {"a": id, "b": id, "a_begin", "a_end", "b_begin", "b_end", ...}
  (code points; --units byte reads "a_byte_begin", "a_byte_end",
  "b_byte_begin", "b_byte_end" instead; other fields are ignored). A pair is unordered, so each detection is mapped
  onto (susp, src) in the orientation that is a truth document pair: (a, b)
  if only (a, b) is, (b, a) if only (b, a) is; if both are, the orientation
  that detects more cases (then: more overlapping characters; tie: (a, b)).
  A detection between two documents that form no truth pair keeps (a, b) and
  detects nothing, so it counts fully against precision.

Measures -- exactly those of

  [1] Martin Potthast, Benno Stein, Alberto Barron-Cedeno, Paolo Rosso.
      An Evaluation Framework for Plagiarism Detection. COLING 2010, pp.
      997-1005 (Section 2, "Detection Performance Measures"),

as implemented by the PAN reference script (pan-webis-de/pan-code,
sepln09/pan09-plagiarism-detection-performance-measures.py, used unchanged
for the PAN text-alignment tasks 2012-2015):

* A case s (planted) and a detection r are each a set of references to
  characters: s = s_susp (chars of the suspicious doc) + s_src (chars of the
  source doc), likewise r. |s| = |s_susp| + |s_src|.
* r detects s iff they concern the same (susp, src) document pair, r_susp
  overlaps s_susp and r_src overlaps s_src (overlap = at least one common
  character in *each* document; reference: is_overlapping()).
* s ⊓ r = s ∩ r if r detects s, else the empty set.
* rec(S, R)  = 1/|S| * sum_{s in S} |U_{r in R} (s ⊓ r)| / |s|
  prec(S, R) = 1/|R| * sum_{r in R} |U_{s in S} (s ⊓ r)| / |r|
  (macro averages; the unions are taken per document, so a character covered
  by two detections counts once). Reference edge cases: |S| = |R| = 0 gives
  1; exactly one of them empty gives 0.
* gran(S, R) = 1/|S_R| * sum_{s in S_R} |R_s|, S_R = cases detected by at
  least one detection, R_s = detections that detect s; 1 when there are no
  detections or no detected case.
* plagdet(S, R) = F1 / log2(1 + gran), F1 = harmonic mean of prec and rec;
  0 when prec = rec = 0.

R is a set, as in the reference script (it collects the annotations into a
Python set): detections identical after orientation are counted once
(--keep-duplicates counts every line). A detection with no characters at all
(both passages empty) cannot detect anything; it counts as precision 0 (the
reference script would divide by zero).

Output: a summary table (cases, detections, precision, recall, granularity,
plagdet), recall by case length (the "words" field of the truth: normalized
words of the source passage) and, when the truth mixes levels, by
obfuscation, plus detection diagnostics. --json writes all numbers.
"""

import argparse
import json
import math
import os
import sys
from collections import namedtuple

sys.dont_write_bytecode = True  # keep bench/ free of __pycache__
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import textnorm  # noqa: E402

# susp/src: document ids; sb, se / rb, re: [begin, end) in the susp / src doc
Case = namedtuple("Case", "susp src sb se rb re words obfuscation")
Det = namedtuple("Det", "susp src sb se rb re")

# (label, lo, hi): words in [lo, hi)
LENGTH_BUCKETS = [
    ("<25", 0, 25),
    ("25-49", 25, 50),
    ("50-74", 50, 75),
    ("75-99", 75, 100),
    ("100-124", 100, 125),
    ("125-150", 125, 151),
    ("151-199", 151, 200),
    ("200-299", 200, 300),
    (">=300", 300, float("inf")),
]


def _span(obj, kb, ke, where):
    try:
        b, e = obj[kb], obj[ke]
    except KeyError as e:
        raise SystemExit(f"{where}: missing field {e}")
    if not (isinstance(b, int) and isinstance(e, int)) or isinstance(b, bool) \
            or isinstance(e, bool) or b < 0 or e < b:
        raise SystemExit(f"{where}: bad span {kb}={b!r} {ke}={e!r}")
    return b, e


def load_truth(path, units="cp"):
    pre = "" if units == "cp" else "byte_"
    cases = []
    for n, t in textnorm.read_jsonl(path):
        where = f"{path}:{n}"
        sb, se = _span(t, f"susp_{pre}begin", f"susp_{pre}end", where)
        rb, re_ = _span(t, f"src_{pre}begin", f"src_{pre}end", where)
        if se == sb and re_ == rb:
            raise SystemExit(f"{where}: empty case")
        cases.append(Case(str(t["susp"]), str(t["src"]), sb, se, rb, re_,
                          t.get("words"), str(t.get("obfuscation", "?"))))
    return cases


def load_pairs(path, units="cp"):
    """Raw detections: (a, b, a_begin, a_end, b_begin, b_end) tuples."""
    pre = "" if units == "cp" else "byte_"
    out = []
    for n, p in textnorm.read_jsonl(path):
        where = f"{path}:{n}"
        try:
            a, b = str(p["a"]), str(p["b"])
        except KeyError as e:
            raise SystemExit(f"{where}: missing field {e}")
        ab, ae = _span(p, f"a_{pre}begin", f"a_{pre}end", where)
        bb, be = _span(p, f"b_{pre}begin", f"b_{pre}end", where)
        out.append((a, b, ab, ae, bb, be))
    return out


def _overlaps(b1, e1, b2, e2):
    """At least one common character in [b1, e1) and [b2, e2)."""
    return b2 < e1 and b1 < e2


def detects(r, s):
    """PAN: r detects s iff same document pair and overlap in both documents."""
    return (r.susp == s.susp and r.src == s.src
            and _overlaps(s.sb, s.se, r.sb, r.se)
            and _overlaps(s.rb, s.re, r.rb, r.re))


def _union_len(intervals):
    """Number of integers covered by a list of half-open intervals."""
    total = 0
    cur_b = cur_e = None
    for b, e in sorted(intervals):
        if e <= b:
            continue
        if cur_e is None or b > cur_e:
            if cur_e is not None:
                total += cur_e - cur_b
            cur_b, cur_e = b, e
        elif e > cur_e:
            cur_e = e
    if cur_e is not None:
        total += cur_e - cur_b
    return total


def _covered(x, others):
    """|U_{y in others} (x ∩ y)| counted in both documents (x, y: Case/Det)."""
    s_iv = [(max(x.sb, y.sb), min(x.se, y.se)) for y in others]
    r_iv = [(max(x.rb, y.rb), min(x.re, y.re)) for y in others]
    return _union_len(s_iv) + _union_len(r_iv)


def _size(x):
    return (x.se - x.sb) + (x.re - x.rb)


def orient(raw, cases, dedupe=True):
    """Map raw unordered detections onto (susp, src); returns (dets, info)."""
    by_pair = {}
    for s in cases:
        by_pair.setdefault((s.susp, s.src), []).append(s)
    dets = []
    info = {"lines": len(raw), "swapped": 0,
            "both_orientations": 0, "duplicates": 0, "empty": 0}
    for a, b, ab, ae, bb, be in raw:
        fwd = Det(a, b, ab, ae, bb, be)
        rev = Det(b, a, bb, be, ab, ae)
        f_in = (a, b) in by_pair
        r_in = (b, a) in by_pair
        if f_in and r_in:
            info["both_orientations"] += 1

            def score(d):
                hit = [s for s in by_pair[(d.susp, d.src)] if detects(d, s)]
                return (len(hit), _covered(d, hit))
            det = rev if score(rev) > score(fwd) else fwd
        elif r_in:
            det = rev
        else:
            det = fwd
        if det is rev:
            info["swapped"] += 1
        if _size(det) == 0:
            info["empty"] += 1
        dets.append(det)
    if dedupe:
        seen = set()
        uniq = []
        for d in dets:
            if d in seen:
                info["duplicates"] += 1
                continue
            seen.add(d)
            uniq.append(d)
        dets = uniq
    return dets, info


def plagdet_score(rec, prec, gran):
    if (rec == 0 and prec == 0) or prec < 0 or rec < 0 or gran < 1:
        return 0.0
    return (2 * rec * prec / (rec + prec)) / math.log2(1 + gran)


def evaluate(cases, dets):
    """PAN measures of detections dets (oriented Det list) for cases.

    Returns a dict with precision, recall, granularity, plagdet, plus
    per-case recall / detection counts ('case_recall', 'case_dets') and
    per-detection precision ('det_precision') for breakdowns.
    """
    by_pair = {}
    for i, s in enumerate(cases):
        by_pair.setdefault((s.susp, s.src), []).append(i)
    dets_of_case = [[] for _ in cases]  # R_s
    cases_of_det = [[] for _ in dets]   # cases detected by r
    for j, r in enumerate(dets):
        for i in by_pair.get((r.susp, r.src), ()):
            if detects(r, cases[i]):
                dets_of_case[i].append(j)
                cases_of_det[j].append(i)
    case_recall = []
    for i, s in enumerate(cases):
        rs = dets_of_case[i]
        case_recall.append(_covered(s, [dets[j] for j in rs]) / _size(s) if rs else 0.0)
    det_precision = []
    for j, r in enumerate(dets):
        ss = cases_of_det[j]
        det_precision.append(_covered(r, [cases[i] for i in ss]) / _size(r)
                             if ss and _size(r) > 0 else 0.0)
    n_s, n_r = len(cases), len(dets)
    if n_s == 0 and n_r == 0:
        rec = prec = 1.0
    elif n_s == 0 or n_r == 0:
        rec = prec = 0.0
    else:
        rec = sum(case_recall) / n_s
        prec = sum(det_precision) / n_r
    detected = [len(x) for x in dets_of_case if x]
    gran = sum(detected) / len(detected) if n_r and detected else 1.0
    return {
        "cases": n_s,
        "detections": n_r,
        "precision": prec,
        "recall": rec,
        "granularity": gran,
        "plagdet": plagdet_score(rec, prec, gran),
        "detected_cases": len(detected),
        "true_detections": sum(1 for x in cases_of_det if x),
        "case_recall": case_recall,
        "case_dets": [len(x) for x in dets_of_case],
        "det_cases": [len(x) for x in cases_of_det],
        "det_precision": det_precision,
    }


def score(cases, raw, dedupe=True):
    """Orient raw detections, evaluate, and add breakdowns; returns a dict."""
    dets, info = orient(raw, cases, dedupe)
    res = evaluate(cases, dets)
    pairs = {(s.susp, s.src) for s in cases}
    # counted after deduplication, i.e. over the set R actually scored
    info["no_truth_pair"] = sum(1 for d in dets if (d.susp, d.src) not in pairs)
    info["in_truth_pair_detecting_nothing"] = sum(
        1 for d, k in zip(dets, res["det_cases"]) if k == 0 and (d.susp, d.src) in pairs)

    def rows(key_of, labels):
        out = []
        for label in labels:
            idx = [i for i, s in enumerate(cases) if key_of(s) == label]
            if not idx:
                continue
            det = [res["case_dets"][i] for i in idx if res["case_dets"][i] > 0]
            out.append({
                "bucket": label,
                "cases": len(idx),
                "detected": len(det),
                "recall": sum(res["case_recall"][i] for i in idx) / len(idx),
                "granularity": sum(det) / len(det) if det else 1.0,
            })
        return out

    def length_label(s):
        w = s.words if isinstance(s.words, (int, float)) else None
        if w is None:
            return "?"
        for label, lo, hi in LENGTH_BUCKETS:
            if lo <= w < hi:
                return label
        return "?"

    res["by_length"] = rows(length_label, [b[0] for b in LENGTH_BUCKETS] + ["?"])
    levels = sorted({s.obfuscation for s in cases})
    res["by_obfuscation"] = rows(lambda s: s.obfuscation, levels) if len(levels) > 1 else []
    res["diagnostics"] = info
    return res


def print_report(res, out=sys.stdout):
    p = lambda *a: print(*a, file=out)  # noqa: E731
    p(f"{'cases':>6}  {'detections':>10}  {'precision':>9}  {'recall':>7}  "
      f"{'granularity':>11}  {'plagdet':>7}")
    p(f"{res['cases']:>6}  {res['detections']:>10}  {res['precision']:>9.4f}  "
      f"{res['recall']:>7.4f}  {res['granularity']:>11.4f}  {res['plagdet']:>7.4f}")
    for key, title in (("by_length", "Recall by case length (words of the source passage)"),
                       ("by_obfuscation", "Recall by obfuscation")):
        if not res.get(key):
            continue
        p("")
        p(title)
        hdr = f"{'bucket':<8}  {'cases':>6}  {'detected':>8}  {'recall':>7}  {'granularity':>11}"
        p(hdr)
        p("-" * len(hdr))
        for r in res[key]:
            p(f"{r['bucket']:<8}  {r['cases']:>6}  {r['detected']:>8}  {r['recall']:>7.4f}  "
              f"{r['granularity']:>11.4f}")
    d = res["diagnostics"]
    p("")
    p(f"detection lines: {d['lines']}  (duplicates dropped: {d['duplicates']}, "
      f"oriented (b, a): {d['swapped']}, empty: {d['empty']})")
    p(f"detections between documents that form no truth pair: "
      f"{d['no_truth_pair']}; in a truth pair but detecting no case: "
      f"{d['in_truth_pair_detecting_nothing']}; cases detected: "
      f"{res['detected_cases']}/{res['cases']}")


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--truth", required=True, help="truth JSONL of make_reuse_corpus.py")
    ap.add_argument("--pairs", required=True, help="detections JSONL (doppel reuse output)")
    ap.add_argument("--units", choices=("cp", "byte"), default="cp",
                    help="offsets to compare: Unicode code points (default) or UTF-8 "
                         "bytes (the *_byte_* fields of truth and pairs)")
    ap.add_argument("--keep-duplicates", action="store_true",
                    help="count identical detections separately (PAN counts them once)")
    ap.add_argument("--json", default=None, help="write all numbers to this file")
    args = ap.parse_args(argv)

    cases = load_truth(args.truth, args.units)
    raw = load_pairs(args.pairs, args.units)
    res = score(cases, raw, dedupe=not args.keep_duplicates)
    print_report(res)
    if args.json:
        out = {k: v for k, v in res.items()
               if k not in ("case_recall", "case_dets", "det_cases", "det_precision")}
        out.update({"truth": args.truth, "pairs": args.pairs, "units": args.units})
        d = os.path.dirname(args.json)
        if d:
            os.makedirs(d, exist_ok=True)
        with open(args.json + ".tmp", "w", encoding="utf-8") as f:
            json.dump(out, f, indent=1)
            f.write("\n")
        os.replace(args.json + ".tmp", args.json)
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except BrokenPipeError:  # e.g. piped into head
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        sys.exit(0)
