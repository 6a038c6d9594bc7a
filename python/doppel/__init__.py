"""doppel: near-duplicate documents and reused passages, from Python.

- :func:`doppel.dedup` and :func:`doppel.reuse`: the command line's jobs over paths or over
  documents from Python (dicts or strings, from any iterable), with results as Python objects of
  the same content as the command's outputs.
- :mod:`doppel.datasketch`: a drop-in replacement for the datasketch library's MinHash,
  LeanMinHash, bBitMinHash, MinHashLSH and weighted MinHash, with the same hash values, computed
  in C++.

docs/python.md is the guide.
"""

from doppel import _doppel  # the native module (C++, pybind11); private
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
    "DedupResult",
    "ReuseResult",
    "BadInputError",
    "BadInputWarning",
    "NoDocumentsError",
]
