#!/usr/bin/env bash
# Installs the Debian packages starlog builds against, and nothing else.
# Idempotent: when everything is already installed it prints nothing and
# touches nothing. Needs root (or sudo) only when something is missing.
set -euo pipefail

packages=(
  build-essential cmake pkg-config
  librocksdb-dev
  libflatbuffers-dev flatbuffers-compiler
  libxxhash-dev
  libboost-dev libboost-system-dev
  catch2
  libcfitsio-dev
  liberfa-dev  # UTC -> TAI by its leap-second table.
  libyaml-cpp-dev  # The butler's export.yaml.
  libssl-dev
  openssl  # The tests make TLS certificates with it.
  pybind11-dev python3-dev  # The Python module (python/).
  python3-numpy python3-pytest  # Its arrays and its tests.
)
# Fuzzers and sanitizer builds use clang; optional for the two README commands.
if [[ "${STARLOG_WITH_CLANG:-0}" == 1 ]]; then
  packages+=(clang libclang-rt-14-dev)
fi

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done
[[ ${#missing[@]} -eq 0 ]] && exit 0

echo "install-deps: installing ${missing[*]}" >&2
sudo=""
if [[ $(id -u) -ne 0 ]]; then sudo="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq >/dev/null
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
