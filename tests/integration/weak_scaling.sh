#!/usr/bin/env bash
# jobs/weak_scaling.sh --per-rank grows several populations together (NEST's hpc_benchmark: E
# and I per rank), locally: every run holds the sizes it was asked for and the collector's table
# has one row per rank count with the network that grew.
source "$(dirname "$0")/common.sh"
export MYELIN_BIN=$MYELIN
out=$WORK/weak
bash "$SOURCE_DIR/jobs/weak_scaling.sh" --local -c "$SOURCE_DIR/tests/data/hpc_benchmark_small.toml" \
  --per-rank E=180,I=45 -r 1,2 -t 1 -T 20 -o "$out" >"$WORK/log" 2>&1 ||
  fail "weak_scaling.sh failed: $(tail -5 "$WORK/log")"
/usr/bin/python3 - "$out" <<'PY' || fail "the weak-scaling table does not show the grown network"
import json, sys, h5py
out = sys.argv[1]
rows = {r["ranks"]: r for r in json.load(open(out + "/scaling.json"))["runs"]}
assert sorted(rows) == [1, 2], rows.keys()
for ranks in (1, 2):
    row = rows[ranks]
    assert row["ok"], row
    assert row["neurons"] == 225 * ranks, (ranks, row["neurons"])
    with h5py.File("%s/r%d_t1.h5" % (out, ranks)) as f:
        for pop, per_rank in (("E", 180), ("I", 45)):
            n = int(f["/spikes/%s" % pop].attrs["size"])
            assert n == per_rank * ranks, (pop, n)
print("ok")
PY
bash "$SOURCE_DIR/jobs/weak_scaling.sh" --local --per-rank E=1x --dry-run >/dev/null 2>&1 && fail "a bad --per-rank was accepted"
echo "ok: --per-rank E=180,I=45 at 1 and 2 ranks"
