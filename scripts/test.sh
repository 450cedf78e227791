#!/usr/bin/env bash
# Installs what is missing, builds with warnings as errors, and runs the whole
# test suite through CTest; then, in one clang build, the same suite with
# AddressSanitizer and UndefinedBehaviorSanitizer and the libFuzzer targets,
# each run for a bounded number of iterations. Exits non-zero on any failure.
set -euo pipefail
cd "$(dirname "$0")/.."
STARLOG_WITH_CLANG=1 scripts/install-deps.sh

echo "== build (gcc, -Werror)"
# -g1 (functions and lines, no local variables): full debug information took
# about a third of the compile time of a build that exists to be tested.
scripts/build.sh -DSTARLOG_WERROR=ON \
  "-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=-O2 -g1 -DNDEBUG" "-DCMAKE_C_FLAGS_RELWITHDEBINFO=-O2 -g1 -DNDEBUG"
echo "== tests"
(cd build && ctest -j2 --output-on-failure --timeout 600)

echo "== tests under AddressSanitizer and UndefinedBehaviorSanitizer, then the fuzzers"
# One clang build for both: every library instrumented for ASan, UBSan and
# libFuzzer's coverage, the test suites and the fuzz targets linked against
# them. It replaced a GCC sanitizer build (25 minutes here; GCC's
# instrumented compiles took about 1.5 times clang's) and a second, clang,
# build of the libraries for the fuzzers (6 minutes); this one took about 21.
# Without -Werror: the build above holds the warnings.
# -O1 -g1, as the sanitizers advise: it compiles faster than -O2 -g.
# Not the slow tests; no fuzz replays are built here, the fuzzers run those
# seeds and more mutations.
STARLOG_BUILD_DIR=build-san scripts/build.sh -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ \
  -DSTARLOG_SANITIZE=ON -DSTARLOG_BUILD_FUZZERS=ON \
  "-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=-O1 -g1 -DNDEBUG" "-DCMAKE_C_FLAGS_RELWITHDEBINFO=-O1 -g1 -DNDEBUG"
(cd build-san && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
  UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
  ctest -j2 --output-on-failure --timeout 900 -LE "slow|fuzz")
echo "== fuzzers (libFuzzer + ASan + UBSan, bounded runs)"
(cd build-san && ctest -L fuzz --output-on-failure --timeout 900)
