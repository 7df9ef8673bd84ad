#!/usr/bin/env bash
# SIGTERM, SIGINT and SIGUSR1 stop a run at an epoch boundary on every rank: exit code 4, one
# message, the file at the output path readable with everything up to the stop (a prefix of the
# complete run), complete = 0 and the reason in /meta stop_reason.
source "$(dirname "$0")/common.sh"
config="$SOURCE_DIR/tests/data/split_small.toml"
check="$SOURCE_DIR/tests/integration/prefix_check.py"
settings=(--set simulation.t_stop=200000 --quiet)  # long enough to be running when signalled
# The complete run the stopped ones must be prefixes of is made at the end, only as long as the
# longest of them (t_stop changes nothing before it): 200 s simulated took 7 minutes under ASan.
reference="$WORK/reference.h5"
stopped=()
t_max=0

stop_reason() {
  h5dump -a /meta/stop_reason "$1" 2>/dev/null | sed -n 's/.*(0): *"\(.*\)".*/\1/p'
}

for ranks in 1 2; do
  for signal in TERM INT USR1; do
    out="$WORK/stopped_${ranks}_$signal.h5"
    # The signal goes to every rank, as a batch system's time limit does (SLURM signals every
    # task); mpirun itself forwards only SIGUSR1 and kills the job after SIGTERM or SIGINT.
    mpi_run "$ranks" 1 run "$config" -o "$out" "${settings[@]}" 2>"$WORK/stderr" &
    launcher=$!
    for ((w = 0; w < 200; w++)); do [[ -s $out.partial ]] && break; sleep 0.05; done
    sleep 0.3
    mapfile -t pids < <(pgrep -f -- "^$MYELIN run $config -o $out " || true)
    ((${#pids[@]} == ranks)) || fail "found ${#pids[@]} rank processes, expected $ranks"
    # Only one rank gets it: the others must learn it in the epoch's collective.
    kill "-$signal" "${pids[$((RANDOM % ranks))]}"
    code=0
    wait "$launcher" || code=$?
    ((code == 4)) || { cat "$WORK/stderr" >&2; fail "SIG$signal at $ranks rank(s): exit $code, expected 4"; }
    lines=$(grep -c 'myelin: error' "$WORK/stderr" || true)
    ((lines == 1)) || { cat "$WORK/stderr" >&2; fail "SIG$signal: $lines error lines, expected 1"; }
    grep -qF "stopped by SIG$signal at t = " "$WORK/stderr" || { cat "$WORK/stderr" >&2; fail "message"; }
    [[ -f $out && ! -e $out.partial ]] || fail "SIG$signal: the stopped file is not at the output path"
    [[ $(complete_flag "$out") == 0 ]] || fail "SIG$signal: a stopped run is marked complete"
    [[ $(stop_reason "$out") == "stopped by SIG$signal"* ]] || fail "SIG$signal: /meta stop_reason is '$(stop_reason "$out")'"
    t=$(sed -n 's/.* at t = \([0-9.e+]*\) ms.*/\1/p' "$WORK/stderr" | head -n 1)
    [[ -n $t ]] || { cat "$WORK/stderr" >&2; fail "SIG$signal: no stop time in the message"; }
    t_max=$(/usr/bin/python3 -c "print(max($t_max, $t))")
    stopped+=("$out")
    echo "ok ($ranks rank(s)): $(cat "$WORK/stderr")"
  done
done

# Through mpirun: SIGUSR1 is forwarded to every rank, and mpirun exits with the ranks' code.
mpi_run 1 1 run "$config" -o "$reference" --quiet \
  --set "simulation.t_stop=$(/usr/bin/python3 -c "print(float($t_max) + 100.0)")"
for out in "${stopped[@]}"; do
  /usr/bin/python3 "$check" "$out" "$reference" >/dev/null || fail "$out: not a prefix of the complete run"
done
echo "ok: every stopped file is a prefix of the complete run (to t = $t_max ms)"

out="$WORK/forwarded.h5"
"$MPIEXEC" -n 2 --bind-to none -x OMP_NUM_THREADS=1 "$MYELIN" run "$config" -o "$out" "${settings[@]}" 2>"$WORK/stderr" &
launcher=$!
for ((w = 0; w < 200; w++)); do [[ -s $out.partial ]] && break; sleep 0.05; done
sleep 0.3
kill -USR1 "$launcher"
code=0
wait "$launcher" || code=$?
((code == 4)) || { cat "$WORK/stderr" >&2; fail "SIGUSR1 to mpirun: exit $code, expected 4"; }
[[ $(complete_flag "$out") == 0 ]] || fail "SIGUSR1 to mpirun: file is not incomplete"
echo "ok: SIGUSR1 to mpirun stops both ranks, exit 4"
