#!/usr/bin/env bash
# Faults around checkpoints. (1) kill -9 of one rank at a random time after the first
# checkpoint, then `resume` from the last checkpoint on another split: the killed run's file
# and the continuation read as one run (analysis.chain) equal the uninterrupted run. (2) A
# missing, empty, truncated, corrupted, foreign, other-version or other-config checkpoint is
# refused on 1 and 2 ranks with exit 2 and one message naming the file and the reason.
source "$(dirname "$0")/common.sh"
config="$SOURCE_DIR/tests/data/checkpoint_all.toml"
compare="$SOURCE_DIR/tests/integration/checkpoint_compare.py"
reseal="$SOURCE_DIR/tests/integration/checkpoint_reseal.py"
long=(--set simulation.t_stop=10000 --set output.flush_interval=20 --quiet)
mpi_run 1 1 run "$config" -o "$WORK/ref.h5" --threads 1 "${long[@]}"

for i in 1 2; do
  out="$WORK/killed_$i.h5"
  ckpt="$WORK/killed_$i.ckpt.h5"
  mpi_run 2 1 run "$config" -o "$out" --threads 1 "${long[@]}" --checkpoint-every 50 \
    >/dev/null 2>&1 &
  launcher=$!
  for ((w = 0; w < 400; w++)); do [[ -s $ckpt ]] && break; sleep 0.02; done
  [[ -s $ckpt ]] || fail "no checkpoint appeared"
  sleep "0.$((RANDOM % 3))$((RANDOM % 10))"
  mapfile -t pids < <(pgrep -f -- "^$MYELIN run $config -o $out " || true)
  ((${#pids[@]} == 2)) || fail "found ${#pids[@]} rank processes (the run ended before the kill?)"
  kill -KILL "${pids[$((RANDOM % 2))]}"
  wait "$launcher" 2>/dev/null || true
  [[ -f $out.partial ]] || fail "the killed run left no $out.partial"
  mpi_run 1 2 resume "$ckpt" -o "$WORK/resumed_$i.h5" --threads 2 --quiet
  /usr/bin/python3 "$compare" "$WORK/ref.h5" "$out.partial" "$WORK/resumed_$i.h5" ||
    fail "kill $i: killed run + resume differs from the uninterrupted run"
  t=$(h5dump -a /meta/t_start "$WORK/resumed_$i.h5" | sed -n 's/.*(0): *\(.*\)/\1/p')
  echo "ok: kill -9 of one of 2 ranks, resumed at t = $t ms on 1x2: identical"
done

# A good checkpoint to damage.
mpi_run 1 1 run "$config" -o "$WORK/half.h5" --set simulation.t_stop=100 --checkpoint \
  "$WORK/good.h5" --quiet
size=$(stat -c %s "$WORK/good.h5")
: >"$WORK/empty.h5"
head -c $((size / 2)) "$WORK/good.h5" >"$WORK/truncated.h5"
head -c $((size - 1)) "$WORK/good.h5" >"$WORK/short_by_one.h5"
cp "$WORK/good.h5" "$WORK/flipped.h5"
printf '\xff' | dd of="$WORK/flipped.h5" bs=1 seek=$((size * 2 / 3)) conv=notrunc status=none
cp "$WORK/good.h5" "$WORK/version.h5"
/usr/bin/python3 "$reseal" "$WORK/version.h5" myelin_version 0.0.1
cp "$WORK/good.h5" "$WORK/config.h5"
/usr/bin/python3 "$reseal" "$WORK/config.h5" config_text "[simulation]
t_stop = 200.0"
cp "$WORK/good.h5" "$WORK/trace.h5"  # one synapse's presynaptic trace unlike its source's others
/usr/bin/python3 "$reseal" "$WORK/trace.h5" --add plasticity/e_to_i/x 0 1.0
cp "$WORK/good.h5" "$WORK/unsealed.h5"
dd if=/dev/zero of="$WORK/unsealed.h5" bs=512 count=1 conv=notrunc status=none

cases=(
  "missing.h5|No such file"
  "empty.h5|not a Myelin checkpoint"
  "truncated.h5|truncated"
  "short_by_one.h5|truncated"
  "flipped.h5|corrupt"
  "half.h5|not a Myelin checkpoint"
  "unsealed.h5|not a Myelin checkpoint"
  "version.h5|made by Myelin 0.0.1"
  "config.h5|does not match its config hash"
  "trace.h5|presynaptic traces of plasticity/e_to_i/ differ"
)
# Every case on 1 rank; at 2 ranks (agreement, no hang) the kinds of failure that differ.
two_ranks=("${cases[2]}" "${cases[4]}" "${cases[7]}" "${cases[0]}" "${cases[9]}")
for ranks in 1 2; do
  if ((ranks == 1)); then selected=("${cases[@]}"); else selected=("${two_ranks[@]}"); fi
  for case in "${selected[@]}"; do
    file=${case%%|*} reason=${case#*|}
    code=0
    # One rank as a singleton: mpiexec takes 2 s to report any failed job.
    launch=("$MPIEXEC" -n "$ranks" --bind-to none)
    ((ranks == 1)) && launch=()
    extend=()  # past the checkpoint's end, so that the state is read
    [[ $file == trace.h5 ]] && extend=(--t-stop 200)
    "${launch[@]}" "$MYELIN" resume "$WORK/$file" -o "$WORK/out.h5" --quiet "${extend[@]}" \
      >"$WORK/stdout" 2>"$WORK/stderr" || code=$?
    ((code == 2)) || { cat "$WORK/stderr" >&2; fail "$file at $ranks rank(s): exit $code, expected 2"; }
    grep -q "internal error\|Segmentation\|signal" "$WORK/stderr" &&
      { cat "$WORK/stderr" >&2; fail "$file: a crash instead of a refusal"; }
    lines=$(grep -c '^myelin: error: ' "$WORK/stderr" || true)
    ((lines == 1)) || { cat "$WORK/stderr" >&2; fail "$file: $lines error lines, expected 1"; }
    grep -q "myelin: error: checkpoint = $WORK/$file: .*$reason" "$WORK/stderr" ||
      { cat "$WORK/stderr" >&2; fail "$file: the message does not name the file and '$reason'"; }
    [[ ! -e $WORK/out.h5 ]] || fail "$file: a refused resume created its output"
  done
  echo "ok ($ranks rank(s)): ${#selected[@]} bad checkpoints refused with exit 2 and a reason"
done

# Bad flags of resume and run.
expect_2() {
  local what=$1 pattern=$2
  shift 2
  code=0
  "$MYELIN" "$@" >/dev/null 2>"$WORK/stderr" || code=$?
  ((code == 2)) && grep -q "$pattern" "$WORK/stderr" || { cat "$WORK/stderr" >&2; fail "$what: exit $code"; }
}
expect_2 "--t-stop before the checkpoint" "t-stop = 50: must be after" resume "$WORK/good.h5" --t-stop 50
expect_2 "--checkpoint-every 0" "checkpoint-every = 0" run "$config" -o "$WORK/x.h5" --checkpoint-every 0
expect_2 "--checkpoint-every -1" "checkpoint-every = -1" run "$config" -o "$WORK/x.h5" --checkpoint-every -1
expect_2 "--checkpoint in a missing directory" "checkpoint = /nonexistent/c.h5: cannot create" run "$config" -o "$WORK/x.h5" --checkpoint /nonexistent/c.h5
expect_2 "--checkpoint = output" "must differ from the result file" run "$config" -o "$WORK/x.h5" --checkpoint "$WORK/x.h5"
echo "ok: bad checkpoint flags exit 2"

# (3) A killed sweep started again skips the runs it finished and gives the same sweep file.
tiny="$SOURCE_DIR/tests/slurm/tiny.toml"
sweep_args=(--seeds 4 --set simulation.t_stop=3000 --set output.spikes=false)
"$MYELIN" sweep "$tiny" -o "$WORK/sweep_ref.h5" "${sweep_args[@]}" --quiet
"$MYELIN" sweep "$tiny" -o "$WORK/sweep.h5" "${sweep_args[@]}" >/dev/null 2>&1 &
sweeper=$!
for ((w = 0; w < 400; w++)); do
  compgen -G "$WORK/sweep.h5.parts/*.h5" >/dev/null && break
  sleep 0.02
done
kill -KILL "$sweeper" 2>/dev/null || true
wait "$sweeper" 2>/dev/null || true
finished=$(compgen -G "$WORK/sweep.h5.parts/*.h5" | wc -l)
((finished >= 1 && finished < 4)) || fail "the sweep was killed with $finished of 4 runs finished"
"$MYELIN" sweep "$tiny" -o "$WORK/sweep.h5" "${sweep_args[@]}" >"$WORK/sweep.out"
skipped=$(grep -c 'finished by an earlier sweep' "$WORK/sweep.out" || true)
((skipped == finished)) || { cat "$WORK/sweep.out"; fail "skipped $skipped runs, $finished were finished"; }
for k in 0 1 2 3; do
  h5diff "$WORK/sweep_ref.h5" "$WORK/sweep.h5" /runs/run_000$k/traces /runs/run_000$k/traces ||
    fail "run $k of the resumed sweep differs"
done
[[ $(h5dump -a /meta/n_failed "$WORK/sweep.h5" | sed -n 's/.*(0): *//p') == 0 ]] || fail "runs failed"
echo "ok: a killed sweep skipped its $finished finished run(s) and completed identically"
