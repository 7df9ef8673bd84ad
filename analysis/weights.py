"""Weights of plastic (STDP) projections: lazy reading, bimodality, figures, command line.

Layout written by the simulator for each plastic projection (times in ms)::

    /weights/<name>          attrs source_population, target_population, rule, pairing,
                             A_plus, A_minus, tau_plus, tau_minus, w_min, w_max, dendritic_delay
        source, target       uint64 [n_syn]  population-local indices
        delay                float64 [n_syn] ms
        times                float64 [n_snap] snapshot times (row 0 = initial weights)
        weight               float64 [n_snap x n_syn]
        stats/               times, mean, sd, min, max [n_stat]; histogram uint64
                             [n_stat x n_bins]; bin_edges [n_bins + 1]

Snapshots can be large (every synapse at every snapshot), so nothing is read until asked for;
the summary statistics are small and are what the figures use. When a file has no stats group
they are computed from the snapshots, a block of rows at a time.

``python3 -m analysis.weights RESULT.h5 -o weights.png [--projection NAME]`` draws the weight
histogram over time and the mean ± SD, and prints the final-weight bimodality.
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from typing import Optional, Sequence, Union

import h5py
import numpy as np

from analysis import _cli, plots
from analysis.reader import MyelinFileError, TimeRange, _scalar, _time_slice, intact_rows

DATASETS = ("source", "target", "delay", "times", "weight")


@dataclass
class WeightStats:
    """Summary of the weight distribution at each of ``times`` (ms)."""

    times: np.ndarray
    mean: np.ndarray
    sd: np.ndarray
    min: np.ndarray
    max: np.ndarray
    histogram: np.ndarray  # [times x bins] synapse counts
    bin_edges: np.ndarray  # [bins + 1]
    source: str = "recorded"  # or "snapshots" when computed here

    def fractions(self) -> np.ndarray:
        """Histogram rows normalised to fractions of synapses (all-zero rows stay zero)."""
        counts = np.asarray(self.histogram, dtype=float)
        totals = counts.sum(axis=1, keepdims=True)
        return np.divide(counts, totals, out=np.zeros_like(counts), where=totals > 0)


class WeightRecording:
    """Lazy view of /weights/<name>; use :meth:`analysis.reader.Run.weights`."""

    def __init__(self, group: h5py.Group, name: str, label: str):
        missing = [k for k in DATASETS if k not in group]
        if missing:
            raise MyelinFileError(f"{label}: not a weight recording (missing {', '.join(missing)})")
        self._group = group
        self.name = name
        self.label = label

    @property
    def params(self) -> dict:
        """All group attributes (rule, pairing, A_plus, ..., w_min, w_max) as Python values."""
        return {k: _scalar(v) for k, v in self._group.attrs.items()}

    def _attr(self, key: str, default=None):
        return self.params.get(key, default)

    @property
    def w_min(self) -> float:
        return float(self._attr("w_min", np.nan))

    @property
    def w_max(self) -> float:
        return float(self._attr("w_max", np.nan))

    @property
    def n_synapses(self) -> int:
        return int(self._group["weight"].shape[1])

    @property
    def n_snapshots(self) -> int:
        return intact_rows(self._group["times"])

    def sources(self) -> np.ndarray:
        return self._group["source"][()]

    def targets(self) -> np.ndarray:
        return self._group["target"][()]

    def delays(self) -> np.ndarray:
        return self._group["delay"][()]

    def times(self) -> np.ndarray:
        return self._group["times"][: intact_rows(self._group["times"])]

    def weights(self, t_range: TimeRange = None,
                synapses: Optional[Union[slice, Sequence[int]]] = None):
        """(times, values [snapshots x synapses]) for t_lo <= t < t_hi; only that block is read.
        ``synapses`` are row indices (default all)."""
        rows = _time_slice(self._group["times"], t_range)
        columns = slice(None) if synapses is None else synapses
        if not isinstance(columns, slice):
            columns = np.unique(np.asarray(columns, dtype=np.int64))
        return self._group["times"][rows], self._group["weight"][rows, columns]

    def initial(self) -> np.ndarray:
        return self._group["weight"][0, :]

    def final(self) -> np.ndarray:
        return self._group["weight"][self.n_snapshots - 1, :]

    @property
    def has_stats(self) -> bool:
        return "stats" in self._group

    def stats(self, t_range: TimeRange = None, bins: int = 20) -> WeightStats:
        """Recorded stats (rows with t_lo <= t < t_hi), else computed from the snapshots with
        ``bins`` bins on [w_min, w_max]."""
        if not self.has_stats:
            return self._stats_from_snapshots(t_range, bins)
        g = self._group["stats"]
        rows = _time_slice(g["times"], t_range)
        return WeightStats(times=g["times"][rows], mean=g["mean"][rows], sd=g["sd"][rows],
                           min=g["min"][rows], max=g["max"][rows],
                           histogram=g["histogram"][rows, :], bin_edges=g["bin_edges"][()])

    def _stats_from_snapshots(self, t_range: TimeRange, bins: int) -> WeightStats:
        rows = _time_slice(self._group["times"], t_range)
        times = self._group["times"][rows]
        lo, hi = self.w_min, self.w_max
        if not (np.isfinite(lo) and np.isfinite(hi) and hi > lo):
            lo, hi = float(np.min(self.initial())) - 0.5, float(np.max(self.initial())) + 0.5
        edges = np.linspace(lo, hi, bins + 1)
        n_rows, n_syn = len(times), self.n_synapses
        out = {k: np.full(n_rows, np.nan) for k in ("mean", "sd", "min", "max")}
        histogram = np.zeros((n_rows, bins), dtype=np.uint64)
        block = max(1, 4_000_000 // max(1, n_syn))  # rows per read: ~32 MB
        for start in range(0, n_rows, block):
            stop = min(n_rows, start + block)
            w = self._group["weight"][rows.start + start:rows.start + stop, :]
            if n_syn == 0:
                continue
            out["mean"][start:stop], out["sd"][start:stop] = w.mean(axis=1), w.std(axis=1)
            out["min"][start:stop], out["max"][start:stop] = w.min(axis=1), w.max(axis=1)
            index = np.clip(np.searchsorted(edges, w, side="right") - 1, 0, bins - 1)
            flat = (np.arange(stop - start)[:, None] * bins + index).ravel()
            histogram[start:stop] = np.bincount(flat, minlength=(stop - start) * bins).reshape(
                stop - start, bins)
        return WeightStats(times=times, histogram=histogram, bin_edges=edges,
                           source="snapshots", **out)

    def __repr__(self) -> str:
        return (f"WeightRecording({self.label!r}, synapses={self.n_synapses}, "
                f"snapshots={self.n_snapshots})")


# --- bimodality ------------------------------------------------------------------------------

def sarle_coefficient(values) -> float:
    """Sarle's bimodality coefficient with the finite-sample skewness G1 and excess kurtosis G2:

        b = (G1² + 1) / (G2 + 3 (n−1)² / ((n−2)(n−3)))

    For large n this is (skewness² + 1) / kurtosis, which is <= 1 for every distribution.
    Range (0, 1]: 1/3 for a normal, 5/9 for a uniform, → 1 for two spikes; b > 5/9 suggests
    bimodality. NaN for n < 4 or zero variance."""
    x = np.asarray(values, dtype=float).ravel()
    n = x.size
    if n < 4:
        return float("nan")
    d = x - x.mean()
    m2, m3, m4 = (d ** 2).mean(), (d ** 3).mean(), (d ** 4).mean()
    if m2 <= 0:
        return float("nan")
    g1, g2 = m3 / m2 ** 1.5, m4 / m2 ** 2 - 3.0
    skew = g1 * np.sqrt(n * (n - 1)) / (n - 2)
    kurt = (n - 1) / ((n - 2) * (n - 3)) * ((n + 1) * g2 + 6)
    return float((skew ** 2 + 1) / (kurt + 3 * (n - 1) ** 2 / ((n - 2) * (n - 3))))


def bimodality(weights, w_min: float, w_max: float, near: float = 0.1) -> dict:
    """How far STDP has split the weights towards the bounds.

    fraction_low / fraction_high: weights within ``near`` × (w_max − w_min) of w_min / w_max;
    fraction_near_bounds is their sum, in [0, 1] (≈ 2·near for a uniform spread, → 1 when the
    weights have gone to the bounds). sarle_b: :func:`sarle_coefficient`.
    """
    w = np.asarray(weights, dtype=float).ravel()
    margin = near * (w_max - w_min)
    n = w.size
    low = float(np.count_nonzero(w <= w_min + margin)) / n if n else float("nan")
    high = float(np.count_nonzero(w >= w_max - margin)) / n if n else float("nan")
    return {"n": n, "fraction_low": low, "fraction_high": high,
            "fraction_near_bounds": low + high, "sarle_b": sarle_coefficient(w)}


# --- figures ---------------------------------------------------------------------------------

def _time_edges(times: np.ndarray) -> np.ndarray:
    """Cell edges around sample times: midpoints, the outer cells mirrored."""
    t = np.asarray(times, dtype=float)
    if t.size == 1:
        return np.array([t[0] - 0.5, t[0] + 0.5])
    mids = (t[1:] + t[:-1]) / 2
    return np.concatenate([[2 * t[0] - mids[0]], mids, [2 * t[-1] - mids[-1]]])


def plot_histogram_over_time(stats: WeightStats, ax=None, hist_ax=None, title: str = ""):
    """Image of the weight distribution (time on x, weight bins on y, colour = fraction of
    synapses); on ``hist_ax`` the first, middle and last histograms overlaid (weight on y)."""
    fig, ax = plots._axes(ax)
    fractions = stats.fractions()
    edges = np.asarray(stats.bin_edges, dtype=float)
    if fractions.shape[0]:
        mesh = ax.pcolormesh(_time_edges(stats.times), edges, fractions.T, cmap="viridis",
                             vmin=0.0, shading="flat")
        fig.colorbar(mesh, ax=ax, label="fraction of synapses", pad=0.02, fraction=0.05)
    ax.set_xlabel("time (ms)")
    ax.set_ylabel("weight")
    ax.set_ylim(edges[0], edges[-1])
    if title:
        ax.set_title(title)
    if hist_ax is not None and fractions.shape[0]:
        n = fractions.shape[0]
        for k, colour in zip(sorted({0, n // 2, n - 1}), ("C0", "C1", "C3")):
            hist_ax.stairs(fractions[k], edges, orientation="horizontal", color=colour,
                           label=f"t = {stats.times[k]:g} ms")
        hist_ax.set_ylim(edges[0], edges[-1])
        hist_ax.set_xlabel("fraction of synapses")
        # Above the panel: inside, some histogram would be covered whatever the corner.
        hist_ax.legend(fontsize="small", frameon=False, loc="lower left",
                       bbox_to_anchor=(0.0, 1.0), borderaxespad=0.2)
    return fig


def plot_mean_sd(stats: WeightStats, w_min: float, w_max: float, ax=None, title: str = ""):
    """Mean ± SD of the weights against time, min and max dotted, bounds dashed."""
    fig, ax = plots._axes(ax)
    t = stats.times
    ax.fill_between(t, stats.mean - stats.sd, stats.mean + stats.sd, color="C0", alpha=0.3,
                    lw=0, label="± SD")
    ax.plot(t, stats.mean, color="C0", lw=1.5, label="mean")
    ax.plot(t, stats.min, ":", color="0.4", lw=1, label="min, max")
    ax.plot(t, stats.max, ":", color="0.4", lw=1)
    for bound in (w_min, w_max):
        if np.isfinite(bound):
            ax.axhline(bound, color="k", ls="--", lw=1)
    ax.set_xlabel("time (ms)")
    ax.set_ylabel("weight")
    # Head room above w_max for the legend: the band and the bound lines fill the axes.
    if np.isfinite(w_min) and np.isfinite(w_max) and w_max > w_min:
        span = w_max - w_min
        ax.set_ylim(w_min - 0.05 * span, w_max + 0.3 * span)
    ax.legend(fontsize="small", frameon=False, ncols=3, loc="upper center")
    if title:
        ax.set_title(title)
    return fig


def weights_figure(rec: WeightRecording, t_range: TimeRange = None, bins: int = 20,
                   title: str = ""):
    """Histogram image and overlaid histograms on top, mean ± SD below."""
    stats = rec.stats(t_range=t_range, bins=bins)
    # Subfigures, not one grid with a spanning bottom panel: with constrained layout the
    # spanning panel would open a wide gap between the image and its colorbar.
    fig = plots.plt.figure(figsize=(9, 6.5), layout="constrained")
    top, bottom = fig.subfigures(2, 1, height_ratios=(3, 2))
    image_ax, hist_ax = top.subplots(1, 2, width_ratios=(3, 1), sharey=True)
    mean_ax = bottom.subplots()
    plot_histogram_over_time(stats, ax=image_ax, hist_ax=hist_ax, title=title)
    plot_mean_sd(stats, rec.w_min, rec.w_max, ax=mean_ax)
    if stats.times.size:
        mean_ax.set_xlim(*_time_edges(stats.times)[[0, -1]])
    return fig


# --- command line ----------------------------------------------------------------------------

def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python3 -m analysis.weights",
                                     description="Weight distribution of a plastic projection.")
    _cli.add_run_arguments(parser)
    parser.add_argument("--projection", help="name under /weights (default: the first)")
    parser.add_argument("--bins", type=int, default=20,
                        help="histogram bins when the file has no stats (default 20)")
    parser.add_argument("-o", "--output", default="weights.png",
                        help="figure path; without suffix both .png and .pdf are written")
    return parser


def body(args) -> int:
    with _cli.opened_run(args.file, args.run, args.allow_incomplete) as run:
        names = run.weight_projections()
        if not names:
            raise MyelinFileError(f"{run.label}: no weight recordings (/weights is empty or "
                                  "absent); only plastic projections record weights")
        name = args.projection if args.projection is not None else names[0]
        rec = run.weights(name)  # UnknownNameError names the recorded projections
        if args.projection is None and len(names) > 1:
            print(f"using projection {name!r} (recorded: {', '.join(names)}; "
                  "choose with --projection)")
        p = rec.params
        fig = weights_figure(rec, t_range=args.t_range, bins=args.bins,
                             title=f"{run.label}: {name} ({rec.n_synapses} synapses)")
        print(f"projection {name}: {p.get('source_population', '?')} -> "
              f"{p.get('target_population', '?')}, {p.get('rule', '?')} / "
              f"{p.get('pairing', '?')}, {rec.n_synapses} synapses, "
              f"{rec.n_snapshots} snapshots")
        if rec.n_snapshots and rec.n_synapses:
            final = rec.final()
            b = bimodality(final, rec.w_min, rec.w_max)
            print(f"final weights (t = {rec.times()[-1]:g} ms): mean {final.mean():.6g}, "
                  f"SD {final.std():.6g}, min {final.min():.6g}, max {final.max():.6g}")
            print(f"bimodality: {b['fraction_near_bounds']:.3f} within 10% of a bound "
                  f"({b['fraction_low']:.3f} low, {b['fraction_high']:.3f} high), "
                  f"Sarle's b = {b['sarle_b']:.3f} (> 5/9 suggests bimodal)")
    for path in plots.save(fig, args.output):
        print(f"wrote {path}")
    plots.plt.close(fig)
    return 0


def main(argv=None) -> int:
    return _cli.run_main(body, build_parser(), argv)


if __name__ == "__main__":
    raise SystemExit(main())
