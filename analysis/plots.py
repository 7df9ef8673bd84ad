"""Figures for Myelin results (matplotlib, Agg backend: no display needed).

Each ``plot_*`` function draws into a given Axes (or a new figure) and returns the Figure;
:func:`save` writes PNG and PDF.
"""

from __future__ import annotations

from pathlib import Path
from typing import Optional, Sequence

import matplotlib

matplotlib.use("Agg")  # before pyplot: headless clusters have no display

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402


def _axes(ax, figsize=(7, 4)):
    if ax is None:
        fig, ax = plt.subplots(figsize=figsize, layout="constrained")
    return ax.figure, ax


def save(fig, path) -> list:
    """Write ``fig``: to ``path`` as given if it has a suffix (.png, .pdf, ...), else to
    ``path.png`` and ``path.pdf``. Returns the written paths."""
    path = Path(path)
    targets = [path] if path.suffix else [path.with_suffix(".png"), path.with_suffix(".pdf")]
    for target in targets:
        target.parent.mkdir(parents=True, exist_ok=True)
        fig.savefig(target, dpi=150)
    return targets


def plot_raster(ids, times, ax=None, title: str = "", n_neurons: Optional[int] = None,
                marker_size: Optional[float] = None):
    """Spike raster: one tick per spike, neuron id against time (ms).

    Ticks ("|") while they stay distinguishable, dots above 5000 spikes; ``n_neurons`` fixes
    the y range to the whole population (silent neurons at the edges stay visible).
    """
    fig, ax = _axes(ax)
    dense = np.size(ids) > 5000
    size = marker_size if marker_size is not None else (1.0 if dense else 12.0)
    ax.scatter(times, ids, s=size, c="k", marker="." if dense else "|", linewidths=0.6)
    ax.set_xlabel("time (ms)")
    ax.set_ylabel("neuron")
    if n_neurons:
        ax.set_ylim(-0.5, n_neurons - 0.5)
    if title:
        ax.set_title(title)
    return fig


def plot_heatmap(times, node_ids, values, ax=None, title: str = "", units: str = "mV",
                 label: str = "V_m"):
    """Trace heatmap: time on x, recorded neuron on y, value as colour (colorbar in ``units``).

    ``values`` is [samples x neurons] as stored; it is transposed so neurons run along y.
    """
    fig, ax = _axes(ax)
    times = np.asarray(times)
    values = np.asarray(values)
    t0 = float(times[0]) if times.size else 0.0
    t1 = float(times[-1]) if times.size else 1.0
    image = ax.imshow(values.T, aspect="auto", origin="lower", interpolation="nearest",
                      extent=(t0, t1, -0.5, values.shape[1] - 0.5), cmap="viridis")
    fig.colorbar(image, ax=ax, label=f"{label} ({units})" if units else label)
    ax.set_xlabel("time (ms)")
    # Rows are recorded columns; label with node ids when few enough to read.
    ids = np.asarray(node_ids)
    if 0 < ids.size <= 10:
        ax.set_yticks(range(ids.size), [str(int(i)) for i in ids])
    ax.set_ylabel("recorded neuron")
    if title:
        ax.set_title(title)
    return fig


def plot_rate(centres, rate, ax=None, title: str = ""):
    """Population rate (Hz) against time (ms) as a step curve."""
    fig, ax = _axes(ax)
    ax.step(centres, rate, where="mid", color="C0", lw=1)
    ax.set_xlabel("time (ms)")
    ax.set_ylabel("population rate (Hz)")
    ax.set_ylim(bottom=0)
    if title:
        ax.set_title(title)
    return fig


def zero_position(p: Sequence[float]) -> float:
    """Where p = 0 goes on a log axis: one decade below the smallest positive p (1e-4 if none)."""
    positive = [x for x in p if x > 0]
    return (min(positive) if positive else 1e-3) / 10.0


def plot_sync_vs_p(
    p: Sequence[float],
    sync_mean: Sequence[float],
    sync_err: Sequence[float],
    c_ratio: Optional[Sequence[float]] = None,
    l_ratio: Optional[Sequence[float]] = None,
    measure_label: str = "synchrony χ",
    error_label: str = "SD",
    ax=None,
    title: str = "",
    sync_ylim: Optional[tuple] = None,
):
    """Synchrony against rewiring probability p, with C(p)/C(0) and L(p)/L(0).

    The classic Watts-Strogatz figure: log-x for p. Synchrony (mean ± ``error_label`` over
    seeds) uses the left axis; the normalised clustering C(p)/C(0) and path length L(p)/L(0)
    share a secondary right axis on [0, 1] (synchrony measures need not lie in [0, 1], e.g. the
    sync error in mV).

    p = 0 cannot sit on a log axis: it is drawn at :func:`zero_position` (one decade below the
    smallest positive p), its tick is labelled "0", and a "//" break mark on the x axis between
    it and the positive p values shows the axis is not continuous there. Lines join only the
    p > 0 points; the p = 0 point stands alone. Points are drawn in order of p.
    """
    fig, ax = _axes(ax, figsize=(7, 5))
    p = np.asarray(p, dtype=float)
    order = np.argsort(p)
    p = p[order]
    x0 = zero_position(p)
    x = np.where(p > 0, p, x0)
    positive = p > 0

    def curve(axis, y, marker, linestyle, color, **style):
        """Markers everywhere; the line only through p > 0 (no line across the axis break).
        Returns the p > 0 line as the legend handle."""
        y = np.asarray(y, dtype=float)[order]
        line, = axis.plot(x[positive], y[positive], marker=marker, linestyle=linestyle,
                          color=color, **style)
        axis.plot(x[~positive], y[~positive], marker=marker, linestyle="none", color=color,
                  **style)
        return line

    sync_err = np.asarray(sync_err, dtype=float)[order]
    handles = [curve(ax, sync_mean, "o", "-", "C3")]
    ax.errorbar(x, np.asarray(sync_mean, dtype=float)[order], yerr=sync_err, fmt="none",
                ecolor="C3", capsize=3)
    labels = [f"{measure_label} (mean ± {error_label})"]
    ax.set_xscale("log")
    ax.set_xlabel("rewiring probability p")
    ax.set_ylabel(measure_label)
    if sync_ylim is not None:
        ax.set_ylim(*sync_ylim)

    if c_ratio is not None or l_ratio is not None:
        right = ax.twinx()
        if c_ratio is not None:
            handles.append(curve(right, c_ratio, "s", "--", "C0", mfc="none"))
            labels.append("C(p)/C(0)")
        if l_ratio is not None:
            handles.append(curve(right, l_ratio, "^", "--", "C2", mfc="none"))
            labels.append("L(p)/L(0)")
        right.set_ylim(0, 1.05)
        right.set_ylabel("C(p)/C(0), L(p)/L(0)")
    # Below the axes: inside, the three curves leave no corner free.
    ax.legend(handles, labels, loc="upper center", bbox_to_anchor=(0.5, -0.15), ncols=3,
              fontsize="small", frameon=False)

    if np.any(p <= 0):
        _mark_zero(ax, x0, x[p > 0])
    if title:
        ax.set_title(title)
    return fig


def _mark_zero(ax, x0: float, positive_x: np.ndarray) -> None:
    """Label the p = 0 slot "0", put decade ticks on the positive part and draw a break mark
    on the x axis between the two."""
    smallest = positive_x.min() if positive_x.size else x0 * 10
    left, right = x0 / 3, max(ax.get_xlim()[1], (positive_x.max() if positive_x.size else 1) * 1.5)
    # Decades strictly right of the break; set_xticks would widen the limits to fit others.
    decades = np.arange(np.ceil(np.log10(x0 * 3)), np.floor(np.log10(right)) + 1)
    ticks = [10.0 ** d for d in decades]
    ax.set_xticks([x0] + ticks, ["0"] + [f"$10^{{{int(d)}}}$" for d in decades])
    ax.minorticks_off()
    ax.set_xlim(left, right)
    gap = np.sqrt(x0 * smallest)  # geometric middle: the visual middle on a log axis
    ax.annotate("//", xy=(gap, 0), xycoords=("data", "axes fraction"), ha="center",
                va="center", fontsize=11, annotation_clip=False,
                bbox=dict(boxstyle="square,pad=0.05", fc="white", ec="none"))
