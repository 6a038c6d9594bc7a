"""A drop-in replacement for the datasketch library's MinHash family, computed in C++.

Change ``datasketch`` to ``doppel.datasketch`` in the imports; the classes, their modules
(``minhash``, ``lean_minhash``, ``b_bit_minhash``, ``lsh``, ``lshforest``, ``weighted_minhash``,
``hashfunc``), arguments, attributes, exceptions and hash values are datasketch's (1.6 and later;
the argument order of ``MinHash`` is that of 1.8 and later, with ``gpu_mode`` third). Not
provided: Redis and Cassandra storage, HyperLogLog, MinHashLSHEnsemble, MinHashLSHBloom, HNSW and
the asyncio classes. See docs/python.md.
"""

from doppel.datasketch.b_bit_minhash import bBitMinHash
from doppel.datasketch.hashfunc import sha1_hash32
from doppel.datasketch.lean_minhash import LeanMinHash
from doppel.datasketch.lsh import MinHashLSH
from doppel.datasketch.lshforest import MinHashLSHForest
from doppel.datasketch.minhash import MinHash
from doppel.datasketch.weighted_minhash import WeightedMinHash, WeightedMinHashGenerator

# Alias, as in datasketch.
WeightedMinHashLSH = MinHashLSH

__all__ = [
    "LeanMinHash",
    "MinHash",
    "MinHashLSH",
    "MinHashLSHForest",
    "WeightedMinHash",
    "WeightedMinHashGenerator",
    "WeightedMinHashLSH",
    "bBitMinHash",
    "sha1_hash32",
]
