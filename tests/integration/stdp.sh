#!/usr/bin/env bash
# STDP end to end: the pair window of forced spikes equals the closed form; every recorded
# weight of a noisy network equals an independent reimplementation
# (tests/data/stdp_reference.py) fed with the recorded spikes; the same weights and spikes at
# 1x1, 2x1, 1x2 and 4x1; hard bounds give a bimodal weight distribution, soft bounds a
# unimodal one (Song, Miller & Abbott 2000; van Rossum, Bi & Turrigiano 2000).
source "$(dirname "$0")/common.sh"
pairs="$SOURCE_DIR/tests/data/stdp_pairs.toml"
reference="$SOURCE_DIR/tests/data/stdp_reference.py"

mpi_run 1 1 run "$pairs" -o "$WORK/1x1.h5" --quiet
for projection in drive lateral; do
  /usr/bin/python3 "$reference" "$WORK/1x1.h5" --projection "$projection" --all-snapshots \
    >"$WORK/ref.json" || { cat "$WORK/ref.json"; fail "$projection: weights differ from the reference"; }
done
/usr/bin/python3 - "$WORK/1x1.h5" <<'PY'
import sys, h5py, numpy as np
with h5py.File(sys.argv[1], "r") as f:
    for name in ("drive", "lateral"):
        g = f["weights"][name]
        w = g["weight"][()]
        lo, hi = g.attrs["w_min"], g.attrs["w_max"]
        changed = np.mean(w[-1] != w[0])
        assert changed > 0.9, (name, changed)
        assert lo <= w.min() and w.max() <= hi, (name, w.min(), w.max())
        assert g["stats/histogram"][()].sum(axis=1).tolist() == [w.shape[1]] * len(g["stats/times"])
        # Stats at a snapshot time agree with the snapshot (to the 2^-31 quantum of the range).
        t_snap, t_stats = g["times"][()], g["stats/times"][()]
        for i, t in enumerate(t_snap):
            j = int(np.flatnonzero(t_stats == t)[0])
            q = (hi - lo) * 2.0**-31
            assert abs(g["stats/mean"][j] - w[i].mean()) < 4 * q, name
            assert abs(g["stats/sd"][j] - w[i].std()) < 1e-6 * (hi - lo), name
            assert g["stats/min"][j] == w[i].min() and g["stats/max"][j] == w[i].max(), name
PY
echo "ok: every weight matches the reference, most weights changed, stats match snapshots"

# Weight rows are appended at every flush: a run that blows up keeps those recorded before.
code=0
mpi_run 2 1 run "$pairs" -o "$WORK/blow.h5" --quiet --set population.post.I_e=1e5 \
  --set population.post.V_th=1e9 --set simulation.v_bound=500 2>/dev/null || code=$?
((code == 3)) || fail "blow-up with plastic synapses: exit $code, expected 3"
/usr/bin/python3 - "$WORK/blow.h5" <<'PY'
import sys, h5py
with h5py.File(sys.argv[1], "r") as f:
    assert f["meta"].attrs["complete"] == 0
    g = f["weights/drive"]
    assert list(g["times"][()]) == [0.0] and g["weight"].shape == (1, 20), g["weight"].shape
    assert list(g["stats/times"][()]) == [0.0] and g["stats/histogram"].shape == (1, 8)
PY
echo "ok: a blown-up run keeps the weights recorded so far"

for spec in 2x1 1x2 4x1 2x1:alltoallv 4x1:alltoallv; do
  split=${spec%%:*}
  ranks=${split%x*} threads=${split#*x}
  options=()
  [[ $spec == *:alltoallv ]] && options+=(--set 'simulation.exchange="alltoallv"')
  out="$WORK/${spec//:/_}.h5"
  if ((ranks > 2)); then
    "$MPIEXEC" -n "$ranks" --oversubscribe --bind-to none -x OMP_NUM_THREADS="$threads" \
      "$MYELIN" run "$pairs" -o "$out" --quiet "${options[@]}"
  else
    mpi_run "$ranks" "$threads" run "$pairs" -o "$out" --quiet "${options[@]}"
  fi
  for group in /weights /spikes; do
    h5diff "$WORK/1x1.h5" "$out" "$group" "$group" >/dev/null ||
      fail "$group differs between 1x1 and $spec"
  done
done
echo "ok: identical /weights and /spikes at 1x1, 2x1, 1x2, 4x1, and with alltoallv at 2x1, 4x1"

# Power-law STDP (NEST stdp_pl_synapse_hom) in the same noisy network: every recorded weight
# against the reference, the same weights and spikes at 1x1, 2x1 and 1x2.
power="$SOURCE_DIR/tests/data/stdp_power_law.toml"
mpi_run 1 1 run "$power" -o "$WORK/pl_1x1.h5" --quiet
for projection in drive lateral; do
  /usr/bin/python3 "$reference" "$WORK/pl_1x1.h5" --projection "$projection" --all-snapshots \
    --mu 0.4 >"$WORK/ref.json" || { cat "$WORK/ref.json"; fail "power_law $projection: weights differ from the reference"; }
done
for split in 2x1 1x2; do
  ranks=${split%x*} threads=${split#*x}
  mpi_run "$ranks" "$threads" run "$power" -o "$WORK/pl_$split.h5" --quiet
  for group in /weights /spikes; do
    h5diff "$WORK/pl_1x1.h5" "$WORK/pl_$split.h5" "$group" "$group" >/dev/null ||
      fail "power_law: $group differs between 1x1 and $split"
  done
done
echo "ok: power-law STDP matches the reference; identical at 1x1, 2x1, 1x2"

# The window end to end: 41 forced spike pairs (spike_source populations), Δt from -100 to
# +100 ms at the synapse, every weight against the closed form, four rule/pairing/delay splits.
window="$SOURCE_DIR/tests/data/stdp_window.py"
for variant in "additive all_to_all 1.0 0.0 1" "multiplicative nearest 2.0 1.0 2" \
  "additive nearest 1.0 1.0 1" "multiplicative all_to_all 3.0 0.0 2" \
  "power_law all_to_all 1.5 0.0 1" "power_law nearest 2.0 1.0 2"; do
  read -r rule pairing delay dendritic ranks <<<"$variant"
  /usr/bin/python3 "$window" write "$WORK/window.toml" --rule "$rule" --pairing "$pairing" \
    --delay "$delay" --dendritic "$dendritic"
  mpi_run "$ranks" 1 run "$WORK/window.toml" -o "$WORK/window.h5" --quiet
  /usr/bin/python3 "$window" check "$WORK/window.h5" || fail "window: $variant"
done
echo "ok: the STDP window of forced pairs matches the closed form"

bimodal="$SOURCE_DIR/tests/data/stdp_bimodal.toml"
"$MYELIN" run "$bimodal" -o "$WORK/additive.h5" --quiet --threads 1
"$MYELIN" run "$bimodal" -o "$WORK/multiplicative.h5" --quiet --threads 1 \
  --set 'projection.feed.plasticity.rule="multiplicative"' \
  --set projection.feed.plasticity.A_plus=0.04 --set projection.feed.plasticity.A_minus=0.042
/usr/bin/python3 - "$SOURCE_DIR" "$WORK/additive.h5" "$WORK/multiplicative.h5" <<'PY'
import sys, h5py, numpy as np
sys.path.insert(0, sys.argv[1])
from analysis.weights import bimodality
def final(path):
    with h5py.File(path, "r") as f:
        g = f["weights/feed"]
        w = g["weight"][()]
        # Never outside the bounds, at any snapshot or statistics time of the 40 s run.
        assert w.min() >= 0.0 and w.max() <= g.attrs["w_max"], (w.min(), w.max())
        assert g["stats/min"][()].min() >= 0.0 and g["stats/max"][()].max() <= g.attrs["w_max"]
        return w[-1], g["stats/histogram"][-1], g.attrs["w_max"]
w, h, w_max = final(sys.argv[2])
b = bimodality(w, 0.0, w_max)
print("additive: histogram", h.tolist(), b)
# Mass piled at both bounds, a trough between: a maximum at each end of the histogram.
assert h[0] > h[1] and h[-1] > h[-2] and min(h[1:-1]) < min(h[0], h[-1]), h
assert b["fraction_low"] > 0.3 and b["fraction_high"] > 0.02 and b["sarle_b"] > 5 / 9, b
w, h, w_max = final(sys.argv[3])
b = bimodality(w, 0.0, w_max)
print("multiplicative: histogram", h.tolist(), b)
peaks = [i for i in range(len(h)) if h[i] > 0 and (i == 0 or h[i] >= h[i - 1]) and (i == len(h) - 1 or h[i] > h[i + 1])]
assert len(peaks) == 1 and 0 < peaks[0] < len(h) - 1, (h, peaks)
assert b["fraction_near_bounds"] == 0 and b["sarle_b"] < 5 / 9, b
PY
echo "ok: hard bounds bimodal, soft bounds unimodal"
