#!/usr/bin/env bash
# Checkpoint and restart on any split: a run 0 -> T/2 on split A, resumed T/2 -> T on split B,
# gives /spikes, /traces and /weights identical bit for bit to the uninterrupted run, for A, B
# in {1x1, 2x1, 1x2, 4x1} (every model and synapse kind, Poisson and dc input, noise, delays of
# many epochs, STDP of both rules). Periodic checkpoints (which drain the overlapped exchange)
# change nothing; a signal writes a checkpoint at the next boundary, from which a resume
# completes the run exactly.
source "$(dirname "$0")/common.sh"
config="$SOURCE_DIR/tests/data/checkpoint_all.toml"
compare="$SOURCE_DIR/tests/integration/checkpoint_compare.py"

mpi_run 1 1 run "$config" -o "$WORK/ref.h5" --threads 1 --quiet
for pop in exc inh squid traub stim; do
  n=$(dataset_length "$WORK/ref.h5" "spikes/$pop/node_ids")
  [[ -n $n && $n -gt 50 ]] || fail "reference has too few $pop spikes ($n): the test would prove nothing"
done

# Periodic checkpoints every 30 ms (boundaries that are not multiples of the recording
# intervals) leave the results unchanged; the last checkpoint is the one at the end.
mpi_run 2 1 run "$config" -o "$WORK/periodic.h5" --threads 1 --quiet --checkpoint-every 30
[[ -f $WORK/periodic.ckpt.h5 ]] || fail "no checkpoint at the default path OUTPUT.ckpt.h5"
[[ ! -e $WORK/periodic.ckpt.h5.tmp ]] || fail "a temporary checkpoint was left behind"
for group in /spikes /traces /weights; do
  h5diff "$WORK/ref.h5" "$WORK/periodic.h5" $group $group || fail "checkpointing changed $group"
done
echo "ok: checkpoints every 30 ms change nothing"

# A -> B over every split, each split once as A and once as B.
for pair in 1x1:4x1 2x1:1x2 1x2:2x1 4x1:1x1; do
  a=${pair%:*} b=${pair#*:}
  mpi_run "${a%x*}" "${a#*x}" run "$config" -o "$WORK/first_$a.h5" --threads "${a#*x}" --quiet \
    --set simulation.t_stop=100 --checkpoint "$WORK/ckpt_$a.h5"
  mpi_run "${b%x*}" "${b#*x}" resume "$WORK/ckpt_$a.h5" -o "$WORK/rest_$a$b.h5" --t-stop 200 \
    --threads "${b#*x}" --quiet --checkpoint "$WORK/end_$a$b.h5"
  [[ $(complete_flag "$WORK/rest_$a$b.h5") == 1 ]] || fail "$a -> $b: resumed file not complete"
  /usr/bin/python3 "$compare" "$WORK/ref.h5" "$WORK/first_$a.h5" "$WORK/rest_$a$b.h5" ||
    fail "$a -> $b: the resumed run differs from the uninterrupted one"
  echo "ok: 0-100 ms on $a, 100-200 ms on $b: identical to the uninterrupted run"
done

# --t-stop shortens a resumed run too, and a resume of a resume continues the chain.
mpi_run 1 1 resume "$WORK/ckpt_1x1.h5" -o "$WORK/part2.h5" --t-stop 150 --checkpoint \
  "$WORK/ckpt_150.h5" --quiet
mpi_run 2 1 resume "$WORK/ckpt_150.h5" -o "$WORK/part3.h5" --t-stop 200 --quiet
/usr/bin/python3 "$compare" "$WORK/ref.h5" "$WORK/first_1x1.h5" "$WORK/part2.h5" "$WORK/part3.h5" ||
  fail "a chain of three files differs from the uninterrupted run"
echo "ok: 0-100-150-200 ms over three files"

# A signal at a random moment: exit 4, a checkpoint at the boundary the run stopped at, the
# message says where it is; the resume completes the run exactly. 10 s simulated take several
# seconds of wall time on two ranks, and the signal comes within 0.3 s of the partial file
# appearing, so the run cannot finish first.
long=(--set simulation.t_stop=10000 --set output.flush_interval=20 --quiet)
mpi_run 1 1 run "$config" -o "$WORK/long_ref.h5" --threads 1 "${long[@]}"
for signal in TERM USR1; do
  out="$WORK/stopped_$signal.h5"
  mpi_run 2 1 run "$config" -o "$out" --threads 1 "${long[@]}" --checkpoint-every 1000 \
    2>"$WORK/stderr" &
  launcher=$!
  for ((w = 0; w < 200; w++)); do [[ -s $out.partial ]] && break; sleep 0.05; done
  sleep "0.$((RANDOM % 3))$((RANDOM % 10))"
  mapfile -t pids < <(pgrep -f -- "^$MYELIN run $config -o $out " || true)
  ((${#pids[@]} == 2)) || fail "found ${#pids[@]} rank processes, expected 2"
  kill "-$signal" "${pids[$((RANDOM % 2))]}"
  code=0
  wait "$launcher" || code=$?
  ((code == 4)) || { cat "$WORK/stderr" >&2; fail "SIG$signal: exit $code, expected 4"; }
  grep -qF "checkpoint at $WORK/stopped_$signal.ckpt.h5" "$WORK/stderr" ||
    { cat "$WORK/stderr" >&2; fail "SIG$signal: the message does not say where the checkpoint is"; }
  [[ $(complete_flag "$out") == 0 ]] || fail "SIG$signal: a stopped run is marked complete"
  mpi_run 1 2 resume "$WORK/stopped_$signal.ckpt.h5" -o "$WORK/resumed_$signal.h5" --threads 2 --quiet
  /usr/bin/python3 "$compare" "$WORK/long_ref.h5" "$out" "$WORK/resumed_$signal.h5" ||
    fail "SIG$signal: stop + resume differs from the uninterrupted run"
  echo "ok: SIG$signal at $(grep -o 't = [0-9.]* ms' "$WORK/stderr" | head -1), resumed on 1x2: identical"
done

# The analysis command line reads a chain as one run (--chain): the same measures as the
# uninterrupted run's.
(cd "$SOURCE_DIR" && /usr/bin/python3 -m analysis.measures "$WORK/ref.h5") >"$WORK/m_ref.json"
(cd "$SOURCE_DIR" && /usr/bin/python3 -m analysis.measures "$WORK/first_2x1.h5" --chain \
  "$WORK/rest_2x11x2.h5") >"$WORK/m_chain.json"
/usr/bin/python3 -c '
import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:3])
a.pop("file"); b.pop("file")
sys.exit(0 if a == b else "FAIL: analysis.measures --chain differs from the uninterrupted run")
' "$WORK/m_ref.json" "$WORK/m_chain.json"
echo "ok: analysis.measures --chain equals the uninterrupted run"
