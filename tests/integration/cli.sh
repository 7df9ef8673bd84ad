#!/usr/bin/env bash
# The command-line contract: validate, run with a summary, info on the result.
source "$(dirname "$0")/common.sh"
config="$SOURCE_DIR/tests/data/split_small.toml"

mpi_run 2 1 validate "$config" >"$WORK/validate.txt"
grep -q "valid" "$WORK/validate.txt" || fail "validate printed: $(cat "$WORK/validate.txt")"

mpi_run 2 1 run "$config" -o "$WORK/out.h5" --set simulation.t_stop=100 --summary-json "$WORK/summary.json" >"$WORK/run.txt"
for word in "spikes" "Hz mean rate" "events/s" "update" "exchange" "deliver" "peak RSS" "edge cut"; do
  grep -qF "$word" "$WORK/run.txt" || { cat "$WORK/run.txt"; fail "summary lacks '$word'"; }
done
/usr/bin/python3 - "$WORK/summary.json" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
assert s["ranks"] == 2 and s["neurons"] == 500, s
assert s["spikes"] > 0 and s["synaptic_events"] > 0, s
assert len(s["peak_rss_mb_per_rank"]) == 2, s
PY
[[ $(complete_flag "$WORK/out.h5") == 1 ]] || fail "run not complete"

"$MPIEXEC" -n 1 "$MYELIN" info "$WORK/out.h5" >"$WORK/info.txt"
for word in "exc" "inh" "ring" "complete"; do
  grep -qF "$word" "$WORK/info.txt" || { cat "$WORK/info.txt"; fail "info lacks '$word'"; }
done
echo "ok: validate, run, info"

# Every example config passes validation (they are what users start from).
for example in "$SOURCE_DIR"/examples/*.toml; do
  "$MYELIN" validate "$example" -o "$WORK/example.h5" --quiet || fail "$example does not validate"
done
echo "ok: every example validates"
