"""``python3 -m analysis.sync_vs_p SWEEP.h5 -o sync_vs_p.png``: synchrony against rewiring p.

For every completed run of a sweep, computes one synchrony measure; groups runs by the value of
the rewiring-probability key (the single ``/sweep/params/*.p`` key, or ``--key``); reports the
mean and SD (or SEM) over seeds with the normalised clustering C(p)/C(0) and path length
L(p)/L(0) read from ``/runs/<name>/projections/<proj>`` attributes.

C(0), L(0) are the means over the p = 0 runs when the sweep has any; otherwise the ring-lattice
closed forms C0 = 3(k−2)/(4(k−1)) and L0 = n/(2k) (k = lattice degree, n = neurons), with k and
n from --k/--n or else from the run's config (projection.<proj>.k, population.<source>.size).

Failed runs (marked failed in /sweep/complete, or whose group is missing or partial) are
counted and listed on stdout, never silently dropped; runs whose measure is undefined (NaN,
e.g. no spikes) are reported too and left out of the mean.
"""

from __future__ import annotations

import argparse
import math
import tomllib
from collections import defaultdict
from pathlib import Path
from typing import Optional

import numpy as np

from analysis import _cli, plots, run_measures
from analysis.reader import (IncompleteResultError, MyelinFileError, Sweep, UnknownNameError,
                             open_result)


def p_key(sweep: Sweep, given: Optional[str]) -> str:
    """``given``, or the single varied key whose last component is ``p``."""
    keys = sweep.param_keys()
    if given is not None:
        if given not in keys:
            raise UnknownNameError(f"{sweep.label}: no /sweep/params/{given}; "
                                   f"varied keys: {', '.join(keys) or '(none)'}")
        return given
    candidates = [k for k in keys if k.split(".")[-1] == "p"]
    if len(candidates) != 1:
        raise UnknownNameError(f"{sweep.label}: cannot tell the p key among "
                               f"{', '.join(keys) or '(none)'}; give --key")
    return candidates[0]


def pick_projection(run, key: str, given: Optional[str]) -> Optional[str]:
    """The small-world projection for C and L: ``given``, the one named in the key
    (projection.<name>.p), or the only one with a clustering attribute; None if none has."""
    names = run.projections()
    if given is not None:
        run.projection_attrs(given)  # raises naming the existing ones
        return given
    parts = key.split(".")
    if len(parts) == 3 and parts[0] == "projection" and parts[1] in names:
        return parts[1]
    small_worlds = [n for n in names if "clustering" in run.projection_attrs(n)]
    return small_worlds[0] if len(small_worlds) == 1 else None


def collect(sweep: Sweep, key: str, args) -> tuple:
    """(rows, failed, projection): one row per usable run; failed = [(name, reason)]."""
    rows, failed = [], []
    projection = args.projection
    for entry in sweep.index():
        name = entry["name"]
        if not entry["complete"]:
            failed.append((name, entry["error"] or "marked failed in /sweep/complete"))
            continue
        try:
            run = sweep.run(name)
        except (IncompleteResultError, UnknownNameError) as e:
            failed.append((name, f"marked complete but unreadable: {e}"))
            continue
        if projection is None:
            projection = pick_projection(run, key, None)
        attrs = run.projection_attrs(projection) if projection else {}
        rows.append({
            "name": name,
            "seed": entry["seed"],
            "p": entry["params"][key],
            "value": run_measures.measure(
                run, args.measure, population=args.population, variable=args.variable,
                t_range=args.t_range, bin_ms=args.bin, max_pairs=args.max_pairs),
            "C": float(attrs.get("clustering", math.nan)),
            "L": float(attrs.get("mean_path_length", math.nan)),
            "config": run.config,
        })
    return rows, failed, projection


def baseline(rows: list, projection: Optional[str], k: Optional[int], n: Optional[int]):
    """(C0, L0, how): from the p = 0 runs, else the ring-lattice closed form."""
    zero = [r for r in rows if r["p"] == 0]
    if zero:
        return (float(np.nanmean([r["C"] for r in zero])),
                float(np.nanmean([r["L"] for r in zero])), f"mean of {len(zero)} p = 0 run(s)")
    if (k is None or n is None) and projection and rows:
        # No lattice run in the sweep: take k and n from the network the runs simulated.
        config = tomllib.loads(rows[0]["config"]) if rows[0]["config"] else {}
        proj = config.get("projection", {}).get(projection, {})
        k = k if k is not None else proj.get("k")
        source = proj.get("source")
        n = n if n is not None else config.get("population", {}).get(source, {}).get("size")
    if k is None or n is None:
        raise ValueError("no p = 0 runs and k, n unknown: give --k and --n for the ring-lattice "
                         "C0 = 3(k-2)/(4(k-1)), L0 = n/(2k)")
    return 3 * (k - 2) / (4 * (k - 1)), n / (2 * k), f"ring lattice closed form, k={k}, n={n}"


def summarise(rows: list, error: str) -> list:
    """Per p: runs used, undefined, mean and error of the measure, mean C and L."""
    by_p = defaultdict(list)
    for r in rows:
        by_p[r["p"]].append(r)
    table = []
    for p in sorted(by_p):
        group = by_p[p]
        values = np.array([r["value"] for r in group], dtype=float)
        ok = values[np.isfinite(values)]
        sd = float(ok.std(ddof=1)) if ok.size > 1 else 0.0  # one seed: no spread to show
        table.append({
            "p": p,
            "n": int(ok.size),
            "undefined": [r["name"] for r, v in zip(group, values) if not np.isfinite(v)],
            "mean": float(ok.mean()) if ok.size else math.nan,
            "err": sd / math.sqrt(ok.size) if error == "sem" and ok.size else sd,
            "C": float(np.nanmean([r["C"] for r in group])) if group else math.nan,
            "L": float(np.nanmean([r["L"] for r in group])) if group else math.nan,
        })
    return table


def format_table(table: list, c0: float, l0: float, measure: str, error: str) -> str:
    head = f"{'p':>10} {'runs':>5} {measure:>12} {error.upper():>10} {'C/C0':>8} {'L/L0':>8}"
    lines = [head, "-" * len(head)]
    for t in table:
        lines.append(f"{t['p']:>10.4g} {t['n']:>5d} {t['mean']:>12.5g} {t['err']:>10.3g} "
                     f"{t['C'] / c0:>8.4f} {t['L'] / l0:>8.4f}")
    return "\n".join(lines)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python3 -m analysis.sync_vs_p",
        description="Synchrony vs rewiring probability p over a sweep, with C(p)/C(0), L(p)/L(0).")
    parser.add_argument("file", help="sweep result file")
    parser.add_argument("-o", "--output", default="sync_vs_p.png",
                        help="figure path; without suffix both .png and .pdf are written")
    parser.add_argument("--measure", choices=run_measures.MEASURES, default="chi")
    parser.add_argument("--population", help="population (default: the only one)")
    parser.add_argument("--variable", default="V_m", help="trace variable for chi/sync_error")
    parser.add_argument("--projection", help="small-world projection for C and L "
                        "(default: from the key, or the only one with a clustering attribute)")
    parser.add_argument("--key", help="sweep parameter holding p (default: the single *.p key)")
    parser.add_argument("--error", choices=("sd", "sem"), default="sd",
                        help="error bars over seeds: standard deviation or standard error")
    parser.add_argument("--t-range", nargs=2, type=float, metavar=("T_LO", "T_HI"),
                        help="analysis window in ms (e.g. to skip the initial transient)")
    parser.add_argument("--bin", type=float, default=5.0, metavar="MS",
                        help="bin width for --measure correlation (default 5 ms)")
    parser.add_argument("--max-pairs", type=int, metavar="N",
                        help="correlation over N random pairs instead of all pairs")
    parser.add_argument("--k", type=int, help="lattice degree for the closed-form C0, L0")
    parser.add_argument("--n", type=int, help="neurons in the ring for the closed-form L0")
    parser.add_argument("--allow-incomplete", action="store_true",
                        help="analyse a sweep that did not finish (its completed runs)")
    return parser


def body(args) -> int:
    result = open_result(args.file, allow_incomplete=args.allow_incomplete)
    with result:
        if not isinstance(result, Sweep):
            raise MyelinFileError(f"{args.file} is a single run, not a sweep")
        key = p_key(result, args.key)
        others = [k for k in result.param_keys() if k != key]
        rows, failed, projection = collect(result, key, args)
        total = len(result)
    print(f"sweep {args.file}: {total} runs, {len(rows)} used, {len(failed)} failed; "
          f"p key {key}; measure {args.measure}; projection {projection or '(none)'}")
    if others:
        print(f"note: other varied keys ({', '.join(others)}) are pooled within each p")
    if not rows:
        for name, reason in failed:
            print(f"failed run {name}: {reason}")
        raise MyelinFileError(f"{args.file}: no completed runs to analyse")
    table = summarise(rows, args.error)
    has_graph = projection is not None and any(np.isfinite(r["C"]) for r in rows)
    c0, l0, how = baseline(rows, projection, args.k, args.n) if has_graph else (
        math.nan, math.nan, "no small-world projection")
    print(f"C(0) = {c0:.4g}, L(0) = {l0:.4g} ({how})")
    print(format_table(table, c0, l0, args.measure, args.error))
    for t in table:
        for name in t["undefined"]:
            print(f"undefined measure (left out): run {name} at p = {t['p']:g}")
    print(f"failed runs: {len(failed)}")
    for name, reason in failed:
        print(f"  {name}: {reason}")

    title = f"{Path(args.file).name}: {len(rows)} runs"
    if failed:
        title += f", {len(failed)} failed"
    fig = plots.plot_sync_vs_p(
        [t["p"] for t in table], [t["mean"] for t in table], [t["err"] for t in table],
        c_ratio=[t["C"] / c0 for t in table] if has_graph else None,
        l_ratio=[t["L"] / l0 for t in table] if has_graph else None,
        measure_label=run_measures.LABELS[args.measure], error_label=args.error.upper(),
        title=title, sync_ylim=(0, 1.05) if args.measure in ("chi", "kuramoto") else None)
    for path in plots.save(fig, args.output):
        print(f"wrote {path}")
    return 0


def main(argv=None) -> int:
    return _cli.run_main(body, build_parser(), argv)


if __name__ == "__main__":
    raise SystemExit(main())
