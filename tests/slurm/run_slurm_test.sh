#!/usr/bin/env bash
# run_slurm_test.sh — end-to-end test of jobs/ on a real one-node SLURM cluster started here.
#
#   bash tests/slurm/run_slurm_test.sh          (root; ctest runs it as slurm.one_node)
#
# 1. starts a private cluster with scripts/slurm-local.sh (own state dir and ports, so a
#    cluster you started yourself is left alone), installing SLURM if needed; a cluster left
#    behind by an aborted earlier run of this test (SIGKILL, ctest timeout) is stopped first;
# 2. `sbatch --wait` of jobs/run.sbatch, 2 tasks x 1 cpu, on tests/slurm/tiny.toml (submitted
#    from a scratch directory, so the script must find the checkout from SLURM's spool copy);
# 3. a strong-scaling series (ranks 1,2 x 1 thread) with jobs/strong_scaling.sh --wait;
# 4. checks every run with the analysis reader (analysis.reader.open_result) and its summary:
#    /meta complete == 1, /meta job_id == the SLURM job id, /meta launcher == "srun", the same
#    in the summary JSON; per-rank lists (exchange_wait_s_per_rank, ...) and /meta datasets
#    (exchange_wait_s, exchange_transfer_s, bytes_sent) have one value per rank;
#    round(bytes_per_epoch * epochs) == sum(bytes_sent) < 8 * spikes; every scaling.json row
#    ok; then plots the series with analysis.scaling (when matplotlib is there).
# The cluster is always stopped and purged (EXIT trap), also when a step fails or the test is
# interrupted; the daemons' logs are copied into the kept scratch directory on failure.
#
# Exit: 0 pass, 1 fail, 77 skipped. It skips only when it cannot run at all (not root, SLURM
# cannot be installed or started, no h5py) — and with MYELIN_REQUIRE_SLURM=1 even those are
# failures. ctest sets MYELIN_REQUIRE_SLURM=1 when the build was configured as root (see
# tests/slurm/CMakeLists.txt): there the test can always run, so a "skip" would only hide a
# broken SLURM path, in CI (CI=true) or not.
# Environment: SLURM_TEST_DIR [/tmp/myelin-slurm-test], SLURM_TEST_CTLD_PORT [6827, or the
#   next free pair], SLURM_TEST_SLURMD_PORT [6828], PYTHON [/usr/bin/python3 when it has h5py,
#   else python3], MYELIN_BIN [<repo>/build/myelin, built if missing], MYELIN_REQUIRE_SLURM [0],
#   KEEP=1 (keep the scratch directory also on success).
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
export SLURM_LOCAL_DIR=${SLURM_TEST_DIR:-/tmp/myelin-slurm-test}
export SLURM_CONF=$SLURM_LOCAL_DIR/etc/slurm.conf
export SLURM_LOCAL_TIMEOUT=${SLURM_LOCAL_TIMEOUT:-30}
TINY=$REPO/tests/slurm/tiny.toml
REQUIRE=${MYELIN_REQUIRE_SLURM:-0}
T_START=$(date +%s%N)
# step time limits: their sum (with the start-up) stays below ctest's TIMEOUT (300 s), so that
# a hung step ends in fail() and the EXIT trap, never in ctest's SIGKILL (which skips traps)
WAIT_RUN=60
WAIT_SERIES=90
WAIT_REQUEUE=480

say() { printf '[slurm-test %6.1fs] %s\n' "$(($(date +%s%N) - T_START))e-9" "$*"; }
skip() {
  if [[ $REQUIRE == 1 ]]; then
    say "FAIL: cannot run: $* (a skip is a failure with MYELIN_REQUIRE_SLURM=1${CI:+, CI=$CI})" >&2
    exit 1
  fi
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
export PYTHON=$PY # the scaling collector job uses the same interpreter

# ------------------------------------------------------------------ prerequisites
[[ $(id -u) -eq 0 ]] || skip "must run as root (slurmd needs it)"
if ! command -v slurmd >/dev/null 2>&1 || ! command -v slurmctld >/dev/null 2>&1 ||
  ! command -v munged >/dev/null 2>&1 || ! command -v sbatch >/dev/null 2>&1; then
  say "installing SLURM: scripts/install-deps.sh"
  bash "$REPO/scripts/install-deps.sh" || skip "SLURM packages cannot be installed (munge slurmctld slurmd slurm-client)"
fi
"$PY" -c 'import h5py' >/dev/null 2>&1 || skip "$PY cannot import h5py (apt-get install python3-h5py)"
if [[ -n ${MYELIN_BIN:-} ]]; then
  [[ -x $MYELIN_BIN ]] || fail "MYELIN_BIN '$MYELIN_BIN' is not an executable"
else
  MYELIN_BIN=$REPO/build/myelin
  if [[ ! -x $MYELIN_BIN ]]; then
    say "building $MYELIN_BIN (scripts/build.sh)"
    bash "$REPO/scripts/build.sh" >/dev/null || fail "build failed"
  fi
fi
export MYELIN_BIN # run.sbatch (sbatch exports the environment) runs exactly this binary

# One test cluster per machine at a time: two checkouts testing at once would share the state
# dir and ports. The lock is released when this process and its children end (also on SIGKILL;
# an orphaned `timeout N sbatch --wait` holds it at most N s), so a cluster found in the state
# dir while we hold it is a leftover. The daemons must not inherit fd 9 (9>&- below), else a
# leftover daemon would hold the lock forever.
exec 9>"$SLURM_LOCAL_DIR.lock"
if ! flock -n 9; then
  say "waiting for $SLURM_LOCAL_DIR.lock (another run of this test)"
  flock -w 120 9 || fail "another run of this test holds $SLURM_LOCAL_DIR.lock for more than 120 s"
fi

# ------------------------------------------------------------------ cluster helpers
# leftover_pids: munged/slurmctld/slurmscriptd/slurmd/slurmstepd processes of *this* state dir
# (their command line or environment names it), also those whose pid files are gone; never
# matched by name alone
leftover_pids() {
  local p comm
  for p in /proc/[0-9]*; do
    comm=$(cat "$p/comm" 2>/dev/null) || continue
    case $comm in munged | slurmctld | slurmscriptd | slurmd | slurmstepd) ;; *) continue ;; esac
    [[ $(awk '{print $3}' "$p/stat" 2>/dev/null) == Z ]] && continue
    if grep -qzF "$SLURM_LOCAL_DIR/" "$p/cmdline" 2>/dev/null ||
      grep -qzxF "SLURM_CONF=$SLURM_CONF" "$p/environ" 2>/dev/null; then
      echo "${p#/proc/}"
    fi
  done
}
# stop_cluster: slurm-stop.sh --purge (pid files), then end what it could not find; returns 1
# when processes were left after slurm-stop.sh
stop_cluster() {
  local left pid
  bash "$REPO/scripts/slurm-stop.sh" --purge 2>&1 | sed 's/^/    /' || true
  left=$(leftover_pids)
  [[ -z $left ]] && return 0
  for pid in $left; do
    say "    left running: pid $pid $(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null); sending TERM"
    kill -TERM "$pid" 2>/dev/null || true
  done
  sleep 2
  for pid in $(leftover_pids); do kill -KILL "$pid" 2>/dev/null || true; done
  bash "$REPO/scripts/slurm-stop.sh" --purge 2>&1 | sed 's/^/    /' || true # now only purges
  return 1
}
port_busy() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

W=$(mktemp -d /tmp/myelin-slurm-test-work.XXXXXX)
cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  # a reader that went away (`... | head`) must not kill us by SIGPIPE before the cluster is
  # stopped: ignore it here, and let slurm-stop.sh write to a file, not to the dead pipe
  trap '' PIPE
  set +e
  if ((rc != 0 && rc != 77)) && [[ -d $SLURM_LOCAL_DIR/log ]]; then
    mkdir -p "$W/cluster-logs"
    cp -r "$SLURM_LOCAL_DIR"/log/. "$SLURM_LOCAL_DIR"/munge/munged.log "$W/cluster-logs/" 2>/dev/null
  fi
  say "stopping the test cluster"
  if ! stop_cluster >"$W/slurm-stop.log" 2>&1; then
    echo "    slurm-stop.sh left daemons running: ended them (see above); a bug in slurm-stop.sh" >>"$W/slurm-stop.log"
    ((rc == 0)) && rc=1
  fi
  cat "$W/slurm-stop.log"
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
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 141' PIPE # e.g. `run_slurm_test.sh | head`: bash would die without the EXIT trap

# ------------------------------------------------------------------ cluster
if [[ -e $SLURM_LOCAL_DIR || -n $(leftover_pids) ]]; then
  say "a test cluster from an earlier run is left in $SLURM_LOCAL_DIR: stopping and purging it"
  stop_cluster || true
fi
# ports: the given ones, else the first free pair from 6827/6828 on
if [[ -n ${SLURM_TEST_CTLD_PORT:-}${SLURM_TEST_SLURMD_PORT:-} ]]; then
  CTLD_PORT=${SLURM_TEST_CTLD_PORT:-6827}
  SLURMD_PORT=${SLURM_TEST_SLURMD_PORT:-$((CTLD_PORT + 1))}
  for p in "$CTLD_PORT" "$SLURMD_PORT"; do
    port_busy "$p" && fail "port $p (SLURM_TEST_*_PORT) is in use by another program"
  done
else
  CTLD_PORT=""
  for p in $(seq 6827 2 6887); do
    if ! port_busy "$p" && ! port_busy $((p + 1)); then
      CTLD_PORT=$p
      break
    fi
  done
  [[ -n $CTLD_PORT ]] || skip "no free port pair in 6827-6888"
  SLURMD_PORT=$((CTLD_PORT + 1))
fi
export SLURM_LOCAL_CTLD_PORT=$CTLD_PORT SLURM_LOCAL_SLURMD_PORT=$SLURMD_PORT

say "starting SLURM (state $SLURM_LOCAL_DIR, ports $CTLD_PORT/$SLURMD_PORT)"
if ! bash "$REPO/scripts/slurm-local.sh" >"$W/slurm-start.log" 2>&1 9>&-; then
  sed 's/^/    /' "$W/slurm-start.log"
  for f in "$SLURM_LOCAL_DIR"/log/slurmctld.log "$SLURM_LOCAL_DIR"/log/slurmd.log; do
    [[ -s $f ]] && tail -n 5 "$f" | sed "s|^|    $(basename "$f"): |"
  done
  skip "the local SLURM cluster cannot be started (log above)"
fi
say "cluster up: $(sinfo -h -o '%P %D nodes %c cpus %T' | head -1)"
say "srun --mpi=list: $(srun --mpi=list 2>&1 | tr -s '\n\t ' ' ')"

# check_run H5 JSON JOBID RANKS: a result file (through the analysis reader) and its summary
check_run() {
  PYTHONPATH=$REPO${PYTHONPATH:+:$PYTHONPATH} "$PY" - "$@" <<'EOF'
import json, math, sys
import h5py
from analysis.reader import MyelinFileError, open_result

h5, js, job, want_ranks = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
errors = []
s = json.load(open(js))
need = ("ranks", "threads", "neurons", "synapses", "loop_s", "epochs", "spikes", "job_id",
        "launcher", "bytes_per_epoch", "exchange_wait_s_per_rank", "exchange_transfer_s_per_rank",
        "bytes_sent_per_rank", "phase_s_per_rank", "phase_s_max_over_ranks")
missing = [k for k in need if k not in s]
if missing:
    print(f"    {js}: summary lacks {missing}")
    sys.exit(1)
ranks = s["ranks"]
if ranks != want_ranks:
    errors.append(f"summary ranks {ranks} != {want_ranks}")
if str(s["job_id"]) != job:
    errors.append(f"summary job_id {s['job_id']!r} != SLURM job {job}")
if s["launcher"] != "srun":
    errors.append(f"summary launcher {s['launcher']!r} != 'srun'")
for k in ("exchange_wait_s_per_rank", "exchange_transfer_s_per_rank", "bytes_sent_per_rank",
          "phase_s_per_rank"):
    if len(s[k]) != ranks:
        errors.append(f"summary {k} has {len(s[k])} values, not one per rank ({ranks})")
# allgatherv: every spike is sent once by the rank that owns the neuron, and every rank
# receives all ranks' bytes (compact wire format: fewer than the old 8 bytes a spike)
sent = sum(s["bytes_sent_per_rank"])
if s.get("spikes_sent") != s["spikes"]:
    errors.append(f"spikes_sent = {s.get('spikes_sent')} != spikes = {s['spikes']}")
if round(s["bytes_per_epoch"] * s["epochs"]) != round(sent):
    errors.append(f"bytes_per_epoch*epochs = {s['bytes_per_epoch']}*{s['epochs']} "
                  f"!= sum(bytes_sent_per_rank) = {sent}")
if not 0 < sent < 8 * s["spikes"]:
    errors.append(f"sum(bytes_sent_per_rank) = {sent} not in (0, 8*spikes = {8 * s['spikes']})")
for phase, v in s["phase_s_max_over_ranks"].items():
    per_rank = max(r.get(phase, -1.0) for r in s["phase_s_per_rank"])
    if not math.isclose(v, per_rank, rel_tol=1e-9, abs_tol=1e-12):
        errors.append(f"phase_s_max_over_ranks[{phase}] = {v} != max over phase_s_per_rank = {per_rank}")

try:
    with open_result(h5) as run:  # raises IncompleteResultError unless /meta complete == 1
        meta = run.meta
        spikes_in_file = sum(run.spike_count(p) for p in run.populations())
except MyelinFileError as e:
    errors.append(f"analysis reader: {e}")
    meta, spikes_in_file = {}, None
if meta:
    for key, want in (("job_id", job), ("launcher", "srun")):
        if key not in meta:
            errors.append(f"/meta has no attribute {key}")
        elif str(meta[key]) != want:
            errors.append(f"/meta {key} {meta[key]!r} != {want!r}")
    for key, want in (("ranks", ranks), ("epochs", s["epochs"]), ("total_spikes", s["spikes"])):
        if meta.get(key) != want:
            errors.append(f"/meta {key} {meta.get(key)!r} != summary {want!r}")
    if spikes_in_file != s["spikes"]:
        errors.append(f"{spikes_in_file} spikes in /spikes, summary says {s['spikes']}")
    with h5py.File(h5, "r") as f:
        m = f["meta"]
        for name in ("exchange_wait_s", "exchange_transfer_s", "bytes_sent"):
            if name not in m:
                errors.append(f"/meta has no dataset {name}")
            elif m[name].shape != (ranks,):
                errors.append(f"/meta/{name} has shape {m[name].shape}, not ({ranks},)")
        if "bytes_sent" in m and list(m["bytes_sent"][()]) != list(s["bytes_sent_per_rank"]):
            errors.append("/meta/bytes_sent differs from the summary's bytes_sent_per_rank")

print(f"    {h5}: job_id={meta.get('job_id')} launcher={meta.get('launcher')} "
      f"complete={meta.get('complete')}; ranks={ranks} threads={s['threads']} "
      f"spikes={s['spikes']} bytes/epoch={s['bytes_per_epoch']:.2f} x {s['epochs']} epochs; "
      f"wait/rank={[round(w, 5) for w in s['exchange_wait_s_per_rank']]} loop_s={s['loop_s']:.4f}")
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
jid=$(timeout "$WAIT_RUN" sbatch --wait --parsable --job-name=myelin-test --ntasks=2 --cpus-per-task=1 \
  --time=00:05:00 --output="$W/run-%j.out" "$REPO/jobs/run.sbatch" "$TINY" "$W/run/tiny.h5" --quiet) || rc=$?
jid=${jid%%;*}
say "    job ${jid:-?} finished: exit $rc, $((($(date +%s%N) - t0) / 1000000)) ms"
[[ -n $jid && -f $W/run-$jid.out ]] && sed 's/^/    | /' "$W/run-$jid.out"
((rc != 124)) || fail "sbatch --wait timed out after $WAIT_RUN s (job $jid: $(scontrol show job "$jid" 2>/dev/null | grep -o 'JobState=[^ ]*' || true))"
((rc == 0)) || fail "the run.sbatch job failed (sbatch exit $rc)"
[[ $jid =~ ^[0-9]+$ ]] || fail "sbatch --parsable printed no job id ('$jid')"
grep -q '^\[run.sbatch\] launcher=srun' "$W/run-$jid.out" || fail "run.sbatch did not use srun"
[[ -s $W/run/tiny.json ]] || fail "no summary $W/run/tiny.json"
check_run "$W/run/tiny.h5" "$W/run/tiny.json" "$jid" 2 || fail "result check of the single run"
"$PY" -c 'import json,sys; s=json.load(open(sys.argv[1])); sys.exit(0 if (s["ranks"], s["threads"]) == (2, 1) else 1)' \
  "$W/run/tiny.json" || fail "the single run did not use 2 ranks x 1 thread"

# ------------------------------------------------------------------ 2: strong-scaling series
say "2/3 jobs/strong_scaling.sh --ranks 1,2 --threads 1 --wait"
t0=$(date +%s%N)
rc=0
timeout "$WAIT_SERIES" bash "$REPO/jobs/strong_scaling.sh" --slurm --config "$TINY" --ranks 1,2 --threads 1 \
  --time 00:05:00 --out "$W/strong" --wait >"$W/strong.log" 2>&1 || rc=$?
sed 's/^/    | /' "$W/strong.log"
say "    series finished: exit $rc, $((($(date +%s%N) - t0) / 1000000)) ms"
((rc != 124)) || fail "the scaling series timed out after $WAIT_SERIES s"
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
# manifest.tsv: '#' comment lines, a header, one row per run; columns found by name (fields can
# be empty, so no `read` with IFS=tab, which would merge them)
n=0
while IFS=$'\t' read -r name ranks job; do
  check_run "$W/strong/$name.h5" "$W/strong/$name.json" "$job" "$ranks" || fail "result check of $name"
  n=$((n + 1))
done < <(awk -F'\t' '/^#/ { next }
  !hdr { for (i = 1; i <= NF; i++) col[$i] = i; hdr = 1; next }
  { print $col["name"] "\t" $col["ranks"] "\t" $col["job_id"] }' "$W/strong/manifest.tsv")
((n == 2)) || fail "manifest.tsv lists $n runs, not 2"

# ------------------------------------------------------------------ 3: plot
if "$PY" -c 'import matplotlib, numpy' >/dev/null 2>&1; then
  say "3/3 analysis.scaling plot"
  rc=0
  (cd "$REPO" && MPLBACKEND=Agg "$PY" -m analysis.scaling "$W/strong/scaling.json" -o "$W/strong/scaling.png") \
    >"$W/plot.log" 2>&1 || rc=$?
  sed 's/^/    | /' "$W/plot.log"
  ((rc == 0)) || fail "python3 -m analysis.scaling failed (exit $rc)"
  [[ -s $W/strong/scaling.png && -s $W/strong/scaling.pdf ]] || fail "analysis.scaling wrote no PNG/PDF"
else
  say "3/3 skipped: $PY has no matplotlib"
fi

# ------------------------------------------------------------------ 4: past the time limit
# A run that needs a minute of compute or more (900 s simulated of 8000 neurons: ~2 min at 2x1
# on an idle machine with the SIMD kernels; 500 neurons took ~60 s with the scalar ones), under a
# one-minute limit: SLURM signals the script (--signal=B:USR1@40; its timer has a resolution of tens of seconds, so anywhere in
# the first 40 s), the ranks write a checkpoint and stop, the script submits its continuation
# (run.sbatch's default; `scontrol requeue` would add SLURM's two-minute requeue delay per
# segment), which resumes; no person takes part. Checks: >= 2 segments, every job of the chain
# COMPLETED, the parts form a chain from 0 to t_stop whose last part is complete, and the
# chain has every sample of a trace exactly once.
say "4/4 jobs/run.sbatch past a 1-minute time limit (checkpoint, continuation job, resume)"
LONG_T=${SLURM_TEST_LONG_T:-900000}
LONG_N=${SLURM_TEST_LONG_N:-8000}
t0=$(date +%s%N)
jid=$(sbatch --parsable --job-name=myelin-requeue --ntasks=2 --cpus-per-task=1 --time=1 \
  --signal=B:USR1@40 --output="$W/requeue-%j.out" \
  --export=ALL,MYELIN_CHECKPOINT_EVERY=60000,MYELIN_SBATCH_ARGS=--signal=B:USR1@40 \
  "$REPO/jobs/run.sbatch" "$TINY" "$W/long/long.h5" --quiet --set simulation.t_stop="$LONG_T" \
  --set population.exc.size="$LONG_N" \
  --set output.spikes=false --set output.flush_interval=5000 \
  --set 'output.traces.exc.variables=["V_m"]' --set 'output.traces.exc.neurons=[0]' \
  --set output.traces.exc.interval=1000) || fail "sbatch of the long run failed"
for ((s = 0; s < WAIT_REQUEUE; s += 2)); do
  sleep 2
  [[ -z $(squeue -h -n myelin-requeue -o %i 2>/dev/null) ]] && break
done
[[ -z $(squeue -h -n myelin-requeue -o %i 2>/dev/null) ]] ||
  { scancel -n myelin-requeue; fail "the long run did not finish in $WAIT_REQUEUE s"; }
mapfile -t jobs < <(grep -o 'job_id=[0-9]*' "$W/requeue-$jid.out" | cut -d= -f2 | sort -un)
say "    jobs ${jobs[*]}: done after $((($(date +%s%N) - t0) / 1000000000)) s"
sed 's/^/    | /' "$W/requeue-$jid.out" | grep -v '^    | \[run.sbatch\] \(binary\|config\|command\|launcher\)' || true
((${#jobs[@]} >= 2)) || fail "one job did it all: the run did not cross the time limit"
for j in "${jobs[@]}"; do
  state=$(scontrol show job "$j" 2>/dev/null | grep -o 'JobState=[A-Z_]*' | cut -d= -f2 || true)
  [[ $state == COMPLETED ]] || fail "job $j of the chain ended ${state:-?}"
done
"$PY" - "$W/long" "$LONG_T" "$REPO" <<'PYEOF' || fail "the chain of parts is not one complete run"
import glob, sys
sys.path.insert(0, sys.argv[3])
import numpy as np
from analysis.chain import RunChain
parts = sorted(glob.glob(sys.argv[1] + "/long*.h5"))
parts = [p for p in parts if not p.endswith(".ckpt.h5")]
chain = RunChain(parts)
assert chain.complete, "the last part is not complete"
assert chain.t_stop == float(sys.argv[2]), chain.t_stop
t = chain.trace("exc", "V_m").times
expected = np.arange(1, int(float(sys.argv[2]) / 1000) + 1) * 1000.0
assert np.allclose(t, expected), f"trace samples: {len(t)} of {len(expected)}, gaps or repeats"
print(f"    chain of {len(parts)} files, {len(t)} trace samples from 0 to {sys.argv[2]} ms, complete")
PYEOF
say "all checks passed"
