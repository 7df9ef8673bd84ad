"""``python3 -m analysis.raster RUN.h5 -o raster.png``: spike raster with population rate below."""

from __future__ import annotations

import argparse

from analysis import _cli, measures, plots, run_measures


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python3 -m analysis.raster",
                                     description="Spike raster and population rate of a run.")
    _cli.add_run_arguments(parser)
    parser.add_argument("--population", help="population (default: the only one)")
    parser.add_argument("--bin", type=float, default=1.0, metavar="MS",
                        help="population-rate bin width (default 1 ms)")
    parser.add_argument("-o", "--output", default="raster.png",
                        help="figure path; without suffix both .png and .pdf are written")
    return parser


def body(args) -> int:
    with _cli.opened_run(args.file, args.run, args.allow_incomplete, args.chain) as run:
        pop = run_measures.pick("population", args.population, run.populations(),
                                f"{run.label} /spikes")
        lo, hi = run_measures.window(run, args.t_range)
        ids, times = run.spikes(pop, t_range=(lo, hi))
        centres, rate = measures.population_rate(times, run.population_size(pop), args.bin,
                                                 lo, hi)
        size, label = run.population_size(pop), run.label
    fig, (top, bottom) = plots.plt.subplots(
        2, 1, sharex=True, figsize=(8, 5), height_ratios=(3, 1), layout="constrained")
    plots.plot_raster(ids, times, ax=top, n_neurons=size,
                      title=f"{label}: {pop} ({ids.size} spikes)")
    top.set_xlabel("")
    plots.plot_rate(centres, rate, ax=bottom)
    bottom.set_xlim(lo, hi)
    for path in plots.save(fig, args.output):
        print(f"wrote {path}")
    return 0


def main(argv=None) -> int:
    return _cli.run_main(body, build_parser(), argv)


if __name__ == "__main__":
    raise SystemExit(main())
