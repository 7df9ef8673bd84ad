"""Population activity and synchrony measures on plain numpy arrays.

Conventions: spike trains are given as two parallel arrays ``(ids, times)`` -- population-local
neuron ids and spike times in ms, as :meth:`analysis.reader.Run.spikes` returns them. Traces are
``[samples x neurons]`` arrays (time along axis 0), as in :class:`analysis.reader.Trace`.
Functions return NaN, never raise, when a measure is undefined for the data (e.g. no spikes).

``python3 -m analysis.measures RUN.h5`` prints every measure of a run as JSON (see :func:`main`).
"""

from __future__ import annotations

from typing import Optional, Sequence, Tuple

import numpy as np


def _trains(ids: np.ndarray, times: np.ndarray, neurons: Optional[Sequence[int]]) -> dict:
    """Spike times per neuron, each sorted: {id: times}. ``neurons`` restricts to those ids
    (a silent one gets an empty train)."""
    ids = np.asarray(ids)
    times = np.asarray(times, dtype=float)
    order = np.lexsort((times, ids))  # by neuron, then time: one pass to split
    ids, times = ids[order], times[order]
    cuts = np.flatnonzero(np.diff(ids)) + 1
    trains = {int(group[0]): t for group, t in zip(np.split(ids, cuts), np.split(times, cuts))
              if group.size}
    if neurons is not None:
        wanted = [int(n) for n in neurons]
        trains = {n: trains.get(n, np.zeros(0)) for n in wanted}
    return trains


def population_rate(
    times: np.ndarray,
    n_neurons: int,
    bin_ms: float = 1.0,
    t_start: float = 0.0,
    t_stop: Optional[float] = None,
) -> Tuple[np.ndarray, np.ndarray]:
    """Population firing rate as a histogram.

    r(b) = n_b / (N * Δ),  with n_b the spikes of all N neurons in bin b = [t_b, t_b + Δ),
    Δ = ``bin_ms`` converted to seconds. Range [0, ∞) Hz; for N neurons each firing at f Hz the
    time-mean of r is f.

    Bins start at ``t_start``; the last bin ends at the first edge >= ``t_stop`` (default: the
    last spike), so a partial last bin is counted over its full width.
    Returns (bin centres in ms, rate in Hz).
    """
    if bin_ms <= 0 or n_neurons <= 0:
        raise ValueError("bin_ms and n_neurons must be positive")
    times = np.asarray(times, dtype=float)
    if t_stop is None:
        t_stop = float(times.max()) if times.size else t_start + bin_ms
    n_bins = max(1, int(np.ceil((t_stop - t_start) / bin_ms - 1e-9)))
    edges = t_start + bin_ms * np.arange(n_bins + 1)
    counts, _ = np.histogram(times, bins=edges)
    rate = counts / (n_neurons * bin_ms * 1e-3)
    return 0.5 * (edges[:-1] + edges[1:]), rate


def mean_rate(times: np.ndarray, n_neurons: int, duration_ms: float) -> float:
    """Mean rate per neuron: (number of spikes) / (N * T), in Hz; range [0, ∞)."""
    if n_neurons <= 0 or duration_ms <= 0:
        return float("nan")
    return float(np.size(times)) / (n_neurons * duration_ms * 1e-3)


def isi_cv(
    ids: np.ndarray, times: np.ndarray, min_spikes: int = 3
) -> Tuple[dict, float]:
    """Coefficient of variation of inter-spike intervals.

    For neuron i with intervals τ_1..τ_m:  CV_i = std(τ) / mean(τ)  (population std, ddof = 0).
    Range [0, ∞): 0 for a perfectly regular train, ≈ 1 for a Poisson train, > 1 for bursts.
    Neurons with fewer than ``min_spikes`` (default 3, i.e. at least 2 intervals) are skipped.
    Returns ({id: CV_i}, mean over the kept neurons or NaN if none).
    """
    per_neuron = {}
    for neuron, train in _trains(ids, times, None).items():
        if train.size < min_spikes:
            continue
        intervals = np.diff(train)
        mean = intervals.mean()
        if mean > 0:
            per_neuron[neuron] = float(intervals.std() / mean)
    mean_cv = float(np.mean(list(per_neuron.values()))) if per_neuron else float("nan")
    return per_neuron, mean_cv


def golomb_chi(values: np.ndarray) -> float:
    """Golomb's synchrony measure χ from traces V [samples x neurons].

    χ² = Var_t(⟨V⟩_i) / mean_i Var_t(V_i),  with ⟨V⟩_i(t) the population mean at time t;
    returns χ = sqrt(χ²). Range [0, 1]: 1 for identical traces, ≈ 1/sqrt(N) for N independent
    traces (Golomb & Rinzel 1993; Golomb 2007, Scholarpedia 2(1):1347).
    NaN when every trace is constant.
    """
    v = np.asarray(values, dtype=float)
    if v.ndim != 2 or v.shape[0] < 2 or v.shape[1] < 1:
        return float("nan")
    var_of_mean = v.mean(axis=1).var()
    mean_of_var = v.var(axis=0).mean()
    if mean_of_var <= 0:
        return float("nan")
    # Mathematically <= 1 (Cauchy-Schwarz); the clip only removes rounding excess.
    return float(min(1.0, np.sqrt(var_of_mean / mean_of_var)))


def sync_error(values: np.ndarray) -> float:
    """Synchronisation error: mean over t and i of |V_i(t) − ⟨V⟩(t)|, in the units of V (mV).

    ⟨V⟩(t) is the population mean at time t. Range [0, ∞): 0 for identical traces; for two
    traces ±a it is a. Unlike χ it is not normalised by the fluctuation amplitude.
    """
    v = np.asarray(values, dtype=float)
    if v.ndim != 2 or v.size == 0:
        return float("nan")
    return float(np.abs(v - v.mean(axis=1, keepdims=True)).mean())


def kuramoto(
    ids: np.ndarray,
    times: np.ndarray,
    neurons: Optional[Sequence[int]] = None,
    dt: float = 0.1,
) -> float:
    """Kuramoto order parameter from spike phases.

    Between consecutive spikes t_k <= t < t_{k+1} of neuron i its phase rises linearly:
    φ_i(t) = 2π (t − t_k) / (t_{k+1} − t_k). The order parameter
    R(t) = |(1/N) Σ_i exp(i φ_i(t))| is evaluated on a grid of step ``dt`` ms over the window
    where every neuron has a defined phase, [max_i first spike, min_i last spike), and its time
    mean is returned. Range [0, 1]: 1 when all phases are equal, ≈ 0 for phases spread
    uniformly over the circle (≈ 1/sqrt(N) for random phases).

    ``neurons``: the ids to include (default: every neuron that spiked). Neurons with fewer than
    two spikes never have a phase, so including one makes the window empty; they are dropped.
    NaN when fewer than two neurons remain or the window is empty.
    """
    trains = [t for t in _trains(ids, times, neurons).values() if t.size >= 2]
    if len(trains) < 2:
        return float("nan")
    t0 = max(t[0] for t in trains)
    t1 = min(t[-1] for t in trains)
    if t1 <= t0:
        return float("nan")
    grid = np.arange(t0, t1, dt)
    # Accumulate the complex sum neuron by neuron: memory O(grid), not O(grid x N).
    total = np.zeros(grid.size, dtype=complex)
    for train in trains:
        k = np.searchsorted(train, grid, side="right") - 1
        k = np.clip(k, 0, train.size - 2)  # grid < last spike, so k + 1 exists
        phase = 2 * np.pi * (grid - train[k]) / (train[k + 1] - train[k])
        total += np.exp(1j * phase)
    return float(np.mean(np.abs(total) / len(trains)))


def binned_counts(
    ids: np.ndarray,
    times: np.ndarray,
    neurons: Sequence[int],
    bin_ms: float,
    t_start: float,
    t_stop: float,
) -> np.ndarray:
    """Spike counts [neurons x bins] over [t_start, t_stop) in bins of ``bin_ms``."""
    neurons = np.asarray(neurons, dtype=np.int64)
    n_bins = max(1, int(np.floor((t_stop - t_start) / bin_ms + 1e-9)))
    ids = np.asarray(ids, dtype=np.int64)
    times = np.asarray(times, dtype=float)
    # Row of each spike by binary search in the sorted id list (vectorised, no Python loop).
    order = np.argsort(neurons, kind="stable")
    pos = np.clip(np.searchsorted(neurons[order], ids), 0, max(neurons.size - 1, 0))
    b = np.floor((times - t_start) / bin_ms).astype(np.int64)
    keep = (b >= 0) & (b < n_bins) & (neurons.size > 0)
    if neurons.size:
        keep &= neurons[order][pos] == ids
    counts = np.zeros((neurons.size, n_bins))
    np.add.at(counts, (order[pos[keep]], b[keep]), 1)
    return counts


def count_correlation(
    counts: np.ndarray,
    max_pairs: Optional[int] = None,
    seed: int = 0,
) -> float:
    """Mean pairwise Pearson correlation of binned spike counts [neurons x bins].

    ρ = mean over pairs i < j of corr(n_i, n_j). Neurons whose count has zero variance (e.g.
    silent) are excluded. Range [−1/(N−1), 1] for the all-pairs mean: 1 for identical count
    trains, ≈ 0 for independent ones.

    All pairs are averaged exactly in O(N x bins) memory using z-scores z_i (ddof = 0):
    Σ_{i≠j} z_i·z_j = |Σ_i z_i|² − Σ_i |z_i|² and |z_i|² = B. With ``max_pairs`` a random
    subsample of that many pairs of distinct neurons (drawn with replacement, generator seeded
    by ``seed``) is averaged instead. NaN when fewer than two neurons have variance.
    """
    c = np.asarray(counts, dtype=float)
    if c.ndim != 2 or c.shape[1] < 2:
        return float("nan")
    sd = c.std(axis=1)
    c = c[sd > 0]
    n, bins = c.shape
    if n < 2:
        return float("nan")
    z = (c - c.mean(axis=1, keepdims=True)) / sd[sd > 0][:, None]
    n_pairs = n * (n - 1) // 2
    if max_pairs is None or max_pairs >= n_pairs:
        s = z.sum(axis=0)
        return float((s @ s - n * bins) / (bins * n * (n - 1)))
    rng = np.random.default_rng(seed)
    i = rng.integers(0, n, size=max_pairs)
    j = (i + rng.integers(1, n, size=max_pairs)) % n  # never i itself
    return float(np.mean(np.einsum("pb,pb->p", z[i], z[j]) / bins))


def spike_count_correlation(
    ids: np.ndarray,
    times: np.ndarray,
    neurons: Sequence[int],
    bin_ms: float = 5.0,
    t_start: float = 0.0,
    t_stop: Optional[float] = None,
    max_pairs: Optional[int] = None,
    seed: int = 0,
) -> float:
    """Pairwise spike-count correlation: :func:`binned_counts` then :func:`count_correlation`.

    ρ = mean_{i<j} corr(n_i, n_j) over neurons with non-constant counts; range as there.
    """
    if t_stop is None:
        t_stop = float(np.max(times)) + bin_ms if np.size(times) else t_start + bin_ms
    counts = binned_counts(ids, times, neurons, bin_ms, t_start, t_stop)
    return count_correlation(counts, max_pairs=max_pairs, seed=seed)


def main(argv=None) -> int:
    """``python3 -m analysis.measures RUN.h5``: every measure of a run as JSON on stdout."""
    # Imported here: this module is the array-level library; the CLI needs the reader on top.
    import argparse
    import json
    import math

    from analysis import _cli, run_measures

    parser = argparse.ArgumentParser(
        prog="python3 -m analysis.measures",
        description="Print rate, ISI CV, Kuramoto R, spike-count correlation per population "
        "and Golomb chi, sync error per traced population, as JSON (NaN -> null).")
    _cli.add_run_arguments(parser)
    parser.add_argument("--bin", type=float, default=5.0, metavar="MS",
                        help="bin width for spike-count correlation (default 5 ms)")
    parser.add_argument("--max-pairs", type=int, metavar="N",
                        help="average the correlation over N random pairs instead of all")
    parser.add_argument("--variable", default="V_m", help="trace variable (default V_m)")

    def clean(x):  # JSON has no NaN: undefined measures become null
        if isinstance(x, dict):
            return {k: clean(v) for k, v in x.items()}
        if isinstance(x, list):
            return [clean(v) for v in x]
        return None if isinstance(x, float) and not math.isfinite(x) else x

    def body(args) -> int:
        with _cli.opened_run(args.file, args.run, args.allow_incomplete, args.chain) as run:
            result = run_measures.all_measures(run, t_range=args.t_range, bin_ms=args.bin,
                                               max_pairs=args.max_pairs, variable=args.variable)
            result = {"file": args.file, "run": args.run, "seed": run.seed, **result}
        print(json.dumps(clean(result), indent=2))
        return 0

    return _cli.run_main(body, parser, argv)


if __name__ == "__main__":
    raise SystemExit(main())
