#!/usr/bin/env bash
# Atomic results and exclusive output paths: a run writes OUTPUT.partial and renames it over
# OUTPUT only at the end; a second run on the same path exits 2 at once; a run killed while it
# builds leaves an older result untouched (it never claims to be this run's).
source "$(dirname "$0")/common.sh"
config="$SOURCE_DIR/tests/data/split_small.toml"
out="$WORK/out.h5"

mpi_run 1 1 run "$config" -o "$out" --quiet --set simulation.t_stop=50
[[ $(complete_flag "$out") == 1 && ! -e $out.partial && ! -e $out.lock ]] || fail "first run"
old_sum=$(md5sum <"$out")

# Concurrent runs on one path: the second gets exit 2 naming the path, the first is unharmed.
for ranks in 1 2; do
  mpi_run "$ranks" 1 run "$config" -o "$out" --quiet --set simulation.t_stop=300000 --set simulation.seed=99 &
  first=$!
  for ((w = 0; w < 200; w++)); do [[ -e $out.lock ]] && break; sleep 0.05; done
  code=0
  mpi_run "$ranks" 1 run "$config" -o "$out" --quiet --set simulation.t_stop=50 2>"$WORK/stderr" || code=$?
  ((code == 2)) || { cat "$WORK/stderr" >&2; fail "second run at $ranks rank(s): exit $code, expected 2"; }
  grep -qF "another run is writing this file" "$WORK/stderr" || { cat "$WORK/stderr" >&2; fail "message"; }
  grep -qF "$out" "$WORK/stderr" || fail "message does not name the path"
  # While the first run works, the path still holds the older complete result. (It holds the
  # lock from its start but creates OUTPUT.partial only after building the network.)
  for ((w = 0; w < 200; w++)); do
    [[ -e $out.partial ]] && break
    kill -0 "$first" 2>/dev/null || break
    sleep 0.05
  done
  [[ -e $out.partial ]] || fail "the first run ended before the check (make it longer)"
  [[ $(md5sum <"$out") == "$old_sum" ]] || fail "the older result changed before the new one finished"
  wait "$first" || fail "the first run failed"
  [[ $(complete_flag "$out") == 1 && ! -e $out.partial ]] || fail "first run's result is not at the path"
  [[ $(h5dump -a /meta/seed "$out" | sed -n 's/.*(0): *\([0-9]*\).*/\1/p') == 99 ]] || fail "the path holds the wrong run"
  echo "ok ($ranks rank(s)): a second run on the same path exits 2: $(head -n 1 "$WORK/stderr")"
  old_sum=$(md5sum <"$out")
done

# Killed before it finishes: the older file is left as it was, byte for byte, and nothing at
# the path claims to come from the killed run (its data is in OUTPUT.partial).
mpi_run 1 1 run "$config" -o "$out" --quiet --set simulation.t_stop=300000 >/dev/null 2>&1 &
launcher=$!
for ((w = 0; w < 200; w++)); do [[ -s $out.partial ]] && break; sleep 0.05; done
mapfile -t pids < <(pgrep -f -- "^$MYELIN run $config -o $out " || true)
((${#pids[@]} == 1)) || fail "found ${#pids[@]} rank processes, expected 1"
kill -KILL "${pids[0]}"
wait "$launcher" 2>/dev/null || true
[[ $(md5sum <"$out") == "$old_sum" ]] || fail "a killed run changed the older result"
[[ -s $out.partial ]] || fail "the killed run left no partial file"
echo "ok: a killed run leaves the older result as it was (its own data in $(basename "$out").partial)"

# The lock of a killed run does not block the next one (flock dies with its process).
mpi_run 1 1 run "$config" -o "$out" --quiet --set simulation.t_stop=50 || fail "run after a killed run"
[[ ! -e $out.lock ]] || fail "lock file left after a finished run"
echo "ok: a stale lock file from a killed run does not block the next run"
