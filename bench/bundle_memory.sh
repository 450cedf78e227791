#!/usr/bin/env bash
# Peak memory and time of export and import of a bundle of N calibrations
# (default 20,000) without files: biases of PER_RUN detectors (default
# 50,000) in RUNs of PER_RUN each, every RUN certified into Cam/calib for a
# year of its own (so a detector has one dataset per RUN), exported with
# --collections Cam/calib into a version 3 bundle.jsonl and imported into
# an empty repository, then imported again (adding nothing), each through
# /usr/bin/time. Opening a repository alone peaks near 60 MB (RocksDB).
# Issue 20 item 2 measured 146 MB for the import of 20,000 when
# bundle.json was read whole.
#
# With BASELINE (another build's starlog), the same export is made with it
# too, measured, and its bundle.jsonl compared byte for byte.
#
#   bench/bundle_memory.sh build/cli/starlog /tmp/bundle-bench [N] [PER_RUN] [BASELINE]
set -euo pipefail
bin=$(realpath "${1:?starlog binary}"); dir=${2:?scratch folder}
n=${3:-20000}; per_run=${4:-50000}
baseline=${5:+$(realpath "$5")}
((per_run > n)) && per_run=$n
runs=$(((n + per_run - 1) / per_run))
mkdir -p "$dir"; cd "$dir"
rm -rf site summit empty calibs baseline
"$bin" create site --no-policy >/dev/null
printf 'instrument,detector_max\nCam,%d\n' $((per_run + 1)) > i.csv
{ echo instrument,detector; seq 0 $((per_run - 1)) | sed 's/^/Cam,/'; } > d.csv
"$bin" insert-dimension-records site instrument i.csv --no-sync >/dev/null
"$bin" insert-dimension-records site detector d.csv --no-sync >/dev/null
"$bin" register-dataset-type site bias ExposureF instrument detector --is-calibration >/dev/null
"$bin" create-collection site Cam/calib --type CALIBRATION --no-sync >/dev/null
start=$(date +%s.%N)
for ((r = 0; r < runs; r++)); do
  run=Cam/calib/bias/$r
  count=$((n - r * per_run < per_run ? n - r * per_run : per_run))
  { echo instrument,detector; seq 0 $((count - 1)) | sed 's/^/Cam,/'; } > b.csv
  "$bin" create-collection site "$run" --type RUN --no-sync >/dev/null
  "$bin" register-datasets site bias "$run" b.csv --no-sync >/dev/null
  "$bin" certify-calibrations site "$run" Cam/calib bias --no-sync \
    --begin-date "$((2000 + r))-01-01" --end-date "$((2001 + r))-01-01" >/dev/null
done
echo "source: $n datasets in $runs RUNs, certified, made in $(echo "$(date +%s.%N) - $start" | bc) s"
measure() {
  local what=$1; shift
  /usr/bin/time -f "%M %e" "$@" > out.txt 2> time.txt
  read -r kb seconds < <(tail -1 time.txt)
  printf '%-8s %8d datasets  peak RSS %7.1f MB  %8.2f s  %s\n' "$what" "$n" \
    "$(echo "$kb / 1024" | bc -l)" "$seconds" "$(head -1 out.txt | cut -c1-60)"
}
measure export "$bin" export site bias --collections Cam/calib --to calibs
if [[ -n $baseline ]]; then
  measure baseline "$baseline" export site bias --collections Cam/calib --to baseline
  cmp calibs/bundle.jsonl baseline/bundle.jsonl && echo "bundle.jsonl: the same bytes as BASELINE's"
  rm -rf baseline
fi
f=$(ls calibs/bundle.json*)  # bundle.json from a build before version 3
echo "$(basename "$f"): $(du -m "$f" | cut -f1) MB, $(wc -l < "$f") lines"
# The import's own memory: a dry run into an empty repository (no index
# to read, so RocksDB's block cache stays empty).
"$bin" create empty --no-policy >/dev/null
measure dry-run "$bin" import empty calibs --dry-run
"$bin" create summit --no-policy >/dev/null
measure import "$bin" import summit calibs --no-sync
measure again "$bin" import summit calibs --no-sync
