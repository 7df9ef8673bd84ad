#!/usr/bin/env bash
# The command-line contract: validate, run with a summary, info on the result.
source "$(dirname "$0")/common.sh"
config="$SOURCE_DIR/tests/data/split_small.toml"

mpi_run 2 1 validate "$config" >"$WORK/validate.txt"
grep -q "valid" "$WORK/validate.txt" || fail "validate printed: $(cat "$WORK/validate.txt")"

MYELIN_LAUNCHER=test-launcher SLURM_JOB_ID=4711 \
  "$MPIEXEC" -n 2 --bind-to none -x OMP_NUM_THREADS=1 -x MYELIN_LAUNCHER -x SLURM_JOB_ID "$MYELIN" \
  run "$config" -o "$WORK/out.h5" --set simulation.t_stop=100 --summary-json "$WORK/summary.json" >"$WORK/run.txt"
for word in "spikes" "Hz mean rate" "events/s" "update" "exchange" "deliver" "peak RSS" "edge cut" "B received per rank per epoch" "test-launcher (job 4711)"; do
  grep -qF "$word" "$WORK/run.txt" || { cat "$WORK/run.txt"; fail "summary lacks '$word'"; }
done
/usr/bin/python3 - "$WORK/summary.json" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
assert s["ranks"] == 2 and s["neurons"] == 500, s
assert s["spikes"] > 0 and s["synaptic_events"] > 0, s
assert len(s["peak_rss_mb_per_rank"]) == 2, s
# allgatherv: every rank sends each of its spikes once and receives every rank's bytes.
assert s["exchange"] == "allgatherv" and s["spikes_sent"] == s["spikes"], s
assert round(s["bytes_per_epoch"] * s["epochs"]) == sum(s["bytes_sent_per_rank"]), s
assert sum(s["bytes_sent_per_rank"]) < 0.7 * 8 * s["spikes"], s  # 30 % under the old 8 B
assert len(s["exchange_hidden_s_per_rank"]) == 2, s
assert len(s["exchange_wait_s_per_rank"]) == 2 and min(s["exchange_wait_s_per_rank"]) >= 0, s
assert len(s["exchange_transfer_s_per_rank"]) == 2, s
assert [sorted(r) for r in s["phase_s_per_rank"]] == [sorted(s["phase_s_max_over_ranks"])] * 2, s
for phase, t in s["phase_s_max_over_ranks"].items():
    assert t == max(r[phase] for r in s["phase_s_per_rank"]), (phase, s)
assert s["launcher"] == "test-launcher" and s["job_id"] == "4711", s
PY
/usr/bin/python3 - "$WORK/out.h5" "$WORK/summary.json" <<'PY'
import json, sys, h5py
s = json.load(open(sys.argv[2]))
with h5py.File(sys.argv[1], "r") as f:
    m = f["meta"]
    assert list(m["exchange_wait_s"][()]) == s["exchange_wait_s_per_rank"], s
    assert list(m["bytes_sent"][()]) == s["bytes_sent_per_rank"], s
    assert m.attrs["bytes_per_epoch"] == s["bytes_per_epoch"] and m.attrs["epochs"] == s["epochs"]
    text = lambda v: v.decode() if isinstance(v, bytes) else v
    assert text(m.attrs["launcher"]) == "test-launcher" and text(m.attrs["job_id"]) == "4711"
    assert text(m.attrs["exchange"]) == "allgatherv" and m.attrs["spikes_sent"] == s["spikes_sent"]
PY
# The bytes each rank sent, recomputed from the spike file and the wire format's definition
# (comm/spike_wire.hpp): groups per step, varint gaps, 2-byte offsets; ranks own contiguous gid
# blocks of neurons_per_rank; epochs of epoch_steps.
/usr/bin/python3 - "$WORK/out.h5" "$WORK/summary.json" <<'PY'
import json, math, sys, h5py
s = json.load(open(sys.argv[2]))
dt, L = s["dt_ms"], s["epoch_steps"]
def varint(v):
    n = 1
    while v >= 0x80:
        v >>= 7; n += 1
    return n
with h5py.File(sys.argv[1], "r") as f:
    first = {"exc": 0, "inh": 400}
    spikes = []
    for pop, base in first.items():
        for i, t in zip(f["spikes/" + pop + "/node_ids"][()], f["spikes/" + pop + "/timestamps"][()]):
            spikes.append((math.floor(t / dt - 1e-7), base + int(i)))
    bounds = [0]
    for n in f["meta/neurons_per_rank"][()]:
        bounds.append(bounds[-1] + int(n))
spikes.sort()
expected = []
for r in range(len(bounds) - 1):
    mine = [sp for sp in spikes if bounds[r] <= sp[1] < bounds[r + 1]]
    total, by_epoch = 0, {}
    for step, gid in mine:
        by_epoch.setdefault(step // L, []).append((step, gid))
    for e, group in by_epoch.items():
        prev_step, i = e * L, 0
        while i < len(group):
            j = i
            while j < len(group) and group[j][0] == group[i][0]:
                j += 1
            total += varint(group[i][0] - prev_step) + varint(j - i)
            prev_gid = 0
            for step, gid in group[i:j]:
                total += varint(gid - prev_gid) + 2
                prev_gid = gid
            prev_step, i = group[i][0], j
    expected.append(total)
assert expected == s["bytes_sent_per_rank"], (expected, s["bytes_sent_per_rank"])
print("bytes per spike on the wire:", sum(expected) / s["spikes"])
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

# The build names the commit it was made from (taken at build time, not only at configure time),
# with -dirty for uncommitted changes to tracked files.
if command -v git >/dev/null && git -C "$SOURCE_DIR" rev-parse HEAD >/dev/null 2>&1; then
  head=$(git -C "$SOURCE_DIR" rev-parse --short=12 HEAD)
  version=$("$MYELIN" --version)
  [[ $version == *"($head)"* || $version == *"($head-dirty)"* ]] ||
    fail "--version says '$version', HEAD is $head"
  echo "ok: --version names HEAD ($version)"
fi
