#!/usr/bin/env bash
# [output.weights.NAME] snapshots = false: the statistics of every synapse stay exactly those of
# a run with snapshots (for any split), the spikes do not change, and no per-synapse weight is
# written.
source "$(dirname "$0")/common.sh"
cd "$WORK"
CONFIG="$SOURCE_DIR/tests/data/hpc_benchmark_small.toml"
mpi_run 1 1 run "$CONFIG" --set simulation.t_stop=200 -o full.h5 -q
mpi_run 2 1 run "$CONFIG" --set simulation.t_stop=200 --set output.weights.EE.snapshots=false \
  -o stats2.h5 -q
mpi_run 1 2 run "$CONFIG" --set simulation.t_stop=200 --set output.weights.EE.snapshots=false \
  -o stats1.h5 -q
/usr/bin/python3 - <<'PY' || fail "stats-only weight recording differs"
import h5py
import numpy as np
full = h5py.File("full.h5", "r")
for name in ("stats1.h5", "stats2.h5"):
    f = h5py.File(name, "r")
    for key in ("times", "mean", "sd", "min", "max", "histogram"):
        a = full["weights/EE/stats/" + key][...]
        b = f["weights/EE/stats/" + key][...]
        assert a.shape == b.shape and np.array_equal(a, b, equal_nan=True), (name, key)
    assert full["weights/EE/weight"].shape[1] > 1000, full["weights/EE/weight"].shape
    assert f["weights/EE/weight"].shape == (0, 0), (name, f["weights/EE/weight"].shape)
    assert f["weights/EE/source"].shape == (0,)
    for pop in ("E", "I"):
        for key in ("node_ids", "timestamps"):
            assert np.array_equal(full[f"spikes/{pop}/{key}"][...], f[f"spikes/{pop}/{key}"][...]), (name, pop)
    assert len(full["weights/EE/stats/times"]) >= 2
    assert float(np.nanmax(full["weights/EE/stats/sd"][...])) > 0, "the weights must move"
print("stats-only weight recording: ok")
PY
