#!/usr/bin/env bash
# The main job, end to end, on a repository in ./demo/repo (made anew each
# run): installs what is missing, builds, creates a repository, lays out
# collections as DMTN-167 describes, and reads back the log with its hash
# chain. It grows as capabilities land.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/build.sh
starlog() { build/cli/starlog "$@"; }
export STARLOG_USER=demo-operator

repo=demo/repo
rm -rf demo
mkdir -p demo
step() { printf '\n== %s\n' "$*"; }

step "create a repository"
starlog create "$repo"

step "collections, as a shared repository lays them out (DMTN-167)"
starlog create-collection "$repo" HSC/raw/all --type RUN --doc "all raw HSC data, as ingested"
starlog create-collection "$repo" HSC/calib/DM-1 --type CALIBRATION --doc "calibrations certified on DM-1"
starlog create-collection "$repo" HSC/calib --type CHAINED --doc "recommended HSC calibrations"
starlog create-collection "$repo" refcats --type CHAINED --doc "all reference catalogs"
starlog create-collection "$repo" skymaps --type RUN --doc "skymap definitions"
starlog create-collection "$repo" HSC/defaults --type CHAINED --doc "recommended inputs for HSC"
starlog create-collection "$repo" u/demo-operator/scratch --type RUN --doc "a personal run"

step "a rejected command changes nothing and says why"
if starlog create-collection "$repo" "HSC/raw/*" 2>demo/error.txt; then
  echo "expected a refusal" >&2
  exit 1
fi
cat demo/error.txt

step "the log, every frame and the hash chain verified as it is read"
starlog log "$repo" --hashes

step "repository info"
starlog info "$repo"
echo
echo "main job done: repository at $repo"
