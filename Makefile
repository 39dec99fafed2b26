# SPDX-License-Identifier: Apache-2.0
# steward: the two commands of the README, and a few helpers.
#   make run    install what is missing, build, start stewardd on the bundled
#               policy with demo data (http://127.0.0.1:8080/)
#   make test   install what is missing, build twice (normal, ASan+UBSan), run every
#               test, then build the Debian packages and try them on this machine
#   make install   PREFIX (default /usr/local) and DESTDIR as usual
#   make deb       the Debian packages, into build-deb/
.PHONY: all deps build asan run test test-normal test-asan test-deb bench format \
        clean fuzz install deb screenshots

BUILD      ?= build
ASAN_BUILD ?= build-asan
FUZZ_BUILD ?= build-fuzz
FUZZ_SECONDS ?= 60
DEB_BUILD  ?= build-deb
PREFIX     ?= /usr/local
JOBS       ?= $(shell nproc 2>/dev/null || echo 2)
CMAKE_FLAGS = -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSTEWARD_WERROR=ON \
              -DCMAKE_INSTALL_PREFIX=$(PREFIX)

all: build

deps:
	@sh scripts/deps.sh

$(BUILD)/CMakeCache.txt: | deps
	cmake -S . -B $(BUILD) $(CMAKE_FLAGS)

$(ASAN_BUILD)/CMakeCache.txt: | deps
	cmake -S . -B $(ASAN_BUILD) $(CMAKE_FLAGS) -DCMAKE_BUILD_TYPE=Debug -DSTEWARD_SANITIZE=ON

build: deps $(BUILD)/CMakeCache.txt
	cmake --build $(BUILD) -j $(JOBS)

asan: deps $(ASAN_BUILD)/CMakeCache.txt
	cmake --build $(ASAN_BUILD) -j $(JOBS)

run: build
	sh scripts/run.sh $(BUILD)

test-normal: build
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS)

test-asan: asan
	cd $(ASAN_BUILD) && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
	    UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	    ctest --output-on-failure -j $(JOBS)

# the packages installed, served and purged: needs root, and refuses
# when steward is installed on the machine already
test-deb: deb
	sh tests/install/test_deb.sh $(DEB_BUILD)

test: test-normal test-asan test-deb

# PREFIX is compiled in (where stewardd finds its pages): a new one
# configures and builds again
install: build
	cmake -S . -B $(BUILD) -DCMAKE_INSTALL_PREFIX=$(PREFIX) >/dev/null
	cmake --build $(BUILD) -j $(JOBS)
	DESTDIR="$(DESTDIR)" cmake --install $(BUILD)

# the pages as the browser test sees them, into docs/screenshots
screenshots: build
	node tests/browser/e2e.mjs $(BUILD)/steward $(BUILD)/stewardd docs/screenshots

deb:
	@sh scripts/deps.sh deb
	sh scripts/deb.sh $(DEB_BUILD)

# libFuzzer (clang): each harness for FUZZ_SECONDS (default 60); a crash
# or a leak fails. make test replays the corpora without clang.
$(FUZZ_BUILD)/CMakeCache.txt:
	@sh scripts/deps.sh fuzz
	CC=clang CXX=clang++ cmake -S . -B $(FUZZ_BUILD) -DCMAKE_BUILD_TYPE=Debug -DSTEWARD_FUZZ=ON

fuzz: $(FUZZ_BUILD)/CMakeCache.txt
	@sh scripts/deps.sh fuzz
	cmake --build $(FUZZ_BUILD) -j $(JOBS) --target fuzz_policy fuzz_time \
	    fuzz_ingest fuzz_body fuzz_public fuzz_scan
	sh scripts/fuzz.sh $(FUZZ_BUILD) $(FUZZ_SECONDS)

bench: build
	@sh scripts/deps.sh bench
	cmake --build $(BUILD) --target bench -j $(JOBS)
	./$(BUILD)/bench/bench_policy
	./$(BUILD)/bench/bench_ledger
	./$(BUILD)/bench/bench_retention
	./$(BUILD)/bench/bench_consent
	sh bench/bench_http.sh $(BUILD)
	sh bench/bench_pg.sh $(BUILD)
	sh bench/bench_scan.sh $(BUILD)
	sh bench/bench_systems.sh $(BUILD)

format:
	sh scripts/format.sh --fix

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) $(FUZZ_BUILD) $(DEB_BUILD)
