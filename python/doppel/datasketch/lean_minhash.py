"""LeanMinHash, as in ``datasketch.lean_minhash``: a frozen MinHash without permutations or hash
function, with datasketch's byte format for ``serialize``, ``deserialize`` and pickling."""

from __future__ import annotations

import struct

import numpy as np

from doppel.datasketch.minhash import MinHash


def _uint32_dtype(byteorder: str) -> np.dtype:
    # struct's byte order characters: '@' and '=' native, '<' little, '>' and '!' big.
    if byteorder in ("@", "="):
        return np.dtype("=u4")
    if byteorder == "<":
        return np.dtype("<u4")
    if byteorder in (">", "!"):
        return np.dtype(">u4")
    raise struct.error("bad char in struct format")


def _as_uint32(hashvalues: np.ndarray) -> np.ndarray:
    if hashvalues.size and hashvalues.max() > 0xFFFFFFFF:
        raise struct.error("'I' format requires 0 <= number <= 4294967295")
    return hashvalues.astype(np.uint32)


def _read(buf, byteorder: str):
    # (seed, hash values) from datasketch's layout: seed (int64), count (int32), count uint32.
    head = byteorder + "qi"
    try:
        seed, num_perm = struct.unpack_from(head, buf, 0)
    except TypeError:
        buf = memoryview(buf)
        seed, num_perm = struct.unpack_from(head, buf, 0)
    offset = struct.calcsize(head)
    view = memoryview(buf).cast("B")
    if num_perm < 0 or len(view) < offset + 4 * num_perm:
        raise struct.error(
            "unpack_from requires a buffer of at least %d bytes" % (offset + 4 * num_perm)
        )
    hashvalues = np.frombuffer(view, dtype=_uint32_dtype(byteorder), count=num_perm, offset=offset)
    return seed, hashvalues


class LeanMinHash(MinHash):
    """A MinHash with a smaller memory footprint and faster deserialization, its state frozen:
    no ``update``. It keeps only ``seed`` and ``hashvalues`` (a ``uint64`` numpy array), like
    ``datasketch.LeanMinHash``; it works with :meth:`MinHash.jaccard` and in
    :class:`~doppel.datasketch.MinHashLSH`.

    Args:
        minhash (optional): The :class:`MinHash` to freeze. If not given, ``seed`` and
            ``hashvalues`` must both be.
        seed (optional): The seed of the permutations the hash values come from.
        hashvalues (optional): The hash values.

    Raises:
        ValueError: If neither ``minhash`` nor both ``seed`` and ``hashvalues`` are given.
    """

    __slots__ = ("hashvalues", "seed")

    def _initialize_slots(self, seed, hashvalues) -> None:
        self.seed = seed
        self.hashvalues = self._parse_hashvalues(hashvalues)

    def __init__(self, minhash: MinHash = None, seed=None, hashvalues=None):
        if minhash is not None:
            self._initialize_slots(minhash.seed, minhash.hashvalues)
        elif hashvalues is not None and seed is not None:
            self._initialize_slots(seed, hashvalues)
        else:
            raise ValueError(
                "Init parameters cannot be None: make sure to set either minhash or both of hash values and seed"
            )

    def update(self, b) -> None:
        """Not available on a LeanMinHash: raises ``TypeError``."""
        raise TypeError("Cannot update a LeanMinHash")

    def update_batch(self, b) -> None:
        """As datasketch's: an empty batch changes nothing; a value needs the hash function a
        LeanMinHash does not keep (``AttributeError``, datasketch's exception)."""
        for _ in b:
            raise AttributeError("'LeanMinHash' object has no attribute 'hashfunc'")

    def copy(self) -> LeanMinHash:
        """A copy with its own hash values. (datasketch's raises ``ValueError``: a bug.)"""
        lmh = object.__new__(LeanMinHash)
        lmh._initialize_slots(self.seed, self.hashvalues)
        return lmh

    def bytesize(self, byteorder: str = "@") -> int:
        """Size in bytes of :meth:`serialize`'s output: seed (8), count (4), 4 per value."""
        # Each field sized on its own, as datasketch does: the same size for any `byteorder`.
        return (
            struct.calcsize(byteorder + "q")
            + struct.calcsize(byteorder + "i")
            + len(self) * struct.calcsize(byteorder + "I")
        )

    def serialize(self, buf, byteorder: str = "@") -> None:
        """Write this LeanMinHash into ``buf`` (any writable buffer, e.g. a ``bytearray``):
        the seed as int64, the number of values as int32, then each value as uint32, in
        ``byteorder`` (a ``struct`` byte order character). The bytes are datasketch's.

        Raises:
            ValueError: If ``buf`` is smaller than :meth:`bytesize`.
        """
        if len(buf) < self.bytesize(byteorder):
            raise ValueError("The buffer does not have enough space for holding this MinHash.")
        head = byteorder + "qi"
        struct.pack_into(head, buf, 0, self.seed, len(self))
        data = _as_uint32(self.hashvalues).astype(_uint32_dtype(byteorder), copy=False).tobytes()
        offset = struct.calcsize(head)
        memoryview(buf).cast("B")[offset : offset + len(data)] = data

    @classmethod
    def deserialize(cls, buf, byteorder: str = "@") -> LeanMinHash:
        """Read a LeanMinHash written by :meth:`serialize` (or by datasketch)."""
        seed, hashvalues = _read(buf, byteorder)
        lmh = object.__new__(LeanMinHash)
        lmh._initialize_slots(seed, hashvalues)
        return lmh

    def __getstate__(self):
        buf = bytearray(self.bytesize())
        self.serialize(buf)
        return buf

    def __setstate__(self, buf) -> None:
        seed, hashvalues = _read(buf, "@")
        self._initialize_slots(seed, hashvalues)

    def __hash__(self) -> int:
        return hash((self.seed, tuple(self.hashvalues)))

    @classmethod
    def union(cls, *lmhs: LeanMinHash) -> LeanMinHash:
        """A new LeanMinHash, the union of at least two."""
        if len(lmhs) < 2:
            raise ValueError("Cannot union less than 2 MinHash")
        num_perm = len(lmhs[0])
        seed = lmhs[0].seed
        if any((seed != m.seed or num_perm != len(m)) for m in lmhs):
            raise ValueError("The unioning MinHash must have the same seed, number of permutation functions.")
        lmh = object.__new__(LeanMinHash)
        lmh._initialize_slots(seed, np.minimum.reduce([m.hashvalues for m in lmhs]))
        return lmh
