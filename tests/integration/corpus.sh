#!/usr/bin/env bash
# Runs every case of fault_cases.txt at RANKS ranks (argument 4): exit code, message fragment,
# one error line, no internal error, no complete file. See fault_cases.txt for the format.
source "$(dirname "$0")/common.sh"
ranks=${4:-1}
CONFIG="$SOURCE_DIR/tests/data/split_small.toml"
OUT="$WORK/out.h5"
SNIPPET="$WORK/snippet.toml"
SWEEP="$WORK/sweep.h5"
"$MPIEXEC" -n 1 "$MYELIN" sweep "$CONFIG" -o "$SWEEP" --quiet --vary projection.ring.p=0,0.5 \
  --set simulation.t_stop=20 --set simulation.seed=8 || fail "could not make the sweep file"

trim() {
  local s=$1
  s=${s#"${s%%[![:space:]]*}"}
  printf '%s' "${s%"${s##*[![:space:]]}"}"
}

cases=0
while IFS= read -r line; do
  [[ -z $line || $line == \#* ]] && continue
  IFS=$'\x1f' read -r expected fragment args snippet absent <<<"${line// ;; /$'\x1f'}"
  expected=$(trim "$expected")
  fragment=$(trim "$fragment")
  snippet=$(trim "${snippet:-}")
  absent=$(trim "${absent:-}")
  printf '%b' "$snippet" >"$SNIPPET"
  eval "argv=($args)"
  fragment=${fragment//\$OUT/$OUT}
  fragment=${fragment//\$WORK/$WORK}
  rm -f "$OUT" "$OUT.partial"
  code=0
  timeout 60 "$MPIEXEC" -n "$ranks" --bind-to none "$MYELIN" "${argv[@]}" </dev/null >"$WORK/stdout" 2>"$WORK/stderr" || code=$?
  cat "$WORK/stdout" "$WORK/stderr" >"$WORK/all"
  show() { echo "--- case: $line" >&2; cat "$WORK/all" >&2; }
  ((code == expected)) || { show; fail "exit $code, expected $expected at $ranks rank(s)"; }
  grep -qF -- "$fragment" "$WORK/all" || { show; fail "output lacks: $fragment"; }
  [[ -z $absent ]] || ! grep -qF -- "$absent" "$WORK/all" || { show; fail "output has: $absent"; }
  ! grep -q "internal error\|MPI_ABORT" "$WORK/all" || { show; fail "internal error or abort"; }
  if ((code != 0)); then
    lines=$(grep -c 'myelin: error' "$WORK/stderr" || true)
    ((lines == 1)) || { show; fail "$lines error lines, expected 1"; }
    [[ $(complete_flag "$OUT") != 1 ]] || { show; fail "left a complete file"; }
  fi
  cases=$((cases + 1))
done <"$SOURCE_DIR/tests/integration/fault_cases.txt"
((cases >= 29)) || fail "only $cases cases ran"
echo "ok ($ranks rank(s)): $cases fault cases"
