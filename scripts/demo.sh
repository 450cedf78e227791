#!/usr/bin/env bash
# The main job, end to end, on a repository in ./demo/repo (made anew each
# run): installs what is missing, builds, creates a repository laid out as
# DMTN-167 describes a shared repository, fills it, queries it, and reads back
# the log with its hash chain. It grows as capabilities land.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/build.sh
starlog() { build/cli/starlog "$@"; }
export STARLOG_USER=operator

repo=demo/repo
data=demo/input
rm -rf demo
mkdir -p "$data"
step() { printf '\n== %s\n' "$*"; }

step "create a repository"
starlog create "$repo"

step "dimension records of a small HSC-like camera"
cat > "$data/instrument.csv" <<'CSV'
instrument,class_name,detector_max,exposure_max
HSC,lsst.obs.subaru.HyperSuprimeCam,111,99999999
CSV
printf 'band\nr\ni\n' > "$data/band.csv"
cat > "$data/physical_filter.csv" <<'CSV'
instrument,physical_filter,band
HSC,HSC-R,r
HSC,HSC-I,i
CSV
printf 'instrument,detector,full_name\n' > "$data/detector.csv"
for d in 0 1 2 3; do echo "HSC,$d,ccd$d" >> "$data/detector.csv"; done
printf 'instrument,day_obs\nHSC,20240301\nHSC,20240302\n' > "$data/day_obs.csv"
cat > "$data/exposure.json" <<'JSON'
[
 {"instrument": "HSC", "exposure": 903330, "physical_filter": "HSC-R", "day_obs": 20240301, "observation_type": "bias"},
 {"instrument": "HSC", "exposure": 903332, "physical_filter": "HSC-R", "day_obs": 20240301, "observation_type": "flat"},
 {"instrument": "HSC", "exposure": 903334, "physical_filter": "HSC-R", "day_obs": 20240301, "observation_type": "science", "target_name": "COSMOS",
  "timespan_begin": "2024-03-01T12:00:00", "timespan_end": "2024-03-01T12:05:00"},
 {"instrument": "HSC", "exposure": 903336, "physical_filter": "HSC-I", "day_obs": 20240302, "observation_type": "science", "target_name": "COSMOS",
  "timespan_begin": "2024-03-02T12:00:00", "timespan_end": "2024-03-02T12:05:00"}
]
JSON
printf 'skymap,hash\nhsc_rings_v1,9f3a\n' > "$data/skymap.csv"
for element in instrument band physical_filter detector day_obs; do
  starlog insert-dimension-records "$repo" "$element" "$data/$element.csv"
done
starlog insert-dimension-records "$repo" exposure "$data/exposure.json"
starlog insert-dimension-records "$repo" skymap "$data/skymap.csv"

step "dataset types"
starlog register-dataset-type "$repo" raw Exposure instrument exposure detector
starlog register-dataset-type "$repo" bias ExposureF instrument detector --is-calibration
starlog register-dataset-type "$repo" flat ExposureF instrument detector physical_filter --is-calibration
starlog register-dataset-type "$repo" calexp ExposureF instrument exposure detector
starlog register-dataset-type "$repo" skyMap SkyMap skymap

step "collections, as DMTN-167 lays out a shared repository"
starlog create-collection "$repo" HSC/raw/all --type RUN --doc "all raw HSC data, as ingested"
starlog create-collection "$repo" HSC/calib/DM-1/bias --type RUN --doc "bias production run"
starlog create-collection "$repo" HSC/calib/DM-1/flat --type RUN --doc "flat production run"
starlog create-collection "$repo" HSC/calib/DM-1 --type CALIBRATION --doc "calibrations certified on DM-1"
starlog create-collection "$repo" refcats/DM-2 --type RUN --doc "reference catalogs"
starlog create-collection "$repo" skymaps --type RUN --doc "skymap definitions"
starlog collection-chain "$repo" HSC/calib HSC/calib/DM-1 --doc "recommended HSC calibrations"
starlog collection-chain "$repo" refcats refcats/DM-2 --doc "all reference catalogs"
starlog collection-chain "$repo" HSC/defaults HSC/raw/all HSC/calib refcats skymaps \
  --doc "recommended inputs for HSC"

step "datasets: raws with their files (size and XXH3-128 recorded), calibrations, a skymap"
mkdir -p "$repo/HSC/raw/all/raw"
printf 'instrument,exposure,detector,path\n' > "$data/raws.csv"
for e in 903334 903336; do
  for d in 0 1 2 3; do
    f="HSC/raw/all/raw/HSC-$e-$d.fits"
    head -c $((2880 * 2)) /dev/urandom > "$repo/$f"
    echo "HSC,$e,$d,$f" >> "$data/raws.csv"
  done
done
starlog register-datasets "$repo" raw HSC/raw/all "$data/raws.csv" --id-mode datatype-run
printf 'instrument,detector\n' > "$data/bias.csv"
for d in 0 1 2 3; do echo "HSC,$d" >> "$data/bias.csv"; done
starlog register-datasets "$repo" bias HSC/calib/DM-1/bias "$data/bias.csv"
printf 'instrument,detector,physical_filter\n' > "$data/flat.csv"
for d in 0 1 2 3; do echo "HSC,$d,HSC-R" >> "$data/flat.csv"; done
starlog register-datasets "$repo" flat HSC/calib/DM-1/flat "$data/flat.csv"
printf 'skymap\nhsc_rings_v1\n' | starlog register-datasets "$repo" skyMap skymaps - --format csv

step "certify calibrations, valid from 2024-01-01 (TAI) on"
starlog certify-calibrations "$repo" HSC/calib/DM-1/bias HSC/calib/DM-1 bias --begin-date 2024-01-01
starlog certify-calibrations "$repo" HSC/calib/DM-1/flat HSC/calib/DM-1 flat --begin-date 2024-01-01

head_of() { starlog info "${1:-$repo}" --json | sed 's/.*"head_sequence":\([0-9]*\).*/\1/'; }

step "name this point: the inputs of the processing run to come"
starlog snapshot create "$repo" DM-1-inputs

step "a processing run: public outputs chained over its private output RUN and its inputs"
out=HSC/runs/RC2/w_2025_01/DM-1
starlog create-collection "$repo" "$out/20250101T000000Z" --type RUN --doc "outputs of the run"
starlog collection-chain "$repo" "$out" "$out/20250101T000000Z" HSC/defaults
printf 'instrument,exposure,detector\n' > "$data/calexp.csv"
for d in 0 1 2 3; do echo "HSC,903334,$d" >> "$data/calexp.csv"; done
starlog register-datasets "$repo" calexp "$out/20250101T000000Z" "$data/calexp.csv"

step "a personal collection"
starlog create-collection "$repo" u/operator/scratch --type RUN --doc "a personal run"

step "the collections, chains as trees"
starlog query-collections "$repo"

step "raws in band r, found through HSC/defaults"
starlog query-datasets "$repo" raw --collections HSC/defaults --where "band = r"

step "the bias valid for detector 2 on 2024-03-01, found through the processing run's chain"
starlog find-dataset "$repo" bias --data-id instrument=HSC,detector=2 --collections "$out" \
  --time 2024-03-01T12:00:00

step "science exposures and their detectors"
starlog query-data-ids "$repo" exposure detector --where "exposure.observation_type = science AND detector < 2"

step "the butler's semantics: visits, calibrations for each exposure's time, the butler's names"
starlog define-visits "$repo" --instrument HSC          # one-to-one: a visit per science exposure
starlog query-data-ids "$repo" visit exposure --where "visit = 903334"
# A temporal join: the bias valid at each exposure's timespan, per exposure and detector.
starlog query-datasets "$repo" bias --collections HSC/calib --where "exposure IN (903334, 903336) AND detector < 2"
starlog find-dataset "$repo" bias --data-id instrument=HSC,detector=2 --collections HSC/calib \
  --timespan 2024-03-01T12:00:00 2024-03-01T12:05:00    # one validity range must cover it
starlog query-collections "$repo" HSC/calib/DM-1 --chains INVERSE-TREE
starlog query-collections "$repo" 'HSC/calib*' -t --chains TABLE
starlog remove-collections "$repo" 'HSC/calib*' --dry-run
starlog --log-level WARNING query-dataset-types "$repo" --collections HSC/defaults

step "a rejected command changes nothing and says why"
if starlog certify-calibrations "$repo" HSC/calib/DM-1/bias HSC/calib/DM-1 bias \
  --begin-date 2024-06-01 2>demo/error.txt; then
  echo "expected a refusal" >&2
  exit 1
fi
cat demo/error.txt

step "the processing run's collections now, and as of the snapshot DM-1-inputs"
starlog query-collections "$repo" 'HSC/runs/*' --chains no
starlog query-collections "$repo" 'HSC/runs/*' --chains no --as-of DM-1-inputs

step "what changed since the snapshot"
starlog diff "$repo" --from DM-1-inputs

step "prompt processing: wait for a raw that arrives while we wait"
printf 'instrument,exposure,detector\nHSC,903336,0\n' > "$data/late.csv"
starlog create-collection "$repo" HSC/prompt --type RUN --doc "prompt-processing raws"
(sleep 1; starlog register-datasets "$repo" raw HSC/prompt "$data/late.csv" >/dev/null) &
starlog wait "$repo" --dataset-type raw --data-id instrument=HSC,exposure=903336,detector=0 \
  --collections HSC/prompt --timeout 60s
wait

step "ingest FITS raws and master biases of a small fake camera, read by their headers"
# A minimal FITS writer: 80-character header cards in 2880-byte blocks, then a
# 16x16 16-bit image padded to a block (enough for cfitsio and for a butler).
fits() {  # fits FILE INSTRUME EXPNUM CCDNUM FILTER IMGTYPE DATE-OBS EXPTIME
  {
    printf '%-80s' "SIMPLE  =                    T" "BITPIX  =                   16" \
      "NAXIS   =                    2" "NAXIS1  =                   16" \
      "NAXIS2  =                   16" "INSTRUME= '$2'" "EXPNUM  = $3" "CCDNUM  = $4" \
      "FILTER  = '$5'" "IMGTYPE = '$6'" "OBJECT  = 'COSMOS'" "DATE-OBS= '$7'" \
      "EXPTIME = $8" "TIMESYS = 'UTC'" "CCDNAME = 'ccd$4'" "END"
    head -c $((2880 - 16 * 80)) /dev/zero | tr '\0' ' '
    head -c 512 /dev/urandom
    head -c $((2880 - 512)) /dev/zero
  } > "$1"
}
cat > "$data/fakecam.cfg" <<'CFG'
# FakeCam: how its FITS headers become data IDs and dimension records.
instrument FakeCam
match INSTRUME FakeCam
value exposure EXPNUM
value detector CCDNUM
value physical_filter FILTER
value band FILTER map=FakeCam-R:r,FakeCam-I:i
value exposure.observation_type IMGTYPE lower
value exposure.target_name OBJECT optional
value detector.full_name CCDNAME optional
constant instrument.class_name demo.FakeCam
timespan exposure DATE-OBS EXPTIME
day_obs DATE-OBS -12
CFG
incoming=demo/incoming
mkdir -p "$incoming/raw" "$incoming/bias"
for e in 1001 1002; do
  for d in 0 1 2; do
    fits "$incoming/raw/fake-$e-$d.fits" FakeCam "$e" "$d" FakeCam-R SCIENCE 2024-03-02T03:0$d:00 30
  done
done
gzip "$incoming/raw/fake-1002-2.fits"  # cfitsio reads it compressed
for d in 0 1 2; do
  fits "$incoming/bias/bias-$d.fits" FakeCam 900 "$d" FakeCam-R BIAS 2024-03-01T20:00:00 0
done
echo "this is not a FITS file" > "$incoming/raw/notes.txt"
fits "$incoming/raw/fake-no-expnum.fits" FakeCam "" 0 FakeCam-R SCIENCE 2024-03-02T03:00:00 30
template='raw={run}/{datasetType}/{day_obs}/{exposure:08d}/{instrument}_{physical_filter}_{detector:03d}'
if starlog ingest "$repo" "$incoming/raw" --run FakeCam/raw/all --translator "$data/fakecam.cfg" \
    --template "$template"; then
  echo "expected two files to be skipped"; exit 1
fi
echo "(exit status 1: some files were skipped, the rest ingested)"
echo "ingesting the same files again: $(starlog ingest "$repo" "$incoming/raw/fake-1001-0.fits" \
  --run FakeCam/raw/all --translator "$data/fakecam.cfg" --template "$template")"
starlog ingest "$repo" "$incoming/bias" --run FakeCam/calib/bias --dataset-type bias \
  --translator "$data/fakecam.cfg" --transfer move
starlog create-collection "$repo" FakeCam/calib --type CALIBRATION --doc "FakeCam calibrations"
starlog certify-calibrations "$repo" FakeCam/calib/bias FakeCam/calib bias --begin-date 2024-01-01
starlog query-datasets "$repo" raw --collections FakeCam/raw/all
starlog query-dimension-records "$repo" exposure --where "instrument = FakeCam"
starlog find-dataset "$repo" bias --data-id instrument=FakeCam,detector=1 --collections FakeCam/calib \
  --time 2024-03-02T00:00:00

step "link the inputs of a processing run into its own folder, by template"
starlog link "$repo" raw --collections FakeCam/raw/all --where "exposure = 1001" \
  --template '{run}/input/{exposure}/{instrument}-{detector:03d}' --to demo/run-tree --relative
find demo/run-tree -type l | sort

step "export exposure 1001 with its records and files; import it into a fresh repository"
starlog export "$repo" raw --collections FakeCam/raw/all --where "exposure = 1001" --to demo/bundle
starlog create demo/other > /dev/null
starlog import demo/other demo/bundle
starlog query-datasets demo/other raw --collections FakeCam/raw/all

step "ship the HSC calibrations, with their validity and chain, to a summit repository"
# The butler's export-calibs: the CALIBRATION collection, its RUNs and the
# chain over them travel with the datasets.
starlog export "$repo" bias flat --collections HSC/calib --to demo/calibs
starlog create demo/summit > /dev/null
starlog import demo/summit demo/calibs --dry-run
starlog import demo/summit demo/calibs
starlog query-collections demo/summit 'HSC/calib*'
for detector in 0 2; do
  here=$(starlog find-dataset "$repo" bias --data-id instrument=HSC,detector=$detector \
    --collections HSC/calib --time 2024-03-01T12:00:00 --json)
  there=$(starlog find-dataset demo/summit bias --data-id instrument=HSC,detector=$detector \
    --collections HSC/calib --time 2024-03-01T12:00:00 --json)
  if [ "$here" != "$there" ]; then
    echo "the summit answers differently for detector $detector:" >&2
    echo "  here:  $here" >&2
    echo "  there: $there" >&2
    exit 1
  fi
done
echo "the summit finds the same biases as the site on 2024-03-01"

step "fsck: every file present and intact, and none unowned"
starlog fsck "$repo"

step "who may write what: the DMTN-167 policy set at creation, enforced on every write"
if starlog create-collection "$repo" HSC/raw/extra --user alice 2> demo/refused.txt; then exit 1; fi
cat demo/refused.txt
starlog policy grant "$repo" operators alice
starlog create-collection "$repo" HSC/raw/extra --user alice
starlog create-collection "$repo" u/alice/DM-99 --user alice --doc "alice's own"
starlog policy show "$repo"
starlog log "$repo" --actor alice

step "DMTN-167 naming conventions: what this repository does differently (exit status 1)"
if starlog check-conventions "$repo"; then echo "(all conventional)"; fi

step "bash completion, installed for this user (new shells pick it up)"
completions="${XDG_DATA_HOME:-$HOME/.local/share}/bash-completion/completions"
mkdir -p "$completions" && starlog completion > "$completions/starlog"
echo "installed $completions/starlog"

step "proof: the recorded state digest, recomputed from the indexes"
starlog digest "$repo" --recompute

step "rebuild every index from the log; every recorded digest must match"
starlog rebuild "$repo"

step "the end of the log, every frame and the hash chain verified as it is read"
starlog log "$repo" --from $(( $(head_of) - 4 )) --hashes

step "the repository's service: one writer, many jobs at once, each as its OS user"
# In the background, the binary itself, so that `kill` reaches it. Mode 0666
# lets any local user's jobs in for the demo; a facility gives its users the
# socket's group instead (README: Service).
build/cli/starlog serve "$repo" --socket-mode 0666 > demo/service.out 2> demo/service.log &
service=$!
trap 'kill $service 2>/dev/null || true' EXIT
for _ in $(seq 100); do grep -q serving demo/service.out 2>/dev/null && break; sleep 0.1; done
cat demo/service.out
me=$(id -un)
# Six jobs at once, each making its RUN and prepending it to one chain: the
# service applies them in turn, shares their fsyncs, and loses none.
pids=()
for job in 1 2 3 4 5 6; do
  (env -u STARLOG_USER build/cli/starlog create-collection "$repo" "u/$me/job$job" >/dev/null &&
    env -u STARLOG_USER build/cli/starlog collection-chain "$repo" "u/$me/jobs" "u/$me/job$job" \
      --mode prepend >/dev/null) &
  pids+=($!)
done
for pid in "${pids[@]}"; do wait "$pid"; done  # Each must succeed.
starlog query-collections "$repo" "u/$me/jobs" --chains tree
# Another OS user, where this machine lets us become one: recorded as itself.
if [[ $(id -u) == 0 ]] && id nobody >/dev/null 2>&1; then
  setpriv --reuid=nobody --regid="$(id -g nobody)" --clear-groups \
    env -u STARLOG_USER build/cli/starlog create-collection "$repo" u/nobody/scratch
  starlog log "$repo" --actor nobody
fi
echo "through the service, --user cannot choose who you are:"
if env -u STARLOG_USER build/cli/starlog create-collection "$repo" "u/$me/x" --user operator \
  2> demo/refused.txt; then exit 1; fi
cat demo/refused.txt
kill $service; wait $service || true
trap - EXIT

step "remote clients: the service on TCP with TLS, two token holders"
# A self-signed certificate for the demo; a facility uses its own CA's.
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 \
  -subj /CN=localhost -addext subjectAltName=IP:127.0.0.1,DNS:localhost \
  -keyout demo/service.key -out demo/service.pem 2>/dev/null
# As the service's account: only each token's hash is kept (.starlog/tokens).
starlog user add "$repo" alice --token-file demo/alice.token
starlog user add "$repo" bob --token-file demo/bob.token
starlog user list "$repo"
build/cli/starlog serve "$repo" --service-listen 127.0.0.1:0 --tls-cert demo/service.pem \
  --tls-key demo/service.key > demo/remote.out 2> demo/remote.log &
remote=$!
trap 'kill $remote 2>/dev/null || true' EXIT
for _ in $(seq 100); do grep -q serving demo/remote.out 2>/dev/null && break; sleep 0.1; done
cat demo/remote.out
address=$(sed -n 's/.* remote clients on \(.*\) over TLS.*/\1/p' demo/remote.out)
# Each holder registers a RUN of its own, recorded as itself whoever runs
# the command: the token, checked over TLS, is the identity ($STARLOG_USER
# would be ignored, with a warning).
for who in alice bob; do
  STARLOG_USER= starlog create-collection "$repo" "u/$who/remote" --doc "from a remote client" \
    --service "$address" --tls-ca demo/service.pem --token-file "demo/$who.token"
done
starlog log "$repo" --from $(( $(head_of) - 1 ))
echo "a removed token is refused from the next connection, the service still running:"
starlog user remove "$repo" bob
if STARLOG_USER= starlog create-collection "$repo" u/bob/again --service "$address" \
  --tls-ca demo/service.pem --token-file demo/bob.token 2> demo/refused.txt; then exit 1; fi
cat demo/refused.txt
kill $remote; wait $remote || true
trap - EXIT

step "replicate over TCP on loopback: serve, copy to a second folder, follow, verify"
head -c 32 /dev/urandom | base64 > demo/key  # The shared key; it never crosses the wire.
chmod 600 demo/key  # Refused if group or others may read it, as ssh refuses a private key.
mirror=demo/mirror
# In the background, the binary itself (not the shell function), so that
# `kill` reaches it. Replication alone (--no-service): this step writes
# the repository from here, as its users it names with STARLOG_USER.
build/cli/starlog serve "$repo" --listen 127.0.0.1:0 --key demo/key --no-service > demo/serve.out 2> demo/serve.log &
server=$!
trap 'kill $server 2>/dev/null || true' EXIT
for _ in $(seq 100); do grep -q serving demo/serve.out 2>/dev/null && break; sleep 0.1; done
address=$(sed -n 's/^serving .* on //p' demo/serve.out)
echo "primary served on $address"
starlog replicate "$mirror" --from "$address" --key demo/key
build/cli/starlog replicate "$mirror" --from "$address" --key demo/key --follow 2> demo/follow.log &
follower=$!
starlog create-collection "$repo" HSC/runs/late --doc "written while a replica follows"
for _ in $(seq 100); do
  [[ $(head_of "$mirror") == $(head_of "$repo") ]] && break
  sleep 0.1
done
kill $follower; wait $follower
starlog status "$mirror"
starlog verify "$mirror" --against "$address" --key demo/key --recompute
starlog verify "$mirror" --against "$repo"
cmp "$repo/HSC/raw/all/raw/HSC-903336-3.fits" "$mirror/HSC/raw/all/raw/HSC-903336-3.fits"
echo "the files arrived intact"
if starlog create-collection "$mirror" u/operator/oops 2> demo/refused.txt; then exit 1; fi
echo "a write to the replica is refused: $(cat demo/refused.txt)"
kill $server; wait $server
trap - EXIT

step "repository info"
starlog info "$repo"
echo
echo "main job done: repository at $repo"

# ---------------------------------------------------------------------------
# Python (#16): the same repository from a pipeline's Python, embedded.
# ---------------------------------------------------------------------------
step "python: make 'import starlog' work for this user (a .pth file naming build/python)"
python=$(sed -n 's/^Python_EXECUTABLE:FILEPATH=//p' build/CMakeCache.txt)
python=${python:-python3}
site=$("$python" -m site --user-site)
mkdir -p "$site"
echo "$PWD/build/python" > "$site/starlog.pth"
echo "wrote $site/starlog.pth; $python -c 'import starlog' now works from anywhere"

step "python: a prompt-processing job finds its inputs, waits for a raw, registers outputs"
build/cli/starlog create-collection "$repo" HSC/prompt/outputs --type RUN >/dev/null
printf 'instrument,exposure,detector\nHSC,903336,1\n' > "$data/late2.csv"
(sleep 1; starlog register-datasets "$repo" raw HSC/prompt "$data/late2.csv" >/dev/null) &
root=$(realpath "$repo")
(cd /tmp && "$python" - "$root" <<'PY')
import datetime, sys
import numpy as np
import starlog

utc = datetime.timezone.utc
with starlog.Repository.open(sys.argv[1], follow=True) as reader:
    view = reader.view()
    bias = view.find_dataset("bias", {"instrument": "HSC", "detector": 1}, ["HSC/defaults"],
                             time=datetime.datetime(2024, 3, 1, tzinfo=utc))
    print(f"bias for detector 1: {bias.id} from {bias.collection}, valid {bias.validity}")
    refs = list(view.query_datasets("raw", ["HSC/defaults"], where="band = b", bind={"b": "r"}))
    print(f"{len(refs)} raws in band r, e.g. {refs[0].data_id} at {refs[0].path}")
    raw = reader.wait_for_dataset("raw", {"instrument": "HSC", "exposure": 903336, "detector": 1},
                                  ["HSC/prompt"], timeout=60)
    print(f"waited for and found {raw.data_id} in {raw.run}")
    packer = view.packer(["exposure", "detector"], {"instrument": "HSC"})
    print(f"data IDs pack into {packer.bits} bits: {packer.pack(raw.data_id)}")
with starlog.Repository.open(sys.argv[1]) as repo:  # A writer now: the CLI job above is done.
    outputs = repo.register_datasets(
        "calexp", "HSC/prompt/outputs",
        {"instrument": np.array(["HSC"] * 4), "exposure": np.full(4, 903336), "detector": np.arange(4)})
    print(f"registered {len(outputs)} calexps as {repo.user}; head {repo.head.sequence}")
    try:
        repo.create_collection("HSC/prompt/outputs", "TAGGED")
    except starlog.ConflictError as e:
        print(f"refused, as the CLI would say it: {e}")
PY
wait
echo "python part done"
