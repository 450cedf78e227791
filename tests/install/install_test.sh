#!/usr/bin/env bash
# install_test.sh BUILD_DIR CONSUMER_SOURCE CXX PYTHON PYTHON_DIR
# Installs the build into a temporary prefix, builds the consumer project
# against it, runs it, and imports the installed Python package.
set -euo pipefail
build=$1 consumer=$2 cxx=$3 python=$4 python_dir=$5
prefix=$(mktemp -d /tmp/starlog-install-XXXXXX)
trap 'rm -rf "$prefix"' EXIT
cmake --install "$build" --prefix "$prefix/usr" > "$prefix/install.log"
test -f "$prefix/usr/lib/cmake/starlog/starlogConfig.cmake"
test -f "$prefix/usr/include/starlog/engine/event_store.h"
test -x "$prefix/usr/bin/starlog"
cmake -S "$consumer" -B "$prefix/build" -DCMAKE_CXX_COMPILER="$cxx" \
  -DCMAKE_PREFIX_PATH="$prefix/usr" > "$prefix/configure.log"
cmake --build "$prefix/build" -j2 > "$prefix/build.log"
"$prefix/build/consumer" "$prefix/repo" | tee "$prefix/out.txt"
grep -q "consumer/run created at event 2" "$prefix/out.txt"
"$prefix/usr/bin/starlog" query-collections "$prefix/repo" | grep -q consumer/run
if [[ -n "$python" ]]; then
  PYTHONPATH="$prefix/usr/$python_dir" "$python" -c "
import sys, starlog
assert starlog.__file__.startswith('$prefix'), starlog.__file__
with starlog.Repository.open(sys.argv[1], read_only=True) as repo:
    print('python sees', [c.name for c in repo.view().query_collections()])
" "$prefix/repo"
fi
echo "install test passed"
