#!/usr/bin/env python3
"""Build a corpus with planted passage reuse for the PAN text-alignment measures.

Usage:
  bench/make_reuse_corpus.py [--obfuscation none|light|heavy|all|reordered]
                             [--susp-docs 1000] [--src-docs 1000] [--noise-docs 1000]
                             [--out build/bench/reuse-{level}.jsonl] [--truth FILE]
                             [--max-shared-5grams 1] [--seed 1] [--passage-words LO-HI]
                             [--sources ../shared/corpora]

Every document is a real document of the shared corpora (bbc and
reuters21578, whose "Reuter" sign-off line is removed; 20newsgroups only if
those two do not give enough): at least 80 normalized words, at least 70% of
them purely alphabetic (drops Reuters tables and earnings reports),
deduplicated on the normalized text, and chosen greedily in random order so
that no two chosen documents share a word 8-gram under the reference
normalization (bench/textnorm.py), nor more than --max-shared-5grams (1)
distinct word 5-grams. The 8-gram rule alone leaves formulaic Reuters
sentences that differ only in names and numbers ("said U.S. truck sales in
late March jumped 65.2 pct to ..." / "... in mid-March declined 29.8 pct
to ..."), which an aligner rightly reports (on the default heavy corpus a
development build of doppel reuse found 143 such pairs, 11% of its
detections; with the 5-gram rule, 1). So the corpus holds (almost) no
natural reuse that a detector could find besides the planted cases.

Three roles (the ids "reuse-00001", ... say nothing about the role; the
document order is shuffled):

* source (--src-docs): unchanged; gives passages of 25-150 normalized words,
  made of whole sentences where possible. Every source gives one passage
  before any gives a second, so with the defaults most give exactly one;
  passages taken from one source never overlap, so two suspicious documents
  never share text with each other.
* suspicious (--susp-docs): a real base document into which 1 (65%), 2 (25%)
  or 3 (10%) passages from different sources are inserted, each at a
  different sentence boundary of the base (the passage followed by the
  whitespace of that boundary, so it starts a sentence or a paragraph like
  the one it precedes) or as a new paragraph at the start or end of the
  base, after obfuscation at the chosen level:
    none   verbatim;
    light  1-5% word edits (insert / delete / substitute a word from a
           vocabulary sampled from the corpus), then case changes,
           punctuation changes and whitespace changes (re-wrapping, unwrapping,
           double spaces, newlines);
    heavy  the sentences of the passage shuffled (when it has at least two),
           10-25% word edits, then the same case / punctuation / whitespace
           changes as light.
    reordered  not part of "all": its own corpus, with passages of 40-400
           words (--passage-words), each reordered in one of four shapes
           (a quarter each): its sentences shuffled, its two halves swapped
           at a sentence boundary (A B -> B A), one sentence moved elsewhere,
           or its sentences reversed; then 10-25% word edits and the case /
           punctuation / whitespace changes of light. The truth's
           "obfuscation" is "reordered/SHAPE" (shuffle, swap, move, reverse;
           "reordered/single" for a passage of one sentence, not reordered).
* noise (--noise-docs): unchanged real documents with no reuse.

The choice of documents, passages and insertion points depends only on
--seed, so the corpora of the three levels differ only in the obfuscation (and
document i has the same role and base in all three); the obfuscation uses a
separate random stream per level, so a single level gives the same corpus as
--obfuscation all.

Truth (one line per planted case, sorted by suspicious id and offset):
  {"susp": id, "src": id, "susp_begin", "susp_end", "src_begin", "src_end",
   "susp_byte_begin", "susp_byte_end", "src_byte_begin", "src_byte_end",
   "words": n, "edits": k, "obfuscation": level}
*_begin/*_end: Unicode code point offsets into the JSON "text" string, end
exclusive; *_byte_*: the same as UTF-8 byte offsets. The susp span is exactly
the inserted (obfuscated) passage, the src span the original passage; "words"
counts the normalized words of the source passage, "edits" the word edits.
The script asserts that the slices equal what was inserted / taken, and makes
sure that no two documents share a word 8-gram except a suspicious document
and one of its sources (the same source never gives two passages that share
one): when an insertion boundary or a word edit recreates a phrase found
elsewhere (e.g. "... General Agreement on Tariffs and Trade" + a passage
starting with "The"), the insertion points of that document, or its
obfuscation, are drawn again (a handful of documents per corpus; logged).
Note that the sources of the three levels are identical, so the corpora (and
their truth files, which share ids) must be used one at a time.

Output files are written as NAME.tmp and renamed when complete; .zst / .gz
names are compressed as in make_corpus.py.
"""

import argparse
import json
import os
import random
import re
import sys
import textwrap
import time
from types import SimpleNamespace

sys.dont_write_bytecode = True  # keep bench/ free of __pycache__
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import textnorm  # noqa: E402
from make_corpus import Writer, edit_words, default_truth_path  # noqa: E402

SOURCE_FILES = ["bbc.jsonl.zst", "reuters21578.jsonl.zst"]
FALLBACK_FILES = ["20newsgroups.jsonl.zst"]
LEVELS = ("none", "light", "heavy")
MIN_WORDS = 80
MIN_ALPHA = 0.7          # fraction of normalized words that are alphabetic
NGRAM = 8                # no shared word n-grams between unrelated documents
SHORT_NGRAM = 5          # ... and at most --max-shared-5grams shared 5-grams
PASSAGE_WORDS = {"none": (25, 150), "light": (25, 150), "heavy": (25, 150),
                 "reordered": (40, 400)}
PASSAGES_PER_SUSP = ((1, 0.65), (2, 0.25), (3, 0.10))
EDIT_RATE = {"none": (0.0, 0.0), "light": (0.01, 0.05), "heavy": (0.10, 0.25),
             "reordered": (0.10, 0.25)}
SHAPES = ("shuffle", "swap", "move", "reverse")
VOCAB_PER_DOC = 5
MAX_REDRAWS = 20
TRUTH_FIELDS = ("susp", "src", "susp_begin", "susp_end", "src_begin", "src_end",
                "susp_byte_begin", "susp_byte_end", "src_byte_begin", "src_byte_end",
                "words", "edits", "obfuscation")

# --- sentence segmentation -------------------------------------------------

_WS_RUN = re.compile(r"\s+")
_TOKEN = re.compile(r"\S+")
_CLOSERS = "\"')]\u2019\u201d"
_OPENERS = "\"'([\u2018\u201c"
_SENT_END = re.compile(r"[.!?][" + re.escape(_CLOSERS) + r"]*$")
_SENT_START = re.compile(r"[" + re.escape(_OPENERS) + r"]*[A-Z0-9]")
_INDENT = re.compile(r"\n[ \t]{2,}")
_INITIALS = re.compile(r"(?:[a-z]\.)*[a-z]")
_ABBREV = set("""mr mrs ms dr prof st jr sr co corp inc ltd plc bros no nos vs
gen sen rep gov lt col maj capt sgt rev fig jan feb mar apr jun jul aug sep sept
oct nov dec mt ft etc approx dept est av ave cie int'l""".split())


def sentence_spans(text):
    """[(begin, end)] of the sentences of text; the gaps are whitespace only.

    A whitespace run is a boundary when it is a paragraph break (a blank line,
    or a newline followed by indentation as in Reuters) or when it follows
    . ! or ? (plus closing quotes / brackets) and precedes an upper-case
    letter or digit (after opening quotes), unless the word before the period
    is a known abbreviation (Mr., Corp., Jan., ...) or initials (J., U.S.).
    """
    n = len(text)
    b = 0
    while b < n and text[b].isspace():
        b += 1
    e = n
    while e > b and text[e - 1].isspace():
        e -= 1
    if b >= e:
        return []
    spans = []
    start = b
    for m in _WS_RUN.finditer(text, b, e):
        gs, ge = m.span()
        ws = m.group()
        boundary = ws.count("\n") >= 2 or _INDENT.search(ws) is not None
        if not boundary and text[gs - 1] in ".!?" + _CLOSERS:
            tok_start = gs - 1
            while tok_start > start and not text[tok_start - 1].isspace():
                tok_start -= 1
            tok = text[tok_start:gs]
            if _SENT_END.search(tok) and _SENT_START.match(text, ge):
                core = tok.rstrip(_CLOSERS)
                if core.endswith("."):
                    word = core[:-1].lstrip(_OPENERS).lower()
                    boundary = not (word in _ABBREV or _INITIALS.fullmatch(word))
                else:
                    boundary = True
        if boundary:
            spans.append((start, gs))
            start = ge
    spans.append((start, e))
    return spans


def nwords(text):
    return len(textnorm.words(text))


# --- documents ---------------------------------------------------------------


def log(msg):
    print(msg, file=sys.stderr, flush=True)


_SIGN_OFF = re.compile(r"\s*\n\s*reuter\b[^\n]*\s*$", re.I)


def load_pool(paths):
    """Candidate documents: (text, origin id) passing the length/prose filters,
    deduplicated on the normalized text."""
    pool = []
    seen = set()
    for p in paths:
        n_in = n_short = n_table = n_dup = 0
        with textnorm.open_text(p) as f:
            for line in f:
                if not line.strip():
                    continue
                d = json.loads(line)
                n_in += 1
                text = d.get("text") or ""
                # make sure the text round-trips as UTF-8 (no lone surrogates)
                text = text.encode("utf-8", "replace").decode("utf-8")
                text = _SIGN_OFF.sub("", text)  # Reuters' "Reuter" sign-off line
                w = textnorm.words(text)
                if len(w) < MIN_WORDS:
                    n_short += 1
                    continue
                if sum(1 for x in w if x.isalpha()) < MIN_ALPHA * len(w):
                    n_table += 1
                    continue
                key = hash(" ".join(w))
                if key in seen:
                    n_dup += 1
                    continue
                seen.add(key)
                pool.append((text, str(d.get("id", ""))))
        log(f"  {os.path.basename(p)}: {n_in} docs, {n_short} under {MIN_WORDS} words, "
            f"{n_table} mostly non-alphabetic, {n_dup} duplicates")
    return pool


def ngram_keys(text, n=NGRAM, w=None):
    """Hashes of the word n-grams of text (or of the word list w)."""
    if w is None:
        w = textnorm.words(text)
    return {hash(tuple(w[i:i + n])) for i in range(len(w) - n + 1)}


def choose_docs(pool, need, index, index5, chosen, max_shared5, rng):
    """Greedily add documents of pool (in random order) to chosen.

    A candidate is rejected when one of its word 8-grams is in index (8-gram
    hash -> slot in chosen), or, unless max_shared5 is None, when it shares
    more than max_shared5 distinct word 5-grams with one chosen document
    (index5: 5-gram hash -> slot or list of slots). Returns the rejections.
    """
    order = list(range(len(pool)))
    rng.shuffle(order)
    rejected = [0, 0]
    for i in order:
        if len(chosen) >= need:
            break
        text, origin = pool[i]
        w = textnorm.words(text)
        keys = ngram_keys(text, NGRAM, w)
        if any(k in index for k in keys):
            rejected[0] += 1
            continue
        if max_shared5 is not None:
            keys5 = ngram_keys(text, SHORT_NGRAM, w)
            shared = {}
            for k in keys5:
                o = index5.get(k)
                for o in (() if o is None else (o,) if isinstance(o, int) else o):
                    shared[o] = shared.get(o, 0) + 1
            if shared and max(shared.values()) > max_shared5:
                rejected[1] += 1
                continue
        slot = len(chosen)
        for k in keys:
            index[k] = slot
        if max_shared5 is not None:
            for k in keys5:
                o = index5.get(k)
                if o is None:
                    index5[k] = slot
                elif isinstance(o, int):
                    index5[k] = [o, slot]
                else:
                    o.append(slot)
        chosen.append((text, origin))
    return rejected


# --- passages and insertion points -------------------------------------------


class Doc:
    """A chosen document with its sentence spans and their word counts."""

    def __init__(self, text):
        self.text = text
        self._sents = None
        self.used = []  # [(begin, end)] char ranges already given as passages
        self.used_keys = set()  # their word 8-grams

    @property
    def sents(self):
        if self._sents is None:
            self._sents = sentence_spans(self.text)
            self.sent_words = [nwords(self.text[b:e]) for b, e in self._sents]
        return self._sents

    def free(self, b, e):
        """[b, e) overlaps no earlier passage and shares no 8-gram with one
        (a source can repeat a phrase)."""
        if not all(e <= ub or ue <= b for ub, ue in self.used):
            return False
        return not self.used or self.used_keys.isdisjoint(ngram_keys(self.text[b:e]))

    def take(self, b, e):
        self.used.append((b, e))
        self.used_keys |= ngram_keys(self.text[b:e])


def pick_passage(doc, rng, stats, lengths, target=None):
    """A passage [b, e) of lengths = (lo, hi) words, about target words long
    (default: drawn here), not overlapping earlier passages of doc: whole
    sentences if possible, else starting at a sentence start, else any word
    window. Returns (b, e, words) or None."""
    lo, hi = lengths
    if target is None:
        target = rng.randint(lo, hi)
    S = doc.sents
    W = doc.sent_words
    ns = len(S)
    for _ in range(30):  # whole sentences
        i = rng.randrange(ns)
        j, tot = i, 0
        while j < ns and tot < target:
            tot += W[j]
            j += 1
        if tot > hi and j - 1 > i and tot - W[j - 1] >= lo:
            j -= 1
            tot -= W[j]
        if lo <= tot <= hi and doc.free(S[i][0], S[j - 1][1]):
            stats["sentences"] += 1
            return S[i][0], S[j - 1][1], tot
    # word windows: tokens with their normalized word counts
    toks = [(m.start(), m.end(), nwords(m.group())) for m in _TOKEN.finditer(doc.text)]
    starts = {b: k for k, (b, _, _) in enumerate(toks)}
    sent_starts = [starts[b] for b, _ in S if b in starts]
    for attempt in range(60):
        if attempt < 30 and sent_starts:
            i = rng.choice(sent_starts)
        else:
            i = rng.randrange(len(toks))
        j, tot = i, 0
        while j < len(toks) and tot < target:
            tot += toks[j][2]
            j += 1
        if lo <= tot <= hi and doc.free(toks[i][0], toks[j - 1][1]):
            stats["sentence_start" if attempt < 30 and sent_starts else "words"] += 1
            return toks[i][0], toks[j - 1][1], tot
    return None


def insertion_points(doc, k, rng):
    """k insertion points (pos, pre, post): a passage goes to text[pos] with
    pre before and post after it. Candidates: the start of every sentence but
    the first (post = the whitespace before that sentence), the start of the
    text and its end (as a new paragraph); k distinct ones if there are."""
    S = doc.sents
    cands = [(S[t][0], "", doc.text[S[t - 1][1]:S[t][0]]) for t in range(1, len(S))]
    start = (S[0][0], "", "\n\n")
    end = (S[-1][1], "\n\n", "")
    cands += [start, end]
    pts = rng.sample(cands, min(k, len(cands)))
    while len(pts) < k:
        pts.append(end)
    return pts


# --- obfuscation -------------------------------------------------------------

_PUNCT_CHARS = "".join(c for c in "!\"#$%&'()*+,-./:;<=>?@[\\]^`{|}~" if c != "_") \
    + "\u2018\u2019\u201c\u201d\u2013\u2014\u2026"
_P = "[" + re.escape(_PUNCT_CHARS) + "]+"
_PUNCT = re.compile(r"(?<!\w)" + _P + r"|" + _P + r"(?!\w)")
_WORD_THEN_SPACE = re.compile(r"(?<=[A-Za-z])(?=\s)")


def reorder_sentences(text, rng, shape="shuffle"):
    """The sentences of text reordered (the gaps between them stay in place):
    shuffle (any order but the original), swap (two blocks at a random
    boundary exchanged), move (one sentence moved to another place) or
    reverse."""
    spans = sentence_spans(text)
    if len(spans) < 2:
        return text, False
    n = len(spans)
    perm = list(range(n))
    if shape == "shuffle":
        while perm == sorted(perm):
            rng.shuffle(perm)
    elif shape == "swap":
        k = rng.randint(1, n - 1)
        perm = perm[k:] + perm[:k]
    elif shape == "move":
        while perm == sorted(perm):
            perm = list(range(n))
            x = perm.pop(rng.randrange(n))
            perm.insert(rng.randrange(n), x)
    elif shape == "reverse":
        perm.reverse()
    else:
        raise ValueError(shape)
    out = []
    for k, p in enumerate(perm):
        out.append(text[spans[p][0]:spans[p][1]])
        if k + 1 < len(spans):
            out.append(text[spans[k][1]:spans[k + 1][0]])
    return "".join(out), True


def case_changes(text, rng):
    r = rng.random()
    if r < 0.1:
        return text.lower()
    if r < 0.15:
        return text.upper()
    p = rng.uniform(0.03, 0.15)

    def flip(m):
        t = m.group()
        if rng.random() >= p:
            return t
        return (t[0].lower() if t[0].isupper() else t[0].upper()) + t[1:]
    text = _TOKEN.sub(flip, text)
    if rng.random() < 0.3:  # a run of upper-case words
        toks = list(_TOKEN.finditer(text))
        i = rng.randrange(len(toks))
        j = min(len(toks), i + rng.randint(2, 6)) - 1
        b, e = toks[i].start(), toks[j].end()
        text = text[:b] + text[b:e].upper() + text[e:]
    return text


def punct_changes(text, rng):
    p = rng.uniform(0.1, 0.4)

    def sub(m):
        if rng.random() >= p:
            return m.group()
        r = rng.random()
        if r < 0.4:
            return ""
        if r < 0.8:
            return rng.choice([",", ";", ".", ":", "!", " -", "...", "'"])
        return m.group() + rng.choice([",", "!", "?", ")"])
    text = _PUNCT.sub(sub, text)
    q = rng.uniform(0.0, 0.04)  # extra commas after words
    return _WORD_THEN_SPACE.sub(lambda m: "," if rng.random() < q else "", text)


def whitespace_changes(text, rng):
    r = rng.random()
    if r < 0.35:
        text = textwrap.fill(" ".join(text.split()), width=rng.randint(40, 90),
                             break_long_words=False, break_on_hyphens=False)
    elif r < 0.55:
        text = " ".join(text.split())
    p_nl = rng.uniform(0.0, 0.05)
    p_double = rng.uniform(0.05, 0.25)

    def sub(m):
        x = rng.random()
        if x < p_nl:
            return rng.choice(["\n", "\n\n", " \n", "\n  "])
        if x < p_nl + p_double:
            return m.group() + rng.choice([" ", "  ", "\t"])
        return m.group()
    return _WS_RUN.sub(sub, text)


def obfuscate(text, level, vocab, rng):
    """Obfuscated passage (stripped), the number of word edits made and the
    obfuscation to record (the level; for reordered, "reordered/SHAPE")."""
    name = level
    if level == "none":
        return text, 0, name
    if level == "heavy":
        text, _ = reorder_sentences(text, rng)
    if level == "reordered":
        shape = rng.choice(SHAPES)
        text, moved = reorder_sentences(text, rng, shape)
        name = f"reordered/{shape if moved else 'single'}"
    lo, hi = EDIT_RATE[level]
    ntok = len(text.split())
    k = max(1, round(rng.uniform(lo, hi) * ntok))
    k = max(1, min(k, ntok // 2))  # what edit_words applies
    text = edit_words(text, k, vocab, rng)
    text = case_changes(text, rng)
    text = punct_changes(text, rng)
    text = whitespace_changes(text, rng)
    text = text.strip()
    assert text
    return text, k, name


# --- main --------------------------------------------------------------------


def plan(args, rng):
    """Choose documents, roles, passages and insertion points (level-free)."""
    t0 = time.time()
    need = args.src_docs + args.susp_docs + args.noise_docs
    index = {}
    index5 = {}
    chosen = []
    for files in (SOURCE_FILES, FALLBACK_FILES):
        paths = [os.path.join(args.sources, f) for f in files]
        log(f"make_reuse_corpus: loading {', '.join(files)}")
        pool = load_pool(paths)
        n0 = len(chosen)
        rejected = choose_docs(pool, need, index, index5, chosen, args.max_shared_5grams, rng)
        log(f"  chose {len(chosen) - n0} of {len(pool)} candidates ({rejected[0]} rejected "
            f"for sharing a word {NGRAM}-gram, {rejected[1]} for sharing more than "
            f"{args.max_shared_5grams} word {SHORT_NGRAM}-grams with one document)  "
            f"{time.time() - t0:.1f}s")
        del pool
        if len(chosen) >= need:
            break
    del index5
    if len(chosen) < need:
        raise SystemExit(f"make_reuse_corpus: only {len(chosen)} usable documents, "
                         f"{need} needed")
    docs = [Doc(t) for t, _ in chosen]
    src = list(range(args.src_docs))
    susp = list(range(args.src_docs, args.src_docs + args.susp_docs))
    if args.obfuscation == "reordered":
        # long passages need long sources: the longest documents give them
        by_length = sorted(range(len(docs)), key=lambda i: -nwords(docs[i].text))
        src = sorted(by_length[:args.src_docs])
        susp = [i for i in range(len(docs)) if i not in set(src)][:args.susp_docs]
    vocab = []
    for d in docs:
        toks = [t for t in d.text.split() if t.isalpha()]
        vocab.extend(rng.choice(toks) for _ in range(VOCAB_PER_DOC) if toks)

    stats = {"sentences": 0, "sentence_start": 0, "words": 0}
    queue = src[:]
    rng.shuffle(queue)
    ks, ws = zip(*PASSAGES_PER_SUSP)
    plans = []  # per susp slot: (slot, [(pos, pre, post, src_slot, b, e, words)])
    n_given = [0] * len(docs)
    susp_of = {}  # 8-gram -> suspicious slot holding it (verbatim insertion)
    moved = 0
    for s in susp:
        k = rng.choices(ks, ws)[0]
        passages = []  # (src_slot, b, e, words)
        taken = set()
        for _ in range(k):
            # reordered: the length is drawn once per passage, so that long ones are not lost to
            # short sources (the other levels draw it per try, as they always have)
            target = rng.randint(*args.passage_words) if args.obfuscation == "reordered" else None
            for attempt in range(200):
                if attempt % 50 == 49 and target is not None:
                    target = rng.randint(*args.passage_words)  # none of the tries could
                # every source once (in random order) before any a second time
                if queue and queue[-1] not in taken:
                    cand = queue.pop()
                else:
                    cand = rng.choice(src)
                if cand in taken:
                    continue
                p = pick_passage(docs[cand], rng, stats, args.passage_words, target)
                if p is None:
                    continue  # source full
                b, e, w = p
                docs[cand].take(b, e)
                taken.add(cand)
                n_given[cand] += 1
                passages.append((cand, b, e, w))
                break
            else:
                raise SystemExit("make_reuse_corpus: could not find a free source passage")
        # insertion points whose boundaries create no 8-gram found elsewhere
        # (e.g. "... Tariffs and Trade" + a passage starting with "The")
        allowed = {s} | taken
        for _ in range(MAX_REDRAWS + 1):
            pts = insertion_points(docs[s], k, rng)
            cases = [pt + c for pt, c in zip(pts, passages)]
            text, _ = insert_passages(docs[s].text, [pt + (docs[c[0]].text[c[1]:c[2]],)
                                                     for pt, c in zip(pts, passages)])
            keys = ngram_keys(text)
            clash = find_clash(keys, s, allowed, index, susp_of)
            if clash is None:
                break
            moved += 1
        else:
            raise SystemExit(f"make_reuse_corpus: no clean insertion points for document "
                             f"{s}; try another --seed")
        for key in keys:
            susp_of[key] = s
        plans.append((s, cases))
    given = [n_given[s] for s in src]
    hist = {g: given.count(g) for g in sorted(set(given))}
    log(f"  planned {sum(len(c) for _, c in plans)} passages into {len(plans)} docs from "
        f"{sum(1 for g in given if g)} sources (sources by passages given: {hist}); "
        f"passages: {stats['sentences']} whole sentences, {stats['sentence_start']} "
        f"from a sentence start, {stats['words']} word windows; insertion points drawn "
        f"again for {moved} docs  {time.time() - t0:.1f}s")
    perm = list(range(len(docs)))
    rng.shuffle(perm)  # perm[position] = slot
    width = max(5, len(str(len(docs))))
    ids = [None] * len(docs)
    for pos, slot in enumerate(perm):
        ids[slot] = f"reuse-{pos + 1:0{width}d}"
    return SimpleNamespace(docs=docs, index=index, plans=plans, perm=perm, ids=ids,
                           vocab=SimpleNamespace(vocab=vocab))


def insert_passages(base, items):
    """Insert items [(pos, pre, post, passage)] into base: pre + passage +
    post goes to base[pos] (items in order of pos). Returns the text and the
    (code point, byte) offset of each passage."""
    pieces, pos0, cp, nb = [], 0, 0, 0
    offsets = []
    for pos, pre, post, passage in sorted(items, key=lambda it: it[0]):
        for piece in (base[pos0:pos], pre):
            pieces.append(piece)
            cp += len(piece)
            nb += len(piece.encode("utf-8"))
        offsets.append((cp, nb))
        for piece in (passage, post):
            pieces.append(piece)
            cp += len(piece)
            nb += len(piece.encode("utf-8"))
        pos0 = pos
    pieces.append(base[pos0:])
    return "".join(pieces), offsets


def find_clash(keys, s, allowed, index, susp_of):
    """A document that shares an 8-gram of keys (of suspicious document s)
    without being allowed to (s, its base and its sources are), or None."""
    for k in keys:
        o = index.get(k, s)  # chosen document holding k (s: a new 8-gram)
        if o in allowed:
            o = susp_of.get(k, s)  # another suspicious doc holding k
        if o != s:
            return o
    return None


def assemble(P, s, cases, level, rng):
    """Suspicious document s with its passages obfuscated and inserted, and
    the truth records of its cases (offsets verified)."""
    cases = sorted(cases, key=lambda c: c[0])
    items, recs = [], []
    for pos, pre, post, src, b, e, w in cases:
        orig = P.docs[src].text[b:e]
        passage, edits, how = obfuscate(orig, level, P.vocab, rng)
        items.append((pos, pre, post, passage))
        recs.append({"susp": P.ids[s], "src": P.ids[src],
                     "src_begin": b, "src_end": e,
                     "src_byte_begin": len(P.docs[src].text[:b].encode("utf-8")),
                     "src_byte_end": len(P.docs[src].text[:e].encode("utf-8")),
                     "words": w, "edits": edits, "obfuscation": how,
                     "_passage": passage, "_orig": orig, "_src": src})
    text, offsets = insert_passages(P.docs[s].text, items)
    tb = text.encode("utf-8")
    for r, (cp, nb) in zip(recs, offsets):
        p = r["_passage"]
        r["susp_begin"], r["susp_end"] = cp, cp + len(p)
        r["susp_byte_begin"], r["susp_byte_end"] = nb, nb + len(p.encode("utf-8"))
        # verify the offsets
        st = P.docs[r["_src"]].text
        assert text[r["susp_begin"]:r["susp_end"]] == p
        assert tb[r["susp_byte_begin"]:r["susp_byte_end"]].decode("utf-8") == p
        assert st[r["src_begin"]:r["src_end"]] == r["_orig"]
        assert st.encode("utf-8")[r["src_byte_begin"]:r["src_byte_end"]].decode(
            "utf-8") == r["_orig"]
    return text, recs


def build_level(P, level, seed):
    """Texts of all documents and the truth records for one level.

    Only suspicious documents differ from the chosen documents, which share
    no word 8-gram by construction. Each suspicious document is checked
    against the chosen documents other than its base and sources and against
    the other suspicious documents; on a shared 8-gram (a word edit can
    recreate a common phrase such as "the company said in the annual report
    the") its obfuscation is drawn again.
    """
    rng = random.Random(f"{seed}/{level}")
    texts = [d.text for d in P.docs]
    truth = []
    susp_of = {}  # 8-gram -> suspicious slot holding it
    redrawn = 0
    for s, cases in P.plans:
        allowed = {s} | {c[3] for c in cases}
        for _ in range(MAX_REDRAWS + 1):
            text, recs = assemble(P, s, cases, level, rng)
            keys = ngram_keys(text)
            clash = find_clash(keys, s, allowed, P.index, susp_of)
            if clash is None:
                break
            redrawn += 1
        else:
            raise SystemExit(f"make_reuse_corpus: {P.ids[s]} shares a word {NGRAM}-gram with "
                             f"{P.ids[clash]} (not one of its sources); try another --seed")
        for k in keys:
            susp_of[k] = s
        texts[s] = text
        truth.extend(recs)
    stats = {"redrawn": redrawn, "reordered": 0, "no_shared": 0}
    for r in truth:
        if not (ngram_keys(r["_passage"]) & ngram_keys(r["_orig"])):
            stats["no_shared"] += 1
        if level in ("heavy", "reordered") and len(sentence_spans(r["_orig"])) >= 2:
            stats["reordered"] += 1
    return texts, truth, stats


def main():
    root = textnorm.repo_root()
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--obfuscation", choices=LEVELS + ("all", "reordered"), default="all",
                    help="obfuscation level of the planted passages (all: one corpus each of "
                         "none, light and heavy; reordered: its own corpus of longer passages)")
    ap.add_argument("--susp-docs", type=int, default=1000, help="suspicious documents")
    ap.add_argument("--src-docs", type=int, default=1000, help="source documents")
    ap.add_argument("--noise-docs", type=int, default=1000, help="documents without reuse")
    ap.add_argument("--out", default=os.path.join(root, "build/bench/reuse-{level}.jsonl"),
                    help="output JSONL (.jsonl, .jsonl.gz or .jsonl.zst); {level} is "
                         "replaced by the level")
    ap.add_argument("--truth", default=None,
                    help="truth JSONL (default: OUT with .truth.jsonl suffix)")
    ap.add_argument("--max-shared-5grams", type=int, default=1,
                    help="also reject a candidate sharing more than this many distinct "
                         "word 5-grams with one chosen document (default 1; -1: only the "
                         "8-gram rule)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--passage-words", default=None,
                    help="LO-HI: words of a planted passage (default 25-150; reordered: 40-400)")
    ap.add_argument("--sources", default=os.path.join(root, "..", "shared", "corpora"),
                    help="directory with the shared corpora")
    args = ap.parse_args()
    if args.max_shared_5grams < 0:
        args.max_shared_5grams = None
    if min(args.susp_docs, args.src_docs, args.noise_docs) < 0 or args.src_docs < 3 \
            and args.susp_docs > 0:
        ap.error("need at least 3 source documents and no negative counts")
    levels = LEVELS if args.obfuscation == "all" else (args.obfuscation,)
    if args.passage_words is None:
        args.passage_words = PASSAGE_WORDS[levels[0]]
    else:
        try:
            lo, hi = (int(x) for x in args.passage_words.split("-"))
        except ValueError:
            ap.error("--passage-words must be LO-HI, e.g. 40-400")
        if not 1 <= lo <= hi:
            ap.error("--passage-words: need 1 <= LO <= HI")
        args.passage_words = (lo, hi)
    if len(levels) > 1 and "{level}" not in args.out:
        ap.error("--obfuscation all needs {level} in --out")
    if len(levels) > 1 and args.truth and "{level}" not in args.truth:
        ap.error("--obfuscation all needs {level} in --truth")

    paths = [os.path.join(args.sources, f) for f in SOURCE_FILES]
    missing = [p for p in paths if not os.path.exists(p)]
    if missing:
        print(f"make_reuse_corpus: shared corpora not found ({', '.join(missing)}); skipped")
        return 0

    t0 = time.time()
    rng = random.Random(args.seed)
    P = plan(args, rng)
    for level in levels:
        t1 = time.time()
        out_path = args.out.replace("{level}", level)
        truth_path = (args.truth or default_truth_path(args.out)).replace("{level}", level)
        texts, truth, st = build_level(P, level, args.seed)
        out = Writer(out_path)
        nbytes = 0
        for slot in P.perm:
            line = json.dumps({"id": P.ids[slot], "text": texts[slot]},
                              ensure_ascii=False) + "\n"
            nbytes += len(line.encode("utf-8"))
            out.write(line)
        out.close()
        tw = Writer(truth_path)
        truth.sort(key=lambda r: (r["susp"], r["susp_begin"]))
        for r in truth:
            tw.write(json.dumps({k: r[k] for k in TRUTH_FIELDS}) + "\n")
        tw.close()
        extra = (f", {st['reordered']} with sentences reordered"
                 if level in ("heavy", "reordered") else "")
        log(f"make_reuse_corpus: {level}: wrote {len(texts)} docs ({nbytes / 1e6:.1f} MB) to "
            f"{out_path}, {len(truth)} cases{extra} ({st['no_shared']} share no word "
            f"{NGRAM}-gram with their source) to {truth_path}; obfuscation drawn again "
            f"for {st['redrawn']} docs  {time.time() - t1:.1f}s")
    log(f"make_reuse_corpus: done in {time.time() - t0:.1f}s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
