#!/usr/bin/env bash
# Bad input at 1 and 4 ranks: exit code 2, one message naming the key, within seconds, and no
# file that claims to be complete.
source "$(dirname "$0")/common.sh"
config="$SOURCE_DIR/tests/data/split_small.toml"

# expect_bad RANKS KEY ARGS...
expect_bad() {
  local ranks=$1 key=$2
  shift 2
  local out="$WORK/bad.h5"
  rm -f "$out"
  local start=$SECONDS code=0
  timeout 30 "$MPIEXEC" -n "$ranks" --bind-to none "$MYELIN" "$@" >"$WORK/stdout" 2>"$WORK/stderr" || code=$?
  ((code == 2)) || { cat "$WORK/stderr" >&2; fail "$* at $ranks rank(s): exit $code, expected 2"; }
  grep -qF -- "$key" "$WORK/stderr" || { cat "$WORK/stderr" >&2; fail "$*: message does not name '$key'"; }
  local lines
  lines=$(grep -c 'myelin: error' "$WORK/stderr" || true)
  ((lines == 1)) || { cat "$WORK/stderr" >&2; fail "$*: $lines error lines at $ranks rank(s), expected 1"; }
  ((SECONDS - start <= 20)) || fail "$*: took $((SECONDS - start)) s"
  [[ $(complete_flag "$out") != 1 ]] || fail "$*: left a file marked complete"
  echo "ok ($ranks rank(s)): $(head -n 1 "$WORK/stderr")"
}

for ranks in 1 4; do
  o=(-o "$WORK/bad.h5")
  expect_bad "$ranks" "population.exc.tau_m" run "$config" "${o[@]}" --set population.exc.tau_m=-5
  expect_bad "$ranks" "simulation.dt" run "$config" "${o[@]}" --set simulation.dt=0
  expect_bad "$ranks" "projection.ring.delay" run "$config" "${o[@]}" --set projection.ring.delay=0.05
  expect_bad "$ranks" "projection.ring.k" run "$config" "${o[@]}" --set projection.ring.k=7
  # Plastic delays are 16-bit steps: every rank refuses a longer one after the draws.
  expect_bad "$ranks" "projection.ring.delay" run "$config" "${o[@]}" --set projection.ring.delay=6600 \
    --set 'projection.ring.plasticity={ w_max = 1.0 }'
  expect_bad "$ranks" "projection.ring.k" run "$config" "${o[@]}" --set projection.ring.k=400
  expect_bad "$ranks" "projection.ring.p" run "$config" "${o[@]}" --set projection.ring.p=1.5
  expect_bad "$ranks" "projection.e_to_i.source" run "$config" "${o[@]}" --set projection.e_to_i.source=nope
  expect_bad "$ranks" "population.exc.bogus" run "$config" "${o[@]}" --set population.exc.bogus=1
  expect_bad "$ranks" "simulation.seed" run "$config" "${o[@]}" --set simulation.seed=abc
  expect_bad "$ranks" "output.file" run "$config" -o /nonexistent-dir/out.h5
  expect_bad "$ranks" "CONFIG" run "$WORK/missing.toml" "${o[@]}"
  expect_bad "$ranks" "--set" run "$config" "${o[@]}" --set novalue
  expect_bad "$ranks" "population.exc.tau_m" validate "$config" --set population.exc.tau_m=0
  expect_bad "$ranks" "FILE" info "$WORK/missing.h5"
done
printf '[simulation]\ndt = 0.1\nt_stop = 10\n[population.a]\nmodel = "lif"\nsize = 10\ntau_m = "fast"\n' >"$WORK/typed.toml"
expect_bad 1 "population.a.tau_m" run "$WORK/typed.toml" -o "$WORK/bad.h5"
printf '[simulation\ndt = 0.1\n' >"$WORK/syntax.toml"
expect_bad 4 "line" validate "$WORK/syntax.toml"

code=0
"$MPIEXEC" -n 1 "$MYELIN" frobnicate >/dev/null 2>&1 || code=$?
((code == 2)) || fail "unknown command: exit $code, expected 2"
echo "ok: unknown command exits 2"
