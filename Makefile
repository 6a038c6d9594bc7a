# The two commands of the README, and a few helpers. Everything builds with CMake presets
# (CMakePresets.json): build/release for running, build/test under ASan+UBSan for the tests.
.PHONY: setup build demo test bench format clean

JOBS ?= $(shell nproc)

setup:
	@scripts/setup.sh

build: setup
	@cmake --preset release >/dev/null
	@cmake --build build/release -j $(JOBS)

# Deduplicates the bundled example corpus and shows what it found.
demo: build
	@scripts/demo.sh

# Builds under AddressSanitizer and UndefinedBehaviorSanitizer and runs every test.
test: setup
	@cmake --preset test >/dev/null
	@cmake --build build/test -j $(JOBS)
	@cd build/test && ctest --output-on-failure -j $(JOBS)

# Microbenchmarks and the end-to-end benchmark over the shared corpora (see bench/README.md).
bench: build
	@build/release/bench/doppel_micro
	@bench/e2e.sh

format:
	@clang-format -i $$(git ls-files '*.cc' '*.h')

clean:
	@rm -rf build
