"""MinHash, as in ``datasketch.minhash``, computed in C++.

Values are bit for bit datasketch's: permutations from ``numpy.random.RandomState(seed)``, the
default hash is the first 4 bytes of SHA-1 (little-endian), and permutation ``j`` maps a hash
``h`` to ``((a[j] * h + b[j]) mod 2**64) mod (2**61 - 1)``, masked to 32 bits. With the default
hash function, ``update``, ``update_batch``, ``bulk`` and ``generator`` hash and permute in C++
with the GIL released; a custom ``hashfunc`` is called from Python, as in datasketch, and only the
permutations run in C++.
"""

from __future__ import annotations

import itertools
import numbers
import warnings
from functools import lru_cache

import numpy as np

from doppel._doppel import datasketch as _native
from doppel.datasketch.hashfunc import sha1_hash32

# The size of a hash value in number of bytes
hashvalue_byte_size = len(bytes(np.int64(42).data))

# 2**61 - 1, a Mersenne prime: the modulus of the permutations.
_mersenne_prime = np.uint64((1 << 61) - 1)
_max_hash = np.uint64((1 << 32) - 1)
_hash_range = 1 << 32

# MinHash.generator hashes this many documents at a time.
_GENERATOR_BATCH = 1024


def _draw_permutations(seed, num_perm: int) -> np.ndarray:
    # a in [1, 2**61 - 1) and b in [0, 2**61 - 1), drawn in turn, one pair per permutation, as
    # datasketch draws them (the order of the draws decides the values).
    gen = np.random.RandomState(seed)
    out = np.empty((2, num_perm), dtype=np.uint64)
    for j in range(num_perm):
        out[0, j] = gen.randint(1, _mersenne_prime, dtype=np.uint64)
        out[1, j] = gen.randint(0, _mersenne_prime, dtype=np.uint64)
    return out


@lru_cache(maxsize=64)
def _cached_permutations(seed: int, num_perm: int) -> np.ndarray:
    out = _draw_permutations(seed, num_perm)
    out.flags.writeable = False
    return out


def _hash_values(values: list) -> np.ndarray:
    """What a custom ``hashfunc`` returned, as numpy's uint64. A value that is no number (a str,
    bytes, a list) is a TypeError, as datasketch's arithmetic on it raises; numpy would read "5"
    as 5."""
    for value in values:
        if not isinstance(value, (numbers.Number, np.number)) or isinstance(value, complex):
            raise TypeError(
                f"hashfunc returned a {type(value).__name__}: a hash value is an integer"
            )
    return np.array(values, dtype=np.uint64)


class MinHash:
    """MinHash is a probabilistic data structure for computing Jaccard similarity between sets.

    A drop-in for ``datasketch.MinHash`` with the same arguments, attributes and hash values.

    Args:
        num_perm (int): Number of random permutation functions. Ignored if ``hashvalues`` is
            given.
        seed (int): The random seed that chooses the permutation functions.
        gpu_mode: ``'disable'``, ``'detect'`` or ``'always'``, as in datasketch. doppel computes
            on the CPU: ``'detect'`` finds no GPU, and ``'always'`` makes :meth:`update_batch`
            raise ``RuntimeError`` as datasketch does where CUDA is unavailable.
        hashfunc (Callable): The hash function applied to each value given to :meth:`update`;
            it returns an integer of up to 64 bits. The default, SHA-1 based, runs in C++.
        hashobj: Deprecated in datasketch 1.4.0 and ignored (a ``DeprecationWarning``).
        hashvalues (Optional[Iterable]): Initial hash values (the internal state), e.g. the
            :attr:`hashvalues` of another MinHash.
        permutations (Optional[Tuple[Iterable, Iterable]]): The permutation parameters ``(a,
            b)``, e.g. the :attr:`permutations` of another MinHash.

    Attributes:
        hashvalues (numpy.ndarray): ``uint64`` array of ``num_perm`` values, writable.
        permutations (numpy.ndarray): ``uint64`` array of shape ``(2, num_perm)``: ``a`` and
            ``b``.
    """

    # datasketch's device caches of the permutations: never made here (no GPU), but code that
    # reads them (its own tests do) finds them, None, as on a machine without CUDA.
    _a_gpu = None
    _b_gpu = None

    def __init__(
        self,
        num_perm: int = 128,
        seed: int = 1,
        gpu_mode: str = "disable",
        hashfunc=sha1_hash32,
        hashobj=None,
        hashvalues=None,
        permutations=None,
    ) -> None:
        if hashvalues is not None:
            num_perm = len(hashvalues)
        if num_perm > _hash_range:
            # The serialized form stores the size in 4 bytes.
            raise ValueError("Cannot have more than %d number of permutation functions" % _hash_range)
        self.seed = seed
        self.num_perm = num_perm
        if not callable(hashfunc):
            raise ValueError("The hashfunc must be a callable.")
        self.hashfunc = hashfunc
        if hashobj is not None:
            warnings.warn("hashobj is deprecated, use hashfunc instead.", DeprecationWarning, stacklevel=2)
        if hashvalues is not None:
            self.hashvalues = self._parse_hashvalues(hashvalues)
        else:
            self.hashvalues = self._init_hashvalues(num_perm)
        if permutations is not None:
            self.permutations = permutations
        else:
            self.permutations = self._init_permutations(num_perm)
        if len(self) != len(self.permutations[0]):
            raise ValueError("Numbers of hash values and permutations mismatch")
        self._gpu_mode = gpu_mode

    def _init_hashvalues(self, num_perm: int) -> np.ndarray:
        return np.full(num_perm, _max_hash, dtype=np.uint64)

    def _init_permutations(self, num_perm: int) -> np.ndarray:
        # Drawing them costs about 2 us a permutation: the ones of an int seed are kept.
        if type(self.seed) is int and type(num_perm) is int:
            return _cached_permutations(self.seed, num_perm).copy()
        return _draw_permutations(self.seed, num_perm)

    def _parse_hashvalues(self, hashvalues) -> np.ndarray:
        return np.array(hashvalues, dtype=np.uint64)

    def _uses_native_hash(self) -> bool:
        return self.hashfunc is sha1_hash32

    def update(self, b) -> None:
        """Update this MinHash with a new value, hashed by ``hashfunc``.

        Args:
            b: The value to hash (``bytes`` for the default hash function).
        """
        a, c = self.permutations
        if self._uses_native_hash():
            self.hashvalues = _native.update_one(self.hashvalues, a, c, b)
        else:
            hv = _hash_values([self.hashfunc(b)])
            self.hashvalues = _native.update_hashes(self.hashvalues, a, c, hv)

    def update_batch(self, b) -> None:
        """Update this MinHash with every value of an iterable, each hashed by ``hashfunc``.

        With the default hash function the values are read and hashed in C++ (a list, a tuple or
        a one-dimensional numeric numpy array is read directly; other iterables item by item).

        Args:
            b (Iterable): The values to hash.
        """
        hashfunc = self.hashfunc
        a, c = self.permutations
        if self._gpu_mode == "always" or not self._uses_native_hash():
            hv_list = [hashfunc(value) for value in b]
            if not hv_list:
                return
            if self._gpu_mode == "always":
                raise RuntimeError(
                    "GPU mode 'always' requested, but doppel.datasketch computes on the CPU only"
                )
            self.hashvalues = _native.update_hashes(
                self.hashvalues, a, c, _hash_values(hv_list)
            )
            return
        updated = _native.update(self.hashvalues, a, c, b)
        if updated is not None:  # an empty batch leaves the MinHash as it was
            self.hashvalues = updated

    def jaccard(self, other: MinHash) -> float:
        """Estimate the Jaccard similarity between the sets of this MinHash and the other.

        Raises:
            ValueError: If the two MinHashes have different seeds or numbers of permutations.
        """
        if other.seed != self.seed:
            raise ValueError("Cannot compute Jaccard given MinHash with different seeds")
        if len(self) != len(other):
            raise ValueError(
                "Cannot compute Jaccard given MinHash with different numbers of permutation functions"
            )
        return float(np.count_nonzero(self.hashvalues == other.hashvalues)) / float(len(self))

    def count(self) -> float:
        """Estimate the cardinality of the set (Flajolet-Martin style, as datasketch)."""
        k = len(self)
        return float(k) / np.sum(self.hashvalues / float(_max_hash)) - 1.0

    def merge(self, other: MinHash) -> None:
        """Make this MinHash the union of itself and the other.

        Raises:
            ValueError: If the two MinHashes have different seeds or numbers of permutations.
        """
        if other.seed != self.seed:
            raise ValueError("Cannot merge MinHash with different seeds")
        if len(self) != len(other):
            raise ValueError("Cannot merge MinHash with different numbers of permutation functions")
        self.hashvalues = np.minimum(other.hashvalues, self.hashvalues)

    def digest(self) -> np.ndarray:
        """A copy of the hash values (the internal state)."""
        return self.hashvalues.copy()

    def is_empty(self) -> bool:
        """True if no value was added (every hash value is at its initial maximum)."""
        return not np.any(self.hashvalues != _max_hash)

    def clear(self) -> None:
        """Reset the hash values."""
        self.hashvalues = self._init_hashvalues(len(self))

    def copy(self) -> MinHash:
        """A copy: its own hash values, the same permutations (shared), seed and hash function."""
        # What MinHash(seed=..., hashvalues=..., permutations=...) would make, without
        # re-checking the arguments this one was made with.
        hashvalues = np.array(self.hashvalues, dtype=np.uint64)
        if len(hashvalues) != len(self.permutations[0]):
            raise ValueError("Numbers of hash values and permutations mismatch")
        return self._sibling(hashvalues)

    def _sibling(self, hashvalues: np.ndarray) -> MinHash:
        # A MinHash like this one with `hashvalues` (a new uint64 array it may own), without the
        # checks of __init__. Attributes set one by one: CPython then keeps them in the object
        # without making a dict, one object less for each of bulk's MinHashes to allocate and for
        # the garbage collector to visit.
        m = object.__new__(MinHash)
        m.seed = self.seed
        m.num_perm = len(hashvalues)
        m.hashfunc = self.hashfunc
        m.hashvalues = hashvalues
        m.permutations = self.permutations
        m._gpu_mode = self._gpu_mode
        return m

    def __len__(self) -> int:
        return len(self.hashvalues)

    def __eq__(self, other) -> bool:
        """Equal if of the same type with equal seeds and hash values."""
        return (
            type(self) is type(other)
            and self.seed == other.seed
            and np.array_equal(self.hashvalues, other.hashvalues)
        )

    @classmethod
    def union(cls, *mhs: MinHash) -> MinHash:
        """A new MinHash, the union of at least two MinHash objects.

        Raises:
            ValueError: If fewer than 2 are given, or their seeds or sizes differ.
        """
        if len(mhs) < 2:
            raise ValueError("Cannot union less than 2 MinHash")
        num_perm = len(mhs[0])
        seed = mhs[0].seed
        if any((seed != m.seed or num_perm != len(m)) for m in mhs):
            raise ValueError(
                "The unioning MinHash must have the same seed and number of permutation functions"
            )
        hashvalues = np.minimum.reduce([m.hashvalues for m in mhs])
        return cls(
            num_perm=num_perm,
            seed=seed,
            hashfunc=mhs[0].hashfunc,
            hashvalues=hashvalues,
            permutations=mhs[0].permutations,
            gpu_mode=mhs[0]._gpu_mode,
        )

    @classmethod
    def bulk(cls, b, **minhash_kwargs) -> list:
        """Compute one MinHash per list of values.

        Args:
            b (Iterable): An iterable of iterables of values (``bytes`` for the default hash).
            **minhash_kwargs: Arguments of every MinHash (``num_perm``, ``seed``, ...).

        Returns:
            list[MinHash]: One MinHash per element of ``b``, in order.
        """
        m = cls(**minhash_kwargs)
        if m._uses_native_hash() and m._gpu_mode != "always":
            a, c = m.permutations
            return [m._sibling(hv) for hv in _native.bulk(b, m.hashvalues, a, c)]
        return list(cls.generator(b, **minhash_kwargs))

    @classmethod
    def generator(cls, b, **minhash_kwargs):
        """Like :meth:`bulk`, one MinHash at a time. With the default hash function the input is
        read ahead in batches of 1024 lists.

        Yields:
            MinHash: One per element of ``b``, in order.
        """
        m = cls(**minhash_kwargs)
        if m._uses_native_hash() and m._gpu_mode != "always":
            a, c = m.permutations
            docs = iter(b)
            while True:
                batch = list(itertools.islice(docs, _GENERATOR_BATCH))
                if not batch:
                    return
                for hv in _native.bulk(batch, m.hashvalues, a, c):
                    yield m._sibling(hv)
        for values in b:
            mh = m.copy()
            mh.update_batch(values)
            yield mh


# update_batch in C++ for a MinHash in its usual state (the default hash function, uint64
# arrays): per 20 Newsgroups post the Python method and its call into C++ were an eighth of the
# time. Every other case goes to the Python method above, unchanged.
MinHash.update_batch = _native.update_batch_method(MinHash.update_batch, sha1_hash32)
