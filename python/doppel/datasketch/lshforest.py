"""MinHashLSHForest, as in ``datasketch.lshforest``: top-k queries by Jaccard similarity over ``l``
prefix trees of ``k = num_perm // l`` hash values each, with datasketch's attributes, errors and
answers (the same keys for the same calls, in a list made from a set as datasketch's is).

Each tree is a sorted list of distinct band keys, as in datasketch; a prefix is found with the C
``bisect`` module instead of a binary search in Python (every band key that starts with a prefix
sorts at or after it, and every one before it differs within the prefix), which is where
datasketch's queries spend their time.
"""

from __future__ import annotations

from bisect import bisect_left
from collections import defaultdict
from collections.abc import Hashable
from typing import NamedTuple

import numpy as np


def _band_key(values) -> bytes:
    """A run of hash values as bytes whose order is the order of the values (big-endian), as
    datasketch's forest makes them, so that a prefix of values is a prefix of bytes."""
    return np.ascontiguousarray(values).byteswap().tobytes()


class _TreeQuery(NamedTuple):
    """One tree's part of a query: the query's band key, the tree, and how deep it can answer."""

    band: bytes
    table: dict
    ordered: list
    first_depth: int  # at the deepest depth: k where a band key equals the query's, else reach
    reach: int  # the longest prefix, in values, shared with a band key other than the query's


class MinHashLSHForest:
    """The LSH Forest for MinHash (and weighted MinHash, unchanged): ``add`` keys, ``index`` them,
    then ``query`` the approximate top ``k``.

    Args:
        num_perm (int): The number of permutations of the MinHashes to index (for weighted
            MinHash, its ``sample_size``).
        l (int): The number of prefix trees.

    Attributes:
        l (int): The number of trees; ``k`` (int): values per tree, ``int(num_perm / l)``;
        hashranges: each tree's ``(start, end)`` in the hash values; keys (dict): each key's band
        keys; hashtables: per tree, band key -> keys in the order added; sorted_hashtables: per
        tree, the sorted band keys as of the last ``index()``.
    """

    def __init__(self, num_perm: int = 128, l: int = 8) -> None:  # noqa: E741 - datasketch's name
        if l <= 0 or num_perm <= 0:
            raise ValueError("num_perm and l must be positive")
        if l > num_perm:
            raise ValueError("l cannot be greater than num_perm")
        self.l = l
        self.k = int(num_perm / l)
        self.hashtables = [defaultdict(list) for _ in range(self.l)]
        self.hashranges = [(i * self.k, (i + 1) * self.k) for i in range(self.l)]
        self.keys = {}
        self.sorted_hashtables = [[] for _ in range(self.l)]

    def _check_length(self, minhash) -> None:
        if len(minhash) < self.k * self.l:
            raise ValueError("The num_perm of MinHash out of range")

    def add(self, key: Hashable, minhash) -> None:
        """Add a unique ``key`` with the MinHash (or weighted MinHash) of its set. It is found by
        queries once :meth:`index` has been called."""
        self._check_length(minhash)
        if key in self.keys:
            raise ValueError("The given key has already been added")
        # One byte string for all trees, cut in l: the rows of a band are contiguous in it.
        whole = _band_key(minhash.hashvalues[:self.k * self.l])
        step = len(whole) // self.l
        bands = [whole[i * step:(i + 1) * step] for i in range(self.l)]
        self.keys[key] = bands
        for band, table in zip(bands, self.hashtables):
            table[band].append(key)

    def index(self) -> None:
        """Make every key added so far searchable."""
        for i, table in enumerate(self.hashtables):
            self.sorted_hashtables[i] = sorted(table)

    def query(self, minhash, k: int) -> list:
        """The approximate top-``k`` keys by Jaccard similarity to ``minhash``'s set: at most
        ``k``, those sharing the longest prefix of a tree first."""
        if k <= 0:
            raise ValueError("k must be positive")
        self._check_length(minhash)
        found = set()
        # The query's band keys once; a prefix of `depth` values is the first depth * row bytes
        # of its band key (a row: one value, or one (k, t) pair of a weighted MinHash).
        whole = _band_key(minhash.hashvalues[:self.k * self.l])
        step = len(whole) // self.l
        row = step // self.k
        # How deep each tree can answer anything new. The longest prefix the band shares with
        # another band key is shared with a neighbour of its place in the sorted list; the band
        # key equal to it, if there is one, gives its keys at the first depth, and only those
        # again below. Depths where no tree reaches another band key give nothing new and are
        # skipped: a query unlike every other key went through all k of them, l bisections each.
        trees = []
        for start, table, ordered in zip(range(0, len(whole), step), self.hashtables,
                                         self.sorted_hashtables):
            band = whole[start:start + step]
            at = bisect_left(ordered, band)
            exact = at < len(ordered) and ordered[at] == band
            reach = 0
            as_number = int.from_bytes(band, "big")
            for other in ordered[max(at - 1, 0):at + (2 if exact else 1)]:
                if other == band:
                    continue
                if len(other) != step:  # another kind of MinHash: no shortcut
                    reach = self.k
                    break
                differ = (as_number ^ int.from_bytes(other, "big")).bit_length()
                reach = max(reach, (step * 8 - differ) // 8 // row)
            trees.append(_TreeQuery(band, table, ordered, self.k if exact else reach, reach))
        deepest = max((t.first_depth for t in trees), default=0)
        below = max((t.reach for t in trees), default=0)
        depths = ([self.k] if deepest == self.k else []) + list(range(min(below, self.k - 1), 0, -1))
        for depth in depths:
            for band, table, ordered, first_depth, reach in trees:
                if (first_depth if depth == self.k else reach) < depth:
                    continue
                prefix = band[:depth * row]
                at = bisect_left(ordered, prefix)
                while at < len(ordered) and ordered[at].startswith(prefix):
                    for key in table[ordered[at]]:
                        found.add(key)
                        if len(found) >= k:
                            return list(found)
                    at += 1
        return list(found)

    def get_minhash_hashvalues(self, key: Hashable) -> np.ndarray:
        """The hash values (``uint64``) of the MinHash added under ``key``; KeyError if none."""
        bands = self.keys.get(key, None)
        if bands is None:
            raise KeyError(f"The provided key does not exist in the LSHForest: {key}")
        return np.concatenate([np.frombuffer(band, dtype=">u8") for band in bands]).astype(
            np.uint64)

    def is_empty(self) -> bool:
        """True while some tree has no searchable key (before the first :meth:`index`)."""
        return any(len(t) == 0 for t in self.sorted_hashtables)

    def __contains__(self, key: Hashable) -> bool:
        """True once ``key`` has been added (searchable or not)."""
        return key in self.keys
