#!/usr/bin/python3
"""The STDP window, end to end: forced spike pairs through a whole simulation.

    stdp_window.py write CONFIG.toml --rule R --pairing P --delay D --dendritic DD
    stdp_window.py check RESULT.h5

`write` makes a config of two spike_source populations (pre, post) of 41 neurons joined
one_to_one by a plastic delta synapse; pair i has Δt_i = -100 + 5 i ms between the post spike's
and the pre spike's arrivals at the synapse, and every pre neuron fires a probe spike 2 s later so
that potentiation is applied (weights change only when a pre spike arrives). `check` compares
every final weight with the closed form Δw = A+ f+(w0) exp(-Δt/τ+) (Δt >= 0) or
-A- f-(w0) exp(Δt/τ-) (Δt < 0) (power_law: λ w0^μ exp(-Δt/τ+) and -λ α w0 exp(Δt/τ-)); the probe's own depression, exp(-2000/τ-), is far below the
tolerance. Exit 0 when every weight is within 1e-12, else 1.
"""
import argparse
import math
import sys

import h5py
import numpy as np

LAGS = [-100.0 + 5.0 * i for i in range(41)]
T_PRE = 200.0
T_PROBE = 2200.0
W0, A_PLUS, A_MINUS, TAU_PLUS, TAU_MINUS = 0.5, 0.01, 0.012, 16.8, 33.7
# power_law (NEST stdp_pl_synapse_hom): dw+ = lambda w^mu x, dw- = -lambda alpha w y.
LAMBDA, ALPHA, MU = 0.02, 1.05, 0.4


def write(path, rule, pairing, delay, dendritic):
    arrival = T_PRE + delay - dendritic
    post = [round(arrival + lag - dendritic, 1) for lag in LAGS]
    pre = [[T_PRE, T_PROBE]] * len(LAGS)
    amplitudes = (f"lambda = {LAMBDA}, alpha = {ALPHA}, mu = {MU}" if rule == "power_law"
                  else f"A_plus = {A_PLUS}, A_minus = {A_MINUS}")
    with open(path, "w") as f:
        f.write(f"""[simulation]
dt = 0.1
t_stop = {T_PROBE + 10.0}
seed = 1

[population.pre]
model = "spike_source"
size = {len(LAGS)}
spike_times = {pre}

[population.post]
model = "spike_source"
size = {len(LAGS)}
spike_times = {[[t] for t in post]}

[projection.stdp]
source = "pre"
target = "post"
rule = "one_to_one"
synapse = "delta"
weight = {W0}
delay = {delay}
plasticity = {{ rule = "{rule}", pairing = "{pairing}", {amplitudes}, tau_plus = {TAU_PLUS}, tau_minus = {TAU_MINUS}, w_min = 0.0, w_max = 1.0, dendritic_delay = {dendritic} }}
""")


def check(path):
    with h5py.File(path, "r") as f:
        g = f["weights/stdp"]
        rule = g.attrs["rule"]
        rule = rule.decode() if isinstance(rule, bytes) else str(rule)
        multiplicative = rule == "multiplicative"
        order = np.argsort(g["target"][()])  # columns are in (target, source) order already
        final = g["weight"][-1][order]
        # The spikes really were where the protocol put them.
        assert len(f["spikes/pre/timestamps"]) == 2 * len(LAGS)
        assert len(f["spikes/post/timestamps"]) == len(LAGS)
    worst = 0.0
    for i, lag in enumerate(LAGS):
        if rule == "power_law":
            expected = (W0 + LAMBDA * W0**MU * math.exp(-lag / TAU_PLUS) if lag >= 0
                        else W0 - LAMBDA * ALPHA * W0 * math.exp(lag / TAU_MINUS))
        elif lag >= 0:
            expected = W0 + A_PLUS * ((1.0 - W0) if multiplicative else 1.0) * math.exp(-lag / TAU_PLUS)
        else:
            expected = W0 - A_MINUS * (W0 if multiplicative else 1.0) * math.exp(lag / TAU_MINUS)
        worst = max(worst, abs(final[i] - expected))
        if abs(final[i] - expected) > 1e-12:
            print(f"lag {lag} ms: weight {final[i]!r}, closed form {expected!r}")
    print(f"{path}: {len(LAGS)} pairs, max |w - closed form| = {worst:.3g}")
    return 0 if worst <= 1e-12 else 1


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    w = sub.add_parser("write")
    w.add_argument("config")
    w.add_argument("--rule", default="additive")
    w.add_argument("--pairing", default="all_to_all")
    w.add_argument("--delay", type=float, default=1.0)
    w.add_argument("--dendritic", type=float, default=0.0)
    c = sub.add_parser("check")
    c.add_argument("result")
    a = ap.parse_args()
    if a.cmd == "write":
        write(a.config, a.rule, a.pairing, a.delay, a.dendritic)
        return 0
    return check(a.result)


if __name__ == "__main__":
    sys.exit(main())
