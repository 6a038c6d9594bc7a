"""doppel.datasketch.MinHashLSHForest: top-k answers against a brute-force ranking, datasketch's
errors, attributes and quirks, pickling, and the same answers as datasketch's forest."""

import pickle
import random

import numpy as np
import pytest

from doppel.datasketch import (LeanMinHash, MinHash, MinHashLSHForest, WeightedMinHash,
                               WeightedMinHashGenerator)
from doppel.datasketch import lshforest as forest_module
from test_lsh import mh, words  # the LSH tests' MinHash helpers


def family(count, seed=3, size=60, vocabulary=400):
    """Sets drawn around a few centres, so that neighbours share much and strangers little."""
    rng = random.Random(seed)
    centres = [rng.sample(range(vocabulary), size) for _ in range(5)]
    sets = []
    for _ in range(count):
        base = list(rng.choice(centres))
        for _ in range(rng.randrange(size // 2)):
            base[rng.randrange(size)] = rng.randrange(vocabulary)
        sets.append({b"t%d" % t for t in base})
    return sets


def forest_prefix_depth(forest, a, b):
    """The longest prefix of one tree that the MinHashes a and b share: the order in which the
    forest answers."""
    best = 0
    for start, end in forest.hashranges:
        depth = 0
        while depth < end - start and a.hashvalues[start + depth] == b.hashvalues[start + depth]:
            depth += 1
        best = max(best, depth)
    return best


def test_top_k_comes_in_order_of_the_longest_shared_prefix():
    sets = family(300)
    hashes = [mh(sorted(s)) for s in sets]
    forest = MinHashLSHForest(num_perm=128, l=8)
    for i, m in enumerate(hashes):
        forest.add(i, m)
    forest.index()
    for q in range(0, 300, 17):
        for k in (1, 5, 20):
            got = forest.query(hashes[q], k)
            assert len(got) == len(set(got)) == k
            # Brute force: no key left out shares a longer prefix than an answer (those sharing
            # as long a one as the last answer may go either way), and the first answers share
            # all of a tree (the query's own key, or a copy of its set).
            depths = {i: forest_prefix_depth(forest, hashes[q], hashes[i]) for i in range(300)}
            assert min(depths[i] for i in got) >= max(depths[i] for i in range(300) if i not in got)
            assert max(depths[i] for i in got) == forest.k


def test_near_copies_are_the_answers():
    # 300 sets of 80 tokens from a large vocabulary (strangers share next to nothing); 20 of them
    # with three near copies each (2 to 8 tokens replaced: Jaccard 0.82-0.95). Each original's
    # top 4 is itself and its copies, as the brute-force ranking says.
    rng = random.Random(9)
    sets = [set(rng.sample(range(10**6), 80)) for _ in range(300)]
    copies = {}
    for q in range(0, 300, 15):
        for _ in range(3):
            s = set(sets[q])
            for t in rng.sample(sorted(s), rng.randrange(2, 9)):
                s.discard(t)
                s.add(rng.randrange(10**6, 2 * 10**6))
            copies.setdefault(q, []).append(len(sets))
            sets.append(s)
    forest = MinHashLSHForest()
    hashes = [mh([b"%d" % t for t in sorted(s)]) for s in sets]
    for i, m in enumerate(hashes):
        forest.add(i, m)
    forest.index()
    for q, mine in copies.items():
        brute = sorted(range(len(sets)), key=lambda i: -len(sets[q] & sets[i]) / len(sets[q] | sets[i]))
        assert set(brute[:4]) == {q, *mine}
        assert set(forest.query(hashes[q], 4)) == {q, *mine}


def reference_query(forest, minhash, k):
    """The forest's answer, obviously: depth by depth from the deepest, tree by tree, every
    sorted band key whose first `depth` values are the query's, each one's keys in the order
    added, until k are found."""
    found = set()
    values = np.asarray(minhash.hashvalues)
    for depth in range(forest.k, 0, -1):
        for (start, _), table, ordered in zip(forest.hashranges, forest.hashtables,
                                              forest.sorted_hashtables):
            # The first `depth` values (rows of a weighted MinHash) as big-endian bytes.
            want = values[start:start + depth].byteswap().tobytes()
            for band in ordered:
                if band[:len(want)] == want:
                    for key in table[band]:
                        found.add(key)
                        if len(found) >= k:
                            return found
    return found


def test_answers_equal_the_obvious_search():
    # Hash values from tiny ranges, so that band keys share prefixes of every length; keys added
    # before and after index(); queries of indexed, unindexed and foreign MinHashes.
    rng = np.random.default_rng(5)
    for trial in range(40):
        num_perm, l = [(16, 4), (24, 8), (12, 3), (8, 8), (20, 2)][trial % 5]
        forest = MinHashLSHForest(num_perm=num_perm, l=l)
        spread = int(rng.integers(2, 5))
        count = int(rng.integers(1, 60))

        def sketch():
            # Plain MinHashes; every third trial mixes in weighted ones, whose rows are (k, t)
            # pairs of 16 bytes, so band keys of two lengths share a tree.
            if trial % 3 == 2 and rng.random() < 0.5:
                return WeightedMinHash(0, rng.integers(0, spread, (num_perm, 2)))
            return MinHash(num_perm=num_perm, hashvalues=rng.integers(0, spread, num_perm))

        hashes = [sketch() for _ in range(count)]
        for i, m in enumerate(hashes):
            forest.add(i, m)
            if i == count // 2:
                forest.index()
        if trial % 3:
            forest.index()
        queries = hashes + [sketch() for _ in range(5)]
        for q in queries:
            for k in (1, 2, 5, 100):
                assert set(forest.query(q, k)) == reference_query(forest, q, k), (trial, k)


def test_keys_are_searchable_only_after_index_and_is_empty_is_datasketchs():
    forest = MinHashLSHForest(num_perm=32, l=4)
    assert forest.is_empty()
    a = mh(words(30), num_perm=32)
    forest.add("a", a)
    assert "a" in forest and "b" not in forest
    assert forest.is_empty() and forest.query(a, 3) == []
    forest.index()
    assert not forest.is_empty() and forest.query(a, 3) == ["a"]
    # Added after index(): not searchable under a band key the last index() did not sort, but
    # found under one it did (the trees list the keys of each band key as they are now), as in
    # datasketch.
    forest.add("copy", mh(words(30), num_perm=32))
    forest.add("other", mh(words(30, 1000), num_perm=32))
    assert sorted(forest.query(a, 5)) == ["a", "copy"]
    forest.index()
    assert sorted(forest.query(mh(words(30, 1000), num_perm=32), 1)) == ["other"]


def test_attributes_and_hash_values_round_trip():
    forest = MinHashLSHForest(num_perm=100, l=7)
    assert (forest.l, forest.k) == (7, 14)
    assert forest.hashranges == [(i * 14, (i + 1) * 14) for i in range(7)]
    m = mh(words(50), num_perm=100)
    forest.add(b"k", m)
    back = forest.get_minhash_hashvalues(b"k")
    assert back.dtype == np.uint64 and np.array_equal(back, m.hashvalues[:98])
    assert forest.keys[b"k"][0] == m.hashvalues[:14].byteswap().tobytes()
    assert forest.hashtables[0][forest.keys[b"k"][0]] == [b"k"]
    with pytest.raises(KeyError, match="does not exist in the LSHForest"):
        forest.get_minhash_hashvalues(b"missing")


def test_lean_and_weighted_minhashes():
    forest = MinHashLSHForest(num_perm=64, l=8)
    lean = LeanMinHash(mh(words(40), num_perm=64))
    forest.add("lean", lean)
    gen = WeightedMinHashGenerator(dim=20, sample_size=64, seed=2)
    weighted = gen.minhash(np.arange(1, 21, dtype=float))
    forest.add("weighted", weighted)
    forest.index()
    assert forest.query(lean, 1) == ["lean"]
    assert forest.query(weighted, 1) == ["weighted"]


def test_errors_are_datasketchs():
    with pytest.raises(ValueError, match="must be positive"):
        MinHashLSHForest(num_perm=0)
    with pytest.raises(ValueError, match="must be positive"):
        MinHashLSHForest(l=0)
    with pytest.raises(ValueError, match="cannot be greater"):
        MinHashLSHForest(num_perm=4, l=8)
    forest = MinHashLSHForest(num_perm=128, l=8)
    with pytest.raises(ValueError, match="out of range"):
        forest.add("short", mh(words(10), num_perm=64))
    forest.add("a", mh(words(10)))
    with pytest.raises(ValueError, match="already been added"):
        forest.add("a", mh(words(10)))
    forest.index()
    with pytest.raises(ValueError, match="k must be positive"):
        forest.query(mh(words(10)), 0)
    with pytest.raises(ValueError, match="out of range"):
        forest.query(mh(words(10), num_perm=64), 1)


def test_pickle_round_trip():
    forest = MinHashLSHForest(num_perm=64, l=4)
    hashes = [mh(sorted(s), num_perm=64) for s in family(50, seed=4)]
    for i, m in enumerate(hashes):
        forest.add(i, m)
    forest.index()
    back = pickle.loads(pickle.dumps(forest))
    for m in hashes[:10]:
        assert sorted(back.query(m, 7)) == sorted(forest.query(m, 7))


def test_band_keys_sort_as_their_values():
    values = np.array([1, 256, 2**63, 2**64 - 1, 0], dtype=np.uint64)
    keys = [forest_module._band_key(values[i:i + 1]) for i in range(len(values))]
    assert sorted(range(5), key=lambda i: keys[i]) == sorted(range(5), key=lambda i: int(values[i]))


def test_same_answers_as_datasketch(ds):
    rng = random.Random(11)
    for num_perm, l in ((128, 8), (64, 4), (100, 7), (16, 16)):
        sets = family(250, seed=num_perm + l)
        mine, theirs = MinHashLSHForest(num_perm=num_perm, l=l), ds.MinHashLSHForest(num_perm, l)
        keys = [rng.choice([i, "k%d" % i, (i, "t")]) for i in range(len(sets))]
        mine_hashes, their_hashes = [], []
        for key, s in zip(keys, sets):
            a, b = MinHash(num_perm=num_perm), ds.MinHash(num_perm=num_perm)
            a.update_batch(sorted(s))
            b.update_batch(sorted(s))
            mine_hashes.append(a)
            their_hashes.append(b)
            mine.add(key, a)
            theirs.add(key, b)
            if key == keys[120]:  # half indexed, half added after: the quirk above, both sides
                mine.index()
                theirs.index()
        assert mine.keys == theirs.keys
        assert mine.sorted_hashtables == theirs.sorted_hashtables
        assert mine.is_empty() == theirs.is_empty()
        for q in range(0, len(sets), 7):
            for k in (1, 3, 10, 40, 1000):
                assert set(mine.query(mine_hashes[q], k)) == set(theirs.query(their_hashes[q], k))
        mine.index()
        theirs.index()
        for q in range(0, len(sets), 11):
            assert set(mine.query(mine_hashes[q], 10)) == set(theirs.query(their_hashes[q], 10))
            assert np.array_equal(mine.get_minhash_hashvalues(keys[q]),
                                  theirs.get_minhash_hashvalues(keys[q]))
