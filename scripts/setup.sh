#!/usr/bin/env bash
# Installs what doppel needs to build, test and benchmark, from Debian 12 packages.
# Run as root, or it prints the apt-get line to run with sudo. Safe to run again: it installs
# only what is missing.
set -euo pipefail

packages=(
  cmake ninja-build g++ pkg-config            # build
  libsimdjson-dev libxxhash-dev libzstd-dev zlib1g-dev libutf8proc-dev libfmt-dev libcli11-dev
  libicu-dev                                  # ICU: words of Thai, Lao, Khmer, Myanmar
  libjemalloc-dev                             # the allocator of the doppel tool
  librocksdb-dev libcpp-httplib-dev libbrotli-dev   # doppel index and doppel serve
  nettle-dev                                  # SHA-1 of doppel.datasketch
  libopenmpi-dev openmpi-bin                  # distributed jobs (mpirun doppel ...)
  python3-dev pybind11-dev python3-numpy python3-scipy  # the Python package
  python3-pytest python3-pip python3-setuptools python3-wheel
  libgtest-dev libgmock-dev libbenchmark-dev  # tests and microbenchmarks
  zstd python3                                # test fixtures and bench scripts
  clang-format clang-tidy                     # style checks
  clang libclang-rt-14-dev                    # libFuzzer targets (make fuzz)
  chromium fonts-dejavu-core                  # browser tests of the HTML report
)
# Node.js runs the browser tests; a newer one installed some other way (nodesource) is fine.
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  packages+=(nodejs npm)
fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
install_playwright() {
  # Playwright (playwright-core only: it drives Debian's chromium, downloads no browser), at the
  # version pinned in tests/browser/package-lock.json.
  local dir
  dir="$(cd "$(dirname "$0")/.." && pwd)/tests/browser"
  if [ ! -f "$dir/node_modules/playwright-core/package.json" ]; then
    echo "Installing playwright-core for the browser tests (npm ci in tests/browser)" >&2
    npm ci --prefix "$dir" --no-audit --no-fund --loglevel=error >/dev/null
  fi
}
if [ ${#missing[@]} -eq 0 ]; then
  install_playwright
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "doppel needs these Debian packages; install them with:" >&2
  echo "  sudo apt-get update && sudo apt-get install -y ${missing[*]}" >&2
  exit 1
fi
echo "Installing: ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
install_playwright
