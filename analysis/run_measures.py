"""Measures applied to a :class:`analysis.reader.Run`, reading only the data each one needs.

Shared by the command-line tools: :mod:`analysis.measures` holds the formulas on arrays; this
module picks populations, windows and defaults.
"""

from __future__ import annotations

from typing import Optional, Tuple

from analysis import measures
from analysis.reader import Run, UnknownNameError

SPIKE_MEASURES = ("kuramoto", "correlation")
TRACE_MEASURES = ("chi", "sync_error")
MEASURES = TRACE_MEASURES + SPIKE_MEASURES

LABELS = {
    "chi": "synchrony χ",
    "sync_error": "sync error (mV)",
    "kuramoto": "Kuramoto R",
    "correlation": "spike-count correlation",
}


def pick(kind: str, given: Optional[str], available: list, where: str) -> str:
    """``given`` if present in ``available``; else the only entry; else a clear error."""
    if given is not None:
        if given not in available:
            listed = ", ".join(available) or "(none)"
            raise UnknownNameError(f"{where}: no {kind} {given!r}; {kind}s in file: {listed}")
        return given
    if len(available) == 1:
        return available[0]
    listed = ", ".join(available) or "(none)"
    raise UnknownNameError(f"{where}: choose a {kind} with --{kind} (in file: {listed})")


def window(run: Run, t_range: Optional[Tuple[float, float]]) -> Tuple[float, float]:
    """The analysis window [t_lo, t_hi) in ms: ``t_range`` or the whole run [0, t_stop).

    Data are read with ``t_range`` as given (None: everything, including a last trace sample
    at exactly t_stop); the window sets the bins of rates and counts."""
    if t_range is None:
        return 0.0, run.t_stop
    return float(t_range[0]), float(t_range[1])


def measure(
    run: Run,
    name: str,
    population: Optional[str] = None,
    variable: str = "V_m",
    t_range: Optional[Tuple[float, float]] = None,
    bin_ms: float = 5.0,
    max_pairs: Optional[int] = None,
    seed: int = 0,
) -> float:
    """One synchrony measure of ``run``: chi, sync_error (from traces of ``variable``),
    kuramoto or correlation (from spikes). NaN when undefined for the data."""
    lo, hi = window(run, t_range)
    if name in TRACE_MEASURES:
        pop = pick("population", population, run.trace_populations(), f"{run.label} /traces")
        values = run.trace(pop, variable, t_range=t_range).values
        return measures.golomb_chi(values) if name == "chi" else measures.sync_error(values)
    if name in SPIKE_MEASURES:
        pop = pick("population", population, run.populations(), f"{run.label} /spikes")
        ids, times = run.spikes(pop, t_range=t_range)
        if name == "kuramoto":
            return measures.kuramoto(ids, times, dt=run.dt)
        return measures.spike_count_correlation(
            ids, times, range(run.population_size(pop)), bin_ms=bin_ms, t_start=lo,
            t_stop=hi, max_pairs=max_pairs, seed=seed)
    raise ValueError(f"unknown measure {name!r}; known: {', '.join(MEASURES)}")


def all_measures(
    run: Run,
    t_range: Optional[Tuple[float, float]] = None,
    bin_ms: float = 5.0,
    rate_bin_ms: float = 1.0,
    max_pairs: Optional[int] = None,
    variable: str = "V_m",
) -> dict:
    """Every measure for every population (spike measures) and trace population (trace
    measures), plus projection attributes; plain Python values, NaN for undefined."""
    lo, hi = window(run, t_range)
    out = {"t_range_ms": [lo, hi], "populations": {}, "traces": {}, "projections": {}}
    for pop in run.populations():
        ids, times = run.spikes(pop, t_range=t_range)
        size = run.population_size(pop)
        _, rate = measures.population_rate(times, size, rate_bin_ms, lo, hi)
        cvs, cv_mean = measures.isi_cv(ids, times)
        out["populations"][pop] = {
            "size": size,
            "spikes": int(times.size),
            "mean_rate_hz": measures.mean_rate(times, size, hi - lo),
            "peak_population_rate_hz": float(rate.max()) if rate.size else float("nan"),
            "isi_cv_mean": cv_mean,
            "isi_cv_neurons": len(cvs),
            "kuramoto": measures.kuramoto(ids, times, dt=run.dt),
            "count_correlation": measures.spike_count_correlation(
                ids, times, range(size), bin_ms=bin_ms, t_start=lo, t_stop=hi,
                max_pairs=max_pairs),
            "count_correlation_bin_ms": bin_ms,
        }
    for pop in run.trace_populations():
        if variable not in run.trace_variables(pop):
            continue
        trace = run.trace(pop, variable, t_range=t_range)
        out["traces"][pop] = {
            "variable": variable,
            "samples": int(trace.values.shape[0]),
            "neurons": int(trace.values.shape[1]),
            "chi": measures.golomb_chi(trace.values),
            "sync_error": measures.sync_error(trace.values),
            "units": trace.units,
        }
    for name in run.projections():
        out["projections"][name] = run.projection_attrs(name)
    return out
