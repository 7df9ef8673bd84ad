#!/usr/bin/env bash
# NEST's hpc_benchmark: examples/make_hpc_benchmark.py against NEST's parameters (sizes,
# indegrees, 0.14 mV -> 45.6096 pA alpha-current peak, Poisson rate eta nu_th CE), rescaling by
# --set of the two sizes equals the script's --scale, and the down-scaled network
# (tests/data/hpc_benchmark_small.toml) fires between 1 and 50 spikes/s after the first 50 ms
# (neither silent nor runaway). NEST's script checks its full network's excitatory rate below 10
# spikes/s; this small noisy variant spans 8-31 spikes/s over seeds, so that bound is not its.
source "$(dirname "$0")/common.sh"
script="$SOURCE_DIR/examples/make_hpc_benchmark.py"
/usr/bin/python3 "$script" -o "$WORK/s1.toml"
/usr/bin/python3 "$script" --scale 2 -o "$WORK/s2.toml"
cmp -s <(grep -v '^#' "$WORK/s1.toml") <(grep -v '^#' "$SOURCE_DIR/examples/hpc_benchmark.toml") ||
  fail "examples/hpc_benchmark.toml is not what make_hpc_benchmark.py --scale 1 writes"
/usr/bin/python3 - "$WORK/s1.toml" "$WORK/s2.toml" <<'PY'
import math, sys, tomllib
c1, c2 = (tomllib.load(open(p, "rb")) for p in sys.argv[1:3])
assert c1["population"]["E"]["size"] == 9000 and c1["population"]["I"]["size"] == 2250
assert c2["population"]["E"]["size"] == 18000 and c2["population"]["I"]["size"] == 4500
# Only the sizes depend on the scale: --set population.E.size / I.size rescales the same way.
for c in (c1, c2):
    c["population"]["E"]["size"] = c["population"]["I"]["size"] = 0
assert c1 == c2
j = 45.609600316540956  # 0.14 mV through NEST's convert_synapse_weight (Lambert W form)
for name, p in c1["projection"].items():
    assert p["rule"] == "fixed_indegree" and p["autapses"] is False and p["multapses"] is True
    assert p["indegree"] == (9000 if p["source"] == "E" else 2250), name
    assert p["synapse"] == "alpha_current" and p["delay"] == 1.5, name
    assert abs(p["weight"] - (j if p["source"] == "E" else -5.0 * j)) < 1e-9, name
    assert ("plasticity" in p) == (name == "EE"), name
pl = c1["projection"]["EE"]["plasticity"]
assert (pl["rule"], pl["lambda"], pl["alpha"], pl["mu"], pl["tau_plus"], pl["tau_minus"]) == \
    ("power_law", 0.1, 0.0513, 0.4, 15.0, 30.0)
tau_s = c1["projection"]["EE"]["tau_syn"]
nu_th = 20.0 / (9000 * 10.0 / 250.0 * j * math.e * tau_s)  # 1/ms
for t in ("E", "I"):
    i = c1["input"][f"drive_{t}"]
    assert abs(i["rate"] - 1.685 * nu_th * 9000 * 1000.0) < 1e-6 and abs(i["weight"] - j) < 1e-9
    assert c1["population"][t]["V_m"] == {"normal": [5.7, 7.2]}
print("ok: generator matches NEST's hpc_benchmark parameters; only the sizes scale")
PY
"$MYELIN" validate "$SOURCE_DIR/examples/hpc_benchmark.toml" --quiet \
  --set population.E.size=18000 --set population.I.size=4500 ||
  fail "rescaling by --set does not validate"

mpi_run 2 1 run "$SOURCE_DIR/tests/data/hpc_benchmark_small.toml" -o "$WORK/small.h5" --quiet
cd "$SOURCE_DIR"
/usr/bin/python3 - "$WORK/small.h5" <<'PY'
import sys
import h5py
from analysis.reader import open_result
with open_result(sys.argv[1]):  # refuses an incomplete file
    pass
with h5py.File(sys.argv[1]) as f:
    t_stop = float(f["meta"].attrs["t_stop"])
    for pop in ("E", "I"):
        t = f[f"spikes/{pop}/timestamps"][:]
        n = int(f[f"spikes/{pop}"].attrs["size"])
        rate = (t > 50.0).sum() / n / ((t_stop - 50.0) * 1e-3)  # after NEST's 50 ms presim
        print(f"{pop}: {rate:.2f} spikes/s over 50-{t_stop:g} ms")
        assert rate > 1.0, (pop, rate)
        # Not runaway (t_ref = 0.5 ms allows 2 kHz). This small, noisy variant is not NEST's
        # network: over seeds 1-4 its E rate spans 8-31 spikes/s (measured with two random
        # streams), so a tighter bound would only test the luck of one seed.
        assert rate < 50.0, (pop, rate)
PY
echo "ok: the down-scaled hpc_benchmark fires, E and I between 1 and 50 spikes/s"
