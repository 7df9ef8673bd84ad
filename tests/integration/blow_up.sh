#!/usr/bin/env bash
# A runaway membrane potential stops every rank at the same epoch with exit code 3 and one
# message naming population, neuron, time, variable and value; the file is not complete.
source "$(dirname "$0")/common.sh"
config="$SOURCE_DIR/tests/data/split_small.toml"
for ranks in 1 2; do
  out="$WORK/blow.h5"
  rm -f "$out"
  code=0
  timeout 60 "$MPIEXEC" -n "$ranks" --bind-to none "$MYELIN" run "$config" -o "$out" --quiet \
    --set population.inh.I_e=5e6 --set population.inh.V_th=1e9 --set simulation.v_bound=500 \
    2>"$WORK/stderr" || code=$?
  ((code == 3)) || { cat "$WORK/stderr" >&2; fail "$ranks rank(s): exit $code, expected 3"; }
  for word in "population inh" "neuron" "t = " "V_m = "; do
    grep -qF "$word" "$WORK/stderr" || { cat "$WORK/stderr" >&2; fail "message lacks '$word'"; }
  done
  lines=$(grep -c 'myelin: error' "$WORK/stderr" || true)
  ((lines == 1)) || fail "$lines error lines, expected 1"
  [[ -f $out ]] || fail "no output file: what was written before the blow-up is lost"
  [[ $(complete_flag "$out") == 0 ]] || fail "a blown-up run is marked complete"
  echo "ok ($ranks rank(s)): $(cat "$WORK/stderr")"
done
# The same message at 1 and 2 ranks: the earliest (step, gid) wins everywhere.

# Hodgkin-Huxley and Izhikevich populations in a mixed network blow up the same way: a huge
# current drives the squid cells past the bound; without its cut-off, Izhikevich's V^2 runs away.
models="$SOURCE_DIR/tests/data/mixed_models.toml"
for case in "squid:--set population.squid.I_e=1e9 --set simulation.v_bound=1000" \
  "inh:--set population.inh.V_th=1e300 --set population.inh.scheme=\"euler\""; do
  pop=${case%%:*}
  read -ra extra <<<"${case#*:}"
  for ranks in 1 2; do
    out="$WORK/blow_$pop.h5"
    rm -f "$out"
    code=0
    timeout 60 "$MPIEXEC" -n "$ranks" --bind-to none "$MYELIN" run "$models" -o "$out" --quiet \
      "${extra[@]}" 2>"$WORK/stderr" || code=$?
    ((code == 3)) || { cat "$WORK/stderr" >&2; fail "$pop, $ranks rank(s): exit $code, expected 3"; }
    for word in "population $pop" "neuron" "t = " "V_m = "; do
      grep -qF "$word" "$WORK/stderr" || { cat "$WORK/stderr" >&2; fail "$pop: message lacks '$word'"; }
    done
    [[ $(complete_flag "$out") == 0 ]] || fail "$pop: a blown-up run is marked complete"
    echo "ok ($pop, $ranks rank(s)): $(cat "$WORK/stderr")"
  done
done
