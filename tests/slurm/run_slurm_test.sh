#!/usr/bin/env bash
# run_slurm_test.sh — end-to-end test of jobs/ on a real one-node SLURM cluster started here.
#
#   bash tests/slurm/run_slurm_test.sh
#
# 1. starts a private cluster with scripts/slurm-local.sh (own state dir and ports, so a
#    cluster you started yourself is left alone), installing SLURM if needed;
# 2. `sbatch --wait` of jobs/run.sbatch, 2 tasks x 1 cpu, on tests/slurm/tiny.toml (submitted
#    from a scratch directory, so the script must find the checkout from SLURM's spool copy);
# 3. a strong-scaling series (ranks 1,2 x 1 thread) with jobs/strong_scaling.sh --wait;
# 4. checks: launcher srun, the summary JSONs, /meta complete == 1 in each result file,
#    /meta job_id == the SLURM job id when the file has that attribute, every scaling.json
#    row ok; then plots it with analysis.scaling (when matplotlib is there).
# The cluster is always stopped and purged (trap), also when a step fails.
#
# Exit: 0 pass, 1 fail, 77 skipped (not root, SLURM cannot be installed or started, no h5py).
# Environment: SLURM_TEST_DIR [/tmp/myelin-slurm-test], SLURM_TEST_CTLD_PORT [6827],
#   SLURM_TEST_SLURMD_PORT [6828], PYTHON [/usr/bin/python3 when it has h5py, else python3],
#   MYELIN_BIN, KEEP=1 (keep the scratch directory also on success).
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
export SLURM_LOCAL_DIR=${SLURM_TEST_DIR:-/tmp/myelin-slurm-test}
export SLURM_LOCAL_CTLD_PORT=${SLURM_TEST_CTLD_PORT:-6827}
export SLURM_LOCAL_SLURMD_PORT=${SLURM_TEST_SLURMD_PORT:-6828}
export SLURM_CONF=$SLURM_LOCAL_DIR/etc/slurm.conf
TINY=$REPO/tests/slurm/tiny.toml
T_START=$(date +%s%N)

say() { printf '[slurm-test %6.1fs] %s\n' "$(($(date +%s%N) - T_START))e-9" "$*"; }
skip() {
  say "SKIP: $*"
  exit 77
}
fail() {
  say "FAIL: $*" >&2
  exit 1
}

if [[ -n ${PYTHON:-} ]]; then
  PY=$PYTHON
elif /usr/bin/python3 -c 'import h5py' >/dev/null 2>&1; then
  PY=/usr/bin/python3
else
  PY=python3
fi

# ------------------------------------------------------------------ prerequisites
[[ $(id -u) -eq 0 ]] || skip "must run as root (slurmd needs it)"
if ! command -v slurmd >/dev/null 2>&1 || ! command -v slurmctld >/dev/null 2>&1 ||
  ! command -v munged >/dev/null 2>&1 || ! command -v sbatch >/dev/null 2>&1; then
  say "installing SLURM: scripts/install-deps.sh --slurm"
  bash "$REPO/scripts/install-deps.sh" --slurm || skip "SLURM packages cannot be installed (munge slurmctld slurmd slurm-client)"
fi
"$PY" -c 'import h5py' >/dev/null 2>&1 || skip "$PY cannot import h5py (apt-get install python3-h5py)"
BIN=${MYELIN_BIN:-$REPO/build/myelin}
if [[ ! -x $BIN ]]; then
  say "building $BIN (scripts/build.sh)"
  bash "$REPO/scripts/build.sh" >/dev/null || fail "build failed"
fi

W=$(mktemp -d /tmp/myelin-slurm-test-work.XXXXXX)
cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  say "stopping the test cluster"
  bash "$REPO/scripts/slurm-stop.sh" --purge | sed 's/^/    /' || true
  if ((rc == 0 || rc == 77)) && [[ ${KEEP:-0} != 1 ]]; then
    rm -rf -- "$W"
  else
    say "scratch directory kept: $W"
  fi
  case $rc in
    0) say "PASS" ;;
    77) ;;
    *) say "FAILED (exit $rc)" ;;
  esac
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ------------------------------------------------------------------ cluster
say "starting SLURM (state $SLURM_LOCAL_DIR, ports $SLURM_LOCAL_CTLD_PORT/$SLURM_LOCAL_SLURMD_PORT)"
if ! bash "$REPO/scripts/slurm-local.sh" >"$W/slurm-start.log" 2>&1; then
  sed 's/^/    /' "$W/slurm-start.log"
  for f in "$SLURM_LOCAL_DIR"/log/slurmctld.log "$SLURM_LOCAL_DIR"/log/slurmd.log; do
    [[ -s $f ]] && tail -n 5 "$f" | sed "s|^|    $(basename "$f"): |"
  done
  skip "the local SLURM cluster cannot be started (log above)"
fi
say "cluster up: $(sinfo -h -o '%P %D nodes %c cpus %T' | head -1)"
say "srun --mpi=list: $(srun --mpi=list 2>&1 | tr -s '\n\t ' ' ')"

# check_run H5 JSON JOBID: summary + result file of one run
check_run() {
  "$PY" - "$@" <<'EOF'
import json, sys
import h5py
h5, js, job = sys.argv[1:4]
s = json.load(open(js))
errors = []
for k in ("ranks", "threads", "neurons", "synapses", "loop_s", "phase_s_max_over_ranks"):
    if k not in s:
        errors.append(f"summary lacks {k}")
if s.get("launcher") not in (None, "srun"):
    errors.append(f"summary launcher {s.get('launcher')!r} != 'srun'")
if s.get("job_id") not in (None, "") and str(s["job_id"]) != job:
    errors.append(f"summary job_id {s['job_id']!r} != {job}")
with h5py.File(h5, "r") as f:
    meta = f["meta"].attrs
    complete = int(meta.get("complete", 0))
    if complete != 1:
        errors.append(f"/meta complete = {complete}")
    if "job_id" in meta:
        v = meta["job_id"]
        v = v.decode() if isinstance(v, bytes) else str(v)
        if v != job:
            errors.append(f"/meta job_id {v!r} != SLURM job {job}")
        jid = f"/meta job_id={v}"
    else:
        jid = "/meta has no job_id attribute (not checked)"
    if "launcher" in meta:
        v = meta["launcher"]
        v = v.decode() if isinstance(v, bytes) else str(v)
        if v != "srun":
            errors.append(f"/meta launcher {v!r} != 'srun'")
print(f"    {h5}: complete={complete}, {jid}; ranks={s.get('ranks')} threads={s.get('threads')} "
      f"neurons={s.get('neurons')} loop_s={s.get('loop_s'):.4f}")
if errors:
    print("    " + "\n    ".join(errors))
    sys.exit(1)
EOF
}

# ------------------------------------------------------------------ 1: one run, 2 tasks x 1 cpu
cd "$W" # not the checkout: run.sbatch must find it from the spool copy
say "1/3 sbatch --wait jobs/run.sbatch (2 tasks x 1 cpu, tiny.toml)"
t0=$(date +%s%N)
rc=0
jid=$(timeout 90 sbatch --wait --parsable --job-name=myelin-test --ntasks=2 --cpus-per-task=1 \
  --time=00:05:00 --output="$W/run-%j.out" "$REPO/jobs/run.sbatch" "$TINY" "$W/run/tiny.h5" --quiet) || rc=$?
jid=${jid%%;*}
say "    job ${jid:-?} finished: exit $rc, $((($(date +%s%N) - t0) / 1000000)) ms"
[[ -n $jid && -f $W/run-$jid.out ]] && sed 's/^/    | /' "$W/run-$jid.out"
((rc != 124)) || fail "sbatch --wait timed out after 90 s (job $jid: $(scontrol show job "$jid" 2>/dev/null | grep -o 'JobState=[^ ]*' || true))"
((rc == 0)) || fail "the run.sbatch job failed (sbatch exit $rc)"
grep -q '^\[run.sbatch\] launcher=srun' "$W/run-$jid.out" || fail "run.sbatch did not use srun"
[[ -s $W/run/tiny.json ]] || fail "no summary $W/run/tiny.json"
check_run "$W/run/tiny.h5" "$W/run/tiny.json" "$jid" || fail "result check of the single run"
"$PY" -c 'import json,sys; s=json.load(open(sys.argv[1])); sys.exit(0 if (s["ranks"], s["threads"]) == (2, 1) else 1)' \
  "$W/run/tiny.json" || fail "the single run did not use 2 ranks x 1 thread"

# ------------------------------------------------------------------ 2: strong-scaling series
say "2/3 jobs/strong_scaling.sh --ranks 1,2 --threads 1 --wait"
t0=$(date +%s%N)
rc=0
timeout 150 bash "$REPO/jobs/strong_scaling.sh" --slurm --config "$TINY" --ranks 1,2 --threads 1 \
  --time 00:05:00 --out "$W/strong" --wait >"$W/strong.log" 2>&1 || rc=$?
sed 's/^/    | /' "$W/strong.log"
say "    series finished: exit $rc, $((($(date +%s%N) - t0) / 1000000)) ms"
((rc != 124)) || fail "the scaling series timed out after 150 s"
((rc == 0)) || fail "jobs/strong_scaling.sh failed (exit $rc)"
[[ -s $W/strong/scaling.json && -s $W/strong/scaling.csv ]] || fail "no scaling.json/scaling.csv"
"$PY" - "$W/strong/scaling.json" <<'EOF' || fail "scaling.json check"
import json, sys
s = json.load(open(sys.argv[1]))
rows = s["runs"]
bad = [r["name"] + ": " + str(r.get("error")) for r in rows if not r["ok"]]
assert not bad, f"failed rows: {bad}"
assert sorted((r["ranks"], r["threads"]) for r in rows) == [(1, 1), (2, 1)], rows
for r in rows:
    assert r["launcher"] == "srun", r
    assert str(r["job_id"]).isdigit(), r
    assert r["h5_complete"] is True, r
    assert r["loop_s"] > 0 and r["neurons"] == 500, r
print(f"    scaling.json: {s['n_runs']} rows, all ok; kind={s['kind']}")
EOF
while IFS=$'\t' read -r name _ _ _ job; do
  [[ $name == name || $name == \#* ]] && continue
  check_run "$W/strong/$name.h5" "$W/strong/$name.json" "$job" || fail "result check of $name"
done <"$W/strong/manifest.tsv"

# ------------------------------------------------------------------ 3: plot
if "$PY" -c 'import matplotlib, numpy' >/dev/null 2>&1; then
  say "3/3 analysis.scaling plot"
  rc=0
  (cd "$REPO" && "$PY" -m analysis.scaling "$W/strong/scaling.json" -o "$W/strong/scaling.png") \
    >"$W/plot.log" 2>&1 || rc=$?
  sed 's/^/    | /' "$W/plot.log"
  ((rc == 0)) || fail "python3 -m analysis.scaling failed (exit $rc)"
  [[ -s $W/strong/scaling.png && -s $W/strong/scaling.pdf ]] || fail "analysis.scaling wrote no PNG/PDF"
else
  say "3/3 skipped: $PY has no matplotlib"
fi
say "all checks passed"
