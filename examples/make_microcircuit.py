#!/usr/bin/python3
"""Write examples/microcircuit.toml: the cortical microcircuit of Potjans & Diesmann (2014).

    make_microcircuit.py [-o examples/microcircuit.toml] [--input dc|poisson]
                         [--n-scaling 1.0] [--k-scaling 1.0] [--t-stop 10500] [--seed 55]

Every number comes from the tables in docs/microcircuit_parameters.md (the INM-6
microcircuit-PD14-model description and NEST's examples/Potjans_2014): 8 populations of LIF
neurons with exponential current synapses (NEST iaf_psc_exp), connection probabilities turned
into total synapse numbers, J = 0.15 mV as a PSC amplitude in pA, g = -4, L4E -> L23E doubled,
normal weights (CV 0.1) and delays (1.5 / 0.75 ms, CV 0.5) redrawn to keep their sign and
delays >= dt, "optimized" initial V_m, and the cortico-cortical drive as dc or Poisson input.

Projections use rule = "fixed_total_number" with n synapses between uniformly drawn pairs
(autapses and multapses allowed, as NEST's fixed_total_number by default), the rule the network
builder is adding. Down-scaling follows the model's own recipe: N_x -> n_scaling N_x, synapse
numbers -> n_scaling k_scaling Q, weights / sqrt(k_scaling), and a dc current that restores the
mean input of the full-scale network (its published rates).
"""
import argparse
import math
import sys

POPULATIONS = ["L23E", "L23I", "L4E", "L4I", "L5E", "L5I", "L6E", "L6I"]
N_FULL = [20683, 5834, 21915, 5479, 4850, 1065, 14395, 2948]
# C[target][source], order of POPULATIONS.
CONN_PROBS = [
    [0.1009, 0.1689, 0.0437, 0.0818, 0.0323, 0.0, 0.0076, 0.0],
    [0.1346, 0.1371, 0.0316, 0.0515, 0.0755, 0.0, 0.0042, 0.0],
    [0.0077, 0.0059, 0.0497, 0.135, 0.0067, 0.0003, 0.0453, 0.0],
    [0.0691, 0.0029, 0.0794, 0.1597, 0.0033, 0.0, 0.1057, 0.0],
    [0.1004, 0.0622, 0.0505, 0.0057, 0.0831, 0.3726, 0.0204, 0.0],
    [0.0548, 0.0269, 0.0257, 0.0022, 0.06, 0.3158, 0.0086, 0.0],
    [0.0156, 0.0066, 0.0211, 0.0166, 0.0572, 0.0197, 0.0396, 0.2252],
    [0.0364, 0.001, 0.0034, 0.0005, 0.0277, 0.008, 0.0658, 0.1443],
]
K_EXT = [1600, 1500, 2100, 1900, 2000, 1900, 2900, 2100]
FULL_RATES = [0.903, 2.965, 4.414, 5.876, 7.569, 8.633, 1.105, 7.829]  # spikes/s
V0_MEAN = [-68.28, -63.16, -63.33, -63.45, -63.11, -61.66, -66.72, -61.43]  # mV, "optimized"
V0_SD = [5.36, 4.57, 4.74, 4.94, 4.94, 4.55, 5.46, 4.48]  # mV
NEURON = dict(C_m=250.0, tau_m=10.0, E_L=-65.0, V_th=-50.0, V_reset=-65.0, t_ref=2.0)
TAU_SYN = 0.5  # ms
PSP_EXC = 0.15  # mV
G = -4.0
WEIGHT_CV = 0.1
DELAY_EXC, DELAY_INH, DELAY_CV = 1.5, 0.75, 0.5  # ms
BG_RATE = 8.0  # spikes/s per cortico-cortical input
DT = 0.1  # ms


def psc_over_psp(c_m, tau_m, tau_s):
    """pA per mV: the peak of the PSP of a unit exponential current (t_max from dV/dt = 0)."""
    t_max = math.log(tau_m / tau_s) * tau_m * tau_s / (tau_m - tau_s)
    peak = tau_m * tau_s / (c_m * (tau_m - tau_s)) * (math.exp(-t_max / tau_m) - math.exp(-t_max / tau_s))
    return 1.0 / peak


def total_synapses(c, n_pre, n_post):
    """Synapses Q that give connection probability c between distinct pairs when Q pairs are
    drawn with replacement: 1 - (1 - 1/(N_pre N_post))^Q = c."""
    if c == 0.0:
        return 0.0
    prod = float(n_pre) * float(n_post)
    return math.log(1.0 - c) / math.log((prod - 1.0) / prod)


def psp_matrix():
    m = [[PSP_EXC if s % 2 == 0 else G * PSP_EXC for s in range(8)] for _ in range(8)]
    m[0][2] = 2.0 * PSP_EXC  # L4E -> L23E doubled
    return m


def build(n_scaling, k_scaling, drive):
    unit = psc_over_psp(NEURON["C_m"], NEURON["tau_m"], TAU_SYN)
    psc = [[p * unit for p in row] for row in psp_matrix()]
    psc_ext = PSP_EXC * unit
    q_full = [[total_synapses(CONN_PROBS[t][s], N_FULL[s], N_FULL[t]) for s in range(8)] for t in range(8)]
    sizes = [int(n_scaling * n) for n in N_FULL]
    q = [[int(round(q_full[t][s] * n_scaling * k_scaling)) for s in range(8)] for t in range(8)]
    k_ext = [int(round(k * k_scaling)) for k in K_EXT]
    root = math.sqrt(k_scaling)
    dc = [0.0] * 8
    if drive == "dc":
        # The mean current of K_ext Poisson inputs of BG_RATE: nu K w tau_s.
        dc = [BG_RATE * K_EXT[t] * psc_ext * TAU_SYN * 1e-3 for t in range(8)]
    if k_scaling != 1.0:
        # Weights / sqrt(k) keep the variance; a dc current restores the lost mean input.
        for t in range(8):
            rec = sum(psc[t][s] * q_full[t][s] / N_FULL[t] * FULL_RATES[s] for s in range(8))
            dc[t] += 1e-3 * TAU_SYN * (1.0 - root) * rec
            if drive == "poisson":
                dc[t] += 1e-3 * TAU_SYN * (1.0 - root) * psc_ext * K_EXT[t] * BG_RATE
        psc = [[w / root for w in row] for row in psc]
        psc_ext /= root
    return sizes, q, psc, psc_ext, k_ext, dc


def toml_text(args):
    sizes, q, psc, psc_ext, k_ext, dc = build(args.n_scaling, args.k_scaling, args.input)
    out = [
        "# The cortical microcircuit of Potjans & Diesmann (2014), written by",
        f"# examples/make_microcircuit.py --input {args.input} --n-scaling {args.n_scaling} "
        f"--k-scaling {args.k_scaling}",
        "# Parameters and sources: docs/microcircuit_parameters.md.",
        "",
        "[simulation]",
        f"dt = {DT}",
        f"t_stop = {args.t_stop}",
        f"seed = {args.seed}",
        "",
    ]
    for i, name in enumerate(POPULATIONS):
        out += [f"[population.{name}]", 'model = "lif"', f"size = {sizes[i]}"]
        out += [f"{k} = {v}" for k, v in NEURON.items()]
        out += [f"V_m = {{ normal = [{V0_MEAN[i]}, {V0_SD[i]}] }}", ""]
    for t, target in enumerate(POPULATIONS):
        if args.input == "poisson":
            out += [f"[input.bg_{target}]", 'type = "poisson"', f'target = "{target}"',
                    f"rate = {k_ext[t] * BG_RATE}  # K_ext x {BG_RATE} spikes/s",
                    f"weight = {psc_ext!r}", 'synapse = "exp_current"', f"tau_syn = {TAU_SYN}", ""]
        if dc[t] != 0.0:
            out += [f"[input.dc_{target}]", 'type = "dc"', f'target = "{target}"',
                    f"amplitude = {dc[t]!r}", ""]
    for t, target in enumerate(POPULATIONS):
        for s, source in enumerate(POPULATIONS):
            if q[t][s] == 0:
                continue
            w = psc[t][s]
            bound = "min = 0.0" if w > 0 else "max = 0.0"
            d = DELAY_EXC if s % 2 == 0 else DELAY_INH
            out += [
                f"[projection.{source}_to_{target}]",
                f'source = "{source}"',
                f'target = "{target}"',
                'rule = "fixed_total_number"',
                f"n = {q[t][s]}",
                "autapses = true",
                "multapses = true",
                'synapse = "exp_current"',
                f"tau_syn = {TAU_SYN}",
                f"weight = {{ normal = [{w!r}, {abs(w) * WEIGHT_CV!r}], {bound} }}",
                f"delay = {{ normal = [{d}, {d * DELAY_CV}], min = {DT} }}",
                "",
            ]
    out += ["[output]", f'file = "microcircuit.h5"', "flush_interval = 100.0", ""]
    # Populations differ tenfold in in-degree: blocks balanced by expected incoming synapses
    # (measured: 149.4 M synapses on each of 2 ranks, against 168 M / 131 M in equal blocks).
    out += ["[partition]", 'method = "balanced"', ""]
    return "\n".join(out)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("-o", "--output", default="examples/microcircuit.toml")
    ap.add_argument("--input", choices=["dc", "poisson"], default="dc")
    ap.add_argument("--n-scaling", type=float, default=1.0)
    ap.add_argument("--k-scaling", type=float, default=1.0)
    ap.add_argument("--t-stop", type=float, default=10500.0, help="ms (discard the first 500)")
    ap.add_argument("--seed", type=int, default=55)
    args = ap.parse_args()
    if not (0 < args.n_scaling <= 1 and 0 < args.k_scaling <= 1):
        ap.error("--n-scaling and --k-scaling must be in (0, 1]")
    text = toml_text(args)
    if args.output == "-":
        sys.stdout.write(text)
    else:
        with open(args.output, "w") as f:
            f.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
