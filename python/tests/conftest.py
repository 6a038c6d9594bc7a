"""Shared fixtures of the doppel Python tests.

The reference datasketch: set DOPPEL_DATASKETCH_PATH to a datasketch source checkout (the
directory holding the `datasketch` package) to compare against it; without it, or where it does
not import, the comparisons skip and say why. The golden values in the tests run either way.
"""

import importlib
import os
import sys

import pytest


def _load_datasketch():
    path = os.environ.get("DOPPEL_DATASKETCH_PATH")
    if not path:
        return None, "DOPPEL_DATASKETCH_PATH is not set: no reference datasketch to compare with"
    if path not in sys.path:
        sys.path.insert(0, path)
    try:
        return importlib.import_module("datasketch"), None
    except Exception as e:  # noqa: BLE001 - any import failure means "no reference"
        return None, f"datasketch from DOPPEL_DATASKETCH_PATH={path} does not import: {e!r}"


_DATASKETCH, _WHY_NOT = _load_datasketch()


@pytest.fixture
def ds():
    """The reference datasketch package; skips the test (with the reason) without it."""
    if _DATASKETCH is None:
        pytest.skip(_WHY_NOT)
    return _DATASKETCH
