"""``python3 -m analysis.heatmap RUN.h5 -o heatmap.png``: recorded trace as time x neuron image."""

from __future__ import annotations

import argparse

import numpy as np

from analysis import _cli, plots, run_measures


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python3 -m analysis.heatmap",
                                     description="Heatmap of a recorded state variable.")
    _cli.add_run_arguments(parser)
    parser.add_argument("--population", help="traced population (default: the only one)")
    parser.add_argument("--variable", default="V_m", help="trace variable (default V_m)")
    parser.add_argument("--max-neurons", type=int, default=500, metavar="N",
                        help="read and show at most N evenly spaced recorded neurons "
                        "(default 500: more rows than pixels only costs memory)")
    parser.add_argument("-o", "--output", default="heatmap.png",
                        help="figure path; without suffix both .png and .pdf are written")
    return parser


def body(args) -> int:
    with _cli.opened_run(args.file, args.run, args.allow_incomplete, args.chain) as run:
        pop = run_measures.pick("population", args.population, run.trace_populations(),
                                f"{run.label} /traces")
        _, recorded = run.trace_shape(pop, args.variable)
        columns = None
        if args.max_neurons and recorded > args.max_neurons:
            columns = np.unique(np.linspace(0, recorded - 1, args.max_neurons).astype(int))
        trace = run.trace(pop, args.variable, t_range=args.t_range, neurons=columns)
        label = run.label
    fig = plots.plot_heatmap(trace.times, trace.node_ids, trace.values, units=trace.units,
                             label=args.variable,
                             title=f"{label}: {pop} {args.variable} "
                                   f"({trace.values.shape[1]} of {recorded} neurons)")
    for path in plots.save(fig, args.output):
        print(f"wrote {path}")
    return 0


def main(argv=None) -> int:
    return _cli.run_main(body, build_parser(), argv)


if __name__ == "__main__":
    raise SystemExit(main())
