#!/usr/bin/env python3
"""Build a large synthetic JSONL corpus with planted near-duplicates.

Usage:
  bench/make_corpus.py [--docs 1000000] [--out build/bench/corpus-1m.jsonl]
                       [--truth FILE] [--seed 1] [--sources DIR]

Source text: every document of the shared corpora (reuters21578, 20newsgroups,
bbc; texts under 20 words dropped).

Three kinds of generated documents (ids "syn-0000001", ...):

* base  (~94%): a collage of several (typically 5..10) random word windows
  ("chunks" of 20..80 normalized words, each at most ~1/4 of the document)
  cut from different random source documents, with their original inner
  whitespace; total length uniform in ~150..400 words. Because every
  document is made of several short independent windows, two base documents
  essentially never share more than one chunk, so base documents are not near
  duplicates of each other (true Jaccard far below 0.5).
* near  (~5%): a copy of an earlier base document with word-level edits
  (substitute / insert / delete random words). A target Jaccard is drawn
  uniformly from 0.5..1.0 and the number of edits is chosen (and retried up to
  5 times) to hit it, so the true Jaccard is spread roughly uniformly.
* exact (~1%): a copy of an earlier base document, possibly with whitespace
  and/or letter-case changes (true Jaccard 1.0 under the reference
  normalization).

Each base document is copied at most once, so the truth pairs are disjoint:
any other pair a dedup tool reports is (barring a freak coincidence) a false
positive.

For every planted document one truth line is written:
  {"a": original_id, "b": planted_id, "jaccard": J, "kind": "exact"|"near"}
where J is the true Jaccard of the 5-word shingle sets (bench/textnorm.py).

Output is plain JSONL ({"id": ..., "text": ...} per line); a name ending in
.zst is compressed by piping through `zstd -q -T2`, .gz with gzip. Files are
written under a temporary name and renamed when complete.
"""

import argparse
import gzip
import json
import os
import random
import re
import subprocess
import sys
import time
from array import array
from bisect import bisect_left, bisect_right

sys.dont_write_bytecode = True  # keep bench/ free of __pycache__
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import textnorm  # noqa: E402

SOURCE_FILES = ["reuters21578.jsonl.zst", "20newsgroups.jsonl.zst", "bbc.jsonl.zst"]
MIN_SOURCE_WORDS = 20

DOC_MIN_WORDS, DOC_MAX_WORDS = 150, 400
CHUNK_MIN, CHUNK_MAX = 20, 80
NEAR_FRACTION = 0.05
EXACT_FRACTION = 0.01
JACCARD_LO, JACCARD_HI = 0.5, 1.0
RESERVOIR_SIZE = 20000
SHINGLE = 5

_WORD_RE = re.compile(r"\S+")
_SPLIT_KEEP_WS = re.compile(r"(\s+)")


def log(msg):
    print(msg, file=sys.stderr, flush=True)


def default_truth_path(out):
    base = out
    for suf in (".zst", ".gz"):
        if base.endswith(suf):
            base = base[: -len(suf)]
    if base.endswith(".jsonl"):
        base = base[: -len(".jsonl")]
    return base + ".truth.jsonl"


class Sources:
    """All source texts plus the start offset of each whitespace token.

    Memory: the texts themselves plus 8 bytes per token (no per-word objects).
    Window lengths are measured in normalized words (textnorm.words), so a
    token such as a uuencoded line counts as the many words it normalizes to.
    """

    def __init__(self, paths, rng):
        self.texts = []
        self.starts = []  # array('I') of token start offsets, one per text
        self.cum = []  # array('I'): normalized words before token i (len ntok+1)
        vocab = []
        dropped = 0
        for p in paths:
            n_before = len(self.texts)
            with textnorm.open_text(p) as f:
                for line in f:
                    if not line.strip():
                        continue
                    text = json.loads(line).get("text") or ""
                    # make sure the text round-trips as UTF-8 (no lone surrogates)
                    text = text.encode("utf-8", "replace").decode("utf-8")
                    if len(textnorm.words(text)) < MIN_SOURCE_WORDS:
                        dropped += 1
                        continue
                    st = array("I")
                    cum = array("I", [0])
                    total = 0
                    for m in _WORD_RE.finditer(text):
                        st.append(m.start())
                        tok = m.group()
                        # normalized words in this token (uuencoded lines,
                        # URLs, numbers like 1,000 count as several)
                        total += 1 if tok.isalnum() else len(textnorm.words(tok))
                        cum.append(total)
                    self.texts.append(text)
                    self.starts.append(st)
                    self.cum.append(cum)
                    # a few random tokens for the insert/substitute vocabulary
                    for _ in range(3):
                        vocab.append(self.token(len(self.texts) - 1,
                                                rng.randrange(len(st))))
            log(f"  {os.path.basename(p)}: {len(self.texts) - n_before} docs")
        # words that survive normalization (skip pure punctuation tokens)
        self.vocab = [w for w in vocab if textnorm.words(w)]
        self.n = len(self.texts)
        self.tokens = sum(len(s) for s in self.starts)
        log(f"  sources: {self.n} docs, {self.tokens} tokens, "
            f"{dropped} dropped (<{MIN_SOURCE_WORDS} words), vocab {len(self.vocab)}")

    def token(self, d, i):
        st = self.starts[d]
        text = self.texts[d]
        end = st[i + 1] if i + 1 < len(st) else len(text)
        return text[st[i]:end].rstrip()

    def window(self, d, i, j):
        """Tokens [i, j) of source d, with their original inner whitespace."""
        st = self.starts[d]
        text = self.texts[d]
        if j >= len(st):
            return text[st[i]:].rstrip()
        return text[st[i]:st[j]].rstrip()


def make_base(src, rng):
    """A collage of several random windows from different random sources."""
    target = rng.randint(DOC_MIN_WORDS, DOC_MAX_WORDS)
    cmax = max(CHUNK_MIN, min(CHUNK_MAX, target // 4))
    parts = []
    used = set()
    have = 0
    while have < target:
        d = rng.randrange(src.n)
        if d in used:
            continue
        used.add(d)
        cum = src.cum[d]
        ntok = len(cum) - 1
        total = cum[ntok]
        c = max(CHUNK_MIN, min(rng.randint(CHUNK_MIN, cmax), target - have))
        if c >= total:
            i, j = 0, ntok
        else:
            # random start token such that c words still follow it
            i = rng.randrange(bisect_right(cum, total - c))
            j = min(ntok, bisect_left(cum, cum[i] + c))
        parts.append(src.window(d, i, j))
        have += cum[j] - cum[i]
    # paragraph-ish structure: chunks separated by a newline or a blank line
    out = [parts[0]]
    for p in parts[1:]:
        out.append("\n\n" if rng.random() < 0.5 else "\n")
        out.append(p)
    return "".join(out)


def edit_words(text, n_edits, src, rng):
    """Apply n_edits random word-level edits (substitute/insert/delete).

    Whitespace between untouched words is preserved.
    """
    pieces = _SPLIT_KEEP_WS.split(text)
    # pieces: [lead_ws?, tok, ws, tok, ws, ...]; lead piece may be ''
    lead = ""
    if pieces and pieces[0] == "":
        pieces = pieces[1:]
        if pieces and pieces[0].isspace():
            lead = pieces[0]
            pieces = pieces[1:]
    if pieces and pieces[-1] == "":
        pieces.pop()
    toks = pieces[0::2]
    seps = pieces[1::2]
    if len(seps) < len(toks):
        seps.append("")
    # positions to edit: distinct, spread over the document
    n = len(toks)
    n_edits = max(1, min(n_edits, n // 2))
    pos = rng.sample(range(n), n_edits)
    pos.sort(reverse=True)  # edit from the end so indices stay valid
    for p in pos:
        r = rng.random()
        if r < 1 / 3:  # substitute
            toks[p] = rng.choice(src.vocab)
        elif r < 2 / 3:  # insert a word before position p
            toks.insert(p, rng.choice(src.vocab))
            seps.insert(p, " ")
        else:  # delete
            if len(toks) > 1:
                del toks[p]
                sep = seps.pop(p)
                if p == len(toks) and p > 0:  # deleted the last token
                    seps[p - 1] = sep
    out = [lead]
    for t, s in zip(toks, seps):
        out.append(t)
        out.append(s)
    return "".join(out)


def edit_rate_for(j):
    """Per-word edit probability that gives expected 5-shingle Jaccard j.

    Each edit destroys ~5 shingles of the original (and adds as many new
    ones); with per-word edit rate p the surviving fraction is s=(1-p)^5 and
    J = s / (2 - s).
    """
    s = 2 * j / (1 + j)
    return 1 - s ** (1 / SHINGLE)


def make_near(orig, src, rng):
    """Edited copy of orig whose true Jaccard is close to a uniform target."""
    target = rng.uniform(JACCARD_LO, JACCARD_HI)
    a = textnorm.shingles(orig)
    nw = max(1, len(orig.split()))  # edits act on whitespace tokens
    rate = edit_rate_for(target)
    def miss(j):  # distance to target; out of [JACCARD_LO, 1) is much worse
        return abs(j - target) + (1.0 if j < JACCARD_LO else 0.0)

    best = None
    for _ in range(5):
        k = max(1, int(round(rate * nw)))
        cand = edit_words(orig, k, src, rng)
        j = textnorm.jaccard(a, textnorm.shingles(cand))
        if j < 1.0 and (best is None or miss(j) < miss(best[1])):
            best = (cand, j)
        if best is not None and miss(best[1]) <= 0.02:
            break
        # adjust the edit rate from the observed Jaccard
        if 0.0 < j < 1.0:
            obs = edit_rate_for(j)
            rate = rate * (edit_rate_for(target) / obs) if obs > 0 else rate
        else:
            rate *= 1.5
    if best is None:  # extremely unlikely: edits never changed the shingles
        cand = orig + " " + " ".join(rng.choice(src.vocab) for _ in range(3))
        best = (cand, textnorm.jaccard(a, textnorm.shingles(cand)))
    return best


def make_exact(orig, rng):
    """Copy, possibly with whitespace and/or letter-case changes."""
    text = orig
    r = rng.random()
    if r < 0.4:
        return text
    if r < 0.7 or r >= 0.85:  # whitespace changes
        mode = rng.randrange(3)
        if mode == 0:
            text = " ".join(text.split())
        elif mode == 1:
            text = re.sub(r" ", lambda m: "  " if rng.random() < 0.2 else " ", text)
        else:
            text = "\n " + text.replace("\n\n", "\n") + "  \n"
    if r >= 0.7:  # case changes
        text = text.upper() if rng.random() < 0.5 else text.lower()
    return text


class Writer:
    """Plain / .gz / .zst JSONL writer to a temp file, renamed on close()."""

    def __init__(self, path):
        self.path = path
        self.tmp = path + ".tmp"
        d = os.path.dirname(path)
        if d:
            os.makedirs(d, exist_ok=True)
        self.proc = None
        if path.endswith(".zst"):
            self.raw = open(self.tmp, "wb")
            self.proc = subprocess.Popen(["zstd", "-q", "-T2", "-c"],
                                         stdin=subprocess.PIPE, stdout=self.raw)
            self.f = open(self.proc.stdin.fileno(), "w", encoding="utf-8",
                          buffering=1 << 20, closefd=False)
        elif path.endswith(".gz"):
            self.f = gzip.open(self.tmp, "wt", encoding="utf-8", compresslevel=4)
        else:
            self.f = open(self.tmp, "w", encoding="utf-8", buffering=1 << 20)

    def write(self, s):
        self.f.write(s)

    def close(self):
        self.f.close()
        if self.proc is not None:
            self.proc.stdin.close()
            rc = self.proc.wait()
            self.raw.close()
            if rc != 0:
                raise SystemExit(f"zstd failed with exit code {rc}")
        os.replace(self.tmp, self.path)


def main():
    root = textnorm.repo_root()
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--docs", type=int, default=1000000, help="documents to generate")
    ap.add_argument("--out", default=os.path.join(root, "build/bench/corpus-1m.jsonl"),
                    help="output JSONL (.jsonl, .jsonl.gz or .jsonl.zst)")
    ap.add_argument("--truth", default=None,
                    help="truth JSONL (default: OUT with .truth.jsonl suffix)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--sources", default=os.path.join(root, "..", "shared", "corpora"),
                    help="directory with the shared corpora")
    ap.add_argument("--near-fraction", type=float, default=NEAR_FRACTION)
    ap.add_argument("--exact-fraction", type=float, default=EXACT_FRACTION)
    args = ap.parse_args()

    paths = [os.path.join(args.sources, f) for f in SOURCE_FILES]
    missing = [p for p in paths if not os.path.exists(p)]
    if missing:
        print(f"make_corpus: shared corpora not found ({', '.join(missing)}); skipped")
        return 0
    truth_path = args.truth or default_truth_path(args.out)
    rng = random.Random(args.seed)

    t0 = time.time()
    log(f"make_corpus: loading sources from {args.sources}")
    src = Sources(paths, rng)
    log(f"  loaded in {time.time() - t0:.1f}s")

    out = Writer(args.out)
    truth = Writer(truth_path)
    reservoir = []  # (id, text) of earlier base docs not yet copied
    counts = {"base": 0, "near": 0, "exact": 0}
    nbytes = 0
    t1 = time.time()
    width = max(7, len(str(args.docs)))
    p_near = args.near_fraction
    p_exact = args.near_fraction + args.exact_fraction
    dumps = json.dumps
    for k in range(1, args.docs + 1):
        did = f"syn-{k:0{width}d}"
        r = rng.random()
        kind = "base"
        if r < p_exact and len(reservoir) >= 100:
            kind = "near" if r < p_near else "exact"
        if kind == "base":
            text = make_base(src, rng)
            if len(reservoir) < RESERVOIR_SIZE:
                reservoir.append((did, text))
            elif rng.random() < 0.5:  # mix of recent and older docs
                reservoir[rng.randrange(RESERVOIR_SIZE)] = (did, text)
        else:
            i = rng.randrange(len(reservoir))
            oid, orig = reservoir[i]
            reservoir[i] = reservoir[-1]  # each base doc is copied at most once
            reservoir.pop()
            if kind == "near":
                text, j = make_near(orig, src, rng)
            else:
                text = make_exact(orig, rng)
                j = textnorm.jaccard(textnorm.shingles(orig), textnorm.shingles(text))
            truth.write(dumps({"a": oid, "b": did, "jaccard": round(j, 6),
                               "kind": kind}) + "\n")
        counts[kind] += 1
        line = dumps({"id": did, "text": text}, ensure_ascii=False) + "\n"
        nbytes += len(line)
        out.write(line)
        if k % 50000 == 0 or k == args.docs:
            el = time.time() - t1
            log(f"  {k}/{args.docs} docs  {el:.1f}s  {k / el:.0f} docs/s  "
                f"~{nbytes / 1e6:.0f} MB  eta {el / k * (args.docs - k):.0f}s")
    out.close()
    truth.close()
    log(f"make_corpus: wrote {args.docs} docs ({counts['base']} base, "
        f"{counts['near']} near, {counts['exact']} exact) to {args.out}, "
        f"truth to {truth_path} in {time.time() - t0:.1f}s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
