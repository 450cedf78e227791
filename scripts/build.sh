#!/usr/bin/env bash
# Configures and builds starlog into ./build (Release with debug info), two
# jobs at a time. Extra arguments go to CMake's configure step, e.g.
#   scripts/build.sh -DSTARLOG_WERROR=ON
set -euo pipefail
cd "$(dirname "$0")/.."
build_dir="${STARLOG_BUILD_DIR:-build}"
cmake -S . -B "$build_dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo "$@" >/dev/null
cmake --build "$build_dir" -j "${STARLOG_JOBS:-2}"
