#!/usr/bin/env bash
# The down-scaled microcircuit (5 % of the neurons, 25 % of the in-degrees, with the model's
# own compensation of the lost input): the statistics that survive down-scaling. Every
# population's mean rate over 200-600 ms lies within a factor 1.5 of the published full-scale
# rate, inhibitory populations fire faster than the excitatory ones of their layer, and the
# ISI CVs are those of irregular firing (0.2-1.5).
source "$(dirname "$0")/common.sh"
config="$SOURCE_DIR/tests/data/microcircuit_small.toml"
mpi_run 2 1 run "$config" -o "$WORK/mc.h5" --quiet --threads 1
cd "$SOURCE_DIR"
/usr/bin/python3 -m analysis.microcircuit "$WORK/mc.h5" --discard 200 --json "$WORK/mc.json"
/usr/bin/python3 - "$WORK/mc.json" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
for pop, v in s.items():
    ratio = v["mean_rate_hz"] / v["published_hz"]
    assert 1 / 1.5 < ratio < 1.5, (pop, v["mean_rate_hz"], v["published_hz"])
    assert 0.2 < v["mean_isi_cv"] < 1.5, (pop, v["mean_isi_cv"])
for layer in ("L23", "L4", "L5", "L6"):
    assert s[layer + "I"]["mean_rate_hz"] > s[layer + "E"]["mean_rate_hz"], layer
PY
echo "ok: down-scaled microcircuit rates within 1.5x of the published ones, I > E, irregular"
