#!/usr/bin/env bash
# Runs each README block marked "readme-example" as shown: in an empty folder,
# with the built `starlog` first on the PATH, stopping at the first command
# that fails. A README example that no longer runs fails the build's tests.
#   readme_examples.sh README.md DIR_OF_STARLOG
set -euo pipefail
readme=$1
bin_dir=$(cd "$2" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# The sh block after each marker, one file per block.
awk -v dir="$work" '
  /<!-- readme-example/ { armed = 1; next }
  armed && /^```sh$/ { n++; file = dir "/block" n ".sh"; inside = 1; armed = 0; next }
  inside && /^```$/ { inside = 0; next }
  inside { print > file }
' "$readme"
blocks=("$work"/block*.sh)
[[ -e ${blocks[0]} ]] || { echo "no readme-example block in $readme" >&2; exit 1; }
for block in "${blocks[@]}"; do
  run="$work/run-$(basename "$block" .sh)"
  mkdir "$run"
  echo "== $(basename "$block"): $(wc -l < "$block") lines"
  (cd "$run" && env -u STARLOG_SERVICE -u STARLOG_USER PATH="$bin_dir:$PATH" bash -e -o pipefail "$block") || {
    echo "README example $(basename "$block") failed (see the last command above)" >&2
    exit 1
  }
done
