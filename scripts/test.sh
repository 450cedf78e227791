#!/usr/bin/env bash
# Installs what is missing, builds with warnings as errors, and runs the whole
# test suite through CTest; then the same suite built with AddressSanitizer and
# UndefinedBehaviorSanitizer; then builds the libFuzzer targets with clang and
# runs each for a bounded number of iterations. Exits non-zero on any failure.
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

echo "== tests under AddressSanitizer and UndefinedBehaviorSanitizer"
# Without -Werror: the build above holds the warnings; GCC adds false ones under -fsanitize.
# -O1 -g1, as the sanitizers advise: it compiles faster than -O2 -g.
# Not the fuzz replays ("replay"): the fuzz stage below runs the same seeds
# and more mutations under clang's ASan and UBSan (replaying them here took
# about 5 of this stage's 11 CPU minutes of tests).
STARLOG_BUILD_DIR=build-asan scripts/build.sh -DSTARLOG_SANITIZE=ON \
  "-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=-O1 -g1 -DNDEBUG" "-DCMAKE_C_FLAGS_RELWITHDEBINFO=-O1 -g1 -DNDEBUG"
(cd build-asan && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
  UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
  ctest -j2 --output-on-failure --timeout 900 -LE "slow|replay")

echo "== fuzzers (clang, libFuzzer + ASan + UBSan, bounded runs)"
cmake -S . -B build-fuzz -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ \
  -DSTARLOG_BUILD_FUZZERS=ON -DSTARLOG_BUILD_TESTS=OFF \
  "-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=-O2 -g1 -DNDEBUG" "-DCMAKE_C_FLAGS_RELWITHDEBINFO=-O2 -g1 -DNDEBUG" >/dev/null
cmake --build build-fuzz -j2 --target all_fuzzers
(cd build-fuzz && ctest -L fuzz --output-on-failure --timeout 900)
