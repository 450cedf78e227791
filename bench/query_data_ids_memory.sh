#!/usr/bin/env bash
# Peak memory and time of query-data-ids on a repository of records alone:
# EXPOSURES exposures (default 10,000) x DETECTORS detectors (default 200),
# one query per line, through /usr/bin/time. Issue 17 item 1 measured 797 MB
# for the 200 rows of "exposure = 5000" when the join built the whole cross
# product first.
#
#   bench/query_data_ids_memory.sh build/cli/starlog /tmp/qdi [EXPOSURES] [DETECTORS]
set -euo pipefail
bin=$(realpath "${1:?starlog binary}"); dir=${2:?scratch folder}
exposures=${3:-10000}; detectors=${4:-200}
mkdir -p "$dir"; cd "$dir"
repo=$dir/repo
rm -rf "$repo"; "$bin" create "$repo" --no-policy >/dev/null
printf 'instrument,detector_max,exposure_max\nHSC,4096,99999999\n' > i.csv
printf 'band\ng\nr\n' > b.csv
printf 'instrument,physical_filter,band\nHSC,HSC-G,g\nHSC,HSC-R,r\n' > f.csv
printf 'instrument,day_obs\nHSC,20240301\nHSC,20240302\n' > day.csv
{ echo instrument,detector; for ((d = 0; d < detectors; d++)); do echo "HSC,$d"; done; } > d.csv
{
  echo instrument,exposure,physical_filter,day_obs,observation_type
  for ((e = 0; e < exposures; e++)); do
    echo "HSC,$e,HSC-$((e % 2 ? 1 : 0)),$((20240301 + e % 2)),$((e % 10 ? 1 : 0))"
  done | sed -e 's/HSC-0/HSC-G/; s/HSC-1/HSC-R/; s/,0$/,bias/; s/,1$/,science/'
} > e.csv
for x in "instrument i.csv" "band b.csv" "physical_filter f.csv" "day_obs day.csv" \
         "detector d.csv" "exposure e.csv"; do
  set -- $x
  "$bin" insert-dimension-records "$repo" "$1" "$2" >/dev/null
done
run() {
  /usr/bin/time -f "%M KB %e s" "$bin" query-data-ids "$repo" "$@" --json > out.json 2> time.txt
  printf '%-72s rows=%-7s %s\n' "$*" "$(grep -o '"instrument"' out.json | wc -l)" \
    "$(tail -1 time.txt)"
}
run exposure detector --where "exposure = $((exposures / 2))"
run exposure detector --where "exposure IN ($((exposures / 2)), $((exposures / 2 + 1)))"
run exposure detector --where "exposure = $((exposures / 2)) AND detector = 7"
run exposure physical_filter --where "exposure = 1"
run exposure detector --where "detector = 7"
run exposure detector --where "exposure.observation_type = 'bias' AND detector < 2"
run exposure detector --where "exposure > $((exposures - 10))"
