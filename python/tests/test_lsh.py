"""doppel.datasketch.MinHashLSH: datasketch's b and r, every method, its storage views, pickling,
bad arguments, and the same buckets and answers as datasketch."""

import pickle

import numpy as np
import pytest

from doppel.datasketch import LeanMinHash, MinHash, MinHashLSH, WeightedMinHashGenerator
from doppel.datasketch import lsh as lsh_module

# datasketch's optimisation: {(threshold, num_perm): (b, r)}.
GOLDEN_PARAMS = {
    (0.1, 16): (15, 1), (0.1, 128): (64, 2), (0.1, 256): (117, 2),
    (0.3, 16): (8, 2), (0.3, 128): (37, 3), (0.3, 256): (64, 4),
    (0.5, 16): (5, 3), (0.5, 128): (25, 5), (0.5, 256): (42, 6),
    (0.7, 16): (3, 5), (0.7, 128): (14, 9), (0.7, 256): (25, 10),
    (0.8, 16): (2, 8), (0.8, 128): (9, 13), (0.8, 256): (17, 15),
    (0.9, 128): (5, 25), (0.9, 256): (9, 28), (0.95, 128): (3, 42), (0.95, 256): (5, 51),
}


def mh(tokens, num_perm=128, seed=1):
    m = MinHash(num_perm=num_perm, seed=seed)
    m.update_batch(tokens)
    return m


def words(n, start=0):
    return [b"w%d" % i for i in range(start, start + n)]


def test_params_are_datasketchs():
    for (threshold, num_perm), br in GOLDEN_PARAMS.items():
        lsh = MinHashLSH(threshold=threshold, num_perm=num_perm)
        assert (lsh.b, lsh.r) == br and lsh.h == num_perm
    lsh = MinHashLSH(threshold=0.8, num_perm=128, weights=(0.2, 0.8))
    assert (lsh.b, lsh.r) == (12, 10)
    lsh = MinHashLSH(num_perm=128, params=(16, 8))
    assert (lsh.b, lsh.r) == (16, 8)
    assert lsh.hashranges == [(i * 8, (i + 1) * 8) for i in range(16)]


def test_insert_query_remove_contains():
    lsh = MinHashLSH(threshold=0.5, num_perm=128)
    assert lsh.is_empty()
    a, b, c = mh(words(100)), mh(words(100, 10)), mh(words(100, 1000))
    lsh.insert("a", a)
    lsh.insert("b", b)
    lsh.insert(("c", 3), c)
    assert not lsh.is_empty()
    assert "a" in lsh and ("c", 3) in lsh and "z" not in lsh
    assert set(lsh.query(a)) == {"a", "b"}
    assert set(lsh.query(c)) == {("c", 3)}
    assert lsh.query(mh(words(100, 5000))) == []
    lsh.remove("a")
    assert "a" not in lsh and set(lsh.query(a)) == {"b"}
    lsh.insert("a", a)  # a removed key can come back
    assert set(lsh.query(a)) == {"a", "b"}
    for key in ["a", "b", ("c", 3)]:
        lsh.remove(key)
    assert lsh.is_empty() and lsh.query(a) == []
    assert all(len(t) == 0 for t in lsh.hashtables)


def test_lean_and_weighted_minhashes_index_too():
    lsh = MinHashLSH(threshold=0.5, num_perm=128)
    lsh.insert(1, LeanMinHash(mh(words(50))))
    assert lsh.query(mh(words(50))) == [1]
    g = WeightedMinHashGenerator(10, sample_size=4)
    wl = MinHashLSH(threshold=0.5, num_perm=4)
    w1, w2 = g.minhash(np.arange(1, 11)), g.minhash(np.arange(10, 0, -1))
    wl.insert("w1", w1)
    wl.insert("w2", w2)
    assert "w1" in wl.query(w1) and "w2" in wl.query(w2)
    assert all(len(h) == 16 * wl.r for t in wl.hashtables for h in t)  # (k, t) pairs, 8 bytes each


def test_hashtables_and_keys_views():
    lsh = MinHashLSH(threshold=0.5, num_perm=16)
    m1, m2 = mh([b"a"], 16), mh([b"b"], 16)
    lsh.insert("a", m1)
    lsh.insert("b", m2)
    assert len(lsh.hashtables) == lsh.b
    for i, t in enumerate(lsh.hashtables):
        assert len(t) >= 1 and t.size() == len(t)
        items = set()
        for h in t:
            assert isinstance(h, bytes) and len(h) == 8 * lsh.r
            items |= t[h]
            assert h in t and t.has_key(h) and t.get(h) == t[h]
        assert items == {"a", "b"}
        assert sum(t.itemcounts().values()) == 2
        assert t.get(b"no such bucket") == set() and b"x" not in t
    # keys: key -> H of each band, which is the band's hash values as big-endian bytes.
    assert set(lsh.keys) == {"a", "b"} and len(lsh.keys) == 2 and "a" in lsh.keys
    hs = lsh.keys["a"]
    assert len(hs) == lsh.b
    for i, h in enumerate(hs):
        start, end = lsh.hashranges[i]
        assert h == bytes(m1.hashvalues[start:end].byteswap().data)
        assert "a" in lsh.hashtables[i][h]
    assert lsh.keys.get("zz") == [] and lsh.keys.itemcounts() == {"a": lsh.b, "b": lsh.b}
    counts = lsh.get_counts()
    assert len(counts) == lsh.b and all(sum(c.values()) == 2 for c in counts)
    sub = lsh.get_subset_counts("a", "nothere")
    assert len(sub) == lsh.b and all(sum(c.values()) == 1 for c in sub)
    lsh.remove("a")
    assert "a" not in lsh.keys
    for t in lsh.hashtables:
        for h in t:
            assert len(t[h]) > 0 and "a" not in t[h]


def test_duplicates_merge_and_overlap():
    lsh = MinHashLSH(threshold=0.5, num_perm=16)
    m1, m2 = mh([b"a"], 16), mh([b"b"], 16)
    lsh.insert("a", m1)
    with pytest.raises(ValueError):
        lsh.insert("a", m2)
    lsh.insert("a", m2, check_duplication=False)  # "a" now sits in both MinHashes' buckets
    assert lsh.query(m1) == ["a"] and lsh.query(m2) == ["a"]
    assert len(lsh.keys["a"]) == 2 * lsh.b
    lsh.remove("a")
    assert lsh.is_empty() and lsh.query(m2) == []

    one, two = MinHashLSH(threshold=0.5, num_perm=16), MinHashLSH(threshold=0.5, num_perm=16)
    one.insert("a", m1)
    one.insert("b", m2)
    two.insert("c", m1)
    two.insert("d", m2)
    one.merge(two)
    assert set(one.query(m1)) == {"a", "c"} and set(one.query(m2)) == {"b", "d"}
    for i, h in enumerate(one.keys["c"]):
        assert "c" in one.hashtables[i][h]
    with pytest.raises(ValueError):
        one.merge(two, check_overlap=True)
    one.merge(two)  # overlapping keys, unchecked: allowed, as in datasketch
    with pytest.raises(ValueError):
        one.merge(MinHashLSH(threshold=0.5, num_perm=32))
    with pytest.raises(ValueError):
        one.merge("not an lsh")
    assert set(two.query(m1)) == {"c"}  # the other index is unchanged


def test_sessions_and_query_buffer():
    lsh = MinHashLSH(threshold=0.5, num_perm=32)
    docs = [mh(t, 32) for t in ([b"a", b"b", b"c"], [b"a", b"b", b"d"], [b"x", b"y", b"z"])]
    with lsh.insertion_session(buffer_size=10) as session:
        for key, m in enumerate(docs):
            session.insert(key, m)
    assert lsh.buffer_size == 10
    lsh.add_to_query_buffer(docs[0])
    assert set(lsh.collect_query_buffer()) == set(lsh.query(docs[0])) == {0, 1}
    lsh.add_to_query_buffer(docs[0])
    lsh.add_to_query_buffer(docs[1])
    assert set(lsh.collect_query_buffer()) == set(lsh.query(docs[0])) & set(lsh.query(docs[1]))
    assert lsh.collect_query_buffer() == []
    with lsh.deletion_session() as session:
        session.remove(0)
        with pytest.raises(ValueError):
            session.remove(0)
    assert 0 not in lsh and 1 in lsh
    with lsh.insertion_session() as session:  # insert's arguments and errors, as MinHashLSH's
        with pytest.raises(ValueError):
            session.insert(1, docs[0])
        session.insert(key=1, minhash=docs[2], check_duplication=False)
        with pytest.raises(TypeError):
            session.insert(2)
    assert set(lsh.query(docs[2])) == {1, 2}


def test_none_is_a_key_like_any_other():
    m = mh([b"a", b"b", b"c"], 32)
    lsh = MinHashLSH(threshold=0.5, num_perm=32)
    lsh.insert(None, m)
    lsh.insert(0, m)
    assert set(lsh.query(m)) == {None, 0} and None in lsh
    assert set(lsh.keys) == {None, 0} and lsh.keys.itemcounts()[None] == lsh.b
    assert None in lsh.hashtables[0].get(lsh.keys.get(None)[0])
    back = pickle.loads(pickle.dumps(lsh))
    assert set(back.query(m)) == {None, 0} and None in back
    other = MinHashLSH(threshold=0.5, num_perm=32)
    other.merge(lsh)
    assert None in other
    with pytest.raises(ValueError):
        other.merge(lsh, check_overlap=True)
    other.remove(None)
    assert None not in other and other.query(m) == [0]
    lsh.remove(0)
    lsh.insert(1, m)  # takes the freed key number; None stays
    assert set(lsh.query(m)) == {None, 1}


def test_answers_in_datasketchs_order():
    m = mh([b"a", b"b", b"c"], 32)
    lsh = MinHashLSH(threshold=0.5, num_perm=32)
    for key in (5, 3, 100, 1):
        lsh.insert(key, m)
    assert lsh.query(m) == [1, 3, 100, 5]  # list(set): datasketch's order for these int keys
    lsh.add_to_query_buffer(m)
    assert lsh.collect_query_buffer() == [1, 3, 100, 5]
    keys = MinHashLSH(threshold=0.5, num_perm=32)
    for i, key in enumerate("abcde"):
        keys.insert(key, mh([b"%d" % (i * 100 + j) for j in range(20)], 32))
    keys.remove("b")
    keys.insert("z", m)
    keys.remove("a")
    keys.insert("b", mh([b"x"], 32))
    assert list(keys.keys) == ["c", "d", "e", "z", "b"]  # insertion order, as a dict keeps it
    assert keys.keys.status() == {"keyspace_size": 5} and keys.hashtables[0].status() == {
        "keyspace_size": len(keys.hashtables[0])}
    keys.keys.empty_buffer()
    for unhashable in (lambda: keys.keys.get([1]), lambda: keys.hashtables[0].get([1]),
                       lambda: [1] in keys.keys):
        with pytest.raises(TypeError):
            unhashable()
    assert list(pickle.loads(pickle.dumps(keys)).keys) == ["c", "d", "e", "z", "b"]


def test_a_patch_or_override_of_the_class_methods_is_used():
    from unittest import mock

    m = mh([b"a", b"b", b"c"], 32)
    with mock.patch.object(MinHashLSH, "query", return_value=["patched"]):
        assert MinHashLSH(threshold=0.5, num_perm=32).query(m) == ["patched"]

    class Counting(MinHashLSH):
        calls = 0

        def insert(self, key, minhash, check_duplication=True):
            Counting.calls += 1
            super().insert(key, minhash, check_duplication)

    c = Counting(threshold=0.5, num_perm=32)
    c.insert("a", m)
    assert Counting.calls == 1 and c.query(m) == ["a"]


def test_buffered_queries_compare_keys_as_stored():
    m = mh([b"a", b"b", b"c"], 32)
    lsh = MinHashLSH(threshold=0.5, num_perm=32, prepickle=True)
    lsh.insert(["doc", 1], m)  # unhashable once unpickled
    lsh.insert({"id": 2}, m)
    lsh.add_to_query_buffer(m)
    found = lsh.collect_query_buffer()
    assert sorted(map(repr, found)) == sorted(map(repr, lsh.query(m))) == ["['doc', 1]", "{'id': 2}"]
    equal = MinHashLSH(threshold=0.5, num_perm=32, prepickle=True)
    equal.insert(1, m)
    equal.insert(1.0, m)  # equal, but pickled apart: two keys
    equal.add_to_query_buffer(m)
    assert sorted(map(repr, equal.collect_query_buffer())) == ["1", "1.0"]


def test_hashfunc_and_prepickle():
    import hashlib

    def digest(b):
        return hashlib.sha256(b).digest()[:8]

    lsh = MinHashLSH(threshold=0.5, num_perm=16, hashfunc=digest)
    m1, m2 = mh([b"a"], 16), mh([b"b"], 16)
    lsh.insert("a", m1)
    lsh.insert("b", m2)
    assert lsh.query(m1) == ["a"]
    for i, h in enumerate(lsh.keys["a"]):
        start, end = lsh.hashranges[i]
        assert h == digest(bytes(m1.hashvalues[start:end].byteswap().data))
        assert lsh.hashtables[i][h] == {"a"}
    assert lsh.query(mh([b"zz"], 16)) == []
    lsh.remove("a")
    assert lsh.query(m1) == []
    ints = MinHashLSH(threshold=0.5, num_perm=16, hashfunc=lambda b: len(b))  # any hashable H
    ints.insert("a", m1)
    ints.insert("b", m2)
    assert set(ints.query(m1)) == {"a", "b"} and list(ints.hashtables[0]) == [8 * ints.r]

    pp = MinHashLSH(threshold=0.5, num_perm=16, prepickle=True)
    pp.insert(("k", 1), m1)
    assert pp.query(m1) == [("k", 1)] and ("k", 1) in pp
    assert list(pp.keys) == [pickle.dumps(("k", 1))]
    pp.remove(("k", 1))
    assert pp.is_empty()


def test_pickle_round_trip():
    for kwargs in ({}, {"prepickle": True}, {"hashfunc": len}):
        lsh = MinHashLSH(threshold=0.5, num_perm=16, **kwargs)
        m1, m2 = mh([b"a"], 16), mh([b"b"], 16)
        lsh.insert("a", m1)
        lsh.insert("b", m2)
        lsh.insert("b", m1, check_duplication=False)
        lsh.remove("a")
        back = pickle.loads(pickle.dumps(lsh))
        assert (back.b, back.r, back.h, back.prepickle) == (lsh.b, lsh.r, lsh.h, lsh.prepickle)
        assert back.query(m1) == ["b"] and back.query(m2) == ["b"]
        assert back.keys["b"] == lsh.keys["b"] and back.get_counts() == lsh.get_counts()
        back.insert("c", m2)
        assert set(back.query(m2)) == {"b", "c"} and lsh.query(m2) == ["b"]
    empty = pickle.loads(pickle.dumps(MinHashLSH(num_perm=16, params=(4, 4))))
    assert empty.is_empty() and (empty.b, empty.r) == (4, 4)


def test_many_bands_and_keys():
    lsh = MinHashLSH(num_perm=4096, params=(1024, 4))
    m = MinHash(num_perm=4096)
    m.update(b"abcdefg")
    lsh.insert("m", m)
    assert len({len(h) for t in lsh.hashtables for h in t}) == 1
    rng = np.random.default_rng(3)
    base = [b"%d" % x for x in range(200)]
    docs = []
    for i in range(2000):
        tokens = list(base) if i % 3 == 0 else [b"%d" % x for x in rng.integers(0, 10**6, 200)]
        docs.append(mh(tokens, 64))
    big = MinHashLSH(threshold=0.7, num_perm=64)
    for i, d in enumerate(docs):
        big.insert(i, d)
    same = set(range(0, 2000, 3))
    assert set(big.query(docs[0])) == same
    for i in range(0, 2000, 2):
        big.remove(i)
    assert set(big.query(docs[3])) == {i for i in same if i % 2}


def test_bad_arguments():
    with pytest.raises(ValueError):
        MinHashLSH(threshold=1.5)
    with pytest.raises(ValueError):
        MinHashLSH(num_perm=1)
    with pytest.raises(ValueError):
        MinHashLSH(weights=(0.4, 0.4))
    with pytest.raises(ValueError):
        MinHashLSH(weights=(1.5, -0.5))
    with pytest.raises(ValueError):
        MinHashLSH(num_perm=16, params=(8, 8))
    with pytest.raises(ValueError):
        MinHashLSH(threshold=0.9, num_perm=16)  # b < 2
    with pytest.raises(ValueError):
        MinHashLSH(storage_config={"type": "nosuch"})
    with pytest.raises(KeyError):
        MinHashLSH(storage_config={"basename": b"x"})
    MinHashLSH(storage_config={"type": "dict", "basename": b"mylsh"})
    for basename in ("mylsh", 5, None):  # datasketch joins it with bytes: TypeError there too
        with pytest.raises(TypeError, match="basename must be bytes"):
            MinHashLSH(storage_config={"type": "dict", "basename": basename})
    for kind in ("redis", "cassandra"):
        with pytest.raises(ValueError, match="in memory"):
            MinHashLSH(storage_config={"type": kind, "redis": {"host": "localhost"}})
    with pytest.raises(TypeError):
        MinHashLSH(threshold="high")
    lsh = MinHashLSH(threshold=0.5, num_perm=16)
    with pytest.raises(ValueError):
        lsh.insert("c", MinHash(num_perm=18))
    with pytest.raises(ValueError):
        lsh.query(MinHash(num_perm=18))
    with pytest.raises(ValueError):
        lsh.add_to_query_buffer(MinHash(num_perm=18))
    with pytest.raises(ValueError):
        lsh.remove("c")
    with pytest.raises(TypeError):
        lsh.insert(["unhashable"], MinHash(num_perm=16))
    with pytest.raises(ValueError):
        lsh.insert("k", "not a minhash")  # its len() is not 16
    with pytest.raises(AttributeError):
        lsh.insert("k", "x" * 16)  # no hashvalues


def test_insert_and_query_arguments():
    # MinHashLSH's insert and query are native functions bound to the index: they take the
    # arguments datasketch's methods take, by position or by name, and refuse others as Python
    # would (TypeError).
    m1, m2 = mh(words(30), 16), mh(words(30, 500), 16)
    lsh = MinHashLSH(threshold=0.5, num_perm=16)
    lsh.insert(key="a", minhash=m1)
    lsh.insert("a", m2, check_duplication=False)
    lsh.insert("b", minhash=m2, check_duplication=0)
    with pytest.raises(ValueError):
        lsh.insert("b", m2, 1)  # check_duplication by truth value
    assert lsh.query(minhash=m1) == ["a"] and sorted(lsh.query(m2)) == ["a", "b"]
    for bad in (lambda: lsh.insert("c"), lambda: lsh.insert("c", m1, True, 4),
                lambda: lsh.insert("c", m1, check=True), lambda: lsh.insert("c", m1, key="d"),
                lambda: lsh.insert(minhash=m1), lambda: lsh.query(), lambda: lsh.query(m1, m2),
                lambda: lsh.query(m=m1)):
        with pytest.raises(TypeError):
            bad()
    assert sorted(lsh.keys) == ["a", "b"]


class ReferenceLSH:
    """datasketch's MinHashLSH as plainly as it can be written: band i of a MinHash is the bytes
    of its hash values in hashranges[i], byte-swapped, and a bucket is a set of keys."""

    def __init__(self, b, r):
        self.ranges = [(i * r, (i + 1) * r) for i in range(b)]
        self.tables = [dict() for _ in range(b)]

    def bands(self, m):
        return [bytes(m.hashvalues[s:e].byteswap().data) for s, e in self.ranges]

    def insert(self, key, m):
        for table, h in zip(self.tables, self.bands(m)):
            table.setdefault(h, set()).add(key)

    def remove(self, key):
        for table in self.tables:
            for h in [h for h, keys in table.items() if key in keys]:
                table[h].discard(key)
                if not table[h]:
                    del table[h]

    def query(self, m):
        return set().union(*(t.get(h, set()) for t, h in zip(self.tables, self.bands(m))))


@pytest.mark.parametrize("num_perm,b,r", [(16, 4, 4), (11, 3, 3)])  # 3 x 3: not a multiple of 4
def test_values_of_32_and_64_bits_against_a_reference(num_perm, b, r):
    # The index keeps 8-byte values in 4 bytes while every one fits (datasketch's always do),
    # and widens itself when one does not: the buckets are the bytes' buckets either way.
    rng = np.random.default_rng(11)

    def sketch(values):
        return MinHash(num_perm=num_perm, hashvalues=np.asarray(values, dtype=np.uint64))

    base = [rng.integers(0, 2**32, num_perm, dtype=np.uint64) for _ in range(30)]
    docs = []
    for i in range(300):
        v = base[i % 30].copy()
        v[rng.integers(0, num_perm, int(rng.integers(0, 6)))] = rng.integers(0, 2**32)
        docs.append(sketch(v))
    wide = []
    for i in range(40):  # bands that differ from a narrow one only in the upper 4 bytes
        v = docs[i].hashvalues.copy()
        v[rng.integers(0, b * r, 2)] |= np.uint64(1) << np.uint64(int(rng.integers(32, 64)))
        wide.append(sketch(v))
    for order in ("narrow first", "shuffled"):
        lsh = MinHashLSH(num_perm=num_perm, params=(b, r))
        ref = ReferenceLSH(b, r)
        items = list(enumerate(docs)) + [(1000 + i, m) for i, m in enumerate(wide)]
        if order == "shuffled":  # narrow at first, widened by a wide value somewhere after
            items = items[:1] + [items[1 + int(j)] for j in rng.permutation(len(items) - 1)]
        for n, (key, m) in enumerate(items):
            if n == 150 and order == "narrow first":  # still narrow: wide queries, views, pickle
                for probe in docs[:50] + wide:
                    assert set(lsh.query(probe)) == ref.query(probe)
                for band, (t, rt) in enumerate(zip(lsh.hashtables, ref.tables)):
                    assert sorted(t.keys()) == sorted(rt) and all(t[h] == rt[h] for h in rt)
                    for probe in wide[:5]:
                        h = ref.bands(probe)[band]
                        assert t.get(h) == rt.get(h, set())
                assert lsh.keys[1] == ref.bands(docs[1])
                back = pickle.loads(pickle.dumps(lsh))
                assert all(set(back.query(p)) == ref.query(p) for p in docs[:50] + wide)
                back.insert("w", wide[0])  # the loaded narrow index widens too
                assert "w" in back.query(wide[0]) and set(back.query(docs[2])) == ref.query(docs[2])
            lsh.insert(key, m)
            ref.insert(key, m)
        for key in range(0, 300, 7):
            lsh.remove(key)
            ref.remove(key)
        for probe in docs + wide:
            assert set(lsh.query(probe)) == ref.query(probe)
        for t, rt in zip(lsh.hashtables, ref.tables):
            assert sorted(t.keys()) == sorted(rt) and all(t[h] == rt[h] for h in rt)
        assert lsh.keys[1000] == ref.bands(wide[0]) and lsh.keys[1] == ref.bands(docs[1])
        back = pickle.loads(pickle.dumps(lsh))
        assert all(set(back.query(p)) == ref.query(p) for p in docs + wide)


def test_narrow_and_wide_indexes_merge_and_pickle():
    narrow, wide = MinHashLSH(num_perm=16, params=(4, 4)), MinHashLSH(num_perm=16, params=(4, 4))
    small = MinHash(num_perm=16, hashvalues=np.arange(16, dtype=np.uint64))
    big = MinHash(num_perm=16, hashvalues=np.arange(16, dtype=np.uint64) + np.uint64(2**40))
    signed = MinHash(num_perm=16, hashvalues=-np.arange(1, 17, dtype=np.int64))
    narrow.insert("small", small)
    wide.insert("big", big)
    wide.insert("small", small)
    a = pickle.loads(pickle.dumps(narrow))
    a.merge(wide)  # wide into narrow: widens it
    b = pickle.loads(pickle.dumps(wide))
    b.merge(narrow, check_overlap=False)
    for index in (a, b):
        assert sorted(index.query(small)) == ["small"] and index.query(big) == ["big"]
        assert index.keys["big"] == [bytes(big.hashvalues[i : i + 4].byteswap().data) for i in (0, 4, 8, 12)]
    # Into an empty index (which takes the other's form), and into itself.
    e1, e2 = MinHashLSH(num_perm=16, params=(4, 4)), MinHashLSH(num_perm=16, params=(4, 4))
    e1.merge(narrow)
    e2.merge(wide)
    assert e1.query(small) == ["small"] and e2.query(big) == ["big"]
    e1.insert("big", big)
    assert e1.query(big) == ["big"] and e1.query(small) == ["small"]
    narrow.merge(narrow)
    assert narrow.query(small) == ["small"] and len(narrow.keys["small"]) == 2 * narrow.b
    # Hash values of another item size with the same bytes a band do not merge (as they do not
    # insert: one hash value size per index).
    pairs = MinHashLSH(num_perm=16, params=(4, 4))
    pairs.insert("p", MinHash(num_perm=16, hashvalues=np.ones((16, 2), dtype=np.uint32)))
    with pytest.raises(ValueError):
        a.merge(pairs)
    # A state pickled before values were kept in 4 bytes (five items, wide values) still loads.
    state = b.__getstate__()
    old = dict(state, index=state["index"][:5])
    c = MinHashLSH.__new__(MinHashLSH)
    c.__setstate__(old)
    assert sorted(c.query(small)) == ["small"] and c.query(big) == ["big"]
    # Negative int64 values do not fit in 4 bytes: such an index is wide from the start.
    s = MinHashLSH(num_perm=16, params=(4, 4))
    s.insert("signed", signed)
    s.insert("small", small)
    assert s.query(signed) == ["signed"] and s.query(small) == ["small"]
    assert pickle.loads(pickle.dumps(s)).query(signed) == ["signed"]


class Colliding:
    """A key whose hash is the same for every value: equality alone tells them apart."""

    def __init__(self, value, on_eq=None):
        self.value, self.on_eq = value, on_eq

    def __hash__(self):
        return 7

    def __eq__(self, other):
        if self.on_eq is not None:
            self.on_eq()
        return isinstance(other, Colliding) and self.value == other.value


def test_keys_are_found_as_a_dict_finds_them():
    # The index numbers its keys with a table of its own: the same keys must be the same key as
    # in datasketch's dict (equal hash, then the same object or ==).
    m1, m2 = mh(words(30), 16), mh(words(30, 500), 16)
    lsh = MinHashLSH(threshold=0.5, num_perm=16)
    lsh.insert(1, m1)
    assert 1.0 in lsh and True in lsh and 2 not in lsh
    with pytest.raises(ValueError):
        lsh.insert(1.0, m2)  # == 1: the same key
    lsh.remove(True)
    assert lsh.is_empty() and 1 not in lsh
    lsh.insert(("k", 1), m1)
    assert ("k", 1) in lsh and lsh.query(m1) == [("k", 1)]
    nan = float("nan")
    lsh.insert(nan, m2)
    assert nan in lsh and float("nan") not in lsh  # a dict finds a NaN by identity only
    lsh.remove(nan)
    # Many keys of one hash: found by equality, removed and inserted again in any order.
    many = MinHashLSH(threshold=0.5, num_perm=16)
    present = set()
    rng = np.random.default_rng(5)
    for step in range(600):
        v = int(rng.integers(0, 150))
        if v in present and rng.random() < 0.5:
            many.remove(Colliding(v))
            present.discard(v)
        elif v not in present:
            many.insert(Colliding(v), m1 if v % 2 else m2)
            present.add(v)
        if step % 50 == 0:
            assert all((Colliding(u) in many) == (u in present) for u in range(150))
    assert {k.value for k in many.query(m1)} == {v for v in present if v % 2}
    assert sorted(k.value for k in many.keys) == sorted(present)
    # A stored key's __eq__ that raises: the error comes out, as from a dict.
    def boom():
        raise RuntimeError("eq")

    raising = MinHashLSH(threshold=0.5, num_perm=16)
    raising.insert(Colliding(1, on_eq=boom), m1)
    with pytest.raises(RuntimeError):
        Colliding(2) in raising
    # A stored key's __eq__ that inserts into the same index while a key after it in the probe
    # run is looked up (the table grows under the search): no crash, the right answer.
    grow = MinHashLSH(threshold=0.5, num_perm=16)
    state = {"armed": False}

    def insert_more():
        if state["armed"]:
            state["armed"] = False
            for v in range(1000, 1100):
                grow.insert(Colliding(v), m2)

    grow.insert(Colliding(0, on_eq=insert_more), m1)
    grow.insert(Colliding(1), m1)
    state["armed"] = True
    assert Colliding(1) in grow and not state["armed"] and len(grow.keys) == 102
    assert Colliding(5000) not in grow and all(Colliding(v) in grow for v in range(1000, 1100))


class Keyed:
    """A key of a chosen hash: groups of keys share one, others lie next to each other."""

    def __init__(self, value, hash_value):
        self.value, self.hash_value = value, hash_value

    def __hash__(self):
        return self.hash_value

    def __eq__(self, other):
        return isinstance(other, Keyed) and self.value == other.value


def test_keys_of_mixed_hashes_stay_found_through_removals():
    # Keys of many hashes, some shared, inserted and removed at random: a removal moves later
    # keys of a probe run up, or leaves them where they are when their home is after the hole.
    # Every key still held must be found after every removal, and no other.
    m = mh(words(30), 16)
    for seed, group in ((0, lambda v: v // 3), (1, lambda v: v // 3), (2, lambda v: v % 37)):
        rng = np.random.default_rng(seed)
        lsh = MinHashLSH(threshold=0.5, num_perm=16)
        present = set()
        for _ in range(1500):
            v = int(rng.integers(0, 400))
            key = Keyed(v, group(v))
            if v in present:
                lsh.remove(key)
                present.discard(v)
                for u in present:
                    assert Keyed(u, group(u)) in lsh
            else:
                lsh.insert(key, m)
                present.add(v)
        assert sorted(k.value for k in lsh.query(m)) == sorted(present)
        assert all((Keyed(u, group(u)) in lsh) == (u in present) for u in range(400))
    # Plain ints: their hashes are themselves, spread over the table by its multiplier.
    rng = np.random.default_rng(9)
    lsh, present = MinHashLSH(threshold=0.5, num_perm=16), set()
    for _ in range(4000):
        v = int(rng.integers(0, 3000))
        if v in present:
            lsh.remove(v)
            present.discard(v)
        else:
            lsh.insert(v, m)
            present.add(v)
    assert all((u in lsh) == (u in present) for u in range(3000))
    assert sorted(lsh.query(m)) == sorted(present)


class Reentrant:
    """A key whose __hash__, at its n-th call while armed, calls `action` once."""

    def __init__(self, value, n, action):
        self.value, self.n, self.action, self.calls, self.armed = value, n, action, 0, False

    def __hash__(self):
        if self.armed:
            self.calls += 1
            if self.calls == self.n:
                self.armed = False
                self.action(self)
        return hash(self.value)

    def __eq__(self, other):
        return getattr(other, "value", other) == self.value


def test_a_hash_that_changes_the_index_leaves_it_whole():
    # A key's __hash__ may run any Python code, also on the index that is hashing it. Whatever it
    # does, no key number may be given twice and no key may be held twice.
    m = mh(words(30), 16)
    for n in range(1, 4):
        # __hash__ removes the key from the index while an outer remove of it is under way.
        lsh = MinHashLSH(threshold=0.5, num_perm=16)
        key = Reentrant("k", n, lambda k, lsh=lsh: lsh.remove(k))
        lsh.insert(key, m)
        key.armed = True
        try:
            lsh.remove(key)
        except ValueError:
            pass  # the inner remove took it first
        key.armed = False
        assert "k" not in lsh and lsh.is_empty()
        lsh.insert("a", m)
        lsh.insert("b", m)
        assert sorted(lsh.query(m)) == ["a", "b"] and "a" in lsh and "b" in lsh
        lsh.remove("a")
        assert lsh.query(m) == ["b"] and "b" in lsh and "a" not in lsh
        # __hash__ inserts an equal key while an outer insert of this key is under way.
        lsh = MinHashLSH(threshold=0.5, num_perm=16)
        key = Reentrant("k", n, lambda k, lsh=lsh: lsh.insert("k", m))
        key.armed = True
        try:
            lsh.insert(key, m)
        except ValueError:
            pass  # the equal key was there first
        key.armed = False
        assert len(lsh.keys) == 1 and len(lsh.query(m)) == 1
        lsh.remove("k")
        assert lsh.is_empty() and "k" not in lsh and lsh.query(m) == []


def test_a_merge_takes_each_key_as_it_was_when_reached():
    # A stored key's __eq__, run by the merge's look-ups, removes a key of the index merged from
    # and inserts another in its place (which reuses its entries): the key reached keeps the
    # signatures it had when the merge reached it.
    m1, m2, m3 = mh(words(30), 16), mh(words(30, 500), 16), mh(words(30, 900), 16)
    b = MinHashLSH(threshold=0.5, num_perm=16)
    b.insert(Colliding(1), m1)
    b.insert(Colliding(1), m2, check_duplication=False)
    state = {"armed": True}

    def replace_in_b():
        if state["armed"]:
            state["armed"] = False
            b.remove(Colliding(1))
            b.insert(Colliding(2), m3)
            b.insert(Colliding(2), m3, check_duplication=False)

    a = MinHashLSH(threshold=0.5, num_perm=16)
    a.insert(Colliding(0, on_eq=replace_in_b), m3)
    a.merge(b)
    assert not state["armed"]
    reference = MinHashLSH(threshold=0.5, num_perm=16)
    reference.insert(Colliding(1), m1)
    reference.insert(Colliding(1), m2, check_duplication=False)
    assert a.keys[Colliding(1)] == reference.keys[Colliding(1)]
    assert sorted(k.value for k in a.query(m2)) == [1]


def test_params_are_cached():
    lsh_module._optimal_param_cached.cache_clear()
    MinHashLSH(threshold=0.6, num_perm=64)
    MinHashLSH(threshold=0.6, num_perm=64)
    assert lsh_module._optimal_param_cached.cache_info().hits == 1


# --- against the reference datasketch (skipped without it)


def test_same_buckets_and_answers_as_datasketch(ds):
    rng = np.random.default_rng(4)
    base = [[b"%d" % x for x in rng.integers(0, 400, 80)] for _ in range(20)]
    docs = []
    for i in range(600):  # edited copies of 20 documents, and unrelated ones
        tokens = list(base[i % 20]) if i % 2 else [b"%d" % x for x in rng.integers(0, 10**5, 80)]
        tokens[: int(rng.integers(0, 40))] = [b"e%d" % x for x in rng.integers(0, 10**5, 10)]
        docs.append(tokens)
    ours, theirs = MinHash.bulk(docs, num_perm=128), ds.MinHash.bulk(docs, num_perm=128)
    for threshold in (0.3, 0.5, 0.8, 0.9):
        for weights in ((0.5, 0.5), (0.3, 0.7)):
            a = MinHashLSH(threshold=threshold, num_perm=128, weights=weights)
            b = ds.MinHashLSH(threshold=threshold, num_perm=128, weights=weights)
            assert (a.b, a.r) == (b.b, b.r)
            for i in range(len(docs)):
                a.insert(i, ours[i])
                b.insert(i, theirs[i])
            for i in range(0, len(docs), 5):
                a.remove(i)
                b.remove(i)
            for i in range(len(docs)):
                assert sorted(a.query(ours[i])) == sorted(b.query(theirs[i]))
            assert a.get_counts() == b.get_counts()
            for i in range(1, 50, 7):
                assert a.keys[i] == b.keys[i]
                for t, u in zip(a.hashtables, b.hashtables):
                    assert sorted(t.keys()) == sorted(u.keys())
    # With a hash function and with prepickled keys.
    import hashlib

    def h(x):
        return hashlib.md5(x).digest()

    for kwargs in ({"hashfunc": h}, {"prepickle": True}):
        a = MinHashLSH(threshold=0.5, num_perm=128, **kwargs)
        b = ds.MinHashLSH(threshold=0.5, num_perm=128, **kwargs)
        for i in range(100):
            a.insert(("k", i), ours[i])
            b.insert(("k", i), theirs[i])
        for i in range(100):
            assert sorted(a.query(ours[i])) == sorted(b.query(theirs[i]))
        assert a.get_counts() == b.get_counts()


def test_same_order_as_datasketch_where_no_key_was_removed(ds):
    rng = np.random.default_rng(7)
    docs = [[b"t%d" % x for x in rng.integers(0, 60, 20)] for _ in range(300)]
    ours, theirs = MinHash.bulk(docs, num_perm=32), ds.MinHash.bulk(docs, num_perm=32)
    for keys in (list(range(300)), [i * 7919 + 10**6 for i in range(300)],
                 ["k%d" % i for i in range(300)]):
        for prepickle in (False, True):
            a = MinHashLSH(threshold=0.5, num_perm=32, prepickle=prepickle)
            b = ds.MinHashLSH(threshold=0.5, num_perm=32, prepickle=prepickle)
            for key, m, n in zip(keys, ours, theirs):
                a.insert(key, m)
                b.insert(key, n)
            multi = 0
            for m, n in zip(ours, theirs):
                found = a.query(m)
                assert found == b.query(n)  # the list itself: same keys, same order
                multi += len(found) > 1
            assert multi > 100
            assert list(a.keys) == list(b.keys)
            for t, u in zip(a.hashtables, b.hashtables):
                assert list(t.keys()) == list(u.keys())
                for h in list(t.keys())[:20]:
                    assert list(t.get(h)) == list(u.get(h))
            assert [list(c.items()) for c in a.get_counts()] == [
                list(c.items()) for c in b.get_counts()]


def _keys_inserted_twice(lib):
    def small(*tokens):
        m = lib.MinHash(num_perm=8)
        m.update_batch([t.encode() for t in tokens])
        return m

    lsh = lib.MinHashLSH(num_perm=8, params=(4, 2))
    for key, text in zip([0, 8, 16, 24], ["7 11 9", "11 10 3", "7 3 5", "3 8 1"]):
        lsh.insert(key, small(*text.split()))
    for key, text in zip([0, 8, 16, 24], ["4 3 11", "9 10 2", "0 1 2", "7 1 5"]):
        lsh.insert(key, small(*text.split()), check_duplication=False)
    return lsh, small("5", "11", "9")


def test_a_key_inserted_twice_keeps_its_first_place_in_a_bucket():
    # Keys 0 and 8 share a slot of an 8-slot set: the one added first comes first. Band 0's bucket
    # got 0, then 8, then 0 again (a no-op for datasketch's set); doppel had placed 0 by its
    # latest insertion and answered [8, 0]. datasketch 1.10 answers [0, 8].
    import doppel.datasketch

    lsh, q = _keys_inserted_twice(doppel.datasketch)
    assert lsh.query(q) == [0, 8]


def test_same_order_as_datasketch_with_keys_inserted_twice(ds):
    lsh, q = _keys_inserted_twice(ds)
    assert lsh.query(q) == [0, 8]
    rng = np.random.default_rng(11)
    docs = [[b"t%d" % x for x in rng.integers(0, 60, rng.integers(3, 12))] for _ in range(600)]
    ours, theirs = MinHash.bulk(docs, num_perm=32), ds.MinHash.bulk(docs, num_perm=32)
    for keys in (list(range(300)), ["k%d" % i for i in range(300)]):
        a = MinHashLSH(threshold=0.3, num_perm=32)
        b = ds.MinHashLSH(threshold=0.3, num_perm=32)
        for i, key in enumerate(keys):
            a.insert(key, ours[i])
            b.insert(key, theirs[i])
        for i, key in enumerate(keys):
            a.insert(key, ours[i + 300], check_duplication=False)
            b.insert(key, theirs[i + 300], check_duplication=False)
        for m, n in zip(ours, theirs):
            assert a.query(m) == b.query(n)


def test_subset_counts_of_a_key_inserted_twice_as_datasketch(ds):
    ours = [mh([b"a%d" % i for i in range(40)]), mh([b"b%d" % i for i in range(40)])]
    theirs = ds.MinHash.bulk([[b"a%d" % i for i in range(40)], [b"b%d" % i for i in range(40)]],
                             num_perm=128)
    a = MinHashLSH(threshold=0.5, num_perm=128)
    b = ds.MinHashLSH(threshold=0.5, num_perm=128)
    for lsh, ms in ((a, ours), (b, theirs)):
        lsh.insert("k", ms[0])
        lsh.insert("k", ms[1], check_duplication=False)  # the same key, other buckets
        lsh.insert("other", ms[1])
    assert a.get_subset_counts("k") == b.get_subset_counts("k")
    assert a.get_subset_counts("k", "other", "absent") == b.get_subset_counts("k", "other", "absent")
    assert all(sum(c.values()) == 1 for c in a.get_subset_counts("k"))


def test_same_exceptions_as_datasketch(ds):
    def outcome(f):
        try:
            f()
        except Exception as e:  # noqa: BLE001
            return type(e)
        return None

    for call in [
        lambda L, M: L(threshold=2.0),
        lambda L, M: L(threshold="x"),
        lambda L, M: L(num_perm=1),
        lambda L, M: L(weights=(0.2, 0.2)),
        lambda L, M: L(num_perm=16, params=(5, 5)),
        lambda L, M: L(threshold=0.9, num_perm=16),
        lambda L, M: L(storage_config={"type": "nosuch"}),
        lambda L, M: L(storage_config={"no": "type"}),
        lambda L, M: L(num_perm=16).insert("a", M(num_perm=8)),
        lambda L, M: L(num_perm=16).query(M(num_perm=8)),
        lambda L, M: L(num_perm=16).remove("a"),
        lambda L, M: L(num_perm=16).insert([1], M(num_perm=16)),
        lambda L, M: L(num_perm=16).merge(L(num_perm=32)),
        lambda L, M: L(num_perm=16).add_to_query_buffer(M(num_perm=8)),
        lambda L, M: L(num_perm=16).insert("a", "x" * 16),
        lambda L, M: L(num_perm=16).query("x" * 5),
    ]:
        assert outcome(lambda: call(MinHashLSH, MinHash)) == outcome(lambda: call(ds.MinHashLSH, ds.MinHash))


def test_a_cached_band_choice_spares_no_argument_its_error():
    MinHashLSH(threshold=0.5, num_perm=128)  # remembered
    with pytest.raises(TypeError):  # as datasketch's range(): 128.0 is no int, cached or not
        MinHashLSH(threshold=0.5, num_perm=128.0)
    with pytest.raises(TypeError):
        MinHashLSH(threshold=0.5, num_perm=[128])


def test_keys_are_dict_keys_views():
    lsh = MinHashLSH(threshold=0.5, num_perm=128)
    lsh.insert("a", mh([b"x%d" % i for i in range(30)]))
    lsh.insert("b", mh([b"y%d" % i for i in range(30)]))
    keys = lsh.keys.keys()
    assert isinstance(keys, type({}.keys())) and keys & {"a", "z"} == {"a"} and len(keys) == 2
    hs = lsh.hashtables[0].keys()
    assert isinstance(hs, type({}.keys())) and len(hs) == 2 and set(hs) == set(lsh.hashtables[0])


def test_pickling_keeps_the_query_buffer():
    lsh = MinHashLSH(threshold=0.5, num_perm=128)
    m = mh([b"x%d" % i for i in range(30)])
    lsh.insert("a", m)
    lsh.add_to_query_buffer(m)
    back = pickle.loads(pickle.dumps(lsh))
    assert back.collect_query_buffer() == ["a"]
    assert back.collect_query_buffer() == []
    assert lsh.collect_query_buffer() == ["a"]  # the original keeps its own


class _AnnotatedIndex(MinHashLSH):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.meta = {"doc1": "Hello"}


def test_a_subclass_s_and_a_user_s_attributes_survive_pickle_and_copy():
    # __getstate__ kept only the index's own fields: datasketch pickles the whole __dict__.
    import copy

    lsh = _AnnotatedIndex(threshold=0.5, num_perm=16)
    lsh.note = "built 2024-01-01"
    m = MinHash(num_perm=16)
    m.update(b"word")
    lsh.insert("doc1", m)
    for other in (pickle.loads(pickle.dumps(lsh)), copy.copy(lsh), copy.deepcopy(lsh)):
        assert type(other) is _AnnotatedIndex
        assert other.meta == {"doc1": "Hello"}
        assert other.note == "built 2024-01-01"
        assert other.query(m) == ["doc1"]
