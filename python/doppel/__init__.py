"""doppel: near-duplicate documents and reused passages, from Python.

- :func:`doppel.dedup` and :func:`doppel.reuse`: the command line's jobs over paths or over
  documents from Python (dicts or strings, from any iterable), with results as Python objects of
  the same content as the command's outputs.
- :class:`doppel.Index`: the persistent, incremental index of `doppel index` (add, query,
  remove, get, stats), answering for each document added whether it is new, an exact or near
  duplicate, and which of its passages were indexed before, where and first by whom.
- :mod:`doppel.datasketch`: a drop-in replacement for the datasketch library's MinHash,
  LeanMinHash, bBitMinHash, MinHashLSH, MinHashLSHForest and weighted MinHash, with the same hash
  values, computed in C++.

docs/python.md is the guide.
"""

from doppel import _doppel  # the native module (C++, pybind11); private
from doppel.index import Index, IndexLockedError
from doppel.jobs import (
    BadInputError,
    BadInputWarning,
    DedupResult,
    NoDocumentsError,
    ReuseResult,
    dedup,
    reuse,
)

__version__ = "0.1.0"

__all__ = [
    "__version__",
    "dedup",
    "reuse",
    "Index",
    "IndexLockedError",
    "DedupResult",
    "ReuseResult",
    "BadInputError",
    "BadInputWarning",
    "NoDocumentsError",
]
