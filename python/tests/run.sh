#!/usr/bin/env bash
# The Python package's tests: builds the package in build/python (CMake preset `python`: no
# sanitizers, since a Python interpreter cannot load ASan code) and runs its pytest suite with
# Debian's Python. `make test` runs this as the ctest test python.pytest.
#
# DOPPEL_DATASKETCH_PATH=/path/to/datasketch-checkout also compares against the real datasketch
# (the directory that holds the `datasketch` package); without it those tests skip, saying so.
set -euo pipefail
cd "$(dirname "$0")/../.."
python=${DOPPEL_PYTHON:-/usr/bin/python3}
cmake --preset python >/dev/null
cmake --build build/python --target _doppel -j "${JOBS:-2}"
PYTHONPATH="$PWD/build/python/python" exec "$python" -m pytest -q -rs -p no:cacheprovider python/tests "$@"
