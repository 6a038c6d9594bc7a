#!/usr/bin/env python3
"""Natural reuse in 20 Newsgroups: replies that quote other posts of the corpus.

Reads doppel reuse's --pairs over ../shared/corpora/20newsgroups.jsonl.zst and counts the pairs
where one side is a quoted block (most of its lines start with a quote marker such as ">", "|>",
": " or "JS>") and the other side is the same text unquoted, i.e. the quoted post itself. Prints
the counts and a few examples, with both spans, for docs/.

    build/release/doppel reuse ../shared/corpora/20newsgroups.jsonl.zst --pairs P.jsonl -q
    python3 bench/newsgroups_quotes.py --pairs P.jsonl [--examples 3]
"""
import argparse
import os
import re
import sys

import textnorm

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_CORPUS = os.path.join(HERE, "..", "..", "shared", "corpora", "20newsgroups.jsonl.zst")
QUOTE = re.compile(r"^\s*[A-Za-z]{0,3}\s?[>|:]")


def quoted_share(text):
    lines = [l for l in text.split("\n") if l.strip()]
    if not lines:
        return 0.0
    return sum(1 for l in lines if QUOTE.match(l)) / len(lines)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--pairs", required=True, help="doppel reuse --pairs output")
    ap.add_argument("--corpus", default=DEFAULT_CORPUS)
    ap.add_argument("--examples", type=int, default=3)
    ap.add_argument("--min-words", type=int, default=30, help="examples: passages at least this long")
    args = ap.parse_args()
    if not os.path.exists(args.corpus):
        print(f"newsgroups_quotes: {args.corpus} not found; skipped")
        return 0
    texts = {str(d["id"]): d["text"] for _, d in textnorm.read_jsonl(args.corpus)}

    pairs = quote_pairs = 0
    quoting_docs, quoted_docs = set(), set()
    examples = []
    for _, p in textnorm.read_jsonl(args.pairs):
        pairs += 1
        a = texts[p["a"]][p["a_begin"]:p["a_end"]]
        b = texts[p["b"]][p["b_begin"]:p["b_end"]]
        qa, qb = quoted_share(a), quoted_share(b)
        if (qa >= 0.5) == (qb >= 0.5):
            continue
        quote_pairs += 1
        reply, source = (p["a"], p["b"]) if qa >= 0.5 else (p["b"], p["a"])
        quoting_docs.add(reply)
        quoted_docs.add(source)
        if len(examples) < args.examples and min(p["a_words"], p["b_words"]) >= args.min_words:
            if not any(e[0] == reply or e[1] == source for e in examples):
                rq, sq = (a, b) if qa >= 0.5 else (b, a)
                examples.append((reply, source, p, rq, sq))

    print(f"passage pairs: {pairs}")
    print(f"quoted block aligned to the unquoted text of another post: {quote_pairs} pairs, "
          f"{len(quoting_docs)} replies quoting {len(quoted_docs)} posts")
    for reply, source, p, rq, sq in examples:
        print()
        print(f"reply {reply} quotes {source} ({min(p['a_words'], p['b_words'])} words, "
              f"similarity {p['similarity']})")
        print("  in the reply:")
        for l in rq.split("\n")[:6]:
            print("    " + l)
        print("  in the source:")
        for l in sq.split("\n")[:6]:
            print("    " + l)
    return 0


if __name__ == "__main__":
    sys.exit(main())
