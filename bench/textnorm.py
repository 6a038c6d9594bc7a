"""Reference text normalization and shingling for the doppel benchmarks.

This is the ground-truth definition used by make_corpus.py and
score_planted.py (python3 standard library only):

  1. unicodedata.normalize('NFKC', text).casefold()
  2. every character whose Unicode category does not start with L, N or M
     (letters, numbers, marks) becomes a space
  3. split on whitespace -> words
  4. shingles = set of n-tuples of consecutive words (n=5 by default);
     fewer than n words -> a single shingle of all words; no words -> empty set

Also holds small shared helpers (jaccard, open_text, repo_root).
"""

import gzip
import io
import json
import os
import subprocess
import unicodedata

__all__ = ["normalize", "words", "shingles", "jaccard", "open_text", "repo_root"]


class _KeepLNM(dict):
    """str.translate table: code point -> itself (L*, N*, M*) or ' ' (others).

    Filled lazily; dict lookups stay in C for code points already seen.
    """

    def __missing__(self, cp):
        v = cp if unicodedata.category(chr(cp))[0] in "LNM" else " "
        self[cp] = v
        return v


_TABLE = _KeepLNM()


def normalize(text):
    """NFKC + casefold, non letter/number/mark characters replaced by spaces."""
    return unicodedata.normalize("NFKC", text).casefold().translate(_TABLE)


def words(text):
    """Normalized word list."""
    return normalize(text).split()


def shingles(text, n=5):
    """Set of n-word shingles (tuples of words) of text after normalization."""
    w = words(text)
    if not w:
        return set()
    if len(w) < n:
        return {tuple(w)}
    return set(zip(*(w[i:] for i in range(n))))


def jaccard(a, b):
    """Jaccard similarity of two shingle sets (two empty sets -> 1.0)."""
    if not a and not b:
        return 1.0
    inter = len(a & b)
    return inter / (len(a) + len(b) - inter)


def repo_root():
    """Repository root: the parent of the directory holding this file."""
    return os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


class _ProcReader(io.TextIOWrapper):
    """Text stream over a subprocess's stdout that reaps the process on close."""

    def __init__(self, proc):
        super().__init__(proc.stdout, encoding="utf-8", errors="surrogateescape")
        self._proc = proc

    def close(self):
        try:
            super().close()
        finally:
            if self._proc.poll() is None:
                self._proc.kill()
            self._proc.wait()


def open_text(path):
    """Open a (possibly .gz / .zst compressed) UTF-8 text file for reading.

    '-' means standard input. .zst files are decompressed with the zstd CLI.
    """
    if path == "-":
        return io.TextIOWrapper(__import__("sys").stdin.buffer, encoding="utf-8",
                                errors="surrogateescape")
    if path.endswith(".zst"):
        proc = subprocess.Popen(["zstd", "-dcq", path], stdout=subprocess.PIPE)
        return _ProcReader(proc)
    if path.endswith(".gz"):
        return gzip.open(path, "rt", encoding="utf-8", errors="surrogateescape")
    return open(path, "r", encoding="utf-8", errors="surrogateescape")


def read_jsonl(path):
    """Yield (line number, object) for each non-blank line of a JSON Lines file (.gz/.zst too).

    A line that is not JSON stops the script with FILE:LINE and the reason.
    """
    with open_text(path) as f:
        for n, line in enumerate(f, 1):
            line = line.strip()
            if not line:
                continue
            try:
                yield n, json.loads(line)
            except json.JSONDecodeError as e:
                raise SystemExit(f"{path}:{n}: bad JSON: {e}")
