#!/usr/bin/env bash
# scaling.sh — the engine behind jobs/strong_scaling.sh and jobs/weak_scaling.sh.
#
#   jobs/scaling.sh strong|weak [options] [-- extra `myelin run` args]
#
# Call it through the two wrappers; `jobs/strong_scaling.sh --help` and
# `jobs/weak_scaling.sh --help` document the options.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/.." && pwd)
# the collector needs only the standard library; with h5py it also checks /meta complete
PY=${PYTHON:-python3}
if [[ -z ${PYTHON:-} ]] && ! python3 -c 'import h5py' >/dev/null 2>&1 &&
  /usr/bin/python3 -c 'import h5py' >/dev/null 2>&1; then
  PY=/usr/bin/python3
fi

KIND=${1:-}
case $KIND in
  strong | weak) shift ;;
  *)
    echo "scaling.sh: first argument must be 'strong' or 'weak', got '${KIND}'" >&2
    exit 2
    ;;
esac
SELF="jobs/${KIND}_scaling.sh"

log() { printf '[%s] %s\n' "${KIND}_scaling" "$*"; }
bad() {
  printf '%s: %s (see --help)\n' "$SELF" "$*" >&2
  exit 2
}

usage() {
  if [[ $KIND == strong ]]; then
    cat <<'EOF'
jobs/strong_scaling.sh — strong scaling: one fixed network on more and more ranks.

Usage: jobs/strong_scaling.sh [options] [-- extra `myelin run` args]

  -c, --config FILE        network to run                      [benchmarks/sw100k.toml]
  -r, --ranks LIST         comma-separated MPI rank counts      [1,2,4,8,16,32]
  -t, --threads N          OpenMP threads per rank              [2]
  -N, --neurons N          optional: set population.<pop>.size = N for every run
  -p, --population NAME    population that --neurons resizes    [exc]
EOF
  else
    cat <<'EOF'
jobs/weak_scaling.sh — weak scaling: a fixed number of neurons per rank, the network grows
with the rank count (population.<pop>.size = neurons-per-rank x ranks).

Usage: jobs/weak_scaling.sh [options] [-- extra `myelin run` args]

  -c, --config FILE        network to run (its other settings are kept) [benchmarks/sw10k.toml]
  -r, --ranks LIST         comma-separated MPI rank counts      [1,2,4,8,16,32]
  -t, --threads N          OpenMP threads per rank              [2]
  -n, --neurons-per-rank N neurons per rank                     [10000]
  -p, --population NAME    population to resize                 [exc]
      --per-rank "P=N,..." several populations at once: N neurons of each P per rank
                           (replaces -n/-p); NEST's hpc_benchmark at scale 1 per rank:
                           -c examples/hpc_benchmark.toml --per-rank E=9000,I=2250
EOF
  fi
  cat <<'EOF'
  -T, --t-stop MS          simulation.t_stop in ms              [the config's]
      --repeats K          run every layout K times (runs r<R>_t<T>_<k>); the analysis
                           uses the fastest of each layout                      [1]
  -o, --out DIR            output directory                     [scaling/<kind>-<date>-<time>]
      --time HH:MM:SS      SLURM time limit of each run         [00:30:00]
      --sbatch-args "ARGS" extra sbatch options for every job, e.g.
                           "--partition=compute --account=proj --exclusive" (word-split)
      --overcommit         submit a run that no node can hold (e.g. 4 tasks on a 2-cpu test
                           node) with sbatch --overcommit instead of failing it; such
                           runs share cores: a correctness check, not a timing
      --no-checkpoint      the runs write no checkpoint (run.sbatch MYELIN_CHECKPOINT=off):
                           a series of large networks then costs no checkpoint files
      --local              no SLURM: run the series one by one here (run.sbatch + mpirun)
      --slurm              require SLURM (default: SLURM when sbatch reaches a controller)
      --wait               block until the collector job is done, then print the table
      --dry-run            print what would be submitted/run, do nothing
  -h, --help               this help

Each run r<R>_t<T> (r<R>_t<T>_<k> with --repeats) writes OUT/r<R>_t<T>.h5, .json (summary) and .out (log), through
jobs/run.sbatch. With SLURM every run is one `sbatch --parsable` job (--ntasks=R
--cpus-per-task=T), then a collector job with --dependency=afterany:<all ids> runs
jobs/collect_scaling.py OUT, which writes OUT/scaling.json and OUT/scaling.csv (one row per
run; failed or missing runs are rows with ok=false). Without SLURM the runs go one after the
other and the collection follows. OUT/manifest.tsv lists the planned runs and their job ids.
Plot: /usr/bin/python3 -m analysis.scaling OUT/scaling.json -o OUT/scaling.png
Environment: PYTHON (collector's python, [python3]), MYELIN_BIN, and run.sbatch's variables.
Exit: 0 submitted (or, with --local/--wait, all runs ok); 1 a run failed; 2 bad arguments.
EOF
}

# ------------------------------------------------------------------ defaults and options
if [[ $KIND == strong ]]; then CONFIG=$REPO/benchmarks/sw100k.toml; else CONFIG=$REPO/benchmarks/sw10k.toml; fi
RANKS_LIST=1,2,4,8,16,32
THREADS=2
NEURONS=""
PER_RANK=10000
POP=exc
PER_RANK_POPS=""
TSTOP=""
OUT=""
TIME=00:30:00
SBATCH_EXTRA=""
OVERCOMMIT=0
REPEATS=1
MODE=auto
WAIT=0
DRY=0
EXTRA=()

need_val() { (($2 >= 2)) || bad "option $1 needs a value"; }
while (($#)); do
  case $1 in
    -h | --help)
      usage
      exit 0
      ;;
    -c | --config)
      need_val "$1" $#
      CONFIG=$2
      shift 2
      ;;
    -r | --ranks)
      need_val "$1" $#
      RANKS_LIST=$2
      shift 2
      ;;
    -t | --threads)
      need_val "$1" $#
      THREADS=$2
      shift 2
      ;;
    -N | --neurons)
      [[ $KIND == strong ]] || bad "$1 is for strong scaling; use --neurons-per-rank"
      need_val "$1" $#
      NEURONS=$2
      shift 2
      ;;
    -n | --neurons-per-rank)
      [[ $KIND == weak ]] || bad "$1 is for weak scaling; use --neurons"
      need_val "$1" $#
      PER_RANK=$2
      shift 2
      ;;
    -p | --population)
      need_val "$1" $#
      POP=$2
      shift 2
      ;;
    --no-checkpoint)
      export MYELIN_CHECKPOINT=off
      shift
      ;;
    --per-rank)
      [[ $KIND == weak ]] || bad "$1 is for weak scaling"
      need_val "$1" $#
      PER_RANK_POPS=$2
      shift 2
      ;;
    -T | --t-stop)
      need_val "$1" $#
      TSTOP=$2
      shift 2
      ;;
    -o | --out)
      need_val "$1" $#
      OUT=$2
      shift 2
      ;;
    --repeats)
      need_val "$1" $#
      REPEATS=$2
      shift 2
      ;;
    --time)
      need_val "$1" $#
      TIME=$2
      shift 2
      ;;
    --sbatch-args)
      need_val "$1" $#
      SBATCH_EXTRA=$2
      shift 2
      ;;
    --local)
      MODE=local
      shift
      ;;
    --overcommit)
      OVERCOMMIT=1
      shift
      ;;
    --slurm)
      MODE=slurm
      shift
      ;;
    --wait)
      WAIT=1
      shift
      ;;
    --dry-run)
      DRY=1
      shift
      ;;
    --)
      shift
      EXTRA=("$@")
      break
      ;;
    *) bad "unknown argument '$1'" ;;
  esac
done

is_uint() { [[ $1 =~ ^[1-9][0-9]*$ ]]; }
[[ -f $CONFIG ]] || bad "--config '$CONFIG' not found"
CONFIG=$(cd "$(dirname "$CONFIG")" && pwd)/$(basename "$CONFIG")
[[ $RANKS_LIST =~ ^[1-9][0-9]*(,[1-9][0-9]*)*$ ]] || bad "--ranks '$RANKS_LIST' is not a comma-separated list of positive integers"
IFS=, read -r -a RANKS <<<"$RANKS_LIST"
is_uint "$THREADS" || bad "--threads '$THREADS' is not a positive integer"
is_uint "$REPEATS" || bad "--repeats '$REPEATS' is not a positive integer"
[[ -z $NEURONS ]] || is_uint "$NEURONS" || bad "--neurons '$NEURONS' is not a positive integer"
is_uint "$PER_RANK" || bad "--neurons-per-rank '$PER_RANK' is not a positive integer"
[[ $POP =~ ^[A-Za-z_][A-Za-z0-9_]*$ ]] || bad "--population '$POP' is not a population name"
# The populations a weak series grows and their sizes per rank (-n/-p: one population).
SCALED_POPS=("$POP")
declare -A SIZE_OF=([$POP]=$PER_RANK)
if [[ -n $PER_RANK_POPS ]]; then
  SCALED_POPS=()
  SIZE_OF=()
  PER_RANK=0
  IFS=, read -r -a entries <<<"$PER_RANK_POPS"
  for e in "${entries[@]}"; do
    [[ $e =~ ^([A-Za-z_][A-Za-z0-9_]*)=([1-9][0-9]*)$ ]] ||
      bad "--per-rank entry '$e' is not POPULATION=N (N a positive integer)"
    SCALED_POPS+=("${BASH_REMATCH[1]}")
    SIZE_OF[${BASH_REMATCH[1]}]=${BASH_REMATCH[2]}
    PER_RANK=$((PER_RANK + BASH_REMATCH[2]))
  done
  POP=$(
    IFS=+
    echo "${SCALED_POPS[*]}"
  )
fi
[[ -z $TSTOP || $TSTOP =~ ^[0-9]+([.][0-9]*)?$ ]] || bad "--t-stop '$TSTOP' is not a number of ms"
[[ $TIME =~ ^([0-9]+-)?[0-9]+(:[0-9]+){0,2}$ ]] || bad "--time '$TIME' is not a SLURM time (e.g. 00:30:00)"
SB_EXTRA=()
[[ -z $SBATCH_EXTRA ]] || read -r -a SB_EXTRA <<<"$SBATCH_EXTRA"
[[ -n $OUT ]] || OUT=scaling/$KIND-$(date +%Y%m%d-%H%M%S)
if ((DRY)); then
  OUT=$(realpath -m -- "$OUT")
else
  mkdir -p -- "$OUT" || bad "cannot create --out '$OUT'"
  OUT=$(cd -- "$OUT" && pwd)
fi

# ------------------------------------------------------------------ SLURM or local
slurm_reachable() {
  command -v sbatch >/dev/null 2>&1 && command -v sinfo >/dev/null 2>&1 &&
    timeout 15 sinfo -h -o %P >/dev/null 2>&1
}
case $MODE in
  auto)
    if slurm_reachable; then MODE=slurm; else
      MODE=local
      log "no reachable SLURM controller (sbatch/sinfo): running locally with mpirun"
    fi
    ;;
  slurm) slurm_reachable || bad "--slurm given but sbatch/sinfo cannot reach a SLURM controller" ;;
esac

# ------------------------------------------------------------------ the series
NAMES=()
declare -A R_OF T_OF N_OF ID_OF NOTE_OF
for k in $(seq "$REPEATS"); do
  for r in "${RANKS[@]}"; do
    name=r${r}_t${THREADS}
    ((REPEATS == 1)) || name+=_$k
    if [[ -n ${R_OF[$name]:-} ]]; then
      ((k > 1)) || log "rank count $r listed twice; running it once"
      continue
    fi
    NAMES+=("$name")
    R_OF[$name]=$r
    T_OF[$name]=$THREADS
    if [[ $KIND == weak ]]; then N_OF[$name]=$((PER_RANK * r)); else N_OF[$name]=${NEURONS:-}; fi
    ID_OF[$name]=none
    NOTE_OF[$name]=""
  done
done

args_for() { # name -> RUN_ARGS (extra myelin args of that run)
  RUN_ARGS=(--quiet)
  if [[ $KIND == weak ]]; then
    local p
    for p in "${SCALED_POPS[@]}"; do
      RUN_ARGS+=(--set "population.$p.size=$((SIZE_OF[$p] * R_OF[$1]))")
    done
  elif [[ -n ${N_OF[$1]} ]]; then
    RUN_ARGS+=(--set "population.$POP.size=${N_OF[$1]}")
  fi
  [[ -n $TSTOP ]] && RUN_ARGS+=(--set "simulation.t_stop=$TSTOP")
  RUN_ARGS+=("${EXTRA[@]}")
}

write_manifest() {
  local n
  {
    printf '# myelin scaling study\n'
    printf '# kind=%s\n# mode=%s\n# config=%s\n# threads=%s\n# population=%s\n' \
      "$KIND" "$MODE" "$CONFIG" "$THREADS" "$POP"
    printf '# neurons_per_rank=%s\n# t_stop=%s\n# created=%s\n' \
      "$([[ $KIND == weak ]] && echo "$PER_RANK")" "$TSTOP" "$(date -Iseconds)"
    printf 'name\tranks\tthreads\tneurons\tjob_id\tnote\n'
    for n in "${NAMES[@]}"; do
      printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$n" "${R_OF[$n]}" "${T_OF[$n]}" "${N_OF[$n]:-}" \
        "${ID_OF[$n]}" "${NOTE_OF[$n]//$'\t'/ }"
    done
  } >"$OUT/manifest.tsv"
}

log "$KIND scaling of $CONFIG: ranks ${RANKS_LIST} x $THREADS thread(s)$([[ $KIND == weak ]] && echo ", $PER_RANK neurons/rank of '$POP'") -> $OUT ($MODE)"
if ((DRY == 0)); then
  # results of an earlier study in the same directory must not pass for this one
  for n in "${NAMES[@]}"; do rm -f "$OUT/$n.h5" "$OUT/$n.json" "$OUT/$n.out"; done
  rm -f "$OUT/scaling.json" "$OUT/scaling.csv"
fi

COLLECT=("$PY" "$HERE/collect_scaling.py" "$OUT")

if [[ $MODE == local ]]; then
  failed=0
  for n in "${NAMES[@]}"; do
    args_for "$n"
    if ((DRY)); then
      echo "NTASKS=${R_OF[$n]} CPUS_PER_TASK=${T_OF[$n]} MYELIN_LAUNCHER=mpirun bash $HERE/run.sbatch $CONFIG $OUT/$n.h5 ${RUN_ARGS[*]} > $OUT/$n.out"
      continue
    fi
    write_manifest
    t0=$(date +%s%N)
    if NTASKS=${R_OF[$n]} CPUS_PER_TASK=${T_OF[$n]} MYELIN_LAUNCHER=mpirun \
      bash "$HERE/run.sbatch" "$CONFIG" "$OUT/$n.h5" "${RUN_ARGS[@]}" >"$OUT/$n.out" 2>&1; then
      st=ok
    else
      st="FAILED (exit $?; see $OUT/$n.out)"
      failed=$((failed + 1))
    fi
    ms=$((($(date +%s%N) - t0) / 1000000))
    log "$n: $st, wall $((ms / 1000)).$(printf '%03d' $((ms % 1000))) s"
  done
  if ((DRY)); then
    echo "${COLLECT[*]}"
    exit 0
  fi
  write_manifest
  if ! "${COLLECT[@]}"; then
    log "the collector failed"
    exit 1
  fi
  "$PY" "$HERE/collect_scaling.py" --check "$OUT" >/dev/null || exit 1
  log "all ${#NAMES[@]} runs ok; plot: /usr/bin/python3 -m analysis.scaling $OUT/scaling.json -o $OUT/scaling.png"
  exit 0
fi

# SLURM: one job per run, then the collector
EXPORTS="ALL,MYELIN_ROOT=$REPO" # the job finds the checkout although sbatch copies the script
ids=()
for n in "${NAMES[@]}"; do
  args_for "$n"
  SB=(--job-name="myelin-$KIND-$n" --ntasks="${R_OF[$n]}" --cpus-per-task="${T_OF[$n]}"
    --time="$TIME" --output="$OUT/$n.out" --export="$EXPORTS" "${SB_EXTRA[@]}")
  if ((DRY)); then
    echo "sbatch --parsable ${SB[*]} $HERE/run.sbatch $CONFIG $OUT/$n.h5 ${RUN_ARGS[*]}"
    continue
  fi
  # a request no node of the partition can satisfy would stay PENDING forever (and the
  # collector with it): ask first, and report such a run as failed instead of submitting it
  if tst=$(sbatch --test-only "${SB[@]}" "$HERE/run.sbatch" "$CONFIG" "$OUT/$n.h5" 2>&1); then
    :
  elif grep -qiE 'node configuration is not available|more processors than' <<<"$tst" &&
    ((OVERCOMMIT)); then
    SB+=(--overcommit)
    NOTE_OF[$n]="submitted with --overcommit (cores shared: not a timing)"
    log "$n: too big for any node; submitting with --overcommit"
  elif grep -qiE 'node configuration is not available|more processors than|invalid|not available' <<<"$tst"; then
    ID_OF[$n]=submit-failed
    NOTE_OF[$n]="sbatch --test-only: $(tr '\n' ' ' <<<"$tst" | sed 's/ *$//')"
    log "$n: NOT submitted: ${NOTE_OF[$n]} (more tasks x cpus than a node of the partition has; on a small test node use --overcommit)"
    continue
  fi
  if jid=$(sbatch --parsable "${SB[@]}" "$HERE/run.sbatch" "$CONFIG" "$OUT/$n.h5" "${RUN_ARGS[@]}"); then
    jid=${jid%%;*}
    ID_OF[$n]=$jid
    ids+=("$jid")
    log "$n: submitted job $jid (${R_OF[$n]} tasks x ${T_OF[$n]} cpus)"
  else
    ID_OF[$n]=submit-failed
    log "$n: sbatch FAILED; the run will be reported as failed"
  fi
done
((DRY)) || write_manifest

CB=(sbatch --parsable --job-name="myelin-$KIND-collect" --ntasks=1 --cpus-per-task=1
  --time=00:10:00 --output="$OUT/collect-%j.out" "${SB_EXTRA[@]}")
if ((${#ids[@]})); then
  dep=$(
    IFS=:
    echo "${ids[*]}"
  )
  CB+=("--dependency=afterany:$dep")
fi
((WAIT)) && CB+=(--wait)
WRAP=$(printf '%q ' "${COLLECT[@]}")
if ((DRY)); then
  echo "${CB[*]} --wrap=\"$WRAP\""
  exit 0
fi
if ((WAIT)); then
  log "submitted ${#ids[@]} run(s); submitting the collector and waiting for it"
  crc=0
  cid=$("${CB[@]}" --wrap="$WRAP") || crc=$?
  cid=${cid%%;*}
  ((crc == 0)) || {
    log "collector job ${cid:-?} failed (exit $crc); see $OUT/collect-*.out"
    exit 1
  }
  log "collector job $cid done"
  if "$PY" "$HERE/collect_scaling.py" --check "$OUT"; then
    log "all ${#NAMES[@]} runs ok; plot: /usr/bin/python3 -m analysis.scaling $OUT/scaling.json -o $OUT/scaling.png"
    exit 0
  fi
  exit 1
fi
cid=$("${CB[@]}" --wrap="$WRAP") || bad "could not submit the collector job"
cid=${cid%%;*}
log "collector job $cid runs after job(s) ${ids[*]:-none}"
log "follow: squeue -j $(
  IFS=,
  echo "${ids[*]}${ids[*]:+,}$cid"
)"
log "results: $OUT/scaling.json and $OUT/scaling.csv when job $cid has finished"
