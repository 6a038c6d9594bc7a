#!/usr/bin/env python3
"""Checks of score_pan.py on synthetic cases and detections (plain asserts).

Run: python3 bench/test_score_pan.py   (prints "ok", well under 2 s)
"""

import json
import math
import os
import subprocess
import sys
import tempfile

sys.dont_write_bytecode = True  # keep bench/ free of __pycache__
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from score_pan import Case, Det, evaluate, score  # noqa: E402


def close(x, y, eps=1e-9):
    return abs(x - y) <= eps


def make_cases(n=10, extra=True):
    """n cases: susp s{i} gets [100, 300) from src r{i} [50, 250); with extra,
    one more case per even i from a second source (some docs hold two)."""
    cases = []
    for i in range(n):
        cases.append(Case(f"s{i}", f"r{i}", 100, 300, 50, 250, 40, "none"))
        if extra and i % 2 == 0:
            cases.append(Case(f"s{i}", f"q{i}", 500, 620, 0, 120, 120, "none"))
    return cases


def raw_of(cases, swap_every=0):
    """Perfect raw detections; every swap_every-th one given as (src, susp)."""
    raw = []
    for k, s in enumerate(cases):
        if swap_every and k % swap_every == 0:
            raw.append((s.src, s.susp, s.rb, s.re, s.sb, s.se))
        else:
            raw.append((s.susp, s.src, s.sb, s.se, s.rb, s.re))
    return raw


def check(res, prec, rec, gran, plagdet=None):
    got = (res["precision"], res["recall"], res["granularity"], res["plagdet"])
    want = (prec, rec, gran, plagdet)
    for g, w in zip(got, want):
        assert w is None or close(g, w), f"got {got}, want {want}"


def test_perfect():
    cases = make_cases()
    check(score(cases, raw_of(cases)), 1.0, 1.0, 1.0, 1.0)
    # orientation of the pairs does not matter
    res = score(cases, raw_of(cases, swap_every=2))
    check(res, 1.0, 1.0, 1.0, 1.0)
    assert res["diagnostics"]["swapped"] == (len(cases) + 1) // 2


def test_split_granularity():
    cases = make_cases()
    raw = []
    for s in cases:  # each case split into two halves (in both documents)
        sm, rm = (s.sb + s.se) // 2, (s.rb + s.re) // 2
        raw.append((s.susp, s.src, s.sb, sm, s.rb, rm))
        raw.append((s.src, s.susp, rm, s.re, sm, s.se))
    res = score(cases, raw)
    check(res, 1.0, 1.0, 2.0, 1.0 / math.log2(3))
    assert res["detected_cases"] == len(cases)


def test_half_detected():
    cases = make_cases()
    # every case: only the first half of each passage detected
    raw = [(s.susp, s.src, s.sb, (s.sb + s.se) // 2, s.rb, (s.rb + s.re) // 2)
           for s in cases]
    check(score(cases, raw), 1.0, 0.5, 1.0, (2 * 0.5 / 1.5))
    # half of the cases detected perfectly, the other half not at all
    cases = make_cases(extra=False)
    half = [r for k, r in enumerate(raw_of(cases)) if k % 2 == 0]
    check(score(cases, half), 1.0, 0.5, 1.0, 2 / 3)


def test_spurious():
    cases = make_cases()
    raw = raw_of(cases)
    # as many detections again between documents that form no truth pair
    spur = [(f"s{k}", f"x{k}", 0, 100, 0, 100) for k in range(len(cases))]
    res = score(cases, raw + spur)
    check(res, 0.5, 1.0, 1.0, 2 / 3)
    assert res["diagnostics"]["no_truth_pair"] == len(cases)
    # a spurious detection in a truth document pair that misses the case
    res = score(cases, raw + [("s1", "r1", 400, 450, 400, 450)])
    check(res, len(cases) / (len(cases) + 1), 1.0, 1.0)
    assert res["diagnostics"]["in_truth_pair_detecting_nothing"] == 1
    # overlap in the suspicious document only: detects nothing
    res = score(cases, raw + [("s1", "r1", 100, 300, 300, 400)])
    check(res, len(cases) / (len(cases) + 1), 1.0, 1.0)
    # two susp docs sharing a source passage: pair (s1, s3) is no truth pair
    res = score(cases, raw + [("s1", "s3", 100, 300, 100, 300)])
    assert res["diagnostics"]["no_truth_pair"] == 1
    # no detections at all / nothing to detect (reference edge cases)
    check(score(cases, []), 0.0, 0.0, 1.0, 0.0)
    check(score([], []), 1.0, 1.0, 1.0, 1.0)
    check(score([], spur), 0.0, 0.0, 1.0, 0.0)


def test_duplicates_and_too_long():
    cases = make_cases()
    raw = raw_of(cases)
    # R is a set: an identical line (also in the other orientation) counts once
    res = score(cases, raw + raw_of(cases, swap_every=1))
    check(res, 1.0, 1.0, 1.0, 1.0)
    assert res["diagnostics"]["duplicates"] == len(cases)
    res = score(cases, raw + raw, dedupe=False)
    check(res, 1.0, 1.0, 2.0)
    # a detection twice as long as the case in both documents: precision 1/2
    one = [Case("s", "r", 100, 200, 100, 200, 30, "none")]
    check(score(one, [("s", "r", 50, 250, 50, 250)]), 0.5, 1.0, 1.0, 2 / 3)
    # one detection covering two cases of the same document pair
    two = [Case("s", "r", 0, 100, 0, 100, 30, "none"),
           Case("s", "r", 200, 300, 200, 300, 30, "none")]
    res = score(two, [("s", "r", 0, 300, 0, 300)])
    check(res, 2 / 3, 1.0, 1.0)


def test_reference_examples():
    """Values of the unit tests of the PAN reference script."""
    ann1 = Case("t1", "s1", 0, 100, 0, 100, None, "?")
    ann3 = Det("t1", "s1", 100, 200, 100, 200)
    ann4 = Det("t1", "s1", 0, 200, 0, 200)
    ann7 = Case("t2", "s2", 0, 100, 0, 100, None, "?")
    ann9 = Det("t2", "s2", 50, 150, 50, 150)
    ann10 = Det("t2", "s2", 25, 100, 25, 100)
    as_det = lambda c: Det(c.susp, c.src, c.sb, c.se, c.rb, c.re)  # noqa: E731
    assert close(evaluate([ann1], [ann3])["recall"], 0.0)
    assert close(evaluate([ann1], [ann4])["recall"], 1.0)
    assert close(evaluate([ann1], [ann4, as_det(ann7)])["recall"], 1.0)
    assert close(evaluate([ann7], [ann9])["recall"], 0.5)
    assert close(evaluate([ann7], [ann10])["recall"], 0.75)
    assert close(evaluate([ann7], [ann9, ann10])["recall"], 0.75)
    assert close(evaluate([ann1, ann7], [as_det(ann1)])["recall"], 0.5)
    assert close(evaluate([ann1], [as_det(ann7)])["recall"], 0.0)
    # precision is recall with the roles swapped
    assert close(evaluate([ann1], [ann4])["precision"], 0.5)
    assert close(evaluate([ann7], [ann9, ann10])["precision"], (0.5 + 1.0) / 2)
    assert close(evaluate([ann7], [ann9, ann10])["granularity"], 2.0)


def test_cli():
    cases = make_cases()
    with tempfile.TemporaryDirectory() as d:
        truth = os.path.join(d, "t.truth.jsonl")
        pairs = os.path.join(d, "p.jsonl")
        out = os.path.join(d, "score.json")
        with open(truth, "w") as f:
            for s in cases:
                f.write(json.dumps({
                    "susp": s.susp, "src": s.src,
                    "susp_begin": s.sb, "susp_end": s.se, "src_begin": s.rb, "src_end": s.re,
                    "susp_byte_begin": s.sb, "susp_byte_end": s.se,
                    "src_byte_begin": s.rb, "src_byte_end": s.re,
                    "words": s.words, "obfuscation": s.obfuscation}) + "\n")
        with open(pairs, "w") as f:
            for k, (a, b, ab, ae, bb, be) in enumerate(raw_of(cases, swap_every=3)):
                if k % 2:  # the second half of each passage only
                    ab, bb = (ab + ae) // 2, (bb + be) // 2
                f.write(json.dumps({"a": a, "b": b, "a_begin": ab, "a_end": ae,
                                    "b_begin": bb, "b_end": be, "a_byte_begin": ab,
                                    "a_byte_end": ae, "b_byte_begin": bb, "b_byte_end": be,
                                    "score": 0.9}) + "\n")
        want_rec = sum(1.0 if k % 2 == 0 else 0.5 for k in range(len(cases))) / len(cases)
        for units in ("cp", "byte"):
            r = subprocess.run([sys.executable, os.path.join(HERE, "score_pan.py"),
                                "--truth", truth, "--pairs", pairs, "--json", out,
                                "--units", units],
                               capture_output=True, text=True, env=dict(os.environ,
                               PYTHONDONTWRITEBYTECODE="1"))
            assert r.returncode == 0, r.stderr
            assert "plagdet" in r.stdout and "25-49" in r.stdout, r.stdout
            with open(out) as f:
                res = json.load(f)
            assert close(res["recall"], want_rec) and close(res["precision"], 1.0), res
            assert res["cases"] == len(cases) and res["detections"] == len(cases)
            assert {b["bucket"] for b in res["by_length"]} == {"25-49", "100-124"}


def main():
    for name, fn in sorted(globals().items()):
        if name.startswith("test_") and callable(fn):
            fn()
    print("ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
