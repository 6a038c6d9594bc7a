#!/usr/bin/env bash
# doppel loads none of the index commands' libraries, nor MPI (tools/doppel/commands.h: they cost
# every run about 11 and 3 ms to load); doppel-index does, and it sits beside doppel, where doppel
# looks.
# Usage: tests/links_test.sh DOPPEL DOPPEL_INDEX WITH_JEMALLOC(0|1)
set -euo pipefail
doppel=$1 index=$2 jemalloc=$3
needed() { readelf -d "$1" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p'; }
fail=0
if needed "$doppel" | grep -E 'rocksdb|httplib|libssl|libcrypto|libmpi|libopen-'; then
    echo "FAIL: $doppel loads the libraries above, which only index, serve and MPI jobs use"; fail=1
fi
for lib in rocksdb cpp-httplib libmpi; do
    if ! needed "$index" | grep -q "$lib"; then
        echo "FAIL: $index does not load $lib"; fail=1
    fi
done
if [ "$jemalloc" = 1 ] && ! needed "$doppel" | grep -q jemalloc; then
    echo "FAIL: $doppel does not load jemalloc (DOPPEL_JEMALLOC is on)"; fail=1
fi
if [ "$(dirname "$doppel")" != "$(dirname "$index")" ]; then
    echo "FAIL: doppel-index is not beside doppel"; fail=1
fi
[ "$fail" = 0 ] && echo "ok: $(needed "$doppel" | wc -l) libraries for doppel, $(needed "$index" | wc -l) for doppel-index"
exit "$fail"
