#!/usr/bin/env python3
"""Checks of simtext.py on small cases (plain asserts).

Run: python3 bench/test_simtext.py   (prints "ok", well under 2 s). The checks
that run sim_text itself are skipped, with a message, when it is not installed.
"""

import json
import os
import shutil
import subprocess
import sys
import tempfile

sys.dont_write_bytecode = True  # keep bench/ free of __pycache__
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import simtext  # noqa: E402
from simtext import Doc, Passages, coverage, safe_name  # noqa: E402

SCRIPT = os.path.join(HERE, "simtext.py")
SIM = shutil.which("sim_text")


def sim_words(text):
    return [m.group() for m in simtext.SIM_WORD_RE.finditer(text)]


def test_words():
    assert sim_words("Don't stop-now, 5.93 x") == ["Don", "t", "stop", "now", "5", "93", "x"]
    # "s p a c e d" text is one word, when a non-word character follows
    assert sim_words("a b c d\n") == ["a b c d"]
    assert sim_words("a b cd\n") == ["a b", "cd"]
    assert sim_words("x y") == ["x", "y"]  # end of text is not a non-word character
    assert sim_words("a's b\n") == ["a", "s b"]
    # non-ASCII code points are word characters, also punctuation
    assert sim_words("café—done “q” é x\n") == ["café—done", "“q”", "é", "x"]


def test_lines():
    d = Doc("l1 w\nl2 w\nl3 end")  # last line has no newline
    assert d.line_span(1, 1) == (0, 4)
    # sim_text numbers words on an unterminated last line as the line before,
    # so its line 2 may end on line 3
    assert d.words()[3] == [1, 1, 2, 2, 2, 2]
    assert d.line_span(2, 2) == (5, 16) and d.line_span(1, 2) == (0, 16)
    assert Doc("l1 w\nl2 w\nl3 end\n").line_span(2, 2) == (5, 9)
    assert Doc("a\nb").line_span(1, 1) == (0, 3)
    assert Doc("a\nb\n").line_span(1, 2) == (0, 3)
    assert Doc("only line").line_span(0, 0) == (0, 9)


def test_names():
    assert safe_name(7, "alt.atheism/49960", 6) == "000007_alt.atheism%2F49960.txt"
    assert safe_name(1, "a b:c|d", 6) == "000001_a%20b%3Ac%7Cd.txt"
    long = safe_name(12, "é" * 100, 6)
    assert len(long.encode()) <= 6 + 1 + simtext.MAX_ID_BYTES + 4
    assert long.endswith("%C3%A9.txt")  # never cut inside an escape


def pairs(*rows):
    """{(x, y): [(xb, xe, yb, ye, words)]} as read_pairs builds it."""
    out = {}
    for a, b, ab, ae, bb, be in rows:
        if b < a:
            a, b, ab, ae, bb, be = b, a, bb, be, ab, ae
        out.setdefault((a, b), []).append((ab, ae, bb, be, 20))
    return out


def test_compare():
    theirs = pairs(("x", "y", 100, 200, 0, 100))
    # half of both spans is enough; either order of the documents
    assert coverage(theirs, pairs(("y", "x", 50, 100, 150, 400)), 0.5)["found"] == 1
    # half of one side only is not
    assert coverage(theirs, pairs(("x", "y", 100, 149, 0, 100)), 0.5)["found"] == 0
    # a pair between other documents is not
    assert coverage(theirs, pairs(("x", "z", 100, 200, 0, 100)), 0.5)["found"] == 0
    # characters: both sides, union of the other tool's spans
    r = coverage(theirs, pairs(("x", "y", 100, 150, 0, 10), ("x", "y", 140, 160, 90, 100)), 0.5)
    assert r["chars"] == 200 and r["covered_chars"] == 60 + 20 and r["found"] == 0


def test_chains():
    # one passage in x, y, z; the other tool linked x-y and y-z only
    chain = pairs(("x", "y", 0, 100, 10, 110), ("y", "z", 12, 112, 50, 150))
    r = coverage(pairs(("x", "z", 0, 100, 50, 150)), chain, 0.5)
    assert r["found"] == 0 and r["found_via_chains"] == 1
    # spans in y that do not overlap enough do not link
    apart = pairs(("x", "y", 0, 100, 10, 110), ("y", "z", 100, 200, 50, 150))
    assert coverage(pairs(("x", "z", 0, 100, 50, 150)), apart, 0.5)["found_via_chains"] == 0
    p = Passages(chain, 0.5)
    assert p.linked("x", 0, 100, "z", 50, 150) and not p.linked("x", 0, 100, "z", 300, 400)


def run(*args, **kw):
    return subprocess.run([sys.executable, SCRIPT, *args], check=True, capture_output=True,
                          text=True, **kw)


def test_end_to_end(tmp):
    shared = ("The quick brown fox jumps over the lazy dog and then runs\n"
              "away into the forest where nobody can find it ever again, said John\n"
              "Smith on Tuesday")
    docs = [
        {"id": "a/1", "text": "Intro line here.\n" + shared + ". Other stuff.\nEnd.\n"},
        {"id": 2, "text": "Reply:\n> " + shared.replace("\n", "\n> ") + " Blah\nmore"},
        {"id": "a/1", "text": "duplicate id, left out"},
        {"text": shared},  # no id: FILE:LINE, last line without newline
        {"id": "t", "text": 5},  # no string text, left out
    ]
    corpus = os.path.join(tmp, "c.jsonl")
    with open(corpus, "w", encoding="utf-8") as f:
        for d in docs:
            f.write(json.dumps(d) + "\n")
    out = os.path.join(tmp, "exp")
    run("export", corpus, out)
    with open(os.path.join(out, "files.jsonl"), encoding="utf-8") as f:
        files = [json.loads(line) for line in f]
    assert [r["id"] for r in files] == ["a/1", "2", f"{os.path.abspath(corpus)}:4"]
    assert files[0]["file"] == "000000_a%2F1.txt"
    with open(os.path.join(out, "docs", files[1]["file"]), encoding="utf-8") as f:
        assert f.read() == docs[1]["text"]
    assert "up to date" in run("export", corpus, out).stdout
    if not SIM:
        print("test_simtext.py: sim_text not installed; sim_text checks skipped")
        return
    raw = os.path.join(tmp, "raw.txt")
    run("run", out, "--reps", "1", "--min-words", "20", "--raw", raw)
    pairs_path = os.path.join(tmp, "pairs.jsonl")
    run("parse", out, raw, "--out", pairs_path)
    texts = {r["id"]: d["text"] for r, d in zip(files, [docs[0], docs[1], docs[3]])}
    with open(pairs_path, encoding="utf-8") as f:
        got = [json.loads(line) for line in f]
    assert len(got) == 2, got  # the passage in three files: two links
    for p in got:
        assert p["words"] == 28
        a = texts[p["a"]][p["a_begin"]:p["a_end"]]
        b = texts[p["b"]][p["b_begin"]:p["b_end"]]
        assert a.startswith("The quick") and a.endswith("Tuesday"), a
        assert sim_words(a) == sim_words(b)
    # line spans: whole lines, quote marks included
    run("parse", out, raw, "--out", pairs_path, "--spans", "lines")
    with open(pairs_path, encoding="utf-8") as f:
        lines = [json.loads(line) for line in f]
    quoted = [p for p in lines if "2" in (p["a"], p["b"])]
    for p in quoted:
        side = "a" if p["a"] == "2" else "b"
        assert texts["2"][p[side + "_begin"]:].startswith("> The quick")
    # tokenizer agrees with sim_text's own word counts
    sample = os.path.join(tmp, "w.txt")
    for text in ["a b c d\n", "a b cd\n", "x y", "a's b\n", "Don't 5.93 naïve—x “q” z\n",
                 "U. S. A.\n", "x\r\ny y\rz\n"]:
        with open(sample, "w", encoding="utf-8") as f:
            f.write(text)
        res = subprocess.run([SIM, "-r", "1000", sample, sample], capture_output=True, text=True)
        head = [ln for ln in res.stdout.splitlines() if ln.startswith("File ")][0]
        assert int(head.split()[2]) == len(sim_words(text)), (text, head)
    # compare on the same pairs: everything found
    res = run("compare", "--ours", pairs_path, "--theirs", pairs_path,
              "--json", os.path.join(tmp, "cmp.json"))
    with open(os.path.join(tmp, "cmp.json"), encoding="utf-8") as f:
        cmp_ = json.load(f)
    assert cmp_["theirs_found_by_ours"]["found"] == 2, res.stdout


def main():
    test_words()
    test_lines()
    test_names()
    test_compare()
    test_chains()
    tmp = tempfile.mkdtemp(prefix="test_simtext.")
    try:
        test_end_to_end(tmp)
    finally:
        shutil.rmtree(tmp)
    print("ok")


if __name__ == "__main__":
    main()
