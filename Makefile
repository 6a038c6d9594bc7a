# The two commands of the README, and a few helpers. Everything builds with CMake presets
# (CMakePresets.json): build/release for running, build/test under ASan+UBSan for the tests,
# build/python for the Python package (no sanitizers: Python cannot load them), build/fuzz for
# the libFuzzer targets (clang).
.PHONY: setup build install demo test fuzz check bench docs format format-check tidy clean python python-install

JOBS ?= $(shell nproc)

setup:
	@scripts/setup.sh

build: setup
	@cmake --preset release >/dev/null
	@cmake --build build/release -j $(JOBS)

# Installs doppel and doppel-index (which doppel runs for index and serve) into PREFIX/bin.
PREFIX ?= /usr/local
install: build
	@cmake --install build/release --prefix $(PREFIX)

# Deduplicates the bundled example corpus and shows what it found.
demo: build
	@scripts/demo.sh

# Builds under AddressSanitizer and UndefinedBehaviorSanitizer and runs every test, the Python
# package's pytest suite included (ctest test python.pytest, on the build/python build), then
# each fuzz target for a short fixed time.
test: setup python
	@cmake --preset test >/dev/null
	@cmake --build build/test -j $(JOBS)
	@cd build/test && ctest --output-on-failure -j $(JOBS)
	@$(MAKE) --no-print-directory fuzz

# The libFuzzer targets (clang, ASan+UBSan), each run FUZZ_SECONDS from its seeds
# (tests/fuzz/corpus/); a crash fails and leaves its input in build/fuzz/crashes/.
FUZZ_SECONDS ?= 10
fuzz: setup
	@cmake --preset fuzz >/dev/null
	@cmake --build build/fuzz --target fuzz_targets -j $(JOBS)
	@scripts/fuzz.sh $(FUZZ_SECONDS)

# The Python package, importable with PYTHONPATH=build/python/python.
python: setup
	@cmake --preset python >/dev/null
	@cmake --build build/python --target _doppel -j $(JOBS)

# Installs the Python package `doppel` for Debian's /usr/bin/python3, system-wide under
# /usr/local (pip's --break-system-packages only lets pip write there; Debian's own packages are
# not touched). Offline: the build backend (setuptools) and the dependencies come from Debian.
python-install: setup
	@/usr/bin/python3 -m pip install --no-build-isolation --no-deps --break-system-packages .

# Microbenchmarks and the end-to-end benchmark over the shared corpora (see bench/README.md).
bench: build
	@build/release/bench/doppel_micro
	@bench/e2e.sh

# The flag tables of docs/cli.md, from the flag definitions (a test checks they agree).
docs: build
	@scripts/update_cli_docs.py build/release/doppel

# What CI runs: formatting, then every test.
check: format-check test

format:
	@clang-format -i $$(git ls-files '*.cc' '*.h')

format-check: setup
	@clang-format --dry-run --Werror $$(git ls-files '*.cc' '*.h') && echo "clang-format: clean"

# clang-tidy over the library and the CLI (configuration in .clang-tidy), using the test build's
# compile_commands.json.
tidy: setup
	@cmake --preset test >/dev/null
	@# As many clang-tidy processes as cores, four files each; xargs fails when any of them does.
	@git ls-files 'src/*.cc' 'tools/*.cc' | xargs -P $$(nproc) -n 4 \
	  clang-tidy -p build/test --quiet --extra-arg=-Wno-unknown-warning-option 2>/dev/null

clean:
	@rm -rf build
