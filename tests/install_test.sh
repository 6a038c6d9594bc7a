#!/usr/bin/env bash
# cmake --install (make install) puts doppel and doppel-index side by side in PREFIX/bin, and the
# installed doppel runs the index commands through the installed doppel-index, named by path or
# found on PATH.
# Usage: tests/install_test.sh BUILD_DIR EXAMPLES_DIR
set -euo pipefail
build=$1 examples=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cmake --install "$build" --prefix "$tmp/prefix" >/dev/null
for bin in doppel doppel-index; do
    [ -x "$tmp/prefix/bin/$bin" ] || { echo "FAIL: $bin is not installed in PREFIX/bin"; exit 1; }
done
"$tmp/prefix/bin/doppel" index add "$tmp/by-path.idx" "$examples" -q >/dev/null
documents() { sed -n 's/.*"documents":\([0-9]*\).*/\1/p'; }
by_path=$("$tmp/prefix/bin/doppel" index stats "$tmp/by-path.idx" | documents)
on_path=$(cd "$tmp" && PATH="$tmp/prefix/bin:/usr/bin:/bin" doppel index stats by-path.idx | documents)
[ "$by_path" = 12 ] || { echo "FAIL: the installed doppel indexed '$by_path' documents, not 12"; exit 1; }
[ "$on_path" = 12 ] || { echo "FAIL: doppel found on PATH answered '$on_path' documents, not 12"; exit 1; }
echo "ok: installed doppel and doppel-index; doppel index indexed 12 documents"
