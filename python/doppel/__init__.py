"""doppel: near-duplicate documents and reused passages, from Python.

What this package has so far:

- :mod:`doppel.datasketch`: a drop-in replacement for the datasketch library's MinHash,
  LeanMinHash, bBitMinHash, MinHashLSH and weighted MinHash, with the same hash values, computed
  in C++.

The document-level jobs of the ``doppel`` command (``dedup``, ``reuse``) are not bound yet; they
will live here, over the same native module.
"""

from doppel import _doppel  # the native module (C++, pybind11); private

__version__ = "0.1.0"

__all__ = ["__version__"]
