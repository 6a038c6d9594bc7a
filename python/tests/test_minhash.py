"""doppel.datasketch.MinHash: golden values from datasketch, every method, pickling and the
exceptions datasketch raises for bad arguments."""

import pickle
import warnings

import numpy as np
import pytest

from doppel.datasketch import MinHash, sha1_hash32
from doppel.datasketch.hashfunc import sha1_hash64
from doppel._doppel import datasketch as native

TOKENS = [b"t%d" % i for i in range(100)]
# datasketch 1.6-1.10: MinHash(num_perm=16, seed=7).update_batch(TOKENS).
GOLDEN_16 = [32897711, 21911548, 3127278, 114177339, 26877968, 35797910, 107607090, 14575553,
             16619903, 42866217, 7575373, 3381785, 11038687, 23897521, 55943859, 38356402]


def test_golden_hello():
    m = MinHash(num_perm=4, seed=1)
    m.update(b"Hello")
    assert m.hashvalues.tolist() == [734825475, 960773806, 359816889, 342714745]
    assert m.hashvalues.dtype == np.uint64


def test_golden_permutations_of_seed_1():
    m = MinHash(num_perm=4, seed=1)
    assert m.permutations.shape == (2, 4)
    assert m.permutations.dtype == np.uint64
    assert m.permutations[0].tolist() == [775169054918279404, 2109959069025162,
                                          401325382989534145, 1130051441076870728]
    assert m.permutations[1].tolist() == [1758426461858698312, 965365488286768773,
                                          1703346441743126657, 1762784241922636284]


def test_golden_batch_and_count():
    m = MinHash(num_perm=16, seed=7)
    m.update_batch(TOKENS)
    assert m.hashvalues.tolist() == GOLDEN_16
    assert m.count() == 122.4513824490003


def test_golden_sha1_hashes():
    assert sha1_hash32(b"Hello") == 2342453239
    assert sha1_hash32(b"") == 4003674586
    assert sha1_hash64(b"abc") == 7674422142938552745


def test_a_hashfunc_that_returns_no_number_raises_type_error():
    # numpy read "5", b"5" and [5] as the hash 5; datasketch's arithmetic on them raises.
    for value in ("5", b"5", [5], None):
        m = MinHash(num_perm=4, hashfunc=lambda _, v=value: v)
        with pytest.raises(TypeError, match="hashfunc returned"):
            m.update(b"a")
        with pytest.raises(TypeError, match="hashfunc returned"):
            m.update_batch([b"a", b"b"])
    m = MinHash(num_perm=4, hashfunc=lambda _: np.uint32(5))  # numpy's integers are numbers
    m.update(b"a")
    assert m.hashvalues.dtype == np.uint64


def test_golden_custom_hashfunc_64_bits():
    m = MinHash(num_perm=8, seed=3, hashfunc=sha1_hash64)
    m.update_batch(TOKENS[:10])
    assert m.hashvalues.tolist() == [225484715, 679712950, 203674404, 1395062190, 420784433,
                                     1098370949, 275738447, 639181387]


def test_every_way_of_adding_values_agrees():
    one = MinHash(num_perm=16, seed=7)
    for t in TOKENS:
        one.update(t)
    assert one.hashvalues.tolist() == GOLDEN_16
    assert MinHash.bulk([TOKENS], num_perm=16, seed=7)[0].hashvalues.tolist() == GOLDEN_16
    assert next(MinHash.generator([TOKENS], num_perm=16, seed=7)).hashvalues.tolist() == GOLDEN_16
    # Tuples, generators, bytearrays and memoryviews hash their bytes as bytes do.
    for batch in (tuple(TOKENS), (t for t in TOKENS), [bytearray(t) for t in TOKENS],
                  [memoryview(t) for t in TOKENS]):
        m = MinHash(num_perm=16, seed=7)
        m.update_batch(batch)
        assert m.hashvalues.tolist() == GOLDEN_16
    # The Python-called path (a hash function that is not the built-in one) gives the same.
    m = MinHash(num_perm=16, seed=7, hashfunc=lambda b: sha1_hash32(b))
    m.update_batch(TOKENS)
    assert m.hashvalues.tolist() == GOLDEN_16


def test_numeric_arrays_hash_their_elements_bytes():
    values = np.arange(50, dtype=np.int64)
    a = MinHash(num_perm=32)
    a.update_batch(values)  # the contiguous array is read in place
    b = MinHash(num_perm=32)
    b.update_batch(list(values))  # numpy scalars, one by one
    c = MinHash(num_perm=32, hashfunc=lambda x: sha1_hash32(x))
    c.update_batch(values[::-1].copy())
    assert np.array_equal(a.hashvalues, b.hashvalues)
    assert np.array_equal(a.hashvalues, c.hashvalues)
    # An array of the other byte order iterates as native scalars: hashed as those, as
    # sha1(scalar) does, not as the array's own bytes.
    swapped = values.astype(values.dtype.newbyteorder())
    assert not swapped.dtype.isnative and np.array_equal(swapped, values)
    d = MinHash(num_perm=32)
    d.update_batch(swapped)
    assert np.array_equal(d.hashvalues, a.hashvalues)
    e = MinHash.bulk([swapped, values], num_perm=32)
    assert np.array_equal(e[0].hashvalues, a.hashvalues)
    assert np.array_equal(e[1].hashvalues, a.hashvalues)


def test_bulk_and_generator_many_documents():
    rng = np.random.default_rng(5)
    docs = [[b"w%d" % x for x in rng.integers(0, 500, rng.integers(0, 60))] for _ in range(3000)]
    docs[7] = []
    bulk = MinHash.bulk(docs, num_perm=64, seed=11)
    gen = list(MinHash.generator(iter(docs), num_perm=64, seed=11))
    assert len(bulk) == len(gen) == len(docs)
    for doc, x, y in zip(docs, bulk, gen):
        m = MinHash(num_perm=64, seed=11)
        m.update_batch(doc)
        assert x == m and y == m
        assert x.seed == 11 and len(x) == 64 and type(x) is MinHash
    assert bulk[7].is_empty()
    # Each has its own hash values; the permutations are shared, as datasketch's copies share.
    assert not np.shares_memory(bulk[0].hashvalues, bulk[1].hashvalues)
    assert bulk[0].permutations is bulk[1].permutations


def test_bulk_starts_from_given_hashvalues():
    start = np.full(8, 5, dtype=np.uint64)
    ms = MinHash.bulk([[b"a"], []], num_perm=8, hashvalues=start)
    m = MinHash(num_perm=8)
    m.update(b"a")
    assert ms[0].hashvalues.tolist() == np.minimum(m.hashvalues, 5).tolist()
    assert ms[1].hashvalues.tolist() == [5] * 8


def test_attributes_are_writable_numpy_arrays():
    m = MinHash(num_perm=8)
    assert isinstance(m.hashvalues, np.ndarray) and m.hashvalues.flags.writeable
    assert isinstance(m.permutations, np.ndarray) and m.permutations.flags.writeable
    m.hashvalues[0] = 1
    assert m.hashvalues[0] == 1
    m.update(b"x")
    assert m.hashvalues[0] == 1
    assert m.num_perm == 8 and m.seed == 1 and m.hashfunc is sha1_hash32


def test_update_makes_a_new_array_like_datasketch():
    m = MinHash(num_perm=8)
    before = m.hashvalues
    m.update_batch([b"a", b"b"])
    assert m.hashvalues is not before and before.tolist() == [2**32 - 1] * 8
    same = m.hashvalues
    m.update_batch([])  # an empty batch changes nothing
    assert m.hashvalues is same


def test_jaccard_merge_union_copy_eq():
    a = MinHash(num_perm=128)
    b = MinHash(num_perm=128)
    a.update_batch([b"x%d" % i for i in range(100)])
    b.update_batch([b"x%d" % i for i in range(50, 150)])
    assert a.jaccard(a) == 1.0
    assert 0.2 < a.jaccard(b) < 0.5
    u = MinHash.union(a, b)
    c = a.copy()
    assert c == a and c is not a and c.hashvalues is not a.hashvalues
    c.merge(b)
    assert c == u
    assert not a.is_empty()
    d = a.digest()
    d[0] = 0
    assert a.hashvalues[0] != 0
    a.clear()
    assert a.is_empty() and len(a) == 128
    assert a != b and a != "not a minhash"
    assert 80 < MinHash.union(b, b).count() < 125


def test_pickle_round_trip():
    m = MinHash(num_perm=16, seed=7)
    m.update_batch(TOKENS)
    m2 = pickle.loads(pickle.dumps(m))
    assert m2 == m and m2.hashvalues.tolist() == GOLDEN_16
    assert np.array_equal(m2.permutations, m.permutations) and m2.hashfunc is sha1_hash32
    m2.update(b"more")
    m.update(b"more")
    assert m2 == m


def test_hashvalues_and_permutations_arguments():
    m = MinHash(num_perm=16, seed=7)
    m.update_batch(TOKENS)
    n = MinHash(hashvalues=m.hashvalues, permutations=m.permutations, seed=7)
    assert n == m and n.num_perm == 16
    n = MinHash(hashvalues=list(m.hashvalues), seed=7, permutations=(list(m.permutations[0]),
                                                                    list(m.permutations[1])))
    n.update(b"z")
    m.update(b"z")
    assert n == m


def test_bad_arguments_raise_datasketchs_exceptions():
    m = MinHash(num_perm=16)
    with pytest.raises(TypeError):
        m.update("a str, not bytes")
    with pytest.raises(TypeError):
        m.update_batch(["a str"])
    with pytest.raises(TypeError):
        m.update(12)
    with pytest.raises(TypeError):
        MinHash.bulk([["str"]])
    with pytest.raises(ValueError):
        m.jaccard(MinHash(num_perm=32))
    with pytest.raises(ValueError):
        m.jaccard(MinHash(num_perm=16, seed=2))
    with pytest.raises(ValueError):
        m.merge(MinHash(num_perm=32))
    with pytest.raises(ValueError):
        MinHash.union(m)
    with pytest.raises(ValueError):
        MinHash.union(m, MinHash(num_perm=32))
    with pytest.raises(ValueError):
        MinHash(hashfunc="not callable")
    with pytest.raises(ValueError):
        MinHash(num_perm=2**32 + 1)
    with pytest.raises(ValueError):
        MinHash(num_perm=8, permutations=MinHash(num_perm=4).permutations)
    with pytest.raises(TypeError):
        MinHash(num_perm="128")
    with pytest.raises(RuntimeError):
        MinHash(gpu_mode="always").update_batch([b"a"])
    MinHash(gpu_mode="always").update_batch([])  # as datasketch: nothing to do, no error
    with pytest.warns(DeprecationWarning):
        MinHash(hashobj=object())


def test_gpu_modes_compute_on_the_cpu():
    for mode in ("disable", "detect"):
        m = MinHash(num_perm=16, seed=7, gpu_mode=mode)
        m.update_batch(TOKENS)
        assert m.hashvalues.tolist() == GOLDEN_16


def test_kernel_is_reported():
    assert native.kernel() in ("avx512", "avx2", "scalar")


# --- against the reference datasketch (skipped without it)


def test_same_values_as_datasketch(ds):
    rng = np.random.default_rng(1)
    docs = [[bytes(rng.integers(0, 256, rng.integers(0, 120), dtype=np.uint8))
             for _ in range(rng.integers(0, 40))] for _ in range(300)]
    for seed, num_perm in ((1, 128), (42, 256), (3, 7), (np.int64(9), 16)):
        ours = MinHash.bulk(docs, num_perm=num_perm, seed=seed)
        theirs = ds.MinHash.bulk(docs, num_perm=num_perm, seed=seed)
        for x, y in zip(ours, theirs):
            assert x.hashvalues.tolist() == y.hashvalues.tolist()
            assert x.count() == y.count()
        assert np.array_equal(MinHash(num_perm=num_perm, seed=seed).permutations,
                              ds.MinHash(num_perm=num_perm, seed=seed).permutations)
    for x, y in zip(ours[:50], theirs[:50]):
        for u, v in zip(ours[50:60], theirs[50:60]):
            assert x.jaccard(u) == y.jaccard(v)
    # A custom hash function of 64 bits, called the same way.
    from datasketch.hashfunc import sha1_hash64 as their_sha1_hash64

    for doc in docs[:50]:
        x = MinHash(num_perm=32, hashfunc=sha1_hash64)
        y = ds.MinHash(num_perm=32, hashfunc=their_sha1_hash64)
        x.update_batch(doc)
        y.update_batch(doc)
        assert x.hashvalues.tolist() == y.hashvalues.tolist()


def test_same_exceptions_as_datasketch(ds):
    def outcome(f):
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                f()
        except Exception as e:  # noqa: BLE001
            return type(e)
        return None

    for mod_calls in [
        lambda M: M(num_perm=16).update("str"),
        lambda M: M(num_perm=16).update(3),
        lambda M: M(num_perm=16).update_batch(["str"]),
        lambda M: M(num_perm=16).update_batch([b"a", 5]),
        lambda M: M(num_perm=16).update(np.zeros((2, 2))),
        lambda M: M(num_perm=16).jaccard(M(num_perm=8)),
        lambda M: M(num_perm=16).merge(M(num_perm=16, seed=3)),
        lambda M: M.union(M(num_perm=4)),
        lambda M: M.union(M(num_perm=4), M(num_perm=5)),
        lambda M: M(hashfunc=5),
        lambda M: M(num_perm="x"),
        lambda M: M(num_perm=4, permutations=M(num_perm=5).permutations),
        lambda M: M(gpu_mode="always").update_batch([b"a"]),
        lambda M: M.bulk([[b"a"], ["b"]], num_perm=4),
        lambda M: M.bulk(5),
        lambda M: M(num_perm=4).update_batch(None),
    ]:
        assert outcome(lambda: mod_calls(MinHash)) == outcome(lambda: mod_calls(ds.MinHash))


def _reference_update_batch(m, values):
    # datasketch's update_batch, in numpy, from the MinHash's own permutations.
    a, b = (np.asarray(p, dtype=np.uint64) for p in m.permutations)
    hv = np.array([sha1_hash32(bytes(v)) for v in values], dtype=np.uint64)
    if len(hv) == 0:
        return np.asarray(m.hashvalues, dtype=np.uint64).copy()
    mersenne, mask = np.uint64((1 << 61) - 1), np.uint64((1 << 32) - 1)
    phv = ((np.outer(hv, a) + b) % mersenne) & mask
    return np.vstack([phv, np.asarray(m.hashvalues, dtype=np.uint64)]).min(axis=0)


def test_update_batch_method_in_every_state_a_minhash_can_be_in():
    # update_batch runs in C++ for a MinHash in its usual state and hands the rest to the Python
    # method: both must give numpy's values, and leave arrays handed out earlier untouched.
    rng = np.random.default_rng(3)
    tokens = [bytes(rng.integers(0, 256, rng.integers(0, 130), dtype=np.uint8)) for _ in range(300)]

    class Sub(MinHash):
        pass

    class BytesSub(bytes):
        pass

    def states():
        yield "usual", MinHash(num_perm=40, seed=9)
        yield "subclass", Sub(num_perm=40, seed=9)
        m = MinHash(num_perm=40, seed=9)
        m.permutations = tuple(np.array(p) for p in m.permutations)  # a tuple, not an array
        yield "tuple permutations", m
        m = MinHash(num_perm=40, seed=9)
        m.hashvalues = m.hashvalues.astype(np.int64)  # converted by the Python method
        yield "int64 hashvalues", m
        m = MinHash(num_perm=40, seed=9)
        m.hashvalues = m.hashvalues[::-1]  # not contiguous
        yield "strided hashvalues", m
        m = MinHash(num_perm=40, seed=9)
        m.update_batch(tokens[:7])
        yield "already updated", m

    batches = {
        "list": list(tokens),
        "tuple": tuple(tokens),
        "generator": tokens,  # passed as a new generator each time
        "mixed buffers": [bytearray(t) if i % 3 == 0 else memoryview(t) if i % 3 == 1 else t
                          for i, t in enumerate(tokens)],
        "bytes subclass": [BytesSub(t) for t in tokens],
        "empty": [],
    }
    for state, _ in states():
        for name in batches:
            m = dict(states())[state]
            values = batches[name]
            expected = _reference_update_batch(m, values)
            before = m.hashvalues
            kept = np.array(before, copy=True)
            m.update_batch((t for t in tokens) if name == "generator" else values)
            assert m.hashvalues.tolist() == expected.tolist(), (state, name)
            assert np.array_equal(before, kept), (state, name)  # a new array, as datasketch


def test_update_batch_method_arguments():
    m = MinHash(num_perm=8)
    m.update_batch(b=[b"x"])
    n = MinHash(num_perm=8)
    n.update_batch([b"x"])
    assert m == n
    with pytest.raises(TypeError):
        m.update_batch()
    with pytest.raises(TypeError):
        m.update_batch([b"x"], [b"y"])
    with pytest.raises(TypeError):
        m.update_batch(c=[b"x"])
    with pytest.raises(TypeError):
        m.update_batch([b"ok", "a str"])
    with pytest.raises(TypeError):
        m.update_batch(None)  # not iterable
    assert MinHash.update_batch.__doc__.startswith("Update this MinHash")
    # Called on the class with an instance, as a plain function would be.
    MinHash.update_batch(n, [b"y"])
    m.update_batch([b"y"])
    assert m == n
