"""LeanMinHash, bBitMinHash, WeightedMinHash and WeightedMinHashGenerator: datasketch's golden
values and byte formats, every method, pickling and bad arguments."""

import pickle
import struct

import numpy as np
import pytest
import scipy.sparse

from doppel.datasketch import (LeanMinHash, MinHash, WeightedMinHash, WeightedMinHashGenerator,
                               bBitMinHash)

TOKENS = [b"t%d" % i for i in range(100)]
# datasketch: LeanMinHash(MinHash(16, seed=7) of TOKENS).serialize(buf, "<"), and the pickled
# state of bBitMinHash(that MinHash, b=3, r=0.1).
GOLDEN_LEAN_LE = bytes.fromhex(
    "070000000000000010000000affaf501fc574e01eeb72f003b35ce0610209a01963b220232f46906c167de00"
    "7f99fd0029168e024d977300199a3300df6fa800b1a56c01b3a25503b2454902")
GOLDEN_BBIT_STATE = bytes.fromhex("0700000000000000039a9999999999b93f100000003271517121066374")
# datasketch: WeightedMinHashGenerator(10, sample_size=8, seed=5)
V = [1, 0, 3, 4.5, 0, 2, 7, 1, 0, 9]
GOLDEN_WEIGHTED = [[2, 0], [6, 2], [9, 1], [3, 1], [0, 0], [9, 1], [3, 1], [7, 0]]
GOLDEN_WEIGHTED_ROW3 = [[2, 0], [8, 0], [8, 0], [2, 0], [8, 1], [2, 0], [8, 1], [2, 0]]


def minhash(tokens=TOKENS, num_perm=16, seed=7):
    m = MinHash(num_perm=num_perm, seed=seed)
    m.update_batch(tokens)
    return m


def test_lean_serialize_golden_and_round_trips():
    lm = LeanMinHash(minhash())
    assert lm.bytesize("<") == len(GOLDEN_LEAN_LE)
    buf = bytearray(lm.bytesize("<"))
    lm.serialize(buf, "<")
    assert bytes(buf) == GOLDEN_LEAN_LE
    assert LeanMinHash.deserialize(GOLDEN_LEAN_LE, "<") == lm
    for order in "@=<>!":
        buf = bytearray(lm.bytesize(order) + 5)  # larger buffers are fine
        lm.serialize(buf, order)
        back = LeanMinHash.deserialize(buf, order)
        assert back == lm and back.hashvalues.dtype == np.uint64
    assert LeanMinHash.deserialize(memoryview(bytes(GOLDEN_LEAN_LE)), "<") == lm
    back = pickle.loads(pickle.dumps(lm))
    assert back == lm and type(back) is LeanMinHash and hash(back) == hash(lm)


def test_lean_behaves_like_a_frozen_minhash():
    m = minhash()
    lm = LeanMinHash(m)
    assert lm.seed == 7 and len(lm) == 16 and lm.hashvalues.tolist() == m.hashvalues.tolist()
    assert lm.jaccard(m) == 1.0 and m.jaccard(lm) == 1.0
    assert lm != m  # different types, as datasketch
    assert LeanMinHash(seed=7, hashvalues=m.hashvalues) == lm
    other = LeanMinHash(minhash(TOKENS[40:]))
    u = LeanMinHash.union(lm, other)
    assert type(u) is LeanMinHash
    assert u.hashvalues.tolist() == np.minimum(lm.hashvalues, other.hashvalues).tolist()
    c = lm.copy()
    assert c == lm and c.hashvalues is not lm.hashvalues
    assert not hasattr(lm, "permutations") and not hasattr(lm, "hashfunc")
    with pytest.raises(TypeError):
        lm.update(b"x")
    lm.update_batch([])  # as datasketch's: nothing to hash, nothing changes
    lm.update_batch(iter(()))
    with pytest.raises(AttributeError):
        lm.update_batch([b"x"])
    with pytest.raises(ValueError):
        LeanMinHash()
    with pytest.raises(ValueError):
        LeanMinHash(seed=1)
    with pytest.raises(ValueError):
        lm.serialize(bytearray(lm.bytesize() - 1))
    with pytest.raises(ValueError):
        LeanMinHash.union(lm)
    with pytest.raises(ValueError):
        LeanMinHash.union(lm, LeanMinHash(minhash(num_perm=8)))
    with pytest.raises(struct.error):
        LeanMinHash.deserialize(GOLDEN_LEAN_LE[:-1], "<")


def test_b_bit_golden_state_and_methods():
    m1, m2 = minhash(), minhash(TOKENS[50:] + [b"u%d" % i for i in range(50)])
    bb = bBitMinHash(m1, b=3, r=0.1)
    assert bytes(bb.__getstate__()) == GOLDEN_BBIT_STATE
    assert bb.bytesize() == len(GOLDEN_BBIT_STATE)
    back = pickle.loads(pickle.dumps(bb))
    assert back == bb and back.hashvalues.dtype == np.uint32
    assert bb.jaccard(bBitMinHash(m2, b=3, r=0.2)) == 0.10828799676997376
    for b in (0, 1, 2, 3, 4, 5, 8, 13, 16, 17, 32):
        x = bBitMinHash(minhash(num_perm=77), b=b)
        y = pickle.loads(pickle.dumps(x))
        assert y == x and x.hashvalues.tolist() == (minhash(num_perm=77).hashvalues & ((1 << b) - 1)).tolist()
    with pytest.raises(ValueError):
        bBitMinHash(m1, b=33)
    with pytest.raises(ValueError):
        bBitMinHash(m1, r=1.5)
    with pytest.raises(ValueError):
        bb.jaccard(bBitMinHash(m2, b=4))
    with pytest.raises(ValueError):
        bb.jaccard(bBitMinHash(minhash(seed=8), b=3))


def test_weighted_golden_values():
    g = WeightedMinHashGenerator(10, sample_size=8, seed=5)
    w = g.minhash(V)
    assert w.hashvalues.tolist() == GOLDEN_WEIGHTED and w.seed == 5 and len(w) == 8
    many = g.minhash_many(np.array([V, [0] * 10, [0, 0, 1, 0, 0, 0, 0, 0, 2, 0]], dtype=float))
    assert many[0].hashvalues.tolist() == GOLDEN_WEIGHTED
    assert many[1] is None
    assert many[2].hashvalues.tolist() == GOLDEN_WEIGHTED_ROW3
    sparse = g.minhash_many(scipy.sparse.csr_matrix(np.array([V, [0] * 10], dtype=float)))
    assert sparse[0] == many[0] and sparse[1] is None


def test_weighted_methods_and_errors():
    g = WeightedMinHashGenerator(10, sample_size=64, seed=1)
    v = np.array(V, dtype=np.float32)
    keep = v.copy()
    a = g.minhash(v)
    assert np.array_equal(v, keep)  # the input is not changed
    b = g.minhash([x * 1.0 for x in V])
    assert a == b and a.jaccard(b) == 1.0
    c = g.minhash([x + 1 for x in V])
    assert 0.0 <= a.jaccard(c) < 1.0
    d = a.copy()
    assert d == a and d.hashvalues is not a.hashvalues and a.digest().tolist() == a.hashvalues.tolist()
    assert pickle.loads(pickle.dumps(a)) == a
    with pytest.raises(TypeError):
        g.minhash(5)
    with pytest.raises(ValueError):
        g.minhash([1, 2, 3])
    with pytest.raises(ValueError):
        g.minhash([0] * 10)
    with pytest.raises(OverflowError):  # datasketch's int() of an infinite weight
        g.minhash([np.inf] * 10)
    with pytest.raises(ValueError):
        a.jaccard(WeightedMinHashGenerator(10, sample_size=8).minhash(V))
    with pytest.raises(ValueError):
        a.jaccard(WeightedMinHashGenerator(10, sample_size=64, seed=2).minhash(V))
    with pytest.raises(TypeError):
        g.minhash_many([V])
    with pytest.raises(ValueError):
        g.minhash_many(np.array(V))
    with pytest.raises(ValueError):
        g.minhash_many(np.ones((2, 3)))


def test_weighted_large_dimension_in_chunks():
    g = WeightedMinHashGenerator(70000, sample_size=70, seed=3)
    v = np.zeros(70000)
    v[::7] = np.arange(10000) % 13
    w = g.minhash(v)
    assert w.hashvalues.shape == (70, 2)
    assert all(v[k] != 0 for k in w.hashvalues[:, 0])


# --- against the reference datasketch (skipped without it)


def test_same_as_datasketch(ds):
    rng = np.random.default_rng(2)
    for _ in range(20):
        m = MinHash(num_perm=int(rng.integers(1, 300)), seed=int(rng.integers(0, 100)))
        m.update_batch([b"%d" % x for x in rng.integers(0, 1000, 50)])
        theirs = ds.MinHash(seed=m.seed, hashvalues=m.hashvalues)
        for order in "@=<>!x":  # "x" is no byte order, but both size it the same
            assert LeanMinHash(m).bytesize(order) == ds.LeanMinHash(theirs).bytesize(order)
        for order in "@<>":
            buf, ref = bytearray(LeanMinHash(m).bytesize(order)), bytearray(ds.LeanMinHash(theirs).bytesize(order))
            LeanMinHash(m).serialize(buf, order)
            ds.LeanMinHash(theirs).serialize(ref, order)
            assert buf == ref
        assert pickle.dumps(LeanMinHash(m).__getstate__()) == pickle.dumps(ds.LeanMinHash(theirs).__getstate__())
        assert hash(LeanMinHash(m)) == hash(ds.LeanMinHash(theirs))
        b, r = int(rng.integers(0, 33)), float(rng.random())
        ours, ref = bBitMinHash(m, b=b, r=r), ds.bBitMinHash(theirs, b=b, r=r)
        assert bytes(ours.__getstate__()) == bytes(ref.__getstate__())
        ours2 = bBitMinHash(LeanMinHash(m).copy(), b=b, r=r / 2)
        assert ours.jaccard(ours2) == ref.jaccard(ds.bBitMinHash(theirs, b=b, r=r / 2))
    for dim, samples in ((5, 3), (100, 128), (1000, 16)):
        g, h = WeightedMinHashGenerator(dim, samples, seed=dim), ds.WeightedMinHashGenerator(dim, samples, seed=dim)
        X = rng.random((20, dim)) * (rng.random((20, dim)) < 0.3) * 50
        X[3] = 0
        for row in X:
            if row.any():
                assert g.minhash(row).hashvalues.tolist() == h.minhash(row).hashvalues.tolist()
                assert g.minhash(row.astype(np.float32)) == g.minhash(list(row))
        for ours, theirs in zip(g.minhash_many(X), h.minhash_many(X)):
            assert (ours is None) == (theirs is None)
            if ours is not None:
                assert ours.hashvalues.tolist() == theirs.hashvalues.tolist()
