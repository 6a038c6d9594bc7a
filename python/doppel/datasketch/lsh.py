"""MinHashLSH, as in ``datasketch.lsh``: the same bands (``b``, ``r``, from the same optimisation),
the same buckets and keys, with the index kept in C++.

Only in-memory storage: ``storage_config={'type': 'dict'}`` (the default). Redis and Cassandra
storage are not supported and raise ``ValueError``. ``hashtables`` and ``keys`` are read-only
views of the index with the methods of datasketch's dict storages.
"""

from __future__ import annotations

import pickle
from functools import lru_cache
from typing import KeysView

from scipy.integrate import quad as _integrate

from doppel._doppel import datasketch as _native
from doppel.datasketch.lean_minhash import LeanMinHash
from doppel.datasketch.minhash import MinHash

# Their len() is len(hashvalues): the index reads that without calling __len__.
_PLAIN_TYPES = (MinHash, LeanMinHash)


def _false_positive_probability(threshold, b, r):
    def probability(s):
        return 1 - (1 - s ** float(r)) ** float(b)

    area, _ = _integrate(probability, 0.0, threshold)
    return area


def _false_negative_probability(threshold, b, r):
    def probability(s):
        return 1 - (1 - (1 - s ** float(r)) ** float(b))

    area, _ = _integrate(probability, threshold, 1.0)
    return area


def _optimal_param(threshold, num_perm, false_positive_weight, false_negative_weight):
    """The (b, r) with b * r <= num_perm that minimises the weighted sum of the probabilities of
    false positives and false negatives: datasketch's grid search, with its integrals, so that
    ties and near-ties fall the same way. Remembered for plain numbers only: a cache hit must not
    spare an argument the error datasketch's search raises for it (num_perm=128.0 equals 128 as a
    cache key, yet range() refuses it)."""
    args = (threshold, num_perm, false_positive_weight, false_negative_weight)
    if type(num_perm) is int and all(type(x) in (int, float) for x in args):
        return _optimal_param_cached(*args)
    return _optimal_param_search(*args)


@lru_cache(maxsize=256)
def _optimal_param_cached(threshold, num_perm, false_positive_weight, false_negative_weight):
    return _optimal_param_search(threshold, num_perm, false_positive_weight, false_negative_weight)


def _optimal_param_search(threshold, num_perm, false_positive_weight, false_negative_weight):
    min_error = float("inf")
    opt = (0, 0)
    for b in range(1, num_perm + 1):
        for r in range(1, int(num_perm / b) + 1):
            fp = _false_positive_probability(threshold, b, r)
            fn = _false_negative_probability(threshold, b, r)
            error = fp * false_positive_weight + fn * false_negative_weight
            if error < min_error:
                min_error = error
                opt = (b, r)
    return opt


class _HashTable:
    """One band's buckets (datasketch's ``DictSetStorage``, read-only): bucket key ``H`` (bytes,
    or what ``hashfunc`` returned) to the set of keys in the bucket."""

    __slots__ = ("_index", "_band")

    def __init__(self, index, band: int) -> None:
        self._index = index
        self._band = band

    def keys(self) -> KeysView:
        """The bucket keys, as a ``dict_keys`` (set operations work) of this moment's buckets."""
        return dict.fromkeys(self._index.bucket_hs(self._band)).keys()

    def get(self, key) -> set:
        hash(key)  # an unhashable key raises TypeError, as datasketch's dict look-up does
        return self._index.bucket_members(self._band, key)

    def __getitem__(self, key) -> set:
        return self.get(key)

    def getmany(self, *keys) -> list:
        return [self.get(key) for key in keys]

    def has_key(self, key) -> bool:
        return bool(self.get(key))

    def __contains__(self, key) -> bool:
        return self.has_key(key)

    def size(self) -> int:
        return self._index.bucket_count(self._band)

    def __len__(self) -> int:
        return self.size()

    def __iter__(self):
        return iter(self.keys())

    def itemcounts(self, **kwargs) -> dict:
        """``{H: number of keys in the bucket}``."""
        return self._index.bucket_sizes(self._band)

    def status(self) -> dict:
        return {"keyspace_size": len(self)}

    def empty_buffer(self) -> None:
        """Nothing is buffered (datasketch's in-memory storage does nothing either)."""


class _KeyTable:
    """The keys (datasketch's ``DictListStorage``, read-only): key to the list of its bands' ``H``
    (``b`` of them per insertion). With ``prepickle`` the keys are pickled, as in datasketch."""

    __slots__ = ("_index",)

    def __init__(self, index) -> None:
        self._index = index

    def keys(self) -> KeysView:
        """The keys, as a ``dict_keys`` (set operations work) of this moment's keys."""
        return dict.fromkeys(self._index.stored_keys()).keys()

    def get(self, key) -> list:
        hash(key)  # an unhashable key raises TypeError, as datasketch's dict look-up does
        return self._index.key_hs(key)

    def __getitem__(self, key) -> list:
        return self.get(key)

    def getmany(self, *keys) -> list:
        return [self.get(key) for key in keys]

    def has_key(self, key) -> bool:
        return self._index.has_stored_key(key)

    def __contains__(self, key) -> bool:
        return self.has_key(key)

    def size(self) -> int:
        return self._index.size()

    def __len__(self) -> int:
        return self.size()

    def __iter__(self):
        return iter(self.keys())

    def itemcounts(self, **kwargs) -> dict:
        """``{key: number of H}``."""
        return {key: len(self.get(key)) for key in self.keys()}

    def status(self) -> dict:
        return {"keyspace_size": len(self)}

    def empty_buffer(self) -> None:
        """Nothing is buffered (datasketch's in-memory storage does nothing either)."""


class MinHashLSH:
    """The MinHash LSH index: finds the keys whose MinHash likely has a Jaccard similarity above
    ``threshold`` with a query's. A drop-in for ``datasketch.MinHashLSH`` (also for weighted
    MinHash, as ``WeightedMinHashLSH``).

    Args:
        threshold (float): The Jaccard similarity threshold in [0.0, 1.0] that ``b`` and ``r``
            are optimised for.
        num_perm (int): The number of permutations of the MinHashes indexed (``sample_size`` for
            weighted MinHash).
        weights (Tuple[float, float]): The weights of false positives and false negatives in the
            optimisation; they sum to 1.0.
        params (Optional[Tuple[int, int]]): ``(b, r)`` to use instead of optimising.
        storage_config (Optional[dict]): Only ``{'type': 'dict'}``. Redis and Cassandra storage
            raise ``ValueError`` (doppel keeps the index in memory).
        prepickle (Optional[bool]): Pickle keys to bytes before storing them (default False).
        hashfunc (Optional[Callable[[bytes], Hashable]]): Applied to each band's bytes to make
            its bucket key, as in datasketch.

    Attributes:
        b (int): The number of bands. r (int): The number of values per band. h (int): num_perm.
        hashtables (list): One read-only view per band. keys: A read-only view of the keys.
    """

    def __init__(
        self,
        threshold: float = 0.9,
        num_perm: int = 128,
        weights=(0.5, 0.5),
        params=None,
        storage_config=None,
        prepickle=None,
        hashfunc=None,
    ) -> None:
        storage_config = storage_config if storage_config else {"type": "dict"}
        self._buffer_size = 50000
        if threshold > 1.0 or threshold < 0.0:
            raise ValueError("threshold must be in [0.0, 1.0]")
        if num_perm < 2:
            raise ValueError("Too few permutation functions")
        if any(w < 0.0 or w > 1.0 for w in weights):
            raise ValueError("Weight must be in [0.0, 1.0]")
        if sum(weights) != 1.0:
            raise ValueError("Weights must sum to 1.0")
        self.h = num_perm
        if params is not None:
            self.b, self.r = params
            if self.b * self.r > num_perm:
                raise ValueError(
                    f"The product of b and r in params is {self.b} * {self.r} = {self.b * self.r} -- "
                    f"it must be less than num_perm {num_perm}. Did you forget to specify num_perm?"
                )
        else:
            false_positive_weight, false_negative_weight = weights
            self.b, self.r = _optimal_param(threshold, num_perm, false_positive_weight, false_negative_weight)
        if self.b < 2:
            raise ValueError("The number of bands are too small (b < 2)")
        kind = storage_config["type"]
        if kind in ("redis", "cassandra"):
            raise ValueError(
                f"doppel.datasketch.MinHashLSH keeps its index in memory: storage type {kind!r} is "
                "not supported (use datasketch itself for Redis or Cassandra storage)"
            )
        if kind != "dict":
            raise ValueError(f"Unknown storage type: {kind}")
        # Unused in memory, but datasketch joins it with bytes to name its tables: anything else
        # raises TypeError there, and so here, so that a config that works here works there.
        basename = storage_config.get("basename", b"")
        if not isinstance(basename, (bytes, bytearray, memoryview)):
            raise TypeError(
                f"storage_config's basename must be bytes (datasketch prefixes its keys with it), "
                f"not {type(basename).__name__}"
            )
        self.prepickle = False if prepickle is None else prepickle
        self.hashfunc = hashfunc
        self._setup()

    def _setup(self) -> None:
        self.hashranges = [(i * self.r, (i + 1) * self.r) for i in range(self.b)]
        self._index = _native.LshIndex(
            self.h, self.b, self.r, bool(self.prepickle), self.hashfunc, _PLAIN_TYPES
        )
        self.hashtables = [_HashTable(self._index, i) for i in range(self.b)]
        self.keys = _KeyTable(self._index)
        self._query_buffer = []
        # The hot calls go straight to the index, without a Python frame (about 0.1 us of the
        # 1-2 us of an insert or query) nor pybind11's dispatcher (about 0.15 us more): builtin
        # functions bound to it, as the instance's own. Only where the class has this module's
        # method: a subclass's override, or a test's patch of the class, stays in force (for
        # instances made before a patch, the instance's attribute is what to patch).
        insert, query = self._index.fast_methods()
        if type(self).insert is _CLASS_INSERT:
            self.insert = insert
        if type(self).query is _CLASS_QUERY:
            self.query = query

    @property
    def buffer_size(self) -> int:
        return self._buffer_size

    @buffer_size.setter
    def buffer_size(self, value: int) -> None:
        self._buffer_size = value  # nothing is buffered in memory; kept for datasketch's API

    def insert(self, key, minhash, check_duplication: bool = True) -> None:
        """Insert a key with its MinHash (or weighted MinHash).

        Args:
            key (Hashable): The unique identifier of the set.
            minhash: Its MinHash, with ``num_perm`` hash values.
            check_duplication (bool): Raise ``ValueError`` if the key is there already. With
                False, an existing key gets the new MinHash's buckets too.

        Raises:
            ValueError: If the MinHash has the wrong length, or the key exists.
        """
        self._index.insert(key, minhash, check_duplication)

    def query(self, minhash) -> list:
        """The keys that share a bucket with ``minhash`` in some band (approximate: filter with
        :meth:`MinHash.jaccard` for better precision).

        Raises:
            ValueError: If the MinHash has the wrong length.
        """
        return self._index.query(minhash)

    def add_to_query_buffer(self, minhash) -> None:
        """Buffer a query; :meth:`collect_query_buffer` returns the keys every buffered query
        found. Each query is answered from the index as it is when it is buffered."""
        # The keys as stored (pickled with prepickle), as datasketch buffers them.
        self._query_buffer.append(set(self._index.query_stored(minhash)))

    def collect_query_buffer(self) -> list:
        """The keys found by every query buffered since the last call (their intersection)."""
        buffered, self._query_buffer = self._query_buffer, []
        if not buffered:
            return []
        found = set.intersection(*buffered)
        if self.prepickle:
            return [pickle.loads(key) for key in found]
        return list(found)

    def remove(self, key) -> None:
        """Remove a key (every MinHash inserted under it).

        Raises:
            ValueError: If the key does not exist.
        """
        self._index.remove(key)

    def __contains__(self, key) -> bool:
        return key in self._index

    def is_empty(self) -> bool:
        """True if no key is in the index."""
        return self._index.is_empty()

    def merge(self, other: MinHashLSH, check_overlap: bool = False) -> None:
        """Add every key of another MinHashLSH with the same ``num_perm``, ``b`` and ``r``.

        Args:
            other (MinHashLSH): The other index.
            check_overlap (bool): Raise ``ValueError`` if a key is in both.

        Raises:
            ValueError: If the parameters differ, a key is in both (with ``check_overlap``), or
                one index has a ``hashfunc`` and the other none.
        """
        if type(self) is not type(other):
            raise ValueError(f"Cannot merge type MinHashLSH and type {type(other).__name__}.")
        if (self.h, self.b, self.r) != (other.h, other.b, other.r):
            raise ValueError("Cannot merge MinHashLSH with different initialization parameters.")
        if check_overlap and set(self.keys).intersection(set(other.keys)):
            raise ValueError("The keys are overlapping, duplicate key exists.")
        self._index.merge(other._index)

    def insertion_session(self, buffer_size: int = 50000) -> MinHashLSHInsertionSession:
        """A context manager for inserting many keys (in memory, the same as :meth:`insert`)."""
        return MinHashLSHInsertionSession(self, buffer_size=buffer_size)

    def deletion_session(self, buffer_size: int = 50000) -> MinHashLSHDeletionSession:
        """A context manager for removing many keys (in memory, the same as :meth:`remove`)."""
        return MinHashLSHDeletionSession(self, buffer_size=buffer_size)

    def get_counts(self) -> list:
        """For each band, ``{H: number of keys in the bucket}``."""
        return [table.itemcounts() for table in self.hashtables]

    def get_subset_counts(self, *keys) -> list:
        """:meth:`get_counts` restricted to the given keys (absent keys are ignored)."""
        stored = {pickle.dumps(key) for key in set(keys)} if self.prepickle else set(keys)
        counts = [dict() for _ in range(self.b)]
        for key in stored:
            # A key inserted twice (check_duplication=False) counts by its first insertion's
            # buckets only, as datasketch's zip of its hashes with the b tables does.
            for band, h in enumerate(self.keys.get(key)[:self.b]):
                counts[band][h] = counts[band].get(h, 0) + 1
        return counts

    # What _setup() makes again on unpickling; everything else in __dict__ is pickled.
    _REMADE = frozenset(("_index", "hashtables", "keys", "hashranges", "insert", "query",
                         "_query_buffer"))
    _SETTINGS = ("h", "b", "r", "prepickle", "hashfunc", "_buffer_size")

    def __getstate__(self) -> dict:
        state = {name: getattr(self, name) for name in self._SETTINGS}
        state["index"] = self._index.state()
        state["query_buffer"] = self._query_buffer  # as datasketch pickles its storages' buffers
        # A subclass's or a user's own attributes, as datasketch pickles its whole __dict__.
        state["attributes"] = {
            name: value for name, value in self.__dict__.items()
            if name not in self._REMADE and name not in self._SETTINGS
        }
        return state

    def __setstate__(self, state: dict) -> None:
        index = state.pop("index")
        query_buffer = state.pop("query_buffer", [])  # pickles made before it was kept
        attributes = state.pop("attributes", {})  # pickles made before they were kept
        self.__dict__.update(state)
        self._setup()
        self._index.set_state(index)
        self._query_buffer = query_buffer
        self.__dict__.update(attributes)


_CLASS_INSERT, _CLASS_QUERY = MinHashLSH.insert, MinHashLSH.query


class MinHashLSHInsertionSession:
    """Context manager for inserting many keys into a MinHashLSH (datasketch's buffered
    insertion; in memory there is nothing to buffer)."""

    def __init__(self, lsh: MinHashLSH, buffer_size: int) -> None:
        self.lsh = lsh
        self.lsh.buffer_size = buffer_size
        if type(self) is MinHashLSHInsertionSession:
            # As MinHashLSH's own insert: the index's, without a Python frame.
            self.insert = lsh._index.fast_methods()[0]

    def __enter__(self) -> MinHashLSHInsertionSession:
        return self

    def __exit__(self, exc_type, exc_val, exc_tb) -> None:
        self.close()

    def close(self) -> None:
        """Nothing to flush."""

    def insert(self, key, minhash, check_duplication: bool = True) -> None:
        """As :meth:`MinHashLSH.insert`."""
        self.lsh._index.insert(key, minhash, check_duplication)


class MinHashLSHDeletionSession:
    """Context manager for removing many keys from a MinHashLSH."""

    def __init__(self, lsh: MinHashLSH, buffer_size: int) -> None:
        self.lsh = lsh
        self.lsh.buffer_size = buffer_size

    def __enter__(self) -> MinHashLSHDeletionSession:
        return self

    def __exit__(self, exc_type, exc_val, exc_tb) -> None:
        self.close()

    def close(self) -> None:
        """Nothing to flush."""

    def remove(self, key) -> None:
        """As :meth:`MinHashLSH.remove`."""
        self.lsh._index.remove(key)
