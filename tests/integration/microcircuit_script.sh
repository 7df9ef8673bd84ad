#!/usr/bin/env bash
# examples/make_microcircuit.py against the published model description: population sizes,
# total synapse numbers (each inverts to its connection probability), PSP -> PSC (0.15 mV is
# 87.81 pA), the doubled L4E -> L23E weight, the dc drive nu K_ext w tau_s; and a 2 % scale
# config (dc and Poisson drive) that myelin validates.
source "$(dirname "$0")/common.sh"
script="$SOURCE_DIR/examples/make_microcircuit.py"
/usr/bin/python3 "$script" -o "$WORK/full.toml"
/usr/bin/python3 - "$WORK/full.toml" <<'PY'
import math, sys, tomllib
c = tomllib.load(open(sys.argv[1], "rb"))
names = ["L23E", "L23I", "L4E", "L4I", "L5E", "L5I", "L6E", "L6I"]
sizes = [20683, 5834, 21915, 5479, 4850, 1065, 14395, 2948]
probs = [[0.1009, 0.1689, 0.0437, 0.0818, 0.0323, 0.0, 0.0076, 0.0],
         [0.1346, 0.1371, 0.0316, 0.0515, 0.0755, 0.0, 0.0042, 0.0],
         [0.0077, 0.0059, 0.0497, 0.135, 0.0067, 0.0003, 0.0453, 0.0],
         [0.0691, 0.0029, 0.0794, 0.1597, 0.0033, 0.0, 0.1057, 0.0],
         [0.1004, 0.0622, 0.0505, 0.0057, 0.0831, 0.3726, 0.0204, 0.0],
         [0.0548, 0.0269, 0.0257, 0.0022, 0.06, 0.3158, 0.0086, 0.0],
         [0.0156, 0.0066, 0.0211, 0.0166, 0.0572, 0.0197, 0.0396, 0.2252],
         [0.0364, 0.001, 0.0034, 0.0005, 0.0277, 0.008, 0.0658, 0.1443]]
pops, projs, inputs = c["population"], c["projection"], c["input"]
assert [pops[n]["size"] for n in names] == sizes
assert sum(sizes) == 77169
total = 0
for t, target in enumerate(names):
    for s, source in enumerate(names):
        key = f"{source}_to_{target}"
        if probs[t][s] == 0.0:
            assert key not in projs, key
            continue
        p = projs[key]
        assert p["rule"] == "fixed_total_number" and p["autapses"] and p["multapses"]
        pairs = sizes[s] * sizes[t]
        # Q pairs drawn with replacement connect a given pair with probability 1-(1-1/pairs)^Q.
        got = -math.expm1(p["n"] * math.log1p(-1.0 / pairs))
        assert abs(got - probs[t][s]) < 1e-6, (key, got, probs[t][s])
        mean, sd = p["weight"]["normal"]
        j = 87.8085 * (2 if key == "L4E_to_L23E" else 1) * (1 if s % 2 == 0 else -4)
        assert abs(mean - j) < 1e-3 and abs(sd - 0.1 * abs(j)) < 1e-4, (key, mean, j)
        assert ("min" in p["weight"]) == (s % 2 == 0) and ("max" in p["weight"]) == (s % 2 == 1)
        d = 1.5 if s % 2 == 0 else 0.75
        assert p["delay"]["normal"] == [d, 0.5 * d] and p["delay"]["min"] == 0.1, key
        total += p["n"]
assert 2.98e8 < total < 2.99e8, total
k_ext = [1600, 1500, 2100, 1900, 2000, 1900, 2900, 2100]
for t, target in enumerate(names):
    amp = inputs[f"dc_{target}"]["amplitude"]
    assert abs(amp - 8.0 * k_ext[t] * 87.8085 * 0.5e-3) < 1e-3, (target, amp)
print(f"ok: {len(projs)} projections, {total} synapses, weights, delays and dc drive as published")
PY
# A 2 % scale config validates (dc and Poisson drive, bounded normal delays).
for drive in dc poisson; do
  /usr/bin/python3 "$script" -o "$WORK/small.toml" --input "$drive" --n-scaling 0.02 --k-scaling 0.5
  "$MYELIN" validate "$WORK/small.toml" --quiet || fail "$drive: the generated config does not validate"
done
echo "ok: the generated 2 % scale configs validate (dc and Poisson drive)"
