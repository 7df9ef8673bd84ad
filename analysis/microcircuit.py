"""``python3 -m analysis.microcircuit RUN.h5 [-o microcircuit.png] [--json table.json]``

Validation of the cortical microcircuit (Potjans & Diesmann 2014) as its maintainers ask: discard
the first 500 ms, then per population the mean rate (against the published full-scale rates),
the distribution of per-neuron rates and of ISI CVs. The figure: a raster of every layer over
200 ms, and the rate and CV distributions per population.
"""

from __future__ import annotations

import argparse
import json
import sys

import numpy as np

from analysis import measures
from analysis.reader import open_result

POPULATIONS = ["L23E", "L23I", "L4E", "L4I", "L5E", "L5I", "L6E", "L6I"]
# Published full-scale mean rates (spikes/s), INM-6/microcircuit-PD14-model.
PUBLISHED_HZ = dict(zip(POPULATIONS, [0.903, 2.965, 4.414, 5.876, 7.569, 8.633, 1.105, 7.829]))


def population_statistics(run, pop: str, t_from: float, t_to: float) -> dict:
    ids, times = run.spikes(pop, t_range=(t_from, t_to))
    n = run.population_size(pop)
    duration_s = (t_to - t_from) * 1e-3
    counts = np.bincount(ids.astype(np.int64), minlength=n)[:n]
    rates = counts / duration_s
    per_neuron_cv, mean_cv = measures.isi_cv(ids, times)
    cvs = np.array(list(per_neuron_cv.values()))
    return {"neurons": int(n), "spikes": int(times.size),
            "mean_rate_hz": float(measures.mean_rate(times, n, t_to - t_from)),
            "published_hz": PUBLISHED_HZ.get(pop), "rate_sd_hz": float(rates.std()),
            "rate_quartiles_hz": [float(q) for q in np.percentile(rates, [25, 50, 75])],
            "silent_fraction": float(np.mean(counts == 0)), "mean_isi_cv": mean_cv,
            "cv_quartiles": [float(q) for q in np.percentile(cvs, [25, 50, 75])] if cvs.size else None,
            "_rates": rates, "_cvs": cvs}


def figure(run, stats: dict, t_from: float, path: str) -> None:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    fig = plt.figure(figsize=(12, 8))
    grid = fig.add_gridspec(2, 3, width_ratios=[2, 1, 1])
    ax = fig.add_subplot(grid[:, 0])
    offset, ticks = 0, []
    window = (t_from, t_from + 200.0)
    for pop in POPULATIONS[::-1]:
        ids, times = run.spikes(pop, t_range=window)
        n = run.population_size(pop)
        keep = ids % max(1, n // 400) == 0  # every k-th neuron: about 400 rows per population
        color = "tab:blue" if pop.endswith("E") else "tab:red"
        ax.plot(times[keep], ids[keep] * 400.0 / n + offset, ",", color=color)
        ticks.append((offset + 200, pop))
        offset += 420
    ax.set_yticks([t for t, _ in ticks], [p for _, p in ticks])
    ax.set_xlabel("time (ms)")
    ax.set_title("raster (a sample of each population)")
    ax_rate = fig.add_subplot(grid[0, 1:])
    ax_cv = fig.add_subplot(grid[1, 1:])
    ax_rate.boxplot([stats[p]["_rates"] for p in POPULATIONS], showfliers=False)
    ax_rate.plot(range(1, 9), [PUBLISHED_HZ[p] for p in POPULATIONS], "k*", label="published mean")
    ax_rate.plot(range(1, 9), [stats[p]["mean_rate_hz"] for p in POPULATIONS], "o", mfc="none",
                 color="tab:green", label="Myelin mean")
    ax_rate.set_xticks(range(1, 9), POPULATIONS)
    ax_rate.set_ylabel("rate per neuron (spikes/s)")
    ax_rate.legend()
    ax_cv.boxplot([stats[p]["_cvs"] if stats[p]["_cvs"].size else [np.nan] for p in POPULATIONS],
                  showfliers=False)
    ax_cv.set_xticks(range(1, 9), POPULATIONS)
    ax_cv.set_ylabel("ISI CV per neuron")
    fig.tight_layout()
    fig.savefig(path, dpi=110)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python3 -m analysis.microcircuit", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("file")
    parser.add_argument("--discard", type=float, default=500.0, metavar="MS")
    parser.add_argument("-o", "--output", default=None, help="figure path (png)")
    parser.add_argument("--json", default=None, help="write the table as JSON here")
    parser.add_argument("--allow-incomplete", action="store_true")
    args = parser.parse_args(argv)
    run = open_result(args.file, allow_incomplete=args.allow_incomplete)
    t_to = run.t_stop
    if t_to <= args.discard:
        print(f"{args.file}: t_stop {t_to} ms is not beyond the discarded {args.discard} ms",
              file=sys.stderr)
        return 2
    stats = {p: population_statistics(run, p, args.discard, t_to) for p in POPULATIONS}
    print(f"{'pop':5} {'rate (Hz)':>9} {'published':>9} {'ratio':>6} {'rate IQR':>15} {'CV':>5} {'silent':>6}")
    for p in POPULATIONS:
        s = stats[p]
        q = s["rate_quartiles_hz"]
        print(f"{p:5} {s['mean_rate_hz']:9.3f} {s['published_hz']:9.3f} "
              f"{s['mean_rate_hz'] / s['published_hz']:6.2f} {q[0]:6.2f}-{q[2]:<8.2f} "
              f"{s['mean_isi_cv']:5.2f} {s['silent_fraction']:6.1%}")
    if args.output:
        figure(run, stats, args.discard, args.output)
    if args.json:
        with open(args.json, "w") as f:
            json.dump({p: {k: v for k, v in s.items() if not k.startswith("_")}
                       for p, s in stats.items()}, f, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
